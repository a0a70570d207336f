"""Serve the dashboards with Voila, or re-execute the stored notebooks.

Usage::

    python -m planner.serve [--host 127.0.0.1] [--port 8866] [--no-browser]
                            [--token [TOKEN] | --no-auth] [--pool 1[,overview=2,...]]
                            [--no-preheat] [--max-kernels 16] [--cull-idle-timeout 600]
                            [--cull-interval 60] [--disconnect-grace 20] [--notebooks DIR]
    python -m planner.serve --execute-notebooks [--notebooks DIR]

The first form starts Voila (``planner.serve.voila_app``: Voila 0.5 with the rules
below) on the repository's ``notebooks/`` folder with the lab template, prints
the URL of the landing page (``index.ipynb``, with the token when there is one)
last, once the dashboards' kernels are pre-heated, and stops cleanly on Ctrl+C.
Voila's log goes to stderr without the lines no user can act on (:data:`QUIET`).

* **Address and authentication.** It listens on 127.0.0.1. Any other address
  (``--host 0.0.0.0``, a LAN address, a host name) is refused unless
  ``--token`` (jupyter_server's token authentication: the token is given in the
  URL once, then a cookie holds the login) or an explicit ``--no-auth`` is
  given. ``--token`` without a value makes a random one; the token is handed to
  Voila through the environment, not the command line.
* **Kernels.** Each page view runs its own kernel (about 150 MB, see
  docs/deploy.md). A page's kernel ends when the page closes (Voila's
  ``beforeunload`` request) or ``--disconnect-grace`` seconds after its last
  connection closed; idle kernels are culled after ``--cull-idle-timeout``
  seconds (jupyter_server's ``MappingKernelManager.cull_idle_timeout``, checked
  every ``--cull-interval`` seconds); at most ``--max-kernels`` page kernels run
  at once, and a visitor beyond that gets a "busy, try again in a minute" page
  (HTTP 503).
* **Pre-heating.** Each notebook is run once in a spare kernel before anyone
  asks for it, so a page shows in about half the time; Voila refills a pool
  after each use. ``--pool 2`` gives every dashboard two spare kernels,
  ``--pool 1,overview=2,comparison=0`` sets sizes per dashboard. Only in the
  standalone Voila app (not the Jupyter server extension used on Binder); each
  spare kernel costs memory like a page; ``--no-preheat`` turns it off.

The second form executes every notebook in place (nbclient), so that the
stored outputs that nbval compares are current, and strips what must not be
stored: widget state (``metadata.widgets``), widget views and timings.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import webbrowser
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["notebooks_dir", "ServeOptions", "parse_pools", "is_loopback", "check_auth", "voila_command",
           "voila_env", "landing_url", "serve", "execute_notebooks", "strip_notebook", "main"]

LANDING = "index.ipynb"
TOKEN_ENV = "PLANNER_VOILA_TOKEN"  # read by planner.serve.voila_app
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class NotebooksNotFound(SystemExit):
    """The notebooks folder is missing (e.g. planner installed from a wheel)."""


def notebooks_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The folder of the dashboard notebooks.

    Parameters
    ----------
    path : path, optional
        A folder to use instead of the repository checkout's ``notebooks/``
        (which sits next to the ``planner`` package).

    Raises
    ------
    NotebooksNotFound
        With a message saying where the notebooks were looked for.
    """
    folder = Path(path) if path is not None else Path(__file__).resolve().parents[2] / "notebooks"
    if not (folder / LANDING).is_file():
        raise NotebooksNotFound(
            f"planner.serve: no dashboards at {folder} (looked for {LANDING}). The notebooks live in the "
            "repository's notebooks/ folder, which a wheel does not install: run from a checkout "
            "(git clone ... && pip install -e '.[app]') or pass --notebooks PATH.")
    return folder


class ServeError(ValueError):
    """A serving option that cannot work; the message says which and why."""


