"""The baseline diff of ``ovc check`` as typed result objects (``CheckResult.baseline``).

Per workload: the recommendation and monthly cost before and after, the options that became
feasible or infeasible (an option only superseded by another precision of the same design is a
``changed_precision``, not a loss), and the change in USD/month attributed to what moved it —
volume, API prices, hardware prices, then what is left (workload definition, catalog, tool
version) — see :mod:`openvclosed.check.attribution` and docs/ci.md. The renderers (markdown,
table, HTML) read these fields and compute nothing.
"""

from __future__ import annotations

from typing import Literal

from openvclosed.results.base import ResultModel

__all__ = ["Factor", "CostFactor", "PrecisionChange", "WorkloadDiff", "BaselineDiff", "FACTOR_LABELS"]

Factor = Literal["volume", "api_price", "hardware_price", "workload", "catalog", "tool_version", "catalog_or_tool",
                 "unexplained"]

FACTOR_LABELS: dict[str, str] = {
    "volume": "volume",
    "api_price": "API prices",
    "hardware_price": "hardware prices",
    "workload": "workload definition (other than volume)",
    "catalog": "catalog (entries other than the stored prices)",
    "tool_version": "ovc version",
    "catalog_or_tool": "catalog or ovc version",
    "unexplained": "not explained by the stored inputs",
}
"""What each factor of an attribution means, for people (docs/ci.md lists the same)."""


class CostFactor(ResultModel):
    """One factor's share of a workload's change in cost [USD/month], with what changed."""

    factor: Factor
    usd_per_month: float
    detail: str = ""


class PrecisionChange(ResultModel):
    """The same design (hardware, model, mode) now feasible at another precision."""

    design: str
    before: str
    after: str


class WorkloadDiff(ResultModel):
    name: str
    status: Literal["added", "removed", "changed", "same"]
    before: str | None = None
    after: str | None = None
    usd_per_month_before: float | None = None
    usd_per_month_after: float | None = None
    delta_usd_per_month: float | None = None
    delta_pct: float | None = None
    became_feasible: list[str] = []
    became_infeasible: list[str] = []
    changed_precision: list[PrecisionChange] = []
    attribution: list[CostFactor] = []
    attribution_note: str | None = None  # why there is no attribution (e.g. an old baseline without inputs)


class BaselineDiff(ResultModel):
    file: str | None = None
    generated: str | None = None
    tool_version_before: str | None = None
    tool_version_after: str | None = None
    catalog_changed: bool | None = None  # None: the baseline has no catalog digest
    workloads: list[WorkloadDiff] = []
    total_usd_per_month_before: float | None = None
    total_usd_per_month_after: float | None = None
    delta_usd_per_month: float | None = None
    attribution: list[CostFactor] = []  # summed over workloads, per factor

