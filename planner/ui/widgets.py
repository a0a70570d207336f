"""Widget building blocks shared by every dashboard.

* :class:`Chart` (:func:`chart`, :func:`show_figure`): a plotly figure drawn by
  plotly.js in the page and redrawn in place when the figure changes.
* :class:`KpiCard`: a number with its unit and a label.
* :class:`DownloadLinks`: CSV and XLSX of a DataFrame as ``data:`` links.
* :class:`MessageArea` and :func:`guard`: every callback shows a readable
  message in the page instead of a traceback.
* :class:`Dashboard`: the page layout (header, controls left, results right)
  and the stable CSS classes the browser tests use: ``planner-dashboard``,
  ``dash-<name>``, ``ctl-<name>``, ``kpi-<name>``, ``chart-<name>``,
  ``table-<name>``, ``download-<name>`` and ``planner-error``.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from importlib import resources
from typing import Any

import anywidget
import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import traitlets

from planner.scenario import ScenarioError
from planner.ui import format as fmt
from planner.ui.figures import CONFIG

__all__ = [
    "Chart", "figure_spec", "show_figure", "chart", "plotly_loader", "KpiCard", "kpi_row", "MessageArea", "readable",
    "guard", "DownloadLinks", "csv_bytes", "xlsx_bytes", "data_uri", "ResultTable", "Table", "html_table",
    "control", "field",
    "section", "note", "style", "Page", "Dashboard",
]

log = logging.getLogger(__name__)
PLOTLY_MIME = "application/vnd.plotly.v1+json"


# --- charts ------------------------------------------------------------------------

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

    _esm = resources.files("planner.ui").joinpath("chart.js").read_text(encoding="utf-8")
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
    can hang Voila at page load (STACK-NOTES.md).
    """
    out = widgets.Output(layout=widgets.Layout(display="none"))
    out.add_class("planner-plotly-loader")
    out.outputs = ({"output_type": "display_data", "metadata": {},
                    "data": {PLOTLY_MIME: {"data": [], "layout": {"height": 10}}, "text/plain": ""}},)
    return out


# --- KPI cards, notes and messages --------------------------------------------------

class KpiCard(widgets.HTML):
    """A key figure: label, number with its unit, and a note.

    The card's text is ``label``, then the value exactly as
    :func:`planner.ui.format.quantity` writes it (``'1,181,248 DEM units'``),
    then the note. ``shown`` holds the value text, for tests.

    Parameters
    ----------
    name : str
        CSS class ``kpi-<name>``.
    label : str
    unit : str
        Engine unit (``'dem'``) or unit text (``'GB'``).
    decimals : int, optional
        Fixed decimals (see :func:`planner.ui.format.number`).
    """

    def __init__(self, name: str, label: str, unit: str = "", *, decimals: int | None = None,
                 value: Any = None, note: str = ""):
        super().__init__()
        self.add_class("planner-kpi")
        self.add_class(f"kpi-{name}")
        self.label, self.unit, self.decimals, self.shown = label, unit, decimals, ""
        self.set(value, note)

    def set(self, value: Any, note: str = "", *, unit: str | None = None, signed: bool = False) -> None:
        """Show a number in the card's unit (or in ``unit``, which becomes the card's unit)."""
        self.unit = self.unit if unit is None else unit
        self.set_text(fmt.quantity(value, self.unit, self.decimals, signed=signed), note)

    def set_text(self, text: str, note: str = "") -> None:
        """Show a ready-made text (a date, a deadline)."""
        self.shown = text
        self.value = (f'<div class="planner-kpi-label">{html.escape(self.label)}</div>'
                      f'<div class="planner-kpi-value">{html.escape(text)}</div>'
                      f'<div class="planner-kpi-note">{html.escape(note)}</div>')


def kpi_row(*cards: widgets.Widget) -> widgets.HBox:
    """KPI cards side by side, wrapping on narrow screens."""
    row = widgets.HBox(list(cards), layout=widgets.Layout(flex_flow="row wrap", width="100%"))
    row.add_class("planner-kpis")
    return row


