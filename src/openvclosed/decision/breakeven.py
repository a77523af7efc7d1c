"""``ovc breakeven`` as a function: inputs -> :class:`BreakevenResult`. No I/O, no printing.

Chooses the model and precision through :mod:`openvclosed.decision.selection`, prices the design
through :func:`openvclosed.decision.designs.evaluate` (the one cost path) and compares every API
with it through :func:`openvclosed.engine.compare_with_api`.
"""

from __future__ import annotations

import datetime as dt
import math


from openvclosed.catalog import TIERS, Catalog
from openvclosed.decision.assumptions import Assumptions
from openvclosed.decision.apiprice import api_price
from openvclosed.decision.designs import (Design, engine_for, evaluate, layout_reason, power_share, price_basis,
                                          require_priced, residual_share)
from openvclosed.decision.selection import (apply_output_multiplier, choose, default_model_finding, default_apis, design_findings, fmt_tokens, gpu_price_dates,
                                            like_for_like, stale_findings, api_price_date)
from openvclosed.engine import api_usd_per_mtok, per_month_from_day
from openvclosed.engine.breakeven import comparison
from openvclosed.errors import InputError
from openvclosed.results.breakeven import ApiComparison, BreakevenResult, LicenseInfo, SelfHostResult
from openvclosed.results.base import Finding, dedupe
from openvclosed.units import HwSpec

__all__ = ["run_breakeven", "selfhost_result", "fmt_tokens", "api_comparison"]


def licence_info(m) -> LicenseInfo:
    lic = m.license
    return LicenseInfo(name=lic.name, spdx=lic.spdx, url=lic.url, commercial_use=lic.commercial_use,
                       mau_limit=lic.mau_limit, mau_basis=lic.mau_basis,
                       conditions=[c.model_dump(exclude_none=True) for c in lic.conditions])


def selfhost_result(d: Design, e, a: Assumptions, measured: bool = False) -> SelfHostResult:
    """The self-hosted design of a breakeven as a result object (``e``: its one-design evaluation)."""
    m = d.model
    g = e.at(0)
    dpm = g["days_per_month"]
    reps = g["replicas"]
    parts = e.parts_usd_per_replica_day(0)
    return SelfHostResult(
        gpu=d.gpu.id, gpu_name=d.gpu.name, n_gpus=d.n_gpus, mode=d.mode,
        model=m.id, model_name=m.name, quant=d.precision, weight_bits=d.bits, fits=g["fits"],
        weights_gb=g["weights_gb"], kv_gb_per_seq=g["kv_gb_per_seq"], usable_vram_gb=g["usable_gb"],
        max_concurrent_seqs=g["max_seqs"], decode_tokens_per_s=g["decode_tokens_per_s"],
        decode_tokens_per_s_single=g["decode_tokens_per_s_single"], prefill_tokens_per_s=g["prefill_tokens_per_s"],
        throughput_source="measured" if measured else "roofline",
        capacity_tokens_per_day=g["capacity_tokens_per_day"], replicas=reps,
        usd_per_month=g["usd_per_day"] * dpm, usd_per_mtok=g["usd_per_mtok"],
        replica_usd_per_month=g["replica_usd_per_day"] * dpm,
        cost_breakdown_usd_per_month={**{k: v * dpm * (reps if math.isfinite(reps) else 0) for k, v in parts.items()
                                         if d.rented == (k == "rent") or k == "ops"},
                                      "team": g["fixed_usd_per_day"] * dpm if math.isfinite(reps) and reps > 0 else 0.0},
        capex_usd=None if d.rented or not math.isfinite(reps) else g["capex_per_replica_usd"] * reps,
        license=licence_info(m), openness=m.openness.flags(),
        openness_links={k: getattr(m.openness, k).url for k in ("weights", "training_data", "training_code")},
        tiers=list(m.tier_list), capability=m.capability.model_dump(mode="json", exclude_none=True) if m.capability else None,
        engine=engine_for(d, a), tp=int(g["tp"]), instances=int(g["instances"]),
        layout_reason=layout_reason(d, e.take(0)) if g["fits"] else "",
        price_basis=price_basis(d, a), spare_replicas=g["spare_replicas"],
        capacity_mean_tokens_per_day=g["capacity_mean_tokens_per_day"],
        fixed_usd_per_month=g["fixed_usd_per_day"] * dpm, serving=workload_serving(g, a))


def workload_serving(g: dict, a: Assumptions):
    """The serving point replicas are sized with: the workload's lengths (engine.serving.lengths_from_mix)."""
    from openvclosed.decision.fit import Serving, serving_of
    from openvclosed.engine.serving import lengths_from_mix

    i, o = (float(v) for v in lengths_from_mix(a.context_tokens, a.input_share))
    return serving_of(g, Serving(), i, o)


