"""``ovc catalog apis|gpus|models``: what ovc knows, with sources and as_of dates."""

import datetime as dt

import typer

from openvclosed.commands.options import EPILOG, CatalogOpt, FormatOpt, JsonOpt, MaxAgeOpt, load_catalog, out_format

catalog_app = typer.Typer(help="What ovc knows: API prices, GPUs, open models — with sources and as_of dates.",
                          no_args_is_help=True, epilog=EPILOG)


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
    for kind in ("apis", "gpus", "models"):
        catalog_app.command(name=kind, epilog=EPILOG)(_catalog_cmd(kind))


def _catalog_cmd(kind: str):
    def cmd(catalog: CatalogOpt = None, max_age_days: MaxAgeOpt = 90, as_json: JsonOpt = False,
            fmt: FormatOpt = None):

        from openvclosed.report.emit import emit
        from openvclosed.results.catalog import CatalogResult

        out = out_format(fmt, as_json)
        cat = load_catalog(catalog)
        result = CatalogResult(kind=kind, today=dt.date.today().isoformat(), max_age_days=max_age_days,
                               entries=list(getattr(cat, kind).values()))
        typer.echo(emit(result, out), nl=False)

    cmd.__doc__ = {"apis": "API prices (USD per 1M tokens) with source and age.",
                   "gpus": "GPUs: VRAM, bandwidth, TFLOPS, TDP, purchase and cloud prices, with sources.",
                   "models": "Open-weight models: size, architecture, licence, openness, tiers."}[kind]
    return cmd


