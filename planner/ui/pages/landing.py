"""Landing page: where a user picks a built-in example or uploads their files
(:func:`start`), and the key figures of that scenario for one contract year,
one KPI card per unit (:func:`summary`; classes ``planner-dashboard
dash-index``; cards ``kpi-<unit>`` with underscores as dashes, e.g.
``kpi-host-unit-hours``). The choice is the user's estate
(:mod:`planner.ui.kit.estate`): kept in their browser, used by every page.

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

from planner.engine import Forecast, forecast
from planner.ui import KpiCard, MessageArea, Page, control, field, guard, kpi_row, note, uploaded_files
from planner.ui.kit import format as fmt
from planner.ui.pages.overview import Lpar, UnitYear, lpar_verdicts, year_figures
from planner.ui.kit.layout import style
from planner.ui.kit.estate import Estate, EstateLink, estate_upload
from planner.ui.kit.inputs import silenced
from planner.units import UNITS

__all__ = ["card_note", "summary", "start"]


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


def _cards(f: Forecast, year: int) -> tuple[str, list[tuple[KpiCard, str]]]:
    """The heading and the KPI cards (with their notes) of contract year ``year``."""
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
    return heading, cards


def summary(f: Forecast, year: int = 1) -> Page:
    """KPI cards of contract year ``year``: consumption (peak for host units and
    MSU) per unit, with the share of its pool or licence as the note."""
    heading, cards = _cards(f, year)
    return _Summary(f"{f.scenario.name}: key figures", heading, cards)


class _Start(_Summary):
    """The landing page's scenario picker, upload and key figures."""

    def __init__(self, f: Forecast, year: int):
        self.year, self.messages, self.link = year, MessageArea(), EstateLink()
        self.estate = Estate()
        self.forecasts: dict[Any, Forecast] = {("estate", ()): f}
        self.pick = control(widgets.Dropdown(options=self.estate.menu(), value="estate"), "scenario")
        self.upload = control(estate_upload("Upload files"), "upload-estate")
        self.forget = control(widgets.Button(description="Forget my files", icon="trash"), "forget")
        self.files = note(name="files")
        self.heading, self.row = widgets.HTML(), kpi_row()
        self.heading.add_class("planner-summary-heading")
        controls = widgets.VBox([
            field("Your scenario", self.pick, "A built-in example, or one of your uploaded scenarios."),
            field("Upload your files", self.upload,
                  "Several at once: scenario YAML files (and those their <code>extends:</code> names), host "
                  "inventories (CSV, XLSX) and an <code>actuals.csv</code> of <code>planner import</code>. "
                  "They stay in this browser; every page of the planner uses them."),
            self.files, self.forget])
        controls.add_class("planner-start")
        heading, cards = _cards(f, year)
        super().__init__(f"{f.scenario.name}: key figures", heading, cards)
        self.children = (self.children[0], self.link, self.messages, controls, self.heading, self.row)
        self._draw(f)
        guarded = guard(self.messages)
        self.on_pick = guarded(self._on_pick)
        self.pick.observe(self.on_pick, "value")
        self.upload.observe(guarded(self._on_upload), "value")
        self.upload.observe(lambda change: change.new and self.messages.error(change.new), "error")
        self.forget.on_click(guarded(self._on_forget))
        self.link.on_change(guarded(self._use))
        self.link.on_error(self.messages.error)

    def _forecast(self) -> Forecast:
        key = (self.estate.choice, self.estate.files)
        if key not in self.forecasts:
            self.forecasts = {key: forecast(self.estate.scenario())}     # the last one only
        return self.forecasts[key]

    def _draw(self, f: Forecast) -> None:
        heading, cards = _cards(f, self.year)
        self.heading.value = f"<h3>{html.escape(heading)}</h3>"
        self.row.children = [card for card, _ in cards]
        self.lines = [heading] + [f"{card.label}: {card.shown} ({note})" for card, note in cards]
        names = [n for n, _ in self.estate.files]
        self.files.value = ('<div class="planner-note-text">' + (
            "Your files, kept in this browser: " + html.escape(", ".join(names)) if names else
            "No files of yours yet: the pages use the built-in example you pick.") + "</div>")
        self.forget.layout.display = None if names else "none"

    def _use(self, estate: Estate) -> None:
        self.estate = estate
        with silenced(self.on_pick, self.pick):
            self.pick.options = estate.menu()
            self.pick.value = estate.choice
        self._draw(self._forecast())

    def _keep(self, estate: Estate) -> None:
        self._use(estate)
        self.link.keep(estate.files, estate.choice, self._forecast().scenario.name)

    def _on_pick(self, change: Any = None) -> None:
        self._keep(self.estate.choose(self.pick.value))

    def _on_upload(self, change: Any = None) -> None:
        files = uploaded_files(self.upload.value)
        if files:
            self.upload.value = ()      # the bytes need not stay in the widget's state
            self._keep(self.estate.with_files(files))

    def _on_forget(self, _: Any = None) -> None:
        self.link.forget()
        self._use(Estate())


def start(f: Forecast | None = None, year: int = 1) -> Page:
    """The landing page's scenario: pick a built-in example or upload files (kept
    in the user's browser for every page), and its key figures of contract year
    ``year`` (:func:`summary`). ``f``: the example estate's forecast, if the
    notebook has it."""
    return _Start(f if f is not None else forecast(), year)
