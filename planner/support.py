"""Support policy: initial-response deadlines and version-support windows.

Rules (Dynatrace Support Policy, effective 2024-01-04; read as in
docs/rules.md#support-policy). Every amount, clock, opening hour, time zone,
weekend day and plan is read from the tables ``support_response_times``,
``support_hours``, ``support_severities``, ``version_support`` and the rules
``support_weekend_days`` and ``support_government_plan``.

* Business hours are 08:00 to 17:00 local time on business days (policy,
  "Contacting Dynatrace Support": "Business Hours"; table ``support_hours`` row
  ``business_hours``). Business days exclude Saturdays, Sundays, the public
  holidays of the customer's country and, where given, subdivision (the
  ``holidays`` package, default category "public"), and any extra closure dates
  the caller lists (the policy's "Dynatrace corporate holidays"). Local time
  follows the time zone's daylight-saving rules: business time is counted on the
  local wall clock and the result is then placed in the time zone.
* Business hours run from the opening up to, not including, the close: a ticket
  received at exactly 17:00 is outside business hours. A clock that counts
  business time starts at the next business-hours opening when the ticket
  arrives outside business hours (docs/rules.md#business-hours).
* Initial Contact SLA (policy, "Response times / Initial Contact SLA"; table
  ``support_response_times``, column ``clock``):

  - ``business_hours``: N hours of business time, walked minute-exactly through
    the open intervals (minutes left at a close carry to the next opening).
  - ``next_business_day``: the close (17:00) of the first business day after the
    calendar day the ticket was received, whatever the time it arrived.
  - ``business_days``: the same local time N business days after the clock
    starts (the start moved to the next opening when outside business hours).
  - ``wall_minutes`` / ``wall_hours``: Enterprise Critical (30 minutes) and High
    (4 hours) count absolute time 24 x 7, so they are right across DST changes.

* Enterprise for Government (policy, "Enterprise Success and Support":
  "8:00 AM to 8:00 PM ET, 7 days a week"; table ``support_hours`` row
  ``government``): its wall-clock targets (Critical, High) run only inside the
  08:00 to 20:00 America/New_York window, starting at the next window opening
  when the ticket arrives outside it. "7 days a week" is read as every calendar
  day, weekends and public holidays included. Its Medium and Low targets count
  business days in the customer's time zone, as for Enterprise Support. The
  coverage is part of Enterprise Support, so asking for it with the Standard
  plan is an error.
* Version support (policy, "Version support", "Timeframes indicated commence
  upon version release date"; table ``version_support``): a version is supported
  for N calendar months from its release date, until the same day of the month
  N months later, or the last day of that month where the day does not exist.

Public holidays come from the ``holidays`` package, whose data changes with its
releases: report ``holidays.__version__`` with results that depend on them.
"""

from __future__ import annotations

import datetime as dt
import functools
import numbers
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import numpy as np
import pandas as pd

from planner import _checks
from planner.tableset import TableError, TableSet, resolve

__all__ = [
    "response_deadline", "end_of_support", "response_targets", "severity_level", "open_intervals", "government_plan",
    "check_day", "EARLIEST", "LATEST",
]

#: Row of table ``support_hours`` that defines business hours (and business days).
BUSINESS_HOURS = "business_hours"
#: Row of table ``support_hours`` that defines the Enterprise for Government window.
GOVERNMENT = "government"

# Values of the ``days`` column of ``support_hours``. Business days are the
# weekdays outside rule ``support_weekend_days``, less holidays and closures;
# "every_day" is every calendar day (docs/rules.md#government-coverage).
_DAY_RULES = ("business_days", "every_day")
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Units of the wall-clock clocks of ``support_response_times``.
_WALL_UNITS = {"wall_minutes": "minutes", "wall_hours": "hours"}
_BUSINESS_CLOCKS = ("business_hours", "next_business_day", "business_days")
_LOCAL = "local"
# A walk that finds no open time within this many days has a calendar that is
# (nearly) always closed, e.g. years of closure dates.
_MAX_WALK_DAYS = 3660


# --------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------

def _zone(tz: Any, name: str = "tz") -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    if not isinstance(tz, str) or not tz.strip():
        raise ValueError(f"{name} must be an IANA time zone name such as 'Europe/Vienna'; "
                         f"got {tz!r}")
    try:
        return ZoneInfo(tz.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"{name} must be an IANA time zone name such as 'Europe/Vienna'; "
                         f"got {tz!r}") from None


