"""One design -> fit, throughput, capacity and cost: the single path every command prices with.

A *design* is hardware x model x precision x deployment (owned or rented) x assumptions.
:class:`DesignInputs` holds its inputs as arrays (one element per design, or a grid: every
field broadcasts), built once by the decision layer from catalog entries and assumptions.
:func:`selfhost_design` evaluates any number of designs at a volume and returns a
:class:`DesignEval` record with named fields: fit, throughput, capacity, whole replicas, and
each cost component per replica-day. breakeven, fit, recommend, check, usage reprice, sweep,
plot, horizon, Monte Carlo and sensitivity all call it; nothing else chains these steps.

Units are in the names: GB = 1e9 bytes, GiB = 2^30 bytes (GPU memory as the driver reports it),
parameters in billions (``_b``), TFLOPS, tokens/s, tokens/day, USD/day.
"""

from __future__ import annotations

import numpy as np

from openvclosed.engine.design_types import TP_CANDIDATES, DesignEval, DesignInputs
from openvclosed.engine.fit import GB_PER_GIB
from openvclosed.engine.breakeven import selfhost_usd_per_day, staircase_replicas
from openvclosed.engine.period import per_day_from_month
from openvclosed.engine.serving import lengths_from_mix, serving_point
from openvclosed.engine.tco import replica_costs

__all__ = ["DesignInputs", "DesignEval", "selfhost_design", "TP_CANDIDATES"]

def selfhost_design(x: DesignInputs, tokens_per_day=0.0) -> DesignEval:
    """Evaluate self-hosted designs at ``tokens_per_day`` [tokens/day, input + output].

    Notes
    -----
    The chain, each step its own function (see their docstrings for formulas and sources)::

        weights  = dense_params x dense_bits / 8 + expert_params x expert_bits / 8   fit.weights_gb
        KV/seq   = kv_elements_per_seq x kv_bits / 8                                  fit.kv_gb_per_token
        layout   = tp x pp GPUs per instance: the tp in TP_CANDIDATES that serves most (or --tp)
        seqs     = floor((tp x pp x vram x reserve - weights) / KV/seq)              per instance
        batch    = min(seqs, max_batch, batch_cap, concurrency / instances)
        serving  = steady state with chunked prefill: each step decodes ``batch`` tokens and
                   prefills batch x I(1 - cached)/O prompt tokens; weights (dense + touched
                   experts) + KV read, or compute, whichever is slower, + all-reduces +
                   overheads; pipeline stages in micro-batches        serving.serving_point
        C        = output_tokens_per_s / (1 - input_share) x 3600 x hours x utilization
                   (tokens/day, input + output; all-input traffic: the prefill rate)
                   (or tokens_per_s x 3600 x hours x utilization when measured)
        replicas = ceil(T x peak_to_mean / C) + spare machines             breakeven.staircase_replicas
        F        = capital + host + energy + ops + rent per machine                tco.replica_costs
        cost     = replicas x F + team per day;  usd_per_mtok = cost / (T / 1e6)  breakeven.selfhost_usd_per_day

    Designs that do not fit get capacity 0 and, for positive traffic, replicas and cost ``inf``
    (no traffic costs nothing: nothing is deployed).

    Examples
    --------
    Llama 3.1 8B at fp16 on one H100 (80 GiB, 3,350 GB/s, 989 TFLOPS), owned at $25,000:

    >>> x = DesignInputs(params_b=8.03, active_params_b=8.03, kv_elements_per_seq=131072 * 4096, n_gpus=1,
    ...                  vram_gib=80, bandwidth_gb_s=3350, tflops=989, gpu_tdp_w=700, gpu_usd=25000)
    >>> r = selfhost_design(x, 5e8)
    >>> bool(r.fits), float(r.tp), round(float(r.ops_usd_per_day * r.days_per_month), 6)
    (True, 1.0, 182.0)
    """
    return _fused(x, tokens_per_day)


def _arg(v):
    """A field as a float (0-d: a numpy float64, so scalar assumptions stay scalar and errstate holds) or an array."""
    a = np.asarray(v, dtype=float)
    return np.float64(a) if a.ndim == 0 else a


_FIELD_NAMES = None


