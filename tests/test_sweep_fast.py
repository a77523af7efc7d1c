"""sweep_summary without per-scenario rows (volume chunks, reused buffers) gives exactly the
summary of the row-by-row chunks (engine/sweep.py ``iter_sweep``), odd values included."""

import numpy as np
import pytest

from openvclosed.engine.sweep import log_grid, sweep_summary


def _both(t, c, f, p, chunk):
    fast = sweep_summary(t, c, f, p, chunk_size=chunk)
    rows = sweep_summary(t, c, f, p, chunk_size=chunk, on_chunk=lambda ch: None)
    assert fast.keys() == rows.keys()
    for k in fast:
        assert np.array_equal(np.asarray(fast[k]), np.asarray(rows[k]), equal_nan=True), k


@pytest.mark.parametrize("chunk", [1, 7, 1000, 1 << 19])
def test_fast_summary_equals_row_chunks(chunk):
    g = np.random.default_rng(chunk)
    t = log_grid(1e5, 1e11, 3001 if chunk >= 1000 else 41)
    c = np.concatenate([g.uniform(1e6, 1e10, 6), [0.0, np.inf, np.nan, 5e8]])
    f = np.concatenate([g.uniform(10, 5000, 6), [100.0, 100.0, 100.0, np.nan]])
    p = np.array([0.0, 0.05, 0.2, 1.5, 4.0, 20.0, 75.0, np.nan, np.inf])
    _both(t, c, f, p, chunk)


def test_fast_summary_with_zero_and_nan_volumes():
    t = np.array([0.0, 1e6, 5e7, 1e8, 3e8, 1e9, np.nan])
    _both(t, [2e8, 0.0, np.nan], [100.0, 50.0, 1.0], [0.5, 2.0], 3)
    _both(np.array([]), [2e8], [100.0], [0.5], 3)


@pytest.mark.parametrize("lo,hi,n", [(1e5, 1e11, 1_000_003), (1.0, 2.0, 2), (3e6, 3e6 * (1 + 1e-15), 1000), (7.0, 1e9, 1),
                                     (1e-3, 1e12, 99)])
def test_log_grid_blocks_are_geomspace(lo, hi, n):
    from openvclosed.engine.sweep import LogGrid

    want = np.geomspace(lo, hi, n)
    g = LogGrid(lo, hi, n)
    assert np.array_equal(np.asarray(g), want)
    buf = np.empty(4099)
    got = np.concatenate([g.block(a, min(a + 4099, n), out=buf).copy() for a in range(0, n, 4099)])
    assert np.array_equal(got, want)
    idx = np.random.default_rng(0).integers(0, n, 500)
    assert np.array_equal(g.values(idx), want[idx])
    assert g[0] == want[0] and g[-1] == want[-1] and g.size == n


def test_fast_summary_on_a_lazy_grid_equals_the_array():
    from openvclosed.engine.sweep import LogGrid

    c, f, p = [2e8, 1e9, 0.0], [100.0, 900.0, 5.0], [0.2, 2.0, 20.0]
    a = sweep_summary(LogGrid(1e5, 1e11, 50_001), c, f, p, chunk_size=4096)
    b = sweep_summary(log_grid(1e5, 1e11, 50_001), c, f, p, chunk_size=4096, on_chunk=lambda ch: None)
    for k in a:
        assert np.array_equal(np.asarray(a[k]), np.asarray(b[k]), equal_nan=True), k
