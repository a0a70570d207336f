"""The workbook ``-o FILE.xlsx`` writes: one a finance colleague can open and trust.

One sheet per table, then an "About" sheet (what was run, on which rate card,
when). On each table's sheet:

* the header row is frozen and labelled, with the unit in brackets
  (``Consumption cost [EUR]``, ``Davis data units [DDU]``);
* numbers keep their unit's decimals (:func:`planner.units.decimals`) with a
  thousands separator, money its currency with cents, counts no decimals,
  fractions as percentages; a
  column whose unit is the row's ``unit`` gets each row's format;
* dates are dates (``yyyy-mm-dd``, with ``hh:mm`` where a column has times;
  a time zone's wall-clock time, the zone in the header) and months are dates
  too (the month's first day, shown ``yyyy-mm``), not text;
* text is stored as text (:func:`planner.export.text_safe`: no formulas from
  user data); columns are as wide as their content (at most 60 characters).

Numbers are the command's own (the engine's); this module only formats them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from planner.cli.render import COUNT, MONEY, MONEY_DECIMALS, OTHER_DECIMALS, ROW_UNIT, SHARE
from planner.units import UNITS

__all__ = ["write_workbook", "number_format", "about_rows", "ABOUT_SHEET"]

ABOUT_SHEET = "About"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"   # a fraction (SHARE) shown as a percentage
MONTH_FORMAT = "yyyy-mm"
_WIDEST = 60              # a column is at most this wide [characters]


def number_format(decimals: int, currency: str | None = None) -> str:
    """An Excel number format with a thousands separator and ``decimals`` places,
    followed by the currency code in quotes for money.

    >>> number_format(3), number_format(0), number_format(2, "EUR")
    ('#,##0.000', '#,##0', '#,##0.00 "EUR"')
    """
    fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
    return f'{fmt} "{currency}"' if currency else fmt


def _header(frame: pd.DataFrame, column: str, currency: str | None) -> str:
    label = frame.attrs.get("labels", {}).get(column) or str(column).replace("_", " ").capitalize()
    zone = getattr(frame[column].dtype, "tz", None)
    if zone is not None:     # the cells hold the wall-clock time of that zone
        return f"{label} [{zone}]"
    kind = frame.attrs.get("units", {}).get(column)
    if "[" in label or kind in (None, COUNT, SHARE):
        return label
    if kind == MONEY:
        return f"{label} [{currency}]" if currency else label
    if kind == ROW_UNIT:
        return f"{label} [unit of the row]"
    return f"{label} [{UNITS[kind].symbol}]" if kind in UNITS else label


def _formats(frame: pd.DataFrame, column: str, currency: str | None) -> list[str | None]:
    """The number format of each cell of a column (None: none)."""
    values = frame[column]
    if isinstance(values.dtype, pd.PeriodDtype):
        return [MONTH_FORMAT] * len(frame)
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = pd.DatetimeIndex(values).tz_localize(None) if getattr(values.dtype, "tz", None) else \
            pd.DatetimeIndex(values)
        timed = bool(((stamps - stamps.normalize()) != pd.Timedelta(0)).any())
        return [DATETIME_FORMAT if timed else DATE_FORMAT] * len(frame)
    kind = frame.attrs.get("units", {}).get(column)
    decimals = frame.attrs.get("decimals", {})
    if kind is None or not (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)):
        return [None] * len(frame)
    if kind == MONEY:
        return [number_format(MONEY_DECIMALS, currency)] * len(frame)
    if kind == SHARE:
        return [PERCENT_FORMAT] * len(frame)
    if kind == ROW_UNIT:
        return [number_format(decimals.get(u, OTHER_DECIMALS)) for u in frame["unit"]]
    return [number_format(decimals.get(kind, OTHER_DECIMALS))] * len(frame)


def _value(value: Any, fmt: str | None) -> Any:
    """A cell's value for openpyxl: dates as dates, numbers rounded to the shown decimals."""
    if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Period):
        return value.start_time.date()
    if isinstance(value, pd.Timestamp):
        stamp = value.tz_localize(None) if value.tzinfo else value
        return stamp.date() if stamp == stamp.normalize() else stamp.to_pydatetime()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if fmt and fmt.startswith("#,##0"):
            places = len(fmt.split(" ")[0].partition(".")[2])
            return round(float(value), places) if places else int(round(float(value)))
        return float(value)
    return str(value)


