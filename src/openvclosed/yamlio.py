"""Safe YAML reading for user and catalog files.

Refuses, with one line naming file:line: files over 1 MB, empty files, FIFOs and devices,
alias bombs and recursive aliases, nesting deeper than 100 levels, duplicate mapping keys
(at any depth), dates that do not exist (``2025-02-30``), integers with more than 30 digits
and non-finite numbers (``.inf``, ``.nan``). Only ``yaml.safe_load``-equivalent construction
is used (no Python objects).

The text is first composed into a node tree (libyaml when available), the tree is checked,
and only then are Python values built.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor

from openvclosed.errors import InputError
from openvclosed.fileio import read_input_text

__all__ = ["MAX_BYTES", "MAX_ALIASES", "MAX_NODES", "MAX_DEPTH", "MAX_INT_DIGITS",
           "load_yaml_text", "load_yaml_file"]

MAX_BYTES = 1_000_000
"""Largest YAML file accepted [bytes]."""
MAX_ALIASES = 100
"""Most alias references accepted in one document."""
MAX_NODES = 200_000
"""Most values a document may expand to once aliases are followed (refuses "billion laughs")."""
MAX_DEPTH = 100
"""Deepest nesting of mappings and sequences accepted (aliases followed)."""
MAX_INT_DIGITS = 30
"""Most digits accepted in an integer (no quantity ``ovc`` reads needs more)."""

_INT_TAG = "tag:yaml.org,2002:int"
_MERGE_TAG = "tag:yaml.org,2002:merge"


_UNPRINTABLE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")


def _printable(text: str) -> str:
    """Text from the file made safe for a one-line error message: control characters (escape
    sequences' ESC included), line breaks and bidi overrides become a space. (A local copy of
    the rule in report/escape.py: importing the report package here would be circular.)"""
    return _UNPRINTABLE_RE.sub(" ", text)


class _Refusal(Exception):
    """A check failed at a known line; turned into ``InputError("FILE:LINE: ...")``."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def _line(node) -> int | None:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def _show(value: str, limit: int = 40) -> str:
    """A scalar for an error message: quoted, one line, at most ``limit`` characters."""
    v = _printable(value)
    return repr(v if len(v) <= limit else v[:limit] + "...")


class _CountingLoader(yaml.SafeLoader):
    """Pure-Python composer that counts alias uses so an alias bomb is refused early.

    Used only where libyaml is missing; the node-tree check below applies to both.
    """

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self._aliases = getattr(self, "_aliases", 0) + 1
            if self._aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise _Refusal(mark.line + 1, f"more than {MAX_ALIASES} YAML aliases; refused")
        return super().compose_node(parent, index)


