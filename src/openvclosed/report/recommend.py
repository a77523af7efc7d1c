"""Renderers for ``ovc recommend``: rich table + panel, and markdown. Strings out."""

from __future__ import annotations

import math

from rich import box
from rich.console import Group
from rich.panel import Panel
from rich.text import Text

from openvclosed.report.findings import finding_lines
from openvclosed.report.layout import Col, fit_table
from openvclosed.report.render import _render
from openvclosed.report.escape import md_code, md_text, no_workflow_command
from openvclosed.report.text import cell, fmt_months, fmt_tokens, term, terminal_width, usd
from openvclosed.results.recommend import OptionOut, RecommendResult

__all__ = ["render_recommend", "render_recommend_markdown", "capability_line"]

SELF_HOST = ("self-host", "self-host-cloud")  # OptionKind values
APIS = ("closed-api", "hosted-open-api")


def _verdict(o: OptionOut, rec: OptionOut | None, short: bool = False) -> str:
    if rec is not None and o.id == rec.id:
        return "RECOMMENDED"
    if o.feasible:
        risk = [n for n in o.notes if n.code == "quant_risk"]
        return "feasible" + (f" ({term(risk[0].message)})" if risk else "")
    if short:
        return "excluded: " + ", ".join(dict.fromkeys(f.code for f in o.excluded_because))
    return "excluded: " + "; ".join(term(f.message) for f in o.excluded_because[:2])


def _comparable(w) -> bool:
    """Whether any API option is feasible: without one, a self-hosted break-even is n/a, not never."""
    return any(o.feasible and o.kind in APIS for o in w.options)


def _be(o: OptionOut, comparable: bool = True) -> str:
    if o.kind not in SELF_HOST:
        return "-"
    if o.breakeven_tokens_per_day and math.isfinite(o.breakeven_tokens_per_day):
        return fmt_tokens(o.breakeven_tokens_per_day)
    return "never" if comparable else "n/a"


def _payback(o: OptionOut, comparable: bool = True) -> str:
    if o.kind != "self-host":
        return "-"
    if not comparable and (o.payback_months is None or not math.isfinite(o.payback_months)):
        return "n/a"
    return fmt_months(o.payback_months)


def named_options(w) -> list[OptionOut]:
    """The best option (first in rank order, feasible first) for each API, model and hardware spec
    the workload file named under ``candidates``."""
    c = w.candidates or {}
    ranked = [o for o in w.options if o.feasible] + [o for o in w.options if not o.feasible]
    out: dict[str, OptionOut] = {}

    def best_of(group_key):
        seen = set()
        for o in ranked:
            k = group_key(o)
            if k is not None and k not in seen:
                seen.add(k)
                out.setdefault(o.id, o)

    if c.get("apis"):
        named = set(c["apis"])
        best_of(lambda o: o.id if o.kind in APIS and o.id in named else None)
    if c.get("hardware"):
        best_of(lambda o: (o.detail.get("n_gpus"), o.detail.get("gpu")) if o.kind in SELF_HOST else None)
    if c.get("models"):
        named = set(c["models"])
        best_of(lambda o: o.model if o.kind in SELF_HOST and o.model in named else None)
    return list(out.values())


def excluded_summary(options: list[OptionOut]) -> list[str]:
    """One line per exclusion code (the first reason of each excluded option): how many, an example."""
    groups: dict[str, list[OptionOut]] = {}
    for o in options:
        if not o.feasible and o.excluded_because:
            groups.setdefault(o.excluded_because[0].code, []).append(o)
    lines = []
    for code, os_ in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"  {code} ({len(os_)}): {term(os_[0].excluded_because[0].message)}")
    return lines


def capability_line(cap, esc=term) -> str:
    """The recommendation's capability evidence in one line: each part's score next to the floor of
    the tier it serves, the workload's min_capability, the best-scoring feasible alternative.
    ``esc`` escapes strings from files for the output channel."""
    if cap is None:
        return ""

    def score(x, vouched=False):
        return "unrated" if x is None else f"{x:g}" + (" (vouched for by you)" if vouched else "")

    parts = [f"{esc(p.option)} {score(p.score, p.vouched)} vs {esc(p.tier_needed)} floor {p.floor:g}"
             if p.tier_needed != "simple" else f"{esc(p.option)} {score(p.score, p.vouched)} (simple work: no floor)"
             for p in cap.parts]
    line = f"capability ({esc(cap.index)} {esc(cap.version)}): " + "; ".join(parts)
    if cap.min_capability is not None:
        line += f"; min_capability {cap.min_capability:g}"
    if cap.best_alternative:
        line += f"; best-scoring feasible alternative: {esc(cap.best_alternative)} {score(cap.best_alternative_score)}"
    return line


