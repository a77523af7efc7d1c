"""``ovc report``: one self-contained HTML decision report; the helpers behind ``--format html``.

The data every chart draws is assembled here (from the decision, breakeven and check results and
the one cost path: :func:`openvclosed.decision.curves.cost_curves`, the engine's horizon and
Monte Carlo) into a :class:`~openvclosed.results.report.ReportResult`; ``report/html.py`` only
draws and formats it. Jinja2 and matplotlib come from the optional extra ``report``.
"""

from pathlib import Path
from typing import Annotated, Optional

import typer

from openvclosed.commands.options import EPILOG, AsOfOpt, CatalogOpt, MaxAgeOpt, MaxHwAgeOpt, load_catalog, parse_as_of
from openvclosed.errors import InputError

INSTALL_HINT = 'the HTML report needs Jinja2 and matplotlib: pip install "openvclosed[report]"'

OutputOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", help="HTML file to write (with --format html; refuses an existing file without --force).",
    show_default=False)]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite an existing output file (never through a symlink).")]


def register(app: typer.Typer) -> None:

    @app.command(epilog=EPILOG)
    def report(
        file: Annotated[Path, typer.Argument(help="Workload YAML file (see `ovc init`).", show_default=False)],
        output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.", show_default=False)],
        workload: Annotated[Optional[str], typer.Option("--workload", "-w", help="Only this workload.", show_default=False)] = None,
        monte_carlo: Annotated[Optional[int], typer.Option("--monte-carlo", min=1, max=10_000_000, help="Monte Carlo draws per workload: histogram of the saving of the best self-hosted design against the best API.", show_default=False)] = None,
        seed: Annotated[int, typer.Option("--seed", help="Random seed for --monte-carlo (default: 0).")] = 0,
        sensitivity: Annotated[bool, typer.Option("--sensitivity", help="Tornado per workload: which input moves the saving most, and where it flips.")] = False,
        force: ForceOpt = False,
        catalog: CatalogOpt = None,
        max_age_days: MaxAgeOpt = 90,
        max_hardware_age_days: MaxHwAgeOpt = 365,
        as_of: AsOfOpt = None,
    ):
        """Write a shareable HTML decision report: summary, charts, options, assumptions and sources.

        \b
        One self-contained file (inline CSS and SVG charts, no scripts, no network access when
        opened) for people who do not use terminals; prints on A4 and Letter. Needs the extra:
        pip install "openvclosed[report]".
        \b
        Examples:
          ovc report examples/portfolio.yaml -o report.html
          ovc report workloads.yaml -o report.html --monte-carlo 20000 --sensitivity --force
        """
        import sys

        from openvclosed.decision.recommend import recommend_file
        from openvclosed.decision.workload import load_workload_file
        from openvclosed.report.findings import stderr_lines

        require_extra()
        when = parse_as_of(as_of)
        cat = load_catalog(catalog)
        wf = load_workload_file(file)
        decisions, portfolio, findings, rec = recommend_file(
            cat, wf, only=workload, as_of=when, monte_carlo=monte_carlo, seed=seed, max_age_days=max_age_days,
            max_hardware_age_days=max_hardware_age_days)
        result = recommend_report(cat, decisions, rec, input_file=str(file), monte_carlo=monte_carlo, seed=seed,
                                  sensitivity=sensitivity)
        sys.stderr.write(stderr_lines(findings, "table"))
        write_html(result, output, force=force, inputs=[file, *(catalog or [])])
        typer.echo(f"wrote {output}: open it in a browser (no network needed) or attach it")


# --- shared by report, and breakeven/recommend/check --format html --------------------------------

def require_extra() -> None:
    """Fail early, before any work, when the ``report`` extra is missing."""
    try:
        import jinja2  # noqa: F401
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(INSTALL_HINT) from None


def need_output(output, fmt: str) -> None:
    if fmt == "html" and output is None:
        raise InputError("--format html writes a file: give -o FILE.html")
    if fmt != "html" and output is not None:
        raise InputError("-o/--output is for --format html; other formats print to stdout")


def write_html(result, output: Path, *, force: bool, inputs=()) -> None:
    from openvclosed.fileio import safe_write_text
    from openvclosed.report.emit import emit

    safe_write_text(output, emit(result, "html"), force=force, inputs=[p for p in inputs if p], what="--output")