def run_breakeven(catalog: Catalog, tokens_per_day: float, hw: HwSpec, a: Assumptions, *,
                  model_name: str | None = None, api_names: list[str] | None = None, precision: str | None = None,
                  rented: bool = False, today: dt.date | None = None, max_age_days: int = 90,
                  max_hardware_age_days: int = 365,
                  api_prices: list[tuple[float, float]] | None = None, horizon_months: int | None = None,
                  growth_per_month: float = 0.0, api_price_decline_per_year: float = 0.0,
                  monte_carlo: int | None = None, seed: int | None = 0, sensitivity: bool = False,
                  distributions: dict | None = None, monthly: bool = False,
                  histogram_bins: int = 40, size_for_latency: bool = False,
                  requests_per_second: float | None = None) -> BreakevenResult:
    """Compare each API with self-hosting ``tokens_per_day`` on ``hw`` (docs/methodology.md, break-even).

    Horizon, Monte Carlo and sensitivity are added when asked for: any of ``horizon_months``
    (default ``amortize_years x 12``), a non-zero ``growth_per_month`` or
    ``api_price_decline_per_year``, ``monte_carlo`` (draws) or ``sensitivity``; ``monthly`` adds
    each month's cash to the horizon (what the HTML report's cumulative chart draws). With
    ``size_for_latency`` the design is sized for ``a``'s TTFT/TPOT targets and the busy-hour
    ``requests_per_second`` as workload files size it (decision/sizing.py) instead of running at
    the fixed ``a.utilization``.
    """
    today = today or dt.date.today()
    tokens_per_day, a, reasoning = apply_output_multiplier(tokens_per_day, a)
    gpu = catalog.gpu(hw.gpu_name)
    model, precision = choose(catalog, gpu, hw.n_gpus, a, model_name=model_name, precision=precision)
    d = Design(gpu, hw.n_gpus, model, precision, rented)
    require_priced(d, a)
    overrides, sizing_rec = {}, None
    if size_for_latency:
        from openvclosed.decision.designs import design_inputs
        from openvclosed.decision.sizing import size_one_design
        from openvclosed.engine.design import selfhost_design

        overrides, sizing_rec = size_one_design(d, a, tokens_per_day, requests_per_second)
        e = selfhost_design(design_inputs([d], a).replace(**overrides), tokens_per_day)
    else:
        e = evaluate([d], a, tokens_per_day)
    sh = selfhost_result(d, e, a, measured=a.tokens_per_s is not None)
    future = future_as_of_findings(a.as_of, today)
    if sizing_rec is not None:
        from openvclosed.results import SizingOut

        sh = sh.model_copy(update={"sizing": SizingOut(**sizing_rec)})
    findings: list[Finding] = design_findings(catalog, d, a, e) + reasoning + future
    if not model_name:
        findings.append(default_model_finding(model, precision, d.hardware, a))
    dpm = a.days_per_month
    apis = [catalog.api(n) for n in api_names] if api_names else ([] if api_prices else default_apis(catalog, model))
    rows: list[ApiComparison] = []
    dated = []
    for api in apis:
        p = api_price(api, a)
        rows.append(api_comparison(api.id, api.provider, api.model, api.kind, catalog.api_tier(api), p, e,
                                   tokens_per_day, api.source, str(api.as_of), api.catalog, rented))
        dated.append(api_price_date(api))
    for p_in, p_out in api_prices or []:
        label = f"ad-hoc/{p_in:g}:{p_out:g}"
        rows.append(api_comparison(label, "ad-hoc", f"${p_in:g} in / ${p_out:g} out per 1M", "closed", "standard",
                                   float(api_usd_per_mtok(p_in, p_out, a.input_share, None, 0.0, a.batch_share, 0.0)),
                                   e, tokens_per_day, "--api-price", str(today), "command line", rented))
    # like-for-like warns, it never admits: an unrated closed API counts at its provider's positioning here
    positioned = {x.id: x.tier for x in apis if x.kind == "closed" and x.tier and catalog.capability_score(x) is None}
    findings += like_for_like(model, {r.api: max(r.tier, positioned.get(r.api, "simple"), key=TIERS.index) for r in rows})
    findings += stale_findings(dated + gpu_price_dates(gpu, a, rented), today, max_age_days, max_hardware_age_days)
    extra = {}
    if horizon_months is not None or growth_per_month or api_price_decline_per_year or monte_carlo or sensitivity \
            or monthly:
        from openvclosed.decision.uncertainty import horizon_base, uncertainty_sections

        check_horizon(horizon_months, growth_per_month, api_price_decline_per_year)
        base = horizon_base(d, a, tokens_per_day, horizon_months=horizon_months, growth_per_month=growth_per_month,
                            api_price_decline_per_year=api_price_decline_per_year, sizing=overrides or None)
        extra = uncertainty_sections(base, bool(e.fits[0]), [(r.api, r.usd_per_mtok) for r in rows], rented=rented,
                                     monte_carlo=monte_carlo, seed=seed, sensitivity=sensitivity,
                                     distributions=_sized(distributions, overrides), findings=findings,
                                     monthly=monthly, bins=histogram_bins)
    return BreakevenResult(tokens_per_day=tokens_per_day,
                           tokens_per_month=float(per_month_from_day(tokens_per_day, dpm)),
                           selfhost=sh, apis=rows, assumptions=dict(a.model_dump(mode="json"), power_draw_share=power_share(a),
                                                                     residual_share=residual_share(d, a)), findings=dedupe(findings),
                           summary=_summary(sh, rows, tokens_per_day), **extra)


