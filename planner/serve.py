"""Serve the dashboards with Voila, or re-execute the stored notebooks.

Usage::

    python -m planner.serve [--host 127.0.0.1] [--port 8866] [--no-browser]
                            [--no-preheat] [--pool-size 1] [--notebooks DIR]
    python -m planner.serve --execute-notebooks [--notebooks DIR]

The first form starts Voila on the repository's ``notebooks/`` folder with the
lab template, prints the URL of the landing page (``index.ipynb``) and stops
cleanly on Ctrl+C. Kernels are preheated (each notebook is run once in a spare
kernel before anyone asks for it, so a page shows in about half the time):
Voila supports this for a folder of notebooks, one pool per notebook, and
refills a pool after each use. Preheating is only possible in the standalone
Voila app (not in the Jupyter server extension used on Binder) and costs one
idle kernel per notebook; ``--no-preheat`` turns it off.

The second form executes every notebook in place (nbclient), so that the
stored outputs that nbval compares are current, and strips what must not be
stored: widget state (``metadata.widgets``), widget views and timings.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import webbrowser
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["notebooks_dir", "voila_command", "landing_url", "serve", "execute_notebooks",
           "strip_notebook", "main"]

LANDING = "index.ipynb"
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
    folder = Path(path) if path is not None else Path(__file__).resolve().parent.parent / "notebooks"
    if not (folder / LANDING).is_file():
        raise NotebooksNotFound(
            f"planner.serve: no dashboards at {folder} (looked for {LANDING}). The notebooks live in the "
            "repository's notebooks/ folder, which a wheel does not install: run from a checkout "
            "(git clone ... && pip install -e '.[app]') or pass --notebooks PATH.")
    return folder


def voila_command(folder: Path, *, host: str = "127.0.0.1", port: int = 8866, preheat: bool = True,
                  pool_size: int = 1) -> list[str]:
    """The Voila command line that serves ``folder``."""
    command = [sys.executable, "-m", "voila", str(folder), "--no-browser", f"--Voila.ip={host}",
               f"--port={port}", "--template=lab", "--theme=light",
               "--VoilaConfiguration.show_tracebacks=False"]
    if preheat:
        command += ["--preheat_kernel=True", f"--pool_size={pool_size}",
                    "--VoilaKernelManager.fill_delay=0"]
    return command


def landing_url(host: str, port: int) -> str:
    """URL of the landing page."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/voila/render/{LANDING}"


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


def serve(*, host: str = "127.0.0.1", port: int = 8866, browser: bool = True, preheat: bool = True,
          pool_size: int = 1, notebooks: str | os.PathLike[str] | None = None,
          startup_timeout: float = 120.0) -> int:
    """Run Voila on the notebooks until Ctrl+C (or until Voila stops).

    Returns
    -------
    int
        The exit status: 0 after Ctrl+C or SIGTERM, else Voila's own.
    """
    folder = notebooks_dir(notebooks)
    if not _port_free(host, port):
        print(f"planner.serve: port {port} on {host} is in use; choose another with --port", file=sys.stderr)
        return 2
    command = voila_command(folder, host=host, port=port, preheat=preheat, pool_size=pool_size)
    url = landing_url(host, port)
    # Voila's file listing answers without starting a kernel (a page view would start one
    # that lives until Voila stops, voila#1458)
    probe = url.rsplit("/voila/", 1)[0] + "/voila/tree"
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
        process = subprocess.Popen(command, cwd=folder.parent)
        if _wait_until_up(probe, process, startup_timeout):
            print(f"\nDashboards: {url}\n(Ctrl+C stops the server)\n", flush=True)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m planner.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--no-preheat", action="store_true", help="start a kernel only when a page is opened")
    parser.add_argument("--pool-size", type=int, default=1, help="preheated kernels per notebook (default 1)")
    parser.add_argument("--notebooks", help="folder of the notebooks (default: the checkout's notebooks/)")
    parser.add_argument("--execute-notebooks", action="store_true",
                        help="re-execute the notebooks in place (refresh stored outputs) and exit")
    args = parser.parse_args(argv)
    try:
        if args.execute_notebooks:
            execute_notebooks(notebooks=args.notebooks)
            return 0
        return serve(host=args.host, port=args.port, browser=not args.no_browser,
                     preheat=not args.no_preheat, pool_size=args.pool_size, notebooks=args.notebooks)
    except NotebooksNotFound as exc:
        print(exc.code, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
