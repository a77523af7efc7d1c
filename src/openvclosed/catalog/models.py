"""Open-weight model entries: attention per layer type, MoE, precisions, structured licences,
openness with links, capability evidence."""

from __future__ import annotations

import datetime as dt  # noqa: F401
import math
from typing import Literal

from pydantic import Field, field_validator, model_validator

from openvclosed.catalog.base import _Entry, _Strict
from openvclosed.units import normalize_name

from openvclosed.catalog.base import TIERS, Tier, tiers_for_score

__all__ = ["LicenseCondition", "License", "OpennessItem", "Openness", "AttentionGroup", "Moe", "Precision",
           "Capability", "Quality", "ModelEntry"]


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
    def _mau_condition(self) -> LicenseCondition | None:
        return next((c for c in self.conditions if c.kind == "mau_limit" and c.mau), None)

    @property
    def mau_limit(self) -> int | None:
        """The monthly-active-user threshold of a ``mau_limit`` condition (None when there is none)."""
        c = self._mau_condition
        return c.mau if c else None

    @property
    def mau_basis(self) -> str | None:
        """How that threshold is counted (e.g. at release or ongoing; None when there is none)."""
        c = self._mau_condition
        return c.basis if c else None


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
    retired: dt.date | None = Field(None, description="Date the developer retired this release (its API name may route elsewhere).")
    successor: str | None = Field(None, description="The release the retired name routes to.")
    params_b: float = Field(gt=0, description="Total parameters [1e9].")
    active_params_b: float = Field(gt=0, description="Parameters active per token [1e9] (MoE < total).")
    context_tokens: int = Field(gt=0)
    layers: int = Field(gt=0)
    hidden_size: int | None = Field(None, gt=0)
    vocab_size: int | None = Field(None, gt=0)
    tied_embeddings: bool | None = Field(None, description=(
        "config.json tie_word_embeddings: false = a separate input-embedding table, looked up one row per token "
        "(not read by a decode step); true = the output head is that table; null = the config was not read (the "
        "table counts as read)."))
    embeddings_source: str | None = None
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
        if d.get("attention") and (kv_heads is not None or head_dim is not None or per_layer is not None):
            raise ValueError("kv_heads/head_dim: this model describes its layers under attention; change the "
                             "attention groups instead (the flat fields would be ignored)")
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
        kv = self.kv_elements_per_seq(1)
        if not (kv > 0 and math.isfinite(kv)):  # kv_heads 0 in a group = layers sharing another group's cache
            raise ValueError("attention: no layer group keeps a KV cache or state (kv_heads, head_dim or "
                             "state_elements 0 in every group), so any number of sequences would fit; at least "
                             "one group must hold the cache the others share")
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
    def lookup_params_b(self) -> float:
        """Parameters of an untied input-embedding table [1e9]: vocab x hidden, looked up one row per
        token instead of read by every decode step (0 when tied or not known). Llama 3.1 8B
        (untied, 128,256 x 4,096): 0.525B of its 8.03B (tests/test_serving_point.py checks the step time).

        >>> from openvclosed.catalog import load_catalog
        >>> cat = load_catalog([], include_env=False)
        >>> cat.model("llama-3.1-8b").lookup_params_b, cat.model("llama-3.2-3b").lookup_params_b   # untied, tied
        (0.525336576, 0.0)
        """
        if self.tied_embeddings is False and self.vocab_size and self.hidden_size:
            return self.vocab_size * self.hidden_size / 1e9
        return 0.0

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
        """Task tiers this model serves: from its score on the one capability scale and the tier
        floors (:func:`openvclosed.catalog.base.tiers_for_score`); unrated models serve ``simple``.
        Explicit ``tiers`` count only from a user catalog (the user vouches); bundled entries never
        set the tier by hand."""
        if self.tiers and self.catalog != "bundled":
            return list(self.tiers)
        return tiers_for_score(self.capability.score if self.capability else None)

    @property
    def best_tier(self) -> str:
        return max(self.tier_list, key=TIERS.index)
