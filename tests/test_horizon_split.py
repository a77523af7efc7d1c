"""The split horizon (the month loop without the API axis; engine/horizon.py ``_split_horizon``)
gives the month-by-month loop's numbers: bills to 1e-12 of their size, crossover months equal."""

import numpy as np
import pytest

from openvclosed.engine.horizon import horizon_costs


def _inputs(n, seed):
    g = np.random.default_rng(seed)
    col = lambda a: a[:, None]  # noqa: E731  draws down, APIs across
    return dict(tokens_per_day=col(g.choice([0.0, 1e6, 5e8, 3e9], n)),
                capacity_tokens_per_day=col(g.choice([0.0, 2e7, 2e8, np.inf], n) * g.uniform(0.5, 2, n)),
                running_usd_per_replica_month=col(g.uniform(0, 20000, n)),
                capex_per_replica_usd=col(g.choice([0.0, np.nan, 5e4, 3e5], n)),
                growth_per_month=col(g.uniform(-0.3, 0.2, n)), api_price_decline_per_year=col(g.uniform(0, 0.9, n)),
                rate=col(g.choice([0.0, 0.08], n)), days_per_month=30.44,
                life_months=col(g.choice([np.nan, 36.0, 12.0], n)))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("h", [1, 12, 36])
def test_split_horizon_equals_month_loop(seed, h):
    x = _inputs(2000, seed)
    prices = np.array([0.0, 0.2, 1.5, 4.0, 20.0, 75.0])
    split = horizon_costs(api_usd_per_mtok=prices, horizon_months=h, **x)
    loop = horizon_costs(api_usd_per_mtok=prices, horizon_months=h, monthly=True, **x)
    scale = np.abs(loop["api_usd"]) + np.where(np.isfinite(loop["selfhost_usd"]), np.abs(loop["selfhost_usd"]), 0.0)
    for k in ("api_usd", "selfhost_usd", "saving_usd", "capex_usd", "residual_usd", "replicas_end"):
        a, b = np.asarray(split[k]), np.asarray(loop[k])
        assert a.shape == b.shape, k
        assert np.array_equal(np.isfinite(a), np.isfinite(b)), k
        assert np.array_equal(a[~np.isfinite(b)], b[~np.isfinite(b)], equal_nan=True), k
        f = np.isfinite(b)
        assert np.all(np.abs(a - b)[f] <= 1e-12 * np.maximum(scale, 1.0)[f]), k
    assert np.array_equal(split["crossover_month"], loop["crossover_month"])
    near_tie = np.abs(loop["saving_usd"]) < 1e-9 * scale
    assert np.array_equal(split["selfhost_cheaper"][~near_tie], loop["selfhost_cheaper"][~near_tie])
    only = horizon_costs(api_usd_per_mtok=prices, horizon_months=h, only=("saving_usd", "crossover_month"), **x)
    assert set(only) == {"saving_usd", "crossover_month"}
    assert np.array_equal(only["saving_usd"], split["saving_usd"], equal_nan=True)
    assert np.array_equal(only["crossover_month"], split["crossover_month"])
