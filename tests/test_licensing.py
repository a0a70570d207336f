"""DPS contracts through the engine, the commitment pool, the side by side and
the CLI (docs/rules.md#dps-commitment, #dps-quantities, #dps-classic-cost)."""

import json

import numpy as np
import pandas as pd
import pytest

from planner import dps
from planner.engine import forecast
from planner.engine.licensing import as_dps, commitment_sizing, side_by_side, usage_draws
from planner.scenario import ScenarioError, load_scenario

DPS = """
name: small
currency: USD
contract: {model: dps, start: 2027-01-01, term_years: 2, commitment: {annual: 1000}, discount: 0.1}
hosts:
  - {name: web, count: 1, ram_gib: 17}
  - {name: found, count: 2, ram_gib: 8, mode: foundation, hours_per_day: 10}
  - {name: infra, count: 1, ram_gib: 64, mode: infrastructure, hours_per_day: 10, custom_metrics_per_minute: 150}
kubernetes:
  - {name: k8s, pods: 10}
  - {name: nodes, nodes: 1, hours_per_day: 2, containers: 3}
rum:
  - {name: shop, sessions_per_month: 1000, replay_share: 0.25, properties_per_session: 22}
synthetic:
  - {name: ping, kind: http, per_run: 2, frequency_minutes: 60, locations: 3}
traces:
  - {name: otel, spans_per_day: 1048576}
mainframe:
  - {name: LPAR, peak_msu: 100, average_msu: 40}
cloud_automation:
  - {name: flows, executions_per_day: 10, workflows: 3}
"""


def _year1(fc, unit):
    yearly = fc.yearly()
    return float(yearly.loc[1, unit])


def test_engine_bills_dps_units_for_a_dps_contract():
    fc = forecast(load_scenario(DPS))
    assert _year1(fc, "fullstack_gib_hours") == 17 * 24 * 365            # 148,920
    assert _year1(fc, "foundation_host_hours") == 2 * 10 * 365
    assert _year1(fc, "infrastructure_host_hours") == 10 * 365
    assert _year1(fc, "metric_datapoints") == 50 * 600 * 365             # 150 - 100 included, 10 h
    assert _year1(fc, "pod_hours") == (10 * 24 + 110 * 2) * 365           # pods, and 1 node x 110 pods
    assert _year1(fc, "container_hours") == 3 * 2 * 365                   # Code Monitoring, 2 h a day
    assert _year1(fc, "rum_sessions") == pytest.approx(750 * 12)
    assert _year1(fc, "replay_sessions") == pytest.approx(250 * 12)
    assert _year1(fc, "property_sessions") == pytest.approx(2 * 1000 * 12)   # 22 - 20 included
    assert _year1(fc, "http_requests") == 2 * 24 * 3 * 365
    assert _year1(fc, "trace_ingest_gib") == 365                          # 2^20 spans x 1,024 bytes = 1 GiB
    assert _year1(fc, "msu_hours") == 40 * 24 * 365
    assert _year1(fc, "workflow_hours") == 3 * 24 * 365
    assert "host_unit_hours" not in fc.yearly()


def test_the_commitment_is_a_money_pool_per_contract_year():
    s = load_scenario("""
name: one host
contract: {model: dps, start: 2027-01-01, term_years: 2, commitment: {annual: 1200}, discount: 0.1}
hosts: [{name: web, count: 1, ram_gib: 17}]
""")
    pools = forecast(s).pools()
    # 17 GiB x 24 h x 58 / 5,840 per GiB-hour = 4.0520... a day at list; x 0.9 = 3.6468... a day
    per_day = 17 * 24 * 58 / 5840 * 0.9
    row = pools.iloc[0]
    assert row["unit"] == "commitment" and row["amount"] == 1200
    assert row["consumption"] == pytest.approx(per_day * 365)
    assert row["on_demand"] == pytest.approx(per_day * 365 - 1200)
    assert row["lapsed"] == 0
    assert row["cost"] == pytest.approx(per_day * 365)
    # used up on day ceil(1200 / per_day) = 330: 2027-11-26
    assert row["run_out"] == pd.Timestamp("2027-01-01") + pd.Timedelta(days=int(np.ceil(1200 / per_day)) - 1)
    assert pools.iloc[1]["consumption"] == pytest.approx(per_day * 366)   # 2028 is a leap year


