"""Pictures: terminal charts (rich, always available) and figures (matplotlib, optional extra ``plot``).

matplotlib is imported only inside the figure functions, never at start-up; without it they
raise :class:`~openvclosed.errors.InputError` saying how to install it.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from openvclosed.report.text import cell, fmt_tokens, term
from openvclosed.errors import InputError
from openvclosed.report.render import _render, fmt_months, usd
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


def render_tornado(sens, width: int | None = None, bar_width: int = 30) -> Table:
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
    t = Table(title=f"Sensitivity of the saving vs {cell(sens.api)} (base {_money_k(sens.base_saving_usd)}; "
                    f"░ input at its low end, █ at its high end)", box=box.SIMPLE_HEAVY, title_justify="left")
    for col, just in (("input", "left"), ("low .. high", "right"), ("saving: lower <- | -> higher", "center"),
                      ("at low", "right"), ("at high", "right"), ("flips at", "right")):
        t.add_column(col, justify=just, no_wrap=True)
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
        t.add_row(r.variable, f"{_fmt_value(r.low)} .. {_fmt_value(r.high)}", "".join(left) + "|" + "".join(right),
                  _money_k(r.saving_usd_low), _money_k(r.saving_usd_high), _fmt_value(r.flip_value))
    return t


def render_uncertainty(r: BreakevenResult, width: int | None = None) -> str:
    """Horizon table, Monte Carlo panel and tornado for ``ovc breakeven`` (only the sections present)."""
    parts = []
    h = r.horizon
    if h is not None:
        t = Table(title=f"Over {h.horizon_months} months: volume {h.growth_per_month:+.1%}/month, API prices "
                        f"-{h.api_price_decline_per_year:.0%}/year, discounted at {h.rate:.1%}/year (present values)",
                  box=box.SIMPLE_HEAVY, title_justify="left")
        for col in ("API", "API total", "self-host total", "saving", "cheaper", "self-host ahead from month"):
            t.add_column(col, justify="left" if col in ("API", "cheaper") else "right", no_wrap=True)
        for a in h.apis:
            t.add_row(cell(a.api), usd(a.api_usd), usd(a.selfhost_usd), usd(a.saving_usd),
                      "self-host" if a.cheaper == "selfhost" else "API", fmt_months(a.crossover_month))
        parts.append(t)
        note = (f"self-hosting buys {usd(h.selfhost_capex_usd)} of hardware over the horizon"
                + (f" and is credited {usd(h.selfhost_residual_usd)} residual book value at the end"
                   if h.residual_credited and h.selfhost_residual_usd else "")
                + (f"; {h.replicas_end:.0f} replica(s) at {fmt_tokens(h.tokens_per_day_end)} tokens/day in the last month"
                   if h.replicas_end is not None and math.isfinite(h.replicas_end) else ""))
        parts.append(Text(note, style="dim"))
    mc = r.monte_carlo
    if mc is not None:
        t = Table(title=f"Monte Carlo: {mc.n:,} draws (seed {mc.seed}), {mc.horizon_months}-month saving of "
                        f"self-hosting (API minus self-host)", box=box.SIMPLE_HEAVY, title_justify="left")
        for col in ("API", "P(self-host cheaper)", "P10", "P50", "P90", "ahead from month P10/P50/P90"):
            t.add_column(col, justify="left" if col == "API" else "right", no_wrap=True)
        for a in mc.apis:
            t.add_row(cell(a.api), f"{a.p_selfhost_cheaper:.0%}", _money_k(a.saving_usd_p10), _money_k(a.saving_usd_p50),
                      _money_k(a.saving_usd_p90),
                      " / ".join(fmt_months(x) for x in (a.crossover_month_p10, a.crossover_month_p50,
                                                           a.crossover_month_p90)))
        parts.append(t)
        parts.append(Text("uncertain inputs: " + "; ".join(
            f"{k} {d['dist']}(" + ", ".join(f"{p}={_fmt_value(v)}" for p, v in d.items()
                                            if p not in ("dist", "basis")) + ")"
            for k, d in mc.distributions.items()) + "  (docs/uncertainty.md)", style="dim"))
    s = r.sensitivity
    if s is not None and s.apis:
        parts.append(render_tornado(s.apis[0], width))
        if len(s.apis) > 1:
            parts.append(Text(f"tornado for {term(s.apis[0].api)}; the other {len(s.apis) - 1} API(s) are in --json "
                              f"(or pick one with --api)", style="dim"))
    return _render(Group(*parts), width) if parts else ""


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

    tab = Table(title=f"Monthly cost vs volume (log scale): {cell(c['title'])}", box=box.SIMPLE_HEAVY, title_justify="left")
    for col, just in (("tokens/day", "right"), ("self-host $/mo", "right"), ("cheapest API $/mo", "right"),
                      ("█ self-host  ░ cheapest API", "left"), ("cheaper", "left")):
        tab.add_column(col, justify=just, no_wrap=True)
    for i, tok in enumerate(t):
        best = min(api_costs, key=lambda k: api_costs[k][i]) if api_costs else None
        b = api_costs[best][i] if best else math.inf
        tab.add_row(fmt_tokens(tok), usd(float(sh[i])), cell(f"{usd(float(b))} {best or ''}"),
                    bar(sh[i], "█") + "\n" + bar(b, "░"), "self-host" if sh[i] < b else "API")
    notes = [Text("break-even: " + ("; ".join(f"{term(api)} at {fmt_tokens(be)} tokens/day" for api, be, _ in c["breakevens"])
                                    if c["breakevens"] else "self-hosting never beats the APIs compared"))]
    return _render(Group(tab, *notes), width)


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


def plot_cost(curves: dict, path: str | Path | None = None, *, force: bool = False, inputs=()):
    """Monthly cost vs tokens/day on log axes; each API a line, self-hosting a staircase, break-evens marked.

    Returns the matplotlib Figure (saved to ``path`` if given). Break-even markers carry
    ``gid="breakeven"`` and a text label ``"<api>: <tokens>/day"``.
    """
    plt = _pyplot()
    if path is not None:
        _check_suffix(Path(path))
    fig, ax = plt.subplots(figsize=(10, 6.5))
    t = curves["tokens_per_day"]
    for label, y in curves["apis"].items():
        ax.plot(t, y, lw=1.4, label=_mpl(label))
    sh = curves["selfhost_usd_per_month"]
    if np.any(np.isfinite(sh)):
        ax.plot(t, np.where(np.isfinite(sh), sh, np.nan), color="black", lw=2.2, drawstyle="steps-post",
                label="self-host (whole replicas)", gid="selfhost")
    merged: dict[float, list] = {}  # APIs with the same price share one marker
    for label, be, cost in curves["breakevens"]:
        merged.setdefault(float(f"{be:.6g}"), [be, cost, []])[2].append(label)
    for i, (be, cost, labels) in enumerate(sorted(merged.values())):
        ax.plot([be], [cost], marker="o", ms=7, color="crimson", ls="none", gid="breakeven")
        ax.annotate(f"{_mpl(', '.join(labels))}: {fmt_tokens(be)}/day", (be, cost), xytext=(6, 8 + 12 * (i % 3)),
                    textcoords="offset points", fontsize=8, color="crimson", gid="breakeven-label")
    v = curves.get("volume")
    if v and t[0] <= v <= t[-1]:
        ax.axvline(v, color="grey", ls=":", lw=1, label=f"your volume ({fmt_tokens(v)}/day)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("tokens per day (input + output)")
    ax.set_ylabel("USD per month")
    ax.set_title(f"Monthly cost vs volume: {_mpl(curves['title'])}")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    if path is not None:
        _save(fig, path, force, inputs)
    return fig


def plot_montecarlo(saving_usd: np.ndarray, api: str, path: str | Path | None = None, bins: int = 60,
                    horizon_months: int | None = None, *, force: bool = False, inputs=()):
    """Histogram of Monte Carlo savings (API minus self-host, USD) with P10/P50/P90 and zero marked."""
    plt = _pyplot()
    if path is not None:
        _check_suffix(Path(path))
    x = np.asarray(saving_usd, dtype=float)
    finite = x[np.isfinite(x)]
    fig, ax = plt.subplots(figsize=(9, 5.5))
    if finite.size:
        ax.hist(finite, bins=bins, color="steelblue", alpha=0.8)
    p = float(np.mean(x > 0))
    for q, style in ((10, ":"), (50, "-"), (90, ":")):
        if finite.size:
            val = float(np.quantile(x, q / 100, method="inverted_cdf"))
            if math.isfinite(val):
                ax.axvline(val, color="black", ls=style, lw=1, gid=f"p{q}")
                ax.annotate(f"P{q} {_money_k(val)}", (val, ax.get_ylim()[1] * 0.95), rotation=90, fontsize=8,
                            ha="right", va="top")
    ax.axvline(0, color="crimson", lw=1.5, gid="zero")
    h = f"{horizon_months}-month " if horizon_months else ""
    ax.set_title(f"Monte Carlo {h}saving of self-hosting vs {_mpl(api)}: P(self-host cheaper) = {p:.0%} ({x.size:,} draws)")
    ax.set_xlabel(f"{h}saving, USD (API minus self-host; > 0 = self-hosting cheaper)")
    ax.set_ylabel("draws")
    fig.tight_layout()
    if path is not None:
        _save(fig, path, force, inputs)
    return fig
