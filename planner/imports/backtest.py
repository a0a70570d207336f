"""Backtest: run a scenario's model over past months and compare it with what
was actually consumed (``actuals.csv`` of ``planner import``).

A scenario's volumes describe the month its horizon starts (month 0) and grow
from there by ``(1 + r) ** k``. Over the past months before that start the same
model gives ``base x (1 + r) ** k`` with k < 0. The engine is linear in each
driver's volume, so the past is simulated from the first actual month with the
scenario's own volumes and each driver's figures are then scaled by
``(1 + r) ** -g``, g = months from the first actual month to the horizon start
(r: the driver's monthly rate, the middle of a range, as a single forecast run
uses). Dated ``changes`` are plans for the future and are left out.

:func:`backtest` is pure (scenario + actuals in, table out) so that a dashboard
can show actual versus modelled next to the forecast.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner import _checks

__all__ = ["ACTUAL_COLUMNS", "read_actuals", "backtest", "summary"]

ACTUAL_COLUMNS = ("month", "unit", "capability", "driver", "value")


def read_actuals(source: str | Path | bytes | pd.DataFrame, name: str | None = None) -> pd.DataFrame:
    """Read and check ``actuals.csv``: ``month`` (YYYY-MM), ``unit`` (a unit of
    :data:`planner.engine.UNITS`), ``capability``, ``driver``, ``value`` (>= 0).

    Parameters
    ----------
    source : path, bytes or DataFrame
        The file, its content (an upload) or a table with those columns.
    name : str, optional
        The file's name in messages (default: the path, or ``actuals``).

    Raises
    ------
    ValueError
        Naming the file, the row (the header is row 1), the column and what is allowed.
    """
    from planner.engine import UNITS
    label = name or ("actuals" if isinstance(source, (pd.DataFrame, bytes)) else str(source))
    frame = source.copy() if isinstance(source, pd.DataFrame) else _checks.text_csv(source, label)
    missing = [c for c in ACTUAL_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{label}: missing column(s) {', '.join(missing)}; required: {', '.join(ACTUAL_COLUMNS)}")
    months = pd.PeriodIndex([_month(m, label, i) for i, m in enumerate(frame["month"].astype(str))], freq="M")
    units = frame["unit"].astype(str).str.strip()
    bad = ~units.isin(list(UNITS))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"{label}: row {i + 2}, column 'unit': {units.iloc[i]!r} is not one of {', '.join(UNITS)}")
    values = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    bad = values.isna() | ~np.isfinite(values) | (values < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"{label}: row {i + 2}, column 'value': {frame['value'].iloc[i]!r} is not a number >= 0")
    return pd.DataFrame({"month": months, "unit": units.to_numpy(), "capability": frame["capability"].astype(str).to_numpy(),
                         "driver": frame["driver"].astype(str).to_numpy(), "value": values.to_numpy()})


def _month(text: str, label: str, i: int) -> pd.Period:
    try:
        return _checks.month(text)
    except (ValueError, TypeError):
        raise ValueError(f"{label}: row {i + 2}, column 'month': {text!r} is not a month YYYY-MM") from None


def _past(scenario: Any, first: pd.Period, months: int) -> tuple[Any, dict[str, float], int]:
    """The scenario over the past months, each driver's monthly rate, and the
    months from ``first`` to the scenario's start. The one place that touches
    the scenario model (:mod:`planner.model`)."""
    rates = {name: driver.growth.monthly() if driver.growth else 0.0 for name, driver in scenario.drivers.items()}
    start = pd.Timestamp(scenario.start).to_period("M")
    past = dataclasses.replace(scenario, start=first.start_time, months=months, changes=())
    return past, rates, (start - first).n


def backtest(scenario: Any, actuals: pd.DataFrame) -> pd.DataFrame:
    """Modelled versus actual consumption per month and unit.

    Parameters
    ----------
    scenario : Scenario, path or example name
        The model (e.g. the ``scenario.yaml`` an import wrote).
    actuals : DataFrame
        Tidy actuals (:func:`read_actuals`).

    Returns
    -------
    DataFrame
        ``month`` (Period), ``unit``, ``modelled``, ``actual`` [the unit's unit
        per month; peaks: the month's highest day] and ``error_pct``
        = (modelled - actual) / actual x 100 [%] (NaN where actual is 0); one
        row per month and unit that ``actuals`` has.
    """
    from planner.engine import forecast
    from planner.scenario import load_scenario
    if not hasattr(scenario, "drivers"):
        scenario = load_scenario(scenario)
    actuals = read_actuals(actuals)
    if actuals.empty:
        raise ValueError("actuals: no rows to compare with")
    first, last = actuals["month"].min(), actuals["month"].max()
    past, rates, gap = _past(scenario, first, (last - first).n + 1)
    modelled = forecast(past).monthly(("unit", "driver"))
    factor = np.array([(1 + rates.get(d, 0.0)) ** -gap for d in modelled["driver"]], dtype=float)
    modelled = modelled.assign(value=modelled["value"] * factor)
    model = modelled.groupby(["month", "unit"])["value"].sum()
    actual = actuals.groupby(["month", "unit"])["value"].sum()
    table = actual.rename("actual").to_frame().join(model.rename("modelled"), how="left").fillna({"modelled": 0.0})
    table = table.reset_index()[["month", "unit", "modelled", "actual"]]
    with np.errstate(divide="ignore", invalid="ignore"):
        error = np.where(table["actual"] > 0, (table["modelled"] - table["actual"]) / table["actual"] * 100, np.nan)
    table["error_pct"] = np.round(error, 6)
    table["modelled"] = np.round(table["modelled"], 9)
    return table.sort_values(["unit", "month"], kind="stable", ignore_index=True)


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per unit: months compared, totals, the error of the totals [%] and the
    mean absolute monthly error [%] (months with an actual above 0)."""
    rows = []
    for unit, part in table.groupby("unit", sort=False):
        actual, modelled = part["actual"].sum(), part["modelled"].sum()
        rows.append({"unit": unit, "months": len(part), "modelled": round(modelled, 9), "actual": actual,
                     "error_pct": round((modelled - actual) / actual * 100, 6) if actual > 0 else np.nan,
                     "mean_abs_error_pct": round(float(part["error_pct"].abs().mean()), 6)
                     if part["error_pct"].notna().any() else np.nan})
    return pd.DataFrame(rows, columns=["unit", "months", "modelled", "actual", "error_pct", "mean_abs_error_pct"])
