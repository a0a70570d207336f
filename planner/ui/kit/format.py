"""Number, date and unit formatting for the dashboards.

Every number a dashboard shows goes through :func:`quantity` (or
:func:`money`, :func:`timestamp`), so that it carries its unit and reads the
same everywhere: ``quantity(1181248, "dem")`` is ``'1,181,248 DEM units'``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from planner._numbers import MISSING as _MISSING
from planner._numbers import number
from planner.sections import CAPABILITIES, capability_label
from planner.units import UNITS

__all__ = [
    "capability", "symbol", "unit_name", "number", "quantity", "money", "day", "month",
    "timestamp", "duration", "percent",
]


def capability(name: str, unit: str | None = None) -> str:
    """A readable capability name from the registry (:mod:`planner.sections`):
    ``'rum_sessions'`` -> ``'RUM sessions'``."""
    if unit is None:
        unit = next((u for (u, key) in CAPABILITIES if key == name), "")
    return capability_label(unit, name)


def symbol(unit: str) -> str:
    """The symbol of an engine unit (``'dem'`` -> ``'DEM units'``); other
    texts (``'GB'``, ``'metrics/min'``) are returned unchanged."""
    return UNITS[unit].symbol if unit in UNITS else unit


def unit_name(unit: str) -> str:
    """The name of an engine unit for titles and menus (``'ddu'`` -> ``'Davis data
    units'``), from :data:`planner.units.UNITS`; other texts are returned unchanged."""
    return UNITS[unit].name if unit in UNITS else unit


def quantity(value: Any, unit: str, decimals: int | None = None, *, signed: bool = False) -> str:
    """A number and its unit.

    Examples
    --------
    >>> quantity(1181248, "dem"), quantity(6277832.3, "host_unit_hours"), quantity(35, "days")
    ('1,181,248 DEM units', '6,277,832 HU h', '35 days')
    """
    text = number(value, decimals, signed=signed)
    return text if text == _MISSING else f"{text} {symbol(unit)}"


def money(value: Any, currency: str | None) -> str:
    """An amount of money, whole units: ``money(36277.67, "EUR")`` -> ``'EUR 36,278'``."""
    text = number(value, 0)
    return text if text == _MISSING else f"{currency or ''} {text}".strip()


def percent(share: Any, decimals: int = 0) -> str:
    """A share 0..1 as a percentage: ``percent(0.1)`` -> ``'10 %'``."""
    text = number(None if share is None else float(share) * 100, decimals)
    return text if text == _MISSING else f"{text} %"


def day(value: Any) -> str:
    """A date as ISO ``YYYY-MM-DD``; NaT gives ``'n/a'``."""
    if value is None or pd.isna(value):
        return _MISSING
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def month(value: Any) -> str:
    """A month as ``'Dec 2028'`` (from a Period, Timestamp or date); missing gives ``'n/a'``."""
    if value is None or pd.isna(value):
        return _MISSING
    if isinstance(value, pd.Period):
        value = value.to_timestamp()
    return pd.Timestamp(value).strftime("%b %Y")


def timestamp(value: Any) -> str:
    """A date-time with weekday and time-zone abbreviation.

    Examples
    --------
    >>> timestamp(pd.Timestamp("2025-03-11 10:00", tz="Europe/Vienna"))
    'Tue 2025-03-11 10:00 CET'
    """
    if value is None or pd.isna(value):
        return _MISSING
    stamp = pd.Timestamp(value)
    return stamp.strftime("%a %Y-%m-%d %H:%M" + (" %Z" if stamp.tzinfo else ""))


def duration(value: Any) -> str:
    """A time span in days, hours and minutes: ``'1 d 2 h 30 min'``, ``'30 min'``."""
    if value is None or pd.isna(value):
        return _MISSING
    minutes = int(round(pd.Timedelta(value).total_seconds() / 60))
    sign, minutes = ("-", -minutes) if minutes < 0 else ("", minutes)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{mins} min"] * bool(mins)
    return sign + (" ".join(parts) or "0 min")
