"""Map LiteLLM's model price JSON onto catalog entries (``ovc catalog import-litellm``).

LiteLLM publishes per-token prices (``input_cost_per_token``, ``output_cost_per_token``,
``cache_read_input_token_cost``, ``cache_creation_input_token_cost``,
``input_cost_per_token_batches``, ``max_input_tokens``) in
``model_prices_and_context_window.json``; its wheel bundles a copy as
``litellm/model_prices_and_context_window_backup.json``. Pure functions: the JSON is passed in.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from openvclosed.catalog import Catalog
from openvclosed.errors import InputError

__all__ = ["litellm_key_of", "entry_from_litellm", "plan_import", "find_installed_json", "HOSTED_PROVIDERS"]

HOSTED_PROVIDERS = {"together_ai": "together", "fireworks_ai": "fireworks", "groq": "groq", "deepinfra": "deepinfra"}
_KEY_RE = re.compile(r"key '([^']+)'")
PRICE_FIELDS = ("input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok", "cache_write_usd_per_mtok",
                "batch_discount", "context_tokens")


def litellm_key_of(source: str) -> str | None:
    """The LiteLLM key an entry's ``source`` names (``... key 'gpt-5' ...``), if any."""
    m = _KEY_RE.search(source or "")
    return m.group(1) if m else None


MAX_USD_PER_TOKEN = 0.01
"""Largest plausible LiteLLM price: USD 0.01 per token = USD 10,000 per 1M tokens."""
MAX_CONTEXT_TOKENS = 100_000_000
"""Largest plausible ``max_input_tokens``."""


def _mtok(v):
    return None if v is None else round(float(v) * 1e6, 6)


def _price(key: str, e: dict, field: str, required: bool = False):
    """A per-token price from entry ``key``: a finite number in 0..MAX_USD_PER_TOKEN, or None."""
    v = e.get(field)
    if v is None:
        if required:
            raise ValueError(f"{key}: no input/output price")
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise InputError(f"LiteLLM key {key!r}: {field} is {type(v).__name__} {_show(v)}, expected a number "
                         "(USD per token)")
    if not math.isfinite(v) or not 0 <= v <= MAX_USD_PER_TOKEN:
        raise InputError(f"LiteLLM key {key!r}: {field} = {v!r} is outside 0..{MAX_USD_PER_TOKEN:g} USD per token")
    return float(v)


def _show(v) -> str:
    """A short repr for an error line (the error boundary escapes it for the terminal)."""
    t = repr(v)
    return t if len(t) <= 40 else t[:37] + "..."


def entry_from_litellm(key: str, e: dict) -> dict:
    """Catalog price fields from one LiteLLM entry (USD per token -> USD per 1M tokens).

    Raises ``ValueError`` when the entry has no input/output price (reported as a problem) and
    :class:`~openvclosed.errors.InputError` (exit 2, naming the key) when the entry is not an
    object or a field has the wrong type or an implausible value (negative, NaN, too large).
    """
    if not isinstance(e, dict):
        raise InputError(f"LiteLLM key {key!r}: is {type(e).__name__}, expected an object of prices")
    inp = _price(key, e, "input_cost_per_token", True)
    out = _price(key, e, "output_cost_per_token", True)
    batch = _price(key, e, "input_cost_per_token_batches")
    ctx = e.get("max_input_tokens")
    if ctx is not None and (isinstance(ctx, bool) or not isinstance(ctx, int) or not 1 <= ctx <= MAX_CONTEXT_TOKENS):
        raise InputError(f"LiteLLM key {key!r}: max_input_tokens = {_show(ctx)} is not a whole number in "
                         f"1..{MAX_CONTEXT_TOKENS:,}")
    discount = round(1 - batch / inp, 4) if batch and inp else 0.0
    if inp == 0 and out == 0:
        raise ValueError(f"{key}: input and output price are both 0 (a free API has no break-even)")
    if not 0 <= discount < 1:
        raise InputError(f"LiteLLM key {key!r}: input_cost_per_token_batches = {batch!r} is above the normal "
                         f"input price {inp!r}")
    return {
        "input_usd_per_mtok": _mtok(inp), "output_usd_per_mtok": _mtok(out),
        "cached_input_usd_per_mtok": _mtok(_price(key, e, "cache_read_input_token_cost")),
        "cache_write_usd_per_mtok": _mtok(_price(key, e, "cache_creation_input_token_cost")),
        "batch_discount": discount,
        "context_tokens": ctx,
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
    missing = [k for k in add_keys or [] if k not in prices]
    if missing:  # a typo would otherwise be a warning and a --write without the entry
        from openvclosed.units import closest

        near = closest(missing[0], [k for k in prices if isinstance(k, str)])
        raise InputError(f"--add {missing[0]!r}: not a key of {label}"
                         + (f"; did you mean {', '.join(repr(c) for c in near)}?" if near else ""))
    for key in add_keys or []:
        e = prices[key]
        if not isinstance(e, dict):
            raise InputError(f"LiteLLM key {key!r}: is {type(e).__name__}, expected an object of prices")
        prov = e.get("litellm_provider", "unknown")
        if not isinstance(prov, str):
            raise InputError(f"LiteLLM key {key!r}: litellm_provider is {type(prov).__name__}, expected a string")
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
