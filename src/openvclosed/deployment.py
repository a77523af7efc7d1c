"""Self-hosted deployments: resolve catalog entries into engine inputs and evaluate them.

Orchestration layer (pvlib's "ModelChain"): catalog entries + assumptions -> arrays ->
:func:`openvclosed.engine.scenario.selfhost_scenario` -> plain result objects. No I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from openvclosed.assumptions import Assumptions
from openvclosed.catalog import Catalog, GpuEntry, ModelEntry
from openvclosed.engine import (PRECISION_BITS, kv_gb_per_token, max_concurrent_seqs, owned_usd_per_replica_day,
                                rented_usd_per_replica_day, usable_vram_gb, weights_gb)
from openvclosed.engine.scenario import selfhost_scenario
from openvclosed.errors import InputError

__all__ = ["Deployment", "compute_tflops", "gpu_tflops", "precisions_for", "evaluate_deployment",
           "choose_default_model", "quant_risk"]

_NATIVE_LABEL = {16.0: "fp16", 8.0: "fp8", 4.25: "mxfp4"}


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


@dataclass
class Deployment:
    """One self-hosted replica design evaluated at a volume (all figures per replica unless named)."""

    gpu: GpuEntry
    n_gpus: int
    model: ModelEntry
    precision: str
    weight_bits: float
    rented: bool
    tokens_per_day: float
    weights_gb: float
    kv_gb_per_seq: float
    usable_vram_gb: float
    max_concurrent_seqs: float
    fits: bool
    decode_tokens_per_s_single: float
    decode_tokens_per_s: float
    prefill_tokens_per_s: float
    capacity_tokens_per_day: float
    replicas: float
    replica_usd_per_day: float
    usd_per_day: float
    usd_per_mtok: float
    capex_per_replica_usd: float  # nan when rented
    running_usd_per_replica_day: float  # energy + ops (owned); all of it (rented)
    parts_usd_per_replica_day: dict[str, float] = field(default_factory=dict)
    measured_tokens_per_s: bool = False

    @property
    def label(self) -> str:
        return f"{self.n_gpus}x{self.gpu.id}"


def compute_tflops(gpu: GpuEntry, precision: str) -> float | None:
    """Tensor TFLOPS a precision runs at: FP8 for fp8 weights on cards that have it, else FP16/BF16
    (weight-only quantization dequantizes to 16 bits). None when the catalog has no cited figure."""
    if precision == "fp8" and gpu.fp8_tflops:
        return gpu.fp8_tflops
    return gpu.fp16_tflops


def gpu_tflops(gpu: GpuEntry, precision: str) -> float:
    """:func:`compute_tflops`, or an error naming the missing catalog figure."""
    tflops = compute_tflops(gpu, precision)
    if tflops is None:
        raise InputError(
            f"gpu {gpu.id}: no cited FP16 TFLOPS in the catalog ({gpu.catalog}); add fp16_tflops "
            f"for it in a --catalog FILE to model it"
        )
    return tflops


def replica_cost(gpu: GpuEntry, n_gpus: int, a: Assumptions, rented: bool) -> tuple[float, float, float, dict]:
    """(usd_per_replica_day, capex_usd or nan, running_usd_per_replica_day, parts) for one replica."""
    if rented:
        hourly = a.gpu_hour_usd or gpu.cloud_usd_per_hour
        if hourly is None:
            raise InputError(f"gpu {gpu.id}: no cloud price in the catalog; pass --gpu-hour-usd")
        total = float(rented_usd_per_replica_day(n_gpus, hourly, a.ops_usd_month, a.hours_per_day))
        ops = a.ops_usd_month * 12 / 365
        return total, math.nan, total, {"rent": total - ops, "ops": ops}
    price = a.gpu_price_usd or gpu.purchase_usd
    if price is None:
        raise InputError(f"gpu {gpu.id}: no purchase price in the catalog; pass --gpu-price-usd (per GPU) or --rent")
    if gpu.tdp_w is None:
        raise InputError(f"gpu {gpu.id}: no cited TDP in the catalog; add tdp_w in a --catalog FILE")
    total, capital, energy, ops, capex = owned_usd_per_replica_day(
        n_gpus, price, a.host_usd_per_gpu * n_gpus, a.rate, a.amortize_years, gpu.tdp_w, a.power_draw_share,
        a.host_w_per_gpu * n_gpus, a.pue, a.electricity_usd_kwh, a.ops_usd_month, a.hours_per_day, parts=True)
    return (float(total), float(capex), float(energy + ops),
            {"capital": float(capital), "energy": float(energy), "ops": float(ops)})


def evaluate_deployment(gpu: GpuEntry, n_gpus: int, model: ModelEntry, precision: str, tokens_per_day: float,
                        a: Assumptions, rented: bool = False, weight_bits: float | None = None) -> Deployment:
    """Fit, throughput, replicas and cost of serving ``tokens_per_day`` on ``n_gpus`` x ``gpu``."""
    bits = weight_bits if weight_bits is not None else PRECISION_BITS[precision]
    f_day, capex, running, parts = replica_cost(gpu, n_gpus, a, rented)
    r = selfhost_scenario(
        tokens_per_day, model.params_b, model.active_params_b, model.kv_elements_per_token, bits, n_gpus,
        gpu.vram_gb, gpu.bandwidth_gb_s, gpu_tflops(gpu, precision), a.tp_overhead(gpu.interconnect), f_day,
        input_share=a.input_share, context_tokens=a.context_tokens, kv_bits=a.kv_bits,
        vram_reserve_share=a.vram_reserve_share, max_batch=a.max_batch, bandwidth_eff=a.bandwidth_eff,
        decode_mfu=a.decode_mfu, prefill_mfu=a.prefill_mfu, utilization=a.utilization,
        hours_per_day=a.hours_per_day, tokens_per_s=a.tokens_per_s if a.tokens_per_s else np.nan)
    g = {k: float(v) for k, v in r.items()}
    return Deployment(
        gpu=gpu, n_gpus=n_gpus, model=model, precision=precision, weight_bits=bits, rented=rented,
        tokens_per_day=tokens_per_day, weights_gb=g["weights_gb"], kv_gb_per_seq=g["kv_gb_per_seq"],
        usable_vram_gb=g["usable_gb"], max_concurrent_seqs=g["max_seqs"], fits=bool(r["fits"]),
        decode_tokens_per_s_single=g["decode_tokens_per_s_single"], decode_tokens_per_s=g["decode_tokens_per_s"],
        prefill_tokens_per_s=g["prefill_tokens_per_s"], capacity_tokens_per_day=g["capacity_tokens_per_day"],
        replicas=g["replicas"], replica_usd_per_day=f_day, usd_per_day=g["usd_per_day"],
        usd_per_mtok=g["usd_per_mtok"], capex_per_replica_usd=capex, running_usd_per_replica_day=running,
        parts_usd_per_replica_day=parts, measured_tokens_per_s=a.tokens_per_s is not None)


def sane_fit(gpu: GpuEntry, n_gpus: int, model: ModelEntry, precision: str, a: Assumptions) -> bool:
    """Weights fit with KV room for ``a.min_concurrent_seqs`` sequences at ``a.context_tokens``."""
    seqs = max_concurrent_seqs(usable_vram_gb(gpu.vram_gb, n_gpus, a.vram_reserve_share),
                               weights_gb(model.params_b, PRECISION_BITS[precision]),
                               kv_gb_per_token(model.kv_elements_per_token, a.kv_bits), a.context_tokens)
    return float(seqs) >= a.min_concurrent_seqs


def choose_default_model(catalog: Catalog, gpu: GpuEntry, n_gpus: int, a: Assumptions,
                         precision: str | None = None) -> tuple[ModelEntry, str]:
    """The strongest catalog model (highest ``quality`` score) that fits sanely, and its precision.

    "Sanely": at the model's native precision or below, leaving KV room for
    ``min_concurrent_seqs`` sequences; among precisions the highest that fits is taken.
    Raises :class:`InputError` when nothing fits, naming the smallest model's needs.
    """
    ranked = sorted(catalog.models.values(),
                    key=lambda m: (-(m.quality_score if not math.isnan(m.quality_score) else -1), m.params_b))
    for m in ranked:
        options = [precision] if precision else precisions_for(m)
        for p in options:
            if p in precisions_for(m) and sane_fit(gpu, n_gpus, m, p, a):
                return m, p
    raise InputError(f"no catalog model fits {n_gpus}x{gpu.id} at {precision or 'any precision'}; "
                     f"add GPUs or choose a smaller model with --model")
