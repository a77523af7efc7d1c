"""CLI behaviour through typer's runner: exit code first, then output."""

import json
import math
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
NO_STALE = ["--max-age-days", "100000"]


def test_breakeven_default_json_shape(run):
    r = run("breakeven", "--tokens", "5e8", "--gpu", "2x4090", "--json", *NO_STALE)
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    for k in ("gpu", "n_gpus", "model", "quant", "fits", "weights_gb", "decode_tokens_per_s", "replicas",
              "usd_per_month", "usd_per_mtok"):
        assert k in d["selfhost"]
    assert d["selfhost"]["gpu"] == "rtx4090" and d["selfhost"]["n_gpus"] == 2
    assert d["apis"], "a default API set is compared"
    kinds = {a["kind"] for a in d["apis"]}
    assert kinds == {"closed", "hosted-open"}
    for a in d["apis"]:
        assert set(a) >= {"api", "usd_per_month", "usd_per_mtok", "breakeven_tokens_per_day", "payback_months",
                          "cheaper"}
        assert a["cheaper"] in ("api", "selfhost")
        # cheaper agrees with the monthly figures
        assert (a["cheaper"] == "selfhost") == (d["selfhost"]["usd_per_month"] < a["usd_per_month"])
    assert {"utilization", "electricity_usd_kwh", "pue", "ops_usd_month"} <= set(d["assumptions"])
    assert isinstance(d["findings"], list)


def test_breakeven_json_equality_at_breakeven(run):
    """At the reported break-even the staircase of the JSON's own figures stops losing: the API costs
    what self-hosting costs there (a crossing inside a step) or the break-even is a step's end; just
    above it, and at the ends of the next steps, self-hosting is cheaper (issue 20)."""
    r = run("breakeven", "-t", "5e8", "-g", "2x4090", "-m", "llama-3.1-8b", "--json", *NO_STALE)
    d = json.loads(r.stdout)
    s, dpm = d["selfhost"], d["assumptions"]["days_per_month"]
    cap, f, k = s["capacity_mean_tokens_per_day"], s["replica_usd_per_month"], s["fixed_usd_per_month"]

    def selfhost(t):
        return (math.ceil(t / cap) + s["spare_replicas"]) * f + k

    for a in d["apis"]:
        be = a["breakeven_tokens_per_day"]
        if be is None:
            continue

        def api(t):
            return t / 1e6 * a["usd_per_mtok"] * dpm

        step_end = math.isclose(be / cap, round(be / cap), rel_tol=1e-9)
        assert step_end or math.isclose(api(be), selfhost(be), rel_tol=1e-6)
        for t in [be * (1 + 1e-6)] + [j * cap for j in range(math.ceil(be / cap) + 1, math.ceil(be / cap) + 6)]:
            assert api(t) > selfhost(t) * (1 - 1e-6), (a["api"], t)


def test_never_is_null_not_a_number(run):
    # tiny volume + dearest hardware: self-hosting never beats a cheap API
    r = run("breakeven", "-t", "1M", "-g", "8xh100", "-m", "llama-3.1-8b", "-a", "deepinfra/llama-3.1-8b", "--json",
            *NO_STALE)
    assert r.exit_code == 0
    a = json.loads(r.stdout)["apis"][0]
    assert a["breakeven_tokens_per_day"] is None and a["payback_months"] is None and a["cheaper"] == "api"
    t = run("breakeven", "-t", "1M", "-g", "8xh100", "-m", "llama-3.1-8b", "-a", "deepinfra/llama-3.1-8b", *NO_STALE)
    assert "never" in t.stdout


def test_tokens_per_month_equals_tokens_per_day(run):
    a = json.loads(run("breakeven", "-t", "1e8", "--days-per-month", "30", "--json", *NO_STALE).stdout)
    b = json.loads(run("breakeven", "--tokens-per-month", "3e9", "--days-per-month", "30", "--json",
                       *NO_STALE).stdout)
    assert a["selfhost"]["usd_per_month"] == pytest.approx(b["selfhost"]["usd_per_month"])


