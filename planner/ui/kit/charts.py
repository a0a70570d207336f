"""Charts: a plotly figure drawn by plotly.js in the page and redrawn in place.

:class:`Chart` (made with :func:`chart`, updated with :func:`show_figure`)
sends only the figure's JSON; plotly.js is the copy JupyterLab's plotly
extension loads (:func:`plotly_loader`).
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import anywidget
import ipywidgets as widgets
import plotly.graph_objects as go
import plotly.io as pio
import traitlets

from planner.ui.kit.figures import CONFIG

__all__ = ["Chart", "figure_spec", "chart", "show_figure", "plotly_loader", "PLOTLY_MIME"]

PLOTLY_MIME = "application/vnd.plotly.v1+json"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "chart"


def figure_spec(fig: go.Figure) -> dict[str, Any]:
    """Plotly JSON of a figure (``data``, ``layout``) with the planner's plotly.js
    ``config``: the PNG button names its file after the title."""
    spec = json.loads(pio.to_json(fig, validate=False))
    title = fig.layout.title.text or "chart"
    spec["config"] = {**CONFIG, "toImageButtonOptions": {**CONFIG["toImageButtonOptions"],
                                                         "filename": _slug(title)}}
    return spec


class Chart(anywidget.AnyWidget):
    """A plotly figure in the page, with classes ``planner-chart chart-<name>``.

    The browser draws it with plotly.js and redraws it in place when
    :meth:`show` gives it a new figure (``Plotly.react``, see ``chart.js``): a
    slider move costs a diff of the plot, not a new output area with a full
    redraw and a PNG snapshot as with the plotly MIME renderer in an
    ``ipywidgets.Output``. Only the figure's JSON travels; plotly.js itself is
    the one JupyterLab's plotly extension loads (see :func:`plotly_loader`).
    """

    _esm = resources.files("planner.ui.kit").joinpath("chart.js").read_text(encoding="utf-8")
    figure = traitlets.Dict().tag(sync=True)

    def __init__(self, name: str, fig: go.Figure | None = None):
        super().__init__(layout=widgets.Layout(width="100%", min_height="120px"))
        self.add_class("planner-chart")
        self.add_class(f"chart-{name}")
        if fig is not None:
            self.show(fig)

    def show(self, fig: go.Figure) -> None:
        """Draw ``fig`` instead of the figure shown so far."""
        self.figure = figure_spec(fig)

    @property
    def title(self) -> str:
        """The title of the figure shown ('' before the first)."""
        return str(((self.figure.get("layout") or {}).get("title") or {}).get("text") or "")

    def __repr__(self) -> str:
        return f"[chart] {self.title or '(empty)'}"


def chart(name: str, fig: go.Figure | None = None) -> Chart:
    """A :class:`Chart` with classes ``planner-chart chart-<name>``, showing ``fig``."""
    return Chart(name, fig)


def show_figure(target: Chart, fig: go.Figure) -> None:
    """Show ``fig`` in the chart ``target``, replacing what was there."""
    target.show(fig)


def plotly_loader() -> widgets.Output:
    """A hidden output holding an empty plotly figure.

    JupyterLab's plotly renderer (in Voila too) loads plotly.js the first time
    it draws a figure, and plotly.js then sets ``window.Plotly``, which the
    :class:`Chart` views use. Every :class:`Page` with a chart includes one.
    The figure is set as the output list, not shown with ``fig.show()``, which
    can hang Voila at page load (voila#1428, nbclient#312).
    """
    out = widgets.Output(layout=widgets.Layout(display="none"))
    out.add_class("planner-plotly-loader")
    out.outputs = ({"output_type": "display_data", "metadata": {},
                    "data": {PLOTLY_MIME: {"data": [], "layout": {"height": 10}}, "text/plain": ""}},)
    return out
