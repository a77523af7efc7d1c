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
                        sizing={**sizing(w), **o.serving_overrides})
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


def _sides(o: Option, tokens_per_day: float):
    """How an option enters the Monte Carlo: ("selfhost", design option, volume, extra fixed USD/month)
    for a self-hosted design or a hybrid whose rest is one (its frontier API part and router then ride
    on the API side's price and the fixed cost); ("api", USD per 1M tokens, fixed USD/month) for an
    API or a hybrid whose rest is an API."""
    if o.hybrid is not None:
        f = o.hybrid.frontier_share
        fa, rest = o.members
        if rest.design is not None:
            return ("selfhost", rest, tokens_per_day * (1 - f), o.hybrid.router_usd_per_month, fa.usd_per_mtok * f)
        return ("api", fa.usd_per_mtok * f + rest.usd_per_mtok * (1 - f), o.hybrid.router_usd_per_month)
    if o.design is not None:
        return ("selfhost", o, tokens_per_day, 0.0, 0.0)
    return ("api", o.usd_per_mtok, 0.0)


def choice_pair(d: WorkloadDecision):
    """The recommendation against the best feasible option of another kind, as one self-hosted design
    against one API price (what the engine's Monte Carlo and sensitivity take), or why not.

    Returns (self-host-side option, API-side option, base HorizonInputs, API price per 1M tokens of the
    design's own volume, ``recommended_is_selfhost_side``) or a string (the reason it is skipped). A
    hybrid's frontier share and router are folded in exactly: the API side's blended price over the
    whole volume, rescaled to the design's share; the fixed costs moved into the design's team cost.
    """
    rec, alt = d.recommended, d.runner_up
    if rec is None or alt is None:
        return "there is no feasible option of another kind to compare the recommendation with"
    w, a, T = d.workload, d.assumptions, d.tokens_per_day
    sr, sa = _sides(rec, T), _sides(alt, T)
    if sr[0] == sa[0]:
        return ("the recommendation and the runner-up are both " +
                ("API-priced: their costs move together with the uncertain inputs" if sr[0] == "api" else
                 "self-hosted designs: the Monte Carlo compares a design with an API"))
    (_, sh_opt, t_sh, fixed_sh, frontier_on_sh), (_, p_api, fixed_api) = (sr, sa) if sr[0] == "selfhost" else (sa, sr)
    share = t_sh / T if T > 0 else 1.0
    p_eff = (p_api - frontier_on_sh) / share  # the API side's bill, per token the design serves
    if not p_eff > 0:
        return "the API side costs no more than the hybrid's frontier part: the design side always wins"
    sz = {**sizing(w), **sh_opt.serving_overrides}
    base = horizon_base(sh_opt.design, a, t_sh, horizon_months=w.horizon_months, growth_per_month=w.growth_per_month,
                        api_price_decline_per_year=w.api_price_decline_per_year, sizing=sz)
    team = float(np.asarray(base.design.ops_team_usd_month)) + fixed_sh - fixed_api
    base = base.with_values(ops_team_usd_month=team)
    side_s = rec if sr[0] == "selfhost" else alt
    side_a = alt if side_s is rec else rec
    return side_s, side_a, base, float(p_eff), side_s is rec


def decision_uncertainty(d: WorkloadDecision, *, monte_carlo: int | None = None, seed: int = 0,
                         sensitivity: bool = False, monthly: bool = False) -> UncertaintyOut | None:
    """The horizon section (and Monte Carlo / sensitivity of the recommendation against the best
    option of another kind, when asked) of one workload decision."""
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
    if not (monte_carlo or sensitivity):
        return out
    pair = choice_pair(d)
    if isinstance(pair, str):
        out.skipped = "Monte Carlo and sensitivity skipped: " + pair
        return out
    side_s, side_a, base, p_eff, rec_is_s = pair
    out.selfhost, out.api = side_s.id, side_a.id
    out.recommended, out.alternative = d.recommended.id, d.runner_up.id
    try:
        sec = uncertainty_sections(base, True, [(side_a.id, p_eff)], rented=side_s.rest.design.rented
                                   if side_s.hybrid is not None else side_s.design.rented,
                                   monte_carlo=monte_carlo, seed=seed, sensitivity=sensitivity,
                                   distributions=sized_distributions(side_s, base, w.uncertainty) or None)
    except InputError as e:
        raise InputError(f"workloads[{w.name}].uncertainty: {e}") from None
    out.horizon, out.monte_carlo, out.sensitivity = sec.get("horizon"), sec.get("monte_carlo"), sec.get("sensitivity")
    if out.monte_carlo is not None and out.monte_carlo.apis:
        p = out.monte_carlo.apis[0].p_selfhost_cheaper
        out.p_recommended_cheaper = p if rec_is_s else 1.0 - p
    return out


