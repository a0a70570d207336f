"""Showback: consumption and cost per cost center or product, and who drives an overrun.

Any driver, and any row of a host inventory, may carry ``cost_center`` and
``product`` (:data:`planner.sections.TAGS`). A host's own tag wins over its
group's. Consumption without a tag is its own row, :data:`UNTAGGED`. The rules
(docs/exports.md#cost-centers-and-products):

* An inventory group's consumption of each unit and capability is split over
  its tags in proportion to what their hosts consume (the engine scales an
  inventory as a whole, so the shares hold on every day).
* Cost is the effective cost of the charges (:mod:`planner.engine.charges`):
  consumption covered by a pool at its price, overage at the overage price,
  day by day. What a pool year leaves unused is its own row, :data:`UNUSED`,
  so the rows add up to what the contract costs.
* A pool year that runs out: its overrun (``extra_needed``) is attributed to
  the cost centers in proportion to their consumption that year. The cost
  center whose **growth** contributes most to the shortfall is the one whose
  consumption that year is furthest above the same year of the estate as it
  stands on the horizon's first day (no growth, no dated changes).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from planner.engine.charges import charges
from planner.pools import anniversaries
from planner.sections import TAGS, inventory_host_amounts
from planner.units import PEAK_UNITS, UNITS

__all__ = ["UNTAGGED", "UNUSED", "tagged", "breakdown", "overrun_attribution"]

UNTAGGED = "(untagged)"
UNUSED = "(unused pool)"


def _shares(scenario: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tags of each driver: (drivers tagged as a whole: driver, tags), and (inventory
    groups whose hosts carry tags: driver, unit, capability, tags, share)."""
    whole, split = [], []
    for name, d in scenario.drivers.items():
        own = {t: d.values.get(t) for t in TAGS}
        inventory = d.inventory
        if inventory is None or not any(t in inventory for t in TAGS):
            whole.append({"driver": name, **own})
            continue
        tags = pd.DataFrame({t: inventory[t].where(inventory[t].notna(), own[t]) if t in inventory
                             else own[t] for t in TAGS}, index=inventory.index)
        for (unit, capability), per_host in inventory_host_amounts(inventory, scenario.tables).items():
            values = np.broadcast_to(np.asarray(per_host, dtype=float), (len(inventory),))
            if values.sum() <= 0:
                continue
            sums = tags.assign(value=values).groupby(list(TAGS), dropna=False, sort=True)["value"].sum()
            for key, value in sums.items():
                split.append({"driver": name, "unit": unit, "capability": capability,
                              **{t: (None if pd.isna(v) else v) for t, v in zip(TAGS, key)},
                              "share": value / values.sum()})
    return (pd.DataFrame(whole, columns=["driver", *TAGS]),
            pd.DataFrame(split, columns=["driver", "unit", "capability", *TAGS, "share"]))


def tagged(scenario: Any, daily: pd.DataFrame) -> pd.DataFrame:
    """``daily`` (tidy: ``date``, ``unit``, ``capability``, ``driver``, ``value``)
    with the columns ``cost_center`` and ``product`` (None: untagged); an
    inventory group's rows are split over its hosts' tags."""
    whole, split = _shares(scenario)
    keys = ["driver", "unit", "capability"]
    in_split = daily.set_index(keys).index.isin(split.set_index(keys).index) if len(split) else \
        np.zeros(len(daily), dtype=bool)
    parts = [daily[~in_split].merge(whole, on="driver", how="left")]
    if in_split.any():
        parts_split = daily[in_split].merge(split, on=keys, how="inner")
        parts_split["value"] = parts_split["value"] * parts_split.pop("share")
        parts.append(parts_split)
    out = pd.concat(parts, ignore_index=True)
    for t in TAGS:
        out[t] = out[t].astype(object).where(out[t].notna(), None)
    return out


def _check_by(by: str) -> str:
    if by not in TAGS:
        raise ValueError(f"by must be one of {', '.join(TAGS)}; got {by!r}")
    return by


def _period_of(fc: Any, period: str, dates: Any) -> Any:
    dates = pd.DatetimeIndex(dates)
    if period == "month":
        return dates.to_period("M")
    if period != "year":
        raise ValueError(f"period must be 'year' or 'month'; got {period!r}")
    starts = anniversaries(fc.scenario.contract.start, len(fc.contract_years()))
    return np.searchsorted(starts, dates.to_numpy(), side="right")


