"""The overview in Chromium with an import's files uploaded through its own
buttons: scenario.yaml, hosts.csv and actuals.csv of ``planner import files``
(tests/fixtures/dynatrace_api.py) give the actual-against-modelled chart and
its error card; the numbers are those of tests/test_ui_overview.py."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import voila_page as vp

pytestmark = pytest.mark.browser

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    from fixtures import dynatrace_api as fx
    from planner.imports.baseline import import_files
    tmp = tmp_path_factory.mktemp("import")
    (tmp / "hosts.json").write_text(fx.hosts_json())
    (tmp / "metrics.csv").write_text(fx.metrics_csv())
    import_files(tmp / "hosts.json", [tmp / "metrics.csv"], tmp / "env")
    return tmp / "env"


def _message(page: Any) -> str:
    return " ".join(page.locator(".planner-error").first.inner_text().split())


def _send(page: Any, control: str, path: Path) -> None:
    page.locator(f".ctl-{control} input[type=file]").set_input_files(str(path))


def test_upload_of_an_import_shows_actual_against_modelled(page: Any, voila_server: Any, imported: Path) -> None:
    vp.open_dashboard(page, voila_server.base_url, "overview")
    assert page.locator(".chart-actuals").count() == 0 and page.locator(".kpi-backtest-error").count() == 0
    _send(page, "upload-scenario", imported / "scenario.yaml")
    assert vp.wait_for(lambda: "hosts.csv" in _message(page), timeout=60), _message(page)
    _send(page, "upload-inventory", imported / "hosts.csv")
    assert vp.wait_for(lambda: page.locator(".note-scenario").inner_text().startswith("Imported baseline"),
                       timeout=60), _message(page)
    _send(page, "upload-actuals", imported / "actuals.csv")
    # host units (the first unit): three months, 7.1 HU modelled and actual in each
    assert vp.wait_for(lambda: page.locator(".kpi-backtest-error").count() == 1, timeout=60), _message(page)
    assert vp.kpi_value(page, "backtest-error") == "0 %"
    page.locator(".ctl-unit select").select_option(value="Davis data units")
    assert vp.wait_for(lambda: vp.kpi_value(page, "backtest-error") == "0.0122 %", timeout=60), _message(page)
    chart = page.locator(".chart-actuals .js-plotly-plot .main-svg").first
    chart.wait_for(timeout=30_000)
    # the card's text arrives before plotly.js has redrawn the chart in place: wait for the new title
    wanted = "Davis data units: actual and modelled per month, then the forecast"
    title = lambda: page.locator(".chart-actuals .gtitle").first.text_content()   # noqa: E731
    assert vp.wait_for(lambda: title() == wanted, timeout=30), title()
    assert page.locator(".chart-actuals .legendtext").all_text_contents() == ["Actual", "Modelled", "Forecast"]
    assert _message(page) == "" and not vp.python_errors(page)
    vp.full_screenshot(page, vp.SCREENSHOTS / "overview-actuals.png")
    page.locator(".ctl-scenario select").select_option(value="Example estate (baseline)")
    assert vp.wait_for(lambda: page.locator(".chart-actuals").count() == 0, timeout=60), _message(page)
