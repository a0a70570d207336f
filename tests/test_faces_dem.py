"""Faces agree on the digital experience page: January 2027 DEM units with
Session Replay at 10 % for the shop are the same on the page, in the Python API
and in ``planner forecast``."""

import dataclasses

import pandas as pd
import pytest

from faces_cli import CLI_ROUNDING, cli_forecast
from planner.engine import forecast
from planner.scenario import load_scenario
from planner.ui.pages import digital_experience as dem

JANUARY = pd.Period("2027-01", "M")


@pytest.fixture(scope="module")
def page_view():
    scenario = load_scenario()
    inputs = dem.inputs_of(scenario)
    assert inputs.app == "shop" and inputs.month == JANUARY
    return dem.dem_view(scenario, inputs.with_rum(replay_share=0.10))


def _january(table):
    rows = table[(table["unit"] == "dem") & (table["month"].astype(str) == "2027-01")]
    return rows.set_index("capability")["value"]


def test_january_dem_with_replay_at_10_percent_agrees_with_the_api_and_the_cli(page_view, tmp_path):
    page = page_view.by_source.groupby("capability")["value"].sum()
    api = _january(forecast(load_scenario().with_values("shop", replay_share=0.10)).monthly(("unit", "capability")))
    cli = _january(cli_forecast(tmp_path, "  - date: 2027-01-01\n    set: {driver: shop, replay_share: 0.10}\n"))
    pd.testing.assert_series_equal(page.sort_index(), api.sort_index(), check_names=False)
    pd.testing.assert_series_equal(page.sort_index(), cli.sort_index(), check_names=False, rtol=0,
                                   atol=CLI_ROUNDING)
    # shop: 3,000,000 x 90 % x 0.25 + mobile-app 1,000,000 x 0.25 = 925,000 RUM sessions;
    # 300,000 replay sessions x 1.00; 3,000,000 x (25 - 20) properties x 0.01 = 150,000
    assert (page["rum_sessions"], page["session_replay"], page["defined_properties"]) == pytest.approx(
        (925_000, 300_000, 150_000))
    # clickpath: 3 actions x 96 runs a day x 2 locations x 31 days; HTTP: 1,440 x 3 x 0.10 x 31
    assert (page["synthetic_clickpath"], page["synthetic_http"]) == pytest.approx((17_856, 13_392))
    assert page_view.month_total == pytest.approx(1_406_248)


def test_the_month_has_its_real_length():
    scenario = load_scenario()
    inputs = dem.inputs_of(scenario)
    february = dem.dem_view(scenario, dataclasses.replace(inputs, month=pd.Period("2027-02", "M")))
    clickpath = february.by_source.set_index("driver").loc["checkout-clickpath", "value"]
    assert clickpath == pytest.approx(3 * 96 * 2 * 28)        # 28 days, not 30
