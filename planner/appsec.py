"""Application security: Application Security Units (ASU).

Rules (Platform Usage Supplement, "Application Security", ASU Weighting Table;
RULINGS.md "Application security (ASU) and cloud automation (CAU)"):

* ASU per host and hour follow the host-unit RAM classes without the
  infrastructure cap: 0.1, 0.25, 0.5, 1, then N = ceil(RAM / 16).
* Runtime Application Protection doubles the weight and requires Runtime
  Vulnerability Analytics: asking for protection alone is an error.
"""

from __future__ import annotations

from typing import Any

from planner import _checks
from planner.hosts import ram_class_weight
from planner.tableset import TableSet, resolve

__all__ = ["asu_per_hour"]


def asu_per_hour(ram_gib: Any, *, protection: bool = False, vulnerability_analytics: bool = True,
                 tables: TableSet | None = None) -> Any:
    """Application Security Units one host consumes per hour.

    Parameters
    ----------
    ram_gib : float, array-like or pandas.Series
        Memory available to the operating system [GiB], > 0.
    protection : bool, default False
        Runtime Application Protection on top of Runtime Vulnerability Analytics.
    vulnerability_analytics : bool, default True
        Runtime Vulnerability Analytics; False with ``protection=False`` gives 0.
    tables : TableSet, optional

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        [ASU per hour].

    Raises
    ------
    ValueError
        ``protection=True`` with ``vulnerability_analytics=False`` (protection
        requires vulnerability analytics).

    Examples
    --------
    >>> asu_per_hour(64) * 24, asu_per_hour(64, protection=True) * 24   # ASU per day
    (96.0, 192.0)
    """
    t = resolve(tables)
    protection = _checks.flag("protection", protection)
    vulnerability_analytics = _checks.flag("vulnerability_analytics", vulnerability_analytics)
    if protection and not vulnerability_analytics:
        raise ValueError("protection=True requires vulnerability_analytics=True: Runtime "
                         "Application Protection needs Runtime Vulnerability Analytics")
    (ram,), shape = _checks.broadcast(ram_gib=_checks.numbers_in("ram_gib", ram_gib, strict=True))
    column = "with_protection" if protection else "vulnerability_analytics"
    per_step = t.rule(f"asu_{column}_per_step")
    weight = ram_class_weight(ram, t["asu_weights"], column, per_step, t.rule("ram_step_gib"))
    return shape(weight if vulnerability_analytics else weight * 0.0)
