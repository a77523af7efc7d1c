"""Renderers for ``ovc usage summarize`` and ``ovc usage reprice``: result object in, string out."""

from __future__ import annotations

import math

from rich.console import Group
from rich.text import Text

from openvclosed.report.findings import finding_lines
from openvclosed.report.layout import Col, fit_table
from openvclosed.report.render import _render
from openvclosed.report.text import cell, fmt_tokens, term, terminal_width, usd
from openvclosed.results.usage import RepriceResult, ToWorkloadResult, UsageSummaryResult

__all__ = ["render_summary", "render_reprice"]


def _usd(v) -> str:
    """Dollars with cents below $100 (usage logs are often small)."""
    return usd(v, 2 if v is not None and v == v and abs(v) < 100 else 0)


def _share0(x) -> str:
    return "n/a" if x is None or x != x else f"{x:.0%}"


def _share(x) -> str:
    return "n/a" if x is None or x != x else f"{x:.1%}"


def _warnings(findings) -> list:
    return [Text(x) for x in finding_lines(findings)]


def render_summary(r: UsageSummaryResult, width: int | None = None) -> str:
    w = r.window
    rows = sum(f["good_rows"] for f in r.files)
    bad = sum(f["bad_rows"] for f in r.files)
    head = (f"{len(r.files)} file{'s' if len(r.files) != 1 else ''}, {rows:,} records"
            + (f" ({bad:,} bad rows skipped)" if bad else "")
            + f"; window {w['start']} to {w['end']} = {w['days']:.2f} days ({w['resolution']} resolution)")
    res = w["resolution"]
    width = width or terminal_width()
    cols = [Col("model"), Col("API", drop=6), Col("tok/day", "right"), Col("peak day", "right", drop=5),
            Col("req/day", "right", drop=4), Col("input", "right", drop=7), Col("cached", "right", drop=8),
            Col("peak/mean", "right"), Col("$/day", "right", drop=3), Col("$ total", "right"),
            Col("$ logged", "right", drop=2)]
    rows = []
    for m in r.models:
        rows.append([cell(m["model"]), cell(m["api"] or "(not in catalog)"), fmt_tokens(m["tokens_per_day"]),
                     fmt_tokens(m["peak_day_tokens"]), f"{m['requests_per_day']:,.1f}", _share(m["input_share"]),
                     _share(m["cached_share"]), f"{m['peak_to_mean']:.2f}", _usd(m["usd_per_day_at_catalog"]),
                     _usd(m["usd_at_catalog"]), _usd(m["logged_usd"]) if m["logged_usd"] is not None else "-"])
    tot = r.total
    other = _other_prices(r)
    if other:
        cols.insert(-1, Col(other, "right", drop=1))
        for row, m in zip(rows, r.models):
            row.insert(-1, _usd(m.get("usd_at_other_prices")) if m.get("api") else "-")
    rows.append(None)
    rows.append(["total", f"{_share0(tot['priced_token_share'])} priced", fmt_tokens(tot["tokens_per_day"]),
                 fmt_tokens(tot["peak_day_tokens"]), f"{tot['requests_per_day']:,.1f}", _share(tot["input_share"]),
                 _share(tot["cached_share"]), f"{tot['peak_to_mean']:.2f}", _usd(tot["usd_per_day_at_catalog"]),
                 _usd(tot["usd_at_catalog"]), _usd(tot["logged_usd"]) if tot["logged_usd"] is not None else "-"])
    if other:
        rows[-1].insert(-1, _usd(tot.get("usd_at_other_prices")))
    basis = ("today's catalog prices (--at-current-prices)" if tot.get("priced_at") == "current"
             else "the catalog prices in force on each day")
    t, note = fit_table(cols, rows, width, title=(
        f"Traffic per model: tokens = input + output; input = input share of tokens, cached = cached "
        f"share of input; peak/mean = busiest {res} / mean {res}; $ at {basis}, over the window"))
    if note:
        t = Group(t, note)
    return _render(Group(Text(head), t, *_warnings(r.findings)), width)


def _other_prices(r: UsageSummaryResult) -> str | None:
    """Header of the column of costs at the other prices, when they differ from the main ones."""
    from openvclosed.usage.pricing import differs

    if not differs(r.total.get("usd_at_catalog"), r.total.get("usd_at_other_prices")):
        return None
    return "$ then" if r.total.get("priced_at") == "current" else "$ today"


