"""Horizon, Monte Carlo and sensitivity of a self-hosted design against APIs: computed once, with the
histogram of the very samples the quantiles summarise (renderers draw it, nobody reruns it)."""

from __future__ import annotations

import numpy as np

from openvclosed.decision.assumptions import Assumptions
from openvclosed.decision.designs import Design, design_inputs
from openvclosed.engine.horizon import HorizonInputs
from openvclosed.errors import InputError
from openvclosed.results.base import Finding

__all__ = ["horizon_base", "uncertainty_sections", "histogram", "HISTOGRAM_BINS"]

HISTOGRAM_BINS = 40


def horizon_base(d: Design, a: Assumptions, tokens_per_day: float, *, horizon_months: int | None = None,
                 growth_per_month: float = 0.0, api_price_decline_per_year: float = 0.0,
                 sizing: dict | None = None) -> HorizonInputs:
    """One design over a horizon (``horizon_months`` defaults to ``amortize_years x 12``), sized as the
    decision sized it (``sizing``: peak_to_mean, spare_replicas)."""
    x = design_inputs([d], a).take(0)
    if sizing:
        x = x.replace(**sizing)
    months = int(horizon_months if horizon_months is not None else round(a.amortize_years * 12))
    return HorizonInputs(x, tokens_per_day, horizon_months=months, growth_per_month=growth_per_month,
                         api_price_decline_per_year=api_price_decline_per_year)


def histogram(samples, bins: int = HISTOGRAM_BINS) -> dict | None:
    """Bin edges and counts of the finite samples [USD] (None when there are none): the function the
    Monte Carlo summarises its draws with (:func:`openvclosed.engine.streamstats.column_histograms`)."""
    from openvclosed.engine.streamstats import column_histograms

    x = np.asarray(samples, dtype=float).reshape(-1, 1)
    if not x.size:
        return None
    return column_histograms(lambda: iter((x,)), bins)[0]


def uncertainty_sections(base: HorizonInputs, fits: bool, apis: list[tuple[str, float]], *, rented: bool,
                         monte_carlo: int | None = None, seed: int | None = 0, sensitivity: bool = False,
                         distributions: dict | None = None, findings: list[Finding] | None = None,
                         monthly: bool = False, bins: int = HISTOGRAM_BINS) -> dict:
    """``horizon``, ``monte_carlo`` and ``sensitivity`` result sections for ``apis`` = [(label, usd_per_mtok)].

    With ``monthly`` the horizon section also carries each month's cash (the cumulative chart)."""
    from openvclosed.engine.horizon import horizon_scenario
    from openvclosed.engine.montecarlo import monte_carlo_breakeven
    from openvclosed.engine.sensitivity import sensitivity_table
    from openvclosed.results import (HorizonApi, HorizonResult, MonteCarloApi, MonteCarloResult, SensitivityApi,
                                     SensitivityResult, SensitivityRow)

    h = base.horizon_months
    labels = [x[0] for x in apis]
    prices = np.array([x[1] for x in apis], dtype=float)
    a_rate = float(np.asarray(base.design.rate))
    g, dcl = float(np.asarray(base.growth_per_month)), float(np.asarray(base.api_price_decline_per_year))
    out: dict = {}
    r = horizon_scenario(base, prices, monthly=monthly)
    mon = {}
    if monthly and len(labels):
        mon = {"selfhost_usd_monthly": [float(v) for v in np.asarray(r["selfhost_usd_monthly"])[0]]}
    out["horizon"] = HorizonResult(
        horizon_months=h, growth_per_month=g, api_price_decline_per_year=dcl,
        rate=a_rate, tokens_per_day_end=float(np.asarray(base.tokens_per_day)) * (1 + g) ** (h - 1),
        replicas_end=float(r["replicas_end"][0]) if len(labels) else None,
        selfhost_capex_usd=float(r["capex_usd"][0]) if len(labels) else 0.0,
        selfhost_residual_usd=float(r["residual_usd"][0]) if len(labels) else 0.0,
        residual_credited=not rented, **mon,
        apis=[HorizonApi(api=lab, api_usd=float(r["api_usd"][i]), selfhost_usd=float(r["selfhost_usd"][i]),
                         saving_usd=float(r["saving_usd"][i]),
                         cheaper="selfhost" if bool(r["selfhost_cheaper"][i]) else "api",
                         crossover_month=float(r["crossover_month"][i]),
                         api_usd_monthly=[float(v) for v in np.asarray(r["api_usd_monthly"])[i]] if monthly else None)
              for i, lab in enumerate(labels)])
    if (monte_carlo or sensitivity) and not fits:
        if findings is not None:
            findings.append(Finding(code="skipped", severity="info", ids=["monte_carlo", "sensitivity"],
                                    message="Monte Carlo and sensitivity skipped: the model does not fit, so "
                                            "self-hosting is not an option"))
        return out
    if (monte_carlo or sensitivity) and not labels:
        return out
    try:
        from openvclosed.decision.calibration import with_throughput_uncertainty

        distributions = with_throughput_uncertainty(distributions, base.value("bandwidth_eff"))
        if monte_carlo:
            mc = monte_carlo_breakeven(base, prices, n=monte_carlo, seed=seed, distributions=distributions,
                                       histogram_bins=bins)
            out["monte_carlo"] = MonteCarloResult(
                n=mc["n"], seed=seed, horizon_months=h, distributions=mc["distributions"],
                apis=[MonteCarloApi(api=lab, histogram=mc["saving_usd_histogram"][i], **{k: float(np.asarray(mc[k]).reshape(-1)[i]) for k in (
                    "p_selfhost_cheaper", "saving_usd_mean", "saving_usd_p10", "saving_usd_p50", "saving_usd_p90",
                    "crossover_month_p10", "crossover_month_p50", "crossover_month_p90")})
                      for i, lab in enumerate(labels)])
            del mc
        if sensitivity:
            t = sensitivity_table(base, prices, distributions)
            apis_out = []
            for i, lab in enumerate(labels):
                rows_ = [SensitivityRow(variable=t["variable"][j], base_value=float(t["base_value"][j]),
                                        low=float(t["low"][j]), high=float(t["high"][j]),
                                        saving_usd_low=float(t["saving_usd_low"][j, i]),
                                        saving_usd_high=float(t["saving_usd_high"][j, i]),
                                        swing_usd=float(t["swing_usd"][j, i]), flip_value=float(t["flip_value"][j, i]))
                         for j in t["order"][:, i]]
                apis_out.append(SensitivityApi(api=lab, base_saving_usd=float(t["base_saving_usd"][i]), rows=rows_))
            out["sensitivity"] = SensitivityResult(horizon_months=h, apis=apis_out)
    except ValueError as e:  # a bad distribution override names the input
        raise InputError(str(e)) from None
    return out
