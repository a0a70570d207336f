"""Plotly figures of the dashboards: one look, one colour per unit.

Every builder here is pure (data in, ``go.Figure`` out) and gives its figure a
title, axis titles with units and hover text with units, so that a chart can
leave the page (PNG button of the mode bar) and still say what it shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from planner.ui.kit import format as fmt
from planner.units import UNITS

__all__ = [
    "PALETTE", "TEMPLATE", "CONFIG", "color", "base", "axis_title",
    "stacked_bars", "hbars", "burndown", "licence_peak", "lpar_peaks", "actual_vs_modelled",
    "curves", "sweep", "bands", "store_fill", "timeline",
]

#: Colours for series that are not units (capabilities, scenarios, monitors).
PALETTE = ("#1d4ed8", "#ea580c", "#059669", "#7c3aed", "#dc2626", "#0891b2", "#ca8a04",
           "#db2777", "#475569", "#65a30d", "#9333ea", "#0f766e")
_FONT = "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
_GRID = "#e5e7eb"
_INK = "#1f2937"

#: The planner's plotly template (small on purpose: it travels with every chart).
TEMPLATE = go.layout.Template(layout={
    "font": {"family": _FONT, "size": 13, "color": _INK},
    "colorway": list(PALETTE),
    "paper_bgcolor": "white", "plot_bgcolor": "white",
    "title": {"x": 0.0, "xanchor": "left", "font": {"size": 16}},
    "xaxis": {"gridcolor": _GRID, "linecolor": "#9ca3af", "zeroline": False, "ticks": "outside",
              "tickcolor": "#9ca3af", "automargin": True},
    "yaxis": {"gridcolor": _GRID, "linecolor": "#9ca3af", "zerolinecolor": "#9ca3af",
              "separatethousands": True, "automargin": True, "rangemode": "tozero"},
    "legend": {"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.01,
               "xanchor": "left", "x": 0},
    "hoverlabel": {"font": {"family": _FONT}},
    "margin": {"l": 10, "r": 10, "t": 56, "b": 10},
    "separators": ".,",
})
#: plotly.js config of every chart: no logo, PNG export at twice the size.
CONFIG = {"displaylogo": False,
          "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
          "toImageButtonOptions": {"format": "png", "scale": 2}}


def color(key: str, position: int = 0) -> str:
    """The colour of a unit, or the palette colour at ``position`` for anything else."""
    return UNITS[key].colour if key in UNITS else PALETTE[position % len(PALETTE)]


def axis_title(unit: str) -> str:
    """An axis title that names a unit and its symbol: ``'DEM units [DEM units]'``
    is shortened to ``'DEM units'``; ``'ddu'`` gives ``'Davis data units [DDU]'``."""
    name, sym = fmt.unit_name(unit), fmt.symbol(unit)
    return name if name == sym else f"{name} [{sym}]"


def base(title: str, x_title: str, y_title: str, *, height: int = 380) -> go.Figure:
    """An empty figure with the planner template, a title and both axis titles."""
    return go.Figure(layout={"template": TEMPLATE, "title": {"text": title}, "height": height,
                             "xaxis": {"title": {"text": x_title}}, "yaxis": {"title": {"text": y_title}}})


def _short(values: Any) -> np.ndarray:
    """Values rounded to 1/1000: the charts show whole units, and long decimals
    only make the page heavier."""
    return np.round(np.asarray(values, dtype=float), 3)


def _days(index: pd.Index) -> np.ndarray:
    """Dates as ``YYYY-MM-DD`` (half the JSON of full timestamps)."""
    # an array, not a list: plotly checks a list item by item (a third of a chart's build)
    return np.asarray(pd.DatetimeIndex(index).strftime("%Y-%m-%d"), dtype=object)


def _x(index: pd.Index) -> pd.Index:
    """Periods become timestamps (plotly has no period type)."""
    return index.to_timestamp() if isinstance(index, pd.PeriodIndex) else index


def stacked_bars(frame: pd.DataFrame, *, title: str, unit: str, x_title: str = "Month",
                 x_hover: str = "%{x|%b %Y}", colors: Mapping[str, str] | None = None,
                 names: Mapping[str, str] | None = None, height: int = 380,
                 barmode: str = "stack") -> go.Figure:
    """Bars per row of ``frame`` (x), one series per column, stacked.

    Parameters
    ----------
    frame : DataFrame
        Index: x values (months, categories); columns: series; values in ``unit``.
    unit : str
        An engine unit (``'dem'``) or a unit text (``'GB'``) for axis and hover.
    colors, names : mapping, optional
        Colour and legend name per column.
    """
    sym = fmt.symbol(unit)
    fig = base(title, x_title, axis_title(unit), height=height)
    x = np.asarray(_x(frame.index))   # once, as numpy: plotly converts a pandas index per trace
    for i, column in enumerate(frame.columns):
        label = (names or {}).get(column, str(column))
        fig.add_bar(x=x, y=_short(frame[column]), name=label,
                    marker_color=(colors or {}).get(column, color(str(column), i)),
                    hovertemplate=f"{x_hover}<br>{label}: %{{y:,.0f}} {sym}<extra></extra>")
    fig.update_layout(barmode=barmode, bargap=0.15)
    return fig


def hbars(values: pd.Series, *, title: str, unit: str, y_title: str = "") -> go.Figure:
    """One horizontal bar per row of ``values`` (index: labels) in ``unit``."""
    sym = fmt.symbol(unit)
    fig = base(title, axis_title(unit), y_title, height=140 + 38 * len(values))
    fig.add_bar(y=[str(i) for i in values.index], x=values.to_numpy(dtype=float), orientation="h",
                marker_color=color(unit), name=axis_title(unit), showlegend=False,
                text=[f"{fmt.number(v)} {sym}" for v in values], textposition="auto",
                hovertemplate="%{y}<br>%{x:,.0f} " + sym + "<extra></extra>")
    fig.update_yaxes(type="category", autorange="reversed", rangemode="normal", showgrid=False)
    fig.update_xaxes(rangemode="tozero", separatethousands=True)
    return fig


def burndown(balance: pd.DataFrame, unit: str, *, run_outs: Sequence[Any] = (),
             title: str | None = None) -> go.Figure:
    """Cumulative consumption against the pool's amount, per contract year.

    Parameters
    ----------
    balance : DataFrame
        :func:`planner.pools.pool_balance` output: index date, columns ``year``,
        ``cumulative`` and ``amount`` [unit].
    unit : str
        The pool's unit.
    run_outs : sequence of dates
        The days the pool runs out (``run_out`` of
        :meth:`planner.engine.Forecast.pools`), marked "runs out".
    """
    sym = fmt.symbol(unit)
    fig = base(title or f"{fmt.unit_name(unit)}: pool burn-down per contract year",
               "Date", axis_title(unit), height=420)
    # one line per contract year, broken at the anniversary (NaN row between years)
    gaps = balance["year"].ne(balance["year"].shift()).to_numpy()
    cumulative = balance["cumulative"].where(~gaps | (np.arange(len(balance)) == 0))
    hover = "%{x|%Y-%m-%d}<br>%{y:,.0f} " + sym
    days = _days(balance.index)
    if balance["amount"].notna().any():   # a unit the contract buys no pool of has no amount line
        fig.add_scatter(x=days, y=_short(balance["amount"]), name="Annual amount (incl. top-ups)",
                        mode="lines", line={"color": "#6b7280", "dash": "dash", "shape": "hv"},
                        hovertemplate=hover + " available<extra></extra>")
    fig.add_scatter(x=days, y=_short(cumulative), name="Cumulative consumption",
                    mode="lines", line={"color": color(unit), "width": 2.5}, connectgaps=False,
                    hovertemplate=hover + " used since the anniversary<extra></extra>")
    marks = pd.DatetimeIndex(list(run_outs))
    if len(marks):
        _mark(fig, marks, balance["cumulative"].reindex(marks), [f"runs out {fmt.day(d)}" for d in marks],
              "Runs out", "Runs out %{x|%Y-%m-%d}<br>%{y:,.0f} " + sym)
    return fig


def _mark(fig: go.Figure, x: pd.DatetimeIndex, y: pd.Series, text: Sequence[str], name: str, hover: str) -> None:
    """Red crosses with a label: the days a pool runs out or a licence is exceeded
    (labels alternate above-left and below-right, so that close dates stay readable)."""
    fig.add_scatter(x=_days(x), y=_short(y), name=name, mode="markers+text",
                    marker={"symbol": "x", "size": 12, "color": "#b91c1c"}, text=list(text),
                    textposition=["top left" if i % 2 == 0 else "bottom right" for i in range(len(x))],
                    textfont={"color": "#b91c1c"},
                    hovertemplate=hover + "<extra></extra>")


def licence_peak(daily: pd.Series, quantity: float | None, unit: str, *, above_from: Sequence[Any] = (),
                 title: str | None = None) -> go.Figure:
    """Amount in use per day against a licensed quantity (host units).

    ``above_from``: the first day above the licence in each contract year
    (``run_out`` of :meth:`planner.engine.Forecast.pools`), marked. Without a
    ``quantity`` only the amount in use is drawn.
    """
    sym = fmt.symbol(unit)
    fig = base(title or f"{fmt.unit_name(unit)}" + (" against the licence" if quantity is not None
                                                               else " per day (no licence in the contract)"),
               "Date", axis_title(unit), height=420)
    if quantity is not None:
        fig.add_scatter(x=_days(daily.index[[0, -1]]), y=[float(quantity)] * 2, name="Licensed quantity",
                        mode="lines", line={"color": "#6b7280", "dash": "dash"},
                        hovertemplate="%{y:,.0f} " + sym + " licensed<extra></extra>")
    fig.add_scatter(x=_days(daily.index), y=_short(daily), name="In use", mode="lines",
                    line={"color": color(unit), "width": 2.5},
                    hovertemplate="%{x|%Y-%m-%d}<br>%{y:,.1f} " + sym + " in use<extra></extra>")
    marks = pd.DatetimeIndex(list(above_from))
    if len(marks):
        _mark(fig, marks, daily.reindex(marks), [f"above from {fmt.day(d)}" for d in marks],
              "Above the licence", "Above the licence from %{x|%Y-%m-%d}<br>%{y:,.1f} " + sym)
    return fig


def lpar_peaks(mainframe: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Each LPAR's monthly peak MSU against its own licensed MSU.

    Parameters
    ----------
    mainframe : DataFrame
        :meth:`planner.engine.Forecast.mainframe`: ``month`` (Period),
        ``driver``, ``peak_msu``, ``licensed_msu`` [MSU] and ``over_licence``;
        the first month over the licence of each LPAR is marked.
    """
    sym = fmt.symbol("msu")
    fig = base(title or "Mainframe: monthly peak MSU of each LPAR against its licence", "Month",
               axis_title("msu"), height=420)
    for i, (lpar, rows) in enumerate(mainframe.groupby("driver", sort=False)):
        tint = PALETTE[i % len(PALETTE)] if mainframe["driver"].nunique() > 1 else color("msu")
        x = _x(pd.PeriodIndex(rows["month"]))
        fig.add_scatter(x=x, y=rows["peak_msu"].to_numpy(dtype=float), name=f"{lpar}: peak", mode="lines+markers",
                        line={"color": tint, "width": 2.5}, marker={"size": 4},
                        hovertemplate="%{x|%b %Y}<br>peak %{y:,.1f} " + sym + f"<extra>{lpar}</extra>")
        fig.add_scatter(x=x, y=rows["licensed_msu"].to_numpy(dtype=float), name=f"{lpar}: licensed",
                        mode="lines", line={"color": tint, "dash": "dash", "shape": "hv"},
                        hovertemplate="%{y:,.0f} " + sym + f" licensed<extra>{lpar}</extra>")
        over = rows[rows["over_licence"]].head(1)
        if len(over):
            first = pd.PeriodIndex(over["month"])
            _mark(fig, pd.DatetimeIndex(first.to_timestamp()), over["peak_msu"],
                  [f"{lpar} over from {fmt.month(first[0])}"], f"{lpar}: over the licence",
                  "%{x|%b %Y}<br>%{y:,.1f} " + sym + " above the licence")
    return fig


