"""Capacity (design step 4): tokens/day one replica serves; whole replicas needed."""

from __future__ import annotations

import numpy as np

__all__ = ["replica_tokens_per_day", "replicas_needed"]


def replica_tokens_per_day(decode_tokens_per_s, prefill_tokens_per_s, input_share, utilization,
                           hours_per_day=24.0, prefill_share=None):
    """Tokens/day (input + output, in the workload's mix) one replica serves [tokens/day].

    Notes
    -----
    A token of traffic costs ``s_p / prefill + (1 - s_in) / decode`` seconds of replica time,
    so ``C = 3600 x hours_per_day x utilization / (s_p / prefill + (1 - s_in) / decode)``, where
    ``s_p`` is the share of tokens that need prefill (``input_share`` unless ``prefill_share``
    says less, e.g. prompt-cache hits). ``utilization`` is the mean load the replica is run at.

    >>> round(float(replica_tokens_per_day(1000.0, 10000.0, 0.75, 0.5)))
    132923077
    """
    d, p, s, u, h, sp = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in
                                              (decode_tokens_per_s, prefill_tokens_per_s, input_share,
                                               utilization, hours_per_day,
                                               input_share if prefill_share is None else prefill_share)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sec_per_token = np.where(sp > 0, sp / p, 0.0) + np.where(s < 1, (1.0 - s) / d, 0.0)
        return np.where(sec_per_token > 0, 3600.0 * h * u / sec_per_token, np.inf)


def replicas_needed(tokens_per_day, capacity_tokens_per_day):
    """Whole replicas = ceil(tokens_per_day / capacity); 0 for no traffic, inf if capacity is 0.

    >>> float(replicas_needed(5e8, 2e8)), float(replicas_needed(0, 2e8))
    (3.0, 0.0)
    """
    t, c = np.broadcast_arrays(np.asarray(tokens_per_day, dtype=float), np.asarray(capacity_tokens_per_day, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = np.ceil(t / c)
    return np.where(t <= 0, 0.0, np.where(c > 0, r, np.inf))
