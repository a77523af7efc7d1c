"""``ovc breakeven`` and ``ovc fit`` as functions: inputs -> result objects. No I/O, no printing."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from openvclosed.assumptions import Assumptions
from openvclosed.catalog import ApiEntry, Catalog, GpuEntry, ModelEntry
from openvclosed.deployment import (Deployment, choose_default_model, evaluate_deployment, precisions_for,
                                    gpu_tflops, quant_risk, sane_fit)
from openvclosed.engine import PRECISION_BITS, api_usd_per_mtok
from openvclosed.engine.scenario import compare_with_api, selfhost_scenario
from openvclosed.errors import InputError
from openvclosed.results import (ApiComparison, BreakevenResult, FitResult, FitRow, LicenseInfo,
                                 SelfHostResult)
from openvclosed.units import HwSpec

__all__ = ["default_apis", "run_breakeven", "run_fit", "stale_warnings", "fmt_tokens", "horizon_inputs",
           "uncertainty_sections"]


def fmt_tokens(t: float) -> str:
    """Human token count: 5e8 -> '500M'."""
    if not math.isfinite(t):
        return "never"
    for div, suf in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(t) >= div:
            return f"{t / div:.3g}{suf}"
    return f"{t:.3g}"


def default_apis(catalog: Catalog, model: ModelEntry | None) -> list[ApiEntry]:
    """Each closed provider's flagship and cheapest small model, plus the cheapest hosted offer of ``model``."""
    picks: list[ApiEntry] = []
    closed = [a for a in catalog.apis.values() if a.kind == "closed"]
    for provider in sorted({a.provider for a in closed}):
        mine = [a for a in closed if a.provider == provider]
        for role in ("flagship", "small"):
            cands = sorted((a for a in mine if a.role == role),
                           key=lambda a: (a.input_usd_per_mtok + a.output_usd_per_mtok, a.id))
            if cands:
                picks.append(cands[0] if role == "small" else cands[-1])
    if model is not None:
        offers = catalog.hosted_offers(model.id)
        if offers:
            picks.append(offers[0])
    return picks


def stale_warnings(items: list[tuple[str, dt.date | None]], today: dt.date, max_age_days: int) -> list[str]:
    """One warning per dated figure older than ``max_age_days``."""
    out = []
    for label, when in items:
        if when is not None and (today - when).days > max_age_days:
            out.append(f"{label} is {(today - when).days} days old (as_of {when}); prices move fast — "
                       f"check it or override it with --catalog FILE")
    return out


def gpu_price_dates(gpu: GpuEntry, a: Assumptions, rented: bool) -> list[tuple[str, dt.date | None]]:
    """The catalog GPU price a self-hosted cost rests on (none when the user overrode it)."""
    if rented:
        return [] if a.gpu_hour_usd is not None else [(f"cloud price of {gpu.id}", gpu.cloud_as_of)]
    return [] if a.gpu_price_usd is not None else [(f"purchase price of {gpu.id}", gpu.price_as_of)]


def _selfhost_result(d: Deployment, d_month: float) -> SelfHostResult:
    m = d.model
    month = d_month
    return SelfHostResult(
        gpu=d.gpu.id, gpu_name=d.gpu.name, n_gpus=d.n_gpus, mode="rented" if d.rented else "owned",
        model=m.id, model_name=m.name, quant=d.precision, weight_bits=d.weight_bits, fits=d.fits,
        weights_gb=d.weights_gb, kv_gb_per_seq=d.kv_gb_per_seq, usable_vram_gb=d.usable_vram_gb,
        max_concurrent_seqs=d.max_concurrent_seqs, decode_tokens_per_s=d.decode_tokens_per_s,
        decode_tokens_per_s_single=d.decode_tokens_per_s_single, prefill_tokens_per_s=d.prefill_tokens_per_s,
        throughput_source="measured" if d.measured_tokens_per_s else "roofline",
        capacity_tokens_per_day=d.capacity_tokens_per_day, replicas=d.replicas,
        usd_per_month=d.usd_per_day * month, usd_per_mtok=d.usd_per_mtok,
        replica_usd_per_month=d.replica_usd_per_day * month,
        cost_breakdown_usd_per_month={k: v * month * (d.replicas if math.isfinite(d.replicas) else 0)
                                      for k, v in d.parts_usd_per_replica_day.items()},
        capex_usd=None if d.rented or not math.isfinite(d.replicas) else d.capex_per_replica_usd * d.replicas,
        license=LicenseInfo(name=m.license.name, commercial_use=m.license.commercial_use,
                            mau_limit=m.license.mau_limit, conditions=list(m.license.conditions)),
        openness=m.openness.model_dump(), tiers=list(m.tiers))


