"""Renewal sizing: how much of each pool to commit to, its risk and its expected cost.

The Monte Carlo run of :func:`planner.engine.forecast` (``draws=N``) keeps, for
every pool or licence of the contract and every contract year, three numbers
per draw (:class:`Recorder`, :class:`PoolYear`): the year's consumption (for
the host-unit licence: the year's peak in use), the amount the year needs so
that it never runs out, and the day the pool as contracted runs out. Nothing of
size (draws x days) is kept, so memory stays flat as the draws grow.

:func:`sizing` turns them into one row per pool and contract year: consumption
quantiles, the chance of running out and when, the expected extra units and
overage cost, the cost-optimal commitment (the newsvendor rule), the amount
that keeps the chance of running out at or below a chosen risk, and the
expected cost at each amount. The rules and their derivation are in
docs/rules.md#renewal-sizing.

Amounts are the year's total as :meth:`planner.engine.Forecast.pools` reports
it: the annual amount plus the year's top-ups (the licensed quantity for a
licence). Quantiles are empirical and taken as the smallest draw that at
least the share q of the draws do not exceed (numpy's ``inverted_cdf``): every
amount shown is one draw's consumption, the risk amount runs out in at most
the share ``risk`` of the draws, and the optimal amount has the lowest cost
over the draws of any amount.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner.pools import LICENCE_SLACK, contract_years

__all__ = ["COLUMNS", "REASONS", "PoolYear", "Recorder", "sizing", "cost_curve", "amount_grid", "quantile", "check_risk"]

#: The columns of :func:`sizing`, in order (``reasons`` says what a row leaves out and why).
COLUMNS = ("unit", "year", "amount", "top_ups", "p10", "p50", "p90", "p_run_out", "run_out_p10", "run_out_p50",
           "run_out_p90", "expected_extra", "expected_overage_cost", "optimal_amount", "risk_amount",
           "cost_at_amount", "cost_at_optimal", "cost_at_risk", "reasons")

#: The codes of the ``reasons`` column, in the order a row lists them, and what each means
#: (the faces word them: :func:`planner.explain.sizing_sentences`).
REASONS = {
    "no_growth_range": "no driver has a growth range: every draw is the same, so the amounts are the "
                       "forecast's consumption",
    "no_price": "the contract gives no price: no cost and no optimal amount, only the risk amount",
    "no_overage_price": "the contract gives no overage_price: no cost and no optimal amount, only the risk amount",
    "overage_not_above_price": "overage_price <= price: committing ahead saves nothing, so no optimal amount",
    "includes_top_ups": "the amounts include the year's top-ups (column top_ups)",
}



# --- what one pool and contract year holds per draw ------------------------------------------

@dataclass(frozen=True, eq=False)
class PoolYear:
    """One pool (or licence) in one contract year, over the Monte Carlo draws.

    Attributes
    ----------
    unit : str
        Engine unit (``'ddu'``, ``'host_units'``).
    licence : bool
        True for a licence (the year's peak in use counts), False for an annual pool.
    year : int
        Contract year (1, 2, ...).
    start, end : Timestamp
        First and last day of the contract year.
    first_day : Timestamp
        First day of the year inside the horizon (``run_out`` counts from it).
    days_covered : int
        Days of the year inside the horizon.
    amount : float
        The year's amount as contracted: annual plus the year's top-ups, or the
        licensed quantity [units].
    top_ups : float
        The year's top-ups inside the horizon [units].
    price, overage_price : float or None
        Per committed unit, and per unit used beyond the amount [currency per unit].
    consumption : ndarray
        Per draw: the year's consumption, or its peak for a licence [units].
    need : ndarray
        Per draw: the smallest amount (top-ups included, at their dates) with
        which the year never runs out [units]; equal to ``consumption`` without
        top-ups.
    run_out : ndarray
        Per draw: days after ``first_day`` on which the amount as contracted
        runs out; -1 where it lasts the year.
    """

    unit: str
    licence: bool
    year: int
    start: pd.Timestamp
    end: pd.Timestamp
    first_day: pd.Timestamp
    days_covered: int
    amount: float
    top_ups: float
    price: float | None
    overage_price: float | None
    consumption: np.ndarray = field(repr=False)
    need: np.ndarray = field(repr=False)
    run_out: np.ndarray = field(repr=False)

    @functools.cached_property
    def _sorted(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Consumption sorted, its tail sums (``tail[k]`` = sum of the sorted
        values from position k on) and ``need`` sorted."""
        consumption = np.sort(self.consumption)
        tail = np.concatenate([np.cumsum(consumption[::-1])[::-1], [0.0]])
        return consumption, tail, np.sort(self.need)

    def at(self, amounts: Any) -> dict[str, np.ndarray]:
        """Risk and expected cost if the year's amount were ``amounts`` [units].

        Returns
        -------
        dict of ndarray, one value per amount
            ``p_run_out`` (share of draws that run out), ``expected_extra``
            [units beyond the amount], ``expected_overage_cost`` and
            ``expected_cost`` (committed plus overage) [currency]; costs are NaN
            without a price or an overage price.

        Examples
        --------
        >>> year = PoolYear("cau", False, 1, *[pd.Timestamp("2027-01-01")] * 3, 365, 100.0, 0.0, 1.0, 2.0,
        ...                 np.array([90.0, 110.0]), np.array([90.0, 110.0]), np.array([-1, 300]))
        >>> {k: v.tolist() for k, v in year.at([100.0]).items()}    # 0.5 x 10 extra; 100 x 1 + 5 x 2
        {'p_run_out': [0.5], 'expected_extra': [5.0], 'expected_overage_cost': [10.0], 'expected_cost': [110.0]}
        """
        q = np.asarray(amounts, dtype=float).reshape(-1)
        consumption, tail, need = self._sorted
        n = len(consumption)
        within = np.searchsorted(consumption, q, side="right")          # draws using at most q
        extra = (tail[within] - q * (n - within)) / n
        slack = LICENCE_SLACK if self.licence else 0.0
        p_run_out = (n - np.searchsorted(need, q + slack, side="right")) / n
        priced = self.price is not None and self.overage_price is not None
        overage = extra * self.overage_price if self.overage_price is not None else np.full(len(q), np.nan)
        cost = self.price * q + overage if priced else np.full(len(q), np.nan)
        return {"p_run_out": p_run_out, "expected_extra": extra, "expected_overage_cost": overage,
                "expected_cost": cost}


def quantile(values: np.ndarray, q: Any) -> Any:
    """The smallest value that at least the share ``q`` of ``values`` do not
    exceed (numpy's ``inverted_cdf``).

    >>> quantile(np.array([3.0, 1.0, 2.0, 4.0]), [0.5, 0.9])
    array([2., 4.])
    """
    return np.quantile(values, q, method="inverted_cdf")


# --- recording the draws, chunk by chunk ---------------------------------------------------

@dataclass
class _Slot:
    """Where one pool-year lies in the horizon's days, and its arrays."""

    unit: str
    licence: bool
    year: int
    start: pd.Timestamp
    end: pd.Timestamp
    first: int                 # index of its first day in the horizon
    last: int                  # index after its last day
    amount: float              # annual + every top-up of the year, or the licensed quantity
    bought: np.ndarray         # per day: annual + top-ups so far (pools)
    top_ups: float
    price: float | None
    overage_price: float | None
    consumption: np.ndarray
    need: np.ndarray
    run_out: np.ndarray


def _contract(scenario: Any) -> list[tuple[str, bool, float, float | None, float | None, list[tuple[Any, float]]]]:
    """The one place that reads the scenario's contract (:class:`planner.model.Contract`):
    per pool, then per licence, (unit, is a licence, annual amount or quantity,
    price, overage price, top-ups as (date, amount))."""
    contract = scenario.contract
    out = []
    for unit, pool in contract.pools.items():
        top_ups = [(t.date, t.amount) for t in contract.top_ups if t.pool == unit]
        out.append((unit, False, pool.annual, pool.price, pool.overage_price, top_ups))
    for unit, licence in contract.licences.items():
        out.append((unit, True, licence.quantity, licence.price, licence.overage_price, []))
    return out


class Recorder:
    """Collects the per-draw numbers of every pool and contract year while the
    engine simulates the draws in chunks.

    Parameters
    ----------
    scenario : Scenario
    days : DatetimeIndex
        The horizon's days, as the engine simulates them.
    draws : int
        Number of Monte Carlo draws.
    """

    BYTES_PER_DRAW_AND_YEAR = 8 + 8 + 4 + 3 * 8   # three arrays, and sorted copies for sizing

    def __init__(self, scenario: Any, days: pd.DatetimeIndex, draws: int):
        self.draws = draws
        self.slots: list[_Slot] = []
        contract = scenario.contract
        years = contract_years(contract.start, contract.term_years)
        for unit, licence, amount, price, overage, top_ups in _contract(scenario):
            for row in years.itertuples():
                first = int(days.searchsorted(row.start))
                last = int(days.searchsorted(row.end, side="right"))
                if last <= first:
                    continue   # the horizon does not reach this year
                bought = np.zeros(last - first)
                for when, value in top_ups:
                    if days[first] <= when <= days[last - 1]:
                        bought[(when - days[first]).days] += value
                bought = np.cumsum(bought)
                self.slots.append(_Slot(
                    unit, licence, int(row.year), row.start, row.end, first, last,
                    float(amount) + (0.0 if licence else float(bought[-1])), float(amount) + bought,
                    0.0 if licence else float(bought[-1]), price, overage,
                    np.empty(draws), np.empty(draws), np.empty(draws, dtype=np.int32)))

    @classmethod
    def bytes_per_draw(cls, scenario: Any) -> int:
        """Memory kept per draw for sizing [bytes] (an upper estimate)."""
        contract = scenario.contract
        return cls.BYTES_PER_DRAW_AND_YEAR * (len(contract.pools) + len(contract.licences)) * contract.term_years

    def record(self, lo: int, hi: int, totals: Mapping[str, np.ndarray]) -> None:
        """Take draws ``lo`` to ``hi - 1`` from the per-day totals of each unit
        (arrays of shape (hi - lo, days), or (1, days) when every draw is the same)."""
        for slot in self.slots:
            daily = totals.get(slot.unit)
            days = np.zeros((1, slot.last - slot.first)) if daily is None else daily[:, slot.first:slot.last]
            if slot.licence:
                consumption = days.max(axis=1)
                need = consumption
                over = days > slot.amount + LICENCE_SLACK
            else:
                cumulative = np.cumsum(days, axis=1)
                consumption = cumulative[:, -1]
                over = cumulative > slot.bought
                # never out with an annual amount A if cumulative <= A + top-ups so far on every day
                so_far = slot.bought - (slot.amount - slot.top_ups)      # top-ups bought so far
                need = np.maximum(0.0, (cumulative - so_far).max(axis=1)) + slot.top_ups
            slot.consumption[lo:hi] = consumption
            slot.need[lo:hi] = need
            slot.run_out[lo:hi] = np.where(over.any(axis=1), over.argmax(axis=1), -1)

    def results(self, days: pd.DatetimeIndex) -> tuple[PoolYear, ...]:
        """One :class:`PoolYear` per pool and contract year in the horizon."""
        return tuple(PoolYear(s.unit, s.licence, s.year, s.start, s.end, days[s.first], s.last - s.first,
                              s.amount, s.top_ups, s.price, s.overage_price,
                              s.consumption, s.need, s.run_out) for s in self.slots)


# --- the sizing table --------------------------------------------------------------------

def check_risk(risk: Any, name: str = "risk") -> float:
    """``risk`` as a float, or a ValueError naming the allowed values."""
    if isinstance(risk, bool) or not isinstance(risk, (int, float, np.integer, np.floating)) \
            or not 0 <= risk < 1:
        raise ValueError(f"{name} must be a number >= 0 and < 1 (the accepted chance of running out; "
                         f"0 lasts in every draw, 1 would accept any amount); got {risk!r}")
    return float(risk)


def _run_out_dates(year: PoolYear) -> list[Any]:
    """The dates by which 10, 50 and 90 % of the draws have run out (NaT where
    fewer draws run out)."""
    days = np.sort(np.where(year.run_out >= 0, year.run_out, np.iinfo(np.int32).max))
    n = len(days)
    out = []
    for q in (0.1, 0.5, 0.9):
        day = days[max(0, math.ceil(q * n) - 1)]
        out.append(pd.NaT if year.run_out.max() < 0 or day == np.iinfo(np.int32).max
                   else year.first_day + pd.Timedelta(days=int(day)))
    return out


def _reasons(year: PoolYear, certain: bool) -> tuple[str, ...]:
    """The codes of :data:`REASONS` that apply to one pool-year."""
    missing = [code for code, value in (("no_price", year.price), ("no_overage_price", year.overage_price))
               if value is None]
    flags = {"no_growth_range": certain, **dict.fromkeys(missing, True),
             "overage_not_above_price": not missing and year.overage_price <= year.price,
             "includes_top_ups": bool(year.top_ups)}
    return tuple(code for code in REASONS if flags.get(code))


def _row(year: PoolYear, risk: float, certain: bool) -> dict[str, Any]:
    p10, p50, p90 = quantile(year.consumption, [0.1, 0.5, 0.9])
    priced = year.price is not None and year.overage_price is not None
    optimal = float(quantile(year.consumption, 1 - year.price / year.overage_price)) \
        if priced and year.overage_price > year.price else np.nan
    at_risk = float(quantile(year.need, 1 - risk))
    now, best, safe = (year.at([q])["expected_cost"][0] if not np.isnan(q) else np.nan
                       for q in (year.amount, optimal, at_risk))
    here = year.at([year.amount])
    return {"unit": year.unit, "year": year.year, "amount": year.amount, "top_ups": year.top_ups,
            "p10": float(p10), "p50": float(p50), "p90": float(p90),
            "p_run_out": float(np.mean(year.run_out >= 0)),
            **dict(zip(("run_out_p10", "run_out_p50", "run_out_p90"), _run_out_dates(year))),
            "expected_extra": float(here["expected_extra"][0]),
            "expected_overage_cost": float(here["expected_overage_cost"][0]),
            "optimal_amount": optimal, "risk_amount": at_risk,
            "cost_at_amount": float(now), "cost_at_optimal": float(best), "cost_at_risk": float(safe),
            "reasons": _reasons(year, certain)}


def sizing(years: Sequence[PoolYear], risk: float = 0.1, *, certain: bool = False) -> pd.DataFrame:
    """Per pool and contract year: risk as contracted and the amounts to commit to.

    Parameters
    ----------
    years : sequence of PoolYear
        From a Monte Carlo forecast (``Forecast.pool_draws``).
    risk : float, default 0.1
        Accepted chance of running out, >= 0 and < 1: ``risk_amount`` is the
        (1 - risk) quantile of what the year needs.
    certain : bool
        True when the scenario has no growth range (every draw is the same);
        the ``reasons`` column says so (``'no_growth_range'``).

    Returns
    -------
    DataFrame
        The columns of :data:`COLUMNS`: amounts, the year's top-ups included in
        ``amount``, and quantiles [units], ``p_run_out`` [share of draws], dates
        (NaT where the pool lasts), costs [currency; NaN without a price or an
        overage price], ``reasons`` (a tuple of :data:`REASONS` codes, empty
        when the row leaves nothing out).
    """
    risk = check_risk(risk)
    rows = [_row(year, risk, certain) for year in years]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in ("run_out_p10", "run_out_p50", "run_out_p90"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def cost_curve(year: PoolYear, amounts: Any) -> pd.DataFrame:
    """Expected cost and chance of running out against the committed amount.

    Parameters
    ----------
    year : PoolYear
    amounts : array-like
        Committed amounts for the year [units].

    Returns
    -------
    DataFrame
        ``amount``, ``p_run_out``, ``expected_extra``, ``expected_overage_cost``
        and ``expected_cost`` (see :meth:`PoolYear.at`).
    """
    q = np.asarray(amounts, dtype=float).reshape(-1)
    return pd.DataFrame({"amount": q, **year.at(q)})


def amount_grid(year: PoolYear, points: int = 201) -> np.ndarray:
    """Committed amounts to draw :func:`cost_curve` over [units]: from below the
    smallest draw (or the contracted amount) to above what the most demanding
    draw needs, by a quarter of that span on each side (never below 0)."""
    low = min(float(year.consumption.min()), year.amount)
    high = max(float(year.need.max()), year.amount)
    span = (high - low) or 0.1 * max(abs(high), 1.0)
    return np.linspace(max(0.0, low - 0.25 * span), high + 0.25 * span, points)
