"""planner: capacity planning for Dynatrace consumption licensing.

Calculators take a scalar, an array or a pandas Series and return the same
shape; every weight and rule constant comes from a table set (see
:mod:`planner.tableset`), the shipped default unless ``tables=`` says otherwise.
The support policy lives in :mod:`planner.support`.

Scenarios (:mod:`planner.model`, read from YAML by :mod:`planner.scenario`) run
through one engine, :func:`forecast`:

>>> import planner
>>> f = planner.forecast("estate")
>>> dem = f.pools().set_index(["unit", "year"]).loc["dem"]
>>> [str(day.date()) for day in dem["run_out"]]
['NaT', '2028-12-07', '2029-11-09']
"""

from planner.appsec import asu_per_hour
from planner.automation import cau
from planner.ddu import (
    custom_event_ddu,
    custom_trace_ddu,
    grail_ddu,
    grail_stored_gb,
    log_monitoring_ddu,
    serverless_ddu,
)
from planner.dem import (
    billable_sessions,
    clickpath_actions,
    count_defined_properties,
    http_requests,
    rum_dem,
    sessions_from_actions,
    synthetic_dem,
    third_party_results,
)
from planner.hosts import (
    custom_metric_ddu,
    host_unit_hours,
    host_units,
    included_custom_metrics,
    run_hours,
)
from planner.engine import Forecast, compare, forecast
from planner.mainframe import msu_monthly_peak, msu_report_due_dates
from planner.model import Contract, Driver, Licence, MoveHosts, OnePremium, Pool, Scenario, SetValues, TopUp
from planner.pools import contract_years, licence_forecast, pool_balance, pool_forecast
from planner.premium import coaching_weeks
from planner.scenario import ScenarioError, example_scenarios, load_scenario, read_inventory
from planner.tableset import TableError, TableSet, default_tables, export_tables, load_tables
from planner.units import UNITS

__version__ = "0.1.0"

__all__ = [
    "Contract", "Driver", "Forecast", "Licence", "MoveHosts", "Pool", "Scenario", "ScenarioError", "SetValues",
    "TopUp", "UNITS", "compare", "example_scenarios", "forecast", "load_scenario", "read_inventory",
    "TableError", "TableSet", "asu_per_hour", "billable_sessions", "cau", "clickpath_actions",
    "contract_years", "count_defined_properties", "custom_event_ddu", "custom_metric_ddu",
    "custom_trace_ddu", "default_tables", "export_tables", "grail_ddu", "grail_stored_gb",
    "host_unit_hours", "host_units", "http_requests", "included_custom_metrics", "licence_forecast",
    "load_tables",
    "log_monitoring_ddu", "msu_monthly_peak", "msu_report_due_dates", "OnePremium", "coaching_weeks",
    "pool_balance", "pool_forecast", "rum_dem",
    "run_hours", "serverless_ddu", "sessions_from_actions", "synthetic_dem",
    "third_party_results",
]
