"""Digital experience monitoring: RUM, Session Replay, defined properties,
sessions from raw user actions, synthetic monitors.

Reference values: Platform Usage Supplement (effective 2022-11-15), "Digital
Experience Monitoring" worked examples, and docs/rules.md#digital-experience-monitoring-dem-units
worked by hand.
"""

import numpy as np
import pandas as pd
import pytest

from planner import (
    billable_sessions,
    clickpath_actions,
    count_defined_properties,
    http_requests,
    rum_dem,
    sessions_from_actions,
    synthetic_dem,
    third_party_results,
)


def test_defined_properties_supplement_example():
    # Supplement: 100 sessions with 25 defined properties: 100 x (25 - 20) x 0.01 = 5 DEM
    # for the properties; total 30 DEM (100 x 0.25 + 5)
    assert rum_dem(100, properties=25) - rum_dem(100) == 5
    assert rum_dem(100, properties=25) == 30


def test_replay_session_replaces_the_plain_weight():
    # docs/rules.md#replay-session: 1.00 with Session Replay, not 0.25 + 1.00
    assert rum_dem(1000) == 250
    assert rum_dem(1000, replay=True) == 1000
    assert rum_dem(1000, replay=True, properties=21) == 1010    # + 1000 x 1 x 0.01
    assert rum_dem(10, properties=20) == 2.5                     # 20 are free


def test_count_defined_properties_string_length_rule():
    # docs/rules.md#defined-properties: non-string 1; string ceil(len / 100); empty string 1
    assert count_defined_properties([1, 2.5, True]) == 3
    assert count_defined_properties(["", "a", "x" * 100]) == 3
    assert count_defined_properties(["x" * 101, "x" * 200, "x" * 201]) == 2 + 2 + 3
    assert count_defined_properties({"plan": "gold", "note": "y" * 350, "missing": None}) == 1 + 4
    per_session = pd.Series([["a"] * 25, ["b" * 150] * 10], index=["s1", "s2"])
    assert count_defined_properties(per_session).to_dict() == {"s1": 25, "s2": 20}
    assert rum_dem(1, properties=count_defined_properties(per_session)).to_dict() == \
        {"s1": 0.3, "s2": 0.25}


def _actions(*rows):
    return pd.DataFrame(rows, columns=["user", "application", "timestamp"])


def test_sessions_split_on_inactivity_over_30_minutes():
    sessions = sessions_from_actions(_actions(
        ("u1", "shop", "2025-01-01 10:00"),
        ("u1", "shop", "2025-01-01 10:30"),   # gap exactly 30 min: same session
        ("u1", "shop", "2025-01-01 11:00:01"),  # gap 30 min 1 s: new session ...
        ("u1", "shop", "2025-01-01 11:05"),
    ))
    assert sessions["actions"].tolist() == [2, 2]
    assert sessions["billable"].all()


def test_sessions_end_after_60_minutes_of_continuous_interaction():
    # actions every 20 minutes from 10:00: the session that began at 10:00 ends at
    # 11:00, so the 11:00 action opens the next one (10:00-10:40 and 11:00-11:40),
    # and the 12:00 action opens a third, bounced
    stamps = pd.date_range("2025-01-01 10:00", "2025-01-01 12:00", freq="20min")
    sessions = sessions_from_actions(_actions(*[("u", "shop", s) for s in stamps]))
    assert sessions["actions"].tolist() == [3, 3, 1]
    assert sessions["billable"].tolist() == [True, True, False]
    assert str(sessions["start"].iloc[1]) == "2025-01-01 11:00:00"


def test_one_session_per_application_and_bounces_not_billed():
    actions = _actions(
        ("u1", "shop", "2025-01-01 10:00"), ("u1", "shop", "2025-01-01 10:01"),
        ("u1", "app", "2025-01-01 10:00"), ("u1", "app", "2025-01-01 10:02"),   # other app: own session
        ("u2", "shop", "2025-01-01 10:00"),                                       # one action: bounced
        ("u3", "shop", "2025-01-01 09:00"), ("u3", "shop", "2025-01-01 09:10"),
    )
    billable = billable_sessions(actions)
    assert len(billable) == 3
    assert sorted(zip(billable["user"], billable["application"])) == \
        [("u1", "app"), ("u1", "shop"), ("u3", "shop")]
    assert rum_dem(len(billable)) == 0.75


def test_sessions_keep_unsorted_input_and_time_zones():
    actions = _actions(("u", "shop", "2025-01-01 10:10+01:00"), ("u", "shop", "2025-01-01 09:00Z"))
    # 09:10Z and 09:00Z: one session of two actions
    assert sessions_from_actions(actions)["actions"].tolist() == [2]


