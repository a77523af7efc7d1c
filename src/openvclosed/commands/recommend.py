"""`ovc recommend`, `ovc schema`, `ovc init`: the decision layer on workload files."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from openvclosed.commands.options import ProfileOpt  # noqa: E402
from openvclosed.commands.options import (AsOfOpt, MaxHwAgeOpt, parse_as_of, EPILOG, CatalogOpt, FormatOpt, JsonOpt, MaxAgeOpt, assumptions,  # noqa: F401
                                          emit_findings, load_catalog, out_format, MaxDrawsOpt, MAX_DRAWS_X_APIS,
                                          check_draws)
from openvclosed.commands.options import ForceOpt, OutputOpt

INIT_TEMPLATE = """\
# ovc workload file — `ovc recommend {name}`; every field: docs/workload-file.md; schema: `ovc schema`
version: 1
defaults:                       # applied to every workload unless it sets the field itself
  horizon_months: 12
  api_price_decline_per_year: 0.3   # assumption: API prices fall ~30%/year; set your own view
workloads:
  - name: support-chat
    description: customer-support assistant answering from our help centre
    requests_per_day: 20000     # or tokens_per_day: 5e7
    input_tokens: 1500          # mean per request
    output_tokens: 300
    cached_input_share: 0.3     # share of input tokens served from the prompt cache
    peak_to_mean: 2.0           # busiest hour / mean; self-hosting is sized for the peak
    # requests_per_second: 0.5  # or the busy-hour rate itself (replaces peak_to_mean)
    growth_per_month: 0.05
    sensitivity: internal       # public | internal | confidential | regulated
    task_mix: {{simple: 0.2, standard: 0.7, frontier: 0.1}}   # must sum to 1
    fine_tune: false            # true: must train on proprietary data (needs open weights)
    monthly_active_users: 50000 # checked against licence thresholds (Llama: 700M)
    latency:                    # self-hosted designs are sized to meet these (docs/sizing.md)
      ttft_p95_ms: 1500         # time to first token, queueing included (default 2000, MLPerf Server)
      tpot_p95_ms: 50           # time per output token = 20 tokens/s per stream (default 200)
    # uptime: 0.999             # >= 0.99 adds one spare self-hosted replica
    # min_capability: 30        # lowest AA Intelligence Index v4.1 score you accept (floors: standard 23, frontier 45)
    # capability: {{anthropic/claude-opus-5-5: 50}}   # a score you vouch for (your own eval): unrated models count
    # candidates:               # default: every catalog API and model, common hardware
    #   hardware: [2x4090, 1xh100, 8xh100]
    #   deployment: [owned, rented]
    # assumptions: {{electricity_usd_kwh: 0.12, ops_usd_month: 1500}}   # utilization: 0.6 fixes it instead of sizing
