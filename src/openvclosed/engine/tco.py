"""Self-hosting cost per replica-day (design step 5): owned TCO and rented cloud GPUs.

One function, :func:`replica_costs`, returns every named cost component of one replica for
owned and rented hardware alike (``rented`` is an input that broadcasts), so every command
prices a replica the same way.
"""

from __future__ import annotations

import numpy as np

from openvclosed.engine.defaults import DAYS_PER_MONTH
from openvclosed.engine.period import per_day_from_month, per_day_from_year

__all__ = ["capital_recovery_factor", "replica_costs", "power_draw_share_at", "COST_COMPONENTS"]

COST_COMPONENTS = ("capital", "host", "energy", "ops", "rent")
"""Named parts of a replica's daily cost: GPU capital, host (server) capital, energy, people
(operations) and rent. Their sum is ``usd_per_day``."""


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


def power_draw_share_at(utilization, idle_power_share):
    """Mean power draw as a share of rated power when a machine is busy ``utilization`` of the time.

    Formula: ``share = idle + (1 - idle) x utilization`` — idle draw all the time, the rest of the
    rated draw while busy (a linear power model between idle and rated draw). Units: shares (0..1) in
    and out; element-wise on arrays. Source of the default idle share: a measured H200 SXM idle draw
    of 80.3 W against its 700 W rating, 11.5% (decision.assumptions, ``idle_power_share``).

    >>> round(float(power_draw_share_at(0.5, 0.115)), 4)
    0.5575
    >>> float(power_draw_share_at(1.0, 0.115)), float(power_draw_share_at(0.0, 0.2))
    (1.0, 0.2)
    """
    u, idle = _f(utilization, idle_power_share)
    return idle + (1.0 - idle) * u


def replica_costs(n_gpus, *, rented, gpu_usd, gpu_hour_usd, host_usd_per_gpu, rate, amortize_years, gpu_tdp_w,
                  power_draw_share, host_w_per_gpu, pue, electricity_usd_kwh, ops_usd_month, hours_per_day=24.0,
                  days_per_month=DAYS_PER_MONTH, gpu_price_factor=1.0, system_w_per_gpu=np.nan, residual_share=0.0):
    """Cost of one replica of ``n_gpus`` per day, by component [USD/day]; a dict of arrays.

    Notes
    -----
    Owned (``rented`` False)::

        capex    = n x gpu_usd x gpu_price_factor + n x host_usd_per_gpu      [USD]
        resale   = residual_share x n x gpu_usd x gpu_price_factor  (the GPUs sold after ``years``) [USD]
        capital  = (n x gpu_usd x gpu_price_factor - resale / (1 + rate)^years) x CRF(rate, years) / days_per_year
        host     = n x host_usd_per_gpu x CRF(rate, years) / days_per_year
        energy   = n x W / 1000 x hours x PUE x usd_per_kwh,  W = system_w_per_gpu x power_draw_share
                   when the catalog rates the whole system, else tdp x power_draw_share + host_w
        ops      = ops_usd_month / days_per_month

    Rented::

        rent     = n x gpu_hour_usd x gpu_price_factor x hours
        ops      = ops_usd_month / days_per_month

    with ``days_per_year = 12 x days_per_month`` (:mod:`openvclosed.engine.period`).
    Keys: ``capital``, ``host``, ``energy``, ``ops``, ``rent`` (USD/day, 0 where not
    applicable), ``usd_per_day`` (their sum), ``capex_usd`` (nan when rented) and
    ``running_usd_per_day`` (what a replica costs per day besides its purchase: energy + ops
    owned, rent + ops rented) and ``resale_usd`` (what the GPUs fetch at the end of ``years``;
    0 when rented).

    Examples
    --------
    Two RTX 4090 at $1,599 plus a $1,000 host share each, no interest, 3 years, 30-day months:
    capital 3,198 / 1,080 = $2.96/day, host 2,000 / 1,080 = $1.85/day, energy
    (900 + 200) W x 24 h x $0.15 = $3.96/day.

    >>> c = replica_costs(2, rented=False, gpu_usd=1599, gpu_hour_usd=np.nan, host_usd_per_gpu=1000,
    ...     rate=0.0, amortize_years=3, gpu_tdp_w=450, power_draw_share=1.0, host_w_per_gpu=100, pue=1.0,
    ...     electricity_usd_kwh=0.15, ops_usd_month=300.0, days_per_month=30.0)
    >>> [round(float(c[k]), 4) for k in ("capital", "host", "energy", "ops", "rent", "usd_per_day", "capex_usd")]
    [2.9611, 1.8519, 3.96, 10.0, 0.0, 18.773, 5198.0]

    The same cards resold for 22% of their price after the 3 years: capital (3,198 - 703.56) / 1,080.

    >>> c = replica_costs(2, rented=False, gpu_usd=1599, gpu_hour_usd=np.nan, host_usd_per_gpu=1000,
    ...     rate=0.0, amortize_years=3, gpu_tdp_w=450, power_draw_share=1.0, host_w_per_gpu=100, pue=1.0,
    ...     electricity_usd_kwh=0.15, ops_usd_month=300.0, days_per_month=30.0, residual_share=0.22)
    >>> round(float(c["capital"]), 4), round(float(c["resale_usd"]), 2)
    (2.3097, 703.56)
    """
    (n, rent_flag, g, gh, hpg, r, y, tdp, share, hw, pue_, kwh, ops, hrs, dpm, fac, sysw, res) = _f(
        n_gpus, rented, gpu_usd, gpu_hour_usd, host_usd_per_gpu, rate, amortize_years, gpu_tdp_w, power_draw_share,
        host_w_per_gpu, pue, electricity_usd_kwh, ops_usd_month, hours_per_day, days_per_month, gpu_price_factor,
        system_w_per_gpu, residual_share)
    is_rented = rent_flag.astype(bool)
    crf = capital_recovery_factor(r, y)
    gpu_capex = n * g * fac
    host_capex = n * hpg
    zero = np.zeros(n.shape)
    resale = np.where(is_rented, zero, res * gpu_capex)
    capital = np.where(is_rented, zero, per_day_from_year((gpu_capex - resale * np.power(1.0 + r, -y)) * crf, dpm))
    host = np.where(is_rented, zero, per_day_from_year(host_capex * crf, dpm))
    watts = np.where(np.isfinite(sysw), sysw * share, tdp * share + hw)
    energy = np.where(is_rented, zero, n * watts / 1000.0 * hrs * pue_ * kwh)
    rent = np.where(is_rented, n * gh * fac * hrs, zero)
    op = per_day_from_month(ops, dpm)
    total = capital + host + energy + op + rent
    return {"capital": capital, "host": host, "energy": energy, "ops": op, "rent": rent, "usd_per_day": total,
            "capex_usd": np.where(is_rented, np.nan, gpu_capex + host_capex),
            "running_usd_per_day": energy + op + rent, "resale_usd": resale}
