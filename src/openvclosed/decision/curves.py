"""Cost against volume for a breakeven result: the data the cost plots draw (computed here, drawn in report/)."""

from __future__ import annotations

import math

import numpy as np

from openvclosed.engine import api_usd_per_day, per_month_from_day, selfhost_usd_per_day
from openvclosed.errors import InputError
from openvclosed.results import BreakevenResult

__all__ = ["cost_curves"]


def cost_curves(r: BreakevenResult, tokens_min: float, tokens_max: float, points: int = 400) -> dict:
    """Monthly cost of each option against tokens/day (log-spaced, with the staircase's exact steps).

    Returns ``tokens_per_day`` (array), ``selfhost_usd_per_month`` (whole replicas: a staircase;
    ``inf`` where the model does not fit), ``apis`` (label -> USD/month array) and ``breakevens``
    (list of ``(label, tokens_per_day, usd_per_month)`` for the APIs that self-hosting beats).
    """
    if not (0 < tokens_min < tokens_max):
        raise InputError(f"--range: need 0 < min < max tokens/day, got {tokens_min:g}:{tokens_max:g}")
    s = r.selfhost
    dpm = float(r.assumptions["days_per_month"])
    t = np.geomspace(tokens_min, tokens_max, points)
    cap = s.capacity_tokens_per_day
    if cap > 0 and math.isfinite(cap) and points > 50:
        k = np.arange(max(1, math.floor(tokens_min / cap)), math.ceil(tokens_max / cap) + 1)[:5000]
        steps = np.concatenate([k * cap, k * cap * (1 + 1e-9)])
        t = np.unique(np.concatenate([t, steps[(steps >= tokens_min) & (steps <= tokens_max)]]))
    if cap > 0 and math.isfinite(cap):
        sh = per_month_from_day(selfhost_usd_per_day(t, cap, s.replica_usd_per_month / dpm), dpm)
    else:
        sh = np.full(t.shape, np.inf)

    def api_month(tokens, a):
        return per_month_from_day(api_usd_per_day(tokens, a.usd_per_mtok), dpm)

    apis = {a.api: api_month(t, a) for a in r.apis}
    bes = [(a.api, a.breakeven_tokens_per_day, float(api_month(a.breakeven_tokens_per_day, a)))
           for a in r.apis if a.breakeven_tokens_per_day is not None and math.isfinite(a.breakeven_tokens_per_day)]
    return {"tokens_per_day": t, "selfhost_usd_per_month": sh, "apis": apis, "breakevens": bes,
            "volume": r.tokens_per_day, "title": f"{s.model} ({s.quant}) on {s.n_gpus}x{s.gpu}, {s.mode}"}
