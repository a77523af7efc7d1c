"""The JSON contract (docs/json.md): a snapshot of every command's JSON shape — keys and value types.

Values move with the catalog; the shape may only grow. A missing snapshot fails (OVC_UPDATE_GOLDEN=1
writes it), so a new command or field is a reviewed change.
"""

import json
import os

import pytest

NO_STALE = ["--max-age-days", "100000"]
SNAP = os.path.join(os.path.dirname(__file__), "golden", "json")

COMMANDS = {
    "breakeven": ["breakeven", "-t", "5e8", "-g", "2x4090", "--json", *NO_STALE],
    "breakeven-horizon": ["breakeven", "-t", "5e8", "-g", "2x4090", "-a", "openai/gpt-6-luna", "--monte-carlo", "200",
                          "--sensitivity", "--format", "json", *NO_STALE],
    "fit": ["fit", "-m", "llama-3.1-8b", "-g", "4090", "--json"],
    "recommend": ["recommend", "examples/portfolio.yaml", "--json", *NO_STALE],
    "check": ["check", "examples/ci-workloads.yaml", "--format", "json", *NO_STALE],
    "catalog-apis": ["catalog", "apis", "--json"],
    "catalog-gpus": ["catalog", "gpus", "--json"],
    "catalog-models": ["catalog", "models", "--json"],
    "usage-summarize": ["usage", "summarize", "tests/fixtures/usage/generic.csv", "--json"],
    "usage-reprice": ["usage", "reprice", "tests/fixtures/usage/openai_usage.csv", "--json", *NO_STALE],
    "sweep": ["sweep", "-t", "1e6:1e9:5", "-g", "2x4090", "-m", "llama-3.1-8b", "--json"],
    "calibrate": ["calibrate", "tests/fixtures/bench/published/vllm/nerdalert_H100_llama31_8b_rate_sweep.jsonl",
                  "--gpu", "1xh100", "--json"],
}


def shape(v):
    """Keys and type names; lists by the union of their elements' shapes; numbers are 'number'."""
    if isinstance(v, dict):
        return {k: shape(x) for k, x in sorted(v.items())}
    if isinstance(v, list):
        merged: dict = {}
        kinds = set()
        for x in v:
            s = shape(x)
            if isinstance(s, dict):
                merged.update(s)
            else:
                kinds.add(s if isinstance(s, str) else json.dumps(s, sort_keys=True))  # e.g. [lo, hi] pairs
        return [merged] if merged else sorted(kinds)
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if v is None:
        return "null"
    return "string"


def _relax(s):
    """'null' and 'number' are one family (never/unknown is null), so a value becoming null is not a change."""
    if isinstance(s, dict):
        return {k: _relax(x) for k, x in s.items()}
    if isinstance(s, list):
        return [_relax(x) for x in s]
    return "number|null" if s in ("number", "null") else s


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_json_shape_snapshot(run, name):
    r = run(*COMMANDS[name])
    assert r.exit_code in (0, 1), r.stderr
    got = shape(json.loads(r.stdout))
    path = os.path.join(SNAP, f"{name}.json")
    if os.environ.get("OVC_UPDATE_GOLDEN") == "1":
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(got, fh, indent=1, sort_keys=True)
            fh.write("\n")
    assert os.path.exists(path), f"JSON snapshot tests/golden/json/{name}.json missing (OVC_UPDATE_GOLDEN=1 writes it)"
    with open(path, encoding="utf-8") as fh:
        want = json.load(fh)
    assert _relax(got) == _relax(want), f"the JSON shape of `ovc {' '.join(COMMANDS[name])}` changed"


@pytest.mark.parametrize("name", ["breakeven", "recommend", "check", "usage-reprice", "sweep", "fit"])
def test_schema_version_and_findings(run, name):
    d = json.loads(run(*COMMANDS[name]).stdout)
    assert d["schema_version"] == 2
    if name in ("breakeven", "check", "usage-reprice", "fit", "recommend"):
        for f in d["findings"]:
            assert set(f) == {"code", "severity", "ids", "message"}
