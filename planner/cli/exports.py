"""The commands that write files for other tools: ``planner export focus`` (a FinOps
FOCUS dataset, :mod:`planner.focus`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

import pandas as pd

from planner.cli.commands import _scenario
from planner.cli.render import COUNT, CLIError, described

__all__ = ["cmd_export_focus", "add_export_parser"]


def _writable(out: str, suffix: str, force: bool) -> None:
    if Path(out).suffix.lower() != suffix:
        raise CLIError(f"-o must name a {suffix} file; got {out}")
    if Path(out).exists() and not force:
        raise CLIError(f"{out} exists; add --force to overwrite it")


def cmd_export_focus(args: argparse.Namespace, say: Callable[[str], None]):
    """A FOCUS dataset of the forecast (or of imported actuals) in a CSV file."""
    from planner.focus import focus_csv, focus_table
    _writable(args.out, ".csv", args.force)
    scenario = _scenario(args.file)
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
