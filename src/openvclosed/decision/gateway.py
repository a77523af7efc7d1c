"""Build the :class:`~openvclosed.results.gateway.GatewayPlan` from what ``ovc recommend`` decided.

:func:`gateway_plan` reads the ``RecommendResult`` (and its decisions and the catalog); every read
of option internals (``detail``) is in :func:`_deployments`, the one adapter to change when the
option type changes. The rules (tags, tiers, fallbacks, the input/output cost split) are in
docs/gateway.md.
"""

from __future__ import annotations

import math
import re

from openvclosed.results.gateway import COMPLEXITY_TIERS, TIER_OF_COMPLEXITY, Deployment, GatewayPlan, WorkloadGateway

__all__ = ["gateway_plan", "plan_for_file", "split_input_output"]

_LITELLM_PREFIX = {"openai": "openai", "anthropic": "anthropic", "google": "gemini", "together": "together_ai",
                   "fireworks": "fireworks_ai"}
"""Catalog provider -> LiteLLM provider prefix, for LiteLLM keys without one (``gpt-6-astra``)."""


def split_input_output(usd_per_mtok: float, input_share: float, cached_share: float,
                       prefill_tokens_per_s: float, decode_tokens_per_s: float) -> tuple[float, float, float]:
    """(input, output, cached input) USD per 1M tokens of a self-hosted design whose blended cost is
    ``usd_per_mtok`` over the workload's mix.

    Rule: a token costs the machine time it takes; an uncached input token 1/prefill, an output
    token 1/decode, a cached input token nothing (the cost model's prefix cache). Scale so that
    the blend at the workload's shares equals the design's cost::

        k   = usd_per_mtok / (s_in (1 - c) / prefill + (1 - s_in) / decode)
        in  = k / prefill ;  out = k / decode ;  cached = 0

    >>> split_input_output(1.0, 0.75, 0.0, 3000.0, 1000.0)
    (0.666667, 2.0, 0.0)
    """
    s_in, c = float(input_share), float(cached_share)
    per = s_in * (1 - c) / prefill_tokens_per_s + (1 - s_in) / decode_tokens_per_s
    k = usd_per_mtok / per
    return round(k / prefill_tokens_per_s, 6), round(k / decode_tokens_per_s, 6), 0.0


def _env_name(*parts: str) -> str:
    """An environment variable name from untrusted parts: A-Z, 0-9 and _ only."""
    s = "_".join(re.sub(r"[^A-Za-z0-9]+", "_", p).strip("_").upper() for p in parts if p)
    return re.sub(r"_+", "_", s) or "OVC"


def _litellm_model(api) -> str:
    from openvclosed.catalog.litellm import litellm_key_of

    key = litellm_key_of(api.source) or api.model
    if "/" in key:
        return key
    return f"{_LITELLM_PREFIX.get(api.provider, api.provider)}/{key}"


def _tags(kind: str, w, rules: dict, api_id: str | None = None) -> list[str]:
    """The sensitivity classes whose rules allow ``kind`` (closed APIs: also under ZDR when listed)."""
    out = []
    for cls, ok in rules.items():
        if kind in ok or (kind == "closed-api" and "closed-api-zdr" in ok and api_id in w.zero_retention_apis):
            out.append(cls)
    return sorted(out)


def _api_deployment(cat, w, rules, api_id: str, name: str, role: str, tiers: list[str]) -> Deployment:
    api = cat.api(api_id)
    kind = "closed-api" if api.kind == "closed" else "hosted-open-api"
    return Deployment(name=name, role=role, kind=kind, option_id=api.id, litellm_model=_litellm_model(api),
                      provider_model=api.model, provider=api.provider, env_key=_env_name(api.provider, "API_KEY"), tiers=tiers,
                      tags=_tags(kind, w, rules, api.id), input_usd_per_mtok=api.input_usd_per_mtok,
                      output_usd_per_mtok=api.output_usd_per_mtok,
                      cached_input_usd_per_mtok=api.cached_input_usd_per_mtok)


def _selfhost_deployment(cat, w, rules, design_id: str, det: dict | None, usd_per_mtok: float, name: str,
                         role: str, tiers: list[str], replicas: float | None) -> Deployment:
    """A self-hosted design from its option's typed design ``det`` (``DesignOut`` as a dict: what the
    decision priced), with the blended cost split into input and output."""
    from openvclosed.decision.designs import Design, engine_for, native_label

    hw, model_id, precision, mode = design_id.split("/")
    n, gpu = hw.split("x", 1)
    a = w.resolved_assumptions()
    d = Design(cat.gpu(gpu), int(n), cat.model(model_id), precision, mode == "rented")
    batch = det["batch"]
    seqs = det["max_concurrent_seqs"]
    ctx = int(a.context_tokens)
    kv_budget = seqs * ctx if math.isfinite(seqs) else math.inf
    max_len = int(min(d.model.context_tokens, kv_budget))
    i, o, c = split_input_output(usd_per_mtok, a.input_share, a.cached_share, det["prefill_tokens_per_s"],
                                 det["decode_tokens_per_s"])
    kind = "self-host-cloud" if d.rented else "self-host"
    return Deployment(name=name, role=role, kind=kind, option_id=design_id,
                      litellm_model=f"hosted_vllm/{d.model.hf_repo or d.model.id}",
                      provider_model=d.model.hf_repo or d.model.id, provider="self-hosted",
                      env_key=_env_name("OVC", w.name, role, "API_BASE"), tiers=tiers, tags=_tags(kind, w, rules),
                      input_usd_per_mtok=i, output_usd_per_mtok=o, cached_input_usd_per_mtok=c if a.cached_share else None,
                      model_id=d.model.id, hf_repo=d.model.hf_repo, engine=engine_for(d, a), gpu=d.gpu.id,
                      n_gpus=d.n_gpus, tp=int(det["tp"]), instances=int(det["instances"]), replicas=replicas,
                      precision=precision, native_precision=native_label(d.model),
                      max_num_seqs=int(min(batch, seqs)), max_model_len=max_len, context_tokens=ctx,
                      kv_bits=float(a.kv_bits), gpu_memory_utilization=float(a.vram_reserve_share))


