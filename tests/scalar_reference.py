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


TP_CANDIDATES = (1, 2, 4, 8, 16)


def _touched(batch, experts, k):
    """E (1 - (1 - k/E)^B): distinct experts a batch routes to (0 for dense)."""
    if experts <= 0:
        return 0.0
    return min(experts * (1.0 - (1.0 - k / experts) ** batch), experts)


def _links(t, f):
    """(tp link GB/s, tp latency, hop GB/s, hop latency): the node link where tp or the pipeline spans nodes."""
    per_node, pp = f["gpus_per_node"], f["pp"]
    link, lat = f["link_gb_s"], f["link_latency_s"]
    nl, nlat = f["node_link_gb_s"], f["node_link_latency_s"]
    tp_link = (min(link, nl), max(lat, nlat)) if t > per_node else (link, lat)
    hop = (nl, nlat) if t * pp > per_node else (link, lat)
    return tp_link + hop


def _stage(b, prompt, t, f, dense_gb, expert_gb, kv_seq):
    """One pipeline stage's forward pass: b sequences decoding, ``prompt`` prompt tokens prefilled."""
    pp = f["pp"]
    tok = b + prompt
    g = t * pp
    eff_d = f["bandwidth_eff"] * (f["low_bit_eff"] if f["dense_bits"] < 8 else 1.0)
    eff_e = f["bandwidth_eff"] * (f["low_bit_eff"] if f["expert_bits"] < 8 else 1.0)
    e = f["experts_total"]
    experts_read = expert_gb * (_touched(tok, e, f["experts_per_token"]) / e if e > 0 else 0.0)
    t_mem = (dense_gb / eff_d + experts_read / eff_e + b * kv_seq / f["kv_bandwidth_eff"]) / (g * f["bandwidth_gb_s"])
    t_cmp = 2 * f["active_params_b"] * 1e9 * (b / f["decode_mfu"] + (prompt / f["prefill_mfu"] if prompt > 0 else 0.0)) \
        / (g * f["tflops"] * 1e12)
    link, lat, _, _ = _links(t, f)
    lay = f["layers"] / pp
    h = f["hidden_size"]
    comm = 0.0
    if t > 1:
        bytes_ = 0.0 if math.isnan(h) else tok * h * 2 * 2 * (t - 1) / t
        comm = 2 * lay * (lat + (bytes_ / (link * 1e9) if bytes_ > 0 else 0.0))
    # fmax: a nan term (no cited TFLOPS) is left out
    t_max = t_mem if math.isnan(t_cmp) else (t_cmp if math.isnan(t_mem) else max(t_mem, t_cmp))
    return t_max + comm + f["step_overhead_s"] + lay * f["layer_overhead_s"]


def _tpot(batch, i_new, o_tok, t, f, dense_gb, expert_gb, kv_seq):
    """(TPOT, TTFT): pp x (decode step + the share of chunk steps + stage-to-stage hop)."""
    pp = f["pp"]
    b = max(batch / pp, min(batch, 1.0))
    chunk = min(f["chunk_tokens"], b * i_new)
    t_dec = _stage(b, 0.0, t, f, dense_gb, expert_gb, kv_seq)
    t_chunk = _stage(b, chunk, t, f, dense_gb, expert_gb, kv_seq)
    share = b * i_new / chunk / o_tok if chunk > 0 and o_tok > 0 else 0.0
    _, _, hop_link, hop_lat = _links(t, f)
    h = f["hidden_size"]
    hop = 0.0
    if pp > 1:
        hop = hop_lat + (0.0 if math.isnan(h) else b * h * 2) / (hop_link * 1e9)
    ttft = pp * (max(i_new / chunk if chunk > 0 else 1.0, 1.0) * t_chunk + hop)
    return pp * (t_dec + share * (t_chunk - t_dec) + hop), ttft


