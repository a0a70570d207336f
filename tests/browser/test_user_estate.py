"""One scenario per user, on every page, in Chromium (issue 16 item 2).

A user uploads their files on the landing page, several at once: a scenario
that ``extends:`` a base file uploaded with it, a variant of it, and the host
inventory the base names. Every page then shows that scenario, and its
rendered numbers are those of ``planner forecast --format json`` (and
``planner size``) for the same files. The scenarios are awkward on purpose:
a contract from 15 March with the horizon from 1 February, dated changes on
odd days and a top-up; a contract from 30 November across 29 February. The
files live in the user's browser: a reload keeps them, and another browser
context (another user of the same server) does not see them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import voila_page as vp
from planner.ui.kit import format as fmt

pytestmark = pytest.mark.browser

ACME = """name: Acme
description: Contract from 15 March, horizon from 1 February.
currency: EUR
horizon: {start: 2027-02-01, months: 30}
contract:
  start: 2027-03-15
  term_years: 3
  pools:
    host_unit_hours: {annual: 3_000_000, price: 0.01, overage_price: 0.015}
    dem: {annual: 1_500_000, price: 0.1, overage_price: 0.15}
    ddu: {annual: 2_000_000, price: 0.001, overage_price: 0.0015}
  licences:
    host_units: {quantity: 300, price: 80, overage_price: 120}
  top_ups:
    - {pool: dem, date: 2027-09-13, amount: 250_000}
hosts:
  - {name: app, count: 250, ram_gib: 16, mode: infrastructure, growth: {monthly: 0.01}}
  - {name: db, inventory: acme-hosts.csv}
rum:
  - {name: shop, sessions_per_month: 300_000, replay_share: 0.1, growth: {monthly: 0.02}}
synthetic:
  - {name: checkout, kind: clickpath, per_run: 5, frequency_minutes: 15, locations: 3}
grail:
  - {name: logs, capability: log_management, ingest_gb_per_day: 20, retention_days: 60, query_gb_per_month: 500}
changes:
  - {date: 2027-05-17, set: {driver: shop, replay_share: 0.25}}
  - {date: 2027-06-23, move_hosts: {from: app, count: 40, mode: fullstack}}
  - {date: 2027-10-09, set: {driver: logs, retention_days: 10}}
"""
MINE = """extends: acme.yaml
name: Mine
rum:
  - {name: shop, sessions_per_month: 400_000, replay_share: 0.1, growth: {monthly: 0.02}}
"""
MORE = """extends: acme.yaml
name: More
rum:
  - {name: shop, sessions_per_month: 500_000, replay_share: 0.1, growth: {monthly: 0.02}}
"""
HOSTS = "host,ram_gib,mode\ndb-1,64,fullstack\ndb-2,64,fullstack\ndb-3,32,infrastructure\n"
LEAP = """name: Leap
description: Contract from 30 November, across 29 February.
horizon: {start: 2027-11-30, months: 24}
contract:
  start: 2027-11-30
  pools:
    dem: {annual: 500_000}
    ddu: {annual: 900_000}
  licences:
    host_units: {quantity: 50}
hosts:
  - {name: web, count: 30, ram_gib: 8, mode: fullstack}
rum:
  - {name: app, sessions_per_month: 100_000}
grail:
  - {name: events, capability: business_events, ingest_gb_per_day: 5, retention_days: 30}
changes:
  - {date: 2028-02-29, set: {driver: app, sessions_per_month: 150_000}}
  - {date: 2028-02-29, set: {driver: events, retention_days: 45}}
"""
TIMEOUT = 90


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("estate")
    for name, text in (("acme.yaml", ACME), ("mine.yaml", MINE), ("more.yaml", MORE),
                       ("acme-hosts.csv", HOSTS), ("leap.yaml", LEAP)):
        (folder / name).write_text(text)
    return folder


def _cli(*args: Any) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "planner", *map(str, args), "--format", "json"],
                         capture_output=True, text=True, check=True, timeout=300)
    return json.loads(out.stdout)


def _year(cli: dict[str, Any], unit: str, year: int, driver: str | None = None) -> float:
    """A unit's consumption in a contract year from ``planner forecast`` JSON (by unit or by driver)."""
    for row in cli["consumption"]:
        if row["contract_year"] == year and (driver is None or (row["driver"], row["unit"]) == (driver, unit)):
            return float(row[unit] if driver is None else row["value"])
    raise KeyError((unit, year, driver))


