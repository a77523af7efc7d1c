"""Options and helpers every command shares (import them; no shared dict).

Keep imports light: this module is on the start-up path of every command.
"""

import datetime as dt
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError

from openvclosed.errors import InputError
from openvclosed.ranges import RANGES as _RANGES

__all__ = ["ProfileOpt", "apply_profiles", "MaxHwAgeOpt", "AsOfOpt", "parse_as_of", "EPILOG", "CatalogOpt", "JsonOpt", "MaxAgeOpt", "FormatOpt", "Format", "load_catalog", "assumptions",
           "Quant", "api_price", "out_format", "emit_findings", "catalog_inputs", "volume",
           "check_finite_range", "FLAG_RANGES", "MaxDrawsOpt", "MAX_DRAWS_X_APIS", "check_draws",
           "check_growth"]

EPILOG = "Exit codes: 0 ok, 1 a check failed, 2 bad input. Docs: docs/ in the repository."


class Format(str, Enum):
    """Output formats (``--format``); not every command has every one."""

    table = "table"
    json = "json"
    markdown = "markdown"
    github = "github"
    html = "html"


CatalogOpt = Annotated[Optional[list[Path]], typer.Option(
    "--catalog", help="Extra catalog YAML (apis/gpus/models); entries override bundled ones by id. Repeatable. "
                      "Also read from $OVC_CATALOG.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (stable schema, docs/json.md) instead of tables.")]
MaxAgeOpt = Annotated[int, typer.Option("--max-age-days", min=1, max=10**7, help="Warn when an API price used is older than this many days.")]
MaxHwAgeOpt = Annotated[int, typer.Option("--max-hardware-age-days", min=1, max=10**7, help="Warn when a hardware price used is older than this many days.")]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="Price at this date (YYYY-MM-DD): an earlier decision with the prices valid then, or a coming one with announced price changes (at most 730 days ahead).", show_default=False)]


MAX_AS_OF_AHEAD_DAYS = 730
"""How far ahead ``--as-of`` may look: announced price changes (``scheduled`` in the catalog) are
months ahead, not years."""


def parse_as_of(text: str | None):
    """``--as-of`` as a date: ISO format; a future date (at most :data:`MAX_AS_OF_AHEAD_DAYS` ahead)
    prices APIs as announced for that day (their ``scheduled`` changes)."""
    if text is None:
        return None
    try:
        d = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"--as-of: {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-07-01") from None
    ahead = (d - dt.date.today()).days
    if ahead > MAX_AS_OF_AHEAD_DAYS:
        raise InputError(f"--as-of: {d} is {ahead:,} days in the future; announced price changes reach at most "
                         f"{MAX_AS_OF_AHEAD_DAYS} days ahead (a later date has no prices to show)")
    return d


ProfileOpt = Annotated[Optional[list[Path]], typer.Option(
    "--profile", help="Serving profile from `ovc calibrate -o` (repeatable): replaces the calibrated parameters "
                      "of its engine on its hardware class for this run (docs/calibrate.md).", show_default=False)]


