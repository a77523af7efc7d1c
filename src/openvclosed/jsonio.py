"""Strict JSON reading: the JSON counterpart of :mod:`openvclosed.yamlio`'s strict YAML.

Duplicate keys (the trick of appending ``"workloads": []`` to a baseline), the non-standard
constants ``NaN``/``Infinity`` and non-object top levels are refused with one line naming the
file; nothing here reads a file (callers read through :mod:`openvclosed.fileio`).
"""

from __future__ import annotations

import json

from openvclosed.errors import InputError

__all__ = ["loads_strict"]


def _pairs(where: str):
    def hook(pairs):
        out = {}
        for k, v in pairs:
            if k in out:
                raise InputError(f"{where}: duplicate key {k!r} in a JSON object; each key may appear once")
            out[k] = v
        return out

    return hook


def _constant(where: str):
    def refuse(name):
        raise InputError(f"{where}: {name} is not valid JSON (numbers must be finite)")

    return refuse


def loads_strict(text: str, where: str, *, top: type | None = dict):
    """Parse ``text`` as strict JSON; ``where`` names the file in every error.

    >>> loads_strict('{"a": 1}', "x.json")
    {'a': 1}
    >>> loads_strict('{"a": 1, "a": 2}', "x.json")
    Traceback (most recent call last):
    ...
    openvclosed.errors.InputError: x.json: duplicate key 'a' in a JSON object; each key may appear once
    """
    try:
        data = json.loads(text, object_pairs_hook=_pairs(where), parse_constant=_constant(where))
    except json.JSONDecodeError as e:
        raise InputError(f"{where}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    except RecursionError:
        raise InputError(f"{where}: JSON nested too deeply") from None
    if top is not None and not isinstance(data, top):
        raise InputError(f"{where}: expected a JSON {'object' if top is dict else top.__name__} at the top level")
    return data
