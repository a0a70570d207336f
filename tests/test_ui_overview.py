"""The overview, comparison and landing pages without a browser: their pure
compute steps, and the interactions the browser tests repeat (the KPI texts
here are the ones tests/browser/test_dashboards.py looks for)."""

import datetime as dt

import pandas as pd
import pytest

from planner.engine import forecast
from planner.scenario import load_scenario
from planner.ui import comparison, hosts, landing, overview

GOOD_YAML = b"""extends: estate.yaml
name: Mine
changes:
  - date: 2027-03-01
    move_hosts: {from: app, count: 100, mode: fullstack}
"""


@pytest.fixture(scope="module")
def example():
    return forecast()


def _kpi(page, name):
    return page.find(f"kpi-{name}").shown


def _upload(name, content):
    return ({"name": name, "type": "", "size": len(content), "content": memoryview(content),
             "last_modified": dt.datetime(2025, 1, 1)},)


def _check_page(page, name):
    classes = page.css_classes()
    assert classes[0] == f"dash-{name}" and "planner-dashboard" in page._dom_classes
    stable = [c for c in classes if c.startswith(("ctl-", "kpi-", "chart-", "table-", "download-"))]
    assert len(stable) == len(set(stable)), "a stable class is used twice"
    for cls in (c for c in classes if c.startswith("chart-")):
        shown = page.find(cls)
        assert shown.figure.get("data") is not None and shown.title, f"{cls} shows no chart"
    for cls in (c for c in classes if c.startswith("kpi-")):
        assert page.find(cls).shown, f"{cls} is empty"
    assert page.find("planner-error").text == ""
    assert "Dashboard" in page._repr_mimebundle_()["text/plain"]
    return classes


def _traces(fig, name):
    return [t for t in fig.data if t.name == name]


# --- overview: compute ----------------------------------------------------------------------

def test_year_figures(example):
    year1 = {u.unit: u for u in overview.year_figures(example, 1)}
    assert list(year1) == ["host_units", "host_unit_hours", "dem", "ddu", "asu", "cau", "msu"]
    asu = year1["asu"]
    # ASU: 40 hosts x 8 ASU x 24 h x 365 days = 2,803,200 of 3,000,000 a year: 196,800 left
    assert (asu.consumption, asu.amount, asu.remaining, asu.bought_as) == (2_803_200, 3_000_000, 196_800, "annual")
    # CAU: 200 a day (6,200 in the 31 days of January) x 365 = 73,000
    assert year1["cau"].consumption == 73_000 and pd.isna(year1["cau"].run_out)
    assert year1["host_units"].bought_as == "licence" and year1["host_units"].contracted == 800
    assert year1["msu"].bought_as is None                       # licensed per LPAR, not by the contract
    dem2 = next(u for u in overview.year_figures(example, 2) if u.unit == "dem")
    assert f"{dem2.run_out:%Y-%m-%d}" == "2028-12-07" and dem2.peak is False


def test_compute_falls_back_to_the_first_unit_and_year(example):
    view = overview.compute(example, unit="nope", year=9)
    assert (view.unit, view.year, view.years) == ("host_units", 1, (1, 2, 3))


def test_contract_year_table(example):
    table = overview.contract_year_table(example)
    row = table[(table["Unit"] == "DEM units") & (table["Year"] == 2)].iloc[0]
    # 16,116,598 consumed of 15,000,000: 1,116,598 more needed, run out on 2028-12-07
    assert (row["Remaining"], row["Runs out"], row["Extra needed"]) == (
        "-1,116,598 DEM units", "2028-12-07", "1,116,598 DEM units")


def test_charts_mark_the_engines_run_out_dates(example):
    pools = example.pools()
    dem = overview.burndown_figure(example, "dem")
    [marks] = _traces(dem, "Runs out")
    expected = [f"{d:%Y-%m-%d}" for d in pools.loc[(pools["unit"] == "dem") & pools["run_out"].notna(), "run_out"]]
    assert list(marks.x) == expected == ["2028-12-07", "2029-11-09"]
    assert list(marks.text) == ["runs out 2028-12-07", "runs out 2029-11-09"]
    hu = overview.burndown_figure(example, "host_units")
    [above] = _traces(hu, "Above the licence")
    assert list(above.x)[0] == "2028-09-01"                      # the first day above 800 HU
    assert not _traces(overview.burndown_figure(example, "asu"), "Runs out")   # ASU lasts every year


