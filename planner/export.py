"""Tables as files: CSV and XLSX exactly as the command line and the dashboards write them.

Excel has no periods and no time zones, so :func:`exportable` writes periods as
text and drops time zones (keeping local wall-clock time); an index becomes
columns.

Text is stored as text. A spreadsheet reads a cell that starts with ``=``, ``+``,
``-`` or ``@`` (or a tab or carriage return) as a formula, so a host named
``=cmd|' /C calc'!A0`` in a colleague's export would run when opened ("CSV
injection", OWASP). :func:`text_safe` prefixes such text cells, and such column
names, with an apostrophe, as OWASP recommends; numbers stay numbers. Every CSV
and XLSX the planner writes goes through it.
https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import io

import pandas as pd

__all__ = ["exportable", "csv_bytes", "xlsx_bytes", "text_safe", "write_csv"]

#: What makes a spreadsheet read a text cell as a formula (OWASP, CSV Injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _neutralised(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def text_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names a spreadsheet shows as text.

    Text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading apostrophe; numbers, dates and missing values are kept as they are.

    >>> text_safe(pd.DataFrame({"host": ["=1+1", "web-1"], "-x": [-2.5, 3.0]})).to_dict("list")
    {'host': ["'=1+1", 'web-1'], "'-x": [-2.5, 3.0]}
    """
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].map(_neutralised, na_action="ignore")
    out.columns = [_neutralised(c) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path) -> None:
    """Write ``frame`` as a CSV file (no index), its text cells safe for spreadsheets."""
    text_safe(frame).to_csv(path, index=False)


def exportable(frame: pd.DataFrame, index: bool = False) -> pd.DataFrame:
    """A copy of ``frame`` that CSV and Excel writers take as it is: periods as
    text, time zones dropped, the index as columns when ``index``, a column
    MultiIndex joined with spaces, and text cells safe (:func:`text_safe`)."""
    out = frame.reset_index() if index else frame.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [" ".join(str(p) for p in c if str(p)) for c in out.columns]
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.PeriodDtype):
            out[column] = values.astype(str)
        elif isinstance(values.dtype, pd.DatetimeTZDtype):
            out[column] = values.dt.tz_localize(None)
    return text_safe(out)


def csv_bytes(frame: pd.DataFrame, *, index: bool = True) -> bytes:
    """CSV of ``frame``, UTF-8 with a byte-order mark (so Excel reads it right)."""
    return exportable(frame, index).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, *, index: bool = True, sheet: str = "data") -> bytes:
    """An Excel workbook of ``frame`` with one sheet."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        exportable(frame, index).to_excel(writer, sheet_name=sheet[:31], index=False)
    return buffer.getvalue()
