"""Uploads: a dashboard's uploaded files read as a Scenario or an inventory.

The other building blocks live in :mod:`planner.ui.charts`,
:mod:`planner.ui.cards`, :mod:`planner.ui.exports` and :mod:`planner.ui.layout`;
they are imported here too for the pages written before the split.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from planner.scenario import Scenario, ScenarioError, load_scenario, read_inventory
from planner.ui.cards import (  # noqa: F401  (re-exported)
    KpiCard, MessageArea, ResultTable, Table, guard, html_table, kpi_row, note, readable,
)
from planner.ui.charts import Chart, chart, figure_spec, plotly_loader, show_figure  # noqa: F401
from planner.ui.exports import DownloadLinks, csv_bytes, data_uri, xlsx_bytes  # noqa: F401
from planner.ui.layout import Dashboard, Page, control, field, section, style  # noqa: F401

__all__ = ["uploaded_files", "read_uploaded_scenario", "read_uploaded_inventory"]


def uploaded_files(value: Any) -> list[tuple[str, bytes]]:
    """``(name, content)`` of each file of a ``FileUpload.value``."""
    return [(str(item["name"]), bytes(item["content"])) for item in (value or ())]


def _safe_name(name: str) -> str:
    base = Path(str(name).replace("\\", "/")).name
    if not base or base in (".", ".."):
        raise ScenarioError(f"{name!r}: not a file name")
    return base


def _examples_dir() -> Path:
    return Path(str(resources.files("planner.examples")))


def read_uploaded_scenario(name: str, content: bytes,
                           extra_files: Iterable[tuple[str, bytes]] = ()) -> Scenario:
    """Load an uploaded scenario YAML.

    The file is read from a fresh folder that also holds the built-in examples
    (so ``extends: estate.yaml`` works) and ``extra_files`` (inventories the
    scenario names). Error messages name the uploaded file, not the folder.

    Raises
    ------
    ScenarioError
        With the file, line and key path of the problem.
    """
    name = _safe_name(name)
    if not name.lower().endswith((".yaml", ".yml")):
        raise ScenarioError(f"{name}: a scenario is a .yaml or .yml file")
    folder = Path(tempfile.mkdtemp(prefix="planner-upload-"))
    try:
        for example in _examples_dir().iterdir():
            if example.suffix in (".yaml", ".csv"):
                shutil.copy(example, folder / example.name)
        for extra, data in extra_files:
            (folder / _safe_name(extra)).write_bytes(data)
        (folder / name).write_bytes(content)
        try:
            return load_scenario(folder / name)
        except ScenarioError as exc:
            raise ScenarioError(str(exc).replace(f"{folder}/", "").replace(str(folder), "")) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def read_uploaded_inventory(name: str, content: bytes) -> pd.DataFrame:
    """Read an uploaded host inventory (CSV or XLSX) with
    :func:`planner.scenario.read_inventory`.

    Raises
    ------
    ScenarioError
        Naming the file, row and column.
    """
    name = _safe_name(name)
    folder = Path(tempfile.mkdtemp(prefix="planner-upload-"))
    try:
        path = folder / name
        path.write_bytes(content)
        return read_inventory(path, name=name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
