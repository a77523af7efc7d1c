"""Catalog entry schemas: APIs, accelerators and open-weight models, each with source and ``as_of``
(one module per kind; the shared base is :mod:`openvclosed.catalog.base`). See those modules."""

from openvclosed.catalog.base import STANDARD_TIER_MIN_SCORE, TIERS, Tier, _Entry, _Strict  # noqa: F401

__all__ = ["TIERS", "Tier", "ApiEntry", "GpuEntry", "ModelEntry", "License", "LicenseCondition", "Openness",
           "AttentionGroup", "Moe", "GpuPrice", "GpuRent", "Capability", "STANDARD_TIER_MIN_SCORE", "_Strict", "_Entry"]

# the entry classes live one module per kind; importing them here keeps `catalog.schema` the one place
from openvclosed.catalog.apis import ApiEntry, ApiPriceRecord, LongContextPrice  # noqa: F401
from openvclosed.catalog.gpus import GpuEntry, GpuPrice, GpuRent, Interconnect, PriceBasis  # noqa: F401
from openvclosed.catalog.models import (AttentionGroup, Capability, License, LicenseCondition, Moe,  # noqa: F401
                                        ModelEntry, Openness, OpennessItem, Precision, Quality)
