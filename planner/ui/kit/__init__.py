"""The building blocks every dashboard page is made of: charts, KPI cards and
tables, layout, typed inputs, uploads and their sandbox, downloads, figures and
number formatting. Pages live in :mod:`planner.ui.pages`."""