def provenance(input_file: str | None = None):
    """The command line, version and date that produced a report (``SOURCE_DATE_EPOCH`` fixes the date)."""
    import datetime as dt
    import os
    import shlex

    from openvclosed import __version__
    from openvclosed.cli import invoked_args
    from openvclosed.results.report import Provenance

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    try:
        day = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date() if epoch else dt.date.today()
    except (ValueError, OverflowError, OSError):
        day = dt.date.today()
    return Provenance(command="ovc " + shlex.join(invoked_args()), version=__version__, generated=day.isoformat(),
                      input_file=input_file)


def _finite_list(a) -> list:
    import math

    return [float(x) if math.isfinite(float(x)) else None for x in a]


def _api_line(label, kind, t, usd_per_mtok, dpm):
    from openvclosed.engine import api_usd_per_day, per_month_from_day
    from openvclosed.results.report import Line

    return Line(label=label, kind=kind, y=_finite_list(per_month_from_day(api_usd_per_day(t, usd_per_mtok), dpm)))


def _volume_range(volume: float, breakevens) -> tuple[float, float]:
    import math

    lo, hi = volume / 100, volume * 100
    for be in breakevens:
        if be and math.isfinite(be) and be > 0:
            lo, hi = min(lo, be / 4), max(hi, be * 4)
    lo = max(lo, hi / 1e7)
    return lo, hi


def _catalog_refs(cat, option_ids: list[str], designs: list[tuple[str, bool, str]]):
    """Entries the answer rests on: APIs by id; (gpu id, rented, model id) of self-hosted designs."""
    from openvclosed.results.report import CatalogRef

    out: dict[tuple[str, str], CatalogRef] = {}

    def add(id_, what, source, as_of, catalog):
        if source:
            out.setdefault((id_, what), CatalogRef(id=id_, what=what, source=source,
                                                   as_of=str(as_of) if as_of else None, catalog=catalog))

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
                quotes = g.rent_at()
                for q in (quotes[1] if quotes else []):
                    add(g.id, f"GPU rent per hour ({q.provider})", q.source, q.valid_from, g.catalog)
            else:
                price = g.price_at()
                if price is not None:
                    add(g.id, f"GPU purchase price ({price.describe()})", price.source, price.valid_from, g.catalog)
        m = cat.models.get(model)
        if m is not None:
            add(m.id, "model architecture", m.source, m.as_of, m.catalog)
            add(m.id, "model licence", m.license.url or m.source, m.as_of, m.catalog)
    return list(out.values())


def _assumption_rows(a, given: dict | None = None):
    from openvclosed.decision.assumptions import BASIS, Assumptions
    from openvclosed.results.report import AssumptionRow

    default = Assumptions()
    rows = []
    for name in Assumptions.model_fields:
        v = getattr(a, name)
        rows.append(AssumptionRow(name=name, value=v, basis=BASIS.get(name, ""),
                                  set_here=(v != getattr(default, name)) or name in (given or {})))
    return rows


def _histogram(samples, title, api, selfhost, summary, n, seed, horizon):
    import numpy as np

    from openvclosed.results.report import HistogramChart

    x = np.asarray(samples, dtype=float)
    x = x[np.isfinite(x)]
    if not x.size:
        return None
    counts, edges = np.histogram(x, bins=40)
    return HistogramChart(title=title, api=api, selfhost=selfhost, edges=[float(e) for e in edges],
                          counts=[int(c) for c in counts], summary=summary, n=n, seed=seed, horizon_months=horizon)


def _crossover(cum_sh, cum_api) -> int | None:
    for m, (s, a) in enumerate(zip(cum_sh, cum_api)):
        if s < a:
            return m + 1
    return None


