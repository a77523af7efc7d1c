"""Result objects of ``ovc usage summarize`` and ``ovc usage reprice`` (the JSON contract)."""

from __future__ import annotations

from openvclosed.results.base import SCHEMA_VERSION, Finding, ResultModel

__all__ = ["UsageSummaryResult", "OptionCost", "RepriceResult", "ToWorkloadResult"]


class UsageSummaryResult(ResultModel):
    """Traffic statistics per model and in total, from usage logs."""

    schema_version: int = SCHEMA_VERSION
    window: dict
    files: list[dict]
    models: list[dict]
    total: dict
    findings: list[Finding]


class OptionCost(ResultModel):
    """The logged traffic on one option. Costs over the window, per month and per 1M tokens."""

    option: str
    kind: str  # closed | hosted-open | self-host
    tier: str | None
    detail: str
    usd_window: float
    usd_per_month: float
    usd_per_mtok: float
    saving_usd_per_month: float | None  # vs the traffic's catalog cost as logged (positive = cheaper)
    usd_per_month_other: float | None = None  # APIs: at the other prices (today's, or those in force then)
    # self-host only
    gpu: str | None = None
    n_gpus: int | None = None
    model: str | None = None
    quant: str | None = None
    mode: str | None = None
    fits: bool | None = None
    replicas: float | None = None
    capacity_tokens_per_day: float | None = None
    sizing_tokens_per_day: float | None = None


class RepriceResult(ResultModel):
    """The logged traffic repriced on every option; self-hosting sized for the observed peak."""

    schema_version: int = SCHEMA_VERSION
    window: dict | None = None
    files: list[dict] = []
    tokens_per_day: float
    input_share: float
    cached_share: float
    peak_to_mean: float
    resolution: str
    days: float
    sizing_tokens_per_day: float
    context_tokens: int
    actual_usd_per_month: float  # the logged traffic at the catalog prices of the models it used
    priced_at: str = "date"  # date: each day at the API prices in force then; current: today's prices
    actual_usd_per_month_other: float | None = None  # the same at the other prices (None: not computed)
    actual_priced_token_share: float
    logged_usd_per_month: float | None
    options: list[OptionCost]
    assumptions: dict
    findings: list[Finding]


class ToWorkloadResult(ResultModel):
    """``ovc usage to-workload``: the workload file written from usage logs."""

    schema_version: int = SCHEMA_VERSION
    output: str
    workloads: list[str]
    days: float
    sources: list[str]
    findings: list[Finding]
