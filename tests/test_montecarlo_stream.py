"""Monte Carlo in fixed memory (issue 28 item 7): above EXACT_CELLS draws x APIs the draws are streamed
from the same seed and summarised exactly; memory no longer grows with the number of draws."""

import tracemalloc

import numpy as np
import pytest

from openvclosed.engine import montecarlo as mc
from openvclosed.engine import streamstats as ss
from tests.test_montecarlo import BASE, _inputs

_KEYS = ["p_selfhost_cheaper", "saving_usd_mean", "saving_usd_p10", "saving_usd_p50", "saving_usd_p90",
         "crossover_month_p10", "crossover_month_p50", "crossover_month_p90"]


@pytest.mark.parametrize("apis", [2.0, [0.3, 2.0, 15.0]])
def test_streamed_summary_equals_the_exact_one(monkeypatch, apis):
    exact = mc.monte_carlo_breakeven(_inputs(BASE), apis, n=20_000, seed=5, histogram_bins=40)
    monkeypatch.setattr(mc, "EXACT_CELLS", 0)
    monkeypatch.setattr(ss, "COLLECT", 50)  # force several refinement passes
    monkeypatch.setattr(ss, "BINS", 16)
    monkeypatch.setattr(mc, "CHUNK_CELLS", 3000)
    streamed = mc.monte_carlo_breakeven(_inputs(BASE), apis, n=20_000, seed=5, histogram_bins=40)
    for k in _KEYS:
        a, b = np.asarray(exact[k]), np.asarray(streamed[k])
        assert a.shape == b.shape
        if k == "saving_usd_mean":  # a sum in another order
            np.testing.assert_allclose(b, a, rtol=1e-12)
        else:
            assert np.array_equal(a, b), k
    assert streamed["saving_usd_histogram"] == exact["saving_usd_histogram"]


def test_the_histogram_is_numpys_of_the_finite_savings():
    r = mc.monte_carlo_breakeven(_inputs(BASE), 2.0, n=3000, seed=1, histogram_bins=40, keep_samples=True)
    counts, edges = np.histogram(r["saving_usd"][np.isfinite(r["saving_usd"])], bins=40)
    assert r["saving_usd_histogram"] == {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]}


def _peak_bytes(n: int) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    mc.monte_carlo_breakeven(_inputs(BASE), 2.0, n=n, seed=3, histogram_bins=40)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_memory_does_not_grow_with_the_draws(monkeypatch):
    # chunks of 4096 draws in both runs, so only what is kept per draw can differ
    monkeypatch.setattr(mc, "CHUNK_CELLS", 4096)
    # control: the in-memory path keeps 16 bytes per draw (and the chunks while joining them)
    grow_exact = _peak_bytes(200_000) - _peak_bytes(50_000)
    assert grow_exact > 150_000 * 16
    monkeypatch.setattr(mc, "EXACT_CELLS", 1000)
    grow_streamed = _peak_bytes(200_000) - _peak_bytes(50_000)
    assert grow_streamed < 150_000 * 16 / 4, (grow_streamed, grow_exact)


def test_seed_none_streams_the_same_draws_in_every_pass(monkeypatch):
    monkeypatch.setattr(mc, "EXACT_CELLS", 0)
    r = mc.monte_carlo_breakeven(_inputs(BASE), 2.0, n=5000, seed=None)
    assert float(r["saving_usd_p10"]) <= float(r["saving_usd_p50"]) <= float(r["saving_usd_p90"])
    assert r["seed"] is None


def test_hand_made_columns_with_ties_and_infinities():
    x = np.array([[np.inf, 1.0], [3.0, 1.0], [2.0, 1.0], [np.inf, 1.0], [-np.inf, 1.0]])
    src = lambda: iter(np.array_split(x, 3))  # noqa: E731
    q = ss.column_quantiles(src, (10, 50, 90), collect=1, bins=2)
    # sorted column 0: -inf, 2, 3, inf, inf; ranks ceil(5p)-1 = 0, 2, 4
    assert q[:, 0].tolist() == [-np.inf, 3.0, np.inf]
    assert q[:, 1].tolist() == [1.0, 1.0, 1.0]
    assert ss.column_histograms(src, 2)[0] == {"edges": [2.0, 2.5, 3.0], "counts": [1, 1]}
