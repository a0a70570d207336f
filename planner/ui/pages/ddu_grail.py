"""DDU and Grail dashboard: a Grail bucket's retention and volumes, and the
other Davis data unit sources, as the engine forecasts them.

The controls change the scenario: a bucket's capability, ingest, retention,
query volume and whether it starts full are
:meth:`planner.model.Scenario.with_values` of its driver; a retention change
later in the horizon is a :class:`planner.model.SetValues` change; the trace,
event, serverless and Log Monitoring (classic) volumes are ``with_values`` of
their drivers. :func:`planner.engine.forecast` runs the result, and the page
draws its Grail store (``Forecast.grail_store``) and its DDU per month by
capability, with contract year 1 in the key figures.

Flow: inputs (:class:`GrailInputs`) -> :func:`grail_scenario` ->
:func:`grail_view` (forecast -> :class:`GrailView`) -> render.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from planner.engine import readmodel
from planner.engine import forecast
from planner.whatif import what_if_yaml
from planner.model import Driver, Scenario, SetValues
from planner.scenario import load_scenario
from planner.sections import GRAIL_CAPABILITIES, GRAIL_PARTS, SECTIONS
from planner.tableset import resolve
from planner.ui import (
    Dashboard, DownloadLinks, KpiCard, MessageArea, Table, chart, control, field, figures, kpi_row, note,
    section, show_figure,
)
from planner.ui.kit import format as fmt
from planner.ui.kit.inputs import (
    counted, field_check, guard_figures, number_box, read_number, silenced, unused_name, without,
)
from planner.ui.kit.saver import ScenarioDownload
from planner.ui.kit.estate import Estate, EstateLink

__all__ = ["OTHER_SOURCES", "GrailInputs", "GrailView", "inputs_of", "grail_scenario", "grail_view", "what_if_file",
           "store_figure", "ddu_figure", "monthly_text", "dashboard"]

#: Longest retention the slider offers [days] (three years).
MAX_RETENTION_DAYS = 1095
#: Other DDU sources the page edits: control name -> (section, field, label).
OTHER_SOURCES = {"spans": ("traces", "spans_per_day", "Trace API spans per day"),
                 "events": ("custom_events", "events_per_day", "Custom events per day"),
                 "invocations": ("serverless", "invocations_per_day", "Serverless invocations per day"),
                 "classic-logs": ("log_monitoring", "gb_per_day", "Log Monitoring (classic) [GB per day]")}
_BUCKET_FIELDS = ("capability", "ingest_gb_per_day", "retention_days", "query_gb_per_month", "starts_full")


@dataclass(frozen=True)
class GrailInputs:
    """The page's state.

    ``buckets``: per Grail bucket, the fields of :data:`_BUCKET_FIELDS`;
    ``new_retention_days`` from ``change`` on (the bucket shown); ``other``:
    control name of :data:`OTHER_SOURCES` -> volume; ``on_oneagent_host`` of
    the serverless functions.
    """

    bucket: str
    buckets: Mapping[str, Mapping[str, Any]]
    new_retention_days: int
    change: pd.Timestamp
    other: Mapping[str, float]
    on_oneagent_host: bool = False

    def with_bucket(self, **values: Any) -> "GrailInputs":
        """The shown bucket's fields replaced by ``values``."""
        return dataclasses.replace(self, buckets={**self.buckets, self.bucket: {**self.buckets[self.bucket],
                                                                                **values}})


def _first_driver(scenario: Scenario, section: str) -> Driver | None:
    return next(iter(scenario.drivers_of(section).values()), None)


