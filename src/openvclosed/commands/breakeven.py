"""``ovc breakeven``: each API's cost against self-hosting at one volume."""

from typing import Annotated, Optional

import typer

from openvclosed.commands.options import (ProfileOpt, AsOfOpt, MaxHwAgeOpt, parse_as_of, EPILOG, MAX_DRAWS_X_APIS, CatalogOpt, FormatOpt, JsonOpt, MaxAgeOpt,
                                          MaxDrawsOpt, Quant, api_price, assumptions, check_draws,
                                          check_finite_range, check_growth, emit_findings, load_catalog,
                                          out_format, volume)
from openvclosed.commands.options import ForceOpt, OutputOpt
from openvclosed.errors import InputError


def register(app: typer.Typer) -> None:
    app.command(epilog=EPILOG)(breakeven)


def breakeven(
    ctx: typer.Context,
    tokens: Annotated[Optional[str], typer.Option("--tokens", "-t", help="Tokens per day (input + output): 5e8, 500M, 1.5B, 500_000_000.", show_default=False)] = None,
    tokens_per_month: Annotated[Optional[str], typer.Option("--tokens-per-month", help="Alternative to --tokens: tokens per month.", show_default=False)] = None,
    gpu: Annotated[str, typer.Option("--gpu", "-g", help="GPUs per replica: 2x4090, 4xA100-80GB, h100, 8xH100.")] = "2x4090",
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Open model id (default: the strongest catalog model that fits).", show_default=False)] = None,
    api: Annotated[Optional[list[str]], typer.Option("--api", "-a", help="API id to compare (repeatable; default: each provider's flagship and small model + a hosted offer of the model).", show_default=False)] = None,
    api_prices: Annotated[Optional[list[str]], typer.Option("--api-price", help="Ad-hoc API priced IN:OUT USD per 1M tokens, e.g. 2.5:10 (repeatable).", show_default=False)] = None,
    quant: Annotated[Optional[Quant], typer.Option("--quant", "-q", help="Weight precision (default: the highest that fits).", show_default=False)] = None,
    input_share: Annotated[Optional[float], typer.Option("--input-share", help="Input tokens / all tokens, 0..1 [default 0.75].", show_default=False)] = None,
    cached_share: Annotated[Optional[float], typer.Option("--cached-share", help="Share of input tokens served from the prompt cache, 0..1 [default 0].", show_default=False)] = None,
    batch_share: Annotated[Optional[float], typer.Option("--batch-share", help="Share of traffic sent through batch APIs, 0..1 [default 0].", show_default=False)] = None,
    kv_bits: Annotated[Optional[float], typer.Option("--kv-bits", help="KV-cache precision in bits: 16 (fp16/bf16) or 8 (fp8 KV) [default 16].", show_default=False)] = None,
    engine: Annotated[Optional[str], typer.Option("--engine", help="Serving engine whose calibrated profile models throughput: vllm, sglang, trtllm, llamacpp, mlx [default: by hardware].", show_default=False)] = None,
    output_multiplier: Annotated[Optional[float], typer.Option("--output-multiplier", help="Reasoning models: served output tokens per visible output token [default 1].", show_default=False)] = None,
    context: Annotated[Optional[int], typer.Option("--context", help="Mean tokens in context per sequence [default 4096].", show_default=False)] = None,
    utilization: Annotated[Optional[float], typer.Option("--utilization", "-u", help="Mean load / capacity of a replica, 0..1 [default 0.5].", show_default=False)] = None,
    electricity_usd_kwh: Annotated[Optional[float], typer.Option("--electricity-usd-kwh", help="Electricity price [default 0.15 USD/kWh].", show_default=False)] = None,
    pue: Annotated[Optional[float], typer.Option("--pue", help="Power usage effectiveness >= 1 [default by site: datacenter 1.58, office 1.0].", show_default=False)] = None,
    site: Annotated[Optional[str], typer.Option("--site", help="Where owned hardware runs: office, datacenter, colocation [default: office for consumer and unified-memory machines, else datacenter].", show_default=False)] = None,
    ops_team_usd_month: Annotated[Optional[float], typer.Option("--ops-team-usd-month", help="People cost of the deployment, once (a share of an on-call engineer) [default 3938 USD/month].", show_default=False)] = None,
    ops_usd_month: Annotated[Optional[float], typer.Option("--ops-usd-month", "--ops-usd-per-node-month", help="People cost per machine on top of the team [default 182 USD/month].", show_default=False)] = None,
    amortize_years: Annotated[Optional[float], typer.Option("--amortize-years", help="Years to write hardware off [default 3].", show_default=False)] = None,
    rate: Annotated[Optional[float], typer.Option("--rate", help="Cost of capital per year, 0..1 [default 0.08].", show_default=False)] = None,
    host_usd_per_gpu: Annotated[Optional[float], typer.Option("--host-usd-per-gpu", help="Server/workstation cost per GPU [default 1500 USD].", show_default=False)] = None,
    host_w_per_gpu: Annotated[Optional[float], typer.Option("--host-w-per-gpu", help="Host power (CPU, RAM, fans) per GPU [default 150 W].", show_default=False)] = None,
    system_power: Annotated[bool, typer.Option("--system-power/--no-system-power", help="Count the catalog's whole-system power per GPU where it has one (e.g. DGX H100 10.2 kW / 8); --no-system-power uses GPU TDP x draw share + host power.")] = True,
    power_draw_share: Annotated[Optional[float], typer.Option("--power-draw-share", help="Mean draw as a share of rated power while powered [default: idle 0.115 + (1 - 0.115) x utilization].", show_default=False)] = None,
    idle_power_share: Annotated[Optional[float], typer.Option("--idle-power-share", help="Idle draw as a share of rated power [default 0.115, H200 measured].", show_default=False)] = None,
    residual_share: Annotated[Optional[float], typer.Option("--residual-share", help="GPU resale after --amortize-years as a share of the price [default: GeForce 0.64, others 0.22].", show_default=False)] = None,
    gpu_price_usd: Annotated[Optional[float], typer.Option("--gpu-price-usd", help="Purchase price per GPU (default: catalog).", show_default=False)] = None,
    rent: Annotated[bool, typer.Option("--rent", help="Rent cloud GPUs instead of buying them.")] = False,
    gpu_hour_usd: Annotated[Optional[float], typer.Option("--gpu-hour-usd", help="Rented price per GPU-hour (default: catalog).", show_default=False)] = None,
    tokens_per_s: Annotated[Optional[float], typer.Option("--tokens-per-s", help="Measured tokens/s of one replica (input+output); overrides the throughput model.", show_default=False)] = None,
    ttft_p95_ms: Annotated[Optional[float], typer.Option("--ttft-p95-ms", help="Size for this 95th-percentile time to first token [ms], queueing included, instead of a fixed --utilization (docs/sizing.md; default target 2000, MLPerf Server).", show_default=False)] = None,
    tpot_p95_ms: Annotated[Optional[float], typer.Option("--tpot-p95-ms", help="Size for this time per output token [ms] (default target 200, MLPerf Server).", show_default=False)] = None,
    requests_per_second: Annotated[Optional[float], typer.Option("--requests-per-second", help="Busy-hour request rate: sizes for latency at that peak (request length from --context and --input-share).", show_default=False)] = None,
    hours_per_day: Annotated[Optional[float], typer.Option("--hours-per-day", help="Hours per day the hardware serves [default 24].", show_default=False)] = None,
    days_per_month: Annotated[Optional[float], typer.Option("--days-per-month", help="Days per month [default 30.44].", show_default=False)] = None,
    horizon_months: Annotated[Optional[int], typer.Option("--horizon-months", min=1, max=600, help="Total cost over this many months, discounted at --rate [default: amortize years x 12 when a horizon option is given].", show_default=False)] = None,
    growth_per_month: Annotated[float, typer.Option("--growth-per-month", help="Monthly volume growth over the horizon, e.g. 0.05 = +5%/month.")] = 0.0,
    api_price_decline_per_year: Annotated[float, typer.Option("--api-price-decline-per-year", help="API prices fall by this share per year over the horizon, 0..1.")] = 0.0,
    monte_carlo: Annotated[Optional[int], typer.Option("--monte-carlo", min=1, max=10_000_000, help="Monte Carlo draws over the uncertain inputs: P(self-hosting cheaper), P10/P50/P90 (docs/uncertainty.md).", show_default=False)] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed for --monte-carlo (same seed, same numbers) (default: 0).")] = 0,
    sensitivity: Annotated[bool, typer.Option("--sensitivity", help="One-at-a-time sensitivity: tornado of the inputs and the value at which each flips the answer.")] = False,
    catalog: CatalogOpt = None,
    profile_files: ProfileOpt = None,
    max_age_days: MaxAgeOpt = 90,
    max_hardware_age_days: MaxHwAgeOpt = 365,
    as_of: AsOfOpt = None,
    max_draws: MaxDrawsOpt = MAX_DRAWS_X_APIS,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
):
    """Each API's cost against self-hosting at one volume: break-even and payback.

    \b
    Examples:
      ovc breakeven --tokens 5e8 --gpu 2x4090
      ovc breakeven --tokens 2B --gpu 8xH100 --model llama-3.3-70b --quant fp8 --rent
      ovc breakeven -t 50M -g h100 --api openai/gpt-6.1-sol --api-price 3:15 --json
      ovc breakeven -t 5e8 --horizon-months 24 --growth-per-month 0.05 --api-price-decline-per-year 0.3
      ovc breakeven -t 5e8 -a openai/gpt-6.1-sol --monte-carlo 100000 --seed 1 --sensitivity
      ovc breakeven -t 5e8 -g 2x4090 --horizon-months 24 --format html -o breakeven.html
      ovc breakeven -t 5e8 -g 1xh100 -m llama-3.1-8b --ttft-p95-ms 500 --tpot-p95-ms 20 --requests-per-second 40
    """
    from openvclosed.units import parse_hw_spec, parse_share

    from openvclosed.commands.options import need_output, require_extra

    out = out_format(fmt, as_json, ("table", "json", "html"))
    need_output(output, out)
    if out == "html":
        require_extra()
    if (tokens is None) == (tokens_per_month is None):
        raise InputError("give exactly one of --tokens (per day) or --tokens-per-month, e.g. --tokens 5e8")
    for name, v in (("--input-share", input_share), ("--cached-share", cached_share), ("--batch-share", batch_share),
                    ("--utilization", utilization)):
        if v is not None:
            parse_share(v, name)
    a = assumptions(input_share=input_share, cached_share=cached_share, batch_share=batch_share,
                     context_tokens=context, utilization=utilization, electricity_usd_kwh=electricity_usd_kwh,
                     pue=pue, site=site, ops_team_usd_month=ops_team_usd_month, ops_usd_month=ops_usd_month, amortize_years=amortize_years, rate=rate,
                     gpu_hour_usd=gpu_hour_usd, gpu_price_usd=gpu_price_usd, tokens_per_s=tokens_per_s,
                     hours_per_day=hours_per_day, days_per_month=days_per_month, host_usd_per_gpu=host_usd_per_gpu,
                     host_w_per_gpu=host_w_per_gpu, power_draw_share=power_draw_share, system_power=system_power,
                     idle_power_share=idle_power_share, residual_share=residual_share,
                     kv_bits=kv_bits, engine=engine, output_multiplier=output_multiplier,
                     ttft_p95_ms=ttft_p95_ms, tpot_p95_ms=tpot_p95_ms)
    by_latency = ttft_p95_ms is not None or tpot_p95_ms is not None or requests_per_second is not None
    if by_latency and utilization is not None:
        raise InputError("--utilization fixes how busy replicas run; --ttft-p95-ms / --tpot-p95-ms / "
                         "--requests-per-second size them for latency instead: give one or the other")
    if requests_per_second is not None:
        check_finite_range("requests_per_second", requests_per_second, "--requests-per-second")
    if tokens is not None:
        t_day = volume(tokens, "--tokens")
    else:
        t_day = volume(tokens_per_month, "--tokens-per-month") / a.days_per_month
    prices = [api_price(p) for p in api_prices or []]
    check_growth(growth_per_month, horizon_months or a.amortize_years * 12)
    check_finite_range("api_price_decline_per_year", api_price_decline_per_year, "--api-price-decline-per-year")
    when = parse_as_of(as_of)
    cat = load_catalog(catalog)
    from openvclosed.commands.options import apply_profiles

    apply_profiles(ctx, profile_files)
    if when is not None:  # the prices valid then: APIs by their history, GPUs by price records' dates
        cat = cat.at(when)
        a = a.model_copy(update={"as_of": when})
    hw = parse_hw_spec(gpu)
    cat.gpu(hw.gpu_name)  # an unknown GPU is an error before numpy and the engine load (start-up)
    if model:
        cat.model(model)
    if monte_carlo:
        from openvclosed.decision.selection import default_apis

        if api or prices:
            n_apis = len(api or []) + len(prices)
        else:  # the default set depends on the model chosen: count the largest one
            models = [cat.model(model)] if model else list(cat.models.values())
            n_apis = max((len(default_apis(cat, m)) for m in models), default=1)
        check_draws(monte_carlo, n_apis, "APIs", max_draws)
    from openvclosed.decision.breakeven import run_breakeven
    from openvclosed.report.emit import emit

    result = run_breakeven(cat, t_day, hw, a, model_name=model, api_names=api,
                           precision=quant.value if quant else None, rented=rent, max_age_days=max_age_days,
                           max_hardware_age_days=max_hardware_age_days, today=when,
                           api_prices=prices, horizon_months=horizon_months, growth_per_month=growth_per_month,
                           api_price_decline_per_year=api_price_decline_per_year, monte_carlo=monte_carlo,
                           seed=seed, sensitivity=sensitivity, monthly=out == "html",
                           size_for_latency=by_latency, requests_per_second=requests_per_second)
    if out == "html":
        from openvclosed.commands.options import provenance, write_html
        from openvclosed.decision.report import breakeven_report

        emit_findings(result.findings, "table")
        write_html(breakeven_report(cat, result, provenance(), rented=rent, as_of=when),
                   output, force=force, inputs=catalog or [])
        typer.echo(f"wrote {output}")
        return
    emit_findings(result.findings, out)
    typer.echo(emit(result, out), nl=False)


