"""Annual unit pools: contract years, balances, run-out dates and top-ups.

Rules (Dynatrace Platform Usage Supplement, effective 2022-11-15, section
"Flexible, consumption-based licenses"; read as in docs/rules.md#annual-pools):

* Units bought as an annual amount for a multi-year term reset on each
  anniversary of the start date; what is unused expires, nothing carries over.
* Units bought during a year (top-ups) expire or reset on the same date as that
  year's units.
* A forecast shows per pool and contract year: consumption, remaining balance,
  the date the pool runs out (if it does) and the extra amount needed to last to
  the anniversary.

Interpretations of the planner: a contract year runs from an anniversary up to
the day before the next one (a start on 29 February has its anniversary on
28 February in common years). The run-out date is the first day whose
cumulative consumption exceeds the year's amount (annual plus top-ups so far):
from that day on, consumption is not covered.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from planner import _checks

__all__ = ["anniversaries", "contract_years", "licence_forecast", "pool_balance", "pool_forecast"]


#: A peak in use equal to the licensed quantity fits: only a peak above it by more
#: than this [units] (rounding of float sums) exceeds the licence.
LICENCE_SLACK = 1e-9


_date = _checks.day


def contract_years(start: Any, term_years: int) -> pd.DataFrame:
    """The contract years of a term.

    Parameters
    ----------
    start : date-like
        Start date of the contract.
    term_years : int
        Term [years], >= 1.

    Returns
    -------
    pandas.DataFrame
        ``year`` (1, 2, ...), ``start`` (the anniversary) and ``end`` (the day
        before the next anniversary), one row per contract year.

    Examples
    --------
    >>> contract_years("2024-02-29", 2)[["start", "end"]].astype(str).values.tolist()
    [['2024-02-29', '2025-02-27'], ['2025-02-28', '2026-02-27']]
    """
    starts = anniversaries(start, term_years)
    return pd.DataFrame({"year": np.arange(1, term_years + 1), "start": starts[:-1],
                         "end": starts[1:] - np.timedelta64(1, "D")})


def anniversaries(start: Any, term_years: int) -> np.ndarray:
    """The ``term_years + 1`` anniversaries that bound the contract years, as
    ``datetime64[ns]`` (read-only; the last one is the day after the term)."""
    if isinstance(term_years, bool) or not isinstance(term_years, (int, np.integer)) or term_years < 1:
        raise ValueError(f"term_years must be a whole number >= 1; got {term_years!r}")
    return _anniversaries(_date("start", start), int(term_years))


@functools.lru_cache(maxsize=64)
def _anniversaries(first: pd.Timestamp, term_years: int) -> np.ndarray:
    # DateOffset keeps the day of the month and falls back to the month's last day.
    starts = np.array([(first + pd.DateOffset(years=k)).to_datetime64() for k in range(term_years + 1)],
                      dtype="datetime64[ns]")
    starts.flags.writeable = False   # shared by every caller through the cache
    return starts


def _top_ups(top_ups: Iterable[Any] | None, first: np.datetime64, last: np.datetime64
             ) -> list[tuple[pd.Timestamp, float]]:
    """Validated top-ups as (day, amount) pairs inside the term [first, last]."""
    result = []
    for i, item in enumerate(top_ups or ()):
        try:
            when, amount = (item["date"], item["amount"]) if isinstance(item, dict) else item
        except (TypeError, ValueError, KeyError):
            raise ValueError(f"top_ups[{i}] must be (date, amount) or "
                             f"{{'date': ..., 'amount': ...}}; got {item!r}") from None
        day = _date(f"top_ups[{i}].date", when)
        if not first <= day.to_datetime64() <= last:
            raise ValueError(f"top_ups[{i}].date {day.date()} is outside the term "
                             f"{pd.Timestamp(first).date()} to {pd.Timestamp(last).date()}")
        value, _, _ = _checks.numbers_in(f"top_ups[{i}].amount", amount)
        result.append((day, float(value)))
    return result


class _Balance(NamedTuple):
    """A pool's days of the term with their contract year and running sums."""

    days: pd.DatetimeIndex
    year: np.ndarray          # 1, 2, ... per day
    consumption: np.ndarray   # [units] per day
    cumulative: np.ndarray    # [units] since the anniversary
    amount: np.ndarray        # [units] annual amount plus top-ups so far


