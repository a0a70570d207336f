"""Davis data units: log monitoring, traces, events, serverless, Grail.

Reference values are the worked examples of the Platform Usage Supplement
(effective 2022-11-15), "Extending Dynatrace Data Collection and Analytics",
recomputed from the document's own inputs, and hand-worked cases from
docs/rules.md#davis-data-units-ddu.
"""

import numpy as np
import pandas as pd
import pytest

from planner import (
    custom_event_ddu,
    custom_trace_ddu,
    grail_ddu,
    grail_stored_gb,
    log_monitoring_ddu,
    serverless_ddu,
)


def test_log_monitoring_supplement_example():
    # Supplement: 60 GB a month = 60,000,000 events x 0.0005 = 30,000 DDU; x 12 = 360,000
    assert log_monitoring_ddu(gb=60) == 30_000
    assert log_monitoring_ddu(60_000_000) == 30_000
    assert log_monitoring_ddu(gb=60) * 12 == 360_000


def test_log_monitoring_events_per_gb_is_configurable():
    # an average event of 2 kB: 500,000 events per GB -> 60 GB = 15,000 DDU
    assert log_monitoring_ddu(gb=60, events_per_gb=500_000) == 15_000


def test_custom_traces_supplement_example():
    # Supplement: 1,000,000 calls x 10 spans x 0.0007 = 7,000 DDU a month, 84,000 a year
    assert custom_trace_ddu(1_000_000 * 10) == 7_000
    assert custom_trace_ddu(1_000_000 * 10) * 12 == 84_000


def test_custom_events_supplement_example_and_billed_kinds():
    # Supplement: 1,000,000 Kubernetes events x 0.001 = 1,000 DDU a month, 12,000 a year
    assert custom_event_ddu(1_000_000) == 1_000
    assert custom_event_ddu(1_000_000, kind="log") == 1_000
    # "Currently, only Kubernetes events and events created from log messages are billed"
    assert custom_event_ddu(1_000_000, kind="external") == 0


def test_serverless_supplement_example():
    # Supplement: 1,000,000 invocations x 0.002 = 2,000 DDU a month, 24,000 a year
    assert serverless_ddu(1_000_000) == 2_000
    # on a OneAgent-monitored platform host the invocations are included
    assert serverless_ddu(1_000_000, on_oneagent_host=True) == 0


def test_grail_supplement_examples():
    # Ingest & Process: 500 GB a day x 100 x 30 days = 1,500,000 DDU
    assert grail_ddu(ingest_gb=500 * 30) == 1_500_000
    # Retain: 900 GB a day x 35 days x 0.30 x 30 days = 283,500 DDU. The Supplement
    # prints 283,000, which does not follow from its own inputs.
    assert grail_ddu(retained_gb_days=900 * 35 * 30) == 283_500
    # Query: 25,000 GB x 1.70 = 42,500 DDU
    assert grail_ddu(query_gb=25_000) == 42_500
    # Business Events carries the same weights, billed on its own
    assert grail_ddu(10, 100, 10, capability="business_events") == 10 * 100 + 100 * 0.3 + 10 * 1.7


def test_grail_ddu_adds_the_three_dimensions():
    # 2 GB in (200) + 60 GB-days kept (18) + 10 GB read (17) = 235 DDU
    assert grail_ddu(2, 60, 10) == 235.0
    ingest = pd.Series([1.0, 2.0], index=["jan", "feb"])
    assert grail_ddu(ingest).to_dict() == {"jan": 100.0, "feb": 200.0}


def days(n, start="2025-01-01"):
    return pd.date_range(start, periods=n, freq="D")


def test_grail_store_fills_over_the_retention_window():
    stored = grail_stored_gb(pd.Series(10.0, index=days(6)), 3)
    assert stored.tolist() == [10, 20, 30, 30, 30, 30]   # steady state 10 GB x 3 days


def test_grail_store_steady_state_is_daily_times_retention():
    stored = grail_stored_gb(pd.Series(900.0, index=days(60)), 35)
    assert stored.iloc[34] == 900 * 35 and stored.iloc[-1] == 900 * 35
    assert stored.iloc[33] == 900 * 34                     # one day short of full


def test_grail_store_follows_a_volume_change():
    # 10 GB a day, then 20 from day 4 (index 3), retention 3: the store moves from
    # 30 to 60 over the window: 10+10+20, 10+20+20, 20+20+20
    volume = pd.Series([10.0, 10, 10, 20, 20, 20, 20], index=days(7))
    assert grail_stored_gb(volume, 3).tolist() == [10, 20, 30, 40, 50, 60, 60]


def test_grail_store_after_a_retention_raise_fills_and_a_cut_drains_at_once():
    # 10 GB a day. Retention 3, raised to 5 on day index 4, cut to 2 on index 6.
    # index 3: days 1-3 = 30; index 4: day 0 already deleted, days 1-4 = 40;
    # index 5: days 1-5 = 50; index 6: only days 5-6 = 20
    retention = pd.Series([3, 3, 3, 3, 5, 5, 2, 2], index=days(8))
    stored = grail_stored_gb(pd.Series(10.0, index=days(8)), retention)
    assert stored.tolist() == [10, 20, 30, 30, 40, 50, 20, 20]


