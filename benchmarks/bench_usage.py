"""`ovc usage summarize` on a generated 10-million-row CSV: wall time and peak memory.

Run on demand (never part of `pytest`):  python benchmarks/bench_usage.py [--rows 10000000] [--keep]
Writes /tmp/ovc_usage_<rows>.csv (about 70 bytes a row; reused if present), then runs
`ovc usage summarize FILE --json` in a fresh process and reports wall time and that process's
peak RSS (resource.getrusage(RUSAGE_CHILDREN).ru_maxrss), next to the file size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

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
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--keep", action="store_true", help="keep the generated CSV")
    args = ap.parse_args()
    path = Path(f"/tmp/ovc_usage_{args.rows}.csv")
    if not path.exists():
        t = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {path} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    size = path.stat().st_size
    cmd = [sys.executable, "-m", "openvclosed", "usage", "summarize", str(path), "--json"]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
    if proc.returncode != 0:
        sys.exit(f"ovc failed ({proc.returncode}): {proc.stderr[-2000:]}")
    d = json.loads(proc.stdout)
    rows = d["files"][0]["good_rows"]
    print(f"machine          {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"numpy {np.__version__}")
    print(f"file             {path} {size / 1e6:,.0f} MB, {rows:,} rows ({d['files'][0]['bad_rows']} bad)")
    print(f"wall time        {wall:.1f} s ({rows / wall / 1e6:.2f} M rows/s, {size / wall / 1e6:.0f} MB/s)")
    print(f"peak RSS         {peak_mib:,.0f} MiB (whole `ovc` process)")
    print(f"window           {d['window']['start']} .. {d['window']['end']} ({d['window']['days']:.2f} days); "
          f"total {d['total']['tokens_per_day']:.4g} tokens/day, peak/mean {d['total']['peak_to_mean']:.2f}")
    if not args.keep:
        path.unlink()


if __name__ == "__main__":
    main()
