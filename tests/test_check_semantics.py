"""`ovc check` semantics: unknown policy/budget keys, no feasible option named per kind, baselines
refused (strict JSON, schema version, workloads), a stable baseline, precision changes, cost
attribution by factor, and annotations that no workload string can forge."""

import json
from pathlib import Path

import pytest
import yaml

from openvclosed.check.baseline import design_key, _option_changes

ROOT = Path(__file__).resolve().parents[1]
CI_FILE = ROOT / "examples" / "ci-workloads.yaml"
QUIET = ["--max-age-days", "100000", "--max-hardware-age-days", "100000"]


def _write(tmp_path, data, name="w.yaml"):
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    return p


def _ci():
    return yaml.safe_load(CI_FILE.read_text())


@pytest.mark.parametrize("policy,needle", [
    ({"budget_usd_per_month": {"suport-chat": 10}}, "did you mean 'support-chat'?"),
    ({"max_usd_per_mtok": {"claims-summary": 1}}, "did you mean 'claims-summaries'?"),
    ({"budget_usd_per_mont": {"total": 10}}, "did you mean 'budget_usd_per_month'?"),
    ({"required_deployment": {"internal": []}}, "an empty list allows no deployment"),
])
def test_unknown_keys_are_bad_input(run, tmp_path, policy, needle):
    data = _ci()
    data["policy"] = policy
    r = run("check", str(_write(tmp_path, data)), *QUIET)
    assert r.exit_code == 2 and needle in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.output


def test_no_feasible_option_names_the_constraints(run, tmp_path):
    data = _ci()
    w = data["workloads"][0]
    w.update(sensitivity="regulated", site="office", candidates={"hardware": ["1x4090"]},
             latency={"min_tokens_per_s": 5000})
    p = _write(tmp_path, data)
    r = run("check", str(p), "--format", "json", *QUIET)
    assert r.exit_code == 1
    d = json.loads(r.stdout)
    row = d["workloads"][0]
    kinds = {k["kind"]: k for k in row["excluded"]}
    assert list(kinds) == ["closed-api", "hosted-open-api", "self-host", "self-host-cloud", "hybrid"]
    assert kinds["closed-api"]["codes"]["sensitivity"] == kinds["closed-api"]["options"]  # every API: regulated data
    assert "latency" in kinds["self-host"]["codes"] and "sensitivity" not in kinds["self-host"]["codes"]
    assert kinds["hybrid"]["options"] == 0 and kinds["hybrid"]["note"]
    f = next(f for f in d["findings"] if f["code"] == "feasible")
    assert "closed API: sensitivity" in f["message"] and "self-host owned: latency" in f["message"]
    md = run("check", str(p), "--format", "markdown", *QUIET).stdout
    assert "None" not in md and "$0/month" not in md
    assert "no feasible option" in md and "for 1 of 2 workloads" in md
    # every workload without an option: no total at all
    for w in data["workloads"]:
        w.update(sensitivity="regulated", site="office", candidates={"hardware": ["1x4090"]},
             latency={"min_tokens_per_s": 5000})
    md = run("check", str(_write(tmp_path, data, "all.yaml")), "--format", "markdown", *QUIET).stdout
    assert "**Total: no feasible option**" in md and "None" not in md and "$0" not in md


def _baseline(run, tmp_path, workload=CI_FILE, name="b.json", *extra):
    b = tmp_path / name
    r = run("check", str(workload), "--write-baseline", str(b), *QUIET, *extra)
    assert r.exit_code in (0, 1), r.output
    return b


