"""The options of a workload: every API and every self-hosted design, priced and put through the rules.

API options are priced by :func:`openvclosed.decision.apiprice.api_price`; self-hosted designs in
one call of the one cost path (:func:`openvclosed.decision.designs.evaluate`, sized for the peak,
with the N+1 spare and the team cost as engine inputs). Each rule that bites leaves a typed
finding on the option. No I/O.
"""

from __future__ import annotations

import math

import numpy as np

from openvclosed.catalog import Catalog
from openvclosed.decision.apiprice import api_price
from openvclosed.decision.assumptions import Assumptions
from openvclosed.decision.sizing import (fixed_sizing_record, load_sized, peak_to_mean_for, size_for_load,
                                         sizing_record, targets_for, ttft_p95_at_load_ms)
from openvclosed.decision.designs import (Design, consumer_nvidia, design_inputs, engine_for, layout_reason,
                                          precisions_for, price_basis, quant_risk, site_of)
from openvclosed.decision.horizon import pv_api, pv_selfhost
from openvclosed.decision.options import Option, OptionKind, allowed, capability_rule
from openvclosed.decision.selection import driver_licence_text, licence_findings
from openvclosed.decision.workload import Workload
from openvclosed.engine.design import selfhost_design
from openvclosed.engine.period import per_month_from_day
from openvclosed.engine.throughput import latency_capped_batch
from openvclosed.units import parse_hw_spec

__all__ = ["DEFAULT_HARDWARE", "UPTIME_REDUNDANCY_AT", "candidate_designs", "api_options", "selfhost_options",
           "spare_replicas", "sizing", "licence_rule"]

DEFAULT_HARDWARE = ["1xrtx4090", "2xrtx4090", "4xrtx4090", "1xl40s", "2xl40s", "1xa100-80gb", "2xa100-80gb",
                    "4xa100-80gb", "1xh100", "2xh100", "4xh100", "8xh100", "1xh200", "8xh200"]
"""Hardware specs tried when a workload names none (each priced owned and rented where the
catalog has a price)."""

UPTIME_REDUNDANCY_AT = 0.99
"""Uptime targets at or above this get N+1 self-hosted replicas (one spare)."""


def spare_replicas(w: Workload) -> int:
    return 1 if (w.uptime or 0) >= UPTIME_REDUNDANCY_AT else 0


def sizing(w: Workload) -> dict:
    """The engine inputs that size a workload's self-hosted designs: peak and spare."""
    return {"peak_to_mean": w.peak_to_mean, "spare_replicas": spare_replicas(w)}


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


def licence_rule(model, w: Workload, o: Option) -> None:
    """The licence conditions the workload breaks exclude the option; triggered ones warn."""
    for f in licence_findings(model, w.monthly_active_users, monthly_revenue_usd=w.monthly_revenue_usd):
        if f.severity == "exclusion" or f.code == "licence_commercial":
            o.exclude(f.code, f.message, model.id)
        elif f.severity == "warning":
            o.note(f.code, f.message, model.id, severity="warning")


def api_options(catalog: Catalog, w: Workload, rules: dict, a: Assumptions, T: float, needed: str) -> list[Option]:
    mix = w.task_mix
    out = []
    apis = [catalog.api(x) for x in w.candidates.apis] if w.candidates.apis else list(catalog.apis.values())
    prices = np.array([api_price(x, a) for x in apis], dtype=float)
    pvs = pv_api(T, prices, w, a) if apis else []
    for api, p, pv in zip(apis, prices.tolist(), np.atleast_1d(pvs).tolist()):
        kind = OptionKind.closed_api if api.kind == "closed" else OptionKind.hosted_open_api
        tier = catalog.api_tier(api)
        o = Option(kind, api.id, api.id, float(per_month_from_day(T / 1e6 * p, a.days_per_month)), p,
                   pv, tier, model=api.serves_model, api=api)
        why = allowed(kind, w, rules, api)
        if why:
            o.exclude("sensitivity", why)
        capability_rule(o, api.serves_model or api.id, catalog.capability_score(api), tier, w, needed)
        o.tokens_per_reference_token = api.tokens_per_reference_token
        if w.fine_tune and kind is OptionKind.closed_api:
            o.exclude("fine_tune", "fine-tuning on proprietary data needs the weights; a closed provider's "
                                   "fine-tuning service keeps them (no export, lock-in)")
        if w.fine_tune and kind is OptionKind.hosted_open_api and o.feasible:
            o.note("fine_tune_host", "fine-tuned weights must be uploaded to a host that serves custom weights")
        if kind is OptionKind.closed_api and tier == "frontier" and mix.simple > 0 and o.feasible:
            o.note("overpay", f"{mix.simple:.0%} of the work is simple: a frontier API overpays for it")
        if api.serves_model:
            licence_rule(catalog.models[api.serves_model], w, o)
        if w.latency.min_tokens_per_s or w.latency.max_ttft_s:
            o.note("latency_unchecked", "latency not checked: the catalog has no measured speed for APIs")
        out.append(o)
    return out


