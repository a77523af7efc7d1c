"""One decision, computed once (issue 20): the same design priced through every command gives the same
USD/month, break-even, payback and verdict, and — with the same seed — the same Monte Carlo quantiles;
the report's charts are drawn from the very result the table and JSON render."""

from __future__ import annotations

import json
import math

import pytest
import yaml

from openvclosed.catalog import load_catalog
from openvclosed.decision.recommend import recommend_file
from openvclosed.decision.workload import load_workload_file

REL = 1e-9

# (label, hardware, model, precision, deployment, tokens/day, api, as_of)
DESIGNS = [
    ("owned", "2xrtx4090", "llama-3.1-8b", "fp16", "owned", 5e8, "openai/gpt-6-luna", None),
    ("rented", "1xh100", "llama-3.1-8b", "fp8", "rented", 3e8, "openai/gpt-6.1-terra", None),
    ("multi-replica", "1xrtx4090", "llama-3.1-8b", "int4", "owned", 2e9, "openai/gpt-6.1-terra", None),
    ("moe", "1xh100", "gpt-oss-120b", "mxfp4", "owned", 1e9, "openai/gpt-6.1-terra", None),
    ("as-of", "2xrtx4090", "llama-3.1-8b", "fp16", "owned", 5e8, "openai/gpt-5-mini", "2026-07-01"),
    ("rented-moe", "8xh100", "gpt-oss-120b", "mxfp4", "rented", 5e9, "openai/gpt-6.1-terra", None),
]


def _workload_file(tmp_path, label, hw, model, prec, dep, tokens, api, frontier=0.0, extra_apis=(), capability=None):
    w = {"name": label, "tokens_per_day": tokens, "horizon_months": 36, "sensitivity": "internal",
         "task_mix": {"simple": 1.0 - frontier, "standard": 0.0, "frontier": frontier},
         "candidates": {"hardware": [hw], "models": [model], "precisions": [prec], "deployment": [dep],
                        "apis": [api, *extra_apis]},
         # the breakeven command's fixed utilisation, so every command gets the same inputs
         # (workload files otherwise size for load and latency: tests/test_sizing.py)
         "assumptions": {"utilization": 0.5}}
    if capability:
        w["capability"] = capability
    p = tmp_path / f"{label}.yaml"
    p.write_text(yaml.safe_dump({"workloads": [w]}))
    return p


def _out(run, *args, codes=(0,)) -> str:
    r = run(*args)
    assert r.exit_code in codes, (args, r.exit_code, r.stdout[-2000:], r.stderr[-2000:])
    return r.stdout


def _close(a, b):
    if a is None or b is None:
        return a is b
    if math.isinf(a) or math.isinf(b):
        return a == b
    return a == pytest.approx(b, rel=REL, abs=1e-9)