def workload_report(cat, d, *, monte_carlo=None, seed=0, sensitivity=False):
    """Charts, assumptions and sources of one workload decision (see the module docstring)."""
    import math

    import numpy as np

    from openvclosed.decision.breakeven import run_breakeven, uncertainty_sections
    from openvclosed.decision.curves import cost_curves
    from openvclosed.decision.designs import Design, horizon_inputs
    from openvclosed.decision.options import OptionKind
    from openvclosed.engine.horizon import horizon_costs, horizon_scenario
    from openvclosed.engine.montecarlo import monte_carlo_breakeven
    from openvclosed.report.text import fmt_tokens
    from openvclosed.results import MonteCarloApi
    from openvclosed.results.report import CostChart, CumulativeChart, Line, Point, WorkloadReport
    from openvclosed.units import parse_hw_spec

    w = d.workload
    a = w.resolved_assumptions()
    dpm = a.days_per_month
    T = d.tokens_per_day
    H = w.horizon_months
    rec = d.recommended
    feas = [o for o in d.options if o.feasible]
    sh = next((o for o in feas if o.is_self_host), None)
    apis = []
    for kind in (OptionKind.closed_api, OptionKind.hosted_open_api):
        first = next((o for o in feas if o.kind is kind), None)
        if first is not None:
            apis.append(first)
    if rec is not None and rec.is_api and rec not in apis:
        apis.insert(0, rec)
    apis.sort(key=lambda o: o.usd_per_mtok)
    excluded_api = False
    if not apis:  # for scale: the cheapest API the rules exclude, labelled as such
        cheapest = min((o for o in d.options if o.is_api and math.isfinite(o.usd_per_mtok)),
                       key=lambda o: o.usd_per_mtok, default=None)
        if cheapest is not None:
            apis, excluded_api = [cheapest], True
    notes: list[str] = []

    def api_label(o):
        return o.id + (" (not allowed for this workload)" if excluded_api else "")

    spare = 1 if sh is not None and any(n.code == "uptime" for n in sh.notes) else 0
    a_peak = a.model_copy(update={"utilization": a.utilization / w.peak_to_mean})  # peak sizing, as recommend
    design = base = None
    be_result = None
    if sh is not None:
        det = sh.detail
        design = Design(cat.gpu(det["gpu"]), det["n_gpus"], cat.model(det["model"]), det["precision"],
                        rented=sh.kind is OptionKind.self_host_cloud)
        be_result = run_breakeven(cat, T, parse_hw_spec(f"{det['n_gpus']}x{det['gpu']}"), a_peak,
                                  model_name=det["model"], api_names=[o.id for o in apis] or None,
                                  precision=det["precision"], rented=design.rented)
        base = horizon_inputs(design, a_peak, T, horizon_months=H, growth_per_month=w.growth_per_month,
                              api_price_decline_per_year=w.api_price_decline_per_year)

    # cost against volume
    lo, hi = _volume_range(T, [o.breakeven_tokens_per_day for o in feas if o.is_self_host][:1])
    if be_result is not None:
        c = cost_curves(be_result, lo, hi)
        t = c["tokens_per_day"]
        y_sh = np.asarray(c["selfhost_usd_per_month"]) + spare * sh.detail["replica_usd_per_month"]
        sh_line = Line(label=f"self-host {sh.name} ({sh.kind.value})", kind=sh.kind.value, y=_finite_list(y_sh))
        bes = [Point(label=lab, x=float(x), y=float(y)) for lab, x, y in c["breakevens"]] if not spare else []
        if spare:
            notes.append("self-hosting includes one spare replica (N+1) for the uptime target")
    else:
        t = np.geomspace(lo, hi, 200)
        sh_line, bes = None, []
        notes.append("no self-hosted design satisfies this workload's constraints, so there is no break-even")
    lines = [_api_line(api_label(o), o.kind.value, t, o.usd_per_mtok, dpm) for o in apis]
    if rec is not None and rec.kind is OptionKind.hybrid and rec.detail.get("rest_kind") in ("closed-api",
                                                                                           "hosted-open-api") and T > 0:
        per_tok = (rec.detail["frontier_usd_per_month"] + rec.detail["rest_usd_per_month"]) / T
        lines.append(Line(label=f"hybrid {rec.name}", kind="hybrid",
                          y=_finite_list(rec.detail["router_usd_per_month"] + per_tok * np.asarray(t))))
    rec_point = Point(label=rec.name, x=T, y=rec.usd_per_month) if rec is not None else None
    cost = CostChart(title=f"{w.name}: monthly cost against volume", tokens_per_day=_finite_list(t),
                     selfhost=sh_line, apis=lines, breakevens=bes, volume=T, recommended=rec_point,
                     note=f"your volume: {fmt_tokens(T)} tokens/day; self-hosting sized for a peak of "
                          f"{w.peak_to_mean:g}x the mean")

    # cumulative spend over the horizon
    months = list(range(1, H + 1))
    cum_lines = []
    api_cum = {}
    for o in apis:
        r = horizon_costs(T, o.usd_per_mtok, np.inf, 0.0, 0.0, horizon_months=H, growth_per_month=w.growth_per_month,
                          api_price_decline_per_year=w.api_price_decline_per_year, rate=a.rate, days_per_month=dpm,
                          monthly=True)
        api_cum[o.id] = np.cumsum(r["api_usd_monthly"])
        cum_lines.append(Line(label=api_label(o), kind=o.kind.value, y=_finite_list(api_cum[o.id])))
    if rec is not None and rec.kind is OptionKind.hybrid and rec.detail.get("rest_kind") in ("closed-api",
                                                                                           "hosted-open-api") and T > 0:
        per_mtok = (rec.detail["frontier_usd_per_month"] + rec.detail["rest_usd_per_month"]) / (T * dpm / 1e6)
        r = horizon_costs(T, per_mtok, np.inf, 0.0, 0.0, horizon_months=H, growth_per_month=w.growth_per_month,
                          api_price_decline_per_year=w.api_price_decline_per_year, rate=a.rate, days_per_month=dpm,
                          monthly=True)
        y = np.cumsum(np.asarray(r["api_usd_monthly"]) + rec.detail["router_usd_per_month"])
        cum_lines.append(Line(label=f"hybrid {rec.name}", kind="hybrid", y=_finite_list(y)))
    crossover = crossover_label = None
    if base is not None:
        r = horizon_scenario(base, 1.0, monthly=True)
        m = np.array(r["selfhost_usd_monthly"], dtype=float)
        if spare:
            m[0] += float(r["capex_per_replica_usd"])
            m += float(r["running_usd_per_replica_month"])
        cum_sh = np.cumsum(m)
        cum_lines.insert(0, Line(label=sh_line.label, kind=sh.kind.value, y=_finite_list(cum_sh)))
        if apis and not excluded_api:
            crossover = _crossover(cum_sh, api_cum[apis[0].id])
            crossover_label = f"{sh.name} against {apis[0].id}"
    cumulative = CumulativeChart(
        title=f"{w.name}: cumulative spend over {H} months", months=months, lines=cum_lines,
        crossover_month=crossover, crossover_label=crossover_label,
        note=f"volume {w.growth_per_month:+.1%}/month, API prices -{w.api_price_decline_per_year:.0%}/year; "
             "cash as paid (hardware when bought), not discounted") if cum_lines else None

    hist = sens = None
    if (monte_carlo or sensitivity) and base is not None and apis and not excluded_api:
        p = apis[0]
        extra = uncertainty_sections(design, sh_line is not None, a_peak, T, [(p.id, p.usd_per_mtok)],
                                     horizon_months=H, growth_per_month=w.growth_per_month,
                                     api_price_decline_per_year=w.api_price_decline_per_year,
                                     monte_carlo=monte_carlo, seed=seed, sensitivity=sensitivity,
                                     distributions=w.uncertainty or None)
        if monte_carlo and extra.get("monte_carlo") is not None:
            s = monte_carlo_breakeven(base, p.usd_per_mtok, n=monte_carlo, seed=seed,
                                      distributions=w.uncertainty or None, keep_samples=True)
            summary: MonteCarloApi = extra["monte_carlo"].apis[0]
            hist = _histogram(s["saving_usd"], f"{w.name}: Monte Carlo saving of self-hosting over {H} months",
                              p.id, sh.name, summary, monte_carlo, seed, H)
        if sensitivity and extra.get("sensitivity") is not None:
            sens = extra["sensitivity"].apis[0]
    elif monte_carlo or sensitivity:
        notes.append("Monte Carlo and sensitivity need a feasible self-hosted design and a feasible API; skipped")

    ids = [o.id for o in apis]
    designs = []
    for o in [rec, sh]:
        if o is None:
            continue
        ids += [o.id, *o.parts]
        if o.is_self_host:
            designs.append((o.detail["gpu"], o.kind is OptionKind.self_host_cloud, o.detail["model"]))
        if o.kind is OptionKind.hybrid and o.detail.get("rest") in {x.id for x in d.options}:
            rest = next(x for x in d.options if x.id == o.detail["rest"])
            if rest.is_self_host:
                designs.append((rest.detail["gpu"], rest.kind is OptionKind.self_host_cloud, rest.detail["model"]))
    return WorkloadReport(name=w.name, cost=cost, cumulative=cumulative, histogram=hist, sensitivity=sens,
                          assumptions=_assumption_rows(a, w.assumptions), catalog=_catalog_refs(cat, ids, designs),
                          chart_notes=notes)


