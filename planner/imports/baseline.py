"""A baseline from what an environment really uses: hosts + billing metrics ->
``hosts.csv``, ``actuals.csv`` and ``scenario.yaml``.

``planner import dynatrace`` reads a live environment (:mod:`planner.imports.dynatrace`);
``planner import files`` reads the same data from exports: the JSON of the
entities call and the metrics API's CSV (``Accept: text/csv; header=present``).
Both end here:

* ``hosts.csv``: one row per host with a OneAgent in full-stack or
  infrastructure mode that still runs at the end of the window: ``host``,
  ``ram_gib`` (``memoryTotal`` [bytes] / 1024**3) and ``mode``. Host units come
  from :func:`planner.host_units`.
* ``actuals.csv``: tidy monthly consumption, ``month``, ``unit``, ``capability``,
  ``driver``, ``value``: DDU as reported, DEM converted from sessions, properties
  and synthetic counts with the calculators (:mod:`planner.dem`), Grail DDU from
  bytes (:func:`planner.grail_ddu`), and per month the host-unit hours each host
  ran and the most host units that ran at once, from the hosts' seen times.
* ``scenario.yaml``: loads with :func:`planner.scenario.load_scenario` as it is.
  Its contract starts the month after the last imported month, for one year, with
  no pools (commented lines show where they go). Growth is calibrated per
  driver (:mod:`planner.imports.calibrate`).

Metric sources ("Built-in classic metrics",
https://docs.dynatrace.com/docs/shortlink/built-in-metrics, section "Billing"):

* ``builtin:billing.ddu.{metrics,log,events,traces,serverless}.total``: DDU of
  each pool, summed over all entities (no unit column: DDU).
* ``builtin:billing.apps.web.sessionsWithReplayByApplication`` and
  ``...web.sessionsWithoutReplayByApplication``: sessions with / without
  Session Replay, "billed and unbilled; to get only the number of billed
  sessions, set the Type filter to Billed".
* ``builtin:billing.apps.mobile.sessionsWithReplayByApplication``: mobile
  sessions with replay; ``...mobile.sessionsWithoutReplayByApplication``: "the
  total number of ... user sessions (with and without Session Replay data)", so
  mobile sessions without replay = that total - the replay sessions.
* ``builtin:billing.apps.custom.sessionsWithoutReplayByApplication``: "the
  number of billed and unbilled user sessions" of custom applications (they
  have no Session Replay), weighed as a Real User Monitoring Session (the
  Supplement's table names web and mobile sessions; planner's choice).
* ``builtin:billing.apps.web.userActionPropertiesByApplication``,
  ``...mobile.userActionPropertiesByMobileApplication`` and
  ``...custom.userActionPropertiesByDeviceApplication``: "the number of billed
  user action and user session properties" (those above the free 20).
* The per-application metrics are asked for with the ``:names`` transformation
  ("Metrics API - Metric selector"), which adds ``dt.entity.<type>.name`` beside
  each application's id; the scenario's RUM entries carry those names.

Hosts ("Monitored entities API - GET entities list"): every host seen in the
window, with ``fields=+firstSeenTms,+lastSeenTms,...``. A host ran from its
``firstSeenTms`` (or the window's start) to its ``lastSeenTms`` (or the
window's end, if it was last seen within two hours of it).
* ``builtin:billing.synthetic.actions`` (browser monitors), ``.requests`` (HTTP
  monitors), ``.external`` (third-party results): counts.
* ``builtin:billing.log.{ingest,query,retain}.usage``: Grail Log Management and
  Analytics, bytes ingested / read within the hour, and bytes stored (averaged).

Planner's choices, where the sources are silent:

* A series whose dimensions carry a ``Type`` key keeps only ``Billed``; a series
  without one is taken as billed.
* A data point's timestamp ends its time slot (metrics API docs), so a daily
  point belongs to the day before its timestamp's last millisecond.
* Grail bytes are GB at 10**9 bytes (the Supplement prices per GB).
* Custom-metric DDU cannot be told apart per host by the total metric (which
  counts only what is billed, above the hosts' included metrics), so they are
  a driver of their own, a ``custom_metrics`` source of data points a minute,
  with their own growth.
* A host that stops and starts again under the same entity counts as running
  in between (the entity's seen times are all the API gives for it).
* A day without a value is a gap from the metric's first day with data on; a
  month's figure is its average over the days with data times the days it
  should have had, and the summary lists the gaps per metric.
* The hosts driver gets growth only when the fitted trend of the host-unit
  hours a day is clear (its 80 % interval excludes no change): a fleet moves in
  steps, and a retirement read as a trend would shrink every forecast month.
* Synthetic counts become one monitor per kind that runs once a day from one
  location, with ``per_run`` = the daily average.
* Sessions per month are fitted and written per average month (365.25 / 12
  days), daily volumes per day, so that month lengths do not read as growth.
* A scenario's start levels are the fitted value one month after the last
  imported month (with growth), else the last month's value.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from planner import _checks, ddu, dem, hosts
from planner.export import write_csv
from planner.fields import GROWTH_BOUNDS
from planner.imports.calibrate import Fit, fit_growth
from planner.imports.tags import COST_TAGS, with_cost_tags
from planner.tableset import TableSet, resolve

__all__ = ["METRICS", "Metric", "Baseline", "BaselineError", "month_window", "hosts_from_entities", "daily_from_series",
           "daily_from_csv", "build", "write", "import_dynatrace", "import_files"]

GIB = 1024 ** 3                 # memoryTotal is in bytes
_AVERAGE_MONTH = 365.25 / 12   # [days]
# monthly growth rates a scenario accepts (planner.fields.growth): above -99 %, at most 100 %
_LOWEST_RATE, _HIGHEST_RATE = GROWTH_BOUNDS["monthly"]
GB = 10 ** 9                    # Grail usage metrics are in bytes; the Supplement prices per GB
_HOUR_MS = 3_600_000
#: A host last seen this close to the window's end [ms] is running at its end
#: (lastSeenTms is refreshed while a host reports, not every millisecond).
_STILL_RUNNING_MS = 2 * _HOUR_MS
MODES = {"FULL_STACK": "fullstack", "INFRASTRUCTURE": "infrastructure"}


@dataclass(frozen=True)
class Metric:
    """One classic billing metric: what it counts and where it goes."""

    key: str
    kind: str            # ddu | replay | plain | all_sessions | properties | synthetic | grail
    what: str            # capability or sub-kind


METRICS: dict[str, Metric] = {m.key: m for m in (
    Metric("builtin:billing.ddu.metrics.total", "ddu", "custom_metrics"),
    Metric("builtin:billing.ddu.log.total", "ddu", "log_monitoring"),
    Metric("builtin:billing.ddu.events.total", "ddu", "custom_events"),
    Metric("builtin:billing.ddu.traces.total", "ddu", "custom_traces"),
    Metric("builtin:billing.ddu.serverless.total", "ddu", "serverless"),
    Metric("builtin:billing.apps.web.sessionsWithReplayByApplication", "replay", "web"),
    Metric("builtin:billing.apps.web.sessionsWithoutReplayByApplication", "plain", "web"),
    Metric("builtin:billing.apps.mobile.sessionsWithReplayByApplication", "replay", "mobile"),
    Metric("builtin:billing.apps.mobile.sessionsWithoutReplayByApplication", "all_sessions", "mobile"),
    Metric("builtin:billing.apps.web.userActionPropertiesByApplication", "properties", "web"),
    Metric("builtin:billing.apps.mobile.userActionPropertiesByMobileApplication", "properties", "mobile"),
    Metric("builtin:billing.apps.custom.sessionsWithoutReplayByApplication", "plain", "custom"),
    Metric("builtin:billing.apps.custom.userActionPropertiesByDeviceApplication", "properties", "custom"),
    Metric("builtin:billing.synthetic.actions", "synthetic", "browser"),
    Metric("builtin:billing.synthetic.requests", "synthetic", "http"),
    Metric("builtin:billing.synthetic.external", "synthetic", "third_party"),
    Metric("builtin:billing.log.ingest.usage", "grail", "ingest"),
    Metric("builtin:billing.log.query.usage", "grail", "query"),
    Metric("builtin:billing.log.retain.usage", "grail", "retain"),
)}

# per DDU pool: its metric, scenario section, driver name, volume field and DDU per unit of it
_DDU_SECTIONS = {
    "log_monitoring": ("builtin:billing.ddu.log.total", "log_monitoring", "log-monitoring", "events_per_day",
                       lambda t: ddu.log_monitoring_ddu(1, tables=t)),
    "custom_events": ("builtin:billing.ddu.events.total", "custom_events", "custom-events", "events_per_day",
                      lambda t: ddu.custom_event_ddu(1, tables=t)),
    "custom_traces": ("builtin:billing.ddu.traces.total", "traces", "custom-traces", "spans_per_day",
                      lambda t: ddu.custom_trace_ddu(1, tables=t)),
    "serverless": ("builtin:billing.ddu.serverless.total", "serverless", "serverless", "invocations_per_day",
                   lambda t: ddu.serverless_ddu(1, tables=t)),
}
_ACTUAL_COLUMNS = ["month", "unit", "capability", "driver", "value"]
#: Metric kinds counted per application: queried with the ``:names`` transformation.
_APP_KINDS = ("replay", "plain", "all_sessions", "properties")


class BaselineError(ValueError):
    """Input that cannot be imported; the message names the file, call or field."""


# --- months ---------------------------------------------------------------------------------

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
        last = _to_month(to)
        if last >= current:
            raise BaselineError(f"--to {to}: that month is not over yet; the last complete month is {current - 1}")
    return pd.period_range(end=last, periods=months, freq="M")


def _to_month(to: str) -> pd.Period:
    """``--to`` as a month, or an error saying what it must be."""
    try:
        return _checks.month(to)
    except (ValueError, TypeError):
        raise BaselineError(f"--to must be a month YYYY-MM; got {to!r}") from None


def _ms(period: pd.Period) -> int:
    return int(period.start_time.value // 1_000_000)


# --- hosts ----------------------------------------------------------------------------------

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
    return pd.concat(frames, ignore_index=True) if frames else _empty_daily()


def _empty_daily() -> pd.DataFrame:
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
    return (out.reset_index(drop=True) if len(out) else _empty_daily()), unknown


def _known_key(metric_id: str) -> str | None:
    for key in METRICS:
        if metric_id == key or metric_id.startswith(key + ":"):
            return key
    return None


def _monthly(daily: pd.DataFrame, months: pd.PeriodIndex) -> tuple[pd.DataFrame, pd.DataFrame]:
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


# --- building the outputs ----------------------------------------------------------------------

@dataclass
class Baseline:
    """What an import writes, and its summary."""

    hosts: pd.DataFrame                        # hosts.csv
    actuals: pd.DataFrame                      # actuals.csv
    scenario: str                              # scenario.yaml
    months: pd.PeriodIndex
    skipped_metrics: list[tuple[str, str]] = field(default_factory=list)
    skipped_hosts: list[tuple[str, str]] = field(default_factory=list)
    host_check: pd.DataFrame | None = None     # host_unit_check.csv
    notes: list[str] = field(default_factory=list)
    fleet: pd.DataFrame | None = None          # hosts, host-unit hours and peak host units per month
    gaps: pd.DataFrame | None = None           # days without data per metric
    written: list[tuple[str, int]] = field(default_factory=list)   # (file, rows), set by write()

    def summary(self) -> dict[str, pd.DataFrame]:
        """Tables for the command's output."""
        tables = {}
        a = self.actuals
        if len(a):
            from planner.units import UNITS
            monthly = a.groupby(["unit", "month"], sort=False)["value"].sum().reset_index()
            per_unit = monthly.groupby("unit", sort=False).agg(months=("month", "nunique"), total=("value", "sum"),
                                                               highest=("value", "max"))
            peak = [UNITS[u].kind == "peak" for u in per_unit.index]
            per_unit["total"] = per_unit["total"].where(~np.array(peak), per_unit["highest"])   # peaks do not add up
            last = monthly[monthly["month"] == str(self.months[-1])].set_index("unit")["value"]
            per_unit[f"in {self.months[-1]}"] = last.reindex(per_unit.index)
            tables["actual consumption per unit"] = (per_unit.drop(columns="highest").fillna(0)
                                                     .rename(columns={"total": "total (peaks: highest month)"})
                                                     .reset_index())
        if self.fleet is not None:
            tables["hosts per month"] = self.fleet
        tables["skipped metrics"] = pd.DataFrame(self.skipped_metrics, columns=["metric", "reason"])
        if self.gaps is not None and len(self.gaps):
            tables["days without data (months averaged over the days with data)"] = self.gaps
        if self.skipped_hosts:
            tables["skipped hosts"] = pd.DataFrame(self.skipped_hosts, columns=["host", "reason"])
        if self.host_check is not None:
            differ = self.host_check[self.host_check["differs"]]
            tables["hosts whose host units differ from Dynatrace's"] = differ.drop(columns="differs")
        return tables