def _instance(t, f):
    """Every quantity of one layout of tp-degree t (a dict), as the engine's docstrings define it."""
    n, pp = f["n_gpus"], f["pp"]
    unit = n / pp
    valid = t <= unit and unit % t == 0 and (math.isnan(f["tp"]) or t == f["tp"])
    expert_p = f["expert_params_b"]
    dense_p = f["params_b"] - expert_p if math.isnan(f["dense_params_b"]) else f["dense_params_b"]
    dense_gb, expert_gb = dense_p * f["dense_bits"] / 8, expert_p * f["expert_bits"] / 8
    w = dense_gb + expert_gb
    kv_seq = f["kv_elements_per_seq"] * f["kv_bits"] / 8 / 1e9
    usable = f["vram_gib"] * GIB_IN_GB * t * pp * f["vram_reserve_share"]
    free = max(usable - w, 0.0)
    if not valid:
        seqs = 0.0
    elif kv_seq > 0:
        seqs = float(math.floor(free / kv_seq))
    else:
        seqs = INF if free > 0 else 0.0
    fits = seqs >= 1
    instances = n / (t * pp) if valid else 0.0
    conc = f["concurrency"]
    per_inst = INF if math.isnan(conc) else conc / (instances if instances > 0 else 1.0)
    batch = min(seqs, f["max_batch"], f["batch_cap"], per_inst)
    s_in = f["input_share"]
    total = 2 * f["context_tokens"] / (1 + s_in)  # I + O from I + O/2 = context and I / (I + O) = s_in
    i_tok = total * s_in if math.isnan(f["input_tokens"]) else f["input_tokens"]
    o_tok = total * (1 - s_in) if math.isnan(f["output_tokens"]) else f["output_tokens"]
    i_new = i_tok * (1 - f["prefix_cached_share"])
    tpot, ttft = _tpot(max(batch, 1.0), i_new, o_tok, t, f, dense_gb, expert_gb, kv_seq)
    prefill_one = t * f["tflops"] * 1e12 * f["prefill_mfu"] / (2 * f["active_params_b"] * 1e9)
    if fits:
        single = 1 / _tpot(1.0, 0.0, 1.0, t, f, dense_gb, expert_gb, kv_seq)[0]
        out = instances * batch / tpot if batch > 0 else 0.0
        prefill = instances * pp * prefill_one
    else:
        single = out = prefill = 0.0
        ttft = NAN
    seconds = 3600 * f["hours_per_day"] * f["utilization"]
    if fits and batch >= 1:
        capacity = (out / (1 - s_in) if s_in < 1 else prefill) * seconds
    else:
        capacity = 0.0
    return dict(tp=float(t), instances=instances, weights_gb=w, kv_gb_per_seq=kv_seq, usable_gb=usable, max_seqs=seqs,
                fits=fits, batch=batch, step_s=tpot, decode_tokens_per_s_single=single, decode_tokens_per_s=out,
                prefill_tokens_per_s=prefill, capacity_tokens_per_day=capacity, output_tokens_per_s=out,
                tpot_s=tpot if fits else NAN, ttft_s=ttft)


def selfhost_design(tokens_per_day, **f):
    """One design, every field given by name (the engine's DesignInputs), replica cost as rent
    (``n x gpu_hour_usd x hours``, no people cost): the best layout, capacity, replicas, cost."""
    best, key = None, -INF
    for t in TP_CANDIDATES:
        r = _instance(t, f)
        k = r["capacity_tokens_per_day"] + (1e-9 if r["fits"] else 0.0) - t * 1e-12
        if k > key:
            best, key = r, k
    capacity = best["capacity_tokens_per_day"]
    tps = f["tokens_per_s"]
    if not math.isnan(tps) and best["fits"] and best["batch"] >= 1:
        capacity = tps * 3600 * f["hours_per_day"] * f["utilization"]
    if tokens_per_day <= 0:
        replicas = 0.0
    elif capacity > 0:
        replicas = float(math.ceil(tokens_per_day / capacity))
    else:
        replicas = INF
    f_day = f["n_gpus"] * f["gpu_hour_usd"] * f["hours_per_day"]
    usd_per_day = 0.0 if replicas == 0 else (replicas * f_day if math.isfinite(replicas) else INF)
    usd_per_mtok = usd_per_day / (tokens_per_day / 1e6) if tokens_per_day > 0 else NAN
    return dict(best, capacity_tokens_per_day=capacity, replicas=replicas, replica_usd_per_day=f_day,
                usd_per_day=usd_per_day, usd_per_mtok=usd_per_mtok)


def breakeven_tokens_per_day(replica_usd_per_day, capacity_tokens_per_day, usd_per_mtok, spare=0.0, fixed=0.0,
                             max_steps=10**6):
    """The volume above which ceil(T/C) x F (+ spare x F + fixed) < a T everywhere, by scanning the
    steps: step k ((k-1) C, k C] loses up to x_k = ((k + s) F + K) / a if x_k > (k-1) C; the
    break-even is the end of the last losing part (inf when a full replica costs >= a C)."""
    f, c, a = replica_usd_per_day, capacity_tokens_per_day, usd_per_mtok / 1e6
    if not (a > 0 and c > 0 and math.isfinite(c)) or f >= a * c:
        return INF
    last = 0.0
    for k in range(1, max_steps):
        x = ((k + spare) * f + fixed) / a
        if x > (k - 1) * c:          # this step loses somewhere
            last = min(x, k * c)
        elif a * (k - 1) * c >= (k + spare) * f + fixed:  # won whole, and so is every later step
            return last
    raise AssertionError("scan did not end")


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
                selfhost_usd_per_day=selfhost_usd_per_day,
                saving_usd_per_month=(api_day - selfhost_usd_per_day) * days_per_month
                if math.isfinite(selfhost_usd_per_day) else -INF)
