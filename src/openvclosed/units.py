"""Parsing of user-facing quantities: token counts, hardware specs, shares.

Pure functions, no I/O. They raise :class:`~openvclosed.errors.InputError` with a message
that names the value and says what is allowed.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass

from openvclosed.errors import InputError

__all__ = ["parse_tokens", "parse_hw_spec", "HwSpec", "parse_share", "closest", "normalize_name"]

_SUFFIX = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12}
_TOKENS_RE = re.compile(r"^\s*([0-9][0-9_]*(?:\.[0-9_]*)?(?:e[+-]?[0-9]+)?)\s*([kmbgt]?)\s*$", re.I)


def parse_tokens(text: str | float | int, what: str = "--tokens") -> float:
    """Parse a token count such as ``5e8``, ``500M``, ``1.5B``, ``500_000_000`` or ``20k``.

    Suffixes (case-insensitive): k = 1e3, M = 1e6, B/G = 1e9, T = 1e12.

    >>> parse_tokens("5e8"), parse_tokens("500M"), parse_tokens("1.5B"), parse_tokens("500_000_000")
    (500000000.0, 500000000.0, 1500000000.0, 500000000.0)
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
    else:
        m = _TOKENS_RE.match(str(text))
        if not m:
            raise InputError(
                f"{what}: {text!r} is not a token count; use e.g. 5e8, 500M, 1.5B or 500_000_000"
            )
        value = float(m.group(1).replace("_", "")) * _SUFFIX[m.group(2).lower()]
    if not math.isfinite(value) or value < 0:
        raise InputError(f"{what}: {text!r} must be a finite number >= 0")
    return value


def parse_share(value: float, what: str) -> float:
    """Check that a share is a fraction in [0, 1] (not a percentage)."""
    if not (isinstance(value, (int, float)) and math.isfinite(value) and 0.0 <= value <= 1.0):
        hint = f" (did you mean {value / 100:g}?)" if isinstance(value, (int, float)) and 1 < value <= 100 else ""
        raise InputError(f"{what}: {value!r} is not a share; use a fraction from 0 to 1{hint}")
    return float(value)


def normalize_name(name: str) -> str:
    """Lower-case a catalog name and fold separators, so ``RTX 4090`` == ``rtx-4090`` == ``rtx_4090``."""
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def closest(name: str, choices: list[str], n: int = 3) -> list[str]:
    """The up-to-``n`` choices closest to ``name`` (difflib ratio), best first."""
    norm = normalize_name(name)
    hits = difflib.get_close_matches(norm, choices, n=n, cutoff=0.5)
    if not hits:  # substring fallback: "a100" -> "a100-80gb"
        hits = [c for c in choices if norm in c or c in norm][:n]
    return hits


@dataclass(frozen=True)
class HwSpec:
    """A hardware spec as typed: ``n_gpus`` cards of GPU ``gpu_name`` (not yet resolved)."""

    n_gpus: int
    gpu_name: str
    explicit: bool = False
    """True when the spec gave a count (``2x4090``), False for a bare name (``rtx4090``)."""


_HW_RE = re.compile(r"^\s*(?:(\d+)\s*[x×*]\s*)?([a-z0-9][a-z0-9 ._-]*?)\s*$", re.I)


def parse_hw_spec(text: str, what: str = "--gpu") -> HwSpec:
    """Parse ``2x4090``, ``4xA100-80GB``, ``h100``, ``8xH100`` into an :class:`HwSpec`.

    >>> parse_hw_spec("2x4090")
    HwSpec(n_gpus=2, gpu_name='4090', explicit=True)
    >>> parse_hw_spec("rtx4090"), parse_hw_spec("h100-sxm").explicit, parse_hw_spec("mi300x").n_gpus
    (HwSpec(n_gpus=1, gpu_name='rtx4090', explicit=False), False, 1)
    """
    m = _HW_RE.match(text or "")
    if not m:
        raise InputError(f"{what}: {text!r} is not a hardware spec; use e.g. 2x4090, 4xA100-80GB, h100")
    n = int(m.group(1)) if m.group(1) else 1
    if not 1 <= n <= 64:
        raise InputError(f"{what}: {text!r} asks for {n} GPUs; use 1 to 64 per replica")
    return HwSpec(n_gpus=n, gpu_name=normalize_name(m.group(2)), explicit=m.group(1) is not None)
