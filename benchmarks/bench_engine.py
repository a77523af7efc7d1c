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

from openvclosed.engine import api_usd_per_mtok  # noqa: E402
from openvclosed.engine.scenario import compare_with_api, selfhost_scenario  # noqa: E402


def inputs(n: int, seed: int = 0) -> dict:
    g = np.random.default_rng(seed)
    layers = g.integers(16, 128, n).astype(float)
    return dict(tokens_per_day=g.uniform(0, 1e10, n), params_b=g.uniform(1, 700, n),
                active_share=g.uniform(0.05, 1, n), kv_elements_per_token=2 * layers * 8 * 128,
                weight_bits=g.choice([16.0, 8.0, 4.5], n), n_gpus=g.integers(1, 9, n).astype(float),
                vram_gb=g.choice([24.0, 48.0, 80.0, 141.0], n), bandwidth_gb_s=g.uniform(300, 5000, n),
                tflops=g.uniform(50, 2000, n), replica_usd_per_day=g.uniform(10, 2000, n),
                p_in=g.uniform(0.05, 15, n), p_out=g.uniform(0.2, 75, n))


CHUNK = 16_384
"""Scenarios per engine call: arrays of this size stay in cache (the sweep chunks the same way)."""


def vectorized_chunked(x: dict, chunk: int = CHUNK) -> None:
    n = len(x["tokens_per_day"])
    for s in range(0, n, chunk):
        vectorized({k: v[s:s + chunk] for k, v in x.items()})


def vectorized(x: dict) -> np.ndarray:
    r = selfhost_scenario(x["tokens_per_day"], x["params_b"], x["params_b"] * x["active_share"],
                          x["kv_elements_per_token"], x["weight_bits"], x["n_gpus"], x["vram_gb"],
                          x["bandwidth_gb_s"], x["tflops"], 0.1, x["replica_usd_per_day"], input_share=0.75,
                          context_tokens=4096)
    p = api_usd_per_mtok(x["p_in"], x["p_out"], 0.75)
    c = compare_with_api(x["tokens_per_day"], p, r["usd_per_day"], x["replica_usd_per_day"],
                         r["capacity_tokens_per_day"], r["replicas"], 20000.0, 30.0)
    return c["breakeven_tokens_per_day"]


def scalar(x: dict, k: int) -> None:
    kw = dict(kv_bits=16.0, vram_reserve_share=0.9, max_batch=256, bandwidth_eff=0.7, decode_mfu=0.4,
              prefill_mfu=0.5, utilization=0.5, hours_per_day=24.0, tokens_per_s=float("nan"))
    for i in range(k):
        r = ref.selfhost_scenario(x["tokens_per_day"][i], x["params_b"][i], x["params_b"][i] * x["active_share"][i],
                                  x["kv_elements_per_token"][i], x["weight_bits"][i], x["n_gpus"][i],
                                  x["vram_gb"][i], x["bandwidth_gb_s"][i], x["tflops"][i], 0.1,
                                  x["replica_usd_per_day"][i], input_share=0.75, context_tokens=4096, **kw)
        p = ref.api_usd_per_mtok(x["p_in"][i], x["p_out"][i], 0.75)
        ref.compare_with_api(x["tokens_per_day"][i], p, r["usd_per_day"], x["replica_usd_per_day"][i],
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
