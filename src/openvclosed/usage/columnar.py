"""CSV usage logs through pyarrow (optional extra ``columnar``): the same batches and report as the
Python reader (:func:`openvclosed.usage.reader._read_csv`), 5-10x faster on big files.

pyarrow splits the file into string columns (C++, in blocks); each column is then converted the
way the Python reader converts it, vectorised where that is provably the same:

- numbers: a column of plain decimal numbers only is cast by arrow (correctly rounded, as Python's
  ``float``); any other column takes the Python conversion (``records._floats``) for that block;
- timestamps: all plain numbers -> as above (epoch s or ms); all ``YYYY-MM-DD[T ]HH:MM:SS[.ffffff]
  [Z|+HH:MM]`` -> arrow's ISO parser (no offset = UTC); anything else -> the Python conversion;
- model and group names: dictionary-encoded, the few distinct names checked and cleaned in Python.

Line numbers (only for the first bad rows and ``--strict``) come from a second Python pass that
stops at the last row asked for. Used for CSV files of :data:`MIN_BYTES` or more with the header on
line 1 and plain columns; otherwise, without pyarrow or with ``OVC_USAGE_READER=python``: the Python reader.
"""

from __future__ import annotations

import csv
import io
import os
from collections import deque
from itertools import islice
from typing import Iterator

import numpy as np

from openvclosed.errors import InputError
from openvclosed.usage.records import (_DEFAULTS, MAX_EXAMPLES, Batch, FileReport, _floats, _group_name, _timestamps,
                                       implausible, plausible_ts)

MIN_BYTES = 8 << 20
"""Files at least this big use pyarrow when it is installed (small ones gain nothing)."""

BLOCK_BYTES = 1 << 20
"""Bytes pyarrow parses at a time (a batch; pyarrow reads a few ahead): a longer record makes it
start again in bigger blocks, up to MAX_LINE_CHARS."""

_NUM_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_ISO_RE = (r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?"
           r"(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$")


def available() -> bool:
    try:
        import pyarrow.csv  # noqa: F401
        import pyarrow.compute  # noqa: F401
    except ImportError:
        return False
    return True


class _PRead(io.RawIOBase):
    """A read-only view of a file descriptor with its own position (``os.pread``): pyarrow and the
    line-number pass read the same open file without moving each other."""

    def __init__(self, fd: int):
        self.fd, self.pos = fd, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = os.pread(self.fd, len(b), self.pos)
        b[:len(data)] = data
        self.pos += len(data)
        return len(data)


class _Lines:
    """Line numbers the Python reader gives rows, found by reading the file with its own loop
    (same csv module, same chunked line arithmetic) and stopping at the last row asked for.
    Rows are counted in two kinds: good (right number of fields) and wrong (any other, not blank)."""

    def __init__(self, fd: int, label: str, n_cols: int, chunk_rows: int, bounded_lines):
        text = io.TextIOWrapper(io.BufferedReader(_PRead(fd)), encoding="utf-8-sig", newline="")
        self.reader = csv.reader(bounded_lines(text, label))
        for row in self.reader:  # the header, as the Python reader finds it
            if row and any(c.strip() for c in row):
                break
        self.n_cols, self.chunk = n_cols, chunk_rows
        self.seen = {"good": 0, "wrong": 0}
        self.found: dict[tuple[str, int], int] = {}
        self.left: deque = deque()  # rows read but not yet asked for

    def lines(self, wanted: list[tuple[str, int]]) -> dict[tuple[str, int], int]:
        need = {w for w in wanted if w not in self.found}
        while need:
            if not self.left:
                self._more()
                if not self.left:
                    break
            key, line = self.left.popleft()
            if key in need:
                self.found[key] = line
                need.discard(key)
        return {w: self.found.get(w, 0) for w in wanted}

    def _more(self) -> None:
        """The next chunk of rows as ((kind, ordinal), line), computed as the Python reader does."""
        start = self.reader.line_num
        rows = list(islice(self.reader, self.chunk))
        if not rows:
            return
        if self.reader.line_num - start == len(rows):
            lines = range(start + 1, start + 1 + len(rows))
        else:
            lines = (start + np.cumsum([1 + sum(c.count("\n") for c in r) for r in rows])).tolist()
        for row, line in zip(rows, lines):
            if len(row) == self.n_cols:
                kind = "good"
            elif not row or (len(row) == 1 and not row[0].strip()):
                continue
            else:
                kind = "wrong"
            self.left.append(((kind, self.seen[kind]), line))
            self.seen[kind] += 1