def actual_vs_modelled(past: pd.DataFrame, forecast: pd.Series, unit: str, *, title: str) -> go.Figure:
    """What was consumed in past months (bars) against the model over those
    months (line), then the forecast (dashed line).

    Parameters
    ----------
    past : DataFrame
        Index: months (PeriodIndex); columns ``actual``, ``modelled`` [unit per
        month] and ``error_pct`` [%], as :func:`planner.imports.backtest.backtest` gives them.
    forecast : Series
        Index: months (PeriodIndex); the forecast per month [unit].
    unit : str
        The engine unit, for the axis and the hover text.
    """
    fig = base(title, "Month", axis_title(unit), height=400)
    x = np.asarray(_x(past.index))
    fig.add_bar(x=x, y=_short(past["actual"]), name="Actual", marker_color="#9ca3af",
                customdata=[fmt.quantity(v, unit) for v in past["actual"]],
                hovertemplate="%{x|%b %Y}<br>actual: %{customdata}<extra></extra>")
    fig.add_scatter(x=x, y=_short(past["modelled"]), name="Modelled", mode="lines+markers",
                    line={"color": color(unit), "width": 2.5}, marker={"size": 7},
                    customdata=[[fmt.quantity(m, unit), fmt.quantity(e, "%", signed=True)]
                                for m, e in zip(past["modelled"], past["error_pct"])],
                    hovertemplate="%{x|%b %Y}<br>modelled: %{customdata[0]}<br>"
                                  "error: %{customdata[1]}<extra></extra>")
    fig.add_scatter(x=np.asarray(_x(forecast.index)), y=_short(forecast), name="Forecast", mode="lines+markers",
                    line={"color": color(unit), "width": 2, "dash": "dash"}, marker={"size": 4},
                    customdata=[fmt.quantity(v, unit) for v in forecast],
                    hovertemplate="%{x|%b %Y}<br>forecast: %{customdata}<extra></extra>")
    fig.update_layout(bargap=0.3)
    return fig


