"""`ovc catalog import-litellm`: refresh API prices from LiteLLM's price JSON (no network)."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from openvclosed.commands.options import (EPILOG, CatalogOpt, FormatOpt, JsonOpt, MaxAgeOpt, assumptions,  # noqa: F401
                                          emit_findings, load_catalog, out_format)
from openvclosed.commands.catalog import catalog_app


def register(app: typer.Typer) -> None:

    @catalog_app.command("import-litellm", epilog=EPILOG)
    def import_litellm(
        path: Annotated[Optional[Path], typer.Argument(help="LiteLLM model_prices_and_context_window.json.", show_default=False)] = None,
        from_installed: Annotated[bool, typer.Option("--from-installed", help="Use the copy bundled with the installed litellm package.")] = False,
        write: Annotated[Optional[Path], typer.Option("--write", help="Write the changed/added entries to this user catalog YAML (use it with --catalog).", show_default=False)] = None,
        add: Annotated[Optional[list[str]], typer.Option("--add", help="Also add this LiteLLM key as a new API entry (repeatable).", show_default=False)] = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --write file.")] = False,
        catalog: CatalogOpt = None,
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
        import json

        import yaml

        from openvclosed.errors import InputError
        from openvclosed.fileio import atomic_write_text, input_file_size
        from openvclosed.catalog.litellm import find_installed_json, plan_import

        if (path is None) == (not from_installed):
            raise InputError("give a LiteLLM price JSON PATH or --from-installed (not both)")
        if from_installed:
            path = find_installed_json()
            if path is None:
                raise InputError("--from-installed: the litellm package is not installed (pip install litellm), "
                                 "or its bundled price JSON is missing")
        if input_file_size(path, "LiteLLM's price JSON") > 50_000_000:
            raise InputError(f"{path}: over 50 MB; not a LiteLLM price file")
        try:
            prices = json.loads(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise InputError(f"{path}: cannot read ({e.strerror})") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise InputError(f"{path}: not valid JSON ({e.__class__.__name__})") from None
        if not isinstance(prices, dict):
            raise InputError(f"{path}: expected a JSON object of model entries")
        cat = load_catalog(catalog)
        changed, added, problems = plan_import(prices, cat, f"LiteLLM {path.name}", dt.date.today(), add)
        for c in changed:
            typer.echo(f"~ {c['id']}")
            for f, (old, new) in c["changes"].items():
                typer.echo(f"    {f}: {old} -> {new}")
        for e in added:
            typer.echo(f"+ {e['id']} ({e['kind']}): in {e['input_usd_per_mtok']} / out {e['output_usd_per_mtok']} USD per 1M")
        for p in problems:
            typer.echo(f"! {p}", err=True)
        typer.echo(f"{len(changed)} changed, {len(added)} added, {len(problems)} problems")
        if write is not None:
            if write.exists() and not force:
                raise InputError(f"{write}: exists; pass --force to overwrite it")
            if write.exists() and not write.is_file():
                raise InputError(f"{write}: is not a regular file; refusing to replace it")
            data = {"apis": [c["entry"] for c in changed] + added}
            header = (f"# ovc user catalog written by `ovc catalog import-litellm` on {dt.date.today()} from {path}\n"
                      "# Use with: ovc ... --catalog THIS_FILE (entries override the bundled ones by id)\n")
            atomic_write_text(write, header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
            typer.echo(f"wrote {write}")
