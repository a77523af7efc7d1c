"""Hostile input, third round (issue 28), part 1: one range table for every channel.

Flags, workload fields, ``assumptions:``, ``uncertainty:``, derived volumes, user catalogs and
usage values are checked against ``openvclosed.ranges``; out of range is exit 2 with one line
naming the flag or the file and field path and the range. The table in docs/security.md is the
one generated from the module. Cases run in-process through ``cli.main`` (the ``run`` fixture);
the checks of every case are the shared ones of tests/test_hostile.py.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("hostile_base", Path(__file__).with_name("test_hostile.py"))
H = importlib.util.module_from_spec(_spec)
sys.modules["hostile_base"] = H
_spec.loader.exec_module(H)
assert_clean, workload_yaml, NO_STALE = H.assert_clean, H.workload_yaml, H.NO_STALE


@pytest.fixture
def sandbox(tmp_path, monkeypatch, run):
    monkeypatch.chdir(tmp_path)

    def go(args, files=None):
        H.make_files(tmp_path, files or {})
        before = H.snapshot(tmp_path)
        r = run(*args)
        assert H.snapshot(tmp_path) == before, "a file changed or appeared"
        return r

    return go


def _w(body: str) -> str:
    return "workloads:\n  - name: chat\n" + "".join(f"    {line}\n" for line in body.splitlines())


# --------------------------------------------------------------------------------------------
# the table and its documentation

def test_doc_table_is_generated_from_the_module():
    from openvclosed.ranges import update_doc

    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert update_doc(doc) == doc, "docs/security.md differs: python -m openvclosed.ranges docs/security.md"


def test_every_row_is_complete():
    from openvclosed.ranges import RANGES

    for name, r in RANGES.items():
        assert r.name == name and r.why and r.low < r.high, name
        assert np.isfinite([r.low, r.high]).all()


def test_flags_use_the_table():
    from openvclosed.commands.options import FLAG_RANGES
    from openvclosed.ranges import RANGES

    assert FLAG_RANGES["amortize_years"] == (RANGES["amortize_years"].low, RANGES["amortize_years"].high, "years")
    assert set(FLAG_RANGES) >= {"utilization", "electricity_usd_kwh", "pue", "ops_usd_month", "context_tokens"}


@pytest.mark.parametrize("name,value,ok", [
    ("pue", 1.0, True), ("pue", 5, True), ("pue", 0.99, False), ("pue", float("nan"), False),
    ("horizon_months", True, False), ("horizon_months", 12.5, False), ("horizon_months", 12, True),
    ("tokens_per_day", 5e-324, False), ("tokens_per_day", 1e-3, True), ("tokens_per_day", 10**400, False), ("usd_per_mtok", "1", False),
])
def test_problem_by_hand(name, value, ok):
    from openvclosed.ranges import problem

    assert (problem(name, value) is None) is ok


# --------------------------------------------------------------------------------------------
# flags (issue: --tokens 1e-300, -u 1e-9, sweep -t ...:3.5)

@pytest.mark.parametrize("args,needle", [
    (["breakeven", "-t", "1e-300"], "--tokens"),
    (["breakeven", "-t", "5e8", "-u", "1e-9"], "--utilization"),
    (["breakeven", "-t", "5e8", "--pue", "1e300"], "1..5"),
    (["breakeven", "-t", "5e8", "--batch", "0"], "--batch"),
    (["sweep", "-t", "1e6:1e9:3.5"], "whole number"),
    (["plot", "cost", "--terminal", "--range", "1e-300:1e9"], "--range"),
    (["breakeven", "-t", "5e8", "--model", ""], "--model: an empty name"),
    (["breakeven", "-t", "5e8", "--model="], "--model: an empty name"),
    (["breakeven", "-t", "5e8", "-g", " "], "-g: an empty name"),
    (["breakeven", "-t", "5e8", "-a", ""], "-a: an empty name"),
])
def test_flags_out_of_range(sandbox, args, needle):
    assert_clean(sandbox(args), 2, needle)


# --------------------------------------------------------------------------------------------
# workload files: fields, assumptions, uncertainty, derived volume, candidates

WORKLOADS = [
    ("tokens_per_day: 5.0e-324", "workloads[chat].tokens_per_day"),
    ("tokens_per_day: 1.0e-300", "workloads[chat].tokens_per_day"),
    ("tokens_per_day: -5", "workloads[chat].tokens_per_day"),
    ("tokens_per_day: '-5'", "workloads[chat].tokens_per_day"),
    ("tokens_per_day: 1e8\nhorizon_months: true", "horizon_months: True is a boolean"),
    ("tokens_per_day: 1e8\npeak_to_mean: .inf", "w.yaml"),
    ("requests_per_day: 1e9\ninput_tokens: 1e8\noutput_tokens: 5e6", "workloads[chat].requests_per_day: requests_per_day x"),
    ("requests_per_day: 1e12\ninput_tokens: 365000\noutput_tokens: 0", "0.001..1e+15 tokens/day"),
    ("tokens_per_day: 1e8\nassumptions: {electricity_usd_kwh: 1e300}", "workloads[chat].assumptions.electricity_usd_kwh"),
    ("tokens_per_day: 1e8\nassumptions: {electricity_usd_kwh: 1.0e+300}", "0..10 USD/kWh"),
    ("tokens_per_day: 1e8\nassumptions: {utilization: 1.0e-9}", "assumptions.utilization"),
    ("tokens_per_day: 1e8\nassumptions: {amortize_years: true}", "assumptions.amortize_years"),
    ("tokens_per_day: 1e8\nassumptions: {gpu_price_usd: 1.0e+20}", "assumptions.gpu_price_usd"),
    ("tokens_per_day: 1e8\nassumptions: {context_tokens: 0}", "assumptions.context_tokens"),
    ("tokens_per_day: 1e8\nassumptions: {nonsense: 1}", "assumptions.nonsense"),
    ("tokens_per_day: 1e8\nuncertainty: {ops_usd_month: {dist: uniform, low: -5, high: 10}}",
     "uncertainty.ops_usd_month.low"),
    ("tokens_per_day: 1e8\nuncertainty: {electricity_usd_kwh: {dist: triangular, low: 0.1, mode: 0.2, high: 1.0e+300}}",
     "uncertainty.electricity_usd_kwh.high"),
    ("tokens_per_day: 1e8\nuncertainty: {gpu_price_factor: {dist: lognormal, median: 1, sigma: 1000}}",
     "uncertainty.gpu_price_factor.sigma"),
    ("tokens_per_day: 1e8\nuncertainty: {utilization: {dist: uniform, low: 0.2, high: 1000, relative: true}}",
     "uncertainty.utilization.high"),
    ("tokens_per_day: 1e8\nuncertainty: {utilization: {dist: uniform, low: x, high: 1}}", "uncertainty.utilization.low"),
    ("tokens_per_day: 1e8\ncandidates: {hardware: ['0x4090']}", "workloads[chat].candidates.hardware[0]"),
    ("tokens_per_day: 1e8\ncandidates: {hardware: [nosuch-gpu]}", "workloads[chat].candidates.hardware[0]"),
    ("tokens_per_day: 1e8\ncandidates: {models: [nosuch-model]}", "workloads[chat].candidates.models[0]"),
    ("tokens_per_day: 1e8\ncandidates: {apis: [no/such]}", "workloads[chat].candidates.apis[0]"),
]


@pytest.mark.parametrize("body,needle", WORKLOADS, ids=[w[0].replace("\n", " ")[:70] for w in WORKLOADS])
def test_workload_out_of_range(sandbox, body, needle):
    # recommend and check read workload files through the same loader; check runs a few below
    r = sandbox(["recommend", "w.yaml", *NO_STALE], {"w.yaml": _w(body)})
    assert_clean(r, 2, needle)
    assert r.stderr.startswith("ovc: error: w.yaml:"), r.stderr
    assert "--gpu" not in r.stderr and "--tokens" not in r.stderr  # never a flag the user did not type


@pytest.mark.parametrize("i", [0, 6, 8, 20])
def test_check_reads_workloads_the_same_way(sandbox, i):
    body, needle = WORKLOADS[i]
    assert_clean(sandbox(["check", "w.yaml", *NO_STALE], {"w.yaml": _w(body)}), 2, needle)


def test_workload_in_range_still_decides(sandbox):
    body = ("requests_per_day: 20000\ninput_tokens: 1500\noutput_tokens: 300\n"
            "assumptions: {electricity_usd_kwh: 0.3, utilization: 0.4}\n"
            "uncertainty: {ops_usd_month: {dist: triangular, low: 500, mode: 1000, high: 3000}}")
    assert_clean(sandbox(["recommend", "w.yaml", "--json", *NO_STALE], {"w.yaml": _w(body)}), 0)


def test_defaults_are_checked_too(sandbox):
    text = "defaults:\n  assumptions: {pue: 50}\n" + _w("tokens_per_day: 1e8")
    assert_clean(sandbox(["recommend", "w.yaml", *NO_STALE], {"w.yaml": text}), 2, "workloads[chat].assumptions.pue")


# --------------------------------------------------------------------------------------------
# user catalogs

API = {"id": "evil/api", "provider": "evil", "model": "m", "kind": "closed", "tier": "frontier", "role": "flagship",
       "input_usd_per_mtok": 1.0, "output_usd_per_mtok": 2.0, "source": "https://example.org", "as_of": "2026-11-01"}


def _cat(**changes) -> str:
    return yaml.safe_dump({"apis": [{**API, **changes}]})


CATALOGS = [
    (_cat(input_usd_per_mtok=0, output_usd_per_mtok=0), "both 0"),
    (_cat(input_usd_per_mtok=1e300), "apis[0].input_usd_per_mtok"),
    (_cat(output_usd_per_mtok=-1), "apis[0].output_usd_per_mtok"),
    (_cat().replace("2026-11-01", "9999-12-31"), ".as_of"),
    (_cat().replace("'2026-11-01'", "9999-12-31"), "apis[0].as_of"),
    (yaml.safe_dump({"apis": [API, {**API, "input_usd_per_mtok": 0.5}]}), "duplicate id 'evil/api'"),
    (yaml.safe_dump({"apis": [API, {**API, "id": "EVIL/api"}]}), "duplicate id"),
    ("gpus:\n  - {id: h100-sxm, memory_gib: 1.0e+9}\n", "gpus[0].memory_gib"),
    ("gpus:\n  - {id: h100-sxm, bandwidth_gb_s: 1.0e-300}\n", "gpus[0].bandwidth_gb_s"),
    ("gpus:\n  - {id: h100-sxm, bandwidth_gb_s: 1e-300}\n", "gpus[0].bandwidth_gb_s"),
]


@pytest.mark.parametrize("text,needle", CATALOGS, ids=[c[1] for c in CATALOGS])
def test_user_catalog_out_of_range(sandbox, text, needle):
    assert_clean(sandbox(["breakeven", "-t", "5e8", "--catalog", "c.yaml"], {"c.yaml": text}), 2, needle)


def test_user_catalog_in_range_loads(sandbox):
    assert_clean(sandbox(["breakeven", "-t", "5e8", "-a", "evil/api", "--catalog", "c.yaml"], {"c.yaml": _cat()}), 0)


# --------------------------------------------------------------------------------------------
# derived results never reach a CSV cell as inf

@pytest.mark.parametrize("name", ["f.csv", "f.parquet"])
def test_sweep_full_has_no_inf_cells(tmp_path, monkeypatch, run, name):
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow")
    monkeypatch.chdir(tmp_path)
    r = run("sweep", "-t", "1e6:1e9:3", "--full", name)  # 1e6 tokens/day: no replica needed -> inf before
    assert_clean(r, 0)
    if name.endswith(".csv"):
        text = (tmp_path / name).read_text()
        assert "inf" not in text and "nan" not in text
        assert ",," in text  # the rows without a self-hosting cost are there, with empty cells
    else:
        import pyarrow.parquet as pq

        t = pq.read_table(tmp_path / name)
        for c in ("selfhost_usd_per_month", "saving_usd_per_month"):
            v = np.array(t.column(c).to_pylist(), dtype=float)
            assert not np.isinf(v).any()


# --------------------------------------------------------------------------------------------
# Monte Carlo in chunks: same numbers as one draw of everything

def test_montecarlo_chunks_give_the_same_numbers(monkeypatch):
    from openvclosed.engine import montecarlo as mc
    from openvclosed.engine.design import DesignInputs
    from openvclosed.engine.horizon import HorizonInputs, horizon_scenario

    x = DesignInputs(params_b=8.0, active_params_b=8.0, kv_elements_per_seq=131072 * 4096, n_gpus=1, vram_gib=80,
                     bandwidth_gb_s=3350, tflops=989, gpu_tdp_w=700, gpu_usd=25000)
    base = HorizonInputs(x, 1e8, horizon_months=24)
    api = np.array([0.5, 2.0, 10.0])
    n = 601
    # the reference: every draw at once from the spawned streams, one horizon evaluation
    draws = mc.sample(mc.resolve_distributions(base), n, 7)
    ref = horizon_scenario(base.with_values(**{k: v[:, None] for k, v in draws.items()}), api,
                           only=("saving_usd", "crossover_month"))
    for cells in (21, 1000, 1 << 16):  # 7 draws per chunk (uneven last one), 333, all at once
        monkeypatch.setattr(mc, "CHUNK_CELLS", cells)
        got = mc.monte_carlo_breakeven(base, api, n=n, seed=7, keep_samples=True, keep_draws=True)
        assert np.array_equal(got["saving_usd"], ref["saving_usd"])
        assert np.array_equal(got["crossover_month"], ref["crossover_month"])
        for k in draws:
            assert np.array_equal(got["draws"][k], draws[k])
        assert np.array_equal(got["p_selfhost_cheaper"], np.mean(ref["saving_usd"] > 0, axis=0))


def test_montecarlo_flag_path_still_reproducible(sandbox):
    a = sandbox(["breakeven", "-t", "5e8", "-a", "openai/gpt-6-luna", "--monte-carlo", "3000", "--seed", "3", "--json"])
    b = sandbox(["breakeven", "-t", "5e8", "-a", "openai/gpt-6-luna", "--monte-carlo", "3000", "--seed", "3", "--json"])
    assert_clean(a, 0)
    assert json.loads(a.stdout) == json.loads(b.stdout)
