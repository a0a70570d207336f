"""A what-if saved from a page is a scenario file: ``planner forecast`` on it gives
exactly the page's numbers (issue 16 item 3).

Each test makes a what-if on a page's compute step, saves it with the page's
``what_if_file`` next to nothing but an absolute ``extends:``, runs the command
line on it (:func:`planner.cli.main`, JSON) and compares every figure the
page's view holds with the CLI's, to the decimals the CLI prints.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from page_checks import kpi

from planner.cli import main
from planner.model import MoveHosts
from planner.scenario import example_path, load_scenario
from planner.engine import forecast
from planner.ui.pages import comparison, ddu_grail, hosts
from planner.ui.pages import digital_experience as dem
from planner.units import decimals

AWKWARD = Path(__file__).parent / "fixtures" / "awkward"
MID_MONTH, NOVEMBER = AWKWARD / "mid_month.yaml", AWKWARD / "november.yaml"


def _cli(tmp_path: Path, text: str, *args: str) -> dict:
    path = tmp_path / "what_if.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out.json"
    assert main(["forecast", str(path), *args, "--format", "json", "-o", str(out), "--force"]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def _rows(tables: dict, **keys) -> dict:
    return {tuple(r[k] for k in keys["by"]): r["value"] for r in tables["consumption"]}


def _same(page: float, cli: float, unit: str) -> None:
    assert round(page, decimals()[unit]) == pytest.approx(cli, abs=1e-9), (page, cli, unit)


@pytest.mark.parametrize("source", [example_path("fullstack_move"), MID_MONTH])
def test_a_saved_host_move_gives_the_pages_figures(tmp_path, source):
    base = load_scenario(source)
    estate = hosts.scenario_estate(base)
    inputs = hosts.HostsInputs("web", 37, "protection", base.start + pd.Timedelta(days=45))
    view = hosts.move_view(estate, inputs, sweep=pd.DataFrame())
    text = hosts.what_if_file(base, estate, inputs, extends=str(source))
    saved = yaml.safe_load(text)
    assert saved["changes"] == [{"date": str((base.start + pd.Timedelta(days=45)).date()),
                                 "move_hosts": {"from": "web", "count": 37, "mode": "infrastructure",
                                                "appsec": "protection"}}]
    assert "hosts" not in saved         # the groups themselves are the base's
    cli = _rows(_cli(tmp_path, text, "--by", "driver"), by=("contract_year", "unit", "driver"))
    for unit in ("host_units", "host_unit_hours", "asu"):
        _same(view.group_year[unit], cli.get((1, unit, "web"), 0.0), unit)
    capability = _rows(_cli(tmp_path, text, "--by", "capability"), by=("contract_year", "unit", "capability"))
    for (unit, key), value in view.by_capability["after"].items():
        _same(value, capability.get((1, unit, key), 0.0), unit)


def test_a_move_the_engine_refuses_is_refused_on_the_page_and_in_the_file(tmp_path):
    # fullstack_move moves 300 app hosts on 2027-04-01: after 250 moved on the first day the
    # group has 150 x 1.0125^3 = 155.70 hosts (the middle of 0.5 % to 2 % a month) then
    base = load_scenario(example_path("fullstack_move"))
    estate = hosts.scenario_estate(base)
    with pytest.raises(ValueError, match="group 'app' has 155.696 hosts on 2027-04-01, cannot move 300"):
        hosts.move_view(estate, hosts.HostsInputs("app", 250), sweep=pd.DataFrame())
    text = hosts.what_if_file(base, estate, hosts.HostsInputs("app", 250), extends=str(example_path("fullstack_move")))
    path = tmp_path / "refused.yaml"
    path.write_text(text)
    assert main(["forecast", str(path)]) == 2


@pytest.mark.parametrize("source", [example_path("estate"), MID_MONTH])
def test_saved_dem_changes_give_the_pages_figures(tmp_path, source):
    base = load_scenario(source)
    inputs = dem.inputs_of(base)
    monitors = inputs.monitors[1:] + (dem.Monitor("new-check", "browser", 1, 5, 2),)
    inputs = dataclasses.replace(inputs.with_rum(replay_share=0.1, sessions_per_month=2_345_678.5),
                                 monitors=monitors, month=pd.Period("2027-07", "M"))
    view = dem.dem_view(base, inputs, sweep=pd.Series(dtype=float))
    text = dem.what_if_file(base, inputs, extends=str(source))
    saved = yaml.safe_load(text)
    assert [m["name"] for m in saved["synthetic"]] == ["api-health", "new-check"]
    monthly = _rows(_cli(tmp_path, text, "--period", "month", "--by", "driver"), by=("month", "unit", "driver"))
    for row in view.by_source.groupby("driver")["value"].sum().items():
        _same(row[1], monthly[("2027-07", "dem", row[0])], "dem")
    yearly = {r["contract_year"]: r["dem"] for r in _cli(tmp_path, text)["consumption"]}
    _same(view.year_total, yearly[view.year], "dem")


@pytest.mark.parametrize("source", [example_path("estate"), MID_MONTH, NOVEMBER])
def test_a_saved_retention_change_gives_the_pages_figures(tmp_path, source):
    base = load_scenario(source)
    inputs = ddu_grail.inputs_of(base, new_retention_days=91, change_month=7)
    inputs = dataclasses.replace(inputs.with_bucket(ingest_gb_per_day=432.5), other={**inputs.other, "spans": 77_777})
    view = ddu_grail.grail_view(base, inputs)
    text = ddu_grail.what_if_file(base, inputs, extends=str(source))
    yearly = _rows(_cli(tmp_path, text, "--by", "driver"), by=("contract_year", "unit", "driver"))
    _same(view.year1["bucket"], yearly[(1, "ddu", inputs.bucket)], "ddu")
    monthly = _rows(_cli(tmp_path, text, "--period", "month", "--by", "capability"), by=("month", "unit", "capability"))
    for month, row in view.monthly.iterrows():
        for capability, value in row.items():
            _same(value, monthly.get((str(month), "ddu", capability), 0.0), "ddu")


def test_a_page_with_nothing_changed_saves_only_the_extends():
    base = load_scenario(MID_MONTH)
    text = ddu_grail.what_if_file(base, ddu_grail.inputs_of(base), extends="mid_month.yaml")
    assert yaml.safe_load(text) == {"extends": "mid_month.yaml", "name": "Mid-month contract (what-if)"}


def test_a_dropped_base_change_cannot_be_saved():
    base = load_scenario(MID_MONTH)
    estate = hosts.scenario_estate(base)
    dropped = dataclasses.replace(estate, scenario=dataclasses.replace(
        estate.scenario, changes=tuple(c for c in estate.scenario.changes if not isinstance(c, MoveHosts))))
    with pytest.raises(ValueError, match="drops the base's dated change of 'app' on 2027-05-17"):
        hosts.what_if_file(base, dropped, hosts.HostsInputs("web", 0))


def test_the_dem_page_saves_its_what_if_and_the_cli_reproduces_its_cards(tmp_path):
    # in the browser: the replay slider to 30 % and "Save as scenario (YAML)"; the file extends estate.yaml
    shutil.copy(example_path("estate"), tmp_path / "estate.yaml")
    page = dem.dashboard(load_scenario(tmp_path / "estate.yaml"))
    page.find("ctl-replay-share").value = 30
    sent = []
    page.find("download-dem-what-if").saver.send = lambda content, buffers=None: sent.append(bytes(buffers[0]))
    page.find("ctl-download-dem-what-if-yaml").click()
    assert page.messages.text == "" and yaml.safe_load(sent[0])["extends"] == "estate.yaml"
    (tmp_path / "what_if.yaml").write_bytes(sent[0])
    out = tmp_path / "out.json"
    assert main(["forecast", str(tmp_path / "what_if.yaml"), "--period", "month", "--format", "json",
                 "-o", str(out)]) == 0
    january = next(r for r in json.loads(out.read_text())["consumption"] if r["month"] == "2027-01")
    # shop: 3,000,000 x 70 % x 0.25 + 900,000 replay x 1.00 + 150,000 properties; mobile-app 250,000; synthetic 31,248
    assert january["dem"] == 525_000 + 900_000 + 150_000 + 250_000 + 31_248
    assert kpi(page, "dem-month") == f"{january['dem']:,.0f} DEM units"


@pytest.mark.parametrize(("unit", "year", "committed"), [("dem", 2, 16_250_000.0), ("host_units", 3, 850.0)])
def test_a_saved_committed_amount_gives_the_renewal_cards(tmp_path, unit, year, committed):
    from planner.engine import forecast
    from planner.ui.pages import renewal
    f = forecast(load_scenario(example_path("estate")), draws=200, seed=3)
    view = renewal.with_committed(renewal.compute(f, renewal.Inputs(unit, year)), committed)
    text = renewal.what_if_file(f, view, extends=str(example_path("estate")))
    key = "pools" if unit == "dem" else "licences"
    assert yaml.safe_load(text)["contract"] == {key: {unit: {"annual" if unit == "dem" else "quantity": committed}}}
    path = tmp_path / "committed.yaml"
    path.write_text(text)
    out = tmp_path / "size.json"
    assert main(["size", str(path), "--draws", "200", "--seed", "3", "--format", "json", "-o", str(out)]) == 0
    row = next(r for r in json.loads(out.read_text())["sizing"] if r["unit"] == unit and r["year"] == year)
    assert row["amount"] == committed
    assert row["p_run_out"] == pytest.approx(view.at_committed["p_run_out"], abs=1e-12)
    cost = view.at_committed["expected_cost"]      # the licence has no price: no cost on either face
    assert (row["cost_at_amount"] is None) if cost != cost else row["cost_at_amount"] == pytest.approx(cost, abs=0.005)


def _what_if(page, driver: str, value: str, month: str, field: str | None = None) -> None:
    """Set the comparison page's what-if controls and click "Compare this what-if"."""
    page.find("ctl-whatif-driver").value = driver
    if field is not None:
        page.find("ctl-whatif-field").value = field
    page.find("ctl-whatif-value").value = value
    page.find("ctl-whatif-month").value = pd.Period(month, "M")
    page.find("ctl-add-whatif").click()
    assert page.messages.text == ""


