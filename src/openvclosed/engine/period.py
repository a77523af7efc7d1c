"""Per-day <-> per-month <-> per-year: the one place the calendar enters a cost.

Every monthly input (people cost, a budget) becomes daily by dividing by ``days_per_month``,
and every daily figure becomes monthly by multiplying by the same ``days_per_month``; a year is
``12 x days_per_month`` days. So ``ops_usd_month = 1000`` is exactly $1,000 per replica-month
whatever ``days_per_month`` is.
"""

from __future__ import annotations

import numpy as np

from openvclosed.engine.defaults import DAYS_PER_MONTH

__all__ = ["DAYS_PER_MONTH", "per_day_from_month", "per_month_from_day", "per_day_from_year"]


def per_day_from_month(x_per_month, days_per_month=DAYS_PER_MONTH):
    """A monthly amount as a daily one: ``x / days_per_month``.

    >>> float(per_day_from_month(1000.0, 30.0)) * 30.0
    1000.0
    """
    return np.asarray(x_per_month, dtype=float) / np.asarray(days_per_month, dtype=float)


def per_month_from_day(x_per_day, days_per_month=DAYS_PER_MONTH):
    """A daily amount as a monthly one: ``x x days_per_month``.

    >>> float(per_month_from_day(10.0, 30.0))
    300.0
    """
    return np.asarray(x_per_day, dtype=float) * np.asarray(days_per_month, dtype=float)


def per_day_from_year(x_per_year, days_per_month=DAYS_PER_MONTH):
    """A yearly amount as a daily one: ``x / (12 x days_per_month)``.

    >>> float(per_day_from_year(1200.0, 30.0))
    3.3333333333333335
    """
    return np.asarray(x_per_year, dtype=float) / (12.0 * np.asarray(days_per_month, dtype=float))