def _pool(cli: dict[str, Any], unit: str, year: int) -> dict[str, Any]:
    return next(r for r in cli["pools"] if (r["unit"], r["year"]) == (unit, year))


def _message(page: Any) -> str:
    return " ".join(page.locator(".planner-error").first.inner_text().split())


def _shows(page: Any, selector: str, text: str, timeout: float = TIMEOUT) -> None:
    """Wait until the element's text contains ``text``."""
    read = lambda: " ".join(page.locator(selector).first.inner_text().split())   # noqa: E731
    assert vp.wait_for(lambda: text in read(), timeout=timeout, interval=0.2), \
        f"{selector}: expected {text!r}, the page shows {read()!r}; message: {_message(page)!r}"


def _kpi(page: Any, name: str, value: str, timeout: float = TIMEOUT) -> None:
    """Wait until KPI ``kpi-<name>`` shows ``value``."""
    assert vp.wait_for(lambda: vp.kpi_value(page, name) == value, timeout=timeout, interval=0.2), \
        f"kpi-{name}: expected {value!r}, the page shows {vp.kpi_value(page, name)!r}; message: {_message(page)!r}"


def _select(page: Any, control: str, label: str) -> None:
    page.locator(f".ctl-{control} select").select_option(label=label)


def _open(page: Any, base_url: str, name: str, scenario: str, chart: bool = True) -> None:
    """Open a dashboard and wait until it shows the user's scenario."""
    vp.open_dashboard(page, base_url, name, expect_chart=chart)
    _shows(page, ".planner-estate-label", f"Your scenario: {scenario}")
    assert not vp.python_errors(page), vp.python_errors(page)


def _upload(page: Any, base_url: str, paths: list[Path], scenario: str) -> None:
    vp.open_dashboard(page, base_url, "index", expect_chart=False)
    page.locator(".ctl-upload-estate input[type=file]").set_input_files([str(p) for p in paths])
    _shows(page, ".planner-summary-heading", f"{scenario}: contract year 1")
    _shows(page, ".planner-estate-label", f"Your scenario: {scenario}")      # stored in the browser


def test_every_page_shows_the_users_scenario_as_the_cli(page: Any, voila_server: Any, files: Path) -> None:
    mine, more = _cli("forecast", files / "mine.yaml"), _cli("forecast", files / "more.yaml")
    by_driver = _cli("forecast", files / "mine.yaml", "--by", "driver")
    sizing = _cli("size", files / "mine.yaml", "--draws", 2000, "--seed", 0)["sizing"]
    base = voila_server.base_url
    _upload(page, base, [files / n for n in ("acme.yaml", "mine.yaml", "more.yaml", "acme-hosts.csv")], "Mine")
    _shows(page, ".planner-summary-heading", "Mine: contract year 1 (2027-03-15 to 2028-03-14)")
    _kpi(page, "dem", fmt.quantity(_year(mine, "dem", 1), "dem"))
    _kpi(page, "host-units", fmt.quantity(_year(mine, "host_units", 1), "host_units"))
    assert _message(page) == ""

    _open(page, base, "overview", "Mine")
    _shows(page, ".note-scenario", "Mine:")
    _shows(page, ".note-story", "In Mine, the engine finds")
    _kpi(page, "consumption", fmt.quantity(_year(mine, "host_units", 1), "host_units"))
    _select(page, "unit", "DEM units")
    _kpi(page, "consumption", fmt.quantity(_year(mine, "dem", 1), "dem"))
    _kpi(page, "amount", fmt.quantity(_pool(mine, "dem", 1)["amount"], "dem"))     # 1,500,000 + 250,000 top-up

    _open(page, base, "hosts", "Mine")
    _kpi(page, "host-unit-hours", fmt.quantity(_year(by_driver, "host_unit_hours", 1, "app"), "host_unit_hours"))

    _open(page, base, "digital_experience", "Mine")
    _select(page, "month", fmt.month(pd.Period("2027-04", "M")))
    _kpi(page, "dem-year", fmt.quantity(_year(mine, "dem", 1), "dem"))

    _open(page, base, "ddu_grail", "Mine")
    _kpi(page, "ddu-year", fmt.quantity(_year(mine, "ddu", 1), "ddu"))

    _open(page, base, "renewal", "Mine")
    year = lambda: page.locator(".ctl-year select").input_value()   # noqa: E731
    assert vp.wait_for(lambda: year() == "year 1", timeout=TIMEOUT), year()    # the user's scenario opens on year 1
    _select(page, "pool", fmt.unit_name("dem"))
    row = next(r for r in sizing if (r["unit"], r["year"]) == ("dem", 1))
    _kpi(page, "optimal", fmt.quantity(row["optimal_amount"], "dem"))
    _kpi(page, "risk-amount", fmt.quantity(row["risk_amount"], "dem"))

    _open(page, base, "comparison", "Mine")
    _shows(page, ".note-baseline", "Baseline: Mine; compared: More")
    _select(page, "unit", "DEM units")
    _kpi(page, "delta-year1", fmt.quantity(_year(more, "dem", 1) - _year(mine, "dem", 1), "dem", signed=True))
    assert _message(page) == ""


