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

import dataclasses
from dataclasses import dataclass, field, fields

import numpy as np

from openvclosed.engine.defaults import DEFAULTS
from openvclosed.engine.fit import GB_PER_GIB
from openvclosed.engine.breakeven import selfhost_usd_per_day, staircase_replicas
from openvclosed.engine.period import per_day_from_month, per_month_from_day
from openvclosed.engine.tco import replica_costs

__all__ = ["DesignInputs", "DesignEval", "selfhost_design", "TP_CANDIDATES"]

_D = DEFAULTS


def _d(name):
    return field(default=_D[name])


TP_CANDIDATES = (1, 2, 4, 8)
"""Tensor-parallel degrees tried inside a machine; the rest of its GPUs run further instances
(powers of two, in increasing order: the fused evaluation relies on both)."""


@dataclass(frozen=True)
class DesignInputs:
    """Inputs of one or many self-hosted designs; every field is a number or an array (broadcasts).

    A design is one *machine* of ``n_gpus`` GPUs (the unit bought or rented, called a replica in
    the output); inside it the model runs as ``n_gpus / tp`` instances of ``tp``-way tensor
    parallelism, ``tp`` chosen for the most capacity unless given.

    Model: ``params_b`` (total), ``active_params_b`` (per token), ``dense_params_b`` and
    ``expert_params_b`` (routed experts over all MoE layers) with their bits, ``experts_total``
    and ``experts_per_token`` (0 for dense models), ``kv_elements_per_seq`` (K, V and recurrent
    state elements one sequence holds at the assumed context, over all layers), ``layers``,
    ``hidden_size`` (for tensor-parallel traffic). Hardware: ``vram_gib`` per GPU,
    ``bandwidth_gb_s``, ``tflops`` (dense tensor rate used), ``link_gb_s`` and
    ``link_latency_s`` of the GPU-GPU link, ``gpu_tdp_w``, ``system_w_per_gpu`` (nan = TDP plus
    ``host_w_per_gpu``). Prices: ``gpu_usd`` (purchase per GPU), ``gpu_hour_usd``, ``rented``.
    Serving engine: the efficiencies and overheads of :mod:`openvclosed.engine.profiles`. The
    rest are assumptions with the defaults of :data:`openvclosed.engine.defaults.DEFAULTS`.
    ``tokens_per_s`` (nan = model it) is a measured input+output rate of one machine;
    ``batch_cap`` a further cap on each instance's decode batch (latency target; ``inf`` = none).
    Sizing: replicas = ``ceil(T x peak_to_mean / capacity) + spare_replicas``; the deployment
    also pays ``ops_team_usd_month`` once (a team, not per replica) whenever it carries traffic.
    """

    params_b: object
    active_params_b: object
    kv_elements_per_seq: object
    n_gpus: object
    vram_gib: object
    bandwidth_gb_s: object
    tflops: object
    dense_params_b: object = np.nan   # nan: all parameters are dense
    expert_params_b: object = 0.0
    dense_bits: object = 16.0
    expert_bits: object = 16.0
    experts_total: object = 0.0
    experts_per_token: object = 0.0
    layers: object = 32.0
    hidden_size: object = np.nan
    tp: object = np.nan               # nan: choose the best of TP_CANDIDATES
    link_gb_s: object = 25.0
    link_latency_s: object = 25e-6
    gpu_tdp_w: object = np.nan
    system_w_per_gpu: object = np.nan
    gpu_usd: object = np.nan
    gpu_hour_usd: object = np.nan
    rented: object = False
    input_share: object = _d("input_share")
    prefix_cached_share: object = 0.0
    context_tokens: object = _d("context_tokens")
    kv_bits: object = _d("kv_bits")
    vram_reserve_share: object = _d("vram_reserve_share")
    max_batch: object = _d("max_batch")
    bandwidth_eff: object = _d("bandwidth_eff")
    kv_bandwidth_eff: object = _d("kv_bandwidth_eff")
    low_bit_eff: object = _d("low_bit_eff")
    decode_mfu: object = _d("decode_mfu")
    prefill_mfu: object = _d("prefill_mfu")
    step_overhead_s: object = _d("step_overhead_s")
    layer_overhead_s: object = _d("layer_overhead_s")
    utilization: object = _d("utilization")
    hours_per_day: object = _d("hours_per_day")
    days_per_month: object = _d("days_per_month")
    tokens_per_s: object = np.nan
    batch_cap: object = np.inf
    host_usd_per_gpu: object = _d("host_usd_per_gpu")
    host_w_per_gpu: object = _d("host_w_per_gpu")
    power_draw_share: object = _d("power_draw_share")
    pue: object = _d("pue")
    electricity_usd_kwh: object = _d("electricity_usd_kwh")
    ops_usd_month: object = _d("ops_usd_month")
    ops_team_usd_month: object = 0.0  # fixed people cost of the deployment (not per replica), USD/month
    spare_replicas: object = 0.0      # replicas beyond the volume's (N+1 for an uptime target)
    peak_to_mean: object = 1.0        # replicas are sized for T x peak_to_mean
    rate: object = _d("rate")
    amortize_years: object = _d("amortize_years")
    gpu_price_factor: object = _d("gpu_price_factor")

    def replace(self, **changes) -> "DesignInputs":
        """A copy with some fields replaced (e.g. arrays of Monte Carlo draws)."""
        return dataclasses.replace(self, **changes)

    def take(self, index) -> "DesignInputs":
        """The designs at ``index`` (fields that are arrays are indexed, scalars kept)."""
        return dataclasses.replace(self, **{f.name: (np.asarray(v)[index] if np.ndim(v) else v)
                                            for f in fields(self) for v in [getattr(self, f.name)]})

    @staticmethod
    def names() -> tuple[str, ...]:
        return tuple(f.name for f in fields(DesignInputs))


