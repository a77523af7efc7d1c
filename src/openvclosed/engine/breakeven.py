"""Break-even (design step 6): the staircase of self-hosting against linear API cost.

Self-hosting costs whole replicas plus a fixed part::

    S(T) = (ceil(T / C) + s) x F + K      for T > 0       (0 for T = 0: nothing deployed)

with ``C`` the mean tokens/day one replica carries (sized for the peak), ``s`` spare replicas
(N+1 for an uptime target), ``F`` one replica's cost per day and ``K`` a fixed cost per day (an
operations team). The API costs ``a x T`` with ``a = usd_per_mtok / 1e6``. Every figure that
compares the two — the verdict at a volume, the break-even, the intervals where self-hosting
wins, payback — is computed here, from this one staircase, so they cannot disagree.
"""

from __future__ import annotations

import math

import numpy as np

from openvclosed.engine.apicost import api_usd_per_day
from openvclosed.engine.capacity import replicas_needed

__all__ = ["selfhost_usd_per_day", "breakeven_tokens_per_day", "win_intervals", "payback_months",
           "compare_with_api", "staircase_replicas", "breakeven_of", "comparison"]


def _f(*xs):
    return np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in xs))


def staircase_replicas(tokens_per_day, capacity_tokens_per_day, spare_replicas=0.0):
    """Whole replicas deployed for a volume = ceil(T / C) + spare; 0 for no traffic, inf if C is 0.

    >>> float(staircase_replicas(5e8, 2e8)), float(staircase_replicas(5e8, 2e8, 1)), float(staircase_replicas(0, 2e8, 1))
    (3.0, 4.0, 0.0)
    """
    t, s = _f(tokens_per_day, spare_replicas)
    r = replicas_needed(t, capacity_tokens_per_day)
    return np.where(t > 0, r + s, 0.0)


def selfhost_usd_per_day(tokens_per_day, capacity_tokens_per_day, replica_usd_per_day, spare_replicas=0.0,
                         fixed_usd_per_day=0.0):
    """Self-hosting cost at a volume [USD/day] = (ceil(T / C) + s) x F + K (0 for no traffic).

    >>> float(selfhost_usd_per_day(5e8, 2e8, 100.0)), float(selfhost_usd_per_day(5e8, 2e8, 100.0, 1, 50.0))
    (300.0, 450.0)
    """
    t, f, k = _f(tokens_per_day, replica_usd_per_day, fixed_usd_per_day)
    reps = staircase_replicas(t, capacity_tokens_per_day, spare_replicas)
    with np.errstate(invalid="ignore"):
        return np.where(reps > 0, reps * f + k, 0.0)


def _first_won_step(f, c, a, s, k):
    """Smallest step k* >= 1 from which self-hosting wins every volume: a (k-1) C >= (k + s) F + K,
    i.e. k >= (aC + sF + K) / (aC - F); nan where aC <= F (never)."""
    d = a * c - f
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        k0 = np.maximum(1.0, np.ceil((a * c + s * f + k) / d))
        # floating point: step back while the step before also qualifies, forward while this one does not
        ok_prev = a * (k0 - 2.0) * c >= (k0 - 1.0 + s) * f + k
        k0 = np.where((k0 > 1) & ok_prev, k0 - 1.0, k0)
        ok = a * (k0 - 1.0) * c >= (k0 + s) * f + k
        k0 = np.where(ok, k0, k0 + 1.0)
    return np.where(d > 0, k0, np.nan)


