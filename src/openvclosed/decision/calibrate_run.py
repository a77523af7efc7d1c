"""``ovc calibrate`` as a function: the deployment the result files describe, the fit, the result object.

The fit itself lives in :mod:`openvclosed.decision.calibrate`; this module maps files and flags to a
:class:`~openvclosed.decision.calibrate.Deployment` and builds the
:class:`~openvclosed.results.calibrate.CalibrateResult`.
"""

from __future__ import annotations

import math

import numpy as np

from openvclosed.decision.benchfiles import BenchPoint
from openvclosed.decision.calibrate import Deployment, calibrate, single_stream_only
from openvclosed.errors import InputError

__all__ = ["deployment_for", "run_calibrate", "gpu_from_hint"]


_ENGINE_OF_TOOL = {"vllm bench serve": "vllm", "vllm metrics": "vllm", "llama-bench": "llamacpp"}


def _norm(s: str) -> str:
    return "".join(ch for ch in s.lower().replace("nvidia", "").replace("geforce", "") if ch.isalnum())


def gpu_from_hint(catalog, hint: str | None):
    """(catalog GPU, count) named by a llama-bench ``gpu_info`` ("NVIDIA GeForce RTX 4080", comma
    separated per device), or None when it names no catalog GPU exactly."""
    if not hint:
        return None
    parts = [p.strip() for p in hint.split(",") if p.strip()]
    names = {_norm(p) for p in parts}
    if len(names) != 1:
        return None
    want = names.pop()
    for g in catalog.gpus.values():
        if _norm(g.name) == want or _norm(g.id) == want:
            return g, len(parts)
    return None


def deployment_for(catalog, points: list[BenchPoint], *, model: str | None, gpu: str | None, engine: str | None,
                   precision: str | None, bits: float | None, tp: int | None, kv_bits: float | None) -> tuple[Deployment, list[str]]:
    """The deployment the points describe: the flags, else what the files say; one line naming
    the flag to pass when neither does. Returns it with notes on what was taken from the files."""
    from openvclosed.decision.designs import native_label
    from openvclosed.engine.profiles import ENGINES
    from openvclosed.errors import UnknownNameError
    from openvclosed.units import parse_hw_spec

    notes = []
    files = sorted({p.file for p in points})
    if model is None:
        hints = sorted({p.model for p in points if p.model})
        for h in hints:
            try:
                model = catalog.model(h).id
            except UnknownNameError:
                model = next((e.id for e in catalog.models.values()
                              if (getattr(e, "hf_repo", None) or "").lower() == h.lower()), None)
            if model is not None:
                notes.append(f"model {model} from the file's model name {h!r}")
                break
        if model is None:
            named = f" (the file names {hints[0][:60]!r}, not a catalog model)" if hints else ""
            raise InputError(f"--model: needed for {files[0]}{named}; pass a catalog id (ovc catalog models)")
    m = catalog.model(model)
    if gpu is None:
        found = next((x for x in (gpu_from_hint(catalog, p.gpu) for p in points) if x), None)
        if found is None:
            hint = next((p.gpu for p in points if p.gpu), None)
            named = f" (the file names {hint[:60]!r}, not a catalog GPU)" if hint else ""
            raise InputError(f"--gpu: needed for {files[0]}{named}; pass NxGPU, e.g. 1x4090 (ovc catalog gpus)")
        g, n = found
        notes.append(f"GPU {n}x{g.id} from the file's gpu_info")
    else:
        hw = parse_hw_spec(gpu)
        g, n = catalog.gpu(hw.gpu_name), hw.n_gpus
    if engine is None:
        tools = {p.tool for p in points}
        engines = {_ENGINE_OF_TOOL.get(t) for t in tools}
        if len(engines) != 1 or None in engines:
            raise InputError(f"--engine: needed for {files[0]} ({', '.join(sorted(tools))} does not say which server "
                             f"ran); choose from {', '.join(ENGINES)}")
        engine = engines.pop()
    elif engine not in ENGINES:
        raise InputError(f"--engine: {engine!r}; choose from {', '.join(ENGINES)}")
    if bits is None and precision is None:
        file_bits = sorted({round(p.bits, 3) for p in points if p.bits})
        if len(file_bits) > 1:
            raise InputError(f"{files[0]}: rows of {len(file_bits)} model files ({', '.join(f'{b:g}' for b in file_bits)} "
                             "bits per weight); calibrate one model file at a time")
        if file_bits:
            bits = file_bits[0]
            notes.append(f"{bits:.2f} bits per weight from the file's model_size / model_n_params")
        else:
            precision = native_label(m)
    if bits is not None and not 0 < bits <= 32:
        raise InputError(f"--bits: {bits!r} must be in (0, 32]")
    if kv_bits is not None and kv_bits not in (8, 16):
        raise InputError(f"--kv-bits: {kv_bits!r} must be 16 or 8")
    return Deployment(m.id, g.id, n, engine, precision, bits, tp, float(kv_bits or 16)), notes


