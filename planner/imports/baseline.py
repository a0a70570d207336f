"""A baseline from what an environment really uses: hosts + billing metrics ->
``hosts.csv``, ``actuals.csv`` and ``scenario.yaml``.

``planner import dynatrace`` reads a live environment (:mod:`planner.imports.dynatrace`);
``planner import files`` reads the same data from exports: the JSON of the
entities call (one page, a list of pages or a list of entities), the metrics
API's CSV (``Accept: text/csv; header=present``) and, optionally, the
``/api/v1/oneagents`` JSON for the host-unit cross-check. Both end in the same
steps, each in its own module with its rules:

* :mod:`planner.imports.window`: the months to import;
* :mod:`planner.imports.metrics`: the billing metrics and what each counts;
* :mod:`planner.imports.payloads`: hosts and daily data points from what the
  API or the exported files return, and their monthly figures and gaps;
* :mod:`planner.imports.translate`: metrics -> drivers and actuals
  (``hosts.csv``, ``actuals.csv``, the scenario's entries);
* :mod:`planner.imports.scenario_yaml`: the ``scenario.yaml`` text;
* :mod:`planner.imports.output`: writing the folder all or nothing.

This module keeps the two entry points, :func:`import_dynatrace` and
:func:`import_files`, and the names callers import from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from planner.imports.errors import BaselineError
from planner.imports.metrics import APP_KINDS, METRICS, Metric
from planner.imports.output import write
from planner.imports.payloads import daily_from_csv, daily_from_series, empty_daily, hosts_from_entities
from planner.imports.tags import with_cost_tags
from planner.imports.translate import Baseline, build
from planner.imports.window import month_start_ms, month_window, to_month

__all__ = ["METRICS", "Metric", "Baseline", "BaselineError", "month_window", "hosts_from_entities", "daily_from_series",
           "daily_from_csv", "build", "write", "import_dynatrace", "import_files"]


def import_dynatrace(url: str, token: Any, out: str | Path, *, months: int = 12, to: str | None = None,
                     ca_bundle: str | None = None, force: bool = False,
                     progress: Callable[[str], None] | None = None, **client_options: Any) -> Baseline:
    """Read hosts and billing metrics from an environment and write the baseline.

    Parameters
    ----------
    url : environment URL; token : :class:`planner.imports.dynatrace.Secret`;
    out : the folder to create; months, to : the window (:func:`month_window`);
    ca_bundle : PEM file for TLS; client_options : passed to
    :class:`planner.imports.dynatrace.Client` (retry bounds, timeout).
    """
    from planner.imports.dynatrace import Client, MetricRefused
    say = progress or (lambda _line: None)
    window = month_window(to, months)
    if Path(out).exists() and not force:             # fail before any network traffic
        raise BaselineError(f"{out} exists; add --force-out to replace it")
    start, end = month_start_ms(window[0]), month_start_ms(window[-1] + 1)
    with Client(url, token, ca_bundle=ca_bundle, progress=say, **client_options) as client:
        say(f"reading hosts seen in {window[0]} to {window[-1]} from {client.source}")
        entities = client.hosts(start, end)
        host_frame, skipped_hosts = hosts_from_entities(entities, "GET /api/v2/entities")
        host_frame = with_cost_tags(host_frame, entities)   # showback tags, where hosts have them
        frames, skipped = [], []
        for i, (key, metric) in enumerate(METRICS.items(), start=1):
            try:
                series = client.metric(key, start, end, names=metric.kind in APP_KINDS)
            except MetricRefused as refused:
                series = None
                skipped.append((key, f"refused by the server ({refused})"))
            else:
                if series is None:
                    skipped.append((key, "not found (HTTP 404)"))
            if series is not None:
                daily = daily_from_series(key, series, f"GET /api/v2/metrics/query ({key})")
                if daily.empty:
                    skipped.append((key, "no data points"))
                frames.append(daily)
            say(f"metrics: {i}/{len(METRICS)} fetched ({key})")
        consumed = client.consumed_host_units()
        if consumed is None:
            skipped.append(("/api/v1/oneagents consumedHostUnits",
                            "not readable (needs scope oneAgents.read); no host-unit cross-check"))
    daily = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) \
        else empty_daily()
    baseline = build(host_frame, daily, window, source=client.source, skipped_metrics=skipped,
                     skipped_hosts=skipped_hosts, consumed=consumed)
    baseline.written = write(baseline, out, force=force)
    return baseline


def import_files(hosts_json: str | Path, metrics_csv: Iterable[str | Path], out: str | Path, *,
                 oneagents_json: str | Path | None = None, months: int | None = None, to: str | None = None,
                 force: bool = False, progress: Callable[[str], None] | None = None) -> Baseline:
    """The same import from exports: the entities call's JSON (one page, a list
    of pages or a list of entities) and the metrics API's CSV files. Without
    ``to`` the window ends with the last month in the CSV; without ``months`` it
    starts with the first."""
    say = progress or (lambda _line: None)
    if Path(out).exists() and not force:
        raise BaselineError(f"{out} exists; add --force-out to replace it")
    entities = _entities_file(hosts_json)
    host_frame, skipped_hosts = hosts_from_entities(entities, str(hosts_json))
    host_frame = with_cost_tags(host_frame, entities)   # showback tags, where hosts have them
    say(f"read {len(entities)} entities from {hosts_json}")
    frames, unknown = [], []
    for path in metrics_csv:
        daily, others = daily_from_csv(path)
        frames.append(daily)
        unknown += others
        say(f"read {len(daily)} data points from {path}")
    daily = pd.concat(frames, ignore_index=True) if frames else empty_daily()
    if daily.empty:
        raise BaselineError(f"{', '.join(map(str, metrics_csv))}: no data points of the billing metrics")
    last = pd.PeriodIndex(daily["day"]).asfreq("M").max()
    first = pd.PeriodIndex(daily["day"]).asfreq("M").min()
    end = to_month(to) if to else last
    count = months if months is not None else max(1, (end - first).n + 1)
    window = month_window(str(end), count, today=(end + 1).start_time)
    present = set(daily["metric"])
    skipped = [(key, "not in the files") for key in METRICS if key not in present]
    skipped += [(metric_id, "not a metric the import uses") for metric_id in sorted(set(unknown))]
    consumed = _consumed_file(oneagents_json) if oneagents_json else None
    baseline = build(host_frame, daily, window, source=Path(hosts_json).name, skipped_metrics=skipped,
                     skipped_hosts=skipped_hosts, consumed=consumed)
    baseline.written = write(baseline, out, force=force)
    return baseline


def _load_json(path: str | Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: not valid JSON ({exc.__class__.__name__}: {exc})") from None


def _entities_file(path: str | Path) -> list[dict[str, Any]]:
    data = _load_json(path)
    pages = data if isinstance(data, list) and data and isinstance(data[0], dict) and "entities" in data[0] \
        else [data] if isinstance(data, dict) else None
    if pages is None:
        if isinstance(data, list):
            return data
        raise BaselineError(f"{path}: expected the entities call's JSON (an object with 'entities')")
    out = []
    for i, page in enumerate(pages):
        if not isinstance(page, dict) or not isinstance(page.get("entities"), list):
            raise BaselineError(f"{path}: page {i} has no list 'entities'")
        out += page["entities"]
    return out


def _consumed_file(path: str | Path) -> dict[str, float]:
    data = _load_json(path)
    pages = data if isinstance(data, list) else [data]
    out = {}
    for page in pages:
        if not isinstance(page, dict) or not isinstance(page.get("hosts"), list):
            raise BaselineError(f"{path}: expected the /api/v1/oneagents JSON (an object with 'hosts')")
        for host in page["hosts"]:
            info = (host or {}).get("hostInfo") or {}
            if info.get("entityId") and isinstance(info.get("consumedHostUnits"), (int, float)):
                out[info["entityId"]] = float(info["consumedHostUnits"])
    return out
