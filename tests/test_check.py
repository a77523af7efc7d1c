"""`ovc check` (exit codes, policy, baseline, formats, atomic write) and `import-litellm`."""

import json
import os
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CI_FILE = ROOT / "examples" / "ci-workloads.yaml"
FIX = Path(__file__).parent / "fixtures"
NO_STALE = ["--max-age-days", "100000"]


def workload_file(tmp_path, policy, name="w.yaml"):
    data = yaml.safe_load(CI_FILE.read_text())
    data["policy"] = policy
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data))
    return p


def test_pass_exit_0(run):
    r = run("check", str(CI_FILE), *NO_STALE)
    assert r.exit_code == 0, r.output
    assert "PASS" in r.stdout


def test_budget_fail_exit_1(run, tmp_path):
    p = workload_file(tmp_path, {"budget_usd_per_month": {"support-chat": 100, "total": 100000}})
    r = run("check", str(p), "--format", "json", *NO_STALE)
    assert r.exit_code == 1
    d = json.loads(r.stdout)
    assert not d["passed"]
    f = [x for x in d["findings"] if x["severity"] == "failure"]
    assert len(f) == 1 and f[0]["code"] == "budget" and f[0]["ids"] == ["support-chat"]
    assert "over by" in f[0]["message"]


def test_total_budget_from_flag(run):
    r = run("check", str(CI_FILE), "--budget", "10", "--format", "json", *NO_STALE)
    assert r.exit_code == 1
    assert any(f["code"] == "budget" and f["ids"] == [] for f in json.loads(r.stdout)["findings"])


@pytest.mark.parametrize("policy,check", [
    ({"required_deployment": {"internal": ["self-host"]}}, "required_deployment"),
    ({"max_usd_per_mtok": 0.01}, "max_usd_per_mtok"),
    ({"max_usd_per_mtok": {"claims-summaries": 0.01}}, "max_usd_per_mtok"),
    ({"disallowed_licences": ["Apache-2.0"]}, "disallowed_licences"),
    ({"max_price_age_days": 1}, "max_price_age_days"),
])
def test_policy_fail_exit_1(run, tmp_path, policy, check):
    p = workload_file(tmp_path, policy)
    r = run("check", str(p), "--format", "json", *NO_STALE)
    assert r.exit_code == 1, r.output
    assert check in {f["code"] for f in json.loads(r.stdout)["findings"] if f["severity"] == "failure"}


def test_max_payback_months(run, tmp_path):
    data = yaml.safe_load(CI_FILE.read_text())
    w = data["workloads"][1]
    w["sensitivity"] = "internal"
    w["candidates"] = {"apis": ["openai/gpt-6.1-sol"], "deployment": ["owned"]}
    w["capability"] = {"openai/gpt-6.1-sol": 40}  # unrated on v4.1: vouched for, so it is the API compared with
    data["policy"] = {"max_payback_months": 0.001}
    p = tmp_path / "pb.yaml"
    p.write_text(yaml.safe_dump(data))
    r = run("check", str(p), "--format", "json", *NO_STALE)
    d = json.loads(r.stdout)
    assert d["workloads"][1]["recommended_kind"] == "self-host"
    assert r.exit_code == 1
    assert [f["ids"] for f in d["findings"] if f["code"] == "max_payback_months"] == [["claims-summaries"]]
    data["policy"] = {"max_payback_months": 1000}
    p.write_text(yaml.safe_dump(data))
    assert run("check", str(p), *NO_STALE).exit_code == 0


def test_policy_file_replaces_inline_policy(run, tmp_path):
    pol = tmp_path / "policy.yaml"
    pol.write_text("policy:\n  budget_usd_per_month: {total: 1}\n")
    assert run("check", str(CI_FILE), "--policy", str(pol), *NO_STALE).exit_code == 1


@pytest.mark.parametrize("args,message", [
    (["check", "nope.yaml"], "no such file"),
    (["check", "CI", "--budget", "-5"], "--budget"),
    (["check", "CI", "--baseline", "missing.json"], "no such baseline"),
    (["check", "POLICY_BAD"], "policy.budget_usd_per_month"),
    (["check", "POLICY_UNKNOWN"], "policy.colour: unknown field"),
])
def test_bad_input_exit_2(run, tmp_path, args, message):
    bad = workload_file(tmp_path, {"budget_usd_per_month": {"total": "lots"}}, "bad.yaml")
    unk = workload_file(tmp_path, {"colour": "red"}, "unk.yaml")
    args = [str(CI_FILE) if a == "CI" else str(bad) if a == "POLICY_BAD" else str(unk) if a == "POLICY_UNKNOWN"
            else str(tmp_path / a) if a.endswith((".yaml", ".json")) else a for a in args]
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert message in r.stderr and "Traceback" not in r.output


