"""Add availability, capability evidence and tokenizer records, and missing current GA models, to data/apis.yaml.

Usage::

    python scripts/annotate_api_catalog.py LITELLM_JSON VERSION AS_OF VALID_FROM

LITELLM_JSON as for scripts/build_api_catalog.py (the new LiteLLM-priced entries read their prices
from it). Every figure below cites its source; an API without one is left unrated / unmeasured.
Not used at run time.
"""

from __future__ import annotations

import datetime as _dt
import json
import sys

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

HOSTED_NEW = [  # hosted offers of the late-2026 open models (data/incoming/models_e.yaml), priced by LiteLLM
    ("deepinfra/qwen3.6-27b", "deepinfra", "qwen3.6-27b", "deepinfra/Qwen/Qwen3.6-27B"),
    ("novita/qwen3.6-27b", "novita", "qwen3.6-27b", "novita/qwen/qwen3.6-27b"),
    ("deepinfra/qwen3.6-35b-a3b", "deepinfra", "qwen3.6-35b-a3b", "deepinfra/Qwen/Qwen3.6-35B-A3B"),
    ("deepinfra/minimax-m2.7", "deepinfra", "minimax-m2.7", "deepinfra/MiniMaxAI/MiniMax-M2.7"),
    ("together/minimax-m2.7", "together", "minimax-m2.7", "together_ai/MiniMaxAI/MiniMax-M2.7"),
    ("together/minimax-m3", "together", "minimax-m3", "together_ai/MiniMaxAI/MiniMax-M3"),
    ("fireworks/minimax-m3", "fireworks", "minimax-m3", "fireworks_ai/accounts/fireworks/models/minimax-m3"),
    ("together/glm-5.3-flash", "together", "glm-5.3-flash", "together_ai/zai-org/GLM-5.3-Flash"),
    ("nebius/glm-5.3-flash", "nebius", "glm-5.3-flash", "nebius/zai-org/GLM-5.3-Flash"),
]
NEW_ENTRIES += [{"id": i, "provider": p, "model": k.split("/", 1)[1], "kind": "hosted-open", "serves_model": m,
                 "litellm_key": k} for i, p, m, k in HOSTED_NEW]


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
        e = {k: n[k] for k in ("id", "provider", "model", "kind", "role", "tier", "serves_model") if k in n}
        if n["kind"] == "hosted-open":
            key = n["litellm_key"]
            e.update(entry_from_litellm(key, litellm[key]))
            e["source"] = (f"LiteLLM {version} model_prices_and_context_window_backup.json key '{key}'"
                           + (f"; provider page {litellm[key]['source']}" if litellm[key].get("source") else ""))
            e["price_source"] = "litellm"
        elif "litellm_key" in n:
            key = n["litellm_key"]
            e.update(entry_from_litellm(key, litellm[key]))
            e["batch_discount"] = e["batch_discount"] or 0.5
            e["source"] = (f"LiteLLM {version} model_prices_and_context_window_backup.json key '{key}'; provider page "
                           f"{litellm[key].get('source')}; batch 50%: Anthropic Message Batches API (genai-prices 0.2.3 "
                           "anthropic provider note, https://platform.claude.com/docs/en/build-with-claude/batch-processing#pricing)")
            e["price_source"] = "litellm"
        else:
            e.update(n["genai"])
            e["price_source"] = "genai-prices"
        e["valid_from"] = _dt.date.fromisoformat(valid_from)
        e["as_of"] = at
        if n["kind"] == "hosted-open":
            apis.append(e)
        else:
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


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        sys.exit(annotate(json.load(fh), sys.argv[2], sys.argv[3], sys.argv[4]))
