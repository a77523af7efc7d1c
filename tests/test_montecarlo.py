"""Monte Carlo and sensitivity: reproducible, collapses to the deterministic answer, ranks inputs."""

import json
import time

import numpy as np
import pytest

from openvclosed.engine.design import DesignInputs
from openvclosed.engine.horizon import HorizonInputs
from openvclosed.engine.horizon import horizon_scenario as _horizon_scenario
from openvclosed.engine.montecarlo import VARIABLES, monte_carlo_breakeven, resolve_distributions
from openvclosed.engine.sensitivity import sensitivity_table

NO_STALE = ["--max-age-days", "100000"]
_BASE = dict(tokens_per_day=3e8, params_b=8.0, active_params_b=8.0, kv_elements_per_seq=131072 * 4096,
             n_gpus=2, vram_gib=24, bandwidth_gb_s=1008, tflops=165.2, gpu_tdp_w=450, gpu_usd=1599,
             gpu_hour_usd=np.nan, rented=False, input_share=0.75, context_tokens=4096, horizon_months=24,
             growth_per_month=0.02, api_price_decline_per_year=0.2)
_OWN = {"tokens_per_day", "horizon_months", "growth_per_month", "api_price_decline_per_year"}


def _inputs(d: dict) -> HorizonInputs:
    x = DesignInputs(**{k: v for k, v in d.items() if k not in _OWN})
    return HorizonInputs(x, **{k: v for k, v in d.items() if k in _OWN})


class _Base(dict):
    """The test scenario as a dict (so tests can vary it with ``{**BASE, ...}``), handed to the engine as inputs."""


BASE = _Base(_BASE)


def horizon_scenario(api_usd_per_mtok, **kw):
    return _horizon_scenario(_inputs(kw), api_usd_per_mtok)


def test_seeded_reproducibility():
    a = monte_carlo_breakeven(_inputs(BASE), [0.5, 2.0], n=5000, seed=7, keep_samples=True)
    b = monte_carlo_breakeven(_inputs(BASE), [0.5, 2.0], n=5000, seed=7, keep_samples=True)
    c = monte_carlo_breakeven(_inputs(BASE), [0.5, 2.0], n=5000, seed=8, keep_samples=True)
    assert np.array_equal(a["saving_usd"], b["saving_usd"])
    assert not np.array_equal(a["saving_usd"], c["saving_usd"])


def test_fixing_one_input_leaves_the_other_draws_alone():
    a = monte_carlo_breakeven(_inputs(BASE), 1.0, n=2000, seed=3, keep_draws=True)
    b = monte_carlo_breakeven(_inputs(BASE), 1.0, n=2000, seed=3, keep_draws=True, distributions={"utilization": 0.5})
    assert np.array_equal(a["draws"]["electricity_usd_kwh"], b["draws"]["electricity_usd_kwh"])
    assert np.all(b["draws"]["utilization"] == 0.5)


@pytest.mark.parametrize("api", [0.3, 1.0, 5.0])
def test_zero_width_equals_deterministic(api):
    base = {**BASE, "utilization": 0.45, "electricity_usd_kwh": 0.2}
    zero = {k: {"dist": "triangular", "low": 1, "mode": 1, "high": 1, "relative": True} for k in VARIABLES}
    zero["gpu_price_factor"] = {"dist": "lognormal", "median": 1.0, "sigma": 0.0}
    r = monte_carlo_breakeven(_inputs(base), api, n=500, seed=1, distributions=zero)
    d = horizon_scenario(api_usd_per_mtok=api, **base)
    for p in (10, 50, 90):
        assert r[f"saving_usd_p{p}"] == float(d["saving_usd"])
        assert r[f"crossover_month_p{p}"] == float(d["crossover_month"])
    assert r["p_selfhost_cheaper"] == float(bool(d["selfhost_cheaper"]))