def apply_profiles(ctx: typer.Context, paths, wf=None) -> None:
    """Apply the profile files of ``--profile`` and of a workload file's ``profile:`` for the rest of
    the command (closed with the command's click context), and say so on stderr."""
    files = list(getattr(wf, "profile_paths", None) or []) + list(paths or [])
    if not files:
        return
    from openvclosed.decision.calibrate import using_profile_files
    from openvclosed.report.text import term

    labels = ctx.with_resource(using_profile_files(files))
    for path, key, label in labels:
        sys.stderr.write(f"ovc: profile {term(path)} replaces the {key} serving profile (calibrated on {term(label)})\n")


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
            "context_tokens": "--context", "utilization": "--utilization", "ttft_p95_ms": "--ttft-p95-ms",
            "tpot_p95_ms": "--tpot-p95-ms",
            "electricity_usd_kwh": "--electricity-usd-kwh", "pue": "--pue", "ops_usd_month": "--ops-usd-month",
            "ops_team_usd_month": "--ops-team-usd-month", "site": "--site",
            "amortize_years": "--amortize-years", "rate": "--rate", "gpu_hour_usd": "--gpu-hour-usd",
            "gpu_price_usd": "--gpu-price-usd", "tokens_per_s": "--tokens-per-s", "hours_per_day": "--hours-per-day",
            "days_per_month": "--days-per-month", "bandwidth_eff": "--bandwidth-eff", "decode_mfu": "--decode-mfu",
            "max_batch": "--batch", "host_usd_per_gpu": "--host-usd-per-gpu", "host_w_per_gpu": "--host-w-per-gpu",
            "power_draw_share": "--power-draw-share", "kv_bits": "--kv-bits", "engine": "--engine",
            "idle_power_share": "--idle-power-share", "residual_share": "--residual-share",
            "output_multiplier": "--output-multiplier"}


FLAG_RANGES: dict[str, tuple[float, float, str]] = {
    name: (_RANGES[name].low, _RANGES[name].high, _RANGES[name].units) for name in _FLAG_OF if name in _RANGES}
"""Plausible ranges of assumption flags (inclusive), from the one table (:mod:`openvclosed.ranges`),
checked before the assumptions model; a value outside is exit 2 naming the flag, the value and the
range (docs/security.md)."""

MAX_TOKENS_PER_DAY = _RANGES["tokens_per_day"].high
"""Largest plausible volume (tokens per day) for --tokens and friends."""
MAX_API_USD_PER_MTOK = _RANGES["usd_per_mtok"].high
"""Largest plausible ad-hoc API price (--api-price), USD per 1M tokens."""


MAX_DRAWS_X_APIS = 2_000_000
"""Default cap on Monte Carlo draws x APIs (or x workloads) in one run: about 1.5 GB and 20 s;
``--max-draws`` raises it."""
MAX_GROWTH_FACTOR = 1e15
"""Largest volume growth over a horizon, (1 + growth_per_month) ** months."""

MaxDrawsOpt = Annotated[int, typer.Option(
    "--max-draws", min=1, help="Refuse more than this many Monte Carlo draws x APIs (memory and time bound); "
                               "raise it for a bigger simulation.")]


def check_draws(draws: int | None, n: int, per: str, cap: int) -> None:
    """Exit 2 when ``draws`` x ``n`` (APIs or workloads) is over ``cap`` (``--max-draws``)."""
    if draws and draws * max(n, 1) > cap:
        raise InputError(f"--monte-carlo: {draws:,} draws x {n} {per} = {draws * max(n, 1):,} is more than "
                         f"{cap:,} (--max-draws raises the cap)")


def check_growth(growth: float | None, months: float | None, flag: str = "--growth-per-month") -> None:
    """Exit 2 unless ``growth`` is finite and the volume it compounds to over ``months`` stays
    below MAX_GROWTH_FACTOR (no overflow in the horizon)."""
    import math

    if growth is None:
        return
    if not math.isfinite(growth) or growth <= -1:
        raise InputError(f"{flag}: {growth!r} must be a finite share per month > -1 (0.05 = 5%)")
    if months and months * math.log1p(growth) > math.log(MAX_GROWTH_FACTOR):
        raise InputError(f"{flag}: {growth!r} over {months:g} months multiplies the volume by more than "
                         f"{MAX_GROWTH_FACTOR:g}; lower it or --horizon-months")


def volume(text, flag: str = "--tokens") -> float:
    """A token volume from a flag: a finite number in the plausible range of ``tokens_per_day``
    (:mod:`openvclosed.ranges`); zero has no cost per token, so it is refused rather than printed
    as n/a."""
    from openvclosed.ranges import RANGES
    from openvclosed.units import parse_tokens

    v = parse_tokens(text, flag)
    r = RANGES["tokens_per_day"]
    if not r.low <= v <= r.high:
        raise InputError(f"{flag}: {text!r} is outside the plausible range {r.text()}")
    return v


