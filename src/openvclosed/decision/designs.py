"""Catalog entries + assumptions -> engine inputs, and the one way to evaluate a design.

Orchestration layer (pvlib's "ModelChain"): :class:`Design` names hardware x model x
precision x deployment; :func:`design_inputs` builds one vectorized
:class:`~openvclosed.engine.design.DesignInputs` for any number of designs (each catalog fact
and assumption becomes one field here, nowhere else); :func:`evaluate` runs
:func:`~openvclosed.engine.design.selfhost_design` on it. Every command prices through these.
No I/O.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from openvclosed.catalog import GpuEntry, ModelEntry
from openvclosed.decision.assumptions import RESIDUAL_SHARE, Assumptions
from openvclosed.decision.calibration import link_params, profile
from openvclosed.engine import PRECISION_BITS
from openvclosed.engine.design import DesignEval, DesignInputs, selfhost_design
from openvclosed.engine.tco import power_draw_share_at
from openvclosed.engine.defaults import DEFAULTS
from openvclosed.engine.profiles import LINK_GB_S, default_engine
from openvclosed.errors import InputError

__all__ = ["Design", "design_inputs", "layout_reason", "site_of", "site_pue", "consumer_nvidia", "SITE_PUE", "evaluate", "compute_tflops", "precisions_for",
           "quant_risk", "require_priced", "native_label", "engine_for", "price_basis"]


@dataclass(frozen=True)
class Design:
    """One self-hosted machine design: ``n_gpus`` x ``gpu`` serving ``model`` at ``precision``."""

    gpu: GpuEntry
    n_gpus: int
    model: ModelEntry
    precision: str
    rented: bool = False
    weight_bits: float | None = None  # exact bits per weight overriding the precision's (ovc fit --bits)
    engine: str | None = None         # serving engine; None = the assumption, else the hardware's default
    tp: int | None = None             # tensor-parallel degree; None = the best layout for the machine

    @cached_property
    def part_bits(self) -> tuple[float, float]:
        """(dense bits, expert bits) as served: the precision caps each part at its released bits."""
        m = self.model
        if self.weight_bits is not None:  # an exact format (GGUF Q4_K_M 4.85): never above the release
            return min(m.dense_bits, self.weight_bits), min(m.expert_bits, self.weight_bits)
        if self.precision == native_label(m):
            return m.dense_bits, m.expert_bits
        cap = PRECISION_BITS[self.precision]
        return min(m.dense_bits, cap), min(m.expert_bits, cap)

    @cached_property
    def bits(self) -> float:
        """Effective bits per weight over all parameters."""
        m = self.model
        d, e = self.part_bits
        return (m.dense_params_b * d + m.expert_params_b * e) / m.params_b

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


_LABEL_OF_BITS = {16.0: "fp16", 8.0: "fp8", 4.25: "mxfp4", 4.5: "int4"}


def native_label(model: ModelEntry) -> str:
    """The name of the released precision: the format of its lowest-bit part (gpt-oss: mxfp4)."""
    return _label_of(min(model.dense_bits, model.expert_bits))


@functools.lru_cache(maxsize=64)
def _label_of(low: float) -> str:
    return _LABEL_OF_BITS.get(low, "fp16" if low >= 16 else f"{low:g}bit")


def precisions_for(model: ModelEntry) -> list[str]:
    """Precisions worth running ``model`` at, best first: its released one, then lower ones.

    Upcasting is never offered; a lower precision caps each part at its bits (experts already
    at 4.25 bits stay there). Precisions that change nothing are left out.
    """
    return list(_precisions(model.dense_bits, model.expert_bits, model.max_native_bits))


@functools.lru_cache(maxsize=256)
def _precisions(dense_bits: float, expert_bits: float, max_native_bits: float) -> tuple[str, ...]:
    native = _label_of(min(dense_bits, expert_bits))
    out = [native]
    seen = {(dense_bits, expert_bits)}
    for p in ("fp16", "fp8", "int8", "mxfp4", "int4"):
        if p == native:
            continue
        if p == "mxfp4" and native != "mxfp4":
            continue  # mxfp4 only for models released in it
        if p == "int8" and "fp8" in out:
            continue  # int8 re-quantization adds nothing over fp8
        cap = PRECISION_BITS[p]
        bits = (min(dense_bits, cap), min(expert_bits, cap))
        if cap > max_native_bits or bits in seen:
            continue
        seen.add(bits)
        out.append(p)
    return tuple(out)


def quant_risk(model: ModelEntry, precision: str) -> str | None:
    """Quality-risk level of running ``model`` at ``precision``: None, "minor" or "high"."""
    if precision not in PRECISION_BITS or precision == native_label(model):
        return None
    cap = PRECISION_BITS[precision]
    reduced = [b for b in (model.dense_bits, model.expert_bits) if cap < b - 1e-9]
    if not reduced:
        return None
    return "high" if cap <= 4.5 else "minor"


def compute_tflops(gpu: GpuEntry, precision: str, model: ModelEntry | None = None) -> float | None:
    """Tensor TFLOPS the weights run at: FP8 when the dense weights are 8-bit floats on a card
    that has FP8 (an fp8 release or --quant fp8), else FP16/BF16 (weight-only quantization
    dequantizes to 16 bits). None when the catalog has no cited figure."""
    if precision == "nvfp4" and gpu.fp4_tflops:
        return gpu.fp4_tflops
    fp8 = precision in ("fp8", "nvfp4") or (model is not None and precision == native_label(model) and model.dense_bits == 8)
    if fp8 and gpu.fp8_tflops:
        return gpu.fp8_tflops
    return gpu.fp16_tflops


def engine_for(d: Design, a: Assumptions) -> str:
    return d.engine or a.engine or default_engine(d.gpu.vendor, d.gpu.segment)


def _price(d: Design, a: Assumptions):
    return None if d.rented else d.gpu.price_at(a.as_of)


def _rent(d: Design, a: Assumptions):
    return d.gpu.rent_at(a.as_of)


def _gpu_usd(d: Design, a: Assumptions) -> float:
    if d.rented:
        return math.nan
    if a.gpu_price_usd:
        return float(a.gpu_price_usd)
    p = _price(d, a)
    return float(p.usd) if p else math.nan


def _host_usd(d: Design, a: Assumptions) -> float:
    """The host share per GPU: none when the price already is a whole system (server or unified machine)."""
    if a.gpu_price_usd:
        return a.host_usd_per_gpu
    p = _price(d, a)
    if p is not None and (p.basis.server_included or p.basis.unit == "system"):
        return 0.0
    return a.host_usd_per_gpu


def _gpu_hour_usd(d: Design, a: Assumptions) -> float:
    if not d.rented:
        return math.nan
    if a.gpu_hour_usd:
        return float(a.gpu_hour_usd)
    r = _rent(d, a)
    return r[0] if r else math.nan


def require_priced(d: Design, a: Assumptions) -> None:
    """Raise :class:`InputError` naming the missing catalog figure a single design needs."""
    g = d.gpu
    if d.rented and math.isnan(_gpu_hour_usd(d, a)):
        raise InputError(f"gpu {g.id}: no cloud price in the catalog; pass --gpu-hour-usd")
    if not d.rented:
        if math.isnan(_gpu_usd(d, a)):
            raise InputError(f"gpu {g.id}: no purchase price in the catalog; pass --gpu-price-usd (per GPU) or --rent")
        if g.tdp_w is None and g.system_w_per_gpu is None:
            raise InputError(f"gpu {g.id}: no cited TDP in the catalog; add tdp_w in a --catalog FILE")
    if compute_tflops(g, d.precision, d.model) is None:
        raise InputError(f"gpu {g.id}: no cited or derived FP16 TFLOPS in the catalog ({g.catalog}); add "
                         f"fp16_tflops with its tflops_basis (datasheet | derived: ... | prefill_measured: ...) "
                         f"in a --catalog FILE to model it")


def price_basis(d: Design, a: Assumptions) -> str:
    """What the hardware price of a design rests on, in words (printed next to the cost)."""
    if d.rented:
        if a.gpu_hour_usd:
            return "rent: --gpu-hour-usd"
        r = d.gpu.rent_at(a.as_of)
        if not r:
            return "rent: none in the catalog"
        provs = ", ".join(sorted(q.provider for q in r[1]))
        return f"rent: median of {len(r[1])} on-demand quote(s) ({provs})"
    if a.gpu_price_usd:
        return "purchase: --gpu-price-usd per GPU, plus the host share"
    p = _price(d, a)
    if p is None:
        return "purchase: none in the catalog"
    host = "" if _host_usd(d, a) == 0 else f" + host ${a.host_usd_per_gpu:,.0f}/GPU (assumption)"
    return f"purchase: ${p.usd:,.0f}/GPU ({p.describe()}){host}"


SITE_PUE = {"datacenter": DEFAULTS["pue"], "colocation": DEFAULTS["pue"], "office": 1.0}
"""PUE by site when none is given (Assumptions.pue names the basis of each)."""


def site_of(d: Design, a: Assumptions) -> str:
    """Where a design's hardware runs: the assumption's site; else rented -> datacenter, consumer and
    unified-memory machines -> office, the rest -> datacenter."""
    if d.rented:
        return "datacenter"
    if a.site:
        return a.site
    return "office" if d.gpu.segment in ("consumer", "unified") else "datacenter"


def site_pue(d: Design, a: Assumptions) -> float:
    return float(a.pue) if a.pue is not None else SITE_PUE[site_of(d, a)]


def power_share(a: Assumptions) -> float:
    """Mean draw / rated power of an owned machine: the override, else at the design's utilization
    between idle and rated draw (:func:`openvclosed.engine.tco.power_draw_share_at`)."""
    if a.power_draw_share is not None:
        return float(a.power_draw_share)
    return float(power_draw_share_at(a.utilization, a.idle_power_share))


def residual_share(d: "Design", a: Assumptions) -> float:
    """Resale of the design's GPUs after amortisation / purchase price: the override, else by class."""
    if a.residual_share is not None:
        return float(a.residual_share)
    return RESIDUAL_SHARE["consumer" if consumer_nvidia(d.gpu) else "other"]