def test_synthetic_supplement_examples():
    # Supplement: clickpath of 3 actions every 15 minutes from 2 locations for a day:
    # 3 x (60/15) x 2 x 24 = 576 synthetic actions -> 576 DEM
    assert clickpath_actions(3, 15, 2) == 576
    assert synthetic_dem("clickpath", 576) == 576
    # Supplement: 2 locations x 3 steps = 6 third-party results -> 0.6 DEM
    assert third_party_results(2, 3) == 6
    assert synthetic_dem("third_party", 6) == 0.6


def test_synthetic_browser_and_http():
    # a single-URL browser monitor every 5 min from 3 locations for 30 days:
    # 1 x 288 x 3 x 30 = 25,920 actions
    assert clickpath_actions(1, 5, 3, days=30) == 25_920
    assert synthetic_dem("browser", 25_920) == 25_920
    # an HTTP monitor with 2 requests every minute from 1 location for a day:
    # 2 x 1440 = 2880 requests x 0.10 = 288 DEM
    assert http_requests(2, 1, 1) == 2880
    assert synthetic_dem("http", 2880) == 288
    # docs/rules.md#synthetic-runs-per-day: runs per day = 1440 / frequency as is: every 7 min -> 205.714... runs
    assert clickpath_actions(1, 7, 1) == pytest.approx(1440 / 7)


# --- categorical arguments: one value per row -------------------------------------------

def test_synthetic_dem_takes_a_column_of_kinds():
    monitors = pd.DataFrame({"kind": ["http", "clickpath", "third_party", "Browser"],
                             "count": [2880, 576, 6, 10]}, index=["api", "shop", "cdn", "home"])
    # 2880 x 0.10 = 288; 576 x 1.00 = 576; 6 x 0.10 = 0.6; 10 x 1.00 = 10
    result = synthetic_dem(monitors["kind"], monitors["count"])
    assert result.index.equals(monitors.index) and result.tolist() == [288.0, 576.0, 0.6, 10.0]
    assert synthetic_dem(list(monitors["kind"]), 10).tolist() == [1.0, 10.0, 1.0, 10.0]
    assert synthetic_dem(np.array(["http", "browser"]), np.array([10, 10])).tolist() == [1.0, 10.0]
    with pytest.raises(ValueError, match=r"kind must be one of 'browser', 'clickpath', 'http', "
                                         r"'third_party'; got 'ping' at position 2"):
        synthetic_dem(["http", "http", "ping", "api"], [1, 2, 3, 4])


def test_rum_dem_takes_a_column_of_replay_switches():
    sessions = pd.Series([100, 100, 100], index=["web", "app", "shop"])
    replay = pd.Series([False, True, True], index=sessions.index)
    properties = pd.Series([0, 0, 25], index=sessions.index)
    # 100 x 0.25 = 25; 100 x 1.00 = 100; 100 x (1.00 + (25 - 20) x 0.01) = 105
    result = rum_dem(sessions, replay=replay, properties=properties)
    assert result.index.equals(sessions.index) and result.tolist() == [25.0, 100.0, 105.0]
    assert rum_dem([100, 100], replay=np.array([True, False])).tolist() == [100.0, 25.0]
    with pytest.raises(TypeError, match=r"replay must be True or False; got 'yes' at position 1"):
        rum_dem([100, 100], replay=[False, "yes"])


@pytest.mark.parametrize("call, error, message", [
    (lambda: rum_dem(-1), ValueError, r"sessions must be >= 0; got -1\.0"),
    (lambda: rum_dem(10, properties=2.5), ValueError, r"properties must be a whole number"),
    (lambda: rum_dem(10, replay=0.1), TypeError, r"replay must be True or False"),
    (lambda: count_defined_properties("just a string"), TypeError, r"values must be one session's"),
    (lambda: synthetic_dem("ping", 10), ValueError,
     r"kind must be one of 'browser', 'clickpath', 'http', 'third_party'; got 'ping'"),
    (lambda: synthetic_dem("http", -1), ValueError, r"count must be >= 0"),
    (lambda: clickpath_actions(3, 0, 2), ValueError, r"frequency_minutes must be > 0; got 0\.0"),
    (lambda: clickpath_actions(3, 15, 1.5), ValueError, r"locations must be a whole number"),
    (lambda: sessions_from_actions(pd.DataFrame({"user": ["u"], "timestamp": ["2025-01-01"]})),
     ValueError, r"actions is missing column\(s\) \['application'\]"),
    (lambda: sessions_from_actions(pd.DataFrame({"user": ["u"], "application": ["a"],
                                                 "timestamp": ["not a time"]})),
     ValueError, r"column 'timestamp' must hold timestamps"),
    (lambda: sessions_from_actions(pd.DataFrame({"user": [None], "application": ["a"],
                                                 "timestamp": ["2025-01-01"]})),
     ValueError, r"column 'user' is empty in row 0"),
    (lambda: billable_sessions([("u", "a", "2025-01-01")]), TypeError, r"must be a pandas DataFrame"),
])
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
