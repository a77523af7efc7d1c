"""Catalogs of API prices, GPUs and open-weight models: schemas, loading and look-up.

This is the project's I/O layer for reference data (like pvlib's ``iotools``): the bundled
YAML files in ``data/`` plus any user files (``--catalog FILE``), merged by entry ``id``.
Every entry carries ``source`` and ``as_of``; a user entry with an existing id overrides
(field by field) the bundled one, and each entry remembers which file it came from.
"""

from __future__ import annotations

import os
from functools import cached_property
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from openvclosed.catalog.schema import TIERS, ApiEntry, GpuEntry, ModelEntry  # noqa: F401  (re-exported)
from openvclosed.errors import CatalogError, UnknownNameError
from openvclosed.units import closest, normalize_name
from openvclosed.yamlio import load_yaml_file

__all__ = [
    "ApiEntry", "GpuEntry", "ModelEntry", "Catalog", "load_catalog", "bundled_data_dir",
    "format_validation_error",
]

def bundled_data_dir() -> Path:
    """The catalogs shipped with the package (wheel) or the repo's ``data/`` (source checkout)."""
    pkg = resources.files("openvclosed") / "data"
    if pkg.is_dir():
        return Path(str(pkg))
    repo = Path(__file__).resolve().parents[3] / "data"
    if repo.is_dir():
        return repo
    raise CatalogError("bundled catalogs not found: the installation is incomplete; reinstall openvclosed")


