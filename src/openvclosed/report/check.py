"""Renderers for ``ovc check``: table, markdown (pull-request comment), GitHub annotations."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from openvclosed.results.baseline_diff import FACTOR_LABELS, WorkloadDiff
from openvclosed.check.exclusions import KIND_LABELS, exclusion_text
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
             _usd(w.usd_per_month), usd(w.budget_usd_per_month) if w.budget_usd_per_month else "-",
             _usd(w.usd_per_mtok, 3), "ok" if w.passed else "FAIL"] for w in r.workloads]
    t, note = fit_table(cols, rows, width)
    parts = [head, t] + ([note] if note else [])
    if r.baseline:
        cols = [Col("workload"), Col("status"), Col("before", wrap=True, drop=2), Col("after", wrap=True, drop=1),
                Col("$/month before", "right"), Col("$/month after", "right"), Col("delta", "right"), Col("%", "right")]
        rows = [[cell(w.name), w.status, cell(w.before or "-"), cell(w.after or "-"),
                 _usd(w.usd_per_month_before), _usd(w.usd_per_month_after),
                 _delta(w.delta_usd_per_month), _pct(w.delta_pct)] for w in r.baseline.workloads]
        b, note = fit_table(cols, rows, width, title="against baseline")
        parts += [b] + ([note] if note else [])
        for w in r.baseline.workloads:
            for line in _change_lines(w):
                parts.append(Text(f"{term(w.name)}: {term(line)}"))
            if w.attribution:
                parts.append(Text(f"{term(w.name)}: why the cost moved: " + "; ".join(
                    f"{FACTOR_LABELS[f.factor]} {_delta(f.usd_per_month)}" + (f" ({term(f.detail)})" if f.detail else "")
                    for f in w.attribution)))
    for w in r.workloads:
        if w.excluded:
            parts.append(Text(f"{term(w.name)}: no feasible option — {term(exclusion_text(w.excluded))}"))
    for f in r.findings:
        parts.append(Text(f"{'error' if f.severity == 'failure' else f.severity}: [{f.code}] "
                          + (f"{term(f.ids[0])}: " if f.ids else "") + term(f.message)))
    return _render(Group(*parts), width)


def _usd(v, digits: int = 0) -> str:
    """Dollars (from a baseline file too): only a finite number is shown (anything else is '-')."""
    import math

    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return "-"
    return usd(v, digits) if digits else usd(v)


def _few(names: list[str], n: int = 6, code=str) -> str:
    return ", ".join(code(x) for x in names[:n]) + (f" (+{len(names) - n} more)" if len(names) > n else "")


def _change_lines(w: WorkloadDiff, code=str) -> list[str]:
    """Option changes and the cost attribution of one workload, one line each (plain text:
    ``code`` quotes names for the channel)."""
    out = []
    if w.became_feasible:
        out.append("now feasible: " + _few(w.became_feasible, code=code))
    if w.became_infeasible:
        out.append("no longer feasible: " + _few(w.became_infeasible, code=code))
    if w.changed_precision:
        out.append("changed precision: " + _few([f"{code(c.design)} {c.before} -> {c.after}" for c in w.changed_precision]))
    return out


def _total_line(r: CheckResult) -> str:
    none = [w for w in r.workloads if w.recommended_name is None]
    if r.workloads and len(none) == len(r.workloads):
        head = "**Total: no feasible option**" + (f" (budget {usd(r.total_budget_usd_per_month)})"
                                                  if r.total_budget_usd_per_month else "")
    else:
        head = (f"**Total: {usd(r.total_usd_per_month)}/month**"
                + (f" for {len(r.workloads) - len(none)} of {len(r.workloads)} workloads ({len(none)} with no "
                   "feasible option)" if none else "")
                + (f" (budget {usd(r.total_budget_usd_per_month)})" if r.total_budget_usd_per_month else ""))
    if r.baseline and r.baseline.delta_usd_per_month is not None:
        head += f", {_delta(r.baseline.delta_usd_per_month)} vs baseline"
    return head


def _attribution_md(w: WorkloadDiff) -> list[str]:
    if w.attribution:
        rows = ["", "| why the cost moved | $/month | what changed |", "|---|---:|---|"]
        rows += [f"| {FACTOR_LABELS[f.factor]} | {_delta(f.usd_per_month)} | {md_text(f.detail) or ''} |"
                 for f in w.attribution]
        return rows
    if w.attribution_note and w.status == "changed":
        return ["", f"_Why the cost moved: {md_text(w.attribution_note)}._"]
    return []


def render_check_markdown(r: CheckResult) -> str:
    """Markdown for the PR comment and step summary; every string from a file goes through
    md_text/md_code, and no line can act as a workflow command."""
    status = "✅ pass" if r.passed else "❌ fail"
    lines = [f"### ovc check — {status}", "", _total_line(r), ""]
    errors = [f for f in r.findings if f.severity == "failure"]
    if errors:
        lines += ["**Failed checks**", ""]
        lines += [f"- ❌ `{f.code}`" + (f" **{md_text(f.ids[0])}**" if f.ids else "")
                  + f": {md_text(f.message)}" for f in errors]
        lines.append("")
    stale = [f for f in r.findings if f.code == "stale_price"]
    if stale:
        lines += ["**Stale prices**", ""] + [f"- ⚠️ {md_text(f.message)}" for f in stale] + [""]
    base = {w.name: w for w in (r.baseline.workloads if r.baseline else [])}
    added = [n for n, w in base.items() if w.status == "added"]
    removed = [n for n, w in base.items() if w.status == "removed"]
    if r.baseline is not None:
        lines.append("**Workloads since the baseline:** "
                     + (f"added {', '.join(md_code(n, table=False) for n in added)}" if added else "none added")
                     + "; " + (f"removed {', '.join(md_code(n, table=False) for n in removed)}" if removed
                               else "none removed"))
        for n in removed:
            b = base[n]
            lines.append(f"- removed {md_code(n, table=False)}: was {md_code(b.before, table=False) if b.before else '-'}"
                         f" at {_usd(b.usd_per_month_before)}/month")
        if r.baseline.attribution:
            lines.append("- why the total moved: " + "; ".join(
                f"{FACTOR_LABELS[f.factor]} {_delta(f.usd_per_month)}" for f in r.baseline.attribution))
        lines.append("")
    for w in r.workloads:
        rec = (f"{md_text(KIND_LABELS.get(w.recommended_kind, w.recommended_kind))}: {md_code(w.recommended_name)}"
               if w.recommended_name else "no feasible option")
        lines += [f"#### {'✅' if w.passed else '❌'} {md_text(w.name)}", "",
                  "| | recommended | $/month | $/1M tok | budget |", "|---|---|---:|---:|---:|",
                  f"| now | {rec} | {_usd(w.usd_per_month)} | "
                  f"{_usd(w.usd_per_mtok, 3)} | {usd(w.budget_usd_per_month) if w.budget_usd_per_month else '-'} |"]
        b = base.get(w.name)
        if b and b.status != "added":
            lines.append(f"| baseline | {md_code(b.before) if b.before else 'no feasible option'} | "
                         f"{_usd(b.usd_per_month_before)} | | |")
            change = (f"{_delta(b.delta_usd_per_month)} ({_pct(b.delta_pct)})" if b.delta_usd_per_month is not None
                      else "no feasible option now" if b.usd_per_month_after is None else "no feasible option before")
            lines.append(f"| change | | {change} | | |")
        if w.excluded:
            lines += ["", "No feasible option. Per kind of option, the constraints that excluded it:", ""]
            lines += [f"- {KIND_LABELS.get(k.kind, md_text(k.kind))}: "
                      + (("none formed" + (f" ({md_text(k.note)})" if k.note else "")) if not k.options else
                         ", ".join(f"`{md_text(c)}` ({n} of {k.options})" for c, n in k.codes.items()) or "feasible")
                      + (f" — e.g. {md_text(k.example)}" if k.example else "") for k in w.excluded]
        if b:
            lines += _attribution_md(b)
        lines.append("")
        if b:
            extra = _change_lines(b, code=lambda x: md_code(x, table=False))
            lines += [f"- {x}" for x in extra] + ([""] if extra else [])
    warnings = [f for f in r.findings if f.severity != "failure" and f.code != "stale_price"]
    if warnings:
        lines += ["<details><summary>warnings</summary>", ""]
        lines += [f"- ⚠️ {md_text(f.message)}" for f in warnings]
        lines += ["", "</details>", ""]
    return no_workflow_command("\n".join(lines))


def _lines(s: str) -> str:
    """Terminal-safe text that keeps its line breaks (gh_command percent-encodes them, and ``%``,
    and ``:``/``,`` in properties) and cannot hold the legacy ``##[command]`` form, which the runner
    acts on anywhere in a line: ``##[`` becomes ``##\\[``, as in the markdown."""
    return "\n".join(term(x) for x in str(s).split("\n")).replace("##[", "##\\[")


def render_github_annotations(r: CheckResult, file: str | None = None) -> str:
    file = r.file if file is None else file
    out = []
    for f in r.findings:
        kind = "error" if f.severity == "failure" else "warning"
        title = f"ovc {f.code}" + (f" ({f.ids[0]})" if f.ids else "")
        if f.code == "stale_price":
            title = "ovc stale price"
        # the runner shows annotations in its log: no escape sequences from the data either
        out.append(gh_command(kind, _lines(f.message), file=_lines(file), title=_lines(title)))
    return "\n".join(out) + ("\n" if out else "")


def render_check_markdown_nl(r: CheckResult) -> str:
    return render_check_markdown(r) + "\n"
