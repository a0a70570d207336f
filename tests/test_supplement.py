"""The Supplement's rules for Dynatrace Managed, Dynatrace ONE Premium, Grail and
mainframe reporting (issue 19, part 1), and the forecast's notes (part 3).
Every figure is worked out by hand in the comments; docs/rules.md states the rules."""

from __future__ import annotations

import json
import textwrap

import pandas as pd
import pytest

from planner import forecast
from planner.cli import main
from planner.explain import forecast_sentence
from planner.mainframe import msu_report_due_dates
from planner.model import GRAIL_NEEDS_SAAS, Driver
from planner.premium import coaching_weeks, coaching_years
from planner.scenario import ScenarioError, load_scenario
from planner.sections import CAPABILITIES
from planner.ui.pages import overview

MANAGED = """\
name: managed
deployment: managed
contract:
  start: 2027-03-15
  term_years: 1
  licences:
    premium_ha: {quantity: 110, price: 10, overage_price: 20}
hosts:
  - {name: web, count: 25, ram_gib: 64}
changes:
  - date: 2027-09-17
    set: {driver: web, count: 30}
"""


def _write(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


# --- Premium High Availability for Dynatrace Managed -----------------------------------------

def test_premium_ha_compares_each_years_peak_host_units_with_its_licence():
    f = forecast(load_scenario(MANAGED))
    # 25 hosts x 4 HU (64 GiB full-stack) = 100 HU; 30 hosts = 120 HU from 17 September (an odd day)
    yearly = f.yearly()
    assert yearly.loc[1, "premium_ha"] == pytest.approx(120) == yearly.loc[1, "host_units"]
    row = f.pools().set_index(["unit", "year"]).loc[("premium_ha", 1)]
    assert (row["amount"], row["consumption"], row["extra_needed"]) == pytest.approx((110, 120, 10))
    assert row["run_out"] == pd.Timestamp("2027-09-17") and row["start"] == pd.Timestamp("2027-03-15")
    # the shortfall of 10 at price 10 and at overage_price 20, each column named after its price
    assert (row["extra_needed_at_price"], row["extra_needed_at_overage_price"]) == pytest.approx((100, 200))
    assert (row["amount_cost"], row["consumption_cost"]) == pytest.approx((1_100, 1_200))
    # its consumption is the host groups' host units, under the registry's capabilities
    emitted = set(zip(f.daily["unit"], f.daily["capability"]))
    assert ("premium_ha", "fullstack") in emitted and emitted <= set(CAPABILITIES)
    # premium HA is bought; the contract buys no host-unit licence (nor host unit hours): noted
    assert f.notes()["unit"].tolist() == ["host_units", "host_unit_hours"]


def test_premium_ha_is_sized_like_the_host_unit_licence():
    sizing = forecast(load_scenario(MANAGED), draws=20).sizing(0.1).set_index(["unit", "year"])
    # no growth range: every draw peaks at 120 HU, above the 110 licensed
    assert sizing.loc[("premium_ha", 1), "p_run_out"] == 1.0
    assert sizing.loc[("premium_ha", 1), "risk_amount"] == pytest.approx(120)


def test_premium_ha_needs_a_managed_deployment(tmp_path):
    with pytest.raises(ScenarioError, match=r"s\.yaml, line 6, contract\.licences\.premium_ha: Premium High "
                                            r"Availability is a licence of Dynatrace Managed clusters .*"
                                            r"deployment is 'saas': add deployment: managed"):
        load_scenario(_write(tmp_path, MANAGED.replace("deployment: managed\n", "")))
    with pytest.raises(ScenarioError, match=r"line 2, deployment: must be one of 'saas', 'managed'; got 'onprem'"):
        load_scenario(_write(tmp_path, MANAGED.replace("deployment: managed", "deployment: onprem")))
    assert load_scenario(MANAGED).deployment == "managed"
    assert load_scenario("contract: {start: 2027-01-01}\nrum: [{name: s, sessions_per_month: 1}]\n").deployment == "saas"


# --- Grail needs SaaS -------------------------------------------------------------------------

GRAIL = "grail:\n  - {name: logs, ingest_gb_per_day: 5, retention_days: 35}\n"


def test_a_managed_scenario_with_grail_buckets_is_refused_quoting_the_rule(tmp_path):
    text = MANAGED.replace("    premium_ha: {quantity: 110, price: 10, overage_price: 20}\n",
                           "    host_units: {quantity: 200}\n") + GRAIL
    with pytest.raises(ScenarioError) as caught:
        load_scenario(_write(tmp_path, text))
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 's.yaml'}, line 14, grail[0]: the Grail bucket 'logs' needs "
                              "Dynatrace SaaS: ")
    # the Supplement's sentence, quoted exactly ("Log Management and Analytics; Business Events")
    assert GRAIL_NEEDS_SAAS == ("To enable (i) Log Management and Analytics, or (ii) Business Events, the customer "
                                "tenant must be hosted on an active Dynatrace® SaaS environment and connected to a "
                                "Dynatrace® Grail™ cluster")
    assert f'"{GRAIL_NEEDS_SAAS}"' in message and message.endswith("this scenario's deployment is 'managed'")
    # the same scenario on SaaS loads; a what-if cannot add a bucket to a managed one either
    saas = load_scenario(text.replace("deployment: managed\n", ""))
    bucket = saas.drivers["logs"]
    managed = load_scenario(text.replace(GRAIL, ""))
    with pytest.raises(ScenarioError, match=r"^managed: with_drivers\('logs'\): the Grail bucket 'logs' needs"):
        managed.with_drivers(Driver("logs", "grail", bucket.values))