def consumer_nvidia(gpu) -> bool:
    return (gpu.vendor or "").lower() == "nvidia" and gpu.segment == "consumer"


def layout_reason(d: Design, e) -> str:
    """Why the machine runs the tensor-parallel layout it does (``e``: the design's one-design evaluation)."""
    tp, instances = int(e.tp), int(e.instances)
    if d.n_gpus == 1:
        return "one GPU: one instance"
    if tp == 1:
        return (f"the model fits one GPU: {instances} independent instances serve more than tensor parallelism "
                f"over {d.gpu.interconnect.kind}")
    per_gpu = float(e.usable_gb) / tp  # usable GB one GPU adds to an instance
    need = next((t for t in (1, 2, 4, 8) if t <= d.n_gpus and d.n_gpus % t == 0
                 and t * per_gpu - float(e.weights_gb) >= float(e.kv_gb_per_seq)), tp)
    if need >= tp:
        return (f"the model needs {tp} GPUs: one {tp}-way tensor-parallel instance" if instances == 1 else
                f"the model needs {tp} GPUs: {instances} instances of {tp}-way tensor parallelism")
    return (f"the model fits {need} GPU{'s' if need > 1 else ''}, but {instances} instance{'s' if instances > 1 else ''} "
            f"of {tp}-way tensor parallelism serve more (more KV room for a larger batch, weights read in parallel)")


