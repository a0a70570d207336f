"""First chart of pre-heated dashboards against the floor notebook, in one Voila server.

The floor (``bench/floor.ipynb``: one slider and one plotly FigureWidget) is the
least a Voila page with a chart can cost on this stack. The dashboards and the
floor are served by the product's Voila (``planner.serve.voila_app``, the
repository's ``voila.json``, a pre-heated pool of one kernel per notebook) from
one folder, and opened in Chromium in turn, ``runs`` times each, every view in
a fresh browser context (an empty cache, as a first visit) and then once more
in the same context (a repeat visit: cached assets). Each view waits until a
pool kernel of the notebook has executed and rendered it (the server's
"pre-rendered" line), so every view gets a pre-executed kernel, as a visitor
of a server that has been up a while does.

Reported per page: the median time from the request to the first drawn plotly
chart (``performance.now()`` in the page), to the first KPI card, DOMContentLoaded,
the number of requests, JS bytes transferred and decoded, the "Unsatisfied
version" console warnings, and for a dashboard on its first visit the time from
its interaction (``INTERACTIONS`` of ``tests/browser/test_dashboards.py``: the
renewal page's slider, the overview's unit) to the updated chart.

Targets (issue 17), see :data:`TARGETS`: each dashboard's median first chart
under 3 s and at most half the floor's, the repeat visit under 1.5 s, the
interaction under 0.2 s.

Command line: ``python -m bench.first_chart [--dashboard overview --dashboard renewal] [--runs 3]``.
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

__all__ = ["measure", "verdicts", "main", "FLOOR", "DASHBOARDS", "TARGETS"]

FLOOR = ROOT / "bench" / "floor.ipynb"
DASHBOARDS = ("overview", "renewal")
#: first visit [s], first visit / floor's first visit, repeat visit [s], interaction [s]
TARGETS = {"first_chart": 3.0, "ratio": 0.5, "repeat": 1.5, "interaction": 0.2}
_KEYS = ("first_chart", "first_kpi", "loaded", "dom_content_loaded", "requests", "js_files", "js_transferred",
         "js_decoded", "version_warnings", "blocked", "interaction")

_WEIGHT_JS = """() => {
  const res = performance.getEntriesByType('resource');
  const js = res.filter(r => r.name.split('?')[0].endsWith('.js'));
  const nav = performance.getEntriesByType('navigation')[0] || {};
  const sum = (xs, k) => xs.reduce((a, r) => a + (r[k] || 0), 0);
  return {requests: res.length + 1, js_files: js.length, js_transferred: sum(js, 'transferSize'),
          js_decoded: sum(js, 'decodedBodySize'), dom_content_loaded: (nav.domContentLoadedEventEnd || 0) / 1000};
}"""


def _view(browser: Any, server: vp.VoilaServer, name: str, root: str | None,
          context_page: vp.RecordedPage | None = None, interact: dict[str, Any] | None = None,
          ) -> tuple[dict[str, Any], vp.RecordedPage]:
    rec = context_page or vp.new_page(browser)
    if context_page is not None:  # a repeat visit in the same context: a new page, cached assets
        page = rec.context.new_page()
        rec.page = page
        page.on("console", lambda msg: rec.version_warnings.append(msg.text)
                if "Unsatisfied version" in msg.text else None)
    t = vp.open_dashboard(rec.page, server.base_url, name, root=root, recorded=rec, timeout=120)
    weight = rec.page.evaluate(_WEIGHT_JS)
    row = {"first_chart": t.first_chart, "first_kpi": t.first_kpi, "loaded": t.loaded, **weight,
           "version_warnings": len(set(rec.version_warnings)), "blocked": len(rec.blocked), "interaction": None}
    if interact is not None:
        row["interaction"] = vp.interaction(rec.page, interact)["seconds"]
    return row, rec


def _interactions() -> dict[str, Any]:
    from bench.dashboards import interactions
    return {name: spec for name, spec in interactions().items() if isinstance(spec, dict)}


def measure(dashboards: tuple[str, ...] = DASHBOARDS, runs: int = 3) -> dict[str, Any]:
    """Median figures for each of ``dashboards`` and the floor; see the module docstring."""
    missing = vp.missing_requirements()
    if missing:
        return {"skipped": missing}
    from playwright.sync_api import sync_playwright

    specs = _interactions()
    tmp = Path(tempfile.mkdtemp(prefix="planner-first-chart-"))
    try:
        for nb in (ROOT / "notebooks").glob("*.ipynb"):
            shutil.copy(nb, tmp / nb.name)
        shutil.copy(FLOOR, tmp / "floor.ipynb")
        pages = [(name, vp.DASHBOARD_ROOT) for name in dashboards] + [("floor", None)]
        views: dict[str, list[dict[str, Any]]] = {}
        log = vp.ARTIFACTS / "voila-first-chart.log"
        with vp.VoilaServer(tmp, log, preheat=True, pool_size=1, cwd=ROOT, startup_timeout=120,
                            extra_args=["--VoilaKernelManager.fill_delay=0"]) as server, \
                sync_playwright() as driver:
            browser = vp.launch_browser(driver)
            try:
                uses = dict.fromkeys((name for name, _ in pages), 0)
                for _ in range(runs):
                    for name, root in pages:
                        first = None
                        for repeat in (False, True):
                            server.wait_pool(name, uses[name] + 1, timeout=180, rendered=True)
                            uses[name] += 1
                            key = f"{name} (repeat visit)" if repeat else name
                            interact = specs.get(name) if not repeat and root else None
                            try:
                                row, first = _view(browser, server, name, root, first, interact)
                                views.setdefault(key, []).append(row)
                            except Exception as exc:
                                views.setdefault(key, []).append({"error": f"{type(exc).__name__}: {str(exc)[:200]}"})
                                break
                        if first is not None:
                            first.close()
            finally:
                browser.close()
        return _summary(views, dashboards)
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)


def _summary(views: dict[str, list[dict[str, Any]]], dashboards: tuple[str, ...]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for key, rows in views.items():
        good = [r for r in rows if "error" not in r]
        summary[key] = {k: vp.median(r[k] for r in good) for k in _KEYS} if good else {}
        summary[key]["errors"] = [r["error"] for r in rows if "error" in r]
        summary[key]["first_chart_all"] = [r.get("first_chart") for r in rows]
    floor = summary.get("floor", {}).get("first_chart")
    for name in dashboards:
        ours = summary.get(name, {}).get("first_chart")
        summary.setdefault(name, {})["ratio"] = ours / floor if ours and floor else None
    summary["pass"] = all(all(verdicts(summary, name).values()) for name in dashboards)
    return summary


def verdicts(summary: dict[str, Any], name: str) -> dict[str, bool]:
    """For a dashboard of :func:`measure`'s summary: which of :data:`TARGETS` it met."""
    first, repeat = summary.get(name, {}), summary.get(f"{name} (repeat visit)", {})

    def under(value: float | None, limit: float) -> bool:
        return value is not None and value <= limit

    return {"first_chart": under(first.get("first_chart"), TARGETS["first_chart"]),
            "ratio": under(first.get("ratio"), TARGETS["ratio"]),
            "repeat": under(repeat.get("first_chart"), TARGETS["repeat"]),
            "interaction": under(first.get("interaction"), TARGETS["interaction"])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.first_chart", description=__doc__.splitlines()[0])
    parser.add_argument("--dashboard", action="append", help=f"a dashboard to measure (default: {', '.join(DASHBOARDS)})")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    res = measure(tuple(args.dashboard or DASHBOARDS), args.runs)
    for key, value in res.items():
        print(f"{key:28s} {value}")
    return 0 if res.get("pass") else 1


if __name__ == "__main__":
    sys.exit(main())
