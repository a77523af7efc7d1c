"""The decision layer: workloads -> options -> rules with reasons -> ranking -> recommendation.

Every option of a workload is priced (:mod:`openvclosed.decision.candidates`: APIs, and the
self-hosted designs in one call of the one cost path), the rules of docs/methodology.md leave
typed findings on them, feasible options are ranked by present value over the workload's horizon,
and each self-hosted option is compared with the workload's reference API (the cheapest feasible
one) by :func:`openvclosed.engine.breakeven.compare_with_api`. :func:`recommend_file` is the one
decision function of ``ovc recommend``, ``ovc check`` and ``ovc report``. No I/O.
"""

from __future__ import annotations

import datetime as dt

from openvclosed.catalog import Catalog
from openvclosed.decision.candidates import (api_options, candidate_designs, selfhost_options, sizing)
from openvclosed.decision.hybrid import hybrid_option
from openvclosed.decision.options import API_KINDS, Option, WorkloadDecision, tier_needed
from openvclosed.decision.portfolio import Portfolio, portfolio
from openvclosed.decision.reasons import reasons_for
from openvclosed.decision.selection import (DatedPrice, api_price_date, apply_output_multiplier, gpu_price_dates,
                                            stale_findings)
from openvclosed.decision.workload import Workload, WorkloadFile, check_candidates
from openvclosed.engine.breakeven import comparison
from openvclosed.errors import InputError
from openvclosed.results.base import Finding

__all__ = ["WorkloadDecision", "decide_workload", "decide_file", "price_dates", "recommend_file", "Recommendation"]


def _family(o: Option) -> str:
    return "api" if o.is_api else "sh" if o.is_self_host else o.kind.value


def compare_option(o: Option, api: Option, tokens_per_day: float) -> dict:
    """A self-hosted option against an API at the workload's volume (:func:`openvclosed.engine.breakeven.comparison`)."""
    return dict(comparison(tokens_per_day, api.usd_per_mtok, o.figures), api=api.id)


def decide_workload(catalog: Catalog, w: Workload, rules: dict, as_of=None) -> WorkloadDecision:
    a = w.resolved_assumptions()
    if as_of is not None:
        a = a.model_copy(update={"as_of": as_of})
    T, a, findings = apply_output_multiplier(w.total_tokens_per_day, a)
    from openvclosed.decision.breakeven import future_as_of_findings

    findings += future_as_of_findings(a.as_of, dt.date.today())
    catalog = catalog.with_capability(w.capability, f"workloads[{w.name}].capability (vouched for by the user)")
    needed = tier_needed(w)
    options = api_options(catalog, w, rules, a, T, needed)
    designs = candidate_designs(catalog, w)
    every: list[Option] = []
    if designs:
        best, every = selfhost_options(catalog, w, rules, a, T, needed, designs)
        options += best
    if 0 < w.task_mix.frontier < 1:
        hyb = hybrid_option(catalog, w, rules, a, options, every, T, sizing(w))
        if hyb:
            options.append(hyb)
    feas_api = [o for o in options if o.feasible and o.kind in API_KINDS]
    reference = min(feas_api, key=lambda o: o.usd_per_mtok, default=None)
    for o in options:
        for m in [o, *o.members]:
            if m.is_self_host and m.figures is not None and reference is not None and (m.feasible or m is not o):
                m.comparison = compare_option(m, reference, T if m is o else T * (1 - w.task_mix.frontier))
                m.reference_api = reference.id
                m.breakeven_tokens_per_day = m.comparison["breakeven_tokens_per_day"]
                m.payback_months = m.comparison["payback_months"]
    ranked = sorted([o for o in options if o.feasible], key=lambda o: (o.horizon_usd, o.usd_per_month))
    excluded = [o for o in options if not o.feasible]
    options = ranked + sorted(excluded, key=lambda o: (o.kind.value, o.name))
    rec = ranked[0] if ranked else None
    runner = next((o for o in ranked[1:] if rec is not None and _family(o) != _family(rec)), None)
    reasons, switching = reasons_for(w, rec, runner, options, reference)
    if rec is None:
        findings.append(Finding(code="no_option", severity="warning", ids=[w.name],
                                message="no option satisfies every constraint; see excluded_because on each option"))
    return WorkloadDecision(w, T, options, rec, reasons, switching, findings, runner_up=runner,
                            reference_api=reference, assumptions=a,
                            selfhost_feasible=[o for o in every if o.feasible])


def decide_file(catalog: Catalog, wf: WorkloadFile, only: str | None = None, as_of=None):
    """Decide every workload of a file (or ``only`` one); returns (decisions, portfolio or None)."""
    check_candidates(wf, catalog)  # names in candidates: file and field in the message
    ws = wf.workloads
    if only:
        ws = [w for w in ws if w.name == only]
        if not ws:
            raise InputError(f"--workload: {only!r} not in the file; workloads: {', '.join(x.name for x in wf.workloads)}")
    rules = wf.rules()
    if as_of is not None:  # the prices valid then
        catalog = catalog.at(as_of)
    decisions = [decide_workload(catalog, w, rules, as_of) for w in ws]
    return decisions, (portfolio(decisions) if len(decisions) > 1 else None)


def price_dates(catalog: Catalog, decisions: list[WorkloadDecision]) -> list[DatedPrice]:
    """Every price the recommended options rest on, dated, for staleness checks."""
    items: list[DatedPrice] = []
    for d in decisions:
        o = d.recommended
        if o is None:
            continue
        a = d.assumptions.model_copy(update={"gpu_price_usd": None, "gpu_hour_usd": None})
        for part in [o, *o.members]:
            if part.api is not None:
                items.append(api_price_date(part.api))
            if part.design is not None:
                items += gpu_price_dates(part.design.gpu, a, part.design.rented)
    return sorted(set(items), key=lambda x: (x.kind, x.id, x.label))


class Recommendation:
    """What :func:`recommend_file` decides: the decisions, the portfolio, the stale-price findings and
    the result object every renderer formats."""

    def __init__(self, decisions, portfolio_, findings, result):
        self.decisions: list[WorkloadDecision] = decisions
        self.portfolio: Portfolio | None = portfolio_
        self.findings: list[Finding] = findings
        self.result = result

    def __iter__(self):  # decisions, portfolio, findings, result = recommend_file(...)
        return iter((self.decisions, self.portfolio, self.findings, self.result))


def recommend_file(catalog: Catalog, wf: WorkloadFile, *, only: str | None = None, as_of=None,
                   monte_carlo: int | None = None, seed: int = 0, sensitivity: bool = False,
                   max_age_days: int = 90, max_hardware_age_days: int = 365, monthly: bool = False) -> Recommendation:
    """Everything ``ovc recommend``, ``ovc check`` and ``ovc report`` compute for a workload file: the
    decisions, the portfolio, the stale-price findings (once) and the result object (one path)."""
    from openvclosed.decision.result import to_result
    from openvclosed.decision.workload_uncertainty import choice_pair, decision_uncertainty, what_would_change

    decisions, port = decide_file(catalog, wf, only, as_of=as_of)
    findings = stale_findings(price_dates(catalog, decisions), as_of or dt.date.today(), max_age_days,
                              max_hardware_age_days)
    for d in decisions:
        d.uncertainty = decision_uncertainty(d, monte_carlo=monte_carlo, seed=seed, sensitivity=sensitivity,
                                             monthly=monthly)
        d.switching += what_would_change(d, choice_pair(d))
    return Recommendation(decisions, port, findings, to_result(decisions, port, findings))
