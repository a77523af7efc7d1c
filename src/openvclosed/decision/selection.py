"""The selection service: which model and precision, does it fit, and what findings it carries.

Every front end (breakeven, fit, recommend, usage reprice, sweep) picks models and precisions
and writes its findings through these functions, so the same design gets the same answer and
the same warnings everywhere. Findings are :class:`~openvclosed.results.base.Finding` records
(codes, not prose that code parses).
"""

from __future__ import annotations

import datetime as dt
import math

from openvclosed.catalog import TIERS, ApiEntry, Catalog, GpuEntry, ModelEntry
from openvclosed.decision.assumptions import Assumptions
from openvclosed.decision.designs import Design, evaluate, precisions_for, quant_risk
from openvclosed.engine import PRECISION_BITS
from openvclosed.errors import InputError
from openvclosed.results.base import Finding

__all__ = ["apply_output_multiplier", "default_model_finding", "check_precision", "fits", "choose", "choose_default_model", "suggest", "design_findings",
           "like_for_like", "licence_findings", "default_apis", "stale_findings", "gpu_price_dates",
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
                     severity: str = "warning") -> list[Finding]:
    """Licence conditions of ``model``; an MAU threshold the workload exceeds is an exclusion."""
    lic = model.license
    out = []
    if not lic.commercial_use:
        out.append(Finding(code="licence_commercial", severity="exclusion" if severity == "exclusion" else "warning",
                           ids=[model.id], message=f"licence {lic.name}: no commercial use"))
    if lic.mau_limit:
        if monthly_active_users and monthly_active_users > lic.mau_limit:
            out.append(Finding(code="licence_mau", severity="exclusion", ids=[model.id],
                               message=f"licence {lic.name}: {monthly_active_users:,} monthly active users > "
                                       f"{lic.mau_limit:,} limit; needs a separate grant from the licensor"))
        elif monthly_active_users is None:
            out.append(Finding(code="licence_mau", severity="info", ids=[model.id],
                               message=f"{model.id} licence ({lic.name}) needs a separate grant above "
                                       f"{lic.mau_limit:,} monthly active users"))
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
    if d.gpu.vendor.lower() == "nvidia" and d.gpu.segment == "consumer":
        out.append(Finding(code="driver_licence", severity="info", ids=[d.gpu.id],
                           message=f"{d.gpu.id}: NVIDIA's GeForce driver licence does not allow datacenter deployment "
                                   f"(https://www.nvidia.com/en-us/drivers/geforce-license/); an office or lab server is "
                                   f"fine, a colocation rack or a regulated data centre needs data-centre GPUs"))
    return out + licence_findings(m)


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
    """Each closed provider's flagship, cheapest mid (standard-tier) and cheapest small model, plus the
    cheapest hosted offer of ``model``."""
    picks: list[ApiEntry] = []
    closed = [a for a in catalog.apis.values() if a.kind == "closed"]
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


def gpu_price_dates(gpu: GpuEntry, a: Assumptions, rented: bool) -> list[tuple[str, str, dt.date | None]]:
    """(id, label, as_of) of the catalog GPU price a self-hosted cost rests on (none when overridden)."""
    if rented:
        return [] if a.gpu_hour_usd is not None else [(gpu.id, f"cloud price of {gpu.id}", gpu.cloud_as_of)]
    return [] if a.gpu_price_usd is not None else [(gpu.id, f"purchase price of {gpu.id}", gpu.price_as_of)]


def stale_findings(items: list[tuple[str, str, dt.date | None]], today: dt.date, max_age_days: int) -> list[Finding]:
    """One ``stale_price`` finding per dated figure older than ``max_age_days`` (de-duplicated)."""
    out, seen = [], set()
    for id_, label, when in items:
        if when is None or (id_, label) in seen:
            continue
        seen.add((id_, label))
        age = (today - when).days
        if age > max_age_days:
            out.append(Finding(code="stale_price", ids=[id_],
                               message=f"{label} is {age} days old (as_of {when}); prices move fast — "
                                       f"check it or override it with --catalog FILE"))
    return out


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
