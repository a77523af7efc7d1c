"""Pictures: terminal charts (rich, always available) and figures (matplotlib, optional extra ``plot``).

matplotlib is imported only inside the figure functions, never at start-up; without it they
raise :class:`~openvclosed.errors.InputError` saying how to install it.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from rich.console import Group
from rich.text import Text

from openvclosed.report.text import cell, fmt_months, fmt_tokens, render_text, term, usd
from openvclosed.errors import InputError
from openvclosed.results import BreakevenResult

__all__ = ["render_uncertainty", "render_tornado", "render_cost_terminal", "plot_cost",
           "plot_montecarlo", "FIGURE_SUFFIXES", "INSTALL_HINT"]

FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
INSTALL_HINT = ("plotting needs matplotlib: pip install 'openvclosed[plot]' (or pip install matplotlib); "
                "`ovc plot cost --terminal` draws without it")


def _money_k(v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if math.isinf(v):
        return "never fits" if v < 0 else "inf"
    a = abs(v)
    s = f"${a / 1e6:.2f}M" if a >= 1e6 else (f"${a / 1e3:.1f}k" if a >= 1e3 else f"${a:.0f}")
    return ("-" if v < 0 else "") + s


def _fmt_value(v: float | None) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "never"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def render_tornado(sens, width: int | None = None, bar_width: int = 30):
    """Tornado of one API's sensitivity (a :class:`SensitivityApi`): bars from the base saving."""
    base = sens.base_saving_usd if sens.base_saving_usd is not None else -math.inf
    deltas = []
    for r in sens.rows:
        lo = (r.saving_usd_low if r.saving_usd_low is not None else -math.inf) - base
        hi = (r.saving_usd_high if r.saving_usd_high is not None else -math.inf) - base
        deltas.append((0.0 if math.isnan(lo) else lo, 0.0 if math.isnan(hi) else hi))
    finite = [abs(x) for pair in deltas for x in pair if math.isfinite(x)]
    scale = max(finite) if finite and max(finite) > 0 else 1.0
    half = bar_width // 2
    from openvclosed.report.layout import Col, fit_table

    cols = [Col("input"), Col("low..high", "right"), Col("saving: lower <- | -> higher", "center"),
            Col("at low", "right"), Col("at high", "right"), Col("flips at", "right", drop=1)]
    rows = []
    for r, (dl, dh) in zip(sens.rows, deltas):
        left = [" "] * half
        right = [" "] * half
        for d, ch in ((dl, "░"), (dh, "█")):
            n = half if not math.isfinite(d) else int(round(min(abs(d) / scale, 1.0) * half))
            side = left if d < 0 else right
            for i in range(n):
                idx = half - 1 - i if side is left else i
                if side[idx] == " " or ch == "█":
                    side[idx] = ch
        rows.append([cell(r.variable), f"{_fmt_value(r.low)}..{_fmt_value(r.high)}",
                     "".join(left) + "|" + "".join(right), _money_k(r.saving_usd_low), _money_k(r.saving_usd_high),
                     _fmt_value(r.flip_value)])
    t, note = fit_table(cols, rows, width or 100, title=(
        f"Sensitivity of the saving vs {cell(sens.api)} (base {_money_k(sens.base_saving_usd)}; "
        f"░ input at its low end, █ at its high end)"))
    if note:
        return Group(t, note)
    return t