def _latency_cap(designs: list[Design], a: Assumptions, w: Workload):
    """Largest decode batch per instance that still gives each stream ``min_tokens_per_s``."""
    if not w.latency.min_tokens_per_s:
        return np.inf
    x = design_inputs(designs, a)
    e0 = selfhost_design(x, 0.0)
    fixed = np.asarray(x.step_overhead_s) + np.asarray(x.layers) * np.asarray(x.layer_overhead_s)
    return latency_capped_batch(w.latency.min_tokens_per_s, e0.weights_gb, e0.kv_gb_per_seq, x.active_params_b,
                                e0.tp, x.bandwidth_gb_s, x.tflops, x.bandwidth_eff, x.decode_mfu, fixed)


def sized_inputs(options: list[Option], a: Assumptions, base: dict):
    """The engine inputs of self-hosted ``options`` as the decision sized them (their
    ``serving_overrides``: batch cap, utilisation, peak-to-mean) on top of ``base`` (:func:`sizing`)."""
    x = design_inputs([o.design for o in options], a).replace(**base)
    keys = sorted({k for o in options for k in o.serving_overrides})
    if keys:
        x = x.replace(**{k: np.array([o.serving_overrides.get(k, getattr(x.take(i), k)) for i, o in enumerate(options)],
                                     dtype=float) for k in keys})
    return x


