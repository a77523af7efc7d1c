"""Catalogs of API prices, GPUs and open-weight models: schemas, loading and look-up.

This is the project's I/O layer for reference data (like pvlib's ``iotools``): the bundled
YAML files in ``data/`` plus any user files (``--catalog FILE``), merged by entry ``id``.
Every entry carries ``source`` and ``as_of``; a user entry with an existing id overrides
(field by field) the bundled one, and each entry remembers which file it came from.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from pydantic import ValidationError

from openvclosed.catalog.base import CAPABILITY_INDEX, CAPABILITY_VERSION, tiers_for_score
from openvclosed.catalog.models import Capability
from openvclosed.catalog.schema import TIERS, ApiEntry, GpuEntry, ModelEntry  # noqa: F401  (re-exported)
from openvclosed.errors import CatalogError, UnknownNameError
from openvclosed.units import closest, normalize_name

__all__ = [
    "ApiEntry", "GpuEntry", "ModelEntry", "Catalog", "load_catalog", "bundled_data_dir",
    "format_validation_error",
]

def bundled_data_dir() -> Path:
    """The catalogs shipped with the package (wheel: ``openvclosed/data``) or the repo's ``data/``
    (source checkout); a plain path check first (start-up), importlib.resources for other loaders."""
    pkg_dir = Path(__file__).resolve().parents[1]
    for d in (pkg_dir / "data", pkg_dir.parents[1] / "data"):
        if d.is_dir():
            return d
    from importlib import resources

    pkg = resources.files("openvclosed") / "data"
    if pkg.is_dir():
        return Path(str(pkg))
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
        if e["type"] == "value_error":
            msg = msg.removeprefix("Value error, ")
            if not loc and ": " in msg:  # a model-level check names its own field: "attention: ..."
                loc, msg = msg.split(": ", 1)
        lines.append(f"{prefix}{loc}: {msg}" if loc else f"{prefix.rstrip('.')}: {msg}")
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
        """Highest task tier an API serves: a hosted offer that of the open model it serves; a closed
        API from its own score on the one capability scale (``tiers_for_score``; unrated: ``simple``).
        The ``tier`` label of a bundled closed API is the provider's positioning and sets nothing;
        in a user catalog it is the user's word and counts when the entry has no score."""
        own = api.capability is not None and api.capability.score is not None  # a user's word for this offer
        if api.serves_model and api.serves_model in self.models and not own:
            return self.models[api.serves_model].best_tier
        score = self.capability_score(api)
        if score is None and api.tier and api.catalog != "bundled":
            return api.tier
        return tiers_for_score(score)[-1]

    def capability_score(self, entry) -> float | None:
        """The score on the one capability scale of a model or API (a hosted offer: its model's);
        None when unrated."""
        if isinstance(entry, ApiEntry) and entry.serves_model and entry.serves_model in self.models and (
                entry.capability is None or entry.capability.score is None):
            entry = self.models[entry.serves_model]
        cap = getattr(entry, "capability", None)
        return None if cap is None or cap.score is None else float(cap.score)

    def with_capability(self, scores: dict[str, float], source: str) -> "Catalog":
        """This catalog with the scores a user vouches for (model or API id -> score on the capability
        scale; a hosted offer's model takes its score through the model), each recorded with ``source``."""
        if not scores:
            return self
        models, apis = dict(self.models), dict(self.apis)
        for name, score in scores.items():
            try:
                key, table = self.model(name).id, models
            except UnknownNameError:  # not a model: an API id (unknown ids raise here, named)
                key, table = self.api(name).id, apis
            e = table[key]
            cap = {"index": CAPABILITY_INDEX, "version": CAPABILITY_VERSION, "score": float(score),
                   "source": source, "note": "vouched for by the user (not a published score)"}
            table[key] = e.model_copy(update={"capability": Capability.model_construct(**cap, mode=None, as_of=None)})
        return Catalog(list(apis.values()), list(self.gpus.values()), list(models.values()))

    def at(self, when) -> "Catalog":
        """The catalog as it priced on ``when``: each API at its price then; offers without a price then left out.
        (GPU prices are chosen by date where they are used: ``GpuEntry.price_at``.)"""
        apis = [x for x in (a.at(when) for a in self.apis.values()) if x is not None]
        return Catalog(apis, list(self.gpus.values()), list(self.models.values()))

    def model_tokenizer(self, model_id: str):
        """The cited tokenizer record (``catalog.apis.Tokenizer``) of an open model, from the hosted
        offers that serve it (they carry the model's tokenizer); None when no offer has a cited ratio.
        For self-hosted designs: the same text costs ``tokens_per_reference_token`` tokens per reference token."""
        for a in self.hosted_offers(model_id):
            if a.tokenizer is not None and a.tokenizer.tokens_per_reference_token is not None:
                return a.tokenizer
        return None

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
        from openvclosed.yamlio import load_yaml_file  # user files only: strict checks

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


