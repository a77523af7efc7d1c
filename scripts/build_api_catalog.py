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


# --- availability, capability evidence, tokenizer ratios (``annotate``) -------------------------------
AA_V41 = ("Artificial Analysis Intelligence Index v4.1 announcement, 2026-06-16, key results "
          "(https://artificialanalysis.ai/articles/artificial-analysis-intelligence-index-v4-1; "
          "https://x.com/ArtificialAnlys/status/2066700136018071841)")
CAPABILITY = {  # closed API id -> (score, mode, note); every other closed API is unrated
    "google/gemini-3.1-pro-preview": (46.0, None, "key results: Gemini 3.1 Pro Preview 46"),
}
UNRATED = ("no v4.1 score in the sources read (data/CAPABILITY_SOURCE.md): released after the v4.1 "
           "snapshot or not among its published results; unrated, not guessed")
RESTRICTED = {
    "anthropic/claude-mythos-5-1": "genai-prices 0.2.3 (anthropic): Claude Fable 5.1 is \"Anthropic's most capable widely "
    "released model\"; Mythos models are \"for organizations verified through Anthropic's verification programs\", "
    "\"limited availability\" (claude-mythos-5-2 entry; Mythos 5.1 is not carried for that reason); "
    "https://platform.claude.com/docs/en/about-claude/pricing#model-pricing",
}
PREVIEW = {
    "google/gemini-3.1-pro-preview": "Google's model id and pricing page name it a preview "
    "(https://ai.google.dev/gemini-api/docs/pricing; genai-prices 0.2.3 'Gemini 3.1 Pro Preview')",
}
KORCHASA = ("korchasa/tldr llm/tokens-size/results/token_results.md at 3d3416904318d04eb1e910b27ace25627f0e83e5 "
            "(https://github.com/korchasa/tldr/tree/master/llm/tokens-size): one English text of 1,106 characters, "
            "prompt tokens as each API reported them; openai/gpt-4o-mini (o200k_base) 254")
ANTHROPIC_NEW = ("Anthropic pricing docs: \"Opus 4.7 and later use a new tokenizer ... may use up to 35% more tokens for "
                 "the same fixed text\" (https://platform.claude.com/docs/en/about-claude/pricing); models overview: "
                 "~555,000 words per 1M tokens on Opus 4.7 and later vs ~750,000 on Sonnet 4.6 "
                 "(https://platform.claude.com/docs/en/about-claude/models/overview, read via "
                 "https://tygartmedia.com/claude-tokens-to-words/, 2026-06-13)")
TIKTOKEN = "openai/tiktoken tiktoken/model.py MODEL_PREFIX_TO_ENCODING ('gpt-5-': 'o200k_base', 'gpt-oss-': 'o200k_harmony')"
# (match on closed id prefix or hosted serves_model prefix) -> tokenizer record
TOKENIZERS = [
    ("anthropic/", {"name": "Anthropic tokenizer of Opus 4.7 and later", "tokens_per_reference_token": 1.46,
                    "text": "English prose", "source": f"{KORCHASA} (claude-sonnet-4.5 275, older tokenizer); {ANTHROPIC_NEW}",
                    "note": "1.083 (Sonnet 4.5 vs o200k_base, 275/254) x 1.351 (750k/555k words per 1M tokens, new vs "
                            "older Claude tokenizer) = 1.46; one independent English-prose probe measured 1.45x "
                            "new/old (https://sol.ava.dev/writings/2026-04-17-opus-4-7-tokenizer.html); code and "
                            "CJK text grow less"}),
    ("openai/gpt-5", {"name": "o200k_base", "tokens_per_reference_token": 1.0, "text": "any", "source": TIKTOKEN}),
    ("gpt-oss", {"name": "o200k_harmony (o200k_base's merges plus chat special tokens)", "tokens_per_reference_token": 1.0,
                 "text": "any", "source": TIKTOKEN + "; tiktoken_ext/openai_public.py o200k_harmony reuses o200k_base's ranks",
                 "note": "the one API comparison (korchasa/tldr) counted 321 prompt tokens, the harmony chat format's "
                         "overhead included; not used"}),
    ("llama-4", {"name": "Llama 4 tokenizer", "tokens_per_reference_token": 0.988, "text": "English prose",
                 "source": f"{KORCHASA}; meta-llama/llama-4-maverick 251"}),
    ("llama-3", {"name": "Llama 3 tokenizer (128k vocabulary)", "tokens_per_reference_token": 1.039, "text": "English prose",
                 "source": f"{KORCHASA}; nvidia/llama-3.3-nemotron-super-49b-v1.5 (a Llama 3.3 70B derivative) 264"}),
    ("qwen3-", {"name": "Qwen3 tokenizer", "tokens_per_reference_token": 1.0, "text": "English prose",
                "source": f"{KORCHASA}; qwen/qwen3-235b-a22b-2507 254"}),
    ("deepseek-v3", {"name": "DeepSeek-V3 tokenizer", "tokens_per_reference_token": 0.984, "text": "English prose",
                     "source": f"{KORCHASA}; deepseek/deepseek-chat-v3-0324 250"}),
    ("deepseek-r1", {"name": "DeepSeek-V3 tokenizer (R1 is a V3 fine-tune)", "tokens_per_reference_token": 0.984,
                     "text": "English prose", "source": f"{KORCHASA}; deepseek/deepseek-chat-v3-0324 250"}),
    ("phi-4", {"name": "Phi-4 tokenizer", "tokens_per_reference_token": 0.996, "text": "English prose",
               "source": f"{KORCHASA}; microsoft/phi-4-reasoning-plus 253"}),
]
NO_TOKENIZER = ("no public comparison with o200k_base found for this model's tokenizer; priced as listed "
                "(tokens_per_reference_token unknown)")
