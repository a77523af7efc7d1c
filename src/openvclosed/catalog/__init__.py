"""Catalogs of API prices, GPUs and open-weight models (the project's reference-data I/O).

``store`` holds the entry schemas, loading and look-up; ``litellm`` imports LiteLLM's price JSON.
"""

from openvclosed.catalog.store import *  # noqa: F401,F403
from openvclosed.catalog.store import TIERS, __all__ as _store_all  # noqa: F401

__all__ = list(_store_all) + ["TIERS"]
