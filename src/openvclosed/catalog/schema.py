"""Catalog entry schemas: APIs, accelerators and open-weight models, each with source and ``as_of``.

Models describe attention per layer type (full, sliding window, chunked, linear/recurrent state,
latent/compressed KV) and mixture-of-experts blocks with separate precisions for expert and
dense weights; licences carry structured conditions; openness names weights, training data and
training code, each with a link. Accelerators carry memory as the driver reports it, dense
TFLOPS per precision, the interconnect, power, and dated prices whose basis is explicit.
The older flat fields (``layers``/``kv_heads``/``head_dim``, ``vram_gb``, ``purchase_usd``,
``cloud_usd_per_hour``, licence ``mau_limit``) are still accepted in user catalogs and turned
into the structured form here.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from openvclosed.units import normalize_name

__all__ = ["TIERS", "Tier", "ApiEntry", "GpuEntry", "ModelEntry", "License", "LicenseCondition", "Openness",
           "AttentionGroup", "Moe", "GpuPrice", "GpuRent", "Capability", "STANDARD_TIER_MIN_SCORE"]

Tier = Literal["simple", "standard", "frontier"]
TIERS: tuple[str, ...] = ("simple", "standard", "frontier")

STANDARD_TIER_MIN_SCORE = 14.0
"""Artificial Analysis Intelligence Index (v4 scale) from which an open model serves the
standard tier: Llama 3.3 70B scores 14, the model class the old MMLU-Pro >= 60 bar admitted.
A rule of ours (docs/methodology.md, capability tiers); an entry's own ``tiers`` wins."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Entry(_Strict):
    id: str = Field(min_length=1)
    source: str = Field(min_length=1, description="Where the figures come from (URL, document, table).")
    as_of: dt.date = Field(description="Date the source was published or read (not in the future).")
    notes: str | None = None
    catalog: str = Field("bundled", description="File the entry came from (set by the loader).")

    @field_validator("id")
    @classmethod
    def _lower_id(cls, v: str) -> str:
        return normalize_name(v)

    @field_validator("as_of")
    @classmethod
    def _not_future(cls, v: dt.date) -> dt.date:
        if v > dt.date.today() + dt.timedelta(days=1):
            raise ValueError(f"{v} is in the future; as_of is when the source was published or read")
        return v


# ----------------------------------------------------------------------------------------- APIs

class LongContextPrice(_Strict):
    above_tokens: int = Field(gt=0)
    input_usd_per_mtok: float = Field(ge=0)
    output_usd_per_mtok: float = Field(ge=0)


class ApiPriceRecord(_Strict):
    """An earlier price of an API (superseded prices stay, for ``--as-of`` and ``ovc catalog history``)."""

    valid_from: dt.date
    input_usd_per_mtok: float = Field(ge=0)
    output_usd_per_mtok: float = Field(ge=0)
    cached_input_usd_per_mtok: float | None = Field(None, ge=0)
    cache_write_usd_per_mtok: float | None = Field(None, ge=0)
    source: str = ""


class ApiEntry(_Entry):
    """One API offer. Prices in USD per 1M tokens; ``history`` holds earlier prices."""

    provider: str
    model: str
    kind: Literal["closed", "hosted-open"]
    role: Literal["flagship", "mid", "small"] | None = None
    tier: Tier | None = Field(None, description="Capability tier served well; hosted-open offers inherit it from the model.")
    serves_model: str | None = Field(None, description="hosted-open: id of the open model served.")
    input_usd_per_mtok: float = Field(ge=0)
    output_usd_per_mtok: float = Field(ge=0)
    cached_input_usd_per_mtok: float | None = Field(None, ge=0)
    cache_write_usd_per_mtok: float | None = Field(None, ge=0)
    batch_discount: float = Field(0.0, ge=0, le=1)
    context_tokens: int | None = Field(None, gt=0)
    long_context: LongContextPrice | None = None
    valid_from: dt.date | None = Field(None, description="Date from which these prices apply (price history).")
    history: list[ApiPriceRecord] = Field(default_factory=list)

    @property
    def price_as_of(self) -> dt.date:
        return self.valid_from or self.as_of

    def at(self, when: dt.date) -> "ApiEntry | None":
        """This offer with the prices valid at ``when``; None when no recorded price was valid then."""
        if self.price_as_of <= when:
            return self
        older = [h for h in self.history if h.valid_from <= when]
        if not older:
            return None
        h = max(older, key=lambda r: r.valid_from)
        return self.model_copy(update={"input_usd_per_mtok": h.input_usd_per_mtok,
                                       "output_usd_per_mtok": h.output_usd_per_mtok,
                                       "cached_input_usd_per_mtok": h.cached_input_usd_per_mtok,
                                       "cache_write_usd_per_mtok": h.cache_write_usd_per_mtok,
                                       "valid_from": h.valid_from, "source": h.source or self.source})

    def timeline(self) -> list[tuple[dt.date, float, float, str]]:
        """Every recorded price, oldest first: (valid_from, input, output, source)."""
        rows = [(h.valid_from, h.input_usd_per_mtok, h.output_usd_per_mtok, h.source) for h in self.history]
        rows.append((self.price_as_of, self.input_usd_per_mtok, self.output_usd_per_mtok, self.source))
        return sorted(rows, key=lambda r: r[0])


