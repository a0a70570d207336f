"""Scenario files: an estate, its growth, dated changes and the contract.

A scenario is a YAML file read with ``yaml.safe_load`` and validated here, so
that every mistake is reported with the file, the line and the key path::

    estate.yaml, line 14, hosts[1].ram_gib: must be a number > 0 [GiB]; got 'big'

A scenario may ``extends:`` another file (a path relative to itself): mappings
are merged key by key, lists are replaced, except ``changes`` which are added
after the base file's. The built-in examples in ``planner/examples`` use this:
one estate, several growth stories.

Sections and their volume fields (those that ``growth`` scales) are listed in
``SECTIONS``; ``docs/scenarios.md`` shows a complete file.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import yaml

from planner import _checks
from planner.hosts import MODES
from planner.tableset import TableSet, load_tables

__all__ = [
    "ScenarioError", "Scenario", "SECTIONS", "POOL_UNITS", "LICENCE_UNITS", "APPSEC",
    "load_scenario", "example_scenarios", "example_path", "read_inventory",
]

APPSEC = ("none", "vulnerability_analytics", "protection")
#: Units bought as an annual amount (they reset on the anniversary).
POOL_UNITS = ("host_unit_hours", "dem", "ddu", "asu", "cau")
#: Units licensed as a peak quantity (host units in use, MSU per LPAR).
LICENCE_UNITS = ("host_units",)


class ScenarioError(ValueError):
    """A scenario or inventory file is malformed; the message names the place."""


# --- field checks --------------------------------------------------------------
# Each check takes (value, where) and returns the clean value or raises.

def _fail(where: str, message: str) -> None:
    raise ScenarioError(f"{where}: {message}")


def _number(minimum: float = 0.0, strict: bool = False, maximum: float | None = None,
            whole: bool = False, unit: str = "") -> Callable[[Any, str], float]:
    bound = (f"> {minimum:g}" if strict else f">= {minimum:g}") + \
        (f" and <= {maximum:g}" if maximum is not None else "")
    what = ("a whole number " if whole else "a number ") + bound + (f" [{unit}]" if unit else "")

    def check(value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            _fail(where, f"must be {what}; got {value!r}")
        if (value <= minimum if strict else value < minimum) or value > _checks.LARGEST or \
                (maximum is not None and value > maximum) or (whole and value != int(value)):
            _fail(where, f"must be {what}; got {value!r}")
        return float(value)
    return check


def _choice(*allowed: str) -> Callable[[Any, str], str]:
    def check(value: Any, where: str) -> str:
        if not isinstance(value, str) or value.strip().lower() not in allowed:
            _fail(where, f"must be one of {', '.join(map(repr, allowed))}; got {value!r}")
        return value.strip().lower()
    return check


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(where, f"must be a non-empty text; got {value!r}")
    return value.strip()


def _date(value: Any, where: str) -> pd.Timestamp:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return pd.Timestamp(value)
    if isinstance(value, str):
        try:
            return pd.Timestamp(dt.date.fromisoformat(value.strip()))
        except ValueError:
            pass
    _fail(where, f"must be a date YYYY-MM-DD that exists; got {value!r}")


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        _fail(where, f"must be true or false; got {value!r}")
    return value


def _growth(value: Any, where: str) -> dict[str, Any]:
    """``{monthly: 0.02}`` or ``{yearly: 0.1}``; a rate may be a range [low, high]."""
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in ("monthly", "yearly"):
        _fail(where, "must be {monthly: RATE} or {yearly: RATE}, a RATE like 0.02 (2 %) "
                     f"or a range [0.01, 0.04]; got {value!r}")
    period, rate = next(iter(value.items()))
    rate_check = _number(minimum=-0.99, unit="fraction per " + period[:-2])
    if isinstance(rate, list):
        if len(rate) != 2:
            _fail(f"{where}.{period}", f"a range needs two numbers [low, high]; got {rate!r}")
        low, high = (rate_check(r, f"{where}.{period}") for r in rate)
        if low > high:
            _fail(f"{where}.{period}", f"range low {low:g} is above high {high:g}")
        return {"period": period, "rate": (low + high) / 2, "range": (low, high)}
    return {"period": period, "rate": rate_check(rate, f"{where}.{period}"), "range": None}


_COUNT = _number(whole=True, unit="hosts")
_SHARE = _number(maximum=1.0, unit="fraction 0..1")


@dataclass(frozen=True)
class Section:
    """One list section of a scenario: its fields and its volume fields."""

    fields: dict[str, tuple[Callable[[Any, str], Any], Any]]  # name -> (check, default or REQUIRED)
    volume: tuple[str, ...]                                   # fields that growth scales
    one_of: tuple[str, ...] = ()                              # exactly one must be given


REQUIRED = object()
_NAME = (_text, REQUIRED)
_GROWTH = (_growth, None)

SECTIONS: dict[str, Section] = {
    "hosts": Section({
        "name": _NAME, "count": (_COUNT, None), "ram_gib": (_number(strict=True, unit="GiB"), None),
        "mode": (_choice(*MODES), "fullstack"),
        "hours_per_day": (_number(maximum=24, unit="h"), 24.0),
        "custom_metrics_per_minute": (_number(unit="metrics per host per minute"), 0.0),
        "appsec": (_choice(*APPSEC), "none"),
        "inventory": (_text, None), "growth": _GROWTH,
    }, volume=("count",)),
    "rum": Section({
        "name": _NAME, "sessions_per_month": (_number(unit="sessions"), REQUIRED),
        "replay_share": (_SHARE, 0.0),
        "properties_per_session": (_number(whole=True, unit="properties"), 0.0), "growth": _GROWTH,
    }, volume=("sessions_per_month",)),
    "synthetic": Section({
        "name": _NAME, "kind": (_choice("browser", "clickpath", "http", "third_party"), REQUIRED),
        "per_run": (_number(unit="actions, requests or results per run"), 1.0),
        "frequency_minutes": (_number(strict=True, unit="min"), REQUIRED),
        "locations": (_number(whole=True, unit="locations"), 1.0), "growth": _GROWTH,
    }, volume=("per_run",)),
    "log_monitoring": Section({
        "name": _NAME, "gb_per_day": (_number(unit="GB"), None),
        "events_per_day": (_number(unit="events"), None), "growth": _GROWTH,
    }, volume=("gb_per_day", "events_per_day"), one_of=("gb_per_day", "events_per_day")),
    "grail": Section({
        "name": _NAME, "capability": (_choice("log_management", "business_events"), "log_management"),
        "ingest_gb_per_day": (_number(unit="GB"), REQUIRED),
        "retention_days": (_number(minimum=1, whole=True, unit="days"), REQUIRED),
        "query_gb_per_month": (_number(unit="GB"), 0.0),
        "processed_ratio": (_number(unit="processed GB per ingested GB"), None),
        "starts_full": (_flag, True), "growth": _GROWTH,
    }, volume=("ingest_gb_per_day", "query_gb_per_month")),
    "traces": Section({
        "name": _NAME, "spans_per_day": (_number(unit="spans"), REQUIRED), "growth": _GROWTH,
    }, volume=("spans_per_day",)),
    "custom_events": Section({
        "name": _NAME, "kind": (_choice("kubernetes", "external", "log"), "kubernetes"),
        "events_per_day": (_number(unit="events"), REQUIRED), "growth": _GROWTH,
    }, volume=("events_per_day",)),
    "serverless": Section({
        "name": _NAME, "invocations_per_day": (_number(unit="invocations"), REQUIRED),
        "on_oneagent_host": (_flag, False), "growth": _GROWTH,
    }, volume=("invocations_per_day",)),
    "cloud_automation": Section({
        "name": _NAME, "executions_per_day": (_number(unit="service executions"), REQUIRED),
        "growth": _GROWTH,
    }, volume=("executions_per_day",)),
    "mainframe": Section({
        "name": _NAME, "peak_msu": (_number(unit="MSU, peak 4-hour rolling average"), REQUIRED),
        "licensed_msu": (_number(unit="MSU"), None), "growth": _GROWTH,
    }, volume=("peak_msu",)),
}

_TOP_KEYS = ("name", "description", "extends", "tables", "currency", "horizon", "contract",
             "changes", *SECTIONS)


@dataclass
class Scenario:
    """A validated scenario. ``drivers`` maps a driver name to its section and
    fields; ``changes`` are sorted by date."""

    name: str
    description: str
    start: pd.Timestamp
    months: int
    contract: dict[str, Any]
    drivers: dict[str, dict[str, Any]]
    changes: list[dict[str, Any]]
    currency: str | None = None
    tables: TableSet = field(default=None, repr=False)
    source: str = "<dict>"

    @property
    def end(self) -> pd.Timestamp:
        """Last day of the horizon."""
        return self.start + pd.DateOffset(months=self.months) - pd.Timedelta(days=1)

    def uncertain(self) -> dict[str, tuple[float, float]]:
        """Growth ranges per driver, for Monte Carlo."""
        return {name: d["growth"]["range"] for name, d in self.drivers.items()
                if d["growth"] and d["growth"]["range"]}


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


def _unknown(keys: Any, allowed: Any, path: str, where: _Where) -> None:
    for key in keys:
        if key not in allowed:
            hint = difflib.get_close_matches(str(key), list(allowed), n=1)
            raise ScenarioError(f"{where(f'{path}.{key}' if path else str(key))}: unknown key"
                                + (f"; did you mean {hint[0]!r}?" if hint else "")
                                + f" Allowed: {', '.join(allowed)}")


def _validate_driver(section: str, spec: Section, raw: Any, path: str, where: _Where,
                     base: Path | None) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where(path)}: each entry is a mapping (name: ..., ...); got {raw!r}")
    _unknown(raw, spec.fields, path, where)
    clean: dict[str, Any] = {"section": section}
    for key, (check, default) in spec.fields.items():
        if key in raw and raw[key] is not None:
            clean[key] = check(raw[key], where(f"{path}.{key}"))
        elif default is REQUIRED:
            raise ScenarioError(f"{where(path)}: missing key {key!r}")
        else:
            clean[key] = default
    if spec.one_of and sum(clean[k] is not None for k in spec.one_of) != 1:
        raise ScenarioError(f"{where(path)}: give exactly one of {', '.join(spec.one_of)}")
    if section == "hosts":
        if clean["inventory"]:
            if clean["count"] is not None or clean["ram_gib"] is not None:
                raise ScenarioError(f"{where(path)}: give either inventory or count and ram_gib, not both")
            file = Path(clean["inventory"])
            file = file if file.is_absolute() or base is None else base / file
            clean["inventory"] = read_inventory(file)
        elif clean["count"] is None or clean["ram_gib"] is None:
            raise ScenarioError(f"{where(path)}: a host group needs count and ram_gib (or an inventory file)")
    return clean


def _validate_changes(raw: Any, drivers: dict[str, dict[str, Any]], where: _Where) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ScenarioError(f"{where('changes')}: must be a list of changes")
    changes = []
    for i, change in enumerate(raw):
        path = f"changes[{i}]"
        if not isinstance(change, dict) or "date" not in change or len(change) != 2:
            raise ScenarioError(f"{where(path)}: a change is {{date: YYYY-MM-DD, set: {{...}}}} or "
                                f"{{date: ..., move_hosts: {{...}}}}; got {change!r}")
        date = _date(change["date"], where(f"{path}.date"))
        kind = next(k for k in change if k != "date")
        body = change[kind]
        if kind not in ("set", "move_hosts") or not isinstance(body, dict):
            raise ScenarioError(f"{where(f'{path}.{kind}')}: a change is set: {{driver: NAME, FIELD: VALUE}} "
                                "or move_hosts: {from: GROUP, count: N, mode: ...}")
        if kind == "set":
            name = body.get("driver")
            if name not in drivers:
                raise ScenarioError(f"{where(f'{path}.set.driver')}: unknown driver {name!r}; "
                                    f"drivers: {', '.join(drivers)}")
            spec = SECTIONS[drivers[name]["section"]]
            fields = {k: v for k, v in body.items() if k != "driver"}
            settable = [k for k in spec.fields if k not in ("name", "inventory", "growth")]
            _unknown(fields, settable, f"{path}.set", where)
            if not fields:
                raise ScenarioError(f"{where(f'{path}.set')}: name at least one field to set")
            values = {k: spec.fields[k][0](v, where(f"{path}.set.{k}")) for k, v in fields.items()}
            if drivers[name].get("inventory") is not None:
                raise ScenarioError(f"{where(f'{path}.set.driver')}: {name!r} is an inventory group; "
                                    "its hosts come from its file (edit the file, or add a host group)")
            changes.append({"date": date, "kind": "set", "driver": name, "values": values})
        else:
            _unknown(body, ("from", "count", "mode", "appsec"), f"{path}.move_hosts", where)
            source = body.get("from")
            if source not in drivers or drivers[source]["section"] != "hosts":
                raise ScenarioError(f"{where(f'{path}.move_hosts.from')}: unknown host group {source!r}; "
                                    f"host groups: {', '.join(n for n, d in drivers.items() if d['section'] == 'hosts')}")
            if drivers[source].get("inventory") is not None:
                raise ScenarioError(f"{where(f'{path}.move_hosts.from')}: moving hosts out of an "
                                    "inventory group is not supported; edit its file's mode column")
            count = _COUNT(body.get("count"), where(f"{path}.move_hosts.count"))
            target = {k: SECTIONS["hosts"].fields[k][0](body[k], where(f"{path}.move_hosts.{k}"))
                      for k in ("mode", "appsec") if k in body}
            if not target:
                raise ScenarioError(f"{where(f'{path}.move_hosts')}: say what changes for the moved "
                                    "hosts: mode and/or appsec")
            changes.append({"date": date, "kind": "move_hosts", "driver": source, "count": count,
                            "values": target})
    return sorted(changes, key=lambda c: c["date"])


def _validate_contract(raw: Any, where: _Where) -> dict[str, Any]:
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where('contract')}: must be a mapping")
    _unknown(raw, ("start", "term_years", "pools", "licences", "top_ups"), "contract", where)
    if "start" not in raw:
        raise ScenarioError(f"{where('contract')}: missing key 'start' (the contract's start date)")
    contract = {"start": _date(raw["start"], where("contract.start")),
                "term_years": int(_number(minimum=1, whole=True, unit="years")(
                    raw.get("term_years", 1), where("contract.term_years")))}
    pools = {}
    for group, units in (("pools", POOL_UNITS), ("licences", LICENCE_UNITS)):
        given = raw.get(group) or {}
        if not isinstance(given, dict):
            raise ScenarioError(f"{where(f'contract.{group}')}: must be a mapping of unit -> amount")
        _unknown(given, units, f"contract.{group}", where)
        for unit, spec in given.items():
            path = f"contract.{group}.{unit}"
            if not isinstance(spec, dict):
                raise ScenarioError(f"{where(path)}: must be {{{'annual' if group == 'pools' else 'quantity'}: "
                                    f"AMOUNT, price: PRICE}}; got {spec!r}")
            amount_key = "annual" if group == "pools" else "quantity"
            _unknown(spec, (amount_key, "price", "overage_price"), path, where)
            if amount_key not in spec:
                raise ScenarioError(f"{where(path)}: missing key {amount_key!r}")
            pools[unit] = {"kind": group, "amount": _number(unit=unit)(spec[amount_key], where(f"{path}.{amount_key}")),
                           **{key: _number(unit="currency per unit")(spec[key], where(f"{path}.{key}"))
                              if spec.get(key) is not None else None for key in ("price", "overage_price")}}
    contract["pools"] = pools
    top_ups = []
    for i, item in enumerate(raw.get("top_ups") or []):
        path = f"contract.top_ups[{i}]"
        if not isinstance(item, dict):
            raise ScenarioError(f"{where(path)}: must be {{pool: UNIT, date: YYYY-MM-DD, amount: N}}")
        _unknown(item, ("pool", "date", "amount"), path, where)
        if item.get("pool") not in pools or pools[item["pool"]]["kind"] != "pools":
            raise ScenarioError(f"{where(f'{path}.pool')}: {item.get('pool')!r} is not an annual pool of "
                                f"this contract; pools: {', '.join(u for u, p in pools.items() if p['kind'] == 'pools')}")
        top_ups.append({"pool": item["pool"], "date": _date(item.get("date"), where(f"{path}.date")),
                        "amount": _number(unit=item["pool"])(item.get("amount"), where(f"{path}.amount"))})
    contract["top_ups"] = top_ups
    return contract


def _validate(data: dict[str, Any], lines: dict[str, int], source: str, base: Path | None) -> Scenario:
    where = _Where(source, lines)
    _unknown(data, _TOP_KEYS, "", where)
    name = _text(data.get("name", Path(source).stem), where("name"))
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
    _unknown(horizon, ("start", "months"), "horizon", where)
    start = _date(horizon["start"], where("horizon.start")) if "start" in horizon else contract["start"]
    months = int(_number(minimum=1, maximum=240, whole=True, unit="months")(
        horizon.get("months", 12 * contract["term_years"]), where("horizon.months")))

    drivers: dict[str, dict[str, Any]] = {}
    for section, spec in SECTIONS.items():
        entries = data.get(section) or []
        if not isinstance(entries, list):
            raise ScenarioError(f"{where(section)}: must be a list of entries (- name: ...)")
        for i, raw in enumerate(entries):
            driver = _validate_driver(section, spec, raw, f"{section}[{i}]", where, base)
            if driver["name"] in drivers:
                raise ScenarioError(f"{where(f'{section}[{i}].name')}: the name {driver['name']!r} "
                                    "is used twice; driver names must be unique")
            drivers[driver["name"]] = driver
    if not drivers:
        raise ScenarioError(f"{source}: the scenario has no drivers (hosts:, rum:, grail:, ...)")
    changes = _validate_changes(data.get("changes"), drivers, where)
    end = start + pd.DateOffset(months=months)
    for i, change in enumerate(changes):
        if not start <= change["date"] < end:
            raise ScenarioError(f"{source}: change on {change['date'].date()} ({change['kind']} "
                                f"{change['driver']}) is outside the horizon {start.date()} to "
                                f"{(end - pd.Timedelta(days=1)).date()}")
    currency = data.get("currency")
    return Scenario(name=name, description=str(data.get("description") or "").strip(),
                    start=start, months=months, contract=contract, drivers=drivers,
                    changes=changes, currency=None if currency is None else _text(currency, where("currency")),
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
