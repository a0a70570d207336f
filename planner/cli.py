"""The ``planner`` command line::

    planner forecast [FILE]           consumption per contract year and unit, pool status
    planner forecast FILE --period month --by capability --table consumption -o f.csv
    planner compare A B [C ...]       scenarios side by side, deltas to the first
    planner pools [FILE]              pools per contract year: balance, run-out, extra needed
    planner size [FILE] --risk 0.1    renewal sizing: chance of running out, what to commit to
    planner hosts INVENTORY.csv       host units and included metrics per host, totals by mode
    planner tables                    the rate card in use and where each table comes from
    planner import dynatrace --url URL --out DIR    a baseline from an environment (token in $DT_API_TOKEN)
    planner import files --hosts H.json --metrics M.csv --out DIR    the same from exported files
    planner backtest DIR/scenario.yaml DIR/actuals.csv    the model over past months against actuals
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
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from planner.units import decimals as unit_decimals

from planner._numbers import number

FORMATS = ("table", "csv", "json", "markdown", "xlsx")
EXIT_ERROR, EXIT_OVERRUN = 2, 3


class CLIError(Exception):
    """A user-facing error: printed as one line."""


# --- rendering ---------------------------------------------------------------------------
#
# Commands return named tables: {name: DataFrame}. The name is what --table selects and what
# names a JSON key or an XLSX sheet. _table() attaches how to show a frame (frame.attrs):
# its title, the unit of each numeric column, the columns that identify a row, and the text
# shown when it has no rows. Numbers keep their unit's decimals in every format (planner.units.decimals).

#: Extension of --output -> format (the format follows the extension unless --format is given).
EXTENSIONS = {".txt": "table", ".csv": "csv", ".json": "json", ".md": "markdown", ".xlsx": "xlsx"}
#: Widest line of a text table [characters]; wider tables are transposed or split.
WIDTH = 120
_CELL_WIDTH = 60           # longer text cells wrap onto more lines
_ROW_UNIT = "@unit"        # a column whose unit is the row's "unit" column
_MONEY, _COUNT = "@money", "@count"
_MONEY_DECIMALS = 2        # currency amounts: cents
_OTHER_DECIMALS = 2        # a column whose unit is not known

def _table(frame: pd.DataFrame, title: str | None = None, *, units: dict[str, str] | None = None,
           keys: tuple[str, ...] = (), empty: str = "(no rows)", transpose: bool = False,
           hidden: tuple[str, ...] = (), labels: dict[str, str] | None = None, group: str | None = None,
           signed: tuple[str, ...] = (), tables: Any = None) -> pd.DataFrame:
    """Attach how a table is shown (see the comment above) and return it. For people, ``hidden``
    columns are left out and rows are shown in one block per value of the ``group`` column."""
    frame.attrs.update(title=title, units=units or {}, keys=keys, empty=empty, transpose=transpose,
                       hidden=hidden, labels=labels or {}, group=group, signed=signed,
                       decimals={**unit_decimals(tables), _MONEY: _MONEY_DECIMALS, _COUNT: 0})
    return frame


def _decimals_of(frame: pd.DataFrame, column: str) -> list[int | None]:
    """Decimals of each cell of a numeric column; None: no fixed convention."""
    kind = frame.attrs.get("units", {}).get(column)
    decimals = frame.attrs.get("decimals") or unit_decimals()
    if kind is None:
        return [None] * len(frame)
    if kind == _ROW_UNIT:
        return [decimals.get(u, _OTHER_DECIMALS) for u in frame["unit"]]
    return [decimals.get(kind, _OTHER_DECIMALS)] * len(frame)


def _cell(value: Any, decimals: int | None, signed: bool = False) -> str:
    """One value as text: numbers as the dashboards write them (:func:`planner._numbers.number`)
    with their unit's fixed decimals, ``+`` on a positive change when ``signed``; missing is blank."""
    if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, float, np.integer, np.floating)):
        if decimals is None:   # no unit: at least 3 decimals, more where a weight has them (0.0005)
            exact = np.format_float_positional(abs(float(value)), precision=10, trim="-").partition(".")[2]
            places = 0 if float(value).is_integer() else max(3, len(exact))
            return number(value, places, signed=signed, trim=True)
        return number(value, decimals, signed=signed)
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ") if (value.tzinfo or value != value.normalize()) else str(value.date())
    return str(value)


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _shown(frame: pd.DataFrame) -> tuple[list[str], list[list[str]], list[bool]]:
    """Headers, cells (column by column) and right-alignment of a table for people."""
    columns = [c for c in frame.columns if c not in frame.attrs.get("hidden", ())]
    headers = [frame.attrs.get("labels", {}).get(c, str(c)) for c in columns]
    cells = [[_cell(v, d, c in frame.attrs.get("signed", ())) for v, d in zip(frame[c], _decimals_of(frame, c))]
             for c in columns]
    if "capability" in columns and "unit" in frame.columns:   # people read the registry's labels
        from planner.sections import capability_label
        cells[columns.index("capability")] = [capability_label(u, k) for u, k in zip(frame["unit"], frame["capability"])]
    return headers, cells, [_is_number(frame[c]) for c in columns]


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers rounded to their unit's decimals, periods as text: for machine formats."""
    out = frame.copy()
    for column in out.columns:
        if _is_number(out[column]) and column in frame.attrs.get("units", {}):
            out[column] = pd.Series([None if pd.isna(v) else float(v) if d is None else round(float(v), d) if d
                                     else int(round(float(v))) for v, d in zip(out[column], _decimals_of(frame, column))],
                                    index=out.index, dtype=object)
        elif isinstance(out[column].dtype, pd.PeriodDtype):
            out[column] = out[column].astype("string")
    return out


