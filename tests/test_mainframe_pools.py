"""Mainframe MSU peaks (docs/rules.md#mainframe-msu) and annual pools (Dynatrace
Platform Usage Supplement, effective 2022-11-15, "Flexible, consumption-based
licenses"; docs/rules.md#annual-pools), with values worked out by hand."""

import numpy as np
import pandas as pd
import pytest

from planner import contract_years, licence_forecast, msu_monthly_peak, pool_balance, pool_forecast


def test_msu_peak_is_the_highest_four_hour_rolling_average():
    # hourly samples 00:00..07:00: 10 10 10 10 50 50 10 10
    # windows (t-4h, t]: 04:00 -> (10+10+10+50)/4 = 20, 05:00 -> (10+10+50+50)/4 = 30,
    # 06:00 -> 30, 07:00 -> (50+50+10+10)/4 = 30; the peak is 30, first at 05:00
    hours = pd.date_range("2025-03-01", periods=8, freq="h")
    peaks = msu_monthly_peak(pd.Series([10, 10, 10, 10, 50, 50, 10, 10.0], index=hours, name="PRD1"))
    assert peaks.loc[("PRD1", pd.Period("2025-03", "M")), "peak_msu"] == 30
    assert peaks["peak_window_end"].iloc[0] == pd.Timestamp("2025-03-01 05:00")


def test_msu_window_is_time_based_for_irregular_samples():
    # samples at 00:00, 00:30, 04:00, 04:15 (minutes apart, then hours apart)
    # window ending 04:00 holds (00:00, 04:00]: 00:30 and 04:00 -> (20 + 80) / 2 = 50
    # window ending 04:15 holds 00:30, 04:00, 04:15 -> (20 + 80 + 110) / 3 = 70
    stamps = pd.to_datetime(["2025-03-01 00:00", "2025-03-01 00:30", "2025-03-01 04:00",
                             "2025-03-01 04:15"])
    peaks = msu_monthly_peak(pd.Series([5, 20, 80, 110.0], index=stamps))
    assert peaks["peak_msu"].iloc[0] == 70


def test_msu_per_lpar_and_month_flags_overrun():
    # two LPARs in columns, constant per month: PRD 100 in April, 140 in May; TST 40
    stamps = pd.date_range("2025-04-29", "2025-05-02 23:00", freq="h")
    prd = np.where(stamps.month == 4, 100.0, 140.0)
    samples = pd.DataFrame({"PRD": prd, "TST": 40.0}, index=stamps)
    peaks = msu_monthly_peak(samples, licensed={"PRD": 120, "TST": 50})
    assert peaks["peak_msu"].to_dict() == {
        ("PRD", pd.Period("2025-04", "M")): 100.0, ("PRD", pd.Period("2025-05", "M")): 140.0,
        ("TST", pd.Period("2025-04", "M")): 40.0, ("TST", pd.Period("2025-05", "M")): 40.0}
    assert peaks["over_licence"].to_dict() == {
        ("PRD", pd.Period("2025-04", "M")): False, ("PRD", pd.Period("2025-05", "M")): True,
        ("TST", pd.Period("2025-04", "M")): False, ("TST", pd.Period("2025-05", "M")): False}


def test_msu_long_form_two_level_index():
    stamps = pd.date_range("2025-01-01", periods=5, freq="h")
    index = pd.MultiIndex.from_product([["A", "B"], stamps])
    peaks = msu_monthly_peak(pd.Series([1, 1, 1, 1, 5, 2, 2, 2, 2, 2.0], index=index), licensed=1.5)
    # A: window ending 04:00 = (1+1+1+5)/4 = 2; B: 2
    assert peaks["peak_msu"].tolist() == [2.0, 2.0]
    assert peaks["over_licence"].tolist() == [True, True]


