"""The ``planner`` command line.

::

    planner forecast [FILE]           consumption per contract year and unit, pool status
    planner forecast FILE --period month --by capability --format csv --output f.csv
    planner compare A B [C ...]       scenarios side by side, deltas to the first
    planner pools [FILE]              pools per contract year: balance, run-out, extra needed
    planner hosts INVENTORY.csv       host units and included metrics per host, totals by mode
    planner tables                    the rate card in use and where each table comes from

FILE is a scenario YAML file or the name of a built-in example (estate,
fullstack_move, replay_rollout, grail_retention); without it the example estate
is used. ``--fail-on-overrun`` exits with status 3 when a pool runs out inside
the horizon, so a CI pipeline can gate a change. Errors print one line (status
2); ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

FORMATS = ("table", "csv", "json", "markdown", "xlsx")
EXIT_ERROR, EXIT_OVERRUN = 2, 3


class CLIError(Exception):
    """A user-facing error: printed as one line."""


# --- rendering ---------------------------------------------------------------------------

def _number(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if pd.isna(value):
            return ""
        if float(value).is_integer():
            return f"{value:,.0f}"
        if abs(value) >= 1000:
            return f"{value:,.2f}"
        return f"{value:,.3f}".rstrip("0")   # table weights have three decimals (0.075)
    if isinstance(value, pd.Timestamp):
        return "" if pd.isna(value) else str(value.date())
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _markdown(frame: pd.DataFrame) -> str:
    header = [str(c) for c in frame.columns]
    rows = [[_number(v) for v in row] for row in frame.itertuples(index=False)]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def render(tables: dict[str, pd.DataFrame], fmt: str, output: str | None, force: bool) -> str | None:
    """Render named tables in a format; write to ``output`` or return the text."""
    if fmt == "xlsx":
        from planner.export import exportable
        if not output:
            raise CLIError("--format xlsx needs --output FILE.xlsx (a workbook is not printable)")
        _refuse_overwrite(output, force)
        with pd.ExcelWriter(output, engine="openpyxl") as writer:
            used: set[str] = set()
            for name, frame in tables.items():
                exportable(frame).to_excel(writer, sheet_name=_sheet_name(name, used), index=False)
        return None
    if fmt == "json":
        text = json.dumps({name: json.loads(frame.to_json(orient="records", date_format="iso"))
                           for name, frame in tables.items()}, indent=2)
    elif fmt == "csv":
        parts = []
        for name, frame in tables.items():
            buffer = io.StringIO()
            frame.to_csv(buffer, index=False)
            parts.append((f"# {name}\n" if len(tables) > 1 else "") + buffer.getvalue())
        text = "\n".join(parts)
    elif fmt == "markdown":
        text = "\n\n".join(f"### {name}\n\n{_markdown(frame)}" for name, frame in tables.items())
    else:
        text = "\n\n".join(f"{name}\n{'-' * len(name)}\n" + frame.to_string(
            index=False, formatters={c: _number for c in frame.columns}) for name, frame in tables.items())
    if output:
        _refuse_overwrite(output, force)
        Path(output).write_text(text + "\n", encoding="utf-8")
        return None
    return text


def _sheet_name(name: str, used: set[str]) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name."""
    base = "".join("-" if c in "[]:*?/\\" else c for c in name.split(": ")[-1])[:31].strip() or "sheet"
    sheet, n = base, 2
    while sheet in used:
        sheet, n = f"{base[:28]} {n}", n + 1
    used.add(sheet)
    return sheet


def _refuse_overwrite(output: str, force: bool) -> None:
    if Path(output).exists() and not force:
        raise CLIError(f"{output} exists; add --force to overwrite it")


# --- commands ----------------------------------------------------------------------------

def _scenario(name: str | None):
    from planner.scenario import EXAMPLES, example_path, load_scenario
    if name is None:
        return load_scenario(None)
    if name in EXAMPLES and not Path(name).exists():
        return load_scenario(example_path(name))
    if not Path(name).exists():
        raise CLIError(f"{name}: no such scenario file (built-in examples: {', '.join(EXAMPLES)})")
    return load_scenario(Path(name))


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    from planner.units import UNITS
    return frame.rename(columns={k: u.label for k, u in UNITS.items()})


