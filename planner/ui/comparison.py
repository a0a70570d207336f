"""Comparison dashboard: two or more scenarios side by side against the first
(the baseline), with :func:`planner.engine.compare`: monthly deltas per unit,
the contract-year table, the first month a pool is exceeded, and the Monte
Carlo P10 / P50 / P90 bands over the growth ranges (seeded, so repeatable).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from planner.engine import FLOW_UNITS, UNITS, Forecast, compare, forecast
from planner.scenario import EXAMPLES, example_path, load_scenario
from planner.ui import figures
from planner.ui import format as fmt
from planner.ui.overview import example_names
from planner.ui.widgets import (
    Dashboard, DownloadLinks, KpiCard, MessageArea, Table, chart, control, field, guard, kpi_row,
    note, section, show_figure,
)

__all__ = ["deltas", "yearly_table", "first_exceeded_table", "delta_figure", "bands_figure",
           "ForecastCache", "dashboard"]


class ForecastCache:
    """Forecasts of the built-in examples, each computed once (and once per
    number of draws and seed for Monte Carlo)."""

    def __init__(self, given: Mapping[str, Forecast] | None = None):
        self._runs: dict[tuple[str, int, int], Forecast] = {}
        for key, f in (given or {}).items():
            self._runs[(key, f.draws, 0)] = f

    def get(self, key: str, draws: int = 0, seed: int = 0) -> Forecast:
        """The forecast of example ``key`` (with ``draws`` Monte Carlo draws)."""
        if (key, draws, seed) not in self._runs:
            self._runs[(key, draws, seed)] = forecast(load_scenario(example_path(key)), draws=draws, seed=seed)
        return self._runs[(key, draws, seed)]


def deltas(result: Mapping[str, pd.DataFrame], unit: str) -> pd.DataFrame:
    """Monthly delta of ``unit`` of each scenario against the baseline
    (columns: scenario names, index: months)."""
    monthly = result["monthly"]
    frame = monthly[monthly["unit"] == unit].pivot(index="month", columns="scenario", values="delta")
    frame = frame.reindex(index=pd.Index(monthly["month"].unique(), name="month").sort_values(),
                          columns=list(dict.fromkeys(monthly["scenario"]))).fillna(0.0)
    frame.columns.name = None
    return frame


def yearly_table(forecasts: Sequence[Forecast], unit: str) -> pd.DataFrame:
    """Per contract year: ``unit`` of each scenario and its delta to the first
    (flows summed, peaks as the highest day), formatted."""
    names = _names(forecasts)
    values = pd.DataFrame({n: f.yearly()[unit] if unit in f.yearly() else 0.0
                           for n, f in zip(names, forecasts)}).fillna(0.0)
    out = pd.DataFrame({"Contract year": [int(y) for y in values.index]})
    peak = "" if unit in FLOW_UNITS else " peak"
    for name in names:
        out[name] = [fmt.quantity(v, unit) + peak for v in values[name]]
    for name in names[1:]:
        out[f"Δ {name}"] = [fmt.quantity(v, unit, signed=True) for v in values[name] - values[names[0]]]
    return out


def first_exceeded_table(result: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Per pool: the first month each scenario exceeds it ("not exceeded" if none)."""
    rows = result["first_exceeded"]
    if rows.empty:
        return pd.DataFrame({"Pool": []})
    table = rows.pivot(index="unit", columns="scenario", values="first_exceeded")
    table = table.reindex(index=[u for u in UNITS if u in table.index],
                          columns=list(dict.fromkeys(rows["scenario"])))
    out = table.map(lambda m: "not exceeded" if m is None or pd.isna(m) else fmt.month(m))
    out.insert(0, "Pool", [fmt.UNIT_NAMES[u] for u in out.index])
    out.columns.name = None
    return out.reset_index(drop=True)


