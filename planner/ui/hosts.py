"""Hosts dashboard: full-stack versus infrastructure monitoring.

A slider moves N hosts of a group to the other mode and shows what moves with
them: host units, included custom metrics, custom-metric DDU and ASU
(:func:`planner.host_units`, :func:`planner.included_custom_metrics`,
:func:`planner.custom_metric_ddu`, :func:`planner.asu_per_hour`). An inventory
(CSV or XLSX) gets a per-host table and totals by mode.
"""

from __future__ import annotations

import html
from importlib import resources
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from planner.appsec import asu_per_hour
from planner.hosts import MODES, custom_metric_ddu, host_units, included_custom_metrics
from planner.scenario import APPSEC, Scenario, load_scenario, read_inventory
from planner.ui import figures
from planner.ui import format as fmt
from planner.ui.widgets import (
    Dashboard, DownloadLinks, KpiCard, MessageArea, Table, chart, control, field, guard, kpi_row,
    note, section, show_figure,
)
from planner.ui.uploads import inventory_upload, read_uploaded_inventory, uploaded_files

__all__ = [
    "MODE_NAMES", "APPSEC_NAMES", "QUANTITIES", "example_inventory", "host_groups", "per_host",
    "move_table", "move_figure", "inventory_table", "mode_totals", "dashboard",
]

MODE_NAMES = {"fullstack": "Full-stack", "infrastructure": "Infrastructure"}
APPSEC_NAMES = {"none": "none", "vulnerability_analytics": "Runtime Vulnerability Analytics",
                "protection": "Runtime Application Protection"}
_APPSEC_SHORT = {"none": "none", "vulnerability_analytics": "vuln. analytics", "protection": "protection"}
DAYS_A_YEAR = 365
#: What the move dashboard shows: column -> (label, unit text).
QUANTITIES = {
    "host_units": ("Host units in use", "HU"),
    "included_metrics": ("Included custom metrics", "metrics/min"),
    "metric_ddu": ("Custom-metric DDU", "DDU/year"),
    "asu": ("Application security", "ASU/year"),
    "host_unit_hours": ("Host unit hours", "HU h/year"),
}


def example_inventory() -> pd.DataFrame:
    """The built-in example inventory (``planner/examples/inventory.csv``)."""
    path = Path(str(resources.files("planner.examples").joinpath("inventory.csv")))
    return read_inventory(path, name="inventory.csv")


