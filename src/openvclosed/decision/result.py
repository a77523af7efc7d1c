"""Decisions -> the result objects every renderer formats (the one conversion)."""

from __future__ import annotations

import math

from openvclosed.decision.options import Option, WorkloadDecision
from openvclosed.decision.portfolio import Portfolio
from openvclosed.results.base import Finding
from openvclosed.units import normalize_name
from openvclosed.catalog.apis import usd_per_mtok_reference
from openvclosed.catalog.base import CAPABILITY_INDEX, CAPABILITY_VERSION, TIER_FLOORS
from openvclosed.decision.options import OptionKind, rest_tier_needed, tier_needed
from openvclosed.results.recommend import (CapabilityOut, CapabilityPartOut, ComparisonOut, DesignOut, OptionOut, SizingOut, TotalOut,
                                           PortfolioOut, RecommendationOut, RecommendResult, WorkloadOut)

__all__ = ["to_result", "option_out", "capability_out"]


def _design_out(o: Option) -> DesignOut | None:
    if o.design is None or o.figures is None:
        return None
    d, f = o.design, o.fig
    dpm = f("days_per_month")
    reps = f("replicas")
    return DesignOut(gpu=d.gpu.id, n_gpus=d.n_gpus, model=d.model.id, precision=d.precision, mode=d.mode,
                     engine=o.engine, tp=int(f("tp")), instances=int(f("instances")),
                     replicas=reps if math.isfinite(reps) else None, spare_replicas=f("spare_replicas"),
                     max_concurrent_seqs=f("max_seqs"), batch=f("batch"), decode_tokens_per_s_single=f("decode_tokens_per_s_single"),
                     decode_tokens_per_s=f("decode_tokens_per_s"), prefill_tokens_per_s=f("prefill_tokens_per_s"),
                     capacity_tokens_per_day=f("capacity_tokens_per_day"),
                     capacity_mean_tokens_per_day=f("capacity_mean_tokens_per_day"),
                     replica_usd_per_month=f("replica_usd_per_day") * dpm,
                     running_usd_per_replica_month=f("running_usd_per_replica_day") * dpm,
                     fixed_usd_per_month=f("fixed_usd_per_day") * dpm, capex_per_replica_usd=f("capex_per_replica_usd"),
                     price_basis=o.price_basis, layout_reason=o.layout_reason)


def _comparison_out(o: Option) -> ComparisonOut | None:
    c = o.comparison
    if c is None:
        return None
    return ComparisonOut(api=c["api"], api_usd_per_month=c["api_usd_per_month"],
                         selfhost_usd_per_month=c["selfhost_usd_per_month"],
                         breakeven_tokens_per_day=c["breakeven_tokens_per_day"], win_intervals=c["win_intervals"],
                         win_intervals_total=c["win_intervals_total"], payback_months=c["payback_months"],
                         cheaper="selfhost" if c["selfhost_cheaper"] else "api",
                         saving_usd_per_month=c["saving_usd_per_month"])


def option_out(o: Option) -> OptionOut:
    return OptionOut(kind=o.kind.value, id=o.id, name=o.name, tier=o.tier, model=o.model, parts=list(o.parts),
                     usd_per_month=o.usd_per_month, usd_per_mtok=o.usd_per_mtok, horizon_usd=o.horizon_usd,
                     breakeven_tokens_per_day=o.breakeven_tokens_per_day, payback_months=o.payback_months,
                     capex_usd=o.capex_usd, feasible=o.feasible, excluded_because=list(o.excluded_because),
                     notes=list(o.notes), detail=o.detail, design=_design_out(o), comparison=_comparison_out(o),
                     members=[option_out(m) for m in o.members], capability_score=o.capability_score,
                     tokens_per_reference_token=o.tokens_per_reference_token,
                     usd_per_mtok_reference=(usd_per_mtok_reference(o.usd_per_mtok, o.tokens_per_reference_token)
                                             if o.tokens_per_reference_token else None),
                     sizing=SizingOut(**o.sizing) if o.sizing else None)


def capability_out(d: WorkloadDecision) -> CapabilityOut | None:
    """The recommended option's capability evidence: each part's score next to the floor of the tier
    it serves, the workload's ``min_capability``, and the best-scoring feasible alternative."""
    o, w = d.recommended, d.workload
    if o is None:
        return None
    need = tier_needed(w)
    if o.kind is OptionKind.hybrid:
        served = list(zip(o.members, ("frontier", rest_tier_needed(w))))
    else:
        served = [(o, need)]
    parts = [CapabilityPartOut(option=m.id, tier_needed=t, floor=TIER_FLOORS[t], score=m.capability_score,
                               vouched=_vouched(w, m)) for m, t in served]
    chosen = {m.model or m.id for m, _ in served}
    alts = [x for x in d.options if x.feasible and x.kind is not OptionKind.hybrid
            and x.capability_score is not None and (x.model or x.id) not in chosen]
    best = max(alts, key=lambda x: (x.capability_score, -x.horizon_usd), default=None)
    return CapabilityOut(index=CAPABILITY_INDEX, version=CAPABILITY_VERSION, tier_needed=need, floor=TIER_FLOORS[need],
                         min_capability=w.min_capability, parts=parts, best_alternative=best.id if best else None,
                         best_alternative_score=best.capability_score if best else None)


