"""What an assumption's value means, in plain words, for the report's one assumptions table.

The basis column says where a default comes from; this says what the value that was used does
("0.857: 6 input tokens per output token"), so a reader can check it against their own workload.
"""

from __future__ import annotations

import math

__all__ = ["meaning"]


def _share(v: float) -> str:
    return f"{v:.0%}"


def _io(v: float) -> str:
    if v >= 1:
        return "every token is input (no output)"
    if v <= 0:
        return "every token is output"
    r = v / (1 - v)
    return f"{r:.3g} input tokens per output token" if r >= 1 else f"{1 / r:.3g} output tokens per input token"


_WORDS = {
    "input_share": _io,
    "cached_share": lambda v: ("no prompt-cache hits" if v == 0 else
                               f"{_share(v)} of input tokens come from the prompt cache (cheaper, no prefill)"),
    "cache_write_share": lambda v: ("nothing written to the prompt cache" if v == 0 else
                                    f"{_share(v)} of input tokens are written to the prompt cache"),
    "batch_share": lambda v: ("no traffic through batch APIs" if v == 0 else
                              f"{_share(v)} of the traffic goes through batch APIs (about half price, hours of delay)"),
    "context_tokens": lambda v: f"each sequence holds {v:,.0f} tokens in the KV cache on average",
    "kv_bits": lambda v: f"{v:g}-bit KV cache ({'fp16/bf16' if v == 16 else 'fp8' if v == 8 else 'quantized'})",
    "vram_reserve_share": lambda v: f"the engine uses {_share(v)} of GPU memory",
    "max_batch": lambda v: f"at most {v:,.0f} sequences decode at once per instance",
    "output_multiplier": lambda v: ("output tokens as stated" if v == 1 else
                                    f"{v:g}x the visible output is generated and billed (hidden reasoning)"),
    "utilization": lambda v: f"replicas run {_share(v)} busy on average (used only where a workload fixes it)",
    "ttft_p95_ms": lambda v: f"95% of requests see the first token within {v / 1000:g} s at the busy hour",
    "tpot_p95_ms": lambda v: f"each answer streams at {1000 / v:.3g} tokens/s or faster",
    "service_cv2": lambda v: ("answer lengths vary like an exponential" if v == 1 else
                              f"time in a slot varies with squared coefficient of variation {v:g}"),
    "hours_per_day": lambda v: "serving around the clock" if v >= 24 else f"serving {v:g} hours a day",
    "days_per_month": lambda v: f"{v:g} days a month (365.25 / 12)" if abs(v - 30.4375) < 1e-9 else f"{v:g} days a month",
    "electricity_usd_kwh": lambda v: f"{v * 100:.3g} US cents per kWh",
    "pue": lambda v: f"{v:g} W drawn from the grid per W the hardware uses (cooling, power conversion)",
    "power_draw_share": lambda v: f"the hardware draws {_share(v)} of its rated power on average",
    "idle_power_share": lambda v: f"an idle GPU draws {_share(v)} of its rated power",
    "residual_share": lambda v: f"the GPUs resell for {_share(v)} of their price after amortisation",
    "host_w_per_gpu": lambda v: f"{v:g} W of server (CPU, memory, fans) per GPU",
    "host_usd_per_gpu": lambda v: f"${v:,.0f} of server per GPU where the price is a bare card",
    "ops_team_usd_month": lambda v: f"${v:,.0f} a month of engineering time for a self-hosted deployment",
    "ops_usd_month": lambda v: f"${v:,.0f} a month more per machine",
    "hybrid_router_usd_month": lambda v: f"${v:,.0f} a month to run the router of a hybrid",
    "amortize_years": lambda v: f"hardware is paid off over {v:g} years",
    "rate": lambda v: f"money costs {_share(v)} a year (the discount rate of present values)",
    "gpu_price_usd": lambda v: f"${v:,.0f} per GPU instead of the catalog price",
    "gpu_hour_usd": lambda v: f"${v:g} per GPU-hour instead of the catalog price",
    "tokens_per_s": lambda v: f"a measured {v:,.0f} tokens/s per replica instead of the model",
}


def meaning(name: str, value) -> str:
    """Plain words for ``name`` = ``value`` ("" when there is nothing to add to the value).

    >>> meaning("input_share", 0.857142857), meaning("tpot_p95_ms", 50.0)
    ('6 input tokens per output token', 'each answer streams at 20 tokens/s or faster')
    >>> meaning("engine", None)
    ''
    """
    f = _WORDS.get(name)
    if f is None or value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    return f(value)
