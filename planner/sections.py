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

from planner import appsec, automation, ddu, dem, dps, hosts
from planner import fields as f
from planner.fields import ScenarioError
from planner.units import DPS_UNITS, UNITS

__all__ = [
    "Capability", "Section", "SECTIONS", "CAPABILITIES", "DPS_CAPABILITIES", "APPSEC", "TAGS", "Calendar",
    "DriverDays",
    "capability_label", "host_amounts", "inventory_amounts", "inventory_totals",
]

APPSEC = ("none", "vulnerability_analytics", "protection")
#: Showback tags any driver (and any inventory row) may carry: who consumes, for which product.
#: Dynatrace attributes cost by the same two, as dt.cost.costcenter and dt.cost.product.
TAGS = ("cost_center", "product")
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


def inventory_host_amounts(inventory: pd.DataFrame, tables: Any = None) -> dict[tuple[str, str], Any]:
    """:func:`host_amounts` of every host of an inventory (one value per host)."""
    return host_amounts(*(inventory[k].to_numpy() for k in _HOST_FIELDS), tables)


def _host_totals(d: DriverDays, amounts: Callable[..., dict[Any, Any]]) -> dict[Any, np.ndarray]:
    """A host group's (draws, days) totals of ``amounts(ram, mode, hours, metrics, appsec)``
    per key: an inventory summed over its hosts, or the group's count with its
    moved parts (``move_hosts``)."""
    inventory = d.driver.inventory
    if inventory is not None:
        per_host = amounts(*(inventory[k].to_numpy() for k in _HOST_FIELDS))
        return {key: d.factor * float(np.sum(values)) for key, values in per_host.items()}
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
    totals: dict[Any, np.ndarray] = {}
    for part_count, values in parts:   # moved hosts stay in their group: one row per capability
        for key, per_host in amounts(*(values[k] for k in _HOST_FIELDS)).items():
            totals[key] = totals.get(key, 0.0) + part_count * np.asarray(per_host, dtype=float)
    return totals


def _consume_hosts(d: DriverDays) -> Yielded:
    totals = _host_totals(d, lambda *values: host_amounts(*values, d.tables))
    for (unit, capability), values in totals.items():
        yield unit, capability, values


def _dps_hosts(d: DriverDays) -> Yielded:
    for unit, values in _host_totals(d, lambda *values: dps.host_quantities(*values, d.tables)).items():
        yield unit, unit, values


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
    yield "dem", SYNTHETIC_CAPABILITIES[d.driver.values["kind"]], d.level("per_run") * runs * weight


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


# --- Dynatrace Platform Subscription (docs/rules.md#dps-quantities) ------------------------
# Each yields (DPS unit, capability, values[draws, days]); the capability is the unit key.

def _gib(d: DriverDays, gb: np.ndarray) -> np.ndarray:
    return gb * float(d.tables.rule("dps_gib_per_gb"))


def _dps_rum(d: DriverDays) -> Yielded:
    sessions = d.per_day("sessions_per_month")
    share = d.field("replay_share")
    free = float(d.tables.rule("free_defined_properties"))
    yield "rum_sessions", "rum_sessions", sessions * (1 - share)
    yield "replay_sessions", "replay_sessions", sessions * share
    yield "property_sessions", "property_sessions", sessions * np.maximum(d.field("properties_per_session") - free, 0)


_DPS_SYNTHETIC = {"browser": "synthetic_actions", "clickpath": "synthetic_actions", "http": "http_requests",
                  "third_party": "third_party_results"}


def _dps_synthetic(d: DriverDays) -> Yielded:
    runs = dem.clickpath_actions(1.0, d.field("frequency_minutes"), d.field("locations"))
    unit = _DPS_SYNTHETIC[d.driver.values["kind"]]
    yield unit, unit, d.level("per_run") * runs


