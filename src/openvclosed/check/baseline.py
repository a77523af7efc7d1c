"""Baselines for ``ovc check``: read (strict), compare, write atomically and only on change.

A baseline is the JSON of an earlier :class:`~openvclosed.check.policy.CheckResult` (``kind:
"ovc-check"``) plus an ``inputs`` section (:mod:`openvclosed.check.inputs`: volumes, prices
used with their ids and dates, catalog digest, ovc version) from which :func:`diff` attributes
each change. Its content is the content of the check: no run date (``generated``) and no
findings (their messages carry price ages in days), sorted keys and floats at most 10
significant digits, so the same inputs write the same bytes and ``--write-baseline`` leaves an
unchanged file untouched. Writing never leaves a half-written file (temp file + rename) and
refuses to replace a file that is not an ovc baseline.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from openvclosed.check.attribution import CENT, attribute
from openvclosed.results.baseline_diff import BaselineDiff, CostFactor, PrecisionChange, WorkloadDiff
from openvclosed.check.inputs import canon
from openvclosed.errors import InputError
from openvclosed.fileio import safe_write_text
from openvclosed.results.base import SCHEMA_VERSION
from openvclosed.results.check import CheckResult

__all__ = ["read_baseline", "write_baseline", "baseline_text", "diff", "design_key"]


MAX_BASELINE_BYTES = 20_000_000
"""A baseline is the JSON of one check (a few KB per workload); larger is not one."""
SCHEMA_VERSIONS = range(1, SCHEMA_VERSION + 1)
"""Result schema versions a baseline may carry (1: written before the ``inputs`` section)."""


def _bad(p, where: str, what: str) -> InputError:
    return InputError(f"{p}: {where}: {what} (not a baseline written by `ovc check --write-baseline`)")


def _num(p, where: str, v) -> None:
    """A monthly cost in a baseline: null, or a number in [0, MAX_USD_PER_MONTH] (what a check can write)."""
    from openvclosed.check.policy import MAX_USD_PER_MONTH

    if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
        raise _bad(p, where, f"expected a finite number or null, got {type(v).__name__}")
    if v is not None and not 0 <= v <= MAX_USD_PER_MONTH:
        raise _bad(p, where, f"{v!r} is outside the plausible range [0, {MAX_USD_PER_MONTH:g}] USD per month")


def _str(p, where: str, v, optional: bool = True) -> None:
    if not isinstance(v, str) and not (optional and v is None):
        raise _bad(p, where, f"expected a string{' or null' if optional else ''}, got {type(v).__name__}")


def read_baseline(path: str | Path) -> dict:
    """A baseline file: a regular file of at most MAX_BASELINE_BYTES, strict JSON (no duplicate
    keys, no NaN), a known ``schema_version``, a ``workloads`` list, with the fields :func:`diff`
    reads in the right types (one error line naming the field otherwise)."""
    from openvclosed.fileio import read_input_text
    from openvclosed.jsonio import loads_strict

    p = Path(path)
    try:
        text = read_input_text(p, "an ovc baseline (JSON)", MAX_BASELINE_BYTES)
    except InputError as e:
        if "no such file" in str(e):
            raise InputError(f"{p}: no such baseline file (create one with --write-baseline)") from None
        raise
    try:
        data = loads_strict(text, f"{p}: not a readable ovc baseline", top=None)
    except ValueError as e:  # e.g. an integer of more than 4300 digits
        raise InputError(f"{p}: not a readable ovc baseline ({str(e)[:80]})") from None
    if not isinstance(data, dict) or data.get("kind") != "ovc-check":
        raise InputError(f"{p}: not an ovc baseline (expected JSON written by `ovc check --write-baseline`)")
    v = data.get("schema_version")
    if isinstance(v, bool) or not isinstance(v, int) or v not in SCHEMA_VERSIONS:
        raise _bad(p, "schema_version", f"{str(v)[:20]!r} is not one this ovc reads "
                                        f"({SCHEMA_VERSIONS.start}-{SCHEMA_VERSIONS.stop - 1})")
    if "workloads" not in data:
        raise _bad(p, "workloads", "missing")
    ws = data["workloads"]
    if not isinstance(ws, list):
        raise _bad(p, "workloads", f"expected a list, got {type(ws).__name__}")
    for k in ("file", "generated"):
        _str(p, k, data.get(k))
    _num(p, "total_usd_per_month", data.get("total_usd_per_month"))
    seen = set()
    for i, w in enumerate(ws):
        where = f"workloads[{i}]"
        if not isinstance(w, dict):
            raise _bad(p, where, f"expected an object, got {type(w).__name__}")
        _str(p, f"{where}.name", w.get("name"), optional=False)
        if w["name"] in seen:
            raise _bad(p, f"{where}.name", "a workload name appears twice")
        seen.add(w["name"])
        _str(p, f"{where}.recommended_name", w.get("recommended_name"))
        _num(p, f"{where}.usd_per_month", w.get("usd_per_month"))
        opts = w.get("feasible_options", [])
        if not isinstance(opts, list) or not all(isinstance(x, str) for x in opts):
            raise _bad(p, f"{where}.feasible_options", "expected a list of strings")
    _check_inputs(p, data.get("inputs"))
    return data


def _validate(p, where: str, model, value) -> None:
    from pydantic import ValidationError

    try:
        model.model_validate(value)
    except ValidationError as e:
        err = e.errors()[0]
        raise _bad(p, _loc([where, *err["loc"]]), err["msg"]) from None


def _check_inputs(p, inp) -> None:
    """The ``inputs`` section, when present, in the types attribution reads, and what attribution
    puts back (prices) valid catalog records (else one error line)."""
    if inp is None:
        return
    from openvclosed.catalog.schema import GpuPrice, GpuRent, LongContextPrice
    from openvclosed.check.inputs import CheckInputs

    _validate(p, "inputs", CheckInputs, inp)
    checks = [(f"inputs.api_prices[{i}].long_context", LongContextPrice, a.get("long_context"))
              for i, a in enumerate(inp.get("api_prices", []))]
    for i, g in enumerate(inp.get("gpu_prices", [])):
        checks.append((f"inputs.gpu_prices[{i}].purchase", GpuPrice, g.get("purchase")))
        checks += [(f"inputs.gpu_prices[{i}].rent[{j}]", GpuRent, q) for j, q in enumerate(g.get("rent", []))]
    for where, model, value in checks:
        if value is not None:
            _validate(p, where, model, value)


def _loc(parts) -> str:
    """``inputs.api_prices[0].id`` from pydantic's location tuple."""
    out = ""
    for x in parts:
        out += f"[{x}]" if isinstance(x, int) else (f".{x}" if out else str(x))
    return out


