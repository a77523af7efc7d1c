"""One-at-a-time sensitivity (design step 7): which input moves the answer most, and where it flips.

Pure numpy. Each uncertain input (:data:`~openvclosed.engine.montecarlo.VARIABLES`) is set to the
low and high end of its plausible range (:meth:`Dist.bounds`: low/high, or the 5th/95th
percentile of a lognormal) with every other input at its deterministic value; inputs are ranked
by the swing ``|saving(high) - saving(low)|`` of the horizon saving (a tornado chart). The flip
value is the input value nearest the deterministic one at which the cheaper option changes,
searched over a wide physical range (``VARIABLES``) by a vectorized grid and then bisection;
``nan`` if it never flips there. All scenarios of one stage go through one engine call.
"""

from __future__ import annotations

import numpy as np

from openvclosed.engine.horizon import HorizonInputs, horizon_scenario
from openvclosed.engine.montecarlo import VARIABLES, _base_value, resolve_distributions  # noqa: F401

__all__ = ["sensitivity_table"]


def _saving(base: HorizonInputs, api, values: dict[str, np.ndarray]) -> np.ndarray:
    """Horizon saving for scenarios where input ``k`` takes ``values[k]`` (arrays of one length m)."""
    api = np.asarray(api, dtype=float)
    cols = (slice(None), None) if api.ndim == 1 else (slice(None),)
    r = horizon_scenario(base.with_values(**{k: v[cols] for k, v in values.items()}), api, only=("saving_usd",))
    return np.asarray(r["saving_usd"])


