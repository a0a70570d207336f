"""Support dashboard: the initial-response deadline of a ticket under Standard
and Enterprise Support side by side (:func:`planner.support.response_deadline`),
a timeline of the business hours between opening and deadline, and the end of
support of a version (:func:`planner.support.end_of_support`).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
import zoneinfo
from collections.abc import Iterable
from typing import Any

import holidays
import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from planner import support as policy
from planner.support import open_intervals
from planner.tableset import resolve
from planner.ui import figures
from planner.ui import format as fmt
from planner.ui.widgets import (
    Dashboard, KpiCard, MessageArea, Table, chart, control, field, guard, kpi_row, note, section,
    show_figure,
)

__all__ = ["PLANS", "PRODUCTS", "countries", "subdivisions", "parse_closures",
           "deadlines", "timeline_figure", "version_table", "dashboard"]

PLANS = {"standard": "Standard", "enterprise": "Enterprise"}
PRODUCTS = {"saas": "SaaS", "managed": "Managed", "cluster": "Managed cluster"}
SEVERITIES = {1: "1 critical", 2: "2 high", 3: "3 medium", 4: "4 low"}
_PLAN_COLORS = {"standard": "#1d4ed8", "enterprise": "#ea580c"}


@functools.lru_cache(maxsize=1)
def countries() -> list[tuple[str, str]]:
    """``(label, ISO code)`` of every country the ``holidays`` package knows."""
    names = {v[1]: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", v[0]) for v in holidays.registry.COUNTRIES.values()}
    return sorted(((f"{code} {names.get(code, '')}".strip(), code)
                   for code in holidays.list_supported_countries()), key=lambda o: o[1])


def subdivisions(country: str | None) -> list[str]:
    """Subdivision codes of a country (empty without a country)."""
    return [] if not country else list(holidays.list_supported_countries().get(country, []))


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


def deadlines(opened: Any, severity: int, *, tz: str, country: str | None = None, subdiv: str | None = None,
              closures: Iterable[Any] = (), government: bool = False, tables: Any = None) -> pd.DataFrame:
    """The deadline of one ticket under each plan.

    Returns
    -------
    DataFrame
        One row per plan: ``plan``, ``target`` (the policy's wording),
        ``deadline`` (aware, in ``tz``) and ``after`` (time from opening).
        ``government`` applies to the Enterprise row only.
    """
    targets = policy.response_targets(tables=tables)
    closures = list(closures)
    rows = []
    for plan in PLANS:
        gov = government and plan == policy.GOVERNMENT_PLAN
        due = policy.response_deadline(opened, severity, plan, tz=tz, country=country, subdiv=subdiv,
                                       closures=closures, government=gov, tables=tables)
        target = targets[(targets["plan"] == plan) & (targets["severity"] == severity)]["target"].iloc[0]
        received = pd.Timestamp(opened)
        received = received.tz_localize(tz) if received.tzinfo is None else received.tz_convert(tz)
        rows.append({"plan": plan, "target": target + (" (government window)" if gov else ""),
                     "deadline": due, "after": due - received})
    return pd.DataFrame(rows)


def timeline_figure(opened: Any, table: pd.DataFrame, *, tz: str, country: str | None = None,
                    subdiv: str | None = None, closures: Iterable[Any] = (), government: bool = False,
                    tables: Any = None) -> go.Figure:
    """Business hours (and the government window) between opening and the later
    deadline, with each plan's wait drawn as a bar."""
    received = pd.Timestamp(opened)
    received = received.tz_localize(tz) if received.tzinfo is None else received.tz_convert(tz)
    last = max(table["deadline"])
    closures = list(closures)
    rows: list[dict[str, Any]] = []
    for a, b in open_intervals(received, last, tz=tz, country=country, subdiv=subdiv, closures=closures,
                               tables=tables):
        rows.append({"row": "Business hours", "start": a, "end": b, "color": "#94a3b8",
                     "label": "Business hours (08:00-17:00 on business days)"})
    if government:
        for a, b in open_intervals(received, last, tz=tz, coverage="government", tables=tables):
            rows.append({"row": "Government window", "start": a, "end": b, "color": "#cbd5e1",
                         "label": "Government window (08:00-20:00 America/New_York, every day)"})
    events = []
    local = received.tz_localize(None)
    for row in table.itertuples():
        name = PLANS[row.plan] + (" for Government" if government and row.plan == "enterprise" else "")
        rows.append({"row": name, "start": local, "end": row.deadline.tz_localize(None),
                     "color": _PLAN_COLORS[row.plan], "label": f"{name}: {row.target}"})
        events.append((row.deadline.tz_localize(None), name, f"due {row.deadline.strftime('%a %H:%M')}"))
    events.append((local, "Business hours", "opened"))
    fig = figures.timeline(rows, title=f"From opening ({fmt.timestamp(received)}) to the response deadlines",
                           tz=tz, events=events)
    fig.update_yaxes(title_text="Plan", title_standoff=16)
    return fig


def version_table(released: Any, *, tables: Any = None) -> pd.DataFrame:
    """End of support of a version released on ``released``, per product and plan."""
    frame = resolve(tables)["version_support"]
    rows = []
    for row in frame.itertuples():
        end = policy.end_of_support(released, row.product, row.plan, tables=tables)
        rows.append({"Product": PRODUCTS.get(row.product, row.product), "Plan": PLANS.get(row.plan, row.plan),
                     "Supported for": fmt.quantity(row.months, "months"), "Last day supported": fmt.day(end)})
    return pd.DataFrame(rows)


def dashboard(opened: dt.datetime = dt.datetime(2025, 3, 10, 15, 0), *, tz: str = "Europe/Vienna",
              severity: int = 1, country: str | None = "AT", released: dt.date = dt.date(2025, 3, 10),
              tables: Any = None) -> Dashboard:
    """The support page, starting from one ticket and one release date."""
    messages = MessageArea()
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    opened_pick = control(widgets.NaiveDatetimePicker(value=opened), "opened")
    zone_pick = control(widgets.Dropdown(options=zones, value=tz), "timezone")
    severity_pick = control(widgets.Dropdown(options=[(v, k) for k, v in SEVERITIES.items()], value=severity),
                            "severity")
    country_pick = control(widgets.Dropdown(options=[("none (weekends only)", "")] + countries(),
                                            value=country or ""), "country")
    subdiv_pick = control(widgets.Dropdown(options=_subdiv_options(country)), "subdivision")
    government = control(widgets.Checkbox(value=False, indent=False,
                                          description="Enterprise for Government"), "government")
    closures_pick = control(widgets.Text(value="", placeholder="2025-12-24, 2025-12-31"), "closures")
    released_pick = control(widgets.DatePicker(value=released), "released")
    product_pick = control(widgets.Dropdown(options=[(v, k) for k, v in PRODUCTS.items()], value="saas"),
                           "product")

    k_standard = KpiCard("standard-deadline", "Standard: respond by")
    k_enterprise = KpiCard("enterprise-deadline", "Enterprise: respond by")
    k_eos_standard = KpiCard("eos-standard", "Supported until (Standard)")
    k_eos_enterprise = KpiCard("eos-enterprise", "Supported until (Enterprise)")
    timeline = chart("timeline")
    targets = Table("targets")
    versions = Table("version-support")
    targets.update(_targets_text(tables))
    state = {"quiet": False}

    def show_ticket() -> None:
        if opened_pick.value is None:
            raise ValueError("Enter the date and time the ticket was opened.")
        closures = parse_closures(closures_pick.value)
        args = {"tz": zone_pick.value, "country": country_pick.value or None,
                "subdiv": subdiv_pick.value or None, "closures": closures}
        table = deadlines(opened_pick.value, severity_pick.value, government=government.value,
                          tables=tables, **args)
        for card, row in zip((k_standard, k_enterprise), table.itertuples()):
            card.label = f"{PLANS[row.plan]}{' for Government' if government.value and row.plan == 'enterprise' else ''}: respond by"
            card.set_text(fmt.timestamp(row.deadline), f"{row.target}; {fmt.duration(row.after)} after opening")
        show_figure(timeline, timeline_figure(opened_pick.value, table, government=government.value,
                                              tables=tables, **args))

    def show_versions() -> None:
        if released_pick.value is None:
            raise ValueError("Enter the version's release date.")
        product = product_pick.value
        for card, plan in ((k_eos_standard, "standard"), (k_eos_enterprise, "enterprise")):
            end = policy.end_of_support(released_pick.value, product, plan, tables=tables)
            card.label = f"{PRODUCTS[product]} supported until ({PLANS[plan]})"
            months = (pd.Timestamp(end).to_period("M") - pd.Timestamp(released_pick.value).to_period("M")).n
            card.set_text(fmt.day(end), f"{fmt.quantity(months, 'months')} after release")
        versions.update(version_table(released_pick.value, tables=tables))

    @guard(messages)
    def on_ticket(change: Any = None) -> None:
        if not state["quiet"]:
            show_ticket()

    @guard(messages)
    def on_country(change: Any = None) -> None:
        state["quiet"] = True
        try:
            subdiv_pick.options = _subdiv_options(country_pick.value or None)
            subdiv_pick.value = ""
        finally:
            state["quiet"] = False
        show_ticket()

    @guard(messages)
    def on_version(change: Any = None) -> None:
        show_versions()

    for w in (opened_pick, zone_pick, severity_pick, subdiv_pick, government, closures_pick):
        w.observe(on_ticket, "value")
    country_pick.observe(on_country, "value")
    released_pick.observe(on_version, "value")
    product_pick.observe(on_version, "value")
    show_ticket()
    show_versions()

    controls = [
        widgets.HTML("<h3>Ticket</h3>"),
        field("Opened (local time)", opened_pick),
        field("Time zone", zone_pick),
        field("Severity", severity_pick),
        field("Country (public holidays)", country_pick),
        field("Subdivision", subdiv_pick),
        field("Extra closure dates", closures_pick, "YYYY-MM-DD, separated by commas."),
        government,
        widgets.HTML("<h3>Version support</h3>"),
        field("Release date", released_pick),
        field("Product", product_pick),
    ]
    main = [
        note(f"Initial Contact SLA of the Dynatrace Support Policy; business hours 08:00-17:00 local time "
             f"on business days; holidays {html.escape(holidays.__version__)} (holidays package).",
             name="policy"),
        kpi_row(k_standard, k_enterprise),
        timeline,
        section("Response targets", targets),
        kpi_row(k_eos_standard, k_eos_enterprise),
        section("Version support from the release date", versions),
    ]
    return Dashboard("support", "Ticket deadlines and version support",
                     "When must Dynatrace answer a ticket, under Standard and Enterprise Support, and how "
                     "long is a version supported?", controls, main, messages)


def _subdiv_options(country: str | None) -> list[tuple[str, str]]:
    return [("whole country", "")] + [(s, s) for s in subdivisions(country)]


def _targets_text(tables: Any) -> pd.DataFrame:
    frame = policy.response_targets(tables=tables)
    wide = frame.pivot(index="severity", columns="plan", values="target")
    names = frame.drop_duplicates("severity").set_index("severity")["name"]
    return pd.DataFrame({"Severity": [f"{s} {names[s]}" for s in wide.index],
                         "Standard": wide["standard"].to_numpy(), "Enterprise": wide["enterprise"].to_numpy()})
