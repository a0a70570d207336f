"""The dashboards' building blocks (planner.ui) and each dashboard without a browser.

The interaction tests at the end change a control the way a user would (the
widget's value) and check the KPI text the page then shows: these are the
values the browser tests look for (see the CSS class list in planner.ui).
"""

import dataclasses
import base64
import datetime as dt
import io
import json
import sys
from importlib import resources

import ipywidgets as widgets
import nbformat
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from planner.engine import forecast
from planner.scenario import ScenarioError, load_scenario
from planner.ui import comparison, ddu_grail, digital_experience, figures, hosts, landing, overview, support
from planner.ui import format as fmt
from planner.ui.cards import KpiCard, MessageArea, ResultTable, guard, readable
from planner.ui.charts import PLOTLY_MIME, Chart, chart, figure_spec, show_figure
from planner.ui.exports import DownloadLinks, csv_bytes, data_uri, xlsx_bytes
from planner.ui.layout import Page
from planner import serve


# --- formatting -------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "kwargs", "text"), [
    (1181248.4, {}, "1,181,248"), (0.3, {}, "0.3"), (2.0, {}, "2"), (40.98, {}, "40.98"),
    (0.0007, {}, "0.0007"), (0, {}, "0"), (-1234.5, {"decimals": 1}, "-1,234.5"),
    (420, {"signed": True}, "+420"), (-0.0001, {"decimals": 0}, "0"), (float("nan"), {}, "n/a"),
    (None, {}, "n/a"), (np.float64(12.5), {}, "12.5"),
])
def test_number(value, kwargs, text):
    assert fmt.number(value, **kwargs) == text


def test_quantity_names_the_unit():
    assert fmt.quantity(1181248, "dem") == "1,181,248 DEM units"
    assert fmt.quantity(6277832.3, "host_unit_hours") == "6,277,832 HU h"
    assert fmt.quantity(35, "days") == "35 days"
    assert fmt.quantity(-843922, "ddu", signed=True) == "-843,922 DDU"
    assert fmt.quantity(None, "ddu") == "n/a"


def test_dates_money_percent_duration():
    assert fmt.money(36277.67, "EUR") == "EUR 36,278"
    assert fmt.percent(0.1) == "10 %"
    assert fmt.day(pd.Timestamp("2029-12-14")) == "2029-12-14"
    assert fmt.day(pd.NaT) == "n/a"
    assert fmt.month(pd.Period("2028-12", "M")) == "Dec 2028"
    assert fmt.timestamp(pd.Timestamp("2025-03-11 10:00", tz="Europe/Vienna")) == "Tue 2025-03-11 10:00 CET"
    assert fmt.duration(pd.Timedelta(hours=19)) == "19 h"
    assert fmt.duration(pd.Timedelta(days=1, hours=2, minutes=30)) == "1 d 2 h 30 min"
    assert fmt.duration(pd.Timedelta(0)) == "0 min"
    assert fmt.capability("rum_sessions") == "RUM sessions"
    assert fmt.capability("something_new") == "Something new"


# --- downloads ----------------------------------------------------------------------------

FRAME = pd.DataFrame({"dem": [1181248.0, 1186764.5], "ddu": [2919610.0, 2665891.0]},
                     index=pd.PeriodIndex(["2027-01", "2027-02"], freq="M", name="month"))


def test_csv_has_bom_header_and_rows():
    text = csv_bytes(FRAME).decode("utf-8-sig")
    assert text.splitlines() == ["month,dem,ddu", "2027-01,1181248.0,2919610.0", "2027-02,1186764.5,2665891.0"]


def test_xlsx_round_trip():
    back = pd.read_excel(io.BytesIO(xlsx_bytes(FRAME)))
    assert list(back.columns) == ["month", "dem", "ddu"]
    assert back["month"].tolist() == ["2027-01", "2027-02"]
    assert back["dem"].tolist() == [1181248.0, 1186764.5]


def test_xlsx_drops_time_zones():
    frame = pd.DataFrame({"when": pd.to_datetime(["2025-03-10 15:00"]).tz_localize("Europe/Vienna")})
    back = pd.read_excel(io.BytesIO(xlsx_bytes(frame, index=False)))
    assert back["when"].iloc[0] == pd.Timestamp("2025-03-10 15:00")


