"""The scenario engine: simulate an estate day by day and forecast every pool.

:func:`forecast` turns a :class:`~planner.scenario.Scenario` into a
:class:`Forecast`: tidy consumption per day, month and contract year (by unit,
capability and driver), pool balances with run-out dates and the top-up needed
to last the year, and money where the contract gives prices. With
``draws=N`` it runs a seeded Monte Carlo over the growth ranges and adds P10 /
P50 / P90 bands.

How the simulation works (each rule's source is in docs/rules.md):

* Days run from the horizon start; months have their real length and contract
  years reset on the anniversary (:mod:`planner.pools`).
* Growth compounds once a calendar month: in the k-th calendar month after the
  start a driver's volume fields are ``base x (1 + monthly rate) ** k``; a
  yearly rate y is the monthly rate ``(1 + y) ** (1 / 12) - 1``. A range of
  rates is drawn uniformly per driver in Monte Carlo; a single run uses its
  middle.
* A ``set`` change replaces fields from its date on. A new volume (count,
  sessions, GB, ...) keeps growing from the change date at the driver's rate.
* ``move_hosts`` moves a number of hosts of a group (counted on the change
  date) into a new part with another mode or application-security level; both
  parts grow on at the group's rate.
* Monthly volumes (sessions, query GB) are spread evenly over the month's days,
  so a month's total equals the monthly figure.
* Grail stores fill and drain day by day (:func:`planner.ddu.grail_stored_gb`);
  a bucket that ``starts_full`` has been in use at its start volume for a full
  retention window before the horizon.
* Every weight comes from the calculators, and so from the scenario's tables.

Units: flows (host_unit_hours, dem, ddu, asu, cau) add up over days; peaks
(host_units in use, msu per LPAR) take the maximum over days.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from planner import _checks, premium
from planner._lazy import lazy
from planner.mainframe import msu_report_due_dates
from planner.model import MoveHosts, Scenario, SetValues
from planner.pools import anniversaries, contract_years, licence_forecast, pool_balance, pool_forecast
from planner.scenario import ScenarioError, load_scenario
from planner.sections import Calendar, DriverDays, host_amounts
from planner.units import CLASSIC_UNITS, DPS_UNITS, FLOW_UNITS, PEAK_UNITS, UNITS

# imported at its first use: only Monte Carlo runs and renewal sizing need it
sizing = lazy("planner.engine.sizing")

__all__ = ["UNITS", "FLOW_UNITS", "PEAK_UNITS", "Forecast", "forecast", "compare", "scenario_names", "host_amounts"]

Component = tuple[str, str, str, np.ndarray]   # unit, capability, driver, values (draws, days)


# --- the simulation core ---------------------------------------------------------------

def _simulate(scenario: Scenario, monthly_rates: dict[str, np.ndarray], cal: Calendar,
              stores: dict[str, np.ndarray] | None = None) -> Iterator[Component]:
    """Yield every (unit, capability, driver, values[draws, days]) of a scenario:
    each driver's section (:data:`planner.sections.SECTIONS`) says how it consumes."""
    sets = [c for c in scenario.changes if isinstance(c, SetValues)]
    moves = [c for c in scenario.changes if isinstance(c, MoveHosts)]
    dps = scenario.contract.dps   # a DPS contract bills the same estate in DPS units
    # a unit measured by another's consumption (Premium HA by host units), where the contract buys it
    measured: dict[str, list[str]] = {}
    for unit in scenario.contract.licences:
        if UNITS[unit].measured_by:
            measured.setdefault(UNITS[unit].measured_by, []).append(unit)
    for name, driver in scenario.drivers.items():
        days = DriverDays(driver, [c for c in sets if c.driver == name], [c for c in moves if c.driver == name],
                          cal.growth_factor(monthly_rates[name]), cal, scenario.tables)
        for unit, capability, values in (driver.spec.dps if dps else driver.spec.consume)(days):
            yield unit, capability, name, values
            for also in measured.get(unit, ()):
                yield also, capability, name, values
        if stores is not None and "stored_gb" in days.extras:
            stores[name] = days.extras["stored_gb"]


def _central_rates(scenario: Scenario) -> dict[str, np.ndarray]:
    return {name: np.array([d.growth.monthly() if d.growth else 0.0]) for name, d in scenario.drivers.items()}


# --- results ------------------------------------------------------------------------------