def baseline_text(result: CheckResult, stored=None) -> str:
    """The bytes ``--write-baseline`` writes for ``result`` (and ``stored`` inputs)."""
    data = result.model_dump(mode="json", exclude={"generated", "baseline", "findings"})
    if stored is not None:
        data["inputs"] = stored.model_dump(mode="json")
    return json.dumps(canon(data), indent=2, sort_keys=True) + "\n"


def write_baseline(path: str | Path, result: CheckResult, inputs=(), stored=None) -> bool:
    """Write ``result`` as a baseline, atomically; False (nothing written) when the file already
    holds exactly this content. Replacing an existing ovc baseline is the point of
    ``--write-baseline`` (no ``--force``); anything else there — another kind of file, a
    symbolic link, a directory, one of ``inputs`` (workload, policy, catalogs) — is refused."""
    p = Path(path)
    text = baseline_text(result, stored)
    if os.path.lexists(p) and not os.path.islink(p) and os.path.isfile(p):
        read_baseline(p)  # refuses to overwrite anything that is not an ovc baseline
        try:
            if p.read_text(encoding="utf-8") == text:
                return False
        except (OSError, UnicodeDecodeError):
            pass
    safe_write_text(p, text, force=True, inputs=inputs, what="--write-baseline")
    return True


def design_key(name: str) -> tuple[str, str]:
    """(design without precision, precision) of an option's name: ``1xh100-sxm qwen2.5-32b fp8``
    -> (``1xh100-sxm qwen2.5-32b``, ``fp8``). Names without a precision are their own key.

    >>> design_key("2xa100-80gb qwen2.5-32b fp16")
    ('2xa100-80gb qwen2.5-32b', 'fp16')
    >>> design_key("openai/gpt-6-astra")
    ('openai/gpt-6-astra', '')
    """
    from openvclosed.engine.fit import PRECISION_BITS

    words = name.split(" ")
    kept = [x for x in words if x.lower() not in PRECISION_BITS]
    return " ".join(kept), " ".join(x for x in words if x.lower() in PRECISION_BITS)