def selfhost_options(catalog, w: Workload, rules: dict, a: Assumptions, T: float, needed: str,
                     designs: list[Design]) -> tuple[list[Option], list[Option]]:
    """(the best option per (hardware, owned/rented) over models and precisions, every design's
    option) — all priced in one engine call at the workload's volume, sized for its peak: for the
    load and latency targets (decision/sizing.py) unless the workload fixes ``utilization``."""
    mix = w.task_mix
    by_load = load_sized(w, a)
    cap = np.inf if by_load else _latency_cap(designs, a, w)
    ptm = peak_to_mean_for(w, a, T)
    x = design_inputs(designs, a, batch_cap=cap).replace(**{**sizing(w), "peak_to_mean": ptm})
    sz = None
    if by_load:
        targets = targets_for(w, a)
        sz = size_for_load(x, T, targets, a)
        util = np.where(np.isfinite(sz["utilization"]), np.maximum(sz["utilization"], 1e-3), a.utilization)
        x = x.replace(batch_cap=sz["batch_cap"], utilization=util)
    e = selfhost_design(x, T)
    p95 = ttft_p95_at_load_ms(sz, e, T, ptm, a.service_cv2) if sz is not None else None
    priced = (np.isfinite(e.replica_usd_per_day) & np.isfinite(e.step_s)).tolist()
    pv = np.asarray(pv_selfhost(T, e, w, a)).tolist()
    cap_list = np.broadcast_to(np.asarray(cap, dtype=float), (len(designs),)).tolist()
    best: dict[tuple[str, bool], Option] = {}
    every = []
    for i, d in enumerate(designs):
        kind = OptionKind.self_host_cloud if d.rented else OptionKind.self_host
        fig = e.take(i)
        reps = float(fig.replicas)
        usd = float(per_month_from_day(fig.usd_per_day, fig.days_per_month)) if math.isfinite(reps) else math.inf
        tier = d.model.best_tier
        o = Option(kind, d.id, f"{d.hardware} {d.model.id} {d.precision}", usd,
                   usd / (T * a.days_per_month / 1e6) if T > 0 else math.nan, math.inf, tier,
                   capex_usd=float(fig.capex_per_replica_usd) * reps if not d.rented else math.nan, model=d.model.id,
                   design=d, figures=fig, engine=engine_for(d, a))
        o.serving_overrides = {"peak_to_mean": ptm}
        if sz is not None:
            o.serving_overrides.update(batch_cap=float(np.asarray(x.batch_cap)[i]),
                                       utilization=float(np.asarray(x.utilization)[i]))
            o.sizing = sizing_record(sz, i, targets, fig, T, ptm, a.service_cv2, float(p95[i]))
        else:
            o.sizing = fixed_sizing_record(a, float(np.broadcast_to(np.asarray(x.utilization, dtype=float),
                                                                    (len(designs),))[i]), fig, T, ptm)
        if not priced[i]:
            o.exclude("no_price", "no price or spec in the catalog for this GPU "
                      + ("(cloud $/GPU-hour)" if d.rented else "(purchase price, TDP or TFLOPS)"), d.gpu.id)
        elif not bool(fig.fits):
            o.exclude("no_fit", f"does not fit: {float(fig.weights_gb):.0f} GB weights + KV > "
                                f"{float(fig.usable_gb):.0f} GB usable")
        elif sz is not None and sz["why_not"][i]:
            o.exclude("latency", f"latency: {sz['why_not'][i]}")
        elif sz is None and cap_list[i] < 1:
            o.exclude("latency", f"latency: {float(fig.decode_tokens_per_s_single):.0f} tok/s per stream < "
                                 f"{w.latency.min_tokens_per_s:g} required")
        why = allowed(kind, w, rules)
        if why:
            o.exclude("sensitivity", why)
        if consumer_nvidia(d.gpu) and not d.rented and site_of(d, a) != "office":
            o.exclude("driver_licence", driver_licence_text(d.gpu.id, site_of(d, a)), d.gpu.id)
        capability_rule(o, d.model.id, catalog.capability_score(d.model), tier, w, needed)
        tok = catalog.model_tokenizer(d.model.id)
        o.tokens_per_reference_token = tok.tokens_per_reference_token if tok else None
        if sz is None and w.latency.max_ttft_s and o.feasible:
            ttft = a.input_share * a.context_tokens / max(float(fig.prefill_tokens_per_s), 1e-9)
            if ttft > w.latency.max_ttft_s:
                o.exclude("latency", f"latency: time to first token {ttft:.2f} s > {w.latency.max_ttft_s:g} s")
        licence_rule(d.model, w, o)
        if quant_risk(d.model, d.precision) == "high" and (mix.standard > 0 or mix.frontier > 0):
            o.note("quant_risk", f"{d.precision}: 4-bit quantization carries a task-dependent quality risk on "
                                 f"standard/frontier work — evaluate before committing", severity="warning")
        if float(fig.spare_replicas) and math.isfinite(reps):
            o.note("uptime", f"uptime {w.uptime:g}: one spare replica (N+1) included")
        o.horizon_usd = pv[i] if o.feasible else math.inf
        every.append(o)
        key = (d.hardware, d.rented)
        cur = best.get(key)
        if cur is None or _better(o, cur):
            best[key] = o
    for o in best.values():  # in words, for the options the table shows
        o.price_basis = price_basis(o.design, a)
        o.layout_reason = layout_reason(o.design, o.figures) if bool(o.figures.fits) else ""
    return list(best.values()), every


def _severity(o: Option) -> tuple[int, int]:
    """How far an excluded design is from feasible: missing data > does not fit > other rules."""
    worst = 2 if o.excluded_for("no_price") else 1 if o.excluded_for("no_fit") else 0
    return worst, len(o.excluded_because)


def _better(o: Option, cur: Option) -> bool:
    if o.feasible != cur.feasible:
        return o.feasible
    if o.feasible:
        return (o.horizon_usd, o.usd_per_month) < (cur.horizon_usd, cur.usd_per_month)
    return _severity(o) < _severity(cur)
