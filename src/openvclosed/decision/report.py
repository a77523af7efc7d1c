"""The data of ``ovc report`` and ``--format html``: a decision plus what its charts and appendix need.

Everything here reads the decision that the table and JSON render (typed options with their design,
figures and comparison; the horizon series, Monte Carlo histogram and sensitivity computed once by
the decision) and evaluates the engine's staircase and API cost over a range of volumes to draw
them; nothing decides again, reruns a Monte Carlo or a breakeven. ``report/html.py`` only draws.
"""

from __future__ import annotations

import math

import numpy as np

from openvclosed.decision.curves import api_usd_per_month, cost_curves, staircase_usd_per_month, volume_grid, volume_range
from openvclosed.decision.options import Option, WorkloadDecision
from openvclosed.decision.selection import fmt_tokens
from openvclosed.decision.workload_uncertainty import drawn_apis
from openvclosed.results.report import (AssumptionRow, CatalogRef, CostChart, CumulativeChart, HistogramChart,
                                        Line, Point, Provenance, ReportResult, WorkloadReport)

__all__ = ["recommend_report", "breakeven_report"]

_NOT_ALLOWED = " (not allowed for this workload)"
"""Added to the label of a series whose option the workload's rules exclude (drawn for comparison)."""


def _finite_list(a) -> list:
    return [float(x) if math.isfinite(float(x)) else None for x in np.atleast_1d(a)]


def _crossover(cum_sh, cum_api) -> int | None:
    for m, (s, a) in enumerate(zip(cum_sh, cum_api)):
        if s < a:
            return m + 1
    return None


def _catalog_refs(cat, option_ids: list[str], designs: list[tuple[str, bool, str]], as_of=None) -> list[CatalogRef]:
    """Entries the answer rests on: APIs by id; (gpu id, rented, model id) of self-hosted designs,
    with the hardware price in force at ``as_of``."""
    out: dict[tuple[str, str], CatalogRef] = {}

    def add(id_, what, source, when, catalog):
        if source:
            out.setdefault((id_, what), CatalogRef(id=id_, what=what, source=source,
                                                   as_of=str(when) if when else None, catalog=catalog))

    for i in option_ids:
        if i in cat.apis:
            e = cat.apis[i]
            add(e.id, "API price", e.source, e.as_of, e.catalog)
            if e.serves_model and e.serves_model in cat.models:
                m = cat.models[e.serves_model]
                add(m.id, "model licence", m.license.url or m.source, m.as_of, m.catalog)
    for gpu, rented, model in designs:
        g = cat.gpus.get(gpu)
        if g is not None:
            add(g.id, "GPU specs", g.source, g.as_of, g.catalog)
            if rented:
                quotes = g.rent_at(as_of)
                for q in (quotes[1] if quotes else []):
                    add(g.id, f"GPU rent per hour ({q.provider})", q.source, q.valid_from, g.catalog)
            else:
                price = g.price_at(as_of)
                if price is not None:
                    add(g.id, f"GPU purchase price ({price.describe()})", price.source, price.valid_from, g.catalog)
        m = cat.models.get(model)
        if m is not None:
            add(m.id, "model architecture", m.source, m.as_of, m.catalog)
            add(m.id, "model licence", m.license.url or m.source, m.as_of, m.catalog)
    return list(out.values())


def _assumption_rows(a, given: dict | None = None) -> list[AssumptionRow]:
    from openvclosed.decision.assumptions import BASIS, Assumptions

    from openvclosed.decision.designs import power_share

    from openvclosed.decision.assumption_words import meaning

    default = Assumptions()
    derived = {"power_draw_share": power_share(a)}  # the value the cost used where the field is None (derived)
    rows = []
    for name in Assumptions.model_fields:
        v = derived.get(name) if getattr(a, name) is None else getattr(a, name)
        rows.append(AssumptionRow(name=name, value=v, basis=BASIS.get(name, ""), meaning=meaning(name, v),
                                  set_here=(getattr(a, name) != getattr(default, name)) or name in (given or {})))
    return rows


def _option_curve(o: Option, t, dpm: float):
    """An option's USD/month at each volume: an API's line, a design's staircase, a hybrid's sum."""
    if o.hybrid is not None:
        f = o.hybrid.frontier_share
        fa, rest = o.members
        return _option_curve(fa, t * f, dpm) + _option_curve(rest, t * (1 - f), dpm) + o.hybrid.router_usd_per_month
    if o.figures is not None:
        g = o.fig
        return staircase_usd_per_month(t, g("capacity_mean_tokens_per_day"), g("replica_usd_per_day") * dpm,
                                       g("spare_replicas"), g("fixed_usd_per_day") * dpm, dpm)
    return api_usd_per_month(t, o.usd_per_mtok, dpm)


