"""Several workloads: can they share one self-hosted design? And Monte Carlo for one workload."""

from __future__ import annotations

import math
from dataclasses import dataclass

from openvclosed.catalog import Catalog
from openvclosed.decision.designs import Design, horizon_inputs
from openvclosed.decision.options import Option, OptionKind
from openvclosed.decision.recommend import WorkloadDecision
from openvclosed.errors import InputError

__all__ = ["Portfolio", "portfolio", "monte_carlo_for"]


@dataclass
class Portfolio:
    alone_usd_per_month: float
    shared_usd_per_month: float
    design: str | None
    members: list[str]
    flipped: list[str]
    notes: list[str]


def portfolio(decisions: list[WorkloadDecision]) -> Portfolio:
    """Can workloads share one self-hosted design? Price the pooled volume against each alone."""
    alone = {d.workload.name: (d.recommended.usd_per_month if d.recommended else math.inf) for d in decisions}
    best: tuple[float, str, list[str]] | None = None
    designs: dict[str, dict[str, Option]] = {}
    for d in decisions:
        for o in d.options:
            if o.is_self_host and o.feasible:
                designs.setdefault(o.id, {})[d.workload.name] = o
    for name, members in designs.items():
        if len(members) < 2:
            continue
        cand = dict(members)
        while len(cand) >= 2:
            pooled_peak = sum(dd.tokens_per_day * dd.workload.peak_to_mean for dd in decisions if dd.workload.name in cand)
            o0 = next(iter(cand.values()))
            cap = o0.detail["capacity_tokens_per_day"]
            spare = 1 if any(n.code == "uptime" for o in cand.values() for n in o.notes) else 0
            reps = (math.ceil(pooled_peak / cap) if cap > 0 else math.inf) + spare
            shared = reps * o0.detail["replica_usd_per_month"]
            total = shared + sum(v for k, v in alone.items() if k not in cand)
            if best is None or total < best[0]:
                best = (total, name, sorted(cand))
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
    return Portfolio(alone_total, best[0], best[1], best[2], flipped, notes)


def monte_carlo_for(catalog: Catalog, d: WorkloadDecision, n: int, seed: int) -> dict | None:
    """Monte Carlo of the best feasible self-hosted design against the best feasible API.

    Uses the engine's horizon model (discounted at ``rate``, growth, API price decline) and the
    workload's ``uncertainty`` overrides. Peak sizing is kept by running at
    ``utilization / peak_to_mean``. ``None`` when either side has no feasible option.
    """
    from openvclosed.engine.montecarlo import monte_carlo_breakeven

    w = d.workload
    sh = [o for o in d.options if o.feasible and o.is_self_host]
    api = [o for o in d.options if o.feasible and o.is_api]
    if not sh or not api:
        return None
    s, p = sh[0], api[0]
    a = w.resolved_assumptions()
    a = a.model_copy(update={"utilization": a.utilization / w.peak_to_mean})
    det = s.detail
    dep = Design(catalog.gpu(det["gpu"]), det["n_gpus"], catalog.model(det["model"]), det["precision"],
                 rented=s.kind is OptionKind.self_host_cloud)
    base = horizon_inputs(dep, a, d.tokens_per_day, horizon_months=w.horizon_months,
                          growth_per_month=w.growth_per_month,
                          api_price_decline_per_year=w.api_price_decline_per_year)
    try:
        from openvclosed.decision.calibration import with_throughput_uncertainty

        dists = with_throughput_uncertainty(w.uncertainty or None, base.value("bandwidth_eff"))
        mc = monte_carlo_breakeven(base, p.usd_per_mtok, n=n, seed=seed, distributions=dists)
    except ValueError as e:
        raise InputError(f"workloads[{w.name}].uncertainty: {e}") from None
    out = {"selfhost": s.id, "api": p.id, "n": n, "seed": seed, "horizon_months": w.horizon_months}
    for k in ("p_selfhost_cheaper", "saving_usd_mean", "saving_usd_p10", "saving_usd_p50", "saving_usd_p90",
              "crossover_month_p10", "crossover_month_p50", "crossover_month_p90"):
        out[k] = float(mc[k])
    out["distributions"] = mc["distributions"]
    return out


