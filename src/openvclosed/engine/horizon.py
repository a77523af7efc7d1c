"""Costs over a horizon of months (design step 7): growing volume, falling API prices, discounting.

Pure numpy. Every argument broadcasts over any number of scenarios; the month axis is looped
internally, so memory stays O(scenarios) however long the horizon (``monthly=True`` also
returns the month-by-month arrays, with the month axis last).

Timing convention (one month = ``days_per_month`` days, months ``m = 0 .. H-1``)::

    tokens_per_day[m] = T0 x (1 + growth_per_month)^m
    api_usd_per_mtok[m] = p0 x (1 - api_price_decline_per_year)^(m / 12)
    replicas[m] = ceil(tokens_per_day[m] / capacity)              (whole replicas)
    held[m]     = max(replicas[0..m])                             (owned hardware is never sold early)
    capex paid at the START of month m:  (held[m] - held[m-1]) x capex_per_replica
    bills paid at the END of month m:    API = tokens_per_day[m] x days x p[m] / 1e6
                                         self-host running = replicas[m] x running_per_replica_month
    discount factor v = 1 / (1 + r_m),  r_m = (1 + rate)^(1/12) - 1   (monthly cost of capital)

Rented hardware is the case ``capex_per_replica_usd = 0`` with the rent in the running cost.
With ``life_months`` given, owned hardware still has its straight-line book value at the end
of the horizon, ``resale + (capex - resale) x max(0, 1 - age / life_months)`` (``resale`` what it
fetches at the end of its life, 0 by default), credited (discounted) as a residual;
without it the hardware is worth nothing at the end (conservative).
"""

from __future__ import annotations

import numpy as np

import dataclasses
from dataclasses import dataclass

from openvclosed.engine.breakeven import staircase_replicas
from openvclosed.engine.defaults import DAYS_PER_MONTH as _DAYS_PER_MONTH
from openvclosed.engine.design import DesignInputs, selfhost_design
from openvclosed.engine.period import per_month_from_day

__all__ = ["monthly_discount_rate", "horizon_costs", "horizon_scenario", "HorizonInputs"]


def monthly_discount_rate(rate):
    """Monthly rate equivalent to a yearly cost of capital: ``(1 + rate)^(1/12) - 1``.

    >>> round(float(monthly_discount_rate(0.08)), 6)
    0.006434
    """
    return np.expm1(np.log1p(np.asarray(rate, dtype=float)) / 12.0)