def _rel(pred, meas) -> float | None:
    if meas is None or not meas > 0 or not (pred is not None and math.isfinite(pred)):
        return None
    return float(pred / meas - 1.0)


def run_calibrate(catalog, files, points: list[BenchPoint], notes: list[str], dep: Deployment, info: list[str]):
    """``ovc calibrate`` as a function: the fit and its :class:`~openvclosed.results.calibrate.CalibrateResult`
    (the profile document is ``profile_document(fit, dep, files, result residuals)``)."""
    from openvclosed.decision.validate_bounds import FITTED, bounds
    from openvclosed.results.base import Finding
    from openvclosed.results.calibrate import CalibratedParameter, CalibratedPoint, CalibrateResult

    from openvclosed.decision.fit import check_serving, Serving

    check_serving(Serving(tp=dep.tp), dep.n_gpus)
    fit = calibrate(catalog, dep, points)
    (tb, fb, _), (ta, fa, _) = fit.pred_before, fit.pred_after
    rows, eb, ea = [], [], []
    def opt(v):
        return None if v is None or not math.isfinite(v) else float(v)

    for k, p in enumerate(points):
        if p.output_tokens_per_s:
            e0, e1 = _rel(tb[k], p.output_tokens_per_s), _rel(ta[k], p.output_tokens_per_s)
        else:
            e0, e1 = _rel(opt(fb[k]), p.ttft_ms), _rel(opt(fa[k]), p.ttft_ms)
        eb.append(e0), ea.append(e1)
        rows.append(CalibratedPoint(file=p.file, tool=p.tool, label=p.label, concurrency=float(p.concurrency),
                                    input_tokens=p.input_tokens, output_tokens=p.output_tokens,
                                    measured_tokens_per_s=p.output_tokens_per_s, measured_ttft_ms=p.ttft_ms,
                                    measured_tpot_ms=p.tpot_ms, before_tokens_per_s=float(tb[k]),
                                    after_tokens_per_s=float(ta[k]), before_ttft_ms=opt(fb[k]), after_ttft_ms=opt(fa[k]),
                                    error_before=e0, error_after=e1))

    def med(es):
        v = [abs(e) for e in es if e is not None]
        return float(np.median(v)) if v else None

    params = []
    for name in FITTED:
        lo, hi = bounds(fit.key, name)
        params.append(CalibratedParameter(name=name, before=fit.before[name], after=fit.after[name], lower=lo, upper=hi,
                                          at_bound=fit.at_bound.get(name)))
    findings = [Finding(code="skipped", severity="info", ids=[], message=n) for n in notes]
    findings += [Finding(code="calibration_input", severity="info", ids=[dep.model_id, dep.gpu_id], message=i)
                 for i in info]
    if fit.at_bound:
        names = ", ".join(f"{k} at its {v} bound" for k, v in fit.at_bound.items())
        why = {"faster": "the deployment is faster than the serving model explains within physics (kernels it does "
                         "not describe, e.g. llama.cpp's int8 matrix kernels for quantized weights, or a speculative "
                         "decoder); the profile goes as far as the bounds allow",
               "slower": "the deployment is slower than the serving model explains within physics (a misconfigured "
                         "server, throttled or shared GPUs, CPU offload); check the run before relying on the profile",
               "": "the fit stops there; the remaining error is in the table"}[fit.direction]
        findings.append(Finding(code="calibration_bound", severity="warning", ids=[fit.key],
                                message=f"{names}: {why}"))
    if single_stream_only(points):
        findings.append(Finding(code="skipped", severity="info", ids=[fit.key],
                                message="only single-stream points: the batch terms (decode_mfu, kv_bandwidth_eff) keep "
                                        "their values; measure several concurrencies to calibrate them"))
    result = CalibrateResult(deployment=dep.label(), model=dep.model_id, gpu=dep.gpu_id, n_gpus=dep.n_gpus,
                             engine=dep.engine, precision=dep.precision, bits=dep.bits, tp=dep.tp, profile_key=fit.key,
                             points=rows, parameters=params, median_abs_error_before=med(eb),
                             median_abs_error_after=med(ea), findings=findings)
    return fit, result
