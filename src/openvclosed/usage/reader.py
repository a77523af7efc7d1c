"""Usage logs in: presets, column mapping and a streaming CSV / JSON Lines parser. No printing.

A log is read in batches of at most ``CHUNK_ROWS`` rows, so memory stays bounded whatever the
file size; each batch is returned as numpy arrays in canonical fields (see ``CANONICAL``).
Rows that cannot be used are counted per reason and the first few kept with their line
numbers (:class:`FileReport`); with ``strict=True`` the first one raises :class:`InputError`.

Timestamps (documented in ``docs/usage-logs.md``): ISO 8601 with an offset or ``Z`` is
converted to UTC; ISO 8601 without an offset is taken as UTC; a number of 9 or more digits is
epoch seconds (12 or more digits: epoch milliseconds).
"""

from __future__ import annotations

import csv
import gc
import os
import gzip
import io
import json
import zlib
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from openvclosed.errors import InputError
from openvclosed.fileio import input_file_size
from openvclosed.usage.recordscan import records_fit  # noqa: F401 (re-exported)
from openvclosed.usage.presets import (CANONICAL, PRESETS, REQUIRED, _json_path,  # noqa: F401
                                       _resolve_columns, _resolve_jsonl, detect_preset, parse_map)
from openvclosed.usage.records import (MAX_EXAMPLES, Batch, FileReport, _to_batch,  # noqa: F401
                                       parse_timestamp)

__all__ = ["CANONICAL", "REQUIRED", "PRESETS", "Batch", "FileReport", "parse_map", "parse_timestamp",
           "detect_preset", "read_file", "CHUNK_ROWS", "MAX_EXAMPLES"]

CHUNK_ROWS = 100_000
"""Rows parsed per batch (bounds memory)."""
# --------------------------------------------------------------------------------------- opening

MAX_LINE_CHARS = 16_000_000
"""Longest line of a usage log (characters): a file without line breaks, or a gzip bomb of one
line, stops here instead of being read into memory whole."""


MAX_GZIP_RATIO = 100
"""Most a gzip'd usage log may expand (decompressed / compressed bytes) once past
GZIP_RATIO_FLOOR: CSV and JSON Lines logs compress 5-30x; a gzip of newlines or zeros compresses
1000x, and would take minutes to read through."""
GZIP_RATIO_FLOOR = 1 << 20
"""Decompressed bytes read before MAX_GZIP_RATIO is checked (small files are never refused)."""


class _Counting:
    """The compressed file as GzipFile reads it, counting the bytes read."""

    def __init__(self, raw):
        self.raw, self.n = raw, 0

    def read(self, n=-1):
        data = self.raw.read(8192 if n is None or n < 0 else min(n, 8192))  # the count stays exact to 8 KB
        self.n += len(data)
        return data


class _GzipGuard(io.RawIOBase):
    """A gzip stream that stops (one error line) when it expands more than MAX_GZIP_RATIO."""

    def __init__(self, raw, label: str):
        self.counted = _Counting(raw)
        self.gz = gzip.GzipFile(fileobj=self.counted)
        self.label, self.out = label, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = self.gz.readinto(b)
        self.out += n
        if self.out > GZIP_RATIO_FLOOR and self.out > MAX_GZIP_RATIO * max(self.counted.n, 1):
            raise InputError(f"{self.label}: gzip expands more than {MAX_GZIP_RATIO}x ({self.counted.n:,} bytes "
                             f"-> over {self.out:,}); not a usage log (MAX_GZIP_RATIO)")
        return n

    def close(self) -> None:
        try:
            self.gz.close()
        finally:
            super().close()


MAX_BLANK_RUN = 1_000_000
"""Most blank lines in a row (a gzip of newlines under MAX_GZIP_RATIO would still take ~15 s per 100 MB)."""


def _bounded_lines(text, label: str) -> Iterator[str]:
    """The lines of ``text``: each at most MAX_LINE_CHARS + 1 characters, at most MAX_BLANK_RUN blank in a row."""
    readline = text.readline
    limit = MAX_LINE_CHARS + 1
    blank = n = 0
    while True:
        s = readline(limit)
        if not s:
            return
        n += 1
        if len(s) == limit and not s.endswith(("\n", "\r")):
            raise InputError(f"{label}: a line longer than {MAX_LINE_CHARS:,} characters (MAX_LINE_CHARS); "
                             "not a usage log in CSV or JSON Lines")
        blank = blank + 1 if s.isspace() else 0
        if blank > MAX_BLANK_RUN:
            raise InputError(f"{label}: more than {MAX_BLANK_RUN:,} blank lines in a row (from line "
                             f"{n - blank + 1:,}; MAX_BLANK_RUN); not a usage log in CSV or JSON Lines")
        yield s


