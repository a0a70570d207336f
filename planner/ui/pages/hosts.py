"""Hosts dashboard: full-stack versus infrastructure monitoring, as the engine sees it.

A slider moves N hosts of a group to the other monitoring mode. The page is a
view of the engine: the move is a :class:`planner.model.MoveHosts` change on
the day chosen (the horizon's first by default), added to the scenario's own
dated changes, so a move the engine refuses is refused here with the CLI's line
(for an uploaded inventory, the first N hosts of the group in the file's order
take the new mode for the whole horizon), :func:`planner.engine.forecast`
runs the derived scenario, and the page shows contract year 1 of the forecast:
peak host units, host unit hours, custom-metric DDU and ASU. Per-host figures
of an inventory come from :func:`planner.sections.inventory_amounts`, the
function behind ``planner hosts``.

Flow: inputs (:class:`HostsInputs`) -> :func:`move_view` (scenario ->
forecast -> :class:`MoveView`) -> render.
"""

from __future__ import annotations

import dataclasses
import html
import time
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from planner.engine import readmodel
from planner.engine import Forecast, forecast
from planner.whatif import what_if_yaml
from planner.hosts import MODES
from planner.model import Driver, MoveHosts, Scenario
from planner.engine.readmodel import host_defaults
from planner.scenario import ScenarioError, examples_folder, load_scenario, read_inventory
from planner.sections import APPSEC, CAPABILITIES, INVENTORY_AMOUNTS, inventory_amounts, inventory_totals
from planner.ui import (
    Dashboard, KpiCard, MessageArea, Table, chart, control, field, figures, kpi_row, note,
    read_uploaded_inventory, section, show_figure, uploaded_files,
)
from planner.ui.kit import format as fmt
from planner.ui.kit.inputs import counted, guard_figures, silenced
from planner.ui.kit.saver import OnDemandDownload, ScenarioDownload
from planner.ui.kit.uploads import inventory_upload
from planner.ui.kit.estate import Estate, EstateLink

__all__ = [
    "UNITS_SHOWN", "TOP_HOSTS", "HostEstate", "HostsInputs", "MoveView", "example_inventory",
    "scenario_estate", "inventory_estate", "moved_scenario", "move_sweep", "move_view",
    "move_figure", "totals_text", "hosts_text", "what_if_file", "dashboard",
]

#: Units the page shows (contract year 1): host units are the peak in use, the others sums.
UNITS_SHOWN = ("host_units", "host_unit_hours", "ddu", "asu")
#: Rows of the per-host table (the hosts with the most host units); the download has all.
TOP_HOSTS = 25
_SWEEP_POINTS = 11
_CARDS = {"host_units": ("host-units", "Peak host units, year 1"),
          "host_unit_hours": ("host-unit-hours", "Host unit hours, year 1"),
          "ddu": ("metric-ddu", "Custom-metric DDU, year 1"),
          "asu": ("asu", "Application security, year 1")}


def _mode_label(mode: str) -> str:
    return CAPABILITIES[("host_units", mode)].label


def _appsec_label(level: str) -> str:
    return "none" if level == "none" else CAPABILITIES[("asu", level)].label


def example_inventory() -> pd.DataFrame:
    """The built-in example inventory (``planner/examples/inventory.csv``)."""
    return read_inventory(examples_folder() / "inventory.csv", name="inventory.csv")


# --- the estate the page plans, and its inputs -------------------------------------------

@dataclass(frozen=True)
class HostEstate:
    """The host groups of the page: a scenario's host section, or an uploaded inventory.

    Attributes
    ----------
    scenario : Scenario
        Only the host groups (other sections do not change with a move).
    source : str
        Where the hosts come from, for notes.
    per_host : DataFrame or None
        An inventory's :func:`planner.sections.inventory_amounts` (per host and day).
    """

    scenario: Scenario
    source: str
    per_host: pd.DataFrame | None = None

    @property
    def groups(self) -> dict[str, Driver]:
        return dict(self.scenario.drivers)

    def hosts(self, group: str, date: pd.Timestamp | None = None) -> int:
        """Whole hosts of a group on ``date`` (default: the first day), as the
        engine counts them with growth and the scenario's earlier changes
        (:func:`planner.engine.readmodel.hosts_on`) [hosts]."""
        driver = self.scenario.drivers[group]
        if driver.inventory is not None:
            return len(driver.inventory)
        if date is None or pd.Timestamp(date) == self.scenario.start:
            return int(readmodel.hosts_on(self.scenario, group, self.scenario.start) + 1e-9)
        return int(readmodel.hosts_on(self.scenario, group, date) + 1e-9)

    def mode(self, group: str) -> str:
        driver = self.scenario.drivers[group]
        return str(driver.inventory["mode"].iloc[0] if driver.inventory is not None else driver.values["mode"])


