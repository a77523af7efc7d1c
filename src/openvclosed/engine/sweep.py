"""Sweeps (design step 8): a grid of volumes x designs x APIs, evaluated in chunks of bounded memory.

Pure numpy. A *design* is one self-hosting choice (hardware spec x model x precision, already
reduced to what one replica serves and costs: ``capacity_tokens_per_day`` and
``replica_usd_per_day``); an API is its blended ``usd_per_mtok``. The grid is the product
``designs x apis x tokens_per_day`` in that order (volume fastest), indexed flat, so a chunk
is a range of flat indices and needs ``O(chunk_size)`` memory however large the grid (1e8
scenarios run in well under 500 MB).

Per scenario (same formulas as :mod:`openvclosed.engine.breakeven`)::

    selfhost_usd_per_month = (ceil(T / C) x F + K) x days_per_month   (K: a team, where a replica runs)
    api_usd_per_month      = T / 1e6 x usd_per_mtok x days_per_month
    saving_usd_per_month   = api - selfhost;  selfhost_cheaper = selfhost < api

Per (design, API) the summary keeps the break-even of :func:`~openvclosed.engine.breakeven.breakeven_tokens_per_day`
(the volume above which self-hosting is cheaper at every volume; ``inf`` = never), the
first grid volume where self-hosting is cheaper, the last one where the API is, the share of
grid volumes self-hosting wins and the largest monthly saving.
"""

from __future__ import annotations

import numpy as np

from openvclosed.engine.apicost import api_usd_per_day
from openvclosed.engine.breakeven import breakeven_tokens_per_day, selfhost_usd_per_day

__all__ = ["log_grid", "LogGrid", "iter_sweep", "sweep_summary", "DEFAULT_CHUNK"]

DEFAULT_CHUNK = 1 << 19
"""Scenarios per chunk (~0.5M: ~60 MB of temporaries)."""

_DAYS_PER_MONTH = 365.25 / 12


def log_grid(lo: float, hi: float, points: int) -> np.ndarray:
    """``points`` log-spaced volumes from ``lo`` to ``hi`` inclusive (``np.geomspace``).

    >>> log_grid(1e6, 1e10, 5).tolist()
    [1000000.0, 10000000.0, 100000000.0, 1000000000.0, 10000000000.0]
    """
    return np.geomspace(float(lo), float(hi), int(points))