def _deployments(cat, decision, wout, rules) -> tuple[list[Deployment], list[str]]:
    """The adapter: the recommended option of one workload (``wout``, a ``WorkloadOut``) as
    deployments, plus notes. The only function that reads option internals."""
    w = decision.workload
    rec = wout.recommendation.option
    notes: list[str] = []
    if rec is None:
        return [], ["no feasible option: nothing to route to"]
    mix = w.task_mix
    served = [t for t in ("simple", "standard", "frontier") if getattr(mix, t) > 0] or ["standard"]
    if rec.kind == "hybrid":
        fa, rest_opt = rec.members[0], rec.members[1]
        frontier = _api_deployment(cat, w, rules, fa.id, f"{w.name}/frontier", "frontier", ["frontier"])
        rest_tiers = [t for t in served if t != "frontier"] or ["standard"]
        if rest_opt.design is not None:
            rest = _selfhost_deployment(cat, w, rules, rest_opt.id, rest_opt.design.model_dump(), rest_opt.usd_per_mtok,
                                        f"{w.name}/rest", "rest", rest_tiers, rest_opt.design.replicas)
        else:
            rest = _api_deployment(cat, w, rules, rest_opt.id, f"{w.name}/rest", "rest", rest_tiers)
        deps = [frontier, rest]
    elif rec.kind in ("self-host", "self-host-cloud"):
        deps = [_selfhost_deployment(cat, w, rules, rec.id, rec.design.model_dump(), rec.usd_per_mtok, w.name,
                                     "primary", served, rec.design.replicas)]
    else:
        deps = [_api_deployment(cat, w, rules, rec.id, w.name, "primary", served)]
    used = {d.option_id for d in deps}
    fb = next((o for o in wout.options if o.feasible and o.kind in ("closed-api", "hosted-open-api")
               and o.id not in used), None)
    if fb is not None:
        dep = _api_deployment(cat, w, rules, fb.id, f"{w.name}/fallback", "fallback", served)
        if w.sensitivity in dep.tags:
            deps.append(dep)
    if not any(d.role == "fallback" for d in deps):
        notes.append(f"no fallback: no API may see {w.sensitivity} data")
    return deps, notes


def _tier_map(deps: list[Deployment]) -> dict[str, str]:
    routed = [d for d in deps if d.role != "fallback"]
    out = {}
    for ct in COMPLEXITY_TIERS:
        t = TIER_OF_COMPLEXITY[ct]
        pick = next((d for d in routed if t in d.tiers), None)
        if pick is None:  # a tier the mix does not use: the most capable part serves it
            pick = next((d for d in routed if "frontier" in d.tiers), routed[-1])
        out[ct] = pick.name
    return out


def _fallbacks(deps: list[Deployment]) -> dict[str, list[str]]:
    """Each routed deployment falls back to the fallback API, only when that API may see every class
    the deployment may (a regulated route never falls back to an external API)."""
    fb = next((d for d in deps if d.role == "fallback"), None)
    if fb is None:
        return {}
    return {d.name: [fb.name] for d in deps if d.role != "fallback" and set(d.tags) <= set(fb.tags)}


def gateway_plan(cat, decisions, result, rules: dict, *, date: str) -> GatewayPlan:
    """The plan for every workload of ``result`` (a ``RecommendResult``) from its ``decisions``."""
    from openvclosed import __version__

    out, sources = [], {}
    for d, wout in zip(decisions, result.workloads):
        deps, notes = _deployments(cat, d, wout, rules)
        for dep in deps:
            e = cat.api(dep.option_id) if not dep.self_hosted else cat.model(dep.model_id)
            sources[e.id] = f"{e.id}: {e.source} ({e.as_of})"
            if dep.self_hosted:
                g = cat.gpu(dep.gpu)
                sources[g.id] = f"{g.id}: {g.source} ({g.as_of})"
        tiers = _tier_map(deps) if deps else {}
        out.append(WorkloadGateway(name=wout.name, sensitivity=wout.sensitivity,
                                   decision=wout.recommendation.option.id if wout.recommendation.option else "",
                                   deployments=deps, tiers=tiers, fallbacks=_fallbacks(deps), notes=notes))
    seen: set[str] = set()
    for wg in out:  # distinct api_base variables (workload names that differ only in punctuation)
        for dep in wg.deployments:
            base, n = dep.env_key, 2
            while dep.self_hosted and dep.env_key in seen:
                dep.env_key, n = f"{base}_{n}", n + 1
            seen.add(dep.env_key)
    return GatewayPlan(workloads=out, date=date, version=__version__, sources=sorted(sources.values()))


def plan_for_file(cat, wf, *, only: str | None = None, as_of=None, max_age_days: int = 90,
                  max_hardware_age_days: int = 365):
    """(plan, findings) for a workload file: the decision ``ovc recommend`` makes, as a plan."""
    import datetime as dt

    from openvclosed.decision.recommend import recommend_file

    decisions, _portfolio, findings, result = recommend_file(
        cat, wf, only=only, as_of=as_of, max_age_days=max_age_days, max_hardware_age_days=max_hardware_age_days)
    date = (as_of or dt.date.today()).isoformat()
    return gateway_plan(cat.at(as_of) if as_of else cat, decisions, result, wf.rules(), date=date), findings
