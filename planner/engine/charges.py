"""Charges: what a forecast (or imported actuals) bills, per charge period and driver.

Engine-side and pure: a scenario and tidy consumption per day in, one table of
charges out, numbers only. The FOCUS export (:mod:`planner.focus`) and the
cost-center breakdown (:mod:`planner.showback`) read it; neither computes money.

The rules (docs/exports.md#charges):

* A charge period is a calendar month cut at the contract's anniversaries
  and at the horizon's ends, so that each period lies in one contract year.
* Flow units (host unit hours, DEM, DDU, ASU, CAU) are consumed. Where the
  contract has an annual pool of the unit, each day's consumption is covered by
  the pool while the year's pool (with the top-ups bought so far) lasts, and is
  overage beyond it; a day that crosses the run-out is split, and every driver
  of that day gets the same covered share. Covered consumption is ``used``
  (billed 0, effective cost = quantity x pool price); overage is ``overage``
  (billed at ``overage_price``, or at ``price`` when the contract gives none).
* Consumption outside the contract term, or of a unit the contract has no
  pool for, is ``usage`` at the pool's price where the contract gives one.
* Each pool year is a ``purchase`` of its annual amount (billed amount x price,
  effective cost 0: the purchase pays for future usage); each top-up is a
  ``top_up``; each licence year a ``licence`` purchase of its quantity. At the
  end of a pool year that the horizon covers whole, what is left is ``unused``
  (billed 0: the purchase paid for it; effective cost = quantity x price), in
  the year's last charge period. A year's used and unused effective costs add
  up to its purchase.
* Peak units (host units in use, MSU) are not consumed: licences are bought
  as quantities, so they appear only as ``licence`` purchases.
* A DPS contract (docs/rules.md#dps-commitment) has one pool, its commitment
  in money: every DPS unit draws from it at the rate card less the
  commitment's discount, and on-demand spend beyond it is at the same rate;
  the rate card's list price is ``list_price``.
* Without a price the money columns are NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from planner.pools import anniversaries, pool_balance
from planner.sections import TAGS
from planner.units import FLOW_UNITS, UNITS

__all__ = ["KINDS", "COLUMNS", "charges", "daily_from_monthly"]

#: The kinds of charge, in the order rows are sorted.
KINDS = ("purchase", "top_up", "licence", "used", "unused", "overage", "usage")
#: Columns of :func:`charges`. Periods are [start, end): ``end`` is the day after.
COLUMNS = ("kind", "start", "end", "month", "year", "unit", "capability", "driver", "quantity",
           "price", "billed", "effective", "list", "list_price", "pool", "pool_quantity")

_DAY = pd.Timedelta(days=1)


def charges(scenario: Any, daily: pd.DataFrame) -> pd.DataFrame:
    """The charges of ``daily`` consumption under ``scenario``'s contract.

    Parameters
    ----------
    scenario : planner.model.Scenario
        Its contract gives the pools, licences, top-ups and prices.
    daily : DataFrame
        Tidy: ``date``, ``unit``, ``capability``, ``driver``, ``value`` [the
        unit per day], as :attr:`planner.engine.Forecast.daily`. Peak units
        are ignored.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`: ``kind`` (:data:`KINDS`), the charge period ``start``
        and ``end`` (exclusive), its calendar ``month`` (Period) and contract
        ``year`` (0 before the contract, term + 1 after it), ``unit``,
        ``capability`` and ``driver`` (empty for purchases and unused rows),
        ``quantity`` [the unit], ``price`` [currency per unit], ``billed``,
        ``effective`` and ``list`` [currency] (list: quantity x ``list_price``:
        the DPS rate card, or the contract's price standing for a price list),
        ``pool`` (the contract pool it draws from or buys, "" for none) and
        ``pool_quantity`` [that pool's units: the unit itself, or money for the
        DPS commitment]; and ``cost_center`` and ``product`` where ``daily``
        has them (None on purchases and unused rows).
    """
    c = scenario.contract
    flows = daily[daily["unit"].isin(FLOW_UNITS)]
    if flows.empty:
        return _frame(_purchases(scenario, None, None))
    first, last = flows["date"].min(), flows["date"].max()
    bounds = anniversaries(c.start, c.term_years)
    dates = flows["date"].to_numpy()
    year = np.searchsorted(bounds, dates, side="right")
    value = flows["value"].to_numpy(dtype=float)
    share = np.ones(len(flows))
    pooled = np.zeros(len(flows), dtype=bool)
    feeds = _feeds(scenario)
    for feed in feeds:
        rows = flows["unit"].isin(list(feed.weight)).to_numpy() & (year >= 1) & (year <= c.term_years)
        if rows.any():
            weighted = flows[rows].assign(value=value[rows] * flows["unit"][rows].map(feed.weight).to_numpy())
            share[rows] = _covered_share(weighted, feed.annual, c, feed.pool)
            pooled[rows] = True
    parts = pd.DataFrame({"date": dates, "year": year, "unit": flows["unit"].to_numpy(),
                          "capability": flows["capability"].to_numpy(), "driver": flows["driver"].to_numpy(),
                          "used": np.where(pooled, value * share, 0.0),
                          "overage": np.where(pooled, value * (1 - share), 0.0),
                          "usage": np.where(pooled, 0.0, value)})
    parts["month"] = pd.DatetimeIndex(parts["date"]).to_period("M")
    tags = [t for t in TAGS if t in flows]     # planner.engine.showback.tagged adds them
    for t in tags:
        parts[t] = flows[t].to_numpy()
    keys = ["month", "year", "unit", "capability", "driver", *tags]
    grouped = parts.groupby(keys, sort=True, observed=True, dropna=False).agg(
        start=("date", "min"), end=("date", "max"), used=("used", "sum"), overage=("overage", "sum"),
        usage=("usage", "sum")).reset_index()
    grouped["end"] = grouped["end"] + _DAY
    fed = {u: f for f in feeds for u in f.weight}
    rows = []
    for kind in ("used", "overage", "usage"):
        some = grouped[grouped[kind] > 0]
        feed = [fed.get(u) for u in some["unit"]]
        weight = np.array([f.weight[u] if f else np.nan for f, u in zip(feed, some["unit"])], dtype=float)
        per_pool_unit = np.array([np.nan if f is None else f.overage if kind == "overage" else f.price
                                  for f in feed], dtype=float)
        listed = np.array([f.list_price[u] if f else np.nan for f, u in zip(feed, some["unit"])], dtype=float)
        quantity = some[kind].to_numpy(dtype=float)
        price = weight * per_pool_unit
        cost = quantity * price
        rows.append(pd.DataFrame({
            "kind": kind, "start": some["start"].to_numpy(), "end": some["end"].to_numpy(),
            "month": some["month"].to_numpy(), "year": some["year"].to_numpy(), "unit": some["unit"].to_numpy(),
            "capability": some["capability"].to_numpy(), "driver": some["driver"].to_numpy(),
            "quantity": quantity, "price": price,
            "billed": np.zeros(len(some)) if kind == "used" else cost, "effective": cost,
            "list": quantity * (listed if kind != "overage" else price),
            "list_price": listed if kind != "overage" else price,
            "pool": [f.pool if f and kind != "usage" else "" for f in feed],
            "pool_quantity": quantity * weight if kind != "usage" else np.nan,
            **{t: some[t].to_numpy() for t in tags}}))
    rows.extend(_purchases(scenario, first, last))
    rows.extend(_unused(scenario, flows, first, last, feeds))
    return _frame(rows)


@dataclass(frozen=True)
class _Feed:
    """What feeds one pool: per member unit, the pool units a unit consumed takes from
    it (``weight``) and its list price; the price of a pool unit, and beyond the pool."""

    pool: str                       # the pool's key in contract.pools
    annual: float                   # [pool units] a contract year
    weight: dict[str, float]        # member unit -> [pool units per unit]
    list_price: dict[str, float]    # member unit -> [currency per unit] (NaN: none)
    price: float                    # [currency per pool unit] (NaN: none)
    overage: float                  # [currency per pool unit] beyond the pool


def _feeds(scenario: Any) -> list[_Feed]:
    """The pools of the contract and what feeds them: a classic pool its own unit at its
    price; a DPS commitment (money) every DPS unit at the discounted rate card
    (docs/rules.md#dps-commitment), on-demand beyond it at the same rate."""
    c = scenario.contract
    if getattr(c, "dps", False):
        from planner import dps
        from planner.engine.licensing import dps_prices
        listed = dps_prices(scenario)
        rate = dps.discount_rate(dps.levels_as_list(c.discount), c.commitment)
        return [_Feed("commitment", float(c.commitment), {u: float(p) * (1 - rate) for u, p in listed.items()},
                      {u: float(p) for u, p in listed.items()}, 1.0, 1.0)]
    feeds = []
    for unit, pool in c.pools.items():
        price = np.nan if pool.price is None else float(pool.price)
        overage = price if pool.overage_price is None else float(pool.overage_price)
        feeds.append(_Feed(unit, pool.annual, {unit: 1.0}, {unit: price}, price, overage))
    return feeds


def _covered(totals: pd.Series, annual: float, contract: Any, unit: str) -> pd.DataFrame:
    """Per day of one pool unit: its contract ``year``, the ``amount`` bought so far
    that year and the consumption the pool ``covered`` (the rest is overage)."""
    balance = pool_balance(totals, annual, contract.start, contract.term_years, _top_ups(contract, unit))
    before = balance["cumulative"] - balance["consumption"]
    balance["covered"] = np.clip(balance["amount"] - before, 0.0, balance["consumption"])
    return balance


def _covered_share(rows: pd.DataFrame, annual: float, contract: Any, pool: str) -> np.ndarray:
    """Per row feeding one pool (``value`` in pool units), the share of its day's
    consumption the pool covers."""
    totals = rows.groupby("date", sort=True)["value"].sum()
    balance = _covered(totals, annual, contract, pool)
    share = pd.Series(np.divide(balance["covered"], balance["consumption"], out=np.ones(len(balance)),
                                where=balance["consumption"].to_numpy() > 0), index=balance.index)
    return share.reindex(pd.DatetimeIndex(rows["date"])).to_numpy(dtype=float)


def _top_ups(contract: Any, unit: str) -> list[tuple[pd.Timestamp, float]]:
    return [(t.date, t.amount) for t in contract.top_ups if t.pool == unit]


def _purchases(scenario: Any, first: Any, last: Any) -> list[pd.DataFrame]:
    """Pool years, top-ups and licence years that overlap the days from ``first`` to ``last``."""
    c = scenario.contract
    first = scenario.start if first is None else first
    last = scenario.end if last is None else last
    bounds = anniversaries(c.start, c.term_years)
    rows = []
    for kind, bought, amount in ([("purchase", p, p.annual) for p in c.pools.values()]
                                 + [("licence", lic, lic.quantity) for lic in c.licences.values()]):
        for number in range(1, c.term_years + 1):
            start, end = pd.Timestamp(bounds[number - 1]), pd.Timestamp(bounds[number])
            if start <= last and end > first:
                rows.append(_row(kind, start, end, number, bought.unit, amount, bought.price))
    for t in c.top_ups:
        number = int(np.searchsorted(bounds, t.date.to_datetime64(), side="right"))
        if first <= t.date <= last:
            rows.append(_row("top_up", t.date, pd.Timestamp(bounds[number]), number, t.pool, t.amount,
                             c.pools[t.pool].price))
    return rows


def _row(kind: str, start: pd.Timestamp, end: pd.Timestamp, year: int, unit: str, quantity: float,
         price: float | None) -> pd.DataFrame:
    price = np.nan if price is None else float(price)
    cost = quantity * price
    return pd.DataFrame({"kind": [kind], "start": [start], "end": [end], "month": [start.to_period("M")],
                         "year": [year], "unit": [unit], "capability": [""], "driver": [""],
                         "quantity": [float(quantity)], "price": [price], "billed": [0.0 if kind == "unused" else cost],
                         "effective": [0.0 if kind != "unused" else cost], "list": [cost], "list_price": [price],
                         "pool": [unit if kind != "licence" else ""],
                         "pool_quantity": [float(quantity) if kind != "licence" else np.nan]})


def _unused(scenario: Any, flows: pd.DataFrame, first: Any, last: Any, feeds: list[_Feed]) -> list[pd.DataFrame]:
    """What is left of each pool year the days from ``first`` to ``last`` cover whole:
    the year's amount (with its top-ups) less what the pool covered (overage is not
    taken from a top-up bought later)."""
    c = scenario.contract
    bounds = anniversaries(c.start, c.term_years)
    rows = []
    for feed in feeds:
        mine = flows[flows["unit"].isin(list(feed.weight))]
        totals = (mine["value"] * mine["unit"].map(feed.weight)).groupby(mine["date"]).sum()
        totals = totals.reindex(pd.date_range(first, last), fill_value=0.0)
        for number in range(1, c.term_years + 1):
            start, end = pd.Timestamp(bounds[number - 1]), pd.Timestamp(bounds[number])
            if start < first or end - _DAY > last:
                continue
            year = _covered(totals[(totals.index >= start) & (totals.index < end)], feed.annual, c, feed.pool)
            rest = float(year["amount"].iloc[-1] - year["covered"].sum())
            if rest > 0:
                month = max(start, (end - _DAY).to_period("M").to_timestamp())
                rows.append(_row("unused", month, end, number, feed.pool, rest, feed.price))
    return rows


def _frame(rows: list[pd.DataFrame]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame({c: [] for c in COLUMNS})
    out = pd.concat(rows, ignore_index=True)
    out = out[list(COLUMNS) + [t for t in TAGS if t in out]]
    order = {k: i for i, k in enumerate(KINDS)}
    units = {u: i for i, u in enumerate(UNITS)}
    out = out.sort_values(["start", "unit", "kind", "capability", "driver"], kind="stable",
                          key=lambda s: s.map(order) if s.name == "kind" else s.map(units) if s.name == "unit"
                          else s).reset_index(drop=True)
    out["year"] = out["year"].astype(int)
    return out


def daily_from_monthly(monthly: pd.DataFrame) -> pd.DataFrame:
    """Monthly amounts (``month`` Period, ``unit``, ``capability``, ``driver``,
    ``value``) spread evenly over their months' days, as :func:`charges` takes
    them (imported actuals have one figure a month)."""
    parts = []
    for row in monthly.itertuples(index=False):
        days = pd.date_range(row.month.start_time, row.month.end_time.normalize())
        parts.append(pd.DataFrame({"date": days, "unit": row.unit, "capability": row.capability,
                                   "driver": row.driver, "value": row.value / len(days)}))
    if not parts:
        return pd.DataFrame({"date": pd.DatetimeIndex([]), "unit": [], "capability": [], "driver": [], "value": []})
    return pd.concat(parts, ignore_index=True)