def _histogram(mc, title, api, selfhost) -> HistogramChart | None:
    if mc is None or not mc.apis or not mc.apis[0].histogram:
        return None
    row = mc.apis[0]
    return HistogramChart(title=title, api=api, selfhost=selfhost, edges=row.histogram["edges"],
                          counts=row.histogram["counts"], summary=row, n=mc.n, seed=mc.seed,
                          horizon_months=mc.horizon_months)


def workload_report(cat, d: WorkloadDecision) -> WorkloadReport:
    """Charts, assumptions and sources of one workload decision."""
    w, a, T = d.workload, d.assumptions, d.tokens_per_day
    dpm = a.days_per_month
    rec = d.recommended
    sh = next((o for o in d.options if o.feasible and o.is_self_host), None)
    apis = drawn_apis(d)
    notes: list[str] = []

    def label(o: Option) -> str:
        return o.name + ("" if o.feasible else _NOT_ALLOWED)

    bes = []
    if sh is not None:
        for o in apis:
            be = sh.breakeven_against(o.usd_per_mtok)
            if o.feasible and math.isfinite(be) and be > 0:
                bes.append(Point(label=o.id, x=be, y=float(api_usd_per_month(be, o.usd_per_mtok, dpm))))
    lo, hi = volume_range(T, [p.x for p in bes])
    t = volume_grid(lo, hi, 400, sh.fig("capacity_mean_tokens_per_day") if sh is not None else None)
    lines = [Line(label=label(o), kind=o.kind.value, y=_finite_list(_option_curve(o, t, dpm)), option=o.id)
             for o in apis]
    if rec is not None and rec.hybrid is not None:
        lines.append(Line(label=f"hybrid {rec.name}", kind="hybrid", y=_finite_list(_option_curve(rec, t, dpm)),
                          option=rec.id))
    sh_line = None
    if sh is not None:
        sh_line = Line(label=f"self-host {sh.name} ({sh.kind.value})", kind=sh.kind.value,
                       y=_finite_list(_option_curve(sh, t, dpm)), option=sh.id)
        if sh.fig("spare_replicas"):
            notes.append("self-hosting includes one spare replica (N+1) for the uptime target")
    else:
        notes.append("no self-hosted design satisfies this workload's constraints, so there is no break-even")
    cost = CostChart(title=f"{w.name}: monthly cost against volume", tokens_per_day=_finite_list(t), selfhost=sh_line,
                     apis=lines, breakevens=bes, volume=T,
                     recommended=Point(label=rec.name, x=T, y=rec.usd_per_month) if rec is not None else None,
                     note=f"your volume: {fmt_tokens(T)} tokens/day; self-hosting sized for a peak of "
                          f"{w.peak_to_mean:g}x the mean")
    cumulative = None
    u = d.uncertainty
    if u is not None and u.series:
        cum = {s.option: np.cumsum(s.usd_monthly) for s in u.series}
        lines_c = [Line(label=(f"self-host {s.label} ({s.kind})" if s.option == (sh.id if sh else None) else
                               f"hybrid {s.label}" if s.kind == "hybrid" else
                               s.label + ("" if s.feasible else _NOT_ALLOWED)),
                        kind=s.kind, y=_finite_list(cum[s.option]), option=s.option) for s in u.series]
        crossover = crossover_label = None
        if sh is not None and d.reference_api is not None and sh.id in cum and d.reference_api.id in cum:
            crossover = _crossover(cum[sh.id], cum[d.reference_api.id])
            crossover_label = f"{sh.name} against {d.reference_api.id}"
        cumulative = CumulativeChart(
            title=f"{w.name}: cumulative spend over {w.horizon_months} months",
            months=list(range(1, w.horizon_months + 1)), lines=lines_c, crossover_month=crossover,
            crossover_label=crossover_label,
            note=f"volume {w.growth_per_month:+.1%}/month, API prices -{w.api_price_decline_per_year:.0%}/year; "
                 "cash as paid (hardware when bought), not discounted")
    hist = sens = None
    if u is not None:
        hist = _histogram(u.monte_carlo, f"{w.name}: Monte Carlo saving of self-hosting over {w.horizon_months} months",
                          u.api or "", sh.name if sh else "")
        sens = u.sensitivity.apis[0] if u.sensitivity is not None and u.sensitivity.apis else None
        if u.skipped:
            notes.append(u.skipped)
    ids = [o.id for o in apis]
    designs = []
    for o in [rec, sh]:
        if o is None:
            continue
        ids += [o.id, *o.parts]
        for m in [o, *o.members]:
            if m.design is not None:
                designs.append((m.design.gpu.id, m.design.rented, m.design.model.id))
    return WorkloadReport(name=w.name, cost=cost, cumulative=cumulative, histogram=hist, sensitivity=sens,
                          assumptions=_assumption_rows(a, w.assumptions),
                          catalog=_catalog_refs(cat, ids, designs, a.as_of), chart_notes=notes)


