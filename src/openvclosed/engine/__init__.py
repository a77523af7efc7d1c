"""The cost engine: pure numpy functions, no I/O.

Every function broadcasts its inputs, so one scenario and a grid of millions go through the
same code; scalars in give 0-d results (use ``float()``). "Never" is data, not an exception:
``inf`` where a break-even or payback does not exist.

=============  ===========================================================
``defaults``   default values of every tunable input (one source)
``period``     day <-> month <-> year conversion (one place)
``apicost``    API USD per day / per 1M tokens (input, cached, output, batch)
``fit``        weight and KV-cache memory, usable VRAM, concurrent sequences
``throughput`` decode and prefill tokens/s
``capacity``   tokens/day one replica serves; whole replicas needed
``tco``        cost components of one replica per day (owned or rented)
``design``     the one chain: design inputs -> fit, throughput, capacity, cost
``breakeven``  break-even tokens/day, payback months, API vs self-host
``horizon``    costs over months (growth, price decline, discounting)
``montecarlo`` / ``sensitivity`` / ``sweep``   uncertainty and grids on top of the above
=============  ===========================================================
"""

from openvclosed.engine.apicost import api_usd_per_day, api_usd_per_mtok
from openvclosed.engine.breakeven import (breakeven_tokens_per_day, compare_with_api, payback_months,
                                          selfhost_usd_per_day)
from openvclosed.engine.capacity import replica_tokens_per_day, replicas_needed
from openvclosed.engine.defaults import DAYS_PER_MONTH, DEFAULTS
from openvclosed.engine.design import DesignEval, DesignInputs, selfhost_design
from openvclosed.engine.fit import (
    GB_PER_GIB,
    PRECISION_BITS,
    kv_gb_per_token,
    max_concurrent_seqs,
    usable_vram_gb,
    weights_gb,
)
from openvclosed.engine.period import per_day_from_month, per_month_from_day
from openvclosed.engine.tco import capital_recovery_factor, replica_costs
from openvclosed.engine.throughput import (
    allreduce_s,
    decode_step_s,
    decode_tokens_per_s,
    experts_touched,
    prefill_tokens_per_s,
    weight_read_gb,
)

__all__ = [
    "api_usd_per_day", "api_usd_per_mtok",
    "breakeven_tokens_per_day", "compare_with_api", "payback_months", "selfhost_usd_per_day",
    "replica_tokens_per_day", "replicas_needed", "DAYS_PER_MONTH", "DEFAULTS",
    "DesignEval", "DesignInputs", "selfhost_design",
    "GB_PER_GIB", "PRECISION_BITS", "kv_gb_per_token", "max_concurrent_seqs", "usable_vram_gb", "weights_gb",
    "per_day_from_month", "per_month_from_day", "capital_recovery_factor", "replica_costs",
    "allreduce_s", "decode_step_s", "decode_tokens_per_s", "experts_touched", "prefill_tokens_per_s",
    "weight_read_gb",
]