def run_breakeven(catalog: Catalog, tokens_per_day: float, hw: HwSpec, a: Assumptions, *,
                  model_name: str | None = None, api_names: list[str] | None = None, precision: str | None = None,
                  rented: bool = False, today: dt.date | None = None, max_age_days: int = 90,
                  api_prices: list[tuple[float, float]] | None = None, horizon_months: int | None = None,
                  growth_per_month: float = 0.0, api_price_decline_per_year: float = 0.0,
                  monte_carlo: int | None = None, seed: int | None = 0, sensitivity: bool = False,
                  distributions: dict | None = None) -> BreakevenResult:
    """Compare each API with self-hosting ``tokens_per_day`` on ``hw``; see ``shared/design.md`` step 6.

    Horizon, Monte Carlo and sensitivity (design step 7) are added when asked for: any of
    ``horizon_months`` (default ``amortize_years x 12``), a non-zero ``growth_per_month`` or
    ``api_price_decline_per_year``, ``monte_carlo`` (draws) or ``sensitivity``.
    """
    today = today or dt.date.today()
    gpu = catalog.gpu(hw.gpu_name)
    if precision is not None and precision not in PRECISION_BITS:
        raise InputError(f"--quant: {precision!r} is not a precision; choose from {', '.join(PRECISION_BITS)}")
    warnings: list[str] = []
    if model_name:
        model = catalog.model(model_name)
        if precision is None:
            fitting = [p for p in precisions_for(model) if _fits(gpu, hw.n_gpus, model, p, a)]
            precision = fitting[0] if fitting else precisions_for(model)[-1]
    else:
        model, precision = choose_default_model(catalog, gpu, hw.n_gpus, a, precision)
    d = evaluate_deployment(gpu, hw.n_gpus, model, precision, tokens_per_day, a, rented=rented)
    sh = _selfhost_result(d, a.days_per_month)
    if not d.fits:
        warnings.append(f"{model.id} at {precision} does not fit {hw.n_gpus}x{gpu.id}: weights {d.weights_gb:.1f} GB + "
                        f"KV {d.kv_gb_per_seq:.2f} GB/sequence > {d.usable_vram_gb:.1f} GB usable; "
                        f"{_suggest(catalog, gpu, hw.n_gpus, model, a)}")
    risk = quant_risk(model, precision)
    if risk == "high":
        warnings.append(f"{precision} ({d.weight_bits:g} bits) is below {model.id}'s released "
                        f"{model.native_weight_bits:g} bits: quality loss from 4-bit quantization is task-dependent "
                        f"and can be large on reasoning, code and long-context work — evaluate on your own tasks")
    elif risk == "minor":
        warnings.append(f"{precision} is below {model.id}'s released {model.native_weight_bits:g} bits: usually a "
                        f"small quality loss, but check it on your tasks")
    if model.license.mau_limit:
        warnings.append(f"{model.id} licence ({model.license.name}) needs a separate grant above "
                        f"{model.license.mau_limit:,} monthly active users")
    if not model.license.commercial_use:
        warnings.append(f"{model.id} licence ({model.license.name}) does not allow commercial use")

    apis = [catalog.api(n) for n in api_names] if api_names else ([] if api_prices else default_apis(catalog, model))
    rows: list[ApiComparison] = []
    dated: list[tuple[str, dt.date | None]] = []
    for api in apis:
        rows.append(_compare(api.id, api.provider, api.model, api.kind, catalog.api_tier(api),
                             float(api_usd_per_mtok(api.input_usd_per_mtok, api.output_usd_per_mtok, a.input_share,
                                                    api.cached_input_usd_per_mtok, a.cached_share, a.batch_share,
                                                    api.batch_discount)),
                             d, tokens_per_day, api.source, str(api.as_of), api.catalog, a.days_per_month))
        dated.append((f"price of {api.id}", api.as_of))
    for p_in, p_out in api_prices or []:
        label = f"ad-hoc/{p_in:g}:{p_out:g}"
        rows.append(_compare(label, "ad-hoc", f"${p_in:g} in / ${p_out:g} out per 1M", "closed", "standard",
                             float(api_usd_per_mtok(p_in, p_out, a.input_share, None, 0.0, a.batch_share, 0.0)),
                             d, tokens_per_day, "--api-price", str(today), "command line", a.days_per_month))
    from openvclosed.catalog import TIERS

    above = [r.api for r in rows if TIERS.index(r.tier) > TIERS.index(model.best_tier)]
    if above:
        warnings.append(f"not like-for-like: {', '.join(above)} serve a higher capability tier than {model.id} "
                        f"({model.best_tier}); the saving holds only for work {model.id} does well enough — "
                        f"route the rest to a frontier API (hybrid)")
    dated += gpu_price_dates(gpu, a, rented)
    warnings += stale_warnings(dated, today, max_age_days)
    extra = {}
    if horizon_months is not None or growth_per_month or api_price_decline_per_year or monte_carlo or sensitivity:
        extra = uncertainty_sections(d, a, tokens_per_day, [(r.api, r.usd_per_mtok) for r in rows],
                                     horizon_months=horizon_months, growth_per_month=growth_per_month,
                                     api_price_decline_per_year=api_price_decline_per_year,
                                     monte_carlo=monte_carlo, seed=seed, sensitivity=sensitivity,
                                     distributions=distributions, warnings=warnings)
    return BreakevenResult(tokens_per_day=tokens_per_day, tokens_per_month=tokens_per_day * a.days_per_month,
                           selfhost=sh, apis=rows, assumptions=a.model_dump(), warnings=warnings,
                           summary=_summary(sh, rows, tokens_per_day), **extra)


