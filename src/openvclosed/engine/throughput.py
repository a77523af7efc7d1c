"""Roofline throughput (design step 3): decode step time, decode and prefill tokens/s.

Efficiency factors are inputs (see :mod:`openvclosed.decision.assumptions` for the defaults, their
calibration and sources); a user's measured tokens/s bypasses this module entirely.
"""

from __future__ import annotations

import numpy as np

__all__ = ["tp_factor", "decode_step_s", "decode_tokens_per_s", "prefill_tokens_per_s", "latency_capped_batch"]


def _f(*xs):
    return np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in xs))


def tp_factor(n_gpus, tp_overhead):
    """Slow-down of one step from tensor parallelism over ``n_gpus`` [unitless, >= 1].

    ``1 + tp_overhead x (n_gpus - 1)``: each extra GPU adds all-reduce time per layer
    (larger over PCIe than NVLink).

    >>> float(tp_factor(4, 0.05))
    1.15
    """
    n, o = _f(n_gpus, tp_overhead)
    return 1.0 + o * (n - 1.0)


def decode_step_s(batch, weights_gb, active_share, kv_gb_per_seq, active_params_b, n_gpus,
                  bandwidth_gb_s, tflops, bandwidth_eff, mfu, tp_overhead):
    """Time of one decode step for ``batch`` sequences [s].

    Notes
    -----
    A step reads the weights once and each sequence's KV cache, and does
    ``2 x active_params`` FLOPs per sequence::

        w_read = W x (1 - (1 - active_share)^B)          # MoE: experts touched by B tokens
        t_mem  = (w_read + B x kv_seq) / (n x bandwidth x bandwidth_eff)
        t_cmp  = 2 x active_params x B / (n x flops x mfu)
        t_step = max(t_mem, t_cmp) x tp_factor(n)

    ``active_share = active_params / params`` (1 for dense models, where ``w_read = W``);
    the MoE term assumes tokens route to experts uniformly at random.
    Units: GB, GB/s, 1e9 params, TFLOPS.

    Examples
    --------
    Llama 3.1 8B fp16 (16.06 GB) on one RTX 4090 (1008 GB/s) at batch 1, 0.1 GB of KV,
    75% of peak bandwidth: (16.06 + 0.1) / 756 = 21.4 ms.

    >>> round(float(decode_step_s(1, 16.06, 1.0, 0.1, 8.03, 1, 1008, 165.2, 0.75, 0.5, 0.1)) * 1e3, 1)
    21.4
    """
    b, w, r, kv, ap, n, bw, fl, be, mfu, o = _f(batch, weights_gb, active_share, kv_gb_per_seq,
                                                active_params_b, n_gpus, bandwidth_gb_s, tflops,
                                                bandwidth_eff, mfu, tp_overhead)
    r = np.clip(r, 0.0, 1.0)
    if np.all(r == 1.0):  # dense models only: every step reads all the weights (fast path)
        w_read = w
    else:
        w_read = w * (1.0 - np.power(1.0 - r, b))
    t_mem = (w_read + b * kv) / (n * bw * be)
    t_cmp = 2.0 * ap * 1e9 * b / (n * fl * 1e12 * mfu)
    return np.maximum(t_mem, t_cmp) * tp_factor(n, o)


def decode_tokens_per_s(batch, step_s):
    """Aggregate decode rate [output tokens/s] = batch / t_step (0 where batch is 0).

    Per-stream rate is ``1 / t_step``.

    >>> float(decode_tokens_per_s(32, 0.04))
    800.0
    """
    b, t = _f(batch, step_s)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(b > 0, b / t, 0.0)


def prefill_tokens_per_s(active_params_b, n_gpus, tflops, mfu, tp_overhead):
    """Prompt processing rate [input tokens/s]: compute-bound, ``2 x active_params`` FLOPs/token.

    ``n x flops x mfu / (2 x active_params) / tp_factor(n)`` (attention FLOPs ignored: small
    next to the weights for prompts of a few thousand tokens).

    >>> round(float(prefill_tokens_per_s(8.03, 1, 165.2, 0.5, 0.1)))
    5143
    """
    ap, n, fl, mfu, o = _f(active_params_b, n_gpus, tflops, mfu, tp_overhead)
    return n * fl * 1e12 * mfu / (2.0 * ap * 1e9) / tp_factor(n, o)


def latency_capped_batch(min_stream_tokens_per_s, weights_gb, kv_gb_per_seq, active_params_b, n_gpus,
                         bandwidth_gb_s, tflops, bandwidth_eff, mfu, tp_overhead):
    """Largest decode batch that still gives every stream ``min_stream_tokens_per_s`` [sequences].

    Solves ``1 / t_step(B) >= s`` on both roofline branches (weights counted in full, which is
    conservative for MoE)::

        B_mem = (n x bw x bw_eff / (s x tp) - W) / kv_seq
        B_cmp = n x flops x mfu / (2 x active_params x s x tp)
        B     = floor(min(B_mem, B_cmp))        (0: not even one stream is fast enough)

    ``nan`` or non-positive ``s`` means no latency target (``inf``).

    >>> float(latency_capped_batch(20.0, 16.06, 0.5, 8.03, 1, 1008, 165.2, 0.55, 0.4, 0.1))
    23.0
    """
    s, w, kv, ap, n, bw, fl, be, mfu, o = _f(min_stream_tokens_per_s, weights_gb, kv_gb_per_seq, active_params_b,
                                             n_gpus, bandwidth_gb_s, tflops, bandwidth_eff, mfu, tp_overhead)
    tp = tp_factor(n, o)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        b_mem = (n * bw * be / (s * tp) - w) / kv
        b_cmp = n * fl * 1e12 * mfu / (2.0 * ap * 1e9 * s * tp)
        b = np.floor(np.maximum(np.minimum(b_mem, b_cmp), 0.0))
    return np.where(np.isfinite(s) & (s > 0), b, np.inf)
