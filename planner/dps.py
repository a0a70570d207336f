"""Dynatrace Platform Subscription (DPS): metering, prices and the commitment.

The metering rules (docs/rules.md#dynatrace-platform-subscription-dps):

* Full-Stack Monitoring and application security bill memory-GiB-hours: RAM
  rounded up to the next 0.25 GiB, at least 4 GiB (docs/rules.md#dps-gib-hours).
* Hours are counted in 15-minute intervals; a partly monitored interval counts
  whole (docs/rules.md#dps-intervals).
* The commitment is money drawn down at the rate card; past it, usage goes on on
  demand at the same rates; what is unused lapses (docs/rules.md#dps-commitment).

Every number comes from the table set: ``tables/dps_rate_card.csv`` and the
``dps_*`` rules of ``tables/rules.yaml``.

>>> float(gib_hours(8.3, 1))
8.5
>>> float(gib_hours(17, 24)) * 30
12240.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from planner.tableset import TableError, resolve
from planner.units import DPS_UNITS

__all__ = [
    "UNIT_KEYS", "require", "billed_gib", "billed_hours", "interval_hours", "gib_hours", "host_quantities",
    "unit_prices", "rate_card", "Tier", "tiers", "percent_hint", "discount_rate", "year_cost", "commitment_sizing",
]

#: The DPS unit keys, in the rate card's order (docs/rules.md#dps-quantities).
UNIT_KEYS = DPS_UNITS

_PERCENT = 100   # a discount written as a percentage

# A computed value this close above a whole step is that step (8.0 / 0.25 is 32, not 32.000000001).
_STEP_TOLERANCE = 1e-9


def billed_gib(ram_gib: Any, tables: Any = None) -> np.ndarray:
    """Memory a host is billed for [GiB]: RAM rounded up to the next
    ``dps_ram_step_gib`` (0.25), at least ``dps_min_gib`` (4).

    >>> billed_gib([8.3, 2, 17]).tolist()
    [8.5, 4.0, 17.0]
    """
    t = resolve(tables)
    step, minimum = float(t.rule("dps_ram_step_gib")), float(t.rule("dps_min_gib"))
    steps = np.ceil(np.asarray(ram_gib, dtype=float) / step - _STEP_TOLERANCE)
    return np.maximum(steps * step, minimum)


def billed_hours(hours: Any, tables: Any = None) -> np.ndarray:
    """Hours billed for ``hours`` monitored in one run starting on an interval
    boundary [h]: whole 15-minute intervals, a part interval counted whole.

    >>> billed_hours([10, 0.1, 0]).tolist()
    [10.0, 0.25, 0.0]
    """
    interval = float(resolve(tables).rule("dps_interval_minutes")) / 60
    # + 0.0: a run of no hours is ceil(-tolerance) = -0.0 intervals; bill it as 0.0
    return np.ceil(np.asarray(hours, dtype=float) / interval - _STEP_TOLERANCE) * interval + 0.0


def interval_hours(start: Any, end: Any, tables: Any = None) -> np.ndarray:
    """Hours billed for monitoring from ``start`` to ``end`` [h]: the number of
    clock intervals (15 minutes) the run touches, times the interval.

    >>> float(interval_hours(pd.Timestamp("2027-01-04 09:05"), pd.Timestamp("2027-01-04 09:20")))
    0.5
    """
    minutes = float(resolve(tables).rule("dps_interval_minutes"))
    begin, finish = _utc_minutes(start), _utc_minutes(end)
    if np.any(finish < begin):
        raise ValueError("end must not be before start")
    count = np.where(finish > begin, np.ceil(finish / minutes) - np.floor(begin / minutes), 0.0)
    return (count * minutes / 60).reshape(np.broadcast_shapes(np.shape(start), np.shape(end)))


def _utc_minutes(when: Any) -> np.ndarray:
    """Minutes since 1970-01-01 UTC; Dynatrace meters in UTC, so a time with a
    zone is converted and a naive time is read as UTC."""
    times = pd.DatetimeIndex(pd.to_datetime(np.atleast_1d(when)))
    if times.tz is not None:
        times = times.tz_convert("UTC").tz_localize(None)
    return np.asarray((times - pd.Timestamp("1970-01-01")) / pd.Timedelta(minutes=1), dtype=float)


def gib_hours(ram_gib: Any, hours: Any, tables: Any = None) -> np.ndarray:
    """Memory-GiB-hours of a host monitored ``hours`` in one run [GiB h]."""
    return billed_gib(ram_gib, tables) * billed_hours(hours, tables)


def host_quantities(ram_gib: Any, mode: Any, hours: Any, metrics_per_minute: Any, appsec: Any,
                    tables: Any = None) -> dict[str, np.ndarray]:
    """What one host bills a day under DPS, by unit key.

    Parameters
    ----------
    ram_gib : RAM [GiB]; mode : 'fullstack', 'infrastructure' or 'foundation';
    hours : hours monitored a day [h]; metrics_per_minute : custom metric data
    points a minute; appsec : 'none', 'vulnerability_analytics' or 'protection'.
    Each may be an array (one value per host or per day).

    Returns
    -------
    dict
        ``fullstack_gib_hours`` [GiB h/day], ``infrastructure_host_hours`` and
        ``foundation_host_hours`` [h/day], ``appsec_gib_hours`` [GiB h/day] and
        ``metric_datapoints`` [data points/day above the inclusion].
    """
    t = resolve(tables)
    mode, appsec = np.asarray(mode, dtype=object), np.asarray(appsec, dtype=object)
    hours_billed = billed_hours(hours, t)
    gib = billed_gib(ram_gib, t)
    gib_h = gib * hours_billed
    full, infra = mode == "fullstack", mode == "infrastructure"
    appsec_factor = np.where(appsec == "protection", float(t.rule("dps_appsec_protection_factor")),
                             np.where(appsec == "vulnerability_analytics", 1.0, 0.0))
    included = np.where(full, gib * float(t.rule("dps_included_datapoints_fullstack_per_gib_minute")),
                        np.where(infra, float(t.rule("dps_included_datapoints_infrastructure_per_minute")), 0.0))
    minutes = np.asarray(hours, dtype=float) * 60
    excess = np.maximum(np.asarray(metrics_per_minute, dtype=float) - included, 0.0) * minutes
    return {"fullstack_gib_hours": gib_h * full, "infrastructure_host_hours": hours_billed * infra,
            "foundation_host_hours": hours_billed * (mode == "foundation"),
            "appsec_gib_hours": gib_h * appsec_factor * (full | infra), "metric_datapoints": excess}


# --- prices -----------------------------------------------------------------------------

def require(tables: Any = None) -> None:
    """Refuse a table set without DPS pricing (a classic rate card copied before
    it existed), saying how to add it."""
    t = resolve(tables)
    if "dps_rate_card" not in t.frames:
        raise TableError(f"table set {t.path}: no DPS rate card (dps_rate_card.csv and the dps_* rules of "
                         "rules.yaml); copy both from the default set (planner.export_tables) to price DPS")


def rate_card(tables: Any = None) -> pd.DataFrame:
    """The DPS rate card with ``unit_price`` [rate-card currency per unit]
    (``price / price_per``), indexed by unit key."""
    require(tables)
    frame = resolve(tables)["dps_rate_card"].copy()
    frame["unit_price"] = frame["price"] / frame["price_per"]
    return frame.set_index("unit")


def unit_prices(tables: Any = None) -> pd.Series:
    """List price per unit of every DPS unit key [rate-card currency per unit]."""
    return rate_card(tables)["unit_price"]


# --- the commitment ---------------------------------------------------------------------

class Tier(tuple):
    """A discount tier: ``(start, rate)``; the rate applies from ``start`` committed."""

    __slots__ = ()

    def __new__(cls, start: float, rate: float) -> "Tier":
        return super().__new__(cls, (float(start), float(rate)))

    @property
    def start(self) -> float:
        return self[0]

    @property
    def rate(self) -> float:
        return self[1]


def percent_hint(value: Any) -> str:
    """The hint for a discount that looks written as a percentage (12 meant as 12 %).

    >>> percent_hint(12), percent_hint(0.12), percent_hint(250)
    (' (write 0.12 for 12 %)', '', '')
    """
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return f" (write {value / _PERCENT:g} for {value:g} %)" if number and 1 <= value < _PERCENT else ""


def _rate(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"{where}: a discount is a fraction >= 0 and < 1{percent_hint(value)}; got {value!r}")
    return float(value)


def tiers(discount: Any, where: str = "contract.discount") -> tuple[Tier, ...]:
    """Discount tiers from a contract's ``discount``: a flat fraction, or a list
    of ``{from: AMOUNT, rate: FRACTION}`` (docs/rules.md#dps-discount).

    >>> [(t.start, t.rate) for t in tiers(0.12)]
    [(0.0, 0.12)]
    >>> [t.rate for t in tiers([{"from": 0, "rate": 0}, {"from": 500_000, "rate": 0.1}])]
    [0.0, 0.1]
    """
    if discount is None:
        return (Tier(0, 0),)
    if not isinstance(discount, (list, tuple)):
        return (Tier(0, _rate(discount, where)),)
    out: list[Tier] = []
    for i, item in enumerate(discount):
        path = f"{where}[{i}]"
        if isinstance(item, Tier):
            item = {"from": item.start, "rate": item.rate}
        if not isinstance(item, Mapping) or set(item) != {"from", "rate"}:
            raise ValueError(f"{path}: a tier is {{from: AMOUNT, rate: FRACTION}}; got {item!r}")
        start = item["from"]
        if isinstance(start, bool) or not isinstance(start, (int, float)) or not start >= 0:
            raise ValueError(f"{path}.from: must be an amount >= 0; got {start!r}")
        if out and start <= out[-1].start:
            raise ValueError(f"{path}.from: tiers must rise; {start:g} follows {out[-1].start:g}")
        out.append(Tier(start, _rate(item["rate"], f"{path}.rate")))
    if not out or out[0].start != 0:
        raise ValueError(f"{where}: the first tier must start from 0")
    return tuple(out)


def discount_rate(discount: Any, commitment: float) -> float:
    """The discount that applies to a year with ``commitment`` committed: the
    rate of the highest tier it reaches.

    >>> discount_rate([{"from": 0, "rate": 0}, {"from": 500_000, "rate": 0.1}], 600_000)
    0.1
    """
    levels = tiers(discount)
    reached = [t.rate for t in levels if commitment >= t.start]
    return reached[-1] if reached else 0.0


def year_cost(usage: Any, commitment: float, discount: Any = None) -> dict[str, np.ndarray]:
    """One contract year under a commitment (docs/rules.md#dps-commitment).

    Parameters
    ----------
    usage : float or array
        The year's usage at list price [currency] (one value per draw).
    commitment : float
        Committed amount for the year [currency].
    discount : float, list of tiers or None

    Returns
    -------
    dict of arrays
        ``rate`` (the discount), ``usage`` (discounted usage), ``cost`` =
        max(C, usage), ``on_demand`` = max(0, usage − C), ``lapsed`` =
        max(0, C − usage) [currency].

    >>> {k: float(v) for k, v in year_cost(1_000_000, 850_000, 0.2).items()}
    {'rate': 0.2, 'usage': 800000.0, 'cost': 850000.0, 'on_demand': 0.0, 'lapsed': 50000.0}
    """
    rate = discount_rate(discount, commitment)
    used = np.asarray(usage, dtype=float) * (1 - rate)
    return {"rate": np.asarray(rate), "usage": used, "cost": np.maximum(commitment, used),
            "on_demand": np.maximum(used - commitment, 0.0), "lapsed": np.maximum(commitment - used, 0.0)}


def _inverted_cdf(values: np.ndarray, q: float) -> float:
    return float(np.quantile(values, q, method="inverted_cdf"))


def commitment_sizing(usage: Sequence[float] | np.ndarray, discount: Any, risk: float = 0.0,
                      candidates: Sequence[float] = ()) -> tuple[pd.DataFrame, dict[str, float]]:
    """Expected cost of committing each tier threshold, from usage draws
    (docs/rules.md#dps-commitment-sizing).

    Parameters
    ----------
    usage : array
        One year's usage at list price per Monte Carlo draw [currency].
    discount : float or tiers
    risk : float, default 0
        Accepted chance of unbudgeted on-demand spend (>= 0 and < 1).
    candidates : sequence of float
        Further commitments to evaluate besides the thresholds.

    Returns
    -------
    (DataFrame, dict)
        Per commitment: ``commitment``, ``rate``, ``expected_cost``,
        ``p_used_up``, ``expected_on_demand``, ``expected_lapsed`` [currency];
        and ``optimal`` (the threshold of least expected cost; ties to the
        smaller) and ``at_risk`` (see the rule).
    """
    draws = np.asarray(usage, dtype=float).ravel()
    if draws.size == 0:
        raise ValueError("usage needs at least one draw")
    if isinstance(risk, bool) or not isinstance(risk, (int, float)) or not 0 <= risk < 1:
        raise ValueError(f"risk must be a fraction >= 0 and < 1; got {risk!r}")
    levels = tiers(discount)
    points = sorted({t.start for t in levels} | {float(c) for c in candidates})
    rows = []
    for c in points:
        year = year_cost(draws, c, levels_as_list(levels))
        rows.append({"commitment": c, "rate": float(year["rate"]), "expected_cost": float(year["cost"].mean()),
                     "p_used_up": float((year["usage"] > c).mean()),
                     "expected_on_demand": float(year["on_demand"].mean()),
                     "expected_lapsed": float(year["lapsed"].mean())})
    table = pd.DataFrame(rows)
    thresholds = table[table["commitment"].isin([t.start for t in levels])]
    optimal = float(thresholds.loc[thresholds["expected_cost"].idxmin(), "commitment"])
    return table, {"optimal": optimal, "at_risk": _at_risk(draws, levels, risk)}


def _at_risk(draws: np.ndarray, levels: Sequence[Tier], risk: float) -> float:
    """The least commitment whose chance of on-demand spend is at most ``risk``:
    in the lowest tier k where it fits, max(t_k, the (1 − risk) quantile of
    U(1 − d_k))."""
    for k, tier in enumerate(levels):
        amount = max(tier.start, _inverted_cdf(draws * (1 - tier.rate), 1 - risk))
        if k + 1 == len(levels) or amount < levels[k + 1].start:
            return amount
    raise AssertionError("unreachable: the last tier always fits")


def levels_as_list(levels: Sequence[Tier]) -> list[dict[str, float]]:
    """Tiers back in the contract's form, ``[{from: ..., rate: ...}, ...]``."""
    return [{"from": t.start, "rate": t.rate} for t in levels]
