"""The dashboard notebooks as stored, and the server that shows them.

nbval re-runs the notebooks and compares the cells marked ``# NBVAL_CHECK_OUTPUT``::

    pytest --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks/

but it passes a notebook that was never executed, so this file checks that
every stored notebook was run top to bottom without errors and stripped of
widget state (refresh them with ``python -m planner.serve --execute-notebooks``).
"""

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DASHBOARDS = ("overview", "hosts", "digital_experience", "ddu_grail", "comparison", "support", "renewal",
              "licensing")
WIDGET_STATE_LIMIT = 200_000      # bytes of metadata.widgets
PLOTLY_MIME = "application/vnd.plotly.v1+json"


def _notebooks():
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def test_every_dashboard_has_a_notebook():
    assert {p.stem for p in _notebooks()} == {"index", *DASHBOARDS}


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.stem)
def test_notebook_is_stored_executed_and_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown", "a notebook opens with a sentence of context"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    counts = [c.execution_count for c in code]
    assert None not in counts, f"cells never executed: {counts}"
    assert counts == list(range(1, len(code) + 1)), f"not run top to bottom in one kernel: {counts}"
    for cell in code:
        for output in cell.outputs:
            assert output.output_type != "error", f"stored error: {output.get('ename')}: {output.get('evalue')}"
            assert not (output.output_type == "stream" and output.name == "stderr"), output.text[:300]
            data = output.get("data", {})
            assert PLOTLY_MIME not in data, "plotly JSON stored in a cell output"
            assert "Traceback" not in json.dumps(data)
    state = nb.metadata.get("widgets")
    assert len(json.dumps(state)) <= WIDGET_STATE_LIMIT if state else True, "stored widget state too large"
    assert "widgets" not in nb.metadata, "strip widget state (python -m planner.serve --execute-notebooks)"
    checked = [c for c in code if c.source.startswith("# NBVAL_CHECK_OUTPUT")]
    assert checked and all(c.outputs for c in checked), "key results are checked by nbval"
    last = code[-1]
    shown = "".join(o.get("data", {}).get("text/plain", "") for o in last.outputs)
    assert shown.startswith("Dashboard '"), "the last cell shows the dashboard"


def test_index_links_every_dashboard():
    nb = nbformat.read(NOTEBOOKS / "index.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for name in DASHBOARDS:
        assert f"]({name}.ipynb)" in text, f"index.ipynb does not link {name}.ipynb"


# --- the server --------------------------------------------------------------------------

def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url, timeout=120):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode("utf-8", "replace")


@pytest.mark.slow
def test_serve_shows_the_landing_page_and_every_dashboard():
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "planner.serve", "--port", str(port), "--no-browser"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True)
    reader.start()
    seen: list[str] = []

    def wait_for(done, timeout: float) -> None:
        """Read the server's output until ``done(seen)`` or the timeout (never blocks past it)."""
        end = time.monotonic() + timeout
        while not done(seen) and time.monotonic() < end:
            try:
                seen.append(lines.get(timeout=max(0.0, min(1.0, end - time.monotonic()))))
            except queue.Empty:
                if server.poll() is not None:
                    return

    try:
        wait_for(lambda out: any(l.startswith("Dashboards: ") for l in out), 120)
        url = next((l.split(" ", 1)[1].strip() for l in seen if l.startswith("Dashboards: ")), None)
        assert url == f"http://127.0.0.1:{port}/voila/render/index.ipynb", "".join(seen[-20:])
        # A page asked for while its preheated kernel still runs the notebook comes
        # back before its widgets: wait (bounded) until Voila reports every pool filled.
        wait_for(lambda out: len({m.group(1) for l in out
                                  if (m := re.search(r"Kernel pool of (\S+?)\.ipynb is filled", l))})
                 >= 1 + len(DASHBOARDS), 120)
        for name in ("index", *DASHBOARDS):
            status, page = _get(url.replace("index.ipynb", f"{name}.ipynb"))
            assert status == 200, name
            assert "application/vnd.jupyter.widget-view+json" in page, (
                f"{name}: no dashboard in the page; its end: {page[-3000:]!r}; server log: {''.join(seen[-30:])}")
            assert "Traceback" not in page and not re.search(r'"output_type": ?"error"', page), name
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        reader.join(timeout=10)          # the process has ended: its output reaches EOF
        wait_for(lambda out: False, 0.5)   # collect what the reader queued last
        if not reader.is_alive():
            server.stdout.close()
    rest = "".join(seen)
    assert server.returncode == 0, rest[-2000:]
    assert "planner.serve: stopped" in rest