def delta_figure(frame: pd.DataFrame, unit: str, baseline: str) -> go.Figure:
    """Monthly deltas against the baseline, one bar series per scenario."""
    fig = figures.stacked_bars(frame, title=f"{fmt.UNIT_NAMES[unit]}: monthly change against {baseline}",
                               unit=unit, barmode="group")
    fig.update_traces(hovertemplate="%{x|%b %Y}<br>%{fullData.name}: %{y:+,.0f} " + fmt.symbol(unit)
                                    + "<extra></extra>")
    fig.update_yaxes(rangemode="normal", title_text=f"Δ {figures.axis_title(unit)}")
    return fig


def bands_figure(forecasts: Sequence[Forecast], unit: str) -> go.Figure:
    """Monte Carlo bands of ``unit`` per scenario (forecasts run with draws)."""
    series = {n: f.bands[f.bands["unit"] == unit] for n, f in zip(_names(forecasts), forecasts)
              if f.bands is not None}
    draws = max((f.draws for f in forecasts), default=0)
    return figures.bands(series, unit, title=f"{fmt.UNIT_NAMES[unit]} per month: P10 to P90 over "
                                             f"{fmt.number(draws)} growth draws, and P50")


def _names(forecasts: Sequence[Forecast]) -> list[str]:
    names = [f.scenario.name for f in forecasts]
    return names if len(set(names)) == len(names) else [f"{n} ({i + 1})" for i, n in enumerate(names)]


