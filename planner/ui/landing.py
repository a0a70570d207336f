"""Landing page: the built-in example's key figures for one contract year, one
KPI card per unit (classes ``planner-dashboard dash-index``; cards ``kpi-<unit>``
with underscores as dashes, e.g. ``kpi-host-unit-hours``)."""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from planner.engine import FLOW_UNITS, Forecast
from planner.pools import contract_years
from planner.ui import format as fmt
from planner.ui.overview import units_of
from planner.ui.widgets import KpiCard, Page, kpi_row, style

__all__ = ["summary"]


def summary(f: Forecast, year: int = 1) -> Page:
    """KPI cards of contract year ``year``: consumption (peak for host units and
    MSU) per unit, with the share of its pool or licence as the note."""
    yearly = f.yearly()
    pools = f.pools()
    cards = []
    for unit in units_of(f):
        used = float(yearly.loc[year, unit]) if unit in yearly and year in yearly.index else 0.0
        peak = unit not in FLOW_UNITS
        card = KpiCard(unit.replace("_", "-"), fmt.UNIT_NAMES[unit] + (" (peak)" if peak else ""), unit)
        row = pools[(pools["unit"] == unit) & (pools["year"] == year)] if len(pools) else pools
        if row.empty:
            card.set(used, "no pool in the contract")
        else:
            r = row.iloc[0]
            kind = "licensed" if unit in f.scenario.contract.licences else "a year"
            ends = "lasts the year" if pd.isna(r["run_out"]) else f"runs out {fmt.day(r['run_out'])}"
            card.set(used, f"{fmt.percent(r['consumption'] / r['amount'])} of "
                           f"{fmt.quantity(r['amount'], unit)} {kind}; {ends}")
        cards.append(card)
    years = contract_years(f.scenario.contract.start, max(year, f.scenario.contract.term_years))
    span = years[years["year"] == year].iloc[0]
    title = widgets.HTML(f"<h3>{html.escape(f.scenario.name)}: contract year {year} "
                         f"({fmt.day(span['start'])} to {fmt.day(span['end'])})</h3>")
    return Page("index", f"{f.scenario.name}: key figures", [style(), title, kpi_row(*cards)])
