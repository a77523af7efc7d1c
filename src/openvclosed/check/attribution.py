"""Why a workload's cost moved since the baseline: one factor reverted at a time.

Starting from the cost now, ``C0`` (the recommended option's USD/month), the factors the baseline
stores are put back one after the other and the workload is decided again after each step
(the same decision path as ``ovc recommend``, so a factor may also change *which* option wins):

1. volume: tokens/day back to the baseline's (``tokens_per_day``, or ``requests_per_day`` scaled
   so the volume matches) -> ``C1``; the volume effect is ``C0 - C1``;
2. API prices: every stored API price that differs put back -> ``C2``; effect ``C1 - C2``;
3. hardware prices: every stored GPU purchase price and rental quote put back -> ``C3``;
4. the workload definition (every field but the volume) and the deployment rules -> ``C4``;
5. what is left, ``C4 - B`` (``B`` the baseline's cost), is the catalog (entries other than the
   stored prices: new or removed offers, specs, licences), the ovc version, or both — named from
   the catalog digest and version the baseline stores. Neither changed and a rest of a cent or
   more is "unexplained" (a stored input that could not be put back, e.g. a price of an API that
   is no longer in the catalog).

The effects add up to the change (``C0 - B``) by construction; they depend on the order above
(docs/ci.md). Steps whose factor did not change are not recomputed.
"""

from __future__ import annotations

import datetime as dt
import math

from openvclosed.results.baseline_diff import CostFactor
from openvclosed.check.inputs import definition

__all__ = ["attribute", "CENT"]

CENT = 0.01
"""Changes smaller than this [USD/month] are no change (float noise, rounding in the file)."""


def _cost(catalog, w, rules, as_of) -> float | None:
    from openvclosed.decision.recommend import decide_workload

    o = decide_workload(catalog, w, rules, as_of).recommended
    return None if o is None else float(o.usd_per_month)


def _with_volume(w, tokens_per_day: float):
    if w.tokens_per_day is not None:
        return w.model_copy(update={"tokens_per_day": tokens_per_day})
    return w.model_copy(update={"requests_per_day": w.requests_per_day * tokens_per_day / w.total_tokens_per_day})


def _api_changes(catalog, old: dict) -> dict:
    """{id: (entry, stored)} for APIs whose stored prices differ from the catalog's."""
    out = {}
    for i, p in old.items():
        a = catalog.apis.get(i)
        if a is None:
            continue
        now = {"input_usd_per_mtok": a.input_usd_per_mtok, "output_usd_per_mtok": a.output_usd_per_mtok,
               "cached_input_usd_per_mtok": a.cached_input_usd_per_mtok,
               "cache_write_usd_per_mtok": a.cache_write_usd_per_mtok, "batch_discount": a.batch_discount}
        if any(not _same(now[k], p.get(k)) for k in now):
            out[i] = (a, p)
    return out


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


def _gpu_changes(catalog, old: dict, as_of) -> dict:
    out = {}
    for i, p in old.items():
        g = catalog.gpus.get(i)
        if g is None:
            continue
        cur = g.price_at(as_of)
        r = g.rent_at(as_of)
        now_p = cur.usd if cur else None
        now_r = sorted((q.provider, q.usd_per_gpu_hour) for q in (r[1] if r else []))
        old_p = (p.get("purchase") or {}).get("usd")
        old_r = sorted((q["provider"], q["usd_per_gpu_hour"]) for q in p.get("rent", []))
        if not _same(now_p, old_p) or len(now_r) != len(old_r) or any(
                a[0] != b[0] or not _same(a[1], b[1]) for a, b in zip(now_r, old_r)):
            out[i] = (g, p)
    return out


def _catalog_with(catalog, apis: dict | None = None, gpus: dict | None = None, as_of=None):
    from openvclosed.catalog import Catalog
    from openvclosed.catalog.schema import GpuPrice, GpuRent, LongContextPrice

    new_apis = dict(catalog.apis)
    for i, (a, p) in (apis or {}).items():
        new_apis[i] = a.model_copy(update={
            "input_usd_per_mtok": p["input_usd_per_mtok"], "output_usd_per_mtok": p["output_usd_per_mtok"],
            "cached_input_usd_per_mtok": p.get("cached_input_usd_per_mtok"),
            "cache_write_usd_per_mtok": p.get("cache_write_usd_per_mtok"),
            "batch_discount": p.get("batch_discount", 0.0),
            "long_context": LongContextPrice.model_validate(p["long_context"]) if p.get("long_context") else None})
    new_gpus = dict(catalog.gpus)
    for i, (g, p) in (gpus or {}).items():
        def when(s):  # a stored price dated after --as-of still applies: it is the baseline's price
            d = dt.date.fromisoformat(s)
            return min(d, as_of) if as_of is not None else d

        prices = []
        if p.get("purchase"):
            rec = dict(p["purchase"], valid_from=when(p["purchase"]["valid_from"]))
            prices = [GpuPrice.model_validate(rec)]
        rent = [GpuRent.model_validate(dict(q, valid_from=when(q["valid_from"]))) for q in p.get("rent", [])]
        new_gpus[i] = g.model_copy(update={"prices": prices, "rent": rent})
    return Catalog(list(new_apis.values()), list(new_gpus.values()), list(catalog.models.values()))


def _fmt_tokens(v: float) -> str:
    for div, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            return f"{v / div:.3g}{unit}"
    return f"{v:.3g}"


def _api_detail(changes: dict) -> str:
    parts = []
    for i, (a, p) in sorted(changes.items()):
        parts.append(f"{i} ${p['input_usd_per_mtok']:g}/${p['output_usd_per_mtok']:g} ({p.get('as_of')}) -> "
                     f"${a.input_usd_per_mtok:g}/${a.output_usd_per_mtok:g} ({a.price_as_of}) per 1M in/out")
    return _few(parts)


