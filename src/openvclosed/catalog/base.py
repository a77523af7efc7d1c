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

__all__ = ["TIERS", "Tier", "STANDARD_TIER_MIN_SCORE", "TIER_FLOORS", "CAPABILITY_INDEX", "CAPABILITY_VERSION",
           "tiers_for_score", "_Strict", "_Entry"]

Tier = Literal["simple", "standard", "frontier"]
TIERS: tuple[str, ...] = ("simple", "standard", "frontier")

CAPABILITY_INDEX = "Artificial Analysis Intelligence Index"
CAPABILITY_VERSION = "v4.1"
"""The one capability scale every bundled score is on (data/CAPABILITY_SOURCE.md)."""

TIER_FLOORS: dict[str, float] = {"simple": 0.0, "standard": 23.0, "frontier": 45.0}
"""Lowest score on the capability scale (AA Intelligence Index v4.1) with which a model serves each
task tier. A rule of ours, anchored on named reference models (docs/methodology.md, capability
tiers): ``standard`` 23 admits gpt-oss-120b (high) 23.8, the weakest open model the catalog had
argued for standard work with cited reasoning evidence, and leaves out Llama 4 Maverick 14.3,
gpt-oss-20b 14.9 and every edge model (Gemma 4 E4B 8.9); ``frontier`` 45 admits Gemini 3.1 Pro
Preview 46, a closed frontier flagship of the v4.1 launch list, i.e. within 15 points of the
v4.1 leader (Claude Fable 5, 60). ``simple`` has no floor: an unrated model serves simple work.
tests/test_capability_tiers.py checks that docs/methodology.md prints the same numbers."""

STANDARD_TIER_MIN_SCORE = TIER_FLOORS["standard"]
"""Kept for callers of the old name: the standard floor of :data:`TIER_FLOORS`."""


def tiers_for_score(score: float | None) -> list[str]:
    """Task tiers a model with ``score`` on the capability scale serves: each tier whose floor
    (:data:`TIER_FLOORS`) the score reaches; an unrated model (None or nan) serves ``simple`` only.

    >>> tiers_for_score(23.8)
    ['simple', 'standard']
    >>> tiers_for_score(8.9)
    ['simple']
    >>> tiers_for_score(None)
    ['simple']
    >>> tiers_for_score(50.7)
    ['simple', 'standard', 'frontier']
    """
    if score is None or score != score:
        return ["simple"]
    return [t for t in TIERS if t == "simple" or score >= TIER_FLOORS[t]]


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
