"""Result objects: what every command returns and every renderer takes (the JSON contract)."""

from openvclosed.results.breakeven import *  # noqa: F401,F403
from openvclosed.results.breakeven import __all__ as _all

__all__ = list(_all)
