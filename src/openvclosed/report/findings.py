"""How findings reach people: which go to stderr, how they are grouped, one line each.

Routing and grouping read codes and fields only. Stale-price findings go to stderr in every
format (stdout stays the report); in JSON every finding is also echoed to stderr.
"""

from __future__ import annotations

from openvclosed.results.base import Finding, dedupe

__all__ = ["STDERR_CODES", "stderr_findings", "stdout_findings", "stderr_lines", "group_by_code", "finding_lines",
           "MAX_LINES"]

MAX_LINES = 4
"""Most finding lines one report (or stderr) shows; the rest are counted in one more line."""

STDERR_CODES = frozenset({"stale_price"})
"""Codes that go to stderr, never into the report on stdout."""


def stderr_findings(findings: list[Finding], fmt: str) -> list[Finding]:
    """Findings to print on stderr for an output format (all of them with json)."""
    fs = dedupe(findings)
    return fs if fmt == "json" else [f for f in fs if f.code in STDERR_CODES]


def stdout_findings(findings: list[Finding]) -> list[Finding]:
    """Findings a people-facing report shows (everything not sent to stderr), de-duplicated."""
    return [f for f in dedupe(findings) if f.code not in STDERR_CODES]


def group_by_code(findings: list[Finding]) -> list[list[Finding]]:
    """De-duplicated findings grouped by code, groups in first-seen order."""
    groups: dict[str, list[Finding]] = {}
    for f in dedupe(findings):
        groups.setdefault(f.code, []).append(f)
    return list(groups.values())


def _group_line(group: list[Finding]) -> str:
    """One plain line for a group of findings with one code: the first message, then how many
    more there are and which ids they concern."""
    from openvclosed.report.text import term

    first = group[0]
    word = "warning" if first.severity in ("warning", "failure") else "note"
    line = f"{word}: {term(first.message)}"
    if len(group) > 1:
        ids = [i for f in group[1:] for i in f.ids if i not in first.ids]
        ids = list(dict.fromkeys(ids))
        more = f" (+{len(group) - 1} more [{first.code}]"
        if ids:
            more += ": " + ", ".join(term(i) for i in ids[:4]) + (f", +{len(ids) - 4}" if len(ids) > 4 else "")
        line += more + ")"
    return line


def finding_lines(findings: list[Finding], max_lines: int = MAX_LINES) -> list[str]:
    """The report lines for :func:`stdout_findings`: one line per code, at most ``max_lines``
    (the same rules in every command; ``--json`` lists each finding)."""
    groups = group_by_code(stdout_findings(findings))
    lines = [_group_line(g) for g in groups[:max_lines]]
    rest = groups[max_lines:]
    if rest:
        lines.append(f"(+{sum(len(g) for g in rest)} more findings of {len(rest)} other kinds: "
                     + ", ".join(g[0].code for g in rest) + "; --json lists them)")
    return lines


def stderr_lines(findings: list[Finding], fmt: str) -> str:
    """``ovc: warning: …`` lines for :func:`stderr_findings` (text; the caller writes it): one
    line per code in tables, every finding in JSON runs (machines read them)."""
    from openvclosed.report.escape import no_workflow_command
    from openvclosed.report.text import term

    fs = stderr_findings(findings, fmt)
    if fmt == "json":
        return "".join(no_workflow_command(f"ovc: warning: {term(f.message)}") + "\n" for f in fs)
    import textwrap

    from openvclosed.report.text import terminal_width

    width = terminal_width()
    out = []
    for g in group_by_code(fs):
        line = "ovc: warning: " + _group_line(g).split(": ", 1)[1]
        # wrapped at the width between words (a number, an id or a URL is never split)
        out += textwrap.wrap(line, width, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False)
    return "".join(no_workflow_command(x) + "\n" for x in out)
