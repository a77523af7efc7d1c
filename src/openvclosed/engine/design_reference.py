"""The design chain step by step: the readable reference :func:`openvclosed.engine.design.selfhost_design`
(the fused evaluation every command uses) is tested against bit for bit (tests/test_engine_fused.py,
benchmarks/bench_engine.py): every layout over a (designs x TP_CANDIDATES) grid, then argmax.
The throughput itself is one function for both, :func:`openvclosed.engine.serving.serving_point`
(through ``design._point``, which picks the links): the reference differs in how the layouts
are searched, not in the formulas. Not on any command's path."""

from __future__ import annotations

import numpy as np

from openvclosed.engine.breakeven import selfhost_usd_per_day, staircase_replicas
from openvclosed.engine.design import TP_CANDIDATES, DesignEval, DesignInputs, _costs, _point, _serving_env
from openvclosed.engine.fit import kv_gb_per_token, max_concurrent_seqs, usable_vram_gb, weights_gb
from openvclosed.engine.period import per_day_from_month

__all__ = ["reference_design"]


def _layout(x: DesignInputs, t: np.ndarray) -> dict:
    """Every quantity of one instance of tensor-parallel degree ``t`` (t broadcasts as the last axis)."""
    g = {k: np.asarray(getattr(x, k), dtype=float)[..., None] for k in DesignInputs.names() if k != "rented"}
    n, pp = g["n_gpus"], g["pp"]
    dense_p = np.where(np.isnan(g["dense_params_b"]), g["params_b"] - g["expert_params_b"], g["dense_params_b"])
    dense_gb = weights_gb(dense_p, g["dense_bits"])
    expert_gb = weights_gb(g["expert_params_b"], g["expert_bits"])
    w = dense_gb + expert_gb
    kv_seq = kv_gb_per_token(g["kv_elements_per_seq"], g["kv_bits"])
    unit = n / pp
    valid = (t <= unit) & (np.mod(unit, t) == 0)
    valid &= np.where(np.isnan(g["tp"]), True, t == g["tp"])
    usable = usable_vram_gb(g["vram_gib"], t * pp, g["vram_reserve_share"])
    e = _serving_env(g, dense_gb, expert_gb, w, kv_seq)
    ranks = np.where(g["attention_dp"] > 0, t, 1.0)  # attention data-parallel ranks of one instance
    seqs = np.where(valid, max_concurrent_seqs(usable, w + (ranks - 1.0) * dense_gb, e["kv_res"], 1.0), 0.0)
    fits = seqs >= 1
    instances = np.where(valid, n / (t * pp), 0.0)
    conc = g["concurrency"]
    per_inst = np.where(np.isnan(conc), np.inf, conc / np.where(instances > 0, instances, 1.0))
    batch = np.minimum(np.minimum(np.minimum(seqs, g["max_batch"] * ranks), g["batch_cap"]), per_inst)
    b = np.maximum(batch, 1.0)
    sp = _point(e, t, b, e["i_new"], e["o_tok"], instances)  # serving.serving_point at the load
    one = _point(e, t, 1.0, 0.0, 1.0, 1.0)                     # one stream, no prefill
    out = np.where(fits & (batch > 0), sp["output_tokens_per_s"] * np.where(batch > 0, batch / b, 0.0), 0.0)
    prefill = np.where(fits, sp["prefill_tokens_per_s"], 0.0)
    s_in = e["s_in"]
    modeled = np.where(s_in < 1, out / np.where(s_in < 1, 1.0 - s_in, 1.0), prefill) * e["seconds"]
    capacity = np.where(fits & (batch >= 1), modeled, 0.0)
    return dict(tp=np.broadcast_to(t, capacity.shape).astype(float), instances=instances, weights_gb=w,
                kv_gb_per_seq=kv_seq, usable_gb=usable, max_seqs=seqs, fits=fits, batch=batch, step_s=sp["tpot_s"],
                decode_tokens_per_s_single=np.where(fits, 1.0 / one["tpot_s"], 0.0), decode_tokens_per_s=out,
                prefill_tokens_per_s=prefill, capacity_tokens_per_day=capacity, output_tokens_per_s=out,
                tpot_s=np.where(fits, sp["tpot_s"], np.nan), ttft_s=np.where(fits, sp["ttft_s"], np.nan),
                pp=np.broadcast_to(pp, capacity.shape))


def reference_design(x: DesignInputs, tokens_per_day=0.0) -> DesignEval:
    """The chain step by step over a (designs x TP_CANDIDATES) grid, each step its own function:
    what :func:`selfhost_design` computes, kept as the readable reference it is tested against."""
    t = np.asarray(TP_CANDIDATES, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
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
               resale_per_replica_usd=c["resale_usd"],
               usd_per_day=usd_per_day, usd_per_mtok=usd_per_mtok,
               days_per_month=np.asarray(x.days_per_month, dtype=float))
    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()))
    return DesignEval(**{k: np.broadcast_to(v, shape) for k, v in out.items()})