@dataclass(frozen=True)
class HostsInputs:
    """The page's state: which group, how many hosts move, and their new appsec level."""

    group: str
    moved: int = 0
    to_appsec: str | None = None     # None: unchanged
    date: pd.Timestamp | None = None  # the day the hosts move; None: the horizon's first day


def scenario_estate(scenario: Scenario) -> HostEstate:
    """The host groups of ``scenario`` (count groups and inventory groups)."""
    hosts = scenario.drivers_of("hosts")
    if not hosts:
        raise ValueError(f"{scenario.name}: the scenario has no host group")
    changes = tuple(c for c in scenario.changes if c.driver in hosts)   # the scenario's own dated changes stay
    return HostEstate(dataclasses.replace(scenario, drivers=hosts, changes=changes), scenario.name)


def inventory_estate(scenario: Scenario, inventory: pd.DataFrame, name: str) -> HostEstate:
    """An inventory as the page's estate: one host group per monitoring mode,
    on ``scenario``'s contract, tables and horizon."""
    defaults = host_defaults()
    drivers = {}
    for mode in (m for m in MODES if (inventory["mode"] == m).any()):
        group = f"{name}: {_mode_label(mode).lower()}"
        drivers[group] = Driver(group, "hosts", {**defaults, "mode": mode}, None,
                                inventory[inventory["mode"] == mode].reset_index(drop=True))
    per_host = inventory_amounts(inventory, scenario.tables)
    return HostEstate(dataclasses.replace(scenario, drivers=drivers, changes=()), name, per_host)


# --- compute: scenario -> forecast -> view model -------------------------------------------

def _other_mode(mode: str) -> str:
    return next(m for m in MODES if m != mode)


def moved_scenario(estate: HostEstate, inputs: HostsInputs) -> Scenario:
    """The estate with ``inputs.moved`` hosts of the group in the other mode from
    the first day: a :class:`MoveHosts` change, or for an inventory group its
    first hosts (file order) with the new mode."""
    hosts = estate.hosts(inputs.group, inputs.date)
    if not 0 <= inputs.moved <= hosts or inputs.moved != int(inputs.moved):
        on = "" if inputs.date is None else f" on {inputs.date.date()}"
        raise ValueError(f"Hosts moved: a whole number from 0 to the group's {hosts:,} hosts{on}; "
                         f"got {inputs.moved!r}")
    if inputs.moved == 0:
        return estate.scenario
    values = {"mode": _other_mode(estate.mode(inputs.group))}
    if inputs.to_appsec:
        values["appsec"] = inputs.to_appsec
    driver = estate.scenario.drivers[inputs.group]
    if driver.inventory is None:
        day = estate.scenario.start if inputs.date is None else pd.Timestamp(inputs.date)
        return estate.scenario.with_changes(MoveHosts(day, inputs.group, inputs.moved, values))
    inventory = driver.inventory.copy()
    for key, value in values.items():
        inventory.loc[: inputs.moved - 1, key] = value
    return estate.scenario.with_drivers(dataclasses.replace(driver, inventory=inventory))


def _year_one(f: Forecast, by: str) -> pd.DataFrame:
    """Contract year 1 of a forecast (:func:`planner.engine.readmodel.consumption`): index ``by``,
    one column per unit shown."""
    year = readmodel.consumption(f, 1, by)["value"]
    wide = year[year.index.get_level_values("unit").isin(UNITS_SHOWN)].unstack("unit")
    return wide.reindex(columns=list(UNITS_SHOWN)).fillna(0.0)


def move_sweep(estate: HostEstate, group: str, to_appsec: str | None = None,
               date: pd.Timestamp | None = None) -> pd.DataFrame:
    """Year-1 amounts of ``group`` against the number of hosts moved (up to
    11 forecasts from none to all): index ``moved``, columns :data:`UNITS_SHOWN`."""
    steps = np.unique(np.linspace(0, estate.hosts(group, date), num=_SWEEP_POINTS).round().astype(int))
    rows = {}
    for n in steps:
        try:
            rows[int(n)] = _year_one(forecast(moved_scenario(estate, HostsInputs(group, int(n), to_appsec, date))),
                                     "driver").reindex([group]).fillna(0.0).loc[group]
        except ScenarioError:   # more hosts than a later move of the scenario leaves: refused, as the CLI does
            break
    return pd.DataFrame(rows).T.rename_axis("moved")