def _sheet(wb: Workbook, name: str, frame: pd.DataFrame, currency: str | None) -> None:
    from planner.export import text_safe
    ws = wb.create_sheet(name)
    shown = [c for c in frame.columns]
    safe = text_safe(frame)   # text cells and headers a spreadsheet shows as text
    headers = list(text_safe(pd.DataFrame(columns=[_header(frame, c, currency) for c in shown])).columns)
    ws.append(headers)
    for cell in ws[1]:
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    formats = [_formats(frame, c, currency) for c in shown]
    widths = [min(len(h), _WIDEST) for h in headers]
    for r in range(len(frame)):
        row = []
        for i, column in enumerate(shown):
            raw = frame[column].iloc[r]
            value = safe.iloc[r, i] if isinstance(raw, str) else raw
            row.append(_value(value, formats[i][r]))
        ws.append(row)
        for i, cell in enumerate(ws[ws.max_row]):
            if isinstance(cell.value, str):
                cell.data_type = "s"
            elif formats[i][r]:
                cell.number_format = formats[i][r]
            widths[i] = max(widths[i], min(_shown_width(cell.value, formats[i][r]), _WIDEST))
    ws.freeze_panes = "A2"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width + 2


def _shown_width(value: Any, fmt: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, (dt.date, dt.datetime)):
        return len(MONTH_FORMAT if fmt == MONTH_FORMAT else DATE_FORMAT) + (9 if isinstance(value, dt.datetime) else 0)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and fmt:
        places = len(fmt.split(" ")[0].partition(".")[2])
        text = f"{value:,.{places}f}"
        return len(text) + (len(fmt.split('"')[1]) + 1 if '"' in fmt else 0)
    return len(str(value))


def write_workbook(tables: dict[str, pd.DataFrame], path: str, sheet_names: list[str],
                   about: list[tuple[str, str]] | None = None, currency: str | None = None) -> None:
    """Write ``tables`` (as :func:`planner.cli.render.described` describes them) to ``path``,
    one sheet each under ``sheet_names``, then the About sheet of ``about`` (label, value) rows."""
    wb = Workbook()
    wb.remove(wb.active)
    for (name, frame), sheet in zip(tables.items(), sheet_names):
        _sheet(wb, sheet, frame, currency)
    ws = wb.create_sheet(ABOUT_SHEET)
    ws.append(["About this workbook", ""])
    ws["A1"].font = Font(bold=True)
    for label, value in about or []:
        ws.append([label, value])
        ws.cell(ws.max_row, 2).data_type = "s"
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = min(_WIDEST * 2, max([len(str(v)) for _, v in about or []] + [20]) + 2)
    for cell in ws["B"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)


def about_rows(args: Any, fc: Any) -> list[tuple[str, str]]:
    """The About sheet: what the command ran on, as (label, text) rows."""
    from planner import __version__
    from planner.tableset import resolve
    rows: list[tuple[str, str]] = [("Command", f"planner {args.command}")]
    scenario = getattr(fc, "scenario", None)
    files = getattr(args, "files", None) or [getattr(args, "file", None)]
    if scenario is not None:
        rows += [("Scenario", scenario.name), ("Scenario file", ", ".join(str(f or "estate (built-in example)")
                                                                           for f in files)),
                 ("Currency", scenario.currency or "(none given)"),
                 ("Horizon", f"{scenario.start.date()} to {scenario.end.date()} ({scenario.months} months)"),
                 ("Contract", f"from {scenario.contract.start.date()}, {scenario.contract.term_years} year(s)")]
        tables = scenario.tables
    else:
        tables = resolve(getattr(args, "tables", None))
    if hasattr(args, "draws"):
        rows.append(("Monte Carlo draws", f"{args.draws:,}" if args.draws else "none (the central forecast)"))
        rows.append(("Seed", str(args.seed) if hasattr(args, "seed") else ""))
    if hasattr(args, "risk"):
        rows.append(("Accepted risk of running out", f"{args.risk:g}"))
    rows.append(("Table set", str(tables.path)))
    for name, source in tables.provenance.items():
        rows.append((f"  {name}", "; ".join(f"{k}: {v}" for k, v in source.items() if k in
                                            ("source", "effective", "section"))))
    rows += [("Planner version", __version__),
             ("Created", dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))]
    return rows
