"""Regenerate data/apis.yaml from LiteLLM's bundled price JSON.

Usage::

    pip download --no-deps litellm==1.110.2 -d /tmp/litellm
    unzip -o /tmp/litellm/litellm-*.whl 'litellm/model_prices_and_context_window_backup.json' -d /tmp/litellm
    python scripts/build_api_catalog.py /tmp/litellm/litellm/model_prices_and_context_window_backup.json 1.110.2

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


def _mtok(v):
    return None if v is None else round(float(v) * 1e6, 6)


def build(prices: dict, version: str, as_of: str) -> str:
    lines = [
        "# API price catalog for openvclosed.",
        f"# Prices: LiteLLM {version}, litellm/model_prices_and_context_window_backup.json (read {as_of}),",
        "# which in turn cites each provider's pricing page (kept per entry in `source`).",
        "# Regenerate with scripts/build_api_catalog.py. role/tier/serves_model are our classification:",
        "# tier = capability tier the model serves well (provider positioning: flagship->frontier,",
        "# mid->standard, small->simple); hosted-open offers take the tier of the model they serve.",
        "# All prices USD per 1M tokens. Cached input tokens are part of input tokens, billed at the",
        "# cached rate instead of the input rate. batch_discount = 1 - batch input price / input price.",
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
        lines += [f"    source: {json.dumps(source)}", f"    as_of: {as_of}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    path, version = sys.argv[1], sys.argv[2]
    as_of = sys.argv[3] if len(sys.argv) > 3 else _dt.date.today().isoformat()
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    sys.stdout.write(build(data, version, as_of))
