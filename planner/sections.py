"""The sections of a scenario, defined once: fields, capabilities and consumption.

Each :class:`Section` entry of :data:`SECTIONS` says, in one place:

* the fields a driver of that section has, with their checks, units and defaults
  (the scenario loader and :meth:`planner.model.Scenario.with_values` read them);
* which fields ``growth`` scales (the volume fields);
* the capabilities it consumes, as (unit, capability) pairs with their labels;
* how a driver of that section consumes per day: a function that reads the
  driver's fields per day (:class:`DriverDays`) and yields
  ``(unit, capability, values[draws, days])``.

The engine loops over this registry; no face lists sections or capabilities
again. To add a capability, add its weight to a table under ``tables/``, a
calculator if the rule is new, and one :class:`Section` entry here
(docs/architecture.md shows an example).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner import appsec, automation, ddu, dem, hosts
from planner import fields as f
from planner.fields import ScenarioError

__all__ = [
    "Capability", "Section", "SECTIONS", "CAPABILITIES", "APPSEC", "Calendar", "DriverDays",
    "capability_label", "host_amounts", "inventory_amounts", "inventory_totals",
]

APPSEC = ("none", "vulnerability_analytics", "protection")
REQUIRED = object()

Yielded = Iterator[tuple[str, str, np.ndarray]]     # unit, capability, values (draws, days)


@dataclass(frozen=True)
class Capability:
    """What a section consumes: ``unit`` and ``key`` together identify it."""

    unit: str
    key: str
    label: str


# --- the per-day view a section's consumption reads -----------------------------------------

@dataclass
class Calendar:
    """The days of a horizon with their calendar month number and length."""

    days: pd.DatetimeIndex
    month_no: np.ndarray          # calendar months since the start month, per day
    days_in_month: np.ndarray     # [days]

    @classmethod
    def of(cls, start: pd.Timestamp, end: pd.Timestamp) -> "Calendar":
        days = pd.date_range(start, end, freq="D")
        month_no = (days.year - start.year) * 12 + (days.month - start.month)
        return cls(days, np.asarray(month_no), np.asarray(days.days_in_month, dtype=float))

    def index(self, date: pd.Timestamp) -> int:
        return int((date - self.days[0]).days)

    def growth_factor(self, monthly: Any) -> np.ndarray:
        """(draws, days) factor ``(1 + r) ** k`` for monthly rates r of shape (draws,)."""
        return (1 + np.atleast_1d(np.asarray(monthly, dtype=float))[:, None]) ** self.month_no[None, :]


@dataclass
class DriverDays:
    """One driver's fields per day, with its dated changes applied.

    ``factor`` is the (draws, days) growth factor; ``sets`` and ``moves`` are the
    driver's :class:`~planner.model.SetValues` and
    :class:`~planner.model.MoveHosts` changes. A section's consumption may record
    side results in ``extras`` (the Grail store).
    """

    driver: Any
    sets: list[Any]
    moves: list[Any]
    factor: np.ndarray
    cal: Calendar
    tables: Any
    extras: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.driver.name

    def field(self, name: str) -> np.ndarray:
        """A non-volume field per day (numbers or text)."""
        base = self.driver.values[name]
        values = np.full(len(self.cal.days), base, dtype=object if isinstance(base, str) or base is None
                         else float)
        for change in self.sets:
            if name in change.values:
                values[self.cal.index(change.date):] = change.values[name]
        return values

    def level(self, name: str) -> np.ndarray:
        """A volume field per draw and day: base x growth, re-based at each set."""
        values = (self.driver.values[name] or 0.0) * self.factor
        for change in self.sets:
            if name in change.values:
                i = self.cal.index(change.date)
                values[:, i:] = change.values[name] * self.factor[:, i:] / self.factor[:, i:i + 1]
        return values

    def per_day(self, name: str) -> np.ndarray:
        """A monthly volume spread evenly over its month's days."""
        return self.level(name) / self.cal.days_in_month


def _each(values: np.ndarray, weight: Callable[[Any], float]) -> np.ndarray:
    """Apply a per-unit weight to a field that holds one choice per day."""
    choices = {v: weight(v) for v in pd.unique(values)}
    return np.array([choices[v] for v in values], dtype=float)


# --- hosts --------------------------------------------------------------------------------

