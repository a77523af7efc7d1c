"""Named, overridable assumptions with their basis.

Every default here is either cited (``basis`` names the source) or plainly marked as an
assumption; every one can be overridden on the command line or in a workload file. The
output of every command lists the values it used.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from openvclosed.engine.defaults import DAYS_PER_MONTH, DEFAULTS, LOADED_ENGINEER_USD_YEAR

OPS_TEAM_USD_MONTH = round(0.25 * LOADED_ENGINEER_USD_YEAR / 12.0)
"""A quarter of one engineer's loaded cost per month [USD/month] (3,938): the default team of a
self-hosted deployment (engine.defaults.LOADED_ENGINEER_USD_YEAR names the sources)."""

IDLE_POWER_SHARE = 0.115
"""Idle draw / rated power (H200 SXM 80.3 W of 700 W, measured; the basis is in the assumption)."""
RESIDUAL_SHARE = {"consumer": 0.64, "other": 0.22}
"""Resale after amortisation / purchase price by GPU class (the basis is in ``residual_share``)."""

__all__ = ["Assumptions", "BASIS", "DAYS_PER_MONTH", "IDLE_POWER_SHARE", "RESIDUAL_SHARE"]

def _a(default, basis: str, **kw):
    return Field(default, description=basis, json_schema_extra={"basis": basis}, **kw)


def _e(name: str, basis: str, **kw):
    """An assumption whose default is the engine's (``engine.defaults.DEFAULTS[name]``): one source."""
    value = DEFAULTS[name]
    if name in ("context_tokens", "max_batch"):
        value = int(value)
    return _a(value, basis, **kw)