def render_uncertainty(r: BreakevenResult, width: int | None = None) -> str:
    """Horizon table, Monte Carlo panel and tornado for ``ovc breakeven`` (only the sections present)."""
    from openvclosed.report.layout import Col, fit_table
    from openvclosed.report.text import terminal_width

    width = width or terminal_width()
    parts = []
    h = r.horizon
    if h is not None:
        cols = [Col("API"), Col("API total", "right"), Col("self-host total", "right"), Col("saving", "right"),
                Col("cheaper", drop=1), Col("self-host ahead from month", "right")]
        rows = [[cell(a.api), usd(a.api_usd), usd(a.selfhost_usd), usd(a.saving_usd),
                 "self-host" if a.cheaper == "selfhost" else "API", fmt_months(a.crossover_month)] for a in h.apis]
        t, lo = fit_table(cols, rows, width, title=(
            f"Over {h.horizon_months} months: volume {h.growth_per_month:+.1%}/month, API prices "
            f"-{h.api_price_decline_per_year:.0%}/year, discounted at {h.rate:.1%}/year (present values)"))
        t = Group(t, lo) if lo else t
        parts.append(t)
        note = (f"self-hosting buys {usd(h.selfhost_capex_usd)} of hardware over the horizon"
                + (f" and is credited {usd(h.selfhost_residual_usd)} residual book value at the end"
                   if h.residual_credited and h.selfhost_residual_usd else "")
                + (f"; {h.replicas_end:.0f} replica(s) at {fmt_tokens(h.tokens_per_day_end)} tokens/day in the last month"
                   if h.replicas_end is not None and math.isfinite(h.replicas_end) else ""))
        parts.append(Text(note, style="dim"))
    mc = r.monte_carlo
    if mc is not None:
        cols = [Col("API"), Col("P(self-host cheaper)", "right"), Col("P10", "right"), Col("P50", "right"),
                Col("P90", "right"), Col("ahead from month P10 / P50 / P90", "right", wrap=True, drop=1)]
        rows = [[cell(a.api), f"{a.p_selfhost_cheaper:.0%}", _money_k(a.saving_usd_p10), _money_k(a.saving_usd_p50),
                 _money_k(a.saving_usd_p90),
                 " / ".join(fmt_months(x) for x in (a.crossover_month_p10, a.crossover_month_p50,
                                                      a.crossover_month_p90))] for a in mc.apis]
        t, lo = fit_table(cols, rows, width, title=(
            f"Monte Carlo: {mc.n:,} draws (seed {mc.seed}), {mc.horizon_months}-month saving of "
            f"self-hosting (API minus self-host)"))
        t = Group(t, lo) if lo else t
        parts.append(t)
        points = {a.api: a.saving_usd for a in (h.apis if h is not None else [])}
        for a in mc.apis:
            note = sign_note(points.get(a.api), a.saving_usd_p50)
            if note:
                parts.append(Text(f"{term(a.api)}: {note}"))
        parts.append(Text("uncertain inputs: " + "; ".join(
            f"{k} {d['dist']}(" + ", ".join(f"{p}={_fmt_value(v)}" for p, v in d.items()
                                            if p not in ("dist", "basis")) + ")"
            for k, d in mc.distributions.items()) + "  (docs/uncertainty.md)", style="dim"))
    s = r.sensitivity
    if s is not None and s.apis:
        parts.append(render_tornado(s.apis[0], width, bar_width=30 if width >= 100 else 16))
        if len(s.apis) > 1:
            parts.append(Text(f"tornado for {term(s.apis[0].api)}; the other {len(s.apis) - 1} API(s) are in --json "
                              f"(or pick one with --api)", style="dim"))
    return render_text(Group(*parts), width) if parts else ""


# --- cost vs volume -------------------------------------------------------------------------------

def render_cost_terminal(c: dict, bar_width: int = 36, width: int | None = None) -> str:
    """Cost vs volume as rich bars (log scale): self-hosting █ against the cheapest API ░ at each volume.

    ``c`` is :func:`openvclosed.decision.curves.cost_curves` at a few points (one row each)."""
    t = c["tokens_per_day"]
    sh = c["selfhost_usd_per_month"]
    api_costs = c["apis"]
    vals = [v for v in np.concatenate([sh] + list(api_costs.values())) if np.isfinite(v) and v > 0]
    lo, hi = (min(vals), max(vals)) if vals else (1.0, 10.0)
    span = max(math.log10(hi) - math.log10(lo), 1e-9)

    def bar(v, ch):
        if not np.isfinite(v):
            return "(does not fit)"
        n = 1 + int(round((math.log10(max(v, lo)) - math.log10(lo)) / span * (bar_width - 1)))
        return ch * n

    from openvclosed.report.layout import Col, fit_table
    from openvclosed.report.text import terminal_width

    width = width or terminal_width()
    names = [min(api_costs, key=lambda k: api_costs[k][i]) if api_costs else None for i in range(len(t))]
    name_w = max([len(n) for n in names if n] + [4])
    # the bars get what the numbers and the API id leave
    bar_width = max(8, min(bar_width, width - (5 + 9 + 9 + name_w + 9 + 2 * 5)))
    rows = []
    for i, tok in enumerate(t):
        best = names[i]
        b = api_costs[best][i] if best else math.inf
        rows.append([fmt_tokens(tok), usd(float(sh[i])), usd(float(b)), cell(best or "-"),
                     bar(sh[i], "█") + "\n" + bar(b, "░"), "self-host" if sh[i] < b else "API"])
    cols = [Col("tokens/day", "right"), Col("self-host $/mo", "right"), Col("cheapest API $/mo", "right"),
            Col("cheapest API", drop=2), Col("█ self-host ░ cheapest API"), Col("cheaper", drop=1)]
    tab, note = fit_table(cols, rows, width, title=f"Monthly cost vs volume (log scale): {cell(c['title'])}")
    if note:
        tab = Group(tab, note)
    notes = [Text("break-even: " + ("; ".join(f"{term(api)} at {fmt_tokens(be)} tokens/day" for api, be, _ in c["breakevens"])
                                    if c["breakevens"] else "self-hosting never beats the APIs compared"))]
    return render_text(Group(tab, *notes), width)


