"""`ovc calibrate`, `--profile` / `profile:` and `ovc check --measured`, on real result files of each tool
(tests/fixtures/bench/PROVENANCE.md says where each comes from)."""

import json
import math
from pathlib import Path

import pytest

from openvclosed.decision.benchfiles import read_bench_file, read_bench_points
from openvclosed.errors import InputError

BENCH = Path(__file__).parent / "fixtures" / "bench" / "published"
LLAMA = BENCH / "llama_bench"
H100 = BENCH / "vllm" / "nerdalert_H100_llama31_8b_rate_sweep.jsonl"
L40S = BENCH / "vllm" / "nerdalert_llmd_4xL40S_llama32_3b_rate_sweep.jsonl"
GUIDELLM = BENCH / "guidellm" / "benchmarks_stripped.json"
METRICS = BENCH / "vllm_metrics" / "zerohertz_pycon_qwen3_0.6b.txt"
DOCS_METRICS = BENCH / "vllm_metrics" / "vllm_docs_design_metrics_example.txt"
EXAMPLES = Path(__file__).parent.parent / "examples"
NO_STALE = ["--max-age-days", "100000", "--max-hardware-age-days", "100000"]


def _raw(path):
    return [json.loads(ln) for ln in path.read_text().splitlines() if ln.strip()]


# ---- readers: hand-computed from the files ----------------------------------------------------

@pytest.mark.parametrize("ext", ["json", "jsonl", "csv"])
def test_llama_bench_rows(ext):
    pts, notes = read_bench_file(LLAMA / f"readme_example.{ext}")
    assert notes == [] and [p.label for p in pts] == ["pp512", "tg128"]
    pp, tg = pts
    if ext == "json":
        rows = json.loads((LLAMA / "readme_example.json").read_text())
    elif ext == "jsonl":
        rows = _raw(LLAMA / "readme_example.jsonl")
    else:
        import csv
        rows = list(csv.DictReader((LLAMA / "readme_example.csv").open()))
    r_pp, r_tg = (next(r for r in rows if float(r["n_gen"]) == g) for g in (0, 128))
    assert pp.ttft_ms == pytest.approx(1e3 * 512 / float(r_pp["avg_ts"]))   # prefill of the whole prompt
    assert pp.output_tokens_per_s is None and pp.input_tokens == 512 and pp.concurrency == 1
    assert tg.output_tokens_per_s == pytest.approx(float(r_tg["avg_ts"])) and tg.output_tokens == 128
    assert tg.input_tokens == 0 and tg.tpot_ms == pytest.approx(1e3 / float(r_tg["avg_ts"]))
    # bits per weight = 8 x model_size / model_n_params (Q4_K_M of Qwen2.5-7B: ~4.9)
    assert tg.bits == pytest.approx(8 * float(r_tg["model_size"]) / float(r_tg["model_n_params"]))
    assert 4.8 < tg.bits < 5.0 and tg.gpu == "NVIDIA GeForce RTX 4080"


def test_vllm_rate_sweep_littles_law_and_bursts_skipped():
    pts, notes = read_bench_file(H100)
    raw = _raw(H100)
    steady = [r for r in raw if r["request_rate"] != "inf"]
    assert len(pts) == len(steady) == 10
    assert len(notes) == 2 and all("request_rate inf" in n and "burst" in n for n in notes)
    r, p = steady[0], pts[0]
    o = r["total_output_tokens"] / r["completed"]
    e2e_ms = r["mean_ttft_ms"] + (o - 1) * r["mean_tpot_ms"]      # no mean_e2el_ms in this vLLM version
    assert p.concurrency == pytest.approx(r["request_throughput"] * e2e_ms / 1e3)
    assert p.input_tokens == 1000 and p.output_tokens == 100
    assert p.output_tokens_per_s == r["output_throughput"] and p.ttft_ms == r["mean_ttft_ms"]
    assert p.model == "meta-llama/Llama-3.1-8B-Instruct"


def test_guidellm_report():
    (p,), notes = read_bench_file(GUIDELLM)
    m = json.loads(GUIDELLM.read_text())["benchmarks"][0]["metrics"]
    assert p.output_tokens_per_s == m["output_tokens_per_second"]["successful"]["mean"]
    assert p.concurrency == m["request_concurrency"]["successful"]["mean"]
    assert p.input_tokens == m["prompt_token_count"]["successful"]["mean"]
    assert p.output_tokens == m["output_token_count"]["successful"]["mean"]
    assert p.ttft_ms == m["time_to_first_token_ms"]["successful"]["mean"]
    assert p.tool == "guidellm" and "synchronous" in p.label


