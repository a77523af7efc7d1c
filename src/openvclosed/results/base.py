"""The base of every result object, and findings: warnings, exclusions and failures as data.

A :class:`Finding` has a stable ``code`` (:data:`CODES`), a ``severity``, the ``ids`` it
concerns and a ``message`` for people. Code ranks, filters, de-duplicates and renders on the
code and fields; the message is only ever printed (escaped for its channel).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_serializer

__all__ = ["SCHEMA_VERSION", "ResultModel", "Finding", "CODES", "Severity", "dedupe"]

SCHEMA_VERSION = 2


def _clean(v):
    """JSON form of a value: floats rounded to 6 decimals, nan/inf ("never") as null, recursively."""
    if isinstance(v, float):
        return None if (math.isnan(v) or math.isinf(v)) else round(v, 6)
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v


class ResultModel(BaseModel):
    """Base of every JSON result object: unknown fields rejected, numbers cleaned by :func:`_clean`."""

    # defer_build: a result class is built when first used (start-up: a command uses a few of them)
    model_config = ConfigDict(extra="forbid", defer_build=True)

    @field_serializer("*", when_used="json")
    def _ser(self, v):
        return _clean(v)



CODES: dict[str, str] = {
    "stale_price": "a price the answer rests on is older than the threshold",
    "no_fit": "weights + KV cache do not fit the hardware",
    "no_price": "the catalog has no price or spec needed to cost a design",
    "sensitivity": "the workload's data sensitivity does not allow this deployment",
    "tier": "the option's model scores below the capability floor of the tier the work needs (or is unrated)",
    "min_capability": "the option's model scores below the workload's min_capability (or is unrated)",
    "overpay": "simple work sent to a frontier model",
    "fine_tune": "fine-tuning on proprietary data needs the weights",
    "fine_tune_host": "fine-tuned weights must be uploaded to a host that serves custom weights",
    "latency": "a latency target is not met",
    "latency_unchecked": "no measured speed to check a latency target against",
    "uptime": "an uptime target adds a spare replica (N+1)",
    "licence_mau": "monthly active users above a licence threshold",
    "licence_commercial": "the licence does not allow commercial use",
    "licence_condition": "a licence condition (naming, attribution, use policy, field of use) applies",
    "licence_revenue": "a licence clause tied to the licensee's revenue",
    "quant_risk": "weights quantized below the released precision",
    "like_for_like": "an API of a higher capability tier is compared with a weaker model",
    "day_buckets": "usage logs in day buckets underestimate the hourly peak",
    "unpriced_model": "a logged model is not in the catalog",
    "usage_window": "something about the usage logs' time window (short, gappy, day buckets)",
    "price_history": "logged traffic met more than one recorded API price, or predates the first one",
    "skipped": "an analysis was skipped and why",
    "no_option": "no option satisfies every constraint",
    "budget": "a monthly budget is exceeded (ovc check)",
    "max_usd_per_mtok": "the recommended option costs more per 1M tokens than the policy allows",
    "required_deployment": "the recommendation uses a deployment the policy forbids for the sensitivity",
    "disallowed_licences": "the recommended model's licence is disallowed by policy",
    "max_payback_months": "owned hardware pays back slower than the policy allows",
    "max_price_age_days": "a price used is older than the policy allows",
    "feasible": "no option satisfies the workload's constraints (ovc check)",
    "hybrid_split": "how a hybrid option routes the work",
    "reasoning_tokens": "a reasoning-output multiplier scaled the traffic",
    "driver_licence": "a consumer GPU's driver licence excludes datacenter deployment",
    "default_model": "how the model was chosen when none was named",
    "calibration_bound": "a calibrated parameter stopped at its physical bound: the deployment is faster or slower than the serving model explains",
    "throughput_drift": "measured throughput of the deployed design is below what the decision assumed (ovc check --measured)",
    "calibration_input": "what ovc calibrate took from the result files where no flag said (model, GPU, bits)",
}
"""Every finding code, with what it means (docs/json.md lists the same)."""

Severity = Literal["info", "warning", "exclusion", "failure"]


class Finding(ResultModel):
    """One warning, exclusion, policy failure or note, as data."""

    code: str
    severity: Severity = "warning"
    ids: list[str] = []
    message: str

    def key(self) -> tuple:
        return (self.code, tuple(self.ids), self.message)


def dedupe(findings: list[Finding]) -> list[Finding]:
    """Findings in first-seen order without repeats (same code, ids and message)."""
    seen: set[tuple] = set()
    out = []
    for f in findings:
        if f.key() not in seen:
            seen.add(f.key())
            out.append(f)
    return out