class _StrictConstructor(SafeConstructor):
    """SafeConstructor that refuses huge integers, non-finite floats and impossible dates, and
    names the line of any value that cannot be built instead of raising a bare ValueError."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (_Refusal, yaml.YAMLError):
            raise
        except (ValueError, TypeError, OverflowError, AttributeError) as e:
            what = f"value {_show(node.value)}" if isinstance(node, yaml.ScalarNode) else "value"
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            raise _Refusal(_line(node), f"invalid {what} for {_show(tag)} ({_printable(str(e))})") from None

    def construct_yaml_int(self, node):
        text = str(node.value)
        body = text.lstrip("+-").replace("_", "").replace(":", "")
        if body[:2].lower() in ("0x", "0b", "0o"):
            body = body[2:]
        if len(body) > MAX_INT_DIGITS:
            raise _Refusal(_line(node), f"integer {_show(text)} has more than {MAX_INT_DIGITS} digits; "
                                        "refused (write a smaller number)")
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node):
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise _Refusal(_line(node), f"non-finite number {_show(str(node.value))} is not allowed; "
                                        "write a finite number")
        return value

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError, AttributeError, TypeError) as e:
            reason = f" ({_printable(str(e))})" if not isinstance(e, AttributeError) else ""
            raise _Refusal(_line(node), f"invalid date {_show(str(node.value))}{reason}; "
                                        "write a real date as YYYY-MM-DD") from None


_StrictConstructor.add_constructor(_INT_TAG, _StrictConstructor.construct_yaml_int)
_StrictConstructor.add_constructor("tag:yaml.org,2002:float", _StrictConstructor.construct_yaml_float)
_StrictConstructor.add_constructor("tag:yaml.org,2002:timestamp", _StrictConstructor.construct_yaml_timestamp)


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []


def _check_keys(node, keys: _StrictConstructor) -> None:
    """Refuse a mapping node that repeats a key (merge keys ``<<`` excepted)."""
    seen: dict = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
            continue  # collection keys are refused as unhashable when built
        key = keys.construct_object(key_node, deep=True)
        try:
            first = seen.setdefault(key, key_node)
        except TypeError:
            continue
        if first is not key_node:  # equal once built: 'a' and "a", 1 and 0x1, 1 and true
            raise _Refusal(_line(key_node), f"duplicate key {_show(key_node.value)} "
                                            f"(first at line {_line(first)})")


def _check_tree(root) -> tuple[int, int]:
    """Walk the composed node graph once (iteratively): duplicate keys, alias count, recursive
    aliases, nesting depth. Returns the number of values with aliases expanded (capped)."""
    gray, black = 1, 2
    state: dict[int, int] = {}
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    aliases = 0
    keys = _StrictConstructor()

    def enter(node) -> None:
        state[id(node)] = gray
        if isinstance(node, yaml.MappingNode):
            _check_keys(node, keys)

    enter(root)
    stack = [(root, iter(_children(root)))]
    while stack:
        node, it = stack[-1]
        child = next(it, None)
        if child is None:
            stack.pop()
            kids = _children(node)
            size[id(node)] = min(MAX_NODES + 1, 1 + sum(size[id(k)] for k in kids))
            height[id(node)] = 1 + max((height[id(k)] for k in kids), default=0)
            if height[id(node)] > MAX_DEPTH + 1:  # + 1: scalars at the deepest level
                raise _Refusal(_line(node), f"nested more than {MAX_DEPTH} levels deep "
                                            "(aliases followed); refused")
            state[id(node)] = black
            continue
        seen = state.get(id(child))
        if seen == gray:
            raise _Refusal(_line(child), "recursive YAML alias (a value contains itself); refused")
        if seen == black:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise _Refusal(None, f"more than {MAX_ALIASES} YAML aliases; refused")
            continue
        if len(stack) > MAX_DEPTH:
            raise _Refusal(_line(child), f"nested more than {MAX_DEPTH} levels deep; refused")
        enter(child)
        stack.append((child, iter(_children(child))))
    return size[id(root)], aliases


def _one_line(text: str) -> str:
    return " ".join(_printable(str(text)).split())


def load_yaml_text(text: str, label: str):
    """Parse YAML text safely; ``label`` names it in errors."""
    if not text.strip():
        raise InputError(f"{label}: file is empty")
    loader = getattr(yaml, "CSafeLoader", None)
    try:  # libyaml's composer (fast; aliases become shared nodes); else the counting one
        root = yaml.compose(text, Loader=loader or _CountingLoader)  # noqa: S506 - safe loaders only
        if root is None:  # comments only
            return None
        expanded, aliases = _check_tree(root)
        if expanded > MAX_NODES:
            through = " through YAML aliases" if aliases else ""
            raise InputError(f"{label}: expands to more than {MAX_NODES:,} values{through}; refused")
        return _StrictConstructor().construct_document(root)
    except _Refusal as e:
        where = f"{label}:{e.line}" if e.line else label
        raise InputError(f"{where}: {_one_line(e.message)}") from None
    except RecursionError:
        raise InputError(f"{label}: nested more than {MAX_DEPTH} levels deep; refused") from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark else label
        raise InputError(f"{where}: invalid YAML: {_one_line(e.problem or e)}") from None
    except yaml.reader.ReaderError as e:  # a character YAML does not allow: name its line and column
        pos = max(0, min(int(e.position), len(text)))
        line, col = text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1
        char = f"#x{e.character:04x}" if isinstance(e.character, int) else repr(e.character)
        raise InputError(f"{label}:{line}:{col}: invalid YAML: character {char} is not allowed "
                         f"({_one_line(e.reason)})") from None
    except yaml.YAMLError as e:
        raise InputError(f"{label}: invalid YAML: {_one_line(e)}") from None


def load_yaml_file(path: Path | str):
    """Read and parse a YAML file with the limits above (regular files only, at most 1 MB, UTF-8)."""
    return load_yaml_text(read_input_text(path, "a YAML file", MAX_BYTES), str(path))
