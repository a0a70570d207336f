"""The scenario engine against figures worked out by hand.

Weights: Platform Usage Supplement tables (host units, DEM, DDU, ASU, CAU);
rules: docs/rules.md. Each expected value is written as the arithmetic that gives
it, with the example files' inputs (planner/examples/*.yaml).
"""

import numpy as np
import pandas as pd
import pytest

from planner.engine import compare, forecast
from planner.scenario import example_path, load_scenario

DAYS_2027 = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


@pytest.fixture(scope="module")
def estate():
    return forecast(load_scenario(example_path("estate")))


@pytest.fixture(scope="module")
def stories():
    return {name: forecast(load_scenario(example_path(name)))
            for name in ("fullstack_move", "replay_rollout", "grail_retention")}


def day(fc, date, unit, driver=None, capability=None):
    rows = fc.daily[(fc.daily["date"] == pd.Timestamp(date)) & (fc.daily["unit"] == unit)]
    if driver is not None:
        rows = rows[rows["driver"] == driver]
    if capability is not None:
        rows = rows[rows["capability"] == capability]
    return rows["value"].sum()


def test_estate_first_month_by_hand(estate):
    january = estate.monthly().loc[pd.Period("2027-01", "M")]
    # host units in use: web 120 x 1 + app 400 x 0.6 (32 GiB infra) + db 40 x 8 (128 GiB)
    # + batch 60 x 0.5 (8 GiB) = 120 + 240 + 320 + 30
    assert january["host_units"] == 710
    # host unit hours: (120 x 24 + 240 x 24 + 320 x 24 + 30 x 10) x 31 days
    assert january["host_unit_hours"] == (2880 + 5760 + 7680 + 300) * 31 == 515_220
    # DEM: shop 3,000,000 x (0.25 + (25 - 20) x 0.01) + mobile 1,000,000 x 0.25
    # + clickpath 3 x 96 runs x 2 locations = 576 actions x 1.00 a day
    # + HTTP 1 x 1440 runs x 3 locations = 4320 requests x 0.10 = 432 a day
    assert january["dem"] == pytest.approx(900_000 + 250_000 + 576 * 31 + 432 * 31, abs=1e-6)
    assert january["dem"] == pytest.approx(1_181_248, abs=1e-6)
    # DDU: web custom metrics (1200 - 1000) x 1440 min x 0.001 x 120 hosts = 34,560 a day;
    # app 150 < 200 included -> 0; logs ingest 500 x 100 = 50,000 a day; logs retain
    # (full at start) 500 x 35 x 0.30 = 5,250 a day; logs query 25,000 x 1.70 a month;
    # bizevents ingest 20 x 100 = 2,000 a day, retain 20 x 90 x 0.30 = 540 a day;
    # spans 300,000 x 0.0007 = 210; k8s events 50,000 x 0.001 = 50; serverless
    # 100,000 x 0.002 = 200 a day
    by_hand = (34_560 + 50_000 + 5_250 + 2_000 + 540 + 210 + 50 + 200) * 31 + 42_500
    assert by_hand == 2_919_610
    assert january["ddu"] == pytest.approx(by_hand, abs=1e-6)
    # ASU: db 40 hosts x 8 ASU/h (128 GiB) x 24 h x 31 days
    assert january["asu"] == 40 * 8 * 24 * 31 == 238_080
    assert january["cau"] == 200 * 31
    assert january["msu"] == 300


def test_estate_first_contract_year_by_hand(estate):
    year1 = estate.yearly().loc[1]
    # ASU and CAU do not grow: 40 x 8 x 24 x 365 and 200 x 365
    assert year1["asu"] == 2_803_200 and year1["cau"] == 73_000
    # host unit hours: web grows 1 %/month, app 1.25 %/month (middle of 0.5-2 %)
    web = sum(d * 120 * 1.01 ** k * 24 for k, d in enumerate(DAYS_2027))
    app = sum(d * 400 * 1.0125 ** k * 0.6 * 24 for k, d in enumerate(DAYS_2027))
    assert year1["host_unit_hours"] == pytest.approx(web + app + 40 * 8 * 24 * 365 + 60 * 0.5 * 10 * 365, rel=1e-12)
    # DEM: shop grows 12 %/year = 1.12 ** (k / 12) a month; the rest is flat
    shop = sum(3_000_000 * 1.12 ** (k / 12) * 0.30 for k in range(12))
    assert year1["dem"] == pytest.approx(shop + 250_000 * 12 + (576 + 432) * 365, rel=1e-12)
    # host units: the peak day is in December (month 11)
    assert year1["host_units"] == pytest.approx(120 * 1.01 ** 11 + 400 * 1.0125 ** 11 * 0.6 + 320 + 30, rel=1e-12)


