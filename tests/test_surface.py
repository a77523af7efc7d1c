"""The user-facing surface (issue 15): small items each with a test."""

import csv
import datetime as dt
import json
import math
from pathlib import Path

from openvclosed.report.text import usd

import numpy as np
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NO_STALE = ["--max-age-days", "100000"]


def _usage_csv(path: Path, days: int, growth_per_month: float, start_hour: int = 13, end_hour: int = 9) -> None:
    """Hourly usage growing ``growth_per_month`` with a weekly pattern (weekends at 30%), the
    first and last days partial."""
    rate = math.log1p(growth_per_month) / (365.25 / 12)
    t0 = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)  # a Monday
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["timestamp", "model", "input_tokens", "output_tokens"])
        for day in range(days):
            for hour in range(24):
                if (day == 0 and hour < start_hour) or (day == days - 1 and hour > end_hour):
                    continue
                ts = t0 + dt.timedelta(days=day, hours=hour, minutes=5)
                weekend = ts.weekday() >= 5
                tokens = 100_000 * math.exp(rate * day) * (0.3 if weekend else 1.0)
                w.writerow([ts.strftime("%Y-%m-%dT%H:%M:%SZ"), "gpt-6.1-sol", int(tokens * 0.8), int(tokens * 0.2)])


@pytest.mark.parametrize("days", [36, 45, 60])
def test_to_workload_growth_fits_all_days_with_weekday_effect(run, tmp_path, days):
    logs = tmp_path / "usage.csv"
    _usage_csv(logs, days, 0.30)
    out = tmp_path / "w.yaml"
    r = run("usage", "to-workload", str(logs), "-o", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text()
    g = yaml.safe_load(text)["workloads"][0]["growth_per_month"]
    assert g == pytest.approx(0.30, abs=0.02)
    assert "day-of-week effect" in text and "first day scaled up" in text and "last day scaled up" in text


def test_fit_growth_short_partial_day_left_out():
    from openvclosed.usage.aggregate import fit_growth

    d = 1000 * 1.01 ** np.arange(40)
    d[0] *= 0.1
    g, note = fit_growth(d, "hour", 30, first_fraction=0.1, first_weekday=0)
    assert g == pytest.approx(1.01 ** 30 - 1, rel=1e-6) and "first day left out (10% covered)" in note


def test_sweep_csv_empty_where_json_is_null(run, tmp_path):
    out = tmp_path / "f.csv"
    r = run("sweep", "-t", "1e6:1e7:3", "-g", "2x4090", "-m", "llama-3.1-8b", "-o", str(out))
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open()))
    assert rows and not any(v.lower() in ("inf", "-inf", "nan") for row in rows for v in row.values())
    assert any(row["breakeven_tokens_per_day"] == "" for row in rows)  # never on this small grid
    assert "empty where JSON has `null`" in (ROOT / "docs" / "json.md").read_text()


def test_sweep_merges_equal_price_apis_and_rate_units(run):
    from openvclosed.report.sweep import fmt_rate

    assert fmt_rate(74_700) == "74.7k/s" and fmt_rate(12.3e6) == "12.3M/s" and fmt_rate(50) == "50/s"
    r = run("sweep", "-t", "1e6:1e10:20", "-g", "2x4090", "-m", "llama-3.1-8b", "--json")
    frontier = json.loads(r.stdout)["frontier"]
    t = run("sweep", "-t", "1e6:1e10:20", "-g", "2x4090", "-m", "llama-3.1-8b").stdout
    pairs = {(f["quant"], f["api_usd_per_mtok"]) for f in frontier}
    assert len(pairs) < len(frontier)  # the catalog has APIs at the same price
    assert "0.0M/s" not in t and ("/s)" in t or "under 1 ms" in t)
    # each set of equal-price APIs against one design is one row: fewer rows than frontier pairs
    import re

    shown, total = map(int, re.search(r"(\d+) of (\d+) rows shown", t).groups())
    ties = {(f["quant"], f["api_usd_per_mtok"], f["breakeven_tokens_per_day"]) for f in frontier}
    assert total == len(ties) < len(frontier) and shown == min(30, total)


