"""`ovc breakeven --tokens 5e8 --gpu 2x4090 --monte-carlo 100000 --sensitivity` (default APIs):
wall time and peak RSS, this tree next to a baseline tree, interleaved in one run.

Run on demand (never part of `pytest`)::

    python benchmarks/bench_montecarlo.py --baseline /tmp/ovc-main/src [--runs 5]

Also checks that both trees print the same report.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys

from _timing import baseline_env, side_by_side

ARGS = ["breakeven", "--tokens", "5e8", "--gpu", "2x4090", "--monte-carlo", "100000", "--sensitivity"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", help="src/ folder of a baseline checkout (e.g. main)")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    cmd = [sys.executable, "-m", "openvclosed", *ARGS]
    cmds = {"this tree": (cmd, None)}
    if a.baseline:
        cmds["baseline"] = (cmd, baseline_env(a.baseline))
    outs = {k: subprocess.run(c, env=e, capture_output=True, text=True).stdout for k, (c, e) in cmds.items()}
    r = side_by_side(cmds, a.runs)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"medians of {a.runs} interleaved runs of `ovc {' '.join(ARGS)}`")
    for k, v in r.items():
        print(f"  {k:10s} {v['wall']:6.2f} s   peak RSS {v['rss']:5.0f} MiB")
    if a.baseline:
        print(f"time ratio this / baseline: {r['this tree']['wall'] / r['baseline']['wall']:.2f}x (goal <= 0.5x); "
              f"peak RSS {r['this tree']['rss']:.0f} MiB (goal <= 120 MiB); same report: "
              f"{outs['this tree'] == outs['baseline']}")


if __name__ == "__main__":
    main()
