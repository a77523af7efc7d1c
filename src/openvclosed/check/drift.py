"""``ovc check --measured``: the deployed design's measured throughput against what the decision assumed.

The deployed design is the self-hosted part of a workload's recommendation (the design itself, or
the self-hosted member of a hybrid). Every measured point is predicted by the serving function at
its own concurrency and lengths for that design (:func:`openvclosed.decision.calibrate.predict_points`,
with the profiles the decision used); the drift is

    ratio = median over points of (measured / predicted)   [throughput; TTFT-only points: predicted / measured TTFT]

and the check fails when ``ratio < 1 - tolerance``. What that does to cost and break-even: the
workload is decided again with the design's profile slowed to ``ratio`` of its speed (:func:`slowed`:
every throughput the serving function gives scales by ``ratio``); the finding gives the replicas,
monthly cost and break-even before and after. ``ovc calibrate`` on the same files fits the profile
itself (which may move batch and prefill terms differently).
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


def slowed(params: dict, ratio: float) -> dict:
    """The profile at ``ratio`` x its speed: every efficiency times ``ratio``, every per-step and
    per-layer overhead divided by it (a step takes 1 / ratio as long), so every throughput the serving
    function gives scales by ``ratio`` (what-if only: not bounded, never written to a profile file)."""
    out = dict(params)
    for k in ("bandwidth_eff", "kv_bandwidth_eff", "decode_mfu", "prefill_mfu"):
        out[k] = params[k] * ratio
    for k in ("step_overhead_s", "layer_overhead_s"):
        out[k] = params[k] / ratio
    return out


def _tokens(v: float) -> str:
    if not math.isfinite(v):
        return "never"
    return f"{v / 1e9:,.2f}B tokens/day" if v >= 1e9 else f"{v / 1e6:,.0f}M tokens/day"


def measured_drift(catalog, rec, wf, files, *, tolerance: float, workload: str | None, as_of=None,
                   concurrency: float | None = None) -> tuple[list[Finding], str | None]:
    """Findings of the drift check and the workload it failed (None when it passes)."""
    from openvclosed.decision.benchfiles import read_bench_points
    from openvclosed.decision.calibrate import Deployment, predict_points, profile_of
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
    key = profile_of(catalog, dep)[0]
    table = {k: dict(v) for k, v in (current_profiles() or calibrated_profiles()).items()}
    table[key] = slowed(table[key], ratio)
    with using_profiles(table):
        again = recommend_file(catalog, wf, only=decision.workload.name, as_of=as_of)
    new = again.decisions[0]
    same = next((o for o in new.options if o.id == opt.id), None)
    effect = ""
    if same is not None and same.figures is not None:
        r0, r1 = opt.fig("replicas"), same.fig("replicas")
        if r1 == r0:
            effect = (f"; at the measured speed ({ratio:.0%}) {opt.name} still needs {r1:g} replica{'s' if r1 != 1 else ''} "
                      f"(${same.usd_per_month:,.0f}/month; the spare capacity absorbs it)")
        else:
            effect = (f"; at the measured speed ({ratio:.0%}) {opt.name} needs {r1:g} replica{'s' if r1 != 1 else ''} "
                      f"instead of {r0:g}: ${opt.usd_per_month:,.0f} -> ${same.usd_per_month:,.0f}/month")
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
