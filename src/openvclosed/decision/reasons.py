"""The reasons behind a recommendation and how to stay able to switch (prose for people, built
from option kinds and finding codes)."""

from __future__ import annotations

import math

from openvclosed.decision.options import Option, OptionKind
from openvclosed.decision.selection import fmt_tokens

__all__ = ["reasons_for"]


def reasons_for(w, rec: Option | None, other: Option | None, options: list[Option],
                cheapest_api: Option | None) -> tuple[list[str], list[str]]:
    reasons: list[str] = []
    if rec is None:
        return ["nothing is feasible under the workload's constraints"], []
    why = {"regulated": "data may not leave own infrastructure", "confidential":
           "only zero-retention agreements or own/rented infrastructure"}.get(w.sensitivity)
    if why:
        n_ex = sum(1 for o in options if o.excluded_for("sensitivity"))
        reasons.append(f"sensitivity {w.sensitivity}: {why} — {n_ex} options excluded for it")
    if w.fine_tune:
        reasons.append("fine-tuning on proprietary data needs open weights: closed APIs excluded")
    reasons.append(f"cheapest feasible option over {w.horizon_months} months: ${rec.horizon_usd:,.0f} "
                   f"(${rec.usd_per_month:,.0f}/month now, ${rec.usd_per_mtok:.3f} per 1M tokens)")
    if other:
        reasons.append(f"next other kind: {other.kind} {other.name} at ${other.horizon_usd:,.0f} over the horizon "
                       f"({other.horizon_usd / rec.horizon_usd:.1f}x)" if rec.horizon_usd > 0 else
                       f"next other kind: {other.kind} {other.name}")
    if w.task_mix.frontier > 0:
        reasons.append(f"{w.task_mix.frontier:.0%} of the work is frontier-tier: it needs a frontier model "
                       f"(today mostly closed)")
    if rec.kind is OptionKind.closed_api and rec.tier == "frontier" and w.task_mix.simple > 0:
        reasons.append(f"{w.task_mix.simple:.0%} simple work on a frontier API overpays: route it to a small model")
    for n in [n for n in rec.notes if n.code != "overpay"][:2]:
        reasons.append(n.message)
    switching = ["put an OpenAI-compatible gateway in front of every model (vLLM, SGLang and most hosts speak "
                 "the same API), so switching is a config change",
                 "keep an evaluation set of your own tasks with expected outputs and re-run it on each candidate"]
    if rec.is_self_host and cheapest_api is not None and rec.comparison is not None:
        be = rec.comparison["breakeven_tokens_per_day"]
        if math.isfinite(be):
            switching.append(f"the answer flips below about {fmt_tokens(be)} tokens/day: under that "
                             f"{cheapest_api.name} is cheaper at some volumes")
    elif rec.is_api:
        sh = [o for o in options if o.is_self_host and o.feasible]
        bes = sorted(((o.breakeven_against(rec.usd_per_mtok), o.name) for o in sh), key=lambda x: x[0])
        if bes and math.isfinite(bes[0][0]):
            switching.append(f"self-hosting ({bes[0][1]}) is cheaper at every volume above about "
                             f"{fmt_tokens(bes[0][0])} tokens/day")
        elif sh:
            switching.append("no self-hosted design in the candidates beats this API at any volume")
    return reasons[:6], switching