def test_rent_has_no_payback_and_uses_cloud_price(run):
    d = json.loads(run("breakeven", "-t", "2B", "-g", "h100", "-m", "llama-3.1-8b", "--rent", "--gpu-hour-usd", "2",
                       "--ops-usd-month", "0", "--json", *NO_STALE).stdout)
    assert d["selfhost"]["mode"] == "rented"
    assert d["selfhost"]["replica_usd_per_month"] == pytest.approx(2 * 24 * d["assumptions"]["days_per_month"])
    assert all(a["payback_months"] is None for a in d["apis"])


def test_api_price_adhoc(run):
    d = json.loads(run("breakeven", "-t", "1e8", "--api-price", "2:10", "--input-share", "0.5", "--json",
                       *NO_STALE).stdout)
    assert len(d["apis"]) == 1
    assert d["apis"][0]["usd_per_mtok"] == pytest.approx(6.0)  # 0.5*2 + 0.5*10


def test_measured_tokens_per_s_overrides_model(run):
    d = json.loads(run("breakeven", "-t", "1e8", "-m", "llama-3.1-8b", "--tokens-per-s", "1000", "--utilization", "1",
                       "--json", *NO_STALE).stdout)
    assert d["selfhost"]["throughput_source"] == "measured"
    assert d["selfhost"]["capacity_tokens_per_day"] == pytest.approx(1000 * 86400)
    assert d["selfhost"]["replicas"] == 2  # ceil(1e8 / 8.64e7)


def test_quant_int4_warns_quality_risk(run):
    r = run("breakeven", "-t", "5e8", "-g", "2x4090", "-m", "llama-3.3-70b", "--json", *NO_STALE)
    d = json.loads(r.stdout)
    assert d["selfhost"]["quant"] == "int4"
    codes = {f["code"]: f for f in d["findings"]}
    assert "quality" in codes["quant_risk"]["message"]
    assert "700,000,000 monthly active users" in codes["licence_mau"]["message"]


def test_model_does_not_fit_is_reported(run):
    r = run("breakeven", "-t", "5e8", "-g", "4090", "-m", "llama-3.1-405b", "-q", "fp16", *NO_STALE)
    assert r.exit_code == 0
    assert "does not fit" in r.stdout and "try:" in r.stdout


def test_stale_prices_warn_on_stderr(run):
    r = run("breakeven", "-t", "5e8", "-g", "2x3090", "--json", "--max-age-days", "1")  # a 2022 price
    assert r.exit_code == 0
    json.loads(r.stdout)  # stdout stays pure JSON
    assert "older than" in r.stderr and r.stderr.count("older than 365 days") == 1


def test_user_catalog_is_used_and_named(run):
    d = json.loads(run("breakeven", "-t", "5e8", "-g", "2x4090", "--catalog", str(FIXTURES / "user_catalog.yaml"),
                       "-a", "inhouse/gateway", "--json", *NO_STALE).stdout)
    assert d["apis"][0]["catalog"].endswith("user_catalog.yaml")
    assert d["selfhost"]["capex_usd"] == pytest.approx(d["selfhost"]["replicas"] * (2 * 1800 + 2 * 1500))


def test_breakeven_table_golden(run, golden):
    r = run("breakeven", "--tokens", "5e8", "--gpu", "2x4090", "-m", "llama-3.1-8b", *NO_STALE)
    assert r.exit_code == 0
    golden("breakeven_2x4090_llama8b.txt", r.stdout)


