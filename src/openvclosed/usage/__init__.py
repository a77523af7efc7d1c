"""Usage logs in: read provider / gateway usage exports, aggregate them, reprice the traffic.

``reader``     presets, column mapping, streaming CSV / JSON Lines parser (bounded memory)
``aggregate``  numpy sums per (group, UTC hour) and traffic statistics
``reprice``    catalog matching of logged model names; the same traffic on every option
``export``     workload files written from the statistics

No printing anywhere here: the command layer (``openvclosed.commands.usage``) renders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from openvclosed.errors import InputError
from openvclosed.usage.aggregate import UsageBins
from openvclosed.usage.reader import FileReport, read_file

__all__ = ["load_usage"]


def load_usage(paths: list[str | Path], *, preset: str = "auto", mapping: dict[str, str] | None = None,
               group_by: str = "model", strict: bool = False,
               progress: Callable[[str, int, int], None] | None = None) -> tuple[UsageBins, list[FileReport]]:
    """Read every file into one :class:`UsageBins`; one :class:`FileReport` per file.

    Raises :class:`InputError` when no file holds a usable record.
    """
    if not paths:
        raise InputError("give at least one usage log (CSV or JSON Lines)")
    bins = UsageBins()
    reports = []
    for p in paths:
        rep = FileReport(path=str(p))
        cb = (lambda done, total, _p=str(p): progress(_p, done, total)) if progress else None
        for batch in read_file(p, preset=preset, mapping=mapping, group_by=group_by, strict=strict, progress=cb,
                               report=rep):
            bins.add(batch)
        reports.append(rep)
    if bins.rows == 0:
        bad = sum(r.bad_rows for r in reports)
        names = ", ".join(str(p) for p in paths)
        if bad:
            raise InputError(f"{names}: no usable usage records ({bad} bad rows; first: "
                             f"{_first_bad(reports)})")
        raise InputError(f"{names}: no usage records (empty, or a header and no rows)")
    return bins, reports


def _first_bad(reports: list[FileReport]) -> str:
    for r in reports:
        if r.bad_examples:
            line, msg = r.bad_examples[0]
            return f"{r.path}:{line}: {msg}"
    return "?"
