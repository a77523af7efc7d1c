"""Throughput (design step 3): a calibrated decode-step model by term, and prefill.

Efficiency and overhead parameters are inputs (named per serving engine in
:mod:`openvclosed.engine.profiles`, calibrated in docs/validation.md); a user's measured
tokens/s bypasses this module entirely. Units: GB = 1e9 bytes, GB/s, 1e9 parameters, TFLOPS, s.
"""

from __future__ import annotations

import numpy as np

__all__ = ["experts_touched", "weight_read_gb", "allreduce_s", "decode_step_s", "decode_tokens_per_s",
           "prefill_tokens_per_s", "latency_capped_batch"]


def _f(*xs):
    return np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in xs))


def experts_touched(batch, experts_total, experts_per_token):
    """Expected distinct experts a batch of ``batch`` tokens routes to in one MoE layer [experts].

    ``E x (1 - (1 - k/E)^B)``: each token picks k of E experts (uniformly, as a model of balanced
    routing); an expert is read if any token picked it. ``B = 1`` gives k; ``B -> inf`` gives E.
    Dense models (``E = 0``) touch none.

    >>> float(experts_touched(1, 32, 4)), round(float(experts_touched(64, 32, 4)), 3), float(experts_touched(1e6, 32, 4))
    (4.0, 31.994, 32.0)
    """
    b, e, k = _f(batch, experts_total, experts_per_token)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = e * -np.expm1(b * np.log1p(-np.where(e > 0, k / e, 0.0)))
    return np.where(e > 0, np.minimum(t, e), 0.0)


def weight_read_gb(batch, dense_gb, expert_gb, experts_total, experts_per_token):
    """Weight bytes one decode step reads [GB]: all dense weights (attention, embeddings, shared
    experts, dense FFN) plus the routed experts the batch touches.

    ``dense_gb + expert_gb x touched(B) / E`` (``expert_gb`` = all routed experts over all MoE
    layers; each layer's experts are equal in size).

    >>> round(float(weight_read_gb(1, 2.0, 10.0, 32, 4)), 3)  # 2 + 10 x 4/32
    3.25
    """
    b, d, x, e, k = _f(batch, dense_gb, expert_gb, experts_total, experts_per_token)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(e > 0, experts_touched(b, e, k) / e, 0.0)
    return d + x * share


