"""Scenario files: an estate, its growth, dated changes and the contract.

A scenario is a YAML file read with libyaml and validated here into the typed
model of :mod:`planner.model`, so that every mistake is reported with the
file, the line and the key path::

    estate.yaml, line 14, hosts[1].ram_gib: must be a number > 0 [GiB]; got 'big'

A scenario may ``extends:`` another file (a path relative to itself): mappings
are merged key by key, lists are replaced, except ``changes`` which are added
after the base file's. The built-in examples in ``planner/examples`` use this:
one estate, several growth stories. A key from an extended file is reported
in that file, at its line.

The files a scenario names (``extends``, ``inventory``, ``tables``) are read
through one file-access object: :class:`LocalFiles` (any local path, for the
command line and the Python API) or, for a dashboard's uploads,
:class:`planner.ui.kit.uploads.UploadSandbox` (bare names of uploaded and built-in
files only).

The sections and their fields are those of :data:`planner.sections.SECTIONS`;
``docs/scenarios.md`` shows a complete file.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import io
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from planner import dps
from planner import fields as f
from planner import premium
from planner.fields import ScenarioError
from planner.hosts import MODES
from planner.model import (
    DEPLOYMENTS, Contract, Driver, Licence, MoveHosts, OnePremium, Pool, Scenario, SetValues, TopUp, check_change,
    check_deployment, driver_values,
)
from planner.sections import APPSEC, SECTIONS
from planner.tableset import TableSet, load_tables, with_rules
from planner.units import LICENCE_UNITS, POOL_UNITS, UNITS

__all__ = [
    "ScenarioError", "Scenario", "load_scenario", "example_scenarios", "example_path", "examples_folder",
    "read_inventory",
    "EXAMPLES", "DPS_EXAMPLES", "LocalFiles",
]

_TOP_KEYS = ("name", "description", "extends", "tables", "currency", "billing_account", "horizon", "contract",
             "changes", "deployment", "conversions", *SECTIONS)


# --- reading YAML with line numbers ------------------------------------------------

#: Most keys and list items a scenario may have: aliases (``*a``) repeat a node
#: without copying it, so a small file could otherwise spell billions of them.
MAX_NODES = 100_000


def _lines(node: yaml.Node, path: str, out: dict[str, int], where: str) -> None:
    """Record the line of every key path; reject duplicate keys."""
    out[path] = node.start_mark.line + 1
    if len(out) > MAX_NODES:
        raise ScenarioError(f"{where}: more than {MAX_NODES:,} keys and list items; "
                            "a scenario is far smaller (are aliases repeating a block?)")
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key, value in node.value:
            name = key.value
            if name in seen:
                raise ScenarioError(f"{where}, line {key.start_mark.line + 1}, "
                                    f"{(path + '.') if path else ''}{name}: duplicate key "
                                    f"(first on line {seen[name]})")
            seen[name] = key.start_mark.line + 1
            _lines(value, f"{path}.{name}" if path else str(name), out, where)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, f"{path}[{i}]", out, where)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when available
    """``yaml.safe_load``'s loader, except that dates stay text: a date that does
    not exist (2027-02-30) then gets our error with its key path, not PyYAML's."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _parse(text: str, where: str) -> tuple[dict[str, Any], dict[str, int]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()           # one pass: the node tree has the line marks
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        raise ScenarioError(f"{where}{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    finally:
        loader.dispose()
    if data is None:
        raise ScenarioError(f"{where}: the scenario is empty; it needs at least contract: and one "
                            "driver (hosts:, rum:, grail:, ...), see docs/scenarios.md")
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: a scenario is a YAML mapping (name:, hosts:, contract: ...); "
                            f"got {type(data).__name__}")
    lines: dict[str, int] = {}
    _lines(node, "", lines, where)
    return data, lines


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in over.items():
        if key == "changes":
            merged[key] = list(merged.get(key) or []) + list(value or [])
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


# --- validation --------------------------------------------------------------------

class _Where:
    """Formats 'file, line N, key.path' for error messages."""

    def __init__(self, source: str, lines: dict[str, int]):
        self.source, self.lines = source, lines

    def __call__(self, path: str) -> str:
        probe = path
        while probe and probe not in self.lines:
            probe = probe.rpartition(".")[0] if "." in probe else probe.rpartition("[")[0]
        line, source = self.lines.get(probe), self.source
        if isinstance(line, tuple):                 # a key from a file this one extends
            source, line = line
        return f"{source}{f', line {line}' if line else ''}, {path}"


