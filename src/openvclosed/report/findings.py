"""How findings reach people: which go to stderr, how they are grouped, one line each.

Routing and grouping read codes and fields only. Stale-price findings go to stderr in every
format (stdout stays the report); in JSON every finding is also echoed to stderr.
"""

from __future__ import annotations

from openvclosed.results.base import Finding, dedupe

__all__ = ["STDERR_CODES", "stderr_findings", "stdout_findings", "stderr_lines"]

STDERR_CODES = frozenset({"stale_price"})
"""Codes that go to stderr, never into the report on stdout."""


def stderr_findings(findings: list[Finding], fmt: str) -> list[Finding]:
    """Findings to print on stderr for an output format (all of them with json)."""
    fs = dedupe(findings)
    return fs if fmt == "json" else [f for f in fs if f.code in STDERR_CODES]


def stdout_findings(findings: list[Finding]) -> list[Finding]:
    """Findings a people-facing report shows (everything not sent to stderr), de-duplicated."""
    return [f for f in dedupe(findings) if f.code not in STDERR_CODES]


def stderr_lines(findings: list[Finding], fmt: str) -> str:
    """``ovc: warning: …`` lines for :func:`stderr_findings` (text; the caller writes it)."""
    from openvclosed.report.escape import no_workflow_command
    from openvclosed.report.text import term

    return "".join(no_workflow_command(f"ovc: warning: {term(f.message)}") + "\n"
                   for f in stderr_findings(findings, fmt))
