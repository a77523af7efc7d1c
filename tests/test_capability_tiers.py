"""One capability scale (issue 21 item 1): tier floors identical in code and docs, unrated models serve
simple work only, a workload vouches (`capability:`) or raises the bar (`min_capability:`), and every
answer prints the chosen model's score next to the floor and the best-scoring feasible alternative."""

import json
import re
from pathlib import Path

import pytest

from openvclosed.catalog import load_catalog
from openvclosed.catalog.base import TIER_FLOORS, tiers_for_score
from openvclosed.decision.recommend import decide_workload
from openvclosed.decision.result import capability_out
from openvclosed.decision.workload import SENSITIVITY_DEFAULT_RULES, WorkloadFile

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cat():
    return load_catalog(include_env=False)


def decide(cat, **kw):
    base = {"name": "w", "tokens_per_day": 1e8, "task_mix": {"simple": 0, "standard": 1, "frontier": 0}}
    base.update(kw)
    w = WorkloadFile.model_validate({"workloads": [base]}).workloads[0]
    return decide_workload(cat, w, SENSITIVITY_DEFAULT_RULES)


def test_floors_in_docs_equal_floors_in_code():
    text = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")
    table = text.split("<!-- tier floors:", 1)[1].split("\n\n", 1)[0]
    rows = dict(re.findall(r"^\| (simple|standard|frontier) \| ([0-9.]+) \|", table, re.M))
    assert {k: float(v) for k, v in rows.items()} == TIER_FLOORS


def test_tiers_follow_the_floors_at_the_boundary():
    assert tiers_for_score(TIER_FLOORS["standard"]) == ["simple", "standard"]
    assert tiers_for_score(TIER_FLOORS["standard"] - 0.1) == ["simple"]
    assert tiers_for_score(TIER_FLOORS["frontier"]) == ["simple", "standard", "frontier"]
    assert tiers_for_score(float("nan")) == ["simple"]


def test_bundled_scores_are_one_version_and_bundled_tiers_set_nothing(cat):
    for e in [*cat.models.values(), *(a for a in cat.apis.values() if a.kind == "closed")]:
        cap = e.capability
        assert cap is not None and cap.version == "v4.1", e.id
        assert cap.source and cap.as_of, e.id
        if cap.score is None:
            assert cap.note and "unrated" in cap.note or "no v4.1 score" in cap.note, e.id
    for m in cat.models.values():
        assert m.tier_list == tiers_for_score(m.capability.score), m.id
    for a in cat.apis.values():
        if a.kind == "closed":
            assert cat.api_tier(a) == tiers_for_score(a.capability.score)[-1], a.id


def test_no_edge_model_for_standard_work(cat):
    assert cat.models["gemma-4-e4b"].tier_list == ["simple"]  # 8.9 on v4.1
    assert cat.models["gpt-oss-120b"].tier_list == ["simple", "standard"]  # 23.8
    d = decide(cat, sensitivity="regulated")
    assert d.recommended is not None and d.recommended.capability_score >= TIER_FLOORS["standard"]
    e4b = [o for o in d.options if o.model == "gemma-4-e4b"]
    assert e4b and all(o.excluded_for("tier") for o in e4b)
    assert "8.9" in e4b[0].excluded_because[-1].message or any("8.9" in f.message for f in e4b[0].excluded_because)


def test_unrated_closed_api_serves_simple_only_until_vouched(cat):
    assert cat.capability_score(cat.apis["anthropic/claude-opus-5-5"]) is None
    d = decide(cat, candidates={"apis": ["anthropic/claude-opus-5-5"], "models": ["gemma-4-e2b"]})
    o = d.option("anthropic/claude-opus-5-5")
    assert not o.feasible and o.excluded_for("tier") and "unrated" in o.excluded_because[0].message
    v = decide(cat, candidates={"apis": ["anthropic/claude-opus-5-5"], "models": ["gemma-4-e2b"]},
               capability={"anthropic/claude-opus-5-5": 50})
    o = v.option("anthropic/claude-opus-5-5")
    assert o.feasible and o.capability_score == 50 and o.tier == "frontier"
    cap = capability_out(v)
    assert cap.parts[0].vouched and cap.parts[0].score == 50 and cap.floor == TIER_FLOORS["standard"]


def test_min_capability_raises_the_bar(cat):
    d = decide(cat, min_capability=40, candidates={"models": ["gpt-oss-120b", "glm-5.2"], "apis": ["deepinfra/gpt-oss-120b"]})
    for o in d.options:
        if o.model == "gpt-oss-120b":
            assert o.excluded_for("min_capability") and "23.8" in o.excluded_because[-1].message
    assert d.recommended is not None and d.recommended.model == "glm-5.2"


