"""API offer entries: prices per 1M tokens with validity windows, availability, capability, tokenizer.

A price is a record valid from ``valid_from`` to ``valid_to`` (inclusive; open-ended when None). The
entry's own fields are the price in force when the catalog was read; ``history`` holds earlier
prices and ``scheduled`` announced later ones (e.g. an introductory price that ends on a date), so
:meth:`ApiEntry.at` picks the price in force on any day. ``alt_prices`` keeps another machine-readable
source's figure where it disagrees with the bundled one (``ovc catalog diff --sources``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, computed_field

from openvclosed.catalog.base import Tier, _Entry, _Strict
from openvclosed.catalog.models import Capability

__all__ = ["LongContextPrice", "ApiPriceRecord", "AltPrice", "Tokenizer", "ApiEntry", "Availability",
           "REFERENCE_TOKENIZER", "usd_per_mtok_reference"]

Availability = Literal["ga", "preview", "restricted"]

REFERENCE_TOKENIZER = "o200k_base"
"""The tokenizer every ``tokens_per_reference_token`` ratio is relative to: OpenAI's o200k_base
(GPT-4o and later), public in tiktoken, so anyone can count a text with it."""

_DAY = dt.timedelta(days=1)
_PRICE = ("input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok", "cache_write_usd_per_mtok")


def usd_per_mtok_reference(usd_per_mtok, tokens_per_reference_token):
    """Price per 1M *reference* tokens: what the text that o200k_base counts as 1M tokens costs.

    Formula: ``usd_per_mtok_ref = usd_per_mtok * tokens_per_reference_token``; a tokenizer that
    needs 1.3 tokens where o200k_base needs one makes the same text 1.3x as dear. Units: USD per 1M
    tokens in, USD per 1M reference tokens out; works element-wise on numpy arrays. Source of the
    ratios: each API's ``tokenizer`` record (docs/catalog.md, tokenizers).

    >>> usd_per_mtok_reference(10.0, 1.35)
    13.5
    >>> usd_per_mtok_reference(2.0, None)  # no cited ratio: the price as listed
    2.0
    """
    if tokens_per_reference_token is None:
        return usd_per_mtok
    return usd_per_mtok * tokens_per_reference_token


class LongContextPrice(_Strict):
    above_tokens: int = Field(gt=0)
    input_usd_per_mtok: float = Field(ge=0)
    output_usd_per_mtok: float = Field(ge=0)


class ApiPriceRecord(_Strict):
    """A price of an API valid from ``valid_from`` (earlier prices in ``history``, announced ones in
    ``scheduled``; ``ovc catalog history`` lists them all)."""

    valid_from: dt.date
    valid_to: dt.date | None = Field(None, description="Last day the price applies (inclusive); None: until the next record.")
    input_usd_per_mtok: float = Field(ge=0)
    output_usd_per_mtok: float = Field(ge=0)
    cached_input_usd_per_mtok: float | None = Field(None, ge=0)
    cache_write_usd_per_mtok: float | None = Field(None, ge=0)
    source: str = ""


class AltPrice(_Strict):
    """Another machine-readable source's price for the same offer (kept where it disagrees)."""

    source_name: str = Field(min_length=1, description="e.g. 'genai-prices 0.2.3' or 'LiteLLM 1.110.2'.")
    valid_from: dt.date | None = None
    input_usd_per_mtok: float = Field(ge=0)
    output_usd_per_mtok: float = Field(ge=0)
    cached_input_usd_per_mtok: float | None = Field(None, ge=0)
    source: str = Field(min_length=1)
    as_of: dt.date


class Tokenizer(_Strict):
    """How many tokens the API's tokenizer counts for text that the reference tokenizer counts as one."""

    name: str = Field(min_length=1, description="The tokenizer (or the model it was measured on).")
    reference: str = REFERENCE_TOKENIZER
    tokens_per_reference_token: float | None = Field(None, gt=0.2, lt=5, description="None: no cited figure (priced as listed).")
    text: str | None = Field(None, description="What was counted (language, kind, size).")
    source: str = Field(min_length=1)
    as_of: dt.date
    note: str | None = None