def _per_day(daily: Any, what: str) -> pd.Series:
    """``daily`` validated, with its dates at midnight and one value a day
    (several entries on a day are added up)."""
    if not isinstance(daily, pd.Series) or not isinstance(daily.index, pd.DatetimeIndex):
        raise TypeError(f"daily must be a pandas Series of {what} indexed by date")
    values, _, _ = _checks.numbers_in("daily", daily)
    daily = pd.Series(values, index=daily.index.normalize())
    return daily if daily.index.is_unique else daily.groupby(level=0).sum()


def _balance(daily: pd.Series, annual_amount: float, start: Any, term_years: int,
             top_ups: Iterable[Any] | None) -> _Balance:
    starts = anniversaries(start, term_years)
    first, last = starts[0], starts[-1] - np.timedelta64(1, "D")
    daily = _per_day(daily, "units per day")
    amount, _, _ = _checks.numbers_in("annual_amount", annual_amount)
    days = pd.date_range(max(first, daily.index.min().to_datetime64()),
                         min(last, daily.index.max().to_datetime64()), freq="D")
    if days.empty:
        raise ValueError("daily covers no day of the contract term "
                         f"{pd.Timestamp(first).date()} to {pd.Timestamp(last).date()}")
    if daily.index.equals(days):
        consumption = daily.to_numpy(dtype=float)
    else:
        consumption = daily.reindex(days, fill_value=0.0).to_numpy(dtype=float)
    year = np.searchsorted(starts, days.to_numpy(), side="right")
    bought = np.zeros(len(days))
    for day, value in _top_ups(top_ups, first, last):
        if days[0] <= day <= days[-1]:
            bought[(day - days[0]).days] += value
    return _Balance(days, year, consumption, _running_sum_per_year(consumption, year),
                    float(amount) + _running_sum_per_year(bought, year))


def pool_balance(daily: pd.Series, annual_amount: float, start: Any, term_years: int,
                 top_ups: Iterable[Any] | None = None) -> pd.DataFrame:
    """Day-by-day balance of one annual pool.

    Parameters
    ----------
    daily : pandas.Series
        Consumption per day [units], indexed by date. Days outside the term are
        ignored; days of the term that are missing count as zero.
    annual_amount : float
        Units bought per contract year [units].
    start, term_years
        As in :func:`contract_years`.
    top_ups : iterable of (date, amount), optional
        Units bought during a year [units]; they expire with that year.

    Returns
    -------
    pandas.DataFrame
        Indexed by date over the days of the term covered by ``daily``:
        ``year``, ``consumption``, ``cumulative`` (since the anniversary),
        ``amount`` (annual plus top-ups so far) and ``balance`` [units].
    """
    b = _balance(daily, annual_amount, start, term_years, top_ups)
    return pd.DataFrame({"year": b.year, "consumption": b.consumption, "cumulative": b.cumulative,
                         "amount": b.amount, "balance": b.amount - b.cumulative}, index=b.days)


def _running_sum_per_year(values: np.ndarray, year: np.ndarray) -> np.ndarray:
    """Cumulative sum that restarts where ``year`` changes (the anniversary)."""
    total = np.cumsum(values)
    first = np.r_[True, year[1:] != year[:-1]]
    carried = np.maximum.accumulate(np.where(first, np.arange(len(values)), 0))
    return total - (total[carried] - values[carried])


def pool_forecast(daily: pd.Series, annual_amount: float, start: Any, term_years: int,
                  top_ups: Iterable[Any] | None = None) -> pd.DataFrame:
    """Per contract year: consumption, balance, run-out date and extra needed.

    Parameters
    ----------
    daily, annual_amount, start, term_years, top_ups
        As in :func:`pool_balance`.

    Returns
    -------
    pandas.DataFrame
        One row per contract year covered by ``daily``: ``year``, ``start``,
        ``end``, ``days_covered``, ``amount`` (annual plus every top-up of the
        year), ``consumption``, ``remaining`` (negative when exceeded),
        ``run_out`` (date or NaT) and ``extra_needed`` (units to buy on top so
        the pool lasts to the anniversary, 0 if it does) [units].

    Examples
    --------
    >>> days = pd.date_range("2025-01-01", "2025-12-31")
    >>> f = pool_forecast(pd.Series(10.0, index=days), 3000, "2025-01-01", 1)
    >>> f.loc[0, ["consumption", "remaining", "extra_needed"]].tolist(), str(f.loc[0, "run_out"].date())
    ([3650.0, -650.0, 650.0], '2025-10-28')
    """
    b = _balance(daily, annual_amount, start, term_years, top_ups)
    return _per_year(b.days, b.year, anniversaries(start, term_years), amount=b.amount,
                     consumption=np.add.reduceat(b.consumption, _year_starts(b.year)),
                     over=b.cumulative > b.amount)


