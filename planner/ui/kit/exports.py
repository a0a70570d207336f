"""Downloads: CSV and XLSX of a table, as links in the page.

The files are those the command line writes (:mod:`planner.export`).
"""

from __future__ import annotations

import base64
import html

import ipywidgets as widgets
import pandas as pd
from planner.export import csv_bytes, xlsx_bytes

__all__ = ["DownloadLinks", "csv_bytes", "xlsx_bytes", "data_uri", "XLSX_MIME"]


def data_uri(content: bytes, mime: str) -> str:
    """A base64 ``data:`` URI."""
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DownloadLinks(widgets.HTML):
    """"Download CSV / XLSX" links for a DataFrame (class ``download-<name>``).

    Parameters
    ----------
    name : str
        CSS class and file name stem.
    frame : DataFrame, optional
    label : str
        Text before the links, e.g. "Monthly consumption".
    """

    def __init__(self, name: str, frame: pd.DataFrame | None = None, *, label: str = "Download",
                 index: bool = True):
        super().__init__("")
        self.add_class("planner-download")
        self.add_class(f"download-{name}")
        self.name, self.label, self.index = name, label, index
        if frame is not None:
            self.update(frame)

    def update(self, frame: pd.DataFrame) -> None:
        """Replace the data behind the links."""
        csv = data_uri(csv_bytes(frame, index=self.index), "text/csv")
        xlsx = data_uri(xlsx_bytes(frame, index=self.index, sheet=self.name), XLSX_MIME)
        self.value = (f'<span class="planner-download-label">{html.escape(self.label)}:</span> '
                      f'<a download="{self.name}.csv" href="{csv}">CSV</a> · '
                      f'<a download="{self.name}.xlsx" href="{xlsx}">XLSX</a>')
