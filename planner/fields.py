"""Checks for the fields of a scenario (private to the model and the loader).

Each check takes ``(value, where)`` and returns the clean value or raises a
:class:`ScenarioError` whose message starts with ``where`` (file, line and key
path when the value came from a file)::

    estate.yaml, line 14, hosts[1].ram_gib: must be a number > 0 [GiB]; got 'big'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from planner import _checks

__all__ = ["ScenarioError", "Growth", "Check"]

Check = Callable[[Any, str], Any]

#: Growth rates above these are surely a percentage written as a number
#: (``monthly: 2`` meant as 2 %): refused with a hint, not simulated.
_PLAUSIBLE_RATE = {"monthly": 1.0, "yearly": 10.0}
#: The lowest growth rate a scenario accepts [fraction per period]: -99 %.
LOWEST_RATE = -0.99
#: The growth rates a scenario accepts per period: (lowest, highest) [fraction per
#: period]; the one place the scenario check, the import and the calibration read them.
GROWTH_BOUNDS = {period: (LOWEST_RATE, highest) for period, highest in _PLAUSIBLE_RATE.items()}


class ScenarioError(ValueError):
    """A scenario or inventory is malformed; the message names the place."""


def fail(where: str, message: str) -> None:
    raise ScenarioError(f"{where}: {message}")


def number(minimum: float = 0.0, strict: bool = False, maximum: float | None = None,
           whole: bool = False, unit: str = "") -> Check:
    """A check for a number in a range, optionally whole; ``unit`` is named in errors."""
    bound = (f"> {minimum:g}" if strict else f">= {minimum:g}") + \
        (f" and <= {maximum:g}" if maximum is not None else "")
    what = ("a whole number " if whole else "a number ") + bound + (f" [{unit}]" if unit else "")

    def check(value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not np.isfinite(value):
            fail(where, f"must be {what}; got {value!r}")
        if (value <= minimum if strict else value < minimum) or value > _checks.LARGEST or \
                (maximum is not None and value > maximum) or (whole and value != int(value)):
            fail(where, f"must be {what}; got {value!r}")
        return float(value)
    return check


def choice(*allowed: str) -> Check:
    """A check for one of ``allowed`` (case and surrounding spaces ignored)."""
    def check(value: Any, where: str) -> str:
        if not isinstance(value, str) or value.strip().lower() not in allowed:
            fail(where, f"must be one of {', '.join(map(repr, allowed))}; got {value!r}")
        return value.strip().lower()
    return check


def text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        fail(where, f"must be a non-empty text; got {value!r}")
    return value.strip()


def date(value: Any, where: str) -> pd.Timestamp:
    if isinstance(value, pd.Timestamp) and not pd.isna(value):
        return value.tz_localize(None).normalize() if value.tz else value.normalize()
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return pd.Timestamp(value)
    if isinstance(value, str):
        try:
            return pd.Timestamp(dt.date.fromisoformat(value.strip()))
        except ValueError:
            pass
    fail(where, f"must be a date YYYY-MM-DD that exists; got {value!r}")


def date_between(value: Any, where: str, first: pd.Timestamp, last: pd.Timestamp, span: str) -> pd.Timestamp:
    """A date (as :func:`date` reads it) from ``first`` to ``last``, both
    included; ``span`` names that period in the message (``'horizon'``, ``'term'``)."""
    day = date(value, where)
    if not first <= day <= last:
        fail(where, f"{day.date()} is outside the {span} {first.date()} to {last.date()}")
    return day


def flag(value: Any, where: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        fail(where, f"must be true or false; got {value!r}")
    return bool(value)


def unknown(keys: Iterable[Any], allowed: Iterable[str], path: str, where: Callable[[str], str]) -> None:
    """Refuse the first key not in ``allowed``, with a close match as a hint;
    ``where`` turns a key path into 'file, line N, key.path'."""
    allowed = list(allowed)
    for key in keys:
        if key not in allowed:
            import difflib   # only for the error's hint
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            fail(where(f"{path}.{key}" if path else str(key)),
                 "unknown key" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                 + f"; allowed: {', '.join(allowed)}")


@dataclass(frozen=True)
class Growth:
    """A driver's growth: ``rate`` per ``period``, compounded once a calendar month.

    Attributes
    ----------
    period : {'monthly', 'yearly'}
    rate : float
        The central rate [fraction per period]; the middle of ``range`` if given.
    range : (float, float) or None
        Low and high rate for Monte Carlo draws [fraction per period].
    """

    period: str
    rate: float
    range: tuple[float, float] | None = None

    def monthly(self, rate: Any = None) -> Any:
        """The monthly rate of ``rate`` (default: the central rate); a yearly
        rate y is ``(1 + y) ** (1 / 12) - 1`` (docs/rules.md#growth)."""
        value = self.rate if rate is None else rate
        return value if self.period == "monthly" else (1 + value) ** (1 / 12) - 1


def growth(value: Any, where: str) -> Growth:
    """``{monthly: 0.02}`` or ``{yearly: 0.1}``; a rate may be a range [low, high]."""
    if isinstance(value, Growth):
        return value
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in _PLAUSIBLE_RATE:
        fail(where, "must be {monthly: RATE} or {yearly: RATE}, a RATE like 0.02 (2 %) "
                    f"or a range [0.01, 0.04]; got {value!r}")
    period, rate = next(iter(value.items()))
    here = f"{where}.{period}"
    check = number(minimum=LOWEST_RATE, unit="fraction per " + period[:-2])
    rates = rate if isinstance(rate, list) else [rate]
    if isinstance(rate, list) and len(rate) != 2:
        fail(here, f"a range needs two numbers [low, high]; got {rate!r}")
    rates = [check(r, here) for r in rates]
    for r in rates:
        if r > _PLAUSIBLE_RATE[period]:
            fail(here, f"{r:g} is {r:.0%} {period}; rates are fractions: write 0.02 for 2 % "
                       f"(at most {_PLAUSIBLE_RATE[period]:g} = {_PLAUSIBLE_RATE[period]:.0%} {period})")
    if len(rates) == 2:
        low, high = rates
        if low > high:
            fail(here, f"range low {low:g} is above high {high:g}")
        return Growth(period, (low + high) / 2, (low, high))
    return Growth(period, rates[0])


COUNT = number(whole=True, unit="hosts")
SHARE = number(maximum=1.0, unit="fraction 0..1")
