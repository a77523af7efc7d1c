"""One cost path: every command prices the same design the same way (issue "One cost path")."""

import dataclasses
import json
import math

import pytest

from openvclosed.decision.assumptions import Assumptions
from openvclosed.engine.defaults import DEFAULTS
from openvclosed.engine.design import DesignInputs
from openvclosed.units import parse_hw_spec

NO_STALE = ["--max-age-days", "100000"]
T = 3e8  # tokens/day


@pytest.fixture
def breakeven(run):
    r = run("breakeven", "-t", f"{T:g}", "-g", "1x4090", "-m", "llama-3.1-8b", "-q", "fp16", "--json", *NO_STALE)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)["selfhost"]


def test_breakeven_and_sweep_price_a_replica_alike(run, breakeven):
    r = run("sweep", "-t", f"{T:g},{2 * T:g}", "-g", "1x4090", "-m", "llama-3.1-8b", "-q", "fp16", "--json")
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)["frontier"]
    assert rows
    for row in rows:
        assert row["replica_usd_per_month"] == pytest.approx(breakeven["replica_usd_per_month"], rel=1e-9)
        assert row["capacity_tokens_per_day"] == pytest.approx(breakeven["capacity_tokens_per_day"], rel=1e-9)


def test_breakeven_and_recommend_price_a_design_alike(run, breakeven, tmp_path):
    f = tmp_path / "w.yaml"
    f.write_text(f"""version: 1
workloads:
  - name: same
    tokens_per_day: {T:g}
    input_share: 0.75
    task_mix: {{simple: 1.0, standard: 0.0, frontier: 0.0}}
    assumptions: {{utilization: 0.5}}   # breakeven's fixed utilisation: the same inputs, the same numbers
    candidates:
      hardware: [1x4090]
      models: [llama-3.1-8b]
      precisions: [fp16]
      deployment: [owned]
""")
    r = run("recommend", str(f), "--json", *NO_STALE)
    assert r.exit_code == 0, r.stderr
    opts = [o for o in json.loads(r.stdout)["workloads"][0]["options"] if o["kind"] == "self-host"]
    assert len(opts) == 1 and opts[0]["id"] == "1xrtx4090/llama-3.1-8b/fp16/owned"
    assert opts[0]["usd_per_month"] == pytest.approx(breakeven["usd_per_month"], rel=1e-9)
    assert opts[0]["detail"]["replica_usd_per_month"] == pytest.approx(breakeven["replica_usd_per_month"], rel=1e-9)


def test_breakeven_and_usage_reprice_price_a_design_alike(run, tmp_path):
    """A flat log (no peak): reprice sizes for the mean, so it must equal breakeven at that volume."""
    rows = ["timestamp,model,input_tokens,output_tokens,requests"]
    for day in (5, 6):
        for h in range(24):
            rows.append(f"2026-01-{day:02d}T{h:02d}:30:00Z,gpt-6.1-sol,{T / 24 * 0.75:.0f},{T / 24 * 0.25:.0f},{T / 24 / 1000:.0f}")
    p = tmp_path / "flat.csv"
    p.write_text("\n".join(rows) + "\n")
    d = json.loads(run("usage", "reprice", str(p), "-g", "1x4090", "-m", "llama-3.1-8b", "-q", "fp16",
                       "-a", "openai/gpt-6.1-sol", "--json", *NO_STALE).stdout)
    sh = next(o for o in d["options"] if o["kind"] == "self-host")
    b = json.loads(run("breakeven", "-t", f"{d['tokens_per_day']:.6f}", "-g", "1x4090", "-m", "llama-3.1-8b",
                       "-q", "fp16", "--input-share", f"{d['input_share']}",
                       "--context", str(d["assumptions"]["context_tokens"]), "--json", *NO_STALE).stdout)["selfhost"]
    assert d["peak_to_mean"] == pytest.approx(1.0)
    assert sh["usd_per_month"] == pytest.approx(b["usd_per_month"], rel=1e-9)


@pytest.mark.parametrize("dpm", ["28", "30", "31"])
def test_ops_usd_month_is_exactly_per_replica_month(run, dpm):
    d = json.loads(run("breakeven", "-t", "5e8", "-g", "2x4090", "--ops-usd-month", "1000", "--days-per-month", dpm,
                       "--json", *NO_STALE).stdout)["selfhost"]
    assert d["cost_breakdown_usd_per_month"]["ops"] == pytest.approx(1000.0 * d["replicas"], rel=1e-12)


def test_tokens_flag_reaches_monthly_cost_through_one_conversion(run):
    d = json.loads(run("breakeven", "-t", "5e8", "-g", "2x4090", "--days-per-month", "30", "--json",
                       *NO_STALE).stdout)
    assert d["tokens_per_month"] == pytest.approx(5e8 * 30, rel=1e-12)
    s = d["selfhost"]
    assert s["usd_per_month"] == pytest.approx(s["replica_usd_per_month"] * s["replicas"] + s["fixed_usd_per_month"],
                                               abs=1e-5)  # JSON: 6 decimals each; the team once
    assert s["usd_per_mtok"] == pytest.approx(s["usd_per_month"] / 30 / 5e8 * 1e6, abs=1e-6)  # JSON: 6 decimals
    assert sum(s["cost_breakdown_usd_per_month"].values()) == pytest.approx(s["usd_per_month"], rel=1e-9)


