"""Faces agree on the support page: its deadlines are planner.support's for the same ticket."""

import datetime as dt

from planner import support as policy
from planner.ui.kit import format as fmt
from planner.ui.pages import support


def test_page_deadlines_are_the_policy_functions():
    ticket = support.Ticket(dt.datetime(2025, 3, 10, 15, 0), 2, "Europe/Vienna", "AT", "9", (dt.date(2025, 3, 11),))
    view = support.ticket_view(ticket)
    for row in view.deadlines.itertuples():
        assert row.deadline == policy.response_deadline("2025-03-10 15:00", 2, row.plan, tz="Europe/Vienna",
                                                        country="AT", subdiv="9", closures=[dt.date(2025, 3, 11)])
    page = support.dashboard(dt.datetime(2025, 3, 10, 15, 0), severity=2)
    page.find("ctl-subdivision").value = "9"
    page.find("ctl-closures").value = "2025-03-11"
    shown = page.find("kpi-standard-deadline").shown
    # Next business day: the 11th is closed, so the close of Wednesday the 12th
    assert shown == fmt.timestamp(view.deadlines.set_index("plan").loc["standard", "deadline"]) == \
        "Wed 2025-03-12 17:00 CET"
