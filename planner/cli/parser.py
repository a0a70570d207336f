"""The argument parser of the ``planner`` command line (its help text is
:mod:`planner.cli`'s docstring)."""

from __future__ import annotations

import argparse

from planner.cli.commands import (
    cmd_backtest,
    cmd_compare,
    cmd_forecast,
    cmd_hosts,
    cmd_import_dynatrace,
    cmd_import_files,
    cmd_pools,
    cmd_size,
    cmd_support,
    cmd_tables,
)
from planner.cli.exports import add_export_parser, add_report_parser
from planner.cli.licensing import cmd_import_dps_events, cmd_licensing
from planner.cli.render import EXTENSIONS, FORMATS

def _help_text(doc: str) -> str:
    """A docstring as plain text for --help: no reStructuredText markup."""
    import re
    return re.sub(r"``(.+?)``", r"\1", doc).replace("::\n", ":\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command and option."""
    from planner import __version__, cli
    doc = _help_text(cli.__doc__)
    parser = argparse.ArgumentParser(prog="planner", description=doc.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=doc.split("\n\n", 1)[1])
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("--version", action="version", version=f"planner {__version__}",
                        help="print the package version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                help="what to do; planner COMMAND --help shows its options")
    scenario_help = "scenario YAML file or built-in example name (default: estate)"

    def output_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--format", choices=FORMATS, default=None,
                       help="output format (default: from the --output extension, else table)")
        p.add_argument("--output", "-o", help="write to this file instead of the screen; its extension "
                                              f"({', '.join(EXTENSIONS)}) sets the format")
        p.add_argument("--table", help="write only this one of the command's tables (a CSV holds one table)")
        p.add_argument("--force", action="store_true", help="overwrite --output if it exists")
        p.add_argument("--progress", action="store_true", help="report each stage on stderr")
        # SUPPRESS: without it, the subcommand's default would reset a --debug given before it
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")

    p = sub.add_parser("forecast", help="consumption per contract year (or month) and pool status")
    p.add_argument("file", nargs="?", help=scenario_help)
    p.add_argument("--period", choices=("year", "month"), default="year",
                   help="one row per contract year or per calendar month (default year)")
    p.add_argument("--by", choices=("unit", "capability", "driver", "cost_center", "product"), default="unit",
                   help="break consumption down by unit, capability or driver (default unit); cost_center or "
                        "product add cost and who drives a pool's overrun")
    p.add_argument("--draws", type=int, default=0, help="Monte Carlo draws over growth ranges")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the Monte Carlo draws: the same seed gives the same bands (default 0)")
    p.add_argument("--fail-on-overrun", action="store_true", help="exit 3 if a pool runs out")
    output_options(p)
    p.set_defaults(run=cmd_forecast)

    p = sub.add_parser("pools", help="pools per contract year: balance, run-out date, extra needed")
    p.add_argument("file", nargs="?", help=scenario_help)
    p.add_argument("--fail-on-overrun", action="store_true", help="exit 3 if a pool runs out")
    output_options(p)
    p.set_defaults(run=cmd_pools)

    p = sub.add_parser("size", help="renewal sizing: per pool and year the risk, and what to commit to")
    p.add_argument("file", nargs="?", help=scenario_help)
    p.add_argument("--draws", type=int, default=2000, help="Monte Carlo draws over growth ranges (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the draws: the same seed, the same answer")
    p.add_argument("--risk", type=float, default=0.1,
                   help="accepted chance of running out, >= 0 and < 1, for risk_amount (default 0.1)")
    p.add_argument("--fail-if-risk-above", type=float, metavar="R",
                   help="exit 3 if a pool's chance of running out as contracted is above R")
    output_options(p)
    p.set_defaults(run=cmd_size)

    p = sub.add_parser("licensing", help="classic and DPS side by side: cost per contract year, where they part")
    p.add_argument("file", nargs="?", help=scenario_help)
    p.add_argument("--commitment", type=float, help="annual DPS commitment in the scenario's currency (default: "
                                                    "the contract's, else the cost-optimal one for year 1)")
    p.add_argument("--discount", type=float, help="flat discount off the DPS rate card, a fraction (0.12 = 12 %%)")
    p.add_argument("--exchange-rate", type=float, help="scenario currency per rate-card currency (USD)")
    output_options(p)
    p.set_defaults(run=cmd_licensing)

    p = sub.add_parser("compare", help="two or more scenarios side by side")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="scenario YAML files or built-in example names; the first is the baseline")
    p.add_argument("--period", choices=("year", "month"), default="year",
                   help="'month' adds the deltas per calendar month (default year)")
    p.add_argument("--fail-on-overrun", action="store_true", help="exit 3 if a pool of the last scenario runs out")
    output_options(p)
    p.set_defaults(run=cmd_compare)

    p = sub.add_parser("hosts", help="host units and included metrics of an inventory (CSV or XLSX)")
    p.add_argument("inventory", help="inventory file (.csv or .xlsx), one row per host: host, ram_gib, mode, ...")
    p.add_argument("--tables", help="a table-set folder (default: the shipped rate card)")
    p.add_argument("--totals-only", action="store_true", help="only the totals by mode, not every host")
    output_options(p)
    p.set_defaults(run=cmd_hosts)

    p = sub.add_parser("tables", help="the rate card's tables and rule constants with their sources")
    p.add_argument("--tables", help="a table-set folder (default: the shipped rate card)")
    output_options(p)
    p.set_defaults(run=cmd_tables)

    p = sub.add_parser("import", help="a baseline (hosts.csv, actuals.csv, scenario.yaml) from Dynatrace")
    source = p.add_subparsers(dest="source", required=True, metavar="SOURCE",
                              help="dynatrace (through the API) or files (exported JSON and CSV)")

    def import_options(q: argparse.ArgumentParser) -> None:
        q.add_argument("--out", required=True, metavar="DIR", help="folder to create (must not exist)")
        q.add_argument("--to", metavar="YYYY-MM", help="last month to import (default: the last complete one)")
        q.add_argument("--force-out", action="store_true", help="replace DIR if it exists")
        output_options(q)
        q.add_argument("--quiet", action="store_false", dest="progress", help="no progress lines on stderr")
        q.set_defaults(progress=True)

    q = source.add_parser("dynatrace", help="read an environment through its API")
    q.add_argument("--url", required=True, help="environment URL, e.g. https://abc12345.live.dynatrace.com")
    q.add_argument("--token-env", default="DT_API_TOKEN", metavar="NAME",
                   help="environment variable holding the API token (default DT_API_TOKEN)")
    q.add_argument("--months", type=int, default=12, help="months of history (default 12)")
    q.add_argument("--ca-bundle", metavar="FILE.pem", help="CA certificates to trust (TLS is always verified)")
    import_options(q)
    q.set_defaults(run=cmd_import_dynatrace)

    q = source.add_parser("files", help="the same from exports: entities JSON and metrics CSV")
    q.add_argument("--hosts", required=True, metavar="HOSTS.json", help="JSON of GET /api/v2/entities (type HOST)")
    q.add_argument("--metrics", required=True, nargs="+", metavar="METRICS.csv",
                   help="CSV of GET /api/v2/metrics/query (Accept: text/csv)")
    q.add_argument("--oneagents", metavar="ONEAGENTS.json", help="JSON of GET /api/v1/oneagents (host-unit check)")
    q.add_argument("--months", type=int, help="months of history (default: all in the CSV)")
    import_options(q)
    q.set_defaults(run=cmd_import_files)

    q = source.add_parser("dps-events", help="actual DPS usage from an export of the billing usage events")
    q.add_argument("export", metavar="FILE", help="CSV or JSON export of fetch dt.system.events | filter "
                                                  "event.kind == \"BILLING_USAGE_EVENT\"")
    q.add_argument("--out", required=True, metavar="DIR", help="folder for actuals.csv (created if missing)")
    q.add_argument("--force-out", action="store_true", help="replace DIR/actuals.csv if it exists")
    output_options(q)
    q.set_defaults(run=cmd_import_dps_events)

    add_export_parser(sub, scenario_help)
    add_report_parser(sub, scenario_help)

    p = sub.add_parser("backtest", help="the model over past months against imported actuals")
    p.add_argument("file", help="scenario YAML (e.g. DIR/scenario.yaml)")
    p.add_argument("actuals", help="actuals CSV (e.g. DIR/actuals.csv)")
    output_options(p)
    p.set_defaults(run=cmd_backtest)
    p = sub.add_parser("support", help="initial-response deadlines of a ticket, end of support of a version",
                       description="Initial-response deadlines (Dynatrace Support Policy, Initial Contact "
                                   "SLA) and version end-of-support dates, from planner.support.")
    p.add_argument("--opened", metavar="TIME",
                   help="when Dynatrace received the ticket, local time in --tz (e.g. '2025-03-10 15:00')")
    p.add_argument("--severity", help="1-4 or critical, high, medium, low (default: every severity)")
    p.add_argument("--plan", help="standard or enterprise (default: every plan)")
    p.add_argument("--tz", help="the customer's IANA time zone, e.g. Europe/Vienna (needed with --opened)")
    p.add_argument("--country", help="ISO 3166 country whose public holidays are not business days, e.g. AT")
    p.add_argument("--subdiv", help="subdivision of --country for its holidays, e.g. BY (Bavaria)")
    p.add_argument("--closure", action="append", default=[], metavar="DATE",
                   help="an extra closure day (YYYY-MM-DD); repeat for more")
    p.add_argument("--government", action="store_true",
                   help="Enterprise for Government: Critical and High count only inside its coverage window "
                        "(the table set's support_hours)")
    p.add_argument("--released", metavar="DATE", help="release date of a version (YYYY-MM-DD)")
    p.add_argument("--product", help="saas, managed or cluster (default: every product)")
    p.add_argument("--tables", help="a table-set folder (default: the shipped rate card)")
    output_options(p)
    p.set_defaults(run=cmd_support)
    return parser