class ApiEntry(_Entry):
    """One API offer. Prices in USD per 1M tokens; ``history``/``scheduled`` hold other prices by date."""

    provider: str
    model: str
    kind: Literal["closed", "hosted-open"]
    role: Literal["flagship", "mid", "small"] | None = None
    tier: Tier | None = Field(None, description="Capability tier served well; hosted-open offers inherit it from the model.")
    serves_model: str | None = Field(None, description="hosted-open: id of the open model served.")
    availability: Availability = Field("ga", description="ga: generally available; preview; restricted: access by application/verification.")
    availability_source: str | None = None
    input_usd_per_mtok: float = Field(ge=0)
    output_usd_per_mtok: float = Field(ge=0)
    cached_input_usd_per_mtok: float | None = Field(None, ge=0)
    cache_write_usd_per_mtok: float | None = Field(None, ge=0)
    batch_discount: float = Field(0.0, ge=0, le=1)
    context_tokens: int | None = Field(None, gt=0)
    long_context: LongContextPrice | None = None
    valid_from: dt.date | None = Field(None, description="Date from which these prices apply (price history).")
    valid_to: dt.date | None = Field(None, description="Last day these prices apply (inclusive); None: open-ended.")
    price_source: str | None = Field(None, description="Which machine-readable source the bundled price is from.")
    history: list[ApiPriceRecord] = Field(default_factory=list)
    scheduled: list[ApiPriceRecord] = Field(default_factory=list)
    alt_prices: list[AltPrice] = Field(default_factory=list)
    capability: Capability | None = None
    tokenizer: Tokenizer | None = None

    @property
    def price_as_of(self) -> dt.date:
        return self.valid_from or self.as_of

    @property
    def tokens_per_reference_token(self) -> float | None:
        return self.tokenizer.tokens_per_reference_token if self.tokenizer else None

    @computed_field(description="input price per 1M reference (o200k_base) tokens of the same text")
    @property
    def input_usd_per_mtok_reference(self) -> float:
        return self.reference_usd_per_mtok(self.input_usd_per_mtok)

    @computed_field(description="output price per 1M reference (o200k_base) tokens of the same text")
    @property
    def output_usd_per_mtok_reference(self) -> float:
        return self.reference_usd_per_mtok(self.output_usd_per_mtok)

    def reference_usd_per_mtok(self, usd_per_mtok: float) -> float:
        """``usd_per_mtok`` of this API per 1M reference tokens (:func:`usd_per_mtok_reference`)."""
        return usd_per_mtok_reference(usd_per_mtok, self.tokens_per_reference_token)

    def _records(self) -> list[ApiPriceRecord]:
        cur = ApiPriceRecord.model_construct(valid_from=self.price_as_of, valid_to=self.valid_to, source=self.source,
                                             **{f: getattr(self, f) for f in _PRICE})  # fields of a validated entry
        return sorted([*self.history, cur, *self.scheduled], key=lambda r: r.valid_from)

    def at(self, when: dt.date) -> "ApiEntry | None":
        """This offer with the price in force on ``when`` (the newest record with ``valid_from <= when``
        whose ``valid_to`` has not passed); None when no recorded price applied then. The copy keeps
        every record (older ones in ``history``, later ones in ``scheduled``), so it can be re-dated."""
        if not self.history and not self.scheduled and self.valid_to is None:  # one price: no records to build
            return self if self.price_as_of <= when else None
        recs = self._records()
        idx = [i for i, r in enumerate(recs) if r.valid_from <= when]
        if not idx:
            return None
        i = idx[-1]
        r = recs[i]
        valid_to = r.valid_to
        if i + 1 < len(recs):
            nxt = recs[i + 1].valid_from - _DAY
            valid_to = nxt if valid_to is None else min(valid_to, nxt)
        if valid_to is not None and when > valid_to:
            return None
        if r.valid_from == self.price_as_of and r.source == self.source and valid_to == self.valid_to:
            return self
        update = {f: getattr(r, f) for f in _PRICE}
        update.update(valid_from=r.valid_from, valid_to=valid_to, source=r.source or self.source,
                      history=recs[:i], scheduled=recs[i + 1:])
        if r.valid_from != self.price_as_of:  # another source's figure belongs to the bundled record only
            update["alt_prices"] = []
        return self.model_copy(update=update)

    def timeline(self) -> list[tuple[dt.date, float, float, str]]:
        """Every recorded price, oldest first: (valid_from, input, output, source)."""
        return [(r.valid_from, r.input_usd_per_mtok, r.output_usd_per_mtok, r.source) for r in self._records()]

    def disagreements(self, tolerance: float = 0.03) -> list[tuple[AltPrice, str, float]]:
        """Alternative-source prices that differ from the bundled one by more than ``tolerance``
        (relative): ``(alt, field, relative difference)`` for the largest differing field."""
        out = []
        for alt in self.alt_prices:
            worst = None
            for f in ("input_usd_per_mtok", "output_usd_per_mtok"):
                mine, theirs = getattr(self, f), getattr(alt, f)
                base = max(abs(mine), abs(theirs))
                rel = 0.0 if base == 0 else abs(mine - theirs) / base
                if rel > tolerance and (worst is None or rel > worst[1]):
                    worst = (f, rel)
            if worst is not None:
                out.append((alt, worst[0], worst[1]))
        return out