class _Drivers:
    """Scenario entries per section, with a comment line each."""

    def __init__(self) -> None:
        self.sections: dict[str, list[tuple[dict[str, Any], str]]] = {}

    def add(self, section: str, entry: dict[str, Any], comment: str,
            growth: dict[str, Any] | None = None) -> None:
        """Add an entry, with its calibrated ``growth`` where there is one."""
        self.sections.setdefault(section, []).append(({**entry, "growth": growth} if growth else entry, comment))


def _growth(values: list[float], label: str) -> tuple[Fit | None, dict[str, Any] | None, str]:
    """Calibrated growth for a scenario entry and its comment."""
    fit = fit_growth(values)
    if fit is None:
        months = int(np.sum(np.asarray(values, dtype=float) > 0))
        return None, None, f"{label}: no growth: {months} month(s) of history, 3 are needed for a fit"
    if not _LOWEST_RATE < fit.rate <= _HIGHEST_RATE:
        return None, None, (f"{label}: no growth: the fitted {fit.rate:+.0%} a month over {fit.months} months "
                            "is outside what a scenario accepts (above -99 %, at most 100 % a month)")
    half = min((fit.high - fit.low) / 2, _HIGHEST_RATE - fit.rate, fit.rate - _LOWEST_RATE)
    rate = round(fit.rate, 6)
    if half < 5e-7:
        growth: dict[str, Any] = {"monthly": rate}
    else:   # centred on the fitted rate, so a single run uses it exactly
        growth = {"monthly": [round(fit.rate - half, 6), round(fit.rate + half, 6)]}
    return fit, growth, (f"{label}: growth fitted over {fit.months} months: {fit.rate:+.2%} a month, "
                         f"80 % interval {fit.low:+.2%} to {fit.high:+.2%}")


