import datetime as dt
from pathlib import Path

import pytest
import yaml

from openvclosed.catalog import load_catalog
from openvclosed.errors import CatalogError, InputError, UnknownNameError

DATA = Path(__file__).resolve().parents[1] / "data"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def test_bundled_catalogs_validate_and_meet_minimums(cat):
    assert len(cat.apis) >= 15 and len(cat.gpus) >= 12 and len(cat.models) >= 12
    for e in [*cat.apis.values(), *cat.gpus.values(), *cat.models.values()]:
        assert e.source.strip(), e.id
        assert dt.date(2020, 1, 1) <= e.as_of <= dt.date(2027, 1, 1), e.id


def test_required_entries_present(cat):
    for g in ["rtx3090", "rtx4090", "rtx5090", "l4", "l40s", "a10g", "a100-40gb", "a100-80gb", "h100-pcie",
              "h100-sxm", "h200", "mi300x"]:
        assert g in cat.gpus
    for m in ["llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "llama-3.3-70b", "qwen2.5-7b", "qwen2.5-32b",
              "qwen2.5-72b", "mistral-7b", "mixtral-8x7b", "gemma-2-27b", "deepseek-v3", "gpt-oss-120b"]:
        assert m in cat.models
    providers = {a.provider for a in cat.apis.values() if a.kind == "closed"}
    assert {"openai", "anthropic", "google"} <= providers
    hosted = [a for a in cat.apis.values() if a.kind == "hosted-open"]
    assert len({a.provider for a in hosted}) >= 3
    assert all(a.serves_model in cat.models for a in hosted)


def test_every_gpu_price_has_source_date_and_basis(cat):
    for g in cat.gpus.values():
        for p in g.prices:
            assert p.source and p.valid_from and p.usd > 0, g.id
            assert p.basis.unit and p.basis.condition, f"{g.id}: price basis (unit, condition) missing"
        for r in g.rent:
            assert r.source and r.valid_from and r.provider, g.id
    rented = [g for g in cat.gpus.values() if g.rent]
    assert sum(len({r.provider for r in g.rent}) >= 2 for g in rented) >= len(rented) * 0.7


def test_aliases_unique_across_gpus_and_models():
    for name in ("gpus", "models"):
        items = yaml.safe_load((DATA / f"{name}.yaml").read_text())[name]
        seen = {}
        for it in items:
            for a in {str(x).lower() for x in [it["id"], *it.get("aliases", [])]}:
                assert str(a).lower() not in seen, f"{a} in {it['id']} and {seen.get(str(a).lower())}"
                seen[str(a).lower()] = it["id"]


def test_moe_models_have_fewer_active_params(cat):
    for mid in ("mixtral-8x7b", "deepseek-v3", "gpt-oss-120b"):
        m = cat.model(mid)
        assert m.active_params_b < m.params_b


def test_llama_licence_has_mau_threshold(cat):
    assert cat.model("llama-3.3-70b").license.mau_limit == 700_000_000
    assert cat.model("mistral-7b").license.mau_limit is None


@pytest.mark.parametrize("name,expected", [("4090", "rtx4090"), ("RTX 4090", "rtx4090"), ("a100", "a100-80gb"),
                                           ("H100", "h100-sxm"), ("a100-40gb", "a100-40gb")])
def test_gpu_aliases(cat, name, expected):
    assert cat.gpu(name).id == expected


def test_unknown_names_suggest_closest(cat):
    with pytest.raises(UnknownNameError) as e:
        cat.gpu("h1000")
    assert "h100" in str(e.value)
    with pytest.raises(UnknownNameError, match="llama"):
        cat.model("llama-3.3-7b")


def test_user_catalog_overrides_field_by_field_and_adds(cat):
    user = load_catalog([FIXTURES / "user_catalog.yaml"])
    g = user.gpu("4090")
    assert g.purchase_usd == 1800 and g.catalog.endswith("user_catalog.yaml")
    assert g.bandwidth_gb_s == cat.gpu("4090").bandwidth_gb_s  # untouched fields kept
    assert user.api("inhouse/gateway").input_usd_per_mtok == 1.0


def test_env_catalog(monkeypatch):
    monkeypatch.setenv("OVC_CATALOG", str(FIXTURES / "user_catalog.yaml"))
    assert load_catalog().gpu("4090").purchase_usd == 1800


@pytest.mark.parametrize("content,match", [
    ("", "empty"),
    ("- 1\n- 2\n", "top level must be a mapping"),
    ("gpus: [\n", r"bad\.yaml:\d+:\d+: invalid YAML"),
    ("widgets: []\n", "unknown top-level key"),
    ("gpus:\n  - name: x\n", r"gpus\[0\]\.id: required"),
    ("gpus:\n  - id: newcard\n    name: X\n", r"gpus\[newcard\]\.(vendor|memory_gib|source).*"),
    ("gpus:\n  - id: rtx4090\n    vram_gb: -3\n", r"gpus\[rtx4090\]\.memory_gib"),
    ("apis:\n  - id: openai/gpt-6-astra\n    kind: open\n", "must be one of"),
    ("gpus:\n  - id: rtx4090\n    colour: red\n", "unknown field"),
    ("a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
     "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
     "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
     "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
     "j: &j [*i,*i,*i,*i,*i,*i,*i,*i,*i]\nk: &k [*j,*j,*j,*j,*j,*j,*j,*j,*j]\n"
     "l: &l [*k,*k,*k,*k,*k,*k,*k,*k,*k]\n", "aliases"),
])
def test_bad_user_catalogs(tmp_path, content, match):
    p = tmp_path / "bad.yaml"
    p.write_text(content)
    with pytest.raises((CatalogError, InputError), match=match):
        load_catalog([p])


def test_missing_and_oversized_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_catalog([tmp_path / "nope.yaml"])
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * 1_000_100)
    with pytest.raises(InputError, match="limit"):
        load_catalog([big])
