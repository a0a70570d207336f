"""Faces agree on the Grail page: the monthly DDU with the logs bucket's
retention raised to 90 days from July 2027 is the same on the page, in the
Python API and in ``planner forecast``."""

import pandas as pd
import pytest

from faces_cli import CLI_ROUNDING, cli_forecast
from planner.engine import forecast
from planner.model import SetValues
from planner.scenario import load_scenario
from planner.ui.pages import ddu_grail

GRAIL = ("log_management_ingest", "log_management_retain", "log_management_query",
         "business_events_ingest", "business_events_retain")   # bizevents are not queried


@pytest.fixture(scope="module")
def page_view():
    scenario = load_scenario()
    inputs = ddu_grail.inputs_of(scenario, new_retention_days=90, change_month=6)
    assert (inputs.bucket, inputs.change) == ("logs", pd.Timestamp("2027-07-01"))
    return ddu_grail.grail_view(scenario, inputs)


def _wide(table):
    rows = table[table["unit"] == "ddu"].copy()
    rows["month"] = rows["month"].astype(str)
    return rows.pivot(index="month", columns="capability", values="value")[list(GRAIL)]


def test_monthly_ddu_at_90_day_retention_agrees_with_the_api_and_the_cli(page_view, tmp_path):
    base = load_scenario()
    api = _wide(forecast(base.with_changes(SetValues(pd.Timestamp("2027-07-01"), "logs", {"retention_days": 90})))
                .monthly(("unit", "capability")))
    cli = _wide(cli_forecast(tmp_path, "  - date: 2027-07-01\n    set: {driver: logs, retention_days: 90}\n"))
    page = page_view.monthly[list(GRAIL)].copy()
    page.index = page.index.astype(str)
    pd.testing.assert_frame_equal(page, api, check_names=False, rtol=1e-12)
    pd.testing.assert_frame_equal(page, cli, check_names=False, rtol=0, atol=CLI_ROUNDING)
    # January 2027, logs: 500 GB x 31 days x 100 DDU; a full 35-day store of 17,500 GB x 31 days x 0.30;
    # 25,000 GB queried x 1.70
    assert page.loc["2027-01", ["log_management_ingest", "log_management_retain",
                                "log_management_query"]].tolist() == pytest.approx([1_550_000, 162_750, 42_500])
