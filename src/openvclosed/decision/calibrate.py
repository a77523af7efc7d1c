"""Your own measurements in: fit a per-deployment correction of a serving profile (``ovc calibrate``).

The measured points (:mod:`openvclosed.decision.benchfiles`) are predicted by the serving function
``ovc fit`` runs (:func:`openvclosed.decision.fit.fit_inputs`, the same inputs the cost path
sizes replicas with), at each point's concurrency and lengths, for the design the user names
(model, ``NxGPU``, engine, precision, TP). The fitted parameters are the profile's
(:data:`openvclosed.decision.validate_bounds.FITTED`), moved from the profile in use (the shipped
calibration, or an earlier ``--profile``) by a coordinate search inside the physical bounds of
:data:`openvclosed.decision.validate_bounds.BOUNDS`, minimising

    loss = mean soft-L1(log(pred tok/s / meas tok/s) / 0.15) + mean soft-L1(log(pred TTFT / meas TTFT) / 0.15)
           + CALIBRATE_PULL x sum_k log(q_k / start_k)^2        (k: the efficiencies, not the overheads)

A parameter the points do not constrain stays where it was (the pull); one that ends at its
bound is reported: the deployment is faster (or slower) than the serving model can explain
within physics, e.g. kernels the model does not describe. The profile file applies to every
design served by that profile key (engine on a hardware class), via ``--profile FILE`` or
``profile:`` in a workload file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from openvclosed.decision.benchfiles import BenchPoint
from openvclosed.errors import InputError

__all__ = ["Deployment", "predict_points", "calibrate", "load_profile_file", "using_profile_files", "PROFILE_FORMAT",
           "CALIBRATE_PULL", "SWEEPS"]

PROFILE_FORMAT = "ovc-profile/1"

CALIBRATE_PULL = 0.0002
"""Weight of the pull towards the profile in use (1% of the published calibration's
``REGULARIZATION`` 0.02): the user's own points are the best evidence for their own deployment,
the pull only keeps the parameters they do not constrain where they were."""

SWEEPS = 12
"""Coordinate-search sweeps; sweep s tries each parameter at x (1 + span)^[-1..1], span = 2 x 0.6^s."""


@dataclass(frozen=True)
class Deployment:
    """The design the points were measured on, as ``ovc fit`` takes it."""

    model_id: str
    gpu_id: str
    n_gpus: int
    engine: str
    precision: str | None = None     # --quant, or None with bits
    bits: float | None = None        # --bits (llama-bench files give it from model_size / model_n_params)
    tp: int | None = None
    kv_bits: float = 16.0

    def label(self) -> str:
        q = self.precision or f"{self.bits:.2f} bits"
        tp = f", TP {self.tp}" if self.tp else ""
        return f"{self.n_gpus}x{self.gpu_id} {self.model_id} {q} on {self.engine}{tp}"


def _inputs(catalog, dep: Deployment, points: list[BenchPoint]):
    """Stacked engine inputs of every point (the ``ovc fit`` builder, one call per point)."""
    from openvclosed.decision.assumptions import Assumptions
    from openvclosed.decision.fit import Serving, fit_inputs
    from openvclosed.decision.validate import stack

    model, gpu = catalog.model(dep.model_id), catalog.gpu(dep.gpu_id)
    xs = []
    for p in points:
        s = Serving(tp=dep.tp, concurrency=max(1.0, float(p.concurrency)), input_tokens=float(p.input_tokens),
                    output_tokens=float(max(p.output_tokens, 1.0)))
        a = Assumptions(kv_bits=dep.kv_bits, engine=dep.engine, context_tokens=max(s.context_tokens(), 1))
        _, x, _, _, _ = fit_inputs(model, gpu, a, counts=[dep.n_gpus],
                                   precisions=[dep.precision] if dep.precision else None,
                                   weight_bits=dep.bits if not dep.precision else None, serving=s)
        xs.append(x)
    return stack(xs)


def _eval(x, key: str, params: dict[str, float]):
    from openvclosed.decision.validate import evaluate

    return evaluate(x, np.array([key] * len(np.atleast_1d(x.tp))), {key: params})


def _idle_share(points: list[BenchPoint]) -> np.ndarray:
    """min(1, C) per point: a run whose mean concurrency is below one request (Little's law on a
    lightly loaded server) is predicted at one request in flight, its throughput scaled by C."""
    return np.array([min(1.0, float(p.concurrency)) for p in points])


def _predict(x, key: str, params: dict[str, float], idle: np.ndarray):
    """(output tok/s, TTFT ms, TPOT ms) of the stacked points ``x`` under ``params``."""
    e = _eval(x, key, params)
    fits = np.asarray(e.fits, dtype=bool)
    return (np.where(fits, e.output_tokens_per_s * idle, 0.0), np.where(fits, np.asarray(e.ttft_s) * 1e3, np.nan),
            np.where(fits, np.asarray(e.tpot_s) * 1e3, np.nan))


def predict_points(catalog, dep: Deployment, points: list[BenchPoint], params: dict[str, float] | None = None):
    """(output tok/s, TTFT ms, TPOT ms) predicted at every point under ``params`` (default: the
    profile in use for the deployment's key). A design that does not fit predicts 0 tok/s."""
    key, start = profile_of(catalog, dep)
    return _predict(_inputs(catalog, dep, points), key, params or start, _idle_share(points))


def profile_of(catalog, dep: Deployment) -> tuple[str, dict[str, float]]:
    """The profile key of the deployment and its parameters in use."""
    from openvclosed.decision.calibration import profile
    from openvclosed.engine.profiles import profile_key

    g = catalog.gpu(dep.gpu_id)
    return profile_key(dep.engine, g.segment, g.vendor), dict(profile(dep.engine, g.segment, g.vendor))


def _soft_l1(lr: np.ndarray) -> float:
    """The published calibration's loss (decision/validate.py ``_robust``); 0 without points."""
    from openvclosed.decision.validate import _robust

    return _robust(lr) if lr.size else 0.0


def _log_ratio(pred, meas) -> np.ndarray:
    m = np.isfinite(meas) & (meas > 0)
    p = np.where(np.isfinite(pred) & (pred > 0), pred, 1e-9)
    return np.log(p[m] / meas[m])


BATCH_TERMS = ("decode_mfu", "kv_bandwidth_eff")
"""The terms only batched decoding measures (GEMMs of many sequences, KV reads of many contexts):
fitted only when some point ran more than one request at a time."""


def single_stream_only(points: list[BenchPoint]) -> bool:
    return all(p.concurrency <= 1.5 for p in points)


@dataclass
class Fit:
    key: str
    before: dict[str, float]
    after: dict[str, float]
    pred_before: tuple
    pred_after: tuple
    at_bound: dict[str, str]           # parameter -> "lower" | "upper"
    direction: str                     # "faster" | "slower" | "" : what is left when a bound binds


def calibrate(catalog, dep: Deployment, points: list[BenchPoint], sweeps: int = SWEEPS) -> Fit:
    """Fit the deployment's profile parameters to the measured points (module docstring)."""
    from openvclosed.decision.validate_bounds import FITTED, bounds

    key, start = profile_of(catalog, dep)
    x = _inputs(catalog, dep, points)
    idle = _idle_share(points)
    meas_tps = np.array([p.output_tokens_per_s if p.output_tokens_per_s else np.nan for p in points], dtype=float)
    meas_ttft = np.array([p.ttft_ms if p.ttft_ms else np.nan for p in points], dtype=float)
    # TTFT of a llama-bench pp test is the whole prompt; of a serving run it includes queueing
    # behind other prompts, which the serving function models too
    params = {k: (float(np.clip(v, *bounds(key, k))) if k in FITTED else v) for k, v in start.items()}

    def loss(q):
        tps, ttft, _ = _predict(x, key, q, idle)
        pull = sum(math.log((q[k] + 1e-6) / (start[k] + 1e-6)) ** 2 for k in FITTED if not k.endswith("_s"))
        return (_soft_l1(_log_ratio(tps, meas_tps)) + _soft_l1(_log_ratio(ttft, meas_ttft))
                + CALIBRATE_PULL * pull)

    best = loss(params)
    free = [k for k in FITTED if k not in BATCH_TERMS] if single_stream_only(points) else list(FITTED)
    for sweep in range(sweeps):
        span = 2.0 * 0.6 ** sweep
        for name in free:
            lo, hi = bounds(key, name)
            cur = params[name]
            grid = max(cur, 1e-6) * np.geomspace(1 / (1 + span), 1 + span, 9)
            extra = [lo, hi] if name.endswith("_s") else [hi]
            for c in np.unique(np.clip(np.concatenate([extra, grid]), lo, hi)):
                q = dict(params, **{name: float(c)})
                v = loss(q)
                if v < best - 1e-12:
                    best, params = v, q
    at_bound = {}
    for k in FITTED:
        lo, hi = bounds(key, k)
        if abs(params[k] - start[k]) > 1e-9 * max(1.0, abs(start[k])):
            if math.isclose(params[k], hi, rel_tol=1e-6):
                at_bound[k] = "upper"
            elif math.isclose(params[k], lo, rel_tol=1e-6, abs_tol=1e-12):
                at_bound[k] = "lower"
    pb, pa = _predict(x, key, start, idle), _predict(x, key, params, idle)
    tps, ttft, _ = pa
    # what is left, as "measured faster" > 0: throughput under-predicted, or TTFT over-predicted
    faster = np.concatenate([-_log_ratio(tps, meas_tps), _log_ratio(ttft, meas_ttft)])
    direction = ""
    if at_bound and faster.size:
        worst = float(faster[np.argmax(np.abs(faster))])
        direction = "faster" if worst > 0.05 else ("slower" if worst < -0.05 else "")
    return Fit(key, start, params, pb, pa, at_bound, direction)


# ---- profile files -----------------------------------------------------------------------------

def profile_document(fit: Fit, dep: Deployment, files: list[str], residuals: list[dict]) -> dict:
    """The profile file's content (JSON, docs/calibrate.md)."""
    from openvclosed import __version__
    from openvclosed.decision.validate_bounds import FITTED

    return {"format": PROFILE_FORMAT, "profile_key": fit.key,
            "parameters": {k: fit.after[k] for k in FITTED},
            "calibrated_on": {"deployment": dep.label(), "model": dep.model_id, "gpu": dep.gpu_id,
                              "n_gpus": dep.n_gpus, "engine": dep.engine, "precision": dep.precision,
                              "bits": dep.bits, "tp": dep.tp, "kv_bits": dep.kv_bits,
                              "files": [Path(f).name for f in files]},
            "residuals": residuals, "created": dt.date.today().isoformat(), "ovc_version": __version__}


def load_profile_file(path) -> tuple[str, dict[str, float], str]:
    """(profile key, parameters, deployment label) of a profile file written by ``ovc calibrate``;
    every field checked (key known, each parameter a number inside its physical bound)."""
    from openvclosed.decision.validate_bounds import FITTED, bounds
    from openvclosed.engine.profiles import PROFILE_KEYS

    from openvclosed.fileio import read_input_text

    if not Path(path).exists():
        raise InputError(f"{path}: no such profile file (write one with ovc calibrate FILE ... -o {path})")
    text = read_input_text(path, "a profile file (JSON from ovc calibrate -o)", 1024 * 1024)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: line {e.lineno}: not JSON ({e.msg}); a profile file is what ovc calibrate -o writes") from None
    if not isinstance(data, dict) or data.get("format") != PROFILE_FORMAT:
        raise InputError(f"{path}: format: must be {PROFILE_FORMAT!r} (a file written by ovc calibrate -o)")
    key = data.get("profile_key")
    if key not in PROFILE_KEYS:
        raise InputError(f"{path}: profile_key: {str(key)[:40]!r}; allowed: {', '.join(PROFILE_KEYS)}")
    params = data.get("parameters")
    if not isinstance(params, dict):
        raise InputError(f"{path}: parameters: must be a mapping of {', '.join(FITTED)}")
    out = {}
    for k, v in params.items():
        if k not in FITTED:
            raise InputError(f"{path}: parameters.{str(k)[:40]}: unknown; allowed: {', '.join(FITTED)}")
        lo, hi = bounds(key, k)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (lo <= float(v) <= hi):
            raise InputError(f"{path}: parameters.{k}: {str(v)[:40]} must be a number in [{lo:g}, {hi:g}] "
                             "(the physical bound of the serving model)")
        out[k] = float(v)
    on = data.get("calibrated_on") if isinstance(data.get("calibrated_on"), dict) else {}
    label = on.get("deployment") if isinstance(on.get("deployment"), str) else "unknown deployment"
    return key, out, label


@contextlib.contextmanager
def using_profile_files(paths):
    """Within the block, every profile file's parameters replace those of its key (later files
    win); no paths: unchanged."""
    from openvclosed.decision.calibration import calibrated_profiles, current_profiles, using_profiles

    paths = [p for p in (paths or []) if p]
    if not paths:
        yield []
        return
    table = {k: dict(v) for k, v in (current_profiles() or calibrated_profiles()).items()}
    labels = []
    for path in paths:
        key, params, label = load_profile_file(path)
        table[key] = dict(table[key], **params)
        labels.append((str(path), key, label))
    with using_profiles(table):
        yield labels