def test_download_links_carry_the_data():
    links = DownloadLinks("monthly", FRAME, label="Monthly")
    assert "download-monthly" in links._dom_classes
    assert 'download="monthly.csv"' in links.value and 'download="monthly.xlsx"' in links.value
    csv_uri = links.value.split('href="')[1].split('"')[0]
    assert csv_uri.startswith("data:text/csv;base64,")
    assert base64.b64decode(csv_uri.split(",", 1)[1]) == csv_bytes(FRAME)
    xlsx_uri = links.value.split('href="')[2].split('"')[0]
    assert xlsx_uri.startswith("data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,")
    assert pd.read_excel(io.BytesIO(base64.b64decode(xlsx_uri.split(",", 1)[1])))["ddu"].iloc[1] == 2665891.0


def test_data_uri():
    assert data_uri(b"a,b\n", "text/csv") == "data:text/csv;base64,YSxiCg=="


GOOD_YAML = b"""extends: estate.yaml
name: Mine
changes:
  - date: 2027-03-01
    move_hosts: {from: app, count: 100, mode: fullstack}
"""


# --- messages -----------------------------------------------------------------------------

def test_guard_shows_a_message_instead_of_raising():
    area = MessageArea()
    assert "planner-error" in area._dom_classes

    @guard(area)
    def fails(change=None):
        raise ScenarioError("estate.yaml, line 14, hosts[1].ram_gib: must be a number > 0 [GiB]; got 'big'")

    assert fails() is None
    assert area.text == "estate.yaml, line 14, hosts[1].ram_gib: must be a number > 0 [GiB]; got 'big'"
    assert area.kind == "error" and "Traceback" not in area.value

    @guard(area)
    def works(change=None):
        return 42

    assert works() == 42 and area.text == "" and area.value == ""


def test_readable_never_shows_a_traceback():
    assert readable(ValueError("draws must be a whole number")) == "draws must be a whole number"
    assert readable(KeyError("app")) == "unknown name 'app'"
    text = readable(ZeroDivisionError("division by zero"))
    assert text.startswith("Something went wrong (ZeroDivisionError: division by zero)")
    assert "Traceback" not in text


def test_message_area_escapes_html():
    area = MessageArea()
    area.error("<script>alert(1)</script>")
    assert "<script>" not in area.value and "&lt;script&gt;" in area.value


# --- KPI cards and tables -------------------------------------------------------------------

def test_kpi_card_shows_number_unit_and_label():
    card = KpiCard("dem-month", "DEM units per month", "dem", value=1181248.4, note="30-day month")
    assert {"planner-kpi", "kpi-dem-month"} <= set(card._dom_classes)
    assert card.shown == "1,181,248 DEM units"
    assert ">1,181,248 DEM units<" in card.value and "DEM units per month" in card.value
    card.set(-843922, unit="ddu", signed=True)
    assert card.shown == "-843,922 DDU" and card.unit == "ddu"
    card.set_text("2028-12-07", "runs out")
    assert card.shown == "2028-12-07"


def test_result_table_has_html_and_text():
    table = ResultTable(pd.DataFrame({"Unit": ["DEM units"], "Value": ["1 DEM units"]}), "Title")
    assert table._repr_html_().startswith("<p><b>Title</b></p><table")
    assert repr(table).splitlines() == ["Title", "     Unit       Value", "DEM units 1 DEM units"]


# --- figures ------------------------------------------------------------------------------

def _assert_labelled(fig, unit_text):
    assert isinstance(fig, go.Figure)
    assert fig.layout.title.text
    axes = [a for a in fig.layout if a.startswith(("xaxis", "yaxis"))]
    assert axes
    for name in axes:
        axis = fig.layout[name]
        if axis.type == "category":
            continue
        if name.startswith("xaxis") and axis.anchor:   # small multiples title their bottom row's x axes
            partner = fig.layout["yaxis" + axis.anchor[1:]]
            if partner.domain and partner.domain[0] > 0:
                continue
        assert axis.title.text, f"{name} has no title"
    hovers = [t.hovertemplate for t in fig.data if t.hovertemplate]
    assert hovers and any(unit_text in h for h in hovers)


@pytest.fixture(scope="module")
def example():
    return forecast()