def test_leap_year_has_366_days(estate):
    assert estate.yearly().loc[2, "asu"] == 40 * 8 * 24 * 366


def test_pool_resets_on_the_anniversary_at_day_resolution(estate):
    balance = estate.pool_balance("cau")
    # 100,000 CAU a year, 200 a day: 27,000 left on 2027-12-31 expire; 2028-01-01 starts at 100,000
    assert balance.loc["2027-12-31", "balance"] == 100_000 - 200 * 365
    assert balance.loc["2028-01-01", "balance"] == 100_000 - 200
    assert balance.loc["2028-01-01", "year"] == 2


def test_pools_report_run_out_and_extra_needed(estate):
    pools = estate.pools().set_index(["unit", "year"])
    # CAU never runs out: 100,000 - 73,000
    assert pools.loc[("cau", 1), "remaining"] == 27_000 and pd.isna(pools.loc[("cau", 1), "run_out"])
    # host units licence 800: the peak crosses it in contract year 2 (2028-09, month 20):
    # 120 x 1.01^20 + 400 x 1.0125^20 x 0.6 + 350 = 800.54 > 800 > month 19's 796.09
    month = lambda k: 120 * 1.01 ** k + 400 * 1.0125 ** k * 0.6 + 350
    assert month(19) < 800 < month(20)
    assert pools.loc[("host_units", 2), "run_out"] == pd.Timestamp("2028-09-01")
    # money: CAU at 0.02 EUR: 73,000 x 0.02
    assert pools.loc[("cau", 1), "consumption_cost"] == pytest.approx(1_460)
    assert estate.money().loc[pd.Period("2027-01", "M"), "cau"] == pytest.approx(6_200 * 0.02)


def test_fullstack_move_mid_year_at_day_resolution(stories):
    fc = stories["fullstack_move"]
    # 2027-03-31 (month 2): web 120 x 1.01^2 + app 400 x 1.0125^2 x 0.6 + 320 + 30
    assert day(fc, "2027-03-31", "host_units") == pytest.approx(120 * 1.01 ** 2 + 400 * 1.0125 ** 2 * 0.6 + 350)
    # 2027-04-01 (month 3): 300 of the 400 x 1.0125^3 = 415.19 app hosts now full-stack
    # (32 GiB -> 2 HU); the other 115.19 stay at 0.6
    app = 400 * 1.0125 ** 3
    # moved hosts stay in their group, under their new mode's capability
    assert day(fc, "2027-04-01", "host_units", "app", "fullstack") == pytest.approx(600)
    assert day(fc, "2027-04-01", "host_units", "app", "infrastructure") == pytest.approx((app - 300) * 0.6)
    assert day(fc, "2027-04-01", "host_units") == pytest.approx(120 * 1.01 ** 3 + (app - 300) * 0.6 + 600 + 350)
    # in month 4 the moved part grows with the group: 300 x 1.0125
    assert day(fc, "2027-05-15", "host_units", "app", "fullstack") == pytest.approx(600 * 1.0125)
    # full-stack app hosts include 2000 metrics each: 150 a minute stays under -> no DDU
    moved = fc.daily[(fc.daily["driver"] == "app") & (fc.daily["capability"] == "custom_metrics_fullstack")]
    assert moved.empty


def test_replay_rollout_mid_year_at_day_resolution(stories):
    fc = stories["replay_rollout"]
    # shop sessions a day: 3,000,000 x 1.12^(k/12) / days in month
    may31 = 3_000_000 * 1.12 ** (4 / 12) / 31 * 0.30
    # from June 1: 10 % replay at 1.00, 90 % at 0.25, plus 0.05 for properties
    june1 = 3_000_000 * 1.12 ** (5 / 12) / 30 * (0.9 * 0.25 + 0.1 * 1.00 + 0.05)
    assert day(fc, "2027-05-31", "dem", "shop") == pytest.approx(may31)
    assert day(fc, "2027-06-01", "dem", "shop") == pytest.approx(june1)
    replay = fc.monthly(("unit", "capability"))
    june = replay[(replay["month"] == pd.Period("2027-06", "M")) & (replay["capability"] == "session_replay")]
    assert june["value"].iloc[0] == pytest.approx(3_000_000 * 1.12 ** (5 / 12) * 0.1)


