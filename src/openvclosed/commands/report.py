"""``ovc report``: one self-contained HTML decision report.

The command parses, decides through :func:`openvclosed.decision.recommend.recommend_file` (what
``recommend`` and ``check`` use), assembles the report data from that decision
(:mod:`openvclosed.decision.report`) and writes what ``report/html.py`` renders. Jinja2 and
matplotlib come from the optional extra ``report``.
"""

from pathlib import Path
from typing import Annotated, Optional

import typer

from openvclosed.commands.options import ProfileOpt  # noqa: E402
from openvclosed.commands.options import (EPILOG, AsOfOpt, CatalogOpt, ForceOpt, MaxAgeOpt, MaxHwAgeOpt, load_catalog,
                                          parse_as_of, provenance, require_extra, write_html)


def register(app: typer.Typer) -> None:

    @app.command(epilog=EPILOG)
    def report(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="Workload YAML file (see `ovc init`).", show_default=False)],
        output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.", show_default=False)],
        workload: Annotated[Optional[str], typer.Option("--workload", "-w", help="Only this workload.", show_default=False)] = None,
        monte_carlo: Annotated[Optional[int], typer.Option("--monte-carlo", min=1, max=10_000_000, help="Monte Carlo draws per workload: histogram of the saving of the best self-hosted design against the best API.", show_default=False)] = None,
        seed: Annotated[int, typer.Option("--seed", help="Random seed for --monte-carlo (default: 0).")] = 0,
        sensitivity: Annotated[bool, typer.Option("--sensitivity", help="Tornado per workload: which input moves the saving most, and where it flips.")] = False,
        force: ForceOpt = False,
        catalog: CatalogOpt = None,
        profile_files: ProfileOpt = None,
        max_age_days: MaxAgeOpt = 90,
        max_hardware_age_days: MaxHwAgeOpt = 365,
        as_of: AsOfOpt = None,
    ):
        """Write a shareable HTML decision report: summary, charts, options, assumptions and sources.

        \b
        One self-contained file (inline CSS and SVG charts, no scripts, no network access when
        opened) for people who do not use terminals; prints on A4 and Letter. Needs the extra:
        pip install "openvclosed[report]".
        \b
        Examples:
          ovc report examples/portfolio.yaml -o report.html
          ovc report workloads.yaml -o report.html --monte-carlo 20000 --sensitivity --force
        """
        import sys

        from openvclosed.decision.recommend import recommend_file
        from openvclosed.decision.report import recommend_report
        from openvclosed.decision.workload import load_workload_file
        from openvclosed.report.findings import stderr_lines

        require_extra()
        when = parse_as_of(as_of)
        cat = load_catalog(catalog)
        wf = load_workload_file(file)
        from openvclosed.commands.options import apply_profiles

        apply_profiles(ctx, profile_files, wf)
        rec = recommend_file(cat, wf, only=workload, as_of=when, monte_carlo=monte_carlo, seed=seed,
                             sensitivity=sensitivity, max_age_days=max_age_days,
                             max_hardware_age_days=max_hardware_age_days, monthly=True)
        result = recommend_report(cat, rec, provenance(str(file)))
        sys.stderr.write(stderr_lines(rec.findings, "table"))
        write_html(result, output, force=force, inputs=[file, *(catalog or [])])
        typer.echo(f"wrote {output}: open it in a browser (no network needed) or attach it")