def _dps_log_monitoring(d: DriverDays) -> Yielded:
    if d.driver.values["gb_per_day"] is not None:
        gb = d.level("gb_per_day")
    else:
        gb = d.level("events_per_day") / float(d.tables.rule("log_events_per_gb"))
    ingest = _gib(d, gb)
    retention = np.full(len(d.cal.days), int(d.tables.rule("dps_log_retention_days")))
    stored = ddu.stored_gb(np.concatenate([np.repeat(ingest[:, :1], retention[0], axis=1), ingest], axis=1),
                           np.concatenate([retention[:1].repeat(retention[0]), retention]))[:, retention[0]:]
    yield "log_ingest_gib", "log_ingest_gib", ingest
    yield from _dps_log_retain(d, stored)


def _dps_log_retain(d: DriverDays, stored: np.ndarray) -> Yielded:
    unit = "log_retain_included_gib_days" if d.tables.rule("dps_log_included_queries") else "log_retain_gib_days"
    yield unit, unit, stored


def _dps_grail(d: DriverDays) -> Yielded:
    logs = d.driver.values["capability"] == "log_management"
    for _ in _consume_grail(d):   # fills the store day by day (d.extras["stored_gb"]), as on classic
        pass
    stored = _gib(d, d.extras["stored_gb"])
    ingest, query = _gib(d, d.level("ingest_gb_per_day")), _gib(d, d.per_day("query_gb_per_month"))
    if logs:
        yield "log_ingest_gib", "log_ingest_gib", ingest
        yield from _dps_log_retain(d, stored)
        if not d.tables.rule("dps_log_included_queries"):
            yield "log_query_gib", "log_query_gib", query
    else:
        yield "event_ingest_gib", "event_ingest_gib", ingest
        yield "event_retain_gib_days", "event_retain_gib_days", stored
        yield "event_query_gib", "event_query_gib", query


def _dps_traces(d: DriverDays) -> Yielded:
    yield "trace_ingest_gib", "trace_ingest_gib", d.level("spans_per_day") * float(
        d.tables.rule("dps_bytes_per_span")) / 2 ** 30


def _dps_custom_events(d: DriverDays) -> Yielded:
    yield "event_ingest_gib", "event_ingest_gib", d.level("events_per_day") * float(
        d.tables.rule("dps_bytes_per_event")) / 2 ** 30


def _dps_custom_metrics(d: DriverDays) -> Yielded:
    # data points no host's inclusion covers: all billed as Metrics - Ingest & Process
    yield "metric_datapoints", "metric_datapoints", d.level("metrics_per_minute") * 24 * 60


def _dps_serverless(d: DriverDays) -> Yielded:
    return iter(())   # planner's choice: no volume per invocation is published (docs/rules.md#dps-quantities)


def _dps_cloud_automation(d: DriverDays) -> Yielded:
    yield "workflow_hours", "workflow_hours", d.level("workflows") * 24


def _dps_mainframe(d: DriverDays) -> Yielded:
    average = np.asarray(d.field("average_msu"), dtype=object)
    ratio = float(d.tables.rule("dps_average_to_peak_msu"))
    peak = d.level("peak_msu")
    given = ~pd.isna(average)
    msu = np.where(given, np.where(given, average, 0).astype(float) * d.factor, peak * ratio)
    yield "msu_hours", "msu_hours", msu * 24


def _kubernetes_pods(d: DriverDays) -> np.ndarray:
    if d.driver.values["pods"] is not None:
        return d.level("pods")
    return d.level("nodes") * float(d.tables.rule("dps_pods_per_node"))


def _consume_kubernetes(d: DriverDays) -> Yielded:
    return iter(())   # planner's choice: classic licensing has no pod charge (docs/rules.md#dps-quantities)


