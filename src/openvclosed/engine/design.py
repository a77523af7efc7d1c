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

from openvclosed.engine.capacity import replica_tokens_per_day, replicas_needed
from openvclosed.engine.defaults import DEFAULTS
from openvclosed.engine.fit import kv_gb_per_token, max_concurrent_seqs, usable_vram_gb, weights_gb
from openvclosed.engine.period import per_month_from_day
from openvclosed.engine.tco import replica_costs
from openvclosed.engine.throughput import decode_step_s, decode_tokens_per_s, prefill_tokens_per_s

__all__ = ["DesignInputs", "DesignEval", "selfhost_design"]

_D = DEFAULTS


def _d(name):
    return field(default=_D[name])


@dataclass(frozen=True)
class DesignInputs:
    """Inputs of one or many self-hosted designs; every field is a number or an array (broadcasts).

    Model: ``params_b`` (total), ``active_params_b`` (per token), ``kv_elements_per_token`` (K and
    V elements cached per token over all layers), ``weight_bits``. Hardware: ``n_gpus`` per
    replica, ``vram_gib`` per GPU, ``bandwidth_gb_s``, ``tflops`` (dense tensor rate used),
    ``tp_overhead`` (step time added per extra GPU in tensor parallel), ``gpu_tdp_w``. Prices:
    ``gpu_usd`` (purchase per GPU), ``gpu_hour_usd`` (rent per GPU-hour), ``rented`` (bool).
    The rest are assumptions with the defaults of :data:`openvclosed.engine.defaults.DEFAULTS`.
    ``tokens_per_s`` (nan = model it) is a measured input+output rate of one replica;
    ``batch_cap`` a further cap on the decode batch (latency target; ``inf`` = none).
    """

    params_b: object
    active_params_b: object
    kv_elements_per_token: object
    weight_bits: object
    n_gpus: object
    vram_gib: object
    bandwidth_gb_s: object
    tflops: object
    tp_overhead: object
    gpu_tdp_w: object = np.nan
    gpu_usd: object = np.nan
    gpu_hour_usd: object = np.nan
    rented: object = False
    input_share: object = _d("input_share")
    context_tokens: object = _d("context_tokens")
    kv_bits: object = _d("kv_bits")
    vram_reserve_share: object = _d("vram_reserve_share")
    max_batch: object = _d("max_batch")
    bandwidth_eff: object = _d("bandwidth_eff")
    decode_mfu: object = _d("decode_mfu")
    prefill_mfu: object = _d("prefill_mfu")
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

    Fit: ``weights_gb``, ``kv_gb_per_token``, ``kv_gb_per_seq``, ``usable_gb``, ``max_seqs``,
    ``fits``, ``batch``. Throughput: ``step_s``, ``decode_tokens_per_s_single``,
    ``decode_tokens_per_s`` (aggregate at ``batch``), ``prefill_tokens_per_s``. Capacity:
    ``capacity_tokens_per_day`` (one replica, the traffic mix), ``replicas`` (whole, for the
    volume). Cost of one replica per day by component (``capital``, ``host``, ``energy``,
    ``ops``, ``rent``: ``*_usd_per_day``), ``replica_usd_per_day`` (their sum),
    ``capex_per_replica_usd`` (nan when rented), ``running_usd_per_replica_day``; totals for the
    volume: ``usd_per_day``, ``usd_per_mtok``; and ``days_per_month`` for monthly figures.
    """

    weights_gb: np.ndarray
    kv_gb_per_token: np.ndarray
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
    replicas: np.ndarray
    capital_usd_per_day: np.ndarray
    host_usd_per_day: np.ndarray
    energy_usd_per_day: np.ndarray
    ops_usd_per_day: np.ndarray
    rent_usd_per_day: np.ndarray
    replica_usd_per_day: np.ndarray
    capex_per_replica_usd: np.ndarray
    running_usd_per_replica_day: np.ndarray
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

        weights  = params x bits / 8                                   fit.weights_gb
        KV/seq   = kv_elements x kv_bits / 8 x context                 fit.kv_gb_per_token
        seqs     = floor((n x vram x reserve - weights) / KV/seq)      fit.max_concurrent_seqs
        batch    = min(seqs, max_batch, batch_cap)
        step     = decode step time at batch                           throughput.decode_step_s
        C        = tokens/day one replica serves in the traffic mix    capacity.replica_tokens_per_day
                   (or tokens_per_s x 3600 x hours x utilization when measured)
        replicas = ceil(T / C)                                         capacity.replicas_needed
        F        = capital + host + energy + ops + rent per replica    tco.replica_costs
        cost     = replicas x F per day;  usd_per_mtok = cost / (T / 1e6)

    Designs that do not fit get capacity 0 and, for positive traffic, replicas and cost ``inf``
    (no traffic costs nothing: nothing is deployed).

    Examples
    --------
    Llama 3.1 8B at fp16 on one H100 (80 GiB, 3,350 GB/s, 989 TFLOPS), owned at $25,000:

    >>> x = DesignInputs(params_b=8.03, active_params_b=8.03, kv_elements_per_token=131072, weight_bits=16,
    ...                  n_gpus=1, vram_gib=80, bandwidth_gb_s=3350, tflops=989, tp_overhead=0.05,
    ...                  gpu_tdp_w=700, gpu_usd=25000)
    >>> r = selfhost_design(x, 5e8)
    >>> bool(r.fits), float(r.replicas), round(float(r.ops_usd_per_day * r.days_per_month), 6)
    (True, 3.0, 1000.0)
    """
    w = weights_gb(x.params_b, x.weight_bits)
    kv_tok = kv_gb_per_token(x.kv_elements_per_token, x.kv_bits)
    kv_seq = kv_tok * np.asarray(x.context_tokens, dtype=float)
    usable = usable_vram_gb(x.vram_gib, x.n_gpus, x.vram_reserve_share)
    seqs = max_concurrent_seqs(usable, w, kv_tok, x.context_tokens)
    fits = seqs >= 1
    batch = np.minimum(seqs, np.asarray(x.max_batch, dtype=float))
    cap = np.asarray(x.batch_cap, dtype=float)
    if not (cap.ndim == 0 and np.isinf(cap)):  # a latency cap somewhere
        batch = np.minimum(batch, cap)
    active_share = np.asarray(x.active_params_b, dtype=float) / np.asarray(x.params_b, dtype=float)
    common = dict(weights_gb=w, active_share=active_share, kv_gb_per_seq=kv_seq, active_params_b=x.active_params_b,
                  n_gpus=x.n_gpus, bandwidth_gb_s=x.bandwidth_gb_s, tflops=x.tflops, bandwidth_eff=x.bandwidth_eff,
                  mfu=x.decode_mfu, tp_overhead=x.tp_overhead)
    step1 = decode_step_s(1.0, **common)
    step = decode_step_s(np.maximum(batch, 1.0), **common)
    single = np.where(fits, 1.0 / step1, 0.0)
    agg = np.where(fits, decode_tokens_per_s(batch, step), 0.0)
    prefill = np.where(fits, prefill_tokens_per_s(x.active_params_b, x.n_gpus, x.tflops, x.prefill_mfu,
                                                  x.tp_overhead), 0.0)
    modeled = replica_tokens_per_day(agg, prefill, x.input_share, x.utilization, x.hours_per_day)
    tps = np.asarray(x.tokens_per_s, dtype=float)
    serving = fits & (batch >= 1)
    if tps.ndim == 0 and np.isnan(tps):  # no measurement anywhere (the common case)
        capacity = np.where(serving, modeled, 0.0)
    else:
        measured = tps * 3600.0 * np.asarray(x.hours_per_day, dtype=float) * np.asarray(x.utilization, dtype=float)
        capacity = np.where(serving, np.where(np.isfinite(tps), measured, modeled), 0.0)
    replicas = replicas_needed(tokens_per_day, capacity)
    c = replica_costs(x.n_gpus, rented=x.rented, gpu_usd=x.gpu_usd, gpu_hour_usd=x.gpu_hour_usd,
                      host_usd_per_gpu=x.host_usd_per_gpu, rate=x.rate, amortize_years=x.amortize_years,
                      gpu_tdp_w=x.gpu_tdp_w, power_draw_share=x.power_draw_share, host_w_per_gpu=x.host_w_per_gpu,
                      pue=x.pue, electricity_usd_kwh=x.electricity_usd_kwh, ops_usd_month=x.ops_usd_month,
                      hours_per_day=x.hours_per_day, days_per_month=x.days_per_month,
                      gpu_price_factor=x.gpu_price_factor)
    f = c["usd_per_day"]
    with np.errstate(invalid="ignore"):
        usd_per_day = np.where(replicas == 0, 0.0, np.where(np.isfinite(replicas), replicas * f, np.inf))
    t = np.asarray(tokens_per_day, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        usd_per_mtok = np.where(t > 0, usd_per_day / (t / 1e6), np.nan)
    out = dict(weights_gb=w, kv_gb_per_token=kv_tok, kv_gb_per_seq=kv_seq, usable_gb=usable, max_seqs=seqs, fits=fits,
               batch=batch, step_s=step, decode_tokens_per_s_single=single, decode_tokens_per_s=agg,
               prefill_tokens_per_s=prefill, capacity_tokens_per_day=capacity, replicas=replicas,
               capital_usd_per_day=c["capital"], host_usd_per_day=c["host"], energy_usd_per_day=c["energy"],
               ops_usd_per_day=c["ops"], rent_usd_per_day=c["rent"], replica_usd_per_day=f,
               capex_per_replica_usd=c["capex_usd"], running_usd_per_replica_day=c["running_usd_per_day"],
               usd_per_day=usd_per_day, usd_per_mtok=usd_per_mtok,
               days_per_month=np.asarray(x.days_per_month, dtype=float))
    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()))
    return DesignEval(**{k: np.broadcast_to(v, shape) for k, v in out.items()})
