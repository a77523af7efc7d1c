"""What an API charges per 1M tokens of a workload's traffic: the one place catalog prices meet assumptions.

Long-context tiers apply when the traffic's context (tokens per sequence: the workload's
``context_tokens``, or the ``context_tokens`` given for a slice of logged traffic) exceeds the
tier's threshold; prompt-cache reads and writes are billed at their own prices; batch traffic gets
the batch discount. With ``at=DATE`` the API is priced at the price in force on that date (the
catalog's price history, :meth:`ApiEntry.at`).
"""

from __future__ import annotations

import datetime as dt

from openvclosed.catalog import ApiEntry
from openvclosed.decision.assumptions import Assumptions
from openvclosed.engine import api_usd_per_mtok

__all__ = ["api_price", "long_context_applies", "price_entry_at", "price_periods"]


def long_context_applies(api: ApiEntry, context_tokens: float) -> bool:
    return api.long_context is not None and context_tokens > api.long_context.above_tokens


def price_entry_at(api: ApiEntry, when: dt.date) -> tuple[ApiEntry, bool]:
    """``api`` with the prices in force on ``when``, and whether a recorded price was in force then.

    Before the first recorded price the earliest recorded price is used (``False``: the caller
    says so in a finding)."""
    hit = api.at(when)
    if hit is not None:
        return hit, True
    first = min([h.valid_from for h in api.history] + [api.price_as_of])
    return api.at(first) or api, False


def price_periods(api: ApiEntry) -> list[dt.date]:
    """The dates from which each recorded price of ``api`` applies, oldest first (one per price)."""
    return sorted({h.valid_from for h in api.history} | {api.price_as_of})


def api_price(api: ApiEntry, a: Assumptions, *, input_share: float | None = None,
              cached_share: float | None = None, context_tokens: float | None = None,
              at: dt.date | None = None) -> float:
    """Blended USD per 1M tokens of ``api`` for the traffic ``a`` describes.

    ``input_share``, ``cached_share`` and ``context_tokens`` override the assumptions' values (logged
    traffic brings its own); ``at`` prices at the price in force on that date (the earliest recorded
    price before the first one).
    """
    if at is not None:
        api = price_entry_at(api, at)[0]
    p_in, p_out = api.input_usd_per_mtok, api.output_usd_per_mtok
    if long_context_applies(api, a.context_tokens if context_tokens is None else context_tokens):
        p_in, p_out = api.long_context.input_usd_per_mtok, api.long_context.output_usd_per_mtok
    return float(api_usd_per_mtok(p_in, p_out, a.input_share if input_share is None else input_share,
                                  api.cached_input_usd_per_mtok, a.cached_share if cached_share is None else cached_share,
                                  a.batch_share, api.batch_discount, api.cache_write_usd_per_mtok,
                                  a.cache_write_share))
