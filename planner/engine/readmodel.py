"""The read model: every figure a face shows, worked out once from the engine's output.

The engine (:func:`planner.engine.forecast`) returns tidy frames keyed by unit,
capability, driver and contract year. The faces (the command line, the
dashboards, the notebooks) show figures derived from them: the contract year
a date falls in, a driver's amount in a year, a pool's verdict, each LPAR
against its licence, the run-outs, the per-host table, the deadlines of a
support ticket. Each of those is derived here, once; a face only formats what
this module returns (numbers with :func:`planner.units.decimals`, sentences
with :mod:`planner.explain`).

Pure code: no widgets, no argparse, no formatting of numbers.

Contract years (:func:`year_spans`): year 1 starts on the contract's start
date and each year on its anniversary (:mod:`planner.pools`). The days of the
horizon before the contract starts are **year 0**. A year's span is the part
of it the horizon covers, so a horizon that ends inside a year labels that
year by the days it covers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from planner.model import MoveHosts, Scenario, SetValues
from planner.pools import anniversaries
from planner.sections import REQUIRED, SECTIONS, Calendar, DriverDays
from planner.units import UNITS, decimals as unit_decimals

__all__ = [
    "YearSpan", "year_spans", "contract_year_of", "contract_years_of", "year_span", "cumulative", "consumption",
    "amount", "UnitYear", "unit_years",
    "units_of", "Lpar", "lpar_verdicts", "RUN_OUT_CODES", "RunOut", "run_outs", "InForce", "in_force", "later_sets",
    "hosts_on", "PER_HOST", "per_host_decimals",
    "host_defaults", "section_defaults", "DDU_SECTIONS", "deadlines", "end_of_support_rows",
    "comparison", "Deltas", "deltas",
]


# --- contract years ---------------------------------------------------------------------------

@dataclass(frozen=True)
class YearSpan:
    """One contract year as far as the horizon covers it.

    Attributes
    ----------
    year : int
        0 for the days before the contract starts, then 1, 2, ...
    start, end : Timestamp
        First and last day of the year inside the horizon.
    whole : bool
        True when the horizon covers the whole contract year.
    own_end : Timestamp
        The contract year's own last day (the day before the next
        anniversary; for year 0 the day before the contract starts).
    """

    year: int
    start: pd.Timestamp
    end: pd.Timestamp
    whole: bool
    own_end: pd.Timestamp

    @property
    def days(self) -> int:
        """Days of the year inside the horizon [days]."""
        return int((self.end - self.start).days) + 1


def _bounds(scenario: Scenario) -> np.ndarray:
    """Anniversaries from the contract's start until past the horizon's end (datetime64)."""
    contract = scenario.contract
    last = max(scenario.end, contract.start).to_datetime64()
    years = contract.term_years
    while anniversaries(contract.start, years)[-1] <= last:
        years += 1
    return anniversaries(contract.start, years)


def contract_year_of(scenario: Scenario, date: Any) -> int:
    """The contract year of ``date`` (0 before the contract starts), as
    :meth:`planner.engine.Forecast.yearly` counts it."""
    return int(np.searchsorted(_bounds(scenario), pd.Timestamp(date).to_datetime64(), side="right"))


def contract_years_of(scenario: Scenario, dates: Any) -> np.ndarray:
    """:func:`contract_year_of` of many dates at once (an array of ints)."""
    days = pd.DatetimeIndex(dates).to_numpy()
    return np.searchsorted(_bounds(scenario), days, side="right").astype(int)


def year_spans(scenario: Scenario) -> tuple[YearSpan, ...]:
    """The contract years the horizon touches, year 0 first when the horizon
    begins before the contract, each bounded by the horizon."""
    bounds = _bounds(scenario)
    first, last = scenario.start, scenario.end
    out = []
    for year in range(contract_year_of(scenario, first), contract_year_of(scenario, last) + 1):
        own_start = pd.Timestamp(bounds[year - 1]) if year else None
        own_end = pd.Timestamp(bounds[year]) - pd.Timedelta(days=1)
        start = first if own_start is None else max(first, own_start)
        end = min(last, own_end)
        out.append(YearSpan(year, start, end, own_start is not None and start == own_start and end == own_end,
                            own_end))
    return tuple(out)


def year_span(scenario: Scenario, year: int) -> YearSpan:
    """The :class:`YearSpan` of ``year``; a ValueError names the years the horizon has."""
    spans = {s.year: s for s in year_spans(scenario)}
    if year not in spans:
        raise ValueError(f"year must be one of the horizon's contract years {list(spans)}; got {year!r}")
    return spans[year]


# --- figures per unit, driver and year --------------------------------------------------------

def consumption(f: Any, year: int, by: str | None = None) -> pd.DataFrame:
    """Contract year ``year`` of a forecast: index unit (and ``by``: 'driver'
    or 'capability'), column ``value`` [unit; flows summed, peaks their
    highest day] -- :meth:`planner.engine.Forecast.yearly`, the table
    ``planner forecast --by`` prints."""
    group = ("unit",) if by is None else ("unit", by)
    if by is None:
        table = f.yearly()
        row = table.loc[year] if year in table.index else pd.Series(dtype=float)
        return row.rename("value").rename_axis("unit").to_frame()
    table = f.yearly(group)
    rows = table[table["contract_year"] == year]
    return rows.set_index(list(group))[["value"]]


def amount(f: Any, year: int, unit: str, *, driver: str | None = None, capability: str | None = None) -> float:
    """One figure of contract year ``year``: ``unit`` of the whole estate, of
    one ``driver`` or of one ``capability`` (0 where nothing is consumed) [unit]."""
    if driver is not None and capability is not None:
        raise ValueError("amount takes a driver or a capability, not both")
    by = "driver" if driver is not None else "capability" if capability is not None else None
    table = consumption(f, year, by)
    key = unit if by is None else (unit, driver if driver is not None else capability)
    return float(table["value"].get(key, 0.0)) if len(table) else 0.0


@dataclass(frozen=True)
class UnitYear:
    """One unit in one contract year, with its pool's verdict.

    Attributes
    ----------
    unit : str
    year : int
    span : YearSpan
        The days of the year inside the horizon.
    consumption : float
        A flow summed over the year, a peak unit's highest day [unit].
    bought_as : {'annual', 'licence'} or None
        How the contract buys the unit (None: it does not, or year 0).
    amount, contracted : float
        The year's amount including top-ups, and the contract's own annual
        amount or licensed quantity [unit]; NaN without a pool.
    remaining, extra_needed : float
        From :meth:`planner.engine.Forecast.pools` [unit]; NaN without a pool.
    run_out : Timestamp or NaT
        The day an annual pool runs out, or the first day above a licence.
    price : float or None
        Per unit [currency].
    cost : float
        ``consumption_cost`` of :meth:`planner.engine.Forecast.pools` [currency]; NaN without a price.
    """

    unit: str
    year: int
    span: YearSpan
    consumption: float
    bought_as: str | None = None
    amount: float = np.nan
    contracted: float = np.nan
    remaining: float = np.nan
    run_out: Any = pd.NaT
    extra_needed: float = np.nan
    price: float | None = None
    cost: float = np.nan

    @property
    def start(self) -> pd.Timestamp:
        return self.span.start

    @property
    def end(self) -> pd.Timestamp:
        return self.span.end

    @property
    def peak(self) -> bool:
        """True for a peak unit (host units in use, MSU)."""
        return UNITS[self.unit].kind == "peak"

    @property
    def top_ups(self) -> float:
        """Top-ups bought in the year [unit] (0 without a pool)."""
        return 0.0 if np.isnan(self.amount) else float(self.amount - self.contracted)

    @property
    def share(self) -> float:
        """Consumption as a share of the amount (NaN without a pool)."""
        return self.consumption / self.amount if self.amount else np.nan


def units_of(f: Any) -> list[str]:
    """Units of a forecast in the registry's order: those the contract buys first."""
    contract = f.scenario.contract
    present = set(f.daily["unit"].unique())
    bought = [u for u in UNITS if contract.bought(u) is not None]
    return bought + [u for u in UNITS if u in present and u not in bought]