# ----------------------------------------------------------------------------------------- GPUs

class Interconnect(_Strict):
    kind: str = "pcie"  # nvlink | pcie | infinity_fabric | ethernet | unified | none
    link_gb_s: float | None = Field(None, gt=0)
    p2p: bool | None = None

    @property
    def fast(self) -> bool:
        return self.kind.lower() in {"nvlink", "nvswitch", "infinity_fabric", "infinity-fabric", "sxm"}


class PriceBasis(_Strict):
    condition: Literal["new", "used", "refurbished"] | None = None
    unit: Literal["card", "module", "system"] | None = None
    server_included: bool | None = None
    kind: Literal["list", "street", "msrp", "market", "quote", "estimate"] | None = None

    @field_validator("kind", mode="before")
    @classmethod
    def _lower(cls, v):
        return v.lower() if isinstance(v, str) else v
    gpus_in_unit: int | None = Field(None, gt=0)


class GpuPrice(_Strict):
    usd: float = Field(gt=0, description="Per GPU (a system price is divided by gpus_in_unit).")
    valid_from: dt.date
    basis: PriceBasis = Field(default_factory=PriceBasis)
    source: str = ""
    note: str | None = None

    def describe(self) -> str:
        b = self.basis
        parts = [b.condition, b.unit, b.kind]
        words = " ".join(p for p in parts if p) or "basis not stated"
        if b.server_included:
            words += ", server included"
        elif b.server_included is False:
            words += ", server not included"
        return f"{words}, {self.valid_from}"


class GpuRent(_Strict):
    provider: str
    usd_per_gpu_hour: float = Field(gt=0)
    valid_from: dt.date
    source: str = ""
    note: str | None = None