def test_grail_retention_raise_fills_the_store_at_day_resolution(stories, estate):
    store = stories["grail_retention"].grail_store["logs"]
    gb = lambda k: 500 * 1.01 ** k   # logs ingest a day in month k
    # starts full: 35 days x 500 GB on the first day
    assert store["2027-01-01"] == 35 * 500
    # 2027-06-30, retention 35: May 27-31 (month 4) and June 1-30 (month 5)
    assert store["2027-06-30"] == pytest.approx(5 * gb(4) + 30 * gb(5))
    # 2027-07-01, retention 90: nothing is deleted, today's data is added (36 days)
    assert store["2027-07-01"] == pytest.approx(5 * gb(4) + 30 * gb(5) + gb(6))
    # baseline on 2027-07-01 keeps 35 days: May 28-31, June 1-30 and July 1
    assert estate.grail_store["logs"]["2027-07-01"] == pytest.approx(4 * gb(4) + 30 * gb(5) + gb(6))
    # 2027-09-30: the store is full again at 90 days, July 3 - Sep 30
    assert store["2027-09-30"] == pytest.approx(29 * gb(6) + 31 * gb(7) + 30 * gb(8))
    # the retain charge of a day is 0.30 x the store
    assert day(stories["grail_retention"], "2027-07-01", "ddu", "logs") == pytest.approx(
        gb(6) * 100 + 0.30 * store["2027-07-01"] + 25_000 * 1.01 ** 6 / 31 * 1.70)


def test_a_new_grail_bucket_ramps_up():
    fc = forecast(load_scenario({
        "contract": {"start": "2027-01-01"}, "horizon": {"months": 1},
        "grail": [{"name": "new", "ingest_gb_per_day": 10, "retention_days": 3, "starts_full": False}]}))
    assert fc.grail_store["new"].iloc[:5].tolist() == [10, 20, 30, 30, 30]
    retain = fc.daily[(fc.daily["capability"] == "log_management_retain")]["value"]
    assert retain.iloc[:4].tolist() == pytest.approx([3.0, 6.0, 9.0, 9.0])


def test_inventory_groups_use_every_host(tmp_path):
    csv = tmp_path / "hosts.csv"
    csv.write_text("host,ram_gib,mode,hours_per_day,custom_metrics_per_minute,appsec\n"
                   "a,16,fullstack,24,1100,protection\nb,17,infrastructure,12,300,none\n")
    fc = forecast(load_scenario({"contract": {"start": "2027-01-01"}, "horizon": {"months": 1},
                                 "hosts": [{"name": "inv", "inventory": str(csv)}]}))
    first = fc.daily[fc.daily["date"] == pd.Timestamp("2027-01-01")].groupby(["unit", "capability"])["value"].sum()
    assert first[("host_units", "fullstack")] == 1 and first[("host_units", "infrastructure")] == 0.6
    assert first[("host_unit_hours", "infrastructure")] == 0.6 * 12
    # a: (1100 - 1000) x 1440 x 0.001 = 144; b: (300 - 200) x 720 min x 0.001 = 72
    assert first[("ddu", "custom_metrics_fullstack")] == 144
    assert first[("ddu", "custom_metrics_infrastructure")] == 72
    assert first[("asu", "protection")] == 2 * 24


def test_monte_carlo_is_seeded_and_ordered():
    scenario = load_scenario(example_path("estate"))
    a = forecast(scenario, draws=500, seed=7).bands
    b = forecast(scenario, draws=500, seed=7).bands
    pd.testing.assert_frame_equal(a, b)
    assert (a["p10"] <= a["p50"]).all() and (a["p50"] <= a["p90"]).all()
    hu = a[a["unit"] == "host_units"].set_index("month")
    assert hu.iloc[0][["p10", "p90"]].tolist() == [710, 710]           # growth starts in month 2
    assert hu.iloc[-1]["p90"] > hu.iloc[-1]["p10"]                      # app growth is uncertain
    # the app range 0.5-2 %/month bounds month 35's host units
    low = 120 * 1.01 ** 35 + 400 * 1.005 ** 35 * 0.6 + 350
    high = 120 * 1.01 ** 35 + 400 * 1.02 ** 35 * 0.6 + 350
    assert low < hu.iloc[-1]["p10"] < hu.iloc[-1]["p90"] < high
    asu = a[a["unit"] == "asu"]
    assert (asu["p10"] == asu["p90"]).all()                             # certain drivers do not spread


