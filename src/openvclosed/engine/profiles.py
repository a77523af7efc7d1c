"""Serving-engine profiles: the calibrated parameters of the decode-step model, per engine.

Each profile names the efficiency of every term of :func:`openvclosed.engine.throughput.decode_step_s`
and the fixed costs per step and per layer. ``data/measurements/calibration.json`` holds the
values fitted on the training part of the published measurements (docs/validation.md); the
numbers below are the starting points the fit moves from and the fallback when that file is
missing. Plain data, no I/O here (the loader lives in :mod:`openvclosed.decision.calibration`).
"""

from __future__ import annotations

__all__ = ["ENGINES", "PROFILE_FIELDS", "STARTING_POINTS", "LINK_LATENCY_S", "LINK_GB_S", "default_engine"]

ENGINES: tuple[str, ...] = ("vllm", "sglang", "trtllm", "llamacpp", "mlx")

PROFILE_FIELDS: tuple[str, ...] = ("bandwidth_eff", "kv_bandwidth_eff", "decode_mfu", "prefill_mfu",
                                   "step_overhead_s", "layer_overhead_s", "low_bit_eff", "max_batch")
"""``low_bit_eff`` multiplies ``bandwidth_eff`` for weights below 8 bits (dequantizing kernels
do not speed up in proportion to bits)."""

STARTING_POINTS: dict[str, dict[str, float]] = {
    # continuous-batching GPU servers
    "vllm": {"bandwidth_eff": 0.70, "kv_bandwidth_eff": 0.50, "decode_mfu": 0.35, "prefill_mfu": 0.45,
             "step_overhead_s": 2.0e-3, "layer_overhead_s": 2.0e-5, "low_bit_eff": 0.75, "max_batch": 256},
    "sglang": {"bandwidth_eff": 0.72, "kv_bandwidth_eff": 0.55, "decode_mfu": 0.38, "prefill_mfu": 0.50,
               "step_overhead_s": 1.5e-3, "layer_overhead_s": 1.5e-5, "low_bit_eff": 0.75, "max_batch": 256},
    "trtllm": {"bandwidth_eff": 0.78, "kv_bandwidth_eff": 0.60, "decode_mfu": 0.45, "prefill_mfu": 0.55,
               "step_overhead_s": 1.0e-3, "layer_overhead_s": 1.0e-5, "low_bit_eff": 0.80, "max_batch": 512},
    # single-user engines on consumer / unified-memory hardware
    "llamacpp": {"bandwidth_eff": 0.65, "kv_bandwidth_eff": 0.50, "decode_mfu": 0.20, "prefill_mfu": 0.30,
                 "step_overhead_s": 1.0e-3, "layer_overhead_s": 3.0e-5, "low_bit_eff": 0.85, "max_batch": 16},
    "mlx": {"bandwidth_eff": 0.65, "kv_bandwidth_eff": 0.50, "decode_mfu": 0.25, "prefill_mfu": 0.35,
            "step_overhead_s": 1.0e-3, "layer_overhead_s": 2.0e-5, "low_bit_eff": 0.85, "max_batch": 16},
}

LINK_LATENCY_S: dict[str, float] = {"nvlink": 8e-6, "infinity_fabric": 10e-6, "pcie": 25e-6, "ethernet": 40e-6,
                                    "unified": 5e-6, "none": 25e-6}
"""Latency of one small all-reduce by link kind [s]: NCCL over NVLink runs ~5-10 us, over PCIe
without peer-to-peer (GeForce) through host memory several times that. Assumption, within the
per-layer overhead the calibration fits."""

LINK_GB_S: dict[str, float] = {"nvlink": 450.0, "infinity_fabric": 448.0, "pcie": 25.0, "ethernet": 50.0,
                               "unified": 100.0, "none": 25.0}
"""Per-GPU link bandwidth one way [GB/s] when the catalog gives none: NVLink 4 900 GB/s total
(450 each way), MI300X Infinity Fabric 7 x 64 GB/s, PCIe 4.0 x16 ~25 GB/s usable. Assumption."""


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
