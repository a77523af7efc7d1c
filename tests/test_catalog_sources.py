"""Two price sources (LiteLLM, genai-prices), dated prices, availability, capability and tokenizer records."""

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from openvclosed.catalog import load_catalog
from openvclosed.catalog.apis import ApiEntry, usd_per_mtok_reference
from openvclosed.catalog.genai_prices import plan_import

CAT = load_catalog([], include_env=False)


def _run(*args):
    from openvclosed.cli import app

    return CliRunner().invoke(app, list(args))


def test_every_api_has_availability_a_validity_window_and_a_source():
    for a in CAT.apis.values():
        assert a.availability in ("ga", "preview", "restricted"), a.id
        assert a.availability_source, a.id
        assert a.valid_from is not None and a.source and a.price_source in ("litellm", "genai-prices"), a.id
        assert a.valid_to is None or a.valid_to >= a.valid_from, a.id
        for h in a.history:
            assert h.valid_to is None or h.valid_to < a.valid_from, a.id
        for s in a.scheduled:
            assert s.valid_from > a.valid_from and s.source, a.id
        assert a.tokenizer is not None and a.tokenizer.reference == "o200k_base" and a.tokenizer.source, a.id
        if a.kind == "closed":
            c = a.capability
            assert c is not None and (c.index, c.version) == ("Artificial Analysis Intelligence Index", "v4.1"), a.id
            assert c.source and c.as_of and (c.score is not None or c.note), a.id


def test_restricted_and_preview_models_are_cited_and_not_defaults():
    from openvclosed.decision.selection import default_apis

    assert CAT.apis["anthropic/claude-mythos-5-1"].availability == "restricted"
    assert CAT.apis["google/gemini-3.1-pro-preview"].availability == "preview"
    picks = default_apis(CAT, None)
    assert picks and all(p.availability == "ga" for p in picks)
    assert "anthropic/claude-fable-5-1" in {p.id for p in picks}
    assert "anthropic/claude-mythos-5-1" not in {p.id for p in picks}


def test_fable_prices_as_cited():
    f1, f2, m = (CAT.apis[i] for i in ("anthropic/claude-fable-5-1", "anthropic/claude-fable-5-2",
                                      "anthropic/claude-mythos-5-1"))
    assert (f1.input_usd_per_mtok, f1.output_usd_per_mtok) == (m.input_usd_per_mtok, m.output_usd_per_mtok) == (10, 50)
    assert (f2.input_usd_per_mtok, f2.output_usd_per_mtok) == (8, 40)
    assert "claude-fable-5-2" in f2.source and f2.availability == "ga"


def test_gemini_4_argon_introductory_price_ended_on_its_date():
    raw = load_catalog([], include_env=False, when=dt.date(2026, 12, 5)).apis["google/gemini-4-argon"]
    before = raw.at(dt.date(2026, 11, 30))
    after = raw.at(dt.date(2026, 12, 1))
    assert (before.input_usd_per_mtok, before.output_usd_per_mtok, before.cached_input_usd_per_mtok) == (2, 10, 0.1)
    assert before.valid_to == dt.date(2026, 11, 30)
    assert (after.input_usd_per_mtok, after.output_usd_per_mtok, after.cached_input_usd_per_mtok) == (4, 20, 0.2)
    assert after.price_source == "genai-prices"


def test_future_dated_price_is_picked_on_its_date():
    flash = CAT.apis["google/gemini-3.8-flash"]
    assert flash.at(dt.date(2026, 12, 31)).output_usd_per_mtok == 3.75
    assert flash.at(dt.date(2026, 12, 31)).valid_to == dt.date(2026, 12, 31)
    new = flash.at(dt.date(2027, 1, 1))
    assert (new.input_usd_per_mtok, new.output_usd_per_mtok) == (1.5, 7.5)
    assert new.at(dt.date(2026, 12, 1)).output_usd_per_mtok == 3.75  # a re-dated copy keeps every record
    later = load_catalog([], include_env=False, when=dt.date(2027, 1, 2))  # the default date picks the price then
    assert later.apis["google/gemini-3.8-flash"].input_usd_per_mtok == 1.5
    assert CAT.at(dt.date(2027, 3, 1)).apis["google/gemini-3.8-flash"].output_usd_per_mtok == 7.5