def breakeven_tokens_per_day(replica_usd_per_day, capacity_tokens_per_day, api_usd_per_mtok, spare_replicas=0.0,
                             fixed_usd_per_day=0.0):
    """Volume above which self-hosting is cheaper at *every* volume [tokens/day]; ``inf`` if never.

    Notes
    -----
    With ``S(T) = (ceil(T/C) + s) F + K`` and API ``a T``: self-hosting wins permanently only if
    a full replica costs less per token than the API, ``F / C < a``. Then every step from
    ``k* = ceil((aC + sF + K) / (aC - F))`` on is won whole (its left end already has
    ``a (k*-1) C >= (k* + s) F + K``), and on the step before, ``j = k* - 1``, self-hosting wins
    from ``x = ((j + s) F + K) / a`` if that lies inside the step, else from its right end
    ``j C``. So the break-even is ``min(x, jC)`` (0 when ``k* = 1``). Below it self-hosting may
    still win on parts of earlier steps: :func:`win_intervals` lists them.

    Examples
    --------
    $100/day a replica of 2e8 tokens/day against $2 per 1M: wins from 5e7 on (the first step).
    A replica of 101 tokens/day against $1 per token: one replica wins only above 100 tokens on
    each step, but the staircase steps up by $100 per 101 tokens, so self-hosting is cheaper at
    every volume only from the 100th step's crossing, 10,000 tokens/day.

    >>> float(breakeven_tokens_per_day(100.0, 2e8, 2.0)), float(breakeven_tokens_per_day(100.0, 2e7, 2.0))
    (50000000.0, inf)
    >>> float(breakeven_tokens_per_day(100.0, 101.0, 1e6))
    10000.0
    """
    f, c, p, s, k = _f(replica_usd_per_day, capacity_tokens_per_day, api_usd_per_mtok, spare_replicas,
                       fixed_usd_per_day)
    a = p / 1e6
    ks = _first_won_step(f, c, a, s, k)
    j = ks - 1.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = ((j + s) * f + k) / a
        be = np.where(ks <= 1, 0.0, np.minimum(x, j * c))
    good = np.isfinite(ks) & (a > 0) & (c > 0) & np.isfinite(c) & np.isfinite(f)
    return np.where(good, be, np.inf)


def win_intervals(replica_usd_per_day: float, capacity_tokens_per_day: float, api_usd_per_mtok: float,
                  spare_replicas: float = 0.0, fixed_usd_per_day: float = 0.0,
                  max_intervals: int = 6) -> tuple[list[tuple[float, float]], int]:
    """Volumes *below* the break-even where self-hosting still wins: ([(lo, hi], ...], how many there are).

    Step ``j`` (volumes in ``((j-1) C, jC]``) is won from ``((j + s) F + K) / a`` to its end when
    ``j (aC - F) > sF + K``; those steps before ``k* - 1`` (:func:`breakeven_tokens_per_day`) are
    the intervals. At most ``max_intervals`` are listed (the first ones); the count is exact.

    >>> win_intervals(100.0, 101.0, 1e6, max_intervals=2)
    ([(100.0, 101.0), (200.0, 202.0)], 99)
    >>> win_intervals(100.0, 2e8, 2.0)
    ([], 0)
    """
    f, c, a, s, k = (float(replica_usd_per_day), float(capacity_tokens_per_day), float(api_usd_per_mtok) / 1e6,
                     float(spare_replicas), float(fixed_usd_per_day))
    if not (a > 0 and c > 0 and math.isfinite(c) and math.isfinite(f) and a * c - f > 0):
        return [], 0
    ks = float(_first_won_step(np.float64(f), np.float64(c), np.float64(a), np.float64(s), np.float64(k)))
    j0 = math.floor((s * f + k) / (a * c - f)) + 1.0
    while j0 > 1 and (j0 - 1 + s) * f + k < a * (j0 - 1) * c:
        j0 -= 1.0
    while (j0 + s) * f + k >= a * j0 * c and j0 < ks:
        j0 += 1.0
    count = int(max(0.0, ks - 1.0 - j0))
    out = [(((j + s) * f + k) / a, j * c) for j in (j0 + i for i in range(min(count, max_intervals)))]
    return out, count


