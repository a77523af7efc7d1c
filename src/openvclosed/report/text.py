"""Text helpers shared by renderers: numbers with units, and terminal-safe strings."""

from __future__ import annotations

import math

__all__ = ["usd", "fmt_months", "fmt_tokens", "term", "cell", "terminal_width", "render_text", "INSTALL_HINT"]

INSTALL_HINT = 'the HTML report needs Jinja2 and matplotlib: pip install "openvclosed[report]"'


PIPED_WIDTH = 100
"""Width of text written to a pipe or file when ``$COLUMNS`` is not set."""


def terminal_width(default: int | None = None) -> int:
    """The width to lay text out for: ``$COLUMNS`` when it is a sane number (20..1000); else the
    terminal's width as rich's console detects it when stdout is a terminal; else ``default``
    (``PIPED_WIDTH``, 100, when not given). A bad value never fails."""
    import os
    import sys

    fallback = PIPED_WIDTH if default is None else default
    try:
        w = int(os.environ.get("COLUMNS", "") or 0)
    except ValueError:
        w = 0
    if 20 <= w <= 1000:
        return w
    try:
        if sys.stdout is not None and sys.stdout.isatty():
            from rich.console import Console

            w = Console(file=sys.stdout).width
            return w if 20 <= w <= 1000 else fallback
    except (OSError, ValueError, AttributeError):
        pass
    return fallback


def term(s: object) -> str:
    """A string from a file made safe for a terminal (plain text, e.g. inside rich ``Text``):
    escape sequences and control characters removed, line breaks and tabs turned into spaces
    (so data cannot start a line of its own). See :func:`openvclosed.report.escape.term_text`."""
    from openvclosed.report.escape import term_text

    return term_text(str(s))


def cell(s: object) -> str:
    """:func:`term` for a string rich parses as markup (table cells, table and panel titles):
    ``[bold]`` in data is printed, not applied."""
    from openvclosed.report.escape import term_text

    return term_text(str(s), markup=True)


def usd(v: float | None, digits: int = 0) -> str:
    """``$1,234`` (or ``n/a``/``never``)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if math.isinf(v):
        return "never" if v > 0 else "-"
    return f"${v:,.{digits}f}" if v >= 0 else f"-${-v:,.{digits}f}"


def fmt_months(v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if math.isinf(v):
        return "never"
    if v < 0.1:
        return "<0.1"
    return f"{v:.1f}" if v < 100 else f"{v:,.0f}"


def fmt_tokens(t: float) -> str:
    """Human token count: 5e8 -> '500M'."""
    if t is None or not math.isfinite(t):
        return "never"
    for div, suf in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(t) >= div:
            return f"{t / div:.3g}{suf}"
    return f"{t:.3g}"


def render_text(renderable, width: int | None = None) -> str:
    """Plain text of a rich renderable. Every line goes through
    :func:`~openvclosed.report.escape.no_workflow_command`: wrapping or folding a long name can
    put ``::`` at the start of a line, and no table line may act as a workflow command."""
    import io

    from rich.console import Console

    from openvclosed.report.escape import no_workflow_command

    width = width or terminal_width()
    buf = io.StringIO()
    Console(file=buf, width=width, force_terminal=False, no_color=True, highlight=False,
            soft_wrap=False).print(renderable)
    return no_workflow_command(buf.getvalue())
