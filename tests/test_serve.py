"""planner.serve: its options, the Voila command they build, and one real server
(127.0.0.1, stopped at the end) that refuses a visitor without the token and
answers a visitor beyond the kernel cap with the "busy" page."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from planner.serve import server as serve
from planner.serve import ServeError, ServeOptions, check_auth, is_loopback, main, parse_pools


# --- options --------------------------------------------------------------------------

@pytest.mark.parametrize("spec, expected", [
    ("2", (2, {})),
    ("0", (0, {})),
    ("overview=2", (1, {"overview.ipynb": 2})),
    ("1, overview=2,comparison.ipynb=0", (1, {"overview.ipynb": 2, "comparison.ipynb": 0})),
])
def test_parse_pools(spec, expected):
    assert parse_pools(spec) == expected


@pytest.mark.parametrize("spec", ["two", "-1", "overview=", "=2", "overview=-3", "a=b=2", "1.5"])
def test_parse_pools_refuses_with_the_part_named(spec):
    with pytest.raises(ServeError, match=r"--pool: .*whole number >= 0"):
        parse_pools(spec)


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.1.2.3", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("0.0.0.0", False), ("", False), ("::", False), ("192.168.1.5", False), ("planner.example", False),
])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_auth_rule():
    assert check_auth("127.0.0.1", None, False) is None          # loopback: as today
    assert check_auth("0.0.0.0", "s3cret", False) == "s3cret"
    assert check_auth("0.0.0.0", None, True) is None             # explicit --no-auth
    generated = check_auth("0.0.0.0", "", False)                 # --token without a value
    assert len(generated) == 32 and generated != check_auth("0.0.0.0", "", False)  # 24 bytes, base64
    with pytest.raises(ServeError, match=r"--host 0\.0\.0\.0: .*--token.*--no-auth"):
        check_auth("0.0.0.0", None, False)
    with pytest.raises(ServeError, match="contradict"):
        check_auth("127.0.0.1", "x", True)


def test_non_loopback_host_without_token_refuses_to_start(capsys, monkeypatch):
    monkeypatch.setattr(serve, "serve", lambda *a, **k: pytest.fail("must not start"))
    assert main(["--host", "0.0.0.0", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert "planner.serve: --host 0.0.0.0: this address is reachable from other machines" in err
    assert "Traceback" not in err


def test_options_from_the_command_line(monkeypatch):
    seen = {}
    monkeypatch.setattr(serve, "serve", lambda options, **kw: seen.update(options=options, **kw) or 0)
    assert main(["--host", "0.0.0.0", "--token", "abc", "--pool", "2,overview=3", "--max-kernels", "5",
                 "--cull-idle-timeout", "900", "--cull-interval", "30", "--disconnect-grace", "10",
                 "--no-browser"]) == 0
    assert seen["options"] == ServeOptions(host="0.0.0.0", token="abc", pool=2, pools={"overview.ipynb": 3},
                                           max_kernels=5, cull_idle_timeout=900, cull_interval=30,
                                           disconnect_grace=10.0)
    assert seen["browser"] is False
    assert main(["--pool-size", "3"]) == 0 and seen["options"].pool == 3   # the older spelling
    assert seen["options"] == ServeOptions(pool=3)  # defaults: loopback, 16 kernels, 600 s culling


@pytest.mark.parametrize("argv, message", [
    (["--max-kernels", "-1"], "--max-kernels: -1 is negative"),
    (["--cull-interval", "0"], "--cull-interval: 0 must be at least 1"),
    (["--pool", "x"], "--pool: 'x' is not a pool size"),
    (["--token", "a", "--no-auth"], "contradict"),
])
def test_bad_options_are_refused(capsys, monkeypatch, argv, message):
    monkeypatch.setattr(serve, "serve", lambda *a, **k: pytest.fail("must not start"))
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_voila_command_and_environment(tmp_path):
    options = ServeOptions(host="0.0.0.0", port=9000, token="s3cret", pool=2, pools={"overview.ipynb": 3},
                           max_kernels=7, cull_idle_timeout=900, cull_interval=30, disconnect_grace=12)
    command = serve.voila_command(tmp_path, options)
    assert command[1:4] == ["-m", "planner.serve.voila_app", str(tmp_path)]
    for arg in ("--Voila.ip=0.0.0.0", "--port=9000", "--PlannerVoila.max_kernels=7",
                "--MappingKernelManager.cull_idle_timeout=900", "--MappingKernelManager.cull_interval=30",
                "--PlannerKernelManager.disconnect_grace=12", "--preheat_kernel=True", "--pool_size=2"):
        assert arg in command
    assert command[command.index("--PlannerVoila.pool_sizes") + 1] == "overview.ipynb=3"
    assert not any("s3cret" in arg for arg in command)        # the token is not in the process list
    assert serve.voila_env(options, {"PATH": "/bin"}) == {"PATH": "/bin", serve.TOKEN_ENV: "s3cret"}
    assert serve.voila_env(ServeOptions(), {serve.TOKEN_ENV: "old"}) == {}
    cold = serve.voila_command(tmp_path, ServeOptions(preheat=False))
    assert not any(a.startswith(("--preheat", "--pool")) for a in cold)


def test_landing_url_carries_the_token():
    assert serve.landing_url("127.0.0.1", 8866) == "http://127.0.0.1:8866/voila/render/index.ipynb"
    assert serve.landing_url("::1", 80, "t") == "http://[::1]:80/voila/render/index.ipynb?token=t"
    assert serve.landing_url("0.0.0.0", 1, "t").startswith(f"http://{socket.gethostname()}:1/")


# --- one real server --------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        headers: dict[str, str] = {}
        for key, value in resp.getheaders():  # Set-Cookie comes once per cookie
            headers[key.lower()] = f"{headers[key.lower()]}\n{value}" if key.lower() in headers else value
        return resp.status, headers, resp.read().decode(errors="replace")
    finally:
        conn.close()


@pytest.fixture
def tiny_server(tmp_path):
    """The product's Voila on a one-cell notebook: token "t0k", at most one page kernel."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    folder = tmp_path / "nb"
    folder.mkdir()
    nb = new_notebook(cells=[new_code_cell("print('tiny page')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "tiny.ipynb")
    port = _free_port()
    options = ServeOptions(port=port, token="t0k", preheat=False, max_kernels=1)
    log = open(tmp_path / "voila.log", "w")
    proc = subprocess.Popen(serve.voila_command(folder, options), cwd=tmp_path, env=serve.voila_env(options),
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "voila.log").read_text()
            with contextlib.suppress(OSError):
                if _get(port, "/voila/tree?token=t0k")[0] == 200:
                    break
            time.sleep(0.3)
        else:
            pytest.fail("the server did not answer in 90 s:\n" + (tmp_path / "voila.log").read_text())
        yield port, tmp_path / "voila.log"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


@pytest.mark.slow
def test_server_refuses_without_token_and_answers_busy_beyond_the_cap(tiny_server):
    port, log = tiny_server
    status, headers, _ = _get(port, "/voila/render/tiny.ipynb")             # no token
    assert status in (302, 403) and "Kernel started" not in Path(log).read_text()
    if status == 302:
        assert "/login" in headers["location"]
    status, _, body = _get(port, "/voila/render/tiny.ipynb?token=wrong")
    assert status in (302, 403)

    status, headers, body = _get(port, "/voila/render/tiny.ipynb?token=t0k")
    assert status == 200 and "tiny page" in body
    assert "_xsrf=" in headers.get("set-cookie", "")   # the page's unload request needs it
    # its kernel is alive (no browser connected yet): the cap of one is reached
    status, headers, body = _get(port, "/voila/render/tiny.ipynb?token=t0k")
    assert status == 503
    assert headers["retry-after"] == "60"
    assert "The planner is busy" in body and "try again in a minute" in body
    assert Path(log).read_text().count("Kernel started") == 1


@pytest.mark.slow
def test_server_assets_are_local_compressed_and_cacheable(tiny_server):
    import sys

    port, _ = tiny_server
    status, _, body = _get(port, "/voila/render/tiny.ipynb?token=t0k")
    assert status == 200
    assert "cdn.jsdelivr.net" not in body and "/voila/planner-static/fontawesome/css/all.min.css" in body
    status, headers, css = _get(port, "/voila/planner-static/fontawesome/css/all.min.css?token=t0k")
    assert status == 200 and "Font Awesome Free 5.15.4" in css
    static = Path(sys.prefix) / "share/jupyter/labextensions/@jupyter-widgets/jupyterlab-manager/static"
    entry = next(static.glob("remoteEntry.*.js")).name    # content-hashed: cached for good
    status, headers, _ = _get(port, f"/voila/labextensions/@jupyter-widgets/jupyterlab-manager/static/{entry}",
                              {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    status, headers, _ = _get(port, "/voila/labextensions/@jupyter-widgets/jupyterlab-manager/package.json")
    assert status == 200 and headers["cache-control"] == "no-cache"   # not hashed: revalidated


# --- what `make app` prints ---------------------------------------------------------------

#: Two lines of a real `make app` log (Voila 0.5, ipykernel 7): 8 of each came before the URL.
_TCP = ("[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All communication "
        "(including code and outputs) is sent in plain text and is susceptible to eavesdropping. Use IPC "
        "transport or launch with kernel manager-provisioned CurveZMQ keys to enable transport encryption.\n")
_TRUST = "[PlannerVoila] WARNING | Notebook overview.ipynb is not trusted\n"


def test_the_log_leaves_out_what_no_user_can_act_on():
    assert serve.quiet(_TCP) and serve.quiet(_TRUST)
    for kept in ("[PlannerVoila] Kernel started: a451702d\n", "[PlannerVoila] ERROR | Error at server while "
                 "executing cell\n", "[PlannerVoila] WARNING | Busy: 16 page kernels (cap 16)\n"):
        assert not serve.quiet(kept)


def test_the_url_waits_for_every_preheated_pool(tmp_path, capsys):
    for name in ("index", "overview", "hosts"):
        (tmp_path / f"{name}.ipynb").write_text("{}")
    assert serve.preheated_pools(tmp_path, ServeOptions(pool=1, pools={"hosts.ipynb": 0})) == 2
    assert serve.preheated_pools(tmp_path, ServeOptions(preheat=False)) == 0
    filled = "[PlannerVoila] Kernel pool of {} is filled with 1 kernel(s)\n"
    ready = []

    def voila_log():
        yield _TRUST
        yield filled.format("index.ipynb")
        yield filled.format("index.ipynb")      # a refill after a page used the kernel: not a new pool
        ready.append(log.ready.is_set())
        assert capsys.readouterr().err.count("is filled") == 2
        yield filled.format("overview.ipynb")
        # ready, and the line that made it so is already out: the URL printed now comes after it
        ready.append((log.ready.is_set(), capsys.readouterr().err.endswith(filled.format("overview.ipynb"))))
        yield _TCP

    log = serve._Log(voila_log(), 2)
    log.run()
    assert ready == [False, (True, True)]
    err = capsys.readouterr().err
    assert "not trusted" not in err and "without encryption" not in err


@pytest.mark.slow
def test_make_app_prints_the_url_last_and_no_unactionable_warnings(tmp_path):
    """A real start of `python -m planner.serve` (as `make app` runs it) on a one-cell dashboard."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("print('tiny page')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "index.ipynb")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "planner.serve", "--port", str(port), "--no-browser",
                             "--notebooks", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    out = []
    try:
        deadline = time.monotonic() + 120
        for line in proc.stdout:
            out.append(line)
            if line.startswith("Dashboards: ") or time.monotonic() > deadline:
                break
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        try:
            rest, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            rest, _ = proc.communicate(timeout=10)
    text = "".join(out)
    assert out[-1] == f"Dashboards: http://127.0.0.1:{port}/voila/render/index.ipynb\n", text + rest
    assert "Kernel pool of index.ipynb is filled" in text                  # before the URL
    assert "without encryption" not in text + rest and "not trusted" not in text + rest
