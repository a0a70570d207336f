"""DPS metering, rate card and commitment: worked values from issue 18 and the
Dynatrace documentation (docs/rules.md#dynatrace-platform-subscription-dps)."""

import numpy as np
import pandas as pd
import pytest

from planner import dps, hosts
from planner.tableset import TableError, default_tables, export_tables, load_tables, with_rules


# --- metering ---------------------------------------------------------------------------

def test_billed_memory_rounds_up_to_a_quarter_gib_with_a_4_gib_minimum():
    assert dps.billed_gib([8.3, 2, 17, 8.0, 4.01, 0]).tolist() == [8.5, 4.0, 17.0, 8.0, 4.25, 4.0]


def test_issue_worked_values():
    assert float(dps.gib_hours(8.3, 1)) == 8.5
    assert float(dps.gib_hours(2, 1)) == 4.0
    month = float(dps.gib_hours(17, 24)) * 30
    assert month == 12_240
    assert float(hosts.host_units(17, "fullstack")) * 24 * 30 == 1_440   # classic: 2 HU
    start, end = pd.Timestamp("2027-01-04 09:05"), pd.Timestamp("2027-01-04 09:20")
    assert float(dps.interval_hours(start, end)) == 0.5
    assert float(dps.interval_hours(start, end) * dps.billed_gib(8.3)) == 4.25
    q = dps.host_quantities(16, "infrastructure", 10, 0, "none")
    assert float(q["infrastructure_host_hours"]) == 10
    assert float(q["fullstack_gib_hours"]) == 0


def test_documentation_rap_example_per_interval():
    # "Calculate your consumption of Runtime Application Protection (RAP) (DPS)": 2 GiB in one
    # interval = 1.0 GiB-h; 8.3 GiB in three intervals = 6.375 GiB-h
    assert float(dps.gib_hours(2, 0.25)) == 1.0
    assert float(dps.gib_hours(8.3, 0.75)) == 6.375


def test_intervals_count_every_touched_quarter_hour():
    t = pd.Timestamp
    assert dps.interval_hours([t("2028-02-29 09:00"), t("2028-02-29 23:50")],
                              [t("2028-02-29 09:15"), t("2028-03-01 00:10")]).tolist() == [0.25, 0.5]
    assert float(dps.interval_hours(t("2027-01-01 09:00"), t("2027-01-01 09:00"))) == 0.0
    with pytest.raises(ValueError, match="end must not be before start"):
        dps.interval_hours(t("2027-01-01 10:00"), t("2027-01-01 09:00"))
    assert dps.billed_hours([10, 0.1, 23.9, 24]).tolist() == [10.0, 0.25, 24.0, 24.0]


def test_host_quantities_per_mode_appsec_and_metrics():
    q = dps.host_quantities([16, 16, 16, 2], ["fullstack", "infrastructure", "foundation", "fullstack"],
                            24, [1200, 150, 0, 0], ["protection", "vulnerability_analytics", "none", "none"])
    assert q["fullstack_gib_hours"].tolist() == [384.0, 0, 0, 96.0]
    assert q["infrastructure_host_hours"].tolist() == [0, 24.0, 0, 0]
    assert q["foundation_host_hours"].tolist() == [0, 0, 24.0, 0]
    assert q["appsec_gib_hours"].tolist() == [768.0, 384.0, 0, 0]
    # infrastructure: 100 a minute included; full-stack: 0 by default (not confirmed)
    assert q["metric_datapoints"].tolist() == [1200 * 1440, 50 * 1440, 0, 0]


# --- the rate card ----------------------------------------------------------------------

def test_rate_card_has_every_unit_key_with_provenance():
    card = dps.rate_card()
    assert tuple(card.index) == dps.UNIT_KEYS
    assert set(card["price_status"]) <= {"confirmed", "unconfirmed", "unknown"}
    assert (card["read"] == "2026-12-06").all()
    assert card["doc_url"].str.startswith("https://docs.dynatrace.com/").all()
    assert card.loc["http_requests", "unit_price"] == 0.001
    assert card.loc["http_requests", "price_status"] == "confirmed"
    assert card.loc["fullstack_gib_hours", "unit_price"] == pytest.approx(58 / 5840)
    assert (card.loc[card["price_status"] == "unknown", "price"] == 0).all()


