"""The commands that write files for other people and tools: ``planner export focus``
(a FinOps FOCUS dataset, :mod:`planner.focus`) and ``planner report`` (one
self-contained HTML file, :mod:`planner.report`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from planner._lazy import lazy
from planner.cli.commands import scenario_from
from planner.cli.render import COUNT, CLIError, described

pd = lazy("pandas")   # imported at its first use: planner --help and --version need it not

__all__ = ["cmd_export_focus", "cmd_report", "add_export_parser", "add_report_parser"]


def _writable(out: str, suffix: str, force: bool) -> None:
    if Path(out).suffix.lower() != suffix:
        raise CLIError(f"-o must name a {suffix} file; got {out}")
    if Path(out).exists() and not force:
        raise CLIError(f"{out} exists; add --force to overwrite it")


def cmd_export_focus(args: argparse.Namespace, say: Callable[[str], None]):
    """A FOCUS dataset of the forecast (or of imported actuals) in a CSV file."""
    from planner.focus import focus_csv, focus_table
    _writable(args.out, ".csv", args.force)
    scenario = scenario_from(args.file)
    if args.actuals:
        from planner.imports.backtest import read_actuals
        table, notes = focus_table(scenario, actuals=read_actuals(args.actuals), version=args.focus_version)
    else:
        from planner.engine import forecast
        table, notes = focus_table(scenario, forecast(scenario, progress=say).daily, version=args.focus_version)
    for note in notes:
        print(f"planner: note: {note}", file=sys.stderr)
    Path(args.out).write_bytes(focus_csv(table))
    written = pd.DataFrame({"file": [args.out], "rows": [len(table)], "columns": [table.shape[1]]})
    return {f"FOCUS {args.focus_version} dataset of {scenario.name}":
            described(written, units={"rows": COUNT, "columns": COUNT})}, None


def add_export_parser(sub: argparse._SubParsersAction, scenario_help: str) -> None:
    """``planner export focus``: its own -o (a file it writes, not a rendered table)."""
    p = sub.add_parser("export", help="files for other tools: export focus writes a FinOps FOCUS dataset")
    kind = p.add_subparsers(dest="kind", required=True, metavar="KIND", help="focus (FinOps FOCUS CSV)")
    q = kind.add_parser("focus", help="the forecast (or --actuals) as a FinOps FOCUS cost-and-usage CSV")
    q.add_argument("file", nargs="?", help=scenario_help)
    q.add_argument("-o", "--output", dest="out", required=True, metavar="FILE.csv", help="the CSV file to write")
    q.add_argument("--actuals", metavar="ACTUALS.csv", help="imported actuals (planner import) instead of the forecast")
    q.add_argument("--focus-version", choices=("1.0", "1.2"), default="1.0",
                   help="FOCUS version of the columns (default 1.0, what focus-validator 1.0.0 checks)")
    q.add_argument("--force", action="store_true", help="overwrite FILE.csv if it exists")
    q.add_argument("--progress", action="store_true", help="report each stage on stderr")
    q.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    q.set_defaults(run=cmd_export_focus, format=None, output=None, table=None)


def _report_input(name: str | None):
    from planner.report import ReportInput
    from planner.scenario import example_path
    scenario = scenario_from(name)      # a file, or a built-in example's name
    path = Path(name) if name is not None and Path(name).exists() else example_path(name or "estate")
    return ReportInput(scenario, path.read_text(encoding="utf-8"))


def cmd_report(args: argparse.Namespace, say: Callable[[str], None]):
    """One self-contained HTML report of a scenario and its variants."""
    import time
    from planner.report import report_html
    _writable(args.out, ".html", args.force)
    if args.draws < 0:
        raise CLIError(f"--draws must be a whole number >= 0; got {args.draws}")
    if not 0 <= args.risk < 1:
        raise CLIError(f"--risk must be a number >= 0 and < 1 (a chance of running out); got {args.risk:g}")
    began = time.perf_counter()
    base = _report_input(args.file)
    variants = tuple(_report_input(v) for v in args.variants)
    say(f"forecasting {base.scenario.name} and {len(variants)} variant(s)")
    text = report_html(base, variants, draws=args.draws, seed=args.seed, risk=args.risk)
    Path(args.out).write_text(text, encoding="utf-8")
    written = pd.DataFrame({"file": [args.out], "bytes": [len(text.encode("utf-8"))],
                            "seconds": [round(time.perf_counter() - began, 2)]})
    return {f"report of {base.scenario.name}": described(written, units={"bytes": COUNT})}, None


def add_report_parser(sub: argparse._SubParsersAction, scenario_help: str) -> None:
    """``planner report SCENARIO [VARIANT ...] -o report.html``."""
    p = sub.add_parser("report", help="one self-contained HTML report (charts, pools, sizing, comparison)")
    p.add_argument("file", nargs="?", help=scenario_help)
    p.add_argument("variants", nargs="*", metavar="VARIANT", help="scenarios to compare with it")
    p.add_argument("-o", "--output", dest="out", required=True, metavar="FILE.html", help="the HTML file to write")
    p.add_argument("--draws", type=int, default=2000, help="Monte Carlo draws for the renewal sizing (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0)")
    p.add_argument("--risk", type=float, default=0.1, help="accepted chance of running out (default 0.1)")
    p.add_argument("--force", action="store_true", help="overwrite FILE.html if it exists")
    p.add_argument("--progress", action="store_true", help="report each stage on stderr")
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    p.set_defaults(run=cmd_report, format=None, output=None, table=None)
