"""Showback tags from the environment: a host's ``dt.cost.costcenter`` and
``dt.cost.product`` tags become the ``cost_center`` and ``product`` columns of
``hosts.csv`` (:data:`planner.sections.TAGS`).

The entities call asks for ``+tags`` (monitored entities API v2, ``fields``);
each tag of an entity is ``{"context": ..., "key": ..., "value": ...}``. A host
without the tag is untagged (blank).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["COST_TAGS", "with_cost_tags"]

#: Dynatrace's cost allocation tags -> the planner's tag columns.
COST_TAGS = {"dt.cost.costcenter": "cost_center", "dt.cost.product": "product"}


def _tags_of(entity: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    tags = entity.get("tags") if isinstance(entity, dict) else None
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, dict) and tag.get("key") in COST_TAGS and isinstance(tag.get("value"), str) \
                and tag["value"].strip():
            found.setdefault(COST_TAGS[tag["key"]], tag["value"].strip())
    return found


def with_cost_tags(hosts: pd.DataFrame, entities: Any) -> pd.DataFrame:
    """``hosts`` (with ``entity_id``) plus a ``cost_center`` and a ``product`` column
    where any entity has that tag; unchanged when none has."""
    by_id = {e["entityId"]: _tags_of(e) for e in entities if isinstance(e, dict) and "entityId" in e} \
        if isinstance(entities, list) else {}
    out = hosts.copy()
    for column in COST_TAGS.values():
        values = [by_id.get(i, {}).get(column) for i in out["entity_id"]]
        if any(v is not None for v in values):
            out[column] = values
    return out
