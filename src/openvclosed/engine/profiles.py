"""Serving-engine profiles: the calibrated parameters of the decode-step model, per engine.

Each profile names the efficiency of every term of :func:`openvclosed.engine.throughput.decode_step_s`
and the fixed costs per step and per layer. ``data/measurements/calibration.json`` holds the
values fitted on the training part of the published measurements (docs/validation.md); the
numbers below are the starting points the fit moves from and the fallback when that file is
missing. Plain data, no I/O here (the loader lives in :mod:`openvclosed.decision.calibration`).
"""

from __future__ import annotations

__all__ = ["ENGINES", "PROFILE_FIELDS", "STARTING_POINTS", "LINK_LATENCY_S", "LINK_GB_S", "NODE_LINKS", "COLLECTIVE_EFF",
           "DEFAULT_NODE_LINK", "GPUS_PER_NODE", "default_engine", "profile_key", "PROFILE_KEYS", "HARDWARE_CLASSES", "starting_point"]

ENGINES: tuple[str, ...] = ("vllm", "sglang", "trtllm", "llamacpp", "mlx")

PROFILE_FIELDS: tuple[str, ...] = ("bandwidth_eff", "kv_bandwidth_eff", "decode_mfu", "prefill_mfu",
                                   "step_overhead_s", "layer_overhead_s", "low_bit_eff", "max_batch", "chunk_tokens", "kv_reserve_full")
"""``low_bit_eff`` multiplies ``bandwidth_eff`` for weights below 8 bits (dequantizing kernels
do not speed up in proportion to bits; not applied to NVFP4, the tensor cores' own format).
``chunk_tokens`` is the most prompt tokens one step prefills, the engine's default: vLLM
``--max-num-batched-tokens`` and SGLang ``--chunked-prefill-size`` 8192 on large GPUs,
TensorRT-LLM ``max_num_tokens`` 8192, llama.cpp ``--ubatch-size`` 512, mlx-lm's prefill step 2048.
``kv_reserve_full`` (1 or 0): the engine admits a request only when the KV cache of its whole
prompt and answer fits (TensorRT-LLM's default capacity scheduler policy GUARANTEED_NO_EVICT,
https://github.com/NVIDIA/TensorRT-LLM/blob/b93e14ca093e446615f3009cae6ca5a33c4f2f56/tensorrt_llm/_torch/pyexecutor/scheduler.py),
so the sequences in flight are sized at ``I + O`` tokens, not at the mean context ``I + O/2``
(vLLM and SGLang admit on the blocks in use and preempt when they run out).
``vram_share`` (optional; without it the ``vram_reserve_share`` assumption, vLLM's
``--gpu-memory-utilization`` 0.9): the share of a GPU's memory the engine fills unless the user
sets one. llama.cpp has no utilization cap: it allocates the offloaded weights, the KV cache of
its context and a compute buffer, so it fills 0.95 (assumption: the CUDA context and compute
buffers take several hundred MiB of a 16-24 GiB card)."""

STARTING_POINTS: dict[str, dict[str, float]] = {
    # continuous-batching GPU servers (CUDA graphs for decode; chunked prefill)
    "vllm": {"bandwidth_eff": 0.80, "kv_bandwidth_eff": 0.60, "decode_mfu": 0.40, "prefill_mfu": 0.50,
             "step_overhead_s": 5.0e-4, "layer_overhead_s": 5.0e-6, "low_bit_eff": 0.80, "max_batch": 256, "chunk_tokens": 8192, "kv_reserve_full": 0.0},
    "sglang": {"bandwidth_eff": 0.80, "kv_bandwidth_eff": 0.60, "decode_mfu": 0.40, "prefill_mfu": 0.50,
               "step_overhead_s": 5.0e-4, "layer_overhead_s": 5.0e-6, "low_bit_eff": 0.80, "max_batch": 256, "chunk_tokens": 8192, "kv_reserve_full": 0.0},
    "trtllm": {"bandwidth_eff": 0.85, "kv_bandwidth_eff": 0.65, "decode_mfu": 0.45, "prefill_mfu": 0.55,
               "step_overhead_s": 3.0e-4, "layer_overhead_s": 3.0e-6, "low_bit_eff": 0.85, "max_batch": 512, "chunk_tokens": 8192,
               "kv_reserve_full": 1.0},
    # single-user engines on consumer / unified-memory hardware
    "llamacpp": {"bandwidth_eff": 0.70, "kv_bandwidth_eff": 0.50, "decode_mfu": 0.20, "prefill_mfu": 0.30,
                 "step_overhead_s": 5.0e-4, "layer_overhead_s": 1.0e-5, "low_bit_eff": 0.85, "max_batch": 16, "chunk_tokens": 512, "kv_reserve_full": 0.0,
                 "vram_share": 0.95},
    "mlx": {"bandwidth_eff": 0.70, "kv_bandwidth_eff": 0.50, "decode_mfu": 0.25, "prefill_mfu": 0.35,
            "step_overhead_s": 5.0e-4, "layer_overhead_s": 1.0e-5, "low_bit_eff": 0.85, "max_batch": 16, "chunk_tokens": 2048, "kv_reserve_full": 0.0},
}
"""Physical starting points (inside ``decision.validate.BOUNDS``, sources in docs/validation.md):
decode reads weights at 70-85% of peak DRAM bandwidth (vLLM at batch 1 reaches 77% of the A100
roofline with every overhead included, johnmusgrave.com/p/vllm-throughput-latency-sweep-on;
llama.cpp/MLX on unified memory less), large GEMMs 40-55% of dense peak in mixed decode steps,
a fraction of a millisecond per step with CUDA graphs. Llama 3.1 8B bf16 on one H100 at batch 1:
16.06 GB / (0.8 x 3,350 GB/s) + 0.5 ms + 32 x 5 us = 6.7 ms, 150 tok/s (ceiling 209)."""

