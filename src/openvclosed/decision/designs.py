"""Catalog entries + assumptions -> engine inputs, and the one way to evaluate a design.

Orchestration layer (pvlib's "ModelChain"): :class:`Design` names hardware x model x
precision x deployment; :func:`design_inputs` builds one vectorized
:class:`~openvclosed.engine.design.DesignInputs` for any number of designs (each catalog fact
and assumption becomes one field here, nowhere else); :func:`evaluate` runs
:func:`~openvclosed.engine.design.selfhost_design` on it. Every command prices through these.
No I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from openvclosed.catalog import GpuEntry, ModelEntry
from openvclosed.decision.assumptions import Assumptions
from openvclosed.engine import PRECISION_BITS
from openvclosed.engine.design import DesignEval, DesignInputs, selfhost_design
from openvclosed.engine.horizon import HorizonInputs
from openvclosed.errors import InputError

__all__ = ["Design", "design_inputs", "evaluate", "horizon_inputs", "compute_tflops", "precisions_for",
           "quant_risk", "require_priced"]

_NATIVE_LABEL = {16.0: "fp16", 8.0: "fp8", 4.25: "mxfp4"}


@dataclass(frozen=True)
class Design:
    """One self-hosted replica design: ``n_gpus`` x ``gpu`` serving ``model`` at ``precision``."""

    gpu: GpuEntry
    n_gpus: int
    model: ModelEntry
    precision: str
    rented: bool = False
    weight_bits: float | None = None  # exact bits per weight overriding the precision's

    @property
    def bits(self) -> float:
        return self.weight_bits if self.weight_bits is not None else PRECISION_BITS[self.precision]

    @property
    def hardware(self) -> str:
        return f"{self.n_gpus}x{self.gpu.id}"

    @property
    def mode(self) -> str:
        return "rented" if self.rented else "owned"

    @property
    def id(self) -> str:
        """Stable id: ``2xrtx4090/llama-3.1-8b/fp16/owned``."""
        return f"{self.hardware}/{self.model.id}/{self.precision}/{self.mode}"


def precisions_for(model: ModelEntry) -> list[str]:
    """Precisions worth running ``model`` at, best first: its native one and lower ones.

    Upcasting (fp16 of an fp8 or mxfp4 release) is never offered.
    """
    native = model.native_weight_bits
    order = ["fp16", "fp8", "int8", "mxfp4", "int4"]
    out = [p for p in order if PRECISION_BITS[p] <= native + 1e-9]
    if native in _NATIVE_LABEL and _NATIVE_LABEL[native] not in out:
        out.insert(0, _NATIVE_LABEL[native])
    if native != 4.25:  # mxfp4 is listed only for models released in it
        out = [p for p in out if p != "mxfp4"]
    if native == 8.0:  # an fp8 release: int8 re-quantization adds nothing over fp8
        out = [p for p in out if p != "int8"]
    return out


def quant_risk(model: ModelEntry, precision: str) -> str | None:
    """Quality-risk level of running ``model`` at ``precision``: None, "minor" or "high"."""
    bits = PRECISION_BITS[precision]
    if bits >= model.native_weight_bits - 1e-9:
        return None
    return "high" if bits <= 4.5 else "minor"


def compute_tflops(gpu: GpuEntry, precision: str) -> float | None:
    """Tensor TFLOPS a precision runs at: FP8 for fp8 weights on cards that have it, else FP16/BF16
    (weight-only quantization dequantizes to 16 bits). None when the catalog has no cited figure."""
    if precision == "fp8" and gpu.fp8_tflops:
        return gpu.fp8_tflops
    return gpu.fp16_tflops


def _gpu_usd(d: Design, a: Assumptions) -> float:
    v = a.gpu_price_usd or d.gpu.purchase_usd
    return math.nan if v is None or d.rented else float(v)


def _gpu_hour_usd(d: Design, a: Assumptions) -> float:
    v = a.gpu_hour_usd or d.gpu.cloud_usd_per_hour
    return math.nan if v is None or not d.rented else float(v)


def require_priced(d: Design, a: Assumptions) -> None:
    """Raise :class:`InputError` naming the missing catalog figure a single design needs."""
    g = d.gpu
    if d.rented and math.isnan(_gpu_hour_usd(d, a)):
        raise InputError(f"gpu {g.id}: no cloud price in the catalog; pass --gpu-hour-usd")
    if not d.rented:
        if math.isnan(_gpu_usd(d, a)):
            raise InputError(f"gpu {g.id}: no purchase price in the catalog; pass --gpu-price-usd (per GPU) or --rent")
        if g.tdp_w is None:
            raise InputError(f"gpu {g.id}: no cited TDP in the catalog; add tdp_w in a --catalog FILE")
    if compute_tflops(g, d.precision) is None:
        raise InputError(f"gpu {g.id}: no cited FP16 TFLOPS in the catalog ({g.catalog}); add fp16_tflops "
                         f"for it in a --catalog FILE to model it")


def design_inputs(designs: list[Design], a: Assumptions, *, batch_cap=np.inf) -> DesignInputs:
    """One :class:`DesignInputs` with a leading axis over ``designs`` (missing figures are nan)."""
    def col(f):
        return np.array([f(d) for d in designs], dtype=float)

    nan = math.nan
    return DesignInputs(
        params_b=col(lambda d: d.model.params_b), active_params_b=col(lambda d: d.model.active_params_b),
        kv_elements_per_token=col(lambda d: d.model.kv_elements_per_token), weight_bits=col(lambda d: d.bits),
        n_gpus=col(lambda d: d.n_gpus), vram_gib=col(lambda d: d.gpu.vram_gb),
        bandwidth_gb_s=col(lambda d: d.gpu.bandwidth_gb_s),
        tflops=col(lambda d: compute_tflops(d.gpu, d.precision) or nan),
        tp_overhead=col(lambda d: a.tp_overhead(d.gpu.interconnect)),
        gpu_tdp_w=col(lambda d: d.gpu.tdp_w or nan), gpu_usd=col(lambda d: _gpu_usd(d, a)),
        gpu_hour_usd=col(lambda d: _gpu_hour_usd(d, a)), rented=np.array([d.rented for d in designs], dtype=bool),
        input_share=a.input_share, context_tokens=a.context_tokens, kv_bits=a.kv_bits,
        vram_reserve_share=a.vram_reserve_share, max_batch=a.max_batch, bandwidth_eff=a.bandwidth_eff,
        decode_mfu=a.decode_mfu, prefill_mfu=a.prefill_mfu, utilization=a.utilization,
        hours_per_day=a.hours_per_day, days_per_month=a.days_per_month,
        tokens_per_s=a.tokens_per_s if a.tokens_per_s else nan, batch_cap=batch_cap,
        host_usd_per_gpu=a.host_usd_per_gpu, host_w_per_gpu=a.host_w_per_gpu, power_draw_share=a.power_draw_share,
        pue=a.pue, electricity_usd_kwh=a.electricity_usd_kwh, ops_usd_month=a.ops_usd_month, rate=a.rate,
        amortize_years=a.amortize_years)


def evaluate(designs: list[Design], a: Assumptions, tokens_per_day=0.0, *, batch_cap=np.inf) -> DesignEval:
    """Fit, throughput, capacity and cost of every design at ``tokens_per_day`` (one engine call)."""
    return selfhost_design(design_inputs(designs, a, batch_cap=batch_cap), tokens_per_day)


def horizon_inputs(d: Design, a: Assumptions, tokens_per_day: float, *, horizon_months: int | None = None,
                   growth_per_month: float = 0.0, api_price_decline_per_year: float = 0.0) -> HorizonInputs:
    """One design over a horizon (``horizon_months`` defaults to ``amortize_years x 12``)."""
    x = design_inputs([d], a).take(0)
    months = int(horizon_months if horizon_months is not None else round(a.amortize_years * 12))
    return HorizonInputs(x, tokens_per_day, horizon_months=months, growth_per_month=growth_per_month,
                         api_price_decline_per_year=api_price_decline_per_year)
