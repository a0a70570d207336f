"""Cost centers and products: consumption and cost per tag, the overrun shared by
consumption, the tag that grows most; inventory rows, FOCUS Tags and the import.
Every figure worked out by hand."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from planner.cli import main
from planner.engine import forecast
from planner.engine.showback import UNTAGGED, UNUSED, breakdown, overrun_attribution
from planner.fields import ScenarioError
from planner.focus import focus_table
from planner.scenario import load_scenario

# ops: 20 CAU a day all year = 7,300. dev: 10 a day to 30 June (181 days = 1,810), then
# 40 a day (184 days = 7,360): 9,170. untagged: 5 a day = 1,825. Total 18,295; the pool of
# 14,636 leaves 3,659 over = 20 % of the total, so the overrun shares are 1,460, 1,834 and 365.
# Run-out: 35 a day to 30 June (6,335), then 65 a day; 14,636 - 6,335 = 8,301 = 127 days
# (8,255) and 46 of 5 November's 65. Overage: 19 + 56 x 65 = 3,659 = 65 x 3,659/65, so a cost
# center with rate r after July has r x 3,659/65 of overage, at 0.03 instead of 0.02:
# cost = consumption x 0.02 + overage x 0.01.
SCENARIO = """
name: showback
currency: EUR
contract:
  start: 2027-01-01
  pools:
    cau: {annual: 14636, price: 0.02, overage_price: 0.03}
cloud_automation:
  - {name: a, executions_per_day: 20, cost_center: ops, product: shop}
  - {name: b, executions_per_day: 10, cost_center: dev, product: shop}
  - {name: c, executions_per_day: 5}
changes:
  - {date: 2027-07-01, set: {driver: b, executions_per_day: 40}}