def test_best_scoring_alternative_is_another_model(cat):
    d = decide(cat, candidates={"models": ["gpt-oss-120b", "gemma-4-31b"], "apis": ["deepinfra/gpt-oss-120b"]})
    cap = capability_out(d)
    rec = d.recommended
    assert cap.parts[0].score == rec.capability_score
    others = [o for o in d.options if o.feasible and o.model != rec.model and o.kind.value != "hybrid"]
    assert cap.best_alternative_score == max(o.capability_score for o in others)


def test_every_answer_prints_score_floor_and_alternative(run, tmp_path):
    f = tmp_path / "w.yaml"
    f.write_text("version: 1\nworkloads:\n  - name: w\n    tokens_per_day: 1e8\n    sensitivity: regulated\n"
                 "    task_mix: {standard: 1}\n")
    text = " ".join(run("recommend", str(f), "--max-age-days", "100000").stdout.replace("│", " ").split())
    assert "capability (Artificial Analysis Intelligence Index v4.1)" in text
    assert "vs standard floor 23" in text and "best-scoring feasible alternative" in text
    md = run("recommend", str(f), "--format", "markdown", "--max-age-days", "100000").stdout
    assert "standard floor 23" in md
    d = json.loads(run("recommend", str(f), "--json", "--max-age-days", "100000").stdout)
    cap = d["workloads"][0]["recommendation"]["capability"]
    assert cap["floor"] == 23 and cap["version"] == "v4.1" and cap["parts"][0]["score"] >= 23
    rec = d["workloads"][0]["recommendation"]["option"]
    assert rec["capability_score"] == cap["parts"][0]["score"]
    out = tmp_path / "r.html"
    assert run("report", str(f), "-o", str(out), "--max-age-days", "100000").exit_code == 0
    assert "standard floor 23" in out.read_text()


def test_bad_capability_override_is_one_line(run, tmp_path):
    f = tmp_path / "w.yaml"
    f.write_text("version: 1\nworkloads:\n  - name: w\n    tokens_per_day: 1e8\n    capability: {nosuch-model: 40}\n")
    r = run("recommend", str(f))
    assert r.exit_code == 2 and "capability" in r.output and "Traceback" not in r.output
    f.write_text("version: 1\nworkloads:\n  - name: w\n    tokens_per_day: 1e8\n    capability: {glm-5.2: 400}\n")
    r = run("recommend", str(f))
    assert r.exit_code == 2 and "capability" in r.output and "Traceback" not in r.output


def test_vouching_for_a_hosted_offer_or_its_model(cat):
    # Llama 3.3 70B is unrated: its hosted offers serve simple work only until someone vouches
    d = decide(cat, candidates={"apis": ["deepinfra/llama-3.3-70b"], "models": ["gemma-4-e2b"]})
    assert d.option("deepinfra/llama-3.3-70b").excluded_for("tier")
    for key in ("deepinfra/llama-3.3-70b", "llama-3.3-70b"):
        v = decide(cat, candidates={"apis": ["deepinfra/llama-3.3-70b"], "models": ["gemma-4-e2b"]},
                   capability={key: 30})
        o = v.option("deepinfra/llama-3.3-70b")
        assert o.feasible and o.capability_score == 30, key


@pytest.mark.parametrize("scores,needle", [
    ({"gpt-oss-120b": 101}, "capability.'gpt-oss-120b': 101.0: a score on the 0-100 index scale"),
    ({"gpt-oss-120b": -1}, "capability.'gpt-oss-120b': -1.0: a score on the 0-100 index scale"),
    ({"no-such-model": 50}, "capability['no-such-model']: neither a model nor an API of the catalog"),
    ({"evil\u202e\x1b[31m": 50}, "capability['evil\\u202e\\x1b[31m']: neither a model nor an API"),
])
def test_bad_capability_vouching_is_one_line_naming_file_and_field(run, tmp_path, scores, needle):
    """A vouched score outside the scale or for an id the catalog lacks: exit 2, one line naming the
    file and the field (the key escaped: no raw control or bidi character reaches the terminal)."""
    import yaml

    p = tmp_path / "w.yaml"
    p.write_text(yaml.safe_dump({"workloads": [{"name": "x", "tokens_per_day": 1e8, "capability": scores}]},
                                allow_unicode=True))
    r = run("recommend", str(p))
    assert r.exit_code == 2
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"ovc: error: {p}: workloads[x].")
    assert needle in lines[0], lines[0]
    assert "\x1b" not in r.stderr and "\u202e" not in r.stderr
