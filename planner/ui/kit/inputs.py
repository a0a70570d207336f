"""Typed-in numbers for the dashboards: read exactly, checked like a scenario file.

Number widgets of ipywidgets parse and clamp in the browser: an ``IntText``
reads ``1e20`` as ``1`` and a bounded box silently moves a value into its range.
The pages therefore take typed numbers as text and read them here, in Python,
with the scenario's own field checks (:data:`planner.sections.SECTIONS`), so a
value the scenario file would refuse is refused with the field's name and the
allowed range, never changed without a word.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Callable

import ipywidgets as widgets

from planner.fields import ScenarioError
from planner.sections import SECTIONS
from planner.ui.kit import format as fmt
from planner.ui import control, guard

__all__ = ["number_box", "read_number", "field_check", "counted", "guard_figures", "silenced", "unused_name", "without"]

_SEPARATORS = re.compile(r"[\s,_'\u00a0\u202f]")


def number_box(value: float, name: str, placeholder: str = "") -> widgets.Text:
    """A text box holding a number, with class ``ctl-<name>``; read it with :func:`read_number`."""
    shown = f"{value:.15g}" if isinstance(value, float) else str(value)
    return control(widgets.Text(value=shown, placeholder=placeholder, continuous_update=False), name)


def field_check(section: str, key: str) -> Callable[[Any, str], float]:
    """The scenario file's check of a section's field (range, whole, unit)."""
    return SECTIONS[section].fields[key][0]


def read_number(text: str, label: str, check: Callable[[Any, str], float] | None = None) -> float:
    """The number typed in a box: ``'3,000,000'``, ``'3000000'`` or ``'3e6'``.

    Parameters
    ----------
    text : str
    label : str
        The field's name on the page, for messages.
    check : callable, optional
        ``check(value, where)`` from :func:`field_check`; refuses values out of
        range or not whole, naming ``label``.

    Raises
    ------
    ScenarioError
        ``"<label>: ... got '<text>'"`` for text that is not a number, or what
        ``check`` refuses.

    Examples
    --------
    >>> read_number("3,000,000", "Sessions per month")
    3000000.0
    >>> read_number("1e20", "Locations", field_check("synthetic", "locations"))
    Traceback (most recent call last):
    ...
    planner.fields.ScenarioError: Locations: must be a whole number >= 0 [locations]; got 1e+20
    """
    raw = str(text).strip()
    try:
        value = float(_SEPARATORS.sub("", raw))
    except ValueError:
        raise ScenarioError(f"{label}: type a number such as 1000 or 1,000; got {raw[:40]!r}") from None
    if not math.isfinite(value):
        raise ScenarioError(f"{label}: type a finite number; got {raw[:40]!r}")
    if value == int(value) and abs(value) < 2 ** 53:
        value = float(int(value))
    return check(value, label) if check else value


def counted(value: float, singular: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: ``'1 day'``, ``'35 days'``."""
    noun = singular if float(value) == 1 else (plural or singular + "s")
    return f"{fmt.number(value)} {noun}"


def guard_figures(messages: Any, cards: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Like :func:`planner.ui.guard`, and on a failure the KPI ``cards`` say
    so instead of keeping the figures of the last inputs that worked."""
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception:
                for card in cards:
                    card.set_text("n/a", "see the message above")
                raise
        run.__name__ = getattr(fn, "__name__", "callback")
        return guard(messages)(run)
    return wrap


@contextmanager
def silenced(handler: Callable[..., Any], *controls: widgets.Widget) -> Iterator[None]:
    """Change the ``value`` of ``controls`` without running ``handler``
    (e.g. loading another group's values into the controls)."""
    for w in controls:
        w.unobserve(handler, "value")
    try:
        yield
    finally:
        for w in controls:
            w.observe(handler, "value")


def unused_name(stem: str, taken: Iterable[str]) -> str:
    """``'<stem> N'`` with the smallest N >= 1 not in ``taken`` (a driver added on a page).

    >>> unused_name("new bucket", ["logs", "new bucket 1"])
    'new bucket 2'
    """
    taken, n = set(taken), 1
    while f"{stem} {n}" in taken:
        n += 1
    return f"{stem} {n}"


def without(items: Mapping[str, Any], key: str, what: str) -> dict[str, Any]:
    """``items`` without ``key``; a page keeps at least one ``what``.

    Raises
    ------
    ValueError
        When ``key`` is the last one.
    """
    rest = {k: v for k, v in items.items() if k != key}
    if not rest:
        raise ValueError(f"The page keeps at least one {what}; add another before removing this one.")
    return rest
