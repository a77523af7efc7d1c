"""``ovc catalog apis|gpus|models``: what ovc knows, with sources and as_of dates."""

import datetime as dt
from pathlib import Path
from typing import Annotated, Optional

import typer

from openvclosed.commands.options import EPILOG, CatalogOpt, FormatOpt, JsonOpt, MaxAgeOpt, load_catalog, out_format
from openvclosed.errors import InputError

catalog_app = typer.Typer(help="What ovc knows: API prices, GPUs, open models — with sources and as_of dates.",
                          no_args_is_help=True, epilog=EPILOG)


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
    for kind in ("apis", "gpus", "models"):
        catalog_app.command(name=kind, epilog=EPILOG)(_catalog_cmd(kind))
    catalog_app.command(name="history", epilog=EPILOG)(history)
    catalog_app.command(name="diff", epilog=EPILOG)(diff)
    catalog_app.command(name="template", epilog=EPILOG)(template)


def history(
    name: Annotated[str, typer.Argument(help="An API id (openai/gpt-6-luna) or a GPU id or alias (4090).", show_default=False)],
    catalog: CatalogOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
):
    """Every recorded price of one API or GPU, oldest first, with its source.

    \b
    Examples:
      ovc catalog history together/llama-3.3-70b-turbo
      ovc catalog history 4090 --json
    """
    from openvclosed.errors import UnknownNameError
    from openvclosed.report.emit import emit
    from openvclosed.results.catalog import PriceHistoryResult, PriceRecordOut

    out = out_format(fmt, as_json)
    cat = load_catalog(catalog)
    try:
        api = cat.api(name)
    except UnknownNameError:
        api = None
    if api is not None:
        today = dt.date.today()
        rows = [PriceRecordOut(valid_from=str(d), usd=None, input_usd_per_mtok=i, output_usd_per_mtok=o,
                               basis="API list" + (", announced" if d > today else ""), source=src)
                for d, i, o, src in api.timeline()]
        result = PriceHistoryResult(id=api.id, kind="api", records=rows)
    else:
        g = cat.gpu(name)
        rows = [PriceRecordOut(valid_from=str(p.valid_from), usd=p.usd, basis=f"purchase, {p.describe()}",
                               source=p.source) for p in sorted(g.prices, key=lambda p: p.valid_from)]
        rows += [PriceRecordOut(valid_from=str(r.valid_from), usd_per_gpu_hour=r.usd_per_gpu_hour,
                                basis=f"rent, {r.provider}", source=r.source) for r in sorted(g.rent, key=lambda r: r.valid_from)]
        result = PriceHistoryResult(id=g.id, kind="gpu", records=rows)
    typer.echo(emit(result, out), nl=False)


BUNDLED_CHOICE = ("LiteLLM's price, except where genai-prices carries a price that starts after it "
                  "(then genai-prices from that date); the other source's figure is kept next to it")
"""Which of the two machine-readable sources the bundled catalog uses (docs/catalog.md)."""


def diff(
    since: Annotated[Optional[str], typer.Option("--since", help="List prices that took effect after this date (YYYY-MM-DD).", show_default=False)] = None,
    sources: Annotated[bool, typer.Option("--sources", help="List the APIs whose price sources (LiteLLM, genai-prices) disagree by more than 3%.")] = False,
    catalog: CatalogOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
):
    """What changed in the catalog's prices since a date, or where its two price sources disagree.

    \b
    Examples:
      ovc catalog diff --since 2026-09-01
      ovc catalog diff --since 2026-01-01 --json
      ovc catalog diff --sources
    """
    from openvclosed.report.emit import emit
    from openvclosed.results.catalog import PriceChangeOut, PriceDiffResult

    if (since is None) == (not sources):
        raise InputError("give --since DATE or --sources (one of them)")
    out = out_format(fmt, as_json)
    cat = load_catalog(catalog)
    if sources:
        typer.echo(emit(_source_diff(cat), out), nl=False)
        return
    try:
        when = dt.date.fromisoformat(since.strip())
    except ValueError:
        raise InputError(f"--since: {since!r} is not a date; use YYYY-MM-DD") from None
    changes = []
    for a in cat.apis.values():
        tl = a.timeline()
        for (d0, i0, o0, _), (d1, i1, o1, src) in zip([(None, None, None, None)] + tl[:-1], tl):
            if d1 > when and (i0, o0) != (i1, o1):
                changes.append(PriceChangeOut(id=a.id, kind="api" if d1 <= dt.date.today() else "api scheduled",
                                              valid_from=str(d1),
                                              before=None if i0 is None else f"${i0:g} in / ${o0:g} out",
                                              after=f"${i1:g} in / ${o1:g} out", source=src))
    for g in cat.gpus.values():
        for p in g.prices:
            if p.valid_from > when:
                changes.append(PriceChangeOut(id=g.id, kind="gpu", valid_from=str(p.valid_from), before=None,
                                              after=f"${p.usd:,.0f}/GPU ({p.describe()})", source=p.source))
        for r in g.rent:
            if r.valid_from > when:
                changes.append(PriceChangeOut(id=g.id, kind="gpu rent", valid_from=str(r.valid_from), before=None,
                                              after=f"${r.usd_per_gpu_hour:g}/GPU-hour at {r.provider}", source=r.source))
    changes.sort(key=lambda c: (c.valid_from, c.kind, c.id))
    typer.echo(emit(PriceDiffResult(since=str(when), changes=changes), out), nl=False)