#: The dates the policy's arithmetic handles: pandas timestamps and the holidays package
#: cover them; a ticket or release outside is surely a typing mistake (9999-12-31).
EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(2199, 12, 31)


def check_day(name: str, day: dt.date) -> None:
    """Refuse a day outside :data:`EARLIEST` to :data:`LATEST`, naming ``name``.

    >>> check_day("opened", dt.date(9999, 12, 31))
    Traceback (most recent call last):
    ...
    ValueError: opened: 9999-12-31 is outside the dates the planner handles (1970-01-01 to 2199-12-31)
    """
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"{name}: {day.isoformat()} is outside the dates the planner handles "
                         f"({EARLIEST.isoformat()} to {LATEST.isoformat()})")


def _timestamp(name: str, value: Any) -> pd.Timestamp:
    """Parse a date or date-time argument; NaT and non-dates are errors."""
    if not isinstance(value, (str, dt.date, pd.Timestamp, np.datetime64)):
        raise TypeError(f"{name} must be a date-time (str, datetime or pandas Timestamp); "
                        f"got {value!r}")
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"{name} is not a valid date-time: {value!r}") from None
    if pd.isna(stamp):
        raise ValueError(f"{name} is not a valid date-time: {value!r}")
    check_day(name, stamp.date())
    return stamp


def _localize(name: str, stamp: pd.Timestamp, zone: ZoneInfo) -> pd.Timestamp:
    """Naive = wall time in ``zone`` (must exist and be unambiguous); aware = converted."""
    if stamp.tzinfo is not None:
        return stamp.tz_convert(zone)
    try:
        return stamp.tz_localize(zone, ambiguous="raise", nonexistent="raise")
    except ValueError:
        raise ValueError(
            f"{name} {str(stamp)!r} does not exist or is ambiguous in {zone.key} "
            "(daylight-saving change); give it with a UTC offset") from None


def _closure_dates(closures: Any) -> frozenset[dt.date]:
    # One date given on its own is a list of one, not a string of characters.
    if isinstance(closures, (str, dt.date, pd.Timestamp)):
        closures = (closures,)
    try:
        items = list(closures)
    except TypeError:
        raise ValueError(f"closures must be an iterable of dates; got {closures!r}") from None
    dates = set()
    for position, item in enumerate(items):
        try:
            stamp = _timestamp("closures", item)
        except (TypeError, ValueError):
            stamp = None
        if stamp is None or stamp.tzinfo is not None or stamp != stamp.normalize():
            raise ValueError(f"closures must hold dates (e.g. '2025-12-24'); "
                             f"got {item!r} at position {position}")
        dates.add(stamp.date())
    return frozenset(dates)


def _country(country: Any, subdiv: Any) -> tuple[str | None, str | None]:
    """Validated ISO country code and subdivision code (as ``holidays`` spells it)."""
    if country is None:
        if subdiv is not None:
            raise ValueError(f"subdiv {subdiv!r} needs a country")
        return None, None
    supported = holidays.list_supported_countries()
    code = country.strip().upper() if isinstance(country, str) else country
    if code not in supported:
        raise ValueError(f"country must be an ISO 3166 code known to holidays "
                         f"{holidays.__version__} (e.g. 'US', 'AT', 'DE'); got {country!r}")
    if subdiv is None:
        return code, None
    known = {str(s).upper(): s for s in supported[code]}
    key = subdiv.strip().upper() if isinstance(subdiv, str) else subdiv
    if key not in known:
        allowed = ", ".join(map(repr, supported[code])) or "none"
        raise ValueError(f"subdiv must be a subdivision of {code}; got {subdiv!r}; "
                         f"allowed: {allowed}")
    return code, known[key]


@functools.lru_cache(maxsize=256)
def _public_holidays(country: str, subdiv: str | None, years: tuple[int, ...]
                     ) -> frozenset[dt.date]:
    # ``years`` is passed explicitly: a calendar created without it is empty when
    # listed, which would silently mean "no holidays" (python-holidays: years are loaded lazily).
    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=list(years)))