def test_as_of_a_coming_date_prices_the_announced_change(run):
    """--as-of ahead of today: the scheduled price (Gemini 3.8 Flash doubles on 2027-01-01), with a note."""
    import json

    args = ["breakeven", "-t", "1e8", "-g", "2x4090", "-a", "google/gemini-3.8-flash", "--json", "--max-age-days", "100000"]
    now = json.loads(run(*args).stdout)
    ahead = (dt.date(2027, 1, 15) - dt.date.today()).days
    r = run(*args, "--as-of", "2027-01-15")
    if ahead <= 0:  # once that day has passed, it is an ordinary earlier date
        assert r.exit_code == 0
        return
    d = json.loads(r.stdout)
    # 3 input tokens per output token: 0.75 x 1.5 + 0.25 x 7.5 = 3.0 after the change
    assert d["apis"][0]["usd_per_mtok"] == pytest.approx(3.0)
    assert now["apis"][0]["usd_per_mtok"] == pytest.approx(0.75 * 0.75 + 0.25 * 3.75)
    assert "as_of_future" in [f["code"] for f in d["findings"]]
    far = run(*args, "--as-of", (dt.date.today() + dt.timedelta(days=731)).isoformat())
    assert far.exit_code == 2 and "in the future" in far.stderr and len(far.stderr.strip().splitlines()) == 1


def test_price_with_an_end_and_nothing_after_is_not_offered_then():
    a = ApiEntry.model_validate({"id": "x/y", "provider": "x", "model": "y", "kind": "closed", "tier": "simple",
                                 "input_usd_per_mtok": 1, "output_usd_per_mtok": 2, "valid_from": "2026-01-01",
                                 "valid_to": "2026-06-30", "source": "s", "as_of": "2026-01-01"})
    assert a.at(dt.date(2026, 6, 30)) is a and a.at(dt.date(2026, 7, 1)) is None and a.at(dt.date(2025, 12, 31)) is None