def inputs_of(scenario: Scenario, new_retention_days: int | None = None, change_month: int = 6) -> GrailInputs:
    """The page's first inputs: the scenario's buckets and other sources as they
    are, and a retention change to ``new_retention_days`` ``change_month``
    months after the start (None: the bucket's own retention, so no what-if)."""
    buckets = {n: {k: d.values[k] for k in _BUCKET_FIELDS} for n, d in scenario.drivers_of("grail").items()}
    if not buckets:
        raise ValueError(f"{scenario.name}: the scenario has no Grail bucket")
    other = {}
    for name, (sec, key, _) in OTHER_SOURCES.items():
        driver = _first_driver(scenario, sec)
        other[name] = float(driver.values[key] or 0.0) if driver else 0.0
    serverless = _first_driver(scenario, "serverless")
    change = scenario.start + pd.DateOffset(months=min(change_month, scenario.months - 1))
    first = next(iter(buckets))
    retention = buckets[first]["retention_days"] if new_retention_days is None else new_retention_days
    return GrailInputs(first, buckets, int(retention), pd.Timestamp(change), other,
                       bool(serverless.values["on_oneagent_host"]) if serverless else False)


def _with_source(scenario: Scenario, sec: str, key: str, value: float) -> Scenario:
    """Set one volume of a section's first driver, or add a driver for it."""
    driver = _first_driver(scenario, sec)
    if driver is not None:
        if sec == "log_monitoring" and driver.values.get(key) is None:
            return scenario.with_values(driver.name, **{key: value, "events_per_day": None})
        return scenario.with_values(driver.name, **{key: value})
    if not value:
        return scenario
    defaults = readmodel.section_defaults(sec)
    name = f"{SECTIONS[sec].label} (added here)"
    return scenario.with_drivers(Driver(name, sec, {**defaults, key: value}))


def grail_scenario(scenario: Scenario, inputs: GrailInputs) -> Scenario:
    """``scenario``'s DDU sources with the page's values, and the shown
    bucket's retention change as a :class:`SetValues` change."""
    keep = {n: d for n, d in scenario.drivers.items()
            if d.section in readmodel.DDU_SECTIONS and (d.section != "grail" or n in inputs.buckets)}
    derived = dataclasses.replace(scenario, drivers=keep,
                                  changes=tuple(c for c in scenario.changes if c.driver in keep))
    for bucket, values in inputs.buckets.items():
        if bucket in derived.drivers:
            derived = derived.with_values(bucket, **values)
        else:
            derived = derived.with_drivers(Driver(bucket, "grail", {**readmodel.section_defaults("grail"), **values}))
    for name, (sec, key, _) in OTHER_SOURCES.items():
        derived = _with_source(derived, sec, key, inputs.other[name])
    serverless = _first_driver(derived, "serverless")
    if serverless is not None:
        derived = derived.with_values(serverless.name, on_oneagent_host=inputs.on_oneagent_host)
    if inputs.new_retention_days != inputs.buckets[inputs.bucket]["retention_days"]:
        derived = derived.with_changes(SetValues(inputs.change, inputs.bucket,
                                                 {"retention_days": inputs.new_retention_days}))
    return derived


def what_if_file(scenario: Scenario, inputs: GrailInputs, *, extends: str | None = None) -> str:
    """The page's buckets and DDU sources as a scenario file that ``extends``
    ``scenario`` (:func:`planner.whatif.what_if_yaml`): ``planner forecast`` on
    it gives the page's figures."""
    return what_if_yaml(scenario, grail_scenario(scenario, inputs), extends=extends,
                        sections=readmodel.DDU_SECTIONS)


# --- compute: forecast -> view model --------------------------------------------------------------

@dataclass(frozen=True)
class GrailView:
    """What the page shows (DDU; stored GB).

    ``monthly``: DDU per month (index) by capability (columns), every source;
    ``bucket_monthly``: the shown bucket per month: ``stored_gb_days``
    [GB day] and its ingest, retain, query and total [DDU]; ``store``: the
    bucket's stored GB per day; ``year1``: key figures of contract year 1.
    """

    inputs: GrailInputs
    monthly: pd.DataFrame
    bucket_monthly: pd.DataFrame
    store: pd.Series
    year1: Mapping[str, float]
    year1_end: pd.Timestamp
    retention: readmodel.InForce | None = None
    year1_start: pd.Timestamp | None = None


