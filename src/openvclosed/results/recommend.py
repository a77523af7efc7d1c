"""Result objects of ``ovc recommend`` (the JSON contract, docs/json.md). A leaf: built by
:mod:`openvclosed.decision.result`, read by the renderers."""

from __future__ import annotations

from openvclosed.results.base import SCHEMA_VERSION, Finding, ResultModel
from openvclosed.results.breakeven import HorizonResult, MonteCarloResult, SensitivityResult, SizingOut  # noqa: F401

__all__ = ["DesignOut", "ComparisonOut", "SizingOut", "TotalOut", "OptionOut", "RecommendationOut", "WorkloadOut", "PortfolioOut",
           "RecommendResult", "SeriesOut", "UncertaintyOut"]


class DesignOut(ResultModel):
    """A self-hosted option's design and the engine's evaluation of it (per replica unless stated)."""

    gpu: str
    n_gpus: int
    model: str
    precision: str
    mode: str
    engine: str | None
    tp: int
    instances: int
    replicas: float | None            # whole machines deployed, spares included
    spare_replicas: float
    max_concurrent_seqs: float        # fit per instance
    batch: float                      # the decode batch per instance the cost assumes (fit, max_batch, latency cap)
    decode_tokens_per_s_single: float
    decode_tokens_per_s: float
    prefill_tokens_per_s: float
    capacity_tokens_per_day: float     # what one replica serves at the assumed utilization
    capacity_mean_tokens_per_day: float  # the mean volume one replica carries when sized for the peak
    replica_usd_per_month: float
    running_usd_per_replica_month: float
    fixed_usd_per_month: float         # the team, once per deployment
    capex_per_replica_usd: float | None
    price_basis: str
    layout_reason: str


class ComparisonOut(ResultModel):
    """A self-hosted option against the workload's reference API at its volume (the engine's comparison)."""

    api: str
    api_usd_per_month: float
    selfhost_usd_per_month: float | None
    breakeven_tokens_per_day: float | None  # above it self-hosting is cheaper at every volume; null = never
    win_intervals: list[list[float]]        # [lo, hi] tokens/day below the break-even where it wins too
    win_intervals_total: int
    payback_months: float | None
    cheaper: str                            # api | selfhost, at the workload's volume
    saving_usd_per_month: float | None


class OptionOut(ResultModel):
    kind: str
    id: str
    name: str
    tier: str
    model: str | None
    parts: list[str]
    usd_per_month: float | None
    usd_per_mtok: float | None
    horizon_usd: float | None
    breakeven_tokens_per_day: float | None
    payback_months: float | None
    capex_usd: float | None
    feasible: bool
    excluded_because: list[Finding]
    notes: list[Finding]
    detail: dict
    design: DesignOut | None = None
    comparison: ComparisonOut | None = None
    members: list["OptionOut"] = []     # a hybrid's parts as options (frontier API first)
    capability_score: float | None = None  # the model's score on the capability scale; null = unrated
    tokens_per_reference_token: float | None = None  # tokens of its tokenizer per o200k_base token (cited); null = unknown
    usd_per_mtok_reference: float | None = None  # usd_per_mtok for the text o200k_base counts as 1M tokens; null = unknown
    sizing: SizingOut | None = None  # self-hosted: how replicas were sized (load and latency, or a fixed utilisation)


class CapabilityPartOut(ResultModel):
    """One served part of the recommendation (the option itself, or each member of a hybrid)."""

    option: str
    tier_needed: str
    floor: float                         # lowest score of tier_needed (catalog.base.TIER_FLOORS)
    score: float | None                  # the part's model on the capability scale; null = unrated
    vouched: bool = False                # the score is the user's (workload `capability:`), not published


class CapabilityOut(ResultModel):
    """The capability evidence of a recommendation: each part's score next to its floor, and the
    best-scoring feasible alternative."""

    index: str
    version: str
    tier_needed: str
    floor: float
    min_capability: float | None
    parts: list[CapabilityPartOut]
    best_alternative: str | None         # the feasible option (not a hybrid) whose model scores highest
    best_alternative_score: float | None


class RecommendationOut(ResultModel):
    option: OptionOut | None
    reasons: list[str]
    switching: list[str]
    runner_up: str | None = None        # id of the best feasible option of another kind
    capability: CapabilityOut | None = None
    saving_vs_runner_up_usd: float | None = None  # runner-up minus recommended, horizon present value [USD]
    cost_shares: dict[str, float] | None = None  # added: share of the recommendation's monthly cost per term, largest first


class SeriesOut(ResultModel):
    """One option's cash month by month over the horizon [USD, undiscounted]."""

    option: str
    label: str
    kind: str
    feasible: bool = True
    usd_monthly: list[float]


class UncertaintyOut(ResultModel):
    """The horizon of a workload decision: drawn options month by month, and the recommendation against
    the best feasible option of another kind (``recommended``, ``alternative``): the side with a
    self-hosted design (``selfhost``: a design or a hybrid whose rest is one) against the API-priced side
    (``api``) — horizon, Monte Carlo with its histogram, sensitivity; savings are API side minus
    self-host side, as in ``ovc breakeven``."""

    selfhost: str | None = None
    api: str | None = None
    recommended: str | None = None
    alternative: str | None = None
    p_recommended_cheaper: float | None = None
    series: list[SeriesOut] = []
    horizon: HorizonResult | None = None
    monte_carlo: MonteCarloResult | None = None
    sensitivity: SensitivityResult | None = None
    skipped: str | None = None


class WorkloadOut(ResultModel):
    name: str
    tokens_per_day: float
    horizon_months: int
    sensitivity: str
    task_mix: dict[str, float]
    recommendation: RecommendationOut
    options: list[OptionOut]
    findings: list[Finding]
    monte_carlo: dict | None = None
    candidates: dict = {}
    """What the workload file named under ``candidates`` (apis, models, hardware, precisions;
    empty when it named nothing): the table always shows the best option for each."""
    uncertainty: UncertaintyOut | None = None
    reference_api: str | None = None


class PortfolioOut(ResultModel):
    alone_usd_per_month: float
    shared_usd_per_month: float
    shared_design: str | None
    members: list[str]
    flipped: list[str]
    notes: list[str]


class TotalOut(ResultModel):
    """The recommended options of every workload added up (each workload alone, before any sharing)."""

    workloads: int  # workloads with a recommendation
    without_recommendation: list[str]  # names of workloads that have none (not in the sums)
    usd_per_month: float
    horizon_usd: float  # sum of present values, each over its workload's own horizon
    capex_usd: float  # owned hardware bought up front


class RecommendResult(ResultModel):
    schema_version: int = SCHEMA_VERSION
    workloads: list[WorkloadOut]
    portfolio: PortfolioOut | None = None
    total: TotalOut | None = None  # added: the sum over workloads of their recommended options
    findings: list[Finding] = []
