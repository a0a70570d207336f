"""The table set: provenance, loader errors, other rate cards, and a wheel that
ships every table."""

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pandas as pd
import pytest

import planner
from planner.tableset import RULES_FILE, SCHEMA, TableError, default_tables, export_tables, load_tables

ROOT = Path(__file__).resolve().parents[1]


def test_every_table_file_starts_with_its_source():
    for name in SCHEMA:
        first = (ROOT / "tables" / f"{name}.csv").read_text().splitlines()[0]
        assert first.startswith("# source: Dynatrace "), name
    assert (ROOT / "tables" / RULES_FILE).read_text().startswith("# source: Dynatrace")


def test_every_table_states_section_and_effective_date():
    tables = default_tables()
    for name in SCHEMA:
        prov = tables.provenance[name]
        assert prov["section"] and prov["effective"] in ("2022-11-15", "2024-01-04"), name
    for key, rule in tables.rules.items():
        assert rule["source"] and "unit" in rule, key


def test_snapshot_of_the_default_weights():
    # A regression snapshot: a changed weight must be a deliberate new table set.
    t = default_tables()
    assert t["dem_weights"].set_index("capability")["weight"].to_dict() == {
        "rum_session": 0.25, "rum_session_replay": 1.0, "defined_property": 0.01,
        "synthetic_browser": 1.0, "synthetic_http": 0.1, "synthetic_third_party": 0.1}
    ddu = t["ddu_weights"].set_index(["capability", "dimension"])["weight"].to_dict()
    assert ddu == {
        ("custom_metric", ""): 0.001, ("log_monitoring", ""): 0.0005, ("custom_trace", ""): 0.0007,
        ("custom_event", ""): 0.001, ("serverless", ""): 0.002,
        ("log_management", "ingest"): 100.0, ("log_management", "retain"): 0.3,
        ("log_management", "query"): 1.7, ("business_events", "ingest"): 100.0,
        ("business_events", "retain"): 0.3, ("business_events", "query"): 1.7}
    assert t.rule("free_defined_properties") == 20 and t.rule("characters_per_property") == 100
    assert t.rule("log_events_per_gb") == 1_000_000
    assert t.rule("session_inactivity_minutes") == 30 and t.rule("session_max_minutes") == 60
    assert t.rule("billed_custom_event_kinds") == ["kubernetes", "log"]
    assert t["version_support"].set_index(["product", "plan"])["months"].to_dict() == {
        ("saas", "standard"): 9, ("saas", "enterprise"): 12, ("managed", "standard"): 9,
        ("managed", "enterprise"): 12, ("cluster", "standard"): 3, ("cluster", "enterprise"): 4}
    assert len(t["support_severities"]) == 4 and len(t["support_response_times"]) == 8


def test_a_contract_table_set_changes_results_without_code(tmp_path):
    folder = export_tables(tmp_path / "contract")
    rules = (folder / RULES_FILE).read_text()
    (folder / RULES_FILE).write_text(rules.replace(
        "  host_units_infrastructure_cap:\n    value: 1.0", "  host_units_infrastructure_cap:\n    value: null"))
    weights = (folder / "dem_weights.csv").read_text()
    (folder / "dem_weights.csv").write_text(weights.replace("rum_session,session,0.25", "rum_session,session,0.2"))
    contract = load_tables(folder)
    assert planner.host_units(100, "infrastructure", tables=contract) == 2.1    # no cap: 0.3 x 7
    assert planner.host_units(100, "infrastructure") == 1.0                     # default unchanged
    assert planner.rum_dem(100, tables=contract) == 20
    assert planner.rum_dem(100, tables=str(folder)) == 20                      # a folder path works too


def test_export_never_overwrites(tmp_path):
    (tmp_path / "mine").mkdir()
    with pytest.raises(FileExistsError, match="already exists"):
        export_tables(tmp_path / "mine")


#: The provenance every table header must state (source first).
HEAD = "# source: x\n# effective: 2022-11-15\n# section: s\n"


def _broken_set(tmp_path, name, text):
    folder = export_tables(tmp_path / "set")
    (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize("name, text, message", [
    ("host_units.csv", "size_class,max_ram_gib,fullstack\nMicro,1.6,0.1\n",
     r"host_units\.csv: the first line must state the source"),
    ("host_units.csv", HEAD + "size_class,max_ram_gib,fullstack\nMicro,1.6,0.1\n",
     r"host_units\.csv: missing column\(s\) \['infrastructure'\]"),
    ("dem_weights.csv", HEAD + "capability,unit_of_measure,weight\nrum_session,session,cheap\n",
     r"dem_weights\.csv: column 'weight', data row 1: 'cheap' is not a number"),
    ("host_units.csv", HEAD + "size_class,max_ram_gib,fullstack,infrastructure\nA,4,1,1\nB,2,1,1\n",
     r"max_ram_gib must rise"),
    ("host_units.csv", "# source: x\n# section: s\nsize_class,max_ram_gib,fullstack,infrastructure\nA,4,1,1\n",
     r"host_units\.csv: the header must state effective"),
    ("rules.yaml", "rules: [1, 2", r"rules\.yaml: not valid YAML"),
    ("rules.yaml", "provenance: {}\nrules:\n  ram_step_gib: {value: 16, source: x}\n",
     r"rules\.yaml: missing rule\(s\) \['host_units_fullstack_per_step'"),
    ("dem_weights.csv", HEAD + "capability,unit_of_measure,weight\nrum_session,session,0.25\n"
     "rum_session,session,0.2\n",
     r"dem_weights\.csv: data rows 1 and 2 both give capability='rum_session'"),
    ("ddu_weights.csv", HEAD + "capability,dimension,unit_of_measure,weight\nlog,ingest,GB,1,extra\n",
     r"ddu_weights\.csv: not a readable CSV table \(data row 1 has 5 fields, the header 4\)"),
    ("cau_weights.csv", HEAD + "capability,weight,weight\n", r"cau_weights\.csv: repeated column name"),
])
def test_malformed_table_sets_name_file_row_and_column(tmp_path, name, text, message):
    folder = _broken_set(tmp_path, name, text)
    with pytest.raises(TableError, match=message):
        load_tables(folder)


def test_missing_files_and_folders(tmp_path):
    with pytest.raises(TableError, match="no such folder"):
        load_tables(tmp_path / "nowhere")
    folder = export_tables(tmp_path / "set")
    os.remove(folder / "asu_weights.csv")
    with pytest.raises(TableError, match=r"missing file\(s\) \['asu_weights\.csv'\]"):
        load_tables(folder)


def test_unknown_weight_row_is_reported():
    with pytest.raises(TableError, match="dem_weights: no row for capability='nope'; capabilities: \\['defined_property'"):
        default_tables().weight("dem_weights", "nope")


@pytest.mark.slow
def test_a_built_wheel_installs_and_loads_every_table(tmp_path):
    """`pip install .` (not editable) must give a working package with every table."""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist),
                    str(ROOT)], check=True)
    wheel = next(dist.glob("planner-*.whl"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # borrow the dependencies (numpy, pandas, ...) from this environment; a .pth
    # line adds a plain path, so this environment's editable planner stays unseen
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", str(wheel)], check=True)
    code = ("import planner, planner.tableset as t, pathlib; s = t.default_tables(); "
            "assert pathlib.Path(planner.__file__).parent.parent.name == 'site-packages', planner.__file__; "
            "print(len(s.frames), len(s.rules), planner.host_units(17, 'infrastructure'))")
    out = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True,
                         cwd=tmp_path, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert out.stdout.split() == [str(len(SCHEMA)), str(len(default_tables().rules)), "0.6"]