@dataclass(frozen=True)
class MoveView:
    """What the page shows for one setting.

    ``group_year`` and ``group_base`` are the group's contract-year-1 amounts
    with and without the move, by unit (host units: peak [HU]; host unit hours
    [HU h], DDU, ASU: sums); ``by_capability`` is the whole estate's year 1
    by (unit, capability), columns ``before`` and ``after``.
    """

    inputs: HostsInputs
    hosts: int
    from_mode: str
    to_mode: str
    group_year: dict[str, float]
    group_base: dict[str, float]
    by_capability: pd.DataFrame
    sweep: pd.DataFrame


def move_view(estate: HostEstate, inputs: HostsInputs, sweep: pd.DataFrame | None = None,
              base: Forecast | None = None) -> MoveView:
    """Forecast the estate with and without the move (``sweep`` from
    :func:`move_sweep` and ``base``, the estate's forecast, are computed here
    when not given)."""
    base = base or forecast(estate.scenario)
    after = forecast(moved_scenario(estate, inputs))
    table = pd.concat({"before": _by_capability(base), "after": _by_capability(after)}, axis=1).fillna(0.0)
    mode = estate.mode(inputs.group)
    return MoveView(inputs, estate.hosts(inputs.group, inputs.date), mode, _other_mode(mode),
                    _year_one(after, "driver").reindex([inputs.group]).fillna(0.0).loc[inputs.group].to_dict(),
                    _year_one(base, "driver").reindex([inputs.group]).fillna(0.0).loc[inputs.group].to_dict(), table,
                    move_sweep(estate, inputs.group, inputs.to_appsec, inputs.date) if sweep is None else sweep)


def _by_capability(f: Forecast) -> pd.Series:
    year = readmodel.consumption(f, 1, "capability")["value"]
    return year[year.index.get_level_values("unit").isin(UNITS_SHOWN)]


def what_if_file(base: Scenario, estate: HostEstate, inputs: HostsInputs, *, extends: str | None = None) -> str:
    """The page's move as a scenario file that ``extends`` ``base`` (:func:`planner.whatif.what_if_yaml`):
    ``planner forecast`` on it gives the page's figures."""
    return what_if_yaml(base, moved_scenario(estate, inputs), extends=extends, sections=("hosts",))


# --- render helpers (pure: view model -> figure or text table) ----------------------------

def move_figure(view: MoveView) -> go.Figure:
    """One panel per unit: the group's year-1 amount against the hosts moved, the setting marked."""
    panels = [(f"{fmt.unit_name(u)}, year 1 [{fmt.symbol(u)}]", u, {view.inputs.group: view.sweep[u].to_numpy()})
              for u in UNITS_SHOWN]
    return figures.curves(view.sweep.index.to_numpy(), panels, marker=view.inputs.moved,
                          title=f"{view.inputs.group}: moving hosts from {_mode_label(view.from_mode).lower()} "
                                f"to {_mode_label(view.to_mode).lower()}", x_title="Hosts moved")


def totals_text(view: MoveView) -> pd.DataFrame:
    """The estate's year 1 by capability, before and after the move, with units."""
    rows = view.by_capability.reset_index()
    return pd.DataFrame({
        "Unit": [fmt.unit_name(u) for u in rows["unit"]],
        "Capability": [fmt.capability(c, u) for u, c in zip(rows["unit"], rows["capability"])],
        "No move": [fmt.quantity(v, u) for u, v in zip(rows["unit"], rows["before"])],
        f"{view.inputs.moved:,} moved": [fmt.quantity(v, u) for u, v in zip(rows["unit"], rows["after"])]})


_PER_HOST_HEADERS = {  # column of inventory_amounts -> header; decimals: planner.engine.readmodel.per_host_decimals
    "host_units": "Host units", "included_custom_metrics": "Included metrics",
    "host_unit_hours_per_day": "Host unit hours", "custom_metric_ddu_per_day": "Custom-metric DDU",
    "asu_per_day": "ASU"}