def _validate_driver(section: str, raw: Any, path: str, where: _Where, files: LocalFiles) -> Driver:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where(path)}: each entry is a mapping (name: ..., ...); got {raw!r}")
    values = driver_values(SECTIONS[section], raw, path, where)
    name, growth, inventory = values.pop("name"), values.pop("growth"), None
    if section == "hosts":
        file = values.pop("inventory")
        if file:
            if values["count"] is not None or values["ram_gib"] is not None:
                raise ScenarioError(f"{where(path)}: give either inventory or count and ram_gib, not both")
            try:
                inventory = files.inventory(file)
            except ScenarioError as exc:
                raise ScenarioError(f"{where(f'{path}.inventory')}: {exc}") from None
        elif values["count"] is None or values["ram_gib"] is None:
            raise ScenarioError(f"{where(path)}: a host group needs count and ram_gib (or an inventory file)")
    return Driver(name, section, values, growth, inventory)


_CHANGE_FORM = ("a change is {date: YYYY-MM-DD, set: {driver: NAME, FIELD: VALUE}} or "
                "{date: YYYY-MM-DD, move_hosts: {from: GROUP, count: N, mode: ..., appsec: ...}}")


def _validate_changes(raw: Any, drivers: dict[str, Driver], start: pd.Timestamp, end: pd.Timestamp,
                      where: _Where) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ScenarioError(f"{where('changes')}: must be a list of changes")
    changes = []
    for i, change in enumerate(raw):
        path = f"changes[{i}]"
        if not isinstance(change, dict) or "date" not in change or len(change) != 2:
            raise ScenarioError(f"{where(path)}: {_CHANGE_FORM}; got {change!r}")
        kind = next(k for k in change if k != "date")
        body = change[kind]
        if kind not in ("set", "move_hosts") or not isinstance(body, dict):
            raise ScenarioError(f"{where(f'{path}.{kind}')}: {_CHANGE_FORM}")
        date = f.date(change["date"], where(f"{path}.date"))
        if kind == "set":
            typed = SetValues(date, body.get("driver"), {k: v for k, v in body.items() if k != "driver"})
        else:
            f.unknown(body, ("from", "count", "mode", "appsec"), f"{path}.move_hosts", where)
            typed = MoveHosts(date, body.get("from"), body.get("count"),
                              {k: v for k, v in body.items() if k in ("mode", "appsec")})
        changes.append(check_change(typed, drivers, start, end, lambda p, path=path: where(f"{path}.{p}")))
    return sorted(changes, key=lambda c: c.date)


def _validate_contract(raw: Any, where: _Where) -> Contract:
    if raw is None:
        raise ScenarioError(f"{where.source}: the scenario has no contract; add "
                            "contract: {start: YYYY-MM-DD, term_years: N, pools: ...} (see docs/scenarios.md#contract)")
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where('contract')}: must be a mapping")
    f.unknown(raw, ("model", "start", "term_years", "pools", "licences", "top_ups", "one_premium", "commitment",
                    "discount", "exchange_rate"), "contract", where)
    model = raw.get("model", "classic")
    if model not in ("classic", "dps"):
        raise ScenarioError(f"{where('contract.model')}: must be one of 'classic', 'dps'; got {model!r}")
    if "start" not in raw:
        raise ScenarioError(f"{where('contract')}: missing key 'start' (the contract's start date)")
    start = f.date(raw["start"], where("contract.start"))
    term = int(f.number(minimum=1, whole=True, unit="years")(raw.get("term_years", 1), where("contract.term_years")))
    bought: dict[str, dict[str, Any]] = {}
    for group, units, amount_key in (("pools", POOL_UNITS, "annual"), ("licences", LICENCE_UNITS, "quantity")):
        given = raw.get(group) or {}
        if not isinstance(given, dict):
            raise ScenarioError(f"{where(f'contract.{group}')}: must be a mapping of unit -> "
                                f"{{{amount_key}: AMOUNT, price: PRICE}}")
        _bought_elsewhere(given, group, where)
        f.unknown(given, units, f"contract.{group}", where)
        bought[group] = {unit: _bought(unit, spec, amount_key, f"contract.{group}.{unit}", where)
                         for unit, spec in given.items()}
    pools = {u: Pool(u, *v) for u, v in bought["pools"].items()}
    licences = {u: Licence(u, *v) for u, v in bought["licences"].items()}
    top_ups = []
    for i, item in enumerate(raw.get("top_ups") or []):
        path = f"contract.top_ups[{i}]"
        if not isinstance(item, dict):
            raise ScenarioError(f"{where(path)}: must be {{pool: UNIT, date: YYYY-MM-DD, amount: N}}")
        f.unknown(item, ("pool", "date", "amount"), path, where)
        if item.get("pool") not in pools:
            raise ScenarioError(f"{where(f'{path}.pool')}: {item.get('pool')!r} is not an annual pool of "
                                f"this contract; pools: {', '.join(pools) or '(none)'}")
        last = start + pd.DateOffset(years=term) - pd.Timedelta(days=1)
        date = f.date_between(item.get("date"), where(f"{path}.date"), start, last, "term")
        top_ups.append(TopUp(item["pool"], date, f.number(unit=item["pool"])(item.get("amount"),
                                                                             where(f"{path}.amount"))))
    if model == "dps":   # one money pool; the classic terms stay as the classic side
        commitment, discount, rate = _dps_terms(raw, model, where)
        classic = Contract(start, term, pools, licences, tuple(top_ups))
        return Contract(start, term, {"commitment": Pool("commitment", commitment, 1.0)}, {}, (), model=model,
                        commitment=commitment, discount=discount, exchange_rate=rate, classic=classic)
    _dps_terms(raw, model, where)
    return Contract(start, term, pools, licences, tuple(top_ups))


