"""Faces agree on the overview: the figures its compute step shows equal what
the Python API (planner.forecast) and the CLI (planner forecast ... --format
json) give for the same scenario.

The CLI's JSON rounds each unit to the decimals its weights are published with
(planner.cli); a page figure equals a CLI figure when rounded to the decimals the
CLI printed.
"""

import json
import math
import shutil
from importlib import resources

import pandas as pd
import pytest

from planner.cli import main
from planner.engine import forecast
from planner.scenario import EXAMPLES, example_path
from planner.ui.pages import overview

# A second LPAR far below its licence. Summed over the LPARs the estate never goes
# above the summed licence (300 x 1.01^35 + 100 = 525 < 350 + 400 = 750), but
# PAYMENTS alone does (see test_msu_is_judged_per_lpar).
TWO_LPARS = """extends: estate.yaml
name: Two LPARs
mainframe:
  - {name: PAYMENTS, peak_msu: 300, licensed_msu: 350, growth: {monthly: 0.01}}
  - {name: BATCH, peak_msu: 100, licensed_msu: 400}
"""


def _cli_json(tmp_path, scenario, period):
    out = tmp_path / f"{period}.json"
    assert main(["forecast", str(scenario), "--period", period, "--format", "json", "-o", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def _none(value):
    """A missing month: null in the CLI's JSON (None; NaN tolerated)."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _decimals(number):
    text = repr(number)
    return len(text.partition(".")[2]) if "." in text and "e" not in text else 0


def _same(page_value, cli_value):
    """The page's number equals the CLI's, to the decimals the CLI printed."""
    return round(page_value, _decimals(cli_value)) == pytest.approx(cli_value, abs=1e-9)


@pytest.fixture(scope="module", params=list(EXAMPLES))
def example(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(request.param)
    return request.param, forecast(request.param), _cli_json(tmp, example_path(request.param), "year")


def test_year1_figures_per_unit_equal_the_api_and_the_cli(example):
    key, f, cli = example
    view = overview.compute(forecast(key), year=1)   # the page's own forecast
    shown = {u.unit: u for u in overview.year_figures(view.forecast, 1)}
    api = f.yearly().loc[1]
    row = next(r for r in cli["consumption"] if r["contract_year"] == 1)
    assert set(shown) == set(api.index) == set(row) - {"contract_year"}
    for unit, u in shown.items():
        assert u.consumption == pytest.approx(api[unit], rel=1e-12), unit
        assert _same(u.consumption, row[unit]), (unit, u.consumption, row[unit])
    pools = {(r["unit"], r["year"]): r for r in cli["pools"]}
    for unit, u in shown.items():
        if u.bought_as is None:
            assert (unit, 1) not in pools
            continue
        p = pools[(unit, 1)]
        assert _same(u.amount, p["amount"]) and _same(u.remaining, p["remaining"]), unit
        assert (None if pd.isna(u.run_out) else f"{u.run_out:%Y-%m-%d}") == p["run_out"], unit


def test_msu_verdict_per_lpar_equals_the_api_and_the_cli(example):
    key, f, cli = example
    lpars = overview.compute(forecast(key), unit="msu").lpars_horizon
    months = f.mainframe()
    assert [p.name for p in lpars] == list(months["driver"].unique()) == [r["driver"] for r in cli["mainframe"]]
    for p, r in zip(lpars, cli["mainframe"]):
        mine = months[months["driver"] == p.name]
        assert p.peak_msu == mine["peak_msu"].max() and _same(p.peak_msu, r["highest_month_peak_msu"])
        assert p.licensed_msu == r["licensed_msu"] == mine["licensed_msu"].iloc[0]
        assert p.months_over == r["months_over_licence"] == int(mine["over_licence"].sum())
        assert (str(p.first_month_over) if p.first_month_over else None) == _none(r["first_month_over"])


def test_msu_is_judged_per_lpar(tmp_path):
    # PAYMENTS: 300 MSU x 1.01^k in the k-th month from Jan 2027; above its 350 once
    # 1.01^k > 350/300 = 1.1667, k > ln 1.1667 / ln 1.01 = 15.49: from k = 16, May 2028;
    # months over in the 36-month horizon: k = 16..35, 20; highest 300 x 1.01^35 = 424.98.
    # In contract year 2 (k = 12..23): 8 months over. BATCH: 100 MSU, never over its 400.
    # Before: the overview compared the sum of the LPARs (at most 524.98) with no licence
    # of its own and showed "no pool" for MSU; now: "1 of 2" LPARs over, from May 2028.
    for name in ("estate.yaml",):
        shutil.copy(resources.files("planner.examples") / name, tmp_path / name)
    path = tmp_path / "two_lpars.yaml"
    path.write_text(TWO_LPARS, encoding="utf-8")
    f = forecast(path)
    view = overview.compute(f, unit="msu", year=2)
    assert [(p.name, p.months_over, str(p.first_month_over)) for p in view.lpars_year] == [
        ("BATCH", 0, "None"), ("PAYMENTS", 8, "2028-05")]       # the engine's order: by name
    horizon = {p.name: p for p in view.lpars_horizon}
    assert horizon["PAYMENTS"].months_over == 20 and horizon["BATCH"].first_month_over is None
    assert math.isclose(horizon["PAYMENTS"].peak_msu, 300 * 1.01 ** 35)
    cli = _cli_json(tmp_path, path, "year")["mainframe"]
    assert [(r["driver"], r["months_over_licence"], _none(r["first_month_over"])) for r in cli] == [
        ("BATCH", 0, None), ("PAYMENTS", 20, "2028-05")]
    monthly = _cli_json(tmp_path, path, "month")["mainframe"]
    assert [r["month"] for r in monthly if r["over_licence"]][:1] == ["2028-05"]
    # the sum of the LPARs never passes the sum of their licences: the old verdict
    total = f.daily_totals()["msu"]
    assert total.max() < 350 + 400


def test_the_dashboard_shows_the_lpar_verdict_of_an_upload():
    page = overview.dashboard(forecast())
    page.find("ctl-upload-scenario").value = ({"name": "two.yaml", "type": "", "size": len(TWO_LPARS),
                                               "content": memoryview(TWO_LPARS.encode()),
                                               "last_modified": pd.Timestamp("2025-01-01")},)
    page.find("ctl-unit").value = "msu"
    page.find("ctl-year").value = 2
    assert page.messages.text == ""
    shown = {k: page.find(f"kpi-{k}").shown for k in ("consumption", "amount", "remaining", "run-out")}
    # year 2: PAYMENTS' highest month is k = 23, 300 x 1.01^23 = 377.15 MSU (its peak against
    # its licence, 377.15 / 350 = 1.08, is above BATCH's 100 / 400 = 0.25)
    assert shown == {"consumption": "377 MSU", "amount": "350 MSU", "remaining": "1 of 2", "run-out": "May 2028"}
    table = page.find("table-lpars").frame
    assert table.to_dict("records") == [
        {"LPAR": "BATCH", "Licensed": "400 MSU", "Highest monthly peak": "100 MSU",
         "Over the licence from": "never", "Months over": "0 months"},
        {"LPAR": "PAYMENTS", "Licensed": "350 MSU", "Highest monthly peak": "425 MSU",
         "Over the licence from": "May 2028", "Months over": "20 months"}]


# --- actual versus modelled (issue 12) ------------------------------------------------------

@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The folder ``planner import files`` writes from tests/fixtures/dynatrace_api.py."""
    from fixtures import dynatrace_api as fx
    tmp = tmp_path_factory.mktemp("import")
    (tmp / "hosts.json").write_text(fx.hosts_json())
    (tmp / "metrics.csv").write_text(fx.metrics_csv())
    assert main(["import", "files", "--hosts", str(tmp / "hosts.json"), "--metrics", str(tmp / "metrics.csv"),
                 "--out", str(tmp / "env")]) == 0
    return tmp / "env"


def test_actual_against_modelled_equals_the_api_and_the_cli(imported, tmp_path):
    from planner.imports.backtest import backtest, read_actuals, summary
    from planner.scenario import load_scenario
    out = tmp_path / "backtest.json"
    assert main(["backtest", str(imported / "scenario.yaml"), str(imported / "actuals.csv"),
                 "--format", "json", "-o", str(out)]) == 0
    cli = json.loads(out.read_text(encoding="utf-8"))
    rows = {(r["unit"], r["month"]): r for r in cli["modelled versus actual per unit and month (error in %)"]}
    totals = {r["unit"]: r for r in cli["summary per unit"]}
    scenario = load_scenario(imported / "scenario.yaml")
    table = backtest(scenario, read_actuals(imported / "actuals.csv"))
    api = summary(table).set_index("unit")
    f = forecast(scenario)
    for unit in ("host_units", "dem", "ddu"):
        past = overview.compute(f, unit, past=table).past
        assert past is not None and past.mean_abs_error_pct == api.loc[unit, "mean_abs_error_pct"]
        assert _same(past.mean_abs_error_pct, totals[unit]["mean_abs_error_pct"]), unit
        for month, modelled, actual in zip(past.months, past.modelled, past.actual):
            r = rows[(unit, str(month))]
            assert _same(modelled, r["modelled"]) and _same(actual, r["actual"]), (unit, month)
    # the month the page and the CLI both show, worked out by hand: July 2026, DDU
    # modelled 7,042.24375 (query 30.4375 GB x 1.70 a month), actual 7,043.2 (query 1 GB x 31 days x 1.70);
    # the CLI writes DDU with their 4 decimals
    assert (rows[("ddu", "2026-07")]["modelled"], rows[("ddu", "2026-07")]["actual"]) == (7042.2437, 7043.2)
    ddu = overview.compute(f, "ddu", past=table).past
    assert (ddu.modelled[0], ddu.actual[0]) == pytest.approx((7042.24375, 7043.2), abs=1e-9)


def test_the_forecast_next_to_the_actuals_equals_the_cli(imported, tmp_path):
    from planner.imports.backtest import backtest, read_actuals
    from planner.scenario import load_scenario
    cli = _cli_json(tmp_path, imported / "scenario.yaml", "month")["consumption"]
    scenario = load_scenario(imported / "scenario.yaml")
    view = overview.compute(forecast(scenario), "ddu",
                            past=backtest(scenario, read_actuals(imported / "actuals.csv")))
    ahead = overview.actuals_figure(view).data[2]
    assert [pd.Timestamp(x).strftime("%Y-%m") for x in ahead.x] == [r["month"] for r in cli]
    for y, r in zip(ahead.y, cli):
        assert abs(y - r["ddu"]) < 1e-3, (y, r)      # chart: 1/1000 DDU; CLI: the DDU weights' 4 decimals
