"""The hosts, digital experience, Grail / DDU and support dashboards without a
browser: their compute steps and the interactions the browser tests repeat.

Figures that must equal the Python API and the CLI are in
tests/test_faces_hosts.py, test_faces_dem.py, test_faces_grail.py and
test_faces_support.py.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from planner.fields import ScenarioError
from planner.scenario import load_scenario
from planner.sections import inventory_amounts, inventory_totals
from planner.ui.pages import ddu_grail, digital_experience, hosts, support
from planner.ui.kit.inputs import counted, field_check, read_number
from test_ui import _assert_labelled   # titles, axis titles and hover units, as for every figure
from page_checks import kpi as _kpi, upload as _upload

DAYS_2027 = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]




def _no_data_uri(page):
    return not any("data:" in str(getattr(w, "value", "")) for w in page.walk())


def _check(page, name):
    classes = page.css_classes()
    assert classes[0] == f"dash-{name}" and page.find("planner-error").text == ""
    stable = [c for c in classes if c.startswith(("ctl-", "kpi-", "chart-", "table-", "download-"))]
    assert len(stable) == len(set(stable)), "a stable class is used twice"
    for cls in (c for c in classes if c.startswith("chart-")):
        assert page.find(cls).figure.get("data") and page.find(cls).title, f"{cls} shows no chart"
    return classes


# --- typed numbers ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [("3,000,000", 3e6), (" 3000000 ", 3e6), ("3e6", 3e6), ("0.5", 0.5)])
def test_read_number(text, value):
    assert read_number(text, "Sessions per month") == value


@pytest.mark.parametrize("text, check, message", [
    ("1e20", field_check("synthetic", "locations"),
     "Locations: must be a whole number >= 0 [locations]; got 1e+20"),
    ("2.5", field_check("synthetic", "locations"), "Locations: must be a whole number >= 0 [locations]; got 2.5"),
    ("-1", field_check("synthetic", "locations"), "Locations: must be a whole number >= 0 [locations]; got -1.0"),
    ("twelve", None, "Locations: type a number such as 1000 or 1,000; got 'twelve'"),
    ("inf", None, "Locations: type a finite number; got 'inf'"),
])
def test_read_number_refuses_instead_of_changing_the_value(text, check, message):
    with pytest.raises(ScenarioError) as err:
        read_number(text, "Locations", check)
    assert str(err.value) == message


def test_counted_reads_well():
    assert (counted(1, "day"), counted(35, "day"), counted(1_000, "host")) == ("1 day", "35 days", "1,000 hosts")


# --- hosts ----------------------------------------------------------------------------------------

def test_inventory_amounts_are_the_cli_s_per_host_figures():
    per_host = inventory_amounts(hosts.example_inventory())
    totals = inventory_totals(per_host).set_index("mode")
    assert totals.loc["fullstack", "hosts"] == 7 and totals.loc["infrastructure", "hosts"] == 5
    assert totals.loc["total", "host_units"] == pytest.approx(18.075)
    # web-01: (1,200 - 1,000) x 1,440 x 0.001 = 288; api-01: (2,500 - 2,000) x 1,440 x 0.001 = 720;
    # cache-01: (300 - 200) x 1,440 x 0.001 = 144; legacy-01: (250 - 200) x 1,440 x 0.001 = 72
    assert totals.loc["total", "custom_metric_ddu_per_day"] == pytest.approx(1224.0)
    # api-01: 2 ASU/h x 24 h (vulnerability analytics); api-02: 4 ASU/h x 24 h (protection)
    assert totals.loc["fullstack", "asu_per_day"] == pytest.approx(144.0)
    assert per_host.set_index("host").loc["api-01", "included_custom_metrics"] == 2000


def test_hosts_page_moves_hosts_through_the_engine():
    page = hosts.dashboard(load_scenario(), group="web")
    assert _check(page, "hosts") == [
        "dash-hosts", "planner-error", "ctl-group", "ctl-move-hosts", "ctl-to-appsec", "ctl-move-date",
        "ctl-upload-inventory",
        "kpi-host-units", "kpi-host-unit-hours", "kpi-metric-ddu", "kpi-asu", "chart-move", "table-mode-totals",
        "download-hosts-what-if", "ctl-download-hosts-what-if-yaml"]
    growth = sum(d * 1.01 ** k for k, d in enumerate(DAYS_2027))     # host-days per web host in 2027
    # peak in December: 120 x 1.01^11; DDU: 120 x 288 DDU a day per host (200 metrics/min over the 1,000 included)
    assert (_kpi(page, "host-units"), _kpi(page, "metric-ddu")) == (
        f"{120 * 1.01 ** 11:.1f} HU", f"{120 * 288 * growth:,.0f} DDU")
    page.find("ctl-move-hosts").value = 1                    # one ArrowRight on the slider
    # one host to infrastructure: 0.3 HU and (1,200 - 200) x 1.44 = 1,440 DDU a day instead of 1.0 HU and 288
    assert (_kpi(page, "host-units"), _kpi(page, "metric-ddu")) == (
        f"{119.3 * 1.01 ** 11:.1f} HU", f"{(119 * 288 + 1440) * growth:,.0f} DDU")
    assert (_kpi(page, "host-units"), _kpi(page, "metric-ddu")) == ("133.1 HU", "13,779,790 DDU")
    page.find("ctl-group").value = "app"
    assert page.find("ctl-move-hosts").value == 0 and page.find("ctl-move-hosts").max == 400
    page.find("ctl-move-hosts").value = 300
    page.find("ctl-to-appsec").value = "protection"
    assert page.messages.text == ""
    assert page.find("ctl-move-hosts").readout is False      # no typed value the browser could rewrite


def test_hosts_upload_replaces_the_groups_kpis_and_slider():
    page = hosts.dashboard(load_scenario(), group="web")
    page.find("ctl-upload-inventory").value = _upload("x.csv", b"host,ram_gib,mode\na,-3,fullstack\n")
    assert page.messages.text == "x.csv: row 2, column 'ram_gib': '-3' is not a number > 0"
    rows = "".join(f"h{i},{8 if i % 2 else 64},{'fullstack' if i < 20 else 'infrastructure'}\n" for i in range(30))
    page.find("ctl-upload-inventory").value = _upload("y.csv", ("host,ram_gib,mode\n" + rows).encode())
    assert page.messages.text == ""
    assert [v for _, v in page.find("ctl-group").options] == ["y.csv: full-stack", "y.csv: infrastructure"]
    assert page.find("ctl-move-hosts").max == 20 and page.find("ctl-move-hosts").value == 0
    # 10 hosts of 8 GiB (0.5 HU) and 10 of 64 GiB (4 HU) in full-stack mode, no growth
    assert _kpi(page, "host-units") == "45.0 HU"
    page.find("ctl-move-hosts").value = 2                    # h0 (64 GiB) and h1 (8 GiB) to infrastructure
    assert _kpi(page, "host-units") == f"{45 - 4 - 0.5 + 1.0 + 0.1:.1f} HU"
    assert "y.csv: 30 hosts" in page.find("note-upload-progress").value
    assert len(page.find("table-hosts").frame) == hosts.TOP_HOSTS < 30
    assert page.find("table-hosts").frame["Host units"].iloc[0] == "4.000 HU"
    totals = page.find("table-inventory-totals").frame
    assert totals["Hosts"].tolist() == ["20 hosts", "10 hosts", "30 hosts"]
    assert _no_data_uri(page)


def test_hosts_download_is_prepared_on_demand():
    page = hosts.dashboard(load_scenario(), inventory=hosts.example_inventory(), inventory_name="inventory.csv")
    download = page.find("download-hosts")
    sent = []
    download.saver.send = lambda content, buffers=None: sent.append((content, bytes(buffers[0])))
    assert _no_data_uri(page) and not sent
    page.find("ctl-download-hosts-csv").click()
    (message, content), = sent
    assert message == {"kind": "planner-save", "filename": "hosts.csv", "mime": "text/csv"}
    frame = pd.read_csv(pd.io.common.BytesIO(content), encoding="utf-8-sig")
    assert len(frame) == 12 and frame["host_units"].sum() == pytest.approx(18.075)
    assert _no_data_uri(page)


# --- digital experience ----------------------------------------------------------------------------

def test_digital_experience_page_shows_the_forecast_month():
    page = digital_experience.dashboard()
    assert _check(page, "digital_experience") == [
        "dash-digital_experience", "planner-error", "ctl-application", "ctl-add-application",
        "ctl-remove-application", "ctl-sessions", "ctl-replay-share",
        "ctl-properties", "ctl-monitor", "ctl-add-monitor", "ctl-remove-monitor", "ctl-kind", "ctl-per-run",
        "ctl-frequency", "ctl-locations", "ctl-month", "kpi-rum-dem", "kpi-synthetic-dem", "kpi-dem-month",
        "kpi-dem-year", "kpi-monitor-dem", "chart-replay", "chart-breakdown", "table-breakdown",
        "download-dem-breakdown", "download-dem-what-if", "ctl-download-dem-what-if-yaml"]
    # shop: 3,000,000 x 0.25 + 3,000,000 x 5 x 0.01; synthetic in 31 days: 17,856 + 13,392
    assert [_kpi(page, k) for k in ("rum-dem", "synthetic-dem", "dem-month")] == [
        "900,000 DEM units", "31,248 DEM units", "1,181,248 DEM units"]
    page.find("ctl-replay-share").value = 1                  # one ArrowRight: 30,000 sessions at 1.00, not 0.25
    assert [_kpi(page, k) for k in ("rum-dem", "dem-month")] == ["922,500 DEM units", "1,203,748 DEM units"]
    page.find("ctl-replay-share").value = 10
    assert [_kpi(page, k) for k in ("rum-dem", "dem-month")] == ["1,125,000 DEM units", "1,406,248 DEM units"]
    page.find("ctl-monitor").value = 1                       # api-health, HTTP, every minute, 3 locations
    assert _kpi(page, "monitor-dem") == "13,392 DEM units"   # 1,440 x 3 x 0.10 x 31
    page.find("ctl-locations").value = "1"
    assert (_kpi(page, "synthetic-dem"), _kpi(page, "monitor-dem")) == ("22,320 DEM units", "4,464 DEM units")
    page.find("ctl-locations").value = "1e20"
    assert page.messages.text == "Locations: must be a whole number >= 0 [locations]; got 1e+20"
    assert _kpi(page, "synthetic-dem") == "n/a"              # no stale figure beside the error
    page.find("ctl-locations").value = "1"
    page.find("ctl-add-monitor").click()                     # HTTP every 5 min: 288 x 0.10 x 31
    assert page.find("ctl-monitor").value == 2 and _kpi(page, "monitor-dem") == "893 DEM units"
    page.find("ctl-remove-monitor").click()
    assert len(page.find("ctl-monitor").options) == 2 and _kpi(page, "synthetic-dem") == "22,320 DEM units"
    page.find("ctl-month").value = pd.Period("2027-02", "M")
    assert _kpi(page, "synthetic-dem") == f"{(3 * 96 * 2 + 1440 * 0.10) * 28:,.0f} DEM units"
    assert page.messages.text == ""


def test_digital_experience_rule_texts_come_from_the_tables():
    page = digital_experience.dashboard()
    hints = " ".join(w.value for w in page.walk() if "planner-hint" in str(getattr(w, "value", "")))
    assert "cost 1.00 instead of 0.25 DEM units" in hints and "The first 20 are free, then 0.01 each" in hints


# --- Grail and DDU ----------------------------------------------------------------------------------

def test_ddu_grail_page_is_the_forecast():
    page = ddu_grail.dashboard()
    assert _check(page, "ddu_grail") == [
        "dash-ddu_grail", "planner-error", "ctl-bucket", "ctl-add-bucket", "ctl-remove-bucket", "ctl-capability",
        "ctl-ingest", "ctl-retention-now",
        "ctl-retention", "ctl-change-month", "ctl-query", "ctl-starts-full", "ctl-spans", "ctl-events",
        "ctl-invocations", "ctl-classic-logs", "ctl-on-oneagent", "kpi-grail-ddu-year", "kpi-grail-ddu-month",
        "kpi-stored-gb", "kpi-other-ddu-year", "kpi-ddu-year", "chart-store", "chart-ddu", "table-grail-monthly",
        "download-ddu-monthly", "download-grail-what-if", "ctl-download-grail-what-if-yaml"]
    # the page opens on the scenario as it is: 35 days of logs, 27-30 November at 500 GB x 1.01^10
    # and 31 December days at 500 GB x 1.01^11
    assert _kpi(page, "stored-gb") == f"{500 * (4 * 1.01 ** 10 + 31 * 1.01 ** 11):,.0f} GB" == "19,502 GB"
    assert "retention 35 days" in page.find("kpi-stored-gb").value
    page.find("ctl-retention").value = 90                    # the what-if: 90 days from July 2027
    # 31 Dec 2027: 90 days of logs at 500 GB x 1.01^k over the months they fall in
    december = pd.Timestamp("2027-12-31")
    days = pd.date_range(december - pd.Timedelta(days=89), december)
    stored = sum(500 * 1.01 ** (d.month - 1) for d in days)
    assert _kpi(page, "stored-gb") == f"{stored:,.0f} GB" == "49,721 GB"
    # other sources, 365 days: 300,000 spans x 0.0007 + 50,000 events x 0.001 + 100,000 invocations x 0.002
    assert _kpi(page, "other-ddu-year") == f"{(210 + 50 + 200) * 365:,.0f} DDU"
    page.find("ctl-retention").value = 91                    # one ArrowRight on the slider
    assert _kpi(page, "stored-gb") == "50,267 GB"
    page.find("ctl-retention").value = 1
    assert "1 day" in page.find("kpi-stored-gb").value and "1 days" not in page.find("kpi-stored-gb").value
    assert "→ 1 day" in str(page.find("chart-store").figure)
    page.find("ctl-retention-now").value = "0"
    assert page.messages.text == "Retention now [days]: must be a whole number >= 1 [days]; got 0.0"
    assert _kpi(page, "stored-gb") == "n/a"
    page.find("ctl-retention-now").value = "35"
    page.find("ctl-bucket").value = "bizevents"
    assert page.messages.text == "" and _kpi(page, "stored-gb") == "20 GB"   # 1 day x 20 GB from July


# --- support ------------------------------------------------------------------------------------------

def test_support_page():
    page = support.dashboard()
    assert _check(page, "support") == [
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
    assert _kpi(page, "standard-deadline") == "n/a"
    page.find("ctl-closures").value = "2025-03-11"
    assert _kpi(page, "standard-deadline") == "Wed 2025-03-12 17:00 CET"
    page.find("ctl-opened").value = dt.datetime(9999, 12, 31, 10, 0)
    assert page.messages.text == ("Opened: 9999-12-31 is outside the dates the planner handles "
                                  "(1970-01-01 to 2199-12-31)")
    assert (_kpi(page, "standard-deadline"), _kpi(page, "enterprise-deadline")) == ("n/a", "n/a")
    page.find("ctl-opened").value = dt.datetime(2025, 3, 30, 2, 30)
    page.find("ctl-timezone").value = "Europe/Berlin"
    assert "does not exist or is ambiguous in Europe/Berlin" in page.messages.text
    assert (_kpi(page, "eos-standard"), _kpi(page, "eos-enterprise")) == ("2025-12-10", "2026-03-10")
    page.find("ctl-product").value = "cluster"
    assert (_kpi(page, "eos-standard"), _kpi(page, "eos-enterprise")) == ("2025-06-10", "2025-07-10")
    page.find("ctl-released").value = dt.date(9999, 12, 31)
    assert page.messages.text.startswith("Release date: 9999-12-31 is outside the dates")
    assert _kpi(page, "eos-standard") == "n/a"


def test_support_names_come_from_the_holidays_package_and_the_tables():
    names = dict(support.countries())
    codes = {code: name for name, code in support.countries()}
    assert codes["AT"] == "Austria" and codes["US"] == "United States" and "ABW" not in codes
    assert all(name != code for name, code in support.countries() if code != name.upper())
    assert not [n for n in names if len(n) == 3 and n.isupper()]           # no bare alpha-3 codes
    assert support.subdivisions("AT")[:2] == [("Burgenland", "1"), ("Kärnten", "2")]
    assert support.severities() == {1: "1 critical", 2: "2 high", 3: "3 medium", 4: "4 low"}
    assert support.plans() == {"standard": "Standard", "enterprise": "Enterprise"}
    assert support.coverage_text("business_hours") == "08:00-17:00 local time on business days"
    assert support.coverage_text("government") == "08:00-20:00 America/New_York on every day"
    page = support.dashboard()
    policy_note = page.find("note-policy").value
    assert "08:00-17:00 local time on business days" in policy_note and "holidays package (version " in policy_note


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


def test_views_are_pure_functions_of_their_inputs():
    scenario = load_scenario()
    first = digital_experience.dem_view(scenario, digital_experience.inputs_of(scenario))
    again = digital_experience.dem_view(scenario, digital_experience.inputs_of(scenario))
    pd.testing.assert_frame_equal(first.by_source, again.by_source)
    assert np.isclose(first.month_total, 1_181_248)


def test_figures_have_titles_axis_titles_and_hover_units():
    scenario = load_scenario()
    estate = hosts.scenario_estate(scenario)
    _assert_labelled(hosts.move_figure(hosts.move_view(estate, hosts.HostsInputs("web", 10))), "DDU")
    view = digital_experience.dem_view(scenario, digital_experience.inputs_of(scenario))
    _assert_labelled(digital_experience.breakdown_figure(view), "DEM units")
    _assert_labelled(digital_experience.replay_figure(view), "DEM units")
    grail = ddu_grail.grail_view(scenario, ddu_grail.inputs_of(scenario))
    _assert_labelled(ddu_grail.store_figure(grail), "GB")
    _assert_labelled(ddu_grail.ddu_figure(grail), "DDU")
    ticket = support.ticket_view(support.Ticket(dt.datetime(2025, 3, 10, 15), 1, "Europe/Vienna", "AT"))
    fig = support.timeline_figure(ticket)
    assert fig.layout.title.text and fig.layout.xaxis.title.text == "Local time (Europe/Vienna)"