def load_catalog(user_files: list[str | Path] | None = None, *, include_env: bool = True,
                 when=None) -> Catalog:
    """Load the bundled catalogs, then each user file in order (later files win).

    User entries whose ``id`` matches an existing entry override it field by field; new ids
    are added and must be complete. ``OVC_CATALOG`` (paths separated by ``os.pathsep``) adds
    user files before those given explicitly. Each API carries the price in force on ``when``
    (default: today; ``ApiEntry.at``), with its other dated prices kept for ``--as-of``.
    """
    import datetime as dt

    from openvclosed.catalog import cache  # validated entries and parsed YAML from a checked JSON cache

    files: list[str | Path] = []
    env = os.environ.get("OVC_CATALOG", "") if include_env else ""
    files += [p for p in env.split(os.pathsep) if p]
    files += list(user_files or [])
    base = bundled_data_dir()
    key, _ = cache.bundled_key(base)
    valid = cache.read(key, "validated")
    if valid is not None and not files:  # the bundled catalog alone, validated when the cache was written
        built = {s: [construct(cls, e) for e in valid[s].values()] for s, cls in _SECTIONS.items()}
    else:
        built = _build(base, files, valid)
        if valid is None and not files:
            cache.write(key, "validated", {s: {e.id: _dump(e) for e in built[s]} for s in _SECTIONS})
    today = when or dt.date.today()
    apis = [x for x in (a.at(today) for a in built["apis"]) if x is not None]
    return Catalog(apis, built["gpus"], built["models"])


def _build(base: Path, files: list, valid: dict | None) -> dict[str, list]:
    """Bundled entries merged with the user files (field by field, later files win), validated; a
    bundled entry no user file touches is rebuilt from ``valid`` (the cache) when there is one."""
    from openvclosed.catalog.cache import bundled_sections

    docs = bundled_sections(base, _parse_bundled)
    raw: dict[str, dict[str, dict]] = {s: {} for s in _SECTIONS}
    for section in _SECTIONS:
        for item in _read_sections(base / f"{section}.yaml", f"data/{section}.yaml", data=docs[section])[section]:
            raw[section][normalize_name(str(item["id"]))] = dict(item, catalog="bundled")
    from openvclosed.ranges import check_catalog_item

    touched: dict[str, set[str]] = {s: set() for s in _SECTIONS}
    for f in files:
        path = Path(f)
        for section, items in _read_sections(path, str(path)).items():
            seen: dict[str, int] = {}
            for i, item in enumerate(items):
                k = normalize_name(str(item["id"]))
                if k in seen:  # the later one would silently win
                    raise CatalogError(f"{path}: {section}[{i}].id: duplicate id {str(item['id'])!r} "
                                       f"(first at {section}[{seen[k]}]); each id may appear once per file")
                seen[k] = i
                check_catalog_item(section, i, item, str(path))
                merged = dict(raw[section].get(k, {}))
                merged.update(item)
                merged["catalog"] = str(path)
                raw[section][k] = merged
                touched[section].add(k)
    built: dict[str, list] = {}
    for section, cls in _SECTIONS.items():
        entries = []
        for k, item in raw[section].items():
            if valid is not None and k not in touched[section] and k in valid[section]:
                entries.append(construct(cls, valid[section][k]))
                continue
            try:
                entries.append(cls.model_validate(item))
            except ValidationError as err:
                raise CatalogError(
                    f"{item['catalog']}: {format_validation_error(err, prefix=f'{section}[{k}].')}"
                ) from None
        built[section] = entries
    return built


def _dump(e) -> dict:
    """What the cache keeps of a validated entry: every field (defaults too: model_construct would
    call each default factory, and pydantic inspects its signature every time), no computed properties."""
    return e.model_dump(exclude=set(type(e).model_computed_fields))


_PLANS: dict[type, tuple] = {}


def _plan(cls) -> tuple:
    """(nested, field names, fast) of ``cls``: per field, the model class its value is built from and
    whether it is a list of them; whether an instance can be made by setting ``__dict__`` directly
    (no aliases, no post-init, extra fields forbidden: what ``model_construct`` then does itself)."""
    import typing

    from pydantic import BaseModel

    plan = _PLANS.get(cls)
    if plan is None:
        nested = {}
        for name, f in cls.model_fields.items():
            ann, many = f.annotation, False
            args = typing.get_args(ann)
            if typing.get_origin(ann) in (list, tuple) and args:
                ann, many = args[0], True
            elif args:  # X | None
                models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
                if len(models) == 1:
                    ann = models[0]
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                nested[name] = (ann, many)
        fast = (not cls.__pydantic_post_init__ and not cls.__pydantic_root_model__ and not cls.__private_attributes__
                and cls.model_config.get("extra") != "allow"
                and all(f.alias is None and f.validation_alias is None for f in cls.model_fields.values()))
        plan = _PLANS[cls] = (nested, frozenset(cls.model_fields), fast)
    return plan


def construct(cls, data: dict):
    """``cls`` built from its own validated ``model_dump()`` without validating again (nested models
    too). A complete dump of a plain model is set as the instance's fields directly, as
    ``model_construct`` does (it would also look up aliases and defaults: ~10x slower); anything
    else goes through ``model_construct``."""
    nested, names, fast = _plan(cls)
    values = dict(data)
    for name, (sub, many) in nested.items():
        v = values.get(name)
        if v is None:
            continue
        if many:
            values[name] = [construct(sub, x) if isinstance(x, dict) else x for x in v]
        elif isinstance(v, dict):
            values[name] = construct(sub, v)
    if not (fast and values.keys() == names):
        return cls.model_construct(**values)
    m = cls.__new__(cls)
    object.__setattr__(m, "__dict__", values)
    object.__setattr__(m, "__pydantic_fields_set__", set(values))
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m
