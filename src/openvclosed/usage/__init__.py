"""Usage logs in: read provider / gateway usage exports, aggregate them, reprice the traffic.

``sources``    one dispatch: database URL, Parquet, OpenTelemetry spans, CSV / JSON Lines
``reader``     presets, column mapping, streaming CSV / JSON Lines parser (bounded memory)
``postgres``   LiteLLM's PostgreSQL tables, aggregated in the database (``pushdown``: the SQL)
``parquet``    Parquet (and CSV with ``--engine duckdb``) aggregated by DuckDB
``otel``       OpenTelemetry GenAI spans (JSON Lines)
``pricing``    each day's traffic at the API prices in force that day
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
from openvclosed.usage.records import FileReport

__all__ = ["load_usage"]


def load_usage(paths: list[str | Path], *, preset: str = "auto", mapping: dict[str, str] | None = None,
               group_by: str = "model", strict: bool = False,
               progress: Callable[[str, int, int], None] | None = None, **where) -> tuple[UsageBins, list[FileReport]]:
    """Read every source (file, glob, database URL; ``usage.sources``) into one :class:`UsageBins`;
    one :class:`FileReport` per source. ``where``: ``table``, ``engine``, ``since``, ``until``.

    Raises :class:`InputError` when no source holds a usable record.
    """
    from openvclosed.usage.sources import load_sources

    if not paths:
        raise InputError("give at least one usage log (CSV, JSON Lines, Parquet, OpenTelemetry spans) or a "
                         "postgresql:// URL")
    bins, reports = load_sources([str(p) for p in paths], preset=preset, mapping=mapping, group_by=group_by,
                                 strict=strict, progress=progress, **where)
    if bins.rows == 0:
        bad = sum(r.bad_rows for r in reports)
        names = ", ".join(r.path for r in reports)
        if bad:
            raise InputError(f"{names}: no usable usage records ({bad} bad rows; first: "
                             f"{_first_bad(reports)})")
        window = " in the --since/--until window" if where.get("since") or where.get("until") else ""
        raise InputError(f"{names}: no usage records{window} (empty, or a header and no rows)")
    return bins, reports


def _first_bad(reports: list[FileReport]) -> str:
    for r in reports:
        if r.bad_examples:
            line, msg = r.bad_examples[0]
            return f"{r.path}:{line}: {msg}"
    return "?"