def test_engine_defaults_are_the_assumptions_defaults():
    from openvclosed.decision.calibration import profile
    from openvclosed.decision.designs import Design, design_inputs
    from openvclosed.catalog import load_catalog

    a = Assumptions()
    for name, value in DEFAULTS.items():
        if name in Assumptions.model_fields and getattr(a, name) is not None:
            assert getattr(a, name) == value, name
    fields = {f.name: f.default for f in dataclasses.fields(DesignInputs)}
    for name in fields.keys() & DEFAULTS.keys():
        assert fields[name] == DEFAULTS[name], name
    # serving efficiencies: an unset assumption means the calibrated engine profile, which is what the engine gets
    cat = load_catalog([])
    x = design_inputs([Design(cat.gpu("h100"), 1, cat.model("llama-3.1-8b"), "fp16")], a)
    for name in ("bandwidth_eff", "kv_bandwidth_eff", "decode_mfu", "prefill_mfu", "step_overhead_s"):
        assert getattr(a, name) is None
        assert float(getattr(x, name)[0]) == profile("vllm")[name], name


@pytest.mark.parametrize("spec, n, explicit", [("rtx4090", 1, False), ("h100-sxm", 1, False), ("mi300x", 1, False),
                                               ("2x4090", 2, True), ("1xh100", 1, True), ("8×H100", 8, True)])
def test_hw_spec_says_whether_the_count_was_given(spec, n, explicit):
    h = parse_hw_spec(spec)
    assert (h.n_gpus, h.explicit) == (n, explicit)


@pytest.mark.parametrize("gpu", ["rtx4090", "4090"])
def test_fit_without_a_count_shows_every_count(run, gpu):
    d = json.loads(run("fit", "-m", "gpt-oss-20b", "-g", gpu, "--json").stdout)
    assert sorted({r["n_gpus"] for r in d["rows"]}) == [1, 2, 4, 8]


def test_unusable_step_summary_is_one_line_not_a_traceback(run, monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing" / "summary.md"))
    r = run("check", "examples/ci-workloads.yaml", "--format", "github", *NO_STALE)
    assert "Traceback" not in r.stderr
    assert r.exit_code in (0, 1)  # the check's own result, not an I/O failure
    assert "GITHUB_STEP_SUMMARY" in r.stderr


def test_findings_carry_codes_not_prose_to_parse(run):
    d = json.loads(run("breakeven", "-t", "5e8", "-g", "2x4090", "-m", "llama-3.1-8b", "-q", "int4",
                       "--json", *NO_STALE).stdout)
    codes = {f["code"] for f in d["findings"]}
    assert {"quant_risk", "licence_mau", "like_for_like"} <= codes
    assert all(set(f) == {"code", "severity", "ids", "message"} for f in d["findings"])
    assert d["schema_version"] == 2
    assert not math.isnan(d["selfhost"]["usd_per_month"])


def test_github_annotation_properties_cannot_be_forged(run, tmp_path):
    """A budget key with ',file=' and '::' names no workload: refused with one line (exit 2). The same
    string as a finding's id stays inside the escaped title (issue: hostile input)."""
    from openvclosed.check.policy import CheckResult
    from openvclosed.report.check import render_github_annotations
    from openvclosed.results.base import Finding

    key = "x,file=other.yaml)::owned\n::error::forged"
    pol = tmp_path / "policy.yaml"
    pol.write_text('budget_usd_per_month: {"x,file=other.yaml)::owned\\n::error::forged": 1}\n', encoding="utf-8")
    r = run("check", "examples/ci-workloads.yaml", "--policy", str(pol), "--format", "github", *NO_STALE)
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1 and not r.stdout.startswith("::"), r.output
    res = CheckResult(generated="2026-12-01", file="examples/ci-workloads.yaml", total_usd_per_month=1.0,
                      total_budget_usd_per_month=None, workloads=[], passed=False,
                      findings=[Finding(code="budget", severity="failure", ids=[key], message="over " + key)])
    lines = [x for x in render_github_annotations(res).splitlines() if x.startswith("::")]
    assert lines and all(x.startswith(("::error ", "::warning ")) for x in lines)
    hostile = [x for x in lines if "other.yaml" in x]
    assert hostile
    for x in hostile:
        props, message = x[2:].split("::", 1)
        keys = [kv.split("=", 1)[0] for kv in props.split(" ", 1)[1].split(",")]
        assert keys == ["file", "title"] and "%2Cfile=other.yaml)%3A%3Aowned%0A" in props
        assert "\n" not in message


@pytest.mark.parametrize("columns", ["abc", "-5", "99999999999999999999"])
def test_bad_columns_falls_back(run, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    r = run("breakeven", "-t", "5e8", "-g", "2x4090", *NO_STALE)
    assert r.exit_code == 0 and "Traceback" not in r.stderr


def test_methodology_assumption_table_matches_the_code():
    from openvclosed.decision.assumptions import BASIS, Assumptions

    text = open("docs/methodology.md", encoding="utf-8").read()
    a = Assumptions()
    for name in Assumptions.model_fields:
        v = getattr(a, name)
        if v is None:
            continue
        shown = f"{v:g}" if isinstance(v, float) else str(v)
        assert f"| `{name}` | {shown} | {BASIS[name]} |" in text, name