def test_msu_chart_shows_each_lpar_against_its_licence(example):
    fig = overview.burndown_figure(example, "msu")
    assert [t.name for t in fig.data] == ["PAYMENTS: peak", "PAYMENTS: licensed", "PAYMENTS: over the licence"]
    # 300 MSU x 1.01^16 = 300 x 1.17258 = 351.77 > 350 in May 2028, the 17th month
    assert list(fig.data[2].text) == ["PAYMENTS over from May 2028"] and fig.data[2].y[0] == pytest.approx(351.774, abs=0.001)


def test_with_inventories_adds_a_host_group():
    scenario = overview.with_inventories(load_scenario(), {"inventory.csv": hosts.example_inventory()})
    assert scenario.drivers["inventory"].inventory is not None
    assert forecast(scenario).yearly().loc[1, "host_units"] > forecast().yearly().loc[1, "host_units"]


# --- overview: the page ---------------------------------------------------------------------

def test_overview_dashboard(example):
    page = overview.dashboard(example)
    assert _check_page(page, "overview") == [
        "dash-overview", "planner-error", "ctl-scenario", "ctl-upload-scenario", "ctl-upload-inventory",
        "ctl-unit", "ctl-year", "kpi-consumption", "kpi-amount", "kpi-remaining", "kpi-run-out", "kpi-cost",
        "chart-burndown", "chart-monthly", "table-lpars", "table-yearly", "download-contract-years",
        "download-monthly"]
    assert (_kpi(page, "consumption"), _kpi(page, "run-out")) == ("759 HU", "lasts the year")
    page.find("ctl-unit").value = "dem"
    # 14,749,768 DEM units x EUR 0.012 = EUR 176,997
    assert (_kpi(page, "consumption"), _kpi(page, "amount"), _kpi(page, "run-out"), _kpi(page, "cost")) == (
        "14,749,768 DEM units", "15,000,000 DEM units", "lasts the year", "EUR 176,997")
    page.find("ctl-year").value = 2
    assert (_kpi(page, "consumption"), _kpi(page, "remaining"), _kpi(page, "run-out")) == (
        "16,116,598 DEM units", "-1,116,598 DEM units", "2028-12-07")
    assert page.find("kpi-run-out").value.count("25 days before the anniversary") == 1   # Dec 7..31
    page.find("ctl-scenario").value = "fullstack_move"
    page.find("ctl-unit").value = "host_units"
    assert (_kpi(page, "consumption"), _kpi(page, "run-out")) == ("1,359 HU", "2028-01-01")


def test_overview_msu_is_judged_per_lpar(example):
    page = overview.dashboard(example)
    page.find("ctl-unit").value = "msu"
    assert (_kpi(page, "remaining"), _kpi(page, "run-out"), _kpi(page, "cost")) == ("0 of 1", "within the licence", "n/a")
    page.find("ctl-year").value = 2
    assert (_kpi(page, "remaining"), _kpi(page, "run-out")) == ("1 of 1", "May 2028")


def test_an_upload_changes_every_part_of_the_overview(example):
    page = overview.dashboard(example)
    before = {name: page.find(name).value for name in ("table-yearly", "download-monthly", "note-scenario")}
    burn = page.find("chart-burndown").figure
    page.find("ctl-upload-scenario").value = _upload("mine.yaml", GOOD_YAML)
    assert page.messages.text == "" and page.find("ctl-scenario").value == "uploaded"
    # 100 app hosts move to full-stack on 2027-03-01: the year-1 peak grows from 759 to 916 HU
    assert _kpi(page, "consumption") == "916 HU"
    for name, value in before.items():
        assert page.find(name).value != value, f"{name} still shows the example"
    assert page.find("chart-burndown").figure != burn
    assert "Mine" in page.find("note-scenario").value
    view = page.page_state.view
    assert view.scenario.name == "Mine" and view.figures.consumption == pytest.approx(
        forecast(view.scenario).yearly().loc[1, "host_units"])