def _cast_floats(arr):
    """The column as float64 when every value is a plain decimal number, else None. Integers (token
    counts) parse as int64 first: exact, and int -> float rounds as Python's float(str) does."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if arr.null_count or not len(arr):
        return None
    try:
        return np.asarray(pc.cast(arr, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    if not pc.all(pc.match_substring_regex(arr, _NUM_RE)).as_py():
        return None
    try:
        return np.array(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _col_numbers(arr, default):
    vals = _cast_floats(arr)
    if vals is None:
        return _floats(arr.to_pylist(), default)
    with np.errstate(invalid="ignore"):
        if default is not None and default != default:
            bad = np.isinf(vals) | (vals < 0)
        else:
            bad = ~np.isfinite(vals) | (vals < 0)
    return vals, bad


def _col_timestamps(arr) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    if arr.null_count == 0 and len(arr):
        head = arr[0].as_py()
        if not (len(head) > 4 and head[4] == "-"):  # epoch numbers: _timestamps' fast path
            v = _cast_floats(arr)
            if v is not None:
                with np.errstate(invalid="ignore"):
                    bad = ~np.isfinite(v) | (v < 1e8)
                    v = np.where(v >= 1e11, v / 1000.0, v)
                v[bad] = np.nan
                return v
        elif pc.all(pc.match_substring_regex(arr, _ISO_RE)).as_py():
            # the pattern allows only Z or +hh:mm / -hh:mm as a zone: a sign 6 from the end is one
            zoned = pc.or_(pc.ends_with(arr, "Z"),
                           pc.is_in(pc.utf8_slice_codeunits(arr, -6, -5), value_set=pa.array(["+", "-"])))
            zn = np.asarray(zoned.to_numpy(zero_copy_only=False), dtype=bool)
            aware, naive = pa.timestamp("us", tz="UTC"), pa.timestamp("us")  # no zone: UTC
            try:
                if zn.all() or not zn.any():
                    us = np.asarray(pc.cast(arr, aware if zn.all() else naive).cast(pa.int64())
                                    .to_numpy(zero_copy_only=False), dtype=np.int64)
                else:
                    us = np.empty(len(arr), dtype=np.int64)
                    us[zn] = pc.cast(pc.filter(arr, zoned), aware).cast(pa.int64()).to_numpy(zero_copy_only=False)
                    us[~zn] = pc.cast(pc.filter(arr, pc.invert(zoned)), naive).cast(pa.int64()).to_numpy(
                        zero_copy_only=False)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                us = None  # e.g. 2026-02-30: the Python conversion says which rows
            if us is not None:
                return us / 1e6
    return _timestamps(arr.to_pylist())


def _col_names(arr) -> tuple[np.ndarray, list]:
    """(code per row, distinct raw values) of a string column."""
    import pyarrow.compute as pc

    enc = pc.dictionary_encode(arr)
    return np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64), enc.dictionary.to_pylist()


def read_csv(fd: int, raw, header: list[str], fields: list[str], where: dict, report: FileReport, strict: bool,
             group_by: str, chunk_rows: int, max_line_chars: int, bounded_lines) -> Iterator[Batch]:
    """The batches of a CSV file whose header (on line 1) has been read; ``where`` maps each field
    to its column index. ``raw`` is the caller's binary file, kept at pyarrow's position (progress);
    ``bounded_lines(text, label)`` is the Python reader's line splitter (line numbers of bad rows)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    n_cols = len(header)
    names = [f"c{i}" for i in range(n_cols)]
    wrong: list[tuple[int, int]] = []  # (ordinal among wrong rows, fields found)
    n_wrong = [0]

    def on_invalid(row):
        text = row.text or ""
        parsed = next(csv.reader([text]), []) if row.actual_columns <= 1 else None
        if parsed is not None and (not parsed or (len(parsed) == 1 and not parsed[0].strip())):
            return "skip"  # a blank line: not a record
        wrong.append((n_wrong[0], row.actual_columns))
        n_wrong[0] += 1
        return "skip"

    block = [max(16, min(max_line_chars + 1, BLOCK_BYTES))]
    src = _PRead(fd)

    def open_stream():
        nonlocal src
        src = _PRead(fd)
        wrong.clear()
        n_wrong[0] = 0
        return pcsv.open_csv(
            src,
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False, block_size=block[0]),
            parse_options=pcsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=True,
                                            invalid_row_handler=on_invalid),
            convert_options=pcsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                                strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                include_columns=names, check_utf8=True))

    def open_growing():
        while True:  # pyarrow reads the first block on opening
            try:
                return open_stream()
            except pa.ArrowInvalid as e:
                if not (_straddles(e) and block[0] < max_line_chars + 1):
                    raise
                block[0] = min(block[0] * 8, max_line_chars + 1)

    try:
        stream = open_growing()
    except pa.ArrowInvalid as e:
        if "Empty CSV file" in str(e):
            return  # a header and nothing else
        _raise(report, e, max_line_chars)
    lines = None
    good_before = wrong_done = 0
    skip_good = skip_wrong = 0  # after a restart with bigger blocks: rows already handled
    while True:
        try:
            b = stream.read_next_batch()
        except StopIteration:
            b = None
        except pa.ArrowInvalid as e:
            if _straddles(e) and block[0] < max_line_chars + 1:
                # a record longer than a block: read again in bigger blocks, skipping what was done
                block[0] = min(block[0] * 8, max_line_chars + 1)
                skip_good, skip_wrong = good_before, wrong_done
                try:
                    stream = open_growing()
                except pa.ArrowInvalid as e2:
                    _raise(report, e2, max_line_chars)
                continue
            _raise(report, e, max_line_chars)
        try:
            raw.seek(src.pos)
        except (OSError, ValueError):
            pass
        pending = [w for w in wrong if w[0] >= skip_wrong]
        wrong.clear()
        wrong_done += len(pending)
        if b is not None and skip_good:
            k = min(skip_good, b.num_rows)
            b, skip_good = b.slice(k), skip_good - k
        if b is None and not pending:
            return
        n = 0 if b is None else b.num_rows
        report.rows += n + len(pending)
        out, bad = _convert(b, n, fields, where, group_by)
        # bad rows: counts by reason (first occurrence in file order first), the first few with lines
        labels, reason, detail_of = bad
        bad_idx = np.flatnonzero(reason)
        total = len(bad_idx) + len(pending)
        if total:
            need = MAX_EXAMPLES - len(report.bad_examples)
            take = max(need, 1 if strict else 0)  # bad rows whose line is wanted: examples, --strict
            firsts = {}  # reason -> first row with it (counts go to the report in file order)
            for i in bad_idx[np.unique(reason[bad_idx], return_index=True)[1]].tolist():
                firsts[labels[reason[i] - 1]] = i
            new = {lab: i for lab, i in firsts.items() if lab not in report.bad_by_reason}
            new_wrong = bool(pending) and "wrong number of fields" not in report.bad_by_reason
            want = [("good", good_before + i) for i in bad_idx[:take].tolist()]
            want += [("good", good_before + i) for i in new.values()]
            want += [("wrong", j) for j, _ in (pending if take else pending[:1] if new_wrong else [])]
            got = {}
            if want:
                if lines is None:
                    lines = _Lines(fd, report.path, n_cols, chunk_rows, bounded_lines)
                got = lines.lines(want)
            items = [(got[("wrong", j)], "wrong number of fields", f"{k} instead of {n_cols}")
                     for j, k in (pending if take else [])]
            for i in bad_idx[:take].tolist():
                label = labels[reason[i] - 1]
                items.append((got[("good", good_before + i)], label, detail_of(i, label)))
            items.sort(key=lambda x: x[0])
            if strict:
                report.bad(*items[0], strict=True)  # raises
            order = sorted([(got[("good", good_before + i)], lab) for lab, i in new.items()]
                           + ([(got[("wrong", pending[0][0])], "wrong number of fields")] if new_wrong else []))
            counts: dict[str, int] = {lab: 0 for _, lab in order}
            for j in reason[bad_idx].tolist():
                counts[labels[j - 1]] = counts.get(labels[j - 1], 0) + 1
            if pending:
                counts["wrong number of fields"] = counts.get("wrong number of fields", 0) + len(pending)
            for line, label, detail in items[:need]:
                report.bad_examples.append((line, f"{label}: {detail}" if detail else label))
            report.bad_rows += total
            for lab, k in counts.items():
                report.bad_by_reason[lab] += k
        good_before += n
        if b is None:
            return
        if out is not None:
            report.good_rows += len(out)
            yield out


