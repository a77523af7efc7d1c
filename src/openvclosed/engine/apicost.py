"""API cost (design step 1)."""

from __future__ import annotations

import numpy as np

__all__ = ["api_usd_per_mtok", "api_usd_per_day"]


def api_usd_per_mtok(input_usd_per_mtok, output_usd_per_mtok, input_share, cached_input_usd_per_mtok=None,
                     cached_share=0.0, batch_share=0.0, batch_discount=0.0, cache_write_usd_per_mtok=None,
                     cache_write_share=0.0):
    """Blended API price per 1M tokens of traffic [USD / 1e6 tokens].

    Parameters
    ----------
    input_usd_per_mtok, output_usd_per_mtok : array_like
        List prices [USD per 1e6 input / output tokens].
    input_share : array_like
        Input tokens as a fraction of all tokens [0..1].
    cached_input_usd_per_mtok : array_like or None
        Price of cache-read input tokens; ``None`` or ``nan`` means no caching (input price).
    cached_share : array_like
        Fraction of *input* tokens served from the prompt cache [0..1]. Cached tokens are part
        of the input tokens, billed at the cached rate instead of the input rate, not on top.
    batch_share, batch_discount : array_like
        Fraction of traffic sent through the batch API, and the discount it gets [0..1].
    cache_write_usd_per_mtok, cache_write_share : array_like
        Price of input tokens written to the prompt cache (Anthropic bills writes above the input
        price) and the fraction of *input* tokens written; ``None``/``nan`` = the input price.

    Notes
    -----
    ``p = (s_in*((1-c-w)*p_in + c*p_cached + w*p_write) + (1-s_in)*p_out) * (1 - batch_share*batch_discount)``

    Examples
    --------
    3:1 input:output on $2/$10 with half the input cached at $0.20:

    >>> float(api_usd_per_mtok(2.0, 10.0, 0.75, 0.2, cached_share=0.5))
    3.325

    The same with a tenth of the input written to the cache at $2.50 (instead of $2):
    3.325 + 0.75 x 0.1 x 0.5 = 3.3625

    >>> float(api_usd_per_mtok(2.0, 10.0, 0.75, 0.2, cached_share=0.5, cache_write_usd_per_mtok=2.5,
    ...                        cache_write_share=0.1))
    3.3625
    """
    if cached_input_usd_per_mtok is None:
        cached_input_usd_per_mtok = np.nan
    if cache_write_usd_per_mtok is None:
        cache_write_usd_per_mtok = np.nan
    p_in, p_out, s_in, p_c, c, b, d, p_w, w = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (input_usd_per_mtok, output_usd_per_mtok, input_share,
                                               cached_input_usd_per_mtok, cached_share, batch_share,
                                               batch_discount, cache_write_usd_per_mtok, cache_write_share)))
    p_c = np.where(np.isnan(p_c), p_in, p_c)
    p_w = np.where(np.isnan(p_w), p_in, p_w)
    blended = s_in * ((1.0 - c - w) * p_in + c * p_c + w * p_w) + (1.0 - s_in) * p_out
    return blended * (1.0 - b * d)


def api_usd_per_day(tokens_per_day, usd_per_mtok):
    """API spend per day [USD/day] for ``tokens_per_day`` at a blended ``usd_per_mtok``.

    ``usd_per_day = tokens_per_day / 1e6 * usd_per_mtok``

    >>> float(api_usd_per_day(5e8, 3.325))
    1662.5
    """
    t, p = np.broadcast_arrays(np.asarray(tokens_per_day, dtype=float), np.asarray(usd_per_mtok, dtype=float))
    return t / 1e6 * p