def test_figure_builders_have_titles_axis_titles_and_hover_units(example):
    _assert_labelled(overview.burndown_figure(example, "dem"), "DEM units")
    _assert_labelled(overview.burndown_figure(example, "host_units"), "HU")
    _assert_labelled(overview.burndown_figure(example, "msu"), "MSU")
    _assert_labelled(overview.monthly_figure(example, "ddu"), "DDU")
    group = hosts.host_groups(load_scenario())["web"]
    _assert_labelled(hosts.move_figure(group, "web", 10), "DDU/year")
    apps, monitors = digital_experience.scenario_inputs(load_scenario())
    _assert_labelled(digital_experience.breakdown_figure(digital_experience.breakdown(apps["shop"], monitors)),
                     "DEM units")
    _assert_labelled(digital_experience.replay_figure(apps["shop"], 30240.0, 1.25e6), "DEM units")
    curve = ddu_grail.store_curve(500, 35, start="2027-01-01", new_retention_days=90, change="2027-07-01")
    _assert_labelled(ddu_grail.store_figure(curve, "logs", "2027-07-01"), "GB")
    grail = ddu_grail.grail_monthly(curve, 25_000)
    other = ddu_grail.other_monthly(grail.index, spans_per_day=300_000)
    _assert_labelled(ddu_grail.ddu_figure(ddu_grail.monthly_ddu(grail, other)), "DDU")
    runs = [example, forecast(load_scenario(comparison.example_path("fullstack_move")), draws=50)]
    result = comparison.compare(*runs)
    _assert_labelled(comparison.delta_figure(comparison.deltas(result, "host_units"), "host_units", "base"), "HU")
    _assert_labelled(comparison.bands_figure(runs, "host_units"), "HU")
    ticket = support.deadlines("2025-03-10 15:00", 1, tz="Europe/Vienna", country="AT")
    fig = support.timeline_figure("2025-03-10 15:00", ticket, tz="Europe/Vienna", country="AT")
    assert fig.layout.title.text and fig.layout.xaxis.title.text == "Local time (Europe/Vienna)"


def test_figure_spec_is_plain_plotly_json_with_the_planner_config():
    fig = figures.stacked_bars(FRAME, title="DEM per month", unit="dem")
    spec = figure_spec(fig)
    assert {"data", "layout", "config"} <= set(spec)
    assert spec["layout"]["title"]["text"] == "DEM per month"
    assert spec["config"]["toImageButtonOptions"]["filename"] == "dem-per-month"
    assert spec["config"]["displaylogo"] is False
    assert "responsive" not in spec["config"]          # chart.js follows its own element's size
    json.dumps(spec)                                     # plain JSON, no numpy left


def test_a_chart_holds_the_figure_and_replaces_it():
    fig = figures.stacked_bars(FRAME, title="DEM per month", unit="dem")
    shown = chart("monthly", fig)
    assert isinstance(shown, Chart) and {"planner-chart", "chart-monthly"} <= set(shown._dom_classes)
    assert shown.title == "DEM per month" and repr(shown) == "[chart] DEM per month"
    show_figure(shown, figures.stacked_bars(FRAME, title="Again", unit="dem"))
    assert shown.figure["layout"]["title"]["text"] == "Again" and shown.figure == figure_spec(
        figures.stacked_bars(FRAME, title="Again", unit="dem"))
    assert "Plotly.react" in Chart._esm and "export default" in Chart._esm


def test_a_page_with_charts_loads_plotly_once():
    with_charts = Page("x", "X", [chart("a"), widgets.VBox([chart("b")])])
    loaders = [w for w in with_charts.walk() if "planner-plotly-loader" in w._dom_classes]
    assert len(loaders) == 1 and loaders[0].layout.display == "none"
    assert PLOTLY_MIME in loaders[0].outputs[0]["data"]
    without = Page("y", "Y", [widgets.HTML("no chart")])
    assert not [w for w in without.walk() if "planner-plotly-loader" in w._dom_classes]


def test_axis_title_names_unit_and_symbol():
    assert figures.axis_title("ddu") == "Davis data units [DDU]"
    assert figures.axis_title("dem") == "DEM units"
    assert figures.axis_title("GB") == "GB"


# --- pure computations of the dashboards ---------------------------------------------------