def _start(values: list[float], fit: Fit | None) -> float:
    """Level the forecast starts from: fitted next month, else the last month."""
    return fit.next_value if fit is not None else float(values[-1])


def _series(monthly: pd.DataFrame, key: str, months: pd.PeriodIndex, app: str | None = None) -> np.ndarray:
    rows = monthly[(monthly["metric"] == key) & ((monthly["app"] == app) if app is not None else True)]
    sums = rows.groupby("month")["value"].sum()
    return sums.reindex(months, fill_value=0.0).to_numpy(dtype=float)


def _per_day(values: np.ndarray, months: pd.PeriodIndex) -> np.ndarray:
    return values / np.asarray(months.days_in_month, dtype=float)


def _rows(actuals: list[dict[str, Any]], months: pd.PeriodIndex, unit: str, capability: str, driver: str,
          values: np.ndarray) -> None:
    for month, value in zip(months, values):
        if value:
            actuals.append({"month": str(month), "unit": unit, "capability": capability, "driver": driver,
                            "value": round(float(value), 9)})


def _rum(monthly: pd.DataFrame, months: pd.PeriodIndex, t: TableSet, drivers: _Drivers,
         actuals: list[dict[str, Any]]) -> None:
    free = t.rule("free_defined_properties")
    property_dem = t.weight("dem_weights", "defined_property")
    keys = {(m.what, m.kind): m.key for m in METRICS.values() if m.kind in _APP_KINDS}
    names: set[str] = set()
    for platform in ("web", "mobile", "custom"):
        used = [k for (p, _), k in keys.items() if p == platform]
        for app in sorted(set(monthly.loc[monthly["metric"].isin(used), "app"])):
            replay = _series(monthly, keys[platform, "replay"], months, app) if (platform, "replay") in keys \
                else np.zeros(len(months))            # custom applications have no Session Replay
            if (platform, "all_sessions") in keys:    # the mobile "without replay" metric counts every session
                plain = np.maximum(_series(monthly, keys[platform, "all_sessions"], months, app) - replay, 0.0)
            else:
                plain = _series(monthly, keys[platform, "plain"], months, app)
            props = _series(monthly, keys[platform, "properties"], months, app)
            name = app or f"{platform}-applications"
            name = name if name not in names else f"{name} ({platform})"   # driver names are unique
            names.add(name)
            _rows(actuals, months, "dem", "rum_sessions", name, dem.rum_dem(plain, tables=t))
            _rows(actuals, months, "dem", "session_replay", name, dem.rum_dem(replay, replay=True, tables=t))
            _rows(actuals, months, "dem", "defined_properties", name, np.round(props * property_dem, 9))
            total = plain + replay
            if not total.any():
                continue
            # per average month (365.25 / 12 days), so that month lengths are not read as growth
            level = _per_day(total, months) * _AVERAGE_MONTH
            fit, growth, note = _growth(list(level), name)
            last = int(np.flatnonzero(total)[-1])
            extra = round(props[last] / total[last])
            entry = {"name": name, "sessions_per_month": round(_start(list(level), fit), 3),
                     "replay_share": round(replay[last] / total[last], 6),
                     "properties_per_session": int(free + extra) if extra > 0 else 0}
            drivers.add("rum", entry, f"{platform} application; {note}; replay share and properties "
                                      f"per session ({props[last] / total[last]:.3f} billed above the free "
                                      f"{free}, rounded) from {months[last]}", growth=growth)


