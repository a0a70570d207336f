"""The units the planner reports, defined once.

Every face (CLI, dashboards, notebooks) reads a unit's symbol, name, colour and
kind from :data:`UNITS`; nothing else lists the units.

* A **flow** unit (host unit hours, DEM, DDU, ASU, CAU) adds up over days.
* A **peak** unit (host units in use, MSU per LPAR) takes the highest day.
* ``bought_as`` says how a contract buys it: ``"annual"`` pools reset on each
  anniversary (docs/rules.md#annual-pools); a ``"licence"`` is a quantity the
  peak in use is compared with; ``None``: not bought through the contract's
  pools (MSU is licensed per LPAR on the mainframe driver itself).
* ``measured_by`` names the unit whose consumption another one counts: Premium
  High Availability is "an additional license measured by the peak Host Units
  monitored by a Dynatrace Managed cluster" (docs/rules.md#premium-ha), so a
  scenario that buys it consumes it as it consumes host units.
* ``instead_of`` names the unit a contract may buy in its place: host units and
  host unit hours license the same monitoring, so a contract that buys one does
  not lack the other (docs/rules.md#unbought-units).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

__all__ = ["Unit", "UNITS", "FLOW_UNITS", "PEAK_UNITS", "POOL_UNITS", "LICENCE_UNITS", "DPS_UNITS", "CLASSIC_UNITS",
           "unit", "decimals"]

#: Decimals of a unit no weight table prices (MSU: the scenario gives it).
OTHER_DECIMALS = 2


@dataclass(frozen=True)
class Unit:
    """One unit of consumption.

    Attributes
    ----------
    key : str
        Identifier used in tables and scenario files (``"dem"``).
    symbol : str
        Written after a number (``"DEM units"``).
    name : str
        For titles and menus (``"DEM units"``).
    kind : {'flow', 'peak'}
        Flows add up over days; peaks take the highest day.
    colour : str
        The unit's colour in every chart.
    bought_as : {'annual', 'licence', 'commitment'} or None
        How a contract buys it (``"commitment"``: DPS usage drawing down the
        contract's money commitment, docs/rules.md#dps-commitment).
    priced_by : (str, tuple of str) or None
        The weight table and columns its consumption is computed from; a
        number of the unit is shown with as many decimals as those weights
        (:func:`decimals`).
    measured_by : str or None
        The unit whose consumption this one counts, when the contract buys it.
    instead_of : str or None
        The unit a contract may buy in its place.
    """

    key: str
    symbol: str
    name: str
    kind: Literal["flow", "peak"]
    colour: str
    bought_as: Literal["annual", "licence", "commitment"] | None
    priced_by: tuple[str, tuple[str, ...]] | None = None
    measured_by: str | None = None
    instead_of: str | None = None

    @property
    def label(self) -> str:
        """Name with the symbol in brackets, for column headers and axes."""
        return f"{self.name} [{self.symbol}]"


UNITS: dict[str, Unit] = {u.key: u for u in (
    Unit("host_units", "HU", "Host units in use", "peak", "#1d4ed8", "licence",
         ("host_units", ("fullstack", "infrastructure")), instead_of="host_unit_hours"),
    Unit("host_unit_hours", "HU h", "Host unit hours", "flow", "#0284c7", "annual",
         ("host_units", ("fullstack", "infrastructure")), instead_of="host_units"),
    Unit("dem", "DEM units", "DEM units", "flow", "#7c3aed", "annual", ("dem_weights", ("weight",))),
    Unit("ddu", "DDU", "Davis data units", "flow", "#ea580c", "annual", ("ddu_weights", ("weight",))),
    Unit("asu", "ASU", "Application security units", "flow", "#dc2626", "annual",
         ("asu_weights", ("vulnerability_analytics", "with_protection"))),
    Unit("cau", "CAU", "Cloud automation units", "flow", "#059669", "annual", ("cau_weights", ("weight",))),
    Unit("msu", "MSU", "Mainframe MSU", "peak", "#475569", None),
    Unit("premium_ha", "HU", "Premium High Availability host units", "peak", "#4338ca", "licence",
         ("host_units", ("fullstack", "infrastructure")), measured_by="host_units"),
    # Dynatrace Platform Subscription (DPS) quantities, in the rate card's units (tables/dps_rate_card.csv)
    Unit("fullstack_gib_hours", "GiB h", "Full-Stack GiB-hours", "flow", "#1e40af", "commitment"),
    Unit("infrastructure_host_hours", "host h", "Infrastructure host-hours", "flow", "#0369a1", "commitment"),
    Unit("foundation_host_hours", "host h", "Foundation & Discovery host-hours", "flow", "#0e7490", "commitment"),
    Unit("pod_hours", "pod h", "Kubernetes pod-hours", "flow", "#0f766e", "commitment"),
    Unit("container_hours", "container h", "Code Monitoring container-hours", "flow", "#115e59", "commitment"),
    Unit("appsec_gib_hours", "GiB h", "Application security GiB-hours", "flow", "#b91c1c", "commitment"),
    Unit("rum_sessions", "sessions", "RUM sessions", "flow", "#6d28d9", "commitment"),
    Unit("replay_sessions", "sessions", "Session Replay sessions", "flow", "#7e22ce", "commitment"),
    Unit("property_sessions", "property sessions", "RUM property sessions", "flow", "#a21caf", "commitment"),
    Unit("synthetic_actions", "actions", "Synthetic actions", "flow", "#9333ea", "commitment"),
    Unit("http_requests", "requests", "Synthetic HTTP requests", "flow", "#c026d3", "commitment"),
    Unit("third_party_results", "results", "Third-party synthetic results", "flow", "#db2777", "commitment"),
    Unit("log_ingest_gib", "GiB", "Log ingest", "flow", "#c2410c", "commitment"),
    Unit("log_retain_gib_days", "GiB d", "Log retain", "flow", "#d97706", "commitment"),
    Unit("log_retain_included_gib_days", "GiB d", "Log retain with included queries", "flow", "#b45309",
         "commitment"),
    Unit("log_query_gib", "GiB", "Log query", "flow", "#ca8a04", "commitment"),
    Unit("metric_datapoints", "data points", "Metric data points", "flow", "#65a30d", "commitment"),
    Unit("trace_ingest_gib", "GiB", "Trace ingest", "flow", "#16a34a", "commitment"),
    Unit("event_ingest_gib", "GiB", "Event ingest", "flow", "#15803d", "commitment"),
    Unit("event_retain_gib_days", "GiB d", "Event retain", "flow", "#166534", "commitment"),
    Unit("event_query_gib", "GiB", "Event query", "flow", "#14532d", "commitment"),
    Unit("workflow_hours", "workflow h", "Automation workflow-hours", "flow", "#047857", "commitment"),
    Unit("msu_hours", "MSU h", "Mainframe MSU-hours", "flow", "#334155", "commitment"),
    # the DPS commitment: money a contract year, drawn down by the DPS units at the rate card
    Unit("commitment", "money", "DPS commitment", "flow", "#0f172a", None),
)}

FLOW_UNITS = tuple(k for k, u in UNITS.items() if u.kind == "flow")
PEAK_UNITS = tuple(k for k, u in UNITS.items() if u.kind == "peak")
#: Units bought as an annual amount (they reset on the anniversary).
POOL_UNITS = tuple(k for k, u in UNITS.items() if u.bought_as == "annual")
#: Units licensed as a peak quantity.
LICENCE_UNITS = tuple(k for k, u in UNITS.items() if u.bought_as == "licence")
#: DPS units: usage priced at the rate card, drawing down the commitment.
DPS_UNITS = tuple(k for k, u in UNITS.items() if u.bought_as == "commitment")
#: Units a classic contract's estate consumes (the DPS units and the commitment left out).
CLASSIC_UNITS = tuple(k for k in UNITS if k not in DPS_UNITS and k != "commitment")


def unit(key: str) -> Unit:
    """The :class:`Unit` of ``key``; a ValueError lists the units otherwise.

    >>> unit("ddu").label
    'Davis data units [DDU]'
    """
    try:
        return UNITS[key]
    except (KeyError, TypeError):
        raise ValueError(f"unit must be one of {', '.join(map(repr, UNITS))}; got {key!r}") from None


def decimals(tables: Any = None) -> dict[str, int]:
    """Decimals to show per unit: as many as the finest weight of the table it
    is computed from (host units 0.075 -> 3, DEM 0.25 -> 2, DDU 0.0005 -> 4,
    ASU 0.25 -> 2, CAU 1 -> 0 with the shipped tables); :data:`OTHER_DECIMALS`
    for a unit no table prices.

    >>> decimals()["ddu"]
    4
    """
    from planner.tableset import resolve
    t = resolve(tables)
    out = {}
    for key, u in UNITS.items():
        if u.priced_by is None:
            out[key] = OTHER_DECIMALS
            continue
        name, columns = u.priced_by
        weights = np.concatenate([t[name][c].to_numpy(dtype=float) for c in columns])
        out[key] = max(len(np.format_float_positional(w, trim="-").partition(".")[2]) for w in weights)
    return out
