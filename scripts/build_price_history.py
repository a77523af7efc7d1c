"""Add price history to data/apis.yaml from older LiteLLM price files.

Usage::

    pip download --no-deps litellm==1.90.0 -d /tmp/lt/1.90.0   # and unzip its model_prices JSON, likewise 1.100.0
    python scripts/build_price_history.py 1.90.0=2026-06-27=/tmp/lt/1.90.0/litellm/model_prices_and_context_window_backup.json \
                                          1.100.0=2026-09-06=/tmp/lt/1.100.0/litellm/model_prices_and_context_window_backup.json

    python scripts/build_price_history.py --genai-prices [AS_OF]   # genai-prices' dated prices (installed package)

Each argument is VERSION=UPLOAD_DATE=JSON (the date PyPI gives as the wheel's upload time). For every
API entry, walking from the oldest file to the current prices: a price that differs from the next
one becomes a ``history`` record valid from that file's date; the current entry's ``valid_from`` is
the date of the oldest file that already had today's price. Not used at run time.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FIELDS = (("input_cost_per_token", "input_usd_per_mtok"), ("output_cost_per_token", "output_usd_per_mtok"),
          ("cache_read_input_token_cost", "cached_input_usd_per_mtok"),
          ("cache_creation_input_token_cost", "cache_write_usd_per_mtok"))


def _prices(entry: dict) -> dict:
    return {ours: (None if entry.get(theirs) is None else round(float(entry[theirs]) * 1e6, 6))
            for theirs, ours in FIELDS}


class NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def _save(path: Path, header: str, apis: list) -> None:
    path.write_text(header + yaml.dump({"apis": apis}, Dumper=NoAliases, sort_keys=False, allow_unicode=True,
                                       width=110), encoding="utf-8")


def merge_genai_prices(as_of: dt.date) -> int:
    """Apply ``ovc catalog import-genai-prices``' plan (the same function) to data/apis.yaml in place:
    dated price changes become the price from their date / scheduled prices, other disagreements
    are kept as ``alt_prices``."""
    sys.path.insert(0, str(ROOT / "src"))
    from openvclosed.catalog import load_catalog
    from openvclosed.catalog.genai_prices import load_installed, plan_import

    version, gp = load_installed()
    plan = plan_import(gp, load_catalog([], include_env=False, when=as_of), f"genai-prices {version}", as_of)
    path = ROOT / "data" / "apis.yaml"
    text = path.read_text(encoding="utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    apis = yaml.safe_load(text)["apis"]
    by_id = {e["id"]: e for e in apis}
    for item in plan["changed"] + plan["alt"]:
        e = by_id[item["id"]]
        for k, v in item["entry"].items():
            if k in ("id", "as_of"):
                continue
            if v in (None, []):
                e.pop(k, None)
            else:
                e[k] = v
        print(f"{item['id']}: {item['summary']}")
    _save(path, header, apis)
    return 0


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--genai-prices":
        return merge_genai_prices(dt.date.fromisoformat(argv[1]) if len(argv) > 1 else dt.date.today())
    files = []
    for arg in argv:
        version, date, path = arg.split("=", 2)
        files.append((dt.date.fromisoformat(date), version, json.loads(Path(path).read_text(encoding="utf-8"))))
    files.sort()
    path = ROOT / "data" / "apis.yaml"
    text = path.read_text(encoding="utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    apis = yaml.safe_load(text)["apis"]
    changed = 0
    for e in apis:
        key = e["source"].split("key '")[1].split("'")[0] if "key '" in e["source"] else None
        if not key:
            continue
        current = {k: e.get(k) for _, k in FIELDS}
        seen = [(date, version, _prices(d[key])) for date, version, d in files
                if key in d and (_prices(d[key])["input_usd_per_mtok"] or _prices(d[key])["output_usd_per_mtok"])]
        history, since = [], e.get("valid_from")
        for i, (date, version, p) in enumerate(seen):
            nxt = seen[i + 1][2] if i + 1 < len(seen) else current
            if any((p[k] or 0) != (nxt[k] or 0) for k in ("input_usd_per_mtok", "output_usd_per_mtok")):
                history.append({"valid_from": date, **p,
                                "source": f"LiteLLM {version} model_prices_and_context_window_backup.json key '{key}'"})
        same = [date for date, _, p in seen if all((p[k] or 0) == (current[k] or 0)
                                                   for k in ("input_usd_per_mtok", "output_usd_per_mtok"))]
        # today's price holds since the oldest file after the last change that already had it
        last_change = max((h["valid_from"] for h in history), default=None)
        later = [d for d in same if last_change is None or d > last_change]
        if later:
            since = min(later)
        e["valid_from"] = since
        if history:
            e["history"] = history
            changed += 1
    _save(path, header, apis)
    print(f"{changed} entries with price history; {len(apis)} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
