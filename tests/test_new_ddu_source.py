"""docs/architecture.md promises: to add a DDU source, add its weight and one
``Section`` entry to ``planner.sections.SECTIONS``; scenario files, the engine,
the CLI and the DDU and Grail page take it from there. This test does exactly
that, in a fresh interpreter (the registry is module state), and checks each
face.

The new source reuses the custom-event weight (0.001 DDU per event, Platform
Usage Supplement, "Davis Data Units", custom events), so 1,000 events a day
for the 31 days of January 2027 are 31 DDU.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, sys
    from planner import ddu, fields as f, sections
    from planner.sections import REQUIRED, Section, _caps

    def consume(d):
        yield "ddu", "metric_events", d.level("events_per_day") * ddu.custom_event_ddu(1, tables=d.tables)

    sections.SECTIONS["metric_events"] = Section(
        "metric_events", "metric event source",
        {"name": (f.text, REQUIRED), "events_per_day": (f.number(unit="events"), REQUIRED),
         "growth": (f.growth, None)},
        volume=("events_per_day",), capabilities=_caps("ddu", ("metric_events", "Metric events")),
        consume=consume)

    from planner.cli import main
    from planner.engine import readmodel
    from planner.sections import capability_label
    print(json.dumps({"ddu_sections": list(readmodel.DDU_SECTIONS),
                      "label": capability_label("ddu", "metric_events")}))
    sys.exit(main(["forecast", sys.argv[1], "--period", "month", "--by", "capability",
                   "--table", "consumption", "--format", "json"]))
""")


def test_a_new_ddu_source_is_one_registry_entry(tmp_path):
    scenario = tmp_path / "events.yaml"
    scenario.write_text("name: Metric events\ncontract: {start: 2027-01-01, term_years: 1}\n"
                        "metric_events:\n  - {name: bus, events_per_day: 1000}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(scenario)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    first_line, rest = done.stdout.split("\n", 1)
    registry = json.loads(first_line)
    assert registry["label"] == "Metric events"                 # the CLI, exports and pages label it so
    assert "metric_events" in registry["ddu_sections"]          # the DDU and Grail page lists it
    rows = json.loads(rest)["consumption"]
    january = [r for r in rows if r["month"] == "2027-01" and r["capability"] == "metric_events"]
    assert [(r["unit"], r["value"]) for r in january] == [("ddu", 31.0)]
