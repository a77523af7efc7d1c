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
import json
import math
import re

from openvclosed.errors import InputError
from openvclosed.report.text import fmt_tokens, term

__all__ = ["cost_svg", "cumulative_svg", "histogram_svg", "tornado_svg", "page_styles", "OKABE_ITO"]

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


def _key(line) -> str:
    """The option a series draws (its id), what styles and break-even labels key on."""
    return line.option or line.label


def page_styles(*charts) -> dict[str, tuple]:
    """One colour and line style per option for every chart of a page (self-hosting: black, solid).

    >>> from types import SimpleNamespace as N
    >>> a, b = N(label="x", kind="closed-api", option="x"), N(label="y", kind="closed-api", option="y")
    >>> s = page_styles(N(apis=[a, b]), N(lines=[b, a]))
    >>> s["x"] != s["y"] and len(s) == 2
    True
    """
    out: dict[str, tuple] = {}
    for c in charts:
        for line in (getattr(c, "apis", None) or getattr(c, "lines", None) or []) if c is not None else []:
            k = _key(line)
            if k not in out and not line.kind.startswith("self-host"):
                i = len(out)
                out[k] = (OKABE_ITO[i % 7], _DASHES[(i + i // 7) % len(_DASHES)])
    return out


def _style(styles: dict | None, line, i: int) -> tuple:
    if styles and _key(line) in styles:
        return styles[_key(line)]
    return OKABE_ITO[i % 7], _DASHES[i % len(_DASHES)]


def _drawn(ax, options: list[str]) -> tuple[list[str], list[str]]:
    """The options drawn and the legend's entries, for the page's data attributes (tests read them)."""
    leg = ax.get_legend()
    return options, [t.get_text() for t in leg.get_texts()] if leg is not None else []


MAX_LINES = 6
"""At most this many options drawn as lines per chart; the rest become one grey band."""


def _grouped(lines, y_of, keep: int = MAX_LINES - 1):
    """The lines to draw (cheapest by ``y_of``, hybrids always) and the rest, to be drawn as one band.

    >>> from types import SimpleNamespace as N
    >>> ls = [N(label=str(i), kind="closed-api", y=[i]) for i in range(8)]
    >>> [x.label for x in _grouped(ls, lambda x: x.y[0], keep=3)[0]], len(_grouped(ls, lambda x: x.y[0], 3)[1])
    (['0', '1', '2'], 5)
    """
    if len(lines) <= keep + 1:
        return list(lines), []

    def rank(x):
        v = y_of(x)
        return (x.kind != "hybrid", v if v is not None and math.isfinite(v) else math.inf)

    chosen = {id(x) for x in sorted(lines, key=rank)[:keep]}
    return [x for x in lines if id(x) in chosen], [x for x in lines if id(x) not in chosen]


def _band(ax, x, rest, arr, **kw) -> str | None:
    """The grouped options as one grey band (their lowest to highest cost); returns its legend label."""
    import numpy as np

    if not rest:
        return None
    ys = np.vstack([arr(r.y) for r in rest])
    with np.errstate(all="ignore"):
        lo, hi = np.nanmin(ys, axis=0), np.nanmax(ys, axis=0)
    label = f"{len(rest)} other options (range)"
    ax.fill_between(x, lo, hi, color="#999999", alpha=0.25, lw=0, label=label, **kw)
    return label


def _svg(fig, chart_id: str, title: str, desc: str, drawn: tuple[list[str], list[str]] | None = None) -> str:
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
                        f'aria-label="{html.escape(title, quote=True)}" preserveAspectRatio="xMidYMid meet"'
                        + (f' data-options="{html.escape(json.dumps(drawn[0]), quote=True)}"'
                           f' data-legend="{html.escape(json.dumps(drawn[1]), quote=True)}"' if drawn else "")
                        + ">")
    alt = f'<title id="{tid}">{html.escape(title)}</title><desc id="{did}">{html.escape(desc)}</desc>'
    return s[:m.start()] + head + alt + s[m.end():].rstrip() + "\n"


def _fig(plt, w=8.0, h=4.6):
    fig, ax = plt.subplots(figsize=(w, h))
    ax.grid(True, which="major", alpha=0.3)
    return fig, ax


def cost_svg(c, chart_id: str, styles: dict | None = None) -> str:
    """Monthly cost against volume (log axes): APIs as lines, self-hosting as a staircase."""
    import numpy as np

    _, plt = _plt()
    fig, ax = _fig(plt)
    t = np.asarray(c.tokens_per_day, dtype=float)

    def arr(y):
        return np.array([np.nan if v is None else v for v in y], dtype=float)

    at = int(np.argmin(np.abs(np.log(t) - math.log(c.volume)))) if c.volume else len(t) // 2
    shown, rest = _grouped(c.apis, lambda x: x.y[at] if x.y[at] is not None else math.inf)
    band = _band(ax, t, rest, arr)
    for i, line in enumerate(shown):
        color, dash = _style(styles, line, i)
        ax.plot(t, arr(line.y), lw=1.8, color=color, ls=dash, label=_mpl(line.label))
    if c.selfhost is not None and np.any(np.isfinite(arr(c.selfhost.y))):
        ax.plot(t, arr(c.selfhost.y), color="#000000", lw=2.4, drawstyle="steps-post", label=_mpl(c.selfhost.label))
    labelled: list[float] = []  # a label only for lines drawn, never within 0.4 decades of another
    names = {_key(x) for x in shown}
    for i, p in enumerate(sorted(c.breakevens, key=lambda p: p.x)):
        if t[0] <= p.x <= t[-1]:
            ax.plot([p.x], [p.y], marker="o", ms=8, color=_VERMILLION, mec="white", ls="none",
                    label="break-even" if i == 0 else None)
            if p.label not in names or any(abs(math.log10(p.x / x)) < 0.4 for x in labelled) or len(labelled) >= 4:
                continue
            labelled.append(p.x)
            ax.annotate(_mpl(f"{fmt_tokens(p.x)}/day vs {p.label}"), (p.x, p.y), xytext=(6, 7 + 11 * (len(labelled) % 2)),
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
    drawn = [x.label for x in shown] + ([c.selfhost.label] if c.selfhost is not None else []) + ([band] if band else [])
    return _svg(fig, chart_id, term(c.title), desc, _drawn(ax, drawn))


def cumulative_svg(c, chart_id: str, styles: dict | None = None) -> str:
    """Cumulative spend by month, crossover month marked."""
    import numpy as np

    _, plt = _plt()
    fig, ax = _fig(plt)
    m = np.asarray(c.months, dtype=float)

    def arr(y):
        return np.array([np.nan if v is None else v for v in y], dtype=float)

    sh = [x for x in c.lines if x.kind.startswith("self-host")]
    shown, rest = _grouped([x for x in c.lines if not x.kind.startswith("self-host")],
                           lambda x: x.y[-1] if x.y and x.y[-1] is not None else math.inf)
    band = _band(ax, m, rest, arr, step="post")
    shown = sh + shown
    for i, line in enumerate(shown):
        y = arr(line.y)
        selfhost = line.kind.startswith("self-host")
        color, dash = ("#000000", "-") if selfhost else _style(styles, line, i)
        ax.plot(m, y, lw=2.4 if selfhost else 1.8, color=color, ls=dash, label=_mpl(line.label),
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
    return _svg(fig, chart_id, term(c.title), desc, _drawn(ax, [x.label for x in shown] + ([band] if band else [])))


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