@dataclass(frozen=True)
class ServeOptions:
    """What ``planner.serve`` starts Voila with (see the module docstring).

    Attributes
    ----------
    host, port : str, int
        Address to listen on.
    token : str or None
        jupyter_server token (None: no authentication).
    preheat : bool
        Pre-executed kernels waiting per notebook.
    pool : int
        Spare kernels per notebook [kernels].
    pools : dict of str to int
        Per-notebook spare kernels (``overview.ipynb`` -> 2), over ``pool``.
    max_kernels : int
        Most page kernels at once [kernels]; 0: no cap.
    cull_idle_timeout, cull_interval : int
        Idle kernel culling [s]; timeout 0 turns culling off.
    disconnect_grace : float
        Seconds a page kernel outlives its page's last connection [s].
    """

    host: str = "127.0.0.1"
    port: int = 8866
    token: str | None = None
    preheat: bool = True
    pool: int = 1
    pools: dict[str, int] = field(default_factory=dict)
    max_kernels: int = 16
    cull_idle_timeout: int = 600
    cull_interval: int = 60
    disconnect_grace: float = 20.0


def parse_pools(spec: str) -> tuple[int, dict[str, int]]:
    """Read a ``--pool`` value: ``"2"``, ``"overview=2"`` or ``"1,overview=2,comparison=0"``.

    Returns
    -------
    (int, dict)
        The size for every dashboard (1 if not given) and the per-dashboard sizes
        keyed by notebook file name (``overview.ipynb``).

    Raises
    ------
    ServeError
        Naming the part that is not a whole number >= 0 or not ``name=number``.

    Examples
    --------
    >>> parse_pools("1,overview=2")
    (1, {'overview.ipynb': 2})
    """
    default, pools = 1, {}
    for part in (p.strip() for p in str(spec).split(",")):
        if not part:
            continue
        name, _, value = part.rpartition("=")
        try:
            size = int(value)
        except ValueError:
            size = -1
        if size < 0 or (part.count("=") > 1) or (("=" in part) and not name.strip()):
            raise ServeError(f"--pool: {part[:40]!r} is not a pool size; use a whole number >= 0, "
                             "NAME=number, or both separated by commas (e.g. 1,overview=2)")
        if name:
            name = name.strip()
            pools[name if name.endswith(".ipynb") else f"{name}.ipynb"] = size
        else:
            default = size
    return default, pools


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1).

    >>> is_loopback("127.0.0.1"), is_loopback("0.0.0.0"), is_loopback("localhost")
    (True, False, True)
    """
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name, or "" (every interface): reachable from elsewhere


def check_auth(host: str, token: str | None, no_auth: bool) -> str | None:
    """The token to serve with, after the rule: off loopback, a token or ``--no-auth``.

    ``token`` is the ``--token`` value ("" asks for a random one, None: not given).

    Raises
    ------
    ServeError
        For a non-loopback ``host`` with neither, or with both.
    """
    if token is not None and no_auth:
        raise ServeError("--token and --no-auth contradict each other; give one")
    if token == "":
        token = secrets.token_urlsafe(24)
    if token is None and not no_auth and not is_loopback(host):
        raise ServeError(
            f"--host {host}: this address is reachable from other machines, and anyone who reaches "
            "it could run the dashboards. Add --token (a random token, printed in the URL) or "
            "--token YOURTOKEN; or --no-auth if a proxy in front already authenticates users.")
    return token


def voila_command(folder: Path, options: ServeOptions | None = None, **kwargs: Any) -> list[str]:
    """The command line that serves ``folder`` (``planner.serve.voila_app``, Voila's options).

    ``kwargs`` build a :class:`ServeOptions` when ``options`` is not given. The token
    is not on the command line: see :func:`voila_env`.
    """
    o = options if options is not None else ServeOptions(**kwargs)
    command = [sys.executable, "-m", "planner.serve.voila_app", str(folder), "--no-browser",
               f"--Voila.ip={o.host}", f"--port={o.port}", "--Voila.port_retries=0",
               "--template=lab", "--theme=light", "--VoilaConfiguration.show_tracebacks=False",
               f"--PlannerVoila.max_kernels={max(o.max_kernels, 0)}",
               f"--PlannerKernelManager.disconnect_grace={o.disconnect_grace:g}",
               # jupyter_server's culling ("Config file and command line options",
               # https://jupyter-server.readthedocs.io/en/latest/other/full-config.html)
               f"--MappingKernelManager.cull_idle_timeout={max(o.cull_idle_timeout, 0)}",
               f"--MappingKernelManager.cull_interval={max(o.cull_interval, 1)}"]
    if o.preheat:
        command += ["--preheat_kernel=True", f"--pool_size={o.pool}", "--VoilaKernelManager.fill_delay=0"]
        for name, size in sorted(o.pools.items()):
            command += ["--PlannerVoila.pool_sizes", f"{name}={size}"]
    return command


def voila_env(options: ServeOptions, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for Voila: ``base`` (default ``os.environ``) with the token, if any."""
    env = dict(os.environ if base is None else base)
    env.pop(TOKEN_ENV, None)
    if options.token:
        env[TOKEN_ENV] = options.token
    return env


def landing_url(host: str, port: int, token: str | None = None) -> str:
    """URL of the landing page (with ``?token=`` when there is one)."""
    if host in ("", "0.0.0.0", "::"):
        host = socket.gethostname()
    shown = f"[{host}]" if ":" in host else host
    query = f"?token={token}" if token else ""
    return f"http://{shown}:{port}/voila/render/{LANDING}{query}"


#: Log lines of Voila and its kernels that say nothing a user of ``make app`` can act on
#: (and printed once per dashboard, they pushed the URL out of sight):
#: ipykernel warns that its ZMQ sockets use TCP without CurveZMQ encryption, though the
#: kernels listen on the loopback interface of this machine only; jupyter_server warns
#: that a notebook is "not trusted" (unsigned), which matters for showing a notebook's
#: stored HTML and JavaScript in an editor, not for Voila, which runs the notebook afresh
#: and shows only what it produces.
QUIET = ("Kernel is running over TCP without encryption", "is not trusted")
#: Voila's line when a dashboard's pre-heated kernel pool is ready.
POOL_FILLED = "Kernel pool of "


def quiet(line: str) -> bool:
    """Whether a log line of Voila or a kernel is one of :data:`QUIET` (left out)."""
    return any(text in line for text in QUIET)


def preheated_pools(folder: Path, options: ServeOptions) -> int:
    """The dashboards of ``folder`` that get pre-heated kernels (their pool size > 0)."""
    if not options.preheat:
        return 0
    return sum(1 for nb in folder.glob("*.ipynb") if options.pools.get(nb.name, options.pool) > 0)


class _Log(threading.Thread):
    """Copies Voila's log to stderr without the :func:`quiet` lines, and sets
    ``ready`` once ``pools`` dashboards have announced their filled kernel pool."""

    def __init__(self, stream: Any, pools: int):
        super().__init__(daemon=True)
        self.stream, self.pools, self.filled = stream, pools, set()
        self.ready = threading.Event()
        if pools == 0:
            self.ready.set()

    def run(self) -> None:
        for line in self.stream:
            if not quiet(line):   # written before ready is set: the URL comes after this line
                sys.stderr.write(line)
                sys.stderr.flush()
            if POOL_FILLED in line and "is filled" in line:
                self.filled.add(line.split(POOL_FILLED, 1)[1].split(" is filled", 1)[0])
                if len(self.filled) >= self.pools:
                    self.ready.set()
        self.ready.set()   # Voila ended: nothing more to wait for


def _wait_until_up(url: str, process: subprocess.Popen[Any], timeout: float) -> bool:
    """Poll ``url`` until it answers 200, the process ends or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.3)
    return False


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def serve(options: ServeOptions | None = None, *, browser: bool = True,
          notebooks: str | os.PathLike[str] | None = None, startup_timeout: float = 120.0,
          **kwargs: Any) -> int:
    """Run Voila on the notebooks until Ctrl+C (or until Voila stops).

    ``options`` (or ``kwargs`` for :class:`ServeOptions`) say how; the caller has
    applied :func:`check_auth` to the token.

    Returns
    -------
    int
        The exit status: 0 after Ctrl+C or SIGTERM, else Voila's own.
    """
    o = options if options is not None else ServeOptions(**kwargs)
    folder = notebooks_dir(notebooks)
    bind = o.host if o.host else "0.0.0.0"
    if not _port_free(bind, o.port):
        print(f"planner.serve: port {o.port} on {o.host} is in use; choose another with --port",
              file=sys.stderr)
        return 2
    command = voila_command(folder, o)
    url = landing_url(o.host, o.port, o.token)
    # Voila's file listing answers without starting a kernel
    local = "[::1]" if ":" in bind and bind != "0.0.0.0" else "127.0.0.1"
    local = o.host if is_loopback(o.host) else local
    probe = landing_url(local, o.port).rsplit("/voila/", 1)[0] + "/voila/tree"
    if o.token:
        probe += f"?token={o.token}"
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True
        raise KeyboardInterrupt

    # handlers first: Voila then starts with the default SIGINT action even where ours was
    # ignored (a background job), so Ctrl+C and `kill -INT` both reach it
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    process: subprocess.Popen[Any] | None = None
    try:
        process = subprocess.Popen(command, cwd=folder.parent, env=voila_env(o), stderr=subprocess.PIPE,
                                   text=True, errors="replace", bufsize=1)
        log = _Log(process.stderr, preheated_pools(folder, o))
        log.start()
        if _wait_until_up(probe, process, startup_timeout):
            # the URL comes last, once the dashboards' kernels are pre-heated (their log lines are above it)
            log.ready.wait(timeout=startup_timeout)
            limits = (f"at most {o.max_kernels} pages at once, " if o.max_kernels else "") + (
                f"idle kernels culled after {o.cull_idle_timeout} s" if o.cull_idle_timeout else
                "no idle culling")
            print(f"\nDashboards: {url}\n({limits}; Ctrl+C stops the server)\n", flush=True)
            if browser:
                webbrowser.open(url)
        elif process.poll() is None:
            print(f"planner.serve: Voila did not answer at {url} within {startup_timeout:.0f} s; "
                  "still waiting (Ctrl+C stops it)", file=sys.stderr, flush=True)
        return process.wait()
    except KeyboardInterrupt:
        stopping = True
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if process is not None and process.poll() is None:
            _stop(process)
        if stopping:
            print("planner.serve: stopped", flush=True)


def _stop(process: subprocess.Popen[Any]) -> None:
    """Stop Voila and its kernels. Ctrl+C in a terminal reaches Voila as well, so
    give it a moment first; then SIGINT (it shuts its kernels down), SIGTERM, SIGKILL."""
    try:
        process.wait(timeout=3)
        return
    except subprocess.TimeoutExpired:
        pass
    for send, wait in ((lambda: process.send_signal(signal.SIGINT), 20),
                       (process.terminate, 10), (process.kill, 5)):
        try:
            send()
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return


def strip_notebook(nb: Any) -> Any:
    """Remove what a stored notebook must not carry: widget state
    (``metadata.widgets``), widget views in outputs (their text remains) and
    execution timings. Returns ``nb`` (changed in place)."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            data = output.get("data")
            if data is not None and WIDGET_VIEW in data:
                data.pop(WIDGET_VIEW)
                output.get("metadata", {}).pop(WIDGET_VIEW, None)
                if not data:
                    continue
            kept.append(output)
        cell.outputs = kept
    return nb


def execute_notebooks(paths: Iterable[str | os.PathLike[str]] | None = None, *,
                      notebooks: str | os.PathLike[str] | None = None, timeout: int = 600) -> list[Path]:
    """Execute notebooks in place and strip them (see :func:`strip_notebook`).

    Parameters
    ----------
    paths : iterable of path, optional
        Notebooks to run; every ``*.ipynb`` of the notebooks folder by default.
    timeout : int
        Per cell [s].

    Returns
    -------
    list of Path
        The notebooks written.

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        When a cell fails (the notebook is not written).
    """
    import nbformat
    from nbclient import NotebookClient

    folder = notebooks_dir(notebooks)
    files = sorted(folder.glob("*.ipynb")) if paths is None else [Path(p) for p in paths]
    written = []
    for path in files:
        print(f"executing {path.name} ...", flush=True)
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute()
        nbformat.write(strip_notebook(nb), path)
        written.append(path)
    return written


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m planner.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; others need --token or --no-auth)")
    parser.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    parser.add_argument("--token", nargs="?", const="", default=None, metavar="TOKEN",
                        help="require this token (jupyter_server token authentication); "
                             "without a value, a random one")
    parser.add_argument("--no-auth", action="store_true",
                        help="serve a non-loopback address without authentication (behind a proxy "
                             "that authenticates)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--no-preheat", action="store_true", help="start a kernel only when a page is opened")
    parser.add_argument("--pool", default=None, metavar="SPEC",
                        help="pre-heated kernels per dashboard: N, NAME=N or both, comma-separated "
                             "(e.g. 1,overview=2; default 1)")
    parser.add_argument("--pool-size", type=int, default=None, help=argparse.SUPPRESS)  # older spelling
    parser.add_argument("--max-kernels", type=int, default=16,
                        help="most pages served at once; more get a 'busy' page (default 16; 0: no cap)")
    parser.add_argument("--cull-idle-timeout", type=int, default=600,
                        help="end kernels idle this long [s] (default 600; 0: never)")
    parser.add_argument("--cull-interval", type=int, default=60,
                        help="how often idle kernels are looked for [s] (default 60)")
    parser.add_argument("--disconnect-grace", type=float, default=20.0,
                        help="end a page's kernel this long after its last connection closed [s] "
                             "(default 20; 0: never)")
    parser.add_argument("--notebooks", help="folder of the notebooks (default: the checkout's notebooks/)")
    parser.add_argument("--execute-notebooks", action="store_true",
                        help="re-execute the notebooks in place (refresh stored outputs) and exit")
    return parser