def hosts_text(per_host: pd.DataFrame, top: int = TOP_HOSTS, tables: Any = None) -> pd.DataFrame:
    """The ``top`` hosts with the most host units, formatted (amounts per day)."""
    rows = per_host.nlargest(top, "host_units", keep="first")
    out = pd.DataFrame({
        "Host": rows["host"].astype(str), "RAM": [fmt.quantity(v, "GiB") for v in rows["ram_gib"]],
        "Mode": [_mode_label(m) for m in rows["mode"]],
        "Hours": [fmt.quantity(v, "h/day") for v in rows["hours_per_day"]],
        "Custom metrics": [fmt.quantity(v, "metrics/min") for v in rows["custom_metrics_per_minute"]],
        "AppSec": [_appsec_label(a) for a in rows["appsec"]]})
    places = readmodel.per_host_decimals(tables)
    for key, header in _PER_HOST_HEADERS.items():
        out[header] = [fmt.quantity(v, INVENTORY_AMOUNTS[key], places[key]) for v in rows[key]]
    return out


def _mode_totals_text(per_host: pd.DataFrame, tables: Any = None) -> pd.DataFrame:
    totals = inventory_totals(per_host)
    out = pd.DataFrame({"Mode": [_mode_label(m) if m in MODES else "Total" for m in totals["mode"]],
                        "Hosts": [counted(v, "host") for v in totals["hosts"]]})
    places = readmodel.per_host_decimals(tables)
    for key, header in _PER_HOST_HEADERS.items():
        out[header] = [fmt.quantity(v, INVENTORY_AMOUNTS[key], places[key]) for v in totals[key]]
    return out


# --- the page -------------------------------------------------------------------------------

@dataclass
class _Page:
    """The page's state (estate, inputs, cached sweep) and its widgets."""

    estate: HostEstate
    inputs: HostsInputs
    messages: MessageArea
    scenario: Scenario | None = None      # the user's scenario (an inventory is planned on it)
    sweep_key: tuple[Any, ...] = ()
    sweep: pd.DataFrame | None = None
    base: Forecast | None = None
    view: MoveView | None = None
    w: dict[str, Any] = dataclasses.field(default_factory=dict)

    def compute(self) -> MoveView:
        key = (id(self.estate), self.inputs.group, self.inputs.to_appsec, self.inputs.date)
        if key != self.sweep_key:
            self.sweep, self.sweep_key = move_sweep(self.estate, self.inputs.group, self.inputs.to_appsec,
                                                    self.inputs.date), key
        if self.base is None or self.base.scenario is not self.estate.scenario:
            self.base = forecast(self.estate.scenario)
        self.view = move_view(self.estate, self.inputs, self.sweep, self.base)
        return self.view


def _group_options(estate: HostEstate) -> list[tuple[str, str]]:
    def label(name: str) -> str:
        mode = "" if estate.per_host is not None else f", {_mode_label(estate.mode(name)).lower()}"
        return f"{name} ({counted(estate.hosts(name), 'host')}{mode})"
    return [(label(name), name) for name in estate.groups]


def _show_move(page: _Page) -> None:
    view, w = page.compute(), page.w
    w["move_label"].value = (f'<span class="planner-label">Hosts moved to {_mode_label(view.to_mode).lower()}: '
                             f"<b>{view.inputs.moved:,}</b> of {view.hosts:,}</span>")
    for unit, card in w["cards"].items():
        card.set(view.group_year[unit], f"{fmt.quantity(view.group_year[unit] - view.group_base[unit], unit, signed=True)}"
                                        " vs. no move")
    w["totals"].update(totals_text(view))
    show_figure(w["chart"], move_figure(view))


def _show_group(page: _Page) -> None:
    estate, group, w = page.estate, page.inputs.group, page.w
    driver = estate.scenario.drivers[group]
    if driver.inventory is None:
        v = driver.values
        text = (f"{counted(v['count'], 'host')} of {fmt.quantity(v['ram_gib'], 'GiB')}, "
                f"{_mode_label(v['mode']).lower()}, {fmt.quantity(v['custom_metrics_per_minute'], 'metrics/min')} "
                f"per host, {fmt.quantity(v['hours_per_day'], 'h/day')}, application security: "
                f"{_appsec_label(v['appsec'])}")
    else:
        text = (f"{counted(estate.hosts(group), 'host')} of {html.escape(estate.source)} in "
                f"{_mode_label(estate.mode(group)).lower()} mode; the slider moves the first N in the file's order")
    growth = f"; grows {driver.growth.monthly():.2%} a month" if driver.growth else ""
    when = (f"Moved hosts change mode on {fmt.day(page.inputs.date or estate.scenario.start)}"
            if driver.inventory is None else "Moved hosts take the new mode for the whole horizon")
    w["group_note"].value = (f'<div class="planner-note-text"><b>{html.escape(group)}</b>: {text}{growth}. '
                             f"{when}; figures are contract year 1 of the forecast.</div>")


