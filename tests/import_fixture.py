"""Fixture data for the import tests: the documented response shapes of the
Dynatrace entities, metrics and OneAgent APIs, with numbers simple enough to
work out by hand (the arithmetic is in tests/test_import_dynatrace.py).

Months 2026-07 (31 days), 2026-08 (31 days) and 2026-09 (30 days); every daily
data point carries the same value within a month. A daily point's timestamp is
the END of its day (start of the next day, UTC ms), as the metrics API stamps
its time slots ("Metrics API - GET metric data points", Timeframe note).
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd

GIB = 1024 ** 3
MONTHS = ("2026-07", "2026-08", "2026-09")
TOKEN = "dt0c01.FIXTURETOKEN.S3CRET-VALUE-0123456789"

#: three pages of hosts; the last has a host in discovery mode (skipped)
HOST_PAGES = [
    [{"entityId": "HOST-1", "displayName": "web-1", "type": "HOST",
      "properties": {"memoryTotal": 16 * GIB, "monitoringMode": "FULL_STACK"}},
     {"entityId": "HOST-2", "displayName": "web-2", "type": "HOST",
      "properties": {"memoryTotal": 8 * GIB, "monitoringMode": "FULL_STACK"}}],
    [{"entityId": "HOST-3", "displayName": "db-1", "type": "HOST",
      "properties": {"memoryTotal": 64 * GIB, "monitoringMode": "FULL_STACK"}},
     {"entityId": "HOST-4", "displayName": "app-1", "type": "HOST",
      "properties": {"memoryTotal": 32 * GIB, "monitoringMode": "INFRASTRUCTURE"}}],
    [{"entityId": "HOST-5", "displayName": "app-2", "type": "HOST",
      "properties": {"memoryTotal": 100 * GIB, "monitoringMode": "INFRASTRUCTURE"}},
     {"entityId": "HOST-6", "displayName": "printer", "type": "HOST",
      "properties": {"monitoringMode": "DISCOVERY"}}],
]

APP = {"dt.entity.application": "APPLICATION-1", "dt.entity.application.name": "shop"}
MOBILE = {"dt.entity.mobile_application": "MOBILE_APPLICATION-1"}

#: metric -> list of (dimensions, per-day value in each month); None = 404
METRIC_DAYS: dict[str, list[tuple[dict, tuple[float, float, float]]] | None] = {
    "builtin:billing.ddu.metrics.total": [({}, (10, 10, 10))],
    "builtin:billing.ddu.log.total": [({}, (100, 110, 121))],
    "builtin:billing.ddu.events.total": [({}, (5, 5, 5))],
    "builtin:billing.ddu.traces.total": [],                       # empty result
    "builtin:billing.ddu.serverless.total": None,                 # 404
    "builtin:billing.apps.web.sessionsWithReplayByApplication": [
        ({**APP, "Type": "Billed"}, (40, 40, 40)), ({**APP, "Type": "Unbilled"}, (20, 20, 20))],
    "builtin:billing.apps.web.sessionsWithoutReplayByApplication": [
        ({**APP, "Type": "Billed"}, (300, 300, 300))],
    "builtin:billing.apps.mobile.sessionsWithReplayByApplication": [(MOBILE, (2, 2, 2))],
    "builtin:billing.apps.mobile.sessionsWithoutReplayByApplication": [(MOBILE, (22, 22, 22))],
    "builtin:billing.apps.web.userActionPropertiesByApplication": [(APP, (1700, 1700, 1700))],
    "builtin:billing.apps.mobile.userActionPropertiesByMobileApplication": [],
    "builtin:billing.synthetic.actions": [({}, (100, 100, 100))],
    "builtin:billing.synthetic.requests": [({}, (1000, 1000, 1000))],
    "builtin:billing.synthetic.external": None,
    "builtin:billing.log.ingest.usage": [({}, (1e9, 1e9, 1e9))],
    "builtin:billing.log.query.usage": [({}, (1e9, 1e9, 1e9))],
    "builtin:billing.log.retain.usage": [({}, (35e9, 35e9, 35e9))],
}

#: Dynatrace's own host units (OneAgent on a host API); db-1 differs (planner: 4)
ONEAGENTS = {"hosts": [{"hostInfo": {"entityId": "HOST-1", "displayName": "web-1", "consumedHostUnits": 1.0}},
                       {"hostInfo": {"entityId": "HOST-3", "displayName": "db-1", "consumedHostUnits": 2.0}}],
             "totalResults": 2}


def days() -> pd.DatetimeIndex:
    return pd.date_range("2026-07-01", "2026-09-30", freq="D")


def _points(per_month: tuple[float, float, float]) -> tuple[list[int], list[float]]:
    stamps, values = [], []
    for day in days():
        stamps.append(int((day + pd.Timedelta(days=1)).value // 1_000_000))   # end of the day
        values.append(per_month[MONTHS.index(str(day.to_period("M")))])
    return stamps, values


def metric_body(key: str) -> dict:
    """The documented MetricData JSON of one metric, daily resolution."""
    data = []
    for dims, per_month in METRIC_DAYS[key] or []:
        stamps, values = _points(per_month)
        data.append({"dimensions": list(dims.values()), "dimensionMap": dims,
                     "timestamps": stamps, "values": values})
    return {"totalCount": len(data), "nextPageKey": None, "resolution": "1d",
            "result": [{"metricId": key, "dataPointCountRatio": 0.0001, "dimensionCountRatio": 0.0001,
                        "data": data}]}


def entities_page(i: int) -> dict:
    body = {"totalCount": sum(map(len, HOST_PAGES)), "pageSize": 2, "entities": HOST_PAGES[i]}
    if i + 1 < len(HOST_PAGES):
        body["nextPageKey"] = f"PAGE-{i + 2}"
    return body


def metrics_csv() -> str:
    """Every metric as the metrics API's CSV (Accept: text/csv; header=present)."""
    dims = sorted({k for rows in METRIC_DAYS.values() for d, _ in rows or [] for k in d})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["metricId", *dims, "time", "value"])
    for key, rows in METRIC_DAYS.items():
        for d, per_month in rows or []:
            stamps, values = _points(per_month)
            for stamp, value in zip(stamps, values):
                time = pd.Timestamp(stamp, unit="ms").strftime("%Y-%m-%d %H:%M:%S")
                writer.writerow([key, *(d.get(k, "") for k in dims), time, repr(float(value))])
    return out.getvalue()


def hosts_json() -> str:
    return json.dumps([entities_page(i) for i in range(len(HOST_PAGES))])