def test_move_table_uses_the_calculators():
    app = hosts.host_groups(load_scenario())["app"]  # 400 x 32 GiB infrastructure, 150 metrics/min
    table = hosts.move_table(app, [0, 300])
    assert table.loc[0, "host_units"] == pytest.approx(240.0)               # 400 x 0.6
    assert table.loc[300, "host_units"] == pytest.approx(660.0)             # 100 x 0.6 + 300 x 2
    assert table.loc[300, "included_metrics"] == pytest.approx(100 * 200 + 300 * 2000)
    assert table.loc[300, "metric_ddu"] == 0.0                              # 150 < 200 included
    with pytest.raises(ValueError, match="between 0 and the group's 400 hosts"):
        hosts.move_table(app, 401)


def test_inventory_totals_by_mode():
    totals = hosts.mode_totals(hosts.inventory_table(hosts.example_inventory()))
    assert totals.loc["fullstack", "hosts"] == 7 and totals.loc["infrastructure", "hosts"] == 5
    assert totals.loc["total", "host_units"] == pytest.approx(18.075)
    assert totals.loc["total", "metric_ddu"] == pytest.approx(1224.0)     # DDU per day
    assert totals.loc["fullstack", "asu"] == pytest.approx(144.0)          # 48 + 96 ASU per day


def test_rum_and_monitor_months():
    assert digital_experience.rum_month(3_000_000, 0.10, 25) == {
        "rum_sessions": 675000.0, "session_replay": 300000.0, "defined_properties": 150000.0}
    assert digital_experience.monitor_month("clickpath", 3, 15, 2) == (17280.0, 17280.0)
    assert digital_experience.monitor_month("http", 1, 1, 3) == (129600.0, 12960.0)
    with pytest.raises(ValueError, match="replay share"):
        digital_experience.rum_month(1, 1.5)


def test_grail_dashboard_matches_the_engine():
    scenario = load_scenario(comparison.example_path("grail_retention"))
    scenario = scenario.with_drivers(*(dataclasses.replace(d, growth=None) for d in scenario.drivers.values()))
    f = forecast(scenario)
    by = f.monthly(("unit", "capability"))
    engine = by[by["capability"].str.startswith("log_management")].groupby("month")["value"].sum().iloc[:12]
    curve = ddu_grail.store_curve(500, 35, start="2027-01-01", new_retention_days=90, change="2027-07-01")
    mine = ddu_grail.grail_monthly(curve, 25_000)["total"]
    np.testing.assert_allclose(mine.to_numpy(), engine.to_numpy())
    np.testing.assert_allclose(curve["stored_gb"].to_numpy(), f.grail_store["logs"].to_numpy()[:365])
    with pytest.raises(ValueError, match="outside the horizon"):
        ddu_grail.store_curve(500, 35, start="2027-01-01", new_retention_days=90, change="2030-01-01")


def test_support_open_intervals_follow_the_policy_calendar():
    start = pd.Timestamp("2025-03-10 15:00", tz="Europe/Vienna")
    end = pd.Timestamp("2025-03-12 10:00", tz="Europe/Vienna")
    assert support.open_intervals(start, end, tz="Europe/Vienna", country="AT") == [
        (pd.Timestamp("2025-03-10 15:00"), pd.Timestamp("2025-03-10 17:00")),
        (pd.Timestamp("2025-03-11 08:00"), pd.Timestamp("2025-03-11 17:00")),
        (pd.Timestamp("2025-03-12 08:00"), pd.Timestamp("2025-03-12 10:00"))]
    # the government window, 08:00-20:00 New York (EDT), is 13:00-01:00 in Vienna (CET)
    assert support.open_intervals(start, end, tz="Europe/Vienna", coverage="government")[0] == (
        pd.Timestamp("2025-03-10 15:00"), pd.Timestamp("2025-03-11 01:00"))
    assert support.parse_closures("2025-12-24, 2025-12-31") == [dt.date(2025, 12, 24), dt.date(2025, 12, 31)]
    with pytest.raises(ValueError, match="got 'x'"):
        support.parse_closures("2025-12-24 x")


def test_key_figures_and_contract_year_table(example):
    key = overview.key_figures(example, year=1).set_index("Unit")
    assert key.loc["DEM units", "Consumption"] == "14,749,768 DEM units"
    assert key.loc["DEM units", "Used"] == "98 %"
    table = overview.contract_year_table(example)
    row = table[(table["Unit"] == "DEM units") & (table["Year"] == 2)].iloc[0]
    assert (row["Remaining"], row["Runs out"]) == ("-1,116,598 DEM units", "2028-12-07")