def severity_level(severity: Any, *, tables: TableSet | str | None = None) -> int:
    """Severity level (1 = Critical ... 4 = Low) of a level or a severity name.

    Parameters
    ----------
    severity : int or str
        A level of table ``support_severities`` (1, 2, 3, 4) or its name
        ("critical", "high", "medium", "low"; any case).
    tables : TableSet, str or Path, optional
        Table set; the default set when ``None``.

    Returns
    -------
    int
        The severity level.

    Raises
    ------
    ValueError
        When ``severity`` is neither a level nor a name of the table.
    """
    frame = resolve(tables)["support_severities"]
    levels = [int(v) for v in frame["severity"]]
    names = [str(n).strip().lower() for n in frame["name"]]
    if isinstance(severity, numbers.Integral) and not isinstance(severity, bool):
        if int(severity) in levels:
            return int(severity)
    elif isinstance(severity, str) and severity.strip().lower() in names:
        return levels[names.index(severity.strip().lower())]
    allowed = ", ".join([str(v) for v in levels] + [repr(n) for n in names])
    raise ValueError(f"severity must be one of {allowed}; got {severity!r}")


def _plan(plan: Any, frame: pd.DataFrame) -> str:
    return _checks.choice("plan", plan, dict.fromkeys(frame["plan"]))


# --------------------------------------------------------------------------
# Table lookups
# --------------------------------------------------------------------------

def _target(t: TableSet, plan: str, level: int) -> tuple[str, float]:
    frame = t["support_response_times"]
    rows = frame[(frame["plan"] == plan) & (frame["severity"] == level)]
    if len(rows) != 1:
        raise TableError(f"support_response_times: expected one row for plan={plan!r}, "
                         f"severity={level}, found {len(rows)}")
    clock = str(rows["clock"].iloc[0]).strip()
    if clock not in _BUSINESS_CLOCKS and clock not in _WALL_UNITS:
        raise TableError(f"support_response_times: unknown clock {clock!r}; known: "
                         f"{', '.join(_BUSINESS_CLOCKS + tuple(_WALL_UNITS))}")
    return clock, float(rows["amount"].iloc[0])


def _clock_time(text: str, where: str) -> pd.Timedelta:
    try:
        hours, minutes = (int(part) for part in str(text).split(":"))
    except ValueError:
        hours = minutes = -1
    if not (0 <= hours <= 24 and 0 <= minutes < 60 and hours * 60 + minutes <= 24 * 60):
        raise TableError(f"support_hours: {where} must be a time 'HH:MM'; got {text!r}")
    return pd.Timedelta(hours=hours, minutes=minutes)


def _coverage(t: TableSet, name: str) -> dict[str, Any]:
    """Opening, closing (offsets from midnight), day rule and time zone of a coverage row."""
    frame = t["support_hours"]
    rows = frame[frame["coverage"] == name]
    if len(rows) != 1:
        raise TableError(f"support_hours: expected one row for coverage={name!r}, "
                         f"found {len(rows)}")
    row = rows.iloc[0]
    opens = _clock_time(row["opens"], f"{name} opens")
    closes = _clock_time(row["closes"], f"{name} closes")
    if not opens < closes:
        raise TableError(f"support_hours: {name} must close after it opens")
    days = str(row["days"]).strip()
    if days not in _DAY_RULES:
        raise TableError(f"support_hours: {name} days must be one of "
                         f"{', '.join(map(repr, _DAY_RULES))}; got {days!r}")
    weekdays = frozenset(range(7)) if days == "every_day" else _business_weekdays(t)
    return {"opens": opens, "closes": closes, "days": days, "weekdays": weekdays,
            "time_zone": str(row["time_zone"]).strip()}


def _business_weekdays(t: TableSet) -> frozenset[int]:
    """Weekdays (Monday = 0) that can be business days: all but rule ``support_weekend_days``."""
    weekend = t.rule("support_weekend_days")
    names = [str(day).strip().lower() for day in weekend]
    unknown = [day for day in names if day not in _WEEKDAY_NAMES]
    if unknown:
        raise TableError(f"rules.yaml: support_weekend_days must name days of the week "
                         f"({', '.join(_WEEKDAY_NAMES)}); got {unknown}")
    return frozenset(i for i, day in enumerate(_WEEKDAY_NAMES) if day not in names)


