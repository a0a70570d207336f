"""Every dashboard in ``notebooks/`` opened in Chromium through Voila.

For each notebook found at collection time: the page loads with HTTP 200, no
console error, no page error, no traceback or ``.planner-error`` message, a
``.planner-dashboard`` root is shown, and (except ``index``) at least one
plotly chart is drawn. The landing page ``index`` links to every other
notebook and each local link answers HTTP 200. Per-dashboard interactions come
from :data:`INTERACTIONS`. The Voila server log is checked last.
Screenshots: ``test-artifacts/screenshots/<name>.png``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import pytest

import voila_page as vp

pytestmark = pytest.mark.browser

NOTEBOOKS_DIR = Path(os.environ.get("PLANNER_NOTEBOOKS") or vp.NOTEBOOKS).resolve()
NAMES = sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb")) if NOTEBOOKS_DIR.is_dir() else []
LANDING = "index"
NO_NOTEBOOKS = pytest.param(None, marks=pytest.mark.skip(reason=f"no notebooks in {NOTEBOOKS_DIR} yet"))

# ---------------------------------------------------------------------------------------
# Per-dashboard interactions: FILL IN from the notebook author's report.
#
# Key: the notebook's name (without .ipynb). Value: either a dict spec, run by
# voila_page.interaction(page, spec) and also used by bench/dashboards.py, or a
# callable ``check(page)`` that does its own actions and asserts.
#
# Spec keys (all optional):
#   selector  the control: a CSS selector; ".ctl-<name>" finds the slider handle
#             inside it for "press" (default: the first ".noUi-handle")
#   action    "press" (with "key", default "ArrowRight"), "select" (with "value":
#             the option's label as the Dropdown shows it, e.g. "DEM units"),
#             "fill" (with "value"; Enter is pressed after), "click",
#             or a callable action(page)
#   chart     selector under which a plotly chart must re-render, e.g.
#             ".chart-bands" (default: any chart of the dashboard)
#   kpi       KPI name (".kpi-<name>") or selector whose text is checked
#   before    text the KPI must contain before the action
#   after     text the KPI must contain after it (default: any change)
#
# Example (hypothetical names and values):
#   "hosts": {"selector": ".ctl-move-hosts", "action": "press", "key": "ArrowRight",
#             "chart": ".chart-host-units", "kpi": "host-units",
#             "before": "1,181 host units", "after": "1,205 host units"},
# Expected values are what the engine gives (also asserted without a browser
# in tests/test_ui_pages.py): e.g. hosts, one web host from full-stack to
# infrastructure on the first day: per day 288 DDU of custom metrics become
# (1,200 - 200) x 1,440 x 0.001 = 1,440, and contract year 1 (growth 1 %/month)
# goes from 13,335,280 to 13,779,790 DDU.
INTERACTIONS: dict[str, dict[str, Any] | Callable[[Any], None]] = {
    "overview": {"selector": ".ctl-unit", "action": "select", "value": "DEM units",
                 "chart": ".chart-burndown", "kpi": "consumption",
                 "before": "759 HU", "after": "14,749,768 DEM units"},
    "hosts": {"selector": ".ctl-move-hosts", "action": "press", "key": "ArrowRight",
              "chart": ".chart-move", "kpi": "metric-ddu",
              "before": "13,335,280 DDU", "after": "13,779,790 DDU"},
    "digital_experience": {"selector": ".ctl-replay-share", "action": "press", "key": "ArrowRight",
                           "chart": ".chart-replay", "kpi": "rum-dem",
                           "before": "900,000 DEM units", "after": "922,500 DEM units"},
    "ddu_grail": {"selector": ".ctl-retention", "action": "press", "key": "ArrowRight",
                  "chart": ".chart-store", "kpi": "stored-gb", "before": "19,502 GB", "after": "20,054 GB"},
    "comparison": {"selector": ".ctl-unit", "action": "select", "value": "Host unit hours",
                   "chart": ".chart-delta", "kpi": "delta-year1",
                   "before": "+464 HU", "after": "+2,914,980 HU h"},
    # renewal: the example's host unit hours in year 3, committed 7,000,000 HU h at 0.01 EUR plus
    # 0.015 EUR overage: EUR 76,155 expected (tests/test_sizing.py); one step up the slider commits more.
    "renewal": {"selector": ".ctl-committed", "action": "press", "key": "ArrowRight",
                "chart": ".chart-cost", "kpi": "expected-cost", "before": "EUR 76,155"},
    # licensing: the example estate at 10 % off the DPS rate card and 0.9 EUR per USD, over three
    # years (tests/test_licensing.py); the DPS example (commitment 900,000 a year) moves it.
    "licensing": {"selector": ".ctl-example", "action": "select", "value": "estate_dps",
                  "chart": ".chart-years", "kpi": "dps", "before": "EUR 3,089,814", "after": "EUR 3,107,793"},
    "support": {"selector": ".ctl-severity", "action": "select", "value": "2 high",
                "chart": ".chart-timeline", "kpi": "standard-deadline",
                "before": "Tue 2025-03-11 10:00 CET", "after": "Tue 2025-03-11 17:00 CET"},
}
# ---------------------------------------------------------------------------------------


def _report(name: str, rec: vp.RecordedPage, errors: list[str]) -> str:
    lines = [f"dashboard {name}: screenshot {vp.SCREENSHOTS / (name + '.png')}"]
    lines += errors + rec.problems()
    return "\n".join(lines)


@pytest.mark.parametrize("name", NAMES or [NO_NOTEBOOKS])
def test_dashboard_loads(name, voila_server, recorded_page, record_timing, page_statuses):
    page = recorded_page.page
    expect_chart = name != LANDING
    timings = vp.open_dashboard(page, voila_server.base_url, name, expect_chart=expect_chart,
                                screenshot=vp.SCREENSHOTS / f"{name}.png", recorded=recorded_page)
    page_statuses[vp.render_url(voila_server.base_url, name)] = timings.status
    record_timing("dashboard", name, **{k: v for k, v in timings.as_dict().items()
                                        if isinstance(v, float)})
    errors = vp.python_errors(page)
    assert timings.status == 200
    assert recorded_page.blocked == [], f"{name}: requests that would leave the machine"
    assert errors == [] and recorded_page.problems() == [], _report(name, recorded_page, errors)
    assert page.locator(vp.DASHBOARD_ROOT).count() >= 1
    if expect_chart:
        assert page.locator(vp.CHART).count() >= 1, _report(name, recorded_page, errors)


@pytest.mark.skipif(LANDING not in NAMES, reason=f"no {LANDING}.ipynb in {NOTEBOOKS_DIR} yet")
def test_index_links_every_dashboard(voila_server, recorded_page, page_statuses):
    page = recorded_page.page
    vp.open_dashboard(page, voila_server.base_url, LANDING, expect_chart=False, recorded=recorded_page)
    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('#rendered_cells a[href]'), a => a.href)")
    linked = {Path(urlsplit(h).path).name for h in hrefs}
    missing = [n for n in NAMES if n != LANDING and f"{n}.ipynb" not in linked]
    assert missing == [], f"{LANDING} has no link to {missing}; its links: {hrefs}"

    bad = {}
    for href in sorted({h.split("#")[0] for h in hrefs if vp.is_local(h) and h.startswith("http")}):
        status = page_statuses.get(href)
        if status is None:  # not loaded by test_dashboard_loads: ask Voila (this runs the notebook)
            resp = recorded_page.context.request.get(href, timeout=120_000)
            status = page_statuses[href] = resp.status
            # no page connects to that kernel: the server ends it (connect_timeout)
        if status != 200:
            bad[href] = status
    assert bad == {}, f"links of {LANDING} that do not answer 200: {bad}"


@pytest.mark.parametrize("name", sorted(INTERACTIONS) or [pytest.param(
    None, marks=pytest.mark.skip(reason="INTERACTIONS in tests/browser/test_dashboards.py is empty"))])
def test_interaction(name, voila_server, recorded_page, record_timing):
    if name not in NAMES:
        pytest.fail(f"INTERACTIONS names {name!r} but there is no {NOTEBOOKS_DIR / name}.ipynb")
    page = recorded_page.page
    vp.open_dashboard(page, voila_server.base_url, name, recorded=recorded_page)
    spec = INTERACTIONS[name]
    if callable(spec):
        spec(page)
    else:
        result = vp.interaction(page, spec)
        record_timing("interaction", name, interaction=result["seconds"])
    errors = vp.python_errors(page)
    assert errors == [] and recorded_page.problems() == [], _report(name, recorded_page, errors)


@pytest.mark.skipif(not NAMES, reason=f"no notebooks in {NOTEBOOKS_DIR} yet")
def test_server_log_is_clean(voila_server):
    """Runs last: nothing the pages above did left a traceback or an ERROR in Voila's log."""
    problems = voila_server.log_problems()
    assert problems == [], f"Voila log {voila_server.log_path}:\n" + "\n".join(problems[:40])