def _fused(x: DesignInputs, tokens_per_day) -> DesignEval:
    """:func:`openvclosed.engine.design_reference.reference_design` fused (same formulas, same operation order, so the same floats):
    fields that are scalars stay scalars, terms that do not depend on the tensor-parallel degree
    are computed once, degrees no design can use are skipped (``tp > 1`` that divides no
    machine), and each degree's quantities replace the best so far in place."""
    global _FIELD_NAMES
    if _FIELD_NAMES is None:
        _FIELD_NAMES = DesignInputs.names()
    g = {k: _arg(getattr(x, k)) for k in _FIELD_NAMES}
    n = g["n_gpus"]
    shape = np.broadcast_shapes(*(np.shape(v) for v in g.values()), np.shape(tokens_per_day))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        params, expert_p, dense_in = g["params_b"], g["expert_params_b"], g["dense_params_b"]
        dense_p = np.where(np.isnan(dense_in), params - expert_p, dense_in)
        dense_gb = dense_p * g["dense_bits"] / 8.0
        expert_gb = expert_p * g["expert_bits"] / 8.0
        w = dense_gb + expert_gb
        kv_seq = g["kv_elements_per_seq"] * g["kv_bits"] / 8.0 / 1e9
        tp_given = g["tp"]
        env = _serving_env(g, dense_gb, expert_gb, w, kv_seq)
        flat = len(shape) == 1 and all(np.ndim(v) == 0 or np.shape(v) == shape for v in env.values())
        unit = n / g["pp"]  # GPUs a tp-way instance may use per pipeline
        best = None
        for t in TP_CANDIDATES:
            t = float(t)
            # unit mod t == 0 (t a power of two: unit / t is exact; inf and nan give nan, not 0)
            valid = (t <= unit) & ((unit - np.floor(unit / t) * t) == 0)
            if not (np.ndim(tp_given) == 0 and np.isnan(tp_given)):
                valid = valid & np.where(np.isnan(tp_given), True, t == tp_given)
            if np.ndim(valid) and valid.all():
                valid = True
            if best is None:  # tp = 1 comes first: every design, valid or not (argmax may pick it)
                cur, key = _candidate(t, env, valid)
                best = {k: np.array(np.broadcast_to(v, shape)) for k, v in cur.items()}
                best_key = np.array(np.broadcast_to(key, shape))
                continue
            if valid is not True and not np.any(valid):
                continue  # its key (-t x 1e-12) never beats tp = 1's
            if flat and valid is not True and np.ndim(valid) == 1:
                # where t is not valid, its key (-t x 1e-12) never beats tp = 1's: only the valid designs
                idx = np.flatnonzero(valid)
                sub = {k: (v[idx] if np.ndim(v) else v) for k, v in env.items()}
                cur, key = _candidate(t, sub, True)
                old = best_key[idx]
                take = (key > old) | (np.isnan(key) & ~np.isnan(old))
                if take.any():
                    at = idx[take]
                    for k, v in cur.items():
                        best[k][at] = v[take] if np.ndim(v) else v
                    best_key[at] = key[take]
                continue
            cur, key = _candidate(t, env, valid)
            # np.argmax over the degrees: the first maximum wins, a nan counts as the maximum
            take = (key > best_key) | (np.isnan(key) & ~np.isnan(best_key))
            if not take.any():
                continue
            for k, v in cur.items():
                np.copyto(best[k], v, where=take)
            np.copyto(best_key, key, where=take)
        pick = dict(best, weights_gb=w, kv_gb_per_seq=kv_seq, pp=g["pp"])
        tps = g["tokens_per_s"]
        capacity = pick["capacity_tokens_per_day"]
        if not (np.ndim(tps) == 0 and np.isnan(tps)):
            measured = tps * 3600.0 * g["hours_per_day"] * g["utilization"]
            capacity = np.where(pick["fits"] & (pick["batch"] >= 1), np.where(np.isfinite(tps), measured, capacity),
                                0.0)
        tok = np.asarray(tokens_per_day, dtype=float)
        cap_mean = capacity / g["peak_to_mean"]
        replicas = staircase_replicas(tok, cap_mean, g["spare_replicas"])
        c = _costs(x)
        f = c["usd_per_day"]
        fixed = per_day_from_month(g["ops_team_usd_month"], g["days_per_month"])
        usd_per_day = selfhost_usd_per_day(tok, cap_mean, f, g["spare_replicas"], fixed)
        usd_per_mtok = np.where(tok > 0, usd_per_day / (tok / 1e6), np.nan)
    out = dict(pick, capacity_tokens_per_day=capacity, capacity_mean_tokens_per_day=cap_mean, replicas=replicas,
               spare_replicas=np.asarray(g["spare_replicas"]), fixed_usd_per_day=fixed,
               capital_usd_per_day=c["capital"], host_usd_per_day=c["host"], energy_usd_per_day=c["energy"],
               ops_usd_per_day=c["ops"], rent_usd_per_day=c["rent"], replica_usd_per_day=f,
               capex_per_replica_usd=c["capex_usd"], running_usd_per_replica_day=c["running_usd_per_day"],
               resale_per_replica_usd=c["resale_usd"],
               usd_per_day=usd_per_day, usd_per_mtok=usd_per_mtok, days_per_month=np.asarray(g["days_per_month"]))
    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()))
    return DesignEval(**{k: np.broadcast_to(v, shape) for k, v in out.items()})


