"""Map pydantic's genai-prices data onto catalog prices (``ovc catalog import-genai-prices``).

genai-prices (PyPI ``genai-prices``, MIT) bundles its price data as ``genai_prices/data.py``: per
provider, models with a ``match`` rule and prices per 1M tokens, some as a list of prices with a
``StartDateConstraint`` (a price change announced for a date, e.g. an introductory price that
ends). That file is read from the installed package, offline (its ``UpdatePrices`` network refresh
is never started); the package is an optional extra (``pip install 'openvclosed[prices]'``) and is
imported only by the import command. Everything else here works on the plain records
:func:`normalize` returns, so it is testable without the package.

Rules (docs/catalog.md, two price sources):
- a genai-prices price that starts after the bundled price's ``valid_from`` is newer information:
  it becomes the price from its date (the bundled one moves to ``history``, ``valid_to`` the day
  before), or a ``scheduled`` price when its date is after today;
- otherwise, where the two disagree by more than ``TOLERANCE``, the bundled (LiteLLM) price stays
  and genai-prices' figure is kept in ``alt_prices`` with its source (``ovc catalog diff --sources``).
"""

from __future__ import annotations

import datetime as dt

__all__ = ["PROVIDERS", "TOLERANCE", "normalize", "load_installed", "plan_import"]

PROVIDERS = {"openai": "openai", "anthropic": "anthropic", "google": "google", "xai": "x-ai", "mistral": "mistral",
             "together": "together", "fireworks": "fireworks", "groq": "groq", "novita": "novita",
             "cerebras": "cerebras", "deepseek": "deepseek"}
"""Catalog provider -> genai-prices provider id (providers genai-prices does not carry are skipped)."""

TOLERANCE = 0.03
"""Relative difference (of input or output price) above which two sources disagree."""

_FIELDS = (("input_mtok", "input_usd_per_mtok"), ("output_mtok", "output_usd_per_mtok"),
           ("cache_read_mtok", "cached_input_usd_per_mtok"), ("cache_write_mtok", "cache_write_usd_per_mtok"))


def _num(v):
    if v is None:
        return None
    base = getattr(v, "base", v)  # TieredPrices: the price below the first threshold
    return round(float(base), 6)


def _prices(mp) -> dict:
    return {ours: _num(getattr(mp, theirs, None)) for theirs, ours in _FIELDS}


def normalize(providers) -> dict[str, dict]:
    """genai-prices ``Provider`` objects -> ``{provider_id: {"find": ref -> model record | None}}``.

    A model record: ``{id, name, deprecated, text, prices: [{valid_from: date | None, input_usd_per_mtok,
    output_usd_per_mtok, cached_input_usd_per_mtok, cache_write_usd_per_mtok}], skipped_constraints}``
    (prices oldest first; time-of-day prices such as off-peak rates are counted, not used)."""
    out = {}
    for p in providers:
        def find(ref, _p=p):
            m = _p.find_model(ref)
            return None if m is None else _record(m)
        out[p.id] = {"find": find, "pricing_urls": list(p.pricing_urls or [])}
    return out


def _record(m) -> dict:
    prices, skipped = [], 0
    raw = m.prices if isinstance(m.prices, list) else [None]
    for c in raw:
        if c is None:
            prices.append({"valid_from": None, **_prices(m.prices)})
            continue
        start = getattr(c.constraint, "start_date", None)
        if c.constraint is not None and start is None:
            skipped += 1
            continue
        prices.append({"valid_from": start, **_prices(c.prices)})
    prices.sort(key=lambda r: r["valid_from"] or dt.date.min)
    return {"id": m.id, "name": m.name, "deprecated": bool(m.deprecated),
            "text": " ".join(x for x in (m.description, m.price_comments) if x), "prices": prices,
            "skipped_constraints": skipped}


def load_installed() -> tuple[str, dict[str, dict]]:
    """(version, normalized providers) of the installed genai-prices package, read offline."""
    from importlib.metadata import PackageNotFoundError, version

    from openvclosed.errors import InputError

    try:
        ver = version("genai-prices")
        from genai_prices.data import providers  # the bundled data file; no network
    except (PackageNotFoundError, ImportError):
        raise InputError("genai-prices is not installed: pip install 'openvclosed[prices]' "
                         "(or pip install genai-prices)") from None
    return ver, normalize(providers)


def _differs(a: float | None, b: float | None, tol: float) -> bool:
    if a is None or b is None:
        return False
    base = max(abs(a), abs(b))
    return base > 0 and abs(a - b) / base > tol