def _dps_kubernetes(d: DriverDays) -> Yielded:
    hours = dps.billed_hours(d.field("hours_per_day"), d.tables)
    yield "pod_hours", "pod_hours", _kubernetes_pods(d) * hours
    yield "container_hours", "container_hours", d.level("containers") * hours   # with Code Monitoring


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
    dps : callable
        The same under the Dynatrace Platform Subscription, in DPS units
        (:data:`planner.units.DPS_UNITS`; docs/rules.md#dps-quantities).
    """

    key: str
    label: str
    fields: Mapping[str, tuple[f.Check, Any]]
    volume: tuple[str, ...]
    capabilities: tuple[Capability, ...]
    consume: Callable[[DriverDays], Yielded]
    one_of: tuple[str, ...] = ()
    dps: Callable[[DriverDays], Yielded] | None = None

    def __post_init__(self) -> None:
        # every section's drivers may carry the showback tags (they change no consumption)
        object.__setattr__(self, "fields", {**self.fields, **{t: (f.text, None) for t in TAGS}})

    @property
    def settable(self) -> tuple[str, ...]:
        """Fields a dated ``set`` change may replace (not the name, growth, inventory or tags)."""
        return tuple(k for k in self.fields if k not in ("name", "inventory", "growth", *TAGS))


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
        "mode": (f.choice(*hosts.MODES, "foundation"), "fullstack"),
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
        consume=_consume_hosts, dps=_dps_hosts),
    Section("rum", "RUM application", {
        "name": _NAME, "sessions_per_month": (f.number(unit="sessions"), REQUIRED),
        "replay_share": (f.SHARE, 0.0),
        "properties_per_session": (f.number(whole=True, unit="properties"), 0.0), "growth": _GROWTH,
    }, volume=("sessions_per_month",), capabilities=_caps(
        "dem", ("rum_sessions", "RUM sessions"), ("session_replay", "Session Replay sessions"),
        ("defined_properties", "Defined properties")), consume=_consume_rum, dps=_dps_rum),
    Section("synthetic", "synthetic monitor", {
        "name": _NAME, "kind": (f.choice(*(k for k, _ in _SYNTHETIC_KINDS)), REQUIRED),
        "per_run": (f.number(unit="actions, requests or results per run"), 1.0),
        "frequency_minutes": (f.number(strict=True, unit="min"), REQUIRED),
        "locations": (f.number(whole=True, unit="locations"), 1.0), "growth": _GROWTH,
    }, volume=("per_run",), capabilities=_caps("dem", *((f"synthetic_{k}", label) for k, label in _SYNTHETIC_KINDS)),
        consume=_consume_synthetic, dps=_dps_synthetic),
    Section("log_monitoring", "Log Monitoring (classic) source", {
        "name": _NAME, "gb_per_day": (f.number(unit="GB"), None),
        "events_per_day": (f.number(unit="events"), None), "growth": _GROWTH,
    }, volume=("gb_per_day", "events_per_day"), one_of=("gb_per_day", "events_per_day"),
        capabilities=_caps("ddu", ("log_monitoring", "Log Monitoring (classic)")), consume=_consume_log_monitoring,
        dps=_dps_log_monitoring),
    Section("grail", "Grail bucket", {
        "name": _NAME, "capability": (f.choice(*(k for k, _ in _GRAIL)), "log_management"),
        "ingest_gb_per_day": (f.number(unit="GB"), REQUIRED),
        "retention_days": (f.number(minimum=1, whole=True, unit="days"), REQUIRED),
        "query_gb_per_month": (f.number(unit="GB"), 0.0),
        "processed_ratio": (f.number(unit="processed GB per ingested GB"), None),
        "starts_full": (f.flag, True), "growth": _GROWTH,
    }, volume=("ingest_gb_per_day", "query_gb_per_month"), capabilities=_caps(
        "ddu", *((f"{c}_{dim}", f"{name}: {dim_label}") for c, name in _GRAIL for dim, dim_label in _GRAIL_DIMENSIONS)),
        consume=_consume_grail, dps=_dps_grail),
    Section("traces", "trace source", {
        "name": _NAME, "spans_per_day": (f.number(unit="spans"), REQUIRED), "growth": _GROWTH,
    }, volume=("spans_per_day",), capabilities=_caps("ddu", ("custom_traces", "Custom traces")),
        consume=_consume_traces, dps=_dps_traces),
    Section("custom_events", "custom event source", {
        "name": _NAME, "kind": (f.choice("kubernetes", "external", "log"), "kubernetes"),
        "events_per_day": (f.number(unit="events"), REQUIRED), "growth": _GROWTH,
    }, volume=("events_per_day",), capabilities=_caps("ddu", ("custom_events", "Custom events")),
        consume=_consume_custom_events, dps=_dps_custom_events),
    Section("serverless", "serverless function group", {
        "name": _NAME, "invocations_per_day": (f.number(unit="invocations"), REQUIRED),
        "on_oneagent_host": (f.flag, False), "growth": _GROWTH,
    }, volume=("invocations_per_day",), capabilities=_caps("ddu", ("serverless", "Serverless functions")),
        consume=_consume_serverless, dps=_dps_serverless),
    Section("custom_metrics", "custom metric source", {
        "name": _NAME, "metrics_per_minute": (f.number(unit="metric data points per minute"), REQUIRED),
        "growth": _GROWTH,
    }, volume=("metrics_per_minute",),
        capabilities=_caps("ddu", ("custom_metrics", "Custom metrics (beyond hosts' included)")),
        consume=_consume_custom_metrics, dps=_dps_custom_metrics),
    Section("cloud_automation", "cloud automation source", {
        "name": _NAME, "executions_per_day": (f.number(unit="service executions"), REQUIRED),
        "workflows": (f.number(whole=True, unit="standard workflows (DPS)"), 0.0), "growth": _GROWTH,
    }, volume=("executions_per_day", "workflows"), capabilities=_caps("cau", ("cloud_automation", "Cloud automation")),
        consume=_consume_cloud_automation, dps=_dps_cloud_automation),
    Section("mainframe", "mainframe LPAR", {
        "name": _NAME, "peak_msu": (f.number(unit="MSU, peak 4-hour rolling average"), REQUIRED),
        "licensed_msu": (f.number(unit="MSU"), None),
        # disabled: the peak MSU values are reported every 6 months (docs/rules.md#msu-reporting-disabled)
        "reporting": (f.choice("enabled", "disabled"), "enabled"),
        "average_msu": (f.number(unit="MSU, average over the hours monitored (DPS)"), None), "growth": _GROWTH,
    }, volume=("peak_msu",), capabilities=_caps("msu", ("mainframe", "Mainframe")), consume=_consume_mainframe,
        dps=_dps_mainframe),
    Section("kubernetes", "Kubernetes cluster", {
        "name": _NAME, "pods": (f.number(unit="pods not on full-stack hosts"), None),
        "nodes": (f.number(unit="nodes not monitored full-stack"), None),
        "containers": (f.number(unit="containers with Code Monitoring"), 0.0),
        "hours_per_day": (f.number(maximum=24, unit="h"), 24.0), "growth": _GROWTH,
    }, volume=("pods", "nodes", "containers"), one_of=("pods", "nodes"), capabilities=(), consume=_consume_kubernetes,
        dps=_dps_kubernetes),
)}

#: Each Grail DDU capability key -> (Grail capability, dimension): ``'log_management_retain'`` ->
#: ``('log_management', 'retain')``, so that no face recovers them from the key's text.
GRAIL_PARTS: dict[str, tuple[str, str]] = {f"{c}_{dim}": (c, dim) for c, _ in _GRAIL for dim, _ in _GRAIL_DIMENSIONS}
#: Synthetic monitor kinds (``synthetic`` section ``kind`` field) -> their DEM capability key.
SYNTHETIC_CAPABILITIES: dict[str, str] = {kind: f"synthetic_{kind}" for kind, _ in _SYNTHETIC_KINDS}
#: Grail capabilities (``grail`` section ``capability`` field) -> their label (``'Logs'``).
GRAIL_CAPABILITIES: dict[str, str] = dict(_GRAIL)
#: DPS capabilities, keyed by (unit, capability): one per DPS unit (docs/rules.md#dps-quantities).
DPS_CAPABILITIES: dict[tuple[str, str], Capability] = {
    (u, u): Capability(u, u, UNITS[u].name) for u in DPS_UNITS}

#: Every capability, keyed by (unit, capability), in the registry's order.
CAPABILITIES: dict[tuple[str, str], Capability] = {
    (c.unit, c.key): c for s in SECTIONS.values() for c in s.capabilities}


def capability_label(unit: str, key: str) -> str:
    """The label of a capability: ``capability_label("dem", "rum_sessions")`` is
    ``'RUM sessions'``; an unknown one reads as its key with spaces."""
    found = CAPABILITIES.get((unit, key)) or DPS_CAPABILITIES.get((unit, key))
    return found.label if found else str(key).replace("_", " ").capitalize()
