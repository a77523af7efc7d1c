"""The records of the design chain: :class:`DesignInputs` (inputs of one or many self-hosted designs)
and :class:`DesignEval` (what :func:`openvclosed.engine.design.selfhost_design` returns), with the
tensor-parallel degrees tried. Plain data; the chain itself is :mod:`openvclosed.engine.design`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields

import numpy as np

from openvclosed.engine.defaults import DEFAULTS
from openvclosed.engine.period import per_month_from_day

__all__ = ["DesignInputs", "DesignEval", "TP_CANDIDATES"]

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
    ``attention_dp`` 1 runs attention data-parallel on each of an instance's ``tp`` GPUs (each
    holds the dense weights and its own sequences, up to ``max_batch`` each) and the routed
    experts expert-parallel (split over the GPUs); ``kv_reserved_elements_per_seq`` is the KV an
    engine that reserves a request's whole length sets aside per sequence (nan: the mean's).

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
    embedding_params_b: object = 0.0  # input-embedding parameters a step looks up one row of, not reads [1e9]
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
    attention_dp: object = 0.0        # 1: attention data-parallel over an instance's tp GPUs, experts expert-parallel
    kv_reserved_elements_per_seq: object = np.nan  # KV elements the engine reserves per sequence (nan: the mean's)
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
    residual_share: object = 0.0      # GPU resale at the end of amortize_years / purchase price (the decision passes it)

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
    ``capex_per_replica_usd`` (nan when rented), ``running_usd_per_replica_day``,
    ``resale_per_replica_usd`` (the GPUs' resale at the end of amortisation; 0 rented); totals for the
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
    resale_per_replica_usd: np.ndarray
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
