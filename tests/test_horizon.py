"""Horizon costs: growth, price decline, discounting, staircase capex, crossover; CLI flags."""

import json
import math

import numpy as np
import pytest

from openvclosed.engine.horizon import horizon_costs, monthly_discount_rate

NO_STALE = ["--max-age-days", "100000"]


def test_hand_computed_three_months():
    # 3 months of 30 days; volume 1e8/day growing 50%/month; API $2/1M falling 19%/year; 8%/year discounting.
    # replica: 1.2e8 tokens/day, $1,000/month running, $5,000 capex.
    g, d, rate = 0.5, 0.19, 0.08
    r = horizon_costs(1e8, 2.0, 1.2e8, 1000.0, 5000.0, horizon_months=3, growth_per_month=g,
                      api_price_decline_per_year=d, rate=rate, days_per_month=30, monthly=True)
    v = 1 / (1 + ((1 + rate) ** (1 / 12) - 1))
    tok = [1e8, 1.5e8, 2.25e8]
    price = [2.0 * (1 - d) ** (m / 12) for m in range(3)]
    api = [t * 30 * p / 1e6 for t, p in zip(tok, price)]
    reps = [1, 2, 2]  # ceil(1e8/1.2e8), ceil(1.5e8/1.2e8), ceil(2.25e8/1.2e8)
    capex = [5000, 5000, 0]  # at the start of month 0 and month 1
    api_pv = sum(a * v ** (m + 1) for m, a in enumerate(api))
    sh_pv = sum(c * v ** m + n * 1000 * v ** (m + 1) for m, (c, n) in enumerate(zip(capex, reps)))
    assert float(r["api_usd"]) == pytest.approx(api_pv, rel=1e-12)
    assert float(r["selfhost_usd"]) == pytest.approx(sh_pv, rel=1e-12)
    assert float(r["saving_usd"]) == pytest.approx(api_pv - sh_pv, rel=1e-12)
    assert r["replicas_monthly"].tolist() == reps
    assert r["api_usd_monthly"] == pytest.approx(api)
    assert float(r["capex_usd"]) == 10000.0
    # cumulative: month 1 api 6000v vs 5000+1000v; month 2 adds 9000*0.9826v^2 vs 5000v+2000v^2 ...
    cum_api = np.cumsum([a * v ** (m + 1) for m, a in enumerate(api)])
    cum_sh = np.cumsum([c * v ** m + n * 1000 * v ** (m + 1) for m, (c, n) in enumerate(zip(capex, reps))])
    expected = next((m + 1.0 for m in range(3) if cum_sh[m] < cum_api[m]), math.inf)
    assert float(r["crossover_month"]) == expected


def test_never_and_no_fit_and_residual():
    never = horizon_costs(1e6, 0.01, 1e8, 1000.0, 5000.0, horizon_months=12)
    assert math.isinf(float(never["crossover_month"])) and not bool(never["selfhost_cheaper"])
    nofit = horizon_costs(1e8, 2.0, 0.0, 1000.0, 5000.0, horizon_months=12)
    assert float(nofit["selfhost_usd"]) == math.inf and float(nofit["saving_usd"]) == -math.inf
    # 12 months of a 36-month life: 2/3 of the capex comes back (undiscounted at rate 0)
    res = horizon_costs(1e8, 2.0, 2e8, 0.0, 9000.0, horizon_months=12, life_months=36)
    assert float(res["residual_usd"]) == pytest.approx(6000.0)
    assert float(res["selfhost_usd"]) == pytest.approx(3000.0)


def test_rented_is_zero_capex_and_broadcasts():
    tok = np.array([[1e7], [1e8], [1e9]])
    r = horizon_costs(tok, np.array([0.5, 5.0]), 2e8, 3000.0, np.nan, horizon_months=6, rate=0.1)
    assert r["saving_usd"].shape == (3, 2)
    assert np.all(r["capex_usd"] == 0)
    assert float(monthly_discount_rate(0.0)) == 0.0


def test_breakeven_cli_horizon_json(run):
    r = run("breakeven", "-t", "5e8", "-g", "2x4090", "-m", "llama-3.1-8b", "--horizon-months", "24",
            "--growth-per-month", "0.03", "--api-price-decline-per-year", "0.3", "--json", *NO_STALE)
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    h = d["horizon"]
    assert h["horizon_months"] == 24 and len(h["apis"]) == len(d["apis"])
    for a in h["apis"]:
        assert a["cheaper"] == ("selfhost" if a["saving_usd"] > 0 else "api")
        assert a["crossover_month"] is None or 1 <= a["crossover_month"] <= 24
    assert d["monte_carlo"] is None and d["sensitivity"] is None


def test_breakeven_without_horizon_has_null_sections(run):
    d = json.loads(run("breakeven", "-t", "5e8", "--json", *NO_STALE).stdout)
    assert d["horizon"] is None


@pytest.mark.parametrize("args,message", [
    (["--growth-per-month", "-1.5"], "--growth-per-month"),
    (["--api-price-decline-per-year", "1.2"], "--api-price-decline-per-year"),
])
def test_horizon_bad_input(run, args, message):
    r = run("breakeven", "-t", "5e8", *args, *NO_STALE)
    assert r.exit_code == 2
    assert message in r.stderr and r.stderr.strip().count("\n") == 0