def _period_table(fc, period: str, by: str) -> pd.DataFrame:
    group = ("unit",) if by == "unit" else ("unit", by)
    table = fc.monthly(group) if period == "month" else fc.yearly(group)
    if by == "unit":
        table = _labelled(table).reset_index()
    if "month" in table.columns:
        table["month"] = table["month"].astype(str)
    return table


def _pool_table(fc) -> pd.DataFrame:
    pools = fc.pools()
    if pools.empty:
        return pools
    pools = pools.copy()
    for column in ("start", "end", "run_out"):
        pools[column] = pools[column].dt.date.astype("string").fillna("")
    return pools


def _overruns(fc) -> list[str]:
    pools = fc.pools()
    hit = pools[pools["run_out"].notna()] if len(pools) else pools
    lines = [f"{r.unit} year {r.year}: runs out {r.run_out.date()}, needs {r.extra_needed:,.2f} more"
             for r in hit.itertuples()]
    if fc.scenario.drivers_of("mainframe"):
        msu = fc.mainframe()
        for lpar, months in msu[msu["over_licence"]].groupby("driver", sort=False)["month"]:
            lines.append(f"msu {lpar}: over its licensed MSU from {months.min()} ({len(months)} months)")
    return lines


def cmd_forecast(args: argparse.Namespace, say: Callable[[str], None]) -> tuple[dict[str, pd.DataFrame], Any]:
    from planner.engine import forecast
    say("loading scenario")
    scenario = _scenario(args.file)
    fc = forecast(scenario, draws=args.draws, seed=args.seed, progress=say)
    say(f"simulated in {fc.seconds * 1000:.0f} ms")
    tables = {f"{scenario.name}: consumption per {'contract year' if args.period == 'year' else 'month'}":
              _period_table(fc, args.period, args.by),
              "pools": _pool_table(fc)}
    if fc.bands is not None:
        bands = fc.bands.copy()
        bands["month"] = bands["month"].astype(str)
        tables[f"Monte Carlo bands ({args.draws} draws, seed {args.seed})"] = bands
    if scenario.drivers_of("mainframe"):
        msu = fc.mainframe()
        if args.period == "year":
            msu = msu.groupby("driver", sort=False).agg(
                highest_month_peak_msu=("peak_msu", "max"), licensed_msu=("licensed_msu", "first"),
                months_over_licence=("over_licence", "sum"),
                first_month_over=("month", lambda m: str(m[msu.loc[m.index, "over_licence"]].min())
                                  if msu.loc[m.index, "over_licence"].any() else "never")).reset_index()
        else:
            msu["month"] = msu["month"].astype(str)
        tables["mainframe MSU per LPAR (peak 4-hour rolling average per month)"] = msu
    return tables, fc


def cmd_pools(args: argparse.Namespace, say: Callable[[str], None]):
    from planner.engine import forecast
    fc = forecast(_scenario(args.file), progress=say)
    return {"pools": _pool_table(fc)}, fc


def cmd_compare(args: argparse.Namespace, say: Callable[[str], None]):
    from planner.engine import compare, forecast
    if len(args.files) < 2:
        raise CLIError("compare needs at least two scenarios")
    forecasts = []
    for name in args.files:
        say(f"forecasting {name}")
        forecasts.append(forecast(_scenario(name)))
    result = compare(*forecasts)
    yearly = result["yearly"]
    exceeded = result["first_exceeded"].copy()
    exceeded["first_exceeded"] = exceeded["first_exceeded"].astype("string").fillna("never")
    monthly = result["monthly"].copy()
    monthly.columns = [f"{s} | {u}" for s, u in monthly.columns]
    monthly = monthly.reset_index()
    monthly["month"] = monthly["month"].astype(str)
    tables = {"per contract year and capability": yearly, "first month a pool is exceeded": exceeded}
    if args.period == "month":
        tables["per month"] = monthly
    return tables, forecasts[-1]


