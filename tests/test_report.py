"""planner report: one self-contained HTML file whose figures are the engine's
(the browser side is tests/browser/test_report.py)."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from planner._assets import plotly_js
from planner._numbers import number
from planner.cli import main
from planner.engine import forecast
from planner.report import ReportInput, report_html
from planner.scenario import example_path, load_scenario

SMALL = """
name: small <report>
currency: EUR
contract:
  start: 2027-01-01
  pools:
    cau: {annual: 10_000, price: 0.02, overage_price: 0.03}
cloud_automation:
  - {name: pipeline, executions_per_day: 30}
"""


def _charts(text: str) -> dict:
    found = re.search(r'<script id="planner-charts" type="application/json">(.*?)</script>', text, re.S)
    return json.loads(found.group(1))


def _values(array) -> np.ndarray:
    return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))


@pytest.fixture(scope="module")
def small() -> str:
    return report_html(ReportInput(load_scenario(SMALL), SMALL), draws=50)


def test_sections_and_no_external_resource(small):
    for section in ("summary", "consumption", "burn-down", "pools", "sizing", "scenario"):
        assert f'<section id="{section}">' in small
    assert 'id="comparison"' not in small                       # no variants given
    assert "Content-Security-Policy" in small and "connect-src 'none'" in small
    page = re.sub(r"<script>.*?</script>", "", small, count=1, flags=re.S)      # less the inlined plotly.js
    assert small.count(plotly_js().decode()) == 1 and plotly_js().decode() not in page    # inlined once, first
    assert not re.search(r'(src|href)="(https?:)?//', page) and "<link" not in page   # nothing to fetch
    assert "small &lt;report&gt;" in small and "<report>" not in small.split("<pre>")[0]   # text is escaped


def test_figures_are_the_engines(small):
    fc = forecast(load_scenario(SMALL))
    charts = _charts(small)
    assert set(charts) == {"consumption-cau", "burndown-cau"}
    bars = charts["consumption-cau"]["data"][0]
    assert _values(bars["y"]).tolist() == [round(v) for v in fc.monthly()["cau"]]      # 930, 840, ...
    line = next(t for t in charts["burndown-cau"]["data"] if t["name"] == "Cumulative consumption")
    assert (line["x0"], line["dx"]) == ("2027-01-01", 86_400_000)                       # one point a day
    assert _values(line["y"])[:3].tolist() == [30, 60, 90]
    run_out = next(t for t in charts["burndown-cau"]["data"] if t["name"] == "Runs out")
    assert run_out["x"] == ["2027-11-30"]      # 30 a day: day 334 (30 November) reaches 10,020 > 10,000
    pools = fc.pools().iloc[0]
    assert f"<td class=\"n\">{number(pools['extra_needed'], 0)}</td>" in small          # 950
    assert "<td class=\"\">2027-11-30</td>" in small


def test_cli_report_with_variants(tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", "estate", "fullstack_move", "--draws", "20", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "<section id=\"comparison\">" in text and "Move 300 app hosts to full-stack" in text
    assert "<td class=\"\">never</td>" in text and "<td class=\"\">2027-04</td>" in text   # host units, the move
    assert example_path("fullstack_move").read_text(encoding="utf-8").splitlines()[0] in text
    assert out.stat().st_size < 5_000_000
    assert main(["report", "estate", "-o", str(out)]) == 2
    assert "exists; add --force" in capsys.readouterr().err
    assert main(["report", "estate", "-o", str(tmp_path / "r.pdf")]) == 2
    assert "-o must name a .html file" in capsys.readouterr().err
    assert main(["report", "estate", "--risk", "2", "-o", str(tmp_path / "x.html")]) == 2
    assert "--risk must be a number >= 0 and < 1" in capsys.readouterr().err


# --- "Download this report" on the overview and renewal pages --------------------------------

def _summary(content: bytes) -> str:
    text = content.decode("utf-8")
    return text[text.index('<section id="summary">'):text.index('<section id="consumption">')]


def test_overview_offers_the_report_of_the_scenario_shown():
    from planner.ui.pages import overview
    board = overview.dashboard()
    download = board.find("download-report")
    assert board.find("ctl-download-report").description == "Download this report"
    board.find("ctl-scenario").value = "fullstack_move"
    content = download.prepare()
    assert "Move 300 app hosts to full-stack" in _summary(content)
    assert "extends: estate.yaml" in content.decode("utf-8")          # the file as written
    assert "Move-300-app-hosts-to-full-stack-report.html" in download.status.value


def test_renewal_report_uses_the_pages_draws_seed_and_risk():
    from planner.ui.pages import renewal
    board = renewal.dashboard(draws=500, seed=3, risk=0.2)
    content = board.find("download-report").prepare()
    assert "500 Monte Carlo draws, seed 3, accepted risk 0.2" in _summary(content)
    assert "Amount at risk 0.2" in content.decode("utf-8")


def test_cost_center_section_is_the_engines_breakdown():
    text = report_html(ReportInput(load_scenario(example_path("estate")), ""), draws=0)
    section = text[text.index('<section id="cost-centers">'):text.index('<section id="scenario">')]
    row = forecast("estate").breakdown("cost_center").query("contract_year == 2 and unit == 'ddu' "
                                                              "and cost_center == 'platform'").iloc[0]
    assert (f'<td class="n">2</td><td class="">ddu</td><td class="">platform</td>'
            f'<td class="n">{number(row["consumption"], 4)}</td><td class="n">{number(row["cost"], 2)}</td>') in section
    assert "Pools that run out: the overrun shared by consumption" in section and "grows most" in section
    assert 'id="sizing"' not in text          # no draws, no sizing


def test_dps_report_points_to_its_own_sizing(tmp_path):
    out = tmp_path / "dps.html"
    assert main(["report", "estate_dps", "estate", "--draws", "50", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "A DPS commitment is sized per discount tier" in text
    assert "burndown-commitment" in _charts(text)