def _dps_terms(raw: dict[str, Any], model: str, where: _Where) -> tuple[Any, Any, Any]:
    """(commitment, discount tiers, exchange rate) of a DPS contract (docs/rules.md#dps-commitment)."""
    given = [k for k in ("commitment", "discount", "exchange_rate") if k in raw]
    if model != "dps":
        if given:
            raise ScenarioError(f"{where(f'contract.{given[0]}')}: only a DPS contract has {given[0]!r}; "
                                "add model: dps to the contract")
        return None, None, None
    spec = raw.get("commitment")
    if not isinstance(spec, dict) or set(spec) != {"annual"}:
        raise ScenarioError(f"{where('contract.commitment')}: must be {{annual: AMOUNT}} (money a contract "
                            f"year, in the scenario's currency); got {spec!r}")
    commitment = f.number(unit="currency a year")(spec["annual"], where("contract.commitment.annual"))
    try:
        discount = dps.tiers(raw.get("discount"), "discount")
    except ValueError as exc:
        raise ScenarioError(f"{where('contract.discount')}: {str(exc).removeprefix('discount: ')}") from None
    rate = raw.get("exchange_rate")
    rate = None if rate is None else f.number(strict=True, unit="contract currency per rate-card currency")(
        rate, where("contract.exchange_rate"))
    return commitment, discount, rate


def _validate_one_premium(raw: Any, contract: Contract, tables: TableSet, where: _Where) -> OnePremium | None:
    """``contract.one_premium``: coaching sessions a week (docs/rules.md#one-premium), its
    yearly price and the plan of sessions used (a number a week, or dated sessions)."""
    if raw is None:
        return None
    path = "contract.one_premium"
    form = "{sessions_per_week: 1, price: PRICE, plan: SESSIONS_A_WEEK or [{date: YYYY-MM-DD, sessions: N}]}"
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where(path)}: must be {form}; got {_shorten(raw)!r}")
    f.unknown(raw, ("sessions_per_week", "price", "plan"), path, where)
    try:
        weekly = premium.check_sessions_per_week(raw.get("sessions_per_week"), tables=tables)
    except ValueError as exc:
        raise ScenarioError(f"{where(f'{path}.sessions_per_week')}: {str(exc).partition(' ')[2]}") from None
    price = None if raw.get("price") is None else \
        f.number(unit="currency per contract year")(raw["price"], where(f"{path}.price"))
    sessions = f.number(whole=True, unit="sessions")
    plan = raw.get("plan", 0)
    if isinstance(plan, list):
        last = contract.start + pd.DateOffset(years=contract.term_years) - pd.Timedelta(days=1)
        dated = []
        for i, item in enumerate(plan):
            here = f"{path}.plan[{i}]"
            if not isinstance(item, dict):
                raise ScenarioError(f"{where(here)}: must be {{date: YYYY-MM-DD, sessions: N}}; got {_shorten(item)!r}")
            f.unknown(item, ("date", "sessions"), here, where)
            dated.append((f.date_between(item.get("date"), where(f"{here}.date"), contract.start, last, "term"),
                          sessions(item.get("sessions", 1), where(f"{here}.sessions"))))
        plan = tuple(dated)
    else:
        plan = sessions(plan, where(f"{path}.plan"))
    try:   # a week that plans more than it has: nothing carries forward to cover it
        premium.coaching_weeks(weekly, contract.start, contract.term_years, plan, tables=tables)
    except ValueError as exc:
        raise ScenarioError(f"{where(f'{path}.plan')}: {str(exc).partition(': ')[2]}") from None
    return OnePremium(weekly, price, plan)


