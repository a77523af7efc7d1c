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
from openvclosed.engine.serving import lengths_from_mix, serving_point
from openvclosed.engine.tco import replica_costs

__all__ = ["DesignInputs", "DesignEval", "selfhost_design", "TP_CANDIDATES"]

_D = DEFAULTS


def _d(name):
    return field(default=_D[name])


TP_CANDIDATES = (1, 2, 4, 8, 16)
"""Tensor-parallel degrees tried inside a machine; the rest of its GPUs run further instances
(powers of two, in increasing order: the fused evaluation relies on both). 16 only on machines
of 16 GPUs or more (two nodes of 8: the all-reduce then crosses the node link)."""


@dataclass(frozen=True)
class DesignInputs:
    """Inputs of one or many self-hosted designs; every field is a number or an array (broadcasts).

    A design is one *machine* of ``n_gpus`` GPUs (the unit bought or rented, called a replica in
    the output); inside it the model runs as ``n_gpus / (tp x pp)`` instances of ``tp``-way tensor
    parallelism and ``pp`` pipeline stages, ``tp`` chosen for the most capacity unless given.
    ``concurrency`` (requests in flight on the machine, spread over the instances) caps each
    instance's batch; nan runs every instance fully loaded (memory, ``max_batch``, ``batch_cap``).
    A machine of several nodes has ``gpus_per_node`` GPUs per node joined by ``node_link_gb_s``.

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
    pp: object = 1.0                  # pipeline stages per instance (multi-node: one per node)
    link_gb_s: object = 25.0
    link_latency_s: object = 25e-6
    gpus_per_node: object = np.inf    # GPUs on one node's GPU-GPU link (inf: the machine is one node)
    node_link_gb_s: object = 50.0     # per-GPU link between nodes (400 Gb/s InfiniBand)
    node_link_latency_s: object = 10e-6
    concurrency: object = np.nan      # requests in flight on the whole machine (nan: fully loaded)
    input_tokens: object = np.nan     # prompt tokens per request (nan: from context and input share)
    output_tokens: object = np.nan    # output tokens per request (nan: from context and input share)
    chunk_tokens: object = 8192.0     # prompt tokens prefilled per step at most (engine's chunked-prefill size)
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
    ops_team_usd_month: object = 0.0  # people cost of the deployment, once [USD/month] (the decision passes it)
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

    Layout: ``tp`` (tensor-parallel degree of one instance), ``pp`` (its pipeline stages),
    ``instances`` per machine. Serving (:func:`openvclosed.engine.serving.serving_point` at the
    designs' lengths and load): ``output_tokens_per_s`` of the machine, ``tpot_s``, ``ttft_s``
    (nan where the design does not fit). Fit (per
    instance): ``weights_gb``, ``kv_gb_per_seq``, ``usable_gb``, ``max_seqs``, ``fits``, ``batch``.
    Throughput: ``step_s`` (= TPOT), ``decode_tokens_per_s_single`` (one stream, no prefill),
    ``decode_tokens_per_s`` (= ``output_tokens_per_s``: the machine at ``batch`` per instance,
    prompts prefilled in the same steps), ``prefill_tokens_per_s`` (machine, prefill only).
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
    pp: np.ndarray
    output_tokens_per_s: np.ndarray
    tpot_s: np.ndarray
    ttft_s: np.ndarray
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
    return dict(n=g["n_gpus"], vram=g["vram_gib"], reserve=g["vram_reserve_share"], w=w, kv_seq=kv_seq,
                max_batch=g["max_batch"], batch_cap=g["batch_cap"], conc=g["concurrency"], pp=g["pp"],
                dense_gb=dense_gb, expert_gb=expert_gb, e_tot=g["experts_total"], k_tok=g["experts_per_token"],
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
                         dense_gb=e["dense_gb"], expert_gb=e["expert_gb"], experts_total=e["e_tot"],
                         experts_per_token=e["k_tok"], kv_gb_per_seq=e["kv_seq"], active_params_b=e["active"],
                         layers=e["layers"], hidden_size=e["hidden"], tp=t, pp=pp, bandwidth_gb_s=e["bw"],
                         tflops=e["fl"], bandwidth_eff=e["eff_d"], expert_bandwidth_eff=e["eff_e"],
                         kv_bandwidth_eff=e["kv_eff"], decode_mfu=e["mfu"], prefill_mfu=e["pf_mfu"],
                         step_overhead_s=e["step_oh"], layer_overhead_s=e["layer_oh"],
                         link_gb_s=np.where(cross_tp, np.minimum(e["link"], e["node_link"]), e["link"]),
                         link_latency_s=np.where(cross_tp, np.maximum(e["lat"], e["node_lat"]), e["lat"]))


def _candidate(t: float, e: dict, valid):
    """One instance layout of tensor-parallel degree ``t`` (times ``pp`` pipeline stages) for the
    designs in ``e``: memory fit, the serving point at the designs' load, capacity, and the
    selection key (the most tokens/day; ties to the smaller degree)."""
    n, pp = e["n"], e["pp"]
    g = t * pp
    usable = g * e["vram"] * GB_PER_GIB * e["reserve"]
    free = np.maximum(usable - e["w"], 0.0)
    kv_seq = e["kv_seq"]
    seqs = np.where(kv_seq > 0, np.floor(free / np.where(kv_seq > 0, kv_seq, 1.0)), np.where(free > 0, np.inf, 0.0))
    if valid is not True:
        seqs = np.where(valid, seqs, 0.0)
    fits = seqs >= 1
    instances = n / g if valid is True else np.where(valid, n / g, 0.0)
    conc = e["conc"]
    per_inst = np.where(np.isnan(conc), np.inf, conc / np.where(instances > 0, instances, 1.0))
    batch = np.minimum(np.minimum(np.minimum(seqs, e["max_batch"]), e["batch_cap"]), per_inst)
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
                         system_w_per_gpu=x.system_w_per_gpu)