def curves(x: Sequence[float], panels: Sequence[tuple[str, str, Mapping[str, Sequence[float]]]], *,
           title: str, x_title: str, marker: float | None = None, columns: int = 2,
           height: int = 520) -> go.Figure:
    """Small multiples: one panel per quantity, each with its own unit.

    Parameters
    ----------
    x : sequence of float
        Common x values.
    panels : sequence of (panel title, unit, {series name: y values})
    marker : float, optional
        An x value to mark in every panel (the current setting).
    """
    rows = -(-len(panels) // columns)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=[p[0] for p in panels],
                        vertical_spacing=0.16, horizontal_spacing=0.12)
    x = np.asarray(x, dtype=float)
    for k, (label, unit, series) in enumerate(panels):
        row, col = k // columns + 1, k % columns + 1
        sym = fmt.symbol(unit)
        for i, (name, y) in enumerate(series.items()):
            y = np.asarray(y, dtype=float)
            fig.add_scatter(x=x, y=y, name=name, mode="lines", row=row, col=col,
                            line={"color": PALETTE[i % len(PALETTE)], "width": 2.5},
                            legendgroup=name, showlegend=k == 0,
                            hovertemplate=f"{x_title}: %{{x:,.0f}}<br>{name}: %{{y:,.2f}} {sym}<extra></extra>")
            if marker is not None:
                at = float(np.interp(marker, x, y))
                fig.add_scatter(x=[marker], y=[at], mode="markers", row=row, col=col,
                                marker={"size": 10, "color": PALETTE[i % len(PALETTE)],
                                        "line": {"color": "white", "width": 2}},
                                showlegend=False, legendgroup=name,
                                hovertemplate=f"now: %{{x:,.0f}}<br>{name}: %{{y:,.2f}} {sym}<extra></extra>")
        fig.update_yaxes(title_text=sym, row=row, col=col)
        fig.update_xaxes(title_text=x_title if row == rows else "", row=row, col=col)
    fig.update_layout(template=TEMPLATE, title={"text": title}, height=height, showlegend=False,
                      margin={"l": 70, "r": 20, "t": 80, "b": 60})
    fig.update_xaxes(automargin=False)   # automargin on small multiples makes plotly.js redraw in a loop
    fig.update_yaxes(automargin=False)
    fig.update_annotations(font_size=13)
    return fig


