"""`ovc catalog import-litellm`: refresh API prices from LiteLLM's price JSON (no network)."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from openvclosed.commands.options import (EPILOG, CatalogOpt, FormatOpt, JsonOpt, MaxAgeOpt, assumptions,  # noqa: F401
                                          emit_findings, load_catalog, out_format, catalog_inputs)
from openvclosed.commands.catalog import catalog_app


MAX_LITELLM_BYTES = 50_000_000
"""LiteLLM's price JSON is a few MB; anything over this is not one."""


def read_litellm_json(path) -> dict:
    """The LiteLLM price JSON as a dict: a regular file of at most MAX_LITELLM_BYTES, strict JSON
    (:func:`openvclosed.jsonio.loads_strict`: no duplicate keys, no NaN/Infinity, no huge integers,
    not nested absurdly deep, an object at the top); one error line otherwise."""
    from openvclosed.errors import InputError
    from openvclosed.fileio import read_input_text
    from openvclosed.jsonio import loads_strict

    text = read_input_text(path, "LiteLLM's price JSON", MAX_LITELLM_BYTES)
    try:
        prices = loads_strict(text, str(path))
    except ValueError as e:  # integers longer than Python converts
        raise InputError(f"{path}: not valid price JSON ({str(e)[:80]})") from None
    return prices


MAX_PROBLEM_LINES = 3
"""Problems printed without --verbose (the rest are counted in one line)."""


def register(app: typer.Typer) -> None:
    catalog_app.command("import-genai-prices", epilog=EPILOG)(import_genai_prices)

    @catalog_app.command("import-litellm", epilog=EPILOG)
    def import_litellm(
        path: Annotated[Optional[Path], typer.Argument(help="LiteLLM model_prices_and_context_window.json.", show_default=False)] = None,
        from_installed: Annotated[bool, typer.Option("--from-installed", help="Use the copy bundled with the installed litellm package.")] = False,
        write: Annotated[Optional[Path], typer.Option("--write", help="Write the changed/added entries to this user catalog YAML (use it with --catalog).", show_default=False)] = None,
        add: Annotated[Optional[list[str]], typer.Option("--add", help="Also add this LiteLLM key as a new API entry (repeatable).", show_default=False)] = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --write file.")] = False,
        verbose: Annotated[bool, typer.Option("--verbose", help=f"List every problem (default: the first {MAX_PROBLEM_LINES} and a count).")] = False,
        catalog: CatalogOpt = None,
        as_json: JsonOpt = False,
        fmt: FormatOpt = None,
    ):
        """Compare catalog API prices with LiteLLM's price JSON; show old -> new; optionally write.

        \b
        Entries are matched by the LiteLLM key named in their `source`. Nothing is fetched from the
        network. The bundled catalog is never modified: --write produces a user catalog that
        overrides it by id (pass it with --catalog or $OVC_CATALOG).
        \b
        Examples:
          ovc catalog import-litellm model_prices_and_context_window.json
          ovc catalog import-litellm --from-installed --write prices-2026-12.yaml
          ovc breakeven -t 5e8 --catalog prices-2026-12.yaml
        """
        import datetime as dt

        import yaml

        from openvclosed.errors import InputError
        from openvclosed.fileio import check_write_target, safe_write_text
        from openvclosed.report.escape import no_workflow_command, yaml_comment
        from openvclosed.report.text import term

        def say(line: str, err: bool = False) -> None:
            typer.echo(no_workflow_command(line), err=err)
        from openvclosed.catalog.litellm import find_installed_json, plan_import

        if (path is None) == (not from_installed):
            raise InputError("give a LiteLLM price JSON PATH or --from-installed (not both)")
        if from_installed:
            path = find_installed_json()
            if path is None:
                raise InputError("--from-installed: the litellm package is not installed (pip install litellm), "
                                 "or its bundled price JSON is missing")
        if write is not None:  # a bad target fails before any work
            check_write_target(write, force=force, inputs=[path, *catalog_inputs(catalog)], what="--write")
        prices = read_litellm_json(path)
        cat = load_catalog(catalog)
        try:
            changed, added, problems = plan_import(prices, cat, f"LiteLLM {path.name}", dt.date.today(), add)
        except InputError as e:  # an entry with the wrong type or an implausible price: nothing is written
            raise InputError(f"{path}: {e}") from None
        from openvclosed.report.emit import emit
        from openvclosed.results.catalog import ImportChange, ImportResult

        out = out_format(fmt, as_json)  # problems are printed after the write: a failed write is one line

        if write is not None:
            data = {"apis": [c["entry"] for c in changed] + added}
            header = (f"# ovc user catalog written by `ovc catalog import-litellm` on {dt.date.today()} from "
                      f"{yaml_comment(str(path))}\n"
                      "# Use with: ovc ... --catalog THIS_FILE (entries override the bundled ones by id)\n")
            safe_write_text(write, header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True), force=force,
                            inputs=[path, *catalog_inputs(catalog)], what="--write")
        shown = problems if verbose else problems[:MAX_PROBLEM_LINES]
        for p in shown:
            say(f"! {term(p)}", err=True)
        if len(problems) > len(shown):  # a few lines at most per run, as for every command's warnings
            say(f"! ... and {len(problems) - len(shown)} more (--verbose lists every one)", err=True)
        result = ImportResult(source=str(path), changed=[ImportChange(id=c["id"], changes={
            k: list(v) for k, v in c["changes"].items()}) for c in changed], added=added, problems=problems,
            written=str(write) if write is not None else None)
        typer.echo(emit(result, out), nl=False)


