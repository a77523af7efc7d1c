"""Regenerate data/apis.yaml from LiteLLM's bundled price JSON.

Usage::

    pip download --no-deps litellm==1.110.2 -d /tmp/litellm
    unzip -o /tmp/litellm/litellm-*.whl 'litellm/model_prices_and_context_window_backup.json' -d /tmp/litellm
    python scripts/build_api_catalog.py /tmp/litellm/litellm/model_prices_and_context_window_backup.json 1.110.2 \
        [AS_OF] [VALID_FROM]

AS_OF is the date the JSON was read (default: today); VALID_FROM is the date the prices were
published, i.e. the PyPI upload date of that LiteLLM release (1.110.2: 2026-11-20, from the
PEP 691 JSON simple index https://pypi.org/simple/litellm/ `upload-time`); default AS_OF.

The selection below (which keys, their role, capability tier and the open model a hosted
offer serves) is ours; every price comes from the JSON, which cites the provider page in
its own ``source`` field where it has one.  Not used at run time.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import sys

# key in LiteLLM JSON -> (id, provider, model, kind, role, tier, serves_model)
SELECTION = [
    # closed: each provider's flagship, mid and small model
    ("gpt-6-astra", "openai/gpt-6-astra", "openai", "gpt-6-astra", "closed", "flagship", "frontier", None),
    ("gpt-6.1-sol", "openai/gpt-6.1-sol", "openai", "gpt-6.1-sol", "closed", "mid", "standard", None),
    ("gpt-6-luna", "openai/gpt-6-luna", "openai", "gpt-6-luna", "closed", "small", "simple", None),
    ("gpt-5-mini", "openai/gpt-5-mini", "openai", "gpt-5-mini", "closed", "small", "simple", None),
    ("claude-mythos-5-1", "anthropic/claude-mythos-5-1", "anthropic", "claude-mythos-5-1", "closed", "flagship", "frontier", None),
    ("claude-opus-5-5", "anthropic/claude-opus-5-5", "anthropic", "claude-opus-5-5", "closed", "mid", "frontier", None),
    ("claude-sonnet-5-5", "anthropic/claude-sonnet-5-5", "anthropic", "claude-sonnet-5-5", "closed", "mid", "standard", None),
    ("claude-haiku-5-5", "anthropic/claude-haiku-5-5", "anthropic", "claude-haiku-5-5", "closed", "small", "simple", None),
    ("gemini-3.1-pro-preview", "google/gemini-3.1-pro-preview", "google", "gemini-3.1-pro-preview", "closed", "flagship", "frontier", None),
    ("gemini-3.8-flash", "google/gemini-3.8-flash", "google", "gemini-3.8-flash", "closed", "mid", "standard", None),
    ("gemini-3.5-flash-lite", "google/gemini-3.5-flash-lite", "google", "gemini-3.5-flash-lite", "closed", "small", "simple", None),
    # --- 2026-11 refresh (LiteLLM 1.110.2): newer closed models present in the JSON ---
    ("gpt-6.1-terra", "openai/gpt-6.1-terra", "openai", "gpt-6.1-terra", "closed", "mid", "standard", None),
    ("vertex_ai/gemini-4-argon", "google/gemini-4-argon", "google", "gemini-4-argon", "closed", "flagship", "frontier", None),
    ("vertex_ai/gemini-4-hydrogen", "google/gemini-4-hydrogen", "google", "gemini-4-hydrogen", "closed", "mid", "standard", None),
    ("xai/grok-4.7", "xai/grok-4.7", "xai", "grok-4.7", "closed", "flagship", "frontier", None),
    ("xai/grok-4.3", "xai/grok-4.3", "xai", "grok-4.3", "closed", "mid", "standard", None),
    # Mistral: openness of Large 4 / Medium 3.5 weights not verified (Large 3 and Small 4 are Apache-2.0)
    ("mistral/mistral-large-4", "mistral/mistral-large-4", "mistral", "mistral-large-4", "closed", "flagship", "frontier", None),
    ("mistral/mistral-medium-3.5", "mistral/mistral-medium-3.5", "mistral", "mistral-medium-3.5", "closed", "mid", "standard", None),
    # hosted open-weight offers
    ("deepinfra/meta-llama/Llama-3.3-70B-Instruct", "deepinfra/llama-3.3-70b", "deepinfra", "meta-llama/Llama-3.3-70B-Instruct", "hosted-open", None, None, "llama-3.3-70b"),
    ("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo", "together/llama-3.3-70b-turbo", "together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", "hosted-open", None, None, "llama-3.3-70b"),
    ("deepinfra/meta-llama/Meta-Llama-3.1-70B-Instruct", "deepinfra/llama-3.1-70b", "deepinfra", "meta-llama/Meta-Llama-3.1-70B-Instruct", "hosted-open", None, None, "llama-3.1-70b"),
    ("deepinfra/meta-llama/Meta-Llama-3.1-8B-Instruct", "deepinfra/llama-3.1-8b", "deepinfra", "meta-llama/Meta-Llama-3.1-8B-Instruct", "hosted-open", None, None, "llama-3.1-8b"),
    ("together_ai/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "together/llama-3.1-8b-turbo", "together", "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "hosted-open", None, None, "llama-3.1-8b"),
    ("together_ai/meta-llama/Llama-3.1-405B-Instruct", "together/llama-3.1-405b", "together", "meta-llama/Llama-3.1-405B-Instruct", "hosted-open", None, None, "llama-3.1-405b"),
    ("deepinfra/Qwen/Qwen2.5-72B-Instruct", "deepinfra/qwen2.5-72b", "deepinfra", "Qwen/Qwen2.5-72B-Instruct", "hosted-open", None, None, "qwen2.5-72b"),
    ("together_ai/Qwen/Qwen2.5-72B-Instruct-Turbo", "together/qwen2.5-72b-turbo", "together", "Qwen/Qwen2.5-72B-Instruct-Turbo", "hosted-open", None, None, "qwen2.5-72b"),
    ("deepinfra/Qwen/Qwen2.5-7B-Instruct", "deepinfra/qwen2.5-7b", "deepinfra", "Qwen/Qwen2.5-7B-Instruct", "hosted-open", None, None, "qwen2.5-7b"),
    ("together_ai/mistralai/Mistral-7B-Instruct-v0.3", "together/mistral-7b", "together", "mistralai/Mistral-7B-Instruct-v0.3", "hosted-open", None, None, "mistral-7b"),
    ("deepinfra/mistralai/Mixtral-8x7B-Instruct-v0.1", "deepinfra/mixtral-8x7b", "deepinfra", "mistralai/Mixtral-8x7B-Instruct-v0.1", "hosted-open", None, None, "mixtral-8x7b"),
    ("deepinfra/deepseek-ai/DeepSeek-V3", "deepinfra/deepseek-v3", "deepinfra", "deepseek-ai/DeepSeek-V3", "hosted-open", None, None, "deepseek-v3"),
    ("together_ai/deepseek-ai/DeepSeek-V3", "together/deepseek-v3", "together", "deepseek-ai/DeepSeek-V3", "hosted-open", None, None, "deepseek-v3"),
    ("groq/openai/gpt-oss-120b", "groq/gpt-oss-120b", "groq", "openai/gpt-oss-120b", "hosted-open", None, None, "gpt-oss-120b"),
    ("fireworks_ai/accounts/fireworks/models/gpt-oss-120b", "fireworks/gpt-oss-120b", "fireworks", "accounts/fireworks/models/gpt-oss-120b", "hosted-open", None, None, "gpt-oss-120b"),
    ("deepinfra/openai/gpt-oss-20b", "deepinfra/gpt-oss-20b", "deepinfra", "openai/gpt-oss-20b", "hosted-open", None, None, "gpt-oss-20b"),
    ("groq/openai/gpt-oss-20b", "groq/gpt-oss-20b", "groq", "openai/gpt-oss-20b", "hosted-open", None, None, "gpt-oss-20b"),
]

# 2026-11 refresh: hosted open-weight offers, (LiteLLM key, serves_model, id suffix).
# Provider, model and id are derived from the key (see _hosted_row).
_PROVIDER = {"deepinfra": "deepinfra", "together_ai": "together", "fireworks_ai": "fireworks", "groq": "groq",
             "cerebras": "cerebras", "novita": "novita", "nebius": "nebius", "sambanova": "sambanova"}
HOSTED_2026 = [
    # Llama 4
    ("deepinfra/meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama-4-scout", ""),
    ("together_ai/meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama-4-scout", ""),
    ("fireworks_ai/accounts/fireworks/models/llama4-scout-instruct-basic", "llama-4-scout", ""),
    ("novita/meta-llama/llama-4-scout-17b-16e-instruct", "llama-4-scout", ""),
    ("deepinfra/meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", "llama-4-maverick", "-fp8"),
    ("fireworks_ai/accounts/fireworks/models/llama4-maverick-instruct-basic", "llama-4-maverick", ""),
    ("novita/meta-llama/llama-4-maverick-17b-128e-instruct-fp8", "llama-4-maverick", "-fp8"),
    ("sambanova/Llama-4-Maverick-17B-128E-Instruct", "llama-4-maverick", ""),
    # Qwen3 (original 2504 checkpoints; 2507 instruct updates of the same architecture marked -2507)
    ("fireworks_ai/accounts/fireworks/models/qwen3-8b", "qwen3-8b", ""),
    ("novita/qwen/qwen3-8b-fp8", "qwen3-8b", "-fp8"),
    ("deepinfra/Qwen/Qwen3-14B", "qwen3-14b", ""),
    ("nebius/Qwen/Qwen3-14B", "qwen3-14b", ""),
    ("fireworks_ai/accounts/fireworks/models/qwen3-14b", "qwen3-14b", ""),
    ("deepinfra/Qwen/Qwen3-32B", "qwen3-32b", ""),
    ("nebius/Qwen/Qwen3-32B", "qwen3-32b", ""),
    ("fireworks_ai/accounts/fireworks/models/qwen3-32b", "qwen3-32b", ""),
    ("cerebras/qwen-3-32b", "qwen3-32b", ""),
    ("novita/qwen/qwen3-32b-fp8", "qwen3-32b", "-fp8"),
    ("deepinfra/Qwen/Qwen3-30B-A3B", "qwen3-30b-a3b", ""),
    ("nebius/Qwen/Qwen3-30B-A3B", "qwen3-30b-a3b", ""),
    ("fireworks_ai/accounts/fireworks/models/qwen3-30b-a3b", "qwen3-30b-a3b", ""),
    ("novita/qwen/qwen3-30b-a3b-fp8", "qwen3-30b-a3b", "-fp8"),
    ("nebius/Qwen/Qwen3-30B-A3B-Instruct-2507", "qwen3-30b-a3b", "-2507"),
    ("fireworks_ai/accounts/fireworks/models/qwen3-30b-a3b-instruct-2507", "qwen3-30b-a3b", "-2507"),
    ("deepinfra/Qwen/Qwen3-235B-A22B", "qwen3-235b-a22b", ""),
    ("nebius/Qwen/Qwen3-235B-A22B", "qwen3-235b-a22b", ""),
    ("fireworks_ai/accounts/fireworks/models/qwen3-235b-a22b", "qwen3-235b-a22b", ""),
    ("novita/qwen/qwen3-235b-a22b-fp8", "qwen3-235b-a22b", "-fp8"),
    ("deepinfra/Qwen/Qwen3-235B-A22B-Instruct-2507", "qwen3-235b-a22b", "-2507"),
    ("nebius/Qwen/Qwen3-235B-A22B-Instruct-2507", "qwen3-235b-a22b", "-2507"),
    ("fireworks_ai/accounts/fireworks/models/qwen3-235b-a22b-instruct-2507", "qwen3-235b-a22b", "-2507"),
    ("novita/qwen/qwen3-235b-a22b-instruct-2507", "qwen3-235b-a22b", "-2507"),
    # Qwen3.5
    ("deepinfra/Qwen/Qwen3.5-27B", "qwen3.5-27b", ""),
    ("novita/qwen/qwen3.5-27b", "qwen3.5-27b", ""),
    ("deepinfra/Qwen/Qwen3.5-397B-A17B", "qwen3.5-397b-a17b", ""),
    ("together_ai/Qwen/Qwen3.5-397B-A17B", "qwen3.5-397b-a17b", ""),
    ("nebius/Qwen/Qwen3.5-397B-A17B", "qwen3.5-397b-a17b", ""),
    ("novita/qwen/qwen3.5-397b-a17b", "qwen3.5-397b-a17b", ""),
    # DeepSeek
    ("deepinfra/deepseek-ai/DeepSeek-V3.1", "deepseek-v3.1", ""),
    ("together_ai/deepseek-ai/DeepSeek-V3.1", "deepseek-v3.1", ""),
    ("fireworks_ai/accounts/fireworks/models/deepseek-v3p1", "deepseek-v3.1", ""),
    ("novita/deepseek/deepseek-v3.1", "deepseek-v3.1", ""),
    ("sambanova/DeepSeek-V3.1", "deepseek-v3.1", ""),
    ("deepinfra/deepseek-ai/DeepSeek-V3.2", "deepseek-v3.2", ""),
    ("fireworks_ai/accounts/fireworks/models/deepseek-v3p2", "deepseek-v3.2", ""),
    ("novita/deepseek/deepseek-v3.2", "deepseek-v3.2", ""),
    ("sambanova/DeepSeek-V3.2", "deepseek-v3.2", ""),
    ("deepinfra/deepseek-ai/DeepSeek-R1", "deepseek-r1", ""),
    ("fireworks_ai/accounts/fireworks/models/deepseek-r1", "deepseek-r1", ""),
    ("nebius/deepseek-ai/DeepSeek-R1", "deepseek-r1", ""),
    ("sambanova/DeepSeek-R1", "deepseek-r1", ""),
    ("deepinfra/deepseek-ai/DeepSeek-R1-0528", "deepseek-r1", "-0528"),
    ("together_ai/deepseek-ai/DeepSeek-R1-0528", "deepseek-r1", "-0528"),
    ("fireworks_ai/accounts/fireworks/models/deepseek-r1-0528", "deepseek-r1", "-0528"),
    ("nebius/deepseek-ai/DeepSeek-R1-0528", "deepseek-r1", "-0528"),
    ("novita/deepseek/deepseek-r1-0528", "deepseek-r1", "-0528"),
    ("deepinfra/deepseek-ai/DeepSeek-V4-Flash", "deepseek-v4-flash", ""),
    ("fireworks_ai/accounts/fireworks/models/deepseek-v4-flash", "deepseek-v4-flash", ""),
    ("nebius/deepseek-ai/DeepSeek-V4-Flash", "deepseek-v4-flash", ""),
    ("novita/deepseek/deepseek-v4-flash", "deepseek-v4-flash", ""),
    ("together_ai/deepseek-ai/DeepSeek-V4-Flash-0731", "deepseek-v4-flash", "-0731"),
    # Kimi (K2-Instruct-0905 is the 256k-context update of K2; marked -0905)
    ("deepinfra/moonshotai/Kimi-K2-Instruct", "kimi-k2", ""),
    ("together_ai/moonshotai/Kimi-K2-Instruct", "kimi-k2", ""),
    ("fireworks_ai/accounts/fireworks/models/kimi-k2-instruct", "kimi-k2", ""),
    ("novita/moonshotai/kimi-k2-instruct", "kimi-k2", ""),
    ("deepinfra/moonshotai/Kimi-K2-Instruct-0905", "kimi-k2", "-0905"),
    ("fireworks_ai/accounts/fireworks/models/kimi-k2-instruct-0905", "kimi-k2", "-0905"),
    ("novita/moonshotai/kimi-k2-0905", "kimi-k2", "-0905"),
    ("deepinfra/moonshotai/Kimi-K3", "kimi-k3", ""),
    ("together_ai/moonshotai/Kimi-K3", "kimi-k3", ""),
    ("fireworks_ai/accounts/fireworks/models/kimi-k3", "kimi-k3", ""),
    ("nebius/moonshotai/Kimi-K3", "kimi-k3", ""),
    ("novita/moonshotai/kimi-k3", "kimi-k3", ""),
    # GLM
    ("deepinfra/zai-org/GLM-4.5", "glm-4.5", ""),
    ("fireworks_ai/accounts/fireworks/models/glm-4p5", "glm-4.5", ""),
    ("novita/zai-org/glm-4.5", "glm-4.5", ""),
    ("together_ai/zai-org/GLM-4.5-Air-FP8", "glm-4.5-air", "-fp8"),
    ("fireworks_ai/accounts/fireworks/models/glm-4p5-air", "glm-4.5-air", ""),
    ("novita/zai-org/glm-4.5-air", "glm-4.5-air", ""),
    ("deepinfra/zai-org/GLM-4.6", "glm-4.6", ""),
    ("together_ai/zai-org/GLM-4.6", "glm-4.6", ""),
    ("fireworks_ai/accounts/fireworks/models/glm-4p6", "glm-4.6", ""),
    ("novita/zai-org/glm-4.6", "glm-4.6", ""),
    # MiniMax
    ("fireworks_ai/accounts/fireworks/models/minimax-m2", "minimax-m2", ""),
    ("novita/minimax/minimax-m2", "minimax-m2", ""),
    # Gemma
    ("deepinfra/google/gemma-3-27b-it", "gemma-3-27b", ""),
    ("fireworks_ai/accounts/fireworks/models/gemma-3-27b-it", "gemma-3-27b", ""),
    ("nebius/google/gemma-3-27b-it", "gemma-3-27b", ""),
    ("novita/google/gemma-3-27b-it", "gemma-3-27b", ""),
    ("deepinfra/google/gemma-3-12b-it", "gemma-3-12b", ""),
    ("novita/google/gemma-3-12b-it", "gemma-3-12b", ""),
    ("deepinfra/google/gemma-4-31B-it", "gemma-4-31b", ""),
    ("together_ai/google/gemma-4-31B-it", "gemma-4-31b", ""),
    ("novita/google/gemma-4-31b-it", "gemma-4-31b", ""),
    ("cerebras/gemma-4-31b", "gemma-4-31b", ""),
    ("sambanova/gemma-4-31B-it", "gemma-4-31b", ""),
    ("deepinfra/google/gemma-4-26B-A4B-it", "gemma-4-26b-a4b", ""),
    ("novita/google/gemma-4-26b-a4b-it", "gemma-4-26b-a4b", ""),
    ("deepinfra/google/gemma-4-E4B-it", "gemma-4-e4b", ""),
    # Mistral Small 3.2
    ("deepinfra/mistralai/Mistral-Small-3.2-24B-Instruct-2506", "mistral-small-3.2", ""),
    # gpt-oss (deepinfra/groq 20b and groq/fireworks 120b are already above)
    ("fireworks_ai/accounts/fireworks/models/gpt-oss-20b", "gpt-oss-20b", ""),
    ("together_ai/openai/gpt-oss-20b", "gpt-oss-20b", ""),
    ("novita/openai/gpt-oss-20b", "gpt-oss-20b", ""),
    ("deepinfra/openai/gpt-oss-120b", "gpt-oss-120b", ""),
    ("together_ai/openai/gpt-oss-120b", "gpt-oss-120b", ""),
    ("cerebras/gpt-oss-120b", "gpt-oss-120b", ""),
    ("nebius/openai/gpt-oss-120b", "gpt-oss-120b", ""),
    ("sambanova/gpt-oss-120b", "gpt-oss-120b", ""),
    ("novita/openai/gpt-oss-120b", "gpt-oss-120b", ""),
    # NVIDIA Nemotron 3 (catalog ids proposed here; not in the brief's id list)
    ("deepinfra/nvidia/Nemotron-3-Nano-30B-A3B", "nemotron-3-nano-30b-a3b", ""),
    ("nebius/nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B", "nemotron-3-nano-30b-a3b", ""),
    ("novita/nvidia/nemotron-3-nano-30b-a3b", "nemotron-3-nano-30b-a3b", ""),
    ("deepinfra/nvidia/NVIDIA-Nemotron-3-Super-120B-A12B", "nemotron-3-super-120b-a12b", ""),
    ("nebius/nvidia/nemotron-3-super-120b-a12b", "nemotron-3-super-120b-a12b", ""),
    ("deepinfra/nvidia/NVIDIA-Nemotron-3-Ultra-550B-A55B", "nemotron-3-ultra-550b-a55b", ""),
    ("together_ai/nvidia/nemotron-3-ultra-550b-a55b", "nemotron-3-ultra-550b-a55b", ""),
    ("nebius/nvidia/Nemotron-3-Ultra-550b-a55b", "nemotron-3-ultra-550b-a55b", ""),
    ("fireworks_ai/accounts/fireworks/models/nemotron-3-ultra-nvfp4", "nemotron-3-ultra-550b-a55b", "-nvfp4"),
    # Phi-4
    ("deepinfra/microsoft/phi-4", "phi-4", ""),
]


def _hosted_row(key, serves, suffix):
    prefix, model = key.split("/", 1)
    provider = _PROVIDER[prefix]
    return (key, f"{provider}/{serves}{suffix}", provider, model, "hosted-open", None, None, serves)


SELECTION += [_hosted_row(*r) for r in HOSTED_2026]


def _mtok(v):
    return None if v is None else round(float(v) * 1e6, 6)


def build(prices: dict, version: str, as_of: str, valid_from: str | None = None) -> str:
    valid_from = valid_from or as_of
    lines = [
        "# API price catalog for openvclosed.",
        f"# Prices: LiteLLM {version}, litellm/model_prices_and_context_window_backup.json (read {as_of}),",
        "# which in turn cites each provider's pricing page (kept per entry in `source`).",
        "# Regenerate with scripts/build_api_catalog.py. role/tier/serves_model are our classification:",
        "# tier = capability tier the model serves well (provider positioning: flagship->frontier,",
        "# mid->standard, small->simple); hosted-open offers take the tier of the model they serve.",
        "# All prices USD per 1M tokens. Cached input tokens are part of input tokens, billed at the",
        "# cached rate instead of the input rate. batch_discount = 1 - batch input price / input price.",
        f"# valid_from = date the prices were published: PyPI upload date of LiteLLM {version} ({valid_from});",
        "# as_of = date the JSON was read.",
        "apis:",
    ]
    for key, id_, provider, model, kind, role, tier, serves in SELECTION:
        e = prices[key]
        inp, out = e["input_cost_per_token"], e["output_cost_per_token"]
        batch = e.get("input_cost_per_token_batches")
        disc = round(1 - batch / inp, 4) if batch else 0.0
        long_ctx = None
        for k in e:
            m = re.fullmatch(r"input_cost_per_token_above_(\d+)k_tokens", k)
            if m:
                out_k = f"output_cost_per_token_above_{m.group(1)}k_tokens"
                long_ctx = (int(m.group(1)) * 1000, _mtok(e[k]), _mtok(e.get(out_k, out)))
        src = e.get("source")
        source = f"LiteLLM {version} model_prices_and_context_window_backup.json key '{key}'"
        if src:
            source += f"; provider page {src}"
        lines += [
            f"  - id: {id_}",
            f"    provider: {provider}",
            f"    model: {json.dumps(model)}",
            f"    kind: {kind}",
        ]
        if role:
            lines.append(f"    role: {role}")
        if tier:
            lines.append(f"    tier: {tier}")
        if serves:
            lines.append(f"    serves_model: {serves}")
        lines += [
            f"    input_usd_per_mtok: {_mtok(inp)}",
            f"    output_usd_per_mtok: {_mtok(out)}",
            f"    cached_input_usd_per_mtok: {json.dumps(_mtok(e.get('cache_read_input_token_cost')))}",
            f"    cache_write_usd_per_mtok: {json.dumps(_mtok(e.get('cache_creation_input_token_cost')))}",
            f"    batch_discount: {disc}",
            f"    context_tokens: {json.dumps(e.get('max_input_tokens'))}",
        ]
        if long_ctx:
            lines += [
                "    long_context:",
                f"      above_tokens: {long_ctx[0]}",
                f"      input_usd_per_mtok: {long_ctx[1]}",
                f"      output_usd_per_mtok: {long_ctx[2]}",
            ]
        lines += [f"    valid_from: {valid_from}", f"    source: {json.dumps(source)}", f"    as_of: {as_of}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    path, version = sys.argv[1], sys.argv[2]
    as_of = sys.argv[3] if len(sys.argv) > 3 else _dt.date.today().isoformat()
    valid_from = sys.argv[4] if len(sys.argv) > 4 else as_of
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    sys.stdout.write(build(data, version, as_of, valid_from))
