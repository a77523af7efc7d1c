"""Policies for ``ovc check``: budgets and rules checked against each workload's recommendation.

A ``policy:`` section in the workload file (or ``--policy FILE`` holding the same mapping, which
wins) is validated here — unknown keys, and budget or price-cap keys naming no workload of the
file, are bad input with a did-you-mean, never a warning the run goes on without; :func:`evaluate`
turns decisions into a :class:`CheckResult` — pure, no I/O. A workload with no feasible option
says per kind of option (closed API, hosted open API, self-host owned or rented, hybrid) which
constraints excluded it (:mod:`openvclosed.check.exclusions`). Renderers and the baseline file
live in ``report/check.py`` and ``baseline.py``.
"""

from __future__ import annotations

import datetime as dt
import math

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from openvclosed.catalog import Catalog
from openvclosed.check.exclusions import exclusions_by_kind, exclusion_text
from openvclosed.decision.options import OptionKind
from openvclosed.decision.options import WorkloadDecision
from openvclosed.errors import InputError
from openvclosed.results.base import Finding
from openvclosed.results.check import CheckResult, WorkloadCheck
from openvclosed.decision.workload import Deployment, Sensitivity

__all__ = ["Policy", "Finding", "WorkloadCheck", "CheckResult", "evaluate", "parse_policy"]


MAX_USD_PER_MONTH = 1e12
"""Largest plausible monthly budget (USD); budgets are in (0, MAX_USD_PER_MONTH]."""
MAX_USD_PER_MTOK = 1e6
"""Largest plausible price cap per 1M tokens (USD)."""

Budget = Annotated[float, Field(gt=0, le=MAX_USD_PER_MONTH, allow_inf_nan=False)]
PerMtok = Annotated[float, Field(gt=0, le=MAX_USD_PER_MTOK, allow_inf_nan=False)]


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    budget_usd_per_month: dict[str, Budget] = Field(
        default_factory=dict, description="Monthly budget per workload name, and `total` for all of them [USD].")
    max_usd_per_mtok: PerMtok | dict[str, PerMtok] | None = Field(
        None, description="Most a recommended option may cost per 1M tokens (one number, or per workload).")
    required_deployment: dict[Sensitivity, list[Deployment]] = Field(
        default_factory=dict, description="Deployments a sensitivity class must use, e.g. regulated: [self-host].")
    disallowed_licences: list[str] = Field(
        default_factory=list, description="Licence names or SPDX ids a self-hosted/hosted model may not carry.")
    max_payback_months: float | None = Field(None, gt=0, le=1200, allow_inf_nan=False, description="Most months owned hardware may take to pay back.")
    max_price_age_days: int | None = Field(None, gt=0, le=36500, description="Prices used may be at most this old.")


def _did_you_mean(name: str, choices) -> str:
    import difflib

    close = difflib.get_close_matches(str(name), list(choices), n=1, cutoff=0.6)
    return f"did you mean {_quoted(close[0])}? " if close else ""


def _key(k) -> str:
    """A key from the file for an error line: as is when it is a plain word, else quoted and escaped."""
    import re

    k = str(k)
    if re.fullmatch(r"[A-Za-z0-9_.-]{1,60}", k):
        return k
    return _no_legacy(repr(k[:60]))


def _no_legacy(s: str) -> str:
    """No workflow command in an error line: the legacy ``##[`` form and ``::`` broken up."""
    return s.replace("##[", "##\\[").replace("::", ":\\:")


def _quoted(k) -> str:
    k = _key(k)
    return k if k.startswith(("'", '"')) else f"'{k}'"


def parse_policy(data, label: str, workloads: list[str] | None = None) -> Policy:
    """The policy of ``label``; with ``workloads`` (the file's names), a budget or price cap for a
    name not among them is refused (exit 2) with the closest name — a misspelt key would
    otherwise leave the real workload without its budget."""
    if data is None:
        return Policy()
    if not isinstance(data, dict):
        raise InputError(f"{label}: policy must be a mapping (see docs/ci.md)")
    try:
        pol = Policy.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        loc = ".".join(_key(p) for p in err["loc"])
        msg = ("must be one of " + err["ctx"]["expected"]) if err["type"] == "literal_error" else err["msg"]
        if err["type"] == "extra_forbidden":
            bad = err["loc"][-1]  # only the top level is closed; its keys come from the file
            raise InputError(f"{label}: policy.{_key(bad)}: unknown field; {_did_you_mean(bad, Policy.model_fields)}"
                             "allowed: " + ", ".join(Policy.model_fields)) from None
        got = ""
        if err["type"] not in ("extra_forbidden", "missing") and "input" in err:
            got = f" (got {_no_legacy(repr(str(err['input'])[:40]))})"
        raise InputError(f"{label}: policy.{loc}: {msg}{got}") from None
    for k in pol.required_deployment:
        if not pol.required_deployment[k]:
            raise InputError(f"{label}: policy.required_deployment.{k}: an empty list allows no deployment at all; "
                             "list the allowed ones (closed-api, closed-api-zdr, hosted-open-api, self-host, "
                             "self-host-cloud) or remove the key")
    if workloads is not None:
        names = list(workloads)
        caps = pol.max_usd_per_mtok if isinstance(pol.max_usd_per_mtok, dict) else {}
        for field, keys, extra in (("budget_usd_per_month", pol.budget_usd_per_month, ["total"]),
                                   ("max_usd_per_mtok", caps, [])):
            for k in keys:
                if k not in names and k not in extra:
                    raise InputError(f"{label}: policy.{field}: {_quoted(k)} is not a workload of the file; "
                                     f"{_did_you_mean(k, names + extra)}workloads: "
                                     + ", ".join(_key(n) for n in names[:10]) + (" ..." if len(names) > 10 else "")
                                     + (" (and `total`)" if extra else ""))
    return pol




