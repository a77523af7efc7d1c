"""Serving-engine profiles as used: starting points, replaced by the calibrated values.

``data/measurements/calibration.json`` (written by ``python -m openvclosed.decision.validate
--write``) holds the fitted parameters per engine; :func:`profile` merges them over
:data:`openvclosed.engine.profiles.STARTING_POINTS`. Read once per process.
"""

from __future__ import annotations

import functools
import json

from openvclosed.engine.profiles import ENGINES, STARTING_POINTS

__all__ = ["profile", "calibrated_profiles", "CALIBRATION_FILE"]

CALIBRATION_FILE = "measurements/calibration.json"


@functools.lru_cache(maxsize=1)
def calibrated_profiles() -> dict[str, dict[str, float]]:
    """Engine -> parameters: the starting points with the calibrated values over them."""
    from openvclosed.catalog.store import bundled_data_dir

    out = {e: dict(STARTING_POINTS[e]) for e in ENGINES}
    try:
        data = json.loads((bundled_data_dir() / CALIBRATION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return out
    for engine, params in (data.get("profiles") or {}).items():
        if engine in out and isinstance(params, dict):
            out[engine].update({k: float(v) for k, v in params.items() if k in out[engine]})
    return out


def profile(engine: str) -> dict[str, float]:
    return calibrated_profiles()[engine]


@functools.lru_cache(maxsize=1)
def residual_log_sd() -> float | None:
    """Log standard deviation of the held-out throughput residuals (None without a calibration file)."""
    from openvclosed.catalog.store import bundled_data_dir

    try:
        data = json.loads((bundled_data_dir() / CALIBRATION_FILE).read_text(encoding="utf-8"))
        return float(data["held_out_residual_log_sd"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def with_throughput_uncertainty(distributions: dict | None, base_bandwidth_eff: float) -> dict:
    """The Monte Carlo distributions with throughput efficiency drawn from the validation residuals
    (lognormal around the design's value, sigma = held-out residual log sd), unless the user set one."""
    out = dict(distributions or {})
    sd = residual_log_sd()
    if "bandwidth_eff" not in out and sd is not None:
        out["bandwidth_eff"] = {"dist": "lognormal", "median": float(base_bandwidth_eff), "sigma": sd,
                                "basis": f"held-out residuals of the throughput model: log sd {sd:.2f} "
                                         f"(docs/validation.md)"}
    return out
