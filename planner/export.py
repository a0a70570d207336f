"""Tables as files: CSV and XLSX exactly as the command line and the dashboards write them.

Excel has no periods and no time zones, so :func:`exportable` writes periods as
text and drops time zones (keeping local wall-clock time); an index becomes
columns.
"""

from __future__ import annotations

import io

import pandas as pd

__all__ = ["exportable", "csv_bytes", "xlsx_bytes"]


def exportable(frame: pd.DataFrame, index: bool = False) -> pd.DataFrame:
    """A copy of ``frame`` that CSV and Excel writers take as it is: periods as
    text, time zones dropped, the index as columns when ``index``, a column
    MultiIndex joined with spaces."""
    out = frame.reset_index() if index else frame.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [" ".join(str(p) for p in c if str(p)) for c in out.columns]
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.PeriodDtype):
            out[column] = values.astype(str)
        elif isinstance(values.dtype, pd.DatetimeTZDtype):
            out[column] = values.dt.tz_localize(None)
    return out


def csv_bytes(frame: pd.DataFrame, *, index: bool = True) -> bytes:
    """CSV of ``frame``, UTF-8 with a byte-order mark (so Excel reads it right)."""
    return exportable(frame, index).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, *, index: bool = True, sheet: str = "data") -> bytes:
    """An Excel workbook of ``frame`` with one sheet."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        exportable(frame, index).to_excel(writer, sheet_name=sheet[:31], index=False)
    return buffer.getvalue()
