"""Mainframe monitoring on IBM z/OS: MSU consumption per LPAR.

Rules (Dynatrace Platform Usage Supplement, effective 2022-11-15, section
"Mainframe Monitoring on IBM z/OS"; read as in docs/rules.md#mainframe-msu). The
window length is the table set's rule ``msu_window_hours`` (4 by default):

* Consumption per LPAR is the highest 4-hour rolling average of its MSU samples
  in a calendar month. The window is time-based, (t - 4 h, t], so samples may be
  minutes or hours apart.
* Compare it with the licensed MSUs and flag each month and LPAR over licence.

Interpretations of the planner (the documents do not say): a window belongs to
the month of its end ``t``, and may reach back into the previous month as a
rolling average does; windows ending less than 4 hours after an LPAR's first
sample are partial and skipped, so a short burst at the start of the data does
not count as a 4-hour average.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from planner import _checks
from planner.tableset import TableSet, resolve

__all__ = ["WINDOW", "msu_monthly_peak", "msu_report_due_dates"]


def _window(tables: TableSet | None) -> pd.Timedelta:
    """The rolling window (rule ``msu_window_hours``)."""
    return pd.Timedelta(hours=float(resolve(tables).rule("msu_window_hours")))


def __getattr__(name: str) -> Any:
    # ``WINDOW`` is the default table set's window, read when asked for.
    if name == "WINDOW":
        return _window(None)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def msu_monthly_peak(samples: pd.Series | pd.DataFrame, licensed: Any = None, *,
                     tables: TableSet | None = None) -> pd.DataFrame:
    """Peak 4-hour rolling average MSU per LPAR and calendar month.

    Parameters
    ----------
    samples : pandas.Series or pandas.DataFrame
        MSU samples [MSU]. A Series indexed by timestamp (one LPAR, named by the
        Series name), a Series with a two-level index (LPAR, timestamp), or a
        DataFrame indexed by timestamp with one column per LPAR.
    licensed : float or mapping of LPAR -> float, optional
        Licensed MSUs; adds ``licensed_msu`` and ``over_licence`` columns.
    tables : TableSet, optional
        Rate card whose ``msu_window_hours`` sets the window; the default set
        when omitted.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``lpar``, ``month``): ``peak_msu`` [MSU], ``peak_window_end``
        and, with ``licensed``, ``licensed_msu`` [MSU] and ``over_licence``.

    Examples
    --------
    >>> hours = pd.date_range("2025-01-01", periods=6, freq="h")
    >>> peaks = msu_monthly_peak(pd.Series([10, 10, 10, 10, 30, 10.0], index=hours, name="PROD"))
    >>> peaks["peak_msu"].tolist(), str(peaks["peak_window_end"].iloc[0])  # (00:00, 04:00]
    ([15.0], '2025-01-01 04:00:00')
    """
    series = _long_form(samples)
    window_length = _window(tables)
    rows = []
    for lpar, values in series.groupby(level=0, sort=True):
        values = values.droplevel(0).sort_index()
        if values.index.has_duplicates:
            raise ValueError(f"samples: LPAR {lpar!r} has two samples at "
                             f"{values.index[values.index.duplicated()][0]}")
        rolling = values.rolling(window_length).mean()
        rolling = rolling[rolling.index >= values.index[0] + window_length]
        if rolling.empty:
            hours = f"{window_length / pd.Timedelta(hours=1):g}"
            raise ValueError(f"samples: LPAR {lpar!r} covers less than {hours} hours "
                             f"({values.index[0]} to {values.index[-1]}); a {hours}-hour "
                             "average needs more")
        months = rolling.index.tz_localize(None).to_period("M") if rolling.index.tz else \
            rolling.index.to_period("M")
        for month, window in rolling.groupby(months):
            rows.append({"lpar": lpar, "month": month, "peak_msu": float(window.max()),
                         "peak_window_end": window.idxmax()})
    result = pd.DataFrame(rows).set_index(["lpar", "month"])
    if licensed is not None:
        result["licensed_msu"] = [_licence(licensed, lpar) for lpar in
                                  result.index.get_level_values("lpar")]
        result["over_licence"] = result["peak_msu"] > result["licensed_msu"]
    return result


def _long_form(samples: Any) -> pd.Series:
    if isinstance(samples, pd.DataFrame):
        if not isinstance(samples.index, pd.DatetimeIndex):
            raise TypeError("samples: a DataFrame needs a DatetimeIndex and one column per LPAR")
        series = samples.stack(future_stack=True).swaplevel().dropna()
    elif isinstance(samples, pd.Series):
        if isinstance(samples.index, pd.MultiIndex):
            if samples.index.nlevels != 2:
                raise ValueError("samples: a MultiIndex must have two levels, (LPAR, timestamp)")
            series = samples
        elif isinstance(samples.index, pd.DatetimeIndex):
            lpar = samples.name if samples.name is not None else "LPAR"
            series = pd.concat({lpar: samples})
        else:
            raise TypeError("samples: the index must be timestamps, or (LPAR, timestamp)")
    else:
        raise TypeError(f"samples must be a pandas Series or DataFrame of MSU; got "
                        f"{type(samples).__name__}")
    if series.empty:
        raise ValueError("samples is empty")
    if not isinstance(series.index.get_level_values(1), pd.DatetimeIndex):
        raise TypeError("samples: the second index level must be timestamps")
    values, _, _ = _checks.numbers_in("samples", pd.Series(series.to_numpy(), index=series.index))
    return pd.Series(values, index=series.index)


def _licence(licensed: Any, lpar: Any) -> float:
    value = licensed.get(lpar) if isinstance(licensed, Mapping) else licensed
    if value is None:
        raise ValueError(f"licensed: no licensed MSU for LPAR {lpar!r}; "
                         f"given for {sorted(map(str, licensed))}")
    number, _, _ = _checks.numbers_in(f"licensed[{lpar!r}]" if isinstance(licensed, Mapping)
                                      else "licensed", value)
    return float(number)


def msu_report_due_dates(executed: Any, first: Any, last: Any, *, tables: TableSet | None = None) -> pd.DatetimeIndex:
    """The days an LPAR's peak MSU values are due when reporting is disabled.

    The Supplement ("Mainframe Monitoring on IBM z/OS") asks a customer who
    disables the reporting of monitored technologies "to provide Dynatrace with
    the peak rolling 4-hour average MSU values of their monitored LPARs or
    products every 6 months from date of execution" (rule
    ``msu_report_interval_months``). Planner's choice
    (docs/rules.md#msu-reporting-disabled): the date of execution is the
    contract's start date, and the k-th report is due k x 6 calendar months
    after it (the last day of the month where the day does not exist).

    Parameters
    ----------
    executed : date-like
        Date of execution (the contract's start).
    first, last : date-like
        The days to list due dates in, both included.

    Returns
    -------
    pandas.DatetimeIndex
        The due dates from ``first`` to ``last``.

    Examples
    --------
    >>> [str(d.date()) for d in msu_report_due_dates("2027-08-31", "2027-01-01", "2028-12-31")]
    ['2028-02-29', '2028-08-31']
    """
    months = int(resolve(tables).rule("msu_report_interval_months"))
    start, low, high = (_checks.day(name, value) for name, value in
                        (("executed", executed), ("first", first), ("last", last)))
    due, k = [], 1
    while (day := start + pd.DateOffset(months=k * months)) <= high:   # from the start each time: no drift
        if day >= low:
            due.append(day)
        k += 1
    return pd.DatetimeIndex(due, name="due")
