"""The commands of the ``planner`` command line: each reads its arguments, asks the
engine (or the support policy, the import, the table set) and returns named
tables for :mod:`planner.cli.render`, plus the forecast where a gate needs it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Callable

from planner._lazy import lazy
from planner.cli.render import (
    COUNT,
    MONEY,
    OTHER_DECIMALS,
    PCT,
    PRICE,
    ROW_UNIT,
    CLIError,
    cell,
    described,
)
from planner.units import decimals as unit_decimals

pd = lazy("pandas")   # imported at its first use: planner --help and --version need it not


def scenario_from(name: str | None):
    """The scenario a command's FILE argument names: a YAML file, a built-in example, or the example estate."""
    from planner.scenario import DPS_EXAMPLES, EXAMPLES, example_path, load_scenario
    if name is None:
        return load_scenario(None)
    if name in EXAMPLES + DPS_EXAMPLES and not Path(name).exists():
        return load_scenario(example_path(name))
    if not Path(name).exists():
        raise CLIError(f"{name}: no such scenario file (built-in examples: {', '.join(EXAMPLES)})")
    return load_scenario(Path(name))


def _period_table(fc, period: str, by: str) -> pd.DataFrame:
    from planner.units import UNITS
    group = ("unit",) if by == "unit" else ("unit", by)
    table = fc.monthly(group) if period == "month" else fc.yearly(group)
    name = "contract year" if period == "year" else "month"
    title = f"{fc.scenario.name}: consumption per {name}" + ("" if by == "unit" else f" and {by}")
    if by == "unit":   # one column per unit; people read the unit's name, files its key
        units = {u: u for u in table.columns}
        table = table.reset_index()
        return described(table, title, units=units, keys=(table.columns[0],), transpose=period == "year",
                      labels={u: UNITS[u].label for u in units}, tables=fc.scenario.tables)
    return described(_in_registry_order(table, table.columns[0]), title, units={"value": ROW_UNIT},
                  keys=(table.columns[0],), tables=fc.scenario.tables)


_POOL_UNITS = {c: ROW_UNIT for c in ("amount", "consumption", "remaining", "extra_needed")} | {
    c: MONEY for c in ("amount_cost", "consumption_cost", "extra_needed_at_price", "extra_needed_at_overage_price",
                       "extra_needed_cost", "list_usage", "on_demand", "lapsed", "cost")
} | {"days_covered": COUNT}


def _warn_unbought(fc, shown: bool = False) -> None:
    """Warn once per unit the forecast consumes without a pool or licence in the contract
    (``unit_not_bought`` in ``Forecast.notes()``, worded by planner.explain); not when
    ``shown``: the output's notes table already says it."""
    from planner.explain import forecast_sentence
    if shown:
        return
    notes = fc.notes()
    for row in notes[notes["code"] == "unit_not_bought"].to_dict(orient="records"):
        print(f"planner: warning: {fc.scenario.name}: {forecast_sentence(row, fc.scenario)}", file=sys.stderr)


def _notes_table(fc) -> pd.DataFrame:
    from planner.explain import forecast_notes
    return described(forecast_notes(fc.notes(), fc.scenario), f"{fc.scenario.name}: notes", keys=("code",),
                     hidden=("code", "unit", "driver", "date", "value"), tables=fc.scenario.tables)


def _coaching_tables(fc, weekly: bool) -> dict[str, pd.DataFrame]:
    """Dynatrace ONE Premium coaching sessions per contract year and, if ``weekly``, per week,
    when the contract buys it."""
    if fc.scenario.contract.one_premium is None:
        return {}
    sessions = {c: COUNT for c in ("weeks", "available", "used", "lapsed")}
    out = {"coaching_years": described(fc.coaching("year"), "Dynatrace ONE Premium coaching sessions per contract "
                                       "year (unused sessions lapse weekly; week by week: --table coaching_weeks)",
                                       units=sessions | {"fee": MONEY}, keys=("contract_year",),
                                       tables=fc.scenario.tables)}
    if weekly:
        out["coaching_weeks"] = described(fc.coaching("week"), "coaching sessions per week", units=sessions,
                                          keys=("week",), tables=fc.scenario.tables)
    return out


def _pool_table(fc) -> pd.DataFrame:
    return described(fc.pools(), "pools per contract year", units=_POOL_UNITS, keys=("unit", "year"),
                  empty="no pools: the contract buys no annual pool and no licence", tables=fc.scenario.tables)