def dashboard(selected: Sequence[str] = ("estate", "fullstack_move"), *,
              given: Mapping[str, Forecast] | None = None, draws: int = 500, seed: int = 0) -> Dashboard:
    """The comparison page.

    Parameters
    ----------
    selected : sequence of str
        Built-in examples selected first (the first in menu order is the baseline).
    given : mapping of str -> Forecast, optional
        Forecasts the notebook already ran, by example name.
    draws, seed : int
        Monte Carlo draws and seed at the start.
    """
    messages = MessageArea()
    names = example_names()
    cache = ForecastCache(given)
    scenarios = control(widgets.SelectMultiple(options=[(names[k], k) for k in EXAMPLES],
                                               value=tuple(selected), rows=len(EXAMPLES)), "scenarios")
    unit_pick = control(widgets.Dropdown(options=[(fmt.UNIT_NAMES[u], u) for u in UNITS], value="host_units"),
                        "unit")
    draws_pick = control(widgets.IntSlider(value=draws, min=100, max=2000, step=100, continuous_update=False),
                         "draws")
    seed_pick = control(widgets.BoundedIntText(value=seed, min=0, max=2**31 - 1), "seed")

    baseline_note = note(name="baseline")
    k_year1 = KpiCard("delta-year1", "Change in contract year 1")
    k_total = KpiCard("delta-total", "Change over the horizon")
    k_exceeded = KpiCard("first-exceeded", "Pool first exceeded")
    k_p90 = KpiCard("p90-last", "P90 in the last month")
    delta_chart = chart("delta")
    bands_chart = chart("bands")
    year_table = Table("yearly")
    exceeded_table = Table("first-exceeded")
    download = DownloadLinks("comparison-monthly", label="Monthly totals and deltas", index=False)
    state: dict[str, Any] = {}

    def keys() -> list[str]:
        chosen = [k for k in EXAMPLES if k in scenarios.value]
        if len(chosen) < 2:
            raise ValueError("Select at least two scenarios to compare (Ctrl- or Cmd-click in the list); "
                             "the first one is the baseline.")
        return chosen

    def run() -> None:
        chosen = keys()
        runs = [cache.get(k) for k in chosen]
        state["chosen"], state["runs"], state["result"] = chosen, runs, compare(*runs)
        labels = _names(runs)
        baseline_note.value = (f'<div class="planner-note-text">Baseline: <b>{html.escape(labels[0])}</b>; '
                               f"compared: {html.escape(', '.join(labels[1:]))}.</div>")
        download.update(state["result"]["monthly"])
        show_unit()
        show_bands()

    def show_unit() -> None:
        unit, runs, result = unit_pick.value, state["runs"], state["result"]
        labels = _names(runs)
        other = labels[1]
        frame = deltas(result, unit)
        yearly = {n: (f.yearly()[unit] if unit in f.yearly() else pd.Series(0.0, index=f.yearly().index))
                  for n, f in zip(labels, runs)}
        change = yearly[other] - yearly[labels[0]]
        kind = fmt.UNIT_NAMES[unit] + ("" if unit in FLOW_UNITS else ", peak")
        k_year1.set(change.get(1, 0.0), f"{other}; {kind}", unit=unit, signed=True)
        k_total.label = "Change over the horizon" if unit in FLOW_UNITS else "Change of the highest peak"
        if unit in FLOW_UNITS:
            total = frame[other].sum()
        else:
            peaks = [f.monthly()[unit].max() if unit in f.monthly() else 0.0 for f in runs[:2]]
            total = peaks[1] - peaks[0]
        k_total.set(total, f"{other}; {fmt.month(frame.index[0])} to {fmt.month(frame.index[-1])}",
                    unit=unit, signed=True)
        ex = result["first_exceeded"]
        mine = ex[(ex["unit"] == unit) & (ex["scenario"] == other)]["first_exceeded"]
        base = ex[(ex["unit"] == unit) & (ex["scenario"] == labels[0])]["first_exceeded"]
        if mine.empty:
            k_exceeded.set_text("no pool", "the contract buys none of this unit")
        else:
            text = "not exceeded" if pd.isna(mine.iloc[0]) else fmt.month(mine.iloc[0])
            k_exceeded.set_text(text, f"{other}; baseline: " + (
                "not exceeded" if base.empty or pd.isna(base.iloc[0]) else fmt.month(base.iloc[0])))
        year_table.update(yearly_table(runs, unit))
        exceeded_table.update(first_exceeded_table(result))
        show_figure(delta_chart, delta_figure(frame, unit, labels[0]))

    def show_bands() -> None:
        unit = unit_pick.value
        runs = [cache.get(k, draws_pick.value, seed_pick.value) for k in state["chosen"]]
        labels = _names(runs)
        last = runs[1].bands[runs[1].bands["unit"] == unit]
        if last.empty:
            k_p90.set_text("n/a", "no such consumption in this scenario")
        else:
            row = last.iloc[-1]
            k_p90.label = f"P90 in {fmt.month(row['month'])}"
            k_p90.set(row["p90"], f"{labels[1]}; P10 {fmt.quantity(row['p10'], unit)}, "
                                  f"P50 {fmt.quantity(row['p50'], unit)}", unit=unit)
        show_figure(bands_chart, bands_figure(runs, unit))

    @guard(messages)
    def on_scenarios(change: Any = None) -> None:
        run()

    @guard(messages)
    def on_unit(change: Any = None) -> None:
        if "result" not in state:
            run()
        else:
            show_unit()
            show_bands()

    @guard(messages)
    def on_draws(change: Any = None) -> None:
        if "result" not in state:
            run()
        else:
            show_bands()

    scenarios.observe(on_scenarios, "value")
    unit_pick.observe(on_unit, "value")
    draws_pick.observe(on_draws, "value")
    seed_pick.observe(on_draws, "value")
    run()

    controls = [
        widgets.HTML("<h3>Scenarios</h3>"),
        field("Built-in examples", scenarios, "Ctrl- or Cmd-click to select two or more; the first is "
                                              "the baseline."),
        field("Unit", unit_pick),
        widgets.HTML("<h3>Monte Carlo</h3>"),
        field("Draws", draws_pick, "Growth rates drawn uniformly from each driver's range."),
        field("Seed", seed_pick, "The same seed gives the same bands."),
    ]
    main = [
        baseline_note,
        kpi_row(k_year1, k_total, k_exceeded, k_p90),
        delta_chart,
        section("Per contract year", year_table),
        section("First month a pool is exceeded", exceeded_table, download),
        bands_chart,
    ]
    return Dashboard("comparison", "Scenarios side by side",
                     "Growth stories side by side: monthly changes, contract years, pool run-outs and "
                     "Monte Carlo bands.", controls, main, messages)
