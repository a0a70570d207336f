"""planner import dps-events: billing usage events to actuals.csv in DPS units
(docs/rules.md#dps-usage-events)."""

import json

import pandas as pd
import pytest

from planner.imports.dps_events import ImportError_, events_to_actuals, import_dps_events, read_events

GIB = 2 ** 30
CSV = f"""event.id,event.type,timestamp,billed_gibibyte_hours,billed_host_hours,billed_bytes
a1,Full-Stack Monitoring,2027-01-31T23:45:00Z,4.25,,
a1,Full-Stack Monitoring,2027-01-31T23:45:00Z,4.25,,
a2,Full-Stack Monitoring,2027-02-01T00:00:00Z,2.5,,
b1,Infrastructure Monitoring,2027-01-10T10:15:00Z,,0.25,
c1,Log Management & Analytics - Ingest & Process,2027-01-10T10:00:00Z,,,{3 * GIB}
c2,Log Management & Analytics - Retain,2027-01-10T10:00:00Z,,,{48 * GIB}
d1,AppEngine Functions - Small,2027-01-10T10:00:00Z,,,
"""


def test_events_become_monthly_actuals_deduplicated_on_event_id(tmp_path):
    source = tmp_path / "events.csv"
    source.write_text(CSV)
    target, actuals, notes = import_dps_events(source, tmp_path / "out")
    assert target.read_text().startswith("month,unit,capability,driver,value\n")
    got = {(r.month, r.unit): r.value for r in actuals.itertuples()}
    assert got == {("2027-01", "fullstack_gib_hours"): 4.25, ("2027-02", "fullstack_gib_hours"): 2.5,
                   ("2027-01", "infrastructure_host_hours"): 0.25, ("2027-01", "log_ingest_gib"): 3.0,
                   ("2027-01", "log_retain_gib_days"): 2.0}   # 48 GiB held for one hour = 2 GiB-days
    assert notes == ["1 repeated events (same event.id) dropped",
                     "1 events of 'AppEngine Functions - Small' left out: the rate card prices no such capability"]
    from planner.imports.backtest import read_actuals
    assert len(read_actuals(target)) == 5      # backtest reads it: DPS units are units


def test_json_export_reads_like_csv(tmp_path):
    records = read_events(CSV.encode()).to_dict("records")
    as_json = tmp_path / "events.json"
    as_json.write_text(json.dumps({"records": records}))
    from_json, _ = events_to_actuals(read_events(as_json))
    from_csv, _ = events_to_actuals(read_events(CSV.encode()))
    pd.testing.assert_frame_equal(from_json, from_csv)


def test_bad_rows_are_named_one_line_each_and_nothing_is_written(tmp_path):
    source = tmp_path / "events.csv"
    source.write_text("event.id,event.type,timestamp,billed_host_hours,billed_bytes\n"
                      ",Infrastructure Monitoring,2027-01-01T00:00:00Z,1,\n"
                      "x2,Infrastructure Monitoring,yesterday,1,\n"
                      "x3,Infrastructure Monitoring,2027-01-01T00:00:00Z,-1,\n"
                      "x4,Infrastructure Monitoring,2027-01-01T00:00:00Z,1,5\n")
    with pytest.raises(ImportError_) as error:
        import_dps_events(source, tmp_path / "out")
    assert str(error.value).splitlines() == [
        f"{source}: row 2, column 'event.id': empty",
        f"{source}: row 3, column 'timestamp': 'yesterday' is not a date and time",
        f"{source}: row 4, column 'billed_host_hours': '-1' is not a number >= 0",
        f"{source}: row 5 (Infrastructure Monitoring): needs exactly one billed_* value; got billed_host_hours, "
        "billed_bytes"]
    assert not (tmp_path / "out").exists()


def test_existing_actuals_are_kept_unless_forced(tmp_path):
    source = tmp_path / "events.csv"
    source.write_text(CSV)
    out = tmp_path / "out"
    out.mkdir()
    (out / "actuals.csv").write_text("old")
    with pytest.raises(ImportError_, match="already exists; choose another --out or give --force-out"):
        import_dps_events(source, out)
    assert (out / "actuals.csv").read_text() == "old"
    import_dps_events(source, out, force=True)
    assert (out / "actuals.csv").read_text().startswith("month,unit")
    assert [p.name for p in out.iterdir()] == ["actuals.csv"]      # no partial file left


def test_missing_columns_and_bad_json_are_named(tmp_path):
    with pytest.raises(ImportError_, match="missing column 'event.id'"):
        events_to_actuals(pd.DataFrame({"event.type": ["x"], "timestamp": ["2027-01-01"]}))
    bad = tmp_path / "e.json"
    bad.write_text("[{\"event.id\": 1,}]")
    with pytest.raises(ImportError_, match="not valid JSON"):
        read_events(bad)


def test_cli_import_dps_events(tmp_path, capsys):
    from planner.cli import main
    source = tmp_path / "events.csv"
    source.write_text(CSV)
    code = main(["import", "dps-events", str(source), "--out", str(tmp_path / "o"), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["written"][0]["rows"] == 5 and len(out["notes"]) == 2
    code = main(["import", "dps-events", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o2")])
    assert code == 2 and "nope.csv: no such file" in capsys.readouterr().err
