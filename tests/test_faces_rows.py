"""Issue 16, item 2's table: each page shows the CLI's number off the built-in examples.

Scenarios: ``fullstack_move`` (a dated move of 300 app hosts), and the two
awkward fixtures: ``mid_month.yaml`` (contract from 15 March 2027, horizon
1 February 2027 to 31 July 2029, dated changes on odd days and 29 February, a
top-up) and ``november.yaml`` (contract from 30 November 2027, across
29 February 2028). Every expected number is the CLI's JSON (``planner
forecast --by driver`` or ``--by capability``), to the decimals it prints.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from planner.cli import main
from planner.engine import forecast, readmodel
from planner.scenario import example_path, load_scenario
from planner.ui.pages import comparison, ddu_grail, hosts, overview, renewal
from planner.ui.pages import digital_experience as dem

AWKWARD = Path(__file__).parent / "fixtures" / "awkward"
MID_MONTH, NOVEMBER = AWKWARD / "mid_month.yaml", AWKWARD / "november.yaml"


def _cli(tmp_path, source, *args):
    out = tmp_path / "out.json"
    assert main(["forecast", str(source), *args, "--format", "json", "-o", str(out), "--force"]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def _by(tables, key):
    return {(r["contract_year"], r["unit"], r[key]): r["value"] for r in tables["consumption"]}


def test_hosts_keeps_the_scenarios_dated_move(tmp_path):
    # before: 2,253,859 HU h and 484 HU (the page dropped the move of 300 app hosts on 2027-04-01)
    cli = _by(_cli(tmp_path, "fullstack_move", "--by", "driver"), "driver")
    capability = _by(_cli(tmp_path, "fullstack_move", "--by", "capability"), "capability")
    assert (cli[(1, "host_unit_hours", "app")], capability[(1, "host_units", "fullstack")]) == (5_168_838.463, 1146.572)
    view = hosts.move_view(hosts.scenario_estate(load_scenario(example_path("fullstack_move"))),
                           hosts.HostsInputs("app", 0))
    assert round(view.group_year["host_unit_hours"], 3) == 5_168_838.463
    assert round(view.by_capability.loc[("host_units", "fullstack"), "after"], 3) == 1146.572
    # the sweep stops where the engine refuses the scenario's own move: 80 moved leave 320 x 1.0125^3 > 300
    assert list(view.sweep.index) == [0, 40, 80]


def test_hosts_mid_month_contract_year_one(tmp_path):
    cli = _by(_cli(tmp_path, MID_MONTH, "--by", "driver"), "driver")
    view = hosts.move_view(hosts.scenario_estate(load_scenario(MID_MONTH)), hosts.HostsInputs("app", 0),
                           sweep=pd.DataFrame())
    assert round(view.group_year["host_units"], 3) == cli[(1, "host_units", "app")] == 678.358


def test_dem_before_a_mid_month_contract_is_year_0_and_the_dated_replay_share_is_said(tmp_path):
    # before: IndexError in _contract_year for February 2027 (the contract starts 15 March)
    scenario = load_scenario(MID_MONTH)
    inputs = dem.inputs_of(scenario)
    february = dem.dem_view(scenario, inputs, sweep=pd.Series(dtype=float))
    cli = {r["contract_year"]: r["dem"] for r in _cli(tmp_path, MID_MONTH)["consumption"]}
    assert february.year == 0 and round(february.year_total, 2) == cli[0]
    july = dem.dem_view(scenario, dataclasses.replace(inputs, month=pd.Period("2027-07", "M")).with_rum(
        replay_share=0.10), sweep=pd.Series(dtype=float))
    assert july.in_force["replay_share"].value == 0.25
    assert dem.in_force_note(july) == ("Session Replay share: 25 % in force from 2027-06-13 (a dated change of the "
                                       "scenario), not the page's 10 %")


@pytest.mark.parametrize(("source", "bucket_year1", "retention"), [
    (MID_MONTH, 23_526_106.4665, "retention 60 days in force from 2027-04-09"),   # before: 16,603,763, "10 days"
    (NOVEMBER, 21_002_001.9471, "retention 10 days in force from 2028-02-29"),    # before: calendar months
])
def test_grail_year_one_is_the_contract_year(tmp_path, source, bucket_year1, retention):
    cli = _by(_cli(tmp_path, source, "--by", "driver"), "driver")
    scenario = load_scenario(source)
    view = ddu_grail.grail_view(scenario, ddu_grail.inputs_of(scenario))
    assert round(view.year1["bucket"], 4) == cli[(1, "ddu", "logs")] == bucket_year1
    assert ddu_grail.retention_text(view) == retention


def test_the_grail_page_opens_without_a_what_if():
    scenario = load_scenario()
    assert ddu_grail.grail_scenario(scenario, ddu_grail.inputs_of(scenario)).changes == scenario.changes


def test_renewal_keeps_the_contracted_amount_until_the_slider_moves():
    f = forecast(load_scenario(), draws=50, seed=1)
    view = renewal.compute(f, renewal.Inputs("dem", 3))
    step = float(view.curve["amount"].iloc[1] - view.curve["amount"].iloc[0])
    assert view.committed == 15_000_000
    # the browser snaps 15,000,000 to the slider's grid and sends it back: not a move
    snapped = view.curve["amount"].iloc[0] + round((15_000_000 - view.curve["amount"].iloc[0]) / step) * step
    assert renewal.moved_to(view, snapped, step) is None
    assert renewal.moved_to(view, snapped + step, step) == snapped + step


def test_comparison_bands_and_legend_are_the_given_scenarios(tmp_path):
    runs = {"estate": forecast(load_scenario(MID_MONTH)), "fullstack_move": forecast(load_scenario(NOVEMBER))}
    page = comparison.dashboard(("estate", "fullstack_move"), given=runs, draws=100)
    page.find("ctl-unit").value = "ddu"
    card = page.find("kpi-p90-last")
    assert card.label == "P90 in Nov 2029"     # the later scenario's last month; before: the examples' Dec 2029
    bands = {(r["month"], r["unit"]): r for r in _cli(tmp_path, NOVEMBER, "--draws", "100")["bands"]}
    assert card.shown.startswith(f"{bands[('2029-11', 'ddu')]['p90']:,.0f} DDU")
    names = {t.get("name") for t in page.find("chart-bands").figure["data"] if t.get("name")}
    assert any("Contract from 30 November" in n for n in names) and not any("Example estate" in n for n in names)


def test_overview_has_year_0_and_labels_years_by_the_days_covered():
    f = forecast(load_scenario(MID_MONTH))
    spans = readmodel.year_spans(f.scenario)
    assert [(s.year, str(s.start.date()), str(s.end.date()), s.whole) for s in spans] == [
        (0, "2027-02-01", "2027-03-14", False), (1, "2027-03-15", "2028-03-14", True),
        (2, "2028-03-15", "2029-03-14", True), (3, "2029-03-15", "2029-07-31", False)]
    view = overview.compute(f, "dem", year=3)
    assert view.years == (0, 1, 2, 3) and view.figures.end == pd.Timestamp("2029-07-31")
    assert overview.compute(f, "dem").year == 1      # the page opens on year 1


def test_the_hosts_page_moves_on_a_date_and_refuses_where_the_cli_refuses(tmp_path, capsys):
    # fullstack_move: 300 of the app group's 400 hosts (growing 1.25 % a month) move on 2027-04-01.
    # On 2027-05-17 the group has 400 x 1.0125^4 - 300 x 1.0125 = 116.628 hosts: the slider stops at 116
    base = load_scenario(example_path("fullstack_move"))
    estate = hosts.scenario_estate(base)
    page = hosts.dashboard(base, group="app")
    page.find("ctl-move-date").value = dt.date(2027, 5, 17)
    assert page.find("ctl-move-hosts").max == 116
    page.find("ctl-move-hosts").value = 100
    saved = tmp_path / "move.yaml"
    saved.write_text(hosts.what_if_file(base, estate, hosts.HostsInputs("app", 100, date=pd.Timestamp("2027-05-17")),
                                        extends=str(example_path("fullstack_move"))))
    cli = _by(_cli(tmp_path, saved, "--by", "driver"), "driver")
    assert page.messages.text == ""
    assert page.find("kpi-host-unit-hours").shown == f"{cli[(1, 'host_unit_hours', 'app')]:,.0f} HU h"
    # 250 moved on the first day leave 150 x 1.0125^3 = 155.696 hosts for the scenario's own move of 300:
    # the page refuses it with the line the CLI prints for the same file
    page.find("ctl-move-date").value = dt.date(2027, 1, 1)
    page.find("ctl-move-hosts").value = 250
    refusal = "group 'app' has 155.696 hosts on 2027-04-01, cannot move 300"
    assert page.messages.text.endswith(refusal)
    saved.write_text(hosts.what_if_file(base, estate, hosts.HostsInputs("app", 250, date=pd.Timestamp("2027-01-01")),
                                        extends=str(example_path("fullstack_move"))))
    assert main(["forecast", str(saved)]) == 2 and capsys.readouterr().err.rstrip().endswith(refusal)


def test_renewal_cards_keep_the_contracted_amount_when_the_browser_snaps_the_slider(tmp_path):
    # before: after switching to DEM year 3 the browser snapped 15,000,000 to the slider's grid
    # (14,338,672) and sent it back, and the cards followed it (EUR 231,584)
    f = forecast(load_scenario(example_path("estate")), draws=200, seed=0)
    page = renewal.dashboard(given=f, draws=200, seed=0)
    page.find("ctl-pool").value = "dem"
    page.find("ctl-year").value = 3
    slider = page.find("ctl-committed")
    shown = page.find("kpi-expected-cost").shown
    assert "committing 15,000,000 DEM units" in page.find("kpi-p-run-out").value
    snapped = slider.min + round((slider.value - slider.min) / slider.step) * slider.step
    assert snapped != 15_000_000
    slider.value = snapped                             # what the browser sends back
    assert page.find("kpi-expected-cost").shown == shown
    assert "committing 15,000,000 DEM units" in page.find("kpi-p-run-out").value
    out = tmp_path / "size.json"
    assert main(["size", "estate", "--draws", "200", "--seed", "0", "--format", "json", "-o", str(out)]) == 0
    row = next(r for r in json.loads(out.read_text())["sizing"] if r["unit"] == "dem" and r["year"] == 3)
    assert shown == f"EUR {row['cost_at_amount']:,.0f}"
    slider.value = snapped + 2 * slider.step          # the user moves it: the cards follow
    assert "committing 15,000,000" not in page.find("kpi-p-run-out").value
