"""Queueing at a serving instance (design step 4b): how busy a replica may run and still meet a latency target.

A model instance with a decode batch of ``c`` serves ``c`` requests at once: it is a queue with
``c`` servers. Requests arrive at random (Poisson) at the busy hour; a request that finds every
slot busy waits, and its time to first token is the wait plus its own prefill. With each request
holding a slot for ``S`` seconds (its prefill plus ``O`` output tokens at the steady-state TPOT)
and ``a = lambda x S`` erlangs offered, the M/M/c (Erlang C) model gives

    P(wait > 0)  = C(c, a)                                   (Erlang C)
    P(wait > t)  = C(c, a) x exp(-(c - a) t / S)
    wait_q       = max(0, ln(C / (1 - q)) x S / (c - a))     the q-quantile of the wait [s]

and service times that are not exponential scale the wait by ``(1 + cs2) / 2`` (the Allen-Cunneen
approximation for M/G/c; ``cs2`` = squared coefficient of variation of the service time, 1 for
exponential). Source: L. Kleinrock, *Queueing Systems* vol. 1 (1975), ch. 3.5; A. O. Allen,
*Probability, Statistics and Queueing Theory* (1990), M/G/c approximation; for c above
:data:`EXACT_SERVERS` the Halfin-Whitt approximation of C (Halfin & Whitt, Operations Research
29(3), 1981): ``C ~ 1 / (1 + beta Phi(beta) / phi(beta))``, ``beta = (c - a) / sqrt(a)``.

Requests are assumed spread evenly over instances (each instance its own queue at its share of the
load): conservative against a router that sends work to the least-busy instance.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["EXACT_SERVERS", "erlang_c", "wait_quantile_s", "max_utilization"]

EXACT_SERVERS = 128
"""Up to this many servers Erlang C is computed exactly (Erlang B recursion); above, Halfin-Whitt
(its utilisation caps within 0.3 points of the exact ones at 128 slots and closer above; tested)."""


def _phi_cdf(x):
    """Standard normal CDF (Abramowitz & Stegun 7.1.26 for erfc, |error| < 1.5e-7)."""
    x = np.asarray(x, dtype=float)
    z = np.abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erfc = poly * np.exp(-z * z)
    return np.where(x >= 0, 1.0 - 0.5 * erfc, 0.5 * erfc)


def erlang_c(servers, offered):
    """Probability that an arriving request waits, M/M/c with ``servers`` and ``offered`` erlangs.

    1 when ``offered >= servers`` (the queue grows without bound); exact (Erlang B recursion
    ``B_k = a B_{k-1} / (k + a B_{k-1})``, ``C = c B / (c - a (1 - B))``) up to
    :data:`EXACT_SERVERS`, Halfin-Whitt above.

    >>> round(float(erlang_c(1, 0.5)), 6), round(float(erlang_c(2, 1.0)), 6)   # M/M/1: C = rho
    (0.5, 0.333333)
    >>> round(float(erlang_c(10, 8.0)), 4)        # the textbook table value
    0.4092
    """
    c, a = np.broadcast_arrays(np.asarray(servers, dtype=float), np.asarray(offered, dtype=float))
    c = np.maximum(np.floor(c), 1.0)
    out = np.ones(c.shape)
    stable = (a < c) & (a >= 0)
    small = stable & (c <= EXACT_SERVERS)
    if small.any():
        # the recursion over k = 1..c, on the elements sorted by c: those with c < k are done and
        # drop out (a suffix of the sorted arrays keeps going)
        order = np.argsort(c[small], kind="stable")
        cs, as_ = c[small][order], a[small][order]
        first = np.searchsorted(cs, np.arange(1, int(cs[-1]) + 2), side="left")  # first index with c >= k
        b = np.ones(cs.shape)
        for k in range(1, int(cs[-1]) + 1):
            lo = first[k - 1]
            bb, aa = b[lo:], as_[lo:]
            b[lo:] = aa * bb / (k + aa * bb)
        res = np.empty(cs.shape)
        res[order] = cs * b / (cs - as_ * (1.0 - b))
        out[small] = res
    big = stable & (c > EXACT_SERVERS)
    if big.any():
        cb, ab = c[big], np.maximum(a[big], 1e-300)
        beta = (cb - ab) / np.sqrt(ab)
        pdf = np.exp(-0.5 * beta * beta) / math.sqrt(2 * math.pi)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            out[big] = np.where(pdf > 0, 1.0 / (1.0 + beta * _phi_cdf(beta) / pdf), 0.0)
    out = np.where(a <= 0, 0.0, out)
    return out if out.ndim else float(out)


def wait_quantile_s(servers, offered, service_s, q=0.95, cs2=1.0):
    """The ``q``-quantile of the queueing wait [s] (inf when ``offered >= servers``).

    ``service_s`` is the time a request holds a slot [s]; ``cs2`` the squared coefficient of
    variation of that time (M/G/c scaling ``(1 + cs2) / 2``).

    M/M/1 at rho 0.9 with 1 s service: P(wait > t) = 0.9 exp(-0.1 t), so the 95th percentile is
    10 x ln(0.9 / 0.05) = 28.9 s:

    >>> round(float(wait_quantile_s(1, 0.9, 1.0)), 1)
    28.9
    """
    c, a, s, cv = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (servers, offered, service_s, cs2)))
    c = np.maximum(np.floor(c), 1.0)
    pw = np.asarray(erlang_c(c, a), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t = np.log(pw / (1.0 - q)) * s / (c - a) * (1.0 + cv) / 2.0
        out = np.where(a >= c, np.inf, np.where(pw <= 1.0 - q, 0.0, t))
    return out if out.ndim else float(out)


def max_utilization(servers, service_s, wait_budget_s, q=0.95, cs2=1.0, iterations: int = 24):
    """The highest utilisation ``rho = a / c`` at which the ``q``-quantile of the wait stays within
    ``wait_budget_s`` [s] (bisection to 6e-8; 0 when the budget is negative or nan, below 1 always).

    One slot with 1 s service and a 5 s budget at the 95th percentile: ``rho e^{-(1-rho) 5} = 0.05``
    gives rho = 0.528; 256 slots holding requests for 20 s, with 1 s of wait allowed, run at 0.92:

    >>> round(float(max_utilization(1, 1.0, 5.0)), 3), round(float(max_utilization(256, 20.0, 1.0)), 2)
    (0.528, 0.92)
    """
    c, s, w = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (servers, service_s, wait_budget_s)))
    c = np.maximum(np.floor(np.where(np.isfinite(c), c, 1.0)), 1.0)
    lo, hi = np.zeros(c.shape), np.ones(c.shape)
    ok_budget = np.isfinite(w) & (w >= 0) & np.isfinite(s) & (s > 0)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        meets = np.asarray(wait_quantile_s(c, mid * c, s, q, cs2)) <= w
        lo, hi = np.where(meets, mid, lo), np.where(meets, hi, mid)
    out = np.where(ok_budget, lo, 0.0)
    return out if out.ndim else float(out)