def cmd_hosts(args: argparse.Namespace, say: Callable[[str], None]):
    from planner.scenario import read_inventory
    from planner.sections import inventory_amounts, inventory_totals
    from planner.tableset import load_tables
    tables = load_tables(args.tables)
    say("reading inventory")
    per_host = inventory_amounts(read_inventory(args.inventory), tables)
    out = {"totals by mode": inventory_totals(per_host)}
    if not args.totals_only:
        out = {"per host": per_host, **out}
    return out, None


def cmd_tables(args: argparse.Namespace, say: Callable[[str], None]):
    from planner.tableset import load_tables
    t = load_tables(args.tables)
    rows = [{"table": name, **{k: v for k, v in t.provenance[name].items() if k in
                               ("source", "section", "effective")}} for name in t.provenance]
    rules = pd.DataFrame([{"rule": k, "value": str(v["value"]), "unit": v.get("unit", ""),
                           "source": v["source"]} for k, v in t.rules.items()])
    return {f"table set {t.path}": pd.DataFrame(rows), "rule constants": rules}, None


# --- entry point -------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planner", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def output_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")
        p.add_argument("--output", "-o", help="write to this file instead of the screen")
        p.add_argument("--force", action="store_true", help="overwrite --output if it exists")
        p.add_argument("--progress", action="store_true", help="report each stage on stderr")
        p.add_argument("--debug", action="store_true", help="show tracebacks")

    p = sub.add_parser("forecast", help="consumption per contract year (or month) and pool status")
    p.add_argument("file", nargs="?", help="scenario YAML or built-in example name (default: estate)")
    p.add_argument("--period", choices=("year", "month"), default="year")
    p.add_argument("--by", choices=("unit", "capability", "driver"), default="unit")
    p.add_argument("--draws", type=int, default=0, help="Monte Carlo draws over growth ranges")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--fail-on-overrun", action="store_true", help="exit 3 if a pool runs out")
    output_options(p)
    p.set_defaults(run=cmd_forecast)

    p = sub.add_parser("pools", help="pools per contract year: balance, run-out date, extra needed")
    p.add_argument("file", nargs="?")
    p.add_argument("--fail-on-overrun", action="store_true")
    output_options(p)
    p.set_defaults(run=cmd_pools)

    p = sub.add_parser("compare", help="two or more scenarios side by side")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--period", choices=("year", "month"), default="year")
    p.add_argument("--fail-on-overrun", action="store_true", help="exit 3 if a pool of the last scenario runs out")
    output_options(p)
    p.set_defaults(run=cmd_compare)

    p = sub.add_parser("hosts", help="host units and included metrics of an inventory (CSV or XLSX)")
    p.add_argument("inventory")
    p.add_argument("--tables", help="a table-set folder (default: the shipped rate card)")
    p.add_argument("--totals-only", action="store_true")
    output_options(p)
    p.set_defaults(run=cmd_hosts)

    p = sub.add_parser("tables", help="the rate card's tables and rule constants with their sources")
    p.add_argument("--tables", help="a table-set folder (default: the shipped rate card)")
    output_options(p)
    p.set_defaults(run=cmd_tables)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    began = time.perf_counter()

    def say(message: str) -> None:
        if getattr(args, "progress", False):
            print(f"[{time.perf_counter() - began:6.2f} s] {message}", file=sys.stderr, flush=True)

    try:
        tables, fc = args.run(args, say)
        text = render(tables, args.format, args.output, args.force)
        if text is not None:
            print(text)
        elif args.output:
            say(f"wrote {args.output}")
        if getattr(args, "fail_on_overrun", False) and fc is not None:
            overruns = _overruns(fc)
            if overruns:
                print("planner: pools run out inside the horizon:\n  " + "\n  ".join(overruns), file=sys.stderr)
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