def import_genai_prices(
    write: Annotated[Optional[Path], typer.Option("--write", help="Write the changed entries to this user catalog YAML (use it with --catalog).", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --write file.")] = False,
    catalog: CatalogOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
):
    """Compare catalog API prices with pydantic's genai-prices data (dated price changes); show them; optionally write.

    \b
    Reads the data file bundled with the installed genai-prices package (pip install
    'openvclosed[prices]'); nothing is fetched from the network. A genai-prices price that starts
    after the catalog's is applied from its date (past dates: the price in force, the old one kept
    as history; future dates: a scheduled price); any other disagreement of more than 3% is kept as
    an alternative price with its source (`ovc catalog diff --sources`). Dry run unless --write.
    \b
    Examples:
      ovc catalog import-genai-prices
      ovc catalog import-genai-prices --write prices-genai.yaml && ovc breakeven -t 5e8 --catalog prices-genai.yaml
    """
    import datetime as dt

    import yaml

    from openvclosed.catalog.genai_prices import load_installed, plan_import
    from openvclosed.fileio import check_write_target, safe_write_text
    from openvclosed.report.emit import emit
    from openvclosed.report.text import term
    from openvclosed.results.catalog import ImportChange, ImportResult

    if write is not None:
        check_write_target(write, force=force, inputs=catalog_inputs(catalog), what="--write")
    version, gp = load_installed()
    label = f"genai-prices {version}"
    cat = load_catalog(catalog)
    today = dt.date.today()
    plan = plan_import(gp, cat, label, today)
    out = out_format(fmt, as_json)
    rows = plan["changed"] + plan["alt"]
    if write is not None:
        entries = [r["entry"] for r in rows]
        header = (f"# ovc user catalog written by `ovc catalog import-genai-prices` on {today} from {term(label)}\n"
                  "# Use with: ovc ... --catalog THIS_FILE (entries override the bundled ones by id)\n")
        safe_write_text(write, header + yaml.safe_dump({"apis": entries}, sort_keys=False, allow_unicode=True),
                        force=force, inputs=catalog_inputs(catalog), what="--write")
    result = ImportResult(source=label, changed=[ImportChange(id=r["id"], changes={
        "dated price" if r in plan["changed"] else "other source": [None, r["summary"]]}) for r in rows],
        added=[], problems=[f"{i}: no genai-prices model matches (kept as is)" for i in plan["unmatched"]],
        written=str(write) if write is not None else None)
    typer.echo(emit(result, out), nl=False)
