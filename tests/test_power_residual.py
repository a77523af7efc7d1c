"""Power at the design's utilisation between idle and rated draw, and resale value at the end of
amortisation (issue 21 item 2): hand-computed cases through the engine and the commands."""

import json

import numpy as np
import pytest

from openvclosed.decision.assumptions import IDLE_POWER_SHARE, RESIDUAL_SHARE, Assumptions
from openvclosed.engine.horizon import horizon_costs
from openvclosed.engine.tco import power_draw_share_at, replica_costs

NO_STALE = ("--max-age-days", "100000", "--max-hardware-age-days", "100000")
BASE = dict(rented=False, gpu_usd=20000.0, gpu_hour_usd=np.nan, host_usd_per_gpu=0.0, rate=0.08,
            amortize_years=3, gpu_tdp_w=700, power_draw_share=1.0, host_w_per_gpu=0.0, pue=1.0,
            electricity_usd_kwh=0.10, ops_usd_month=0.0, days_per_month=30.0)


def test_power_between_idle_and_rated():
    assert float(power_draw_share_at(0.0, 0.115)) == pytest.approx(0.115)  # idle all day
    assert float(power_draw_share_at(1.0, 0.115)) == pytest.approx(1.0)    # busy all day: rated
    # energy is linear in the share: 700 W x 0.5575 x 24 h x $0.10 = $0.9366/day
    c = replica_costs(1, **{**BASE, "power_draw_share": power_draw_share_at(0.5, 0.115)})
    assert float(c["energy"]) == pytest.approx(0.7 * 0.5575 * 24 * 0.10)


def test_resale_lowers_capital_by_its_discounted_value():
    plain = replica_costs(1, **BASE)
    resold = replica_costs(1, **{**BASE, "residual_share": 0.22})
    # (P - 0.22 P / 1.08^3) x CRF: the capital share falls by 0.22 / 1.08^3 = 17.46%
    assert float(resold["capital"]) / float(plain["capital"]) == pytest.approx(1 - 0.22 / 1.08 ** 3)
    assert float(resold["resale_usd"]) == pytest.approx(4400.0)
    rented = replica_costs(1, **{**BASE, "rented": True, "gpu_hour_usd": 2.0, "residual_share": 0.22})
    assert float(rented["resale_usd"]) == 0.0


def test_horizon_credits_book_value_down_to_the_resale():
    # one replica bought in month 1, life 36 months, horizon 12, no discounting: book value at the end
    # = resale + (capex - resale) x (1 - 12/36) = 2,000 + 8,000 x 2/3
    kw = dict(horizon_months=12, days_per_month=30, life_months=36)
    r0 = horizon_costs(1e6, 1.0, 1e9, 0.0, 10000.0, **kw)
    r1 = horizon_costs(1e6, 1.0, 1e9, 0.0, 10000.0, resale_per_replica_usd=2000.0, **kw)
    assert float(r0["residual_usd"]) == pytest.approx(10000 * 2 / 3)
    assert float(r1["residual_usd"]) == pytest.approx(2000 + 8000 * 2 / 3)
    # past the end of life the hardware is still worth its resale
    r2 = horizon_costs(1e6, 1.0, 1e9, 0.0, 10000.0, resale_per_replica_usd=2000.0, horizon_months=48,
                       days_per_month=30, life_months=36)
    assert float(r2["residual_usd"]) == pytest.approx(2000)
    # the month loop with its monthly arrays gives the same
    r3 = horizon_costs(1e6, 1.0, 1e9, 0.0, 10000.0, resale_per_replica_usd=2000.0, monthly=True, **kw)
    assert float(r3["residual_usd"]) == pytest.approx(float(r1["residual_usd"]))


def test_defaults_are_named_and_printed(run):
    a = Assumptions()
    assert a.power_draw_share is None and a.idle_power_share == IDLE_POWER_SHARE == 0.115
    assert a.residual_share is None and RESIDUAL_SHARE == {"consumer": 0.64, "other": 0.22}
    d = json.loads(run("breakeven", "-t", "5e8", "-g", "1xh100", "--json", *NO_STALE).stdout)
    assert d["assumptions"]["power_draw_share"] == pytest.approx(0.115 + 0.885 * 0.5)
    assert d["assumptions"]["residual_share"] == 0.22
    g = json.loads(run("breakeven", "-t", "5e8", "-g", "2x4090", "--json", *NO_STALE).stdout)
    assert g["assumptions"]["residual_share"] == 0.64  # a GeForce card holds more of its price
    text = run("breakeven", "-t", "5e8", "-g", "1xh100", *NO_STALE).stdout
    assert "power_draw_share=0.5575" in text and "residual_share=0.22" in text


def test_overrides_change_the_cost(run):
    def month(*extra):
        return json.loads(run("breakeven", "-t", "5e8", "-g", "1xh100", "-m", "gpt-oss-120b", "--json",
                              *extra, *NO_STALE).stdout)["selfhost"]["replica_usd_per_month"]
    base, no_resale, full_power = month(), month("--residual-share", "0"), month("--power-draw-share", "1")
    assert no_resale > base and full_power > base
    r = run("breakeven", "-t", "5e8", "-g", "1xh100", "--idle-power-share", "1.5", *NO_STALE)
    assert r.exit_code == 2 and "--idle-power-share" in r.output
