"""Server capacity without browsers: N concurrent sessions of one dashboard.

Each session does what a browser's page does to the server, without drawing:
``GET /voila/render/<name>.ipynb`` (the response ends when Voila has executed
every cell in the page's kernel), then opens the kernel's websocket
(``/api/kernels/<id>/channels``, jupyter_server's JSON protocol) and waits for
the answer to a ``kernel_info_request``, as the widget manager does. The
sessions stay open until all are done, then all close their websockets
together, and the kernels are counted again ``--linger`` seconds later.

Reported: throughput (sessions per minute, first request to last session
ready), each session's render time (slowest, median), memory (RSS and USS of
each page kernel, and of the Voila process), and the page kernels left after
the linger. Bounded: ``timeout`` seconds overall, loopback only, the server is
stopped at the end.

The server is the product's (``planner.serve.voila_app``) with the settings of
``make app`` (pre-heated pool of 1 per dashboard, cap 16 pages).

Command line: ``python -m bench.capacity [--sessions 10] [--dashboard overview]
[--linger 60] [--no-preheat]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_BROWSER_TESTS = ROOT / "tests" / "browser"
if str(_BROWSER_TESTS) not in sys.path:
    sys.path.insert(0, str(_BROWSER_TESTS))

import voila_page as vp  # noqa: E402

__all__ = ["run", "main"]

_KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
TARGET_SECONDS, TARGET_SESSIONS = 20.0, 10


def _uss(pid: int) -> int:
    try:
        import psutil
        return psutil.Process(pid).memory_full_info().uss
    except Exception:
        return 0


async def _session(base: str, ws_base: str, name: str, t0: float, timeout: float) -> dict[str, Any]:
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest
    from tornado.websocket import websocket_connect

    row: dict[str, Any] = {"error": None}
    first: list[float] = []
    chunks: list[bytes] = []

    def on_chunk(chunk: bytes) -> None:
        if not first:
            first.append(time.monotonic())
        chunks.append(chunk)

    start = time.monotonic()
    row["queued"] = start - t0
    try:
        resp = await AsyncHTTPClient().fetch(HTTPRequest(
            vp.render_url(base, name), request_timeout=timeout, connect_timeout=timeout,
            streaming_callback=on_chunk))
        row["status"] = resp.code
    except Exception as exc:
        row.update(status=getattr(exc, "code", None), error=f"render: {exc}")
        return row
    rendered = time.monotonic()
    row["first_byte"] = (first[0] - start) if first else None
    row["rendered"] = rendered - start
    body = b"".join(chunks)
    found = _KERNEL_ID.search(body.decode(errors="replace"))
    if not found:
        row["error"] = "no kernel id in the page"
        return row
    row["kernel_id"] = kernel = found.group(1)
    cookies = "; ".join(c.split(";", 1)[0] for c in resp.headers.get_list("Set-Cookie"))
    try:
        ws = await asyncio.wait_for(websocket_connect(HTTPRequest(
            f"{ws_base}/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}",
            headers={"Cookie": cookies} if cookies else {})), timeout)
        msg_id = uuid.uuid4().hex
        ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "kernel_info_request", "username": "bench",
                       "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell", "buffers": []}))
        while True:
            raw = await asyncio.wait_for(ws.read_message(), timeout)
            if raw is None:
                raise ConnectionError("websocket closed")
            if isinstance(raw, str):
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") == msg_id and \
                        msg.get("msg_type") == "kernel_info_reply":
                    break
    except Exception as exc:
        row["error"] = f"websocket: {type(exc).__name__}: {exc}"
        return row
    row["ws"] = ws
    row["ready"] = time.monotonic() - start
    row["done_at"] = time.monotonic() - t0
    return row


async def _run_sessions(server: vp.VoilaServer, name: str, sessions: int, timeout: float,
                        measure: Any) -> list[dict[str, Any]]:
    """Open every session, call ``measure(rows)`` while all are open, then close them."""
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=max(64, sessions * 2))
    base = server.base_url
    ws_base = base.replace("http://", "ws://")
    t0 = time.monotonic()
    rows = list(await asyncio.gather(*(_session(base, ws_base, name, t0, timeout) for _ in range(sessions))))
    measure(rows)
    for r in rows:
        ws = r.pop("ws", None)
        if ws is not None:
            ws.close()
    await asyncio.sleep(0.5)
    return rows


def _page_kernels(server: vp.VoilaServer, baseline: set[int]) -> list[int]:
    return [k for k in server.kernels() if k not in baseline]


def run(name: str = "overview", sessions: int = TARGET_SESSIONS, *, preheat: bool = True, linger: float = 60.0,
        timeout: float = 240.0, notebooks: str | Path | None = None) -> dict[str, Any]:
    """Run ``sessions`` concurrent sessions of ``name`` against a fresh server; see the module."""
    notebooks = Path(notebooks or vp.NOTEBOOKS)
    sessions = max(1, min(int(sessions), 40))
    log = vp.ARTIFACTS / f"voila-capacity-{name}.log"
    args = ["--PlannerVoila.max_kernels=16", "--VoilaKernelManager.fill_delay=0"]
    result: dict[str, Any] = {"dashboard": name, "sessions": sessions, "preheat": preheat}
    with vp.VoilaServer(notebooks, log, preheat=preheat, pool_size=1, extra_args=args,
                        startup_timeout=120) as server:
        if preheat:
            for nb in sorted(notebooks.glob("*.ipynb")):
                server.wait_pool(nb.name, 1, timeout=180)
        baseline = set(server.kernels())
        voila_rss0 = vp.rss_bytes(server.pid)
        started = time.monotonic()

        def measure(rows: list[dict[str, Any]]) -> None:
            elapsed = time.monotonic() - started
            ok = [r for r in rows if r["error"] is None]
            kernels = [k for k in server.kernels() if k not in baseline]
            mb = 1024 * 1024
            rss = [vp.rss_bytes(k) / mb for k in kernels]
            uss = [_uss(k) / mb for k in kernels]
            done = max((r["done_at"] for r in ok), default=elapsed)
            result.update({
                "ok": len(ok), "errors": [r["error"] for r in rows if r["error"]][:5],
                "statuses": sorted({r.get("status") for r in rows}, key=str),
                "slowest_render": max((r["rendered"] for r in ok), default=None),
                "median_render": statistics.median([r["rendered"] for r in ok]) if ok else None,
                "slowest_ready": max((r["ready"] for r in ok), default=None),
                "all_ready_after": done if ok else None,
                "sessions_per_minute": len(ok) / done * 60 if ok else 0.0,
                "kernels_during": len(server.kernels()), "pool_kernels": len(baseline),
                "rss_per_kernel_mb": statistics.median(rss) if rss else None,
                "uss_per_kernel_mb": statistics.median(uss) if any(uss) else None,
                "voila_rss_mb": vp.rss_bytes(server.pid) / mb,
                "voila_rss_growth_mb": (vp.rss_bytes(server.pid) - voila_rss0) / mb,
            })

        asyncio.run(_run_sessions(server, name, sessions, timeout, measure))
        pool_kernels = len(baseline)
        closed = time.monotonic()
        gone_at = None
        while time.monotonic() - closed < linger:
            # the pools refill after use: count kernels beyond the pool's size
            if len(server.kernels()) <= pool_kernels and gone_at is None:
                gone_at = time.monotonic() - closed
            time.sleep(1)
        left = max(0, len(server.kernels()) - pool_kernels)
        result.update({"kernels_left_after_linger": left, "linger": linger,
                       "all_page_kernels_gone_after": gone_at})
    result["pass"] = bool(result["ok"] == sessions and result["slowest_ready"] is not None
                          and result["slowest_ready"] < TARGET_SECONDS and result["kernels_left_after_linger"] == 0)
    return result


def breakdown(name: str = "overview") -> dict[str, float]:
    """Where one session's time goes, each part measured on its own in a new process [s]:
    a kernel's start (to its first answer), importing the dashboard's module, building
    the page (its first forecast included)."""
    import subprocess

    from jupyter_client.manager import start_new_kernel

    parts: dict[str, float] = {}
    t = time.monotonic()
    km, kc = start_new_kernel(kernel_name="python3")
    parts["kernel start"] = time.monotonic() - t
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    code = (f"import time; t = time.perf_counter(); import planner.ui.{name} as m; "
            "t1 = time.perf_counter(); import planner.engine, planner.scenario; "
            "s = planner.scenario.load_scenario(None); t2 = time.perf_counter(); planner.engine.forecast(s); "
            "t3 = time.perf_counter(); print(t1 - t, t3 - t2)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if out.returncode == 0:
        imports, forecast = map(float, out.stdout.split()[-2:])
        parts["import planner.ui." + name] = imports
        parts["first forecast (example)"] = forecast
    return parts


def _fmt(v: Any) -> str:
    return f"{v:.2f}" if isinstance(v, float) else str(v)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.capacity", description=__doc__.splitlines()[0])
    parser.add_argument("--dashboard", default="overview")
    parser.add_argument("--sessions", type=int, default=TARGET_SESSIONS)
    parser.add_argument("--linger", type=float, default=60.0)
    parser.add_argument("--no-preheat", action="store_true")
    args = parser.parse_args(argv)
    res = run(args.dashboard, args.sessions, preheat=not args.no_preheat, linger=args.linger)
    for key, value in res.items():
        print(f"{key:28s} {_fmt(value)}")
    for key, value in breakdown(args.dashboard).items():
        print(f"{'part: ' + key:28s} {value:.2f} s")
    return 0 if res["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