def horizon_inputs(d: Deployment, a: Assumptions, tokens_per_day: float | None = None, *,
                   horizon_months: int | None = None, growth_per_month: float = 0.0,
                   api_price_decline_per_year: float = 0.0) -> dict:
    """Keyword inputs of :func:`openvclosed.engine.horizon.horizon_scenario` for a deployment (no API price).

    Feed it to ``horizon_scenario(api_usd_per_mtok=..., **inputs)``, ``monte_carlo_breakeven(inputs, ...)``
    or ``sensitivity_table(inputs, ...)``. ``horizon_months`` defaults to ``amortize_years x 12``.
    """
    g, m = d.gpu, d.model
    price = a.gpu_price_usd or g.purchase_usd
    hourly = a.gpu_hour_usd or g.cloud_usd_per_hour
    return dict(
        tokens_per_day=d.tokens_per_day if tokens_per_day is None else tokens_per_day,
        params_b=m.params_b, active_params_b=m.active_params_b, kv_elements_per_token=m.kv_elements_per_token,
        weight_bits=d.weight_bits, n_gpus=d.n_gpus, vram_gb=g.vram_gb, bandwidth_gb_s=g.bandwidth_gb_s,
        tflops=gpu_tflops(g, d.precision), tp_overhead=a.tp_overhead(g.interconnect),
        gpu_tdp_w=g.tdp_w if g.tdp_w is not None else math.nan,
        gpu_usd=price if price is not None else math.nan, gpu_hour_usd=hourly if hourly is not None else math.nan,
        rented=d.rented, input_share=a.input_share, context_tokens=a.context_tokens, kv_bits=a.kv_bits,
        vram_reserve_share=a.vram_reserve_share, max_batch=a.max_batch, bandwidth_eff=a.bandwidth_eff,
        decode_mfu=a.decode_mfu, prefill_mfu=a.prefill_mfu, utilization=a.utilization, hours_per_day=a.hours_per_day,
        tokens_per_s=a.tokens_per_s if a.tokens_per_s else math.nan, host_usd_per_gpu=a.host_usd_per_gpu,
        host_w_per_gpu=a.host_w_per_gpu, power_draw_share=a.power_draw_share, pue=a.pue,
        electricity_usd_kwh=a.electricity_usd_kwh, ops_usd_month=a.ops_usd_month, rate=a.rate,
        amortize_years=a.amortize_years, days_per_month=a.days_per_month,
        horizon_months=int(horizon_months if horizon_months is not None else round(a.amortize_years * 12)),
        growth_per_month=growth_per_month, api_price_decline_per_year=api_price_decline_per_year,
        gpu_price_factor=1.0)