def overruns(fc) -> list[str]:
    """The read model's run-outs (:func:`planner.engine.readmodel.run_outs`) in the words of
    :func:`planner.explain.run_out_sentence`, numbers with their unit's decimals."""
    from planner.engine.readmodel import run_outs
    from planner.explain import run_out_sentence
    from planner.units import UNITS
    decimals = unit_decimals(fc.scenario.tables)

    def quantity(value: float, unit: str) -> str:
        return f"{cell(value, decimals.get(unit, OTHER_DECIMALS))} {UNITS[unit].symbol}"

    return [run_out_sentence(r, quantity, lambda day: str(day.date()), str) for r in run_outs(fc)]


def cmd_forecast(args: argparse.Namespace, say: Callable[[str], None]) -> tuple[dict[str, pd.DataFrame], Any]:
    from planner.engine import forecast
    say("loading scenario")
    scenario = scenario_from(args.file)
    if args.draws and not scenario.uncertain():
        print(f"planner: note: no driver of {scenario.name!r} has a growth range, so all {args.draws:,} "
              "draws are the same (the bands are the forecast)", file=sys.stderr)
    fc = forecast(scenario, draws=args.draws, seed=args.seed, progress=say)
    say(f"simulated in {fc.seconds * 1000:.0f} ms")
    if args.by in ("cost_center", "product"):   # showback: cost per tag, who drives an overrun
        from planner.cli.showback import showback_tables
        tables = {**showback_tables(fc, args.by, args.period), "pools": _pool_table(fc)}
    else:
        tables = {"consumption": _period_table(fc, args.period, args.by), "pools": _pool_table(fc)}
    tables.update(_coaching_tables(fc, weekly=bool(args.output) or args.table == "coaching_weeks"))
    if fc.bands is not None:
        tables["bands"] = described(fc.bands.copy(), f"Monte Carlo bands ({args.draws} draws, seed {args.seed})",
                                 units=dict.fromkeys(("p10", "p50", "p90"), ROW_UNIT), keys=("month", "unit"),
                                 tables=scenario.tables)
    if scenario.drivers_of("mainframe") and not scenario.contract.dps:
        if args.period != "year":
            msu = fc.mainframe()
        else:   # each LPAR's verdict over the horizon (planner.engine.readmodel.lpar_verdicts)
            from planner.engine.readmodel import lpar_verdicts
            msu = pd.DataFrame([{"driver": p.name, "highest_month_peak_msu": p.peak_msu,
                                 "licensed_msu": p.licensed_msu, "months_over_licence": p.months_over,
                                 "first_month_over": None if p.first_month_over is None else str(p.first_month_over)}
                                for p in lpar_verdicts(fc)])
        tables["mainframe"] = described(
            msu, "mainframe MSU per LPAR (peak 4-hour rolling average per month)", keys=("driver",),
            units={"peak_msu": "msu", "highest_month_peak_msu": "msu", "licensed_msu": "msu",
                   "months_over_licence": COUNT}, tables=scenario.tables)
    if len(fc.notes()):
        tables["notes"] = _notes_table(fc)
    _warn_unbought(fc, shown=args.output is None and args.table in (None, "notes"))
    return tables, fc


_SIZING_UNITS = {c: ROW_UNIT for c in ("amount", "top_ups", "p10", "p50", "p90", "expected_extra", "optimal_amount",
                                          "risk_amount")} | {
    c: MONEY for c in ("expected_overage_cost", "cost_at_amount", "cost_at_optimal", "cost_at_risk")}


def _share(value: float, option: str, *, upper: bool) -> float:
    if not (0 <= value <= 1 if upper else 0 <= value < 1):
        raise CLIError(f"{option} must be a number >= 0 and {'<=' if upper else '<'} 1 (a chance of running "
                       f"out); got {value:g}")
    return value


