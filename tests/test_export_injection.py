"""Every CSV and XLSX the planner writes stores text as text (issue 16, item 4).

A spreadsheet reads a text cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula ("CSV injection", OWASP). The payloads below go in through a host name,
a driver name and an extra inventory column (its header and its values), and
come out of the hosts page's downloads and the command line's ``-o`` files. Each
must come out as text with a leading apostrophe, never as a formula cell, while
numbers stay numbers.
"""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from planner.cli import main
from planner.export import csv_bytes, text_safe, xlsx_bytes
from planner.scenario import load_scenario, read_inventory
from planner.ui.pages import hosts

PAYLOADS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", "=HYPERLINK(\"http://x\",\"y\")"]
HARMLESS = ["web-01", "a=b", "plain text"]


def _inventory(tmp_path) -> str:
    frame = pd.DataFrame({"host": PAYLOADS + HARMLESS, "ram_gib": [16] * 5 + [8] * 3,
                          "mode": ["fullstack"] * 5 + ["infrastructure"] * 3, "hours_per_day": 24,
                          "=owner": PAYLOADS[::-1] + HARMLESS})
    path = tmp_path / "inventory.csv"
    frame.to_csv(path, index=False)     # written as a user's tool would: the payloads as they are
    return str(path)


def _cells(workbook_bytes: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_safe_workbook(workbook_bytes: bytes, payloads=PAYLOADS) -> None:
    cells = _cells(workbook_bytes)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "formula cells in the workbook"
    texts = {c.value for c in cells if c.data_type == "s"}
    for payload in payloads:
        assert "'" + payload in texts and payload not in texts


def _assert_safe_csv(text: str, payloads=PAYLOADS) -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    cells = set(frame.to_numpy().ravel()) | set(frame.columns)
    for payload in payloads:
        assert "'" + payload in cells and payload not in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    return frame


def test_text_safe_leaves_numbers_dates_and_harmless_text_alone():
    frame = pd.DataFrame({"host": ["=1", "a=b", None], "ram": [-16.0, 2.0, 3.0],
                          "day": pd.to_datetime(["2028-02-29"] * 3), "n": [-1, 0, 1]})
    out = text_safe(frame)
    assert out["host"].tolist()[:2] == ["'=1", "a=b"] and pd.isna(out["host"].iloc[2])
    assert out["ram"].tolist() == [-16.0, 2.0, 3.0] and out["n"].tolist() == [-1, 0, 1]
    assert out["day"].equals(frame["day"])
    assert frame["host"].iloc[0] == "=1"              # the caller's frame is not changed


@pytest.mark.parametrize("payload", ["\tcmd", "\r=1"])
def test_tab_and_carriage_return_starts_are_neutralised(payload):
    assert text_safe(pd.DataFrame({"x": [payload]}))["x"].iloc[0] == "'" + payload


def test_numbers_stay_numbers_in_the_workbook():
    cells = _cells(xlsx_bytes(pd.DataFrame({"host": ["-x"], "hu": [-2.5]}), index=False))
    assert [(c.value, c.data_type) for c in cells] == [("host", "s"), ("hu", "s"), ("'-x", "s"), (-2.5, "n")]


def test_hosts_page_downloads_store_payloads_as_text(tmp_path):
    inventory = read_inventory(_inventory(tmp_path))
    page = hosts.dashboard(load_scenario(), inventory=inventory, inventory_name="inventory.csv")
    download = page.find("download-hosts")
    sent: list[bytes] = []
    download.saver.send = lambda content, buffers=None: sent.append(bytes(buffers[0]))
    page.find("ctl-download-hosts-csv").click()
    page.find("ctl-download-hosts-xlsx").click()
    csv, xlsx = sent
    frame = _assert_safe_csv(csv.decode("utf-8-sig"), PAYLOADS + ["=owner"])
    assert pd.to_numeric(frame["ram_gib"]).tolist() == [16] * 5 + [8] * 3
    _assert_safe_workbook(xlsx, PAYLOADS + ["=owner"])


def test_cli_hosts_outputs_store_payloads_as_text(tmp_path, capsys):
    inventory = _inventory(tmp_path)
    assert main(["hosts", inventory, "-o", str(tmp_path / "hosts.xlsx")]) == 0
    _assert_safe_workbook((tmp_path / "hosts.xlsx").read_bytes())
    assert main(["hosts", inventory, "--table", "hosts", "-o", str(tmp_path / "hosts.csv")]) == 0
    frame = _assert_safe_csv((tmp_path / "hosts.csv").read_text(encoding="utf-8"))
    # 5 Regular full-stack hosts (1 HU each) and 3 Small infrastructure hosts (0.15 HU each)
    assert pd.to_numeric(frame["host_units"]).sum() == pytest.approx(5 * 1.0 + 3 * 0.15)


def test_cli_forecast_by_driver_stores_driver_names_as_text(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: '=1+1'\ncontract: {start: 2027-01-01, term_years: 1}\n"
        "hosts:\n  - {name: '=cmd|'' /C calc''!A0', count: 10, ram_gib: 16, mode: fullstack}\n"
        "  - {name: '@SUM(A1)', count: 4, ram_gib: 8, mode: infrastructure}\n", encoding="utf-8")
    out = tmp_path / "by_driver.xlsx"
    assert main(["forecast", str(scenario), "--by", "driver", "-o", str(out)]) == 0
    _assert_safe_workbook(out.read_bytes(), ["=cmd|' /C calc'!A0", "@SUM(A1)"])
    csv = tmp_path / "by_driver.csv"
    assert main(["forecast", str(scenario), "--by", "driver", "--table", "consumption", "-o", str(csv)]) == 0
    frame = _assert_safe_csv(csv.read_text(encoding="utf-8"), ["=cmd|' /C calc'!A0", "@SUM(A1)"])
    # 10 Regular full-stack hosts x 1 HU and 4 Small infrastructure hosts x 0.15 HU: numbers stay numbers
    hu = frame[(frame["unit"] == "host_units")].set_index("driver")["value"].astype(float)
    assert hu.to_dict() == {"'=cmd|' /C calc'!A0": 10.0, "'@SUM(A1)": pytest.approx(0.6)}


def test_download_links_csv_and_xlsx_are_safe():
    frame = pd.DataFrame({"driver": PAYLOADS, "value": range(len(PAYLOADS))})
    _assert_safe_csv(csv_bytes(frame, index=False).decode("utf-8-sig"))
    _assert_safe_workbook(xlsx_bytes(frame, index=False))
