"""The HTML report (planner report) in a real browser, opened from a file with no
server: every chart is drawn by the inlined plotly.js, and no request leaves the
machine (every request of the page is recorded; only the file itself is read)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import voila_page as vp

from planner.cli import main

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    assert main(["report", "estate", "fullstack_move", "replay_rollout", "--draws", "200", "-o", str(path)]) == 0
    return path


def test_report_draws_its_charts_offline(browser: Any, report: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 2000})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    # anything but the file itself is refused, so a missed fetch fails loudly instead of waiting
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                  else route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(report.as_uri())
        charts = page.locator("div.chart")
        count = charts.count()
        assert count == 12      # 7 units' consumption and 5 pools' burn-down
        page.wait_for_function(f"document.querySelectorAll('div.chart[data-drawn=\"1\"]').length === {count}",
                               timeout=30_000)
        for i in range(count):
            chart = charts.nth(i)
            assert chart.locator("svg.main-svg").count() >= 1
            assert chart.locator("g.trace").count() > 0                       # traces, not an empty frame
            marks = "g.point" if chart.get_attribute("id").startswith("consumption") else "path.js-line"
            assert chart.locator(marks).count() > 0                           # bars or lines drawn
        title = page.locator("#burndown-ddu .gtitle").text_content()
        assert "Davis data units" in title and "burn-down" in title
        assert page.locator("#comparison table").count() == 2
        assert "fullstack_move" in page.locator("#scenario").inner_text() or \
            "Full-stack move" in page.locator("#scenario").inner_text()
        (vp.ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(vp.ARTIFACTS / "screenshots" / "report.png"), full_page=False)
    finally:
        context.close()
    assert errors == []
    assert requests and all(url.startswith("file:") for url in requests), requests
    assert [u for u in requests if u != report.as_uri()] == []


@pytest.mark.parametrize("name", ["overview", "renewal"])
def test_download_this_report_from_a_page(name: str, voila_server: Any, recorded_page: Any) -> None:
    """The page's "Download this report" hands the browser one HTML file of the scenario shown."""
    page = recorded_page.page
    vp.open_dashboard(page, voila_server.base_url, name, recorded=recorded_page)
    button = page.locator(".ctl-download-report button, button.ctl-download-report").first
    with page.expect_download(timeout=60_000) as caught:
        button.click()
    download = caught.value
    assert download.suggested_filename == "Example-estate--baseline-report.html"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<h1>Example estate (baseline)</h1>" in text
    assert len(text.encode("utf-8")) < 5_000_000
    assert vp.python_errors(page) == [] and recorded_page.problems() == []
