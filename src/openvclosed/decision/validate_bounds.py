"""The physical bounds, fit settings and source exclusions of the serving-profile calibration
(:mod:`openvclosed.decision.validate`), and the collective-communication parameters per link kind.
Plain data and small helpers; each bound's basis is written next to it."""

from __future__ import annotations

import numpy as np

from openvclosed.engine.design import DesignInputs

FITTED = ("bandwidth_eff", "kv_bandwidth_eff", "decode_mfu", "prefill_mfu", "step_overhead_s", "layer_overhead_s",
          "low_bit_eff")

BOUNDS = {
    # share of peak DRAM bandwidth a decode step's weight reads reach: a streaming read never
    # exceeds the peak; vLLM at batch 1 reaches 77% of the A100's roofline including every
    # overhead (johnmusgrave.com/p/vllm-throughput-latency-sweep-on), so the read itself is above
    # that; below 0.45 no tuned engine has been published (llama.cpp on unified memory ~0.6)
    "bandwidth_eff": (0.45, 0.95),
    "kv_bandwidth_eff": (0.25, 0.95),   # paged KV reads are scattered blocks: below the weight reads
    "decode_mfu": (0.10, 0.80),         # large-M GEMMs reach ~70-80% of dense peak (cuBLAS/hipBLASLt)
    "prefill_mfu": (0.15, 0.80),
    "step_overhead_s": (0.0, 3e-3),     # scheduler + sampling + launch per step: 0.1-2 ms published
    "layer_overhead_s": (0.0, 3e-5),    # ~5-10 kernel launches of 2-4 us per layer without CUDA graphs
    "low_bit_eff": (0.5, 1.0),          # dequantizing kernels: a fraction of the bandwidth-proportional speed-up
}
"""Physical bounds of every fitted parameter (docs/validation.md gives the sources)."""

KEY_BOUNDS = {key: {"bandwidth_eff": (0.75, 0.95)} for key in ("vllm", "sglang", "trtllm")}
"""Tighter bounds per profile: the GPU servers on discrete NVIDIA GPUs read weights at >= 75% of
peak bandwidth, since vLLM at batch 1 reaches 77% of the A100 40GB roofline with every overhead
included (Llama-3.1-8B bf16, about 75 tok/s: johnmusgrave.com/p/vllm-throughput-latency-sweep-on)
and SGLang and TensorRT-LLM use the same or faster GEMV kernels."""


LINK_KINDS = ("nvlink", "pcie", "infinity_fabric")
"""Link kinds whose collective model is fitted (the others keep engine/profiles.py's assumption)."""

LINK_BOUNDS = {"collective_eff": (0.1, 1.0), "latency_s": (2e-6, 50e-6)}
"""Collective model bounds: an all-reduce reaches at most the link's one-way rate (NVLink's
catalog figure is the bidirectional total, so at most 0.5 of it: :data:`LINK_EFF_MAX`), and a
small-message all-reduce takes a few to tens of microseconds (NCCL over NVLink or PCIe)."""

LINK_EFF_MAX = {"nvlink": 0.5}


def link_bounds(kind: str, name: str) -> tuple[float, float]:
    lo, hi = LINK_BOUNDS[name]
    return (lo, min(hi, LINK_EFF_MAX.get(kind, hi))) if name == "collective_eff" else (lo, hi)


def start_links() -> dict[str, dict[str, float]]:
    from openvclosed.engine.profiles import COLLECTIVE_EFF, LINK_LATENCY_S

    return {k: {"collective_eff": COLLECTIVE_EFF[k], "latency_s": LINK_LATENCY_S[k]} for k in LINK_KINDS}


def link_info(catalog, cases: list) -> tuple[np.ndarray, np.ndarray]:
    """Per case: the GPU's link kind and the catalog link figure the collective efficiency scales."""
    from openvclosed.engine.profiles import LINK_GB_S

    kinds, raw = [], []
    for c in cases:
        ic = catalog.gpu(c.gpu_id).interconnect
        kind = ic.kind.lower()
        kinds.append(kind)
        raw.append(ic.link_gb_s or LINK_GB_S.get(kind, 25.0))
    return np.array(kinds, dtype=object), np.array(raw, dtype=float)