NEW_ENTRIES = [  # current GA models the sources carry that the catalog lacked
    {"id": "anthropic/claude-fable-5-1", "provider": "anthropic", "model": "claude-fable-5-1", "kind": "closed",
     "role": "flagship", "tier": "frontier", "litellm_key": "claude-fable-5-1"},
    {"id": "anthropic/claude-fable-5-2", "provider": "anthropic", "model": "claude-fable-5-2", "kind": "closed",
     "role": "flagship", "tier": "frontier", "genai": {
         "input_usd_per_mtok": 8.0, "output_usd_per_mtok": 40.0, "cached_input_usd_per_mtok": 0.2,
         "cache_write_usd_per_mtok": 10.0, "batch_discount": 0.5, "context_tokens": 1000000,
         "source": "genai-prices 0.2.3, provider 'anthropic' model 'claude-fable-5-2' (refs "
                   "https://platform.claude.com/docs/en/about-claude/pricing#model-pricing, "
                   "https://platform.claude.com/docs/en/models/fable-5-2/overview); batch: Anthropic's "
                   "Message Batches API is 50% of standard (genai-prices provider note)"}},
]


def annotate(litellm: dict, version: str, as_of: str, valid_from: str) -> int:
    """Add availability, capability and tokenizer records and the NEW_ENTRIES to data/apis.yaml."""
    import yaml
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from openvclosed.catalog.litellm import entry_from_litellm

    path = Path(__file__).resolve().parents[1] / "data" / "apis.yaml"
    text = path.read_text(encoding="utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    apis = yaml.safe_load(text)["apis"]
    have = {e["id"] for e in apis}
    at = _dt.date.fromisoformat(as_of)
    for n in NEW_ENTRIES:
        if n["id"] in have:
            continue
        e = {k: n[k] for k in ("id", "provider", "model", "kind", "role", "tier")}
        if "litellm_key" in n:
            key = n["litellm_key"]
            e.update(entry_from_litellm(key, litellm[key]))
            e["batch_discount"] = e["batch_discount"] or 0.5
            e["source"] = (f"LiteLLM {version} model_prices_and_context_window_backup.json key '{key}'; provider page "
                           f"{litellm[key].get('source')}")
            e["price_source"] = "litellm"
        else:
            e.update(n["genai"])
            e["price_source"] = "genai-prices"
        e["valid_from"] = _dt.date.fromisoformat(valid_from)
        e["as_of"] = at
        apis.insert(next(i for i, x in enumerate(apis) if x["id"] == "anthropic/claude-mythos-5-1") + 1, e)
    for e in apis:
        e.setdefault("price_source", "genai-prices" if "genai-prices" in e["source"] else "litellm")
        if e["id"] in RESTRICTED:
            e["availability"], e["availability_source"] = "restricted", RESTRICTED[e["id"]]
        elif e["id"] in PREVIEW:
            e["availability"], e["availability_source"] = "preview", PREVIEW[e["id"]]
        else:
            e["availability"] = "ga"
            e["availability_source"] = "listed without preview or access conditions on the provider's pricing page named in source"
        if e["kind"] == "closed":
            score, mode, note = CAPABILITY.get(e["id"], (None, None, UNRATED))
            e["capability"] = {"index": "Artificial Analysis Intelligence Index", "version": "v4.1", "score": score,
                               "mode": mode, "source": AA_V41 if score is not None else "data/CAPABILITY_SOURCE.md",
                               "as_of": at, "note": note}
        key = e["id"] if e["kind"] == "closed" else (e.get("serves_model") or "")
        tok = next((t for prefix, t in TOKENIZERS if key.startswith(prefix)), None)
        e["tokenizer"] = dict(tok, reference="o200k_base", as_of=at) if tok else {
            "name": "unknown", "reference": "o200k_base", "tokens_per_reference_token": None,
            "source": NO_TOKENIZER, "as_of": at}
    import importlib.util

    spec = importlib.util.spec_from_file_location("bph", Path(__file__).resolve().parent / "build_price_history.py")
    bph = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bph)
    bph._save(path, header, apis)
    print(f"{len(apis)} entries annotated")
    return 0


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "annotate":
    # python scripts/build_api_catalog.py annotate LITELLM_JSON VERSION AS_OF VALID_FROM
    with open(sys.argv[2], encoding="utf-8") as fh:
        sys.exit(annotate(json.load(fh), sys.argv[3], sys.argv[4], sys.argv[5]))

if __name__ == "__main__":
    path, version = sys.argv[1], sys.argv[2]
    as_of = sys.argv[3] if len(sys.argv) > 3 else _dt.date.today().isoformat()
    valid_from = sys.argv[4] if len(sys.argv) > 4 else as_of
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    sys.stdout.write(build(data, version, as_of, valid_from))
