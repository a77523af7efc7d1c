"""Engine throughput vs the scalar pure-Python reference, and CLI start-up vs `python -c pass`.

Run on demand (never part of `pytest`):  python benchmarks/bench_engine.py [--n 1000000] [--repeat 5]
Reports medians of repeated runs and ratios measured side by side in the same process.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
from _timing import median_time  # benchmarks/_timing.py (the script's own folder is on sys.path)

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("scalar_reference", ROOT / "tests" / "scalar_reference.py")
ref = importlib.util.module_from_spec(spec)
sys.modules["scalar_reference"] = ref
spec.loader.exec_module(ref)

import dataclasses  # noqa: E402

from openvclosed.engine import api_usd_per_mtok, compare_with_api  # noqa: E402
from openvclosed.engine.design import DesignInputs, selfhost_design  # noqa: E402

FIELDS = ("params_b", "active_params_b", "expert_params_b", "experts_total", "experts_per_token", "dense_bits",
          "expert_bits", "kv_elements_per_seq", "layers", "n_gpus", "vram_gib", "bandwidth_gb_s", "tflops",
          "gpu_hour_usd")


def inputs(n: int, seed: int = 0) -> dict:
    g = np.random.default_rng(seed)
    layers = g.integers(16, 128, n).astype(float)
    params = g.uniform(1, 700, n)
    moe = g.random(n) < 0.4
    active = np.where(moe, params * g.uniform(0.02, 0.3, n), params)
    return dict(tokens_per_day=g.uniform(0, 1e10, n), params_b=params, active_params_b=active,
                expert_params_b=np.where(moe, (params - active) * 1.05, 0.0).clip(0, params * 0.98),
                experts_total=np.where(moe, 128.0, 0.0), experts_per_token=np.where(moe, 8.0, 0.0),
                dense_bits=g.choice([16.0, 8.0, 4.5], n), expert_bits=g.choice([16.0, 8.0, 4.25], n),
                kv_elements_per_seq=2 * layers * 8 * 128 * 4096, layers=layers,
                n_gpus=g.integers(1, 9, n).astype(float), vram_gib=g.choice([24.0, 48.0, 80.0, 141.0], n),
                bandwidth_gb_s=g.uniform(300, 5000, n), tflops=g.uniform(50, 2000, n),
                gpu_hour_usd=g.uniform(0.5, 10, n), p_in=g.uniform(0.05, 15, n), p_out=g.uniform(0.2, 75, n))


CHUNK = 16_384
"""Scenarios per engine call: arrays of this size stay in cache (the sweep chunks the same way)."""


def vectorized_chunked(x: dict, chunk: int = CHUNK) -> None:
    n = len(x["tokens_per_day"])
    for s in range(0, n, chunk):
        vectorized({k: v[s:s + chunk] for k, v in x.items()})


def vectorized(x: dict) -> np.ndarray:
    r = selfhost_design(DesignInputs(rented=True, ops_usd_month=0.0, **{k: x[k] for k in FIELDS}), x["tokens_per_day"])
    p = api_usd_per_mtok(x["p_in"], x["p_out"], 0.75)
    c = compare_with_api(x["tokens_per_day"], p, r.usd_per_day, r.replica_usd_per_day, r.capacity_tokens_per_day,
                         r.replicas, 20000.0, 30.0)
    return c["breakeven_tokens_per_day"]


DEFAULTS = {f.name: float(f.default) for f in dataclasses.fields(DesignInputs) if f.default is not dataclasses.MISSING}


def scalar(x: dict, k: int) -> None:
    for i in range(k):
        f = dict(DEFAULTS, **{name: float(x[name][i]) for name in FIELDS})
        r = ref.selfhost_design(float(x["tokens_per_day"][i]), **f)
        p = ref.api_usd_per_mtok(x["p_in"][i], x["p_out"][i], 0.75)
        ref.compare_with_api(x["tokens_per_day"][i], p, r["usd_per_day"], r["replica_usd_per_day"],
                             r["capacity_tokens_per_day"], r["replicas"], 20000.0, 30.0)



def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--scalar-n", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--startup-runs", type=int, default=10)
    a = ap.parse_args()
    x = inputs(a.n)
    tv1 = median_time(lambda: vectorized(x), a.repeat)
    tv = median_time(lambda: vectorized_chunked(x), a.repeat)
    ts = median_time(lambda: scalar(x, a.scalar_n), a.repeat)
    v_rate, s_rate = a.n / tv, a.scalar_n / ts
    print(f"machine: {platform.machine()} {platform.python_version()} numpy {np.__version__}")
    print(f"vectorized engine, one call: {a.n:,} scenarios in {tv1:.3f} s (median of {a.repeat}) = "
          f"{a.n / tv1:,.0f} scenarios/s")
    print(f"vectorized engine, {CHUNK:,}-scenario chunks: {tv:.3f} s = {v_rate:,.0f} scenarios/s")
    print(f"scalar reference : {a.scalar_n:,} scenarios in {ts:.3f} s = {s_rate:,.0f} scenarios/s")
    print(f"ratio vectorized / scalar: {v_rate / s_rate:,.0f}x (target >= 100x)")
    ovc = str(Path(sys.executable).with_name("ovc"))
    cmd = [ovc, "breakeven", "--tokens", "5e8", "--gpu", "2x4090"]
    t_ovc = median_time(lambda: subprocess.run(cmd, capture_output=True, check=True), a.startup_runs)
    t_py = median_time(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), a.startup_runs)
    print(f"start-up: `ovc breakeven --tokens 5e8 --gpu 2x4090` {t_ovc * 1e3:.0f} ms, `python -c pass` "
          f"{t_py * 1e3:.0f} ms (medians of {a.startup_runs}; target <= 250 ms)")


if __name__ == "__main__":
    main()