def test_with_inventories_adds_a_host_group():
    scenario = overview.with_inventories(load_scenario(), {"inventory.csv": hosts.example_inventory()})
    assert scenario.drivers["inventory"].inventory is not None
    assert forecast(scenario).yearly().loc[1, "host_units"] > forecast().yearly().loc[1, "host_units"]


# --- dashboards: classes and the interactions the browser tests repeat ----------------------

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
    bundle = page._repr_mimebundle_()
    assert "Dashboard" in bundle["text/plain"]
    return classes


def test_landing_summary(example):
    page = landing.summary(example)
    assert page.css_classes() == ["dash-index", "kpi-host-units", "kpi-host-unit-hours", "kpi-dem", "kpi-ddu",
                                  "kpi-asu", "kpi-cau", "kpi-msu"]
    assert _kpi(page, "dem") == "14,749,768 DEM units"
    assert _kpi(page, "host-units") == "759 HU"


def test_overview_dashboard(example):
    page = overview.dashboard(example)
    assert _check_page(page, "overview") == [
        "dash-overview", "planner-error", "ctl-scenario", "ctl-upload-scenario", "ctl-upload-inventory",
        "ctl-unit", "ctl-year", "kpi-consumption", "kpi-amount", "kpi-remaining", "kpi-run-out", "kpi-cost",
        "chart-burndown", "chart-monthly", "table-yearly", "download-contract-years", "download-monthly"]
    assert (_kpi(page, "consumption"), _kpi(page, "run-out")) == ("759 HU", "lasts the year")
    page.find("ctl-unit").value = "dem"
    assert (_kpi(page, "consumption"), _kpi(page, "amount"), _kpi(page, "run-out"), _kpi(page, "cost")) == (
        "14,749,768 DEM units", "15,000,000 DEM units", "lasts the year", "EUR 176,997")
    page.find("ctl-year").value = 2
    assert (_kpi(page, "consumption"), _kpi(page, "remaining"), _kpi(page, "run-out")) == (
        "16,116,598 DEM units", "-1,116,598 DEM units", "2028-12-07")
    page.find("ctl-scenario").value = "fullstack_move"
    page.find("ctl-unit").value = "host_units"
    assert (_kpi(page, "consumption"), _kpi(page, "run-out")) == ("1,359 HU", "2028-01-01")


def test_overview_uploads(example):
    page = overview.dashboard(example)
    page.find("ctl-upload-scenario").value = _upload("bad.yaml", b"name: [x\n")
    assert page.messages.text == "bad.yaml, line 2: not valid YAML (did not find expected ',' or ']')"
    assert page.find("ctl-scenario").value == "estate"
    page.find("ctl-upload-scenario").value = _upload("mine.yaml", GOOD_YAML)
    assert page.messages.text == "" and page.find("ctl-scenario").value == "uploaded"
    assert _kpi(page, "consumption") == "916 HU"          # peak in contract year 1
    page.find("ctl-upload-inventory").value = _upload("x.csv", b"host,ram\nx,3\n")
    assert page.messages.text.startswith("x.csv: missing column(s) 'ram_gib'")
    page.find("ctl-upload-scenario").value = _upload(
        "ref.yaml", b"name: Ref\ncontract: {start: 2027-01-01}\nhosts:\n  - {name: mine, inventory: hosts.csv}\n")
    assert page.messages.text.startswith("ref.yaml, line 4, hosts[0].inventory: hosts.csv: not uploaded and not a "
                                         "built-in example: no such inventory file. Upload the inventory")
    page.find("ctl-upload-inventory").value = _upload(
        "hosts.csv", b"host,ram_gib,mode\na,16,fullstack\nb,32,infrastructure\n")
    assert page.messages.text == "" and page.find("ctl-unit").value == "host_units"
    assert _kpi(page, "consumption") == "1.6 HU"


