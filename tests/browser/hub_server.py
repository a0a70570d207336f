"""JupyterHub on 127.0.0.1 for the hub test and ``bench/hub.py``.

:class:`HubServer` runs ``jupyterhub -f tests/browser/hub_test_config.py``,
which loads the deployment's own ``deploy/jupyterhub_config.py`` and changes
only what a test needs (see that file): a shared-password authenticator
with two allowed users, the local process spawner that needs no system
users, free ports on 127.0.0.1, state in a temporary folder, short timeouts.
The proxy is configurable-http-proxy from ``deploy/node_modules``
(``npm install --prefix deploy``, which ``.ci/run`` does).

Like ``voila_page``, this module imports neither pytest nor playwright.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterable

import voila_page as vp

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "hub_test_config.py"
DEPLOY = vp.ROOT / "deploy"
PROXY = DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "planner-hub-test"  # the test hub's shared password (SharedPasswordAuthenticator)

__all__ = ["HubServer", "missing_requirements", "proxy_command", "login", "submit_login", "wait_landed",
           "dashboard_url",
           "server_pids", "PASSWORD"]


def proxy_command() -> str | None:
    """configurable-http-proxy: ``deploy/node_modules``'s, else the one on PATH, else None."""
    if PROXY.exists():
        return str(PROXY)
    return shutil.which("configurable-http-proxy")


def missing_requirements() -> str | None:
    """Why the hub cannot run here (on top of the browser's needs), or None."""
    for module, package in (("jupyterhub", "jupyterhub"), ("jupyterhub_idle_culler", "jupyterhub-idle-culler")):
        if importlib.util.find_spec(module) is None:
            return f"{package} is not installed (pip install -e '.[app,test]')"
    if shutil.which("node") is None and shutil.which("nodejs") is None:
        return "no Node.js for the hub's proxy (apt-get install nodejs npm)"
    if proxy_command() is None:
        return "no configurable-http-proxy (npm install --prefix deploy; .ci/run does it)"
    return None


def dashboard_url(base_url: str, user: str) -> str:
    """Where ``user``'s server serves the dashboards' folder: pass it to
    ``voila_page.open_dashboard`` with a name such as ``notebooks/overview``."""
    return f"{base_url}/user/{user}"


class HubServer(vp.VoilaServer):
    """JupyterHub with ``users`` allowed (password :data:`PASSWORD`), state in ``state_dir``.

    ``cull_timeout``: seconds of inactivity after which the idle culler stops a
    server (checked every ``cull_every`` seconds); ``kernel_grace``: seconds a
    page's kernel outlives its page's last connection. Started, waited for,
    logged and stopped (SIGTERM: the hub stops the users' servers and the proxy;
    what is left of its process tree is killed by pid) as ``voila_page.VoilaServer``.
    """

    def __init__(self, state_dir: str | os.PathLike, log_path: str | os.PathLike, *,
                 users: Iterable[str] = ("alice", "bob"), cull_timeout: int = 3600,
                 cull_every: int = 5, kernel_grace: float = 3.0, startup_timeout: float = 60.0) -> None:
        super().__init__(vp.NOTEBOOKS, log_path, startup_timeout=startup_timeout, stop_timeout=30.0,
                         cwd=state_dir)
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.users = tuple(users)
        self.cull_timeout, self.cull_every, self.kernel_grace = cull_timeout, cull_every, kernel_grace
        self._token = secrets.token_hex(16)

    def start(self) -> "HubServer":
        """Start the hub and wait until it answers through the proxy (``/hub/health``;
        the proxy answers before the hub's route is in place)."""
        super().start()
        if not vp.wait_for(self._healthy, timeout=self.startup_timeout, interval=0.2) or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError(f"JupyterHub exited or its /hub/health did not answer 200 within "
                               f"{self.startup_timeout:.0f} s; log {self.log_path}:\n{self.log_tail()}")
        return self

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/hub/health", timeout=5) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return self.proc is not None and self.proc.poll() is not None   # exited: stop waiting

    def home(self, user: str) -> Path:
        """``user``'s home folder (the spawner's ``home_dir_template``)."""
        return self.state_dir / "home" / user

    def command(self) -> list[str]:
        return [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)]

    def environment(self) -> dict[str, str]:
        """What ``hub_test_config.py`` reads: ports, users, password, timeouts."""
        return {**super().environment(),
                "PLANNER_HUB_STATE": str(self.state_dir), "PLANNER_HUB_PORT": str(self.port),
                "PLANNER_HUB_API_PORT": str(vp._free_port()),
                "PLANNER_HUB_PROXY_API_PORT": str(vp._free_port()),
                "PLANNER_HUB_PROXY": proxy_command() or "configurable-http-proxy",
                "PLANNER_HUB_USERS": ",".join(self.users), "PLANNER_HUB_PASSWORD": PASSWORD,
                "PLANNER_HUB_API_TOKEN": self._token,
                "PLANNER_HUB_CULL_TIMEOUT": str(self.cull_timeout),
                "PLANNER_HUB_CULL_EVERY": str(self.cull_every),
                "PLANNER_HUB_KERNEL_GRACE": str(self.kernel_grace)}

    def servers(self) -> dict[str, int]:
        """user -> pid of that user's running single-user server."""
        return server_pids(self.pid, self.users)

    def api(self, method: str, path: str) -> tuple[int, Any]:
        """Call the hub's REST API (``/hub/api/<path>``) as the test's service; (status, JSON or None)."""
        req = urllib.request.Request(f"{self.base_url}/hub/api/{path}", method=method,
                                     headers={"Authorization": f"token {self._token}"})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                body = resp.read()
                return resp.status, json.loads(body) if body else None
        except urllib.error.HTTPError as exc:
            return exc.code, None

    def stop_server(self, user: str, timeout: float = 60.0) -> None:
        """Stop ``user``'s server through the hub and wait until its process has gone."""
        pid = self.servers().get(user)
        status, _ = self.api("DELETE", f"users/{user}/server")
        if status not in (202, 204):
            raise RuntimeError(f"the hub answered {status} to stopping {user}'s server")
        if pid is not None and not vp.wait_for(lambda: not vp._alive(pid), timeout=timeout):
            raise RuntimeError(f"{user}'s server (pid {pid}) still runs {timeout:.0f} s after it was stopped")