def unit_years(f: Any, year: int) -> tuple[UnitYear, ...]:
    """Each unit of the forecast (:func:`units_of`) in contract year ``year``."""
    span = year_span(f.scenario, year)
    yearly = f.yearly()
    pools = f.pools().set_index(["unit", "year"])
    contract = f.scenario.contract
    out = []
    for unit in units_of(f):
        used = float(yearly.loc[year, unit]) if unit in yearly and year in yearly.index else 0.0
        bought = contract.bought(unit)
        if bought is None or (unit, year) not in pools.index:
            out.append(UnitYear(unit, year, span, used))
            continue
        row = pools.loc[(unit, year)]
        licence = unit in contract.licences
        out.append(UnitYear(unit, year, span, used, "licence" if licence else "annual", float(row["amount"]),
                            float(bought.quantity if licence else bought.annual), float(row["remaining"]),
                            row["run_out"], float(row["extra_needed"]), bought.price,
                            float(row["consumption_cost"]) if "consumption_cost" in row.index else np.nan))
    return tuple(out)


def cumulative(f: Any, unit: str) -> pd.DataFrame:
    """A flow unit's consumption since the start of each contract year (year 0
    left out: the chart of a pool's years), per day: index date, columns
    ``consumption``, ``year`` and ``cumulative`` [unit]."""
    daily = f.daily_totals()[unit]
    frame = pd.DataFrame({"consumption": daily, "year": contract_years_of(f.scenario, daily.index)})
    frame = frame[frame["year"] > 0].copy()
    frame["cumulative"] = frame.groupby("year")["consumption"].cumsum()
    return frame