def check_finite_range(name: str, value, flag: str | None = None) -> None:
    """Exit 2 unless ``value`` is finite and (for names in the range table) inside its range."""
    import math

    from openvclosed.ranges import RANGES, check

    flag = flag or _FLAG_OF.get(name, name)
    if name in RANGES and isinstance(value, (int, float)):
        check(name, value, flag)
    elif isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"{flag}: {value!r} is not a finite number")


def assumptions(**overrides):
    from openvclosed.decision.assumptions import Assumptions

    given = {k: v for k, v in overrides.items() if v is not None}
    for k, v in given.items():
        check_finite_range(k, v)
    try:
        return Assumptions(**given)
    except ValidationError as e:
        err = e.errors()[0]
        name = str(err["loc"][0])
        raise InputError(f"{_FLAG_OF.get(name, name)}: {given.get(name)!r} — {err['msg'].lower()}") from None


FormatOpt = Annotated[Optional[Format], typer.Option(
    "--format", "-f", help="table | json | markdown | github | html (where the command has it; html writes -o FILE) [default table].",
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
    nvfp4 = "nvfp4"
    int4 = "int4"


def api_price(text: str) -> tuple[float, float]:
    try:
        a, b = text.split(":")
        p = (float(a), float(b))
    except ValueError:
        raise InputError(f"--api-price: {text!r} is not IN:OUT in USD per 1M tokens, e.g. 2.5:10") from None
    import math

    if not all(math.isfinite(x) and 0 <= x <= MAX_API_USD_PER_MTOK for x in p):
        raise InputError(f"--api-price: {text!r} must be two finite prices in 0..{MAX_API_USD_PER_MTOK:g} "
                         "USD per 1M tokens")
    if p == (0.0, 0.0):
        raise InputError(f"--api-price: {text!r}: a free API has no break-even; give its real price")
    return p




# --- HTML output, shared by report and breakeven/recommend/check --format html --------------------

OutputOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", help="HTML file to write (with --format html; refuses an existing file without --force).",
    show_default=False)]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite an existing output file (never through a symlink).")]


def require_extra() -> None:
    """Fail early, before any work, when the ``report`` extra is missing."""
    try:
        import jinja2  # noqa: F401
        import matplotlib  # noqa: F401
    except ImportError:
        from openvclosed.report.text import INSTALL_HINT

        raise InputError(INSTALL_HINT) from None


def need_output(output, fmt: str) -> None:
    if fmt == "html" and output is None:
        raise InputError("--format html writes a file: give -o FILE.html")
    if fmt != "html" and output is not None:
        raise InputError("-o/--output is for --format html; other formats print to stdout")


def write_html(result, output: Path, *, force: bool, inputs=()) -> None:
    from openvclosed.fileio import safe_write_text
    from openvclosed.report.emit import emit

    safe_write_text(output, emit(result, "html"), force=force, inputs=[p for p in inputs if p], what="--output")


def invocation() -> list[str]:
    """The arguments ``ovc`` was run with, as ``cli.main`` handed them to the command's context."""
    try:  # typer vendors click (typer._click) in recent releases; older ones use click itself
        from typer._click.globals import get_current_context
    except ImportError:  # pragma: no cover - typer without a vendored click
        from click import get_current_context

    ctx = get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return list(obj.get("argv", [])) if isinstance(obj, dict) else []


def provenance(input_file: str | None = None):
    """The command line, version and date that produced a report (``SOURCE_DATE_EPOCH`` fixes the date)."""
    import os
    import shlex

    from openvclosed import __version__
    from openvclosed.results.report import Provenance

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    try:
        day = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date() if epoch else dt.date.today()
    except (ValueError, OverflowError, OSError):
        day = dt.date.today()
    return Provenance(command="ovc " + shlex.join(invocation()), version=__version__, generated=day.isoformat(),
                      input_file=input_file)
