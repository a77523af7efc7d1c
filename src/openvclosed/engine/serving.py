"""Serving point (design step 3): what a serving benchmark measures, from the step model.

One function, :func:`serving_point`, gives the steady state of a machine serving requests of
``input_tokens`` in / ``output_tokens`` out with ``batch`` requests in flight per model instance:
machine output tokens/s (prefill included), time per output token (TPOT) and time to first token
(TTFT). ``ovc fit`` reports it, the cost path sizes replicas with it (engine/design.py), and the
validation (decision/validate.py) compares it with published benchmarks.

Steady state with chunked prefill (vLLM, SGLang and TensorRT-LLM default to it): every step
decodes one token for each of the ``B`` sequences in flight, and some steps also prefill, in
the same forward pass, a chunk of the prompts of the requests that replace the finished ones
(``B x I`` prompt tokens every ``O`` steps, ``I`` after prefix-cache hits). Bursts (all requests arriving at
once, e.g. 1,000 prompts sent at an infinite rate and timed to the last answer) are *out of
scope*: their throughput is dominated by ramp-up and tail, which a capacity model does not
predict; such sources are excluded from the validation with that reason.

Pipeline parallelism splits the layers into ``pp`` stages; the batch runs as ``pp``
micro-batches of ``B / pp`` in flight, so every stage is busy and a token passes every stage
once per output token: ``TPOT = pp x (t_stage(B / pp) + hop)``.

Units: GB = 1e9 bytes, GB/s, 1e9 parameters, TFLOPS, s, tokens/s.
"""

from __future__ import annotations

import numpy as np

from openvclosed.engine.throughput import experts_touched

__all__ = ["serving_point", "stage_step_s", "lengths_from_mix"]


def _a(x):
    return np.asarray(x, dtype=float)