def licence_forecast(daily: pd.Series, quantity: float, start: Any, term_years: int) -> pd.DataFrame:
    """Per contract year: the peak in use against a licensed quantity.

    A licence (such as a number of host units) is not consumed: what counts is
    the highest amount in use on any day of the year.

    Parameters
    ----------
    daily : pandas.Series
        Amount in use per day [units], indexed by date; days outside the term
        are ignored.
    quantity : float
        Licensed quantity [units].
    start, term_years
        As in :func:`contract_years`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`pool_forecast`, with ``amount`` the licensed
        quantity, ``consumption`` the year's peak, ``run_out`` the first day
        above the quantity and ``extra_needed`` the excess of the peak [units].

    Examples
    --------
    >>> days = pd.date_range("2025-01-01", "2026-12-31")
    >>> in_use = pd.Series(np.where(days >= "2026-03-01", 120.0, 90.0), index=days)
    >>> f = licence_forecast(in_use, 100, "2025-01-01", 2)
    >>> f[["year", "consumption", "extra_needed"]].values.tolist(), str(f.loc[1, "run_out"].date())
    ([[1.0, 90.0, 0.0], [2.0, 120.0, 20.0]], '2026-03-01')
    """
    starts = anniversaries(start, term_years)
    daily = _per_day(daily, "units in use per day")
    amount, _, _ = _checks.numbers_in("quantity", quantity)
    daily = daily[(daily.index >= starts[0]) & (daily.index < starts[-1])].sort_index()
    days, values = daily.index, daily.to_numpy(dtype=float)
    if days.empty:
        raise ValueError("daily covers no day of the contract term "
                         f"{pd.Timestamp(starts[0]).date()} to "
                         f"{(pd.Timestamp(starts[-1]) - pd.Timedelta(days=1)).date()}")
    year = np.searchsorted(starts, days.to_numpy(), side="right")
    return _per_year(days, year, starts, amount=np.full(len(days), float(amount)),
                     consumption=np.maximum.reduceat(values, _year_starts(year)),
                     over=values > float(amount) + LICENCE_SLACK)


def _year_starts(year: np.ndarray) -> np.ndarray:
    """Positions where a new contract year begins in a run of days."""
    return np.flatnonzero(np.r_[True, year[1:] != year[:-1]])


def _per_year(days: pd.DatetimeIndex, year: np.ndarray, starts: np.ndarray, *, amount: np.ndarray,
              consumption: np.ndarray, over: np.ndarray) -> pd.DataFrame:
    """One row per contract year covered by ``days``.

    ``amount`` is per day (the last day of a year counts), ``consumption`` per
    year, ``over`` per day (the first such day of a year is its run-out date).
    """
    first = _year_starts(year)
    last = np.r_[first[1:], len(year)] - 1
    number = year[first]
    bought = np.asarray(amount, dtype=float)[last]
    first_over = np.minimum.reduceat(np.where(over, np.arange(len(year)), len(year)), first)
    exceeded = first_over < len(year)
    run_out = np.where(exceeded, days.to_numpy()[np.minimum(first_over, len(year) - 1)],
                       np.datetime64("NaT", "ns"))
    return pd.DataFrame({
        "year": number.astype(int), "start": starts[number - 1],
        "end": starts[number] - np.timedelta64(1, "D"), "days_covered": last - first + 1,
        "amount": bought, "consumption": consumption, "remaining": bought - consumption,
        "run_out": run_out, "extra_needed": np.maximum(0.0, consumption - bought)})
