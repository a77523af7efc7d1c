"""The selection service: which model and precision, does it fit, and what findings it carries.

Every front end (breakeven, fit, recommend, usage reprice, sweep) picks models and precisions
and writes its findings through these functions, so the same design gets the same answer and
the same warnings everywhere. Findings are :class:`~openvclosed.results.base.Finding` records
(codes, not prose that code parses).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

from openvclosed.catalog import TIERS, ApiEntry, Catalog, GpuEntry, ModelEntry
from openvclosed.decision.assumptions import Assumptions
from openvclosed.decision.designs import Design, consumer_nvidia, evaluate, precisions_for, quant_risk, site_of
from openvclosed.engine import PRECISION_BITS
from openvclosed.errors import InputError
from openvclosed.results.base import Finding

__all__ = ["apply_output_multiplier", "default_model_finding", "check_precision", "fits", "choose", "choose_default_model", "suggest", "design_findings",
           "like_for_like", "licence_findings", "default_apis", "stale_findings", "gpu_price_dates", "DatedPrice",
           "api_price_date", "STALE_API_DAYS", "driver_licence_text", "STALE_HARDWARE_DAYS",
           "fmt_tokens"]


def fmt_tokens(t: float) -> str:
    """Human token count: 5e8 -> '500M'."""
    if not math.isfinite(t):
        return "never"
    for div, suf in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(t) >= div:
            return f"{t / div:.3g}{suf}"
    return f"{t:.3g}"


def check_precision(precision: str | None, flag: str = "--quant") -> None:
    if precision is not None and precision not in PRECISION_BITS:
        raise InputError(f"{flag}: {precision!r} is not a precision; choose from {', '.join(PRECISION_BITS)}")


def fits(gpu: GpuEntry, n_gpus: int, model: ModelEntry, precision: str, a: Assumptions, min_seqs: int = 1) -> bool:
    """Weights fit with KV room for ``min_seqs`` sequences at ``a.context_tokens``."""
    e = evaluate([Design(gpu, n_gpus, model, precision)], a)
    return float(e.max_seqs[0]) >= min_seqs


def choose_default_model(catalog: Catalog, gpu: GpuEntry, n_gpus: int, a: Assumptions,
                         precision: str | None = None) -> tuple[ModelEntry, str]:
    """The strongest catalog model (highest ``quality`` score) that fits sanely, and its precision.

    "Sanely": at the model's native precision or below, leaving KV room for
    ``a.min_concurrent_seqs`` sequences; among precisions the highest that fits is taken.
    """
    ranked = sorted(catalog.models.values(),
                    key=lambda m: (-(m.quality_score if not math.isnan(m.quality_score) else -1), m.params_b))
    cands = [(m, p) for m in ranked for p in ([precision] if precision else precisions_for(m))
             if p in precisions_for(m)]
    if cands:  # one engine call for every candidate, then the first that fits in rank order
        seqs = evaluate([Design(gpu, n_gpus, m, p) for m, p in cands], a).max_seqs
        for (m, p), n in zip(cands, seqs.tolist()):
            if n >= a.min_concurrent_seqs:
                return m, p
    raise InputError(f"no catalog model fits {n_gpus}x{gpu.id} at {precision or 'any precision'}; "
                     f"add GPUs or choose a smaller model with --model")


def default_model_finding(model: ModelEntry, precision: str, hardware: str, a: Assumptions) -> Finding:
    cap = model.capability
    score = f"{cap.score:g} on the {cap.index}" + (f" ({cap.version})" if cap and cap.version else "") \
        if cap and cap.score is not None else "no comparable score"
    return Finding(code="default_model", severity="info", ids=[model.id],
                   message=f"model chosen by rule (name one with --model): the strongest catalog model on one "
                           f"comparable benchmark, the Artificial Analysis Intelligence Index, that fits {hardware} at "
                           f"its released precision or lower with KV room for {a.min_concurrent_seqs} sequences: "
                           f"{model.id} at {precision} ({score})")


def choose(catalog: Catalog, gpu: GpuEntry, n_gpus: int, a: Assumptions, *, model_name: str | None = None,
           precision: str | None = None) -> tuple[ModelEntry, str]:
    """Model and precision for a hardware spec: the named model at the highest precision that fits
    (or its lowest when none does, so the no-fit finding says why), else the default model."""
    check_precision(precision)
    if not model_name:
        return choose_default_model(catalog, gpu, n_gpus, a, precision)
    model = catalog.model(model_name)
    if precision is None:
        fitting = [p for p in precisions_for(model) if fits(gpu, n_gpus, model, p, a)]
        precision = fitting[0] if fitting else precisions_for(model)[-1]
    return model, precision


def suggest(catalog: Catalog, gpu: GpuEntry, n: int, model: ModelEntry, a: Assumptions) -> str:
    """What would fit instead: lower bits, more GPUs, or a smaller model."""
    ideas = []
    for p in precisions_for(model):
        if fits(gpu, n, model, p, a):
            ideas.append(f"{model.id} at {p} fits")
            break
    top = precisions_for(model)[0]
    for k in (2, 4, 8):
        if n * k <= 64 and fits(gpu, n * k, model, top, a):
            ideas.append(f"{n * k}x{gpu.id} fits it at {top}")
            break
    smaller = [m for m in sorted(catalog.models.values(), key=lambda m: -m.params_b)
               if m.params_b < model.params_b and fits(gpu, n, m, precisions_for(m)[0], a)]
    if smaller:
        ideas.append(f"{smaller[0].id} fits at {precisions_for(smaller[0])[0]}")
    return "try: " + "; ".join(ideas) if ideas else "no smaller option in the catalog fits"


def licence_findings(model: ModelEntry, monthly_active_users: int | None = None,
                     severity: str = "warning", monthly_revenue_usd: float | None = None) -> list[Finding]:
    """What the model's licence asks of this workload, from its structured conditions.

    * no commercial use: an exclusion in recommend;
    * an MAU limit counted **ongoing** (Qwen) that the workload exceeds: an exclusion; one counted
      **at release** (Llama) applies to whoever had that many users on the release date: a
      warning to check, since the workload's users today do not decide it;
    * a revenue limit the workload exceeds: an exclusion; without a stated revenue: a note;
    * attribution, naming, use-policy and field-of-use clauses: notes (``licence_condition``),
      triggered ones (e.g. show "Kimi K2" above 100M users or $20M a month) as warnings.
    Unknown users or revenue (None) give notes that name the threshold.
    """
    lic = model.license
    out = []
    mau, rev = monthly_active_users, monthly_revenue_usd
    if not lic.commercial_use:
        out.append(Finding(code="licence_commercial", severity="exclusion" if severity == "exclusion" else "warning",
                           ids=[model.id], message=f"licence {lic.name}: no commercial use"))
    for c in lic.conditions:
        if c.kind == "mau_limit" and c.mau:
            if mau and mau > c.mau and c.basis != "at_release":
                out.append(Finding(code="licence_mau", severity="exclusion", ids=[model.id],
                                   message=f"licence {lic.name}: {mau:,} monthly active users > {c.mau:,} limit "
                                           f"(counted ongoing); needs a separate grant from the licensor"))
            elif mau and mau > c.mau:
                out.append(Finding(code="licence_mau", severity="exclusion", ids=[model.id],
                                   message=f"licence {lic.name}: {mau:,} monthly active users > {c.mau:,}; the limit is "
                                           f"counted on the model's release date — if your organisation had that many "
                                           f"users then, it needs a grant from the licensor"))
            elif mau is None:
                out.append(Finding(code="licence_mau", severity="info", ids=[model.id],
                                   message=f"{model.id} licence ({lic.name}) needs a separate grant above {c.mau:,} "
                                           f"monthly active users ({'counted on the release date' if c.basis == 'at_release' else 'counted ongoing'})"))
        elif c.kind == "revenue_limit" and c.revenue_usd_per_month:
            if rev is not None and rev > c.revenue_usd_per_month:
                out.append(Finding(code="licence_revenue", severity="exclusion", ids=[model.id],
                                   message=f"licence {lic.name}: revenue ${rev:,.0f}/month > ${c.revenue_usd_per_month:,.0f} "
                                           f"limit: {c.effect or c.text}"))
            elif rev is None:
                out.append(Finding(code="licence_revenue", severity="info", ids=[model.id],
                                   message=f"{model.id} licence ({lic.name}): above ${c.revenue_usd_per_month:,.0f} of "
                                           f"monthly revenue {c.effect or c.text} (set monthly_revenue_usd to check)"))
        elif c.kind in ("attribution", "naming", "use_policy", "field_of_use"):
            triggered = ((c.mau is not None and mau is not None and mau > c.mau)
                         or (c.revenue_usd_per_month is not None and rev is not None and rev > c.revenue_usd_per_month))
            conditional = c.mau is not None or c.revenue_usd_per_month is not None
            if conditional and not triggered:
                continue  # e.g. Kimi's display clause below 100M users and $20M/month
            what = (c.effect or c.text).strip()
            if what:
                out.append(Finding(code="licence_condition", severity="warning" if triggered else "info",
                                   ids=[model.id], message=f"{model.id} licence ({lic.name}), {c.kind.replace('_', ' ')}: "
                                                           f"{what[:240]}"))
    return out


def design_findings(catalog: Catalog, d: Design, a: Assumptions, e=None, index=0) -> list[Finding]:
    """No-fit (with what would fit), quantization risk and licence findings of one design."""
    out = []
    m = d.model
    if e is not None and not bool(e.fits[index]):
        out.append(Finding(code="no_fit", severity="warning", ids=[d.id],
                           message=f"{m.id} at {d.precision} does not fit {d.hardware}: weights "
                                   f"{float(e.weights_gb[index]):.1f} GB + KV {float(e.kv_gb_per_seq[index]):.2f} "
                                   f"GB/sequence > {float(e.usable_gb[index]):.1f} GB usable; "
                                   f"{suggest(catalog, d.gpu, d.n_gpus, m, a)}"))
    risk = quant_risk(m, d.precision)
    if risk == "high":
        out.append(Finding(code="quant_risk", ids=[m.id, d.precision],
                           message=f"{d.precision} ({d.bits:g} bits) is below {m.id}'s released "
                                   f"{m.native_weight_bits:g} bits: quality loss from 4-bit quantization is "
                                   f"task-dependent and can be large on reasoning, code and long-context work — "
                                   f"evaluate on your own tasks"))
    elif risk == "minor":
        out.append(Finding(code="quant_risk", severity="info", ids=[m.id, d.precision],
                           message=f"{d.precision} is below {m.id}'s released {m.native_weight_bits:g} bits: "
                                   f"usually a small quality loss, but check it on your tasks"))
    if consumer_nvidia(d.gpu):
        site = site_of(d, a)
        out.append(Finding(code="driver_licence", severity="warning" if site != "office" else "info", ids=[d.gpu.id],
                           message=driver_licence_text(d.gpu.id, site)))
    return out + licence_findings(m)


def driver_licence_text(gpu_id: str, site: str) -> str:
    """NVIDIA's GeForce driver licence and a site, in words."""
    base = (f"{gpu_id}: NVIDIA's GeForce driver licence does not allow datacenter deployment "
            f"(https://www.nvidia.com/en-us/drivers/geforce-license/)")
    if site == "office":
        return base + "; an office or lab server is fine, a colocation rack or a regulated data centre needs data-centre GPUs"
    return base + f"; the site is {site} (set site: office for an office or lab machine)"


