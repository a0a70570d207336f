"""Dashboards of the planner: shared widgets, figures and formatting, and one
module per notebook in ``notebooks/``.

Building blocks (:mod:`planner.ui.widgets`, :mod:`planner.ui.figures`,
:mod:`planner.ui.format`) are used by the dashboards
(:mod:`planner.ui.overview`, :mod:`planner.ui.hosts`,
:mod:`planner.ui.digital_experience`, :mod:`planner.ui.ddu_grail`,
:mod:`planner.ui.comparison`, :mod:`planner.ui.support`, and the landing page's
:mod:`planner.ui.landing`). Each dashboard module has pure functions that
compute what its page shows (tested without a browser) and a ``dashboard(...)``
function that builds the page.

Stable CSS classes (for browser tests; ``Page.css_classes()`` lists a page's):

* root: ``planner-dashboard`` and ``dash-<notebook name>``; message line ``planner-error``
* controls ``ctl-<name>``, KPI cards ``kpi-<name>`` (text: label, the value as
  :func:`planner.ui.format.quantity` writes it, a note), charts
  ``chart-<name>``, tables ``table-<name>``, download links ``download-<name>``
"""

from planner.ui import figures, format
from planner.ui.widgets import (
    Chart,
    Dashboard,
    DownloadLinks,
    KpiCard,
    MessageArea,
    Page,
    ResultTable,
    Table,
    chart,
    figure_spec,
    guard,
    read_uploaded_inventory,
    read_uploaded_scenario,
    readable,
    show_figure,
)

__all__ = [
    "Chart", "Dashboard", "DownloadLinks", "KpiCard", "MessageArea", "Page", "ResultTable", "Table",
    "chart", "figure_spec", "figures", "format", "guard", "read_uploaded_inventory", "read_uploaded_scenario",
    "readable", "show_figure",
]

# Layout helpers the pages build with, at package level too (they live in planner.ui.widgets).
from planner.ui.widgets import control, field, kpi_row, note, section  # noqa: E402

__all__ += ["control", "field", "kpi_row", "note", "section"]