def government_plan(tables: TableSet | str | None = None) -> str:
    """The plan Enterprise for Government coverage belongs to (rule ``support_government_plan``).

    >>> government_plan()
    'enterprise'
    """
    return str(resolve(tables).rule("support_government_plan"))


def __getattr__(name: str) -> Any:
    # ``GOVERNMENT_PLAN`` is the default table set's value, read when asked for.
    if name == "GOVERNMENT_PLAN":
        return government_plan()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------
# Calendars and the interval walk (all on naive local wall-clock time)
# --------------------------------------------------------------------------

def _day_test(hours: dict[str, Any], country: str | None, subdiv: str | None,
              closures: frozenset[dt.date], first_year: int) -> Callable[[dt.date], bool]:
    """A test "is this date an open day?" for a coverage's day rule."""
    weekdays = hours["weekdays"]
    if hours["days"] == "every_day":   # no holidays, no closures
        return lambda day: day.weekday() in weekdays
    closed: set[dt.date] = set(closures)
    loaded: set[int] = set()

    def load(years: tuple[int, ...]) -> None:
        if country is not None:
            closed.update(_public_holidays(country, subdiv, years))
        loaded.update(years)

    load((first_year, first_year + 1))

    def is_open(day: dt.date) -> bool:
        if day.year not in loaded:  # a walk that runs past next year
            load((day.year,))
        return day.weekday() in weekdays and day not in closed

    return is_open