def _price_in_force(prices: list[dict], when: dt.date) -> dict | None:
    cur = [r for r in prices if r["valid_from"] is None or r["valid_from"] <= when]
    return cur[-1] if cur else None


def plan_import(gp: dict[str, dict], catalog, label: str, today: dt.date, tol: float = TOLERANCE) -> dict:
    """What genai-prices changes in ``catalog``'s API prices. Returns ``{"changed": [...], "alt": [...],
    "unmatched": [ids], "problems": [...]}``; each changed/alt item is ``{id, model, summary, entry}``
    where ``entry`` is a user-catalog override (id, prices, dates, history/scheduled/alt_prices)."""
    changed, alts, unmatched, problems = [], [], [], []
    for api in sorted(catalog.apis.values(), key=lambda a: a.id):
        prov = gp.get(PROVIDERS.get(api.provider, ""))
        if prov is None:
            continue
        rec = prov["find"](api.model)
        if rec is None:
            unmatched.append(api.id)
            continue
        src = f"{label}, provider '{PROVIDERS[api.provider]}' model '{rec['id']}'"
        if prov.get("pricing_urls"):
            src += f"; provider page {prov['pricing_urls'][0]}"
        since = api.price_as_of
        newer = [r for r in rec["prices"] if r["valid_from"] is not None and r["valid_from"] > since
                 and (_differs(r["input_usd_per_mtok"], api.input_usd_per_mtok, tol)
                      or _differs(r["output_usd_per_mtok"], api.output_usd_per_mtok, tol))]
        if newer:
            changed.append(_dated_change(api, newer, src, today))
            continue
        now = _price_in_force(rec["prices"], today)
        if now is None:
            continue
        if _differs(now["input_usd_per_mtok"], api.input_usd_per_mtok, tol) or \
                _differs(now["output_usd_per_mtok"], api.output_usd_per_mtok, tol):
            alt = {"source_name": label, "valid_from": now["valid_from"],
                   "input_usd_per_mtok": now["input_usd_per_mtok"], "output_usd_per_mtok": now["output_usd_per_mtok"],
                   "cached_input_usd_per_mtok": now["cached_input_usd_per_mtok"], "source": src, "as_of": today}
            known = [a.model_dump() for a in api.alt_prices if a.source_name != label]
            if [a for a in api.alt_prices if a.source_name == label
                    and (a.input_usd_per_mtok, a.output_usd_per_mtok) == (alt["input_usd_per_mtok"], alt["output_usd_per_mtok"])]:
                continue
            alts.append({"id": api.id, "model": rec["id"],
                         "summary": f"${api.input_usd_per_mtok:g}/${api.output_usd_per_mtok:g} bundled vs "
                                    f"${alt['input_usd_per_mtok']:g}/${alt['output_usd_per_mtok']:g} in {label}",
                         "entry": {"id": api.id, "alt_prices": known + [alt], "as_of": today}})
    return {"changed": changed, "alt": alts, "unmatched": unmatched, "problems": problems}


def _dated_change(api, newer: list[dict], src: str, today: dt.date) -> dict:
    """The override for an API whose price changes on genai-prices' dates after the bundled one."""
    cur = {f: getattr(api, f) for _, f in _FIELDS}
    history = [h.model_dump() for h in api.history]
    scheduled = []
    in_force = [r for r in newer if r["valid_from"] <= today]
    base = dict(cur, valid_from=api.price_as_of, source=api.source)
    if in_force:
        new_cur = in_force[-1]
        history.append(dict(base, valid_to=new_cur["valid_from"] - dt.timedelta(days=1)))
        history += [dict(r, valid_to=n["valid_from"] - dt.timedelta(days=1), source=src)
                    for r, n in zip(in_force[:-1], in_force[1:])]
        top = dict(new_cur, source=src)
    else:
        top = None
    for r in newer:
        if r["valid_from"] > today:
            scheduled.append(dict(r, source=src))
    entry = {"id": api.id}
    if top is not None:
        entry.update({k: v for k, v in top.items() if k != "valid_from" and v is not None})
        entry.update(valid_from=top["valid_from"], price_source="genai-prices", source=src)
    entry.update(history=history, scheduled=scheduled, valid_to=(scheduled[0]["valid_from"] - dt.timedelta(days=1)
                                                                 if scheduled else None), as_of=today)
    steps = [f"{r['valid_from']}: ${r['input_usd_per_mtok']:g}/${r['output_usd_per_mtok']:g}" for r in newer]
    return {"id": api.id, "model": src, "summary": f"${api.input_usd_per_mtok:g}/${api.output_usd_per_mtok:g} "
            f"from {api.price_as_of} -> " + ", ".join(steps), "entry": entry}
