"""Sizing from load and latency (issue 27): queueing at each instance, the batch that meets the
targets, replicas from the busy-hour load; hand-checked against an independent Erlang C."""

import json
import re
import math

import numpy as np
import pytest

from openvclosed.engine import queueing as Q

EXAMPLE = "examples/support-chat-latency.yaml"
NO_STALE = ["--max-age-days", "100000"]


def erlang_c_by_sums(c: int, a: float) -> float:
    """Erlang C from its definition, in logs: (a^c/c! x c/(c-a)) / (sum_{k<c} a^k/k! + a^c/c! x c/(c-a))."""
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
    top = c * math.log(a) - math.lgamma(c + 1) + math.log(c / (c - a))
    m = max(logs + [top])
    s = sum(math.exp(x - m) for x in logs)
    t = math.exp(top - m)
    return t / (s + t)


def wait95_by_hand(c: int, rho: float, service_s: float) -> float:
    pw = erlang_c_by_sums(c, rho * c)
    return 0.0 if pw <= 0.05 else math.log(pw / 0.05) * service_s / (c - rho * c)


@pytest.mark.parametrize("c,a", [(1, 0.3), (2, 1.5), (10, 8.0), (32, 24.0), (100, 95.0), (128, 120.0)])
def test_erlang_c_exact_against_its_definition(c, a):
    assert Q.erlang_c(c, a) == pytest.approx(erlang_c_by_sums(c, a), rel=1e-9)


def test_exact_recursion_on_mixed_slot_counts():
    c = np.array([1, 7, 3, 128, 7, 64])
    a = c * np.array([0.5, 0.9, 0.2, 0.97, 0.6, 0.8])
    assert np.asarray(Q.erlang_c(c, a)) == pytest.approx([erlang_c_by_sums(int(x), float(y)) for x, y in zip(c, a)],
                                                         rel=1e-9)


def _cap_by_hand(c: int, service_s: float, budget_s: float) -> float:
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if wait95_by_hand(c, mid, service_s) <= budget_s else (lo, mid)
    return lo


@pytest.mark.parametrize("c", [129, 256, 600])
@pytest.mark.parametrize("service_s,budget_s", [(20.0, 1.8), (4.0, 0.3), (10.0, 5.0)])
def test_halfin_whitt_above_the_exact_range_gives_the_same_utilisation_cap(c, service_s, budget_s):
    assert Q.max_utilization(c, service_s, budget_s) == pytest.approx(_cap_by_hand(c, service_s, budget_s), abs=0.003)


def test_queue_limits():
    assert Q.erlang_c(4, 4.0) == 1.0 and Q.wait_quantile_s(4, 4.0, 1.0) == math.inf
    assert Q.erlang_c(4, 0.0) == 0.0
    # M/M/1: P(W > t) = rho exp(-(1 - rho) t / S)
    assert Q.wait_quantile_s(1, 0.5, 2.0) == pytest.approx(math.log(0.5 / 0.05) * 2.0 / 0.5)
    # M/G/c: deterministic service (cv2 0) halves the wait
    assert Q.wait_quantile_s(1, 0.5, 2.0, cs2=0.0) == pytest.approx(0.5 * Q.wait_quantile_s(1, 0.5, 2.0))
    # no budget, no load; more slots run busier at the same budget
    assert Q.max_utilization(8, 1.0, -0.1) == 0.0
    u = [Q.max_utilization(c, 5.0, 1.0) for c in (1, 4, 16, 64, 256)]
    assert u == sorted(u) and u[0] < 0.2 < 0.9 < u[-1] < 1.0


@pytest.fixture(scope="module")
def decided():
    from typer.testing import CliRunner

    from openvclosed.cli import app

    r = CliRunner().invoke(app, ["recommend", EXAMPLE, "--format", "json", *NO_STALE])
    assert r.exit_code == 0, r.output
    return {w["name"]: w for w in json.loads(r.stdout)["workloads"]}


def _design(w):
    (o,) = [o for o in w["options"] if o.get("sizing")]
    return o


def test_a_tight_tpot_target_needs_more_replicas(decided):
    relaxed, tight = _design(decided["support-relaxed"]), _design(decided["support-tight"])
    assert relaxed["feasible"] and tight["feasible"]
    assert tight["detail"]["replicas"] > relaxed["detail"]["replicas"]
    assert tight["sizing"]["batch"] < relaxed["sizing"]["batch"]
    assert tight["sizing"]["limit"] == "tpot" and tight["sizing"]["tpot_ms"] <= 20.0
    assert tight["usd_per_month"] > relaxed["usd_per_month"]


