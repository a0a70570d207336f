"""The table set: provenance, loader errors, other rate cards, and a wheel that
ships every table."""

import os
import re
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
        assert prov["section"] and prov["effective"] in ("2022-11-15", "2024-01-04", "2025-08-12"), name
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


# --- provenance the user can follow ------------------------------------------------------

# Where the project cites sources: every file of these is scanned.
CITING = [p for pattern in ("tables/*", "planner/**/*.py", "docs/*.md", "tests/*.py",
                            "notebooks/*.ipynb", "README.md")
          for p in sorted(ROOT.glob(pattern)) if p.is_file() and p.suffix != ".pyc"]
RULE_CITATION = re.compile(r"rules\.yaml:? `?([a-z][a-z0-9]*_[a-z0-9_]+)")
ANCHOR_CITATION = re.compile(r"docs/rules\.md#([A-Za-z0-9_-]+)")


def _github_anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: lower case, punctuation dropped,
    spaces as hyphens."""
    text = re.sub(r"<[^>]+>", "", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _rules_md_anchors() -> set[str]:
    text = (ROOT / "docs" / "rules.md").read_text()
    headings = {_github_anchor(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}
    return headings | set(re.findall(r'<a id="([^"]+)"', text))


def test_github_anchors_are_computed_as_github_does():
    assert _github_anchor("Digital experience monitoring (DEM units)") == \
        "digital-experience-monitoring-dem-units"
    assert _github_anchor("Application security (ASU) and cloud automation (CAU)") == \
        "application-security-asu-and-cloud-automation-cau"


def test_every_cited_rules_key_exists():
    keys = set(default_tables().rules)
    cited = {}
    for path in CITING:
        for key in RULE_CITATION.findall(path.read_text(encoding="utf-8")):
            cited.setdefault(key, path.relative_to(ROOT))
    for name in SCHEMA:   # the '# rules:' header line of each table
        listed = default_tables().provenance[name].get("rules", "")
        for key in re.findall(r"[a-z][a-z0-9_]+", listed.split("(")[0]):
            cited.setdefault(key, f"tables/{name}.csv")
    missing = {key: str(where) for key, where in cited.items() if key not in keys}
    assert not missing, f"cited rules.yaml keys that do not exist: {missing}"
    # the three tables whose larger classes come from rules.yaml name those keys
    assert "host_units_infrastructure_cap" in default_tables().provenance["host_units"]["rules"]
    assert "asu_with_protection_per_step" in default_tables().provenance["asu_weights"]["rules"]


def test_every_rule_is_stated_in_docs_with_an_anchor_that_exists():
    anchors = _rules_md_anchors()
    documented = set(RULE_CITATION.findall((ROOT / "docs" / "rules.md").read_text()))
    for key, entry in default_tables().rules.items():
        assert entry["unit"] and entry["source"], key
        assert entry["source"].startswith(("Dynatrace Platform Usage Supplement, effective 2022-11-15",
                                           "Dynatrace Support Policy, effective 2024-01-04",
                                           "Dynatrace documentation, ", "Kubernetes documentation, ",
                                           "the planner's choice")), key
        ruling = ANCHOR_CITATION.fullmatch(entry["ruling"])
        assert ruling and ruling.group(1) in anchors, (key, entry["ruling"])
        assert key in documented, f"docs/rules.md does not mention rules.yaml: {key}"


def test_every_table_cites_document_date_section_and_an_existing_ruling():
    anchors = _rules_md_anchors()
    for name in SCHEMA:
        prov = default_tables().provenance[name]
        assert prov["source"].startswith(("Dynatrace Platform Usage Supplement, effective 2022-11-15, section ",
                                          "Dynatrace Support Policy, effective 2024-01-04, section ",
                                          "Dynatrace documentation, ")), name
        cited = ANCHOR_CITATION.findall(prov.get("ruling", ""))
        assert cited and set(cited) <= anchors, (name, cited)


def test_every_docs_anchor_cited_anywhere_exists():
    anchors = _rules_md_anchors()
    missing = {(str(path.relative_to(ROOT)), anchor) for path in CITING
               for anchor in ANCHOR_CITATION.findall(path.read_text(encoding="utf-8"))
               if anchor not in anchors}
    assert not missing, f"docs/rules.md has no anchor for: {sorted(missing)}"


def test_nothing_cites_a_path_outside_the_repository():
    # built from parts, so this file does not match itself
    outside = re.compile("|".join(["shared" + "/", "RULINGS" + r"\.md", "RULINGS" + " ", r"\.\./" + "shared",
                                   "seeds" + "/", "/work" + "/"]))
    hits = [f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}" for path in CITING
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if outside.search(line)]
    assert not hits, "\n".join(hits)


def test_weights_lists_every_weight_with_its_source():
    weights = default_tables().weights()
    assert len(weights) == 6 + 11 + 1                      # DEM, DDU and CAU rows
    row = weights[(weights["capability"] == "log_management") & (weights["dimension"] == "retain")]
    assert row["weight"].tolist() == [0.3] and row["unit_of_measure"].tolist() == ["GB stored per day"]
    assert weights["source"].str.startswith("Dynatrace Platform Usage Supplement, effective 2022-11-15").all()


def test_planner_tables_prints_the_weights_and_their_sources(capsys):
    from planner.cli import main
    assert main(["tables"]) == 0
    out = capsys.readouterr().out
    assert "weights: ddu_weights, from Dynatrace Platform Usage Supplement, effective 2022-11-15" in out
    # the retain row with its weight, and the smallest weight with all its digits
    assert re.search(r"log_management\s+retain\s+GB stored per day\s+0\.3\n", out)
    assert re.search(r"log_monitoring\s+log event\s+0\.0005\n", out)
    assert re.search(r"Extra Small\s+4\s+0\.25\s+0\.075\n", out)          # host units
    assert re.search(r"msu_window_hours\s+4\s+hours", out)
    assert re.search(r"free_defined_properties\s+20\s+properties per session", out)
    assert re.search(r"free_defined_properties\s+docs/rules\.md#defined-properties", out)   # a block of its own


def test_new_rule_constants_drive_the_calculators(tmp_path):
    t = default_tables()
    assert (t.rule("msu_window_hours"), t.rule("result_decimals"), t.rule("stored_gb_decimals")) == (4, 9, 6)
    assert t.rule("support_weekend_days") == ["saturday", "sunday"]
    assert t.rule("support_government_plan") == "enterprise"
    from planner.mainframe import WINDOW
    assert WINDOW == pd.Timedelta(hours=4)              # the default set's window
    folder = export_tables(tmp_path / "contract")
    rules = (folder / RULES_FILE).read_text()
    (folder / RULES_FILE).write_text(rules.replace("  msu_window_hours:\n    value: 4",
                                                   "  msu_window_hours:\n    value: 2")
                                     .replace("  result_decimals:\n    value: 9", "  result_decimals:\n    value: 1"))
    contract = load_tables(folder)
    hours = pd.date_range("2025-01-01", periods=6, freq="h")
    samples = pd.Series([10, 10, 10, 10, 30, 10.0], index=hours, name="PROD")
    # 4 h: (10 + 10 + 10 + 30) / 4 = 15; 2 h: (10 + 30) / 2 = 20
    assert planner.msu_monthly_peak(samples)["peak_msu"].tolist() == [15.0]
    assert planner.msu_monthly_peak(samples, tables=contract)["peak_msu"].tolist() == [20.0]
    # 0.03 HU x 1.5 h = 0.045, rounded to one decimal: 0.0
    assert planner.host_unit_hours(1, 1.5, "infrastructure") == 0.045
    assert planner.host_unit_hours(1, 1.5, "infrastructure", tables=contract) == 0.0


@pytest.mark.parametrize("field", ["unit", "source"])
def test_a_rule_without_its_provenance_is_refused(tmp_path, field):
    folder = export_tables(tmp_path / "set")
    text = (folder / RULES_FILE).read_text()
    (folder / RULES_FILE).write_text(text.replace("    unit: GiB\n", "", 1) if field == "unit" else
                                     text.replace("    source: Dynatrace Platform Usage Supplement, effective "
                                                  "2022-11-15, section \"Application and Infrastructure "
                                                  "Monitoring\", Unit Weighting Table, row \"x N\" (N x 16 GB)\n",
                                                  "", 1))
    with pytest.raises(TableError, match=r"rules\.ram_step_gib needs 'value', 'unit', 'source'"):
        load_tables(folder)


# --- no rule value written in a calculator -------------------------------------------------

CALCULATORS = ["hosts", "appsec", "dem", "ddu", "automation", "mainframe", "support", "dps"]
# Numbers in calculator code that are not rules: units of time, array positions.
NOT_RULES = {
    "24": "hours a day", "60": "minutes an hour, seconds a minute", "7": "days a week",
    "3_600_000_000_000": "nanoseconds an hour", "60e9": "nanoseconds a minute",
    "3660": "search limit of the support calendar walk (days)", "256": "cache size",
    "100": "a share as a percentage (dps: a discount written in %)",
}
# ... and where a small number is a position, not a value
POSITIONS = ("arrays[:3]", "arrays[3]", "w[..., 2]", "nlevels != 2")


def _rule_values() -> set[float]:
    t = default_tables()
    values = {float(v["value"]) for v in t.rules.values()
              if isinstance(v["value"], (int, float)) and not isinstance(v["value"], bool)}
    for name in ("host_units", "included_custom_metrics", "asu_weights"):
        values |= set(t[name].select_dtypes("number").to_numpy(dtype=float).ravel())
    values |= set(t.weights()["weight"])
    return values - {0.0, 1.0}


def test_no_rule_value_is_written_in_a_calculator():
    import io
    import tokenize
    rules = _rule_values()
    hits = []
    for module in CALCULATORS:
        path = ROOT / "planner" / f"{module}.py"
        lines = path.read_text().splitlines()
        for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
            if token.type != tokenize.NUMBER or token.string in NOT_RULES:
                continue
            line = lines[token.start[0] - 1]
            if float(token.string.replace("_", "")) in rules and not any(p in line for p in POSITIONS):
                hits.append(f"planner/{module}.py:{token.start[0]}: {line.strip()}")
    assert not hits, "rule values belong in tables/ (read them with TableSet.rule):\n" + "\n".join(hits)
    assert 20.0 in rules and 0.3 in rules and 4.0 in rules     # the scan knows the rule values
