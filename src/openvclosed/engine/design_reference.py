"""The design chain step by step: the readable reference :func:`openvclosed.engine.design.selfhost_design`
(the fused evaluation every command uses) is tested against bit for bit (tests/test_engine_fused.py,
benchmarks/bench_engine.py). Not on any command's path."""

from __future__ import annotations

import numpy as np

from openvclosed.engine.breakeven import selfhost_usd_per_day, staircase_replicas
from openvclosed.engine.capacity import replica_tokens_per_day
from openvclosed.engine.design import TP_CANDIDATES, DesignEval, DesignInputs, _costs
from openvclosed.engine.period import per_day_from_month
from openvclosed.engine.fit import kv_gb_per_token, max_concurrent_seqs, usable_vram_gb, weights_gb
from openvclosed.engine.throughput import allreduce_s, decode_step_s, decode_tokens_per_s, prefill_tokens_per_s

__all__ = ["reference_design"]


def _layout(x: DesignInputs, t: np.ndarray) -> dict:
    """Every quantity of one instance of tensor-parallel degree ``t`` (t broadcasts as the last axis)."""
    def ex(v):
        return np.asarray(v, dtype=float)[..., None]

    n = ex(x.n_gpus)
    params = ex(x.params_b)
    expert_p = ex(x.expert_params_b)
    dense_p = np.where(np.isnan(ex(x.dense_params_b)), params - expert_p, ex(x.dense_params_b))
    dense_gb = weights_gb(dense_p, ex(x.dense_bits))
    expert_gb = weights_gb(expert_p, ex(x.expert_bits))
    w = dense_gb + expert_gb
    kv_seq = kv_gb_per_token(ex(x.kv_elements_per_seq), ex(x.kv_bits))
    valid = (t <= n) & (np.mod(n, t) == 0)
    tp_given = ex(x.tp)
    valid &= np.where(np.isnan(tp_given), True, t == tp_given)
    usable = usable_vram_gb(ex(x.vram_gib), t, ex(x.vram_reserve_share))
    seqs = max_concurrent_seqs(usable, w, kv_seq, 1.0)
    seqs = np.where(valid, seqs, 0.0)
    fits = seqs >= 1
    batch = np.minimum(np.minimum(seqs, ex(x.max_batch)), ex(x.batch_cap))
    eff = ex(x.bandwidth_eff)
    low = ex(x.low_bit_eff)
    common = dict(dense_gb=dense_gb, expert_gb=expert_gb, experts_total=ex(x.experts_total),
                  experts_per_token=ex(x.experts_per_token), kv_gb_per_seq=kv_seq, active_params_b=ex(x.active_params_b),
                  tp=t, bandwidth_gb_s=ex(x.bandwidth_gb_s), tflops=ex(x.tflops),
                  bandwidth_eff=eff * np.where(ex(x.dense_bits) < 8, low, 1.0),
                  expert_bandwidth_eff=eff * np.where(ex(x.expert_bits) < 8, low, 1.0),
                  kv_bandwidth_eff=ex(x.kv_bandwidth_eff), mfu=ex(x.decode_mfu), layers=ex(x.layers),
                  step_overhead_s=ex(x.step_overhead_s), layer_overhead_s=ex(x.layer_overhead_s))
    comm1 = allreduce_s(1.0, t, ex(x.layers), ex(x.hidden_size), ex(x.link_gb_s), ex(x.link_latency_s))
    b = np.maximum(batch, 1.0)
    comm = allreduce_s(b, t, ex(x.layers), ex(x.hidden_size), ex(x.link_gb_s), ex(x.link_latency_s))
    step1 = decode_step_s(1.0, comm_s=comm1, **common)
    step = decode_step_s(b, comm_s=comm, **common)
    instances = np.where(valid, n / t, 0.0)
    single = np.where(fits, 1.0 / step1, 0.0)
    agg = np.where(fits, instances * decode_tokens_per_s(batch, step), 0.0)
    prefill = np.where(fits, instances * prefill_tokens_per_s(ex(x.active_params_b), t, ex(x.tflops),
                                                              ex(x.prefill_mfu)), 0.0)
    s_in = ex(x.input_share)
    # prefix caching: cached input tokens need no prefill (their KV is reused)
    s_prefill = s_in * (1.0 - ex(x.prefix_cached_share))
    modeled = replica_tokens_per_day(agg, prefill, s_in, ex(x.utilization), ex(x.hours_per_day),
                                     prefill_share=s_prefill)
    serving = fits & (batch >= 1)
    capacity = np.where(serving, modeled, 0.0)
    return dict(tp=np.broadcast_to(t, capacity.shape).astype(float), instances=instances, weights_gb=w,
                kv_gb_per_seq=kv_seq, usable_gb=usable, max_seqs=seqs, fits=fits, batch=batch, step_s=step,
                decode_tokens_per_s_single=single, decode_tokens_per_s=agg, prefill_tokens_per_s=prefill,
                capacity_tokens_per_day=capacity)


def reference_design(x: DesignInputs, tokens_per_day=0.0) -> DesignEval:
    """The chain step by step over a (designs x TP_CANDIDATES) grid, each step its own function:
    what :func:`selfhost_design` computes, kept as the readable reference it is tested against."""
    t = np.asarray(TP_CANDIDATES, dtype=float)
    lay = _layout(x, t)
    best = np.argmax(lay["capacity_tokens_per_day"] + lay["fits"] * 1e-9 - t * 1e-12, axis=-1)[..., None]
    pick = {k: np.take_along_axis(np.broadcast_to(v, lay["capacity_tokens_per_day"].shape), best, -1)[..., 0]
            for k, v in lay.items()}
    tps = np.asarray(x.tokens_per_s, dtype=float)
    capacity = pick["capacity_tokens_per_day"]
    if not (tps.ndim == 0 and np.isnan(tps)):
        measured = tps * 3600.0 * np.asarray(x.hours_per_day, dtype=float) * np.asarray(x.utilization, dtype=float)
        capacity = np.where(pick["fits"] & (pick["batch"] >= 1), np.where(np.isfinite(tps), measured, capacity), 0.0)
    tok = np.asarray(tokens_per_day, dtype=float)
    cap_mean = capacity / np.asarray(x.peak_to_mean, dtype=float)
    replicas = staircase_replicas(tok, cap_mean, x.spare_replicas)
    c = _costs(x)
    f = c["usd_per_day"]
    fixed = per_day_from_month(x.ops_team_usd_month, x.days_per_month)
    usd_per_day = selfhost_usd_per_day(tok, cap_mean, f, x.spare_replicas, fixed)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        usd_per_mtok = np.where(tok > 0, usd_per_day / (tok / 1e6), np.nan)
    out = dict(pick, capacity_tokens_per_day=capacity, capacity_mean_tokens_per_day=cap_mean, replicas=replicas,
               spare_replicas=np.asarray(x.spare_replicas, dtype=float), fixed_usd_per_day=fixed,
               capital_usd_per_day=c["capital"], host_usd_per_day=c["host"], energy_usd_per_day=c["energy"],
               ops_usd_per_day=c["ops"], rent_usd_per_day=c["rent"], replica_usd_per_day=f,
               capex_per_replica_usd=c["capex_usd"], running_usd_per_replica_day=c["running_usd_per_day"],
               usd_per_day=usd_per_day, usd_per_mtok=usd_per_mtok,
               days_per_month=np.asarray(x.days_per_month, dtype=float))
    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()))
    return DesignEval(**{k: np.broadcast_to(v, shape) for k, v in out.items()})