def host_amounts(ram: Any, mode: Any, hours: Any, metrics: Any, security: Any,
                 tables: Any = None) -> dict[tuple[str, str], Any]:
    """What one host consumes per day, by (unit, capability).

    Parameters
    ----------
    ram : RAM [GiB]; mode : 'fullstack' or 'infrastructure'; hours : hours a day
    [h]; metrics : custom metrics per minute; security : 'none',
    'vulnerability_analytics' or 'protection'. Each may be an array (one value
    per host or per day).

    Returns
    -------
    dict
        ``("host_units", mode)`` [HU in use], ``("host_unit_hours", mode)``
        [HU h/day], ``("ddu", "custom_metrics_<mode>")`` [DDU/day] and
        ``("asu", level)`` [ASU/day]; zero where a host has another mode or level.
    """
    out: dict[tuple[str, str], Any] = {}
    for m in hosts.MODES:
        is_mode = mode == m
        hu = hosts.host_units(ram, m, tables=tables) * is_mode
        out[("host_units", m)] = hu
        out[("host_unit_hours", m)] = hu * hours
        excess = hosts.custom_metric_ddu(metrics, ram_gib=ram, mode=m, minutes=hours * 60, tables=tables)
        out[("ddu", f"custom_metrics_{m}")] = excess * is_mode
    for level, protection in (("vulnerability_analytics", False), ("protection", True)):
        out[("asu", level)] = appsec.asu_per_hour(ram, protection=protection, tables=tables) * hours \
            * (security == level)
    return out


_HOST_FIELDS = ("ram_gib", "mode", "hours_per_day", "custom_metrics_per_minute", "appsec")
#: Per-host columns of :func:`inventory_amounts`, with their units.
INVENTORY_AMOUNTS = {"host_units": "HU", "host_unit_hours_per_day": "HU h/day",
                     "included_custom_metrics": "metrics/min", "custom_metric_ddu_per_day": "DDU/day",
                     "asu_per_day": "ASU/day"}


def inventory_amounts(inventory: pd.DataFrame, tables: Any = None) -> pd.DataFrame:
    """What each host of an inventory consumes per day: the one place the
    ``planner hosts`` command and the hosts dashboard get per-host figures
    (the same :func:`host_amounts` the engine sums for an inventory group).

    Parameters
    ----------
    inventory : DataFrame
        From :func:`planner.scenario.read_inventory` (``host``, ``ram_gib``,
        ``mode``, ``hours_per_day``, ``custom_metrics_per_minute``, ``appsec``).

    Returns
    -------
    DataFrame
        The inventory's columns plus :data:`INVENTORY_AMOUNTS`: ``host_units``
        [HU], ``included_custom_metrics`` [metrics/min],
        ``host_unit_hours_per_day`` [HU h/day], ``custom_metric_ddu_per_day``
        [DDU/day] and ``asu_per_day`` [ASU/day].
    """
    amounts = host_amounts(*(inventory[k].to_numpy() for k in _HOST_FIELDS), tables)

    def summed(unit: str) -> np.ndarray:   # over the modes and levels (zero where not the host's)
        return np.asarray(sum(v for (u, _), v in amounts.items() if u == unit), dtype=float)

    included = hosts.included_custom_metrics(inventory["ram_gib"].to_numpy(dtype=float),
                                             inventory["mode"].to_numpy(), tables=tables)   # a mode per host
    return inventory.assign(host_units=summed("host_units"), included_custom_metrics=included,
                            host_unit_hours_per_day=summed("host_unit_hours"),
                            custom_metric_ddu_per_day=summed("ddu"), asu_per_day=summed("asu"))


def inventory_totals(per_host: pd.DataFrame) -> pd.DataFrame:
    """Totals by mode of an :func:`inventory_amounts` table, and a ``total`` row:
    ``mode``, ``hosts`` and the sums of :data:`INVENTORY_AMOUNTS`."""
    totals = per_host.groupby("mode", sort=True).agg(
        hosts=("host", "size"), **{k: (k, "sum") for k in INVENTORY_AMOUNTS}).reset_index()
    totals.loc[len(totals)] = ["total", *totals.drop(columns="mode").sum().tolist()]
    totals["hosts"] = totals["hosts"].astype(int)
    return totals


