"""Scenario files and inventories: loading, extends, and errors that name the
file, line and key path."""

import textwrap

import pandas as pd
import pytest

from planner.model import Growth, MoveHosts
from planner.scenario import (
    EXAMPLES,
    ScenarioError,
    example_path,
    example_scenarios,
    load_scenario,
    read_inventory,
)

MINIMAL = """\
name: minimal
contract:
  start: 2027-01-01
  term_years: 1
hosts:
  - name: web
    count: 10
    ram_gib: 16
"""


def write(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_every_example_loads():
    scenarios = example_scenarios()
    assert set(scenarios) == set(EXAMPLES)
    estate = scenarios["estate"]
    assert estate.start == pd.Timestamp("2027-01-01") and estate.months == 36
    assert estate.drivers["app"].growth == Growth("monthly", 0.0125, (0.005, 0.02))
    assert estate.uncertain() == {"app": (0.005, 0.02)}
    # the stories extend the estate and add one change each
    move = scenarios["fullstack_move"]
    assert move.drivers.keys() == estate.drivers.keys()
    assert move.changes == (MoveHosts(pd.Timestamp("2027-04-01"), "app", 300.0, {"mode": "fullstack"}),)
    assert scenarios["grail_retention"].changes[0].values == {"retention_days": 90.0}


def test_minimal_scenario_defaults(tmp_path):
    scenario = load_scenario(write(tmp_path, MINIMAL))
    web = scenario.drivers["web"]
    assert (web.values["mode"], web.values["hours_per_day"], web.values["appsec"], web.growth) == \
        ("fullstack", 24.0, "none", None)
    assert scenario.end == pd.Timestamp("2027-12-31")


def test_yaml_text_and_mappings_load_too():
    assert load_scenario(MINIMAL).name == "minimal"
    assert load_scenario({"contract": {"start": "2027-01-01"},
                          "rum": [{"name": "shop", "sessions_per_month": 10}]}).drivers["shop"].values["replay_share"] == 0


def test_inventory_group_reads_its_file(tmp_path):
    (tmp_path / "hosts.csv").write_text("Host, RAM_GiB ,mode\na,16,fullstack\nb,17,infrastructure\n")
    scenario = load_scenario(write(tmp_path, MINIMAL.replace(
        "    count: 10\n    ram_gib: 16\n", "    inventory: hosts.csv\n")))
    inventory = scenario.drivers["web"].inventory
    assert inventory["ram_gib"].tolist() == [16.0, 17.0] and inventory["mode"].tolist() == ["fullstack", "infrastructure"]


@pytest.mark.parametrize("text, message", [
    # unknown keys, with a suggestion
    (MINIMAL + "    ram: 4\n", r"s\.yaml, line 9, hosts\[0\]\.ram: unknown key \(did you mean 'ram_gib'\?\); allowed: name, count"),
    (MINIMAL + "host:\n  - name: x\n", r"line 10, host: unknown key \(did you mean 'hosts'\?\)"),
    # wrong types and values
    (MINIMAL.replace("ram_gib: 16", "ram_gib: big"), r"line 8, hosts\[0\]\.ram_gib: must be a number > 0 \[GiB\]; got 'big'"),
    (MINIMAL.replace("count: 10", "count: -3"), r"line 7, hosts\[0\]\.count: must be a whole number >= 0 \[hosts\]; got -3"),
    (MINIMAL.replace("count: 10", "count: 2.5"), r"hosts\[0\]\.count: must be a whole number"),
    (MINIMAL + "    mode: hybrid\n", r"line 9, hosts\[0\]\.mode: must be one of 'fullstack', 'infrastructure', 'foundation'; got 'hybrid'"),
    (MINIMAL + "    hours_per_day: 25\n", r"hours_per_day: must be a number >= 0 and <= 24 \[h\]; got 25"),
    (MINIMAL + "    growth: 2%\n", r"hosts\[0\]\.growth: must be \{monthly: RATE\} or \{yearly: RATE\}"),
    (MINIMAL + "    growth: {monthly: [0.04, 0.01]}\n", r"range low 0\.04 is above high 0\.01"),
    # impossible dates
    (MINIMAL.replace("start: 2027-01-01", "start: 2027-02-30"), r"line 3, contract\.start: must be a date YYYY-MM-DD that exists; got '2027-02-30'"),
    (MINIMAL + "changes:\n  - date: 2029-01-01\n    set: {driver: web, count: 5}\n",
     r"changes\[0\]\.date: 2029-01-01 is outside the horizon 2027-01-01 to 2027-12-31"),
    # changes naming what does not exist
    (MINIMAL + "changes:\n  - date: 2027-03-01\n    set: {driver: db, count: 5}\n", r"changes\[0\]\.set\.driver: unknown driver 'db'; drivers: web"),
    (MINIMAL + "changes:\n  - date: 2027-03-01\n    set: {driver: web, colour: red}\n", r"changes\[0\]\.set\.colour: unknown key"),
    (MINIMAL + "changes:\n  - date: 2027-03-01\n    move_hosts: {from: web, count: 5}\n", r"say what changes for the moved hosts"),
    # structure
    (MINIMAL + "hosts:\n  - name: again\n", r"line 9, hosts: duplicate key \(first on line 5\)"),
    (MINIMAL + "  - name: web\n    count: 1\n    ram_gib: 2\n", r"hosts\[1\]\.name: the name 'web' is used twice"),
    ("name: x\ncontract: {start: 2027-01-01}\n", r"the scenario has no drivers"),
    ("- just\n- a list\n", r"a scenario is a YAML mapping"),
    ("name: [unclosed\n", r"line \d+: not valid YAML"),
    (MINIMAL.replace("  start: 2027-01-01\n", ""), r"contract: missing key 'start'"),
    # a file without contract: says so (it said "contract: missing key 'start'")
    (MINIMAL.replace("contract:\n  start: 2027-01-01\n  term_years: 1\n", ""),
     r"s\.yaml: the scenario has no contract; add contract: \{start: YYYY-MM-DD"),
    (MINIMAL + "synthetic:\n  - {name: home, kind: http}\n", r"synthetic\[0\]: missing key 'frequency_minutes'"),
    # a unit under the wrong group points to the one that buys it
    (MINIMAL.replace("term_years: 1", "term_years: 1\n  pools:\n    host_units: {annual: 500}"),
     r"line 6, contract\.pools\.host_units: host_units is bought as a licence: put it under contract\.licences "
     r"as host_units: \{quantity: AMOUNT\}$"),
    (MINIMAL.replace("term_years: 1", "term_years: 1\n  licences:\n    host_unit_hours: {quantity: 500}"),
     r"contract\.licences\.host_unit_hours: host_unit_hours is bought as an annual pool: put it under "
     r"contract\.pools as host_unit_hours: \{annual: AMOUNT\}$"),
    (MINIMAL + "contract_extra: 1\n", r"contract_extra: unknown key"),
    (MINIMAL + "xyzzy: 1\n", r"line 9, xyzzy: unknown key; allowed: name, description, extends"),
    (MINIMAL.replace("term_years: 1", "term_years: 1\n  pools:\n    ddu: 5000"), r"contract\.pools\.ddu: must be \{annual: AMOUNT"),
    (MINIMAL.replace("term_years: 1", "term_years: 1\n  pools:\n    ddus: {annual: 5}"), r"contract\.pools\.ddus: unknown key \(did you mean 'ddu'\?\)"),
    (MINIMAL + "rum:\n  - name: shop\n    sessions_per_month: 10\n    replay_share: 1.5\n",
     r"rum\[0\]\.replay_share: must be a number >= 0 and <= 1 \[fraction 0\.\.1\]; got 1\.5"),
    (MINIMAL + "log_monitoring:\n  - name: logs\n", r"log_monitoring\[0\]: give exactly one of gb_per_day, events_per_day"),
    (MINIMAL + "grail:\n  - name: logs\n    ingest_gb_per_day: 5\n", r"grail\[0\]: missing key 'retention_days'"),
])
def test_bad_scenarios_name_file_line_and_key(tmp_path, text, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(write(tmp_path, text))


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "nope.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match="not UTF-8 text"):
        load_scenario(bad)
    loop = write(tmp_path, "extends: s.yaml\nname: loop\n")
    with pytest.raises(ScenarioError, match="goes round in a circle"):
        load_scenario(loop)


def test_extends_merges_and_appends_changes(tmp_path):
    write(tmp_path, MINIMAL + "changes:\n  - date: 2027-02-01\n    set: {driver: web, count: 12}\n", "base.yaml")
    child = write(tmp_path, """\
        extends: base.yaml
        name: child
        contract: {term_years: 2}
        changes:
          - date: 2027-03-01
            set: {driver: web, mode: infrastructure}
        """, "child.yaml")
    scenario = load_scenario(child)
    assert scenario.name == "child" and scenario.contract.term_years == 2
    assert scenario.contract.start == pd.Timestamp("2027-01-01")          # merged, not replaced
    assert [c.date.month for c in scenario.changes] == [2, 3]


def test_move_of_more_hosts_than_the_group_has(tmp_path):
    from planner.engine import forecast
    scenario = load_scenario(write(tmp_path, MINIMAL + "changes:\n  - date: 2027-03-01\n"
                                   "    move_hosts: {from: web, count: 11, mode: infrastructure}\n"))
    # the message names the file, line and key of the change
    with pytest.raises(ScenarioError, match=r"s\.yaml, line 11, changes\[0\]\.move_hosts: group 'web' has 10 hosts "
                                            r"on 2027-03-01, cannot move 11"):
        forecast(scenario)


# --- inventories --------------------------------------------------------------------

def inventory(tmp_path, text, name="inv.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_inventory_reads_csv_and_xlsx(tmp_path):
    frame = read_inventory(example_path("estate").parent / "inventory.csv")
    assert len(frame) == 12 and frame["ram_gib"].sum() == 16 + 16 + 32 + 32 + 128 + 64 + 48 + 48 + 1.5 + 8 + 4 + 17
    xlsx = tmp_path / "inv.xlsx"
    frame.to_excel(xlsx, index=False)
    assert read_inventory(xlsx).equals(frame)


@pytest.mark.parametrize("text, message", [
    ("host,ram,mode\na,4,fullstack\n", r"inv\.csv: missing column\(s\) 'ram_gib' \(is 'ram' meant\?\); required: host, ram_gib, mode"),
    ("host,ram_gib\na,4\n", r"missing column\(s\) 'mode'"),
    ("host,ram_gib,mode\na,4,fullstack\nb,lots,fullstack\n", r"inv\.csv: row 3, column 'ram_gib': 'lots' is not a number > 0"),
    ("host,ram_gib,mode\na,-4,fullstack\n", r"row 2, column 'ram_gib': '-4' is not a number > 0"),
    ("host,ram_gib,mode\na,4,\n", r"row 2, column 'mode': .* is not one of fullstack, infrastructure"),
    ("host,ram_gib,mode\na,4,full\n", r"row 2, column 'mode': 'full' is not one of fullstack, infrastructure"),
    ("host,ram_gib,mode\na,4,fullstack\na,8,fullstack\n", r"row 3, column 'host': host 'a' is listed twice"),
    ("host;ram_gib;mode\na;4;fullstack\n", r"missing column.*found: host;ram_gib;mode\. The columns seem to be "
                                              r"separated by semicolons: save the file as CSV with commas"),
    ("host,ram_gib,mode,hours_per_day\na,4,fullstack,30\n", r"column 'hours_per_day': '30' is not a number >= 0 and <= 24"),
    ("host,ram_gib,mode\n", r"the inventory has no hosts"),
    ("", r"cannot read the file"),
])
def test_bad_inventories_name_the_row_and_column(tmp_path, text, message):
    with pytest.raises(ScenarioError, match=message):
        read_inventory(inventory(tmp_path, text))


def test_inventory_file_problems(tmp_path):
    with pytest.raises(ScenarioError, match="no such inventory file"):
        read_inventory(tmp_path / "missing.csv")
    with pytest.raises(ScenarioError, match="unsupported file type '.txt'"):
        read_inventory(inventory(tmp_path, "host,ram_gib,mode\n", "inv.txt"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("host,ram_gib,mode\nserveur-\xe9t\xe9,4,fullstack\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match="not UTF-8 text"):
        read_inventory(latin)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ScenarioError, match=r"^\S*broken\.xlsx: the workbook is damaged or incomplete"):
        read_inventory(broken)
    text = inventory(tmp_path, "host,ram_gib,mode\n", "text.xlsx")
    with pytest.raises(ScenarioError, match=r"^\S*text\.xlsx: the file is not an Excel workbook \(an \.xlsx file is "
                                            r"a zip archive; this one is not\); save it"):
        read_inventory(text)
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(ScenarioError, match=r"^\S*old\.xlsx: the file is an old Excel 97-2003 workbook \(\.xls\)"):
        read_inventory(old)
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(ScenarioError, match=r"folder\.csv: is a folder, not an inventory file"):
        read_inventory(tmp_path / "folder.csv")
    for engine_words in ("engine", "specify"):       # pandas' own words never reach the user
        with pytest.raises(ScenarioError) as caught:
            read_inventory(text)
        assert engine_words not in str(caught.value)


def test_inventory_keeps_unknown_columns_and_says_so(tmp_path):
    frame = read_inventory(inventory(tmp_path, "host,ram_gib,Owner,mode,rack\na,4,alice,fullstack,r1\n"
                                               "b,8,bob,infrastructure,r2\n"))
    assert list(frame.columns) == ["host", "ram_gib", "hours_per_day", "custom_metrics_per_minute", "mode",
                                   "appsec", "Owner", "rack"]
    assert frame["Owner"].tolist() == ["alice", "bob"] and frame["rack"].tolist() == ["r1", "r2"]
    assert frame.attrs["ignored_columns"] == ["Owner", "rack"]
    assert frame.attrs["notes"] == [f"{tmp_path / 'inv.csv'}: column(s) 'Owner', 'rack' not used by the "
                                    "planner; kept as they are"]
    assert read_inventory(inventory(tmp_path, "host,ram_gib,mode\na,4,fullstack\n")).attrs["notes"] == []


def test_inventory_from_bytes_and_a_row_limit():
    content = b"host,ram_gib,mode\na,4,fullstack\nb,8,fullstack\nc,8,fullstack\n"
    assert read_inventory(content, name="x.csv")["ram_gib"].sum() == 20        # 4 + 8 + 8
    assert len(read_inventory(content, name="x.csv", max_rows=3)) == 3
    with pytest.raises(ScenarioError, match=r"^x\.csv: more than 2 hosts; an inventory here may have at most 2 rows"):
        read_inventory(content, name="x.csv", max_rows=2)


# --- what a source names (issue 10, items 2 and 9) ---------------------------------------

def test_example_names_paths_and_text_load_as_in_the_cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_scenario("estate").drivers.keys() == load_scenario(example_path("estate")).drivers.keys()
    assert load_scenario("grail_retention").name == load_scenario(example_path("grail_retention")).name
    write(tmp_path, MINIMAL, "scenario.txt")                                 # any extension
    assert load_scenario("scenario.txt").name == "minimal"
    assert load_scenario(str(tmp_path / "scenario.txt")).source == str(tmp_path / "scenario.txt")
    one_line = load_scenario("{contract: {start: 2027-01-01}, rum: [{name: s, sessions_per_month: 10}]}")
    assert one_line.source == "<scenario>" and "s" in one_line.drivers
    with pytest.raises(ScenarioError, match=r"^estat: no such scenario file, and not a built-in example "
                                            r"\(estate, fullstack_move, replay_rollout, grail_retention\) or YAML text$"):
        load_scenario("estat")
    with pytest.raises(ScenarioError, match=r"^nope\.yaml: no such scenario file$"):
        load_scenario("nope.yaml")
    (tmp_path / "folder").mkdir()
    with pytest.raises(ScenarioError, match=r"^folder: is a folder, not a scenario file$"):
        load_scenario("folder")


def test_forecast_takes_an_example_name():
    from planner.engine import forecast
    assert forecast("estate").daily.equals(forecast(None).daily)


def test_a_missing_inventory_names_the_scenario_line_and_key(tmp_path):
    path = write(tmp_path, MINIMAL.replace("    count: 10\n    ram_gib: 16\n", "    inventory: nothere.csv\n"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == f"{path}, line 7, hosts[0].inventory: {tmp_path / 'nothere.csv'}: no such inventory file"


def test_an_empty_file_says_it_is_empty(tmp_path):
    for text in ("", "\n", "# only a comment\n"):
        path = write(tmp_path, text)
        with pytest.raises(ScenarioError, match=r"s\.yaml: the scenario is empty; it needs at least contract: "
                                                r"and one driver") as caught:
            load_scenario(path)
        assert "NoneType" not in str(caught.value)


def test_errors_in_an_extended_file_name_that_file_and_its_line(tmp_path):
    write(tmp_path, MINIMAL.replace("    ram_gib: 16\n", "    ram_gib: 16\n    colour: red\n"), "base.yaml")
    write(tmp_path, "extends: base.yaml\nname: child\n", "child.yaml")
    with pytest.raises(ScenarioError, match=r"/base\.yaml, line 9, hosts\[0\]\.colour: unknown key"):
        load_scenario(tmp_path / "child.yaml")
    # a change appended after the base's keeps its own file and line
    write(tmp_path, MINIMAL + "changes:\n  - date: 2027-02-01\n    set: {driver: web, count: 12}\n", "base.yaml")
    write(tmp_path, "extends: base.yaml\nchanges:\n  - date: 2027-03-01\n    set: {driver: web, color: 1}\n",
          "child.yaml")
    with pytest.raises(ScenarioError, match=r"/child\.yaml, line 4, changes\[1\]\.set\.color: unknown key"):
        load_scenario(tmp_path / "child.yaml")
    # extends naming a missing file: the error sits at the extends key of the file that holds it
    write(tmp_path, "extends: middle.yaml\nname: top\n", "top.yaml")
    write(tmp_path, "name: middle\nextends: gone.yaml\n", "middle.yaml")
    with pytest.raises(ScenarioError, match=r"^.*middle\.yaml, line 2, extends: .*gone\.yaml: no such scenario file$"):
        load_scenario(tmp_path / "top.yaml")


def test_aliases_cannot_blow_up_the_reader():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    with pytest.raises(ScenarioError, match=r"more than 100,000 keys and list items"):
        load_scenario(bomb)


def test_planner_hosts_carries_extra_columns_and_says_so(tmp_path, capsys):
    from planner.cli import main
    path = inventory(tmp_path, "host,ram_gib,mode,owner\na,16,fullstack,alice\nb,8,infrastructure,bob\n")
    assert main(["hosts", str(path), "--format", "csv", "--table", "hosts"]) == 0
    out, err = capsys.readouterr()
    assert err == f"planner: note: {path}: column(s) 'owner' not used by the planner; kept as they are\n"
    header = next(line for line in out.splitlines() if line.startswith("host,"))
    assert header.split(",")[:7] == ["host", "ram_gib", "hours_per_day", "custom_metrics_per_minute", "mode",
                                     "appsec", "owner"]
    assert any(line.startswith("a,16.0,24.0,0.0,fullstack,none,alice,") for line in out.splitlines())


def test_inventories_named_reads_the_host_groups_not_the_text():
    from planner.scenario import example_names, inventories_named
    text = "contract: {start: 2027-01-01}\nhosts:\n  - {name: a, inventory: myhosts.csv}\n# hosts.csv\n"
    assert inventories_named(text) == {"myhosts.csv"}              # not hosts.csv, which only a comment names
    assert inventories_named(b"not: [a mapping") == set() and inventories_named("- a list\n") == set()
    assert example_names()["estate"] == "Example estate (baseline)"
