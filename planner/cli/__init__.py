"""The ``planner`` command line::

    planner forecast [FILE]           consumption per contract year and unit, pool status
    planner forecast FILE --period month --by capability --table consumption -o f.csv
    planner compare A B [C ...]       scenarios side by side, deltas to the first
    planner pools [FILE]              pools per contract year: balance, run-out, extra needed
    planner size [FILE] --risk 0.1    renewal sizing: chance of running out, what to commit to
    planner licensing [FILE] --discount 0.1 --exchange-rate 0.9    classic and DPS side by side
    planner hosts INVENTORY.csv       host units and included metrics per host, totals by mode
    planner tables                    the rate card in use and where each table comes from
    planner import dynatrace --url URL --out DIR    a baseline from an environment (token in $DT_API_TOKEN)
    planner import files --hosts H.json --metrics M.csv --out DIR    the same from exported files
    planner import dps-events FILE --out DIR    actual DPS usage (actuals.csv) from a billing usage events export
    planner backtest DIR/scenario.yaml DIR/actuals.csv    the model over past months against actuals
    planner export focus [FILE] -o focus.csv [--actuals A.csv] [--focus-version 1.2]
                                      a FinOps FOCUS cost-and-usage dataset
    planner report [FILE] [VARIANT ...] -o report.html
                                      one self-contained HTML report that opens offline
    planner support --opened TIME --tz ZONE [--severity S --plan P --country C --subdiv S]
                                      initial-response deadlines of a support ticket
    planner support --released DATE [--product P --plan P]
                                      end of support of a version

FILE is a scenario YAML file or the name of a built-in example (estate,
fullstack_move, replay_rollout, grail_retention); without it the example estate
is used. ``--fail-on-overrun`` exits with status 3 when a pool runs out inside
the horizon, so a CI pipeline can gate a change. Errors print one line (status
2); ``--debug`` shows the traceback.

The format follows the extension of ``--output`` (.txt, .csv, .json, .md,
.xlsx) unless ``--format`` is given. A CSV holds one table: choose it with
``--table NAME`` when a command gives several.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time

from planner.cli.commands import overruns
from planner.cli.parser import build_parser
from planner.cli.render import CLIError, output_format, render

EXIT_ERROR, EXIT_OVERRUN = 2, 3

__all__ = ["CLIError", "EXIT_ERROR", "EXIT_OVERRUN", "main"]


def _print(text: str) -> None:
    """Print to stdout; a reader that went away (``| head``) ends the output quietly.

    As the Python docs advise (signal module, "Note on SIGPIPE"): on BrokenPipeError send the
    rest of the output to devnull, so that flushing at exit raises nothing more.
    https://docs.python.org/3/library/signal.html#note-on-sigpipe
    """
    try:
        print(text, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _import_pandas() -> bool:
    """Import pandas, which every command's tables need, with the cyclic garbage collector
    paused, then freeze what it made; True if it did (a cold start).

    With Python's defaults the collector runs about 130 times while pandas and numpy
    import, and later collections scan their many objects again: some 30 ms of a
    ``planner forecast``. Frozen objects are left out of collections
    (https://docs.python.org/3/library/gc.html#gc.freeze); :func:`main` unfreezes them
    when the command ends. Nothing is done where pandas is already imported (tests,
    notebooks) or the caller manages the collector.
    """
    if "pandas" in sys.modules or not gc.isenabled() or gc.get_freeze_count():
        return False
    gc.disable()
    try:
        import pandas  # noqa: F401
    finally:
        gc.freeze()
        gc.enable()
    return True


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)   # --help and --version end here, without pandas
    froze = _import_pandas()
    try:
        return _run(args)
    finally:
        if froze:
            gc.unfreeze()


def _run(args: argparse.Namespace) -> int:
    """Run the parsed command; returns the exit status."""
    began = time.perf_counter()

    def say(message: str) -> None:
        if getattr(args, "progress", False):
            print(f"[{time.perf_counter() - began:6.2f} s] {message}", file=sys.stderr, flush=True)

    try:
        fmt = output_format(args.format, args.output)
        tables, fc = args.run(args, say)
        about = None
        if fmt == "xlsx":   # the workbook's About sheet
            from planner.cli.workbook import about_rows
            about = (about_rows(args, fc), getattr(getattr(fc, "scenario", None), "currency", None))
        text = render(tables, fmt, args.output, args.force, args.table, about)
        if text is not None:
            _print(text)
        elif args.output:
            say(f"wrote {args.output}")
        if getattr(args, "fail_on_overrun", False) and fc is not None:
            overrun = overruns(fc)
            if overrun:
                print("planner: pools run out inside the horizon:\n  " + "\n  ".join(overrun), file=sys.stderr)
                return EXIT_OVERRUN
        if getattr(args, "gate_failures", None):   # planner size --fail-if-risk-above
            print("planner: pools likely to run out:\n  " + "\n  ".join(args.gate_failures), file=sys.stderr)
            return EXIT_OVERRUN
        return 0
    except KeyboardInterrupt:
        print("planner: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one clear line, never a traceback (unless --debug)
        if args.debug:
            raise
        from planner.scenario import ScenarioError
        from planner.tableset import TableError
        known = (CLIError, ScenarioError, TableError, ValueError, TypeError, OSError)
        prefix = "" if isinstance(exc, known) else f"unexpected {type(exc).__name__}: "
        print(f"planner: error: {prefix}{exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
