"""The collected late-2026 catalog and measurement files parse, have unique ids and cite sources."""

import csv
from pathlib import Path

import pytest
import yaml

INCOMING = Path(__file__).resolve().parents[1] / "data" / "incoming"
YAML_FILES = {"models_a.yaml": "models", "models_b.yaml": "models", "models_c.yaml": "models",
              "models_d.yaml": "models", "gpus_2026.yaml": "gpus", "gpus_d.yaml": "gpus", "apis_2026.yaml": "apis"}
MODEL_FILES = ("models_a.yaml", "models_b.yaml", "models_c.yaml", "models_d.yaml")


@pytest.mark.parametrize("name, key", sorted(YAML_FILES.items()))
def test_yaml_entries_cite_source_and_as_of(name, key):
    entries = yaml.safe_load((INCOMING / name).read_text(encoding="utf-8"))[key]
    assert entries, name
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids)), f"duplicate ids in {name}"
    for e in entries:
        assert e.get("source") and e.get("as_of"), f"{name}: {e['id']} lacks source or as_of"


def test_model_ids_and_aliases_unique_across_files():
    seen: dict[str, str] = {}
    for name in MODEL_FILES:
        for e in yaml.safe_load((INCOMING / name).read_text(encoding="utf-8"))["models"]:
            for n in {e["id"], *(e.get("aliases") or [])}:
                assert n not in seen, f"{n} names {e['id']} ({name}) and {seen[n]}"
                seen[n] = f"{e['id']} ({name})"


def test_model_layer_groups_add_up():
    for name in MODEL_FILES:
        for e in yaml.safe_load((INCOMING / name).read_text(encoding="utf-8"))["models"]:
            groups = e.get("attention") or []
            if e.get("layers") and groups:
                assert sum(g["layers"] for g in groups) == e["layers"], f"{name}: {e['id']}"
            if e.get("active_params_b") and e.get("params_b"):
                assert e["active_params_b"] <= e["params_b"], e["id"]


@pytest.mark.parametrize("name, at_least", [("throughput_batched.csv", 150), ("throughput_single.csv", 50)])
def test_measurements_cite_a_source(name, at_least):
    with open(INCOMING / name, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= at_least
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["source"].startswith("http") and float(r["tokens_per_s"]) > 0, r["id"]


@pytest.mark.parametrize("name", ["apis.yaml", "gpus.yaml", "models.yaml"])
def test_bundled_catalogs_pass_the_strict_user_file_checks(name):
    """The bundled catalogs load without the strict checks at run time; here they must pass them."""
    from openvclosed.yamlio import load_yaml_file

    assert load_yaml_file(INCOMING.parent / name)


def test_patches_name_existing_entries_and_say_why():
    for name, key, base in (("gpus_d.yaml", "gpus", ("gpus_2026.yaml",)),
                            ("models_d.yaml", "models", ("models_a.yaml", "models_b.yaml", "models_c.yaml"))):
        ids = {e["id"] for b in base for e in yaml.safe_load((INCOMING / b).read_text(encoding="utf-8"))[key]}
        patches = yaml.safe_load((INCOMING / name).read_text(encoding="utf-8")).get("patches") or {}
        assert patches, name
        for pid, fields in patches.items():
            assert pid in ids and fields.get("patch_note"), (name, pid)


def test_capability_file_is_one_version_and_scores_are_plausible():
    cap = yaml.safe_load((INCOMING / "capability_v4_1.yaml").read_text(encoding="utf-8"))
    assert cap["version"] == "v4.1" and cap["source"].startswith("https://") and cap["as_of"]
    assert not set(cap["scores"]) & set(cap["unrated"])  # a model is scored or unrated, never both
    for mid, (score, mode, row) in cap["scores"].items():
        assert 0 < score <= 100 and row, mid
        assert mode in (None, "reasoning", "non-reasoning"), mid
    for mid, reason in cap["unrated"].items():
        assert reason, mid
