"""Real-browser helpers for the Voila dashboards: server, browser, page and timings.

Used by the browser tests (``tests/browser``) and by ``bench/dashboards.py``.
Nothing here imports pytest, and playwright is imported only when a browser is
launched, so this module imports cleanly on a machine without either.

* :class:`VoilaServer`: Voila on a free port on 127.0.0.1, log captured to a file,
  stopped with its kernels (SIGTERM, then kill by pid after a timeout).
* :func:`launch_browser` / :func:`new_page`: Debian's Chromium driven by
  playwright; every request to a host other than 127.0.0.1/localhost is
  refused by Chromium's resolver (``--host-resolver-rules``, so no request is
  intercepted and the page's own unload requests go out as in any browser) and
  recorded; console errors and page errors are recorded (:class:`RecordedPage`).
  Closing a page leaves it for ``about:blank``: the product itself must then end
  the page's kernel (see ``planner.serve.voila_app``); the harness does not help.
* :func:`open_dashboard`: load ``/voila/render/<name>.ipynb`` and wait until
  Voila has executed it and the widgets have rendered; returns
  :class:`Timings` measured inside the page (``performance.now()``, i.e. from
  the navigation request).
* :func:`change_and_wait`: perform an action and measure the time until the
  plotly chart under a selector has re-rendered.
* :func:`kpi_text`, :func:`python_errors`: read a KPI, find a Python error shown
  in the page.

When is a page "loaded"? Voila's lab template streams the executed notebook into
a hidden ``#rendered_cells`` while a ``#loading`` element shows "Executing i of
n"; when the last cell has run, ``window.voila_finish()`` removes ``#loading``
and un-hides ``#rendered_cells``. Widgets are rendered afterwards,
asynchronously, by the widget manager. :func:`open_dashboard` therefore waits
for (1) ``#loading`` gone and ``#rendered_cells`` displayed, (2) the dashboard
root (``.planner-dashboard``) visible, (3) with ``expect_chart``, a visible
``.js-plotly-plot`` holding a drawn ``.main-svg``, and (4) the DOM quiet for
``QUIET_MS``. An init script installed in every page records the moment each of
these first became true, from a MutationObserver, so the timings do not
depend on how often Python polls.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # every host name but the loopback ones fails to resolve: nothing leaves the machine,
    # and no request is intercepted (playwright's routing drops the beacon a page sends
    # while unloading, which is how Voila ends a page's kernel)
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1400, "height": 2400}
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
DASHBOARD_ROOT = ".planner-dashboard"
CHART = ".js-plotly-plot"
SLIDER_HANDLE = ".noUi-handle"
QUIET_MS = 300

__all__ = [
    "ROOT", "NOTEBOOKS", "ARTIFACTS", "SCREENSHOTS", "chromium_path", "missing_requirements",
    "VoilaServer", "launch_browser", "new_page", "RecordedPage", "Timings", "DashboardError",
    "open_dashboard", "full_screenshot", "change_and_wait", "arm_watch", "wait_watch",
    "interaction", "resolve_interaction", "kpi_text", "kpi_value", "python_errors", "render_url",
    "kernel_pids", "descendants", "rss_bytes", "median", "wait_for", "is_local",
]


# --- requirements ---------------------------------------------------------------------

def chromium_path() -> Path:
    """Chromium to drive: ``$PLANNER_CHROMIUM`` or Debian's ``/usr/bin/chromium``."""
    return Path(os.environ.get("PLANNER_CHROMIUM") or "/usr/bin/chromium")


