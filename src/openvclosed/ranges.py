"""The one table of plausible ranges: every number ``ovc`` reads from a flag, a workload file
(fields, ``assumptions:``, ``uncertainty:``), a user catalog, a usage log or a derived volume is
checked against it before it reaches the engine.

A value outside its range (or not finite) is exit 2 with one line naming where it came from (a
flag, or ``FILE: field.path``), the value and the range::

    w.yaml: workloads[chat].assumptions.electricity_usd_kwh: 1e+300 is outside the plausible range 0..10 USD/kWh

The ranges are wide on purpose (they stop absurd and hostile values, not unusual ones); each row
says why its bounds are where they are. ``docs/security.md`` shows this table (generated from it
by :func:`markdown_table`; a test keeps the two equal). Pure data and functions, no imports
beyond the standard library and :mod:`openvclosed.errors` (on the start-up path).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from openvclosed.errors import CatalogError, InputError

__all__ = ["Range", "RANGES", "check", "problem", "in_range", "rng", "markdown_table", "check_date", "USAGE_DATES",
           "CATALOG_DATES", "check_mapping"]


@dataclass(frozen=True)
class Range:
    """A plausible range ``low..high`` (inclusive) in ``units``; ``why`` says where it comes from."""

    name: str
    units: str
    low: float
    high: float
    why: str
    integer: bool = False

    def text(self) -> str:
        """``0.1..50 years``"""
        lo, hi = (f"{int(x):,}" if self.integer and abs(x) < 1e16 else f"{x:g}" for x in (self.low, self.high))
        return f"{lo}..{hi}" + (f" {self.units}" if self.units else "")


def _r(name, units, low, high, why, integer=False):
    return name, Range(name, units, float(low), float(high), why, integer)


RANGES: dict[str, Range] = dict([
    # --- volumes (flags --tokens/--tokens-per-month/--range/sweep grids, workload fields, derived)
    _r("tokens_per_day", "tokens/day", 1e-3, 1e15,
       "one token in 1,000 days (a tiny usage log) up to a bound far above any one workload; outside, "
       "costs per token are 0, inf or overflow"),
    _r("requests_per_day", "requests/day", 1e-3, 1e12, "one request in 1,000 days up to 1e12 a day"),
    _r("tokens_per_request", "tokens", 0, 1e8, "input_tokens / output_tokens: no model has a context of 1e8 tokens"),
    _r("peak_to_mean", "", 1, 1000, "peak hour load / mean load"),
    _r("requests_per_second", "requests/s", 1e-6, 1e7, "busy-hour request rate: one a fortnight up to ten million a second"),
    _r("ttft_p95_ms", "ms", 1, 3_600_000, "95th-percentile time to first token: a millisecond up to an hour"),
    _r("tpot_p95_ms", "ms", 0.1, 60_000, "95th-percentile time per output token: 10,000 down to 1/60 tokens/s"),
    _r("service_cv2", "", 0, 100, "squared coefficient of variation of a request's service time (1: exponential)"),
    _r("growth_per_month", "share/month", -0.5, 2, "halving to tripling every month"),
    _r("horizon_months", "months", 1, 120, "ten years", integer=True),
    _r("api_price_decline_per_year", "share/year", 0, 0.99, "prices cannot fall by 100% or more"),
    _r("monthly_active_users", "users", 0, 1e11, "a bound above the number of people on earth", integer=True),
    _r("monthly_revenue_usd", "USD/month", 0, 1e13, "a bound, not a figure: no company comes near it"),
    # --- assumptions (flags and workload `assumptions:`)
    _r("input_share", "share", 0, 1, "a fraction, not a percentage"),
    _r("cached_share", "share", 0, 1, "a fraction, not a percentage"),
    _r("cache_write_share", "share", 0, 1, "a fraction, not a percentage"),
    _r("batch_share", "share", 0, 1, "a fraction, not a percentage"),
    _r("context_tokens", "tokens", 1, 1e8, "no model has a context of 1e8 tokens", integer=True),
    _r("kv_bits", "bits", 1, 32, "KV cache precision"),
    _r("vram_reserve_share", "share", 0.01, 1, "share of VRAM the engine may use"),
    _r("max_batch", "sequences", 1, 100_000, "sequences decoded at once per instance", integer=True),
    _r("min_concurrent_seqs", "sequences", 1, 100_000, "as max_batch", integer=True),
    _r("bandwidth_eff", "share", 1e-3, 1, "share of peak bandwidth; below 0.1% nothing is served"),
    _r("kv_bandwidth_eff", "share", 1e-3, 1, "as bandwidth_eff"),
    _r("decode_mfu", "share", 1e-3, 1, "share of peak FLOPS"),
    _r("prefill_mfu", "share", 1e-3, 1, "share of peak FLOPS"),
    _r("step_overhead_s", "s", 0, 1, "a decode step of a second is already unusable"),
    _r("layer_overhead_s", "s", 0, 0.01, "per layer per step"),
    _r("output_multiplier", "", 1, 100, "hidden reasoning tokens per visible output token"),
    _r("utilization", "share", 0.01, 1, "mean load / capacity; below 1% a replica is idle"),
    _r("hours_per_day", "hours", 0.1, 24, "hours a day the hardware serves"),
    _r("days_per_month", "days", 1, 31, "days a month the hardware serves (22 working days, 30.44 calendar)"),
    _r("electricity_usd_kwh", "USD/kWh", 0, 10, "a bound far above retail prices (EIA: US commercial 0.097-0.227 USD/kWh, see the assumption)"),
    _r("pue", "", 1, 5, "power usage effectiveness: 1 is perfect, 5 a bound far above any data centre's"),
    _r("power_draw_share", "share of TDP", 0, 1.5, "mean draw; boost clocks exceed TDP a little"),
    _r("idle_power_share", "share of rated power", 0, 1, "draw of an idle machine"),
    _r("residual_share", "share of purchase price", 0, 1, "resale value at the end of amortisation"),
    _r("host_w_per_gpu", "W/GPU", 0, 1e5, "host power per GPU"),
    _r("host_usd_per_gpu", "USD/GPU", 0, 1e8, "host cost per GPU"),
    _r("ops_usd_month", "USD/month", 0, 1e9, "people cost per machine on top of the team"),
    _r("ops_team_usd_month", "USD/month", 0, 1e9, "people cost of a self-hosted deployment, once"),
    _r("hybrid_router_usd_month", "USD/month", 0, 1e9, "running a router"),
    _r("amortize_years", "years", 0.1, 50, "hardware write-off period"),
    _r("rate", "share/year", 0, 1, "cost of capital"),
    _r("gpu_price_usd", "USD/GPU", 1, 1e8, "purchase price per GPU"),
    _r("gpu_hour_usd", "USD/GPU-hour", 1e-3, 1e4, "rented price per GPU-hour"),
    _r("tokens_per_s", "tokens/s", 1e-3, 1e9, "measured throughput of one replica"),
    # --- uncertainty (workload `uncertainty:`): values as the inputs above, plus
    _r("gpu_price_factor", "x catalog price", 1e-3, 100, "multiplier of the GPU price"),
    _r("lognormal_sigma", "log-sd", 0, 3, "sigma 3 spans a factor of exp(2 x 1.645 x 3), about 19,000, between P5 and P95"),
    # --- API prices (--api-price, user catalogs, LiteLLM)
    _r("usd_per_mtok", "USD/1M tokens", 0, 1e5, "list prices are below 1e3; an input and output price "
       "of 0 together is refused (a free API has no break-even)"),
    # --- user catalogs (GPUs and models)
    _r("memory_gib", "GiB", 0.1, 1e4, "VRAM or unified memory per device"),
    _r("bandwidth_gb_s", "GB/s", 1, 1e6, "memory bandwidth per device"),
    _r("tflops", "TFLOPS", 1e-3, 1e6, "peak tensor throughput per device"),
    _r("tdp_w", "W", 1, 1e5, "power per device"),
    _r("params_b", "billion parameters", 1e-3, 1e5, "model size"),
    _r("layers", "layers", 1, 10_000, "transformer layers", integer=True),
    _r("kv_heads", "heads", 0, 10_000, "per attention group; 0 = the group's layers share another group's "
       "cache; a model whose layers keep no KV cache or state at all is refused", integer=True),
    _r("head_dim", "", 1, 100_000, "attention head size", integer=True),
    # --- usage logs (every row)
    _r("usage_tokens", "tokens/row", 0, 1e15, "one row at most a day at the tokens_per_day cap"),
    _r("usage_requests", "requests/row", 0, 1e12, "as requests_per_day"),
    _r("usage_cost_usd", "USD/row", -1e12, 1e12, "credits can be negative"),
])
"""name -> :class:`Range`. Names are the field names of the workload file and catalog schema."""

USAGE_DATES = (dt.date(2015, 1, 1), dt.date(2100, 12, 31))
"""Plausible usage-log timestamps (no LLM API usage log is older; a row dated 0001-01-01 or
9999-12-31 is a stray one, and its span would be the size of the hourly series)."""
CATALOG_DATES = (dt.date(2015, 1, 1), dt.date(2100, 12, 31))
"""Plausible catalog ``as_of`` / ``valid_from`` dates (the loader also refuses future ones)."""


def rng(name: str) -> Range:
    return RANGES[name]


def in_range(name: str, value) -> bool:
    """True when ``value`` is a finite real number (not a bool) inside the range of ``name``."""
    return problem(name, value) is None


def _show(value) -> str:
    if isinstance(value, float):
        return f"{value!r}"
    if isinstance(value, int) and not isinstance(value, bool):
        s = str(value)
        return s if len(s) <= 20 else s[:8] + f"...({len(s)} digits)"
    s = repr(value)
    return s if len(s) <= 40 else s[:37] + "..."


def problem(name: str, value) -> str | None:
    """What is wrong with ``value`` for the range of ``name`` (a phrase starting with the value),
    or None when it is a finite number (not a bool) inside the range.

    >>> problem("pue", 1.5) is None, problem("pue", 0.5)
    (True, '0.5 is outside the plausible range 1..5')
    """
    r = RANGES[name]
    if isinstance(value, bool):
        return f"{value!r} is a boolean, expected a number in the plausible range {r.text()}"
    if not isinstance(value, (int, float)):
        return f"{_show(value)} is not a number; expected {r.text()}"
    try:
        v = float(value)
    except OverflowError:
        v = math.inf
    if not math.isfinite(v):
        return f"{_show(value)} is not a finite number in the plausible range {r.text()}"
    if not r.low <= v <= r.high:
        return f"{_show(value)} is outside the plausible range {r.text()}"
    if r.integer and v != int(v):
        return f"{_show(value)} is not a whole number in {r.text()}"
    return None


def check(name: str, value, where: str) -> float:
    """``value`` as a float if it is a finite number in the range of ``name``; else one
    :class:`InputError` naming ``where`` (a flag or ``FILE: field.path``), the value and the range.

    >>> check("pue", 1.5, "--pue")
    1.5
    >>> check("pue", float("inf"), "--pue")
    Traceback (most recent call last):
    ...
    openvclosed.errors.InputError: --pue: inf is not a finite number in the plausible range 1..5
    >>> check("horizon_months", True, "w.yaml: workloads[a].horizon_months")
    Traceback (most recent call last):
    ...
    openvclosed.errors.InputError: w.yaml: workloads[a].horizon_months: True is a boolean, expected a number in the plausible range 1..120 months
    """
    msg = problem(name, value)
    if msg is not None:
        raise InputError(f"{where}: {msg}")
    return float(value)


def check_mapping(data: dict, where: str, names=None) -> None:
    """:func:`check` every key of ``data`` that has a range (or those in ``names``), skipping
    ``None``; ``where`` is the path prefix (``w.yaml: workloads[a].assumptions``)."""
    for k, v in data.items():
        if v is None or k not in RANGES or (names is not None and k not in names):
            continue
        if isinstance(v, (int, float)) or isinstance(v, bool):
            check(k, v, f"{where}.{k}")


def check_date(value, where: str, bounds=USAGE_DATES) -> None:
    """Exit 2 unless the date (or datetime) ``value`` is inside ``bounds``."""
    d = value.date() if isinstance(value, dt.datetime) else value
    lo, hi = bounds
    if not lo <= d <= hi:
        raise InputError(f"{where}: {d.isoformat()} is outside the plausible dates {lo}..{hi}")


def markdown_table() -> str:
    """The table as markdown, for docs/security.md (a test compares the two)."""
    lines = ["| name | units | low | high | why |", "|---|---|---|---|---|"]
    for r in RANGES.values():
        lo, hi = r.text().split(" ")[0].split("..")
        lines.append(f"| `{r.name}` | {r.units or '-'} | {lo} | {hi} | {r.why} |")
    lines.append(f"| usage-log timestamps | date | {USAGE_DATES[0]} | {USAGE_DATES[1]} | "
                 "no LLM usage log is older; a stray far-future row is refused, not allocated |")
    lines.append(f"| catalog `as_of` / `valid_from` | date | {CATALOG_DATES[0]} | today | "
                 "a price cannot be valid from a future date |")
    return "\n".join(lines) + "\n"


CATALOG_FIELDS = {
    "input_usd_per_mtok": "usd_per_mtok", "output_usd_per_mtok": "usd_per_mtok",
    "cached_input_usd_per_mtok": "usd_per_mtok", "cache_write_usd_per_mtok": "usd_per_mtok",
    "memory_gib": "memory_gib", "bandwidth_gb_s": "bandwidth_gb_s", "fp16_tflops": "tflops",
    "fp8_tflops": "tflops", "fp4_tflops": "tflops", "int8_tops": "tflops", "tdp_w": "tdp_w",
    "system_w_per_gpu": "tdp_w", "usd": "gpu_price_usd", "usd_per_gpu_hour": "gpu_hour_usd",
    "params_b": "params_b", "active_params_b": "params_b", "context_tokens": "context_tokens",
    "kv_heads": "kv_heads", "head_dim": "head_dim",
}
"""User-catalog field (at any depth of an entry) -> its row in the range table."""
_CATALOG_DATE_FIELDS = ("as_of", "valid_from")


def _walk(value, path: str):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, f"{path}.{k}")
            yield path, k, v
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]")


def check_catalog_item(section: str, index: int, item: dict, label: str, today: dt.date | None = None) -> None:
    """The numbers and dates of one user-catalog entry against the range table: one
    :class:`InputError` naming ``label`` (the file), the field path and the range. An API priced
    0 for input and output together is refused (a free API has no break-even)."""
    today = today or dt.date.today()
    where = f"{label}: {section}[{index}]"
    for path, k, v in _walk(item, where):
        if k in CATALOG_FIELDS and isinstance(v, str):  # YAML 1.1 reads 1e300 as a string; pydantic would not
            try:
                v = float(v.strip().replace("_", ""))
            except ValueError:
                continue  # not a number: the schema says so
        if k in CATALOG_FIELDS and v is not None and (isinstance(v, (bool, int, float))):
            try:
                check(CATALOG_FIELDS[k], v, f"{path}.{k}")
            except InputError as e:
                raise CatalogError(str(e)) from None
        elif k in _CATALOG_DATE_FIELDS and isinstance(v, dt.date):
            d = v.date() if isinstance(v, dt.datetime) else v
            announced = ".scheduled[" in path or k == "valid_to"  # announced price changes lie ahead
            if not CATALOG_DATES[0] <= d <= (CATALOG_DATES[1] if announced else today):
                raise CatalogError(f"{path}.{k}: {d.isoformat()} is outside the plausible dates "
                                   f"{CATALOG_DATES[0]}..{today} (not in the future)")
    if section == "apis" and item.get("input_usd_per_mtok") == 0 and item.get("output_usd_per_mtok") == 0:
        raise CatalogError(f"{where}: input_usd_per_mtok and output_usd_per_mtok are both 0; a free API has no "
                         "break-even, give its real price")


DOC_START, DOC_END = "<!-- ranges table: generated by openvclosed.ranges -->", "<!-- end of ranges table -->"


def update_doc(text: str) -> str:
    """``text`` (docs/security.md) with the table between DOC_START and DOC_END regenerated."""
    head, rest = text.split(DOC_START, 1)
    _, tail = rest.split(DOC_END, 1)
    return f"{head}{DOC_START}\n{markdown_table()}{DOC_END}{tail}"


if __name__ == "__main__":  # python -m openvclosed.ranges docs/security.md: regenerate the table there
    import sys
    from pathlib import Path

    doc = Path(sys.argv[1])
    doc.write_text(update_doc(doc.read_text(encoding="utf-8")), encoding="utf-8")