def test_loader_refuses_a_rate_card_row_without_its_page(tmp_path):
    folder = export_tables(tmp_path / "set")
    path = folder / "dps_rate_card.csv"
    path.write_text(path.read_text().replace(",https://docs.dynatrace.com/docs/license/capabilities/host-monitoring/"
                                             "full-stack-monitoring,", ",,", 1))
    with pytest.raises(TableError, match=r"data row 1 \(fullstack_gib_hours\): empty doc_url"):
        load_tables(folder)


def test_loader_refuses_an_unknown_price_status(tmp_path):
    folder = export_tables(tmp_path / "set")
    path = folder / "dps_rate_card.csv"
    path.write_text(path.read_text().replace(",58,5840,unconfirmed,", ",58,5840,guess,", 1))
    with pytest.raises(TableError, match="price_status must be one of confirmed, unconfirmed, unknown; got 'guess'"):
        load_tables(folder)


def test_a_copied_rate_card_changes_the_price(tmp_path):
    folder = export_tables(tmp_path / "set")
    path = folder / "dps_rate_card.csv"
    path.write_text(path.read_text().replace(",58,5840,unconfirmed,", ",0.008,1,confirmed,", 1))
    assert dps.unit_prices(load_tables(folder))["fullstack_gib_hours"] == 0.008


def test_conversions_are_overridable_and_checked():
    t = with_rules(default_tables(), {"dps_bytes_per_span": 800})
    assert t.rule("dps_bytes_per_span") == 800
    assert default_tables().rule("dps_bytes_per_span") == 1024
    with pytest.raises(TableError, match="conversions.dps_min_gib: not a configurable rule"):
        with_rules(default_tables(), {"dps_min_gib": 2})
    with pytest.raises(TableError, match=r"conversions.dps_pods_per_node: must be a number >= 0"):
        with_rules(default_tables(), {"dps_pods_per_node": -1})
    with pytest.raises(TableError, match="must be like the default False"):
        with_rules(default_tables(), {"dps_log_included_queries": "yes"})


# --- the commitment ---------------------------------------------------------------------

TIERS = [{"from": 0, "rate": 0}, {"from": 500_000, "rate": 0.10}, {"from": 850_000, "rate": 0.20},
         {"from": 1_200_000, "rate": 0.25}]


def test_issue_commitment_example_costs_at_each_threshold_and_optimum():
    costs = [float(dps.year_cost(1_000_000, c, TIERS)["cost"]) for c in (0, 500_000, 850_000, 1_200_000)]
    assert costs == [1_000_000, 900_000, 850_000, 1_200_000]
    table, best = dps.commitment_sizing([1_000_000], TIERS)
    assert table["expected_cost"].tolist() == [1_000_000, 900_000, 850_000, 1_200_000]
    assert best["optimal"] == 850_000
    assert table["expected_lapsed"].tolist() == [0, 0, 50_000, 450_000]
    assert table["expected_on_demand"].tolist() == [1_000_000, 400_000, 0, 0]
    assert table["p_used_up"].tolist() == [1.0, 1.0, 0.0, 0.0]


def test_sizing_over_draws_by_hand():
    # draws 800k, 1,000k, 1,200k, 1,400k: committing 850k at 20 % off
    # discounted usage 640k, 800k, 960k, 1,120k: cost 850, 850, 960, 1,120 -> mean 945k
    table, best = dps.commitment_sizing([800_000, 1_000_000, 1_200_000, 1_400_000], TIERS, risk=0.25)
    row = table.set_index("commitment").loc[850_000]
    assert row["expected_cost"] == 945_000
    assert row["p_used_up"] == 0.5
    assert row["expected_on_demand"] == (110_000 + 270_000) / 4
    assert row["expected_lapsed"] == (210_000 + 50_000) / 4
    # 1.2M at 25 %: usage 600, 750, 900, 1,050 -> cost 1.2M each; 500k at 10 %: 720..1,260 -> mean 990k
    assert table.set_index("commitment").loc[500_000, "expected_cost"] == 990_000
    assert best["optimal"] == 850_000
    # at risk 25 %: tier 0 quantile 1.2M >= 500k no; tier 10 %: q(0.75) of 720,900,1080,1260 = 1,080k
    # >= 850k no; tier 20 %: q = 960k < 1.2M -> 960,000
    assert best["at_risk"] == 960_000


