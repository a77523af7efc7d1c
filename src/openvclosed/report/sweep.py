"""Renderer for ``ovc sweep``: the break-even frontier as a table (result object in, string out)."""

from __future__ import annotations

import math

from rich.console import Group
from rich.text import Text

from openvclosed.report.render import _render
from openvclosed.report.layout import Col, fit_table
from openvclosed.report.text import cell, fmt_tokens, term, terminal_width, usd
from openvclosed.results.sweep import SweepResult

__all__ = ["render_sweep"]


def _num(v) -> float:
    return math.inf if v is None else float(v)


def tie_groups(frontier: list[dict]) -> list[list[dict]]:
    """Frontier rows grouped so that APIs at the same price against the same design make one row
    (their break-even and savings are equal); groups in lowest-break-even order."""
    groups: dict[tuple, list[dict]] = {}
    for r in sorted(frontier, key=lambda r: (_num(r["breakeven_tokens_per_day"]), r["model"], r["api"])):
        key = (r["n_gpus"], r["gpu"], r["model"], r["quant"], r.get("mode"),
               round(float(r.get("api_usd_per_mtok") or 0), 9), r["breakeven_tokens_per_day"])
        groups.setdefault(key, []).append(r)
    return list(groups.values())


def fmt_rate(per_s: float) -> str:
    """Scenarios per second with a unit that keeps digits: 74.7k/s, 12.3M/s."""
    if not math.isfinite(per_s):
        return "instant"
    for div, suf in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if per_s >= div:
            return f"{per_s / div:,.1f}{suf}/s"
    return f"{per_s:,.0f}/s"


def render_sweep(r: SweepResult, rows: int = 30, width: int | None = None) -> str:
    width = width or terminal_width()
    frontier, n, elapsed = r.frontier, r.scenarios, r.seconds
    t_min, t_max, points = r.tokens_per_day["min"], r.tokens_per_day["max"], r.tokens_per_day["points"]
    output, full = r.output, r.full
    groups = tie_groups(frontier)
    shown = groups[:rows]
    cols = [Col("hardware"), Col("model"), Col("quant"), Col("API (same price)", wrap=True),
            Col("$/replica-mo", "right", drop=2), Col("capacity/day", "right", drop=3),
            Col("break-even tok/day", "right"), Col("wins on grid", "right", drop=1),
            Col("max saving/mo", "right", drop=4)]
    table_rows = []
    for g in shown:
        r0 = g[0]
        be = _num(r0["breakeven_tokens_per_day"])
        table_rows.append([
            cell(f"{r0['n_gpus']}x{r0['gpu']}"), cell(r0["model"]), cell(r0["quant"]),
            cell(", ".join(x["api"] for x in g)), usd(r0["replica_usd_per_month"]),
            fmt_tokens(r0["capacity_tokens_per_day"]) if r0["fits"] else "no fit",
            fmt_tokens(be) if math.isfinite(be) else "never", f"{r0['win_share']:.0%}",
            usd(r0["max_saving_usd_per_month"]) if math.isfinite(_num(r0["max_saving_usd_per_month"])) else "-"])
    tab, note = fit_table(cols, table_rows, width, title=(
        f"Break-even frontier: {len(frontier)} design x API pairs over {points:,} volumes "
        f"({fmt_tokens(t_min)} to {fmt_tokens(t_max)} tokens/day), lowest break-even first; "
        "APIs at the same price share a row"))
    rate = n / elapsed if elapsed > 0 else float("inf")
    notes = ([note] if note else []) + [Text(
        (f"{n:,} scenarios in {elapsed:.2f} s ({fmt_rate(rate)})" if elapsed > 0 else f"{n:,} scenarios in under 1 ms")
        + f"; {len(shown)} of {len(groups)} rows shown"
        + (f"; frontier written to {term(output)}" if output else "")
        + (f"; every scenario written to {term(full)}" if full else ""), style="dim")]
    return _render(Group(tab, *notes), width)