_LIMIT_TEXT = {"tpot": "a larger batch breaks the TPOT target", "ttft": "a larger batch serves less within the TTFT target",
               "memory": "the batch is as large as memory and the engine allow"}


def sizing_line(o: OptionOut | None, esc=term) -> str:
    """How the recommended self-hosted design (or a hybrid's self-hosted part) was sized, in one line."""
    if o is not None and o.sizing is None:
        o = next((m for m in o.members if m.sizing is not None), None)
    z = o.sizing if o is not None else None
    if z is None:
        return ""
    reps = f"{z.replicas_serving:.0f} serving replica{'s' if z.replicas_serving != 1 else ''}" \
        if z.replicas_serving is not None else "replicas"
    mean = f"mean utilisation {z.utilization_mean:.0%}" if z.utilization_mean is not None else ""
    if z.method != "load":
        return (f"sizing: fixed utilisation {z.utilization_fixed:.0%} (assumptions.utilization); {reps}"
                + (f", {mean}" if mean else ""))
    peak = f"{z.utilization_peak:.0%}" if z.utilization_peak is not None else "-"
    cap = f"{z.utilization_peak_max:.0%}" if z.utilization_peak_max is not None else "-"
    p95 = f"{z.ttft_p95_ms:,.0f} ms" if z.ttft_p95_ms is not None else "-"
    line = (f"sizing for the load: {reps} at batch {z.batch:.0f} per instance for a busy hour {z.peak_to_mean:.3g}x "
            f"the mean; busy-hour utilisation {peak} (at most {cap} keeps TTFT p95 <= {z.ttft_target_ms:,.0f} ms, "
            f"{esc(z.ttft_target_basis or '')}); TTFT p95 {p95}, TPOT {z.tpot_ms:.1f} ms <= {z.tpot_target_ms:.1f} ms "
            f"({esc(z.tpot_target_basis or '')})")
    if z.limit in _LIMIT_TEXT:
        line += f"; {_LIMIT_TEXT[z.limit]}"
    return line + (f"; {mean}" if mean else "")


def _panel_body(w, rec: OptionOut | None, comparable: bool) -> str:
    if rec is None:
        return "No option satisfies every constraint.\n" + "\n".join(f"- {term(x)}" for x in w.recommendation.reasons)
    body = (f"{term(rec.kind)}: {term(rec.name)} — {usd(rec.usd_per_month)}/month, {usd(rec.usd_per_mtok, 3)} "
            f"per 1M tokens, {usd(rec.horizon_usd)} over {w.horizon_months} months")
    d = rec.detail
    if rec.kind in SELF_HOST:
        hw = [f"{d['n_gpus']} x {term(d['gpu'])}" if "gpu" in d else None,
              term(d["precision"]) if "precision" in d else None,
              term(d["mode"]) if "mode" in d else None,
              f"{d['replicas']:.0f} replica{'s' if d['replicas'] != 1 else ''}" if isinstance(d.get("replicas"), (int, float)) else None]
        body += "\nhardware: " + ", ".join(x for x in hw if x)
        if rec.capex_usd:
            body += f"\ncapex: {usd(rec.capex_usd)} up front"
        if d.get("price_basis"):
            body += f"\nprice basis: {term(d['price_basis'])}"
        lic = [n for n in rec.notes if n.code.startswith("licence")]
        body += "\nlicence: " + ("; ".join(term(n.message) for n in lic) if lic else "no licence findings")
        if not comparable:
            body += "\nbreak-even and payback: n/a — no API option may be compared (every API is excluded)"
    if sizing_line(rec):
        body += "\n" + sizing_line(rec)
    if w.recommendation.capability is not None:
        body += "\n" + capability_line(w.recommendation.capability)
    body += "\n\nWhy:\n" + "\n".join(f"- {term(x)}" for x in w.recommendation.reasons)
    body += "\n\nStay able to switch:\n" + "\n".join(f"- {term(x)}" for x in w.recommendation.switching)
    return body


