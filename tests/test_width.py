"""Readable at 80 columns (issue 15): at 80 and 120 columns every line of breakeven, recommend,
fit, catalog, check and usage output fits, and the figures and ids from the JSON appear unbroken."""

import json
from pathlib import Path

import pytest
from rich.cells import cell_len

from openvclosed.report.text import fmt_tokens, usd

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures"
NO_STALE = ["--max-age-days", "100000"]
WIDTHS = [80, 120]


def _fits(text: str, width: int) -> None:
    for line in text.splitlines():
        assert cell_len(line.rstrip()) <= width, f"{cell_len(line.rstrip())} > {width}: {line!r}"


def _both(run, monkeypatch, width, *args, extra=()):
    """The table (stale-price warnings on: their stderr lines must fit too) and the JSON."""
    monkeypatch.setenv("COLUMNS", str(width))
    t = run(*args)
    assert t.exit_code in (0, 1), t.output
    j = run(*args, "--json", *extra)
    assert j.exit_code in (0, 1), j.output
    _fits(t.stdout, width)
    _fits("\n".join(x for x in t.stderr.splitlines()), width)
    return t.stdout, json.loads(j.stdout)


def _unbroken(text: str, figures) -> None:
    lines = text.splitlines()
    for f in figures:
        assert any(f in line for line in lines), f"{f!r} not found whole on one line"


@pytest.mark.parametrize("width", WIDTHS)
def test_breakeven(run, monkeypatch, width):
    text, d = _both(run, monkeypatch, width, "breakeven", "--tokens", "5e8", "--gpu", "2x4090",
                    extra=NO_STALE)
    s = d["selfhost"]
    figs = [usd(s["usd_per_month"]), s["model"], fmt_tokens(d["tokens_per_day"])]
    for a in d["apis"]:
        figs += [a["api"], usd(a["usd_per_month"])]
        if a["breakeven_tokens_per_day"]:
            figs.append(fmt_tokens(a["breakeven_tokens_per_day"]))
    _unbroken(text, figs)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("example", ["hospital-regulated", "coding-assistant", "portfolio"])
def test_recommend(run, monkeypatch, width, example):
    text, d = _both(run, monkeypatch, width, "recommend", str(ROOT / "examples" / f"{example}.yaml"),
                    extra=NO_STALE)
    for w in d["workloads"]:
        rec = w["recommendation"]["option"]
        figs = [w["name"]]
        if rec:
            figs += [usd(rec["usd_per_month"]), usd(rec["horizon_usd"])]
            if rec.get("capex_usd"):
                figs.append(usd(rec["capex_usd"]))
        for o in w["options"]:
            if o["feasible"]:
                figs.append(usd(o["usd_per_month"]))
                break
        _unbroken(text, figs)


@pytest.mark.parametrize("width", WIDTHS)
def test_fit(run, monkeypatch, width):
    text, d = _both(run, monkeypatch, width, "fit", "--model", "llama-3.3-70b", "--gpu", "4090")
    _unbroken(text, [f"{r['weights_gb']:.1f}" for r in d["rows"]] + [f"{r['max_concurrent_seqs']:.0f}" for r in d["rows"]])


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", ["apis", "gpus", "models"])
def test_catalog(run, monkeypatch, width, kind):
    text, d = _both(run, monkeypatch, width, "catalog", kind, extra=NO_STALE)
    figs = []
    for e in d[kind]:
        figs.append(e["id"])
        if kind == "apis":
            figs += [f"{e['input_usd_per_mtok']:g}", f"{e['output_usd_per_mtok']:g}"]
        elif kind == "gpus":
            figs.append(f"{e['memory_gib']:g}")
        else:
            figs.append(f"{e['params_b']:g}")
    _unbroken(text, figs)


@pytest.mark.parametrize("width", WIDTHS)
def test_check(run, monkeypatch, width):
    text, d = _both(run, monkeypatch, width, "check", str(ROOT / "examples" / "ci-workloads.yaml"),
                    "--baseline", str(ROOT / "examples" / "ci-baseline.json"), extra=NO_STALE)
    figs = [usd(d["total_usd_per_month"])]
    for w in d["workloads"]:
        figs += [w["name"], usd(w["usd_per_month"])]
    _unbroken(text, figs)


@pytest.mark.parametrize("width", WIDTHS)
def test_usage(run, monkeypatch, width):
    text, d = _both(run, monkeypatch, width, "usage", "summarize", str(FIX / "usage" / "generic.csv"))
    _unbroken(text, [m["model"] for m in d["models"]] + [fmt_tokens(d["total"]["tokens_per_day"])])
    text, d = _both(run, monkeypatch, width, "usage", "reprice", str(FIX / "usage" / "openai_usage.csv"),
                    "--gpu", "2x4090", "--gpu", "1xh100", "--rent", extra=NO_STALE)
    from openvclosed.report.usage import _usd

    _unbroken(text, [o["option"] for o in d["options"]]
              + [_usd(o["usd_per_month"]) for o in d["options"] if o["usd_per_month"] is not None])


@pytest.mark.parametrize("width", WIDTHS)
def test_sweep(run, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    r = run("sweep", "-t", "1e6:1e10:20", "-g", "2x4090,h100", "-m", "llama-3.1-8b,qwen2.5-32b")
    assert r.exit_code == 0
    _fits(r.stdout, width)
    assert "…" not in r.stdout  # nothing cut with an ellipsis (fp16 and fp8 no longer both 'f…')


def test_width_from_environment_and_pipe(monkeypatch):
    from openvclosed.report.text import PIPED_WIDTH, terminal_width

    monkeypatch.setenv("COLUMNS", "93")
    assert terminal_width() == 93
    monkeypatch.setenv("COLUMNS", "junk")
    assert terminal_width() == PIPED_WIDTH == 100  # not a terminal under pytest, no usable COLUMNS
    monkeypatch.delenv("COLUMNS")
    assert terminal_width() == 100