def _bucket_monthly(monthly: pd.DataFrame, store: pd.Series, bucket: str, capability: str) -> pd.DataFrame:
    rows = monthly[(monthly["unit"] == "ddu") & (monthly["driver"] == bucket)]
    wide = rows.pivot(index="month", columns="capability", values="value")
    # the registry's Grail parts (planner.sections.GRAIL_PARTS): ingest, retain and query of the capability
    parts = {dim: wide.get(key, pd.Series(0.0, index=wide.index))
             for key, (grail, dim) in GRAIL_PARTS.items() if grail == capability}
    out = pd.DataFrame(parts).fillna(0.0)
    out.insert(0, "stored_gb_days", store.groupby(store.index.to_period("M")).sum())
    out["total"] = out[["ingest", "retain", "query"]].sum(axis=1)
    return out


def grail_view(scenario: Scenario, inputs: GrailInputs) -> GrailView:
    """Forecast the page's scenario; contract year 1 (as far as the horizon
    covers it, :func:`planner.engine.readmodel.year_span`) for the key figures."""
    derived = grail_scenario(scenario, inputs)
    f = forecast(derived)
    by = f.monthly(("unit", "capability", "driver"))
    ddu = by[by["unit"] == "ddu"].pivot_table(index="month", columns="capability", values="value", aggfunc="sum")
    store = f.grail_store[inputs.bucket]
    bucket = _bucket_monthly(by, store, inputs.bucket, inputs.buckets[inputs.bucket]["capability"])
    span = readmodel.year_span(derived, 1)
    per_driver = readmodel.consumption(f, 1, "driver")["value"]
    buckets = float(sum(per_driver.get(("ddu", b), 0.0) for b in derived.drivers_of("grail")))
    total = readmodel.amount(f, 1, "ddu")
    year1 = {"bucket": readmodel.amount(f, 1, "ddu", driver=inputs.bucket),
             "bucket_last_month": float(bucket.loc[span.end.to_period("M"), "total"]),
             "stored_gb": float(store.loc[span.end]),
             "other": total - buckets, "all": total}
    retention = readmodel.in_force(derived, inputs.bucket, "retention_days", span.end)
    return GrailView(inputs, ddu.fillna(0.0), bucket, store, year1, span.end, retention, span.start)


# --- render helpers (pure) --------------------------------------------------------------------------

def retention_text(view: GrailView) -> str:
    """The shown bucket's retention in force at the end of contract year 1, and
    since when (a dated change of the scenario or the page's own change)."""
    r = view.retention
    if r is None or r.since is None:
        return f"retention {_days(r.value if r else view.inputs.buckets[view.inputs.bucket]['retention_days'])}"
    return f"retention {_days(r.value)} in force from {fmt.day(r.since)}"


def _days(n: float) -> str:
    return counted(n, "day")


def store_figure(view: GrailView) -> go.Figure:
    """Stored GB per day of the shown bucket, with the retention change marked."""
    inputs = view.inputs
    before = int(inputs.buckets[inputs.bucket]["retention_days"])
    marks = [] if before == inputs.new_retention_days else [
        (inputs.change, f" retention {_days(before)} → {_days(inputs.new_retention_days)}")]
    return figures.store_fill(view.store.to_frame(inputs.bucket),
                              title=f"Grail store of {inputs.bucket}: GB held at the end of each day", marks=marks)


def ddu_figure(view: GrailView) -> go.Figure:
    """DDU per month by capability, stacked."""
    frame = view.monthly.loc[:, view.monthly.abs().sum() > 0]
    return figures.stacked_bars(frame if not frame.empty else view.monthly.iloc[:, :1],
                                title="Davis data units per month by capability", unit="ddu",
                                names={c: fmt.capability(c, "ddu") for c in view.monthly.columns})