def test_fit_json_and_golden(run, golden):
    r = run("fit", "--model", "llama-3.3-70b", "--gpu", "4090", "--json")
    assert r.exit_code == 0
    d = json.loads(r.stdout)
    rows = {(x["n_gpus"], x["quant"]): x for x in d["rows"]}
    assert not rows[(1, "fp16")]["fits"] and rows[(2, "int4")]["fits"] and rows[(8, "fp16")]["fits"]
    assert rows[(2, "int4")]["quality_risk"] == "high"
    assert rows[(2, "int4")]["decode_tokens_per_s_aggregate"] >= rows[(2, "int4")]["decode_tokens_per_s_single"]
    t = run("fit", "--model", "llama-3.3-70b", "--gpu", "4090")
    golden("fit_llama33_4090.txt", t.stdout)


def test_fit_nothing_fits_suggests(run):
    d = json.loads(run("fit", "-m", "llama-3.1-405b", "-g", "1x3090", "--json").stdout)
    assert not any(x["fits"] for x in d["rows"]) and d["suggestions"]


def test_fit_adhoc_model(run):
    r = run("fit", "--params-b", "8", "--layers", "32", "--kv-heads", "8", "--head-dim", "128", "--bits", "4.85",
            "-g", "1x3090", "--batch", "1", "--json")
    assert r.exit_code == 0, r.output
    row = json.loads(r.stdout)["rows"][0]
    assert row["weight_bits"] == 4.85 and row["weights_gb"] == pytest.approx(8 * 4.85 / 8)
    # at batch 1 the aggregate also prefills the default workload's prompts (3,511 in / 1,170 out): below one stream
    assert row["decode_tokens_per_s_aggregate"] < row["decode_tokens_per_s_single"]
    r = run("fit", "--params-b", "8", "--layers", "32", "--kv-heads", "8", "--head-dim", "128", "--bits", "4.85",
            "-g", "1x3090", "--batch", "1", "--input-tokens", "0", "--output-tokens", "512", "--json")
    row = json.loads(r.stdout)["rows"][0]  # no prompts: the aggregate of one sequence is one stream
    assert row["decode_tokens_per_s_single"] == pytest.approx(row["decode_tokens_per_s_aggregate"])


@pytest.mark.parametrize("kind", ["apis", "gpus", "models"])
def test_catalog_commands(run, kind):
    r = run("catalog", kind, "--json")
    assert r.exit_code == 0
    entries = json.loads(r.stdout)[kind]
    assert entries and all(e["source"] and e["as_of"] for e in entries)
    t = run("catalog", kind)
    assert t.exit_code == 0 and entries[0]["id"] in t.stdout


@pytest.mark.parametrize("args,message", [
    (["breakeven", "-t", "5e8", "-g", "2x9090"], "unknown gpu '9090'; did you mean"),
    (["breakeven", "-t", "5e8", "-m", "llama-3.3-7b"], "unknown model"),
    (["breakeven", "-t", "5e8", "-a", "openai/gpt-9"], "unknown api"),
    (["breakeven", "-t", "abc"], "--tokens: 'abc' is not a token count"),
    (["breakeven", "-t", "-5"], "--tokens"),
    (["breakeven"], "give exactly one of --tokens"),
    (["breakeven", "-t", "5e8", "--tokens-per-month", "1e9"], "give exactly one of"),
    (["breakeven", "-t", "5e8", "--utilization", "50"], "did you mean 0.5"),
    (["breakeven", "-t", "5e8", "--input-share", "1.5"], "--input-share"),
    (["breakeven", "-t", "5e8", "--cached-share", "-0.1"], "--cached-share"),
    (["breakeven", "-t", "5e8", "--pue", "0.5"], "--pue"),
    (["breakeven", "-t", "5e8", "--electricity-usd-kwh", "-1"], "--electricity-usd-kwh"),
    (["breakeven", "-t", "5e8", "--amortize-years", "0"], "--amortize-years"),
    (["breakeven", "-t", "5e8", "--api-price", "2-10"], "--api-price"),
    (["breakeven", "-t", "5e8", "-g", "65x4090"], "1 to 64"),
    (["breakeven", "-t", "5e8", "-g", "a10"], "no purchase price"),
    (["breakeven", "-t", "5e8", "-g", "rtx5080", "--rent"], "no cloud price"),
    (["breakeven", "-t", "5e8", "--catalog", "/nonexistent.yaml"], "no such file"),
    (["fit", "-g", "4090"], "give --model"),
    (["fit", "-m", "llama-3.1-8b", "--params-b", "8"], "either --model or an ad-hoc model"),
    (["fit", "--params-b", "8"], "needs all of"),
    (["fit", "-m", "llama-3.1-8b", "--bits", "0"], "--bits"),
])
def test_bad_input_one_line_exit_2(run, args, message):
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert message in r.stderr
    assert "Traceback" not in r.output
    assert r.stderr.strip().count("\n") == 0, r.stderr


