"""Weighting tables and rule constants: one loader for every table.

A *table set* is a folder of CSV files and one ``rules.yaml``. Every CSV file
opens with comment lines ``# key: value`` that state its provenance: ``source``
(document title, effective date and section; always the first line),
``section``, ``effective`` and, where the project reads the document, ``ruling``
(anchors in docs/rules.md) and ``rules`` (the rules.yaml keys the table relies
on). ``rules.yaml`` carries a ``provenance`` mapping and one entry per rule
constant, each with its ``value``, ``unit``, ``source`` and ``ruling``. The
loader refuses a set whose tables or rules lack their provenance.

The default set ships inside the package (``planner.tables``). A different rate
card or a negotiated contract is a copy of that folder with other values::

    >>> import planner
    >>> planner.export_tables("my-contract")          # doctest: +SKIP
    >>> tables = planner.load_tables("my-contract")    # doctest: +SKIP
    >>> planner.host_units(17, "infrastructure", tables=tables)  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import functools
import io
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

__all__ = ["TableError", "TableSet", "load_tables", "default_tables", "export_tables"]

RULES_FILE = "rules.yaml"

#: Every CSV table of a set with the columns it must have and the numeric ones.
SCHEMA: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "host_units": (("size_class", "max_ram_gib", "fullstack", "infrastructure"),
                   ("max_ram_gib", "fullstack", "infrastructure")),
    "included_custom_metrics": (("size_class", "max_ram_gib", "fullstack", "infrastructure"),
                                ("max_ram_gib", "fullstack", "infrastructure")),
    "asu_weights": (("size_class", "max_ram_gib", "vulnerability_analytics", "with_protection"),
                    ("max_ram_gib", "vulnerability_analytics", "with_protection")),
    "dem_weights": (("capability", "unit_of_measure", "weight"), ("weight",)),
    "ddu_weights": (("capability", "dimension", "unit_of_measure", "weight"), ("weight",)),
    "cau_weights": (("capability", "unit_of_measure", "weight"), ("weight",)),
    "support_severities": (("severity", "name", "definition"), ("severity",)),
    "support_response_times": (("plan", "severity", "target", "amount", "clock"),
                               ("severity", "amount")),
    "support_hours": (("coverage", "opens", "closes", "days", "time_zone"), ()),
    "version_support": (("product", "plan", "months"), ("months",)),
    "dps_rate_card": (("unit", "capability", "unit_of_measure", "price", "price_per", "price_status",
                       "price_source", "rounding", "minimum", "interval_minutes", "doc_title", "doc_url",
                       "doc_section", "read"),
                      ("price", "price_per", "rounding", "minimum", "interval_minutes")),
}

#: Per-row provenance of the DPS rate card: every row names its page, and each price its standing.
DPS_ROW_PROVENANCE = ("price_source", "doc_title", "doc_url", "doc_section", "read")
DPS_PRICE_STATUS = ("confirmed", "unconfirmed", "unknown")

#: Weight tables and the columns that identify one of their rows.
WEIGHT_KEYS = {"dem_weights": ("capability",), "ddu_weights": ("capability", "dimension"),
               "cau_weights": ("capability",)}

#: Tables whose rows are RAM size classes: limits must rise strictly.
RAM_CLASS_TABLES = ("host_units", "included_custom_metrics", "asu_weights")

#: Rule constants every set must define.
REQUIRED_RULES = (
    "ram_step_gib", "host_units_fullstack_per_step", "host_units_infrastructure_per_step",
    "host_units_infrastructure_cap", "included_metrics_fullstack_per_step",
    "included_metrics_infrastructure_above_classes", "asu_vulnerability_analytics_per_step",
    "asu_with_protection_per_step", "min_run_minutes_per_hour", "free_defined_properties",
    "characters_per_property", "min_actions_per_session", "session_inactivity_minutes",
    "session_max_minutes", "log_events_per_gb", "custom_event_kinds",
    "billed_custom_event_kinds", "grail_processed_ratio", "msu_window_hours",
    "support_weekend_days", "support_government_plan", "result_decimals", "stored_gb_decimals",
)

#: Tables a set may leave out: a classic rate card copied before DPS pricing existed
#: loads without them; DPS pricing then asks for them (planner.dps.require).
DPS_TABLES = ("dps_rate_card",)
#: Rule constants a set with a DPS rate card must define.
DPS_RULES = (
    "dps_ram_step_gib", "dps_min_gib", "dps_interval_minutes", "dps_hours_per_month", "dps_rate_card_currency",
    "dps_included_datapoints_infrastructure_per_minute", "dps_included_datapoints_fullstack_per_gib_minute",
    "dps_appsec_protection_factor", "dps_gib_per_gb", "dps_bytes_per_span", "dps_bytes_per_event",
    "dps_average_to_peak_msu", "dps_pods_per_node", "dps_log_retention_days", "dps_log_included_queries",
)

#: Provenance every CSV table states in its header, and every rule entry.
TABLE_PROVENANCE = ("source", "effective", "section")
RULE_FIELDS = ("value", "unit", "source")


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # yaml.safe_load, on libyaml when available


class TableError(ValueError):
    """A table set is missing, malformed or inconsistent."""


def with_rules(tables: "TableSet", overrides: dict[str, Any], where: str = "conversions") -> "TableSet":
    """A copy of ``tables`` whose configurable rules take ``overrides`` (a
    scenario's own conversion defaults, docs/rules.md#dps-conversions).

    Raises
    ------
    TableError
        Naming the key, for a rule that does not exist or is not configurable,
        or a value of another type than the default's.
    """
    rules = dict(tables.rules)
    for key, value in overrides.items():
        entry = rules.get(key)
        if entry is None or not entry.get("configurable"):
            allowed = sorted(k for k, e in rules.items() if e.get("configurable"))
            raise TableError(f"{where}.{key}: not a configurable rule; configurable: {', '.join(allowed)}")
        default = entry["value"]
        if isinstance(default, bool) != isinstance(value, bool) or \
                (isinstance(default, (int, float)) and not isinstance(value, (int, float))) or \
                (isinstance(default, str) and not isinstance(value, str)):
            raise TableError(f"{where}.{key}: must be like the default {default!r} ({entry['unit']}); got {value!r}")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not value >= 0:
            raise TableError(f"{where}.{key}: must be a number >= 0 ({entry['unit']}); got {value!r}")
        rules[key] = {**entry, "value": value}
    return TableSet(path=f"{tables.path} + {where}", frames=tables.frames, rules=rules,
                    provenance=tables.provenance)


@dataclass(frozen=True)
class TableSet:
    """A loaded table set: data frames, rule constants and their provenance."""

    path: str
    frames: dict[str, pd.DataFrame]
    rules: dict[str, Any]
    provenance: dict[str, dict[str, str]] = field(repr=False)
    _weights: dict[tuple[str, str, str | None], float] = field(repr=False, compare=False,
                                                              default_factory=dict)

    def __post_init__(self) -> None:
        # Index every weight once: calculators look weights up on every call.
        for table, keys in WEIGHT_KEYS.items():
            if table not in self.frames:
                continue
            frame = self.frames[table]
            seen: dict[tuple[str, str | None], int] = {}
            dimensions = frame["dimension"] if len(keys) > 1 else [""] * len(frame)
            for row, (capability, dimension, weight) in enumerate(zip(
                    frame["capability"], dimensions, frame["weight"].to_numpy(dtype=float))):
                dimension = dimension or None   # a row without a Grail dimension
                if (capability, dimension) in seen:
                    raise TableError(
                        f"{self.path}/{table}.csv: data rows {seen[capability, dimension]} and {row + 1} "
                        f"both give capability={capability!r}"
                        + (f", dimension={dimension!r}" if dimension is not None else ""))
                seen[capability, dimension] = row + 1
                self._weights[table, capability, dimension] = float(weight)

    def __getitem__(self, name: str) -> pd.DataFrame:
        try:
            return self.frames[name]
        except KeyError:
            raise KeyError(f"no table {name!r}; tables: {sorted(self.frames)}") from None

    def rule(self, name: str) -> Any:
        """Value of the rule constant ``name``."""
        try:
            return self.rules[name]["value"]
        except KeyError:
            raise KeyError(f"no rule {name!r}; rules: {sorted(self.rules)}") from None

    def weights(self) -> pd.DataFrame:
        """Every weight of every weight table, with the table's source.

        Returns
        -------
        pandas.DataFrame
            One row per weight: ``table``, ``capability``, ``dimension`` (Grail
            dimension or empty), ``unit_of_measure``, ``weight`` [units per
            unit of measure] and ``source``.
        """
        parts = [self[table].assign(table=table, source=self.provenance[table].get("source", ""))
                 for table in WEIGHT_KEYS if table in self.frames]
        frame = pd.concat(parts, ignore_index=True)
        frame["dimension"] = frame.get("dimension", pd.Series("", index=frame.index)).fillna("")
        return frame[["table", "capability", "dimension", "unit_of_measure", "weight", "source"]]

    def weight(self, table: str, capability: str, dimension: str | None = None) -> float:
        """Weight of one capability row (and Grail dimension) of a weight table."""
        try:
            return self._weights[table, capability, dimension]
        except KeyError:
            frame = self[table]
            raise TableError(
                f"{table}: no row for capability={capability!r}"
                + (f", dimension={dimension!r}" if dimension else "")
                + f"; capabilities: {sorted(frame['capability'].unique())}") from None


def _read_csv_table(name: str, text: str, where: str) -> tuple[pd.DataFrame, dict[str, str]]:
    provenance: dict[str, str] = {}
    lines = text.splitlines()
    body_start = 0
    for body_start, line in enumerate(lines):
        if not line.startswith("#"):
            break
        key, sep, value = line[1:].partition(":")
        if sep:
            provenance.setdefault(key.strip(), value.strip())
    if not lines or not lines[0].startswith("# source:"):
        raise TableError(f"{where}: the first line must state the source ('# source: ...')")
    missing = [key for key in TABLE_PROVENANCE if not provenance.get(key)]
    if missing:
        raise TableError(f"{where}: the header must state {', '.join(missing)} "
                         f"('# {missing[0]}: ...'); every table states "
                         f"{', '.join(TABLE_PROVENANCE)}")
    # The stdlib reader is enough for these small tables and starts faster than read_csv.
    rows = [row for row in csv.reader(io.StringIO("\n".join(lines[body_start:]))) if row]
    if not rows:
        raise TableError(f"{where}: not a readable CSV table (no header line)")
    header = [column.strip() for column in rows[0]]
    if len(set(header)) != len(header):
        raise TableError(f"{where}: repeated column name in the header {header}")
    for number, row in enumerate(rows[1:], start=1):
        if len(row) != len(header):
            raise TableError(f"{where}: not a readable CSV table (data row {number} has "
                             f"{len(row)} fields, the header {len(header)})")
    frame = pd.DataFrame(rows[1:], columns=header, dtype=str)
    columns, numeric = SCHEMA[name]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise TableError(f"{where}: missing column(s) {missing}; required columns: {list(columns)}")
    if frame.empty:
        raise TableError(f"{where}: the table has no rows")
    for column in numeric:
        values = pd.to_numeric(frame[column], errors="coerce")
        number = values.to_numpy(dtype=float)   # checked in numpy: a Series' operators cost more on small tables
        bad = np.isnan(number) | (number < 0)
        if bad.any():
            row = int(bad.nonzero()[0][0])
            raise TableError(
                f"{where}: column {column!r}, data row {row + 1}: "
                f"{frame[column].iloc[row]!r} is not a number >= 0")
        frame[column] = values
    if name in RAM_CLASS_TABLES and not frame["max_ram_gib"].is_monotonic_increasing:
        raise TableError(f"{where}: max_ram_gib must rise from row to row (size classes)")
    if name == "dps_rate_card":
        _check_dps_rows(frame, where)
    return frame, provenance


def _check_dps_rows(frame: pd.DataFrame, where: str) -> None:
    """Every DPS rate-card row cites its page and says how sure its price is."""
    for row, record in enumerate(frame.to_dict("records"), start=1):
        missing = [c for c in DPS_ROW_PROVENANCE if not str(record[c]).strip()]
        if missing:
            raise TableError(f"{where}: data row {row} ({record['unit']}): empty {', '.join(missing)}; "
                             "every row cites its page (title, URL, section, date read) and its price's source")
        if record["price_status"] not in DPS_PRICE_STATUS:
            raise TableError(f"{where}: data row {row} ({record['unit']}): price_status must be one of "
                             f"{', '.join(DPS_PRICE_STATUS)}; got {record['price_status']!r}")
        if record["price_per"] <= 0:
            raise TableError(f"{where}: data row {row} ({record['unit']}): price_per must be > 0")
    if frame["unit"].duplicated().any():
        raise TableError(f"{where}: unit {frame['unit'][frame['unit'].duplicated()].iloc[0]!r} has two rows")


def _read_rules(text: str, where: str, dps: bool = True) -> tuple[dict[str, Any], dict[str, str]]:
    try:
        doc = yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        raise TableError(f"{where}: not valid YAML ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), dict):
        raise TableError(f"{where}: expected a mapping with keys 'provenance' and 'rules'")
    rules = doc["rules"]
    missing = [r for r in REQUIRED_RULES + (DPS_RULES if dps else ()) if r not in rules]
    if missing:
        raise TableError(f"{where}: missing rule(s) {missing}")
    for key, entry in rules.items():
        if not isinstance(entry, dict) or any(f not in entry for f in RULE_FIELDS):
            raise TableError(f"{where}: rules.{key} needs {', '.join(map(repr, RULE_FIELDS))}")
    return rules, dict(doc.get("provenance") or {})


def _load(folder: Any, where: str) -> TableSet:
    frames: dict[str, pd.DataFrame] = {}
    provenance: dict[str, dict[str, str]] = {}
    present = [n for n in SCHEMA if folder.joinpath(f"{n}.csv").is_file()]
    missing = [f"{n}.csv" for n in SCHEMA if n not in present and n not in DPS_TABLES]
    if not folder.joinpath(RULES_FILE).is_file():
        missing.append(RULES_FILE)
    if missing:
        raise TableError(f"table set {where}: missing file(s) {missing}; "
                         "start from a copy of the default set (planner.export_tables)")
    for name in present:
        text = folder.joinpath(f"{name}.csv").read_text(encoding="utf-8")
        frames[name], provenance[name] = _read_csv_table(name, text, f"{where}/{name}.csv")
    rules, provenance["rules"] = _read_rules(
        folder.joinpath(RULES_FILE).read_text(encoding="utf-8"), f"{where}/{RULES_FILE}",
        dps=all(n in present for n in DPS_TABLES))
    return TableSet(path=where, frames=frames, rules=rules, provenance=provenance)


@functools.lru_cache(maxsize=1)
def default_tables() -> TableSet:
    """The table set shipped with the package (cached)."""
    return _load(resources.files("planner.tables"), "planner.tables")


def load_tables(path: str | Path | None = None) -> TableSet:
    """Load a table set.

    Parameters
    ----------
    path : str or Path, optional
        A folder holding every table of a set. ``None`` gives the default set.

    Raises
    ------
    TableError
        When a file or column is missing or a value is not a number.
    """
    if path is None:
        return default_tables()
    folder = Path(path)
    if not folder.is_dir():
        raise TableError(f"table set {str(folder)!r}: no such folder")
    return _load(folder, str(folder))


def export_tables(destination: str | Path) -> Path:
    """Copy the default table set to a new folder, to edit as another rate card.

    Refuses to touch a folder that already exists, so nothing is overwritten.
    """
    target = Path(destination)
    if target.exists():
        raise FileExistsError(f"{str(target)!r} already exists; choose a new folder")
    target.mkdir(parents=True)
    source = resources.files("planner.tables")
    for name in [f"{n}.csv" for n in SCHEMA] + [RULES_FILE]:
        with resources.as_file(source.joinpath(name)) as file:
            shutil.copyfile(file, target / name)
    return target


def resolve(tables: TableSet | str | Path | None) -> TableSet:
    """Tables argument of every calculator: a TableSet, a folder or None (default)."""
    if isinstance(tables, TableSet):
        return tables
    return load_tables(tables)
