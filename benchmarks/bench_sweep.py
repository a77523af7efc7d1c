"""`ovc sweep` over 1e8 and 1e9 scenarios: wall time and peak RSS, this tree next to a baseline tree.

Run on demand (never part of `pytest`)::

    python benchmarks/bench_sweep.py --baseline /tmp/ovc-main/src [--runs 5] [--points 1000000,10000000]

5 specs x llama-3.1-8b x 2 precisions x 10 APIs x POINTS log-spaced volumes (1e6 points = 1e8
scenarios, 1e7 = 1e9), ``-o frontier.csv``; each child's own peak RSS (``os.wait4``). Runs are
interleaved (this, baseline, this, ...); the frontier files of both trees are compared.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import platform
import sys
import tempfile
from pathlib import Path

from _timing import baseline_env, side_by_side

APIS = ["openai/gpt-6-luna", "openai/gpt-6-astra", "anthropic/claude-haiku-5-5", "anthropic/claude-mythos-5-1",
        "google/gemini-3.5-flash-lite", "google/gemini-3.1-pro-preview", "anthropic/claude-sonnet-5-5",
        "google/gemini-3.8-flash", "openai/gpt-6.1-terra", "xai/grok-4.7"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", help="src/ folder of a baseline checkout (e.g. main)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--points", default="1000000,10000000", help="volumes per design x API, comma list")
    a = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"medians of {a.runs} interleaved runs")
    with tempfile.TemporaryDirectory() as d:
        for pts in (int(float(x)) for x in a.points.split(",")):
            n = 5 * 2 * len(APIS) * pts
            cmds, files = {}, {}
            for k, env in (("this tree", None), ("baseline", baseline_env(a.baseline) if a.baseline else None)):
                if k == "baseline" and not a.baseline:
                    continue
                files[k] = Path(d) / f"{k.replace(' ', '_')}_{pts}.csv"
                cmds[k] = ([sys.executable, "-m", "openvclosed", "sweep", "-t", f"1e5:1e11:{pts}", "-g",
                            "2x4090,4090,h100,2xh100,8xh100", "-m", "llama-3.1-8b", "-q", "fp16,int4", "--api",
                            ",".join(APIS), "-o", str(files[k]), "--force", "--max-scenarios", str(n)], env)
            r = side_by_side(cmds, a.runs)
            for k, v in r.items():
                print(f"  {n:.0e} scenarios  {k:10s} {v['wall']:7.2f} s ({n / v['wall'] / 1e6:6.1f}M/s)   "
                      f"peak RSS {v['rss']:5.0f} MiB")
            if "baseline" in r:
                print(f"  {n:.0e}: time ratio this / baseline {r['this tree']['wall'] / r['baseline']['wall']:.2f}x; "
                      f"same frontier file: {filecmp.cmp(files['this tree'], files['baseline'], shallow=False)}")


if __name__ == "__main__":
    main()
