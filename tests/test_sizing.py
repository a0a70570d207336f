"""Renewal sizing (planner.engine.sizing, Forecast.sizing, planner size), worked by hand.

The scenarios here have one driver on a one-year contract from 2027-01-01, so
each figure can be written down: a cloud automation driver consumes 1 CAU per
service execution (Platform Usage Supplement, effective 2022-11-15, "Cloud
Automation"), and a full-stack host of 16 GiB is 1 host unit.
"""

import json
import tracemalloc

import numpy as np
import pandas as pd
import pytest

from planner.engine import simulation as engine
from planner.engine import sizing
from planner.cli import main
from planner.engine import forecast
from planner.explain import sizing_note, sizing_sentences
from planner.scenario import load_scenario

DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]   # 2027, month by month


def _cau(growth: str = "", pool: str = "{annual: 100_000, price: 0.02, overage_price: 0.04}",
         top_ups: str = "") -> object:
    return load_scenario(
        "name: automation\ncontract:\n  start: 2027-01-01\n  term_years: 1\n"
        f"  pools:\n    cau: {pool}\n{top_ups}"
        f"cloud_automation:\n  - {{name: pipeline, executions_per_day: 200{growth}}}\n")


def _year_cau(rate: float) -> float:
    """A year of 200 executions a day growing by ``rate`` a month, compounded once
    a calendar month: sum over months k of days_k x 200 x (1 + rate)^k [CAU]."""
    return sum(d * 200 * (1 + rate) ** k for k, d in enumerate(DAYS))


# --- no growth range: every draw is the forecast ------------------------------------------

def test_without_growth_range_the_amounts_are_the_forecasts_consumption():
    fc = forecast(_cau(), draws=50)
    row = fc.sizing().iloc[0]
    # 200 a day x 365 days = 73,000 CAU, in every draw
    assert fc.pools().loc[0, "consumption"] == pytest.approx(73_000)
    for column in ("p10", "p50", "p90", "optimal_amount", "risk_amount"):
        assert row[column] == pytest.approx(73_000, rel=1e-12), column
    assert row["p_run_out"] == 0 and pd.isna(row["run_out_p50"]) and row["expected_extra"] == 0
    assert row["cost_at_amount"] == pytest.approx(2_000)    # 100,000 x 0.02, no overage
    assert row["cost_at_optimal"] == pytest.approx(1_460)   # 73,000 x 0.02
    assert row["reasons"] == ("no_growth_range",) and row["top_ups"] == 0


def test_sizing_matches_the_pool_forecast_where_the_pool_runs_out():
    # 100,000 CAU at 400 a day: cumulative 100,000 on day 250, 100,400 on day 251 = 2027-09-08
    scenario = load_scenario(
        "name: busy\ncontract:\n  start: 2027-01-01\n  term_years: 1\n"
        "  pools:\n    cau: {annual: 100_000, price: 0.02, overage_price: 0.04}\n"
        "cloud_automation:\n  - {name: pipeline, executions_per_day: 400}\n")
    fc = forecast(scenario, draws=10)
    row, pool = fc.sizing().iloc[0], fc.pools().iloc[0]
    assert pool["run_out"] == pd.Timestamp("2027-09-08")
    assert row["p_run_out"] == 1
    assert [row[f"run_out_p{q}"] for q in (10, 50, 90)] == [pd.Timestamp("2027-09-08")] * 3
    # 146,000 used - 100,000 = 46,000 extra, at 0.04 overage: 1,840; cost 2,000 + 1,840
    assert row["expected_extra"] == pytest.approx(46_000) == pool["extra_needed"]
    assert row["expected_overage_cost"] == pytest.approx(1_840)
    assert row["cost_at_amount"] == pytest.approx(3_840)
    assert row["cost_at_optimal"] == pytest.approx(146_000 * 0.02)