def _bought_elsewhere(given: dict[str, Any], group: str, where: _Where) -> None:
    """Refuse a unit put in the wrong group (host units under pools), pointing to
    the group that buys it (:data:`planner.units.UNITS`, ``bought_as``)."""
    for unit in given:
        other = {"annual": ("pools", "annual"), "licence": ("licences", "quantity")}.get(
            getattr(UNITS.get(unit), "bought_as", None))
        if other is not None and other[0] != group:
            raise ScenarioError(f"{where(f'contract.{group}.{unit}')}: {unit} is bought as "
                                f"{'an annual pool' if other[0] == 'pools' else 'a licence'}: put it under "
                                f"contract.{other[0]} as {unit}: {{{other[1]}: AMOUNT}}")


def _bought(unit: str, spec: Any, amount_key: str, path: str, where: _Where) -> tuple[float, Any, Any]:
    """(amount, price, overage_price) of one pool or licence."""
    if not isinstance(spec, dict):
        raise ScenarioError(f"{where(path)}: must be {{{amount_key}: AMOUNT, price: PRICE}}; got {spec!r}")
    f.unknown(spec, (amount_key, "price", "overage_price"), path, where)
    if amount_key not in spec:
        raise ScenarioError(f"{where(path)}: missing key {amount_key!r}")
    money = f.number(unit="currency per unit")
    return (f.number(unit=unit)(spec[amount_key], where(f"{path}.{amount_key}")),
            *(money(spec[k], where(f"{path}.{k}")) if spec.get(k) is not None else None
              for k in ("price", "overage_price")))


def _validate(data: dict[str, Any], lines: dict[str, Any], source: str, files: LocalFiles) -> Scenario:
    where = _Where(source, lines)
    f.unknown(data, _TOP_KEYS, "", where)
    name = f.text(data.get("name", Path(source).stem), where("name"))
    tables = data.get("tables")
    try:
        table_set = load_tables(None) if tables is None else files.tables(str(tables))
    except ValueError as exc:
        raise ScenarioError(f"{where('tables')}: {exc}") from None
    contract = _validate_contract(data.get("contract"), where)
    if contract.dps:
        try:
            dps.require(table_set)
        except ValueError as exc:
            raise ScenarioError(f"{where('contract.model')}: {exc}") from None
    premium = _validate_one_premium((data.get("contract") or {}).get("one_premium"), contract, table_set, where)
    if premium is not None:
        contract = dataclasses.replace(contract, one_premium=premium)
    deployment = f.choice(*DEPLOYMENTS)(data.get("deployment", DEPLOYMENTS[0]), where("deployment"))
    horizon = data.get("horizon") or {}
    if not isinstance(horizon, dict):
        raise ScenarioError(f"{where('horizon')}: must be {{start: YYYY-MM-DD, months: N}}")
    f.unknown(horizon, ("start", "months"), "horizon", where)
    start = f.date(horizon["start"], where("horizon.start")) if "start" in horizon else contract.start
    months = int(f.number(minimum=1, maximum=240, whole=True, unit="months")(
        horizon.get("months", 12 * contract.term_years), where("horizon.months")))

    drivers: dict[str, Driver] = {}
    for section in SECTIONS:
        entries = data.get(section) or []
        if not isinstance(entries, list):
            raise ScenarioError(f"{where(section)}: must be a list of entries (- name: ...)")
        for i, raw in enumerate(entries):
            driver = _validate_driver(section, raw, f"{section}[{i}]", where, files)
            if driver.name in drivers:
                raise ScenarioError(f"{where(f'{section}[{i}].name')}: the name {driver.name!r} "
                                    "is used twice; driver names must be unique")
            drivers[driver.name] = driver
    if not drivers:
        raise ScenarioError(f"{source}: the scenario has no drivers ({', '.join(f'{s}:' for s in SECTIONS)})")
    check_deployment(deployment, drivers, contract, table_set, where, "grail[0]")
    end = start + pd.DateOffset(months=months) - pd.Timedelta(days=1)
    changes = _validate_changes(data.get("changes"), drivers, start, end, where)
    currency, account = data.get("currency"), data.get("billing_account")
    conversions = data.get("conversions") or {}
    if not isinstance(conversions, dict):
        raise ScenarioError(f"{where('conversions')}: must be a mapping of rule -> value "
                            "(docs/rules.md#dps-conversions)")
    try:
        table_set = with_rules(table_set, conversions) if conversions else table_set
    except ValueError as exc:
        raise ScenarioError(f"{where('conversions')}: {str(exc).removeprefix('conversions.')}") from None
    return Scenario(name=name, description=str(data.get("description") or "").strip(),
                    start=start, months=months, contract=contract, drivers=drivers,
                    changes=tuple(changes), currency=None if currency is None else f.text(currency, where("currency")),
                    tables=table_set, source=source, deployment=deployment,
                    billing_account=None if account is None else f.text(account, where("billing_account")))