def sweep(x: Sequence[float], series: Mapping[str, Sequence[float]], *, title: str, x_title: str,
          unit: str, marker: float | None = None, x_hover: str = "%{x:,.0f}",
          limit: tuple[float, str] | None = None, x_suffix: str = "") -> go.Figure:
    """How a result changes with one setting: lines over ``x``, the current
    setting marked, and an optional horizontal limit line ``(value, label)``."""
    sym = fmt.symbol(unit)
    fig = base(title, x_title, axis_title(unit), height=380)
    x = np.asarray(x, dtype=float)
    for i, (name, y) in enumerate(series.items()):
        y = np.asarray(y, dtype=float)
        tint = color(unit) if len(series) == 1 else PALETTE[i % len(PALETTE)]
        fig.add_scatter(x=x, y=y, name=name, mode="lines", line={"color": tint, "width": 2.5},
                        hovertemplate=f"{x_title}: {x_hover}{x_suffix}<br>{name}: %{{y:,.0f}} {sym}<extra></extra>")
        if marker is not None:
            fig.add_scatter(x=[marker], y=[float(np.interp(marker, x, y))], mode="markers", showlegend=False,
                            marker={"size": 11, "color": tint, "line": {"color": "white", "width": 2}},
                            name=f"{name} (current)",
                            hovertemplate=f"current: {x_hover}{x_suffix}<br>%{{y:,.0f}} {sym}<extra></extra>")
    if limit is not None:
        value, label = limit
        fig.add_scatter(x=[x.min(), x.max()], y=[value, value], mode="lines", name=label,
                        line={"color": "#6b7280", "dash": "dash"},
                        hovertemplate=f"{label}: %{{y:,.0f}} {sym}<extra></extra>")
    if x_suffix:
        fig.update_xaxes(ticksuffix=x_suffix)
    return fig


