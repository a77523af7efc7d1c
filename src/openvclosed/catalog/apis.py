"""API offer entries: prices per 1M tokens, long-context tiers, cache prices, price history."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from openvclosed.catalog.base import _Entry, _Strict

from openvclosed.catalog.base import Tier

__all__ = ["LongContextPrice", "ApiPriceRecord", "ApiEntry"]


class LongContextPrice(_Strict):
    above_tokens: int = Field(gt=0)
    input_usd_per_mtok: float = Field(ge=0)
    output_usd_per_mtok: float = Field(ge=0)


class ApiPriceRecord(_Strict):
    """An earlier price of an API (superseded prices stay, for ``--as-of`` and ``ovc catalog history``)."""

    valid_from: dt.date
    input_usd_per_mtok: float = Field(ge=0)
    output_usd_per_mtok: float = Field(ge=0)
    cached_input_usd_per_mtok: float | None = Field(None, ge=0)
    cache_write_usd_per_mtok: float | None = Field(None, ge=0)
    source: str = ""


class ApiEntry(_Entry):
    """One API offer. Prices in USD per 1M tokens; ``history`` holds earlier prices."""

    provider: str
    model: str
    kind: Literal["closed", "hosted-open"]
    role: Literal["flagship", "mid", "small"] | None = None
    tier: Tier | None = Field(None, description="Capability tier served well; hosted-open offers inherit it from the model.")
    serves_model: str | None = Field(None, description="hosted-open: id of the open model served.")
    input_usd_per_mtok: float = Field(ge=0)
    output_usd_per_mtok: float = Field(ge=0)
    cached_input_usd_per_mtok: float | None = Field(None, ge=0)
    cache_write_usd_per_mtok: float | None = Field(None, ge=0)
    batch_discount: float = Field(0.0, ge=0, le=1)
    context_tokens: int | None = Field(None, gt=0)
    long_context: LongContextPrice | None = None
    valid_from: dt.date | None = Field(None, description="Date from which these prices apply (price history).")
    history: list[ApiPriceRecord] = Field(default_factory=list)

    @property
    def price_as_of(self) -> dt.date:
        return self.valid_from or self.as_of

    def at(self, when: dt.date) -> "ApiEntry | None":
        """This offer with the prices valid at ``when``; None when no recorded price was valid then."""
        if self.price_as_of <= when:
            return self
        older = [h for h in self.history if h.valid_from <= when]
        if not older:
            return None
        h = max(older, key=lambda r: r.valid_from)
        return self.model_copy(update={"input_usd_per_mtok": h.input_usd_per_mtok,
                                       "output_usd_per_mtok": h.output_usd_per_mtok,
                                       "cached_input_usd_per_mtok": h.cached_input_usd_per_mtok,
                                       "cache_write_usd_per_mtok": h.cache_write_usd_per_mtok,
                                       "valid_from": h.valid_from, "source": h.source or self.source})

    def timeline(self) -> list[tuple[dt.date, float, float, str]]:
        """Every recorded price, oldest first: (valid_from, input, output, source)."""
        rows = [(h.valid_from, h.input_usd_per_mtok, h.output_usd_per_mtok, h.source) for h in self.history]
        rows.append((self.price_as_of, self.input_usd_per_mtok, self.output_usd_per_mtok, self.source))
        return sorted(rows, key=lambda r: r[0])