def like_for_like(model: ModelEntry, tiers_by_id: dict[str, str]) -> list[Finding]:
    """APIs of a higher capability tier than ``model`` are not like-for-like (one finding)."""
    above = [i for i, t in tiers_by_id.items() if TIERS.index(t) > TIERS.index(model.best_tier)]
    if not above:
        return []
    return [Finding(code="like_for_like", ids=[model.id, *above],
                    message=f"not like-for-like: {', '.join(above)} serve a higher capability tier than {model.id} "
                            f"({model.best_tier}); the saving holds only for work {model.id} does well enough — "
                            f"route the rest to a frontier API (hybrid)")]


def default_apis(catalog: Catalog, model: ModelEntry | None) -> list[ApiEntry]:
    """Each closed provider's flagship, cheapest mid (standard-tier) and cheapest small model among its
    generally available ones (``availability: ga``), plus the cheapest hosted offer of ``model``."""
    picks: list[ApiEntry] = []
    closed = [a for a in catalog.apis.values() if a.kind == "closed" and a.availability == "ga"]
    for provider in sorted({a.provider for a in closed}):
        mine = [a for a in closed if a.provider == provider]
        for role in ("flagship", "mid", "small"):  # mid: the standard-tier, like-for-like comparison for most work
            cands = sorted((a for a in mine if a.role == role),
                           key=lambda a: (a.input_usd_per_mtok + a.output_usd_per_mtok, a.id))
            if cands:
                picks.append(cands[-1] if role == "flagship" else cands[0])
    if model is not None:
        offers = catalog.hosted_offers(model.id)
        if offers:
            picks.append(offers[0])
    return picks