def monthly_text(view: GrailView) -> pd.DataFrame:
    """The shown bucket month by month, with units."""
    b = view.bucket_monthly
    return pd.DataFrame({
        "Month": [fmt.month(m) for m in b.index],
        "Stored": [fmt.quantity(v, "GB days") for v in b["stored_gb_days"]],
        "Ingest & process": [fmt.quantity(v, "ddu") for v in b["ingest"]],
        "Retain": [fmt.quantity(v, "ddu") for v in b["retain"]],
        "Query": [fmt.quantity(v, "ddu") for v in b["query"]],
        "Total": [fmt.quantity(v, "ddu") for v in b["total"]]})


# --- the page -----------------------------------------------------------------------------------------

@dataclass
class _Page:
    scenario: Scenario
    inputs: GrailInputs
    messages: MessageArea
    w: dict[str, Any] = dataclasses.field(default_factory=dict)


def _capability_options() -> list[tuple[str, str]]:
    """Grail capabilities of the registry: (label, key), e.g. ('Logs', 'log_management')."""
    return [(label, key) for key, label in GRAIL_CAPABILITIES.items()]


def _widgets(page: _Page) -> dict[str, Any]:
    s, i = page.scenario, page.inputs
    months = [s.start + pd.DateOffset(months=k) for k in range(1, s.months)]
    w: dict[str, Any] = {
        "bucket": control(widgets.Dropdown(options=list(i.buckets), value=i.bucket), "bucket"),
        "add": control(widgets.Button(description="Add bucket", icon="plus"), "add-bucket"),
        "remove": control(widgets.Button(description="Remove", icon="trash"), "remove-bucket"),
        "estate": EstateLink(), "scenario_note": note(name="scenario"),
        "capability": control(widgets.Dropdown(options=_capability_options()), "capability"),
        "ingest": number_box(0, "ingest"), "retention_now": number_box(0, "retention-now"),
        "retention_label": widgets.HTML(),
        "retention": control(widgets.IntSlider(value=i.new_retention_days, min=1, max=MAX_RETENTION_DAYS, step=1,
                                               readout=False, continuous_update=False), "retention"),
        "change": control(widgets.Dropdown(options=[(fmt.month(m), pd.Timestamp(m)) for m in months],
                                           value=i.change), "change-month"),
        "query": number_box(0, "query"),
        "starts_full": control(widgets.Checkbox(value=True, indent=False,
                                                description="Bucket already full at the start"), "starts-full"),
        "on_oneagent": control(widgets.Checkbox(value=i.on_oneagent_host, indent=False,
                                                description="Functions on OneAgent-monitored hosts"), "on-oneagent"),
        "cards": {"bucket": KpiCard("grail-ddu-year", "Bucket DDU, year 1", "ddu"),
                  "bucket_last_month": KpiCard("grail-ddu-month", "Bucket DDU, last month of year 1", "ddu"),
                  "stored_gb": KpiCard("stored-gb", "Stored at the end of year 1", "GB"),
                  "other": KpiCard("other-ddu-year", "Traces, events, serverless, classic logs", "ddu"),
                  "all": KpiCard("ddu-year", "All these DDU, year 1", "ddu")},
        "store_chart": chart("store"), "ddu_chart": chart("ddu"), "table": Table("grail-monthly"),
        "download": DownloadLinks("ddu-monthly", label="Bucket DDU per month"),
        "what_if": ScenarioDownload("grail-what-if", lambda: what_if_file(page.scenario, page.inputs),
                                    messages=page.messages)}
    for name in OTHER_SOURCES:
        w[name] = number_box(i.other[name], name)
    return w


def _load_bucket(page: _Page) -> None:
    w, b = page.w, page.inputs.buckets[page.inputs.bucket]
    with silenced(w["on_change"], *(w[k] for k in ("capability", "ingest", "retention_now", "query", "starts_full"))):
        w["capability"].value = b["capability"]
        w["ingest"].value = f"{b['ingest_gb_per_day']:.15g}"
        w["retention_now"].value = f"{b['retention_days']:.15g}"
        w["query"].value = f"{b['query_gb_per_month']:.15g}"
        w["starts_full"].value = bool(b["starts_full"])