def host_groups(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """The host groups of a scenario that have a count (not inventories)."""
    return {name: {**d.values, "name": name, "growth": d.growth}
            for name, d in scenario.drivers_of("hosts").items() if d.inventory is None}


def per_host(ram_gib: Any, mode: str, metrics_per_minute: Any = 0.0, hours_per_day: Any = 24.0,
             appsec: str = "none", *, tables: Any = None) -> dict[str, Any]:
    """What one host consumes per day (scalars or arrays of hosts).

    Returns
    -------
    dict
        ``host_units`` [HU], ``host_unit_hours`` [HU h/day], ``included_metrics``
        [metrics/min], ``metric_ddu`` [DDU/day] (the excess over the included
        metrics) and ``asu`` [ASU/day].
    """
    hours = np.asarray(hours_per_day, dtype=float)
    hu = host_units(ram_gib, mode, tables=tables)
    if isinstance(appsec, str):
        asu = 0.0 if appsec == "none" else asu_per_hour(
            ram_gib, protection=appsec == "protection", tables=tables) * hours
    else:  # one level per host
        levels = np.asarray(appsec)
        asu = np.where(levels == "none", 0.0, 1.0) * np.where(
            levels == "protection", asu_per_hour(ram_gib, protection=True, tables=tables),
            asu_per_hour(ram_gib, tables=tables)) * hours
    return {"host_units": hu, "host_unit_hours": hu * hours,
            "included_metrics": included_custom_metrics(ram_gib, mode, tables=tables),
            "metric_ddu": custom_metric_ddu(metrics_per_minute, ram_gib=ram_gib, mode=mode,
                                            minutes=hours * 60, tables=tables),
            "asu": asu}


def move_table(group: dict[str, Any], moved: Any, to_mode: str | None = None,
               to_appsec: str | None = None, *, tables: Any = None) -> pd.DataFrame:
    """A host group's totals when ``moved`` of its hosts change mode.

    Parameters
    ----------
    group : dict
        A host group: ``count``, ``ram_gib``, ``mode``, ``custom_metrics_per_minute``,
        ``hours_per_day`` and ``appsec``.
    moved : int or array of int
        Hosts moved, 0..count.
    to_mode : str, optional
        Their new mode; the other mode by default.
    to_appsec : str, optional
        Their application-security level; unchanged by default.

    Returns
    -------
    DataFrame
        Index ``moved``; columns of :data:`QUANTITIES`: host units [HU] and
        included metrics [metrics/min] of the group, custom-metric DDU, ASU and
        host unit hours per year (365 days).
    """
    to_mode = to_mode or next(m for m in MODES if m != group["mode"])
    to_appsec = to_appsec or group["appsec"]
    moved = np.atleast_1d(np.asarray(moved, dtype=float))
    count = float(group["count"])
    if np.any(moved < 0) or np.any(moved > count):
        raise ValueError(f"moved hosts must be between 0 and the group's {count:g} hosts; got {moved.tolist()}")
    args = (group["ram_gib"], group["custom_metrics_per_minute"], group["hours_per_day"])
    before = per_host(args[0], group["mode"], args[1], args[2], group["appsec"], tables=tables)
    after = per_host(args[0], to_mode, args[1], args[2], to_appsec, tables=tables)
    table = pd.DataFrame({key: (count - moved) * float(before[key]) + moved * float(after[key])
                          for key in QUANTITIES}, index=pd.Index(moved.astype(int), name="moved"))
    for key in ("metric_ddu", "asu", "host_unit_hours"):
        table[key] *= DAYS_A_YEAR
    return table


def move_figure(group: dict[str, Any], name: str, moved: int, to_mode: str | None = None,
                to_appsec: str | None = None, *, tables: Any = None) -> go.Figure:
    """Four panels: host units, included metrics, custom-metric DDU and ASU of
    the group against the number of hosts moved, the current choice marked."""
    to_mode = to_mode or next(m for m in MODES if m != group["mode"])
    steps = np.unique(np.linspace(0, group["count"], num=min(int(group["count"]) + 1, 101)).round())
    table = move_table(group, steps, to_mode, to_appsec, tables=tables)
    panels = [(f"{label} [{unit}]", unit, {name: table[key].to_numpy()})
              for key, (label, unit) in QUANTITIES.items() if key != "host_unit_hours"]
    return figures.curves(table.index.to_numpy(), panels, marker=moved,
                          title=f"{name}: moving hosts from {MODE_NAMES[group['mode']].lower()} "
                                f"to {MODE_NAMES[to_mode].lower()}",
                          x_title="Hosts moved")


def inventory_table(inventory: pd.DataFrame, *, tables: Any = None) -> pd.DataFrame:
    """Per host of an inventory (from :func:`planner.scenario.read_inventory`):
    its columns plus ``host_units`` [HU], ``host_unit_hours`` [HU h/day],
    ``included_metrics`` [metrics/min], ``metric_ddu`` [DDU/day] and ``asu`` [ASU/day]."""
    table = inventory.copy()
    for key in QUANTITIES:
        table[key] = 0.0
    for mode in MODES:
        rows = table["mode"] == mode
        if rows.any():
            part = table[rows]
            values = per_host(part["ram_gib"].to_numpy(), mode, part["custom_metrics_per_minute"].to_numpy(),
                              part["hours_per_day"].to_numpy(), part["appsec"].to_numpy(), tables=tables)
            for key in QUANTITIES:
                table.loc[rows, key] = np.asarray(values[key], dtype=float)
    return table


def mode_totals(table: pd.DataFrame) -> pd.DataFrame:
    """Totals by mode of an :func:`inventory_table`, and a ``total`` row."""
    keys = ["host_units", "host_unit_hours", "included_metrics", "metric_ddu", "asu"]
    totals = table.groupby("mode")[keys].sum().reindex([m for m in MODES if m in set(table["mode"])])
    totals.insert(0, "hosts", table.groupby("mode").size())
    totals.loc["total"] = totals.sum()
    totals["hosts"] = totals["hosts"].astype(int)
    return totals


_INVENTORY_COLUMNS = {  # column -> (header, unit text for the cells, decimals)
    "host_units": ("Host units", "HU", 3), "host_unit_hours": ("Host unit hours", "HU h/day", 2),
    "included_metrics": ("Included metrics", "metrics/min", 0),
    "metric_ddu": ("Custom-metric DDU", "DDU/day", 1), "asu": ("ASU", "ASU/day", 1),
}


def _inventory_text(table: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "Host": table["host"], "RAM": [fmt.quantity(v, "GiB") for v in table["ram_gib"]],
        "Mode": table["mode"].map(MODE_NAMES), "Hours": [fmt.quantity(v, "h/day") for v in table["hours_per_day"]],
        "Custom metrics": [fmt.quantity(v, "metrics/min") for v in table["custom_metrics_per_minute"]],
        "AppSec": table["appsec"].map(_APPSEC_SHORT)})
    for key, (header, unit, decimals) in _INVENTORY_COLUMNS.items():
        out[header] = [fmt.quantity(v, unit, decimals) for v in table[key]]
    return out


