"""The planner command line: formats, outputs, guardrail and clear errors."""

import datetime as dt
import io
import json
import re
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from planner import __version__, support
from planner.cli import main
from planner.cli.parser import build_parser
from planner.cli.render import WIDTH
from planner.units import decimals as _unit_decimals
from planner.engine import compare, forecast
from planner.scenario import example_path
from planner.sections import CAPABILITIES

INVENTORY = str(example_path("estate").parent / "inventory.csv")
EXAMPLES = ("estate", "fullstack_move", "replay_rollout", "grail_retention")
NO_POOLS = "name: nothing bought\ncontract: {start: 2027-01-01}\ncloud_automation:\n  - {name: ci, executions_per_day: 10}\n"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_forecast_prints_a_readable_table(capsys):
    code, out, err = run(capsys, "forecast")
    assert code == 0 and err == ""
    assert "Example estate (baseline): consumption per contract year" in out
    assert "Host unit hours [HU h]" in out and "2,803,200.00" in out    # ASU year 1: 40 x 8 x 24 x 365
    assert "pools per contract year" in out and "2028-09-01" in out     # host units licence exceeded


def test_forecast_json_by_month_and_capability(capsys):
    code, out, _ = run(capsys, "forecast", "estate", "--period", "month", "--by", "capability", "--format", "json")
    rows = json.loads(out)["consumption"]
    cau = [r for r in rows if r["month"] == "2027-01" and r["capability"] == "cloud_automation"]
    # 200 executions a day x 31 days x 1 CAU (cau_weights service_execution)
    assert cau == [{"month": "2027-01", "unit": "cau", "capability": "cloud_automation", "value": 6200}]


