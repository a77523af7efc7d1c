"""Cost against volume: the points the cost charts and plots draw, from the engine's staircase and API
cost (the same functions that price the decision, evaluated over a range of volumes)."""

from __future__ import annotations

import math

import numpy as np

from openvclosed.engine import api_usd_per_day, per_month_from_day
from openvclosed.engine.breakeven import selfhost_usd_per_day
from openvclosed.errors import InputError
from openvclosed.results import BreakevenResult

__all__ = ["cost_curves", "volume_grid", "staircase_usd_per_month", "api_usd_per_month", "volume_range"]


def volume_grid(tokens_min: float, tokens_max: float, points: int = 400, capacity: float | None = None):
    """Log-spaced volumes with both sides of every replica step of ``capacity`` (a continuous staircase)."""
    if not (0 < tokens_min < tokens_max):
        raise InputError(f"--range: need 0 < min < max tokens/day, got {tokens_min:g}:{tokens_max:g}")
    t = np.geomspace(tokens_min, tokens_max, points)
    if capacity and capacity > 0 and math.isfinite(capacity) and points > 50:
        k = np.arange(max(1, math.floor(tokens_min / capacity)), math.ceil(tokens_max / capacity) + 1)[:5000]
        steps = np.concatenate([k * capacity, k * capacity * (1 + 1e-9)])
        t = np.unique(np.concatenate([t, steps[(steps >= tokens_min) & (steps <= tokens_max)]]))
    return t


def volume_range(volume: float, breakevens) -> tuple[float, float]:
    """The x range of a cost chart: two decades around the volume, widened to show the break-evens."""
    lo, hi = volume / 100, volume * 100
    for be in breakevens:
        if be and math.isfinite(be) and be > 0:
            lo, hi = min(lo, be / 4), max(hi, be * 4)
    return max(lo, hi / 1e7), hi


def staircase_usd_per_month(t, capacity_mean, replica_usd_per_month, spare=0.0, fixed_usd_per_month=0.0, dpm=1.0):
    """Self-hosting [USD/month] at each volume of ``t`` (``inf`` where nothing fits)."""
    if not (capacity_mean > 0 and math.isfinite(capacity_mean)):
        return np.full(np.shape(t), np.inf)
    day = selfhost_usd_per_day(t, capacity_mean, replica_usd_per_month / dpm, spare, fixed_usd_per_month / dpm)
    return per_month_from_day(day, dpm)


def api_usd_per_month(t, usd_per_mtok, dpm):
    return per_month_from_day(api_usd_per_day(t, usd_per_mtok), dpm)


def cost_curves(r: BreakevenResult, tokens_min: float, tokens_max: float, points: int = 400) -> dict:
    """Monthly cost of each option of a breakeven result against tokens/day (log-spaced, with the
    staircase's exact steps).

    Returns ``tokens_per_day`` (array), ``selfhost_usd_per_month`` (the staircase; ``inf`` where the
    model does not fit), ``apis`` (label -> USD/month array) and ``breakevens`` (list of
    ``(label, tokens_per_day, usd_per_month)``, the result's own break-evens).
    """
    s = r.selfhost
    dpm = float(r.assumptions["days_per_month"])
    cap = s.capacity_mean_tokens_per_day or s.capacity_tokens_per_day
    t = volume_grid(tokens_min, tokens_max, points, cap)
    sh = staircase_usd_per_month(t, cap, s.replica_usd_per_month, s.spare_replicas, s.fixed_usd_per_month, dpm)
    apis = {a.api: api_usd_per_month(t, a.usd_per_mtok, dpm) for a in r.apis}
    bes = [(a.api, a.breakeven_tokens_per_day, float(api_usd_per_month(a.breakeven_tokens_per_day, a.usd_per_mtok, dpm)))
           for a in r.apis if a.breakeven_tokens_per_day is not None and math.isfinite(a.breakeven_tokens_per_day)
           and a.breakeven_tokens_per_day > 0]
    return {"tokens_per_day": t, "selfhost_usd_per_month": sh, "apis": apis, "breakevens": bes,
            "volume": r.tokens_per_day, "title": f"{s.model} ({s.quant}) on {s.n_gpus}x{s.gpu}, {s.mode}"}
