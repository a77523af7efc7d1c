"""``ovc fit``: VRAM fit and decode throughput per precision and GPU count."""

import datetime as dt
from typing import Annotated, Optional

import typer
from pydantic import ValidationError

from openvclosed.commands.options import (ProfileOpt, EPILOG, CatalogOpt, FormatOpt, JsonOpt, Quant, assumptions, load_catalog,
                                          out_format)
from openvclosed.errors import InputError


def register(app: typer.Typer) -> None:
    app.command(epilog=EPILOG)(fit)


def fit(
    ctx: typer.Context,
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Open model id or alias (or describe one with --params-b ...).", show_default=False)] = None,
    gpu: Annotated[str, typer.Option("--gpu", "-g", help="GPU (a count like 2x4090 fixes the GPU count).")] = "4090",
    context: Annotated[Optional[int], typer.Option("--context", help="Tokens in context per sequence [default 4096].", show_default=False)] = None,
    quant: Annotated[Optional[list[Quant]], typer.Option("--quant", "-q", help="Precision(s) to show (repeatable; default: the model's native and lower).", show_default=False)] = None,
    kv_bits: Annotated[Optional[float], typer.Option("--kv-bits", help="KV-cache precision in bits: 16 or 8 (fp8 KV) [default 16].", show_default=False)] = None,
    engine: Annotated[Optional[str], typer.Option("--engine", help="Serving engine profile: vllm, sglang, trtllm, llamacpp, mlx [default: by hardware].", show_default=False)] = None,
    bits: Annotated[Optional[float], typer.Option("--bits", help="Exact bits per weight (e.g. 4.85 for GGUF Q4_K_M); replaces --quant.", show_default=False)] = None,
    batch: Annotated[Optional[int], typer.Option("--batch", help="Cap on concurrent sequences for aggregate tok/s [default 256].", show_default=False)] = None,
    params_b: Annotated[Optional[float], typer.Option("--params-b", help="Ad-hoc model: total parameters, billions.", show_default=False)] = None,
    active_params_b: Annotated[Optional[float], typer.Option("--active-params-b", help="Ad-hoc model: active parameters (MoE), billions.", show_default=False)] = None,
    layers: Annotated[Optional[int], typer.Option("--layers", help="Ad-hoc model: layers.", show_default=False)] = None,
    kv_heads: Annotated[Optional[int], typer.Option("--kv-heads", help="Ad-hoc model: KV heads.", show_default=False)] = None,
    head_dim: Annotated[Optional[int], typer.Option("--head-dim", help="Ad-hoc model: head dimension.", show_default=False)] = None,
    experts: Annotated[Optional[int], typer.Option("--experts", help="Ad-hoc MoE model: routed experts per MoE layer (with --experts-per-token).", show_default=False)] = None,
    experts_per_token: Annotated[Optional[int], typer.Option("--experts-per-token", help="Ad-hoc MoE model: routed experts active per token.", show_default=False)] = None,
    window: Annotated[Optional[int], typer.Option("--window", help="Ad-hoc model: sliding-window tokens of every other layer (gpt-oss style alternation).", show_default=False)] = None,
    tp: Annotated[Optional[int], typer.Option("--tp", help="Tensor-parallel degree of one instance (1, 2, 4, 8, 16) [default: the layout that serves most].", show_default=False)] = None,
    pp: Annotated[int, typer.Option("--pp", help="Pipeline-parallel stages of one instance (multi-node: one per node).")] = 1,
    nodes: Annotated[Optional[int], typer.Option("--nodes", help="Nodes the GPUs are spread over [default: 8 GPUs per node].", show_default=False)] = None,
    interconnect: Annotated[Optional[str], typer.Option("--interconnect", help="Link between nodes: ib-400, ib-200, roce-400, eth-100 [default ib-400].", show_default=False)] = None,
    attention_dp: Annotated[bool, typer.Option("--attention-dp", help="MoE: attention data-parallel on each of the --tp GPUs, experts expert-parallel (TensorRT-LLM enable_attention_dp + --ep, SGLang --enable-dp-attention).")] = False,
    concurrency: Annotated[Optional[float], typer.Option("--concurrency", help="Requests in flight on the whole machine [default: every instance fully loaded].", show_default=False)] = None,
    input_tokens: Annotated[Optional[float], typer.Option("--input-tokens", help="Prompt tokens per request (with --output-tokens) [default: from --context and a 75% input share].", show_default=False)] = None,
    output_tokens: Annotated[Optional[float], typer.Option("--output-tokens", help="Output tokens per request (with --input-tokens).", show_default=False)] = None,
    catalog: CatalogOpt = None,
    profile_files: ProfileOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
):
    """VRAM fit and decode throughput per precision and GPU count.

    \b
    Examples:
      ovc fit --model llama-3.3-70b --gpu 4090
      ovc fit -m qwen2.5-32b -g 2xa100-80gb --context 32768 --json
      ovc fit --params-b 8 --layers 32 --kv-heads 8 --head-dim 128 --bits 4.85 -g 3090 --batch 1
      ovc fit --params-b 30.5 --active-params-b 3.3 --experts 128 --experts-per-token 8 --layers 48 --kv-heads 4 --head-dim 128 -g 4090
      ovc fit -m llama-3.3-70b -g 8xh100 -q fp8 --tp 8 --concurrency 64 --input-tokens 1000 --output-tokens 1000
      ovc fit -m qwen3-235b-a22b -g 8xh200 -q fp8 --engine trtllm --tp 8 --attention-dp --kv-bits 8 --input-tokens 1000 --output-tokens 1000
      ovc fit -m deepseek-r1-0528 -g 16xh100 -q fp8 --tp 8 --pp 2 --interconnect ib-400 --concurrency 32 --input-tokens 1000 --output-tokens 1000
    """
    from openvclosed.decision.fit import run_fit
    from openvclosed.report.emit import emit
    from openvclosed.units import parse_hw_spec

    out = out_format(fmt, as_json)
    cat = load_catalog(catalog)
    from openvclosed.commands.options import apply_profiles

    apply_profiles(ctx, profile_files)
    hw = parse_hw_spec(gpu)
    g = cat.gpu(hw.gpu_name)
    a = assumptions(context_tokens=context, max_batch=batch, kv_bits=kv_bits, engine=engine)
    adhoc = [params_b, layers, kv_heads, head_dim]
    if any(v is not None for v in adhoc) or active_params_b is not None:
        if model:
            raise InputError("give either --model or an ad-hoc model (--params-b, --layers, --kv-heads, --head-dim)")
        if any(v is None for v in adhoc):
            raise InputError("an ad-hoc model needs all of --params-b, --layers, --kv-heads and --head-dim")
        m = _adhoc_model(params_b, active_params_b or params_b, layers, kv_heads, head_dim, experts, experts_per_token,
                         window)
    elif model:
        m = cat.model(model)
    else:
        raise InputError("give --model (see `ovc catalog models`) or an ad-hoc model with --params-b ...")
    counts = [hw.n_gpus] if hw.explicit else None
    precs = [q.value for q in quant] if quant else None
    if bits is not None and not 0 < bits <= 32:
        raise InputError(f"--bits: {bits!r} must be in (0, 32]")
    from openvclosed.decision.fit import Serving

    serving = Serving(tp=tp, pp=pp, nodes=nodes, interconnect=interconnect, concurrency=concurrency,
                      input_tokens=input_tokens, output_tokens=output_tokens, attention_dp=attention_dp)
    if serving.lengths and context is None:
        a = a.model_copy(update={"context_tokens": serving.context_tokens()})
    result = run_fit(cat, m, g, a, gpu_counts=counts, precisions=precs, batch=batch, weight_bits=bits,
                     serving=serving)
    if batch is None and a.max_batch is None:
        from openvclosed.decision.calibration import profile
        from openvclosed.decision.designs import Design, engine_for

        batch = int(profile(engine_for(Design(g, hw.n_gpus, m, "fp16"), a))["max_batch"])
    result = result.model_copy(update={"max_batch": int(batch if batch is not None else a.max_batch)})
    typer.echo(emit(result, out), nl=False)


