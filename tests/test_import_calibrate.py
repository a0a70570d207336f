"""Growth calibration and backtest of imported baselines."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from planner.imports.backtest import backtest, read_actuals, summary
from planner.imports.calibrate import fit_growth


def test_exact_growth_has_no_spread():
    fit = fit_growth([100, 110, 121, 133.1])      # ln y on a straight line: b = ln 1.1
    assert fit.rate == pytest.approx(0.1, abs=1e-12)
    assert (fit.low, fit.high) == pytest.approx((0.1, 0.1), abs=1e-12)
    assert fit.next_value == pytest.approx(146.41, abs=1e-9)   # 133.1 x 1.1
    assert fit.months == 4


def test_noisy_growth_and_its_80_percent_interval():
    # ln y = 4.605170, 4.787492, 4.700480, 4.867534 at t = 0..3; t mean 1.5, Sxx = 5
    # b = sum((t - 1.5)(ln y - mean)) / 5 = 0.0700081; a = 4.635157
    # residual SS / (4 - 2) / Sxx -> se(b) = 0.0370885; t(0.90, 2 dof) = 1.886
    # rate = e^0.0700081 - 1 = 0.0725169; low = e^(0.0700081 - 1.886 x 0.0370885) - 1 = 0.0000592
    # high = e^(0.0700081 + 0.0699489) - 1 = 0.1502244; next = e^(4.635157 + 4 x 0.0700081) = 136.34515
    fit = fit_growth([100, 120, 110, 130])
    assert fit.rate == pytest.approx(0.0725169, abs=1e-7)
    assert fit.low == pytest.approx(0.0000592, abs=1e-7)
    assert fit.high == pytest.approx(0.1502244, abs=1e-7)
    assert fit.next_value == pytest.approx(136.34515, abs=1e-5)


def test_too_little_history_means_no_growth():
    assert fit_growth([100, 110]) is None
    assert fit_growth([0, 100, 110]) is None          # a month without a value does not count
    assert fit_growth([100, float("nan"), 110, 121]) is not None


def test_imported_scenario_comments_no_growth(tmp_path):
    from planner.imports.baseline import build, hosts_from_entities, month_window
    hosts, _ = hosts_from_entities([{"entityId": "HOST-1", "displayName": "h",
                                     "properties": {"memoryTotal": 4 * 1024 ** 3, "monitoringMode": "FULL_STACK"}}])
    daily = pd.DataFrame({"metric": "builtin:billing.ddu.log.total", "app": "",
                          "day": pd.period_range("2026-08-01", "2026-09-30", freq="D"), "value": 2.0})
    baseline = build(hosts, daily, month_window("2026-09", 2), source="test")
    assert "log-monitoring: no growth: 2 month(s) of history, 3 are needed for a fit" in baseline.scenario
    assert "growth" not in baseline.scenario.split("log_monitoring:")[1].split("\n")[2]
    # 2 DDU a day / 0.0005 DDU per event = 4000 events a day (the last month's level)
    assert "{name: log-monitoring, events_per_day: 4000.0}" in baseline.scenario


SCENARIO = """
name: backtest
contract: {start: 2027-01-01, term_years: 1}
rum:
  - {name: shop, sessions_per_month: 1331, growth: {monthly: 0.1}}
"""


def test_backtest_runs_the_model_backwards_from_the_start():
    actuals = pd.DataFrame({"month": ["2026-10", "2026-11", "2026-12"], "unit": "dem",
                            "capability": "rum_sessions", "driver": "shop", "value": [250.0, 275.0, 330.0]})
    table = backtest(SCENARIO, actuals)
    # 1331 sessions at 2027-01 grow 10 % a month, so 1331 / 1.1^3 = 1000 in 2026-10, 1100, 1210;
    # x 0.25 DEM = 250, 275, 302.5; errors 0, 0, (302.5 - 330) / 330 = -8.333333 %
    assert table["month"].astype(str).tolist() == ["2026-10", "2026-11", "2026-12"]
    assert table["modelled"].tolist() == pytest.approx([250.0, 275.0, 302.5], abs=1e-6)
    assert table["error_pct"].tolist() == pytest.approx([0.0, 0.0, -8.333333], abs=1e-6)
    total = summary(table).iloc[0]
    # 827.5 modelled against 855 actual: -3.216374 %; mean absolute error 8.333333 / 3
    assert (total["modelled"], total["actual"]) == pytest.approx((827.5, 855.0))
    assert total["error_pct"] == pytest.approx(-3.216374, abs=1e-6)
    assert total["mean_abs_error_pct"] == pytest.approx(2.777778, abs=1e-6)


def test_backtest_of_a_month_without_actual_consumption():
    actuals = pd.DataFrame({"month": ["2026-12"], "unit": "dem", "capability": "x", "driver": "y", "value": [0.0]})
    table = backtest(SCENARIO, actuals)
    assert table["modelled"].tolist() == pytest.approx([302.5]) and math.isnan(table["error_pct"][0])


@pytest.mark.parametrize("row, message", [
    ({"month": "2026-1", "unit": "dem", "value": "1"}, "row 2, column 'month': '2026-1' is not a month YYYY-MM"),
    ({"month": "2026-01", "unit": "DEMs", "value": "1"}, "row 2, column 'unit': 'DEMs' is not one of host_units"),
    ({"month": "2026-01", "unit": "dem", "value": "-1"}, "row 2, column 'value': '-1' is not a number >= 0"),
])
def test_bad_actuals_name_row_and_column(row, message):
    frame = pd.DataFrame([{"capability": "c", "driver": "d", **row}])
    with pytest.raises(ValueError, match=message):
        read_actuals(frame)


def test_unreadable_actuals_and_metrics_files_are_named(tmp_path):
    from planner.imports.baseline import BaselineError, daily_from_csv
    with pytest.raises(ValueError, match=r"^nowhere/actuals.csv: no such file$"):
        read_actuals("nowhere/actuals.csv")
    with pytest.raises(ValueError, match=r"^actuals.csv: cannot read the CSV \(No columns to parse from file\)$"):
        read_actuals(b"", name="actuals.csv")
    with pytest.raises(ValueError, match=rf"^{tmp_path}: cannot read the CSV \(.*directory"):
        read_actuals(tmp_path)
    with pytest.raises(BaselineError, match=r"^nowhere/metrics.csv: no such file$"):
        daily_from_csv("nowhere/metrics.csv")
    (tmp_path / "metrics.csv").write_bytes(b"metricId,time,value\n\xff\xfe,x,1\n")
    with pytest.raises(BaselineError, match=r"metrics.csv: cannot read the CSV \(.*codec can't decode"):
        daily_from_csv(tmp_path / "metrics.csv")


def test_implausible_fitted_growth_is_left_out():
    from planner.imports.baseline import build, hosts_from_entities, month_window
    hosts, _ = hosts_from_entities([])
    days = pd.period_range("2026-07-01", "2026-09-30", freq="D")
    # 1, 10, 100 DDU a day: e^(ln 10) - 1 = +900 % a month, above the scenario's 100 % bound
    per_day = [1.0 if d.month == 7 else 10.0 if d.month == 8 else 100.0 for d in days]
    daily = pd.DataFrame({"metric": "builtin:billing.ddu.log.total", "app": "", "day": days, "value": per_day})
    baseline = build(hosts, daily, month_window("2026-09", 3), source="test")
    assert "log-monitoring: no growth: the fitted +900% a month over 3 months is outside" in baseline.scenario
    # the last month's level: 100 DDU a day / 0.0005 DDU per event
    assert "{name: log-monitoring, events_per_day: 200000.0}" in baseline.scenario
