"""The decision as a deployable setup (``ovc emit``, ``ovc check --gateway``): result objects.

A :class:`GatewayPlan` holds per workload the deployments a gateway routes to (an API, a
self-hosted design, the two parts of a hybrid, one fallback API), the sensitivity classes each
may see (tags), the complexity tiers each serves, and for a self-hosted design the serving
parameters the cost model assumed. ``decision/gateway.py`` builds it; renderers
(``report/gateway_litellm.py``, ``report/gateway_portkey.py``, ``report/serve_command.py``) and
``check/gateway.py`` read it, never the options. Mapping rules: docs/gateway.md.
"""

from __future__ import annotations

from openvclosed.results.base import ResultModel

__all__ = ["Deployment", "WorkloadGateway", "GatewayPlan", "COMPLEXITY_TIERS", "TIER_OF_COMPLEXITY"]

COMPLEXITY_TIERS = ("SIMPLE", "MEDIUM", "COMPLEX", "REASONING")
"""LiteLLM's complexity-router tiers (``complexity_router_config.tiers``)."""

TIER_OF_COMPLEXITY = {"SIMPLE": "simple", "MEDIUM": "standard", "COMPLEX": "frontier", "REASONING": "frontier"}
"""Complexity tier -> the task-mix tier (workload file) whose model serves it."""

class Deployment(ResultModel):
    """One place the gateway sends traffic to. Costs in USD per 1M tokens (input, output, cached input)."""

    name: str                      # gateway model name (``<workload>`` or ``<workload>/<role>``)
    role: str                      # primary | frontier | rest | fallback
    kind: str                      # closed-api | hosted-open-api | self-host | self-host-cloud
    option_id: str                 # the catalog API id or self-hosted design id
    litellm_model: str             # ``hosted_vllm/<hf repo>`` or the provider's LiteLLM model id
    provider_model: str            # the model id the provider (or the serving engine) knows
    provider: str                  # catalog provider, or ``self-hosted``
    env_key: str                   # environment variable: API key (APIs) or api_base (self-hosted)
    tiers: list[str]               # task-mix tiers it serves (simple, standard, frontier)
    tags: list[str]                # sensitivity classes that may reach it
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    cached_input_usd_per_mtok: float | None = None
    # self-hosted only: the design as the cost model assumed it
    model_id: str | None = None
    hf_repo: str | None = None
    engine: str | None = None
    gpu: str | None = None
    n_gpus: int | None = None
    tp: int | None = None
    instances: int | None = None
    replicas: float | None = None
    precision: str | None = None
    native_precision: str | None = None
    max_num_seqs: int | None = None
    max_model_len: int | None = None
    context_tokens: int | None = None
    kv_bits: float | None = None
    gpu_memory_utilization: float | None = None

    @property
    def self_hosted(self) -> bool:
        return self.kind in ("self-host", "self-host-cloud")


class WorkloadGateway(ResultModel):
    name: str
    sensitivity: str
    decision: str                  # the recommended option's id
    deployments: list[Deployment]
    tiers: dict[str, str]          # complexity tier -> deployment name
    fallbacks: dict[str, list[str]]
    notes: list[str]


class GatewayPlan(ResultModel):
    workloads: list[WorkloadGateway]
    date: str
    version: str
    sources: list[str]             # catalog entries used: "id: source (as_of)"
