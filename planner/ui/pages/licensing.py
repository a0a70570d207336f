"""Licensing dashboard: one estate priced under its classic contract and under the
Dynatrace Platform Subscription (DPS), side by side (:func:`planner.engine.side_by_side`).

The user picks an example, the DPS discount, the annual commitment (0: the
cost-optimal one for year 1), the exchange rate to the rate card's currency and
one driver to scale; both costs move. Flow: inputs (:class:`Inputs`) ->
:func:`compute` (pure) -> render. Every number comes from the engine; this module
only formats (docs/rules.md#dps-classic-cost).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from planner.engine import side_by_side
from planner.scenario import DPS_EXAMPLES, example_path, load_scenario
from planner.sections import SECTIONS
from planner.ui import Dashboard, KpiCard, MessageArea, Table, chart, control, field, figures, guard, kpi_row, note
from planner.ui import format as fmt
from planner.ui import section, show_figure

__all__ = ["CHOICES", "Inputs", "LicensingView", "scalable_drivers", "scaled", "compute", "headline",
           "years_figure", "sections_figure", "dashboard"]

#: Examples the page offers: the classic estate and its DPS variant.
CHOICES = ("estate", *DPS_EXAMPLES)


@dataclass(frozen=True)
class Inputs:
    """What the user set: example, discount [fraction], commitment [currency; 0 or
    None: the default], exchange rate [currency per rate-card currency], and a
    driver whose volume is multiplied by ``scale``."""

    example: str = "estate"
    discount: float | None = None
    commitment: float | None = None
    exchange_rate: float | None = None
    driver: str | None = None
    scale: float = 1.0


@dataclass(frozen=True)
class LicensingView:
    """What the page shows: the engine's frames and the scenario's currency."""

    name: str
    currency: str
    years: pd.DataFrame
    sections: pd.DataFrame
    drivers: pd.DataFrame
    prices: pd.DataFrame


def _volume(driver: Any) -> str | None:
    """The volume field a driver sets (the first of its section's that is given)."""
    return next((k for k in SECTIONS[driver.section].volume if driver.values.get(k) is not None), None)


def scalable_drivers(scenario: Any) -> list[str]:
    """Drivers whose volume the page can scale (not inventory groups)."""
    return [n for n, d in scenario.drivers.items() if d.inventory is None and _volume(d)]


def scaled(scenario: Any, driver: str | None, scale: float) -> Any:
    """The scenario with ``driver``'s volume multiplied by ``scale``."""
    if not driver or scale == 1.0:
        return scenario
    d = scenario.drivers[driver]
    name = _volume(d)
    return scenario.with_values(driver, **{name: d.values[name] * scale})


def compute(inputs: Inputs, scenario: Any = None) -> LicensingView:
    """Price the (scaled) example both ways."""
    s = scenario if scenario is not None else load_scenario(example_path(inputs.example))
    s = scaled(s, inputs.driver, inputs.scale)
    frames = side_by_side(s, commitment=inputs.commitment or None, discount=inputs.discount,
                          exchange_rate=inputs.exchange_rate)
    return LicensingView(s.name, s.currency or "", frames["years"], frames["sections"], frames["drivers"],
                         frames["prices"])


def headline(view: LicensingView) -> list[str]:
    """One line per contract year: classic, DPS and the difference."""
    return [f"Year {r.year}: classic {fmt.money(r.classic_cost, view.currency)}, DPS "
            f"{fmt.money(r.dps_cost, view.currency)} ({'+' if r.difference >= 0 else '-'}"
            f"{fmt.money(abs(r.difference), view.currency)})" for r in view.years.itertuples()]


def years_figure(view: LicensingView) -> go.Figure:
    """Classic and DPS cost per contract year, side by side."""
    fig = figures.base("Cost per contract year", "Contract year", view.currency or "cost")
    x = [f"Year {y}" for y in view.years["year"]]
    fig.add_bar(x=x, y=view.years["classic_cost"], name="Classic", offsetgroup="classic",
                marker_color=figures.color("host_unit_hours"))
    fig.add_bar(x=x, y=view.years["dps_commitment"], name="DPS commitment", offsetgroup="dps",
                marker_color=figures.color("fullstack_gib_hours"))
    fig.add_bar(x=x, y=view.years["dps_on_demand"], name="DPS on demand", offsetgroup="dps",   # on top of it
                marker_color=figures.color("infrastructure_host_hours"), base=view.years["dps_commitment"])
    fig.update_layout(barmode="group")
    return fig


def sections_figure(view: LicensingView, year: int = 1) -> go.Figure:
    """DPS minus classic per section in one contract year."""
    rows = view.sections[view.sections["year"] == year].set_index("section")["difference"]
    return figures.hbars(rows, title=f"DPS minus classic by section, year {year}", unit="",
                         y_title="Section")


def _table(frame: pd.DataFrame, currency: str, money: tuple[str, ...]) -> pd.DataFrame:
    shown = frame.copy()
    for column in money:
        if column in shown:
            shown[column] = [fmt.money(v, currency) for v in shown[column]]
    return shown


class _Page:
    def __init__(self, inputs: Inputs):
        self.messages = MessageArea()
        self.example = control(widgets.Dropdown(options=list(CHOICES), value=inputs.example), "example")
        self.discount = control(widgets.BoundedFloatText(value=inputs.discount or 0.0, min=0.0, max=0.99,
                                                         step=0.01), "discount")
        self.commitment = control(widgets.BoundedFloatText(value=inputs.commitment or 0.0, min=0.0,
                                                           max=1e12, step=10_000), "commitment")
        self.exchange = control(widgets.BoundedFloatText(value=inputs.exchange_rate or 1.0, min=0.0001,
                                                         max=1e6, step=0.01), "exchange-rate")
        self.driver = control(widgets.Dropdown(options=[]), "driver")
        self.scale = control(widgets.FloatSlider(value=inputs.scale, min=0.0, max=3.0, step=0.1,
                                                 continuous_update=False), "scale")
        self.summary = note(name="summary")
        self.classic_kpi = KpiCard("classic", "Classic over the term")
        self.dps_kpi = KpiCard("dps", "DPS over the term")
        self.diff_kpi = KpiCard("difference", "DPS minus classic")
        self.years_chart, self.sections_chart = chart("years"), chart("sections")
        self.years_table, self.drivers_table = Table("years"), Table("drivers")
        self.sections_table, self.prices_table = Table("sections"), Table("prices")
        self._set_drivers(inputs.driver)
        guarded = guard(self.messages)
        self.example.observe(guarded(self._example_changed), "value")
        for w in (self.discount, self.commitment, self.exchange, self.driver, self.scale):
            w.observe(guarded(self.redraw), "value")
        guarded(self.redraw)()

    def _scenario(self) -> Any:
        return load_scenario(example_path(self.example.value))

    def _set_drivers(self, chosen: str | None = None) -> None:
        names = scalable_drivers(self._scenario())
        self.driver.options = [("(none)", "")] + [(n, n) for n in names]
        self.driver.value = chosen if chosen in names else ""

    def _example_changed(self, change: Any = None) -> None:
        self._set_drivers()
        self.redraw()

    def inputs(self) -> Inputs:
        return Inputs(self.example.value, self.discount.value or None, self.commitment.value or None,
                      self.exchange.value, self.driver.value or None, self.scale.value)

    def redraw(self, change: Any = None) -> None:
        view = compute(self.inputs())
        self.render(view)

    def render(self, view: LicensingView) -> None:
        lines = "<br>".join(html.escape(line) for line in headline(view))
        self.summary.value = f'<div class="planner-note-text"><b>{html.escape(view.name)}</b><br>{lines}</div>'
        classic, dps = view.years["classic_cost"].sum(), view.years["dps_cost"].sum()
        self.classic_kpi.set_text(fmt.money(classic, view.currency), f"{len(view.years)} contract years")
        self.dps_kpi.set_text(fmt.money(dps, view.currency), "commitment + on demand")
        self.diff_kpi.set_text(("+" if dps >= classic else "-") + fmt.money(abs(dps - classic), view.currency),
                               "positive: DPS costs more")
        show_figure(self.years_chart, years_figure(view))
        show_figure(self.sections_chart, sections_figure(view))
        money = ("classic_cost", "dps_list_usage", "dps_commitment", "dps_on_demand", "dps_lapsed", "dps_cost",
                 "difference", "classic", "dps")
        self.years_table.update(_table(view.years, view.currency, money))
        self.sections_table.update(_table(view.sections, view.currency, money))
        self.drivers_table.update(_table(view.drivers[view.drivers["year"] == 1].head(10), view.currency, money))
        self.prices_table.update(view.prices)

    def dashboard(self) -> Dashboard:
        controls = [
            widgets.HTML("<h3>Estate</h3>"),
            field("Example", self.example, "estate: classic contract; estate_dps: the same estate with DPS terms."),
            widgets.HTML("<h3>DPS terms</h3>"),
            field("Discount", self.discount, "Off the rate card, a fraction (0.12 = 12 %); 0: the contract's."),
            field("Annual commitment", self.commitment, "0: the contract's, else the cost-optimal one for year 1."),
            field("Exchange rate", self.exchange, "Scenario currency per rate-card currency (USD)."),
            widgets.HTML("<h3>Main driver</h3>"),
            field("Driver", self.driver, "Scale one driver's volume (hosts, sessions, GB ...)."),
            field("Scale", self.scale),
        ]
        main = [
            self.summary,
            kpi_row(self.classic_kpi, self.dps_kpi, self.diff_kpi),
            self.years_chart,
            section("Per contract year", self.years_table),
            self.sections_chart,
            section("Where the models part, per section", self.sections_table),
            section("Drivers that move the difference most (year 1)", self.drivers_table),
            section("DPS list prices used (price_status: see docs/rules.md#dps-prices)", self.prices_table),
        ]
        return Dashboard("licensing", "Classic and DPS side by side",
                         "The same estate under its classic contract and under the Dynatrace Platform "
                         "Subscription: cost per contract year and where the two part.", controls, main,
                         self.messages)


def dashboard(example: str = "estate", *, discount: float | None = 0.1, commitment: float | None = None,
              exchange_rate: float | None = 1.0) -> Dashboard:
    """The licensing page.

    Parameters
    ----------
    example : str
        One of :data:`CHOICES`.
    discount, commitment, exchange_rate
        The DPS terms at the start (see :class:`Inputs`).
    """
    if example not in CHOICES:
        raise ValueError(f"example must be one of {', '.join(map(repr, CHOICES))}; got {example!r}")
    page = _Page(Inputs(example, discount, commitment, exchange_rate))
    board = page.dashboard()
    board.page_state = page
    return board


