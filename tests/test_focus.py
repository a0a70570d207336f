"""FOCUS export: charges worked out by hand, the FinOps Foundation's validator on
the exported files, and the FOCUS 1.2 columns against the specification's list."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.engine.charges import charges
from planner.cli import main
from planner.engine import forecast
from planner.focus import COLUMNS, FocusError, focus_csv, focus_table
from planner.scenario import example_path, load_scenario

ROOT = Path(__file__).resolve().parents[1]
OVERRIDES = ROOT / "tests" / "fixtures" / "focus" / "validator-overrides.yaml"

# One cloud automation source, 30 executions a day = 30 CAU a day, against a pool
# of 10,000 CAU at 0.02 (overage 0.03). Jan-Oct 2027: 304 days = 9,120 CAU; the pool
# lasts into November (880 of its 900), so November has 20 and December 930 of overage.
SMALL = """
name: small
currency: EUR
billing_account: ACME-001
contract:
  start: 2027-01-01
  term_years: 1
  pools:
    cau: {annual: 10_000, price: 0.02, overage_price: 0.03}
cloud_automation:
  - {name: pipeline, executions_per_day: 30}
"""


def _charges(text: str) -> pd.DataFrame:
    fc = forecast(load_scenario(text))
    return charges(fc.scenario, fc.daily)


def test_pool_covers_until_it_runs_out_then_overage_by_hand():
    ch = _charges(SMALL)
    used = ch[ch["kind"] == "used"].set_index("month")
    over = ch[ch["kind"] == "overage"].set_index("month")
    assert used.loc[pd.Period("2027-01"), "quantity"] == pytest.approx(930)
    assert used.loc[pd.Period("2027-01"), "effective"] == pytest.approx(18.60)
    assert used.loc[pd.Period("2027-01"), "billed"] == 0
    assert used.loc[pd.Period("2027-11"), "quantity"] == pytest.approx(880)
    assert list(over.index.astype(str)) == ["2027-11", "2027-12"]
    assert over["quantity"].tolist() == pytest.approx([20, 930])
    assert over["billed"].tolist() == pytest.approx([0.60, 27.90])
    assert used["quantity"].sum() == pytest.approx(10_000)
    purchase = ch[ch["kind"] == "purchase"].iloc[0]
    assert (purchase["quantity"], purchase["billed"], purchase["effective"]) == (10_000, pytest.approx(200), 0)
    assert (purchase["start"], purchase["end"]) == (pd.Timestamp("2027-01-01"), pd.Timestamp("2028-01-01"))
    assert (ch["kind"] == "unused").sum() == 0          # the pool ran out: nothing left


def test_unused_rest_and_mid_month_start_across_29_february():
    # contract from 15 March 2027; the horizon starts on 1 March and ends on 29 February 2028
    text = SMALL.replace("start: 2027-01-01", "start: 2027-03-15").replace(
        "executions_per_day: 30", "executions_per_day: 20") + "horizon: {start: 2027-03-01, months: 12}\n"
    ch = _charges(text)
    march = ch[ch["month"] == pd.Period("2027-03")]
    before = march[march["kind"] == "usage"].iloc[0]
    assert (before["start"], before["end"], before["year"]) == (pd.Timestamp("2027-03-01"),
                                                                pd.Timestamp("2027-03-15"), 0)
    assert before["quantity"] == pytest.approx(14 * 20)
    assert before["billed"] == pytest.approx(14 * 20 * 0.02)       # at the pool's price, no commitment
    covered = march[march["kind"] == "used"].iloc[0]
    assert (covered["start"], covered["end"]) == (pd.Timestamp("2027-03-15"), pd.Timestamp("2027-04-01"))
    assert covered["quantity"] == pytest.approx(17 * 20)
    last = ch[ch["month"] == pd.Period("2028-02")].iloc[0]
    assert last["end"] == pd.Timestamp("2028-03-01") and last["quantity"] == pytest.approx(29 * 20)
    # the year ends on 2028-03-14, after the horizon: its unused rest is not known yet
    assert (ch["kind"] == "unused").sum() == 0
    whole = _charges(SMALL.replace("executions_per_day: 30", "executions_per_day: 20"))
    unused = whole[whole["kind"] == "unused"].iloc[0]
    assert unused["quantity"] == pytest.approx(10_000 - 365 * 20)
    assert (unused["start"], unused["end"]) == (pd.Timestamp("2027-12-01"), pd.Timestamp("2028-01-01"))
    assert (unused["billed"], unused["effective"]) == (0, pytest.approx(54.0))
    year = whole[whole["kind"].isin(["used", "unused"])]["effective"].sum()
    assert year == pytest.approx(whole[whole["kind"] == "purchase"]["billed"].sum())   # 200


def test_top_up_is_a_purchase_and_extends_the_pool():
    text = SMALL.replace("    cau: {annual: 10_000, price: 0.02, overage_price: 0.03}",
                         "    cau: {annual: 10_000, price: 0.02, overage_price: 0.03}\n"
                         "  top_ups:\n    - {pool: cau, date: 2027-12-01, amount: 1000}")
    ch = _charges(text)
    top_up = ch[ch["kind"] == "top_up"].iloc[0]
    assert (top_up["quantity"], top_up["billed"], top_up["start"]) == (1000, pytest.approx(20),
                                                                      pd.Timestamp("2027-12-01"))
    over = ch[ch["kind"] == "overage"].set_index("month")["quantity"]
    assert over.to_dict() == {pd.Period("2027-11"): pytest.approx(20)}   # December is covered by the top-up
    assert ch[ch["kind"] == "unused"]["quantity"].tolist() == pytest.approx([1000 - 930])


def test_focus_columns_from_the_charges():
    fc = forecast(load_scenario(SMALL))
    table, notes = focus_table(fc.scenario, fc.daily)
    assert notes == []
    assert list(table.columns[:len(COLUMNS["1.0"])]) == list(COLUMNS["1.0"])
    nov = table[(table["ChargePeriodStart"] == "2027-11-01T00:00:00Z")]
    used = nov[nov["CommitmentDiscountStatus"] == "Used"].iloc[0]
    assert (used["ChargeCategory"], used["BilledCost"], used["EffectiveCost"]) == ("Usage", 0, pytest.approx(17.6))
    assert used["CommitmentDiscountId"] == "ACME-001/pools/cau/year-1"
    assert (used["ConsumedQuantity"], used["ConsumedUnit"], used["PricingUnit"]) == (pytest.approx(880), "CAU", "CAU")
    assert used["BillingPeriodStart"] == "2027-11-01T00:00:00Z" and used["BillingPeriodEnd"] == "2027-12-01T00:00:00Z"
    over = nov[nov["x_PlannerChargeKind"] == "overage"].iloc[0]
    assert pd.isna(over["CommitmentDiscountId"]) and over["ContractedUnitPrice"] == 0.03
    assert over["BilledCost"] == pytest.approx(0.6) and over["ChargeFrequency"] == "Usage-Based"
    purchase = table[table["ChargeCategory"] == "Purchase"].iloc[0]
    assert (purchase["BilledCost"], purchase["EffectiveCost"], purchase["ChargeFrequency"]) == (200, 0, "Recurring")
    assert pd.isna(purchase["ConsumedQuantity"]) and purchase["BillingAccountId"] == "ACME-001"
    assert (table["ProviderName"] == "Dynatrace").all() and (table["BillingCurrency"] == "EUR").all()


def test_missing_price_follows_the_null_rule_and_is_said_once():
    fc = forecast(load_scenario(SMALL.replace(", price: 0.02, overage_price: 0.03", "")))
    table, notes = focus_table(fc.scenario, fc.daily)
    assert len(notes) == 1 and "no price in the contract for Cloud automation units" in notes[0]
    assert table["ListUnitPrice"].isna().all() and table["ContractedUnitPrice"].isna().all()
    assert (table["BilledCost"] == 0).all() and table["BilledCost"].notna().all()


def test_focus_1_2_columns_are_the_specifications():
    # FOCUS Specification v1.2, section "Columns" (the column IDs, in the spec's alphabetical order)
    spec_1_2 = {
        "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingAccountType",
        "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart", "CapacityReservationId",
        "CapacityReservationStatus", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency",
        "ChargePeriodEnd", "ChargePeriodStart", "CommitmentDiscountCategory", "CommitmentDiscountId",
        "CommitmentDiscountName", "CommitmentDiscountQuantity", "CommitmentDiscountStatus",
        "CommitmentDiscountType", "CommitmentDiscountUnit", "ConsumedQuantity", "ConsumedUnit", "ContractedCost",
        "ContractedUnitPrice", "EffectiveCost", "InvoiceId", "InvoiceIssuerName", "ListCost", "ListUnitPrice",
        "PricingCategory", "PricingCurrency", "PricingCurrencyContractedUnitPrice",
        "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice", "PricingQuantity", "PricingUnit",
        "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType",
        "ServiceCategory", "ServiceName", "ServiceSubcategory", "SkuId", "SkuMeter", "SkuPriceDetails",
        "SkuPriceId", "SubAccountId", "SubAccountName", "SubAccountType", "Tags"}
    # its Mandatory columns (feature level "Mandatory" in each column's content constraints)
    mandatory = {"BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
                 "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd",
                 "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost",
                 "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "ServiceCategory",
                 "ServiceName"}
    fc = forecast(load_scenario(SMALL))
    table, _ = focus_table(fc.scenario, fc.daily, version="1.2")
    focus_columns = [c for c in table.columns if not c.startswith("x_")]
    assert set(focus_columns) <= spec_1_2
    assert mandatory <= set(focus_columns)
    assert focus_columns == sorted(focus_columns)          # FOCUS columns first, alphabetical
    assert all(c.startswith("x_") for c in table.columns[len(focus_columns):])
    used = table[table["CommitmentDiscountStatus"] == "Used"]
    assert used["CommitmentDiscountQuantity"].sum() == pytest.approx(10_000)
    assert (used["CommitmentDiscountUnit"] == "CAU").all()
    purchase = table[table["ChargeCategory"] == "Purchase"].iloc[0]
    assert purchase["CommitmentDiscountQuantity"] == 10_000
    over = table[table["x_PlannerChargeKind"] == "overage"]
    assert over["CommitmentDiscountQuantity"].isna().all() and over["CommitmentDiscountUnit"].isna().all()
    assert (table["ServiceSubcategory"] == "Observability").all()


def test_currency_is_required_and_checked():
    fc = forecast(load_scenario(SMALL.replace("currency: EUR\n", "")))
    with pytest.raises(FocusError, match="no currency.*BillingCurrency.*currency: EUR"):
        focus_table(fc.scenario, fc.daily)
    fc = forecast(load_scenario(SMALL.replace("currency: EUR", "currency: euro")))
    with pytest.raises(FocusError, match="ISO 4217.*got 'euro'"):
        focus_table(fc.scenario, fc.daily)
    with pytest.raises(FocusError, match="one of the two"):
        focus_table(fc.scenario)
    with pytest.raises(FocusError, match="must be one of 1.0, 1.2; got .1.1."):
        focus_table(fc.scenario, fc.daily, version="1.1")


def test_actuals_are_priced_like_the_forecast():
    actuals = pd.DataFrame({"month": pd.PeriodIndex(["2027-01", "2027-02"], freq="M"), "unit": "cau",
                            "capability": "cloud_automation", "driver": "pipeline", "value": [3100.0, 2800.0]})
    table, _ = focus_table(load_scenario(SMALL), actuals=actuals)
    used = table[table["CommitmentDiscountStatus"] == "Used"]
    assert used["ConsumedQuantity"].tolist() == pytest.approx([3100, 2800])
    assert used["EffectiveCost"].tolist() == pytest.approx([62, 56])
    # the year is not covered whole, so no unused rest; one purchase of the pool
    assert (table["ChargeCategory"] == "Purchase").sum() == 1 and (table["CommitmentDiscountStatus"] == "Unused").sum() == 0


def test_cli_writes_the_file_and_says_the_note_once(tmp_path, capsys):
    out = tmp_path / "focus.csv"
    assert main(["export", "focus", "estate", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("planner: note: no price in the contract for Host units in use") == 1
    written = pd.read_csv(out)
    fc = forecast("estate")
    assert len(written) == len(charges(fc.scenario, fc.daily))
    used = written[written["CommitmentDiscountStatus"] == "Used"]
    pools = fc.pools().set_index(["unit", "year"])
    assert used[used["x_PlannerUnit"] == "ddu"].groupby("x_ContractYear")["ConsumedQuantity"].sum().tolist() == \
        pytest.approx([pools.loc[("ddu", 1), "consumption"], 40_000_000, 40_000_000])
    assert main(["export", "focus", "estate", "-o", str(out)]) == 2
    assert "exists; add --force" in capsys.readouterr().err
    assert main(["export", "focus", "estate", "-o", str(tmp_path / "f.xlsx")]) == 2
    assert "-o must name a .csv file" in capsys.readouterr().err


# --- the FinOps Foundation's validator ------------------------------------------------------

def _validator() -> tuple[Path, Path]:
    """The focus-validator 1.0.0 command and its site-packages (made by `make focus-validator`)."""
    command = Path(os.environ.get("FOCUS_VALIDATOR", ROOT / ".venv" / "focus-validator" / "bin" / "focus-validator"))
    if not command.exists():
        pytest.skip(f"focus-validator is not installed at {command}: run `make focus-validator`")
    site = subprocess.run([str(command.parent / "python"), "-c", "import focus_validator, os; "
                           "print(os.path.dirname(os.path.dirname(focus_validator.__file__)))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    return command, Path(site)


def _validate(path: Path) -> str:
    command, site = _validator()
    # it reads its currency list by a path relative to its package's parent, so it runs there
    result = subprocess.run([str(command), "--data-file", str(path), "--validate-version", "1.0",
                             "--override-file", str(OVERRIDES)], capture_output=True, text=True, cwd=site,
                            timeout=300)
    return result.stdout + result.stderr


def _check_overridden_rules(table: pd.DataFrame) -> None:
    """The rules the override file skips, checked with the names FOCUS 1.0 gives the columns."""
    for column in ("ProviderName", "PublisherName", "InvoiceIssuerName"):
        assert table[column].notna().all() and table[column].map(type).eq(str).all()
    assert "ResourceId" in table
    billed = table["ChargeCategory"].isin(["Usage", "Purchase"])
    assert table.loc[billed, "SkuPriceId"].notna().all()


@pytest.mark.parametrize("source", ["forecast", "actuals"])
def test_validator_passes_on_the_exported_files(tmp_path, source):
    scenario = load_scenario("estate")
    if source == "forecast":
        table, _ = focus_table(scenario, forecast(scenario).daily)
    else:
        actuals = forecast(scenario).monthly(("unit", "capability", "driver")).head(400)
        table, _ = focus_table(scenario, actuals=actuals.rename(columns={"month": "month"}))
    path = tmp_path / "focus.csv"
    path.write_bytes(focus_csv(table))
    report = _validate(path)
    assert "Validation succeeded." in report and "Errors encountered" not in report, report
    _check_overridden_rules(pd.read_csv(path))
    tags = table["Tags"].dropna()
    assert all(isinstance(json.loads(t), dict) for t in tags)


def test_validator_catches_a_broken_file(tmp_path):
    """The validator run can fail: a file without BilledCost and with a made-up currency does."""
    fc = forecast(load_scenario(SMALL))
    table, _ = focus_table(fc.scenario, fc.daily)
    path = tmp_path / "broken.csv"
    path.write_bytes(focus_csv(table.drop(columns="BilledCost").assign(BillingCurrency="EURO")))
    report = _validate(path)
    assert "Validation failed!" in report
    assert "BilledCost_Required failed" in report and "BillingCurrency_IsCurrencyCode failed" in report


def test_charge_periods_lie_in_one_month_and_one_contract_year():
    ch = _charges(SMALL.replace("start: 2027-01-01", "start: 2027-01-10"))
    usage = ch[~ch["kind"].isin(["purchase", "top_up", "licence"])]
    assert (usage["start"].dt.to_period("M") == (usage["end"] - pd.Timedelta(days=1)).dt.to_period("M")).all()
    assert np.all(usage["start"] < usage["end"])


def test_cli_actuals_file(tmp_path, capsys):
    actuals = tmp_path / "actuals.csv"
    actuals.write_text("month,unit,capability,driver,value\n2027-01,cau,cloud_automation,pipeline,3100\n"
                       "2027-01,host_units,fullstack,web,12\n", encoding="utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "a.csv"
    assert main(["export", "focus", str(scenario), "--actuals", str(actuals), "-o", str(out),
                 "--focus-version", "1.2"]) == 0
    table = pd.read_csv(out)
    usage = table[table["ChargeCategory"] == "Usage"]
    assert usage["ConsumedQuantity"].tolist() == [3100] and usage["EffectiveCost"].tolist() == [62]
    assert "CommitmentDiscountQuantity" in table            # 1.2 columns
    actuals.write_text("month,unit,capability,driver,value\n2027-13,cau,cloud_automation,pipeline,1\n")
    assert main(["export", "focus", str(scenario), "--actuals", str(actuals), "-o", str(out), "--force"]) == 2
    assert "row 2, column 'month'" in capsys.readouterr().err


def test_dps_commitment_is_a_spend_commitment(tmp_path):
    """A DPS contract: the commitment (money) is bought each year and drawn down by the DPS
    units at the discounted rate card; beyond it, on-demand at the same rate."""
    fc = forecast(load_scenario(example_path("estate_dps")))
    table, _ = focus_table(fc.scenario, fc.daily, version="1.2")
    pools = fc.pools().set_index("year")
    purchase = table[table["ChargeCategory"] == "Purchase"]
    assert purchase["BilledCost"].tolist() == [900_000] * 3 and (purchase["EffectiveCost"] == 0).all()
    assert (purchase["CommitmentDiscountCategory"] == "Spend").all() and (purchase["PricingUnit"] == "EUR").all()
    used = table[table["CommitmentDiscountStatus"] == "Used"]
    spent = used.groupby("x_ContractYear")["CommitmentDiscountQuantity"].sum()
    assert spent.tolist() == pytest.approx([900_000] * 3)           # every year uses the commitment up
    assert (used["BilledCost"] == 0).all()
    assert used["EffectiveCost"].sum() == pytest.approx(spent.sum())
    on_demand = table[table["x_PlannerChargeKind"] == "overage"].groupby("x_ContractYear")["BilledCost"].sum()
    assert on_demand.tolist() == pytest.approx(pools["extra_needed"].tolist())   # 45,677, 111,628, 181,426
    rum = used[used["x_PlannerUnit"] == "rum_sessions"].iloc[0]
    # list price from the rate card (in EUR at 0.9), the contracted one 12 % lower (the commitment's tier)
    assert rum["ContractedUnitPrice"] == pytest.approx(rum["ListUnitPrice"] * 0.88)
    assert rum["ListCost"] == pytest.approx(rum["PricingQuantity"] * rum["ListUnitPrice"])
    path = tmp_path / "dps.csv"
    path.write_bytes(focus_csv(focus_table(fc.scenario, fc.daily)[0]))
    report = _validate(path)
    assert "Validation succeeded." in report, report


def test_a_horizon_before_the_contract_has_usage_only():
    ch = _charges(SMALL + "horizon: {start: 2026-07-01, months: 6}\n")
    assert set(ch["kind"]) == {"usage"} and (ch["year"] == 0).all()
    assert ch["quantity"].sum() == pytest.approx(184 * 30)              # July to December 2026
    assert ch["billed"].sum() == pytest.approx(184 * 30 * 0.02)          # at the pool's price, no pool to draw on
