"""Davis data units (DDU): log monitoring, custom traces, custom events,
serverless functions, and Grail (Log Management and Analytics, Business Events).

Rules (Dynatrace Platform Usage Supplement, effective 2022-11-15, section
"Extending Dynatrace Data Collection and Analytics", DDU Weighting Table; read as
in docs/rules.md#davis-data-units-ddu). Custom metrics live in
:mod:`planner.hosts` because their allowance depends on the host.

* Log Monitoring (classic): 0.0005 per log event; where only volume is known,
  1 GB = 1,000,000 events (configurable).
* Custom traces: 0.0007 per span ingested through the trace API; spans captured
  by OneAgent cost nothing.
* Custom events: 0.001 per event; only Kubernetes events and events created
  from log messages are billed (configurable list).
* Serverless: 0.002 per invocation, except on a platform host that OneAgent
  monitors with host units (included).
* Grail, each capability on its own: ingest & process 100 per GB ingested,
  retain 0.30 per GB stored per day, query 1.70 per GB read. The store on a day
  holds the processed GB of the days still inside the retention window, so after
  a retention or volume change it fills or drains over the window.

Categorical arguments (``kind``, ``capability``) and switches
(``on_oneagent_host``) take one value or one per row, aligned with the numeric
arguments.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planner import _checks
from planner.tableset import TableSet, resolve

__all__ = [
    "GRAIL_CAPABILITIES", "log_monitoring_ddu", "custom_trace_ddu", "custom_event_ddu",
    "serverless_ddu", "grail_ddu", "grail_stored_gb",
]

#: Grail capabilities billed each on its own (rows of table ``ddu_weights``).
GRAIL_CAPABILITIES = ("log_management", "business_events")
_GRAIL_DIMENSIONS = ("ingest", "retain", "query")


def _decimals(t: TableSet) -> int:
    """Removes binary noise such as 0.30000000000000004 (docs/rules.md#rounding)."""
    return int(t.rule("result_decimals"))


def _weighted(name: str, value: Any, weight: Any, t: TableSet, *, integer: bool = False,
              **categories: tuple[np.ndarray, Any, bool]) -> Any:
    """``value x weight`` rounded; ``weight`` is a number, or an array indexed by
    the codes of the one categorical argument in ``categories``."""
    named = {name: _checks.numbers_in(name, value, integer=integer), **categories}
    (arr, *codes), shape = _checks.broadcast(**named)
    factor = np.asarray(weight)[codes[0]] if codes else weight
    return shape(np.round(arr * factor, _decimals(t)))


def log_monitoring_ddu(events: Any = None, *, gb: Any = None, events_per_gb: float | None = None,
                       tables: TableSet | None = None) -> Any:
    """DDU of Log Monitoring (classic), from log events or from volume.

    Parameters
    ----------
    events : float, array-like or pandas.Series, optional
        Log events (lines or messages) ingested.
    gb : float, array-like or pandas.Series, optional
        Volume ingested [GB], when the event count is not known. Give exactly one
        of ``events`` and ``gb``.
    events_per_gb : float, optional
        Events per GB; the table's ``log_events_per_gb`` (1,000,000) by default.

    Returns
    -------
    [DDU] at 0.0005 per event.

    Examples
    --------
    >>> log_monitoring_ddu(gb=60)          # Supplement: 60 GB a month
    30000.0
    """
    t = resolve(tables)
    if (events is None) == (gb is None):
        raise ValueError("give exactly one of events=... (log events) or gb=... (GB ingested)")
    weight = t.weight("ddu_weights", "log_monitoring")
    if events is not None:
        return _weighted("events", events, weight, t)
    per_gb = t.rule("log_events_per_gb") if events_per_gb is None else events_per_gb
    if not (_checks.is_real_number(per_gb) and np.isfinite(per_gb) and per_gb > 0):
        raise ValueError(f"events_per_gb must be a number > 0 [events/GB]; got {per_gb!r}")
    return _weighted("gb", gb, weight * per_gb, t)


def custom_trace_ddu(spans: Any, *, tables: TableSet | None = None) -> Any:
    """DDU of spans ingested through the trace API (OneAgent spans cost nothing).

    Examples
    --------
    >>> custom_trace_ddu(1_000_000 * 10)   # Supplement: 1 M API calls x 10 spans
    7000.0
    """
    t = resolve(tables)
    return _weighted("spans", spans, t.weight("ddu_weights", "custom_trace"), t, integer=True)


def custom_event_ddu(events: Any, *, kind: Any = "kubernetes",
                     tables: TableSet | None = None) -> Any:
    """DDU of custom events of one kind.

    Parameters
    ----------
    events : float, array-like or pandas.Series
        Custom events ingested.
    kind : {'kubernetes', 'external', 'log'}, array-like or pandas.Series
        Only the kinds in the table's ``billed_custom_event_kinds`` (Kubernetes
        events and events created from log messages) are billed; others give 0.
        One kind (default 'kubernetes'), or one per row aligned with ``events``.

    Examples
    --------
    >>> custom_event_ddu(1_000_000)        # Supplement: 1 M Kubernetes events
    1000.0
    >>> custom_event_ddu([1000, 1000, 1000], kind=["kubernetes", "external", "log"])
    array([1., 0., 1.])
    """
    t = resolve(tables)
    kinds = tuple(t.rule("custom_event_kinds"))
    billed = t.rule("billed_custom_event_kinds")
    weights = [t.weight("ddu_weights", "custom_event") if k in billed else 0.0 for k in kinds]
    return _weighted("events", events, weights, t, integer=True,
                     kind=_checks.categories_in("kind", kind, kinds))


def serverless_ddu(invocations: Any, *, on_oneagent_host: Any = False,
                   tables: TableSet | None = None) -> Any:
    """DDU of monitored serverless function invocations.

    Parameters
    ----------
    invocations : float, array-like or pandas.Series
    on_oneagent_host : bool, array-like or pandas.Series of bool, default False
        True when the functions run on a platform host that OneAgent monitors with
        host units: the invocations are included and cost 0. One value, or one
        per row aligned with ``invocations``.

    Examples
    --------
    >>> serverless_ddu(1_000_000)          # Supplement: 1 M invocations a month
    2000.0
    """
    t = resolve(tables)
    flags = _checks.flags_in("on_oneagent_host", on_oneagent_host)
    weights = [t.weight("ddu_weights", "serverless"), 0.0]    # by on_oneagent_host False, True
    return _weighted("invocations", invocations, weights, t, integer=True,
                     on_oneagent_host=(flags[0].astype(np.intp), *flags[1:]))


def grail_ddu(ingest_gb: Any = 0, retained_gb_days: Any = 0, query_gb: Any = 0, *,
              capability: Any = "log_management", tables: TableSet | None = None) -> Any:
    """DDU of one Grail capability: ingest & process + retain + query.

    Parameters
    ----------
    ingest_gb : float, array-like or pandas.Series
        Data ingested before enrichment and processing [GB].
    retained_gb_days : float, array-like or pandas.Series
        Stored data summed over the days it is stored [GB day]; a month's value is
        the sum of its days' stored GB (see :func:`grail_stored_gb`).
    query_gb : float, array-like or pandas.Series
        Data read by DQL queries [GB].
    capability : {'log_management', 'business_events'}, array-like or pandas.Series
        Each is billed on its own with its own weights; one capability, or one
        per row aligned with the volumes.

    Returns
    -------
    [DDU].

    Examples
    --------
    >>> grail_ddu(ingest_gb=500 * 30)              # Supplement: 500 GB a day, 30 days
    1500000.0
    >>> grail_ddu(retained_gb_days=900 * 35 * 30)  # Supplement: 900 GB a day kept 35 days
    283500.0
    >>> grail_ddu(query_gb=25_000)                 # Supplement: 25,000 GB read
    42500.0
    """
    t = resolve(tables)
    (ingest, retained, query, codes), shape = _checks.broadcast(
        ingest_gb=_checks.numbers_in("ingest_gb", ingest_gb),
        retained_gb_days=_checks.numbers_in("retained_gb_days", retained_gb_days),
        query_gb=_checks.numbers_in("query_gb", query_gb),
        capability=_checks.categories_in("capability", capability, GRAIL_CAPABILITIES))
    # weights[capability code, dimension]
    w = np.array([[t.weight("ddu_weights", c, d) for d in _GRAIL_DIMENSIONS]
                  for c in GRAIL_CAPABILITIES])[codes]
    total = ingest * w[..., 0] + retained * w[..., 1] + query * w[..., 2]
    return shape(np.round(total, _decimals(t)))


def grail_stored_gb(daily_gb: pd.Series, retention_days: Any, *,
                    tables: TableSet | None = None) -> pd.Series:
    """GB held in a Grail bucket at the end of each day, starting empty.

    Data processed on day ``s`` is still stored on day ``t`` while it is inside
    the retention window, ``t - s < R``, so in a steady state the store holds
    ``daily GB x R``. Retention is a setting of the bucket: a change applies to
    data already stored. A cut deletes older data at once; a raise keeps data
    longer from that day on, but data already deleted does not return, so the
    store fills over the new window (docs/rules.md#grail-retention).

    Parameters
    ----------
    daily_gb : pandas.Series
        Processed GB per day [GB], indexed by consecutive dates (or by day
        number). For a bucket already in use, prepend its history.
    retention_days : int or pandas.Series
        Retention [days], >= 1: one value, or one per day on the same index.

    Returns
    -------
    pandas.Series
        Stored GB at the end of each day [GB], same index, named ``stored_gb``.

    Examples
    --------
    >>> days = pd.date_range("2025-01-01", periods=5)
    >>> grail_stored_gb(pd.Series(10.0, index=days), 3).tolist()
    [10.0, 20.0, 30.0, 30.0, 30.0]
    """
    if not isinstance(daily_gb, pd.Series):
        raise TypeError(f"daily_gb must be a pandas Series of GB per day; got {type(daily_gb).__name__}")
    volume, _, _ = _checks.numbers_in("daily_gb", daily_gb)
    index = daily_gb.index
    if isinstance(index, pd.DatetimeIndex) and len(index) > 1:
        gaps = index.normalize()[1:] - index.normalize()[:-1] != pd.Timedelta(days=1)
        if gaps.any():
            at = index[int(np.flatnonzero(gaps)[0]) + 1]
            raise ValueError(f"daily_gb must be indexed by consecutive days; the step before "
                             f"{at.date()} is not one day")
    if isinstance(retention_days, pd.Series) and not retention_days.index.equals(index):
        raise ValueError("retention_days must share daily_gb's index")
    retention, _, _ = _checks.numbers_in("retention_days", retention_days, minimum=1, integer=True)
    retention = np.broadcast_to(retention, volume.shape).astype(np.int64)

    return pd.Series(stored_gb(volume, retention, tables=tables), index=index, name="stored_gb")


def stored_gb(volume: np.ndarray, retention: np.ndarray, *,
              tables: TableSet | None = None) -> np.ndarray:
    """Array core of :func:`grail_stored_gb`: ``volume`` [GB/day] along the last
    axis (leading axes, e.g. Monte Carlo draws, are kept), ``retention`` [days]
    one per day.

    What is stored on day t is always a run of days [L(t), t]: data still stored
    at t was stored at t - 1 (or arrived at t) and is inside today's window. So
    L(t) = max(L(t - 1), t - R(t) + 1), a running maximum, and the store is a
    difference of cumulative sums.
    """
    n = volume.shape[-1]
    first_kept = np.maximum.accumulate(np.arange(n) - retention + 1).clip(min=0)
    total = np.cumsum(volume, axis=-1)
    before = np.where(first_kept > 0, np.take(total, first_kept - 1, axis=-1), 0.0)
    # a difference of running sums carries their rounding noise: keep kB precision
    return np.round(total - before, int(resolve(tables).rule("stored_gb_decimals")))
