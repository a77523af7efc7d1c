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
import datetime as dt
import gc
import gzip
import io
import json
import math
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from openvclosed.errors import InputError
from openvclosed.fileio import input_file_size

__all__ = ["CANONICAL", "REQUIRED", "PRESETS", "Batch", "FileReport", "parse_map", "parse_timestamp",
           "detect_preset", "read_file", "CHUNK_ROWS", "MAX_EXAMPLES"]

CANONICAL: tuple[str, ...] = ("timestamp", "model", "input_tokens", "output_tokens", "cached_input_tokens",
                              "requests", "cost_usd")
"""Fields a usage record is mapped to. ``cached_input_tokens`` are part of ``input_tokens``."""
REQUIRED: tuple[str, ...] = ("timestamp", "model", "input_tokens", "output_tokens")
"""Fields every file must provide; the others default (cached 0, requests 1, cost unknown)."""
_DEFAULTS = {"cached_input_tokens": 0.0, "requests": 1.0, "cost_usd": math.nan}

PRESETS: dict[str, dict[str, tuple[str, ...]]] = {
    # Column names tried in order; the first present in the file wins. A dotted name reaches into
    # a nested JSON object (or a column holding a JSON string, as LiteLLM's `metadata`).
    "generic": {
        "timestamp": ("timestamp", "time", "ts", "date", "created_at", "start_time", "startTime"),
        "model": ("model", "model_name", "snapshot_id"),
        "input_tokens": ("input_tokens", "prompt_tokens"),
        "output_tokens": ("output_tokens", "completion_tokens"),
        "cached_input_tokens": ("cached_input_tokens", "cached_tokens", "input_cached_tokens",
                                "cache_read_input_tokens"),
        "requests": ("requests", "num_requests", "n_requests", "request_count"),
        "cost_usd": ("cost_usd", "cost", "spend"),
    },
    # OpenAI: the Usage API's completions buckets (start_time, input_tokens incl. cached,
    # input_cached_tokens, output_tokens, num_model_requests, model) flattened one row per
    # bucket x model, as the dashboard export writes them; and the legacy usage export
    # (aggregation_timestamp, snapshot_id, n_requests, n_context_tokens_total,
    # n_generated_tokens_total).
    "openai": {
        "timestamp": ("start_time_iso", "start_time", "aggregation_timestamp", "timestamp"),
        "model": ("model", "snapshot_id"),
        "input_tokens": ("input_tokens", "n_context_tokens_total"),
        "output_tokens": ("output_tokens", "n_generated_tokens_total"),
        "cached_input_tokens": ("input_cached_tokens", "n_cached_context_tokens_total",
                                "cached_context_tokens_total"),
        "requests": ("num_model_requests", "n_requests"),
        "cost_usd": ("cost_usd",),
    },
    # LiteLLM proxy spend logs (LiteLLM_SpendLogs rows): startTime, model, prompt_tokens,
    # completion_tokens, spend; cached tokens in metadata.usage_object.
    "litellm": {
        "timestamp": ("startTime", "start_time"),
        "model": ("model", "model_group"),
        "input_tokens": ("prompt_tokens",),
        "output_tokens": ("completion_tokens",),
        "cached_input_tokens": ("metadata.usage_object.prompt_tokens_details.cached_tokens",
                                "metadata.usage_object.cache_read_input_tokens"),
        "requests": (),
        "cost_usd": ("spend",),
    },
}

CHUNK_ROWS = 100_000
"""Rows parsed per batch (bounds memory)."""
MAX_EXAMPLES = 5
"""Bad rows kept, with their line numbers, per file."""

_EPOCH_RE = re.compile(r"^\d{9,}(\.\d*)?$")
_UTC = dt.timezone.utc


def parse_map(items: list[str] | None) -> dict[str, str]:
    """``["prompt=input_tokens", ...]`` -> ``{"input_tokens": "prompt"}`` (canonical -> source).

    >>> parse_map(["ts=timestamp", "usage.prompt=input_tokens"])
    {'timestamp': 'ts', 'input_tokens': 'usage.prompt'}
    """
    out: dict[str, str] = {}
    for item in items or []:
        src, sep, dst = item.partition("=")
        src, dst = src.strip(), dst.strip()
        if not sep or not src or not dst:
            raise InputError(f"--map: {item!r} is not SOURCE=FIELD, e.g. prompt=input_tokens")
        if dst not in CANONICAL:
            raise InputError(f"--map: {item!r}: {dst!r} is not a field; use one of {', '.join(CANONICAL)}")
        out[dst] = src
    return out


