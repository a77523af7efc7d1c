"""Result of ``ovc catalog KIND``: the entries of one catalog section, as loaded (bundled + user files)."""

from __future__ import annotations

from typing import Any

from openvclosed.results.base import SCHEMA_VERSION, ResultModel

__all__ = ["CatalogResult", "PriceRecordOut", "PriceHistoryResult", "PriceChangeOut", "PriceDiffResult", "ImportChange", "ImportResult",
           "SourceDisagreementOut", "SourceDiffResult"]


class CatalogResult(ResultModel):
    schema_version: int = SCHEMA_VERSION
    kind: str  # apis | gpus | models
    today: str
    max_age_days: int
    entries: list[Any]  # catalog entry objects (ApiEntry, GpuEntry, ModelEntry)


class PriceRecordOut(ResultModel):
    valid_from: str
    usd: float | None = None
    usd_per_gpu_hour: float | None = None
    input_usd_per_mtok: float | None = None
    output_usd_per_mtok: float | None = None
    basis: str
    source: str


class PriceHistoryResult(ResultModel):
    schema_version: int = SCHEMA_VERSION
    id: str
    kind: str  # api | gpu
    records: list[PriceRecordOut]


class PriceChangeOut(ResultModel):
    id: str
    kind: str  # api | gpu | gpu rent
    valid_from: str
    before: str | None
    after: str
    source: str


class PriceDiffResult(ResultModel):
    schema_version: int = SCHEMA_VERSION
    since: str
    changes: list[PriceChangeOut]


class ImportChange(ResultModel):
    id: str
    changes: dict[str, list]  # field -> [old, new]


class ImportResult(ResultModel):
    """``ovc catalog import-litellm``: catalog API prices compared with a LiteLLM price JSON."""

    schema_version: int = SCHEMA_VERSION
    source: str
    changed: list[ImportChange]
    added: list[dict]
    problems: list[str]
    written: str | None = None


class SourceDisagreementOut(ResultModel):
    id: str
    field: str  # input_usd_per_mtok | output_usd_per_mtok: the one that differs most
    relative_difference: float
    bundled: str
    bundled_source: str
    other: str
    other_source_name: str
    other_source: str


class SourceDiffResult(ResultModel):
    """``ovc catalog diff --sources``: where two machine-readable price sources disagree."""

    schema_version: int = SCHEMA_VERSION
    tolerance: float
    bundled_choice: str
    disagreements: list[SourceDisagreementOut]
