"""The hybrid option: the frontier share to the cheapest allowed closed frontier API, the rest to the
cheapest allowed option that serves it (an API, or a self-hosted design priced again by the engine for
the smaller volume), plus the router's running cost. A hybrid is an option whose members are options."""

from __future__ import annotations

import math

import numpy as np

from openvclosed.catalog import Catalog
from openvclosed.decision.candidates import fixed_sizing_record, sized_inputs
from openvclosed.decision.designs import engine_for, layout_reason, price_basis
from openvclosed.decision.horizon import annuity, pv_api, pv_selfhost
from openvclosed.decision.options import API_KINDS, HybridSplit, Option, OptionKind, allowed, rest_tier_needed, serves
from openvclosed.engine.design import selfhost_design
from openvclosed.engine.period import per_month_from_day

__all__ = ["hybrid_option"]


def _api_member(o: Option, tokens_per_day: float, w, a) -> Option:
    usd = float(per_month_from_day(tokens_per_day / 1e6 * o.usd_per_mtok, a.days_per_month))
    return Option(o.kind, o.id, o.name, usd, o.usd_per_mtok, pv_api(tokens_per_day, o.usd_per_mtok, w, a), o.tier,
                  model=o.model, api=o.api, capability_score=o.capability_score,
                  tokens_per_reference_token=o.tokens_per_reference_token)


def _selfhost_member(cands: list[Option], tokens_per_day: float, w, a, sizing: dict) -> Option | None:
    """The cheapest of the candidate designs re-sized for ``tokens_per_day`` (one engine call)."""
    if not cands or tokens_per_day <= 0:
        return None
    x = sized_inputs(cands, a, sizing)
    e = selfhost_design(x, tokens_per_day)
    usd = np.asarray(per_month_from_day(e.usd_per_day, e.days_per_month))
    if not np.isfinite(usd).any():
        return None
    i = int(np.nanargmin(np.where(np.isfinite(usd), usd, np.nan)))
    src, fig = cands[i], e.take(i)
    d = src.design
    m = Option(src.kind, src.id, src.name + (" (rented)" if d.rented else ""), float(usd[i]),
               float(usd[i]) / (tokens_per_day * a.days_per_month / 1e6), float(np.asarray(pv_selfhost(
                   tokens_per_day, fig, w, a))), src.tier,
               capex_usd=float(fig.capex_per_replica_usd) * float(fig.replicas) if not d.rented else math.nan,
               model=d.model.id, design=d, figures=fig, engine=engine_for(d, a), price_basis=price_basis(d, a),
               layout_reason=layout_reason(d, fig), capability_score=src.capability_score,
               tokens_per_reference_token=src.tokens_per_reference_token)
    m.notes = list(src.notes)
    m.serving_overrides = dict(src.serving_overrides)
    if src.sizing is not None:
        util = float(np.broadcast_to(np.asarray(x.utilization, dtype=float), (len(cands),))[i])
        now = fixed_sizing_record(None, util, fig, tokens_per_day, src.serving_overrides.get("peak_to_mean", 1.0))
        m.sizing = {**src.sizing, **{k: now[k] for k in ("replicas_serving", "utilization_mean", "utilization_peak")}}
    return m


def hybrid_option(catalog: Catalog, w, rules, a, options: list[Option], every_selfhost: list[Option], T: float,
                  sizing: dict) -> Option | None:
    f = w.task_mix.frontier
    frontier = [o for o in options if o.kind is OptionKind.closed_api and o.tier == "frontier"
                and not o.blockers("tier") and not allowed(o.kind, w, rules, catalog.apis[o.id])]
    if not frontier:
        return None
    fa = _api_member(min(frontier, key=lambda o: o.usd_per_mtok), T * f, w, a)
    rest_need = rest_tier_needed(w)
    rest_T = T * (1 - f)
    members = [_api_member(o, rest_T, w, a) for o in options
               if o.kind in API_KINDS and serves(o.tier, rest_need) and not o.blockers("tier")]
    sh = _selfhost_member([o for o in every_selfhost if not o.blockers("tier") and serves(o.tier, rest_need)],
                          rest_T, w, a, sizing)
    if sh is not None:
        members.append(sh)
    if not members:
        return None
    rest = min(members, key=lambda o: o.usd_per_month)
    router = a.hybrid_router_usd_month
    total = fa.usd_per_month + rest.usd_per_month + router
    o = Option(OptionKind.hybrid, f"hybrid:{fa.id}+{rest.id}", f"{fa.id} for frontier {f:.0%} + {rest.name}", total,
               total / (T * a.days_per_month / 1e6),
               fa.horizon_usd + rest.horizon_usd + router * annuity(w.horizon_months, a.rate),
               "frontier", model=rest.model, parts=[fa.id, rest.id], members=[fa, rest],
               hybrid=HybridSplit(frontier_share=f, frontier_usd_per_month=fa.usd_per_month,
                                  rest_usd_per_month=rest.usd_per_month, router_usd_per_month=router))
    o.note("hybrid_split", f"route by task: {f:.0%} frontier work to {fa.id} (${fa.usd_per_month:,.0f}/month), the "
                           f"rest to {rest.name} (${rest.usd_per_month:,.0f}/month), plus ${router:,.0f}/month to run "
                           f"the router")
    return o