def uncertainty_sections(d: Deployment, a: Assumptions, tokens_per_day: float, apis: list[tuple[str, float]], *,
                         horizon_months: int | None = None, growth_per_month: float = 0.0,
                         api_price_decline_per_year: float = 0.0, monte_carlo: int | None = None,
                         seed: int | None = 0, sensitivity: bool = False, distributions: dict | None = None,
                         warnings: list[str] | None = None) -> dict:
    """``horizon``, ``monte_carlo`` and ``sensitivity`` result sections for ``apis`` = [(label, usd_per_mtok)]."""
    from openvclosed.engine.horizon import horizon_scenario
    from openvclosed.engine.montecarlo import monte_carlo_breakeven
    from openvclosed.engine.sensitivity import sensitivity_table
    from openvclosed.results import (HorizonApi, HorizonResult, MonteCarloApi, MonteCarloResult, SensitivityApi,
                                     SensitivityResult, SensitivityRow)

    if horizon_months is not None and horizon_months < 1:
        raise InputError(f"--horizon-months: {horizon_months!r} must be >= 1")
    if not growth_per_month > -1:
        raise InputError(f"--growth-per-month: {growth_per_month!r} must be > -1 (a share per month, 0.05 = 5%)")
    if not 0 <= api_price_decline_per_year < 1:
        raise InputError(f"--api-price-decline-per-year: {api_price_decline_per_year!r} must be in [0, 1) "
                         f"(0.3 = prices 30% lower after a year)")
    base = horizon_inputs(d, a, tokens_per_day, horizon_months=horizon_months, growth_per_month=growth_per_month,
                          api_price_decline_per_year=api_price_decline_per_year)
    h = base["horizon_months"]
    labels = [x[0] for x in apis]
    prices = np.array([x[1] for x in apis], dtype=float)
    out: dict = {}
    r = horizon_scenario(api_usd_per_mtok=prices, **base)
    out["horizon"] = HorizonResult(
        horizon_months=h, growth_per_month=growth_per_month, api_price_decline_per_year=api_price_decline_per_year,
        rate=a.rate, tokens_per_day_end=tokens_per_day * (1 + growth_per_month) ** (h - 1),
        replicas_end=float(r["replicas_end"][0]) if len(labels) else None,
        selfhost_capex_usd=float(r["capex_usd"][0]) if len(labels) else 0.0,
        selfhost_residual_usd=float(r["residual_usd"][0]) if len(labels) else 0.0,
        residual_credited=not d.rented,
        apis=[HorizonApi(api=lab, api_usd=float(r["api_usd"][i]), selfhost_usd=float(r["selfhost_usd"][i]),
                         saving_usd=float(r["saving_usd"][i]),
                         cheaper="selfhost" if bool(r["selfhost_cheaper"][i]) else "api",
                         crossover_month=float(r["crossover_month"][i])) for i, lab in enumerate(labels)])
    if (monte_carlo or sensitivity) and not d.fits:
        (warnings if warnings is not None else []).append(
            "Monte Carlo and sensitivity skipped: the model does not fit, so self-hosting is not an option")
        return out
    if (monte_carlo or sensitivity) and not labels:
        return out
    try:
        if monte_carlo:
            mc = monte_carlo_breakeven(base, prices, n=monte_carlo, seed=seed, distributions=distributions)
            out["monte_carlo"] = MonteCarloResult(
                n=mc["n"], seed=seed, horizon_months=h, distributions=mc["distributions"],
                apis=[MonteCarloApi(api=lab, **{k: float(mc[k][i]) for k in (
                    "p_selfhost_cheaper", "saving_usd_mean", "saving_usd_p10", "saving_usd_p50", "saving_usd_p90",
                    "crossover_month_p10", "crossover_month_p50", "crossover_month_p90")})
                      for i, lab in enumerate(labels)])
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


