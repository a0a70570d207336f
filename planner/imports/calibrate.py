"""Growth calibration: a driver's monthly growth rate from its history.

The fit is a log-linear least-squares line through the monthly values,
``ln y_t = a + b t`` (t = 0, 1, ... months), so the monthly rate is
``exp(b) - 1``. The 80 % interval of the slope is ``b +/- t(0.90, n - 2) x
se(b)``, with Student's t for n - 2 degrees of freedom, and is mapped to rates
the same way; the scenario writes it as the growth range the Monte Carlo
draws from (planner's choice: docs/rules.md has no rule for calibration, so
this module documents it). Fewer than three months with a value above zero is
too little history: no growth, and the scenario says so in a comment.

Rates are clipped to the scenario's bounds (a rate must be >= -0.99).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from planner.fields import GROWTH_BOUNDS

__all__ = ["Fit", "fit_growth", "MIN_MONTHS", "INTERVAL"]

#: Fewest months of history for a growth fit.
MIN_MONTHS = 3
#: Coverage of the growth range.
INTERVAL = 0.80

# Student's t, 0.90 quantile (two-sided 80 %), by degrees of freedom 1..30;
# beyond 30 the normal quantile 1.2816 is used. Standard table values
# (NIST/SEMATECH e-Handbook of Statistical Methods, section 1.3.6.7.2,
# "Critical values of the Student's t distribution", column 0.10).
_T90 = (3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397, 1.383, 1.372,
        1.363, 1.356, 1.350, 1.345, 1.341, 1.337, 1.333, 1.330, 1.328, 1.325,
        1.323, 1.321, 1.319, 1.318, 1.316, 1.315, 1.314, 1.313, 1.311, 1.310)
_Z90 = 1.2816
_LOWEST_RATE = GROWTH_BOUNDS["monthly"][0]    # the scenario's bound (planner.fields)


@dataclass(frozen=True)
class Fit:
    """A calibrated monthly growth rate.

    Attributes
    ----------
    rate : float
        Central monthly rate [fraction per month], ``exp(b) - 1``.
    low, high : float
        The 80 % interval of the rate [fraction per month].
    months : int
        Months of history used.
    next_value : float
        The fitted value one month after the last one [the series' unit]: the
        level a forecast that starts then begins from.
    """

    rate: float
    low: float
    high: float
    months: int
    next_value: float


def fit_growth(values: Sequence[float]) -> Fit | None:
    """Fit a monthly growth rate to consecutive monthly values.

    Parameters
    ----------
    values : sequence of float
        One value per calendar month, oldest first [any unit]. Months with a
        value of 0 or less (or NaN) are left out of the fit, keeping their
        place in time.

    Returns
    -------
    Fit or None
        None when fewer than three months have a value above zero.

    Examples
    --------
    >>> f = fit_growth([100, 110, 121])           # exactly 10 % a month
    >>> round(f.rate, 6), round(f.low, 6), round(f.high, 6), round(f.next_value, 6)
    (0.1, 0.1, 0.1, 133.1)
    >>> fit_growth([100, 110]) is None
    True
    """
    y = np.asarray(values, dtype=float)
    t = np.arange(len(y), dtype=float)
    keep = np.isfinite(y) & (y > 0)
    n = int(keep.sum())
    if n < MIN_MONTHS:
        return None
    t, logs = t[keep], np.log(y[keep])
    t_mean = t.mean()
    sxx = float(np.sum((t - t_mean) ** 2))
    slope = float(np.sum((t - t_mean) * (logs - logs.mean())) / sxx)
    intercept = float(logs.mean() - slope * t_mean)
    residuals = logs - (intercept + slope * t)
    dof = n - 2
    se = math.sqrt(float(np.sum(residuals ** 2)) / dof / sxx)
    quantile = _T90[dof - 1] if dof <= len(_T90) else _Z90
    rate, low, high = (_rate(b) for b in (slope, slope - quantile * se, slope + quantile * se))
    return Fit(rate=rate, low=low, high=high, months=n,
               next_value=float(math.exp(intercept + slope * len(y))))


def _rate(slope: float) -> float:
    return max(_LOWEST_RATE, math.expm1(slope))
