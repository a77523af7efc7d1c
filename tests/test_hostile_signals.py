"""Hostile input, third round (issue 28), part 2b: signals and write errors, through the installed
command (the entry point, signal delivery and resource limits are what is tested).

- SIGINT, SIGTERM and SIGHUP from the first instruction: one line and 128 + N, never a traceback;
  SIGTERM/SIGHUP during ``sweep --full`` remove the temporary file like Ctrl-C;
- every write error (EFBIG through the file-size limit, as ENOSPC would) names the target.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile_common import H, HEAD, NO_STALE, ROWS, assert_clean  # noqa: E402,F401


def _proc(p) -> H._Fake:
    return H._Fake(p.returncode, p.stdout, p.stderr)


def _run(args, cwd, timeout=120, **kw):
    return subprocess.run([*H._ovc(), *args], cwd=cwd, env=H._env(), capture_output=True, text=True,
                          timeout=timeout, **kw)


# --------------------------------------------------------------------------------------------
# signals

def _sig_caught(pid: int, sig: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    except OSError:
        pass
    return False


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_installed_signal_while_importing(tmp_path, sig, code):
    """The signal as soon as ovc's own handler is in place (SIGTERM caught: Python alone does not),
    that is while the modules load: one line and 128 + N, never a traceback."""
    p = subprocess.Popen([*H._ovc(), "breakeven", "-t", "5e8"], cwd=tmp_path, env=H._env(), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while time.time() < deadline and not _sig_caught(p.pid, signal.SIGTERM) and p.poll() is None:
        time.sleep(0.001)
    p.send_signal(sig)
    out, err = p.communicate(timeout=60)
    assert p.returncode == code, (p.returncode, err)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("ovc: error: ")


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_installed_term_leaves_old_file(tmp_path, sig, code):
    (tmp_path / "full.csv").write_text("old\n")
    p = subprocess.Popen([*H._ovc(), "sweep", "-t", "1e6:1e10:30000000", "--max-scenarios", "10000000000",
                          "--full", "full.csv", "--force"], cwd=tmp_path, env=H._env(), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and not [x for x in os.listdir(tmp_path) if x.endswith(".tmp")]:
        time.sleep(0.05)
    time.sleep(0.3)
    p.send_signal(sig)
    out, err = p.communicate(timeout=60)
    assert p.returncode == code, (p.returncode, err)
    assert "terminated" in err and "Traceback" not in err
    assert (tmp_path / "full.csv").read_text() == "old\n"
    assert os.listdir(tmp_path) == ["full.csv"]


# --------------------------------------------------------------------------------------------
# write errors name the target (EFBIG through the file-size limit, as ENOSPC would)

WRITES = [
    (["init", "o.yaml"], "o.yaml"),
    (["usage", "to-workload", "u.csv", "-o", "o.yaml"], "o.yaml"),
    (["catalog", "import-litellm", "l.json", "--write", "o.yaml"], "o.yaml"),
    (["sweep", "-t", "1e6:1e9:300", "-o", "o.csv"], "o.csv"),
    (["sweep", "-t", "1e6:1e9:300", "--full", "o.csv"], "o.csv"),
    (["check", "w.yaml", "--write-baseline", "o.json", *NO_STALE], "o.json"),
    (["plot", "cost", "-g", "2x4090", "-t", "5e8", "-o", "o.png"], "o.png"),
    (["plot", "cost", "-g", "2x4090", "-t", "5e8", "-o", "o.svg"], "o.svg"),
    (["report", "w.yaml", "-o", "o.html", *NO_STALE], "o.html"),
    (["recommend", "w.yaml", "--format", "html", "-o", "o.html", *NO_STALE], "o.html"),
    (["check", "w.yaml", "--format", "html", "-o", "o.html", *NO_STALE], "o.html"),
    (["breakeven", "-t", "5e8", "--format", "html", "-o", "o.html"], "o.html"),
    (["emit", "litellm", "w.yaml", "-o", "o.yaml", *NO_STALE], "o.yaml"),
    (["catalog", "template", "-o", "o.yaml"], "o.yaml"),
]


def _limit_file_size():
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
@pytest.mark.parametrize("args,target", WRITES, ids=[" ".join(a[:2]) + " " + t for a, t in WRITES])
def test_installed_write_error_names_the_target(tmp_path, args, target):
    if args[0] in ("plot", "report"):
        pytest.importorskip("matplotlib")
        pytest.importorskip("jinja2")
    H.make_files(tmp_path, {"u.csv": HEAD + ROWS, "w.yaml": H.workload_yaml(),
                            "l.json": H.litellm(**{"gpt-6-astra": {"input_cost_per_token": 2e-5,
                                                                 "output_cost_per_token": 6e-5}})})
    before = set(os.listdir(tmp_path))
    p = _run(args, tmp_path, preexec_fn=_limit_file_size)
    assert_clean(_proc(p), 2, target)
    assert "cannot write" in p.stderr
    assert set(os.listdir(tmp_path)) == before  # nothing left behind
