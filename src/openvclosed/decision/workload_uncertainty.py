"""A workload decision over its horizon: each drawn option's cash month by month, and — when asked —
Monte Carlo and sensitivity of the best self-hosted design against the reference API. Computed once
here; the table, JSON and HTML report render it."""

from __future__ import annotations

import numpy as np

from openvclosed.decision.candidates import sizing
from openvclosed.decision.options import Option, OptionKind, WorkloadDecision
from openvclosed.decision.uncertainty import horizon_base, uncertainty_sections
from openvclosed.engine.horizon import horizon_costs, horizon_scenario
from openvclosed.errors import InputError
from openvclosed.results.recommend import SeriesOut, UncertaintyOut

__all__ = ["decision_uncertainty", "drawn_apis"]


def drawn_apis(d: WorkloadDecision) -> list[Option]:
    """The APIs a workload's charts draw: the reference API first, then the cheapest feasible closed
    and hosted-open API, the recommendation if it is one; when none is feasible, the cheapest API
    the rules exclude (for scale)."""
    feas = [o for o in d.options if o.feasible and o.is_api]
    out = [d.reference_api] if d.reference_api is not None else []
    for kind in (OptionKind.closed_api, OptionKind.hosted_open_api):
        first = min((o for o in feas if o.kind is kind), key=lambda o: o.usd_per_mtok, default=None)
        if first is not None and first not in out:
            out.append(first)
    if d.recommended is not None and d.recommended.is_api and d.recommended not in out:
        out.append(d.recommended)
    if not out:
        cheapest = min((o for o in d.options if o.is_api and np.isfinite(o.usd_per_mtok)),
                       key=lambda o: o.usd_per_mtok, default=None)
        out = [cheapest] if cheapest is not None else []
    return out


def _api_monthly(tokens_per_day: float, usd_per_mtok: float, w, a) -> list[float]:
    r = horizon_costs(tokens_per_day, usd_per_mtok, np.inf, 0.0, 0.0, horizon_months=w.horizon_months,
                      growth_per_month=w.growth_per_month, api_price_decline_per_year=w.api_price_decline_per_year,
                      rate=a.rate, days_per_month=a.days_per_month, monthly=True)
    return [float(v) for v in np.asarray(r["api_usd_monthly"])]


def _selfhost_monthly(o: Option, tokens_per_day: float, w, a) -> list[float]:
    base = horizon_base(o.design, a, tokens_per_day, horizon_months=w.horizon_months,
                        growth_per_month=w.growth_per_month, api_price_decline_per_year=w.api_price_decline_per_year,
                        sizing=sizing(w))
    r = horizon_scenario(base, 0.0, monthly=True)
    return [float(v) for v in np.asarray(r["selfhost_usd_monthly"])]


def _monthly(o: Option, tokens_per_day: float, w, a) -> list[float]:
    if o.hybrid is not None:
        f = o.hybrid.frontier_share
        fa, rest = o.members
        parts = [_monthly(fa, tokens_per_day * f, w, a), _monthly(rest, tokens_per_day * (1 - f), w, a)]
        return [x + y + o.hybrid.router_usd_per_month for x, y in zip(*parts)]
    if o.design is not None:
        return _selfhost_monthly(o, tokens_per_day, w, a)
    return _api_monthly(tokens_per_day, o.usd_per_mtok, w, a)


def decision_uncertainty(d: WorkloadDecision, *, monte_carlo: int | None = None, seed: int = 0,
                         sensitivity: bool = False, monthly: bool = False) -> UncertaintyOut | None:
    """The horizon section (and Monte Carlo / sensitivity when asked) of one workload decision."""
    if not (monte_carlo or sensitivity or monthly):
        return None
    w, a, T = d.workload, d.assumptions, d.tokens_per_day
    sh = next((o for o in d.options if o.feasible and o.is_self_host), None)
    apis = drawn_apis(d)
    out = UncertaintyOut(selfhost=sh.id if sh else None, api=d.reference_api.id if d.reference_api else None)
    if monthly:
        drawn = [o for o in [d.recommended, sh, *apis] if o is not None]
        seen = set()
        for o in drawn:
            if o.id in seen:
                continue
            seen.add(o.id)
            out.series.append(SeriesOut(option=o.id, label=o.name, kind=o.kind.value, feasible=o.feasible,
                                        usd_monthly=_monthly(o, T, w, a)))
    if (monte_carlo or sensitivity) and sh is not None and d.reference_api is not None:
        base = horizon_base(sh.design, a, T, horizon_months=w.horizon_months, growth_per_month=w.growth_per_month,
                            api_price_decline_per_year=w.api_price_decline_per_year, sizing=sizing(w))
        try:
            sec = uncertainty_sections(base, True, [(d.reference_api.id, d.reference_api.usd_per_mtok)],
                                       rented=sh.design.rented, monte_carlo=monte_carlo, seed=seed,
                                       sensitivity=sensitivity, distributions=w.uncertainty or None)
        except InputError as e:
            raise InputError(f"workloads[{w.name}].uncertainty: {e}") from None
        out.horizon, out.monte_carlo, out.sensitivity = sec.get("horizon"), sec.get("monte_carlo"), sec.get("sensitivity")
    elif monte_carlo or sensitivity:
        out.skipped = ("Monte Carlo and sensitivity need a feasible self-hosted design and a feasible API to "
                       "compare; " + ("no self-hosted design is feasible" if sh is None else "no API is feasible"))
    return out