def test_a_late_top_up_does_not_stop_an_early_run_out():
    # 3,000 a year at 10 a day runs out on day 301 (2027-10-28, cumulative 3,010); a top-up
    # of 700 on 31 December comes too late. The year uses 3,650 < 3,000 + 700 = 3,700, but
    # to never run out it needs 3,640 annual (used up to 30 December) + 700 = 4,340.
    scenario = load_scenario(
        "name: late\ncontract:\n  start: 2027-01-01\n  term_years: 1\n"
        "  pools:\n    cau: {annual: 3_000, price: 1, overage_price: 2}\n"
        "  top_ups:\n    - {pool: cau, date: 2027-12-31, amount: 700}\n"
        "cloud_automation:\n  - {name: pipeline, executions_per_day: 10}\n")
    fc = forecast(scenario, draws=5)
    row, pool = fc.sizing().iloc[0], fc.pools().iloc[0]
    assert row["amount"] == pool["amount"] == 3_700
    assert row["p_run_out"] == 1 and row["run_out_p50"] == pool["run_out"] == pd.Timestamp("2027-10-28")
    assert row["expected_extra"] == 0 == pool["extra_needed"]
    assert row["risk_amount"] == pytest.approx(4_340)
    assert row["optimal_amount"] == pytest.approx(3_650)
    assert row["top_ups"] == 700 and row["reasons"] == ("no_growth_range", "includes_top_ups")
    assert sizing_note(row, scenario.contract) == (
        "no growth range: every draw is the same, so the amounts are the forecast's consumption; "
        "amounts include the year's top-ups (700)")
    year = fc.pool_draws[0]
    assert year.at([4_340, 4_339.5])["p_run_out"].tolist() == [0.0, 1.0]


# --- one growth range: quantiles in closed form ------------------------------------------

A, B = 0.0, 0.04


@pytest.fixture(scope="module")
def ranged():
    return forecast(_cau(growth=", growth: {monthly: [0.0, 0.04]}",
                         pool="{annual: 100_000, price: 0.02, overage_price: 0.04}"), draws=2000, seed=3)


def test_consumption_quantiles_match_the_closed_form(ranged):
    # The year's consumption rises with the rate r ~ U[A, B], so its quantile q is the
    # consumption at r = A + q (B - A). The empirical q-quantile of 2,000 uniform draws has a
    # standard error sqrt(q (1 - q) / 2000) <= 0.0112 of the range: +-0.05 is over 4 errors.
    row = ranged.sizing().iloc[0]
    for q, column in ((0.1, "p10"), (0.5, "p50"), (0.9, "p90")):
        low, high = _year_cau(A + (q - 0.05) * (B - A)), _year_cau(A + (q + 0.05) * (B - A))
        assert low < row[column] < high, (column, low, row[column], high)
    # e.g. the median: r = 0.02, 200 x sum(days_k x 1.02^k) = 200 x 408.159 = 81,631.8 CAU
    assert _year_cau(0.02) == pytest.approx(81_631.8, abs=0.1)
    assert row["p50"] == pytest.approx(81_631.8, rel=0.01)


def test_overage_at_twice_the_price_commits_to_the_median(ranged):
    # newsvendor: the (1 - p/o) = (1 - 0.02/0.04) = 0.5 quantile
    row = ranged.sizing().iloc[0]
    assert row["optimal_amount"] == row["p50"]
    low, high = _year_cau(A + 0.45 * (B - A)), _year_cau(A + 0.55 * (B - A))
    assert low < row["optimal_amount"] < high
    # and no committed amount costs less over the draws
    grid = np.linspace(row["p10"] * 0.9, row["p90"] * 1.1, 401)
    curve = sizing.cost_curve(ranged.pool_draws[0], grid)
    assert row["cost_at_optimal"] <= curve["expected_cost"].min() + 1e-9
    assert row["cost_at_optimal"] <= min(row["cost_at_amount"], row["cost_at_risk"])


def test_risk_amount_is_the_one_minus_risk_quantile(ranged):
    table = ranged.sizing(risk=0.1)
    row = table.iloc[0]
    assert row["risk_amount"] == row["p90"]   # no top-ups: what the year needs is what it uses
    year = ranged.pool_draws[0]
    assert year.at([row["risk_amount"]])["p_run_out"][0] <= 0.1
    # the draws with at most p90 are at least 90 %, and one unit less runs out more often
    assert year.at([row["risk_amount"] - 1e-6])["p_run_out"][0] > 0.1 - 1 / 2000


def test_a_licence_sizes_the_years_peak():
    # 100 full-stack hosts of 16 GiB (1 HU each) growing r a month: the year's peak is the
    # last month's, 100 x (1 + r)^11 HU; its quantile q is at r = q x 0.02.
    scenario = load_scenario(
        "name: hosts\ncontract:\n  start: 2027-01-01\n  term_years: 1\n"
        "  licences:\n    host_units: {quantity: 110, price: 80, overage_price: 120}\n"
        "hosts:\n  - {name: web, count: 100, ram_gib: 16, growth: {monthly: [0.0, 0.02]}}\n")
    row = forecast(scenario, draws=2000, seed=1).sizing().iloc[0]
    for q, column in ((0.1, "p10"), (0.5, "p50"), (0.9, "p90")):
        low, high = (100 * (1 + (q + d) * 0.02) ** 11 for d in (-0.05, 0.05))
        assert low < row[column] < high, column
    # 110 HU runs out when 100 (1 + r)^11 > 110, r > 1.1^(1/11) - 1 = 0.008702: P = 1 - 0.4351
    assert row["p_run_out"] == pytest.approx(1 - (1.1 ** (1 / 11) - 1) / 0.02, abs=0.05)
    # optimal: the (1 - 80/120) = 1/3 quantile of the peak
    low, high = (100 * (1 + (1 / 3 + d) * 0.02) ** 11 for d in (-0.05, 0.05))
    assert low < row["optimal_amount"] < high


