"""One way out: ``emit(result, format)`` picks the pure renderer for (result type, format).

Renderers take a result object and return a string; only the CLI prints. Each entry names
``module:function`` and is imported on first use, so a command loads only what it prints.
The ``html`` renderers (``report/html.py``, Jinja2 + matplotlib from the extra ``report``) take a
plain result or a ``ReportResult`` (the result plus chart data, filled in by ``commands/report.py``).
"""

from __future__ import annotations

import importlib

from openvclosed.errors import InputError

__all__ = ["RENDERERS", "emit", "formats_for"]

RENDERERS: dict[tuple[str, str], str] = {
    ("BreakevenResult", "table"): "openvclosed.report.render:render_breakeven_full",
    ("BreakevenResult", "json"): "openvclosed.report.render:render_json",
    ("FitResult", "table"): "openvclosed.report.render:render_fit",
    ("FitResult", "json"): "openvclosed.report.render:render_json",
    ("RecommendResult", "table"): "openvclosed.report.recommend:render_recommend",
    ("RecommendResult", "json"): "openvclosed.report.render:render_json",
    ("RecommendResult", "markdown"): "openvclosed.report.recommend:render_recommend_markdown_nl",
    ("CheckResult", "table"): "openvclosed.report.check:render_check_table",
    ("CheckResult", "json"): "openvclosed.report.render:render_json",
    ("CheckResult", "markdown"): "openvclosed.report.check:render_check_markdown_nl",
    ("CheckResult", "github"): "openvclosed.report.check:render_github_annotations",
    ("CatalogResult", "table"): "openvclosed.report.render:render_catalog_result",
    ("CatalogResult", "json"): "openvclosed.report.render:render_catalog_json",
    ("UsageSummaryResult", "table"): "openvclosed.report.usage:render_summary",
    ("UsageSummaryResult", "json"): "openvclosed.report.render:render_json",
    ("RepriceResult", "table"): "openvclosed.report.usage:render_reprice",
    ("RepriceResult", "json"): "openvclosed.report.render:render_json",
    ("PriceHistoryResult", "table"): "openvclosed.report.catalog:render_history",
    ("PriceHistoryResult", "json"): "openvclosed.report.render:render_json",
    ("PriceDiffResult", "table"): "openvclosed.report.catalog:render_diff",
    ("PriceDiffResult", "json"): "openvclosed.report.render:render_json",
    ("SourceDiffResult", "table"): "openvclosed.report.catalog:render_source_diff",
    ("SourceDiffResult", "json"): "openvclosed.report.render:render_json",
    ("ImportResult", "table"): "openvclosed.report.catalog:render_import",
    ("ImportResult", "json"): "openvclosed.report.render:render_json",
    ("ToWorkloadResult", "table"): "openvclosed.report.usage:render_to_workload",
    ("ToWorkloadResult", "json"): "openvclosed.report.render:render_json",
    ("SweepResult", "table"): "openvclosed.report.sweep:render_sweep",
    ("SweepResult", "json"): "openvclosed.report.render:render_json",
    ("CalibrateResult", "table"): "openvclosed.report.calibrate:render_calibrate",
    ("CalibrateResult", "json"): "openvclosed.report.render:render_json",
    ("ReportResult", "html"): "openvclosed.report.html:render_report_html",
    ("BreakevenResult", "html"): "openvclosed.report.html:render_breakeven_html",
    ("RecommendResult", "html"): "openvclosed.report.html:render_recommend_html",
    ("CheckResult", "html"): "openvclosed.report.html:render_check_html",
}
"""(result class name, format) -> ``module:function`` returning a string."""


def formats_for(result_type: str) -> list[str]:
    return [f for (t, f) in RENDERERS if t == result_type]


def emit(result, fmt: str, **options) -> str:
    """The text of ``result`` in format ``fmt`` (``options`` go to the renderer, e.g. ``max_rows``)."""
    name = type(result).__name__
    target = RENDERERS.get((name, fmt))
    if target is None:
        raise InputError(f"--format: {fmt!r} is not available for this command; choose from "
                         f"{', '.join(formats_for(name))}")
    module, func = target.split(":")
    return getattr(importlib.import_module(module), func)(result, **options)
