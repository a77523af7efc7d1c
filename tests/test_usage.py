"""`ovc usage`: usage logs in — reading, aggregation, workload files, repricing. Exit code first."""

import gzip
import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openvclosed.usage import load_usage, reader
from openvclosed.usage.aggregate import group_stats, traffic_window
from openvclosed.usage.reader import parse_timestamp
from openvclosed.decision.workload import load_workload_file

FIX = Path(__file__).parent / "fixtures" / "usage"
NO_STALE = ["--max-age-days", "100000"]
DPM = 365.25 / 12


def _summary(run, *args):
    r = run("usage", "summarize", *args, "--json")
    assert r.exit_code == 0, r.output
    # the fixtures predate the catalog's first recorded prices: that finding is tested in test_usage_pricing.py
    err = "".join(x for x in r.stderr.splitlines(True) if "first recorded price" not in x)
    return json.loads(r.stdout), err


def _models(d):
    return {m["model"]: m for m in d["models"]}


# ------------------------------------------------------------------------------------- summarize

def test_generic_csv_hand_computed(run):
    d, err = _summary(run, str(FIX / "generic.csv"))
    assert err == ""
    assert d["window"] == {"start": "2026-01-05T00:10:00Z", "end": "2026-01-06T23:59:59Z", "days": 2.0, "hours": 48,
                           "resolution": "hour"}
    assert d["files"][0]["preset"] == "generic" and d["files"][0]["good_rows"] == 5
    sol = _models(d)["gpt-6.1-sol"]
    # rows: (1000+200, cached 400) and (3000+600) at 00h Jan 5; (1000+200, cached 100) Jan 6
    assert sol["tokens"] == 6000 and sol["tokens_per_day"] == 3000 and sol["peak_day_tokens"] == 4800
    assert sol["requests_per_day"] == 1.5 and sol["peak_day_requests"] == 2
    assert sol["input_share"] == pytest.approx(5000 / 6000) and sol["cached_share"] == pytest.approx(500 / 5000)
    assert sol["peak_to_mean"] == pytest.approx(4800 / (6000 / 48))
    # $2 in, $0.1 cached, $10 out per 1M: 4500*2 + 500*0.1 + 1000*10
    assert sol["api"] == "openai/gpt-6.1-sol" and sol["usd_at_catalog"] == pytest.approx(0.01905)
    assert sol["usd_per_day_at_catalog"] == pytest.approx(0.01905 / 2)
    t = d["total"]
    assert t["tokens"] == 13000 and t["cached_input_tokens"] == 1500 and t["requests"] == 5
    assert t["priced_token_share"] == 1.0 and t["unpriced_models"] == []
    assert t["usd_at_catalog"] == pytest.approx(sum(m["usd_at_catalog"] for m in d["models"]))


def test_summarize_table_golden(run, golden):
    r = run("usage", "summarize", str(FIX / "generic.csv"))
    assert r.exit_code == 0, r.output
    golden("usage_summarize_generic.txt", r.stdout.replace(str(FIX) + os.sep, ""))


def test_openai_usage_buckets_epoch_and_snapshot_names(run):
    d, _ = _summary(run, str(FIX / "openai_usage.csv"))
    f = d["files"][0]
    assert f["preset"] == "openai"
    assert f["columns"]["timestamp"] == "start_time_iso" and f["columns"]["requests"] == "num_model_requests"
    assert f["columns"]["cached_input_tokens"] == "input_cached_tokens"
    m = _models(d)
    assert m["gpt-6.1-sol-2026-01-15"]["api"] == "openai/gpt-6.1-sol"
    assert m["gpt-6.1-sol-2026-01-15"]["matched_by"] == "snapshot suffix removed"
    t = d["total"]
    assert (t["tokens"], t["cached_input_tokens"], t["requests"]) == (7500, 3000, 10)
    assert t["peak_to_mean"] == pytest.approx(3900 / (7500 / 24))  # busiest hour 00h, window 24 h


