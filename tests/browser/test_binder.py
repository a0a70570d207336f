"""The Binder route (docs/deploy.md, "Binder"): ``binder/`` installs into a fresh
virtual environment and the Voila URL it documents renders.

What repo2docker does with ``binder/``, done here in a new ``venv`` (Python
3.11 as ``binder/runtime.txt`` asks when the test's Python is 3.11): install
``binder/requirements.txt``, run ``binder/postBuild`` (which installs the
planner from the repository), then start a Jupyter server of that environment
from the repository's root, as Binder does, and open the documented
``urlpath`` (``voila/render/notebooks/index.ipynb``: Voila's server
extension) in Chromium, plus the overview with its first chart. pip takes the
packages from its cache where it has them (as ``make install`` does); the
machine reaches PyPI for the rest.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

import voila_page as vp

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BINDER = vp.ROOT / "binder"
#: The path after ``?urlpath=`` in docs/deploy.md's Binder link.
DOCUMENTED = re.search(r"urlpath=(\S+)", (vp.ROOT / "docs" / "deploy.md").read_text())


def _run(cmd: list[str], log: Path, **kwargs: Any) -> None:
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"$ {' '.join(cmd)}\n")
        fh.flush()
        done = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                              timeout=600, **kwargs)
    assert done.returncode == 0, f"{' '.join(cmd[:4])} ... failed ({done.returncode}); log {log}"


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository, as Binder clones it (postBuild builds in it)."""
    target = tmp_path_factory.mktemp("binder") / "repository"
    shutil.copytree(vp.ROOT, target, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "test-artifacts", "build", "dist", "*.egg-info", "__pycache__",
        ".ipynb_checkpoints", "results"))
    return target


@pytest.fixture(scope="module")
def binder_env(checkout: Path) -> Path:
    """A fresh venv with ``binder/``'s environment installed; returns its bin/ folder."""
    runtime = (BINDER / "runtime.txt").read_text().strip()
    wanted = runtime.removeprefix("python-")
    have = f"{sys.version_info.major}.{sys.version_info.minor}"
    if wanted != have:
        pytest.skip(f"binder/runtime.txt asks for Python {wanted}; this is {have}")
    venv = checkout.parent / "venv"
    log = vp.ARTIFACTS / "binder-install.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    _run([sys.executable, "-m", "venv", str(venv)], log, env=env)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    # --no-compile: no .pyc files written ahead (Python writes those it needs on import);
    # the rest as repo2docker does it
    _run(pip + ["install", "--quiet", "--no-compile", "-r", str(BINDER / "requirements.txt")], log, env=env)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    _run(["bash", str(checkout / "binder" / "postBuild")], log, env=env, cwd=checkout)
    return venv / "bin"


@pytest.fixture(scope="module")
def binder_server(binder_env: Path, checkout: Path) -> Iterator[str]:
    """That environment's Jupyter server on 127.0.0.1, from the repository's root."""
    port = vp._free_port()
    log = vp.ARTIFACTS / "binder-server.log"
    cmd = [str(binder_env / "jupyter"), "server", "--no-browser", f"--ServerApp.port={port}",
           "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", "--IdentityProvider.token=",
           "--ServerApp.password=", "--ServerApp.disable_check_xsrf=False"]
    if os.getuid() == 0:
        cmd.append("--allow-root")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = f"{binder_env}{os.pathsep}{env.get('PATH', '')}"
    with open(log, "w", encoding="utf-8") as fh:
        proc = subprocess.Popen(cmd, cwd=checkout, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            def up() -> bool:
                try:
                    with urllib.request.urlopen(f"{base}/api/status", timeout=5) as resp:
                        return resp.status == 200
                except (urllib.error.URLError, OSError):
                    return proc.poll() is not None
            assert vp.wait_for(up, timeout=60, interval=0.3) and proc.poll() is None, \
                f"the binder environment's Jupyter server did not start; log {log}"
            yield base
        finally:
            tree = vp.descendants(proc.pid)
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
            for pid in tree:
                if vp._alive(pid):
                    os.kill(pid, 9)


def test_binder_environment_renders_the_documented_url(binder_env: Path, binder_server: str,
                                                         recorded_page: vp.RecordedPage) -> None:
    assert DOCUMENTED is not None and DOCUMENTED.group(1) == "voila/render/notebooks/index.ipynb"
    # the environment is binder/'s: the pinned versions, and the planner installed by postBuild
    pins = dict(line.split("==") for line in (BINDER / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    out = subprocess.run([str(binder_env / "python"), "-c",
                          "import importlib.metadata as m, planner; "
                          "print(m.version('voila'), m.version('plotly'), planner.__file__)"],
                         capture_output=True, text=True, check=True, cwd=binder_env).stdout.split()
    assert out[:2] == [pins["voila"], pins["plotly"]]
    assert out[2].startswith(str(binder_env.parent)), out[2]   # installed, not this checkout
    page = recorded_page.page
    # the documented landing page (its base: the server's root, where Binder starts)
    landing = vp.open_dashboard(page, binder_server, "notebooks/index", expect_chart=False, recorded=recorded_page)
    assert landing.status == 200 and vp.python_errors(page) == []
    overview = vp.open_dashboard(page, binder_server, "notebooks/overview", recorded=recorded_page)
    assert overview.first_chart is not None and vp.python_errors(page) == []
    assert recorded_page.page_errors == [], recorded_page.page_errors