def server_pids(hub_pid: int, users: Iterable[str]) -> dict[str, int]:
    """user -> pid of the ``jupyterhub.singleuser`` process under the hub serving that user
    (found by its ``JUPYTERHUB_USER`` environment variable)."""
    found: dict[str, int] = {}
    wanted = set(users)
    for pid in vp.descendants(hub_pid):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"jupyterhub.singleuser" not in cmd and b"jupyterhub-singleuser" not in cmd:
                continue
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for item in environ:
            if item.startswith(b"JUPYTERHUB_USER="):
                user = item.split(b"=", 1)[1].decode()
                if user in wanted:
                    found[user] = pid
    return found


def submit_login(page: Any, base_url: str, user: str, password: str = PASSWORD, *,
                 next_path: str = "", timeout: float = 90.0) -> None:
    """Fill in and send the hub's login form in ``page``; the hub then spawns
    ``user``'s server. :func:`wait_landed` waits for the page it leads to."""
    target = f"{base_url}/hub/login" + (f"?next={next_path}" if next_path else "")
    page.goto(target, wait_until="domcontentloaded", timeout=timeout * 1000)
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    with page.expect_navigation(wait_until="commit", timeout=timeout * 1000):
        page.click("#login_submit")


def wait_landed(page: Any, base_url: str, user: str, timeout: float = 90.0) -> None:
    """Wait until the hub has sent ``page`` on to ``user``'s server (after the "server is
    starting" page, if any) and Voila has executed the page it shows there."""
    page.wait_for_url(f"{base_url}/user/{user}/**", wait_until="commit", timeout=timeout * 1000)
    # voila_page's init script records when Voila has executed the page
    page.wait_for_function("() => window.__planner && window.__planner.loaded !== null",
                           timeout=timeout * 1000, polling=100)


def login(page: Any, base_url: str, user: str, password: str = PASSWORD, *,
          next_path: str = "", timeout: float = 90.0) -> None:
    """Log ``user`` in through the hub's login form in ``page`` and wait until the hub
    has sent them to ``next_path`` (e.g. ``/user/alice/voila/render/...``) or the
    spawner's default URL on their server, and Voila has executed that page."""
    submit_login(page, base_url, user, password, next_path=next_path, timeout=timeout)
    wait_landed(page, base_url, user, timeout)