def _source_diff(cat):
    from openvclosed.catalog.genai_prices import TOLERANCE
    from openvclosed.results.catalog import SourceDiffResult, SourceDisagreementOut

    rows = []
    for a in sorted(cat.apis.values(), key=lambda a: a.id):
        for alt, field, rel in a.disagreements(TOLERANCE):
            rows.append(SourceDisagreementOut(
                id=a.id, field=field, relative_difference=round(rel, 4),
                bundled=f"${a.input_usd_per_mtok:g} in / ${a.output_usd_per_mtok:g} out", bundled_source=a.source,
                other=f"${alt.input_usd_per_mtok:g} in / ${alt.output_usd_per_mtok:g} out",
                other_source_name=alt.source_name, other_source=alt.source))
    return SourceDiffResult(tolerance=TOLERANCE, bundled_choice=BUNDLED_CHOICE, disagreements=rows)


TEMPLATE = """\
# ovc user catalog: `ovc breakeven --catalog this.yaml` (or $OVC_CATALOG). Entries override the
# bundled ones by id, field by field; new ids must be complete. Every field: docs/catalog.md.
# Every entry needs `source` (where the figure comes from) and `as_of` (when you read it).
gpus:
  - id: rtx4090                      # an existing id: only the fields you give change
    prices:                          # what YOU pay, per GPU; a system price divided by its GPUs
      - usd: 1800
        valid_from: {today}
        basis: {{condition: new, unit: card, server_included: false, kind: quote, gpus_in_unit: 1}}
        source: "our purchase order PO-1234"
    rent:
      - {{provider: ourcloud, usd_per_gpu_hour: 0.55, valid_from: {today}, source: "our cloud contract"}}
    source: "NVIDIA Ada whitepaper (specs unchanged); prices: ours"
    as_of: {today}
apis:
  - id: openai/gpt-6.1-sol           # a negotiated API price
    input_usd_per_mtok: 1.6
    output_usd_per_mtok: 8.0
    valid_from: {today}
    source: "our enterprise agreement, 2026"
    as_of: {today}
# models:                            # an open model the catalog lacks: see docs/catalog.md for every field
#   - id: my-finetune-8b
#     name: My fine-tune
#     params_b: 8.03
#     active_params_b: 8.03
#     context_tokens: 131072
#     layers: 32
#     attention: [{{type: full, layers: 32, kv_heads: 8, head_dim: 128}}]
#     precision: {{dense_bits: 16}}
#     license: {{name: Llama 3.1 Community License, commercial_use: true}}
#     openness: {{weights: {{open: true}}, training_data: {{open: false}}, training_code: {{open: false}}}}
#     tiers: [simple]
#     source: "our config.json"
#     as_of: {today}
"""


def template(
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the template to FILE (default: stdout).", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
):
    """Print (or write) a commented user catalog to override prices and add hardware or models.

    \b
    Examples:
      ovc catalog template > my-prices.yaml
      ovc catalog template -o my-prices.yaml && ovc breakeven -t 5e8 --catalog my-prices.yaml
    """
    text = TEMPLATE.format(today=dt.date.today().isoformat())
    if output is None:
        typer.echo(text, nl=False)
        return
    from openvclosed.fileio import safe_write_text

    safe_write_text(output, text, force=force, what="--output")
    typer.echo(f"wrote {output}", err=True)


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


