"""Result of ``ovc catalog KIND``: the entries of one catalog section, as loaded (bundled + user files)."""

from __future__ import annotations

from typing import Any

from openvclosed.results.base import SCHEMA_VERSION, ResultModel

__all__ = ["CatalogResult"]


class CatalogResult(ResultModel):
    schema_version: int = SCHEMA_VERSION
    kind: str  # apis | gpus | models
    today: str
    max_age_days: int
    entries: list[Any]  # catalog entry objects (ApiEntry, GpuEntry, ModelEntry)
