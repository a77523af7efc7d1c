"""Map LiteLLM's model price JSON onto catalog entries (``ovc catalog import-litellm``).

LiteLLM publishes per-token prices (``input_cost_per_token``, ``output_cost_per_token``,
``cache_read_input_token_cost``, ``cache_creation_input_token_cost``,
``input_cost_per_token_batches``, ``max_input_tokens``) in
``model_prices_and_context_window.json``; its wheel bundles a copy as
``litellm/model_prices_and_context_window_backup.json``. Pure functions: the JSON is passed in.
"""

from __future__ import annotations

import datetime as dt
import re

from openvclosed.catalog import Catalog

__all__ = ["litellm_key_of", "entry_from_litellm", "plan_import", "find_installed_json", "HOSTED_PROVIDERS"]

HOSTED_PROVIDERS = {"together_ai": "together", "fireworks_ai": "fireworks", "groq": "groq", "deepinfra": "deepinfra"}
_KEY_RE = re.compile(r"key '([^']+)'")
PRICE_FIELDS = ("input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok", "cache_write_usd_per_mtok",
                "batch_discount", "context_tokens")


def litellm_key_of(source: str) -> str | None:
    """The LiteLLM key an entry's ``source`` names (``... key 'gpt-5' ...``), if any."""
    m = _KEY_RE.search(source or "")
    return m.group(1) if m else None


def _mtok(v):
    return None if v is None else round(float(v) * 1e6, 6)


def entry_from_litellm(key: str, e: dict) -> dict:
    """Catalog price fields from one LiteLLM entry (USD per token -> USD per 1M tokens)."""
    inp = e.get("input_cost_per_token")
    out = e.get("output_cost_per_token")
    if inp is None or out is None:
        raise ValueError(f"{key}: no input/output price")
    batch = e.get("input_cost_per_token_batches")
    return {
        "input_usd_per_mtok": _mtok(inp), "output_usd_per_mtok": _mtok(out),
        "cached_input_usd_per_mtok": _mtok(e.get("cache_read_input_token_cost")),
        "cache_write_usd_per_mtok": _mtok(e.get("cache_creation_input_token_cost")),
        "batch_discount": round(1 - batch / inp, 4) if batch and inp else 0.0,
        "context_tokens": e.get("max_input_tokens"),
    }


def plan_import(prices: dict, catalog: Catalog, label: str, today: dt.date,
                add_keys: list[str] | None = None) -> tuple[list[dict], list[dict], list[str]]:
    """(changed, added, problems). ``changed``: ``{id, litellm_key, changes: {field: (old, new)}, entry}``.

    Existing catalog APIs are matched by the LiteLLM key named in their ``source``; ``add_keys``
    become new entries (hosted-open for Together/Fireworks/Groq/DeepInfra, else closed with tier
    ``standard`` to review).
    """
    changed, added, problems = [], [], []
    for api in catalog.apis.values():
        key = litellm_key_of(api.source)
        if key is None:
            continue
        if key not in prices:
            problems.append(f"{api.id}: LiteLLM key {key!r} is not in {label}")
            continue
        try:
            new = entry_from_litellm(key, prices[key])
        except ValueError as e:
            problems.append(str(e))
            continue
        diffs = {f: (getattr(api, f), new[f]) for f in PRICE_FIELDS if getattr(api, f) != new[f]}
        if diffs:
            entry = {"id": api.id, **new, "source": f"{label} key '{key}'", "as_of": today}
            changed.append({"id": api.id, "litellm_key": key, "changes": diffs, "entry": entry})
    for key in add_keys or []:
        if key not in prices:
            problems.append(f"--add {key!r}: not in {label}")
            continue
        e = prices[key]
        prov = e.get("litellm_provider", "unknown")
        hosted = prov in HOSTED_PROVIDERS
        model = key.split("/", 1)[1] if "/" in key else key
        provider = HOSTED_PROVIDERS.get(prov, prov.split("-")[0] if prov else "unknown")
        api_id = f"{provider}/{model.split('/')[-1].lower()}"
        if api_id in catalog.apis:
            problems.append(f"--add {key!r}: {api_id} is already in the catalog (its prices are updated instead)")
            continue
        try:
            entry = {"id": api_id, "provider": provider, "model": model,
                     "kind": "hosted-open" if hosted else "closed", **entry_from_litellm(key, e),
                     "source": f"{label} key '{key}'", "as_of": today}
        except ValueError as err:
            problems.append(str(err))
            continue
        if not hosted:
            entry["tier"] = "standard"
            entry["notes"] = "tier set to standard by import-litellm: review it"
        added.append(entry)
    return changed, added, problems


def find_installed_json():
    """Path of the price JSON bundled with an installed ``litellm`` package, or None."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        p = Path(loc) / "model_prices_and_context_window_backup.json"
        if p.is_file():
            return p
    return None