def _read(page: _Page) -> GrailInputs:
    w, grail = page.w, "grail"
    bucket = page.inputs.with_bucket(
        capability=w["capability"].value,
        ingest_gb_per_day=read_number(w["ingest"].value, "Ingest [GB per day]", field_check(grail, "ingest_gb_per_day")),
        retention_days=read_number(w["retention_now"].value, "Retention now [days]",
                                   field_check(grail, "retention_days")),
        query_gb_per_month=read_number(w["query"].value, "Queried [GB per month]",
                                       field_check(grail, "query_gb_per_month")),
        starts_full=bool(w["starts_full"].value))
    other = {name: read_number(w[name].value, label, field_check(sec, key))
             for name, (sec, key, label) in OTHER_SOURCES.items()}
    return dataclasses.replace(bucket, new_retention_days=int(w["retention"].value), change=w["change"].value,
                               other=other, on_oneagent_host=bool(w["on_oneagent"].value))


def _show(page: _Page) -> None:
    view, w = grail_view(page.scenario, page.inputs), page.w
    i = view.inputs
    w["retention_label"].value = (f'<span class="planner-label">Retention from the change on: '
                                  f"<b>{_days(i.new_retention_days)}</b></span>")
    end, c = fmt.day(view.year1_end), w["cards"]
    c["bucket"].set(view.year1["bucket"], f"{i.bucket}, contract year 1 ({fmt.day(view.year1_start)} to {end})")
    c["bucket_last_month"].set(view.year1["bucket_last_month"], fmt.month(view.year1_end))
    c["stored_gb"].set(view.year1["stored_gb"], f"{i.bucket} on {end}; {retention_text(view)}")
    c["other"].set(view.year1["other"], "contract year 1")
    c["all"].set(view.year1["all"], "contract year 1; host custom metrics are on the hosts page")
    w["table"].update(monthly_text(view))
    w["download"].update(view.bucket_monthly)
    show_figure(w["store_chart"], store_figure(view))
    show_figure(w["ddu_chart"], ddu_figure(view))


def _wire(page: _Page) -> None:
    w = page.w
    guarded = guard_figures(page.messages, w["cards"].values())

    @guarded
    def on_bucket(change: Any = None) -> None:
        page.inputs = dataclasses.replace(page.inputs, bucket=w["bucket"].value)
        _load_bucket(page)
        _show(page)

    @guarded
    def on_change(change: Any = None) -> None:
        page.inputs = _read(page)
        _show(page)

    @guarded
    def on_estate(estate: Estate) -> None:
        _use_scenario(page, estate.scenario())
        _show(page)

    @guarded
    def on_add(_: Any = None) -> None:
        _add_bucket(page)
        _show(page)

    @guarded
    def on_remove(_: Any = None) -> None:
        _remove_bucket(page)
        _show(page)

    w["on_change"], w["on_bucket"] = on_change, on_bucket
    w["bucket"].observe(on_bucket, "value")
    w["add"].on_click(on_add)
    w["remove"].on_click(on_remove)
    w["estate"].on_change(on_estate)
    w["estate"].on_error(page.messages.error)
    for key in ("capability", "ingest", "retention_now", "retention", "change", "query", "starts_full",
                "on_oneagent", *OTHER_SOURCES):
        w[key].observe(on_change, "value")


def _set_buckets(page: _Page, select: str) -> None:
    """The bucket menu of the inputs' buckets, ``select`` shown and loaded."""
    w = page.w
    page.inputs = dataclasses.replace(page.inputs, bucket=select)
    with silenced(w["on_bucket"], w["bucket"]):
        w["bucket"].options = list(page.inputs.buckets)
        w["bucket"].value = select
    w["remove"].disabled = len(page.inputs.buckets) < 2
    _load_bucket(page)


def _add_bucket(page: _Page) -> None:
    """A copy of the bucket shown, under a new name."""
    name, shown = unused_name("new bucket", page.inputs.buckets), page.inputs.buckets[page.inputs.bucket]
    page.inputs = dataclasses.replace(page.inputs, buckets={**page.inputs.buckets, name: dict(shown)})
    _set_buckets(page, name)


