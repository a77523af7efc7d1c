"""Whole self-hosting scenarios: fit -> throughput -> capacity -> cost, vectorized.

This chains the step modules so that one call evaluates any number of scenarios (every
argument broadcasts). The CLI, the decision layer and the benchmarks all go through it.
"""

from __future__ import annotations

import numpy as np

from openvclosed.engine.apicost import api_usd_per_day
from openvclosed.engine.breakeven import breakeven_tokens_per_day, payback_months
from openvclosed.engine.capacity import replica_tokens_per_day, replicas_needed
from openvclosed.engine.fit import kv_gb_per_token, max_concurrent_seqs, usable_vram_gb, weights_gb
from openvclosed.engine.throughput import decode_step_s, decode_tokens_per_s, prefill_tokens_per_s

__all__ = ["selfhost_scenario", "compare_with_api"]


def selfhost_scenario(tokens_per_day, params_b, active_params_b, kv_elements_per_token, weight_bits,
                      n_gpus, vram_gb, bandwidth_gb_s, tflops, tp_overhead, replica_usd_per_day, *,
                      input_share, context_tokens, kv_bits=16.0, vram_reserve_share=0.9, max_batch=256,
                      bandwidth_eff=0.7, decode_mfu=0.4, prefill_mfu=0.5, utilization=0.5,
                      hours_per_day=24.0, tokens_per_s=np.nan, batch_cap=np.inf):
    """Evaluate self-hosting scenarios; returns a dict of arrays (all broadcast together).

    Keys: ``weights_gb``, ``kv_gb_per_token``, ``kv_gb_per_seq``, ``usable_gb``, ``max_seqs``,
    ``fits`` (bool), ``batch`` (decode batch = min(max_seqs, max_batch)), ``step_s``,
    ``decode_tokens_per_s_single``, ``decode_tokens_per_s`` (aggregate at ``batch``),
    ``prefill_tokens_per_s``, ``capacity_tokens_per_day`` (one replica, the traffic mix),
    ``replicas``, ``usd_per_day``, ``usd_per_mtok``.

    A finite ``tokens_per_s`` (measured input+output tokens/s of one replica) replaces the
    roofline capacity: ``capacity = tokens_per_s x 3600 x hours_per_day x utilization``.
    ``batch_cap`` limits the decode batch further (e.g. a latency target, see
    :func:`~openvclosed.engine.throughput.latency_capped_batch`); a cap below 1 makes the
    scenario infeasible (``fits`` stays about memory; capacity becomes 0).
    Scenarios that do not fit get capacity 0 and, for positive traffic, replicas and cost ``inf``
    (no traffic costs nothing: nothing is deployed).
    """
    w = weights_gb(params_b, weight_bits)
    kv_tok = kv_gb_per_token(kv_elements_per_token, kv_bits)
    kv_seq = kv_tok * np.asarray(context_tokens, dtype=float)
    usable = usable_vram_gb(vram_gb, n_gpus, vram_reserve_share)
    seqs = max_concurrent_seqs(usable, w, kv_tok, context_tokens)
    fits = seqs >= 1
    batch = np.minimum(seqs, np.asarray(max_batch, dtype=float))
    cap = np.asarray(batch_cap, dtype=float)
    if not (cap.ndim == 0 and np.isinf(cap)):  # a latency cap somewhere
        batch = np.minimum(batch, cap)
    active_share = np.asarray(active_params_b, dtype=float) / np.asarray(params_b, dtype=float)
    common = dict(weights_gb=w, active_share=active_share, kv_gb_per_seq=kv_seq, active_params_b=active_params_b,
                  n_gpus=n_gpus, bandwidth_gb_s=bandwidth_gb_s, tflops=tflops, bandwidth_eff=bandwidth_eff,
                  mfu=decode_mfu, tp_overhead=tp_overhead)
    step1 = decode_step_s(1.0, **common)
    step = decode_step_s(np.maximum(batch, 1.0), **common)
    single = np.where(fits, 1.0 / step1, 0.0)
    agg = np.where(fits, decode_tokens_per_s(batch, step), 0.0)
    prefill = np.where(fits, prefill_tokens_per_s(active_params_b, n_gpus, tflops, prefill_mfu, tp_overhead), 0.0)
    modeled = replica_tokens_per_day(agg, prefill, input_share, utilization, hours_per_day)
    tps = np.asarray(tokens_per_s, dtype=float)
    if tps.ndim == 0 and np.isnan(tps):  # no measurement anywhere (the common case): skip that branch
        capacity = np.where(fits & (batch >= 1), modeled, 0.0)
    else:
        measured = tps * 3600.0 * np.asarray(hours_per_day, dtype=float) * np.asarray(utilization, dtype=float)
        capacity = np.where(fits & (batch >= 1), np.where(np.isfinite(tps), measured, modeled), 0.0)
    replicas = replicas_needed(tokens_per_day, capacity)
    f = np.asarray(replica_usd_per_day, dtype=float)
    usd_per_day = np.where(np.isfinite(replicas), replicas * f, np.inf)
    t = np.asarray(tokens_per_day, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        usd_per_mtok = np.where(t > 0, usd_per_day / (t / 1e6), np.nan)
    out = dict(weights_gb=w, kv_gb_per_token=kv_tok, kv_gb_per_seq=kv_seq, usable_gb=usable, max_seqs=seqs,
               fits=fits, batch=batch, step_s=step, decode_tokens_per_s_single=single, decode_tokens_per_s=agg,
               prefill_tokens_per_s=prefill, capacity_tokens_per_day=capacity, replicas=replicas,
               usd_per_day=usd_per_day, usd_per_mtok=usd_per_mtok)
    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()))
    return {k: np.broadcast_to(v, shape) for k, v in out.items()}


def compare_with_api(tokens_per_day, api_usd_per_mtok_, selfhost_usd_per_day, replica_usd_per_day,
                     capacity_tokens_per_day, replicas, capex_per_replica_usd, running_usd_per_replica_day,
                     days_per_month=365.25 / 12):
    """API against self-hosting at one volume; returns a dict of arrays.

    Keys: ``api_usd_per_day``, ``breakeven_tokens_per_day`` (``inf`` = never),
    ``payback_months`` (owned hardware: capex / monthly saving on running cost; ``inf`` =
    never; pass ``nan`` capex for rented), ``selfhost_cheaper`` (bool), ``saving_usd_per_month``
    (API minus self-host; negative when the API is cheaper).
    """
    api_day = api_usd_per_day(tokens_per_day, api_usd_per_mtok_)
    be = breakeven_tokens_per_day(replica_usd_per_day, capacity_tokens_per_day, api_usd_per_mtok_)
    reps = np.asarray(replicas, dtype=float)
    capex = reps * np.asarray(capex_per_replica_usd, dtype=float)
    running = reps * np.asarray(running_usd_per_replica_day, dtype=float) * days_per_month
    pb = payback_months(capex, api_day * days_per_month, running)
    pb = np.where(np.isnan(capex), np.nan, pb)
    sh = np.asarray(selfhost_usd_per_day, dtype=float)
    out = dict(api_usd_per_day=api_day, breakeven_tokens_per_day=be, payback_months=pb,
               selfhost_cheaper=sh < api_day, saving_usd_per_month=(api_day - sh) * days_per_month)
    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()))
    return {k: np.broadcast_to(v, shape) for k, v in out.items()}