@pytest.mark.parametrize("call, error, message", [
    (lambda: msu_monthly_peak([1, 2, 3]), TypeError, r"samples must be a pandas Series or DataFrame"),
    (lambda: msu_monthly_peak(pd.Series([1.0, 2.0], index=pd.date_range("2025-01-01", periods=2, freq="h"))),
     ValueError, r"covers less than 4 hours"),
    (lambda: msu_monthly_peak(pd.Series([1.0, -2.0] * 3, index=pd.date_range("2025-01-01", periods=6, freq="h"))),
     ValueError, r"samples must be >= 0; got -2\.0"),
    (lambda: msu_monthly_peak(pd.Series([1.0] * 6, index=pd.date_range("2025-01-01", periods=6, freq="h"),
                                        name="X"), licensed={"Y": 3}),
     ValueError, r"no licensed MSU for LPAR 'X'"),
    (lambda: msu_monthly_peak(pd.Series([1.0, 2.0], index=[1, 2])), TypeError, r"index must be timestamps"),
])
def test_msu_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_contract_years_reset_on_the_anniversary():
    years = contract_years("2025-03-15", 3)
    assert years["start"].dt.strftime("%Y-%m-%d").tolist() == ["2025-03-15", "2026-03-15", "2027-03-15"]
    assert years["end"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-14", "2027-03-14", "2028-03-14"]


def test_unused_units_expire_and_do_not_carry_over():
    # 1000 units a year, 2 years from 2025-01-01; 2 units a day -> year 1 uses 730,
    # leaves 270 that expire; year 2 starts again at 1000
    days = pd.date_range("2025-01-01", "2026-12-31")
    forecast = pool_forecast(pd.Series(2.0, index=days), 1000, "2025-01-01", 2)
    assert forecast["consumption"].tolist() == [730.0, 730.0]
    assert forecast["remaining"].tolist() == [270.0, 270.0]
    assert forecast["run_out"].isna().all() and forecast["extra_needed"].tolist() == [0, 0]
    balance = pool_balance(pd.Series(2.0, index=days), 1000, "2025-01-01", 2)
    assert balance.loc["2025-12-31", "balance"] == 270 and balance.loc["2026-01-01", "balance"] == 998


def test_run_out_date_and_extra_needed():
    # 3000 units a year, 10 a day from 2025-01-01: cumulative 3010 > 3000 on day 301
    # = 2025-10-28; the year uses 3650, so 650 more are needed to last the year
    days = pd.date_range("2025-01-01", "2025-12-31")
    forecast = pool_forecast(pd.Series(10.0, index=days), 3000, "2025-01-01", 1)
    row = forecast.iloc[0]
    assert row["run_out"] == pd.Timestamp("2025-10-28")
    assert row["extra_needed"] == 650 and row["remaining"] == -650


def test_top_ups_extend_the_year_and_expire_with_it():
    # as above plus a top-up of 500 on 2025-10-01 (cumulative then 2740): the pool
    # lasts to 3500 -> exceeded on day 351 (3510) = 2025-12-17; 150 still needed.
    # The top-up expires at the anniversary: year 2 is back to 3000.
    days = pd.date_range("2025-01-01", "2026-12-31")
    forecast = pool_forecast(pd.Series(10.0, index=days), 3000, "2025-01-01", 2,
                             top_ups=[("2025-10-01", 500)])
    assert forecast["amount"].tolist() == [3500.0, 3000.0]
    assert forecast.loc[0, "run_out"] == pd.Timestamp("2025-12-17")
    assert forecast["extra_needed"].tolist() == [150.0, 650.0]


def test_mid_year_start_and_partial_coverage():
    # contract from 2025-07-01; consumption known for 2025-06-01..2025-07-10: days
    # before the start are ignored, 10 days covered
    days = pd.date_range("2025-06-01", "2025-07-10")
    forecast = pool_forecast(pd.Series(1.0, index=days), 100, "2025-07-01", 3)
    assert forecast[["year", "days_covered", "consumption"]].values.tolist() == [[1, 10, 10.0]]


def test_a_leap_day_start_has_its_anniversary_on_28_february():
    years = contract_years("2024-02-29", 5)
    assert years["start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29"]
    assert years["end"].iloc[-1] == pd.Timestamp("2029-02-27")


def test_pool_run_out_in_the_second_year_only():
    # 400 units a year from 2025-01-01, 1 a day in 2025 (365 <= 400) and 2 a day in
    # 2026: cumulative 402 > 400 on day 201 of 2026 = 2026-07-20; 730 - 400 = 330 needed
    days = pd.date_range("2025-01-01", "2026-12-31")
    forecast = pool_forecast(pd.Series(np.where(days.year == 2025, 1.0, 2.0), index=days),
                             400, "2025-01-01", 2)
    assert forecast["run_out"].isna().tolist() == [True, False]
    assert forecast.loc[1, "run_out"] == pd.Timestamp("2026-07-20")
    assert forecast["extra_needed"].tolist() == [0.0, 330.0]


def test_a_licence_compares_the_yearly_peak_with_the_quantity():
    # 100 host units licensed, 2 years from 2025-01-01. In use: 100 (equal: fits) all of
    # year 1, 100 + 5 entered as two rows on 2026-05-02 (added up: 105), then 90.
    # Days after the term (2027) are ignored, however high.
    days = pd.date_range("2025-01-01", "2027-01-31")
    in_use = pd.Series(np.where(days.year == 2025, 100.0, 90.0), index=days)
    in_use[days.year == 2027] = 1000.0
    in_use = pd.concat([in_use, pd.Series([15.0], index=[pd.Timestamp("2026-05-02")])])
    licence = licence_forecast(in_use, 100, "2025-01-01", 2)
    assert licence[["year", "days_covered", "consumption", "remaining", "extra_needed"]].values.tolist() == [
        [1, 365, 100.0, 0.0, 0.0], [2, 365, 105.0, -5.0, 5.0]]
    assert licence["run_out"].isna().tolist() == [True, False]
    assert licence.loc[1, "run_out"] == pd.Timestamp("2026-05-02")


@pytest.mark.parametrize("call, message", [
    (lambda: licence_forecast(pd.Series(1.0, index=pd.date_range("2025-01-01", periods=3)), -1,
                              "2025-01-01", 1), r"quantity must be >= 0"),
    (lambda: licence_forecast(pd.Series(1.0, index=pd.date_range("2030-01-01", periods=3)), 5,
                              "2025-01-01", 1), r"covers no day of the contract term"),
    (lambda: contract_years("2025-02-30", 1), r"start must be a date"),
    (lambda: contract_years("2025-01-01", 0), r"term_years must be a whole number >= 1; got 0"),
    (lambda: pool_forecast(pd.Series(1.0, index=pd.date_range("2025-01-01", periods=3)), -5,
                           "2025-01-01", 1), r"annual_amount must be >= 0"),
    (lambda: pool_forecast(pd.Series(1.0, index=pd.date_range("2025-01-01", periods=3)), 5,
                           "2025-01-01", 1, top_ups=[("2027-01-01", 5)]), r"top_ups\[0\]\.date 2027-01-01 is outside the term"),
    (lambda: pool_forecast(pd.Series(1.0, index=pd.date_range("2030-01-01", periods=3)), 5,
                           "2025-01-01", 1), r"covers no day of the contract term"),
])
def test_pool_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
