"""The user's estate (planner.ui.kit.estate) without a browser: files to scenarios
inside the upload sandbox, and every page taking the estate its browser sends."""

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from planner.engine import forecast
from planner.model import SetValues
from planner.scenario import ScenarioError, load_scenario
from planner.ui.pages import comparison, ddu_grail, digital_experience, hosts, landing, overview, renewal
from planner.ui.kit.estate import ESTATE_LIMIT, UPLOAD, Estate, Scenarios, read_estate
from page_checks import kpi as _kpi, upload as _upload

ACME = b"""name: Acme
contract:
  start: 2027-03-01
  pools: {dem: {annual: 1000000}, ddu: {annual: 500000}}
  licences: {host_units: {quantity: 100}}
horizon: {start: 2027-02-01, months: 30}
hosts:
  - {name: web, count: 10, ram_gib: 16, mode: fullstack}
  - {name: mine, inventory: acme-hosts.csv}
rum:
  - {name: shop, sessions_per_month: 100000}
grail:
  - {name: logs, ingest_gb_per_day: 10, retention_days: 35}
"""
MINE = b"extends: acme.yaml\nname: Mine\nrum:\n  - {name: shop, sessions_per_month: 200000}\n"
MORE = b"extends: acme.yaml\nname: More\nrum:\n  - {name: shop, sessions_per_month: 300000}\n"
HOSTS = b"host,ram_gib,mode\na,16,fullstack\nb,32,infrastructure\n"
LOOSE = b"host,ram_gib,mode\nx,8,fullstack\n"
ACTUALS = b"month,unit,capability,driver,value\n2027-02,dem,rum_session,shop,25000\n"
FILES = [("acme.yaml", ACME), ("mine.yaml", MINE), ("more.yaml", MORE), ("acme-hosts.csv", HOSTS),
         ("loose.csv", LOOSE), ("actuals.csv", ACTUALS)]


def _send(page, files, choice=None):
    """What a page's EstateLink receives from its browser's store."""
    page.estate._received(None, {"event": "stored", "choice": choice, "names": [n for n, _ in files]},
                          [c for _, c in files])


def test_read_estate_resolves_extends_between_uploads():
    estate = read_estate(FILES)
    # acme.yaml is a base (both others extend it): the scenarios are mine and more, mine chosen
    assert list(estate.uploaded) == ["upload:mine.yaml", "upload:more.yaml"]
    assert estate.choice == "upload:mine.yaml" and estate.variants == ["upload:more.yaml"]
    mine = estate.scenario()
    # loose.csv is named by no scenario: a host group of its own; acme-hosts.csv is the group "mine"
    assert mine.name == "Mine + loose.csv" and set(mine.drivers_of("hosts")) == {"web", "mine", "loose"}
    assert len(mine.drivers["mine"].inventory) == 2
    assert mine.drivers["shop"].values["sessions_per_month"] == 200_000
    assert f"{mine.contract.start:%Y-%m-%d}" == "2027-03-01" and f"{mine.start:%Y-%m-%d}" == "2027-02-01"
    assert estate.actuals[0] == "actuals.csv" and estate.compared_actuals() is not None
    assert estate.menu()[-2:] == [("Uploaded: Mine (mine.yaml)", "upload:mine.yaml"),
                                  ("Uploaded: More (more.yaml)", "upload:more.yaml")]
    assert estate.choose("fullstack_move").compared_actuals() is None


def test_read_estate_keeps_the_sandbox():
    with pytest.raises(ScenarioError, match=r"x.yaml, line 1, extends: '/etc/passwd.yaml' is not allowed"):
        read_estate([("x.yaml", b"extends: /etc/passwd.yaml\n")])
    with pytest.raises(ScenarioError, match="hosts.csv: not uploaded and not a built-in example"):
        read_estate([("x.yaml", b"extends: estate.yaml\nhosts:\n  - {name: h, inventory: hosts.csv}\n")])
    with pytest.raises(ScenarioError, match=r"notes.txt: not a scenario \(.yaml\)"):
        read_estate([("notes.txt", b"hello")])
    with pytest.raises(ScenarioError, match="at most 60.0 MB"):
        read_estate([("a.csv", b"host,ram_gib,mode\n" + b"#" * ESTATE_LIMIT)])