def test_overview_uploads(example):
    page = overview.dashboard(example)
    page.find("ctl-upload-scenario").value = _upload("bad.yaml", b"name: [x\n")
    assert page.messages.text == "bad.yaml, line 2: not valid YAML (did not find expected ',' or ']')"
    assert page.find("ctl-scenario").value == "estate"
    page.find("ctl-upload-scenario").value = _upload("mine.yaml", GOOD_YAML)
    assert page.messages.text == "" and page.find("ctl-scenario").value == "uploaded"
    page.find("ctl-upload-inventory").value = _upload("x.csv", b"host,ram\nx,3\n")
    assert page.messages.text.startswith("x.csv: missing column(s) 'ram_gib'")
    page.find("ctl-upload-scenario").value = _upload(
        "ref.yaml", b"name: Ref\ncontract: {start: 2027-01-01}\nhosts:\n  - {name: mine, inventory: hosts.csv}\n")
    assert page.messages.text.startswith("ref.yaml, line 4, hosts[0].inventory: hosts.csv: not uploaded and not a "
                                         "built-in example: no such inventory file. Upload the inventory")
    page.find("ctl-upload-inventory").value = _upload(
        "hosts.csv", b"host,ram_gib,mode\na,16,fullstack\nb,32,infrastructure\n")
    assert page.messages.text == "" and page.find("ctl-unit").value == "host_units"
    # a: 16 GiB full-stack = 1 HU; b: 32 GiB infrastructure = 0.6 HU (the host-unit table)
    assert _kpi(page, "consumption") == "1.6 HU"
    assert page.find("ctl-unit").options == (("Host units in use", "host_units"), ("Host unit hours", "host_unit_hours"))
    assert page.find("ctl-year").options == (("Year 1", 1),)    # a one-year contract
    assert page.find("table-lpars").frame.empty


def test_an_inventory_without_a_scenario_becomes_a_host_group(example):
    page = overview.dashboard(example)
    page.find("ctl-upload-inventory").value = _upload("extra.csv", b"host,ram_gib,mode\na,16,fullstack\n")
    assert page.messages.text.startswith("Added extra.csv as host group(s) of their own")
    # one more 16 GiB full-stack host: 759.022 + 1 = 760.022 HU at the year-1 peak
    assert _kpi(page, "consumption") == "760 HU"


# --- landing --------------------------------------------------------------------------------

def test_landing_summary(example):
    page = landing.summary(example)
    assert page.css_classes() == ["dash-index", "kpi-host-units", "kpi-host-unit-hours", "kpi-dem", "kpi-ddu",
                                  "kpi-asu", "kpi-cau", "kpi-msu"]
    assert _kpi(page, "dem") == "14,749,768 DEM units"
    assert _kpi(page, "host-units") == "759 HU"
    text = page._repr_mimebundle_()["text/plain"].splitlines()
    assert text[0].startswith("Dashboard '") and text[1] == (
        "Example estate (baseline): contract year 1 (2027-01-01 to 2027-12-31)")
    # 2,803,200 / 3,000,000 = 93 %
    assert "Application security units: 2,803,200 ASU (93 % of 3,000,000 ASU a year; lasts the year)" in text


def test_landing_notes_come_from_the_engine(example):
    page = landing.summary(example, year=2)
    notes = page._repr_mimebundle_()["text/plain"]
    assert "820 HU (103 % of 800 HU licensed; above it from 2028-09-01)" in notes
    assert "Mainframe MSU (peak): 377 MSU (over the licence: PAYMENTS from May 2028)" in notes


# --- comparison -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def runs(example):
    return [example, forecast("fullstack_move"), forecast("replay_rollout"), forecast("grail_retention")]


