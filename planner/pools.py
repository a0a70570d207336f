"""Annual unit pools: contract years, balances, run-out dates and top-ups.

Rules (Platform Usage Supplement, "Flexible, consumption-based licenses";
RULINGS.md "Annual pools"):

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

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from planner import _checks

__all__ = ["contract_years", "pool_balance", "pool_forecast"]


def _date(name: str, value: Any) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be a date (YYYY-MM-DD); got {value!r}") from None
    if stamp is pd.NaT or pd.isna(stamp):
        raise ValueError(f"{name} must be a date (YYYY-MM-DD); got {value!r}")
    return stamp.tz_localize(None).normalize() if stamp.tz else stamp.normalize()


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
    first = _date("start", start)
    if isinstance(term_years, bool) or not isinstance(term_years, (int, np.integer)) or term_years < 1:
        raise ValueError(f"term_years must be a whole number >= 1; got {term_years!r}")
    starts = [first + pd.DateOffset(years=k) for k in range(term_years + 1)]
    return pd.DataFrame({"year": np.arange(1, term_years + 1),
                         "start": starts[:-1],
                         "end": [s - pd.Timedelta(days=1) for s in starts[1:]]})


def _top_ups(top_ups: Iterable[Any] | None, years: pd.DataFrame) -> list[tuple[pd.Timestamp, float]]:
    """Validated top-ups as (day, amount) pairs inside the term."""
    result = []
    for i, item in enumerate(top_ups or ()):
        try:
            when, amount = (item["date"], item["amount"]) if isinstance(item, dict) else item
        except (TypeError, ValueError, KeyError):
            raise ValueError(f"top_ups[{i}] must be (date, amount) or "
                             f"{{'date': ..., 'amount': ...}}; got {item!r}") from None
        day = _date(f"top_ups[{i}].date", when)
        if not years["start"].iloc[0] <= day <= years["end"].iloc[-1]:
            raise ValueError(f"top_ups[{i}].date {day.date()} is outside the term "
                             f"{years['start'].iloc[0].date()} to {years['end'].iloc[-1].date()}")
        value, _, _ = _checks.numbers_in(f"top_ups[{i}].amount", amount)
        result.append((day, float(value)))
    return result


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
    years = contract_years(start, term_years)
    if not isinstance(daily, pd.Series) or not isinstance(daily.index, pd.DatetimeIndex):
        raise TypeError("daily must be a pandas Series of units per day indexed by date")
    values, _, _ = _checks.numbers_in("daily", daily)
    amount, _, _ = _checks.numbers_in("annual_amount", annual_amount)
    daily = pd.Series(values, index=daily.index.normalize())
    if not daily.index.is_unique:   # several entries a day: add them up
        daily = daily.groupby(level=0).sum()
    days = pd.date_range(max(years["start"].iloc[0], daily.index.min()),
                         min(years["end"].iloc[-1], daily.index.max()), freq="D")
    if days.empty:
        raise ValueError("daily covers no day of the contract term "
                         f"{years['start'].iloc[0].date()} to {years['end'].iloc[-1].date()}")
    consumption = daily.reindex(days, fill_value=0.0).to_numpy()
    year = np.searchsorted(years["start"].to_numpy(), days.to_numpy(), side="right")
    bought = np.zeros(len(days))
    for day, value in _top_ups(top_ups, years):
        if days[0] <= day <= days[-1]:
            bought[(day - days[0]).days] += value
    frame = pd.DataFrame({"year": year, "consumption": consumption,
                          "cumulative": _running_sum_per_year(consumption, year),
                          "amount": float(amount) + _running_sum_per_year(bought, year)}, index=days)
    frame["balance"] = frame["amount"] - frame["cumulative"]
    return frame[["year", "consumption", "cumulative", "amount", "balance"]]


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
    balance = pool_balance(daily, annual_amount, start, term_years, top_ups)
    years = contract_years(start, term_years).set_index("year")
    year = balance["year"].to_numpy()
    consumption, amount = balance["consumption"].to_numpy(), balance["amount"].to_numpy()
    overdrawn = balance["balance"].to_numpy() < 0
    rows = []
    for number in np.unique(year):
        days = np.flatnonzero(year == number)
        total, bought = float(consumption[days].sum()), float(amount[days[-1]])
        exceeded = days[overdrawn[days]]
        rows.append({"year": int(number), "start": years.at[number, "start"],
                     "end": years.at[number, "end"], "days_covered": len(days),
                     "amount": bought, "consumption": total, "remaining": bought - total,
                     "run_out": balance.index[exceeded[0]] if len(exceeded) else pd.NaT,
                     "extra_needed": max(0.0, total - bought)})
    return pd.DataFrame(rows)
