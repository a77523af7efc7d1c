"""Renderers for ``ovc catalog history`` and ``ovc catalog diff`` (result object in, string out)."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from openvclosed.report.render import _render
from openvclosed.report.text import cell
from openvclosed.results.catalog import ImportResult, PriceDiffResult, PriceHistoryResult, SourceDiffResult

__all__ = ["render_history", "render_diff", "render_import", "render_source_diff"]


def render_history(r: PriceHistoryResult, width: int | None = None) -> str:
    t = Table(title=f"Price history of {cell(r.id)} (oldest first)", box=box.SIMPLE_HEAVY, title_justify="left")
    for col in ("valid from", "price", "basis", "source"):
        t.add_column(col, overflow="fold", no_wrap=col in ("valid from", "price"))
    for p in r.records:
        if p.usd is not None:
            price = f"${p.usd:,.0f}/GPU"
        elif p.usd_per_gpu_hour is not None:
            price = f"${p.usd_per_gpu_hour:g}/GPU-h"
        else:
            price = f"${p.input_usd_per_mtok:g} in / ${p.output_usd_per_mtok:g} out per 1M"
        t.add_row(p.valid_from, price, cell(p.basis), cell(p.source))
    return _render(Group(t), width)


def render_diff(r: PriceDiffResult, width: int | None = None) -> str:
    if not r.changes:
        return _render(Text(f"no price in the catalog took effect after {r.since}"), width)
    t = Table(title=f"Prices that took effect after {r.since} ({len(r.changes)})", box=box.SIMPLE_HEAVY,
              title_justify="left")
    for col in ("valid from", "id", "kind", "before", "after", "source"):
        t.add_column(col, overflow="fold", no_wrap=col in ("valid from", "id"))
    for c in r.changes:
        t.add_row(c.valid_from, cell(c.id), c.kind, cell(c.before or "-"), cell(c.after), cell(c.source))
    return _render(Group(t), width)


def render_source_diff(r: SourceDiffResult, width: int | None = None) -> str:
    """One row per API where another source's price differs from the bundled one by more than the tolerance."""
    note = Text(f"bundled choice: {r.bundled_choice}")
    if not r.disagreements:
        return _render(Group(Text(f"no two sources disagree by more than {r.tolerance:.0%}"), note), width)
    t = Table(title=f"Price sources that disagree by more than {r.tolerance:.0%} ({len(r.disagreements)})",
              box=box.SIMPLE_HEAVY, title_justify="left")
    for col in ("id", "bundled", "other source", "differs", "sources"):
        t.add_column(col, overflow="fold", no_wrap=col in ("id", "differs"))
    for d in r.disagreements:
        t.add_row(cell(d.id), cell(d.bundled), cell(f"{d.other} ({d.other_source_name})"),
                  f"{d.relative_difference:.0%} {d.field.split('_')[0]}",
                  cell(f"bundled: {d.bundled_source}; other: {d.other_source}"))
    return _render(Group(t, note), width)


def render_import(r: ImportResult, width: int | None = None) -> str:
    """Changed and added prices, one line each (problems go to stderr from the command)."""
    from openvclosed.report.escape import no_workflow_command
    from openvclosed.report.text import term

    lines = []
    for c in r.changed:
        lines.append(f"~ {term(c.id)}")
        lines += [f"    {f}: {term(old)} -> {term(new)}" for f, (old, new) in c.changes.items()]
    for e in r.added:
        lines.append(f"+ {term(e['id'])} ({term(e['kind'])}): in {e['input_usd_per_mtok']} / out "
                     f"{e['output_usd_per_mtok']} USD per 1M")
    lines.append(f"{len(r.changed)} changed, {len(r.added)} added, {len(r.problems)} problems")
    if r.written:
        lines.append(f"wrote {term(r.written)}")
    return "".join(no_workflow_command(x) + "\n" for x in lines)