def _for_text_files(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO text (YYYY-MM-DD, or with time and offset), missing as None (CSV, JSON)."""
    out = _rounded(frame)
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]) and out[column].isna().any():
            out[column] = pd.Series([None if pd.isna(v) else float(v) for v in out[column]], index=out.index,
                                    dtype=object)
        elif pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = pd.Series([None if pd.isna(v) else _cell(v, None).replace(" ", "T")
                                     if v.tzinfo else _cell(v, None) for v in out[column]],
                                    index=out.index, dtype=object)
        elif not pd.api.types.is_numeric_dtype(out[column]) and out[column].isna().any():
            # text columns with a missing value (an LPAR never over its licence): None, not NaN
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def _blocks(frame: pd.DataFrame, show: Callable[[pd.DataFrame], str], heading: str) -> str:
    """Show a table, in one block per value of its ``group`` column if it has one."""
    group = frame.attrs.get("group")
    if not group or frame.empty:
        return show(frame)
    parts = []
    for value, rows in frame.groupby(group, sort=False):
        rows = rows.reset_index(drop=True)
        rows.attrs = {**frame.attrs, "hidden": (*frame.attrs.get("hidden", ()), group)}
        parts.append(f"{heading}{frame.attrs.get('labels', {}).get(group, group)}: {value}\n\n{show(rows)}")
    return "\n\n".join(parts)


def _text_table(frame: pd.DataFrame) -> str:
    """A plain-text table at most WIDTH characters wide: transposed when marked so, else its
    columns are split into blocks that repeat the key columns."""
    if frame.empty:
        return frame.attrs.get("empty", "(no rows)")
    headers, cells, right = _shown(frame)
    columns = [c for c in frame.columns if c not in frame.attrs.get("hidden", ())]
    keys = [i for i, c in enumerate(columns) if c in frame.attrs.get("keys", ())] or [0]
    if _width(headers, cells) > WIDTH and frame.attrs.get("transpose"):   # rows become columns
        rest = [i for i in range(len(headers)) if i not in keys]
        names = [" ".join(cells[k][r] for k in keys) for r in range(len(frame))]
        headers, cells = ([" ".join(headers[k] for k in keys)] + names,
                          [[headers[i] for i in rest]] + [[cells[i][r] for i in rest] for r in range(len(names))])
        right, keys = [False] + [True] * len(names), [0]
    blocks, block = [], []
    for i in (i for i in range(len(headers)) if i not in keys):
        if block and _width(*_pick(headers, cells, keys + block + [i])) > WIDTH:
            blocks.append(block)
            block = []
        block.append(i)
    blocks.append(block)
    return "\n\n".join(_lines(*_pick(headers, cells, keys + b), [right[i] for i in keys + b])
                       for b in blocks)


def _pick(headers: list[str], cells: list[list[str]], which: list[int]) -> tuple[list[str], list[list[str]]]:
    return [headers[i] for i in which], [cells[i] for i in which]


def _wrapped(text: str) -> list[str]:
    import textwrap
    return textwrap.wrap(text, _CELL_WIDTH) or [""] if len(text) > _CELL_WIDTH else [text]


def _width(headers: list[str], cells: list[list[str]]) -> int:
    widths = [max([len(h)] + [min(len(v), _CELL_WIDTH) for v in column]) for h, column in zip(headers, cells)]
    return sum(widths) + 2 * (len(widths) - 1)


def _lines(headers: list[str], cells: list[list[str]], right: list[bool]) -> str:
    widths = [max([len(h)] + [min(len(v), _CELL_WIDTH) for v in column]) for h, column in zip(headers, cells)]

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right)).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    for row in zip(*cells):
        parts = [_wrapped(v) for v in row]
        for k in range(max(len(p) for p in parts)):
            out.append(line([p[k] if k < len(p) else "" for p in parts]))
    return "\n".join(out)


def _markdown(frame: pd.DataFrame) -> str:
    if frame.empty:
        return frame.attrs.get("empty", "(no rows)")
    headers, cells, right = _shown(frame)
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    lines += ["| " + " | ".join(v.replace("|", "\\|") for v in row) + " |" for row in zip(*cells)]
    return "\n".join(lines)


def _title(name: str, frame: pd.DataFrame) -> str:
    return frame.attrs.get("title") or name


def _wrapped_title(name: str, frame: pd.DataFrame) -> str:
    import textwrap
    return "\n".join(textwrap.wrap(_title(name, frame), WIDTH))


def output_format(fmt: str | None, output: str | None) -> str:
    """The format to write: --format, else the extension of --output, else a text table."""
    if output:
        suffix = Path(output).suffix.lower()
        implied = EXTENSIONS.get(suffix)
        if fmt and implied and implied != fmt:
            raise CLIError(f"--format {fmt} contradicts --output {output} (a {suffix} file is {implied}); "
                           f"drop --format or use an --output ending in {_suffix(fmt)}")
        if not fmt and not implied:
            raise CLIError(f"cannot tell the format of --output {output} from its extension "
                           f"{suffix or '(none)'}; use one of {', '.join(EXTENSIONS)} or give --format "
                           f"({', '.join(FORMATS)})")
        return fmt or implied
    return fmt or "table"


def _suffix(fmt: str) -> str:
    return next(s for s, f in EXTENSIONS.items() if f == fmt)


def _select(tables: dict[str, pd.DataFrame], fmt: str, table: str | None) -> dict[str, pd.DataFrame]:
    """The tables to write: the one --table names, or all (a CSV file holds exactly one)."""
    if table is not None:
        if table not in tables:
            raise CLIError(f"--table must be one of {', '.join(tables)}; got {table!r}")
        return {table: tables[table]}
    if fmt == "csv" and len(tables) > 1:
        raise CLIError(f"a CSV holds one table and this command gives {len(tables)}: choose one with "
                       f"--table {' | '.join(tables)}")
    return tables


def render(tables: dict[str, pd.DataFrame], fmt: str, output: str | None, force: bool,
           table: str | None = None) -> str | None:
    """Render named tables in a format; write to ``output`` or return the text."""
    tables = _select(tables, fmt, table)
    if fmt == "xlsx":
        from planner.export import exportable
        if not output:
            raise CLIError("--format xlsx needs --output FILE.xlsx (a workbook is not printable)")
        _refuse_overwrite(output, force)
        with pd.ExcelWriter(output, engine="openpyxl") as writer:
            used: set[str] = set()
            for name, frame in tables.items():
                exportable(_rounded(frame)).to_excel(writer, sheet_name=_sheet_name(name, used), index=False)
        return None
    if fmt == "json":
        text = json.dumps({name: _for_text_files(frame).to_dict(orient="records")
                           for name, frame in tables.items()}, indent=2, default=_json_value, allow_nan=False)
    elif fmt == "csv":
        text = next(_for_text_files(frame).to_csv(index=False) for frame in tables.values()).rstrip("\n")
    elif fmt == "markdown":
        text = "\n\n".join(f"### {_title(n, f)}\n\n{_blocks(f, _markdown, '#### ')}" for n, f in tables.items())
    else:
        text = "\n\n".join(f"{_wrapped_title(n, f)}\n{'=' * min(len(_title(n, f)), WIDTH)}\n"
                           f"{_blocks(f, _text_table, '')}" for n, f in tables.items())
    if output:
        _refuse_overwrite(output, force)
        Path(output).write_text(text + "\n", encoding="utf-8")
        return None
    return text


def _json_value(value: Any) -> Any:
    """numpy scalars and missing values as JSON (NaN and NaT are null)."""
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    return str(value)


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


def _period_table(fc, period: str, by: str) -> pd.DataFrame:
    from planner.units import UNITS
    group = ("unit",) if by == "unit" else ("unit", by)
    table = fc.monthly(group) if period == "month" else fc.yearly(group)
    name = "contract year" if period == "year" else "month"
    title = f"{fc.scenario.name}: consumption per {name}" + ("" if by == "unit" else f" and {by}")
    if by == "unit":   # one column per unit; people read the unit's name, files its key
        units = {u: u for u in table.columns}
        table = table.reset_index()
        return _table(table, title, units=units, keys=(table.columns[0],), transpose=period == "year",
                      labels={u: UNITS[u].label for u in units}, tables=fc.scenario.tables)
    return _table(_in_registry_order(table, table.columns[0]), title, units={"value": _ROW_UNIT},
                  keys=(table.columns[0],), tables=fc.scenario.tables)


_POOL_UNITS = {c: _ROW_UNIT for c in ("amount", "consumption", "remaining", "extra_needed")} | {
    c: _MONEY for c in ("amount_cost", "consumption_cost", "extra_needed_cost")} | {"days_covered": _COUNT}


def _pool_table(fc) -> pd.DataFrame:
    return _table(fc.pools(), "pools per contract year", units=_POOL_UNITS, keys=("unit", "year"),
                  empty="no pools: the contract buys no annual pool and no licence", tables=fc.scenario.tables)


def _overruns(fc) -> list[str]:
    """The read model's run-outs (:func:`planner.engine.readmodel.run_outs`) in the words of
    :func:`planner.explain.run_out_sentence`, numbers with their unit's decimals."""
    from planner.explain import run_out_sentence
    from planner.engine.readmodel import run_outs
    decimals = unit_decimals(fc.scenario.tables)

    def quantity(value: float, unit: str) -> str:
        from planner.units import UNITS
        return f"{_cell(value, decimals.get(unit, _OTHER_DECIMALS))} {UNITS[unit].symbol}"

    return [run_out_sentence(r, quantity, lambda day: str(day.date()), str) for r in run_outs(fc)]


def cmd_forecast(args: argparse.Namespace, say: Callable[[str], None]) -> tuple[dict[str, pd.DataFrame], Any]:
    from planner.engine import forecast
    say("loading scenario")
    scenario = _scenario(args.file)
    if args.draws and not scenario.uncertain():
        print(f"planner: note: no driver of {scenario.name!r} has a growth range, so all {args.draws:,} "
              "draws are the same (the bands are the forecast)", file=sys.stderr)
    fc = forecast(scenario, draws=args.draws, seed=args.seed, progress=say)
    say(f"simulated in {fc.seconds * 1000:.0f} ms")
    tables = {"consumption": _period_table(fc, args.period, args.by), "pools": _pool_table(fc)}
    if fc.bands is not None:
        tables["bands"] = _table(fc.bands.copy(), f"Monte Carlo bands ({args.draws} draws, seed {args.seed})",
                                 units=dict.fromkeys(("p10", "p50", "p90"), _ROW_UNIT), keys=("month", "unit"),
                                 tables=scenario.tables)
    if scenario.drivers_of("mainframe"):
        msu = fc.mainframe()
        if args.period == "year":   # each LPAR's verdict over the horizon (planner.engine.readmodel.lpar_verdicts)
            from planner.engine.readmodel import lpar_verdicts
            msu = pd.DataFrame([{"driver": p.name, "highest_month_peak_msu": p.peak_msu,
                                 "licensed_msu": p.licensed_msu, "months_over_licence": p.months_over,
                                 "first_month_over": None if p.first_month_over is None else str(p.first_month_over)}
                                for p in lpar_verdicts(fc)])
        tables["mainframe"] = _table(
            msu, "mainframe MSU per LPAR (peak 4-hour rolling average per month)", keys=("driver",),
            units={"peak_msu": "msu", "highest_month_peak_msu": "msu", "licensed_msu": "msu",
                   "months_over_licence": _COUNT}, tables=scenario.tables)
    return tables, fc


_SIZING_UNITS = {c: _ROW_UNIT for c in ("amount", "top_ups", "p10", "p50", "p90", "expected_extra", "optimal_amount",
                                          "risk_amount")} | {
    c: _MONEY for c in ("expected_overage_cost", "cost_at_amount", "cost_at_optimal", "cost_at_risk")}


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
    scenario = _scenario(args.file)
    if not scenario.contract.pools and not scenario.contract.licences:
        raise CLIError(f"{scenario.name}: the contract has no pools or licences, so there is nothing to size")
    if not scenario.uncertain():
        print(f"planner: note: no driver of {scenario.name!r} has a growth range, so all {args.draws:,} draws "
              "are the same and the amounts are the forecast's consumption", file=sys.stderr)
    fc = forecast(scenario, draws=args.draws, seed=args.seed, progress=say)
    say(f"simulated in {fc.seconds * 1000:.0f} ms")
    table = fc.sizing(risk)
    if gate is not None:
        decimals = unit_decimals(scenario.tables)
        args.gate_failures = [f"{r.unit} year {r.year}: P(run out) {r.p_run_out:g} > {gate:g} with "
                              f"{_cell(r.amount, decimals.get(r.unit, _OTHER_DECIMALS))}; "
                              f"{_cell(r.risk_amount, decimals.get(r.unit, _OTHER_DECIMALS))} keeps it at or "
                              f"below {risk:g}" for r in table.itertuples() if r.p_run_out > gate]
    title = f"{scenario.name}: renewal sizing ({args.draws:,} draws, seed {args.seed}, risk {risk:g})"
    # the engine's reason codes for machines (JSON, CSV, XLSX), their sentences (note) for people too
    shown = sizing_with_notes(table, scenario.contract)
    return {"sizing": _table(shown, title, units=_SIZING_UNITS, keys=("unit", "year"), hidden=("reasons",),
                             tables=scenario.tables)}, fc


def cmd_pools(args: argparse.Namespace, say: Callable[[str], None]):
    from planner.engine import forecast
    fc = forecast(_scenario(args.file), progress=say)
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
        forecasts.append(forecast(_scenario(name)))
    result = compare(*forecasts)
    t = forecasts[0].scenario.tables
    base = forecasts[0].scenario.name
    yearly = _in_registry_order(result["yearly"], "contract_year")
    values = dict.fromkeys(("value", "baseline_value", "delta"), _ROW_UNIT)
    measures = ("consumption", "extra_needed")
    pool_units = {f"{p}{m}{d}": _ROW_UNIT for m in measures for p, d in (("", ""), ("baseline_", ""), ("", "_delta"))}
    pool_units |= {f"{p}{m}{d}": _MONEY for m in ("cost", "extra_cost") for p, d in (("", ""), ("baseline_", ""),
                                                                                   ("", "_delta"))}
    labels = {"value": "scenario", "baseline_value": "baseline", "delta": "Δ", "contract_year": "year",
              "consumption_delta": "Δ consumption", "cost_delta": "Δ cost", "extra_needed": "extra needed",
              "extra_needed_delta": "Δ extra needed", "extra_cost_delta": "Δ extra cost"}
    shown = {"labels": labels, "signed": tuple(c for c in labels if c.endswith("delta")), "tables": t}
    tables = {
        "consumption": _table(yearly, f"consumption per contract year and capability against {base}",
                              units=values, keys=("contract_year", "unit", "capability"),
                              hidden=("baseline",), group="scenario", **shown),
        "pools": _table(result["pools"], f"pools per contract year against {base}: change in consumption "
                        "and cost, extra units needed", units=pool_units, keys=("unit", "year"), group="scenario",
                        hidden=("baseline", "baseline_consumption", "cost", "baseline_cost", "baseline_extra_needed",
                                "extra_cost", "baseline_extra_cost", "extra_cost_delta"),
                        empty="no pools: the contracts buy no annual pool and no licence", **shown),
        "first_exceeded": _table(result["first_exceeded"], "first month a pool is exceeded (blank: never)",
                                 keys=("unit", "scenario"), empty="no pools: nothing can be exceeded", tables=t),
    }
    if args.period == "month":
        tables["monthly"] = _table(result["monthly"], f"per month and unit against {base}", units=values,
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
    units = {column: unit or _COUNT for column, unit in PER_HOST.items()}
    out = {"totals": _table(totals, "totals by mode", units=units | {"hosts": _COUNT}, keys=("mode",),
                            tables=tables)}
    if not args.totals_only:
        out = {"hosts": _table(per_host, "per host", units=units, keys=("host",), tables=tables), **out}
    return out, None


def cmd_tables(args: argparse.Namespace, say: Callable[[str], None]):
    from planner.tableset import load_tables
    t = load_tables(args.tables)
    rows = [{"table": name, **{k: v for k, v in t.provenance[name].items() if k in
                               ("source", "section", "effective")}} for name in t.provenance]
    rules = pd.DataFrame([{"rule": k, "value": str(v["value"]), "unit": v.get("unit", ""),
                           "source": v["source"], "ruling": v.get("ruling", "")} for k, v in t.rules.items()])
    out = {"tables": _table(pd.DataFrame(rows), f"table set {t.path}", keys=("table",), tables=t)}
    # the weights themselves, one table each, titled with its source
    weights = {name: t[name] for name in ("host_units", "included_custom_metrics", "asu_weights")}
    weights.update({name: frame.drop(columns=["table", "source"]).reset_index(drop=True)
                    for name, frame in t.weights().groupby("table", sort=False)})
    for name, frame in weights.items():
        out[name] = _table(frame.copy(), f"weights: {name}, from {t.provenance[name]['source']}", tables=t)
    out["rules"] = _table(rules, "rule constants", keys=("rule",), tables=t)
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
        out["deadlines"] = _table(pd.DataFrame(rows), f"initial-response deadlines of a ticket opened "
                                  f"{args.opened} ({where})", keys=("plan", "severity"), tables=t)
    if args.released is not None:
        from planner.engine.readmodel import end_of_support_rows
        rows = end_of_support_rows(args.released, product=args.product, plan=args.plan, tables=t)
        rows["end_of_support"] = [d.isoformat() for d in rows["end_of_support"]]
        out["end_of_support"] = _table(pd.DataFrame(rows), f"end of support of a version released {args.released}",
                                       units={"months": _COUNT}, keys=("product", "plan"), tables=t)
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


def _import_tables(baseline, out: str) -> dict[str, pd.DataFrame]:
    written = pd.DataFrame([(str(Path(out) / f), rows) for f, rows in baseline.written], columns=["file", "rows"])
    tables = {f"imported {baseline.months[0]} to {baseline.months[-1]}": written, **baseline.summary()}
    if baseline.notes:
        tables["notes"] = pd.DataFrame({"note": baseline.notes})
    return tables


def cmd_backtest(args: argparse.Namespace, say: Callable[[str], None]):
    from planner.imports.backtest import backtest, read_actuals, summary
    scenario = _scenario(args.file)
    say("running the model over the past months")
    table = backtest(scenario, read_actuals(args.actuals))
    shown = table.assign(month=table["month"].astype(str))
    return {"modelled versus actual per unit and month (error in %)": shown,
            "summary per unit": summary(table)}, None


# --- entry point -------------------------------------------------------------------------

def _help_text(doc: str) -> str:
    """A docstring as plain text for --help: no reStructuredText markup."""
    import re
    return re.sub(r"``(.+?)``", r"\1", doc).replace("::\n", ":\n")


def _parser() -> argparse.ArgumentParser:
    from planner import __version__
    doc = _help_text(__doc__)
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
    p.add_argument("--by", choices=("unit", "capability", "driver"), default="unit",
                   help="break consumption down by unit, capability or driver (default unit)")
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


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    began = time.perf_counter()

    def say(message: str) -> None:
        if getattr(args, "progress", False):
            print(f"[{time.perf_counter() - began:6.2f} s] {message}", file=sys.stderr, flush=True)

    try:
        fmt = output_format(args.format, args.output)
        tables, fc = args.run(args, say)
        text = render(tables, fmt, args.output, args.force, args.table)
        if text is not None:
            _print(text)
        elif args.output:
            say(f"wrote {args.output}")
        if getattr(args, "fail_on_overrun", False) and fc is not None:
            overruns = _overruns(fc)
            if overruns:
                print("planner: pools run out inside the horizon:\n  " + "\n  ".join(overruns), file=sys.stderr)
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
