"""The overview, comparison and landing pages without a browser: their pure
compute steps, and the interactions the browser tests repeat (the KPI texts
here are the ones tests/browser/test_dashboards.py looks for)."""


import dataclasses

import pandas as pd
import pytest

from planner.engine import forecast
from planner.scenario import load_scenario
from planner.ui.kit import format as fmt
from planner.ui.pages import comparison, hosts, landing, overview
from page_checks import check_page as _check_page, kpi as _kpi, upload as _upload

GOOD_YAML = b"""extends: estate.yaml
name: Mine
changes:
  - date: 2027-03-01
    move_hosts: {from: app, count: 100, mode: fullstack}
"""


@pytest.fixture(scope="module")
def example():
    return forecast()





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
        "ctl-upload-actuals", "ctl-unit", "ctl-year", "kpi-consumption", "kpi-amount", "kpi-remaining",
        "kpi-run-out", "kpi-cost", "chart-burndown", "chart-monthly", "table-lpars", "table-msu-reports", "table-yearly",
        "download-contract-years", "download-monthly", "table-cost-centers", "table-products",
        "download-report", "ctl-download-report"]
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
        "ctl-whatif-driver", "ctl-whatif-field", "ctl-whatif-value", "ctl-whatif-month", "ctl-add-whatif",
        "download-comparison-what-if", "ctl-download-comparison-what-if-yaml", "kpi-delta-year1", "kpi-delta-total", "kpi-first-exceeded", "kpi-p90-last", "chart-delta",
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


# --- overview: actual versus modelled (issue 12) --------------------------------------------
# The imported folder of tests/fixtures/dynatrace_api.py: months 2026-07 (31 days), 2026-08 (31)
# and 2026-09 (30); the scenario starts 2026-10. Its DDU per day: custom metrics 10, log
# monitoring 100, 110, 121 (+10 % a month), custom events 5, Grail ingest 1 GB x 100 DDU/GB,
# query 1 GB x 1.70, retain 35 GB x 0.30.

@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    from fixtures import dynatrace_api as fx
    from planner.imports.baseline import import_files
    tmp = tmp_path_factory.mktemp("import")
    (tmp / "hosts.json").write_text(fx.hosts_json())
    (tmp / "metrics.csv").write_text(fx.metrics_csv())
    import_files(tmp / "hosts.json", [tmp / "metrics.csv"], tmp / "env")
    return tmp / "env"


@pytest.fixture(scope="module")
def imported_view(imported):
    from planner.imports.backtest import backtest, read_actuals
    scenario = load_scenario(imported / "scenario.yaml")
    table = backtest(scenario, read_actuals(imported / "actuals.csv"))
    return table, overview.compute(forecast(scenario), "ddu", past=table)


def test_compute_adds_the_backtest_of_the_chosen_unit(imported_view):
    table, view = imported_view
    past = view.past
    assert past.months == tuple(pd.period_range("2026-07", "2026-09", freq="M"))
    # actual, July: metrics 10 x 31 = 310 + log 100 x 31 = 3,100 + events 5 x 31 = 155 + ingest 100 x 31 = 3,100
    #   + query 1.7 x 31 = 52.7 + retain 35 x 0.3 x 31 = 325.5 = 7,043.2 DDU; August: log 110 x 31 = 3,410: 7,353.2;
    #   September (30 days): 300 + 3,630 + 150 + 3,000 + 51 + 315 = 7,446
    assert past.actual == pytest.approx((7043.2, 7353.2, 7446.0), abs=1e-9)
    # modelled: the same, but the scenario queries 1 GB x 30.4375 days a month, 51.74375 DDU in every month,
    # and log monitoring is 266,200 events a day in 2026-10 / 1.1^3 = 200,000 in July (x 0.0005 x 31 = 3,100)
    assert past.modelled == pytest.approx((7042.24375, 7352.24375, 7446.74375), abs=1e-6)
    # (7,042.24375 - 7,043.2) / 7,043.2 = -0.013577 %; (7,446.74375 - 7,446) / 7,446 = +0.009989 %
    assert past.error_pct == pytest.approx((-0.013577, -0.013005, 0.009989), abs=1e-6)
    # mean of |-0.013577|, |-0.013005|, |0.009989| = 0.012190 %; totals 21,841.23125 / 21,842.4 - 1 = -0.005351 %
    assert (past.mean_abs_error_pct, past.total_error_pct) == pytest.approx((0.012190, -0.005351), abs=1e-6)
    ddu = table[table["unit"] == "ddu"]
    assert past.modelled == tuple(ddu["modelled"]) and past.actual == tuple(ddu["actual"])   # backtest()'s own
    assert view.past_units == ("host_units", "host_unit_hours", "dem", "ddu")              # the page's order