def missing_requirements() -> str | None:
    """Why the browser tests cannot run on this machine, or None when they can."""
    chromium = chromium_path()
    if not (chromium.is_file() and os.access(chromium, os.X_OK)):
        return (f"no Chromium at {chromium} (apt-get install chromium, or set PLANNER_CHROMIUM "
                "to a Chromium executable)")
    for module, hint in (("playwright", "the playwright Python package"),
                         ("voila", "voila"), ("nbformat", "nbformat")):
        if importlib.util.find_spec(module) is None:
            return f"{hint} is not installed (pip install -e '.[app,test]')"
    return None


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.1) -> bool:
    """Poll ``predicate`` until it is true (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def median(values: Iterable[float | None]) -> float | None:
    """Median of the values that are not None, or None."""
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


# --- processes (Linux /proc; empty elsewhere) ----------------------------------------

def _proc_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process we can see."""
    table: dict[int, tuple[int, str]] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return table
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        table[int(entry.name)] = (ppid, cmd.strip())
    return table


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (children, grandchildren, ...)."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for child, (parent, _) in table.items():
        children.setdefault(parent, []).append(child)
    found, stack = [], list(children.get(pid, ()))
    while stack:
        p = stack.pop()
        found.append(p)
        stack.extend(children.get(p, ()))
    return found


def kernel_pids(server_pid: int) -> list[int]:
    """The kernel processes (``ipykernel``) started by the Voila process ``server_pid``."""
    table = _proc_table()
    return sorted(p for p in descendants(server_pid)
                  if p in table and ("ipykernel" in table[p][1] or "kernel-" in table[p][1]))