class GpuEntry(_Entry):
    """One accelerator or system. Memory in GiB as the driver reports it (or the GPU's share of unified memory)."""

    name: str
    vendor: str
    segment: Literal["consumer", "workstation", "datacenter", "unified"] | None = None
    aliases: list[str] = Field(default_factory=list)
    memory_gib: float = Field(gt=0)
    memory_gb_marketed: float | None = Field(None, gt=0)
    memory_basis: str | None = None
    bandwidth_gb_s: float = Field(gt=0)
    fp16_tflops: float | None = Field(None, gt=0, description="Dense FP16/BF16 tensor TFLOPS.")
    fp8_tflops: float | None = Field(None, gt=0)
    fp4_tflops: float | None = Field(None, gt=0)
    int8_tops: float | None = Field(None, gt=0)
    tdp_w: float | None = Field(None, gt=0)
    system_w_per_gpu: float | None = Field(None, gt=0, description="Whole-system power rating per GPU [W].")
    interconnect: Interconnect = Field(default_factory=Interconnect)
    prices: list[GpuPrice] = Field(default_factory=list)
    rent: list[GpuRent] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, d):
        """Old flat fields (vram_gb, purchase_usd, cloud_usd_per_hour, interconnect as a word) still load."""
        if not isinstance(d, dict):
            return d
        d = dict(d)
        if "vram_gb" in d:
            d["memory_gib"] = d.pop("vram_gb")  # the old name of the same figure; it overrides
        if isinstance(d.get("interconnect"), str):
            d["interconnect"] = {"kind": d["interconnect"]}
        if d.get("interconnect") is None:
            d.pop("interconnect", None)
        if "purchase_usd" in d:
            usd = d.pop("purchase_usd")
            when = d.pop("price_as_of", None) or d.get("as_of")
            src = d.pop("price_source", None) or ""
            note = d.pop("price_note", None)
            if usd is not None:
                d["prices"] = [{"usd": usd, "valid_from": when, "source": src, "note": note}] + list(d.get("prices") or [])
        for k in ("price_source", "price_as_of", "price_note"):
            d.pop(k, None)
        if "cloud_usd_per_hour" in d:
            usd = d.pop("cloud_usd_per_hour")
            when = d.pop("cloud_as_of", None) or d.get("as_of")
            src = d.pop("cloud_source", None) or ""
            note = d.pop("cloud_note", None)
            if usd is not None:
                d["rent"] = [{"provider": "catalog", "usd_per_gpu_hour": usd, "valid_from": when, "source": src,
                              "note": note}] + list(d.get("rent") or [])
        for k in ("cloud_source", "cloud_as_of", "cloud_note"):
            d.pop(k, None)
        return d

    @field_validator("aliases")
    @classmethod
    def _norm_aliases(cls, v: list[str]) -> list[str]:
        return [normalize_name(str(a)) for a in v]

    # --- prices valid at a date -------------------------------------------------------------
    def price_at(self, when: dt.date | None = None) -> GpuPrice | None:
        """The purchase price that applies at ``when`` (default: the newest): among prices valid
        then, a whole-server price per GPU first (what a deployable GPU costs), else the newest."""
        valid = [p for p in self.prices if when is None or p.valid_from <= when]
        if not valid:
            return None
        latest = max(p.valid_from for p in valid)
        recent = [p for p in valid if (latest - p.valid_from).days <= 365]
        server = [p for p in recent if p.basis.server_included]
        pool = server or recent
        return max(pool, key=lambda p: (p.valid_from, -p.usd))

    def rent_at(self, when: dt.date | None = None) -> tuple[float, list[GpuRent]] | None:
        """Median on-demand $/GPU-hour over the providers' newest quotes valid at ``when``."""
        newest: dict[str, GpuRent] = {}
        for r in self.rent:
            if when is not None and r.valid_from > when:
                continue
            cur = newest.get(r.provider)
            if cur is None or r.valid_from > cur.valid_from:
                newest[r.provider] = r
        if not newest:
            return None
        quotes = list(newest.values())
        return float(statistics.median(q.usd_per_gpu_hour for q in quotes)), quotes

    # --- compatibility accessors -------------------------------------------------------------
    @property
    def vram_gb(self) -> float:  # GiB, the historical name
        return self.memory_gib

    @property
    def purchase_usd(self) -> float | None:
        p = self.price_at()
        return p.usd if p else None

    @property
    def price_as_of(self) -> dt.date | None:
        p = self.price_at()
        return p.valid_from if p else None

    @property
    def cloud_usd_per_hour(self) -> float | None:
        r = self.rent_at()
        return r[0] if r else None

    @property
    def cloud_as_of(self) -> dt.date | None:
        r = self.rent_at()
        return min(q.valid_from for q in r[1]) if r else None

    @property
    def power_w_per_gpu(self) -> float | None:
        return self.system_w_per_gpu


# --------------------------------------------------------------------------------------- models

class LicenseCondition(_Strict):
    kind: Literal["mau_limit", "revenue_limit", "naming", "attribution", "use_policy", "field_of_use", "other"]
    mau: int | None = Field(None, gt=0)
    revenue_usd_month: float | None = Field(None, gt=0)
    revenue_usd_year: float | None = Field(None, gt=0)
    revenue_usd_12_months: float | None = Field(None, gt=0)
    basis: Literal["at_release", "ongoing"] | None = None
    effect: str = ""
    text: str = ""
    region: str | None = None
    note: str | None = None
    url: str | None = None

    @property
    def revenue_usd_per_month(self) -> float | None:
        if self.revenue_usd_month:
            return self.revenue_usd_month
        yearly = self.revenue_usd_year or self.revenue_usd_12_months
        return yearly / 12 if yearly else None


class License(_Strict):
    name: str
    spdx: str | None = None
    commercial_use: bool
    conditions: list[LicenseCondition] = Field(default_factory=list)
    url: str | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, d):
        if not isinstance(d, dict):
            return d
        d = dict(d)
        conds = []
        for c in d.get("conditions") or []:
            conds.append({"kind": "other", "text": c} if isinstance(c, str) else c)
        mau = d.pop("mau_limit", None)
        if mau and not any(isinstance(c, dict) and c.get("kind") == "mau_limit" for c in conds):
            conds.insert(0, {"kind": "mau_limit", "mau": mau, "effect": "needs a separate grant from the licensor"})
        d["conditions"] = conds
        return d

    @property
    def mau_limit(self) -> int | None:
        """The monthly-active-user threshold of a ``mau_limit`` condition (None when there is none)."""
        for c in self.conditions:
            if c.kind == "mau_limit" and c.mau:
                return c.mau
        return None

    @property
    def mau_basis(self) -> str | None:
        for c in self.conditions:
            if c.kind == "mau_limit" and c.mau:
                return c.basis
        return None


