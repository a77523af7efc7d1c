"""The JSON cache of the bundled catalogs (validated entries, and the parsed YAML for user
overrides): same catalog as the YAML, never trusted when its key does not match, never an error
when it cannot be read or written."""

import json

from openvclosed.catalog import cache, load_catalog


def _dump(cat):
    return {s: {k: e.model_dump() for k, e in getattr(cat, s).items()} for s in ("apis", "gpus", "models")}


def _files(d, part="validated"):
    suffix = cache.PARTS[part] + ".json"
    return sorted(p for p in d.iterdir() if p.name.startswith("catalog-") and p.name.endswith(suffix)
                  and (part != "validated" or not p.name.endswith("-yaml.json")))


def test_cached_catalog_equals_parsed_yaml(tmp_path, monkeypatch):
    monkeypatch.setenv("OVC_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("OVC_NO_CACHE", "1")
    plain_cat = load_catalog([], include_env=False)
    plain = _dump(plain_cat)
    assert not list(tmp_path.iterdir())
    monkeypatch.delenv("OVC_NO_CACHE")
    first = _dump(load_catalog([], include_env=False))  # writes the cache
    (f,) = _files(tmp_path)
    cached = load_catalog([], include_env=False)  # reads it
    second = _dump(cached)
    assert plain == first == second
    for s in ("apis", "gpus", "models"):  # the rebuilt objects are equal to validated ones, field by field
        assert getattr(cached, s) == getattr(plain_cat, s)
    g = next(iter(cached.gpus.values()))
    assert type(g).model_validate(g.model_dump()) == g
    assert '{"__ovc_date__":' in f.read_text()  # dates survive as dates (the models compare equal above)


def test_cache_with_another_key_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("OVC_CACHE_DIR", str(tmp_path))
    load_catalog([], include_env=False)
    (f,) = _files(tmp_path)
    doc = json.loads(f.read_text())
    some_api = next(iter(doc["sections"]["apis"].values()))
    some_api["input_usd_per_mtok"] = 123456.0
    doc["key"] = "0" * 64  # a stale or forged cache: its key is not the files' hash
    f.write_text(json.dumps(doc))
    cat = load_catalog([], include_env=False)
    assert cat.apis[some_api["id"]].input_usd_per_mtok != 123456.0
    assert json.loads(f.read_text())["key"] != "0" * 64  # rewritten


def test_corrupt_or_unwritable_cache_is_not_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("OVC_CACHE_DIR", str(tmp_path))
    want = _dump(load_catalog([], include_env=False))
    (f,) = _files(tmp_path)
    f.write_text('{"key": [1, 2')
    assert _dump(load_catalog([], include_env=False)) == want
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("OVC_CACHE_DIR", str(blocker / "sub"))  # cannot be created
    assert _dump(load_catalog([], include_env=False)) == want


def test_data_using_the_date_tag_is_not_cached(tmp_path, monkeypatch):
    calls = []
    (tmp_path / "data").mkdir()
    for s in cache.SECTIONS:
        (tmp_path / "data" / f"{s}.yaml").write_text("x: 1\n")
    monkeypatch.setenv("OVC_CACHE_DIR", str(tmp_path / "c"))
    out = cache.bundled_sections(tmp_path / "data", lambda text: calls.append(text) or {"a": {cache._DATE: "x"}})
    assert out["apis"] == {"a": {cache._DATE: "x"}} and len(calls) == 3
    assert not (tmp_path / "c").exists()


def test_start_up_table_names_every_command():
    """cli._MODULES_OF (a run builds only the command it runs) lists every command of every module."""
    import importlib

    import typer

    from openvclosed import cli
    from openvclosed.commands import COMMAND_MODULES

    found = {}
    for name in COMMAND_MODULES:
        app = typer.Typer()
        importlib.import_module(f"openvclosed.commands.{name}").register(app)
        for c in app.registered_commands:
            found.setdefault(c.name or c.callback.__name__.replace("_", "-"), set()).add(name)
        for g in app.registered_groups:
            found.setdefault(g.name, set()).add(name)
    assert {k: set(v) for k, v in cli._MODULES_OF.items() if k in found} == {
        k: v | ({"catalog_import"} if k == "catalog" else set()) for k, v in found.items()}
    assert set(found) == set(cli._MODULES_OF)


def _bundled_copy(tmp_path, monkeypatch):
    """A copy of the bundled data the loader reads instead (to change one byte of it)."""
    import shutil

    from openvclosed.catalog import store

    data = tmp_path / "data"
    shutil.copytree(store.bundled_data_dir(), data)
    monkeypatch.setattr(store, "bundled_data_dir", lambda: data)
    return data


def test_cache_key_changes_when_a_bundled_file_changes(tmp_path, monkeypatch):
    data = _bundled_copy(tmp_path, monkeypatch)
    monkeypatch.setenv("OVC_CACHE_DIR", str(tmp_path / "c"))
    cat = load_catalog([], include_env=False)
    old_key, _ = cache.bundled_key(data)
    (f,) = _files(tmp_path / "c")
    api = cat.apis["openai/gpt-6-luna"]
    text = (data / "apis.yaml").read_text()
    head, tail = text.split("- id: openai/gpt-6-luna\n", 1)
    tail = tail.replace("input_usd_per_mtok: 0.1\n", "input_usd_per_mtok: 0.11\n", 1)
    (data / "apis.yaml").write_text(head + "- id: openai/gpt-6-luna\n" + tail)
    new_key, _ = cache.bundled_key(data)
    assert new_key != old_key
    cat2 = load_catalog([], include_env=False)  # the old cache file is not used
    assert cat2.apis["openai/gpt-6-luna"].input_usd_per_mtok == 0.11 != api.input_usd_per_mtok
    assert len(_files(tmp_path / "c")) == 2


def test_cache_key_covers_the_schema_modules(monkeypatch, tmp_path):
    data = _bundled_copy(tmp_path, monkeypatch)
    key, _ = cache.bundled_key(data)
    monkeypatch.setattr(cache, "_SCHEMA_MODULES", cache._SCHEMA_MODULES[:-1])
    assert cache.bundled_key(data)[0] != key


def test_cached_entries_are_not_validated_again(tmp_path, monkeypatch):
    """A run from a valid cache builds the entries with model_construct: model_validate is not called."""
    from openvclosed.catalog import ApiEntry

    monkeypatch.setenv("OVC_CACHE_DIR", str(tmp_path))
    want = _dump(load_catalog([], include_env=False))
    calls = []
    real = ApiEntry.model_validate.__func__
    monkeypatch.setattr(ApiEntry, "model_validate", classmethod(lambda cls, *a, **k: calls.append(1) or real(cls, *a, **k)))
    assert _dump(load_catalog([], include_env=False)) == want and calls == []


def test_user_override_validates_only_what_it_touches(tmp_path, monkeypatch):
    monkeypatch.setenv("OVC_CACHE_DIR", str(tmp_path / "c"))
    load_catalog([], include_env=False)
    user = tmp_path / "u.yaml"
    user.write_text("apis:\n  - {id: openai/gpt-6-luna, input_usd_per_mtok: 0.3, source: ours, as_of: 2026-11-01}\n")
    cat = load_catalog([user], include_env=False)
    assert cat.apis["openai/gpt-6-luna"].input_usd_per_mtok == 0.3
    assert cat.apis["openai/gpt-6-luna"].catalog == str(user)
    bad = tmp_path / "bad.yaml"
    bad.write_text("apis:\n  - {id: openai/gpt-6-luna, input_usd_per_mtok: -1, source: ours, as_of: 2026-11-01}\n")
    import pytest

    from openvclosed.errors import CatalogError

    with pytest.raises(CatalogError, match="input_usd_per_mtok"):
        load_catalog([bad], include_env=False)
