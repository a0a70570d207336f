"""The building blocks every dashboard page is made of: charts, KPI cards and
tables, layout, typed inputs, uploads and their sandbox, the user's estate
(their scenario on every page, kept in their browser), downloads, figures and
number formatting. Pages live in :mod:`planner.ui.pages`."""