class OpennessItem(_Strict):
    open: bool
    url: str | None = None
    note: str | None = None


class Openness(_Strict):
    weights: OpennessItem
    training_data: OpennessItem
    training_code: OpennessItem

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, d):
        if isinstance(d, dict):
            d = {k: ({"open": v} if isinstance(v, bool) else v) for k, v in d.items()}
        return d

    def flags(self) -> dict[str, bool]:
        return {"weights": self.weights.open, "training_data": self.training_data.open,
                "training_code": self.training_code.open}

    @property
    def fully_open(self) -> bool:
        return all(self.flags().values())


class AttentionGroup(_Strict):
    """Layers of one attention type. KV elements per token per layer: 2 x kv_heads x head_dim
    (1 x with ``kv_shared``) for full/sliding/chunked layers, ``kv_elements_per_token`` for latent
    layers; linear layers keep ``state_elements`` per sequence instead of a growing cache."""

    type: Literal["full", "sliding", "chunked", "linear", "latent"]
    layers: int = Field(ge=0)
    kv_heads: int | None = Field(None, ge=0)
    head_dim: int | None = Field(None, ge=0)
    window_tokens: int | None = Field(None, gt=0)
    kv_elements_per_token: int | None = Field(None, ge=0)
    state_elements: int | None = Field(None, ge=0)
    kv_shared: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _complete(self):
        if self.type in ("full", "sliding", "chunked") and (self.kv_heads is None or self.head_dim is None):
            raise ValueError(f"{self.type} layers need kv_heads and head_dim")
        if self.type in ("sliding", "chunked") and self.window_tokens is None:
            raise ValueError(f"{self.type} layers need window_tokens")
        if self.type == "latent" and self.kv_elements_per_token is None:
            raise ValueError("latent layers need kv_elements_per_token")
        return self

    def per_token_per_layer(self) -> int:
        if self.type == "latent":
            return int(self.kv_elements_per_token or 0)
        if self.type == "linear":
            return 0
        return (1 if self.kv_shared else 2) * int(self.kv_heads or 0) * int(self.head_dim or 0)


class Moe(_Strict):
    experts_total: int = Field(gt=0)
    experts_per_token: int = Field(gt=0)
    shared_experts: int = Field(0, ge=0)
    moe_layers: int = Field(gt=0)
    expert_params_b: float | None = Field(None, gt=0, description="Routed-expert parameters over all layers [1e9].")

    @model_validator(mode="after")
    def _k_le_e(self):
        if self.experts_per_token > self.experts_total:
            raise ValueError("experts_per_token must be <= experts_total")
        return self


class Precision(_Strict):
    expert_bits: float | None = Field(None, gt=0, le=32)
    dense_bits: float | None = Field(None, gt=0, le=32)


class Capability(_Strict):
    index: str
    version: str | None = None
    score: float | None = None
    mode: str | None = None
    source: str | None = None
    as_of: dt.date | None = None
    note: str | None = None


class Quality(_Strict):
    benchmark: str
    score: float | None = None
    source: str | None = None