def breakdown(fc: Any, by: str = "cost_center", period: str = "year") -> pd.DataFrame:
    """Consumption and cost per period, unit and tag.

    Parameters
    ----------
    fc : planner.engine.Forecast
    by : {'cost_center', 'product'}
    period : {'year', 'month'}
        Contract years (as :meth:`Forecast.yearly`) or calendar months.

    Returns
    -------
    DataFrame
        ``contract_year`` (or ``month``), ``unit``, ``by``, ``consumption``
        [the unit; flows summed, peaks the highest day of the tag's total] and
        ``cost`` [currency; NaN without a price]. Untagged consumption is
        :data:`UNTAGGED`; a pool year's unused rest is :data:`UNUSED` (cost only).
    """
    by = _check_by(by)
    name = "contract_year" if period == "year" else "month"
    daily = tagged(fc.scenario, fc.daily)
    daily[by] = daily[by].fillna(UNTAGGED)
    per_day = daily.groupby(["date", "unit", by], sort=False)["value"].sum().reset_index()
    per_day[name] = _period_of(fc, period, per_day["date"])
    peak = per_day["unit"].isin(PEAK_UNITS)
    grouped = [per_day[~peak].groupby([name, "unit", by])["value"].sum(),
               per_day[peak].groupby([name, "unit", by])["value"].max()]
    consumption = pd.concat(grouped).rename("consumption")
    bill = charges(fc.scenario, daily)
    bill[name] = _period_of(fc, period, bill["start"])
    use = bill[bill["kind"].isin(["used", "overage", "usage"])]
    cost = use.groupby([name, "unit", by])["effective"].sum(min_count=1).rename("cost")
    unused = bill[bill["kind"] == "unused"].assign(**{by: UNUSED})
    cost = pd.concat([cost, unused.groupby([name, "unit", by])["effective"].sum(min_count=1).rename("cost")])
    out = pd.concat([consumption, cost], axis=1).reset_index()
    if period == "year":
        out[name] = out[name].astype(int)
    units = {u: i for i, u in enumerate(UNITS)}
    rank = out[by].map(lambda v: (1, v) if v in (UNTAGGED, UNUSED) else (0, v))
    out = out.assign(_u=out["unit"].map(units), _r=rank).sort_values([name, "_u", "_r"], kind="stable")
    return out.drop(columns=["_u", "_r"]).reset_index(drop=True)


def _tagged_with(scenario: Any, daily: pd.DataFrame, by: str) -> pd.DataFrame:
    out = tagged(scenario, daily)
    out[by] = out[by].fillna(UNTAGGED)
    return out


def _flat(scenario: Any) -> Any:
    """The forecast of the estate as it stands on the horizon's first day: no growth, no changes."""
    from planner.engine.simulation import forecast
    drivers = {n: dataclasses.replace(d, growth=None) for n, d in scenario.drivers.items()}
    return forecast(dataclasses.replace(scenario, drivers=drivers, changes=()))


def _year(daily: pd.DataFrame, unit: str, start: Any, end: Any, by: str) -> pd.Series:
    """Consumption of ``unit`` per tag from ``start`` to ``end`` (inclusive)."""
    rows = daily[(daily["unit"] == unit) & (daily["date"] >= start) & (daily["date"] <= end)]
    return rows.groupby(by)["value"].sum()


def overrun_attribution(fc: Any, by: str = "cost_center") -> pd.DataFrame:
    """Per annual pool year that runs out: the overrun shared over the tags in
    proportion to their consumption that year, and each tag's growth.

    Returns
    -------
    DataFrame
        ``unit``, ``year``, ``run_out``, ``extra_needed`` [the unit], ``by``,
        ``consumption`` [the unit], ``share`` (of the year's consumption),
        ``overrun`` (= extra_needed x share), ``growth`` (consumption above the
        same year of the estate as it stands on the horizon's first day, with no
        growth and no dated changes) and
        ``grows_most`` (True for the tag whose growth is largest and positive).
    """
    by = _check_by(by)
    columns = ["unit", "year", "run_out", "extra_needed", by, "consumption", "share", "overrun", "growth",
               "grows_most"]
    c = fc.scenario.contract
    pools = fc.pools()
    hit = pools[pools["unit"].isin(list(c.pools)) & (pools["extra_needed"] > 0)] if len(pools) else pools
    if hit.empty:
        return pd.DataFrame(columns=columns)
    daily = _tagged_with(fc.scenario, fc.daily, by)
    flat = _tagged_with(fc.scenario, _flat(fc.scenario).daily, by)
    rows = []
    for pool in hit.itertuples():
        consumption, as_is = (_year(d, pool.unit, pool.start, pool.end, by) for d in (daily, flat))
        share = consumption / consumption.sum()
        growth = consumption - as_is.reindex(consumption.index, fill_value=0.0)
        most = growth.idxmax() if growth.max() > 0 else None
        for tag in consumption.index:
            rows.append({"unit": pool.unit, "year": pool.year, "run_out": pool.run_out,
                         "extra_needed": pool.extra_needed, by: tag, "consumption": consumption[tag],
                         "share": share[tag], "overrun": pool.extra_needed * share[tag],
                         "growth": growth[tag], "grows_most": tag == most})
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["unit", "year", "overrun"], ascending=[True, True, False], kind="stable",
                           key=lambda s: s.map({u: i for i, u in enumerate(UNITS)}) if s.name == "unit" else s
                           ).reset_index(drop=True)