@dataclass
class Forecast:
    """What :func:`forecast` returns. Every table is a pandas DataFrame.

    Attributes
    ----------
    scenario : Scenario
    daily : DataFrame
        Tidy: ``date``, ``unit``, ``capability``, ``driver``, ``value`` [unit per
        day; for peak units the amount in use that day].
    grail_store : DataFrame
        Stored GB at the end of each day per Grail bucket (columns = buckets).
    bands : DataFrame or None
        Monte Carlo only: ``month``, ``unit``, ``p10``, ``p50``, ``p90``.
    seconds : float
        Time the run took [s].
    pool_draws : tuple of planner.engine.sizing.PoolYear
        Monte Carlo only: per pool and contract year, the numbers
        :meth:`sizing` needs per draw.
    """

    scenario: Scenario
    daily: pd.DataFrame
    grail_store: pd.DataFrame
    bands: pd.DataFrame | None = None
    draws: int = 0
    seconds: float = 0.0
    pool_draws: tuple[sizing.PoolYear, ...] = ()
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # totals per day by unit (peak units summed over drivers before the peak is taken)
    def daily_totals(self) -> pd.DataFrame:
        """Per day and unit, summed over capabilities and drivers: index date."""
        if "daily_totals" not in self._cache:
            dates, groups, per_day, _ = self._sums_per_day(("unit",))
            wide = pd.DataFrame(per_day, index=pd.DatetimeIndex(dates, name="date"),
                                columns=pd.Index(groups.get_level_values("unit"), name="unit"))
            self._cache["daily_totals"] = wide.reindex(columns=[u for u in UNITS if u in wide.columns])
        return self._cache["daily_totals"]

    def _sums_per_day(self, by: tuple[str, ...]) -> tuple[Any, pd.MultiIndex, np.ndarray, np.ndarray]:
        """The tidy values summed per day and group of ``by`` as one bincount
        (much quicker than pivot_table or groupby): the sorted days, the sorted
        groups, the (day x group) sums and where a group has rows that day."""
        day, dates = pd.factorize(self.daily["date"], sort=True)
        group, groups = pd.MultiIndex.from_arrays([self.daily[b] for b in by]).factorize(sort=True)
        cells = day * len(groups) + group
        size = len(dates) * len(groups)
        shape = (len(dates), len(groups))
        sums = np.bincount(cells, weights=self.daily["value"].to_numpy(dtype=float), minlength=size)
        present = np.bincount(cells, minlength=size) > 0
        return dates, groups.set_names(by), sums.reshape(shape), present.reshape(shape)

    def monthly(self, by: tuple[str, ...] = ("unit",)) -> pd.DataFrame:
        """Per calendar month: flows summed, peaks as their highest day.

        Parameters
        ----------
        by : tuple of {'unit', 'capability', 'driver'}
            Breakdown. ``("unit",)`` (default) gives one column per unit.
        """
        return self._aggregate("month", lambda dates: dates.to_period("M"), by)

    def contract_years(self) -> pd.DataFrame:
        """The contract years of the horizon (:func:`planner.pools.contract_years`):
        the term, and further years while the horizon runs past it."""
        return contract_years(self.scenario.contract.start, self._term_years())

    def yearly(self, by: tuple[str, ...] = ("unit",)) -> pd.DataFrame:
        """Per contract year (1, 2, ...), aggregated like :meth:`monthly`."""
        starts = anniversaries(self.scenario.contract.start, self._term_years())
        return self._aggregate("contract_year",
                               lambda dates: np.searchsorted(starts, dates.to_numpy(), side="right"), by)

    def _term_years(self) -> int:
        """The contract term, lengthened to whole years up to the horizon's end."""
        contract = self.scenario.contract
        last = max(self.scenario.end, contract.start).to_datetime64()
        years = contract.term_years
        while anniversaries(contract.start, years)[-1] <= last:
            years += 1
        return years

    def _aggregate(self, name: str, period_of: Callable[[pd.DatetimeIndex], Any],
                   by: tuple[str, ...]) -> pd.DataFrame:
        """Aggregate per period; ``period_of`` maps dates to period labels."""
        bad = [b for b in by if b not in ("unit", "capability", "driver")]
        if bad or "unit" not in by:
            raise ValueError(f"by must name 'unit' and optionally 'capability', 'driver'; got {by!r}")
        key = ("aggregate", name, tuple(by))
        if key not in self._cache:   # dashboards ask again on every redraw
            self._cache[key] = self._aggregate_once(name, period_of, tuple(by))
        return self._cache[key].copy()

    def _aggregate_once(self, name: str, period_of: Callable[[pd.DatetimeIndex], Any],
                        by: tuple[str, ...]) -> pd.DataFrame:
        if by == ("unit",):  # fast path on the cached per-day totals
            totals = self.daily_totals()
            grouped = totals.groupby(period_of(pd.DatetimeIndex(totals.index)))
            wide = pd.concat([grouped[[u for u in totals if u in FLOW_UNITS]].sum(),
                              grouped[[u for u in totals if u in PEAK_UNITS]].max()], axis=1)
            wide.index.name = name
            return wide.reindex(columns=[u for u in UNITS if u in wide.columns])
        # One (day x group) matrix of sums, then one reduction per period: periods are
        # worked out once per distinct day, never once per tidy row.
        dates, groups, per_day, present = self._sums_per_day(by)
        period, periods = pd.factorize(period_of(pd.DatetimeIndex(dates)), sort=True)
        starts = np.flatnonzero(np.r_[True, period[1:] != period[:-1]])   # dates are sorted
        # flows add up over the days; peaks (drivers already added up per day) take the highest day
        peak = np.isin(groups.get_level_values("unit"), PEAK_UNITS)
        value = np.where(peak, np.maximum.reduceat(np.where(present, per_day, -np.inf), starts, axis=0),
                         np.add.reduceat(per_day, starts, axis=0))
        rows, columns = np.nonzero(np.add.reduceat(present, starts, axis=0))
        result = groups.take(columns).to_frame(index=False)
        result.insert(0, name, periods.take(period[starts][rows]))
        result["value"] = value[rows, columns]
        return result

    def pools(self) -> pd.DataFrame:
        """Per pool and contract year: amount, consumption, remaining, run-out
        date, extra needed, and money where a price is given.

        Annual pools come from :func:`planner.pools.pool_forecast`. A licence
        (host units) compares the peak in use with the licensed quantity: its
        ``run_out`` is the first day above it and ``extra_needed`` the excess.
        """
        if "pools" not in self._cache:   # the CLI and dashboards ask more than once
            self._cache["pools"] = self._pools()
        return self._cache["pools"].copy()

    def _daily(self, unit: str) -> pd.Series:
        if unit == "commitment" and self.scenario.contract.dps:   # money drawn from the DPS commitment
            from planner.engine.licensing import daily_commitment_use
            return daily_commitment_use(self)
        totals = self.daily_totals()
        return totals[unit] if unit in totals else pd.Series(0.0, index=totals.index)

    def _top_ups(self, unit: str) -> list[tuple[pd.Timestamp, float]]:
        return [(t.date, t.amount) for t in self.scenario.contract.top_ups if t.pool == unit]

    def _pools(self) -> pd.DataFrame:
        c = self.scenario.contract
        if c.dps:   # one money pool: the commitment (docs/rules.md#dps-commitment)
            from planner.engine.licensing import commitment_forecast
            return commitment_forecast(self)
        tables = [(pool, pool_forecast(self._daily(unit), pool.annual, c.start, c.term_years, self._top_ups(unit)))
                  for unit, pool in c.pools.items()]
        tables += [(licence, licence_forecast(self._daily(unit), licence.quantity, c.start, c.term_years))
                   for unit, licence in c.licences.items()]
        rows = []
        for bought, table in tables:
            table.insert(0, "unit", bought.unit)
            if bought.price is not None:
                for column in ("amount", "consumption"):
                    table[f"{column}_cost"] = table[column] * bought.price
            # the shortfall priced both ways, each column named after its price (planner size
            # prices it at overage_price: expected_overage_cost)
            for price in ("price", "overage_price"):
                if getattr(bought, price) is not None:
                    table[f"extra_needed_at_{price}"] = table["extra_needed"] * getattr(bought, price)
            rows.append(table)
        if not rows:
            return pd.DataFrame(columns=["unit", "year", "start", "end", "amount", "consumption",
                                         "remaining", "run_out", "extra_needed"])
        return pd.concat(rows, ignore_index=True)

    def sizing(self, risk: float = 0.1) -> pd.DataFrame:
        """Renewal sizing per pool and contract year, from the Monte Carlo draws
        (:func:`planner.engine.sizing.sizing`; rules in docs/rules.md#renewal-sizing).

        Parameters
        ----------
        risk : float, default 0.1
            Accepted chance of running out (>= 0 and < 1) for ``risk_amount``.

        Returns
        -------
        DataFrame
            One row per pool and contract year, columns :data:`planner.engine.sizing.COLUMNS`.
        """
        if self.scenario.contract.dps:
            raise ValueError("a DPS contract commits money, sized per discount tier: use "
                             "planner.engine.commitment_sizing(scenario, draws=...) or planner size")
        if not self.draws:
            raise ValueError("sizing needs a forecast with Monte Carlo draws, e.g. "
                             "forecast(scenario, draws=2000); this one has none")
        key = ("sizing", sizing.check_risk(risk))
        if key not in self._cache:   # the renewal page asks again on every redraw
            self._cache[key] = sizing.sizing(self.pool_draws, risk, certain=not self.scenario.uncertain())
        return self._cache[key].copy()

    def breakdown(self, by: str = "cost_center", period: str = "year") -> pd.DataFrame:
        """Consumption and cost per period, unit and cost center (or product):
        :func:`planner.engine.showback.breakdown`, computed once per ``by`` and ``period``."""
        from planner.engine import showback
        key = ("breakdown", by, period)
        if key not in self._cache:   # the overview asks again on every redraw
            self._cache[key] = showback.breakdown(self, by, period)
        return self._cache[key].copy()

    def pool_balance(self, unit: str) -> pd.DataFrame:
        """Day-by-day balance of one annual pool (see :func:`planner.pools.pool_balance`)."""
        c = self.scenario.contract
        if unit not in c.pools:
            raise ValueError(f"unit must be one of this contract's annual pools "
                             f"{', '.join(map(repr, c.pools)) or '(none)'}; got {unit!r}")
        return pool_balance(self._daily(unit), c.pools[unit].annual, c.start, c.term_years, self._top_ups(unit))

    def money(self) -> pd.DataFrame:
        """Monthly consumption x price per unit, for the pools that have a price."""
        c = self.scenario.contract
        prices = {u: p.price for u, p in {**c.pools, **c.licences}.items() if p.price is not None}
        monthly = self.monthly()
        return monthly[[u for u in prices if u in monthly]].mul(pd.Series(prices)).dropna(axis=1, how="all")

    def mainframe_reports(self) -> pd.DataFrame:
        """When the peak MSU values of LPARs with ``reporting: disabled`` are due.

        Every ``msu_report_interval_months`` (6) from the date of execution,
        read as the contract's start (:func:`planner.mainframe.msu_report_due_dates`,
        docs/rules.md#msu-reporting-disabled), on the days of the horizon on
        which the LPAR's reporting is disabled (a ``set`` change may turn it
        on or off).

        Returns
        -------
        DataFrame
            ``driver``, ``due`` (date), ``report`` (1 for the first report after
            the date of execution, 2, ...), in order of date.
        """
        s = self.scenario
        due = msu_report_due_dates(s.contract.start, s.start, s.end, tables=s.tables)
        every = msu_report_due_dates(s.contract.start, s.contract.start, s.end, tables=s.tables)
        rows = [{"driver": name, "due": day, "report": int(every.get_loc(day)) + 1}
                for name in s.drivers_of("mainframe") for day in due
                if self._value_on(name, "reporting", day) == "disabled"]
        out = pd.DataFrame(rows, columns=["driver", "due", "report"])
        return out.sort_values(["due", "driver"], kind="stable").reset_index(drop=True)

    def _value_on(self, driver: str, key: str, day: pd.Timestamp) -> Any:
        """A driver's field on ``day``: its value, or that of the last ``set`` change before."""
        value = self.scenario.drivers[driver].values[key]
        for change in self.scenario.changes:   # in order of date
            if isinstance(change, SetValues) and change.driver == driver and key in change.values \
                    and change.date <= day:
                value = change.values[key]
        return value

    def coaching(self, per: str = "week") -> pd.DataFrame:
        """Dynatrace ONE Premium coaching sessions over the horizon (docs/rules.md#one-premium).

        Parameters
        ----------
        per : {'week', 'year'}
            One row per week (:func:`planner.premium.coaching_weeks`: ``available``,
            ``used``, ``lapsed``) or per contract year with the ``fee`` (the
            contract's price) (:func:`planner.premium.coaching_years`).

        Returns
        -------
        DataFrame
            Empty (with the columns) when the contract buys no Dynatrace ONE Premium.
        """
        if per not in ("week", "year"):
            raise ValueError(f"per must be one of 'week', 'year'; got {per!r}")
        c, s = self.scenario.contract, self.scenario
        bought = c.one_premium
        weeks = premium.coaching_weeks(bought.sessions_per_week if bought else 1, c.start, c.term_years,
                                       bought.plan if bought else 0, first=s.start, last=s.end, tables=s.tables)
        if bought is None:
            weeks = weeks.iloc[:0]
        return weeks if per == "week" else premium.coaching_years(weeks, bought.price if bought else None)

    def notes(self) -> pd.DataFrame:
        """What a reader of the forecast should know, as codes (worded by
        :func:`planner.explain.forecast_sentences`).

        Returns
        -------
        DataFrame
            ``code``, ``unit``, ``driver``, ``date``, ``value``; one row per note:

            * ``unit_not_bought``: the horizon consumes ``unit`` (``value``: the
              total of a flow, the highest day of a peak) and the contract buys no
              pool or licence for it, nor for the unit it may buy instead
              (:data:`planner.units.UNITS`; docs/rules.md#unbought-units);
            * ``msu_report_due``: LPAR ``driver`` must report its peak MSU values
              by ``date`` (:meth:`mainframe_reports`).
        """
        if "notes" not in self._cache:
            contract, totals = self.scenario.contract, self.daily_totals()
            rows = []
            for unit in totals.columns:
                spec = UNITS[unit]
                if spec.bought_as is None or contract.bought(unit) or \
                        (spec.instead_of and contract.bought(spec.instead_of)) or \
                        (spec.bought_as == "commitment" and contract.dps):   # drawn from the DPS commitment
                    continue
                value = float(totals[unit].max() if spec.kind == "peak" else totals[unit].sum())
                if value > 0:
                    rows.append({"code": "unit_not_bought", "unit": unit, "driver": None, "date": pd.NaT,
                                 "value": value})
            rows += [{"code": "msu_report_due", "unit": "msu", "driver": r.driver, "date": r.due, "value": np.nan}
                     for r in self.mainframe_reports().itertuples()]
            self._cache["notes"] = pd.DataFrame(rows, columns=["code", "unit", "driver", "date", "value"]).astype(
                {"date": "datetime64[ns]", "value": float})
        return self._cache["notes"].copy()

    def mainframe(self) -> pd.DataFrame:
        """Monthly peak MSU per LPAR against its licensed MSU."""
        rows = self.daily[self.daily["unit"] == "msu"]
        msu = rows.groupby([rows["date"].dt.to_period("M").rename("month"), "driver"], sort=True,
                           observed=True)["value"].max().rename("peak_msu").reset_index()
        licensed = {n: d.values["licensed_msu"] for n, d in self.scenario.drivers_of("mainframe").items()}
        msu["licensed_msu"] = msu["driver"].map(licensed)
        msu["over_licence"] = msu["peak_msu"] > msu["licensed_msu"]
        return msu.reset_index(drop=True)


