"""The decision layer: workloads -> options -> rules with reasons -> ranking -> recommendation.

Every option of a workload is priced (self-hosted designs in one call of the one cost path,
:func:`openvclosed.decision.designs.evaluate`), then the rules of docs/methodology.md are applied;
each rule that bites leaves a typed finding on the option. Feasible options are ranked by total
cost over the workload's horizon. No I/O; renderers take the result objects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from openvclosed.catalog import Catalog
from openvclosed.decision.apiprice import api_price
from openvclosed.decision.assumptions import Assumptions
from openvclosed.decision.designs import Design, evaluate, precisions_for, quant_risk
from openvclosed.decision.options import (API_KINDS, Option, OptionKind, allowed, serves, share_text,
                                          tier_needed)
from openvclosed.decision.selection import apply_output_multiplier, licence_findings
from openvclosed.decision.workload import Workload, WorkloadFile, check_candidates
from openvclosed.engine import per_month_from_day
from openvclosed.engine.design import selfhost_design
from openvclosed.engine.horizon import horizon_costs, monthly_discount_rate
from openvclosed.engine.throughput import latency_capped_batch
from openvclosed.errors import InputError
from openvclosed.results.base import Finding
from openvclosed.units import parse_hw_spec

__all__ = ["WorkloadDecision", "decide_workload", "decide_file", "DEFAULT_HARDWARE", "price_dates",
           "UPTIME_REDUNDANCY_AT", "pv_api", "pv_selfhost", "annuity"]

DEFAULT_HARDWARE = ["1xrtx4090", "2xrtx4090", "4xrtx4090", "1xl40s", "2xl40s", "1xa100-80gb", "2xa100-80gb",
                    "4xa100-80gb", "1xh100", "2xh100", "4xh100", "8xh100", "1xh200", "8xh200"]
"""Hardware specs tried when a workload names none (each priced owned and rented where the
catalog has a price)."""

UPTIME_REDUNDANCY_AT = 0.99
"""Uptime targets at or above this get N+1 self-hosted replicas (one spare)."""


@dataclass
class WorkloadDecision:
    workload: Workload
    tokens_per_day: float
    options: list[Option]
    recommended: Option | None
    reasons: list[str]
    switching: list[str]
    findings: list[Finding]


def annuity(w: Workload, a: Assumptions) -> float:
    """Present value of 1 USD paid at the end of each month of the horizon."""
    v = 1.0 / (1.0 + float(monthly_discount_rate(a.rate)))
    return float(sum(v ** (m + 1) for m in range(w.horizon_months)))


def pv_api(tokens_per_day: float, usd_per_mtok, w: Workload, a: Assumptions):
    """Present value of an API over the horizon (growth, price decline, discounted at ``rate``);
    an array of prices gives an array."""
    r = horizon_costs(tokens_per_day, usd_per_mtok, np.inf, 0.0, 0.0, horizon_months=w.horizon_months,
                      growth_per_month=w.growth_per_month, api_price_decline_per_year=w.api_price_decline_per_year,
                      rate=a.rate, days_per_month=a.days_per_month)
    v = np.asarray(r["api_usd"])
    return float(v) if v.ndim == 0 else v


def pv_selfhost(peak_tokens_per_day, capacity, running_month, capex, spare, w: Workload, a: Assumptions, rented):
    """Present value of self-hosting over the horizon (vectorized over designs).

    Replicas are bought when the grown peak volume first needs them (owned), residual value of
    owned hardware credited at the end over ``amortize_years``; ``spare`` replicas (N+1) are
    bought up front and run every month. See :func:`openvclosed.engine.horizon.horizon_costs`.
    """
    capex = np.where(rented, 0.0, np.nan_to_num(np.asarray(capex, dtype=float)))
    r = horizon_costs(peak_tokens_per_day, 0.0, capacity, running_month, capex, horizon_months=w.horizon_months,
                      growth_per_month=w.growth_per_month, rate=a.rate, days_per_month=a.days_per_month,
                      life_months=np.where(rented, np.nan, a.amortize_years * 12))
    return r["selfhost_usd"] + spare * (capex + np.asarray(running_month, dtype=float) * annuity(w, a))


def candidate_designs(catalog: Catalog, w: Workload) -> list[Design]:
    hw = w.candidates.hardware or DEFAULT_HARDWARE
    models = [catalog.model(m) for m in w.candidates.models] if w.candidates.models else list(catalog.models.values())
    out = []
    for spec in hw:
        h = parse_hw_spec(spec)
        g = catalog.gpu(h.gpu_name)
        for rented in (False, True):
            if ("rented" if rented else "owned") not in w.candidates.deployment:
                continue
            for m in models:
                for p in precisions_for(m):
                    if w.candidates.precisions and p not in w.candidates.precisions:
                        continue
                    out.append(Design(g, h.n_gpus, m, p, rented))
    return out


def _api_options(catalog: Catalog, w: Workload, rules: dict, a: Assumptions, T: float, needed: str) -> list[Option]:
    mix = w.task_mix
    out = []
    apis = [catalog.api(x) for x in w.candidates.apis] if w.candidates.apis else list(catalog.apis.values())
    prices = np.array([api_price(x, a) for x in apis], dtype=float)
    pvs = pv_api(T, prices, w, a) if apis else []
    for api, p, pv in zip(apis, prices.tolist(), np.atleast_1d(pvs).tolist()):
        kind = OptionKind.closed_api if api.kind == "closed" else OptionKind.hosted_open_api
        tier = catalog.api_tier(api)
        o = Option(kind, api.id, api.id, float(per_month_from_day(T / 1e6 * p, a.days_per_month)), p,
                   pv, tier, model=api.serves_model,
                   detail={"source": api.source, "as_of": str(api.as_of), "catalog": api.catalog})
        why = allowed(kind, w, rules, api)
        if why:
            o.exclude("sensitivity", why)
        if not serves(tier, needed):
            o.exclude("tier", f"serves the {tier} tier; {share_text(w, needed)} needs {needed}")
        if w.fine_tune and kind is OptionKind.closed_api:
            o.exclude("fine_tune", "fine-tuning on proprietary data needs the weights; a closed provider's "
                                   "fine-tuning service keeps them (no export, lock-in)")
        if w.fine_tune and kind is OptionKind.hosted_open_api and o.feasible:
            o.note("fine_tune_host", "fine-tuned weights must be uploaded to a host that serves custom weights")
        if kind is OptionKind.closed_api and tier == "frontier" and mix.simple > 0 and o.feasible:
            o.note("overpay", f"{mix.simple:.0%} of the work is simple: a frontier API overpays for it")
        if api.serves_model:
            _licence(catalog.models[api.serves_model], w, o)
        if w.latency.min_tokens_per_s or w.latency.max_ttft_s:
            o.note("latency_unchecked", "latency not checked: the catalog has no measured speed for APIs")
        out.append(o)
    return out


def _licence(model, w: Workload, o: Option) -> None:
    for f in licence_findings(model, w.monthly_active_users, monthly_revenue_usd=w.monthly_revenue_usd):
        if f.severity == "exclusion" or f.code == "licence_commercial":
            o.exclude(f.code, f.message, model.id)
        elif f.severity == "warning":
            o.note(f.code, f.message, model.id, severity="warning")


def _selfhost_options(catalog, w, rules, a, T, needed, designs):
    """Best option per (hardware, owned/rented) over models and precisions, priced in one call."""
    mix = w.task_mix
    dpm = a.days_per_month
    spare_n = 1 if (w.uptime or 0) >= UPTIME_REDUNDANCY_AT else 0
    peak = T * w.peak_to_mean
    cap = np.inf
    if w.latency.min_tokens_per_s:
        from openvclosed.decision.designs import design_inputs

        x = design_inputs(designs, a)
        e0 = selfhost_design(x, 0.0)
        fixed = np.asarray(x.step_overhead_s) + np.asarray(x.layers) * np.asarray(x.layer_overhead_s)
        cap = latency_capped_batch(w.latency.min_tokens_per_s, e0.weights_gb, e0.kv_gb_per_seq, x.active_params_b,
                                   e0.tp, x.bandwidth_gb_s, x.tflops, x.bandwidth_eff, x.decode_mfu, fixed)
    e = evaluate(designs, a, peak, batch_cap=cap)
    rented = np.array([d.rented for d in designs])
    priced = np.isfinite(e.replica_usd_per_day) & np.isfinite(e.step_s)
    running_month = per_month_from_day(e.running_usd_per_replica_day, dpm)
    pv = pv_selfhost(peak, e.capacity_tokens_per_day, running_month, e.capex_per_replica_usd, spare_n, w, a, rented)
    cap_arr = np.broadcast_to(np.asarray(cap, dtype=float), rented.shape)
    best: dict[tuple[str, bool], Option] = {}
    columns = {f: np.asarray(getattr(e, f)).tolist() for f in ("replicas", "replica_usd_per_day", "capex_per_replica_usd",
                                                               "max_seqs", "decode_tokens_per_s_single",
                                                               "decode_tokens_per_s", "capacity_tokens_per_day",
                                                               "running_usd_per_replica_day", "prefill_tokens_per_s",
                                                               "fits", "weights_gb", "usable_gb", "tp", "instances")}
    pv_list = np.asarray(pv).tolist()
    priced_list = priced.tolist()
    cap_list = cap_arr.tolist()
    for i, d in enumerate(designs):
        kind = OptionKind.self_host_cloud if d.rented else OptionKind.self_host
        g = {k: v[i] for k, v in columns.items()}
        reps = g["replicas"]
        spare = spare_n if math.isfinite(reps) else 0
        reps_total = reps + spare
        now = reps_total * g["replica_usd_per_day"] * dpm
        tier = d.model.best_tier
        o = Option(kind, d.id, f"{d.hardware} {d.model.id} {d.precision}", now,
                   now / (T * dpm / 1e6) if T > 0 else math.nan, math.inf, tier,
                   capex_usd=g["capex_per_replica_usd"] * reps_total if not d.rented else math.nan, model=d.model.id,
                   detail={"gpu": d.gpu.id, "n_gpus": d.n_gpus, "model": d.model.id, "precision": d.precision,
                           "mode": d.mode, "replicas": reps_total, "max_concurrent_seqs": g["max_seqs"],
                           "decode_tokens_per_s_single": g["decode_tokens_per_s_single"],
                           "decode_tokens_per_s": g["decode_tokens_per_s"],
                           "capacity_tokens_per_day": g["capacity_tokens_per_day"],
                           "replica_usd_per_day": g["replica_usd_per_day"],
                           "replica_usd_per_month": g["replica_usd_per_day"] * dpm,
                           "running_usd_per_month": g["running_usd_per_replica_day"] * dpm,
                           "prefill_tokens_per_s": g["prefill_tokens_per_s"], "tp": int(g["tp"]),
                           "instances": int(g["instances"])})
        if not priced_list[i]:
            o.exclude("no_price", "no price or spec in the catalog for this GPU "
                      + ("(cloud $/GPU-hour)" if d.rented else "(purchase price, TDP or TFLOPS)"), d.gpu.id)
        elif not g["fits"]:
            o.exclude("no_fit", f"does not fit: {g['weights_gb']:.0f} GB weights + KV > {g['usable_gb']:.0f} GB usable")
        elif cap_list[i] < 1:
            o.exclude("latency", f"latency: {g['decode_tokens_per_s_single']:.0f} tok/s per stream < "
                                 f"{w.latency.min_tokens_per_s:g} required")
        why = allowed(kind, w, rules)
        if why:
            o.exclude("sensitivity", why)
        if not serves(tier, needed):
            o.exclude("tier", f"{d.model.id} serves up to the {tier} tier; {share_text(w, needed)} needs {needed}")
        if w.latency.max_ttft_s and o.feasible:
            ttft = a.input_share * a.context_tokens / max(g["prefill_tokens_per_s"], 1e-9)
            if ttft > w.latency.max_ttft_s:
                o.exclude("latency", f"latency: time to first token {ttft:.2f} s > {w.latency.max_ttft_s:g} s")
        _licence(d.model, w, o)
        if quant_risk(d.model, d.precision) == "high" and (mix.standard > 0 or mix.frontier > 0):
            o.note("quant_risk", f"{d.precision}: 4-bit quantization carries a task-dependent quality risk on "
                                 f"standard/frontier work — evaluate before committing", severity="warning")
        if spare:
            o.note("uptime", f"uptime {w.uptime:g}: one spare replica (N+1) included")
        o.horizon_usd = pv_list[i] if o.feasible else math.inf
        key = (d.hardware, d.rented)
        cur = best.get(key)
        if cur is None or _better(o, cur):
            best[key] = o
    return list(best.values()), e, priced


_MISSING_DATA, _NO_FIT = ("no_price",), ("no_fit",)


def _severity(o: Option) -> tuple[int, int]:
    """How far an excluded design is from feasible: missing data > does not fit > other rules."""
    worst = 2 if o.excluded_for(*_MISSING_DATA) else 1 if o.excluded_for(*_NO_FIT) else 0
    return worst, len(o.excluded_because)


def _better(o: Option, cur: Option) -> bool:
    if o.feasible != cur.feasible:
        return o.feasible
    if o.feasible:
        return (o.horizon_usd, o.usd_per_month) < (cur.horizon_usd, cur.usd_per_month)
    return _severity(o) < _severity(cur)


def decide_workload(catalog: Catalog, w: Workload, rules: dict, as_of=None) -> WorkloadDecision:
    from openvclosed.decision.hybrid import hybrid_option
    from openvclosed.decision.reasons import reasons_for

    a = w.resolved_assumptions()
    if as_of is not None:
        a = a.model_copy(update={"as_of": as_of})
    T, a, findings = apply_output_multiplier(w.total_tokens_per_day, a)
    needed = tier_needed(w)
    options = _api_options(catalog, w, rules, a, T, needed)
    designs = candidate_designs(catalog, w)
    sh_eval = priced = None
    if designs:
        sh_options, sh_eval, priced = _selfhost_options(catalog, w, rules, a, T, needed, designs)
        options += sh_options
    if 0 < w.task_mix.frontier < 1:
        hyb = hybrid_option(catalog, w, rules, a, options, designs, sh_eval, priced, T)
        if hyb:
            options.append(hyb)
    feas_api = [o for o in options if o.feasible and o.kind in API_KINDS]
    cheapest_api = min(feas_api, key=lambda o: o.usd_per_mtok, default=None)
    for o in options:
        if o.is_self_host and o.feasible and cheapest_api:
            f_day = o.detail["replica_usd_per_day"]
            cap_c = o.detail["capacity_tokens_per_day"] / w.peak_to_mean
            a_tok = cheapest_api.usd_per_mtok / 1e6
            be = f_day / a_tok if a_tok > 0 else math.inf
            o.breakeven_tokens_per_day = be if be < cap_c else math.inf
            if o.kind is OptionKind.self_host:
                saving = cheapest_api.usd_per_month - o.detail["running_usd_per_month"] * o.detail["replicas"]
                o.payback_months = o.capex_usd / saving if saving > 0 else math.inf
    ranked = sorted([o for o in options if o.feasible], key=lambda o: (o.horizon_usd, o.usd_per_month))
    excluded = [o for o in options if not o.feasible]
    options = ranked + sorted(excluded, key=lambda o: (o.kind.value, o.name))
    rec = ranked[0] if ranked else None
    reasons, switching = reasons_for(w, rec, ranked, options, cheapest_api)
    if rec is None:
        findings.append(Finding(code="no_option", severity="warning", ids=[w.name],
                                message="no option satisfies every constraint; see excluded_because on each option"))
    return WorkloadDecision(w, T, options, rec, reasons, switching, findings)


def decide_file(catalog: Catalog, wf: WorkloadFile, only: str | None = None, as_of=None):
    """Decide every workload of a file (or ``only`` one); returns (decisions, portfolio or None)."""
    from openvclosed.decision.portfolio import portfolio

    check_candidates(wf, catalog)  # names in candidates: file and field in the message
    ws = wf.workloads
    if only:
        ws = [w for w in ws if w.name == only]
        if not ws:
            raise InputError(f"--workload: {only!r} not in the file; workloads: {', '.join(x.name for x in wf.workloads)}")
    rules = wf.rules()
    if as_of is not None:  # the prices valid then
        catalog = catalog.at(as_of)
    decisions = [decide_workload(catalog, w, rules, as_of) for w in ws]
    return decisions, (portfolio(decisions) if len(decisions) > 1 else None)


def price_dates(catalog: Catalog, decisions: list[WorkloadDecision], as_of=None):
    """Every price the recommended options rest on, dated (:class:`DatedPrice`), for staleness checks."""
    from openvclosed.decision.selection import DatedPrice, api_price_date, gpu_price_dates

    items: list[DatedPrice] = []
    for d in decisions:
        o = d.recommended
        if o is None:
            continue
        a = d.workload.resolved_assumptions().model_copy(update={"as_of": as_of})
        for part in [o.id, *o.parts]:
            if part in catalog.apis:
                items.append(api_price_date(catalog.apis[part]))
        gpus = [(o.detail.get("gpu"), o.kind is OptionKind.self_host_cloud)] if o.is_self_host else []
        if o.kind is OptionKind.hybrid and o.detail.get("rest_gpu"):
            gpus.append((o.detail["rest_gpu"], o.detail.get("rest_kind") == "self-host-cloud"))
        for gid, rented in gpus:
            items += gpu_price_dates(catalog.gpus[gid], a.model_copy(update={"gpu_price_usd": None,
                                                                             "gpu_hour_usd": None}), rented)
    return sorted(set(items), key=lambda x: (x.kind, x.id, x.label))


def recommend_file(catalog: Catalog, wf: WorkloadFile, *, only: str | None = None, as_of=None,
                   monte_carlo: int | None = None, seed: int = 0, max_age_days: int = 90,
                   max_hardware_age_days: int = 365):
    """Everything ``ovc recommend`` (and ``ovc report``) computes for a workload file: the decisions,
    the portfolio, the stale-price findings and the result object (one path for both commands)."""
    import datetime as dt

    from openvclosed.decision.portfolio import monte_carlo_for
    from openvclosed.decision.selection import stale_findings
    from openvclosed.results.recommend import to_result

    decisions, portfolio = decide_file(catalog, wf, only, as_of=as_of)
    findings = stale_findings(price_dates(catalog, decisions, as_of), as_of or dt.date.today(), max_age_days,
                              max_hardware_age_days)
    mc = {d.workload.name: monte_carlo_for(catalog, d, monte_carlo, seed) for d in decisions} if monte_carlo else {}
    result = to_result(decisions, portfolio, findings, mc)
    _add_price_basis(catalog, decisions, result)
    return decisions, portfolio, findings, result


def _add_price_basis(cat, decisions, result) -> None:
    """The recommended self-hosted design's purchase (or rent) basis in words, as
    ``detail["price_basis"]`` (what its capex rests on; the panel prints it)."""
    from openvclosed.decision.designs import Design, price_basis

    for d, w in zip(decisions, result.workloads):
        rec = w.recommendation.option
        det = rec.detail if rec is not None else {}
        if rec is None or not {"gpu", "n_gpus", "model", "precision", "mode"} <= det.keys():
            continue
        design = Design(cat.gpu(det["gpu"]), int(det["n_gpus"]), cat.model(det["model"]), det["precision"],
                        det["mode"] == "rented")
        basis = price_basis(design, d.workload.resolved_assumptions())
        rec.detail["price_basis"] = basis
        for o in w.options:
            if o.id == rec.id:
                o.detail["price_basis"] = basis
