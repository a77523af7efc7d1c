"""Exceptions and exit codes.

Only the CLI turns these into one line on stderr and an exit code; every other layer raises.
"""

from __future__ import annotations

EXIT_OK = 0
"""Everything computed; any check passed."""
EXIT_CHECK_FAILED = 1
"""A budget or policy check failed (``ovc check``)."""
EXIT_BAD_INPUT = 2
"""Bad input or usage: unknown name, invalid value, unreadable file."""


class OvcError(Exception):
    """Base class of every error ``ovc`` reports to the user."""

    exit_code = EXIT_BAD_INPUT


class InputError(OvcError):
    """The user gave a value that cannot be used (names the field and what is allowed)."""


class UnknownNameError(InputError):
    """A GPU, model or API name not in the catalog; carries the closest matches."""

    def __init__(self, kind: str, name: str, choices: list[str], close: list[str]):
        self.kind, self.name, self.close = kind, name, close
        if close:
            hint = "did you mean " + ", ".join(repr(c) for c in close) + "?"
        else:
            hint = f"run `ovc catalog {kind}s` to list them"
        super().__init__(f"unknown {kind} {name!r}; {hint}")


class CatalogError(InputError):
    """A catalog file is unreadable or does not validate (names the file and field)."""