def options_from_args(args: argparse.Namespace) -> ServeOptions:
    """:class:`ServeOptions` from parsed arguments (see :func:`main`).

    Raises
    ------
    ServeError
        For a refused address/authentication pair, a bad ``--pool`` or a negative limit.
    """
    for flag, value in (("--max-kernels", args.max_kernels), ("--cull-idle-timeout", args.cull_idle_timeout),
                        ("--disconnect-grace", args.disconnect_grace), ("--port", args.port)):
        if value < 0:
            raise ServeError(f"{flag}: {value} is negative; use 0 or more")
    if args.cull_interval < 1:
        raise ServeError(f"--cull-interval: {args.cull_interval} must be at least 1 [s]")
    spec = args.pool if args.pool is not None else (str(args.pool_size) if args.pool_size is not None else "1")
    pool, pools = parse_pools(spec)
    token = check_auth(args.host, args.token, args.no_auth)
    return ServeOptions(host=args.host, port=args.port, token=token, preheat=not args.no_preheat,
                        pool=pool, pools=pools, max_kernels=args.max_kernels,
                        cull_idle_timeout=args.cull_idle_timeout, cull_interval=args.cull_interval,
                        disconnect_grace=args.disconnect_grace)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point (see the module docstring)."""
    args = _parser().parse_args(argv)
    try:
        if args.execute_notebooks:
            execute_notebooks(notebooks=args.notebooks)
            return 0
        try:
            options = options_from_args(args)
        except ServeError as exc:
            print(f"planner.serve: {exc}", file=sys.stderr)
            return 2
        return serve(options, browser=not args.no_browser, notebooks=args.notebooks)
    except NotebooksNotFound as exc:
        print(exc.code, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
