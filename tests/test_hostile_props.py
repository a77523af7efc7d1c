"""Hostile input, third round (issue 28), part 3: properties.

Hypothesis generates extreme floats (denormals, 1e308, inf, nan, negative zero), huge integers,
booleans, odd strings (controls, bidi, ``##[``, newlines), dates from year 1 to 9999 and sizes for
the workload, user-catalog and usage readers. Whatever it makes, ``ovc`` ends with exit 0 (or 1)
and finite output, or exit 2 with one ``ovc: error:`` line; never a traceback, never an internal
error (tests run with OVC_DEBUG=1, so one raises). Runs in-process through ``cli.main``; examples
are bounded so the suite stays a few seconds per property on 2 shared cores.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import json
import math
import re
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_spec = importlib.util.spec_from_file_location("hostile_base", Path(__file__).with_name("test_hostile.py"))
H = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("hostile_base", H)
_spec.loader.exec_module(H)

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

EXTREME_FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([5e-324, -5e-324, 1e-300, 1e300, 1.7976931348623157e308, -0.0, 0.0, 1e15, 1e15 * (1 + 1e-15)]),
)
NUMBERS = st.one_of(EXTREME_FLOATS, st.integers(min_value=-(10 ** 40), max_value=10 ** 40), st.booleans(),
                    st.floats(min_value=0.01, max_value=1e9))
ODD_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["##[error]x", "\u202egnp.exe", "a\nb: 1", "::error::x", "=cmd|' /C calc'!A0", "", " ",
                     "1e300", "nan", "-inf", "0x10", "9" * 50]),
)
VALUES = st.one_of(NUMBERS, ODD_TEXT, st.none())


def _finite_json(text: str):
    def refuse(name):
        raise AssertionError(f"{name} in JSON output")

    return json.loads(text, parse_constant=refuse)


def _check(r, *, json_out: bool):
    H.assert_clean(r, (0, 1, 2))  # one error line when 2, no traceback, no forged command
    if r.exit_code in (0, 1) and json_out:
        _finite_json(r.stdout)
    if r.exit_code in (0, 1) and not json_out:
        assert "nan" not in r.stdout.lower().replace("nano", ""), r.stdout[-500:]


@pytest.fixture
def at(tmp_path, monkeypatch, run):
    monkeypatch.chdir(tmp_path)

    def go(args, files):
        for name, text in files.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
        return run(*args)

    return go


def _dump(data) -> str:
    # inf/nan as YAML's .inf/.nan (refused by the reader); anything else as safe_dump writes it
    return yaml.safe_dump(data, allow_unicode=True)


# --------------------------------------------------------------------------------------------
# workload files

WORKLOAD_FIELDS = ["tokens_per_day", "requests_per_day", "input_tokens", "output_tokens", "peak_to_mean",
                   "growth_per_month", "horizon_months", "input_share", "cached_input_share",
                   "api_price_decline_per_year", "monthly_active_users"]
ASSUMPTIONS = ["utilization", "electricity_usd_kwh", "pue", "ops_usd_month", "amortize_years", "gpu_price_usd",
               "context_tokens", "tokens_per_s", "rate", "days_per_month"]


@st.composite
def workloads(draw):
    w = {"name": "chat"}
    if draw(st.booleans()):
        w["tokens_per_day"] = draw(st.one_of(NUMBERS, ODD_TEXT))
    else:
        w.update(requests_per_day=draw(NUMBERS), input_tokens=draw(NUMBERS), output_tokens=draw(NUMBERS))
    for f in draw(st.lists(st.sampled_from(WORKLOAD_FIELDS[4:]), max_size=3, unique=True)):
        w[f] = draw(VALUES)
    a = {k: draw(VALUES) for k in draw(st.lists(st.sampled_from(ASSUMPTIONS), max_size=3, unique=True))}
    if a:
        w["assumptions"] = a
    if draw(st.booleans()):
        name = draw(st.sampled_from(["utilization", "ops_usd_month", "gpu_price_factor", "growth_per_month"]))
        kind = draw(st.sampled_from(["uniform", "triangular", "lognormal", "fixed"]))
        keys = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"), "lognormal": ("median", "sigma"),
                "fixed": ("value",)}[kind]
        w["uncertainty"] = {name: {"dist": kind, **{k: draw(NUMBERS) for k in keys}}}
    return {"workloads": [w]}


@SETTINGS
@given(data=workloads())
def test_workload_reader_property(at, data):
    r = at(["recommend", "w.yaml", "--json", *H.NO_STALE], {"w.yaml": _dump(data)})
    _check(r, json_out=True)
    if r.exit_code == 2:
        assert "w.yaml" in r.stderr


@SETTINGS
@given(data=workloads(), n=st.sampled_from([None, 200]))
def test_workload_montecarlo_property(at, data, n):
    args = ["recommend", "w.yaml", "--json", *H.NO_STALE] + (["--monte-carlo", str(n)] if n else [])
    _check(at(args, {"w.yaml": _dump(data)}), json_out=True)


# --------------------------------------------------------------------------------------------
# user catalogs

DATES = st.one_of(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)), ODD_TEXT)


@st.composite
def catalogs(draw):
    api = {"id": "evil/" + draw(st.sampled_from(["a", "##[x", "b\u202e", "C"])), "provider": draw(ODD_TEXT) or "p",
           "model": draw(ODD_TEXT) or "m", "kind": "closed", "tier": "frontier", "role": "flagship",
           "input_usd_per_mtok": draw(NUMBERS), "output_usd_per_mtok": draw(NUMBERS),
           "source": draw(ODD_TEXT) or "s", "as_of": draw(DATES)}
    apis = [api] + ([dict(api, input_usd_per_mtok=1.0)] if draw(st.booleans()) else [])
    out = {"apis": apis}
    if draw(st.booleans()):
        out["gpus"] = [{"id": "h100-sxm", draw(st.sampled_from(["memory_gib", "bandwidth_gb_s", "fp16_tflops",
                                                               "tdp_w"])): draw(NUMBERS)}]
    if draw(st.booleans()):  # a model's KV cache (kv_heads 0 everywhere: refused at the model level)
        out["models"] = [{"id": "llama-3.1-8b", "attention": [
            {"type": "full", "layers": 32, "kv_heads": draw(st.one_of(NUMBERS, st.sampled_from([0, 1, 8]))),
             "head_dim": draw(st.one_of(NUMBERS, st.just(128)))}]}]
    return out, api["id"]


@SETTINGS
@given(cat=catalogs())
def test_catalog_reader_property(at, cat):
    data, api_id = cat
    r = at(["breakeven", "-t", "5e8", "-a", api_id, "--catalog", "c.yaml", "--json"], {"c.yaml": _dump(data)})
    _check(r, json_out=True)
    if r.exit_code == 2:
        assert "c.yaml" in r.stderr or api_id.split("/")[1][:2] in r.stderr


# --------------------------------------------------------------------------------------------
# usage logs

TIMESTAMPS = st.one_of(
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)).map(lambda d: d.isoformat()),
    st.datetimes(min_value=dt.datetime(2025, 12, 1), max_value=dt.datetime(2026, 2, 1)).map(
        lambda d: d.isoformat() + "Z"),
    NUMBERS.map(repr), ODD_TEXT,
)
COUNTS = st.one_of(NUMBERS.map(lambda v: repr(v) if not isinstance(v, bool) else str(v)), ODD_TEXT,
                   st.integers(min_value=0, max_value=10 ** 7).map(str))


@st.composite
def usage_logs(draw):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["timestamp", "model", "input_tokens", "output_tokens"])
    good = draw(st.integers(min_value=0, max_value=4))
    for i in range(good):
        w.writerow([f"2026-01-0{i + 1}T10:00:00Z", "gpt-4o", 1000, 100])
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        w.writerow([draw(TIMESTAMPS), draw(ODD_TEXT), draw(COUNTS), draw(COUNTS)])
    text = buf.getvalue()
    if draw(st.booleans()):  # sizes: one long field
        text += "2026-01-02T00:00:00Z,m" + "x" * draw(st.sampled_from([10, 100_000, 140_000])) + ",1,1\n"
    return text


@SETTINGS
@given(text=usage_logs(), cmd=st.sampled_from([["summarize", "--json"], ["reprice", "--json"], ["summarize"]]))
def test_usage_reader_property(at, text, cmd):
    r = at(["usage", *cmd, "u.csv"], {"u.csv": text})
    _check(r, json_out="--json" in cmd)
    if r.exit_code == 0 and "--json" in cmd and cmd[0] == "summarize":
        data = _finite_json(r.stdout)
        assert data["window"]["days"] <= 3660


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=usage_logs())
def test_usage_to_workload_property(at, tmp_path, text):
    out = tmp_path / "out.yaml"
    if out.exists():
        out.unlink()
    r = at(["usage", "to-workload", "u.csv", "-o", "out.yaml"], {"u.csv": text})
    _check(r, json_out=False)
    if r.exit_code == 0:
        from openvclosed.decision.workload import load_workload_file

        wf = load_workload_file(out)
        assert all(math.isfinite(w.total_tokens_per_day) for w in wf.workloads)


# --------------------------------------------------------------------------------------------
# baselines (check --baseline)

@st.composite
def baselines(draw):
    rows = []
    for name in draw(st.lists(st.sampled_from(["support-chat", "claims-summaries", "gone", "##[x", "a\u202eb"]),
                              max_size=3, unique=True)):
        row = {"name": name, "recommended_name": draw(ODD_TEXT), "usd_per_month": draw(NUMBERS),
               "feasible_options": draw(st.lists(ODD_TEXT, max_size=2))}
        if draw(st.booleans()):
            row["usd_per_mtok"] = draw(NUMBERS)
        rows.append(row)
    data = {"kind": "ovc-check", "schema_version": draw(st.sampled_from([1, 2, 2, 999, "2", None])),
            "file": draw(ODD_TEXT), "passed": draw(st.booleans()), "total_usd_per_month": draw(NUMBERS),
            "workloads": rows}
    text = json.dumps(data, allow_nan=True)
    if draw(st.booleans()) and text.endswith("}"):
        text = text[:-1] + ', "workloads": []}'  # the duplicate-key trick
    return text


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=baselines(), fmt=st.sampled_from(["json", "markdown", "table"]))
def test_baseline_reader_property(at, text, fmt):
    r = at(["check", "w.yaml", "--baseline", "b.json", "--format", fmt, *H.NO_STALE],
           {"w.yaml": H.workload_yaml(), "b.json": text})
    _check(r, json_out=fmt == "json")
    if r.exit_code == 2:
        assert "b.json" in r.stderr
    if r.exit_code in (0, 1):
        assert not re.search(r"\binf\b|\bnan\b", r.stdout, re.I), r.stdout[-800:]