def _serving_env(g: dict, dense_gb, expert_gb, w, kv_seq) -> dict:
    """The per-design quantities every layout candidate needs (computed once, not per degree).

    Also the reference chain's (engine/design_reference.py): the one place the fields become the
    arguments of :func:`openvclosed.engine.serving.serving_point`."""
    eff, low = g["bandwidth_eff"], g["low_bit_eff"]
    s_in = g["input_share"]
    i_mix, o_mix = lengths_from_mix(g["context_tokens"], s_in)
    i_tok = np.where(np.isnan(g["input_tokens"]), i_mix, g["input_tokens"])
    o_tok = np.where(np.isnan(g["output_tokens"]), o_mix, g["output_tokens"])
    i_new = i_tok * (1.0 - g["prefix_cached_share"])  # prefix-cache hits need no prefill
    res = g["kv_reserved_elements_per_seq"]
    kv_res = np.where(np.isnan(res), kv_seq, res * g["kv_bits"] / 8.0 / 1e9)
    return dict(n=g["n_gpus"], vram=g["vram_gib"], reserve=g["vram_reserve_share"], w=w, kv_seq=kv_seq, kv_res=kv_res,
                adp=g["attention_dp"],
                max_batch=g["max_batch"], batch_cap=g["batch_cap"], conc=g["concurrency"], pp=g["pp"],
                dense_gb=dense_gb, expert_gb=expert_gb, e_tot=g["experts_total"], k_tok=g["experts_per_token"],
                # what a decode step reads of the dense weights: all but an untied input-embedding table, of
                # which each token looks up one row (vocab x hidden parameters stay in memory, unread)
                dense_read_gb=np.maximum(dense_gb - g["embedding_params_b"] * g["dense_bits"] / 8.0, 0.0),
                eff_d=eff * np.where(g["dense_bits"] < 8, low, 1.0),
                eff_e=eff * np.where(g["expert_bits"] < 8, low, 1.0), kv_eff=g["kv_bandwidth_eff"],
                bw=g["bandwidth_gb_s"], fl=g["tflops"], mfu=g["decode_mfu"], pf_mfu=g["prefill_mfu"],
                active=g["active_params_b"], layers=g["layers"], hidden=g["hidden_size"],
                step_oh=g["step_overhead_s"], layer_oh=g["layer_overhead_s"], link=g["link_gb_s"],
                lat=g["link_latency_s"], per_node=g["gpus_per_node"], node_link=g["node_link_gb_s"],
                node_lat=g["node_link_latency_s"], s_in=s_in, i_new=i_new, o_tok=o_tok, chunk=g["chunk_tokens"],
                seconds=3600.0 * g["hours_per_day"] * g["utilization"])


def _point(e: dict, t: float, b, i_new, o_tok, instances):
    """:func:`serving_point` of the designs in ``e`` at tensor-parallel degree ``t``: the links a
    ``t x pp`` instance uses (the node link when tp or the pipeline spans nodes)."""
    pp = e["pp"]
    cross_tp = t > e["per_node"]
    cross_pp = t * pp > e["per_node"]
    return serving_point(b, i_new, o_tok, chunk_tokens=e["chunk"], instances=instances,
                         hop_gb_s=np.where(cross_pp, e["node_link"], e["link"]),
                         hop_latency_s=np.where(cross_pp, e["node_lat"], e["lat"]),
                         dense_gb=e["dense_read_gb"], expert_gb=e["expert_gb"], experts_total=e["e_tot"],
                         experts_per_token=e["k_tok"], kv_gb_per_seq=e["kv_seq"], active_params_b=e["active"],
                         layers=e["layers"], hidden_size=e["hidden"], tp=t, pp=pp, bandwidth_gb_s=e["bw"],
                         tflops=e["fl"], bandwidth_eff=e["eff_d"], expert_bandwidth_eff=e["eff_e"],
                         kv_bandwidth_eff=e["kv_eff"], decode_mfu=e["mfu"], prefill_mfu=e["pf_mfu"],
                         step_overhead_s=e["step_oh"], layer_overhead_s=e["layer_oh"], attention_dp=e["adp"],
                         link_gb_s=np.where(cross_tp, np.minimum(e["link"], e["node_link"]), e["link"]),
                         link_latency_s=np.where(cross_tp, np.maximum(e["lat"], e["node_lat"]), e["lat"]))