def _full_length(a: Assumptions) -> int:
    """Prompt plus answer [tokens] of the workload's requests: ``I + O = 2 x context / (1 + input share)``
    (:func:`openvclosed.engine.serving.lengths_from_mix`), what an engine that never evicts reserves."""
    return int(round(2.0 * a.context_tokens / (1.0 + a.input_share)))


def design_inputs(designs: list[Design], a: Assumptions, *, batch_cap=np.inf) -> DesignInputs:
    """One :class:`DesignInputs` with a leading axis over ``designs`` (missing figures are nan)."""
    def col(f):
        return np.array([f(d) for d in designs], dtype=float)

    profiles = [profile(engine_for(d, a), d.gpu.segment, d.gpu.vendor) for d in designs]

    def prof(name):
        override = getattr(a, name)
        return float(override) if override is not None else np.array([p[name] for p in profiles], dtype=float)

    def kind(d):
        return d.gpu.interconnect.kind.lower()

    nan = math.nan
    return DesignInputs(
        params_b=col(lambda d: d.model.params_b), active_params_b=col(lambda d: d.model.active_params_b),
        dense_params_b=col(lambda d: d.model.dense_params_b), expert_params_b=col(lambda d: d.model.expert_params_b),
        embedding_params_b=col(lambda d: d.model.lookup_params_b),
        dense_bits=col(lambda d: d.part_bits[0]), expert_bits=col(lambda d: d.part_bits[1]),
        experts_total=col(lambda d: d.model.moe.experts_total if d.model.moe else 0),
        experts_per_token=col(lambda d: d.model.moe.experts_per_token if d.model.moe else 0),
        kv_elements_per_seq=col(lambda d: d.model.kv_elements_per_seq(a.context_tokens)),
        kv_reserved_elements_per_seq=np.array([d.model.kv_elements_per_seq(_full_length(a)) if p.get("kv_reserve_full")
                                               else nan for d, p in zip(designs, profiles)], dtype=float),
        layers=col(lambda d: d.model.layers), hidden_size=col(lambda d: d.model.hidden_size or nan),
        n_gpus=col(lambda d: d.n_gpus), tp=col(lambda d: d.tp or nan), vram_gib=col(lambda d: d.gpu.memory_gib),
        bandwidth_gb_s=col(lambda d: d.gpu.bandwidth_gb_s),
        tflops=col(lambda d: compute_tflops(d.gpu, d.precision, d.model) or nan),
        link_gb_s=col(lambda d: (d.gpu.interconnect.link_gb_s or LINK_GB_S.get(kind(d), 25.0))
                      * link_params(kind(d))[0]),
        link_latency_s=col(lambda d: link_params(kind(d))[1]),
        gpu_tdp_w=col(lambda d: d.gpu.tdp_w or nan),
        system_w_per_gpu=col(lambda d: (d.gpu.system_w_per_gpu or nan) if a.system_power else nan),
        gpu_usd=col(lambda d: _gpu_usd(d, a)), gpu_hour_usd=col(lambda d: _gpu_hour_usd(d, a)),
        rented=np.array([d.rented for d in designs], dtype=bool), host_usd_per_gpu=col(lambda d: _host_usd(d, a)),
        input_share=a.input_share, prefix_cached_share=a.cached_share, context_tokens=a.context_tokens,
        kv_bits=a.kv_bits, vram_reserve_share=(a.vram_reserve_share if "vram_reserve_share" in a.model_fields_set else
                                               np.array([p.get("vram_share", a.vram_reserve_share) for p in profiles],
                                                        dtype=float)),
        max_batch=float(a.max_batch) if a.max_batch else np.array([p["max_batch"] for p in profiles], dtype=float),
        bandwidth_eff=prof("bandwidth_eff"), kv_bandwidth_eff=prof("kv_bandwidth_eff"),
        low_bit_eff=np.array([1.0 if d.precision == "nvfp4" else p["low_bit_eff"] for d, p in zip(designs, profiles)],
                             dtype=float), decode_mfu=prof("decode_mfu"), chunk_tokens=np.array(
                                 [p.get("chunk_tokens", 8192.0) for p in profiles], dtype=float),
        prefill_mfu=prof("prefill_mfu"), step_overhead_s=prof("step_overhead_s"),
        layer_overhead_s=prof("layer_overhead_s"), utilization=a.utilization,
        hours_per_day=a.hours_per_day, days_per_month=a.days_per_month,
        tokens_per_s=a.tokens_per_s if a.tokens_per_s else nan, batch_cap=batch_cap,
        host_w_per_gpu=a.host_w_per_gpu, power_draw_share=power_share(a),
        residual_share=col(lambda d: residual_share(d, a)),
        pue=np.array([site_pue(d, a) for d in designs], dtype=float), electricity_usd_kwh=a.electricity_usd_kwh, ops_usd_month=a.ops_usd_month, rate=a.rate,
        ops_team_usd_month=a.ops_team_usd_month,
        amortize_years=a.amortize_years)


def evaluate(designs: list[Design], a: Assumptions, tokens_per_day=0.0, *, batch_cap=np.inf) -> DesignEval:
    """Fit, throughput, capacity and cost of every design at ``tokens_per_day`` (one engine call)."""
    return selfhost_design(design_inputs(designs, a, batch_cap=batch_cap), tokens_per_day)