def test_baseline_is_stable_and_refused_when_forged(run, tmp_path):
    b = _baseline(run, tmp_path)
    text = b.read_text()
    data = json.loads(text)
    assert "generated" not in data and "findings" not in data and data["inputs"]["tool_version"]
    assert list(data) == sorted(data)
    # a rerun with the same content (no run date in it): the same bytes, and the file is left alone
    mtime = b.stat().st_mtime_ns
    r = run("check", str(CI_FILE), "--write-baseline", str(b), *QUIET)
    assert "unchanged baseline" in r.stderr and b.stat().st_mtime_ns == mtime and b.read_text() == text
    for bad, needle in [
        (text.rstrip()[:-1] + ', "workloads": []}', "duplicate key 'workloads'"),
        (json.dumps({k: v for k, v in data.items() if k != "workloads"}), "workloads: missing"),
        (json.dumps({**data, "schema_version": 999}), "schema_version"),
        (json.dumps({**data, "workloads": data["workloads"] * 2}), "appears twice"),
        (json.dumps({**data, "inputs": {**data["inputs"], "api_prices": "x"}}), "inputs.api_prices"),
    ]:
        f = tmp_path / "forged.json"
        f.write_text(bad)
        r = run("check", str(CI_FILE), "--baseline", str(f), *QUIET)
        assert r.exit_code == 2 and needle in r.stderr and len(r.stderr.strip().splitlines()) == 1, (needle, r.stderr)


def test_design_key_and_precision_changes():
    assert design_key("1xh100-sxm qwen2.5-32b fp8") == ("1xh100-sxm qwen2.5-32b", "fp8")
    assert design_key("g/x for frontier 10% + 2xl40s gpt-oss-120b mxfp4")[1] == "mxfp4"
    gained, lost, prec = _option_changes({"1xh100-sxm qwen2.5-32b fp8", "a/api", "1xl40s m int4"},
                                         {"1xh100-sxm qwen2.5-32b fp16", "a/api", "b/api"})
    assert gained == ["b/api"] and lost == ["1xl40s m int4"]
    assert [(c.design, c.before, c.after) for c in prec] == [("1xh100-sxm qwen2.5-32b", "fp8", "fp16")]


def test_attribution_one_factor_at_a_time(run, tmp_path):
    """Only the volume changes: all of the delta is volume. Only a price changes (user catalog):
    all of it is that price. Both: the factors add up to the delta."""
    b = _baseline(run, tmp_path)
    data = _ci()
    data["workloads"][0]["requests_per_day"] *= 3
    p = _write(tmp_path, data)
    d = json.loads(run("check", str(p), "--baseline", str(b), "--format", "json", *QUIET).stdout)["baseline"]
    chat = d["workloads"][0]
    assert chat["delta_usd_per_month"] > 0
    assert [f["factor"] for f in chat["attribution"]] == ["volume"]
    assert chat["attribution"][0]["usd_per_month"] == pytest.approx(chat["delta_usd_per_month"], abs=0.02)
    assert d["workloads"][1]["status"] == "same" and d["workloads"][1]["attribution"] == []
    # the recommended API's price halves in a user catalog
    rec_api = chat["after"].split(" ")[0]
    cat = tmp_path / "prices.yaml"
    cat.write_text(yaml.safe_dump({"apis": [{"id": rec_api, "input_usd_per_mtok": 0.01, "output_usd_per_mtok": 0.05,
                                             "source": "test: a negotiated price", "as_of": "2026-11-01"}]}))
    d = json.loads(run("check", str(p), "--catalog", str(cat), "--baseline", str(b), "--format", "json",
                       *QUIET).stdout)["baseline"]
    chat = d["workloads"][0]
    factors = {f["factor"]: f for f in chat["attribution"]}
    assert set(factors) <= {"volume", "api_price"} and "api_price" in factors and factors["api_price"]["usd_per_month"] < 0
    assert rec_api in factors["api_price"]["detail"]
    assert sum(f["usd_per_month"] for f in chat["attribution"]) == pytest.approx(chat["delta_usd_per_month"], abs=0.02)
    assert d["catalog_changed"] is True
    totals = {f["factor"]: f["usd_per_month"] for f in d["attribution"]}
    assert totals["api_price"] == pytest.approx(factors["api_price"]["usd_per_month"], abs=0.02)
    md = run("check", str(p), "--catalog", str(cat), "--baseline", str(b), "--format", "markdown", *QUIET).stdout
    assert "| API prices |" in md and "why the total moved" in md


