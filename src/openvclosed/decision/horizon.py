"""Present values over a workload's horizon: how options are ranked (engine's horizon model, one place).

An API's present value and a self-hosted design's (replicas bought when the grown volume first needs
them, spares bought up front, the team paid every month, residual value of owned hardware credited)
both come from :func:`openvclosed.engine.horizon.horizon_costs`; every option of every kind is
ranked on these two functions.
"""

from __future__ import annotations

import numpy as np

from openvclosed.decision.assumptions import Assumptions
from openvclosed.engine.design import DesignEval
from openvclosed.engine.horizon import horizon_costs, monthly_discount_rate
from openvclosed.engine.period import per_month_from_day

__all__ = ["annuity", "pv_api", "pv_selfhost"]


def annuity(horizon_months: int, rate: float) -> float:
    """Present value of 1 USD paid at the end of each month of the horizon.

    >>> round(annuity(12, 0.0), 6)
    12.0
    """
    v = 1.0 / (1.0 + float(monthly_discount_rate(rate)))
    return float(sum(v ** (m + 1) for m in range(int(horizon_months))))


def pv_api(tokens_per_day: float, usd_per_mtok, w, a: Assumptions):
    """Present value of an API over the horizon (growth, price decline, discounted at ``rate``);
    an array of prices gives an array."""
    r = horizon_costs(tokens_per_day, usd_per_mtok, np.inf, 0.0, 0.0, horizon_months=w.horizon_months,
                      growth_per_month=w.growth_per_month, api_price_decline_per_year=w.api_price_decline_per_year,
                      rate=a.rate, days_per_month=a.days_per_month)
    v = np.asarray(r["api_usd"])
    return float(v) if v.ndim == 0 else v


def pv_selfhost(tokens_per_day: float, e: DesignEval, w, a: Assumptions):
    """Present value of self-hosted designs over the horizon (vectorized over the designs of ``e``):
    :func:`~openvclosed.engine.horizon.horizon_costs` on the design's staircase (mean capacity sized
    for the peak, spares, team), residual value of owned hardware credited over ``amortize_years``."""
    rented = ~np.isfinite(np.asarray(e.capex_per_replica_usd, dtype=float))
    capex = np.where(rented, 0.0, np.nan_to_num(np.asarray(e.capex_per_replica_usd, dtype=float)))
    r = horizon_costs(tokens_per_day, 0.0, e.capacity_mean_tokens_per_day,
                      per_month_from_day(e.running_usd_per_replica_day, e.days_per_month), capex,
                      horizon_months=w.horizon_months, growth_per_month=w.growth_per_month, rate=a.rate,
                      days_per_month=a.days_per_month, life_months=np.where(rented, np.nan, a.amortize_years * 12),
                      spare_replicas=e.spare_replicas,
                      fixed_usd_per_month=per_month_from_day(e.fixed_usd_per_day, e.days_per_month),
                      resale_per_replica_usd=e.resale_per_replica_usd)
    v = np.asarray(r["selfhost_usd"])
    return float(v) if v.ndim == 0 else v
