"""The dashboards' building blocks (planner.ui) and each dashboard without a browser.

The interaction tests at the end change a control the way a user would (the
widget's value) and check the KPI text the page then shows: these are the
values the browser tests look for (see the CSS class list in planner.ui).
"""

import base64
import io
import json
import sys

import ipywidgets as widgets
import nbformat
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from planner.engine import compare, forecast
from planner.scenario import ScenarioError, example_path, load_scenario
from planner.ui.kit import figures
from planner.ui.pages import comparison, overview
from planner.ui.kit import format as fmt
from planner.ui.kit.cards import KpiCard, MessageArea, ResultTable, guard, readable
from planner.ui.kit.charts import PLOTLY_MIME, Chart, chart, figure_spec, show_figure
from planner.ui.kit.exports import DownloadLinks, csv_bytes, data_uri, xlsx_bytes
from planner.ui.kit.layout import Page
from planner.serve import server as serve


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
    runs = [example, forecast(load_scenario(example_path("fullstack_move")), draws=50)]
    result = compare(*runs)
    _assert_labelled(comparison.delta_figure(comparison.deltas(result, "host_units"), "host_units", "base"), "HU")
    _assert_labelled(comparison.bands_figure(runs, "host_units"), "HU")


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

# --- dashboards: classes and the interactions the browser tests repeat ----------------------
# (the overview, comparison and landing pages: tests/test_ui_overview.py)




# --- serve (no server started here; see tests/test_notebooks.py) ----------------------------

def test_voila_command_and_landing_url(tmp_path):
    folder = serve.notebooks_dir()
    command = serve.voila_command(folder, port=9999)
    assert command[:3] == [sys.executable, "-m", "planner.serve.voila_app"] and str(folder) in command
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
