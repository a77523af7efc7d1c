"""Result of ``ovc check`` (the JSON contract, docs/json.md): a leaf, built by :mod:`openvclosed.check.policy`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from openvclosed.results.base import SCHEMA_VERSION, Finding, ResultModel

__all__ = ["WorkloadCheck", "CheckResult"]


class WorkloadCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    recommended_kind: str | None
    recommended_name: str | None
    usd_per_month: float | None
    usd_per_mtok: float | None
    budget_usd_per_month: float | None
    feasible_options: list[str]
    passed: bool


class CheckResult(ResultModel):
    schema_version: int = SCHEMA_VERSION
    kind: str = "ovc-check"
    generated: str
    file: str
    total_usd_per_month: float
    total_budget_usd_per_month: float | None
    workloads: list[WorkloadCheck]
    findings: list[Finding]
    passed: bool
    baseline: dict | None = None