@dataclass(frozen=True)
class DesignEval:
    """What :func:`selfhost_design` returns: arrays broadcast to one shape, named by unit.

    Layout: ``tp`` (tensor-parallel degree of one instance), ``instances`` per machine. Fit (per
    instance): ``weights_gb``, ``kv_gb_per_seq``, ``usable_gb``, ``max_seqs``, ``fits``, ``batch``.
    Throughput: ``step_s``, ``decode_tokens_per_s_single`` (one stream), ``decode_tokens_per_s``
    (aggregate of the machine at ``batch`` per instance), ``prefill_tokens_per_s`` (machine).
    Capacity: ``capacity_tokens_per_day`` (one machine = one replica, the traffic mix),
    ``capacity_mean_tokens_per_day`` (the mean volume one replica carries when sized for the peak:
    capacity / peak_to_mean), ``replicas`` (whole machines for the volume, spares included),
    ``spare_replicas``; ``fixed_usd_per_day`` (the team cost, once per deployment). Cost of one replica per day by component (``capital``, ``host``, ``energy``,
    ``ops``, ``rent``: ``*_usd_per_day``), ``replica_usd_per_day`` (their sum),
    ``capex_per_replica_usd`` (nan when rented), ``running_usd_per_replica_day``; totals for the
    volume: ``usd_per_day``, ``usd_per_mtok``; and ``days_per_month`` for monthly figures.
    """

    tp: np.ndarray
    instances: np.ndarray
    weights_gb: np.ndarray
    kv_gb_per_seq: np.ndarray
    usable_gb: np.ndarray
    max_seqs: np.ndarray
    fits: np.ndarray
    batch: np.ndarray
    step_s: np.ndarray
    decode_tokens_per_s_single: np.ndarray
    decode_tokens_per_s: np.ndarray
    prefill_tokens_per_s: np.ndarray
    capacity_tokens_per_day: np.ndarray
    capacity_mean_tokens_per_day: np.ndarray
    replicas: np.ndarray
    spare_replicas: np.ndarray
    capital_usd_per_day: np.ndarray
    host_usd_per_day: np.ndarray
    energy_usd_per_day: np.ndarray
    ops_usd_per_day: np.ndarray
    rent_usd_per_day: np.ndarray
    replica_usd_per_day: np.ndarray
    capex_per_replica_usd: np.ndarray
    running_usd_per_replica_day: np.ndarray
    fixed_usd_per_day: np.ndarray
    usd_per_day: np.ndarray
    usd_per_mtok: np.ndarray
    days_per_month: np.ndarray

    @property
    def usd_per_month(self) -> np.ndarray:
        return per_month_from_day(self.usd_per_day, self.days_per_month)

    @property
    def replica_usd_per_month(self) -> np.ndarray:
        return per_month_from_day(self.replica_usd_per_day, self.days_per_month)

    def parts_usd_per_replica_day(self, index=()) -> dict[str, float]:
        """The cost components of one design as floats (``index`` into the arrays)."""
        return {k: float(np.asarray(getattr(self, f"{k}_usd_per_day"))[index])
                for k in ("capital", "host", "energy", "ops", "rent")}

    def take(self, index) -> "DesignEval":
        """The designs at ``index`` (an int gives 0-d arrays: one design's evaluation)."""
        return DesignEval(**{f.name: np.asarray(getattr(self, f.name))[index] if np.ndim(getattr(self, f.name))
                             else np.asarray(getattr(self, f.name)) for f in fields(self)})

    def at(self, index) -> dict[str, float]:
        """Every field of one design as a plain float (bool for ``fits``)."""
        out = {}
        for f in fields(self):
            v = np.asarray(getattr(self, f.name))[index]
            out[f.name] = bool(v) if f.name == "fits" else float(v)
        return out


