"""Sweeps: chunked == unchunked, agreement with the break-even engine, CLI and files."""

import csv
import json

import numpy as np
import pytest

from openvclosed.engine import breakeven_tokens_per_day
from openvclosed.engine.sweep import iter_sweep, log_grid, sweep_summary

RNG = np.random.default_rng(11)
T = log_grid(1e5, 1e11, 97)
CAP = np.concatenate([RNG.uniform(1e7, 2e9, 6), [0.0]])  # the last design does not fit
F = RNG.uniform(20, 3000, 7)
P = np.array([0.03, 0.2, 1.0, 4.5, 20.0])


@pytest.mark.parametrize("chunk", [1, 7, 96, 1000, 10**9])
def test_chunked_equals_unchunked(chunk):
    ref = sweep_summary(T, CAP, F, P, chunk_size=10**9)
    got = sweep_summary(T, CAP, F, P, chunk_size=chunk)
    for k, v in ref.items():
        np.testing.assert_array_equal(np.asarray(got[k]), np.asarray(v), err_msg=k)
    full_ref = next(iter_sweep(T, CAP, F, P, chunk_size=10**9))
    parts = list(iter_sweep(T, CAP, F, P, chunk_size=chunk))
    for k in ("tokens_per_day", "selfhost_usd_per_month", "api_usd_per_month", "saving_usd_per_month"):
        np.testing.assert_array_equal(np.concatenate([c[k] for c in parts]), full_ref[k])


def test_summary_agrees_with_engine():
    s = sweep_summary(T, CAP, F, P)
    di, ai = s["design"], s["api"]
    np.testing.assert_array_equal(s["breakeven_tokens_per_day"], breakeven_tokens_per_day(F[di], CAP[di], P[ai]))
    be = s["breakeven_tokens_per_day"]
    first = s["first_win_tokens_per_day"]
    # above the break-even self-hosting wins at every grid point, so the first win is at or below the
    # first grid point above it (below it the staircase may win on parts of earlier steps)
    for b, f in zip(be, first):
        if np.isfinite(b) and (T > b).any():
            assert f <= T[T > b][0]
    assert np.all(s["win_share"][di == 6] == 0) and np.all(np.isinf(first[di == 6]))
    assert s["scenarios"] == T.size * CAP.size * P.size


def test_sweep_cli_csv_and_json(run, tmp_path):
    out, full = tmp_path / "frontier.csv", tmp_path / "all.csv"
    r = run("sweep", "-t", "1e6:1e10:20", "-g", "2x4090,h100", "-m", "llama-3.1-8b", "-q", "fp16,int4",
            "-a", "openai/gpt-6-luna", "-a", "google/gemini-3.5-flash-lite", "-o", str(out), "--full", str(full),
            "--chunk-size", "13")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 2 * 2 * 2
    assert {"gpu", "model", "quant", "api", "breakeven_tokens_per_day", "win_share"} <= set(rows[0])
    lines = full.read_text().splitlines()
    assert len(lines) == 1 + 2 * 2 * 2 * 20
    j = run("sweep", "-t", "1e6:1e10:20", "-g", "2x4090", "-m", "llama-3.1-8b", "-a", "openai/gpt-6-luna", "--json")
    d = json.loads(j.stdout)
    assert d["scenarios"] == len(d["frontier"]) * 20
    assert all(x["breakeven_tokens_per_day"] is None or x["breakeven_tokens_per_day"] > 0 for x in d["frontier"])


@pytest.mark.parametrize("args,message", [
    (["-t", "1e6:1e10"], "LO:HI:N"),
    (["-t", "1e10:1e6:5"], "0 < LO < HI"),
    (["-o", "x.xlsx"], "--output"),
    (["-q", "int3"], "--quant"),
    (["-g", "9090"], "unknown gpu"),
])
def test_sweep_bad_input(run, args, message):
    r = run("sweep", *args)
    assert r.exit_code == 2
    assert message in r.stderr and r.stderr.strip().count("\n") == 0