def sensitivity_table(base: HorizonInputs, api_usd_per_mtok, distributions: dict | None = None, *,
                      variables: list[str] | None = None, grid_points: int = 48, bisect_steps: int = 40) -> dict:
    """Tornado table and flip values of the horizon saving (API minus self-hosting, USD).

    Parameters
    ----------
    base : HorizonInputs
        The design over its horizon.
    api_usd_per_mtok : float or 1-D array
        Blended API price(s); results get a trailing API axis if 1-D.
    distributions : dict, optional
        Overrides of the Monte Carlo distributions; their ranges are the swings.
    variables : list of str, optional
        Inputs to vary (default: all of ``VARIABLES``).

    Returns
    -------
    dict of arrays, rows in ``variables`` order: ``variable`` (names), ``base_value``, ``low``,
    ``high``, ``saving_usd_low``, ``saving_usd_high``, ``swing_usd`` (absolute difference),
    ``flip_value`` (``nan`` = never flips in the search range), plus ``base_saving_usd`` and
    ``order`` (row indices by decreasing swing, per API along the last axis).

    Examples
    --------
    Electricity hardly matters when one replica of a small card serves the load; the GPU price
    does most:

    >>> from openvclosed.engine.design import DesignInputs
    >>> x = DesignInputs(params_b=8.0, active_params_b=8.0, kv_elements_per_seq=131072 * 4096,
    ...     n_gpus=1, vram_gib=80, bandwidth_gb_s=3350, tflops=989, gpu_tdp_w=700,
    ...     gpu_usd=25000)
    >>> base = HorizonInputs(x, 1e8, horizon_months=12)
    >>> t = sensitivity_table(base, 0.5)
    >>> t["variable"][t["order"][0]]
    'gpu_price_factor'
    """
    names = list(variables or VARIABLES)
    for v in names:
        if v not in VARIABLES:
            raise ValueError(f"no uncertain input {v!r}; choose from {', '.join(VARIABLES)}")
    dists = resolve_distributions(base, distributions)
    k = len(names)
    base_vals = np.array([_base_value(base, v) for v in names])
    bounds = np.array([dists[v].bounds() for v in names], dtype=float)
    clip = np.array([VARIABLES[v][:2] for v in names], dtype=float)
    low = np.clip(bounds[:, 0], clip[:, 0], clip[:, 1])
    high = np.clip(bounds[:, 1], clip[:, 0], clip[:, 1])

    # stage 1: base, then low and high of each input (2k + 1 scenarios, one call)
    def block(vals_per_row: np.ndarray) -> dict[str, np.ndarray]:
        """Row i of ``vals_per_row`` (k x c) sets input i to c values; returns k*c-long arrays."""
        c = vals_per_row.shape[1]
        out = {}
        for i, v in enumerate(names):
            arr = np.full((k, c), base_vals[i])
            arr[i] = vals_per_row[i]
            out[v] = arr.ravel()
        return out

    stage1 = block(np.stack([low, high], axis=1))
    stage1 = {v: np.concatenate([[base_vals[i]], a]) for i, v in enumerate(names) for a in [stage1[v]]}
    s1 = _saving(base, api_usd_per_mtok, stage1)
    s_base = s1[0]
    lo_hi = s1[1:].reshape((k, 2) + s1.shape[1:])
    s_low, s_high = lo_hi[:, 0], lo_hi[:, 1]
    with np.errstate(invalid="ignore"):  # -inf at both ends (never fits): no swing; at one end: infinite
        swing = np.where(s_high == s_low, 0.0, np.abs(s_high - s_low))

    # stage 2: grid over the search range (with the base value inserted) to bracket the nearest flip
    search = np.array([VARIABLES[v][2:] for v in names], dtype=float)
    search[:, 0] = np.minimum(search[:, 0], low)  # always cover the plausible range
    search[:, 1] = np.maximum(search[:, 1], high)
    grid = np.linspace(search[:, 0], search[:, 1], grid_points, axis=1)
    grid = np.sort(np.concatenate([grid, base_vals[:, None]], axis=1), axis=1)  # (k, G+1)
    g = grid.shape[1]
    sg = _saving(base, api_usd_per_mtok, block(grid)).reshape((k, g) + s1.shape[1:])
    cheaper = sg > 0
    base_idx = np.argmax(grid == base_vals[:, None], axis=1)  # (k,)
    extra = (1,) * (sg.ndim - 2)
    bi = base_idx.reshape((k, 1) + extra)
    base_side = np.take_along_axis(cheaper, bi, axis=1)
    idx = np.arange(g).reshape((1, g) + extra)
    dist = np.where(cheaper != base_side, np.abs(idx - bi), g + 1)
    j = np.argmin(dist, axis=1)  # (k, ...) nearest grid index on the other side
    found = np.min(dist, axis=1) <= g
    bi_b = np.broadcast_to(base_idx.reshape((k,) + extra), j.shape)
    toward = np.where(j > bi_b, j - 1, j + 1)  # its neighbour toward the base (same side as base)
    toward = np.clip(toward, 0, g - 1)
    grid_b = np.broadcast_to(grid.reshape((k, g) + extra), (k, g) + j.shape[1:])
    a_val = np.take_along_axis(grid_b, j[:, None], axis=1)[:, 0]  # other side
    b_val = np.take_along_axis(grid_b, toward[:, None], axis=1)[:, 0]  # base side

    # stage 3: bisection of every bracket at once (one engine call per step)
    side_a = ~np.broadcast_to(base_side[:, 0], a_val.shape)  # cheaper-flag at the other side
    if np.any(found) and bisect_steps > 0:
        api = np.asarray(api_usd_per_mtok, dtype=float)
        for _ in range(bisect_steps):
            mid = 0.5 * (a_val + b_val)
            vals = {}
            for i, v in enumerate(names):
                arr = np.broadcast_to(np.full((k,) + mid.shape[1:], base_vals[i]), mid.shape).copy()
                arr[i] = mid[i]
                vals[v] = arr
            r = horizon_scenario(base.with_values(**vals), api, only=("saving_usd",))
            mid_cheaper = np.asarray(r["saving_usd"]) > 0
            same_as_a = mid_cheaper == side_a
            a_val = np.where(same_as_a, mid, a_val)
            b_val = np.where(same_as_a, b_val, mid)
    flip = np.where(found, 0.5 * (a_val + b_val), np.nan)
    order = np.argsort(-swing, axis=0, kind="stable")
    return {"variable": names, "base_value": base_vals, "low": low, "high": high, "saving_usd_low": s_low,
            "saving_usd_high": s_high, "swing_usd": swing, "flip_value": flip, "base_saving_usd": s_base,
            "order": order}