def with_links(x: DesignInputs, links: dict | None, info) -> DesignInputs:
    """``x`` with the collective model ``links`` (kind -> efficiency, latency) on the cases' links."""
    if not links or info is None:
        return x
    kinds, raw = info
    gb = np.array(x.link_gb_s, dtype=float, copy=True)
    lat = np.array(x.link_latency_s, dtype=float, copy=True)
    for k, q in links.items():
        m = kinds == k
        gb[m] = raw[m] * q["collective_eff"]
        lat[m] = q["latency_s"]
    return x.replace(link_gb_s=gb, link_latency_s=lat)


def bounds(key: str, name: str) -> tuple[float, float]:
    """The bounds of parameter ``name`` in profile ``key``."""
    return KEY_BOUNDS.get(key, {}).get(name, BOUNDS[name])

REGULARIZATION = 0.02
"""Pull toward the starting points (squared log ratio per parameter) against sparse engines."""

LOSS_SCALE = 0.15
"""Soft-L1 scale on log error: errors above ~15% count linearly, not squared (robust to outliers)."""

MARGIN = 0.03
"""An engine's fitted profile ships only if it lowers that engine's held-out median absolute
error by at least 3 percentage points against its starting point; else the starting point ships."""

FAMILY_CAP = 0.25
"""No document family weighs more than a quarter of the held-out rows in any statistic."""

EXCLUDED_SOURCES = {
    "simon-mo/R1-Benchmark": "bursts: 50 prompts sent at 10 requests/s, timed to the last answer; the run is "
                             "mostly ramp-up and tail, not the steady state serving_point predicts (bursts are "
                             "out of scope, engine/serving.py)",
}
"""Sources left out of fitting and validation, with the reason (listed in docs/validation.md)."""

OUT_OF_SCOPE_MARKERS = {
    "-ncmoe": "experts held in CPU RAM (llama.cpp -ncmoe / --n-cpu-moe): hybrid CPU-GPU inference is out of "
              "scope (ovc models weights in GPU memory)",
}
"""Row-level marks in ``source_detail`` of a setup the model does not describe -> the reason the row is left out."""

BURST_MARKERS = {
    "at once": "burst: every prompt sent at once (the source reports peak concurrency = prompt count), "
                    "timed to the last answer; ramp-up and tail dominate a run of ~1,000 requests (bursts "
                    "are out of scope, engine/serving.py)",
}
"""Row-level marks of a burst in ``source_detail`` -> the reason the row is left out. Offline
throughput runs of thousands of requests (trtllm-bench, sglang offline 5,000 prompts) spend most
of their time at the engine's maximum batch and stay in as fully loaded rows."""

ADP_MARKERS = ("attention dp", "enable-dp-attention", "dp-attention")
"""Marks in ``source_detail`` of an MoE run with attention data parallelism and expert-parallel
experts (TensorRT-LLM's perf overview: ``--ep`` with ``enable_attention_dp: true``) -> ``--attention-dp``."""

BATCH_MARKERS = {
    "trtllm-bench throughput": (4096, "trtllm-bench throughput sizes max_batch_size from the KV cache at ISL+OSL, "
                                "capped at 4096 (https://github.com/NVIDIA/TensorRT-LLM/blob/a7e572fb20c694e7711f0c"
                                "09f21eeaedeb45ccaa/tensorrt_llm/bench/build/tuning.py, finetune_setting) = --batch 4096"),
}
"""Row-level marks in ``source_detail`` of an engine batch cap the benchmark tool set -> the
``--batch`` a user would pass to describe it (offline rows only), and why."""

ENGINE_STAND_INS = {
    "ollama": ("llamacpp", "Ollama runs llama.cpp"),
    "gpt-fast": ("trtllm", "gpt-fast (torch.compile, CUDA graphs, no scheduler) is modelled with the compiled-"
                 "engine profile"),
    "antirez/ds4": ("llamacpp", "ds4 (Metal kernels for 2-bit DeepSeek weights) is modelled with the "
                    "single-user llama.cpp profile"),
}
"""Engines without a profile of their own -> the profile that models them, and why."""