def test_the_estate_stays_with_its_user_and_its_browser(page: Any, browser: Any, voila_server: Any,
                                                        files: Path) -> None:
    leap = _cli("forecast", files / "leap.yaml")
    base = voila_server.base_url
    _upload(page, base, [files / "leap.yaml"], "Leap")
    _shows(page, ".planner-summary-heading", "Leap: contract year 1 (2027-11-30 to 2028-11-29)")
    _kpi(page, "dem", fmt.quantity(_year(leap, "dem", 1), "dem"))
    # another user of the same server: their own browser, the built-in example
    other = vp.new_page(browser)
    try:
        vp.open_dashboard(other.page, base, "overview")
        other.page.wait_for_timeout(3000)                    # time for a stored estate to arrive, if any
        assert "Leap" not in other.page.evaluate("() => document.body.innerText")
        _shows(other.page, ".note-scenario", "Example estate (baseline):")
    finally:
        other.close()
    # a reload keeps the user's files, on every page
    page.reload()
    _shows(page, ".planner-summary-heading", "Leap: contract year 1 (2027-11-30 to 2028-11-29)")
    _open(page, base, "overview", "Leap")
    _select(page, "unit", "DEM units")
    _kpi(page, "consumption", fmt.quantity(_year(leap, "dem", 1), "dem"))
    _open(page, base, "digital_experience", "Leap")
    _select(page, "month", fmt.month(pd.Period("2028-03", "M")))
    _kpi(page, "dem-year", fmt.quantity(_year(leap, "dem", 1), "dem"))
    _open(page, base, "ddu_grail", "Leap")
    _kpi(page, "ddu-year", fmt.quantity(_year(leap, "ddu", 1), "ddu"))
    # forgetting the files: back to the example on every page
    vp.open_dashboard(page, base, "index", expect_chart=False)
    _shows(page, ".planner-estate-label", "Your scenario: Leap")
    page.locator(".ctl-forget").click()
    _shows(page, ".planner-summary-heading", "Example estate (baseline): contract year 1")
    vp.open_dashboard(page, base, "overview")
    page.wait_for_timeout(3000)
    _shows(page, ".note-scenario", "Example estate (baseline):")
    # an upload on the overview is the user's scenario too, on the next page
    page.locator(".ctl-upload-scenario input[type=file]").set_input_files(str(files / "leap.yaml"))
    _shows(page, ".note-scenario", "Leap:")
    _shows(page, ".planner-estate-label", "Your scenario: Leap")
    _open(page, base, "ddu_grail", "Leap")
    _kpi(page, "ddu-year", fmt.quantity(_year(leap, "ddu", 1), "ddu"))