def test_compute_without_actuals_of_the_unit_shows_none(imported, imported_view):
    table, view = imported_view
    without = table[table["unit"] != "host_unit_hours"]
    assert overview.compute(view.forecast, "host_unit_hours", past=without).past is None   # none of the unit
    assert (overview.compute(view.forecast, "ddu").past, overview.compute(view.forecast, "ddu").past_units) == (
        None, ())
    # host units: the hosts ran before and after the window, so every month's peak is all of them:
    # 1 + 0.5 + 4 full-stack + 0.6 + 1 infrastructure = 7.1 HU both ways
    hu = overview.compute(view.forecast, "host_units", past=table).past
    assert (hu.months, hu.actual, hu.modelled, hu.mean_abs_error_pct) == (
        tuple(pd.period_range("2026-07", "2026-09", freq="M")), (7.1, 7.1, 7.1), pytest.approx((7.1,) * 3), 0.0)
    # host-unit hours: 7.1 HU x 744 h = 5,282.4 in July and August, x 720 h = 5,112 in September, both ways
    hours = overview.compute(view.forecast, "host_unit_hours", past=table).past
    assert hours.actual == (5282.4, 5282.4, 5112.0) and hours.modelled == pytest.approx(hours.actual)


def test_actuals_figure_continues_with_the_forecast(imported_view):
    _, view = imported_view
    fig = overview.actuals_figure(view)
    assert [t.name for t in fig.data] == ["Actual", "Modelled", "Forecast"]
    actual, modelled, ahead = fig.data
    assert list(actual.y) == [7043.2, 7353.2, 7446.0] and list(modelled.y) == pytest.approx(
        [7042.244, 7352.244, 7446.744], abs=1e-9)                      # rounded to 1/1000 for the chart
    # October: log 266,200 x 31 x 0.0005 = 4,126.1 + 310 + 155 + 3,100 + 51.74375 + 325.5 = 8,068.34375 DDU
    assert pd.Timestamp(ahead.x[0]) == pd.Timestamp("2026-10-01") and ahead.y[0] == pytest.approx(8068.344)
    assert len(ahead.y) == 12 and list(ahead.y) == pytest.approx(list(view.forecast.monthly()["ddu"]), abs=5e-4)
    assert fig.layout.yaxis.title.text == "Davis data units [DDU]" and fig.layout.xaxis.title.text == "Month"
    assert list(actual.customdata) == ["7,043 DDU", "7,353 DDU", "7,446 DDU"]
    assert "actual: %{customdata}" in actual.hovertemplate
    assert [list(c) for c in modelled.customdata][0] == ["7,042 DDU", "-0.0136 %"]
    assert ahead.customdata[0] == "8,068 DDU"


def _imported_upload(page, folder, *names):
    for name in names:
        button = "ctl-upload-scenario" if name.endswith(".yaml") else (
            "ctl-upload-actuals" if name == "actuals.csv" else "ctl-upload-inventory")
        page.find(button).value = _upload(name, (folder / name).read_bytes())


def test_overview_shows_actual_against_modelled_of_an_upload(example, imported):
    page = overview.dashboard(example)
    _imported_upload(page, imported, "actuals.csv")
    assert page.messages.text == ("actuals.csv is compared with your uploaded scenario: upload the "
                                  "scenario.yaml (and hosts.csv) of the same import.")
    assert "chart-actuals" not in page.css_classes()                     # nothing against the example
    _imported_upload(page, imported, "scenario.yaml", "hosts.csv")
    assert page.messages.text == "" and page.find("ctl-scenario").value == "uploaded"
    page.find("ctl-unit").value = "ddu"
    classes = _check_page(page, "overview")
    assert classes[classes.index("kpi-cost") + 1] == "kpi-backtest-error"
    assert classes[classes.index("chart-burndown") + 1] == "chart-actuals"
    assert _kpi(page, "backtest-error") == "0.0122 %"                     # 0.012190 % (see above)
    assert "3 months, Jul 2026 to Sep 2026; totals -0.00535 %" in page.find("kpi-backtest-error").value
    shown = page.find("chart-actuals").figure
    assert shown["layout"]["title"]["text"] == "Davis data units: actual and modelled per month, then the forecast"
    assert page.page_state.view.past.actual == (7043.2, 7353.2, 7446.0)
    trimmed = pd.read_csv(imported / "actuals.csv")
    trimmed = trimmed[trimmed["unit"] != "host_unit_hours"].to_csv(index=False).encode()
    page.find("ctl-upload-actuals").value = _upload("actuals.csv", trimmed)
    page.find("ctl-unit").value = "host_unit_hours"                      # not in the actuals: nothing shows
    assert "chart-actuals" not in page.css_classes() and "kpi-backtest-error" not in page.css_classes()
    page.find("ctl-unit").value = "dem"
    page.find("ctl-scenario").value = "estate"                           # the example: no actuals of it
    assert "chart-actuals" not in page.css_classes() and "kpi-backtest-error" not in page.css_classes()
    page.find("ctl-scenario").value = "uploaded"
    assert "chart-actuals" in page.css_classes() and page.page_state.view.past.unit == "dem"