def _synthetic(monthly: pd.DataFrame, months: pd.PeriodIndex, t: TableSet, drivers: _Drivers,
               actuals: list[dict[str, Any]]) -> None:
    for metric in (m for m in METRICS.values() if m.kind == "synthetic"):
        counts = _series(monthly, metric.key, months)
        if not counts.any():
            continue
        name = f"synthetic-{metric.what.replace('_', '-')}"
        _rows(actuals, months, "dem", f"synthetic_{metric.what}", name, dem.synthetic_dem(metric.what, counts, tables=t))
        daily = _per_day(counts, months)
        fit, growth, note = _growth(list(daily), name)
        entry = {"name": name, "kind": metric.what, "per_run": round(_start(list(daily), fit), 6),
                 "frequency_minutes": 1440, "locations": 1}
        drivers.add("synthetic", entry, f"all {metric.key} as one monitor run once a day "
                                        f"(per_run = the daily average); {note}", growth=growth)


def _ddu_pools(monthly: pd.DataFrame, months: pd.PeriodIndex, t: TableSet, drivers: _Drivers,
               actuals: list[dict[str, Any]]) -> None:
    for capability, (key, section, name, volume, weight) in _DDU_SECTIONS.items():
        values = _series(monthly, key, months)
        if not values.any():
            continue
        _rows(actuals, months, "ddu", capability, name, values)
        daily = _per_day(values, months)
        fit, growth, note = _growth(list(daily), name)
        entry = {"name": name, volume: round(_start(list(daily), fit) / weight(t), 3)}
        if section == "custom_events":
            entry["kind"] = "kubernetes"      # a billed kind: the DDU were billed
        drivers.add(section, entry, f"from {key} (DDU per day / {weight(t):g} DDU per unit); {note}", growth=growth)