def test_vllm_metrics_scrape_needs_concurrency_when_idle():
    with pytest.raises(InputError, match="num_requests_running is 0.*--concurrency"):
        read_bench_points([METRICS])
    (p,), _ = read_bench_points([METRICS], concurrency=8)
    # means of the histogram sums: 12952 / 38 prompt, 4843 / 38 output tokens, e2e 902.0 s / 38
    assert p.input_tokens == pytest.approx(12952 / 38) and p.output_tokens == pytest.approx(4843 / 38)
    assert p.ttft_ms == pytest.approx(1e3 * 4941.843970537186 / 69)
    e2e = 902.0056705474854 / 38
    assert p.output_tokens_per_s == pytest.approx(8 * (4843 / 38) / e2e)   # Little's law: C x O / E2E
    assert p.model == "Qwen/Qwen3-0.6B"


def test_vllm_metrics_without_requests_is_refused():
    with pytest.raises(InputError, match="no completed requests"):
        read_bench_file(DOCS_METRICS)


@pytest.mark.parametrize("content, match", [
    ("", "empty file"),
    ("{not json", "not valid JSON"),
    ('{"a": 1}', "output_throughput: missing"),
    ("a,b\n1,2\n", "not a result file"),
    ('{"benchmarks": []}', "benchmarks: must be a non-empty list"),
    ("llamacpp:prompt_tokens_total 10\n", "llama-bench"),
    ('[{"n_prompt": 0, "n_gen": 128, "avg_ts": "fast"}]', "avg_ts"),
])
def test_bad_files_one_line(tmp_path, run, content, match):
    f = tmp_path / "x.json"
    f.write_text(content)
    r = run("calibrate", str(f), "--model", "qwen2.5-7b", "--gpu", "1x4080")
    assert r.exit_code == 2, r.output
    line = r.stderr.strip()
    assert "\n" not in line and "Traceback" not in line and str(f) in line
    assert match in line


# ---- calibrate: through the command ---------------------------------------------------------------