def test_openai_daily_buckets_use_daily_peak_and_warn(run):
    d, err = _summary(run, str(FIX / "openai_daily.csv"))
    assert d["window"]["resolution"] == "day" and d["window"]["days"] == 3
    t = d["total"]
    assert t["tokens_per_day"] == 24000 and t["peak_day_tokens"] == 36000 and t["peak_to_mean"] == 1.5
    assert "day buckets" in err


def test_openai_legacy_export_jsonl(run):
    d, _ = _summary(run, str(FIX / "openai_legacy.jsonl"))
    f = d["files"][0]
    assert f["format"] == "jsonl" and f["preset"] == "openai" and f["columns"]["input_tokens"] == "n_context_tokens_total"
    assert (d["total"]["tokens"], d["total"]["requests"]) == (1150, 3)


@pytest.mark.parametrize("name", ["litellm_spendlogs.jsonl", "litellm_spendlogs.csv"])
def test_litellm_spend_logs_cached_from_metadata(run, name):
    d, err = _summary(run, str(FIX / name))
    assert err == ""
    assert d["files"][0]["preset"] == "litellm"
    t = d["total"]
    # cached: 600 (prompt_tokens_details) + 0 (details null) + 1000 (cache_read, JSON string) + 2000
    assert (t["tokens"], t["cached_input_tokens"], t["requests"]) == (11800, 3600, 4)
    assert t["logged_usd"] == pytest.approx(0.003 + 0.006 + 0.00072 + 0.02)
    m = _models(d)
    assert m["azure/gpt-6.1-sol"]["api"] == "openai/gpt-6.1-sol"
    assert m["together_ai/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo"]["api"] == "together/llama-3.1-8b-turbo"
    assert m["claude-sonnet-5-5-20260101"]["api"] == "anthropic/claude-sonnet-5-5"


def test_mixed_timezones_normalised_to_utc(run):
    d, _ = _summary(run, str(FIX / "mixed_tz.csv"))
    # six rows are 08:xx UTC written five ways; two are 09:00 UTC (offset and epoch milliseconds)
    assert d["window"]["start"] == "2026-01-05T08:00:00Z" and d["window"]["end"] == "2026-01-05T09:00:00Z"
    assert d["window"]["hours"] == 2
    assert d["total"]["peak_day_tokens"] == 800
    assert d["total"]["peak_to_mean"] == pytest.approx(600 / 400)
    assert "only 2 hours" in "".join(f["message"] for f in d["findings"])


@pytest.mark.parametrize("text,expected", [
    ("2026-01-05T10:00:00+02:00", 1767600000.0), ("2026-01-05T08:00:00Z", 1767600000.0),
    ("2026-01-05 08:00:00", 1767600000.0), ("2026-01-05T03:00:00-05:00", 1767600000.0),
    ("1767600000", 1767600000.0), ("1767600000000", 1767600000.0), (1767600000.5, 1767600000.5),
    ("yesterday", math.nan), ("", math.nan), (None, math.nan), ("12", math.nan),
])
def test_parse_timestamp(text, expected):
    got = parse_timestamp(text)
    assert (math.isnan(got) and math.isnan(expected)) or got == expected


def test_bad_rows_counted_and_shown_with_line_numbers(run):
    d, err = _summary(run, str(FIX / "malformed.csv"))
    f = d["files"][0]
    assert (f["rows"], f["good_rows"], f["bad_rows"]) == (9, 2, 7)
    assert f["bad_by_reason"] == {"bad timestamp": 1, "bad input_tokens": 2, "wrong number of fields": 1,
                                  "missing model": 1, "cached_input_tokens > input_tokens": 1, "bad output_tokens": 1}
    assert [e["line"] for e in f["bad_examples"]] == [3, 4, 5, 7, 8]
    assert "7 of 9 rows skipped" in err
    for line in ("malformed.csv:3: bad timestamp: 'yesterday'", "malformed.csv:4: bad input_tokens: '-5'",
                 "malformed.csv:7: wrong number of fields"):
        assert line in err
    assert d["total"]["tokens"] == 1100 + 3300  # the two good rows; an empty cached cell is 0


