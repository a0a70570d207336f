"""Classic and DPS side by side, the DPS commitment pool and its sizing.

One engine prices the estate both ways (docs/rules.md#dps-classic-cost):

* the classic contract: each pool's annual amount at its ``price`` plus the
  extra needed at its ``overage_price``, the host-unit licence likewise;
* the Dynatrace Platform Subscription: the same drivers billed in DPS units
  (:data:`planner.units.DPS_UNITS`), priced at the rate card with the contract's
  discount, drawing down the annual commitment (docs/rules.md#dps-commitment).

    >>> from planner.engine.licensing import side_by_side
    >>> frames = side_by_side("estate", exchange_rate=1.0)    # doctest: +SKIP
    >>> frames["years"][["year", "classic_cost", "dps_cost", "difference"]]    # doctest: +SKIP

Every frame holds numbers; the faces (``planner licensing``, the licensing page,
``notebooks/licensing.ipynb``) only format them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from planner import dps
from planner.fields import ScenarioError
from planner.model import Pool, Scenario
from planner.pools import anniversaries, pool_forecast
from planner.scenario import load_scenario
from planner.sections import SECTIONS, Calendar
from planner.units import DPS_UNITS, UNITS

__all__ = ["dps_prices", "as_dps", "commitment_forecast", "usage_draws", "commitment_sizing",
           "classic_costs", "side_by_side", "YEAR_COLUMNS"]

#: The row of ``side_by_side(...)["sections"]`` for money paid but not used: classic pool
#: amounts left over, a DPS commitment that lapses.
UNUSED = "unused"

#: Columns of ``side_by_side(...)["years"]`` [the contract's currency].
YEAR_COLUMNS = ("year", "start", "end", "classic_cost", "dps_list_usage", "discount", "dps_commitment",
                "dps_on_demand", "dps_lapsed", "dps_cost", "difference")


# --- prices -----------------------------------------------------------------------------

def dps_prices(scenario: Scenario, exchange_rate: float | None = None) -> pd.Series:
    """List price per DPS unit in the scenario's currency [currency per unit].

    The rate card's prices are in ``dps_rate_card_currency``; a scenario in
    another currency needs ``exchange_rate`` (contract currency per rate-card
    currency), from the argument or the contract (docs/rules.md#dps-currency).

    Raises
    ------
    ScenarioError
        When the currencies differ and no exchange rate is given.
    """
    tables = scenario.tables
    rate = exchange_rate if exchange_rate is not None else scenario.contract.exchange_rate
    card = str(tables.rule("dps_rate_card_currency"))
    if rate is None:
        if scenario.currency not in (None, card):
            raise ScenarioError(f"{scenario.source}: contract.exchange_rate: the rate card's prices are in {card} "
                                f"and the scenario's currency is {scenario.currency}; give the exchange rate "
                                f"({scenario.currency} per {card}), e.g. exchange_rate: 0.9 or --exchange-rate")
        rate = 1.0
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0:
        raise ScenarioError(f"{scenario.source}: exchange_rate must be a number > 0; got {rate!r}")
    return dps.unit_prices(tables).reindex(list(DPS_UNITS)).fillna(0.0) * float(rate)


def as_dps(scenario: Scenario | str | None, commitment: float | None = None, discount: Any = None,
           exchange_rate: float | None = None) -> Scenario:
    """The scenario under a DPS contract with the same start and term: the
    estate unchanged, the contract's commitment, discount and exchange rate
    replaced where given (a classic scenario commits 0 until given one)."""
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    dps.require(s.tables)
    c = s.contract
    levels = dps.tiers(discount) if discount is not None else (c.discount or dps.tiers(None))
    amount = float(commitment) if commitment is not None else (c.commitment or 0.0)
    contract = dataclasses.replace(
        c, model="dps", pools={"commitment": Pool("commitment", amount, 1.0)}, licences={}, top_ups=(),
        discount=levels, commitment=amount, classic=c.classic if c.dps else c,
        exchange_rate=exchange_rate if exchange_rate is not None else c.exchange_rate)
    return dataclasses.replace(s, contract=contract)


def daily_commitment_use(fc: Any) -> pd.Series:
    """What a DPS forecast draws from the commitment per day: usage at the
    discounted rate card [currency] (``Forecast.pool_balance("commitment")``)."""
    c = fc.scenario.contract
    return _list_cost_per_day(fc) * (1 - dps.discount_rate(dps.levels_as_list(c.discount), c.commitment))


def _list_cost_per_day(fc: Any) -> pd.Series:
    """DPS usage at list price per day [currency]."""
    totals = fc.daily_totals()
    prices = dps_prices(fc.scenario)
    units = [u for u in totals.columns if u in prices.index]
    return (totals[units] * prices[units]).sum(axis=1)


# --- the commitment pool ----------------------------------------------------------------

def commitment_forecast(fc: Any) -> pd.DataFrame:
    """Per contract year of a DPS forecast: the commitment as a money pool
    (docs/rules.md#dps-commitment).

    Returns
    -------
    DataFrame
        The columns of :func:`planner.pools.pool_forecast` with ``unit``
        ``"commitment"`` and amounts in currency: ``amount`` (the commitment),
        ``consumption`` (usage at the discounted rate card), ``remaining``,
        ``run_out`` (the day the commitment is used up), ``extra_needed`` (the
        on-demand spend); and ``list_usage``, ``discount``, ``on_demand``,
        ``lapsed`` and ``cost`` = max(commitment, consumption); ``amount_cost``,
        ``consumption_cost`` and ``extra_needed_cost`` as for a priced pool
        (the amounts themselves: the commitment is money).
    """
    c = fc.scenario.contract
    rate = dps.discount_rate(dps.levels_as_list(c.discount), c.commitment)
    table = pool_forecast(daily_commitment_use(fc), c.commitment, c.start, c.term_years)
    table.insert(0, "unit", "commitment")
    table["list_usage"] = table["consumption"] / (1 - rate)
    table["discount"] = rate
    table["on_demand"] = table["extra_needed"]
    table["lapsed"] = table["remaining"].clip(lower=0.0)
    table["cost"] = table["amount"] + table["on_demand"]
    for column in ("amount", "consumption", "extra_needed"):   # money already: its cost at price 1, as compare reads
        table[f"{column}_cost"] = table[column]
    return table


def usage_draws(scenario: Scenario, draws: int, seed: int = 0) -> pd.DataFrame:
    """Each contract year's DPS usage at list price per Monte Carlo draw
    [currency]: one row per draw, one column per contract year of the term.
    The draws are the engine's (:func:`planner.engine.draw_chunks`)."""
    from planner.engine.simulation import draw_chunks
    if not scenario.contract.dps:
        scenario = as_dps(scenario)
    cal = Calendar.of(scenario.start, scenario.end)
    c = scenario.contract
    starts = anniversaries(c.start, c.term_years)
    year = np.searchsorted(starts, cal.days.to_numpy(), side="right")   # 0 before the term, term+1 after
    years = np.arange(1, c.term_years + 1)
    prices = dps_prices(scenario)
    out = np.zeros((draws, len(years)))
    for lo, hi, totals in draw_chunks(scenario, cal, draws, seed):
        per_day = sum(np.atleast_2d(values) * prices.get(unit, 0.0) for unit, values in totals.items())
        per_day = np.broadcast_to(per_day, (1 if np.ndim(per_day) < 2 else per_day.shape[0], len(cal.days)))
        sums = np.stack([per_day[:, year == y].sum(axis=1) for y in years], axis=1)
        out[lo:hi] = sums
    return pd.DataFrame(out, columns=pd.Index(years, name="year"))


def commitment_sizing(scenario: Scenario | str | None, draws: int = 1000, seed: int = 0, risk: float = 0.1,
                      discount: Any = None, exchange_rate: float | None = None) -> pd.DataFrame:
    """Per contract year and discount tier: expected cost, chance the
    commitment is used up, expected on-demand and lapsed amounts; with the
    cost-optimal commitment and the one at ``risk`` (docs/rules.md#dps-commitment-sizing)."""
    s = as_dps(scenario, discount=discount, exchange_rate=exchange_rate)
    usage = usage_draws(s, draws, seed)
    rows = []
    for year in usage.columns:
        table, best = dps.commitment_sizing(usage[year].to_numpy(), dps.levels_as_list(s.contract.discount), risk,
                                            candidates=[s.contract.commitment] if s.contract.commitment else ())
        table.insert(0, "year", int(year))
        table["optimal"] = table["commitment"] == best["optimal"]
        table["commitment_at_risk"] = best["at_risk"]
        table["usage_p50"] = float(np.quantile(usage[year], 0.5, method="inverted_cdf"))
        rows.append(table)
    return pd.concat(rows, ignore_index=True)


# --- classic cost -----------------------------------------------------------------------

def classic_costs(fc: Any) -> pd.DataFrame:
    """Per pool or licence and contract year of a classic forecast: the cost
    [currency] = amount × price + extra needed × overage price (× price
    without one). A pool without a price has NaN cost (docs/rules.md#dps-classic-cost)."""
    pools = fc.pools()
    c = fc.scenario.contract
    bought = {**c.pools, **c.licences}
    price = pools["unit"].map(lambda u: bought[u].price)
    overage = pools["unit"].map(lambda u: bought[u].overage_price if bought[u].overage_price is not None
                                else bought[u].price)
    out = pools[["unit", "year", "start", "end", "amount", "consumption", "extra_needed"]].copy()
    out["price"] = price.astype(float)
    out["overage_price"] = overage.astype(float)
    out["cost"] = out["amount"] * out["price"] + out["extra_needed"] * out["overage_price"]
    return out


# --- side by side -----------------------------------------------------------------------

def _yearly_by_driver(fc: Any, prices: pd.Series) -> pd.DataFrame:
    """Per contract year and driver: value at ``prices`` [currency]."""
    frame = fc.yearly(("unit", "driver"))
    frame = frame[frame["unit"].isin(prices.index)]
    frame = frame.assign(cost=frame["value"] * frame["unit"].map(prices))
    return frame.groupby(["contract_year", "driver"], as_index=False)["cost"].sum()


def _classic_by_driver(fc: Any, costs: pd.DataFrame) -> pd.DataFrame:
    """Each pool's year cost shared among drivers by their consumption of it
    (the licence by the year's peak share); unused pool money is left out."""
    yearly = fc.yearly(("unit", "driver"))
    rows = []
    for r in costs.itertuples():
        mine = yearly[(yearly["contract_year"] == r.year) & (yearly["unit"] == r.unit)]
        total = mine["value"].sum()
        if total <= 0 or np.isnan(r.cost):
            continue
        used = r.consumption * r.price + r.extra_needed * r.overage_price
        rows.append(pd.DataFrame({"contract_year": r.year, "driver": mine["driver"],
                                  "cost": mine["value"] / total * min(used, r.cost)}))
    if not rows:
        return pd.DataFrame(columns=["contract_year", "driver", "cost"])
    return pd.concat(rows).groupby(["contract_year", "driver"], as_index=False)["cost"].sum()


def _host_note(scenario: Scenario, driver: str) -> str:
    """Why a host group parts the two models: its HU per host and GiB-hours per hour."""
    from planner import hosts
    d = scenario.drivers[driver]
    if d.section != "hosts" or d.inventory is not None or d.values["mode"] not in hosts.MODES:
        return ""
    ram, mode = d.values["ram_gib"], d.values["mode"]
    hu = float(hosts.host_units(ram, mode, tables=scenario.tables))
    if mode == "fullstack":
        per_hour = f"{float(dps.billed_gib(ram, scenario.tables)):g} GiB-hours per hour"
    else:
        per_hour = "1 host-hour per hour"
    return f"{ram:g} GiB {mode} hosts: {hu:g} HU each on classic, {per_hour} on DPS"


def side_by_side(scenario: Scenario | str | None = None, *, commitment: float | None = None,
                 discount: Any = None, exchange_rate: float | None = None) -> dict[str, pd.DataFrame]:
    """Price one estate under its classic contract and under DPS.

    Parameters
    ----------
    scenario : Scenario, path, example name or None
        A scenario whose contract has pools with prices (``None``: the example
        estate); a DPS scenario extending a classic one brings its own
        commitment, discount and exchange rate.
    commitment : float, optional
        Annual DPS commitment [currency]; by default the cost-optimal
        commitment for the first contract year's forecast usage, raised to that
        usage after discount (docs/rules.md#dps-classic-cost).
    discount : float or tiers, optional
        Off the DPS rate card (docs/rules.md#dps-discount).
    exchange_rate : float, optional
        Scenario currency per rate-card currency (docs/rules.md#dps-currency).

    Returns
    -------
    dict of DataFrame
        ``years``: :data:`YEAR_COLUMNS` per contract year of the term;
        ``sections``: per year and section, ``classic``, ``dps`` and
        ``difference`` (dps − classic), with a row :data:`UNUSED` so that each
        year's rows add up to its totals; ``drivers``: the same per driver, largest
        |difference| first, with a ``note`` for host groups; ``classic``: per
        pool and year the classic cost (:func:`classic_costs`; NaN for a pool
        without a price, left out of the totals); ``prices``: the DPS rate card
        used, with its ``price_status``.
    """
    from planner.engine import forecast
    given = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    # a DPS scenario keeps the classic pools it was written with or extends: they are its classic side
    classic_terms = given.contract.classic if given.contract.dps else given.contract
    base = dataclasses.replace(given, contract=classic_terms or dataclasses.replace(
        given.contract, model="classic", pools={}, licences={}))
    if not base.contract.pools and not base.contract.licences:
        raise ScenarioError(f"{given.source}: contract: the side-by-side prices the classic contract too; give "
                            "its pools with prices (a DPS scenario can extend the classic one)")
    if given.contract.dps and commitment is None:
        commitment = given.contract.commitment
    classic = forecast(base)
    costs = classic_costs(classic)
    if costs["cost"].isna().all():
        raise ScenarioError(f"{base.source}: contract: no pool or licence has a price, so the classic contract "
                            "has no cost to compare; give each pool a price")
    priced = as_dps(given, commitment=0.0, discount=discount, exchange_rate=exchange_rate)
    usage = forecast(priced)   # the DPS quantities do not depend on the commitment
    if commitment is None:
        first = commitment_forecast(usage).iloc[0]
        levels = dps.levels_as_list(priced.contract.discount)
        _, best = dps.commitment_sizing([first["list_usage"]], levels)
        commitment = round(max(best["optimal"], first["list_usage"] * (1 - dps.discount_rate(levels, best["optimal"]))),
                           2)   # to the cent
    dps_scenario = as_dps(priced, commitment=commitment)
    dps_fc = dataclasses.replace(usage, scenario=dps_scenario, _cache={})
    pool = commitment_forecast(dps_fc)
    classic_year = costs.groupby("year")["cost"].sum(min_count=1)   # unpriced pools left out (named in "classic")
    years = pool[["year", "start", "end"]].copy()
    years["classic_cost"] = years["year"].map(classic_year)
    years["dps_list_usage"] = pool["list_usage"]
    years["discount"] = pool["discount"]
    years["dps_commitment"] = pool["amount"]
    years["dps_on_demand"] = pool["on_demand"]
    years["dps_lapsed"] = pool["lapsed"]
    years["dps_cost"] = pool["cost"]
    years["difference"] = years["dps_cost"] - years["classic_cost"]
    years = years[years["year"] <= base.contract.term_years].reset_index(drop=True)

    rate = float(pool["discount"].iloc[0]) if len(pool) else 0.0
    by_driver = _classic_by_driver(classic, costs).merge(
        _yearly_by_driver(dps_fc, dps_prices(dps_scenario) * (1 - rate)),
        on=["contract_year", "driver"], how="outer", suffixes=("_classic", "_dps")).fillna(0.0)
    by_driver = by_driver.rename(columns={"contract_year": "year", "cost_classic": "classic", "cost_dps": "dps"})
    by_driver = by_driver[by_driver["year"].between(1, base.contract.term_years)]
    by_driver["year"] = by_driver["year"].astype(int)
    by_driver["difference"] = by_driver["dps"] - by_driver["classic"]
    by_driver["section"] = by_driver["driver"].map(lambda n: base.drivers[n].section)
    sections = by_driver.groupby(["year", "section"], as_index=False, sort=False)[
        ["classic", "dps", "difference"]].sum()
    totals = years.set_index("year")[["classic_cost", "dps_cost"]]
    used = sections.groupby("year")[["classic", "dps"]].sum()
    unused = pd.DataFrame({"year": totals.index, "section": UNUSED,
                           "classic": (totals["classic_cost"]
                                       - used["classic"].reindex(totals.index).fillna(0)).to_numpy(),
                           "dps": (totals["dps_cost"] - used["dps"].reindex(totals.index).fillna(0)).to_numpy()})
    unused[["classic", "dps"]] = unused[["classic", "dps"]].round(6) + 0.0   # no -0.0 from rounding noise
    unused["difference"] = unused["dps"] - unused["classic"]
    sections = pd.concat([sections, unused], ignore_index=True)
    order = {key: i for i, key in enumerate((*SECTIONS, UNUSED))}
    sections = sections.sort_values(["year", "section"], key=lambda c: c.map(order) if c.name == "section" else c,
                                    kind="stable").reset_index(drop=True)
    drivers = by_driver.assign(magnitude=by_driver["difference"].abs()).sort_values(
        ["year", "magnitude"], ascending=[True, False], kind="stable").drop(columns="magnitude")
    drivers["note"] = drivers["driver"].map(lambda n: _host_note(base, n))
    card = dps.rate_card(base.tables)
    prices = pd.DataFrame({"unit": list(DPS_UNITS),
                           "name": [UNITS[u].name for u in DPS_UNITS],
                           "unit_price": dps_prices(dps_scenario).to_numpy(),
                           "price_status": card["price_status"].reindex(list(DPS_UNITS)).fillna("unknown").to_numpy()})
    classic_rows = costs[costs["year"] <= base.contract.term_years].reset_index(drop=True)
    return {"years": years[list(YEAR_COLUMNS)], "sections": sections, "classic": classic_rows,
            "drivers": drivers[["year", "driver", "section", "classic", "dps", "difference", "note"]].reset_index(
                drop=True), "prices": prices}