# --- prices that give no recommendation, risk bounds, seeds -------------------------------

@pytest.mark.parametrize("pool, reasons, sentence", [
    ("{annual: 100_000, price: 0.02, overage_price: 0.02}", ("overage_not_above_price",),
     "overage_price 0.02 <= price 0.02: committing ahead saves nothing, so there is no optimal amount"),
    ("{annual: 100_000, price: 0.02, overage_price: 0.01}", ("overage_not_above_price",),
     "overage_price 0.01 <= price 0.02: committing ahead saves nothing, so there is no optimal amount"),
    ("{annual: 100_000, price: 0.02}", ("no_overage_price",),
     "no overage_price in the contract: only the risk amount is given"),
    ("{annual: 100_000}", ("no_price", "no_overage_price"),
     "no price and no overage_price in the contract: only the risk amount is given"),
])
def test_no_optimal_amount_without_a_saving(pool, reasons, sentence):
    fc = forecast(_cau(growth=", growth: {monthly: [0.0, 0.04]}", pool=pool), draws=200)
    row = fc.sizing().iloc[0]
    assert pd.isna(row["optimal_amount"]) and pd.isna(row["cost_at_optimal"])
    assert row["risk_amount"] == row["p90"]
    assert row["reasons"] == reasons
    assert sizing_note(row, fc.scenario.contract) == sentence


def test_a_priced_row_without_top_ups_has_no_reasons():
    # overage 0.04 > price 0.02, a growth range, no top-ups: nothing left out, no sentence
    fc = forecast(_cau(growth=", growth: {monthly: [0.0, 0.04]}",
                       pool="{annual: 100_000, price: 0.02, overage_price: 0.04}"), draws=50)
    row = fc.sizing().iloc[0]
    assert row["reasons"] == () and sizing_note(row, fc.scenario.contract) == ""


def test_every_reason_has_a_sentence_in_the_engines_order():
    # all five codes: one sentence each, except no_price + no_overage_price, which share one
    assert sizing_sentences(list(sizing.REASONS), price=0.02, overage_price=0.01, top_ups=1_500) == [
        "no growth range: every draw is the same, so the amounts are the forecast's consumption",
        "no price and no overage_price in the contract: only the risk amount is given",
        "overage_price 0.01 <= price 0.02: committing ahead saves nothing, so there is no optimal amount",
        "amounts include the year's top-ups (1,500)"]


def test_risk_zero_lasts_in_every_draw_and_risk_one_is_refused(ranged):
    row = ranged.sizing(risk=0).iloc[0]
    assert row["risk_amount"] == ranged.pool_draws[0].consumption.max()
    assert ranged.pool_draws[0].at([row["risk_amount"]])["p_run_out"][0] == 0
    for bad in (1, 1.5, -0.1, "0.1", None, True):
        with pytest.raises(ValueError, match=r"risk must be a number >= 0 and < 1"):
            ranged.sizing(risk=bad)


def test_the_same_seed_gives_the_same_answer():
    scenario = _cau(growth=", growth: {monthly: [0.0, 0.04]}")
    first = forecast(scenario, draws=300, seed=5).sizing()
    pd.testing.assert_frame_equal(first, forecast(scenario, draws=300, seed=5).sizing())
    assert not first.equals(forecast(scenario, draws=300, seed=6).sizing())


def test_chunking_does_not_change_the_draws(monkeypatch):
    scenario = load_scenario(None)
    whole = forecast(scenario, draws=40, seed=2)
    monkeypatch.setattr(engine, "_CHUNK_CELLS", 7 * 1096)   # 7 draws per chunk
    chunked = forecast(scenario, draws=40, seed=2)
    pd.testing.assert_frame_equal(whole.bands, chunked.bands)
    pd.testing.assert_frame_equal(whole.sizing(), chunked.sizing())


