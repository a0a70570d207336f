"""Cloud automation: Cloud Automation Units (CAU).

Rule (Dynatrace Platform Usage Supplement, effective 2022-11-15, section "Cloud
Automation"; docs/rules.md#cau-per-execution): each service execution triggered
through the API consumes one CAU (table ``cau_weights``).
"""

from __future__ import annotations

from typing import Any

from planner import _checks
from planner.tableset import TableSet, resolve

__all__ = ["cau"]


def cau(executions: Any, *, tables: TableSet | None = None) -> Any:
    """Cloud Automation Units for a number of service executions.

    Parameters
    ----------
    executions : float, array-like or pandas.Series
        Service executions, whole numbers >= 0.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        [CAU].

    Examples
    --------
    >>> cau(1500)
    1500.0
    """
    weight = resolve(tables).weight("cau_weights", "service_execution")
    (count,), shape = _checks.broadcast(
        executions=_checks.numbers_in("executions", executions, integer=True))
    return shape(count * weight)
