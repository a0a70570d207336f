"""Files the dashboards' browser side loads, shipped in the package (no network at run time).

plotly.js is the cartesian bundle of the npm package
``plotly.js-cartesian-dist-min`` (see ``planner/ui/kit/static/plotly/PROVENANCE.md``):
the trace types the dashboards draw, a third of the full plotly.js. The
planner's Voila serves it at ``voila/planner-static/`` and names it in the
head of every page (``planner.serve.voila_app``); the chart widget
(``planner/ui/kit/chart.js``) uses that copy, or asks its kernel for the file
where no such server runs (JupyterLab, Voila as a Jupyter server extension).
"""

from __future__ import annotations

import functools
from pathlib import Path

__all__ = ["STATIC_DIR", "PLOTLY_JS", "PLOTLY_SCRIPT_ID", "plotly_js"]

#: The planner's static files (Font Awesome, plotly.js).
STATIC_DIR = Path(__file__).resolve().parent / "ui" / "kit" / "static"
#: plotly.js, relative to STATIC_DIR.
PLOTLY_JS = "plotly/plotly-cartesian.min.js"
#: The id of the page's plotly.js script element, which ``chart.js`` looks for.
PLOTLY_SCRIPT_ID = "planner-plotly"


@functools.lru_cache(maxsize=1)
def plotly_js() -> bytes:
    """The plotly.js bundle's bytes (1.5 MB)."""
    return (STATIC_DIR / PLOTLY_JS).read_bytes()
