"""Logged traffic priced at its date: each UTC day's tokens at the API prices in force that day.

Prices change on dates (``ApiEntry.history``, ``valid_from``), so a day is the finest slice that
can change the price of an hour's traffic. For each recorded price of an API the days it was in
force are summed (input, output, cached input) and priced once with
:func:`openvclosed.decision.apiprice.api_price` (the one pricing function: blended input/output,
cache reads, long-context tier at the traffic's context, ``at=`` the price's date). Days before
the first recorded price are priced at that first price (and said so). The same traffic at
today's prices is the what-if ``--at-current-prices`` prints.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from openvclosed.catalog import ApiEntry
from openvclosed.decision.assumptions import Assumptions

__all__ = ["DaySums", "day_sums", "mean_context", "DatedCost", "dated_cost"]

EPOCH = dt.date(1970, 1, 1)


@dataclass
class DaySums:
    """Tokens per UTC day (days since 1970-01-01) of one group or of all traffic."""

    day: np.ndarray
    input: np.ndarray
    output: np.ndarray
    cached: np.ndarray


def day_sums(bins) -> tuple[dict[str, DaySums], DaySums]:
    """Per-group and total :class:`DaySums` of a :class:`~openvclosed.usage.aggregate.UsageBins`."""
    g, hour, vals = bins.bins()
    day = hour // 24
    names = {code: name for name, code in bins.groups.items()}

    def sums(sel) -> DaySums:
        u, inv = np.unique(day[sel], return_inverse=True)
        return DaySums(u, *(np.bincount(inv, weights=vals[m][sel], minlength=len(u)) for m in ("input", "output", "cached")))

    per = {names[c]: sums(g == c) for c in range(len(names))}
    return per, sums(slice(None))


def mean_context(input_tokens: float, output_tokens: float, requests: float) -> int | None:
    """Tokens in context per sequence of logged traffic: mean input + half the mean output per request
    (the context at the middle of the answer); None without requests or tokens.

    >>> mean_context(4000, 1000, 10)
    450
    """
    if requests <= 0 or input_tokens + output_tokens <= 0:
        return None
    return max(1, int(input_tokens / requests + output_tokens / requests / 2))


@dataclass
class DatedCost:
    """USD of some traffic on one API: at the prices in force on each day, and at today's prices."""

    usd: float
    usd_current: float
    before_first_price: bool  # some days precede the API's first recorded price (priced at it)
    prices_used: int  # distinct recorded prices the traffic met


def _price(api: ApiEntry, a: Assumptions, tin: float, tout: float, tc: float, context: float | None,
           at: dt.date | None) -> float:
    from openvclosed.decision.apiprice import api_price

    tok = tin + tout
    if tok <= 0:
        return 0.0
    return tok / 1e6 * api_price(api, a, input_share=tin / tok, cached_share=tc / tin if tin > 0 else 0.0,
                                 context_tokens=context, at=at)


def dated_cost(api: ApiEntry, a: Assumptions, d: DaySums, context: float | None = None) -> DatedCost:
    """What the traffic ``d`` cost on ``api``, each day at the price in force then.

    >>> from openvclosed.catalog import ApiEntry
    >>> api = ApiEntry(id="x/m", provider="x", model="m", kind="closed", tier="standard", input_usd_per_mtok=1,
    ...                output_usd_per_mtok=1, source="s", as_of="2026-06-01", valid_from="2026-06-01",
    ...                history=[{"valid_from": "2026-01-01", "input_usd_per_mtok": 2, "output_usd_per_mtok": 2}])
    >>> days = np.array([(dt.date(2026, 5, 31) - EPOCH).days, (dt.date(2026, 6, 1) - EPOCH).days])
    >>> c = dated_cost(api, Assumptions(), DaySums(days, np.array([1e6, 1e6]), np.zeros(2), np.zeros(2)))
    >>> c.usd, c.usd_current, c.prices_used
    (3.0, 2.0, 2)
    """
    from openvclosed.decision.apiprice import price_periods

    dates = price_periods(api)
    bounds = np.array([(x - EPOCH).days for x in dates], dtype=np.int64)
    seg = np.searchsorted(bounds, d.day, side="right") - 1
    before = bool((seg < 0).any())
    seg = np.maximum(seg, 0)
    usd = 0.0
    used = 0
    for k in np.unique(seg).tolist():
        m = seg == k
        part = _price(api, a, float(d.input[m].sum()), float(d.output[m].sum()), float(d.cached[m].sum()), context,
                      dates[k])
        usd += part
        used += 1
    current = _price(api, a, float(d.input.sum()), float(d.output.sum()), float(d.cached.sum()), context, None)
    return DatedCost(usd if used else 0.0, current, before, used)


def differs(a: float | None, b: float | None) -> bool:
    """Whether two costs differ by more than rounding (a cent, or 1e-6 relative)."""
    if a is None or b is None or not (math.isfinite(a) and math.isfinite(b)):
        return False
    return abs(a - b) > max(0.005, 1e-6 * max(abs(a), abs(b)))
