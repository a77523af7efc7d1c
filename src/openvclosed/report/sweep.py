"""Renderer for ``ovc sweep``: the break-even frontier as a table (result object in, string out)."""

from __future__ import annotations

import math

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from openvclosed.report.render import _render
from openvclosed.report.text import cell, fmt_tokens, term, usd
from openvclosed.results.sweep import SweepResult

__all__ = ["render_sweep"]


def _num(v) -> float:
    return math.inf if v is None else float(v)


def render_sweep(r: SweepResult, rows: int = 30, width: int | None = None) -> str:
    frontier, n, elapsed = r.frontier, r.scenarios, r.seconds
    t_min, t_max, points = r.tokens_per_day["min"], r.tokens_per_day["max"], r.tokens_per_day["points"]
    output, full = r.output, r.full
    shown = sorted(frontier, key=lambda r: (_num(r["breakeven_tokens_per_day"]), r["model"], r["api"]))[:rows]
    tab = Table(title=f"Break-even frontier: {len(frontier)} design x API pairs over {points:,} volumes "
                      f"({fmt_tokens(t_min)} to {fmt_tokens(t_max)} tokens/day), lowest break-even first",
                box=box.SIMPLE_HEAVY, title_justify="left")
    for col, just in (("hardware", "left"), ("model", "left"), ("quant", "left"), ("API", "left"),
                      ("$/replica-mo", "right"), ("capacity/day", "right"), ("break-even tok/day", "right"),
                      ("wins on grid", "right"), ("max saving/mo", "right")):
        tab.add_column(col, justify=just, no_wrap=True)
    for r in shown:
        be = r["breakeven_tokens_per_day"]
        be = math.inf if be is None else be
        tab.add_row(cell(f"{r['n_gpus']}x{r['gpu']}"), cell(r["model"]), cell(r["quant"]), cell(r["api"]), usd(r["replica_usd_per_month"]),
                    fmt_tokens(r["capacity_tokens_per_day"]) if r["fits"] else "no fit",
                    fmt_tokens(be) if math.isfinite(be) else "never", f"{r['win_share']:.0%}",
                    usd(r["max_saving_usd_per_month"]) if math.isfinite(_num(r["max_saving_usd_per_month"])) else "-")
    rate = n / elapsed if elapsed > 0 else float("inf")
    notes = [Text(f"{n:,} scenarios in {elapsed:.2f} s ({rate / 1e6:,.1f}M/s)"
                  + (f"; frontier written to {term(output)}" if output else "")
                  + (f"; every scenario written to {term(full)}" if full else ""), style="dim")]
    return _render(Group(tab, *notes), width)