def cmd_size(args: argparse.Namespace, say: Callable[[str], None]):
    """Renewal sizing per pool and contract year (``Forecast.sizing``): one table, ``sizing``."""
    from planner.engine import forecast
    from planner.explain import sizing_with_notes
    risk = _share(args.risk, "--risk", upper=False)
    gate = None if args.fail_if_risk_above is None else _share(args.fail_if_risk_above, "--fail-if-risk-above",
                                                               upper=True)
    if args.draws < 1:
        raise CLIError(f"--draws must be a whole number >= 1 for sizing; got {args.draws}")
    say("loading scenario")
    scenario = scenario_from(args.file)
    if scenario.contract.dps:   # a money commitment, sized per discount tier
        from planner.cli.licensing import size_commitment
        return size_commitment(scenario, args, risk, say)
    if not scenario.contract.pools and not scenario.contract.licences:
        raise CLIError(f"{scenario.name}: the contract has no pools or licences, so there is nothing to size")
    if not scenario.uncertain():
        print(f"planner: note: no driver of {scenario.name!r} has a growth range, so all {args.draws:,} draws "
              "are the same and the amounts are the forecast's consumption", file=sys.stderr)
    fc = forecast(scenario, draws=args.draws, seed=args.seed, progress=say)
    say(f"simulated in {fc.seconds * 1000:.0f} ms")
    _warn_unbought(fc)
    table = fc.sizing(risk)
    if gate is not None:
        decimals = unit_decimals(scenario.tables)
        args.gate_failures = [f"{r.unit} year {r.year}: P(run out) {r.p_run_out:g} > {gate:g} with "
                              f"{cell(r.amount, decimals.get(r.unit, OTHER_DECIMALS))}; "
                              f"{cell(r.risk_amount, decimals.get(r.unit, OTHER_DECIMALS))} keeps it at or "
                              f"below {risk:g}" for r in table.itertuples() if r.p_run_out > gate]
    title = f"{scenario.name}: renewal sizing ({args.draws:,} draws, seed {args.seed}, risk {risk:g})"
    # the engine's reason codes for machines (JSON, CSV, XLSX), their sentences (note) for people too
    shown = sizing_with_notes(table, scenario.contract)
    return {"sizing": described(shown, title, units=_SIZING_UNITS, keys=("unit", "year"), hidden=("reasons",),
                             tables=scenario.tables)}, fc


def cmd_pools(args: argparse.Namespace, say: Callable[[str], None]):
    from planner.engine import forecast
    fc = forecast(scenario_from(args.file), progress=say)
    _warn_unbought(fc)
    return {"pools": _pool_table(fc)}, fc


