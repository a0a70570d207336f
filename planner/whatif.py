"""A page's what-if as a scenario file: ``extends:`` the base, plus the changes.

A dashboard's what-if is a derived scenario (:meth:`planner.model.Scenario.with_values`,
``with_changes``, ``with_drivers``). :func:`what_if_yaml` writes it as a file
that extends the base file and holds only what differs:

* a section the page edits whose drivers differ (values, growth, a driver
  added or removed) is written whole: ``extends`` replaces lists, so the
  file's list is the page's;
* dated changes the base does not have are written under ``changes:``
  (``extends`` appends them to the base's);
* a pool's annual amount or a licence's quantity that differs is written
  under ``contract:`` (``extends`` merges mappings key by key).

``planner forecast`` on the file then simulates exactly the page's scenario.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from planner.model import Driver, MoveHosts, Scenario, SetValues

__all__ = ["what_if_yaml"]


def _plain(value: Any) -> Any:
    """numpy and pandas scalars as YAML's own types (floats keep every digit)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def _growth(driver: Driver) -> dict[str, Any] | None:
    g = driver.growth
    if g is None:
        return None
    return {g.period: [float(g.range[0]), float(g.range[1])] if g.range else float(g.rate)}


def _driver(driver: Driver) -> dict[str, Any]:
    if driver.inventory is not None:
        raise ValueError(f"cannot save a what-if of inventory group {driver.name!r} as a scenario file: a "
                         "scenario cannot move or set the hosts of an inventory file; change their mode in "
                         "the file instead")
    entry = {"name": driver.name, **{k: _plain(v) for k, v in driver.values.items() if v is not None}}
    growth = _growth(driver)
    if growth is not None:
        entry["growth"] = growth
    return entry


def _change(change: SetValues | MoveHosts) -> dict[str, Any]:
    day = change.date.date().isoformat()
    values = {k: _plain(v) for k, v in change.values.items()}
    if isinstance(change, SetValues):
        return {"date": day, "set": {"driver": change.driver, **values}}
    return {"date": day, "move_hosts": {"from": change.driver, "count": _plain(change.count), **values}}


def _section_differs(base: Scenario, derived: Scenario, section: str) -> bool:
    mine, theirs = derived.drivers_of(section), base.drivers_of(section)
    return list(mine) != list(theirs) or any(
        mine[n].values != theirs[n].values or mine[n].growth != theirs[n].growth for n in mine)


def _contract(base: Scenario, derived: Scenario) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for unit, pool in derived.contract.pools.items():
        if unit not in base.contract.pools or base.contract.pools[unit].annual != pool.annual:
            out.setdefault("pools", {})[unit] = {"annual": _plain(pool.annual)}
    for unit, licence in derived.contract.licences.items():
        if unit not in base.contract.licences or base.contract.licences[unit].quantity != licence.quantity:
            out.setdefault("licences", {})[unit] = {"quantity": _plain(licence.quantity)}
    return out


def what_if_yaml(base: Scenario, derived: Scenario, *, extends: str | None = None,
                 sections: Iterable[str] | None = None, name: str | None = None) -> str:
    """The scenario file of a what-if.

    Parameters
    ----------
    base : Scenario
        The scenario the page started from (read from a file).
    derived : Scenario
        The page's what-if of it.
    extends : str, optional
        How the file names its base (a path relative to where it is saved);
        by default the base file's name.
    sections : iterable of str, optional
        The sections the page edits (a page may leave the others out of its
        derived scenario); by default those ``derived`` has drivers of.
    name : str, optional
        The what-if's name; by default the base's with " (what-if)".

    Returns
    -------
    str
        YAML text; ``planner forecast`` on it gives the page's numbers.

    Raises
    ------
    ValueError
        For what a file cannot say: an inventory group's hosts, or a dated
        change of the base dropped by the page.
    """
    edited = tuple(dict.fromkeys(d.section for d in derived.drivers.values())) if sections is None else tuple(sections)
    doc: dict[str, Any] = {"extends": extends or Path(base.source).name,
                           "name": name or f"{base.name} (what-if)"}
    if derived.start != base.start or derived.months != base.months:
        doc["horizon"] = {"start": derived.start.date().isoformat(), "months": int(derived.months)}
    contract = _contract(base, derived)
    if contract:
        doc["contract"] = contract
    for section in edited:
        if _section_differs(base, derived, section):
            doc[section] = [_driver(d) for d in derived.drivers_of(section).values()]
    kept = {n for n, d in derived.drivers.items() if d.section in edited}
    dropped = [c for c in base.changes if c.driver in kept and c not in derived.changes]
    if dropped:
        raise ValueError(f"cannot save this what-if: it drops the base's dated change of {dropped[0].driver!r} "
                         f"on {dropped[0].date.date()}, which a file extending the base keeps")
    orphans = [c for c in base.changes if base.drivers[c.driver].section in edited and c.driver not in derived.drivers]
    if orphans:
        raise ValueError(f"cannot save this what-if: driver {orphans[0].driver!r} is removed, but the base has a "
                         f"dated change of it on {orphans[0].date.date()}")
    added = [c for c in derived.changes if c not in base.changes]
    if added:
        doc["changes"] = [_change(c) for c in added]
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
