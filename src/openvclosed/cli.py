"""The ``ovc`` command line: parse, call, render. No computation lives here.

Exit codes: 0 ok; 1 a check failed; 2 bad input or usage.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError

from openvclosed import __version__
from openvclosed.errors import InputError, OvcError

EPILOG = "Exit codes: 0 ok, 1 a check failed, 2 bad input. Docs: docs/ in the repository."

app = typer.Typer(
    name="ovc",
    help="openvclosed: should this LLM workload pay a closed API, a hosted open-weight API, or run open "
         "weights on its own GPUs? Cost, VRAM fit, throughput and break-even, from cited catalogs.",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
catalog_app = typer.Typer(help="What ovc knows: API prices, GPUs, open models — with sources and as_of dates.",
                          no_args_is_help=True, epilog=EPILOG)
app.add_typer(catalog_app, name="catalog")


def _err(msg: str) -> None:
    sys.stderr.write(f"ovc: error: {msg}\n")


def handle_errors(fn):
    """Marks a command; errors are caught once, in :func:`main` (kept so command modules read alike)."""
    return fn


def _version(value: bool):
    if value:
        typer.echo(f"ovc {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False):
    pass


CatalogOpt = Annotated[Optional[list[Path]], typer.Option(
    "--catalog", help="Extra catalog YAML (apis/gpus/models); entries override bundled ones by id. Repeatable. "
                      "Also read from $OVC_CATALOG.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (stable schema, docs/json.md) instead of tables.")]
MaxAgeOpt = Annotated[int, typer.Option("--max-age-days", min=1, help="Warn when a price used is older than this.")]


def _load(catalog_files):
    from openvclosed.catalog import load_catalog

    return load_catalog(catalog_files or [])


_FLAG_OF = {"input_share": "--input-share", "cached_share": "--cached-share", "batch_share": "--batch-share",
            "context_tokens": "--context", "utilization": "--utilization",
            "electricity_usd_kwh": "--electricity-usd-kwh", "pue": "--pue", "ops_usd_month": "--ops-usd-month",
            "amortize_years": "--amortize-years", "rate": "--rate", "gpu_hour_usd": "--gpu-hour-usd",
            "gpu_price_usd": "--gpu-price-usd", "tokens_per_s": "--tokens-per-s", "hours_per_day": "--hours-per-day",
            "days_per_month": "--days-per-month", "bandwidth_eff": "--bandwidth-eff", "decode_mfu": "--decode-mfu",
            "max_batch": "--batch", "host_usd_per_gpu": "--host-usd-per-gpu", "host_w_per_gpu": "--host-w-per-gpu",
            "power_draw_share": "--power-draw-share"}


def _assumptions(**overrides):
    from openvclosed.decision.assumptions import Assumptions

    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Assumptions(**given)
    except ValidationError as e:
        err = e.errors()[0]
        name = str(err["loc"][0])
        raise InputError(f"{_FLAG_OF.get(name, name)}: {given.get(name)!r} — {err['msg'].lower()}") from None


class Quant(str, Enum):
    fp16 = "fp16"
    fp8 = "fp8"
    int8 = "int8"
    mxfp4 = "mxfp4"
    int4 = "int4"


def _api_price(text: str) -> tuple[float, float]:
    try:
        a, b = text.split(":")
        p = (float(a), float(b))
    except ValueError:
        raise InputError(f"--api-price: {text!r} is not IN:OUT in USD per 1M tokens, e.g. 2.5:10") from None
    if min(p) < 0:
        raise InputError(f"--api-price: {text!r} has a negative price")
    return p


@app.command(epilog=EPILOG)
@handle_errors
def breakeven(
    tokens: Annotated[Optional[str], typer.Option("--tokens", "-t", help="Tokens per day (input + output): 5e8, 500M, 1.5B, 500_000_000.", show_default=False)] = None,
    tokens_per_month: Annotated[Optional[str], typer.Option("--tokens-per-month", help="Alternative to --tokens: tokens per month.", show_default=False)] = None,
    gpu: Annotated[str, typer.Option("--gpu", "-g", help="GPUs per replica: 2x4090, 4xA100-80GB, h100, 8xH100.")] = "2x4090",
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Open model id (default: the strongest catalog model that fits).", show_default=False)] = None,
    api: Annotated[Optional[list[str]], typer.Option("--api", "-a", help="API id to compare (repeatable; default: each provider's flagship and small model + a hosted offer of the model).", show_default=False)] = None,
    api_price: Annotated[Optional[list[str]], typer.Option("--api-price", help="Ad-hoc API priced IN:OUT USD per 1M tokens, e.g. 2.5:10 (repeatable).", show_default=False)] = None,
    quant: Annotated[Optional[Quant], typer.Option("--quant", "-q", help="Weight precision (default: the highest that fits).", show_default=False)] = None,
    input_share: Annotated[Optional[float], typer.Option("--input-share", help="Input tokens / all tokens, 0..1 [default 0.75].", show_default=False)] = None,
    cached_share: Annotated[Optional[float], typer.Option("--cached-share", help="Share of input tokens served from the prompt cache, 0..1 [default 0].", show_default=False)] = None,
    batch_share: Annotated[Optional[float], typer.Option("--batch-share", help="Share of traffic sent through batch APIs, 0..1 [default 0].", show_default=False)] = None,
    context: Annotated[Optional[int], typer.Option("--context", help="Mean tokens in context per sequence [default 4096].", show_default=False)] = None,
    utilization: Annotated[Optional[float], typer.Option("--utilization", "-u", help="Mean load / capacity of a replica, 0..1 [default 0.5].", show_default=False)] = None,
    electricity_usd_kwh: Annotated[Optional[float], typer.Option("--electricity-usd-kwh", help="Electricity price [default 0.15 USD/kWh].", show_default=False)] = None,
    pue: Annotated[Optional[float], typer.Option("--pue", help="Power usage effectiveness >= 1 [default 1.58].", show_default=False)] = None,
    ops_usd_month: Annotated[Optional[float], typer.Option("--ops-usd-month", help="People cost to run one replica [default 1000 USD/month].", show_default=False)] = None,
    amortize_years: Annotated[Optional[float], typer.Option("--amortize-years", help="Years to write hardware off [default 3].", show_default=False)] = None,
    rate: Annotated[Optional[float], typer.Option("--rate", help="Cost of capital per year, 0..1 [default 0.08].", show_default=False)] = None,
    host_usd_per_gpu: Annotated[Optional[float], typer.Option("--host-usd-per-gpu", help="Server/workstation cost per GPU [default 1500 USD].", show_default=False)] = None,
    host_w_per_gpu: Annotated[Optional[float], typer.Option("--host-w-per-gpu", help="Host power (CPU, RAM, fans) per GPU [default 150 W].", show_default=False)] = None,
    power_draw_share: Annotated[Optional[float], typer.Option("--power-draw-share", help="Mean GPU draw as a share of TDP while powered [default 1.0].", show_default=False)] = None,
    gpu_price_usd: Annotated[Optional[float], typer.Option("--gpu-price-usd", help="Purchase price per GPU (default: catalog).", show_default=False)] = None,
    rent: Annotated[bool, typer.Option("--rent", help="Rent cloud GPUs instead of buying them.")] = False,
    gpu_hour_usd: Annotated[Optional[float], typer.Option("--gpu-hour-usd", help="Rented price per GPU-hour (default: catalog).", show_default=False)] = None,
    tokens_per_s: Annotated[Optional[float], typer.Option("--tokens-per-s", help="Measured tokens/s of one replica (input+output); overrides the throughput model.", show_default=False)] = None,
    hours_per_day: Annotated[Optional[float], typer.Option("--hours-per-day", help="Hours per day the hardware serves [default 24].", show_default=False)] = None,
    days_per_month: Annotated[Optional[float], typer.Option("--days-per-month", help="Days per month [default 30.44].", show_default=False)] = None,
    horizon_months: Annotated[Optional[int], typer.Option("--horizon-months", min=1, max=600, help="Total cost over this many months, discounted at --rate [default: amortize years x 12 when a horizon option is given].", show_default=False)] = None,
    growth_per_month: Annotated[float, typer.Option("--growth-per-month", help="Monthly volume growth over the horizon, e.g. 0.05 = +5%/month.")] = 0.0,
    api_price_decline_per_year: Annotated[float, typer.Option("--api-price-decline-per-year", help="API prices fall by this share per year over the horizon, 0..1.")] = 0.0,
    monte_carlo: Annotated[Optional[int], typer.Option("--monte-carlo", min=1, max=10_000_000, help="Monte Carlo draws over the uncertain inputs: P(self-hosting cheaper), P10/P50/P90 (docs/uncertainty.md).", show_default=False)] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed for --monte-carlo (same seed, same numbers).")] = 0,
    sensitivity: Annotated[bool, typer.Option("--sensitivity", help="One-at-a-time sensitivity: tornado of the inputs and the value at which each flips the answer.")] = False,
    catalog: CatalogOpt = None,
    max_age_days: MaxAgeOpt = 90,
    as_json: JsonOpt = False,
):
    """Each API's cost against self-hosting at one volume: break-even and payback.

    \b
    Examples:
      ovc breakeven --tokens 5e8 --gpu 2x4090
      ovc breakeven --tokens 2B --gpu 8xH100 --model llama-3.3-70b --quant fp8 --rent
      ovc breakeven -t 50M -g h100 --api openai/gpt-6.1-sol --api-price 3:15 --json
      ovc breakeven -t 5e8 --horizon-months 24 --growth-per-month 0.05 --api-price-decline-per-year 0.3
      ovc breakeven -t 5e8 -a openai/gpt-6.1-sol --monte-carlo 100000 --seed 1 --sensitivity
    """
    from openvclosed.decision.breakeven import run_breakeven
    from openvclosed.report import render_breakeven, render_json
    from openvclosed.units import parse_hw_spec, parse_share, parse_tokens

    if (tokens is None) == (tokens_per_month is None):
        raise InputError("give exactly one of --tokens (per day) or --tokens-per-month, e.g. --tokens 5e8")
    for name, v in (("--input-share", input_share), ("--cached-share", cached_share), ("--batch-share", batch_share),
                    ("--utilization", utilization)):
        if v is not None:
            parse_share(v, name)
    a = _assumptions(input_share=input_share, cached_share=cached_share, batch_share=batch_share,
                     context_tokens=context, utilization=utilization, electricity_usd_kwh=electricity_usd_kwh,
                     pue=pue, ops_usd_month=ops_usd_month, amortize_years=amortize_years, rate=rate,
                     gpu_hour_usd=gpu_hour_usd, gpu_price_usd=gpu_price_usd, tokens_per_s=tokens_per_s,
                     hours_per_day=hours_per_day, days_per_month=days_per_month, host_usd_per_gpu=host_usd_per_gpu,
                     host_w_per_gpu=host_w_per_gpu, power_draw_share=power_draw_share)
    if tokens is not None:
        t_day = parse_tokens(tokens, "--tokens")
    else:
        t_day = parse_tokens(tokens_per_month, "--tokens-per-month") / a.days_per_month
    prices = [_api_price(p) for p in api_price or []]
    result = run_breakeven(_load(catalog), t_day, parse_hw_spec(gpu), a, model_name=model, api_names=api,
                           precision=quant.value if quant else None, rented=rent, max_age_days=max_age_days,
                           api_prices=prices, horizon_months=horizon_months, growth_per_month=growth_per_month,
                           api_price_decline_per_year=api_price_decline_per_year, monte_carlo=monte_carlo,
                           seed=seed, sensitivity=sensitivity)
    from openvclosed.report.findings import stderr_lines

    sys.stderr.write(stderr_lines(result.findings, "json" if as_json else "table"))
    if as_json:
        typer.echo(render_json(result), nl=False)
        return
    text = render_breakeven(result)
    if result.horizon is not None:
        from openvclosed.report.plots import render_uncertainty

        text += render_uncertainty(result)
    typer.echo(text, nl=False)


@app.command(epilog=EPILOG)
@handle_errors
def fit(
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Open model id or alias (or describe one with --params-b ...).", show_default=False)] = None,
    gpu: Annotated[str, typer.Option("--gpu", "-g", help="GPU (a count like 2x4090 fixes the GPU count).")] = "4090",
    context: Annotated[Optional[int], typer.Option("--context", help="Tokens in context per sequence [default 4096].", show_default=False)] = None,
    quant: Annotated[Optional[list[Quant]], typer.Option("--quant", "-q", help="Precision(s) to show (repeatable; default: the model's native and lower).", show_default=False)] = None,
    bits: Annotated[Optional[float], typer.Option("--bits", help="Exact bits per weight (e.g. 4.85 for GGUF Q4_K_M); replaces --quant.", show_default=False)] = None,
    batch: Annotated[Optional[int], typer.Option("--batch", help="Cap on concurrent sequences for aggregate tok/s [default 256].", show_default=False)] = None,
    params_b: Annotated[Optional[float], typer.Option("--params-b", help="Ad-hoc model: total parameters, billions.", show_default=False)] = None,
    active_params_b: Annotated[Optional[float], typer.Option("--active-params-b", help="Ad-hoc model: active parameters (MoE), billions.", show_default=False)] = None,
    layers: Annotated[Optional[int], typer.Option("--layers", help="Ad-hoc model: layers.", show_default=False)] = None,
    kv_heads: Annotated[Optional[int], typer.Option("--kv-heads", help="Ad-hoc model: KV heads.", show_default=False)] = None,
    head_dim: Annotated[Optional[int], typer.Option("--head-dim", help="Ad-hoc model: head dimension.", show_default=False)] = None,
    catalog: CatalogOpt = None,
    as_json: JsonOpt = False,
):
    """VRAM fit and decode throughput per precision and GPU count.

    \b
    Examples:
      ovc fit --model llama-3.3-70b --gpu 4090
      ovc fit -m qwen2.5-32b -g 2xa100-80gb --context 32768 --json
      ovc fit --params-b 8 --layers 32 --kv-heads 8 --head-dim 128 --bits 4.85 -g 3090 --batch 1
    """
    from openvclosed.decision.fit import run_fit
    from openvclosed.report import render_fit, render_json
    from openvclosed.units import parse_hw_spec

    cat = _load(catalog)
    hw = parse_hw_spec(gpu)
    g = cat.gpu(hw.gpu_name)
    a = _assumptions(context_tokens=context, max_batch=batch)
    adhoc = [params_b, layers, kv_heads, head_dim]
    if any(v is not None for v in adhoc) or active_params_b is not None:
        if model:
            raise InputError("give either --model or an ad-hoc model (--params-b, --layers, --kv-heads, --head-dim)")
        if any(v is None for v in adhoc):
            raise InputError("an ad-hoc model needs all of --params-b, --layers, --kv-heads and --head-dim")
        m = _adhoc_model(params_b, active_params_b or params_b, layers, kv_heads, head_dim)
    elif model:
        m = cat.model(model)
    else:
        raise InputError("give --model (see `ovc catalog models`) or an ad-hoc model with --params-b ...")
    counts = [hw.n_gpus] if hw.explicit else None
    precs = [q.value for q in quant] if quant else None
    if bits is not None and not 0 < bits <= 32:
        raise InputError(f"--bits: {bits!r} must be in (0, 32]")
    result = run_fit(cat, m, g, a, gpu_counts=counts, precisions=precs, batch=batch, weight_bits=bits)
    typer.echo(render_json(result) if as_json else render_fit(result), nl=False)


def _adhoc_model(params_b, active_params_b, layers, kv_heads, head_dim):
    from openvclosed.catalog import ModelEntry

    try:
        return ModelEntry(id="adhoc", name=f"ad-hoc {params_b:g}B", source="command line", as_of=dt.date.today(),
                          params_b=params_b, active_params_b=active_params_b, layers=layers, kv_heads=kv_heads,
                          head_dim=head_dim, context_tokens=10**9, native_weight_bits=16,
                          license={"name": "unknown", "commercial_use": True},
                          openness={"weights": True, "training_data": False, "training_code": False},
                          tiers=["standard"])
    except ValidationError as e:
        err = e.errors()[0]
        raise InputError(f"--{str(err['loc'][0]).replace('_', '-')}: {err['msg'].lower()}") from None


def _catalog_cmd(kind: str):
    @handle_errors
    def cmd(catalog: CatalogOpt = None, max_age_days: MaxAgeOpt = 90, as_json: JsonOpt = False):
        from openvclosed.report import render_catalog

        cat = _load(catalog)
        entries = list(getattr(cat, kind).values())
        if as_json:
            typer.echo(json.dumps({"schema_version": 1, kind: [e.model_dump(mode="json") for e in entries]},
                                  indent=2))
        else:
            typer.echo(render_catalog(kind, entries, dt.date.today(), max_age_days), nl=False)

    cmd.__doc__ = {"apis": "API prices (USD per 1M tokens) with source and age.",
                   "gpus": "GPUs: VRAM, bandwidth, TFLOPS, TDP, purchase and cloud prices, with sources.",
                   "models": "Open-weight models: size, architecture, licence, openness, tiers."}[kind]
    return cmd


for _kind in ("apis", "gpus", "models"):
    catalog_app.command(name=_kind, epilog=EPILOG)(_catalog_cmd(_kind))


def _register_command_modules() -> None:
    import importlib

    from openvclosed.commands import COMMAND_MODULES

    shared = {"handle_errors": handle_errors, "load_catalog": _load, "assumptions": _assumptions,
              "epilog": EPILOG, "CatalogOpt": CatalogOpt, "JsonOpt": JsonOpt, "MaxAgeOpt": MaxAgeOpt,
              "catalog_app": catalog_app}
    for name in COMMAND_MODULES:
        importlib.import_module(f"openvclosed.commands.{name}").register(app, shared)


_register_command_modules()


def _one_line(e: BaseException) -> str:
    from openvclosed.report.text import term

    return term(str(e) or type(e).__name__)


def main(argv: list[str] | None = None) -> None:
    """Console entry point and the one error boundary.

    Project errors, OS errors (unreadable files, a full disk, a bad $GITHUB_STEP_SUMMARY),
    memory, recursion, decoding and compression errors become one line on stderr and exit 2;
    usage errors (unknown option, value of the wrong type) too; exit 1 only for a failed
    check; Ctrl-C says "interrupted" and exits 130; a closed pipe exits quietly.
    """
    import zlib

    try:
        rv = app(args=argv, prog_name="ovc", standalone_mode=False)
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        sys.exit(0)
    except OvcError as e:
        _err(_one_line(e))
        sys.exit(e.exit_code)
    except (OSError, MemoryError, RecursionError, UnicodeError, zlib.error, EOFError, OverflowError) as e:
        what = {MemoryError: "out of memory", RecursionError: "input nested too deeply"}.get(type(e))
        if isinstance(e, OSError) and e.filename:
            what = f"{e.filename}: {e.strerror or e}"
        _err(what or f"{type(e).__name__}: {_one_line(e)}")
        sys.exit(2)
    except Exception as e:  # click's UsageError/BadParameter, vendored by typer: duck-typed
        if not (hasattr(e, "format_message") and isinstance(getattr(e, "exit_code", None), int)):
            raise
        ctx = getattr(e, "ctx", None)
        if type(e).__name__ == "NoArgsIsHelpError" and ctx is not None:
            sys.stdout.write(ctx.get_help() + "\n")
            sys.exit(0)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        _err(e.format_message().replace("\n", " ") + hint)
        sys.exit(e.exit_code)
    sys.exit(rv if isinstance(rv, int) else 0)