def _consume_hosts(d: DriverDays) -> Yielded:
    inventory = d.driver.inventory
    if inventory is not None:
        per_host = host_amounts(*(inventory[k].to_numpy() for k in _HOST_FIELDS), d.tables)
        for (unit, capability), values in per_host.items():
            yield unit, capability, d.factor * float(np.sum(values))
        return
    count = d.level("count")
    parts = []
    for move in d.moves:
        i = d.cal.index(move.date)
        if count.shape[0] == 1 and count[0, i] < move.count - 1e-9:
            raise ScenarioError(f"{move.where}: group {d.name!r} has {count[0, i]:g} hosts on "
                                f"{move.date.date()}, cannot move {move.count:g}")
        moved = np.zeros_like(count)
        moved[:, i:] = move.count * d.factor[:, i:] / d.factor[:, i:i + 1]
        moved = np.minimum(moved, count)
        count = count - moved
        parts.append((moved, {k: np.full(len(d.cal.days), move.values[k], dtype=object)
                              if k in move.values else d.field(k) for k in _HOST_FIELDS}))
    parts.insert(0, (count, {k: d.field(k) for k in _HOST_FIELDS}))
    totals: dict[tuple[str, str], np.ndarray] = {}
    for part_count, values in parts:   # moved hosts stay in their group: one row per capability
        for key, per_host in host_amounts(*(values[k] for k in _HOST_FIELDS), d.tables).items():
            totals[key] = totals.get(key, 0.0) + part_count * np.asarray(per_host, dtype=float)
    for (unit, capability), values in totals.items():
        yield unit, capability, values


# --- digital experience -------------------------------------------------------------------

def _consume_rum(d: DriverDays) -> Yielded:
    t = d.tables
    sessions = d.per_day("sessions_per_month")
    share = d.field("replay_share")
    plain, replay = dem.rum_dem(1.0, tables=t), dem.rum_dem(1.0, replay=True, tables=t)
    extra = dem.rum_dem(1.0, properties=d.field("properties_per_session"), tables=t) - plain
    yield "dem", "rum_sessions", sessions * (1 - share) * plain
    yield "dem", "session_replay", sessions * share * replay
    yield "dem", "defined_properties", sessions * extra


def _consume_synthetic(d: DriverDays) -> Yielded:
    runs = dem.clickpath_actions(1.0, d.field("frequency_minutes"), d.field("locations"))
    weight = _each(d.field("kind"), lambda k: dem.synthetic_dem(k, 1.0, tables=d.tables))
    yield "dem", f"synthetic_{d.driver.values['kind']}", d.level("per_run") * runs * weight


# --- Davis data units ---------------------------------------------------------------------

def _consume_log_monitoring(d: DriverDays) -> Yielded:
    if d.driver.values["gb_per_day"] is not None:
        yield "ddu", "log_monitoring", d.level("gb_per_day") * ddu.log_monitoring_ddu(gb=1.0, tables=d.tables)
    else:
        yield "ddu", "log_monitoring", d.level("events_per_day") * ddu.log_monitoring_ddu(1.0, tables=d.tables)


def _consume_grail(d: DriverDays) -> Yielded:
    t, capability = d.tables, d.driver.values["capability"]
    ratio = np.asarray(d.field("processed_ratio"), dtype=object)
    ratio = np.where(pd.isna(ratio), t.rule("grail_processed_ratio"), ratio).astype(float)
    ingest = d.level("ingest_gb_per_day")
    retention = d.field("retention_days").astype(np.int64)
    processed = ingest * ratio
    if d.driver.values["starts_full"]:   # in use at its start volume for a full window before
        history = int(retention[0])
        warm = np.repeat(processed[:, :1], history, axis=1)
        stored = ddu.stored_gb(np.concatenate([warm, processed], axis=1),
                               np.concatenate([np.full(history, retention[0]), retention]))[:, history:]
    else:
        stored = ddu.stored_gb(processed, retention)
    d.extras["stored_gb"] = stored
    weight = {dim: ddu.grail_ddu(**{k: 1.0 if k == arg else 0.0 for k in
                                    ("ingest_gb", "retained_gb_days", "query_gb")},
                                 capability=capability, tables=t)
              for dim, arg in (("ingest", "ingest_gb"), ("retain", "retained_gb_days"), ("query", "query_gb"))}
    yield "ddu", f"{capability}_ingest", ingest * weight["ingest"]
    yield "ddu", f"{capability}_retain", stored * weight["retain"]
    yield "ddu", f"{capability}_query", d.per_day("query_gb_per_month") * weight["query"]


def _consume_traces(d: DriverDays) -> Yielded:
    yield "ddu", "custom_traces", d.level("spans_per_day") * ddu.custom_trace_ddu(1, tables=d.tables)


def _consume_custom_events(d: DriverDays) -> Yielded:
    per_event = _each(d.field("kind"), lambda k: ddu.custom_event_ddu(1, kind=k, tables=d.tables))
    yield "ddu", "custom_events", d.level("events_per_day") * per_event


def _consume_serverless(d: DriverDays) -> Yielded:
    per_call = _each(d.field("on_oneagent_host"),
                     lambda v: ddu.serverless_ddu(1, on_oneagent_host=bool(v), tables=d.tables))
    yield "ddu", "serverless", d.level("invocations_per_day") * per_call


