"""The typed scenario model: drivers, dated changes, the contract and the scenario.

Everything here is immutable. A what-if is a derived scenario::

    >>> from planner.scenario import load_scenario
    >>> base = load_scenario("estate")
    >>> more_replay = base.with_values("shop", replay_share=0.10)
    >>> more_replay.drivers["shop"].values["replay_share"], base.drivers["shop"].values["replay_share"]
    (0.1, 0.0)

and :func:`planner.engine.forecast` runs it. Values given to
:meth:`Scenario.with_values` and :meth:`Scenario.with_changes` pass the same
checks as a scenario file (:mod:`planner.sections`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from planner import fields as f
from planner.fields import Growth, ScenarioError
from planner.sections import REQUIRED, SECTIONS, Section
from planner.tableset import resolve

__all__ = [
    "Growth", "Driver", "SetValues", "MoveHosts", "Change", "Pool", "Licence", "TopUp", "OnePremium", "Contract",
    "DEPLOYMENTS",
    "Scenario", "ScenarioError",
]


@dataclass(frozen=True)
class Driver:
    """One entry of a scenario section (a host group, a RUM application, ...).

    Attributes
    ----------
    name : str
        Unique within the scenario.
    section : str
        Key of its :class:`~planner.sections.Section` in ``SECTIONS``.
    values : mapping
        Every field of the section (defaults filled in), except ``name``,
        ``growth`` and ``inventory``.
    growth : Growth or None
    inventory : pandas.DataFrame or None
        Host groups only: one row per host (:func:`planner.scenario.read_inventory`).
    """

    name: str
    section: str
    values: Mapping[str, Any]
    growth: Growth | None = None
    inventory: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def spec(self) -> Section:
        """The driver's section in the registry."""
        return SECTIONS[self.section]


@dataclass(frozen=True)
class SetValues:
    """From ``date`` on, the driver's ``values`` replace its fields (a new
    volume keeps growing from that day at the driver's rate)."""

    date: pd.Timestamp
    driver: str
    values: Mapping[str, Any]
    where: str = field(default="", compare=False, repr=False)   # for messages


@dataclass(frozen=True)
class MoveHosts:
    """On ``date``, ``count`` hosts of host group ``driver`` take new ``values``
    (``mode`` and/or ``appsec``); both parts grow on at the group's rate."""

    date: pd.Timestamp
    driver: str
    count: float
    values: Mapping[str, str]
    where: str = field(default="", compare=False, repr=False)


Change = SetValues | MoveHosts


@dataclass(frozen=True)
class Pool:
    """An annual pool: ``annual`` units a contract year, reset on the anniversary.

    ``price`` [currency per committed unit]; ``overage_price`` [currency per unit
    consumed beyond the pool, top-ups excluded].
    """

    unit: str
    annual: float
    price: float | None = None
    overage_price: float | None = None


@dataclass(frozen=True)
class Licence:
    """A licensed quantity compared with the peak in use (host units).

    ``price`` [currency per licensed unit]; ``overage_price`` [currency per unit
    in use above the licence at the peak].
    """

    unit: str
    quantity: float
    price: float | None = None
    overage_price: float | None = None


@dataclass(frozen=True)
class TopUp:
    """Units of an annual pool bought during a year; they expire with it."""

    pool: str
    date: pd.Timestamp
    amount: float


@dataclass(frozen=True)
class OnePremium:
    """Dynatrace ONE Premium: coaching sessions bought per week (docs/rules.md#one-premium).

    ``sessions_per_week`` [sessions] is 1, 2 or 3; ``price`` [currency per
    contract year] is the fee (the Supplement gives none); ``plan`` is the
    sessions used: a number used every week [sessions], or (date, sessions)
    pairs, each counted in the week of its date.
    """

    sessions_per_week: int
    price: float | None = None
    plan: float | tuple[tuple[pd.Timestamp, float], ...] = 0.0


#: Where a tenant runs: the top-level ``deployment:`` of a scenario (the first is the default).
DEPLOYMENTS = ("saas", "managed")


