"""Scenario files: an estate, its growth, dated changes and the contract.

A scenario is a YAML file read with libyaml and validated here into the typed
model of :mod:`planner.model`, so that every mistake is reported with the
file, the line and the key path::

    estate.yaml, line 14, hosts[1].ram_gib: must be a number > 0 [GiB]; got 'big'

A scenario may ``extends:`` another file (a path relative to itself): mappings
are merged key by key, lists are replaced, except ``changes`` which are added
after the base file's. The built-in examples in ``planner/examples`` use this:
one estate, several growth stories.

The sections and their fields are those of :data:`planner.sections.SECTIONS`;
``docs/scenarios.md`` shows a complete file.
"""

from __future__ import annotations

import copy
import difflib
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from planner import fields as f
from planner.fields import ScenarioError
from planner.hosts import MODES
from planner.model import (
    Contract, Driver, Licence, MoveHosts, Pool, Scenario, SetValues, TopUp, check_change, driver_values,
)
from planner.sections import APPSEC, SECTIONS
from planner.tableset import load_tables
from planner.units import LICENCE_UNITS, POOL_UNITS

__all__ = [
    "ScenarioError", "Scenario", "load_scenario", "example_scenarios", "example_path", "read_inventory",
    "EXAMPLES",
]

_TOP_KEYS = ("name", "description", "extends", "tables", "currency", "horizon", "contract",
             "changes", *SECTIONS)


# --- reading YAML with line numbers ------------------------------------------------
def _lines(node: yaml.Node, path: str, out: dict[str, int], where: str) -> None:
    """Record the line of every key path; reject duplicate keys."""
    out[path] = node.start_mark.line + 1
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
        line = self.lines.get(probe)
        return f"{self.source}{f', line {line}' if line else ''}, {path}"


def _validate_driver(section: str, raw: Any, path: str, where: _Where, base: Path | None) -> Driver:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where(path)}: each entry is a mapping (name: ..., ...); got {raw!r}")
    values = driver_values(SECTIONS[section], raw, path, where)
    name, growth, inventory = values.pop("name"), values.pop("growth"), None
    if section == "hosts":
        file = values.pop("inventory")
        if file:
            if values["count"] is not None or values["ram_gib"] is not None:
                raise ScenarioError(f"{where(path)}: give either inventory or count and ram_gib, not both")
            path_ = Path(file)
            path_ = path_ if path_.is_absolute() or base is None else base / path_
            inventory = read_inventory(path_)
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
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where('contract')}: must be a mapping")
    f.unknown(raw, ("start", "term_years", "pools", "licences", "top_ups"), "contract", where)
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
        date = f.date(item.get("date"), where(f"{path}.date"))
        last = start + pd.DateOffset(years=term) - pd.Timedelta(days=1)
        if not start <= date <= last:
            raise ScenarioError(f"{where(f'{path}.date')}: {date.date()} is outside the term "
                                f"{start.date()} to {last.date()}")
        top_ups.append(TopUp(item["pool"], date, f.number(unit=item["pool"])(item.get("amount"),
                                                                             where(f"{path}.amount"))))
    return Contract(start, term, pools, licences, tuple(top_ups))


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


def _validate(data: dict[str, Any], lines: dict[str, int], source: str, base: Path | None) -> Scenario:
    where = _Where(source, lines)
    f.unknown(data, _TOP_KEYS, "", where)
    name = f.text(data.get("name", Path(source).stem), where("name"))
    tables = data.get("tables")
    try:
        table_set = load_tables(None if tables is None else
                                (base / tables if base is not None and not Path(tables).is_absolute() else tables))
    except ValueError as exc:
        raise ScenarioError(f"{where('tables')}: {exc}") from None
    contract = _validate_contract(data.get("contract"), where)
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
            driver = _validate_driver(section, raw, f"{section}[{i}]", where, base)
            if driver.name in drivers:
                raise ScenarioError(f"{where(f'{section}[{i}].name')}: the name {driver.name!r} "
                                    "is used twice; driver names must be unique")
            drivers[driver.name] = driver
    if not drivers:
        raise ScenarioError(f"{source}: the scenario has no drivers ({', '.join(f'{s}:' for s in SECTIONS)})")
    end = start + pd.DateOffset(months=months) - pd.Timedelta(days=1)
    changes = _validate_changes(data.get("changes"), drivers, start, end, where)
    currency = data.get("currency")
    return Scenario(name=name, description=str(data.get("description") or "").strip(),
                    start=start, months=months, contract=contract, drivers=drivers,
                    changes=tuple(changes), currency=None if currency is None else f.text(currency, where("currency")),
                    tables=table_set, source=source)