def _consume_custom_metrics(d: DriverDays) -> Yielded:
    # not reported through a OneAgent host: no allowance (planner.hosts.custom_metric_ddu, ram_gib=None)
    yield "ddu", "custom_metrics", hosts.custom_metric_ddu(d.level("metrics_per_minute"), minutes=24 * 60,
                                                           tables=d.tables)


def _consume_cloud_automation(d: DriverDays) -> Yielded:
    yield "cau", "cloud_automation", d.level("executions_per_day") * automation.cau(1, tables=d.tables)


def _consume_mainframe(d: DriverDays) -> Yielded:
    yield "msu", "mainframe", d.level("peak_msu")


# --- the registry -----------------------------------------------------------------------

@dataclass(frozen=True)
class Section:
    """One list section of a scenario file.

    Attributes
    ----------
    key : str
        The section's key in a scenario file (``hosts:``, ``rum:``, ...).
    label : str
        What one entry is, for messages and menus.
    fields : mapping
        Field name -> (check, default); the default ``REQUIRED`` means the field
        must be given.
    volume : tuple of str
        The fields that ``growth`` scales.
    capabilities : tuple of Capability
        What the section consumes.
    consume : callable
        ``consume(DriverDays)`` yields ``(unit, capability, values[draws, days])``.
    one_of : tuple of str
        Fields of which exactly one must be given.
    """

    key: str
    label: str
    fields: Mapping[str, tuple[f.Check, Any]]
    volume: tuple[str, ...]
    capabilities: tuple[Capability, ...]
    consume: Callable[[DriverDays], Yielded]
    one_of: tuple[str, ...] = ()

    @property
    def settable(self) -> tuple[str, ...]:
        """Fields a dated ``set`` change may replace."""
        return tuple(k for k in self.fields if k not in ("name", "inventory", "growth"))


_NAME = (f.text, REQUIRED)
_GROWTH = (f.growth, None)


def _caps(unit: str, *pairs: tuple[str, str]) -> tuple[Capability, ...]:
    return tuple(Capability(unit, key, label) for key, label in pairs)


_MODES = (("fullstack", "Full-stack"), ("infrastructure", "Infrastructure"))
_SYNTHETIC_KINDS = (("browser", "Synthetic browser monitors"), ("clickpath", "Synthetic clickpaths"),
                    ("http", "Synthetic HTTP monitors"), ("third_party", "Third-party synthetic"))
_GRAIL = (("log_management", "Logs"), ("business_events", "Business events"))
_GRAIL_DIMENSIONS = (("ingest", "ingest & process"), ("retain", "retain"), ("query", "query"))