def _grail(monthly: pd.DataFrame, months: pd.PeriodIndex, t: TableSet, drivers: _Drivers,
           actuals: list[dict[str, Any]]) -> None:
    ingest = _series(monthly, "builtin:billing.log.ingest.usage", months) / GB
    query = _series(monthly, "builtin:billing.log.query.usage", months) / GB
    stored = _series(monthly, "builtin:billing.log.retain.usage", months) / GB   # GB-days per month
    if not (ingest.any() or query.any() or stored.any()):
        return
    name = "logs"
    for dimension, values in (("ingest", ingest), ("retain", stored), ("query", query)):
        ddus = ddu.grail_ddu(**{{"ingest": "ingest_gb", "retain": "retained_gb_days", "query": "query_gb"}[dimension]: values},
                             tables=t)
        _rows(actuals, months, "ddu", f"log_management_{dimension}", name, ddus)
    daily = _per_day(ingest, months)
    if not daily.any():
        return
    fit, growth, note = _growth(list(daily), name)
    last = int(np.flatnonzero(daily)[-1])
    factor = _start(list(daily), fit) / daily[-1] if daily[-1] else 1.0
    retention = max(1, round(stored[last] / months[last].days_in_month / daily[last]))
    entry = {"name": name, "capability": "log_management", "ingest_gb_per_day": round(_start(list(daily), fit), 6),
             "retention_days": int(retention), "query_gb_per_month": round(_per_day(query, months)[-1] * _AVERAGE_MONTH * factor, 6),
             "starts_full": True}
    drivers.add("grail", entry, f"Log Management and Analytics from builtin:billing.log.*.usage; retention_days "
                                f"= stored GB / GB ingested a day in {months[last]}; {note}", growth=growth)


@dataclass(frozen=True)
class _Fleet:
    """When each host ran in the window, from the entities' seen times."""

    host_units: np.ndarray          # [HU] per host
    hours: np.ndarray               # [h] per host and month
    running: np.ndarray             # bool per host: still running at the window's end
    peak: dict[str, np.ndarray]     # [HU] per mode: most host units running at once, per month
    peak_all: np.ndarray            # [HU] the same over all modes
    unseen: int                     # hosts without firstSeenTms/lastSeenTms (taken as running throughout)


def _fleet(host_frame: pd.DataFrame, months: pd.PeriodIndex, t: TableSet) -> _Fleet:
    """Each host's hours in each month: from ``firstSeenTms`` (or the window's
    start) to ``lastSeenTms`` (or the window's end). A host last seen within
    :data:`_STILL_RUNNING_MS` of the window's end is running at its end."""
    bounds = np.array([_ms(m) for m in months] + [_ms(months[-1] + 1)], dtype=float)
    first = host_frame["first_seen_ms"].to_numpy(dtype=float)
    last = host_frame["last_seen_ms"].to_numpy(dtype=float)
    running = np.isnan(last) | (last >= bounds[-1] - _STILL_RUNNING_MS)
    start = np.maximum(np.where(np.isnan(first), bounds[0], first), bounds[0])
    end = np.where(running, bounds[-1], np.minimum(last, bounds[-1]))
    lo, hi = np.maximum(start[:, None], bounds[None, :-1]), np.minimum(end[:, None], bounds[None, 1:])
    hours = np.clip(hi - lo, 0.0, None) / _HOUR_MS
    units = np.zeros(len(host_frame))
    for mode in hosts.MODES:
        here = (host_frame["mode"] == mode).to_numpy()
        if here.any():
            units[here] = hosts.host_units(host_frame.loc[here, "ram_gib"].to_numpy(), mode, tables=t)
    def peaks(here: np.ndarray) -> np.ndarray:
        return np.array([_most_at_once(lo[here, k], hi[here, k], units[here]) for k in range(len(months))])

    modes = host_frame["mode"].to_numpy()
    peak = {mode: peaks(modes == mode) for mode in hosts.MODES if (modes == mode).any()}
    unseen = int((np.isnan(first) | np.isnan(last)).sum())
    return _Fleet(units, hours, running, peak, peaks(np.ones(len(modes), dtype=bool)), unseen)


def _most_at_once(start: np.ndarray, end: np.ndarray, units: np.ndarray) -> float:
    """Most host units running at the same time [HU], from each host's running
    interval; a host that stops at the moment another starts does not overlap it."""
    keep = end > start
    times = np.concatenate([start[keep], end[keep]])
    steps = np.concatenate([units[keep], -units[keep]])
    order = np.lexsort((steps, times))            # at the same time, stops (negative) first
    return round(float(np.max(np.cumsum(steps[order]), initial=0.0)), 9)