def _option_changes(old: set[str], new: set[str]):
    """Options gained and lost, with those only superseded by another precision of the same design apart."""
    gained, lost = sorted(new - old), sorted(old - new)
    by_key_g, by_key_l = {}, {}
    for n in gained:
        by_key_g.setdefault(design_key(n)[0], []).append(n)
    for n in lost:
        by_key_l.setdefault(design_key(n)[0], []).append(n)
    changes, moved = [], set()
    for k in sorted(set(by_key_g) & set(by_key_l)):
        changes.append(PrecisionChange(design=k, before=", ".join(design_key(n)[1] for n in by_key_l[k]),
                                       after=", ".join(design_key(n)[1] for n in by_key_g[k])))
        moved.update(by_key_g[k] + by_key_l[k])
    return [n for n in gained if n not in moved], [n for n in lost if n not in moved], changes


def diff(old: dict, new: CheckResult, *, catalog=None, wf=None, decisions=None, as_of=None) -> BaselineDiff:
    """Per workload: recommendation and cost before/after, delta (changes under a cent are none),
    percent, options (in)feasible or at another precision, and — given the catalog, workload file
    and decisions — the change attributed to its causes (:func:`~openvclosed.check.attribution.attribute`)."""
    import openvclosed

    from openvclosed.check.inputs import catalog_digest

    before = {w["name"]: w for w in old.get("workloads", [])}
    inputs = old.get("inputs") or None
    old_w_inputs = {w["name"]: w for w in (inputs or {}).get("workloads", [])}
    by_name = {d.workload.name: d for d in (decisions or [])}
    out: list[WorkloadDiff] = []
    for w in new.workloads:
        b = before.get(w.name)
        if b is None:
            out.append(WorkloadDiff(name=w.name, status="added", after=w.recommended_name,
                                    usd_per_month_after=w.usd_per_month))
            continue
        a_cost, b_cost = w.usd_per_month, b.get("usd_per_month")
        delta = None if a_cost is None or b_cost is None else a_cost - b_cost
        if delta is not None and abs(delta) < CENT:
            delta = 0.0
        pct = None if delta is None or b_cost < CENT else delta / b_cost * 100  # no percent of nothing
        gained, lost, prec = _option_changes(set(b.get("feasible_options", [])), set(w.feasible_options))
        changed = b.get("recommended_name") != w.recommended_name or bool(delta) or (a_cost is None) != (b_cost is None)
        row = WorkloadDiff(name=w.name, status="changed" if changed else "same", before=b.get("recommended_name"),
                           after=w.recommended_name, usd_per_month_before=b_cost, usd_per_month_after=a_cost,
                           delta_usd_per_month=delta, delta_pct=pct, became_feasible=gained, became_infeasible=lost,
                           changed_precision=prec)
        if changed and catalog is not None and w.name in by_name:
            row.attribution, row.attribution_note = attribute(
                catalog, wf, by_name[w.name].workload, a_cost, b_cost, inputs, old_w_inputs.get(w.name), as_of)
        out.append(row)
    for name in sorted(set(before) - {w.name for w in new.workloads}):
        out.append(WorkloadDiff(name=name, status="removed", before=before[name].get("recommended_name"),
                                usd_per_month_before=before[name].get("usd_per_month")))
    t_old = old.get("total_usd_per_month")
    totals: dict[str, float] = {}
    for row in out:
        for f in row.attribution:
            totals[f.factor] = totals.get(f.factor, 0.0) + f.usd_per_month
    comparable = t_old is not None and all(w.usd_per_month is not None for w in new.workloads) and all(
        isinstance(w.get("usd_per_month"), (int, float)) for w in old.get("workloads", []))
    t_delta = new.total_usd_per_month - t_old if comparable else None  # totals over different workloads are not
    return BaselineDiff(
        file=old.get("file"), generated=old.get("generated"),
        tool_version_before=(inputs or {}).get("tool_version"), tool_version_after=openvclosed.__version__,
        catalog_changed=None if not inputs or catalog is None else inputs.get("catalog_digest") != catalog_digest(catalog),
        workloads=out, total_usd_per_month_before=t_old, total_usd_per_month_after=new.total_usd_per_month,
        delta_usd_per_month=0.0 if t_delta is not None and abs(t_delta) < CENT else t_delta,
        attribution=[CostFactor(factor=k, usd_per_month=v) for k, v in totals.items() if abs(v) >= CENT])