def format_validation_error(err: ValidationError, prefix: str = "") -> str:
    """Flatten a pydantic error into ``path: message`` lines (first 5)."""
    lines = []
    for e in err.errors()[:5]:
        loc = ".".join(str(p) for p in e["loc"])
        msg = e["msg"]
        if e["type"] == "literal_error":
            msg = "must be one of " + e["ctx"]["expected"]
        elif e["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        lines.append(f"{prefix}{loc}: {msg}")
    more = len(err.errors()) - 5
    if more > 0:
        lines.append(f"... and {more} more")
    return "; ".join(lines)


_SECTIONS = {"apis": ApiEntry, "gpus": GpuEntry, "models": ModelEntry}


class Catalog:
    """Merged catalogs with look-up by id or alias (case- and separator-insensitive)."""

    def __init__(self, apis: list[ApiEntry], gpus: list[GpuEntry], models: list[ModelEntry]):
        self.apis = {e.id: e for e in apis}
        self.gpus = {e.id: e for e in gpus}
        self.models = {e.id: e for e in models}
        self._check_references()

    def _check_references(self) -> None:
        names = _name_index(self.models)
        for key, a in list(self.apis.items()):
            if a.kind == "hosted-open" and a.serves_model and a.serves_model not in self.models:
                resolved = names.get(normalize_name(a.serves_model))
                if resolved:  # an alias (deepseek-r1 -> deepseek-r1-0528)
                    self.apis[key] = a = a.model_copy(update={"serves_model": resolved})
            if a.kind == "hosted-open" and a.serves_model and a.serves_model not in self.models:
                raise CatalogError(
                    f"{a.catalog}: apis[{a.id}].serves_model: {a.serves_model!r} is not a model id; "
                    f"known: {', '.join(sorted(self.models))}"
                )
            if a.kind == "closed" and a.tier is None:
                raise CatalogError(f"{a.catalog}: apis[{a.id}].tier: required for closed APIs (simple|standard|frontier)")

    @cached_property
    def _gpu_names(self) -> dict[str, str]:
        return _name_index(self.gpus)

    @cached_property
    def _model_names(self) -> dict[str, str]:
        return _name_index(self.models)

    def gpu(self, name: str) -> GpuEntry:
        return self.gpus[_resolve(name, self._gpu_names, "gpu")]

    def model(self, name: str) -> ModelEntry:
        return self.models[_resolve(name, self._model_names, "model")]

    def api(self, name: str) -> ApiEntry:
        names = {k: k for k in self.apis}
        names.update({normalize_name(a.model): a.id for a in self.apis.values() if a.kind == "closed"})
        return self.apis[_resolve(name, names, "api")]

    def api_tier(self, api: ApiEntry) -> str:
        """Capability tier of an API: its own, or that of the open model a hosted offer serves."""
        if api.tier:
            return api.tier
        if api.serves_model and api.serves_model in self.models:
            return self.models[api.serves_model].best_tier
        return "standard"

    def at(self, when) -> "Catalog":
        """The catalog as it priced on ``when``: each API at its price then; offers without a price then left out.
        (GPU prices are chosen by date where they are used: ``GpuEntry.price_at``.)"""
        apis = [x for x in (a.at(when) for a in self.apis.values()) if x is not None]
        return Catalog(apis, list(self.gpus.values()), list(self.models.values()))

    def hosted_offers(self, model_id: str) -> list[ApiEntry]:
        """Hosted-open offers serving ``model_id``, cheapest first (output price, then input)."""
        offers = [a for a in self.apis.values() if a.kind == "hosted-open" and a.serves_model == model_id]
        return sorted(offers, key=lambda a: (a.output_usd_per_mtok + a.input_usd_per_mtok, a.id))


def _name_index(entries: dict) -> dict[str, str]:
    idx: dict[str, str] = {}
    for e in entries.values():
        idx[e.id] = e.id
        for a in getattr(e, "aliases", []):
            idx.setdefault(a, e.id)
    return idx


def _resolve(name: str, index: dict[str, str], kind: str) -> str:
    key = normalize_name(name)
    if key in index:
        return index[key]
    raise UnknownNameError(kind, name, sorted(set(index.values())), closest(key, sorted(index)))


def _parse_bundled(text: str):
    """The catalogs shipped with ovc: our own files, parsed with libyaml's safe loader directly
    (the strict checks of user files cost more than the parse; tests hold these files to them)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - safe loader


def _read_bundled(path: Path):
    return _parse_bundled(path.read_text(encoding="utf-8"))


def _read_sections(path: Path, label: str, bundled: bool = False, data=None) -> dict[str, list[dict]]:
    if data is None:
        data = _read_bundled(path) if bundled else load_yaml_file(path)
    if not isinstance(data, dict):
        raise CatalogError(f"{label}: top level must be a mapping with keys apis, gpus and/or models")
    unknown = set(data) - set(_SECTIONS) - {"schema_version"}
    if unknown:
        raise CatalogError(
            f"{label}: unknown top-level key(s) {', '.join(sorted(map(str, unknown)))}; allowed: apis, gpus, models"
        )
    out: dict[str, list[dict]] = {}
    for section in _SECTIONS:
        items = data.get(section) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise CatalogError(f"{label}: {section} must be a list of mappings")
        for i, item in enumerate(items):
            if "id" not in item:
                raise CatalogError(f"{label}: {section}[{i}].id: required")
        out[section] = items
    return out


def load_catalog(user_files: list[str | Path] | None = None, *, include_env: bool = True) -> Catalog:
    """Load the bundled catalogs, then each user file in order (later files win).

    User entries whose ``id`` matches an existing entry override it field by field; new ids
    are added and must be complete. ``OVC_CATALOG`` (paths separated by ``os.pathsep``) adds
    user files before those given explicitly.
    """
    from openvclosed.ranges import check_catalog_item

    raw: dict[str, dict[str, dict]] = {s: {} for s in _SECTIONS}
    base = bundled_data_dir()
    from openvclosed.catalog.cache import bundled_sections  # parsed YAML from a checked JSON cache

    docs = bundled_sections(base, _parse_bundled)
    for section in _SECTIONS:
        for item in _read_sections(base / f"{section}.yaml", f"data/{section}.yaml", data=docs[section])[section]:
            raw[section][normalize_name(str(item["id"]))] = dict(item, catalog="bundled")
    files: list[str | Path] = []
    env = os.environ.get("OVC_CATALOG", "") if include_env else ""
    files += [p for p in env.split(os.pathsep) if p]
    files += list(user_files or [])
    for f in files:
        path = Path(f)
        for section, items in _read_sections(path, str(path)).items():
            seen: dict[str, int] = {}
            for i, item in enumerate(items):
                key = normalize_name(str(item["id"]))
                if key in seen:  # the later one would silently win
                    raise CatalogError(f"{path}: {section}[{i}].id: duplicate id {str(item['id'])!r} "
                                       f"(first at {section}[{seen[key]}]); each id may appear once per file")
                seen[key] = i
                check_catalog_item(section, i, item, str(path))
                merged = dict(raw[section].get(key, {}))
                merged.update(item)
                merged["catalog"] = str(path)
                raw[section][key] = merged
    built: dict[str, list] = {}
    for section, cls in _SECTIONS.items():
        entries = []
        for key, item in raw[section].items():
            try:
                entries.append(cls.model_validate(item))
            except ValidationError as err:
                raise CatalogError(
                    f"{item['catalog']}: {format_validation_error(err, prefix=f'{section}[{key}].')}"
                ) from None
        built[section] = entries
    return Catalog(built["apis"], built["gpus"], built["models"])