def test_a_large_commitment_lapses():
    s = load_scenario("""
name: one host
contract: {model: dps, start: 2027-03-15, term_years: 1, commitment: {annual: 5000}}
horizon: {start: 2027-03-15, months: 12}
hosts: [{name: web, count: 1, ram_gib: 2}]
""")
    row = forecast(s).pools().iloc[0]
    used = 4 * 24 * 58 / 5840 * 366   # 2 GiB is billed as 4 GiB; 2027-03-15 to 2028-03-14 has 366 days
    assert row["consumption"] == pytest.approx(used)
    assert row["lapsed"] == pytest.approx(5000 - used)
    assert row["cost"] == 5000 and pd.isna(row["run_out"])


@pytest.mark.parametrize("contract, message", [
    ("{model: dps, start: 2027-01-01, commitment: 400000}", r"contract.commitment: must be \{annual: AMOUNT\}"),
    ("{model: dps, start: 2027-01-01, commitment: {annual: 1}, discount: 12}",
     r"contract.discount: a discount is a fraction >= 0 and < 1 \(write 0.12 for 12 %\)"),
    ("{start: 2027-01-01, discount: 0.1}", "only a DPS contract has 'discount'; add model: dps"),
    ("{model: saas, start: 2027-01-01}", r"contract.model: must be one of 'classic', 'dps'; got 'saas'"),
])
def test_bad_dps_contracts_name_the_key(contract, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(f"name: x\ncontract: {contract}\nhosts: [{{name: a, count: 1, ram_gib: 8}}]\n")


def test_conversions_override_per_scenario_and_are_checked():
    s = load_scenario(DPS + "conversions: {dps_bytes_per_span: 512}\n")
    assert _year1(forecast(s), "trace_ingest_gib") == 365 / 2
    with pytest.raises(ScenarioError, match=r"conversions: dps_min_gib: not a configurable rule"):
        load_scenario(DPS + "conversions: {dps_min_gib: 2}\n")


def test_currencies_must_match_or_have_an_exchange_rate():
    with pytest.raises(ScenarioError, match=r"rate card's prices are in USD and the scenario's currency is EUR"):
        side_by_side("estate")


def test_side_by_side_years_add_up_and_name_the_drivers():
    frames = side_by_side("estate", discount=0.1, exchange_rate=0.9, commitment=1_000_000)
    years = frames["years"]
    assert years["year"].tolist() == [1, 2, 3]
    # classic: every priced pool's amount x price (no overage in year 1)
    assert years.loc[0, "classic_cost"] == pytest.approx(7e6 * 0.01 + 15e6 * 0.012 + 40e6 * 0.001 + 3e6 * 0.008
                                                         + 1e5 * 0.02)
    assert (years["dps_cost"] == np.maximum(years["dps_commitment"], years["dps_list_usage"] * 0.9)).all()
    assert (years["difference"] == years["dps_cost"] - years["classic_cost"]).all()
    sections = frames["sections"]
    for year, rows in sections.groupby("year"):
        assert rows["classic"].sum() == pytest.approx(years.loc[year - 1, "classic_cost"])
        assert rows["dps"].sum() == pytest.approx(years.loc[year - 1, "dps_cost"])
    drivers = frames["drivers"][frames["drivers"]["year"] == 1]
    assert drivers["difference"].abs().is_monotonic_decreasing
    web = drivers.set_index("driver").loc["web"]
    assert web["note"] == "16 GiB fullstack hosts: 1 HU each on classic, 16 GiB-hours per hour on DPS"
    prices = frames["prices"].set_index("unit")
    assert prices.loc["http_requests", "unit_price"] == pytest.approx(0.001 * 0.9)


def test_a_dps_scenario_extending_the_classic_one_brings_its_terms():
    frames = side_by_side("estate_dps")
    years = frames["years"]
    assert (years["dps_commitment"] == 900_000).all()
    assert (years["discount"] == 0.12).all()


def test_default_commitment_is_year_one_usage_after_the_optimal_tier():
    tiers = [{"from": 0, "rate": 0}, {"from": 500_000, "rate": 0.1}]
    frames = side_by_side("estate", discount=tiers, exchange_rate=1.0)
    y1 = frames["years"].iloc[0]
    assert y1["dps_list_usage"] > 500_000 / 0.9      # so the 10 % tier is reached and cost-optimal
    assert y1["dps_commitment"] == pytest.approx(round(y1["dps_list_usage"] * 0.9, 2))
    assert y1["discount"] == 0.1


def test_usage_draws_and_sizing_without_growth_ranges_are_the_forecast():
    s = load_scenario(DPS)
    draws = usage_draws(s, draws=5)
    pools = forecast(s).pools()
    assert draws.shape == (5, 2)
    assert np.allclose(draws[1], pools.loc[0, "list_usage"])
    table = commitment_sizing(s, draws=5, discount=[{"from": 0, "rate": 0}, {"from": 1000, "rate": 0.2}])
    year1 = table[table["year"] == 1].set_index("commitment")
    u = pools.loc[0, "list_usage"]
    assert year1.loc[0, "expected_cost"] == pytest.approx(u)
    assert year1.loc[1000, "expected_cost"] == pytest.approx(max(1000, u * 0.8))


def test_as_dps_keeps_the_estate():
    s = as_dps("estate", commitment=5, discount=0.2, exchange_rate=0.9)
    assert s.contract.dps and s.contract.commitment == 5 and s.contract.discount == dps.tiers(0.2)
    assert set(s.drivers) == set(load_scenario("estate").drivers)


# --- the command line -------------------------------------------------------------------

def _run(capsys, *argv):
    from planner.cli import main
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_licensing_in_every_format(capsys, tmp_path):
    code, out, _ = _run(capsys, "licensing", "estate", "--discount", "0.1", "--exchange-rate", "0.9",
                        "--commitment", "1000000", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"years", "sections", "drivers", "classic", "prices"}
    assert data["years"][0]["classic_cost"] == 316_000.0
    code, out, _ = _run(capsys, "licensing", "estate", "--exchange-rate", "0.9", "--table", "years",
                        "--format", "csv")
    assert code == 0 and out.startswith("year,start,end,classic_cost,dps_list_usage")
    code, out, _ = _run(capsys, "licensing", "estate_dps", "--format", "markdown")
    assert code == 0 and "| year |" in out
    code, out, _ = _run(capsys, "licensing", "estate_dps")
    assert code == 0 and "drivers that move the difference most" in out
    target = tmp_path / "side.xlsx"
    code, _, _ = _run(capsys, "licensing", "estate_dps", "-o", str(target))
    assert code == 0 and target.stat().st_size > 0


@pytest.mark.parametrize("argv, message", [
    (["--discount", "12"], r"--discount must be a fraction >= 0 and < 1 \(write 0.12 for 12 %\)"),
    (["--exchange-rate", "0"], "--exchange-rate must be a number > 0"),
    ([], "give the exchange rate"),
])
def test_cli_licensing_refuses_bad_options(capsys, argv, message):
    import re
    code, _, err = _run(capsys, "licensing", "estate", *argv)
    assert code == 2 and re.search(message, err), err


def test_cli_pools_and_size_on_a_dps_scenario(capsys):
    code, out, _ = _run(capsys, "pools", "estate_dps", "--format", "json")
    rows = json.loads(out)["pools"]
    assert code == 0 and {r["unit"] for r in rows} == {"commitment"} and rows[0]["amount"] == 900_000
    code, out, _ = _run(capsys, "size", "estate_dps", "--draws", "20", "--format", "json")
    rows = json.loads(out)["sizing"]
    assert code == 0 and sorted({r["commitment"] for r in rows}) == [0, 500_000, 850_000, 900_000]
    assert sum(r["optimal"] for r in rows if r["year"] == 1) == 1


# --- the dashboard and the notebook -----------------------------------------------------

def test_page_and_cli_show_the_same_numbers(capsys):
    from planner.ui.pages import licensing as page
    view = page.compute(page.Inputs("estate", discount=0.1, exchange_rate=0.9))
    code, out, _ = _run(capsys, "licensing", "estate", "--discount", "0.1", "--exchange-rate", "0.9",
                        "--format", "json")
    cli = pd.DataFrame(json.loads(out)["years"])
    assert code == 0
    assert np.allclose(cli["dps_cost"], view.years["dps_cost"].round(2))
    assert np.allclose(cli["classic_cost"], view.years["classic_cost"].round(2))
    assert page.headline(view)[0].startswith("Year 1: classic EUR 316,000, DPS EUR ")


def test_page_controls_move_both_costs():
    from planner.ui.pages import licensing as page
    board = page.dashboard(discount=0.1, exchange_rate=0.9)
    state = board.page_state
    before = state.summary.value
    state.driver.value = "web"
    state.scale.value = 2.0       # twice the web hosts: both models cost more
    after = state.summary.value
    assert before != after
    base = page.compute(page.Inputs("estate", discount=0.1, exchange_rate=0.9))
    more = page.compute(page.Inputs("estate", discount=0.1, exchange_rate=0.9, driver="web", scale=2.0))
    assert (more.years["classic_cost"] >= base.years["classic_cost"]).all()
    assert (more.years["dps_cost"] > base.years["dps_cost"]).all()
    state.commitment.value = 2_000_000
    assert "DPS EUR 2,000,000" in state.summary.value     # the commitment is the floor of the year's cost
    with pytest.raises(ValueError, match="example must be one of 'estate', 'estate_dps'"):
        page.dashboard("grail_retention")


def test_overview_shows_the_commitment_like_a_pool():
    from planner.ui.pages import overview
    fc = forecast(load_scenario("estate_dps"))
    view = overview.compute(fc)
    assert view.unit == "commitment"
    year1 = next(u for u in overview.year_figures(fc, 1) if u.unit == "commitment")
    pools = fc.pools().set_index("year")
    assert year1.amount == 900_000 and year1.run_out == pools.loc[1, "run_out"]
    assert year1.remaining == pytest.approx(pools.loc[1, "remaining"])
    balance = fc.pool_balance("commitment")    # the burn-down: cumulative discounted usage per day
    assert balance["cumulative"].iloc[364] == pytest.approx(pools.loc[1, "consumption"])
    assert balance["balance"].iloc[364] == pytest.approx(pools.loc[1, "remaining"])


def test_readme_shows_what_planner_licensing_prints(capsys):
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme.split("$ planner licensing estate --discount 0.1 --exchange-rate 0.9 --table years\n", 1)[1]
    block = block.split("```", 1)[0]
    code, out, _ = _run(capsys, "licensing", "estate", "--discount", "0.1", "--exchange-rate", "0.9",
                        "--table", "years")
    assert code == 0
    shown = out.split("\n", 2)[2].strip()      # without the title and its underline
    assert shown == block.strip()


def test_an_inventory_is_priced_under_dps_host_by_host_and_backtested():
    from planner.imports.backtest import backtest, read_actuals
    from planner.scenario import example_path
    inventory = example_path("estate").parent / "inventory.csv"
    s = load_scenario(f"""
name: inventory
contract: {{model: dps, start: 2027-01-01, commitment: {{annual: 1000}}}}
hosts: [{{name: fleet, inventory: {inventory}}}]
""")
    yearly = forecast(s).yearly().loc[1]
    # full-stack GiB a day: 16 + 16 + 32 + 32 + 128 + 4 (1.5 GiB, the minimum) per hour x 24, and 8 x 10 h
    assert yearly["fullstack_gib_hours"] == (228 * 24 + 80) * 365
    assert yearly["appsec_gib_hours"] == (32 + 32 * 2) * 24 * 365          # RVA on api-01, RVA + RAP on api-02
    assert yearly["infrastructure_host_hours"] == (24 * 4 + 6) * 365
    # data points above the inclusion: full-stack 0 included, infrastructure 100 a minute
    assert yearly["metric_datapoints"] == ((1200 + 900 + 2500 + 1800 + 400) * 1440 + 100 * 600
                                           + (200 + 50 + 50 + 150) * 1440) * 365
    actuals = read_actuals(pd.DataFrame({"month": ["2026-12"], "unit": ["fullstack_gib_hours"],
                                         "capability": ["fullstack_gib_hours"], "driver": ["billed"],
                                         "value": [172_112.0]}))
    past = backtest(s, actuals)
    assert past.loc[0, "modelled"] == (228 * 24 + 80) * 31 and past.loc[0, "error_pct"] == 0


def test_compare_and_sizing_on_dps_forecasts():
    from planner.engine import compare
    s = load_scenario("estate_dps")
    base, more = forecast(s), forecast(s.with_values("web", count=240))
    pools = compare(base, more)["pools"].set_index("year")
    year1 = more.pools().set_index("year").loc[1]
    assert pools.loc[1, "unit"] == "commitment"
    assert pools.loc[1, "cost"] == pytest.approx(year1["consumption"])
    assert pools.loc[1, "cost_delta"] > 0
    with pytest.raises(ValueError, match="use planner.engine.commitment_sizing"):
        forecast(s, draws=5).sizing()


def test_a_horizon_before_a_29_february_start():
    s = load_scenario("""
name: early
contract: {model: dps, start: 2028-02-29, term_years: 2, commitment: {annual: 1000}}
horizon: {start: 2027-11-15, months: 30}
hosts: [{name: web, count: 1, ram_gib: 17}]
""")
    pools = forecast(s).pools()
    # contract years 2028-02-29 to 2029-02-27 and 2029-02-28 to 2030-02-27: 365 days each
    assert pools["days_covered"].tolist() == [365, 365]
    year = 17 * 24 * 365 * 58 / 5840          # 1,479 a year at list price
    assert pools["consumption"].tolist() == pytest.approx([year, year])
    assert pools["on_demand"].tolist() == pytest.approx([year - 1000] * 2)
    assert np.allclose(usage_draws(s, 2).to_numpy(), year)   # days before the term are not the term's
    with pytest.raises(ScenarioError, match="the side-by-side prices the classic contract too"):
        side_by_side(s)