def parse_timestamp(value) -> float:
    """Epoch seconds (UTC) of one timestamp; ``nan`` when it cannot be read.

    >>> parse_timestamp("2026-01-01T10:00:00+02:00"), parse_timestamp("2026-01-01T08:00:00Z")
    (1767254400.0, 1767254400.0)
    >>> parse_timestamp("2026-01-01 08:00:00"), parse_timestamp("1767254400"), parse_timestamp(1767254400000)
    (1767254400.0, 1767254400.0, 1767254400.0)
    """
    if isinstance(value, bool) or value is None:
        return math.nan
    if isinstance(value, (int, float)):
        v = float(value)
    else:
        s = str(value).strip()
        if _EPOCH_RE.match(s):
            v = float(s)
        else:
            try:
                d = dt.datetime.fromisoformat(s)
            except ValueError:
                return math.nan
            if d.tzinfo is None:
                d = d.replace(tzinfo=_UTC)
            return d.timestamp()
    if not math.isfinite(v) or v < 1e8:
        return math.nan
    return v / 1000.0 if v >= 1e11 else v


@dataclass
class Batch:
    """Up to ``CHUNK_ROWS`` good records: epoch seconds (UTC), group key, and token counts."""

    ts: np.ndarray
    group: list
    input_tokens: np.ndarray
    output_tokens: np.ndarray
    cached_input_tokens: np.ndarray
    requests: np.ndarray
    cost_usd: np.ndarray

    def __len__(self) -> int:
        return len(self.ts)


@dataclass
class FileReport:
    """What reading one file found: format, mapping, row counts and bad rows."""

    path: str
    format: str = "csv"
    preset: str = "generic"
    columns: dict[str, str | None] = field(default_factory=dict)
    rows: int = 0
    good_rows: int = 0
    bad_rows: int = 0
    bad_by_reason: Counter = field(default_factory=Counter)
    bad_examples: list[tuple[int, str]] = field(default_factory=list)
    size_bytes: int = 0

    def bad(self, line: int, reason: str, detail: str, strict: bool = False) -> None:
        self.bad_rows += 1
        self.bad_by_reason[reason] += 1
        msg = f"{reason}: {detail}" if detail else reason
        if strict:
            raise InputError(f"{self.path}:{line}: {msg} (--strict: every row must be usable)")
        if len(self.bad_examples) < MAX_EXAMPLES:
            self.bad_examples.append((line, msg))


def detect_preset(names: set[str]) -> str:
    """Pick a preset from the column names (CSV header or first JSON record's keys).

    >>> detect_preset({"startTime", "model", "prompt_tokens", "completion_tokens", "spend"})
    'litellm'
    >>> detect_preset({"start_time", "model", "input_tokens", "output_tokens", "num_model_requests"})
    'openai'
    """
    if "startTime" in names and "prompt_tokens" in names:
        return "litellm"
    if names & {"n_context_tokens_total", "num_model_requests", "input_cached_tokens", "snapshot_id",
                "aggregation_timestamp"}:
        return "openai"
    return "generic"


# --------------------------------------------------------------------------------------- opening

MAX_LINE_CHARS = 16_000_000
"""Longest line of a usage log (characters): a file without line breaks, or a gzip bomb of one
line, stops here instead of being read into memory whole."""


def _bounded_lines(text, label: str) -> Iterator[str]:
    """The lines of ``text``, each read with at most MAX_LINE_CHARS + 1 characters."""
    readline = text.readline
    limit = MAX_LINE_CHARS + 1
    while True:
        s = readline(limit)
        if not s:
            return
        if len(s) == limit and not s.endswith(("\n", "\r")):
            raise InputError(f"{label}: a line longer than {MAX_LINE_CHARS:,} characters (MAX_LINE_CHARS); "
                             "not a usage log in CSV or JSON Lines")
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
        stream = gzip.GzipFile(fileobj=raw)
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