def _candidate(t: float, e: dict, valid):
    """One instance layout of tensor-parallel degree ``t`` (times ``pp`` pipeline stages) for the
    designs in ``e``: memory fit, the serving point at the designs' load, capacity, and the
    selection key (the most tokens/day; ties to the smaller degree)."""
    n, pp = e["n"], e["pp"]
    g = t * pp
    usable = g * e["vram"] * GB_PER_GIB * e["reserve"]
    ranks = np.where(e["adp"] > 0, t, 1.0)  # attention data-parallel: every GPU holds the dense weights
    free = np.maximum(usable - (e["w"] + (ranks - 1.0) * e["dense_gb"]), 0.0)
    kv_seq = e["kv_res"]
    seqs = np.where(kv_seq > 0, np.floor(free / np.where(kv_seq > 0, kv_seq, 1.0)), np.where(free > 0, np.inf, 0.0))
    if valid is not True:
        seqs = np.where(valid, seqs, 0.0)
    fits = seqs >= 1
    instances = n / g if valid is True else np.where(valid, n / g, 0.0)
    conc = e["conc"]
    per_inst = np.where(np.isnan(conc), np.inf, conc / np.where(instances > 0, instances, 1.0))
    batch = np.minimum(np.minimum(np.minimum(seqs, e["max_batch"] * ranks), e["batch_cap"]), per_inst)
    b = np.maximum(batch, 1.0)
    sp = _point(e, t, b, e["i_new"], e["o_tok"], instances)
    one = _point(e, t, 1.0, 0.0, 1.0, 1.0)
    single = np.where(fits, 1.0 / one["tpot_s"], 0.0)
    out = np.where(fits & (batch > 0), sp["output_tokens_per_s"] * np.where(batch > 0, batch / b, 0.0), 0.0)
    prefill = np.where(fits, sp["prefill_tokens_per_s"], 0.0)
    s_in = e["s_in"]
    modeled = np.where(s_in < 1, out / np.where(s_in < 1, 1.0 - s_in, 1.0), prefill) * e["seconds"]
    capacity = np.where(fits & (batch >= 1), modeled, 0.0)
    key = capacity + fits * 1e-9 - t * 1e-12
    return dict(tp=t, instances=instances, usable_gb=usable, max_seqs=seqs, fits=fits, batch=batch,
                step_s=sp["tpot_s"], decode_tokens_per_s_single=single, decode_tokens_per_s=out,
                prefill_tokens_per_s=prefill, capacity_tokens_per_day=capacity, output_tokens_per_s=out,
                tpot_s=np.where(fits, sp["tpot_s"], np.nan), ttft_s=np.where(fits, sp["ttft_s"], np.nan)), key


def _costs(x: DesignInputs) -> dict:
    """:func:`openvclosed.engine.tco.replica_costs` of the designs (the one formula of a replica's cost)."""
    return replica_costs(x.n_gpus, rented=x.rented, gpu_usd=x.gpu_usd, gpu_hour_usd=x.gpu_hour_usd,
                         host_usd_per_gpu=x.host_usd_per_gpu, rate=x.rate, amortize_years=x.amortize_years,
                         gpu_tdp_w=x.gpu_tdp_w, power_draw_share=x.power_draw_share,
                         host_w_per_gpu=x.host_w_per_gpu, pue=x.pue, electricity_usd_kwh=x.electricity_usd_kwh,
                         ops_usd_month=x.ops_usd_month, hours_per_day=x.hours_per_day,
                         days_per_month=x.days_per_month, gpu_price_factor=x.gpu_price_factor,
                         system_w_per_gpu=x.system_w_per_gpu, residual_share=x.residual_share)