def load_scenario(source: str | Path | dict[str, Any] | None = None, *,
                  files: LocalFiles | None = None) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    source : path, example name, YAML text, mapping or None
        A scenario file (any extension), the name of a built-in example
        (``"estate"``, see ``EXAMPLES``), YAML text, an already-parsed mapping,
        or ``None`` for the built-in example estate.
    files : LocalFiles, optional
        Where the scenario and the files it names (``extends``, ``inventory``,
        ``tables``) are read from. By default the local file system, as the
        command line reads it; a dashboard passes an upload sandbox
        (:class:`planner.ui.kit.uploads.UploadSandbox`) and ``source`` is then a
        file name inside it.

    Raises
    ------
    ScenarioError
        With the file, line and key path of the first problem found.
    """
    if isinstance(source, dict):
        return _validate(source, {}, "<scenario>", files or LocalFiles())
    if files is not None:
        return _validate(*_read_with_extends(str(source), files, seen=()))
    ref = _local_source(source)
    if isinstance(ref, str):
        data, lines = _parse(ref, "<scenario>")
        return _validate(data, lines, "<scenario>", LocalFiles())
    return _validate(*_read_with_extends(ref, LocalFiles(), seen=()))


def _local_source(source: str | Path | None) -> str | Path:
    """What ``source`` names on the local file system: a file (Path) or YAML text (str)."""
    if source is None:
        return example_path("estate")
    if isinstance(source, Path):
        return source
    if not isinstance(source, str):
        raise ScenarioError(f"a scenario is a file name, an example name ({', '.join(EXAMPLES)}), "
                            f"YAML text or a mapping; got {type(source).__name__}")
    if "\n" in source or source.lstrip().startswith(("{", "---", "%YAML")) or ": " in source \
            or source.rstrip().endswith(":"):
        return source
    if source in EXAMPLES + DPS_EXAMPLES:
        return example_path(source)
    path = Path(source)
    if path.is_file():
        return path
    if path.is_dir():
        raise ScenarioError(f"{source}: is a folder, not a scenario file")
    if path.suffix.lower() in (".yaml", ".yml"):
        return path                       # reported as "no such scenario file"
    raise ScenarioError(f"{source}: no such scenario file, and not a built-in example "
                        f"({', '.join(EXAMPLES)}) or YAML text")


@dataclass(frozen=True)
class Opened:
    """A scenario file opened by a file-access object."""

    label: str        #: how messages name the file
    text: str         #: its content
    key: Any          #: identity, to find ``extends`` that go round in a circle
    files: Any        #: the file access seen from this file (relative names start here)


class LocalFiles:
    """The local file system, as the command line and the Python API read it.

    A scenario names other files by path (``extends``, ``inventory``,
    ``tables``); a relative path starts from ``base``, the folder of the
    scenario file that was loaded (the working directory for YAML text).
    Every method raises :class:`ScenarioError` with a message that starts with
    the file it names; the loader puts the scenario's file, line and key in
    front.
    """

    def __init__(self, base: Path | None = None):
        self.base = base

    def _path(self, ref: str | Path) -> Path:
        path = Path(ref)
        return path if path.is_absolute() or self.base is None else self.base / path

    def scenario(self, ref: str | Path) -> Opened:
        """Read the scenario file ``ref``."""
        path = self._path(ref)
        label = str(path)
        if path.is_dir():
            raise ScenarioError(f"{label}: is a folder, not a scenario file")
        if not path.is_file():
            raise ScenarioError(f"{label}: no such scenario file")
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError(f"{label}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        return Opened(label, text, path.resolve(), LocalFiles(path.parent))

    def inventory(self, ref: str) -> pd.DataFrame:
        """Read the host inventory ``ref`` (see :func:`read_inventory`)."""
        return read_inventory(self._path(ref))

    def tables(self, ref: str) -> TableSet:
        """Load the table-set folder ``ref``."""
        return load_tables(self._path(ref))


def _read_with_extends(ref: Any, files: Any, seen: tuple[Any, ...], holder: str = ""
                       ) -> tuple[dict[str, Any], dict[str, Any], str, Any]:
    """Data, key lines, label and file access of the scenario ``ref`` merged onto
    the files it extends. ``holder`` is 'file, line, extends' of the key that
    named ``ref``: errors in opening it are reported there."""
    try:
        opened = files.scenario(ref)
    except ScenarioError as exc:
        raise ScenarioError(f"{holder}: {exc}" if holder else str(exc)) from None
    if opened.key in seen:
        raise ScenarioError(f"{holder}: {_shorten(ref)!r} goes round in a circle")
    data, lines = _parse(opened.text, opened.label)
    parent = data.pop("extends", None)
    if parent is None:
        return data, lines, opened.label, opened.files
    where = _Where(opened.label, lines)("extends")
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(f"{where}: must be a scenario file name; got {_shorten(parent)!r}")
    base_data, base_lines, base_label, _ = _read_with_extends(
        parent.strip(), opened.files, seen + (opened.key,), where)
    tagged = {path: line if isinstance(line, tuple) else (base_label, line)
              for path, line in base_lines.items()}
    return (_merge(base_data, data), _merge_lines(base_data, data, tagged, lines),
            opened.label, opened.files)


def _shorten(value: Any, limit: int = 60) -> str:
    """``value`` as text, cut to ``limit`` characters: errors quote at most this much."""
    text = str(value)
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def _under(lines: dict[str, Any], path: str) -> dict[str, Any]:
    """The entries of ``lines`` at ``path`` and below it."""
    return {k: v for k, v in lines.items()
            if k == path or k.startswith((f"{path}.", f"{path}["))}


def _merge_lines(base: dict[str, Any], over: dict[str, Any], base_lines: dict[str, Any],
                 over_lines: dict[str, Any], path: str = "") -> dict[str, Any]:
    """Key lines of ``_merge(base, over)``: each key keeps the line (and file)
    it comes from; ``changes`` appended after the base's are renumbered."""
    out = {path: over_lines.get(path, base_lines.get(path))} if path in over_lines or path in base_lines else {}
    for key in base:
        if key not in over:
            out.update(_under(base_lines, f"{path}.{key}" if path else str(key)))
    for key, value in over.items():
        sub = f"{path}.{key}" if path else str(key)
        if key == "changes":
            out.update(_under(base_lines, sub))
            shift = len(base.get(key) or []) if isinstance(base.get(key), list) else 0
            for k, v in _under(over_lines, sub).items():
                rest = k[len(sub):]
                if rest.startswith("["):
                    number, _, tail = rest[1:].partition("]")
                    k = f"{sub}[{int(number) + shift}]{tail}"
                out[k] = v
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            out.update(_merge_lines(base[key], value, base_lines, over_lines, sub))
        else:
            out.update(_under(over_lines, sub))
    return out


