"""Serving-engine profiles as used: starting points, replaced by the calibrated values.

``data/measurements/calibration.json`` (written by ``python -m openvclosed.decision.validate_report
--write``) holds the fitted parameters per engine; :func:`profile` merges them over
:data:`openvclosed.engine.profiles.STARTING_POINTS`. Read once per process.
"""

from __future__ import annotations

import contextlib
import functools
import json

from openvclosed.engine.profiles import COLLECTIVE_EFF, LINK_LATENCY_S, PROFILE_KEYS, profile_key, starting_point

__all__ = ["profile", "calibrated_profiles", "current_profiles", "using_profiles", "link_params", "CALIBRATION_FILE"]

CALIBRATION_FILE = "measurements/calibration.json"


@functools.lru_cache(maxsize=1)
def calibrated_profiles() -> dict[str, dict[str, float]]:
    """Engine -> parameters: the starting points with the calibrated values over them."""
    from openvclosed.catalog.store import bundled_data_dir

    out = {k: starting_point(k) for k in PROFILE_KEYS}
    try:
        data = json.loads((bundled_data_dir() / CALIBRATION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return out
    for key, params in (data.get("profiles") or {}).items():
        if key in out and isinstance(params, dict):
            out[key].update({k: float(v) for k, v in params.items() if k in out[key]})
    return out


_OVERRIDE: list[dict] = []


@contextlib.contextmanager
def using_profiles(profiles: dict[str, dict[str, float]]):
    """Within the block, :func:`profile` answers from ``profiles`` (engine -> parameters) instead of
    the calibration file: the validation runs each held-out row through ``ovc fit`` under the
    profiles fitted without that row's document family, exactly as if they had been shipped
    (key ``"@links"``: the collective model per link kind, as :func:`link_params` reads it)."""
    _OVERRIDE.append(profiles)
    try:
        yield
    finally:
        _OVERRIDE.pop()


def current_profiles() -> dict | None:
    """The profiles of the innermost :func:`using_profiles` block, or None outside one."""
    return _OVERRIDE[-1] if _OVERRIDE else None


def link_params(kind: str) -> tuple[float, float]:
    """(collective efficiency, all-reduce latency [s]) of a link kind: the calibrated collective
    model (``links`` in the calibration file) over the assumptions of engine/profiles.py."""
    kind = kind if kind in COLLECTIVE_EFF else "none"
    table = (_OVERRIDE[-1].get("@links") if _OVERRIDE else None) or calibrated_links()
    q = table.get(kind, {})
    return float(q.get("collective_eff", COLLECTIVE_EFF[kind])), float(q.get("latency_s", LINK_LATENCY_S[kind]))


@functools.lru_cache(maxsize=1)
def calibrated_links() -> dict[str, dict[str, float]]:
    from openvclosed.catalog.store import bundled_data_dir

    try:
        data = json.loads((bundled_data_dir() / CALIBRATION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    links = data.get("links") or {}
    return {k: {n: float(v) for n, v in q.items() if n in ("collective_eff", "latency_s")}
            for k, q in links.items() if isinstance(q, dict)}


def profile(engine: str, segment: str | None = None, vendor: str | None = None) -> dict[str, float]:
    """The parameters of ``engine`` on hardware of ``segment`` and ``vendor`` (engine/profiles.py ``profile_key``)."""
    key = profile_key(engine, segment, vendor)
    table = _OVERRIDE[-1] if _OVERRIDE else calibrated_profiles()
    return table[key] if key in table else table[engine]


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