def mode_totals_text(totals: pd.DataFrame) -> pd.DataFrame:
    """:func:`mode_totals` formatted for reading (every number with its unit)."""
    out = pd.DataFrame({"Mode": [MODE_NAMES.get(m, "Total") for m in totals.index],
                        "Hosts": [fmt.quantity(v, "hosts") for v in totals["hosts"]]})
    for key, (header, unit, decimals) in _INVENTORY_COLUMNS.items():
        out[header] = [fmt.quantity(v, unit, decimals) for v in totals[key]]
    return out


def dashboard(scenario: Scenario | None = None, inventory: pd.DataFrame | None = None,
              group: str | None = None) -> Dashboard:
    """The hosts page.

    Parameters
    ----------
    scenario : Scenario, optional
        Whose host groups the slider moves; the built-in example by default.
    inventory : DataFrame, optional
        The inventory shown until one is uploaded; the built-in example by default.
    group : str, optional
        The host group selected first (the scenario's first group by default).
    """
    messages = MessageArea()
    scenario = scenario or load_scenario()
    groups = host_groups(scenario)
    if not groups:
        raise ValueError(f"{scenario.name}: the scenario has no host group with a count")
    tables = scenario.tables
    first = group or next(iter(groups))
    inventory = example_inventory() if inventory is None else inventory

    group_pick = control(widgets.Dropdown(
        options=[(f"{n} ({groups[n]['count']:g} hosts, {MODE_NAMES[groups[n]['mode']].lower()})", n)
                 for n in groups], value=first), "group")
    move = control(widgets.IntSlider(value=0, min=0, max=int(groups[first]["count"]), step=1,
                                     continuous_update=False), "move-hosts")
    appsec_pick = control(widgets.Dropdown(options=[("unchanged", "")] + [(APPSEC_NAMES[a], a) for a in APPSEC],
                                           value=""), "to-appsec")
    upload = control(inventory_upload("Inventory"), "upload-inventory")
    upload.observe(lambda change: change.new and messages.error(change.new), "error")
    group_note = note(name="group")
    move_label = widgets.HTML()
    cards = {key: KpiCard(key.replace("_", "-"), label, unit, decimals=1 if key == "host_units" else None)
             for key, (label, unit) in QUANTITIES.items()}   # host units move in steps of 0.3
    move_chart = chart("move")
    inventory_note = note(name="inventory")
    hosts_table = Table("hosts")
    totals_table = Table("mode-totals")
    download = DownloadLinks("hosts", label="Per-host table", index=False)

    def show_move() -> None:
        g = groups[group_pick.value]
        to_mode = next(m for m in MODES if m != g["mode"])
        move_label.value = (f'<span class="planner-label">Hosts moved to '
                            f'{MODE_NAMES[to_mode].lower()}</span>')
        table = move_table(g, [0, move.value], to_mode, appsec_pick.value or None, tables=tables)
        now, after = table.iloc[0], table.iloc[-1]
        for key, card in cards.items():
            card.set(after[key], f"{fmt.quantity(after[key] - now[key], QUANTITIES[key][1], signed=True)} "
                                 f"vs. no move")
        show_figure(move_chart, move_figure(g, group_pick.value, move.value, to_mode,
                                            appsec_pick.value or None, tables=tables))

    def show_group() -> None:
        g = groups[group_pick.value]
        group_note.value = (
            f'<div class="planner-note-text"><b>{html.escape(group_pick.value)}</b>: '
            f"{fmt.quantity(g['count'], 'hosts')} of {fmt.quantity(g['ram_gib'], 'GiB')}, "
            f"{MODE_NAMES[g['mode']].lower()}, {fmt.quantity(g['custom_metrics_per_minute'], 'metrics/min')} "
            f"per host, {fmt.quantity(g['hours_per_day'], 'h/day')}, application security: "
            f"{APPSEC_NAMES[g['appsec']]}. Group totals below; DDU, ASU and host unit hours per "
            f"year of {DAYS_A_YEAR} days.</div>")

    def show_inventory(frame: pd.DataFrame, name: str) -> None:
        table = inventory_table(frame, tables=tables)
        hosts_table.update(_inventory_text(table))
        totals_table.update(mode_totals_text(mode_totals(table)))
        download.update(table)
        inventory_note.value = (f'<div class="planner-note-text">{html.escape(name)}: '
                                f"{fmt.quantity(len(table), 'hosts')}; amounts per host and day.</div>")

    @guard(messages)
    def on_group(change: Any = None) -> None:
        move.unobserve(on_move, "value")
        appsec_pick.unobserve(on_move, "value")
        try:
            move.value = 0
            move.max = int(groups[group_pick.value]["count"])
            appsec_pick.value = ""
        finally:
            move.observe(on_move, "value")
            appsec_pick.observe(on_move, "value")
        show_group()
        show_move()

    @guard(messages)
    def on_move(change: Any = None) -> None:
        show_move()

    @guard(messages)
    def on_upload(change: Any = None) -> None:
        files = uploaded_files(upload.value)
        if files:
            name, content = files[0]
            show_inventory(read_uploaded_inventory(name, content), name)

    group_pick.observe(on_group, "value")
    move.observe(on_move, "value")
    appsec_pick.observe(on_move, "value")
    upload.observe(on_upload, "value")
    show_group()
    show_move()
    show_inventory(inventory, "Example inventory (planner/examples/inventory.csv)")

    controls = [
        widgets.HTML("<h3>Move hosts</h3>"),
        field("Host group", group_pick),
        widgets.VBox([move_label, move]),
        field("Application security of the moved hosts", appsec_pick),
        widgets.HTML("<h3>Inventory</h3>"),
        field("Upload a host inventory", upload,
              "CSV or XLSX: host, ram_gib, mode; optional hours_per_day, "
              "custom_metrics_per_minute, appsec."),
    ]
    main = [
        group_note,
        kpi_row(*cards.values()),
        move_chart,
        section("Inventory: per host", inventory_note, hosts_table, download),
        section("Inventory: totals by mode", totals_table),
    ]
    return Dashboard("hosts", "Move hosts between modes",
                     "Move hosts between monitoring modes and see host units, included custom "
                     "metrics, custom-metric DDU and ASU move with them.", controls, main, messages)