# --- inventories -------------------------------------------------------------------

INVENTORY_COLUMNS = ("host", "ram_gib", "mode")
INVENTORY_OPTIONAL = {"hours_per_day": 24.0, "custom_metrics_per_minute": 0.0, "appsec": "none"}
#: Optional text columns: the host's showback tags (planner.sections.TAGS); blank is untagged.
INVENTORY_TAGS = ("cost_center", "product")


def read_inventory(source: str | Path | bytes | pd.DataFrame, *, name: str | None = None,
                   max_rows: int | None = None) -> pd.DataFrame:
    """Read a host inventory: CSV or XLSX, one row per host.

    Columns: ``host``, ``ram_gib`` [GiB], ``mode`` (fullstack or infrastructure);
    optional ``hours_per_day`` [h] (default 24), ``custom_metrics_per_minute``
    (default 0), ``appsec`` (none, vulnerability_analytics, protection), and the
    showback tags ``cost_center`` and ``product`` (text; blank: untagged).
    Column names are matched without regard to case and surrounding spaces.
    Other columns (an asset database's owner, location, ...) are kept as they
    are, after these, and listed in ``frame.attrs["ignored_columns"]``, with a
    sentence for the reader in ``frame.attrs["notes"]``.

    Parameters
    ----------
    source : path, bytes or DataFrame
        A ``.csv``/``.xlsx`` file, the content of one (``name`` then gives its
        type), or a frame with these columns.
    name : str, optional
        How messages name the file (default: the path).
    max_rows : int, optional
        Refuse an inventory with more hosts than this.

    Raises
    ------
    ScenarioError
        Naming the file, the column and the row (as the spreadsheet numbers it:
        the header is row 1).
    """
    label = name or (str(source) if isinstance(source, (str, Path)) else "inventory")
    frame = _inventory_frame(source, label, max_rows)
    if max_rows is not None and len(frame) > max_rows:
        raise ScenarioError(f"{label}: more than {max_rows:,} hosts; an inventory here may have at "
                            f"most {max_rows:,} rows")
    given = [str(c).strip() for c in frame.columns]
    frame.columns = [c.lower() for c in given]
    missing = [c for c in INVENTORY_COLUMNS if c not in frame.columns]
    if missing:
        hints = []
        for column in missing:
            import difflib   # only for the error's hint
            close = difflib.get_close_matches(column, frame.columns, n=1, cutoff=0.5)
            hints.append(f"{column!r}" + (f" (is {close[0]!r} meant?)" if close else ""))
        raise ScenarioError(f"{label}: missing column(s) {', '.join(hints)}; required: "
                            f"{', '.join(INVENTORY_COLUMNS)}; found: {_shorten(', '.join(given), 200)}"
                            + _separator_hint(given))
    extra = [i for i, c in enumerate(frame.columns) if c not in INVENTORY_COLUMNS and c not in INVENTORY_OPTIONAL
             and c not in INVENTORY_TAGS]
    if frame.empty:
        raise ScenarioError(f"{label}: the inventory has no hosts")
    host = frame["host"].astype(object)
    blank = host.isna() | (host.astype(str).str.len() == 0)
    if blank.any():
        raise ScenarioError(f"{label}: row {_row(blank)}, column 'host': empty host name")
    clean = pd.DataFrame({"host": host.astype(str)})
    dupes = clean["host"].duplicated()
    if dupes.any():
        raise ScenarioError(f"{label}: row {_row(dupes)}, column 'host': host "
                            f"{clean['host'][dupes].iloc[0]!r} is listed twice")
    for column, strict, maximum in (("ram_gib", True, None), ("hours_per_day", False, 24.0),
                                    ("custom_metrics_per_minute", False, None)):
        raw = frame[column] if column in frame else pd.Series(INVENTORY_OPTIONAL[column], index=frame.index)
        numbers = raw if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw) \
            else pd.to_numeric(raw, errors="coerce")
        numbers = numbers.astype(float)
        bad = numbers.isna() | ~np.isfinite(numbers) | (numbers <= 0 if strict else numbers < 0)
        if maximum is not None:
            bad |= numbers > maximum
        if bad.any():
            bound = ("> 0" if strict else ">= 0") + (f" and <= {maximum:g}" if maximum else "")
            raise ScenarioError(f"{label}: row {_row(bad)}, column {column!r}: "
                                f"{str(raw[bad].iloc[0])!r} is not a number {bound}")
        clean[column] = numbers
    for column, allowed in (("mode", MODES), ("appsec", APPSEC)):
        raw = frame[column] if column in frame else pd.Series(INVENTORY_OPTIONAL[column], index=frame.index)
        # normalise the few distinct values, not every row
        codes, uniques = pd.factorize(raw)
        words = np.array([str(u).strip().lower() for u in uniques], dtype=object)
        known = np.isin(words, allowed) if len(words) else np.array([], dtype=bool)
        bad = pd.Series((codes < 0) | ~known[codes] if len(known) else np.ones(len(raw), bool), index=raw.index)
        if bad.any():
            raise ScenarioError(f"{label}: row {_row(bad)}, column {column!r}: {raw[bad].iloc[0]!r} "
                                f"is not one of {', '.join(allowed)}")
        clean[column] = words[codes]
    for column in INVENTORY_TAGS:
        if column in frame:
            text = frame[column].astype(object)
            clean[column] = text.where(text.notna() & (text.astype(str).str.strip() != ""), None).map(
                lambda v: None if v is None else str(v).strip())
    clean = clean.reset_index(drop=True)
    for i in extra:
        if given[i] not in clean:
            clean[given[i]] = frame.iloc[:, i].to_numpy()
    clean.attrs["ignored_columns"] = [given[i] for i in extra]
    clean.attrs["notes"] = [f"{label}: column(s) {', '.join(repr(given[i]) for i in extra)} not used "
                            "by the planner; kept as they are"] if extra else []
    return clean