class LogGrid:
    """``np.geomspace(lo, hi, points)`` (``lo, hi > 0``) computed block by block, never whole: the
    same floats as :func:`log_grid` (numpy's own steps: ``10 ** (i x step + log10(lo))``, ends exact),
    so a sweep of 1e7 volumes does not hold 80 MB of them. ``np.asarray(grid)`` gives the array."""

    def __init__(self, lo: float, hi: float, points: int):
        self.lo, self.hi, self.size = float(lo), float(hi), int(points)
        if not (self.lo > 0 and self.hi > 0) or self.size < 1:
            raise ValueError("LogGrid needs lo, hi > 0 and points >= 1")
        self._log_lo = np.log10(np.float64(self.lo))
        self._log_hi = np.log10(np.float64(self.hi))
        div = self.size - 1
        delta = np.subtract(self._log_hi, self._log_lo)
        self._div, self._delta = div, delta
        self._step = delta / div if div > 0 else np.nan

    def __len__(self) -> int:
        return self.size

    def values(self, idx: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Grid values at integer indices ``idx`` (into ``out`` if given)."""
        idx = np.asarray(idx)
        if out is None:
            y = idx.astype(float)
        else:
            y = out
            y[...] = idx
        if self._div > 0:
            if self._step == 0:
                y /= self._div
                y *= self._delta
            else:
                y *= self._step
        else:
            y *= self._delta
        y += self._log_lo
        last = idx == self.size - 1
        if self.size > 1:
            y[last] = self._log_hi
        np.power(10.0, y, out=y)
        y[idx == 0] = self.lo
        if self.size > 1:
            y[last] = self.hi
        return y

    def block(self, a: int, b: int, out: np.ndarray | None = None) -> np.ndarray:
        """Values ``a`` to ``b`` (exclusive), into ``out[:b - a]`` if given."""
        idx = np.arange(a, b, dtype=float)
        return self.values(idx, None if out is None else out[: b - a])

    def __getitem__(self, i):
        if isinstance(i, slice):
            a, b, st = i.indices(self.size)
            return self.block(a, b)[::st] if st != 1 else self.block(a, b)
        if np.ndim(i) == 0:
            j = int(i) + (self.size if int(i) < 0 else 0)
            if not 0 <= j < self.size:
                raise IndexError("grid index out of range")
            return self.values(np.array([j]))[0]
        return self.values(np.asarray(i))

    def __array__(self, dtype=None, copy=None):
        a = self.block(0, self.size)
        return a if dtype is None else a.astype(dtype)


def _prep(tokens_per_day, capacity_tokens_per_day, replica_usd_per_day, api_usd_per_mtok, fixed_usd_per_day=None):
    t = np.asarray(tokens_per_day, dtype=float).ravel()
    c = np.asarray(capacity_tokens_per_day, dtype=float).ravel()
    f = np.asarray(replica_usd_per_day, dtype=float).ravel()
    p = np.asarray(api_usd_per_mtok, dtype=float).ravel()
    if c.shape != f.shape:
        raise ValueError("capacity_tokens_per_day and replica_usd_per_day need one value per design")
    k = np.zeros(c.shape) if fixed_usd_per_day is None else np.broadcast_to(
        np.asarray(fixed_usd_per_day, dtype=float).ravel(), c.shape)
    return t, c, f, p, k


def iter_sweep(tokens_per_day, capacity_tokens_per_day, replica_usd_per_day, api_usd_per_mtok, *,
               days_per_month=_DAYS_PER_MONTH, chunk_size: int = DEFAULT_CHUNK, start: int = 0, stop: int | None = None,
               fixed_usd_per_day=None):
    """Yield the grid chunk by chunk: dicts of 1-D arrays over flat indices ``[lo, hi)``.

    Keys: ``lo``, ``hi`` (ints), ``group`` (``design x n_apis + api``), ``design``, ``api``,
    ``token_index``, ``tokens_per_day``, ``selfhost_usd_per_month``, ``api_usd_per_month``,
    ``saving_usd_per_month``, ``selfhost_cheaper``.

    >>> chunks = list(iter_sweep([1e6, 1e9], [5e8], [100.0], [0.5, 2.0], days_per_month=30, chunk_size=3))
    >>> [(c["lo"], c["hi"]) for c in chunks], chunks[1]["selfhost_cheaper"].tolist()
    ([(0, 3), (3, 4)], [True])
    """
    t, c, f, p, fx = _prep(tokens_per_day, capacity_tokens_per_day, replica_usd_per_day, api_usd_per_mtok,
                           fixed_usd_per_day)
    k, a = t.size, p.size
    n = c.size * a * k
    stop = n if stop is None else min(stop, n)
    chunk_size = max(1, int(chunk_size))
    dpm = float(days_per_month)
    for lo in range(start, stop, chunk_size):
        hi = min(lo + chunk_size, stop)
        idx = np.arange(lo, hi, dtype=np.int64)
        group, ti = np.divmod(idx, k)
        di, ai = np.divmod(group, a)
        tok = t[ti]
        sh = selfhost_usd_per_day(tok, c[di], f[di], 0.0, fx[di]) * dpm
        api = api_usd_per_day(tok, p[ai]) * dpm
        yield {"lo": lo, "hi": hi, "group": group, "design": di, "api": ai, "token_index": ti, "tokens_per_day": tok,
               "selfhost_usd_per_month": sh, "api_usd_per_month": api, "saving_usd_per_month": api - sh,
               "selfhost_cheaper": sh < api}


def sweep_summary(tokens_per_day, capacity_tokens_per_day, replica_usd_per_day, api_usd_per_mtok, *,
                  days_per_month=_DAYS_PER_MONTH, chunk_size: int = DEFAULT_CHUNK, progress=None,
                  on_chunk=None, fixed_usd_per_day=None) -> dict:
    """Break-even frontier of the whole grid, evaluated chunk by chunk (see the module docstring).

    ``tokens_per_day`` should be sorted ascending (the "first"/"last" volumes are by grid order).
    ``progress(done, total)`` is called after each chunk; ``on_chunk(chunk)`` receives each chunk
    (e.g. to write per-scenario rows). Returns a dict of arrays over (design, API) pairs, flat
    in ``design x n_apis + api`` order: ``design``, ``api``, ``breakeven_tokens_per_day``
    (analytic; ``inf`` = never), ``first_win_tokens_per_day`` (``inf`` = never on the grid),
    ``last_loss_tokens_per_day`` (``nan`` = never loses on the grid), ``win_share``,
    ``max_saving_usd_per_month``; plus ``scenarios`` (int). ``fixed_usd_per_day`` (one per design,
    default 0) is the staircase's fixed part (a team).

    >>> s = sweep_summary(log_grid(1e6, 1e10, 9), [2e8], [100.0], [2.0, 0.1], chunk_size=4)
    >>> s["breakeven_tokens_per_day"].tolist(), s["first_win_tokens_per_day"].tolist()
    ([50000000.0, inf], [100000000.0, inf])
    """
    if on_chunk is None:  # nobody needs the per-scenario rows: the summary straight from the volume axis
        grid = tokens_per_day if isinstance(tokens_per_day, LogGrid) else None
        t, c, f, p, fx = _prep(1.0 if grid is not None else tokens_per_day, capacity_tokens_per_day,
                               replica_usd_per_day, api_usd_per_mtok, fixed_usd_per_day)
        return _summary_by_volume_chunk(t if grid is None else grid, c, f, p, float(days_per_month), chunk_size, progress,
                                        fx)
    t, c, f, p, fx = _prep(tokens_per_day, capacity_tokens_per_day, replica_usd_per_day, api_usd_per_mtok,
                           fixed_usd_per_day)
    k, a, d = t.size, p.size, c.size
    g_n, n, wins, first, last_loss, best = _frontier_accumulators(k, a, d)
    done = 0
    for ch in iter_sweep(t, c, f, p, days_per_month=days_per_month, chunk_size=chunk_size, fixed_usd_per_day=fx):
        g = ch["group"]
        win = ch["selfhost_cheaper"]
        ti = ch["token_index"]
        starts = np.concatenate([[0], np.flatnonzero(g[1:] != g[:-1]) + 1])
        groups = g[starts]
        wins[groups] += np.add.reduceat(win.astype(np.int64), starts)
        first[groups] = np.minimum(first[groups], np.minimum.reduceat(np.where(win, ti, k), starts))
        last_loss[groups] = np.maximum(last_loss[groups], np.maximum.reduceat(np.where(win, -1, ti), starts))
        sav = np.where(np.isnan(ch["saving_usd_per_month"]), -np.inf, ch["saving_usd_per_month"])
        best[groups] = np.maximum(best[groups], np.maximum.reduceat(sav, starts))
        if on_chunk is not None:
            on_chunk(ch)
        done = ch["hi"]
        if progress is not None:
            progress(done, n)
    return _frontier(lambda i: t[i], k, a, n, f, c, p, wins, first, last_loss, best, fx)


def _summary_by_volume_chunk(t, c, f, p, dpm: float, chunk_size: int, progress, fx) -> dict:
    """:func:`sweep_summary` without per-scenario rows: a chunk is a range of volumes, shared by
    every (design, API) pair; within it each design's staircase is computed once and each API's line
    once per design, into buffers allocated once (no index arrays, gathers or new chunk arrays, so
    memory does not grow with the grid). Same formulas and operation order as :func:`iter_sweep`,
    so the same floats; the per-pair reductions (counts, first/last index, maximum) are exact."""
    k, a, d = t.size, p.size, c.size
    g_n, n, wins, first, last_loss, best = _frontier_accumulators(k, a, d)
    m = max(1, min(int(chunk_size), 1 << 16, k))  # volumes per step (buffers stay in cache)
    tdiv, sh, api, win = np.empty(m), np.empty(m), np.empty(m), np.empty(m, dtype=bool)
    pos = np.empty(m, dtype=bool)
    grid = t if isinstance(t, LogGrid) else None
    tbuf = np.empty(m) if grid is not None else None
    any_nonpositive = bool(k) and grid is None and not (t.min() > 0)  # nan tokens also take the general path
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for lo in range(0, k, m):
            hi = min(lo + m, k)
            ln = hi - lo
            tok = grid.block(lo, hi, out=tbuf) if grid is not None else t[lo:hi]
            td, s_, ap, w = tdiv[:ln], sh[:ln], api[:ln], win[:ln]
            np.divide(tok, 1e6, out=td)  # api_usd_per_day: t / 1e6 * p
            for di in range(d):
                ci, fi = c[di], f[di]
                # selfhost_usd_per_day(t, c, f) * dpm = replicas_needed(t, c) * f * dpm
                if ci > 0:
                    np.divide(tok, ci, out=s_)
                    np.ceil(s_, out=s_)
                else:
                    s_.fill(np.inf)
                if any_nonpositive:
                    s_[~(tok > 0)] = 0.0  # where(t <= 0, 0, ...); nan tokens: ceil(nan) stays nan
                    s_[np.isnan(tok)] = np.nan if ci > 0 else np.inf
                if fx[di]:  # the fixed part, where any replica runs: (ceil(t / c) x f + K)
                    np.greater(s_, 0.0, out=pos[:ln])
                    np.multiply(s_, fi, out=s_)
                    np.add(s_, fx[di], out=s_, where=pos[:ln])
                else:
                    np.multiply(s_, fi, out=s_)
                np.multiply(s_, dpm, out=s_)
                for ai in range(a):
                    g = di * a + ai
                    np.multiply(td, p[ai], out=ap)
                    np.multiply(ap, dpm, out=ap)
                    np.less(s_, ap, out=w)
                    cnt = int(np.count_nonzero(w))
                    wins[g] += cnt
                    if cnt and first[g] == k:
                        first[g] = lo + int(np.argmax(w))
                    if cnt < ln:
                        last_loss[g] = lo + ln - 1 - int(np.argmin(w[::-1]))
                    np.subtract(ap, s_, out=ap)  # the saving
                    top = np.fmax.reduce(ap)  # nan only if every saving is nan: then -inf
                    if top > best[g]:
                        best[g] = top
            if progress is not None:
                progress(g_n * hi, n)
    return _frontier((lambda i: grid.values(i)) if grid is not None else (lambda i: t[i]), k, a, n, f, c, p, wins,
                     first, last_loss, best, fx)


def _frontier_accumulators(k: int, a: int, d: int):
    """Per (design, API) pair: scenario count, wins, first win index (k = none), last loss index
    (-1 = none), best saving (-inf); shared by both summary paths."""
    g_n = d * a
    return (g_n, g_n * k, np.zeros(g_n, dtype=np.int64), np.full(g_n, k, dtype=np.int64),
            np.full(g_n, -1, dtype=np.int64), np.full(g_n, -np.inf))


def _frontier(at, k, a, n, f, c, p, wins, first, last_loss, best, fx) -> dict:
    """The summary dict from the accumulators; ``at(i)`` gives the volumes at grid indices ``i``."""
    g_n = wins.size
    di, ai = np.divmod(np.arange(g_n), a)
    first_t = np.where(first < k, at(np.minimum(first, k - 1)), np.inf) if k else np.full(g_n, np.inf)
    return {"design": di, "api": ai, "scenarios": n,
            "breakeven_tokens_per_day": breakeven_tokens_per_day(f[di], c[di], p[ai], 0.0, fx[di]),
            "first_win_tokens_per_day": first_t,
            "last_loss_tokens_per_day": np.where(last_loss >= 0, at(np.maximum(last_loss, 0)) if k else np.nan, np.nan),
            "win_share": wins / k if k else np.zeros(g_n), "max_saving_usd_per_month": best}