def test_calibrate_llama_bench_end_to_end(tmp_path, run):
    out = tmp_path / "rtx4080.json"
    r = run("calibrate", str(LLAMA / "readme_example.json"), "--model", "qwen2.5-7b", "-o", str(out), "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["gpu"] == "rtx4080" and d["n_gpus"] == 1 and d["engine"] == "llamacpp"   # from gpu_info and the tool
    assert d["profile_key"] == "llamacpp" and d["median_abs_error_after"] < d["median_abs_error_before"]
    for p in d["parameters"]:
        assert p["lower"] <= p["after"] <= p["upper"]
    # the prompt runs faster than fp16 tensor cores allow (llama.cpp's int8 kernels): a bound binds
    assert any(f["code"] == "calibration_bound" and "faster" in f["message"] for f in d["findings"])
    doc = json.loads(out.read_text())
    assert doc["format"] == "ovc-profile/1" and doc["profile_key"] == "llamacpp"
    assert doc["parameters"] == pytest.approx({p["name"]: p["after"] for p in d["parameters"]}, abs=1e-6)


def test_calibrate_vllm_l40s_beats_the_shipped_profile(run):
    """A deployment the shipped calibration never saw (4 x L40S behind an llm-d gateway, data/measurements
    does not hold it): the fit through the same serving function brings the residuals down."""
    r = run("calibrate", str(L40S), "--gpu", "4xl40s", "--tp", "1", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["model"] == "llama-3.2-3b"   # from the file's model_id (the catalog's hf_repo)
    assert d["median_abs_error_after"] < d["median_abs_error_before"] and d["median_abs_error_after"] < 0.05
    assert len(d["points"]) == 6 and sum(f["code"] == "skipped" for f in d["findings"]) == 3   # three bursts
    pts = {p["label"]: p for p in d["points"]}
    assert all(p["concurrency"] > 1 for p in pts.values())


def test_calibrate_asks_for_what_the_file_lacks(run):
    r = run("calibrate", str(GUIDELLM), "--model", "llama-3.1-8b", "--gpu", "1xh100")
    assert r.exit_code == 2 and "--engine: needed" in r.stderr
    r = run("calibrate", str(GUIDELLM), "--gpu", "1xh100", "--engine", "vllm")
    assert r.exit_code == 2 and "--model: needed" in r.stderr and "example_model" in r.stderr
    r = run("calibrate", str(H100))
    assert r.exit_code == 2 and "--gpu: needed" in r.stderr


def test_profile_changes_the_cost_path(tmp_path, run):
    prof = tmp_path / "l40s.json"
    r = run("calibrate", str(L40S), "--gpu", "4xl40s", "--tp", "1", "-o", str(prof), "--json")
    assert r.exit_code == 0, r.output
    point = json.loads(r.stdout)["points"][1]
    # `ovc fit --profile` at the measured point gives what calibrate predicted after the fit (one serving function)
    fit = ["fit", "-m", "llama-3.2-3b", "-g", "4xl40s", "--tp", "1", "--quant", "fp16", "--concurrency",
           f"{point['concurrency']!r}", "--input-tokens", f"{point['input_tokens']!r}", "--output-tokens",
           f"{point['output_tokens']!r}", "--json"]
    r = run(*fit, "--profile", str(prof))
    assert r.exit_code == 0, r.output
    assert "replaces the vllm serving profile" in r.stderr
    got = json.loads(r.stdout)["rows"][0]["serving"]["output_tokens_per_s"]
    assert got == pytest.approx(point["after_tokens_per_s"], rel=1e-4)
    shipped = json.loads(run(*fit).stdout)["rows"][0]["serving"]["output_tokens_per_s"]
    assert shipped == pytest.approx(point["before_tokens_per_s"], rel=1e-4) and shipped != pytest.approx(got, rel=1e-3)
    # the cost path: breakeven sizes replicas with the same function, so the profile moves its tokens/s
    args = ["breakeven", "--tokens", "5e8", "--gpu", "4xl40s", "--model", "llama-3.2-3b", "--json", *NO_STALE]
    base = json.loads(run(*args).stdout)["selfhost"]
    cal = json.loads(run(*args, "--profile", str(prof)).stdout)["selfhost"]
    assert cal["decode_tokens_per_s"] != pytest.approx(base["decode_tokens_per_s"], rel=1e-3)
    # the same profile through a workload file's `profile:` (relative to the file) changes the sizing too
    wf = tmp_path / "w.yaml"
    wf.write_text((EXAMPLES / "support-chat-latency.yaml").read_text() + "profile: l40s.json\n")
    plain = json.loads(run("recommend", str(EXAMPLES / "support-chat-latency.yaml"), "--json", *NO_STALE).stdout)
    r = run("recommend", str(wf), "--json", *NO_STALE)
    assert r.exit_code == 0, r.output
    withp = json.loads(r.stdout)
    tps = [w["recommendation"]["option"]["design"]["decode_tokens_per_s"] for w in plain["workloads"]]
    tps_p = [w["recommendation"]["option"]["design"]["decode_tokens_per_s"] for w in withp["workloads"]]
    assert tps_p != pytest.approx(tps, rel=1e-3)


@pytest.mark.parametrize("doc, match", [
    ({"format": "other"}, "format: must be 'ovc-profile/1'"),
    ({"format": "ovc-profile/1", "profile_key": "tgi"}, "profile_key"),
    ({"format": "ovc-profile/1", "profile_key": "vllm", "parameters": {"bandwidth_eff": 1.4}}, r"parameters.bandwidth_eff: '?1.4'? must be a number in \[0.75, 0.95\]"),
    ({"format": "ovc-profile/1", "profile_key": "vllm", "parameters": {"speed": 2}}, "parameters.speed: unknown"),
])
def test_bad_profile_file(tmp_path, run, doc, match):
    f = tmp_path / "p.json"
    f.write_text(json.dumps(doc))
    r = run("fit", "-m", "llama-3.1-8b", "-g", "1xh100", "--profile", str(f))
    assert r.exit_code == 2 and "\n" not in r.stderr.strip()
    assert str(f) in r.stderr
    import re
    assert re.search(match, r.stderr), r.stderr
    wf = tmp_path / "w.yaml"
    wf.write_text((EXAMPLES / "support-chat-latency.yaml").read_text() + "profile: p.json\n")
    r = run("recommend", str(wf))
    assert r.exit_code == 2 and f"{wf}: profile:" in r.stderr


def test_calibrate_output_never_replaces_an_input(tmp_path, run):
    f = tmp_path / "bench.json"
    f.write_text((LLAMA / "readme_example.json").read_text())
    before = f.read_bytes()
    r = run("calibrate", str(f), "--model", "qwen2.5-7b", "-o", str(f), "--force")
    assert r.exit_code == 2 and f.read_bytes() == before


def test_calibrated_parameters_stay_in_bounds_on_any_speed():
    """Property: whatever the measurements say, the fit stays inside the physical bounds."""
    from dataclasses import replace

    from openvclosed.catalog import load_catalog
    from openvclosed.decision.calibrate import Deployment, calibrate
    from openvclosed.decision.validate_bounds import FITTED, bounds

    cat = load_catalog([])
    pts, _ = read_bench_file(H100)
    dep = Deployment("llama-3.1-8b", "h100-sxm", 1, "vllm", "fp16")
    for factor in (0.2, 1.0, 5.0):
        scaled = [replace(p, output_tokens_per_s=p.output_tokens_per_s * factor, ttft_ms=p.ttft_ms / factor) for p in pts[:4]]
        fit = calibrate(cat, dep, scaled, sweeps=4)
        for k in FITTED:
            lo, hi = bounds(fit.key, k)
            assert lo <= fit.after[k] <= hi
        if factor != 1.0:
            assert fit.at_bound and fit.direction == ("faster" if factor > 1 else "slower")


# ---- check --measured --------------------------------------------------------------------------

def _drift(run, tol):
    ex = str(EXAMPLES / "support-chat-latency.yaml")
    r = run("check", ex, "--measured", str(H100), "--measured-workload", "support-tight", "--measured-tolerance",
            f"{tol:g}", "--format", "json", *NO_STALE)
    d = json.loads(r.stdout)
    (f,) = [f for f in d["findings"] if f["code"] == "throughput_drift"]
    return r.exit_code, d, f


def test_check_measured_drift_fails_with_its_cost(run):
    """The ratio is median(measured / predicted) at each point's own load (hand-checked against the
    serving function); the check fails exactly when it is below 1 - tolerance, and then gives the cost."""
    import re

    import numpy as np

    from openvclosed.catalog import load_catalog
    from openvclosed.decision.calibrate import Deployment, predict_points

    pts, _ = read_bench_points([H100])
    tps, _, _ = predict_points(load_catalog([], include_env=False), Deployment("llama-3.1-8b", "h100-sxm", 1, "vllm",
                                                                                "fp16", tp=1), pts)
    ratio = float(np.median([p.output_tokens_per_s / t for p, t in zip(pts, tps)]))
    code, d, f = _drift(run, 0.3)
    assert code == 0 and f["severity"] == "info" and f"is {ratio:.0%} of" in f["message"]
    assert "within the 30% tolerance" in f["message"]
    assert ratio < 0.999, "the shipped profile predicts this H100 above what it measured"
    tol = max(0.0, round(1.0 - ratio - 0.01, 3))
    code, d, f = _drift(run, tol)
    assert code == 1 and f["severity"] == "failure" and "below the" in f["message"]
    m = f["message"]
    moved = re.search(r"needs (\d+) replicas? instead of (\d+): \$([\d,]+) -> \$([\d,]+)/month", m)
    if moved:
        now, before, cost_before, cost_now = (float(x.replace(",", "")) for x in moved.groups())
        assert now > before and cost_now > cost_before
    else:
        assert re.search(r"still needs \d+ replicas? \(\$[\d,]+/month; the spare capacity absorbs it\)", m), m
    # the what-if profile: every efficiency times the ratio, every overhead divided by it (hand-checked)
    from openvclosed.check.drift import slowed
    slow = slowed({"bandwidth_eff": 0.8, "kv_bandwidth_eff": 0.5, "decode_mfu": 0.4, "prefill_mfu": 0.5,
                   "step_overhead_s": 1e-3, "layer_overhead_s": 1e-5}, 0.5)
    assert slow["bandwidth_eff"] == 0.4 and slow["step_overhead_s"] == 2e-3
    assert not next(w for w in d["workloads"] if w["name"] == "support-tight")["passed"]
    assert next(w for w in d["workloads"] if w["name"] == "support-relaxed")["passed"]


def test_check_measured_needs_the_workload_when_several_self_host(run):
    r = run("check", str(EXAMPLES / "support-chat-latency.yaml"), "--measured", str(H100), *NO_STALE)
    assert r.exit_code == 2 and "--measured-workload: needed" in r.stderr
    r = run("check", str(EXAMPLES / "support-chat-latency.yaml"), "--measured", str(H100), "--measured-workload", "nope")
    assert r.exit_code == 2 and "support-relaxed" in r.stderr