def note(text: str = "", name: str | None = None) -> widgets.HTML:
    """A line of explanatory text (HTML allowed)."""
    widget = widgets.HTML(f'<div class="planner-note-text">{text}</div>')
    widget.add_class("planner-note")
    if name:
        widget.add_class(f"note-{name}")
    return widget


def readable(exc: BaseException) -> str:
    """A one-paragraph message for a user; never a traceback.

    Scenario and value errors of the planner already name the place and the
    fix, so their text is shown as it is.
    """
    if isinstance(exc, (ScenarioError, ValueError, TypeError)):
        return str(exc)
    if isinstance(exc, KeyError):
        return f"unknown name {exc.args[0]!r}" if exc.args else "unknown name"
    return f"Something went wrong ({type(exc).__name__}: {exc}). Change the input and try again."


class MessageArea(widgets.HTML):
    """The page's message line (class ``planner-error``): empty when all is well."""

    def __init__(self) -> None:
        super().__init__("")
        self.add_class("planner-error")
        self.text = ""
        self.kind = ""
        self.last_exception: BaseException | None = None

    def error(self, message: str) -> None:
        """Show an error (red)."""
        self._show(message, "error")

    def info(self, message: str) -> None:
        """Show a notice (blue), e.g. what an upload changed."""
        self._show(message, "info")

    def clear(self) -> None:
        """Remove the message."""
        self.text, self.kind, self.value = "", "", ""

    def _show(self, message: str, kind: str) -> None:
        self.text, self.kind = message, kind
        self.value = f'<div class="planner-msg planner-msg-{kind}" role="alert">{html.escape(message)}</div>'


def guard(messages: MessageArea) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a callback: clear the message line, run, and on any exception
    show :func:`readable` text in ``messages`` instead of raising.

    Examples
    --------
    >>> area = MessageArea()
    >>> @guard(area)
    ... def on_change(change=None):
    ...     raise ValueError("ram_gib must be a number > 0 [GiB]; got -1")
    >>> on_change(); area.text
    'ram_gib must be a number > 0 [GiB]; got -1'
    """
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            messages.clear()
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - the page must never show a traceback
                messages.last_exception = exc
                log.debug("callback %s failed", getattr(fn, "__name__", fn), exc_info=True)
                messages.error(readable(exc))
                return None
        return run
    return wrap


# --- downloads ----------------------------------------------------------------------

def _exportable(frame: pd.DataFrame, index: bool) -> pd.DataFrame:
    """Periods as text, time zones dropped (Excel has neither), index as columns."""
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
    return _exportable(frame, index).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, *, index: bool = True, sheet: str = "data") -> bytes:
    """An Excel workbook of ``frame`` with one sheet."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _exportable(frame, index).to_excel(writer, sheet_name=sheet[:31], index=False)
    return buffer.getvalue()


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


# --- tables -------------------------------------------------------------------------

def html_table(frame: pd.DataFrame, *, index: bool = False) -> str:
    """An HTML table of already formatted cells (text is escaped)."""
    return frame.to_html(index=index, border=0, escape=True, classes="planner-table-grid",
                         na_rep=fmt.number(None))


class ResultTable:
    """A formatted table for a notebook cell: an HTML table in JupyterLab and
    Voila, aligned text elsewhere (and in nbval's comparison of stored outputs).

    Parameters
    ----------
    frame : DataFrame
        Cells already formatted as text (numbers with their units).
    title : str, optional
    """

    def __init__(self, frame: pd.DataFrame, title: str = ""):
        self.frame, self.title = frame, title

    def _repr_html_(self) -> str:
        head = f"<p><b>{html.escape(self.title)}</b></p>" if self.title else ""
        return head + html_table(self.frame)

    def __repr__(self) -> str:
        return (f"{self.title}\n" if self.title else "") + self.frame.to_string(index=False)


class Table(widgets.HTML):
    """A formatted table (class ``planner-table table-<name>``)."""

    def __init__(self, name: str, frame: pd.DataFrame | None = None, *, index: bool = False):
        super().__init__("")
        self.add_class("planner-table")
        self.add_class(f"table-{name}")
        self.index = index
        self.frame = pd.DataFrame()
        if frame is not None:
            self.update(frame)

    def update(self, frame: pd.DataFrame) -> None:
        """Show ``frame`` (cells already formatted as text)."""
        self.frame = frame
        self.value = html_table(frame, index=self.index)