# --- matplotlib figures ---------------------------------------------------------------------------

def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _check_suffix(path: Path) -> None:
    if path.suffix.lower() not in FIGURE_SUFFIXES:
        raise InputError(f"-o: {str(path)!r} must end in {', '.join(FIGURE_SUFFIXES)}")


def _mpl(s: object) -> str:
    """Untrusted text for a matplotlib label: terminal-safe, and ``$`` escaped so it is never
    parsed as mathtext (a bad formula would abort the figure)."""
    return term(s).replace("$", r"\$")


def _save(fig, path, force: bool, inputs) -> None:
    """Write the figure atomically (temp + rename; refuses symlinks, inputs, and an existing
    file without ``force``)."""
    from openvclosed.fileio import write_stream_atomic

    fmt = Path(path).suffix.lower().lstrip(".")
    with write_stream_atomic(path, force=force, inputs=inputs, what="--output", binary=True) as fh:
        fig.savefig(fh, format=fmt)


def _wrap_title(text: str, width: int = 72) -> str:
    """A figure title on as many lines as it needs (matplotlib never wraps; a long one is cut)."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _dollar_axis(axis) -> None:
    """Dollar tick labels ($1.2k, -$150k, $2.5M) instead of 1e5 or -150000."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _pos: _mpl(_money_k(v))))


LINE_STYLES = ("-", "--", ":", "-.")


def same_price_groups(apis: dict) -> list[list[str]]:
    """API labels grouped when their cost curves are equal (same price): they would hide each other."""
    groups: list[list[str]] = []
    for label, y in apis.items():
        y = np.asarray(y, dtype=float)
        for g in groups:
            if np.allclose(np.asarray(apis[g[0]], dtype=float), y, rtol=1e-9, equal_nan=True):
                g.append(label)
                break
        else:
            groups.append([label])
    return groups


