""""Download this report": a button that writes the page's scenario as one
self-contained HTML report (:func:`planner.report.report_html`) when clicked, and
hands it to the browser as a file (:class:`planner.ui.kit.saver.FileSaver`)."""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from planner.ui import MessageArea, control, guard
from planner.ui.kit.saver import FileSaver

__all__ = ["ReportDownload"]


class ReportDownload(widgets.VBox):
    """A "Download this report" button (control ``ctl-download-report``).

    ``source(what)`` names a function that returns what the page shows:
    ``(ReportInput, options)``, ``options`` being :func:`planner.report.report_html`'s
    keyword arguments (draws, seed, risk)."""

    def __init__(self, *, messages: MessageArea | None = None):
        self.what: Callable[[], tuple[Any, dict[str, Any]]] | None = None
        self.status = widgets.HTML("")
        self.saver = FileSaver()
        self.button = control(widgets.Button(description="Download this report", icon="download",
                                             layout=widgets.Layout(width="auto")), "download-report")
        prepare = guard(messages)(self.prepare) if messages is not None else self.prepare
        self.button.on_click(lambda _b: prepare())
        note = widgets.HTML('<span class="planner-hint">One HTML file with its charts that opens offline '
                            "in any browser.</span>")
        super().__init__([widgets.HBox([self.button, note]), self.status, self.saver])
        self.add_class("planner-download")
        self.add_class("download-report")

    def source(self, what: Callable[[], tuple[Any, dict[str, Any]]]) -> None:
        """Say where the report's scenario comes from (asked when the button is clicked)."""
        self.what = what

    def prepare(self) -> bytes:
        """Write the report and send it to the browser; returns its bytes."""
        from planner.report import report_html
        if self.what is None:
            raise ValueError("there is no scenario to report on yet")
        began = time.perf_counter()
        self.status.value = '<span class="planner-hint">Preparing the report …</span>'
        base, options = self.what()
        content = report_html(base, **options).encode("utf-8")
        name = "".join(c if c.isalnum() or c in "-_" else "-" for c in base.scenario.name).strip("-") or "report"
        self.saver.save(f"{name}-report.html", content, "text/html")
        self.status.value = (f'<span class="planner-hint">{html.escape(name)}-report.html: '
                             f"{len(content) / 1e6:,.1f} MB, prepared in {time.perf_counter() - began:.1f} s.</span>")
        return content
