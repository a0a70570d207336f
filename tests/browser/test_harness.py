"""Self-test of the browser harness on tiny notebooks written here, independent
of the dashboards in ``notebooks/``: Voila starts and stops, pages load, KPIs
are read, a slider moves a chart, and Python errors are detected."""

from __future__ import annotations

from pathlib import Path

import pytest

import voila_page as vp

pytestmark = pytest.mark.browser

TINY = '''\
import ipywidgets as widgets
import plotly.graph_objects as go


def figure(n):
    return go.Figure(go.Bar(x=list(range(1, n + 1)), y=[i * i for i in range(1, n + 1)]),
                     layout=dict(title=f"squares up to {n}", height=320))


def chart_outputs(fig):
    return ({"output_type": "display_data", "data": fig._repr_mimebundle_(), "metadata": {}},)


def kpi_html(n):
    return f"<b>sum of squares</b> n={n}: {sum(i * i for i in range(1, n + 1))}"


slider = widgets.IntSlider(value=3, min=1, max=10, description="n")
slider.add_class("ctl-n")
kpi = widgets.HTML(kpi_html(3))
kpi.add_class("kpi-n")
out = widgets.Output()
out.add_class("chart-n")
out.outputs = chart_outputs(figure(3))


def on_change(change):
    kpi.value = kpi_html(change["new"])
    out.outputs = chart_outputs(figure(change["new"]))


slider.observe(on_change, names="value")
page = widgets.VBox([slider, kpi, out])
page.add_class("planner-dashboard")
page.add_class("dash-tiny")
page
'''

BROKEN = '''\
import ipywidgets as widgets
page = widgets.VBox([widgets.HTML("half a page")])
page.add_class("planner-dashboard")
display(page)
1 / 0
'''


def _write(folder: Path, name: str, *sources: str) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nb = new_notebook(cells=[new_markdown_cell(f"# {name}"), *(new_code_cell(s) for s in sources)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / f"{name}.ipynb")


@pytest.fixture(scope="module")
def harness_server(start_voila, tmp_path_factory) -> vp.VoilaServer:
    folder = tmp_path_factory.mktemp("harness-notebooks")
    _write(folder, "tiny", TINY)
    _write(folder, "broken", BROKEN)
    return start_voila(folder, "harness")


def test_tiny_dashboard_loads_and_reacts(harness_server, recorded_page, record_timing):
    page = recorded_page.page
    timings = vp.open_dashboard(page, harness_server.base_url, "tiny", recorded=recorded_page,
                                screenshot=vp.SCREENSHOTS / "harness-tiny.png")
    assert timings.status == 200
    assert 0 < timings.loaded <= timings.dashboard <= timings.first_chart <= timings.settled
    assert vp.python_errors(page) == []
    assert recorded_page.problems() == []
    assert recorded_page.blocked == [], "requests that would leave the machine"
    fonts = page.evaluate("() => Array.from(document.querySelectorAll('link[rel=stylesheet]'), l => l.href)"
                          ".filter(h => h.includes('fontawesome'))")
    assert fonts and all(vp.is_local(h) for h in fonts), fonts  # Font Awesome served locally
    assert page.locator(".planner-dashboard.dash-tiny").count() == 1
    assert vp.kpi_text(page, "n") == "sum of squares n=3: 14"
    assert "squares up to 3" in page.locator(".chart-n .js-plotly-plot").text_content()

    result = vp.interaction(page, {"selector": ".ctl-n", "chart": ".chart-n", "kpi": "n",
                                   "before": "n=3: 14", "after": "n=4: 30"})
    assert result["kpi_after"] == "sum of squares n=4: 30"
    assert page.locator(".ctl-n .widget-readout").inner_text() == "4"
    assert "squares up to 4" in page.locator(".chart-n .js-plotly-plot").text_content()
    assert page.locator(".chart-n .js-plotly-plot .bars path").count() == 4
    assert 0 < result["seconds"] < 5

    # change_and_wait on its own, with the other direction
    handle = page.locator(".ctl-n .noUi-handle")
    seconds = vp.change_and_wait(page, lambda: handle.press("ArrowLeft"), ".chart-n")
    assert "squares up to 3" in page.locator(".chart-n .js-plotly-plot").text_content()
    assert vp.kpi_text(page, "n") == "sum of squares n=3: 14"
    assert vp.python_errors(page) == [] and recorded_page.problems() == []
    record_timing("harness", "tiny", first_chart=timings.first_chart, loaded=timings.loaded,
                  interaction=result["seconds"], interaction_2=seconds)


def test_error_detection(harness_server, recorded_page):
    """A cell that raises is reported, and so is a visible ``.planner-error``
    with an error message (an info notice is not an error)."""
    page = recorded_page.page
    with pytest.raises(vp.DashboardError, match="ZeroDivisionError"):
        vp.open_dashboard(page, harness_server.base_url, "broken", expect_chart=False,
                          recorded=recorded_page)
    assert any("ZeroDivisionError" in e for e in vp.python_errors(page))

    page.evaluate("""() => {
        const el = document.createElement('div');
        el.className = 'planner-error';
        el.innerHTML = '<div class="planner-msg planner-msg-info">3 hosts read</div>';
        document.body.prepend(el);
        const txt = document.querySelector('[data-mime-type="application/vnd.jupyter.stderr"]');
        if (txt) txt.remove();
    }""")
    assert vp.python_errors(page) == []
    page.evaluate("""() => { document.querySelector('.planner-error').innerHTML =
        '<div class="planner-msg planner-msg-error">ram_gib must be a number</div>'; }""")
    assert vp.python_errors(page) == [".planner-error: ram_gib must be a number"]


def test_page_close_shuts_its_kernel_down(harness_server, browser):
    before = set(harness_server.kernels())
    rec = vp.new_page(browser)
    try:
        vp.open_dashboard(rec.page, harness_server.base_url, "tiny", recorded=rec)
        assert len(set(harness_server.kernels()) - before) == 1
    finally:
        rec.close()
    assert vp.wait_for(lambda: not (set(harness_server.kernels()) - before), timeout=15), \
        f"kernel still running after the page closed: {harness_server.kernels()}"


def test_server_log_check(harness_server):
    """The log check finds the broken notebook's error, and nothing else."""
    problems = harness_server.log_problems()
    errors = [line for line in problems if "ERROR" in line]
    assert errors and all("ZeroDivisionError" in line for line in errors), \
        f"see {harness_server.log_path}: {problems}"
    assert problems.count("Traceback (most recent call last):") == 1, f"see {harness_server.log_path}"
