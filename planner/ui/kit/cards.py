"""What a page shows besides charts: KPI cards, notes, the message line and tables.

* :class:`KpiCard`: a number with its unit, a label and a note.
* :class:`MessageArea` and :func:`guard`: every callback shows a readable
  message in the page instead of a traceback.
* :class:`Table` (a widget) and :class:`ResultTable` (for a notebook cell):
  already formatted cells as an HTML table that scrolls when wide.
"""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from planner.ui.kit import format as fmt

__all__ = ["KpiCard", "kpi_row", "note", "readable", "MessageArea", "guard", "html_table", "ResultTable", "Table"]

log = logging.getLogger(__name__)


class KpiCard(widgets.HTML):
    """A key figure: label, number with its unit, and a note.

    The card's text is ``label``, then the value exactly as
    :func:`planner.ui.kit.format.quantity` writes it (``'1,181,248 DEM units'``),
    then the note. ``shown`` holds the value text, for tests.

    Parameters
    ----------
    name : str
        CSS class ``kpi-<name>``.
    label : str
    unit : str
        Engine unit (``'dem'``) or unit text (``'GB'``).
    decimals : int, optional
        Fixed decimals (see :func:`planner.ui.kit.format.number`).
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
    if isinstance(exc, (ValueError, TypeError)):   # ScenarioError and TableError are ValueErrors
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
