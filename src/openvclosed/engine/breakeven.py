"""Break-even (design step 6): the staircase of self-hosting against linear API cost."""

from __future__ import annotations

import numpy as np

from openvclosed.engine.apicost import api_usd_per_day
from openvclosed.engine.capacity import replicas_needed
from openvclosed.engine.defaults import DAYS_PER_MONTH

__all__ = ["selfhost_usd_per_day", "breakeven_tokens_per_day", "payback_months", "compare_with_api"]


def selfhost_usd_per_day(tokens_per_day, capacity_tokens_per_day, replica_usd_per_day):
    """Self-hosting cost at a volume [USD/day] = ceil(T / C) x F (whole replicas).

    >>> float(selfhost_usd_per_day(5e8, 2e8, 100.0))
    300.0
    """
    return replicas_needed(tokens_per_day, capacity_tokens_per_day) * np.asarray(replica_usd_per_day, dtype=float)


def breakeven_tokens_per_day(replica_usd_per_day, capacity_tokens_per_day, api_usd_per_mtok):
    """Volume at which the API costs as much as self-hosting [tokens/day]; ``inf`` if never.

    Notes
    -----
    API cost is ``a x T`` (``a = usd_per_mtok / 1e6``); self-hosting costs ``ceil(T/C) x F``.
    Self-hosting ever wins iff ``F / C < a``; then the first crossing is on the first step,
    ``T* = F / a`` (< C). If ``F / C >= a`` even a full replica costs more per token than
    the API, so there is no break-even (``inf``). Above ``T*`` self-hosting stays cheaper
    except just after each added replica, where the staircase steps up by ``F``.

    >>> float(breakeven_tokens_per_day(100.0, 2e8, 2.0)), float(breakeven_tokens_per_day(100.0, 2e7, 2.0))
    (50000000.0, inf)
    """
    f, c, p = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in
                                    (replica_usd_per_day, capacity_tokens_per_day, api_usd_per_mtok)))
    a = p / 1e6
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t = f / a
    return np.where((a > 0) & (t < c), t, np.inf)


def payback_months(capex_usd, api_usd_per_month, running_usd_per_month):
    """Months for owned hardware to repay its purchase from API spend avoided; ``inf`` if never.

    ``capex / (api_usd_per_month - running_usd_per_month)`` where the saving is positive;
    ``running`` excludes capital (energy + operations only).

    >>> float(payback_months(20000.0, 3000.0, 1000.0)), float(payback_months(20000.0, 900.0, 1000.0))
    (10.0, inf)
    """
    k, a, r = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (capex_usd, api_usd_per_month,
                                                                         running_usd_per_month)))
    saving = a - r
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(saving > 0, k / saving, np.inf)


def compare_with_api(tokens_per_day, api_usd_per_mtok_, selfhost_usd_per_day, replica_usd_per_day,
                     capacity_tokens_per_day, replicas, capex_per_replica_usd, running_usd_per_replica_day,
                     days_per_month=DAYS_PER_MONTH):
    """API against self-hosting at one volume; returns a dict of arrays.

    Keys: ``api_usd_per_day``, ``breakeven_tokens_per_day`` (``inf`` = never),
    ``payback_months`` (owned hardware: capex / monthly saving on running cost; ``inf`` =
    never; pass ``nan`` capex for rented), ``selfhost_cheaper`` (bool), ``saving_usd_per_month``
    (API minus self-host; negative when the API is cheaper).
    """
    api_day = api_usd_per_day(tokens_per_day, api_usd_per_mtok_)
    be = breakeven_tokens_per_day(replica_usd_per_day, capacity_tokens_per_day, api_usd_per_mtok_)
    reps = np.asarray(replicas, dtype=float)
    capex = reps * np.asarray(capex_per_replica_usd, dtype=float)
    running = reps * np.asarray(running_usd_per_replica_day, dtype=float) * days_per_month
    pb = payback_months(capex, api_day * days_per_month, running)
    pb = np.where(np.isnan(capex), np.nan, pb)
    sh = np.asarray(selfhost_usd_per_day, dtype=float)
    out = dict(api_usd_per_day=api_day, breakeven_tokens_per_day=be, payback_months=pb,
               selfhost_cheaper=sh < api_day, saving_usd_per_month=(api_day - sh) * days_per_month)
    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()))
    return {k: np.broadcast_to(v, shape) for k, v in out.items()}