def _resolve_columns(names: list[str], preset: str, mapping: dict[str, str], label: str,
                     group_by: str) -> dict[str, list[str]]:
    """canonical field -> source names tried in order (a column, or ``column.json.path``); [] if absent.

    A plain column wins outright; dotted candidates into a present column are all kept, since
    records differ in which nested key they carry (LiteLLM's usage_object).
    """
    present = set(names)
    out: dict[str, list[str]] = {}
    for f in CANONICAL:
        if f in mapping:
            src = mapping[f]
            if src not in present and src.split(".", 1)[0] not in present:
                raise InputError(f"{label}: --map {src}={f}: no column {src!r}; columns: {_names(names)}")
            out[f] = [src]
            continue
        out[f] = []
        for cand in PRESETS[preset][f]:
            if cand in present:
                if not out[f]:
                    out[f] = [cand]
                break
            if "." in cand and cand.split(".", 1)[0] in present:
                out[f].append(cand)
    missing = [f for f in REQUIRED if not out[f]]
    if missing:
        f = missing[0]
        tried = ", ".join(PRESETS[preset][f]) or "nothing"
        raise InputError(f"{label}: no column for {f} (preset {preset} tries {tried}); columns: {_names(names)}; "
                         f"name it with --map COLUMN={f} or pick --preset")
    if group_by != "model" and group_by not in present and group_by.split(".", 1)[0] not in present:
        raise InputError(f"{label}: --group-by {group_by!r}: no such column; columns: {_names(names)}")
    return out


def _names(names) -> str:
    names = list(names)
    shown = ", ".join(names[:15])
    return shown + (f" (+{len(names) - 15} more)" if len(names) > 15 else "")


class _GcPaused:
    """Pause the cyclic garbage collector while millions of small lists are built (2x faster)."""

    def __enter__(self):
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.was:
            gc.enable()


def _json_path(value, parts: list[str]):
    """Follow ``parts`` into nested dicts; a string that holds a JSON object is decoded on the way."""
    for key in parts:
        if isinstance(value, str) and value[:1] == "{":
            try:
                value = json.loads(value)
            except ValueError:
                return None
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


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


def _resolve_jsonl(rec: dict, preset: str, mapping: dict[str, str], label: str,
                   group_by: str) -> dict[str, list[str]]:
    """canonical field -> candidate paths, tried per record in order (records differ in which keys
    they carry, e.g. LiteLLM's usage_object): those present in the first record first."""
    out: dict[str, list[str]] = {}
    for f in CANONICAL:
        if f in mapping:
            out[f] = [mapping[f]]
            continue
        cands = list(PRESETS[preset][f])
        found = [c for c in cands if _json_path(rec, c.split(".")) is not None]
        out[f] = found + [c for c in cands if c not in found]
        if f in REQUIRED and not found:
            tried = ", ".join(cands) or "nothing"
            raise InputError(f"{label}: first record has no {f} (preset {preset} tries {tried}); keys: "
                             f"{_names(rec)}; name it with --map KEY={f} or pick --preset")
    return out


# ------------------------------------------------------------------------------------ conversion

def _floats(values: list, default: float | None) -> tuple[np.ndarray, np.ndarray]:
    """(values as float64, bad mask): numbers >= 0; missing -> ``default`` (bad when None)."""
    try:
        if None in values:
            raise ValueError("missing values")  # np.array would turn None into nan silently
        arr = np.array(values, dtype=np.float64)
    except (ValueError, TypeError):
        arr = np.empty(len(values))
        for i, v in enumerate(values):
            if v is None or (isinstance(v, str) and not v.strip()):
                arr[i] = default if default is not None else math.nan
                continue
            try:
                arr[i] = float(v) if not isinstance(v, bool) else math.nan
            except (ValueError, TypeError):
                arr[i] = math.nan
    if default is not None and default != default:  # nan default (cost): nan means unknown, not bad
        bad = np.isinf(arr) | (arr < 0)
    else:
        bad = ~np.isfinite(arr) | (arr < 0)
    return arr, bad


_EPOCH_NAIVE = dt.datetime(1970, 1, 1)