def horizon_costs(tokens_per_day, api_usd_per_mtok, capacity_tokens_per_day, running_usd_per_replica_month,
                  capex_per_replica_usd, *, horizon_months=36, growth_per_month=0.0, api_price_decline_per_year=0.0,
                  rate=0.0, days_per_month=_DAYS_PER_MONTH, life_months=None, monthly=False, only=None,
                  spare_replicas=0.0, fixed_usd_per_month=0.0, resale_per_replica_usd=0.0):
    """Present value of the API and of self-hosting over ``horizon_months`` [USD]; dict of arrays.

    Parameters
    ----------
    tokens_per_day : array_like
        Volume in the first month [tokens/day]; grows by ``growth_per_month`` per month.
    api_usd_per_mtok : array_like
        Blended API price today [USD per 1e6 tokens]; falls by ``api_price_decline_per_year``
        (monthly factor ``(1 - d)^(1/12)``).
    capacity_tokens_per_day : array_like
        What one replica serves [tokens/day]; 0 = the model does not fit (self-hosting ``inf``).
    running_usd_per_replica_month : array_like
        Owned: energy + operations; rented: rent + operations [USD/month per replica in use].
    capex_per_replica_usd : array_like
        Purchase price of one replica [USD], paid when the replica is first needed; 0 (or nan) for rented.
    horizon_months : int
        Number of months (a scalar: it sets the loop length).
    rate : array_like
        Yearly cost of capital used to discount [1/year]; 0 = no discounting.
    life_months : array_like or None
        Straight-line life of owned hardware [months] for the residual credit at the end; ``None``
        or ``nan`` = no residual value.
    resale_per_replica_usd : array_like
        What a replica fetches at the end of its life [USD] (the line of book value runs from the
        capex down to it: ``book = resale + (capex - resale) x remaining-life share``); 0 = nothing.
    spare_replicas, fixed_usd_per_month : array_like
        The staircase of :func:`openvclosed.engine.breakeven.selfhost_usd_per_day`: spares on top
        of the volume's replicas (bought with the first), and a fixed cost (a team) paid every month
        the deployment carries traffic.
    monthly : bool
        Also return the month-by-month (undiscounted) arrays, month axis last.
    only : tuple of str, optional
        Return just these of ``saving_usd`` and ``crossover_month`` (less memory for many scenarios
        x APIs; prices must be finite, ``monthly`` False, the volume and days non-negative,
        otherwise every key is returned).

    Returns
    -------
    dict with ``api_usd`` and ``selfhost_usd`` (present values over the horizon),
    ``saving_usd`` (API minus self-host; positive = self-hosting cheaper), ``selfhost_cheaper``
    (bool), ``crossover_month`` (first month, counted from 1, at whose end the cumulative
    discounted self-host cash outlay, residual not counted, is below the API's; ``inf`` = never
    within the horizon), ``capex_usd`` (undiscounted capex bought), ``residual_usd`` (discounted
    residual credit), ``replicas_end`` (replicas held at the end). With ``monthly=True`` also
    ``tokens_per_day_monthly``, ``api_usd_monthly``, ``selfhost_usd_monthly`` (capex + running
    cash in that month), ``replicas_monthly``.

    Examples
    --------
    Three months, no growth, no decline, no discounting: API $3/1M at 1e8 tokens/day costs
    $300/day; one replica ($10,000 capex + $1,000/month) serves it. With 30-day months the API
    costs $9,000 a month, self-hosting $11,000 then $1,000, $1,000: cumulative 9k/11k, 18k/12k
    -> crossover in month 2; saving 27,000 - 13,000 = 14,000.

    >>> r = horizon_costs(1e8, 3.0, 2e8, 1000.0, 10000.0, horizon_months=3, days_per_month=30)
    >>> float(r["api_usd"]), float(r["selfhost_usd"]), float(r["saving_usd"]), float(r["crossover_month"])
    (27000.0, 13000.0, 14000.0, 2.0)
    """
    h = int(horizon_months)
    if h < 1:
        raise ValueError("horizon_months must be >= 1")
    p_in = np.asarray(api_usd_per_mtok, dtype=float)
    if (not monthly and np.all(np.isfinite(p_in)) and np.all(np.asarray(tokens_per_day, dtype=float) >= 0)
            and np.all(np.asarray(days_per_month, dtype=float) > 0)
            and np.all(np.asarray(growth_per_month, dtype=float) >= -1)):  # the $1 bill is never negative
        return _split_horizon(h, tokens_per_day, p_in, capacity_tokens_per_day, running_usd_per_replica_month,
                              capex_per_replica_usd, growth_per_month, api_price_decline_per_year, rate,
                              days_per_month, life_months, only, spare_replicas, fixed_usd_per_month,
                              resale_per_replica_usd)
    t0, p0, cap, run, capex, g, d, rate_, dpm, life, spare, fixed, resale = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (tokens_per_day, api_usd_per_mtok, capacity_tokens_per_day,
                                               running_usd_per_replica_month, capex_per_replica_usd,
                                               growth_per_month, api_price_decline_per_year, rate, days_per_month,
                                               np.nan if life_months is None else life_months, spare_replicas,
                                               fixed_usd_per_month, resale_per_replica_usd)))
    resale = np.where(np.isnan(resale), 0.0, resale)
    capex = np.where(np.isnan(capex), 0.0, capex)
    v = 1.0 / (1.0 + monthly_discount_rate(rate_))
    monthly_price_factor = np.power(1.0 - d, 1.0 / 12.0)
    shape = t0.shape
    api_pv = np.zeros(shape)
    sh_pv = np.zeros(shape)
    capex_total = np.zeros(shape)
    held = np.zeros(shape)
    crossover = np.full(shape, np.inf)
    residual_book = np.zeros(shape)  # sum over purchases of capex x remaining-life share at the end
    isnan_life = np.isnan(life)
    keep = {k: [] for k in ("tokens_per_day_monthly", "api_usd_monthly", "selfhost_usd_monthly", "replicas_monthly")}
    t = t0.copy()
    p = p0.copy()
    disc_start = np.ones(shape)  # v^m
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for m in range(h):
            disc_end = disc_start * v
            reps, held, buy, run_m = _month_replicas(t, cap, held, capex, run, h, m, life, isnan_life,
                                                     capex_total, residual_book, spare, fixed, resale)
            api_m = t * dpm * p / 1e6
            api_pv += api_m * disc_end
            sh_pv += buy * disc_start + run_m * disc_end
            crossover = np.where(np.isinf(crossover) & (sh_pv < api_pv), m + 1.0, crossover)
            if monthly:
                keep["tokens_per_day_monthly"].append(t.copy())
                keep["api_usd_monthly"].append(api_m)
                keep["selfhost_usd_monthly"].append(buy + run_m)
                keep["replicas_monthly"].append(reps)
            disc_start = disc_end
            t = t * (1.0 + g)
            p = p * monthly_price_factor
        residual = np.where(np.isfinite(residual_book), residual_book, 0.0) * disc_start
        total = sh_pv - residual
    out = dict(api_usd=api_pv, selfhost_usd=total, saving_usd=api_pv - total, selfhost_cheaper=total < api_pv,
               crossover_month=crossover, capex_usd=capex_total, residual_usd=residual, replicas_end=held)
    if monthly:
        out.update({k: np.stack(v_, axis=-1) for k, v_ in keep.items()})
    return out