class ModelEntry(_Entry):
    """One open-weight model: architecture (for fit and throughput), licence, openness, capability."""

    name: str
    developer: str | None = None
    family: str | None = None
    hf_repo: str | None = None
    aliases: list[str] = Field(default_factory=list)
    released: dt.date | None = None
    params_b: float = Field(gt=0, description="Total parameters [1e9].")
    active_params_b: float = Field(gt=0, description="Parameters active per token [1e9] (MoE < total).")
    context_tokens: int = Field(gt=0)
    layers: int = Field(gt=0)
    hidden_size: int | None = Field(None, gt=0)
    vocab_size: int | None = Field(None, gt=0)
    attention: list[AttentionGroup] = Field(default_factory=list)
    moe: Moe | None = None
    precision: Precision = Field(default_factory=Precision)
    license: License
    openness: Openness
    capability: Capability | None = None
    tiers: list[Tier] | None = None
    tier_basis: str | None = None
    quality: Quality | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, d):
        """Old flat architecture fields still load: one group of full-attention layers."""
        if not isinstance(d, dict):
            return d
        d = dict(d)
        kv_heads, head_dim = d.pop("kv_heads", None), d.pop("head_dim", None)
        per_layer = d.pop("kv_elements_per_token_per_layer", None)
        native = d.pop("native_weight_bits", None)
        if not d.get("attention") and d.get("layers"):
            if per_layer:
                d["attention"] = [{"type": "latent", "layers": d["layers"], "kv_elements_per_token": per_layer}]
            elif kv_heads is not None and head_dim is not None:
                d["attention"] = [{"type": "full", "layers": d["layers"], "kv_heads": kv_heads, "head_dim": head_dim}]
        if native is not None:
            prec = dict(d.get("precision") or {})
            prec.setdefault("dense_bits", native)
            if prec.get("expert_bits") is None and native != prec["dense_bits"]:
                prec["expert_bits"] = native
            d["precision"] = prec
        return d

    @model_validator(mode="after")
    def _consistent(self):
        if self.active_params_b > self.params_b * (1 + 1e-9):
            raise ValueError("active_params_b must be <= params_b")
        if not self.attention:
            raise ValueError("attention: describe the layers (or give layers, kv_heads and head_dim)")
        if sum(g.layers for g in self.attention) != self.layers:
            raise ValueError(f"attention: layer groups add up to {sum(g.layers for g in self.attention)}, "
                             f"not layers = {self.layers}")
        if self.precision.dense_bits is None:
            raise ValueError("precision.dense_bits: required (the released precision of dense weights)")
        if self.moe and self.moe.expert_params_b and self.moe.expert_params_b > self.params_b:
            raise ValueError("moe.expert_params_b must be <= params_b")
        return self

    @field_validator("aliases")
    @classmethod
    def _norm_aliases(cls, v: list[str]) -> list[str]:
        return [normalize_name(str(a)) for a in v]

    # --- weights ---------------------------------------------------------------------------------
    @property
    def expert_params_b(self) -> float:
        """Routed-expert parameters [1e9]; 0 for dense models. When not given: total - active
        (a lower bound of the expert weights, exact when k experts are a small share of E)."""
        if not self.moe:
            return 0.0
        if self.moe.expert_params_b:
            return float(self.moe.expert_params_b)
        e, k = self.moe.experts_total, self.moe.experts_per_token
        return float(max(self.params_b - self.active_params_b, 0.0) * e / max(e - k, 1))

    @property
    def dense_params_b(self) -> float:
        return max(self.params_b - self.expert_params_b, 0.0)

    @property
    def dense_bits(self) -> float:
        return float(self.precision.dense_bits)

    @property
    def expert_bits(self) -> float:
        return float(self.precision.expert_bits or self.precision.dense_bits)

    @property
    def native_weight_bits(self) -> float:
        """Effective released bits per weight over all parameters."""
        return (self.dense_params_b * self.dense_bits + self.expert_params_b * self.expert_bits) / self.params_b

    @property
    def max_native_bits(self) -> float:
        return max(self.dense_bits, self.expert_bits if self.moe else self.dense_bits)

    # --- KV cache -------------------------------------------------------------------------------
    @property
    def kv_elements_per_token(self) -> int:
        """K and V elements cached per token over the layers whose cache grows with context
        (full and latent layers; sliding and chunked layers count until their window fills)."""
        return sum(g.layers * g.per_token_per_layer() for g in self.attention if g.type in ("full", "latent"))

    def kv_elements_per_seq(self, context_tokens: float) -> float:
        """KV-cache elements one sequence holds at ``context_tokens`` of context, over all layers:
        growing layers x context, windowed layers x min(context, window), plus linear-layer state."""
        c = float(context_tokens)
        total = 0.0
        for g in self.attention:
            if g.type in ("full", "latent"):
                total += g.layers * g.per_token_per_layer() * c
            elif g.type in ("sliding", "chunked"):
                total += g.layers * g.per_token_per_layer() * min(c, float(g.window_tokens))
            else:
                total += g.layers * float(g.state_elements or 0)
        return total

    # --- capability -----------------------------------------------------------------------------
    @property
    def quality_score(self) -> float:
        if self.capability is not None and self.capability.score is not None:
            return float(self.capability.score)
        return math.nan

    @property
    def tier_list(self) -> list[str]:
        if self.tiers:
            return list(self.tiers)
        s = self.quality_score
        return ["simple", "standard"] if not math.isnan(s) and s >= STANDARD_TIER_MIN_SCORE else ["simple"]

    @property
    def best_tier(self) -> str:
        return max(self.tier_list, key=TIERS.index)
