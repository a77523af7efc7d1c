"""The cost engine: pure numpy functions, no I/O.

Every function broadcasts its inputs (``np.broadcast_arrays``), so one scenario and a
grid of millions go through the same code; scalars in give 0-d results (use ``float()``).
"Never" is data, not an exception: ``inf`` where a break-even or payback does not exist.

Modules, one per step of ``shared/design.md``:

=============  ===========================================================
``apicost``    API USD per day / per 1M tokens (input, cached, output, batch)
``fit``        weight and KV-cache memory, usable VRAM, concurrent sequences
``throughput`` roofline decode and prefill tokens/s
``capacity``   tokens/day one replica serves; whole replicas needed
``tco``        owned (capital recovery, power, ops) and rented cost per replica-day
``breakeven``  break-even tokens/day and payback months
=============  ===========================================================
"""

from openvclosed.engine.apicost import api_usd_per_day, api_usd_per_mtok
from openvclosed.engine.breakeven import breakeven_tokens_per_day, payback_months, selfhost_usd_per_day
from openvclosed.engine.capacity import replica_tokens_per_day, replicas_needed
from openvclosed.engine.fit import (
    GB_PER_GIB,
    PRECISION_BITS,
    kv_gb_per_token,
    max_concurrent_seqs,
    usable_vram_gb,
    weights_gb,
)
from openvclosed.engine.tco import (
    capital_recovery_factor,
    owned_usd_per_replica_day,
    rented_usd_per_replica_day,
)
from openvclosed.engine.throughput import (
    decode_step_s,
    decode_tokens_per_s,
    prefill_tokens_per_s,
    tp_factor,
)

__all__ = [
    "api_usd_per_day", "api_usd_per_mtok",
    "breakeven_tokens_per_day", "payback_months", "selfhost_usd_per_day",
    "replica_tokens_per_day", "replicas_needed",
    "GB_PER_GIB", "PRECISION_BITS", "kv_gb_per_token", "max_concurrent_seqs", "usable_vram_gb", "weights_gb",
    "capital_recovery_factor", "owned_usd_per_replica_day", "rented_usd_per_replica_day",
    "decode_step_s", "decode_tokens_per_s", "prefill_tokens_per_s", "tp_factor",
]