def _show_inventory(page: _Page) -> None:
    w, per_host = page.w, page.estate.per_host
    w["inventory_box"].children = [w["inventory_note"], w["hosts"], w["download"],
                                   w["mode_totals"]] if per_host is not None else [w["inventory_note"]]
    w["download"].source(lambda: page.estate.per_host)
    if per_host is None:
        w["inventory_note"].value = ('<div class="planner-note-text">Upload a host inventory (CSV or XLSX) to '
                                     "plan its hosts: the page then moves the inventory's hosts.</div>")
        return
    shown = min(TOP_HOSTS, len(per_host))
    w["inventory_note"].value = (f'<div class="planner-note-text">{html.escape(page.estate.source)}: '
                                 f"{counted(len(per_host), 'host')}; the {shown:,} with the most host "
                                 "units, amounts per host and day (the download has every host).</div>")
    w["hosts"].update(hosts_text(per_host, tables=page.estate.scenario.tables))
    w["mode_totals"].update(_mode_totals_text(per_host, page.estate.scenario.tables))


def _set_estate(page: _Page, estate: HostEstate, group: str | None = None) -> None:
    w = page.w
    page.estate = estate
    page.inputs = HostsInputs(group or next(iter(estate.groups)), date=_move_date(w))
    with silenced(w["on_change"], w["group"], w["move"], w["appsec"]):
        w["date"].disabled = estate.per_host is not None    # an inventory's hosts move for the whole horizon
        w["group"].options = _group_options(estate)
        w["group"].value = page.inputs.group
        w["move"].value, w["move"].max = 0, estate.hosts(page.inputs.group)
        w["appsec"].value = ""
    _show_group(page)
    _show_move(page)
    _show_inventory(page)


def _move_date(w: dict[str, Any]) -> pd.Timestamp | None:
    """The move date the picker shows (None: empty, the horizon's first day)."""
    return pd.Timestamp(w["date"].value) if w["date"].value else None


def _read_upload(page: _Page, scenario: Scenario, name: str, content: bytes) -> None:
    progress, began = page.w["progress"], time.perf_counter()
    progress.value = f'<div class="planner-note-text">Reading {html.escape(name)} …</div>'
    try:
        frame = read_uploaded_inventory(name, content)
        progress.value = (f'<div class="planner-note-text">Planning {len(frame):,} hosts of '
                          f"{html.escape(name)} …</div>")
        _set_estate(page, inventory_estate(scenario, frame, name))
    except Exception:
        progress.value = ""
        raise
    progress.value = (f'<div class="planner-note-text">{html.escape(name)}: {len(frame):,} hosts read and '
                      f"planned in {time.perf_counter() - began:.1f} s.</div>")


def _widgets(page: _Page) -> dict[str, Any]:
    w: dict[str, Any] = {
        "group": control(widgets.Dropdown(options=_group_options(page.estate), value=page.inputs.group), "group"),
        "move": control(widgets.IntSlider(value=0, min=0, max=page.estate.hosts(page.inputs.group), step=1,
                                          readout=False, continuous_update=False), "move-hosts"),
        "appsec": control(widgets.Dropdown(options=[("unchanged", "")] + [(_appsec_label(a), a) for a in APPSEC],
                                           value=""), "to-appsec"),
        "date": control(widgets.DatePicker(value=page.estate.scenario.start.date(),
                                           min=page.estate.scenario.start.date(),
                                           max=page.estate.scenario.end.date()), "move-date"),
        "upload": control(inventory_upload("Inventory"), "upload-inventory"), "estate": EstateLink(),
        "progress": note(name="upload-progress"), "group_note": note(name="group"), "move_label": widgets.HTML(),
        "cards": {u: KpiCard(css, label, u, decimals=1 if u == "host_units" else None)
                  for u, (css, label) in _CARDS.items()},
        "chart": chart("move"), "totals": Table("mode-totals"), "inventory_note": note(name="inventory"),
        "hosts": Table("hosts"), "mode_totals": Table("inventory-totals"),
        "download": OnDemandDownload("hosts", label="Every host", messages=page.messages),
        "what_if": ScenarioDownload("hosts-what-if", lambda: what_if_file(page.scenario, page.estate, page.inputs),
                                    messages=page.messages)}
    w["inventory_box"] = widgets.VBox([w["inventory_note"]], layout=widgets.Layout(width="100%"))
    return w