def _hosts(host_frame: pd.DataFrame, months: pd.PeriodIndex, t: TableSet, drivers: _Drivers,
           actuals: list[dict[str, Any]], notes: list[str]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """hosts.csv (the hosts running at the window's end), each month's host-unit
    hours and peak host units, and the fleet per month for the summary."""
    inventory = host_frame[["host", "ram_gib", "mode", *(c for c in COST_TAGS.values() if c in host_frame)]].copy()
    if inventory.empty:
        return inventory, None
    fleet = _fleet(host_frame, months, t)
    served = np.zeros(len(months))
    for mode in hosts.MODES:
        here = (host_frame["mode"] == mode).to_numpy()
        if here.any():
            hours = (fleet.host_units[here, None] * fleet.hours[here]).sum(axis=0)
            served += hours
            _rows(actuals, months, "host_unit_hours", mode, "hosts", np.round(hours, 9))
            _rows(actuals, months, "host_units", mode, "hosts", fleet.peak[mode])
    if fleet.unseen:
        notes.append(f"{fleet.unseen} host(s) have no firstSeenTms/lastSeenTms: counted as running for the "
                     "whole window")
    inventory = inventory[fleet.running].reset_index(drop=True)
    if inventory.empty:
        notes.append(f"no host was running at the end of {months[-1]}: the scenario has no hosts")
    else:
        _hosts_driver(served, months, len(inventory), int((~fleet.running).sum()), drivers)
    table = pd.DataFrame({"month": [str(m) for m in months], "hosts": (fleet.hours > 0).sum(axis=0),
                          "host_unit_hours": np.round(served, 6), "peak_host_units": fleet.peak_all})
    return inventory, table


def _hosts_driver(served: np.ndarray, months: pd.PeriodIndex, running: int, stopped: int, drivers: _Drivers) -> None:
    """The hosts entry: hosts.csv, with growth only where the trend is clear."""
    fit, growth, note = _growth(list(_per_day(served, months)), "host-unit hours a day")
    if fit is not None and fit.low <= 0 <= fit.high:
        # a fleet moves in steps (hosts retired, a cluster added); a trend whose 80 % interval
        # includes no change would carry such a step into every forecast month
        growth, note = None, f"{note}; no growth applied: the interval includes no change"
    entry: dict[str, Any] = {"name": "hosts", "inventory": "hosts.csv"}
    drivers.add("hosts", entry, f"the {running} hosts running at the end of {months[-1]}, 24 h a day; each host's "
                                f"hours in each imported month come from its firstSeenTms/lastSeenTms "
                                f"({stopped} host(s) that stopped in the window are in actuals.csv only); {note}",
                growth=growth)


def _custom_metrics(monthly: pd.DataFrame, months: pd.PeriodIndex, t: TableSet, drivers: _Drivers,
                    actuals: list[dict[str, Any]]) -> None:
    """Custom-metric DDU as a driver of its own: the billed DDU a day as data
    points a minute beyond the hosts' included metrics, with its own growth."""
    key = "builtin:billing.ddu.metrics.total"
    values = _series(monthly, key, months)
    if not values.any():
        return
    name = "custom-metrics"
    _rows(actuals, months, "ddu", "custom_metrics", name, values)
    daily = _per_day(values, months)
    fit, growth, note = _growth(list(daily), name)
    weight = t.weight("ddu_weights", "custom_metric")
    per_minute = _start(list(daily), fit) / weight / (24 * 60)
    entry: dict[str, Any] = {"name": name, "metrics_per_minute": round(per_minute, 12)}
    drivers.add("custom_metrics", entry, f"from {key}: the billed DDU a day / {weight:g} DDU per data point / "
                                         f"1440 minutes, data points beyond the hosts' included metrics; {note}",
                growth=growth)


def _host_check(host_frame: pd.DataFrame, consumed: dict[str, float] | None, t: TableSet) -> pd.DataFrame | None:
    if consumed is None or host_frame.empty:
        return None
    frame = host_frame.copy()
    frame["planner_host_units"] = [float(hosts.host_units(r, m, tables=t)) for r, m in zip(frame["ram_gib"], frame["mode"])]
    frame["dynatrace_host_units"] = frame["entity_id"].map(consumed)
    frame = frame[frame["dynatrace_host_units"].notna()].copy()
    frame["difference"] = np.round(frame["planner_host_units"] - frame["dynatrace_host_units"], 9)
    frame["differs"] = frame["difference"].abs() > 1e-9
    return frame.reset_index(drop=True)


def build(host_frame: pd.DataFrame, daily: pd.DataFrame, months: pd.PeriodIndex, *, source: str,
          skipped_metrics: list[tuple[str, str]] | None = None,
          skipped_hosts: list[tuple[str, str]] | None = None,
          consumed: dict[str, float] | None = None, tables: TableSet | None = None) -> Baseline:
    """Turn hosts and daily metric data points into the three outputs.

    Parameters
    ----------
    host_frame : DataFrame
        From :func:`hosts_from_entities`.
    daily : DataFrame
        From :func:`daily_from_series` / :func:`daily_from_csv` (concatenated).
    months : PeriodIndex
        The imported months (:func:`month_window`).
    source : str
        Where the data came from, for the scenario's name (no secrets).
    consumed : dict, optional
        Dynatrace's own host units per host entity id (cross-check).
    """
    t = resolve(tables)
    monthly, gaps = _monthly(daily, months)
    drivers, actuals, notes = _Drivers(), [], []
    inventory, fleet = _hosts(host_frame, months, t, drivers, actuals, notes)
    _custom_metrics(monthly, months, t, drivers, actuals)
    _rum(monthly, months, t, drivers, actuals)
    _synthetic(monthly, months, t, drivers, actuals)
    _ddu_pools(monthly, months, t, drivers, actuals)
    _grail(monthly, months, t, drivers, actuals)
    if not drivers.sections:
        raise BaselineError(f"{source}: nothing to import: no hosts with a OneAgent and no billing data "
                           f"in {months[0]} to {months[-1]}")
    frame = pd.DataFrame(actuals, columns=_ACTUAL_COLUMNS).sort_values(
        ["month", "unit", "capability", "driver"], kind="stable", ignore_index=True)
    return Baseline(hosts=inventory, actuals=frame, scenario=_scenario_text(drivers, months, source),
                    months=months, skipped_metrics=list(skipped_metrics or []),
                    skipped_hosts=list(skipped_hosts or []), host_check=_host_check(host_frame, consumed, t),
                    notes=notes, fleet=fleet, gaps=gaps)


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers, for yaml.safe_dump."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value.item() if isinstance(value, np.generic) else value


def _flow(entry: dict[str, Any]) -> str:
    return yaml.safe_dump(_plain(entry), default_flow_style=True, sort_keys=False, width=10_000).strip()


def _scenario_text(drivers: _Drivers, months: pd.PeriodIndex, source: str) -> str:
    start = (months[-1] + 1).start_time.date()
    lines = [
        f"# Imported by planner from {source}, months {months[0]} to {months[-1]}.",
        "# Volumes start from the fitted level of the month after the last imported one (or the last",
        "# month's level where there is too little history to fit growth). actuals.csv holds what",
        "# was consumed; `planner backtest scenario.yaml actuals.csv` compares the model with it.",
        yaml.safe_dump({"name": f"Imported baseline ({months[0]} to {months[-1]})"}, width=10_000).strip(),
        "",
        "contract:",
        f"  start: {start}                  # the month after the last imported month",
        "  term_years: 1",
        "  # No pools yet. Fill in your contract's annual amounts and licences, e.g.:",
        "  # pools:",
        "  #   dem: {annual: 15_000_000, price: 0.012}",
        "  #   ddu: {annual: 40_000_000, price: 0.001}",
        "  #   host_unit_hours: {annual: 7_000_000}",
        "  # licences:",
        "  #   host_units: {quantity: 800}",
    ]
    for section, entries in drivers.sections.items():
        lines += ["", f"{section}:"]
        for entry, comment in entries:
            lines += [f"  # {comment}", f"  - {_flow(entry)}"]
    return "\n".join(lines) + "\n"


# --- writing: all or nothing -----------------------------------------------------------------------

def write(baseline: Baseline, out: str | Path, *, force: bool = False) -> list[tuple[str, int]]:
    """Write the outputs into ``out``: first into a temporary folder beside it,
    checked (the scenario must load), then renamed. A failure leaves no ``out``.

    The folder gets the permissions the user's umask gives a new folder (not
    the 0700 of a temporary one). A ``.partial`` folder that a killed run left
    beside ``out`` is removed first, but only one that holds this module's
    marker file naming a process on this machine that no longer runs.

    Returns
    -------
    list of (file, rows)
    """
    from planner.scenario import ScenarioError, load_scenario
    out = Path(out)
    if out.exists() and not force:
        raise BaselineError(f"{out} exists; add --force-out to replace it")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise BaselineError(f"{out}: the folder {parent} does not exist")
    _remove_stale_partials(parent, out.name)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=parent))
    try:
        (tmp / _MARKER).write_text(f"{socket.gethostname()}\n{os.getpid()}\n", encoding="utf-8")
        written = [("hosts.csv", len(baseline.hosts)), ("actuals.csv", len(baseline.actuals)), ("scenario.yaml", 1)]
        write_csv(baseline.hosts, tmp / "hosts.csv")
        write_csv(baseline.actuals, tmp / "actuals.csv")
        (tmp / "scenario.yaml").write_text(baseline.scenario, encoding="utf-8")
        if baseline.host_check is not None:
            write_csv(baseline.host_check, tmp / "host_unit_check.csv")
            written.append(("host_unit_check.csv", len(baseline.host_check)))
        try:
            load_scenario(tmp / "scenario.yaml")        # what we wrote must load as it is
        except ScenarioError as exc:
            raise BaselineError(f"{str(exc).replace(str(tmp), str(out))} (nothing was written)") from None
        (tmp / _MARKER).unlink()
        os.chmod(tmp, 0o777 & ~_umask())
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            os.rename(out, old / out.name)
            os.rename(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return written


_MARKER = ".planner-import-partial"     # host and process id of the run writing a .partial folder


def _umask() -> int:
    mask = os.umask(0o022)      # the only way to read it is to set it
    os.umask(mask)
    return mask


def _remove_stale_partials(parent: Path, name: str) -> None:
    """Remove ``.NAME.*.partial`` folders whose marker names a dead process of this host."""
    for folder in parent.glob(f".{name}.*.partial"):
        marker = folder / _MARKER
        try:
            host, pid = marker.read_text(encoding="utf-8").split()
        except (OSError, ValueError):
            continue                                   # not ours: leave it
        if host == socket.gethostname() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:          # another user's process
        return True
    return True


# --- the two imports ------------------------------------------------------------------------------

def import_dynatrace(url: str, token: Any, out: str | Path, *, months: int = 12, to: str | None = None,
                     ca_bundle: str | None = None, force: bool = False,
                     progress: Callable[[str], None] | None = None, **client_options: Any) -> Baseline:
    """Read hosts and billing metrics from an environment and write the baseline.

    Parameters
    ----------
    url : environment URL; token : :class:`planner.imports.dynatrace.Secret`;
    out : the folder to create; months, to : the window (:func:`month_window`);
    ca_bundle : PEM file for TLS; client_options : passed to
    :class:`planner.imports.dynatrace.Client` (retry bounds, timeout).
    """
    from planner.imports.dynatrace import Client, MetricRefused
    say = progress or (lambda _line: None)
    window = month_window(to, months)
    if Path(out).exists() and not force:             # fail before any network traffic
        raise BaselineError(f"{out} exists; add --force-out to replace it")
    start, end = _ms(window[0]), _ms(window[-1] + 1)
    with Client(url, token, ca_bundle=ca_bundle, progress=say, **client_options) as client:
        say(f"reading hosts seen in {window[0]} to {window[-1]} from {client.source}")
        entities = client.hosts(start, end)
        host_frame, skipped_hosts = hosts_from_entities(entities, "GET /api/v2/entities")
        host_frame = with_cost_tags(host_frame, entities)   # showback tags, where hosts have them
        frames, skipped = [], []
        for i, (key, metric) in enumerate(METRICS.items(), start=1):
            try:
                series = client.metric(key, start, end, names=metric.kind in _APP_KINDS)
            except MetricRefused as refused:
                series = None
                skipped.append((key, f"refused by the server ({refused})"))
            else:
                if series is None:
                    skipped.append((key, "not found (HTTP 404)"))
            if series is not None:
                daily = daily_from_series(key, series, f"GET /api/v2/metrics/query ({key})")
                if daily.empty:
                    skipped.append((key, "no data points"))
                frames.append(daily)
            say(f"metrics: {i}/{len(METRICS)} fetched ({key})")
        consumed = client.consumed_host_units()
        if consumed is None:
            skipped.append(("/api/v1/oneagents consumedHostUnits",
                            "not readable (needs scope oneAgents.read); no host-unit cross-check"))
    daily = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) \
        else _empty_daily()
    baseline = build(host_frame, daily, window, source=client.source, skipped_metrics=skipped,
                     skipped_hosts=skipped_hosts, consumed=consumed)
    baseline.written = write(baseline, out, force=force)
    return baseline


