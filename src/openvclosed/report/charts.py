"""Charts of a report as inline SVG (matplotlib's SVG backend, optional extra ``report``).

Each function draws a chart object of :mod:`openvclosed.results.report` (it computes nothing)
and returns an ``<svg>`` element as a string: no XML declaration, DOCTYPE or metadata (so the
output is byte-for-byte reproducible and names no external URL), ids salted per chart (several
charts on one page never share an id), a ``<title>`` and ``<desc>`` as its text alternative and
``role="img"``. Text from input files reaches matplotlib through :func:`_mpl` (no mathtext, no
control characters) and is XML-escaped by matplotlib's SVG writer.
"""

from __future__ import annotations

import html
import io
import math
import re

from openvclosed.errors import InputError
from openvclosed.report.text import fmt_tokens, term

__all__ = ["cost_svg", "cumulative_svg", "histogram_svg", "tornado_svg", "OKABE_ITO"]

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
"""Okabe & Ito (2008) colour-blind-safe palette; lines also differ by dash pattern."""

_DASHES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1, 1, 1, 1, 1))]
_VERMILLION, _BLUE, _ORANGE, _GREEN = "#D55E00", "#0072B2", "#E69F00", "#009E73"


def _plt():
    try:
        import matplotlib
    except ImportError:
        from openvclosed.report.text import INSTALL_HINT

        raise InputError(INSTALL_HINT) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return matplotlib, plt


def _mpl(s: object) -> str:
    """Text for matplotlib: control characters out, ``$`` literal (no mathtext), no leading ``_``."""
    t = term(s).replace("\\", "\\\\").replace("$", r"\$")
    return (" " + t) if t.startswith("_") else t


def _money(v: float) -> str:
    a = abs(v)
    s = f"${a / 1e6:,.2f}M" if a >= 1e6 else (f"${a / 1e3:,.1f}k" if a >= 1e3 else f"${a:,.0f}")
    return ("-" if v < 0 else "") + s


def _money_axis(ax, axis="y"):
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _: _money(v))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _legend_below(ax):
    """Legend under the axes: two columns for short labels, one for long ones (keeps the plot wide)."""
    labels = ax.get_legend_handles_labels()[1]
    ncol = 2 if labels and max(len(x) for x in labels) <= 42 else 1
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=ncol, frameon=False)


