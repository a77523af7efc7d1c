"""`ovc usage`: real traffic in — summarise usage logs, write workloads from them, reprice them.

Module-level imports stay light (typer only); the work happens in ``openvclosed.usage``.
"""

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from openvclosed.commands.options import (EPILOG, CatalogOpt, FormatOpt, JsonOpt, MaxAgeOpt, assumptions,  # noqa: F401
                                          emit_findings, load_catalog, out_format, catalog_inputs)

PROGRESS_MIN_BYTES = 4_000_000
"""Files larger than this get a progress bar on stderr."""


class Engine(str, Enum):
    auto = "auto"
    duckdb = "duckdb"


class Preset(str, Enum):
    auto = "auto"
    openai = "openai"
    litellm = "litellm"
    generic = "generic"


FilesArg = Annotated[list[str], typer.Argument(
    help="Usage sources: CSV or JSON Lines files (gzip ok), Parquet files or globs ('logs/*.parquet'), "
         "OpenTelemetry GenAI spans (JSON Lines), or a LiteLLM database as postgresql://[user@]host[:port]/db "
         "(password from PGPASSWORD or ~/.pgpass, never in the URL).", show_default=False)]
SinceOpt = Annotated[Optional[str], typer.Option("--since", help="Only records at or after this UTC date/time "
                                                 "(YYYY-MM-DD or ISO 8601); in a database, part of the query.",
                                                 show_default=False)]
UntilOpt = Annotated[Optional[str], typer.Option("--until", help="Only records before this UTC date/time.",
                                                 show_default=False)]
TableOpt = Annotated[Optional[str], typer.Option("--table", help="PostgreSQL sources: LiteLLM_SpendLogs (default, a "
                                                 "row per request) or a daily table such as LiteLLM_DailyTeamSpend.",
                                                 show_default=False)]
EngineOpt = Annotated[Engine, typer.Option("--engine", help="CSV files: streamed (auto) or aggregated by DuckDB "
                                           "(duckdb, pip install 'openvclosed[duckdb]'); Parquet always uses DuckDB.")]
CurrentOpt = Annotated[bool, typer.Option("--at-current-prices", help="Price all traffic at today's catalog prices "
                                          "(what-if) instead of the prices in force on each day.")]
MapOpt = Annotated[Optional[list[str]], typer.Option(
    "--map", help="Map a column to a field: SOURCE=FIELD, e.g. prompt=input_tokens or usage.cached=cached_input_tokens "
                  "(repeatable). Fields: timestamp, model, input_tokens, output_tokens, cached_input_tokens, requests, "
                  "cost_usd.", show_default=False)]
PresetOpt = Annotated[Preset, typer.Option("--preset", help="Column names of a known export: openai, litellm, generic; "
                                                            "auto picks from the header.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Any bad row is an error (exit 2) instead of a counted skip.")]


