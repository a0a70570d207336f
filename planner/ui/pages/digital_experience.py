"""Digital experience dashboard: DEM units of Real User Monitoring and synthetic
monitors in one month, as the engine forecasts them.

The controls change the scenario: an application's sessions, Session Replay
share and defined properties are :meth:`planner.model.Scenario.with_values` of
its RUM driver; the monitors are the scenario's synthetic drivers, edited,
added or removed. :func:`planner.engine.forecast` runs that scenario, and the
page shows the chosen calendar month (its real length) by capability and
driver, and the contract year around it.

Flow: inputs (:class:`DemInputs`) -> :func:`dem_scenario` ->
:func:`dem_view` (forecast -> :class:`DemView`) -> render.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from planner.engine import readmodel
from planner.engine import Forecast, forecast
from planner.whatif import what_if_yaml
from planner.model import Driver, Scenario, driver_values
from planner.scenario import load_scenario
from planner.sections import CAPABILITIES, REQUIRED, SECTIONS, SYNTHETIC_CAPABILITIES
from planner.tableset import resolve
from planner.ui import (
    Dashboard, DownloadLinks, KpiCard, MessageArea, Table, chart, control, field, figures, kpi_row,
    note, section, show_figure,
)
from planner.ui.kit import format as fmt
from planner.ui.kit.inputs import (
    field_check, guard_figures, number_box, read_number, silenced, unused_name, without,
)
from planner.ui.kit.saver import ScenarioDownload
from planner.ui.kit.estate import Estate, EstateLink

__all__ = ["Monitor", "DemInputs", "DemView", "KINDS", "inputs_of", "dem_scenario", "dem_view", "in_force_note",
           "what_if_file",
           "replay_sweep", "breakdown_figure", "replay_figure", "breakdown_text", "dashboard"]

#: Synthetic monitor kinds of the registry (``synthetic`` section).
KINDS = tuple(SYNTHETIC_CAPABILITIES)
FREQUENCIES = (1, 2, 5, 10, 15, 30, 60, 120, 240)
_SECTIONS = ("rum", "synthetic")


def _kind_label(kind: str) -> str:
    return CAPABILITIES[("dem", SYNTHETIC_CAPABILITIES[kind])].label


# --- inputs and the derived scenario ----------------------------------------------------------

@dataclass(frozen=True)
class Monitor:
    """A synthetic monitor as the page edits it (fields of the ``synthetic`` section)."""

    name: str
    kind: str
    per_run: float
    frequency_minutes: float
    locations: float

    def values(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("kind", "per_run", "frequency_minutes", "locations")}


@dataclass(frozen=True)
class DemInputs:
    """The page's state: RUM fields per application, the monitors, the month shown."""

    app: str
    rum: Mapping[str, Mapping[str, float]]      # app -> sessions_per_month, replay_share, properties_per_session
    monitors: tuple[Monitor, ...]
    month: pd.Period

    def with_rum(self, **values: float) -> "DemInputs":
        """The selected application's fields replaced by ``values``."""
        return dataclasses.replace(self, rum={**self.rum, self.app: {**self.rum[self.app], **values}})


def inputs_of(scenario: Scenario) -> DemInputs:
    """The page's first inputs: the scenario's applications and monitors, its first month."""
    rum = {n: {k: d.values[k] for k in ("sessions_per_month", "replay_share", "properties_per_session")}
           for n, d in scenario.drivers_of("rum").items()}
    if not rum:
        raise ValueError(f"{scenario.name}: the scenario has no RUM application")
    monitors = tuple(Monitor(n, **{k: d.values[k] for k in ("kind", "per_run", "frequency_minutes", "locations")})
                     for n, d in scenario.drivers_of("synthetic").items())
    return DemInputs(next(iter(rum)), rum, monitors, scenario.start.to_period("M"))


