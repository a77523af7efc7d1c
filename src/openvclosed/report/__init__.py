"""Renderers: result object in, string out. Only the CLI prints."""

from openvclosed.report.render import render_breakeven, render_catalog, render_fit, render_json
from openvclosed.report.text import fmt_months, usd

__all__ = ["render_breakeven", "render_fit", "render_catalog", "render_json", "usd", "fmt_months"]