def test_strict_makes_a_bad_row_an_error(run):
    r = run("usage", "summarize", str(FIX / "malformed.csv"), "--strict")
    assert r.exit_code == 2
    assert r.stderr.strip().count("\n") == 0 and "Traceback" not in r.output
    assert "malformed.csv:3: bad timestamp: 'yesterday'" in r.stderr and "--strict" in r.stderr


def test_unknown_models_reported_not_dropped(run):
    d, err = _summary(run, str(FIX / "unknown_models.csv"))
    m = _models(d)
    assert set(m) == {"gpt-6.1-sol", "acme-finetune-v2", "gpt-6-lunar"}
    assert m["acme-finetune-v2"]["api"] is None and m["acme-finetune-v2"]["usd_at_catalog"] is None
    assert m["acme-finetune-v2"]["tokens"] == 550000
    assert d["total"]["tokens"] == 1980000  # unknown models stay in the traffic
    assert d["total"]["unpriced_models"] == ["acme-finetune-v2", "gpt-6-lunar"]
    assert d["total"]["priced_token_share"] == pytest.approx(1.1 / 1.98)
    assert d["total"]["requests"] == 18 and d["total"]["logged_usd"] == pytest.approx(2.6)
    assert any("gpt-6-lunar" in f["message"] and "openai/gpt-6-luna" in f["message"] for f in d["findings"]
               if f["code"] == "unpriced_model")
    t = run("usage", "summarize", str(FIX / "unknown_models.csv"))
    assert "(not in catalog)" in t.stdout and "acme-finetune-v2" in t.stdout


def test_empty_file_alongside_others_warns(run):
    d, err = _summary(run, str(FIX / "generic.csv"), str(FIX / "empty.csv"))
    assert "empty.csv: empty" in err and d["total"]["tokens"] == 13000


@pytest.mark.parametrize("args,message", [
    ([str(FIX / "empty.csv")], "no usage records"),
    ([str(FIX / "header_only.csv")], "no usage records"),
    ([str(FIX / "nope.csv")], "no such file"),
    ([str(FIX)], "is a directory"),
    ([str(FIX / "generic.csv"), "--map", "input_tokens"], "--map: 'input_tokens' is not SOURCE=FIELD"),
    ([str(FIX / "generic.csv"), "--map", "model=modell"], "'modell' is not a field"),
    ([str(FIX / "generic.csv"), "--map", "nosuch=model"], "no column 'nosuch'"),
    ([str(FIX / "openai_usage.csv"), "--preset", "litellm"], "no column for input_tokens"),
])
def test_bad_input_one_line_exit_2(run, args, message):
    r = run("usage", "summarize", *args)
    assert r.exit_code == 2, r.output
    assert message in r.stderr
    assert r.stderr.strip().count("\n") == 0 and "Traceback" not in r.output


def test_not_utf8_and_unknown_preset(run, tmp_path):
    p = tmp_path / "latin1.csv"
    p.write_bytes("timestamp,model,input_tokens,output_tokens\n2026-01-05T00:00:00Z,caf\xe9,1,1\n".encode("latin-1"))
    r = run("usage", "summarize", str(p))
    assert r.exit_code == 2 and "not UTF-8" in r.stderr
    r = run("usage", "summarize", str(FIX / "generic.csv"), "--preset", "bogus")
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_map_renames_columns_and_gzip_is_read(run, tmp_path):
    src = (FIX / "generic.csv").read_text().replace("timestamp,model,input_tokens,output_tokens,cached_input_tokens",
                                                    "when,engine,prompt,answer,hits")
    p = tmp_path / "gateway.csv.gz"
    with gzip.open(p, "wt") as fh:
        fh.write(src)
    d, _ = _summary(run, str(p), "--map", "when=timestamp", "--map", "engine=model", "--map", "prompt=input_tokens",
                    "--map", "answer=output_tokens", "--map", "hits=cached_input_tokens")
    base, _ = _summary(run, str(FIX / "generic.csv"))
    assert d["total"] == base["total"] and d["models"] == base["models"]


