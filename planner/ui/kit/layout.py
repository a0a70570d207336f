"""Page layout: controls with labels, titled sections, the stylesheet and the page.

:class:`Dashboard` lays a page out (header, message line, controls left,
results right) and gives it the stable CSS classes the browser tests use:
``planner-dashboard``, ``dash-<name>``, ``ctl-<name>``, ``kpi-<name>``,
``chart-<name>``, ``table-<name>``, ``download-<name>`` and ``planner-error``.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import Any

import ipywidgets as widgets

from planner.ui.kit.cards import MessageArea

__all__ = ["control", "field", "section", "style", "Page", "Dashboard"]


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


def style() -> widgets.HTML:
    """The planner's stylesheet (``style.css``), as a widget to put first in a page."""
    return widgets.HTML(f"<style>\n{_css()}</style>")


@functools.lru_cache(maxsize=1)
def _css() -> str:
    return resources.files("planner.ui.kit").joinpath("style.css").read_text(encoding="utf-8")


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
    estate : Widget, optional
        The page's :class:`planner.ui.kit.estate.EstateLink` (the user's scenario), under the header.
    """

    def __init__(self, name: str, title: str, description: str, controls: Sequence[widgets.Widget],
                 main: Sequence[widgets.Widget], messages: MessageArea, estate: widgets.Widget | None = None):
        header = widgets.HTML(f"<h1>{html.escape(title)}</h1><p>{description}</p>")
        header.add_class("planner-header")
        left = widgets.VBox(list(controls))
        left.add_class("planner-controls")
        right = widgets.VBox(list(main))
        right.add_class("planner-main")
        body = widgets.HBox([left, right], layout=widgets.Layout(width="100%"))
        body.add_class("planner-body")
        top = [style(), header] + ([estate] if estate is not None else [])
        super().__init__(name, title, [*top, messages, body])
        self.messages, self.estate = messages, estate
