"""Usage-log presets and column mapping: which source column (or JSON path) feeds each canonical field."""

from __future__ import annotations

import json
import math

from openvclosed.errors import InputError

__all__ = ["CANONICAL", "REQUIRED", "PRESETS", "parse_map", "detect_preset"]

CANONICAL: tuple[str, ...] = ("timestamp", "model", "input_tokens", "output_tokens", "cached_input_tokens",
                              "requests", "cost_usd")
"""Fields a usage record is mapped to. ``cached_input_tokens`` are part of ``input_tokens``."""
REQUIRED: tuple[str, ...] = ("timestamp", "model", "input_tokens", "output_tokens")
"""Fields every file must provide; the others default (cached 0, requests 1, cost unknown)."""
_DEFAULTS = {"cached_input_tokens": 0.0, "requests": 1.0, "cost_usd": math.nan}

PRESETS: dict[str, dict[str, tuple[str, ...]]] = {
    # Column names tried in order; the first present in the file wins. A dotted name reaches into
    # a nested JSON object (or a column holding a JSON string, as LiteLLM's `metadata`).
    "generic": {
        "timestamp": ("timestamp", "time", "ts", "date", "created_at", "start_time", "startTime"),
        "model": ("model", "model_name", "snapshot_id"),
        "input_tokens": ("input_tokens", "prompt_tokens"),
        "output_tokens": ("output_tokens", "completion_tokens"),
        "cached_input_tokens": ("cached_input_tokens", "cached_tokens", "input_cached_tokens",
                                "cache_read_input_tokens"),
        "requests": ("requests", "num_requests", "n_requests", "request_count"),
        "cost_usd": ("cost_usd", "cost", "spend"),
    },
    # OpenAI: the Usage API's completions buckets (start_time, input_tokens incl. cached,
    # input_cached_tokens, output_tokens, num_model_requests, model) flattened one row per
    # bucket x model, as the dashboard export writes them; and the legacy usage export
    # (aggregation_timestamp, snapshot_id, n_requests, n_context_tokens_total,
    # n_generated_tokens_total).
    "openai": {
        "timestamp": ("start_time_iso", "start_time", "aggregation_timestamp", "timestamp"),
        "model": ("model", "snapshot_id"),
        "input_tokens": ("input_tokens", "n_context_tokens_total"),
        "output_tokens": ("output_tokens", "n_generated_tokens_total"),
        "cached_input_tokens": ("input_cached_tokens", "n_cached_context_tokens_total",
                                "cached_context_tokens_total"),
        "requests": ("num_model_requests", "n_requests"),
        "cost_usd": ("cost_usd",),
    },
    # LiteLLM proxy spend logs (LiteLLM_SpendLogs rows): startTime, model, prompt_tokens,
    # completion_tokens, spend; cached tokens in metadata.usage_object.
    "litellm": {
        "timestamp": ("startTime", "start_time"),
        "model": ("model", "model_group"),
        "input_tokens": ("prompt_tokens",),
        "output_tokens": ("completion_tokens",),
        "cached_input_tokens": ("metadata.usage_object.prompt_tokens_details.cached_tokens",
                                "metadata.usage_object.cache_read_input_tokens"),
        "requests": (),
        "cost_usd": ("spend",),
    },
}

def parse_map(items: list[str] | None) -> dict[str, str]:
    """``["prompt=input_tokens", ...]`` -> ``{"input_tokens": "prompt"}`` (canonical -> source).

    >>> parse_map(["ts=timestamp", "usage.prompt=input_tokens"])
    {'timestamp': 'ts', 'input_tokens': 'usage.prompt'}
    """
    out: dict[str, str] = {}
    for item in items or []:
        src, sep, dst = item.partition("=")
        src, dst = src.strip(), dst.strip()
        if not sep or not src or not dst:
            raise InputError(f"--map: {item!r} is not SOURCE=FIELD, e.g. prompt=input_tokens")
        if dst not in CANONICAL:
            raise InputError(f"--map: {item!r}: {dst!r} is not a field; use one of {', '.join(CANONICAL)}")
        out[dst] = src
    return out


def detect_preset(names: set[str]) -> str:
    """Pick a preset from the column names (CSV header or first JSON record's keys).

    >>> detect_preset({"startTime", "model", "prompt_tokens", "completion_tokens", "spend"})
    'litellm'
    >>> detect_preset({"start_time", "model", "input_tokens", "output_tokens", "num_model_requests"})
    'openai'
    """
    if "startTime" in names and "prompt_tokens" in names:
        return "litellm"
    if names & {"n_context_tokens_total", "num_model_requests", "input_cached_tokens", "snapshot_id",
                "aggregation_timestamp"}:
        return "openai"
    return "generic"


def _resolve_columns(names: list[str], preset: str, mapping: dict[str, str], label: str,
                     group_by: str) -> dict[str, list[str]]:
    """canonical field -> source names tried in order (a column, or ``column.json.path``); [] if absent.

    A plain column wins outright; dotted candidates into a present column are all kept, since
    records differ in which nested key they carry (LiteLLM's usage_object).
    """
    present = set(names)
    out: dict[str, list[str]] = {}
    for f in CANONICAL:
        if f in mapping:
            src = mapping[f]
            if src not in present and src.split(".", 1)[0] not in present:
                raise InputError(f"{label}: --map {src}={f}: no column {src!r}; columns: {_names(names)}")
            out[f] = [src]
            continue
        out[f] = []
        for cand in PRESETS[preset][f]:
            if cand in present:
                if not out[f]:
                    out[f] = [cand]
                break
            if "." in cand and cand.split(".", 1)[0] in present:
                out[f].append(cand)
    missing = [f for f in REQUIRED if not out[f]]
    if missing:
        f = missing[0]
        tried = ", ".join(PRESETS[preset][f]) or "nothing"
        raise InputError(f"{label}: no column for {f} (preset {preset} tries {tried}); columns: {_names(names)}; "
                         f"name it with --map COLUMN={f} or pick --preset")
    if group_by != "model" and group_by not in present and group_by.split(".", 1)[0] not in present:
        raise InputError(f"{label}: --group-by {group_by!r}: no such column; columns: {_names(names)}")
    return out


def _names(names) -> str:
    names = list(names)
    shown = ", ".join(names[:15])
    return shown + (f" (+{len(names) - 15} more)" if len(names) > 15 else "")


def _resolve_jsonl(rec: dict, preset: str, mapping: dict[str, str], label: str,
                   group_by: str) -> dict[str, list[str]]:
    """canonical field -> candidate paths, tried per record in order (records differ in which keys
    they carry, e.g. LiteLLM's usage_object): those present in the first record first."""
    out: dict[str, list[str]] = {}
    for f in CANONICAL:
        if f in mapping:
            out[f] = [mapping[f]]
            continue
        cands = list(PRESETS[preset][f])
        found = [c for c in cands if _json_path(rec, c.split(".")) is not None]
        out[f] = found + [c for c in cands if c not in found]
        if f in REQUIRED and not found:
            tried = ", ".join(cands) or "nothing"
            raise InputError(f"{label}: first record has no {f} (preset {preset} tries {tried}); keys: "
                             f"{_names(rec)}; name it with --map KEY={f} or pick --preset")
    return out


def _json_path(value, parts: list[str]):
    """Follow ``parts`` into nested dicts; a string that holds a JSON object is decoded on the way."""
    for key in parts:
        if isinstance(value, str) and value[:1] == "{":
            try:
                value = json.loads(value)
            except ValueError:
                return None
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