def _month_replicas(t, cap, held, capex, run, h, m, life, isnan_life, capex_total, residual_book, spare=0.0,
                    fixed=0.0, resale=0.0):
    """One month of the fleet: replicas needed (ceil(volume / capacity) + spare, inf when nothing fits),
    whole replicas bought at the start of the month (never sold), their capex added to
    ``capex_total`` and their book value at the end (resale + (capex - resale) x the unexpired
    share 1 - (h - m) / life, clipped to [0, 1]) to ``residual_book`` in place, and the month's running cost. Returns (replicas, held, bought USD,
    running USD); shared by both month loops so they cannot drift apart."""
    reps = staircase_replicas(t, cap, spare)
    new = np.maximum(reps - held, 0.0)
    held = held + new
    buy = np.where(new > 0, new * capex, 0.0)
    capex_total += buy
    remaining = np.clip(1.0 - (h - m) / life, 0.0, 1.0)
    residual_book += np.where(isnan_life | (buy == 0), 0.0, buy * remaining + new * resale * (1.0 - remaining))
    return reps, held, buy, np.where(reps > 0, reps * run + fixed, 0.0)


def _split_horizon(h, tokens_per_day, p0, capacity_tokens_per_day, running_usd_per_replica_month,
                   capex_per_replica_usd, growth_per_month, api_price_decline_per_year, rate, days_per_month,
                   life_months, only=None, spare_replicas=0.0, fixed_usd_per_month=0.0, resale_per_replica_usd=0.0):
    """:func:`horizon_costs` (``monthly=False``, finite prices) with the month loop run once without
    the price's own axes: the API bill is the price times the bill at $1 per 1M tokens, and only that
    product and the crossover (a search over the month-by-month ratio of self-host outlay to the $1
    bill) carry the price axes (e.g. draws x APIs). Same numbers up to rounding (~1e-15 relative)."""
    f = lambda x: np.asarray(x, dtype=float)  # noqa: E731
    t0, cap, run, capex, g, d, rate_, dpm = (f(x) for x in (
        tokens_per_day, capacity_tokens_per_day, running_usd_per_replica_month, capex_per_replica_usd,
        growth_per_month, api_price_decline_per_year, rate, days_per_month))
    life = f(np.nan if life_months is None else life_months)
    spare, fixed = f(spare_replicas), f(fixed_usd_per_month)
    resale = np.nan_to_num(f(resale_per_replica_usd))
    shape = np.broadcast_shapes(t0.shape, cap.shape, run.shape, capex.shape, g.shape, d.shape, rate_.shape,
                                dpm.shape, life.shape, spare.shape, fixed.shape, resale.shape)
    full = np.broadcast_shapes(shape, p0.shape)
    capex = np.where(np.isnan(capex), 0.0, capex)
    v = 1.0 / (1.0 + monthly_discount_rate(rate_))
    monthly_price_factor = np.power(1.0 - d, 1.0 / 12.0)
    unit_pv = np.zeros(shape)      # API bill at $1 per 1M tokens, discounted, cumulative
    sh_pv = np.zeros(shape)
    capex_total = np.zeros(shape)
    held = np.zeros(shape)
    residual_book = np.zeros(shape)
    ratio_min = np.full(shape, np.inf)  # running minimum over months of outlay / $1 bill (nan skipped)
    want_cross = only is None or "crossover_month" in only
    hits = np.zeros(full if want_cross else (), dtype=np.uint16)  # months at whose end self-hosting is ahead (h <= 65,535)
    t = np.broadcast_to(t0, shape)
    q = np.ones(shape)
    disc_start = np.ones(shape)
    isnan_life = np.isnan(life)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for m in range(h):
            disc_end = disc_start * v
            reps, held, buy, run_m = _month_replicas(t, cap, held, capex, run, h, m, life, isnan_life,
                                                     capex_total, residual_book, spare, fixed, resale)
            unit_pv += t * dpm * q / 1e6 * disc_end
            sh_pv += buy * disc_start + run_m * disc_end
            # self-hosting is ahead at the end of month m for a price p when sh_pv < p x unit_pv
            r = np.where(unit_pv > 0, sh_pv / unit_pv, np.where(sh_pv < 0, -np.inf, np.inf))
            ratio_min = np.fmin(ratio_min, r)
            if want_cross:
                np.add(hits, ratio_min < p0, out=hits, casting="unsafe")
            disc_start = disc_end
            t = t * (1.0 + g)
            q = q * monthly_price_factor
        residual = np.where(np.isfinite(residual_book), residual_book, 0.0) * disc_start
        total = sh_pv - residual
    # crossover: the running minimum only falls, so once below the price it stays below: the first
    # such month is h - hits + 1
    if want_cross:
        crossover = hits.astype(float)
        np.subtract(h + 1.0, crossover, out=crossover)
        crossover[hits == 0] = np.inf
        del hits
    if only is not None:  # just these outputs, computed in place (Monte Carlo: draws x APIs)
        out = {}
        if "saving_usd" in only:
            saving = np.multiply(p0, unit_pv, out=np.empty(full))
            np.subtract(saving, total, out=saving)
            out["saving_usd"] = saving
        if want_cross:
            out["crossover_month"] = crossover
        return out
    api_pv = p0 * unit_pv
    api_pv = np.broadcast_to(api_pv, full)
    total_b = np.broadcast_to(total, full)
    b = lambda x: np.broadcast_to(x, full)  # noqa: E731
    return dict(api_usd=api_pv, selfhost_usd=total_b, saving_usd=api_pv - total_b, selfhost_cheaper=total_b < api_pv,
                crossover_month=crossover, capex_usd=b(capex_total), residual_usd=b(residual), replicas_end=b(held))