def test_hosts_dashboard():
    page = hosts.dashboard(load_scenario(), group="web")
    assert _check_page(page, "hosts") == [
        "dash-hosts", "planner-error", "ctl-group", "ctl-move-hosts", "ctl-to-appsec", "ctl-upload-inventory",
        "kpi-host-units", "kpi-included-metrics", "kpi-metric-ddu", "kpi-asu", "kpi-host-unit-hours",
        "chart-move", "table-hosts", "download-hosts", "table-mode-totals"]
    before = [_kpi(page, k) for k in ("host-units", "included-metrics", "metric-ddu")]
    assert before == ["120.0 HU", "120,000 metrics/min", "12,614,400 DDU/year"]
    page.find("ctl-move-hosts").value = 1                  # one ArrowRight on the slider
    after = [_kpi(page, k) for k in ("host-units", "included-metrics", "metric-ddu")]
    assert after == ["119.3 HU", "119,200 metrics/min", "13,034,880 DDU/year"]
    page.find("ctl-move-hosts").value = 10
    after = [_kpi(page, k) for k in ("host-units", "included-metrics", "metric-ddu")]
    assert after == ["113.0 HU", "112,000 metrics/min", "16,819,200 DDU/year"]
    page.find("ctl-group").value = "app"
    assert page.find("ctl-move-hosts").value == 0 and page.find("ctl-move-hosts").max == 400
    page.find("ctl-move-hosts").value = 300
    page.find("ctl-to-appsec").value = "protection"
    assert (_kpi(page, "host-units"), _kpi(page, "asu")) == ("660.0 HU", "10,512,000 ASU/year")
    page.find("ctl-upload-inventory").value = _upload("x.csv", b"host,ram_gib,mode\na,-3,fullstack\n")
    assert page.messages.text == "x.csv: row 2, column 'ram_gib': '-3' is not a number > 0"
    page.find("ctl-upload-inventory").value = _upload("y.csv", b"host,ram_gib,mode\na,64,infrastructure\n")
    assert page.messages.text == ""
    assert page.find("table-mode-totals").frame["Host units"].tolist() == ["1.000 HU", "1.000 HU"]


def test_digital_experience_dashboard():
    page = digital_experience.dashboard()
    assert _check_page(page, "digital_experience") == [
        "dash-digital_experience", "planner-error", "ctl-application", "ctl-sessions", "ctl-replay-share",
        "ctl-properties", "ctl-monitor", "ctl-add-monitor", "ctl-remove-monitor", "ctl-kind", "ctl-per-run",
        "ctl-frequency", "ctl-locations", "kpi-rum-dem", "kpi-synthetic-dem", "kpi-dem-month", "kpi-dem-year",
        "kpi-monitor-volume", "chart-replay", "chart-breakdown", "table-breakdown", "download-dem-breakdown"]
    assert [_kpi(page, k) for k in ("rum-dem", "synthetic-dem", "dem-month")] == [
        "900,000 DEM units", "30,240 DEM units", "930,240 DEM units"]
    page.find("ctl-replay-share").value = 1                # one ArrowRight on the slider
    assert [_kpi(page, k) for k in ("rum-dem", "dem-month")] == ["922,500 DEM units", "952,740 DEM units"]
    page.find("ctl-replay-share").value = 10
    assert [_kpi(page, k) for k in ("rum-dem", "dem-month", "dem-year")] == [
        "1,125,000 DEM units", "1,155,240 DEM units", "13,862,880 DEM units"]
    page.find("ctl-monitor").value = 1                     # api-health, HTTP, every minute, 3 locations
    assert _kpi(page, "monitor-volume") == "129,600 requests"
    page.find("ctl-locations").value = 1
    assert (_kpi(page, "synthetic-dem"), _kpi(page, "monitor-volume")) == ("21,600 DEM units", "43,200 requests")
    page.find("ctl-add-monitor").click()
    assert page.find("ctl-monitor").value == 2 and _kpi(page, "monitor-volume") == "8,640 requests"
    page.find("ctl-remove-monitor").click()
    assert len(page.find("ctl-monitor").options) == 2 and _kpi(page, "synthetic-dem") == "21,600 DEM units"