def test_compare_reports_deltas_and_first_exceeded(estate, stories):
    result = compare(estate, stories["fullstack_move"])
    monthly = result["monthly"].set_index(["scenario", "unit", "month"])
    april = pd.Period("2027-04", "M")
    delta = monthly.loc[("Move 300 app hosts to full-stack", "host_units", april), "delta"]
    assert delta == pytest.approx(300 * (2 - 0.6))
    pools = result["pools"].set_index(["unit", "year"])
    # extra needed = consumption - the 7,000,000 HU h pool; cost = HU h x 0.01 (estate.yaml)
    hours = pools.loc[("host_unit_hours", 1)]
    assert hours["extra_needed"] == pytest.approx(hours["consumption"] - 7_000_000)
    assert hours["cost_delta"] == pytest.approx(hours["consumption_delta"] * 0.01)
    exceeded = result["first_exceeded"].set_index(["unit", "scenario"])
    assert exceeded.loc[("host_units", "Example estate (baseline)"), "first_exceeded"] == pd.Period("2028-09", "M")
    assert exceeded.loc[("host_units", "Move 300 app hosts to full-stack"), "first_exceeded"] == pd.Period("2027-04", "M")
    assert exceeded.loc[("host_units", "Move 300 app hosts to full-stack"), "differs_from_baseline"]
    assert not exceeded.loc[("cau", "Move 300 app hosts to full-stack"), "differs_from_baseline"]
    with pytest.raises(ValueError, match="at least two forecasts"):
        compare(estate)


def test_bad_engine_arguments(estate):
    with pytest.raises(ValueError, match="draws must be a whole number >= 0; got -1"):
        forecast(draws=-1)
    with pytest.raises(ValueError, match="unit must be one of this contract's annual pools"):
        estate.pool_balance("msu")
    with pytest.raises(ValueError, match="by must name 'unit'"):
        estate.monthly(("colour",))


def test_daily_values_are_finite_and_non_negative(estate):
    assert np.isfinite(estate.daily["value"]).all() and (estate.daily["value"] >= 0).all()


def _aggregate_by_groupby(fc, period, by):
    """The rule of Forecast.monthly / yearly written plainly with pandas groupby:
    flows add up; peaks add drivers up per day, then take the highest day."""
    frame = fc.daily.assign(**{period.name: period.to_numpy()})
    per_day = frame.groupby([period.name, "date", *by], observed=True)["value"].sum().reset_index()
    peak = per_day["unit"].isin(["host_units", "msu"])
    flows = per_day[~peak].groupby([period.name, *by], observed=True)["value"].sum()
    peaks = per_day[peak].groupby([period.name, *by], observed=True)["value"].max()
    return pd.concat([flows, peaks]).sort_index().reset_index()


@pytest.mark.parametrize("by", [("unit", "capability"), ("unit", "driver"), ("unit", "capability", "driver")])
def test_every_breakdown_matches_a_plain_groupby(estate, stories, by):
    for fc in [estate, *stories.values()]:
        month = pd.Series(fc.daily["date"].dt.to_period("M"), name="month")
        pd.testing.assert_frame_equal(fc.monthly(by), _aggregate_by_groupby(fc, month, by), check_dtype=False)
        starts = pd.DatetimeIndex(["2027-01-01", "2028-01-01", "2029-01-01", "2030-01-01"])
        year = pd.Series(np.searchsorted(starts, fc.daily["date"], side="right"), name="contract_year")
        pd.testing.assert_frame_equal(fc.yearly(by), _aggregate_by_groupby(fc, year, by), check_dtype=False)
        by_unit = fc.monthly(by).groupby(["month", "unit"])["value"]
        wide = fc.monthly()
        flows = by_unit.sum().unstack()[[u for u in wide if u not in ("host_units", "msu")]]
        pd.testing.assert_frame_equal(wide[flows.columns], flows, check_names=False)


def test_aggregates_are_cached_but_callers_get_their_own_copy(estate):
    first = estate.monthly(("unit", "capability"))
    first["value"] = -1.0
    assert (estate.monthly(("unit", "capability"))["value"] >= 0).all()


def test_contract_years_cover_a_horizon_longer_than_the_term(estate):
    assert estate.contract_years()["start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2027-01-01", "2028-01-01", "2029-01-01"]
    # a 1-year term seen over 18 months: a second contract year, 2028-01-01 to 2028-12-31
    longer = forecast(load_scenario("name: longer\ncontract:\n  start: 2027-01-01\n  term_years: 1\n"
                                    "horizon:\n  months: 18\nhosts:\n  - name: web\n    count: 10\n"
                                    "    ram_gib: 16\n"))
    years = longer.contract_years()
    assert years["year"].tolist() == [1, 2]
    assert years["end"].dt.strftime("%Y-%m-%d").tolist() == ["2027-12-31", "2028-12-31"]
    assert longer.yearly().index.tolist() == [1, 2]
