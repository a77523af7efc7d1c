"""Parquet files and globs (and, with ``--engine duckdb``, large CSV files) aggregated by DuckDB
(optional extra ``duckdb``): the query of ``usage.pushdown`` runs inside DuckDB over the files'
columns, in parallel and in bounded memory; only sums per (group, UTC hour) come back.

Columns are found as for CSV (presets and ``--map``, ``usage.presets``). Types are read from the
file: timestamps may be TIMESTAMP (UTC), TIMESTAMP WITH TIME ZONE, DATE, epoch seconds or
milliseconds, or ISO 8601 text (no offset = UTC); a dotted ``--map`` source reaches into a
STRUCT/MAP column or a column of JSON text. Only local regular files are read (a glob is expanded
here, and DuckDB may not load extensions from the network).
"""

from __future__ import annotations

import datetime as dt
import glob
import os
from pathlib import Path

from openvclosed.errors import InputError
from openvclosed.fileio import input_file_size
from openvclosed.usage.presets import _resolve_columns, detect_preset
from openvclosed.usage.pushdown import FETCH_ROWS, Fields, add_rows, aggregate_sql, optional
from openvclosed.usage.pushdown import first_line as _first_line, quote_ident as _q

__all__ = ["expand", "read_duckdb", "MEMORY_LIMIT"]

MEMORY_LIMIT = "1GB"
"""DuckDB's memory limit for one aggregation (it spills to disk beyond it)."""
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
            "FLOAT", "DOUBLE", "REAL", "DECIMAL")


def expand(pattern: str) -> list[str]:
    """The files of a path or glob, sorted; each a regular file."""
    literal = not glob.has_magic(pattern) or os.path.lexists(pattern)  # a file named a[1].parquet is itself
    paths = [pattern] if literal else sorted(glob.glob(pattern))
    if not paths:
        raise InputError(f"{pattern}: no file matches")
    for p in paths:
        input_file_size(Path(p), "a Parquet file")
    return paths


def _duckdb():
    return optional("duckdb", "duckdb", "reading Parquet files")


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _is_num(typ: str) -> bool:
    return typ.split("(")[0] in _NUMERIC


def _number(col: str, typ: str) -> str:
    if _is_num(typ):
        return f"CAST({col} AS DOUBLE)"
    if typ == "BOOLEAN":
        return "CAST('NaN' AS DOUBLE)"
    t = f"TRIM(CAST({col} AS VARCHAR))"  # text: empty = missing; anything else not a number = bad
    return f"CASE WHEN {col} IS NULL OR {t} = '' THEN NULL ELSE COALESCE(TRY_CAST({t} AS DOUBLE), 'NaN') END"


def _epoch(col: str, typ: str) -> str:
    if typ.startswith("TIMESTAMP") or typ == "DATE":
        return f"epoch(CAST({col} AS TIMESTAMPTZ))" if typ == "DATE" else f"epoch({col})"
    if _is_num(typ):
        v = f"CAST({col} AS DOUBLE)"
        return f"CASE WHEN {v} >= 1e11 THEN {v} / 1000 ELSE {v} END"
    t = f"TRIM(CAST({col} AS VARCHAR))"
    v = f"TRY_CAST({t} AS DOUBLE)"
    return (f"CASE WHEN regexp_full_match({t}, '[0-9]{{9,}}(\\.[0-9]*)?') THEN (CASE WHEN {v} >= 1e11 THEN {v} / 1000 "
            f"ELSE {v} END) ELSE epoch(TRY_CAST({t} AS TIMESTAMPTZ)) END")


def _source(src: list[str], types: dict[str, str]) -> tuple[str, str]:
    """(SQL value, its type) of a field's candidate sources: a column, or JSON paths into one."""
    if src[0] in types:
        return _q(src[0]), types[src[0]]
    exprs = []
    for cand in src:
        head, _, path = cand.partition(".")
        typ = types.get(head, "")
        doc = (f"CASE WHEN json_valid({_q(head)}) THEN {_q(head)} END" if typ == "VARCHAR" or typ == "JSON"
               else f"to_json({_q(head)})")
        exprs.append(f"json_extract_string({doc}, {_lit('$.' + path)})")
    return (exprs[0] if len(exprs) == 1 else f"COALESCE({', '.join(exprs)})"), "VARCHAR"


def _fields(types: dict[str, str], preset: str, mapping: dict[str, str], group_by: str, label: str) -> tuple[Fields, str, dict]:
    names = list(types)
    chosen = detect_preset(set(names)) if preset == "auto" else preset
    cols = _resolve_columns(names, chosen, mapping, label, group_by)
    exprs = {f: _source(src, types) for f, src in cols.items() if src}
    ts = _epoch(*exprs["timestamp"])
    num = {f: _number(*exprs[f]) for f in ("input_tokens", "output_tokens", "cached_input_tokens", "requests",
                                           "cost_usd") if f in exprs}
    if group_by == "model":
        group, missing = f"CAST({exprs['model'][0]} AS VARCHAR)", None
    else:
        group, missing = f"CAST({_source([group_by], types)[0]} AS VARCHAR)", "(missing)"
    model = None if group_by == "model" else f"CAST({exprs['model'][0]} AS VARCHAR)"
    f = Fields(ts=ts, group=group, input=num["input_tokens"], output=num["output_tokens"],
               cached=num.get("cached_input_tokens", "0"), requests=num.get("requests", "1"),
               cost=num.get("cost_usd", "NULL"), missing_group=missing, model=model)
    return f, chosen, {k: (v[0] if v else None) for k, v in cols.items()}


def read_duckdb(files: list[str], label: str, bins, report, *, kind: str = "parquet", preset: str = "auto",
                mapping: dict[str, str] | None = None, group_by: str = "model",
                since: dt.datetime | None = None, until: dt.datetime | None = None) -> None:
    """Aggregate Parquet (``kind='parquet'``) or CSV files into ``bins``; counts in ``report``."""
    duckdb = _duckdb()
    report.format = kind
    file_list = "[" + ", ".join(_lit(str(Path(p).resolve())) for p in files) + "]"
    rows = (f"read_parquet({file_list}, union_by_name = true)" if kind == "parquet"
            else f"read_csv({file_list}, header = true, all_varchar = true, union_by_name = true)")
    try:
        con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False, "memory_limit": MEMORY_LIMIT,
                                                 "preserve_insertion_order": False})
    except duckdb.Error as e:
        raise InputError(f"{label}: DuckDB could not start ({_first_line(e)})") from None
    try:
        con.execute("SET TimeZone = 'UTC'")
        try:
            types = {r[0]: str(r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM {rows}").fetchall()}
        except duckdb.Error as e:
            what = "a readable Parquet file" if kind == "parquet" else "readable CSV"
            raise InputError(f"{label}: not {what} ({_first_line(e)})") from None
        fields, chosen, columns = _fields(types, preset, mapping or {}, group_by, label)
        report.preset, report.columns = chosen, columns
        where = []
        for op, when in ((">=", since), ("<", until)):
            if when is not None:
                where.append(f"CAST({fields.ts} AS DOUBLE) {op} {when.timestamp()!r}")
        cur = con.execute(aggregate_sql(fields, rows, " AND ".join(where) or "TRUE"))
        while batch := cur.fetchmany(FETCH_ROWS):
            add_rows(bins, report, batch)
    except duckdb.Error as e:
        raise InputError(f"{label}: {'Parquet' if kind == 'parquet' else 'CSV'} aggregation failed "
                         f"({_first_line(e)})") from None
    finally:
        con.close()