def rss_bytes(pid: int) -> int:
    """Resident set size of a process from /proc/<pid>/status (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is as good as gone
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


# --- the Voila server ---------------------------------------------------------------

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_url(base_url: str, name: str) -> str:
    """URL of a notebook rendered by Voila (``name`` without or with ``.ipynb``)."""
    name = name if name.endswith(".ipynb") else f"{name}.ipynb"
    return f"{base_url}/voila/render/{name}"


class VoilaServer:
    """The product's Voila (``planner.serve.voila_app``) serving a notebooks directory on
    127.0.0.1, for tests and benchmarks.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. The
    server's stdout and stderr go to ``log_path``. ``preheat`` starts a pool of
    ``pool_size`` pre-executed kernels for every notebook of the directory
    (standalone ``voila`` only; not with progressive rendering).
    """

    def __init__(self, notebooks_dir: str | os.PathLike, log_path: str | os.PathLike, *,
                 preheat: bool = False, pool_size: int = 1, startup_timeout: float = 60.0,
                 stop_timeout: float = 20.0, cwd: str | os.PathLike | None = None,
                 extra_args: Iterable[str] = ()):
        self.notebooks_dir = Path(notebooks_dir).resolve()
        self.log_path = Path(log_path)
        self.preheat, self.pool_size = preheat, pool_size
        self.startup_timeout, self.stop_timeout = startup_timeout, stop_timeout
        # Voila reads voila.json from its working directory: by default the folder
        # above the notebooks (the repository root for notebooks/).
        self.cwd = Path(cwd) if cwd is not None else self.notebooks_dir.parent
        self.extra_args = list(extra_args)
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self._log_file = None
        self.killed: list[int] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None, "server not started"
        return self.proc.pid

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "planner.serve.voila_app", str(self.notebooks_dir), "--no-browser",
               f"--port={self.port}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
               "--show_tracebacks=True", "--Voila.log_level=INFO",
               f"--preheat_kernel={self.preheat}"]
        if self.preheat:
            cmd.append(f"--pool_size={self.pool_size}")
        return cmd + self.extra_args

    def environment(self) -> dict[str, str]:
        """The server's environment variables."""
        return {**os.environ, "PYTHONUNBUFFERED": "1"}

    def start(self) -> "VoilaServer":
        if not self.notebooks_dir.is_dir():
            raise FileNotFoundError(f"no notebooks directory {self.notebooks_dir}")
        self.port = _free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.log_path, "w", encoding="utf-8", errors="replace")
        cmd = self.command()
        self._log_file.write("$ " + " ".join(cmd) + "\n")
        self._log_file.flush()
        self.proc = subprocess.Popen(cmd, cwd=self.cwd, env=self.environment(), stdin=subprocess.DEVNULL,
                                     stdout=self._log_file, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Voila exited with code {self.proc.returncode} while starting; "
                                   f"log {self.log_path}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + "/", timeout=5) as resp:
                    if resp.status < 500:
                        return
                    last = f"HTTP {resp.status}"
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    return
                last = f"HTTP {exc.code}"
            except (urllib.error.URLError, OSError) as exc:
                last = str(exc)
            time.sleep(0.2)
        raise RuntimeError(f"Voila did not answer on {self.base_url} within {self.startup_timeout:.0f} s "
                           f"({last}); log {self.log_path}:\n{self.log_tail()}")

    def log_text(self) -> str:
        if self._log_file is not None and not self._log_file.closed:
            self._log_file.flush()
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def log_problems(self) -> list[str]:
        """Lines of the server log that show an error: tracebacks, ERROR/CRITICAL
        level lines (``[E ...]``, ``[C ...]``) and HTTP 5xx answers.

        A kernel that is shut down while it is still busy (its page was closed
        during a slow load) logs "KeyboardInterrupt caught in kernel" right after
        Voila's "Kernel shutdown" line: that is the shutdown, not a page's error."""
        problems, previous = [], ""
        for line in self.log_text().splitlines():
            stopped = "KeyboardInterrupt caught in kernel" in line and "Kernel shutdown:" in previous
            previous = line
            if stopped:
                continue
            if (re.search(r"Traceback|\bERROR\b|\bCRITICAL\b", line)
                    or re.match(r"\[(E|C) \d", line)
                    or re.search(r"\b5\d\d (GET|POST|PUT|DELETE|HEAD|PATCH)\b", line)):
                problems.append(line)
        return problems

    def kernels(self) -> list[int]:
        """Pids of the kernels this server has running now."""
        return kernel_pids(self.pid) if self.proc is not None else []

    def pool_filled(self, notebook: str) -> int:
        """How often the preheated pool of ``notebook`` has been reported filled."""
        name = notebook if notebook.endswith(".ipynb") else f"{notebook}.ipynb"
        return len(re.findall(rf"Kernel pool of {re.escape(name)} is filled", self.log_text()))

    def wait_pool(self, notebook: str, at_least: int, timeout: float = 120.0) -> bool:
        """Wait until the pool of ``notebook`` was filled ``at_least`` times (preheat only)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pool_filled(notebook) >= at_least:
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        """SIGTERM (Voila shuts its kernels down), then SIGKILL by pid after
        ``stop_timeout``; kernels left behind are ended the same way."""
        if self.proc is None:
            return
        try:
            tree = descendants(self.proc.pid)
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=self.stop_timeout)
                except subprocess.TimeoutExpired:
                    self.killed.append(self.proc.pid)
                    self.proc.kill()
                    self.proc.wait(timeout=10)
            self._end(p for p in tree if _alive(p))
        finally:
            if self._log_file is not None:
                self._log_file.close()

    def _end(self, pids: Iterable[int]) -> None:
        pids = list(pids)
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            for p in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(p, sig)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and any(_alive(p) for p in pids):
                time.sleep(0.1)
            if sig is signal.SIGKILL or not any(_alive(p) for p in pids):
                break
            self.killed.extend(p for p in pids if _alive(p))

    def __enter__(self) -> "VoilaServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


# --- the browser and its pages -------------------------------------------------------

_INIT_SCRIPT = r"""
(() => {
  if (window.top !== window || window.__planner) return;
  const t = window.__planner = {loaded: null, dashboard: null, firstChart: null,
                                lastMutation: 0, mutations: 0};
  const shown = (el) => !!el && el.getClientRects().length > 0;
  const check = () => {
    const now = performance.now();
    if (t.loaded === null) {
      const cells = document.getElementById('rendered_cells');
      if (cells && !document.getElementById('loading') && cells.style.display !== 'none') t.loaded = now;
    }
    if (t.dashboard === null && shown(document.querySelector('%(root)s'))) t.dashboard = now;
    if (t.firstChart === null) {
      for (const el of document.querySelectorAll('%(chart)s')) {
        if (el.querySelector('.main-svg') && shown(el)) { t.firstChart = now; break; }
      }
    }
  };
  new MutationObserver(() => {
    t.lastMutation = performance.now(); t.mutations += 1;
    if (t.loaded === null || t.dashboard === null || t.firstChart === null) check();
  }).observe(document, {childList: true, subtree: true, attributes: true, characterData: true});
})();
""" % {"root": DASHBOARD_ROOT, "chart": CHART}


def launch_browser(playwright: Any, executable: str | os.PathLike | None = None) -> Any:
    """Debian's Chromium (or ``executable``), headless, with :data:`CHROMIUM_ARGS`."""
    return playwright.chromium.launch(executable_path=str(executable or chromium_path()),
                                      args=CHROMIUM_ARGS, headless=True)


@dataclass
class RecordedPage:
    """A page in its own browser context, with what went wrong in it."""

    page: Any
    context: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    version_warnings: list[str] = field(default_factory=list)
    plotly_warnings: list[str] = field(default_factory=list)
    console_all: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Console errors, uncaught page errors and failed local requests."""
        return ([f"console error: {m}" for m in self.console_errors]
                + [f"page error: {m}" for m in self.page_errors]
                + [f"HTTP error: {m}" for m in self.http_errors])

    def kernel_id(self) -> str | None:
        """The id of the kernel Voila started for the page shown now, if any."""
        with contextlib.suppress(Exception):
            return self.page.evaluate(
                "() => { const el = document.getElementById('jupyter-config-data');"
                " return el ? JSON.parse(el.textContent).kernelId || null : null; }")
        return None

    def close(self) -> None:
        """Leave the page (``about:blank``: the page unloads as a person's would), then
        close the context. Ending the page's kernel is the product's job."""
        with contextlib.suppress(Exception):
            self.page.goto("about:blank", timeout=10_000)
        with contextlib.suppress(Exception):
            self.context.close()


def is_local(url: str) -> bool:
    """True for loopback URLs and for non-network ones (data:, blob:, about:)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


def new_page(browser: Any, viewport: dict[str, int] | None = None) -> RecordedPage:
    """A fresh context and page: non-local requests recorded (they fail: see
    CHROMIUM_ARGS), errors recorded,
    load timings recorded by an init script (see :func:`open_dashboard`)."""
    context = browser.new_context(viewport=viewport or VIEWPORT)
    context.add_init_script(_INIT_SCRIPT)
    rec = RecordedPage(page=None, context=context)

    def on_request(r: Any) -> None:
        if not is_local(r.url):  # refused by the resolver rule of CHROMIUM_ARGS
            rec.blocked.append(r.url)

    context.on("request", on_request)
    page = context.new_page()
    rec.page = page

    def on_console(msg: Any) -> None:
        text = msg.text
        rec.console_all.append(f"{msg.type}: {text}")
        if "Unsatisfied version" in text or "No satisfying version" in text:
            rec.version_warnings.append(text.replace("\n", " "))
        if text.startswith("WARN:"):  # plotly.js warnings, e.g. "Too many auto-margin redraws."
            rec.plotly_warnings.append(text)
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        if text.startswith("Failed to load resource") and url and not is_local(url):
            return  # a non-local request, refused on purpose (see CHROMIUM_ARGS); RecordedPage.blocked has it
        rec.console_errors.append(f"{text} [{url}]" if url else text)

    def on_response(resp: Any) -> None:
        if resp.status >= 400 and is_local(resp.url):
            rec.http_errors.append(f"{resp.status} {resp.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: rec.page_errors.append(str(exc)))
    page.on("response", on_response)
    return rec


# --- reading the page ----------------------------------------------------------------

_ERRORS_JS = r"""
() => {
  const found = [];
  const shown = (el) => el.getClientRects().length > 0;
  const text = (el) => (el.innerText || el.textContent || '').trim();
  for (const el of document.querySelectorAll(
      '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"], ' +
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')) {
    if (el.parentElement && el.parentElement.closest('[data-mime-type="application/vnd.jupyter.stderr"]')) continue;
    const t = text(el);
    if (t) found.push('stderr output: ' + t.slice(0, 4000));
  }
  for (const el of document.querySelectorAll('.planner-error')) {
    const t = text(el);
    if (!t || !shown(el)) continue;
    const msgs = el.querySelectorAll('.planner-msg');
    if (msgs.length && Array.from(msgs).every(m => m.classList.contains('planner-msg-info'))) continue;
    found.push('.planner-error: ' + t.slice(0, 2000));
  }
  const body = document.body ? (document.body.innerText || '') : '';
  for (const pat of ['Traceback (most recent call last)', 'There was an error when executing cell',
                     '500 : Internal Server Error', 'Error rendering output item']) {
    const i = body.indexOf(pat);
    if (i >= 0 && !found.some(f => f.includes(pat))) found.push('page text: ' + body.slice(i, i + 2000));
  }
  return found;
}
"""


def python_errors(page: Any) -> list[str]:
    """Python errors shown in the page: stderr outputs (tracebacks), a visible,
    non-empty ``.planner-error`` that is not only an info notice, and Voila's
    own error texts. Empty when the page is clean."""
    return page.evaluate(_ERRORS_JS)


def _kpi_selector(name: str) -> str:
    return name if name[:1] in ".#[" or " " in name else f".kpi-{name}"


def kpi_text(page: Any, name: str) -> str:
    """Whole text of a KPI (``name`` is ``kpi-<name>``'s suffix or a CSS selector),
    whitespace collapsed."""
    sel = _kpi_selector(name)
    loc = page.locator(f"{sel} .widget-html-content").first
    if loc.count() == 0:
        loc = page.locator(sel).first
    return " ".join(loc.inner_text(timeout=10_000).split())


def kpi_value(page: Any, name: str) -> str:
    """The value line of a planner KPI card (``.planner-kpi-value``), else its whole text."""
    loc = page.locator(f"{_kpi_selector(name)} .planner-kpi-value").first
    if loc.count():
        return " ".join(loc.inner_text(timeout=10_000).split())
    return kpi_text(page, name)


def _state(page: Any) -> dict[str, Any]:
    with contextlib.suppress(Exception):
        return page.evaluate("""() => ({
          timings: window.__planner || null,
          loadingText: (document.getElementById('loading_text') || {}).innerText || null,
          roots: document.querySelectorAll('%s').length,
          charts: document.querySelectorAll('%s').length,
          url: location.href})""" % (DASHBOARD_ROOT, CHART))
    return {}


# --- loading a dashboard --------------------------------------------------------------

class DashboardError(AssertionError):
    """A dashboard did not load or did not react; the message says what the page showed."""


@dataclass
class Timings:
    """Seconds from the navigation request (in-page ``performance.now()``)."""

    name: str
    status: int | None
    loaded: float | None = None       # Voila finished executing, cells shown
    dashboard: float | None = None    # .planner-dashboard visible
    first_chart: float | None = None  # first .js-plotly-plot drawn and visible
    settled: float | None = None      # DOM quiet for QUIET_MS after all of the above
    wall: float | None = None         # Python-side seconds for the whole open_dashboard

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _diagnose(page: Any, what: str, rec: RecordedPage | None = None) -> str:
    lines = [what, f"page state: {json.dumps(_state(page))}"]
    with contextlib.suppress(Exception):
        lines += python_errors(page)
    if rec is not None:
        lines += rec.problems()
    return "\n".join(lines)


def open_dashboard(page: Any, base_url: str, name: str, *, expect_chart: bool = True,
                   root: str | None = DASHBOARD_ROOT, timeout: float = 90.0,
                   screenshot: str | os.PathLike | None = None,
                   recorded: RecordedPage | None = None) -> Timings:
    """Open ``/voila/render/<name>.ipynb`` and wait until it has finished loading.

    Finished means: Voila's ``#loading`` element removed and ``#rendered_cells``
    shown (every cell executed), then ``root`` visible (None: skip), then, with
    ``expect_chart``, a drawn plotly chart, then no DOM change for ``QUIET_MS``.
    Raises :class:`DashboardError` (an AssertionError) with the page's state,
    any Python error shown and the recorded browser errors when a step times
    out or Voila shows an execution error. ``screenshot`` is written in any case.
    """
    start = time.perf_counter()
    deadline = start + timeout
    remaining = lambda: max(1.0, deadline - time.perf_counter()) * 1000  # noqa: E731
    try:
        response = page.goto(render_url(base_url, name), wait_until="commit", timeout=remaining())
        status = response.status if response is not None else None
        if status is not None and status >= 400:
            raise DashboardError(_diagnose(page, f"{name}: HTTP {status}", recorded))
        try:
            page.wait_for_function("() => window.__planner && window.__planner.loaded !== null",
                                   timeout=remaining(), polling=100)
        except Exception as exc:
            raise DashboardError(_diagnose(page, f"{name}: Voila did not finish executing "
                                                 f"within {timeout:.0f} s ({type(exc).__name__})",
                                           recorded)) from None
        errors = python_errors(page)
        if errors:
            raise DashboardError(_diagnose(page, f"{name}: Voila shows a Python error", recorded))
        if root:
            try:
                page.wait_for_function("() => window.__planner.dashboard !== null",
                                       timeout=remaining(), polling=100)
            except Exception:
                raise DashboardError(_diagnose(page, f"{name}: no visible {root} after Voila "
                                                     "finished executing", recorded)) from None
        if expect_chart:
            try:
                page.wait_for_function("() => window.__planner.firstChart !== null",
                                       timeout=remaining(), polling=100)
            except Exception:
                raise DashboardError(_diagnose(page, f"{name}: no plotly chart ({CHART}) was drawn",
                                               recorded)) from None
        page.wait_for_function(f"() => performance.now() - window.__planner.lastMutation >= {QUIET_MS}",
                               timeout=remaining(), polling=50)
        t = page.evaluate("() => window.__planner")
        ms = lambda key: None if t.get(key) is None else t[key] / 1000  # noqa: E731
        return Timings(name=name, status=status, loaded=ms("loaded"), dashboard=ms("dashboard"),
                       first_chart=ms("firstChart"), settled=t["lastMutation"] / 1000,
                       wall=time.perf_counter() - start)
    finally:
        if screenshot is not None:
            with contextlib.suppress(Exception):
                full_screenshot(page, screenshot)


def full_screenshot(page: Any, path: str | os.PathLike, max_height: int = 12_000) -> None:
    """Screenshot of the whole dashboard. Voila scrolls inside ``#rendered_cells``,
    so the viewport is made as tall as the content (up to ``max_height``) for
    the shot and restored afterwards."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("""() => { const el = document.getElementById('rendered_cells');
        return el && el.style.display !== 'none' ? el.scrollHeight + el.getBoundingClientRect().top
                  : document.documentElement.scrollHeight; }""")
    grow = size is not None and height > size["height"]
    if grow:
        page.set_viewport_size({"width": size["width"], "height": min(int(height) + 16, max_height)})
        page.wait_for_timeout(300)
    try:
        page.screenshot(path=str(path), full_page=True, timeout=30_000)
    finally:
        if grow:
            page.set_viewport_size(size)


# --- interactions ----------------------------------------------------------------------

_ARM_JS = r"""
([sel, quiet]) => {
  const root = document.querySelector(sel);
  if (!root) return 'no element matches ' + sel;
  const token = String(Math.random());
  const plots = () => Array.from(root.matches('.js-plotly-plot') ? [root] : root.querySelectorAll('.js-plotly-plot'));
  const sig = () => plots().map(p => p.querySelector('.main-svg') === null ? '' :
      Array.from(p.querySelectorAll('path, text')).map(e => e.getAttribute('d') || e.textContent).join('|')).join('#');
  for (const p of plots()) p.dataset.plannerWatch = token;
  const w = window.__plannerWatch = {t0: null, tArm: performance.now(), tEnd: null, done: false,
                                     mutations: 0, initial: sig(), token};
  if (w.observer) w.observer.disconnect();
  const onInput = (ev) => { if (w.t0 === null && ev.isTrusted) w.t0 = ev.timeStamp; };
  for (const type of ['keydown', 'pointerdown', 'mousedown', 'input', 'change'])
    window.addEventListener(type, onInput, {capture: true});
  let last = null;
  const observer = new MutationObserver(() => { last = performance.now(); w.mutations += 1; });
  observer.observe(root, {childList: true, subtree: true, attributes: true, characterData: true});
  const timer = setInterval(() => {
    if (last === null || performance.now() - last < quiet) return;
    const drawn = plots().filter(p => p.querySelector('.main-svg') && p.getClientRects().length > 0);
    if (!drawn.length) return;
    const fresh = drawn.some(p => p.dataset.plannerWatch !== token);
    if (fresh || sig() !== w.initial) {
      w.tEnd = last; w.fresh = fresh; w.done = true;
      clearInterval(timer); observer.disconnect();
    }
  }, 25);
  w.stop = () => { clearInterval(timer); observer.disconnect(); };
  return null;
}
"""


def arm_watch(page: Any, chart_selector: str, quiet_ms: int = 150) -> None:
    """Start watching the plotly chart under ``chart_selector`` (see :func:`change_and_wait`)."""
    err = page.evaluate(_ARM_JS, [chart_selector, quiet_ms])
    if err:
        raise DashboardError(err)


def wait_watch(page: Any, chart_selector: str = "", timeout: float = 30.0) -> float:
    """Seconds from the action to the chart's re-render, once :func:`arm_watch`
    has seen it; :class:`DashboardError` after ``timeout`` seconds."""
    try:
        page.wait_for_function("() => window.__plannerWatch.done", timeout=timeout * 1000, polling=50)
    except Exception:
        with contextlib.suppress(Exception):
            page.evaluate("() => window.__plannerWatch.stop()")
        raise DashboardError(_diagnose(page, f"the chart {chart_selector} did not change within "
                                             f"{timeout:.0f} s of the action")) from None
    w = page.evaluate("() => ({t0: window.__plannerWatch.t0, tArm: window.__plannerWatch.tArm, "
                      "tEnd: window.__plannerWatch.tEnd})")
    t0 = w["t0"] if w["t0"] is not None else w["tArm"]
    return max(0.0, (w["tEnd"] - t0) / 1000)


def change_and_wait(page: Any, action: Callable[[], Any], chart_selector: str, *,
                    timeout: float = 30.0, quiet_ms: int = 150) -> float:
    """Run ``action`` and return the seconds until the plotly chart under
    ``chart_selector`` has re-rendered.

    A MutationObserver on the element matched by ``chart_selector`` records the
    last DOM change; the chart has re-rendered when, after ``quiet_ms`` without
    change, a drawn ``.js-plotly-plot`` under it is a new node or its paths and
    texts differ from before the action. Time runs from the first trusted input
    event the action caused (keydown, pointerdown, input, change; else from
    arming) to the last DOM change of the chart (the quiet time is not counted).
    """
    arm_watch(page, chart_selector, quiet_ms)
    action()
    return wait_watch(page, chart_selector, timeout)


_INNER = {"press": SLIDER_HANDLE, "select": "select", "fill": "input, textarea",
          "click": "button, input[type=checkbox], input[type=radio]"}


def resolve_interaction(page: Any, spec: dict[str, Any] | None = None) -> tuple[Callable[[], None], str]:
    """``(act, chart_selector)`` for an interaction spec (see :func:`interaction`)."""
    spec = dict(spec or {})
    if not spec.get("selector") and not page.locator(SLIDER_HANDLE).count():
        # no slider on the page: the next option of the first dropdown
        select = page.locator(f"{DASHBOARD_ROOT} select").first
        if not select.count():
            raise DashboardError("no slider handle (.noUi-handle) and no dropdown to interact with; "
                                 "give the dashboard an INTERACTIONS entry")
        index = select.evaluate("el => (el.selectedIndex + 1) % el.options.length")
        spec.setdefault("action", lambda page: select.select_option(index=index))
        spec["selector"] = f"{DASHBOARD_ROOT} select"
    kind = spec.get("action", "press")
    selector = spec.get("selector", SLIDER_HANDLE)
    control = page.locator(selector).first
    if not control.count():
        raise DashboardError(f"no control matches {selector!r}")
    inner_sel = _INNER.get(kind) if isinstance(kind, str) else None
    if inner_sel and control.count() and not control.evaluate(
            "(el, sel) => el.matches(sel)", inner_sel):
        inner = page.locator(selector).locator(inner_sel)
        if inner.count():
            control = inner.first
    chart = spec.get("chart")
    if chart is None:  # any chart of the dashboard
        chart = DASHBOARD_ROOT if page.locator(DASHBOARD_ROOT).count() else "body"

    def act() -> None:
        if callable(kind):
            kind(page)
        elif kind == "press":
            control.press(spec.get("key", "ArrowRight"))
        elif kind == "select":
            # ipywidgets writes each option's label as its value (the shown text has
            # non-breaking spaces), so a label is matched as a value
            control.select_option(value=str(spec.get("value", spec.get("label"))))
        elif kind == "fill":
            control.fill(str(spec["value"]))
            control.press("Enter")
        elif kind == "click":
            control.click()
        else:
            raise ValueError(f"unknown action {kind!r}")

    return act, chart


def interaction(page: Any, spec: dict[str, Any] | None = None, *, timeout: float = 30.0) -> dict[str, Any]:
    """Run one interaction spec and measure it.

    ``spec`` keys (all optional): ``selector`` (the control, e.g. ``.ctl-hosts``;
    default the first ``.noUi-handle``; the slider handle, ``select``, ``input``
    or button inside it is used as the action needs), ``action`` (``'press'``
    with ``key``, default ``ArrowRight``; ``'select'`` with ``value``, the
    option's label as the Dropdown shows it; ``'fill'`` with ``value``, then Enter; ``'click'``; or a
    callable ``action(page)``), ``chart`` (the selector whose plotly chart must
    re-render; default: any chart of the dashboard),
    Without ``selector`` and with no slider on the page, the first dropdown of
    the dashboard moves to its next option. ``kpi`` with ``before``/``after`` (text expected in :func:`kpi_text` before
    the action and, polling up to ``timeout``, after it; without ``after`` any
    change will do). Returns ``{"seconds", "kpi_before", "kpi_after"}``.
    """
    spec = dict(spec or {})
    act, chart = resolve_interaction(page, spec)
    kpi = spec.get("kpi")
    before = kpi_text(page, kpi) if kpi else None
    if kpi and spec.get("before") is not None and spec["before"] not in before:
        raise DashboardError(f"KPI {kpi}: expected {spec['before']!r} before the action, page shows {before!r}")
    seconds = change_and_wait(page, act, chart, timeout=timeout)
    after = None
    if kpi:
        wanted = spec.get("after")
        deadline = time.monotonic() + timeout
        while True:
            after = kpi_text(page, kpi)
            if (wanted is not None and wanted in after) or (wanted is None and after != before):
                break
            if time.monotonic() > deadline:
                raise DashboardError(f"KPI {kpi}: expected {wanted!r} after the action "
                                     f"(before: {before!r}), page shows {after!r}")
            time.sleep(0.05)
    return {"seconds": seconds, "kpi_before": before, "kpi_after": after}