# --- layout -------------------------------------------------------------------------

def control(widget: widgets.Widget, name: str) -> widgets.Widget:
    """Give a control its stable class ``ctl-<name>`` (and ``planner-control``)."""
    widget.add_class("planner-control")
    widget.add_class(f"ctl-{name}")
    if hasattr(widget, "layout") and not isinstance(widget, (widgets.Checkbox, widgets.Button)):
        widget.layout.width = "100%"
    return widget


def field(label: str, widget: widgets.Widget, hint: str = "") -> widgets.VBox:
    """A control with its label above it and an optional hint below."""
    parts: list[widgets.Widget] = [widgets.HTML(f'<span class="planner-label">{html.escape(label)}</span>')]
    parts.append(widget)
    if hint:
        parts.append(widgets.HTML(f'<span class="planner-hint">{hint}</span>'))
    box = widgets.VBox(parts, layout=widgets.Layout(width="100%"))
    box.add_class("planner-field")
    return box


def section(title: str, *children: widgets.Widget, name: str | None = None) -> widgets.VBox:
    """A titled block of the results column."""
    box = widgets.VBox([widgets.HTML(f"<h3>{html.escape(title)}</h3>"), *children],
                       layout=widgets.Layout(width="100%"))
    box.add_class("planner-section")
    if name:
        box.add_class(f"section-{name}")
    return box


_CSS = """
<style>
.planner-dashboard { font-family: Inter, system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif;
  color: #1f2937; max-width: 1500px; }
.planner-dashboard .widget-html-content { line-height: 1.45; }
.planner-header { background: linear-gradient(90deg, #0f172a, #1e3a8a); border-radius: 12px;
  padding: 12px 18px; margin: 4px 0 12px 0; box-sizing: border-box; }
.planner-header h1 { font-size: 1.4rem; font-weight: 650; margin: 0 0 2px 0; color: #ffffff; }
.planner-header p { color: #cbd5e1; margin: 0; font-size: 0.95rem; }
.planner-body { align-items: flex-start; flex-wrap: wrap; gap: 16px; }
.planner-controls { flex: 0 0 300px; max-width: 320px; padding: 12px 14px; background: #f8fafc;
  border: 1px solid #e5e7eb; border-radius: 10px; box-sizing: border-box; }
.planner-controls h3, .planner-section h3 { font-size: 0.95rem; text-transform: uppercase;
  letter-spacing: .04em; color: #374151; margin: 8px 0 6px 0; }
.planner-main { flex: 1 1 640px; min-width: 0; }
.planner-field { margin-bottom: 8px; }
.planner-controls .planner-control { margin-left: 0; margin-right: 0; max-width: 100%; box-sizing: border-box; }
.planner-controls .widget-checkbox { width: 100%; height: auto; }
.planner-controls .widget-checkbox .widget-label-basic, .planner-controls .widget-checkbox span {
  white-space: normal; overflow: visible; line-height: 1.3; }
.planner-controls .widget-toggle-buttons .widget-toggle-button { margin-right: 4px; }
.planner-controls .widget-button { width: auto; flex: 1 1 auto; }
.planner-label { font-size: 0.85rem; font-weight: 600; color: #374151; }
.planner-hint { font-size: 0.78rem; color: #6b7280; }
.planner-kpis { gap: 10px; margin-bottom: 6px; }
.planner-kpi { border: 1px solid #e5e7eb; border-radius: 10px; padding: 8px 14px; flex: 1 1 180px;
  min-width: min-content; background: #ffffff; box-shadow: 0 1px 2px rgba(0,0,0,.05); margin: 0; }
.planner-kpi-label { font-size: 0.74rem; color: #6b7280; text-transform: uppercase; letter-spacing: .04em; }
.planner-kpi-value { font-size: 1.3rem; font-weight: 650; font-variant-numeric: tabular-nums; color: #111827;
  white-space: nowrap; }
.planner-kpi-note { font-size: 0.78rem; color: #6b7280; min-height: 1em; }
.planner-msg { padding: 8px 12px; border-radius: 8px; margin: 4px 0 10px 0; }
.planner-msg-error { background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; }
.planner-msg-info { background: #eff6ff; color: #1e3a8a; border: 1px solid #bfdbfe; }
.planner-note-text { font-size: 0.85rem; color: #4b5563; }
.planner-section { margin: 6px 0 14px 0; }
.planner-chart { border: 1px solid #eef0f3; border-radius: 10px; padding: 4px; box-sizing: border-box;
  margin: 0 0 10px 0; }
.planner-table .widget-html-content { overflow-x: auto; }
.planner-table-grid { border-collapse: collapse; font-size: 0.86rem; font-variant-numeric: tabular-nums; }
.planner-table-grid th { background: #f3f4f6; text-align: right; padding: 5px 10px; font-weight: 600;
  white-space: nowrap; }
.planner-table-grid td { text-align: right; padding: 4px 10px; border-bottom: 1px solid #e5e7eb; white-space: nowrap; }
.planner-table-grid th:first-child, .planner-table-grid td:first-child { text-align: left; }
.planner-download { font-size: 0.86rem; }
.planner-download a { color: #1d4ed8; font-weight: 600; text-decoration: none; }
.planner-download-label { color: #4b5563; }
</style>
"""


