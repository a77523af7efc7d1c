"""``ovc plot cost|montecarlo``: figures (matplotlib, optional extra ``plot``) and a terminal chart."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from openvclosed.commands.options import (EPILOG, CatalogOpt, FormatOpt, JsonOpt, MaxAgeOpt, assumptions,  # noqa: F401
                                          emit_findings, load_catalog, out_format, catalog_inputs,
                                          volume, check_growth, check_finite_range, check_draws,
                                          MaxDrawsOpt, MAX_DRAWS_X_APIS)

from openvclosed.errors import InputError


def _range(text: str) -> tuple[float, float]:
    parts = text.split(":")
    if len(parts) != 2:
        raise InputError(f"--range: {text!r} is not LO:HI tokens/day, e.g. 1e6:1e10")
    lo, hi = volume(parts[0], "--range"), volume(parts[1], "--range")
    if not 0 < lo < hi:
        raise InputError(f"--range: {text!r} needs 0 < LO < HI")
    return lo, hi


def _check_output(output, force: bool, catalog) -> None:
    """Suffix and target checked before any work (the figure is written at the end)."""
    if output is None:
        return
    from openvclosed.fileio import check_write_target
    from openvclosed.report.plots import FIGURE_SUFFIXES

    if output.suffix.lower() not in FIGURE_SUFFIXES:
        raise InputError(f"--output: {str(output)!r} must end in {', '.join(FIGURE_SUFFIXES)}")
    check_write_target(output, force=force, inputs=catalog_inputs(catalog))


def term(s) -> str:
    from openvclosed.report.text import term as _term

    return _term(s)


def register(app: typer.Typer) -> None:
    plot_app = typer.Typer(help="Pictures: cost vs volume, Monte Carlo savings (PNG/SVG/PDF with matplotlib; "
                                "`ovc plot cost --terminal` needs nothing).\n\n\b\nExamples:\n  ovc plot cost --terminal -g 2x4090 -t 5e8\n  ovc plot cost -g 2x4090 -t 5e8 -o cost.png", no_args_is_help=True, epilog=EPILOG)
    app.add_typer(plot_app, name="plot")

    Gpu = Annotated[str, typer.Option("--gpu", "-g", help="GPUs per replica: 2x4090, h100, 8xH100.")]
    Model = Annotated[Optional[str], typer.Option("--model", "-m", help="Open model id (default: the strongest that fits).", show_default=False)]
    Api = Annotated[Optional[list[str]], typer.Option("--api", "-a", help="API id (repeatable; default: the breakeven set).", show_default=False)]
    ApiPrice = Annotated[Optional[list[str]], typer.Option("--api-price", help="Ad-hoc API IN:OUT USD per 1M tokens (repeatable).", show_default=False)]
    Quant = Annotated[Optional[str], typer.Option("--quant", "-q", help="Weight precision (default: the highest that fits).", show_default=False)]
    Rent = Annotated[bool, typer.Option("--rent", help="Rent cloud GPUs instead of buying them.")]
    Util = Annotated[Optional[float], typer.Option("--utilization", "-u", help="Mean load / capacity [default 0.5].", show_default=False)]
    Ops = Annotated[Optional[float], typer.Option("--ops-usd-month", help="People cost per replica [default 1000 USD/month].", show_default=False)]
    Out = Annotated[Optional[Path], typer.Option("--output", "-o", help="Figure file: .png, .svg or .pdf (an existing file needs --force).", show_default=False)]
    Force = Annotated[bool, typer.Option("--force", help="Replace an existing --output file.")]

    def _breakeven(cat, tokens_per_day, gpu, model, api, api_price, quant, rent, a, max_age_days, **kw):
        from openvclosed.decision.breakeven import run_breakeven
        from openvclosed.commands.options import api_price as _api_price
        from openvclosed.units import parse_hw_spec

        prices = [_api_price(p) for p in api_price or []]
        return run_breakeven(cat, tokens_per_day, parse_hw_spec(gpu), a, model_name=model, api_names=api,
                             precision=quant, rented=rent, max_age_days=max_age_days, api_prices=prices, **kw)

    @plot_app.command("cost", epilog=EPILOG)
    def cost(
        output: Out = None,
        terminal: Annotated[bool, typer.Option("--terminal", help="Draw in the terminal (rich bars) instead of a file.")] = False,
        range_: Annotated[str, typer.Option("--range", help="Volumes on the x axis, LO:HI tokens/day.")] = "1e6:1e10",
        tokens: Annotated[Optional[str], typer.Option("--tokens", "-t", help="Mark your volume (tokens/day).", show_default=False)] = None,
        gpu: Gpu = "2x4090", model: Model = None, api: Api = None, api_price: ApiPrice = None, quant: Quant = None,
        rent: Rent = False, utilization: Util = None, ops_usd_month: Ops = None,
        catalog: CatalogOpt = None, max_age_days: MaxAgeOpt = 90, force: Force = False,
    ):
        """Monthly cost vs tokens/day (log axes): each API a line, self-hosting a staircase, break-evens marked.

        \b
        Examples:
          ovc plot cost -o cost.png --gpu 2x4090 -m llama-3.1-8b
          ovc plot cost -o cost.svg -g 8xh100 -m llama-3.3-70b --rent --range 1e7:1e11 -t 2B
          ovc plot cost --terminal -g h100
        """
        from openvclosed.decision.curves import cost_curves
        from openvclosed.report.plots import plot_cost, render_cost_terminal

        if (output is None) == (not terminal):
            raise InputError("give -o FILE.png|svg|pdf or --terminal")
        _check_output(output, force, catalog)
        lo, hi = _range(range_)
        t = volume(tokens, "--tokens") if tokens else (lo * hi) ** 0.5
        a = assumptions(utilization=utilization, ops_usd_month=ops_usd_month)
        r = _breakeven(load_catalog(catalog), t, gpu, model, api, api_price, quant, rent, a, max_age_days)
        if terminal:
            typer.echo(render_cost_terminal(cost_curves(r, lo, hi, points=13)), nl=False)
            return
        curves = cost_curves(r, lo, hi)
        if not tokens:
            curves["volume"] = None
        plot_cost(curves, output, force=force, inputs=catalog_inputs(catalog))
        typer.echo(f"wrote {term(output)}")

    @plot_app.command("montecarlo", epilog=EPILOG)
    def montecarlo(
        output: Out = None,
        tokens: Annotated[str, typer.Option("--tokens", "-t", help="Tokens per day in the first month.")] = "5e8",
        gpu: Gpu = "2x4090", model: Model = None,
        api: Annotated[Optional[str], typer.Option("--api", "-a", help="API to compare with (default: the first of the breakeven set).", show_default=False)] = None,
        api_price: ApiPrice = None, quant: Quant = None, rent: Rent = False, utilization: Util = None,
        ops_usd_month: Ops = None,
        horizon_months: Annotated[Optional[int], typer.Option("--horizon-months", min=1, max=600, help="Horizon [default: amortize years x 12].", show_default=False)] = None,
        growth_per_month: Annotated[float, typer.Option("--growth-per-month", help="Monthly volume growth.")] = 0.0,
        api_price_decline_per_year: Annotated[float, typer.Option("--api-price-decline-per-year", help="Yearly API price decline, 0..1.")] = 0.0,
        n: Annotated[int, typer.Option("--monte-carlo", "-n", min=1, max=10_000_000, help="Draws.")] = 100_000,
        seed: Annotated[int, typer.Option("--seed", help="Random seed (default: 0).")] = 0,
        bins: Annotated[int, typer.Option("--bins", min=5, max=1000, help="Histogram bins.")] = 60,
        catalog: CatalogOpt = None, max_age_days: MaxAgeOpt = 90, force: Force = False,
        max_draws: MaxDrawsOpt = MAX_DRAWS_X_APIS,
    ):
        """Histogram of Monte Carlo savings of self-hosting over the horizon, P10/P50/P90 marked.

        \b
        Examples:
          ovc plot montecarlo -o mc.png -t 5e8 -g 2x4090 -m llama-3.1-8b -a openai/gpt-6-luna
          ovc plot montecarlo -o mc.svg -t 2B -g 8xh100 --horizon-months 24 --api-price-decline-per-year 0.3
        """
        from openvclosed.report.plots import _pyplot, plot_montecarlo

        if output is None:
            raise InputError("give -o FILE.png|svg|pdf")
        _check_output(output, force, catalog)
        _pyplot()  # fail early, before the work, when matplotlib is missing
        t = volume(tokens, "--tokens")
        a = assumptions(utilization=utilization, ops_usd_month=ops_usd_month)
        check_growth(growth_per_month, horizon_months or a.amortize_years * 12)
        check_finite_range("api_price_decline_per_year", api_price_decline_per_year, "--api-price-decline-per-year")
        check_draws(n, 1, "API", max_draws)
        cat = load_catalog(catalog)
        r = _breakeven(cat, t, gpu, model, [api] if api else None, api_price, quant, rent, a, max_age_days,
                       horizon_months=horizon_months or max(1, round(a.amortize_years * 12)),
                       growth_per_month=growth_per_month, api_price_decline_per_year=api_price_decline_per_year,
                       monte_carlo=n, seed=seed, histogram_bins=bins)
        if not r.apis:
            raise InputError("no API to compare with; give --api or --api-price")
        if not r.selfhost.fits or r.monte_carlo is None:
            raise InputError(f"{r.selfhost.model} at {r.selfhost.quant} does not fit {r.selfhost.n_gpus}x"
                             f"{r.selfhost.gpu}; nothing to simulate")
        first, row = r.apis[0], r.monte_carlo.apis[0]
        point = next((x.saving_usd for x in (r.horizon.apis if r.horizon else []) if x.api == first.api), None)
        plot_montecarlo(row, r.monte_carlo.n, first.api, output, horizon_months=r.monte_carlo.horizon_months,
                        point_usd=point, force=force, inputs=catalog_inputs(catalog))
        from openvclosed.report.plots import sign_note
        from openvclosed.report.text import usd

        p50 = row.saving_usd_p50
        typer.echo(f"wrote {term(output)}: P(self-host cheaper than {term(first.api)}) = {row.p_selfhost_cheaper:.0%}"
                   + (f"; point estimate {usd(point)}, P50 {usd(p50)}" if point is not None and p50 is not None else ""))
        note = sign_note(point, p50)
        if note:
            typer.echo(note)