def dem_scenario(scenario: Scenario, inputs: DemInputs) -> Scenario:
    """``scenario``'s RUM and synthetic drivers with the page's values: each
    application through :meth:`~planner.model.Scenario.with_values`, the
    monitors as synthetic drivers (new ones checked like a scenario file)."""
    keep = {n: d for n, d in scenario.drivers.items() if d.section == "rum" and n in inputs.rum}
    names = {m.name for m in inputs.monitors}
    keep |= {n: d for n, d in scenario.drivers.items() if d.section == "synthetic" and n in names}
    derived = dataclasses.replace(scenario, drivers=keep,
                                  changes=tuple(c for c in scenario.changes if c.driver in keep))
    for app, values in inputs.rum.items():
        if app in derived.drivers:
            derived = derived.with_values(app, **values)
        else:
            derived = derived.with_drivers(Driver(app, "rum", _new_driver("rum", app, values)))
    for m in inputs.monitors:
        if m.name in derived.drivers:
            derived = derived.with_values(m.name, **m.values())
        else:
            derived = derived.with_drivers(Driver(m.name, "synthetic", _new_driver("synthetic", m.name, m.values())))
    return derived


def what_if_file(scenario: Scenario, inputs: DemInputs, *, extends: str | None = None) -> str:
    """The page's applications and monitors as a scenario file that ``extends``
    ``scenario`` (:func:`planner.whatif.what_if_yaml`): ``planner forecast`` on
    it gives the page's figures."""
    return what_if_yaml(scenario, dem_scenario(scenario, inputs), extends=extends, sections=_SECTIONS)


