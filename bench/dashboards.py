"""Dashboard timings in Chromium through Voila (used by ``python -m bench``).

* :func:`measure`: per dashboard, the median over ``runs`` page views of
  request -> first plotly chart drawn, and of one interaction -> updated chart,
  with a cold Voila (a kernel started per request) or a preheated one
  (``--preheat_kernel=True --pool_size=1``: a pre-executed kernel waits for
  every notebook of the directory; standalone ``voila`` only).
* :func:`load`: ``sessions`` concurrent page views of one dashboard, each must
  draw its first chart and answer one interaction; reports the slowest first
  render and the memory per session (kernel RSS from /proc). Bounded: 180 s
  overall, loopback only, stops its server and browser by itself.

The interaction of a dashboard is its entry in ``INTERACTIONS`` of
``tests/browser/test_dashboards.py`` when that entry is a dict, else: press
ArrowRight on the page's first slider handle (``.noUi-handle``; with no
slider, the first dropdown moves to its next option) and wait until a chart of
the dashboard has re-rendered. Timings are taken inside the page
(``performance.now()``), see ``tests/browser/voila_page.py``.

Command line: ``python -m bench.dashboards [names] [--runs N] [--preheat]
[--load NAME [--sessions N]]``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_BROWSER_TESTS = ROOT / "tests" / "browser"
if str(_BROWSER_TESTS) not in sys.path:
    sys.path.insert(0, str(_BROWSER_TESTS))

import voila_page as vp  # noqa: E402

__all__ = ["measure", "load", "interactions", "main"]


def interactions() -> dict[str, Any]:
    """``INTERACTIONS`` of tests/browser/test_dashboards.py (empty if unreadable)."""
    module = sys.modules.get("test_dashboards")
    if module is None:
        path = _BROWSER_TESTS / "test_dashboards.py"
        try:
            spec = importlib.util.spec_from_file_location("test_dashboards", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except Exception:
            return {}
    return dict(getattr(module, "INTERACTIONS", {}) or {})


def _spec(name: str, specs: dict[str, Any]) -> dict[str, Any] | None:
    spec = specs.get(name)
    return spec if isinstance(spec, dict) else None


def _require_browser() -> None:
    missing = vp.missing_requirements()
    if missing:
        raise RuntimeError(missing)


def measure(notebooks_dir: str | Path, names: list[str], runs: int = 5,
            preheat: bool = False) -> list[dict[str, Any]]:
    """One row per dashboard: medians over ``runs`` page views.

    Row keys: ``name``, ``preheat``, ``runs``, ``first_chart`` and ``interaction``
    (median seconds, None if never measured), ``loaded`` (Voila finished
    executing), ``first_chart_all``, ``interaction_all``, ``preheated_views``
    (page views served by a pre-executed kernel) and ``errors``.
    With ``preheat`` every run waits until the notebook's pool is full again,
    so each view gets a pre-executed kernel.
    """
    _require_browser()
    from playwright.sync_api import sync_playwright

    notebooks_dir = Path(notebooks_dir).resolve()
    specs = interactions()
    mode = "preheated" if preheat else "cold"
    rows: list[dict[str, Any]] = []
    log = vp.ARTIFACTS / f"voila-bench-{mode}.log"
    with vp.VoilaServer(notebooks_dir, log, preheat=preheat, pool_size=1) as server, \
            sync_playwright() as driver:
        browser = vp.launch_browser(driver)
        try:
            if preheat:  # every notebook of the directory gets a pool at start-up
                for nb in sorted(notebooks_dir.rglob("*.ipynb")):
                    if ".ipynb_checkpoints" not in nb.parts:
                        server.wait_pool(str(nb.relative_to(notebooks_dir)), 1, timeout=180)
            for name in names:
                rows.append(_measure_one(server, browser, name, runs, preheat, _spec(name, specs)))
        finally:
            browser.close()
    return rows


def _measure_one(server: vp.VoilaServer, browser: Any, name: str, runs: int, preheat: bool,
                 spec: dict[str, Any] | None) -> dict[str, Any]:
    firsts, loaded, inters, errors = [], [], [], []
    for run in range(runs):
        if preheat and not server.wait_pool(name, run + 1, timeout=180):
            errors.append(f"run {run + 1}: the kernel pool of {name}.ipynb was not refilled in 180 s")
        rec = vp.new_page(browser)
        try:
            timings = vp.open_dashboard(rec.page, server.base_url, name, recorded=rec)
            firsts.append(timings.first_chart)
            loaded.append(timings.loaded)
            act, chart = vp.resolve_interaction(rec.page, spec)
            inters.append(vp.change_and_wait(rec.page, act, chart))
        except Exception as exc:  # a figure for the table, not a test: record and go on
            errors.append(f"run {run + 1}: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}")
        finally:
            rec.close()
    preheated = sum(1 for line in server.log_text().splitlines()
                    if "Using pre-heated kernel" in line and line.endswith(f"for {name}.ipynb"))
    return {"name": name, "preheat": preheat, "runs": runs,
            "first_chart": vp.median(firsts), "interaction": vp.median(inters),
            "loaded": vp.median(loaded), "first_chart_all": firsts, "interaction_all": inters,
            "preheated_views": preheated if preheat else 0, "errors": errors}


def _uss(pid: int) -> int:
    try:
        import psutil
        return psutil.Process(pid).memory_full_info().uss
    except Exception:
        return 0


def _safe(fn: Any) -> Any:
    try:
        return fn()
    except Exception as exc:
        return f"({type(exc).__name__})"


def load(notebooks_dir: str | Path, name: str, sessions: int = 10, *, timeout: float = 180.0,
         preheat: bool = False) -> dict[str, Any]:
    """``sessions`` concurrent views of one dashboard (bounded by ``timeout`` seconds).

    All pages are requested at once; each must draw its first chart, then all
    get their interaction at once and each chart must re-render. Memory: the
    RSS (and USS, with psutil) of the Voila process's kernel children before
    the pages open and once all have rendered and reacted, per session.
    """
    _require_browser()
    from playwright.sync_api import sync_playwright

    sessions = max(1, min(int(sessions), 50))
    start = time.monotonic()
    deadline = start + max(10.0, timeout - 40.0)  # the rest is for closing pages and the server
    left = lambda: max(1.0, deadline - time.monotonic())  # noqa: E731
    spec = _spec(name, interactions())
    result: dict[str, Any] = {"name": name, "sessions": sessions, "preheat": preheat, "errors": []}
    errors: list[str] = result["errors"]
    log = vp.ARTIFACTS / f"voila-bench-load-{name}.log"
    with vp.VoilaServer(notebooks_dir, log, preheat=preheat, pool_size=1) as server, \
            sync_playwright() as driver:
        browser = vp.launch_browser(driver)
        pages: list[vp.RecordedPage] = []
        try:
            if preheat:
                server.wait_pool(name, 1, timeout=min(120.0, left()))
            kernels_before = server.kernels()
            rss_before = sum(vp.rss_bytes(k) for k in kernels_before)
            voila_before = vp.rss_bytes(server.pid)
            pages = [vp.new_page(browser) for _ in range(sessions)]
            url = vp.render_url(server.base_url, name)
            fired = time.time() * 1000
            phases = result["phases"] = {"start": round(time.monotonic() - start, 1)}
            for rec in pages:  # navigate all without waiting: the loads overlap
                rec.page.evaluate("url => { setTimeout(() => { location.href = url; }, 0); }", url)
            firsts, from_fire, ok = [], [], []
            state: dict[int, Any] = {}
            while len(state) < len(pages) and time.monotonic() < deadline:
                for i, rec in enumerate(pages):  # round robin: the pages load concurrently
                    if i in state:
                        continue
                    with contextlib.suppress(Exception):  # the context changes while navigating
                        t = rec.page.evaluate("() => window.__planner && window.__planner.firstChart !== null"
                                              " && location.protocol.startsWith('http') ? [window.__planner"
                                              ".firstChart, performance.timeOrigin] : null")
                        if t:
                            state[i] = t
                time.sleep(0.1)
            for i, rec in enumerate(pages):
                if i in state:
                    t = state[i]
                    firsts.append(t[0] / 1000)
                    from_fire.append((t[1] + t[0] - fired) / 1000)
                    ok.append(rec)
                else:
                    errors.append(f"session {i + 1}: no chart within the time limit; "
                                  f"{_safe(lambda: vp.python_errors(rec.page))}")
            for rec in ok:  # let each page finish rendering before the interaction
                with contextlib.suppress(Exception):
                    rec.page.wait_for_function(
                        f"() => performance.now() - window.__planner.lastMutation >= {vp.QUIET_MS}",
                        timeout=min(30.0, left()) * 1000, polling=50)
            phases["rendered"] = round(time.monotonic() - start, 1)
            armed = []
            for i, rec in enumerate(ok):
                try:
                    act, chart = vp.resolve_interaction(rec.page, spec)
                    vp.arm_watch(rec.page, chart)
                    armed.append((i, rec, act, chart))
                except Exception as exc:
                    errors.append(f"session {i + 1}: cannot arm the interaction: {exc}")
            for i, _, act, _ in armed:
                try:
                    act()
                except Exception as exc:
                    errors.append(f"session {i + 1}: the action failed: {str(exc).splitlines()[0]}")
            inters = []
            for i, rec, _, chart in armed:
                try:
                    inters.append(vp.wait_watch(rec.page, chart, timeout=min(60.0, left())))
                except Exception as exc:
                    errors.append(f"session {i + 1}: interaction: {str(exc).splitlines()[0]}")
            for i, rec in enumerate(pages):
                problems = _safe(lambda: vp.python_errors(rec.page)) if i in state else []
                problems = (problems if isinstance(problems, list) else [problems]) + rec.problems()
                if problems:
                    errors.append(f"session {i + 1}: {problems[:3]}")
            phases["interacted"] = round(time.monotonic() - start, 1)
            kernels_after = server.kernels()
            new = [k for k in kernels_after if k not in kernels_before]
            rss_after = sum(vp.rss_bytes(k) for k in kernels_after)
            mb = 1024 * 1024
            result.update({
                "rendered": len(firsts), "interacted": len(inters),
                "slowest_first_chart": max(firsts) if firsts else None,
                "median_first_chart": vp.median(firsts),
                "slowest_from_first_request": max(from_fire) if from_fire else None,
                "slowest_interaction": max(inters) if inters else None,
                "median_interaction": vp.median(inters),
                "kernels_before": len(kernels_before), "kernels_after": len(kernels_after),
                "kernel_rss_before_mb": rss_before / mb, "kernel_rss_after_mb": rss_after / mb,
                "rss_per_session_mb": (rss_after - rss_before) / sessions / mb,
                "uss_per_session_mb": (sum(_uss(k) for k in new) / len(new) / mb) if new else None,
                "voila_rss_growth_mb": (vp.rss_bytes(server.pid) - voila_before) / mb,
            })
        finally:
            for rec in pages:
                rec.close()
            result.setdefault("phases", {})["closed"] = round(time.monotonic() - start, 1)
            browser.close()
    result["force_ended_pids"] = list(server.killed)  # processes that ignored SIGTERM
    result["elapsed"] = time.monotonic() - start
    result["ok"] = (not errors and result.get("rendered") == sessions
                    and result.get("interacted") == sessions)
    return result


def _fmt(x: float | None, scale: float = 1.0, unit: str = " s") -> str:
    return "-" if x is None else f"{x * scale:.2f}{unit}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboards",
                                     description="Dashboard timings in Chromium through Voila.")
    parser.add_argument("names", nargs="*", help="dashboards (default: every notebook but index)")
    parser.add_argument("--notebooks", default=str(ROOT / "notebooks"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--preheat", action="store_true", help="also measure with a preheated pool")
    parser.add_argument("--load", metavar="NAME", help="run the concurrent-session check on NAME")
    parser.add_argument("--sessions", type=int, default=10)
    args = parser.parse_args(argv)
    folder = Path(args.notebooks)
    if args.load:
        res = load(folder, args.load, sessions=args.sessions)
        for key, value in res.items():
            print(f"{key:28s} {value}")
        return 0 if res["ok"] else 1
    names = args.names or sorted(p.stem for p in folder.glob("*.ipynb") if p.stem != "index")
    print(f"{'dashboard':24s} {'mode':10s} {'first chart':>12s} {'interaction':>12s}  errors")
    for preheat in ([False, True] if args.preheat else [False]):
        for row in measure(folder, names, runs=args.runs, preheat=preheat):
            print(f"{row['name']:24s} {'preheated' if preheat else 'cold':10s} "
                  f"{_fmt(row['first_chart']):>12s} {_fmt(row['interaction'], 1000, ' ms'):>12s}  "
                  f"{'; '.join(row['errors'])[:120]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