def load_scenario(source: str | Path | dict[str, Any] | None = None) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    source : path, YAML text, mapping or None
        A ``.yaml`` file, YAML text, an already-parsed mapping, or ``None`` for
        the built-in example estate.

    Raises
    ------
    ScenarioError
        With the file, line and key path of the first problem found.
    """
    if source is None:
        source = example_path("estate")
    if isinstance(source, str) and source in EXAMPLES:
        source = example_path(source)
    if isinstance(source, dict):
        return _validate(source, {}, "<scenario>", None)
    path = Path(source) if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and source.endswith((".yaml", ".yml"))) else None
    if path is None:
        data, lines = _parse(str(source), "<scenario>")
        return _validate(data, lines, "<scenario>", None)
    data, lines, base = _read_with_extends(path, seen=())
    return _validate(data, lines, str(path), base)


def _read_with_extends(path: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], dict[str, int], Path]:
    if not path.is_file():
        raise ScenarioError(f"{path}: no such scenario file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    data, lines = _parse(text, str(path))
    parent = data.pop("extends", None)
    if parent is None:
        return data, lines, path.parent
    base_file = (path.parent / str(parent)).resolve()
    if base_file in seen:
        raise ScenarioError(f"{path}: extends {parent!r} goes round in a circle")
    base_data, _, _ = _read_with_extends(base_file, seen + (path.resolve(),))
    return _merge(base_data, data), lines, path.parent


# --- inventories -------------------------------------------------------------------

INVENTORY_COLUMNS = ("host", "ram_gib", "mode")
INVENTORY_OPTIONAL = {"hours_per_day": 24.0, "custom_metrics_per_minute": 0.0, "appsec": "none"}


def read_inventory(source: str | Path | pd.DataFrame, *, name: str | None = None) -> pd.DataFrame:
    """Read a host inventory: CSV or XLSX, one row per host.

    Columns: ``host``, ``ram_gib`` [GiB], ``mode`` (fullstack or infrastructure);
    optional ``hours_per_day`` [h] (default 24), ``custom_metrics_per_minute``
    (default 0) and ``appsec`` (none, vulnerability_analytics, protection).
    Column names are matched without regard to case and surrounding spaces.

    Raises
    ------
    ScenarioError
        Naming the file, the column and the row (as the spreadsheet numbers it:
        the header is row 1).
    """
    label = name or (str(source) if not isinstance(source, pd.DataFrame) else "inventory")
    frame = _inventory_frame(source, label)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in INVENTORY_COLUMNS if c not in frame.columns]
    if missing:
        hints = []
        for column in missing:
            close = difflib.get_close_matches(column, frame.columns, n=1, cutoff=0.5)
            hints.append(f"{column!r}" + (f" (is {close[0]!r} meant?)" if close else ""))
        raise ScenarioError(f"{label}: missing column(s) {', '.join(hints)}; required: "
                            f"{', '.join(INVENTORY_COLUMNS)}; found: {', '.join(map(str, frame.columns))}")
    unknown = [c for c in frame.columns if c not in INVENTORY_COLUMNS and c not in INVENTORY_OPTIONAL]
    if unknown:
        raise ScenarioError(f"{label}: unknown column(s) {', '.join(map(repr, unknown))}; allowed: "
                            f"{', '.join([*INVENTORY_COLUMNS, *INVENTORY_OPTIONAL])}")
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
    return clean.reset_index(drop=True)


def _row(mask: pd.Series) -> int:
    return int(np.flatnonzero(mask.to_numpy())[0]) + 2   # header is row 1


def _inventory_frame(source: Any, label: str) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source.copy()
    path = Path(source)
    if not path.is_file():
        raise ScenarioError(f"{label}: no such inventory file")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=object)
        if suffix == ".csv":
            # numbers are parsed by the C reader; a column with a stray word stays
            # text and is reported row by row below. Host names stay text.
            header = pd.read_csv(path, nrows=0, encoding="utf-8-sig", skipinitialspace=True).columns
            text_columns = {c: str for c in header if str(c).strip().lower() in ("host", "mode", "appsec")}
            return pd.read_csv(path, dtype=text_columns, keep_default_na=False, na_values=[""],
                               skipinitialspace=True, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{label}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
                            "save the file as CSV UTF-8") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError) as exc:
        raise ScenarioError(f"{label}: cannot read the file ({str(exc).splitlines()[0]})") from None
    except Exception as exc:  # openpyxl raises its own types for damaged workbooks
        raise ScenarioError(f"{label}: cannot read the workbook ({type(exc).__name__}: {exc})") from None
    raise ScenarioError(f"{label}: unsupported file type {suffix!r}; use .csv or .xlsx")


# --- built-in examples ------------------------------------------------------------

EXAMPLES = ("estate", "fullstack_move", "replay_rollout", "grail_retention")


def example_path(name: str = "estate") -> Path:
    """Path of a built-in example scenario (or its inventory)."""
    if name not in EXAMPLES:
        raise ValueError(f"example must be one of {', '.join(map(repr, EXAMPLES))}; got {name!r}")
    return Path(str(resources.files("planner.examples").joinpath(f"{name}.yaml")))


def example_scenarios() -> dict[str, Scenario]:
    """Every built-in example, loaded, by name."""
    return {name: load_scenario(example_path(name)) for name in EXAMPLES}
