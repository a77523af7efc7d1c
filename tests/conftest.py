import importlib.util
import os
import sys

import pytest
from typer.testing import CliRunner

import typer.testing

from openvclosed.cli import main

GOLDEN_DIR = os.path.join(os.path.dirname(__file__), "golden")


@pytest.fixture(scope="session")
def _cache_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("ovc-cache"))


@pytest.fixture(autouse=True)
def _isolate(monkeypatch, _cache_dir):
    """No user catalogs from the environment; a fixed terminal width for stable tables; the
    catalog cache (openvclosed.catalog.cache) in a temporary folder, never the user's."""
    monkeypatch.delenv("OVC_CATALOG", raising=False)
    monkeypatch.delenv("OVC_NO_CACHE", raising=False)
    monkeypatch.setenv("OVC_CACHE_DIR", _cache_dir)
    monkeypatch.setenv("OVC_DEBUG", "1")  # a bug raises in tests instead of becoming one line
    monkeypatch.setenv("COLUMNS", "150")


class _Entry:
    """The real entry point (``openvclosed.cli.main``: the one error boundary) in CliRunner's shape."""

    name = "ovc"

    def main(self, args=(), prog_name=None, **extra):
        return main(list(args))


@pytest.fixture
def run(monkeypatch):
    """Run ``ovc ARGS`` through ``main()`` (as the installed command does), capturing stdout and stderr."""
    monkeypatch.setattr(typer.testing, "_get_command", lambda app: _Entry())
    runner = CliRunner()

    def _run(*args, **kw):
        return runner.invoke(None, list(args), catch_exceptions=False, **kw)

    return _run


def check_golden(name: str, text: str) -> None:
    """Compare with tests/golden/NAME; OVC_UPDATE_GOLDEN=1 rewrites it."""
    path = os.path.join(GOLDEN_DIR, name)
    if not os.path.exists(path) and os.environ.get("OVC_UPDATE_GOLDEN") != "1":
        raise AssertionError(f"golden file tests/golden/{name} missing (OVC_UPDATE_GOLDEN=1 writes it)")
    if os.environ.get("OVC_UPDATE_GOLDEN") == "1":
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    with open(path, encoding="utf-8") as fh:
        assert text == fh.read(), f"output differs from tests/golden/{name} (OVC_UPDATE_GOLDEN=1 to accept)"


@pytest.fixture
def golden():
    return check_golden


def _load_module(path, name):
    """Import a script (scripts/, benchmarks/) by path, registered under ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def load_module():
    return _load_module