def recommend_report(cat, decisions, rec_result, *, input_file=None, monte_carlo=None, seed=0, sensitivity=False,
                     check=None):
    from openvclosed.results.report import ReportResult

    title = "LLM deployment check" if check is not None else "LLM deployment decision"
    return ReportResult(title=title, provenance=provenance(input_file), recommend=rec_result, check=check,
                        workloads=[workload_report(cat, d, monte_carlo=monte_carlo, seed=seed, sensitivity=sensitivity)
                                   for d in decisions])


def breakeven_report(cat, r, *, rented: bool, horizon_months=None, growth_per_month=0.0,
                     api_price_decline_per_year=0.0):
    """The report of one ``ovc breakeven`` result (its Monte Carlo and sensitivity when they were run)."""
    import numpy as np

    from openvclosed.decision.assumptions import Assumptions
    from openvclosed.decision.curves import cost_curves
    from openvclosed.decision.designs import Design, horizon_inputs
    from openvclosed.engine.horizon import horizon_scenario
    from openvclosed.engine.montecarlo import monte_carlo_breakeven
    from openvclosed.report.text import fmt_tokens
    from openvclosed.results.report import CostChart, CumulativeChart, Line, Point, ReportResult, WorkloadReport

    s = r.selfhost
    a = Assumptions(**r.assumptions)
    T = r.tokens_per_day
    lo, hi = _volume_range(T, [x.breakeven_tokens_per_day for x in r.apis])
    c = cost_curves(r, lo, hi)
    kind = "self-host-cloud" if rented else "self-host"
    label = f"self-host {s.n_gpus}x{s.gpu} {s.model} {s.quant} ({s.mode})"
    cost = CostChart(title=f"Monthly cost against volume: {c['title']}", tokens_per_day=_finite_list(c["tokens_per_day"]),
                     selfhost=Line(label=label, kind=kind, y=_finite_list(c["selfhost_usd_per_month"])),
                     apis=[Line(label=k, kind="closed-api" if x.kind == "closed" else "hosted-open-api",
                                y=_finite_list(c["apis"][k])) for k, x in zip(c["apis"], r.apis)],
                     breakevens=[Point(label=lab, x=float(x), y=float(y)) for lab, x, y in c["breakevens"]],
                     volume=T, recommended=None, note=f"your volume: {fmt_tokens(T)} tokens/day")
    cumulative = hist = None
    notes = []
    prices = np.array([x.usd_per_mtok for x in r.apis], dtype=float)
    if s.fits and r.apis and s.gpu in cat.gpus and s.model in cat.models:
        design = Design(cat.gpu(s.gpu), s.n_gpus, cat.model(s.model), s.quant, rented)
        h = r.horizon
        base = horizon_inputs(design, a, T, horizon_months=h.horizon_months if h else horizon_months,
                              growth_per_month=h.growth_per_month if h else growth_per_month,
                              api_price_decline_per_year=h.api_price_decline_per_year if h else api_price_decline_per_year)
        hr = horizon_scenario(base, prices, monthly=True)
        cum_api = np.cumsum(np.asarray(hr["api_usd_monthly"]), axis=-1)
        cum_sh = np.cumsum(np.asarray(hr["selfhost_usd_monthly"])[0])
        lines = [Line(label=label, kind=kind, y=_finite_list(cum_sh))]
        lines += [Line(label=x.api, kind="closed-api" if x.kind == "closed" else "hosted-open-api",
                       y=_finite_list(cum_api[i])) for i, x in enumerate(r.apis)]
        cheapest = int(np.argmin(prices))
        cumulative = CumulativeChart(
            title=f"Cumulative spend over {base.horizon_months} months", months=list(range(1, base.horizon_months + 1)),
            lines=lines, crossover_month=_crossover(cum_sh, cum_api[cheapest]),
            crossover_label=f"self-hosting against {r.apis[cheapest].api}",
            note=f"volume {base.growth_per_month:+.1%}/month, API prices -{base.api_price_decline_per_year:.0%}/year; "
                 "cash as paid (hardware when bought), not discounted")
        mc = r.monte_carlo
        if mc is not None:
            smp = monte_carlo_breakeven(base, prices, n=mc.n, seed=mc.seed, distributions=None, keep_samples=True)
            x = np.asarray(smp["saving_usd"])
            x = x[:, 0] if x.ndim > 1 else x
            hist = _histogram(x, f"Monte Carlo saving of self-hosting over {mc.horizon_months} months",
                              r.apis[0].api, label, mc.apis[0], mc.n, mc.seed, mc.horizon_months)
    elif not s.fits:
        notes.append(f"{s.model} at {s.quant} does not fit {s.n_gpus}x{s.gpu}: no self-hosting line")
    ids = [x.api for x in r.apis]
    wr = WorkloadReport(name=f"{fmt_tokens(T)} tokens/day", cost=cost, cumulative=cumulative, histogram=hist,
                        sensitivity=r.sensitivity.apis[0] if r.sensitivity and r.sensitivity.apis else None,
                        assumptions=_assumption_rows(a), catalog=_catalog_refs(cat, ids, [(s.gpu, rented, s.model)]),
                        chart_notes=notes)
    return ReportResult(title="Self-hosting break-even", provenance=provenance(), breakeven=r, workloads=[wr])
