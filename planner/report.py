"""A report that opens anywhere: one self-contained HTML file, offline, no server.

:func:`report_html` writes what the dashboards show for a scenario, and for
variants of it, into one file: consumption per month and capability, each
pool's burn-down, the pools and their run-out dates, renewal sizing, the
consumption and cost per cost center (and who drives an overrun), the
comparison with the variants, and the scenario file itself. plotly.js is inlined
(the dashboards' cartesian bundle, :func:`planner._assets.plotly_js`: every trace
type the figures use, a third of the full plotly.js), so the charts are interactive and
nothing is fetched from the network: the page has no external script, style,
font or image, and its Content-Security-Policy forbids any connection.

Every number comes from the engine (:func:`planner.engine.forecast`,
:meth:`~planner.engine.Forecast.monthly`, :meth:`~planner.engine.Forecast.pools`,
:meth:`~planner.engine.Forecast.sizing`, :func:`planner.engine.compare`); the
figures are the dashboards' own (:mod:`planner.ui.kit.figures`). This module
lays them out.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ReportInput", "report_html"]

_DAY_MS = 86_400_000


@dataclass(frozen=True)
class ReportInput:
    """A scenario for the report and the text of its file (shown as it is)."""

    scenario: Any
    text: str = ""


def report_html(base: ReportInput, variants: tuple[ReportInput, ...] = (), *, draws: int = 2000, seed: int = 0,
                risk: float = 0.1) -> str:
    """The report as one HTML document.

    Parameters
    ----------
    base : ReportInput
        The scenario the report is about.
    variants : tuple of ReportInput
        Scenarios compared with ``base`` (:func:`planner.engine.compare`).
    draws, seed : int
        Monte Carlo draws for the renewal sizing (0: no sizing section).
    risk : float
        Accepted chance of running out for the sizing's ``risk_amount``.
    """
    from planner.engine import compare, forecast
    dps = getattr(base.scenario.contract, "dps", False)
    fc = forecast(base.scenario, draws=0 if dps else draws, seed=seed)
    others = [forecast(v.scenario) for v in variants]
    sections = [_summary(fc, draws, seed, risk), _consumption(fc), _burndowns(fc), _pools(fc), _showback(fc)]
    contract = fc.scenario.contract
    if draws and getattr(contract, "dps", False):     # a commitment of money is sized per discount tier
        sections.append(("sizing", "<p>A DPS commitment is sized per discount tier: <code>planner size</code> "
                                   "gives it.</p>", []))
    elif draws and (contract.pools or contract.licences):
        sections.append(_sizing(fc, risk))
    if others:
        sections.append(_comparison(compare(fc, *others), fc.scenario))
    sections.append(_scenario_files(base, variants))
    return _page(fc.scenario.name, sections)


# --- sections ----------------------------------------------------------------------------------

_Section = tuple[str, str, list[tuple[str, dict[str, Any]]]]   # id, HTML, [(chart id, figure JSON)]


def _summary(fc: Any, draws: int, seed: int, risk: float) -> _Section:
    from planner import __version__
    s = fc.scenario
    rows = [("Scenario", s.name), ("Currency", s.currency or "(none given)"),
            ("Horizon", f"{s.start.date()} to {s.end.date()} ({s.months} months)"),
            ("Contract", f"from {s.contract.start.date()}, {s.contract.term_years} year(s)"),
            ("Table set", str(getattr(s.tables, "path", "planner.tables"))),
            ("Renewal sizing", f"{draws:,} Monte Carlo draws, seed {seed}, accepted risk {risk:g}" if draws
             else "not run (no draws)"),
            ("Planner version", __version__),
            ("Created", dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))]
    body = (f"<p>{html.escape(s.description)}</p>" if s.description else "") + _kv(rows)
    return "summary", body, []


def _consumption(fc: Any) -> _Section:
    from planner.sections import capability_label
    from planner.ui.kit import figures
    from planner.units import UNITS
    monthly = fc.monthly(("unit", "capability"))
    charts, parts = [], []
    for unit in (u for u in UNITS if u in set(monthly["unit"])):
        wide = monthly[monthly["unit"] == unit].pivot_table(index="month", columns="capability", values="value",
                                                             aggfunc="sum", sort=False).fillna(0.0)
        fig = figures.stacked_bars(wide, title=f"{UNITS[unit].name} per month and capability", unit=unit,
                                   names={c: capability_label(unit, c) for c in wide.columns})
        charts.append((f"consumption-{unit}", _compact(fig)))
        parts.append(_chart_div(f"consumption-{unit}"))
    return "consumption", "".join(parts), charts


def _burndowns(fc: Any) -> _Section:
    from planner.ui.kit import figures
    pools = fc.pools()
    charts, parts = [], []
    for unit in fc.scenario.contract.pools:
        run_outs = pools.loc[(pools["unit"] == unit) & pools["run_out"].notna(), "run_out"].tolist()
        fig = figures.burndown(fc.pool_balance(unit), unit, run_outs=run_outs)
        charts.append((f"burndown-{unit}", _compact(fig)))
        parts.append(_chart_div(f"burndown-{unit}"))
    if not parts:
        parts.append("<p>The contract buys no annual pool.</p>")
    return "burn-down", "".join(parts), charts


def _pools(fc: Any) -> _Section:
    table = fc.pools()
    if table.empty:
        return "pools", "<p>The contract buys no annual pool and no licence.</p>", []
    currency = fc.scenario.currency
    columns = {"unit": "Pool", "year": "Year", "start": "From", "end": "To", "amount": "Amount",
               "consumption": "Consumption", "remaining": "Remaining", "run_out": "Runs out",
               "extra_needed": "Extra needed", "consumption_cost": f"Consumption cost{_in(currency)}",
               "extra_needed_cost": f"Extra cost{_in(currency)}"}
    return "pools", _table(table, columns, fc.scenario.tables, money=("consumption_cost", "extra_needed_cost")), []


def _showback(fc: Any) -> _Section:
    from planner.engine.showback import overrun_attribution
    currency = fc.scenario.currency
    table = fc.breakdown("cost_center")
    body = _table(table, {"contract_year": "Year", "unit": "Unit", "cost_center": "Cost center",
                          "consumption": "Consumption", "cost": f"Cost{_in(currency)}"},
                  fc.scenario.tables, money=("cost",))
    overrun = overrun_attribution(fc, "cost_center")
    if len(overrun):
        overrun = overrun.assign(grows_most=overrun["grows_most"].map({True: "grows most", False: ""}))
        body += ("<h3>Pools that run out: the overrun shared by consumption</h3>"
                 + _table(overrun, {"unit": "Pool", "year": "Year", "run_out": "Runs out",
                                    "cost_center": "Cost center", "share": "Share of the year's consumption",
                                    "overrun": "Share of the overrun", "growth": "Growth",
                                    "grows_most": ""}, fc.scenario.tables, share=("share",)))
    return "cost-centers", body, []


def _sizing(fc: Any, risk: float) -> _Section:
    from planner.explain import sizing_with_notes
    table = sizing_with_notes(fc.sizing(risk), fc.scenario.contract)
    currency = fc.scenario.currency
    columns = {"unit": "Pool", "year": "Year", "amount": "Contracted", "p50": "P50 consumption",
               "p90": "P90 consumption", "p_run_out": "Chance of running out", "run_out_p50": "Runs out (P50)",
               "optimal_amount": "Cost-optimal amount", "risk_amount": f"Amount at risk {risk:g}",
               "cost_at_amount": f"Expected cost as contracted{_in(currency)}",
               "cost_at_optimal": f"Expected cost at the optimum{_in(currency)}", "note": "Note"}
    return "sizing", _table(table, columns, fc.scenario.tables,
                            money=("cost_at_amount", "cost_at_optimal"), share=("p_run_out",)), []


def _comparison(result: dict[str, pd.DataFrame], base: Any) -> _Section:
    currency = base.currency
    pools = result["pools"]
    columns = {"scenario": "Scenario", "unit": "Pool", "year": "Year", "consumption": "Consumption",
               "consumption_delta": f"Δ consumption vs {base.name}", "extra_needed": "Extra needed",
               "extra_needed_delta": "Δ extra needed", "cost_delta": f"Δ cost{_in(currency)}"}
    first = result["first_exceeded"].copy()
    first["first_exceeded"] = [("never" if pd.isna(m) else str(m)) for m in first["first_exceeded"]]
    body = (_table(pools, columns, base.tables, money=("cost_delta",), signed=("consumption_delta",
                                                                              "extra_needed_delta", "cost_delta"))
            + "<h3>First month a pool is exceeded</h3>"
            + _table(first, {"unit": "Pool", "scenario": "Scenario", "first_exceeded": "First exceeded"},
                     base.tables))
    return "comparison", body, []


def _scenario_files(base: ReportInput, variants: tuple[ReportInput, ...]) -> _Section:
    parts = []
    for item in (base, *variants):
        parts.append(f"<h3>{html.escape(item.scenario.name)} <small>({html.escape(item.scenario.source)})</small></h3>"
                     f"<pre>{html.escape(item.text or '(no file text)')}</pre>")
    return "scenario", "".join(parts), []


# --- HTML -----------------------------------------------------------------------------------------

_TITLES = {"summary": "Summary", "consumption": "Consumption per month", "burn-down": "Pool burn-down",
           "pools": "Pools and run-out dates", "cost-centers": "Per cost center", "sizing": "Renewal sizing", "comparison": "Comparison with the variants",
           "scenario": "The scenario"}

_STYLE = """
body{font-family:Inter,system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2937;
margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #e5e7eb}
h3{font-size:16px;margin:20px 0 6px}nav a{margin-right:14px;color:#1d4ed8}
table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{padding:4px 8px;border-bottom:1px solid #e5e7eb}
th{text-align:left;background:#f9fafb}td{white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums}
td.t{white-space:normal;min-width:24em}.scroll{overflow-x:auto}
pre{background:#f9fafb;padding:12px;overflow:auto;font-size:12px}.chart{height:420px;margin:8px 0}
small{color:#6b7280;font-weight:normal}
"""
#: Nothing may be fetched: no connections, no external scripts, styles, fonts or images.
_CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
        "img-src data: blob:; font-src data:; connect-src 'none'")


def _page(title: str, sections: list[_Section]) -> str:
    from planner._assets import plotly_js
    from planner.ui.kit.figures import CONFIG
    nav = "".join(f'<a href="#{sid}">{_TITLES[sid]}</a>' for sid, _, _ in sections)
    body = "".join(f'<section id="{sid}"><h2>{_TITLES[sid]}</h2>{content}</section>'
                   for sid, content, _ in sections)
    charts = {cid: fig for _, _, items in sections for cid, fig in items}
    data = json.dumps(charts, separators=(",", ":")).replace("</", "<\\/")
    config = json.dumps(CONFIG)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}: planner report</title><style>{_STYLE}</style>"
            f"<script>{plotly_js().decode()}</script></head><body>"
            f"<h1>{html.escape(title)}</h1><nav>{nav}</nav>{body}"
            f'<script id="planner-charts" type="application/json">{data}</script>'
            f"<script>(function(){{var charts=JSON.parse(document.getElementById('planner-charts').textContent);"
            f"var config={config};config.responsive=true;"
            f"Object.keys(charts).forEach(function(id){{var f=charts[id];"
            f"Plotly.newPlot(id,f.data,f.layout,config).then(function(){{"
            f"document.getElementById(id).setAttribute('data-drawn','1');}});}});}})();</script>"
            f"</body></html>")


def _chart_div(cid: str) -> str:
    return f'<div class="chart" id="{cid}"></div>'


def _compact(fig: Any) -> dict[str, Any]:
    """The figure as plain JSON, lighter: values rounded to whole units (the charts
    show whole units) as 4-byte typed arrays (plotly.js reads ``{dtype, bdata}``),
    and a trace with one point a day written as its first day and a step
    (``x0``, ``dx``)."""
    spec = json.loads(fig.to_json())
    for trace in spec.get("data", []):
        if "y" in trace:
            trace["y"] = _whole(trace["y"])
        x = trace.get("x")
        if isinstance(x, list) and x and all(isinstance(v, str) and v[10:].strip("T:0.") == "" for v in x):
            x = trace["x"] = [v[:10] for v in x]         # midnight: the day says it all
        if isinstance(x, list) and len(x) > 2 and all(isinstance(v, str) and len(v) == 10 for v in x):
            days = pd.DatetimeIndex(x).values.astype("datetime64[D]").astype(np.int64)
            if (np.diff(days) == 1).all():
                del trace["x"]
                trace["x0"], trace["dx"] = x[0], _DAY_MS
    return spec


def _whole(values: Any) -> Any:
    """Numbers (a list or a plotly typed array) rounded, as an int32 (float32 with gaps) typed array."""
    if isinstance(values, dict) and "bdata" in values:
        array = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
    elif isinstance(values, list) and values and all(isinstance(v, (int, float)) or v is None for v in values):
        array = np.array([np.nan if v is None else v for v in values], dtype=float)
    else:
        return values
    whole = np.round(array.astype(float))
    finite = whole[np.isfinite(whole)]
    kind = "i4" if len(finite) == len(whole) and (not len(finite) or np.abs(finite).max() < 2 ** 31) else "f4"
    return {"dtype": kind, "bdata": base64.b64encode(whole.astype(kind).tobytes()).decode("ascii")}


def _in(currency: str | None) -> str:
    return f" [{currency}]" if currency else ""


def _kv(rows: list[tuple[str, str]]) -> str:
    return "<table>" + "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows) \
        + "</table>"


def _table(frame: pd.DataFrame, columns: dict[str, str], tables: Any, *, money: tuple[str, ...] = (),
           share: tuple[str, ...] = (), signed: tuple[str, ...] = ()) -> str:
    """An HTML table of ``columns`` (key -> header): numbers with their unit's decimals."""
    from planner._numbers import number
    from planner.units import decimals as unit_decimals
    decimals = unit_decimals(tables)
    keep = [c for c in columns if c in frame.columns]
    head = "".join(f"<th>{html.escape(columns[c])}</th>" for c in keep)
    rows = []
    for record in frame.to_dict(orient="records"):
        cells = []
        for c in keep:
            value = record[c]
            numeric = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                text = ""
            elif isinstance(value, pd.Timestamp):
                text = str(value.date())
            elif numeric and c in share:
                text = f"{float(value):.1%}"
            elif numeric and c in money:
                text = number(value, 2, signed=c in signed)
            elif numeric and c not in ("year", "contract_year"):
                text = number(value, decimals.get(record.get("unit"), 2), signed=c in signed)
            elif numeric:
                text = str(int(value))
            else:
                text = str(value)
            kind = "n" if numeric else "t" if len(text) > 40 else ""
            cells.append(f'<td class="{kind}">{html.escape(text)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
