"""First chart of a pre-heated dashboard against the floor notebook, in one Voila server.

The floor (``bench/floor.ipynb``: one slider and one plotly FigureWidget) is the
least a Voila page with a chart can cost on this stack. Both are served by the
product's Voila (``planner.serve.voila_app``, the repository's ``voila.json``, a
pre-heated pool of one kernel per notebook) from one folder, and opened in
Chromium alternately, ``runs`` times each, every view in a fresh browser
context (an empty cache, as a first visit) and then once more in the same
context (a repeat visit: cached assets). Each view waits until the notebook's
pool is full again, so every view gets a pre-executed kernel.

Reported per page: the median time from the request to the first drawn plotly
chart (``performance.now()`` in the page), DOMContentLoaded, the number of
requests, JS bytes transferred and decoded, and the "Unsatisfied version"
console warnings. Target (issue 13): the dashboard's median first chart under
3.5 s and at most half the floor's.

Command line: ``python -m bench.first_chart [--dashboard overview] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_BROWSER_TESTS = ROOT / "tests" / "browser"
if str(_BROWSER_TESTS) not in sys.path:
    sys.path.insert(0, str(_BROWSER_TESTS))

import voila_page as vp  # noqa: E402

__all__ = ["measure", "main", "FLOOR", "TARGET_SECONDS", "TARGET_RATIO"]

FLOOR = ROOT / "bench" / "floor.ipynb"
TARGET_SECONDS, TARGET_RATIO = 3.5, 0.5

_WEIGHT_JS = """() => {
  const res = performance.getEntriesByType('resource');
  const js = res.filter(r => r.name.split('?')[0].endsWith('.js'));
  const nav = performance.getEntriesByType('navigation')[0] || {};
  const sum = (xs, k) => xs.reduce((a, r) => a + (r[k] || 0), 0);
  return {requests: res.length + 1, js_files: js.length, js_transferred: sum(js, 'transferSize'),
          js_decoded: sum(js, 'decodedBodySize'), dom_content_loaded: (nav.domContentLoadedEventEnd || 0) / 1000};
}"""


def _view(browser: Any, server: vp.VoilaServer, name: str, root: str | None,
          context_page: vp.RecordedPage | None = None) -> tuple[dict[str, Any], vp.RecordedPage]:
    rec = context_page or vp.new_page(browser)
    if context_page is not None:  # a repeat visit in the same context: a new page, cached assets
        page = rec.context.new_page()
        rec.page = page
        page.on("console", lambda msg: rec.version_warnings.append(msg.text)
                if "Unsatisfied version" in msg.text else None)
    t = vp.open_dashboard(rec.page, server.base_url, name, root=root, recorded=rec, timeout=120)
    weight = rec.page.evaluate(_WEIGHT_JS)
    return {"first_chart": t.first_chart, "loaded": t.loaded, **weight,
            "version_warnings": len(set(rec.version_warnings)), "blocked": len(rec.blocked)}, rec


def measure(dashboard: str = "overview", runs: int = 3) -> dict[str, Any]:
    """Median figures for ``dashboard`` and the floor; see the module docstring."""
    missing = vp.missing_requirements()
    if missing:
        return {"skipped": missing}
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="planner-first-chart-"))
    try:
        for nb in (ROOT / "notebooks").glob("*.ipynb"):
            shutil.copy(nb, tmp / nb.name)
        shutil.copy(FLOOR, tmp / "floor.ipynb")
        views: dict[str, list[dict[str, Any]]] = {dashboard: [], "floor": [], f"{dashboard} (repeat visit)": [],
                                                   "floor (repeat visit)": []}
        log = vp.ARTIFACTS / "voila-first-chart.log"
        with vp.VoilaServer(tmp, log, preheat=True, pool_size=1, cwd=ROOT, startup_timeout=120,
                            extra_args=["--VoilaKernelManager.fill_delay=0"]) as server, \
                sync_playwright() as driver:
            browser = vp.launch_browser(driver)
            try:
                uses = {dashboard: 0, "floor": 0}
                for _ in range(runs):
                    for name, root in ((dashboard, vp.DASHBOARD_ROOT), ("floor", None)):
                        for repeat in (False, True):
                            server.wait_pool(name, uses[name] + 1, timeout=180)
                            uses[name] += 1
                            key = f"{name} (repeat visit)" if repeat else name
                            try:
                                row, rec = _view(browser, server, name, root, first if repeat else None)
                                views[key].append(row)
                                first = rec
                            except Exception as exc:
                                views[key].append({"error": f"{type(exc).__name__}: {str(exc)[:200]}"})
                            if repeat:
                                first.close()
            finally:
                browser.close()
        summary: dict[str, Any] = {}
        for key, rows in views.items():
            good = [r for r in rows if "error" not in r]
            summary[key] = {k: vp.median(r[k] for r in good) for k in
                            ("first_chart", "loaded", "dom_content_loaded", "requests", "js_files",
                             "js_transferred", "js_decoded", "version_warnings", "blocked")} if good else {}
            summary[key]["errors"] = [r["error"] for r in rows if "error" in r]
            summary[key]["first_chart_all"] = [r.get("first_chart") for r in rows]
        ours, floor = summary[dashboard].get("first_chart"), summary["floor"].get("first_chart")
        summary["ratio"] = ours / floor if ours and floor else None
        summary["pass"] = bool(ours and floor and ours < TARGET_SECONDS and ours <= TARGET_RATIO * floor)
        return summary
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.first_chart", description=__doc__.splitlines()[0])
    parser.add_argument("--dashboard", default="overview")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    res = measure(args.dashboard, args.runs)
    for key, value in res.items():
        print(f"{key:28s} {value}")
    return 0 if res.get("pass") else 1


if __name__ == "__main__":
    sys.exit(main())
