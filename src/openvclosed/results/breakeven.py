"""Result objects shared by every renderer (table, JSON, markdown).

These pydantic models *are* the JSON contract (``docs/json.md``): field names and meanings
are stable; new fields may be added. "Never" is ``null`` in JSON (``inf`` internally).
"""

from __future__ import annotations

from typing import Literal

from openvclosed.results.base import SCHEMA_VERSION, Finding, ResultModel

__all__ = ["ResultModel", "Finding", "SizingOut", "SelfHostResult", "ApiComparison", "BreakevenResult", "FitRow", "FitResult", "ServingPoint", "SCHEMA_VERSION",
           "HorizonApi", "HorizonResult", "MonteCarloApi", "MonteCarloResult", "SensitivityRow", "SensitivityApi",
           "SensitivityResult"]

class LicenseInfo(ResultModel):
    name: str
    spdx: str | None = None
    url: str | None = None
    commercial_use: bool
    mau_limit: int | None
    mau_basis: str | None = None          # at_release | ongoing
    conditions: list[dict]                # kind, thresholds, basis, effect, text (catalog licence conditions)


class ServingPoint(ResultModel):
    """Steady state of the machine at the row's load (engine/serving.py ``serving_point``)."""

    output_tokens_per_s: float
    """Output tokens/s of the whole machine, prompts prefilled in the same steps (chunked prefill)."""
    tpot_ms: float | None
    """Time per output token of one request [ms] (None where the design does not fit)."""
    ttft_ms: float | None
    """Time to first token of an unqueued request [ms]: its prompt at the prefill rate plus one step."""
    concurrency: float | None
    """Requests in flight on the machine as given (None: every instance fully loaded)."""
    batch_per_instance: float
    tp: int
    pp: int
    instances: int
    input_tokens: float
    output_tokens: float


class SizingOut(ResultModel):
    """How a self-hosted design was sized (docs/sizing.md). ``method`` "load": for the busy-hour load and
    the latency targets (queueing at each instance); "fixed": at ``utilization_fixed``."""

    method: str
    peak_to_mean: float
    replicas_serving: float | None = None
    utilization_mean: float | None = None  # mean tokens/s / (serving replicas x full-load tokens/s)
    utilization_peak: float | None = None  # at the busy hour (x peak_to_mean)
    utilization_fixed: float | None = None
    utilization_peak_max: float | None = None  # the highest busy-hour utilisation that meets the targets
    batch: float | None = None  # decode batch per instance the design runs at
    tpot_ms: float | None = None
    ttft_unqueued_ms: float | None = None
    ttft_p95_ms: float | None = None  # at utilization_peak_max, queueing included
    ttft_target_ms: float | None = None
    tpot_target_ms: float | None = None
    ttft_target_basis: str | None = None
    tpot_target_basis: str | None = None
    limit: str | None = None  # what stops a larger batch: tpot, ttft, memory or latency (no batch meets the targets)


class SelfHostResult(ResultModel):
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
    openness_links: dict[str, str | None] = {}
    tiers: list[str]
    capability: dict | None = None        # the comparable capability evidence (index, version, score)
    engine: str = "vllm"                  # serving engine whose calibrated profile models throughput
    tp: int = 1                           # tensor-parallel degree of one model instance
    instances: int = 1                    # model instances per machine (n_gpus / tp)
    layout_reason: str = ""
    price_basis: str = ""                 # what the hardware price rests on
    spare_replicas: float = 0.0           # included in replicas
    capacity_mean_tokens_per_day: float | None = None  # mean volume one replica carries (sized for the peak)
    fixed_usd_per_month: float = 0.0      # team cost of the deployment, once
    serving: ServingPoint | None = None
    sizing: SizingOut | None = None  # added: with --ttft-p95-ms / --tpot-p95-ms / --requests-per-second (docs/sizing.md)
    """The steady state replicas are sized with, at the workload's lengths (fully loaded)."""


class ApiComparison(ResultModel):
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
    win_intervals: list[list[float]] = []  # [lo, hi] tokens/day below the break-even where self-hosting wins too
    win_intervals_total: int = 0           # how many such intervals there are (the first few are listed)
    source: str
    as_of: str
    catalog: str


class HorizonApi(ResultModel):
    """One API against self-hosting over the horizon (present values, discounted at ``rate``)."""

    api: str
    api_usd: float
    selfhost_usd: float
    saving_usd: float
    cheaper: Literal["api", "selfhost"]
    crossover_month: float | None
    api_usd_monthly: list[float] | None = None   # cash per month (report charts; null unless drawn)


class HorizonResult(ResultModel):
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
    selfhost_usd_monthly: list[float] | None = None  # cash per month (report charts; null unless drawn)


class MonteCarloApi(ResultModel):
    api: str
    p_selfhost_cheaper: float
    saving_usd_mean: float | None
    saving_usd_p10: float | None
    saving_usd_p50: float | None
    saving_usd_p90: float | None
    crossover_month_p10: float | None
    crossover_month_p50: float | None
    crossover_month_p90: float | None
    histogram: dict | None = None         # edges [USD] and counts of the same samples the quantiles summarise


class MonteCarloResult(ResultModel):
    n: int
    seed: int | None
    horizon_months: int
    distributions: dict[str, dict[str, float | str]]
    apis: list[MonteCarloApi]


class SensitivityRow(ResultModel):
    variable: str
    base_value: float
    low: float
    high: float
    saving_usd_low: float | None
    saving_usd_high: float | None
    swing_usd: float | None
    flip_value: float | None


class SensitivityApi(ResultModel):
    api: str
    base_saving_usd: float | None
    rows: list[SensitivityRow]


class SensitivityResult(ResultModel):
    horizon_months: int
    apis: list[SensitivityApi]


class BreakevenResult(ResultModel):
    schema_version: int = SCHEMA_VERSION
    tokens_per_day: float
    tokens_per_month: float
    selfhost: SelfHostResult
    apis: list[ApiComparison]
    assumptions: dict[str, float | int | str | bool | None]
    findings: list[Finding]
    summary: str
    horizon: HorizonResult | None = None
    monte_carlo: MonteCarloResult | None = None
    sensitivity: SensitivityResult | None = None


class FitRow(ResultModel):
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
    serving: ServingPoint | None = None


class FitResult(ResultModel):
    schema_version: int = SCHEMA_VERSION
    model: str
    model_name: str
    gpu: str
    gpu_name: str
    context_tokens: int
    rows: list[FitRow]
    max_batch: int | None = None
    """Cap on concurrent sequences: a row's memory used and aggregate tok/s are at
    min(max_batch, max_concurrent_seqs) sequences."""
    suggestions: list[str]
    findings: list[Finding]
