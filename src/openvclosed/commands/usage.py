"""`ovc usage`: real traffic in — summarise usage logs, write workloads from them, reprice them.

Module-level imports stay light (typer only); the work happens in ``openvclosed.usage``.
"""

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from openvclosed.commands.options import EPILOG, CatalogOpt, FormatOpt, JsonOpt, MaxAgeOpt, assumptions, load_catalog, out_format  # noqa: F401

PROGRESS_MIN_BYTES = 4_000_000
"""Files larger than this get a progress bar on stderr."""


class Preset(str, Enum):
    auto = "auto"
    openai = "openai"
    litellm = "litellm"
    generic = "generic"


FilesArg = Annotated[list[Path], typer.Argument(help="Usage logs: CSV or JSON Lines (gzip ok).", show_default=False)]
MapOpt = Annotated[Optional[list[str]], typer.Option(
    "--map", help="Map a column to a field: SOURCE=FIELD, e.g. prompt=input_tokens or usage.cached=cached_input_tokens "
                  "(repeatable). Fields: timestamp, model, input_tokens, output_tokens, cached_input_tokens, requests, "
                  "cost_usd.", show_default=False)]
PresetOpt = Annotated[Preset, typer.Option("--preset", help="Column names of a known export: openai, litellm, generic; "
                                                            "auto picks from the header.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Any bad row is an error (exit 2) instead of a counted skip.")]


def register(app: typer.Typer) -> None:
    usage_app = typer.Typer(help="Real traffic in: usage logs -> traffic statistics, workload files, repricing.",
                            no_args_is_help=True, epilog=EPILOG)
    app.add_typer(usage_app, name="usage")

    @usage_app.command(epilog=EPILOG)
    def summarize(
        files: FilesArg,
        map_: MapOpt = None,
        preset: PresetOpt = Preset.auto,
        strict: StrictOpt = False,
        catalog: CatalogOpt = None,
        as_json: JsonOpt = False,
    ):
        """Tokens/day (mean and peak day), requests/day, input and cached shares, hourly peak/mean and
        catalog cost — per model and in total.

        \b
        Timestamps: ISO 8601 with offset or Z -> UTC; without offset = UTC; epoch seconds (or ms).
        Bad rows are counted and the first few shown on stderr with line numbers.
        \b
        Examples:
          ovc usage summarize usage.csv
          ovc usage summarize spend_logs.jsonl --preset litellm --json
          ovc usage summarize gateway.csv --map ts=timestamp --map prompt=input_tokens --map answer=output_tokens
        """
        from openvclosed.usage.aggregate import group_stats, traffic_window
        from openvclosed.usage.reader import parse_map
        from openvclosed.usage.reprice import price_groups

        mapping = parse_map(map_)
        bins, reports = _load(files, preset, mapping, "model", strict)
        cat = load_catalog(catalog)
        w = traffic_window(bins)
        groups, total = group_stats(bins, w)
        costs = price_groups(cat, groups)
        warnings = _window_warnings(w, total) + _unpriced_warnings(groups, costs, total)
        _report_files(reports)
        if as_json:
            for x in warnings:
                sys.stderr.write(f"ovc: warning: {x}\n")
            typer.echo(_json({"schema_version": 1, "window": _window_json(w), "files": [_file_json(r) for r in reports],
                              "models": [_stats_json(s, c) for s, c in zip(groups, costs)],
                              "total": _total_json(total, costs, groups), "warnings": warnings}))
        else:
            typer.echo(_render_summary(w, groups, costs, total, reports, warnings), nl=False)

    @usage_app.command("to-workload", epilog=EPILOG)
    def to_workload(
        files: FilesArg,
        output: Annotated[Path, typer.Option("--output", "-o", help="Workload YAML to write.", show_default=False)],
        group_by: Annotated[str, typer.Option("--group-by", help="One workload per model, or per value of this column.")] = "model",
        force: Annotated[bool, typer.Option("--force", help="Overwrite OUTPUT if it exists.")] = False,
        map_: MapOpt = None,
        preset: PresetOpt = Preset.auto,
        strict: StrictOpt = False,
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
        from openvclosed.errors import InputError
        from openvclosed.decision.workload import load_workload_file

        if output.exists() and not force:
            raise InputError(f"{output}: exists; pass --force to overwrite it")
        mapping = parse_map(map_)
        bins, reports = _load(files, preset, mapping, group_by, strict)
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
        write_atomic(output, text, force=force, validate=load_workload_file)
        _report_files(reports)
        for x in _window_warnings(w, total):
            sys.stderr.write(f"ovc: warning: {x}\n")
        typer.echo(f"wrote {output}: {len(groups)} workload{'s' if len(groups) != 1 else ''} "
                   f"({', '.join(s.name for s in groups[:5])}{', ...' if len(groups) > 5 else ''}) from "
                   f"{w.days:.2f} days of traffic. Set sensitivity and task_mix on the `# TODO set:` lines.")

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
        catalog: CatalogOpt = None,
        max_age_days: MaxAgeOpt = 90,
        as_json: JsonOpt = False,
    ):
        """What the logged traffic would have cost on each API and self-hosted — sized for its peak hour.

        \b
        APIs are priced with the logs' own input and cached shares. Self-hosting is evaluated at
        mean tokens/day x the hourly peak_to_mean, so the busiest hour fits; its cost is then
        spread over the real (mean) traffic.
        \b
        Examples:
          ovc usage reprice usage.csv
          ovc usage reprice usage.csv --gpu 2x4090 --gpu 8xh100 --model llama-3.3-70b --rent
          ovc usage reprice spend_logs.jsonl --api openai/gpt-6.1-sol --api deepinfra/llama-3.3-70b --json
        """
        from openvclosed.units import parse_hw_spec, parse_share
        from openvclosed.usage.aggregate import group_stats, traffic_window
        from openvclosed.usage.reader import parse_map
        from openvclosed.usage.reprice import reprice as run

        if utilization is not None:
            parse_share(utilization, "--utilization")
        hw = [parse_hw_spec(g) for g in (gpu or ["2x4090"])]
        mapping = parse_map(map_)
        cat = load_catalog(catalog)
        bins, reports = _load(files, preset, mapping, "model", strict)
        w = traffic_window(bins)
        groups, total = group_stats(bins, w)
        if context is None and total.requests > 0 and total.tokens > 0:
            context = max(1, int(total.input_tokens / total.requests + total.output_tokens / total.requests / 2))
        a = assumptions(
            input_share=total.input_share if total.input_share == total.input_share else None,
            cached_share=total.cached_share if total.cached_share == total.cached_share else None,
            context_tokens=context, utilization=utilization)
        result = run(cat, total, groups, w, a, hw, model_name=model, api_names=api, precision=quant, rented=rent,
                     max_age_days=max_age_days)
        from openvclosed.report.findings import stderr_lines, stdout_findings
        from openvclosed.results.base import Finding

        findings = [Finding(code="skipped", severity="info", ids=[], message=x) for x in _window_warnings(w, total)]
        findings += result.findings
        _report_files(reports)
        sys.stderr.write(stderr_lines(findings, "json" if as_json else "table"))
        if as_json:
            import dataclasses

            d = dataclasses.asdict(result)
            d["findings"] = [f.model_dump(mode="json") for f in findings]
            typer.echo(_json({"schema_version": 2, "window": _window_json(w),
                              "files": [_file_json(r) for r in reports], **d}))
        else:
            typer.echo(_render_reprice(result, w, [f.message for f in stdout_findings(findings)]), nl=False)


