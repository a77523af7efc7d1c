"""Result of ``ovc report`` and of ``--format html``: a decision plus what its charts and appendix need.

The HTML renderer (``report/html.py``) draws and formats these and computes nothing: every series,
marker, crossover and histogram bin is filled in by the command (``commands/report.py``) from the
decision, breakeven and check results and the one cost path.
"""

from __future__ import annotations

from openvclosed.results.check import CheckResult
from openvclosed.results.base import SCHEMA_VERSION, ResultModel
from openvclosed.results.breakeven import BreakevenResult, MonteCarloApi, SensitivityApi
from openvclosed.results.recommend import RecommendResult

__all__ = ["Line", "Point", "CostChart", "CumulativeChart", "HistogramChart", "AssumptionRow", "CatalogRef",
           "WorkloadReport", "Provenance", "ReportResult"]


class Line(ResultModel):
    """One series: ``y`` per x of its chart (``inf``/None = not available there)."""

    label: str
    kind: str  # closed-api | hosted-open-api | self-host | self-host-cloud | hybrid
    y: list[float | None]
    option: str = ""  # the option drawn (its id; a break-even Point's label): colours and labels key on it


class Point(ResultModel):
    label: str
    x: float
    y: float | None = None


class CostChart(ResultModel):
    """Monthly cost against volume (log axes): APIs as lines, self-hosting as a staircase."""

    title: str
    tokens_per_day: list[float]
    selfhost: Line | None
    apis: list[Line]
    breakevens: list[Point]  # label = API; x = tokens/day; y = USD/month there
    volume: float | None  # the workload's own volume [tokens/day]
    recommended: Point | None = None  # the recommended option at the workload's volume
    note: str = ""


class CumulativeChart(ResultModel):
    """Cumulative cash spent month by month over the horizon [USD, not discounted]."""

    title: str
    months: list[int]
    lines: list[Line]
    crossover_month: int | None  # first month at whose end self-hosting has cost less in total
    crossover_label: str | None  # "self-host X vs API Y"
    note: str = ""


class HistogramChart(ResultModel):
    """Monte Carlo savings of self-hosting over the horizon (API minus self-host) [USD]."""

    title: str
    api: str
    selfhost: str
    edges: list[float]
    counts: list[int]
    summary: MonteCarloApi
    n: int
    seed: int | None
    horizon_months: int


class AssumptionRow(ResultModel):
    name: str
    value: float | int | str | bool | None
    basis: str
    set_here: bool  # overridden in the workload file or on the command line
    meaning: str = ""  # added: what the value used means, in plain words ("" = nothing to add)


class CatalogRef(ResultModel):
    """A catalog entry the answer rests on, with its source and date."""

    id: str
    what: str  # e.g. "API price", "GPU purchase price", "model licence"
    source: str
    as_of: str | None
    catalog: str


class WorkloadReport(ResultModel):
    name: str
    cost: CostChart | None = None
    cumulative: CumulativeChart | None = None
    histogram: HistogramChart | None = None
    sensitivity: SensitivityApi | None = None
    assumptions: list[AssumptionRow] = []
    catalog: list[CatalogRef] = []
    chart_notes: list[str] = []


class Provenance(ResultModel):
    command: str
    version: str
    generated: str  # ISO date (SOURCE_DATE_EPOCH when set)
    input_file: str | None = None


class ReportResult(ResultModel):
    schema_version: int = SCHEMA_VERSION
    title: str
    provenance: Provenance | None = None
    recommend: RecommendResult | None = None
    breakeven: BreakevenResult | None = None
    check: CheckResult | None = None
    workloads: list[WorkloadReport] = []
