"""Where usage comes from: one dispatch from a command-line argument to the reader of its kind.

=====================================  ====================================================
argument                               read by
=====================================  ====================================================
``postgresql://[user@]host[:port]/db``  ``usage.postgres`` (LiteLLM tables; SQL in the database)
``*.parquet`` file or glob              ``usage.parquet`` (DuckDB over the files)
JSON Lines of OpenTelemetry spans       ``usage.otel`` (streamed)
CSV / JSON Lines                        ``usage.reader`` (streamed; ``--engine duckdb``: DuckDB)
=====================================  ====================================================

``since``/``until`` keep records with ``since <= timestamp < until`` (UTC); in a database or
DuckDB the condition is part of the query.
"""

from __future__ import annotations

import datetime as dt
import glob
from pathlib import Path
from typing import Callable

import numpy as np

from openvclosed.errors import InputError
from openvclosed.usage.aggregate import UsageBins
from openvclosed.usage.records import Batch, FileReport

__all__ = ["kind_of", "load_sources", "parse_when", "display_name"]

PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")


def display_name(source: str) -> str:
    """How a source is printed (a database URL masked)."""
    from openvclosed.usage.postgres import is_url, mask_url

    return mask_url(source) if is_url(source) else source


def parse_when(value: str | None, flag: str) -> dt.datetime | None:
    """``--since``/``--until``: a date (midnight UTC) or an ISO 8601 time (no offset = UTC)."""
    if value is None:
        return None
    try:
        d = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{flag}: {value!r} is not a date or time; use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM]") from None
    return d if d.tzinfo else d.replace(tzinfo=dt.timezone.utc)


def _is_parquet(path: str) -> bool:
    """By name, else by the magic bytes of a regular file (never opens a pipe or a device: they could block)."""
    import os
    import stat

    if path.lower().endswith(PARQUET_SUFFIXES):
        return True
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            return stat.S_ISREG(os.fstat(fd).st_mode) and os.pread(fd, 4, 0) == b"PAR1"
        finally:
            os.close(fd)
    except OSError:
        return False


def kind_of(source: str, engine: str = "auto") -> tuple[str, list[str]]:
    """(kind, files): kind is postgres | parquet | otel | duckdb-csv | file."""
    from openvclosed.usage.postgres import is_url

    if is_url(source):
        return "postgres", []
    if glob.has_magic(source) and not Path(source).exists():
        from openvclosed.usage.parquet import expand

        files = expand(source)
    else:
        files = [source]
    if all(_is_parquet(f) for f in files):
        from openvclosed.usage.parquet import expand

        return "parquet", [p for f in files for p in expand(f)]  # each a regular file, or one line
    if len(files) > 1:
        return "files", files
    from openvclosed.usage.otel import is_otel

    if is_otel(source):
        return "otel", files
    if engine == "duckdb":
        return "duckdb-csv", files
    return "file", files


def _window(batch: Batch, lo: float, hi: float) -> tuple[Batch, int]:
    keep = (batch.ts >= lo) & (batch.ts < hi)
    dropped = int(len(batch) - keep.sum())
    if not dropped:
        return batch, 0
    idx = np.flatnonzero(keep)
    group = None if batch.group is None else [batch.group[i] for i in idx.tolist()]
    codes = None if batch.group_codes is None else batch.group_codes[keep]
    return Batch(ts=batch.ts[keep], group=group, input_tokens=batch.input_tokens[keep],
                 output_tokens=batch.output_tokens[keep], cached_input_tokens=batch.cached_input_tokens[keep],
                 requests=batch.requests[keep], cost_usd=batch.cost_usd[keep], group_codes=codes,
                 group_names=batch.group_names), dropped


def load_sources(sources: list[str], *, preset: str = "auto", mapping: dict[str, str] | None = None,
                 group_by: str = "model", strict: bool = False, table: str | None = None, engine: str = "auto",
                 since: dt.datetime | None = None, until: dt.datetime | None = None,
                 progress: Callable[[str, int, int], None] | None = None) -> tuple[UsageBins, list[FileReport]]:
    """Every source into one :class:`UsageBins`; one :class:`FileReport` per source (file, glob, database)."""
    from openvclosed.usage.reader import read_file

    if since and until and since >= until:
        raise InputError(f"--since {since.isoformat()} is not before --until {until.isoformat()}")
    lo = since.timestamp() if since else -np.inf
    hi = until.timestamp() if until else np.inf
    bins = UsageBins()
    reports: list[FileReport] = []
    for src in sources:
        kind, files = kind_of(src, engine)
        rep = FileReport(path=display_name(src))
        reports.append(rep)
        if kind == "postgres":
            from openvclosed.usage.postgres import SPEND_LOGS, read_postgres

            read_postgres(src, bins, rep, table=table or SPEND_LOGS, group_by=group_by, since=since, until=until)
            continue
        if table is not None:
            raise InputError(f"--table {table}: only for a PostgreSQL source; {rep.path} is a file")
        if kind in ("parquet", "duckdb-csv"):
            from openvclosed.usage.parquet import read_duckdb

            read_duckdb(files, rep.path, bins, rep, kind="parquet" if kind == "parquet" else "csv", preset=preset,
                        mapping=mapping, group_by=group_by, since=since, until=until)
            continue
        if len(files) > 1:  # a glob of CSV / JSON Lines files: a report per file
            reports.pop()
        for f in files:
            if len(files) > 1:
                rep = FileReport(path=f)
                reports.append(rep)
            if kind == "otel":
                from openvclosed.usage.otel import read_otel

                batches = read_otel(f, rep, group_by=group_by, strict=strict)
            else:
                cb = (lambda done, total, _p=f: progress(_p, done, total)) if progress else None
                batches = read_file(f, preset=preset, mapping=mapping, group_by=group_by, strict=strict, progress=cb,
                                    report=rep)
            for batch in batches:
                if since or until:
                    batch, dropped = _window(batch, lo, hi)
                    rep.rows -= dropped
                    rep.good_rows -= dropped
                bins.add(batch)
    return bins, reports

