"""The building blocks of the dashboards, imported in one place for the pages
written before the split.

They live in :mod:`planner.ui.charts`, :mod:`planner.ui.cards`,
:mod:`planner.ui.exports` and :mod:`planner.ui.layout`; uploads (the upload
sandbox, size limits and the upload button) in :mod:`planner.ui.uploads`.
"""

from __future__ import annotations

from planner.ui.cards import (  # noqa: F401  (re-exported)
    KpiCard, MessageArea, ResultTable, Table, guard, html_table, kpi_row, note, readable,
)
from planner.ui.charts import Chart, chart, figure_spec, plotly_loader, show_figure  # noqa: F401
from planner.ui.exports import DownloadLinks, csv_bytes, data_uri, xlsx_bytes  # noqa: F401
from planner.ui.layout import Dashboard, Page, control, field, section, style  # noqa: F401
from planner.ui.uploads import read_uploaded_inventory, read_uploaded_scenario, uploaded_files  # noqa: F401

__all__ = ["uploaded_files", "read_uploaded_scenario", "read_uploaded_inventory"]
