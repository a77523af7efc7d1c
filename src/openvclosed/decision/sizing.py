"""Size self-hosted designs for a workload's load and latency targets (issue: sizing from load).

For every design the serving function (engine/serving.py) is evaluated at decode batches
1, 2, 4, ... up to what memory and the engine allow. At each batch ``b`` an instance is a queue
with ``b`` slots (engine/queueing.py); a request holds a slot for ``S = TTFT_0 + O x TPOT(b)``.
The batch is usable when ``TPOT(b)`` meets the TPOT target and the unqueued ``TTFT_0(b)`` leaves
room for a wait; the highest utilisation ``rho(b)`` whose 95th-percentile wait still fits in
``ttft_target - TTFT_0(b)`` is how busy the replica may run at the busy hour. The design runs at
the batch that serves the most (``output_tokens_per_s(b) x rho(b)``), and the engine sizes
replicas with that batch and ``utilization = rho`` at the peak load::

    replicas = ceil(peak tokens/s / (full-load tokens/s x rho))     (engine/design.py, unchanged)

A workload that sets ``assumptions.utilization`` keeps that fixed value instead (an override).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from openvclosed.decision.assumptions import Assumptions
from openvclosed.engine.design import selfhost_design
from openvclosed.engine.queueing import max_utilization, wait_quantile_s
from openvclosed.engine.serving import lengths_from_mix
from openvclosed.errors import InputError

__all__ = ["BATCH_GRID", "Targets", "targets_for", "size_for_load", "load_sized", "peak_to_mean_for",
           "sizing_record", "fixed_sizing_record", "ttft_p95_at_load_ms", "peak_to_mean_of_rate", "size_one_design"]

BATCH_GRID = tuple(2 ** k for k in range(13))
"""Decode batches tried per instance (1 .. 4096; the design's own maximum is tried too)."""


@dataclass(frozen=True)
class Targets:
    ttft_ms: float
    tpot_ms: float
    ttft_basis: str
    tpot_basis: str


def targets_for(w, a: Assumptions) -> Targets:
    """The workload's latency targets, or the assumptions' defaults (named as such)."""
    lt = w.latency
    ttft, tpot = lt.ttft_target_ms, lt.tpot_target_ms
    return Targets(ttft if ttft is not None else a.ttft_p95_ms, tpot if tpot is not None else a.tpot_p95_ms,
                   "workload latency" if ttft is not None else "assumption ttft_p95_ms (MLPerf Server)",
                   "workload latency" if tpot is not None else "assumption tpot_p95_ms (MLPerf Server)")


def load_sized(w, a: Assumptions) -> bool:
    """Designs are sized from load and latency unless the workload fixes ``utilization``."""
    return "utilization" not in (w.assumptions or {})


def peak_to_mean_for(w, a: Assumptions, tokens_per_day: float) -> float:
    """The peak-to-mean the engine sizes with: from ``requests_per_second`` when given (the busy-hour
    rate x tokens per request over the mean rate), else the workload's ``peak_to_mean``."""
    if w.requests_per_second is None:
        return float(w.peak_to_mean)
    i, o = _lengths(w, a)
    return peak_to_mean_of_rate(w.requests_per_second, i + o, tokens_per_day,
                                f"workloads[{w.name}].requests_per_second")


def peak_to_mean_of_rate(requests_per_second: float, tokens_per_request: float, tokens_per_day: float,
                         field: str) -> float:
    """Busy-hour tokens/s (``requests_per_second x tokens_per_request``) over the mean of the daily
    volume; a busy hour below the mean is refused (InputError naming ``field``).

    >>> peak_to_mean_of_rate(60, 1800, 2e6 * 1800, "x")
    2.592
    """
    mean_tok_s = tokens_per_day / 86400.0
    peak_tok_s = requests_per_second * tokens_per_request
    if not peak_tok_s >= mean_tok_s * (1 - 1e-9):
        raise InputError(f"{field}: {requests_per_second:g} requests/s x {tokens_per_request:,.0f} tokens = "
                         f"{peak_tok_s:,.0f} tokens/s is below the mean load {mean_tok_s:,.0f} tokens/s from the "
                         f"daily volume; the busy hour is at least the mean")
    return peak_tok_s / mean_tok_s


def size_one_design(d, a: Assumptions, tokens_per_day: float, requests_per_second: float | None = None) -> tuple[dict, dict]:
    """(engine overrides, sizing record) of one design sized for ``a``'s latency targets (the
    ``breakeven`` flags): the same :func:`size_for_load` the workload files use."""
    from openvclosed.decision.designs import design_inputs

    x = design_inputs([d], a)
    ptm = 1.0
    if requests_per_second is not None:
        i, o = lengths_from_mix(a.context_tokens, a.input_share)
        ptm = peak_to_mean_of_rate(requests_per_second, float(i + o), tokens_per_day, "--requests-per-second")
    x = x.replace(peak_to_mean=ptm)
    t = Targets(a.ttft_p95_ms, a.tpot_p95_ms, "--ttft-p95-ms" if "ttft_p95_ms" in a.model_fields_set else
                "assumption ttft_p95_ms (MLPerf Server)",
                "--tpot-p95-ms" if "tpot_p95_ms" in a.model_fields_set else "assumption tpot_p95_ms (MLPerf Server)")
    sz = size_for_load(x, tokens_per_day, t, a)
    if sz["why_not"][0]:
        raise InputError(f"--ttft-p95-ms / --tpot-p95-ms: {d.hardware} {d.model.id} {d.precision} cannot meet the "
                         f"targets: {sz['why_not'][0]}")
    if not sz["utilization"][0] > 0:
        raise InputError(f"--ttft-p95-ms / --tpot-p95-ms: {d.hardware} {d.model.id} {d.precision} does not fit")
    over = {"batch_cap": float(sz["batch_cap"][0]), "utilization": max(float(sz["utilization"][0]), 1e-3),
            "peak_to_mean": ptm}
    e = selfhost_design(x.replace(batch_cap=over["batch_cap"], utilization=over["utilization"]), tokens_per_day)
    p95 = ttft_p95_at_load_ms(sz, e, tokens_per_day, ptm, a.service_cv2)
    return over, sizing_record(sz, 0, t, e.take(0), tokens_per_day, ptm, a.service_cv2, float(p95[0]))


def _lengths(w, a: Assumptions) -> tuple[float, float]:
    if w.input_tokens is not None and w.output_tokens is not None:
        return float(w.input_tokens), float(w.output_tokens) * a.output_multiplier
    i, o = lengths_from_mix(a.context_tokens, a.input_share)
    return float(i), float(o)


def size_for_load(x, tokens_per_day: float, t: Targets, a: Assumptions) -> dict:
    """Per design (the leading axis of ``x``, a :class:`DesignInputs`): the batch cap and
    utilisation that meet ``t``, and why, as arrays and lists.

    Returns ``batch_cap``, ``utilization`` (nan where no batch meets the targets), ``batch``,
    ``tpot_ms``, ``ttft_unqueued_ms``, ``service_s`` (time a request holds a slot), ``limit`` (what
    stopped a larger batch: ``tpot``, ``ttft`` or ``memory``) and ``why_not`` (the figure that
    excludes a design, or "")."""
    cap0 = np.asarray(x.batch_cap, dtype=float)
    o_tok = np.where(np.isnan(np.asarray(x.output_tokens, dtype=float)),
                     lengths_from_mix(x.context_tokens, x.input_share)[1], np.asarray(x.output_tokens, dtype=float))
    evals = []
    for b in BATCH_GRID:
        e = selfhost_design(x.replace(batch_cap=np.minimum(cap0, float(b))), tokens_per_day)
        evals.append(e)
        if np.all(np.asarray(e.batch) < b):  # every design is at its own maximum
            break
    n = np.broadcast_shapes(np.shape(evals[0].batch))
    tpot = np.stack([np.broadcast_to(np.asarray(e.tpot_s, dtype=float), n) for e in evals])
    ttft0 = np.stack([np.broadcast_to(np.asarray(e.ttft_s, dtype=float), n) for e in evals])
    batch = np.stack([np.broadcast_to(np.asarray(e.batch, dtype=float), n) for e in evals])
    out_tps = np.stack([np.broadcast_to(np.asarray(e.output_tokens_per_s, dtype=float), n) for e in evals])
    fits = np.broadcast_to(np.asarray(evals[0].fits, dtype=bool), n)
    service = ttft0 + o_tok * tpot
    budget = t.ttft_ms / 1000.0 - ttft0
    pre = fits & (batch >= 1) & (tpot * 1000.0 <= t.tpot_ms) & (budget > 0) & np.isfinite(service)
    rho = np.zeros(pre.shape)
    if pre.any():  # the queueing only where a batch can meet the targets at all
        rho[pre] = max_utilization(batch[pre], service[pre], budget[pre], cs2=a.service_cv2)
    ok = pre & (rho > 0)
    served = np.where(ok, out_tps * rho, -np.inf)
    k = np.argmax(served, axis=0)
    idx = (k, np.arange(k.size)) if k.ndim else (k,)
    any_ok = ok.any(axis=0)
    pick = {name: arr[idx] for name, arr in (("tpot", tpot), ("ttft0", ttft0), ("batch", batch),
                                              ("rho", rho), ("service", service))}
    last = len(evals) - 1
    limit = []
    why = []
    for j in range(int(np.prod(n)) if n else 1):
        jj = (j,) if n else ()
        if not bool(fits[jj]) or batch[(0,) + jj] < 1:
            limit.append("memory")
            why.append("")
            continue
        if not bool(any_ok[jj]):
            limit.append("latency")
            t1, f1 = float(tpot[(0,) + jj]) * 1000.0, float(ttft0[(0,) + jj]) * 1000.0
            why.append(f"TPOT {t1:.0f} ms at batch 1 > {t.tpot_ms:g} ms target" if t1 > t.tpot_ms else
                       f"time to first token {f1:,.0f} ms at batch 1 without queueing >= {t.ttft_ms:g} ms target")
            continue
        kj = int(k[jj]) if n else int(k)
        nxt = kj + 1
        if nxt > last or batch[(nxt,) + jj] <= batch[(kj,) + jj]:
            limit.append("memory")
        elif not bool(ok[(nxt,) + jj]) and tpot[(nxt,) + jj] * 1000.0 > t.tpot_ms:
            limit.append("tpot")
        else:
            limit.append("ttft")
        why.append("")
    return {"service_s": pick["service"], "batch_cap": np.where(any_ok, np.asarray(BATCH_GRID[:len(evals)], dtype=float)[k], cap0),
            "utilization": np.where(any_ok, pick["rho"], math.nan), "batch": pick["batch"],
            "tpot_ms": pick["tpot"] * 1000.0, "ttft_unqueued_ms": pick["ttft0"] * 1000.0,
            "limit": limit, "why_not": why}


def ttft_p95_at_load_ms(sz: dict, e, T: float, ptm: float, cs2: float = 1.0) -> np.ndarray:
    """95th-percentile TTFT [ms] of every design at the busy hour's actual load (queueing included):
    the utilisation of its serving replicas, ``T x peak_to_mean / (replicas x full-load capacity)``,
    at most the cap the targets allow; nan where no batch meets the targets (vectorized)."""
    u = np.asarray(sz["utilization"], dtype=float)
    reps = np.asarray(e.replicas, dtype=float) - np.asarray(e.spare_replicas, dtype=float)
    full = np.asarray(e.capacity_tokens_per_day, dtype=float) / np.where(u > 0, u, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        peak = np.where((reps > 0) & np.isfinite(reps), T * ptm / (reps * full), np.nan)
    rho = np.minimum(peak, u)
    ok = np.isfinite(rho) & (rho > 0)
    out = np.full(u.shape, np.nan)
    if ok.any():
        b = np.asarray(sz["batch"], dtype=float)
        out[ok] = np.asarray(sz["ttft_unqueued_ms"])[ok] + 1000.0 * np.asarray(
            wait_quantile_s(b[ok], rho[ok] * b[ok], np.asarray(sz["service_s"])[ok], cs2=cs2))
    return out


def sizing_record(sz: dict, i: int, t: Targets, fig, T: float, ptm: float, cs2: float = 1.0,
                  p95_ms: float | None = None) -> dict:
    """What the result says about how design ``i`` was sized for load and latency."""
    u = float(sz["utilization"][i])
    rec = fixed_sizing_record(None, u, fig, T, ptm)
    b, ttft0 = float(sz["batch"][i]), float(sz["ttft_unqueued_ms"][i])
    peak = rec["utilization_peak"]
    p95 = p95_ms if p95_ms is not None and math.isfinite(p95_ms) else None
    if p95_ms is None and peak is not None and math.isfinite(u):  # at the busy hour's actual load, queueing included
        p95 = ttft0 + 1000.0 * float(wait_quantile_s(b, min(peak, u) * b, float(sz["service_s"][i]), cs2=cs2))
    rec.update(method="load", batch=b, utilization_peak_max=u if math.isfinite(u) else None,
               tpot_ms=float(sz["tpot_ms"][i]), ttft_unqueued_ms=ttft0, ttft_p95_ms=p95,
               ttft_target_ms=t.ttft_ms, tpot_target_ms=t.tpot_ms, ttft_target_basis=t.ttft_basis,
               tpot_target_basis=t.tpot_basis, limit=sz["limit"][i])
    return rec


def fixed_sizing_record(a, util: float, fig, T: float, ptm: float) -> dict:
    """The load a design's serving replicas run at, from the engine's evaluation: mean utilisation
    = mean tokens/s / (serving replicas x full-load tokens/s); at the peak x peak_to_mean."""
    reps = float(fig.replicas) - float(fig.spare_replicas)
    cap = float(fig.capacity_tokens_per_day)
    full = cap / util if util > 0 and math.isfinite(util) else math.nan
    mean = T / (reps * full) if reps > 0 and full > 0 and math.isfinite(reps) else None
    return {"method": "fixed" if a is not None else "load", "utilization_fixed": float(a.utilization) if a is not None else None,
            "peak_to_mean": ptm, "replicas_serving": reps if math.isfinite(reps) else None,
            "utilization_mean": mean, "utilization_peak": mean * ptm if mean is not None else None}
