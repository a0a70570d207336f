"""``python -m bench``: run every benchmark, print a table, write bench/results/latest.json.

Each figure is the median of repeated runs on this machine. Targets are
reported next to the figures; a missed target is a finding, not a failure.
Sections: calculators, engine, CLI, capacity (10 concurrent dashboard
sessions over HTTP + websocket, bench/capacity.py), hub (1 and 10 people
through JupyterHub: first page, memory per person, bench/hub.py), first chart (pre-heated
overview against bench/floor.ipynb, bench/first_chart.py) and per-dashboard
browser timings. Options: ``--quick`` (fewer repeats, no 10^6 sizes),
``--no-browser`` (skips first chart and dashboards), ``--only NAME``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def median_seconds(func: Callable[[], Any], repeat: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --- calculators against the same arithmetic written directly in numpy --------------------

def _numpy_host_units(ram: np.ndarray) -> np.ndarray:
    limits = np.array([1.6, 4, 8, 16])
    weights = np.array([0.1, 0.25, 0.5, 1.0])
    pos = np.searchsorted(limits, ram, side="left")
    return np.where(pos < 4, weights[np.minimum(pos, 3)], np.ceil(ram / 16))


def _numpy_infra(ram: np.ndarray) -> np.ndarray:
    limits = np.array([1.6, 4, 8, 16])
    weights = np.array([0.03, 0.075, 0.15, 0.3])
    pos = np.searchsorted(limits, ram, side="left")
    return np.where(pos < 4, weights[np.minimum(pos, 3)], np.minimum(0.3 * np.ceil(ram / 16), 1.0))


def _numpy_included(ram: np.ndarray) -> np.ndarray:
    limits = np.array([1.6, 4, 8, 16])
    weights = np.array([200, 250, 500, 1000.0])
    pos = np.searchsorted(limits, ram, side="left")
    return np.where(pos < 4, weights[np.minimum(pos, 3)], 1000 * np.ceil(ram / 16))


def bench_calculators(sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    import planner
    rng = np.random.default_rng(0)
    rows = []
    cases = [
        ("host_units fullstack", lambda r: planner.host_units(r), _numpy_host_units),
        ("host_units infrastructure", lambda r: planner.host_units(r, "infrastructure"), _numpy_infra),
        ("included_custom_metrics", lambda r: planner.included_custom_metrics(r), _numpy_included),
        ("asu_per_hour", lambda r: planner.asu_per_hour(r), _numpy_host_units),
    ]
    for n in sizes:
        ram = rng.choice([1, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256], n) * rng.uniform(0.9, 1.0, n)
        for name, ours, floor in cases:
            assert np.allclose(ours(ram), floor(ram))
            t_ours = median_seconds(lambda: ours(ram), repeat)
            t_floor = median_seconds(lambda: floor(ram), repeat)
            rows.append({"benchmark": f"{name} x {n:,}", "seconds": t_ours,
                         "numpy_seconds": t_floor, "ratio_to_numpy": t_ours / t_floor,
                         "target": "<= 2x numpy at 10^6" if n == 10**6 else ""})
    return rows


# --- the engine -----------------------------------------------------------------------------

def bench_engine(repeat: int, inventory_rows: int, draws: int) -> list[dict[str, Any]]:
    from planner.engine import forecast
    from planner.scenario import load_scenario
    rows = []
    scenario = load_scenario(None)
    t = median_seconds(lambda: forecast(scenario), repeat * 4)
    rows.append({"benchmark": f"example forecast, {scenario.months} months (warm)", "seconds": t,
                 "target": "< 0.1 s"})
    t = median_seconds(lambda: forecast(load_scenario(None)), repeat * 2)
    rows.append({"benchmark": "example load + forecast", "seconds": t, "target": ""})

    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "inventory.csv"
        pd.DataFrame({
            "host": [f"host-{i:07d}" for i in range(inventory_rows)],
            "ram_gib": rng.choice([2, 4, 8, 16, 17.5, 32, 64, 128], inventory_rows),
            "mode": rng.choice(["fullstack", "infrastructure"], inventory_rows),
            "hours_per_day": 24, "custom_metrics_per_minute": rng.integers(0, 3000, inventory_rows),
            "appsec": rng.choice(["none", "vulnerability_analytics", "protection"], inventory_rows),
        }).to_csv(csv, index=False)
        spec = {"contract": {"start": "2027-01-01", "term_years": 3},
                "hosts": [{"name": "inventory", "inventory": str(csv), "growth": {"monthly": 0.01}}]}
        t = median_seconds(lambda: forecast(load_scenario(spec)), max(repeat // 2, 1))
        rows.append({"benchmark": f"{inventory_rows:,}-row inventory: read + 36-month forecast",
                     "seconds": t, "target": "< 2 s" if inventory_rows == 10**6 else ""})
    t = median_seconds(lambda: forecast(scenario, draws=draws, seed=0), max(repeat // 2, 1))
    rows.append({"benchmark": f"Monte Carlo, {draws:,} draws (example)", "seconds": t, "target": ""})
    return rows


def bench_sizing(repeat: int) -> list[dict[str, Any]]:
    """Renewal sizing of the example estate, and the renewal page's slider (kernel side:
    the committed amount changes, the cards and both figures are rebuilt and serialised)."""
    from planner.engine import forecast
    from planner.scenario import load_scenario
    from planner.ui.pages import renewal
    scenario = load_scenario(None)
    t = median_seconds(lambda: forecast(scenario, draws=2_000, seed=0).sizing(), repeat)
    rows = [{"benchmark": "renewal sizing, example, 2,000 draws (forecast + sizing)", "seconds": t,
             "target": "< 1 s"}]
    page = renewal.dashboard(given=forecast(scenario, draws=2_000, seed=0))
    slider = page.find("ctl-committed")
    values = iter(np.linspace(slider.min, slider.max, 1_000))

    def move() -> None:
        slider.value = float(next(values))
    t = median_seconds(move, repeat * 5)
    rows.append({"benchmark": "renewal page: slider to cards and figures (kernel side)", "seconds": t,
                 "target": "< 0.2 s (browser: dashboards section)"})
    return rows


def bench_report(repeat: int) -> list[dict[str, Any]]:
    """``planner report`` of the example estate with two variants, in a new process
    each time (what a user waits for), and the file's size."""
    import tempfile
    out = Path(tempfile.mkdtemp()) / "report.html"
    cmd = [sys.executable, "-m", "planner", "report", "estate", "fullstack_move", "replay_rollout",
           "-o", str(out), "--force"]
    pandas = [sys.executable, "-c", "import pandas"]
    times: dict[str, list[float]] = {"report": [], "pandas": []}
    for i in range(repeat + 1):     # alternating, so that a busy machine slows both alike
        for name, command in (("report", cmd), ("pandas", pandas)):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            if i:   # the first round is the warm-up
                times[name].append(time.perf_counter() - start)
    size = out.stat().st_size
    t_report, t_pd = statistics.median(times["report"]), statistics.median(times["pandas"])
    return [{"benchmark": "planner report, example + 2 variants, 2,000 draws (new process)",
             "seconds": t_report, "ratio_to_import_pandas": t_report / t_pd, "import_pandas_seconds": t_pd,
             "target": "< 3 s"},
            {"benchmark": f"report size: {size:,} bytes ({size / 1e6:.2f} MB, plotly.js inlined)",
             "seconds": None, "target": "< 5 MB"}]