def register(app: typer.Typer) -> None:
    usage_app = typer.Typer(help="Real traffic in: usage logs -> traffic statistics, workload files, repricing.\n\n\b\nExamples:\n  ovc usage summarize tests/fixtures/usage/generic.csv\n  ovc usage reprice tests/fixtures/usage/openai_usage.csv --gpu 2x4090",
                            no_args_is_help=True, epilog=EPILOG)
    app.add_typer(usage_app, name="usage")

    @usage_app.command(epilog=EPILOG)
    def summarize(
        files: FilesArg,
        map_: MapOpt = None,
        preset: PresetOpt = Preset.auto,
        strict: StrictOpt = False,
        since: SinceOpt = None,
        until: UntilOpt = None,
        table: TableOpt = None,
        engine: EngineOpt = Engine.auto,
        at_current_prices: CurrentOpt = False,
        catalog: CatalogOpt = None,
        as_json: JsonOpt = False,
        fmt: FormatOpt = None,
    ):
        """Tokens/day (mean and peak day), requests/day, input and cached shares, hourly peak/mean and
        catalog cost — per model and in total.

        \b
        Timestamps: ISO 8601 with offset or Z -> UTC; without offset = UTC; epoch seconds (or ms).
        Bad rows are counted and the first few shown on stderr with line numbers.
        \b
        Examples:
          ovc usage summarize tests/fixtures/usage/generic.csv
          ovc usage summarize spend_logs.jsonl --preset litellm --json
          PGPASSFILE=~/.pgpass ovc usage summarize postgresql://ovc@db.internal/litellm --since 2026-10-01
          ovc usage summarize 'exports/*.parquet' --at-current-prices
          ovc usage summarize otel-spans.jsonl
          ovc usage summarize gateway.csv --map ts=timestamp --map prompt=input_tokens --map answer=output_tokens
        """
        from openvclosed.usage.aggregate import group_stats, traffic_window
        from openvclosed.usage.reader import parse_map
        from openvclosed.report.emit import emit
        from openvclosed.usage.reprice import price_groups
        from openvclosed.usage.summary import build_summary

        from openvclosed.usage.pricing import day_sums

        out = out_format(fmt, as_json)
        mapping = parse_map(map_)
        bins, reports = _load(files, preset, mapping, "model", strict, since, until, table, engine)
        cat = load_catalog(catalog)
        w = traffic_window(bins)
        groups, total = group_stats(bins, w)
        costs = price_groups(cat, groups, day_sums(bins)[0], at_current=at_current_prices)
        result = build_summary(w, groups, costs, total, reports, at_current_prices)
        _report_files(reports)
        emit_findings(result.findings, out)
        typer.echo(emit(result, out), nl=False)

    @usage_app.command("to-workload", epilog=EPILOG)
    def to_workload(
        files: FilesArg,
        output: Annotated[Path, typer.Option("--output", "-o", help="Workload YAML to write.", show_default=False)],
        group_by: Annotated[str, typer.Option("--group-by", help="One workload per model, or per value of this column.")] = "model",
        force: Annotated[bool, typer.Option("--force", help="Overwrite OUTPUT if it exists.")] = False,
        map_: MapOpt = None,
        preset: PresetOpt = Preset.auto,
        strict: StrictOpt = False,
        since: SinceOpt = None,
        until: UntilOpt = None,
        table: TableOpt = None,
        engine: EngineOpt = Engine.auto,
        catalog: CatalogOpt = None,
    ):
        """Write a workload file (for `ovc recommend` / `ovc check`) from usage logs.

        \b
        Each group becomes a workload with requests_per_day, mean input/output tokens, cached share,
        hourly peak_to_mean and a fitted growth_per_month. sensitivity and task_mix cannot be read
        from a log: they are written as `# TODO set:` comments for you to fill in.
        \b
        Examples:
          ovc usage to-workload usage.csv -o workloads.yaml
          ovc usage to-workload spend_logs.jsonl -o team.yaml --group-by team_id --force
        """
        from openvclosed.usage.aggregate import group_stats, traffic_window
        from openvclosed.usage.export import render_workload_yaml, write_atomic
        from openvclosed.usage.reader import parse_map
        from openvclosed.usage.reprice import match_api
        from openvclosed.decision.workload import load_workload_file

        from openvclosed.fileio import check_write_target

        from openvclosed.usage.postgres import is_url

        inputs = [*(Path(f) for f in files if not is_url(f)), *catalog_inputs(catalog)]
        check_write_target(output, force=force, inputs=inputs)  # fail before reading the logs
        mapping = parse_map(map_)
        bins, reports = _load(files, preset, mapping, group_by, strict, since, until, table, engine)
        w = traffic_window(bins)
        groups, total = group_stats(bins, w)
        apis = None
        if group_by == "model":
            cat = load_catalog(catalog)
            matched = {s.name: match_api(cat, s.name)[0] for s in groups}
            apis = {k: (v.id if v is not None else None) for k, v in matched.items()}
        sources = [f"{r.path} ({r.format}, preset {r.preset}, {r.good_rows:,} rows used"
                   + (f", {r.bad_rows:,} bad rows skipped)" if r.bad_rows else ")") for r in reports]
        text = render_workload_yaml(groups, w, sources, group_by, apis)
        write_atomic(output, text, force=force, validate=load_workload_file, inputs=inputs)
        _report_files(reports)
        from openvclosed.usage.summary import window_findings

        emit_findings(window_findings(w, total), "json")
        from openvclosed.report.emit import emit
        from openvclosed.results.usage import ToWorkloadResult

        result = ToWorkloadResult(output=str(output), workloads=[s.name for s in groups], days=w.days,
                                  sources=sources, findings=window_findings(w, total))
        typer.echo(emit(result, "table"), nl=False)

    @usage_app.command(epilog=EPILOG)
    def reprice(
        files: FilesArg,
        api: Annotated[Optional[list[str]], typer.Option("--api", "-a", help="API id to price the traffic on (repeatable; default: the APIs in the logs plus each provider's flagship and small model and a hosted offer of the self-hosted model).", show_default=False)] = None,
        gpu: Annotated[Optional[list[str]], typer.Option("--gpu", "-g", help="Self-host on this hardware per replica, e.g. 2x4090, 8xH100 (repeatable) [default 2x4090].", show_default=False)] = None,
        model: Annotated[Optional[str], typer.Option("--model", "-m", help="Open model to self-host (default: the strongest catalog model that fits).", show_default=False)] = None,
        quant: Annotated[Optional[str], typer.Option("--quant", "-q", help="Weight precision: fp16, fp8, int8, mxfp4, int4 (default: the highest that fits).", show_default=False)] = None,
        rent: Annotated[bool, typer.Option("--rent", help="Rent cloud GPUs instead of buying them.")] = False,
        utilization: Annotated[Optional[float], typer.Option("--utilization", "-u", help="Load / capacity of a replica at the PEAK hour, 0..1 [default 0.5].", show_default=False)] = None,
        context: Annotated[Optional[int], typer.Option("--context", help="Tokens in context per sequence [default: the logs' mean input + half the mean output per request].", show_default=False)] = None,
        map_: MapOpt = None,
        preset: PresetOpt = Preset.auto,
        strict: StrictOpt = False,
        since: SinceOpt = None,
        until: UntilOpt = None,
        table: TableOpt = None,
        engine: EngineOpt = Engine.auto,
        at_current_prices: CurrentOpt = False,
        catalog: CatalogOpt = None,
        max_age_days: MaxAgeOpt = 90,
        as_json: JsonOpt = False,
        fmt: FormatOpt = None,
    ):
        """What the logged traffic would have cost on each API and self-hosted — sized for its peak hour.

        \b
        APIs are priced with the logs' own input and cached shares. Self-hosting is evaluated at
        mean tokens/day x the hourly peak_to_mean, so the busiest hour fits; its cost is then
        spread over the real (mean) traffic.
        \b
        Examples:
          ovc usage reprice tests/fixtures/usage/openai_usage.csv
          ovc usage reprice usage.csv --gpu 2x4090 --gpu 8xh100 --model llama-3.3-70b --rent
          ovc usage reprice spend_logs.jsonl --api openai/gpt-6.1-sol --api deepinfra/llama-3.3-70b --json
          ovc usage reprice postgresql://ovc@db.internal/litellm --since 2026-07-01 --until 2026-10-01
        """
        from openvclosed.units import parse_hw_spec, parse_share
        from openvclosed.usage.aggregate import group_stats, traffic_window
        from openvclosed.usage.reader import parse_map
        from openvclosed.usage.reprice import reprice as run

        out = out_format(fmt, as_json)
        if utilization is not None:
            parse_share(utilization, "--utilization")
        hw = [parse_hw_spec(g) for g in (gpu or ["2x4090"])]
        mapping = parse_map(map_)
        cat = load_catalog(catalog)
        from openvclosed.usage.pricing import day_sums, mean_context

        bins, reports = _load(files, preset, mapping, "model", strict, since, until, table, engine)
        w = traffic_window(bins)
        groups, total = group_stats(bins, w)
        given = context
        if context is None:
            context = mean_context(total.input_tokens, total.output_tokens, total.requests)
        a = assumptions(
            input_share=total.input_share if total.input_share == total.input_share else None,
            cached_share=total.cached_share if total.cached_share == total.cached_share else None,
            context_tokens=context, utilization=utilization)
        per_day, all_days = day_sums(bins)
        result = run(cat, total, groups, w, a, hw, model_name=model, api_names=api, precision=quant, rented=rent,
                     max_age_days=max_age_days, days=per_day, total_days=all_days, at_current=at_current_prices,
                     group_context=given)
        from openvclosed.report.emit import emit
        from openvclosed.usage.summary import file_json, window_findings, window_json

        findings = window_findings(w, total) + result.findings
        result = result.model_copy(update={"window": window_json(w), "files": [file_json(r) for r in reports],
                                           "findings": findings})
        _report_files(reports)
        emit_findings(findings, out)
        typer.echo(emit(result, out), nl=False)


