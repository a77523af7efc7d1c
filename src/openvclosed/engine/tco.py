"""Self-hosting cost per replica-day (design step 5): owned TCO and rented cloud GPUs."""

from __future__ import annotations

import numpy as np

__all__ = ["capital_recovery_factor", "owned_usd_per_replica_day", "rented_usd_per_replica_day",
           "DAYS_PER_YEAR"]

DAYS_PER_YEAR = 365.0


def _f(*xs):
    return np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in xs))


def capital_recovery_factor(rate, years):
    """Share of a capital cost to pay each year to repay it with interest [1/year].

    ``CRF = r (1+r)^n / ((1+r)^n - 1)``, and ``1/n`` when ``r = 0`` (the annuity payment
    per unit of present value, as in numpy-financial's ``pmt``).

    >>> round(float(capital_recovery_factor(0.08, 3)), 6), float(capital_recovery_factor(0.0, 4))
    (0.388034, 0.25)
    """
    r, n = _f(rate, years)
    log_growth = n * np.log1p(r)  # expm1/log1p keep precision for tiny rates
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        crf = r * np.exp(log_growth) / np.expm1(log_growth)
    return np.where(r == 0, 1.0 / n, crf)


def owned_usd_per_replica_day(n_gpus, gpu_usd, host_usd, rate, years, gpu_tdp_w, power_draw_share,
                              host_w, pue, usd_per_kwh, ops_usd_per_month, hours_per_day=24.0,
                              *, parts=False):
    """Cost of one owned replica per day [USD/day]: capital + energy + operations.

    Notes
    -----
    ::

        capex   = n_gpus x gpu_usd + host_usd
        capital = capex x CRF(rate, years) / 365
        energy  = (n_gpus x tdp x power_draw_share + host_w) / 1000 x hours x PUE x usd_per_kwh
        ops     = ops_usd_per_month x 12 / 365

    With ``parts=True`` returns ``(total, capital, energy, ops, capex)``.

    >>> round(float(owned_usd_per_replica_day(2, 1599, 2000, 0.0, 3, 450, 1.0, 200, 1.0, 0.15, 0.0)), 4)
    8.707
    """
    n, g, h, r, y, tdp, share, hw, pue, kwh, ops, hrs = _f(n_gpus, gpu_usd, host_usd, rate, years, gpu_tdp_w,
                                                           power_draw_share, host_w, pue, usd_per_kwh,
                                                           ops_usd_per_month, hours_per_day)
    capex = n * g + h
    capital = capex * capital_recovery_factor(r, y) / DAYS_PER_YEAR
    energy = (n * tdp * share + hw) / 1000.0 * hrs * pue * kwh
    op = ops * 12.0 / DAYS_PER_YEAR
    total = capital + energy + op
    return (total, capital, energy, op, capex) if parts else total


def rented_usd_per_replica_day(n_gpus, gpu_hour_usd, ops_usd_per_month, hours_per_day=24.0):
    """Cost of one rented replica per day [USD/day] = n x $/GPU-hour x hours + ops.

    >>> round(float(rented_usd_per_replica_day(2, 0.69, 0.0)), 2)
    33.12
    """
    n, p, ops, hrs = _f(n_gpus, gpu_hour_usd, ops_usd_per_month, hours_per_day)
    return n * p * hrs + ops * 12.0 / DAYS_PER_YEAR
