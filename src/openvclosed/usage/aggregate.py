"""Usage records -> sums per (group, UTC hour) -> traffic statistics. Pure numpy, no I/O.

Definitions (also in ``docs/usage-logs.md``):

- the *window* is shared by every group: from the first to the last record's UTC hour,
  inclusive (``days = hours / 24``); for day-bucketed logs (every record at the same time of
  day) from the first to the last UTC day, inclusive. Hours and days without records count
  as zero traffic, so per-group figures add up to the total.
- ``tokens_per_day`` = tokens / days; ``peak_day_tokens`` = the largest UTC calendar day.
- ``peak_to_mean`` = busiest hour's tokens / mean tokens per hour of the window (hourly logs);
  for day-bucketed logs the busiest day / mean day (a lower bound of the hourly ratio).
- ``input_share`` = input / (input + output); ``cached_share`` = cached input / input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from openvclosed.usage.reader import Batch

__all__ = ["UsageBins", "Window", "TrafficStats", "traffic_window", "group_stats", "growth_per_month", "fit_growth", "day_fractions"]

_METRICS = ("input", "output", "cached", "requests", "cost", "cost_rows")


MAX_USAGE_SPAN_DAYS = 3660
"""Longest window of usage logs (about ten years): the statistics keep one bin per hour, so a
stray row dated 0001-01-01 must stop here instead of allocating gigabytes."""


class _Codes(dict):
    """Group name -> dense integer code, assigned on first sight."""

    def __missing__(self, key):
        v = self[key] = len(self)
        return v


class UsageBins:
    """Running sums per (group, UTC hour since the epoch); memory grows with bins, not rows.

    >>> import numpy as np
    >>> from openvclosed.usage.reader import Batch
    >>> b = UsageBins()
    >>> b.add(Batch(ts=np.array([0.0, 1800.0, 3600.0]) + 1.7e9, group=["a", "a", "b"],
    ...             input_tokens=np.array([10., 20., 5.]), output_tokens=np.array([1., 2., 3.]),
    ...             cached_input_tokens=np.zeros(3), requests=np.ones(3), cost_usd=np.full(3, np.nan)))
    >>> b.rows, sorted(b.groups), b.totals()["input"].tolist()
    (3, ['a', 'b'], [30.0, 5.0])
    """

    def __init__(self) -> None:
        self.groups: dict[str, int] = _Codes()
        self._index: dict[int, int] = {}
        self._keys = np.zeros(0, dtype=np.int64)
        self._vals = np.zeros((0, len(_METRICS)))
        self.rows = 0
        self.ts_min = math.inf
        self.ts_max = -math.inf
        self.tod_min = math.inf  # seconds of the UTC day: equal min and max = day buckets
        self.tod_max = -math.inf

    def add(self, batch: Batch) -> None:
        n = len(batch)
        if n == 0:
            return
        self.rows += n
        ts = batch.ts
        self.ts_min = min(self.ts_min, float(ts.min()))
        self.ts_max = max(self.ts_max, float(ts.max()))
        tod = np.mod(ts, 86400.0)
        self.tod_min = min(self.tod_min, float(tod.min()))
        self.tod_max = max(self.tod_max, float(tod.max()))
        if batch.group_codes is not None:  # columnar reader: a code per record into a few names
            lut = np.fromiter(map(self.groups.__getitem__, batch.group_names), dtype=np.int64,
                              count=len(batch.group_names))
            codes = lut[batch.group_codes]
        else:
            codes = np.fromiter(map(self.groups.__getitem__, batch.group), dtype=np.int64, count=n)
        keys = (codes << 32) | np.floor(ts / 3600.0).astype(np.int64)
        uk, inv = np.unique(keys, return_inverse=True)
        cost = batch.cost_usd
        has_cost = ~np.isnan(cost)
        sums = np.column_stack([
            np.bincount(inv, weights=w, minlength=len(uk))
            for w in (batch.input_tokens, batch.output_tokens, batch.cached_input_tokens, batch.requests,
                      np.where(has_cost, cost, 0.0), has_cost.astype(float))])
        idx_map = self._index
        start = len(idx_map)
        idx = np.fromiter((idx_map.setdefault(k, len(idx_map)) for k in uk.tolist()), dtype=np.int64,
                          count=len(uk))
        grown = len(idx_map)
        self._grow(grown)
        if grown > start:
            new = idx >= start
            self._keys[idx[new]] = uk[new]
        self._vals[idx] += sums

    def add_bins(self, groups: list[str], hours: np.ndarray, sums: dict[str, np.ndarray], *, rows: int,
                 ts_min: float, ts_max: float, tod_min: float, tod_max: float) -> None:
        """Add sums already aggregated per (group, UTC hour) where the data is (a database, DuckDB).

        ``groups[i]``, ``hours[i]`` (hours since the epoch) and ``sums[metric][i]`` describe bin i
        (metrics as in :meth:`bins`; ``cost_rows`` = records with a cost); ``rows`` records in all;
        ``ts_*`` / ``tod_*`` the first and last timestamp and seconds of the UTC day of those records.
        The result is the same as adding the records one by one.
        """
        if rows <= 0 or len(hours) == 0:
            return
        self.rows += rows
        self.ts_min, self.ts_max = min(self.ts_min, ts_min), max(self.ts_max, ts_max)
        self.tod_min, self.tod_max = min(self.tod_min, tod_min), max(self.tod_max, tod_max)
        codes = np.fromiter(map(self.groups.__getitem__, groups), dtype=np.int64, count=len(groups))
        keys = (codes << 32) | np.asarray(hours, dtype=np.int64)
        uk, inv = np.unique(keys, return_inverse=True)
        summed = np.column_stack([np.bincount(inv, weights=np.asarray(sums[m], dtype=float), minlength=len(uk))
                                  for m in _METRICS])
        idx_map = self._index
        idx = np.fromiter((idx_map.setdefault(k, len(idx_map)) for k in uk.tolist()), dtype=np.int64, count=len(uk))
        self._grow(len(idx_map))
        self._keys[idx] = uk
        self._vals[idx] += summed

    def _grow(self, n: int) -> None:
        if n > len(self._keys):
            cap = max(n, 2 * len(self._keys), 1024)
            keys_new = np.zeros(cap, dtype=np.int64)
            keys_new[:len(self._keys)] = self._keys
            vals_new = np.zeros((cap, len(_METRICS)))
            vals_new[:len(self._vals)] = self._vals
            self._keys, self._vals = keys_new, vals_new

    def bins(self) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """(group code, hour since epoch, {metric: sums}) per non-empty bin."""
        n = len(self._index)
        keys = self._keys[:n]
        vals = self._vals[:n]
        return keys >> 32, keys & 0xFFFFFFFF, {m: vals[:, i] for i, m in enumerate(_METRICS)}

    def totals(self) -> dict[str, np.ndarray]:
        """{metric: sum per group code}."""
        g, _, vals = self.bins()
        return {m: np.bincount(g, weights=v, minlength=len(self.groups)) for m, v in vals.items()}


@dataclass(frozen=True)
class Window:
    """The observation window shared by every group."""

    start_ts: float
    end_ts: float
    resolution: str  # "hour" | "day"
    first_hour: int
    hours: int  # hours in the window (days x 24 for day buckets)
    first_day: int
    n_days: int  # UTC calendar days touched

    @property
    def days(self) -> float:
        return self.hours / 24.0


def traffic_window(bins: UsageBins) -> Window:
    """The window of ``bins`` (see the module docstring for the definition)."""
    if bins.rows == 0:
        raise ValueError("no records")
    span_days = (bins.ts_max - bins.ts_min) / 86400.0
    if not span_days <= MAX_USAGE_SPAN_DAYS:
        import datetime as dt

        from openvclosed.errors import InputError

        def when(ts: float) -> str:
            try:
                return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
            except (OverflowError, OSError, ValueError):
                return f"epoch {ts:.0f}"

        raise InputError(f"usage logs span {span_days:,.0f} days ({when(bins.ts_min)} to {when(bins.ts_max)}), "
                         f"more than {MAX_USAGE_SPAN_DAYS:,} (MAX_USAGE_SPAN_DAYS, no flag raises it): a stray "
                         "timestamp? fix or remove that row, or split the logs")
    first_hour = int(math.floor(bins.ts_min / 3600.0))
    last_hour = int(math.floor(bins.ts_max / 3600.0))
    first_day, last_day = first_hour // 24, last_hour // 24
    day_buckets = bins.tod_min == bins.tod_max and last_day > first_day
    if day_buckets:
        return Window(bins.ts_min, bins.ts_max, "day", first_day * 24, (last_day - first_day + 1) * 24,
                      first_day, last_day - first_day + 1)
    return Window(bins.ts_min, bins.ts_max, "hour", first_hour, last_hour - first_hour + 1, first_day,
                  last_day - first_day + 1)


@dataclass
class TrafficStats:
    """Traffic of one group (or of everything) over the window. Tokens = input + output."""

    name: str
    input_tokens: float
    output_tokens: float
    cached_input_tokens: float
    requests: float
    logged_usd: float | None  # sum of the log's own cost column; None when it has none
    logged_cost_rows: int
    days: float
    tokens_per_day: float
    peak_day_tokens: float
    requests_per_day: float
    peak_day_requests: float
    input_share: float  # nan when there are no tokens
    cached_share: float  # nan when there is no input
    peak_to_mean: float
    peak_hour_tokens: float
    daily_tokens: np.ndarray = field(repr=False)  # per UTC day of the window

    @property
    def tokens(self) -> float:
        return self.input_tokens + self.output_tokens


def _stats(name: str, hour_idx: np.ndarray, vals: dict[str, np.ndarray], w: Window) -> TrafficStats:
    tok = vals["input"] + vals["output"]
    hourly = np.bincount(hour_idx, weights=tok, minlength=w.hours)
    day_idx = (hour_idx + (w.first_hour - w.first_day * 24)) // 24
    daily = np.bincount(day_idx, weights=tok, minlength=w.n_days)
    daily_req = np.bincount(day_idx, weights=vals["requests"], minlength=w.n_days)
    t_in, t_out, t_c = float(vals["input"].sum()), float(vals["output"].sum()), float(vals["cached"].sum())
    total = t_in + t_out
    req = float(vals["requests"].sum())
    cost_rows = int(round(float(vals["cost_rows"].sum())))
    if w.resolution == "hour":
        mean_hour = total / w.hours
        ptm = float(hourly.max()) / mean_hour if mean_hour > 0 else math.nan
    else:
        mean_day = total / w.n_days
        ptm = float(daily.max()) / mean_day if mean_day > 0 else math.nan
    return TrafficStats(
        name=name, input_tokens=t_in, output_tokens=t_out, cached_input_tokens=t_c, requests=req,
        logged_usd=float(vals["cost"].sum()) if cost_rows else None, logged_cost_rows=cost_rows,
        days=w.days, tokens_per_day=total / w.days, peak_day_tokens=float(daily.max()),
        requests_per_day=req / w.days, peak_day_requests=float(daily_req.max()),
        input_share=t_in / total if total > 0 else math.nan, cached_share=t_c / t_in if t_in > 0 else math.nan,
        peak_to_mean=max(ptm, 1.0) if ptm == ptm else ptm, peak_hour_tokens=float(hourly.max()), daily_tokens=daily)


def group_stats(bins: UsageBins, w: Window | None = None) -> tuple[list[TrafficStats], TrafficStats]:
    """Per-group statistics (most tokens first) and the statistics of all traffic together."""
    w = w or traffic_window(bins)
    g, hour, vals = bins.bins()
    hour_idx = (hour - w.first_hour).astype(np.int64)
    names = {code: name for name, code in bins.groups.items()}
    out = []
    order = np.argsort(g, kind="stable")
    g_sorted = g[order]
    bounds = np.searchsorted(g_sorted, np.arange(len(names) + 1))
    for code in range(len(names)):
        sel = order[bounds[code]:bounds[code + 1]]
        out.append(_stats(names[code], hour_idx[sel], {m: v[sel] for m, v in vals.items()}, w))
    out.sort(key=lambda s: (-s.tokens, s.name))
    total = _stats("total", hour_idx, vals, w)
    return out, total


def growth_per_month(daily_tokens: np.ndarray, resolution: str, days_per_month: float = 365.25 / 12,
                     min_days: int = 28, *, first_fraction: float = 1.0, last_fraction: float = 1.0,
                     first_weekday: int | None = None) -> float | None:
    """Monthly growth fitted to daily tokens; None when fewer than ``min_days`` usable days.
    See :func:`fit_growth` (this is its growth alone)."""
    return fit_growth(daily_tokens, resolution, days_per_month, min_days, first_fraction=first_fraction,
                      last_fraction=last_fraction, first_weekday=first_weekday)[0]


MIN_DAY_FRACTION = 0.25
"""A partial first or last day covering less than this share of the day is left out of the growth fit."""


def day_fractions(window: "Window") -> tuple[float, float]:
    """Shares of the first and last UTC day the window covers (1.0 for day buckets)."""
    if window.resolution != "hour":
        return 1.0, 1.0
    first = 1.0 - (window.start_ts % 86400.0) / 86400.0
    last = min(1.0, (window.end_ts % 86400.0 + 1.0) / 86400.0)
    return first, last


def fit_growth(daily_tokens: np.ndarray, resolution: str, days_per_month: float = 365.25 / 12,
               min_days: int = 28, *, first_fraction: float = 1.0, last_fraction: float = 1.0,
               first_weekday: int | None = None) -> tuple[float | None, str]:
    """Monthly growth from a log-linear fit over all days with a day-of-week effect, and a note
    saying what was fitted.

    ``log(tokens on day t) = a + b t + c[weekday(t)]`` by least squares over every day with
    traffic (``first_weekday`` = weekday of day 0, Monday = 0; without it no weekday effect).
    Partial first and last days (hourly logs: ``first_fraction``/``last_fraction`` of the day
    covered) are scaled up to a full day, or left out below MIN_DAY_FRACTION. Growth =
    ``exp(b x days_per_month) - 1``, clipped to the workload schema's range [-0.5, 2].

    >>> d = 1000 * 1.01 ** np.arange(40)
    >>> round(fit_growth(d, "day", 30)[0], 4) == round(1.01 ** 30 - 1, 4)
    True
    >>> fit_growth(np.ones(10), "day")[0] is None
    True
    """
    d = np.asarray(daily_tokens, dtype=float).copy()
    n = len(d)
    keep = d > 0
    notes = []
    if resolution == "hour" and n >= 2:
        for i, frac in ((0, first_fraction), (n - 1, last_fraction)):
            which = "first" if i == 0 else "last"
            if frac >= 0.999:
                continue
            if frac < MIN_DAY_FRACTION:
                keep[i] = False
                notes.append(f"{which} day left out ({frac:.0%} covered)")
            else:
                d[i] /= frac
                notes.append(f"{which} day scaled up from {frac:.0%} covered")
    x = np.flatnonzero(keep)
    if len(x) < min_days:
        return None, f"too few days with traffic to fit a trend ({len(x)}; needs {min_days})"
    cols = [np.ones(len(x)), x.astype(float)]
    weekly = first_weekday is not None and len(x) >= 14
    if weekly:
        wd = (x + first_weekday) % 7
        cols += [(wd == k).astype(float) for k in range(1, 7) if np.any(wd == k)]
    coef = np.linalg.lstsq(np.column_stack(cols), np.log(d[x]), rcond=None)[0]
    g = float(min(2.0, max(-0.5, math.expm1(coef[1] * days_per_month))))
    note = (f"log-linear fit over {len(x)} days" + (" with a day-of-week effect" if weekly else "")
            + ("; " + "; ".join(notes) if notes else ""))
    return g, note
