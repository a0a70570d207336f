"""A page's kernel ends when the page goes, by the product alone (issue 13, 1b).

The server is the product's (``planner.serve.voila_app``) with short limits so that
the test is quick: a kernel ends ``disconnect_grace`` = 6 s after its page's
last websocket closed, and a kernel no page ever connected to after
``connect_timeout`` = 15 s idle. The harness does nothing to end kernels: pages
are closed as a person's browser would close them, and kernel processes (the
``ipykernel`` children of the Voila process) are counted before and after.
"""

from __future__ import annotations

import time
import urllib.request

import pytest

import voila_page as vp

pytestmark = pytest.mark.browser

GRACE, CONNECT, REAP = 6, 15, 1
DASHBOARD = "support"


@pytest.fixture(scope="module")
def kernel_server(start_voila):
    return start_voila(vp.NOTEBOOKS, "kernels", extra_args=[
        f"--PlannerKernelManager.disconnect_grace={GRACE}",
        f"--PlannerKernelManager.connect_timeout={CONNECT}",
        f"--PlannerKernelManager.reap_interval={REAP}"])


def _open(browser, server) -> tuple[vp.RecordedPage, str]:
    rec = vp.new_page(browser)
    vp.open_dashboard(rec.page, server.base_url, DASHBOARD, recorded=rec)
    kernel = rec.kernel_id()
    assert kernel, "the page names no kernel"
    return rec, kernel


def _wait_kernels(server, count: int, timeout: float) -> bool:
    return vp.wait_for(lambda: len(server.kernels()) <= count, timeout=timeout, interval=0.5)


def test_closing_pages_ends_their_kernels(kernel_server, browser):
    before = kernel_server.kernels()
    assert before == [], f"kernels before any page: {before}"
    navigated, closed, context_closed = (_open(browser, kernel_server) for _ in range(3))
    assert len(kernel_server.kernels()) == 3

    # 1. the person navigates away: Voila's unload request ends the kernel at once
    navigated[0].page.goto("about:blank")
    assert _wait_kernels(kernel_server, 2, timeout=GRACE - 1), (
        "navigating away did not end the page's kernel before the grace period; log:\n"
        + kernel_server.log_tail())
    assert f"Shutting down kernel {navigated[1]}" not in kernel_server.log_text(), \
        "ended by the websocket rule, not by the page's unload request"
    navigated[0].context.close()

    # 2. the tab closes without unload handlers (crash, killed tab): the websocket rule
    closed[0].page.close()  # playwright skips beforeunload here
    # 3. the whole browser context goes away
    context_closed[0].context.close()
    assert _wait_kernels(kernel_server, 0, timeout=GRACE + 4 * REAP + 20), (
        f"kernels left after closing every page: {kernel_server.kernels()}; log:\n"
        + kernel_server.log_tail())
    log = kernel_server.log_text()
    for rec, kernel in (closed, context_closed):
        assert f"Shutting down kernel {kernel}: its page's connection closed" in log
        rec.close()


def test_open_page_keeps_its_kernel(kernel_server, browser):
    rec, kernel = _open(browser, kernel_server)
    try:
        time.sleep(GRACE + 3 * REAP)  # longer than the grace: a page that stays open is not touched
        assert len(kernel_server.kernels()) == 1
        result = vp.interaction(rec.page)  # the first slider or dropdown; its chart redraws
        assert result["seconds"] < 30
    finally:
        rec.close()
    assert _wait_kernels(kernel_server, 0, timeout=GRACE + 4 * REAP + 20), kernel_server.log_tail()


def test_render_without_a_browser_is_ended(kernel_server):
    """A render that no page ever connects to (the visitor left while it ran)."""
    with urllib.request.urlopen(vp.render_url(kernel_server.base_url, DASHBOARD), timeout=120) as resp:
        assert resp.status == 200
        resp.read()
    assert len(kernel_server.kernels()) == 1
    assert _wait_kernels(kernel_server, 0, timeout=CONNECT + 4 * REAP + 20), kernel_server.log_tail()
    assert "no page connected to it" in kernel_server.log_text()