def _open_text(path: Path) -> tuple[io.TextIOBase, object, int]:
    """(text stream, raw binary file for progress, size in bytes); gzip is read transparently.

    Regular files only (checked before opening and again on the open descriptor, opened
    non-blocking so a named pipe swapped in cannot hang)."""
    import os
    import stat

    label = str(path)
    size = input_file_size(path, "a usage log (CSV or JSON Lines)")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise InputError(f"{label}: cannot read ({e.strerror})") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError(f"{label}: is not a regular file, expected a usage log (only regular files are read)")
    raw = open(fd, "rb")  # noqa: SIM115 - closed by the caller
    stream = raw
    if raw.peek(2)[:2] == b"\x1f\x8b":
        stream = io.BufferedReader(_GzipGuard(raw, label), 1 << 16)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    return text, raw, size


def _sniff(text: io.TextIOBase) -> str:
    """'jsonl' when the first non-blank character is ``{``, else 'csv' (stream position kept)."""
    buf = text.buffer.peek(4096) if hasattr(text.buffer, "peek") else b""
    head = buf.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "jsonl" if head == b"{" else "csv"


# --------------------------------------------------------------------------------------- reading

Progress = Callable[[int, int], None]


def read_file(path: str | Path, *, preset: str = "auto", mapping: dict[str, str] | None = None,
              group_by: str = "model", strict: bool = False, progress: Progress | None = None,
              report: FileReport | None = None) -> Iterator[Batch]:
    """Stream one usage log as :class:`Batch` es; fills ``report`` (rows, mapping, bad rows).

    ``preset``: ``auto`` (chosen from the column names), ``openai``, ``litellm`` or ``generic``.
    ``mapping``: canonical field -> source column (``--map``), overriding the preset.
    ``group_by``: ``model`` or the name of another column to group records by.
    ``progress(bytes_done, bytes_total)`` is called after each batch.
    """
    p = Path(path)
    report = report if report is not None else FileReport(path=str(path))
    if preset not in ("auto", *PRESETS):
        raise InputError(f"--preset: {preset!r}; choose auto, {', '.join(PRESETS)}")
    text, raw, size = _open_text(p)
    report.size_bytes = size
    try:
        try:
            fmt = _sniff(text)
            report.format = fmt
            gen = _read_jsonl if fmt == "jsonl" else _read_csv
            for batch in gen(text, report, preset, mapping or {}, group_by, strict):
                if progress is not None:
                    progress(min(raw.tell(), size), size)
                yield batch
        except UnicodeDecodeError:
            raise InputError(f"{p}: not UTF-8 text (row {report.rows + 1} or near it)") from None
        except csv.Error as e:
            raise InputError(f"{p}: line {getattr(e, 'line', '?')}: unreadable CSV ({e})") from None
        except (EOFError, zlib.error, gzip.BadGzipFile) as e:
            raise InputError(f"{p}: corrupt or truncated gzip ({_first_line(e)})") from None
        if progress is not None:
            progress(size, size)
    finally:
        text.close()


def _first_line(e: BaseException) -> str:
    msg = str(e).splitlines()[0] if str(e) else type(e).__name__
    return msg[:120]


class _GcPaused:
    """Pause the cyclic garbage collector while millions of small lists are built (2x faster)."""

    def __enter__(self):
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.was:
            gc.enable()


def _first_path(value, alts: list[list[str]]):
    """The first of several JSON paths that is present in ``value`` (a JSON string or object)."""
    if isinstance(value, str):
        if value[:1] != "{":
            return None
        try:
            value = json.loads(value)
        except ValueError:
            return None
    for parts in alts:
        v = _json_path(value, parts)
        if v is not None:
            return v
    return None


