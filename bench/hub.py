"""The dashboards through JupyterHub: first page for 1 and N people arriving together,
memory per person's server, and how many people this machine serves.

JupyterHub runs as in the hub test (``tests/browser/hub_server.py``: the
deployment's ``deploy/jupyterhub_config.py`` with a shared password, local
processes as servers, the proxy from ``deploy/node_modules``), on 127.0.0.1.
Each person, without a browser: logs in through the hub's form (HTTP, with
the hub's cookies and ``_xsrf``), which spawns their server, then requests
the overview at ``/user/<name>/voila/render/notebooks/overview.ipynb`` until
their server answers it; the response ends when Voila has executed every cell
of the page in the person's kernel. "First page" is the time from the login
request to that response's end: server start + kernel start + the page's
execution. The widgets' drawing in a browser comes on top (see the hub test's
timings).

Memory is read from /proc once every page has rendered: the resident set
(RSS) of each person's server process and of its page kernel. The hub's own
processes (hub, proxy, culler) are reported apart. The number of people the
machine serves is the smaller of a memory bound (available memory / memory per
person) and a CPU bound (people whose servers start within the target when
they arrive together, from the measured CPU time per arrival).

"1 person" is the median of three people arriving one after another (each a
new server: a cold start).

Command line: ``python -m bench.hub [--users 10] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_BROWSER_TESTS = ROOT / "tests" / "browser"
if str(_BROWSER_TESTS) not in sys.path:
    sys.path.insert(0, str(_BROWSER_TESTS))

import hub_server as hs  # noqa: E402
import voila_page as vp  # noqa: E402

__all__ = ["run", "main", "TARGET_SECONDS"]

TARGET_SECONDS = 30.0   # [s] a person arriving with nine others has the overview within this
PAGE = "notebooks/overview"
_XSRF = re.compile(r'name="_xsrf"\s+value="([^"]+)"')


def _arrive(base: str, user: str, t0: float, timeout: float) -> dict[str, Any]:
    """One person: log in, then get the overview once their server answers it."""
    import httpx

    row: dict[str, Any] = {"user": user, "error": None}
    start = time.monotonic()
    row["queued"] = start - t0
    url = f"{vp.render_url(hs.dashboard_url(base, user), PAGE)}"
    try:
        with httpx.Client(follow_redirects=True, timeout=timeout) as client:
            form = client.get(f"{base}/hub/login")
            token = _XSRF.search(form.text)
            data = {"username": user, "password": hs.PASSWORD, "_xsrf": html.unescape(token.group(1)) if token else ""}
            client.post(f"{base}/hub/login", data=data)   # starts the spawn, lands on spawn-pending or the server
            row["login"] = time.monotonic() - start
            deadline = start + timeout
            while True:
                resp = client.get(url)
                if resp.url.path.startswith(f"/user/{user}/") and resp.status_code == 200:
                    break
                if resp.status_code in (403, 424, 429, 500):   # refused or failed: no use waiting
                    raise RuntimeError(f"HTTP {resp.status_code} {resp.url.path}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no page after {timeout:.0f} s (last: HTTP {resp.status_code} {resp.url.path})")
                time.sleep(0.25)
        row["first_page"] = time.monotonic() - start
        row["executed"] = "There was an error when executing cell" not in resp.text and "Traceback" not in resp.text
    except Exception as exc:  # reported in the row: one person's failure is a finding
        row["error"] = f"{type(exc).__name__}: {exc}"[:300]
    return row


def _arrivals(hub: hs.HubServer, users: list[str], timeout: float) -> list[dict[str, Any]]:
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        return list(pool.map(lambda u: _arrive(hub.base_url, u, t0, timeout), users))


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes and their waited-for children [s]."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15])
        except (OSError, ValueError, IndexError):
            continue
    return total / tick


def _memory(hub: hs.HubServer, users: list[str]) -> dict[str, Any]:
    servers = hub.servers()
    per_user = []
    for user in users:
        pid = servers.get(user)
        if pid is None:
            continue
        kernels = vp.kernel_pids(pid)
        per_user.append({"user": user, "server_mb": vp.rss_bytes(pid) / 2**20,
                         "kernels": len(kernels), "kernel_mb": sum(vp.rss_bytes(k) for k in kernels) / 2**20})
    own = [hub.pid] + [p for p in vp.descendants(hub.pid)
                       if p not in servers.values() and not any(p in vp.descendants(s) for s in servers.values())]
    return {"per_user": per_user, "hub_mb": sum(vp.rss_bytes(p) for p in own) / 2**20}


def _available_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 2**20
    return 0.0


def run(users: int = 10, solo_runs: int = 3, timeout: float = 180.0) -> dict[str, Any]:
    """Start a hub, let ``solo_runs`` people arrive one after the other, then ``users``
    others together; measure."""
    solos = [f"solo{i}" for i in range(1, solo_runs + 1)]
    names = solos + [f"user{i:02d}" for i in range(1, users + 1)]
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="planner-bench-hub-") as state:
        with hs.HubServer(state, vp.ARTIFACTS / "bench-hub.log", users=names, kernel_grace=20.0) as hub:
            solo = [_arrivals(hub, [name], timeout)[0] for name in solos]
            solo_memory = _memory(hub, solos)
            for name in solos:   # the crowd arrives at an empty hub (active_server_limit is 12)
                hub.stop_server(name)
            crowd_names = names[solo_runs:]
            cpu0 = _cpu_seconds([hub.pid] + vp.descendants(hub.pid))
            wall0 = time.monotonic()
            crowd = _arrivals(hub, crowd_names, timeout)
            wall = time.monotonic() - wall0
            time.sleep(2)  # let every server settle before reading memory and CPU
            memory = _memory(hub, names)
            cpu = _cpu_seconds([hub.pid] + vp.descendants(hub.pid)) - cpu0
    ok = [r for r in crowd if r["error"] is None]
    times = sorted(r["first_page"] for r in ok)
    per_user_mb = [m["server_mb"] + m["kernel_mb"] for m in memory["per_user"]]
    mem_per_user = statistics.median(per_user_mb) if per_user_mb else None
    total_gib = _available_gib()
    reserve_gib = 2.0 + memory["hub_mb"] / 1024     # the system, the hub, the proxy, the culler
    by_memory = int((total_gib - reserve_gib) * 1024 // mem_per_user) if mem_per_user else None
    cpu_per_user = cpu / len(ok) if ok else None
    cores = os.cpu_count() or 1
    by_cpu = int(TARGET_SECONDS * cores // cpu_per_user) if cpu_per_user else None
    solo_times = [r["first_page"] for r in solo if r["error"] is None]
    return {
        "load_average_before": load,
        "solo_first_page": statistics.median(solo_times) if solo_times else None,
        "solo_first_pages": solo_times, "solo_error": next((r["error"] for r in solo if r["error"]), None),
        "users": users, "ok": len(ok), "errors": [r["error"] for r in crowd if r["error"]],
        "crowd_first_page_median": statistics.median(times) if times else None,
        "crowd_first_page_slowest": times[-1] if times else None,
        "crowd_wall": wall, "cpu_seconds_per_arrival": cpu_per_user,
        "server_rss_mb": statistics.median(m["server_mb"] for m in memory["per_user"]) if memory["per_user"] else None,
        "kernel_rss_mb": statistics.median(m["kernel_mb"] for m in memory["per_user"]) if memory["per_user"] else None,
        "per_user_mb": mem_per_user,
        "solo_per_user_mb": statistics.median(m["server_mb"] + m["kernel_mb"] for m in solo_memory["per_user"])
        if solo_memory["per_user"] else None,
        "hub_mb": memory["hub_mb"], "memory_gib": total_gib, "cores": cores,
        "users_by_memory": by_memory, "users_arriving_together_by_cpu": by_cpu,
        "rows": crowd, "pass": bool(times) and len(ok) == users and times[-1] <= TARGET_SECONDS,
    }


def _fmt(v: Any, unit: str = "") -> str:
    return "-" if v is None else (f"{v:.1f}{unit}" if isinstance(v, float) else f"{v}{unit}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hub", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10, help="people arriving together (default 10)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    missing = hs.missing_requirements()
    if missing:
        print(f"hub bench skipped: {missing}")
        return 0
    res = run(args.users)
    print(f"load average before: {res['load_average_before']:.1f} (other work on this machine)")
    print(f"first page (overview), 1 person: median {_fmt(res['solo_first_page'], ' s')} of "
          f"{len(res['solo_first_pages'])}"
          + (f"  ERROR {res['solo_error']}" if res["solo_error"] else ""))
    print(f"first page, {res['users']} together: median {_fmt(res['crowd_first_page_median'], ' s')}, "
          f"slowest {_fmt(res['crowd_first_page_slowest'], ' s')} (target {TARGET_SECONDS:.0f} s); "
          f"{res['ok']}/{res['users']} ok")
    print(f"CPU per arrival: {_fmt(res['cpu_seconds_per_arrival'], ' s')} on {res['cores']} cores")
    print(f"memory per person: server {_fmt(res['server_rss_mb'], ' MB')} + page kernel "
          f"{_fmt(res['kernel_rss_mb'], ' MB')} = {_fmt(res['per_user_mb'], ' MB')} RSS; "
          f"hub + proxy + culler {_fmt(res['hub_mb'], ' MB')}")
    print(f"this machine ({res['memory_gib']:.0f} GiB, {res['cores']} cores): memory for "
          f"{_fmt(res['users_by_memory'])} people with one page each; "
          f"{_fmt(res['users_arriving_together_by_cpu'])} arriving together get a page within {TARGET_SECONDS:.0f} s")
    for err in res["errors"]:
        print(f"  error: {err}")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