def test_comparison_compute_describes_every_scenario(runs):
    view = comparison.compute(runs[:3], "host_units")
    assert view.compared == ("Move 300 app hosts to full-stack", "Session Replay for 10 % of shop sessions")
    change = runs[1].yearly().loc[1, "host_units"] - runs[0].yearly().loc[1, "host_units"]
    assert round(change) == 464
    assert view.year1 == {view.compared[0]: pytest.approx(change), view.compared[1]: 0.0}   # replay: DEM only
    assert view.first_exceeded == {"Example estate (baseline)": pd.Period("2028-09", "M"),
                                   view.compared[0]: pd.Period("2027-04", "M"), view.compared[1]: pd.Period("2028-09", "M")}


def test_comparison_tables_fit_four_scenarios(runs):
    view = comparison.compute(runs, "dem")
    assert list(view.yearly.columns) == ["Scenario", "Contract year", "DEM units", "Change against the baseline"]
    assert len(view.yearly) == 3 * 4                                     # a row per contract year and scenario
    assert view.yearly.iloc[0].to_dict() == {"Scenario": "Example estate (baseline)", "Contract year": 1,
                                             "DEM units": "14,749,768 DEM units",
                                             "Change against the baseline": "baseline"}
    assert list(view.exceeded.columns) == ["Scenario", "HU", "HU h", "DEM units", "DDU", "ASU", "CAU"]
    assert len(view.exceeded) == 4


def test_comparison_dashboard(example):
    page = comparison.dashboard(given={"estate": example}, draws=200)
    assert _check_page(page, "comparison") == [
        "dash-comparison", "planner-error", "ctl-scenarios", "ctl-unit", "ctl-draws", "ctl-seed",
        "kpi-delta-year1", "kpi-delta-total", "kpi-first-exceeded", "kpi-p90-last", "chart-delta",
        "table-yearly", "table-first-exceeded", "download-comparison-monthly", "chart-bands"]
    assert (_kpi(page, "delta-year1"), _kpi(page, "first-exceeded")) == ("+464 HU", "Apr 2027")
    page.find("ctl-unit").value = "host_unit_hours"
    assert (_kpi(page, "delta-year1"), _kpi(page, "first-exceeded")) == ("+2,914,980 HU h", "Oct 2027")
    p90 = _kpi(page, "p90-last")
    page.find("ctl-seed").value = 1
    page.find("ctl-seed").value = 0
    assert _kpi(page, "p90-last") == p90                                      # seeded: repeatable
    page.find("ctl-scenarios").value = ("estate", "replay_rollout")
    page.find("ctl-unit").value = "dem"
    assert page.messages.text == "" and _kpi(page, "first-exceeded") == "Dec 2027"


def test_comparison_with_three_scenarios_describes_all(example):
    page = comparison.dashboard(("estate", "fullstack_move", "replay_rollout"), given={"estate": example}, draws=100)
    assert _kpi(page, "delta-year1") == "+464 HU / 0 HU"
    assert _kpi(page, "first-exceeded") == "Apr 2027 / Sep 2028"
    assert "Session Replay for 10 % of shop sessions" in page.find("kpi-delta-year1").value
    assert _kpi(page, "p90-last").count(" / ") == 1
    assert len(page.find("table-yearly").frame) == 3 * 3


def test_comparison_with_one_scenario_clears_the_results(example):
    page = comparison.dashboard(given={"estate": example}, draws=100)
    page.find("ctl-scenarios").value = ("estate",)
    assert page.messages.text.startswith("Select at least two scenarios to compare")
    assert {_kpi(page, k) for k in ("delta-year1", "delta-total", "first-exceeded", "p90-last")} == {"n/a"}
    assert page.find("table-yearly").frame.empty and page.find("table-first-exceeded").frame.empty
    assert page.find("chart-delta").figure["data"] == [] and page.find("download-comparison-monthly").value == ""
    page.find("ctl-seed").value = 2                          # still nothing to compare: the message stays
    assert page.messages.text.startswith("Select at least two scenarios to compare")


def test_first_exceeded_is_shown_once(example):
    page = comparison.dashboard(given={"estate": example}, draws=100)
    titles = [w.value for w in page.walk() if getattr(w, "value", None) == "<h3>First month a pool is exceeded</h3>"]
    assert len(titles) == 1
