"""The renewal dashboard (planner.ui.pages.renewal) without a browser: the pure
compute step against the sizing table, and the page's controls."""

import base64

import numpy as np
import pandas as pd
import pytest

from planner.engine import sizing
from planner.engine import forecast
from planner.ui.pages import renewal


@pytest.fixture(scope="module")
def estate():
    return forecast(draws=2000, seed=0)


def test_compute_reads_the_sizing_row_and_the_draws(estate):
    view = renewal.compute(estate, renewal.Inputs("host_unit_hours", 3, risk=0.1))
    row = estate.sizing(0.1).set_index(["unit", "year"]).loc[("host_unit_hours", 3)]
    assert view.markers == {"as contracted": (7_000_000, row["cost_at_amount"]),
                            "cost-optimal": (row["optimal_amount"], row["cost_at_optimal"]),
                            "risk amount": (row["risk_amount"], row["cost_at_risk"])}
    # committed as contracted: the chance of running out from what each draw needs equals
    # the share of draws whose run-out day exists (no top-ups in the example)
    assert view.committed == 7_000_000
    assert view.at_committed["p_run_out"] == row["p_run_out"]
    assert view.at_committed["expected_cost"] == pytest.approx(row["cost_at_amount"])
    # the overage is 1.5 x the price: the optimal amount is the 1/3 quantile, and no point of
    # the curve costs less
    assert row["optimal_amount"] == sizing.quantile(view.year.consumption, 1 - 0.01 / 0.015)
    assert view.curve["expected_cost"].min() >= row["cost_at_optimal"] - 1e-6
    assert view.curve["amount"].iloc[0] < row["p10"] and view.curve["amount"].iloc[-1] > row["p90"]


def test_compute_at_a_committed_amount(estate):
    view = renewal.compute(estate, renewal.Inputs("host_unit_hours", 3, committed=7_500_000))
    used = view.year.consumption
    # hand rule: the share of draws using more than 7,500,000 HU h; cost 0.01 x 7,500,000
    # committed + 0.015 x the mean excess
    assert view.at_committed["p_run_out"] == pytest.approx(np.mean(used > 7_500_000))
    assert view.at_committed["expected_cost"] == pytest.approx(
        0.01 * 7_500_000 + 0.015 * np.maximum(0, used - 7_500_000).mean())
    licence = renewal.compute(estate, renewal.Inputs("host_units", 2, committed=850))
    assert licence.at_committed["p_run_out"] == pytest.approx(np.mean(licence.year.consumption > 850))
    assert np.isnan(licence.at_committed["expected_cost"])   # the example prices no licence
    assert licence.row["reasons"] == ("no_price", "no_overage_price")
    assert licence.note == "no price and no overage_price in the contract: only the risk amount is given"
    # the slider alone: the same view with the committed amount's risk and cost
    moved = renewal.with_committed(licence, 900)
    assert moved.committed == 900 and moved.row is licence.row and moved.curve is licence.curve
    assert moved.at_committed["p_run_out"] == pytest.approx(np.mean(licence.year.consumption > 900))


def test_compute_says_what_is_missing(estate):
    with pytest.raises(ValueError, match="unit must be one of this forecast's pools 'host_units', "
                                         "'host_unit_hours', 'dem', 'ddu', 'asu', 'cau'; got 'msu'"):
        renewal.compute(estate, renewal.Inputs("msu", 1))
    with pytest.raises(ValueError, match=r"year must be one of \[1, 2, 3\] for 'dem'; got 4"):
        renewal.compute(estate, renewal.Inputs("dem", 4))
    with pytest.raises(ValueError, match="sizing needs a forecast with Monte Carlo draws"):
        renewal.compute(forecast(), renewal.Inputs("dem", 1))


def test_figures_name_what_they_show(estate):
    view = renewal.compute(estate, renewal.Inputs("ddu", 2))
    hist, cost = renewal.histogram_figure(view), renewal.cost_figure(view)
    assert hist.layout.title.text == "Davis data units, contract year 2: consumption over 2,000 draws"
    assert len(hist.data[0].x) == 2000
    assert cost.layout.title.text == "Davis data units, contract year 2: expected cost against the committed amount"
    assert cost.layout.xaxis.title.text == "committed amount [DDU]" and cost.layout.yaxis.title.text == "expected cost [EUR]"
    names = [t.name for t in cost.data]
    assert names == ["expected cost", "chance of running out", "as contracted", "cost-optimal", "risk amount",
                     "committed"]


def test_dashboard_slider_moves_the_cards(estate):
    page = renewal.dashboard(given=estate)
    assert page.css_classes() == [
        "dash-renewal", "planner-error", "ctl-scenario", "ctl-draws", "ctl-seed", "ctl-pool", "ctl-year",
        "ctl-risk", "ctl-committed", "kpi-p-run-out", "kpi-expected-cost", "kpi-optimal", "kpi-risk-amount",
        "chart-consumption", "chart-cost", "table-sizing", "download-renewal-sizing", "download-renewal-what-if",
        "ctl-download-renewal-what-if-yaml", "download-report", "ctl-download-report"]
    slider, pool, year = page.find("ctl-committed"), page.find("ctl-pool"), page.find("ctl-year")
    assert (pool.value, year.value, slider.value) == ("host_units", 1, 800)
    # the licence has no prices: the engine's codes, worded by planner.explain, under the cards
    assert "no price and no overage_price in the contract: only the risk amount is given" in \
        page.find("note-sizing").value
    assert "no_price;no_overage_price" in base64.b64decode(
        page.find("download-renewal-sizing").value.split("base64,")[1].split('"')[0]).decode("utf-8-sig")
    pool.value, year.value = "ddu", 2
    assert page.find("note-sizing").value == ""      # DDU is priced, no top-ups, growth ranges
    assert slider.value == 40_000_000 and slider.min < 40_843_921 < slider.max
    # every draw uses 40,843,922 DDU in year 2 (no growth range reaches DDU): 40,000,000 runs out
    assert page.find("kpi-p-run-out").shown == "100.0 %"
    slider.value = slider.max
    view = renewal.compute(estate, renewal.Inputs("ddu", 2, committed=slider.value))
    assert page.find("kpi-p-run-out").shown == "0 %"
    # cost = 0.001 x committed amount, no overage
    assert page.find("kpi-expected-cost").shown == f"EUR {slider.value * 0.001:,.0f}"
    assert view.at_committed["expected_cost"] == pytest.approx(slider.value * 0.001)
    assert page.messages.text == ""
    assert page.find("chart-cost").title.startswith("Davis data units, contract year 2")


def test_dashboard_another_forecast_keeps_the_pool_and_commits_as_contracted():
    page = renewal.dashboard(draws=500)
    pool, year, slider = page.find("ctl-pool"), page.find("ctl-year"), page.find("ctl-committed")
    pool.value, year.value = "ddu", 2
    slider.value = slider.max
    page.find("ctl-seed").value = 1
    # a new forecast: the same pool and year, the slider back at the contracted 40,000,000 DDU
    assert (pool.value, year.value, slider.value) == ("ddu", 2, 40_000_000)
    assert page.find("kpi-p-run-out").shown == "100.0 %" and page.messages.text == ""