def _row(mask: pd.Series) -> int:
    return int(np.flatnonzero(mask.to_numpy())[0]) + 2   # header is row 1


def _separator_hint(columns: list[str]) -> str:
    """A hint when a CSV's header is one column holding another separator."""
    if len(columns) == 1:
        for sep, word in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
            if sep in columns[0]:
                return (f". The columns seem to be separated by {word}: save the file as CSV with "
                        "commas (Excel: 'CSV UTF-8 (Comma delimited)')")
    return ""


def _inventory_frame(source: Any, label: str, max_rows: int | None = None) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source.copy()
    if isinstance(source, (bytes, bytearray, memoryview)):
        data: Any = io.BytesIO(bytes(source))
        suffix = Path(label).suffix.lower()
        head = bytes(source[:8])
    else:
        data = path = Path(source)
        if path.is_dir():
            raise ScenarioError(f"{label}: is a folder, not an inventory file (.csv or .xlsx)")
        if not path.is_file():
            raise ScenarioError(f"{label}: no such inventory file")
        suffix = path.suffix.lower()
        with open(path, "rb") as handle:
            head = handle.read(8)
    nrows = None if max_rows is None else max_rows + 1
    if suffix in (".xlsx", ".xlsm"):
        _check_workbook(head, label)
    try:
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(data, dtype=object, engine="openpyxl", nrows=nrows)
        if suffix == ".csv":
            # numbers are parsed by the C reader; a column with a stray word stays
            # text and is reported row by row below. Host names stay text.
            header = pd.read_csv(data, nrows=0, encoding="utf-8-sig", skipinitialspace=True).columns
            if isinstance(data, io.BytesIO):
                data.seek(0)
            text_columns = {c: str for c in header if str(c).strip().lower() in ("host", "mode", "appsec")}
            return pd.read_csv(data, dtype=text_columns, keep_default_na=False, na_values=[""],
                               skipinitialspace=True, encoding="utf-8-sig", nrows=nrows)
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{label}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
                            "save the file as CSV UTF-8") from None
    except zipfile.BadZipFile as exc:
        raise ScenarioError(f"{label}: the workbook is damaged or incomplete ({exc}); save it again "
                            "from the spreadsheet program as .xlsx") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError) as exc:
        raise ScenarioError(f"{label}: cannot read the file ({str(exc).splitlines()[0]})") from None
    except Exception as exc:  # openpyxl raises its own types for damaged workbooks
        raise ScenarioError(f"{label}: the workbook is damaged or incomplete ({type(exc).__name__}: "
                            f"{_shorten(exc, 120)}); save it again as .xlsx") from None
    raise ScenarioError(f"{label}: unsupported file type {suffix!r}; use .csv or .xlsx")