def _compare(api_id, provider, model, kind, tier, usd_mtok, d: Deployment, tokens_per_day, source, as_of, cat,
             d_month):
    c = compare_with_api(tokens_per_day, usd_mtok, d.usd_per_day, d.replica_usd_per_day,
                         d.capacity_tokens_per_day, d.replicas, d.capex_per_replica_usd,
                         d.running_usd_per_replica_day if not d.rented else math.nan, d_month)
    pb = float(c["payback_months"])
    return ApiComparison(
        api=api_id, provider=provider, model=model, kind=kind, tier=tier,
        usd_per_month=float(c["api_usd_per_day"]) * d_month, usd_per_mtok=usd_mtok,
        breakeven_tokens_per_day=float(c["breakeven_tokens_per_day"]),
        payback_months=None if d.rented else pb,
        cheaper="selfhost" if bool(c["selfhost_cheaper"]) else "api",
        saving_usd_per_month=float(c["saving_usd_per_month"]) if math.isfinite(d.usd_per_day) else -math.inf,
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


def _fits(gpu, n, model, precision, a) -> bool:
    """Weights and one sequence's KV cache fit (no concurrency minimum)."""
    return sane_fit(gpu, n, model, precision, a.model_copy(update={"min_concurrent_seqs": 1}))


def _suggest(catalog: Catalog, gpu: GpuEntry, n: int, model: ModelEntry, a: Assumptions) -> str:
    """What would fit instead: lower bits, more GPUs, or a smaller model."""
    ideas = []
    for p in precisions_for(model):
        if _fits(gpu, n, model, p, a):
            ideas.append(f"{model.id} at {p} fits")
            break
    for k in (2, 4, 8):
        if n * k <= 64 and _fits(gpu, n * k, model, precisions_for(model)[0], a):
            ideas.append(f"{n * k}x{gpu.id} fits it at {precisions_for(model)[0]}")
            break
    smaller = [m for m in sorted(catalog.models.values(), key=lambda m: -m.params_b)
               if m.params_b < model.params_b and _fits(gpu, n, m, precisions_for(m)[0], a)]
    if smaller:
        ideas.append(f"{smaller[0].id} fits at {precisions_for(smaller[0])[0]}")
    return "try: " + "; ".join(ideas) if ideas else "no smaller option in the catalog fits"


def run_fit(catalog: Catalog, model: ModelEntry, gpu: GpuEntry, a: Assumptions, *,
            gpu_counts: list[int] | None = None, precisions: list[str] | None = None,
            batch: int | None = None, weight_bits: float | None = None) -> FitResult:
    """VRAM fit and decode throughput per precision x GPU count, as one vectorized grid.

    ``weight_bits`` replaces the precisions with one exact bits-per-weight row (e.g. 4.85 for a
    GGUF Q4_K_M), labelled ``"<bits>bit"`` and computed at the FP16 tensor rate.
    """
    counts = gpu_counts or [1, 2, 4, 8]
    if weight_bits is not None:
        precs, bit_values = [f"{weight_bits:g}bit"], [weight_bits]
    else:
        precs = precisions or precisions_for(model)
        for p in precs:
            if p not in PRECISION_BITS:
                raise InputError(f"--quant: {p!r} is not a precision; choose from {', '.join(PRECISION_BITS)}")
        bit_values = [PRECISION_BITS[p] for p in precs]
    n_grid, p_idx = np.meshgrid(np.array(counts, dtype=float), np.arange(len(precs)), indexing="ij")
    bits = np.array(bit_values)[p_idx]
    tflops = np.array([gpu_tflops(gpu, p) for p in precs])[p_idx]
    max_batch = batch if batch is not None else a.max_batch
    r = selfhost_scenario(0.0, model.params_b, model.active_params_b, model.kv_elements_per_token, bits, n_grid,
                          gpu.vram_gb, gpu.bandwidth_gb_s, tflops, a.tp_overhead(gpu.interconnect), 0.0,
                          input_share=a.input_share, context_tokens=a.context_tokens, kv_bits=a.kv_bits,
                          vram_reserve_share=a.vram_reserve_share, max_batch=max_batch,
                          bandwidth_eff=a.bandwidth_eff, decode_mfu=a.decode_mfu, prefill_mfu=a.prefill_mfu,
                          utilization=a.utilization, hours_per_day=a.hours_per_day)
    rows = []
    for i, n in enumerate(counts):
        for j, p in enumerate(precs):
            used = float(r["weights_gb"][i, j] + r["kv_gb_per_seq"][i, j] * r["batch"][i, j])
            rows.append(FitRow(
                n_gpus=n, quant=p, weight_bits=float(bits[i, j]), fits=bool(r["fits"][i, j]),
                weights_gb=float(r["weights_gb"][i, j]), usable_vram_gb=float(r["usable_gb"][i, j]),
                vram_used_gb=used, vram_free_gb=float(r["usable_gb"][i, j]) - used,
                max_concurrent_seqs=float(r["max_seqs"][i, j]),
                decode_tokens_per_s_single=float(r["decode_tokens_per_s_single"][i, j]),
                decode_tokens_per_s_aggregate=float(r["decode_tokens_per_s"][i, j]),
                quality_risk=quant_risk(model, p) if p in precisions_for(model) else None))
    suggestions = []
    if not any(row.fits for row in rows):
        suggestions.append(_suggest(catalog, gpu, max(counts), model, a))
    warnings = []
    if any(row.fits and row.quality_risk == "high" for row in rows):
        warnings.append("4-bit rows carry a task-dependent quality risk; evaluate before relying on them")
    return FitResult(model=model.id, model_name=model.name, gpu=gpu.id, gpu_name=gpu.name,
                     context_tokens=a.context_tokens, rows=rows, suggestions=suggestions, warnings=warnings)