@pytest.mark.parametrize("args", [["breakeven", "-t", "5e8", "--pue", "x"], ["breakeven", "--bogus"],
                                  ["fit", "-q", "int3", "-m", "llama-3.1-8b"]])
def test_usage_errors_exit_2(run, args):
    r = run(*args)
    assert r.exit_code == 2
    assert "Traceback" not in r.output


def test_help_teaches(run):
    r = run("breakeven", "--help")
    assert r.exit_code == 0
    for s in ("Examples", "--tokens", "--gpu", "--rent", "--json", "Exit codes"):
        assert s in r.stdout


def test_higher_tier_apis_flagged_not_like_for_like(run):
    d = json.loads(run("breakeven", "-t", "5e8", "-g", "2x4090", "-m", "llama-3.1-8b", "--json", *NO_STALE).stdout)
    # an unrated closed API warns at its provider's positioning (it is never admitted by it)
    from openvclosed.catalog import load_catalog
    cat = load_catalog(include_env=False)
    frontier = [a["api"] for a in d["apis"] if a["tier"] == "frontier" or cat.apis[a["api"]].tier == "frontier"]
    assert frontier
    w = [x["message"] for x in d["findings"] if x["code"] == "like_for_like"]
    assert len(w) == 1 and all(f in w[0] for f in frontier)
    assert "deepinfra/llama-3.1-8b" not in w[0]


def test_stale_warning_on_stderr_in_table_mode(run):
    r = run("breakeven", "-t", "5e8", "-g", "2x4090", "--max-age-days", "1")
    assert r.exit_code == 0
    assert "older than" in r.stderr and "older than" not in r.stdout


@pytest.mark.parametrize("args,code,message", [
    (["breakeven", "-t", "5e8", "--pue", "x"], 2, "Invalid value for '--pue'"),
    (["breakeven", "--bogus"], 2, "No such option: --bogus"),
    (["nosuch"], 2, "No such command 'nosuch'"),
    (["breakeven", "-t", "5e8", "-g", "2x9090"], 2, "unknown gpu"),
])
def test_console_entry_point_usage_errors_are_one_line(args, code, message):
    """Through the real entry point (`python -m openvclosed` = the `ovc` script), not the test runner."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "openvclosed", *args], capture_output=True, text=True)
    assert r.returncode == code
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("ovc: error: ") and message in lines[0], r.stderr
    assert "Traceback" not in r.stderr and "╭" not in r.stderr


def test_console_entry_point_exit_codes():
    import subprocess
    import sys

    ci = str(Path(__file__).resolve().parents[1] / "examples" / "ci-workloads.yaml")
    ok = subprocess.run([sys.executable, "-m", "openvclosed", "check", ci, "--max-age-days", "100000"],
                        capture_output=True, text=True)
    fail = subprocess.run([sys.executable, "-m", "openvclosed", "check", ci, "--budget", "10"],
                          capture_output=True, text=True)
    assert (ok.returncode, fail.returncode) == (0, 1)
    assert subprocess.run([sys.executable, "-m", "openvclosed", "--version"], capture_output=True).returncode == 0