def style() -> widgets.HTML:
    """The planner's stylesheet, as a widget to put first in a page."""
    return widgets.HTML(_CSS)


class Page(widgets.VBox):
    """A page of widgets (class ``planner-dashboard dash-<name>``) that can find
    its widgets by their stable CSS classes.

    Parameters
    ----------
    name : str
        The notebook's name.
    title : str
        For the text shown where widgets cannot be (a stored notebook).
    children : sequence of Widget
    """

    def __init__(self, name: str, title: str, children: Sequence[widgets.Widget]):
        super().__init__(list(children), layout=widgets.Layout(width="100%"))
        if any(isinstance(w, Chart) for w in self.walk()):
            self.children = (*self.children, plotly_loader())
        self.add_class("planner-dashboard")
        self.add_class(f"dash-{name}")
        self.name, self.title = name, title

    def walk(self) -> Iterator[widgets.Widget]:
        """Every widget of the page, depth first."""
        stack: list[widgets.Widget] = [self]
        while stack:
            widget = stack.pop()
            yield widget
            stack.extend(reversed(list(getattr(widget, "children", ()))))

    def find(self, css_class: str) -> widgets.Widget:
        """The one widget with class ``css_class`` (e.g. ``'ctl-move-hosts'``)."""
        found = [w for w in self.walk() if css_class in w._dom_classes]
        if len(found) != 1:
            raise KeyError(f"{css_class}: {len(found)} widgets have this class in dash-{self.name}")
        return found[0]

    def css_classes(self, prefixes: tuple[str, ...] = ("dash-", "ctl-", "kpi-", "chart-", "table-",
                                                        "download-", "planner-error")) -> list[str]:
        """The stable classes of the page, in page order."""
        return [c for w in self.walk() for c in w._dom_classes if c.startswith(prefixes)]

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = f"Dashboard '{self.title}': run the notebook, or open it with Voila, to use it."
        return bundle


class Dashboard(Page):
    """A dashboard page: header, message line, controls left, results right.

    Parameters
    ----------
    name : str
        The notebook's name: CSS class ``dash-<name>`` (and ``planner-dashboard``).
    title, description : str
        Header and the one-line description under it.
    controls : sequence of Widget
        The left column.
    main : sequence of Widget
        The right column (KPI rows, charts, tables).
    messages : MessageArea
        The page's message line (class ``planner-error``).
    """

    def __init__(self, name: str, title: str, description: str, controls: Sequence[widgets.Widget],
                 main: Sequence[widgets.Widget], messages: MessageArea):
        header = widgets.HTML(f"<h1>{html.escape(title)}</h1><p>{description}</p>")
        header.add_class("planner-header")
        left = widgets.VBox(list(controls))
        left.add_class("planner-controls")
        right = widgets.VBox(list(main))
        right.add_class("planner-main")
        body = widgets.HBox([left, right], layout=widgets.Layout(width="100%"))
        body.add_class("planner-body")
        super().__init__(name, title, [style(), header, messages, body])
        self.messages = messages
