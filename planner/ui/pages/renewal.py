"""Renewal dashboard: how much of one pool to commit to for one contract year.

For the chosen pool and year: the distribution of the year's consumption over
the Monte Carlo draws, the expected cost against the committed amount, markers
at the contracted, cost-optimal and risk amounts, and a slider for the
committed amount whose KPI cards show the chance of running out and the
expected cost. Every number comes from the engine's draws through
:meth:`planner.engine.Forecast.sizing` and :func:`planner.engine.sizing.cost_curve`
(rules: docs/rules.md#renewal-sizing).

Flow: inputs (:class:`Inputs`, held with the chosen forecast in the page's
state) -> :func:`compute` (forecast -> :class:`View`, pure and tested without a
browser; :func:`with_committed` for the slider alone) -> render (figures,
cards and tables drawn from the view).
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

from planner.engine import sizing
from planner.engine import UNITS, Forecast, forecast
from planner.whatif import what_if_yaml
from planner.explain import sizing_note, sizing_with_notes
from planner.model import Scenario
from planner.scenario import EXAMPLES, example_path
from planner.ui import (
    Dashboard, DownloadLinks, KpiCard, MessageArea, Table, chart, control, field, figures, kpi_row, note, section,
    show_figure,
)
from planner.ui.kit import format as fmt
from planner.report import ReportInput
from planner.ui.kit.inputs import guard_figures, silenced
from planner.ui.kit.saver import ScenarioDownload
from planner.ui.kit.estate import UPLOAD, Estate, EstateLink, Scenarios
from planner.ui.kit.report_download import ReportDownload

__all__ = ["Inputs", "View", "pools_of", "years_of", "compute", "with_committed", "moved_to", "committed_scenario",
           "what_if_file", "at_amount", "sizing_table",
           "sizing_rows", "histogram_figure", "cost_figure", "dashboard"]

_MARKERS = (("as contracted", "#475569", "dash"), ("cost-optimal", "#059669", "solid"),
            ("risk amount", "#dc2626", "dot"))


# --- inputs and the pure compute step ------------------------------------------------------

@dataclass(frozen=True)
class Inputs:
    """What the page's controls say.

    Attributes
    ----------
    unit : str
        The pool (engine unit, e.g. ``'ddu'``) or the licence (``'host_units'``).
    year : int
        Contract year.
    risk : float
        Accepted chance of running out for the risk amount, >= 0 and < 1.
    committed : float or None
        The committed amount the slider shows [units]; None: as contracted.
    """

    unit: str
    year: int
    risk: float = 0.1
    committed: float | None = None


@dataclass(frozen=True)
class View:
    """Everything the page shows for one pool and year (no widgets).

    Attributes
    ----------
    year : PoolYear
        The draws of the pool and year.
    row : dict
        The pool and year's row of ``Forecast.sizing(risk)``.
    curve : DataFrame
        :func:`planner.engine.sizing.cost_curve` over :func:`planner.engine.sizing.amount_grid`.
    markers : dict
        Label -> (amount [units], expected cost [currency]) for the contracted,
        cost-optimal and risk amounts (NaN where the row has none).
    committed : float
        The committed amount [units].
    at_committed : dict
        :meth:`planner.engine.sizing.PoolYear.at` of the committed amount, as floats.
    currency : str or None
    note : str
        What the row leaves out and why, in words
        (:func:`planner.explain.sizing_note` of the row's ``reasons``).
    """

    year: sizing.PoolYear
    row: dict[str, Any]
    curve: pd.DataFrame
    markers: dict[str, tuple[float, float]]
    committed: float
    at_committed: dict[str, float]
    currency: str | None
    note: str = ""


def pools_of(f: Forecast) -> list[str]:
    """The contract's pools and licence that have draws, in the engine's unit order."""
    have = {y.unit for y in f.pool_draws}
    return [u for u in UNITS if u in have]


def years_of(f: Forecast, unit: str) -> list[int]:
    """The contract years of ``unit`` inside the horizon."""
    return [y.year for y in f.pool_draws if y.unit == unit]


def _pool_year(f: Forecast, unit: str, year: int) -> sizing.PoolYear:
    for candidate in f.pool_draws:
        if candidate.unit == unit and candidate.year == year:
            return candidate
    if unit not in pools_of(f):
        raise ValueError(f"unit must be one of this forecast's pools "
                         f"{', '.join(map(repr, pools_of(f))) or '(none: run forecast with draws)'}; got {unit!r}")
    raise ValueError(f"year must be one of {years_of(f, unit)} for {unit!r}; got {year!r}")


def sizing_table(f: Forecast, risk: float) -> pd.DataFrame:
    """``Forecast.sizing(risk)`` (the forecast computes it once per risk)."""
    return f.sizing(risk)


def at_amount(year: sizing.PoolYear, amount: float) -> dict[str, float]:
    """Chance of running out, expected extra units, overage and cost at one
    committed amount (:meth:`planner.engine.sizing.PoolYear.at`)."""
    return {key: float(values[0]) for key, values in year.at([amount]).items()}


def compute(f: Forecast, inputs: Inputs) -> View:
    """The view of one pool and year for the given inputs.

    Parameters
    ----------
    f : Forecast
        Run with Monte Carlo draws.
    inputs : Inputs

    Raises
    ------
    ValueError
        A forecast without draws, or a pool or year it does not have.
    """
    table = sizing_table(f, inputs.risk)
    year = _pool_year(f, inputs.unit, inputs.year)
    row = table[(table["unit"] == inputs.unit) & (table["year"] == inputs.year)].iloc[0].to_dict()
    markers = {label: (float(row[amount]), float(row[cost])) for label, amount, cost in (
        ("as contracted", "amount", "cost_at_amount"), ("cost-optimal", "optimal_amount", "cost_at_optimal"),
        ("risk amount", "risk_amount", "cost_at_risk"))}
    committed = year.amount if inputs.committed is None else float(inputs.committed)
    return View(year, row, sizing.cost_curve(year, sizing.amount_grid(year)), markers, committed,
                at_amount(year, committed), f.scenario.currency, sizing_note(row, f.scenario.contract))


def with_committed(view: View, amount: float) -> View:
    """``view`` with another committed amount [units] (the slider): only the
    committed amount and its risk and cost change."""
    return dataclasses.replace(view, committed=float(amount), at_committed=at_amount(view.year, amount))


def moved_to(view: View, value: float, step: float) -> float | None:
    """The committed amount a slider value asks for, or None when the value is
    the view's own amount rounded to the slider's steps (within half a step):
    the browser snaps a slider to its steps and sends the snapped value back,
    which is not the user moving it, so the cards keep the amount they show
    (as contracted until the user moves the slider)."""
    if abs(float(value) - view.committed) <= float(step) / 2 * (1 + 1e-9):
        return None
    return float(value)


def committed_scenario(f: Forecast, view: View) -> Any:
    """The forecast's scenario committing to the view's amount: the pool's annual
    amount (the committed amount less the year's top-ups) or the licensed quantity."""
    contract, unit = f.scenario.contract, view.year.unit
    if view.year.licence:
        bought = {**contract.licences, unit: dataclasses.replace(contract.licences[unit], quantity=view.committed)}
        return dataclasses.replace(f.scenario, contract=dataclasses.replace(contract, licences=bought))
    annual = view.committed - float(view.row["top_ups"])
    bought = {**contract.pools, unit: dataclasses.replace(contract.pools[unit], annual=annual)}
    return dataclasses.replace(f.scenario, contract=dataclasses.replace(contract, pools=bought))


def what_if_file(f: Forecast, view: View, *, extends: str | None = None) -> str:
    """The committed amount as a scenario file that ``extends`` the forecast's
    scenario (:func:`planner.whatif.what_if_yaml`): ``planner size`` on it with
    the page's draws and seed gives the cards' chance of running out and costs."""
    return what_if_yaml(f.scenario, committed_scenario(f, view), extends=extends, sections=())


# --- figures -------------------------------------------------------------------------------

def _title(view: View) -> str:
    return f"{fmt.unit_name(view.year.unit)}, contract year {view.year.year}"


def histogram_figure(view: View) -> go.Figure:
    """The year's consumption (the peak for a licence) over the draws, with the
    contracted, cost-optimal, risk and committed amounts marked."""
    unit, draws = view.year.unit, len(view.year.consumption)
    what = "peak in use" if view.year.licence else "consumption"
    fig = figures.base(f"{_title(view)}: {what} over {fmt.number(draws)} draws",
                       figures.axis_title(unit), "draws", height=360)
    fig.add_histogram(x=np.round(view.year.consumption, 3), nbinsx=40, name=what,
                      marker={"color": figures.color(unit)}, opacity=0.75,
                      hovertemplate=f"%{{x}} {fmt.symbol(unit)}<br>%{{y}} draws<extra></extra>")
    lines = []   # layout shapes: add_vline is slow (it works out the axes for every line)
    for (label, colour, dash), (amount, _) in zip(_MARKERS, view.markers.values()):
        if not np.isnan(amount):
            lines.append(_vline(amount, {"color": colour, "dash": dash, "width": 2}))
            fig.add_scatter(x=[amount], y=[0], mode="markers", name=f"{label}: {fmt.quantity(amount, unit)}",
                            marker={"color": colour, "size": 9, "symbol": "triangle-up"},
                            hovertemplate=f"{label}: %{{x:,.0f}} {fmt.symbol(unit)}<extra></extra>")
    lines.append(_vline(view.committed, {"color": "#111827", "width": 3}))
    fig.add_scatter(x=[view.committed], y=[0], mode="markers", name=f"committed: {fmt.quantity(view.committed, unit)}",
                    marker={"color": "#111827", "size": 11, "symbol": "diamond"},
                    hovertemplate=f"committed: %{{x:,.0f}} {fmt.symbol(unit)}<extra></extra>")
    fig.update_layout(bargap=0.05, legend={"y": -0.02}, margin={"b": 90}, shapes=lines)
    return fig


def _vline(x: float, line: dict[str, Any]) -> dict[str, Any]:
    return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1, "line": line}


def cost_figure(view: View) -> go.Figure:
    """Expected cost (committed plus overage) and the chance of running out
    against the committed amount, with the same markers."""
    unit, curve, money = view.year.unit, view.curve, view.currency or "currency"
    fig = figures.base(f"{_title(view)}: expected cost against the committed amount",
                       f"committed amount [{fmt.symbol(unit)}]", f"expected cost [{money}]", height=380)
    x = np.round(curve["amount"].to_numpy(), 3)
    priced = not curve["expected_cost"].isna().all()
    if priced:
        fig.add_scatter(x=x, y=np.round(curve["expected_cost"].to_numpy(), 2), mode="lines", name="expected cost",
                        line={"color": figures.color(unit), "width": 3},
                        hovertemplate=f"%{{x:,.0f}} {fmt.symbol(unit)}<br>expected cost %{{y:,.0f}} {money}"
                                      "<extra></extra>")
    fig.add_scatter(x=x, y=np.round(curve["p_run_out"].to_numpy() * 100, 2), mode="lines", yaxis="y2",
                    name="chance of running out", line={"color": "#6b7280", "dash": "dot", "width": 2},
                    hovertemplate=f"%{{x:,.0f}} {fmt.symbol(unit)}<br>runs out in %{{y:.1f}} % of draws"
                                  "<extra></extra>")
    if priced:
        _cost_markers(fig, view, money)
    fig.update_layout(yaxis={"rangemode": "normal"},   # the cost's shape, not its distance from 0
                      yaxis2={"title": {"text": "chance of running out [%]"}, "overlaying": "y", "side": "right",
                              "range": [-2, 102], "tickvals": [0, 25, 50, 75, 100], "showgrid": False,
                              "ticksuffix": " %", "zeroline": False},
                      legend={"y": -0.02}, margin={"b": 90},
                      shapes=[_vline(view.committed, {"color": "#111827", "width": 1.5, "dash": "dot"})])
    if not priced:
        fig.update_layout(yaxis={"title": {"text": "expected cost: no price and overage price in the contract"}})
    return fig


def _cost_markers(fig: go.Figure, view: View, money: str) -> None:
    """The contracted, cost-optimal, risk and committed amounts on the expected-cost curve."""
    unit = view.year.unit
    for (label, colour, _), (amount, cost) in zip(_MARKERS, view.markers.values()):
        if not np.isnan(amount) and not np.isnan(cost):
            fig.add_scatter(x=[amount], y=[cost], mode="markers", name=label,
                            marker={"color": colour, "size": 12, "line": {"color": "white", "width": 2}},
                            hovertemplate=f"{label}: %{{x:,.0f}} {fmt.symbol(unit)}<br>"
                                          f"expected cost %{{y:,.0f}} {money}<extra></extra>")
    fig.add_scatter(x=[view.committed], y=[view.at_committed["expected_cost"]], mode="markers",
                    name="committed", marker={"color": "#111827", "size": 13, "symbol": "diamond"},
                    hovertemplate=f"committed: %{{x:,.0f}} {fmt.symbol(unit)}<br>"
                                  f"expected cost %{{y:,.0f}} {money}<extra></extra>")


# --- the page ------------------------------------------------------------------------------

def sizing_rows(table: pd.DataFrame, unit: str, currency: str | None) -> pd.DataFrame:
    """The sizing rows of one pool (from :func:`sizing_table`), formatted for reading."""
    rows = table[table["unit"] == unit]
    q = lambda v: fmt.quantity(v, unit)   # noqa: E731
    m = lambda v: fmt.money(v, currency)  # noqa: E731
    return pd.DataFrame({
        "Year": rows["year"].astype(int), "Contracted": rows["amount"].map(q),
        "P10 / P50 / P90": [" / ".join(fmt.number(v, 0) for v in r) for r in rows[["p10", "p50", "p90"]].values],
        "Runs out": rows["p_run_out"].map(lambda v: fmt.percent(v, 1)),
        "Half the draws out by": rows["run_out_p50"].map(lambda d: "lasts" if pd.isna(d) else fmt.day(d)),
        "Cost-optimal": rows["optimal_amount"].map(q), "Risk amount": rows["risk_amount"].map(q),
        "Cost as contracted": rows["cost_at_amount"].map(m), "at optimal": rows["cost_at_optimal"].map(m),
        "at risk amount": rows["cost_at_risk"].map(m)})


class _Forecasts:
    """Monte Carlo forecasts of the scenarios offered (:class:`planner.ui.kit.estate.Scenarios`),
    each run once per draws and seed."""

    def __init__(self, scenarios: Scenarios, given: Mapping[tuple[str, int, int], Forecast] | None = None):
        self.scenarios, self.runs = scenarios, dict(given or {})

    def get(self, key: str, draws: int, seed: int) -> Forecast:
        if (key, draws, seed) not in self.runs:
            self.runs[(key, draws, seed)] = forecast(self.scenarios.scenario(key), draws=draws, seed=seed)
        return self.runs[(key, draws, seed)]

    def use(self, estate: Estate) -> None:
        """The user's estate: forecasts of uploads made before it are dropped."""
        self.scenarios.use(estate)
        self.runs = {k: f for k, f in self.runs.items() if not k[0].startswith(UPLOAD)}


@dataclass
class _Page:
    """The page's state: which forecast (example, draws, seed), the inputs of
    :func:`compute` and the view shown; and its widgets (``w``)."""

    runs: _Forecasts
    source: tuple[str, int, int]
    inputs: Inputs
    messages: MessageArea
    view: View | None = None
    w: dict[str, Any] = dataclasses.field(default_factory=dict)

    def forecast(self) -> Forecast:
        return self.runs.get(*self.source)


# --- reading the controls into the state ---------------------------------------------------

def _set_inputs(page: _Page, **changes: Any) -> None:
    page.inputs = dataclasses.replace(page.inputs, **changes)


def _read_source(page: _Page) -> None:
    """Another example, number of draws or seed: a new forecast, committed as contracted."""
    w = page.w
    page.source = (w["scenario"].value, w["draws"].value, w["seed"].value)
    _set_inputs(page, committed=None)
    _fill_menus(page)


def _read_pool(page: _Page) -> None:
    _set_inputs(page, unit=page.w["pool"].value, year=page.w["year"].value, committed=None)
    _fill_menus(page)


def _read_committed(page: _Page) -> None:
    slider = page.w["committed"]
    amount = moved_to(page.view, slider.value, slider.step)
    if amount is None:    # the browser rounded the amount shown to the slider's steps: not a move
        return
    _set_inputs(page, committed=amount)
    page.view = with_committed(page.view, amount)


def _fill_menus(page: _Page) -> None:
    """The pool and year menus of the current forecast, keeping the inputs'
    pool and year where the forecast has them."""
    f, w = page.forecast(), page.w
    units = pools_of(f)
    if not units:
        raise ValueError("this scenario's contract has no pools or licences: nothing to size")
    unit = page.inputs.unit if page.inputs.unit in units else units[0]
    years = years_of(f, unit)
    _set_inputs(page, unit=unit, year=page.inputs.year if page.inputs.year in years else years[0])
    with silenced(w["on_pool"], w["pool"], w["year"]):
        w["pool"].options = [(fmt.unit_name(u), u) for u in units]
        w["pool"].value = unit
        w["year"].options = [(f"year {y}", y) for y in years]
        w["year"].value = page.inputs.year


# --- render: the state's view -> widgets ---------------------------------------------------

def _show(page: _Page) -> None:
    """Compute the view of the inputs and draw all of the page from it."""
    f = page.forecast()
    page.view = compute(f, page.inputs)
    _show_slider(page)
    _show_pool(page, f)
    _show_committed(page)


def _show_slider(page: _Page) -> None:
    """The committed-amount slider spans the view's cost curve (set together, without firing)."""
    slider, grid = page.w["committed"], page.view.curve["amount"]
    with silenced(page.w["on_committed"], slider), slider.hold_trait_notifications():
        slider.min, slider.max = float(grid.iloc[0]), float(grid.iloc[-1])
        slider.step = float(grid.iloc[1] - grid.iloc[0])
        slider.value = page.view.committed


def _show_pool(page: _Page, f: Forecast) -> None:
    """The cost-optimal and risk amounts, the row's note and every year of the pool."""
    view, w = page.view, page.w
    unit, row, money = view.year.unit, view.row, view.currency
    optimal_cost = "n/a" if np.isnan(row["optimal_amount"]) else \
        f"expected cost {fmt.money(row['cost_at_optimal'], money)}"
    w["cards"]["optimal"].set(row["optimal_amount"], optimal_cost, unit=unit)
    risk_cost = "" if np.isnan(row["cost_at_risk"]) else f"; expected cost {fmt.money(row['cost_at_risk'], money)}"
    w["cards"]["risk"].set(row["risk_amount"], f"runs out in at most {fmt.percent(page.inputs.risk)} of draws"
                           + risk_cost, unit=unit)
    w["note"].value = f'<div class="planner-note-text">{html.escape(view.note)}</div>' if view.note else ""
    table = sizing_table(f, page.inputs.risk)
    w["table"].update(sizing_rows(table, unit, money))
    w["download"].update(sizing_with_notes(table, f.scenario.contract))


def _show_committed(page: _Page) -> None:
    """The cards and figures that follow the committed amount."""
    view, cards = page.view, page.w["cards"]
    unit, at, money = view.year.unit, view.at_committed, view.currency
    cards["run_out"].set_text(fmt.percent(at["p_run_out"], 1),
                              f"of {fmt.number(len(view.year.consumption))} draws, committing "
                              f"{fmt.quantity(view.committed, unit)}")
    if np.isnan(at["expected_cost"]):
        cards["cost"].set_text("n/a", "no price and overage price in the contract")
    else:
        cards["cost"].set_text(fmt.money(at["expected_cost"], money),
                               f"committed {fmt.money(view.committed * view.year.price, money)} + "
                               f"overage {fmt.money(at['expected_overage_cost'], money)}")
    show_figure(page.w["histogram"], histogram_figure(view))
    show_figure(page.w["cost"], cost_figure(view))


# --- widgets, wiring and layout ------------------------------------------------------------

def _widgets(page: _Page) -> dict[str, Any]:
    example, draws, seed = page.source
    return {
        "scenario": control(widgets.Dropdown(options=page.runs.scenarios.options(), value=example), "scenario"),
        "estate": EstateLink(),
        "draws": control(widgets.IntSlider(value=draws, min=500, max=5000, step=500, continuous_update=False),
                         "draws"),
        "seed": control(widgets.BoundedIntText(value=seed, min=0, max=2**31 - 1), "seed"),
        "risk": control(widgets.FloatSlider(value=page.inputs.risk, min=0.0, max=0.5, step=0.01,
                                            readout_format=".2f", continuous_update=False), "risk"),
        "pool": control(widgets.Dropdown(), "pool"),
        "year": control(widgets.Dropdown(), "year"),
        "committed": control(widgets.FloatSlider(continuous_update=False, readout_format=",.0f"), "committed"),
        "cards": {"run_out": KpiCard("p-run-out", "Chance of running out"),
                  "cost": KpiCard("expected-cost", "Expected cost"),
                  "optimal": KpiCard("optimal", "Cost-optimal amount"),
                  "risk": KpiCard("risk-amount", "Risk amount")},
        "note": note(name="sizing"), "histogram": chart("consumption"), "cost": chart("cost"),
        "table": Table("sizing"),
        "download": DownloadLinks("renewal-sizing", label="Sizing of every pool and year", index=False),
        "what_if": ScenarioDownload("renewal-what-if", lambda: what_if_file(page.forecast(), page.view),
                                    messages=page.messages),
        "report": ReportDownload(messages=page.messages)}


def _wire(page: _Page) -> Callable[..., None]:
    """Each control runs one step on the page's state, then draws what it changed;
    returns the handler of a new forecast (the page's first drawing)."""
    w, guarded = page.w, guard_figures(page.messages, page.w["cards"].values())

    def handler(step: Callable[[_Page], None], show: Callable[[_Page], None] = _show) -> Callable[..., None]:
        @guarded
        def run(change: Any = None) -> None:
            if show is _show_committed and page.view is None:
                return      # nothing drawn yet (the first forecast failed)
            step(page)
            show(page)
        return run

    on_source = handler(_read_source)

    @guarded
    def on_estate(estate: Estate) -> None:
        page.runs.use(estate)
        _set_inputs(page, unit="", year=1)      # the user's scenario opens on its first pool, year 1
        with silenced(on_source, w["scenario"]):
            w["scenario"].options = page.runs.scenarios.options()
            w["scenario"].value = estate.choice
        on_source()

    w["estate"].on_change(on_estate)
    w["estate"].on_error(page.messages.error)
    w.update(on_pool=handler(_read_pool), on_committed=handler(_read_committed, _show_committed))
    for key in ("scenario", "draws", "seed"):
        w[key].observe(on_source, "value")
    for key in ("pool", "year"):
        w[key].observe(w["on_pool"], "value")
    w["risk"].observe(handler(lambda p: _set_inputs(p, risk=p.w["risk"].value)), "value")
    w["committed"].observe(w["on_committed"], "value")
    w["report"].source(lambda: _report_input(page))
    return on_source


def _report_input(page: _Page) -> tuple[ReportInput, dict[str, Any]]:
    """The scenario, draws, seed and risk shown, for "Download this report"."""
    key, draws, seed = page.source
    if key in EXAMPLES:
        text = example_path(key).read_text(encoding="utf-8")
    else:                     # an upload: its file as the user gave it
        content = dict(page.runs.scenarios.estate.files).get(key.removeprefix(UPLOAD), b"")
        text = content.decode("utf-8", "replace")
    return ReportInput(page.forecast().scenario, text), {"draws": draws, "seed": seed, "risk": page.inputs.risk}


def _layout(page: _Page) -> Dashboard:
    w = page.w
    controls = [
        widgets.HTML("<h3>Scenario</h3>"),
        field("Scenario", w["scenario"], "Your scenario (from the start page), or a built-in example."),
        field("Draws", w["draws"], "Growth rates drawn uniformly from each driver's range."),
        field("Seed", w["seed"], "The same seed gives the same draws."),
        widgets.HTML("<h3>Pool</h3>"),
        field("Pool or licence", w["pool"]),
        field("Contract year", w["year"]),
        field("Accepted chance of running out", w["risk"], "For the risk amount (0 lasts in every draw)."),
        widgets.HTML("<h3>Commit to</h3>"),
        field("Committed amount", w["committed"], "The year's amount, top-ups included; the cards follow it."),
    ]
    main = [kpi_row(*w["cards"].values()), w["note"], w["histogram"], w["cost"],
            section("Every contract year of this pool", w["table"], w["download"], w["what_if"]), w["report"]]
    return Dashboard("renewal", "Renewal sizing",
                     "How much of each pool to commit to: the chance of running out and the expected cost "
                     "(committed plus overage) over the Monte Carlo draws.", controls, main, page.messages,
                     w["estate"])


def dashboard(example: str | Scenario = "estate", *, given: Forecast | None = None, unit: str | None = None,
              year: int = 1, draws: int = 2000, seed: int = 0, risk: float = 0.1) -> Dashboard:
    """The renewal page. It follows the user's scenario (:mod:`planner.ui.kit.estate`)
    once their browser has sent it.

    Parameters
    ----------
    example : str or Scenario
        Built-in example (its key) or a scenario, shown first.
    given : Forecast, optional
        The notebook's Monte Carlo forecast of ``example`` (with ``draws`` and ``seed``).
    unit : str, optional
        Pool shown first (default: the contract's first).
    year : int
        Contract year shown first.
    draws, seed : int
        Monte Carlo draws and seed.
    risk : float
        Accepted chance of running out for the risk amount.
    """
    scenarios = Scenarios()
    if not isinstance(example, str):
        scenarios.given["given"], example = example, "given"
    elif given is not None and example not in scenarios.keys():
        scenarios.given[example] = given.scenario
    runs = _Forecasts(scenarios, {(example, given.draws, seed): given} if given is not None else None)
    page = _Page(runs, (example, draws, seed), Inputs(unit or "", year, risk), MessageArea())
    page.w = _widgets(page)
    _wire(page)()
    return _layout(page)
