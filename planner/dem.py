"""Digital experience monitoring: DEM units for Real User Monitoring (RUM),
Session Replay, defined properties and synthetic monitors.

Rules (Dynatrace Platform Usage Supplement, effective 2022-11-15, section
"Digital Experience Monitoring"; read as in
docs/rules.md#digital-experience-monitoring-dem-units):

* A RUM session costs 0.25, or 1.00 when captured with Session Replay (in place
  of 0.25, not on top of it).
* Defined properties per session: a non-string property counts 1, a string
  ceil(length / 100) (an empty string 1). The first 20 counted are free; each
  further one costs 0.01 per session.
* A session needs at least two user actions (one action = bounced, not billed).
  It ends after more than 30 minutes of inactivity or after 60 minutes of
  continuous interaction (the next action opens a new one). One session per
  application; the parts of a hybrid app share one application name.
* Synthetic: browser monitor or clickpath 1.00 per synthetic action, HTTP monitor
  0.10 per request, third-party 0.10 per result. Runs per day = 24 x 60 /
  frequency [min], per location.

Categorical arguments (``kind``) and switches (``replay``) take one value or one
per row, aligned with the numeric arguments.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from planner import _checks
from planner.tableset import TableSet, resolve

__all__ = [
    "SYNTHETIC_KINDS", "rum_dem", "count_defined_properties", "sessions_from_actions",
    "billable_sessions", "synthetic_dem", "clickpath_actions", "http_requests",
    "third_party_results",
]

#: Synthetic kinds and their row in table ``dem_weights``; a clickpath is a
#: browser monitor with several actions per run.
SYNTHETIC_KINDS = {"browser": "synthetic_browser", "clickpath": "synthetic_browser",
                   "http": "synthetic_http", "third_party": "synthetic_third_party"}


def _decimals(t: TableSet) -> int:
    return int(t.rule("result_decimals"))   # docs/rules.md#rounding


def rum_dem(sessions: Any, *, replay: Any = False, properties: Any = 0,
            tables: TableSet | None = None) -> Any:
    """DEM units of RUM sessions, with or without Session Replay.

    Parameters
    ----------
    sessions : float, array-like or pandas.Series
        Billable sessions (see :func:`billable_sessions`).
    replay : bool, array-like or pandas.Series of bool, default False
        Sessions captured with Session Replay (1.00 each instead of 0.25); one
        value, or one per row aligned with ``sessions``.
    properties : float, array-like or pandas.Series, default 0
        Counted defined properties per session (see
        :func:`count_defined_properties`); those above the free 20 cost 0.01 each.

    Returns
    -------
    [DEM units].

    Examples
    --------
    >>> rum_dem(100, properties=25)      # Supplement: 100 sessions, 25 properties
    30.0
    """
    t = resolve(tables)
    (count, props, replayed), shape = _checks.broadcast(
        sessions=_checks.numbers_in("sessions", sessions),
        properties=_checks.numbers_in("properties", properties, integer=True),
        replay=_checks.flags_in("replay", replay))
    session_weight = np.where(replayed, t.weight("dem_weights", "rum_session_replay"),
                              t.weight("dem_weights", "rum_session"))
    extra = np.maximum(props - t.rule("free_defined_properties"), 0)
    per_session = session_weight + extra * t.weight("dem_weights", "defined_property")
    return shape(np.round(count * per_session, _decimals(t)))


def count_defined_properties(values: Any, *, tables: TableSet | None = None) -> Any:
    """Count one session's defined properties the way they are billed.

    A string counts ceil(length / 100) (an empty string 1), any other value 1.
    A missing value (None or NaN) was not captured and counts nothing: this is
    the planner's reading, the documents do not say. Length is in characters
    (Unicode code points).

    Parameters
    ----------
    values : mapping, iterable, or pandas.Series of those
        One session's property values (a dict of name -> value or a list), or a
        Series holding one such collection per session.

    Returns
    -------
    int, or pandas.Series of int for a Series of sessions.

    Examples
    --------
    >>> count_defined_properties({"plan": "gold", "cart": 3, "note": "x" * 250})
    5
    """
    chars = resolve(tables).rule("characters_per_property")
    if isinstance(values, pd.Series):
        return values.map(lambda v: _count_one(v, chars, "values")).astype("int64")
    return _count_one(values, chars, "values")


def _count_one(values: Any, chars: int, name: str) -> int:
    if isinstance(values, Mapping):
        values = values.values()
    elif isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be one session's property values (a dict or a list); "
                        f"got {values!r:.60}")
    count = 0
    for value in values:
        if isinstance(value, str):
            count += max(1, math.ceil(len(value) / chars))
        elif value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        else:
            count += 1
    return count


def sessions_from_actions(actions: pd.DataFrame, *, tables: TableSet | None = None) -> pd.DataFrame:
    """Split raw user actions into RUM sessions.

    Per user and application, actions are taken in time order. A new session
    starts when the gap to the previous action is more than 30 minutes
    (inactivity) or when the action comes 60 minutes or more after the session's
    first action (continuous interaction). Sessions with fewer than two actions
    are bounced.

    Parameters
    ----------
    actions : pandas.DataFrame
        Columns ``user``, ``application``, ``timestamp``; one row per user action.
        Give both parts of a hybrid app the same application name.

    Returns
    -------
    pandas.DataFrame
        One row per session: ``user``, ``application``, ``start``, ``end``,
        ``actions`` and ``billable`` (at least two actions).
    """
    t = resolve(tables)
    frame = _checks.columns("actions", actions, ("user", "application", "timestamp"))
    for column in ("user", "application"):
        if frame[column].isna().any():
            row = frame.index[frame[column].isna().to_numpy().argmax()]
            raise ValueError(f"actions: column {column!r} is empty in row {row!r}")
    stamps = _checks.timestamps("actions", "timestamp", frame["timestamp"])
    data = pd.DataFrame({"user": frame["user"].to_numpy(), "application": frame["application"].to_numpy(),
                         "timestamp": stamps.to_numpy()})
    data = data.sort_values(["user", "application", "timestamp"], kind="stable", ignore_index=True)

    minute = np.timedelta64(60, "s")
    gap_limit = t.rule("session_inactivity_minutes") * minute
    max_length = t.rule("session_max_minutes") * minute
    times = data["timestamp"].to_numpy()
    new_key = np.ones(len(data), dtype=bool)
    new_key[1:] = ((data["user"].to_numpy()[1:] != data["user"].to_numpy()[:-1])
                   | (data["application"].to_numpy()[1:] != data["application"].to_numpy()[:-1]))
    gap = np.zeros(len(data), dtype="timedelta64[ns]")
    gap[1:] = times[1:] - times[:-1]
    starts = new_key | (gap > gap_limit)
    # The 60-minute cap depends on where the previous session began, so it is a
    # walk; it only matters inside runs that already last 60 minutes or more.
    run = np.cumsum(starts)
    run_start = times[np.flatnonzero(starts)][run - 1]
    long_run = (times - run_start) >= max_length
    if long_run.any():
        session_start = None
        for i in np.flatnonzero(np.isin(run, np.unique(run[long_run]))):
            if starts[i] or times[i] - session_start >= max_length:
                starts[i], session_start = True, times[i]
    session = np.cumsum(starts) - 1
    grouped = data.groupby(session, sort=False)
    out = pd.DataFrame({
        "user": grouped["user"].first().to_numpy(),
        "application": grouped["application"].first().to_numpy(),
        "start": grouped["timestamp"].min().to_numpy(),
        "end": grouped["timestamp"].max().to_numpy(),
        "actions": grouped.size().to_numpy(),
    })
    out["billable"] = out["actions"] >= t.rule("min_actions_per_session")
    return out


def billable_sessions(actions: pd.DataFrame, *, tables: TableSet | None = None) -> pd.DataFrame:
    """The billable sessions (two or more actions) among raw user actions.

    See :func:`sessions_from_actions` for the rules; returns its rows that are
    billable, without the ``billable`` column. ``len(result)`` is the count.

    Examples
    --------
    >>> actions = pd.DataFrame({"user": ["u"] * 4, "application": ["shop"] * 4,
    ...     "timestamp": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 10:10",
    ...                                  "2025-01-01 11:00", "2025-01-01 12:00"])})
    >>> len(billable_sessions(actions))   # 10:00-10:10 is one; 11:00 and 12:00 bounce
    1
    """
    sessions = sessions_from_actions(actions, tables=tables)
    return sessions[sessions["billable"]].drop(columns="billable").reset_index(drop=True)


def synthetic_dem(kind: Any, count: Any, *, tables: TableSet | None = None) -> Any:
    """DEM units of synthetic monitoring.

    Parameters
    ----------
    kind : {'browser', 'clickpath', 'http', 'third_party'}, array-like or pandas.Series
        Browser monitor or clickpath (per synthetic action), HTTP monitor (per
        request) or third-party synthetic API (per result); one kind, or one per
        row aligned with ``count``.
    count : float, array-like or pandas.Series
        Synthetic actions, requests or results.

    Returns
    -------
    [DEM units].

    Examples
    --------
    >>> synthetic_dem("clickpath", clickpath_actions(3, 15, 2))   # Supplement: 576 actions
    576.0
    >>> synthetic_dem(["http", "browser"], [10, 10])
    array([ 1., 10.])
    """
    t = resolve(tables)
    kinds = tuple(SYNTHETIC_KINDS)
    (n, codes), shape = _checks.broadcast(count=_checks.numbers_in("count", count),
                                          kind=_checks.categories_in("kind", kind, kinds))
    weights = np.array([t.weight("dem_weights", SYNTHETIC_KINDS[k]) for k in kinds])
    return shape(np.round(n * weights[codes], _decimals(t)))


def _per_day(per_run: Any, per_run_name: str, frequency_minutes: Any, locations: Any,
             days: Any, tables: TableSet | None) -> Any:
    (each, freq, where, span), shape = _checks.broadcast(**{
        per_run_name: _checks.numbers_in(per_run_name, per_run),
        "frequency_minutes": _checks.numbers_in("frequency_minutes", frequency_minutes,
                                                strict=True),
        "locations": _checks.numbers_in("locations", locations, integer=True),
        "days": _checks.numbers_in("days", days)})
    return shape(np.round(each * (24 * 60 / freq) * where * span, _decimals(resolve(tables))))


def clickpath_actions(actions_per_run: Any, frequency_minutes: Any, locations: Any,
                      days: Any = 1, *, tables: TableSet | None = None) -> Any:
    """Synthetic actions of a browser monitor or clickpath.

    ``actions_per_run x (24 x 60 / frequency_minutes) x locations x days``; a run
    frequency that does not divide a day gives a fractional run count, as the
    ruling's formula does.

    Parameters
    ----------
    actions_per_run : interactions that trigger a web request, per run
    frequency_minutes : minutes between runs [min], > 0
    locations : locations the monitor runs from
    days : days [d], default 1

    Examples
    --------
    >>> clickpath_actions(3, 15, 2)      # Supplement: 3 x (60/15) x 2 x 24
    576.0
    """
    return _per_day(actions_per_run, "actions_per_run", frequency_minutes, locations, days,
                    tables)


def http_requests(requests_per_run: Any, frequency_minutes: Any, locations: Any,
                  days: Any = 1, *, tables: TableSet | None = None) -> Any:
    """Synthetic requests of an HTTP monitor (same run arithmetic as a clickpath).

    Examples
    --------
    >>> http_requests(2, 5, 3)           # 2 x 288 runs x 3 locations
    1728.0
    """
    return _per_day(requests_per_run, "requests_per_run", frequency_minutes, locations, days,
                    tables)


def third_party_results(locations: Any, steps: Any, ingestions: Any = 1) -> Any:
    """Third-party synthetic results: locations x steps x ingestions.

    Examples
    --------
    >>> third_party_results(2, 3)        # Supplement: 2 locations x 3 steps
    6.0
    """
    (where, step, times), shape = _checks.broadcast(
        locations=_checks.numbers_in("locations", locations, integer=True),
        steps=_checks.numbers_in("steps", steps, integer=True),
        ingestions=_checks.numbers_in("ingestions", ingestions, integer=True))
    return shape(where * step * times)
