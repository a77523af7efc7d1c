"""A JSON cache of the parsed bundled catalogs (start-up speed).

Parsing ``data/*.yaml`` (about 340 kB) costs ~100 ms with libyaml; the same data read back
from JSON costs ~2 ms, and validating ~400 entries with pydantic another ~15 ms plus the
validators' build at import. The cache holds the parsed YAML and, next to it, every bundled
entry as pydantic validated and dumped it — plain mappings, lists, strings, numbers, booleans,
null and dates, never objects: it is JSON, not pickle. A run whose key matches rebuilds the
entries with ``model_construct`` (no validation, no validator build: they were validated when
the cache was written). The key is the SHA-256 of the bundled files' bytes (read on every run),
the catalog schema modules' sources and the ovc version; anything else (a missing, corrupt,
foreign or stale file) is ignored and rewritten atomically. User catalogs (``--catalog``,
``$OVC_CATALOG``) are never cached; a bundled entry they override is merged from the parsed
YAML and validated again.

Where: ``$OVC_CACHE_DIR``, else ``$XDG_CACHE_HOME/openvclosed``, else ``~/.cache/openvclosed``.
``OVC_NO_CACHE=1`` turns it off. Failing to write the cache is never an error.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from pathlib import Path

from openvclosed import __version__

SECTIONS = ("apis", "gpus", "models")
_DATE = "__ovc_date__"
_FORMAT = 2
_SCHEMA_MODULES = ("schema.py", "apis.py", "gpus.py", "models.py", "store.py", "cache.py")


def cache_dir() -> Path | None:
    if os.environ.get("OVC_NO_CACHE", "") not in ("", "0"):
        return None
    d = os.environ.get("OVC_CACHE_DIR")
    if d:
        return Path(d)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "openvclosed"


def _encode(o):
    if isinstance(o, _dt.date) and not isinstance(o, _dt.datetime):
        return {_DATE: o.isoformat()}
    raise TypeError(f"not cacheable: {type(o).__name__}")


def _decode(d: dict):
    if len(d) == 1 and _DATE in d:
        return _dt.date.fromisoformat(d[_DATE])
    return d


def _uses_tag(o) -> bool:
    """Whether the parsed data itself has a mapping with the date tag as its only key (then the
    cache could not tell it from a date: such data is not cached)."""
    if isinstance(o, dict):
        return (len(o) == 1 and _DATE in o) or any(_uses_tag(v) for v in o.values())
    if isinstance(o, list):
        return any(_uses_tag(v) for v in o)
    return False


def bundled_key(base: Path) -> tuple[str, dict[str, bytes]]:
    """(key, {section: bytes of base/SECTION.yaml}): the key is the SHA-256 of the cache format, the
    ovc version, the bundled files' bytes and the catalog schema modules' sources (an edited schema
    is a new key even when the version is not bumped)."""
    blobs = {s: (base / f"{s}.yaml").read_bytes() for s in SECTIONS}
    h = hashlib.sha256(f"{_FORMAT}\0{__version__}\0".encode())
    for s in SECTIONS:
        h.update(f"{s}\0{len(blobs[s])}\0".encode())
        h.update(blobs[s])
    here = Path(__file__).resolve().parent
    for mod in _SCHEMA_MODULES:
        try:
            src = (here / mod).read_bytes()
        except OSError:  # a zipped or stripped install: the version alone keys the schema
            src = b""
        h.update(f"{mod}\0{len(src)}\0".encode())
        h.update(src)
    return h.hexdigest(), blobs


PARTS = {"validated": "", "sections": "-yaml"}
"""The two cached documents: every bundled entry as pydantic validated and dumped it (read on every
run), and the parsed YAML (read only when a user catalog overrides a bundled entry)."""


def _path(key: str, part: str) -> Path | None:
    d = cache_dir()
    return None if d is None else d / f"catalog-{key[:32]}{PARTS[part]}.json"


def read(key: str, part: str) -> dict | None:
    """``{section: ...}`` cached under ``key`` for ``part`` (validated: ``{id: entry dump}``, sections:
    the parsed YAML document), or None when there is none or it is not exactly what was written."""
    path = _path(key, part)
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            got = json.loads(fh.read(), object_hook=_decode)
    except (OSError, ValueError, TypeError, RecursionError):
        return None
    if not (isinstance(got, dict) and got.get("key") == key and got.get("part") == part):
        return None
    body = got.get("sections")
    if not (isinstance(body, dict) and set(body) == set(SECTIONS)):
        return None
    if part == "validated" and not all(isinstance(v, dict) and all(isinstance(e, dict) for e in v.values())
                                       for v in body.values()):
        return None
    return body


def write(key: str, part: str, body: dict) -> None:
    """Store ``body`` under ``key`` for ``part`` (never an error; data the date tag could not tell
    from a date is not cached)."""
    path = _path(key, part)
    if path is None or _uses_tag(body):
        return
    _write(path, {"key": key, "part": part, "sections": body})


def bundled_sections(base: Path, parse) -> dict[str, object]:
    """``{section: parsed YAML document of base/SECTION.yaml}``, from the cache when its key matches
    the files' bytes, else from ``parse(text)`` (and the cache is refreshed)."""
    key, blobs = bundled_key(base)
    got = read(key, "sections")
    if got is not None:
        return got
    out = {s: parse(blobs[s].decode("utf-8")) for s in SECTIONS}
    write(key, "sections", out)
    return out


def _write(path: Path, doc: dict) -> None:
    import tempfile

    try:
        text = json.dumps(doc, default=_encode, separators=(",", ":"), allow_nan=False)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".catalog-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except (OSError, TypeError, ValueError):
        pass  # a read-only home or odd data: run without the cache
