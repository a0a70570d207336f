"""A module imported when it is first used, for a command line that starts fast.

``planner --help`` and ``planner --version`` need neither pandas nor numpy
(0.5-1 s to import); a command that computes does. ``pd = lazy("pandas")``
in :mod:`planner.cli.render` and :mod:`planner.cli.commands` reads like the usual import and imports pandas at the
first ``pd.`` (see the "Import what a command needs" note in the README's
Performance section).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

__all__ = ["lazy"]


class _Lazy:
    """Stands for the module ``name`` and imports it at the first attribute read."""

    def __init__(self, name: str):
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


def lazy(name: str) -> Any:
    """The module ``name``, imported when one of its attributes is first read.

    >>> json = lazy("json")
    >>> json.dumps([1])
    '[1]'
    """
    return _Lazy(name)