def bands(series: Mapping[str, pd.DataFrame], unit: str, *, title: str | None = None) -> go.Figure:
    """Monte Carlo P10 to P90 band and P50 line per scenario.

    Parameters
    ----------
    series : mapping of scenario name -> DataFrame
        Columns ``month`` (Period), ``p10``, ``p50``, ``p90`` [unit], one unit only.
    """
    sym = fmt.symbol(unit)
    fig = base(title or f"{fmt.unit_name(unit)} per month: P10 to P90 band and P50",
               "Month", axis_title(unit), height=420)
    for i, (name, frame) in enumerate(series.items()):
        tint = PALETTE[i % len(PALETTE)]
        x = _x(pd.PeriodIndex(frame["month"]))
        fig.add_scatter(x=x, y=frame["p90"], mode="lines", line={"width": 0, "color": tint},
                        legendgroup=name, showlegend=False, name=f"{name} P90",
                        hovertemplate="%{x|%b %Y}<br>P90 %{y:,.0f} " + sym + f"<extra>{name}</extra>")
        fig.add_scatter(x=x, y=frame["p10"], mode="lines", line={"width": 0, "color": tint},
                        fill="tonexty", fillcolor=_tint(tint, 0.18), legendgroup=name,
                        name=f"{name}: P10 to P90",
                        hovertemplate="%{x|%b %Y}<br>P10 %{y:,.0f} " + sym + f"<extra>{name}</extra>")
        fig.add_scatter(x=x, y=frame["p50"], mode="lines", line={"width": 2.5, "color": tint},
                        legendgroup=name, name=f"{name}: P50",
                        hovertemplate="%{x|%b %Y}<br>P50 %{y:,.0f} " + sym + f"<extra>{name}</extra>")
    return fig


