"""Landing page: the built-in example's key figures for one contract year, one
KPI card per unit (classes ``planner-dashboard dash-index``; cards ``kpi-<unit>``
with underscores as dashes, e.g. ``kpi-host-unit-hours``).

Every figure is the engine's (:func:`planner.ui.pages.overview.year_figures`: the
forecast's contract years, yearly totals and pools) and every label the unit
registry's (:mod:`planner.units`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import pandas as pd

from planner.engine import Forecast
from planner.ui import KpiCard, Page, kpi_row
from planner.ui.kit import format as fmt
from planner.ui.pages.overview import Lpar, UnitYear, lpar_verdicts, year_figures
from planner.ui.kit.layout import style
from planner.units import UNITS

__all__ = ["card_note", "summary"]


def card_note(u: UnitYear, lpars: Sequence[Lpar] = ()) -> str:
    """The note under a unit's card: the share of its pool or licence and the
    run-out date (``'98 % of 15,000,000 DEM units a year; lasts the year'``);
    for MSU each LPAR's verdict against its own licence (``lpars``)."""
    if u.unit == "msu" and lpars:
        over = [p for p in lpars if p.months_over]
        return ("each LPAR within its licence" if not over else
                "over the licence: " + ", ".join(f"{p.name} from {fmt.month(p.first_month_over)}" for p in over))
    if u.bought_as is None:
        return "no pool in the contract"
    kind = "licensed" if u.bought_as == "licence" else "a year"
    if pd.isna(u.run_out):
        ends = "within it all year" if u.bought_as == "licence" else "lasts the year"
    else:
        ends = f"{'above it from' if u.bought_as == 'licence' else 'runs out'} {fmt.day(u.run_out)}"
    return f"{fmt.percent(u.share)} of {fmt.quantity(u.amount, u.unit)} {kind}; {ends}"


class _Summary(Page):
    """The landing page; as text (a stored notebook, nbval) it lists its cards."""

    def __init__(self, title: str, heading: str, cards: list[tuple[KpiCard, str]]):
        super().__init__("index", title, [style(), widgets.HTML(f"<h3>{html.escape(heading)}</h3>"),
                                          kpi_row(*(card for card, _ in cards))])
        self.lines = [heading] + [f"{card.label}: {card.shown} ({note})" for card, note in cards]

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] += "\n" + "\n".join(self.lines)
        return bundle


def summary(f: Forecast, year: int = 1) -> Page:
    """KPI cards of contract year ``year``: consumption (peak for host units and
    MSU) per unit, with the share of its pool or licence as the note."""
    figures = year_figures(f, year)
    lpars = lpar_verdicts(f, year)
    cards = []
    for u in figures:
        card = KpiCard(u.unit.replace("_", "-"), UNITS[u.unit].name + (" (peak)" if u.peak else ""), u.unit)
        note = card_note(u, lpars)
        card.set(u.consumption, note)
        cards.append((card, note))
    span = figures[0] if figures else None
    heading = f"{f.scenario.name}: contract year {year}" + (
        f" ({fmt.day(span.start)} to {fmt.day(span.end)})" if span else "")
    return _Summary(f"{f.scenario.name}: key figures", heading, cards)
