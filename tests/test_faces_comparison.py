"""Faces agree on the comparison: with the built-in examples selected, the
changes the page's compute step shows equal the Python API (forecast of each
scenario) and the CLI (``planner forecast ... --format json`` of each, and
``planner compare ... --format json``).

The CLI's JSON rounds a unit to the decimals its weights are published with
(planner.cli): a page figure equals a CLI figure rounded to the decimals printed.
"""

import json
import math

import pytest

from planner.cli import main
from planner.engine import compare, forecast
from planner.ui.pages import comparison

SETTINGS = [  # (selected examples, unit): control settings of the page
    (("estate", "fullstack_move"), "host_unit_hours"),
    (("estate", "fullstack_move"), "host_units"),
    (("estate", "replay_rollout", "grail_retention"), "dem"),
    (("estate", "replay_rollout", "grail_retention"), "ddu"),
]


def _json(tmp_path, *argv):
    out = tmp_path / "out.json"
    assert main([*argv, "--format", "json", "-o", str(out), "--force"]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def _same(page_value, cli_value):
    text = repr(cli_value)
    decimals = len(text.partition(".")[2]) if "." in text else 0
    return round(page_value, decimals) == pytest.approx(cli_value, abs=1e-9)


def _none(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


@pytest.mark.parametrize(("keys", "unit"), SETTINGS, ids=lambda v: "+".join(v) if isinstance(v, tuple) else v)
def test_comparison_agrees_with_the_api_and_the_cli(tmp_path, keys, unit):
    runs = [forecast(k) for k in keys]
    view = comparison.compute(runs, unit)
    base = runs[0].yearly()[unit]
    cli_base = next(r for r in _json(tmp_path, "forecast", keys[0], "--period", "year")["consumption"]
                    if r["contract_year"] == 1)
    for key, name, f in zip(keys[1:], view.compared, runs[1:]):
        api = f.yearly()[unit].loc[1] - base.loc[1]
        assert view.year1[name] == pytest.approx(api, rel=1e-12, abs=1e-9)
        cli = next(r for r in _json(tmp_path, "forecast", key, "--period", "year")["consumption"]
                   if r["contract_year"] == 1)
        assert _same(view.year1[name] + base.loc[1], cli[unit]) and _same(base.loc[1], cli_base[unit])
    compared = _json(tmp_path, "compare", *keys)
    pools = {(r["scenario"], r["unit"], r["year"]): r for r in compared["pools"]}
    for name in view.compared:
        if (name, unit, 1) in pools:
            assert _same(view.year1[name], pools[(name, unit, 1)]["consumption_delta"])
    exceeded = {(r["scenario"], r["unit"]): _none(r["first_exceeded"]) for r in compared["first_exceeded"]}
    for name, month in (view.first_exceeded or {}).items():
        assert (str(month) if month is not None else None) == exceeded[(name, unit)]


def test_the_page_shows_the_move_as_the_cli_computes_it(tmp_path):
    # the browser test's interaction: unit "Host unit hours" with estate and fullstack_move
    page = comparison.dashboard(draws=100)
    page.find("ctl-unit").value = "host_unit_hours"
    pools = {(r["unit"], r["year"]): r for r in _json(tmp_path, "compare", "estate", "fullstack_move")["pools"]}
    delta = pools[("host_unit_hours", 1)]["consumption_delta"]
    assert page.find("kpi-delta-year1").shown == f"+{delta:,.0f} HU h" == "+2,914,980 HU h"
