"""What a baseline stores besides the result, so a later check can say *why* a cost moved.

Per workload its volume (tokens/day) and its definition (the workload as validated, without the
volume fields); per file the deployment rules; the API prices and GPU prices the options were
costed with (ids, figures and dates; feasible options only: no exclusion rule depends on a
price, so an excluded option's price cannot move the cost); a digest of the whole catalog and the ovc version. Every
field is content: no date of the run, so the same inputs write the same bytes
(:func:`openvclosed.check.baseline.write_baseline`).
"""

from __future__ import annotations

import hashlib
import json

from typing import Annotated

from pydantic import Field

from openvclosed.results.base import ResultModel

__all__ = ["ApiPriceUsed", "GpuPriceUsed", "WorkloadInputs", "CheckInputs", "collect_inputs", "option_gpus",
           "option_apis", "catalog_digest", "VOLUME_FIELDS"]

Price = Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)]  # USD per 1M tokens, as catalogs allow
Tokens = Annotated[float, Field(gt=0, le=1e15, allow_inf_nan=False)]  # tokens/day, the workload cap

VOLUME_FIELDS = ("tokens_per_day", "requests_per_day")
"""Workload fields that set the volume; the rest of a workload is its definition."""


class ApiPriceUsed(ResultModel):
    """An API's prices as the options were costed [USD per 1M tokens], with their date."""

    id: str
    input_usd_per_mtok: Price
    output_usd_per_mtok: Price
    cached_input_usd_per_mtok: Price | None = None
    cache_write_usd_per_mtok: Price | None = None
    batch_discount: Annotated[float, Field(ge=0, le=1)] = 0.0
    long_context: dict | None = None
    as_of: str


class GpuPriceUsed(ResultModel):
    """A GPU's purchase price record and rental quotes as the options were costed."""

    id: str
    purchase: dict | None = None  # GpuPrice: usd (per GPU), valid_from, basis
    rent: list[dict] = []  # GpuRent quotes: provider, usd_per_gpu_hour, valid_from


class WorkloadInputs(ResultModel):
    name: str
    tokens_per_day: Tokens
    definition: dict  # the workload without its volume fields (see VOLUME_FIELDS)


class CheckInputs(ResultModel):
    tool_version: str
    catalog_digest: str
    as_of: str | None = None
    rules: dict[str, list[str]] = {}
    workloads: list[WorkloadInputs] = []
    api_prices: list[ApiPriceUsed] = []
    gpu_prices: list[GpuPriceUsed] = []


def _digest(obj) -> str:
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def catalog_digest(catalog) -> str:
    """sha256 (16 hex digits) of every catalog entry's content, without the file it came from
    (the same catalog read from another path has the same digest)."""
    doc = {kind: sorted((e.model_dump(mode="json", exclude={"catalog"}) for e in entries.values()),
                        key=lambda d: d["id"])
           for kind, entries in (("apis", catalog.apis), ("gpus", catalog.gpus), ("models", catalog.models))}
    return _digest(doc)


def option_apis(o) -> list[str]:
    """Ids an option is priced from that may be APIs (its own and a hybrid's parts)."""
    return [o.id, *o.parts]


def option_gpus(o) -> list[str]:
    """GPU ids an option runs on (a self-hosted design, or the self-hosted part of a hybrid).
    The one place this module reads an option's design details."""
    out = []
    d = o.detail or {}
    for key in ("gpu", "rest_gpu"):
        if d.get(key):
            out.append(d[key])
    return out


def canon(v):
    """Floats at most 10 significant digits (no -0.0), recursively: the same figures, the same text."""
    if isinstance(v, float):
        r = float(f"{v:.10g}")
        return 0.0 if r == 0 else r
    if isinstance(v, dict):
        return {k: canon(x) for k, x in v.items()}
    if isinstance(v, list):
        return [canon(x) for x in v]
    return v


def definition(w) -> dict:
    """The workload without its volume fields, as the baseline file writes it (so the definition
    read back from a file compares equal to the one computed now)."""
    from openvclosed.results.base import _clean

    return canon(_clean(w.model_dump(mode="json", exclude=set(VOLUME_FIELDS) | {"name"})))


def collect_inputs(catalog, wf, decisions, as_of=None) -> CheckInputs:
    """The inputs of ``decisions`` worth storing in a baseline (see the module docstring)."""
    import openvclosed

    priced = catalog.at(as_of) if as_of is not None else catalog
    api_ids, gpu_ids = set(), set()
    for d in decisions:  # an excluded option never wins whatever its price: only feasible ones matter
        for o in (x for x in d.options if x.feasible):
            api_ids.update(x for x in option_apis(o) if x in priced.apis)
            gpu_ids.update(x for x in option_gpus(o) if x in priced.gpus)
    apis = []
    for i in sorted(api_ids):
        a = priced.apis[i]
        apis.append(ApiPriceUsed(
            id=i, input_usd_per_mtok=a.input_usd_per_mtok, output_usd_per_mtok=a.output_usd_per_mtok,
            cached_input_usd_per_mtok=a.cached_input_usd_per_mtok, cache_write_usd_per_mtok=a.cache_write_usd_per_mtok,
            batch_discount=a.batch_discount, long_context=a.long_context.model_dump(mode="json") if a.long_context else None,
            as_of=a.price_as_of.isoformat()))
    gpus = []
    for i in sorted(gpu_ids):
        g = priced.gpus[i]
        p = g.price_at(as_of)
        r = g.rent_at(as_of)
        gpus.append(GpuPriceUsed(
            id=i, purchase=p.model_dump(mode="json", exclude={"source", "note"}) if p else None,
            rent=sorted((q.model_dump(mode="json", exclude={"source", "note"}) for q in (r[1] if r else [])),
                        key=lambda q: q["provider"])))
    rules = wf.rules()
    return CheckInputs(
        tool_version=openvclosed.__version__, catalog_digest=catalog_digest(catalog),
        as_of=as_of.isoformat() if as_of is not None else None,
        rules={k: list(v) for k, v in sorted(rules.items())},
        workloads=[WorkloadInputs(name=d.workload.name, tokens_per_day=d.workload.total_tokens_per_day,
                                  definition=definition(d.workload)) for d in decisions],
        api_prices=apis, gpu_prices=gpus)