def test_old_baseline_without_inputs_says_so(run, tmp_path):
    b = _baseline(run, tmp_path)
    data = json.loads(b.read_text())
    del data["inputs"]
    data["schema_version"] = 1
    b.write_text(json.dumps(data))
    w = _ci()
    w["workloads"][0]["requests_per_day"] *= 2
    d = json.loads(run("check", str(_write(tmp_path, w)), "--baseline", str(b), "--format", "json", *QUIET).stdout)
    chat = d["baseline"]["workloads"][0]
    assert chat["attribution"] == [] and "write it again" in chat["attribution_note"]


FORGE = "x\r\n::error file=a.py::forged ##[error]legacy 100%0A %25"


def test_annotations_cannot_be_forged(run, tmp_path, monkeypatch):
    """Workload strings reach annotations through findings (here a user catalog's API id and the
    workload file name): every `::` line is ours, `%`, CR/LF and the legacy `##[` form are escaped."""
    from openvclosed.report.check import render_github_annotations
    from openvclosed.check.policy import CheckResult
    from openvclosed.results.base import Finding

    r = CheckResult(generated="2026-12-01", file="w##[x].yaml\n::error::f", total_usd_per_month=1.0,
                    total_budget_usd_per_month=None, workloads=[], passed=False,
                    findings=[Finding(code="budget", severity="failure", ids=[FORGE], message=FORGE),
                              Finding(code="stale_price", severity="warning", ids=["rtx4090"], message=FORGE)])
    out = render_github_annotations(r)
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("::error file=") and lines[1].startswith("::warning file=")
    import re

    # the properties hold no `:` or `,` of their own, so the command ends at our second `::`
    assert all(re.match(r"::(error|warning) file=[^:,]*,title=[^:,]*::", x) for x in lines), lines
    assert "##[" not in out and "\r" not in out and "%0A" in out and "100%250A %2525" in out
    assert "title=ovc stale price" in lines[1]


# --- property: any baseline is read (then diffed and rendered) or refused with one line -------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                     st.floats(allow_nan=False, allow_infinity=False), st.floats(min_value=0, max_value=1e-300),
                     st.text(max_size=20), st.sampled_from(["NaN", "##[error]x", "::error::x", "\u202e", "1e309"]))
_VALUES = st.recursive(_SCALARS, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
                       max_leaves=6)


@pytest.fixture(scope="module")
def ci_result(tmp_path_factory):
    """The check of the CI example (no I/O per example below) and a baseline of it as JSON data."""
    import datetime as dt

    from openvclosed.catalog import load_catalog
    from openvclosed.check.baseline import baseline_text
    from openvclosed.check.inputs import collect_inputs
    from openvclosed.check.policy import evaluate, parse_policy
    from openvclosed.decision.recommend import decide_file
    from openvclosed.decision.workload import load_workload_file

    cat = load_catalog(include_env=False)
    wf = load_workload_file(CI_FILE)
    decisions, _ = decide_file(cat, wf)
    result = evaluate(cat, decisions, parse_policy(wf.policy, "w.yaml"), file="w.yaml", today=dt.date(2026, 12, 1),
                      price_dates=[])
    return result, json.loads(baseline_text(result, collect_inputs(cat, wf, decisions)))


def _strings(v) -> list[str]:
    if isinstance(v, str):
        return [v] if v else []
    if isinstance(v, dict):
        return [x for k, y in v.items() for x in (_strings(k) + _strings(y))]
    if isinstance(v, list):
        return [x for y in v for x in _strings(y)]
    return []