def test_an_estate_without_a_scenario_file_is_the_example_with_its_inventories():
    estate = read_estate([("loose.csv", LOOSE)], "fullstack_move")
    assert estate.choice == "fullstack_move" and "loose" in estate.scenario().drivers
    assert read_estate([], "upload:gone.yaml").choice == "estate"      # a choice the files no longer give


def test_with_files_adds_and_replaces():
    estate = Estate().with_files([("acme.yaml", ACME), ("acme-hosts.csv", HOSTS)])
    assert estate.choice == "upload:acme.yaml"
    estate = estate.with_files([("mine.yaml", MINE)])
    assert estate.choice == "upload:mine.yaml" and list(estate.uploaded) == ["upload:mine.yaml"]
    estate = estate.with_files([("mine.yaml", MORE)])                   # same name: replaced
    assert estate.scenario().name == "More" and len(estate.files) == 3


def test_scenarios_menu_keeps_given_scenarios():
    acme = dataclasses.replace(load_scenario("estate"), name="Acme")
    menu = Scenarios({"acme": acme})
    assert menu.options()[-1] == ("Given: Acme", "acme") and menu.scenario("acme") is acme
    menu.use(read_estate(FILES))
    assert menu.keys()[-3:] == ["upload:mine.yaml", "upload:more.yaml", "acme"]


def test_overview_takes_the_estate_and_keeps_uploads():
    page = overview.dashboard(forecast())
    _send(page, FILES)
    view = page.page_state.view
    assert page.messages.text.startswith("Added loose.csv as host group(s) of their own")
    assert view.scenario.name == "Mine + loose.csv"
    assert page.find("ctl-scenario").value == "uploaded"
    # the contract buys DEM, DDU and a host-unit licence: it opens on host units, not on a unit without a pool
    assert view.unit == "host_units" and view.figures.bought_as == "licence"
    assert "In Mine + loose.csv, the engine finds" in page.find("note-story").value
    assert view.past_units == ("dem",)                                 # the actuals, against the upload
    sent = []
    page.estate.send = lambda content, buffers=None: sent.append((content, buffers))
    page.find("ctl-scenario").value = "grail_retention"
    assert sent[-1][0]["event"] == "keep" and sent[-1][0]["choice"] == "grail_retention"
    assert set(sent[-1][0]["names"]) == {n for n, _ in FILES}          # the files stay for the next page


def test_overview_uploads_a_scenario_with_its_base():
    page = overview.dashboard(forecast())
    page.find("ctl-upload-inventory").value = _upload("acme-hosts.csv", HOSTS)
    value = _upload("mine.yaml", MINE) + _upload("acme.yaml", ACME)
    page.find("ctl-upload-scenario").value = value
    assert page.messages.text == "" and page.page_state.view.scenario.name == "Mine"


def test_landing_start_uploads_several_files_and_keeps_them():
    page = landing.start(forecast())
    sent = []
    page.link.send = lambda content, buffers=None: sent.append((content, buffers))
    page.upload.value = tuple(item for name, content in FILES for item in _upload(name, content))
    assert page.messages.text == "" and page.pick.value == "upload:mine.yaml"
    assert sent[-1][0] == {"event": "keep", "choice": "upload:mine.yaml", "names": [n for n, _ in FILES]}
    assert sent[-1][1] == [c for _, c in FILES]
    assert page.link.label == ""                             # not yet stored
    page.link._received(None, {"event": "kept"}, [])       # the browser has stored them
    assert page.link.label == ("Your scenario: Mine + loose.csv, on every page of the planner. Your files "
                               "(acme.yaml, mine.yaml, more.yaml, acme-hosts.csv, loose.csv, actuals.csv) are kept "
                               "in this browser only.")
    assert page.lines[0] == "Mine + loose.csv: contract year 1 (2027-03-01 to 2028-02-29)"
    page.pick.value = "upload:more.yaml"
    assert sent[-1][0]["choice"] == "upload:more.yaml" and page.lines[0].startswith("More + loose.csv")
    page.forget.click()
    assert sent[-1][0] == {"event": "forget"} and page.pick.options[-1][1] == "grail_retention"


