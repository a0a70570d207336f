"""The planner command line: formats, outputs, guardrail and clear errors."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from planner.cli import main
from planner.scenario import example_path

INVENTORY = str(example_path("estate").parent / "inventory.csv")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_forecast_prints_a_readable_table(capsys):
    code, out, err = run(capsys, "forecast")
    assert code == 0 and err == ""
    assert "Example estate (baseline): consumption per contract year" in out
    assert "Host unit hours [HU h]" in out and "2,803,200" in out     # ASU year 1: 40 x 8 x 24 x 365
    assert "pools" in out and "2028-09-01" in out                       # host units licence exceeded


def test_forecast_json_by_month_and_capability(capsys):
    code, out, _ = run(capsys, "forecast", "estate", "--period", "month", "--by", "capability", "--format", "json")
    tables = json.loads(out)
    rows = next(v for k, v in tables.items() if "per month" in k)
    cau = [r for r in rows if r["month"] == "2027-01" and r["capability"] == "cloud_automation"]
    assert cau == [{"month": "2027-01", "unit": "cau", "capability": "cloud_automation", "value": 6200.0}]


def test_csv_markdown_and_xlsx_outputs(capsys, tmp_path):
    code, out, _ = run(capsys, "pools", "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("unit,year,start,end,days_covered,amount")
    code, out, _ = run(capsys, "hosts", INVENTORY, "--format", "markdown", "--totals-only")
    assert "| total | 12 | 18.075 |" in out      # 14.6 full-stack + 3.475 infrastructure host units
    target = tmp_path / "forecast.xlsx"
    code, _, _ = run(capsys, "forecast", "--format", "xlsx", "--output", str(target))
    assert code == 0 and set(pd.read_excel(target, sheet_name=None)) >= {"pools"}


def test_output_is_never_overwritten_without_force(capsys, tmp_path):
    target = tmp_path / "mine.csv"
    target.write_text("my notes")
    code, _, err = run(capsys, "pools", "--format", "csv", "--output", str(target))
    assert code == 2 and "exists; add --force to overwrite it" in err and target.read_text() == "my notes"
    code, _, _ = run(capsys, "pools", "--format", "csv", "--output", str(target), "--force")
    assert code == 0 and target.read_text().startswith("unit,year")


def test_fail_on_overrun_gates_a_pipeline(capsys, tmp_path):
    code, _, err = run(capsys, "pools", "--fail-on-overrun")
    assert code == 3 and "host_units year 2: runs out 2028-09-01" in err
    roomy = tmp_path / "roomy.yaml"
    roomy.write_text("name: roomy\ncontract:\n  start: 2027-01-01\n  pools: {cau: {annual: 100000}}\n"
                     "cloud_automation:\n  - {name: ci, executions_per_day: 10}\n")
    code, _, _ = run(capsys, "pools", str(roomy), "--fail-on-overrun")
    assert code == 0


def test_compare_two_examples(capsys):
    code, out, _ = run(capsys, "compare", "estate", "fullstack_move", "--format", "csv")
    assert code == 0 and "first month a pool is exceeded" in out and "2027-04" in out


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


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(Exception, match="no such scenario file"):
        main(["forecast", "missing.yaml", "--debug"])


def test_progress_goes_to_stderr(capsys):
    code, _, err = run(capsys, "forecast", "--progress")
    assert "loading scenario" in err and "simulating 15 drivers over 1096 days" in err


def test_tables_lists_provenance(capsys):
    code, out, _ = run(capsys, "tables", "--format", "csv")
    assert "host_units,Dynatrace Platform Usage Supplement" in out and "free_defined_properties,20" in out


def test_console_script_runs():
    result = subprocess.run([sys.executable, "-m", "planner", "forecast", "--format", "markdown"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.startswith("### Example estate (baseline)")
