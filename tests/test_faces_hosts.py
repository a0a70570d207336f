"""Faces agree on the hosts page: moving 100 web hosts to infrastructure mode on
the first day gives the same year-1 figures on the page, in the Python API and
in ``planner forecast``."""

import pandas as pd
import pytest

from faces_cli import CLI_ROUNDING, cli_forecast
from planner.engine import forecast
from planner.model import MoveHosts
from planner.scenario import load_scenario
from planner.ui.pages import hosts

MOVED = 100


@pytest.fixture(scope="module")
def page_view():
    estate = hosts.scenario_estate(load_scenario())
    return hosts.move_view(estate, hosts.HostsInputs("web", MOVED))


def _year_one(table, group="web"):
    rows = table[(table["contract_year"] == 1) & (table["driver"] == group)]
    return rows.set_index("unit")["value"]


def test_year_one_after_moving_100_hosts_agrees_with_the_api_and_the_cli(page_view, tmp_path):
    base = load_scenario()
    api = _year_one(forecast(base.with_changes(MoveHosts(base.start, "web", MOVED, {"mode": "infrastructure"})))
                    .yearly(("unit", "driver")))
    cli = _year_one(cli_forecast(tmp_path, "  - date: 2027-01-01\n    move_hosts: {from: web, count: 100, "
                                           "mode: infrastructure}\n", period="year", by="driver"))
    page = pd.Series(page_view.group_year)
    for unit in ("host_units", "host_unit_hours", "ddu"):
        assert page[unit] == pytest.approx(api[unit], rel=1e-12)
        assert page[unit] == pytest.approx(cli[unit], rel=0, abs=CLI_ROUNDING)
    # peak host units in year 1: (20 x 1.0 full-stack + 100 x 0.3 infrastructure) x 1.01^11 (December)
    assert page["host_units"] == pytest.approx(50 * 1.01 ** 11)


def test_year_one_without_a_move_is_the_estate_forecast(page_view):
    days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    growth = sum(d * 1.01 ** k for k, d in enumerate(days))       # host-days per host over 2027
    # 120 web hosts report 1,200 metrics/min of which 1,000 are included: 200 x 1,440 min x 0.001 DDU
    assert page_view.group_base["ddu"] == pytest.approx(120 * 288 * growth)
    # after the move: 20 x 288 + 100 x (1,200 - 200) x 1,440 x 0.001 DDU a day, same growth
    assert page_view.group_year["ddu"] == pytest.approx((20 * 288 + 100 * 1440) * growth)
    assert page_view.group_base["host_units"] == pytest.approx(120 * 1.01 ** 11)
