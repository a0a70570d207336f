"""Reading what the Dynatrace API, or its exports, return: hosts from the
entities call, daily data points from the metrics API (its JSON or its CSV),
and their monthly figures with the days that have no data.

Hosts ("Monitored entities API - GET entities list"): every host seen in the
window, with ``fields=+firstSeenTms,+lastSeenTms,...``. A host's
``memoryTotal`` [bytes] / 1024**3 is its ``ram_gib`` and its
``monitoringMode`` its mode; a host without a OneAgent in full-stack or
infrastructure mode, or without ``memoryTotal``, is skipped with the reason.

Planner's choices, where the sources are silent:

* A series whose dimensions carry a ``Type`` key keeps only ``Billed``; a series
  without one is taken as billed.
* A data point's timestamp ends its time slot (metrics API docs), so a daily
  point belongs to the day before its timestamp's last millisecond.
* A day without a value is a gap from the metric's first day with data on; a
  month's figure is its average over the days with data times the days it
  should have had, and the summary lists the gaps per metric.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner import _checks
from planner.imports.errors import BaselineError
from planner.imports.metrics import METRICS

__all__ = ["GIB", "MODES", "hosts_from_entities", "daily_from_series", "daily_from_csv", "empty_daily",
           "monthly_from_daily"]

GIB = 1024 ** 3                 # memoryTotal is in bytes
MODES = {"FULL_STACK": "fullstack", "INFRASTRUCTURE": "infrastructure"}


def hosts_from_entities(entities: Any, what: str = "entities") -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Hosts from the entities API (``GET /api/v2/entities``, type HOST).

    Parameters
    ----------
    entities : list of dict
        The ``entities`` of every page: ``entityId``, ``displayName``,
        ``properties.memoryTotal`` [bytes], ``properties.monitoringMode``.

    Returns
    -------
    hosts : DataFrame
        ``host`` (display name; made unique with the entity id), ``entity_id``,
        ``ram_gib`` [GiB], ``mode``, ``first_seen_ms`` and ``last_seen_ms``
        [UTC ms] (``firstSeenTms``/``lastSeenTms``; NaN where the entity has none).
    skipped : list of (host, reason)
        Hosts without a OneAgent in full-stack or infrastructure mode or without
        ``memoryTotal``: they consume no host units the planner can compute.
    """
    if not isinstance(entities, list):
        raise BaselineError(f"{what}: expected a list of entities; got {type(entities).__name__}")
    rows, skipped = [], []
    for i, entity in enumerate(entities):
        if not isinstance(entity, dict) or not isinstance(entity.get("entityId"), str):
            raise BaselineError(f"{what}: entity {i} has no field 'entityId'")
        entity_id = entity["entityId"]
        name = str(entity.get("displayName") or entity_id)
        props = entity.get("properties") or {}
        mode = MODES.get(str(props.get("monitoringMode", "")).upper())
        memory = props.get("memoryTotal")
        if mode is None:
            skipped.append((name, f"monitoringMode {props.get('monitoringMode')!r} (not full-stack or infrastructure)"))
        elif isinstance(memory, bool) or not isinstance(memory, (int, float)) or not memory > 0:
            skipped.append((name, f"no memoryTotal (got {memory!r})"))
        else:
            rows.append({"host": name, "entity_id": entity_id, "ram_gib": float(memory) / GIB, "mode": mode,
                         **{column: _seen(entity, key, what, i) for column, key in _SEEN.items()}})
    frame = pd.DataFrame(rows, columns=["host", "entity_id", "ram_gib", "mode", *_SEEN])
    twice = frame["host"].duplicated(keep=False)
    frame.loc[twice, "host"] = frame.loc[twice, "host"] + " (" + frame.loc[twice, "entity_id"] + ")"
    return frame.reset_index(drop=True), skipped


_SEEN = {"first_seen_ms": "firstSeenTms", "last_seen_ms": "lastSeenTms"}


def _seen(entity: dict[str, Any], key: str, what: str, i: int) -> float:
    value = entity.get(key)
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise BaselineError(f"{what}: entity {i} ({entity.get('entityId')}): {key} must be a time in UTC "
                            f"milliseconds; got {value!r}")
    return float(value)


