"""The command line's answer for a what-if, for the faces-agree tests.

A what-if is written as a scenario file that ``extends`` the built-in example
estate with dated ``changes``, and ``planner forecast FILE --format json -o
OUT`` runs in-process (:func:`planner.cli.main`).
"""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pandas as pd

from planner.cli import main

#: Largest difference the CLI's rounding makes (to 2 or more decimals).
CLI_ROUNDING = 0.005


def cli_forecast(folder: Path, changes_yaml: str, *, period: str = "month", by: str = "capability") -> pd.DataFrame:
    """``planner forecast`` of the example estate plus ``changes_yaml`` (the
    YAML list under ``changes:``): the consumption table as a DataFrame.
    The CLI writes each unit with the decimals of its weights (at least 2), so
    compare with :data:`CLI_ROUNDING`."""
    examples = Path(str(resources.files("planner.examples")))
    for name in ("estate.yaml", "inventory.csv"):
        shutil.copy(examples / name, folder / name)
    what_if = folder / "what_if.yaml"
    what_if.write_text("extends: estate.yaml\nname: what-if\nchanges:\n" + changes_yaml)
    out = folder / "out.json"
    assert main(["forecast", str(what_if), "--period", period, "--by", by, "--format", "json", "-o", str(out)]) == 0
    tables = json.loads(out.read_text())
    return pd.DataFrame(next(rows for title, rows in tables.items() if title.startswith("consumption")))
