"""The typed model's what-if methods: same checks as a file, same engine."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import planner
from planner.model import MoveHosts, SetValues
from planner.scenario import ScenarioError, load_scenario
from planner.sections import CAPABILITIES, DPS_CAPABILITIES, SECTIONS, capability_label
from planner.units import DPS_UNITS, UNITS, unit


@pytest.fixture(scope="module")
def estate():
    return load_scenario("estate")


def _month(f, month, unit_key, driver):
    table = f.monthly(("unit", "driver"))
    rows = table[(table["month"] == pd.Period(month, "M")) & (table["unit"] == unit_key) & (table["driver"] == driver)]
    return float(rows["value"].sum())


def test_with_values_runs_through_the_engine(estate):
    f = planner.forecast(estate.with_values("shop", replay_share=0.10))
    # January 2027 (growth month 0): 3,000,000 sessions; 10 % with replay at 1.00, 90 % at 0.25,
    # 25 properties of which 5 above the free 20 at 0.01: 300,000 + 675,000 + 150,000
    assert _month(f, "2027-01", "dem", "shop") == pytest.approx(1_125_000)
    assert estate.drivers["shop"].values["replay_share"] == 0.0          # the base is unchanged


def test_with_changes_equals_the_same_change_in_a_file(estate, tmp_path):
    change = SetValues(pd.Timestamp("2027-07-01"), "logs", {"retention_days": 90})
    from_python = planner.forecast(estate.with_changes(change))
    from_file = planner.forecast(load_scenario("grail_retention"))
    assert from_file.scenario.changes == (change,)
    pd.testing.assert_frame_equal(from_python.daily, from_file.daily)


def test_moved_hosts_stay_in_their_group(estate):
    f = planner.forecast(estate.with_changes(MoveHosts(pd.Timestamp("2027-01-01"), "app", 100, {"mode": "fullstack"})))
    day = f.daily[f.daily["date"] == pd.Timestamp("2027-01-01")]
    app = day[(day["driver"] == "app") & (day["unit"] == "host_units")].set_index("capability")["value"]
    # 100 of 400 hosts of 32 GiB move: 100 x 2 HU full-stack, 300 x 0.6 HU infrastructure
    assert app.to_dict() == pytest.approx({"fullstack": 200.0, "infrastructure": 180.0})


@pytest.mark.parametrize("call, message", [
    (lambda s: s.with_values("nope", count=1), r"with_values\('nope'\): unknown driver 'nope'; drivers: web, app"),
    (lambda s: s.with_values("shop", colour=1), r"with_values\('shop'\)\.colour: unknown key; allowed: sessions_per_month"),
    (lambda s: s.with_values("shop", replay_share=1.5), r"replay_share: must be a number >= 0 and <= 1"),
    (lambda s: s.with_values("web", count=2.5), r"with_values\('web'\)\.count: must be a whole number"),
    (lambda s: s.with_changes(SetValues(pd.Timestamp("2031-01-01"), "logs", {"retention_days": 9})),
     r"with_changes\[0\]\.date: 2031-01-01 is outside the horizon 2027-01-01 to 2029-12-31"),
    (lambda s: s.with_changes(MoveHosts(pd.Timestamp("2027-02-01"), "shop", 1, {"mode": "fullstack"})),
     r"with_changes\[0\]\.move_hosts\.from: unknown host group 'shop'; host groups: web, app, db, batch"),
    (lambda s: s.with_changes(MoveHosts(pd.Timestamp("2027-02-01"), "web", 1, {})),
     r"say what changes for the moved hosts"),
    (lambda s: s.with_changes({"date": "2027-02-01"}), r"a change is SetValues\(...\) or MoveHosts\(...\)"),
])
def test_what_ifs_are_checked_like_files(estate, call, message):
    with pytest.raises(ScenarioError, match=message):
        call(estate)


def test_a_move_beyond_the_group_names_the_change(estate):
    scenario = estate.with_changes(MoveHosts(pd.Timestamp("2027-02-01"), "db", 41, {"mode": "infrastructure"}))
    with pytest.raises(ScenarioError, match=r"with_changes\[0\]\.move_hosts: group 'db' has 40 hosts on 2027-02-01, "
                                            r"cannot move 41"):
        planner.forecast(scenario)


def test_the_model_is_immutable(estate):
    with pytest.raises(dataclasses.FrozenInstanceError):
        estate.name = "x"
    with pytest.raises(dataclasses.FrozenInstanceError):
        estate.drivers["web"].name = "x"


def test_registries_define_each_unit_and_capability_once():
    assert list(UNITS)[:8] == ["host_units", "host_unit_hours", "dem", "ddu", "asu", "cau", "msu", "premium_ha"]
    assert list(UNITS)[8:] == [*DPS_UNITS, "commitment"] and len(DPS_UNITS) == 23    # Dynatrace Platform Subscription
    assert unit("dem").label == "DEM units [DEM units]" and unit("host_units").kind == "peak"
    with pytest.raises(ValueError, match="unit must be one of 'host_units'"):
        unit("dems")
    keys = [(c.unit, c.key) for s in SECTIONS.values() for c in s.capabilities]
    assert len(keys) == len(set(keys)) == len(CAPABILITIES)
    assert all(u in UNITS for u, _ in keys)
    assert capability_label("ddu", "log_management_retain") == "Logs: retain"


def test_every_capability_the_engine_emits_is_registered():
    for name in ("estate", "fullstack_move", "replay_rollout", "grail_retention"):
        daily = planner.forecast(name).daily
        emitted = set(zip(daily["unit"], daily["capability"]))
        assert emitted <= set(CAPABILITIES), emitted - set(CAPABILITIES)
    daily = planner.forecast("estate_dps").daily
    emitted = set(zip(daily["unit"], daily["capability"]))
    assert emitted <= set(DPS_CAPABILITIES), emitted - set(DPS_CAPABILITIES)


def test_implausible_growth_is_refused_with_a_hint():
    text = ("name: g\ncontract: {start: 2027-01-01}\nhosts:\n"
            "  - {name: web, count: 100, ram_gib: 16, growth: {monthly: 2}}\n")
    with pytest.raises(ScenarioError, match=r"line 4, hosts\[0\]\.growth\.monthly: 2 is 200% monthly; rates are "
                                            r"fractions: write 0.02 for 2 %"):
        load_scenario(text)
