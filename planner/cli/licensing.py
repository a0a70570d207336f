"""``planner licensing`` (classic and DPS side by side) and ``planner size`` on a
DPS contract: the numbers come from :mod:`planner.engine.licensing`; this only labels them."""

from __future__ import annotations

import argparse
from typing import Any, Callable

from planner._lazy import lazy
from planner.cli.render import MONEY, PRICE, ROW_UNIT, SHARE, CLIError, described

pd = lazy("pandas")   # imported at its first use: planner --help and --version need it not

#: Money columns of the licensing and DPS sizing tables [the scenario's currency].
MONEY_COLUMNS = ("commitment", "expected_cost", "expected_on_demand", "expected_lapsed", "commitment_at_risk",
                 "usage_p50", "classic_cost", "dps_list_usage", "dps_commitment", "dps_on_demand", "dps_lapsed",
                 "dps_cost", "difference", "classic", "dps", "cost", "price", "overage_price")


def size_commitment(scenario: Any, args: argparse.Namespace, risk: float, say: Callable[[str], None]):
    """DPS sizing per contract year and discount tier (docs/rules.md#dps-commitment-sizing)."""
    from planner.engine.licensing import commitment_sizing
    say(f"Monte Carlo: {args.draws:,} draws")
    table = commitment_sizing(scenario, draws=args.draws, seed=args.seed, risk=risk)
    title = (f"{scenario.name}: DPS commitment sizing ({args.draws:,} draws, seed {args.seed}, risk {risk:g}; "
             f"{scenario.currency or 'rate-card currency'})")
    units = dict.fromkeys(MONEY_COLUMNS, MONEY) | {"p_used_up": SHARE, "rate": SHARE}
    return {"sizing": described(table, title, units=units, keys=("year", "commitment"), tables=scenario.tables)}, None


def _options(args: argparse.Namespace) -> None:
    discount = args.discount
    if discount is not None and not 0 <= discount < 1:
        from planner.dps import percent_hint
        raise CLIError(f"--discount must be a fraction >= 0 and < 1{percent_hint(discount)}; got {discount:g}")
    if args.commitment is not None and not args.commitment >= 0:
        raise CLIError(f"--commitment must be an amount >= 0; got {args.commitment:g}")
    if args.exchange_rate is not None and not args.exchange_rate > 0:
        raise CLIError(f"--exchange-rate must be a number > 0; got {args.exchange_rate:g}")


def cmd_licensing(args: argparse.Namespace, say: Callable[[str], None]):
    """Classic and DPS side by side (``planner.engine.licensing.side_by_side``): years, sections,
    drivers, classic pools and the DPS prices used."""
    from planner.cli.commands import scenario_from
    from planner.engine.licensing import side_by_side
    _options(args)
    say("loading scenario")
    scenario = scenario_from(args.file)
    say("pricing the estate under both models")
    frames = side_by_side(scenario, commitment=args.commitment, discount=args.discount,
                          exchange_rate=args.exchange_rate)
    currency = scenario.currency or "rate-card currency"
    money = dict.fromkeys(MONEY_COLUMNS, MONEY) | {"discount": SHARE}
    prices = frames["prices"]
    unsure = int((prices["price_status"] != "confirmed").sum())
    tables = scenario.tables
    return {
        "years": described(frames["years"], f"{scenario.name}: classic and DPS per contract year ({currency}; "
                           "difference = DPS - classic)", units=money, keys=("year",), signed=("difference",),
                           tables=tables),
        "sections": described(frames["sections"], "where the two models part: per section (unused: pool money "
                              "not used, commitment lapsed)", units=money, keys=("year", "section"), group="year",
                              signed=("difference",), tables=tables),
        "drivers": described(frames["drivers"], "drivers that move the difference most (largest first)",
                             units=money, keys=("year", "driver"), group="year", signed=("difference",),
                             tables=tables),
        "classic": described(frames["classic"], "classic cost per pool (amount x price + extra x overage price; "
                             "no price: left out)", units=money | dict.fromkeys(
                                 ("amount", "consumption", "extra_needed"), ROW_UNIT), keys=("unit", "year"),
                             tables=tables),
        "prices": described(prices, f"DPS list prices used ({currency} per unit); {unsure} of {len(prices)} not "
                            "confirmed in Dynatrace documentation (docs/rules.md#dps-prices)",
                            units={"unit_price": PRICE}, keys=("unit",), tables=tables),
    }, None


def cmd_import_dps_events(args: argparse.Namespace, say: Callable[[str], None]):
    """``planner import dps-events FILE --out DIR``: actuals.csv in DPS units."""
    from planner.imports.dps_events import ImportError_, import_dps_events
    say(f"reading {args.export}")
    try:
        target, actuals, notes = import_dps_events(args.export, args.out, force=args.force_out)
    except ImportError_ as exc:
        raise CLIError(str(exc)) from None
    tables = {"written": described(pd.DataFrame({"file": [str(target)], "rows": [len(actuals)]}),
                                   "actuals in DPS units", keys=("file",))}
    if notes:
        tables["notes"] = described(pd.DataFrame({"note": notes}), "notes")
    return tables, None


__all__ = ["cmd_licensing", "cmd_import_dps_events", "size_commitment", "MONEY_COLUMNS"]