# --- Dynatrace ONE Premium ---------------------------------------------------------------------

def test_coaching_sessions_lapse_week_by_week():
    # 2 a week from Friday 2027-01-01: 2 used on 2 January (week 1), 1 on 9 January (week 2)
    weeks = coaching_weeks(2, "2027-01-01", 1, [("2027-01-02", 2), ("2027-01-09", 1)])
    assert weeks.loc[:2, ["week", "used", "lapsed"]].values.tolist() == [[1, 2, 0], [2, 1, 1], [3, 0, 2]]
    # 365 days = 52 weeks and a day: week 53 is 31 December alone, with the full 2 sessions
    assert (len(weeks), weeks["available"].sum(), weeks["lapsed"].sum()) == (53, 106, 103)
    assert (weeks["start"].iloc[-1], weeks["end"].iloc[-1]) == (pd.Timestamp("2027-12-31"),) * 2
    years = coaching_years(weeks, 24_000)
    assert years[["contract_year", "weeks", "available", "used", "lapsed", "fee"]].values.tolist() == [
        [1, 53, 106, 3, 103, 24_000]]


def test_coaching_weeks_from_29_february_and_a_short_horizon():
    # a start on 29 February: the year ends 2029-02-27 (anniversary 28 February), 365 days, 53 weeks
    weeks = coaching_weeks(3, "2028-02-29", 1, 1)
    assert (len(weeks), weeks["end"].iloc[-1], weeks["lapsed"].sum()) == (53, pd.Timestamp("2029-02-27"), 106)
    # only the weeks that overlap the horizon 2028-03-01 to 2028-03-31: weeks 1 (29 Feb - 6 Mar) to 5 (28 Mar -)
    part = coaching_weeks(3, "2028-02-29", 1, 1, first="2028-03-01", last="2028-03-31")
    assert part["week"].tolist() == [1, 2, 3, 4, 5] and part["start"].iloc[-1] == pd.Timestamp("2028-03-28")


@pytest.mark.parametrize("weekly", [0, 4, 2.5, True, "2", None])
def test_only_1_2_or_3_sessions_a_week_are_sold(weekly):
    with pytest.raises(ValueError, match=r"sessions_per_week must be one of 1, 2, 3 \(coaching sessions are "
                                         r"bought \"in increments of 1, 2 or 3 per week\"\)"):
        coaching_weeks(weekly, "2027-01-01", 1)


def test_a_plan_cannot_use_sessions_that_lapsed():
    with pytest.raises(ValueError, match=r"plan: week 2 \(2027-01-08 to 2027-01-14\) uses 3 coaching sessions; "
                                         r"the contract buys 2 a week and unused sessions do not carry forward"):
        coaching_weeks(2, "2027-01-01", 1, [("2027-01-01", 1), ("2027-01-08", 2), ("2027-01-14", 1)])
    with pytest.raises(ValueError, match=r"plan\[0\]\.date 2028-01-01 is outside the term 2027-01-01 to 2027-12-31"):
        coaching_weeks(2, "2027-01-01", 1, [("2028-01-01", 1)])


