"""The ``scenario.yaml`` text of an import.

It loads with :func:`planner.scenario.load_scenario` as it is
(:func:`planner.imports.output.write` checks that before anything is
written). Its contract starts the month after the last imported month, for
one year, with no pools (commented lines show where they go). Each driver is
one flow-style entry under a comment line that says where its figures come
from (:class:`Drivers`, filled by :mod:`planner.imports.translate`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import yaml

__all__ = ["Drivers", "scenario_text"]


class Drivers:
    """Scenario entries per section, with a comment line each."""

    def __init__(self) -> None:
        self.sections: dict[str, list[tuple[dict[str, Any], str]]] = {}

    def add(self, section: str, entry: dict[str, Any], comment: str,
            growth: dict[str, Any] | None = None) -> None:
        """Add an entry, with its calibrated ``growth`` where there is one."""
        self.sections.setdefault(section, []).append(({**entry, "growth": growth} if growth else entry, comment))


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers, for yaml.safe_dump."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value.item() if isinstance(value, np.generic) else value


def _flow(entry: dict[str, Any]) -> str:
    return yaml.safe_dump(_plain(entry), default_flow_style=True, sort_keys=False, width=10_000).strip()


def scenario_text(drivers: Drivers, months: pd.PeriodIndex, source: str) -> str:
    """The scenario file: the contract after ``months``, then each section's entries."""
    start = (months[-1] + 1).start_time.date()
    lines = [
        f"# Imported by planner from {source}, months {months[0]} to {months[-1]}.",
        "# Volumes start from the fitted level of the month after the last imported one (or the last",
        "# month's level where there is too little history to fit growth). actuals.csv holds what",
        "# was consumed; `planner backtest scenario.yaml actuals.csv` compares the model with it.",
        yaml.safe_dump({"name": f"Imported baseline ({months[0]} to {months[-1]})"}, width=10_000).strip(),
        "",
        "contract:",
        f"  start: {start}                  # the month after the last imported month",
        "  term_years: 1",
        "  # No pools yet. Fill in your contract's annual amounts and licences, e.g.:",
        "  # pools:",
        "  #   dem: {annual: 15_000_000, price: 0.012}",
        "  #   ddu: {annual: 40_000_000, price: 0.001}",
        "  #   host_unit_hours: {annual: 7_000_000}",
        "  # licences:",
        "  #   host_units: {quantity: 800}",
    ]
    for section, entries in drivers.sections.items():
        lines += ["", f"{section}:"]
        for entry, comment in entries:
            lines += [f"  # {comment}", f"  - {_flow(entry)}"]
    return "\n".join(lines) + "\n"
