"""Safe YAML reading for user and catalog files.

Refuses files over 1 MB, empty files and alias bombs; errors name file:line:column.
Only ``yaml.safe_load``-equivalent construction is used (no Python objects).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from openvclosed.errors import InputError
from openvclosed.fileio import input_file_size

MAX_BYTES = 1_000_000
"""Largest YAML file accepted [bytes]."""
MAX_ALIASES = 100
"""Most alias references accepted in one document."""
MAX_NODES = 200_000
"""Most values a document may expand to once aliases are followed (refuses "billion laughs")."""


class _CountingLoader(yaml.SafeLoader):
    """SafeLoader that counts alias expansions so an alias bomb is refused early."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self._aliases = getattr(self, "_aliases", 0) + 1
            if self._aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise yaml.YAMLError(f"more than {MAX_ALIASES} YAML aliases at line {mark.line + 1}: refused")
        return super().compose_node(parent, index)


def load_yaml_text(text: str, label: str):
    """Parse YAML text safely; ``label`` names it in errors."""
    if not text.strip():
        raise InputError(f"{label}: file is empty")
    loader = getattr(yaml, "CSafeLoader", None)
    try:  # libyaml's safe loader (fast; aliases become shared objects, bounded below); else the counting one
        data = yaml.load(text, Loader=loader or _CountingLoader)  # noqa: S506 - safe loaders only
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark else label
        raise InputError(f"{where}: invalid YAML: {e.problem or e}") from None
    except yaml.YAMLError as e:
        raise InputError(f"{label}: invalid YAML: {e}") from None
    if _expanded_size(data) > MAX_NODES:
        raise InputError(f"{label}: expands to more than {MAX_NODES:,} values through YAML aliases; refused")
    return data


def _expanded_size(obj, limit: int = MAX_NODES) -> int:
    """Count values with aliases expanded, stopping just past ``limit``."""
    count, stack = 0, [obj]
    while stack and count <= limit:
        o = stack.pop()
        count += 1
        if isinstance(o, dict):
            stack.extend(o.values())
            count += len(o)
        elif isinstance(o, list):
            stack.extend(o)
    return count


def load_yaml_file(path: Path | str):
    """Read and parse a YAML file with the limits above."""
    p = Path(path)
    label = str(path)
    size = input_file_size(p, "a YAML file")
    if size > MAX_BYTES:
        raise InputError(f"{label}: {size} bytes is over the {MAX_BYTES}-byte limit for YAML files")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{label}: not UTF-8 text") from None
    except OSError as e:
        raise InputError(f"{label}: cannot read ({e.strerror})") from None
    return load_yaml_text(text, label)
