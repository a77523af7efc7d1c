"""Build data/models.yaml, data/gpus.yaml and data/apis.yaml from the cited files in data/incoming/.

Usage::

    python scripts/merge_incoming.py            # rewrites data/models.yaml and data/gpus.yaml
    python scripts/merge_incoming.py --apis     # also data/apis.yaml from apis_2026.yaml (the API
                                                # catalog is maintained by scripts/build_api_catalog.py)

Entries are copied as collected (every one with source and as_of); this script only
(1) leaves out entries the engine cannot model yet (listed in SKIP with the reason),
(2) drops price records without a figure, (3) applies the corrections in FIXES (each with its
reason) and (4) replaces every model's capability with its record on the one capability scale
(``capability_v4_1.yaml``: a score of the same weights, or unrated with the reason). Bundled
entries carry no hand-set ``tiers``: tiers follow from the score and the tier floors
(``catalog.base.TIER_FLOORS``, docs/methodology.md). Not used at run time.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
INCOMING = ROOT / "data" / "incoming"

SKIP = {
    "mistral-medium-3.5-128b": "no architecture file was found (layers, KV heads and precision unknown)",
    "nemotron-3-ultra-550b-a55b": "expert count and experts per token not published in a source read",
    "deepseek-v4.1-flash": "its compressed KV cache is shared across layers, which the attention groups cannot express; "
                           "the 748B total counts the Engram memory tables (models_e.yaml notes)",
    "deepseek-v4-pro": "the architecture read does not reconcile with the published sizes: 1600B total - 1547B experts "
                       "= 53B dense, + 6/384 of the experts = 77B against 49B active (models_e.yaml)",
    "qwen3-coder-next-80b-a3b": "the sizes read do not reconcile: 80B - 77.3B experts = 2.7B dense, + 10/512 of the "
                                "experts = 4.2B against 3B active (its own config was only seen through derivatives)",
    "glm-5.3": "open weights not confirmed: a config was copied by 2026-09-16 but a provider listing still calls the "
               "weights unpublished (models_e.yaml notes)",
}
FIXES = {
    # K2's published expert size (60 x 384 x 3 x 7168 x 2048 = 1014.7B) exceeds its rounded "1T"
    # total; leave expert_params_b out so it is derived from total - active (988.6B).
    "kimi-k2": {"moe.expert_params_b": None},
    "kimi-k2.6": {"moe.expert_params_b": None},
    # shared-expert count not read for Super: 0 (routed experts only)
    "nemotron-3-super-120b-a12b": {"moe.shared_experts": 0},
    # the 320B total counts the MTP layer's routed experts too: 43 x 288 x 3 x hidden x moe width = 311.65B (42 MoE
    # layers give 304.41B); without them dense = 15.6B and dense + 8/288 of the experts = 24B against 18B active
    "glm-5.3-flash": {"moe.expert_params_b": 311.65},
}


def _set(d: dict, dotted: str, value) -> None:
    *path, last = dotted.split(".")
    for k in path:
        d = d[k]
    d[last] = value


MODEL_FILES = ("models_a.yaml", "models_b.yaml", "models_c.yaml", "models_d.yaml", "models_e.yaml", "models_f.yaml")
GPU_FILES = ("gpus_2026.yaml", "gpus_d.yaml", "gpus_c.yaml", "gpus_e.yaml")


def _capability(model_id: str, cap: dict) -> dict:
    """The model's record on the one capability scale: scored, or unrated with the reason."""
    base = {"index": cap["index"], "version": cap["version"]}
    if model_id in cap["scores"]:
        score, mode, row = cap["scores"][model_id]
        return {**base, "score": score, "mode": mode, "source": f"{cap['source']} (row: {row})", "as_of": cap["as_of"]}
    reason = cap["unrated"].get(model_id, f"no {cap['version']} score of this model in the source snapshot")
    return {**base, "score": None, "mode": None, "source": cap["source"], "as_of": cap["as_of"],
            "note": f"unrated: {reason}"}


def _load(name: str, key: str) -> list[dict]:
    path = INCOMING / name
    return yaml.safe_load(path.read_text(encoding="utf-8"))[key] if path.exists() else []