def plot_cost(curves: dict, path: str | Path | None = None, *, force: bool = False, inputs=()):
    """Monthly cost vs tokens/day on log axes; each API a line, self-hosting a staircase, break-evens marked.

    APIs with the same price share a colour, differ in line style and are grouped in the legend
    ("same price as ..."); each break-even marker sits at its point, labelled in its line's colour.
    Returns the matplotlib Figure (saved to ``path`` if given). Break-even markers carry
    ``gid="breakeven"`` and a text label ``"<api>: <tokens>/day"``.
    """
    plt = _pyplot()
    if path is not None:
        _check_suffix(Path(path))
    fig, ax = plt.subplots(figsize=(10, 6.5))
    t = curves["tokens_per_day"]
    colour: dict[str, str] = {}
    cmap = plt.get_cmap("tab20" if len(curves["apis"]) > 10 else "tab10")
    n = 0
    for group in same_price_groups(curves["apis"]):
        for k, label in enumerate(group):
            c = cmap(n % cmap.N)
            n += 1
            colour[label] = c
            name = _mpl(label) if k == 0 else f"{_mpl(label)} (same price as {_mpl(group[0])})"
            # same price: the later lines are dashed/dotted on top, so both colours show
            ax.plot(t, curves["apis"][label], lw=2.4 if k == 0 else 1.6, ls=LINE_STYLES[k % len(LINE_STYLES)],
                    color=c, label=name, zorder=2 + k)
    sh = curves["selfhost_usd_per_month"]
    if np.any(np.isfinite(sh)):
        ax.plot(t, np.where(np.isfinite(sh), sh, np.nan), color="black", lw=2.2, drawstyle="steps-post",
                label="self-host (whole replicas)", gid="selfhost")
    merged: dict[float, list] = {}  # APIs with the same price share one marker
    for label, be, cost in curves["breakevens"]:
        merged.setdefault(float(f"{be:.6g}"), [be, cost, []])[2].append(label)
    for i, (be, cost, labels) in enumerate(sorted(merged.values())):
        c = colour.get(labels[0], "black")
        ax.plot([be], [cost], marker="o", ms=7, color=c, markeredgecolor="black", ls="none", gid="breakeven")
        dy = (14 + 13 * (i // 2)) * (1 if i % 2 == 0 else -1)  # alternate above/below, fanned out
        left = math.log(be / t[0]) < 0.45 * math.log(t[-1] / t[0])  # label on the side with room
        ax.annotate(f"{_mpl(', '.join(labels))}: {fmt_tokens(be)}/day", (be, cost), xytext=(30 if left else -30, dy),
                    textcoords="offset points", fontsize=7.5, color=c, ha="left" if left else "right", va="center",
                    arrowprops={"arrowstyle": "-", "color": c, "lw": 0.8}, gid="breakeven-label",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    v = curves.get("volume")
    if v and t[0] <= v <= t[-1]:
        ax.axvline(v, color="grey", ls=":", lw=1, label=f"your volume ({fmt_tokens(v)}/day)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    _dollar_axis(ax.yaxis)
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: fmt_tokens(x)))
    ax.set_xlabel("tokens per day (input + output)")
    ax.set_ylabel("cost per month (USD)")
    ax.set_title(_wrap_title(f"Monthly cost vs volume: {_mpl(curves['title'])}"), fontsize=11)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    if path is not None:
        _save(fig, path, force, inputs)
    return fig


def sign_note(point_usd: float | None, p50_usd: float | None) -> str | None:
    """One sentence when the point estimate and the Monte Carlo median disagree in sign."""
    if point_usd is None or p50_usd is None or not (math.isfinite(point_usd) and math.isfinite(p50_usd)):
        return None
    if (point_usd > 0) == (p50_usd > 0) or point_usd == 0 or p50_usd == 0:
        return None
    return (f"The point estimate ({_money_k(point_usd)}) and the Monte Carlo P50 ({_money_k(p50_usd)}) differ in "
            "sign because the point estimate puts every uncertain input at its central value while their "
            "distributions are skewed (docs/uncertainty.md), so most draws land on the other side of zero.")


def plot_montecarlo(row, n: int, api: str, path: str | Path | None = None, horizon_months: int | None = None, *,
                    point_usd: float | None = None, force: bool = False, inputs=()):
    """Histogram of Monte Carlo savings (API minus self-host, USD) from a result row (its
    ``histogram`` of the draws and their P10/P50/P90), the point estimate and zero marked; a footnote
    says why when P50 and the point estimate disagree in sign."""
    plt = _pyplot()
    if path is not None:
        _check_suffix(Path(path))
    fig, ax = plt.subplots(figsize=(9, 5.5))
    h = row.histogram
    if h:
        ax.stairs(h["counts"], h["edges"], fill=True, color="steelblue", alpha=0.8)
    p = row.p_selfhost_cheaper
    top = ax.get_ylim()[1]
    p50 = row.saving_usd_p50
    for q, style in ((10, ":"), (50, "-"), (90, ":")):
        val = getattr(row, f"saving_usd_p{q}")
        if val is not None and math.isfinite(val):
            ax.axvline(val, color="black", ls=style, lw=1.2, gid=f"p{q}")
            ax.annotate(_mpl(f"P{q} {_money_k(val)}"), (val, top * 0.97), rotation=90, fontsize=8,
                        ha="right", va="top")
    if point_usd is not None and math.isfinite(point_usd):
        ax.axvline(point_usd, color="darkorange", ls="--", lw=1.8, gid="point")
        ax.annotate(_mpl(f"point estimate {_money_k(point_usd)}"), (point_usd, top * 0.97), rotation=90,
                    fontsize=8, ha="left", va="top", color="darkorange")
    ax.axvline(0, color="crimson", lw=1.5, gid="zero")
    h = f"{horizon_months}-month " if horizon_months else ""
    ax.set_title(_wrap_title(f"Monte Carlo {h}saving of self-hosting vs {_mpl(api)}: "
                             f"P(self-host cheaper) = {p:.0%} ({n:,} draws)", 70), fontsize=11)
    _dollar_axis(ax.xaxis)
    ax.set_xlabel(f"{h}saving in USD (API minus self-host; > 0 = self-hosting cheaper)")
    ax.set_ylabel("draws")
    note = sign_note(point_usd, p50)
    if note:
        fig.text(0.01, 0.01, _wrap_title(_mpl(note), 120), fontsize=7, va="bottom", gid="sign-note")
        fig.tight_layout(rect=(0, 0.07, 1, 1))
    else:
        fig.tight_layout()
    if path is not None:
        _save(fig, path, force, inputs)
    return fig
