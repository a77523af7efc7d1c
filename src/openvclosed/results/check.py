"""Result of ``ovc check`` (the JSON contract, docs/json.md): a leaf, built by :mod:`openvclosed.check.policy`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from openvclosed.results.base import SCHEMA_VERSION, Finding, ResultModel
from openvclosed.results.baseline_diff import BaselineDiff

__all__ = ["WorkloadCheck", "CheckResult", "KindExclusions"]


class KindExclusions(ResultModel):
    """One kind of option: how many were considered and, per exclusion code, how many it excluded."""

    kind: str
    options: int
    codes: dict[str, int] = {}  # finding code -> options it excluded (an option may have several)
    example: str | None = None  # the first exclusion message of the most frequent code
    note: str | None = None  # why no option of this kind was formed


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
    excluded: list[KindExclusions] = []  # with no feasible option: per kind, the constraints that excluded it


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
    baseline: BaselineDiff | None = None