def import_files(hosts_json: str | Path, metrics_csv: Iterable[str | Path], out: str | Path, *,
                 oneagents_json: str | Path | None = None, months: int | None = None, to: str | None = None,
                 force: bool = False, progress: Callable[[str], None] | None = None) -> Baseline:
    """The same import from exports: the entities call's JSON (one page, a list
    of pages or a list of entities) and the metrics API's CSV files. Without
    ``to`` the window ends with the last month in the CSV; without ``months`` it
    starts with the first."""
    say = progress or (lambda _line: None)
    if Path(out).exists() and not force:
        raise BaselineError(f"{out} exists; add --force-out to replace it")
    entities = _entities_file(hosts_json)
    host_frame, skipped_hosts = hosts_from_entities(entities, str(hosts_json))
    host_frame = with_cost_tags(host_frame, entities)   # showback tags, where hosts have them
    say(f"read {len(entities)} entities from {hosts_json}")
    frames, unknown = [], []
    for path in metrics_csv:
        daily, others = daily_from_csv(path)
        frames.append(daily)
        unknown += others
        say(f"read {len(daily)} data points from {path}")
    daily = pd.concat(frames, ignore_index=True) if frames else _empty_daily()
    if daily.empty:
        raise BaselineError(f"{', '.join(map(str, metrics_csv))}: no data points of the billing metrics")
    last = pd.PeriodIndex(daily["day"]).asfreq("M").max()
    first = pd.PeriodIndex(daily["day"]).asfreq("M").min()
    end = _to_month(to) if to else last
    count = months if months is not None else max(1, (end - first).n + 1)
    window = month_window(str(end), count, today=(end + 1).start_time)
    present = set(daily["metric"])
    skipped = [(key, "not in the files") for key in METRICS if key not in present]
    skipped += [(metric_id, "not a metric the import uses") for metric_id in sorted(set(unknown))]
    consumed = _consumed_file(oneagents_json) if oneagents_json else None
    baseline = build(host_frame, daily, window, source=Path(hosts_json).name, skipped_metrics=skipped,
                     skipped_hosts=skipped_hosts, consumed=consumed)
    baseline.written = write(baseline, out, force=force)
    return baseline


