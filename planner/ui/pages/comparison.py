"""Comparison dashboard: two or more scenarios side by side against the first
(the baseline), with :func:`planner.engine.compare`: monthly deltas per unit,
the contract-year table, the first month a pool is exceeded, and the Monte
Carlo P10 / P50 / P90 bands over the growth ranges (seeded, so repeatable).

The page is inputs -> :func:`compute` -> render. :func:`compute` is pure: the
forecasts and the unit give a :class:`ComparisonView` that describes every
compared scenario, and the KPIs, charts and tables are drawn from it alone.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from planner.engine import Forecast, forecast, readmodel, scenario_names
from planner.model import Scenario, SetValues
from planner.sections import SECTIONS
from planner.ui import (
    Dashboard, DownloadLinks, KpiCard, MessageArea, Table, chart, control, field, figures, guard, kpi_row,
    note, section, show_figure,
)
from planner.ui.kit import format as fmt
from planner.ui.kit.estate import UPLOAD, Estate, EstateLink, Scenarios
from planner.ui.kit.inputs import field_check, number_box, read_number, silenced
from planner.ui.kit.saver import ScenarioDownload
from planner.units import UNITS
from planner.whatif import what_if_yaml

__all__ = ["ForecastCache", "ComparisonView", "compute", "headline", "deltas", "yearly_table",
           "first_exceeded_table", "delta_figure", "bands_figure", "what_if_file", "dashboard"]

#: Shown where a KPI or table has nothing to say (fewer than two scenarios selected).
NEEDS_TWO = ("Select at least two scenarios to compare (Ctrl- or Cmd-click in the list), or add a what-if; "
             "the first one is the baseline.")


class ForecastCache:
    """Forecasts of the scenarios offered (built-in examples, given, the user's
    uploads and the page's what-ifs: :class:`planner.ui.kit.estate.Scenarios`),
    each computed once (and once per number of draws and seed for Monte Carlo)."""

    def __init__(self, given: Mapping[str, Forecast] | None = None, scenarios: Scenarios | None = None):
        self.scenarios = scenarios or Scenarios()
        self._runs: dict[tuple[str, int, int], Forecast] = {}
        self._given = {key: f.scenario for key, f in (given or {}).items()}
        for key, f in (given or {}).items():
            self._runs[(key, f.draws, 0)] = f
            if key not in self.scenarios.keys():
                self.scenarios.given[key] = f.scenario

    def get(self, key: str, draws: int = 0, seed: int = 0) -> Forecast:
        """The forecast of scenario ``key`` (with ``draws`` Monte Carlo draws): a given
        forecast's own scenario first, even under a built-in example's key."""
        if (key, draws, seed) not in self._runs:
            scenario = self._given.get(key) or self.scenarios.scenario(key)
            self._runs[(key, draws, seed)] = forecast(scenario, draws=draws, seed=seed)
        return self._runs[(key, draws, seed)]

    def use(self, estate: Estate) -> None:
        """The user's estate: forecasts of uploads made before it are dropped."""
        self.scenarios.use(estate)
        self._runs = {k: f for k, f in self._runs.items() if not k[0].startswith(UPLOAD)}


# --- compute --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ComparisonView:
    """What the comparison shows for one unit, for every compared scenario.

    Attributes
    ----------
    names : tuple of str
        The baseline first, then the compared scenarios.
    deltas : DataFrame
        Month x compared scenario: the change of ``unit`` against the baseline [unit].
    year1, total : dict of str -> float
        Per compared scenario: the change in contract year 1, and over the
        horizon (flows: summed; peaks: the change of the highest month) [unit].
    first_exceeded : dict of str -> Period or None, or None
        Per scenario, baseline included: the first month ``unit``'s pool is
        exceeded (None: never); None if no scenario's contract buys the unit.
    monthly : DataFrame
        :func:`planner.engine.compare`'s ``monthly`` (the download).
    """

    unit: str
    names: tuple[str, ...]
    deltas: pd.DataFrame
    year1: dict[str, float]
    total: dict[str, float]
    first_exceeded: dict[str, pd.Period | None] | None
    yearly: pd.DataFrame
    exceeded: pd.DataFrame
    monthly: pd.DataFrame

    @property
    def baseline(self) -> str:
        return self.names[0]

    @property
    def compared(self) -> tuple[str, ...]:
        return self.names[1:]


def compute(forecasts: Sequence[Forecast], unit: str) -> ComparisonView:
    """The comparison of ``forecasts`` (the first is the baseline) for ``unit``."""
    result = readmodel.comparison(forecasts)
    change = readmodel.deltas(forecasts, unit)
    names = change.names
    frame = deltas(result, unit)
    return ComparisonView(unit, names, frame, change.year1, change.total, _first_exceeded(result, unit, names),
                          yearly_table(forecasts, unit), first_exceeded_table(result), result["monthly"])


def headline(view: ComparisonView) -> list[str]:
    """One sentence per compared scenario: its change in contract year 1 and
    the first month its pool of the unit is exceeded, against the baseline."""
    unit, lines = view.unit, []
    for name in view.compared:
        text = f"{name}: {fmt.quantity(view.year1[name], unit, signed=True)} in contract year 1"
        if view.first_exceeded is not None:
            first, base = (view.first_exceeded[n] for n in (name, view.baseline))
            text += (f"; pool first exceeded {fmt.month(first) if first is not None else 'never'}"
                     f" (baseline: {fmt.month(base) if base is not None else 'never'})")
        lines.append(text)
    return lines


def _yearly(f: Forecast, unit: str) -> pd.Series:
    yearly = f.yearly()
    return yearly[unit] if unit in yearly else pd.Series(0.0, index=yearly.index)


def _first_exceeded(result: Mapping[str, pd.DataFrame], unit: str,
                    names: Sequence[str]) -> dict[str, pd.Period | None] | None:
    rows = result["first_exceeded"]
    mine = rows[rows["unit"] == unit].set_index("scenario")["first_exceeded"]
    if mine.empty:
        return None
    return {n: (None if n not in mine.index or pd.isna(mine[n]) else mine[n]) for n in names}


def deltas(result: Mapping[str, pd.DataFrame], unit: str) -> pd.DataFrame:
    """Monthly delta of ``unit`` of each scenario against the baseline
    (columns: scenario names, index: months), from :func:`compare`'s ``monthly``."""
    monthly = result["monthly"]
    frame = monthly[monthly["unit"] == unit].pivot(index="month", columns="scenario", values="delta")
    frame = frame.reindex(index=pd.Index(monthly["month"].unique(), name="month").sort_values(),
                          columns=list(dict.fromkeys(monthly["scenario"]))).fillna(0.0)
    frame.columns.name = None
    return frame


def yearly_table(forecasts: Sequence[Forecast], unit: str) -> pd.DataFrame:
    """Per contract year and scenario (one row each, so that any number of
    scenarios fits; the scenario first, as the table's left-aligned column):
    ``unit`` and its change against the baseline, formatted."""
    names = scenario_names(forecasts)
    values = pd.DataFrame({n: _yearly(f, unit) for n, f in zip(names, forecasts)}).fillna(0.0)
    peak = " peak" if UNITS[unit].kind == "peak" else ""
    rows = [{"Scenario": name, "Contract year": int(year),
             UNITS[unit].name: fmt.quantity(values.loc[year, name], unit) + peak,
             "Change against the baseline": "baseline" if i == 0 else
             fmt.quantity(values.loc[year, name] - values.loc[year, names[0]], unit, signed=True)}
            for year in values.index for i, name in enumerate(names)]
    return pd.DataFrame(rows, columns=["Scenario", "Contract year", UNITS[unit].name, "Change against the baseline"])


def first_exceeded_table(result: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Per scenario (rows) and pool (columns, by unit symbol): the first month
    the pool is exceeded ("never" if it lasts)."""
    rows = result["first_exceeded"]
    if rows.empty:
        return pd.DataFrame({"Scenario": []})
    table = rows.pivot(index="scenario", columns="unit", values="first_exceeded")
    table = table.reindex(index=list(dict.fromkeys(rows["scenario"])), columns=[u for u in UNITS if u in table])
    out = table.map(lambda m: "never" if m is None or pd.isna(m) else fmt.month(m))
    out.columns = [UNITS[u].symbol for u in out.columns]
    out.insert(0, "Scenario", out.index)
    return out.reset_index(drop=True)


def what_if_file(base: Scenario, what_if: Scenario, *, extends: str | None = None) -> str:
    """A what-if of the page as a scenario file that ``extends`` ``base``, the
    scenario file it was made from (:func:`planner.whatif.what_if_yaml`): its
    dated change, under the what-if's name. ``planner compare`` of ``base`` and
    the file gives the page's figures."""
    return what_if_yaml(base, what_if, extends=extends, sections=(), name=what_if.name)


# --- figures --------------------------------------------------------------------------------

def delta_figure(frame: pd.DataFrame, unit: str, baseline: str) -> go.Figure:
    """Monthly deltas against the baseline, one bar series per scenario."""
    fig = figures.stacked_bars(frame, title=f"{UNITS[unit].name}: monthly change against {baseline}",
                               unit=unit, barmode="group")
    fig.update_traces(hovertemplate="%{x|%b %Y}<br>%{fullData.name}: %{y:+,.0f} " + fmt.symbol(unit)
                                    + "<extra></extra>")
    fig.update_yaxes(rangemode="normal", title_text=f"Δ {figures.axis_title(unit)}")
    return fig


def bands_figure(forecasts: Sequence[Forecast], unit: str) -> go.Figure:
    """Monte Carlo bands of ``unit`` per scenario (forecasts run with draws)."""
    series = {n: f.bands[f.bands["unit"] == unit] for n, f in zip(scenario_names(forecasts), forecasts)
              if f.bands is not None}
    draws = max((f.draws for f in forecasts), default=0)
    return figures.bands(series, unit, title=f"{UNITS[unit].name} per month: P10 to P90 over "
                                             f"{fmt.number(draws)} growth draws, and P50")


def _empty_figure(title: str) -> go.Figure:
    return figures.base(title, "Month", "", height=240)


# --- render ---------------------------------------------------------------------------------

def _joined(values: Sequence[str]) -> str:
    return " / ".join(values)


class _Kpis:
    """The four KPI cards; each lists every compared scenario, in the order of
    the note (``'+464 HU / +0 HU'``)."""

    def __init__(self) -> None:
        self.year1 = KpiCard("delta-year1", "Change in contract year 1")
        self.total = KpiCard("delta-total", "Change over the horizon")
        self.exceeded = KpiCard("first-exceeded", "Pool first exceeded")
        self.p90 = KpiCard("p90-last", "P90 in the last month")
        self.cards = (self.year1, self.total, self.exceeded, self.p90)

    def clear(self) -> None:
        for card in self.cards:
            card.set_text("n/a", "select two or more scenarios")

    def show(self, view: ComparisonView) -> None:
        unit, names = view.unit, view.compared
        kind = UNITS[unit].name + ("" if UNITS[unit].kind == "flow" else ", peak")
        self.year1.set_text(_joined([fmt.quantity(view.year1[n], unit, signed=True) for n in names]),
                            f"{_joined(names)}; {kind}")
        self.total.label = "Change over the horizon" if UNITS[unit].kind == "flow" else "Change of the highest peak"
        self.total.set_text(_joined([fmt.quantity(view.total[n], unit, signed=True) for n in names]),
                            f"{_joined(names)}; {fmt.month(view.deltas.index[0])} to {fmt.month(view.deltas.index[-1])}")
        if view.first_exceeded is None:
            self.exceeded.set_text("no pool", "the contract buys none of this unit")
            return
        shown = {n: fmt.month(m) if m is not None else "not exceeded" for n, m in view.first_exceeded.items()}
        self.exceeded.set_text(_joined([shown[n] for n in names]), f"baseline: {shown[view.baseline]}")

    def show_bands(self, forecasts: Sequence[Forecast], unit: str) -> None:
        names = scenario_names(forecasts)[1:]
        last = [f.bands[f.bands["unit"] == unit].tail(1) for f in forecasts[1:]]
        if all(rows.empty for rows in last):
            self.p90.set_text("n/a", "no such consumption in these scenarios")
            return
        month = next(rows["month"].iloc[0] for rows in last if not rows.empty)
        self.p90.label = f"P90 in {fmt.month(month)}"
        self.p90.set_text(_joined([fmt.quantity(rows["p90"].iloc[0], unit) if not rows.empty else "n/a"
                                   for rows in last]),
                          _joined(f"{n}: P10 {fmt.quantity(r['p10'].iloc[0], unit)}, P50 "
                                  f"{fmt.quantity(r['p50'].iloc[0], unit)}" for n, r in zip(names, last)
                                  if not r.empty))


class _Page:
    """The comparison's widgets and forecasts; a change of the selection, unit,
    draws or seed computes one view and redraws the page from it."""

    def __init__(self, selected: Sequence[str], given: Mapping[str, Forecast] | None, draws: int, seed: int):
        self.messages = MessageArea()
        self.cache, self.first = ForecastCache(given), (selected[0] if selected else None)
        options = self.cache.scenarios.options()
        self.scenarios = control(widgets.SelectMultiple(options=options, value=tuple(selected),
                                                        rows=len(options)), "scenarios")
        self.link, self.whatifs = EstateLink(), 0
        self.roots: dict[str, Scenario] = {}      # what-if key -> the scenario file it changes
        self.view: ComparisonView | None = None
        self.what = _WhatIf(self.cache.scenarios.scenario(self.keys()[0]) if self.keys() else None)
        self.unit_pick = control(widgets.Dropdown(options=[(u.name, k) for k, u in UNITS.items()],
                                                  value="host_units"), "unit")
        self.draws = control(widgets.IntSlider(value=draws, min=100, max=2000, step=100,
                                               continuous_update=False), "draws")
        self.seed = control(widgets.BoundedIntText(value=seed, min=0, max=2**31 - 1), "seed")
        self.baseline_note = note(name="baseline")
        self.kpis = _Kpis()
        self.delta_chart, self.bands_chart = chart("delta"), chart("bands")
        self.year_table, self.exceeded_table = Table("yearly"), Table("first-exceeded")
        self.download = DownloadLinks("comparison-monthly", label="Monthly totals and deltas", index=False)
        self.save = ScenarioDownload("comparison-what-if", self.what_if_file, messages=self.messages)
        guarded = guard(self.messages)
        self.on_pick = guarded(self.redraw)
        self.scenarios.observe(self.on_pick, "value")
        self.unit_pick.observe(guarded(self.redraw), "value")
        self.draws.observe(guarded(self.redraw_bands), "value")
        self.seed.observe(guarded(self.redraw_bands), "value")
        self.link.on_change(guarded(self.use))
        self.link.on_error(self.messages.error)
        self.what.add.on_click(guarded(self.add_whatif))
        guarded(self.redraw)()

    def keys(self) -> list[str]:
        """The selected scenarios: the baseline (the first given, else the first
        in menu order), then the others in menu order."""
        keys = [k for _, k in self.scenarios.options if k in self.scenarios.value]
        return sorted(keys, key=lambda k: k != self.first)

    def _offer(self, selected: Sequence[str]) -> None:
        options = self.cache.scenarios.options()
        self.first = selected[0] if selected else None
        with silenced(self.on_pick, self.scenarios):
            self.scenarios.value = ()
            self.scenarios.options, self.scenarios.rows = options, len(options)
            self.scenarios.value = tuple(selected)

    def use(self, estate: Estate) -> None:
        """The user's estate: their scenario is the baseline, compared with its uploaded variants."""
        self.cache.use(estate)
        self._offer((estate.choice, *estate.variants))
        self.what.base(estate.scenario())
        self.redraw(quiet=True)

    def add_whatif(self, _: Any = None) -> None:
        """The baseline with the what-if's change, compared with it."""
        keys = self.keys()
        if not keys:
            raise ValueError("Select a scenario first: the what-if changes the baseline.")
        self.whatifs += 1
        base = self.cache.scenarios.scenario(keys[0])
        scenario = self.what.scenario(base, f"What-if {self.whatifs}")
        key = f"whatif:{self.whatifs}"
        self.cache.scenarios.given[key] = scenario
        self.roots[key] = self.roots.get(keys[0], base)     # a what-if of a what-if changes the same file
        self._offer((*keys, key))
        self.redraw()

    def what_if_file(self, extends: str | None = None) -> str:
        """The last selected what-if as a scenario file (:func:`what_if_file`)."""
        chosen = [k for k in self.keys() if k in self.roots]
        if not chosen:
            raise ValueError("Save as scenario: add a what-if first, or select one in the list of scenarios.")
        return what_if_file(self.roots[chosen[-1]], self.cache.scenarios.scenario(chosen[-1]), extends=extends)

    def redraw(self, change: Any = None, quiet: bool = False) -> None:
        if len(self.keys()) < 2:
            self.clear()
            if quiet:
                return
            raise ValueError(NEEDS_TWO)
        runs = [self.cache.get(k) for k in self.keys()]
        self.render(compute(runs, self.unit_pick.value))
        self.redraw_bands()

    def redraw_bands(self, change: Any = None) -> None:
        if len(self.keys()) < 2:
            raise ValueError(NEEDS_TWO)
        runs = [self.cache.get(k, self.draws.value, self.seed.value) for k in self.keys()]
        self.kpis.show_bands(runs, self.unit_pick.value)
        show_figure(self.bands_chart, bands_figure(runs, self.unit_pick.value))

    def render(self, view: ComparisonView) -> None:
        """Draw the KPIs, the delta chart and the tables from ``view``."""
        self.view = view
        self.baseline_note.value = (f'<div class="planner-note-text">Baseline: <b>{html.escape(view.baseline)}'
                                    f"</b>; compared: {html.escape(', '.join(view.compared))}.</div>")
        self.kpis.show(view)
        show_figure(self.delta_chart, delta_figure(view.deltas, view.unit, view.baseline))
        self.year_table.update(view.yearly)
        self.exceeded_table.update(view.exceeded)
        self.download.update(view.monthly)

    def clear(self) -> None:
        """Nothing to compare: no old results stay on the page."""
        self.baseline_note.value = f'<div class="planner-note-text">{html.escape(NEEDS_TWO)}</div>'
        self.kpis.clear()
        for target in (self.delta_chart, self.bands_chart):
            show_figure(target, _empty_figure("Select two or more scenarios to compare"))
        self.year_table.update(pd.DataFrame())
        self.exceeded_table.update(pd.DataFrame())
        self.download.value = ""
        self.view = None

    def dashboard(self) -> Dashboard:
        controls = [
            widgets.HTML("<h3>Scenarios</h3>"),
            field("Scenarios", self.scenarios, "Yours, your uploaded variants, the built-in examples and your "
                                               "what-ifs; Ctrl- or Cmd-click to select two or more; the first is "
                                               "the baseline."),
            field("Unit", self.unit_pick),
            widgets.HTML("<h3>Monte Carlo</h3>"),
            field("Draws", self.draws, "Growth rates drawn uniformly from each driver's range."),
            field("Seed", self.seed, "The same seed gives the same bands."),
            widgets.HTML("<h3>What-if</h3>"),
            *self.what.controls(),
            self.save,
        ]
        main = [
            self.baseline_note,
            kpi_row(*self.kpis.cards),
            self.delta_chart,
            section("Per contract year", self.year_table),
            section("First month a pool is exceeded", self.exceeded_table, self.download),
            self.bands_chart,
        ]
        return Dashboard("comparison", "Scenarios side by side",
                         "Growth stories side by side: monthly changes, contract years, pool run-outs and "
                         "Monte Carlo bands.", controls, main, self.messages, self.link)


class _WhatIf:
    """The what-if controls: a driver's volume set to a new value from a month on
    (a :class:`~planner.model.SetValues` change of the baseline)."""

    def __init__(self, scenario: Scenario | None):
        self.driver = control(widgets.Dropdown(), "whatif-driver")
        self.field = control(widgets.Dropdown(), "whatif-field")
        self.value = number_box(0, "whatif-value")
        self.month = control(widgets.Dropdown(), "whatif-month")
        self.add = control(widgets.Button(description="Compare this what-if", icon="plus"), "add-whatif")
        self.driver.observe(self._fields, "value")
        self.current: Scenario | None = None
        if scenario is not None:
            self.base(scenario)

    def base(self, scenario: Scenario) -> None:
        """Offer ``scenario``'s drivers and months."""
        self.current = scenario
        months = pd.period_range(scenario.start, scenario.end, freq="M")
        self.month.options = [(fmt.month(m), m) for m in months]
        self.month.value = months[0]
        drivers = [d for d, driver in scenario.drivers.items() if SECTIONS[driver.section].volume]
        with silenced(self._fields, self.driver):
            self.driver.options = drivers
            self.driver.value = drivers[0] if drivers else None
        self._fields()

    def _fields(self, change: Any = None) -> None:
        driver = self.current.drivers.get(self.driver.value) if self.current else None
        self.field.options = list(SECTIONS[driver.section].volume) if driver else []
        self.field.value = self.field.options[0] if self.field.options else None
        if driver and self.field.value and driver.values.get(self.field.value) is not None:
            self.value.value = f"{float(driver.values[self.field.value]):.15g}"

    def controls(self) -> list[widgets.Widget]:
        return [field("Driver", self.driver), field("Field", self.field, "Its volume from the month on."),
                field("New value", self.value), field("From", self.month), self.add]

    def scenario(self, base: Scenario, name: str) -> Scenario:
        """``base`` with the what-if's change, named ``name`` and what it changes."""
        driver, key = self.driver.value, self.field.value
        if driver not in base.drivers:
            raise ValueError(f"What-if: the baseline {base.name!r} has no driver {driver!r}")
        section = base.drivers[driver].section
        value = read_number(self.value.value, "New value", field_check(section, key))
        day = max(self.month.value.start_time, base.start)
        label = f"{name}: {driver} {key.replace('_', ' ')} {fmt.number(value)} from {fmt.day(day)}"
        return dataclasses.replace(base.with_changes(SetValues(day, driver, {key: value})), name=label)


def dashboard(selected: Sequence[str] = ("estate", "fullstack_move"), *,
              given: Mapping[str, Forecast] | None = None, draws: int = 500, seed: int = 0) -> Dashboard:
    """The comparison page.

    Parameters
    ----------
    selected : sequence of str
        Scenarios selected first (the first in menu order is the baseline):
        built-in examples or keys of ``given``.
    given : mapping of str -> Forecast, optional
        Forecasts the notebook already ran, by example name or a key of its own.

    Once the user's browser has sent their estate (:mod:`planner.ui.kit.estate`),
    their scenario is the baseline, compared with their other uploaded scenarios.
    draws, seed : int
        Monte Carlo draws and seed at the start.
    """
    page = _Page(selected, given, draws, seed)
    board = page.dashboard()
    board.page_state = page
    return board
