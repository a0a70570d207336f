"""How the command line writes its tables: a text table, CSV, JSON, Markdown or XLSX.

Commands return named tables, ``{name: DataFrame}``. The name is what ``--table``
selects and what names a JSON key or an XLSX sheet. :func:`described` attaches how
a frame is shown (``frame.attrs``): its title, the unit of each numeric column,
the columns that identify a row, and the text shown when it has no rows. Numbers
keep their unit's decimals in every format (:func:`planner.units.decimals`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from planner._lazy import lazy
from planner._numbers import number
from planner.units import decimals as unit_decimals

# imported at their first use: planner --help and --version need neither
np = lazy("numpy")
pd = lazy("pandas")

FORMATS = ("table", "csv", "json", "markdown", "xlsx")


class CLIError(Exception):
    """A user-facing error: printed as one line."""


#: Extension of --output -> format (the format follows the extension unless --format is given).
EXTENSIONS = {".txt": "table", ".csv": "csv", ".json": "json", ".md": "markdown", ".xlsx": "xlsx"}
#: Widest line of a text table [characters]; wider tables are transposed or split.
WIDTH = 120
_CELL_WIDTH = 60           # longer text cells wrap onto more lines
ROW_UNIT = "@unit"        # a column whose unit is the row's "unit" column
MONEY, COUNT, PCT = "@money", "@count", "@pct"
SHARE, PRICE = "@share", "@price"   # fractions (chances, discounts); prices per unit, which can be tiny
MONEY_DECIMALS = 2        # currency amounts: cents
OTHER_DECIMALS = 2        # a column whose unit is not known

def described(frame: pd.DataFrame, title: str | None = None, *, units: dict[str, str] | None = None,
           keys: tuple[str, ...] = (), empty: str = "(no rows)", transpose: bool = False,
           hidden: tuple[str, ...] = (), labels: dict[str, str] | None = None, group: str | None = None,
           signed: tuple[str, ...] = (), tables: Any = None) -> pd.DataFrame:
    """Attach how a table is shown (see the comment above) and return it. For people, ``hidden``
    columns are left out and rows are shown in one block per value of the ``group`` column."""
    frame.attrs.update(title=title, units=units or {}, keys=keys, empty=empty, transpose=transpose,
                       hidden=hidden, labels=labels or {}, group=group, signed=signed,
                       # errors in % get 4 decimals: a backtest's are often below 0.01 %
                       decimals={**unit_decimals(tables), MONEY: MONEY_DECIMALS, COUNT: 0, PCT: 4, SHARE: 4,
                                 PRICE: 9})
    return frame


def _decimals_of(frame: pd.DataFrame, column: str, data: pd.DataFrame | None = None) -> list[int | None]:
    """Decimals of each cell of a numeric column; None: no fixed convention. ``data``: the
    frame's columns without its attrs (:func:`_plain`), to read them from."""
    kind = frame.attrs.get("units", {}).get(column)
    decimals = frame.attrs.get("decimals") or unit_decimals()
    if kind is None:
        return [None] * len(frame)
    if kind == ROW_UNIT:
        return [decimals.get(u, OTHER_DECIMALS) for u in (frame if data is None else data)["unit"]]
    return [decimals.get(kind, OTHER_DECIMALS)] * len(frame)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's columns without its attrs: pandas deep-copies a frame's attrs into every
    column read (``__finalize__``), which made the text of a table cost milliseconds."""
    return pd.DataFrame(frame, copy=False)


def cell(value: Any, decimals: int | None, signed: bool = False) -> str:
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
    data = _plain(frame)
    columns = [c for c in frame.columns if c not in frame.attrs.get("hidden", ())]
    headers = [frame.attrs.get("labels", {}).get(c, str(c)) for c in columns]
    cells = [[cell(v, d, c in frame.attrs.get("signed", ())) for v, d in zip(data[c], _decimals_of(frame, c, data))]
             for c in columns]
    if "capability" in columns and "unit" in frame.columns:   # people read the registry's labels
        from planner.sections import capability_label
        cells[columns.index("capability")] = [capability_label(u, k) for u, k in zip(data["unit"], data["capability"])]
    return headers, cells, [_is_number(data[c]) for c in columns]


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
            out[column] = pd.Series([None if pd.isna(v) else cell(v, None).replace(" ", "T")
                                     if v.tzinfo else cell(v, None) for v in out[column]],
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
           table: str | None = None, about: Any = None) -> str | None:
    """Render named tables in a format; write to ``output`` or return the text. ``about``
    (a workbook's About sheet: (label, value) rows and the currency) is for XLSX."""
    tables = _select(tables, fmt, table)
    if fmt == "xlsx":
        from planner.cli.workbook import write_workbook
        if not output:
            raise CLIError("--format xlsx needs --output FILE.xlsx (a workbook is not printable)")
        _refuse_overwrite(output, force)
        used = {"About"}   # the workbook's last sheet
        rows, currency = about or ([], None)
        write_workbook(tables, output, [_sheet_name(name, used) for name in tables], rows, currency)
        return None
    if fmt == "json":
        text = json.dumps({name: _for_text_files(frame).to_dict(orient="records")
                           for name, frame in tables.items()}, indent=2, default=_json_value, allow_nan=False)
    elif fmt == "csv":
        from planner.export import text_safe
        text = next(text_safe(_for_text_files(frame)).to_csv(index=False) for frame in tables.values()).rstrip("\n")
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
