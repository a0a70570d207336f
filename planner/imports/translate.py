"""Metrics -> drivers and actuals: :func:`build` turns the hosts and the daily
data points of the billing metrics into an import's outputs (:class:`Baseline`).

* ``hosts.csv``: one row per host with a OneAgent in full-stack or
  infrastructure mode that still runs at the end of the window: ``host``,
  ``ram_gib`` and ``mode``, and ``cost_center`` and ``product`` where any host
  has those tags (:mod:`planner.imports.tags`). Host units come from
  :func:`planner.host_units`.
* ``actuals.csv``: tidy monthly consumption, ``month``, ``unit``, ``capability``,
  ``driver``, ``value``: DDU as reported, DEM converted from sessions, properties
  and synthetic counts with the calculators (:mod:`planner.dem`), Grail DDU from
  bytes (:func:`planner.grail_ddu`), and per month the host-unit hours each host
  ran and the most host units that ran at once, from the hosts' seen times.
* the scenario's entries, one driver each, with growth calibrated per driver
  (:mod:`planner.imports.calibrate`); :mod:`planner.imports.scenario_yaml`
  writes them.

A host ran from its ``firstSeenTms`` (or the window's start) to its
``lastSeenTms`` (or the window's end, if it was last seen within two hours of
it).

Planner's choices, where the sources are silent:

* Grail bytes are GB at 10**9 bytes (the Supplement prices per GB).
* Custom-metric DDU cannot be told apart per host by the total metric (which
  counts only what is billed, above the hosts' included metrics), so they are
  a driver of their own, a ``custom_metrics`` source of data points a minute,
  with their own growth.
* A host that stops and starts again under the same entity counts as running
  in between (the entity's seen times are all the API gives for it).
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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner import ddu, dem, hosts
from planner.fields import GROWTH_BOUNDS
from planner.imports.calibrate import Fit, fit_growth
from planner.imports.errors import BaselineError
from planner.imports.metrics import APP_KINDS, METRICS
from planner.imports.payloads import monthly_from_daily
from planner.imports.scenario_yaml import Drivers, scenario_text
from planner.imports.tags import COST_TAGS
from planner.imports.window import month_start_ms
from planner.tableset import TableSet, resolve

__all__ = ["GB", "Baseline", "build"]

_AVERAGE_MONTH = 365.25 / 12   # [days]
# monthly growth rates a scenario accepts (planner.fields.growth): above -99 %, at most 100 %
_LOWEST_RATE, _HIGHEST_RATE = GROWTH_BOUNDS["monthly"]
GB = 10 ** 9                    # Grail usage metrics are in bytes; the Supplement prices per GB
_HOUR_MS = 3_600_000
#: A host last seen this close to the window's end [ms] is running at its end
#: (lastSeenTms is refreshed while a host reports, not every millisecond).
_STILL_RUNNING_MS = 2 * _HOUR_MS

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


def _rum(monthly: pd.DataFrame, months: pd.PeriodIndex, t: TableSet, drivers: Drivers,
         actuals: list[dict[str, Any]]) -> None:
    free = t.rule("free_defined_properties")
    property_dem = t.weight("dem_weights", "defined_property")
    keys = {(m.what, m.kind): m.key for m in METRICS.values() if m.kind in APP_KINDS}
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


def _synthetic(monthly: pd.DataFrame, months: pd.PeriodIndex, t: TableSet, drivers: Drivers,
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


def _ddu_pools(monthly: pd.DataFrame, months: pd.PeriodIndex, t: TableSet, drivers: Drivers,
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


def _grail(monthly: pd.DataFrame, months: pd.PeriodIndex, t: TableSet, drivers: Drivers,
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
    bounds = np.array([month_start_ms(m) for m in months] + [month_start_ms(months[-1] + 1)], dtype=float)
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


def _hosts(host_frame: pd.DataFrame, months: pd.PeriodIndex, t: TableSet, drivers: Drivers,
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


def _hosts_driver(served: np.ndarray, months: pd.PeriodIndex, running: int, stopped: int, drivers: Drivers) -> None:
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


def _custom_metrics(monthly: pd.DataFrame, months: pd.PeriodIndex, t: TableSet, drivers: Drivers,
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
    monthly, gaps = monthly_from_daily(daily, months)
    drivers, actuals, notes = Drivers(), [], []
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
    return Baseline(hosts=inventory, actuals=frame, scenario=scenario_text(drivers, months, source),
                    months=months, skipped_metrics=list(skipped_metrics or []),
                    skipped_hosts=list(skipped_hosts or []), host_check=_host_check(host_frame, consumed, t),
                    notes=notes, fleet=fleet, gaps=gaps)