def _patch(entries: list[dict], name: str, keep_as_of: bool = True) -> None:
    """Apply the ``patches`` of ``name`` in place: replace fields, append ``add_prices``, note the reason
    (``keep_as_of`` False: a patch's ``as_of`` dates only the fields it adds, so it goes into the note)."""
    path = INCOMING / name
    patches = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("patches") or {} if path.exists() else {}
    by_id = {g["id"]: g for g in entries}
    for gid, fields in patches.items():
        g = by_id[gid]
        fields = dict(fields)
        note = fields.pop("patch_note", "")
        if not keep_as_of and "as_of" in fields:
            note = f"{note} (read {fields.pop('as_of')})"
        if "add_prices" in fields:
            g["prices"] = list(g.get("prices") or []) + list(fields.pop("add_prices"))
        tdp_src = fields.pop("tdp_source", None)
        g.update(fields)
        g["notes"] = " ".join(x for x in (g.get("notes") or "", note, f"TDP: {tdp_src}." if tdp_src else "") if x)


HEADERS = {
    "models": """# Open-weight model catalog for openvclosed (built by scripts/merge_incoming.py from data/incoming/).
# Every entry cites its source and as_of. Architecture per layer type (attention groups), MoE block,
# released precision (expert_bits / dense_bits), structured licence conditions, openness of weights /
# training data / training code with links, and capability evidence from one source: the Artificial
# Analysis Intelligence Index v4.1 (data/CAPABILITY_SOURCE.md); score null = unrated, with the reason.
# tiers: never set by hand here; they follow from capability.score and the tier floors (standard 23,
# frontier 45 on v4.1; unrated: simple only; docs/methodology.md#capability-tiers).
""",
    "gpus": """# Accelerator catalog for openvclosed (built by scripts/merge_incoming.py from data/incoming/).
# memory_gib as the driver reports it (or the GPU's default share of unified memory); dense TFLOPS;
# interconnect; power per GPU; purchase prices with their basis (new/used, card/module/system,
# server included or not, list/street/MSRP, date) and rent per provider with dates.
""",
    "apis": """# API price catalog for openvclosed: LiteLLM 1.110.2 (uploaded 2026-11-20), built by
# scripts/build_api_catalog.py; each entry cites the provider page LiteLLM names. All prices USD per
# 1M tokens; valid_from = the date the price applies from (price history).
""",
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    cap = yaml.safe_load((INCOMING / "capability_v4_1.yaml").read_text(encoding="utf-8"))
    models = []
    for f in MODEL_FILES:
        for e in _load(f, "models"):
            if e["id"] in SKIP:
                continue
            for k, v in FIXES.get(e["id"], {}).items():
                _set(e, k, v)
            e.pop("tiers", None)
            e.pop("tier_basis", None)
            e["capability"] = _capability(e["id"], cap)
            models.append(e)
    _patch(models, "models_d.yaml")
    _patch(models, "models_g.yaml", keep_as_of=False)
    gpus = [g for f in GPU_FILES for g in _load(f, "gpus")]
    for name in ("gpus_d.yaml", "gpus_f.yaml"):
        _patch(gpus, name)
    for g in gpus:
        g["prices"] = [p for p in g.get("prices") or [] if p.get("usd") is not None]
    known = {n for m in models for n in [m["id"], *(m.get("aliases") or [])]}
    apis = [a for a in yaml.safe_load((INCOMING / "apis_2026.yaml").read_text(encoding="utf-8"))["apis"]
            if a.get("kind") != "hosted-open" or not a.get("serves_model") or a["serves_model"] in known]
    outputs = [("models", "models", models), ("gpus", "gpus", gpus)] + ([("apis", "apis", apis)] if "--apis" in argv else [])
    for name, key, items in outputs:
        text = HEADERS[name] + yaml.safe_dump({key: items}, sort_keys=False, allow_unicode=True, width=110)
        (ROOT / "data" / f"{name}.yaml").write_text(text, encoding="utf-8")
        print(f"data/{name}.yaml: {len(items)} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