def _licence_of(catalog: Catalog, d: WorkloadDecision):
    """The open models the recommended option serves (by id: a self-hosted or hosted model, or a hybrid's part)."""
    o = d.recommended
    if o is None or o.model is None:
        return []
    return [catalog.models[o.model]] if o.model in catalog.models else []


def _deployments_of(d: WorkloadDecision) -> set[str]:
    o = d.recommended
    if o is None:
        return set()
    if o.kind is OptionKind.hybrid:
        kinds = {"closed-api", o.detail.get("rest_kind", "")}
    else:
        kinds = {o.kind.value}
    zdr = set(d.workload.zero_retention_apis)
    ids = {o.id, *o.parts}
    if "closed-api" in kinds and ids & zdr:
        kinds.add("closed-api-zdr")
    return kinds


def evaluate(catalog: Catalog, decisions: list[WorkloadDecision], policy: Policy, *, file: str,
             today: dt.date, price_dates: list, warnings: list[Finding] = ()) -> CheckResult:
    """Check every workload's recommended option against ``policy``; ``warnings`` (stale prices)
    are carried on the result, after the checks' own findings."""
    findings: list[Finding] = []
    rows: list[WorkloadCheck] = []
    total = 0.0

    def fail(check, workload, msg):
        findings.append(Finding(code=check, severity="failure", ids=[workload] if workload else [], message=msg))

    for d in decisions:
        w = d.workload
        o = d.recommended
        before = len(findings)
        excl = exclusions_by_kind(d) if o is None else []
        if o is None:
            fail("feasible", w.name, "no feasible option: " + exclusion_text(excl))
        else:
            total += o.usd_per_month
            budget = policy.budget_usd_per_month.get(w.name)
            if budget is not None and o.usd_per_month > budget:
                fail("budget", w.name, f"{o.name} costs ${o.usd_per_month:,.0f}/month > budget ${budget:,.0f} "
                                       f"(over by ${o.usd_per_month - budget:,.0f})")
            cap = policy.max_usd_per_mtok
            cap = cap.get(w.name) if isinstance(cap, dict) else cap
            if cap is not None and o.usd_per_mtok > cap:
                fail("max_usd_per_mtok", w.name, f"{o.name} costs ${o.usd_per_mtok:.3f} per 1M tokens > ${cap:g}")
            req = policy.required_deployment.get(w.sensitivity)
            if req:
                used = _deployments_of(d)
                bad = {k for k in used if k not in req and not (k == "closed-api" and "closed-api-zdr" in used
                                                                and "closed-api-zdr" in req)}
                if bad:
                    fail("required_deployment", w.name,
                         f"{w.sensitivity} data must use {', '.join(req)}; the recommendation uses {', '.join(sorted(bad))}")
            for m in _licence_of(catalog, d):
                names = {m.license.name.lower(), (m.license.spdx or "").lower()}
                if any(x.lower() in names for x in policy.disallowed_licences):
                    fail("disallowed_licences", w.name, f"{m.id} is under {m.license.name}, which policy disallows")
            if policy.max_payback_months is not None and o.kind is OptionKind.self_host:
                pb = o.payback_months
                if not math.isnan(pb) and pb > policy.max_payback_months:
                    fail("max_payback_months", w.name, f"{o.name} pays back in "
                                                       f"{'never' if math.isinf(pb) else f'{pb:.1f} months'} > "
                                                       f"{policy.max_payback_months:g}")
        rows.append(WorkloadCheck(
            name=w.name, recommended_kind=o.kind.value if o else None, recommended_name=o.name if o else None,
            usd_per_month=o.usd_per_month if o else None, usd_per_mtok=o.usd_per_mtok if o else None,
            budget_usd_per_month=policy.budget_usd_per_month.get(w.name),
            feasible_options=sorted(x.name for x in d.options if x.feasible), passed=len(findings) == before,
            excluded=excl))
    total_budget = policy.budget_usd_per_month.get("total")
    if total_budget is not None and total > total_budget:
        fail("budget", None, f"all workloads cost ${total:,.0f}/month > total budget ${total_budget:,.0f}")
    for dp in price_dates:
        label, when = dp.label, dp.as_of
        if when is None:
            continue
        age = (today - when).days
        if policy.max_price_age_days is not None and age > policy.max_price_age_days:
            fail("max_price_age_days", None, f"{label} is {age} days old > {policy.max_price_age_days}")
    findings += [f for f in warnings if f.severity != "failure"]
    passed = not any(f.severity == "failure" for f in findings)
    return CheckResult(generated=today.isoformat(), file=file, total_usd_per_month=total,
                       total_budget_usd_per_month=total_budget, workloads=rows, findings=findings, passed=passed)
