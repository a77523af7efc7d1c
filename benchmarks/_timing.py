"""Shared by the benchmark scripts: medians of repeated timings (machines here are noisy), and
child processes timed with their own peak RSS."""

import os
import statistics
import subprocess
import time


def median_time(fn, repeat: int) -> float:
    """Median wall time of ``repeat`` calls of ``fn`` [s]."""
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def run_child(cmd: list[str], env: dict | None = None, check: bool = True) -> tuple[float, float]:
    """(wall time [s], peak RSS [MiB]) of one run of ``cmd`` (its own rusage, from ``os.wait4``)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {err.decode(errors='replace')[-500:]}")
    return wall, ru.ru_maxrss / 1024  # Linux: KiB


def side_by_side(cmds: dict[str, tuple[list[str], dict | None]], runs: int) -> dict[str, dict[str, float]]:
    """Run every command ``runs`` times, interleaved (a, b, c, a, b, c, ...), so load on a shared
    machine hits them alike; medians of wall time and of peak RSS per command."""
    out = {k: ([], []) for k in cmds}
    for _ in range(runs):
        for k, (cmd, env) in cmds.items():
            w, m = run_child(cmd, env)
            out[k][0].append(w)
            out[k][1].append(m)
    return {k: {"wall": statistics.median(w), "rss": statistics.median(m), "walls": w} for k, (w, m) in out.items()}


def baseline_env(src: str | None) -> dict | None:
    """Environment that runs a baseline checkout's ``src`` (``git worktree add /tmp/ovc-main main``)
    with this interpreter: PYTHONPATH first, so it wins over the installed tree."""
    if not src:
        return None
    env = dict(os.environ)
    env["PYTHONPATH"] = src
    return env
