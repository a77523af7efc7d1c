"""Several workloads: can they share one self-hosted design? The pooled peak priced on the engine's staircase,
one operations team for the shared cluster (each workload alone pays its own)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from openvclosed.decision.options import Option, WorkloadDecision
from openvclosed.engine.breakeven import selfhost_usd_per_day, staircase_replicas
from openvclosed.engine.period import per_month_from_day

__all__ = ["Portfolio", "portfolio"]


@dataclass
class Portfolio:
    alone_usd_per_month: float
    shared_usd_per_month: float
    design: str | None
    members: list[str]
    flipped: list[str]
    notes: list[str]
    replicas: float | None = None


def _pooled(o0: Option, members: dict[str, Option], decisions: list[WorkloadDecision]) -> tuple[float, float]:
    """(USD/month, replicas) of one design carrying the members' pooled peak: the engine's staircase at
    the design's peak capacity, one spare if any member needs N+1, the team paid once."""
    f = o0.figures
    peak = sum(d.tokens_per_day * d.workload.peak_to_mean for d in decisions if d.workload.name in members)
    spare = max(float(o.figures.spare_replicas) for o in members.values())
    day = selfhost_usd_per_day(peak, f.capacity_tokens_per_day, f.replica_usd_per_day, spare, f.fixed_usd_per_day)
    return float(per_month_from_day(day, f.days_per_month)), float(staircase_replicas(peak, f.capacity_tokens_per_day,
                                                                                      spare))


def portfolio(decisions: list[WorkloadDecision]) -> Portfolio:
    """Can workloads share one self-hosted design? Price the pooled volume against each alone."""
    alone = {d.workload.name: (d.recommended.usd_per_month if d.recommended else math.inf) for d in decisions}
    best: tuple[float, str, list[str], float] | None = None
    designs: dict[str, dict[str, Option]] = {}
    for d in decisions:
        for o in d.selfhost_feasible or [o for o in d.options if o.is_self_host and o.feasible]:
            designs.setdefault(o.id, {})[d.workload.name] = o
    for name, members in designs.items():
        if len(members) < 2:
            continue
        cand = dict(members)
        while len(cand) >= 2:
            shared, reps = _pooled(next(iter(cand.values())), cand, decisions)
            total = shared + sum(v for k, v in alone.items() if k not in cand)
            if best is None or total < best[0]:
                best = (total, name, sorted(cand), reps)
            worst = min(cand, key=lambda k: alone[k])
            del cand[worst]
    alone_total = sum(alone.values())
    if best is None or best[0] >= alone_total - max(0.01 * alone_total, 10.0):
        return Portfolio(alone_total, alone_total, None, [], [],
                         ["no shared self-hosted cluster beats deciding each workload alone by more than 1%"])
    flipped = [dd.workload.name for dd in decisions if dd.workload.name in best[2] and dd.recommended
               and not dd.recommended.is_self_host]
    notes = [f"pooling {', '.join(best[2])} on {best[1]} saves ${alone_total - best[0]:,.0f}/month"]
    if flipped:
        notes.append(f"consolidation flips {', '.join(flipped)} from an API to the shared cluster")
    return Portfolio(alone_total, best[0], best[1], best[2], flipped, notes, best[3])
