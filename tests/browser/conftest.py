"""Real-browser tests of the Voila dashboards (marker ``browser``).

They need Debian's Chromium (``/usr/bin/chromium``, or the executable named by
``$PLANNER_CHROMIUM``) and the ``playwright`` Python package (never run
``playwright install``: the tests use the system Chromium). Where either is
missing every test of this directory is skipped, with the reason, and the rest
of the suite runs as usual.

One Voila server (``notebooks/``, or ``$PLANNER_NOTEBOOKS``) and one Chromium
serve the whole session; every test gets a fresh browser context in which host
names other than 127.0.0.1/localhost do not resolve (requests to them are
recorded in ``RecordedPage.blocked``). Written to
``test-artifacts/`` (git-ignored): the Voila logs ``voila-*.log``, full-page
screenshots ``screenshots/<name>.png``, the measured timings
``browser-timings.json`` and the browser console lines ``browser-console.txt``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import voila_page as vp  # noqa: E402

MISSING = vp.missing_requirements()
# a JupyterHub configuration file (it needs JupyterHub's get_config), not a module to import
collect_ignore = ["hub_test_config.py"]
TIMINGS: list[dict[str, Any]] = []
CONSOLE: dict[str, list[str]] = {}


def notebooks_dir() -> Path:
    """The directory of dashboards under test: ``$PLANNER_NOTEBOOKS`` or ``notebooks/``."""
    return Path(os.environ.get("PLANNER_NOTEBOOKS") or vp.NOTEBOOKS).resolve()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if MISSING is None:
        return
    skip = pytest.mark.skip(reason=f"browser tests skipped: {MISSING}")
    for item in items:
        if Path(str(item.path)).resolve().is_relative_to(HERE):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if TIMINGS:
        vp.ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (vp.ARTIFACTS / "browser-timings.json").write_text(json.dumps(TIMINGS, indent=2))
        terminalreporter.section("browser timings (seconds from request)")
        for row in TIMINGS:
            values = ", ".join(f"{k} {v:.2f}" for k, v in row.items()
                               if isinstance(v, float) and k != "wall")
            terminalreporter.write_line(f"{row['kind']:12s} {row['name']:28s} {values}")
    if CONSOLE:
        vp.ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with open(vp.ARTIFACTS / "browser-console.txt", "w", encoding="utf-8") as fh:
            for test, lines in CONSOLE.items():
                fh.write(f"== {test}\n" + "".join(f"{line}\n" for line in lines))
        warnings = sorted({w for test, lines in CONSOLE.items() for w in lines
                           if "Unsatisfied version" in w or "No satisfying version" in w})
        if warnings:
            terminalreporter.write_line(
                f"browser console: {len(warnings)} distinct front-end version warnings "
                f"(see {vp.ARTIFACTS / 'browser-console.txt'})")
        for test, lines in CONSOLE.items():
            plotly = sorted({line.split(": ", 1)[-1] for line in lines if ": WARN:" in line})
            if plotly:
                terminalreporter.write_line(f"plotly.js warnings in {test}: {'; '.join(plotly)}")


# --- servers ------------------------------------------------------------------------

@pytest.fixture(scope="session")
def start_voila() -> Iterator[Callable[..., vp.VoilaServer]]:
    """Factory: ``start_voila(directory, label, **kwargs)`` starts a Voila server
    on 127.0.0.1 (log ``test-artifacts/voila-<label>.log``); all are stopped at
    the end of the session."""
    servers: list[vp.VoilaServer] = []

    def start(directory: str | os.PathLike, label: str, **kwargs: Any) -> vp.VoilaServer:
        server = vp.VoilaServer(directory, vp.ARTIFACTS / f"voila-{label}.log", **kwargs)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in reversed(servers):
        server.stop()


@pytest.fixture(scope="session")
def voila_server(start_voila: Callable[..., vp.VoilaServer]) -> vp.VoilaServer:
    """Voila serving the repository's dashboards for the whole session."""
    directory = notebooks_dir()
    if not any(directory.glob("*.ipynb")):
        pytest.skip(f"no notebooks in {directory} yet")
    return start_voila(directory, "dashboards")


@pytest.fixture(scope="session")
def page_statuses() -> dict[str, int]:
    """URL -> HTTP status of every dashboard page loaded this session."""
    return {}


# --- browser ------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Any) -> Iterator[Any]:
    chromium = vp.launch_browser(playwright_driver)
    yield chromium
    chromium.close()


@pytest.fixture
def recorded_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[vp.RecordedPage]:
    """A fresh page (own context, 1400x2400) in which non-local hosts do not resolve, and
    records console errors, page errors and failed local requests. At teardown
    it leaves the page (``about:blank``) and closes the context; the server ends
    the page's kernel by itself."""
    rec = vp.new_page(browser)
    yield rec
    if rec.console_all:
        CONSOLE[request.node.nodeid] = list(rec.console_all)
    rec.close()


@pytest.fixture
def page(recorded_page: vp.RecordedPage) -> Any:
    """The playwright Page of :func:`recorded_page`."""
    return recorded_page.page


@pytest.fixture
def record_timing() -> Callable[..., None]:
    """``record_timing(kind, name, **seconds)``: keep a measurement for the
    summary and ``test-artifacts/browser-timings.json``."""

    def record(kind: str, name: str, **values: Any) -> None:
        TIMINGS.append({"kind": kind, "name": name, **values})

    return record