def test_sizing_needs_draws():
    with pytest.raises(ValueError, match="sizing needs a forecast with Monte Carlo draws"):
        forecast(_cau()).sizing()


# --- memory --------------------------------------------------------------------------------

def test_huge_draw_counts_are_refused_up_front():
    with pytest.raises(ValueError, match=r"draws must be at most about [\d,]+ for this scenario: "
                                         r"100,000,000 draws would need about [\d.,]+ GiB"):
        forecast(draws=100_000_000)


def _peak(draws: int) -> int:
    """Peak memory numpy and Python allocate during a forecast [bytes] (tracemalloc)."""
    scenario = load_scenario(None)
    tracemalloc.start()
    try:
        forecast(scenario, draws=draws)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_draws_grow():
    # 5,000 draws of the example estate used to hold every component as (draws x 1,096 days)
    # arrays (5,000 x 1,096 x 8 bytes = 44 MB each, dozens at once: a 506 MiB peak); now 478
    # draws are simulated at a time and per draw only 36 months x 8 unit totals (3 kB) and
    # 3 numbers per pool-year are kept. 4,000 more draws add about what the estimate says.
    small, large = _peak(1_000), _peak(5_000)
    assert large < 150 * 2 ** 20, f"peak {large / 2 ** 20:.0f} MiB"
    scenario = load_scenario(None)
    cal = engine.Calendar.of(scenario.start, scenario.end)
    per_draw = engine._monte_carlo_bytes(scenario, cal, 10_001) - engine._monte_carlo_bytes(scenario, cal, 10_000)
    assert per_draw == 8 * 36 * 9 + 44 * 18 + 8   # months x (8 units + a copy), pool-years, one rate
    assert large - small < 1.5 * 4_000 * per_draw, f"{(large - small) / 2 ** 20:.1f} MiB for 4,000 draws"


# --- the command line --------------------------------------------------------------------

def test_cli_size_json_has_one_record_per_row(capsys):
    assert main(["size", "--draws", "200", "--format", "json"]) == 0
    (name, records), = json.loads(capsys.readouterr().out).items()
    assert name == "sizing"
    assert len(records) == 18   # 5 pools + 1 licence, 3 contract years
    assert list(records[0]) == [*sizing.COLUMNS, "note"]
    # the codes for machines (joined by ';'), the sentences beside them; the licence has no prices
    licence = next(r for r in records if r["unit"] == "host_units")
    assert licence["reasons"] == "no_price;no_overage_price"
    assert licence["note"] == "no price and no overage_price in the contract: only the risk amount is given"
    assert records[0]["reasons"] == "" and records[0]["note"] == "" and records[0]["top_ups"] == 0


def test_cli_size_table_and_gate(capsys):
    assert main(["size", "--draws", "200", "--fail-if-risk-above", "0.5"]) == 3
    out, err = capsys.readouterr()
    assert max(len(line) for line in out.splitlines()) <= 120
    assert "Example estate (baseline): renewal sizing (200 draws, seed 0, risk 0.1)" in out
    assert "cost_at_optimal" in out   # the columns beyond 120 characters come in further blocks
    assert "dem year 2: P(run out) 1 > 0.5" in err
    assert main(["size", "--draws", "200", "--fail-if-risk-above", "1"]) == 0


@pytest.mark.parametrize("argv, message", [
    (["--risk", "1"], "--risk must be a number >= 0 and < 1"),
    (["--fail-if-risk-above", "2"], "--fail-if-risk-above must be a number >= 0 and <= 1"),
    (["--draws", "0"], "--draws must be a whole number >= 1 for sizing; got 0"),
    (["--draws", "100000000"], "draws must be at most about"),
])
def test_cli_size_refuses_bad_options_in_one_line(capsys, argv, message):
    assert main(["size", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_cli_says_when_every_draw_is_the_same(tmp_path, capsys):
    path = tmp_path / "certain.yaml"
    path.write_text("name: certain\ncontract:\n  start: 2027-01-01\n  term_years: 1\n"
                    "  pools:\n    cau: {annual: 100_000}\n"
                    "cloud_automation:\n  - {name: pipeline, executions_per_day: 200}\n")
    assert main(["size", str(path), "--draws", "100"]) == 0
    captured = capsys.readouterr()
    assert "no driver of 'certain' has a growth range, so all 100 draws are the same" in captured.err
    assert "no growth range: every draw is the same" in captured.out
    assert main(["forecast", str(path), "--draws", "100"]) == 0
    assert "all 100 draws are the same" in capsys.readouterr().err
