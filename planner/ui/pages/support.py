"""Support dashboard: the initial-response deadline of a ticket under each plan
side by side (:func:`planner.support.response_deadline`), a timeline of the
business hours between opening and deadline (:func:`planner.support.open_intervals`),
and the end of support of a version (:func:`planner.support.end_of_support`).

Every rule the page states (business hours, the government window, severities,
plans, products) is read from the table set (tables ``support_hours``,
``support_response_times``, ``support_severities``, ``version_support``);
country and subdivision names come from the ``holidays`` package.

Flow: inputs (:class:`Ticket`, :class:`Release`) -> :func:`ticket_view` /
:func:`release_view` -> render.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import holidays
import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from planner.engine import readmodel
from planner import support as policy
from planner.support import open_intervals
from planner.tableset import resolve
from planner.ui import (
    Dashboard, KpiCard, MessageArea, Table, chart, control, field, figures, kpi_row, note, section, show_figure,
)
from planner.ui.kit import format as fmt
from planner.ui.kit.inputs import guard_figures, silenced

__all__ = ["PRODUCT_NAMES", "Ticket", "Release", "TicketView", "ReleaseView",
           "countries", "subdivisions", "parse_closures", "plans", "severities", "coverage_text",
           "deadlines", "ticket_view", "release_view", "timeline_figure", "version_table", "dashboard"]

#: Dates the page accepts for an opening or a release (pandas and the holiday
#: calendars handle these years; a deadline or end of support may fall a year later).
#: Display names of the products of table ``version_support``.
PRODUCT_NAMES = {"saas": "SaaS", "managed": "Managed", "cluster": "Managed cluster"}


# --- what the table set and the holidays package say ------------------------------------------

def plans(tables: Any = None) -> dict[str, str]:
    """Plans of table ``support_response_times``, in table order: key -> name."""
    return {p: p.capitalize() for p in pd.unique(resolve(tables)["support_response_times"]["plan"])}


def severities(tables: Any = None) -> dict[int, str]:
    """Severities of table ``support_severities``: level -> ``'1 critical'``."""
    frame = resolve(tables)["support_severities"]
    return {int(s): f"{int(s)} {n}" for s, n in zip(frame["severity"], frame["name"])}


def coverage_text(coverage: str, tables: Any = None) -> str:
    """A row of table ``support_hours`` in words: ``'08:00-17:00 local time on business days'``."""
    frame = resolve(tables)["support_hours"]
    row = frame[frame["coverage"] == coverage].iloc[0]
    zone = "local time" if row["time_zone"] == "local" else row["time_zone"]
    return f"{row['opens']}-{row['closes']} {zone} on {str(row['days']).replace('_', ' ')}"


def _country_names() -> dict[str, str]:
    """ISO code (alpha-2 and alpha-3) -> country name, from the holidays registry."""
    names = {}
    for entry in holidays.registry.COUNTRIES.values():
        name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", entry[0])
        for code in entry[1:3]:
            names[code] = name
    return names


@functools.lru_cache(maxsize=1)
def countries() -> list[tuple[str, str]]:
    """``(name, ISO alpha-2 code)`` of every country the ``holidays`` package
    knows, by name: ``('Austria', 'AT')``."""
    names = _country_names()
    codes = holidays.list_supported_countries(include_aliases=False)
    return sorted(((names.get(code, code), code) for code in codes), key=lambda o: o[0])


@functools.lru_cache(maxsize=64)
def subdivisions(country: str | None) -> list[tuple[str, str]]:
    """``(name, code)`` of a country's subdivisions, named as the ``holidays``
    package names them (``('Burgenland', '1')`` for Austria); empty without a country."""
    if not country:
        return []
    calendar = holidays.country_holidays(country)
    aliases = calendar.get_subdivision_aliases()
    return [(aliases.get(code, [code])[0] if aliases.get(code) else code, code) for code in calendar.subdivisions]


def parse_closures(text: str) -> list[dt.date]:
    """Extra closure dates from ``'2025-12-24, 2025-12-31'`` (commas, spaces or
    semicolons between ISO dates).

    Raises
    ------
    ValueError
        Naming the first text that is not a date.
    """
    dates = []
    for part in re.split(r"[,;\s]+", text.strip()):
        if part:
            try:
                dates.append(dt.date.fromisoformat(part))
            except ValueError:
                raise ValueError(f"closure dates must be YYYY-MM-DD separated by commas; got {part!r}") from None
    return dates


def _bounded(label: str, value: Any) -> None:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not isinstance(day, dt.date):
        raise ValueError(f"{label}: enter a date")
    policy.check_day(label, day)


# --- inputs and compute ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ticket:
    """A ticket: when it was opened (local wall time in ``tz``) and where."""

    opened: dt.datetime
    severity: int
    tz: str
    country: str | None = None
    subdiv: str | None = None
    closures: tuple[dt.date, ...] = ()
    government: bool = False


@dataclass(frozen=True)
class TicketView:
    """Deadlines per plan (``deadlines``: see :func:`deadlines`) and the open
    intervals between opening and the later deadline, local wall time."""

    ticket: Ticket
    deadlines: pd.DataFrame
    business_hours: list[tuple[pd.Timestamp, pd.Timestamp]]
    government_window: list[tuple[pd.Timestamp, pd.Timestamp]]
    received: pd.Timestamp


def deadlines(opened: Any, severity: int, *, tz: str, country: str | None = None, subdiv: str | None = None,
              closures: Iterable[Any] = (), government: bool = False, tables: Any = None) -> pd.DataFrame:
    """The deadline of one ticket under each plan (:func:`planner.support.response_deadline`).

    Returns
    -------
    DataFrame
        One row per plan: ``plan``, ``target`` (the policy's wording),
        ``deadline`` (aware, in ``tz``) and ``after`` (time from opening).
        ``government`` applies to the government plan's row only.
    """
    table = readmodel.deadlines(opened, tz=tz, severities=[severity], country=country,
                                subdiv=subdiv, closures=closures, government=government, tables=tables)
    table["target"] = [t + (" (government window)" if gov else "") for t, gov in zip(table["target"],
                                                                                    table["government"])]
    return table[["plan", "target", "deadline", "after"]]


def ticket_view(ticket: Ticket, tables: Any = None) -> TicketView:
    """Deadlines and the calendar between opening and the later deadline."""
    _bounded("Opened", ticket.opened)
    for day in ticket.closures:
        _bounded("Extra closure dates", day)
    args = {"tz": ticket.tz, "country": ticket.country, "subdiv": ticket.subdiv, "closures": ticket.closures}
    table = deadlines(ticket.opened, ticket.severity, government=ticket.government, tables=tables, **args)
    received = table["deadline"].iloc[0] - table["after"].iloc[0]
    last = max(table["deadline"])
    hours = open_intervals(received, last, tables=tables, **args)
    window = open_intervals(received, last, tz=ticket.tz, coverage=policy.GOVERNMENT,
                            tables=tables) if ticket.government else []
    return TicketView(ticket, table, hours, window, received)


@dataclass(frozen=True)
class Release:
    """A version's release date and product."""

    released: dt.date
    product: str


@dataclass(frozen=True)
class ReleaseView:
    """End of support of a release: per plan of the product, and every row of
    table ``version_support`` (``table``, formatted)."""

    release: Release
    ends: dict[str, dt.date]
    months: dict[str, int]
    table: pd.DataFrame


def version_table(released: Any, *, tables: Any = None) -> pd.DataFrame:
    """End of support of a version released on ``released``, per product and plan
    (:func:`planner.engine.readmodel.end_of_support_rows`), formatted."""
    names = plans(tables)
    rows = readmodel.end_of_support_rows(released, tables=tables)
    return pd.DataFrame([{"Product": PRODUCT_NAMES.get(r.product, r.product), "Plan": names.get(r.plan, r.plan),
                          "Supported for": fmt.quantity(r.months, "months"), "Last day supported": fmt.day(r.end_of_support)}
                         for r in rows.itertuples()])


def release_view(release: Release, tables: Any = None) -> ReleaseView:
    """End of support of ``release`` under each plan."""
    _bounded("Release date", release.released)
    frame = resolve(tables)["version_support"]
    rows = frame[frame["product"] == release.product]
    ends = {p: policy.end_of_support(release.released, release.product, p, tables=tables) for p in rows["plan"]}
    months = dict(zip(rows["plan"], rows["months"].astype(int)))
    return ReleaseView(release, ends, months, version_table(release.released, tables=tables))


# --- render helpers (pure) ----------------------------------------------------------------------------

def _plan_name(plan: str, government: bool, tables: Any) -> str:
    for_government = government and plan == policy.government_plan(tables)
    return plans(tables).get(plan, plan) + (" for Government" if for_government else "")


def timeline_figure(view: TicketView, tables: Any = None) -> go.Figure:
    """Business hours (and the government window) between opening and the later
    deadline, with each plan's wait drawn as a bar."""
    t = view.ticket
    rows: list[dict[str, Any]] = [
        {"row": "Business hours", "start": a, "end": b, "color": "#94a3b8",
         "label": f"Business hours ({coverage_text(policy.BUSINESS_HOURS, tables)})"} for a, b in view.business_hours]
    rows += [{"row": "Government window", "start": a, "end": b, "color": "#cbd5e1",
              "label": f"Government window ({coverage_text(policy.GOVERNMENT, tables)})"}
             for a, b in view.government_window]
    local = view.received.tz_localize(None)
    events = []
    for k, row in enumerate(view.deadlines.itertuples()):
        name = _plan_name(row.plan, t.government, tables)
        rows.append({"row": name, "start": local, "end": row.deadline.tz_localize(None),
                     "color": figures.PALETTE[k % len(figures.PALETTE)], "label": f"{name}: {row.target}"})
        events.append((row.deadline.tz_localize(None), name, f"due {row.deadline.strftime('%a %H:%M')}"))
    events.append((local, "Business hours", "opened"))
    fig = figures.timeline(rows, title=f"From opening ({fmt.timestamp(view.received)}) to the response deadlines",
                           tz=t.tz, events=events)
    fig.update_yaxes(title_text="Plan", title_standoff=16)
    return fig


def _targets_text(tables: Any) -> pd.DataFrame:
    frame = policy.response_targets(tables=tables)
    wide = frame.pivot(index="severity", columns="plan", values="target")
    names = severities(tables)
    return pd.DataFrame({"Severity": [names[s] for s in wide.index],
                         **{name: wide[plan].to_numpy() for plan, name in plans(tables).items()}})


# --- the page -------------------------------------------------------------------------------------------

@dataclass
class _Page:
    tables: Any
    messages: MessageArea
    w: dict[str, Any] = dataclasses.field(default_factory=dict)


def _subdiv_options(country: str | None) -> list[tuple[str, str]]:
    return [("whole country", "")] + subdivisions(country)


def _widgets(page: _Page, opened: dt.datetime, tz: str, severity: int, country: str | None,
             released: dt.date) -> dict[str, Any]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    plan_names = list(plans(page.tables).items())
    return {
        "opened": control(widgets.NaiveDatetimePicker(value=opened), "opened"),
        "timezone": control(widgets.Dropdown(options=zones, value=tz), "timezone"),
        "severity": control(widgets.Dropdown(options=[(v, k) for k, v in severities(page.tables).items()],
                                             value=severity), "severity"),
        "country": control(widgets.Dropdown(options=[("none (weekends only)", "")] + countries(),
                                            value=country or ""), "country"),
        "subdivision": control(widgets.Dropdown(options=_subdiv_options(country)), "subdivision"),
        "government": control(widgets.Checkbox(value=False, indent=False,
                                               description=f"{_plan_name(policy.government_plan(page.tables), True, page.tables)}"),
                              "government"),
        "closures": control(widgets.Text(value="", placeholder="2025-12-24, 2025-12-31"), "closures"),
        "released": control(widgets.DatePicker(value=released), "released"),
        "product": control(widgets.Dropdown(options=[(PRODUCT_NAMES.get(p, p), p) for p in pd.unique(
            resolve(page.tables)["version_support"]["product"])], value="saas"), "product"),
        "deadline_cards": {plan: KpiCard(f"{plan}-deadline", f"{name}: respond by") for plan, name in plan_names},
        "eos_cards": {plan: KpiCard(f"eos-{plan}", f"Supported until ({name})") for plan, name in plan_names},
        "timeline": chart("timeline"), "targets": Table("targets", _targets_text(page.tables)),
        "versions": Table("version-support")}


def _ticket(page: _Page) -> Ticket:
    w = page.w
    if w["opened"].value is None:
        raise ValueError("Opened: enter the date and time the ticket was opened.")
    return Ticket(w["opened"].value, w["severity"].value, w["timezone"].value, w["country"].value or None,
                  w["subdivision"].value or None, tuple(parse_closures(w["closures"].value)), w["government"].value)


def _show_ticket(page: _Page) -> None:
    view = ticket_view(_ticket(page), page.tables)
    for row in view.deadlines.itertuples():
        card = page.w["deadline_cards"][row.plan]
        card.label = f"{_plan_name(row.plan, view.ticket.government, page.tables)}: respond by"
        card.set_text(fmt.timestamp(row.deadline), f"{row.target}; {fmt.duration(row.after)} after opening")
    show_figure(page.w["timeline"], timeline_figure(view, page.tables))


def _show_release(page: _Page) -> None:
    w = page.w
    if w["released"].value is None:
        raise ValueError("Release date: enter the version's release date.")
    view = release_view(Release(w["released"].value, w["product"].value), page.tables)
    product = PRODUCT_NAMES.get(view.release.product, view.release.product)
    for plan, card in w["eos_cards"].items():
        card.label = f"{product} supported until ({plans(page.tables)[plan]})"
        card.set_text(fmt.day(view.ends[plan]), f"{fmt.quantity(view.months[plan], 'months')} after release")
    w["versions"].update(view.table)


def _wire(page: _Page) -> None:
    w = page.w
    on_ticket_error = guard_figures(page.messages, w["deadline_cards"].values())

    @on_ticket_error
    def on_ticket(change: Any = None) -> None:
        _show_ticket(page)

    @on_ticket_error
    def on_country(change: Any = None) -> None:
        with silenced(on_ticket, w["subdivision"]):
            w["subdivision"].options = _subdiv_options(w["country"].value or None)
            w["subdivision"].value = ""
        _show_ticket(page)

    @guard_figures(page.messages, w["eos_cards"].values())
    def on_release(change: Any = None) -> None:
        _show_release(page)

    for key in ("opened", "timezone", "severity", "subdivision", "government", "closures"):
        w[key].observe(on_ticket, "value")
    w["country"].observe(on_country, "value")
    w["released"].observe(on_release, "value")
    w["product"].observe(on_release, "value")
    on_ticket()
    on_release()


def _layout(page: _Page) -> Dashboard:
    w, t = page.w, page.tables
    controls = [
        widgets.HTML("<h3>Ticket</h3>"),
        field("Opened (local time)", w["opened"]),
        field("Time zone", w["timezone"]),
        field("Severity", w["severity"]),
        field("Country (public holidays)", w["country"]),
        field("Subdivision", w["subdivision"]),
        field("Extra closure dates", w["closures"], "YYYY-MM-DD, separated by commas."),
        w["government"],
        widgets.HTML("<h3>Version support</h3>"),
        field("Release date", w["released"]),
        field("Product", w["product"]),
    ]
    main = [
        note(f"Initial Contact SLA of the Dynatrace Support Policy: business hours "
             f"{html.escape(coverage_text(policy.BUSINESS_HOURS, t))}; public holidays from the holidays package "
             f"(version {html.escape(holidays.__version__)}).", name="policy"),
        kpi_row(*w["deadline_cards"].values()),
        w["timeline"],
        section("Response targets", w["targets"]),
        kpi_row(*w["eos_cards"].values()),
        section("Version support from the release date", w["versions"]),
    ]
    return Dashboard("support", "Ticket deadlines and version support",
                     "When must Dynatrace answer a ticket, under each support plan, and how long is a version "
                     "supported?", controls, main, page.messages)


def dashboard(opened: dt.datetime = dt.datetime(2025, 3, 10, 15, 0), *, tz: str = "Europe/Vienna",
              severity: int = 1, country: str | None = "AT", released: dt.date = dt.date(2025, 3, 10),
              tables: Any = None) -> Dashboard:
    """The support page, starting from one ticket and one release date."""
    page = _Page(resolve(tables), MessageArea())
    page.w = _widgets(page, opened, tz, severity, country, released)
    _wire(page)
    return _layout(page)