def test_reprice_unpriced_majority_says_so(run, tmp_path):
    logs = tmp_path / "u.csv"
    with logs.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["timestamp", "model", "input_tokens", "output_tokens"])
        for h in range(48):
            ts = f"2026-01-0{5 + h // 24}T{h % 24:02d}:05:00Z"
            w.writerow([ts, "my-private-finetune", 9000, 1000])
            w.writerow([ts, "gpt-6.1-sol", 800, 200])
    r = run("usage", "reprice", str(logs), "--gpu", "2x4090", *NO_STALE)
    assert r.exit_code == 0, r.output
    assert "vs as logged" not in r.stdout  # no comparison column that would be empty
    assert "9% of tokens priced" in r.stdout or "only 9%" in r.stdout
    assert "not comparable" in r.stdout


def test_workload_file_doc_no_later():
    text = (ROOT / "docs" / "workload-file.md").read_text()
    assert "later, `ovc check" not in text and "`ovc check FILE`" in text


def _rows(text: str) -> list[str]:
    body = text.split("━", 1)[1].split("\n", 1)[1]
    return [ln for ln in body.split("\n\n")[0].splitlines()]


def test_recommend_named_candidates_rows_all_and_na(run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    f = str(ROOT / "examples" / "hospital-regulated.yaml")
    one = run("recommend", f, "--rows", "1", *NO_STALE)
    assert one.exit_code == 0, one.output
    d = json.loads(run("recommend", f, "--json", *NO_STALE).stdout)["workloads"][0]
    assert d["candidates"]["hardware"] == ["2x4090", "1xl40s", "1xa100-80gb", "2xa100-80gb", "1xh100", "2xh100"]
    # every named hardware spec has a row even with --rows 1 (2x4090 included)
    for prefix in ("2xrtx4090 ", "1xl40s ", "1xa100-80gb ", "2xa100-80gb ", "1xh100-sxm ", "2xh100-sxm "):
        assert any(ln.startswith(prefix) for ln in one.stdout.splitlines()), prefix
    eight = run("recommend", f, *NO_STALE).stdout
    every = run("recommend", f, "--all", *NO_STALE).stdout
    assert len(every.splitlines()) > len(eight.splitlines()) + 100  # --all lists all 164 options
    # excluded options: one line per reason code, not one block per option
    assert "159 options excluded, by first reason:" in eight and eight.count("  sensitivity (158):") == 1
    # regulated data defaults to a datacenter site: the GeForce card named in candidates is excluded, with the reason
    assert eight.count("  driver_licence (1):") == 1
    # a regulated workload: no API may be compared, so break-even is n/a (never 'never' next to RECOMMENDED)
    rec_line = next(ln for ln in eight.splitlines() if "RECOMMENDED" in ln)
    assert "never" not in rec_line and "n/a" in rec_line
    assert "break-even n/a: every API is excluded" in eight
    # the panel: capex, the purchase basis and the licence findings of the chosen option
    rec = d["recommendation"]["option"]
    assert f"capex: {usd(rec['capex_usd'])} up front" in eight
    assert "price basis: purchase: $" in eight and "licence: " in eight


def test_findings_grouped_by_code():
    from openvclosed.report.findings import finding_lines
    from openvclosed.results.base import Finding

    fs = [Finding(code="like_for_like", severity="warning", ids=[f"api{i}"], message=f"not like-for-like: api{i}")
          for i in range(3)] * 2
    fs += [Finding(code=c, severity="info", ids=["x"], message=c) for c in ("quant_risk", "licence_mau", "uptime",
                                                                            "tier", "latency")]
    lines = finding_lines(fs)
    assert len(lines) == 5  # four groups and one line counting the rest
    assert lines[0].startswith("warning: not like-for-like: api0 (+2 more [like_for_like]: api1, api2)")
    assert "--json lists them" in lines[-1]