def test_one_premium_in_a_scenario_file(tmp_path, capsys):
    text = MANAGED.replace("  licences:\n", "  one_premium:\n    sessions_per_week: 1\n    price: 12_000\n"
                                          "    plan: [{date: 2027-03-16, sessions: 1}]\n  licences:\n")
    f = forecast(load_scenario(_write(tmp_path, text)))
    # 2027-03-15 to 2028-03-13: 365 days, 53 weeks of 1 session; 1 used
    assert f.coaching("year")[["weeks", "available", "used", "lapsed", "fee"]].values.tolist() == [
        [53, 53, 1, 52, 12_000]]
    assert f.coaching()["lapsed"].head(2).tolist() == [0, 1]
    assert main(["forecast", str(tmp_path / "s.yaml"), "--table", "coaching_years", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["coaching_years"] == [{"contract_year": 1, "weeks": 53, "available": 53, "used": 1, "lapsed": 52,
                                      "fee": 12_000.0}]
    for bad, message in (("sessions_per_week: 1", r"line 7, contract\.one_premium\.sessions_per_week: must be "
                                                  r"one of 1, 2, 3"),
                         ("{date: 2027-03-16, sessions: 1}", r"contract\.one_premium\.plan: week 1 \(2027-03-15 "
                                                             r"to 2027-03-21\) uses 2 coaching sessions")):
        changed = text.replace(bad, "sessions_per_week: 5" if "per_week" in bad else
                               "{date: 2027-03-16, sessions: 2}")
        with pytest.raises(ScenarioError, match=message):
            load_scenario(_write(tmp_path, changed, "bad.yaml"))
    assert forecast(load_scenario(MANAGED)).coaching().empty      # none bought


# --- mainframe reporting ------------------------------------------------------------------------

def test_report_due_dates_every_6_months_from_the_contract_start():
    # from 31 August: 29 February (a leap year), 31 August, 28 February; each counted from the start
    assert [str(d.date()) for d in msu_report_due_dates("2027-08-31", "2027-01-01", "2029-03-31")] == [
        "2028-02-29", "2028-08-31", "2029-02-28"]
    assert msu_report_due_dates("2027-08-31", "2027-01-01", "2028-02-28").empty


LPARS = """\
name: lpars
horizon: {start: 2027-01-01, months: 36}
contract: {start: 2027-08-31, term_years: 2}
mainframe:
  - {name: prod, peak_msu: 100, licensed_msu: 120, reporting: disabled}
  - {name: test, peak_msu: 20}
changes:
  - date: 2028-06-01
    set: {driver: test, reporting: disabled}
  - date: 2029-06-01
    set: {driver: prod, reporting: enabled}
"""


def test_lpars_with_reporting_disabled_list_their_due_dates(capsys):
    f = forecast(load_scenario(LPARS))      # the horizon starts 8 months before the contract
    reports = f.mainframe_reports()
    # due 2028-02-29, 2028-08-31, 2029-02-28, 2029-08-31; prod reports again from 2029-06-01, test stops
    # reporting from 2028-06-01
    assert [(r.driver, str(r.due.date()), r.report) for r in reports.itertuples()] == [
        ("prod", "2028-02-29", 1), ("prod", "2028-08-31", 2), ("test", "2028-08-31", 2),
        ("prod", "2029-02-28", 3), ("test", "2029-02-28", 3), ("test", "2029-08-31", 4)]
    notes = f.notes()
    assert notes["code"].tolist() == ["msu_report_due"] * 6          # MSU is licensed per LPAR: no pool note
    assert forecast_sentence(notes.iloc[0], f.scenario) == (
        "Mainframe LPAR 'prod' has reporting disabled: its peak rolling 4-hour average MSU values are due to "
        "Dynatrace by 2028-02-29 (every 6 months from the contract's start)")
    # the overview lists them
    assert overview.report_table(f).values.tolist()[:2] == [["prod", 1, "2028-02-29"], ["prod", 2, "2028-08-31"]]
    assert overview.report_table(forecast()).empty          # the example's LPAR reports


def test_planner_forecast_prints_the_due_dates_in_its_notes(tmp_path, capsys):
    path = _write(tmp_path, LPARS)
    assert main(["forecast", str(path)]) == 0
    out = capsys.readouterr()
    assert "2029-08-31" in out.out.split("lpars: notes", 1)[1]
    assert out.err == ""
    assert main(["forecast", str(path), "--table", "notes", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["notes"]
    assert [(r["code"], r["driver"], r["date"]) for r in rows][-1] == ("msu_report_due", "test", "2029-08-31")


# --- units consumed without a pool or licence ----------------------------------------------------

ASU = """\
name: appsec
contract:
  start: 2027-01-01
  pools:
    host_unit_hours: {annual: 1_000_000}
hosts:
  - {name: web, count: 10, ram_gib: 64, appsec: vulnerability_analytics}
"""


def test_units_consumed_without_a_pool_are_noted_once(tmp_path, capsys):
    f = forecast(load_scenario(ASU))
    notes = f.notes()
    # 10 hosts x 4 ASU/h x 24 h x 365 days = 350,400 ASU and no ASU pool. Host units are not noted:
    # the contract buys host unit hours, which license the same monitoring
    assert notes[["code", "unit"]].values.tolist() == [["unit_not_bought", "asu"]]
    assert notes["value"].iloc[0] == pytest.approx(350_400)
    sentence = ("Application security units: the horizon consumes 350,400.00 ASU and the contract buys no "
                "pool for them")
    assert forecast_sentence(notes.iloc[0], f.scenario) == sentence
    path = _write(tmp_path, ASU)
    for command, times in ((["pools", str(path)], 1), (["forecast", str(path), "--table", "pools"], 1),
                           (["size", str(path), "--draws", "5"], 1),
                           (["compare", str(path), str(path)], 2)):     # once per scenario compared
        assert main(command) == 0
        err = capsys.readouterr().err
        assert err.count(f"planner: warning: appsec: {sentence}\n") == times, (command, err)
    assert main(["forecast", str(path)]) == 0            # on screen the notes table says it, once
    out = capsys.readouterr()
    assert "warning" not in out.err and out.out.count("350,400.00\nASU") == 1   # wrapped at 60
    # without a host-unit pool or licence both are missing: one note for each (not one for each year)
    bare = forecast(load_scenario(ASU.replace("  pools:\n    host_unit_hours: {annual: 1_000_000}\n", "")))
    assert bare.notes()["unit"].tolist() == ["host_units", "host_unit_hours", "asu"]
    assert forecast_sentence(bare.notes().iloc[0], bare.scenario) == (
        "Host units in use: the horizon consumes at its highest day 40.000 HU and the contract buys no licence "
        "for them (nor for host unit hours)")


# --- the shortfall's two prices --------------------------------------------------------------------

def test_the_shortfall_is_priced_in_columns_named_after_the_price(tmp_path, capsys):
    text = """\
    name: cau
    contract:
      start: 2025-01-01
      pools:
        cau: {annual: 3000, price: 0.02, overage_price: 0.03}
    cloud_automation:
      - {name: jobs, executions_per_day: 10}
    """
    path = _write(tmp_path, text)
    # 3,650 CAU in 2025 against 3,000: 650 short, at price 0.02 = 13.00, at overage_price 0.03 = 19.50
    row = forecast(load_scenario(path)).pools().iloc[0]
    assert (row["extra_needed"], row["extra_needed_at_price"], row["extra_needed_at_overage_price"]) == \
        pytest.approx((650, 13.0, 19.5))
    assert main(["pools", str(path), "--format", "json"]) == 0
    pool = json.loads(capsys.readouterr().out)["pools"][0]
    assert (pool["extra_needed_at_price"], pool["extra_needed_at_overage_price"]) == (13.0, 19.5)
    assert "extra_needed_cost" not in pool
    assert main(["compare", str(path), str(path), "--table", "pools", "--format", "json"]) == 0
    compared = json.loads(capsys.readouterr().out)["pools"][0]
    assert compared["extra_cost_at_price"] == 13.0 and compared["extra_cost_at_price_delta"] == 0
