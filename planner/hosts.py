"""Application and infrastructure monitoring: host units, host unit hours and
the custom metrics a OneAgent host includes.

Rules (Dynatrace Platform Usage Supplement, effective 2022-11-15, sections
"Application and Infrastructure Monitoring" and "Custom metrics"; read as in
docs/rules.md#host-units-and-host-unit-hours and
docs/rules.md#included-custom-metrics-and-custom-metric-ddu):

* RAM is the memory available to the operating system [GiB]. A host falls in the
  first size class whose limit it does not exceed (limits inclusive): 1.6, 4, 8,
  16 GiB (table ``host_units``).
* Above the largest class, N = ceil(RAM / 16): full-stack consumes N host units,
  infrastructure min(1.0, 0.3 x N); the 1.0 cap is configurable.
* Host unit hours = host units x hours. From run intervals, every calendar hour
  in which a host ran at least 5 minutes counts as one whole hour.
* Included custom metrics per host and minute: full-stack max(200, 1000 x HU),
  infrastructure always 200. The excess is taken per host and per minute;
  metrics not reported through a OneAgent host have no allowance.

Every categorical argument (``mode``) takes one value or one per row, aligned
with the numeric arguments: ``host_units(df["ram_gib"], df["mode"])``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planner import _checks
from planner.tableset import TableSet, resolve

__all__ = [
    "MODES", "host_units", "host_unit_hours", "run_hours", "included_custom_metrics",
    "custom_metric_ddu",
]

#: OneAgent monitoring modes: the weight columns of tables ``host_units`` and
#: ``included_custom_metrics``.
MODES = ("fullstack", "infrastructure")


def _decimals(t: TableSet) -> int:
    """Decimals results are rounded to (rule ``result_decimals``, docs/rules.md#rounding):
    weights such as 0.3 x 3 are not exact in binary floating point (0.8999...)."""
    return int(t.rule("result_decimals"))


def _ram_class_weight(ram: np.ndarray, classes: pd.DataFrame, column: str,
                     per_step: float, step_gib: float, cap: float | None = None,
                     decimals: int | None = None) -> np.ndarray:
    """Weight of each RAM value from a size-class table, and above its largest
    class ``per_step x ceil(RAM / step_gib)``, optionally capped.

    Parameters
    ----------
    ram : numpy.ndarray
        Memory available to the operating system [GiB], already validated.
    classes : pandas.DataFrame
        Rows with ``max_ram_gib`` [GiB] (inclusive limits, rising) and ``column``.
    decimals : int, optional
        Decimals of the result; the default table set's ``result_decimals``.
    """
    if decimals is None:
        decimals = _decimals(resolve(None))
    limits = classes["max_ram_gib"].to_numpy(dtype=float)
    weights = classes[column].to_numpy(dtype=float)
    position = np.searchsorted(limits, ram, side="left")  # first limit >= RAM
    in_class = position < len(limits)
    above = per_step * np.ceil(ram / step_gib)
    if cap is not None:
        above = np.minimum(above, cap)
    result = np.where(in_class, weights[np.minimum(position, len(limits) - 1)], above)
    return np.round(result, decimals)


def _modes(mode: Any) -> tuple[np.ndarray, pd.Index | None, bool]:
    return _checks.categories_in("mode", mode, MODES)


def _per_mode(codes: np.ndarray, ram: np.ndarray, weigh: Any) -> np.ndarray:
    """``weigh(ram, mode)`` evaluated once per mode present, placed row by row."""
    result = np.zeros(np.shape(ram))
    for mode, rows in _checks.split(codes, MODES):
        result[rows] = weigh(ram[rows], mode)
    return result


def _ram(ram_gib: Any) -> tuple[np.ndarray, pd.Index | None, bool]:
    return _checks.numbers_in("ram_gib", ram_gib, strict=True)


def _host_units(ram: np.ndarray, mode: str, infra_cap: bool | float, t: TableSet) -> np.ndarray:
    if mode == "fullstack":
        per_step, cap = t.rule("host_units_fullstack_per_step"), None
    else:
        per_step = t.rule("host_units_infrastructure_per_step")
        cap = _infra_cap(infra_cap, t)
    return _ram_class_weight(ram, t["host_units"], mode, per_step, t.rule("ram_step_gib"), cap,
                            _decimals(t))


def _infra_cap(infra_cap: bool | float, t: TableSet) -> float | None:
    if infra_cap is True:
        return t.rule("host_units_infrastructure_cap")  # may be None in a contract's set
    if infra_cap is False or infra_cap is None:
        return None
    if _checks.is_real_number(infra_cap) and np.isfinite(infra_cap) and infra_cap > 0:
        return float(infra_cap)
    raise ValueError(f"infra_cap must be True (table default), False (no cap) or a number > 0 "
                     f"[host units]; got {infra_cap!r}")


def host_units(ram_gib: Any, mode: Any = "fullstack", *, infra_cap: bool | float = True,
               tables: TableSet | None = None) -> Any:
    """Host units one host consumes.

    Parameters
    ----------
    ram_gib : float, array-like or pandas.Series
        Memory available to the operating system [GiB], > 0.
    mode : {'fullstack', 'infrastructure'}, array-like or pandas.Series
        OneAgent monitoring mode: one for every host, or one per host aligned
        with ``ram_gib``.
    infra_cap : bool or float, default True
        Cap on infrastructure host units above 16 GiB: True uses the table set's
        cap (1.0 by default), False applies none, a number sets it [host units].
    tables : TableSet, optional
        Rate card to use; the shipped default when omitted.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        Host units [HU], shaped like ``ram_gib``.

    Examples
    --------
    >>> host_units(17), host_units(17, "infrastructure")
    (2.0, 0.6)
    >>> host_units(100), host_units(100, "infrastructure")
    (7.0, 1.0)
    >>> host_units([17, 17], ["fullstack", "infrastructure"])
    array([2. , 0.6])
    """
    t = resolve(tables)
    (ram, modes), shape = _checks.broadcast(ram_gib=_ram(ram_gib), mode=_modes(mode))
    return shape(_per_mode(modes, ram, lambda r, m: _host_units(r, m, infra_cap, t)))


def host_unit_hours(ram_gib: Any, hours: Any, mode: Any = "fullstack", *,
                    infra_cap: bool | float = True, tables: TableSet | None = None) -> Any:
    """Host unit hours: host units x hours.

    Parameters
    ----------
    ram_gib : float, array-like or pandas.Series
        Memory available to the operating system [GiB], > 0.
    hours : float, array-like or pandas.Series
        Hours monitored [h], >= 0. Aggregates ("10 hours a day") are used as they
        are; from run intervals use :func:`run_hours` first.
    mode, infra_cap, tables
        As in :func:`host_units`.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        Host unit hours [HU h].
    """
    t = resolve(tables)
    (ram, hrs, modes), shape = _checks.broadcast(
        ram_gib=_ram(ram_gib), hours=_checks.numbers_in("hours", hours), mode=_modes(mode))
    units = _per_mode(modes, ram, lambda r, m: _host_units(r, m, infra_cap, t))
    return shape(np.round(units * hrs, _decimals(t)))


def run_hours(intervals: pd.DataFrame, *, tables: TableSet | None = None) -> pd.Series:
    """Billable hours per host from run intervals (the calendar-hour rule).

    Every calendar hour in which a host ran at least ``min_run_minutes_per_hour``
    (5) minutes counts as one whole hour; shorter runs count nothing. Overlapping
    intervals of one host are merged first, and the minutes of all runs inside
    one calendar hour are added up (two 3-minute runs in one hour make 6 minutes,
    so the hour counts). Hours are those of the timestamps' own clock; aware
    timestamps are converted to UTC first, so half-hour time zones do not shift
    the hour boundaries.

    Parameters
    ----------
    intervals : pandas.DataFrame
        Columns ``host``, ``start``, ``end`` (timestamps, ``end`` >= ``start``).

    Returns
    -------
    pandas.Series
        Billable hours [h] per host, indexed by host.

    Examples
    --------
    >>> runs = pd.DataFrame({"host": ["a", "a"],
    ...     "start": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 11:58"]),
    ...     "end": pd.to_datetime(["2025-01-01 11:03", "2025-01-01 12:04"])})
    >>> run_hours(runs).to_dict()   # 10:00-11:00 full, 11:xx has 3+2 = 5 min, 12:xx 4 min
    {'a': 2}
    """
    t = resolve(tables)
    frame = _checks.columns("intervals", intervals, ("host", "start", "end"))
    start, end = (_checks.timestamps("intervals", c, frame[c]) for c in ("start", "end"))
    backwards = (end < start).to_numpy()
    if backwards.any():
        row = frame.index[backwards.argmax()]
        raise ValueError(f"intervals: row {row!r} ends before it starts "
                         f"(start {start[row]}, end {end[row]})")
    hosts = frame["host"]
    if hosts.isna().any():
        raise ValueError(f"intervals: column 'host' is empty in row {hosts.index[hosts.isna().argmax()]!r}")
    if frame.empty:
        return pd.Series(dtype="int64", name="hours")

    merged = _merge_intervals(hosts.to_numpy(), start.to_numpy("datetime64[ns]").view("i8"),
                              end.to_numpy("datetime64[ns]").view("i8"))
    hour = np.int64(3_600_000_000_000)
    first, last = merged["start"] // hour, (merged["end"] - 1) // hour
    count = np.maximum(last - first + 1, 0)
    rows = np.repeat(np.arange(len(first)), count)
    hour_no = first[rows] + (np.arange(rows.size) - np.repeat(np.cumsum(count) - count, count))
    lo = np.maximum(merged["start"][rows], hour_no * hour)
    hi = np.minimum(merged["end"][rows], (hour_no + 1) * hour)
    minutes = pd.DataFrame({"host": merged["host"][rows], "hour": hour_no,
                            "minutes": (hi - lo) / 60e9})
    per_hour = minutes.groupby(["host", "hour"], sort=False)["minutes"].sum()
    billable = (per_hour >= t.rule("min_run_minutes_per_hour")).groupby(level="host").sum()
    all_hosts = pd.Index(pd.unique(hosts), name="host")
    return billable.reindex(all_hosts, fill_value=0).astype("int64").rename("hours")


def _merge_intervals(host: np.ndarray, start: np.ndarray, end: np.ndarray) -> dict[str, np.ndarray]:
    """Union of overlapping intervals per host (integer nanoseconds)."""
    codes, uniques = pd.factorize(host)
    order = np.lexsort((start, codes))
    codes, start, end = codes[order], start[order], end[order]
    # running maximum of the end within each host: a new block starts where the
    # host changes or the start lies beyond every earlier end of that host
    reach = pd.Series(end).groupby(codes).cummax().to_numpy()
    new_block = np.ones(len(start), dtype=bool)
    new_block[1:] = (codes[1:] != codes[:-1]) | (start[1:] > reach[:-1])
    block = np.cumsum(new_block) - 1
    block_start = start[new_block]
    block_end = pd.Series(reach).groupby(block).max().to_numpy()
    return {"host": uniques[codes[new_block]], "start": block_start, "end": block_end}


def included_custom_metrics(ram_gib: Any, mode: Any = "fullstack", *,
                            tables: TableSet | None = None) -> Any:
    """Custom metrics a OneAgent host includes per minute.

    Parameters
    ----------
    ram_gib : float, array-like or pandas.Series
        Memory available to the operating system [GiB], > 0.
    mode : {'fullstack', 'infrastructure'}, array-like or pandas.Series
        One mode, or one per host aligned with ``ram_gib``.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        Included custom metrics [metrics per minute]: full-stack 200, 250, 500,
        1000, then N x 1000; infrastructure always 200.

    Examples
    --------
    >>> included_custom_metrics(2), included_custom_metrics(64)
    (250.0, 4000.0)
    """
    t = resolve(tables)
    (ram, modes), shape = _checks.broadcast(ram_gib=_ram(ram_gib), mode=_modes(mode))
    return shape(_per_mode(modes, ram, lambda r, m: _included(r, m, t)))


def _included(ram: np.ndarray, mode: str, t: TableSet) -> np.ndarray:
    if mode == "fullstack":
        per_step, cap = t.rule("included_metrics_fullstack_per_step"), None
    else:  # a constant above the classes: per-step 200 capped at 200
        per_step = cap = t.rule("included_metrics_infrastructure_above_classes")
    return _ram_class_weight(ram, t["included_custom_metrics"], mode, per_step,
                            t.rule("ram_step_gib"), cap, _decimals(t))


def custom_metric_ddu(metrics_per_minute: Any, ram_gib: Any = None, mode: Any = "fullstack",
                      minutes: Any = 1, *, tables: TableSet | None = None) -> Any:
    """DDU of one host's custom metrics: the excess over its allowance.

    The excess is taken per host and per minute, max(0, reported - included), so
    pass one value per host and minute (or a steady rate and ``minutes``). An
    allowance unused on one host or in one minute offsets nothing else.

    Parameters
    ----------
    metrics_per_minute : float, array-like or pandas.Series
        Custom metric data points the host reports in a minute [data points/min].
    ram_gib : float, array-like, pandas.Series or None
        The host's RAM [GiB]; ``None`` for metrics not reported through a OneAgent
        host (API, remote extensions on an ActiveGate), which have no allowance.
    mode : {'fullstack', 'infrastructure'}, array-like or pandas.Series
        One mode, or one per host aligned with ``ram_gib``.
    minutes : float, array-like or pandas.Series, default 1
        Minutes at that rate [min].

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        Davis data units [DDU] at 0.001 per data point.

    Examples
    --------
    >>> custom_metric_ddu(1, minutes=60 * 24 * 365)   # one metric a minute for a year
    525.6
    >>> custom_metric_ddu(1200, ram_gib=16)            # 200 over the 1000 included
    0.2
    """
    t = resolve(tables)
    named = {"metrics_per_minute": _checks.numbers_in("metrics_per_minute", metrics_per_minute),
             "minutes": _checks.numbers_in("minutes", minutes), "mode": _modes(mode)}
    if ram_gib is not None:
        named["ram_gib"] = _ram(ram_gib)
    arrays, shape = _checks.broadcast(**named)
    metrics, mins, modes = arrays[:3]
    allowance = (_per_mode(modes, arrays[3], lambda r, m: _included(r, m, t))
                 if ram_gib is not None else 0.0)
    weight = t.weight("ddu_weights", "custom_metric")
    return shape(np.round(np.maximum(metrics - allowance, 0.0) * mins * weight, _decimals(t)))
