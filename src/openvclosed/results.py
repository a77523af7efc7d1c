"""Result objects shared by every renderer (table, JSON, markdown).

These pydantic models *are* the JSON contract (``docs/json.md``): field names and meanings
are stable; new fields may be added. "Never" is ``null`` in JSON (``inf`` internally).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_serializer

__all__ = ["SelfHostResult", "ApiComparison", "BreakevenResult", "FitRow", "FitResult", "SCHEMA_VERSION",
           "HorizonApi", "HorizonResult", "MonteCarloApi", "MonteCarloResult", "SensitivityRow", "SensitivityApi",
           "SensitivityResult"]

SCHEMA_VERSION = 1


def _finite(v: float | None) -> float | None:
    if v is None or (isinstance(v, float) and (math.isnan(v) or math.isinf(v))):
        return None
    return round(v, 6) if isinstance(v, float) else v


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_serializer("*", when_used="json")
    def _ser(self, v):
        if isinstance(v, float):
            return _finite(v)
        return v


class LicenseInfo(_Out):
    name: str
    commercial_use: bool
    mau_limit: int | None
    conditions: list[str]


class SelfHostResult(_Out):
    gpu: str
    gpu_name: str
    n_gpus: int
    mode: Literal["owned", "rented"]
    model: str
    model_name: str
    quant: str
    weight_bits: float
    fits: bool
    weights_gb: float
    kv_gb_per_seq: float
    usable_vram_gb: float
    max_concurrent_seqs: float
    decode_tokens_per_s: float
    decode_tokens_per_s_single: float
    prefill_tokens_per_s: float
    throughput_source: Literal["roofline", "measured"]
    capacity_tokens_per_day: float
    replicas: float
    usd_per_month: float
    usd_per_mtok: float
    replica_usd_per_month: float
    cost_breakdown_usd_per_month: dict[str, float]
    capex_usd: float | None
    license: LicenseInfo
    openness: dict[str, bool]
    tiers: list[str]


class ApiComparison(_Out):
    api: str
    provider: str
    model: str
    kind: Literal["closed", "hosted-open"]
    tier: str
    usd_per_month: float
    usd_per_mtok: float
    breakeven_tokens_per_day: float | None
    payback_months: float | None
    cheaper: Literal["api", "selfhost"]
    saving_usd_per_month: float
    source: str
    as_of: str
    catalog: str


class HorizonApi(_Out):
    """One API against self-hosting over the horizon (present values, discounted at ``rate``)."""

    api: str
    api_usd: float
    selfhost_usd: float
    saving_usd: float
    cheaper: Literal["api", "selfhost"]
    crossover_month: float | None


class HorizonResult(_Out):
    horizon_months: int
    growth_per_month: float
    api_price_decline_per_year: float
    rate: float
    tokens_per_day_end: float
    replicas_end: float | None
    selfhost_capex_usd: float
    selfhost_residual_usd: float
    residual_credited: bool
    apis: list[HorizonApi]


class MonteCarloApi(_Out):
    api: str
    p_selfhost_cheaper: float
    saving_usd_mean: float | None
    saving_usd_p10: float | None
    saving_usd_p50: float | None
    saving_usd_p90: float | None
    crossover_month_p10: float | None
    crossover_month_p50: float | None
    crossover_month_p90: float | None


class MonteCarloResult(_Out):
    n: int
    seed: int | None
    horizon_months: int
    distributions: dict[str, dict[str, float | str]]
    apis: list[MonteCarloApi]


class SensitivityRow(_Out):
    variable: str
    base_value: float
    low: float
    high: float
    saving_usd_low: float | None
    saving_usd_high: float | None
    swing_usd: float | None
    flip_value: float | None


class SensitivityApi(_Out):
    api: str
    base_saving_usd: float | None
    rows: list[SensitivityRow]


class SensitivityResult(_Out):
    horizon_months: int
    apis: list[SensitivityApi]


class BreakevenResult(_Out):
    schema_version: int = SCHEMA_VERSION
    tokens_per_day: float
    tokens_per_month: float
    selfhost: SelfHostResult
    apis: list[ApiComparison]
    assumptions: dict[str, float | int | str | bool | None]
    warnings: list[str]
    summary: str
    horizon: HorizonResult | None = None
    monte_carlo: MonteCarloResult | None = None
    sensitivity: SensitivityResult | None = None


class FitRow(_Out):
    n_gpus: int
    quant: str
    weight_bits: float
    fits: bool
    weights_gb: float
    usable_vram_gb: float
    vram_used_gb: float
    vram_free_gb: float
    max_concurrent_seqs: float
    decode_tokens_per_s_single: float
    decode_tokens_per_s_aggregate: float
    quality_risk: str | None


class FitResult(_Out):
    schema_version: int = SCHEMA_VERSION
    model: str
    model_name: str
    gpu: str
    gpu_name: str
    context_tokens: int
    rows: list[FitRow]
    suggestions: list[str]
    warnings: list[str]
