"""The roofline calibration (scripts/calibrate.py) still validates as well as recorded."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "calibrate.py"
JSON_PATH = ROOT / "data" / "measurements" / "calibration.json"


@pytest.fixture(scope="module")
def cal(load_module):
    return load_module(SCRIPT, "ovc_calibrate_script")


@pytest.fixture(scope="module")
def res(cal):
    return cal.run()


def test_validation_error_not_worse_than_recorded(res):
    stored = json.loads(JSON_PATH.read_text(encoding="utf-8"))
    assert res["val_stats"]["median_abs_pct"] <= stored["validation_median_abs_pct_error"] + 1.0
    assert len(res["val"]) == stored["n_validation"]
    assert len(res["cal"]) == stored["n_calibration"]


def test_fitted_factors_in_range(res):
    f = res["factors"]
    assert 0.0 < f["bandwidth_eff"] <= 1.0
    assert 0.0 < f["decode_mfu"] <= 1.0
    assert 0.0 <= f["tp_overhead_nvlink"] <= 1.0
    assert 0.0 <= f["tp_overhead_pcie"] <= 1.0


def test_split_is_disjoint_and_complete(res):
    cal_ids = {r.id for r in res["cal"]}
    val_ids = {r.id for r in res["val"]}
    assert not cal_ids & val_ids
    assert cal_ids | val_ids == {r.id for r in res["rows"]}
    assert any(r.metric == "decode_aggregate" for r in res["val"])


def test_aggregate_rows_without_batch_are_excluded_and_listed(res):
    excluded = dict(res["excluded"])
    usable = {r.id for r in res["rows"]}
    assert "lambda-h100-mistral7b" in excluded and "lambda-h100-mistral7b" not in usable
    assert all(r.batch >= 1 for r in res["rows"])


def test_pp_rows_use_one_gpu_bandwidth(res):
    pp = [r for r in res["rows"] if r.parallelism == "pp"]
    assert pp and all(r.n_gpus > 1 and r.n_eff == 1 for r in pp)


def test_check_flag(cal, res, tmp_path):
    ok, _ = cal.check(res, JSON_PATH)
    assert ok
    strict = tmp_path / "calibration.json"
    strict.write_text(json.dumps({"validation_median_abs_pct_error": res["val_stats"]["median_abs_pct"] - 1.5}))
    ok, msg = cal.check(res, strict)
    assert not ok and "FAIL" in msg
    assert cal.main(["--check"]) == 0