def _in_registry_order(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    """Rows per scenario (as given) and period, then units and capabilities in the order of
    the registries (planner.units.UNITS, planner.sections.CAPABILITIES)."""
    from planner.sections import CAPABILITIES
    from planner.units import UNITS
    units, capabilities = list(UNITS), list(CAPABILITIES)
    rank = pd.DataFrame({period: frame[period]}, index=frame.index)
    if "scenario" in frame:
        rank.insert(0, "scenario", pd.factorize(frame["scenario"])[0])
    rank["unit"] = [units.index(u) if u in units else len(units) for u in frame["unit"]]
    if "capability" in frame:
        rank["capability"] = [capabilities.index(k) if k in capabilities else len(capabilities)
                              for k in zip(frame["unit"], frame["capability"])]
    return frame.loc[rank.sort_values(list(rank.columns), kind="stable").index].reset_index(drop=True)


def cmd_compare(args: argparse.Namespace, say: Callable[[str], None]):
    from planner.engine import compare, forecast
    if len(args.files) < 2:
        raise CLIError("compare needs at least two scenarios")
    forecasts = []
    for name in args.files:
        say(f"forecasting {name}")
        forecasts.append(forecast(scenario_from(name)))
        _warn_unbought(forecasts[-1])
    result = compare(*forecasts)
    t = forecasts[0].scenario.tables
    base = forecasts[0].scenario.name
    yearly = _in_registry_order(result["yearly"], "contract_year")
    values = dict.fromkeys(("value", "baseline_value", "delta"), ROW_UNIT)
    measures = ("consumption", "extra_needed")
    pool_units = {f"{p}{m}{d}": ROW_UNIT for m in measures for p, d in (("", ""), ("baseline_", ""), ("", "_delta"))}
    pool_units |= {f"{p}{m}{d}": MONEY for m in ("cost", "extra_cost_at_price")
                   for p, d in (("", ""), ("baseline_", ""), ("", "_delta"))}
    labels = {"value": "scenario", "baseline_value": "baseline", "delta": "Δ", "contract_year": "year",
              "consumption_delta": "Δ consumption", "cost_delta": "Δ cost", "extra_needed": "extra needed",
              "extra_needed_delta": "Δ extra needed", "extra_cost_at_price_delta": "Δ extra cost at price"}
    shown = {"labels": labels, "signed": tuple(c for c in labels if c.endswith("delta")), "tables": t}
    tables = {
        "consumption": described(yearly, f"consumption per contract year and capability against {base}",
                              units=values, keys=("contract_year", "unit", "capability"),
                              hidden=("baseline",), group="scenario", **shown),
        "pools": described(result["pools"], f"pools per contract year against {base}: change in consumption "
                        "and cost, extra units needed", units=pool_units, keys=("unit", "year"), group="scenario",
                        hidden=("baseline", "baseline_consumption", "cost", "baseline_cost", "baseline_extra_needed",
                                "extra_cost_at_price", "baseline_extra_cost_at_price",
                                "extra_cost_at_price_delta"),
                        empty="no pools: the contracts buy no annual pool and no licence", **shown),
        "first_exceeded": described(result["first_exceeded"], "first month a pool is exceeded (blank: never)",
                                 keys=("unit", "scenario"), empty="no pools: nothing can be exceeded", tables=t),
    }
    if args.period == "month":
        tables["monthly"] = described(result["monthly"], f"per month and unit against {base}", units=values,
                                   keys=("unit", "month"), hidden=("baseline",), group="scenario", **shown)
    return tables, forecasts[-1]


def cmd_hosts(args: argparse.Namespace, say: Callable[[str], None]):
    from planner.scenario import read_inventory
    from planner.sections import inventory_amounts, inventory_totals
    from planner.tableset import load_tables
    tables = load_tables(args.tables)
    say("reading inventory")
    inv = read_inventory(args.inventory)
    for line in inv.attrs.get("notes", ()):     # extra columns: kept in the per-host table
        print(f"planner: note: {line}", file=sys.stderr)
    per_host = inventory_amounts(inv, tables)
    totals = inventory_totals(per_host)
    from planner.engine.readmodel import PER_HOST   # each column's unit, whose decimals it is shown with
    units = {column: unit or COUNT for column, unit in PER_HOST.items()}
    out = {"totals": described(totals, "totals by mode", units=units | {"hosts": COUNT}, keys=("mode",),
                            tables=tables)}
    if not args.totals_only:
        out = {"hosts": described(per_host, "per host", units=units, keys=("host",), tables=tables), **out}
    return out, None


def cmd_tables(args: argparse.Namespace, say: Callable[[str], None]):
    from planner.tableset import load_tables
    t = load_tables(args.tables)
    rows = [{"table": name, **{k: v for k, v in t.provenance[name].items() if k in
                               ("source", "section", "effective")}} for name in t.provenance]
    rules = pd.DataFrame([{"rule": k, "value": str(v["value"]), "unit": v.get("unit", ""),
                           "source": v["source"], "ruling": v.get("ruling", "")} for k, v in t.rules.items()])
    out = {"tables": described(pd.DataFrame(rows), f"table set {t.path}", keys=("table",), tables=t)}
    # the weights themselves, one table each, titled with its source
    weights = {name: t[name] for name in ("host_units", "included_custom_metrics", "asu_weights")}
    weights.update({name: frame.drop(columns=["table", "source"]).reset_index(drop=True)
                    for name, frame in t.weights().groupby("table", sort=False)})
    for name, frame in weights.items():
        out[name] = described(frame.copy(), f"weights: {name}, from {t.provenance[name]['source']}", tables=t)
    if "dps_rate_card" in t.frames:   # a set copied before DPS pricing has none
        card = t["dps_rate_card"][["unit", "capability", "unit_of_measure", "price", "price_per", "price_status",
                                   "price_date", "doc_url", "read"]]
        out["dps_rate_card"] = described(card.copy(), "DPS rate card (price per price_per units; price_status: "
                                         "docs/rules.md#dps-prices)", keys=("unit",), units={"price": PRICE},
                                         tables=t)
    out["rules"] = described(rules, "rule constants", keys=("rule",), tables=t)
    return out, None


def cmd_support(args: argparse.Namespace, say: Callable[[str], None]):
    """Initial-response deadlines of a ticket and end-of-support dates of a version, computed
    by planner.support (Dynatrace Support Policy, effective 2024-01-04)."""
    from planner import support
    from planner.tableset import load_tables
    t = load_tables(args.tables)
    if args.opened is None and args.released is None:
        raise CLIError("support needs --opened (a ticket's initial-response deadline) or --released "
                       "(a version's end of support), or both")
    out = {}
    if args.opened is not None:
        if args.tz is None:
            raise CLIError("--opened needs --tz, the customer's IANA time zone (e.g. Europe/Vienna)")
        from planner.engine.readmodel import deadlines
        severity = None if args.severity is None else [  # "2" on the command line is severity 2
            int(args.severity) if args.severity.strip().isdigit() else args.severity]
        # --government alone: the government plan's deadlines (the window applies to that plan only)
        plans = [args.plan] if args.plan is not None else [support.government_plan(t)] if args.government else None
        frame = deadlines(args.opened, tz=args.tz, severities=severity, plans=plans, country=args.country,
                          subdiv=args.subdiv, closures=args.closure, government=args.government, tables=t)
        rows = frame[["plan", "severity", "name", "target", "deadline"]]
        where = ", ".join(filter(None, [args.tz, args.country, args.subdiv] + ["government window"]
                                 * args.government))
        out["deadlines"] = described(pd.DataFrame(rows), f"initial-response deadlines of a ticket opened "
                                  f"{args.opened} ({where})", keys=("plan", "severity"), tables=t)
    if args.released is not None:
        from planner.engine.readmodel import end_of_support_rows
        rows = end_of_support_rows(args.released, product=args.product, plan=args.plan, tables=t)
        rows["end_of_support"] = [d.isoformat() for d in rows["end_of_support"]]
        out["end_of_support"] = described(pd.DataFrame(rows), f"end of support of a version released {args.released}",
                                       units={"months": COUNT}, keys=("product", "plan"), tables=t)
    return out, None


def cmd_import_dynatrace(args: argparse.Namespace, say: Callable[[str], None]):
    from planner.imports.baseline import import_dynatrace
    from planner.imports.dynatrace import DynatraceError, Secret
    value = os.environ.get(args.token_env, "").strip()
    if not value:
        raise CLIError(f"the environment variable {args.token_env} holds no API token; set it to a token "
                       "with the scopes entities.read and metrics.read (and oneAgents.read for the "
                       "host-unit cross-check)")
    token = Secret(value)
    try:
        baseline = import_dynatrace(args.url, token, args.out, months=args.months, to=args.to,
                                    ca_bundle=args.ca_bundle, force=args.force_out, progress=say)
    except (DynatraceError, ValueError, OSError) as exc:
        raise CLIError(token.redact(str(exc))) from None
    except Exception as exc:  # whatever it is, never with the token in it
        raise CLIError(token.redact(f"unexpected {type(exc).__name__}: {exc}")) from None
    return _import_tables(baseline, args.out), None


def cmd_import_files(args: argparse.Namespace, say: Callable[[str], None]):
    from planner.imports.baseline import import_files
    baseline = import_files(args.hosts, args.metrics, args.out, oneagents_json=args.oneagents,
                            months=args.months, to=args.to, force=args.force_out, progress=say)
    return _import_tables(baseline, args.out), None


#: Units of the import summary's number columns (so that they print with their unit's decimals).
_IMPORT_UNITS = {"rows": COUNT, "months": COUNT, "hosts": COUNT, "days_without_data": COUNT,
                 "host_unit_hours": "host_unit_hours", "peak_host_units": "host_units",
                 "planner_host_units": "host_units", "dynatrace_host_units": "host_units", "difference": "host_units",
                 "ram_gib": "GiB"}


def _import_tables(baseline, out: str) -> dict[str, pd.DataFrame]:
    written = pd.DataFrame([(str(Path(out) / f), rows) for f, rows in baseline.written], columns=["file", "rows"])
    tables = {f"imported {baseline.months[0]} to {baseline.months[-1]}": written, **baseline.summary()}
    if baseline.notes:
        tables["notes"] = pd.DataFrame({"note": baseline.notes})
    for name, frame in tables.items():
        units = {c: _IMPORT_UNITS.get(c, ROW_UNIT if "unit" in frame.columns else None) for c in frame.columns
                 if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])}
        described(frame, name, units={c: u for c, u in units.items() if u})
    return tables


def cmd_backtest(args: argparse.Namespace, say: Callable[[str], None]):
    from planner.imports.backtest import backtest, read_actuals, summary
    scenario = scenario_from(args.file)
    say("running the model over the past months")
    table = backtest(scenario, read_actuals(args.actuals))
    shown = table.assign(month=table["month"].astype(str))
    units = {"modelled": ROW_UNIT, "actual": ROW_UNIT, "error_pct": PCT, "mean_abs_error_pct": PCT, "months": COUNT}
    title = "modelled versus actual per unit and month (error in %)"
    return {title: described(shown, title, units=units, keys=("month", "unit")),
            "summary per unit": described(summary(table), "summary per unit", units=units, keys=("unit",))}, None