# --- mainframe: each LPAR against its own licence ---------------------------------------------

@dataclass(frozen=True)
class Lpar:
    """One mainframe LPAR against its licensed MSU (:meth:`planner.engine.Forecast.mainframe`).

    ``peak_msu`` is the highest monthly peak of the period [MSU];
    ``months_over`` the months in which the peak is above the licence.
    """

    name: str
    licensed_msu: float
    peak_msu: float
    months_over: int
    first_month_over: pd.Period | None


def lpar_verdicts(f: Any, year: int | None = None) -> tuple[Lpar, ...]:
    """Each LPAR against its own licence: over the horizon, or over the months
    that begin in contract year ``year`` (inside the horizon)."""
    if not f.scenario.drivers_of("mainframe"):
        return ()
    months = f.mainframe()
    if year is not None:
        span = year_span(f.scenario, year)
        begins = months["month"].dt.start_time
        months = months[(begins >= span.start) & (begins <= span.end)]
    out = []
    for name, rows in months.groupby("driver", sort=False):
        over = rows.loc[rows["over_licence"], "month"]
        out.append(Lpar(str(name), float(rows["licensed_msu"].iloc[0]), float(rows["peak_msu"].max()),
                        int(len(over)), over.min() if len(over) else None))
    return tuple(out)


# --- run-outs, with reason codes (sentences: planner.explain.run_out_sentence) -----------------

#: Reason codes of :class:`RunOut`.
RUN_OUT_CODES = ("pool_runs_out", "above_licence", "lpar_above_licence")


@dataclass(frozen=True)
class RunOut:
    """A pool that runs out, a licence exceeded, or an LPAR above its licence.

    ``code`` is one of :data:`RUN_OUT_CODES`; ``what`` the unit (or the LPAR's
    name); ``when`` the run-out day (a Timestamp) or for an LPAR the first month
    over (a Period); ``amount`` the extra needed [unit] or the LPAR's licence
    [MSU]; ``months`` the LPAR's months over its licence.
    """

    code: str
    what: str
    year: int | None
    when: Any
    amount: float
    months: int = 0

    @property
    def unit(self) -> str:
        return "msu" if self.code == "lpar_above_licence" else self.what


def run_outs(f: Any) -> tuple[RunOut, ...]:
    """Every pool and contract year that runs out, each licence exceeded, and
    each LPAR above its licence over the horizon: the engine's verdicts."""
    out = []
    for row in f.pools().itertuples():
        if not pd.isna(row.run_out):
            code = "above_licence" if row.unit in f.scenario.contract.licences else "pool_runs_out"
            out.append(RunOut(code, row.unit, int(row.year), row.run_out, float(row.extra_needed)))
    for p in () if f.scenario.contract.dps else lpar_verdicts(f):   # a DPS contract licenses no MSU
        if p.first_month_over is not None:
            out.append(RunOut("lpar_above_licence", p.name, None, p.first_month_over, p.licensed_msu, p.months_over))
    return tuple(out)


# --- values in force: the scenario's dated changes against a page's control --------------------

@dataclass(frozen=True)
class InForce:
    """A driver's field on a day: its ``value``, ``since`` when (None: the
    driver's own value, from the horizon's start) and the change that set it
    (None: no dated change)."""

    value: Any
    since: pd.Timestamp | None
    change: SetValues | None