def allreduce_s(batch, tp, layers, hidden_size, link_gb_s, latency_s):
    """Tensor-parallel communication per decode step [s]: two all-reduces per layer.

    ``2 x layers x (latency + B x hidden x 2 bytes x 2 (t-1)/t / link)`` for ``t > 1`` (a ring
    all-reduce of 16-bit activations); 0 for ``t = 1``. ``link_gb_s`` is one GPU's link bandwidth
    (NVLink 4: 450 GB/s each way; PCIe 4.0 x16: ~25 GB/s usable); cards without peer-to-peer go
    through host memory, which the profile's latency and the link figure account for. A missing
    ``hidden_size`` (nan) counts latency only.

    >>> round(float(allreduce_s(1, 2, 32, 4096, 25.0, 20e-6)) * 1e3, 4)  # 64 x (20 us + 8,192 B / 25 GB/s)
    1.301
    """
    b, t, n, h, bw, lat = _f(batch, tp, layers, hidden_size, link_gb_s, latency_s)
    bytes_ = np.where(np.isfinite(h), b * h * 2.0 * 2.0 * (t - 1.0) / np.maximum(t, 1.0), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        per = lat + np.where(bytes_ > 0, bytes_ / (bw * 1e9), 0.0)
    return np.where(t > 1, 2.0 * n * per, 0.0)


def decode_step_s(batch, *, dense_gb, expert_gb, experts_total, experts_per_token, kv_gb_per_seq,
                  active_params_b, tp, bandwidth_gb_s, tflops, bandwidth_eff, kv_bandwidth_eff, mfu,
                  layers, step_overhead_s, layer_overhead_s, comm_s=0.0, expert_bandwidth_eff=None):
    """Time of one decode step for ``batch`` sequences on one model instance of ``tp`` GPUs [s].

    Notes
    -----
    Each term has its own efficiency (calibrated per serving engine)::

        t_weights = (dense_gb + touched expert GB) / (tp x bw x eff)   eff per part (low-bit kernels)
        t_kv      = B x kv_gb_per_seq / (tp x bw x kv_bandwidth_eff)   each sequence's cache
        t_compute = 2 x active_params x B / (tp x flops x mfu)
        t_step    = max(t_weights + t_kv, t_compute) + comm_s + step_overhead + layers x layer_overhead

    ``comm_s`` is :func:`allreduce_s` (0 without tensor parallelism); ``expert_bandwidth_eff``
    (default ``bandwidth_eff``) is the efficiency of reading the routed experts.

    Examples
    --------
    Llama 3.1 8B at fp16 (16.06 GB) on one RTX 4090 (1008 GB/s) at batch 1, 0.1 GB of KV,
    75% of peak bandwidth for both, no overheads: (16.06 + 0.1) / 756 = 21.4 ms.

    >>> round(float(decode_step_s(1, dense_gb=16.06, expert_gb=0, experts_total=0, experts_per_token=0,
    ...     kv_gb_per_seq=0.1, active_params_b=8.03, tp=1, bandwidth_gb_s=1008, tflops=165.2, bandwidth_eff=0.75,
    ...     kv_bandwidth_eff=0.75, mfu=0.5, layers=32, step_overhead_s=0, layer_overhead_s=0)) * 1e3, 1)
    21.4
    """
    b, t, bw, fl = _f(batch, tp, bandwidth_gb_s, tflops)
    experts = weight_read_gb(b, 0.0, expert_gb, experts_total, experts_per_token)
    x_eff = bandwidth_eff if expert_bandwidth_eff is None else expert_bandwidth_eff
    t_mem = (np.asarray(dense_gb, dtype=float) / np.asarray(bandwidth_eff, dtype=float)
             + experts / np.asarray(x_eff, dtype=float)
             + b * np.asarray(kv_gb_per_seq, dtype=float) / np.asarray(kv_bandwidth_eff, dtype=float)) / (t * bw)
    t_cmp = 2.0 * np.asarray(active_params_b, dtype=float) * 1e9 * b / (t * fl * 1e12 * np.asarray(mfu, dtype=float))
    fixed = np.asarray(step_overhead_s, dtype=float) + np.asarray(layers, dtype=float) * np.asarray(layer_overhead_s, dtype=float)
    return np.maximum(t_mem, t_cmp) + np.asarray(comm_s, dtype=float) + fixed


def decode_tokens_per_s(batch, step_s):
    """Aggregate decode rate [output tokens/s] = batch / t_step (0 where batch is 0).

    >>> float(decode_tokens_per_s(32, 0.04))
    800.0
    """
    b, t = _f(batch, step_s)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(b > 0, b / t, 0.0)


def prefill_tokens_per_s(active_params_b, tp, tflops, mfu):
    """Prompt processing rate of one instance [input tokens/s]: compute-bound, ``2 x active_params`` FLOPs/token.

    ``tp x flops x mfu / (2 x active_params)`` (attention FLOPs ignored: small next to the weights
    for prompts of a few thousand tokens; communication is inside ``mfu``).

    >>> round(float(prefill_tokens_per_s(8.03, 1, 165.2, 0.5)))
    5143
    """
    ap, t, fl, m = _f(active_params_b, tp, tflops, mfu)
    return t * fl * 1e12 * m / (2.0 * ap * 1e9)


def latency_capped_batch(min_stream_tokens_per_s, weights_gb, kv_gb_per_seq, active_params_b, tp, bandwidth_gb_s,
                         tflops, bandwidth_eff, mfu, fixed_s=0.0):
    """Largest decode batch that still gives every stream ``min_stream_tokens_per_s`` [sequences].

    Solves ``1 / t_step(B) >= s`` on both branches, weights counted in full (conservative for MoE)::

        B_mem = ((1/s - fixed) x tp x bw x bw_eff - W) / kv_seq
        B_cmp = (1/s - fixed) x tp x flops x mfu / (2 x active_params)
        B     = floor(min(B_mem, B_cmp))        (0: not even one stream is fast enough)

    ``nan`` or non-positive ``s`` means no latency target (``inf``).

    >>> float(latency_capped_batch(20.0, 16.06, 0.5, 8.03, 1, 1008, 165.2, 0.55, 0.4))
    23.0
    """
    s, w, kv, ap, t, bw, fl, be, m, fx = _f(min_stream_tokens_per_s, weights_gb, kv_gb_per_seq, active_params_b, tp,
                                            bandwidth_gb_s, tflops, bandwidth_eff, mfu, fixed_s)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        budget = 1.0 / s - fx
        b_mem = (budget * t * bw * be - w) / kv
        b_cmp = budget * t * fl * 1e12 * m / (2.0 * ap * 1e9)
        b = np.floor(np.maximum(np.minimum(b_mem, b_cmp), 0.0))
    return np.where(np.isfinite(s) & (s > 0), b, np.inf)
