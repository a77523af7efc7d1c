"""`ovc check`: the CI gate — budgets and policy on every workload; baseline diff; PR summary."""

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from openvclosed.commands.options import ProfileOpt  # noqa: E402
from openvclosed.commands.options import ForceOpt, OutputOpt
from openvclosed.commands.options import AsOfOpt, MaxHwAgeOpt, parse_as_of, Format, EPILOG, CatalogOpt, FormatOpt, JsonOpt, MaxAgeOpt, assumptions, load_catalog, out_format  # noqa: F401


def _append_summary(path: str, text: str) -> None:
    """Append to ``$GITHUB_STEP_SUMMARY``: a regular file (created if missing), opened non-blocking
    so a named pipe or device there cannot hang the check (it raises OSError instead)."""
    import stat

    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0)
                 | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a regular file")
        data = text.encode("utf-8")
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)


def register(app: typer.Typer) -> None:

    @app.command(epilog=EPILOG)
    def check(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="Workload YAML file with a `policy:` section.", show_default=False)],
        policy: Annotated[Optional[Path], typer.Option("--policy", help="Policy YAML (replaces the file's `policy:`).", show_default=False)] = None,
        budget: Annotated[Optional[float], typer.Option("--budget", help="Total monthly budget [USD] (overrides policy total).", show_default=False)] = None,
        baseline: Annotated[Optional[Path], typer.Option("--baseline", help="Earlier result to compare with (from --write-baseline).", show_default=False)] = None,
        write_baseline: Annotated[Optional[Path], typer.Option("--write-baseline", help="Write this result as the new baseline (atomic).", show_default=False)] = None,
        fmt: Annotated[Optional[Format], typer.Option("--format", "-f", help="table | json | markdown | github ($GITHUB_STEP_SUMMARY + annotations) | html (-o FILE) [default table].", show_default=False)] = None,
        as_json: JsonOpt = False,
        catalog: CatalogOpt = None,
        profile_files: ProfileOpt = None,
        max_age_days: MaxAgeOpt = 90,
        max_hardware_age_days: MaxHwAgeOpt = 365,
        as_of: AsOfOpt = None,
        output: OutputOpt = None,
        force: ForceOpt = False,
        gateway: Annotated[Optional[Path], typer.Option("--gateway", help="Also fail when this committed gateway config (LiteLLM config.yaml or Portkey JSON, from `ovc emit`) no longer matches the decision.", show_default=False)] = None,
        measured: Annotated[Optional[list[Path]], typer.Option("--measured", help="Benchmark results of the deployed design (vllm bench serve, GuideLLM, llama-bench, vLLM /metrics; repeatable): fail when its throughput is below what the decision assumed.", show_default=False)] = None,
        measured_tolerance: Annotated[float, typer.Option("--measured-tolerance", min=0.0, max=0.9, help="Share below the assumed throughput that --measured tolerates.")] = 0.10,
        measured_workload: Annotated[Optional[str], typer.Option("--measured-workload", help="Workload the --measured design serves [default: the only self-hosted recommendation].", show_default=False)] = None,
        measured_concurrency: Annotated[Optional[float], typer.Option("--measured-concurrency", help="Requests in flight during a /metrics scrape taken while the server was idle.", show_default=False)] = None,
        gateway_tolerance: Annotated[float, typer.Option("--gateway-tolerance", min=0.0, max=10.0, help="Relative difference of a per-token cost that --gateway tolerates.")] = 0.05,
    ):
        """Fail CI when a workload change breaks a budget or a data/licence policy.

        \b
        Exit codes: 0 every check passes; 1 a budget or policy check fails; 2 bad input or usage.
        Checks the recommended option of every workload (what `ovc recommend` would deploy)
        against the policy: monthly budget per workload and in total, max USD per 1M tokens,
        required deployment per sensitivity class, disallowed licences, max payback months for
        owned hardware, max age of the prices used.
        \b
        Examples:
          ovc check examples/ci-workloads.yaml
          ovc check workloads.yaml --baseline ovc-baseline.json --format markdown > summary.md
          ovc check workloads.yaml --format github          # in GitHub Actions
          ovc check workloads.yaml --write-baseline ovc-baseline.json
          ovc check workloads.yaml --format html -o ovc-report.html   # a report to upload as an artifact
          ovc check workloads.yaml --gateway litellm-config.yaml     # the committed gateway config still matches
          ovc check workloads.yaml --measured bench.json --measured-workload chat   # the deployed design still as fast
        """
        import datetime as dt

        from openvclosed.check.baseline import diff, read_baseline, write_baseline as write_b
        from openvclosed.decision.recommend import price_dates, recommend_file
        from openvclosed.report.findings import stderr_lines
        from openvclosed.check.policy import evaluate, parse_policy
        from openvclosed.report.check import render_check_markdown
        from openvclosed.report.emit import emit
        from openvclosed.decision.workload import load_workload_file
        from openvclosed.yamlio import load_yaml_file

        from openvclosed.commands.options import need_output, require_extra

        out = out_format(fmt, as_json, ("table", "json", "markdown", "github", "html"))
        need_output(output, out)
        if out == "html":
            require_extra()
        if write_baseline is not None:  # a bad target fails before the work
            from openvclosed.commands.options import catalog_inputs
            from openvclosed.fileio import check_write_target

            check_write_target(write_baseline, force=True, what="--write-baseline",
                               inputs=[file, *([policy] if policy else []), *catalog_inputs(catalog)])
        when = parse_as_of(as_of)
        if gateway is not None:  # an unreadable or invalid config fails before the work (exit 2)
            from openvclosed.check.gateway import load_gateway_file

            gateway_config = load_gateway_file(gateway)
        cat = load_catalog(catalog)
        wf = load_workload_file(file)
        from openvclosed.commands.options import apply_profiles

        apply_profiles(ctx, profile_files, wf)
        if policy is not None:
            data = load_yaml_file(policy)
            if isinstance(data, dict) and "policy" in data and len(data) == 1:
                data = data["policy"]
            pol = parse_policy(data, str(policy), workloads=[w.name for w in wf.workloads])
        else:
            pol = parse_policy(wf.policy, str(file), workloads=[w.name for w in wf.workloads])
        if budget is not None:
            from openvclosed.check.policy import MAX_USD_PER_MONTH

            if not 0 < budget <= MAX_USD_PER_MONTH:  # also false for nan
                from openvclosed.errors import InputError

                raise InputError(f"--budget: {budget!r} is outside the plausible range (0, {MAX_USD_PER_MONTH:g}] "
                                 "USD per month")
            pol.budget_usd_per_month["total"] = budget
        old = read_baseline(baseline) if baseline else None
        rec = recommend_file(cat, wf, as_of=when, max_age_days=max_age_days,
                             max_hardware_age_days=max_hardware_age_days, monthly=out == "html")
        today = when or dt.date.today()
        result = evaluate(cat, rec.decisions, pol, file=str(file), today=today,
                          price_dates=price_dates(cat, rec.decisions), warnings=rec.findings)
        if measured:
            from openvclosed.check.drift import measured_drift

            drift, failed = measured_drift(cat, rec, wf, measured, tolerance=measured_tolerance, workload=measured_workload,
                                           as_of=when, concurrency=measured_concurrency)
            result.findings += drift
            if failed is not None:
                result.passed = False
                for w in result.workloads:
                    if w.name == failed:
                        w.passed = False
        if old is not None:
            result.baseline = diff(old, result, catalog=cat, wf=wf, decisions=rec.decisions, as_of=when)
        sys.stderr.write(stderr_lines(rec.findings, "table"))
        if out == "html":
            from openvclosed.commands.options import provenance, write_html
            from openvclosed.decision.report import recommend_report

            write_html(recommend_report(cat, rec, provenance(str(file)), check=result), output,
                       force=force, inputs=[file, policy, baseline, *(catalog or [])])
            sys.stderr.write(f"ovc: wrote {output}\n")
        elif out == "github":
            md = render_check_markdown(result)
            summary = os.environ.get("GITHUB_STEP_SUMMARY")
            written = False
            if summary:
                try:
                    _append_summary(summary, md + "\n")
                    written = True
                except OSError as e:  # the check's result and exit code stand; say why the summary is missing
                    sys.stderr.write(f"ovc: warning: GITHUB_STEP_SUMMARY {summary!r}: cannot write "
                                     f"({e.strerror or e}); the summary is printed here instead\n")
            if not written:
                typer.echo(md)
        if out != "html":
            typer.echo(emit(result, out), nl=False)
        if write_baseline is not None:
            from openvclosed.commands.options import catalog_inputs
            from openvclosed.report.text import term

            from openvclosed.check.inputs import collect_inputs

            wrote = write_b(write_baseline, result, inputs=[file, *([policy] if policy else []), *catalog_inputs(catalog)],
                            stored=collect_inputs(cat, wf, rec.decisions, when))
            sys.stderr.write(f"ovc: {'wrote' if wrote else 'unchanged'} baseline {term(write_baseline)}\n")
        gateway_ok = True
        if gateway is not None:  # after the check's own output; differences on stderr, one line each
            from openvclosed.check.gateway import decision_differences

            from openvclosed.report.text import term

            diffs = decision_differences(cat.at(when) if when else cat, rec, wf.rules(), gateway_config,
                                         gateway_tolerance, today)
            for d in diffs:
                sys.stderr.write(f"ovc: gateway {term(str(gateway))}: {term(d)}\n")
            gateway_ok = not diffs
        raise typer.Exit(0 if result.passed and gateway_ok else 1)