# --- metric data points ------------------------------------------------------------------------

def _app(dimensions: dict[str, Any]) -> str:
    """The application of a series: the name if the query added one, else its id."""
    for key, value in dimensions.items():
        if key.startswith("dt.entity.") and not key.endswith(".name"):
            return str(dimensions.get(f"{key}.name") or value)
    return ""


def _billed(dimensions: dict[str, Any]) -> bool:
    for key, value in dimensions.items():
        if key.lower() == "type":
            return str(value).lower() == "billed"
    return True


def _days(timestamps_ms: Iterable[Any]) -> pd.PeriodIndex:
    # a timestamp ends its slot: the slot's day is that of the millisecond before
    stamps = pd.to_datetime(np.asarray(list(timestamps_ms), dtype="int64") - 1, unit="ms")
    return stamps.to_period("D")


def daily_from_series(key: str, series: list[dict[str, Any]], what: str | None = None) -> pd.DataFrame:
    """Data points of one metric from the metrics API's ``result[].data[]``.

    Returns
    -------
    DataFrame
        ``metric``, ``app`` (application or ''), ``day`` (Period), ``value``;
        null values are left out.
    """
    what = what or f"metrics {key}"
    frames = []
    for i, item in enumerate(series):
        if not isinstance(item, dict) or not isinstance(item.get("timestamps"), list) \
                or not isinstance(item.get("values"), list):
            raise BaselineError(f"{what}: series {i} has no lists 'timestamps' and 'values'")
        if len(item["timestamps"]) != len(item["values"]):
            raise BaselineError(f"{what}: series {i} has {len(item['timestamps'])} timestamps but "
                               f"{len(item['values'])} values")
        dims = item.get("dimensionMap") or {}
        if not isinstance(dims, dict):
            raise BaselineError(f"{what}: series {i}: 'dimensionMap' is not an object")
        if not _billed(dims):
            continue
        pairs = [(t, v) for t, v in zip(item["timestamps"], item["values"]) if v is not None]
        bad = [p for p in pairs if isinstance(p[0], bool) or not isinstance(p[0], (int, float))
               or isinstance(p[1], bool) or not isinstance(p[1], (int, float)) or not math.isfinite(p[1])]
        if bad:
            raise BaselineError(f"{what}: series {i}: data point {bad[0]!r} is not (timestamp [ms], number)")
        if pairs:
            frames.append(pd.DataFrame({"metric": key, "app": _app(dims),
                                        "day": _days(p[0] for p in pairs),
                                        "value": [float(p[1]) for p in pairs]}))
    return pd.concat(frames, ignore_index=True) if frames else empty_daily()


def empty_daily() -> pd.DataFrame:
    """Data points with none in them: the columns of :func:`daily_from_series`."""
    return pd.DataFrame({"metric": pd.Series(dtype=object), "app": pd.Series(dtype=object),
                         "day": pd.PeriodIndex([], freq="D"), "value": pd.Series(dtype=float)})


