"""The read model (planner.engine.readmodel): each figure worked out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from planner.engine import forecast, readmodel
from planner.scenario import load_scenario

SMALL = """name: small
contract:
  start: 2028-02-29
  term_years: 1
  pools: {cau: {annual: 3000, price: 0.5}}
  top_ups: [{pool: cau, date: 2028-12-01, amount: 100}]
horizon: {start: 2028-01-15, months: 15}
cloud_automation:
  - {name: ci, executions_per_day: 10}
changes:
  - {date: 2028-06-13, set: {driver: ci, executions_per_day: 20}}
"""


@pytest.fixture(scope="module")
def small():
    return forecast(load_scenario(SMALL))


def test_year_0_and_spans_bounded_by_the_horizon(small):
    # contract from 29 Feb 2028: year 1 ends 27 Feb 2029 (the anniversary of a 29 February
    # start is 28 February); the horizon runs 15 Jan 2028 to 14 Apr 2029
    s = small.scenario
    spans = [(x.year, str(x.start.date()), str(x.end.date()), x.whole, str(x.own_end.date()))
             for x in readmodel.year_spans(s)]
    assert spans == [(0, "2028-01-15", "2028-02-28", False, "2028-02-28"),
                     (1, "2028-02-29", "2029-02-27", True, "2029-02-27"),
                     (2, "2029-02-28", "2029-04-14", False, "2030-02-27")]
    assert [readmodel.contract_year_of(s, d) for d in ("2028-02-28", "2028-02-29", "2029-02-27", "2029-02-28")] == \
        [0, 1, 1, 2]
    with pytest.raises(ValueError, match=r"year must be one of the horizon's contract years \[0, 1, 2\]; got 5"):
        readmodel.year_span(s, 5)


def test_amounts_per_year_and_the_pool_verdict(small):
    # CAU: 10 executions a day, 20 from 13 Jun 2028. Year 0: 45 days x 10 = 450.
    # Year 1 (29 Feb 2028 to 27 Feb 2029, 365 days): 105 days x 10 + 260 days x 20 = 6,250
    assert readmodel.amount(small, 0, "cau") == pytest.approx(450)
    assert readmodel.amount(small, 1, "cau", driver="ci") == pytest.approx(6_250)
    assert readmodel.amount(small, 1, "cau", driver="nobody") == 0.0
    year1 = {u.unit: u for u in readmodel.unit_years(small, 1)}["cau"]
    assert (year1.amount, year1.contracted, year1.top_ups) == (3_100, 3_000, 100)
    assert (year1.remaining, year1.extra_needed) == pytest.approx((3_100 - 6_250, 6_250 - 3_100))
    assert year1.cost == pytest.approx(6_250 * 0.5)           # Forecast.pools()' consumption_cost
    # 105 days at 10 (29 Feb to 12 Jun) = 1,050; then 1,050 + 20 k > 3,000 from k = 98 (cumulative 3,010):
    # the 98th day after 12 Jun is 18 Sep 2028 (the December top-up comes later)
    (run_out,) = readmodel.run_outs(small)
    assert (run_out.code, run_out.what, run_out.year, run_out.when) == (
        "pool_runs_out", "cau", 1, pd.Timestamp("2028-09-18"))
    year0 = {u.unit: u for u in readmodel.unit_years(small, 0)}["cau"]
    assert year0.bought_as is None and year0.consumption == pytest.approx(450)


def test_the_value_in_force_on_a_day(small):
    s = small.scenario
    before = readmodel.in_force(s, "ci", "executions_per_day", "2028-06-12")
    after = readmodel.in_force(s, "ci", "executions_per_day", "2028-06-13")
    assert (before.value, before.since) == (10, None)
    assert (after.value, after.since) == (20, pd.Timestamp("2028-06-13"))
    assert [c.date for c in readmodel.later_sets(s, "ci", "executions_per_day", "2028-01-15")] == [
        pd.Timestamp("2028-06-13")]


def test_hosts_on_a_day_counts_growth_sets_and_earlier_moves():
    scenario = load_scenario(
        "name: h\ncontract: {start: 2027-01-01}\nhosts:\n"
        "  - {name: g, count: 100, ram_gib: 8, growth: {monthly: 0.1}}\n"
        "changes:\n  - {date: 2027-02-10, move_hosts: {from: g, count: 10, mode: infrastructure}}\n"
        "  - {date: 2027-03-05, set: {driver: g, count: 200}}\n")
    assert readmodel.hosts_on(scenario, "g", "2027-02-10") == pytest.approx(110)           # 100 x 1.1
    # on 5 Mar the set gives 200; the 10 moved in February have grown to 11 (x 1.1 in March)
    assert readmodel.hosts_on(scenario, "g", "2027-03-05") == pytest.approx(200 - 11)


def test_per_host_decimals_are_the_units():
    from planner.sections import INVENTORY_AMOUNTS
    assert set(readmodel.PER_HOST) == set(INVENTORY_AMOUNTS)     # every per-host column has its unit
    # host units 0.075 -> 3 decimals, DDU 0.0005 -> 4, ASU 0.25 -> 2; metrics are counts
    assert readmodel.per_host_decimals() == {"host_units": 3, "included_custom_metrics": 0,
                                             "host_unit_hours_per_day": 3, "custom_metric_ddu_per_day": 4,
                                             "asu_per_day": 2}


def test_sections_and_defaults_come_from_the_registry():
    assert readmodel.DDU_SECTIONS == ("log_monitoring", "grail", "traces", "custom_events", "serverless",
                                      "custom_metrics")
    assert readmodel.host_defaults() == {"count": None, "ram_gib": None, "mode": "fullstack", "hours_per_day": 24.0,
                                         "custom_metrics_per_minute": 0.0, "appsec": "none",
                                         "cost_center": None, "product": None}     # the showback tags: untagged


def test_deadlines_apply_the_government_window_to_its_plan_only():
    # Mon 10 Mar 2025 15:00 UTC, severity 1: the window is the government plan's alone
    both = readmodel.deadlines("2025-03-10 15:00", tz="UTC", severities=[1], government=True)
    assert list(zip(both["plan"], both["government"])) == [("standard", False), ("enterprise", True)]
    plain = readmodel.deadlines("2025-03-10 15:00", tz="UTC", severities=[1], plans=["standard"])
    assert plain["deadline"].iloc[0] == both["deadline"].iloc[0]
    with pytest.raises(ValueError, match="government applies to plan 'enterprise' only"):
        readmodel.deadlines("2025-03-10 15:00", tz="UTC", plans=["standard"], government=True)


def test_end_of_support_rows_keep_one_product():
    rows = readmodel.end_of_support_rows("2025-01-15", product="saas")
    assert set(rows["product"]) == {"saas"} and all(isinstance(d, dt.date) for d in rows["end_of_support"])


def test_cumulative_restarts_on_the_anniversary(small):
    frame = readmodel.cumulative(small, "cau")
    assert frame.index[0] == pd.Timestamp("2028-02-29")          # year 0 is left out
    assert frame.loc["2028-06-12", "cumulative"] == pytest.approx(1_050)
    assert frame.loc["2029-02-27", "cumulative"] == pytest.approx(6_250)
    assert frame.loc["2029-02-28", ["year", "cumulative"]].tolist() == [2, pytest.approx(20)]
