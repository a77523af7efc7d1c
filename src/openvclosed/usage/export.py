"""Workload files from usage statistics, written atomically. No printing.

``sensitivity`` and ``task_mix`` cannot be read off a usage log: they are written as
``# TODO set:`` comments (so the schema defaults apply until the user sets them) and the
file opens with a comment saying so. The file always loads with
:func:`openvclosed.workload.load_workload_file`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

from openvclosed.fileio import safe_write_text
from openvclosed.usage.aggregate import TrafficStats, Window, day_fractions, fit_growth

__all__ = ["TODO_MARKER", "workload_name", "render_workload_yaml", "write_atomic"]

TODO_MARKER = "# TODO set:"


def workload_name(group: str, taken: set[str]) -> str:
    """A valid, unique workload name for a group value.

    >>> workload_name("together_ai/meta-llama/Llama-3.3-70B", set())
    'together_ai-meta-llama-Llama-3.3-70B'
    >>> workload_name("gpt-6.1-sol", {"gpt-6.1-sol"})
    'gpt-6.1-sol-2'
    """
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", group).strip("-_.") or "workload"
    if not base[0].isalnum():
        base = "w-" + base
    name, i = base, 2
    while name in taken:
        name, i = f"{base}-{i}", i + 1
    taken.add(name)
    return name


def _num(v: float) -> str:
    """A YAML number with 8 significant digits (never in a form YAML reads as a string)."""
    if v == 0:
        return "0.0"
    s = f"{v:.8g}"
    if "e" in s:
        mant, exp = s.split("e")
        s = f"{mant if '.' in mant else mant + '.0'}e{int(exp):+d}"  # YAML 1.1 floats need the dot and sign
    elif "." not in s:
        s += ".0"
    return s


def render_workload_yaml(groups: list[TrafficStats], window: Window, sources: list[str], group_by: str,
                         apis: dict[str, str | None] | None = None, days_per_month: float = 365.25 / 12) -> str:
    """The text of a workload file with one workload per group."""
    start = dt.datetime.fromtimestamp(window.start_ts, dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    end = dt.datetime.fromtimestamp(window.end_ts, dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    out = [
        "# Workloads built by `ovc usage to-workload` from usage logs:",
        *[f"#   {json.dumps(s)[1:-1]}" for s in sources],  # one line whatever the file name holds
        f"# Window: {start} to {end} UTC ({window.days:.2f} days, {window.resolution} resolution), "
        f"grouped by {group_by}.",
        "#",
        "# TODO: a usage log cannot tell how sensitive the data is or how hard the work is. Each workload",
        f"# has `{TODO_MARKER} sensitivity` and `{TODO_MARKER} task_mix` lines: uncomment and set them. Until",
        "# you do, the schema defaults apply (sensitivity: internal; task_mix: all standard).",
        "version: 1",
        "workloads:",
    ]
    taken: set[str] = set()
    for s in groups:
        name = workload_name(s.name, taken)
        out.append(f"  - name: {json.dumps(name)}")  # quoted: a name of digits stays a string
        desc = f"{group_by} {s.name}: {s.requests:,.0f} requests, {s.tokens:,.0f} tokens in {s.days:.2f} days"
        out.append(f"    description: {json.dumps(desc)}")
        if s.requests > 0 and s.tokens > 0:
            out.append(f"    requests_per_day: {_num(s.requests_per_day)}")
            out.append(f"    input_tokens: {_num(s.input_tokens / s.requests)}    # mean per request")
            out.append(f"    output_tokens: {_num(s.output_tokens / s.requests)}    # mean per request")
        else:
            out.append(f"    tokens_per_day: {_num(s.tokens_per_day)}")
            if s.input_share == s.input_share:
                out.append(f"    input_share: {_num(s.input_share)}")
        cached = s.cached_share if s.cached_share == s.cached_share else 0.0
        out.append(f"    cached_input_share: {_num(min(1.0, cached))}")
        ptm = s.peak_to_mean if math.isfinite(s.peak_to_mean) else 1.0
        note = "busiest hour / mean hour" if window.resolution == "hour" else \
            "busiest DAY / mean day (day buckets: the hourly peak is higher - raise it)"
        out.append(f"    peak_to_mean: {_num(max(1.0, ptm))}    # {note}")
        first, last = day_fractions(window)
        g, how = fit_growth(s.daily_tokens, window.resolution, days_per_month, first_fraction=first,
                            last_fraction=last, first_weekday=(window.first_day + 3) % 7)  # day 0 = 1970-01-01, a Thursday
        if g is None:
            out.append(f"    growth_per_month: 0.0    # {how}; set it")
        else:
            out.append(f"    growth_per_month: {_num(g)}    # {how}; check it")
        if apis and apis.get(s.name):
            out.append(f"    # served in the logs by catalog API {apis[s.name]}")
        out.append(f"    {TODO_MARKER} sensitivity: internal    # public | internal | confidential | regulated")
        out.append(f"    {TODO_MARKER} task_mix: {{simple: 0.0, standard: 1.0, frontier: 0.0}}    # shares summing to 1")
    return "\n".join(out) + "\n"


def write_atomic(path: str | Path, text: str, *, force: bool = False, validate=None, inputs=(),
                 what: str = "--output") -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory and a rename
    (:func:`openvclosed.fileio.safe_write_text`).

    Refuses an existing ``path`` unless ``force``, a symbolic link, a directory and any of
    ``inputs``. ``validate(tmp_path)`` may raise to abort (the temporary file is removed and
    ``path`` is left untouched).
    """
    safe_write_text(path, text, force=force, inputs=inputs, validate=validate, what=what)
