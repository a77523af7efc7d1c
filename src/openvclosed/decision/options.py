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
from openvclosed.decision.workload import Workload
from openvclosed.results.base import Finding

__all__ = ["OptionKind", "Option", "API_KINDS", "SELF_HOST_KINDS", "tier_needed", "serves", "allowed", "share_text"]


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


@dataclass
class Option:
    """One option with its cost, feasibility and findings.

    ``id`` is stable (an API id, a design id such as ``2xrtx4090/llama-3.1-8b/fp16/owned``, or
    ``hybrid:<frontier api>+<rest id>``); ``name`` is for people. ``parts`` lists the ids a hybrid
    is made of; ``model`` is the open model served (self-hosted or hosted), if any.
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
    detail: dict = field(default_factory=dict)

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


def tier_needed(w: Workload) -> str:
    mix = w.task_mix
    if mix.frontier > 0:
        return "frontier"
    if mix.standard > 0:
        return "standard"
    return "simple"


def serves(tier: str, needed: str) -> bool:
    return TIERS.index(tier) >= TIERS.index(needed)


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
