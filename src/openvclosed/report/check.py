"""Renderers for ``ovc check``: table, markdown (pull-request comment), GitHub annotations."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from openvclosed.results.check import CheckResult
from openvclosed.report.escape import gh_command, md_code, md_text, no_workflow_command
from openvclosed.report.render import _render, usd
from openvclosed.report.layout import Col, fit_table
from openvclosed.report.text import cell, term, terminal_width

__all__ = ["render_check_table", "render_check_markdown", "render_github_annotations"]


def _pct(v) -> str:
    return "-" if v is None else f"{v:+.1f}%"


def _delta(v) -> str:
    if v is None:
        return "-"
    return ("+" if v >= 0 else "-") + usd(abs(v))


def render_check_table(r: CheckResult, width: int | None = None) -> str:
    head = Text(f"ovc check {term(r.file)}: {'PASS' if r.passed else 'FAIL'} — total {usd(r.total_usd_per_month)}/month"
                + (f" of {usd(r.total_budget_usd_per_month)} budget" if r.total_budget_usd_per_month else ""))
    width = width or terminal_width()
    cols = [Col("workload"), Col("recommended", wrap=True), Col("$/month", "right"), Col("budget", "right", drop=2),
            Col("$/1M tok", "right", drop=1), Col("status")]
    rows = [[cell(w.name), cell(f"{w.recommended_kind}: {w.recommended_name}") if w.recommended_name else "-",
             usd(w.usd_per_month), usd(w.budget_usd_per_month) if w.budget_usd_per_month else "-",
             usd(w.usd_per_mtok, 3), "ok" if w.passed else "FAIL"] for w in r.workloads]
    t, note = fit_table(cols, rows, width)
    parts = [head, t] + ([note] if note else [])
    if r.baseline:
        cols = [Col("workload"), Col("status"), Col("before", wrap=True, drop=2), Col("after", wrap=True, drop=1),
                Col("$/month before", "right"), Col("$/month after", "right"), Col("delta", "right"), Col("%", "right")]
        rows = [[cell(w["name"]), cell(w.get("status") or "-"), cell(w.get("before") or "-"), cell(w.get("after") or "-"),
                 _usd(w.get("usd_per_month_before")), _usd(w.get("usd_per_month_after")),
                 _delta(w.get("delta_usd_per_month")), _pct(w.get("delta_pct"))] for w in r.baseline["workloads"]]
        b, note = fit_table(cols, rows, width, title="against baseline")
        parts += [b] + ([note] if note else [])
        for w in r.baseline["workloads"]:
            for key, word in (("became_feasible", "now feasible"), ("became_infeasible", "no longer feasible")):
                if w.get(key):
                    parts.append(Text(f"{term(w['name'])}: {word}: {term(', '.join(map(str, w[key][:6])))}"
                                      + (f" (+{len(w[key]) - 6})" if len(w[key]) > 6 else "")))
    for f in r.findings:
        parts.append(Text(f"{'error' if f.severity == 'failure' else f.severity}: [{f.code}] "
                          + (f"{term(f.ids[0])}: " if f.ids else "") + term(f.message)))
    return _render(Group(*parts), width)


def _usd(v) -> str:
    """Dollars from a baseline file: only a finite number is shown (anything else is '-')."""
    import math

    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return "-"
    return usd(v)


def render_check_markdown(r: CheckResult) -> str:
    """Markdown for the PR comment and step summary; every string from a file goes through
    md_text/md_code, and no line can act as a workflow command."""
    status = "✅ pass" if r.passed else "❌ fail"
    lines = [f"### ovc check — {status}", "",
             f"**Total: {usd(r.total_usd_per_month)}/month**"
             + (f" (budget {usd(r.total_budget_usd_per_month)})" if r.total_budget_usd_per_month else "")
             + (f", {_delta(r.baseline['delta_usd_per_month'])} vs baseline"
                if r.baseline and r.baseline.get("delta_usd_per_month") is not None else ""),
             ""]
    errors = [f for f in r.findings if f.severity == "failure"]
    if errors:
        lines += ["**Failed checks**", ""]
        lines += [f"- ❌ `{f.code}`" + (f" **{md_text(f.ids[0])}**" if f.ids else "")
                  + f": {md_text(f.message)}" for f in errors]
        lines.append("")
    base = {w["name"]: w for w in (r.baseline or {}).get("workloads", []) if isinstance(w, dict) and "name" in w}
    added = [n for n, w in base.items() if w.get("status") == "added"]
    removed = [n for n, w in base.items() if w.get("status") == "removed"]
    if r.baseline is not None:
        lines.append("**Workloads since the baseline:** "
                     + (f"added {', '.join(md_code(n, table=False) for n in added)}" if added else "none added")
                     + "; " + (f"removed {', '.join(md_code(n, table=False) for n in removed)}" if removed
                               else "none removed"))
        for n in removed:
            b = base[n]
            lines.append(f"- removed {md_code(n, table=False)}: was {md_code(b.get('before'), table=False) or '-'} at "
                         f"{_usd(b.get('usd_per_month_before'))}/month")
        lines.append("")
    for w in r.workloads:
        lines += [f"#### {'✅' if w.passed else '❌'} {md_text(w.name)}", "",
                  "| | recommended | $/month | $/1M tok | budget |", "|---|---|---:|---:|---:|",
                  f"| now | {md_text(w.recommended_kind)}: {md_code(w.recommended_name) or '-'} | {usd(w.usd_per_month)} | "
                  f"{usd(w.usd_per_mtok, 3)} | {usd(w.budget_usd_per_month) if w.budget_usd_per_month else '-'} |"]
        b = base.get(w.name)
        if b and b.get("status") != "added":
            lines.append(f"| baseline | {md_code(b.get('before')) or '-'} | {_usd(b.get('usd_per_month_before'))} | | |")
            lines.append(f"| change | | {_delta(b.get('delta_usd_per_month'))} ({_pct(b.get('delta_pct'))}) | | |")
        lines.append("")
        if b:
            for key, word in (("became_feasible", "now feasible"), ("became_infeasible", "no longer feasible")):
                if b.get(key):
                    lines.append(f"- {word}: " + ", ".join(md_code(x, table=False) for x in b[key][:6])
                                 + (f" (+{len(b[key]) - 6} more)" if len(b[key]) > 6 else ""))
            lines.append("")
    warnings = [f for f in r.findings if f.severity != "failure"]
    if warnings:
        lines += ["<details><summary>warnings</summary>", ""]
        lines += [f"- ⚠️ {md_text(f.message)}" for f in warnings]
        lines += ["", "</details>", ""]
    return no_workflow_command("\n".join(lines))


def _lines(s: str) -> str:
    """Terminal-safe text that keeps its line breaks (gh_command percent-encodes them)."""
    return "\n".join(term(x) for x in str(s).split("\n"))


def render_github_annotations(r: CheckResult, file: str | None = None) -> str:
    file = r.file if file is None else file
    out = []
    for f in r.findings:
        kind = "error" if f.severity == "failure" else "warning"
        title = f"ovc {f.code}" + (f" ({f.ids[0]})" if f.ids else "")
        # the runner shows annotations in its log: no escape sequences from the data either
        out.append(gh_command(kind, _lines(f.message), file=_lines(file), title=_lines(title)))
    return "\n".join(out) + ("\n" if out else "")


def render_check_markdown_nl(r: CheckResult) -> str:
    return render_check_markdown(r) + "\n"
