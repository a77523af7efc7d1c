"""Plots: figure artists (labelled break-even markers), files written; terminal chart; missing matplotlib."""

import builtins

import pytest

NO_STALE = ["--max-age-days", "100000"]


def test_cost_figure_marks_labelled_breakevens(run):
    pytest.importorskip("matplotlib")
    from openvclosed.decision.breakeven import run_breakeven
    from openvclosed.decision.assumptions import Assumptions
    from openvclosed.catalog import load_catalog
    from openvclosed.decision.curves import cost_curves
    from openvclosed.report.plots import plot_cost
    from openvclosed.units import parse_hw_spec

    r = run_breakeven(load_catalog([], include_env=False), 5e8, parse_hw_spec("2x4090"), Assumptions(),
                      model_name="llama-3.1-8b", max_age_days=100000)
    c = cost_curves(r, 1e6, 1e10)
    fig = plot_cost(c)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    markers = [ln for ln in ax.lines if ln.get_gid() == "breakeven"]
    winners = {a.api for a in r.apis if a.breakeven_tokens_per_day < float("inf")}
    assert winners and len(markers) >= 1
    labels = " ".join(t.get_text() for t in ax.texts if t.get_gid() == "breakeven-label")
    assert all(w in labels for w in winners)
    dpm = r.assumptions["days_per_month"]
    for ln in markers:  # each marker sits on a winner's API line at that winner's break-even volume
        x, y = ln.get_xdata()[0], ln.get_ydata()[0]
        hit = [a for a in r.apis if a.api in winners and x == pytest.approx(a.breakeven_tokens_per_day, rel=1e-9)]
        assert hit and y == pytest.approx(x / 1e6 * hit[0].usd_per_mtok * dpm, rel=1e-9)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "self-host (whole replicas)" in legend
    assert all(any(x == a.api or x.startswith(a.api + " (same price as ") for x in legend) for a in r.apis)
    # equal-price APIs: grouped in the legend, told apart by line style (and colour)
    from openvclosed.report.plots import same_price_groups

    groups = [g for g in same_price_groups(c["apis"]) if len(g) > 1]
    assert groups, "the bundled catalog has APIs at the same price"
    by_label = {ln.get_label(): ln for ln in ax.lines}
    for g in groups:
        assert f"{g[1]} (same price as {g[0]})" in legend
        first, second = by_label[g[0]], by_label[f"{g[1]} (same price as {g[0]})"]
        assert first.get_linestyle() != second.get_linestyle() and first.get_color() != second.get_color()
    # each break-even label is in its line's colour, next to its marker
    colours = {ln.get_label().split(" (same price")[0]: ln.get_color() for ln in ax.lines}
    for t in (t for t in ax.texts if t.get_gid() == "breakeven-label"):
        api = t.get_text().split(":")[0].split(", ")[0]
        assert t.get_color() == colours[api]
        be = next(a.breakeven_tokens_per_day for a in r.apis if a.api == api)
        assert t.xy[1] == pytest.approx(be / 1e6 * next(a.usd_per_mtok for a in r.apis if a.api == api) * dpm,
                                        rel=1e-9)  # on the API's line at its break-even
    # dollar axis, and a title that fits (wrapped, never cut)
    fig.canvas.draw()
    assert any(x.get_text().replace("\\", "").startswith("$") for x in ax.get_yticklabels())  # \$: not mathtext
    assert all(len(line) <= 80 for line in ax.get_title().split("\n"))
    import matplotlib.pyplot as plt

    plt.close(fig)


@pytest.mark.parametrize("suffix,min_bytes", [(".png", 20_000), (".svg", 20_000)])
def test_plot_cost_cli_writes_file(run, tmp_path, suffix, min_bytes):
    pytest.importorskip("matplotlib")
    out = tmp_path / f"cost{suffix}"
    r = run("plot", "cost", "-o", str(out), "-g", "2x4090", "-m", "llama-3.1-8b", "-t", "5e8", *NO_STALE)
    assert r.exit_code == 0, r.output
    assert out.stat().st_size > min_bytes
    if suffix == ".png":
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        import matplotlib.image as mpimg

        h, w = mpimg.imread(out).shape[:2]
        assert (w, h) == (1000, 650)  # figsize 10 x 6.5 in at 100 dpi
    else:
        assert "<svg" in out.read_text()[:500]


