"""`ovc emit litellm|portkey|vllm`: the decision as a gateway config or a serve command."""

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from openvclosed.commands.options import ProfileOpt  # noqa: E402
from openvclosed.commands.options import AsOfOpt, EPILOG, CatalogOpt, MaxAgeOpt, MaxHwAgeOpt


class Target(str, Enum):
    litellm = "litellm"
    portkey = "portkey"
    vllm = "vllm"


RENDERERS = {"litellm": "openvclosed.report.gateway_litellm:render_litellm",
             "portkey": "openvclosed.report.gateway_portkey:render_portkey",
             "vllm": "openvclosed.report.serve_command:render_serve"}
"""Target -> ``module:function`` (GatewayPlan in, text out), imported on use."""


def register(app: typer.Typer) -> None:

    @app.command(epilog=EPILOG)
    def emit(
        ctx: typer.Context,
        target: Annotated[Target, typer.Argument(help="litellm (proxy config.yaml) | portkey (config JSON) | vllm (serve command of each self-hosted design; SGLang when the design was costed for it).", show_default=False)],
        file: Annotated[Path, typer.Argument(help="Workload YAML file (see `ovc init`).", show_default=False)],
        workload: Annotated[Optional[str], typer.Option("--workload", "-w", help="Only this workload.", show_default=False)] = None,
        output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of stdout.", show_default=False)] = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing output file (never through a symlink).")] = False,
        catalog: CatalogOpt = None,
        profile_files: ProfileOpt = None,
        max_age_days: MaxAgeOpt = 90,
        max_hardware_age_days: MaxHwAgeOpt = 365,
        as_of: AsOfOpt = None,
    ):
        """Write the decision as a deployable setup: gateway config or serve command.

        \b
        litellm: a LiteLLM proxy config.yaml: one model_list entry per chosen model (self-hosted as
        hosted_vllm/<hf repo> with an api_base from the environment and per-token costs from the
        design's cost), sensitivity tags with tag filtering on, the task-mix tiers as complexity
        router tiers, fallbacks that never send a regulated route to an external API.
        portkey: the same as a Portkey conditional-routing config. vllm: the serve command of each
        self-hosted design as the cost model assumed it. Secrets are environment references only;
        an existing file is replaced only with --force. Mapping rules: docs/gateway.md.
        \b
        Examples:
          ovc emit litellm examples/coding-assistant.yaml -o litellm-config.yaml
          ovc emit portkey examples/portfolio.yaml -o portkey.json
          ovc emit vllm examples/hospital-regulated.yaml
        """
        import importlib
        import sys

        from openvclosed.commands.options import load_catalog, parse_as_of
        from openvclosed.decision.workload import load_workload_file
        from openvclosed.report.findings import stderr_lines
        from openvclosed.decision.gateway import plan_for_file

        if output is not None:
            from openvclosed.fileio import check_write_target
            from openvclosed.commands.options import catalog_inputs

            check_write_target(output, force=force, what="--output", inputs=[file, *catalog_inputs(catalog)])
        when = parse_as_of(as_of)
        cat = load_catalog(catalog)
        wf = load_workload_file(file)
        from openvclosed.commands.options import apply_profiles

        apply_profiles(ctx, profile_files, wf)
        plan, findings = plan_for_file(cat, wf, only=workload, as_of=when, max_age_days=max_age_days,
                                       max_hardware_age_days=max_hardware_age_days)
        sys.stderr.write(stderr_lines(findings, "table"))
        mod, fn = RENDERERS[target.value].split(":")
        text = getattr(importlib.import_module(mod), fn)(plan)
        if output is None:
            typer.echo(text, nl=False)
            return
        from openvclosed.commands.options import catalog_inputs
        from openvclosed.fileio import safe_write_text
        from openvclosed.report.text import term

        safe_write_text(output, text, force=force, what="--output", inputs=[file, *catalog_inputs(catalog)])
        sys.stderr.write(f"ovc: wrote {term(output)}\n")