def _tint(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def store_fill(stored: pd.DataFrame, *, title: str = "Grail store: GB held at the end of each day",
               marks: Sequence[tuple[Any, str]] = ()) -> go.Figure:
    """The fill curve of one or more Grail buckets.

    Parameters
    ----------
    stored : DataFrame
        Index: dates; one column per bucket [GB].
    marks : sequence of (date, label)
        Vertical lines, e.g. a retention change.
    """
    fig = base(title, "Date", "Stored data [GB]", height=400)
    for i, column in enumerate(stored.columns):
        fig.add_scatter(x=_days(stored.index), y=_short(stored[column]), name=str(column),
                        mode="lines", line={"width": 2.5, "color": PALETTE[i % len(PALETTE)]},
                        fill="tozeroy" if len(stored.columns) == 1 else None,
                        fillcolor=_tint(PALETTE[i % len(PALETTE)], 0.12),
                        hovertemplate="%{x|%Y-%m-%d}<br>%{y:,.0f} GB stored<extra>" + str(column) + "</extra>")
    for when, label in marks:
        fig.add_vline(x=pd.Timestamp(when), line={"color": "#6b7280", "dash": "dot"})
        fig.add_annotation(x=pd.Timestamp(when), y=1, yref="paper", text=label, showarrow=False,
                           xanchor="left", yanchor="bottom", font={"size": 12, "color": "#374151"})
    return fig


def timeline(rows: Sequence[Mapping[str, Any]], *, title: str, tz: str,
             events: Sequence[tuple[Any, str, str]] = ()) -> go.Figure:
    """A Gantt-like chart of time intervals on named rows.

    Parameters
    ----------
    rows : sequence of mapping
        ``row`` (y label), ``start``, ``end`` (timestamps, local wall time),
        ``label`` (hover text) and optional ``color``.
    tz : str
        Time zone of the timestamps, for the axis title.
    events : sequence of (timestamp, row, text)
        Markers such as the opening and the deadlines.
    """
    fig = base(title, f"Local time ({tz})", "", height=300 + 30 * len({r['row'] for r in rows}))
    for i, row in enumerate(rows):
        start, end = pd.Timestamp(row["start"]), pd.Timestamp(row["end"])
        fig.add_scatter(x=[start, end], y=[row["row"], row["row"]], mode="lines",
                        line={"width": 18, "color": row.get("color", PALETTE[0])},
                        showlegend=False, name=row["row"],
                        hovertemplate=f"{row['label']}<br>{fmt.timestamp(start)} to {fmt.timestamp(end)}"
                                      "<extra></extra>")
    for when, row, text in events:
        fig.add_scatter(x=[pd.Timestamp(when)], y=[row], mode="markers+text", text=[text],
                        textposition="top center", showlegend=False, name=text,
                        marker={"symbol": "diamond", "size": 13, "color": _INK,
                                "line": {"color": "white", "width": 1.5}},
                        hovertemplate=f"{text}<br>{fmt.timestamp(pd.Timestamp(when))}<extra></extra>")
    fig.update_yaxes(type="category", autorange="reversed", title_text="", showgrid=False,
                     rangemode="normal")
    fig.update_xaxes(showgrid=True)
    return fig
