"""A 1e8-scenario `ovc sweep` (time and peak RSS), and 100k-draw Monte Carlo timing.

Run on demand (never part of `pytest`):  python benchmarks/bench_sweep.py [--points 1000000]
The sweep runs as a subprocess (`ovc sweep ... -o FILE.csv`) so its peak RSS is measured alone
(``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``): 5 specs x 1 model x 2 precisions x 10 APIs
x 1,000,000 log-spaced volumes = 1e8 scenarios.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

APIS = ["openai/gpt-6-luna", "openai/gpt-6-astra", "anthropic/claude-haiku-5-5", "anthropic/claude-mythos-5-1",
        "google/gemini-3.5-flash-lite", "google/gemini-3.1-pro-preview", "deepinfra/llama-3.1-8b"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=1_000_000, help="volumes per design x API")
    ap.add_argument("--mc-repeat", type=int, default=5)
    a = ap.parse_args()
    ovc = str(Path(sys.executable).with_name("ovc"))
    from openvclosed.catalog import load_catalog

    cat = load_catalog([], include_env=False)
    apis = [x for x in APIS if x in cat.apis]
    apis += [x for x in sorted(cat.apis) if x not in apis][: 10 - len(apis)]
    specs = "2x4090,4090,h100,2xh100,8xh100"
    n = 5 * 2 * len(apis) * a.points
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "frontier.csv"
        cmd = [ovc, "sweep", "-t", f"1e5:1e11:{a.points}", "-g", specs, "-m", "llama-3.1-8b", "-q", "fp16,int4",
               "--api", ",".join(apis), "-o", str(out)]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        wall = time.perf_counter() - t
        rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
        rows = sum(1 for _ in out.open()) - 1
    print(f"machine: {platform.machine()} {platform.python_version()} numpy {np.__version__}")
    print(f"sweep: {n:,} scenarios ({rows} frontier rows) in {wall:.2f} s wall (CLI, start-up and catalog included) "
          f"= {n / wall / 1e6:.1f}M scenarios/s; peak RSS {rss_mb:.0f} MB (target < 500 MB)")

    from openvclosed.engine.design import DesignInputs
    from openvclosed.engine.horizon import HorizonInputs
    from openvclosed.engine.montecarlo import monte_carlo_breakeven

    x = DesignInputs(params_b=8.03, active_params_b=8.03, kv_elements_per_seq=131072 * 4096, n_gpus=2, vram_gib=24,
                     bandwidth_gb_s=1008, tflops=165.2, gpu_tdp_w=450, gpu_usd=1599, input_share=0.75)
    base = HorizonInputs(x, 5e8, horizon_months=36)
    monte_carlo_breakeven(base, 1.0, n=1000)
    ts = []
    for i in range(a.mc_repeat):
        t = time.perf_counter()
        monte_carlo_breakeven(base, 1.0, n=100_000, seed=i)
        ts.append(time.perf_counter() - t)
    print(f"monte carlo: 100,000 draws x 36 months, one scenario: {statistics.median(ts) * 1e3:.0f} ms "
          f"(median of {a.mc_repeat})")


if __name__ == "__main__":
    main()