"""
OVER = 3659 / 65


@pytest.fixture(scope="module")
def fc():
    return forecast(load_scenario(SCENARIO))


def test_by_cost_center_by_hand(fc):
    table = breakdown(fc, "cost_center").set_index("cost_center")
    assert list(table.index) == ["dev", "ops", UNTAGGED]
    assert table["consumption"].to_dict() == {"dev": 9170, "ops": 7300, UNTAGGED: 1825}
    assert table.loc["ops", "cost"] == pytest.approx(7300 * 0.02 + 20 * OVER * 0.01)     # 157.26
    assert table.loc["dev", "cost"] == pytest.approx(9170 * 0.02 + 40 * OVER * 0.01)     # 205.92
    assert table.loc[UNTAGGED, "cost"] == pytest.approx(1825 * 0.02 + 5 * OVER * 0.01)   # 39.31
    assert table["cost"].sum() == pytest.approx(14636 * 0.02 + 3659 * 0.03)              # 402.49


def test_by_product(fc):
    table = breakdown(fc, "product").set_index("product")
    assert table["consumption"].to_dict() == {"shop": 16470, UNTAGGED: 1825}


def test_by_month(fc):
    table = breakdown(fc, "cost_center", period="month")
    july = table[table["month"] == pd.Period("2027-07")].set_index("cost_center")["consumption"]
    assert july.to_dict() == {"dev": 31 * 40, "ops": 31 * 20, UNTAGGED: 31 * 5}


def test_overrun_shared_by_consumption_and_who_grows_most(fc):
    table = overrun_attribution(fc).set_index("cost_center")
    assert table["overrun"].to_dict() == pytest.approx({"dev": 1834, "ops": 1460, UNTAGGED: 365})
    assert table["share"].to_dict() == pytest.approx({"dev": 9170 / 18295, "ops": 7300 / 18295,
                                                      UNTAGGED: 1825 / 18295})
    assert table["growth"].to_dict() == pytest.approx({"dev": 9170 - 365 * 10, "ops": 0, UNTAGGED: 0})
    assert table.index[table["grows_most"]].tolist() == ["dev"]
    assert (table["run_out"] == pd.Timestamp("2027-11-05")).all() and (table["extra_needed"] == 3659).all()


def test_no_overrun_no_rows():
    fc = forecast(load_scenario(SCENARIO.replace("annual: 14636", "annual: 20000")))
    assert overrun_attribution(fc).empty
    unused = breakdown(fc).set_index("cost_center").loc[UNUSED]
    assert unused["cost"] == pytest.approx((20000 - 18295) * 0.02) and pd.isna(unused["consumption"])


def test_cli_forecast_by_cost_center(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    assert main(["forecast", str(path), "--by", "cost_center", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    rows = {r["cost_center"]: r for r in out["consumption"]}
    assert (rows["ops"]["consumption"], rows["ops"]["cost"]) == (7300, 157.26)
    assert (rows["dev"]["cost"], rows[UNTAGGED]["cost"]) == (205.92, 39.31)
    overrun = {r["cost_center"]: r for r in out["overrun"]}
    assert overrun["dev"]["overrun"] == 1834 and overrun["dev"]["grows_most"] is True
    assert main(["forecast", str(path), "--by", "product"]) == 0
    assert "shop" in capsys.readouterr().out


def test_inventory_rows_carry_tags_and_fall_back_to_the_group(tmp_path):
    (tmp_path / "inv.csv").write_text("host,ram_gib,mode,cost_center\nweb-1,16,fullstack,ops\n"
                                      "web-2,8,fullstack,\nweb-3,4,fullstack,dev\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text("name: inv\ncurrency: EUR\ncontract: {start: 2027-01-01}\n"
                                     "hosts:\n  - {name: web, inventory: inv.csv, cost_center: platform}\n",
                                     encoding="utf-8")
    fc = forecast(load_scenario(tmp_path / "s.yaml"))
    table = breakdown(fc).set_index(["unit", "cost_center"])["consumption"]
    # 16 GiB: 1 HU, 8 GiB: 0.5 HU (no tag: the group's 'platform'), 4 GiB: 0.25 HU; 24 h x 365 days
    assert table.loc["host_units"].to_dict() == pytest.approx({"dev": 0.25, "ops": 1.0, "platform": 0.5})
    assert table.loc["host_unit_hours"].to_dict() == pytest.approx({"dev": 2190, "ops": 8760, "platform": 4380})
    assert fc.scenario.drivers["web"].inventory.attrs["ignored_columns"] == []


def test_focus_tags(fc):
    table, _ = focus_table(fc.scenario, fc.daily)
    tags = table.set_index("ResourceId")["Tags"]
    assert json.loads(tags["a"].iloc[0]) == {"dt.cost.costcenter": "ops", "dt.cost.product": "shop"}
    assert tags["c"].isna().all()


def test_tags_are_text_and_not_settable_by_a_change():
    with pytest.raises(ScenarioError, match=r"cost_center"):
        load_scenario(SCENARIO + "  - {date: 2027-08-01, set: {driver: a, cost_center: dev}}\n")
    with pytest.raises(ValueError, match="by must be one of cost_center, product; got 'team'"):
        breakdown(forecast(load_scenario(SCENARIO)), "team")


def test_import_takes_the_cost_tags_of_hosts(tmp_path):
    from fixtures import dynatrace_api as fx
    from planner.imports.baseline import import_files
    pages = [[dict(e) for e in page] for page in fx.HOST_PAGES]
    pages[0][0]["tags"] = [{"context": "CONTEXTLESS", "key": "dt.cost.costcenter", "value": "ops"},
                           {"context": "CONTEXTLESS", "key": "dt.cost.product", "value": "shop"},
                           {"context": "CONTEXTLESS", "key": "owner", "value": "x"}]
    pages[1][1]["tags"] = [{"context": "CONTEXTLESS", "key": "dt.cost.costcenter", "value": "batch"}]
    (tmp_path / "hosts.json").write_text(json.dumps([{"entities": p} for p in pages]), encoding="utf-8")
    (tmp_path / "metrics.csv").write_text(fx.metrics_csv(), encoding="utf-8")
    import_files(tmp_path / "hosts.json", [tmp_path / "metrics.csv"], tmp_path / "env")
    hosts = pd.read_csv(tmp_path / "env" / "hosts.csv", keep_default_na=False).set_index("host")
    assert hosts.loc["web-1", "cost_center"] == "ops" and hosts.loc["web-1", "product"] == "shop"
    assert hosts.loc["app-1", "cost_center"] == "batch" and hosts.loc["web-2", "cost_center"] == ""
    fc = forecast(load_scenario(tmp_path / "env" / "scenario.yaml"))
    centers = set(breakdown(fc)["cost_center"])
    assert {"ops", "batch", UNTAGGED} <= centers