def _straddles(e: Exception) -> bool:
    msg = str(e)
    return "straddling" in msg or "block size" in msg


def _raise(report: FileReport, e: Exception, max_line_chars: int):
    if _straddles(e):
        raise InputError(f"{report.path}: a line longer than {max_line_chars:,} characters (MAX_LINE_CHARS); "
                         "not a usage log in CSV or JSON Lines") from None
    if "UTF8" in (msg := str(e)) or "UTF-8" in msg:
        raise InputError(f"{report.path}: not UTF-8 text (row {report.rows + 1} or near it)") from None
    raise InputError(f"{report.path}: unreadable CSV near row {report.rows + 1} ({msg.splitlines()[0][:120]})") from None


def _convert(b, n: int, fields: list[str], where: dict, group_by: str):
    """(Batch of the good rows or None, (reason labels, reason code per row, detail(i, label)))."""
    if b is None or n == 0:
        return None, ([], np.zeros(0, dtype=np.int8), None)
    col = {f: b.column(where[f][0]) for f in fields}
    ts = plausible_ts(_col_timestamps(col["timestamp"]))
    nums, bad_num = {}, {}
    for f in ("input_tokens", "output_tokens", "cached_input_tokens", "requests", "cost_usd"):
        if f in col:
            nums[f], bad_num[f] = _col_numbers(col[f], _DEFAULTS.get(f))
            bad_num[f] = bad_num[f] | implausible(f, nums[f])
        else:
            nums[f], bad_num[f] = np.full(n, _DEFAULTS[f]), np.zeros(n, dtype=bool)
    m_codes, m_vals = _col_names(col["model"])
    odd = np.array([not (isinstance(m, str) and m.strip()) for m in m_vals], dtype=bool)
    no_model = odd[m_codes] if odd.any() else np.zeros(n, dtype=bool)
    if "_group" in col:
        g_codes, g_vals = _col_names(col["_group"])
    else:
        g_codes, g_vals = m_codes, m_vals
    checks = [("bad timestamp", np.isnan(ts), "timestamp"), ("missing model", no_model, "model")]
    checks += [(f"bad {f}", bad_num[f], f) for f in nums]
    checks.append(("cached_input_tokens > input_tokens",
                   nums["cached_input_tokens"] > nums["input_tokens"] + 1e-9, "cached_input_tokens"))
    reason = np.zeros(n, dtype=np.int8)
    for code, (_, mask, _) in enumerate(checks, start=1):
        reason[(reason == 0) & mask] = code
    labels = [c[0] for c in checks]
    field_of = {c[0]: c[2] for c in checks}

    def detail(i: int, label: str) -> str:
        if label.startswith("cached"):
            c = col["cached_input_tokens"][i].as_py() if "cached_input_tokens" in col else "?"
            return f"{c!r} > {col['input_tokens'][i].as_py()!r}"
        f = field_of[label]
        return repr(col[f][i].as_py()) if f in col else ""

    keep = reason == 0
    good = int(keep.sum())
    if good == 0:
        return None, (labels, reason, detail)
    sel = slice(None) if good == n else keep
    codes = g_codes[sel]
    # names in order of first appearance among the good rows (as the Python reader's group list)
    uniq, first = np.unique(codes, return_index=True)
    order = uniq[np.argsort(first, kind="stable")]
    names = [_group_name(g_vals[int(c)]) for c in order.tolist()]
    remap = np.zeros(len(g_vals), dtype=np.int64)
    remap[order] = np.arange(len(order))
    batch = Batch(ts=ts[sel], group=None, input_tokens=nums["input_tokens"][sel],
                  output_tokens=nums["output_tokens"][sel], cached_input_tokens=nums["cached_input_tokens"][sel],
                  requests=nums["requests"][sel], cost_usd=nums["cost_usd"][sel],
                  group_codes=remap[codes], group_names=names)
    return batch, (labels, reason, detail)