COLLECTIVE_EFF: dict[str, float] = {"nvlink": 0.45, "infinity_fabric": 0.6, "pcie": 0.5, "ethernet": 0.5,
                                    "unified": 0.5, "none": 0.5}
"""Share of the catalog's link figure a ring all-reduce reaches, by link kind. Assumption: the
catalog gives NVLink as the bidirectional total (900 GB/s on H100, so 450 each way, and NCCL's
bus bandwidth is below the line rate); PCIe figures are one direction, halved for the protocol
and for the host hop of cards without peer-to-peer. The calibration fits it per link kind
(data/measurements/calibration.json ``links``) inside ``decision.validate.LINK_BOUNDS``."""

LINK_LATENCY_S: dict[str, float] = {"nvlink": 8e-6, "infinity_fabric": 10e-6, "pcie": 25e-6, "ethernet": 40e-6,
                                    "unified": 5e-6, "none": 25e-6}
"""Latency of one small all-reduce by link kind [s]: NCCL over NVLink runs ~5-10 us, over PCIe
without peer-to-peer (GeForce) through host memory several times that. Assumption, within the
per-layer overhead the calibration fits."""

LINK_GB_S: dict[str, float] = {"nvlink": 450.0, "infinity_fabric": 448.0, "pcie": 25.0, "ethernet": 50.0,
                               "unified": 100.0, "none": 25.0}
"""Per-GPU link bandwidth one way [GB/s] when the catalog gives none: NVLink 4 900 GB/s total
(450 each way), MI300X Infinity Fabric 7 x 64 GB/s, PCIe 4.0 x16 ~25 GB/s usable. Assumption."""


NODE_LINKS: dict[str, dict] = {
    "ib-400": {"gb_s": 50.0, "latency_s": 10e-6, "source": "NVIDIA ConnectX-7 / Quantum-2 NDR InfiniBand, 400 Gb/s "
               "per port, one port per GPU in DGX H100/H200 (https://docs.nvidia.com/dgx/dgxh100-user-guide/"
               "introduction-to-dgxh100.html); latency: assumption (NCCL inter-node small-message all-reduce)"},
    "ib-200": {"gb_s": 25.0, "latency_s": 10e-6, "source": "HDR InfiniBand 200 Gb/s per GPU (DGX A100, "
               "https://docs.nvidia.com/dgx/dgxa100-user-guide/introduction-to-dgxa100.html); latency: assumption"},
    "roce-400": {"gb_s": 50.0, "latency_s": 15e-6, "source": "400 GbE RoCE per GPU (ConnectX-7 Ethernet mode); "
                 "latency: assumption"},
    "eth-100": {"gb_s": 12.5, "latency_s": 30e-6, "source": "100 GbE per node shared by its GPUs (TCP/RoCE); "
                "latency: assumption"},
}
"""Named links between the nodes of a multi-node machine (``ovc fit --interconnect``): per-GPU
bandwidth one way [GB/s] (line rate / 8) and small-message latency [s]."""

DEFAULT_NODE_LINK = "ib-400"
"""Link assumed between nodes when a machine of more than :data:`GPUS_PER_NODE` GPUs names none."""

GPUS_PER_NODE = 8
"""GPUs on one node's GPU-GPU fabric unless ``--nodes`` says otherwise (HGX/DGX and MI300X
platforms: 8). Assumption."""


HARDWARE_CLASSES: tuple[str, ...] = ("unified", "amd")
"""Hardware fitted apart from discrete NVIDIA GPUs: unified-memory machines (DGX Spark, Strix
Halo, Apple: LPDDR memory systems, other kernels) and AMD Instinct GPUs (ROCm kernels)."""


def profile_key(engine: str, segment: str | None, vendor: str | None = None) -> str:
    """The profile a design uses: its engine's on discrete NVIDIA GPUs, else its engine's on the
    hardware class (:data:`HARDWARE_CLASSES`).

    >>> profile_key("vllm", "datacenter", "nvidia"), profile_key("vllm", "unified"), profile_key("vllm", "datacenter", "amd")
    ('vllm', 'vllm@unified', 'vllm@amd')
    """
    if segment == "unified":
        return f"{engine}@unified"
    if (vendor or "").lower() == "amd":
        return f"{engine}@amd"
    return engine


PROFILE_KEYS: tuple[str, ...] = ENGINES + tuple(f"{e}@{c}" for c in HARDWARE_CLASSES for e in ENGINES)
"""Every profile: per engine, and per engine on each hardware class (starting from the engine's)."""


def starting_point(key: str) -> dict[str, float]:
    """The starting point of a profile key (``vllm@unified`` starts where ``vllm`` does)."""
    return dict(STARTING_POINTS[key.split("@")[0]])


def default_engine(vendor: str | None, segment: str | None) -> str:
    """The engine people run on a hardware class: MLX on Apple silicon, llama.cpp on other
    unified-memory machines (DGX Spark, Strix Halo), vLLM on discrete GPUs (serving).

    >>> default_engine("apple", "unified"), default_engine("amd", "unified"), default_engine("nvidia", "consumer")
    ('mlx', 'llamacpp', 'vllm')
    """
    if (vendor or "").lower() == "apple":
        return "mlx"
    if segment == "unified":
        return "llamacpp"
    return "vllm"