def test_chunking_does_not_change_results(monkeypatch, tmp_path):
    paths = [FIX / n for n in ("generic.csv", "malformed.csv", "litellm_spendlogs.jsonl", "mixed_tz.csv")]
    whole, reps = load_usage(paths)
    monkeypatch.setattr(reader, "CHUNK_ROWS", 2)
    small, reps2 = load_usage(paths)
    assert [(r.rows, r.bad_rows, r.bad_examples) for r in reps] == [(r.rows, r.bad_rows, r.bad_examples) for r in reps2]
    a, b = group_stats(whole)[1], group_stats(small)[1]
    assert (a.tokens, a.cached_input_tokens, a.requests, a.peak_to_mean) == \
        (b.tokens, b.cached_input_tokens, b.requests, b.peak_to_mean)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 72 * 3600 - 1), st.sampled_from(["a", "b", "c"]), st.integers(0, 10**6),
                          st.integers(0, 10**6), st.integers(1, 5)), min_size=1, max_size=60))
def test_aggregates_match_a_naive_count(records):
    """Totals, peak day and peak hour agree with a plain-Python recount of the same records."""
    from openvclosed.usage.aggregate import UsageBins
    from openvclosed.usage.reader import Batch

    t0 = 1767571200  # 2026-01-05T00:00Z
    b = UsageBins()
    for i in range(0, len(records), 7):  # several batches
        part = records[i:i + 7]
        b.add(Batch(ts=np.array([t0 + r[0] for r in part], dtype=float), group=[r[1] for r in part],
                    input_tokens=np.array([r[2] for r in part], float), output_tokens=np.array([r[3] for r in part], float),
                    cached_input_tokens=np.zeros(len(part)), requests=np.array([r[4] for r in part], float),
                    cost_usd=np.full(len(part), np.nan)))
    w = traffic_window(b)
    groups, total = group_stats(b, w)
    tok = sum(r[2] + r[3] for r in records)
    assert total.tokens == tok and total.requests == sum(r[4] for r in records)
    hours, days = {}, {}
    for r in records:
        hours[r[0] // 3600] = hours.get(r[0] // 3600, 0) + r[2] + r[3]
        days[r[0] // 86400] = days.get(r[0] // 86400, 0) + r[2] + r[3]
    if w.resolution == "hour":
        span = max(r[0] for r in records) // 3600 - min(r[0] for r in records) // 3600 + 1
        assert w.hours == span and total.tokens_per_day == pytest.approx(tok / (span / 24))
        if tok:
            assert total.peak_to_mean == pytest.approx(max(1.0, max(hours.values()) / (tok / span)))
    assert total.peak_day_tokens == max(days.values())
    assert sum(g.tokens for g in groups) == tok
    assert sum(g.tokens_per_day for g in groups) == pytest.approx(total.tokens_per_day)


def test_progress_bar_for_big_files(run, monkeypatch):
    from openvclosed.commands import usage as cmd

    monkeypatch.setattr(cmd, "PROGRESS_MIN_BYTES", 10)
    r = run("usage", "summarize", str(FIX / "generic.csv"), "--json")
    assert r.exit_code == 0
    json.loads(r.stdout)  # stdout stays clean
    assert "reading generic.csv" in r.stderr


# ----------------------------------------------------------------------------------- to-workload

def test_to_workload_writes_a_loadable_file_with_todo_markers(run, tmp_path):
    out = tmp_path / "w.yaml"
    r = run("usage", "to-workload", str(FIX / "generic.csv"), "-o", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert text.startswith("# ") and "TODO" in text.split("version: 1")[0]
    assert text.count("    # TODO set: sensitivity") == 2 and text.count("    # TODO set: task_mix") == 2
    wf = load_workload_file(out)
    w = {x.name: x for x in wf.workloads}
    sol = w["gpt-6.1-sol"]
    assert sol.requests_per_day == 1.5
    assert sol.input_tokens == pytest.approx(5000 / 3, rel=1e-7) and sol.output_tokens == pytest.approx(1000 / 3, rel=1e-7)
    assert sol.cached_input_share == pytest.approx(0.1)
    assert sol.peak_to_mean == pytest.approx(38.4)
    assert sol.total_tokens_per_day == pytest.approx(3000)
    assert sol.sensitivity == "internal"  # the schema default until the user sets it
    assert w["claude-sonnet-5-5"].total_tokens_per_day == pytest.approx(3500)
    assert [p.name for p in tmp_path.iterdir()] == ["w.yaml"]  # no temporary file left behind


def test_to_workload_refuses_to_overwrite_without_force(run, tmp_path):
    out = tmp_path / "w.yaml"
    out.write_text("keep me\n")
    r = run("usage", "to-workload", str(FIX / "generic.csv"), "-o", str(out))
    assert r.exit_code == 2 and "--force" in r.stderr and r.stderr.strip().count("\n") == 0
    assert out.read_text() == "keep me\n"
    r = run("usage", "to-workload", str(FIX / "generic.csv"), "-o", str(out), "--force")
    assert r.exit_code == 0 and load_workload_file(out).workloads


def test_to_workload_group_by_column(run, tmp_path):
    out = tmp_path / "teams.yaml"
    r = run("usage", "to-workload", str(FIX / "litellm_spendlogs.jsonl"), "-o", str(out), "--group-by", "team_id")
    assert r.exit_code == 0, r.output
    w = {x.name: x for x in load_workload_file(out).workloads}
    assert set(w) == {"team-a", "team-b"}
    assert w["team-a"].requests_per_day * w["team-a"].input_tokens == pytest.approx(3000 / (24 / 24))
    r = run("usage", "to-workload", str(FIX / "generic.csv"), "-o", str(tmp_path / "x.yaml"), "--group-by", "team")
    assert r.exit_code == 2 and "--group-by 'team'" in r.stderr


def test_to_workload_fits_growth_over_enough_days(run, tmp_path):
    p = tmp_path / "grow.csv"
    rows = ["timestamp,model,input_tokens,output_tokens"]
    for day in range(40):  # 1000 tokens/day growing 2%/day, in two hours a day
        date = np.datetime64("2026-01-01") + day
        for h in (9, 15):
            rows.append(f"{date}T{h:02d}:00:00Z,gpt-6.1-sol,{375 * 1.02 ** day:.4f},{125 * 1.02 ** day:.4f}")
    p.write_text("\n".join(rows) + "\n")
    out = tmp_path / "g.yaml"
    assert run("usage", "to-workload", str(p), "-o", str(out)).exit_code == 0
    g = load_workload_file(out).workloads[0].growth_per_month
    assert g == pytest.approx(1.02 ** DPM - 1, rel=1e-3)


# --------------------------------------------------------------------------------------- reprice

def test_reprice_apis_with_observed_shares(run):
    r = run("usage", "reprice", str(FIX / "generic.csv"), "--api", "openai/gpt-6.1-sol", "--api",
            "deepinfra/llama-3.1-8b", "--gpu", "2x4090", "-m", "llama-3.1-8b", "--json", *NO_STALE)
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    # JSON numbers carry 6 decimals (docs/json.md)
    assert d["input_share"] == pytest.approx(11000 / 13000, abs=1e-6) and d["cached_share"] == pytest.approx(1500 / 11000, abs=1e-6)
    opt = {o["option"]: o for o in d["options"]}
    sol = opt["openai/gpt-6.1-sol"]
    p = (11000 / 13000) * ((1 - 1500 / 11000) * 2 + 1500 / 11000 * 0.1) + 2000 / 13000 * 10
    assert sol["usd_per_mtok"] == pytest.approx(p)
    assert sol["usd_per_month"] == pytest.approx(6500 / 1e6 * p * DPM)
    assert sol["usd_window"] == pytest.approx(13000 / 1e6 * p)
    # as logged: each model at its own shares
    assert d["actual_usd_per_month"] == pytest.approx((0.01905 + 0.0201) / 2 * DPM)
    assert sol["saving_usd_per_month"] == pytest.approx(d["actual_usd_per_month"] - sol["usd_per_month"])
    sh = opt["self-host 2xrtx4090"]
    assert sh["kind"] == "self-host" and sh["model"] == "llama-3.1-8b" and sh["replicas"] == 1
    assert d["sizing_tokens_per_day"] == pytest.approx(6500 * d["peak_to_mean"])
    assert d["context_tokens"] == int(11000 / 5 + 2000 / 5 / 2)


def test_reprice_sizes_self_hosting_for_the_peak_hour(run, tmp_path):
    """One busy hour a day: the mean fits one replica, the peak needs more — and reprice buys them."""
    from openvclosed.decision.assumptions import Assumptions
    from openvclosed.catalog import load_catalog
    from openvclosed.decision.designs import Design, evaluate

    rows = ["timestamp,model,input_tokens,output_tokens,requests"]
    for day in (5, 6):
        for h in range(24):
            tok = 2.0e8 if h == 14 else 2.0e6  # tokens in that hour
            rows.append(f"2026-01-{day:02d}T{h:02d}:30:00Z,gpt-6.1-sol,{tok * 0.75:.0f},{tok * 0.25:.0f},{tok / 2000:.0f}")
    p = tmp_path / "peaky.csv"
    p.write_text("\n".join(rows) + "\n")
    d = json.loads(run("usage", "reprice", str(p), "-g", "1x4090", "-m", "llama-3.1-8b", "-a", "openai/gpt-6.1-sol",
                       "--json", *NO_STALE).stdout)
    mean = (2.0e8 + 23 * 2.0e6)
    assert d["tokens_per_day"] == pytest.approx(mean)
    assert d["peak_to_mean"] == pytest.approx(2.0e8 / (mean / 24))
    sh = next(o for o in d["options"] if o["kind"] == "self-host")
    cat = load_catalog([])
    a = Assumptions(**{k: d["assumptions"][k] for k in ("input_share", "cached_share", "context_tokens")})
    design = [Design(cat.gpu("4090"), 1, cat.model("llama-3.1-8b"), sh["quant"])]
    at_peak = evaluate(design, a, mean * d["peak_to_mean"]).at(0)
    at_mean = evaluate(design, a, mean).at(0)
    assert sh["replicas"] == at_peak["replicas"] > at_mean["replicas"]
    assert sh["usd_per_month"] == pytest.approx(at_peak["usd_per_day"] * DPM)
    assert sh["usd_per_mtok"] == pytest.approx(at_peak["usd_per_day"] / mean * 1e6)


def test_reprice_table_golden(run, golden):
    r = run("usage", "reprice", str(FIX / "openai_usage.csv"), "-g", "2x4090", *NO_STALE)
    assert r.exit_code == 0, r.output
    golden("usage_reprice_openai.txt", r.stdout)


@pytest.mark.parametrize("args,message", [
    (["--utilization", "50"], "did you mean 0.5"),
    (["--gpu", "2x9090"], "unknown gpu"),
    (["--api", "openai/gpt-9"], "unknown api"),
    (["--model", "llama-9"], "unknown model"),
    (["--quant", "int3"], "--quant"),
])
def test_reprice_bad_input(run, args, message):
    r = run("usage", "reprice", str(FIX / "generic.csv"), *args)
    assert r.exit_code == 2, r.output
    assert message in r.stderr and r.stderr.strip().count("\n") == 0


def test_help_has_examples(run):
    for sub in ("summarize", "to-workload", "reprice"):
        r = run("usage", sub, "--help")
        assert r.exit_code == 0 and "Examples" in r.stdout
