"""``ovc fit`` as a function: VRAM fit, decode throughput and the serving point per precision x GPU count."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from openvclosed.catalog import Catalog, GpuEntry, ModelEntry
from openvclosed.decision.assumptions import Assumptions
from openvclosed.decision.designs import Design, design_inputs, precisions_for, quant_risk
from openvclosed.decision.selection import check_precision, suggest
from openvclosed.engine.design import TP_CANDIDATES, selfhost_design
from openvclosed.engine.profiles import DEFAULT_NODE_LINK, GPUS_PER_NODE, NODE_LINKS
from openvclosed.errors import InputError
from openvclosed.results import FitResult, FitRow
from openvclosed.results.base import Finding
from openvclosed.results.breakeven import ServingPoint

__all__ = ["run_fit", "fit_inputs", "Serving", "check_serving", "serving_changes", "serving_of"]


@dataclass(frozen=True)
class Serving:
    """What a serving benchmark states, as ``ovc fit`` takes it: tensor and pipeline parallelism,
    nodes and the link between them, requests in flight on the machine, lengths per request, and
    (optional) the TFLOPS the weights run at when the benchmark's kernels are known (validation)."""

    tp: int | None = None
    pp: int = 1
    nodes: int | None = None
    interconnect: str | None = None
    concurrency: float | None = None
    input_tokens: float | None = None
    output_tokens: float | None = None
    tflops: float | None = None
    attention_dp: bool = False

    @property
    def lengths(self) -> bool:
        return self.input_tokens is not None and self.output_tokens is not None

    def context_tokens(self) -> int | None:
        """Mean tokens a sequence holds while it decodes: the prompt plus half the answer."""
        return int(round(self.input_tokens + self.output_tokens / 2.0)) if self.lengths else None


