"""A LiteLLM proxy ``config.yaml`` for a :class:`~openvclosed.results.gateway.GatewayPlan`.

Keys as LiteLLM 1.110.2 reads them (docs: https://docs.litellm.ai/docs/proxy/configs,
https://docs.litellm.ai/docs/proxy/tag_routing, https://docs.litellm.ai/docs/proxy/custom_pricing,
https://docs.litellm.ai/docs/auto_router/setup): ``model_list[].model_name``,
``litellm_params.{model, api_base, api_key, tags, input_cost_per_token, output_cost_per_token,
cache_read_input_token_cost}``, the complexity router as ``model: auto_router/complexity_router``
with ``complexity_router_config.tiers`` (SIMPLE/MEDIUM/COMPLEX/REASONING) and
``complexity_router_default_model``, ``router_settings.{enable_tag_filtering, fallbacks}``.

Everything is written by ``yaml.safe_dump`` (strings quoted as YAML needs); the header comment
holds untrusted text only through :func:`comment_text` (one line of printable ASCII). Secrets are
never written: keys and API bases are ``os.environ/NAME`` references.
"""

from __future__ import annotations

from openvclosed.report.escape import comment_text
from openvclosed.results.gateway import GatewayPlan

__all__ = ["render_litellm", "header_lines"]


def header_lines(plan: GatewayPlan, what: str) -> list[str]:
    """The provenance lines (without the comment marker): decision, date, version, catalog sources."""
    lines = [f"{what} written by ovc {comment_text(plan.version)} emit on {comment_text(plan.date)}; "
             "regenerate it with `ovc emit`, check it with `ovc check --gateway`"]
    for w in plan.workloads:
        lines.append(f"workload {comment_text(w.name)} ({comment_text(w.sensitivity)}): {comment_text(w.decision)}")
        lines += [f"  note: {comment_text(n)}" for n in w.notes]
    lines.append("catalog sources:")
    lines += [f"  {comment_text(s)}" for s in plan.sources]
    return lines


def _per_token(usd_per_mtok: float | None) -> float | None:
    return None if usd_per_mtok is None else float(f"{usd_per_mtok / 1e6:.6g}")


def _entry(d) -> dict:
    p = {"model": d.litellm_model}
    if d.self_hosted:
        p["api_base"] = f"os.environ/{d.env_key}"
    else:
        p["api_key"] = f"os.environ/{d.env_key}"
    p["tags"] = list(d.tags)
    p["input_cost_per_token"] = _per_token(d.input_usd_per_mtok)
    p["output_cost_per_token"] = _per_token(d.output_usd_per_mtok)
    if d.cached_input_usd_per_mtok is not None:
        p["cache_read_input_token_cost"] = _per_token(d.cached_input_usd_per_mtok)
    info = {"id": f"{d.name}:{d.option_id}", "ovc_kind": d.kind, "ovc_option": d.option_id, "ovc_tiers": list(d.tiers)}
    return {"model_name": d.name, "litellm_params": p, "model_info": info}


def litellm_config(plan: GatewayPlan) -> dict:
    """The config as a dict (what the YAML holds)."""
    models, fallbacks = [], []
    for w in plan.workloads:
        models += [_entry(d) for d in w.deployments]
        routed = [d for d in w.deployments if d.role != "fallback"]
        if len(routed) > 1:  # a hybrid: the workload's name is the complexity router over its parts
            tags = sorted(set.intersection(*(set(d.tags) for d in routed)))
            models.append({"model_name": w.name, "litellm_params": {
                "model": "auto_router/complexity_router",
                "complexity_router_config": {"classifier_type": "heuristic", "tiers": dict(w.tiers)},
                "complexity_router_default_model": w.tiers.get("MEDIUM", routed[-1].name),
                "tags": tags}, "model_info": {"id": f"{w.name}:router", "ovc_kind": "router"}})
        fallbacks += [{src: list(dst)} for src, dst in w.fallbacks.items()]
    settings = {"enable_tag_filtering": True}
    if fallbacks:
        settings["fallbacks"] = fallbacks
    return {"model_list": models, "router_settings": settings}


def render_litellm(plan: GatewayPlan) -> str:
    import yaml

    head = "".join(f"# {line}\n" for line in header_lines(plan, "LiteLLM proxy config"))
    body = yaml.safe_dump(litellm_config(plan), sort_keys=False, allow_unicode=False, width=100)
    return head + body
