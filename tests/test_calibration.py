"""Calibration of the serving-engine profiles on published measurements (decision/validate.py)."""

import json
import math

import numpy as np
import pytest

from openvclosed.catalog import load_catalog
from openvclosed.catalog.measurements import read_measurements
from openvclosed.catalog.store import bundled_data_dir
from openvclosed.decision import validate as V
from openvclosed.engine.profiles import ENGINES, STARTING_POINTS


@pytest.fixture(scope="module")
def res():
    return V.calibrate(load_catalog([], include_env=False))


def test_every_row_is_used_or_skipped_with_a_reason(res):
    p = res["prepared"]
    assert len(p.rows) + len(p.skipped) == len(read_measurements())
    assert all(reason for _, reason in p.skipped)
    assert len(p.rows) >= 250


def test_split_is_by_source_disjoint_and_covers_engines(res):
    p, held = res["prepared"], res["held"]
    held_sources = {r.source for r, h in zip(p.rows, held) if h}
    fit_sources = {r.source for r, h in zip(p.rows, held) if not h}
    assert not held_sources & fit_sources
    assert held.sum() >= 100 and (~held).sum() >= 100
    for e in ("vllm", "sglang", "trtllm", "llamacpp"):
        assert ((p.engines == e) & ~held).sum() >= 4, e


def test_fitted_parameters_inside_their_bounds(res):
    for e, q in res["profiles"].items():
        for name, (lo, hi) in V.BOUNDS.items():
            assert lo <= q[name] <= hi, (e, name)


def test_calibration_file_is_the_fit_and_the_held_out_error_is_as_recorded(res):
    data = json.loads((bundled_data_dir() / "measurements" / "calibration.json").read_text())
    for e in ENGINES:
        for name in V.FITTED:
            assert data["profiles"][e][name] == pytest.approx(res["profiles"][e][name], rel=1e-9), (e, name)
    p, held, pred = res["prepared"], res["held"], res["pred"]
    err = np.abs(pred[held] / p.measured[held] - 1)
    assert float(np.median(err)) == pytest.approx(data["held_out"]["median_abs_error"], rel=1e-9)
    # calibration must beat the starting points on the held-out part (mean absolute log error)
    def mal(pred):
        return float(np.mean(np.abs(np.log(pred[held] / p.measured[held]))))

    assert mal(pred) < mal(res["start_pred"])


def test_fit_recovers_known_parameters_on_synthetic_rows(res):
    """Rows predicted with known parameters are fitted back close to them (the fit can find a truth)."""
    p = res["prepared"]
    mask = p.engines == "vllm"
    truth = dict(STARTING_POINTS["vllm"], bandwidth_eff=0.4, decode_mfu=0.2, kv_bandwidth_eff=0.3)
    synthetic = V.predict(p, {e: truth for e in ENGINES})
    p2 = V._subset(p, mask)
    p2.measured = synthetic[mask]
    fitted = V.fit_engine(p2, np.ones(mask.sum(), dtype=bool), "vllm", STARTING_POINTS["vllm"])
    pred = V.predict(p2, {e: fitted for e in ENGINES})
    start = V.predict(p2, {e: STARTING_POINTS["vllm"] for e in ENGINES})
    assert float(np.median(np.abs(pred / p2.measured - 1))) < 0.10
    assert float(np.median(np.abs(start / p2.measured - 1))) > 0.2  # the fit moved far from where it started
    assert not math.isnan(fitted["bandwidth_eff"])