@pytest.mark.parametrize("label,hw,model,prec,dep,tokens,api,as_of", DESIGNS, ids=[d[0] for d in DESIGNS])
def test_same_numbers_through_every_command(run, tmp_path, label, hw, model, prec, dep, tokens, api, as_of):
    wf = _workload_file(tmp_path, label, hw, model, prec, dep, tokens, api)
    extra = ["--as-of", as_of] if as_of else []
    n_gpus, gpu = hw.split("x", 1)
    # breakeven
    be = json.loads(_out(run, "breakeven", "-t", repr(tokens), "-g", hw, "-m", model, "-q", prec, "-a", api,
                        *(["--rent"] if dep == "rented" else []), *extra, "--json"))
    sh, row = be["selfhost"], be["apis"][0]
    # recommend: the option of this design
    rec = json.loads(_out(run, "recommend", str(wf), *extra, "--json"))
    w = rec["workloads"][0]
    opt = next(o for o in w["options"] if o["kind"] in ("self-host", "self-host-cloud"))
    assert opt["design"]["model"] == model and opt["design"]["precision"] == prec and opt["design"]["mode"] == dep
    assert opt["feasible"], opt["excluded_because"]
    assert _close(opt["usd_per_month"], sh["usd_per_month"])
    assert opt["comparison"]["api"] == api
    assert opt["design"]["price_basis"] == sh["price_basis"]  # the basis of the price used (--as-of too)
    for k in ("breakeven_tokens_per_day", "payback_months", "saving_usd_per_month"):
        assert _close(opt["comparison"][k], row[k]), k
    assert opt["comparison"]["cheaper"] == row["cheaper"]
    assert opt["comparison"]["win_intervals"] == row["win_intervals"]
    # the verdict and the break-even never contradict each other
    if row["breakeven_tokens_per_day"] is not None and tokens > row["breakeven_tokens_per_day"]:
        assert row["cheaper"] == "selfhost"
    if row["breakeven_tokens_per_day"] is None and not row["win_intervals"]:
        assert row["cheaper"] == "api"
    # check: the recommended option's cost is the one recommend prints
    chk = json.loads(_out(run, "check", str(wf), *extra, "--json", codes=(0, 1)))
    rec_opt = w["recommendation"]["option"]
    assert _close(chk["workloads"][0]["usd_per_month"], rec_opt["usd_per_month"])
    # sweep at the one volume: the same break-even for the same (design, API)
    sw = json.loads(_out(run, "sweep", "-t", f"{tokens / 10!r}:{tokens!r}:2", "-g", hw, "-m", model, "-q", prec, "-a", api,
                        *(["--rent"] if dep == "rented" else []), *extra, "--json"))
    frontier = [r for r in sw["frontier"] if r["api"] == api]
    assert frontier and _close(frontier[0]["breakeven_tokens_per_day"], row["breakeven_tokens_per_day"])


def test_monte_carlo_is_the_same_through_breakeven_recommend_and_plot(run, tmp_path):
    label, hw, model, prec, dep, tokens, api, _ = DESIGNS[0]
    wf = _workload_file(tmp_path, label, hw, model, prec, dep, tokens, api)
    be = json.loads(_out(run, "breakeven", "-t", repr(tokens), "-g", hw, "-m", model, "-q", prec, "-a", api,
                        "--horizon-months", "36", "--monte-carlo", "4000", "--seed", "7", "--json"))
    rec = json.loads(_out(run, "recommend", str(wf), "--monte-carlo", "4000", "--seed", "7", "--json"))
    a = be["monte_carlo"]["apis"][0]
    b = rec["workloads"][0]["monte_carlo"]
    for k in ("p_selfhost_cheaper", "saving_usd_p10", "saving_usd_p50", "saving_usd_p90", "saving_usd_mean"):
        assert _close(a[k], b[k]), k
    assert a["histogram"] == rec["workloads"][0]["uncertainty"]["monte_carlo"]["apis"][0]["histogram"]
    pytest.importorskip("matplotlib")
    out = _out(run, "plot", "montecarlo", "-o", str(tmp_path / "mc.svg"), "-t", repr(tokens), "-g", hw, "-m", model,
              "-q", prec, "-a", api, "--horizon-months", "36", "--monte-carlo", "4000", "--seed", "7")
    assert f"= {a['p_selfhost_cheaper']:.0%}" in out


def _report(tmp_path, label, frontier, apis, capability=None, **kw):
    from openvclosed.commands.options import provenance
    from openvclosed.decision.report import recommend_report

    p = _workload_file(tmp_path, label, "2xrtx4090", "llama-3.1-8b", "fp16", "owned", 5e8, apis[0],
                       frontier=frontier, extra_apis=apis[1:], capability=capability)
    cat = load_catalog([])
    rec = recommend_file(cat, load_workload_file(p), monthly=True, **kw)
    return rec, recommend_report(cat, rec, provenance(str(p)))


