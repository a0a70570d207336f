"""Overview dashboard: an estate's consumption per unit and contract year, the
burn-down of each pool with the run-out dates the engine found, and each
mainframe LPAR against its own licence, for a built-in example or an uploaded
scenario. With an uploaded ``actuals.csv`` (``planner import``), the model over
the imported past months against what was consumed, next to the forecast.

The page is inputs -> :func:`compute` -> render. :func:`compute` is pure: a
forecast (:func:`planner.engine.forecast`) and the unit and contract year
chosen give an :class:`OverviewView`, and every KPI, chart and table of the
page is drawn from that one view. Nothing here computes consumption or
run-out dates: they are :meth:`Forecast.yearly`, :meth:`Forecast.pools` and
:meth:`Forecast.mainframe`; actual versus modelled is
:func:`planner.imports.backtest.backtest` and :func:`planner.imports.backtest.summary`.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from planner.imports.backtest import read_actuals, summary
from planner.imports.backtest import backtest as run_backtest
from planner.engine import Forecast, forecast
from planner.explain import forecast_sentence, run_out_sentence
from planner.engine.readmodel import (
    Lpar, UnitYear, cumulative, lpar_verdicts, run_outs, unit_years, units_of, year_spans,
)
from planner.model import Driver, Scenario
from planner.scenario import (
    ScenarioError, example_names, example_path, extends_named, inventories_named, load_scenario,
)
from planner.ui import (
    Dashboard, DownloadLinks, KpiCard, MessageArea, Table, chart, control, field, figures, guard, kpi_row,
    note, read_uploaded_inventory, read_uploaded_scenario, section, show_figure, uploaded_files,
)
from planner.ui.kit import format as fmt
from planner.report import ReportInput
from planner.ui.kit.inputs import counted, silenced
from planner.ui.kit.report_download import ReportDownload
from planner.ui.kit.uploads import actuals_upload, inventory_upload, read_uploaded_actuals, scenario_upload
from planner.ui.kit.estate import UPLOAD, Estate, EstateLink, with_inventories
from planner.units import UNITS

__all__ = [
    "UPLOADED", "UnitYear", "Lpar", "PastMonths", "OverviewView", "units_of", "year_figures",
    "lpar_verdicts", "past_months", "compute", "run_out_lines", "contract_year_table", "lpar_table",
    "report_table", "forecast_note_lines",
    "burndown_figure", "monthly_figure", "actuals_figure",
    "with_inventories", "Inputs", "dashboard",
]

#: The scenario menu's value for an uploaded (or given) scenario.
UPLOADED = "uploaded"
#: Forecasts a page keeps for going back to a scenario (the examples and a few uploads).
_KEPT_FORECASTS = 8


@dataclass(frozen=True)
class PastMonths:
    """One unit over the imported past months: the model against what was
    consumed, as :func:`planner.imports.backtest.backtest` and :func:`planner.imports.backtest.summary` give it.

    Attributes
    ----------
    unit : str
    months : tuple of Period
        The months of the actuals, in order.
    modelled, actual : tuple of float
        Per month [unit per month; a peak unit: the month's highest day].
    error_pct : tuple of float
        (modelled - actual) / actual x 100 per month [%]; NaN where nothing was consumed.
    mean_abs_error_pct, total_error_pct : float
        The mean absolute monthly error, and the error of the totals [%].
    """

    unit: str
    months: tuple[pd.Period, ...]
    modelled: tuple[float, ...]
    actual: tuple[float, ...]
    error_pct: tuple[float, ...]
    mean_abs_error_pct: float
    total_error_pct: float


@dataclass(frozen=True)
class OverviewView:
    """Everything the overview shows for one forecast, unit and contract year
    (``past``: the chosen unit's actual versus modelled, when there are actuals
    of it; ``past_units``: the units the actuals have)."""

    forecast: Forecast
    unit: str
    year: int
    units: tuple[str, ...]
    years: tuple[int, ...]
    figures: UnitYear
    lpars_year: tuple[Lpar, ...]
    lpars_horizon: tuple[Lpar, ...]
    past: PastMonths | None = None
    past_units: tuple[str, ...] = ()

    @property
    def scenario(self) -> Scenario:
        return self.forecast.scenario


def year_figures(f: Forecast, year: int) -> tuple[UnitYear, ...]:
    """Each unit in contract year ``year`` (:func:`planner.engine.readmodel.unit_years`)."""
    return unit_years(f, year)


def past_months(table: pd.DataFrame, unit: str) -> PastMonths | None:
    """The rows of ``unit`` in a :func:`planner.imports.backtest.backtest` table and its
    :func:`planner.imports.backtest.summary` (None: the actuals have no such unit)."""
    part = table[table["unit"] == unit]
    if part.empty:
        return None
    total = summary(part).iloc[0]
    return PastMonths(unit, tuple(part["month"]), tuple(part["modelled"].astype(float)),
                      tuple(part["actual"].astype(float)), tuple(part["error_pct"].astype(float)),
                      float(total["mean_abs_error_pct"]), float(total["error_pct"]))


def compute(f: Forecast, unit: str | None = None, year: int | None = None,
            past: pd.DataFrame | None = None) -> OverviewView:
    """The overview of forecast ``f`` for ``unit`` and contract ``year`` (the
    first unit and year 1 where they are not in the forecast).

    ``past`` is :func:`planner.imports.backtest.backtest` of ``f``'s scenario against
    the uploaded actuals (None: no actuals); the view keeps the chosen unit's rows.
    """
    units = tuple(units_of(f))
    years = tuple(s.year for s in year_spans(f.scenario))
    unit = unit if unit in units else units[0]
    year = year if year in years else (1 if 1 in years else years[0])
    chosen = next(u for u in year_figures(f, year) if u.unit == unit)
    if past is None:
        return OverviewView(f, unit, year, units, years, chosen, lpar_verdicts(f, year), lpar_verdicts(f))
    return OverviewView(f, unit, year, units, years, chosen, lpar_verdicts(f, year), lpar_verdicts(f),
                        past_months(past, unit), tuple(u for u in units if u in set(past["unit"])))


# --- tables ---------------------------------------------------------------------------------

def contract_year_table(f: Forecast) -> pd.DataFrame:
    """Per pool and contract year, formatted for reading: amount, consumption
    (the peak for a licence), remaining, run-out date and extra needed."""
    rows = []
    for row in f.pools().itertuples():
        licence = row.unit in f.scenario.contract.licences
        rows.append({
            "Unit": UNITS[row.unit].name, "Year": int(row.year),
            "Amount": fmt.quantity(row.amount, row.unit) + (" licensed" if licence else ""),
            "Consumption": fmt.quantity(row.consumption, row.unit) + (" peak" if licence else ""),
            "Remaining": fmt.quantity(row.remaining, row.unit),
            "Runs out": fmt.day(row.run_out) if not pd.isna(row.run_out) else "lasts",
            "Extra needed": fmt.quantity(row.extra_needed, row.unit),
        })
    return pd.DataFrame(rows, columns=["Unit", "Year", "Amount", "Consumption", "Remaining",
                                       "Runs out", "Extra needed"])


def showback_table(f: Forecast, by: str, year: int) -> pd.DataFrame:
    """Consumption and cost per unit and cost center (or product) in a contract year,
    formatted (:func:`planner.engine.showback.breakdown`; untagged consumption and a
    pool's unused rest are rows of their own)."""
    table = f.breakdown(by)
    rows = table[table["contract_year"] == year]
    label = "Cost center" if by == "cost_center" else "Product"
    return pd.DataFrame({
        "Unit": [UNITS[u].name for u in rows["unit"]], label: rows[by].tolist(),
        "Consumption": [fmt.quantity(v, u) if not pd.isna(v) else "" for v, u in zip(rows["consumption"], rows["unit"])],
        "Cost": [fmt.money(v, f.scenario.currency) if not pd.isna(v) else "" for v in rows["cost"]]},
        columns=["Unit", label, "Consumption", "Cost"])


def lpar_table(lpars: tuple[Lpar, ...]) -> pd.DataFrame:
    """Each LPAR against its licence, formatted (the horizon's verdict)."""
    return pd.DataFrame([{
        "LPAR": p.name, "Licensed": fmt.quantity(p.licensed_msu, "msu"),
        "Highest monthly peak": fmt.quantity(p.peak_msu, "msu"),
        "Over the licence from": fmt.month(p.first_month_over) if p.first_month_over else "never",
        "Months over": counted(p.months_over, "month"),
    } for p in lpars], columns=["LPAR", "Licensed", "Highest monthly peak", "Over the licence from", "Months over"])


def report_table(f: Forecast) -> pd.DataFrame:
    """When LPARs with reporting disabled owe Dynatrace their peak MSU values
    (:meth:`Forecast.mainframe_reports`), formatted."""
    reports = f.mainframe_reports()
    return pd.DataFrame({"LPAR": reports["driver"], "Report": reports["report"].astype(int),
                         "Due by": [fmt.day(d) for d in reports["due"]]}, columns=["LPAR", "Report", "Due by"])


def forecast_note_lines(f: Forecast) -> list[str]:
    """The forecast's notes other than report dates (units consumed that the
    contract buys nothing for), in :mod:`planner.explain`'s words."""
    notes = f.notes()
    return [forecast_sentence(row, f.scenario)
            for row in notes[notes["code"] != "msu_report_due"].to_dict(orient="records")]


def run_out_lines(f: Forecast) -> list[str]:
    """One sentence per pool and contract year that runs out (or licence
    exceeded), and per LPAR above its licence: :func:`planner.engine.readmodel.run_outs`
    in the words of :func:`planner.explain.run_out_sentence`."""
    return [run_out_sentence(r, fmt.quantity, fmt.day, fmt.month) for r in run_outs(f)]


# --- figures --------------------------------------------------------------------------------

def burndown_figure(f: Forecast, unit: str) -> go.Figure:
    """The chart of ``unit``: an annual pool's burn-down, a licence's amount in
    use, or each LPAR's monthly peak against its licence (MSU); run-out dates
    are :meth:`Forecast.pools`' ``run_out``."""
    contract = f.scenario.contract
    if unit == "msu" and f.scenario.drivers_of("mainframe"):
        return figures.lpar_peaks(f.mainframe())
    pools = f.pools()
    run_outs = list(pools.loc[(pools["unit"] == unit) & pools["run_out"].notna(), "run_out"]) if len(pools) else []
    if UNITS[unit].kind == "peak":
        licence = contract.licences.get(unit)
        return figures.licence_peak(f.daily_totals()[unit], licence.quantity if licence else None, unit,
                                    above_from=run_outs)
    if unit in contract.pools:
        return figures.burndown(f.pool_balance(unit), unit, run_outs=run_outs)
    fig = figures.burndown(_cumulative(f, unit), unit)
    fig.update_layout(title_text=f"{UNITS[unit].name}: cumulative consumption per contract year "
                                 "(no pool in the contract)")
    return fig


def _cumulative(f: Forecast, unit: str) -> pd.DataFrame:
    """Consumption since each anniversary, for a flow unit without a pool."""
    frame = cumulative(f, unit)     # planner.engine.readmodel.cumulative
    frame["amount"] = frame["balance"] = np.nan
    return frame


def monthly_figure(f: Forecast, unit: str) -> go.Figure:
    """Monthly consumption of ``unit`` stacked by capability."""
    by = f.monthly(("unit", "capability"))
    part = by[by["unit"] == unit].pivot(index="month", columns="capability", values="value")  # one row each
    if part.empty:
        part = pd.DataFrame({"none": [0.0]}, index=pd.PeriodIndex([f.scenario.start], freq="M"))
    part = part[part.sum().sort_values(ascending=False).index]
    names = {c: fmt.capability(c, unit) for c in part.columns}
    peak = " (peak day of the month)" if UNITS[unit].kind == "peak" else ""
    return figures.stacked_bars(part, title=f"{UNITS[unit].name} per month by capability{peak}",
                                unit=unit, names=names)


def actuals_figure(view: OverviewView) -> go.Figure:
    """The chosen unit's actual (bars) and modelled (line) consumption per past
    month, then :meth:`Forecast.monthly` over the horizon (dashed)."""
    p = view.past
    past = pd.DataFrame({"actual": p.actual, "modelled": p.modelled, "error_pct": p.error_pct},
                        index=pd.PeriodIndex(p.months, freq="M"))
    peak = " (peak day of the month)" if UNITS[p.unit].kind == "peak" else ""
    monthly = view.forecast.monthly()
    ahead = monthly[p.unit] if p.unit in monthly else pd.Series(0.0, index=monthly.index)   # none forecast
    return figures.actual_vs_modelled(past, ahead, p.unit,
                                      title=f"{UNITS[p.unit].name}: actual and modelled per month, "
                                            f"then the forecast{peak}")


# --- scenario inputs --------------------------------------------------------------------------

@dataclass
class Inputs:
    """What the user gave the page: the scenario chosen and the files uploaded.

    ``choice`` is an example key or :data:`UPLOADED`; ``given`` the scenario the
    notebook passed in (shown as :data:`UPLOADED` until a YAML is uploaded);
    ``scenario_file`` the accepted YAML; ``pending`` a YAML waiting for the
    inventories it names; ``inventories`` file name -> (content, hosts);
    ``actuals`` (file name, table of :func:`planner.imports.backtest.read_actuals`):
    what the uploaded (or given) scenario's estate consumed, compared with it
    while that scenario is the choice; ``bases``: other uploaded scenario files
    (those ``extends:`` names); ``actuals_file``: the actuals as uploaded.
    """

    choice: str
    given: Scenario | None = None
    scenario_file: tuple[str, bytes] | None = None
    pending: tuple[str, bytes] | None = None
    inventories: dict[str, tuple[bytes, pd.DataFrame]] = dc_field(default_factory=dict)
    actuals: tuple[str, pd.DataFrame] | None = None
    bases: dict[str, bytes] = dc_field(default_factory=dict)
    actuals_file: tuple[str, bytes] | None = None
    last_read: tuple[tuple[Any, ...], Scenario] | None = dc_field(default=None, repr=False)

    def compared(self) -> pd.DataFrame | None:
        """The actuals to compare the scenario with: those uploaded, while the
        uploaded (or given) scenario is the choice."""
        return self.actuals[1] if self.actuals is not None and self.choice == UPLOADED else None

    def unreferenced(self) -> list[str]:
        """Uploaded inventories the uploaded scenario file does not name."""
        uploaded = [self.scenario_file[1], *self.bases.values()] if self.choice == UPLOADED and self.scenario_file else []
        named = set().union(*(inventories_named(text) for text in uploaded))
        return [name for name in self.inventories if name not in named]

    def key(self) -> tuple[Any, ...]:
        """Identifies the scenario these inputs give (for the forecast cache)."""
        upload = (self.scenario_file, tuple(sorted(self.bases.items()))) if self.choice == UPLOADED else None
        return self.choice, upload, tuple((n, c) for n, (c, _) in sorted(self.inventories.items()))

    def scenario(self) -> Scenario:
        """The scenario these inputs describe."""
        if self.choice != UPLOADED:
            base = load_scenario(example_path(self.choice))
        elif self.scenario_file is None:
            base = self.given
        else:
            base = self._read(*self.scenario_file)
        return with_inventories(base, {n: self.inventories[n][1] for n in self.unreferenced()})

    def accept_pending(self) -> None:
        """Check the pending YAML with the inventories uploaded so far; on success
        it becomes the scenario file and the choice."""
        name, content = self.pending
        try:
            self._read(name, content)
        except ScenarioError as exc:
            if "no such inventory file" not in str(exc):
                self.pending = None
                raise
            raise ScenarioError(f"{exc}. Upload the inventory it names with "
                                "\u201cUpload host inventories\u201d.") from None
        self.scenario_file, self.pending, self.choice = (name, content), None, UPLOADED

    def _files(self) -> list[tuple[str, bytes]]:
        return [(n, c) for n, (c, _) in self.inventories.items()] + list(self.bases.items())

    def stored(self) -> tuple[str, list[tuple[str, bytes]]]:
        """(choice, files) to keep in the user's browser (:class:`planner.ui.kit.estate.EstateLink`)."""
        files = ([self.scenario_file] if self.scenario_file else []) + self._files() + (
            [self.actuals_file] if self.actuals_file else [])
        upload = UPLOAD + self.scenario_file[0] if self.scenario_file else None
        return (upload if self.choice == UPLOADED and upload else self.choice), files

    @classmethod
    def of_estate(cls, estate: Estate) -> "Inputs":
        """The inputs of a user's estate: its chosen upload (or example) and every file."""
        files = dict(estate.files)
        main = estate.choice[len(UPLOAD):] if estate.is_upload else next(
            (k[len(UPLOAD):] for k in estate.uploaded), None)
        inputs = cls(UPLOADED if estate.is_upload else estate.choice,
                     scenario_file=(main, files[main]) if main else None,
                     inventories={n: (c, frame) for n, c in files.items() if (frame := _inventory(estate, n, c))
                                  is not None},
                     bases={n: c for n, c in files.items() if n != main and n.lower().endswith((".yaml", ".yml"))},
                     actuals=estate.actuals,
                     actuals_file=(estate.actuals[0], files[estate.actuals[0]]) if estate.actuals else None)
        if main:
            inputs.last_read = ((main, files[main], tuple(inputs._files())), estate.uploaded[UPLOAD + main])
        return inputs

    def _read(self, name: str, content: bytes) -> Scenario:
        """The uploaded scenario, read once for these files (checking it on upload
        and forecasting it then read the same files)."""
        key = (name, content, tuple(self._files()))
        if self.last_read is None or self.last_read[0] != key:
            self.last_read = (key, read_uploaded_scenario(name, content, self._files()))
        return self.last_read[1]


def _inventory(estate: Estate, name: str, content: bytes) -> pd.DataFrame | None:
    """An inventory file of the estate as a table (None: not an inventory)."""
    if estate.actuals is not None and name == estate.actuals[0]:
        return None
    if name in estate.inventories:
        return estate.inventories[name]
    return read_uploaded_inventory(name, content) if name.lower().endswith((".csv", ".xlsx", ".xlsm")) else None


# --- render ---------------------------------------------------------------------------------

class _Kpis:
    """The page's five KPI cards, and a sixth with the backtest's error while
    the view has actuals of its unit, drawn from a view."""

    def __init__(self) -> None:
        self.used = KpiCard("consumption", "Consumption")
        self.amount = KpiCard("amount", "Pool")
        self.remaining = KpiCard("remaining", "Remaining at year end")
        self.run_out = KpiCard("run-out", "Runs out")
        self.cost = KpiCard("cost", "Cost of consumption")
        self.past = KpiCard("backtest-error", "Modelled against actual")
        self.box = kpi_row(self.used, self.amount, self.remaining, self.run_out, self.cost)

    def row(self) -> widgets.HBox:
        return self.box

    def show(self, view: OverviewView) -> None:
        self._show_past(view.past)
        if view.unit == "msu" and view.lpars_year:
            self._show_lpars(view)
            return
        u = view.figures
        self.used.label = f"{'Peak' if u.peak else 'Consumption'}, contract year {u.year}"
        self.used.set(u.consumption, f"{fmt.day(u.start)} to {fmt.day(u.end)}", unit=u.unit)
        if u.bought_as is None:
            self.amount.label = "Pool"
            self.amount.set_text("no pool", "the contract buys none of this unit")
            for card in (self.remaining, self.run_out, self.cost):
                card.set_text("n/a")
            return
        self._show_pool(u)
        self._show_cost(u, view.scenario.currency)

    def _show_past(self, past: PastMonths | None) -> None:
        """The backtest's mean absolute monthly error of the unit (no card without actuals of it)."""
        cards = (self.used, self.amount, self.remaining, self.run_out, self.cost)
        if past is not None:
            n = len(past.months)
            span = fmt.month(past.months[0]) + (f" to {fmt.month(past.months[-1])}" if n > 1 else "")
            self.past.label = "Modelled against actual: mean absolute error"
            self.past.set(past.mean_abs_error_pct, f"{counted(n, 'month')}, {span}; "
                                                   f"totals {fmt.quantity(past.total_error_pct, '%', signed=True)}",
                          unit="%")
            cards += (self.past,)
        if tuple(self.box.children) != cards:
            self.box.children = cards

    def _show_pool(self, u: UnitYear) -> None:
        licence = u.bought_as == "licence"
        top_ups = u.amount - u.contracted
        self.amount.label = "Licensed quantity" if licence else "Annual amount"
        self.amount.set(u.amount, unit=u.unit, note=f"incl. {fmt.quantity(top_ups, u.unit)} top-ups" if top_ups
                        else ("peak in use counts" if licence else "resets on the anniversary"))
        self.remaining.label = "Headroom at the peak" if licence else "Remaining at year end"
        self.remaining.set(u.remaining, unit=u.unit, note=f"extra needed: {fmt.quantity(u.extra_needed, u.unit)}")
        self.run_out.label = "Above the licence from" if licence else "Runs out"
        if pd.isna(u.run_out):
            self.run_out.set_text("lasts the year", f"contract year {u.year} ends {fmt.day(u.span.own_end)}")
        else:
            days = (u.span.own_end - u.run_out).days + 1
            self.run_out.set_text(fmt.day(u.run_out), f"{counted(days, 'day')} "
                                                      "before the anniversary")

    def _show_cost(self, u: UnitYear, currency: str | None) -> None:
        self.cost.label = "Cost of consumption"
        if u.price is None:
            self.cost.set_text("n/a", "no price in the contract")
            return
        price = " ".join(filter(None, (fmt.number(u.price), currency)))
        self.cost.set_text(fmt.money(u.cost, currency), f"at {price} per {fmt.symbol(u.unit)}")

    def _show_lpars(self, view: OverviewView) -> None:
        """MSU: each LPAR is judged against its own licence."""
        lpars, year = view.lpars_year, view.year
        top = max(lpars, key=lambda p: p.peak_msu / p.licensed_msu if p.licensed_msu else np.inf)
        over = [p for p in lpars if p.months_over]
        self.used.label = f"Highest LPAR peak, contract year {year}"
        self.used.set(top.peak_msu, f"LPAR {top.name}; monthly peak", unit="msu")
        self.amount.label = f"Licensed MSU of {top.name}"
        self.amount.set(top.licensed_msu, "each LPAR has its own licence", unit="msu")
        self.remaining.label = "LPARs over their licence"
        self.remaining.set_text(f"{len(over)} of {len(lpars)}", ", ".join(p.name for p in over) or "none")
        self.run_out.label = "Above the licence from"
        first = min(over, key=lambda p: p.first_month_over) if over else None
        self.run_out.set_text(fmt.month(first.first_month_over) if first else "within the licence",
                              f"LPAR {first.name}" if first else f"contract year {year}")
        self.cost.label = "Cost of consumption"
        self.cost.set_text("n/a", "MSU is licensed per LPAR, not bought from a pool")


def _scenario_note(scenario: Scenario) -> str:
    description = scenario.description or "No description."
    return (f'<div class="planner-note-text"><b>{html.escape(scenario.name)}</b>: {html.escape(description)} '
            f"Horizon {fmt.day(scenario.start)} to {fmt.day(scenario.end)}.</div>")


def _story(f: Forecast) -> str:
    """The scenario's run-outs in words, above the page's figures."""
    lines = run_out_lines(f)
    name = html.escape(f.scenario.name)
    if not lines:
        return (f'<div class="planner-note-text">In {name}, the engine finds no pool running out and no '
                "licence exceeded over the horizon.</div>")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return (f'<div class="planner-note-text">In {name}, the engine finds these pools running out, and this '
            f"much more needed for each to last to its anniversary:<ul>{items}</ul></div>")


def _upload_controls(messages: MessageArea) -> tuple[widgets.Widget, widgets.Widget, widgets.Widget]:
    """The scenario, inventory and actuals upload buttons (:mod:`planner.ui.kit.uploads`);
    a file above its size limit is refused in the browser and said in ``messages``."""
    scenario_file = control(scenario_upload("Scenario YAML"), "upload-scenario")
    scenario_file.multiple = True      # with the files its extends: names
    inventory = control(inventory_upload("Inventory", multiple=True), "upload-inventory")
    actuals = control(actuals_upload("Actuals CSV"), "upload-actuals")
    for upload in (scenario_file, inventory, actuals):
        upload.observe(lambda change: change.new and messages.error(change.new), "error")
    return scenario_file, inventory, actuals


def _actuals_note(name: str, view: OverviewView, choice: str) -> str:
    """What an actuals upload shows, and where."""
    months = view.past.months if view.past else ()
    if choice != UPLOADED:
        return (f"{name} is compared with your uploaded scenario: upload the scenario.yaml "
                "(and hosts.csv) of the same import.")
    if not view.past_units:
        return f"{name} has none of this scenario's units."
    if months:
        return ""
    return f"{name} has actuals of {', '.join(UNITS[u].name for u in view.past_units)}: choose one as the unit."


class _Page:
    """The overview's widgets, its inputs and its forecasts; every change of an
    input computes one view and draws all of the page from it."""

    def __init__(self, f: Forecast, actuals: tuple[str, pd.DataFrame] | None = None):
        self.messages = MessageArea()
        names = example_names()
        start = next((k for k, n in names.items() if n == f.scenario.name and actuals is None), UPLOADED)
        self.inputs = Inputs(start, given=f.scenario if start == UPLOADED else None, actuals=actuals)
        self.forecasts: dict[tuple[Any, ...], Forecast] = {self.inputs.key(): f}
        self.backtest: tuple[Forecast, pd.DataFrame, pd.DataFrame] | None = None
        self.pick = control(widgets.Dropdown(options=self._menu(), value=start), "scenario")
        self.upload_yaml, self.upload_inv, self.upload_actuals = _upload_controls(self.messages)
        self.unit_pick = control(widgets.Dropdown(), "unit")
        self.year_pick = control(widgets.ToggleButtons(), "year")
        self.year_pick.style.button_width = "auto"
        self.scenario_note = note(name="scenario")
        self.kpis = _Kpis()
        self.burn, self.monthly = chart("burndown"), chart("monthly")
        self.past_chart = chart("actuals")
        self.past_box = widgets.VBox([], layout=widgets.Layout(width="100%"))   # empty without actuals
        self.table = Table("yearly")
        self.lpars = Table("lpars")
        self.lpar_section = section("Mainframe LPARs against their licence", self.lpars)
        self.reports = Table("msu-reports")
        self.report_section = section("Mainframe reports due (LPARs with reporting disabled: peak rolling "
                                      "4-hour average MSU values to Dynatrace)", self.reports, name="msu-reports")
        self.forecast_notes = note(name="forecast")
        self.dl_monthly = DownloadLinks("monthly", label="Monthly consumption per unit")
        self.dl_yearly = DownloadLinks("contract-years", label="Contract-year table", index=False)
        self.by_center, self.by_product = Table("cost-centers"), Table("products")
        self.showback_note = note(name="showback")
        self.showback = section("Per cost center and product", self.showback_note, self.by_center, self.by_product)
        self.dl_report = ReportDownload(messages=self.messages)
        self.dl_report.source(self._report_input)
        self.view, self.drawn = compute(f, past=self._past(f)), None
        self.link, self.kept = EstateLink(), (start, [])
        self.story = note(name="story")
        self._observe()
        self.render(self.view)

    def _menu(self) -> list[tuple[str, str]]:
        options = [(n, k) for k, n in example_names().items()]
        if self.inputs.scenario_file:
            options.append((f"Uploaded: {self.inputs.scenario_file[0]}", UPLOADED))
        elif self.inputs.given is not None:
            options.append((f"Given: {self.inputs.given.name}", UPLOADED))
        return options

    def _observe(self) -> None:
        guarded = guard(self.messages)
        self.on_scenario, self.on_view = guarded(self._on_scenario), guarded(self._on_view)
        self.pick.observe(self.on_scenario, "value")
        self.upload_yaml.observe(guarded(self._on_upload_yaml), "value")
        self.upload_inv.observe(guarded(self._on_upload_inventory), "value")
        self.upload_actuals.observe(guarded(self._on_upload_actuals), "value")
        self.link.on_change(guarded(self._use_estate))
        self.link.on_error(self.messages.error)
        self.unit_pick.observe(self.on_view, "value")
        self.year_pick.observe(self.on_view, "value")

    # inputs -> compute
    def _forecast(self) -> Forecast:
        key = self.inputs.key()
        if key not in self.forecasts:
            self.forecasts[key] = forecast(self.inputs.scenario())
            while len(self.forecasts) > _KEPT_FORECASTS:      # the oldest goes first
                del self.forecasts[next(iter(self.forecasts))]
        return self.forecasts[key]

    def _past(self, f: Forecast) -> pd.DataFrame | None:
        """:func:`planner.imports.backtest.backtest` of ``f``'s scenario against the
        actuals compared (computed once per forecast and actuals)."""
        actuals = self.inputs.compared()
        if actuals is None:
            return None
        if self.backtest is None or self.backtest[0] is not f or self.backtest[1] is not actuals:
            self.backtest = (f, actuals, run_backtest(f.scenario, actuals))
        return self.backtest[2]

    def _report_input(self) -> tuple[ReportInput, dict[str, Any]]:
        """The scenario shown, with its file's text, for "Download this report"."""
        choice, uploaded = self.inputs.choice, self.inputs.scenario_file
        if choice != UPLOADED:
            text = example_path(choice).read_text(encoding="utf-8")
        else:
            text = uploaded[1].decode("utf-8", "replace") if uploaded else ""
        return ReportInput(self.view.scenario, text), {}

    def _on_scenario(self, change: Any = None) -> None:
        self.inputs.choice = self.pick.value
        f = self._forecast()
        unit = self.unit_pick.value
        bought = [u for u in UNITS if f.scenario.contract.bought(u) is not None]
        if bought and unit not in bought:    # open on a unit the contract has a pool or licence for
            unit = None
        self.view = compute(f, unit, self.year_pick.value, self._past(f))
        self.render(self.view)
        self._keep()
        added = self.inputs.unreferenced()
        if added:
            self.messages.info(f"Added {', '.join(added)} as host group(s) of their own: the scenario file "
                               "does not name them (write inventory: FILE in a host group to place them).")

    def _on_view(self, change: Any = None) -> None:
        f = self.view.forecast
        self.view = compute(f, self.unit_pick.value, self.year_pick.value, self._past(f))
        self.render(self.view)

    def _on_upload_actuals(self, change: Any = None) -> None:
        files = uploaded_files(self.upload_actuals.value)
        if not files:
            return
        name, content = files[0]
        self.inputs.actuals = (name, read_uploaded_actuals(name, content))
        self.inputs.actuals_file = (name, content)
        self._on_scenario()
        told = _actuals_note(name, self.view, self.inputs.choice)
        if told:
            self.messages.info(told)

    def _on_upload_yaml(self, change: Any = None) -> None:
        files = uploaded_files(self.upload_yaml.value)
        if files:
            based = {extends_named(c) for _, c in files}
            main = next((f for f in files if f[0] not in based), files[0])
            self.inputs.bases.update((n, c) for n, c in files if n != main[0])
            self.inputs.pending = main
            self._accept_pending()

    def _on_upload_inventory(self, change: Any = None) -> None:
        files = uploaded_files(self.upload_inv.value)
        if not files:
            return
        self.inputs.inventories = {name: (content, read_uploaded_inventory(name, content)) for name, content in files}
        if self.inputs.pending is not None:
            self._accept_pending()
        else:
            self._on_scenario()

    def _keep(self) -> None:
        """Keep the page's scenario and files in the user's browser, for every page."""
        choice, files = self.inputs.stored()
        if choice != UPLOADED and (choice, files) != self.kept:
            self.kept = (choice, files)
            self.link.keep(files, choice, self.view.scenario.name)

    def _use_estate(self, estate: Estate) -> None:
        """The user's estate, from their browser: its files and choice become the page's."""
        self.inputs = Inputs.of_estate(estate)
        self.kept = self.inputs.stored()
        with silenced(self.on_scenario, self.pick):
            self.pick.options = self._menu()
            self.pick.value = self.inputs.choice
        self._on_scenario()

    def _accept_pending(self) -> None:
        self.inputs.accept_pending()
        with silenced(self.on_scenario, self.pick):
            self.pick.options = self._menu()
            self.pick.value = UPLOADED
        self._on_scenario()

    # view -> widgets
    def render(self, view: OverviewView) -> None:
        """Draw every part of the page from ``view`` (the scenario's tables and
        downloads only when the forecast changed: they do not depend on the unit or year)."""
        f = view.forecast
        with silenced(self.on_view, self.unit_pick):
            self.unit_pick.options = [(UNITS[u].name, u) for u in view.units]
            self.unit_pick.value = view.unit
        with silenced(self.on_view, self.year_pick):
            self.year_pick.options = [(f"Year {y}" if y else "Year 0 (before the contract)", y)
                                      for y in view.years]
            self.year_pick.value = view.year
        self.kpis.show(view)
        show_figure(self.burn, burndown_figure(f, view.unit))
        if view.past is not None:
            show_figure(self.past_chart, actuals_figure(view))
        children = (self.past_chart,) if view.past is not None else ()
        if tuple(self.past_box.children) != children:
            self.past_box.children = children
        show_figure(self.monthly, monthly_figure(f, view.unit))
        self._render_showback(view)
        if f is not self.drawn:
            self._render_scenario(view)
            self.drawn = f

    def _render_showback(self, view: OverviewView) -> None:
        f = view.forecast
        self.by_center.update(showback_table(f, "cost_center", view.year))
        self.by_product.update(showback_table(f, "product", view.year))
        self.showback_note.value = (
            f'<div class="planner-note-text">Contract year {view.year}: consumption and cost (covered at the '
            "pool price, overage at the overage price) per cost center and per product, as the drivers and "
            "inventory rows are tagged (<code>cost_center</code>, <code>product</code>); untagged consumption "
            "and what a pool leaves unused are rows of their own.</div>")

    def _render_scenario(self, view: OverviewView) -> None:
        f = view.forecast
        self.scenario_note.value = _scenario_note(view.scenario)
        self.story.value = _story(f)
        self.table.update(contract_year_table(f))
        self.lpars.update(lpar_table(view.lpars_horizon))
        self.lpar_section.layout.display = None if view.lpars_horizon else "none"
        reports = report_table(f)
        self.reports.update(reports)
        self.report_section.layout.display = None if len(reports) else "none"
        lines = forecast_note_lines(f)
        self.forecast_notes.value = "".join(f'<div class="planner-note-text">{html.escape(line)}</div>'
                                            for line in lines)
        self.forecast_notes.layout.display = None if lines else "none"
        self.dl_monthly.update(f.monthly())
        self.dl_yearly.update(f.pools())

    def dashboard(self) -> Dashboard:
        controls = [
            widgets.HTML("<h3>Scenario</h3>"),
            field("Built-in example or your upload", self.pick),
            field("Upload a scenario", self.upload_yaml,
                  "YAML as in docs/scenarios.md; <code>extends: estate.yaml</code> builds on the example."),
            field("Upload host inventories", self.upload_inv,
                  "CSV or XLSX: host, ram_gib, mode (+ hours_per_day, custom_metrics_per_minute, appsec)."),
            field("Upload actuals", self.upload_actuals,
                  "The actuals.csv of <code>planner import</code>: actual against modelled for the imported "
                  "months, next to the forecast of the uploaded scenario."),
            widgets.HTML("<h3>View</h3>"),
            field("Unit", self.unit_pick),
            field("Contract year", self.year_pick),
        ]
        main = [
            self.scenario_note, self.story, self.forecast_notes, self.kpis.row(), self.burn, self.past_box,
            self.monthly, self.lpar_section, self.report_section,
            section("Every pool per contract year", self.table, self.dl_yearly, self.dl_monthly),
            self.showback, self.dl_report,
        ]
        return Dashboard("overview", "Pools and burn-down",
                         "Consumption per unit and contract year, and when each pool runs out.",
                         controls, main, self.messages, self.link)


def dashboard(f: Forecast | None = None, actuals: Any = None) -> Dashboard:
    """The overview page.

    Parameters
    ----------
    f : Forecast, optional
        The forecast shown first (the built-in example estate when omitted);
        pass the one the notebook already computed.
    actuals : path or DataFrame, optional
        What ``f``'s estate consumed in past months (``actuals.csv`` of
        ``planner import``): shown against the model next to the forecast.
    """
    name = Path(actuals).name if isinstance(actuals, (str, Path)) else "actuals"
    given = None if actuals is None else (name, read_actuals(actuals))
    page = _Page(f if f is not None else forecast(), given)
    board = page.dashboard()
    board.page_state = page   # the inputs and the view shown (for tests)
    return board