def test_overview_actuals_upload_errors(example, imported):
    page = overview.dashboard(example)
    page.find("ctl-upload-actuals").value = _upload(
        "bad.csv", b"month,unit,capability,driver,value\n2026-07,dem,rum_sessions,shop,1\n2026-08,DEMs,x,y,2\n")
    assert page.messages.text.startswith("bad.csv: row 3, column 'unit': 'DEMs' is not one of host_units, ")
    page.find("ctl-upload-actuals").value = _upload("a.csv", b"month,unit,value\n2026-07,dem,1\n")
    assert page.messages.text == ("a.csv: missing column(s) capability, driver; "
                                  "required: month, unit, capability, driver, value")
    page.find("ctl-upload-actuals").value = _upload("../../etc/actuals.txt", b"x")
    assert page.messages.text == "actuals.txt: actuals are a .csv file (the actuals.csv that planner import writes)"
    page.find("ctl-upload-actuals").value = _upload("empty.csv", b"month,unit,capability,driver,value\n")
    assert page.messages.text.startswith("empty.csv: no rows of actuals")
    assert page.page_state.inputs.actuals is None and "chart-actuals" not in page.css_classes()


def test_notebook_can_pass_actuals(imported):
    f = forecast(load_scenario(imported / "scenario.yaml"))
    page = overview.dashboard(f, actuals=imported / "actuals.csv")
    assert page.find("ctl-scenario").value == "uploaded" and _kpi(page, "backtest-error") == "0 %"   # 7.1 HU
    assert page.page_state.inputs.actuals[0] == "actuals.csv"


def test_an_inventory_counts_as_named_only_when_a_host_group_names_it():
    scenario_file = ("s.yaml", b"extends: estate.yaml\nhosts:\n  - {name: mine, inventory: myhosts.csv}\n")
    inputs = overview.Inputs(overview.UPLOADED, scenario_file=scenario_file,
                             inventories={"hosts.csv": (b"", None), "myhosts.csv": (b"", None)})
    assert inputs.unreferenced() == ["hosts.csv"]


def test_an_uploaded_scenario_is_read_once_to_check_and_forecast_it(monkeypatch):
    reads = []
    real = overview.read_uploaded_scenario
    monkeypatch.setattr(overview, "read_uploaded_scenario", lambda *a: reads.append(a[0]) or real(*a))
    inputs = overview.Inputs("estate", pending=("s.yaml", b"extends: estate.yaml\nname: Mine\n"))
    inputs.accept_pending()
    assert inputs.scenario().name == "Mine" and reads == ["s.yaml"]


def test_a_unit_without_a_pool_has_no_amount_line_in_its_burndown():
    f = forecast(load_scenario("estate"))
    unpooled = dataclasses.replace(f.scenario, contract=dataclasses.replace(f.scenario.contract, pools={}))
    names = [trace.name for trace in overview.burndown_figure(forecast(unpooled), "ddu").data]
    assert names == ["Cumulative consumption"]
    assert "Annual amount (incl. top-ups)" in [t.name for t in overview.burndown_figure(f, "ddu").data]


def test_overview_breaks_the_year_down_by_cost_center_and_product():
    """The example tags its drivers; the tables are the engine's breakdown of the year shown."""
    from planner.engine.showback import breakdown
    page = overview.dashboard()
    page.find("ctl-year").value = 2
    centers = page.find("table-cost-centers").frame
    ddu = centers[centers["Unit"] == "Davis data units"].set_index("Cost center")
    engine = breakdown(forecast("estate"), "cost_center")
    row = engine[(engine["contract_year"] == 2) & (engine["unit"] == "ddu") & (engine["cost_center"] == "platform")]
    assert ddu.loc["platform", "Consumption"] == fmt.quantity(row["consumption"].iloc[0], "ddu")
    assert ddu.loc["platform", "Cost"] == fmt.money(row["cost"].iloc[0], "EUR")
    assert "(untagged)" in set(ddu.index)
    products = page.find("table-products").frame
    assert {"shop", "mobile"} <= set(products["Product"])