SECTIONS: dict[str, Section] = {s.key: s for s in (
    Section("hosts", "host group", {
        "name": _NAME, "count": (f.COUNT, None), "ram_gib": (f.number(strict=True, unit="GiB"), None),
        "mode": (f.choice(*hosts.MODES), "fullstack"),
        "hours_per_day": (f.number(maximum=24, unit="h"), 24.0),
        "custom_metrics_per_minute": (f.number(unit="metrics per host per minute"), 0.0),
        "appsec": (f.choice(*APPSEC), "none"),
        "inventory": (f.text, None), "growth": _GROWTH,
    }, volume=("count",), capabilities=(
        _caps("host_units", *_MODES) + _caps("host_unit_hours", *_MODES) + _caps("premium_ha", *_MODES)
        + _caps("ddu", ("custom_metrics_fullstack", "Custom metrics (full-stack hosts)"),
                ("custom_metrics_infrastructure", "Custom metrics (infrastructure hosts)"))
        + _caps("asu", ("vulnerability_analytics", "Runtime Vulnerability Analytics"),
                ("protection", "Runtime Application Protection"))),
        consume=_consume_hosts),
    Section("rum", "RUM application", {
        "name": _NAME, "sessions_per_month": (f.number(unit="sessions"), REQUIRED),
        "replay_share": (f.SHARE, 0.0),
        "properties_per_session": (f.number(whole=True, unit="properties"), 0.0), "growth": _GROWTH,
    }, volume=("sessions_per_month",), capabilities=_caps(
        "dem", ("rum_sessions", "RUM sessions"), ("session_replay", "Session Replay sessions"),
        ("defined_properties", "Defined properties")), consume=_consume_rum),
    Section("synthetic", "synthetic monitor", {
        "name": _NAME, "kind": (f.choice(*(k for k, _ in _SYNTHETIC_KINDS)), REQUIRED),
        "per_run": (f.number(unit="actions, requests or results per run"), 1.0),
        "frequency_minutes": (f.number(strict=True, unit="min"), REQUIRED),
        "locations": (f.number(whole=True, unit="locations"), 1.0), "growth": _GROWTH,
    }, volume=("per_run",), capabilities=_caps("dem", *((f"synthetic_{k}", label) for k, label in _SYNTHETIC_KINDS)),
        consume=_consume_synthetic),
    Section("log_monitoring", "Log Monitoring (classic) source", {
        "name": _NAME, "gb_per_day": (f.number(unit="GB"), None),
        "events_per_day": (f.number(unit="events"), None), "growth": _GROWTH,
    }, volume=("gb_per_day", "events_per_day"), one_of=("gb_per_day", "events_per_day"),
        capabilities=_caps("ddu", ("log_monitoring", "Log Monitoring (classic)")), consume=_consume_log_monitoring),
    Section("grail", "Grail bucket", {
        "name": _NAME, "capability": (f.choice(*(k for k, _ in _GRAIL)), "log_management"),
        "ingest_gb_per_day": (f.number(unit="GB"), REQUIRED),
        "retention_days": (f.number(minimum=1, whole=True, unit="days"), REQUIRED),
        "query_gb_per_month": (f.number(unit="GB"), 0.0),
        "processed_ratio": (f.number(unit="processed GB per ingested GB"), None),
        "starts_full": (f.flag, True), "growth": _GROWTH,
    }, volume=("ingest_gb_per_day", "query_gb_per_month"), capabilities=_caps(
        "ddu", *((f"{c}_{dim}", f"{name}: {dim_label}") for c, name in _GRAIL for dim, dim_label in _GRAIL_DIMENSIONS)),
        consume=_consume_grail),
    Section("traces", "trace source", {
        "name": _NAME, "spans_per_day": (f.number(unit="spans"), REQUIRED), "growth": _GROWTH,
    }, volume=("spans_per_day",), capabilities=_caps("ddu", ("custom_traces", "Custom traces")),
        consume=_consume_traces),
    Section("custom_events", "custom event source", {
        "name": _NAME, "kind": (f.choice("kubernetes", "external", "log"), "kubernetes"),
        "events_per_day": (f.number(unit="events"), REQUIRED), "growth": _GROWTH,
    }, volume=("events_per_day",), capabilities=_caps("ddu", ("custom_events", "Custom events")),
        consume=_consume_custom_events),
    Section("serverless", "serverless function group", {
        "name": _NAME, "invocations_per_day": (f.number(unit="invocations"), REQUIRED),
        "on_oneagent_host": (f.flag, False), "growth": _GROWTH,
    }, volume=("invocations_per_day",), capabilities=_caps("ddu", ("serverless", "Serverless functions")),
        consume=_consume_serverless),
    Section("custom_metrics", "custom metric source", {
        "name": _NAME, "metrics_per_minute": (f.number(unit="metric data points per minute"), REQUIRED),
        "growth": _GROWTH,
    }, volume=("metrics_per_minute",),
        capabilities=_caps("ddu", ("custom_metrics", "Custom metrics (beyond hosts' included)")),
        consume=_consume_custom_metrics),
    Section("cloud_automation", "cloud automation source", {
        "name": _NAME, "executions_per_day": (f.number(unit="service executions"), REQUIRED),
        "growth": _GROWTH,
    }, volume=("executions_per_day",), capabilities=_caps("cau", ("cloud_automation", "Cloud automation")),
        consume=_consume_cloud_automation),
    Section("mainframe", "mainframe LPAR", {
        "name": _NAME, "peak_msu": (f.number(unit="MSU, peak 4-hour rolling average"), REQUIRED),
        "licensed_msu": (f.number(unit="MSU"), None),
        # disabled: the peak MSU values are reported every 6 months (docs/rules.md#msu-reporting-disabled)
        "reporting": (f.choice("enabled", "disabled"), "enabled"), "growth": _GROWTH,
    }, volume=("peak_msu",), capabilities=_caps("msu", ("mainframe", "Mainframe")), consume=_consume_mainframe),
)}

#: Every capability, keyed by (unit, capability), in the registry's order.
CAPABILITIES: dict[tuple[str, str], Capability] = {
    (c.unit, c.key): c for s in SECTIONS.values() for c in s.capabilities}


def capability_label(unit: str, key: str) -> str:
    """The label of a capability: ``capability_label("dem", "rum_sessions")`` is
    ``'RUM sessions'``; an unknown one reads as its key with spaces."""
    found = CAPABILITIES.get((unit, key))
    return found.label if found else str(key).replace("_", " ").capitalize()