def _read_csv(text, report: FileReport, preset: str, mapping: dict[str, str], group_by: str,
              strict: bool) -> Iterator[Batch]:
    reader = csv.reader(_bounded_lines(text, report.path))
    header: list[str] | None = None
    for row in reader:
        if row and any(c.strip() for c in row):
            header = [c.strip() for c in row]
            break
    if header is None:
        return  # empty file: the caller reports it
    chosen = detect_preset(set(header)) if preset == "auto" else preset
    report.preset = chosen
    cols = _resolve_columns(header, chosen, mapping, report.path, group_by)
    if group_by != "model":
        cols = {**cols, "_group": [group_by]}
    report.columns = {k: (v[0] if v else None) for k, v in cols.items() if not k.startswith("_")}
    index = {name: i for i, name in enumerate(header)}
    fields = [f for f, srcs in cols.items() if srcs]
    # each field: (column index, [json paths inside that column] or None)
    where: dict[str, tuple[int, list[list[str]] | None]] = {}
    for f in fields:
        srcs = cols[f]
        if srcs[0] in index:
            where[f] = (index[srcs[0]], None)
        else:
            head = srcs[0].split(".", 1)[0]
            where[f] = (index[head], [c.split(".")[1:] for c in srcs if c.split(".", 1)[0] == head])
    raw = getattr(text, "buffer", None)
    # the columnar reader reads plain files only (pread on the descriptor); gzip stays with the Python reader,
    # under MAX_GZIP_RATIO
    if (reader.line_num == 1 and all(w[1] is None for w in where.values()) and isinstance(raw, io.BufferedReader)
            and isinstance(raw.raw, io.FileIO)
            and report.size_bytes >= _columnar().MIN_BYTES and os.environ.get("OVC_USAGE_READER") != "python"
            and _columnar().available() and records_fit(raw.fileno(), _columnar().BLOCK_BYTES // 2)):
        yield from _columnar().read_csv(raw.fileno(), raw, header, fields, where, report, strict, group_by,
                                        CHUNK_ROWS, MAX_LINE_CHARS, _bounded_lines)
        return
    getter = itemgetter(*[where[f][0] for f in fields])
    n_cols = len(header)
    while True:
        start = reader.line_num
        with _GcPaused():
            rows = list(islice(reader, CHUNK_ROWS))
        if not rows:
            return
        if reader.line_num - start == len(rows):  # one line per record: line numbers by position
            lines = range(start + 1, start + 1 + len(rows))
        else:  # quoted fields span lines: count the newlines inside each record
            lines = (start + np.cumsum([1 + sum(c.count("\n") for c in r) for r in rows])).tolist()
        pending: list[tuple[int, str, str]] = []
        if set(map(len, rows)) == {n_cols}:
            good_rows, good_lines = rows, lines
        else:
            good_rows, good_lines = [], []
            for row, line in zip(rows, lines):
                if len(row) == n_cols:
                    good_rows.append(row)
                    good_lines.append(line)
                elif not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank line: not a record
                else:
                    report.rows += 1
                    pending.append((line, "wrong number of fields", f"{len(row)} instead of {n_cols}"))
        del rows
        if not good_rows:
            for item in pending:
                report.bad(*item, strict)
            continue
        report.rows += len(good_rows)
        with _GcPaused():
            picked = list(map(getter, good_rows)) if len(fields) > 1 else [(getter(r),) for r in good_rows]
            del good_rows
            columns = dict(zip(fields, (list(c) for c in zip(*picked))))
            del picked
        for f in fields:
            alts = where[f][1]
            if alts is not None:
                columns[f] = [_first_path(v, alts) for v in columns[f]]
        yield _to_batch(columns, good_lines, report, strict, group_by, pending)


def _read_jsonl(text, report: FileReport, preset: str, mapping: dict[str, str], group_by: str,
                strict: bool) -> Iterator[Batch]:
    chosen: str | None = None if preset == "auto" else preset
    fields: list[str] = []
    paths: dict[str, list[list[str]]] = {}
    line = 0
    while True:
        recs: list[dict] = []
        lines: list[int] = []
        pending: list[tuple[int, str, str]] = []
        with _GcPaused():
            for raw_line in _bounded_lines(text, report.path):
                line += 1
                s = raw_line.strip()
                if not s:
                    continue
                try:
                    rec = json.loads(s)
                except RecursionError:
                    report.rows += 1
                    pending.append((line, "invalid JSON", "nested too deeply"))
                    continue
                except ValueError as e:
                    report.rows += 1
                    pending.append((line, "invalid JSON", str(e).split(":")[0]))
                    continue
                if not isinstance(rec, dict):
                    report.rows += 1
                    pending.append((line, "invalid JSON", "not an object"))
                    continue
                if chosen is None:
                    chosen = detect_preset(set(rec))
                if not fields:
                    report.preset = chosen
                    cols = _resolve_jsonl(rec, chosen, mapping, report.path, group_by)
                    if group_by != "model":
                        cols["_group"] = [group_by]
                    report.columns = {k: (v[0] if v else None) for k, v in cols.items() if not k.startswith("_")}
                    fields = [f for f, c in cols.items() if c]
                    paths = {f: [c.split(".") for c in cols[f]] for f in fields}
                recs.append(rec)
                lines.append(line)
                if len(recs) >= CHUNK_ROWS:
                    break
        if not recs:
            for item in pending:
                report.bad(*item, strict)
            return
        report.rows += len(recs)
        columns = {}
        for f in fields:
            alts = paths[f]
            if len(alts) == 1 and len(alts[0]) == 1:
                key = alts[0][0]
                columns[f] = [r.get(key) for r in recs]
            else:
                columns[f] = [_first(r, alts) for r in recs]
        del recs
        yield _to_batch(columns, lines, report, strict, group_by, pending)


def _first(rec: dict, alts: list[list[str]]):
    for parts in alts:
        v = rec.get(parts[0]) if len(parts) == 1 else _json_path(rec, parts)
        if v is not None:
            return v
    return None


def _columnar():
    """:mod:`openvclosed.usage.columnar` (pyarrow; imported only for big CSV files)."""
    from openvclosed.usage import columnar

    return columnar
