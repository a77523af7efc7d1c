"""Engine throughput (selfhost_design + API price + comparison) vs the scalar pure-Python reference.

Run on demand (never part of `pytest`)::

    python benchmarks/bench_engine.py [--n 1000000] [--repeat 5] [--baseline /tmp/ovc-main/src]

Reports medians of repeated runs and the ratio engine / scalar measured side by side in the same
process; with ``--baseline`` the same measurement runs again in a child process on a baseline
tree (same inputs, same scalar reference), so both ratios come from one run. Before timing, the
fused engine is checked bit for bit against the step-by-step chain (``engine/design_reference.reference_design``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
from _timing import baseline_env, median_time  # benchmarks/_timing.py (the script's own folder is on sys.path)

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



def measure(n: int, scalar_n: int, repeat: int) -> dict:
    x = inputs(n)
    vectorized_chunked(inputs(CHUNK))  # warm-up
    tv1 = median_time(lambda: vectorized(x), repeat)
    tv = median_time(lambda: vectorized_chunked(x), repeat)
    ts = median_time(lambda: scalar(x, scalar_n), repeat)
    return {"one_call": n / tv1, "chunked": n / tv, "scalar": scalar_n / ts}


def check_identical(n: int = 50_000) -> str:
    from openvclosed.engine import design

    try:
        from openvclosed.engine.design_reference import reference_design
    except ImportError:
        return "no step-by-step chain in this tree"
    x = inputs(n, seed=3)
    d = DesignInputs(rented=True, ops_usd_month=0.0, **{k: x[k] for k in FIELDS})
    a, b = design.selfhost_design(d, x["tokens_per_day"]), reference_design(d, x["tokens_per_day"])
    same = all(np.array_equal(np.asarray(getattr(a, f.name)), np.asarray(getattr(b, f.name)), equal_nan=True)
               for f in dataclasses.fields(a))
    return f"fused engine == step-by-step chain, bit for bit, on {n:,} scenarios: {same}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--scalar-n", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--baseline", help="src/ folder of a baseline checkout (e.g. main)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(measure(a.n, a.scalar_n, a.repeat)))
        return
    print(f"machine: {platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}, numpy {np.__version__}")
    print(check_identical())
    rows = {"this tree": measure(a.n, a.scalar_n, a.repeat)}
    if a.baseline:
        out = subprocess.run([sys.executable, __file__, "--child", "--n", str(a.n), "--scalar-n", str(a.scalar_n),
                              "--repeat", str(a.repeat)], env=baseline_env(a.baseline), capture_output=True, text=True,
                             check=True).stdout
        rows["baseline"] = json.loads(out.strip().splitlines()[-1])
    for k, r in rows.items():
        print(f"{k:10s}: engine one call {r['one_call']:,.0f}/s, {CHUNK:,}-scenario chunks {r['chunked']:,.0f}/s, "
              f"scalar reference {r['scalar']:,.0f}/s -> ratio {r['chunked'] / r['scalar']:,.0f}x "
              f"(one call {r['one_call'] / r['scalar']:,.0f}x)")
    print("goal: ratio >= 150x")


if __name__ == "__main__":
    main()
