"""Sentences that explain the engine's data, one wording for every face.

The engine returns codes (:data:`planner.engine.sizing.REASONS` in the ``reasons``
column of :meth:`planner.engine.Forecast.sizing`); the command line
(``planner size``) and the renewal page (:mod:`planner.ui.pages.renewal`) turn them
into the same sentences here. So do the command line (``planner forecast``) and
the overview page with the codes of :meth:`planner.engine.Forecast.notes`. This
module imports no widgets, so the command
line's cold start does not pay for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from planner._numbers import number

__all__ = ["sizing_sentences", "sizing_note", "sizing_with_notes", "forecast_sentence", "forecast_notes",
           "run_out_sentence"]


def sizing_sentences(reasons: Iterable[str], *, price: float | None = None, overage_price: float | None = None,
                     top_ups: float = 0.0) -> list[str]:
    """What a sizing row leaves out and why, one sentence per reason.

    Parameters
    ----------
    reasons : iterable of str
        Codes of :data:`planner.engine.sizing.REASONS`, in the engine's order.
    price, overage_price : float, optional
        The contract's prices of the pool [currency per unit]; read for
        ``overage_not_above_price``.
    top_ups : float
        The year's top-ups [units]; read for ``includes_top_ups``.

    Examples
    --------
    >>> sizing_sentences(("no_price", "no_overage_price", "includes_top_ups"), top_ups=1500)
    ['no price and no overage_price in the contract: only the risk amount is given', \
"amounts include the year's top-ups (1,500)"]
    """
    codes = list(reasons)
    out = []
    if "no_growth_range" in codes:
        out.append("no growth range: every draw is the same, so the amounts are the forecast's consumption")
    missing = [name for code, name in (("no_price", "price"), ("no_overage_price", "overage_price"))
               if code in codes]
    if missing:
        out.append(f"no {' and no '.join(missing)} in the contract: only the risk amount is given")
    if "overage_not_above_price" in codes:
        out.append(f"overage_price {overage_price:g} <= price {price:g}: committing ahead saves nothing, "
                   "so there is no optimal amount")
    if "includes_top_ups" in codes:
        out.append(f"amounts include the year's top-ups ({number(top_ups, 0)})")
    return out


def sizing_note(row: Mapping[str, Any], contract: Any) -> str:
    """The sentences of one row of ``Forecast.sizing()``, joined by ``'; '`` (empty without reasons).

    ``contract`` is the scenario's :class:`planner.model.Contract`, whose pool or
    licence of ``row['unit']`` gives the prices.
    """
    bought = contract.bought(row["unit"])
    return "; ".join(sizing_sentences(row["reasons"], price=getattr(bought, "price", None),
                                      overage_price=getattr(bought, "overage_price", None),
                                      top_ups=float(row["top_ups"])))


def sizing_with_notes(table: pd.DataFrame, contract: Any) -> pd.DataFrame:
    """``Forecast.sizing()`` as files hold it: the ``reasons`` codes joined by
    ``';'`` (CSV and Excel cells hold text, not tuples) and a ``note`` column
    with their sentences (:func:`sizing_note`)."""
    out = table.copy()
    out["reasons"] = [";".join(codes) for codes in table["reasons"]]
    out["note"] = [sizing_note(row, contract) for row in table.to_dict(orient="records")]
    return out


def run_out_sentence(run_out: Any, quantity: Callable[[float, str], str], day: Callable[[Any], str],
                     month: Callable[[Any], str]) -> str:
    """One :class:`planner.engine.readmodel.RunOut` in words, the same for every face.

    The face passes how it writes a quantity with its unit, a day and a month.

    Examples
    --------
    >>> from planner.engine.readmodel import RunOut
    >>> run_out_sentence(RunOut("pool_runs_out", "dem", 2, pd.Timestamp("2028-12-07"), 1116598.4),
    ...                  lambda v, u: f"{v:,.0f} {u}", lambda d: f"{d:%Y-%m-%d}", str)
    'DEM units, contract year 2: runs out 2028-12-07; 1,116,598 dem more needed'
    """
    from planner.units import UNITS
    if run_out.code == "lpar_above_licence":
        months = f"{run_out.months} month{'' if run_out.months == 1 else 's'}"
        return (f"LPAR {run_out.what}: above its {quantity(run_out.amount, 'msu')} licence from "
                f"{month(run_out.when)} ({months})")
    what = "above the licence from" if run_out.code == "above_licence" else "runs out"
    return (f"{UNITS[run_out.what].name}, contract year {run_out.year}: {what} {day(run_out.when)}; "
            f"{quantity(run_out.amount, run_out.what)} more needed")
def forecast_sentence(row: Mapping[str, Any], scenario: Any) -> str:
    """The sentence of one row of :meth:`planner.engine.Forecast.notes`.

    Parameters
    ----------
    row : mapping
        ``code``, ``unit``, ``driver``, ``date``, ``value``.
    scenario : planner.model.Scenario
        The forecast's scenario: its table set gives the decimals and the report interval.

    Examples
    --------
    >>> from planner.scenario import load_scenario
    >>> forecast_sentence({"code": "unit_not_bought", "unit": "asu", "value": 8_970_000.0}, load_scenario())
    'Application security units: the horizon consumes 8,970,000.00 ASU and the contract buys no pool for them'
    """
    from planner.units import UNITS, decimals
    code, unit = row["code"], UNITS[row["unit"]]
    if code == "unit_not_bought":
        amount = number(row["value"], decimals(scenario.tables)[unit.key])
        what = "at its highest day " if unit.kind == "peak" else ""
        bought = {"annual": "pool", "licence": "licence"}[unit.bought_as]
        other = f" (nor for {UNITS[unit.instead_of].name.lower()})" if unit.instead_of else ""
        return (f"{unit.name}: the horizon consumes {what}{amount} {unit.symbol} and the contract buys no "
                f"{bought} for them{other}")
    if code == "msu_report_due":
        months = scenario.tables.rule("msu_report_interval_months")
        return (f"Mainframe LPAR {row['driver']!r} has reporting disabled: its peak rolling 4-hour average MSU "
                f"values are due to Dynatrace by {pd.Timestamp(row['date']).date()} (every {months} months from "
                "the contract's start)")
    raise ValueError(f"code must be one of 'unit_not_bought', 'msu_report_due'; got {code!r}")


def forecast_notes(notes: pd.DataFrame, scenario: Any) -> pd.DataFrame:
    """``Forecast.notes()`` with a ``note`` column holding each row's :func:`forecast_sentence`."""
    out = notes.copy()
    out["note"] = [forecast_sentence(row, scenario) for row in notes.to_dict(orient="records")]
    return out