def in_force(scenario: Scenario, driver: str, field: str, date: Any) -> InForce:
    """The value of ``driver``'s ``field`` on ``date``: the last dated ``set``
    of it on or before that day, else the driver's own value (as the engine
    applies them, :class:`planner.sections.DriverDays`)."""
    day = pd.Timestamp(date)
    last = None
    for change in scenario.changes:
        if isinstance(change, SetValues) and change.driver == driver and field in change.values \
                and change.date <= day:
            last = change
    if last is None:
        return InForce(scenario.drivers[driver].values[field], None, None)
    return InForce(last.values[field], last.date, last)


def later_sets(scenario: Scenario, driver: str, field: str, after: Any) -> tuple[SetValues, ...]:
    """The dated ``set`` changes of ``driver``'s ``field`` after ``after``: they
    override a value given for the whole horizon from their date on."""
    day = pd.Timestamp(after)
    return tuple(c for c in scenario.changes if isinstance(c, SetValues) and c.driver == driver
                 and field in c.values and c.date > day)


def hosts_on(scenario: Scenario, group: str, date: Any) -> float:
    """Hosts of a count group on ``date`` before any move of that day, as the
    engine counts them (``count`` grown, re-based at each ``set``, less the
    hosts moved earlier, grown since) [hosts]; an inventory group's hosts."""
    driver = scenario.drivers[group]
    if driver.inventory is not None:
        return float(len(driver.inventory))
    cal = Calendar.of(scenario.start, scenario.end)
    rate = driver.growth.monthly() if driver.growth else 0.0
    sets = [c for c in scenario.changes if isinstance(c, SetValues) and c.driver == group]
    days = DriverDays(driver, sets, [], cal.growth_factor(rate), cal, scenario.tables)
    count = days.level("count")[0]
    moved = 0.0
    day = pd.Timestamp(date)
    for move in (c for c in scenario.changes if isinstance(c, MoveHosts) and c.driver == group and c.date < day):
        i = cal.index(move.date)
        moved += move.count * days.factor[0, cal.index(day)] / days.factor[0, i]
    return float(count[cal.index(day)] - moved)


# --- per-host table, defaults and sections from the registries ---------------------------------

#: Per-host columns of :func:`planner.sections.inventory_amounts` and the unit
#: whose decimals each is shown with (None: a count, 0 decimals).
PER_HOST = {"host_units": "host_units", "included_custom_metrics": None,
            "host_unit_hours_per_day": "host_unit_hours", "custom_metric_ddu_per_day": "ddu",
            "asu_per_day": "asu"}


def per_host_decimals(tables: Any = None) -> dict[str, int]:
    """Decimals of each per-host column (:data:`PER_HOST`, the columns of
    :data:`planner.sections.INVENTORY_AMOUNTS`):
    the unit's decimals of :func:`planner.units.decimals`, 0 for counts."""
    places = unit_decimals(tables)
    return {column: 0 if unit is None else places[unit] for column, unit in PER_HOST.items()}


def section_defaults(section: str, *, leave_out: Iterable[str] = ("name", "growth", "inventory")) -> dict[str, Any]:
    """The registry's default of every field of ``section`` but ``leave_out``
    (:data:`planner.sections.SECTIONS`); a required field is left out too."""
    skip = set(leave_out)
    return {k: d for k, (_, d) in SECTIONS[section].fields.items() if k not in skip and d is not REQUIRED}


def host_defaults() -> dict[str, Any]:
    """Default fields of a host group (``hosts`` section) other than count and RAM."""
    return section_defaults("hosts")


#: Sections that consume Davis data units only (Grail, traces, events, ...), in the registry's order.
DDU_SECTIONS = tuple(k for k, s in SECTIONS.items() if s.capabilities and all(c.unit == "ddu" for c in s.capabilities))


# --- support: deadlines per plan, end of support ------------------------------------------------

