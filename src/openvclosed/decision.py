"""The decision layer: workloads -> options -> rules with reasons -> ranking -> recommendation.

Orchestrator over the engine (pvlib's ModelChain). Every option of a workload is priced
(self-hosting designs as one vectorized grid), then the rules of ``shared/design.md`` are
applied; each rule that bites leaves a reason on the option. Feasible options are ranked by
total cost over the workload's horizon. No I/O here; renderers take :class:`Recommendation`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from openvclosed.assumptions import Assumptions
from openvclosed.catalog import TIERS, ApiEntry, Catalog, GpuEntry, ModelEntry
from openvclosed.deployment import compute_tflops, precisions_for, quant_risk
from openvclosed.engine import (PRECISION_BITS, api_usd_per_mtok, owned_usd_per_replica_day,
                                rented_usd_per_replica_day)
from openvclosed.engine.scenario import selfhost_scenario
from openvclosed.engine.throughput import latency_capped_batch
from openvclosed.errors import InputError
from openvclosed.units import parse_hw_spec
from openvclosed.workload import Workload, WorkloadFile

__all__ = ["Option", "WorkloadDecision", "decide_workload", "decide_file", "DEFAULT_HARDWARE", "Portfolio",
           "price_dates"]

DEFAULT_HARDWARE = ["1xrtx4090", "2xrtx4090", "4xrtx4090", "1xl40s", "2xl40s", "1xa100-80gb", "2xa100-80gb",
                    "4xa100-80gb", "1xh100", "2xh100", "4xh100", "8xh100", "1xh200", "8xh200"]
"""Hardware specs tried when a workload names none (each priced owned and rented where the
catalog has a price)."""

UPTIME_REDUNDANCY_AT = 0.99
"""Uptime targets at or above this get N+1 self-hosted replicas (one spare)."""


@dataclass
class Option:
    kind: str  # closed-api | hosted-open-api | self-host | self-host-cloud | hybrid
    name: str
    usd_per_month: float
    usd_per_mtok: float
    horizon_usd: float
    tier: str
    feasible: bool = True
    excluded_because: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    breakeven_tokens_per_day: float = math.nan
    payback_months: float = math.nan
    capex_usd: float = math.nan
    detail: dict = field(default_factory=dict)

    def exclude(self, why: str) -> None:
        self.feasible = False
        self.excluded_because.append(why)


@dataclass
class WorkloadDecision:
    workload: Workload
    tokens_per_day: float
    options: list[Option]
    recommended: Option | None
    reasons: list[str]
    switching: list[str]
    warnings: list[str]


def _tier_needed(w: Workload) -> str:
    mix = w.task_mix
    if mix.frontier > 0:
        return "frontier"
    if mix.standard > 0:
        return "standard"
    return "simple"


def _serves(tier: str, needed: str) -> bool:
    return TIERS.index(tier) >= TIERS.index(needed)


def _allowed(kind: str, w: Workload, rules: dict, api: ApiEntry | None = None) -> str | None:
    """None when the sensitivity rules allow this deployment, else the reason."""
    allowed = set(rules[w.sensitivity])
    if kind in ("closed-api", "hosted-open-api"):
        base = "closed-api" if kind == "closed-api" else "hosted-open-api"
        if base in allowed:
            return None
        if "closed-api-zdr" in allowed and api is not None and api.id in w.zero_retention_apis:
            return None
        extra = " (list it in zero_retention_apis if you have a zero-data-retention agreement)" \
            if "closed-api-zdr" in allowed else ""
        return f"sensitivity {w.sensitivity}: data may not go to a third-party API{extra}"
    if kind not in allowed:
        where = "rented cloud GPUs" if kind == "self-host-cloud" else "self-hosting"
        return f"sensitivity {w.sensitivity}: {where} not allowed (allowed: {', '.join(sorted(allowed))})"
    return None


def _annuity(w: Workload, a: Assumptions) -> float:
    """Present value of 1 USD paid at the end of each month of the horizon."""
    from openvclosed.engine.horizon import monthly_discount_rate

    v = 1.0 / (1.0 + float(monthly_discount_rate(a.rate)))
    return float(sum(v ** (m + 1) for m in range(w.horizon_months)))


def _pv_api(tokens_per_day: float, usd_per_mtok: float, w: Workload, a: Assumptions) -> float:
    """Present value of an API over the horizon (growth, price decline, discounted at ``rate``)."""
    from openvclosed.engine.horizon import horizon_costs

    r = horizon_costs(tokens_per_day, usd_per_mtok, np.inf, 0.0, 0.0, horizon_months=w.horizon_months,
                      growth_per_month=w.growth_per_month, api_price_decline_per_year=w.api_price_decline_per_year,
                      rate=a.rate, days_per_month=a.days_per_month)
    return float(r["api_usd"])


def _pv_selfhost(peak_tokens_per_day, capacity, running_month, capex, spare, w: Workload, a: Assumptions,
                 rented: bool):
    """Present value of self-hosting over the horizon (vectorized over designs).

    Replicas are bought when the grown peak volume first needs them (owned), residual value of
    owned hardware credited at the end over ``amortize_years``; ``spare`` replicas (N+1) are
    bought up front and run every month. See :func:`openvclosed.engine.horizon.horizon_costs`.
    """
    from openvclosed.engine.horizon import horizon_costs

    capex = np.where(rented, 0.0, np.nan_to_num(np.asarray(capex, dtype=float)))
    r = horizon_costs(peak_tokens_per_day, 0.0, capacity, running_month, capex, horizon_months=w.horizon_months,
                      growth_per_month=w.growth_per_month, rate=a.rate, days_per_month=a.days_per_month,
                      life_months=np.where(rented, np.nan, a.amortize_years * 12))
    return r["selfhost_usd"] + spare * (capex + np.asarray(running_month, dtype=float) * _annuity(w, a))


@dataclass
class _Design:
    gpu: GpuEntry
    n: int
    model: ModelEntry
    precision: str
    rented: bool


def _designs(catalog: Catalog, w: Workload, a: Assumptions) -> list[_Design]:
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
                    out.append(_Design(g, h.n_gpus, m, p, rented))
    return out


def _price_designs(designs: list[_Design], tokens_per_day: float, a: Assumptions, w: Workload) -> dict:
    """Evaluate every design in one vectorized call at the peak-sized volume."""
    n = len(designs)
    col = lambda f: np.array([f(d) for d in designs], dtype=float)  # noqa: E731
    nan = math.nan
    gpu_price = col(lambda d: (a.gpu_price_usd or d.gpu.purchase_usd or nan) if not d.rented else nan)
    hourly = col(lambda d: (a.gpu_hour_usd or d.gpu.cloud_usd_per_hour or nan) if d.rented else nan)
    tdp = col(lambda d: d.gpu.tdp_w or nan)
    nn = col(lambda d: d.n)
    rented = col(lambda d: d.rented).astype(bool)
    owned_total, capital, energy, ops, capex = owned_usd_per_replica_day(
        nn, gpu_price, a.host_usd_per_gpu * nn, a.rate, a.amortize_years, tdp, a.power_draw_share,
        a.host_w_per_gpu * nn, a.pue, a.electricity_usd_kwh, a.ops_usd_month, a.hours_per_day, parts=True)
    rent = rented_usd_per_replica_day(nn, hourly, a.ops_usd_month, a.hours_per_day)
    f_day = np.where(rented, rent, owned_total)
    running_day = np.where(rented, rent, energy + ops)
    params = col(lambda d: d.model.params_b)
    active = col(lambda d: d.model.active_params_b)
    kv_el = col(lambda d: d.model.kv_elements_per_token)
    bits = col(lambda d: PRECISION_BITS[d.precision])
    tflops = col(lambda d: compute_tflops(d.gpu, d.precision) or nan)
    tp = col(lambda d: a.tp_overhead(d.gpu.interconnect))
    vram = col(lambda d: d.gpu.vram_gb)
    bw = col(lambda d: d.gpu.bandwidth_gb_s)
    kv_seq = kv_el * a.kv_bits / 8 / 1e9 * a.context_tokens
    cap = np.full(n, np.inf)
    if w.latency.min_tokens_per_s:
        cap = latency_capped_batch(w.latency.min_tokens_per_s, params * bits / 8, kv_seq, active, nn, bw, tflops,
                                   a.bandwidth_eff, a.decode_mfu, tp)
    peak = tokens_per_day * w.peak_to_mean
    r = selfhost_scenario(peak, params, active, kv_el, bits, nn, vram, bw, tflops, tp, f_day,
                          input_share=a.input_share, context_tokens=a.context_tokens, kv_bits=a.kv_bits,
                          vram_reserve_share=a.vram_reserve_share, max_batch=a.max_batch,
                          bandwidth_eff=a.bandwidth_eff, decode_mfu=a.decode_mfu, prefill_mfu=a.prefill_mfu,
                          utilization=a.utilization, hours_per_day=a.hours_per_day,
                          tokens_per_s=a.tokens_per_s if a.tokens_per_s else np.nan, batch_cap=cap)
    return dict(r, f_day=f_day, running_day=running_day, capex=np.where(rented, nan, capex), cap=cap,
                priced=np.isfinite(f_day) & np.isfinite(tflops))


def decide_workload(catalog: Catalog, w: Workload, rules: dict) -> WorkloadDecision:
    a = w.resolved_assumptions()
    T = w.total_tokens_per_day
    dpm = a.days_per_month
    needed = _tier_needed(w)
    mix = w.task_mix
    warnings: list[str] = []
    options: list[Option] = []

    def month(usd_day):
        return usd_day * dpm

    # ---- APIs
    apis = [catalog.api(x) for x in w.candidates.apis] if w.candidates.apis else list(catalog.apis.values())
    for api in apis:
        kind = "closed-api" if api.kind == "closed" else "hosted-open-api"
        p = float(api_usd_per_mtok(api.input_usd_per_mtok, api.output_usd_per_mtok, a.input_share,
                                   api.cached_input_usd_per_mtok, a.cached_share, a.batch_share, api.batch_discount))
        now = month(T / 1e6 * p)
        tier = catalog.api_tier(api)
        o = Option(kind, api.id, now, p, 0.0, tier, detail={"source": api.source, "as_of": str(api.as_of),
                                                           "catalog": api.catalog})
        o.horizon_usd = _pv_api(T, p, w, a)
        why = _allowed(kind, w, rules, api)
        if why:
            o.exclude(why)
        if not _serves(tier, needed):
            o.exclude(f"serves the {tier} tier; {_share_text(w, needed)} needs {needed}")
        if w.fine_tune and kind == "closed-api":
            o.exclude("fine-tuning on proprietary data needs the weights; a closed provider's fine-tuning "
                      "service keeps them (no export, lock-in)")
        if w.fine_tune and kind == "hosted-open-api" and o.feasible:
            o.notes.append("fine-tuned weights must be uploaded to a host that serves custom weights")
        if kind == "closed-api" and tier == "frontier" and mix.simple > 0 and o.feasible:
            o.notes.append(f"{mix.simple:.0%} of the work is simple: a frontier API overpays for it")
        if api.serves_model:
            _licence(catalog.models[api.serves_model], w, o)
        if w.latency.min_tokens_per_s or w.latency.max_ttft_s:
            o.notes.append("latency not checked: the catalog has no measured speed for APIs")
        options.append(o)

    # ---- self-hosting (one vectorized grid)
    designs = _designs(catalog, w, a)
    best_sh: dict[tuple[str, bool], Option] = {}
    sh_grid = None
    if designs:
        sh_grid = _price_designs(designs, T, a, w)
        spare_n = 1 if (w.uptime or 0) >= UPTIME_REDUNDANCY_AT else 0
        rented_arr = np.array([d.rented for d in designs])
        pv = _pv_selfhost(T * w.peak_to_mean, sh_grid["capacity_tokens_per_day"], sh_grid["running_day"] * dpm,
                          sh_grid["capex"], spare_n, w, a, rented_arr)
        for i, d in enumerate(designs):
            kind = "self-host-cloud" if d.rented else "self-host"
            key = (f"{d.n}x{d.gpu.id}", d.rented)
            reps = float(sh_grid["replicas"][i])
            redundancy = 1 if (w.uptime or 0) >= UPTIME_REDUNDANCY_AT and math.isfinite(reps) else 0
            reps_total = reps + redundancy
            f_day = float(sh_grid["f_day"][i])
            now = month(reps_total * f_day)
            tier = d.model.best_tier
            o = Option(kind, f"{d.n}x{d.gpu.id} {d.model.id} {d.precision}", now,
                       now / (T * dpm / 1e6) if T > 0 else math.nan, 0.0, tier,
                       capex_usd=float(sh_grid["capex"][i]) * reps_total if not d.rented else math.nan,
                       detail={"gpu": d.gpu.id, "n_gpus": d.n, "model": d.model.id, "quant": d.precision,
                               "replicas": reps_total, "max_concurrent_seqs": float(sh_grid["max_seqs"][i]),
                               "decode_tokens_per_s_single": float(sh_grid["decode_tokens_per_s_single"][i]),
                               "decode_tokens_per_s": float(sh_grid["decode_tokens_per_s"][i]),
                               "capacity_tokens_per_day": float(sh_grid["capacity_tokens_per_day"][i]),
                               "replica_usd_per_day": f_day, "replica_usd_per_month": f_day * dpm,
                               "running_usd_per_month": float(sh_grid["running_day"][i]) * dpm,
                               "mode": "rented" if d.rented else "owned"})
            if not bool(sh_grid["priced"][i]):
                o.exclude("no price or spec in the catalog for this GPU "
                          + ("(cloud $/GPU-hour)" if d.rented else "(purchase price, TDP or TFLOPS)"))
            elif not bool(sh_grid["fits"][i]):
                o.exclude(f"does not fit: {float(sh_grid['weights_gb'][i]):.0f} GB weights + KV > "
                          f"{float(sh_grid['usable_gb'][i]):.0f} GB usable")
            elif float(sh_grid["cap"][i]) < 1:
                o.exclude(f"latency: {float(sh_grid['decode_tokens_per_s_single'][i]):.0f} tok/s per stream < "
                          f"{w.latency.min_tokens_per_s:g} required")
            why = _allowed(kind, w, rules)
            if why:
                o.exclude(why)
            if not _serves(tier, needed):
                o.exclude(f"{d.model.id} serves up to the {tier} tier; {_share_text(w, needed)} needs {needed}")
            if w.latency.max_ttft_s and o.feasible:
                prompt = a.input_share * a.context_tokens
                ttft = prompt / max(float(sh_grid["prefill_tokens_per_s"][i]), 1e-9)
                if ttft > w.latency.max_ttft_s:
                    o.exclude(f"latency: time to first token {ttft:.2f} s > {w.latency.max_ttft_s:g} s")
            _licence(d.model, w, o)
            risk = quant_risk(d.model, d.precision)
            if risk == "high" and (mix.standard > 0 or mix.frontier > 0):
                o.notes.append(f"{d.precision}: 4-bit quantization carries a task-dependent quality risk on "
                               f"standard/frontier work — evaluate before committing")
            if redundancy:
                o.notes.append(f"uptime {w.uptime:g}: one spare replica (N+1) included")
            o.horizon_usd = float(pv[i]) if o.feasible else math.inf
            cur = best_sh.get(key)
            if cur is None or _better(o, cur):
                best_sh[key] = o
    options += list(best_sh.values())

    # ---- hybrid: frontier share -> best closed API; the rest -> best allowed open option
    if mix.frontier > 0 and mix.frontier < 1:
        hyb = _hybrid(catalog, w, rules, a, options, designs, sh_grid, T, dpm)
        if hyb:
            options.append(hyb)

    # ---- compare: break-even and payback against the cheapest feasible API
    feas_api = [o for o in options if o.feasible and o.kind in ("closed-api", "hosted-open-api")]
    cheapest_api = min(feas_api, key=lambda o: o.usd_per_mtok, default=None)
    for o in options:
        if o.kind in ("self-host", "self-host-cloud") and o.feasible and cheapest_api:
            f_day = o.detail["replica_usd_per_day"]
            cap_c = o.detail["capacity_tokens_per_day"] / w.peak_to_mean
            a_tok = cheapest_api.usd_per_mtok / 1e6
            be = f_day / a_tok if a_tok > 0 else math.inf
            o.breakeven_tokens_per_day = be if be < cap_c else math.inf
            if o.kind == "self-host":
                running = o.detail["running_usd_per_month"] * o.detail["replicas"]
                saving = cheapest_api.usd_per_month - running
                o.payback_months = o.capex_usd / saving if saving > 0 else math.inf
    ranked = sorted([o for o in options if o.feasible], key=lambda o: (o.horizon_usd, o.usd_per_month))
    excluded = [o for o in options if not o.feasible]
    options = ranked + sorted(excluded, key=lambda o: (o.kind, o.name))
    rec = ranked[0] if ranked else None
    reasons, switching = _reasons(w, rec, ranked, options, cheapest_api, a)
    if rec is None:
        warnings.append("no option satisfies every constraint; see excluded_because on each option")
    return WorkloadDecision(w, T, options, rec, reasons, switching, warnings)


def _severity(o: Option) -> tuple[int, int]:
    """How far an excluded design is from feasible: missing data > does not fit > other rules."""
    worst = 0
    for x in o.excluded_because:
        worst = max(worst, 2 if x.startswith("no price") else 1 if x.startswith("does not fit") else 0)
    return worst, len(o.excluded_because)


def _better(o: Option, cur: Option) -> bool:
    if o.feasible != cur.feasible:
        return o.feasible
    if o.feasible:
        return (o.horizon_usd, o.usd_per_month) < (cur.horizon_usd, cur.usd_per_month)
    return _severity(o) < _severity(cur)


def _share_text(w: Workload, needed: str) -> str:
    share = getattr(w.task_mix, needed)
    return f"the {share:.0%} {needed} share"


def _licence(m: ModelEntry, w: Workload, o: Option) -> None:
    lic = m.license
    if not lic.commercial_use:
        o.exclude(f"licence {lic.name}: no commercial use")
    if lic.mau_limit and w.monthly_active_users and w.monthly_active_users > lic.mau_limit:
        o.exclude(f"licence {lic.name}: {w.monthly_active_users:,} monthly active users > {lic.mau_limit:,} "
                  f"limit; needs a separate grant from the licensor")


def _hybrid(catalog, w, rules, a, options, designs, sh_grid, T, dpm) -> Option | None:
    f = w.task_mix.frontier
    frontier_apis = [o for o in options if o.kind == "closed-api" and o.tier == "frontier"
                     and not [x for x in o.excluded_because if not x.startswith("serves the")]]
    frontier_apis = [o for o in frontier_apis if not _allowed("closed-api", w, rules, catalog.apis[o.name])]
    if not frontier_apis:
        return None
    fa = min(frontier_apis, key=lambda o: o.usd_per_mtok)
    rest_need = "standard" if w.task_mix.standard > 0 else "simple"
    rest_T = T * (1 - f)
    best = None
    # hosted-open or closed non-frontier APIs for the rest
    for o in options:
        if o.kind not in ("hosted-open-api", "closed-api") or not _serves(o.tier, rest_need):
            continue
        blockers = [x for x in o.excluded_because if not x.startswith("serves the")]
        if blockers:
            continue
        cost = rest_T / 1e6 * o.usd_per_mtok * dpm
        if best is None or cost < best[0]:
            best = (cost, o.name, o.kind, _pv_api(rest_T, o.usd_per_mtok, w, a))
    # self-host designs re-priced at the reduced volume
    if designs:
        for i, d in enumerate(designs):
            cap = float(sh_grid["capacity_tokens_per_day"][i])
            if not (bool(sh_grid["priced"][i]) and cap > 0 and _serves(d.model.best_tier, rest_need)):
                continue
            kind = "self-host-cloud" if d.rented else "self-host"
            if _allowed(kind, w, rules):
                continue
            lic = d.model.license
            if not lic.commercial_use or (lic.mau_limit and (w.monthly_active_users or 0) > lic.mau_limit):
                continue
            spare = 1 if (w.uptime or 0) >= UPTIME_REDUNDANCY_AT else 0
            reps = math.ceil(rest_T * w.peak_to_mean / cap) + spare
            cost = reps * float(sh_grid["f_day"][i]) * dpm
            if best is None or cost < best[0]:
                pv = float(_pv_selfhost(rest_T * w.peak_to_mean, cap, float(sh_grid["running_day"][i]) * dpm,
                                        float(sh_grid["capex"][i]), spare, w, a, d.rented))
                best = (cost, f"{d.n}x{d.gpu.id} {d.model.id} {d.precision}" + (" (rented)" if d.rented else ""),
                        kind, pv)
    if best is None:
        return None
    frontier_cost = T * f / 1e6 * fa.usd_per_mtok * dpm
    router = a.hybrid_router_usd_month
    total = frontier_cost + best[0] + router
    o = Option("hybrid", f"{fa.name} for frontier {f:.0%} + {best[1]}", total, total / (T * dpm / 1e6), 0.0,
               "frontier", detail={"frontier_api": fa.name, "frontier_usd_per_month": frontier_cost,
                                   "rest": best[1], "rest_kind": best[2], "rest_usd_per_month": best[0],
                                   "router_usd_per_month": router, "frontier_share": f})
    o.horizon_usd = _pv_api(T * f, fa.usd_per_mtok, w, a) + best[3] + router * _annuity(w, a)
    o.notes.append(f"route by task: {f:.0%} frontier work to {fa.name} (${frontier_cost:,.0f}/month), the rest to "
                   f"{best[1]} (${best[0]:,.0f}/month), plus ${router:,.0f}/month to run the router")
    return o


def _reasons(w, rec, ranked, options, cheapest_api, a) -> tuple[list[str], list[str]]:
    reasons: list[str] = []
    if rec is None:
        return ["nothing is feasible under the workload's constraints"], []
    allowed = {"regulated": "data may not leave own infrastructure", "confidential":
               "only zero-retention agreements or own/rented infrastructure"}.get(w.sensitivity)
    if allowed:
        n_ex = sum(1 for o in options if any(x.startswith(f"sensitivity {w.sensitivity}") for x in o.excluded_because))
        reasons.append(f"sensitivity {w.sensitivity}: {allowed} — {n_ex} options excluded for it")
    if w.fine_tune:
        reasons.append("fine-tuning on proprietary data needs open weights: closed APIs excluded")
    reasons.append(f"cheapest feasible option over {w.horizon_months} months: ${rec.horizon_usd:,.0f} "
                   f"(${rec.usd_per_month:,.0f}/month now, ${rec.usd_per_mtok:.3f} per 1M tokens)")
    other = next((o for o in ranked[1:] if _family(o) != _family(rec)), None)
    if other:
        reasons.append(f"next other kind: {other.kind} {other.name} at ${other.horizon_usd:,.0f} over the horizon "
                       f"({other.horizon_usd / rec.horizon_usd:.1f}x)" if rec.horizon_usd > 0 else
                       f"next other kind: {other.kind} {other.name}")
    if w.task_mix.frontier > 0:
        reasons.append(f"{w.task_mix.frontier:.0%} of the work is frontier-tier: it needs a frontier model "
                       f"(today mostly closed)")
    if rec.kind == "closed-api" and rec.tier == "frontier" and w.task_mix.simple > 0:
        reasons.append(f"{w.task_mix.simple:.0%} simple work on a frontier API overpays: route it to a small model")
    for n in rec.notes[:2]:
        if "overpays" not in n:
            reasons.append(n)
    switching = ["put an OpenAI-compatible gateway in front of every model (vLLM, SGLang and most hosts speak "
                 "the same API), so switching is a config change",
                 "keep an evaluation set of your own tasks with expected outputs and re-run it on each candidate"]
    if rec.kind in ("self-host", "self-host-cloud") and cheapest_api is not None:
        be = rec.breakeven_tokens_per_day
        if math.isfinite(be):
            switching.append(f"the answer flips below about {_fmt(be)} tokens/day: under that "
                             f"{cheapest_api.name} is cheaper than one replica")
    elif rec.kind in ("closed-api", "hosted-open-api"):
        sh = [o for o in options if o.kind in ("self-host", "self-host-cloud") and o.feasible]
        if sh:
            cheapest_sh = min(sh, key=lambda o: o.detail["replica_usd_per_day"] / max(o.detail["capacity_tokens_per_day"], 1e-9))
            per_tok = cheapest_sh.detail["replica_usd_per_day"] / max(cheapest_sh.detail["capacity_tokens_per_day"], 1e-9)
            if per_tok * 1e6 < rec.usd_per_mtok:
                switching.append(f"self-hosting ({cheapest_sh.name}) wins above about "
                                 f"{_fmt(cheapest_sh.detail['replica_usd_per_day'] / (rec.usd_per_mtok / 1e6))} tokens/day")
            else:
                switching.append("no self-hosted design in the candidates beats this API at any volume")
    return reasons[:6], switching


def _family(o: Option) -> str:
    return {"closed-api": "api", "hosted-open-api": "api", "self-host": "sh", "self-host-cloud": "sh"}.get(o.kind, o.kind)


def _fmt(t: float) -> str:
    from openvclosed.analysis import fmt_tokens

    return fmt_tokens(t)


@dataclass
class Portfolio:
    alone_usd_per_month: float
    shared_usd_per_month: float
    design: str | None
    members: list[str]
    flipped: list[str]
    notes: list[str]


def decide_file(catalog: Catalog, wf: WorkloadFile, only: str | None = None) -> tuple[list[WorkloadDecision], Portfolio | None]:
    ws = wf.workloads
    if only:
        ws = [w for w in ws if w.name == only]
        if not ws:
            raise InputError(f"--workload: {only!r} not in the file; workloads: {', '.join(x.name for x in wf.workloads)}")
    rules = wf.rules()
    decisions = [decide_workload(catalog, w, rules) for w in ws]
    portfolio = _portfolio(decisions) if len(decisions) > 1 else None
    return decisions, portfolio


def _portfolio(decisions: list[WorkloadDecision]) -> Portfolio:
    """Can workloads share one self-hosted design? Price the pooled volume against each alone."""
    alone = {d.workload.name: (d.recommended.usd_per_month if d.recommended else math.inf) for d in decisions}
    best: tuple[float, str, list[str]] | None = None
    designs: dict[str, dict[str, Option]] = {}
    for d in decisions:
        for o in d.options:
            if o.kind in ("self-host", "self-host-cloud") and o.feasible:
                designs.setdefault(o.name + (" (rented)" if o.kind == "self-host-cloud" else ""), {})[d.workload.name] = o
    for name, members in designs.items():
        if len(members) < 2:
            continue
        cand = dict(members)
        while len(cand) >= 2:
            pooled_peak = sum(dd.tokens_per_day * dd.workload.peak_to_mean for dd in decisions if dd.workload.name in cand)
            o0 = next(iter(cand.values()))
            cap = o0.detail["capacity_tokens_per_day"]
            spare = 1 if any("N+1" in n for o in cand.values() for n in o.notes) else 0
            reps = (math.ceil(pooled_peak / cap) if cap > 0 else math.inf) + spare
            shared = reps * o0.detail["replica_usd_per_month"]
            total = shared + sum(v for k, v in alone.items() if k not in cand)
            if best is None or total < best[0]:
                best = (total, name, sorted(cand))
            worst = min(cand, key=lambda k: alone[k])
            del cand[worst]
    alone_total = sum(alone.values())
    if best is None or best[0] >= alone_total - max(0.01 * alone_total, 10.0):
        return Portfolio(alone_total, alone_total, None, [], [],
                         ["no shared self-hosted cluster beats deciding each workload alone by more than 1%"])
    flipped = [dd.workload.name for dd in decisions if dd.workload.name in best[2] and dd.recommended
               and dd.recommended.kind not in ("self-host", "self-host-cloud")]
    notes = [f"pooling {', '.join(best[2])} on {best[1]} saves ${alone_total - best[0]:,.0f}/month"]
    if flipped:
        notes.append(f"consolidation flips {', '.join(flipped)} from an API to the shared cluster")
    return Portfolio(alone_total, best[0], best[1], best[2], flipped, notes)


def monte_carlo_for(catalog: Catalog, d: WorkloadDecision, n: int, seed: int) -> dict | None:
    """Monte Carlo of the best feasible self-hosted design against the best feasible API.

    Uses the engine's horizon model (discounted at ``rate``, growth, API price decline) and the
    workload's ``uncertainty`` overrides. Peak sizing is kept by running at
    ``utilization / peak_to_mean``. ``None`` when either side has no feasible option.
    """
    from openvclosed.analysis import horizon_inputs
    from openvclosed.deployment import evaluate_deployment
    from openvclosed.engine.montecarlo import monte_carlo_breakeven

    w = d.workload
    sh = [o for o in d.options if o.feasible and o.kind in ("self-host", "self-host-cloud")]
    api = [o for o in d.options if o.feasible and o.kind in ("closed-api", "hosted-open-api")]
    if not sh or not api:
        return None
    s, p = sh[0], api[0]
    a = w.resolved_assumptions()
    a = a.model_copy(update={"utilization": a.utilization / w.peak_to_mean})
    det = s.detail
    dep = evaluate_deployment(catalog.gpu(det["gpu"]), det["n_gpus"], catalog.model(det["model"]), det["quant"],
                              d.tokens_per_day, a, rented=s.kind == "self-host-cloud")
    base = horizon_inputs(dep, a, d.tokens_per_day, horizon_months=w.horizon_months,
                          growth_per_month=w.growth_per_month,
                          api_price_decline_per_year=w.api_price_decline_per_year)
    try:
        mc = monte_carlo_breakeven(base, p.usd_per_mtok, n=n, seed=seed, distributions=w.uncertainty or None)
    except ValueError as e:
        raise InputError(f"workloads[{w.name}].uncertainty: {e}") from None
    out = {"selfhost": s.name, "api": p.name, "n": n, "seed": seed, "horizon_months": w.horizon_months}
    for k in ("p_selfhost_cheaper", "saving_usd_mean", "saving_usd_p10", "saving_usd_p50", "saving_usd_p90",
              "crossover_month_p10", "crossover_month_p50", "crossover_month_p90"):
        out[k] = float(mc[k])
    out["distributions"] = mc["distributions"]
    return out


def price_dates(catalog: Catalog, decisions: list[WorkloadDecision]) -> list[tuple[str, object]]:
    """(label, as_of) of every price the recommended options rest on, for staleness checks."""
    items = set()
    for d in decisions:
        o = d.recommended
        if o is None:
            continue
        for name in (o.name, o.detail.get("frontier_api"), o.detail.get("rest")):
            if name in catalog.apis:
                items.add((f"price of {name}", catalog.apis[name].as_of))
        if o.kind == "self-host":
            g = catalog.gpus[o.detail["gpu"]]
            items.add((f"purchase price of {g.id}", g.price_as_of))
        elif o.kind == "self-host-cloud":
            g = catalog.gpus[o.detail["gpu"]]
            items.add((f"cloud price of {g.id}", g.cloud_as_of))
    return sorted(items, key=str)