def _check_workbook(head: bytes, label: str) -> None:
    """An .xlsx file is a zip archive; say what the file is instead."""
    if head.startswith(b"PK"):
        return
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        what = "an old Excel 97-2003 workbook (.xls) or another Office file"
    elif not head:
        what = "empty"
    else:
        what = "not an Excel workbook (an .xlsx file is a zip archive; this one is not)"
    raise ScenarioError(f"{label}: the file is {what}; save it from the spreadsheet program as .xlsx "
                        "(Excel Workbook) or as CSV UTF-8")


# --- built-in examples ------------------------------------------------------------

EXAMPLES = ("estate", "fullstack_move", "replay_rollout", "grail_retention")
#: Built-in examples on the Dynatrace Platform Subscription: loadable by name, not in the
#: classic dashboards' menus (docs/rules.md#dps-commitment).
DPS_EXAMPLES = ("estate_dps",)


def examples_folder() -> Path:
    """The folder of the built-in examples (the scenarios and ``inventory.csv``)."""
    return Path(str(resources.files("planner.examples")))


def example_path(name: str = "estate") -> Path:
    """Path of a built-in example scenario, by its name in :data:`EXAMPLES`."""
    if name not in EXAMPLES + DPS_EXAMPLES:
        raise ValueError(f"example must be one of {', '.join(map(repr, EXAMPLES + DPS_EXAMPLES))}; got {name!r}")
    return examples_folder() / f"{name}.yaml"


@functools.lru_cache(maxsize=1)
def example_names() -> dict[str, str]:
    """Built-in example key -> the scenario's name (its file's ``name:``, else the key)."""
    return {key: str(_parse(example_path(key).read_text(encoding="utf-8"), key)[0].get("name", key))
            for key in EXAMPLES}


def inventories_named(text: str | bytes) -> set[str]:
    """The inventory files a scenario file's host groups name (``inventory: FILE``);
    an empty set for text that is not a scenario mapping."""
    try:
        data, _ = _parse(text.decode("utf-8", "replace") if isinstance(text, bytes) else text, "<scenario>")
    except ScenarioError:
        return set()
    hosts = data.get("hosts")
    return {str(h["inventory"]) for h in hosts if isinstance(h, dict) and isinstance(h.get("inventory"), str)} \
        if isinstance(hosts, list) else set()


def extends_named(text: str | bytes) -> str | None:
    """The file a scenario file ``extends:`` (None: none, or not a scenario mapping)."""
    try:
        data, _ = _parse(text.decode("utf-8", "replace") if isinstance(text, bytes) else text, "<scenario>")
    except ScenarioError:
        return None
    return data["extends"] if isinstance(data.get("extends"), str) else None


def example_scenarios() -> dict[str, Scenario]:
    """Every built-in example, loaded, by name."""
    return {name: load_scenario(example_path(name)) for name in EXAMPLES}