@pytest.mark.parametrize("name", ["support-relaxed", "support-tight"])
def test_replicas_and_utilisation_by_hand(decided, name):
    o = _design(decided[name])
    z, d = o["sizing"], o["detail"]
    # busy hour: 60 requests/s x 1,800 tokens = 108,000 tokens/s; mean 2M x 1,800 / 86,400 = 41,667
    assert z["peak_to_mean"] == pytest.approx(108_000 / (2e6 * 1800 / 86400))
    # one replica at full load serves decode tokens/s / output share (300 of 1,800 tokens)
    full = d["decode_tokens_per_s"] / (300 / 1800)
    assert d["replicas"] == math.ceil(108_000 / (full * z["utilization_peak_max"]) - 1e-9)
    # the utilisation cap is where the 95th-percentile wait uses up the TTFT budget (one queue per
    # instance, batch slots, a slot held for TTFT + 300 x TPOT), unless the wait is 0 there
    service = z["ttft_unqueued_ms"] / 1e3 + 300 * z["tpot_ms"] / 1e3
    budget = (z["ttft_target_ms"] - z["ttft_unqueued_ms"]) / 1e3
    c, u = int(z["batch"]), z["utilization_peak_max"]
    # exact Erlang C to 128 slots; above, Halfin-Whitt: the cap within 0.3 points (docs/sizing.md)
    tol = 0.001 if c <= 128 else 0.003
    assert wait95_by_hand(c, u - tol, service) <= budget + 1e-6
    assert wait95_by_hand(c, min(u + tol, 0.99999), service) > budget
    # what it runs at: mean and busy-hour load over the serving replicas
    assert z["utilization_mean"] == pytest.approx(41_666.67 / (z["replicas_serving"] * full), rel=1e-4)
    assert z["utilization_peak"] == pytest.approx(z["utilization_mean"] * z["peak_to_mean"], abs=2e-6)  # JSON: 6 decimals
    assert z["utilization_peak"] <= u + 1e-9


def test_a_fixed_utilisation_stays_an_override(run, tmp_path):
    f = tmp_path / "w.yaml"
    f.write_text(open(EXAMPLE).read().replace("  candidates:", "  assumptions: {utilization: 0.5}\n  candidates:"))
    r = run("recommend", str(f), "--format", "json", *NO_STALE)
    assert r.exit_code == 0, r.output
    for w in json.loads(r.stdout)["workloads"]:
        o = _design(w)
        assert o["sizing"]["method"] == "fixed" and o["sizing"]["utilization_fixed"] == 0.5
        full = o["detail"]["decode_tokens_per_s"] / (300 / 1800)
        assert o["detail"]["replicas"] == math.ceil(108_000 / (full * 0.5))


def test_a_target_no_batch_meets_excludes_with_the_figure(run, tmp_path):
    f = tmp_path / "w.yaml"
    f.write_text(open(EXAMPLE).read().replace("tpot_p95_ms: 20}", "tpot_p95_ms: 1}"))
    r = run("recommend", str(f), "--format", "json", *NO_STALE)
    assert r.exit_code == 0, r.output
    w = {w["name"]: w for w in json.loads(r.stdout)["workloads"]}["support-tight"]
    o = _design(w)
    assert not o["feasible"]
    (why,) = [x["message"] for x in o["excluded_because"] if x["code"] == "latency"]
    assert why.startswith("latency: TPOT ") and "ms at batch 1 > 1 ms target" in why


def test_the_text_says_how_the_design_was_sized(run):
    r = run("recommend", EXAMPLE, *NO_STALE)
    assert r.exit_code == 0
    flat = " ".join(r.stdout.replace("│", " ").split())
    assert "sizing for the load:" in flat and "a larger batch breaks the TPOT target" in flat


@pytest.mark.parametrize("edit,needle", [
    ("requests_per_second: 60 ", "requests_per_second: 10 "),
])
def test_a_busy_hour_below_the_mean_is_refused(run, tmp_path, edit, needle):
    f = tmp_path / "w.yaml"
    f.write_text(open(EXAMPLE).read().replace(edit, needle))
    r = run("recommend", str(f), *NO_STALE)
    assert r.exit_code == 2
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and "requests_per_second" in err[0] and "below the mean load" in err[0]


@pytest.mark.parametrize("latency,msg", [
    ("{max_ttft_s: 1, ttft_p95_ms: 500}", "not both"),
    ("{tpot_p95_ms: 0}", "tpot_p95_ms"),
    ("{ttft_p95_ms: .inf}", "non-finite number"),
])
def test_bad_latency_targets_are_one_line(run, tmp_path, latency, msg):
    f = tmp_path / "w.yaml"
    f.write_text(open(EXAMPLE).read().replace("{ttft_p95_ms: 2000, tpot_p95_ms: 100}", latency))
    r = run("recommend", str(f), *NO_STALE)
    assert r.exit_code == 2, r.output
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and msg in err[0] and "Traceback" not in r.output


