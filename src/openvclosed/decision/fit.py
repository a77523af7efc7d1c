"""``ovc fit`` as a function: VRAM fit and decode throughput per precision x GPU count."""

from __future__ import annotations

from openvclosed.catalog import Catalog, GpuEntry, ModelEntry
from openvclosed.decision.assumptions import Assumptions
from openvclosed.decision.designs import Design, evaluate, precisions_for, quant_risk
from openvclosed.decision.selection import check_precision, suggest
from openvclosed.results import FitResult, FitRow
from openvclosed.results.base import Finding

__all__ = ["run_fit"]


def run_fit(catalog: Catalog, model: ModelEntry, gpu: GpuEntry, a: Assumptions, *,
            gpu_counts: list[int] | None = None, precisions: list[str] | None = None,
            batch: int | None = None, weight_bits: float | None = None) -> FitResult:
    """VRAM fit and decode throughput per precision x GPU count, as one engine call.

    ``weight_bits`` replaces the precisions with one exact bits-per-weight row (e.g. 4.85 for a
    GGUF Q4_K_M), labelled ``"<bits>bit"`` and computed at the FP16 tensor rate.
    """
    counts = gpu_counts or [1, 2, 4, 8]
    if weight_bits is not None:
        precs = [f"{weight_bits:g}bit"]
    else:
        precs = precisions or precisions_for(model)
        for p in precs:
            check_precision(p)
    if batch is not None:
        a = a.model_copy(update={"max_batch": batch})
    designs = [Design(gpu, n, model, p, weight_bits=weight_bits) for n in counts for p in precs]
    e = evaluate(designs, a)
    rows = []
    for i, d in enumerate(designs):
        g = e.at(i)
        used = g["weights_gb"] + g["kv_gb_per_seq"] * g["batch"]
        rows.append(FitRow(
            n_gpus=d.n_gpus, quant=d.precision, weight_bits=d.bits, fits=g["fits"], weights_gb=g["weights_gb"],
            usable_vram_gb=g["usable_gb"], vram_used_gb=used, vram_free_gb=g["usable_gb"] - used,
            max_concurrent_seqs=g["max_seqs"], decode_tokens_per_s_single=g["decode_tokens_per_s_single"],
            decode_tokens_per_s_aggregate=g["decode_tokens_per_s"],
            quality_risk=quant_risk(model, d.precision) if d.precision in precisions_for(model) else None))
    suggestions = []
    if not any(row.fits for row in rows):
        suggestions.append(suggest(catalog, gpu, max(counts), model, a))
    findings = []
    if any(row.fits and row.quality_risk == "high" for row in rows):
        findings.append(Finding(code="quant_risk", ids=[model.id],
                                message="4-bit rows carry a task-dependent quality risk; evaluate before relying on them"))
    return FitResult(model=model.id, model_name=model.name, gpu=gpu.id, gpu_name=gpu.name,
                     context_tokens=a.context_tokens, rows=rows, suggestions=suggestions, findings=findings)
