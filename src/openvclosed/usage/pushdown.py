"""The aggregation ``ovc usage`` pushes to where the data is (PostgreSQL, DuckDB): one SQL query
that returns sums per (group, UTC hour) — never the records — and counts bad records per reason.

Both engines get the same query text; a source supplies one SQL expression per canonical field
(already typed: epoch seconds as a double, the group as text, numbers as doubles) and the rows
(a table name or a table function). The checks mirror the Python reader (``usage.records``): a
record without a timestamp, model, input or output count, or with a negative number, or cached
input above input, is counted as bad under the same reason and left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openvclosed.errors import InputError

__all__ = ["Fields", "aggregate_sql", "REASONS", "add_rows"]

REASONS = ("bad timestamp", "missing model", "bad input_tokens", "bad output_tokens", "bad cached_input_tokens",
           "bad requests", "bad cost_usd", "cached_input_tokens > input_tokens")
"""Reason of bad code k (1-based), as the Python reader names it."""

FETCH_ROWS = 100_000
"""Aggregate rows fetched at a time (bins, not records)."""


@dataclass(frozen=True)
class Fields:
    """SQL expressions of the canonical fields over one source row (doubles and text)."""

    ts: str  # epoch seconds (UTC), NULL when unreadable
    group: str  # text, NULL or '' when missing
    input: str
    output: str
    cached: str = "0"
    requests: str = "1"
    cost: str = "NULL"
    missing_group: str | None = None  # text a missing group becomes (None: the record is bad, as a missing model)
    model: str | None = None  # the model, when grouping by something else (a record without one is still bad)


def aggregate_sql(f: Fields, rows: str, where: str = "TRUE") -> str:
    """The query: one result row per (bad code, group, hour) with the sums and the time bounds.

    Columns: bad, g, h, n_rows, input, output, cached, requests, cost, cost_rows, ts_min, ts_max,
    tod_min, tod_max (bad rows: g and h NULL, one row per reason).
    """
    group = f"NULLIF(TRIM({f.group}), '')"
    model = f"NULLIF(TRIM({f.model}), '')" if f.model else "'-'"
    if f.missing_group is not None:
        group = f"COALESCE({group}, '{f.missing_group}')"
    # OFFSET 0 keeps each subquery a fence: every expression is computed once per record (PostgreSQL
    # would otherwise inline them into each grouping key)
    return f"""
SELECT bad, CASE WHEN bad = 0 THEN g END AS g, CASE WHEN bad = 0 THEN CAST(FLOOR(ts / 3600) AS BIGINT) END AS h,
       COUNT(*) AS n_rows, SUM(i), SUM(o), SUM(c), SUM(n), SUM(usd), COUNT(usd),
       MIN(ts), MAX(ts), MIN(ts - 86400 * FLOOR(ts / 86400)), MAX(ts - 86400 * FLOOR(ts / 86400))
FROM (
  SELECT *, CASE
    WHEN ts IS NULL OR NOT (ts >= 1e8 AND ts < 'Infinity') THEN 1
    WHEN g IS NULL OR model_name IS NULL THEN 2
    WHEN i IS NULL OR NOT (i >= 0 AND i < 'Infinity') THEN 3
    WHEN o IS NULL OR NOT (o >= 0 AND o < 'Infinity') THEN 4
    WHEN NOT (c >= 0 AND c < 'Infinity') THEN 5
    WHEN NOT (n >= 0 AND n < 'Infinity') THEN 6
    WHEN usd < 0 OR usd = 'Infinity' THEN 7
    WHEN c > i + 1e-9 THEN 8
    ELSE 0 END AS bad
  FROM (
    SELECT CAST({f.ts} AS DOUBLE PRECISION) AS ts, {group} AS g, {model} AS model_name,
           CAST({f.input} AS DOUBLE PRECISION) AS i, CAST({f.output} AS DOUBLE PRECISION) AS o,
           COALESCE(CAST({f.cached} AS DOUBLE PRECISION), 0) AS c, COALESCE(CAST({f.requests} AS DOUBLE PRECISION), 1) AS n,
           CAST({f.cost} AS DOUBLE PRECISION) AS usd
    FROM {rows} WHERE {where} OFFSET 0
  ) r OFFSET 0
) k
GROUP BY 1, 2, 3"""


def add_rows(bins, report, rows: list[tuple]) -> None:
    """Add fetched result rows of :func:`aggregate_sql` to ``bins`` and count them in ``report``."""
    good = [r for r in rows if r[0] == 0]
    for r in rows:
        report.rows += int(r[3])
        if r[0] != 0:
            n = int(r[3])
            report.bad_rows += n
            report.bad_by_reason[REASONS[int(r[0]) - 1]] += n
    if not good:
        return
    n_rows = sum(int(r[3]) for r in good)
    report.good_rows += n_rows
    col = lambda j: np.array([float(r[j]) if r[j] is not None else 0.0 for r in good])  # noqa: E731
    sums = {"input": col(4), "output": col(5), "cached": col(6), "requests": col(7), "cost": col(8),
            "cost_rows": col(9)}
    bins.add_bins([r[1] for r in good], np.array([int(r[2]) for r in good], dtype=np.int64), sums, rows=n_rows,
                  ts_min=min(float(r[10]) for r in good), ts_max=max(float(r[11]) for r in good),
                  tod_min=min(float(r[12]) for r in good), tod_max=max(float(r[13]) for r in good))


def first_line(e: BaseException) -> str:
    """The first line of an engine's error message, short (for a one-line InputError)."""
    s = str(e).strip().splitlines()
    return (s[0] if s else type(e).__name__)[:200]


def optional(module: str, extra: str, what: str):
    """Import an optional engine, or one line saying which extra installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise InputError(f"{what} needs {module}: pip install 'openvclosed[{extra}]'") from None


def quote_ident(name: str) -> str:
    """A SQL identifier in double quotes (PostgreSQL and DuckDB)."""
    return '"' + name.replace('"', '""') + '"'