def _load_json(path: str | Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: not valid JSON ({exc.__class__.__name__}: {exc})") from None


def _entities_file(path: str | Path) -> list[dict[str, Any]]:
    data = _load_json(path)
    pages = data if isinstance(data, list) and data and isinstance(data[0], dict) and "entities" in data[0] \
        else [data] if isinstance(data, dict) else None
    if pages is None:
        if isinstance(data, list):
            return data
        raise BaselineError(f"{path}: expected the entities call's JSON (an object with 'entities')")
    out = []
    for i, page in enumerate(pages):
        if not isinstance(page, dict) or not isinstance(page.get("entities"), list):
            raise BaselineError(f"{path}: page {i} has no list 'entities'")
        out += page["entities"]
    return out


def _consumed_file(path: str | Path) -> dict[str, float]:
    data = _load_json(path)
    pages = data if isinstance(data, list) else [data]
    out = {}
    for page in pages:
        if not isinstance(page, dict) or not isinstance(page.get("hosts"), list):
            raise BaselineError(f"{path}: expected the /api/v1/oneagents JSON (an object with 'hosts')")
        for host in page["hosts"]:
            info = (host or {}).get("hostInfo") or {}
            if info.get("entityId") and isinstance(info.get("consumedHostUnits"), (int, float)):
                out[info["entityId"]] = float(info["consumedHostUnits"])
    return out
