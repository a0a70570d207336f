"""Dynatrace ONE Premium: coaching sessions bought per week.

Rule (Dynatrace Platform Usage Supplement, effective 2022-11-15, section
"Dynatrace ONE Premium"; read as in docs/rules.md#one-premium): the offering
"includes on-boarding or coaching sessions with a Product Specialist. These
sessions can be purchased in increments of 1, 2 or 3 per week and do not carry
forward if not used weekly." The increments are the table set's rule
``one_premium_sessions_per_week``. The Supplement names no fee: the fee is the
contract's price.

Planner's choices (the Supplement does not say): a week is seven days counted
from the contract's start date, so week 1 starts on the start date; the last
week of the term ends with the term and keeps the full weekly quantity; a week
belongs to the contract year of its first day. A plan that uses more sessions
in a week than the week has is refused, since nothing carries forward to
cover it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from planner import _checks
from planner.pools import anniversaries
from planner.tableset import TableSet, resolve

__all__ = ["coaching_weeks", "coaching_years", "check_sessions_per_week"]

_WEEK = pd.Timedelta(days=7)


def check_sessions_per_week(sessions_per_week: Any, *, tables: TableSet | None = None) -> int:
    """``sessions_per_week`` if the table set's increments allow it; a ValueError naming them otherwise."""
    allowed = resolve(tables).rule("one_premium_sessions_per_week")
    if isinstance(sessions_per_week, bool) or sessions_per_week not in allowed:
        raise ValueError(f"sessions_per_week must be one of {', '.join(map(str, allowed))} (coaching sessions are "
                         f"bought \"in increments of 1, 2 or 3 per week\"); got {sessions_per_week!r}")
    return int(sessions_per_week)


def coaching_weeks(sessions_per_week: int, start: Any, term_years: int,
                   plan: float | Iterable[tuple[Any, float]] = 0, *, first: Any = None, last: Any = None,
                   tables: TableSet | None = None) -> pd.DataFrame:
    """Coaching sessions available, used and lapsed, week by week.

    Parameters
    ----------
    sessions_per_week : int
        Sessions bought a week [sessions]: one of ``one_premium_sessions_per_week`` (1, 2, 3).
    start, term_years
        The contract's start date and term [years], as in :func:`planner.pools.contract_years`.
    plan : float or iterable of (date, sessions)
        Sessions used: the same number every week, or sessions on given days
        of the term, each counted in the week of its day [sessions].
    first, last : date-like, optional
        Keep only the weeks that overlap these days (a forecast's horizon).

    Returns
    -------
    pandas.DataFrame
        One row per week: ``week`` (1, 2, ...), ``start``, ``end``,
        ``contract_year``, ``available``, ``used`` and ``lapsed`` (available
        minus used: they do not carry forward) [sessions].

    Raises
    ------
    ValueError
        For a weekly quantity the table set does not sell, a planned day
        outside the term, or a week that plans more sessions than it has.

    Examples
    --------
    >>> w = coaching_weeks(2, "2027-01-01", 1, [("2027-01-02", 2), ("2027-01-09", 1)])
    >>> w.loc[:2, ["week", "available", "used", "lapsed"]].values.tolist()
    [[1, 2, 2, 0], [2, 2, 1, 1], [3, 2, 0, 2]]
    """
    weekly = check_sessions_per_week(sessions_per_week, tables=tables)
    bounds = anniversaries(start, term_years)
    begin, end = pd.Timestamp(bounds[0]), pd.Timestamp(bounds[-1]) - pd.Timedelta(days=1)
    count = (end - begin).days // 7 + 1
    starts = pd.DatetimeIndex([begin + k * _WEEK for k in range(count)])
    ends = pd.DatetimeIndex(np.minimum((starts + pd.Timedelta(days=6)).to_numpy(), end.to_datetime64()))
    used = _used(plan, begin, end, count)
    over = np.flatnonzero(used > weekly)
    if over.size:
        k = int(over[0])
        raise ValueError(f"plan: week {k + 1} ({starts[k].date()} to {ends[k].date()}) uses {used[k]:g} coaching "
                         f"sessions; the contract buys {weekly} a week and unused sessions do not carry forward")
    weeks = pd.DataFrame({"week": np.arange(1, count + 1), "start": starts, "end": ends,
                          "contract_year": np.searchsorted(bounds, starts.to_numpy(), side="right"),
                          "available": weekly, "used": used.astype(int), "lapsed": (weekly - used).astype(int)})
    keep = np.ones(count, dtype=bool)
    if first is not None:
        keep &= weeks["end"] >= _checks.day("first", first)
    if last is not None:
        keep &= weeks["start"] <= _checks.day("last", last)
    return weeks[keep].reset_index(drop=True)


def _used(plan: Any, begin: pd.Timestamp, end: pd.Timestamp, count: int) -> np.ndarray:
    """Sessions used per week of the term."""
    if _checks.is_real_number(plan):
        value, _, _ = _checks.numbers_in("plan", plan, integer=True)
        return np.full(count, float(value))
    used = np.zeros(count)
    for i, item in enumerate(plan):
        try:
            when, sessions = item
        except (TypeError, ValueError):
            raise ValueError(f"plan[{i}] must be (date, sessions); got {item!r}") from None
        day = _checks.day(f"plan[{i}].date", when)
        if not begin <= day <= end:
            raise ValueError(f"plan[{i}].date {day.date()} is outside the term {begin.date()} to {end.date()}")
        value, _, _ = _checks.numbers_in(f"plan[{i}].sessions", sessions, integer=True)
        used[(day - begin).days // 7] += float(value)
    return used


def coaching_years(weeks: pd.DataFrame, price: float | None = None) -> pd.DataFrame:
    """:func:`coaching_weeks` per contract year: ``weeks``, ``available``,
    ``used``, ``lapsed`` [sessions] and ``fee`` (the contract's ``price`` per
    contract year [currency]; NaN without one)."""
    years = weeks.groupby("contract_year", sort=True).agg(
        weeks=("week", "size"), available=("available", "sum"), used=("used", "sum"),
        lapsed=("lapsed", "sum")).reset_index()
    years["fee"] = np.nan if price is None else float(price)
    return years
