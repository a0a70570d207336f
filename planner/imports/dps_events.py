"""Actual DPS usage from an export of the billing usage events (offline).

In Dynatrace, a notebook query such as::

    fetch dt.system.events
    | filter event.kind == "BILLING_USAGE_EVENT"

lists the billing usage events; the result can be downloaded as CSV or JSON.
:func:`import_dps_events` reads that export, drops repeated events (the same
``event.id``), turns each event into the DPS unit of its capability and writes
``actuals.csv`` (``month``, ``unit``, ``capability``, ``driver``, ``value``), so
that ``planner backtest`` compares a DPS scenario with what was billed.

The planner's reading (docs/rules.md#dps-usage-events):

* ``event.type`` is the capability's name as the rate card names it
  (``tables/dps_rate_card.csv``, column ``capability``; "Full-Stack Monitoring",
  "Log Management & Analytics - Retain", ...). Events of capabilities the
  planner does not price are counted and left out.
* The quantity is the event's ``billed_*`` field (for example
  ``billed_container_hours``, ``billed_bytes``). A field in bytes becomes GiB;
  a retain event (hourly, the bytes held that hour) becomes GiB-days / 24.
* Rows that cannot be read are reported one line each (the row, the column, what
  is wrong) and nothing is written; the file is written whole or not at all.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.export import text_safe
from planner.tableset import resolve

__all__ = ["ImportError_", "read_events", "events_to_actuals", "import_dps_events"]

_BYTES_PER_GIB = 2 ** 30
_HOURS_A_DAY = 24
_MAX_LISTED = 20    # bad rows listed in one error; the rest are counted


class ImportError_(ValueError):   # noqa: N801 - not the builtin ImportError
    """The export cannot be imported; the message names every bad row."""


def read_events(source: str | Path | bytes, name: str | None = None) -> pd.DataFrame:
    """The rows of an export: CSV (a header row) or JSON (a list of records, or
    ``{"records": [...]}`` as the notebook API returns), every cell as text."""
    label = name or str(source)
    data = Path(source).read_bytes() if not isinstance(source, bytes) else source
    text = data.decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ImportError_(f"{label}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
        records = doc.get("records") if isinstance(doc, dict) else doc
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise ImportError_(f"{label}: JSON must be a list of event records or {{\"records\": [...]}}")
        frame = pd.DataFrame.from_records(records)
        return frame.astype(object).where(frame.notna(), "").astype(str)
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ImportError_(f"{label}: not a readable CSV ({exc})") from None


def _capabilities(tables: Any) -> dict[str, str]:
    """Capability name (``event.type``) -> DPS unit key, from the rate card."""
    card = resolve(tables)["dps_rate_card"]
    return {name.strip(): unit for unit, names in zip(card["unit"], card["capability"])
            for name in str(names).split(";")}


def events_to_actuals(events: pd.DataFrame, tables: Any = None, name: str = "export"
                      ) -> tuple[pd.DataFrame, list[str]]:
    """Monthly actuals in DPS units from billing usage events.

    Returns
    -------
    (DataFrame, list of str)
        ``month``, ``unit``, ``capability``, ``driver`` (``"billed"``),
        ``value`` [the unit]; and notes (duplicates dropped, capabilities left out).

    Raises
    ------
    ImportError_
        One line per bad row (row 2 is the first data row of a CSV).
    """
    for column in ("event.id", "event.type", "timestamp"):
        if column not in events.columns:
            raise ImportError_(f"{name}: missing column {column!r}; an export of the billing usage events has "
                               "event.id, event.type, timestamp and the billed_* fields")
    units = _capabilities(tables)
    billed = [c for c in events.columns if c.startswith("billed_")]
    problems, rows, skipped = [], [], {}
    seen: set[str] = set()
    duplicates = 0
    for i, record in enumerate(events.to_dict("records")):
        where = f"{name}: row {i + 2}"
        event_id = str(record["event.id"]).strip()
        if not event_id:
            problems.append(f"{where}, column 'event.id': empty")
            continue
        if event_id in seen:
            duplicates += 1
            continue
        seen.add(event_id)
        kind = str(record["event.type"]).strip()
        unit = units.get(kind)
        if unit is None:
            skipped[kind] = skipped.get(kind, 0) + 1
            continue
        when = pd.to_datetime(str(record["timestamp"]).strip(), errors="coerce", utc=True)
        if pd.isna(when):
            problems.append(f"{where}, column 'timestamp': {record['timestamp']!r} is not a date and time")
            continue
        given = [(c, record[c]) for c in billed if str(record[c]).strip() not in ("", "null", "None")]
        if len(given) != 1:
            problems.append(f"{where} ({kind}): needs exactly one billed_* value; got "
                            f"{', '.join(c for c, _ in given) or 'none'}")
            continue
        column, text = given[0]
        value = pd.to_numeric(str(text).strip(), errors="coerce")
        if pd.isna(value) or not np.isfinite(value) or value < 0:
            problems.append(f"{where}, column {column!r}: {text!r} is not a number >= 0")
            continue
        value = float(value)
        if "bytes" in column:
            value /= _BYTES_PER_GIB
            if unit.endswith("_gib_days"):
                value /= _HOURS_A_DAY   # an hourly event of the bytes held that hour
        rows.append((when.tz_convert(None).to_period("M"), unit, value))
    if problems:
        more = f"\n... and {len(problems) - _MAX_LISTED} more bad rows" if len(problems) > _MAX_LISTED else ""
        raise ImportError_("\n".join(problems[:_MAX_LISTED]) + more)
    notes = []
    if duplicates:
        notes.append(f"{duplicates} repeated events (same event.id) dropped")
    notes += [f"{count} events of {kind!r} left out: the rate card prices no such capability"
              for kind, count in sorted(skipped.items())]
    frame = pd.DataFrame(rows, columns=["month", "unit", "value"])
    monthly = frame.groupby(["month", "unit"], as_index=False, sort=True)["value"].sum()
    monthly.insert(2, "capability", monthly["unit"])
    monthly.insert(3, "driver", "billed")
    monthly["month"] = monthly["month"].astype(str)
    return monthly[["month", "unit", "capability", "driver", "value"]], notes


def import_dps_events(source: str | Path, out: str | Path, *, force: bool = False, tables: Any = None
                      ) -> tuple[Path, pd.DataFrame, list[str]]:
    """Read an export and write ``OUT/actuals.csv`` atomically.

    Parameters
    ----------
    source : path
        The CSV or JSON export.
    out : path
        Folder to write ``actuals.csv`` to (created if missing).
    force : bool
        Replace an existing ``actuals.csv``.

    Returns
    -------
    (Path, DataFrame, list of str)
        The file written, its rows and the notes.
    """
    path = Path(source)
    if not path.is_file():
        raise ImportError_(f"{source}: no such file")
    actuals, notes = events_to_actuals(read_events(path), tables, name=str(source))
    folder = Path(out)
    target = folder / "actuals.csv"
    if target.exists() and not force:
        raise ImportError_(f"{target}: already exists; choose another --out or give --force-out")
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".actuals.", suffix=".partial", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            text_safe(actuals).to_csv(file, index=False)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target, actuals, notes
