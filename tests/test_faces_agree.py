"""The faces agree: the CLI prints what the Python API computes, for every built-in example.

(The dashboards' own agreement tests are in tests/test_faces_<page>.py.)
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

import planner
from planner.cli import main
from planner.explain import sizing_note
from planner.units import decimals as _unit_decimals
from planner.scenario import EXAMPLES


def _cli_json(capsys, *args):
    assert main([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", EXAMPLES)
def test_forecast_per_month_is_the_apis_rounded_to_the_units_decimals(capsys, name):
    api = planner.forecast(name).monthly()
    cli = pd.DataFrame(_cli_json(capsys, "forecast", name, "--period", "month")["consumption"]).set_index("month")
    decimals = _unit_decimals()
    assert list(cli.columns) == list(api.columns)
    for unit in api.columns:
        half_a_digit = 0.5 * 10 ** -decimals.get(unit, 2) + 1e-9    # the CLI rounds to the unit's decimals
        assert cli[unit].tolist() == pytest.approx(api[unit].tolist(), abs=half_a_digit), unit
    assert cli.index.tolist() == [str(p) for p in api.index]


@pytest.mark.parametrize("name", EXAMPLES)
def test_pools_are_the_apis(capsys, name):
    api = planner.forecast(name).pools()
    records = _cli_json(capsys, "pools", name)["pools"]
    cli = pd.DataFrame(records)
    assert cli[["unit", "year"]].values.tolist() == api[["unit", "year"]].values.tolist()
    assert [r["run_out"] for r in records] == [None if pd.isna(d) else str(d.date()) for d in api["run_out"]]
    assert cli["consumption"].tolist() == pytest.approx(api["consumption"].tolist(), rel=1e-6, abs=0.01)


def test_sizing_is_the_apis(capsys):
    api = planner.forecast("estate", draws=200, seed=7).sizing(risk=0.1)
    cli = pd.DataFrame(_cli_json(capsys, "size", "estate", "--draws", "200", "--seed", "7")["sizing"])
    assert cli[["unit", "year"]].values.tolist() == api[["unit", "year"]].values.tolist()
    for column in ("p50", "risk_amount"):
        assert cli[column].tolist() == pytest.approx(api[column].tolist(), rel=1e-6, abs=0.01), column
    # the engine's reason codes, and the same sentences the renewal page shows (planner.explain)
    assert cli["reasons"].tolist() == [";".join(codes) for codes in api["reasons"]]
    contract = planner.load_scenario("estate").contract
    assert cli["note"].tolist() == [sizing_note(row, contract) for row in api.to_dict(orient="records")]
    assert set(cli["note"]) == {"", "no price and no overage_price in the contract: only the risk amount is given"}
