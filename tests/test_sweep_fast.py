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
