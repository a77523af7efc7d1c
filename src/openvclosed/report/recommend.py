"""Renderers for ``ovc recommend``: rich table + panel, and markdown. Strings out."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from openvclosed.report.findings import stdout_findings
from openvclosed.report.render import _render
from openvclosed.report.escape import md_code, md_text, no_workflow_command
from openvclosed.report.text import cell, fmt_months, fmt_tokens, term, usd
from openvclosed.results.recommend import OptionOut, RecommendResult

__all__ = ["render_recommend", "render_recommend_markdown"]

MAX_EXCLUDED_ROWS = 8


def _verdict(o: OptionOut, rec: OptionOut | None) -> str:
    if rec is not None and o.id == rec.id:
        return "RECOMMENDED"
    if o.feasible:
        risk = [n for n in o.notes if n.code == "quant_risk"]
        return "feasible" + (f" ({term(risk[0].message)})" if risk else "")
    return "excluded: " + "; ".join(term(f.message) for f in o.excluded_because[:2])


def _be(o: OptionOut) -> str:
    if o.kind not in ("self-host", "self-host-cloud"):  # OptionKind values
        return "-"
    return fmt_tokens(o.breakeven_tokens_per_day) if o.breakeven_tokens_per_day else "never"


def render_recommend(r: RecommendResult, width: int | None = None, max_rows: int = 12) -> str:
    parts = []
    for w in r.workloads:
        rec = w.recommendation.option
        t = Table(title=f"{cell(w.name)}: {fmt_tokens(w.tokens_per_day)} tokens/day, {w.sensitivity}, mix "
                        + " / ".join(f"{cell(k)} {v:.0%}" for k, v in w.task_mix.items() if v)
                        + f", horizon {w.horizon_months} months",
                  box=box.SIMPLE_HEAVY, title_justify="left")
        for col, just in (("option", "left"), ("kind", "left"), ("$/month now", "right"), ("$/1M tok", "right"),
                          ("horizon total", "right"), ("break-even tok/day", "right"), ("payback mo", "right"),
                          ("verdict", "left")):
            t.add_column(col, justify=just, overflow="fold", no_wrap=col in ("$/month now", "horizon total"))
        feas = [o for o in w.options if o.feasible]
        excl = [o for o in w.options if not o.feasible]
        for o in feas[:max_rows]:
            t.add_row(cell(o.name), cell(o.kind), usd(o.usd_per_month), usd(o.usd_per_mtok, 3), usd(o.horizon_usd),
                      _be(o), fmt_months(o.payback_months) if o.kind == "self-host" else "-",
                      cell(_verdict(o, rec)))
        for o in excl[:MAX_EXCLUDED_ROWS]:
            t.add_row(cell(o.name), cell(o.kind), usd(o.usd_per_month), usd(o.usd_per_mtok, 3), "-", "-", "-",
                      cell(_verdict(o, rec)))
        hidden = len(feas[max_rows:]) + len(excl[MAX_EXCLUDED_ROWS:])
        parts.append(t)
        if hidden:
            parts.append(Text(f"({hidden} more options: --json lists every option with its reasons)"))
        if rec is None:
            body = "No option satisfies every constraint.\n" + "\n".join(f"- {term(x)}" for x in w.recommendation.reasons)
        else:
            body = (f"{term(rec.kind)}: {term(rec.name)} — {usd(rec.usd_per_month)}/month, {usd(rec.usd_per_mtok, 3)} per 1M tokens\n\n"
                    "Why:\n" + "\n".join(f"- {term(x)}" for x in w.recommendation.reasons)
                    + "\n\nStay able to switch:\n" + "\n".join(f"- {term(x)}" for x in w.recommendation.switching))
        mc = w.monte_carlo
        if mc:
            body += (f"\n\nMonte Carlo ({mc['n']:,} draws, seed {mc['seed']}, {mc['horizon_months']} months, discounted): "
                     f"P({term(mc['selfhost'])} cheaper than {term(mc['api'])}) = {mc['p_selfhost_cheaper']:.2f}; saving "
                     f"P10 {usd(mc['saving_usd_p10'])}, P50 {usd(mc['saving_usd_p50'])}, P90 {usd(mc['saving_usd_p90'])}")
        elif "monte_carlo" in w.model_fields_set:
            body += "\n\nMonte Carlo: needs both a feasible self-hosted design and a feasible API; one side has none"
        parts.append(Panel(Text(body), title=f"Recommendation for {cell(w.name)}", title_align="left", box=box.ROUNDED))
        for x in [f.message for f in stdout_findings(w.findings)]:
            parts.append(Text("warning: " + term(x)))
    if r.portfolio is not None:
        p = r.portfolio
        lines = [f"decided alone: {usd(p.alone_usd_per_month)}/month; best shared cluster: "
                 f"{usd(p.shared_usd_per_month)}/month" + (f" on {term(p.shared_design)}" if p.shared_design else "")]
        lines += [f"- {term(n)}" for n in p.notes]
        parts.append(Panel(Text("\n".join(lines)), title="Portfolio", title_align="left", box=box.ROUNDED))
    return _render(Group(*parts), width)


def render_recommend_markdown(r: RecommendResult, max_rows: int = 8) -> str:
    """Markdown for a PR or wiki; every string from a file goes through md_text/md_code."""
    out = ["# ovc recommend", ""]
    for w in r.workloads:
        rec = w.recommendation.option
        out.append(f"## {md_text(w.name)}")
        out.append("")
        if rec:
            out.append(f"**Recommended: {md_text(rec.kind)} {md_code(rec.name, table=False)}** — "
                       f"{usd(rec.usd_per_month)}/month, {usd(rec.usd_per_mtok, 3)} per 1M tokens, "
                       f"{usd(rec.horizon_usd)} over {w.horizon_months} months.")
        else:
            out.append("**No feasible option.**")
        out.append("")
        out += [f"- {md_text(x)}" for x in w.recommendation.reasons]
        out.append("")
        out.append("| option | kind | $/month | $/1M tok | horizon | verdict |")
        out.append("|---|---|---:|---:|---:|---|")
        rows = [o for o in w.options if o.feasible][:max_rows] + [o for o in w.options if not o.feasible][:4]
        for o in rows:
            out.append(f"| {md_code(o.name)} | {md_text(o.kind)} | {usd(o.usd_per_month)} | {usd(o.usd_per_mtok, 3)} | "
                       f"{usd(o.horizon_usd) if o.feasible else '-'} | {md_text(_verdict(o, rec))} |")
        out.append("")
    if r.portfolio is not None:
        out.append("## Portfolio")
        out.append("")
        out += [f"- {md_text(n)}" for n in r.portfolio.notes]
        out.append("")
    return no_workflow_command("\n".join(out))


def render_recommend_markdown_nl(r: RecommendResult) -> str:
    return render_recommend_markdown(r) + "\n"