def _use_estate(page: _Page, estate: Estate) -> None:
    """The user's scenario: its host groups, contract and horizon."""
    page.scenario, w = estate.scenario(), page.w
    with silenced(w["on_change"], w["date"]):       # the move date within the new horizon, its first day
        w["date"].min = w["date"].max = None
        w["date"].value = page.scenario.start.date()
        w["date"].min, w["date"].max = page.scenario.start.date(), page.scenario.end.date()
    _set_estate(page, scenario_estate(page.scenario))


def _wire(page: _Page) -> None:
    w = page.w

    @guard_figures(page.messages, w["cards"].values())
    def on_change(change: Any = None) -> None:
        if change is not None and change["owner"] is w["group"]:
            _set_estate(page, page.estate, w["group"].value)
            return
        page.inputs = HostsInputs(w["group"].value, int(w["move"].value), w["appsec"].value or None,
                                  _move_date(w))
        if change is not None and change["owner"] is w["date"]:
            with silenced(w["on_change"], w["move"]):   # the slider spans the hosts on the move date
                w["move"].max = page.estate.hosts(page.inputs.group, page.inputs.date)
            page.inputs = dataclasses.replace(page.inputs, moved=int(w["move"].value))
            _show_group(page)
        _show_move(page)

    @guard_figures(page.messages, w["cards"].values())
    def on_upload(change: Any = None) -> None:
        files = uploaded_files(w["upload"].value)[:1]
        if files:
            w["upload"].value = ()      # the file's bytes need not stay in the widget's state
        for name, content in files:
            _read_upload(page, page.scenario, name, content)

    w["on_change"] = on_change
    for key in ("group", "move", "appsec", "date"):
        w[key].observe(on_change, "value")
    w["upload"].observe(on_upload, "value")
    w["upload"].observe(lambda change: change.new and page.messages.error(change.new), "error")
    w["estate"].on_change(guard_figures(page.messages, w["cards"].values())(lambda e: _use_estate(page, e)))
    w["estate"].on_error(page.messages.error)


def _layout(page: _Page) -> Dashboard:
    w = page.w
    controls = [
        widgets.HTML("<h3>Move hosts</h3>"),
        field("Host group", w["group"]),
        widgets.VBox([w["move_label"], w["move"]]),
        field("Application security of the moved hosts", w["appsec"]),
        field("Move on", w["date"], "A day of the horizon; the scenario's own dated changes stay, and a move "
                                    "a later change of the scenario cannot follow is refused, as the CLI does."),
        widgets.HTML("<h3>Inventory</h3>"),
        field("Upload a host inventory", w["upload"],
              "CSV or XLSX: host, ram_gib, mode; optional hours_per_day, custom_metrics_per_minute, appsec. "
              "It replaces the host groups above."),
        w["progress"],
    ]
    main = [w["group_note"], kpi_row(*w["cards"].values()), w["chart"],
            section("Year 1 by capability: every host group", w["totals"], w["what_if"]),
            section("Inventory", w["inventory_box"])]
    return Dashboard("hosts", "Move hosts between modes",
                     "Move hosts between monitoring modes and see peak host units, host unit hours, "
                     "custom-metric DDU and ASU of contract year 1 move with them.", controls, main, page.messages,
                     w["estate"])


def dashboard(scenario: Scenario | None = None, inventory: pd.DataFrame | None = None,
              group: str | None = None, *, inventory_name: str = "inventory") -> Dashboard:
    """The hosts page.

    Parameters
    ----------
    scenario : Scenario, optional
        Whose host groups the slider moves, and whose contract and horizon the
        forecast uses; the built-in example by default.
    inventory : DataFrame, optional
        Start from this inventory (:func:`planner.scenario.read_inventory`)
        instead of the scenario's host groups.
    group : str, optional
        The host group selected first (the first group by default).
    """
    scenario = scenario or load_scenario()
    estate = scenario_estate(scenario) if inventory is None else inventory_estate(scenario, inventory,
                                                                                  inventory_name)
    page = _Page(estate, HostsInputs(group or next(iter(estate.groups))), MessageArea(), scenario)
    page.w = _widgets(page)
    _wire(page)
    _set_estate(page, estate, page.inputs.group)
    return _layout(page)