class DatedPrice(NamedTuple):
    """A price an answer rests on and its date (``kind``: api or hardware, for the staleness threshold)."""

    id: str
    label: str
    as_of: dt.date | None
    kind: str = "api"


STALE_API_DAYS = 90
STALE_HARDWARE_DAYS = 365


def gpu_price_dates(gpu: GpuEntry, a: Assumptions, rented: bool) -> list[DatedPrice]:
    """The catalog GPU price a self-hosted cost rests on (none when the user overrode it)."""
    if rented:
        if a.gpu_hour_usd is not None:
            return []
        r = gpu.rent_at(a.as_of)
        when = min(q.valid_from for q in r[1]) if r else None
        return [DatedPrice(gpu.id, f"cloud price of {gpu.id}", when, "hardware")]
    if a.gpu_price_usd is not None:
        return []
    p = gpu.price_at(a.as_of)
    return [DatedPrice(gpu.id, f"purchase price of {gpu.id}", p.valid_from if p else None, "hardware")]


def api_price_date(api: ApiEntry) -> DatedPrice:
    """An API price's age counts from when it was last read from its source (``as_of``), not from
    when it took effect (``valid_from``): a price confirmed yesterday is fresh however old."""
    return DatedPrice(api.id, f"price of {api.id}", api.as_of, "api")


