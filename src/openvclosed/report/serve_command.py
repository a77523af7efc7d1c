"""The serve command line of each self-hosted design of a plan, as the cost model assumed it.

Flags exactly as the engines define them:

- vLLM 0.33.0 (``vllm serve [model_tag] [options]``; ``vllm/engine/arg_utils.py``
  ``EngineArgs.add_cli_args``, choices from ``vllm/config/model.py`` ``ModelDType``,
  ``vllm/config/cache.py`` ``CacheDType``, ``vllm/model_executor/layers/quantization/__init__.py``
  ``QuantizationMethods``; https://docs.vllm.ai/en/v0.33.0/configuration/engine_args.html).
- SGLang 0.5.23 (``python -m sglang.launch_server``; ``sglang/srt/arg_groups/fields/{model,parallel,
  schedule}.py``, ``sglang/srt/arg_groups/choices.py``; https://docs.sglang.ai/advanced_features/server_arguments.html).

Mapping (docs/gateway.md): precision -> ``--quantization``/``--dtype``; ``kv_bits`` -> the KV-cache
dtype; the decode batch the cost model assumed per instance -> ``--max-num-seqs`` /
``--max-running-requests``; ``tp`` -> tensor-parallel size, instances per machine -> data-parallel
size; ``vram_reserve_share`` -> ``--gpu-memory-utilization`` / ``--mem-fraction-static``; context ->
``--max-model-len`` / ``--context-length`` (the model's window, capped at the KV pool the cost
model sized: max concurrent sequences x mean context).

Every value is quoted with :func:`shlex.quote`; comments carry untrusted text only through
:func:`~openvclosed.report.escape.comment_text`. Nothing but the command lines (and ``#`` comments)
is emitted: no ``export``, no download, no chained command.
"""

from __future__ import annotations

import shlex

from openvclosed.errors import InputError
from openvclosed.report.escape import comment_text
from openvclosed.results.gateway import Deployment, GatewayPlan

__all__ = ["serve_args", "render_serve", "VLLM_FLAGS", "SGLANG_FLAGS", "ENGINES"]

VLLM_VERSION = "0.33.0"
SGLANG_VERSION = "0.5.23"

VLLM_FLAGS = {"--tensor-parallel-size", "--data-parallel-size", "--dtype", "--quantization", "--kv-cache-dtype",
              "--max-num-seqs", "--max-model-len", "--gpu-memory-utilization"}
"""The vLLM 0.33.0 flags this module writes (each defined in ``EngineArgs.add_cli_args``)."""

SGLANG_FLAGS = {"--model-path", "--tp-size", "--dp-size", "--dtype", "--quantization", "--kv-cache-dtype",
                "--max-running-requests", "--context-length", "--mem-fraction-static"}
"""The SGLang 0.5.23 flags this module writes (fields of ``sglang/srt/arg_groups/fields``)."""

ENGINES = ("vllm", "sglang")

# precision -> online quantization method, when the checkpoint is released at a higher precision;
# vLLM 0.33.0 quantizes fp8 online from a 16-bit checkpoint (``--quantization fp8``), SGLang too.
# int8, int4 and mxfp4 need a checkpoint quantized to that format (AWQ/GPTQ/compressed-tensors):
# the engine reads the method from its config, so no flag is written and a note says so.
_ONLINE = {"fp8": "fp8"}


def _quantization(d: Deployment) -> tuple[list[str], str | None]:
    """(quantization args, note) for either engine (same flag and value in both)."""
    if d.precision == d.native_precision:
        return [], None  # served as released: the checkpoint carries its format
    if d.precision in _ONLINE:
        return ["--quantization", _ONLINE[d.precision]], None
    return [], (f"the cost model assumed {d.precision} weights: serve a checkpoint of this model quantized "
                f"to {d.precision} (AWQ/GPTQ/compressed-tensors); the engine reads the method from its config")


def _kv(d: Deployment, engine: str) -> tuple[list[str], str | None]:
    flag = "--kv-cache-dtype"
    if d.kv_bits == 16:
        return [flag, "auto"], None
    if d.kv_bits == 8:
        return [flag, "fp8" if engine == "vllm" else "fp8_e4m3"], None
    return [], f"the cost model assumed a {d.kv_bits:g}-bit KV cache, which {engine} has no dtype for"


def serve_args(d: Deployment) -> tuple[list[str], list[str]]:
    """(argv, notes) of the serve command of one self-hosted deployment."""
    engine = d.engine or "vllm"
    model = d.hf_repo or d.model_id
    q, qn = _quantization(d)
    kv, kn = _kv(d, engine)
    if engine == "vllm":
        argv = ["vllm", "serve", model, "--tensor-parallel-size", str(d.tp)]
        if d.instances and d.instances > 1:
            argv += ["--data-parallel-size", str(d.instances)]
        argv += ["--dtype", "auto", *q, *kv, "--max-num-seqs", str(d.max_num_seqs),
                 "--max-model-len", str(d.max_model_len), "--gpu-memory-utilization", f"{d.gpu_memory_utilization:g}"]
    elif engine == "sglang":
        argv = ["python", "-m", "sglang.launch_server", "--model-path", model, "--tp-size", str(d.tp)]
        if d.instances and d.instances > 1:
            argv += ["--dp-size", str(d.instances)]
        argv += ["--dtype", "auto", *q, *kv, "--max-running-requests", str(d.max_num_seqs),
                 "--context-length", str(d.max_model_len), "--mem-fraction-static", f"{d.gpu_memory_utilization:g}"]
    else:
        raise InputError(f"the design {d.option_id!r} was costed for the {engine} engine; ovc emit vllm writes "
                         f"serve commands for: {', '.join(ENGINES)} (set `engine:` in the workload file)")
    notes = [n for n in (qn, kn) if n]
    if not d.hf_repo:
        notes.append(f"the catalog names no Hugging Face repository for {d.model_id}: replace the model argument")
    return argv, notes


def render_serve(plan: GatewayPlan) -> str:
    """One commented command line per self-hosted deployment of the plan."""
    out = [f"# serve commands written by ovc {comment_text(plan.version)} emit on {comment_text(plan.date)} "
           f"(flags: vLLM {VLLM_VERSION}, SGLang {SGLANG_VERSION}); one per machine (replica)"]
    n = 0
    for w in plan.workloads:
        for d in w.deployments:
            if not d.self_hosted:
                continue
            argv, notes = serve_args(d)
            n += 1
            reps = f", replicas: {d.replicas:g}" if d.replicas else ""
            out.append(f"# {comment_text(d.name)}: {comment_text(d.option_id)} on {d.n_gpus}x "
                       f"{comment_text(d.gpu)}{reps}; LiteLLM api_base: ${d.env_key}")
            out += [f"# note: {comment_text(x)}" for x in notes]
            out.append(" ".join(shlex.quote(a) for a in argv))
    if n == 0:
        raise InputError("the decision self-hosts nothing: there is no serve command to write "
                         "(`ovc emit litellm` writes the gateway config)")
    return "\n".join(out) + "\n"