def _paths(d, prefix=()):
    if isinstance(d, dict):
        for k, v in d.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))
    elif isinstance(d, list):
        for i, v in enumerate(d[:3]):
            yield prefix + (i,)
            yield from _paths(v, prefix + (i,))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_baseline_is_read_or_refused(ci_result, tmp_path_factory, data):
    import copy

    from openvclosed.check.baseline import diff, read_baseline
    from openvclosed.errors import InputError
    from openvclosed.report.check import render_check_markdown, render_check_table

    result, good = ci_result
    doc = copy.deepcopy(good)
    drawn: list[str] = []  # strings the draw put in: echoed back as text (a file name "NAN") is no number
    for _ in range(data.draw(st.integers(1, 3))):  # replace up to three fields anywhere with anything
        paths = list(_paths(doc))
        path = data.draw(st.sampled_from(paths))
        target = doc
        for k in path[:-1]:
            target = target[k]
        target[path[-1]] = v = data.draw(_VALUES)
        drawn += _strings(v)
    f = tmp_path_factory.mktemp("b") / "b.json"
    f.write_text(json.dumps(doc, allow_nan=False))
    try:
        old = read_baseline(f)
    except InputError as e:
        assert "\n" not in str(e) and str(f) in str(e)
        return
    r = result.model_copy(update={"baseline": diff(old, result)})
    md = render_check_markdown(r)
    text = md + render_check_table(r, width=100) + r.model_dump_json()
    for x in sorted(drawn, key=len, reverse=True):
        text = text.replace(x, "").replace(json.dumps(x)[1:-1], "")
    assert "nan" not in text.lower().replace("nano", "").replace("financ", "") and "inf%" not in text
    assert "None" not in md


def test_attribution_names_a_catalog_change(run, tmp_path):
    """A new, cheaper offer in the catalog (no stored price changed, same volume and workload): the
    whole change is the catalog's, with the digests named."""
    b = _baseline(run, tmp_path)
    cat = tmp_path / "new-offer.yaml"
    cat.write_text(yaml.safe_dump({"apis": [{
        "id": "acme/cheap-frontier", "provider": "acme", "model": "cheap-frontier", "kind": "closed",
        "role": "flagship", "tier": "frontier", "input_usd_per_mtok": 0.001, "output_usd_per_mtok": 0.002,
        "source": "test fixture: a hypothetical offer", "as_of": "2026-11-01"}]}))
    d = json.loads(run("check", str(CI_FILE), "--catalog", str(cat), "--baseline", str(b), "--format", "json",
                       *QUIET).stdout)["baseline"]
    chat = d["workloads"][0]
    assert chat["delta_usd_per_month"] < 0 and "acme/cheap-frontier" in chat["after"]
    assert [f["factor"] for f in chat["attribution"]] == ["catalog"]
    assert chat["attribution"][0]["usd_per_month"] == pytest.approx(chat["delta_usd_per_month"], abs=0.02)
    assert "catalog " in chat["attribution"][0]["detail"] and " -> " in chat["attribution"][0]["detail"]


def test_superseded_precision_is_not_a_lost_option(run, tmp_path):
    b = _baseline(run, tmp_path)
    data = json.loads(b.read_text())
    opts = data["workloads"][1]["feasible_options"]
    fp16 = next(x for x in opts if x.endswith(" fp16"))
    data["workloads"][1]["feasible_options"] = sorted([x for x in opts if x != fp16] + [fp16[:-4] + "fp8"])
    b.write_text(json.dumps(data))
    d = json.loads(run("check", str(CI_FILE), "--baseline", str(b), "--format", "json", *QUIET).stdout)["baseline"]
    w = d["workloads"][1]
    assert w["became_infeasible"] == [] and w["became_feasible"] == []
    assert w["changed_precision"] == [{"design": fp16[:-5], "before": "fp8", "after": "fp16"}]
    md = run("check", str(CI_FILE), "--baseline", str(b), "--format", "markdown", *QUIET).stdout
    assert "changed precision:" in md and "no longer feasible" not in md


@pytest.mark.parametrize("text", ['budget_usd_per_month: {total: "##[error]x::y"}\n',
                                  'budget_usd_per_month: {"##[error]x": 5}\n', '"##[warning]k\\n::error::z": 1\n'])
def test_policy_errors_break_workflow_commands(run, tmp_path, text):
    pol = tmp_path / "p.yaml"
    pol.write_text(text)
    r = run("check", str(CI_FILE), "--policy", str(pol), *QUIET)
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "##[" not in r.stderr and "::error" not in r.stderr