def _new_driver(section: str, name: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a driver added on the page, checked like a scenario file's."""
    what = "monitor" if section == "synthetic" else "application"
    where = lambda path: f"{what} {name!r}" + (f".{path.split('.')[-1]}" if path else "")  # noqa: E731
    checked = driver_values(SECTIONS[section], {"name": name, **values}, "", where)
    checked.pop("name"), checked.pop("growth")
    return checked


# --- compute: forecast -> view model ------------------------------------------------------------

@dataclass(frozen=True)
class DemView:
    """What the page shows for one setting (DEM units).

    ``by_source``: the month's DEM per driver and capability (columns
    ``driver``, ``capability``, ``value``); ``year_total``: the contract year
    containing the month; ``sweep``: the month's total against the selected
    application's Session Replay share (index share 0..1).
    """

    inputs: DemInputs
    by_source: pd.DataFrame
    app_rum: float
    synthetic: float
    month_total: float
    year: int
    year_total: float
    pool: float | None
    sweep: pd.Series
    in_force: Mapping[str, readmodel.InForce] = dataclasses.field(default_factory=dict)

    def overridden(self) -> dict[str, readmodel.InForce]:
        """The selected application's fields that a dated ``set`` of the scenario
        gives in the month shown, over the page's value (field -> value in force)."""
        return {k: v for k, v in self.in_force.items() if v.change is not None}


def _month_by_source(f: Forecast, month: pd.Period) -> pd.DataFrame:
    monthly = f.monthly(("unit", "driver", "capability"))
    rows = monthly[(monthly["month"] == month) & (monthly["unit"] == "dem")]
    return rows[["driver", "capability", "value"]].reset_index(drop=True)


def _contract_year(f: Forecast, month: pd.Period) -> int:
    """The contract year of the month's first day inside the horizon (0 before the contract)."""
    return readmodel.contract_year_of(f.scenario, max(month.start_time, f.scenario.start))


def replay_sweep(scenario: Scenario, inputs: DemInputs, points: int = 11) -> pd.Series:
    """The month's DEM total at Session Replay shares 0, 10 %, ... 100 % of the
    selected application (one forecast each)."""
    shares = np.linspace(0, 1, points)
    totals = [_month_by_source(forecast(dem_scenario(scenario, inputs.with_rum(replay_share=float(s)))),
                               inputs.month)["value"].sum() for s in shares]
    return pd.Series(totals, index=pd.Index(shares, name="replay_share"), name="dem")


def dem_view(scenario: Scenario, inputs: DemInputs, sweep: pd.Series | None = None) -> DemView:
    """Forecast the page's scenario and take the chosen month."""
    derived = dem_scenario(scenario, inputs)
    f = forecast(derived)
    if not (derived.start.to_period("M") <= inputs.month <= derived.end.to_period("M")):
        raise ValueError(f"Month: {fmt.month(inputs.month)} is outside the horizon "
                         f"{fmt.month(derived.start)} to {fmt.month(derived.end)}")
    rows = _month_by_source(f, inputs.month)
    synthetic = rows["driver"].isin([m.name for m in inputs.monitors])
    year = _contract_year(f, inputs.month)
    pool = scenario.contract.pools.get("dem")
    last = min(inputs.month.end_time.normalize(), derived.end)
    in_force = {k: readmodel.in_force(derived, inputs.app, k, last) for k in inputs.rum[inputs.app]}
    return DemView(inputs, rows, float(rows.loc[rows["driver"] == inputs.app, "value"].sum()),
                   float(rows.loc[synthetic, "value"].sum()), float(rows["value"].sum()), year,
                   readmodel.amount(f, year, "dem"), pool.annual if pool else None,
                   replay_sweep(scenario, inputs) if sweep is None else sweep, in_force)


def in_force_note(view: DemView) -> str:
    """Where a dated change of the scenario sets a field the page's controls also set:
    which value is in force in the month shown, and from when (empty: the page's values)."""
    shown = {"replay_share": ("Session Replay share", fmt.percent),
             "sessions_per_month": ("Sessions per month", lambda v: fmt.quantity(v, "sessions")),
             "properties_per_session": ("Defined properties per session", fmt.number)}
    parts = []
    for key, value in view.overridden().items():
        label, text = shown[key]
        parts.append(f"{label}: {text(value.value)} in force from {fmt.day(value.since)} (a dated change of the "
                     f"scenario), not the page's {text(view.inputs.rum[view.inputs.app][key])}")
    return "; ".join(parts)


# --- render helpers (pure) -------------------------------------------------------------------------

def _source(driver: str, capability: str) -> str:
    return f"{driver}: {fmt.capability(capability, 'dem')}"


def breakdown_text(view: DemView) -> pd.DataFrame:
    """The month's DEM units by source, with units."""
    rows = view.by_source
    return pd.DataFrame({"Source": [html.escape(d) for d in rows["driver"]],
                         "Capability": [fmt.capability(c, "dem") for c in rows["capability"]],
                         f"DEM units in {fmt.month(view.inputs.month)}": [fmt.quantity(v, "dem") for v in rows["value"]]})


def breakdown_figure(view: DemView) -> go.Figure:
    """DEM units of the month by source (bars)."""
    values = pd.Series(view.by_source["value"].to_numpy(),
                       index=[_source(d, c) for d, c in zip(view.by_source["driver"], view.by_source["capability"])])
    return figures.hbars(values, unit="dem", title=f"DEM units in {fmt.month(view.inputs.month)} by source "
                                                  f"({view.inputs.month.days_in_month} days)")


def replay_figure(view: DemView) -> go.Figure:
    """The month's DEM units against the selected application's Session Replay share."""
    share = view.inputs.rum[view.inputs.app]["replay_share"]
    limit = (view.pool / 12, "annual DEM pool / 12") if view.pool else None
    return figures.sweep(view.sweep.index.to_numpy() * 100, {f"DEM units in {fmt.month(view.inputs.month)}":
                                                             view.sweep.to_numpy()},
                         unit="dem", title=f"{view.inputs.app}: DEM units in {fmt.month(view.inputs.month)} "
                                           "by Session Replay share",
                         x_title="Sessions with Session Replay", x_suffix=" %", marker=share * 100, limit=limit)


# --- the page -------------------------------------------------------------------------------------

@dataclass
class _Page:
    """State (scenario, inputs, cached sweep) and widgets of the page."""

    scenario: Scenario
    inputs: DemInputs
    messages: MessageArea
    added: int = 0
    sweep_key: Any = None
    sweep: pd.Series | None = None
    w: dict[str, Any] = dataclasses.field(default_factory=dict)

    def compute(self) -> DemView:
        rest = {k: v for k, v in self.inputs.rum[self.inputs.app].items() if k != "replay_share"}
        key = (self.inputs.app, tuple(sorted(rest.items())), tuple(sorted(
            (a, tuple(sorted(v.items()))) for a, v in self.inputs.rum.items() if a != self.inputs.app)),
            self.inputs.monitors, self.inputs.month)
        if key != self.sweep_key:
            self.sweep, self.sweep_key = replay_sweep(self.scenario, self.inputs), key
        return dem_view(self.scenario, self.inputs, self.sweep)


def _hints(tables: Any) -> dict[str, str]:
    t = resolve(tables)
    plain, replay = t.weight("dem_weights", "rum_session"), t.weight("dem_weights", "rum_session_replay")
    free, extra = t.rule("free_defined_properties"), t.weight("dem_weights", "defined_property")
    return {"replay": f"Replay sessions cost {replay:.2f} instead of {plain:.2f} DEM units.",
            "properties": f"The first {free:g} are free, then {extra:.2f} each per session."}


def _monitor_options(monitors: tuple[Monitor, ...]) -> list[tuple[str, int]]:
    return [(f"{m.name} ({_kind_label(m.kind).lower()})", i) for i, m in enumerate(monitors)]


def _widgets(page: _Page) -> dict[str, Any]:
    months = pd.period_range(page.scenario.start, page.scenario.end, freq="M")
    hints = _hints(page.scenario.tables)
    return {
        "app": control(widgets.Dropdown(options=list(page.inputs.rum), value=page.inputs.app), "application"),
        "sessions": number_box(0, "sessions"), "replay_label": widgets.HTML(), "in_force": note(name="in-force"),
        "replay": control(widgets.IntSlider(value=0, min=0, max=100, step=1, readout=False,
                                            continuous_update=False), "replay-share"),
        "properties": number_box(0, "properties"),
        "month": control(widgets.Dropdown(options=[(fmt.month(m), m) for m in months], value=page.inputs.month),
                         "month"),
        "monitor": control(widgets.Dropdown(options=_monitor_options(page.inputs.monitors),
                                            value=0 if page.inputs.monitors else None), "monitor"),
        "kind": control(widgets.Dropdown(options=[(_kind_label(k), k) for k in KINDS], value="clickpath"), "kind"),
        "per_run": number_box(1, "per-run"),
        "frequency": control(widgets.Dropdown(options=[(f"every {f} min", f) for f in FREQUENCIES], value=15),
                             "frequency"),
        "locations": number_box(1, "locations"),
        "add_app": control(widgets.Button(description="Add application", icon="plus"), "add-application"),
        "remove_app": control(widgets.Button(description="Remove", icon="trash"), "remove-application"),
        "estate": EstateLink(), "scenario_note": note(name="scenario"),
        "add": control(widgets.Button(description="Add monitor", icon="plus"), "add-monitor"),
        "remove": control(widgets.Button(description="Remove", icon="trash"), "remove-monitor"),
        "cards": {"rum": KpiCard("rum-dem", "RUM of the application", "dem"),
                  "synthetic": KpiCard("synthetic-dem", "Synthetic monitors", "dem"),
                  "month": KpiCard("dem-month", "DEM units in the month", "dem"),
                  "year": KpiCard("dem-year", "DEM units in the contract year", "dem"),
                  "monitor": KpiCard("monitor-dem", "Selected monitor", "dem")},
        "bars": chart("breakdown"), "sweep": chart("replay"), "table": Table("breakdown"),
        "download": DownloadLinks("dem-breakdown", label="DEM breakdown", index=False),
        "what_if": ScenarioDownload("dem-what-if", lambda: what_if_file(page.scenario, page.inputs),
                                    messages=page.messages),
        "hints": hints}


def _show(page: _Page) -> None:
    view, w = page.compute(), page.w
    inputs = view.inputs
    month, days = fmt.month(inputs.month), inputs.month.days_in_month
    app = inputs.rum[inputs.app]
    w["replay_label"].value = (f'<span class="planner-label">Session Replay share: '
                               f"<b>{fmt.percent(app['replay_share'])}</b></span>")
    c = w["cards"]
    used = {k: v.value for k, v in view.in_force.items()} or app    # a dated change of the scenario wins
    c["rum"].set(view.app_rum, f"{inputs.app} in {month}: {fmt.quantity(used['sessions_per_month'], 'sessions')}, "
                               f"{fmt.percent(used['replay_share'])} with replay")
    w["in_force"].value = (f'<div class="planner-note-text">{html.escape(in_force_note(view))}</div>'
                           if view.overridden() else "")
    c["synthetic"].set(view.synthetic, f"{len(inputs.monitors)} monitor{'s' * (len(inputs.monitors) != 1)} in "
                                       f"{month} ({days} days)")
    c["month"].set(view.month_total, f"every application and monitor in {month}")
    share = f"; {fmt.percent(view.year_total / view.pool)} of the annual pool" if view.pool else ""
    c["year"].set(view.year_total, f"contract year {view.year}{share}")
    i = w["monitor"].value
    if i is not None and i < len(inputs.monitors):
        name = inputs.monitors[i].name
        c["monitor"].set(float(view.by_source.loc[view.by_source["driver"] == name, "value"].sum()),
                         f"{name} in {month}")
    else:
        c["monitor"].set_text("no monitor", "add one with \u201cAdd monitor\u201d")
    w["table"].update(breakdown_text(view))
    w["download"].update(view.by_source.assign(month=str(inputs.month)))
    show_figure(w["bars"], breakdown_figure(view))
    show_figure(w["sweep"], replay_figure(view))


def _load_app(page: _Page) -> None:
    w, app = page.w, page.inputs.rum[page.inputs.app]
    with silenced(w["on_rum"], w["sessions"], w["replay"], w["properties"]):
        w["sessions"].value = f"{app['sessions_per_month']:.15g}"
        w["replay"].value = round(app["replay_share"] * 100)
        w["properties"].value = f"{app['properties_per_session']:.15g}"


def _load_monitor(page: _Page) -> None:
    w, i = page.w, page.w["monitor"].value
    editing = i is not None and i < len(page.inputs.monitors)
    for key in ("kind", "per_run", "frequency", "locations", "remove"):
        w[key].disabled = not editing
    if not editing:
        return
    m = page.inputs.monitors[i]
    with silenced(w["on_monitor_edit"], w["kind"], w["per_run"], w["frequency"], w["locations"]):
        w["kind"].value = m.kind
        w["per_run"].value = f"{m.per_run:.15g}"
        if m.frequency_minutes not in [v for _, v in w["frequency"].options]:
            w["frequency"].options = sorted({*w["frequency"].options,
                                             (f"every {m.frequency_minutes:g} min", m.frequency_minutes)},
                                            key=lambda o: o[1])
        w["frequency"].value = m.frequency_minutes
        w["locations"].value = f"{m.locations:.15g}"


def _set_monitors(page: _Page, monitors: tuple[Monitor, ...], select: int | None) -> None:
    page.inputs = dataclasses.replace(page.inputs, monitors=monitors)
    with silenced(page.w["on_monitor_pick"], page.w["monitor"]):
        page.w["monitor"].options = _monitor_options(monitors)
        page.w["monitor"].value = select
    _load_monitor(page)


def _read_rum(page: _Page) -> None:
    w = page.w
    page.inputs = page.inputs.with_rum(
        sessions_per_month=read_number(w["sessions"].value, "Sessions per month",
                                       field_check("rum", "sessions_per_month")),
        replay_share=w["replay"].value / 100,
        properties_per_session=read_number(w["properties"].value, "Defined properties per session",
                                           field_check("rum", "properties_per_session")))


def _read_monitor(page: _Page) -> None:
    w, i = page.w, page.w["monitor"].value
    old = page.inputs.monitors[i]
    new = Monitor(old.name, w["kind"].value,
                  read_number(w["per_run"].value, "Actions, requests or results per run",
                              field_check("synthetic", "per_run")),
                  w["frequency"].value,
                  read_number(w["locations"].value, "Locations", field_check("synthetic", "locations")))
    monitors = list(page.inputs.monitors)
    monitors[i] = new
    page.inputs = dataclasses.replace(page.inputs, monitors=tuple(monitors))
    labels = _monitor_options(page.inputs.monitors)
    if labels != list(w["monitor"].options):
        _set_monitors(page, page.inputs.monitors, i)


def _add_monitor(page: _Page) -> None:
    page.added += 1
    names = {m.name for m in page.inputs.monitors}
    while f"new monitor {page.added}" in names:
        page.added += 1
    new = Monitor(f"new monitor {page.added}", "http", 1.0, 5, 1.0)
    _set_monitors(page, (*page.inputs.monitors, new), len(page.inputs.monitors))


def _remove_monitor(page: _Page) -> None:
    i = page.w["monitor"].value
    if i is not None:
        rest = tuple(m for k, m in enumerate(page.inputs.monitors) if k != i)
        _set_monitors(page, rest, 0 if rest else None)


def _wire(page: _Page) -> None:
    """Each control runs one step on the page's state, then shows the result."""
    w, guarded = page.w, guard_figures(page.messages, page.w["cards"].values())

    def handler(step: Callable[[_Page], None]) -> Callable[..., None]:
        @guarded
        def run(change: Any = None) -> None:
            step(page)
            _show(page)
        return run

    on_rum, on_monitor_pick = handler(_read_rum), handler(_load_monitor)
    on_monitor_edit = handler(_read_monitor)
    w.update(on_rum=on_rum, on_monitor_pick=on_monitor_pick, on_monitor_edit=on_monitor_edit)
    w["on_app"] = handler(_pick_app)
    w["app"].observe(w["on_app"], "value")
    w["add_app"].on_click(handler(_add_app))
    w["remove_app"].on_click(handler(_remove_app))
    w["estate"].on_change(_on_estate(page, _use_scenario))
    w["estate"].on_error(page.messages.error)
    for key in ("sessions", "replay", "properties"):
        w[key].observe(on_rum, "value")
    w["on_month"] = handler(lambda p: _set_inputs(p, month=p.w["month"].value))
    w["month"].observe(w["on_month"], "value")
    w["monitor"].observe(on_monitor_pick, "value")
    for key in ("kind", "per_run", "frequency", "locations"):
        w[key].observe(on_monitor_edit, "value")
    w["add"].on_click(handler(_add_monitor))
    w["remove"].on_click(handler(_remove_monitor))


def _on_estate(page: _Page, step: Callable[[_Page, Any], None]) -> Callable[[Any], None]:
    """``step(page, estate)`` then the page drawn, guarded."""
    @guard_figures(page.messages, page.w["cards"].values())
    def run(estate: Any) -> None:
        step(page, estate)
        _show(page)
    return run


def _use_scenario(page: _Page, estate: Estate) -> None:
    """The user's scenario: its applications, monitors and months."""
    page.scenario = estate.scenario()
    page.inputs, page.sweep_key, w = inputs_of(page.scenario), None, page.w
    _set_apps(page, page.inputs.app)
    months = pd.period_range(page.scenario.start, page.scenario.end, freq="M")
    with silenced(w["on_month"], w["month"]):
        w["month"].options = [(fmt.month(m), m) for m in months]
        w["month"].value = page.inputs.month
    _set_monitors(page, page.inputs.monitors, 0 if page.inputs.monitors else None)
    w["scenario_note"].value = _scenario_note(page.scenario)


def _set_apps(page: _Page, select: str) -> None:
    w = page.w
    with silenced(w["on_app"], w["app"]):
        w["app"].options = list(page.inputs.rum)
        w["app"].value = select
    _set_inputs(page, app=select)
    w["remove_app"].disabled = len(page.inputs.rum) < 2
    _load_app(page)


def _add_app(page: _Page) -> None:
    name = unused_name("new application", page.inputs.rum)
    fields = SECTIONS["rum"].fields
    page.inputs = dataclasses.replace(page.inputs, rum={**page.inputs.rum, name: {
        key: 0.0 if fields[key][1] is REQUIRED else float(fields[key][1])
        for key in ("sessions_per_month", "replay_share", "properties_per_session")}})
    _set_apps(page, name)


def _remove_app(page: _Page) -> None:
    rest = without(page.inputs.rum, page.inputs.app, "application")
    page.inputs = dataclasses.replace(page.inputs, rum=rest)
    _set_apps(page, next(iter(rest)))


def _scenario_note(scenario: Scenario) -> str:
    return (f'<div class="planner-note-text">{html.escape(scenario.name)}: the forecast\'s DEM units of its RUM '
            "applications and synthetic monitors, with the changes made here, in the month chosen.</div>")


def _set_inputs(page: _Page, **changes: Any) -> None:
    page.inputs = dataclasses.replace(page.inputs, **changes)


def _pick_app(page: _Page) -> None:
    _set_inputs(page, app=page.w["app"].value)
    _load_app(page)


def _layout(page: _Page) -> Dashboard:
    w = page.w
    controls = [
        widgets.HTML("<h3>Real User Monitoring</h3>"),
        field("Application", w["app"]),
        widgets.HBox([w["add_app"], w["remove_app"]]),
        field("Sessions per month", w["sessions"], "Billable sessions (two or more user actions)."),
        widgets.VBox([w["replay_label"], w["replay"]]),
        widgets.HTML(f'<span class="planner-hint">{w["hints"]["replay"]}</span>'),
        field("Defined properties per session", w["properties"], w["hints"]["properties"]),
        widgets.HTML("<h3>Synthetic monitors</h3>"),
        field("Monitor", w["monitor"]),
        widgets.HBox([w["add"], w["remove"]]),
        field("Kind", w["kind"]),
        field("Actions, requests or results per run", w["per_run"]),
        field("Frequency", w["frequency"]),
        field("Locations", w["locations"]),
        widgets.HTML("<h3>Month</h3>"),
        field("Month shown", w["month"], "Calendar months of the horizon, each with its own number of days."),
    ]
    main = [
        w["scenario_note"],
        w["in_force"],
        kpi_row(*w["cards"].values()),
        w["sweep"], w["bars"],
        section("DEM units of the month by source", w["table"], w["download"], w["what_if"]),
    ]
    return Dashboard("digital_experience", "DEM units per month",
                     "Sessions, Session Replay, defined properties and synthetic monitors in DEM units, "
                     "month by month as the forecast counts them.", controls, main, page.messages,
                     w["estate"])


def dashboard(scenario: Scenario | None = None) -> Dashboard:
    """The digital experience page, starting from a scenario's RUM applications
    and synthetic monitors (the built-in example by default)."""
    scenario = scenario or load_scenario()
    page = _Page(scenario, inputs_of(scenario), MessageArea())
    page.w = _widgets(page)
    w = page.w
    w["scenario_note"].value = _scenario_note(scenario)
    w["remove_app"].disabled = len(page.inputs.rum) < 2
    _wire(page)
    _load_app(page)
    _load_monitor(page)
    _show(page)
    return _layout(page)
