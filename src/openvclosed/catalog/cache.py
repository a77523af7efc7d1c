"""A JSON cache of the parsed bundled catalogs (start-up speed).

Parsing ``data/*.yaml`` (about 340 kB) costs ~100 ms with libyaml; the same data read back
from JSON costs ~2 ms. The cache holds only what the YAML parse gives (plain mappings, lists,
strings, numbers, booleans, null and dates), never objects: it is JSON, not pickle, and every
entry read from it still goes through the same pydantic validation as the YAML. An entry is
used only when its key — the SHA-256 of the bundled files' bytes, read on every run, and the
ovc version — matches; anything else (a missing, corrupt, foreign or stale file) is ignored
and rewritten atomically. User catalogs (``--catalog``, ``$OVC_CATALOG``) are never cached.

Where: ``$OVC_CACHE_DIR``, else ``$XDG_CACHE_HOME/openvclosed``, else ``~/.cache/openvclosed``.
``OVC_NO_CACHE=1`` turns it off. Failing to write the cache is never an error.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import tempfile
from pathlib import Path

from openvclosed import __version__

SECTIONS = ("apis", "gpus", "models")
_DATE = "__ovc_date__"
_FORMAT = 1


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


def bundled_sections(base: Path, parse) -> dict[str, object]:
    """``{section: parsed YAML document of base/SECTION.yaml}``, from the cache when its key matches
    the files' bytes, else from ``parse(path)`` (and the cache is refreshed)."""
    blobs = {s: (base / f"{s}.yaml").read_bytes() for s in SECTIONS}
    h = hashlib.sha256(f"{_FORMAT}\0{__version__}\0".encode())
    for s in SECTIONS:
        h.update(f"{s}\0{len(blobs[s])}\0".encode())
        h.update(blobs[s])
    key = h.hexdigest()
    d = cache_dir()
    path = d / f"catalog-{key[:32]}.json" if d is not None else None
    if path is not None:
        try:
            with open(path, "rb") as fh:
                got = json.loads(fh.read(), object_hook=_decode)
            if isinstance(got, dict) and got.get("key") == key and isinstance(got.get("sections"), dict) \
                    and set(got["sections"]) == set(SECTIONS):
                return got["sections"]
        except (OSError, ValueError, TypeError, RecursionError):
            pass
    out = {s: parse(blobs[s].decode("utf-8")) for s in SECTIONS}
    if path is not None and not _uses_tag(out):
        _write(path, {"key": key, "sections": out})
    return out


def _write(path: Path, doc: dict) -> None:
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