def _next_open_interval(t: pd.Timestamp, hours: dict[str, Any],
                        is_open: Callable[[dt.date], bool]
                        ) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The open interval [start, close) that holds ``t`` or comes first after it;
    start is ``t`` itself when ``t`` is inside business hours."""
    day = t.normalize()
    for _ in range(_MAX_WALK_DAYS):
        if is_open(day.date()):
            start, close = max(t, day + hours["opens"]), day + hours["closes"]
            if start < close:
                return start, close
        day += pd.Timedelta(days=1)
    raise ValueError(f"no open time within {_MAX_WALK_DAYS} days of {t}; "
                     "check the closures")


def _walk(start: pd.Timestamp, duration: pd.Timedelta, hours: dict[str, Any],
          is_open: Callable[[dt.date], bool]) -> pd.Timestamp:
    """The time at which ``duration`` of open time has elapsed after ``start``.

    Used for business hours and for the government window. A deadline that falls
    exactly on a close stays at the close.
    """
    remaining = duration
    moment = start
    while True:
        begin, close = _next_open_interval(moment, hours, is_open)
        if remaining <= close - begin:
            return begin + remaining
        remaining -= close - begin
        moment = close


def _add_open_days(start: pd.Timestamp, count: int,
                   is_open: Callable[[dt.date], bool]) -> pd.Timestamp:
    """The same wall time ``count`` open days after the day of ``start``."""
    day = start.normalize()
    for _ in range(_MAX_WALK_DAYS):
        if count <= 0:
            return day + (start - start.normalize())
        day += pd.Timedelta(days=1)
        count -= is_open(day.date())
    raise ValueError(f"no open day within {_MAX_WALK_DAYS} days of {start}; "
                     "check the closures")


def _place(wall: pd.Timestamp, zone: ZoneInfo) -> pd.Timestamp:
    # Opening hours always exist in real zones; should a table's hours fall into a
    # DST change, take the later instant (never earlier than the policy's time).
    return wall.tz_localize(zone, ambiguous=False, nonexistent="shift_forward")


def _business_deadline(local: pd.Timestamp, clock: str, amount: float,
                       hours: dict[str, Any], is_open: Callable[[dt.date], bool]
                       ) -> pd.Timestamp:
    """Deadline of a business-time clock, on naive local wall time."""
    if clock == "business_hours":
        return _walk(local, pd.Timedelta(hours=amount), hours, is_open)
    if clock == "next_business_day":
        # Counted from the calendar day received, not from the clock start.
        day = _add_open_days(local.normalize(), int(amount), is_open)
        return day + hours["closes"]
    if amount != int(amount):
        raise TableError(f"support_response_times: business_days needs a whole "
                         f"number; got {amount}")
    start, _ = _next_open_interval(local, hours, is_open)
    return _add_open_days(start, int(amount), is_open)


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------

def response_deadline(opened: Any, severity: Any, plan: str, *, tz: str,
                      country: str | None = None, subdiv: str | None = None,
                      closures: Iterable[Any] = (), government: bool = False,
                      tables: TableSet | str | None = None) -> pd.Timestamp:
    """Deadline of the initial response to a support ticket (Initial Contact SLA).

    Parameters
    ----------
    opened : str, datetime or pandas.Timestamp
        When Dynatrace received the ticket. Naive: local wall time in ``tz``
        (must exist and be unambiguous there); aware: converted to ``tz``.
    severity : int or str
        1..4 or "critical", "high", "medium", "low" (any case).
    plan : str
        "standard" or "enterprise" (rows of table ``support_response_times``).
    tz : str
        The customer's IANA time zone, e.g. "Europe/Vienna". Business hours are
        local to it and the deadline is returned in it.
    country : str, optional
        ISO 3166 code whose public holidays are not business days. ``None``: no
        public holidays (weekends and ``closures`` only).
    subdiv : str, optional
        Subdivision (state, province) of ``country``, e.g. "BY" for Bavaria.
    closures : iterable of str or datetime.date, optional
        Extra closure dates that are not business days (a single date is also
        accepted).
    government : bool, default False
        Enterprise for Government: the 30-minute and 4-hour clocks run only in
        the 08:00-20:00 America/New_York window, every calendar day (weekends and
        holidays included: the policy says "7 days a week"). Only with plan
        "enterprise" (it is an Enterprise Support coverage).
    tables : TableSet, str or Path, optional
        Table set; the default set when ``None``.

    Returns
    -------
    pandas.Timestamp
        The deadline, time-zone aware in ``tz``.

    Raises
    ------
    ValueError
        For an unknown severity, plan, time zone, country or subdivision, an
        unreadable or non-existent ``opened``, a bad closure date, or
        ``government=True`` with a plan other than "enterprise".
    TypeError
        When ``opened`` is not a date-time or ``government`` not a bool.

    Notes
    -----
    Business time is counted on the local wall clock from 08:00 up to, not
    including, 17:00 (table ``support_hours``); a ticket at 17:00 sharp is
    outside business hours. "Next business day" means the close of the first
    business day after the calendar day received, whatever the hour received.

    Examples
    --------
    >>> response_deadline("2025-03-10 15:00", "critical", "standard",
    ...                   tz="Europe/Vienna")
    Timestamp('2025-03-11 10:00:00+0100', tz='Europe/Vienna')
    """
    t = resolve(tables)
    government = _checks.flag("government", government)
    zone = _zone(tz)
    level = severity_level(severity, tables=t)
    plan = _plan(plan, t["support_response_times"])
    if government and plan != government_plan(t):
        raise ValueError(f"government applies to plan {government_plan(t)!r} only; "
                         f"got plan={plan!r}")
    country, subdiv = _country(country, subdiv)
    closed = _closure_dates(closures)
    received = _localize("opened", _timestamp("opened", opened), zone)
    clock, amount = _target(t, plan, level)

    if clock in _WALL_UNITS:
        duration = pd.Timedelta(**{_WALL_UNITS[clock]: amount})
        if not government:
            return received + duration
        return _window_deadline(received, duration, t, closed,
                                country, subdiv).tz_convert(zone)

    hours = _coverage(t, BUSINESS_HOURS)
    local = received.tz_localize(None)
    is_open = _day_test(hours, country, subdiv, closed, local.year)
    return _place(_business_deadline(local, clock, amount, hours, is_open), zone)


def _window_deadline(received: pd.Timestamp, duration: pd.Timedelta, t: TableSet,
                     closed: frozenset[dt.date], country: str | None,
                     subdiv: str | None) -> pd.Timestamp:
    """Walk ``duration`` through the government window, in the window's own zone."""
    hours = _coverage(t, GOVERNMENT)
    if hours["time_zone"] == _LOCAL:
        zone = received.tzinfo
    else:
        zone = _zone(hours["time_zone"], "support_hours government time_zone")
    wall = received.tz_convert(zone).tz_localize(None)
    is_open = _day_test(hours, country, subdiv, closed, wall.year)
    return _place(_walk(wall, duration, hours, is_open), zone)


