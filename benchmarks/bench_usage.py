"""`ovc usage summarize` on a generated CSV: wall time and peak memory of the columnar reader
(pyarrow), of the Python reader (``OVC_USAGE_READER=python``) and of a baseline tree, in one run.

Run on demand (never part of `pytest`)::

    python benchmarks/bench_usage.py --rows 2000000 --baseline /tmp/ovc-main/src [--runs 5] [--keep]

Writes /tmp/ovc_usage_<rows>.csv (about 60 bytes a row; reused if present), then runs
`ovc usage summarize FILE --json` in fresh processes, interleaved, and reports medians of wall time
and of each process's own peak RSS (``os.wait4``), and whether every variant printed the same JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _timing import baseline_env, side_by_side  # benchmarks/_timing.py

MODELS = ["gpt-6.1-sol", "gpt-6-luna", "claude-sonnet-5-5", "together_ai/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo",
          "acme-finetune-v2"]


def generate(path: Path, rows: int, seed: int = 0, chunk: int = 500_000) -> None:
    """Requests over 30 days with a daily cycle; mixed timestamp styles (Z, +02:00, naive)."""
    g = np.random.default_rng(seed)
    start = 1767225600  # 2026-01-01T00:00:00Z
    span = 30 * 86400
    tmp = path.with_suffix(".part")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write("timestamp,model,input_tokens,output_tokens,cached_input_tokens\n")
        done = 0
        while done < rows:
            n = min(chunk, rows - done)
            # daily cycle: accept-reject on a sinusoid peaking at 15:00 UTC
            ts = np.sort(start + g.uniform(0, span, 3 * n))
            keep = g.uniform(0, 1, len(ts)) < 0.5 + 0.45 * np.sin((ts % 86400) / 86400 * 2 * np.pi - 1.3)
            ts = ts[keep]
            ts = ts[np.sort(g.choice(len(ts), n, replace=False))] if len(ts) >= n else \
                np.sort(np.concatenate([ts, start + g.uniform(0, span, n - len(ts))]))
            ts = ts.astype(np.int64)
            inp = g.integers(50, 8000, n)
            out = g.integers(10, 1500, n)
            cached = (inp * g.uniform(0, 0.6, n)).astype(np.int64)
            model = g.integers(0, len(MODELS), n)
            iso = np.datetime_as_string(ts.astype("datetime64[s]"), unit="s")
            style = g.integers(0, 3, n)
            lines = []
            for t, s, m, i, o, c in zip(iso.tolist(), style.tolist(), model.tolist(), inp.tolist(), out.tolist(),
                                        cached.tolist()):
                if s == 0:
                    stamp = t + "Z"
                elif s == 1:  # same instant written in UTC+02:00
                    h = int(t[11:13]) + 2
                    stamp = t + "Z" if h >= 24 else f"{t[:11]}{h:02d}{t[13:]}+02:00"
                else:
                    stamp = t.replace("T", " ")
                lines.append(f"{stamp},{MODELS[m]},{i},{o},{c}\n")
            fh.writelines(lines)
            done += n
            print(f"  generated {done:,} rows", file=sys.stderr, end="\r")
    os.replace(tmp, path)
    print(file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--baseline", help="src/ folder of a baseline checkout (e.g. main)")
    ap.add_argument("--keep", action="store_true", help="keep the generated CSV")
    args = ap.parse_args()
    path = Path(f"/tmp/ovc_usage_{args.rows}.csv")
    if not path.exists():
        t = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {path} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    size = path.stat().st_size
    cmd = [sys.executable, "-m", "openvclosed", "usage", "summarize", str(path), "--json"]
    py_env = dict(os.environ, OVC_USAGE_READER="python")
    cmds = {"columnar": (cmd, None), "python reader": (cmd, py_env)}
    if args.baseline:
        cmds["baseline"] = (cmd, baseline_env(args.baseline))
    outs = {k: subprocess.run(c, env=e, capture_output=True, text=True).stdout for k, (c, e) in cmds.items()}
    r = side_by_side(cmds, args.runs)
    d = json.loads(outs["columnar"])
    rows = d["files"][0]["good_rows"]
    print(f"machine          {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"numpy {np.__version__}")
    print(f"file             {path} {size / 1e6:,.0f} MB, {rows:,} rows ({d['files'][0]['bad_rows']} bad); "
          f"medians of {args.runs} interleaved runs")
    for k, v in r.items():
        print(f"  {k:14s} {v['wall']:6.2f} s ({rows / v['wall'] / 1e6:5.2f} M rows/s)   peak RSS {v['rss']:5.0f} MiB")
    print(f"same JSON from every variant: {len(set(outs.values())) == 1}")
    if args.baseline:
        print(f"columnar / baseline: {r['columnar']['wall'] / r['baseline']['wall']:.2f}x (goal <= 0.2x, i.e. >= 5x "
              f"faster); peak RSS {r['columnar']['rss']:.0f} MiB (goal <= 400 MiB)")
    if not args.keep:
        path.unlink()


if __name__ == "__main__":
    main()