def render_recommend(r: RecommendResult, width: int | None = None, max_rows: int = 8, show_all: bool = False) -> str:
    width = width or terminal_width()
    parts = []
    for w in r.workloads:
        rec = w.recommendation.option
        comparable = _comparable(w)
        feas = [o for o in w.options if o.feasible]
        shown: dict[str, tuple[OptionOut, str]] = {}
        if rec is not None:
            shown[rec.id] = (rec, "")
        for o in feas:
            if len(shown) >= max_rows:
                break
            shown.setdefault(o.id, (o, ""))
        for o in named_options(w):
            shown.setdefault(o.id, (o, "named; "))
        if show_all:
            for o in w.options:
                shown.setdefault(o.id, (o, ""))
        cols = [Col("option", wrap=True), Col("kind", drop=5), Col("$/month now", "right"),
                Col("$/1M tok", "right", drop=4), Col("horizon total", "right", drop=2),
                Col("break-even tok/day", "right"), Col("payback mo", "right", drop=3), Col("verdict", wrap=True)]
        rows = []
        for o, tag in shown.values():
            rows.append([cell(o.name), cell(o.kind), usd(o.usd_per_month), usd(o.usd_per_mtok, 3),
                         usd(o.horizon_usd) if o.feasible else "-", _be(o, comparable), _payback(o, comparable),
                         cell(tag + _verdict(o, rec, short=True))])
        title = (f"{cell(w.name)}: {fmt_tokens(w.tokens_per_day)} tokens/day, {w.sensitivity}, mix "
                 + " / ".join(f"{cell(k)} {v:.0%}" for k, v in w.task_mix.items() if v)
                 + f", horizon {w.horizon_months} months")
        t, note = fit_table(cols, rows, width, title=title)
        parts.append(t)
        if note:
            parts.append(note)
        n_feas_hidden = sum(1 for o in feas if o.id not in shown)
        excl = [o for o in w.options if not o.feasible]
        tail = []
        if n_feas_hidden:
            tail.append(f"{n_feas_hidden} more feasible option{'s' if n_feas_hidden != 1 else ''} (--rows N or --all shows them)")
        if excl:
            tail.append(f"{len(excl)} option{'s' if len(excl) != 1 else ''} excluded, by first reason:")
        if tail:
            parts.append(Text("; ".join(tail)))
        if excl:
            parts.append(Text("\n".join(excluded_summary(excl)) + "\n(--all lists every option; --json has every reason)"))
        if not comparable and any(o.kind in SELF_HOST for o, _ in shown.values()):
            parts.append(Text("break-even n/a: every API is excluded, so no self-hosted design can be compared with one"))
        body = _panel_body(w, rec, comparable)
        mc = w.monte_carlo
        if mc:
            body += (f"\n\nMonte Carlo ({mc['n']:,} draws, seed {mc['seed']}, {mc['horizon_months']} months, discounted): "
                     f"P({term(mc['selfhost'])} cheaper than {term(mc['api'])}) = {mc['p_selfhost_cheaper']:.2f}; saving "
                     f"P10 {usd(mc['saving_usd_p10'])}, P50 {usd(mc['saving_usd_p50'])}, P90 {usd(mc['saving_usd_p90'])}")
        elif "monte_carlo" in w.model_fields_set:
            body += "\n\nMonte Carlo: needs both a feasible self-hosted design and a feasible API; one side has none"
        parts.append(Panel(Text(body), title=f"Recommendation for {cell(w.name)}", title_align="left", box=box.ROUNDED))
        parts += [Text(x) for x in finding_lines(w.findings)]
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
        if w.recommendation.capability is not None:
            out += [capability_line(w.recommendation.capability, md_text), ""]
        if sizing_line(rec, md_text):
            out += [sizing_line(rec, md_text), ""]
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


def render_recommend_markdown_nl(r: RecommendResult, max_rows: int = 8) -> str:
    return render_recommend_markdown(r, max_rows=max_rows) + "\n"
