"""Usage records: parsed batches, the per-file report of bad rows, and value conversion
(timestamps, token counts) from the strings or JSON values a log holds."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from openvclosed.errors import InputError
from openvclosed.ranges import RANGES, USAGE_DATES
from openvclosed.usage.presets import _DEFAULTS

__all__ = ["Batch", "FileReport", "parse_timestamp", "MAX_EXAMPLES"]

MAX_EXAMPLES = 5
"""Bad rows kept, with their line numbers, per file."""

_EPOCH_RE = re.compile(r"^\d{9,}(\.\d*)?$")
_UTC = dt.timezone.utc


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
    group_codes: np.ndarray | None = None
    """Columnar reader: the group of each record as an index into ``group_names`` (``group`` is None)."""
    group_names: list | None = None

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

_TS_LOW = dt.datetime.combine(USAGE_DATES[0], dt.time(), _UTC).timestamp()
_TS_HIGH = dt.datetime.combine(USAGE_DATES[1], dt.time(23, 59, 59), _UTC).timestamp()
_ROW_RANGE = {"input_tokens": "usage_tokens", "output_tokens": "usage_tokens", "cached_input_tokens": "usage_tokens",
              "requests": "usage_requests", "cost_usd": "usage_cost_usd"}
"""Usage field -> its row in the range table (:mod:`openvclosed.ranges`)."""


def plausible_ts(ts: np.ndarray) -> np.ndarray:
    """``ts`` with timestamps outside the plausible dates (``ranges.USAGE_DATES``) set to nan, so a
    row dated 0001-01-01, 9999-12-31 or epoch 1e20 is a bad row, never a window to allocate."""
    with np.errstate(invalid="ignore"):
        out = (ts < _TS_LOW) | (ts > _TS_HIGH)
    if out.any():
        ts = np.where(out, np.nan, ts)
    return ts


def implausible(f: str, arr: np.ndarray) -> np.ndarray:
    """Mask of values of usage field ``f`` above their plausible range (tokens 1e300, 10^30)."""
    with np.errstate(invalid="ignore"):
        return arr > RANGES[_ROW_RANGE[f]].high


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
    ts = plausible_ts(_timestamps(columns["timestamp"]))
    nums: dict[str, np.ndarray] = {}
    bad_num: dict[str, np.ndarray] = {}
    for f in ("input_tokens", "output_tokens", "cached_input_tokens", "requests", "cost_usd"):
        if f in columns:
            nums[f], bad_num[f] = _floats(columns[f], _DEFAULTS.get(f))
            bad_num[f] = bad_num[f] | implausible(f, nums[f])
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