def test_report_charts_are_drawn_from_the_decision(tmp_path):
    """The report renders the Recommendation's own result: its break-even markers are the options'
    comparisons, its histogram and tornado the decision's Monte Carlo and sensitivity."""
    rec, report = _report(tmp_path, "sh", 0.0, ["openai/gpt-6.1-terra"], monte_carlo=2000, seed=3,
                          sensitivity=True)
    assert report.recommend is rec.result
    d, wr = rec.decisions[0], report.workloads[0]
    sh = next(o for o in d.options if o.feasible and o.is_self_host)
    assert wr.cost.recommended.y == d.recommended.usd_per_month
    marker = {pt.label: pt.x for pt in wr.cost.breakevens}
    assert sh.comparison["breakeven_tokens_per_day"] < math.inf
    assert _close(marker[sh.reference_api], sh.comparison["breakeven_tokens_per_day"])
    u = rec.result.workloads[0].uncertainty
    assert wr.histogram is not None and wr.histogram.counts == u.monte_carlo.apis[0].histogram["counts"]
    assert wr.histogram.summary == u.monte_carlo.apis[0]
    assert wr.sensitivity == u.sensitivity.apis[0]
    cum = {ln.label: ln.y for ln in wr.cumulative.lines}
    series = {s.option: s.usd_monthly for s in u.series}
    assert cum[f"self-host {sh.name} ({sh.kind.value})"][-1] == pytest.approx(sum(series[sh.id]))


def test_report_draws_the_recommended_hybrid(tmp_path):
    # gpt-6-astra has no v4.1 score: the workload vouches for one, so it may take the frontier share
    rec, report = _report(tmp_path, "hyb", 0.15, ["openai/gpt-6.1-terra", "openai/gpt-6-astra"],
                          capability={"openai/gpt-6-astra": 50})
    d, wr = rec.decisions[0], report.workloads[0]
    assert d.recommended.kind.value == "hybrid" and d.recommended.rest.design is not None
    hyb = next(ln for ln in wr.cost.apis if ln.kind == "hybrid")
    assert hyb.label == f"hybrid {d.recommended.name}"
    assert any(ln.kind == "hybrid" for ln in wr.cumulative.lines)
    # the hybrid's line at the workload's volume is its cost
    i = min(range(len(wr.cost.tokens_per_day)), key=lambda k: abs(wr.cost.tokens_per_day[k] - 5e8))
    assert wr.cost.tokens_per_day[i] == pytest.approx(5e8, rel=0.05)


def test_breakeven_contradiction_of_issue_20_is_gone(run):
    """20M tokens/day on one 4090 against gemini-3.1-pro: the API is cheaper at 20M, so the row's
    break-even (self-hosting cheaper at every volume above it) lies above 20M."""
    d = json.loads(_out(run, "breakeven", "--tokens", "20M", "--gpu", "4090", "--json"))
    for row in d["apis"]:
        be = row["breakeven_tokens_per_day"]
        if row["cheaper"] == "api" and be is not None:
            assert be > 20e6, row
        if be is not None and 20e6 > be:
            assert row["cheaper"] == "selfhost"


def test_usage_reprice_prices_a_design_as_breakeven_does(run):
    """`usage reprice` sizes self-hosting for the logs' peak; the same design at that volume, with the
    logs' input share, cache share and context, costs what `breakeven` says (team included)."""
    rp = json.loads(_out(run, "usage", "reprice", "tests/fixtures/usage/openai_usage.csv", "--gpu", "2x4090",
                         "--json"))
    opt = next(o for o in rp["options"] if o.get("gpu") == "rtx4090" and o.get("fits"))
    be = json.loads(_out(run, "breakeven", "-t", repr(opt["sizing_tokens_per_day"]), "-g", "2x4090",
                         "-m", opt["model"], "-q", opt["quant"], "--input-share", repr(rp["input_share"]),
                         "--cached-share", repr(rp["cached_share"]), "--context", str(rp["context_tokens"]),
                         "--json"))
    assert be["selfhost"]["replicas"] == opt["replicas"]
    assert be["selfhost"]["usd_per_month"] == pytest.approx(opt["usd_per_month"], rel=1e-6)
