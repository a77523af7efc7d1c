"""Options and helpers every command shares (import them; no shared dict).

Keep imports light: this module is on the start-up path of every command.
"""

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError

from openvclosed.errors import InputError

__all__ = ["EPILOG", "CatalogOpt", "JsonOpt", "MaxAgeOpt", "FormatOpt", "Format", "load_catalog", "assumptions",
           "Quant", "api_price", "out_format", "emit_findings", "catalog_inputs"]

EPILOG = "Exit codes: 0 ok, 1 a check failed, 2 bad input. Docs: docs/ in the repository."


class Format(str, Enum):
    """Output formats (``--format``); not every command has every one."""

    table = "table"
    json = "json"
    markdown = "markdown"
    github = "github"


CatalogOpt = Annotated[Optional[list[Path]], typer.Option(
    "--catalog", help="Extra catalog YAML (apis/gpus/models); entries override bundled ones by id. Repeatable. "
                      "Also read from $OVC_CATALOG.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (stable schema, docs/json.md) instead of tables.")]
MaxAgeOpt = Annotated[int, typer.Option("--max-age-days", min=1, help="Warn when a price used is older than this.")]


def catalog_inputs(catalog_files) -> list:
    """The catalog files a run reads (``--catalog`` and ``$OVC_CATALOG``): an output file may
    never replace one of them (pass them as ``inputs=`` to the writers in ``fileio``)."""
    import os

    env = os.environ.get("OVC_CATALOG", "")
    return list(catalog_files or []) + [p for p in env.split(os.pathsep) if p]


def load_catalog(catalog_files):
    from openvclosed.catalog import load_catalog as _load_catalog

    return _load_catalog(catalog_files or [])


_FLAG_OF = {"input_share": "--input-share", "cached_share": "--cached-share", "batch_share": "--batch-share",
            "context_tokens": "--context", "utilization": "--utilization",
            "electricity_usd_kwh": "--electricity-usd-kwh", "pue": "--pue", "ops_usd_month": "--ops-usd-month",
            "amortize_years": "--amortize-years", "rate": "--rate", "gpu_hour_usd": "--gpu-hour-usd",
            "gpu_price_usd": "--gpu-price-usd", "tokens_per_s": "--tokens-per-s", "hours_per_day": "--hours-per-day",
            "days_per_month": "--days-per-month", "bandwidth_eff": "--bandwidth-eff", "decode_mfu": "--decode-mfu",
            "max_batch": "--batch", "host_usd_per_gpu": "--host-usd-per-gpu", "host_w_per_gpu": "--host-w-per-gpu",
            "power_draw_share": "--power-draw-share"}


def assumptions(**overrides):
    from openvclosed.decision.assumptions import Assumptions

    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Assumptions(**given)
    except ValidationError as e:
        err = e.errors()[0]
        name = str(err["loc"][0])
        raise InputError(f"{_FLAG_OF.get(name, name)}: {given.get(name)!r} — {err['msg'].lower()}") from None


FormatOpt = Annotated[Optional[Format], typer.Option(
    "--format", "-f", help="table | json | markdown | github (where the command has it) [default table].",
    show_default=False)]


def out_format(fmt: "Format | None", as_json: bool, allowed=("table", "json")) -> str:
    """The output format from ``--format`` and its alias ``--json``; refuses a format the command lacks."""
    if as_json and fmt is not None and fmt.value != "json":
        raise InputError(f"--json and --format {fmt.value} disagree; give one of them")
    name = "json" if as_json else (fmt.value if fmt is not None else "table")
    if name not in allowed:
        raise InputError(f"--format: {name!r} is not available here; choose from {', '.join(allowed)}")
    return name


def emit_findings(findings, fmt: str) -> None:
    """Write the findings that belong on stderr (stale prices; every finding with json)."""
    from openvclosed.report.findings import stderr_lines

    sys.stderr.write(stderr_lines(findings, fmt))


class Quant(str, Enum):
    fp16 = "fp16"
    fp8 = "fp8"
    int8 = "int8"
    mxfp4 = "mxfp4"
    int4 = "int4"


def api_price(text: str) -> tuple[float, float]:
    try:
        a, b = text.split(":")
        p = (float(a), float(b))
    except ValueError:
        raise InputError(f"--api-price: {text!r} is not IN:OUT in USD per 1M tokens, e.g. 2.5:10") from None
    if min(p) < 0:
        raise InputError(f"--api-price: {text!r} has a negative price")
    return p