def daily_from_csv(path: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """Data points from the metrics API's CSV (``Accept: text/csv; header=present``).

    Columns ``metricId``, the metric's dimensions, ``time``
    (``YYYY-MM-DD HH:MM:SS``, UTC, the end of the slot) and ``value``. A
    ``metricId`` with transformations (``key:fold``) counts as its key.

    Returns
    -------
    daily : DataFrame (as :func:`daily_from_series`)
    unknown : list of str
        metricIds in the file that the import does not use.
    """
    label = str(path)
    frame = _checks.text_csv(path, label, BaselineError)
    missing = [c for c in ("metricId", "time", "value") if c not in frame.columns]
    if missing:
        raise BaselineError(f"{label}: missing column(s) {', '.join(missing)}; the metrics API's CSV has "
                           f"metricId, the dimensions, time and value; found: {', '.join(frame.columns)}")
    keys = frame["metricId"].map(_known_key)
    unknown = sorted(set(frame.loc[keys.isna(), "metricId"]))
    frame = frame[keys.notna() & (frame["value"].str.strip() != "")].assign(metric=keys)
    times = pd.to_datetime(frame["time"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    values = pd.to_numeric(frame["value"], errors="coerce")
    for column, parsed, allowed in (("time", times, "YYYY-MM-DD HH:MM:SS"), ("value", values, "a number")):
        bad = parsed.isna() | (~np.isfinite(parsed) if column == "value" else False)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise BaselineError(f"{label}: row {int(frame.index[row]) + 2}, column {column!r}: "
                               f"{frame[column].iloc[row]!r} is not {allowed}")
    dims = [c for c in frame.columns if c not in ("metricId", "time", "value", "metric")]
    keep = np.ones(len(frame), dtype=bool)          # as _billed: a Type column keeps Billed (or blank)
    for column in (c for c in dims if c.lower() == "type"):
        text = frame[column].str.strip().str.lower()
        keep &= ((text == "") | (text == "billed")).to_numpy()
    apps = pd.Series("", index=frame.index, dtype=object)   # as _app: the first entity column wins
    for column in reversed([c for c in dims if c.startswith("dt.entity.") and not c.endswith(".name")]):
        named = frame[f"{column}.name"] if f"{column}.name" in frame else frame[column]
        apps = named.where(named != "", frame[column]).where(frame[column] != "", apps)
    stamps = times - pd.Timedelta(milliseconds=1)
    out = pd.DataFrame({"metric": frame["metric"].to_numpy(), "app": apps.to_numpy(),
                        "day": stamps.dt.to_period("D").to_numpy(), "value": values.to_numpy(dtype=float)})
    out = out[keep]
    return (out.reset_index(drop=True) if len(out) else empty_daily()), unknown


def _known_key(metric_id: str) -> str | None:
    for key in METRICS:
        if metric_id == key or metric_id.startswith(key + ":"):
            return key
    return None


def monthly_from_daily(daily: pd.DataFrame, months: pd.PeriodIndex) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per metric, application and month inside the window: the average over the
    days that have data, times the days the month should have had data.

    A day without a value (null in the metrics API, an empty cell in its CSV)
    is a gap when it falls on or after the metric's first day with data: the
    days before that are before the metric was in use. A month's figure is
    ``sum x expected days / days with data``, so a gap neither lowers the month
    nor is read as a fall in use.

    Returns
    -------
    monthly : DataFrame
        ``metric``, ``app``, ``month``, ``value`` [the metric's unit per month].
    gaps : DataFrame
        ``metric``, ``days_without_data``, ``first_gap``, ``months`` (text): one
        row per metric with a gap.
    """
    empty_gaps = pd.DataFrame(columns=["metric", "days_without_data", "first_gap", "months"])
    if daily.empty:
        return pd.DataFrame(columns=["metric", "app", "month", "value"]), empty_gaps
    day = pd.PeriodIndex(daily["day"])
    month = day.asfreq("M")
    inside = month.isin(months)
    frame = daily[inside].assign(month=month[inside])
    if frame.empty:
        return pd.DataFrame(columns=["metric", "app", "month", "value"]), empty_gaps
    sums = frame.groupby(["metric", "app", "month"], as_index=False, sort=True)["value"].sum()
    window = pd.period_range(months[0].start_time, months[-1].end_time, freq="D")
    scale, gaps = {}, []
    for metric, days in frame.groupby("metric", sort=True)["day"]:
        have = pd.PeriodIndex(days.unique())
        expected = window[window >= have.min()]
        missing = expected[~expected.isin(have)]
        for m in pd.PeriodIndex(have.asfreq("M").unique()):
            due = int((expected.asfreq("M") == m).sum())
            scale[metric, m] = due / int((have.asfreq("M") == m).sum())
        if len(missing):
            per_month = pd.Series(missing.asfreq("M")).value_counts(sort=False).sort_index()
            gaps.append({"metric": metric, "days_without_data": len(missing), "first_gap": str(missing[0]),
                         "months": ", ".join(f"{m} ({n} of {m.days_in_month} days)" for m, n in per_month.items())})
    factor = np.array([scale[m, p] for m, p in zip(sums["metric"], sums["month"])], dtype=float)
    sums["value"] = sums["value"].to_numpy(dtype=float) * factor
    return sums, (pd.DataFrame(gaps, columns=empty_gaps.columns) if gaps else empty_gaps)
