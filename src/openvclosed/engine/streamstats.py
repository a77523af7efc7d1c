"""Exact quantiles, means and histograms of columns that are produced in chunks, in fixed memory.

A Monte Carlo with ``n`` draws against ``m`` APIs yields an ``(n, m)`` array one chunk of rows at a
time; keeping it costs 8 bytes per draw and API, so memory would grow with ``--max-draws``. These
functions take a *source*: a callable that returns a fresh iterator over the same chunks (the
Monte Carlo re-draws them from the same seed), and read it a few times instead of keeping it:

1. one pass for the count, sum, the number of values above 0, and the finite min/max and the
   count of ``-inf``/``+inf`` per column;
2. for each wanted quantile, passes that count the values of its current interval in
   :data:`BINS` bins and narrow the interval to the smallest and largest value of the bin holding
   the wanted rank, until the interval holds at most :data:`COLLECT` values (or one distinct
   value); a last pass collects those values and picks the one of the rank.

The result is the same number ``numpy.quantile(x, p, method="inverted_cdf")`` gives on the whole
column (the value of rank ``max(ceil(n p) - 1, 0)`` of the sorted column; ``inf`` is a value too),
and :func:`numpy.histogram` of the finite values (counts summed over chunks: binning is
element-wise). Memory: ``BINS`` counts per wanted quantile plus at most ``COLLECT`` values.
Time: typically 3 reads of the source (stats, one histogram, the collection).

>>> rng = np.random.default_rng(0)
>>> x = np.concatenate([rng.normal(size=(5000, 2)), np.full((10, 2), np.inf)])
>>> src = lambda: iter(np.array_split(x, 7))
>>> q = column_quantiles(src, (10, 50, 90), collect=100)
>>> bool(np.array_equal(q, np.quantile(x, [0.1, 0.5, 0.9], axis=0, method="inverted_cdf")))
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np

__all__ = ["BINS", "COLLECT", "column_stats", "column_quantiles", "column_histograms"]

BINS = 4096
"""Bins per refinement pass (a 4096th of the interval each pass)."""
COLLECT = 1 << 16
"""Values of one interval collected exactly (8 bytes each)."""
_MAX_PASSES = 16

Source = Callable[[], Iterator[np.ndarray]]


def column_stats(source: Source) -> dict[str, np.ndarray]:
    """One read of ``source`` (chunks of shape ``(k, m)``): per column ``n``, ``sum`` (finite and
    infinite values alike, as :func:`numpy.sum`), ``positive`` (values > 0), finite ``lo``/``hi``
    (``nan`` when a column has no finite value), ``neg_inf``/``pos_inf`` counts and ``nan`` counts."""
    n = 0
    acc: dict[str, np.ndarray] | None = None
    for c in source():
        c = np.asarray(c, dtype=float)
        if not c.shape[0]:
            continue
        fin = np.isfinite(c)
        lo = np.where(fin, c, np.inf).min(axis=0)
        hi = np.where(fin, c, -np.inf).max(axis=0)
        with np.errstate(invalid="ignore"):  # inf + -inf is nan, as numpy's sum gives
            total = c.sum(axis=0)
        part = {"sum": total, "positive": (c > 0).sum(axis=0), "lo": lo, "hi": hi,
                "neg_inf": (c == -np.inf).sum(axis=0), "pos_inf": (c == np.inf).sum(axis=0),
                "nan": np.isnan(c).sum(axis=0)}
        n += c.shape[0]
        if acc is None:
            acc = part
        else:
            with np.errstate(invalid="ignore"):
                for k in ("sum", "positive", "neg_inf", "pos_inf", "nan"):
                    acc[k] = acc[k] + part[k]
            acc["lo"], acc["hi"] = np.minimum(acc["lo"], lo), np.maximum(acc["hi"], hi)
    if acc is None:
        raise ValueError("the source yielded no rows")
    acc["lo"] = np.where(np.isfinite(acc["lo"]), acc["lo"], np.nan)
    acc["hi"] = np.where(np.isfinite(acc["hi"]), acc["hi"], np.nan)
    acc["n"] = np.full(acc["sum"].shape, n)
    return acc


class _Target:
    """One wanted rank of one column, and the interval [a, b] known to hold it."""

    __slots__ = ("col", "rank", "a", "b", "below", "count", "value")

    def __init__(self, col: int, rank: int, a: float, b: float, below: int, count: int):
        self.col, self.rank, self.a, self.b = col, rank, a, b
        self.below, self.count, self.value = below, count, None


def column_quantiles(source: Source, percentiles, *, stats: dict | None = None, bins: int | None = None,
                     collect: int | None = None) -> np.ndarray:
    """Quantiles ``percentiles`` (0-100) of every column of ``source``, shape ``(len(percentiles), m)``:
    exactly ``numpy.quantile(..., method="inverted_cdf")`` of the whole column (``nan`` for a column
    holding a ``nan``, as numpy gives). ``bins`` and ``collect`` default to :data:`BINS` and :data:`COLLECT`."""
    bins = int(bins if bins is not None else BINS)
    collect = int(collect if collect is not None else COLLECT)
    st = stats if stats is not None else column_stats(source)
    n = int(st["n"].reshape(-1)[0])
    m = st["sum"].shape[0]
    out = np.full((len(percentiles), m), np.nan)
    todo: list[tuple[int, _Target]] = []
    for i, p in enumerate(percentiles):
        rank = max(math.ceil(n * float(p) / 100.0) - 1, 0)
        for j in range(m):
            ninf, pinf = int(st["neg_inf"][j]), int(st["pos_inf"][j])
            if st["nan"][j]:
                continue
            if rank < ninf:
                out[i, j] = -np.inf
            elif rank >= n - pinf:
                out[i, j] = np.inf
            else:
                todo.append((i, _Target(j, rank, float(st["lo"][j]), float(st["hi"][j]), ninf, n - ninf - pinf)))
    for attempt in range(_MAX_PASSES):
        live = [t for _i, t in todo if t.value is None]
        for t in live:
            if t.a == t.b:
                t.value = t.a
        live = [t for t in live if t.value is None]
        if not live:
            break
        # the last pass collects whatever is left (only a pathological spread of values gets there)
        _one_pass(source, live, bins, collect if attempt < _MAX_PASSES - 1 else math.inf)
    for i, t in todo:
        out[i, t.col] = t.value if t.value is not None else t.a
    return out


def _one_pass(source: Source, targets: list[_Target], bins: int, collect: float) -> None:
    """Collect the targets whose interval is small enough; histogram the others and narrow each to
    the smallest and largest value of the bin holding its rank."""
    got: dict[int, list[np.ndarray]] = {}
    hist: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
    for t in targets:
        if t.count > collect:
            hist[id(t)] = (np.linspace(t.a, t.b, bins + 1), np.zeros(bins, dtype=np.int64),
                           np.full(bins, np.inf), np.full(bins, -np.inf))
        else:
            got[id(t)] = []
    for c in source():
        c = np.asarray(c, dtype=float)
        for t in targets:
            v = c[:, t.col]
            v = v[(v >= t.a) & (v <= t.b)]
            if not v.size:
                continue
            if id(t) in got:
                got[id(t)].append(v)
                continue
            edges, cnt, lo, hi = hist[id(t)]
            k = np.clip(np.searchsorted(edges, v, side="right") - 1, 0, bins - 1)
            cnt += np.bincount(k, minlength=bins)
            np.minimum.at(lo, k, v)
            np.maximum.at(hi, k, v)
    for t in targets:
        if id(t) in got:
            vals = np.sort(np.concatenate(got[id(t)])) if got[id(t)] else np.array([t.a])
            t.value = float(vals[min(max(t.rank - t.below, 0), vals.size - 1)])
            continue
        _edges, cnt, lo, hi = hist[id(t)]
        cum = np.cumsum(cnt)
        k = min(int(np.searchsorted(cum, t.rank - t.below, side="right")), bins - 1)
        t.below += int(cum[k - 1]) if k else 0
        t.count = int(cnt[k])
        t.a, t.b = float(lo[k]), float(hi[k])


def column_histograms(source: Source, n_bins: int, *, stats: dict | None = None) -> list[dict | None]:
    """:func:`numpy.histogram` (``n_bins`` equal bins over the finite min..max) of the finite values of
    each column: ``{"edges": [...], "counts": [...]}``, or ``None`` for a column without a finite value."""
    st = stats if stats is not None else column_stats(source)
    m = st["sum"].shape[0]
    ranges = [None if math.isnan(st["lo"][j]) else (float(st["lo"][j]), float(st["hi"][j])) for j in range(m)]
    counts = [np.zeros(n_bins, dtype=np.int64) for _ in range(m)]
    edges: list = [None] * m
    for c in source():
        c = np.asarray(c, dtype=float)
        for j, r in enumerate(ranges):
            if r is None:
                continue
            v = c[:, j]
            cnt, e = np.histogram(v[np.isfinite(v)], bins=n_bins, range=r)
            counts[j] += cnt
            edges[j] = e
    return [None if r is None else {"edges": [float(x) for x in edges[j]], "counts": [int(x) for x in counts[j]]}
            for j, r in enumerate(ranges)]