def test_grail_retain_of_a_month_is_the_sum_of_its_days():
    # 100 GB a day from 2025-01-01, retention 35: January stores 100, 200, ... 3100
    # -> sum = 100 x (31 x 32 / 2) = 49,600 GB-days -> 0.30 x 49,600 = 14,880 DDU
    stored = grail_stored_gb(pd.Series(100.0, index=days(59)), 35)
    january = stored["2025-01"].sum()
    assert january == 49_600
    assert grail_ddu(retained_gb_days=january) == 14_880
    # February (28 days): 1 Feb holds 3,200, 4 Feb reaches 3,500 and stays
    # -> 3200 + 3300 + 3400 + 25 x 3500 = 97,400 GB-days
    assert stored["2025-02"].sum() == 97_400


def test_grail_store_with_a_plain_index():
    assert grail_stored_gb(pd.Series([5.0, 5.0, 5.0]), 2).tolist() == [5, 10, 10]


# --- categorical arguments: one value per row -------------------------------------------

def test_custom_event_ddu_takes_a_column_of_kinds():
    events = pd.DataFrame({"kind": ["kubernetes", "external", "log", "Kubernetes"],
                           "count": [1_000_000, 1_000_000, 2000, 10]}, index=list("abcd"))
    # 1,000,000 x 0.001 = 1,000; external events are not billed: 0; 2,000 x 0.001 = 2; 10 x 0.001
    result = custom_event_ddu(events["count"], kind=events["kind"])
    assert result.index.equals(events.index) and result.tolist() == [1000.0, 0.0, 2.0, 0.01]
    assert custom_event_ddu(1000, kind=["log", "external"]).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match=r"kind must be one of 'kubernetes', 'external', 'log'; "
                                         r"got 'k8s' at position 2"):
        custom_event_ddu([1, 1, 1], kind=np.array(["log", "log", "k8s"]))


def test_serverless_ddu_takes_a_column_of_on_oneagent_host():
    # 1,000,000 x 0.002 = 2,000 DDU; on a OneAgent host: included, 0
    assert serverless_ddu([1_000_000, 1_000_000], on_oneagent_host=[False, True]).tolist() == [2000.0, 0.0]
    hosted = pd.Series([True, False], index=["lambda", "azure"])
    assert serverless_ddu(500, on_oneagent_host=hosted).to_dict() == {"lambda": 0.0, "azure": 1.0}
    with pytest.raises(TypeError, match=r"on_oneagent_host must be True or False; got 1 at position 0"):
        serverless_ddu([1, 1], on_oneagent_host=[1, 0])


def test_grail_ddu_takes_a_column_of_capabilities():
    usage = pd.DataFrame({"capability": ["log_management", "business_events"], "ingest_gb": [10, 1],
                          "retained_gb_days": [100, 0], "query_gb": [0, 10]}, index=["logs", "bizevents"])
    # logs: 10 x 100 + 100 x 0.30 = 1,030; business events: 1 x 100 + 10 x 1.70 = 117
    result = grail_ddu(usage["ingest_gb"], usage["retained_gb_days"], usage["query_gb"],
                       capability=usage["capability"])
    assert result.to_dict() == {"logs": 1030.0, "bizevents": 117.0}
    with pytest.raises(ValueError, match=r"capability must be one of 'log_management', 'business_events'; "
                                         r"got 'metrics' at position 1 \(index 'b'\)"):
        grail_ddu(1, capability=pd.Series(["log_management", "metrics"], index=["a", "b"]))


@pytest.mark.parametrize("call, error, message", [
    (lambda: log_monitoring_ddu(), ValueError, r"exactly one of events=\.\.\. .* or gb=\.\.\."),
    (lambda: log_monitoring_ddu(10, gb=1), ValueError, r"exactly one of"),
    (lambda: log_monitoring_ddu(gb=-1), ValueError, r"gb must be >= 0; got -1\.0"),
    (lambda: log_monitoring_ddu(gb=1, events_per_gb=0), ValueError, r"events_per_gb must be a number > 0"),
    (lambda: custom_trace_ddu(2.5), ValueError, r"spans must be a whole number; got 2\.5"),
    (lambda: custom_event_ddu(10, kind="audit"), ValueError,
     r"kind must be one of 'kubernetes', 'external', 'log'; got 'audit'"),
    (lambda: serverless_ddu(np.nan), ValueError, r"invocations must be finite"),
    (lambda: serverless_ddu(10, on_oneagent_host="no"), TypeError, r"on_oneagent_host must be True or False"),
    (lambda: grail_ddu(capability="metrics"), ValueError,
     r"capability must be one of 'log_management', 'business_events'; got 'metrics'"),
    (lambda: grail_ddu(query_gb=-3), ValueError, r"query_gb must be >= 0"),
    (lambda: grail_stored_gb([1, 2], 3), TypeError, r"daily_gb must be a pandas Series"),
    (lambda: grail_stored_gb(pd.Series(1.0, index=days(3)), 0), ValueError,
     r"retention_days must be >= 1; got 0"),
    (lambda: grail_stored_gb(pd.Series(1.0, index=days(3)), 2.5), ValueError,
     r"retention_days must be a whole number"),
    (lambda: grail_stored_gb(pd.Series(1.0, index=pd.to_datetime(["2025-01-01", "2025-01-03"])), 2),
     ValueError, r"consecutive days; the step before 2025-01-03"),
    (lambda: grail_stored_gb(pd.Series([1.0, -1.0], index=days(2)), 2), ValueError,
     r"daily_gb must be >= 0; got -1\.0 at index Timestamp\('2025-01-02"),
])
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