def payback_months(capex_usd, api_usd_per_month, running_usd_per_month):
    """Months for owned hardware to repay its purchase from API spend avoided; ``inf`` if never.

    ``capex / (api_usd_per_month - running_usd_per_month)`` where the saving is positive;
    ``running`` excludes capital (energy + operations only).

    >>> float(payback_months(20000.0, 3000.0, 1000.0)), float(payback_months(20000.0, 900.0, 1000.0))
    (10.0, inf)
    """
    k, a, r = _f(capex_usd, api_usd_per_month, running_usd_per_month)
    saving = a - r
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(saving > 0, k / saving, np.inf)


def compare_with_api(tokens_per_day, api_usd_per_mtok, e, days_per_month=None):
    """API against self-hosted designs at one volume: the one comparison; a dict of arrays.

    ``e`` is a :class:`~openvclosed.engine.design.DesignEval` (any shape; ``api_usd_per_mtok``
    broadcasts against it, e.g. designs x APIs with a trailing axis on both). Keys:
    ``api_usd_per_day``, ``selfhost_usd_per_day``, ``breakeven_tokens_per_day`` (``inf`` =
    never; :func:`breakeven_tokens_per_day`), ``payback_months`` (owned: capex of the replicas
    deployed / monthly saving on running cost; ``nan`` for rented; ``inf`` never),
    ``selfhost_cheaper`` (bool, the verdict at this volume), ``saving_usd_per_month`` (API minus
    self-host; negative when the API is cheaper; ``-inf`` when the model does not fit).
    """
    dpm = e.days_per_month if days_per_month is None else days_per_month
    api_day = api_usd_per_day(tokens_per_day, api_usd_per_mtok)
    sh = np.asarray(e.usd_per_day, dtype=float)
    be = breakeven_tokens_per_day(e.replica_usd_per_day, e.capacity_mean_tokens_per_day, api_usd_per_mtok,
                                  e.spare_replicas, e.fixed_usd_per_day)
    reps = np.asarray(e.replicas, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        capex = reps * np.asarray(e.capex_per_replica_usd, dtype=float)
        running = (reps * np.asarray(e.running_usd_per_replica_day, dtype=float)
                   + np.where(reps > 0, e.fixed_usd_per_day, 0.0)) * dpm
        pb = payback_months(capex, api_day * dpm, running)
        pb = np.where(np.isnan(capex), np.nan, pb)
        saving = np.where(np.isfinite(sh), (api_day - sh) * dpm, -np.inf)
    out = dict(api_usd_per_day=api_day, selfhost_usd_per_day=sh, breakeven_tokens_per_day=be, payback_months=pb,
               selfhost_cheaper=sh < api_day, saving_usd_per_month=saving)
    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()))
    return {k: np.broadcast_to(v, shape) for k, v in out.items()}


def breakeven_of(e, api_usd_per_mtok):
    """:func:`breakeven_tokens_per_day` of the staircase of the evaluation ``e`` (a DesignEval) [tokens/day]."""
    return breakeven_tokens_per_day(e.replica_usd_per_day, e.capacity_mean_tokens_per_day, api_usd_per_mtok,
                                    e.spare_replicas, e.fixed_usd_per_day)


def comparison(tokens_per_day: float, api_usd_per_mtok: float, e, max_intervals: int = 6) -> dict:
    """One design (``e``: a one-design DesignEval) against one API: :func:`compare_with_api` as floats,
    monthly figures, and the staircase's :func:`win_intervals` below the break-even."""
    c = {k: float(v) for k, v in compare_with_api(tokens_per_day, api_usd_per_mtok, e).items()}
    iv, n_iv = win_intervals(float(e.replica_usd_per_day), float(e.capacity_mean_tokens_per_day),
                             float(api_usd_per_mtok), float(e.spare_replicas), float(e.fixed_usd_per_day),
                             max_intervals)
    dpm = float(e.days_per_month)
    c.update(win_intervals=[[lo, hi] for lo, hi in iv], win_intervals_total=n_iv,
             selfhost_usd_per_month=c["selfhost_usd_per_day"] * dpm, api_usd_per_month=c["api_usd_per_day"] * dpm)
    return c
