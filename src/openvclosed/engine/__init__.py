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

_WHERE = {
    "api_usd_per_day": "apicost", "api_usd_per_mtok": "apicost",
    "breakeven_tokens_per_day": "breakeven", "compare_with_api": "breakeven", "payback_months": "breakeven",
    "win_intervals": "breakeven", "staircase_replicas": "breakeven", "breakeven_of": "breakeven",
    "comparison": "breakeven",
    "selfhost_usd_per_day": "breakeven", "replica_tokens_per_day": "capacity", "replicas_needed": "capacity",
    "DAYS_PER_MONTH": "defaults", "DEFAULTS": "defaults",
    "DesignEval": "design", "DesignInputs": "design", "selfhost_design": "design",
    "GB_PER_GIB": "fit", "PRECISION_BITS": "fit", "kv_gb_per_token": "fit", "max_concurrent_seqs": "fit",
    "usable_vram_gb": "fit", "weights_gb": "fit", "per_day_from_month": "period", "per_month_from_day": "period",
    "capital_recovery_factor": "tco", "replica_costs": "tco",
    "allreduce_s": "throughput", "decode_step_s": "throughput", "decode_tokens_per_s": "throughput",
    "experts_touched": "throughput", "prefill_tokens_per_s": "throughput", "weight_read_gb": "throughput",
}
"""Where each name of ``__all__`` lives. They are imported on first use (start-up speed: importing
``openvclosed.engine.defaults`` must not import numpy and every engine module)."""


def __getattr__(name: str):
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"openvclosed.engine.{mod}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_WHERE))


__all__ = [
    "api_usd_per_day", "api_usd_per_mtok",
    "breakeven_tokens_per_day", "compare_with_api", "payback_months", "selfhost_usd_per_day", "win_intervals",
    "staircase_replicas", "breakeven_of", "comparison",
    "replica_tokens_per_day", "replicas_needed", "DAYS_PER_MONTH", "DEFAULTS",
    "DesignEval", "DesignInputs", "selfhost_design",
    "GB_PER_GIB", "PRECISION_BITS", "kv_gb_per_token", "max_concurrent_seqs", "usable_vram_gb", "weights_gb",
    "per_day_from_month", "per_month_from_day", "capital_recovery_factor", "replica_costs",
    "allreduce_s", "decode_step_s", "decode_tokens_per_s", "experts_touched", "prefill_tokens_per_s",
    "weight_read_gb",
]