# ----------------------------------------------------------------------------------------- helpers

def _load(files, preset, mapping, group_by, strict):
    from contextlib import nullcontext

    from openvclosed.usage import load_usage

    big = [f for f in files if f.is_file() and f.stat().st_size > PROGRESS_MIN_BYTES]
    ctx = _progress_bar() if big else nullcontext(None)
    with ctx as progress:
        return load_usage(files, preset=preset.value, mapping=mapping, group_by=group_by, strict=strict,
                          progress=progress)


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
    for r in reports:
        if r.rows == 0 and r.bad_rows == 0:
            sys.stderr.write(f"ovc: warning: {r.path}: empty, no usage records\n")
            continue
        if r.bad_rows:
            why = ", ".join(f"{n} {reason}" for reason, n in r.bad_by_reason.most_common())
            sys.stderr.write(f"ovc: warning: {r.path}: {r.bad_rows:,} of {r.rows:,} rows skipped ({why}); "
                             f"use --strict to stop at the first{'; first ' + str(len(r.bad_examples)) if r.bad_rows > len(r.bad_examples) else ''}:\n")
            for line, msg in r.bad_examples:
                sys.stderr.write(f"  {r.path}:{line}: {msg}\n")


def _window_warnings(w, total) -> list[str]:
    out = []
    if w.hours < 24:
        out.append(f"the logs span only {w.hours} hour{'s' if w.hours != 1 else ''}: per-day figures are "
                   f"extrapolated from them")
    empty = int((total.daily_tokens == 0).sum())
    if w.n_days >= 3 and empty / w.n_days > 0.2:
        out.append(f"{empty} of {w.n_days} days in the window have no traffic (gaps, or a stray timestamp?); they "
                   f"count as zero in the means")
    if w.resolution == "day":
        out.append("the logs are day buckets: peak_to_mean is busiest day / mean day, not hourly")
    return out