def selfhost_design(x: DesignInputs, tokens_per_day=0.0) -> DesignEval:
    """Evaluate self-hosted designs at ``tokens_per_day`` [tokens/day, input + output].

    Notes
    -----
    The chain, each step its own function (see their docstrings for formulas and sources)::

        weights  = dense_params x dense_bits / 8 + expert_params x expert_bits / 8   fit.weights_gb
        KV/seq   = kv_elements_per_seq x kv_bits / 8                                  fit.kv_gb_per_token
        layout   = tp-way instances inside the machine: the tp in (1, 2, 4, 8) that serves most
        seqs     = floor((tp x vram x reserve - weights) / KV/seq)                     per instance
        batch    = min(seqs, max_batch, batch_cap)
        step     = weights read (dense + touched experts) + KV read, or compute, whichever is
                   slower, + all-reduces + per-step and per-layer overheads        throughput.decode_step_s
        C        = tokens/day one machine serves in the traffic mix (prefill of uncached input
                   and decode share the machine's time)                         capacity.replica_tokens_per_day
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
    (True, 1.0, 1000.0)
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
        eff, low = g["bandwidth_eff"], g["low_bit_eff"]
        eff_d = eff * np.where(g["dense_bits"] < 8, low, 1.0)
        eff_e = eff * np.where(g["expert_bits"] < 8, low, 1.0)
        e_tot, k_tok = g["experts_total"], g["experts_per_token"]
        moe = bool(np.any(np.asarray(e_tot) > 0))
        layers = g["layers"]
        fixed = g["step_overhead_s"] + layers * g["layer_overhead_s"]
        hidden = g["hidden_size"]
        s_in = g["input_share"]
        s_prefill = s_in * (1.0 - g["prefix_cached_share"])
        seconds = 3600.0 * g["hours_per_day"] * g["utilization"]
        dense_term = dense_gb / eff_d
        moe_env = {}
        if moe:
            moe_env = dict(e_tot=e_tot, log_keep=np.log1p(-np.where(e_tot > 0, k_tok / e_tot, 0.0)),
                           expert_gb=expert_gb, eff_e=eff_e)
            if np.ndim(e_tot) and np.isfinite(e_tot).all():
                # where E <= 0, min(touched, E) / 1 is finite (touched = E x -expm1(-0.0) = +-0), so
                # multiplying by the mask gives np.where's 0 (+-0, and 0.0 + -0.0 = 0.0 below)
                moe_env.update(e_safe=np.where(e_tot > 0, e_tot, 1.0), pos=e_tot > 0)
            zero_experts = None
        else:  # dense: no routed expert is read (the term is 0 unless the inputs are not finite)
            zero_experts = (0.0 + expert_gb * 0.0) / eff_e
            if not np.any(zero_experts != 0) and not np.any(np.isnan(zero_experts)):
                zero_experts = None
        env = dict(moe_env, n=n, tp_given=tp_given, vram=g["vram_gib"], reserve=g["vram_reserve_share"], w=w,
                   kv_seq=kv_seq, max_batch=g["max_batch"], batch_cap=g["batch_cap"], dense_term=dense_term,
                   kv_eff=g["kv_bandwidth_eff"], bw=g["bandwidth_gb_s"], fl=g["tflops"], mfu=g["decode_mfu"],
                   layers=layers, fixed=fixed, hidden_ok=np.isfinite(hidden), hidden=hidden, link=g["link_gb_s"], lat=g["link_latency_s"],
                   cmp_num1=2.0 * g["active_params_b"] * 1e9, s_in=s_in, s_prefill=s_prefill, seconds=seconds,
                   pf_mfu=g["prefill_mfu"], pf_den=2.0 * g["active_params_b"] * 1e9)
        if zero_experts is not None:
            env["zero_experts"] = zero_experts
        env["mem1"] = _mem_terms(env, 1.0)
        env["kv_pos"] = bool(np.all(kv_seq > 0))
        flat = len(shape) == 1 and all(np.ndim(v) == 0 or np.shape(v) == shape for v in env.values())
        best = None
        for t in TP_CANDIDATES:
            t = float(t)
            # n mod t == 0 (t a power of two: n / t is exact; inf and nan give nan, not 0)
            valid = (t <= n) & ((n - np.floor(n / t) * t) == 0)
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
        pick = dict(best, weights_gb=w, kv_gb_per_seq=kv_seq)
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
               usd_per_day=usd_per_day, usd_per_mtok=usd_per_mtok, days_per_month=np.asarray(g["days_per_month"]))
    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()))
    return DesignEval(**{k: np.broadcast_to(v, shape) for k, v in out.items()})


def _mem_terms(e: dict, b):
    """Bytes-over-efficiency terms of one decode step at batch ``b`` (before dividing by tp x bandwidth)."""
    if "e_tot" in e:
        e_tot = e["e_tot"]
        touched = e_tot * -np.expm1(b * e["log_keep"])
        if "e_safe" in e:  # every count finite: where(pos, min(touched, E) / E, 0) as a product
            share = np.minimum(touched, e_tot) / e["e_safe"] * e["pos"]
        else:
            pos = e_tot > 0
            share = _where(pos, _where(pos, np.minimum(touched, e_tot), 0.0) / e_tot, 0.0)
        m = e["dense_term"] + (0.0 + e["expert_gb"] * share) / e["eff_e"]
    elif "zero_experts" in e:
        m = e["dense_term"] + e["zero_experts"]
    else:
        m = e["dense_term"]
    return m + b * e["kv_seq"] / e["kv_eff"]


def _where(c, x, y):
    """``np.where(c, x, y)`` (the same floats), cheaper: a scalar condition picks one side, a
    condition true or false everywhere picks one array, and ``y = 0`` with ``x`` finite and
    non-negative is ``x x c`` (a random mask makes np.where ~7x slower than a multiplication)."""
    if np.ndim(c) == 0:
        return x if c else y
    if c.all():
        return np.where(c, x, y) if np.ndim(x) < c.ndim else x
    if not c.any():
        return np.where(c, x, y) if np.ndim(y) < c.ndim else y
    if isinstance(y, float) and y == 0.0 and np.ndim(x) == c.ndim and np.shape(x) == c.shape:
        lo, hi = np.min(x), np.max(x)  # nan propagates: then the test fails
        if lo >= 0.0 and hi < np.inf:
            return x * c
    return np.where(c, x, y)


def _candidate(t: float, e: dict, valid):
    """One instance layout of tensor-parallel degree ``t`` for the designs in ``e``: the fields of
    :func:`_layout` and the selection key, in the same operation order (so the same floats)."""
    n = e["n"]
    usable = t * e["vram"] * GB_PER_GIB * e["reserve"]
    free = np.maximum(usable - e["w"], 0.0)
    kv_seq = e["kv_seq"]
    if e["kv_pos"]:
        seqs = np.floor(free / kv_seq)
    else:
        seqs = _where(kv_seq > 0, np.floor(free / kv_seq), _where(free > 0, np.inf, 0.0))
    if valid is not True:
        seqs = _where(valid, seqs, 0.0)
    fits = seqs >= 1
    batch = np.minimum(np.minimum(seqs, e["max_batch"]), e["batch_cap"])
    b = np.maximum(batch, 1.0)
    tbw = t * e["bw"]
    fixed = e["fixed"]
    if t > 1:
        two_n, hidden, hidden_ok, link, lat = 2.0 * e["layers"], e["hidden"], e["hidden_ok"], e["link"], e["lat"]
        bytes1 = _where(hidden_ok, 1.0 * hidden * 2.0 * 2.0 * (t - 1.0) / t, 0.0)
        comm1 = two_n * (lat + _where(bytes1 > 0, bytes1 / (link * 1e9), 0.0))
        bytes_ = _where(hidden_ok, b * hidden * 2.0 * 2.0 * (t - 1.0) / t, 0.0)
        comm = two_n * (lat + _where(bytes_ > 0, bytes_ / (link * 1e9), 0.0))
        step1 = np.maximum(e["mem1"] / tbw, e["cmp_num1"] * 1.0 / (t * e["fl"] * 1e12 * e["mfu"])) + comm1 + fixed
        step = np.maximum(_mem_terms(e, b) / tbw, e["cmp_num1"] * b / (t * e["fl"] * 1e12 * e["mfu"])) + comm + fixed
    else:  # no all-reduce (+ 0.0 changes no float)
        cmp_den = t * e["fl"] * 1e12 * e["mfu"]
        step1 = np.maximum(e["mem1"] / tbw, e["cmp_num1"] * 1.0 / cmp_den) + fixed
        step = np.maximum(_mem_terms(e, b) / tbw, e["cmp_num1"] * b / cmp_den) + fixed
    instances = n / t if valid is True else _where(valid, n / t, 0.0)
    single = _where(fits, 1.0 / step1, 0.0)
    agg = _where(fits, instances * _where(batch > 0, batch / step, 0.0), 0.0)
    prefill = _where(fits, instances * (t * e["fl"] * 1e12 * e["pf_mfu"] / e["pf_den"]), 0.0)
    s_in, s_p = e["s_in"], e["s_prefill"]
    sec = _where(s_p > 0, s_p / prefill, 0.0) + _where(s_in < 1, (1.0 - s_in) / agg, 0.0)
    modeled = _where(sec > 0, e["seconds"] / sec, np.inf)
    capacity = _where(fits & (batch >= 1), modeled, 0.0)
    key = capacity + fits * 1e-9 - t * 1e-12
    return dict(tp=t, instances=instances, usable_gb=usable, max_seqs=seqs, fits=fits, batch=batch, step_s=step,
                decode_tokens_per_s_single=single, decode_tokens_per_s=agg, prefill_tokens_per_s=prefill,
                capacity_tokens_per_day=capacity), key


def _costs(x: DesignInputs) -> dict:
    """:func:`openvclosed.engine.tco.replica_costs` of the designs (the one formula of a replica's cost)."""
    return replica_costs(x.n_gpus, rented=x.rented, gpu_usd=x.gpu_usd, gpu_hour_usd=x.gpu_hour_usd,
                         host_usd_per_gpu=x.host_usd_per_gpu, rate=x.rate, amortize_years=x.amortize_years,
                         gpu_tdp_w=x.gpu_tdp_w, power_draw_share=x.power_draw_share,
                         host_w_per_gpu=x.host_w_per_gpu, pue=x.pue, electricity_usd_kwh=x.electricity_usd_kwh,
                         ops_usd_month=x.ops_usd_month, hours_per_day=x.hours_per_day,
                         days_per_month=x.days_per_month, gpu_price_factor=x.gpu_price_factor,
                         system_w_per_gpu=x.system_w_per_gpu)