def deadlines(opened: Any, *, tz: str, severities: Sequence[Any] | None = None, plans: Sequence[str] | None = None,
              country: str | None = None, subdiv: str | None = None, closures: Iterable[Any] = (),
              government: bool = False, tables: Any = None) -> pd.DataFrame:
    """Initial-response deadlines of one ticket per plan and severity
    (:func:`planner.support.response_deadline`).

    ``government`` applies the government coverage window to the government
    plan's rows (:func:`planner.support.government_plan`); without ``plans``
    the other plans' deadlines are their own, and a plan named in ``plans``
    with ``government`` is refused by the policy unless it is the government plan.

    Returns
    -------
    DataFrame
        ``plan``, ``severity``, ``name``, ``target``, ``government`` (bool),
        ``deadline`` (aware, in ``tz``) and ``after`` (time from opening).
    """
    from planner import support
    gov_plan = support.government_plan(tables)
    targets = support.response_targets(tables=tables)
    if plans is not None:
        targets = targets[targets["plan"].isin([support._plan(p, targets) for p in plans])]
    if severities is not None:
        levels = [support.severity_level(s, tables=tables) for s in severities]
        targets = targets[targets["severity"].isin(levels)]
    closures = list(closures)
    rows = []
    for r in targets.itertuples():
        # plans named: the policy refuses the window for another plan, with its own message
        gov = bool(government and (r.plan == gov_plan or plans is not None))
        due = support.response_deadline(opened, r.severity, r.plan, tz=tz, country=country, subdiv=subdiv,
                                        closures=closures, government=gov, tables=tables)
        rows.append({"plan": r.plan, "severity": int(r.severity), "name": r.name, "target": r.target,
                     "government": gov, "deadline": due})
    table = pd.DataFrame(rows, columns=["plan", "severity", "name", "target", "government", "deadline"])
    received = pd.Timestamp(opened)
    received = received.tz_localize(tz) if received.tzinfo is None else received.tz_convert(tz)
    table["after"] = table["deadline"] - received if len(table) else pd.Series(dtype="timedelta64[ns]")
    return table


def end_of_support_rows(released: Any, *, product: str | None = None, plan: str | None = None,
                        tables: Any = None) -> pd.DataFrame:
    """End of support of a version released on ``released``, per product and
    plan of table ``version_support`` (``product`` / ``plan`` keep one), by
    :func:`planner.support.end_of_support`, which checks the inputs.

    Returns
    -------
    DataFrame
        ``product``, ``plan``, ``months`` and ``end_of_support`` (a date).
    """
    from planner import support
    from planner.tableset import resolve
    frame = resolve(tables)["version_support"]
    # the policy checks the date, product and plan first, with its own messages
    support.end_of_support(released, product or frame["product"].iloc[0], plan or frame["plan"].iloc[0],
                           tables=tables)
    keep = np.ones(len(frame), dtype=bool)
    if product is not None:
        keep &= frame["product"].to_numpy() == product.strip().lower()
    if plan is not None:
        keep &= frame["plan"].to_numpy() == plan.strip().lower()
    rows = [{"product": r.product, "plan": r.plan, "months": int(r.months),
             "end_of_support": support.end_of_support(released, r.product, r.plan, tables=tables)}
            for r in frame[keep].itertuples()]
    return pd.DataFrame(rows, columns=["product", "plan", "months", "end_of_support"])


# --- sizing and comparison ------------------------------------------------------------------------

def comparison(forecasts: Sequence[Any]) -> dict[str, pd.DataFrame]:
    """:func:`planner.engine.compare` of the forecasts (the first is the baseline)."""
    from planner.engine import compare
    return compare(*forecasts)


@dataclass(frozen=True)
class Deltas:
    """One unit of each compared scenario against the baseline (the first).

    ``year1``: the change in contract year 1; ``total``: over the horizon, a
    flow's change in total consumption, a peak unit's change of its highest
    contract year [unit]. Keyed by :func:`planner.engine.scenario_names`.
    """

    unit: str
    names: tuple[str, ...]
    year1: dict[str, float]
    total: dict[str, float]


def deltas(forecasts: Sequence[Any], unit: str) -> Deltas:
    """The :class:`Deltas` of ``unit`` (0 where a scenario does not consume it)."""
    from planner.engine import scenario_names
    names = tuple(scenario_names(forecasts))
    yearly = {}
    for name, f in zip(names, forecasts):
        table = f.yearly()
        yearly[name] = table[unit] if unit in table else pd.Series(0.0, index=table.index)
    base = names[0]
    year1 = {n: float(yearly[n].get(1, 0.0) - yearly[base].get(1, 0.0)) for n in names[1:]}
    if UNITS[unit].kind == "flow":
        whole = {n: float(yearly[n].sum()) for n in names}
    else:
        whole = {n: float(yearly[n].max()) if len(yearly[n]) else 0.0 for n in names}
    return Deltas(unit, names, year1, {n: whole[n] - whole[base] for n in names[1:]})
