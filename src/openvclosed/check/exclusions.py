"""Why a workload has no feasible option: per kind of option, the constraints that excluded it.

Read from the options' exclusion findings (their codes: ``sensitivity``, ``tier``, ``no_fit``,
``no_price``, ``latency``, ``licence_*``, ``fine_tune`` ...), counted per code, in a fixed order of
kinds (closed API, hosted open API, self-host owned, self-host rented, hybrid). A kind with no
option at all says so (nothing in the catalog or the workload's candidates; a hybrid only exists
for a task mix with a frontier share below 100%).
"""

from __future__ import annotations

from openvclosed.decision.options import OptionKind
from openvclosed.results.check import KindExclusions

__all__ = ["KindExclusions", "exclusions_by_kind", "exclusion_text", "KIND_LABELS"]

KIND_LABELS: dict[str, str] = {
    OptionKind.closed_api.value: "closed API",
    OptionKind.hosted_open_api.value: "hosted open API",
    OptionKind.self_host.value: "self-host owned",
    OptionKind.self_host_cloud.value: "self-host rented",
    OptionKind.hybrid.value: "hybrid",
}
"""Kinds of option in the order they are reported, with their names for people."""


def exclusions_by_kind(decision) -> list[KindExclusions]:
    """Per kind of option (in KIND_LABELS order): the exclusion codes of the workload's options."""
    out = []
    for kind in KIND_LABELS:
        opts = [o for o in decision.options if o.kind.value == kind]
        codes: dict[str, int] = {}
        first: dict[str, str] = {}
        for o in opts:
            for c in dict.fromkeys(f.code for f in o.excluded_because):
                codes[c] = codes.get(c, 0) + 1
                first.setdefault(c, next(f.message for f in o.excluded_because if f.code == c))
        codes = dict(sorted(codes.items(), key=lambda kv: (-kv[1], kv[0])))
        note = None
        if not opts:
            note = "none in the catalog or the workload's candidates"
            if kind == OptionKind.hybrid.value:
                mix = decision.workload.task_mix.frontier
                note = ("needs a feasible frontier API and a feasible option for the rest" if 0 < mix < 1
                        else "not applicable: the task mix has no frontier share below 100%")
        out.append(KindExclusions(kind=kind, options=len(opts), codes=codes, note=note,
                                  example=first[next(iter(codes))] if codes else None))
    return out


def exclusion_text(rows: list[KindExclusions]) -> str:
    """One line: ``closed API: sensitivity (12); self-host owned: no_fit (5), latency (3); ...``.

    >>> exclusion_text([KindExclusions(kind="closed-api", options=3, codes={"sensitivity": 3}),
    ...                 KindExclusions(kind="hybrid", options=0)])
    'closed API: sensitivity (3 of 3); hybrid: none formed'
    """
    parts = []
    for r in rows:
        label = KIND_LABELS.get(r.kind, r.kind)
        if not r.options:
            parts.append(f"{label}: none formed" + (f" ({r.note})" if r.note else ""))
        elif not r.codes:
            parts.append(f"{label}: {r.options} feasible")
        else:
            parts.append(f"{label}: " + ", ".join(f"{c} ({n} of {r.options})" for c, n in r.codes.items()))
    return "; ".join(parts)