class Assumptions(BaseModel):
    """Inputs of the cost model that are not facts about a catalog entry."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data):
        """``ops_usd_per_node_month`` is the per-machine increment's descriptive name (JSON keeps ``ops_usd_month``)."""
        if isinstance(data, dict) and "ops_usd_per_node_month" in data:
            data = dict(data)
            v = data.pop("ops_usd_per_node_month")
            if "ops_usd_month" in data and data["ops_usd_month"] != v:
                raise ValueError("give ops_usd_month or ops_usd_per_node_month (the same thing), not both")
            data["ops_usd_month"] = v
        return data

    # --- traffic shape
    input_share: float = _e("input_share", "assumption: 3 input tokens per output token (chat/RAG prompts are longer than answers)", ge=0, le=1)
    cached_share: float = _e("cached_share", "assumption: no prompt-cache hits unless you say so", ge=0, le=1)
    cache_write_share: float = _a(0.0, "assumption: no input tokens written to the prompt cache unless you say so (APIs that bill cache writes charge them above the input price)", ge=0, le=1)
    batch_share: float = _e("batch_share", "assumption: no traffic through batch APIs unless you say so", ge=0, le=1)
    context_tokens: int = _e("context_tokens", "assumption: mean tokens held in the KV cache per sequence (prompt + answer so far)", gt=0)
    # --- serving engine
    kv_bits: float = _e("kv_bits", "assumption: fp16/bf16 KV cache (vLLM default kv_cache_dtype=auto); 8 = fp8 KV", gt=0, le=32)
    vram_reserve_share: float = _e("vram_reserve_share", "vLLM --gpu-memory-utilization default 0.9 (https://docs.vllm.ai/en/latest/models/engine_args.html)", gt=0, le=1)
    max_batch: int | None = _a(None, "override: most sequences decoded at once per instance; default: the engine profile (vLLM --max-num-seqs 256, https://docs.vllm.ai/en/latest/models/engine_args.html)", gt=0, le=100000)
    min_concurrent_seqs: int = _a(4, "assumption: a default model must leave KV room for at least this many sequences to count as a sane fit", ge=1)
    # --- serving engine profile (docs/validation.md); None = the profile's calibrated value
    engine: Literal["vllm", "sglang", "trtllm", "llamacpp", "mlx"] | None = _a(None, "serving engine whose calibrated profile sets the efficiencies below; default: MLX on Apple, llama.cpp on other unified-memory machines, vLLM on discrete GPUs")
    bandwidth_eff: float | None = _a(None, "override: share of peak memory bandwidth reached reading weights in decode; default: the engine profile (docs/validation.md)", gt=0, le=1)
    kv_bandwidth_eff: float | None = _a(None, "override: share of peak bandwidth reached reading the KV cache; default: the engine profile", gt=0, le=1)
    decode_mfu: float | None = _a(None, "override: share of peak tensor FLOPS in large-batch decode; default: the engine profile", gt=0, le=1)
    prefill_mfu: float | None = _a(None, "override: share of peak tensor FLOPS in prefill; default: the engine profile", gt=0, le=1)
    step_overhead_s: float | None = _a(None, "override: fixed time per decode step (scheduling, kernel launches) [s]; default: the engine profile", ge=0, le=1)
    layer_overhead_s: float | None = _a(None, "override: fixed time per layer per decode step [s]; default: the engine profile", ge=0, le=0.01)
    output_multiplier: float = _a(1.0, "assumption: output tokens are as stated; reasoning models emit hidden tokens billed and served as output (e.g. 3 = three times the visible answer)", ge=1, le=100)
    as_of: dt.date | None = _a(None, "prices valid at this date (price history); default: the newest")
    # --- operations
    utilization: float = _e("utilization", "override: mean load / capacity every replica is run at; default: workload files size each design for its load and latency targets (docs/sizing.md), `breakeven` runs replicas at this value", gt=0, le=1)
    ttft_p95_ms: float = _a(2000.0, "MLPerf Inference Server scenario, Llama 2 70B and Mixtral 8x7B: time to first token 2,000 ms (at the 99th percentile there; mlcommons/inference loadgen/mlperf.conf @982b206); applied here at the 95th; a workload's latency.ttft_p95_ms replaces it", ge=1, le=3_600_000)
    tpot_p95_ms: float = _a(200.0, "MLPerf Inference Server scenario, Llama 2 70B and Mixtral 8x7B: time per output token 200 ms (mlcommons/inference loadgen/mlperf.conf @982b206); a workload's latency.tpot_p95_ms or min_tokens_per_s replaces it", ge=0.1, le=60_000)
    service_cv2: float = _a(1.0, "assumption: a request's time in a slot varies like an exponential (squared coefficient of variation 1; answer lengths vary about as much as their mean); scales the queueing wait by (1 + cv2) / 2", ge=0, le=100)
    hours_per_day: float = _e("hours_per_day", "assumption: serving around the clock", gt=0, le=24)
    days_per_month: float = _e("days_per_month", "calendar average 365.25/12 days per month", gt=0, le=31)
    electricity_usd_kwh: float = _e("electricity_usd_kwh", "assumption; for scale, EIA Electric Power Monthly Table 5.6.A (Apr 2025) US commercial prices run from about 9.7 to 22.7 US cents/kWh by region", ge=0)
    site: Literal["office", "datacenter", "colocation"] | None = _a(None, "where owned hardware runs: office (a workstation or lab server), datacenter or colocation; default: a workload's sensitivity decides (regulated and confidential: datacenter), else office for consumer and unified-memory machines, datacenter for the rest")
    pue: float | None = _a(None, "power usage effectiveness; default by site: datacenter and colocation 1.58, \1; office 1.0, assumption: an office or lab machine pays no data-centre cooling and power-distribution overhead", ge=1)
    power_draw_share: float | None = _a(None, "override: mean draw as a share of rated power while powered; default: idle_power_share + (1 - idle_power_share) x utilization (engine.tco.power_draw_share_at: idle draw all the time, the rest while busy)", ge=0, le=1.5)
    idle_power_share: float = _a(IDLE_POWER_SHARE, "measured: an H200 SXM drew 80.3 W idle against its 700 W rating, 11.5% (GPU energy benchmark, http://api.serialalice.pt/alice-benchmark, June 2026); assumption: the same share for every accelerator and for whole-system ratings", ge=0, le=1)
    residual_share: float | None = _a(None, "GPU resale at the end of amortize_years as a share of the purchase price; default by class: consumer GeForce cards 0.64 (RTX 4090 used $1,025 in Q2 2026 vs its $1,599 MSRP of Oct 2022, https://visualfoodie.com/rtx-5090-vs-rtx-4090-a-price-comparison), every other accelerator 0.22 (A100 80GB SXM4 used $5,529 executed = 22.2% of launch, 2026-07-22, CCIR price tape https://ccir.io/hardware; 5.7 years after launch, so conservative for 3)", ge=0, le=1)
    system_power: bool = _a(True, "count the catalog's whole-system power rating per GPU where it has one (DGX H100 10.2 kW / 8); false = GPU TDP x power_draw_share + host_w_per_gpu")
    host_w_per_gpu: float = _e("host_w_per_gpu", "assumption: CPU, RAM, fans, PSU losses per GPU in the host [W]", ge=0)
    host_usd_per_gpu: float = _e("host_usd_per_gpu", "assumption: server/workstation share per GPU (CPU, RAM, board, PSU, chassis) [USD]", ge=0)
    ops_team_usd_month: float = _a(OPS_TEAM_USD_MONTH, "assumption: a quarter of one engineer on call for a self-hosted deployment (updates, monitoring, incidents), paid once per deployment — or once for a shared portfolio cluster — at a loaded $189,034/yr (BLS OEWS May 2024 median software developer wage $133,080, SOC 15-1252, over the 70.4% wage share of compensation, BLS ECEC Sept 2024) [USD/month]", ge=0)
    ops_usd_month: float = _e("ops_usd_month", "assumption: the per-machine increment of people time, 2 h/month per replica (hardware faults, driver and engine updates) at the same loaded $90.88/h (also accepted as ops_usd_per_node_month; the team is ops_team_usd_month) [USD/month]", ge=0)
    hybrid_router_usd_month: float = _a(500.0, "assumption: running a task router for a hybrid split (classifier, fallbacks, evals on two stacks), ~5 h/month at $100/h [USD/month]", ge=0)
    amortize_years: float = _e("amortize_years", "assumption: hardware written off over 3 years", gt=0)
    rate: float = _e("rate", "assumption: 8%/year cost of capital", ge=0, le=1)
    gpu_price_usd: float | None = _a(None, "per-GPU purchase price override [USD]; default: the catalog price", gt=0)
    gpu_hour_usd: float | None = _a(None, "rented $/GPU-hour override; default: the catalog cloud price", gt=0)
    tokens_per_s: float | None = _a(None, "measured aggregate tokens/s per replica (input + output); overrides the throughput model", gt=0)


BASIS: dict[str, str] = {name: (f.description or "") for name, f in Assumptions.model_fields.items()}
"""Field name -> where its default comes from."""
