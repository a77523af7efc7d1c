"""Memory fit (design step 2): weights, KV cache, usable VRAM, concurrent sequences."""

from __future__ import annotations

import numpy as np

__all__ = ["PRECISION_BITS", "GB_PER_GIB", "weights_gb", "kv_gb_per_token", "usable_vram_gb",
           "max_concurrent_seqs"]

PRECISION_BITS: dict[str, float] = {"fp16": 16.0, "fp8": 8.0, "int8": 8.0, "mxfp4": 4.25, "int4": 4.5, "nvfp4": 4.5}
"""Effective bits per weight by precision.

int4 counts 4.5 bits: 4-bit weights plus one 16-bit scale per group of 32 (llama.cpp Q4_0
is 4.5 bits/weight; AWQ/GPTQ with group size 128 and a zero point come to ~4.25). Assumption,
override with ``bits`` where the exact format is known. ``mxfp4`` (4-bit values with one 8-bit
scale per 32) is 4.25 bits: the native format of gpt-oss expert weights. ``nvfp4`` (4-bit values
with one FP8 scale per 16, NVIDIA Blackwell's tensor-core format) is 4.5 bits; it computes at the
FP4 tensor rate where the GPU has one.
"""

GB_PER_GIB = 2**30 / 1e9
"""GPU memory is marketed in binary units (an "80 GB" H100 has 80 GiB); everything else here
is decimal GB (1e9 bytes). 1 GiB = 1.073741824 GB."""


def weights_gb(params_b, weight_bits):
    """Weight memory [GB = 1e9 bytes] = params [1e9] x bits / 8.

    >>> float(weights_gb(70.6, 16))
    141.2
    """
    p, b = np.broadcast_arrays(np.asarray(params_b, dtype=float), np.asarray(weight_bits, dtype=float))
    return p * b / 8.0


def kv_gb_per_token(kv_elements_per_token, kv_bits=16.0):
    """KV-cache memory per token of context [GB/token].

    ``kv_elements_per_token = 2 x layers x kv_heads x head_dim`` (K and V) for standard
    attention; Llama 3.1 70B: 2*80*8*128 = 163,840 elements = 327,680 bytes at 16 bits.

    >>> round(float(kv_gb_per_token(2 * 80 * 8 * 128, 16)) * 1e9)
    327680
    """
    e, b = np.broadcast_arrays(np.asarray(kv_elements_per_token, dtype=float), np.asarray(kv_bits, dtype=float))
    return e * b / 8.0 / 1e9


def usable_vram_gb(vram_gib, n_gpus, reserve_share=0.90):
    """VRAM the serving engine may use [GB] = n_gpus x vram [GiB] x 1.0737 x reserve_share.

    ``reserve_share`` is the fraction handed to weights + KV cache; the rest holds CUDA
    context, activations and fragmentation (vLLM's ``gpu_memory_utilization`` default 0.9).

    >>> round(float(usable_vram_gb(24, 2, 0.9)), 2)
    46.38
    """
    v, n, r = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (vram_gib, n_gpus, reserve_share)))
    return n * v * GB_PER_GIB * r


def max_concurrent_seqs(usable_gb, weights_gb_, kv_gb_per_token_, context_tokens):
    """Sequences whose KV cache fits beside the weights (whole number, >= 0).

    ``floor(max(0, usable - weights) / (kv_per_token x context_tokens))``; ``fits`` is
    ``max_concurrent_seqs >= 1``.

    >>> float(max_concurrent_seqs(46.38, 39.7125, 327680e-9, 4096))
    4.0
    """
    u, w, kv, c = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in
                                        (usable_gb, weights_gb_, kv_gb_per_token_, context_tokens)))
    free = np.maximum(u - w, 0.0)
    per_seq = kv * c
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        seqs = np.where(per_seq > 0, np.floor(free / per_seq), np.where(free > 0, np.inf, 0.0))
    return seqs