def end_of_support(released: Any, product: str, plan: str, *,
                   tables: TableSet | str | None = None) -> dt.date:
    """Last day a version is supported (policy "Version support").

    Parameters
    ----------
    released : str, datetime.date or pandas.Timestamp
        Release date of the version (a date-time counts by its date).
    product : str
        "saas", "managed" or "cluster" (rows of table ``version_support``).
    plan : str
        "standard" or "enterprise".
    tables : TableSet, str or Path, optional
        Table set; the default set when ``None``.

    Returns
    -------
    datetime.date
        The same day of the month N months [calendar months] after ``released``,
        or the last day of that month where that day does not exist
        (2024-05-31 + 9 months -> 2025-02-28).

    Raises
    ------
    ValueError
        For an unreadable date or an unknown product or plan.
    TypeError
        When ``released`` is not a date.

    Examples
    --------
    >>> end_of_support("2024-01-31", "saas", "standard")
    datetime.date(2024, 10, 31)
    """
    frame = resolve(tables)["version_support"]
    day = _timestamp("released", released)
    product = _checks.choice("product", product, dict.fromkeys(frame["product"]))
    plan = _checks.choice("plan", plan, dict.fromkeys(frame["plan"]))
    rows = frame[(frame["product"] == product) & (frame["plan"] == plan)]
    if len(rows) != 1:
        raise TableError(f"version_support: expected one row for product={product!r}, "
                         f"plan={plan!r}, found {len(rows)}")
    months = float(rows["months"].iloc[0])
    if months != int(months):
        raise TableError(f"version_support: months must be whole; got {months}")
    start = pd.Timestamp(day.date())
    return (start + pd.DateOffset(months=int(months))).date()


def response_targets(plan: str | None = None, *,
                     tables: TableSet | str | None = None) -> pd.DataFrame:
    """The Initial Contact SLA table with severity names and definitions.

    Parameters
    ----------
    plan : str, optional
        "standard" or "enterprise"; ``None`` gives every plan.
    tables : TableSet, str or Path, optional
        Table set; the default set when ``None``.

    Returns
    -------
    pandas.DataFrame
        One row per plan and severity, in table order, with columns ``plan``,
        ``severity`` (1..4), ``name``, ``target`` (the policy's wording),
        ``amount`` [minutes, hours or days as the clock says], ``clock`` and
        ``definition``.
    """
    t = resolve(tables)
    times = t["support_response_times"]
    if plan is not None:
        plan = _plan(plan, times)
        times = times[times["plan"] == plan]
    severities = t["support_severities"][["severity", "name", "definition"]]
    merged = times.merge(severities, on="severity", how="left", validate="many_to_one")
    columns = ["plan", "severity", "name", "target", "amount", "clock", "definition"]
    return merged[columns].reset_index(drop=True)


def open_intervals(start: pd.Timestamp, end: pd.Timestamp, *, tz: str, country: str | None = None,
                   subdiv: str | None = None, closures: Iterable[Any] = (), coverage: str = "business_hours",
                   tables: Any = None) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The open intervals of a coverage between two instants, in ``tz`` wall time.

    Uses the same calendar as :func:`response_deadline` (table ``support_hours``,
    public holidays and closures), so a chart shows exactly the hours a
    deadline counts. ``coverage`` is ``'business_hours'`` (local to ``tz``) or
    ``'government'`` (08:00-20:00 America/New_York every day).

    Returns
    -------
    list of (start, end)
        Naive local wall-clock timestamps in ``tz``.
    """
    t = resolve(tables)
    hours = _coverage(t, coverage)
    zone = tz if hours["time_zone"] == "local" else hours["time_zone"]
    country, subdiv = _country(country, subdiv)
    wall_start = pd.Timestamp(start).tz_convert(zone).tz_localize(None)
    wall_end = pd.Timestamp(end).tz_convert(zone).tz_localize(None)
    is_open = _day_test(hours, country, subdiv, _closure_dates(list(closures)),
                               wall_start.year)
    intervals, moment = [], wall_start
    while moment < wall_end:
        begin, close = _next_open_interval(moment, hours, is_open)
        if begin >= wall_end:
            break
        intervals.append((begin, min(close, wall_end)))
        moment = close

    def local(stamp: pd.Timestamp) -> pd.Timestamp:
        return _place(stamp, ZoneInfo(zone)).tz_convert(tz).tz_localize(None)
    return [(local(a), local(b)) for a, b in intervals]