def _remove_bucket(page: _Page) -> None:
    rest = without(page.inputs.buckets, page.inputs.bucket, "bucket")
    page.inputs = dataclasses.replace(page.inputs, buckets=rest)
    _set_buckets(page, next(iter(rest)))


def _use_scenario(page: _Page, scenario: Scenario) -> None:
    """The user's scenario: its buckets and other sources as they are, no retention change."""
    page.scenario, page.inputs, w = scenario, inputs_of(scenario), page.w
    months = [scenario.start + pd.DateOffset(months=k) for k in range(1, scenario.months)]
    with silenced(w["on_change"], w["retention"], w["change"], w["on_oneagent"], *(w[n] for n in OTHER_SOURCES)):
        w["retention"].value = page.inputs.new_retention_days
        w["change"].options = [(fmt.month(m), pd.Timestamp(m)) for m in months]
        w["change"].value = page.inputs.change
        w["on_oneagent"].value = page.inputs.on_oneagent_host
        for name in OTHER_SOURCES:
            w[name].value = f"{page.inputs.other[name]:.15g}"
    _set_buckets(page, page.inputs.bucket)
    w["scenario_note"].value = _scenario_note(scenario)


def _scenario_note(scenario: Scenario) -> str:
    retain = resolve(scenario.tables).weight("ddu_weights", "log_management", "retain")
    return (f'<div class="planner-note-text">{html.escape(scenario.name)}: the forecast of its Grail buckets and '
            f"other DDU sources with the changes made here, over {counted(scenario.months, 'month')} from "
            f"{fmt.month(scenario.start)} (growth as in the scenario); a month's retain charge is its stored "
            f"GB-days × {retain:.2f}.</div>")


def _layout(page: _Page) -> Dashboard:
    w = page.w
    controls = [
        widgets.HTML("<h3>Grail bucket</h3>"),
        field("Bucket", w["bucket"]), widgets.HBox([w["add"], w["remove"]]), field("Capability", w["capability"]),
        field("Ingest [GB per day]", w["ingest"]), field("Retention now [days]", w["retention_now"]),
        widgets.VBox([w["retention_label"], w["retention"]]),
        field("Retention changes in", w["change"]), field("Queried [GB per month]", w["query"]),
        w["starts_full"],
        widgets.HTML("<h3>Other DDU sources</h3>"),
        *(field(label, w[name]) for name, (_, _, label) in OTHER_SOURCES.items()),
        w["on_oneagent"],
    ]
    main = [
        w["scenario_note"],
        kpi_row(*w["cards"].values()),
        w["store_chart"], w["ddu_chart"],
        section("The bucket per month", w["table"], w["download"], w["what_if"]),
    ]
    return Dashboard("ddu_grail", "Grail retention and DDU per month",
                     "Ingest, retention and query volumes of a Grail bucket, and the other DDU sources, "
                     "month by month as the forecast counts them.", controls, main, page.messages,
                     w["estate"])


def dashboard(scenario: Scenario | None = None, *, new_retention_days: int | None = None,
              change_month: int = 6) -> Dashboard:
    """The DDU and Grail page.

    Parameters
    ----------
    scenario : Scenario, optional
        The built-in example by default: its Grail buckets and other DDU sources.
    new_retention_days : int, optional
        Retention of the shown bucket after the change [days]; by default the
        bucket's own, so the page opens on the scenario as it is.
    change_month : int, default 6
        Calendar months after the start when the retention changes (6: the seventh month).
    """
    scenario = scenario or load_scenario()
    page = _Page(scenario, inputs_of(scenario, new_retention_days, change_month), MessageArea())
    page.w = _widgets(page)
    _wire(page)
    page.w["scenario_note"].value = _scenario_note(scenario)
    page.w["remove"].disabled = len(page.inputs.buckets) < 2
    _load_bucket(page)
    _show(page)
    return _layout(page)