def test_hosts_dem_and_grail_take_the_estate():
    estate = read_estate(FILES)
    scenario = estate.scenario()
    page = hosts.dashboard()
    _send(page, FILES)
    assert page.messages.text == "" and [v for _, v in page.find("ctl-group").options] == ["web", "mine", "loose"]
    date = page.find("ctl-move-date")       # moves happen inside the user's horizon, from its first day
    assert (date.value, date.min, date.max) == (dt.date(2027, 2, 1), dt.date(2027, 2, 1), dt.date(2029, 7, 31))
    dem = digital_experience.dashboard()
    _send(dem, FILES)
    assert dem.messages.text == "" and dem.find("ctl-application").options == ("shop",)
    assert dem.find("ctl-month").value == pd.Period("2027-02", "M")
    # February 2027: 200,000 sessions x 0.25 DEM units (the rate card's plain session)
    assert _kpi(dem, "dem-month") == "50,000 DEM units"
    assert "Mine + loose.csv" in dem.find("note-scenario").value
    grail = ddu_grail.dashboard()
    _send(grail, FILES)
    assert grail.messages.text == "" and grail.find("ctl-bucket").options == ("logs",)
    # the scenario as it is: no retention change until the user makes one
    assert grail.find("ctl-retention").value == 35
    assert scenario.drivers["logs"].values["retention_days"] == 35


def test_dem_and_grail_add_and_remove():
    dem = digital_experience.dashboard()
    dem.find("ctl-add-application").click()
    assert dem.find("ctl-application").value == "new application 1" and dem.messages.text == ""
    dem.find("ctl-sessions").value = "1000"
    before = _kpi(dem, "dem-month")
    dem.find("ctl-remove-application").click()
    assert "new application 1" not in dem.find("ctl-application").options and _kpi(dem, "dem-month") != before
    grail = ddu_grail.dashboard()
    year = _kpi(grail, "ddu-year")
    grail.find("ctl-add-bucket").click()
    assert grail.find("ctl-bucket").value == "new bucket 1" and _kpi(grail, "ddu-year") != year
    grail.find("ctl-remove-bucket").click()
    assert _kpi(grail, "ddu-year") == year


def test_renewal_sizes_the_users_scenario():
    page = renewal.dashboard(draws=500)
    _send(page, FILES)
    assert page.messages.text == "" and page.find("ctl-scenario").value == "upload:mine.yaml"
    assert [v for _, v in page.find("ctl-pool").options] == ["host_units", "dem", "ddu"]


def test_comparison_of_given_forecasts_and_of_the_estate():
    acme = dataclasses.replace(load_scenario("estate"), name="Acme")
    runs = {"acme": forecast(acme), "estate": forecast()}
    page = comparison.dashboard(("acme", "estate"), given=runs, draws=100)
    assert page.messages.text == "" and page.page_state.keys() == ["acme", "estate"]
    _send(page, FILES)
    assert page.page_state.keys() == ["upload:mine.yaml", "upload:more.yaml"]
    # 300,000 against 200,000 sessions a month x 0.25 DEM units, 12 months of contract year 1
    page.find("ctl-unit").value = "dem"
    assert _kpi(page, "delta-year1") == "+300,000 DEM units"


def test_a_comparison_what_if_is_the_forecast_of_the_same_change():
    page = comparison.dashboard(("estate",), given={"estate": forecast()}, draws=100)
    page.find("ctl-whatif-driver").value = "shop"
    page.find("ctl-whatif-value").value = "4000000"
    page.find("ctl-whatif-month").value = pd.Period("2027-07", "M")
    page.find("ctl-add-whatif").click()
    assert page.messages.text == "" and page.page_state.keys() == ["estate", "whatif:1"]
    page.find("ctl-unit").value = "dem"
    base = load_scenario("estate")
    changed = forecast(base.with_changes(SetValues(pd.Timestamp("2027-07-01"), "shop",
                                                   {"sessions_per_month": 4_000_000})))
    expected = changed.yearly().loc[1, "dem"] - forecast(base).yearly().loc[1, "dem"]
    assert _kpi(page, "delta-year1") == f"{expected:+,.0f} DEM units"
    assert UPLOAD == "upload:"


def test_stored_files_that_cannot_be_read_leave_the_example_with_a_message():
    page = overview.dashboard(forecast())
    _send(page, [("x.yaml", b"extends: /etc/passwd.yaml\n")])
    assert page.messages.text.startswith("Your stored files could not be read, so this page shows the built-in "
                                         "example: x.yaml, line 1, extends: '/etc/passwd.yaml' is not allowed")
    assert page.page_state.view.scenario.name == "Example estate (baseline)"
    assert page.estate.label == "Your stored files could not be read: this page shows the built-in example."