def sized_distributions(side_s: Option, base, overrides: dict | None) -> dict:
    """The workload's distribution overrides, plus, for a design sized for its latency targets
    (docs/sizing.md), utilisation drawn at or below the sized cap: the replica already runs as busy
    as the TTFT target allows, so a busier one is a latency miss, not a saving."""
    out = dict(overrides or {})
    o = side_s.rest if side_s.hybrid is not None else side_s
    if (o.sizing or {}).get("method") == "load" and "utilization" not in out:
        u = float(base.value("utilization"))
        out["utilization"] = {"dist": "triangular", "low": 0.6 * u, "mode": u, "high": u,
                              "basis": "sized for the latency targets: at most the utilisation they allow "
                                       f"({u:.0%}); burstier traffic than planned needs up to 40% more headroom"}
    return out


_WORDS = {
    "utilization": ("mean utilisation of the replicas", lambda v: f"{v:.0%}"),
    "bandwidth_eff": ("the serving speed (memory-bandwidth efficiency of the engine)", lambda v: f"{v:.2f}"),
    "electricity_usd_kwh": ("electricity", lambda v: f"${v:.3f}/kWh"),
    "gpu_price_factor": ("the hardware price", lambda v: f"{v:.2f}x the catalog's"),
    "ops_usd_month": ("people cost per machine", lambda v: f"${v:,.0f}/month"),
    "api_price_decline_per_year": ("the yearly fall of API prices", lambda v: f"{v:.0%}"),
    "growth_per_month": ("volume growth", lambda v: f"{v:+.1%}/month"),
}


def what_would_change(d: WorkloadDecision, pair) -> list[str]:
    """Flip values of the recommendation against the runner-up, in plain words: the volume and API
    price at which they tie, and each uncertain input's value (within its physical range) at which the
    other one becomes cheaper over the horizon (the engine's one-at-a-time search). Never a nan."""
    import math

    from openvclosed.decision.selection import fmt_tokens
    from openvclosed.engine.sensitivity import sensitivity_table

    if isinstance(pair, str):
        return []
    side_s, side_a, base, p_eff, rec_is_s = pair
    other = d.runner_up.name
    out = []
    be = (side_s.rest if side_s.hybrid is not None else side_s).breakeven_against(p_eff)
    if rec_is_s and math.isfinite(be):
        out.append(f"volume: below about {fmt_tokens(be)} tokens/day of the self-hosted part, {other} can be cheaper")
    elif not rec_is_s and math.isfinite(be):
        out.append(f"volume: above about {fmt_tokens(be)} tokens/day of the self-hosted part, {other} is cheaper at "
                   f"every volume")
    r = horizon_scenario(base, p_eff)
    api_pv, sh_pv = float(np.asarray(r["api_usd"])), float(np.asarray(r["selfhost_usd"]))
    if api_pv > 0 and math.isfinite(sh_pv):
        tie = p_eff * sh_pv / api_pv
        way = "below" if tie < p_eff else "above"
        price_of = side_a.name
        out.append(f"API price: if {price_of} cost {way} ${tie:.3f} per 1M tokens of the self-hosted part's traffic "
                   f"(now ${p_eff:.3f}), {other} would be cheaper over the horizon")
    t = sensitivity_table(base, np.array([p_eff]))
    n_before = len(out)
    for j, name in enumerate(t["variable"]):
        flip, now = float(t["flip_value"][j, 0]), float(t["base_value"][j])
        if not (math.isfinite(flip) and math.isfinite(now)) or name not in _WORDS:
            continue
        what, fmt = _WORDS[name]
        way = "above" if flip > now else "below"
        out.append(f"{what} {way} {fmt(flip)} (now {fmt(now)}): {other} becomes cheaper over the horizon")
    if len(out) == n_before:
        out.append(f"no single one of utilisation, serving speed, electricity, hardware price, people cost, API price "
                   f"trend or growth makes {other} cheaper anywhere in its plausible range")
    return out
