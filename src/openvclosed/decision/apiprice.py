"""What an API charges per 1M tokens of a workload's traffic: the one place catalog prices meet assumptions.

Long-context tiers apply when the workload's mean context exceeds the tier's threshold; prompt-cache
reads and writes are billed at their own prices; batch traffic gets the batch discount.
"""

from __future__ import annotations

from openvclosed.catalog import ApiEntry
from openvclosed.decision.assumptions import Assumptions
from openvclosed.engine import api_usd_per_mtok

__all__ = ["api_price", "long_context_applies"]


def long_context_applies(api: ApiEntry, context_tokens: float) -> bool:
    return api.long_context is not None and context_tokens > api.long_context.above_tokens


def api_price(api: ApiEntry, a: Assumptions, *, input_share: float | None = None,
              cached_share: float | None = None) -> float:
    """Blended USD per 1M tokens of ``api`` for the traffic ``a`` describes (shares overridable)."""
    p_in, p_out = api.input_usd_per_mtok, api.output_usd_per_mtok
    if long_context_applies(api, a.context_tokens):
        p_in, p_out = api.long_context.input_usd_per_mtok, api.long_context.output_usd_per_mtok
    return float(api_usd_per_mtok(p_in, p_out, a.input_share if input_share is None else input_share,
                                  api.cached_input_usd_per_mtok, a.cached_share if cached_share is None else cached_share,
                                  a.batch_share, api.batch_discount, api.cache_write_usd_per_mtok,
                                  a.cache_write_share))
