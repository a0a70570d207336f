"""FOCUS export: a forecast or imported actuals as a FinOps cost-and-usage dataset.

FOCUS, the FinOps Open Cost and Usage Specification, is the format FinOps
tools ingest. :func:`focus_table` maps the charges of :mod:`planner.charges`
(which hold every quantity and amount of money) to the specification's
columns; this module only names, labels and formats. One row per charge period
(a calendar month within a contract year), unit, capability and driver, plus the
pool and licence purchases and the unused rest of each pool year.
docs/exports.md maps each column to where its value comes from.

Versions: FOCUS 1.0 (the default; what ``focus-validator`` 1.0.0 checks) and
1.2, which adds ``CommitmentDiscountQuantity``, ``CommitmentDiscountUnit``,
``ServiceSubcategory`` and ``SkuMeter``. Column lists: FOCUS Specification
v1.0 (2024-06-20) and v1.2 (2025-05-29), section "Columns".
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from planner.engine.charges import charges, daily_from_monthly
from planner.engine.showback import tagged
from planner.sections import TAGS, capability_label
from planner.units import UNITS

__all__ = ["VERSIONS", "COLUMNS", "focus_table", "focus_csv", "tags_json", "FocusError"]

#: The vendor, as FOCUS names who provides, publishes and invoices the service.
PROVIDER = "Dynatrace"
SERVICE_CATEGORY = "Management and Governance"     # FOCUS ServiceCategory allowed value
SERVICE_SUBCATEGORY = "Observability"              # FOCUS 1.2 ServiceSubcategory allowed value

_V1_0 = (
    "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
    "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription",
    "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "CommitmentDiscountCategory",
    "CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountStatus", "CommitmentDiscountType",
    "ConsumedQuantity", "ConsumedUnit", "ContractedCost", "ContractedUnitPrice", "EffectiveCost",
    "InvoiceIssuerName", "ListCost", "ListUnitPrice", "PricingCategory", "PricingQuantity", "PricingUnit",
    "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType",
    "ServiceCategory", "ServiceName", "SkuId", "SkuPriceId", "SubAccountId", "SubAccountName", "Tags")
_V1_2_ADDED = ("CommitmentDiscountQuantity", "CommitmentDiscountUnit", "ServiceSubcategory", "SkuMeter")
#: The FOCUS columns written per version, then the custom (x_) columns.
COLUMNS = {"1.0": _V1_0, "1.2": tuple(sorted(_V1_0 + _V1_2_ADDED))}
VERSIONS = tuple(COLUMNS)
#: FOCUS Tags keys: Dynatrace's own names for the showback tags (cost allocation).
_TAG_KEYS = {"cost_center": "dt.cost.costcenter", "product": "dt.cost.product"}
_CUSTOM = ("x_PlannerChargeKind", "x_PlannerUnit", "x_PlannerCapability", "x_ContractYear")

_CATEGORY = {"purchase": "Purchase", "top_up": "Purchase", "licence": "Purchase",
             "used": "Usage", "unused": "Usage", "overage": "Usage", "usage": "Usage"}
_FREQUENCY = {"purchase": "Recurring", "licence": "Recurring", "top_up": "One-Time"}
_STATUS = {"used": "Used", "unused": "Unused"}
_COMMITTED = ("purchase", "top_up", "used", "unused")
_SPEND = "commitment"     # the DPS commitment: a pool of money (CommitmentDiscountCategory Spend)
#: Which of the contract's prices a charge is priced at (SkuPriceId is unit:basis).
_PRICE_BASIS = {"purchase": "pool", "top_up": "pool", "used": "pool", "unused": "pool", "usage": "pool",
                "overage": "overage", "licence": "licence"}


class FocusError(ValueError):
    """A scenario that cannot be written as FOCUS (no currency, an unknown version)."""


def focus_table(scenario: Any, daily: pd.DataFrame | None = None, *, actuals: pd.DataFrame | None = None,
                version: str = "1.0") -> tuple[pd.DataFrame, list[str]]:
    """The FOCUS dataset of a scenario's forecast or of imported actuals.

    Parameters
    ----------
    scenario : planner.model.Scenario
        Contract, prices, currency and billing account.
    daily : DataFrame, optional
        :attr:`planner.engine.Forecast.daily` of the scenario's forecast.
    actuals : DataFrame, optional
        Instead of ``daily``: :func:`planner.imports.backtest.read_actuals` (one figure a
        month, spread evenly over the month's days).
    version : {'1.0', '1.2'}

    Returns
    -------
    (DataFrame, list of str)
        The dataset (FOCUS columns of ``version``, then the ``x_`` columns;
        datetimes as UTC text, missing values as NaN/None) and notes for the
        reader (said once each: which units have no price).
    """
    if version not in COLUMNS:
        raise FocusError(f"--focus-version must be one of {', '.join(VERSIONS)}; got {version!r}")
    if (daily is None) == (actuals is None):
        raise FocusError("give the forecast's daily consumption or imported actuals, one of the two")
    currency = _currency(scenario)
    source = daily_from_monthly(actuals) if actuals is not None else daily
    table = charges(scenario, tagged(scenario, source))
    account = scenario.billing_account or scenario.name
    unit = table["unit"]
    symbol = unit.map(lambda u: currency if u == _SPEND else UNITS[u].symbol)
    pool = table["pool"]
    pool_symbol = pool.map(lambda u: currency if u == _SPEND else UNITS[u].symbol if u else None)
    kind = table["kind"]
    committed = kind.isin(_COMMITTED)
    usage = kind.map(_CATEGORY) == "Usage"
    priced = table["price"].notna()
    quantity = table["quantity"].astype(float)
    pool_id = [_pool_id(account, p, y) if c else None for p, y, c in zip(pool, table["year"], committed)]
    months = table["start"].dt.to_period("M")
    out = pd.DataFrame({
        "AvailabilityZone": None,
        "BilledCost": table["billed"].fillna(0.0),
        "BillingAccountId": account, "BillingAccountName": account,
        "BillingCurrency": currency,
        "BillingPeriodEnd": _utc((months + 1).dt.to_timestamp()),
        "BillingPeriodStart": _utc(months.dt.to_timestamp()),
        "ChargeCategory": kind.map(_CATEGORY),
        "ChargeClass": None,
        "ChargeDescription": [_description(*r) for r in zip(kind, unit, table["capability"], table["driver"],
                                                             table["year"])],
        "ChargeFrequency": kind.map(_FREQUENCY).fillna("Usage-Based"),
        "ChargePeriodEnd": _utc(table["end"]), "ChargePeriodStart": _utc(table["start"]),
        "CommitmentDiscountCategory": [("Spend" if p == _SPEND else "Usage") if c else None
                                       for p, c in zip(pool, committed)],
        "CommitmentDiscountId": pool_id,
        "CommitmentDiscountName": [_pool_name(p, y) if c else None for p, y, c in zip(pool, table["year"], committed)],
        "CommitmentDiscountStatus": kind.map(_STATUS),
        "CommitmentDiscountType": [("DPS commitment" if p == _SPEND else "Annual pool") if c else None
                                   for p, c in zip(pool, committed)],
        "ConsumedQuantity": quantity.where(usage),
        "ConsumedUnit": symbol.where(usage),
        "ContractedCost": table["list"].fillna(0.0),
        "ContractedUnitPrice": table["price"],
        "EffectiveCost": table["effective"].fillna(0.0),
        "InvoiceIssuerName": PROVIDER,
        "ListCost": table["list"].fillna(0.0),
        "ListUnitPrice": table["list_price"],
        "PricingCategory": np.where(kind.isin(("used", "unused")), "Committed", "Standard"),
        "PricingQuantity": quantity, "PricingUnit": symbol,
        "ProviderName": PROVIDER, "PublisherName": PROVIDER,
        "RegionId": None, "RegionName": None,
        "ResourceId": table["driver"].where(table["driver"] != ""),
        "ResourceName": table["driver"].where(table["driver"] != ""),
        "ResourceType": None,
        "ServiceCategory": SERVICE_CATEGORY,
        "ServiceName": unit.map(lambda u: UNITS[u].name),
        "SkuId": [f"{u}:{c}" if c else u for u, c in zip(unit, table["capability"])],
        "SkuPriceId": [f"{u}:{_PRICE_BASIS[k]}" for u, k in zip(unit, kind)], "SubAccountId": None, "SubAccountName": None,
        "Tags": [tags_json({_TAG_KEYS[t]: v for t, v in zip(TAGS, values)})
                 for values in zip(*(table[t] for t in TAGS))],
        "CommitmentDiscountQuantity": table["pool_quantity"].where(committed),
        "CommitmentDiscountUnit": pool_symbol.where(committed),
        "ServiceSubcategory": SERVICE_SUBCATEGORY,
        "SkuMeter": [capability_label(u, c) if c else UNITS[u].name for u, c in zip(unit, table["capability"])],
        "x_PlannerChargeKind": kind, "x_PlannerUnit": unit,
        "x_PlannerCapability": table["capability"].where(table["capability"] != ""),
        "x_ContractYear": table["year"],
    }, index=table.index)
    notes = _notes(table[~priced])
    return out[list(COLUMNS[version]) + list(_CUSTOM)], notes


def focus_csv(frame: pd.DataFrame) -> bytes:
    """The dataset as UTF-8 CSV: a missing value is an empty field (FOCUS null); text
    from the scenario (driver names) is stored as text (:func:`planner.export.text_safe`)."""
    from planner.export import text_safe
    return text_safe(frame).to_csv(index=False, na_rep="").encode("utf-8")


def _currency(scenario: Any) -> str:
    code = scenario.currency
    if code is None:
        raise FocusError(f"{scenario.source}: the scenario gives no currency, and FOCUS needs BillingCurrency; "
                         "add e.g. 'currency: EUR' (an ISO 4217 code) to the scenario")
    if not (len(code) == 3 and code.isalpha() and code.isupper()):
        raise FocusError(f"{scenario.source}: currency must be an ISO 4217 code such as EUR or USD for FOCUS; "
                         f"got {code!r}")
    return code


def _utc(values: pd.Series) -> pd.Series:
    """Dates as FOCUS datetimes: ISO 8601 in UTC (midnight of the day)."""
    return pd.Series(pd.DatetimeIndex(values).strftime("%Y-%m-%dT%H:%M:%SZ"), index=values.index)


def _pool_id(account: str, unit: str, year: int) -> str:
    return f"{account}/pools/{unit}/year-{year}"


def _pool_name(pool: str, year: int) -> str:
    return f"{UNITS[pool].name}, {'annual pool, ' if pool != _SPEND else ''}contract year {year}"


def _description(kind: str, unit: str, capability: str, driver: str, year: int) -> str:
    name = UNITS[unit].name
    if kind == "purchase" and unit == _SPEND:
        return f"{name}, contract year {year}"
    if kind == "purchase":
        return f"{name}: annual pool, contract year {year}"
    if kind == "top_up":
        return f"{name}: top-up of the contract year {year} pool"
    if kind == "licence":
        return f"{name}: licence, contract year {year}"
    if kind == "unused":
        return f"{name}: unused rest of the contract year {year} pool"
    what = f"{name}: {capability_label(unit, capability)} ({driver})"
    return what + (", beyond the pool" if kind == "overage" else "")


def _notes(unpriced: pd.DataFrame) -> list[str]:
    if unpriced.empty:
        return []
    units = ", ".join(UNITS[u].name for u in dict.fromkeys(unpriced["unit"]))
    return [f"no price in the contract for {units}: {len(unpriced):,} rows have no ListUnitPrice and "
            "ContractedUnitPrice (null, FOCUS Null Handling) and cost 0 in BilledCost, EffectiveCost, ListCost "
            "and ContractedCost, which FOCUS does not allow to be null"]


def tags_json(tags: dict[str, Any]) -> str | None:
    """A FOCUS ``Tags`` value: a JSON object of the tags that are set, or None."""
    given = {k: v for k, v in tags.items() if isinstance(v, str) and v}
    return json.dumps(given, ensure_ascii=False, sort_keys=True) if given else None