"""


def register(app: typer.Typer) -> None:

    @app.command(epilog=EPILOG)
    def recommend(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="Workload YAML file (see `ovc init`).", show_default=False)],
        workload: Annotated[Optional[str], typer.Option("--workload", "-w", help="Only this workload.", show_default=False)] = None,
        markdown: Annotated[bool, typer.Option("--markdown", help="Markdown (for a pull request or a wiki).")] = False,
        rows: Annotated[int, typer.Option("--rows", min=1, help="Best feasible options shown per workload in the table (options named in `candidates` are always shown).")] = 8,
        show_all: Annotated[bool, typer.Option("--all", help="Show every option, excluded ones too, each with its reason.")] = False,
        monte_carlo: Annotated[Optional[int], typer.Option("--monte-carlo", min=1, max=10_000_000, help="Monte Carlo draws: P(best self-hosted design cheaper than the best API over the horizon), P10/P50/P90 savings.", show_default=False)] = None,
        seed: Annotated[int, typer.Option("--seed", help="Random seed for --monte-carlo (default: 0).")] = 0,
        sensitivity: Annotated[bool, typer.Option("--sensitivity", help="One-at-a-time sensitivity of the best self-hosted design against the reference API: which input moves the saving most, and where it flips.")] = False,
        max_draws: MaxDrawsOpt = MAX_DRAWS_X_APIS,
        catalog: CatalogOpt = None,
        profile_files: ProfileOpt = None,
        max_age_days: MaxAgeOpt = 90,
        max_hardware_age_days: MaxHwAgeOpt = 365,
        as_of: AsOfOpt = None,
        as_json: JsonOpt = False,
        fmt: FormatOpt = None,
        output: OutputOpt = None,
        force: ForceOpt = False,
    ):
        """Ranked options per workload with costs, constraints and reasons; hybrid split and portfolio.

        \b
        Evaluates every closed API, hosted open-weight API, owned and rented self-hosting design
        (hardware x model x precision that fits) and a hybrid (frontier share to the best allowed
        closed API, the rest to the best open option); applies sensitivity, tier, fine-tuning,
        latency, uptime and licence rules, each with a reason; ranks by cost over the horizon.
        \b
        Examples:
          ovc init workload.yaml && ovc recommend workload.yaml
          ovc recommend examples/hospital-regulated.yaml --json
          ovc recommend examples/portfolio.yaml --workload support-chat --markdown
          ovc recommend examples/hospital-regulated.yaml --monte-carlo 100000 --seed 1
          ovc recommend examples/portfolio.yaml --format html -o decision.html
        """
        import sys

        from openvclosed.decision.recommend import recommend_file
        from openvclosed.report.findings import stderr_lines
        from openvclosed.report.emit import emit
        from openvclosed.decision.workload import load_workload_file

        if markdown and fmt is None:
            from openvclosed.commands.options import Format

            fmt = Format.markdown
        from openvclosed.commands.options import need_output, require_extra

        out = out_format(fmt, as_json, ("table", "json", "markdown", "html"))
        need_output(output, out)
        if out == "html":
            require_extra()
        when = parse_as_of(as_of)
        cat = load_catalog(catalog)
        wf = load_workload_file(file)
        from openvclosed.commands.options import apply_profiles

        apply_profiles(ctx, profile_files, wf)
        if monte_carlo:  # one simulation per workload, checked before deciding
            n = 1 if workload else len(wf.workloads)
            check_draws(monte_carlo, n, "workloads", max_draws)
        rec = recommend_file(cat, wf, only=workload, as_of=when, monte_carlo=monte_carlo, seed=seed,
                             sensitivity=sensitivity, max_age_days=max_age_days,
                             max_hardware_age_days=max_hardware_age_days, monthly=out == "html")
        result = rec.result
        sys.stderr.write(stderr_lines(rec.findings, "table"))  # staleness: stderr in every format (not repeated in JSON)
        if out == "html":
            from openvclosed.commands.options import provenance, write_html
            from openvclosed.decision.report import recommend_report

            write_html(recommend_report(cat, rec, provenance(str(file))), output, force=force,
                       inputs=[file, *(catalog or [])])
            typer.echo(f"wrote {output}")
            return
        typer.echo(emit(result, out, **({"max_rows": rows, "show_all": show_all} if out == "table" else
                                        {"max_rows": len(result.workloads[0].options) if show_all and result.workloads
                                         else rows} if out == "markdown" else {})), nl=False)

    @app.command(epilog=EPILOG)
    def schema():
        """Print the JSON Schema of the workload file (for editors and validation).

        \b
        Example:
          ovc schema > workload.schema.json
        """
        import json

        from openvclosed.decision.workload import WorkloadFile

        typer.echo(json.dumps(WorkloadFile.model_json_schema(), indent=2))

    @app.command(epilog=EPILOG)
    def init(
        path: Annotated[Path, typer.Argument(help="Where to write the example.")] = Path("workload.yaml"),
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    ):
        """Write a commented example workload file (refuses to overwrite without --force).

        \b
        Example:
          ovc init workload.yaml && ovc recommend workload.yaml
        """
        from openvclosed.fileio import safe_write_text
        from openvclosed.report.text import term

        safe_write_text(path, INIT_TEMPLATE.format(name=path.name), force=force, what="PATH")
        typer.echo(f"wrote {term(path)}; next: ovc recommend {term(path)}")
