"""Dashboards of the planner: shared widgets, figures and formatting, and one
module per notebook in ``notebooks/``.

Building blocks (:mod:`planner.ui.kit.charts`, :mod:`planner.ui.kit.cards`,
:mod:`planner.ui.kit.exports`, :mod:`planner.ui.kit.layout`, uploads and their
sandbox in :mod:`planner.ui.kit.uploads`, the user's scenario on every page (kept in their
browser) in :mod:`planner.ui.kit.estate`, downloads built on demand in
:mod:`planner.ui.kit.saver`, number boxes and counts in :mod:`planner.ui.kit.inputs`,
figures in :mod:`planner.ui.kit.figures`, formatting in :mod:`planner.ui.kit.format`) are used by the dashboards
(:mod:`planner.ui.pages.overview`, :mod:`planner.ui.pages.hosts`,
:mod:`planner.ui.pages.digital_experience`, :mod:`planner.ui.pages.ddu_grail`,
:mod:`planner.ui.pages.comparison`, :mod:`planner.ui.pages.support`, :mod:`planner.ui.pages.renewal`, and the landing page's
:mod:`planner.ui.pages.landing`). Each dashboard module has pure functions that
compute what its page shows (tested without a browser) and a ``dashboard(...)``
function that builds the page.

Stable CSS classes (for browser tests; ``Page.css_classes()`` lists a page's):

* root: ``planner-dashboard`` and ``dash-<notebook name>``; message line ``planner-error``;
  the user's scenario line ``planner-estate-label`` (:class:`planner.ui.kit.estate.EstateLink`)
* controls ``ctl-<name>``, KPI cards ``kpi-<name>`` (text: label, the value as
  :func:`planner.ui.kit.format.quantity` writes it, a note), charts
  ``chart-<name>``, tables ``table-<name>``, download links ``download-<name>``
"""

from planner.ui.kit import figures, format
from planner.ui.kit.cards import KpiCard, MessageArea, ResultTable, Table, guard, kpi_row, note, readable
from planner.ui.kit.charts import Chart, chart, figure_spec, show_figure
from planner.ui.kit.exports import DownloadLinks
from planner.ui.kit.layout import Dashboard, Page, control, field, section
from planner.ui.kit.uploads import read_uploaded_inventory, read_uploaded_scenario, uploaded_files

__all__ = [
    "Chart", "Dashboard", "DownloadLinks", "KpiCard", "MessageArea", "Page", "ResultTable", "Table",
    "chart", "control", "field", "figure_spec", "figures", "format", "guard", "kpi_row", "note",
    "read_uploaded_inventory", "read_uploaded_scenario", "readable", "section", "show_figure", "uploaded_files",
]