def bench_cli(repeat: int) -> list[dict[str, Any]]:
    """``planner forecast`` against ``import pandas``, each in a new process.

    The two commands alternate so that a busy machine slows both alike. Python
    writes bytecode caches on the warm-up run as it would on any install (the
    environment's PYTHONDONTWRITEBYTECODE is dropped for these runs).
    """
    planner = [sys.executable, "-m", "planner", "forecast"]
    pandas = [sys.executable, "-c", "import pandas"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times: dict[str, list[float]] = {"planner": [], "pandas": []}
    for i in range(repeat + 1):
        for name, cmd in (("planner", planner), ("pandas", pandas)):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, env=env)
            if i:   # the first round is the warm-up
                times[name].append(time.perf_counter() - start)
    t_cli, t_pd = statistics.median(times["planner"]), statistics.median(times["pandas"])
    return [{"benchmark": "CLI cold start: planner forecast (example)", "seconds": t_cli,
             "numpy_seconds": None, "ratio_to_import_pandas": t_cli / t_pd, "import_pandas_seconds": t_pd,
             "target": "<= 1.5x import pandas"}]


def bench_dashboards(runs: int) -> list[dict[str, Any]]:
    chromium = Path(os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium"))
    if not chromium.exists():
        return [{"benchmark": "dashboards", "seconds": None, "target": "skipped: no Chromium"}]
    try:
        from bench import dashboards
    except ImportError as exc:
        return [{"benchmark": "dashboards", "seconds": None, "target": f"skipped: {exc}"}]
    notebooks = ROOT / "notebooks"
    names = sorted(p.stem for p in notebooks.glob("*.ipynb") if p.stem != "index")
    rows = []
    for preheat in (False, True):
        for row in dashboards.measure(notebooks, names, runs=runs, preheat=preheat):
            rows.append({"benchmark": f"dashboard {row['name']} ({'preheated' if preheat else 'cold'})",
                         "seconds": row.get("first_chart"), "interaction_seconds": row.get("interaction"),
                         "target": "first chart < 3 s preheated; interaction < 0.2 s"})
    return rows


def bench_capacity(sessions: int, linger: float) -> list[dict[str, Any]]:
    """Ten users at once, without browsers (bench/capacity.py)."""
    try:
        from bench import capacity
        res = capacity.run("overview", sessions, linger=linger)
    except Exception as exc:  # a figure for the table: say why it is missing
        return [{"benchmark": "capacity", "seconds": None, "target": f"failed: {exc}"[:120]}]
    target = f"< {capacity.TARGET_SECONDS:.0f} s each, 0 kernels left"
    rows = [{"benchmark": f"{sessions} concurrent overview sessions: slowest ready", "seconds": res["slowest_ready"],
             "target": target, "capacity": res},
            {"benchmark": f"  throughput {res['sessions_per_minute']:.0f} sessions/min; "
                          f"kernel RSS {res['rss_per_kernel_mb'] or 0:.0f} MB (USS {res['uss_per_kernel_mb'] or 0:.0f})",
             "seconds": None, "target": ""},
            {"benchmark": f"  page kernels left {res['linger']:.0f} s after close: "
                          f"{res['kernels_left_after_linger']}", "seconds": None,
             "target": "PASS" if res["pass"] else f"MISSED ({res['ok']}/{sessions} ok)"}]
    for part, secs in capacity.breakdown("overview").items():
        rows.append({"benchmark": f"  session part: {part}", "seconds": secs, "target": ""})
    return rows


def bench_hub(users: int) -> list[dict[str, Any]]:
    """The dashboards through JupyterHub, without browsers (bench/hub.py)."""
    try:
        from bench import hub
        missing = hub.hs.missing_requirements()
        if missing:
            return [{"benchmark": "hub", "seconds": None, "target": f"skipped: {missing}"}]
        res = hub.run(users)
    except Exception as exc:
        return [{"benchmark": "hub", "seconds": None, "target": f"failed: {exc}"[:120]}]
    return [{"benchmark": "hub: first page (overview), 1 person (new server)", "seconds": res["solo_first_page"],
             "target": "", "hub": res},
            {"benchmark": f"hub: first page, {users} people together: slowest", "seconds": res["crowd_first_page_slowest"],
             "target": f"< {hub.TARGET_SECONDS:.0f} s: {'PASS' if res['pass'] else 'MISSED'} ({res['ok']}/{users} ok)"},
            {"benchmark": f"  memory per person: server {res['server_rss_mb'] or 0:.0f} MB + page kernel "
                          f"{res['kernel_rss_mb'] or 0:.0f} MB RSS; CPU {res['cpu_seconds_per_arrival'] or 0:.1f} s each",
             "seconds": None, "target": ""},
            {"benchmark": f"  this machine: memory for {res['users_by_memory']} people, "
                          f"{res['users_arriving_together_by_cpu']} arriving together", "seconds": None, "target": ""}]


def bench_first_chart(runs: int) -> list[dict[str, Any]]:
    """Pre-heated overview against the floor notebook, side by side (bench/first_chart.py)."""
    try:
        from bench import first_chart
        res = first_chart.measure("overview", runs)
    except Exception as exc:
        return [{"benchmark": "first chart", "seconds": None, "target": f"failed: {exc}"[:120]}]
    if "skipped" in res:
        return [{"benchmark": "first chart", "seconds": None, "target": f"skipped: {res['skipped']}"}]
    rows = []
    for key in ("overview", "floor", "overview (repeat visit)", "floor (repeat visit)"):
        r = res[key]
        rows.append({"benchmark": f"first chart, preheated: {key}", "seconds": r.get("first_chart"),
                     "target": (f"< {first_chart.TARGET_SECONDS} s and <= {first_chart.TARGET_RATIO:.0%} of floor"
                                if key == "overview" else ""), "page": r})
    ratio = res.get("ratio")
    rows.append({"benchmark": f"  overview / floor = {ratio:.2f}" if ratio else "  overview / floor: -",
                 "seconds": None, "target": "PASS" if res["pass"] else "MISSED"})
    return rows


def bench_hosts_upload(rows_n: int = 100_000) -> list[dict[str, Any]]:
    """The hosts page with a ``rows_n``-row inventory uploaded, in the kernel
    (no browser): reading, planning and showing it (totals plus the top hosts),
    one slider step afterwards, and preparing the per-host CSV on demand."""
    import datetime as dt

    from planner.scenario import load_scenario
    from planner.ui.pages import hosts
    rng = np.random.default_rng(0)
    content = pd.DataFrame({
        "host": [f"host-{i:06d}" for i in range(rows_n)],
        "ram_gib": rng.choice([2, 4, 8, 16, 17.5, 32, 64, 128], rows_n),
        "mode": rng.choice(["fullstack", "infrastructure"], rows_n), "hours_per_day": 24,
        "custom_metrics_per_minute": rng.integers(0, 3000, rows_n),
        "appsec": rng.choice(["none", "vulnerability_analytics", "protection"], rows_n),
    }).to_csv(index=False).encode()
    upload = ({"name": "inventory.csv", "type": "text/csv", "size": len(content), "content": memoryview(content),
               "last_modified": dt.datetime(2027, 1, 1)},)
    page = hosts.dashboard(load_scenario(None), group="web")
    times = {}
    start = time.perf_counter()
    page.find("ctl-upload-inventory").value = upload
    times["upload"] = time.perf_counter() - start
    assert page.messages.text == "", page.messages.text
    start = time.perf_counter()
    page.find("ctl-move-hosts").value = 1
    times["step"] = time.perf_counter() - start
    download = page.find("download-hosts")
    download.saver.send = lambda content, buffers=None: None    # no browser to receive the file
    start = time.perf_counter()
    page.find("ctl-download-hosts-csv").click()
    times["csv"] = time.perf_counter() - start
    return [{"benchmark": f"hosts page: {rows_n:,}-row inventory upload (read, plan, show)",
             "seconds": times["upload"], "target": "< 5 s"},
            {"benchmark": "hosts page: slider step after it", "seconds": times["step"], "target": "< 0.2 s"},
            {"benchmark": "hosts page: per-host CSV prepared on demand", "seconds": times["csv"], "target": ""}]


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'benchmark':60s} {'median':>10s} {'vs floor':>9s}  target"]
    for r in rows:
        secs = "-" if r.get("seconds") is None else f"{r['seconds'] * 1000:8.1f} ms"
        ratio = r.get("ratio_to_numpy") or r.get("ratio_to_import_pandas")
        extra = f"{ratio:8.2f}x" if ratio else (f"{r['interaction_seconds'] * 1000:6.0f} ms"
                                               if r.get("interaction_seconds") else "")
        lines.append(f"{r['benchmark']:60s} {secs:>10s} {extra:>9s}  {r.get('target', '')}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, sizes up to 10^5")
    parser.add_argument("--no-browser", action="store_true", help="skip the dashboard measurements")
    parser.add_argument("--only", help="run one section: calculators, engine, sizing, cli, report, hosts upload, capacity, hub, first chart, dashboards")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else 7
    sizes = [10**4, 10**5] if args.quick else [10**4, 10**5, 10**6]
    sections = [("calculators", lambda: bench_calculators(sizes, repeat)),
                ("engine", lambda: bench_engine(repeat, 10**5 if args.quick else 10**6,
                                                1_000 if args.quick else 10_000)),
                ("sizing", lambda: bench_sizing(repeat)),
                ("cli", lambda: bench_cli(5 if args.quick else 11)),
                ("report", lambda: bench_report(3 if args.quick else 5)),
                ("hosts upload", bench_hosts_upload)]
    sections.append(("capacity", lambda: bench_capacity(10, 60.0)))
    sections.append(("hub", lambda: bench_hub(10)))
    if not args.no_browser:
        sections.append(("first chart", lambda: bench_first_chart(3)))
        sections.append(("dashboards", lambda: bench_dashboards(3 if args.quick else 5)))
    if args.only:
        sections = [(n, r) for n, r in sections if n == args.only]
    rows: list[dict[str, Any]] = []
    for name, run in sections:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        rows.extend(run())
    print(_table(rows))
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "platform": platform.platform()},
              "when": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"), "rows": rows}
    out = RESULTS / "latest.json"
    out.write_text(json.dumps(result, indent=2, default=float))
    print(f"\nwrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