def test_plot_montecarlo_cli(run, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "mc.png"
    r = run("plot", "montecarlo", "-o", str(out), "-t", "5e8", "-m", "llama-3.1-8b", "-a",
            "google/gemini-3.5-flash-lite", "-n", "5000", *NO_STALE)
    assert r.exit_code == 0, r.output
    assert "P(self-host cheaper" in r.stdout and out.stat().st_size > 10_000


def _row(x, bins):
    """A Monte Carlo result row of the draws ``x``, as the decision builds it."""
    import numpy as np

    from openvclosed.decision.uncertainty import histogram
    from openvclosed.results import MonteCarloApi

    q = {f"saving_usd_p{p}": float(np.quantile(x, p / 100, method="inverted_cdf")) for p in (10, 50, 90)}
    return MonteCarloApi(api="some/api", p_selfhost_cheaper=float(np.mean(x > 0)), saving_usd_mean=float(x.mean()),
                         crossover_month_p10=None, crossover_month_p50=None, crossover_month_p90=None,
                         histogram=histogram(x, bins), **q)


def test_montecarlo_histogram_artists():
    pytest.importorskip("matplotlib")
    import numpy as np

    from openvclosed.report.plots import plot_montecarlo

    x = np.random.default_rng(0).normal(1000, 500, 5000)
    fig = plot_montecarlo(_row(x, 40), x.size, "some/api")
    ax = fig.axes[0]
    assert len(ax.patches) == 1 and len(ax.patches[0].get_path().vertices) > 40  # one filled staircase of 40 bins
    assert {ln.get_gid() for ln in ax.lines} >= {"p10", "p50", "p90", "zero"}
    assert "P(self-host cheaper) =" in ax.get_title()
    fig.canvas.draw()
    assert any(t.get_text().replace("\\", "").startswith("$") for t in ax.get_xticklabels())  # dollars, not 1e3


def test_montecarlo_marks_point_estimate_and_explains_sign():
    pytest.importorskip("matplotlib")
    import numpy as np

    from openvclosed.report.plots import plot_montecarlo, sign_note

    x = np.random.default_rng(0).lognormal(0, 1, 5000) * 1000 - 2500  # skewed: median below zero
    p50 = float(np.quantile(x, 0.5, method="inverted_cdf"))
    assert p50 < 0
    fig = plot_montecarlo(_row(x, 40), x.size, "some/api", point_usd=7700.0)
    ax = fig.axes[0]
    assert {ln.get_gid() for ln in ax.lines} >= {"p10", "p50", "p90", "zero", "point"}
    notes = [t.get_text() for t in fig.texts if t.get_gid() == "sign-note"]
    assert len(notes) == 1 and "differ in" in notes[0] and "skewed" in notes[0]
    assert sign_note(7700.0, -9600.0).count(".") >= 1 and sign_note(7700.0, 5.0) is None
    assert sign_note(None, -1.0) is None


def test_terminal_cost_chart(run):
    r = run("plot", "cost", "--terminal", "-g", "2x4090", "-m", "llama-3.1-8b", *NO_STALE)
    assert r.exit_code == 0, r.output
    assert "█" in r.stdout and "░" in r.stdout and "break-even:" in r.stdout


def test_without_matplotlib_says_how_to_install(run, monkeypatch, tmp_path):
    real_import = builtins.__import__

    def fake(name, *a, **kw):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(name)
        return real_import(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", fake)
    r = run("plot", "cost", "-o", str(tmp_path / "x.png"), "-m", "llama-3.1-8b", *NO_STALE)
    assert r.exit_code == 2
    assert "pip install 'openvclosed[plot]'" in r.stderr and r.stderr.strip().count("\n") == 0


def test_matplotlib_not_imported_at_startup():
    import subprocess
    import sys

    code = "import sys, openvclosed.cli; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