# ----------------------------------------------------------------------------------------- helpers

def _load(files, preset, mapping, group_by, strict, since=None, until=None, table=None, engine=Engine.auto):
    from contextlib import nullcontext

    from openvclosed.usage import load_usage
    from openvclosed.usage.postgres import is_url
    from openvclosed.usage.sources import parse_when

    when = {"since": parse_when(since, "--since"), "until": parse_when(until, "--until")}
    local = [Path(f) for f in files if not is_url(f)]
    big = [f for f in local if f.is_file() and f.stat().st_size > PROGRESS_MIN_BYTES]
    ctx = _progress_bar() if big else nullcontext(None)
    with ctx as progress:
        return load_usage(files, preset=preset.value, mapping=mapping, group_by=group_by, strict=strict,
                          progress=progress, table=table, engine=engine.value, **when)


def _progress_bar():
    """A context manager yielding ``callback(path, done_bytes, total_bytes)`` that drives a rich bar on stderr."""
    from contextlib import contextmanager

    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    @contextmanager
    def bar():
        console = Console(file=sys.stderr)
        tasks: dict[str, int] = {}
        with Progress(TextColumn("reading {task.description}"), BarColumn(), DownloadColumn(),
                      TimeRemainingColumn(), console=console, transient=console.is_terminal) as prog:
            def update(path: str, done: int, total: int) -> None:
                if path not in tasks:
                    tasks[path] = prog.add_task(Path(path).name, total=total)
                prog.update(tasks[path], completed=done)

            yield update

    return bar()


def _report_files(reports) -> None:
    """Bad rows and empty files: counted, with the first few (file:line) on stderr."""
    from openvclosed.report.escape import no_workflow_command
    from openvclosed.report.text import term

    for r in reports:
        if r.rows == 0 and r.bad_rows == 0:
            sys.stderr.write(f"ovc: warning: {term(r.path)}: empty, no usage records\n")
            continue
        if r.bad_rows:
            why = term(", ".join(f"{n} {reason}" for reason, n in r.bad_by_reason.most_common()))
            sys.stderr.write(f"ovc: warning: {term(r.path)}: {r.bad_rows:,} of {r.rows:,} rows skipped ({why}); "
                             f"use --strict to stop at the first{'; first ' + str(len(r.bad_examples)) if r.bad_rows > len(r.bad_examples) else ''}:\n")
            for line, msg in r.bad_examples:
                sys.stderr.write(no_workflow_command(f"  {term(r.path)}:{line}: {term(msg)}") + "\n")
