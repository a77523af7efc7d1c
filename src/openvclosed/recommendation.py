"""Result objects of ``ovc recommend`` (the JSON contract) and the conversion from decisions."""

from __future__ import annotations

from openvclosed.decision import Option, Portfolio, WorkloadDecision
from openvclosed.results import ResultModel

__all__ = ["OptionOut", "RecommendationOut", "WorkloadOut", "PortfolioOut", "RecommendResult", "to_result"]


class OptionOut(ResultModel):
    kind: str
    name: str
    tier: str
    usd_per_month: float | None
    usd_per_mtok: float | None
    horizon_usd: float | None
    breakeven_tokens_per_day: float | None
    payback_months: float | None
    capex_usd: float | None
    feasible: bool
    excluded_because: list[str]
    notes: list[str]
    detail: dict


class RecommendationOut(ResultModel):
    option: OptionOut | None
    reasons: list[str]
    switching: list[str]


class WorkloadOut(ResultModel):
    name: str
    tokens_per_day: float
    horizon_months: int
    sensitivity: str
    task_mix: dict[str, float]
    recommendation: RecommendationOut
    options: list[OptionOut]
    warnings: list[str]
    monte_carlo: dict | None = None


class PortfolioOut(ResultModel):
    alone_usd_per_month: float
    shared_usd_per_month: float
    shared_design: str | None
    members: list[str]
    flipped: list[str]
    notes: list[str]


class RecommendResult(ResultModel):
    schema_version: int = 1
    workloads: list[WorkloadOut]
    portfolio: PortfolioOut | None = None
    warnings: list[str] = []


def _opt(o: Option) -> OptionOut:
    return OptionOut(kind=o.kind, name=o.name, tier=o.tier, usd_per_month=o.usd_per_month, usd_per_mtok=o.usd_per_mtok,
                     horizon_usd=o.horizon_usd, breakeven_tokens_per_day=o.breakeven_tokens_per_day,
                     payback_months=o.payback_months, capex_usd=o.capex_usd, feasible=o.feasible,
                     excluded_because=list(o.excluded_because), notes=list(o.notes), detail=dict(o.detail))


def to_result(decisions: list[WorkloadDecision], portfolio: Portfolio | None,
              warnings: list[str] | None = None, monte_carlo: dict | None = None) -> RecommendResult:
    out = []
    monte_carlo = monte_carlo or {}
    for d in decisions:
        w = d.workload
        out.append(WorkloadOut(
            name=w.name, tokens_per_day=d.tokens_per_day, horizon_months=w.horizon_months,
            sensitivity=w.sensitivity, task_mix=w.task_mix.model_dump(),
            recommendation=RecommendationOut(option=_opt(d.recommended) if d.recommended else None,
                                             reasons=d.reasons, switching=d.switching),
            options=[_opt(o) for o in d.options], warnings=d.warnings,
            **({"monte_carlo": monte_carlo[w.name]} if w.name in monte_carlo else {})))
    p = None
    if portfolio is not None:
        p = PortfolioOut(alone_usd_per_month=portfolio.alone_usd_per_month,
                         shared_usd_per_month=portfolio.shared_usd_per_month, shared_design=portfolio.design,
                         members=portfolio.members, flipped=portfolio.flipped, notes=portfolio.notes)
    return RecommendResult(workloads=out, portfolio=p, warnings=warnings or [])
