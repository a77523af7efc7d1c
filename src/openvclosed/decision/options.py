"""Options of a workload and the rules that exclude or annotate them (with typed findings).

An :class:`Option` is one way to serve a workload: a closed API, a hosted open-weight API, a
self-hosted design (owned or rented) or a hybrid. Its ``kind`` is an :class:`OptionKind`, whose
values are the deployment names of workload files and policies (one vocabulary). Rules leave
:class:`~openvclosed.results.base.Finding` records on the option; ranking and rendering read
their codes, never their text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

from openvclosed.catalog import TIERS, ApiEntry
from openvclosed.catalog.base import CAPABILITY_INDEX, CAPABILITY_VERSION, TIER_FLOORS
from openvclosed.decision.designs import Design
from openvclosed.decision.workload import Workload
from openvclosed.engine.design import DesignEval
from openvclosed.results.base import Finding

__all__ = ["OptionKind", "Option", "API_KINDS", "SELF_HOST_KINDS", "tier_needed", "rest_tier_needed", "serves", "capability_rule", "allowed",
           "share_text", "HybridSplit", "WorkloadDecision"]


class OptionKind(str, Enum):
    """How an option is deployed. Values are the deployment names of workload files and policies."""

    closed_api = "closed-api"
    hosted_open_api = "hosted-open-api"
    self_host = "self-host"          # owned hardware
    self_host_cloud = "self-host-cloud"  # rented cloud GPUs
    hybrid = "hybrid"

    def __str__(self) -> str:
        return self.value


API_KINDS = (OptionKind.closed_api, OptionKind.hosted_open_api)
SELF_HOST_KINDS = (OptionKind.self_host, OptionKind.self_host_cloud)


@dataclass(frozen=True)
class HybridSplit:
    """How a hybrid routes: the frontier share to ``members[0]``, the rest to ``members[1]``, plus the router."""

    frontier_share: float
    frontier_usd_per_month: float
    rest_usd_per_month: float
    router_usd_per_month: float


@dataclass
class Option:
    """One option with its cost, feasibility and findings.

    ``id`` is stable (an API id, a design id such as ``2xrtx4090/llama-3.1-8b/fp16/owned``, or
    ``hybrid:<frontier api>+<rest id>``); ``name`` is for people. ``parts`` lists the ids a hybrid
    is made of (``members`` the options themselves); ``model`` is the open model served
    (self-hosted or hosted), if any. A self-hosted option holds its typed ``design``, the
    engine's evaluation ``figures`` (a one-design :class:`~openvclosed.engine.design.DesignEval`:
    replicas with the spare, capacity, each cost part) and ``comparison``, the engine's comparison
    with the workload's reference API (:func:`openvclosed.engine.breakeven.compare_with_api`).
    An API option holds its catalog ``api``.
    """

    kind: OptionKind
    id: str
    name: str
    usd_per_month: float
    usd_per_mtok: float
    horizon_usd: float
    tier: str
    feasible: bool = True
    excluded_because: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    breakeven_tokens_per_day: float = math.nan
    payback_months: float = math.nan
    capex_usd: float = math.nan
    model: str | None = None
    parts: list[str] = field(default_factory=list)
    design: Design | None = None
    figures: DesignEval | None = None
    api: ApiEntry | None = None
    members: list["Option"] = field(default_factory=list)
    hybrid: HybridSplit | None = None
    comparison: dict | None = None      # compare_with_api at the workload's volume, floats, + win intervals
    reference_api: str | None = None    # the API the comparison is against
    price_basis: str = ""
    layout_reason: str = ""
    engine: str | None = None
    capability_score: float | None = None  # the model's score on the one capability scale; None: unrated
    serving_overrides: dict = field(default_factory=dict)  # engine inputs the decision sized it with (batch_cap, utilization, peak_to_mean)
    sizing: dict | None = None  # how it was sized (decision/sizing.py), for the result and the report
    tokens_per_reference_token: float | None = None  # the model's tokenizer vs o200k_base (cited); None: unknown

    def exclude(self, code: str, message: str, *ids: str) -> None:
        self.feasible = False
        self.excluded_because.append(Finding(code=code, severity="exclusion", ids=[self.id, *ids], message=message))

    def note(self, code: str, message: str, *ids: str, severity: str = "info") -> None:
        self.notes.append(Finding(code=code, severity=severity, ids=[self.id, *ids], message=message))

    def excluded_for(self, *codes: str) -> bool:
        return any(f.code in codes for f in self.excluded_because)

    def blockers(self, *ignore: str) -> list[Finding]:
        """Exclusions other than those with codes in ``ignore``."""
        return [f for f in self.excluded_because if f.code not in ignore]

    @property
    def is_api(self) -> bool:
        return self.kind in API_KINDS

    @property
    def is_self_host(self) -> bool:
        return self.kind in SELF_HOST_KINDS

    def breakeven_against(self, usd_per_mtok: float) -> float:
        """Break-even of this option's staircase against an API price [tokens/day] (``inf`` = never)."""
        from openvclosed.engine.breakeven import breakeven_of

        return float(breakeven_of(self.figures, usd_per_mtok)) if self.figures is not None else math.inf

    def fig(self, name: str) -> float:
        """One figure of the design's evaluation as a float (``nan`` for options without a design)."""
        return math.nan if self.figures is None else float(getattr(self.figures, name))

    @property
    def detail(self) -> dict:
        """The ``detail`` object of the JSON contract (schema v2), built from the typed fields in
        this one place; nothing reads it back."""
        if self.api is not None:
            return {"source": self.api.source, "as_of": str(self.api.as_of), "catalog": self.api.catalog}
        if self.hybrid is not None:
            fa, rest = self.members[0], self.members[1]
            return {"frontier_api": fa.id, "frontier_usd_per_month": self.hybrid.frontier_usd_per_month,
                    "rest": rest.id, "rest_name": rest.name, "rest_kind": rest.kind.value,
                    "rest_usd_per_month": self.hybrid.rest_usd_per_month,
                    "rest_gpu": rest.design.gpu.id if rest.design is not None else None,
                    "router_usd_per_month": self.hybrid.router_usd_per_month,
                    "frontier_share": self.hybrid.frontier_share}
        if self.design is None or self.figures is None:
            return {}
        d, f = self.design, self.fig
        dpm = f("days_per_month")
        out = {"gpu": d.gpu.id, "n_gpus": d.n_gpus, "model": d.model.id, "precision": d.precision, "mode": d.mode,
               "replicas": f("replicas"), "spare_replicas": f("spare_replicas"),
               "max_concurrent_seqs": f("max_seqs"), "batch": f("batch"), "decode_tokens_per_s_single": f("decode_tokens_per_s_single"),
               "decode_tokens_per_s": f("decode_tokens_per_s"), "capacity_tokens_per_day": f("capacity_tokens_per_day"),
               "replica_usd_per_day": f("replica_usd_per_day"), "replica_usd_per_month": f("replica_usd_per_day") * dpm,
               "running_usd_per_month": f("running_usd_per_replica_day") * dpm,
               "prefill_tokens_per_s": f("prefill_tokens_per_s"), "tp": int(f("tp")), "instances": int(f("instances")),
               "engine": self.engine, "layout_reason": self.layout_reason}
        if self.price_basis:
            out["price_basis"] = self.price_basis
        return out

    @property
    def rest(self) -> "Option | None":
        """A hybrid's non-frontier member."""
        return self.members[1] if self.hybrid is not None and len(self.members) > 1 else None