def _compared(tmp_path: Path, baseline: Path, what_if: Path) -> dict:
    out = tmp_path / "compare.json"
    assert main(["compare", str(baseline), str(what_if), "--period", "month", "--format", "json",
                 "-o", str(out), "--force"]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def _same_comparison(view: comparison.ComparisonView, cli: dict) -> None:
    """Every figure of the page's view of a flow unit equals ``planner compare``'s, to its decimals."""
    unit, (name,) = view.unit, view.compared
    monthly = {r["month"]: r["delta"] for r in cli["monthly"] if r["unit"] == unit and r["scenario"] == name}
    assert len(monthly) == len(view.deltas)
    for month, delta in view.deltas[name].items():
        _same(delta, monthly[str(month)], unit)
    years = {r["year"]: r["consumption_delta"] for r in cli["pools"] if r["unit"] == unit and r["scenario"] == name}
    _same(view.year1[name], years[1], unit)
    assert view.total[name] == pytest.approx(sum(years.values()), abs=len(years) * 10 ** -decimals()[unit])
    exceeded = {r["scenario"]: r["first_exceeded"] for r in cli["first_exceeded"] if r["unit"] == unit}
    assert {n: None if m is None else str(m) for n, m in view.first_exceeded.items()} == exceeded


def test_the_comparison_page_saves_its_what_if_and_the_cli_compares_it_alike(tmp_path):
    # in the browser: mobile-app's sessions set to 1,500,000 a month from July 2027, "Compare this what-if",
    # "Save as scenario (YAML)"; the file extends estate.yaml and sits next to it
    shutil.copy(example_path("estate"), tmp_path / "estate.yaml")
    base = load_scenario(tmp_path / "estate.yaml")
    page = comparison.dashboard(("estate",), given={"estate": forecast(base)}, draws=100)
    _what_if(page, "mobile-app", "1500000", "2027-07")
    page.find("ctl-unit").value = "dem"
    sent = []
    page.find("download-comparison-what-if").saver.send = lambda content, buffers=None: sent.append(bytes(buffers[0]))
    page.find("ctl-download-comparison-what-if-yaml").click()
    assert page.messages.text == ""
    name = "What-if 1: mobile-app sessions per month 1,500,000 from 2027-07-01"
    assert yaml.safe_load(sent[0]) == {"extends": "estate.yaml", "name": name, "changes": [
        {"date": "2027-07-01", "set": {"driver": "mobile-app", "sessions_per_month": 1_500_000}}]}
    (tmp_path / "what_if.yaml").write_bytes(sent[0])
    view = page.page_state.view
    cli = _compared(tmp_path, tmp_path / "estate.yaml", tmp_path / "what_if.yaml")
    _same_comparison(view, cli)
    # 500,000 more sessions x 0.25 DEM units a month (no growth), July to December 2027, and to December 2029
    assert (view.year1[name], view.total[name]) == (6 * 125_000, 30 * 125_000)
    assert kpi(page, "delta-year1") == "+750,000 DEM units"


def test_a_saved_what_if_of_a_what_if_holds_both_changes(tmp_path):
    # mid-month contract (15 March 2027, horizon from 1 February): logs' ingest from the horizon's first
    # month, before the contract starts; then, of that what-if, shop's sessions from February 2028 (29 days)
    base = load_scenario(MID_MONTH)
    page = comparison.dashboard(("mid",), given={"mid": forecast(base)}, draws=100)
    _what_if(page, "logs", "612.5", "2027-02", field="ingest_gb_per_day")
    page.find("ctl-scenarios").value = ("whatif:1",)          # the what-if is the baseline of the next
    _what_if(page, "shop", "3456789", "2028-02")
    assert page.page_state.keys() == ["whatif:1", "whatif:2"]
    first = comparison.what_if_file(base, page.page_state.cache.scenarios.scenario("whatif:1"),
                                    extends=str(MID_MONTH))
    second = page.page_state.what_if_file(extends=str(MID_MONTH))
    assert [c["date"] for c in yaml.safe_load(second)["changes"]] == ["2027-02-01", "2028-02-01"]
    (tmp_path / "first.yaml").write_text(first, encoding="utf-8")
    (tmp_path / "second.yaml").write_text(second, encoding="utf-8")
    cli = _compared(tmp_path, tmp_path / "first.yaml", tmp_path / "second.yaml")
    for unit in ("dem", "ddu"):
        page.find("ctl-unit").value = unit
        _same_comparison(page.page_state.view, cli)


def test_the_comparison_page_has_no_what_if_to_save_before_one_is_made():
    page = comparison.dashboard(given={"estate": forecast()}, draws=100)
    page.find("ctl-download-comparison-what-if-yaml").click()
    assert page.messages.text.startswith("Save as scenario: add a what-if first")


def test_a_move_of_an_uploaded_inventory_is_refused_with_the_reason(tmp_path):
    # the page moves the first hosts of the file's order to the other mode; a scenario file naming the
    # inventory would read the file as it is, so it would not give the page's figures
    page = hosts.dashboard(load_scenario(), inventory=hosts.example_inventory(), inventory_name="inventory.csv")
    page.find("ctl-move-hosts").value = 2
    sent = []
    page.find("download-hosts-what-if").saver.send = lambda content, buffers=None: sent.append(content)
    page.find("ctl-download-hosts-what-if-yaml").click()
    assert sent == [] and page.messages.text.startswith(
        "cannot save a what-if of inventory group 'inventory.csv: full-stack' as a scenario file: a scenario "
        "cannot move or set the hosts of an inventory file; change their mode in the file instead")