def stage_step_s(tokens_decode, tokens_prefill, *, dense_gb, expert_gb, experts_total, experts_per_token,
                 kv_gb_per_seq, active_params_b, layers, hidden_size, tp, pp, bandwidth_gb_s, tflops,
                 bandwidth_eff, expert_bandwidth_eff, kv_bandwidth_eff, decode_mfu, prefill_mfu, step_overhead_s,
                 layer_overhead_s, link_gb_s, link_latency_s, attention_dp=0.0):
    """Time of one forward pass of one pipeline stage [s] with ``tokens_decode`` sequences decoding
    and ``tokens_prefill`` prompt tokens prefilled in the same pass.

    Notes
    -----
    With ``b`` = ``tokens_decode``, ``p`` = ``tokens_prefill`` and ``g = tp x pp`` (the stage
    holds ``1/pp`` of the layers, split ``tp`` ways)::

        t_mem  = (dense_gb / eff + expert_gb x touched(b + p) / E / eff_x + b x kv_gb / kv_eff) / (g x bw)
        t_cmp  = 2 x active_params x (b / decode_mfu + p / prefill_mfu) / (g x flops)
        t_comm = 2 x (layers / pp) x (latency + (b + p) x hidden x 2 B x 2 (tp-1)/tp / link)   tp > 1
        t      = max(t_mem, t_cmp) + t_comm + step_overhead + (layers / pp) x layer_overhead

    With ``attention_dp`` 1 (attention data-parallel, experts expert-parallel: TensorRT-LLM
    ``enable_attention_dp`` with ``--ep``, SGLang ``--enable-dp-attention``) each of the ``tp``
    GPUs runs attention for its own ``b / tp`` sequences with the whole dense weights, and the
    routed experts are split over the GPUs: the dense read is ``tp x dense_gb`` over the stage,
    and the two all-reduces per layer become a dispatch and a combine of each token to the GPUs
    of its ``k`` experts::

        t_mem  = (tp x dense_gb / eff + ...) / (g x bw)
        t_comm = 2 x (layers / pp) x (latency + (b + p) / tp x hidden x 2 B x min(k, tp) (tp-1)/tp / link)

    ``touched`` is :func:`~openvclosed.engine.throughput.experts_touched` (prompt tokens route to
    experts too). The KV term reads each decoding sequence's cache once (prompt tokens' attention
    is inside ``t_cmp``'s efficiency). A missing ``hidden_size`` (nan) counts latency only; a
    missing ``tflops`` (nan: no cited figure, e.g. Apple GPUs) leaves the compute term out.

    Examples
    --------
    Llama 3.1 8B bf16 (16.06 GB) on one H100 (3,350 GB/s), batch 1, no prefill, 0.5 GB KV, 85% of
    peak for weights and KV, 0.3 ms per step: (16.06 + 0.5) / (0.85 x 3350) + 0.3 ms = 6.12 ms.

    >>> round(float(stage_step_s(1, 0, dense_gb=16.06, expert_gb=0, experts_total=0, experts_per_token=0,
    ...     kv_gb_per_seq=0.5, active_params_b=8.03, layers=32, hidden_size=4096, tp=1, pp=1, bandwidth_gb_s=3350,
    ...     tflops=989, bandwidth_eff=0.85, expert_bandwidth_eff=0.85, kv_bandwidth_eff=0.85, decode_mfu=0.5,
    ...     prefill_mfu=0.5, step_overhead_s=3e-4, layer_overhead_s=0, link_gb_s=450, link_latency_s=8e-6)) * 1e3, 2)
    6.12

    Attention data-parallel on 8 GPUs, 64 sequences, 2 of 8 experts per token (64 tokens touch
    all 8): each GPU reads the whole 2 GB of dense weights plus 1/8 of the 30 GB of experts at
    1,000 GB/s, 0.1 ms per step; per layer one dispatch and one combine of 8 tokens x 2 experts x
    4096 x 2 B x 7/8 at 100 GB/s plus 10 us: (8 x 2 + 30) / (8 x 1000) + 0.1 ms + 2 x 4 x
    (10 + 1.15) us = 5.94 ms (TP without attention DP: 32 / 8000 + ... = 4.0 ms of weights).

    >>> round(float(stage_step_s(64, 0, dense_gb=2.0, expert_gb=30.0, experts_total=8, experts_per_token=2,
    ...     kv_gb_per_seq=0.0, active_params_b=1.0, layers=4, hidden_size=4096, tp=8, pp=1, bandwidth_gb_s=1000,
    ...     tflops=1000, bandwidth_eff=1.0, expert_bandwidth_eff=1.0, kv_bandwidth_eff=1.0, decode_mfu=0.5,
    ...     prefill_mfu=0.5, step_overhead_s=1e-4, layer_overhead_s=0, link_gb_s=100, link_latency_s=10e-6,
    ...     attention_dp=1)) * 1e3, 2)
    5.94
    """
    b = _a(tokens_decode)
    p = _a(tokens_prefill)
    t, q = _a(tp), _a(pp)
    tok = b + p
    g = t * q
    e = _a(experts_total)
    dp = _a(attention_dp) > 0
    ranks = np.where(dp, t, 1.0)  # attention data-parallel: every GPU of the stage reads the dense weights
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        share = np.where(e > 0, experts_touched(tok, e, experts_per_token) / np.where(e > 0, e, 1.0), 0.0)
        t_mem = (ranks * _a(dense_gb) / _a(bandwidth_eff) + _a(expert_gb) * share / _a(expert_bandwidth_eff)
                 + b * _a(kv_gb_per_seq) / _a(kv_bandwidth_eff)) / (g * _a(bandwidth_gb_s))
        flops = g * _a(tflops) * 1e12
        t_cmp = 2.0 * _a(active_params_b) * 1e9 * (b / _a(decode_mfu) + np.where(p > 0, p / _a(prefill_mfu), 0.0)) / flops
        lay = _a(layers) / q
        h = _a(hidden_size)
        # ring all-reduce of the batch's activations, or (attention DP) each GPU's tokens to its k experts' GPUs
        fan = np.where(dp, np.minimum(_a(experts_per_token), t) / t, 2.0)
        bytes_ = np.where(np.isfinite(h), tok * h * 2.0 * fan * (t - 1.0) / np.maximum(t, 1.0), 0.0)
        comm = np.where(t > 1, 2.0 * lay * (_a(link_latency_s) + np.where(bytes_ > 0, bytes_ / (_a(link_gb_s) * 1e9),
                                                                             0.0)), 0.0)
    # fmax: a GPU without a cited TFLOPS figure (nan) is modelled memory-bound, its compute term left out
    return np.fmax(t_mem, t_cmp) + comm + _a(step_overhead_s) + lay * _a(layer_overhead_s)


