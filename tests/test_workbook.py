"""The finance workbook (-o FILE.xlsx): formats, dates, headers, frozen rows, widths,
the About sheet, and text stored as text; read back with openpyxl."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from planner import __version__
from planner.cli import main
from planner.engine import forecast


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "forecast.xlsx"
    assert main(["forecast", "estate", "--period", "month", "--draws", "50", "--seed", "7", "-o", str(path)]) == 0
    return openpyxl.load_workbook(path), path


def _column(ws, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def test_one_sheet_per_table_then_about(book):
    wb, _ = book
    assert wb.sheetnames == ["consumption", "pools", "bands", "mainframe", "About"]
    for name in wb.sheetnames[:-1]:
        assert wb[name].freeze_panes == "A2"


def test_numbers_have_their_units_decimals_and_thousands_separators(book):
    wb, _ = book
    ws = wb["consumption"]
    expected = {"Host units in use [HU]": "#,##0.000", "Host unit hours [HU h]": "#,##0.000",
                "DEM units [DEM units]": "#,##0.00", "Davis data units [DDU]": "#,##0.0000",
                "Application security units [ASU]": "#,##0.00", "Cloud automation units [CAU]": "#,##0",
                "Mainframe MSU [MSU]": "#,##0.00"}
    for header, fmt in expected.items():
        cell = ws.cell(2, _column(ws, header))
        assert (cell.number_format, cell.data_type) == (fmt, "n"), header
    monthly = forecast("estate").monthly()
    ddu = ws.cell(2, _column(ws, "Davis data units [DDU]")).value
    assert ddu == round(monthly["ddu"].iloc[0], 4)


def test_months_and_dates_are_real_dates(book):
    wb, _ = book
    month = wb["consumption"].cell(2, 1)
    assert wb["consumption"].cell(1, 1).value == "Month"
    assert (month.value, month.number_format, month.data_type) == (dt.datetime(2027, 1, 1), "yyyy-mm", "d")
    pools = wb["pools"]
    start = pools.cell(2, _column(pools, "Start"))
    assert (start.value, start.number_format) == (dt.datetime(2027, 1, 1), "yyyy-mm-dd")
    run_out = pools.cell(2, _column(pools, "Run out"))
    assert run_out.value is None or run_out.number_format == "yyyy-mm-dd"


def test_money_and_row_units_in_the_pools_sheet(book):
    wb, _ = book
    ws = wb["pools"]
    cost = ws.cell(2, _column(ws, "Consumption cost [EUR]"))
    assert cost.number_format == '#,##0.00 "EUR"'
    units = [c.value for c in ws["A"][1:]]
    amounts = ws[openpyxl.utils.get_column_letter(_column(ws, "Amount [unit of the row]"))][1:]
    formats = dict(zip(units, (c.number_format for c in amounts)))
    assert formats["host_unit_hours"] == "#,##0.000" and formats["ddu"] == "#,##0.0000"
    assert formats["cau"] == "#,##0" and formats["host_units"] == "#,##0.000"
    assert ws.cell(2, _column(ws, "Days covered")).number_format == "#,##0"


def test_column_widths_fit_headers_and_values(book):
    wb, _ = book
    ws = wb["consumption"]
    header = "Davis data units [DDU]"
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(_column(ws, header))].width
    assert width >= len(header) + 2 and width <= 62
    assert ws.column_dimensions["A"].width >= len("yyyy-mm") + 2


def test_about_sheet(book):
    wb, _ = book
    about = dict(r for r in wb["About"].iter_rows(min_row=2, values_only=True))
    assert about["Scenario"] == "Example estate (baseline)"
    assert about["Scenario file"] == "estate"
    assert about["Currency"] == "EUR"
    assert about["Horizon"] == "2027-01-01 to 2029-12-31 (36 months)"
    assert (about["Monte Carlo draws"], about["Seed"]) == ("50", "7")
    assert about["Table set"] == "planner.tables"
    assert about["  ddu_weights"].startswith("source: Dynatrace Platform Usage Supplement, effective 2022-11-15")
    assert about["Planner version"] == __version__
    assert dt.datetime.strptime(about["Created"], "%Y-%m-%d %H:%M UTC")


def test_pandas_reads_it_cleanly(book):
    _, path = book
    frame = pd.read_excel(path, sheet_name="consumption")
    assert pd.api.types.is_datetime64_any_dtype(frame["Month"])
    assert frame["Cloud automation units [CAU]"].iloc[0] == round(forecast("estate").monthly()["cau"].iloc[0])


def test_size_about_has_the_risk_and_text_stays_text(tmp_path):
    path = tmp_path / "size.xlsx"
    assert main(["size", "estate", "--draws", "20", "--risk", "0.05", "-o", str(path)]) == 0
    wb = openpyxl.load_workbook(path)
    about = dict(r for r in wb["About"].iter_rows(min_row=2, values_only=True))
    assert about["Accepted risk of running out"] == "0.05" and about["Monte Carlo draws"] == "20"
    ws = wb["sizing"]
    notes = [c for c in ws[openpyxl.utils.get_column_letter(_column(ws, "Note"))][1:] if c.value]
    assert notes and all(c.data_type == "s" for c in notes)


def test_formula_like_driver_names_are_text(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\ncurrency: EUR\ncontract: {start: 2027-01-01}\n"
                        "cloud_automation:\n  - {name: '=1+2', executions_per_day: 5}\n", encoding="utf-8")
    path = tmp_path / "d.xlsx"
    assert main(["forecast", str(scenario), "--by", "driver", "-o", str(path)]) == 0
    ws = openpyxl.load_workbook(path)["consumption"]
    driver = ws.cell(2, _column(ws, "Driver"))
    assert (driver.value, driver.data_type) == ("'=1+2", "s")


def test_hosts_workbook_without_a_scenario(tmp_path):
    from planner.scenario import examples_folder
    path = tmp_path / "hosts.xlsx"
    assert main(["hosts", str(examples_folder() / "inventory.csv"), "-o", str(path)]) == 0
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[-1] == "About"
    about = dict(r for r in wb["About"].iter_rows(min_row=2, values_only=True))
    assert about["Command"] == "planner hosts" and "Scenario" not in about
    ws = wb["totals"]
    assert ws.cell(2, _column(ws, "Hosts")).number_format == "#,##0"


def test_times_keep_their_hour_and_zone(tmp_path):
    path = tmp_path / "support.xlsx"
    assert main(["support", "--opened", "2025-07-03 15:00", "--tz", "America/New_York", "--country", "US",
                 "--plan", "standard", "-o", str(path)]) == 0
    ws = openpyxl.load_workbook(path)["deadlines"]
    deadline = ws.cell(2, _column(ws, "Deadline [America/New_York]"))
    # severity 1, standard: 4 business hours from Thursday 15:00; Friday 4 July is a US holiday
    assert (deadline.value, deadline.number_format) == (dt.datetime(2025, 7, 7, 10, 0), "yyyy-mm-dd hh:mm")


def test_shares_are_percentages(tmp_path):
    path = tmp_path / "cc.xlsx"
    assert main(["forecast", "estate", "--by", "cost_center", "-o", str(path)]) == 0
    ws = openpyxl.load_workbook(path)["overrun"]
    share = ws.cell(2, _column(ws, "Share"))
    assert share.number_format == "0.0%" and 0 < share.value < 1