def test_baseline_round_trip_and_diff(run, tmp_path):
    base = tmp_path / "base.json"
    r = run("check", str(CI_FILE), "--write-baseline", str(base), *NO_STALE)
    assert r.exit_code == 0 and base.exists()
    # same input against its own baseline: no change
    d = json.loads(run("check", str(CI_FILE), "--baseline", str(base), "--format", "json", *NO_STALE).stdout)
    assert all(w["status"] == "same" and w["delta_usd_per_month"] == 0 for w in d["baseline"]["workloads"])
    # double the chat volume: cost up, percent reported
    data = yaml.safe_load(CI_FILE.read_text())
    data["workloads"][0]["requests_per_day"] *= 2
    data["workloads"][1]["sensitivity"] = "internal"
    p = tmp_path / "w2.yaml"
    p.write_text(yaml.safe_dump(data))
    d = json.loads(run("check", str(p), "--baseline", str(base), "--format", "json", *NO_STALE).stdout)
    chat = next(w for w in d["baseline"]["workloads"] if w["name"] == "support-chat")
    assert chat["delta_usd_per_month"] > 0
    assert chat["delta_pct"] == pytest.approx(chat["delta_usd_per_month"] / chat["usd_per_month_before"] * 100)
    claims = next(w for w in d["baseline"]["workloads"] if w["name"] == "claims-summaries")
    assert claims["became_feasible"]  # APIs allowed once the data is no longer regulated


def test_write_baseline_refuses_other_files(run, tmp_path):
    other = tmp_path / "notes.json"
    other.write_text('{"hello": 1}')
    r = run("check", str(CI_FILE), "--write-baseline", str(other), *NO_STALE)
    assert r.exit_code == 2 and "not an ovc baseline" in r.stderr
    assert other.read_text() == '{"hello": 1}'
    d = tmp_path / "dir.json"
    d.mkdir()
    assert run("check", str(CI_FILE), "--write-baseline", str(d), *NO_STALE).exit_code == 2


def test_interrupted_write_keeps_old_baseline(run, tmp_path, monkeypatch):
    base = tmp_path / "base.json"
    assert run("check", str(CI_FILE), "--write-baseline", str(base), *NO_STALE).exit_code == 0
    before = base.read_text()

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    try:
        r = run("check", str(CI_FILE), "--budget", "99999", "--write-baseline", str(base), *NO_STALE)
        assert r.exit_code != 0  # the interrupt aborts the command
    except KeyboardInterrupt:
        pass
    assert base.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["base.json"]  # temp file cleaned up


def test_markdown_golden(run, golden, tmp_path):
    p = workload_file(tmp_path, {"budget_usd_per_month": {"support-chat": 100, "total": 5000}})
    r = run("check", str(p), "--baseline", str(ROOT / "examples" / "ci-baseline.json"), "--format", "markdown",
            *NO_STALE, "--max-hardware-age-days", "100000")
    assert r.exit_code == 1
    text = r.stdout.replace(str(p), "w.yaml")
    assert text.index("**Total") < text.index("####")  # totals first
    assert "❌ `budget` **support-chat**" in text
    golden("check_markdown.md", text)


def test_github_format(run, golden, tmp_path, monkeypatch):
    p = workload_file(tmp_path, {"budget_usd_per_month": {"support-chat": 100}})
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    r = run("check", str(p), "--format", "github", *NO_STALE, "--max-hardware-age-days", "100000")
    assert r.exit_code == 1
    assert "### ovc check" in summary.read_text()
    lines = r.stdout.strip().splitlines()
    assert lines and all(x.startswith("::error file=") for x in lines)
    golden("check_github.txt", r.stdout.replace(str(p), "w.yaml"))


# the CI recipes (GitHub workflow, GitLab job) are run step by step in tests/test_check_ci.py


def test_import_litellm_fixture(run, tmp_path):
    out = tmp_path / "prices.yaml"
    r = run("catalog", "import-litellm", str(FIX / "litellm_prices.json"), "--add", "deepinfra/Qwen/Qwen3-32B",
            "--write", str(out))
    assert r.exit_code == 0, r.output
    assert "~ openai/gpt-6-luna" in r.stdout and "output_usd_per_mtok: 0.5 -> 0.4" in r.stdout
    assert "not in LiteLLM" in r.stderr  # catalog keys missing from the small fixture are reported
    data = yaml.safe_load(out.read_text())
    ids = {e["id"] for e in data["apis"]}
    assert ids == {"openai/gpt-6-luna"}  # deepinfra/qwen3-32b is already bundled at the same price: nothing to add
    # the written file works as a user catalog and wins over the bundled price
    d = json.loads(run("breakeven", "-t", "1e8", "-a", "openai/gpt-6-luna", "--catalog", str(out), "--json",
                       *NO_STALE).stdout)
    a = d["apis"][0]
    assert a["catalog"] == str(out) and a["usd_per_mtok"] == pytest.approx(0.75 * 0.1 + 0.25 * 0.4)
    r = run("catalog", "import-litellm", str(FIX / "litellm_prices.json"), "--write", str(out))
    assert r.exit_code == 2 and "--force" in r.stderr


@pytest.mark.parametrize("args,message", [
    (["catalog", "import-litellm"], "give a LiteLLM price JSON"),
    (["catalog", "import-litellm", "/nonexistent.json"], "no such file"),
    (["catalog", "import-litellm", "BADJSON"], "not valid JSON"),
    (["catalog", "import-litellm", "/tmp"], "is a directory"),
])
def test_import_litellm_bad_input(run, tmp_path, args, message):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    r = run(*[str(bad) if a == "BADJSON" else a for a in args])
    assert r.exit_code == 2 and message in r.stderr