def test_sources_disagreement_listing():
    t = CAT.apis["together/llama-3.3-70b-turbo"]
    (alt, field, rel), = t.disagreements()
    assert (t.input_usd_per_mtok, alt.input_usd_per_mtok) == (1.04, 0.88) and alt.source_name == "genai-prices 0.2.3"
    assert rel == pytest.approx(0.16 / 1.04)
    r = _run("catalog", "diff", "--sources", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    ids = [d["id"] for d in doc["disagreements"]]
    assert "together/llama-3.3-70b-turbo" in ids and "LiteLLM" in doc["bundled_choice"]
    assert all(d["relative_difference"] > doc["tolerance"] for d in doc["disagreements"])
    text = _run("catalog", "diff", "--sources").output
    assert "together/llama-3.3-70b-turbo" in text and "bundled choice" in text
    from openvclosed.errors import InputError

    assert isinstance(_run("catalog", "diff").exception, InputError)


def test_reference_price_conversion():
    assert usd_per_mtok_reference(10.0, 1.46) == pytest.approx(14.6)
    assert usd_per_mtok_reference(3.0, None) == 3.0
    import numpy as np

    assert np.allclose(usd_per_mtok_reference(np.array([1.0, 2.0]), 0.5), [0.5, 1.0])
    f = CAT.apis["anthropic/claude-fable-5-1"]
    assert f.input_usd_per_mtok_reference == pytest.approx(10 * f.tokens_per_reference_token)
    doc = json.loads(_run("catalog", "apis", "--json").output)
    row = next(e for e in doc["apis"] if e["id"] == "anthropic/claude-fable-5-1")
    assert row["output_usd_per_mtok_reference"] == pytest.approx(50 * 1.46)
    assert row["tokenizer"]["tokens_per_reference_token"] == 1.46 and row["availability"] == "ga"


class _Find:
    def __init__(self, models):
        self.models = models

    def __call__(self, ref):
        return self.models.get(ref)


def _price(d, i, o, c=None):
    return {"valid_from": d, "input_usd_per_mtok": i, "output_usd_per_mtok": o, "cached_input_usd_per_mtok": c,
            "cache_write_usd_per_mtok": None}


def test_plan_import_dated_change_scheduled_and_disagreement():
    """Hand-made genai-prices records: a past dated change is applied, a future one scheduled, a plain
    disagreement kept as an alternative, an agreement within 3% ignored."""
    gp = {"google": {"find": _Find({
        "gemini-3.8-flash": {"id": "gemini-3.8-flash", "prices": [_price(None, 0.75, 3.75), _price(dt.date(2027, 1, 1), 1.5, 7.5)]},
        "gemini-4-argon": {"id": "gemini-4-argon", "prices": [_price(None, 2, 10), _price(dt.date(2026, 12, 1), 4, 20)]},
        "gemini-3.5-flash-lite": {"id": "x", "prices": [_price(None, 0.301, 2.5)]},
    })}, "together": {"find": _Find({"meta-llama/Llama-3.3-70B-Instruct-Turbo": {"id": "l", "prices": [_price(None, 0.88, 0.88)]}})}}
    base = load_catalog([], include_env=False, when=dt.date(2026, 11, 25))
    # undo the bundled genai-prices merge for the two dated entries, as before the import
    from openvclosed.catalog import Catalog

    apis = []
    for a in base.apis.values():
        if a.id in ("google/gemini-3.8-flash", "google/gemini-4-argon"):
            a = a.at(dt.date(2026, 11, 25)).model_copy(update={"scheduled": [], "valid_to": None})
        if a.id == "together/llama-3.3-70b-turbo":
            a = a.model_copy(update={"alt_prices": []})
        apis.append(a)
    cat = Catalog(apis, list(base.gpus.values()), list(base.models.values()))
    plan = plan_import(gp, cat, "genai-prices 9", dt.date(2026, 12, 2))
    changed = {c["id"]: c["entry"] for c in plan["changed"]}
    assert set(changed) == {"google/gemini-3.8-flash", "google/gemini-4-argon"}
    argon = changed["google/gemini-4-argon"]
    assert (argon["input_usd_per_mtok"], argon["valid_from"]) == (4, dt.date(2026, 12, 1))
    assert argon["history"][-1]["valid_to"] == dt.date(2026, 11, 30) and argon["history"][-1]["input_usd_per_mtok"] == 2
    flash = changed["google/gemini-3.8-flash"]
    assert "input_usd_per_mtok" not in flash and flash["scheduled"][0]["valid_from"] == dt.date(2027, 1, 1)
    assert flash["valid_to"] == dt.date(2026, 12, 31)
    assert [a["id"] for a in plan["alt"]] == ["together/llama-3.3-70b-turbo"]
    merged = ApiEntry.model_validate({**cat.apis["google/gemini-4-argon"].model_dump(exclude={"input_usd_per_mtok_reference",
                                                                                            "output_usd_per_mtok_reference"}), **argon})
    assert merged.at(dt.date(2026, 11, 30)).input_usd_per_mtok == 2


def test_import_genai_prices_from_the_installed_package(tmp_path):
    pytest.importorskip("genai_prices")
    r = _run("catalog", "import-genai-prices", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["source"].startswith("genai-prices ")
    out = tmp_path / "g.yaml"
    r = _run("catalog", "import-genai-prices", "--write", str(out))
    assert r.exit_code == 0 and out.exists()
    load_catalog([out], include_env=False)  # what it writes is a valid user catalog


def test_genai_prices_is_not_imported_at_start_up():
    import subprocess
    import sys

    code = ("import sys\nfrom openvclosed.cli import main\nsys.argv=['ovc','breakeven','-t','5e8','-g','2x4090']\n"
            "import io, contextlib\ntry:\n    with contextlib.redirect_stdout(io.StringIO()): main()\nexcept SystemExit: pass\n"
            "print(any(m.startswith('genai_prices') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[-1] == "False"


def test_readme_first_command_has_no_stale_api_price_warning():
    r = _run("breakeven", "--tokens", "5e8", "--gpu", "2x4090", "--json")
    doc = json.loads(r.stdout)
    stale = [f for f in doc.get("findings", []) if f["code"] == "stale_price"]
    assert not any(i in CAT.apis for f in stale for i in f.get("ids", []))
    assert "API price" not in r.stderr


def test_open_model_tokenizer_comes_from_its_hosted_offers():
    t = CAT.model_tokenizer("llama-3.3-70b")
    assert t is not None and t.tokens_per_reference_token == 1.039 and "korchasa/tldr" in t.source
    assert {a.tokens_per_reference_token for a in CAT.hosted_offers("llama-3.3-70b")} == {1.039}
    assert CAT.model_tokenizer("glm-4.6") is None  # no cited comparison: unknown, priced as listed


def test_import_genai_prices_without_the_package_is_one_error_line(monkeypatch):
    import builtins

    from openvclosed.catalog import genai_prices
    from openvclosed.errors import InputError

    real = builtins.__import__

    def no_genai(name, *a, **k):
        if name.startswith("genai_prices"):
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_genai)
    with pytest.raises(InputError, match=r"pip install 'openvclosed\[prices\]'"):
        genai_prices.load_installed()