# --- entry points -----------------------------------------------------------------------

def forecast(scenario: Scenario | str | None = None, *, draws: int = 0, seed: int = 0,
             progress: Callable[[str], None] | None = None) -> Forecast:
    """Simulate a scenario over its horizon.

    Parameters
    ----------
    scenario : Scenario, path, YAML text or None
        ``None`` runs the built-in example estate.
    draws : int, default 0
        Monte Carlo draws over the growth ranges; 0 runs only the central case.
    seed : int, default 0
        Seed of the random generator, so a Monte Carlo run repeats exactly.
    progress : callable, optional
        Called with a short message as each stage starts.

    Returns
    -------
    Forecast
    """
    began = time.perf_counter()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 0:
        raise ValueError(f"draws must be a whole number >= 0; got {draws!r}")
    say = progress or (lambda message: None)
    cal = Calendar.of(scenario.start, scenario.end)
    if draws:
        _check_memory(scenario, cal, draws)
    say(f"simulating {len(scenario.drivers)} drivers over {len(cal.days)} days")
    rates = _central_rates(scenario)
    stores: dict[str, np.ndarray] = {}
    labels, series = [], []
    for unit, capability, driver, values in _simulate(scenario, rates, cal, stores):
        values = np.broadcast_to(values, (1, len(cal.days)))[0]
        _refuse_absurd(values, unit, capability, driver, scenario)
        if np.any(values):
            labels.append((unit, capability, driver))
            series.append(values)
    n = len(cal.days)
    daily = pd.DataFrame({
        "date": np.tile(cal.days.to_numpy(), len(labels)),
        **{key: np.repeat(np.array([label[i] for label in labels], dtype=object), n)
           for i, key in enumerate(("unit", "capability", "driver"))},
        "value": np.concatenate(series) if series else np.array([], dtype=float)})
    store = pd.DataFrame({name: s[0] for name, s in stores.items()}, index=cal.days)
    bands, pool_draws = None, ()
    if draws:
        say(f"Monte Carlo: {draws} draws" + ("" if scenario.uncertain() else
                                             " (no driver has a growth range: every draw is the same)"))
        bands, pool_draws = _monte_carlo(scenario, cal, draws, seed)
    return Forecast(scenario, daily, store, bands, draws, time.perf_counter() - began, pool_draws)