def saving_vs_runner_up(d: WorkloadDecision) -> float | None:
    """What the recommendation saves against the best feasible option of another kind over the
    horizon: ``runner_up.horizon_usd - recommended.horizon_usd`` [USD, present value]; None without
    either or when one is not finite."""
    o, r = d.recommended, d.runner_up
    if o is None or r is None or not (math.isfinite(o.horizon_usd) and math.isfinite(r.horizon_usd)):
        return None
    return float(r.horizon_usd - o.horizon_usd)


def _vouched(w, o: Option) -> bool:
    names = {normalize_name(n) for n in w.capability}
    return bool(names & {normalize_name(x) for x in (o.id, o.model or "") if x})


def _legacy_monte_carlo(d: WorkloadDecision) -> dict | None:
    """The v2 ``monte_carlo`` object of a workload: the reference API's row of the Monte Carlo."""
    u = d.uncertainty
    if u is None or u.monte_carlo is None or not u.monte_carlo.apis:
        return None
    mc, row = u.monte_carlo, u.monte_carlo.apis[0]
    out = {"selfhost": u.selfhost, "api": u.api, "n": mc.n, "seed": mc.seed, "horizon_months": mc.horizon_months}
    out.update({k: getattr(row, k) for k in ("p_selfhost_cheaper", "saving_usd_mean", "saving_usd_p10",
                                             "saving_usd_p50", "saving_usd_p90", "crossover_month_p10",
                                             "crossover_month_p50", "crossover_month_p90")})
    out["distributions"] = mc.distributions
    out.update(recommended=u.recommended, alternative=u.alternative, p_recommended_cheaper=u.p_recommended_cheaper)
    return out


def to_result(decisions: list[WorkloadDecision], portfolio: Portfolio | None,
              findings: list[Finding] | None = None) -> RecommendResult:
    out = []
    for d in decisions:
        w = d.workload
        mc = _legacy_monte_carlo(d)
        out.append(WorkloadOut(
            name=w.name, tokens_per_day=d.tokens_per_day, horizon_months=w.horizon_months,
            sensitivity=w.sensitivity, task_mix=w.task_mix.model_dump(),
            recommendation=RecommendationOut(option=option_out(d.recommended) if d.recommended else None,
                                             reasons=d.reasons, switching=d.switching,
                                             runner_up=d.runner_up.id if d.runner_up else None,
                                             capability=capability_out(d),
                                             saving_vs_runner_up_usd=saving_vs_runner_up(d),
                                             cost_shares=cost_shares(d.recommended)),
            options=[option_out(o) for o in d.options], findings=d.findings,
            candidates=w.candidates.model_dump(exclude_none=True, exclude={"deployment"}),
            uncertainty=d.uncertainty, reference_api=d.reference_api.id if d.reference_api else None,
            **({"monte_carlo": mc} if mc is not None else {})))
    p = None
    if portfolio is not None:
        p = PortfolioOut(alone_usd_per_month=portfolio.alone_usd_per_month,
                         shared_usd_per_month=portfolio.shared_usd_per_month, shared_design=portfolio.design,
                         members=portfolio.members, flipped=portfolio.flipped, notes=portfolio.notes)
    return RecommendResult(workloads=out, portfolio=p, findings=findings or [], total=total_out(decisions))


_TERMS = {"capital_usd_per_day": "hardware capital", "host_usd_per_day": "servers", "energy_usd_per_day": "electricity",
          "ops_usd_per_day": "operations per machine", "rent_usd_per_day": "GPU rent"}


def _cost_terms(o) -> dict[str, float]:
    """USD/month of ``o`` by cost term (an API: its token bill; a hybrid: its members + the router)."""
    if o.members:
        out: dict[str, float] = {}
        for m in o.members:
            for k, v in _cost_terms(m).items():
                out[k] = out.get(k, 0.0) + v
        router = o.hybrid.router_usd_per_month if o.hybrid is not None else 0.0
        if router:
            out["router"] = out.get("router", 0.0) + router
        return out
    if o.figures is None:
        return {"API token bill": o.usd_per_month}
    f = o.figures
    dpm = float(f.days_per_month)
    reps = float(f.replicas)
    out = {label: reps * float(getattr(f, key)) * dpm for key, label in _TERMS.items()}
    out["operations team"] = float(f.fixed_usd_per_day) * dpm
    return {k: v for k, v in out.items() if math.isfinite(v) and v > 0}


def cost_shares(o) -> dict[str, float] | None:
    """Share of the recommended option's monthly cost per term, largest first (None without one)."""
    if o is None:
        return None
    terms = _cost_terms(o)
    total = math.fsum(terms.values())
    if not total > 0 or not math.isfinite(total):
        return None
    return {k: v / total for k, v in sorted(terms.items(), key=lambda kv: -kv[1])}


def total_out(decisions) -> TotalOut:
    """The recommended options added up: USD per month now, present value over each workload's
    horizon, and hardware bought up front (a rented or API option adds no capex)."""
    recs = [d.recommended for d in decisions if d.recommended is not None]
    return TotalOut(workloads=len(recs),
                    without_recommendation=[d.workload.name for d in decisions if d.recommended is None],
                    usd_per_month=math.fsum(o.usd_per_month for o in recs),
                    horizon_usd=math.fsum(o.horizon_usd for o in recs),
                    capex_usd=math.fsum(_capex(o) for o in recs))


def _capex(o) -> float:
    if o.members:
        return math.fsum(_capex(m) for m in o.members)
    return o.capex_usd if o.capex_usd is not None and math.isfinite(o.capex_usd) else 0.0
