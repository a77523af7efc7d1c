"""Independent scalar reference for the cost engine (pure Python, ``math`` only, no numpy).

Written from the formulas in the docstrings of ``openvclosed.engine`` (not by calling it), one
scenario at a time, so that the vectorized engine can be checked element by element against
something obviously correct. Units follow the engine: GB = 1e9 bytes, GPU VRAM in GiB,
params in 1e9, TFLOPS, USD.
"""

from __future__ import annotations

import math

INF = math.inf
NAN = math.nan
GIB_IN_GB = 2**30 / 1e9  # 1 GiB = 1.073741824 GB
DAYS_PER_YEAR = 365.0


def api_usd_per_mtok(p_in, p_out, s_in, p_cached=None, cached_share=0.0, batch_share=0.0, batch_discount=0.0):
    """(s_in*((1-c)*p_in + c*p_cached) + (1-s_in)*p_out) * (1 - batch_share*batch_discount)."""
    if p_cached is None or math.isnan(p_cached):
        p_cached = p_in  # no caching: cached tokens cost the input price
    price_of_input = (1 - cached_share) * p_in + cached_share * p_cached
    return (s_in * price_of_input + (1 - s_in) * p_out) * (1 - batch_share * batch_discount)


def capital_recovery_factor(rate, years):
    """r (1+r)^n / ((1+r)^n - 1); 1/n at r = 0."""
    if rate == 0:
        return 1 / years
    g = (1 + rate) ** years
    return rate * g / (g - 1)


def _tp(n_gpus, tp_overhead):
    return 1 + tp_overhead * (n_gpus - 1)


def _decode_step(batch, w_gb, active_share, kv_seq_gb, active_b, n, bw, tflops, bw_eff, mfu, tp_overhead):
    share = min(max(active_share, 0.0), 1.0)
    weights_read = w_gb * (1 - (1 - share) ** batch)  # MoE: experts touched by `batch` tokens
    t_mem = (weights_read + batch * kv_seq_gb) / (n * bw * bw_eff)
    t_cmp = 2 * active_b * 1e9 * batch / (n * tflops * 1e12 * mfu)
    return max(t_mem, t_cmp) * _tp(n, tp_overhead)


def selfhost_scenario(tokens_per_day, params_b, active_params_b, kv_elements_per_token, weight_bits, n_gpus,
                      vram_gb, bandwidth_gb_s, tflops, tp_overhead, replica_usd_per_day, *, input_share,
                      context_tokens, kv_bits=16.0, vram_reserve_share=0.9, max_batch=256, bandwidth_eff=0.7,
                      decode_mfu=0.4, prefill_mfu=0.5, utilization=0.5, hours_per_day=24.0, tokens_per_s=NAN):
    """One self-hosting scenario; same keys as the engine's ``selfhost_scenario``."""
    # fit
    w = params_b * weight_bits / 8  # GB
    kv_tok = kv_elements_per_token * kv_bits / 8 / 1e9  # GB per token
    kv_seq = kv_tok * context_tokens
    usable = vram_gb * GIB_IN_GB * n_gpus * vram_reserve_share
    free = max(usable - w, 0.0)
    if kv_seq > 0:
        seqs = float(math.floor(free / kv_seq))
    else:
        seqs = INF if free > 0 else 0.0
    fits = seqs >= 1
    batch = min(seqs, float(max_batch))
    # throughput
    args = (w, active_params_b / params_b, kv_seq, active_params_b, n_gpus, bandwidth_gb_s, tflops,
            bandwidth_eff, decode_mfu, tp_overhead)
    step = _decode_step(max(batch, 1.0), *args)
    if fits:
        single = 1 / _decode_step(1.0, *args)
        agg = batch / step if batch > 0 else 0.0
        prefill = n_gpus * tflops * 1e12 * prefill_mfu / (2 * active_params_b * 1e9) / _tp(n_gpus, tp_overhead)
    else:
        single = agg = prefill = 0.0
    # capacity of one replica [tokens/day]
    seconds = 3600 * hours_per_day * utilization
    if not fits:
        capacity = 0.0
    elif math.isfinite(tokens_per_s):
        capacity = tokens_per_s * seconds
    else:
        sec_per_token = 0.0
        if input_share > 0:
            sec_per_token += input_share / prefill
        if input_share < 1:
            sec_per_token += (1 - input_share) / agg
        capacity = seconds / sec_per_token if sec_per_token > 0 else INF
    # replicas and cost
    if tokens_per_day <= 0:
        replicas = 0.0
    elif capacity > 0:
        replicas = float(math.ceil(tokens_per_day / capacity))
    else:
        replicas = INF
    usd_per_day = replicas * replica_usd_per_day if math.isfinite(replicas) else INF
    usd_per_mtok = usd_per_day / (tokens_per_day / 1e6) if tokens_per_day > 0 else NAN
    return dict(weights_gb=w, kv_gb_per_token=kv_tok, kv_gb_per_seq=kv_seq, usable_gb=usable, max_seqs=seqs,
                fits=fits, batch=batch, step_s=step, decode_tokens_per_s_single=single, decode_tokens_per_s=agg,
                prefill_tokens_per_s=prefill, capacity_tokens_per_day=capacity, replicas=replicas,
                usd_per_day=usd_per_day, usd_per_mtok=usd_per_mtok)


def breakeven_tokens_per_day(replica_usd_per_day, capacity_tokens_per_day, usd_per_mtok):
    """T* = F / a (a = price / 1e6) if self-hosting ever wins (F/C < a), else inf."""
    a = usd_per_mtok / 1e6
    if a > 0 and replica_usd_per_day < a * capacity_tokens_per_day:
        return replica_usd_per_day / a
    return INF


def compare_with_api(tokens_per_day, usd_per_mtok, selfhost_usd_per_day, replica_usd_per_day,
                     capacity_tokens_per_day, replicas, capex_per_replica_usd, running_usd_per_replica_day,
                     days_per_month=365.25 / 12):
    """One comparison; same keys as the engine's ``compare_with_api``."""
    api_day = tokens_per_day / 1e6 * usd_per_mtok
    capex = replicas * capex_per_replica_usd
    saving_month = api_day * days_per_month - replicas * running_usd_per_replica_day * days_per_month
    if math.isnan(capex):
        payback = NAN  # rented hardware: no purchase to pay back
    elif saving_month > 0:
        payback = capex / saving_month
    else:
        payback = INF
    return dict(api_usd_per_day=api_day,
                breakeven_tokens_per_day=breakeven_tokens_per_day(replica_usd_per_day, capacity_tokens_per_day,
                                                                  usd_per_mtok),
                payback_months=payback, selfhost_cheaper=selfhost_usd_per_day < api_day,
                saving_usd_per_month=(api_day - selfhost_usd_per_day) * days_per_month)
