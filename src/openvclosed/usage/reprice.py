"""Logged model names -> catalog APIs, and the logged traffic repriced on every option. No I/O.

Self-hosting is sized for the observed peak: each deployment is evaluated at
``tokens_per_day x peak_to_mean`` (the volume that keeps the busiest hour within capacity at
the ``utilization`` assumption); its cost is then charged against the mean traffic.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

import numpy as np

from openvclosed.decision.assumptions import Assumptions
from openvclosed.decision.designs import power_share
from openvclosed.catalog import ApiEntry, Catalog
from openvclosed.results.base import Finding
from openvclosed.results.usage import OptionCost, RepriceResult
from openvclosed.errors import InputError
from openvclosed.units import HwSpec, closest, normalize_name
from openvclosed.usage.aggregate import TrafficStats, Window

__all__ = ["match_api", "ModelCost", "price_groups", "reprice"]

_PROVIDER_ALIASES = {
    "openai": "openai", "azure": "openai", "azure-ai": "openai", "anthropic": "anthropic", "bedrock": "anthropic",
    "gemini": "google", "vertex-ai": "google", "google": "google", "together-ai": "together",
    "together": "together", "togethercomputer": "together", "deepinfra": "deepinfra", "groq": "groq",
    "fireworks-ai": "fireworks", "fireworks": "fireworks",
}
"""LiteLLM-style provider prefixes (``together_ai/...``) -> catalog provider."""
_SUFFIX = re.compile(r"(?:[-@](?:20\d\d-\d\d-\d\d|20\d{6}|\d{4}|latest))+$")
"""Dated snapshot suffixes: gpt-x-2026-01-15, claude-x-20260115, model@20260115, gpt-4-0613, -latest."""


def _index(catalog: Catalog) -> dict[str, list[ApiEntry]]:
    idx: dict[str, list[ApiEntry]] = {}
    for a in catalog.apis.values():
        idx.setdefault(a.id, []).append(a)
        m = normalize_name(a.model)
        for key in {m, m.removeprefix("accounts/fireworks/models/")}:
            if a not in idx.setdefault(key, []):
                idx[key].append(a)
    return idx


def _pick(cands: list[ApiEntry], provider: str | None = None) -> ApiEntry | None:
    if provider:
        cands = [a for a in cands if a.provider == provider]
    if not cands:
        return None
    closed = [a for a in cands if a.kind == "closed"]
    pool = closed or cands
    return min(pool, key=lambda a: (a.input_usd_per_mtok + a.output_usd_per_mtok, a.id))


def match_api(catalog: Catalog, name: str, _idx: dict | None = None) -> tuple[ApiEntry | None, str]:
    """The catalog API a logged model name was served by, and how it matched ('' if not at all).

    Tries: API id; model name (a hosted open model several providers serve: the cheapest);
    a LiteLLM-style provider prefix (``together_ai/``, ``azure/``, ``vertex_ai/``); then the
    same without a dated snapshot suffix (``-2026-01-15``, ``-20260115``, ``-0613``, ``-latest``).
    """
    idx = _idx if _idx is not None else _index(catalog)
    key = normalize_name(name)
    for k, how in ((key, "exact"), (_SUFFIX.sub("", key), "snapshot suffix removed")):
        if not k:
            continue
        hit = _pick(idx.get(k, []))
        if hit:
            return hit, how if k != hit.id else ("id" if how == "exact" else how)
        if "/" in k:
            prefix, rest = k.split("/", 1)
            prov = _PROVIDER_ALIASES.get(prefix)
            if prov:
                hit = _pick(idx.get(f"{prov}/{rest}", []) + idx.get(rest, []), prov)
                if hit:
                    return hit, f"provider prefix {prefix!r}" + ("" if how == "exact" else f", {how}")
                hit = _pick(idx.get(rest, []))
                if hit:
                    return hit, f"model name without provider {prefix!r}" + ("" if how == "exact" else f", {how}")
    return None, ""


@dataclass
class ModelCost:
    """A logged group priced at its matched catalog API: at the prices in force on each day
    (or, ``at_current``, at today's), and the other one for comparison."""

    name: str
    api: str | None
    matched_by: str
    usd_per_mtok: float  # nan when unmatched
    usd_window: float  # cost of the logged tokens at catalog prices (nan when unmatched)
    usd_per_day: float
    closest: list[str] = field(default_factory=list)
    usd_window_other: float = math.nan  # the same tokens at the other prices (today's, or those of each day)
    before_first_price: bool = False
    context_tokens: int | None = None


def price_groups(catalog: Catalog, groups: list[TrafficStats], days: dict | None = None, a: Assumptions | None = None,
                 *, context_tokens: int | None = None, at_current: bool = False) -> list[ModelCost]:
    """Each group's traffic at its catalog API's prices, with its own input and cached shares and
    context (``context_tokens``, else the group's mean context per request), each day at the price
    in force then (``days``: ``pricing.day_sums``), or at today's with ``at_current``."""
    from openvclosed.usage.pricing import DaySums, dated_cost, mean_context

    idx = _index(catalog)
    a = a or Assumptions()
    out = []
    for s in groups:
        api, how = match_api(catalog, s.name, idx)
        if api is None:
            near = closest(s.name, sorted(catalog.apis), n=3)
            out.append(ModelCost(s.name, None, "", math.nan, math.nan, math.nan, near))
            continue
        ctx = context_tokens or mean_context(s.input_tokens, s.output_tokens, s.requests)
        d = (days or {}).get(s.name) or DaySums(np.zeros(1, dtype=np.int64), np.array([s.input_tokens]),
                                                np.array([s.output_tokens]), np.array([s.cached_input_tokens]))
        c = dated_cost(api, a, d, ctx) if days else None
        cur = c.usd_current if c else _tokens_cost(api, s, a, ctx)
        usd, other = (cur, c.usd if c else cur) if at_current or c is None else (c.usd, cur)
        p = usd / s.tokens * 1e6 if s.tokens else _api_price(api, s, a, ctx)
        out.append(ModelCost(s.name, api.id, how, p, usd, usd / s.days if s.tokens else 0.0,
                             usd_window_other=other, before_first_price=bool(c and c.before_first_price and not at_current),
                             context_tokens=ctx))
    return out


def _tokens_cost(api: ApiEntry, s: TrafficStats, a: Assumptions, ctx) -> float:
    return s.tokens / 1e6 * _api_price(api, s, a, ctx) if s.tokens else 0.0


def _api_price(api: ApiEntry, s: TrafficStats, a: Assumptions | None = None, context_tokens=None) -> float:
    """The API's blended price (today's) at the logged traffic's own input and cached shares."""
    from openvclosed.decision.apiprice import api_price

    s_in = s.input_share if s.input_share == s.input_share else 0.75
    c = s.cached_share if s.cached_share == s.cached_share else 0.0
    return api_price(api, a or Assumptions(), input_share=s_in, cached_share=c, context_tokens=context_tokens)


def reprice(catalog: Catalog, total: TrafficStats, groups: list[TrafficStats], window: Window, a: Assumptions,
            hw_specs: list[HwSpec], *, model_name: str | None = None, api_names: list[str] | None = None,
            precision: str | None = None, rented: bool = False, today: dt.date | None = None,
            max_age_days: int = 90, days: dict | None = None, total_days=None, at_current: bool = False,
            group_context: int | None = None) -> RepriceResult:
    """What ``total`` would have cost on each API and on self-hosting each ``hw_specs``.

    ``a`` must already carry the observed ``input_share``, ``cached_share`` and ``context_tokens``.
    APIs: ``api_names``, else the APIs the log used plus each closed provider's flagship and
    small model and the cheapest hosted offer of the self-hosted model. With ``days`` /
    ``total_days`` (``pricing.day_sums``) API traffic is priced at the prices in force on each day
    (``at_current``: at today's), the other figure kept for comparison; the API options at the
    traffic's context ``a.context_tokens``, each logged model at ``group_context`` or its own mean.
    """
    from openvclosed.usage.pricing import dated_cost
    from openvclosed.decision.designs import Design, evaluate
    from openvclosed.decision.selection import (check_precision, choose, default_apis, design_findings,
                                                gpu_price_dates, like_for_like, stale_findings, api_price_date)
    from openvclosed.results.base import dedupe

    if total.tokens <= 0:
        raise InputError("the logs hold no tokens: nothing to reprice")
    check_precision(precision)
    today = today or dt.date.today()
    dpm = a.days_per_month
    findings: list[Finding] = []
    mean = total.tokens_per_day
    sizing = mean * total.peak_to_mean
    if window.resolution == "day":
        findings.append(Finding(code="day_buckets", ids=[], message="the logs are day buckets: peak_to_mean is the "
                                "busiest day over the mean day, a lower bound of the hourly peak; self-hosting may "
                                "be undersized"))
    costs = price_groups(catalog, groups, days, a, context_tokens=group_context, at_current=at_current)
    priced = [(c, s) for c, s in zip(costs, groups) if c.api is not None]
    actual_day = sum(c.usd_per_day for c, _ in priced)
    actual_other = sum(c.usd_window_other for c, _ in priced) / total.days * dpm if days else None
    priced_tokens = sum(s.tokens for _, s in priced)
    unpriced = [c.name for c in costs if c.api is None]
    if unpriced:
        findings.append(Finding(code="unpriced_model", ids=unpriced,
                                message=f"not in the catalog, left out of the as-logged cost: {', '.join(unpriced)}"))
    logged = total.logged_usd / total.days * dpm if total.logged_usd is not None else None
    actual_month = actual_day * dpm

    def saving(month: float) -> float | None:
        return actual_month - month if priced and math.isfinite(month) and not unpriced else None

    options: list[OptionCost] = []
    dated = []
    first_model = None
    used_tiers = {c.api: catalog.api_tier(catalog.apis[c.api]) for c, _ in priced}
    for hw in hw_specs:
        gpu = catalog.gpu(hw.gpu_name)
        model, prec = choose(catalog, gpu, hw.n_gpus, a, model_name=model_name, precision=precision)
        first_model = first_model or model
        d = Design(gpu, hw.n_gpus, model, prec, rented)
        e = evaluate([d], a, sizing)
        g = e.at(0)
        day = g["usd_per_day"]
        month = day * dpm
        options.append(OptionCost(
            option=f"self-host {d.hardware}", kind="self-host", tier=model.best_tier,
            detail=f"{model.id} {prec}, {d.mode}",
            usd_window=day * total.days, usd_per_month=month,
            usd_per_mtok=day / mean * 1e6 if math.isfinite(day) else math.inf, saving_usd_per_month=saving(month),
            gpu=gpu.id, n_gpus=hw.n_gpus, model=model.id, quant=prec, mode=d.mode,
            fits=g["fits"], replicas=g["replicas"], capacity_tokens_per_day=g["capacity_tokens_per_day"],
            sizing_tokens_per_day=sizing))
        findings += design_findings(catalog, d, a, e)
        findings += like_for_like(model, used_tiers)
        dated += gpu_price_dates(gpu, a, rented)

    if api_names:
        apis = [catalog.api(n) for n in api_names]
    else:
        apis = [catalog.apis[c.api] for c, _ in priced] + default_apis(catalog, first_model)
    seen: set[str] = set()
    for api in apis:
        if api.id in seen:
            continue
        seen.add(api.id)
        other = None
        if total_days is not None:
            c = dated_cost(api, a, total_days, a.context_tokens)
            usd, alt = (c.usd_current, c.usd) if at_current else (c.usd, c.usd_current)
            other = alt / total.days * dpm
        else:
            usd = total.tokens / 1e6 * _api_price(api, total, a, a.context_tokens)
        p = usd / total.tokens * 1e6
        month = usd / total.days * dpm
        used = any(c.api == api.id for c, _ in priced)
        options.append(OptionCost(option=api.id, kind=api.kind, tier=catalog.api_tier(api),
                                  detail=api.model + (" (in the logs)" if used else ""),
                                  usd_window=usd, usd_per_month=month, usd_per_mtok=p,
                                  saving_usd_per_month=saving(month), usd_per_month_other=other))
        dated.append(api_price_date(api))
    findings += stale_findings(dated, today, max_age_days) + history_findings(costs, at_current)
    options.sort(key=lambda o: (not math.isfinite(o.usd_per_month), o.usd_per_month, o.option))
    return RepriceResult(
        tokens_per_day=mean, input_share=total.input_share, cached_share=total.cached_share,
        peak_to_mean=total.peak_to_mean, resolution=window.resolution, days=total.days, sizing_tokens_per_day=sizing,
        context_tokens=a.context_tokens, actual_usd_per_month=actual_month,
        priced_at="current" if at_current or not days else "date", actual_usd_per_month_other=actual_other,
        actual_priced_token_share=priced_tokens / total.tokens, logged_usd_per_month=logged, options=options,
        assumptions=dict(a.model_dump(mode="json"), power_draw_share=power_share(a)), findings=dedupe(findings))


def history_findings(costs: list[ModelCost], at_current: bool) -> list[Finding]:
    """One ``price_history`` finding: where the price of a logged model changed inside the window
    (both costs), and which traffic predates its API's first recorded price."""
    from openvclosed.usage.pricing import differs

    parts, ids = [], []
    moved = [c for c in costs if c.api and differs(c.usd_window, c.usd_window_other)]
    if moved:
        what = "today's prices (--at-current-prices)" if at_current else "the prices in force on each day"
        alt = "the prices in force then" if at_current else "today's prices"
        parts.append(f"priced at {what}; at {alt}: " + ", ".join(
            f"{c.name} ${c.usd_window_other:,.2f} instead of ${c.usd_window:,.2f}" for c in moved))
        ids += [c.api for c in moved]
    early = [c.api for c in costs if c.before_first_price]
    if early:
        parts.append(f"traffic older than the first recorded price of {', '.join(early)}: priced at that first price")
        ids += [x for x in early if x not in ids]
    return [Finding(code="price_history", severity="info", ids=ids, message="; ".join(parts))] if parts else []
