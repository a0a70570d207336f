"""Dashboards of the planner: shared widgets, figures and formatting, and one
module per notebook in ``notebooks/``.

Building blocks (:mod:`planner.ui.charts`, :mod:`planner.ui.cards`,
:mod:`planner.ui.exports`, :mod:`planner.ui.layout`, uploads and their
sandbox in :mod:`planner.ui.uploads`, figures in :mod:`planner.ui.figures`,
formatting in :mod:`planner.ui.format`) are used by the dashboards
(:mod:`planner.ui.overview`, :mod:`planner.ui.hosts`,
:mod:`planner.ui.digital_experience`, :mod:`planner.ui.ddu_grail`,
:mod:`planner.ui.comparison`, :mod:`planner.ui.support`, :mod:`planner.ui.renewal`, and the landing page's
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
from planner.ui.cards import KpiCard, MessageArea, ResultTable, Table, guard, kpi_row, note, readable
from planner.ui.charts import Chart, chart, figure_spec, show_figure
from planner.ui.exports import DownloadLinks
from planner.ui.layout import Dashboard, Page, control, field, section
from planner.ui.uploads import read_uploaded_inventory, read_uploaded_scenario, uploaded_files

__all__ = [
    "Chart", "Dashboard", "DownloadLinks", "KpiCard", "MessageArea", "Page", "ResultTable", "Table",
    "chart", "control", "field", "figure_spec", "figures", "format", "guard", "kpi_row", "note",
    "read_uploaded_inventory", "read_uploaded_scenario", "readable", "section", "show_figure", "uploaded_files",
]