def _gpu_detail(changes: dict, as_of) -> str:
    parts = []
    for i, (g, p) in sorted(changes.items()):
        cur = g.price_at(as_of)
        old = p.get("purchase") or {}
        if not _same(cur.usd if cur else None, old.get("usd")):
            parts.append(f"{i} purchase ${old.get('usd', 0):,.0f} ({old.get('valid_from')}) -> "
                         + (f"${cur.usd:,.0f} ({cur.valid_from})" if cur else "none"))
        r = g.rent_at(as_of)
        old_r = sorted(q["usd_per_gpu_hour"] for q in p.get("rent", []))
        new_r = sorted(q.usd_per_gpu_hour for q in (r[1] if r else []))
        if old_r != new_r:
            parts.append(f"{i} rent quotes {'/'.join(f'${x:g}' for x in old_r) or 'none'} -> "
                         f"{'/'.join(f'${x:g}' for x in new_r) or 'none'} per GPU-hour")
    return _few(parts)


def _few(parts: list[str], n: int = 4) -> str:
    return "; ".join(parts[:n]) + (f"; +{len(parts) - n} more" if len(parts) > n else "")


def attribute(catalog, wf, w, cost_now: float | None, cost_before: float | None, old_inputs: dict | None,
              old_workload: dict | None, as_of=None) -> tuple[list[CostFactor], str | None]:
    """Factors of ``cost_now - cost_before`` for workload ``w`` (see the module docstring), and a
    note when they cannot be computed. ``old_inputs`` is the baseline's ``inputs`` section and
    ``old_workload`` its entry for ``w`` in ``inputs.workloads``."""
    import openvclosed
    from openvclosed.check.inputs import catalog_digest
    from openvclosed.decision.workload import Workload

    if cost_now is None or cost_before is None:
        return [], "no feasible option " + ("now" if cost_now is None else "in the baseline") + ": nothing to attribute"
    if not old_inputs or not old_workload:
        return [], "the baseline stores no inputs (written by an older ovc): write it again to attribute changes"
    priced = catalog.at(as_of) if as_of is not None else catalog
    rules = wf.rules()
    factors: list[CostFactor] = []
    cur, w_cur = cost_now, w

    def step(factor, new_cost, detail):
        nonlocal cur
        if new_cost is None:
            return False
        factors.append(CostFactor(factor=factor, usd_per_month=cur - new_cost, detail=detail))
        cur = new_cost
        return True

    ok = True
    old_tpd = old_workload.get("tokens_per_day")
    if isinstance(old_tpd, (int, float)) and not _same(old_tpd, w.total_tokens_per_day):
        w_cur = _with_volume(w, float(old_tpd))
        ok = step("volume", _cost(priced, w_cur, rules, as_of),
                  f"{_fmt_tokens(old_tpd)} -> {_fmt_tokens(w.total_tokens_per_day)} tokens/day")
    api = _api_changes(priced, {p["id"]: p for p in old_inputs.get("api_prices", []) if isinstance(p, dict)})
    gpu = _gpu_changes(priced, {p["id"]: p for p in old_inputs.get("gpu_prices", []) if isinstance(p, dict)}, as_of)
    cat = priced
    if ok and api:
        cat = _catalog_with(priced, apis=api, as_of=as_of)
        ok = step("api_price", _cost(cat, w_cur, rules, as_of), _api_detail(api))
    if ok and gpu:
        cat = _catalog_with(cat, gpus=gpu, as_of=as_of)
        ok = step("hardware_price", _cost(cat, w_cur, rules, as_of), _gpu_detail(gpu, as_of))
    old_def, old_rules = old_workload.get("definition"), old_inputs.get("rules") or rules
    if ok and isinstance(old_def, dict) and (old_def != definition(w) or old_rules != rules):
        try:
            w_old = Workload.model_validate({**old_def, "name": w.name,
                                             **_volume_fields(old_def, w_cur.total_tokens_per_day)})
        except Exception:  # a definition an older ovc wrote that this one no longer reads
            w_old = None
        if w_old is not None:
            changed = sorted(k for k in set(old_def) | set(definition(w)) if old_def.get(k) != definition(w).get(k))
            ok = step("workload", _cost(cat, w_old, old_rules, as_of),
                      ("fields: " + ", ".join(changed)) if changed else "deployment rules")
    if not ok:
        return [], "a recomputation with the baseline's inputs found no feasible option: not attributed"
    rest = cur - cost_before
    if abs(rest) >= CENT:
        cat_changed = old_inputs.get("catalog_digest") != catalog_digest(catalog)
        tool_changed = old_inputs.get("tool_version") != openvclosed.__version__
        factor = ("catalog_or_tool" if cat_changed and tool_changed else "catalog" if cat_changed
                  else "tool_version" if tool_changed else "unexplained")
        detail = "; ".join(x for x in (
            f"catalog {old_inputs.get('catalog_digest')} -> {catalog_digest(catalog)}" if cat_changed else "",
            f"ovc {old_inputs.get('tool_version')} -> {openvclosed.__version__}" if tool_changed else "") if x)
        factors.append(CostFactor(factor=factor, usd_per_month=rest, detail=detail))
    return [f for f in factors if abs(f.usd_per_month) >= CENT], None


def _volume_fields(old_def: dict, tokens_per_day: float) -> dict:
    """Volume fields that give ``tokens_per_day`` in the shape of the stored definition."""
    i, o = old_def.get("input_tokens"), old_def.get("output_tokens")
    if isinstance(i, (int, float)) and isinstance(o, (int, float)) and i + o > 0:
        return {"requests_per_day": tokens_per_day / (i + o)}
    return {"tokens_per_day": tokens_per_day}
