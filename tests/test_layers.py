"""The package's layers hold (issue 20): the import-linter contracts in pyproject.toml are checked here,
so an upward import, a command importing another command or an import cycle fails the suite."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports() -> list[str]:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    if not Path(exe).exists():
        pytest.fail("lint-imports (import-linter, in the test extra) is not installed")
    return [exe, str(ROOT / "pyproject.toml")]


def test_import_contracts_hold():
    r = subprocess.run(_lint_imports(), cwd=ROOT / "src", capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "3 kept, 0 broken" in r.stdout


def test_the_contract_catches_an_upward_import(tmp_path):
    """A copy of the package where the engine imports a command must break the layers contract."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "openvclosed", src / "openvclosed",
                    ignore=shutil.ignore_patterns("__pycache__", "*.j2", "*.css"))
    bad = src / "openvclosed" / "engine" / "upward.py"
    bad.write_text("from openvclosed.commands import options  # noqa: F401\n")
    r = subprocess.run(_lint_imports(), cwd=src, capture_output=True, text=True, timeout=300,
                       env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"})
    assert r.returncode != 0
    assert "layers BROKEN" in r.stdout and "openvclosed.engine.upward" in r.stdout


def test_no_module_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "src" / "openvclosed").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, f"split these by concept: {long}"
