"""Safe file writing: temp file in the same directory, fsync, then rename (atomic)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openvclosed.errors import InputError

__all__ = ["atomic_write_text", "input_file_size"]


def atomic_write_text(path: str | Path, text: str, validate=None) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half.

    ``validate(tmp_path)`` may raise to abort: the temporary file is removed, ``path`` untouched.
    """
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"{p}: directory {parent} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=parent)
    except OSError as e:
        raise InputError(f"{p}: cannot write ({e.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if validate is not None:
            validate(tmp)
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def input_file_size(path: Path, expected: str) -> int:
    """Size in bytes of an input file, or one clear error: missing, unreadable, or a directory.

    ``expected`` names what the file should be, e.g. "a YAML file".
    """
    label = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{label}: no such file") from None
    except OSError as e:
        raise InputError(f"{label}: cannot read ({e.strerror})") from None
    if path.is_dir():
        raise InputError(f"{label}: is a directory, expected {expected}")
    return size