def check_serving(s: Serving, n_gpus: int) -> None:
    """Refuse a layout the machine cannot have, naming the flag (exit 2, no traceback)."""
    if s.pp < 1 or n_gpus % s.pp:
        raise InputError(f"--pp: {s.pp} must be >= 1 and divide the {n_gpus} GPUs")
    if s.tp is not None:
        if s.tp not in TP_CANDIDATES:
            raise InputError(f"--tp: {s.tp} must be one of {', '.join(map(str, TP_CANDIDATES))}")
        if (n_gpus // s.pp) % s.tp:
            raise InputError(f"--tp: {s.tp} x --pp {s.pp} must divide the {n_gpus} GPUs")
    if s.nodes is not None and (s.nodes < 1 or n_gpus % s.nodes):
        raise InputError(f"--nodes: {s.nodes} must be >= 1 and divide the {n_gpus} GPUs")
    if s.interconnect is not None and s.interconnect not in NODE_LINKS:
        raise InputError(f"--interconnect: {s.interconnect!r}; choose from {', '.join(NODE_LINKS)}")
    if s.concurrency is not None and not s.concurrency >= 1:
        raise InputError(f"--concurrency: {s.concurrency!r} must be >= 1 (requests in flight on the machine)")
    for flag, v in (("--input-tokens", s.input_tokens), ("--output-tokens", s.output_tokens)):
        if v is not None and not (v >= 0 and math.isfinite(v)):
            raise InputError(f"{flag}: {v!r} must be a finite number >= 0")
    if (s.input_tokens is None) != (s.output_tokens is None):
        raise InputError("give both --input-tokens and --output-tokens (tokens per request)")
    if s.output_tokens is not None and s.output_tokens < 1:
        raise InputError("--output-tokens: must be >= 1 (a serving point decodes at least one token)")


def serving_changes(designs: list[Design], s: Serving, model: ModelEntry, a: Assumptions) -> dict:
    """The :class:`~openvclosed.engine.design.DesignInputs` fields a :class:`Serving` sets."""
    n = np.array([d.n_gpus for d in designs], dtype=float)
    nodes = np.array([s.nodes or max(1, math.ceil(d.n_gpus / GPUS_PER_NODE)) for d in designs], dtype=float)
    link = NODE_LINKS[s.interconnect or DEFAULT_NODE_LINK]
    if s.attention_dp and model.moe is None:
        raise InputError(f"--attention-dp: {model.id} is dense; attention data parallelism with expert-parallel "
                         "experts applies to MoE models")
    out = dict(attention_dp=1.0 if s.attention_dp else 0.0, pp=float(s.pp), gpus_per_node=np.where(nodes > 1, n / nodes, np.inf), node_link_gb_s=link["gb_s"],
               node_link_latency_s=link["latency_s"],
               concurrency=float(s.concurrency) if s.concurrency is not None else np.nan)
    if s.lengths:
        i, o = float(s.input_tokens), float(s.output_tokens)
        out.update(input_tokens=i, input_share=i / (i + o))
    if s.tflops is not None:
        out["tflops"] = float(s.tflops)
    return out


def serving_of(g: dict, s: Serving, input_tokens: float, output_tokens: float) -> ServingPoint:
    """The ``serving`` object of one evaluated design (``g`` = ``DesignEval.at(i)``)."""
    fits = g["fits"]

    def ms(v):
        return round(v * 1e3, 4) if fits and math.isfinite(v) else None

    return ServingPoint(output_tokens_per_s=g["output_tokens_per_s"] if fits else 0.0, tpot_ms=ms(g["tpot_s"]),
                        ttft_ms=ms(g["ttft_s"]), concurrency=s.concurrency, batch_per_instance=g["batch"],
                        tp=int(g["tp"]), pp=int(g["pp"]), instances=int(g["instances"]),
                        input_tokens=round(input_tokens, 1), output_tokens=round(output_tokens, 1))


def fit_inputs(model: ModelEntry, gpu: GpuEntry, a: Assumptions, *, counts: list[int],
               precisions: list[str] | None = None, batch: int | None = None, weight_bits: float | None = None,
               serving: Serving | None = None):
    """The designs and engine inputs ``ovc fit`` evaluates (one place: the command and the
    validation both build them here). Returns ``(designs, inputs, assumptions, input_tokens,
    output_tokens)``."""
    from openvclosed.engine.serving import lengths_from_mix

    s = serving or Serving()
    for c in counts:
        check_serving(s, c)
    if weight_bits is not None:
        precs = [f"{weight_bits:g}bit"]
    else:
        precs = precisions or precisions_for(model)
        for p in precs:
            check_precision(p)
    if batch is not None:
        a = a.model_copy(update={"max_batch": batch})
    if s.lengths:
        update = {"input_share": s.input_tokens / (s.input_tokens + s.output_tokens)}
        a = a.model_copy(update=update)
        i_tok, o_tok = float(s.input_tokens), float(s.output_tokens)
    else:
        i_tok, o_tok = (float(v) for v in lengths_from_mix(a.context_tokens, a.input_share))
    designs = [Design(gpu, n, model, p, weight_bits=weight_bits, tp=s.tp) for n in counts for p in precs]
    x = design_inputs(designs, a)
    x = x.replace(**serving_changes(designs, s, model, a))
    return designs, x, a, i_tok, o_tok


def run_fit(catalog: Catalog, model: ModelEntry, gpu: GpuEntry, a: Assumptions, *,
            gpu_counts: list[int] | None = None, precisions: list[str] | None = None,
            batch: int | None = None, weight_bits: float | None = None, serving: Serving | None = None) -> FitResult:
    """VRAM fit, decode throughput and the serving point per precision x GPU count, as one engine call.

    ``weight_bits`` replaces the precisions with one exact bits-per-weight row (e.g. 4.85 for a
    GGUF Q4_K_M), labelled ``"<bits>bit"`` and computed at the FP16 tensor rate. ``serving``
    states the benchmark's terms (``--tp``, ``--pp``, ``--concurrency``, lengths); without
    lengths the workload's are used: input and output tokens from the context and input share
    (:func:`openvclosed.engine.serving.lengths_from_mix`). The caller sets the context to
    ``I + O/2`` when it gives lengths (the command does, unless ``--context`` is given).
    """
    s = serving or Serving()
    counts = gpu_counts or [1, 2, 4, 8]
    if s.pp > 1 or s.tp is not None:
        counts = [c for c in counts if c % (s.pp * (s.tp or 1)) == 0] or counts
    designs, x, a, i_tok, o_tok = fit_inputs(model, gpu, a, counts=counts, precisions=precisions, batch=batch,
                                             weight_bits=weight_bits, serving=s)
    e = selfhost_design(x, 0.0)
    rows = []
    for i, d in enumerate(designs):
        g = e.at(i)
        used = g["weights_gb"] + g["kv_gb_per_seq"] * g["batch"]
        rows.append(FitRow(
            n_gpus=d.n_gpus, quant=d.precision, weight_bits=d.bits, fits=g["fits"], weights_gb=g["weights_gb"],
            usable_vram_gb=g["usable_gb"], vram_used_gb=used, vram_free_gb=g["usable_gb"] - used,
            max_concurrent_seqs=g["max_seqs"], decode_tokens_per_s_single=g["decode_tokens_per_s_single"],
            decode_tokens_per_s_aggregate=g["decode_tokens_per_s"],
            quality_risk=quant_risk(model, d.precision) if d.precision in precisions_for(model) else None,
            serving=serving_of(g, s, i_tok, o_tok)))
    suggestions = []
    if not any(row.fits for row in rows):
        suggestions.append(suggest(catalog, gpu, max(counts), model, a))
    findings = []
    if any(row.fits and row.quality_risk == "high" for row in rows):
        findings.append(Finding(code="quant_risk", ids=[model.id],
                                message="4-bit rows carry a task-dependent quality risk; evaluate before relying on them"))
    return FitResult(model=model.id, model_name=model.name, gpu=gpu.id, gpu_name=gpu.name,
                     context_tokens=a.context_tokens, rows=rows, suggestions=suggestions, findings=findings)