@dataclass(frozen=True)
class HorizonInputs:
    """A design over a horizon: :class:`~openvclosed.engine.design.DesignInputs` plus the volume
    and how volume and API prices move. Every field broadcasts (Monte Carlo draws, sensitivity grids).
    """

    design: DesignInputs
    tokens_per_day: object
    horizon_months: int = 36
    growth_per_month: object = 0.0
    api_price_decline_per_year: object = 0.0
    residual: bool = True

    def value(self, name: str) -> float:
        """The deterministic value of a design or horizon input, as a float."""
        src = self if name in _OWN else self.design
        return float(np.asarray(getattr(src, name)))

    def with_values(self, **values) -> "HorizonInputs":
        """A copy with inputs replaced, each routed to the design or the horizon by name."""
        own = {k: v for k, v in values.items() if k in _OWN}
        rest = {k: v for k, v in values.items() if k not in _OWN}
        d = self.design.replace(**rest) if rest else self.design
        return dataclasses.replace(self, design=d, **own)


_OWN = {"tokens_per_day", "horizon_months", "growth_per_month", "api_price_decline_per_year", "residual"}


def horizon_scenario(h: HorizonInputs, api_usd_per_mtok, *, monthly=False, only=None):
    """Whole chain from physical inputs to horizon costs: :func:`selfhost_design` -> :func:`horizon_costs`.

    Every input broadcasts (arrays of draws for Monte Carlo, grids for sensitivity). Owned
    hardware is bought when first needed (capex per replica from the design) and, with
    ``h.residual``, credited its straight-line book value over ``amortize_years`` at the end;
    rented hardware has no capex and pays rent in its running cost.
    Returns :func:`horizon_costs`'s dict plus ``capacity_tokens_per_day``,
    ``running_usd_per_replica_month``, ``capex_per_replica_usd`` and ``fits``.

    >>> from openvclosed.engine.design import DesignInputs
    >>> x = DesignInputs(params_b=8.0, active_params_b=8.0, kv_elements_per_seq=131072 * 4096,
    ...     n_gpus=1, vram_gib=80, bandwidth_gb_s=3350, tflops=989, gpu_tdp_w=700,
    ...     gpu_usd=25000, rate=0.0)
    >>> r = horizon_scenario(HorizonInputs(x, 5e8, horizon_months=12, residual=False), 1.0)
    >>> bool(r["fits"]), float(r["replicas_end"]), float(r["capex_usd"])
    (True, 3.0, 79500.0)
    """
    x = h.design
    s = selfhost_design(x, 0.0)
    rented = np.asarray(x.rented, dtype=bool)
    running_month = per_month_from_day(s.running_usd_per_replica_day, x.days_per_month)
    capex = np.where(rented, 0.0, s.capex_per_replica_usd)
    life = np.where(rented, np.nan, np.asarray(x.amortize_years, dtype=float) * 12.0) if h.residual else None
    r = horizon_costs(h.tokens_per_day, api_usd_per_mtok, s.capacity_mean_tokens_per_day, running_month, capex,
                      horizon_months=h.horizon_months, growth_per_month=h.growth_per_month,
                      api_price_decline_per_year=h.api_price_decline_per_year, rate=x.rate,
                      days_per_month=x.days_per_month, life_months=life, monthly=monthly, only=only,
                      spare_replicas=s.spare_replicas,
                      fixed_usd_per_month=per_month_from_day(s.fixed_usd_per_day, x.days_per_month),
                      resale_per_replica_usd=s.resale_per_replica_usd)
    if only is not None and "api_usd" not in r:
        return r
    shape = np.shape(r["api_usd"])  # every input reached horizon_costs through cap, running or capex
    r.update(capacity_tokens_per_day=np.broadcast_to(s.capacity_tokens_per_day, shape),
             running_usd_per_replica_month=np.broadcast_to(running_month, shape),
             capex_per_replica_usd=np.broadcast_to(capex, shape), fits=np.broadcast_to(s.fits, shape))
    return r
