"""A Portkey gateway config (JSON) for a :class:`~openvclosed.results.gateway.GatewayPlan`.

Structure as the open-source Portkey gateway validates and routes it (Portkey-AI/gateway,
``src/middlewares/requestValidator/schema/config.ts`` ``configSchema`` and
``src/services/conditionalRouter.ts``; docs: https://portkey.ai/docs/product/ai-gateway/conditional-routing):
``strategy: {mode: "conditional", conditions: [{query, then}], default}`` over request
``metadata``, ``targets`` with a ``name`` each; a target with a fallback is itself
``{name, strategy: {mode: "fallback"}, targets: [...]}``; a leaf target is ``provider`` +
``api_key`` (+ ``custom_host`` for a self-hosted server) + ``override_params.model``.

Requests say where they belong with metadata ``workload``, ``tier`` (simple | standard |
frontier) and ``sensitivity``. A condition matches only when the request's sensitivity is one
its target may see, so a regulated request never reaches an external API; no ``default`` is
written unless one target may see every class (an unmatched request fails: fail closed).
Secrets are ``${ENV_VAR}`` placeholders (substitute them when deploying the config, e.g. with
``envsubst``); all text goes through ``json.dumps``.
"""

from __future__ import annotations

import json

from openvclosed.results.gateway import TIER_OF_COMPLEXITY, Deployment, GatewayPlan

__all__ = ["render_portkey", "portkey_config", "PORTKEY_PROVIDER"]

PORTKEY_PROVIDER = {"openai": "openai", "anthropic": "anthropic", "google": "google", "together": "together-ai",
                    "deepinfra": "deepinfra", "groq": "groq", "fireworks": "fireworks-ai", "mistral": "mistral-ai",
                    "xai": "x-ai", "nebius": "nebius", "novita": "novita-ai", "sambanova": "sambanova",
                    "cerebras": "cerebras"}
"""Catalog provider -> Portkey provider slug (``src/globals.ts``). Self-hosted servers are
``openai`` with a ``custom_host`` (vLLM and SGLang serve the OpenAI API)."""

ALL_CLASSES = ("confidential", "internal", "public", "regulated")


def _leaf(d: Deployment) -> dict:
    if d.self_hosted:
        return {"name": d.name, "provider": "openai", "custom_host": "${" + d.env_key + "}",
                "api_key": "${" + d.env_key.removesuffix("_API_BASE") + "_API_KEY}",
                "override_params": {"model": d.hf_repo or d.model_id}}
    provider = PORTKEY_PROVIDER.get(d.provider, d.provider)
    return {"name": d.name, "provider": provider, "api_key": "${" + d.env_key + "}",
            "override_params": {"model": d.provider_model}}


def _target(d: Deployment, fallbacks: dict, by_name: dict) -> dict:
    fb = fallbacks.get(d.name)
    if not fb:
        return _leaf(d)
    first = {**_leaf(d), "name": f"{d.name}#primary"}
    return {"name": d.name, "strategy": {"mode": "fallback"},
            "targets": [first, *({**_leaf(by_name[x]), "name": f"{d.name}#{x}"} for x in fb)]}


def portkey_config(plan: GatewayPlan) -> dict:
    conditions, targets, default = [], [], None
    for w in plan.workloads:
        by_name = {d.name: d for d in w.deployments}
        routed = [d for d in w.deployments if d.role != "fallback"]
        targets += [_target(d, w.fallbacks, by_name) for d in routed]
        for t in ("simple", "standard", "frontier"):
            names = {n for ct, n in w.tiers.items() if TIER_OF_COMPLEXITY[ct] == t}
            for name in sorted(names):
                d = by_name[name]
                conditions.append({"query": {"$and": [{"metadata.workload": {"$eq": w.name}},
                                                      {"metadata.tier": {"$eq": t}},
                                                      {"metadata.sensitivity": {"$in": list(d.tags)}}]},
                                   "then": d.name})
        if routed:
            d = by_name.get(w.tiers.get("MEDIUM", ""), routed[0])
            conditions.append({"query": {"$and": [{"metadata.workload": {"$eq": w.name}},
                                                  {"metadata.sensitivity": {"$in": list(d.tags)}}]}, "then": d.name})
            if default is None and set(ALL_CLASSES) <= set(d.tags):
                default = d.name
    strategy = {"mode": "conditional", "conditions": conditions}
    if default is not None:
        strategy["default"] = default
    return {"strategy": strategy, "targets": targets}


def render_portkey(plan: GatewayPlan) -> str:
    return json.dumps(portkey_config(plan), indent=2, ensure_ascii=True) + "\n"
