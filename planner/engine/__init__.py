"""The one engine: every number a face shows is computed here.

:mod:`planner.engine.simulation` simulates a scenario day by day (and as a seeded
Monte Carlo run), aggregates it per month and contract year and forecasts its
pools and licences; :mod:`planner.engine.sizing` sizes a renewal from the draws;
:mod:`planner.engine.licensing` prices one estate under classic licensing and the
Dynatrace Platform Subscription side by side and sizes a DPS commitment.
The faces (CLI, dashboards, notebooks) import from here.
"""

from planner.engine.simulation import (
    FLOW_UNITS,
    PEAK_UNITS,
    UNITS,
    Forecast,
    compare,
    forecast,
    host_amounts,
    scenario_names,
)
from planner.engine.licensing import commitment_sizing, side_by_side

__all__ = ["UNITS", "FLOW_UNITS", "PEAK_UNITS", "Forecast", "forecast", "compare", "scenario_names", "host_amounts",
           "side_by_side", "commitment_sizing"]
