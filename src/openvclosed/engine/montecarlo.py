"""Monte Carlo over the uncertain inputs (design step 7): P(self-hosting cheaper), P10/P50/P90.

Pure numpy. Draw one array per uncertain input, call :func:`~openvclosed.engine.horizon.horizon_scenario`
with the arrays (everything broadcasts), summarise; in chunks of :data:`CHUNK_CELLS` draws x APIs,
and above :data:`EXACT_CELLS` draws x APIs in fixed memory whatever ``--max-draws`` allows. 100,000 draws take well under
a second.

Reproducible: a seed gives the same numbers on every run (numpy ``Generator``, one
independent stream per input spawned from ``SeedSequence(seed)`` in the fixed order of
:data:`VARIABLES`, so fixing or changing one input's distribution leaves the others' draws unchanged).

Distributions (``dist`` and its named parameters; every value in the input's own units)::

    {"dist": "fixed", "value": v}                       # also: a plain number
    {"dist": "uniform", "low": a, "high": b}
    {"dist": "triangular", "low": a, "mode": c, "high": b}
    {"dist": "lognormal", "median": m, "sigma": s}      # log-space standard deviation
    add "relative": true to give a, b, c, v, m as multiples of the deterministic value

Draws are clipped to each input's physical limits (:data:`VARIABLES`). The defaults
(:func:`default_distributions`) are centred on the deterministic value; see ``docs/uncertainty.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from openvclosed.engine.horizon import HorizonInputs, horizon_scenario
from openvclosed.engine.streamstats import column_histograms, column_quantiles, column_stats

__all__ = ["VARIABLES", "Dist", "default_distributions", "resolve_distributions", "sample",
           "monte_carlo_breakeven", "PERCENTILES"]

PERCENTILES = (10, 50, 90)

VARIABLES: dict[str, tuple[float, float, float, float]] = {
    # name: (clip low, clip high, flip-search low, flip-search high)
    "utilization": (1e-3, 1.0, 0.02, 1.0),
    "bandwidth_eff": (1e-3, 1.0, 0.05, 1.0),
    "electricity_usd_kwh": (0.0, math.inf, 0.0, 1.0),
    "gpu_price_factor": (1e-3, math.inf, 0.05, 10.0),
    "ops_usd_month": (0.0, math.inf, 0.0, 20000.0),
    "api_price_decline_per_year": (0.0, 0.99, 0.0, 0.95),
    "growth_per_month": (-0.99, math.inf, -0.3, 0.5),
}
"""The uncertain inputs, in draw order, with clip limits and the range searched for a flip value.
``gpu_price_factor`` multiplies the GPU purchase price (owned) or $/GPU-hour (rented)."""

_KINDS = {"fixed": ("value",), "uniform": ("low", "high"), "triangular": ("low", "mode", "high"),
          "lognormal": ("median", "sigma")}
_Z95 = 1.6448536269514722


@dataclass(frozen=True)
class Dist:
    """One input's distribution with absolute parameters, and where it comes from."""

    dist: str
    params: dict[str, float] = field(default_factory=dict)
    basis: str = ""

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws (inverse CDF of uniform draws, so degenerate widths are fine)."""
        p = self.params
        if self.dist == "fixed":
            return np.full(n, float(p["value"]))
        if self.dist == "lognormal":
            return p["median"] * np.exp(p["sigma"] * rng.standard_normal(n))
        u = rng.random(n)
        lo, hi = p["low"], p["high"]
        if self.dist == "uniform":
            return lo + u * (hi - lo)
        c = p["mode"]
        width = hi - lo
        if width <= 0:
            return np.full(n, lo)
        cut = (c - lo) / width
        return np.where(u < cut, lo + np.sqrt(u * width * (c - lo)), hi - np.sqrt((1.0 - u) * width * (hi - c)))

    def bounds(self) -> tuple[float, float]:
        """Plausible range: low/high, or the 5th/95th percentile of a lognormal."""
        p = self.params
        if self.dist == "fixed":
            return p["value"], p["value"]
        if self.dist == "lognormal":
            return p["median"] * math.exp(-_Z95 * p["sigma"]), p["median"] * math.exp(_Z95 * p["sigma"])
        return p["low"], p["high"]

    def describe(self) -> dict:
        return {"dist": self.dist, **{k: float(v) for k, v in self.params.items()}, "basis": self.basis}


def _base_value(base: HorizonInputs, name: str) -> float:
    """The deterministic value of an input of ``base``."""
    return base.value(name)


def default_distributions(base: HorizonInputs) -> dict[str, Dist]:
    """Default distribution of each uncertain input, centred on its deterministic value in ``base``.

    >>> from openvclosed.engine.design import DesignInputs
    >>> x = DesignInputs(params_b=8.0, active_params_b=8.0, kv_elements_per_seq=131072 * 4096,
    ...     n_gpus=1, vram_gib=80, bandwidth_gb_s=3350, tflops=989, utilization=0.5)
    >>> d = default_distributions(HorizonInputs(x, 1e8))
    >>> d["utilization"].dist, d["utilization"].params["high"], round(d["electricity_usd_kwh"].params["low"], 4)
    ('triangular', 0.7, 0.0975)
    """
    u = _base_value(base, "utilization")
    bw = _base_value(base, "bandwidth_eff")
    e = _base_value(base, "electricity_usd_kwh")
    ops = _base_value(base, "ops_usd_month")
    d = _base_value(base, "api_price_decline_per_year")
    g = _base_value(base, "growth_per_month")
    f = _base_value(base, "gpu_price_factor")
    return {
        "utilization": Dist("triangular", {"low": 0.6 * u, "mode": u, "high": min(1.0, 1.4 * u)},
                            "assumption: mean load 0.6x-1.4x the planned value (traffic forecasts miss by tens of %)"),
        "bandwidth_eff": Dist("triangular", {"low": 0.75 * bw, "mode": bw, "high": min(1.0, 1.25 * bw)},
                              "docs/validation.md: median |error| of the roofline ~14%; per memory-class fits "
                              "0.49 (HBM) to 0.85 (GDDR) around the shipped 0.55"),
        "electricity_usd_kwh": Dist("triangular", {"low": 0.65 * e, "mode": e, "high": 1.5 * e},
                                    "EIA Electric Power Monthly Table 5.6.A (Apr 2025): US commercial prices "
                                    "9.7-22.7 US cents/kWh by region, i.e. 0.65x-1.5x of 15 cents"),
        "gpu_price_factor": Dist("lognormal", {"median": f, "sigma": 0.2},
                                 "assumption: street, used-market and negotiated GPU prices scatter ~20% "
                                 "(log-sd) around the catalog price"),
        "ops_usd_month": Dist("triangular", {"low": 0.5 * ops, "mode": ops, "high": 2.0 * ops},
                              "assumption: people time per replica is hard to know in advance; half to double"),
        "api_price_decline_per_year": Dist(
            "triangular", {"low": max(0.0, d - 0.2), "mode": d, "high": min(0.9, d + 0.4)},
            "assumption: list prices of one model seldom move, but the same capability has got much cheaper "
            "each year (Epoch AI 2025; a16z 'LLMflation' 2024 ~10x/year) if you switch models"),
        "growth_per_month": Dist("triangular", {"low": g - 0.02, "mode": g, "high": g + 0.04},
                                 "assumption: volume growth misses the plan by -2 to +4 points per month"),
    }


def _as_dist(name: str, spec, base: HorizonInputs) -> Dist:
    if isinstance(spec, Dist):
        return spec
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return Dist("fixed", {"value": float(spec)}, "user: fixed")
    if not isinstance(spec, dict) or "dist" not in spec:
        raise ValueError(f"distribution of {name}: give a number or a mapping with 'dist' "
                         f"({', '.join(_KINDS)}) and its parameters")
    kind = spec["dist"]
    if kind not in _KINDS:
        raise ValueError(f"distribution of {name}: unknown dist {kind!r}; choose from {', '.join(_KINDS)}")
    extra = set(spec) - set(_KINDS[kind]) - {"dist", "relative", "basis"}
    missing = [k for k in _KINDS[kind] if k not in spec]
    if missing or extra:
        raise ValueError(f"distribution of {name}: {kind} takes {', '.join(_KINDS[kind])}"
                         + (f" (missing {', '.join(missing)})" if missing else "")
                         + (f" (unknown {', '.join(sorted(extra))})" if extra else ""))
    params = {k: float(spec[k]) for k in _KINDS[kind]}
    if spec.get("relative"):
        scale = _base_value(base, name)
        params = {k: (v if k == "sigma" else v * scale) for k, v in params.items()}
    if any(not math.isfinite(v) for v in params.values()):
        raise ValueError(f"distribution of {name}: parameters must be finite numbers")
    if kind == "uniform" and params["low"] > params["high"]:
        raise ValueError(f"distribution of {name}: low > high")
    if kind == "triangular" and not params["low"] <= params["mode"] <= params["high"]:
        raise ValueError(f"distribution of {name}: needs low <= mode <= high")
    if kind == "lognormal" and (params["median"] <= 0 or params["sigma"] < 0):
        raise ValueError(f"distribution of {name}: lognormal needs median > 0 and sigma >= 0")
    return Dist(kind, params, str(spec.get("basis", "user")))


def resolve_distributions(base: HorizonInputs, overrides: dict | None = None) -> dict[str, Dist]:
    """Defaults for ``base`` with ``overrides`` (name -> number, mapping or :class:`Dist`) applied.

    Raises ``ValueError`` naming the input for an unknown name or bad parameters.
    """
    dists = default_distributions(base)
    for name, spec in (overrides or {}).items():
        if name not in VARIABLES:
            raise ValueError(f"no uncertain input {name!r}; choose from {', '.join(VARIABLES)}")
        dists[name] = _as_dist(name, spec, base)
    return dists


def sample(dists: dict[str, Dist], n: int, seed: int | None = 0) -> dict[str, np.ndarray]:
    """``n`` clipped draws of every input in :data:`VARIABLES` (one spawned stream each).

    >>> from openvclosed.engine.design import DesignInputs
    >>> x = DesignInputs(params_b=8.0, active_params_b=8.0, kv_elements_per_seq=131072 * 4096,
    ...     n_gpus=1, vram_gib=80, bandwidth_gb_s=3350, tflops=989, utilization=0.5)
    >>> a = sample(default_distributions(HorizonInputs(x, 1e8)), 1000, seed=1)
    >>> b = sample(default_distributions(HorizonInputs(x, 1e8)), 1000, seed=1)
    >>> bool(np.array_equal(a["utilization"], b["utilization"])), float(a["utilization"].max()) <= 0.7
    (True, True)
    """
    return _draw(dists, _streams(seed), n)


def _streams(seed: int | None) -> list[np.random.Generator]:
    """One generator per input of :data:`VARIABLES`, spawned from ``SeedSequence(seed)`` in its order."""
    return [np.random.Generator(np.random.PCG64(ss)) for ss in np.random.SeedSequence(seed).spawn(len(VARIABLES))]


def _draw(dists: dict[str, Dist], gens: list[np.random.Generator], n: int) -> dict[str, np.ndarray]:
    """The next ``n`` clipped draws of every input from its own stream: drawing a stream in chunks
    gives the same numbers as drawing it at once (uniform and normal draws are sequential)."""
    return {name: np.clip(dists[name].draw(g, n), lo, hi) for (name, (lo, hi, _, _)), g in zip(VARIABLES.items(), gens)}


CHUNK_CELLS = 1 << 16
"""Draws x APIs evaluated at a time: the horizon's intermediate arrays (months x draws x APIs)
stay a few MB whatever ``n``."""
EXACT_CELLS = 1 << 21
"""Up to this many draws x APIs the two results per draw and API are kept (16 bytes each, 32 MB at
most) and summarised in one pass; above it they are streamed (fixed memory, same numbers)."""


def _quantiles(x: np.ndarray, axis: int = 0) -> np.ndarray:
    # inverted_cdf picks observed values: no interpolation across inf ("never") or across a step
    return np.quantile(x, np.array(PERCENTILES) / 100.0, axis=axis, method="inverted_cdf")


def _column_quantiles(x: np.ndarray) -> np.ndarray:
    """:func:`_quantiles` along the draws axis, one trailing column at a time (a copy of one column
    instead of the whole draws x APIs array; the same values)."""
    if x.ndim < 2:
        return _quantiles(x)
    out = np.empty((len(PERCENTILES),) + x.shape[1:])
    for j in np.ndindex(*x.shape[1:]):
        out[(slice(None),) + j] = _quantiles(np.ascontiguousarray(x[(slice(None),) + j]))
    return out


def monte_carlo_breakeven(base: HorizonInputs, api_usd_per_mtok, n: int = 10_000, seed: int | None = 0,
                          distributions: dict | None = None, *, keep_samples: bool = False,
                          keep_draws: bool = False, histogram_bins: int | None = None) -> dict:
    """Monte Carlo of the horizon saving of self-hosting against one or more APIs.

    Parameters
    ----------
    base : HorizonInputs
        The design over its horizon (the decision layer builds it from catalog and assumptions).
    api_usd_per_mtok : float or 1-D array
        Blended price of each API [USD per 1e6 tokens]; results get a trailing API axis if 1-D.
    n, seed : int
        Draws, and the seed (same seed -> same numbers).
    distributions : dict, optional
        Overrides of :func:`default_distributions` (see the module docstring for the format).

    Returns
    -------
    dict: ``n``, ``seed``, ``p_selfhost_cheaper`` (share of draws where the horizon saving > 0),
    ``saving_usd_p10/p50/p90`` (API minus self-host present value over the horizon [USD]),
    ``crossover_month_p10/p50/p90`` (months until cumulative self-hosting is cheaper; ``inf`` =
    not within the horizon), ``saving_usd_mean``, ``distributions`` (name -> description);
    with ``histogram_bins`` also ``saving_usd_histogram`` (per API ``{"edges", "counts"}`` of the finite
    savings, as :func:`numpy.histogram`; ``None`` without one); with ``keep_samples`` also
    ``saving_usd`` and ``crossover_month`` arrays of shape ``(n, ...)``; with ``keep_draws`` also
    ``draws`` (input name -> its ``n`` draws). Those two keep 16 and 56 bytes per draw (and API).

    Memory: up to :data:`EXACT_CELLS` draws x APIs the results are kept and summarised at once;
    above it (and without ``keep_samples``) nothing grows with ``n``: the draws are evaluated in
    chunks and read a few times from the same seed (:mod:`openvclosed.engine.streamstats`), which
    gives the same quantiles and histogram at about 3x the time.

    Examples
    --------
    With every input fixed the distribution collapses onto the deterministic answer:

    >>> from openvclosed.engine.design import DesignInputs
    >>> x = DesignInputs(params_b=8.0, active_params_b=8.0, kv_elements_per_seq=131072 * 4096,
    ...     n_gpus=1, vram_gib=80, bandwidth_gb_s=3350, tflops=989, gpu_tdp_w=700,
    ...     gpu_usd=25000)
    >>> base = HorizonInputs(x, 1e8, horizon_months=12)
    >>> fixed = {k: base.value(k) for k in VARIABLES}
    >>> r = monte_carlo_breakeven(base, 2.0, n=1000, distributions=fixed)
    >>> d = horizon_scenario(base, 2.0)
    >>> bool(r["saving_usd_p10"] == r["saving_usd_p90"] == float(d["saving_usd"]))
    True
    """
    n = int(n)
    if n < 1:
        raise ValueError("n must be >= 1")
    dists = resolve_distributions(base, distributions)
    api = np.asarray(api_usd_per_mtok, dtype=float)
    if api.ndim > 1:
        raise ValueError("api_usd_per_mtok must be a scalar or 1-D")
    m = max(1, api.size)
    # one root seed for every pass over the draws (seed=None: fresh entropy, drawn once)
    root = seed if seed is not None else np.random.SeedSequence().entropy
    kept: dict[str, list] = {k: [] for k in VARIABLES}
    exact = keep_samples or n * m <= EXACT_CELLS

    def chunks(keep: bool = False):
        """(k, 2m) chunks: the saving [USD] of each API, then its crossover month."""
        cols = (slice(None), None) if api.ndim == 1 else (slice(None),)
        gens = _streams(root)
        step = max(1, CHUNK_CELLS // m)
        for start in range(0, n, step):
            k = min(step, n - start)
            draws = _draw(dists, gens, k)
            r = horizon_scenario(base.with_values(**{name: v[cols] for name, v in draws.items()}), api,
                                 only=("saving_usd", "crossover_month"))
            if keep:
                for name, v in draws.items():
                    kept[name].append(v)
            yield np.concatenate([np.broadcast_to(np.asarray(r[key], dtype=float).reshape(-1, m) if api.ndim
                                                  else np.asarray(r[key], dtype=float).reshape(-1, 1), (k, m))
                                  for key in ("saving_usd", "crossover_month")], axis=1)

    if exact:
        whole = np.concatenate(list(chunks(keep_draws)))
        source = lambda: iter((whole,))  # noqa: E731
        stats = column_stats(source)
        q = np.concatenate([_column_quantiles(whole[:, :m]), _column_quantiles(whole[:, m:])], axis=1)
    else:
        first = [True]

        def source():
            keep, first[0] = keep_draws and first[0], False
            return chunks(keep)
        stats = column_stats(source)
        q = column_quantiles(source, PERCENTILES, stats=stats)
    shape = api.shape
    # kept: numpy's mean of the array the exact path always took (pairwise sums; the same digits)
    mean = np.mean(np.ascontiguousarray(whole[:, :m]).reshape((n,) + shape), axis=0) if exact else stats["sum"][:m] / n
    out = {"n": n, "seed": seed, "p_selfhost_cheaper": (stats["positive"][:m] / n).reshape(shape),
           "saving_usd_mean": np.asarray(mean).reshape(shape),
           "distributions": {k: dists[k].describe() for k in VARIABLES}}
    for i, p in enumerate(PERCENTILES):
        out[f"saving_usd_p{p}"] = q[i, :m].reshape(shape)
        out[f"crossover_month_p{p}"] = q[i, m:].reshape(shape)
    if histogram_bins:
        saving_only = lambda: (c[:, :m] for c in source())  # noqa: E731
        sub = {k: v[:m] for k, v in stats.items()}
        h = column_histograms(saving_only, int(histogram_bins), stats=sub)
        out["saving_usd_histogram"] = h if api.ndim else h[0]
    if keep_samples:
        out["saving_usd"] = whole[:, :m].reshape((n,) + shape)
        out["crossover_month"] = whole[:, m:].reshape((n,) + shape)
    if keep_draws:
        out["draws"] = {name: np.concatenate(v) for name, v in kept.items()}
    return out
