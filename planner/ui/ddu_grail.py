"""DDU and Grail dashboard: the Davis data units of logs, traces, custom events
and serverless functions, and the Grail retention choice.

The Grail store fills and drains day by day (:func:`planner.grail_stored_gb`):
a retention raise mid-horizon fills the store over the new window, and the
month-by-month charge is :func:`planner.grail_ddu` of the month's ingest,
stored GB-days and query volume. Volumes are constant here (no growth).
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from planner.ddu import (
    GRAIL_CAPABILITIES, custom_event_ddu, custom_trace_ddu, grail_ddu, grail_stored_gb,
    log_monitoring_ddu, serverless_ddu,
)
from planner.scenario import Scenario, load_scenario
from planner.tableset import resolve
from planner.ui import figures
from planner.ui import format as fmt
from planner.ui.widgets import (
    Dashboard, DownloadLinks, KpiCard, MessageArea, Table, chart, control, field, guard, kpi_row,
    note, section, show_figure,
)

__all__ = ["store_curve", "grail_monthly", "other_monthly", "monthly_ddu", "store_figure",
           "ddu_figure", "dashboard"]

#: Longest retention the slider offers [days] (three years).
MAX_RETENTION_DAYS = 1095
CAPABILITY_NAMES = {"log_management": "Log Management and Analytics", "business_events": "Business Events"}


def store_curve(ingest_gb_per_day: float, retention_days: int, *, start: Any, months: int = 12,
                new_retention_days: int | None = None, change: Any = None,
                processed_ratio: float | None = None, starts_full: bool = True,
                tables: Any = None) -> pd.DataFrame:
    """Day by day: ingest, processed GB, retention and stored GB of one bucket.

    Parameters
    ----------
    ingest_gb_per_day : float
        Ingested GB per day [GB] (constant).
    retention_days : int
        Retention at the start [days].
    start : date-like
        First day; the horizon is ``months`` calendar months.
    new_retention_days, change : int and date-like, optional
        A retention change from the day ``change`` on.
    processed_ratio : float, optional
        Processed GB per ingested GB; the table rule (1.0) by default.
    starts_full : bool, default True
        The bucket has been in use at this volume for a whole retention window
        before the start (else it starts empty).

    Returns
    -------
    DataFrame
        Index: days; columns ``ingest_gb``, ``processed_gb``, ``retention_days``
        and ``stored_gb`` [GB at the end of the day].
    """
    ratio = resolve(tables).rule("grail_processed_ratio") if processed_ratio is None else processed_ratio
    begin = pd.Timestamp(start)
    days = pd.date_range(begin, begin + pd.DateOffset(months=months) - pd.Timedelta(days=1), freq="D")
    retention = pd.Series(int(retention_days), index=days)
    if new_retention_days is not None and change is not None:
        when = pd.Timestamp(change)
        if not days[0] <= when <= days[-1]:
            raise ValueError(f"the retention change on {fmt.day(when)} is outside the horizon "
                             f"{fmt.day(days[0])} to {fmt.day(days[-1])}")
        retention[retention.index >= when] = int(new_retention_days)
    history = int(retention_days) if starts_full else 0
    index = pd.date_range(begin - pd.Timedelta(days=history), days[-1], freq="D")
    processed = pd.Series(float(ingest_gb_per_day) * ratio, index=index)
    window = pd.Series(int(retention_days), index=index)
    window[days] = retention.to_numpy()
    stored = grail_stored_gb(processed, window)[days]
    return pd.DataFrame({"ingest_gb": float(ingest_gb_per_day), "processed_gb": processed[days],
                         "retention_days": retention, "stored_gb": stored})


def grail_monthly(curve: pd.DataFrame, query_gb_per_month: float, capability: str = "log_management",
                  *, tables: Any = None) -> pd.DataFrame:
    """Month by month Grail charge of a :func:`store_curve`.

    Returns
    -------
    DataFrame
        Index: months; ``ingest_gb`` [GB], ``retained_gb_days`` [GB day],
        ``query_gb`` [GB] and ``ingest``, ``retain``, ``query``, ``total`` [DDU].
    """
    month = curve.index.to_period("M")
    volumes = pd.DataFrame({"ingest_gb": curve["ingest_gb"].groupby(month).sum(),
                            "retained_gb_days": curve["stored_gb"].groupby(month).sum()})
    volumes["query_gb"] = float(query_gb_per_month)
    volumes.index.name = "month"
    for part, column in (("ingest", "ingest_gb"), ("retain", "retained_gb_days"), ("query", "query_gb")):
        volumes[part] = grail_ddu(**{column: volumes[column]}, capability=capability, tables=tables)
    volumes["total"] = grail_ddu(volumes["ingest_gb"], volumes["retained_gb_days"], volumes["query_gb"],
                                 capability=capability, tables=tables)
    return volumes


def other_monthly(months: pd.PeriodIndex, *, spans_per_day: int = 0, events_per_day: int = 0,
                  event_kind: str = "kubernetes", invocations_per_day: int = 0,
                  on_oneagent_host: bool = False, classic_log_gb_per_day: float = 0.0,
                  tables: Any = None) -> pd.DataFrame:
    """DDU per month of custom traces, custom events, serverless functions and
    Log Monitoring (classic), from constant daily volumes.

    Returns
    -------
    DataFrame
        Index: months; columns ``custom_traces``, ``custom_events``, ``serverless``,
        ``log_monitoring`` [DDU].
    """
    days = pd.Series(months.days_in_month, index=months, dtype=float)
    return pd.DataFrame({
        "custom_traces": custom_trace_ddu(int(spans_per_day), tables=tables) * days,
        "custom_events": custom_event_ddu(int(events_per_day), kind=event_kind, tables=tables) * days,
        "serverless": serverless_ddu(int(invocations_per_day), on_oneagent_host=on_oneagent_host,
                                     tables=tables) * days,
        "log_monitoring": log_monitoring_ddu(gb=float(classic_log_gb_per_day), tables=tables) * days,
    }).round(6)


def monthly_ddu(grail: pd.DataFrame, other: pd.DataFrame, capability: str = "log_management") -> pd.DataFrame:
    """Every DDU source per month in one table (engine capability names as columns)."""
    frame = pd.DataFrame({f"{capability}_{p}": grail[p] for p in ("ingest", "retain", "query")})
    return frame.join(other)


def store_figure(curve: pd.DataFrame, bucket: str, change: Any = None) -> go.Figure:
    """Stored GB per day of one bucket, with the retention change marked."""
    marks = []
    if change is not None:
        before = int(curve["retention_days"].iloc[0])
        after = int(curve["retention_days"].iloc[-1])
        if before != after:
            marks.append((change, f" retention {before} → {after} days"))
    return figures.store_fill(curve[["stored_gb"]].rename(columns={"stored_gb": bucket}),
                              title=f"Grail store of {bucket}: GB held at the end of each day", marks=marks)


def ddu_figure(monthly: pd.DataFrame) -> go.Figure:
    """DDU per month by source, stacked."""
    frame = monthly.loc[:, monthly.abs().sum() > 0]
    if frame.empty:
        frame = monthly.iloc[:, :1]
    return figures.stacked_bars(frame, title="Davis data units per month by source", unit="ddu",
                                names={c: fmt.capability(c) for c in frame.columns})


def _presets(scenario: Scenario) -> dict[str, dict[str, Any]]:
    buckets = {n: {"capability": d.values["capability"], "ingest": d.values["ingest_gb_per_day"],
                   "retention": int(d.values["retention_days"]), "query": d.values["query_gb_per_month"],
                   "starts_full": d.values["starts_full"]}
               for n, d in scenario.drivers_of("grail").items()}
    return buckets or {"logs": {"capability": "log_management", "ingest": 100.0, "retention": 35,
                                "query": 1000.0, "starts_full": True}}


def _first(scenario: Scenario, section: str, key: str, default: float = 0.0) -> float:
    values = [d.values[key] for d in scenario.drivers_of(section).values() if d.values.get(key) is not None]
    return float(sum(values)) if values else default


def dashboard(scenario: Scenario | None = None, *, new_retention_days: int = 90, change_month: int = 6,
              months: int = 12) -> Dashboard:
    """The DDU and Grail page.

    Parameters
    ----------
    scenario : Scenario, optional
        Source of the starting volumes (the built-in example by default): its
        Grail buckets, trace spans, custom events and serverless invocations.
    new_retention_days : int, default 90
        Retention after the change.
    change_month : int, default 6
        Calendar months after the start when the retention changes (6: the
        seventh month).
    months : int, default 12
        Horizon [months].
    """
    messages = MessageArea()
    scenario = scenario or load_scenario()
    tables = scenario.tables
    buckets = _presets(scenario)
    first = next(iter(buckets))
    start = scenario.start
    month_starts = [start + pd.DateOffset(months=k) for k in range(1, months)]

    bucket_pick = control(widgets.Dropdown(options=list(buckets), value=first), "bucket")
    capability = control(widgets.Dropdown(options=[(CAPABILITY_NAMES[c], c) for c in GRAIL_CAPABILITIES],
                                          value=buckets[first]["capability"]), "capability")
    ingest = control(widgets.BoundedFloatText(value=buckets[first]["ingest"], min=0, max=10**7, step=10),
                     "ingest")
    retention_now = control(widgets.BoundedIntText(value=buckets[first]["retention"], min=1,
                                                   max=MAX_RETENTION_DAYS), "retention-now")
    retention = control(widgets.IntSlider(value=new_retention_days, min=1, max=MAX_RETENTION_DAYS, step=1,
                                          continuous_update=False), "retention")
    change = control(widgets.Dropdown(options=[(fmt.month(m), m) for m in month_starts],
                                      value=month_starts[min(change_month, months - 1) - 1]), "change-month")
    query = control(widgets.BoundedFloatText(value=buckets[first]["query"], min=0, max=10**9, step=1000),
                    "query")
    starts_full = control(widgets.Checkbox(value=buckets[first]["starts_full"], indent=False,
                                           description="Bucket already full at the start"), "starts-full")
    spans = control(widgets.BoundedIntText(value=int(_first(scenario, "traces", "spans_per_day")),
                                           min=0, max=10**12, step=10_000), "spans")
    events = control(widgets.BoundedIntText(value=int(_first(scenario, "custom_events", "events_per_day")),
                                            min=0, max=10**12, step=1_000), "events")
    invocations = control(widgets.BoundedIntText(value=int(_first(scenario, "serverless", "invocations_per_day")),
                                                 min=0, max=10**12, step=10_000), "invocations")
    on_oneagent = control(widgets.Checkbox(value=False, indent=False,
                                           description="Functions on OneAgent-monitored hosts"), "on-oneagent")
    classic = control(widgets.BoundedFloatText(value=_first(scenario, "log_monitoring", "gb_per_day"),
                                               min=0, max=10**7, step=1), "classic-logs")

    k_year = KpiCard("grail-ddu-year", "Grail DDU over the horizon", "ddu")
    k_month = KpiCard("grail-ddu-month", "Grail DDU in the last month", "ddu")
    k_store = KpiCard("stored-gb", "Stored at the end", "GB")
    k_other = KpiCard("other-ddu-year", "Traces, events, serverless, logs", "ddu")
    k_total = KpiCard("ddu-year", "All DDU over the horizon", "ddu")
    store_chart = chart("store")
    ddu_chart = chart("ddu")
    table = Table("grail-monthly")
    download = DownloadLinks("ddu-monthly", label="DDU per month")
    state = {"quiet": False}

    def show() -> None:
        curve = store_curve(ingest.value, retention_now.value, start=start, months=months,
                            new_retention_days=retention.value, change=change.value,
                            starts_full=starts_full.value, tables=tables)
        grail = grail_monthly(curve, query.value, capability.value, tables=tables)
        other = other_monthly(grail.index, spans_per_day=spans.value, events_per_day=events.value,
                              invocations_per_day=invocations.value, on_oneagent_host=on_oneagent.value,
                              classic_log_gb_per_day=classic.value, tables=tables)
        everything = monthly_ddu(grail, other, capability.value)
        k_year.set(grail["total"].sum(), f"{fmt.quantity(months, 'months')} from {fmt.month(start)}")
        k_month.set(grail["total"].iloc[-1], f"{fmt.month(grail.index[-1])}; first month "
                                             f"{fmt.quantity(grail['total'].iloc[0], 'ddu')}")
        k_store.set(curve["stored_gb"].iloc[-1], f"{fmt.quantity(curve['retention_days'].iloc[-1], 'days')} "
                                                 "retention")
        k_other.set(other.to_numpy().sum(), "over the horizon")
        k_total.set(everything.to_numpy().sum(), f"{fmt.quantity(everything.to_numpy().sum() / months, 'ddu')} "
                                                 "a month on average")
        table.update(pd.DataFrame({
            "Month": [fmt.month(m) for m in grail.index],
            "Ingested": [fmt.quantity(v, "GB") for v in grail["ingest_gb"]],
            "Stored": [fmt.quantity(v, "GB days") for v in grail["retained_gb_days"]],
            "Queried": [fmt.quantity(v, "GB") for v in grail["query_gb"]],
            "Ingest & process": [fmt.quantity(v, "ddu") for v in grail["ingest"]],
            "Retain": [fmt.quantity(v, "ddu") for v in grail["retain"]],
            "Query": [fmt.quantity(v, "ddu") for v in grail["query"]],
            "Grail total": [fmt.quantity(v, "ddu") for v in grail["total"]]}))
        download.update(grail.join(other))
        show_figure(store_chart, store_figure(curve, bucket_pick.value, change.value))
        show_figure(ddu_chart, ddu_figure(everything))

    @guard(messages)
    def on_bucket(change_: Any = None) -> None:
        preset = buckets[bucket_pick.value]
        state["quiet"] = True
        try:
            capability.value = preset["capability"]
            ingest.value = preset["ingest"]
            retention_now.value = preset["retention"]
            query.value = preset["query"]
            starts_full.value = preset["starts_full"]
        finally:
            state["quiet"] = False
        show()

    @guard(messages)
    def on_change(change_: Any = None) -> None:
        if not state["quiet"]:
            show()

    bucket_pick.observe(on_bucket, "value")
    for w in (capability, ingest, retention_now, retention, change, query, starts_full, spans, events,
              invocations, on_oneagent, classic):
        w.observe(on_change, "value")
    show()

    controls = [
        widgets.HTML("<h3>Grail bucket</h3>"),
        field("Bucket", bucket_pick),
        field("Capability", capability),
        field("Ingest [GB per day]", ingest),
        field("Retention now [days]", retention_now),
        field("Retention from the change on [days]", retention),
        field("Retention changes in", change),
        field("Queried [GB per month]", query),
        starts_full,
        widgets.HTML("<h3>Other DDU sources</h3>"),
        field("Trace API spans per day", spans),
        field("Kubernetes events per day", events),
        field("Serverless invocations per day", invocations),
        on_oneagent,
        field("Log Monitoring (classic) [GB per day]", classic),
    ]
    main = [
        note(f"{html.escape(scenario.name)}: constant daily volumes over {months} months from "
             f"{fmt.month(start)}; a month's retain charge is its stored GB-days × 0.30.", name="scenario"),
        kpi_row(k_year, k_month, k_store, k_other, k_total),
        store_chart, ddu_chart,
        section("Grail charge per month", table, download),
    ]
    return Dashboard("ddu_grail", "Grail retention and DDU per month",
                     "Ingest, retention and query volumes of a Grail bucket, and the other DDU sources, "
                     "month by month.", controls, main, messages)
