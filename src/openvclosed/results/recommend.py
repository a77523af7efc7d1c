"""Result objects of ``ovc recommend`` (the JSON contract) and the conversion from decisions."""

from __future__ import annotations

from openvclosed.decision.options import Option
from openvclosed.decision.portfolio import Portfolio
from openvclosed.decision.recommend import WorkloadDecision
from openvclosed.results.base import SCHEMA_VERSION, Finding, ResultModel

__all__ = ["OptionOut", "RecommendationOut", "WorkloadOut", "PortfolioOut", "RecommendResult", "to_result"]


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
    findings: list[Finding]
    monte_carlo: dict | None = None
    candidates: dict = {}
    """What the workload file named under ``candidates`` (apis, models, hardware, precisions;
    empty when it named nothing): the table always shows the best option for each."""


class PortfolioOut(ResultModel):
    alone_usd_per_month: float
    shared_usd_per_month: float
    shared_design: str | None
    members: list[str]
    flipped: list[str]
    notes: list[str]


class RecommendResult(ResultModel):
    schema_version: int = SCHEMA_VERSION
    workloads: list[WorkloadOut]
    portfolio: PortfolioOut | None = None
    findings: list[Finding] = []


def option_out(o: Option) -> OptionOut:
    return OptionOut(kind=o.kind.value, id=o.id, name=o.name, tier=o.tier, model=o.model, parts=list(o.parts),
                     usd_per_month=o.usd_per_month, usd_per_mtok=o.usd_per_mtok, horizon_usd=o.horizon_usd,
                     breakeven_tokens_per_day=o.breakeven_tokens_per_day, payback_months=o.payback_months,
                     capex_usd=o.capex_usd, feasible=o.feasible, excluded_because=list(o.excluded_because),
                     notes=list(o.notes), detail=dict(o.detail))


def to_result(decisions: list[WorkloadDecision], portfolio: Portfolio | None,
              findings: list[Finding] | None = None, monte_carlo: dict | None = None) -> RecommendResult:
    out = []
    monte_carlo = monte_carlo or {}
    for d in decisions:
        w = d.workload
        out.append(WorkloadOut(
            name=w.name, tokens_per_day=d.tokens_per_day, horizon_months=w.horizon_months,
            sensitivity=w.sensitivity, task_mix=w.task_mix.model_dump(),
            recommendation=RecommendationOut(option=option_out(d.recommended) if d.recommended else None,
                                             reasons=d.reasons, switching=d.switching),
            options=[option_out(o) for o in d.options], findings=d.findings,
            candidates=w.candidates.model_dump(exclude_none=True, exclude={"deployment"}),
            **({"monte_carlo": monte_carlo[w.name]} if w.name in monte_carlo else {})))
    p = None
    if portfolio is not None:
        p = PortfolioOut(alone_usd_per_month=portfolio.alone_usd_per_month,
                         shared_usd_per_month=portfolio.shared_usd_per_month, shared_design=portfolio.design,
                         members=portfolio.members, flipped=portfolio.flipped, notes=portfolio.notes)
    return RecommendResult(workloads=out, portfolio=p, findings=findings or [])