def recommend_report(cat, rec, provenance: Provenance, *, check=None) -> ReportResult:
    """The report of a :class:`~openvclosed.decision.recommend.Recommendation` (decided with
    ``monthly=True``), optionally with the check result that rests on it."""
    title = "LLM deployment check" if check is not None else "LLM deployment decision"
    return ReportResult(title=title, provenance=provenance, recommend=rec.result, check=check,
                        workloads=[workload_report(cat, d) for d in rec.decisions])


def breakeven_report(cat, r, provenance: Provenance, *, rented: bool, as_of=None) -> ReportResult:
    """The report of one ``ovc breakeven`` result (decided with ``monthly=True``)."""
    from openvclosed.decision.assumptions import Assumptions

    s = r.selfhost
    a = Assumptions(**r.assumptions)
    T = r.tokens_per_day
    lo, hi = volume_range(T, [x.breakeven_tokens_per_day for x in r.apis])
    c = cost_curves(r, lo, hi)
    kind = "self-host-cloud" if rented else "self-host"
    label = f"self-host {s.n_gpus}x{s.gpu} {s.model} {s.quant} ({s.mode})"
    cost = CostChart(title=f"Monthly cost against volume: {c['title']}", tokens_per_day=_finite_list(c["tokens_per_day"]),
                     selfhost=Line(label=label, kind=kind, y=_finite_list(c["selfhost_usd_per_month"])),
                     apis=[Line(label=k, kind="closed-api" if x.kind == "closed" else "hosted-open-api",
                                y=_finite_list(c["apis"][k]), option=k) for k, x in zip(c["apis"], r.apis)],
                     breakevens=[Point(label=lab, x=float(x), y=float(y)) for lab, x, y in c["breakevens"]],
                     volume=T, recommended=None, note=f"your volume: {fmt_tokens(T)} tokens/day")
    cumulative = hist = None
    notes = []
    h = r.horizon
    if s.fits and r.apis and h is not None and h.selfhost_usd_monthly is not None:
        cum_sh = np.cumsum(h.selfhost_usd_monthly)
        cum_api = [np.cumsum(x.api_usd_monthly) for x in h.apis]
        lines = [Line(label=label, kind=kind, y=_finite_list(cum_sh))]
        lines += [Line(label=x.api, kind="closed-api" if x.kind == "closed" else "hosted-open-api",
                       y=_finite_list(cum_api[i]), option=x.api) for i, x in enumerate(r.apis)]
        cheapest = int(np.argmin([x.usd_per_mtok for x in r.apis]))
        cumulative = CumulativeChart(
            title=f"Cumulative spend over {h.horizon_months} months", months=list(range(1, h.horizon_months + 1)),
            lines=lines, crossover_month=_crossover(cum_sh, cum_api[cheapest]),
            crossover_label=f"self-hosting against {r.apis[cheapest].api}",
            note=f"volume {h.growth_per_month:+.1%}/month, API prices -{h.api_price_decline_per_year:.0%}/year; "
                 "cash as paid (hardware when bought), not discounted")
        hist = _histogram(r.monte_carlo, f"Monte Carlo saving of self-hosting over {h.horizon_months} months",
                          r.apis[0].api, label)
    elif not s.fits:
        notes.append(f"{s.model} at {s.quant} does not fit {s.n_gpus}x{s.gpu}: no self-hosting line")
    wr = WorkloadReport(name=f"{fmt_tokens(T)} tokens/day", cost=cost, cumulative=cumulative, histogram=hist,
                        sensitivity=r.sensitivity.apis[0] if r.sensitivity and r.sensitivity.apis else None,
                        assumptions=_assumption_rows(a),
                        catalog=_catalog_refs(cat, [x.api for x in r.apis], [(s.gpu, rented, s.model)], as_of),
                        chart_notes=notes)
    return ReportResult(title="Self-hosting break-even", provenance=provenance, breakeven=r, workloads=[wr])