@dataclass
class WorkloadDecision:
    """Everything decided for one workload: options ranked (feasible first), the recommendation and
    the best feasible option of another kind (by id among ``options``), the reference API the
    self-hosted options are compared with, reasons, switching advice, findings, and — when asked —
    Monte Carlo and sensitivity of the recommendation against the runner-up (``uncertainty``)."""

    workload: Workload
    tokens_per_day: float
    options: list[Option]
    recommended: Option | None
    reasons: list[str]
    switching: list[str]
    findings: list[Finding]
    runner_up: Option | None = None
    reference_api: Option | None = None
    assumptions: object = None
    uncertainty: dict | None = None
    selfhost_feasible: list[Option] = field(default_factory=list)  # every feasible design (the portfolio pools them)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


def rest_tier_needed(w: Workload) -> str:
    """The tier the non-frontier share of the work needs (what a hybrid's second member serves)."""
    return "standard" if w.task_mix.standard > 0 else "simple"


def tier_needed(w: Workload) -> str:
    mix = w.task_mix
    if mix.frontier > 0:
        return "frontier"
    if mix.standard > 0:
        return "standard"
    return "simple"


def serves(tier: str, needed: str) -> bool:
    return TIERS.index(tier) >= TIERS.index(needed)


def capability_rule(o: "Option", what: str, score: float | None, tier: str, w: Workload, needed: str) -> None:
    """Exclude ``o`` when ``what`` (its model) is below the floor of the tier the work needs
    (``tier``), or below the workload's ``min_capability``; the message names score and floor."""
    o.capability_score = score
    scale = f"{CAPABILITY_INDEX} {CAPABILITY_VERSION}"
    vouch = "vouch for it with `capability:` in the workload or a user catalog"
    if not serves(tier, needed):
        if score is None:
            o.exclude("tier", f"{what} is unrated on the {scale}: simple work only unless you {vouch}; "
                              f"{share_text(w, needed)} needs the {needed} floor {TIER_FLOORS[needed]:g}")
        else:
            o.exclude("tier", f"{what} scores {score:g} on the {scale}, below the {needed} floor "
                              f"{TIER_FLOORS[needed]:g} that {share_text(w, needed)} needs")
    if w.min_capability is not None and (score is None or score < w.min_capability):
        o.exclude("min_capability", f"{what} " + ("is unrated" if score is None else f"scores {score:g}")
                  + f" on the {scale}; the workload asks for min_capability {w.min_capability:g}")


def share_text(w: Workload, needed: str) -> str:
    share = getattr(w.task_mix, needed)
    return f"the {share:.0%} {needed} share"


def allowed(kind: OptionKind, w: Workload, rules: dict, api: ApiEntry | None = None) -> str | None:
    """None when the sensitivity rules allow this deployment, else the reason."""
    ok = set(rules[w.sensitivity])
    if kind in API_KINDS:
        if kind.value in ok:
            return None
        if "closed-api-zdr" in ok and api is not None and api.id in w.zero_retention_apis:
            return None
        extra = " (list it in zero_retention_apis if you have a zero-data-retention agreement)" \
            if "closed-api-zdr" in ok else ""
        return f"sensitivity {w.sensitivity}: data may not go to a third-party API{extra}"
    if kind.value not in ok:
        where = "rented cloud GPUs" if kind is OptionKind.self_host_cloud else "self-hosting"
        return f"sensitivity {w.sensitivity}: {where} not allowed (allowed: {', '.join(sorted(ok))})"
    return None
