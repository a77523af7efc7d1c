"""``ovc calibrate``: your own benchmark runs in, a per-deployment profile out."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from openvclosed.commands.options import EPILOG, CatalogOpt, ForceOpt, FormatOpt, JsonOpt, Quant, load_catalog, out_format


def register(app: typer.Typer) -> None:
    app.command(epilog=EPILOG)(calibrate)


def calibrate(
    files: Annotated[list[Path], typer.Argument(help="Result files: vllm bench serve JSON/JSONL, GuideLLM JSON, llama-bench JSON/JSONL/CSV, a saved vLLM /metrics scrape.", show_default=False)],
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Catalog model the runs served [default: the file's model name, if the catalog knows it].", show_default=False)] = None,
    gpu: Annotated[Optional[str], typer.Option("--gpu", "-g", help="Machine the runs used, NxGPU (e.g. 1x4090) [default: llama-bench's gpu_info].", show_default=False)] = None,
    engine: Annotated[Optional[str], typer.Option("--engine", help="Server that ran: vllm, sglang, trtllm, llamacpp, mlx [default: by tool; GuideLLM files need it].", show_default=False)] = None,
    quant: Annotated[Optional[Quant], typer.Option("--quant", "-q", help="Precision served [default: the model's released one; llama-bench: the file's bits].", show_default=False)] = None,
    bits: Annotated[Optional[float], typer.Option("--bits", help="Exact bits per weight (e.g. 4.85 for GGUF Q4_K_M); replaces --quant.", show_default=False)] = None,
    tp: Annotated[Optional[int], typer.Option("--tp", help="Tensor-parallel degree the server ran [default: the layout that serves most].", show_default=False)] = None,
    kv_bits: Annotated[Optional[float], typer.Option("--kv-bits", help="KV-cache precision: 16 or 8 [default 16].", show_default=False)] = None,
    concurrency: Annotated[Optional[float], typer.Option("--concurrency", help="Requests in flight during the load, for a /metrics scrape taken when the server was idle.", show_default=False)] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the profile file (JSON) here; apply it with --profile.", show_default=False)] = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
):
    """Fit the serving model to your own benchmark runs and write a profile for --profile.

    Reads the runs, predicts each point (concurrency, prompt and output tokens) with the serving
    function `ovc fit` and the cost path use, fits the profile's efficiencies and overheads
    within their physical bounds and prints measured against predicted, before and after.
    `--profile FILE` on breakeven, fit, recommend, report and check (or `profile:` in a
    workload file) then applies the correction to every design of that engine and hardware
    class. See docs/calibrate.md.

    \b
    Examples:
      ovc calibrate llama-bench.json --model qwen2.5-7b --gpu 1x4080
      ovc calibrate results/*.json --model llama-3.1-8b --gpu 1xh100 --engine vllm -o h100-vllm.json
      ovc calibrate guidellm-report.json --model llama-3.1-8b --gpu 1xl40s --engine vllm --json
      ovc calibrate metrics.txt --model llama-3.1-8b --gpu 1xa100-80gb --concurrency 16
      ovc breakeven --tokens 5e8 --gpu 1xh100 --model llama-3.1-8b --profile h100-vllm.json
    """
    from openvclosed.decision.benchfiles import read_bench_points
    from openvclosed.decision.calibrate import profile_document
    from openvclosed.decision.calibrate_run import deployment_for, run_calibrate
    from openvclosed.errors import InputError
    from openvclosed.report.emit import emit

    out = out_format(fmt, as_json)
    if concurrency is not None and not concurrency >= 1:
        raise InputError(f"--concurrency: {concurrency!r} must be >= 1 (requests in flight)")
    if output is not None:
        from openvclosed.commands.options import catalog_inputs
        from openvclosed.fileio import check_write_target

        check_write_target(output, force=force, inputs=[*files, *catalog_inputs(catalog)])
    cat = load_catalog(catalog)
    points, notes = read_bench_points(files, concurrency)
    dep, info = deployment_for(cat, points, model=model, gpu=gpu, engine=engine,
                               precision=quant.value if quant else None, bits=bits, tp=tp, kv_bits=kv_bits)
    fit, result = run_calibrate(cat, files, points, notes, dep, info)
    if output is not None:
        import json

        from openvclosed.commands.options import catalog_inputs
        from openvclosed.fileio import safe_write_text

        residuals = [{"label": p.label, "file": Path(p.file).name, "error_before": p.error_before,
                      "error_after": p.error_after} for p in result.points]
        doc = profile_document(fit, dep, [str(f) for f in files], residuals)
        safe_write_text(output, json.dumps(doc, indent=2) + "\n", force=force, inputs=[*files, *catalog_inputs(catalog)])
        result = result.model_copy(update={"profile_file": str(output)})
    typer.echo(emit(result, out), nl=False)