def stale_findings(items: list[DatedPrice], today: dt.date, max_age_days: int = STALE_API_DAYS,
                   max_hardware_age_days: int = STALE_HARDWARE_DAYS) -> list[Finding]:
    """One summarised ``stale_price`` finding for every dated price older than its kind's threshold
    (API prices ``max_age_days``, hardware ``max_hardware_age_days``), with how to refresh each kind."""
    old: dict[str, list[tuple[str, str, int]]] = {"api": [], "hardware": []}
    seen = set()
    for it in items:
        if it.as_of is None or (it.id, it.label) in seen:
            continue
        seen.add((it.id, it.label))
        limit = max_hardware_age_days if it.kind == "hardware" else max_age_days
        age = (today - it.as_of).days
        if age > limit:
            old.setdefault(it.kind, []).append((it.id, it.label, age))
    parts, ids = [], []
    for kind, limit, how in (("api", max_age_days, "refresh with `ovc catalog import-litellm --from-installed`"),
                             ("hardware", max_hardware_age_days,
                              "put what you pay in a user catalog (`ovc catalog template`, docs/catalog.md)")):
        rows = sorted(old.get(kind, []), key=lambda r: -r[2])
        if rows:
            shown = ", ".join(f"{label} ({age} days)" for _, label, age in rows[:4])
            more = f" and {len(rows) - 4} more" if len(rows) > 4 else ""
            parts.append(f"{len(rows)} {'API' if kind == 'api' else 'hardware'} price(s) older than {limit} days: "
                         f"{shown}{more} — {how}")
            ids += [i for i, _, _ in rows]
    if not parts:
        return []
    return [Finding(code="stale_price", ids=ids, message="; ".join(parts) + "; or pass --catalog FILE")]


def apply_output_multiplier(tokens_per_day: float, a: Assumptions):
    """Reasoning models emit hidden tokens billed and served as output: with ``output_multiplier`` m,
    T tokens/day at input share s become ``T (s + (1-s) m)`` at input share ``s / (s + (1-s) m)``."""
    m = a.output_multiplier
    if m == 1:
        return tokens_per_day, a, []
    s = a.input_share
    scale = s + (1 - s) * m
    a2 = a.model_copy(update={"input_share": s / scale})
    f = Finding(code="reasoning_tokens", severity="info", ids=[],
                message=f"output multiplier {m:g}: {fmt_tokens(tokens_per_day)} tokens/day of stated traffic are "
                        f"{fmt_tokens(tokens_per_day * scale)} tokens/day served and billed (reasoning tokens count "
                        f"as output)")
    return tokens_per_day * scale, a2, [f]