def _svg(fig, chart_id: str, title: str, desc: str) -> str:
    matplotlib, plt = _plt()
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": chart_id, "svg.fonttype": "none", "svg.id": None}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    plt.close(fig)
    s = buf.getvalue()
    s = re.sub(r"<\?xml[^>]*\?>\s*", "", s)
    s = re.sub(r"<!DOCTYPE[^>]*>\s*", "", s)
    s = re.sub(r"<metadata>.*?</metadata>\s*", "", s, flags=re.S)
    s = re.sub(r'\s+xmlns:xlink="[^"]*"', "", s)  # unused namespace declaration; inline SVG needs none
    s = s.replace("xlink:href=", "href=")
    if re.search(r'(?:href|src)="(?!#)', s):  # never an external reference (only #ids inside the chart)
        raise AssertionError("chart SVG refers outside itself")
    tid, did = f"{chart_id}-title", f"{chart_id}-desc"
    m = re.search(r"<svg\b[^>]*>", s)
    head = m.group(0)
    head = re.sub(r'\swidth="[^"]*"', "", head)
    head = re.sub(r'\sheight="[^"]*"', "", head)
    vb = re.search(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"', head)
    ratio = f' style="aspect-ratio: {vb.group(1)} / {vb.group(2)}"' if vb else ""
    head = head[:-1] + (f' id="{chart_id}" class="chart"{ratio} role="img" aria-labelledby="{tid} {did}" '
                        f'aria-label="{html.escape(title, quote=True)}" preserveAspectRatio="xMidYMid meet">')
    alt = f'<title id="{tid}">{html.escape(title)}</title><desc id="{did}">{html.escape(desc)}</desc>'
    return s[:m.start()] + head + alt + s[m.end():].rstrip() + "\n"


def _fig(plt, w=8.0, h=4.6):
    fig, ax = plt.subplots(figsize=(w, h))
    ax.grid(True, which="major", alpha=0.3)
    return fig, ax


def cost_svg(c, chart_id: str) -> str:
    """Monthly cost against volume (log axes): APIs as lines, self-hosting as a staircase."""
    import numpy as np

    _, plt = _plt()
    fig, ax = _fig(plt)
    t = np.asarray(c.tokens_per_day, dtype=float)

    def arr(y):
        return np.array([np.nan if v is None else v for v in y], dtype=float)

    for i, line in enumerate(c.apis):
        ax.plot(t, arr(line.y), lw=1.8, color=OKABE_ITO[i % 7], ls=_DASHES[i % len(_DASHES)], label=_mpl(line.label))
    if c.selfhost is not None and np.any(np.isfinite(arr(c.selfhost.y))):
        ax.plot(t, arr(c.selfhost.y), color="#000000", lw=2.4, drawstyle="steps-post", label=_mpl(c.selfhost.label))
    for i, p in enumerate(c.breakevens):
        if t[0] <= p.x <= t[-1]:
            ax.plot([p.x], [p.y], marker="o", ms=8, color=_VERMILLION, mec="white", ls="none",
                    label="break-even" if i == 0 else None)
            ax.annotate(_mpl(f"{fmt_tokens(p.x)}/day vs {p.label}"), (p.x, p.y), xytext=(6, 7 + 11 * (i % 3)),
                        textcoords="offset points", fontsize=8, color="#000000",
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85})
    if c.volume:
        ax.axvline(c.volume, color="#555555", ls=":", lw=1.4, label=f"your volume ({fmt_tokens(c.volume)}/day)")
    if c.recommended is not None and c.recommended.y is not None and math.isfinite(c.recommended.y):
        ax.plot([c.recommended.x], [c.recommended.y], marker="*", ms=15, color=_GREEN, mec="#000000", ls="none",
                label=_mpl(f"recommended: {c.recommended.label}"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("tokens per day (input + output)")
    ax.set_ylabel("USD per month")
    _money_axis(ax)
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_tokens(v)))
    _legend_below(ax)
    fig.tight_layout()
    bes = "; ".join(f"{p.label} at {fmt_tokens(p.x)} tokens/day" for p in c.breakevens) or \
        "self-hosting does not beat the APIs shown at any volume drawn"
    desc = ("Log-log chart of monthly cost in US dollars against tokens per day. Lines: "
            + ", ".join(term(x.label) for x in c.apis)
            + (f"; staircase: {term(c.selfhost.label)}" if c.selfhost else "")
            + f". Break-even: {term(bes)}. {term(c.note)}.")
    return _svg(fig, chart_id, term(c.title), desc)


def cumulative_svg(c, chart_id: str) -> str:
    """Cumulative spend by month, crossover month marked."""
    import numpy as np

    _, plt = _plt()
    fig, ax = _fig(plt)
    m = np.asarray(c.months, dtype=float)
    for i, line in enumerate(c.lines):
        y = np.array([np.nan if v is None else v for v in line.y], dtype=float)
        selfhost = line.kind.startswith("self-host")
        ax.plot(m, y, lw=2.4 if selfhost else 1.8, color="#000000" if selfhost else OKABE_ITO[i % 7],
                ls="-" if selfhost else _DASHES[i % len(_DASHES)], label=_mpl(line.label),
                drawstyle="steps-post" if selfhost else "default")
    if c.crossover_month is not None:
        ax.axvline(c.crossover_month, color=_VERMILLION, lw=1.5, ls="--",
                   label=f"self-hosting ahead from month {c.crossover_month}")
    ax.set_xlabel("month")
    ax.set_ylabel("USD spent so far")
    ax.set_xlim(0.5, max(m[-1], 1) + 0.5)
    _money_axis(ax)
    _legend_below(ax)
    fig.tight_layout()
    last = "; ".join(f"{term(x.label)} {_money(x.y[-1])}" for x in c.lines if x.y and x.y[-1] is not None)
    desc = (f"Cumulative US dollars spent by month over {len(c.months)} months. At the end: {last}. "
            + (f"Self-hosting is ahead from month {c.crossover_month} ({term(c.crossover_label)})."
               if c.crossover_month else "Self-hosting does not get ahead within the horizon.")
            + f" {term(c.note)}.")
    return _svg(fig, chart_id, term(c.title), desc)