def test_csv_markdown_and_xlsx_outputs(capsys, tmp_path):
    code, out, _ = run(capsys, "pools", "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("unit,year,start,end,days_covered,amount")
    code, out, _ = run(capsys, "hosts", INVENTORY, "--format", "markdown", "--totals-only")
    assert "| total | 12 | 18.075 |" in out      # 14.6 full-stack + 3.475 infrastructure host units
    target = tmp_path / "forecast.xlsx"
    code, _, _ = run(capsys, "forecast", "--format", "xlsx", "--output", str(target))
    assert code == 0 and set(pd.read_excel(target, sheet_name=None)) == {"consumption", "pools", "mainframe", "About"}


def test_output_is_never_overwritten_without_force(capsys, tmp_path):
    target = tmp_path / "mine.csv"
    target.write_text("my notes")
    code, _, err = run(capsys, "pools", "--format", "csv", "--output", str(target))
    assert code == 2 and "exists; add --force to overwrite it" in err and target.read_text() == "my notes"
    code, _, _ = run(capsys, "pools", "--format", "csv", "--output", str(target), "--force")
    assert code == 0 and target.read_text().startswith("unit,year")


def test_fail_on_overrun_gates_a_pipeline(capsys, tmp_path):
    code, _, err = run(capsys, "pools", "--fail-on-overrun")
    # the licence is exceeded, it does not "run out": the overview's sentence (planner.explain.run_out_sentence)
    assert code == 3 and "Host units in use, contract year 2: above the licence from 2028-09-01; 20.232 HU more " \
                         "needed" in err
    roomy = tmp_path / "roomy.yaml"
    roomy.write_text("name: roomy\ncontract:\n  start: 2027-01-01\n  pools: {cau: {annual: 100000}}\n"
                     "cloud_automation:\n  - {name: ci, executions_per_day: 10}\n")
    code, _, _ = run(capsys, "pools", str(roomy), "--fail-on-overrun")
    assert code == 0


def test_compare_two_examples(capsys):
    code, out, _ = run(capsys, "compare", "estate", "fullstack_move", "--table", "first_exceeded", "--format", "csv")
    exceeded = pd.read_csv(io.StringIO(out))
    assert code == 0 and list(exceeded.columns) == ["unit", "scenario", "first_exceeded", "differs_from_baseline"]
    moved = exceeded[exceeded["scenario"] == "Move 300 app hosts to full-stack"].set_index("unit")
    assert moved.loc["host_units", "first_exceeded"] == "2027-04" and pd.isna(moved.loc["asu", "first_exceeded"])


def test_errors_are_one_line_without_traceback(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncontract: {start: 2027-01-01}\nhosts:\n  - {name: a, count: 1, ram_gib: -4}\n")
    code, out, err = run(capsys, "forecast", str(bad))
    assert code == 2 and out == ""
    assert err.strip() == f"planner: error: {bad}, line 4, hosts[0].ram_gib: must be a number > 0 [GiB]; got -4"
    code, _, err = run(capsys, "forecast", "missing.yaml")
    assert "no such scenario file (built-in examples: estate" in err
    code, _, err = run(capsys, "forecast", "--format", "xlsx")
    assert "--format xlsx needs --output" in err
    code, _, err = run(capsys, "hosts", str(tmp_path / "none.csv"))
    assert code == 2 and "no such inventory file" in err


def test_progress_goes_to_stderr(capsys):
    code, _, err = run(capsys, "forecast", "--progress")
    assert "loading scenario" in err and "simulating 15 drivers over 1096 days" in err


def test_tables_lists_provenance(capsys):
    code, out, _ = run(capsys, "tables", "--table", "tables", "--format", "csv")
    assert 'host_units,"Dynatrace Platform Usage Supplement, effective 2022-11-15, section' in out
    code, out, _ = run(capsys, "tables", "--table", "ddu_weights", "--format", "csv")
    assert "log_monitoring,,log event,0.0005" in out              # the weights themselves
    code, out, _ = run(capsys, "tables", "--table", "rules", "--format", "csv")
    assert "free_defined_properties,20" in out


def test_console_script_runs():
    result = subprocess.run([sys.executable, "-m", "planner", "forecast", "--format", "markdown"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.startswith("### Example estate (baseline)")


# --- issue 10 item 5: a CSV is one table ------------------------------------------------

COMMANDS = {   # every command with its tables on the examples
    "forecast": (["forecast", "--draws", "20"], ["consumption", "pools", "bands", "mainframe"]),
    "forecast by driver": (["forecast", "--period", "month", "--by", "driver"], ["consumption", "pools", "mainframe"]),
    "pools": (["pools", "grail_retention"], ["pools"]),
    "compare": (["compare", *EXAMPLES, "--period", "month"], ["consumption", "pools", "first_exceeded", "monthly"]),
    "hosts": (["hosts", INVENTORY], ["hosts", "totals"]),
    "tables": (["tables"], ["tables", "host_units", "included_custom_metrics", "asu_weights", "dem_weights",
                           "ddu_weights", "cau_weights", "dps_rate_card", "rules"]),
    "support": (["support", "--opened", "2025-03-10 15:00", "--tz", "Europe/Vienna", "--country", "AT",
                 "--released", "2024-05-31"], ["deadlines", "end_of_support"]),
    "licensing": (["licensing", "estate_dps"], ["years", "sections", "drivers", "classic", "prices"]),
    "pools dps": (["pools", "estate_dps"], ["pools"]),
    "size dps": (["size", "estate_dps", "--draws", "20"], ["sizing"]),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_csv_is_one_table_that_pandas_reads(capsys, tmp_path, command):
    argv, names = COMMANDS[command]
    code, out, _ = run(capsys, *argv, "--format", "json")
    tables = json.loads(out)
    assert code == 0 and list(tables) == names
    for name in names:
        target = tmp_path / f"{name}.csv"
        code, _, err = run(capsys, *argv, "--table", name, "-o", str(target))
        frame = pd.read_csv(target)
        assert code == 0 and err == "" and list(frame.columns) == list(tables[name][0])
        assert len(frame) == len(tables[name])


def test_csv_of_several_tables_asks_which(capsys):
    code, out, err = run(capsys, "forecast", "--format", "csv")
    assert code == 2 and out == ""
    assert err.strip() == ("planner: error: a CSV holds one table and this command gives 3: choose one with "
                           "--table consumption | pools | mainframe")
    code, out, _ = run(capsys, "forecast", "--table", "pools", "--format", "markdown")
    assert code == 0 and out.startswith("### pools per contract year") and "consumption per" not in out


# --- item 6: the format follows the extension of --output --------------------------------

def test_output_extension_sets_the_format(capsys, tmp_path):
    book = tmp_path / "new.xlsx"
    code, _, _ = run(capsys, "forecast", "-o", str(book))
    assert code == 0 and openpyxl.load_workbook(book).sheetnames == ["consumption", "pools", "mainframe", "About"]
    code, _, _ = run(capsys, "pools", "-o", str(tmp_path / "p.json"))
    assert json.loads((tmp_path / "p.json").read_text())["pools"][0]["unit"] == "host_unit_hours"
    code, _, _ = run(capsys, "pools", "-o", str(tmp_path / "p.md"))
    assert (tmp_path / "p.md").read_text().startswith("### pools per contract year\n\n| unit | year |")
    code, _, _ = run(capsys, "pools", "-o", str(tmp_path / "p.txt"))
    assert (tmp_path / "p.txt").read_text().startswith("pools per contract year\n=====")
    code, _, _ = run(capsys, "pools", "--format", "csv", "-o", str(tmp_path / "p.dat"))   # explicit: any name
    assert code == 0 and pd.read_csv(tmp_path / "p.dat")["unit"].iloc[0] == "host_unit_hours"


def test_format_and_extension_must_agree(capsys, tmp_path):
    code, _, err = run(capsys, "forecast", "--format", "xlsx", "-o", str(tmp_path / "out.csv"))
    assert code == 2 and err.strip() == (f"planner: error: --format xlsx contradicts --output {tmp_path}/out.csv "
                                         "(a .csv file is csv); drop --format or use an --output ending in .xlsx")
    code, _, err = run(capsys, "pools", "-o", str(tmp_path / "out.dat"))
    assert code == 2 and "cannot tell the format of --output" in err
    assert ".txt, .csv, .json, .md, .xlsx" in err and "table, csv, json, markdown, xlsx" in err
    assert not list(tmp_path.iterdir())                                   # nothing written


# --- item 7: a closed pipe ends quietly ---------------------------------------------------

def test_closed_pipe_stops_quietly():
    # the JSON is about 100 kB, more than a pipe holds, so the writer meets the closed pipe
    with subprocess.Popen([sys.executable, "-m", "planner", "forecast", "--period", "month", "--by", "driver",
                           "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout.readline() == b"{\n"
        proc.stdout.close()                                               # what `| head -1` does
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 0 and err == ""


# --- item 8: one number convention per unit, blanks, width ------------------------------

def test_unit_decimals_come_from_the_weight_tables(tmp_path):
    # the finest published weight of each unit's table: host units 0.075 (infrastructure, Extra Small),
    # DEM 0.25 / 0.01, DDU 0.0005 (log event), ASU 0.25, CAU 1; host unit hours are host units x hours,
    # Premium HA counts host units; DPS quantities and the commitment: no weight table
    from planner.units import DPS_UNITS
    assert _unit_decimals() == {"host_units": 3, "host_unit_hours": 3, "dem": 2, "ddu": 4, "asu": 2, "cau": 0,
                                "msu": 2, "premium_ha": 3} | dict.fromkeys((*DPS_UNITS, "commitment"), 2)
    import planner
    folder = planner.export_tables(tmp_path / "card")
    text = (folder / "cau_weights.csv").read_text().replace("service execution,1", "service execution,1.5")
    (folder / "cau_weights.csv").write_text(text)
    assert _unit_decimals(str(folder))["cau"] == 1


def _numbers(line: str) -> list[str]:
    return re.findall(r"-?[\d,]+(?:\.\d+)?", line)


def test_each_unit_has_one_number_convention(capsys):
    code, out, _ = run(capsys, "forecast")
    rows = {line[:32].strip(): _numbers(line[32:]) for line in out.splitlines()[4:11]}
    assert rows["Host units in use [HU]"] == ["759.022", "820.232", "890.705"]
    assert rows["Cloud automation units [CAU]"] == ["73,000", "73,200", "73,000"]
    assert all(len(v.partition(".")[2]) == 4 for v in rows["Davis data units [DDU]"])
    code, out, _ = run(capsys, "compare", "estate", "fullstack_move", "--table", "consumption")
    host_units = [line for line in out.splitlines() if " host_units " in line]
    # 662.692 and 1,146.572 (not 1,146.57): three decimals for every host-units figure
    assert host_units[0].split()[-3:] == ["1,146.572", "483.880", "+662.692"]
    assert all(len(n.partition(".")[2]) == 3 for line in host_units for n in _numbers(line)[1:] if n != "0")


def test_missing_values_are_blank_in_text_and_null_in_json(capsys):
    code, out, _ = run(capsys, "pools", "--format", "json")
    licence = [r for r in json.loads(out)["pools"] if r["unit"] == "host_units"]
    assert licence[0]["run_out"] is None and licence[0]["consumption_cost"] is None    # no date, no price
    assert licence[1]["run_out"] == "2028-09-01"
    code, out, _ = run(capsys, "pools")
    assert "NaN" not in out and "NaT" not in out and "None" not in out
    first = next(line for line in out.splitlines() if line.startswith("host_units ") and " 1 " in line[:22])
    assert "2027-12-31" in first and "2028" not in first                  # run-out blank in year 1


def test_a_scenario_without_pools_gets_a_message(capsys, tmp_path):
    scenario = tmp_path / "nothing.yaml"
    scenario.write_text(NO_POOLS)
    code, out, _ = run(capsys, "pools", str(scenario))
    assert code == 0 and out == ("pools per contract year\n=======================\n"
                                 "no pools: the contract buys no annual pool and no licence\n")
    code, out, _ = run(capsys, "pools", str(scenario), "--format", "json")
    assert json.loads(out) == {"pools": []}
    code, out, _ = run(capsys, "compare", str(scenario), str(scenario), "--table", "pools")
    assert "no pools" in out and "Empty DataFrame" not in out


@pytest.mark.parametrize("command", COMMANDS)
def test_text_tables_fit_120_columns(capsys, command):
    code, out, _ = run(capsys, *COMMANDS[command][0])
    assert code == 0 and max(len(line) for line in out.splitlines()) <= WIDTH == 120


@pytest.mark.parametrize("example", EXAMPLES[1:])
def test_compare_text_fits_120_columns(capsys, example):
    code, out, _ = run(capsys, "compare", "estate", example, "--period", "month")
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 120


def test_compare_lists_capabilities_in_the_registry_order(capsys):
    code, out, _ = run(capsys, "compare", "estate", "replay_rollout", "--table", "consumption", "--format", "json")
    rows = [r for r in json.loads(out)["consumption"] if r["contract_year"] == 1]
    order = list(CAPABILITIES)
    units = ["host_units", "host_unit_hours", "dem", "ddu", "asu", "cau", "msu"]
    keys = [(units.index(r["unit"]), order.index((r["unit"], r["capability"]))) for r in rows]
    assert keys == sorted(keys) and [r["capability"] for r in rows][:3] == ["fullstack", "infrastructure", "fullstack"]
    dem = [r["capability"] for r in rows if r["unit"] == "dem"]
    assert dem == ["rum_sessions", "session_replay", "defined_properties", "synthetic_clickpath", "synthetic_http"]


# --- item 11: --debug anywhere, help, --version ------------------------------------------

@pytest.mark.parametrize("argv", [["--debug", "forecast", "missing.yaml"], ["forecast", "missing.yaml", "--debug"]])
def test_debug_shows_the_traceback_before_or_after_the_command(argv):
    with pytest.raises(Exception, match="no such scenario file"):
        main(argv)


def test_help_is_plain_text_and_every_option_has_help(capsys):
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command").choices
    for name, sub in [("planner", parser), *subparsers.items()]:
        text = sub.format_help()
        assert "``" not in text and "::" not in text, name
        for action in sub._actions:
            assert action.help and action.help.strip(), (name, action.dest)
    assert "--table NAME" in parser.format_help() and "planner support" in parser.format_help()


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out == f"planner {__version__}\n"


# --- a quick start: each command imports what it needs (issue 17) --------------------------

_IMPORTED = """
import contextlib, io, json, sys
from planner.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
    main(sys.argv[1:])
print(json.dumps({"out": out.getvalue(), "modules": sorted(sys.modules)}))
"""
#: What the command line imports only for a command that needs it
HEAVY = ("pandas", "numpy", "yaml", "plotly", "openpyxl", "httpx", "holidays", "ipywidgets", "dateutil",
         "planner.engine", "planner.scenario", "planner.tableset", "planner.model", "planner.ui")
#: What `planner forecast` needs none of: charts, spreadsheets, HTTP, holiday calendars
NOT_FOR_FORECAST = ("plotly", "openpyxl", "httpx", "holidays", "ipywidgets", "planner.ui", "planner.imports",
                    "planner.support", "planner.export")


def _imported(*argv: str) -> tuple[str, set[str]]:
    """What a fresh interpreter printed and imported for ``planner ARGV``."""
    done = subprocess.run([sys.executable, "-c", _IMPORTED, *argv], check=True, capture_output=True, text=True)
    seen = json.loads(done.stdout)
    return seen["out"], set(seen["modules"])


def _top(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if n in modules or any(m.startswith(n + ".") for m in modules))


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["forecast", "--help"]])
def test_version_and_help_import_nothing_heavy(argv):
    out, modules = _imported(*argv)
    assert out.startswith(f"planner {__version__}" if argv == ["--version"] else "usage: planner")
    assert _top(modules, HEAVY) == []


def test_forecast_imports_only_what_it_uses():
    out, modules = _imported("forecast")
    assert "Example estate (baseline): consumption per contract year" in out
    assert {"pandas", "numpy", "yaml", "planner.engine"} <= modules      # the imports are real, not skipped
    assert _top(modules, NOT_FOR_FORECAST) == []


_COLLECTOR = """
import contextlib, gc, io, json, sys
from planner.cli import main
frozen = []
freeze = gc.freeze
gc.freeze = lambda: (frozen.append(("enabled", gc.isenabled(), "pandas" in sys.modules)), freeze())
with contextlib.redirect_stdout(io.StringIO()):
    status = main(sys.argv[1:])
print(json.dumps({"status": status, "frozen": frozen, "enabled": gc.isenabled(), "count": gc.get_freeze_count()}))
"""


@pytest.mark.parametrize("pandas_first", [False, True])
def test_a_cold_start_imports_pandas_with_the_collector_paused_and_leaves_it_as_it_was(pandas_first):
    code = ("import pandas\n" if pandas_first else "") + _COLLECTOR
    done = subprocess.run([sys.executable, "-c", code, "forecast"], check=True, capture_output=True, text=True)
    seen = json.loads(done.stdout)
    # frozen once, right after pandas was imported with the collector off; nothing where pandas was there
    assert seen["frozen"] == ([] if pandas_first else [["enabled", False, True]])
    assert (seen["status"], seen["enabled"], seen["count"]) == (0, True, 0)


def test_the_package_imports_its_names_on_first_use():
    import planner
    assert set(planner.__all__) == set(planner._WHERE) and set(planner.__all__) <= set(dir(planner))
    for name in planner.__all__:
        assert getattr(planner, name) is getattr(__import__(planner._WHERE[name], fromlist=[name]), name)
    with pytest.raises(AttributeError, match="module 'planner' has no attribute 'forcast'"):
        getattr(planner, "forcast")


# --- item 12: planner support -------------------------------------------------------------

TICKETS = [   # opened, options: what planner.support.response_deadline is asked
    ("2025-03-10 15:00", {"tz": "Europe/Vienna"}),
    ("2025-07-03 15:00", {"tz": "America/New_York", "country": "US"}),
    ("2025-01-03 15:00", {"tz": "Europe/Berlin", "country": "DE", "subdiv": "BY"}),
    ("2025-03-14 22:00", {"tz": "America/Los_Angeles", "government": True}),
    ("2025-03-10 10:00", {"tz": "Europe/Vienna", "closures": ["2025-03-11", "2025-03-12"]}),
]


def _support_argv(opened, options):
    argv = ["support", "--opened", opened, "--tz", options["tz"], "--format", "json", "--table", "deadlines"]
    for key in ("country", "subdiv"):
        argv += [f"--{key}", options[key]] if key in options else []
    for day in options.get("closures", []):
        argv += ["--closure", day]
    return argv + ["--government"] * options.get("government", False)


@pytest.mark.parametrize("opened, options", TICKETS)
def test_support_deadlines_are_the_apis(capsys, opened, options):
    code, out, err = run(capsys, *_support_argv(opened, options))
    rows = json.loads(out)["deadlines"]
    plans = ["enterprise"] if options.get("government") else ["standard", "enterprise"]
    assert code == 0 and err == "" and [(r["plan"], r["severity"]) for r in rows] == [
        (p, s) for p in plans for s in (1, 2, 3, 4)]
    for row in rows:
        expected = support.response_deadline(opened, row["severity"], row["plan"], **options)
        assert pd.Timestamp(row["deadline"]) == expected and row["deadline"] == expected.isoformat()


def test_support_hand_worked_examples(capsys):
    # Support Policy, Standard Critical = 4 business hours (08:00-17:00): Mon 2025-03-10 15:00 Vienna:
    # 2 h to the close, 2 h from Tue 08:00 -> Tue 10:00 CET
    code, out, _ = run(capsys, "support", "--opened", "2025-03-10 15:00", "--tz", "Europe/Vienna",
                       "--severity", "critical", "--plan", "standard", "--format", "csv", "--table", "deadlines")
    assert pd.read_csv(io.StringIO(out)).to_dict("records") == [
        {"plan": "standard", "severity": 1, "name": "critical", "target": "4 Business hours",
         "deadline": "2025-03-11T10:00:00+01:00"}]
    # Thu 2025-07-03 15:00 New York, US holidays: 2 h Thu, Fri Jul 4 holiday, weekend, 2 h Mon -> Mon 10:00 EDT
    code, out, _ = run(capsys, "support", "--opened", "2025-07-03 15:00", "--tz", "America/New_York",
                       "--country", "US", "--severity", "1", "--plan", "standard")
    assert "2025-07-07 10:00:00-04:00" in out
    # Enterprise for Government, Critical = 30 minutes inside 08:00-20:00 New York: opened Fri 22:00 Los
    # Angeles = Sat 01:00 New York, window opens Sat 08:00 -> 08:30 New York = 05:30 Los Angeles
    code, out, _ = run(capsys, "support", "--opened", "2025-03-14 22:00", "--tz", "America/Los_Angeles",
                       "--government", "--severity", "critical", "--format", "json")
    assert json.loads(out)["deadlines"][0]["deadline"] == "2025-03-15T05:30:00-07:00"


def test_support_end_of_support_is_the_apis(capsys):
    code, out, _ = run(capsys, "support", "--released", "2024-05-31", "--format", "json")
    rows = json.loads(out)["end_of_support"]
    assert len(rows) == 6
    for row in rows:
        assert row["end_of_support"] == support.end_of_support("2024-05-31", row["product"], row["plan"]).isoformat()
    # Support Policy "Version support": SaaS Standard 9 months from 2024-05-31 -> no Feb 31 -> 2025-02-28;
    # cluster Enterprise 4 months -> 2024-09-30 (no Sep 31)
    code, out, _ = run(capsys, "support", "--released", "2024-05-31", "--product", "SaaS", "--plan", "standard",
                       "--format", "csv")
    assert out == "product,plan,months,end_of_support\nsaas,standard,9,2025-02-28\n"
    assert support.end_of_support("2024-05-31", "cluster", "enterprise") == dt.date(2024, 9, 30)
    code, out, _ = run(capsys, "support", "--released", "2024-05-31", "--product", "cluster", "--plan", "enterprise")
    assert "cluster  enterprise       4  2024-09-30" in out


def test_support_every_format(capsys, tmp_path):
    argv = ["support", "--opened", "2025-03-10 15:00", "--tz", "Europe/Vienna", "--released", "2024-01-31"]
    for fmt in ("table", "markdown", "json"):
        code, out, _ = run(capsys, *argv, "--format", fmt)
        assert code == 0 and "2025-03-11" in out and "2024-10-31" in out, fmt
    code, _, _ = run(capsys, *argv, "-o", str(tmp_path / "support.xlsx"))
    sheets = pd.read_excel(tmp_path / "support.xlsx", sheet_name=None)
    assert sheets["end_of_support"].set_index(["Product", "Plan"]).loc[("saas", "standard"), "End of support"] \
        == "2024-10-31"


# --- item 13 and issue 9 item 3: compare per pool and year ------------------------------

def test_compare_shows_cost_delta_and_extra_needed_per_pool_and_year(capsys):
    code, out, _ = run(capsys, "compare", "estate", "fullstack_move", "--table", "pools", "--format", "json")
    rows = {(r["unit"], r["year"]): r for r in json.loads(out)["pools"]}
    hours = rows[("host_unit_hours", 1)]
    # estate.yaml: host_unit_hours pool 7,000,000 a year at 0.01 per HU h
    assert hours["consumption_delta"] == pytest.approx(hours["consumption"] - hours["baseline_consumption"], abs=2e-3)
    assert hours["cost_delta"] == pytest.approx(hours["consumption_delta"] * 0.01, abs=0.01)
    assert hours["extra_needed"] == pytest.approx(hours["consumption"] - 7_000_000, abs=1e-3)
    assert (hours["consumption_delta"], hours["cost_delta"], hours["extra_needed"]) == (
        2914979.873, 29149.8, 2192811.817)
    assert rows[("host_units", 1)]["cost_delta"] is None                  # the licence has no price
    code, out, _ = run(capsys, "compare", "estate", "fullstack_move", "--table", "pools")
    header = next(line for line in out.splitlines() if line.startswith("unit "))
    assert header.split("  ")[0:1] == ["unit"] and ["Δ consumption", "Δ cost", "extra needed"] == [
        h.strip() for h in re.split(r"\s{2,}", header)[3:6]]
    line = next(line for line in out.splitlines() if line.startswith("host_unit_hours     1"))
    assert line.split()[2:6] == ["9,192,811.817", "+2,914,979.873", "+29,149.80", "2,192,811.817"]


def test_engine_compare_returns_tidy_numbers():
    base, moved = forecast("planner/examples/estate.yaml"), forecast(str(example_path("fullstack_move")))
    result = compare(base, moved)
    assert list(result) == ["monthly", "yearly", "pools", "first_exceeded"]
    for name, frame in result.items():
        assert not any("Δ" in str(c) for c in frame.columns), name
    monthly = result["monthly"]
    assert list(monthly.columns) == ["scenario", "baseline", "unit", "month", "value", "baseline_value", "delta"]
    april = monthly[(monthly["unit"] == "host_units") & (monthly["month"] == pd.Period("2027-04", "M"))]
    assert april["delta"].item() == pytest.approx(300 * (2 - 0.6))       # 300 hosts of 32 GiB: 0.6 -> 2 HU
    assert set(monthly["scenario"]) == {"Move 300 app hosts to full-stack"}
    assert set(monthly["baseline"]) == {"Example estate (baseline)"}
    yearly = result["yearly"]
    assert list(yearly.columns) == ["scenario", "baseline", "contract_year", "unit", "capability", "value",
                                    "baseline_value", "delta"]
    pools = result["pools"].set_index(["unit", "year"])
    assert pools.loc[("host_unit_hours", 1), "cost_delta"] == pytest.approx(
        pools.loc[("host_unit_hours", 1), "consumption_delta"] * 0.01)
    assert pd.isna(pools.loc[("host_units", 1), "cost"])
