"""Result of ``ovc sweep``: the break-even frontier over a grid (one row per design x API)."""

from __future__ import annotations

from openvclosed.results.base import SCHEMA_VERSION, ResultModel

__all__ = ["SweepResult"]


class SweepResult(ResultModel):
    schema_version: int = SCHEMA_VERSION
    scenarios: int
    seconds: float
    tokens_per_day: dict[str, float | int]
    frontier: list[dict]
    output: str | None = None
    full: str | None = None
