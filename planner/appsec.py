"""Application security: Application Security Units (ASU).

Rules (Dynatrace Platform Usage Supplement, effective 2022-11-15, section
"Application Security", ASU Weighting Table; read as in
docs/rules.md#asu-ram-classes and docs/rules.md#asu-protection):

* ASU per host and hour follow the host-unit RAM classes without the
  infrastructure cap: 0.1, 0.25, 0.5, 1, then N = ceil(RAM / 16).
* Runtime Application Protection doubles the weight and requires Runtime
  Vulnerability Analytics: asking for protection alone is an error.

Every switch takes one value or one per host, aligned with ``ram_gib``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from planner import _checks
from planner.hosts import _decimals, _ram_class_weight
from planner.tableset import TableSet, resolve

__all__ = ["LEVELS", "asu_per_hour"]

#: Application security levels of a host, and the column of table ``asu_weights``
#: each one reads (``none`` consumes nothing).
LEVELS = {"none": None, "vulnerability_analytics": "vulnerability_analytics",
          "protection": "with_protection"}


def asu_per_hour(ram_gib: Any, *, protection: Any = False, vulnerability_analytics: Any = True,
                 level: Any = None, tables: TableSet | None = None) -> Any:
    """Application Security Units one host consumes per hour.

    Parameters
    ----------
    ram_gib : float, array-like or pandas.Series
        Memory available to the operating system [GiB], > 0.
    protection : bool, array-like or pandas.Series of bool, default False
        Runtime Application Protection on top of Runtime Vulnerability Analytics.
    vulnerability_analytics : bool, array-like or pandas.Series of bool, default True
        Runtime Vulnerability Analytics; False with ``protection=False`` gives 0.
    level : {'none', 'vulnerability_analytics', 'protection'}, array-like or pandas.Series, optional
        The same choice as one value per host (as a scenario's ``appsec``
        field); when given, ``protection`` and ``vulnerability_analytics`` must
        keep their defaults.
    tables : TableSet, optional

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        [ASU per hour].

    Raises
    ------
    ValueError
        ``protection=True`` with ``vulnerability_analytics=False`` (protection
        requires vulnerability analytics), naming the first such position.

    Examples
    --------
    >>> asu_per_hour(64) * 24, asu_per_hour(64, protection=True) * 24   # ASU per day
    (96.0, 192.0)
    >>> asu_per_hour(64, level=["none", "vulnerability_analytics", "protection"])
    array([0., 4., 8.])
    """
    t = resolve(tables)
    named = {"ram_gib": _checks.numbers_in("ram_gib", ram_gib, strict=True)}
    if level is None:
        named["protection"] = _checks.flags_in("protection", protection)
        named["vulnerability_analytics"] = _checks.flags_in("vulnerability_analytics",
                                                            vulnerability_analytics)
    elif protection is not False or vulnerability_analytics is not True:
        raise ValueError("give either level=... or protection=/vulnerability_analytics=, not both")
    else:
        named["level"] = _checks.categories_in("level", level, LEVELS)
    (ram, *switches), shape = _checks.broadcast(**named)
    index = next((i for _, i, _ in named.values() if i is not None), None)
    codes = switches[0] if level is not None else _level_codes(*switches, index)
    result = np.zeros(ram.shape)
    for name, rows in _checks.split(codes, tuple(LEVELS)):
        column = LEVELS[name]
        if column is not None:
            result[rows] = _ram_class_weight(ram[rows], t["asu_weights"], column,
                                            t.rule(f"asu_{column}_per_step"),
                                            t.rule("ram_step_gib"), decimals=_decimals(t))
    return shape(result)


def _level_codes(protection: np.ndarray, analytics: np.ndarray, index: Any) -> np.ndarray:
    """Level codes (positions in LEVELS) of the two switches; protection alone is an error."""
    alone = protection & ~analytics
    if alone.any():
        first = int(np.flatnonzero(alone)[0])
        where = _checks.located(alone.shape, first, index) if alone.ndim else ""
        raise ValueError("protection=True requires vulnerability_analytics=True: Runtime "
                         f"Application Protection needs Runtime Vulnerability Analytics{where}")
    code = tuple(LEVELS).index
    return np.where(protection, code("protection"),
                    np.where(analytics, code("vulnerability_analytics"), code("none"))).astype(np.intp)
