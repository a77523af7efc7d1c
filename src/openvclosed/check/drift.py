"""``ovc check --measured``: the deployed design's measured throughput against what the decision assumed.

The deployed design is the self-hosted part of a workload's recommendation (the design itself, or
the self-hosted member of a hybrid). Every measured point is predicted by the serving function at
its own concurrency and lengths for that design (:func:`openvclosed.decision.calibrate.predict_points`,
with the profiles the decision used); the drift is

    ratio = median over points of (measured / predicted)   [throughput; TTFT-only points: predicted / measured TTFT]

and the check fails when ``ratio < 1 - tolerance``. What that does to cost and break-even: the
profile is calibrated on the same points (``ovc calibrate``) and the workload decided again under
it; the finding gives both designs' replicas, monthly cost and break-even.
"""

from __future__ import annotations

import math

import numpy as np

from openvclosed.errors import InputError
from openvclosed.results.base import Finding

__all__ = ["deployed_option", "measured_drift"]


def deployed_option(decision):
    """The self-hosted option a workload's recommendation deploys (None: all API)."""
    o = decision.recommended
    if o is None:
        return None
    if o.design is not None:
        return o
    return next((m for m in o.members if m.design is not None), None)


def _tokens(v: float) -> str:
    if not math.isfinite(v):
        return "never"
    return f"{v / 1e9:,.2f}B tokens/day" if v >= 1e9 else f"{v / 1e6:,.0f}M tokens/day"


def measured_drift(catalog, rec, wf, files, *, tolerance: float, workload: str | None, as_of=None,
                   concurrency: float | None = None) -> tuple[list[Finding], str | None]:
    """Findings of the drift check and the workload it failed (None when it passes)."""
    from contextlib import nullcontext

    from openvclosed.decision.benchfiles import read_bench_points
    from openvclosed.decision.calibrate import Deployment, calibrate, predict_points
    from openvclosed.decision.calibration import calibrated_profiles, current_profiles, using_profiles
    from openvclosed.decision.recommend import recommend_file

    names = [d.workload.name for d in rec.decisions]
    if workload is not None and workload not in names:
        raise InputError(f"--measured-workload: {workload!r} is not a workload of the file; choose from {', '.join(names)}")
    deployed = [(d, deployed_option(d)) for d in rec.decisions if workload in (None, d.workload.name)]
    deployed = [(d, o) for d, o in deployed if o is not None]
    if workload is None and len(deployed) > 1:
        raise InputError("--measured-workload: needed; the recommendations of "
                         + ", ".join(d.workload.name for d, _ in deployed) + " all self-host")
    points, notes = read_bench_points(files, concurrency)
    findings = [Finding(code="skipped", severity="info", message=n) for n in notes]
    if not deployed:
        findings.append(Finding(code="skipped", severity="info", ids=[workload] if workload else [],
                                message="--measured: no recommendation self-hosts (all API); nothing to compare"))
        return findings, None
    decision, opt = deployed[0]
    d = opt.design
    tp = int(opt.fig("tp"))
    dep = Deployment(d.model.id, d.gpu.id, d.n_gpus, opt.engine, None if d.weight_bits else d.precision,
                     d.weight_bits, tp, float(decision.assumptions.kv_bits) if decision.assumptions else 16.0)
    tps, ttft, _ = predict_points(catalog, dep, points)
    ratios = []
    for k, p in enumerate(points):
        if p.output_tokens_per_s and tps[k] > 0:
            ratios.append(p.output_tokens_per_s / tps[k])
        elif p.ttft_ms and math.isfinite(ttft[k]):
            ratios.append(ttft[k] / p.ttft_ms)
    if not ratios:
        raise InputError(f"--measured: no point of {', '.join(map(str, files))} can be compared with {dep.label()} "
                         "(the design does not fit at the measured concurrency)")
    ratio = float(np.median(ratios))
    comparable = [k for k, p in enumerate(points) if p.output_tokens_per_s and tps[k] > 0]
    where = f"{len(points)} point{'s' if len(points) != 1 else ''} of {', '.join(sorted({q.tool for q in points}))}"
    if comparable:  # the point nearest the median, as an example
        k = min(comparable, key=lambda i: abs(points[i].output_tokens_per_s / tps[i] - ratio))
        where += (f", e.g. {points[k].label}: measured {points[k].output_tokens_per_s:,.0f} vs {tps[k]:,.0f} "
                  f"tok/s assumed")
    ids = [decision.workload.name, opt.id]
    if ratio >= 1.0 - tolerance:
        findings.append(Finding(code="throughput_drift", severity="info", ids=ids,
                                message=f"measured throughput of {dep.label()} is {ratio:.0%} "
                                        f"of what the decision assumed, within the {tolerance:.0%} tolerance ({where})"))
        return findings, None
    fit = calibrate(catalog, dep, points)
    table = {k: dict(v) for k, v in (current_profiles() or calibrated_profiles()).items()}
    table[fit.key] = dict(table[fit.key], **fit.after)
    with using_profiles(table) if table else nullcontext():
        again = recommend_file(catalog, wf, only=decision.workload.name, as_of=as_of)
    new = again.decisions[0]
    same = next((o for o in new.options if o.id == opt.id), None)
    effect = ""
    if same is not None and same.figures is not None:
        r0, r1 = opt.fig("replicas"), same.fig("replicas")
        effect = (f"; at the measured speed {opt.name} needs {r1:g} replica{'s' if r1 != 1 else ''} instead of {r0:g}: "
                  f"${opt.usd_per_month:,.0f} -> ${same.usd_per_month:,.0f}/month")
        b0, b1 = opt.breakeven_tokens_per_day, same.breakeven_tokens_per_day
        if math.isfinite(b0) or math.isfinite(b1):
            effect += f", break-even {_tokens(b0)} -> {_tokens(b1)}"
    if new.recommended is not None and new.recommended.id != decision.recommended.id:
        effect += f"; the recommendation would become {new.recommended.name} (${new.recommended.usd_per_month:,.0f}/month)"
    findings.append(Finding(code="throughput_drift", severity="failure", ids=ids,
                            message=f"measured throughput of {dep.label()} is {ratio:.0%} of "
                                    f"what the decision assumed, below the {tolerance:.0%} tolerance ({where}){effect}; "
                                    f"ovc calibrate on the same files writes the corrected profile"))
    return findings, decision.workload.name
