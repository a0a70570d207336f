"""Downloads built when asked: buttons that prepare a CSV or XLSX file and hand
it to the browser, instead of links that carry the whole file in the page.

A 100,000-host inventory is about 9 MB of CSV and more as XLSX; as ``data:``
links (:class:`planner.ui.DownloadLinks`) it would sit in the page and its
widget state on every update. Here the file is written only when its button is
clicked (:mod:`planner.export`, the command line's writer) and sent once as a
binary buffer of a custom widget message, which the browser saves as a file.
Custom messages with binary buffers: ipywidgets, "Low Level Widget
Explanation" / ``Widget.send(content, buffers)`` and the front end's
``model.on("msg:custom", (msg, buffers) => ...)``
(https://ipywidgets.readthedocs.io/en/stable/examples/Widget%20Low%20Level.html).
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

import anywidget
import ipywidgets as widgets
import pandas as pd
import traitlets

from planner.export import csv_bytes, xlsx_bytes
from planner.ui import MessageArea, control, guard

__all__ = ["FileSaver", "OnDemandDownload", "ScenarioDownload"]

_MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_ESM = """
export default {
  render({ model, el }) {
    model.on("msg:custom", (msg, buffers) => {
      if (!msg || msg.kind !== "planner-save" || !buffers || !buffers.length) return;
      const blob = new Blob([buffers[0]], { type: msg.mime });
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url; a.download = msg.filename; a.style.display = "none";
      el.appendChild(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    });
  },
};
"""


class FileSaver(anywidget.AnyWidget):
    """An invisible widget that makes the browser save bytes sent to it as a file."""

    _esm = traitlets.Unicode(_ESM).tag(sync=True)

    def save(self, filename: str, content: bytes, mime: str) -> None:
        """Send ``content`` to the browser as the file ``filename``."""
        self.send({"kind": "planner-save", "filename": filename, "mime": mime}, buffers=[content])


class OnDemandDownload(widgets.VBox):
    """"Download CSV / XLSX" buttons (class ``download-<name>``) for a table
    that is written only when a button is clicked.

    Parameters
    ----------
    name : str
        CSS class and file name stem.
    label : str
        Text before the buttons.
    rows_for_xlsx : int
        Largest table offered as XLSX (writing XLSX takes about 0.4 ms a row);
        bigger tables are offered as CSV only, and the note says so.
    messages : MessageArea, optional
        Where a failure to write the file is shown.
    """

    def __init__(self, name: str, *, label: str = "Download", rows_for_xlsx: int = 10_000,
                 messages: MessageArea | None = None):
        self.name, self.rows_for_xlsx = name, rows_for_xlsx
        self.frame_of: Callable[[], pd.DataFrame | None] = lambda: None
        self.status = widgets.HTML("")
        self.saver = FileSaver()
        self.buttons = {kind: control(widgets.Button(description=kind.upper(), icon="download",
                                                     layout=widgets.Layout(width="auto")), f"download-{name}-{kind}")
                        for kind in ("csv", "xlsx")}
        prepare = guard(messages)(self.prepare) if messages is not None else self.prepare
        for kind, button in self.buttons.items():
            button.on_click(lambda _b, kind=kind: prepare(kind))
        title = widgets.HTML(f'<span class="planner-download-label">{html.escape(label)}:</span>')
        super().__init__([widgets.HBox([title, *self.buttons.values()]), self.status, self.saver])
        self.add_class("planner-download")
        self.add_class(f"download-{name}")

    def source(self, frame_of: Callable[[], pd.DataFrame | None]) -> None:
        """Say where the table comes from (called when a button is clicked)."""
        self.frame_of = frame_of
        frame = frame_of()
        self.buttons["xlsx"].disabled = frame is None or len(frame) > self.rows_for_xlsx
        self.buttons["csv"].disabled = frame is None
        self.status.value = "" if frame is None or len(frame) <= self.rows_for_xlsx else (
            f'<span class="planner-hint">XLSX for up to {self.rows_for_xlsx:,} rows; this table has '
            f"{len(frame):,}: download the CSV.</span>")

    def prepare(self, kind: str) -> bytes:
        """Write the table as ``kind`` ('csv' or 'xlsx') and send it to the browser."""
        frame = self.frame_of()
        if frame is None:
            raise ValueError("there is no table to download yet")
        began = time.perf_counter()
        self.status.value = f'<span class="planner-hint">Preparing {kind.upper()} of {len(frame):,} rows …</span>'
        content = csv_bytes(frame, index=False) if kind == "csv" else xlsx_bytes(frame, index=False, sheet=self.name)
        self.saver.save(f"{self.name}.{kind}", content, _MIME[kind])
        self.status.value = (f'<span class="planner-hint">{self.name}.{kind}: {len(content) / 1e6:,.1f} MB, '
                             f"prepared in {time.perf_counter() - began:.1f} s.</span>")
        return content


class ScenarioDownload(widgets.VBox):
    """A "Save as scenario (YAML)" button (class ``download-<name>-yaml``): the
    page's what-if as a scenario file that ``extends:`` the base
    (:func:`planner.whatif.what_if_yaml`), written when the button is clicked.

    Parameters
    ----------
    name : str
        CSS class and file name stem.
    text_of : callable
        Returns the YAML text of the page's current what-if.
    messages : MessageArea, optional
        Where a what-if a file cannot hold is explained.
    """

    def __init__(self, name: str, text_of: Callable[[], str], *, messages: MessageArea | None = None):
        self.name, self.text_of = name, text_of
        self.status = widgets.HTML("")
        self.saver = FileSaver()
        self.button = control(widgets.Button(description="Save as scenario (YAML)", icon="download",
                                             layout=widgets.Layout(width="auto")), f"download-{name}-yaml")
        prepare = guard(messages)(self.prepare) if messages is not None else self.prepare
        self.button.on_click(lambda _b: prepare())
        super().__init__([self.button, self.status, self.saver])
        self.add_class("planner-download")
        self.add_class(f"download-{name}")

    def prepare(self) -> bytes:
        """Write the what-if and send it to the browser as ``<name>.yaml``."""
        content = self.text_of().encode("utf-8")
        self.saver.save(f"{self.name}.yaml", content, "application/yaml")
        self.status.value = (f'<span class="planner-hint">{html.escape(self.name)}.yaml: extends the scenario; '
                             "<code>planner forecast</code> on it gives this page's figures.</span>")
        return content
