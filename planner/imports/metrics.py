"""The classic billing metrics an import reads, and what each counts.

Metric sources ("Built-in classic metrics",
https://docs.dynatrace.com/docs/shortlink/built-in-metrics, section "Billing"):

* ``builtin:billing.ddu.{metrics,log,events,traces,serverless}.total``: DDU of
  each pool, summed over all entities (no unit column: DDU).
* ``builtin:billing.apps.web.sessionsWithReplayByApplication`` and
  ``...web.sessionsWithoutReplayByApplication``: sessions with / without
  Session Replay, "billed and unbilled; to get only the number of billed
  sessions, set the Type filter to Billed".
* ``builtin:billing.apps.mobile.sessionsWithReplayByApplication``: mobile
  sessions with replay; ``...mobile.sessionsWithoutReplayByApplication``: "the
  total number of ... user sessions (with and without Session Replay data)", so
  mobile sessions without replay = that total - the replay sessions.
* ``builtin:billing.apps.custom.sessionsWithoutReplayByApplication``: "the
  number of billed and unbilled user sessions" of custom applications (they
  have no Session Replay), weighed as a Real User Monitoring Session (the
  Supplement's table names web and mobile sessions; planner's choice).
* ``builtin:billing.apps.web.userActionPropertiesByApplication``,
  ``...mobile.userActionPropertiesByMobileApplication`` and
  ``...custom.userActionPropertiesByDeviceApplication``: "the number of billed
  user action and user session properties" (those above the free 20).
* The per-application metrics (:data:`APP_KINDS`) are asked for with the
  ``:names`` transformation ("Metrics API - Metric selector"), which adds
  ``dt.entity.<type>.name`` beside each application's id; the scenario's RUM
  entries carry those names.
* ``builtin:billing.synthetic.actions`` (browser monitors), ``.requests`` (HTTP
  monitors), ``.external`` (third-party results): counts.
* ``builtin:billing.log.{ingest,query,retain}.usage``: Grail Log Management and
  Analytics, bytes ingested / read within the hour, and bytes stored (averaged).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Metric", "METRICS", "APP_KINDS"]


@dataclass(frozen=True)
class Metric:
    """One classic billing metric: what it counts and where it goes."""

    key: str
    kind: str            # ddu | replay | plain | all_sessions | properties | synthetic | grail
    what: str            # capability or sub-kind


METRICS: dict[str, Metric] = {m.key: m for m in (
    Metric("builtin:billing.ddu.metrics.total", "ddu", "custom_metrics"),
    Metric("builtin:billing.ddu.log.total", "ddu", "log_monitoring"),
    Metric("builtin:billing.ddu.events.total", "ddu", "custom_events"),
    Metric("builtin:billing.ddu.traces.total", "ddu", "custom_traces"),
    Metric("builtin:billing.ddu.serverless.total", "ddu", "serverless"),
    Metric("builtin:billing.apps.web.sessionsWithReplayByApplication", "replay", "web"),
    Metric("builtin:billing.apps.web.sessionsWithoutReplayByApplication", "plain", "web"),
    Metric("builtin:billing.apps.mobile.sessionsWithReplayByApplication", "replay", "mobile"),
    Metric("builtin:billing.apps.mobile.sessionsWithoutReplayByApplication", "all_sessions", "mobile"),
    Metric("builtin:billing.apps.web.userActionPropertiesByApplication", "properties", "web"),
    Metric("builtin:billing.apps.mobile.userActionPropertiesByMobileApplication", "properties", "mobile"),
    Metric("builtin:billing.apps.custom.sessionsWithoutReplayByApplication", "plain", "custom"),
    Metric("builtin:billing.apps.custom.userActionPropertiesByDeviceApplication", "properties", "custom"),
    Metric("builtin:billing.synthetic.actions", "synthetic", "browser"),
    Metric("builtin:billing.synthetic.requests", "synthetic", "http"),
    Metric("builtin:billing.synthetic.external", "synthetic", "third_party"),
    Metric("builtin:billing.log.ingest.usage", "grail", "ingest"),
    Metric("builtin:billing.log.query.usage", "grail", "query"),
    Metric("builtin:billing.log.retain.usage", "grail", "retain"),
)}
#: Metric kinds counted per application: queried with the ``:names`` transformation.
APP_KINDS = ("replay", "plain", "all_sessions", "properties")
