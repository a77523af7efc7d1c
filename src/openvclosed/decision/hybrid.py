"""The hybrid option: the frontier share to the cheapest allowed closed frontier API, the rest to
the cheapest allowed open option (hosted, closed non-frontier, or a self-hosted design re-sized
for the smaller volume), plus the router's running cost."""

from __future__ import annotations

import math


from openvclosed.catalog import Catalog
from openvclosed.decision.options import API_KINDS, Option, OptionKind, allowed, serves
from openvclosed.decision.recommend import UPTIME_REDUNDANCY_AT, annuity, pv_api, pv_selfhost
from openvclosed.decision.selection import licence_findings

__all__ = ["hybrid_option"]

_REST_DESIGN = ("tp", "instances", "max_seqs", "batch", "prefill_tokens_per_s", "decode_tokens_per_s")
"""A self-hosted rest's layout and rates as priced (the serve command and the gateway's costs read them)."""


def hybrid_option(catalog: Catalog, w, rules, a, options: list[Option], designs, e, priced, T: float) -> Option | None:
    f = w.task_mix.frontier
    dpm = a.days_per_month
    frontier = [o for o in options if o.kind is OptionKind.closed_api and o.tier == "frontier"
                and not o.blockers("tier") and not allowed(o.kind, w, rules, catalog.apis[o.id])]
    if not frontier:
        return None
    fa = min(frontier, key=lambda o: o.usd_per_mtok)
    rest_need = "standard" if w.task_mix.standard > 0 else "simple"
    rest_T = T * (1 - f)
    best = None  # (usd_per_month, id, name, kind, pv, model, gpu)
    for o in options:
        if o.kind not in API_KINDS or not serves(o.tier, rest_need) or o.blockers("tier"):
            continue
        cost = rest_T / 1e6 * o.usd_per_mtok * dpm
        if best is None or cost < best[0]:
            best = (cost, o.id, o.name, o.kind, pv_api(rest_T, o.usd_per_mtok, w, a), o.model, None, None)
    spare = 1 if (w.uptime or 0) >= UPTIME_REDUNDANCY_AT else 0
    for i, d in enumerate(designs or []):
        cap = float(e.capacity_tokens_per_day[i])
        if not (bool(priced[i]) and cap > 0 and serves(d.model.best_tier, rest_need)):
            continue
        kind = OptionKind.self_host_cloud if d.rented else OptionKind.self_host
        if allowed(kind, w, rules):
            continue
        if any(x.severity == "exclusion" or x.code == "licence_commercial"
               for x in licence_findings(d.model, w.monthly_active_users, monthly_revenue_usd=w.monthly_revenue_usd)):
            continue
        reps = math.ceil(rest_T * w.peak_to_mean / cap) + spare
        f_day = float(e.replica_usd_per_day[i])
        cost = reps * f_day * dpm
        if best is None or cost < best[0]:
            run_month = float(e.running_usd_per_replica_day[i]) * dpm
            pv = float(pv_selfhost(rest_T * w.peak_to_mean, cap, run_month, float(e.capex_per_replica_usd[i]),
                                   spare, w, a, d.rented))
            best = (cost, d.id, f"{d.hardware} {d.model.id} {d.precision}" + (" (rented)" if d.rented else ""),
                    kind, pv, d.model.id, d.gpu.id, i)
    if best is None:
        return None
    rest_cost, rest_id, rest_name, rest_kind, rest_pv, rest_model, rest_gpu, rest_i = best
    frontier_cost = T * f / 1e6 * fa.usd_per_mtok * dpm
    router = a.hybrid_router_usd_month
    total = frontier_cost + rest_cost + router
    o = Option(OptionKind.hybrid, f"hybrid:{fa.id}+{rest_id}", f"{fa.id} for frontier {f:.0%} + {rest_name}", total,
               total / (T * dpm / 1e6), pv_api(T * f, fa.usd_per_mtok, w, a) + rest_pv + router * annuity(w, a),
               "frontier", model=rest_model, parts=[fa.id, rest_id],
               detail={"frontier_api": fa.id, "frontier_usd_per_month": frontier_cost, "rest": rest_id,
                       "rest_name": rest_name, "rest_kind": rest_kind.value, "rest_usd_per_month": rest_cost,
                       "rest_gpu": rest_gpu, "router_usd_per_month": router, "frontier_share": f,
                       **({"rest_design": {k: float(getattr(e, k)[rest_i]) for k in _REST_DESIGN}} if rest_i is not None
                          else {})})
    o.note("hybrid_split", f"route by task: {f:.0%} frontier work to {fa.id} (${frontier_cost:,.0f}/month), the rest "
                           f"to {rest_name} (${rest_cost:,.0f}/month), plus ${router:,.0f}/month to run the router")
    return o
