"""The months an import reads: whole calendar months in UTC.

* The window is ``--months`` (1 to 120) complete calendar months ending with
  ``--to`` (``YYYY-MM``), by default the last complete month; a month that is
  not over yet is refused (:func:`month_window`).
* The API is asked for a window by its bounds in UTC milliseconds: the start
  of its first month to the start of the month after its last
  (:func:`month_start_ms`).
"""

from __future__ import annotations

import pandas as pd

from planner import _checks
from planner.imports.errors import BaselineError

__all__ = ["month_window", "to_month", "month_start_ms"]


def month_window(to: str | None, months: int, today: pd.Timestamp | None = None) -> pd.PeriodIndex:
    """The calendar months to import, oldest first.

    Parameters
    ----------
    to : str or None
        Last month, ``YYYY-MM``; it must be complete (before the current month).
        None: the last complete month.
    months : int
        How many months [months], >= 1.

    Examples
    --------
    >>> list(month_window("2026-03", 3).astype(str))
    ['2026-01', '2026-02', '2026-03']
    """
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120:
        raise BaselineError(f"--months must be a whole number from 1 to 120; got {months!r}")
    now = pd.Timestamp.now(tz="UTC") if today is None else pd.Timestamp(today)
    if now.tzinfo is not None:
        now = now.tz_convert("UTC").tz_localize(None)
    current = now.to_period("M")
    if to is None:
        last = current - 1
    else:
        last = to_month(to)
        if last >= current:
            raise BaselineError(f"--to {to}: that month is not over yet; the last complete month is {current - 1}")
    return pd.period_range(end=last, periods=months, freq="M")


def to_month(to: str) -> pd.Period:
    """``--to`` as a month, or an error saying what it must be."""
    try:
        return _checks.month(to)
    except (ValueError, TypeError):
        raise BaselineError(f"--to must be a month YYYY-MM; got {to!r}") from None


def month_start_ms(period: pd.Period) -> int:
    """The first millisecond of a month [UTC ms since the epoch], as the API takes it."""
    return int(period.start_time.value // 1_000_000)
