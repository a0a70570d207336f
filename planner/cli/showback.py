"""``planner forecast --by cost_center`` (or ``product``): consumption and cost per
tag, and who drives a pool's overrun (:mod:`planner.engine.showback`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from planner.cli.render import MONEY, ROW_UNIT, SHARE, described

__all__ = ["showback_tables"]


def showback_tables(fc: Any, by: str, period: str) -> dict[str, pd.DataFrame]:
    """The ``consumption`` table per period, unit and tag, and ``overrun`` where a pool runs out."""
    from planner.engine.showback import breakdown, overrun_attribution
    t = fc.scenario.tables
    table = breakdown(fc, by, period)
    name = "contract year" if period == "year" else "month"
    tables = {"consumption": described(
        table, f"{fc.scenario.name}: consumption and cost per {name} and {by.replace('_', ' ')}",
        units={"consumption": ROW_UNIT, "cost": MONEY}, keys=(table.columns[0], "unit", by), tables=t)}
    overrun = overrun_attribution(fc, by)
    if len(overrun):
        tables["overrun"] = described(
            overrun, f"pools that run out: the overrun shared by consumption, and growth per {by.replace('_', ' ')}",
            units={c: ROW_UNIT for c in ("extra_needed", "consumption", "overrun", "growth")} | {"share": SHARE},
            keys=("unit", "year", by), tables=t)
    return tables
