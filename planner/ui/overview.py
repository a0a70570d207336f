"""Overview dashboard: an estate's consumption per unit and contract year, and
the burn-down of each pool (cumulative consumption against the annual amount,
run-out dates marked), for a built-in example or an uploaded scenario.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import yaml

from planner.engine import FLOW_UNITS, UNITS, Forecast, forecast
from planner.model import Driver, Scenario
from planner.scenario import EXAMPLES, ScenarioError, example_path, load_scenario
from planner.sections import SECTIONS
from planner.ui import figures
from planner.ui import format as fmt
from planner.ui.widgets import (
    Dashboard, DownloadLinks, KpiCard, MessageArea, Table, chart, control, field, guard, kpi_row,
    note, section, show_figure,
)
from planner.ui.uploads import (
    inventory_upload, read_uploaded_inventory, read_uploaded_scenario, scenario_upload, uploaded_files,
)

__all__ = [
    "example_names", "units_of", "contract_year_table", "key_figures", "unit_balance",
    "burndown_figure", "monthly_figure", "with_inventories", "dashboard",
]


@functools.lru_cache(maxsize=1)
def example_names() -> dict[str, str]:
    """Built-in example key -> scenario name (read from each file's ``name:``)."""
    return {key: str(yaml.safe_load(example_path(key).read_text(encoding="utf-8")).get("name", key))
            for key in EXAMPLES}


def units_of(f: Forecast) -> list[str]:
    """Units of a forecast in the engine's order: those the contract buys first."""
    pools = {**f.scenario.contract.pools, **f.scenario.contract.licences}
    present = set(f.daily["unit"].unique())
    return [u for u in UNITS if u in pools] + [u for u in UNITS if u in present and u not in pools]


def contract_year_table(f: Forecast) -> pd.DataFrame:
    """Per pool and contract year, formatted for reading: amount, consumption
    (the peak for a licence), remaining, run-out date and extra needed."""
    pools = f.pools()
    rows = []
    for row in pools.itertuples():
        licence = row.unit in f.scenario.contract.licences
        rows.append({
            "Unit": fmt.UNIT_NAMES[row.unit], "Year": int(row.year),
            "Amount": fmt.quantity(row.amount, row.unit) + (" licensed" if licence else ""),
            "Consumption": fmt.quantity(row.consumption, row.unit) + (" peak" if licence else ""),
            "Remaining": fmt.quantity(row.remaining, row.unit),
            "Runs out": fmt.day(row.run_out) if not pd.isna(row.run_out) else "lasts",
            "Extra needed": fmt.quantity(row.extra_needed, row.unit),
        })
    return pd.DataFrame(rows, columns=["Unit", "Year", "Amount", "Consumption", "Remaining",
                                       "Runs out", "Extra needed"])


def key_figures(f: Forecast, year: int = 1) -> pd.DataFrame:
    """One line per unit for one contract year: consumption (peak for host
    units and MSU), the pool or licence, the share used and the run-out date."""
    yearly = f.yearly()
    pools = f.pools().set_index(["unit", "year"]) if len(f.pools()) else None
    rows = []
    for unit in units_of(f):
        used = float(yearly.loc[year, unit]) if unit in yearly and year in yearly.index else 0.0
        pool = f.scenario.contract.bought(unit)
        line = {"Unit": fmt.UNIT_NAMES[unit],
                "Consumption": fmt.quantity(used, unit) + ("" if unit in FLOW_UNITS else " peak"),
                "Pool": "no pool", "Used": "", "Runs out": ""}
        if pool is not None and pools is not None and (unit, year) in pools.index:
            p = pools.loc[(unit, year)]
            line["Pool"] = fmt.quantity(p["amount"], unit) + (" licensed" if unit in f.scenario.contract.licences
                                                              else " a year")
            line["Used"] = fmt.percent(p["consumption"] / p["amount"]) if p["amount"] else "n/a"
            line["Runs out"] = fmt.day(p["run_out"]) if not pd.isna(p["run_out"]) else "lasts the year"
        rows.append(line)
    return pd.DataFrame(rows, columns=["Unit", "Consumption", "Pool", "Used", "Runs out"])


def unit_balance(f: Forecast, unit: str) -> pd.DataFrame:
    """Day by day for one unit: ``year``, ``consumption``, ``cumulative`` since
    the anniversary, ``amount`` (NaN without a pool) and ``balance``."""
    if unit in f.scenario.contract.pools:
        return f.pool_balance(unit)
    totals = f.daily_totals()
    daily = totals[unit] if unit in totals else pd.Series(0.0, index=totals.index)
    frame = pd.DataFrame({"consumption": daily})
    starts = f.contract_years()["start"].to_numpy()
    frame["year"] = np.searchsorted(starts, frame.index.to_numpy(), side="right")
    frame = frame[frame["year"] > 0]
    frame["cumulative"] = frame.groupby("year")["consumption"].cumsum()
    frame["amount"] = np.nan
    frame["balance"] = np.nan
    return frame[["year", "consumption", "cumulative", "amount", "balance"]]


def burndown_figure(f: Forecast, unit: str) -> go.Figure:
    """The pool burn-down of ``unit``; for a licence (host units) or MSU the
    amount in use per day against the licensed quantity."""
    contract = f.scenario.contract
    pool = contract.pools.get(unit)
    totals = f.daily_totals()
    if unit in ("host_units", "msu"):
        licence = contract.licences.get(unit)
        quantity = licence.quantity if licence else sum(
            d.values.get("licensed_msu") or 0.0 for d in f.scenario.drivers_of("mainframe").values())
        daily = totals[unit] if unit in totals else pd.Series(0.0, index=totals.index)
        return figures.licence_peak(daily, quantity, unit)
    balance = unit_balance(f, unit)
    fig = figures.burndown(balance, unit)
    if pool is None:
        fig.update_layout(title_text=f"{fmt.UNIT_NAMES[unit]}: cumulative consumption per contract year "
                                     "(no pool in the contract)")
    return fig


def monthly_figure(f: Forecast, unit: str) -> go.Figure:
    """Monthly consumption of ``unit`` stacked by capability."""
    by = f.monthly(("unit", "capability"))
    part = by[by["unit"] == unit].pivot(index="month", columns="capability", values="value")  # one row each
    if part.empty:
        part = pd.DataFrame({"none": [0.0]}, index=pd.PeriodIndex([f.scenario.start], freq="M"))
    part = part[part.sum().sort_values(ascending=False).index]
    names = {c: fmt.capability(c) for c in part.columns}
    peak = " (peak day of the month)" if unit not in FLOW_UNITS else ""
    return figures.stacked_bars(part, title=f"{fmt.UNIT_NAMES[unit]} per month by capability{peak}",
                                unit=unit, names=names)


def with_inventories(scenario: Scenario, inventories: Mapping[str, pd.DataFrame]) -> Scenario:
    """A copy of ``scenario`` with one host group per inventory (named after its
    file), for inventories the scenario file does not name itself."""
    if not inventories:
        return scenario
    names = set(scenario.drivers)
    defaults = {k: d for k, (_, d) in SECTIONS["hosts"].fields.items() if k not in ("name", "growth", "inventory")}
    added = []
    for file_name, frame in inventories.items():
        name = stem = file_name.rsplit(".", 1)[0]
        k = 2
        while name in names:
            name, k = f"{stem} ({k})", k + 1
        names.add(name)
        added.append(Driver(name, "hosts", defaults, None, frame))
    return dataclasses.replace(scenario.with_drivers(*added), name=f"{scenario.name} + {', '.join(inventories)}")


UPLOADED = "uploaded"


def dashboard(f: Forecast | None = None) -> Dashboard:
    """The overview page.

    Parameters
    ----------
    f : Forecast, optional
        The forecast shown first (the built-in example estate when omitted);
        pass the one the notebook already computed.
    """
    messages = MessageArea()
    f = f if f is not None else forecast()
    names = example_names()
    start_key = next((k for k, n in names.items() if n == f.scenario.name), UPLOADED)
    state: dict[str, Any] = {"forecast": f, "cache": {(start_key, (), None): f}, "yaml": None, "pending": None,
                             "inventories": {}, "quiet": False}

    options = [(n, k) for k, n in names.items()]
    if start_key == UPLOADED:
        options.append((f"Given: {f.scenario.name}", UPLOADED))
        state["given"] = f.scenario
    pick = control(widgets.Dropdown(options=options, value=start_key), "scenario")
    upload_yaml = control(scenario_upload("Scenario YAML"), "upload-scenario")
    upload_inv = control(inventory_upload("Inventory", multiple=True), "upload-inventory")
    for upload in (upload_yaml, upload_inv):   # a file above its limit, refused in the browser
        upload.observe(lambda change: change.new and messages.error(change.new), "error")
    units = units_of(f)
    unit_pick = control(widgets.Dropdown(options=[(fmt.UNIT_NAMES[u], u) for u in units],
                                         value=units[0]), "unit")
    year_pick = control(widgets.ToggleButtons(options=_year_options(f), value=1), "year")
    year_pick.style.button_width = "auto"

    scenario_note = note(name="scenario")
    k_used = KpiCard("consumption", "Consumption")
    k_amount = KpiCard("amount", "Pool")
    k_remaining = KpiCard("remaining", "Remaining at year end")
    k_run_out = KpiCard("run-out", "Runs out")
    k_cost = KpiCard("cost", "Cost of consumption")
    burn = chart("burndown")
    monthly = chart("monthly")
    table = Table("yearly")
    dl_monthly = DownloadLinks("monthly", label="Monthly consumption per unit")
    dl_yearly = DownloadLinks("contract-years", label="Contract-year table", index=False)

    def show_unit() -> None:
        f, unit, year = state["forecast"], unit_pick.value, year_pick.value
        pool = f.scenario.contract.bought(unit)
        yearly = f.yearly()
        used = float(yearly.loc[year, unit]) if unit in yearly and year in yearly.index else 0.0
        peak = unit not in FLOW_UNITS
        k_used.label = f"{'Peak' if peak else 'Consumption'}, contract year {year}"
        years = f.contract_years()
        span = years[years["year"] == year]
        k_used.set(used, f"{fmt.day(span['start'].iloc[0])} to {fmt.day(span['end'].iloc[0])}" if len(span) else "",
                   unit=unit)
        rows = f.pools()
        row = rows[(rows["unit"] == unit) & (rows["year"] == year)] if len(rows) else rows
        if pool is None or row.empty:
            k_amount.label = "Pool"
            k_amount.set_text("no pool", "the contract buys none of this unit")
            for card in (k_remaining, k_run_out, k_cost):
                card.set_text("n/a")
        else:
            r = row.iloc[0]
            licence = unit in f.scenario.contract.licences
            k_amount.label = "Licensed quantity" if licence else "Annual amount"
            top_ups = r["amount"] - (pool.quantity if licence else pool.annual)
            k_amount.set(r["amount"], unit=unit, note=f"incl. {fmt.quantity(top_ups, unit)} top-ups" if top_ups else
                         ("peak in use counts" if licence else "resets on the anniversary"))
            k_remaining.label = "Headroom at the peak" if licence else "Remaining at year end"
            k_remaining.set(r["remaining"], unit=unit, note=f"extra needed: {fmt.quantity(r['extra_needed'], unit)}")
            k_run_out.label = "Above the licence from" if licence else "Runs out"
            if pd.isna(r["run_out"]):
                k_run_out.set_text("lasts the year", f"contract year {year} ends {fmt.day(r['end'])}")
            else:
                days = (r["end"] - r["run_out"]).days + 1
                k_run_out.set_text(fmt.day(r["run_out"]), f"{fmt.quantity(days, 'days')} before the anniversary")
            if pool.price is None:
                k_cost.set_text("n/a", "no price in the contract")
            else:
                price = " ".join(filter(None, (fmt.number(pool.price), f.scenario.currency)))
                k_cost.set_text(fmt.money(r["consumption"] * pool.price, f.scenario.currency),
                                f"at {price} per {fmt.symbol(unit)}")
        show_figure(burn, burndown_figure(f, unit))
        show_figure(monthly, monthly_figure(f, unit))

    def show_scenario() -> None:
        f = state["forecast"]
        description = f.scenario.description or "No description."
        scenario_note.value = (f'<div class="planner-note-text"><b>{_esc(f.scenario.name)}</b>: '
                               f"{_esc(description)} Horizon {fmt.day(f.scenario.start)} to "
                               f"{fmt.day(f.scenario.end)}.</div>")
        state["quiet"] = True
        try:
            units = units_of(f)
            keep = unit_pick.value if unit_pick.value in units else units[0]
            unit_pick.options = [(fmt.UNIT_NAMES[u], u) for u in units]
            unit_pick.value = keep
            years = _year_options(f)
            year = year_pick.value if year_pick.value in [y for _, y in years] else 1
            year_pick.options = years
            year_pick.value = year
        finally:
            state["quiet"] = False
        table.update(contract_year_table(f))
        dl_monthly.update(f.monthly())
        dl_yearly.update(f.pools())
        show_unit()

    def unreferenced() -> list[str]:
        """Uploaded inventories the current scenario file does not name."""
        text = state["yaml"][1].decode("utf-8", "replace") if pick.value == UPLOADED and state["yaml"] else ""
        return [name for name in state["inventories"] if name not in text]

    def current_scenario() -> Scenario:
        if pick.value != UPLOADED:
            base = load_scenario(example_path(pick.value))
        elif state["yaml"] is None:
            base = state["given"]
        else:
            base = read_uploaded_scenario(*state["yaml"], extra_files=[
                (name, content) for name, (content, _) in state["inventories"].items()])
        return with_inventories(base, {n: state["inventories"][n][1] for n in unreferenced()})

    @guard(messages)
    def on_scenario(change: Any = None) -> None:
        if state["quiet"]:
            return
        key = (pick.value, tuple(sorted(state["inventories"])),
               state["yaml"][0] if state["yaml"] and pick.value == UPLOADED else None)
        if key not in state["cache"]:
            state["cache"][key] = forecast(current_scenario())
        state["forecast"] = state["cache"][key]
        show_scenario()
        if unreferenced():
            messages.info(f"Added {', '.join(unreferenced())} as host group(s) of their own: the scenario "
                          "file does not name them (write inventory: FILE in a host group to place them).")

    def accept_yaml() -> None:
        """Try the last uploaded YAML with the inventories uploaded so far."""
        name, content = state["pending"]
        inventories = [(n, c) for n, (c, _) in state["inventories"].items()]
        try:
            read_uploaded_scenario(name, content, inventories)
        except ScenarioError as exc:
            if "no such inventory file" not in str(exc):
                state["pending"] = None
                raise
            raise ScenarioError(f"{exc}. Upload the inventory it names with "
                                "\u201cUpload host inventories\u201d.") from None
        state["yaml"], state["pending"] = (name, content), None
        state["cache"] = {k: v for k, v in state["cache"].items() if k[0] != UPLOADED}
        state["quiet"] = True
        try:
            pick.options = [(n, k) for k, n in names.items()] + [(f"Uploaded: {name}", UPLOADED)]
            pick.value = UPLOADED
        finally:
            state["quiet"] = False

    @guard(messages)
    def on_upload_yaml(change: Any = None) -> None:
        files = uploaded_files(upload_yaml.value)
        if files:
            state["pending"] = files[0]
            accept_yaml()
            on_scenario()

    @guard(messages)
    def on_upload_inventory(change: Any = None) -> None:
        files = uploaded_files(upload_inv.value)
        if not files:
            return
        state["inventories"] = {name: (content, read_uploaded_inventory(name, content))
                                for name, content in files}
        if state["pending"] is not None:
            accept_yaml()
        elif state["yaml"] is not None and pick.value == UPLOADED:
            state["cache"] = {k: v for k, v in state["cache"].items() if k[0] != UPLOADED}
        on_scenario()

    @guard(messages)
    def on_view(change: Any = None) -> None:
        if not state["quiet"]:
            show_unit()

    pick.observe(on_scenario, "value")
    upload_yaml.observe(on_upload_yaml, "value")
    upload_inv.observe(on_upload_inventory, "value")
    unit_pick.observe(on_view, "value")
    year_pick.observe(on_view, "value")
    show_scenario()

    controls = [
        widgets.HTML("<h3>Scenario</h3>"),
        field("Built-in example or your upload", pick),
        field("Upload a scenario", upload_yaml,
              "YAML as in docs/scenarios.md; <code>extends: estate.yaml</code> builds on the example."),
        field("Upload host inventories", upload_inv,
              "CSV or XLSX: host, ram_gib, mode (+ hours_per_day, custom_metrics_per_minute, appsec)."),
        widgets.HTML("<h3>View</h3>"),
        field("Unit", unit_pick),
        field("Contract year", year_pick),
    ]
    main = [
        scenario_note,
        kpi_row(k_used, k_amount, k_remaining, k_run_out, k_cost),
        burn, monthly,
        section("Every pool per contract year", table, dl_yearly, dl_monthly),
    ]
    return Dashboard("overview", "Pools and burn-down",
                     "Consumption per unit and contract year, and when each pool runs out.",
                     controls, main, messages)


def _year_options(f: Forecast) -> list[tuple[str, int]]:
    years = sorted(int(y) for y in f.yearly().index if y >= 1)
    return [(f"Year {y}", y) for y in years]


def _esc(text: str) -> str:
    import html
    return html.escape(str(text))
