"""The base of the catalog entry schemas, shared by apis, gpus and models (``catalog.schema`` re-exports all).

Entries: APIs, accelerators and open-weight models, each with source and ``as_of``.

Models describe attention per layer type (full, sliding window, chunked, linear/recurrent state,
latent/compressed KV) and mixture-of-experts blocks with separate precisions for expert and
dense weights; licences carry structured conditions; openness names weights, training data and
training code, each with a link. Accelerators carry memory as the driver reports it, dense
TFLOPS per precision, the interconnect, power, and dated prices whose basis is explicit.
The older flat fields (``layers``/``kv_heads``/``head_dim``, ``vram_gb``, ``purchase_usd``,
``cloud_usd_per_hour``, licence ``mau_limit``) are still accepted in user catalogs and turned
into the structured form here.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from openvclosed.units import normalize_name

__all__ = ["TIERS", "Tier", "STANDARD_TIER_MIN_SCORE", "_Strict", "_Entry"]

Tier = Literal["simple", "standard", "frontier"]
TIERS: tuple[str, ...] = ("simple", "standard", "frontier")

STANDARD_TIER_MIN_SCORE = 14.0
"""Artificial Analysis Intelligence Index (v4 scale) from which an open model serves the
standard tier: Llama 3.3 70B scores 14, the model class the old MMLU-Pro >= 60 bar admitted.
A rule of ours (docs/methodology.md, capability tiers); an entry's own ``tiers`` wins."""


class _Strict(BaseModel):
    # defer_build: the validators are built on first validation, not at import; the bundled catalog
    # is rebuilt from the validated cache with model_construct and never needs them (start-up)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class _Entry(_Strict):
    id: str = Field(min_length=1)
    source: str = Field(min_length=1, description="Where the figures come from (URL, document, table).")
    as_of: dt.date = Field(description="Date the source was published or read (not in the future).")
    notes: str | None = None
    catalog: str = Field("bundled", description="File the entry came from (set by the loader).")

    @field_validator("id")
    @classmethod
    def _lower_id(cls, v: str) -> str:
        return normalize_name(v)

    @field_validator("as_of")
    @classmethod
    def _not_future(cls, v: dt.date) -> dt.date:
        if v > dt.date.today() + dt.timedelta(days=1):
            raise ValueError(f"{v} is in the future; as_of is when the source was published or read")
        return v
