"""Tables that fit the terminal without splitting a number, an id or a unit.

Every renderer builds its tables through :func:`fit_table`. A column is either *fixed* (numbers,
ids, units: never wrapped, never cut) or *free text* (may wrap between words, never inside one).
When the columns do not fit the width, the lowest-value columns (``drop`` > 0, highest first)
are left out and one line says which; only free-text cells and headers wrap.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich import box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

__all__ = ["Col", "fit_table", "GAP", "plain"]

GAP = 2
"""Spaces between two columns (no outer edge, no outer padding)."""


@dataclass(frozen=True)
class Col:
    """One table column: ``wrap`` for free text, ``drop`` > 0 when it may be left out (higher first)."""

    header: str
    justify: str = "left"
    wrap: bool = False
    drop: int = 0


def plain(s: str) -> str:
    """The printed text of a markup cell (``cell()`` escapes ``[``)."""
    return Text.from_markup(s).plain if "[" in s else s


def _words(s: str) -> list[str]:
    return [w for line in s.split("\n") for w in line.split(" ")] or [""]


def _extent(col: Col, cells: list[str]) -> tuple[int, int]:
    """(minimum, maximum) width: a fixed cell is never narrower than its longest line, a free-text
    cell or a header never narrower than its longest word."""
    head = max(cell_len(w) for w in _words(col.header))
    head_max = max(cell_len(x) for x in col.header.split("\n"))
    lines = [x for c in cells for x in plain(c).split("\n")] or [""]
    longest_line = max(cell_len(x) for x in lines)
    if col.wrap:
        longest_word = max(cell_len(w) for x in lines for w in _words(x))
        return max(head, longest_word, 1), max(head_max, longest_line, 1)
    return max(head, longest_line, 1), max(head_max, longest_line, 1)


def fit_table(cols: list[Col], rows: list[list[str] | None], width: int, *, title: str | None = None,
              what: str = "columns") -> tuple[Table, Text | None]:
    """A rich ``Table`` of ``rows`` (``None`` = a section line) no wider than ``width``, and the
    note naming the columns left out (``None`` when all are shown)."""
    keep = list(range(len(cols)))
    data = [r for r in rows if r is not None]

    def extents(idx):
        return [_extent(cols[i], [r[i] for r in data]) for i in idx]

    while True:
        ext = extents(keep)
        need = sum(lo for lo, _ in ext) + GAP * (len(keep) - 1)
        droppable = [i for i in keep if cols[i].drop > 0]
        if need <= width or not droppable:
            break
        keep.remove(max(droppable, key=lambda i: (cols[i].drop, i)))
    widths = [lo for lo, _ in ext]
    room = width - need
    # free text first up to a readable 40 characters, then unwrapped headers, then the rest of
    # the free text up to its longest line
    for wrap, cap in ((True, 40), (False, None), (True, None)):
        for k, i in enumerate(keep):
            if cols[i].wrap == wrap and room > 0:
                target = ext[k][1] if cap is None else min(ext[k][1], max(cap, widths[k]))
                grow = max(0, min(target - widths[k], room))
                widths[k] += grow
                room -= grow
    t = Table(box=box.SIMPLE_HEAVY, title=title, title_justify="left", show_edge=False, pad_edge=False,
              collapse_padding=True, padding=(0, GAP // 2))
    for k, i in enumerate(keep):
        t.add_column(Text(cols[i].header, no_wrap=False), justify=cols[i].justify, width=widths[k], no_wrap=not cols[i].wrap,
                     overflow="fold")
    for r in rows:
        if r is None:
            t.add_section()
        else:
            t.add_row(*[r[i] for i in keep])
    left_out = [cols[i].header.replace("\n", " ") for i in range(len(cols)) if i not in keep]
    note = None
    if left_out:
        what = what if len(left_out) != 1 else what.rstrip("s")
        note = Text(f"{len(left_out)} {what} left out to fit {width} characters: " + ", ".join(left_out)
                    + " (a wider terminal, COLUMNS=160 or --json shows them)", style="dim")
    return t, note