def test_ddu_grail_dashboard():
    page = ddu_grail.dashboard()
    assert _check_page(page, "ddu_grail") == [
        "dash-ddu_grail", "planner-error", "ctl-bucket", "ctl-capability", "ctl-ingest", "ctl-retention-now",
        "ctl-retention", "ctl-change-month", "ctl-query", "ctl-starts-full", "ctl-spans", "ctl-events",
        "ctl-invocations", "ctl-on-oneagent", "ctl-classic-logs", "kpi-grail-ddu-year", "kpi-grail-ddu-month",
        "kpi-stored-gb", "kpi-other-ddu-year", "kpi-ddu-year", "chart-store", "chart-ddu",
        "table-grail-monthly", "download-ddu-monthly"]
    assert [_kpi(page, k) for k in ("grail-ddu-year", "grail-ddu-month", "stored-gb", "other-ddu-year")] == [
        "21,971,500 DDU", "2,011,000 DDU", "45,000 GB", "167,900 DDU"]
    page.find("ctl-retention").value = 91                  # one ArrowRight on the slider
    assert (_kpi(page, "grail-ddu-year"), _kpi(page, "stored-gb")) == ("21,990,850 DDU", "45,500 GB")
    page.find("ctl-retention").value = 35
    assert (_kpi(page, "grail-ddu-year"), _kpi(page, "stored-gb")) == ("20,676,250 DDU", "17,500 GB")
    page.find("ctl-bucket").value = "bizevents"
    assert _kpi(page, "grail-ddu-year") == "866,380 DDU"            # 90 days now, 35 from July


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
    page.find("ctl-scenarios").value = ("estate",)
    assert page.messages.text.startswith("Select at least two scenarios to compare")
    page.find("ctl-scenarios").value = ("estate", "replay_rollout")
    page.find("ctl-unit").value = "dem"
    assert page.messages.text == "" and _kpi(page, "first-exceeded") == "Dec 2027"


def test_support_dashboard():
    page = support.dashboard()
    assert _check_page(page, "support") == [
        "dash-support", "planner-error", "ctl-opened", "ctl-timezone", "ctl-severity", "ctl-country",
        "ctl-subdivision", "ctl-closures", "ctl-government", "ctl-released", "ctl-product",
        "kpi-standard-deadline", "kpi-enterprise-deadline", "chart-timeline", "table-targets", "kpi-eos-standard",
        "kpi-eos-enterprise", "table-version-support"]
    assert (_kpi(page, "standard-deadline"), _kpi(page, "enterprise-deadline")) == (
        "Tue 2025-03-11 10:00 CET", "Mon 2025-03-10 15:30 CET")
    page.find("ctl-severity").value = 2
    assert (_kpi(page, "standard-deadline"), _kpi(page, "enterprise-deadline")) == (
        "Tue 2025-03-11 17:00 CET", "Mon 2025-03-10 19:00 CET")
    page.find("ctl-closures").value = "2025-03-11, x"
    assert page.messages.text == "closure dates must be YYYY-MM-DD separated by commas; got 'x'"
    page.find("ctl-closures").value = "2025-03-11"
    assert _kpi(page, "standard-deadline") == "Wed 2025-03-12 17:00 CET"
    page.find("ctl-opened").value = dt.datetime(2025, 3, 30, 2, 30)
    page.find("ctl-timezone").value = "Europe/Berlin"
    assert "does not exist or is ambiguous in Europe/Berlin" in page.messages.text
    assert (_kpi(page, "eos-standard"), _kpi(page, "eos-enterprise")) == ("2025-12-10", "2026-03-10")
    page.find("ctl-product").value = "cluster"
    assert (_kpi(page, "eos-standard"), _kpi(page, "eos-enterprise")) == ("2025-06-10", "2025-07-10")


# --- serve (no server started here; see tests/test_notebooks.py) ----------------------------

def test_voila_command_and_landing_url(tmp_path):
    folder = serve.notebooks_dir()
    command = serve.voila_command(folder, port=9999)
    assert command[:3] == [sys.executable, "-m", "planner._voila_app"] and str(folder) in command
    for option in ("--Voila.ip=127.0.0.1", "--port=9999", "--template=lab", "--no-browser",
                   "--preheat_kernel=True", "--pool_size=1"):
        assert option in command
    assert "--preheat_kernel=True" not in serve.voila_command(folder, preheat=False)
    assert serve.landing_url("127.0.0.1", 8866) == "http://127.0.0.1:8866/voila/render/index.ipynb"
    with pytest.raises(serve.NotebooksNotFound, match="no dashboards at"):
        serve.notebooks_dir(tmp_path)
    assert serve.main(["--notebooks", str(tmp_path), "--no-browser"]) == 1


def test_strip_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    cell = nbformat.v4.new_code_cell("x")
    cell.metadata["execution"] = {"iopub.execute_input": "2025-01-01T00:00:00Z"}
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc"}, "text/plain": "Dashboard"}),
        nbformat.v4.new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {}})]
    nb.cells = [cell]
    serve.strip_notebook(nb)
    assert "widgets" not in nb.metadata and "execution" not in cell.metadata
    assert [o["data"] for o in cell.outputs] == [{"text/plain": "Dashboard"}]
