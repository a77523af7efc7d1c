"""Start-up: `ovc breakeven --tokens 5e8 --gpu 2x4090` against the import floor of its dependencies
and against `import litellm`, this tree next to a baseline tree, all in one interleaved run.

Run on demand (never part of `pytest`)::

    git worktree add /tmp/ovc-main main        # or: git archive <commit> | tar -x -C /tmp/ovc-main
    python benchmarks/bench_startup.py --baseline /tmp/ovc-main/src [--runs 15]

Each command runs ``--runs`` times, interleaved; figures are medians and ratios of medians from this
one run. ``import litellm`` is timed when LiteLLM is importable (pip install litellm into a benchmark
venv only: it is never a dependency). Also checks that ``--version``, ``--help`` and an error path
import neither numpy nor the engine.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import subprocess
import sys

from _timing import baseline_env, side_by_side

FLOOR = "import numpy, yaml, pydantic, typer, rich.table"
ARGS = ["breakeven", "--tokens", "5e8", "--gpu", "2x4090"]


def imports_of(args: list[str]) -> dict[str, bool]:
    code = ("import sys, io, contextlib\nfrom openvclosed.cli import main\nsys.argv = ['ovc'] + sys.argv[1:]\n"
            "try:\n    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):"
            " main()\nexcept SystemExit:\n    pass\n"
            "print(int('numpy' in sys.modules), int(any(m.startswith('openvclosed.engine.') and m != 'openvclosed.engine.defaults' for m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True).stdout.split()
    return {"numpy": out[0] == "1", "engine": out[1] == "1"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", help="src/ folder of a baseline checkout (e.g. main)")
    ap.add_argument("--runs", type=int, default=15)
    a = ap.parse_args()
    py = sys.executable
    env = dict(os.environ)
    env.pop("OPENBLAS_NUM_THREADS", None)
    # an installed ovc runs from .pyc files like its dependencies; without them every run recompiles ~50 modules
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmds = {"floor": ([py, "-c", FLOOR], env), "ovc": ([py, "-m", "openvclosed", *ARGS], env)}
    if a.baseline:
        benv = baseline_env(a.baseline)
        benv.pop("PYTHONDONTWRITEBYTECODE", None)  # side by side on the same terms as ovc above
        cmds["baseline ovc"] = ([py, "-m", "openvclosed", *ARGS], benv)
    if importlib.util.find_spec("litellm"):
        cmds["import litellm"] = ([py, "-c", "import litellm"], env)
    for cmd, e in cmds.values():  # warm the file cache and ovc's catalog cache
        subprocess.run(cmd, env=e, capture_output=True)
    r = side_by_side(cmds, a.runs)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"medians of {a.runs} interleaved runs")
    for k, v in r.items():
        print(f"  {k:16s} {v['wall'] * 1e3:7.0f} ms   peak RSS {v['rss']:5.0f} MiB")
    f = r["floor"]["wall"]
    print(f"ovc breakeven / import floor: {r['ovc']['wall'] / f:.2f}x (goal <= 1.3x)", end="")
    if "baseline ovc" in r:
        print(f"; baseline {r['baseline ovc']['wall'] / f:.2f}x", end="")
    print()
    if "import litellm" in r:
        lt = r["import litellm"]["wall"]
        print(f"ovc breakeven / import litellm: {r['ovc']['wall'] / lt:.3f}x (goal <= 0.08x)", end="")
        if "baseline ovc" in r:
            print(f"; baseline {r['baseline ovc']['wall'] / lt:.3f}x", end="")
        print()
    for args in (["--version"], ["--help"], ["breakeven", "--gpu", "nonsense"], ["breakeven", "--tokens", "lots"],
                 ["fit", "--unknown-flag"]):
        print(f"  ovc {' '.join(args):32s} imports numpy: {imports_of(args)['numpy']}, engine: "
              f"{imports_of(args)['engine']}")


if __name__ == "__main__":
    main()