def test_utilisation_follows_the_offered_load(run, tmp_path):
    """Little's law at work: the same design at the same targets runs busier as the offered load
    grows (whole replicas fill up), so a fixed utilisation misprices small and large deployments alike."""
    import yaml

    doc = yaml.safe_load(open(EXAMPLE))
    base = doc["workloads"][0]
    doc["workloads"] = [{**base, "name": f"load-{rps}", "requests_per_second": rps,
                         "requests_per_day": rps * 86400 / 2.592} for rps in (2, 60, 600)]
    f = tmp_path / "w.yaml"
    f.write_text(yaml.safe_dump(doc))
    r = run("recommend", str(f), "--format", "json", *NO_STALE)
    assert r.exit_code == 0, r.output
    z = [_design(w)["sizing"] for w in json.loads(r.stdout)["workloads"]]
    assert [x["replicas_serving"] for x in z] == sorted(x["replicas_serving"] for x in z)
    # 2 requests/s keep one replica mostly idle; at 600 requests/s the replicas run near the cap
    assert z[0]["utilization_peak"] < 0.3 < 0.8 < z[2]["utilization_peak"] <= z[2]["utilization_peak_max"]


def test_monte_carlo_never_draws_a_sized_design_busier_than_its_latency_cap(run):
    """A design sized for its TTFT target already runs as busy as the target allows: the Monte Carlo
    draws utilisation at or below that cap (a busier replica is a latency miss, not a saving)."""
    r = run("recommend", "examples/portfolio.yaml", "--monte-carlo", "2000", "--format", "json", *NO_STALE)
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    w = {x["name"]: x for x in d["workloads"]}["ticket-triage"]
    sh = next(o for o in w["options"] if o["id"] == w["uncertainty"]["selfhost"])
    cap = sh["sizing"]["utilization_peak_max"]
    u = w["uncertainty"]["monte_carlo"]["distributions"]["utilization"]
    assert u["dist"] == "triangular" and u["high"] == pytest.approx(cap, rel=1e-6) == u["mode"]
    assert u["low"] == pytest.approx(0.6 * cap, rel=1e-6)


def test_breakeven_sizes_like_the_workload_file_for_the_same_inputs(run, decided):
    """`breakeven --ttft-p95-ms --tpot-p95-ms --requests-per-second` runs the same sizing as a workload
    file: the support-tight design gets the same batch, utilisation cap and replicas."""
    r = run("breakeven", "-t", "3.6e9", "-g", "1xh100", "-m", "llama-3.1-8b", "-q", "fp16", "--ttft-p95-ms", "500",
            "--tpot-p95-ms", "20", "--requests-per-second", "60", "--context", "1650", "--input-share", str(1500 / 1800),
            "--format", "json", *NO_STALE)
    assert r.exit_code == 0, r.output
    sh = json.loads(r.stdout)["selfhost"]
    want = _design(decided["support-tight"])
    assert sh["replicas"] == want["detail"]["replicas"] == 12
    for k in ("batch", "utilization_peak_max", "peak_to_mean", "tpot_ms"):
        assert sh["sizing"][k] == pytest.approx(want["sizing"][k], rel=1e-6), k
    assert sh["sizing"]["ttft_target_basis"] == "--ttft-p95-ms"


@pytest.mark.parametrize("args,needle", [
    (["--tpot-p95-ms", "1"], "cannot meet the targets: TPOT"),
    (["--tpot-p95-ms", "20", "--utilization", "0.5"], "give one or the other"),
    (["--requests-per-second", "0.001"], "below the mean load"),
    (["--ttft-p95-ms", "0"], "--ttft-p95-ms"),
])
def test_breakeven_latency_flags_refuse_bad_input_in_one_line(run, args, needle):
    r = run("breakeven", "-t", "3.6e9", "-g", "1xh100", "-m", "llama-3.1-8b", *args, *NO_STALE)
    assert r.exit_code == 2, r.output
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and needle in err[0], err


def test_the_report_shows_how_busy_each_self_hosted_row_runs_and_why(run, tmp_path, decided):
    out = tmp_path / "r.html"
    r = run("report", EXAMPLE, "-o", str(out), *NO_STALE)
    assert r.exit_code == 0, r.output
    rows = re.findall(r'<span class="note sizing-row">(.*?)</span>', out.read_text())
    want = []
    for name in ("support-relaxed", "support-tight"):
        z = _design(decided[name])["sizing"]
        bound = {"tpot": "TPOT-bound", "ttft": "TTFT-bound", "memory": "memory-bound"}[z["limit"]]
        want.append(f"{z['replicas_serving']:,.0f} replicas, batch {z['batch']:,.0f}, {z['utilization_peak']:.0%} busy "
                    f"at the peak (cap {z['utilization_peak_max']:.0%}, {bound})")
    assert rows == want
