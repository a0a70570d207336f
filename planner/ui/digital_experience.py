"""Digital experience dashboard: DEM units per month of Real User Monitoring
(sessions, Session Replay share, defined properties) and synthetic monitors
(:func:`planner.rum_dem`, :func:`planner.clickpath_actions`,
:func:`planner.http_requests`, :func:`planner.synthetic_dem`).

A month here is 30 days for the synthetic monitors (RUM is given per month).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from planner.dem import clickpath_actions, http_requests, rum_dem, synthetic_dem
from planner.scenario import Scenario, load_scenario
from planner.ui import figures
from planner.ui import format as fmt
from planner.ui.widgets import (
    Dashboard, DownloadLinks, KpiCard, MessageArea, Table, chart, control, field, guard, kpi_row,
    note, section, show_figure,
)

__all__ = [
    "DAYS_A_MONTH", "KINDS", "rum_month", "monitor_month", "breakdown", "breakdown_figure",
    "replay_figure", "scenario_inputs", "dashboard",
]

#: Days in the month the synthetic monitors are counted over.
DAYS_A_MONTH = 30
#: Synthetic monitor kinds: label and what one run produces.
KINDS = {"browser": ("Browser monitor", "synthetic actions"),
         "clickpath": ("Browser clickpath", "synthetic actions"),
         "http": ("HTTP monitor", "requests"),
         "third_party": ("Third-party monitor", "results")}
FREQUENCIES = (1, 2, 5, 10, 15, 30, 60, 120, 240)


def rum_month(sessions: float, replay_share: float = 0.0, properties: int = 0, *,
              tables: Any = None) -> dict[str, float]:
    """DEM units per month of one application's RUM.

    Parameters
    ----------
    sessions : float
        Billable sessions per month.
    replay_share : float
        Share 0..1 of the sessions captured with Session Replay (1.00 each
        instead of 0.25).
    properties : int
        Defined properties per session (those above the free 20 cost 0.01 each).

    Returns
    -------
    dict
        ``rum_sessions``, ``session_replay`` and ``defined_properties`` [DEM units].

    Examples
    --------
    >>> rum_month(3_000_000, 0.10, 25)
    {'rum_sessions': 675000.0, 'session_replay': 300000.0, 'defined_properties': 150000.0}
    """
    if not 0 <= replay_share <= 1:
        raise ValueError(f"replay share must be between 0 and 100 %; got {replay_share:.0%}")
    plain = rum_dem(sessions * (1 - replay_share), tables=tables)
    replay = rum_dem(sessions * replay_share, replay=True, tables=tables)
    extra = rum_dem(sessions, properties=properties, tables=tables) - rum_dem(sessions, tables=tables)
    return {"rum_sessions": float(plain), "session_replay": float(replay),
            "defined_properties": round(float(extra), 6)}


def monitor_month(kind: str, per_run: float, frequency_minutes: float, locations: int,
                  days: float = DAYS_A_MONTH, *, tables: Any = None) -> tuple[float, float]:
    """Volume and DEM units of one synthetic monitor over ``days``.

    Returns
    -------
    (float, float)
        Actions, requests or results (see :data:`KINDS`), and DEM units.

    Examples
    --------
    >>> monitor_month("clickpath", 3, 15, 2)    # 576 actions a day
    (17280.0, 17280.0)
    >>> monitor_month("http", 1, 1, 3)          # 4,320 requests a day at 0.10
    (129600.0, 12960.0)
    """
    count = (http_requests if kind == "http" else clickpath_actions)(per_run, frequency_minutes, locations, days)
    return float(count), float(synthetic_dem(kind, count, tables=tables))


def breakdown(rum: Mapping[str, Any], monitors: Sequence[Mapping[str, Any]], *,
              tables: Any = None) -> pd.DataFrame:
    """DEM units per month by source.

    Parameters
    ----------
    rum : mapping
        ``name``, ``sessions``, ``replay_share``, ``properties`` (see :func:`rum_month`).
    monitors : sequence of mapping
        ``name``, ``kind``, ``per_run``, ``frequency_minutes``, ``locations``.

    Returns
    -------
    DataFrame
        One row per source: ``source``, ``volume`` (per month), ``volume_unit``
        and ``dem`` [DEM units per month].
    """
    parts = rum_month(rum["sessions"], rum["replay_share"], rum["properties"], tables=tables)
    sessions = float(rum["sessions"])
    rows = [{"source": f"{rum['name']}: RUM sessions", "volume": sessions * (1 - rum["replay_share"]),
             "volume_unit": "sessions", "dem": parts["rum_sessions"]},
            {"source": f"{rum['name']}: Session Replay", "volume": sessions * rum["replay_share"],
             "volume_unit": "sessions", "dem": parts["session_replay"]},
            {"source": f"{rum['name']}: defined properties",
             "volume": sessions * max(0, rum["properties"] - 20), "volume_unit": "billed properties",
             "dem": parts["defined_properties"]}]
    for m in monitors:
        volume, dem = monitor_month(m["kind"], m["per_run"], m["frequency_minutes"], m["locations"],
                                    tables=tables)
        rows.append({"source": f"{m['name']} ({KINDS[m['kind']][0].lower()})", "volume": volume,
                     "volume_unit": KINDS[m["kind"]][1], "dem": dem})
    return pd.DataFrame(rows, columns=["source", "volume", "volume_unit", "dem"])


def breakdown_figure(table: pd.DataFrame) -> go.Figure:
    """DEM units per month by source (bars)."""
    return figures.hbars(table.set_index("source")["dem"], unit="dem",
                         title=f"DEM units per month by source ({DAYS_A_MONTH}-day month)")


def replay_figure(rum: Mapping[str, Any], synthetic: float, pool_per_month: float | None = None, *,
                  tables: Any = None) -> go.Figure:
    """DEM units per month against the Session Replay share (0 to 100 %)."""
    shares = np.linspace(0, 1, 101)
    totals = [sum(rum_month(rum["sessions"], s, rum["properties"], tables=tables).values()) + synthetic
              for s in shares]
    limit = (pool_per_month, "annual DEM pool / 12") if pool_per_month else None
    return figures.sweep(shares * 100, {"DEM units per month": totals}, unit="dem",
                         title=f"{rum['name']}: DEM units per month by Session Replay share",
                         x_title="Sessions with Session Replay", x_suffix=" %",
                         marker=rum["replay_share"] * 100, limit=limit)


def scenario_inputs(scenario: Scenario) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """RUM applications and synthetic monitors of a scenario, as the dashboard
    edits them."""
    apps = {n: {"name": n, "sessions": d.values["sessions_per_month"], "replay_share": d.values["replay_share"],
                "properties": int(d.values["properties_per_session"])}
            for n, d in scenario.drivers_of("rum").items()}
    monitors = [{"name": n, "kind": d.values["kind"], "per_run": d.values["per_run"],
                 "frequency_minutes": d.values["frequency_minutes"], "locations": int(d.values["locations"])}
                for n, d in scenario.drivers_of("synthetic").items()]
    return apps, monitors


def dashboard(scenario: Scenario | None = None) -> Dashboard:
    """The digital experience page, starting from a scenario's RUM applications
    and synthetic monitors (the built-in example by default)."""
    messages = MessageArea()
    scenario = scenario or load_scenario()
    tables = scenario.tables
    apps, monitors = scenario_inputs(scenario)
    if not apps:
        apps = {"web": {"name": "web", "sessions": 1_000_000.0, "replay_share": 0.0, "properties": 0}}
    pool = scenario.contract.pools.get("dem")
    pool_month = pool.annual / 12 if pool else None
    state: dict[str, Any] = {"quiet": False, "monitors": [dict(m) for m in monitors], "added": 0}
    first = next(iter(apps.values()))

    app_pick = control(widgets.Dropdown(options=list(apps), value=first["name"]), "application")
    sessions = control(widgets.BoundedIntText(value=int(first["sessions"]), min=0, max=10**11, step=100_000),
                       "sessions")
    replay = control(widgets.IntSlider(value=round(first["replay_share"] * 100), min=0, max=100, step=1,
                                       readout_format="d", continuous_update=False), "replay-share")
    properties = control(widgets.IntSlider(value=first["properties"], min=0, max=100, step=1,
                                           continuous_update=False), "properties")
    monitor_pick = control(widgets.Dropdown(options=_monitor_options(state["monitors"]),
                                            value=0 if state["monitors"] else None), "monitor")
    kind = control(widgets.Dropdown(options=[(v[0], k) for k, v in KINDS.items()], value="clickpath"), "kind")
    per_run = control(widgets.BoundedFloatText(value=1, min=0, max=10_000, step=1), "per-run")
    frequency = control(widgets.Dropdown(options=[(f"every {f} min", f) for f in FREQUENCIES], value=15),
                        "frequency")
    locations = control(widgets.BoundedIntText(value=1, min=0, max=100, step=1), "locations")
    add = control(widgets.Button(description="Add monitor", icon="plus"), "add-monitor")
    remove = control(widgets.Button(description="Remove", icon="trash"), "remove-monitor")

    k_rum = KpiCard("rum-dem", "RUM per month", "dem")
    k_synthetic = KpiCard("synthetic-dem", "Synthetic per month", "dem")
    k_month = KpiCard("dem-month", "DEM units per month", "dem")
    k_year = KpiCard("dem-year", "DEM units per year", "dem")
    k_volume = KpiCard("monitor-volume", "Selected monitor per month", "")
    bars = chart("breakdown")
    sweep = chart("replay")
    table = Table("breakdown")
    download = DownloadLinks("dem-breakdown", label="DEM breakdown", index=False)

    def current_rum() -> dict[str, Any]:
        return {"name": app_pick.value, "sessions": float(sessions.value),
                "replay_share": replay.value / 100, "properties": int(properties.value)}

    def show() -> None:
        rum = current_rum()
        apps[rum["name"]] = rum
        result = breakdown(rum, state["monitors"], tables=tables)
        rum_total = float(result["dem"].iloc[:3].sum())
        synthetic = float(result["dem"].iloc[3:].sum())
        k_rum.set(rum_total, f"{rum['name']}: {fmt.quantity(rum['sessions'], 'sessions')}, "
                             f"{fmt.percent(rum['replay_share'])} with replay")
        k_synthetic.set(synthetic, f"{fmt.quantity(len(state['monitors']), 'monitors')}, "
                                   f"{DAYS_A_MONTH}-day month")
        k_month.set(rum_total + synthetic, "RUM and synthetic")
        share = f"{fmt.percent((rum_total + synthetic) * 12 / pool.annual)} of the annual pool" if pool else ""
        k_year.set((rum_total + synthetic) * 12, share)
        i = monitor_pick.value
        if i is not None and i < len(state["monitors"]):
            row = result.iloc[3 + i]
            k_volume.set(row["volume"], f"{fmt.quantity(row['dem'], 'dem')} per month", unit=row["volume_unit"])
        else:
            k_volume.set_text("no monitor", "add one with \u201cAdd monitor\u201d")
        table.update(pd.DataFrame({
            "Source": result["source"],
            "Volume per month": [fmt.quantity(v, u) for v, u in zip(result["volume"], result["volume_unit"])],
            "DEM units per month": [fmt.quantity(v, "dem") for v in result["dem"]]}))
        download.update(result)
        show_figure(bars, breakdown_figure(result))
        show_figure(sweep, replay_figure(rum, synthetic, pool_month, tables=tables))

    def load_monitor() -> None:
        i = monitor_pick.value
        editing = i is not None and i < len(state["monitors"])
        for w in (kind, per_run, frequency, locations, remove):
            w.disabled = not editing
        if editing:
            m = state["monitors"][i]
            state["quiet"] = True
            try:
                kind.value = m["kind"]
                per_run.value = m["per_run"]
                if m["frequency_minutes"] not in [v for _, v in frequency.options]:
                    frequency.options = sorted({*frequency.options,
                                                (f"every {m['frequency_minutes']:g} min", m["frequency_minutes"])},
                                               key=lambda o: o[1])
                frequency.value = m["frequency_minutes"]
                locations.value = m["locations"]
            finally:
                state["quiet"] = False

    @guard(messages)
    def on_app(change: Any = None) -> None:
        app = apps[app_pick.value]
        state["quiet"] = True
        try:
            sessions.value = int(app["sessions"])
            replay.value = round(app["replay_share"] * 100)
            properties.value = int(app["properties"])
        finally:
            state["quiet"] = False
        show()

    @guard(messages)
    def on_rum(change: Any = None) -> None:
        if not state["quiet"]:
            show()

    @guard(messages)
    def on_monitor_pick(change: Any = None) -> None:
        if state["quiet"]:
            return
        load_monitor()
        show()

    @guard(messages)
    def on_monitor_edit(change: Any = None) -> None:
        i = monitor_pick.value
        if state["quiet"] or i is None:
            return
        state["monitors"][i].update(kind=kind.value, per_run=float(per_run.value),
                                    frequency_minutes=frequency.value, locations=int(locations.value))
        _relabel(monitor_pick, state["monitors"], state)
        show()

    @guard(messages)
    def on_add(button: Any = None) -> None:
        state["added"] += 1
        state["monitors"].append({"name": f"new monitor {state['added']}", "kind": "http", "per_run": 1.0,
                                  "frequency_minutes": 5, "locations": 1})
        _relabel(monitor_pick, state["monitors"], state, select=len(state["monitors"]) - 1)
        load_monitor()
        show()

    @guard(messages)
    def on_remove(button: Any = None) -> None:
        i = monitor_pick.value
        if i is None:
            return
        del state["monitors"][i]
        _relabel(monitor_pick, state["monitors"], state, select=0 if state["monitors"] else None)
        load_monitor()
        show()

    app_pick.observe(on_app, "value")
    for w in (sessions, replay, properties):
        w.observe(on_rum, "value")
    monitor_pick.observe(on_monitor_pick, "value")
    for w in (kind, per_run, frequency, locations):
        w.observe(on_monitor_edit, "value")
    add.on_click(on_add)
    remove.on_click(on_remove)
    load_monitor()
    show()

    controls = [
        widgets.HTML("<h3>Real User Monitoring</h3>"),
        field("Application", app_pick),
        field("Sessions per month", sessions, "Billable sessions (two or more user actions)."),
        field("Session Replay share [%]", replay, "Replay sessions cost 1.00 instead of 0.25 DEM units."),
        field("Defined properties per session", properties, "The first 20 are free, then 0.01 each."),
        widgets.HTML("<h3>Synthetic monitors</h3>"),
        field("Monitor", monitor_pick),
        widgets.HBox([add, remove]),
        field("Kind", kind),
        field("Actions, requests or results per run", per_run),
        field("Frequency", frequency),
        field("Locations", locations),
    ]
    main = [
        note(f"{html.escape(scenario.name)}: RUM per application and month; synthetic monitors over a "
             f"{DAYS_A_MONTH}-day month.", name="scenario"),
        kpi_row(k_rum, k_synthetic, k_month, k_year, k_volume),
        sweep, bars,
        section("DEM units per month by source", table, download),
    ]
    return Dashboard("digital_experience", "DEM units per month",
                     "Sessions, Session Replay, defined properties and synthetic monitors in DEM "
                     "units per month.", controls, main, messages)


def _monitor_options(monitors: Sequence[Mapping[str, Any]]) -> list[tuple[str, int]]:
    return [(f"{m['name']} ({KINDS[m['kind']][0].lower()})", i) for i, m in enumerate(monitors)]


def _relabel(pick: widgets.Dropdown, monitors: Sequence[Mapping[str, Any]], state: dict[str, Any],
             select: int | None = -1) -> None:
    """Refresh the monitor menu's labels without firing its callback."""
    value = pick.value if select == -1 else select
    state["quiet"] = True
    try:
        pick.options = _monitor_options(monitors)
        pick.value = value
    finally:
        state["quiet"] = False