def serving_point(batch, input_tokens, output_tokens, *, chunk_tokens=8192.0, instances=1.0, hop_gb_s=50.0,
                  hop_latency_s=10e-6, **model):
    """Steady-state serving of one machine: ``instances`` model instances of ``tp x pp`` GPUs, each
    with ``batch`` requests in flight of ``input_tokens`` (prompt tokens to prefill, after any
    prefix-cache hits) and ``output_tokens`` each.

    Notes
    -----
    While ``B`` requests decode, their ``B x I`` prompt tokens (of the requests that replace them,
    once every ``O`` steps) are prefilled in chunks of ``P = min(chunk_tokens, B x I)`` tokens that
    share a step with the decode (vLLM ``max_num_batched_tokens``, SGLang ``chunked_prefill_size``,
    TensorRT-LLM ``max_num_tokens``, llama.cpp ``--ubatch-size``). ``B x I / P`` of every ``O``
    steps carry a chunk (with ``pp`` stages, per micro-batch of ``b = max(B / pp, 1)``)::

        t_dec   = stage_step_s(b, 0)       a decode-only step of one stage
        t_chunk = stage_step_s(b, P)       a step that also prefills a chunk (reads every expert a
                                           chunk routes to once, not once per step)
        t_step  = t_dec + (b x I / P) / O x (t_chunk - t_dec)
        hop     = latency + b x hidden x 2 B / hop_link                     (pp > 1)
        TPOT    = pp x (t_step + hop)                                      [s per output token]
        output  = instances x B / TPOT                                     [machine output tokens/s]
        TTFT    = pp x (max(I / P, 1) x t_chunk + hop)                     (an unqueued prompt)

    ``model`` holds the keyword arguments of :func:`stage_step_s` (``tp``, ``pp`` included); with
    ``attention_dp`` every one of the ``tp`` GPUs prefills its own chunks (``P = min(tp x
    chunk_tokens, B x I)``).
    Returns a dict of arrays: ``output_tokens_per_s``, ``tpot_s``, ``ttft_s``, ``step_s``
    (= TPOT), ``prefill_tokens_per_s`` (the machine prefilling only: compute-bound).

    Examples
    --------
    Two instances of the 8B model above, 32 requests each, 1,000 in / 250 out, chunks of 8,192:
    a decode step reads (16.06 + 32 x 0.15) / (0.85 x 3350) = 7.33 ms (compute 1.04 ms); a chunk
    step of 8,192 prompt tokens computes 2 x 8.03e9 x (32 / 0.5 + 8192 / 0.5) / 989e12 = 267 ms;
    32,000 prompt tokens per 250 steps = 3.9 chunks: 7.63 + 3.9 / 250 x (267.4 - 7.63) = 11.68 ms
    a token (with 0.3 ms overhead each), 2 x 32 / 11.68 ms = 5,477 tok/s; TTFT one chunk step, 267 ms:

    >>> m = dict(dense_gb=16.06, expert_gb=0, experts_total=0, experts_per_token=0, kv_gb_per_seq=0.15,
    ...          active_params_b=8.03, layers=32, hidden_size=4096, tp=1, pp=1, bandwidth_gb_s=3350, tflops=989,
    ...          bandwidth_eff=0.85, expert_bandwidth_eff=0.85, kv_bandwidth_eff=0.85, decode_mfu=0.5,
    ...          prefill_mfu=0.5, step_overhead_s=3e-4, layer_overhead_s=0, link_gb_s=450, link_latency_s=8e-6)
    >>> s = serving_point(32, 1000, 250, instances=2, **m)
    >>> round(float(s["tpot_s"]) * 1e3, 2), round(float(s["output_tokens_per_s"])), round(float(s["ttft_s"]) * 1e3, 1)
    (11.68, 5477, 267.4)
    """
    b = _a(batch)
    q = _a(model["pp"])
    i, o = _a(input_tokens), _a(output_tokens)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        mb = np.maximum(b / q, np.minimum(b, 1.0))  # fewer requests than stages: micro-batches of one
        ranks = np.where(_a(model.get("attention_dp", 0.0)) > 0, _a(model["tp"]), 1.0)  # each rank chunks its own
        chunk = np.minimum(_a(chunk_tokens) * ranks, mb * i)
        t_dec = stage_step_s(mb, 0.0, **model)
        t_chunk = stage_step_s(mb, chunk, **model)
        share = np.where((chunk > 0) & (o > 0), mb * i / np.where(chunk > 0, chunk, 1.0) / np.where(o > 0, o, 1.0), 0.0)
        t_step = t_dec + share * (t_chunk - t_dec)
        h = _a(model["hidden_size"])
        hop_bytes = np.where(np.isfinite(h), mb * h * 2.0, 0.0)
        hop = np.where(q > 1, _a(hop_latency_s) + hop_bytes / (_a(hop_gb_s) * 1e9), 0.0)
        tpot = q * (t_step + hop)
        inst = _a(instances)
        out = np.where(b > 0, inst * b / tpot, 0.0)
        ttft = q * (np.maximum(np.where(chunk > 0, i / np.where(chunk > 0, chunk, 1.0), 1.0), 1.0) * t_chunk + hop)
        rate1 = _a(model["tp"]) * _a(model["tflops"]) * 1e12 * _a(model["prefill_mfu"]) / (2.0 * _a(model["active_params_b"]) * 1e9)
        prefill = inst * q * rate1
    return {"output_tokens_per_s": out, "tpot_s": tpot, "ttft_s": ttft, "step_s": tpot,
            "prefill_tokens_per_s": prefill}


def lengths_from_mix(context_tokens, input_share):
    """Input and output tokens per request [tokens] from a workload's mean context and input share.

    ``context_tokens`` is the mean number of tokens a sequence holds while it decodes (prompt plus
    half the answer, what the KV cache is sized for) and ``input_share = I / (I + O)``, so
    ``I + O/2 = context`` gives ``I = 2 x context x s / (1 + s)``, ``O = 2 x context x (1 - s) / (1 + s)``.

    >>> [round(float(v)) for v in lengths_from_mix(4096, 0.75)]
    [3511, 1170]
    """
    c, s = _a(context_tokens), _a(input_share)
    total = 2.0 * c / (1.0 + s)
    return total * s, total * (1.0 - s)