def render_reprice(r: RepriceResult, width: int | None = None) -> str:
    from openvclosed.usage.pricing import differs

    dated = r.priced_at == "date"
    basis = "each day at the prices in force then" if dated else "at today's prices (--at-current-prices)"
    other = "today's prices" if dated else "the prices then"

    head = [
        f"traffic          {fmt_tokens(r.tokens_per_day)} tokens/day over {r.days:.2f} days; input {_share(r.input_share)}, "
        f"cached {_share(r.cached_share)} of input; context {r.context_tokens:,} tokens/sequence",
        f"as logged        {_usd(r.actual_usd_per_month)}/month at the catalog prices of the models used "
        f"({r.actual_priced_token_share:.0%} of tokens priced)"
        + (f"; the logs' own cost column: {_usd(r.logged_usd_per_month)}/month" if r.logged_usd_per_month is not None else ""),
        *([f"                 {basis}; at {other}: {_usd(r.actual_usd_per_month_other)}/month"]
          if differs(r.actual_usd_per_month, r.actual_usd_per_month_other) else []),
        f"self-host sizing {fmt_tokens(r.tokens_per_day)} tokens/day x peak/mean {r.peak_to_mean:.2f} "
        f"({'hourly' if r.resolution == 'hour' else 'DAILY'}) = {fmt_tokens(r.sizing_tokens_per_day)} tokens/day at "
        f"utilization {r.assumptions['utilization']:g}",
    ]
    width = width or terminal_width()
    cols = [Col("option"), Col("kind", drop=3), Col("tier", drop=4), Col("detail", wrap=True, drop=2),
            Col("$/month", "right"), Col("$/1M tok", "right", drop=1), Col("vs as logged", "right", wrap=True)]
    rows = []
    for o in r.options:
        detail = o.detail
        if o.kind == "self-host":
            detail += (f", {o.replicas:.0f} replica{'s' if o.replicas != 1 else ''}" if o.fits and
                       math.isfinite(o.replicas or math.inf) else ", does not fit")
        if o.saving_usd_per_month is None:
            vs = "-"
        else:
            vs = (f"saves {_usd(o.saving_usd_per_month)}/mo" if o.saving_usd_per_month >= 0
                  else f"costs {_usd(-o.saving_usd_per_month)}/mo more")
        rows.append([cell(o.option), cell(o.kind), cell(o.tier or "-"), cell(detail),
                     _usd(o.usd_per_month) if math.isfinite(o.usd_per_month) else "does not fit",
                     usd(o.usd_per_mtok, 3) if math.isfinite(o.usd_per_mtok) else "-", vs])
    if any(differs(o.usd_per_month, o.usd_per_month_other) for o in r.options):
        cols.insert(5, Col("$/mo today" if dated else "$/mo then", "right", drop=1))
        for row, o in zip(rows, r.options):
            row.insert(5, _usd(o.usd_per_month_other) if o.usd_per_month_other is not None else "-")
    comparable = any(o.saving_usd_per_month is not None for o in r.options)
    why = None
    if not comparable:  # no empty column: say why there is no comparison
        cols, rows = cols[:-1], [x[:-1] for x in rows]
        unpriced = [i for f in r.findings if f.code == "unpriced_model" for i in f.ids]
        why = Text(f"not comparable with the logs: only {r.actual_priced_token_share:.0%} of tokens are priced"
                   + (f" ({', '.join(term(x) for x in unpriced[:3])}{' ...' if len(unpriced) > 3 else ''} not in "
                      "the catalog: add it with --catalog FILE, docs/catalog.md)" if unpriced else "")
                   + "; the options below are priced for all the traffic, the as-logged cost only for the priced part")
    t, note = fit_table(cols, rows, width, title="The same traffic on each option (cheapest first)")
    t = Group(*[x for x in (t, note, why) if x is not None])
    keys = ["utilization", "electricity_usd_kwh", "pue", "ops_team_usd_month", "ops_usd_month", "amortize_years", "rate"]
    assum = "  ".join(f"{k}={r.assumptions[k]:g}" if isinstance(r.assumptions.get(k), (int, float)) else
                      f"{k}={'by site' if k == 'pue' else r.assumptions.get(k)}" for k in keys if k in r.assumptions)
    parts = [Text("\n".join(head)), t, Text("assumptions: " + assum + "  (`ovc breakeven --help` names them all)")]
    parts += _warnings(r.findings)
    return _render(Group(*parts), width)


def render_to_workload(r: ToWorkloadResult, width: int | None = None) -> str:
    from openvclosed.report.escape import no_workflow_command

    names = ", ".join(r.workloads[:5]) + (", ..." if len(r.workloads) > 5 else "")
    n = len(r.workloads)
    return no_workflow_command(f"wrote {term(r.output)}: {n} workload{'s' if n != 1 else ''} ({term(names)}) from "
                               f"{r.days:.2f} days of traffic. Set sensitivity and task_mix on the `# TODO set:` "
                               f"lines.") + "\n"