def histogram_svg(h, chart_id: str) -> str:
    """Monte Carlo savings histogram; P10/P50/P90 and zero marked."""
    import numpy as np

    _, plt = _plt()
    fig, ax = _fig(plt, h=4.2)
    edges = np.asarray(h.edges, dtype=float)
    ax.stairs(np.asarray(h.counts, dtype=float), edges, fill=True, color=_BLUE, alpha=0.75, label="draws")
    s = h.summary
    for q, v, ls in (("P10", s.saving_usd_p10, ":"), ("P50", s.saving_usd_p50, "-"), ("P90", s.saving_usd_p90, ":")):
        if v is not None and math.isfinite(v):
            ax.axvline(v, color="#000000", ls=ls, lw=1.2)
            ax.annotate(f"{q} {_money(v)}", (v, 0.97), xycoords=("data", "axes fraction"), rotation=90, fontsize=8,
                        ha="right", va="top")
    ax.axvline(0, color=_VERMILLION, lw=2, label="break-even (saving 0)")
    ax.set_xlabel(f"{h.horizon_months}-month saving of self-hosting, USD (API minus self-host; > 0: self-hosting cheaper)")
    ax.set_ylabel("draws")
    _money_axis(ax, "x")
    ax.legend(fontsize=8, loc="upper right", framealpha=0.9)
    fig.tight_layout()
    desc = (f"Histogram of {h.n:,} Monte Carlo draws (seed {h.seed}) of the saving of self-hosting "
            f"{term(h.selfhost)} against {term(h.api)} over {h.horizon_months} months. "
            f"P(self-hosting cheaper) = {s.p_selfhost_cheaper:.0%}; P10 {_money(s.saving_usd_p10 or 0)}, "
            f"P50 {_money(s.saving_usd_p50 or 0)}, P90 {_money(s.saving_usd_p90 or 0)}.")
    return _svg(fig, chart_id, term(h.title), desc)


def tornado_svg(sens, chart_id: str, title: str) -> str:
    """Tornado of one API's sensitivity: the saving with each input at its low and high end."""
    import numpy as np

    _, plt = _plt()
    rows = list(sens.rows)
    fig, ax = _fig(plt, h=max(2.4, 0.42 * len(rows) + 1.3))
    base = sens.base_saving_usd or 0.0
    y = np.arange(len(rows))[::-1]
    for yi, r in zip(y, rows):
        for v, colour, hatch, lab in ((r.saving_usd_low, _ORANGE, "//", "input at its low end"),
                                      (r.saving_usd_high, _BLUE, None, "input at its high end")):
            if v is None or not math.isfinite(v):
                continue
            ax.barh(yi, v - base, left=base, height=0.38 if hatch else 0.6, color=colour, hatch=hatch,
                    edgecolor="#000000", lw=0.4, label=lab if yi == y[0] else None)
    ax.axvline(base, color="#000000", lw=1)
    ax.axvline(0, color=_VERMILLION, lw=1.5, ls="--", label="break-even (saving 0)")
    ax.set_yticks(y, [_mpl(r.variable) for r in rows], fontsize=8)
    ax.set_xlabel(f"saving of self-hosting over the horizon, USD (base {_money(base)})")
    _money_axis(ax, "x")
    ax.legend(fontsize=7.5, loc="lower right", framealpha=0.9)
    fig.tight_layout()
    desc = (f"Tornado chart against {term(sens.api)}: for each input, the saving with the input at its low and at "
            f"its high end. Largest swing first: "
            + "; ".join(f"{term(r.variable)} {_money(r.saving_usd_low or 0)} to {_money(r.saving_usd_high or 0)}"
                        for r in rows[:5]) + ".")
    return _svg(fig, chart_id, title, desc)