@dataclass(frozen=True)
class Contract:
    """Start, term, annual pools, licences, top-ups and Dynatrace ONE Premium; for a DPS
    contract (``model="dps"``) the annual ``commitment`` [currency], the ``discount`` (a
    fraction or tiers, :func:`planner.dps.tiers`) and the ``exchange_rate``
    [contract currency per rate-card currency] (docs/rules.md#dps-commitment).
    A DPS contract's one pool is ``pools["commitment"]`` (money); the classic
    pools and licences it was written with (or extends) stay in ``classic``,
    the classic side of :func:`planner.engine.side_by_side`."""

    start: pd.Timestamp
    term_years: int = 1
    pools: Mapping[str, Pool] = field(default_factory=dict)
    licences: Mapping[str, Licence] = field(default_factory=dict)
    top_ups: tuple[TopUp, ...] = ()
    one_premium: OnePremium | None = None
    model: str = "classic"
    commitment: float | None = None
    discount: Any = None
    exchange_rate: float | None = None
    classic: "Contract | None" = None

    @property
    def dps(self) -> bool:
        """True for a Dynatrace Platform Subscription contract."""
        return self.model == "dps"

    def bought(self, unit: str) -> Pool | Licence | None:
        """The pool or licence of ``unit``, if the contract buys it."""
        return self.pools.get(unit) or self.licences.get(unit)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: an estate, its growth, dated changes and the contract."""

    name: str
    description: str
    start: pd.Timestamp
    months: int
    contract: Contract
    drivers: Mapping[str, Driver]
    changes: tuple[Change, ...] = ()
    currency: str | None = None
    tables: Any = field(default=None, repr=False, compare=False)
    source: str = "<scenario>"
    billing_account: str | None = None   # who is invoiced (FOCUS BillingAccountId); None: the name
    deployment: str = DEPLOYMENTS[0]

    @property
    def end(self) -> pd.Timestamp:
        """Last day of the horizon."""
        return self.start + pd.DateOffset(months=self.months) - pd.Timedelta(days=1)

    def uncertain(self) -> dict[str, tuple[float, float]]:
        """Growth ranges per driver, for Monte Carlo."""
        return {name: d.growth.range for name, d in self.drivers.items() if d.growth and d.growth.range}

    def drivers_of(self, section: str) -> dict[str, Driver]:
        """The drivers of one section, by name."""
        return {name: d for name, d in self.drivers.items() if d.section == section}

    def with_values(self, driver: str, **values: Any) -> "Scenario":
        """A copy in which ``driver``'s fields take ``values`` for the whole horizon.

        Raises
        ------
        ScenarioError
            Naming the driver and field, for an unknown driver or field or a
            value the scenario file would refuse.
        """
        where = self._where(f"with_values({driver!r})")
        current = self._driver(driver, where(""))
        f.unknown(values, current.spec.settable, "", where)
        checked = {k: current.spec.fields[k][0](v, where(k)) for k, v in values.items()}
        _check_one_of(current.spec, {**current.values, **checked}, where(""))
        drivers = dict(self.drivers)
        drivers[driver] = dataclasses.replace(current, values={**current.values, **checked})
        return dataclasses.replace(self, drivers=drivers)

    def with_changes(self, *changes: Change) -> "Scenario":
        """A copy with ``changes`` (:class:`SetValues`, :class:`MoveHosts`) added."""
        checked = [check_change(c, self.drivers, self.start, self.end,
                                self._where(f"with_changes[{i}]")) for i, c in enumerate(changes)]
        return dataclasses.replace(self, changes=tuple(sorted((*self.changes, *checked), key=lambda c: c.date)))

    def with_drivers(self, *drivers: Driver) -> "Scenario":
        """A copy with ``drivers`` added, or replacing those of the same name.

        Raises
        ------
        ScenarioError
            For a Grail bucket in a scenario whose deployment is ``managed``.
        """
        for d in drivers:
            check_deployment(self.deployment, {d.name: d}, None, self.tables, self._where(f"with_drivers({d.name!r})"))
        return dataclasses.replace(self, drivers={**self.drivers, **{d.name: d for d in drivers}})

    def _where(self, call: str) -> Callable[[str], str]:
        return lambda path: f"{self.name}: {call}" + (f".{path}" if path else "")

    def _driver(self, name: str, where: str) -> Driver:
        if name not in self.drivers:
            f.fail(where, f"unknown driver {name!r}; drivers: {', '.join(self.drivers)}")
        return self.drivers[name]


# --- checks shared by the scenario file and the what-if methods ---------------------------

#: Dynatrace Platform Usage Supplement, effective 2022-11-15, section "Log Management and
#: Analytics; Business Events", quoted by the refusal of Grail buckets outside SaaS.
GRAIL_NEEDS_SAAS = ("To enable (i) Log Management and Analytics, or (ii) Business Events, the customer tenant "
                    "must be hosted on an active Dynatrace® SaaS environment and connected to a Dynatrace® "
                    "Grail™ cluster")


def check_deployment(deployment: str, drivers: Mapping[str, Driver], contract: Contract | None, tables: Any,
                     where: Callable[[str], str], grail_path: str = "") -> None:
    """Refuse what the deployment cannot have (docs/rules.md#grail-needs-saas,
    docs/rules.md#premium-ha): Grail buckets outside ``rules.yaml: grail_deployments``
    and a Premium High Availability licence outside ``premium_ha_deployments``.
    ``grail_path`` is the key path errors name for the first Grail bucket."""
    t = resolve(tables)
    grail = [name for name, d in drivers.items() if d.section == "grail"]
    if grail and deployment not in t.rule("grail_deployments"):
        f.fail(where(grail_path),
               f"the Grail bucket {grail[0]!r} needs Dynatrace SaaS: \"{GRAIL_NEEDS_SAAS}\" (Dynatrace Platform "
               f"Usage Supplement, effective 2022-11-15, \"Log Management and Analytics; Business Events\"); "
               f"this scenario's deployment is {deployment!r}")
    if contract is not None and "premium_ha" in contract.licences \
            and deployment not in t.rule("premium_ha_deployments"):
        f.fail(where("contract.licences.premium_ha"),
               f"Premium High Availability is a licence of Dynatrace Managed clusters (docs/rules.md#premium-ha); "
               f"this scenario's deployment is {deployment!r}: add deployment: managed at the top level")

def driver_values(section: Section, raw: Mapping[str, Any], path: str,
                  where: Callable[[str], str]) -> dict[str, Any]:
    """Every field of ``section`` from ``raw``, checked, defaults filled in."""
    f.unknown(raw, section.fields, path, where)
    clean: dict[str, Any] = {}
    for key, (check, default) in section.fields.items():
        if key in raw and raw[key] is not None:
            clean[key] = check(raw[key], where(f"{path}.{key}"))
        elif default is REQUIRED:
            f.fail(where(path), f"missing key {key!r}")
        else:
            clean[key] = default
    _check_one_of(section, clean, where(path))
    return clean


def _check_one_of(section: Section, values: Mapping[str, Any], where: str) -> None:
    if section.one_of and sum(values.get(k) is not None for k in section.one_of) != 1:
        f.fail(where, f"give exactly one of {', '.join(section.one_of)}")


def check_change(change: Any, drivers: Mapping[str, Driver], start: pd.Timestamp, end: pd.Timestamp,
                 where: Callable[[str], str]) -> Change:
    """A change checked against the drivers and the horizon ``start`` to ``end``;
    its ``where`` is set for the engine's messages."""
    if not isinstance(change, (SetValues, MoveHosts)):
        f.fail(where(""), f"a change is SetValues(...) or MoveHosts(...); got {change!r}")
    kind = "set" if isinstance(change, SetValues) else "move_hosts"
    date = f.date_between(change.date, where("date"), start, end, "horizon")
    key = "driver" if kind == "set" else "from"
    driver = drivers.get(change.driver)
    if driver is None or (kind == "move_hosts" and driver.section != "hosts"):
        names = [n for n, d in drivers.items() if kind == "set" or d.section == "hosts"]
        f.fail(where(f"{kind}.{key}"), f"unknown {'driver' if kind == 'set' else 'host group'} "
                                       f"{change.driver!r}; {'drivers' if kind == 'set' else 'host groups'}: "
                                       f"{', '.join(names) or '(none)'}")
    if driver.inventory is not None:
        f.fail(where(f"{kind}.{key}"), f"{driver.name!r} is an inventory group; its hosts come from its "
                                       "file (edit the file's columns, or add a host group)")
    if kind == "set":
        f.unknown(change.values, driver.spec.settable, "set", where)
        if not change.values:
            f.fail(where("set"), "name at least one field to set")
        values = {k: driver.spec.fields[k][0](v, where(f"set.{k}")) for k, v in change.values.items()}
        return SetValues(date, driver.name, values, where("set"))
    f.unknown(change.values, ("mode", "appsec"), "move_hosts", where)
    if not change.values:
        f.fail(where("move_hosts"), "say what changes for the moved hosts: mode and/or appsec")
    values = {k: driver.spec.fields[k][0](v, where(f"move_hosts.{k}")) for k, v in change.values.items()}
    count = f.COUNT(change.count, where("move_hosts.count"))
    return MoveHosts(date, driver.name, count, values, where("move_hosts"))