def _unpriced_warnings(groups, costs, total) -> list[str]:
    out = []
    for s, c in zip(groups, costs):
        if c.api is None:
            hint = f"closest: {', '.join(c.closest)}; " if c.closest else ""
            out.append(f"model {s.name!r} is not in the catalog ({s.tokens / total.tokens:.1%} of tokens): "
                       f"counted in the traffic, not priced; {hint}add it with --catalog FILE")
    return out


def _fmt_ts(ts: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _window_json(w) -> dict:
    return {"start": _fmt_ts(w.start_ts), "end": _fmt_ts(w.end_ts), "days": w.days, "hours": w.hours,
            "resolution": w.resolution}


def _file_json(r) -> dict:
    return {"path": r.path, "format": r.format, "preset": r.preset, "columns": r.columns, "rows": r.rows,
            "good_rows": r.good_rows, "bad_rows": r.bad_rows, "bad_by_reason": dict(r.bad_by_reason),
            "bad_examples": [{"line": line, "reason": msg} for line, msg in r.bad_examples]}


def _stats_json(s, c=None) -> dict:
    d = {"model": s.name, "tokens": s.tokens, "input_tokens": s.input_tokens, "output_tokens": s.output_tokens,
         "cached_input_tokens": s.cached_input_tokens, "requests": s.requests, "days": s.days,
         "tokens_per_day": s.tokens_per_day, "peak_day_tokens": s.peak_day_tokens,
         "requests_per_day": s.requests_per_day, "peak_day_requests": s.peak_day_requests,
         "input_share": s.input_share, "cached_share": s.cached_share, "peak_to_mean": s.peak_to_mean,
         "logged_usd": s.logged_usd}
    if c is not None:
        d.update({"api": c.api, "matched_by": c.matched_by or None, "usd_per_mtok": c.usd_per_mtok,
                  "usd_at_catalog": c.usd_window, "usd_per_day_at_catalog": c.usd_per_day})
    return d


def _total_json(total, costs, groups) -> dict:
    d = _stats_json(total)
    d.pop("model")
    priced = [(c, s) for c, s in zip(costs, groups) if c.api is not None]
    d["usd_at_catalog"] = sum(c.usd_window for c, _ in priced)
    d["usd_per_day_at_catalog"] = sum(c.usd_per_day for c, _ in priced)
    d["priced_token_share"] = sum(s.tokens for _, s in priced) / total.tokens if total.tokens else None
    d["unpriced_models"] = [c.name for c in costs if c.api is None]
    return d


def _clean(o):
    import math

    if isinstance(o, float):
        return o if math.isfinite(o) else None
    if isinstance(o, dict):
        return {k: _clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_clean(v) for v in o]
    return o


def _json(d: dict) -> str:
    import json

    return json.dumps(_clean(d), indent=2)


def _render(renderable) -> str:
    import io
    import os

    from rich.console import Console

    from openvclosed.report.text import terminal_width

    width = terminal_width()
    buf = io.StringIO()
    Console(file=buf, width=width, force_terminal=False, no_color=True, highlight=False,
            soft_wrap=False).print(renderable)
    return buf.getvalue()


def _usd(v) -> str:
    """Dollars with cents below $100 (usage logs are often small)."""
    from openvclosed.report.render import usd

    return usd(v, 2 if v is not None and v == v and abs(v) < 100 else 0)


def _share(x: float) -> str:
    return "n/a" if x != x else f"{x:.1%}"


def _render_summary(w, groups, costs, total, reports, warnings) -> str:
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from openvclosed.report.text import fmt_tokens

    rows = sum(r.good_rows for r in reports)
    bad = sum(r.bad_rows for r in reports)
    head = (f"{len(reports)} file{'s' if len(reports) != 1 else ''}, {rows:,} records"
            + (f" ({bad:,} bad rows skipped)" if bad else "")
            + f"; window {_fmt_ts(w.start_ts)} to {_fmt_ts(w.end_ts)} = {w.days:.2f} days ({w.resolution} resolution)")
    t = Table(title=f"Traffic per model: tokens = input + output; input = input share of tokens, cached = cached "
                    f"share of input; peak/mean = busiest {w.resolution} / mean {w.resolution}; $ at catalog list "
                    f"prices over the window", box=box.SIMPLE_HEAVY, title_justify="left")
    for col, just in (("model", "left"), ("API", "left"), ("tok/day", "right"), ("peak day", "right"),
                      ("req/day", "right"), ("input", "right"), ("cached", "right"), ("peak/mean", "right"),
                      ("$/day", "right"), ("$ total", "right"), ("$ logged", "right")):
        t.add_column(col, justify=just, overflow="fold", no_wrap=col != "model")
    for s, c in zip(groups, costs):
        t.add_row(s.name, c.api or "(not in catalog)", fmt_tokens(s.tokens_per_day), fmt_tokens(s.peak_day_tokens),
                  f"{s.requests_per_day:,.1f}", _share(s.input_share), _share(s.cached_share),
                  f"{s.peak_to_mean:.2f}", _usd(c.usd_per_day), _usd(c.usd_window),
                  _usd(s.logged_usd) if s.logged_usd is not None else "-")
    tot = _total_json(total, costs, groups)
    t.add_section()
    t.add_row("total", f"{tot['priced_token_share']:.0%} priced", fmt_tokens(total.tokens_per_day),
              fmt_tokens(total.peak_day_tokens), f"{total.requests_per_day:,.1f}", _share(total.input_share),
              _share(total.cached_share), f"{total.peak_to_mean:.2f}", _usd(tot["usd_per_day_at_catalog"]),
              _usd(tot["usd_at_catalog"]), _usd(total.logged_usd) if total.logged_usd is not None else "-")
    parts = [Text(head), t]
    parts += [Text("warning: " + x) for x in warnings]
    return _render(Group(*parts))


def _render_reprice(r, w, warnings) -> str:
    import math

    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from openvclosed.report.text import fmt_tokens
    from openvclosed.report.render import usd

    head = [
        f"traffic          {fmt_tokens(r.tokens_per_day)} tokens/day over {r.days:.2f} days; input {_share(r.input_share)}, "
        f"cached {_share(r.cached_share)} of input; context {r.context_tokens:,} tokens/sequence",
        f"as logged        {_usd(r.actual_usd_per_month)}/month at the catalog prices of the models used "
        f"({r.actual_priced_token_share:.0%} of tokens priced)"
        + (f"; the logs' own cost column: {_usd(r.logged_usd_per_month)}/month" if r.logged_usd_per_month is not None else ""),
        f"self-host sizing {fmt_tokens(r.tokens_per_day)} tokens/day x peak/mean {r.peak_to_mean:.2f} "
        f"({'hourly' if r.resolution == 'hour' else 'DAILY'}) = {fmt_tokens(r.sizing_tokens_per_day)} tokens/day at "
        f"utilization {r.assumptions['utilization']:g}",
    ]
    t = Table(title="The same traffic on each option (cheapest first)", box=box.SIMPLE_HEAVY, title_justify="left")
    for col, just in (("option", "left"), ("kind", "left"), ("tier", "left"), ("detail", "left"),
                      ("$/month", "right"), ("$/1M tok", "right"), ("vs as logged", "right")):
        t.add_column(col, justify=just, overflow="fold", no_wrap=col == "option")
    for o in r.options:
        detail = o.detail
        if o.kind == "self-host":
            detail += (f", {o.replicas:.0f} replica{'s' if o.replicas != 1 else ''}" if o.fits and
                       math.isfinite(o.replicas or math.inf) else ", does not fit")
        if o.saving_usd_per_month is None:
            vs = "-"
        else:
            vs = (f"saves {_usd(o.saving_usd_per_month)}/mo" if o.saving_usd_per_month >= 0
                  else f"costs {_usd(-o.saving_usd_per_month)}/mo more")
        t.add_row(o.option, o.kind, o.tier or "-", detail,
                  _usd(o.usd_per_month) if math.isfinite(o.usd_per_month) else "does not fit",
                  usd(o.usd_per_mtok, 3) if math.isfinite(o.usd_per_mtok) else "-", vs)
    keys = ["utilization", "electricity_usd_kwh", "pue", "ops_usd_month", "amortize_years", "rate"]
    assum = "  ".join(f"{k}={r.assumptions[k]:g}" for k in keys)
    parts = [Text("\n".join(head)), t, Text("assumptions: " + assum + "  (`ovc breakeven --help` names them all)")]
    parts += [Text("warning: " + x) for x in warnings]
    return _render(Group(*parts))