def _sized(distributions: dict | None, overrides: dict) -> dict | None:
    """A sized design draws utilisation at or below its latency cap (as in workload files)."""
    if "utilization" not in overrides or "utilization" in (distributions or {}):
        return distributions
    u = overrides["utilization"]
    return {**(distributions or {}), "utilization": {
        "dist": "triangular", "low": 0.6 * u, "mode": u, "high": u,
        "basis": f"sized for the latency targets: at most the utilisation they allow ({u:.0%}); burstier traffic "
                 "than planned needs up to 40% more headroom"}}


def future_as_of_findings(as_of: dt.date | None, today: dt.date) -> list[Finding]:
    """A note when ``--as-of`` is ahead of today: API prices are the ones announced for that day
    (scheduled changes in the catalog), hardware prices are the newest known."""
    if as_of is None or as_of <= dt.date.today():
        return []
    return [Finding(code="as_of_future", severity="info", ids=[str(as_of)],
                    message=f"--as-of {as_of} is ahead of today: API prices are the ones announced for that day "
                            f"(scheduled changes in the catalog), otherwise today's; hardware prices are the newest "
                            f"known")]


def check_horizon(horizon_months, growth_per_month, api_price_decline_per_year) -> None:
    if horizon_months is not None and horizon_months < 1:
        raise InputError(f"--horizon-months: {horizon_months!r} must be >= 1")
    if not growth_per_month > -1:
        raise InputError(f"--growth-per-month: {growth_per_month!r} must be > -1 (a share per month, 0.05 = 5%)")
    if not 0 <= api_price_decline_per_year < 1:
        raise InputError(f"--api-price-decline-per-year: {api_price_decline_per_year!r} must be in [0, 1) "
                         f"(0.3 = prices 30% lower after a year)")


def api_comparison(api_id, provider, model, kind, tier, usd_mtok, e, tokens_per_day, source, as_of, cat,
                   rented: bool) -> ApiComparison:
    """One API against the one-design evaluation ``e``: every figure from
    :func:`openvclosed.engine.breakeven.compare_with_api` and the staircase's win intervals."""
    c = comparison(tokens_per_day, usd_mtok, e.take(0))
    return ApiComparison(
        api=api_id, provider=provider, model=model, kind=kind, tier=tier,
        usd_per_month=c["api_usd_per_month"], usd_per_mtok=usd_mtok,
        breakeven_tokens_per_day=c["breakeven_tokens_per_day"], payback_months=None if rented else c["payback_months"],
        cheaper="selfhost" if c["selfhost_cheaper"] else "api", saving_usd_per_month=c["saving_usd_per_month"],
        win_intervals=c["win_intervals"], win_intervals_total=c["win_intervals_total"],
        source=source, as_of=as_of, catalog=cat)


def _summary(sh: SelfHostResult, rows: list[ApiComparison], t: float) -> str:
    if not sh.fits:
        return f"{sh.model} at {sh.quant} does not fit {sh.n_gpus}x{sh.gpu}; self-hosting is not an option as specified."
    beats = [r for r in rows if r.cheaper == "selfhost"]
    loses = [r for r in rows if r.cheaper == "api"]
    head = (f"At {fmt_tokens(t)} tokens/day, self-hosting {sh.model} ({sh.quant}) on {sh.n_gpus}x{sh.gpu} "
            f"({sh.mode}) costs ${sh.usd_per_month:,.0f}/month (${sh.usd_per_mtok:.3f} per 1M tokens, "
            f"{sh.replicas:.0f} replica{'s' if sh.replicas != 1 else ''}).")
    if beats and not loses:
        tail = " It is cheaper than every API compared."
    elif not beats:
        tail = " Every API compared is cheaper at this volume."
    else:
        tail = (f" Cheaper than {len(beats)} of {len(rows)} APIs ({', '.join(r.api for r in beats)}); "
                f"{', '.join(r.api for r in loses)} cost less.")
    return head + tail


