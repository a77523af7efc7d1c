"""``ovc calibrate`` for people: measured against predicted, before and after, and the parameters moved."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from openvclosed.report.findings import finding_lines
from openvclosed.report.layout import Col, fit_table
from openvclosed.report.text import cell, render_text, term, terminal_width
from openvclosed.results.calibrate import CalibrateResult

__all__ = ["render_calibrate"]


def _n(v, fmt="{:,.1f}") -> str:
    return "-" if v is None else fmt.format(v)


def _pct(v) -> str:
    return "-" if v is None else f"{v:+.0%}"


def render_calibrate(r: CalibrateResult, width: int | None = None) -> str:
    width = width or terminal_width()
    cols = [Col("point", wrap=True), Col("conc", "right"), Col("in/out tok", "right", drop=4),
            Col("measured", "right"), Col("before", "right"), Col("err", "right"), Col("after", "right"),
            Col("err", "right"), Col("file", wrap=True, drop=3)]
    rows = []
    for p in r.points:
        if p.measured_tokens_per_s is not None:
            what = "tok/s"
            m, b, a = _n(p.measured_tokens_per_s), _n(p.before_tokens_per_s), _n(p.after_tokens_per_s)
        else:
            what = "TTFT ms"
            m, b, a = _n(p.measured_ttft_ms), _n(p.before_ttft_ms), _n(p.after_ttft_ms)
        rows.append([cell(f"{p.label} ({what})"), f"{p.concurrency:.3g}", f"{p.input_tokens:,.0f}/{p.output_tokens:,.0f}",
                     m, b, _pct(p.error_before), a, _pct(p.error_after), cell(p.file)])
    t, note = fit_table(cols, rows, width, title=f"{cell(r.deployment)}: measured vs the serving model "
                                                 f"(profile {cell(r.profile_key)})")
    parts = [t] + ([note] if note else [])
    parts.append(Text(f"median absolute error {_pct(r.median_abs_error_before).lstrip('+')} before, "
                      f"{_pct(r.median_abs_error_after).lstrip('+')} after the fit"))
    pcols = [Col("parameter"), Col("before", "right"), Col("after", "right"), Col("bounds", "right"), Col("note")]
    prow = [[p.name, f"{p.before:.4g}", f"{p.after:.4g}", f"{p.lower:g} .. {p.upper:g}",
             f"at {p.at_bound} bound" if p.at_bound else ("" if p.after == p.before else "moved")]
            for p in r.parameters]
    pt, pnote = fit_table(pcols, prow, width, title="profile parameters (within the physical bounds)")
    parts += [pt] + ([pnote] if pnote else [])
    if r.profile_file:
        parts.append(Text(f"wrote {term(r.profile_file)}: use it with --profile {term(r.profile_file)} "
                          f"(breakeven, fit, recommend, report, check) or profile: in a workload file"))
    else:
        parts.append(Text("no profile written: add -o PROFILE.json to keep this correction", style="dim"))
    parts += [Text(x) for x in finding_lines(r.findings)]
    return render_text(Group(*parts), width)