def _refuse_absurd(values: np.ndarray, unit: str, capability: str, driver: str, scenario: Scenario) -> None:
    """Refuse results no estate produces: an overflow to inf, or a day above
    1e15 units, comes from a mistaken input (a growth of 2 meant as 2 %)."""
    if values.size and not np.nanmax(values) <= _checks.LARGEST:
        day = int(np.argmax(~(values <= _checks.LARGEST)))
        raise ScenarioError(f"{scenario.source}: driver {driver!r} reaches {values[day]:.3g} {UNITS[unit].symbol} "
                            f"a day ({capability}) on {(scenario.start + pd.Timedelta(days=day)).date()}, above "
                            f"{_checks.LARGEST:.0e}; check its volumes and growth (rates are fractions: 0.02 = 2 %)")


#: Upper bound on the memory a Monte Carlo run may keep [bytes]; larger runs are refused up front.
MONTE_CARLO_MEMORY = 2 * 1024 ** 3
_CHUNK_CELLS = 1 << 19    # draws x days simulated at once: about 4 MB per (draws x days) array
_CHUNK_ARRAYS = 32        # (draws x days) arrays alive at once while a chunk is simulated (an upper estimate)


def _monte_carlo_bytes(scenario: Scenario, cal: Calendar, draws: int) -> int:
    """Memory a Monte Carlo run keeps [bytes], an upper estimate: per draw the
    monthly total of every unit (and a copy while its percentiles are taken),
    the numbers sizing keeps per pool and contract year, and the drawn rates;
    plus one chunk of draws being simulated."""
    months = int(cal.month_no[-1]) + 1
    units = len(DPS_UNITS if scenario.contract.dps else CLASSIC_UNITS)   # what it can emit
    per_draw = 8 * months * (units + 1) + sizing.Recorder.bytes_per_draw(scenario) \
        + 8 * len(scenario.uncertain())
    chunk = min(draws, max(1, _CHUNK_CELLS // len(cal.days)))
    return draws * per_draw + _CHUNK_ARRAYS * chunk * len(cal.days) * 8


def _check_memory(scenario: Scenario, cal: Calendar, draws: int) -> None:
    need = _monte_carlo_bytes(scenario, cal, draws)
    if need > MONTE_CARLO_MEMORY:
        fits = draws
        while fits > 1 and _monte_carlo_bytes(scenario, cal, fits) > MONTE_CARLO_MEMORY:
            fits = fits * 9 // 10
        scale = 10 ** max(0, len(str(fits)) - 2)
        fits = fits // scale * scale     # two significant digits, rounded down: an estimate, not a promise
        raise ValueError(f"draws must be at most about {fits:,} for this scenario: {draws:,} draws would need "
                         f"about {need / 1024 ** 3:,.1f} GiB of memory (the limit is "
                         f"{MONTE_CARLO_MEMORY / 1024 ** 3:g} GiB)")


def _monte_carlo(scenario: Scenario, cal: Calendar, draws: int, seed: int
                 ) -> tuple[pd.DataFrame, tuple[sizing.PoolYear, ...]]:
    """P10 / P50 / P90 of each unit's monthly total over ``draws`` growth
    draws, and per pool and contract year the numbers sizing needs per draw.

    Draws are simulated in chunks of about 2^19 draw-days, so the (draws x
    days) arrays never exist for the whole run: what is kept per draw is one
    total per unit and month and three numbers per pool and contract year
    (:class:`planner.engine.sizing.Recorder`). Drivers without a growth range are
    simulated once and added to every chunk. The rates are drawn up front in
    driver order, so a seed gives the same draws whatever the chunk size.
    """
    month_starts = np.flatnonzero(np.r_[True, np.diff(cal.month_no) != 0])
    recorder = sizing.Recorder(scenario, cal.days, draws)
    monthly: dict[str, np.ndarray] = {}
    for lo, hi, totals in draw_chunks(scenario, cal, draws, seed):
        for unit, values in totals.items():
            reduce = np.maximum.reduceat if unit in PEAK_UNITS else np.add.reduceat
            if unit not in monthly:
                monthly[unit] = np.empty((draws, len(month_starts)))
            monthly[unit][lo:hi] = reduce(values, month_starts, axis=1)
        recorder.record(lo, hi, totals)
    months = cal.days[month_starts].to_period("M")
    rows = []
    for unit in (u for u in UNITS if u in monthly):
        p10, p50, p90 = np.percentile(monthly[unit], [10, 50, 90], axis=0)
        rows.append(pd.DataFrame({"month": months, "unit": unit, "p10": p10, "p50": p50, "p90": p90}))
    return pd.concat(rows, ignore_index=True), recorder.results(cal.days)


def draw_chunks(scenario: Scenario, cal: Calendar, draws: int, seed: int
                ) -> Iterator[tuple[int, int, dict[str, np.ndarray]]]:
    """The Monte Carlo draws in chunks: ``(lo, hi, totals)`` with, per unit, the
    (draws lo..hi or 1, days) totals. Without growth ranges one chunk stands for
    every draw (``hi == draws``)."""
    rng = np.random.default_rng(seed)
    rates = {}
    for name, driver in scenario.drivers.items():
        growth = driver.growth
        if growth and growth.range:
            low, high = growth.range
            rates[name] = growth.monthly(rng.uniform(low, high, size=draws))
    certain = replace(scenario, drivers={n: d for n, d in scenario.drivers.items() if n not in rates})
    uncertain = replace(scenario, drivers={n: d for n, d in scenario.drivers.items() if n in rates})
    base = _unit_totals(certain, _central_rates(certain), cal)
    step = max(1, _CHUNK_CELLS // len(cal.days))
    for lo in range(0, draws if rates else 1, step):   # without ranges every draw is the first
        hi = draws if not rates else min(draws, lo + step)
        yield lo, hi, _unit_totals(uncertain, {n: r[lo:hi] for n, r in rates.items()}, cal, base)


def _unit_totals(scenario: Scenario, rates: dict[str, np.ndarray], cal: Calendar,
                 base: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Per unit, the (draws or 1, days) sum over the scenario's components, added to ``base``."""
    totals = dict(base or {})
    for unit, _, _, values in _simulate(scenario, rates, cal):
        totals[unit] = totals.get(unit, 0.0) + np.atleast_2d(values)
    return totals


def _same_month(a: Any, b: Any) -> bool:
    return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and a == b)


def _against(frames: dict[str, pd.DataFrame], keys: list[str], base: str) -> pd.DataFrame:
    """Tidy rows of every scenario but the baseline, each next to the baseline's
    value for the same keys (0 where one side has no such consumption)."""
    baseline = frames[base].set_index(keys)["value"]
    rows = []
    for name, frame in frames.items():
        if name == base:
            continue
        mine = frame.set_index(keys)["value"]
        both = pd.concat({"value": mine, "baseline_value": baseline}, axis=1).fillna(0.0)
        both.insert(0, "baseline", base)
        both.insert(0, "scenario", name)
        rows.append(both.reset_index())
    out = pd.concat(rows, ignore_index=True)
    out["delta"] = out["value"] - out["baseline_value"]
    return _in_order(out[["scenario", "baseline", *keys, "value", "baseline_value", "delta"]], keys)


def _in_order(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows by scenario (as given), then ``keys`` with units in the order of UNITS."""
    order = {"scenario": {n: i for i, n in enumerate(dict.fromkeys(frame["scenario"]))},
             "unit": {u: i for i, u in enumerate(UNITS)}}
    return frame.sort_values(["scenario", *keys], kind="stable", key=lambda c: c.map(order[c.name]).fillna(len(UNITS))
                             if c.name in order else c).reset_index(drop=True)


_POOL_MEASURES = {"consumption": "consumption", "cost": "consumption_cost",
                  "extra_needed": "extra_needed", "extra_cost_at_price": "extra_needed_at_price"}


def _pool_deltas(pools: dict[str, pd.DataFrame], base: str) -> pd.DataFrame:
    """Per pool and contract year: each measure of every scenario, the baseline's and the delta."""
    keys = ["unit", "year"]

    def measures(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({name: frame[column] if column in frame else np.nan
                             for name, column in _POOL_MEASURES.items()}
                            | {k: frame[k] for k in keys}).set_index(keys)

    baseline = measures(pools[base])
    rows = []
    for name, frame in pools.items():
        if name == base:
            continue
        mine = measures(frame)
        both = mine.join(baseline.add_prefix("baseline_"), how="outer")
        for measure in _POOL_MEASURES:
            both[f"{measure}_delta"] = both[measure] - both[f"baseline_{measure}"]
        both.insert(0, "baseline", base)
        both.insert(0, "scenario", name)
        rows.append(both.reset_index())
    columns = ["scenario", "baseline", *keys] + [c for m in _POOL_MEASURES
                                                 for c in (m, f"baseline_{m}", f"{m}_delta")]
    if not rows:
        return pd.DataFrame(columns=columns)
    return _in_order(pd.concat(rows, ignore_index=True).reindex(columns=columns).astype({"year": "int64"}), keys)


def scenario_names(forecasts: Sequence[Forecast]) -> list[str]:
    """The names :func:`compare` gives the forecasts' scenarios: their own, or,
    when two are equal, each with its place (`` (1)``, `` (2)``, ...)."""
    names = [f.scenario.name for f in forecasts]
    return names if len(set(names)) == len(names) else [f"{n} ({i + 1})" for i, n in enumerate(names)]


def compare(*forecasts: Forecast) -> dict[str, pd.DataFrame]:
    """Compare two or more forecasts against the first (the baseline).

    Every frame is tidy and holds numbers only (labels, signs and units are the
    faces' business). Scenarios are named by their ``name``; equal names get
    `` (1)``, `` (2)``, ... in the order given.

    Returns
    -------
    dict of DataFrame
        ``monthly``: ``scenario``, ``baseline``, ``unit``, ``month`` (Period),
        ``value``, ``baseline_value``, ``delta`` [the unit; flows summed over
        the month, peaks its highest day], one row per compared scenario (not
        the baseline), unit and month.
        ``yearly``: the same per ``contract_year``, ``unit`` and ``capability``.
        ``pools``: per compared scenario, ``unit`` and contract ``year``:
        ``consumption``, ``cost`` (consumption x price), ``extra_needed`` and
        ``extra_cost_at_price`` (extra needed x price), each with ``baseline_<measure>``
        and ``<measure>_delta``; costs are NaN without a price.
        ``first_exceeded``: per pool and scenario (baseline included) the
        first month (Period, NaT if never) in which the pool is exceeded, and
        ``differs_from_baseline``.
    """
    if len(forecasts) < 2:
        raise ValueError(f"compare needs at least two forecasts; got {len(forecasts)}")
    names = scenario_names(forecasts)
    base = names[0]
    monthly = {n: f.monthly().rename_axis(columns="unit").stack().rename("value").reset_index()
               for n, f in zip(names, forecasts)}
    yearly = {n: f.yearly(("unit", "capability")) for n, f in zip(names, forecasts)}
    pools = {n: f.pools() for n, f in zip(names, forecasts)}
    rows = []
    for name, frame in pools.items():
        for unit in frame["unit"].unique() if len(frame) else []:
            run_out = frame.loc[frame["unit"] == unit, "run_out"].dropna()
            rows.append({"unit": unit, "scenario": name,
                         "first_exceeded": run_out.min().to_period("M") if len(run_out) else None})
    exceeded = pd.DataFrame(rows, columns=["unit", "scenario", "first_exceeded"])
    if len(exceeded):
        baseline = exceeded[exceeded["scenario"] == base].set_index("unit")["first_exceeded"]
        exceeded["differs_from_baseline"] = [
            not _same_month(row.first_exceeded, baseline.get(row.unit)) for row in exceeded.itertuples()]
    return {"monthly": _against(monthly, ["unit", "month"], base),
            "yearly": _against(yearly, ["contract_year", "unit", "capability"], base),
            "pools": _pool_deltas(pools, base), "first_exceeded": exceeded}