def _adhoc_model(params_b, active_params_b, layers, kv_heads, head_dim, experts=None, experts_per_token=None,
                 window=None):
    from openvclosed.catalog import ModelEntry

    if (experts is None) != (experts_per_token is None):
        raise InputError("an ad-hoc MoE model needs both --experts and --experts-per-token")
    if experts is not None and active_params_b >= params_b:
        raise InputError("an ad-hoc MoE model needs --active-params-b below --params-b")
    moe = None if experts is None else {"experts_total": experts, "experts_per_token": experts_per_token,
                                        "moe_layers": layers}
    if window:
        half = layers // 2
        attention = [{"type": "sliding", "layers": half, "kv_heads": kv_heads, "head_dim": head_dim,
                      "window_tokens": window},
                     {"type": "full", "layers": layers - half, "kv_heads": kv_heads, "head_dim": head_dim}]
    else:
        attention = [{"type": "full", "layers": layers, "kv_heads": kv_heads, "head_dim": head_dim}]
    try:
        return ModelEntry(id="adhoc", name=f"ad-hoc {params_b:g}B", source="command line", as_of=dt.date.today(),
                          params_b=params_b, active_params_b=active_params_b, layers=layers, attention=attention,
                          moe=moe, context_tokens=10**9, native_weight_bits=16,
                          license={"name": "unknown", "commercial_use": True},
                          openness={"weights": True, "training_data": False, "training_code": False},
                          tiers=["standard"])
    except ValidationError as e:
        err = e.errors()[0]
        if not err["loc"]:  # a model-level check: the KV heads are what the flags give
            raise InputError(f"--kv-heads/--head-dim: {err['msg'].removeprefix('Value error, ')}") from None
        raise InputError(f"--{str(err['loc'][0]).replace('_', '-')}: {err['msg'].lower()}") from None


