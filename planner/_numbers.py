"""Numbers as text, one way for every face (private).

The command line (:mod:`planner.cli`) and the dashboards
(:mod:`planner.ui.kit.format`) both write numbers through :func:`number`: thousands
separators, no ``-0``, ``+`` on positive deltas. They differ only in how many
decimals a number gets, which each face decides. This module imports no
widgets, so the command line's cold start does not pay for them.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

#: What a missing number reads as in a dashboard.
MISSING = "n/a"


def _decimals(value: float) -> int:
    size = abs(value)
    if size >= 100 or size == 0:
        return 0
    if size >= 1:
        return 2
    return min(9, 2 - math.floor(math.log10(size)))  # three significant digits


def number(value: Any, decimals: int | None = None, *, signed: bool = False, trim: bool | None = None) -> str:
    """A number with thousands separators.

    Parameters
    ----------
    value : float or None
        NaN and None give ``'n/a'``.
    decimals : int, optional
        Fixed decimals. By default: none from 100 up, up to two from 1 to 100
        and three significant digits below 1.
    signed : bool, default False
        Prefix ``+`` to positive numbers (for deltas).
    trim : bool, optional
        Drop trailing zeros after the decimal point; by default only when
        ``decimals`` is not given.

    Examples
    --------
    >>> number(1181248.4), number(0.3), number(2.0), number(-1234.5, 1), number(420, signed=True)
    ('1,181,248', '0.3', '2', '-1,234.5', '+420')
    >>> number(0.0005, 4), number(0.0500, 4, trim=True), number(-0.001, 2)
    ('0.0005', '0.05', '0')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return MISSING
    value = float(value)
    places = _decimals(value) if decimals is None else decimals
    text = f"{value:,.{places}f}"
    if (decimals is None if trim is None else trim) and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("-").strip("0.,") == "":
        text = "0"   # no "-0"
    if signed and not text.startswith("-") and text != "0":
        text = "+" + text
    return text