def _timestamps(values: list) -> np.ndarray:
    """Epoch seconds per value (nan when unreadable): vectorised for numbers, else ISO 8601 per value."""
    try:
        if None in values:
            raise ValueError("missing")
        arr = np.array(values, dtype=np.float64)  # all epoch numbers (or digit strings)
    except (ValueError, TypeError):
        pass
    else:
        bad = ~np.isfinite(arr) | (arr < 1e8)
        arr = np.where(arr >= 1e11, arr / 1000.0, arr)
        arr[bad] = math.nan
        return arr
    out = np.empty(len(values))
    iso, naive, slow = dt.datetime.fromisoformat, _EPOCH_NAIVE, parse_timestamp
    for i, s in enumerate(values):
        try:
            d = iso(s)
        except (ValueError, TypeError):
            out[i] = slow(s)  # epoch digits, surrounding blanks, numbers in JSON
            continue
        out[i] = d.timestamp() if d.tzinfo is not None else (d - naive).total_seconds()
    return out


def _safe_set(values: list) -> set:
    try:
        return set(values)
    except TypeError:
        return {object()}  # unhashable values present: forces the conversion above


def _group_name(g) -> str:
    if g is None:
        return "(missing)"
    g = g.strip() if isinstance(g, str) else str(g)
    return g or "(missing)"


def _to_batch(columns: dict[str, list], lines: list[int], report: FileReport, strict: bool,
              group_by: str, pending: list[tuple[int, str, str]] | None = None) -> Batch:
    n = len(lines)
    ts = _timestamps(columns["timestamp"])
    nums: dict[str, np.ndarray] = {}
    bad_num: dict[str, np.ndarray] = {}
    for f in ("input_tokens", "output_tokens", "cached_input_tokens", "requests", "cost_usd"):
        if f in columns:
            nums[f], bad_num[f] = _floats(columns[f], _DEFAULTS.get(f))
        else:
            nums[f], bad_num[f] = np.full(n, _DEFAULTS[f]), np.zeros(n, dtype=bool)
    for key in ("model", "_group"):  # JSON may hold objects or lists there: make them hashable text
        if key in columns and not all(isinstance(v, (str, int, float, type(None))) for v in set(_safe_set(columns[key]))):
            columns[key] = [v if isinstance(v, (str, int, float, type(None))) else json.dumps(v) for v in columns[key]]
    models = columns["model"]
    group = columns.get("_group", models)
    odd_models = {m for m in set(models) if not (isinstance(m, str) and m.strip())}
    no_model = (np.fromiter((m in odd_models for m in models), bool, n) if odd_models
                else np.zeros(n, dtype=bool))
    reason = np.zeros(n, dtype=np.int8)
    checks = [
        ("bad timestamp", np.isnan(ts), "timestamp"),
        ("missing model", no_model, "model"),
    ]
    checks += [(f"bad {f}", bad_num[f], f) for f in nums]
    checks.append(("cached_input_tokens > input_tokens",
                   nums["cached_input_tokens"] > nums["input_tokens"] + 1e-9, "cached_input_tokens"))
    names = []
    for code, (label, mask, _) in enumerate(checks, start=1):
        reason[(reason == 0) & mask] = code
        names.append(label)
    bad_idx = np.flatnonzero(reason)
    found = list(pending or [])
    for i in bad_idx.tolist():
        label, _, f = checks[reason[i] - 1]
        if label.startswith("cached"):
            detail = f"{columns.get('cached_input_tokens', ['?'] * n)[i]!r} > {columns['input_tokens'][i]!r}"
        else:
            detail = repr(columns[f][i]) if f in columns else ""
        found.append((lines[i], label, detail))
    for item in sorted(found, key=lambda x: x[0]):  # the first few by line number
        report.bad(*item, strict)
    keep = reason == 0
    good = int(keep.sum())
    report.good_rows += good
    if good == n:
        sel = slice(None)
        gvals = group
    else:
        sel = keep
        gvals = [group[i] for i in np.flatnonzero(keep).tolist()]
    canon = {g: _group_name(g) for g in set(gvals)}
    if any(k != v for k, v in canon.items()):
        gvals = [canon[g] for g in gvals]
    return Batch(ts=ts[sel], group=gvals, input_tokens=nums["input_tokens"][sel],
                 output_tokens=nums["output_tokens"][sel], cached_input_tokens=nums["cached_input_tokens"][sel],
                 requests=nums["requests"][sel], cost_usd=nums["cost_usd"][sel])
