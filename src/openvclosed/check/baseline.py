"""Baselines for ``ovc check``: read, compare, write atomically.

A baseline is the JSON of an earlier :class:`~openvclosed.policy.CheckResult` (``kind:
"ovc-check"``). Writing never leaves a half-written file (temp file + rename) and refuses to
replace a file that is not an ovc baseline.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from openvclosed.errors import InputError
from openvclosed.fileio import safe_write_text
from openvclosed.results.check import CheckResult

__all__ = ["read_baseline", "write_baseline", "diff"]


MAX_BASELINE_BYTES = 20_000_000
"""A baseline is the JSON of one check (a few KB per workload); larger is not one."""


def _bad(p, where: str, what: str) -> InputError:
    return InputError(f"{p}: {where}: {what} (not a baseline written by `ovc check --write-baseline`)")


def _num(p, where: str, v) -> None:
    if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
        raise _bad(p, where, f"expected a finite number or null, got {type(v).__name__}")


def _str(p, where: str, v, optional: bool = True) -> None:
    if not isinstance(v, str) and not (optional and v is None):
        raise _bad(p, where, f"expected a string{' or null' if optional else ''}, got {type(v).__name__}")


def read_baseline(path: str | Path) -> dict:
    """A baseline file: a regular file of at most MAX_BASELINE_BYTES, strict JSON, with the fields
    :func:`diff` reads in the right types (one error line naming the field otherwise)."""
    p = Path(path)
    from openvclosed.fileio import read_input_text

    try:
        text = read_input_text(p, "an ovc baseline (JSON)", MAX_BASELINE_BYTES)
    except InputError as e:
        if "no such file" in str(e):
            raise InputError(f"{p}: no such baseline file (create one with --write-baseline)") from None
        raise

    def constant(name):
        raise ValueError(f"{name} is not valid JSON")

    try:
        data = json.loads(text, parse_constant=constant)
    except json.JSONDecodeError as e:
        raise InputError(f"{p}: not a readable ovc baseline (line {e.lineno}: {e.msg})") from None
    except ValueError as e:
        raise InputError(f"{p}: not a readable ovc baseline ({str(e)[:80]})") from None
    except RecursionError:
        raise InputError(f"{p}: not a readable ovc baseline (JSON nested too deeply)") from None
    if not isinstance(data, dict) or data.get("kind") != "ovc-check":
        raise InputError(f"{p}: not an ovc baseline (expected JSON written by `ovc check --write-baseline`)")
    ws = data.get("workloads", [])
    if not isinstance(ws, list):
        raise _bad(p, "workloads", f"expected a list, got {type(ws).__name__}")
    for k in ("file", "generated"):
        _str(p, k, data.get(k))
    _num(p, "total_usd_per_month", data.get("total_usd_per_month"))
    for i, w in enumerate(ws):
        where = f"workloads[{i}]"
        if not isinstance(w, dict):
            raise _bad(p, where, f"expected an object, got {type(w).__name__}")
        _str(p, f"{where}.name", w.get("name"), optional=False)
        _str(p, f"{where}.recommended_name", w.get("recommended_name"))
        _num(p, f"{where}.usd_per_month", w.get("usd_per_month"))
        opts = w.get("feasible_options", [])
        if not isinstance(opts, list) or not all(isinstance(x, str) for x in opts):
            raise _bad(p, f"{where}.feasible_options", "expected a list of strings")
    return data


def write_baseline(path: str | Path, result: CheckResult, inputs=()) -> None:
    """Write ``result`` as a baseline, atomically. Replacing an existing ovc baseline is the
    point of ``--write-baseline`` (no ``--force``); anything else there — another kind of file,
    a symbolic link, a directory, one of ``inputs`` (workload, policy, catalogs) — is refused."""
    p = Path(path)
    if os.path.lexists(p) and not os.path.islink(p) and os.path.isfile(p):
        read_baseline(p)  # refuses to overwrite anything that is not an ovc baseline
    data = result.model_dump(mode="json")
    data["baseline"] = None
    safe_write_text(p, json.dumps(data, indent=2, sort_keys=True) + "\n", force=True, inputs=inputs,
                    what="--write-baseline")


def diff(old: dict, new: CheckResult) -> dict:
    """Per workload: recommendation and cost before/after, delta, percent, options (in)feasible."""
    before = {w["name"]: w for w in old.get("workloads", [])}
    out = []
    for w in new.workloads:
        b = before.get(w.name)
        if b is None:
            out.append({"name": w.name, "status": "added", "after": w.recommended_name,
                        "usd_per_month_after": w.usd_per_month})
            continue
        a_cost, b_cost = w.usd_per_month, b.get("usd_per_month")
        delta = None if a_cost is None or b_cost is None else a_cost - b_cost
        pct = None if delta is None or not b_cost else delta / b_cost * 100
        old_f, new_f = set(b.get("feasible_options", [])), set(w.feasible_options)
        out.append({"name": w.name, "status": "changed" if (b.get("recommended_name") != w.recommended_name
                                                            or delta) else "same",
                    "before": b.get("recommended_name"), "after": w.recommended_name,
                    "usd_per_month_before": b_cost, "usd_per_month_after": a_cost,
                    "delta_usd_per_month": delta, "delta_pct": pct,
                    "became_feasible": sorted(new_f - old_f), "became_infeasible": sorted(old_f - new_f)})
    for name in sorted(set(before) - {w.name for w in new.workloads}):
        out.append({"name": name, "status": "removed", "before": before[name].get("recommended_name"),
                    "usd_per_month_before": before[name].get("usd_per_month")})
    t_old = old.get("total_usd_per_month")
    return {"file": old.get("file"), "generated": old.get("generated"), "workloads": out,
            "total_usd_per_month_before": t_old, "total_usd_per_month_after": new.total_usd_per_month,
            "delta_usd_per_month": None if t_old is None else new.total_usd_per_month - t_old}