def test_flat_discount_at_risk_is_the_quantile():
    _, best = dps.commitment_sizing(np.arange(1, 11) * 100_000.0, 0.1, risk=0.2)
    assert best["at_risk"] == 720_000   # 0.8 quantile (inverted cdf) of 90k..900k is 720k
    assert best["optimal"] == 0


@pytest.mark.parametrize("discount, message", [
    (12, r"a discount is a fraction >= 0 and < 1 \(write 0.12 for 12 %\); got 12"),
    ([{"from": 100, "rate": 0.1}], "the first tier must start from 0"),
    ([{"from": 0, "rate": 0}, {"from": 0, "rate": 0.1}], r"\[1\].from: tiers must rise"),
    ([{"from": 0, "pct": 0}], r"\[0\]: a tier is \{from: AMOUNT, rate: FRACTION\}"),
])
def test_bad_discounts_are_refused_with_a_hint(discount, message):
    with pytest.raises(ValueError, match=message):
        dps.tiers(discount)


def test_intervals_are_clock_quarters_in_utc():
    # Kathmandu is UTC+05:45: 09:05 to 09:20 there is 03:20 to 03:35 UTC, two UTC quarters
    kathmandu = pd.DatetimeIndex(["2027-01-04 09:05", "2027-01-04 09:14"]).tz_localize("Asia/Kathmandu")
    ends = pd.DatetimeIndex(["2027-01-04 09:20", "2027-01-04 09:16"]).tz_localize("Asia/Kathmandu")
    # 09:14 to 09:16 NPT is 03:29 to 03:31 UTC: it touches 03:15-03:30 and 03:30-03:45
    assert dps.interval_hours(kathmandu, ends).tolist() == [0.5, 0.5]


def test_a_classic_table_set_without_dps_still_loads_and_dps_asks_for_it(tmp_path):
    from planner.engine import forecast
    from planner.engine.licensing import side_by_side
    from planner.scenario import ScenarioError, load_scenario
    folder = export_tables(tmp_path / "old")
    (folder / "dps_rate_card.csv").unlink()
    rules = (folder / "rules.yaml").read_text()
    (folder / "rules.yaml").write_text(rules.split("  # --- Dynatrace Platform Subscription")[0])
    old = load_tables(folder)
    assert "dps_rate_card" not in old.frames and "dps_min_gib" not in old.rules
    scenario = load_scenario(f"""
name: old card
tables: {folder}
contract: {{start: 2027-01-01, pools: {{host_unit_hours: {{annual: 100, price: 1}}}}}}
hosts: [{{name: web, count: 1, ram_gib: 16}}]
""")
    assert forecast(scenario).pools().loc[0, "unit"] == "host_unit_hours"     # classic works as before
    with pytest.raises(TableError, match="no DPS rate card .*copy both from the default set"):
        side_by_side(scenario)
    with pytest.raises(ScenarioError, match=r"contract.model: table set .*: no DPS rate card"):
        load_scenario(f"name: x\ntables: {folder}\ncontract: {{model: dps, start: 2027-01-01, "
                      "commitment: {annual: 1}}\nhosts: [{name: w, count: 1, ram_gib: 8}]\n")
    # a set with the DPS card must have the DPS rules
    (folder / "dps_rate_card.csv").write_text((export_tables(tmp_path / "new") / "dps_rate_card.csv").read_text())
    with pytest.raises(TableError, match=r"missing rule\(s\) \['dps_ram_step_gib'"):
        load_tables(folder)