def test_probabilities_and_ordered_percentiles():
    r = monte_carlo_breakeven(_inputs(BASE), np.geomspace(0.05, 20, 9), n=4000, seed=0)
    p = r["p_selfhost_cheaper"]
    assert np.all((0 <= p) & (p <= 1))
    assert np.all(np.diff(p) >= 0)  # a dearer API never makes self-hosting less likely to win
    assert np.all(r["saving_usd_p10"] <= r["saving_usd_p50"]) and np.all(r["saving_usd_p50"] <= r["saving_usd_p90"])
    c = [r[f"crossover_month_p{q}"] for q in (10, 50, 90)]
    assert np.all(c[0] <= c[1]) and np.all(c[1] <= c[2])


def test_100k_draws_well_under_a_second():
    monte_carlo_breakeven(_inputs(BASE), 1.0, n=1000)
    t = time.perf_counter()
    monte_carlo_breakeven(_inputs(BASE), 1.0, n=100_000, seed=1)
    assert time.perf_counter() - t < 1.0


def test_bad_distribution_is_named():
    with pytest.raises(ValueError, match="utilisation"):
        resolve_distributions(_inputs(BASE), {"utilisation": 0.5})
    with pytest.raises(ValueError, match="bandwidth_eff.*low <= mode <= high"):
        resolve_distributions(_inputs(BASE), {"bandwidth_eff": {"dist": "triangular", "low": 0.9, "mode": 0.5, "high": 1}})


def test_sensitivity_ranks_a_constructed_case():
    # Rented, no ops: only the GPU price (rent) matters much; electricity and the API decline do not touch it
    # (rent includes power; no decline range); utilisation moves capacity but one replica serves either way.
    base = {**BASE, "rented": True, "gpu_hour_usd": 2.0, "ops_usd_month": 0.0, "growth_per_month": 0.0,
            "api_price_decline_per_year": 0.0, "tokens_per_day": 1e7}
    dists = {"utilization": 0.5, "bandwidth_eff": 0.55, "electricity_usd_kwh": 0.15, "ops_usd_month": 0.0,
             "api_price_decline_per_year": 0.0, "growth_per_month": 0.0,
             "gpu_price_factor": {"dist": "uniform", "low": 0.5, "high": 2.0}}
    t = sensitivity_table(_inputs(base), 20.0, dists)
    top = t["variable"][t["order"][0]]
    assert top == "gpu_price_factor"
    assert t["swing_usd"][t["variable"].index("electricity_usd_kwh")] == 0
    # with no ops the self-host cost is all rent, proportional to the factor, billed like the API:
    # it flips where factor x rent = API, both discounted alike
    i = t["variable"].index("gpu_price_factor")
    d = horizon_scenario(api_usd_per_mtok=20.0, **base)
    assert t["flip_value"][i] == pytest.approx(float(d["api_usd"]) / float(d["selfhost_usd"]), rel=1e-9)
    api_usd = float(d["api_usd"])
    s = horizon_scenario(api_usd_per_mtok=20.0, **{**base, "gpu_price_factor": t["flip_value"][i]})
    assert abs(float(s["saving_usd"])) < 1e-6 * api_usd + 1.0


def test_breakeven_cli_monte_carlo_and_sensitivity(run):
    args = ["breakeven", "-t", "5e8", "-g", "2x4090", "-m", "llama-3.1-8b", "-a", "google/gemini-3.5-flash-lite",
            "--monte-carlo", "20000", "--seed", "5", "--sensitivity", *NO_STALE]
    r = run(*args, "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    mc = d["monte_carlo"]["apis"][0]
    assert 0 <= mc["p_selfhost_cheaper"] <= 1 and mc["saving_usd_p10"] <= mc["saving_usd_p50"] <= mc["saving_usd_p90"]
    assert d["monte_carlo"]["n"] == 20000 and set(d["monte_carlo"]["distributions"]) == set(VARIABLES)
    again = json.loads(run(*args, "--json").stdout)
    assert again["monte_carlo"] == d["monte_carlo"]
    rows = d["sensitivity"]["apis"][0]["rows"]
    swings = [x["swing_usd"] for x in rows]
    assert swings == sorted(swings, reverse=True)
    t = run(*args)
    assert t.exit_code == 0
    assert "Monte Carlo: 20,000 draws" in t.stdout and "Sensitivity of the saving" in t.stdout and "█" in t.stdout
