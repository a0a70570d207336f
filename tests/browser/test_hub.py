"""A team on JupyterHub, end to end (issue 17.1): two people, their own servers.

JupyterHub runs on 127.0.0.1 with the deployment's configuration
(``deploy/jupyterhub_config.py``, through ``hub_test_config.py``: a shared
password for the allowed users, local processes as servers, short timeouts),
the standard proxy (configurable-http-proxy from ``deploy/node_modules``) and
the idle culler as a hub service. Alice and Bob log in through the hub's
form in their own browser contexts, land on the dashboards' landing page,
open the overview at ``/user/<name>/voila/render/notebooks/overview.ipynb``
and upload different scenarios. Checked: each page shows its own scenario
and nothing of the other's; neither can open the other's server, pages or
files (the hub answers 403), while each can open their own; someone not
allowed cannot log in; a page's kernel process ends when the page closes;
the idle culler stops the server whose pages are closed and leaves the one
with a page open.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

import pytest

import hub_server as hs
import voila_page as vp

MISSING = hs.missing_requirements()
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(MISSING is not None, reason=f"hub test skipped: {MISSING}")]

CULL_TIMEOUT = 15   # [s] idle time after which the culler stops a server (3600 in deploy/)
CULL_EVERY = 3      # [s] how often the culler looks
KERNEL_GRACE = 2.0  # [s] a page's kernel outlives its last connection by this much (20 in deploy/)
SECRET = "BOB-PRIVATE-NOTE-7731"
SCENARIOS = {"alice": "extends: estate.yaml\nname: Alice renewal\n",
             "bob": "extends: estate.yaml\nname: Bob growth\n"
                    "hosts:\n  - {name: more, inventory: inventory.csv}\n"}
NAMES = {"alice": "Alice renewal", "bob": "Bob growth"}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with hs.HubServer(tmp_path_factory.mktemp("hub"), vp.ARTIFACTS / "hub.log", users=("alice", "bob"),
                      cull_timeout=CULL_TIMEOUT, cull_every=CULL_EVERY, kernel_grace=KERNEL_GRACE) as server:
        yield server


def _text(page: Any) -> str:
    return page.evaluate("() => document.body.innerText")


def _upload(page: Any, path: Path, name: str) -> None:
    page.locator(".ctl-upload-scenario input[type=file]").set_input_files(str(path))
    note = page.locator(".note-scenario")
    assert vp.wait_for(lambda: note.inner_text().startswith(f"{name}:"), timeout=60, interval=0.2), \
        f"the overview does not show {name!r} after the upload: {note.inner_text()!r}"


def _status(context: Any, url: str) -> tuple[int, str]:
    """HTTP status and body of ``url`` fetched with ``context``'s cookies, redirects followed."""
    resp = context.request.get(url, timeout=60_000)
    return resp.status, resp.text()


def test_two_users_on_the_hub(hub: hs.HubServer, browser: Any, tmp_path: Path,
                              record_timing: Callable[..., None]) -> None:
    base = hub.base_url
    pages = {user: vp.new_page(browser) for user in ("alice", "bob")}
    try:
        # both log in; the hub spawns each server and sends the person to the landing page
        start = time.perf_counter()
        for user, rec in pages.items():
            hs.submit_login(rec.page, base, user)
        for user, rec in pages.items():
            hs.wait_landed(rec.page, base, user)
            record_timing("hub", f"{user}: login to landing", loaded=time.perf_counter() - start)
            assert rec.page.url == f"{base}/user/{user}/voila/render/notebooks/index.ipynb"
        servers = hub.servers()
        assert sorted(servers) == ["alice", "bob"]
        assert servers["alice"] != servers["bob"]

        # the overview through each one's own server, each with its own upload
        for user, rec in pages.items():
            timings = vp.open_dashboard(rec.page, hs.dashboard_url(base, user), "notebooks/overview",
                                        recorded=rec)
            record_timing("hub", f"{user}: overview", loaded=timings.loaded, first_chart=timings.first_chart)
            path = tmp_path / f"{user}.yaml"
            path.write_text(SCENARIOS[user])
            _upload(rec.page, path, NAMES[user])
        for user, rec in pages.items():
            other = "bob" if user == "alice" else "alice"
            text = _text(rec.page)
            assert NAMES[user] in text and NAMES[other] not in text, user
            assert vp.python_errors(rec.page) == [], user
            # one kernel each (the landing page's ended when the overview replaced it)
            assert vp.wait_for(lambda: len(vp.kernel_pids(servers[user])) == 1, timeout=15), \
                (user, vp.kernel_pids(servers[user]))

        # nobody opens another's server: pages, files, API; each opens their own
        (hub.home("bob") / "planner" / "note.txt").write_text(SECRET)
        alice, bob = pages["alice"].context, pages["bob"].context
        for path in ("files/note.txt", "api/contents/note.txt", "voila/render/notebooks/overview.ipynb",
                     "api/kernels", "lab"):
            status, body = _status(alice, f"{base}/user/bob/{path}")
            assert status == 403 and SECRET not in body, (path, status)
        status, body = _status(bob, f"{base}/user/alice/api/kernels")
        assert status == 403 and '"id"' not in body, (status, body)
        status, body = _status(bob, f"{base}/user/bob/files/note.txt")
        assert (status, body) == (200, SECRET)
        status, body = _status(alice, f"{base}/user/alice/api/kernels")
        assert status == 200 and body.count('"id"') == 1, (status, body)

        # someone not in allowed_users is refused at the login form
        stranger = vp.new_page(browser)
        try:
            stranger.page.goto(f"{base}/hub/login", wait_until="domcontentloaded")
            stranger.page.fill("#username_input", "mallory")
            stranger.page.fill("#password_input", hs.PASSWORD)
            stranger.page.click("#login_submit")
            stranger.page.wait_for_load_state("domcontentloaded")
            assert "/user/mallory" not in stranger.page.url
            assert "mallory" not in hub.servers()
        finally:
            stranger.close()

        # Bob leaves: his page's kernel ends, then the culler stops his idle server; Alice's
        # open page keeps her server (its websocket's pings count as activity at the proxy)
        pages["bob"].close()
        assert vp.wait_for(lambda: vp.kernel_pids(servers["bob"]) == [], timeout=KERNEL_GRACE + 15), \
            vp.kernel_pids(servers["bob"])
        assert vp.wait_for(lambda: "bob" not in hub.servers(), timeout=CULL_TIMEOUT + 40), \
            "the idle culler did not stop Bob's server\n" + hub.log_tail()
        assert "Culling server bob " in hub.log_text()
        assert "alice" in hub.servers() and len(vp.kernel_pids(servers["alice"])) == 1
        assert NAMES["alice"] in _text(pages["alice"].page)

        # Alice leaves: her kernel ends too
        pages["alice"].close()
        assert vp.wait_for(lambda: vp.kernel_pids(servers["alice"]) == [], timeout=KERNEL_GRACE + 15), \
            vp.kernel_pids(servers["alice"])
        assert hub.kernels() == []
        for user, rec in pages.items():
            assert rec.page_errors == [], (user, rec.page_errors)
    finally:
        for rec in pages.values():
            rec.close()
