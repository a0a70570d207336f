"""Tests of planner.support.

Expected values are worked out by hand from the Support Policy's table
"Response times / Initial Contact SLA" (Dynatrace Support Policy, effective
2024-01-04) and docs/rules.md#support-policy; the working is next to each case.

Calendar used below: 2025-03-10 is a Monday; the US change to EDT is Sunday
2025-03-09; Europe changes to CEST on Sunday 2025-03-30 (02:00 -> 03:00) and back
to CET on Sunday 2025-10-26 (03:00 -> 02:00).
"""

from __future__ import annotations

import datetime as dt

import holidays
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from planner.support import (end_of_support, response_deadline, response_targets,
                             severity_level)

VIE = "Europe/Vienna"
NY = "America/New_York"


def at(text: str, tz: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_localize(tz)


def check(opened, severity, plan, expected, tz=VIE, **kwargs):
    got = response_deadline(opened, severity, plan, tz=tz, **kwargs)
    assert got == at(expected, tz), got
    assert str(got.tz) == tz
    return got


# --------------------------------------------------------------------------
# Standard Critical: 4 business hours (business hours 08:00-17:00)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("opened, expected", [
    # Mon 15:00: 2 h to the 17:00 close, 2 h from Tue 08:00 -> Tue 10:00
    ("2025-03-10 15:00", "2025-03-11 10:00"),
    # Sat: clock starts Mon 08:00, + 4 h -> Mon 12:00
    ("2025-03-08 11:00", "2025-03-10 12:00"),
    # Tue 06:30 (before opening): clock starts 08:00, + 4 h -> 12:00
    ("2025-03-11 06:30", "2025-03-11 12:00"),
    # Mon 16:45: 15 min Mon, 3 h 45 min Tue from 08:00 -> Tue 11:45
    ("2025-03-10 16:45", "2025-03-11 11:45"),
    # Mon 13:00: 4 h end exactly at the close -> Mon 17:00 (not Tue 08:00)
    ("2025-03-10 13:00", "2025-03-10 17:00"),
    # Mon 17:00 sharp is after the close: clock starts Tue 08:00 -> Tue 12:00
    ("2025-03-10 17:00", "2025-03-11 12:00"),
    # Fri 14:20:30: 2 h 39 min 30 s Fri, 1 h 20 min 30 s Mon -> Mon 09:20:30
    ("2025-03-14 14:20:30", "2025-03-17 09:20:30"),
])
def test_standard_critical_four_business_hours(opened, expected):
    check(opened, 1, "standard", expected)


# --------------------------------------------------------------------------
# Standard High: next business day (17:00 of the first business day after the
# calendar day received)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("opened, expected", [
    ("2025-03-14 10:00", "2025-03-17 17:00"),  # Fri 10:00 -> Mon close
    ("2025-03-14 23:00", "2025-03-17 17:00"),  # Fri 23:00 -> Mon close
    ("2025-03-15 09:00", "2025-03-17 17:00"),  # Sat -> Mon close
    ("2025-03-16 22:00", "2025-03-17 17:00"),  # Sun -> Mon close
    # Mon 06:00: the day received is Monday whatever the hour -> Tue close
    ("2025-03-10 06:00", "2025-03-11 17:00"),
])
def test_standard_high_next_business_day(opened, expected):
    check(opened, "high", "standard", expected)


# --------------------------------------------------------------------------
# N business days: same local time N business days after the clock starts
# --------------------------------------------------------------------------

def test_business_days_inside_hours():
    # Standard Medium, 2 business days: Mon 10:00 -> Wed 10:00
    check("2025-03-10 10:00", "medium", "standard", "2025-03-12 10:00")
    # Standard Low, 4 business days: Mon 10:00 -> Fri 10:00
    check("2025-03-10 10:00", "low", "standard", "2025-03-14 10:00")


def test_business_days_clock_starts_at_next_opening():
    # Fri 18:00 is after the close: clock starts Mon 08:00; + 2 BD -> Wed 08:00
    check("2025-03-14 18:00", 3, "standard", "2025-03-19 08:00")
    # Tue 07:15 before opening: clock starts Tue 08:00; + 2 BD -> Thu 08:00
    check("2025-03-11 07:15", 3, "standard", "2025-03-13 08:00")


def test_enterprise_medium_is_one_business_day_standard_two():
    # Thu 16:30: Enterprise Medium (1 BD) -> Fri 16:30;
    # Standard Medium (2 BD) -> Fri (1), Mon (2) -> Mon 16:30
    check("2025-03-13 16:30", "medium", "enterprise", "2025-03-14 16:30")
    check("2025-03-13 16:30", "medium", "standard", "2025-03-17 16:30")


def test_business_days_across_new_year_with_holidays():
    # Standard Low (4 BD), Tue 2025-12-30 10:00 Vienna, country AT:
    # Wed Dec 31 (1), Thu Jan 1 holiday, Fri Jan 2 (2), Mon Jan 5 (3),
    # Tue Jan 6 Epiphany holiday, Wed Jan 7 (4) -> 2026-01-07 10:00.
    # Also exercises holiday years beyond the opened year.
    check("2025-12-30 10:00", "low", "standard", "2026-01-07 10:00", country="AT")


# --------------------------------------------------------------------------
# Public holidays, subdivisions and closures
# --------------------------------------------------------------------------

def test_eve_of_us_independence_day():
    # Thu 2025-07-03 15:00 New York: 2 h Thu; Fri Jul 4 holiday, Sat, Sun;
    # 2 h Mon from 08:00 -> Mon 2025-07-07 10:00
    check("2025-07-03 15:00", 1, "standard", "2025-07-07 10:00", tz=NY, country="US")
    # Without a country, Fri Jul 4 is a business day -> Fri 10:00
    check("2025-07-03 15:00", 1, "standard", "2025-07-04 10:00", tz=NY)
    # Next business day: first business day after Thu is Mon Jul 7 -> 17:00
    check("2025-07-03 09:00", 2, "standard", "2025-07-07 17:00", tz=NY, country="US")


def test_subdivision_holiday_epiphany():
    # Fri 2025-01-03 15:00 Berlin time, Standard Critical (4 business hours).
    # Bavaria (BY): Mon Jan 6 is Epiphany -> 2 h Fri + 2 h Tue -> Tue 10:00.
    # Berlin (BE): Jan 6 is a business day -> Mon 10:00.
    tz = "Europe/Berlin"
    check("2025-01-03 15:00", 1, "standard", "2025-01-07 10:00", tz=tz,
          country="DE", subdiv="BY")
    check("2025-01-03 15:00", 1, "standard", "2025-01-06 10:00", tz=tz,
          country="DE", subdiv="BE")
    # codes are matched regardless of case
    check("2025-01-03 15:00", 1, "standard", "2025-01-07 10:00", tz=tz,
          country="de", subdiv="by")


def test_closure_dates():
    # Mon 15:00 with Tue 2025-03-11 closed: 2 h Mon + 2 h Wed -> Wed 10:00
    check("2025-03-10 15:00", 1, "standard", "2025-03-12 10:00",
          closures=["2025-03-11"])
    # Standard Medium (2 BD) Mon 10:00 with Tue and Wed closed -> Thu (1), Fri (2)
    check("2025-03-10 10:00", 3, "standard", "2025-03-14 10:00",
          closures=[dt.date(2025, 3, 11), "2025-03-12"])
    # A single date is accepted as a list of one
    check("2025-03-10 15:00", 1, "standard", "2025-03-12 10:00", closures="2025-03-11")
    # Closures do not stop the 24 x 7 Enterprise Critical clock: Mon 15:30
    check("2025-03-10 15:00", 1, "enterprise", "2025-03-10 15:30",
          closures=["2025-03-10"])


# --------------------------------------------------------------------------
# Daylight saving time
# --------------------------------------------------------------------------

def test_enterprise_critical_across_spring_forward():
    # 01:50 CET = 00:50 UTC; + 30 min = 01:20 UTC = 03:20 CEST (02:00-03:00 skipped)
    got = check("2025-03-30 01:50", 1, "enterprise", "2025-03-30 03:20")
    assert got.utcoffset() == pd.Timedelta(hours=2)
    assert got - at("2025-03-30 01:50", VIE) == pd.Timedelta(minutes=30)


def test_standard_business_hours_across_us_dst_weekend():
    # Fri 2025-03-07 15:00 EST: 2 h Fri; Mon 08:00 EDT + 2 h -> Mon 10:00 EDT
    got = check("2025-03-07 15:00", 1, "standard", "2025-03-10 10:00", tz=NY, country="US")
    assert got.utcoffset() == pd.Timedelta(hours=-4)
    assert got.tz_convert("UTC") == pd.Timestamp("2025-03-10 14:00", tz="UTC")


def test_enterprise_high_across_autumn_change():
    # 00:30 CEST = 22:30 UTC (Oct 25); + 4 h = 02:30 UTC = 03:30 CET (the wall
    # clock shows 3 h because 02:00-03:00 is lived twice)
    got = check("2025-10-26 00:30", 2, "enterprise", "2025-10-26 03:30")
    assert got.utcoffset() == pd.Timedelta(hours=1)


def test_next_business_day_across_autumn_change():
    # Fri 2025-10-24 12:00 CEST -> Mon 2025-10-27 17:00 CET (local close)
    got = check("2025-10-24 12:00", 2, "standard", "2025-10-27 17:00")
    assert got.utcoffset() == pd.Timedelta(hours=1)


# --------------------------------------------------------------------------
# Enterprise vs Standard for the same ticket (Mon 2025-03-10 15:00 Vienna)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("severity, standard, enterprise", [
    # Critical: 4 business hours (2 h Mon + 2 h Tue) vs 30 minutes
    ("critical", "2025-03-11 10:00", "2025-03-10 15:30"),
    # High: next business day (Tue close) vs 4 hours wall clock (Mon 19:00)
    ("high", "2025-03-11 17:00", "2025-03-10 19:00"),
    # Medium: 2 business days (Wed 15:00) vs 1 business day (Tue 15:00)
    ("medium", "2025-03-12 15:00", "2025-03-11 15:00"),
    # Low: 4 business days (Fri 15:00) vs 2 business days (Wed 15:00)
    ("low", "2025-03-14 15:00", "2025-03-12 15:00"),
])
def test_enterprise_vs_standard(severity, standard, enterprise):
    check("2025-03-10 15:00", severity, "standard", standard)
    check("2025-03-10 15:00", severity, "enterprise", enterprise)


def test_enterprise_wall_clock_ignores_weekends():
    # Sat 23:50 + 30 min -> Sun 00:20 (24 x 7)
    check("2025-03-15 23:50", 1, "enterprise", "2025-03-16 00:20")


# --------------------------------------------------------------------------
# Enterprise for Government: 08:00-20:00 America/New_York, every day
# --------------------------------------------------------------------------

def test_government_critical_after_window_close():
    # Wed 19:45 ET: 15 min to 20:00, 15 min from Thu 08:00 -> Thu 08:15 ET
    check("2025-03-12 19:45", 1, "enterprise", "2025-03-13 08:15", tz=NY, government=True)


def test_government_critical_on_saturday():
    # Saturday is inside the window (7 days a week): 10:00 + 30 min -> 10:30
    check("2025-03-15 10:00", 1, "enterprise", "2025-03-15 10:30", tz=NY, government=True)
    # so is a US public holiday: Fri 2025-07-04 10:00 -> 10:30
    check("2025-07-04 10:00", 1, "enterprise", "2025-07-04 10:30", tz=NY,
          country="US", government=True)


def test_government_ticket_in_another_time_zone():
    # Wed 2025-03-12 01:00 Vienna (CET, UTC+1) = 00:00 UTC = Tue 20:00 EDT
    # (the US is already on EDT, Europe not yet on CEST). 20:00 is the window's
    # close, so the clock starts Wed 08:00 EDT; + 30 min = 08:30 EDT
    # = 12:30 UTC = 13:30 CET, returned in the customer's zone.
    got = check("2025-03-12 01:00", 1, "enterprise", "2025-03-12 13:30", tz=VIE,
                government=True)
    assert got.tz_convert(NY) == at("2025-03-12 08:30", NY)


def test_government_high_four_hours():
    # Wed 18:00 ET: 2 h to 20:00, 2 h from Thu 08:00 -> Thu 10:00 ET
    check("2025-03-12 18:00", 2, "enterprise", "2025-03-13 10:00", tz=NY, government=True)


def test_government_medium_counts_business_days_in_customer_zone():
    # Same as Enterprise: Fri 10:00 Vienna + 1 BD -> Mon 10:00 Vienna
    check("2025-03-14 10:00", 3, "enterprise", "2025-03-17 10:00", government=True)


# --------------------------------------------------------------------------
# Time zones of `opened`
# --------------------------------------------------------------------------

def test_aware_opened_is_converted_to_local_time():
    # 14:00 UTC = 15:00 CET Monday -> Standard Critical as above: Tue 10:00 Vienna
    check("2025-03-10T14:00:00Z", 1, "standard", "2025-03-11 10:00")
    check(pd.Timestamp("2025-03-10 14:00", tz="UTC"), 1, "standard", "2025-03-11 10:00")
    # 06:00 UTC Saturday = 17:00 Sydney (AEDT, UTC+11): Mon 08:00 + 4 h -> Mon 12:00
    check(dt.datetime(2025, 3, 15, 6, 0, tzinfo=dt.timezone.utc), 1, "standard",
          "2025-03-17 12:00", tz="Australia/Sydney")


# --------------------------------------------------------------------------
# end_of_support (policy "Version support"; table version_support)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("released, product, plan, expected", [
    ("2024-01-31", "saas", "standard", "2024-10-31"),        # 9 months, Oct has 31 days
    ("2023-05-31", "saas", "enterprise", "2024-05-31"),      # 12 months
    ("2024-05-31", "saas", "standard", "2025-02-28"),        # 9 months, no Feb 31
    ("2024-02-29", "managed", "enterprise", "2025-02-28"),   # leap day + 12, no Feb 29
    ("2024-02-29", "managed", "standard", "2024-11-29"),     # 9 months
    ("2024-10-31", "cluster", "standard", "2025-01-31"),     # cluster 3 months
    ("2024-11-30", "cluster", "enterprise", "2025-03-30"),   # cluster 4 months
    ("2023-05-31", "cluster", "enterprise", "2023-09-30"),   # 4 months, no Sep 31
])
def test_end_of_support(released, product, plan, expected):
    assert end_of_support(released, product, plan) == dt.date.fromisoformat(expected)


def test_end_of_support_accepts_dates_and_any_case():
    assert end_of_support(dt.date(2024, 1, 31), "SaaS", "Standard") == dt.date(2024, 10, 31)
    assert end_of_support(pd.Timestamp("2024-01-31 10:00"), "saas", "standard") \
        == dt.date(2024, 10, 31)


# --------------------------------------------------------------------------
# response_targets and severity_level
# --------------------------------------------------------------------------

def test_response_targets():
    frame = response_targets()
    assert list(frame.columns) == ["plan", "severity", "name", "target", "amount",
                                   "clock", "definition"]
    assert len(frame) == 8
    row = frame[(frame["plan"] == "enterprise") & (frame["severity"] == 1)].iloc[0]
    assert (row["name"], row["target"], row["amount"], row["clock"]) == \
        ("critical", "30 minutes", 30, "wall_minutes")
    assert frame["definition"].notna().all()
    standard = response_targets("Standard")
    assert list(standard["severity"]) == [1, 2, 3, 4]
    assert list(standard["target"]) == ["4 Business hours", "Next business day",
                                        "2 Business days", "4 Business days"]


@pytest.mark.parametrize("value, level", [
    (1, 1), (4, 4), ("critical", 1), ("HIGH", 2), (" Medium ", 3), ("low", 4)])
def test_severity_level(value, level):
    assert severity_level(value) == level


# --------------------------------------------------------------------------
# Bad input: every error names the argument
# --------------------------------------------------------------------------

OPENED = "2025-03-10 10:00"


@pytest.mark.parametrize("kwargs, match", [
    ({"severity": 5}, r"severity must be one of 1, 2, 3, 4, 'critical'.*got 5"),
    ({"severity": "urgent"}, r"severity .*got 'urgent'"),
    ({"severity": True}, r"severity .*got True"),
    ({"plan": "gold"}, r"plan must be one of 'standard', 'enterprise'; got 'gold'"),
    ({"tz": "Mars/Base"}, r"tz must be an IANA time zone.*'Mars/Base'"),
    ({"country": "XX"}, r"country .*got 'XX'"),
    ({"country": "DE", "subdiv": "XX"}, r"subdiv must be a subdivision of DE; got 'XX'"),
    ({"subdiv": "BY"}, r"subdiv 'BY' needs a country"),
    ({"opened": "not a date"}, r"opened is not a valid date-time: 'not a date'"),
    ({"opened": "NaT"}, r"opened is not a valid date-time"),
    ({"opened": "2025-03-30 02:30"}, r"opened '2025-03-30 02:30:00' does not exist"),
    ({"opened": "2025-10-26 02:30"}, r"opened .*ambiguous"),
    ({"closures": ["2025-13-01"]}, r"closures must hold dates.*position 0"),
    ({"closures": ["2025-03-11", "2025-03-11 10:00"]}, r"closures .*position 1"),
    ({"closures": 5}, r"closures must be an iterable"),
    ({"government": True, "plan": "standard"},
     r"government applies to plan 'enterprise' only"),
])
def test_bad_input_names_the_argument(kwargs, match):
    args = {"opened": OPENED, "severity": 1, "plan": "enterprise", "tz": VIE, **kwargs}
    with pytest.raises(ValueError, match=match):
        response_deadline(args.pop("opened"), args.pop("severity"), args.pop("plan"),
                          **args)


def test_bad_types_name_the_argument():
    with pytest.raises(TypeError, match="opened must be a date-time"):
        response_deadline(1741600800, 1, "standard", tz=VIE)
    with pytest.raises(TypeError, match="government must be True or False"):
        response_deadline(OPENED, 1, "enterprise", tz=VIE, government="yes")


@pytest.mark.parametrize("args, match", [
    (("2024-01-31", "onprem", "standard"), r"product must be one of 'saas', 'managed', "
                                           r"'cluster'; got 'onprem'"),
    (("2024-01-31", "saas", "gold"), r"plan .*got 'gold'"),
    (("2024-02-30", "saas", "standard"), r"released is not a valid date-time"),
])
def test_end_of_support_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        end_of_support(*args)


def test_end_of_support_bad_type():
    with pytest.raises(TypeError, match="released must be a date-time"):
        end_of_support(None, "saas", "standard")


def test_response_targets_bad_plan():
    with pytest.raises(ValueError, match="plan .*'gold'"):
        response_targets("gold")


# --------------------------------------------------------------------------
# Property: deadlines are never early and business clocks end in business hours
# --------------------------------------------------------------------------

ZONES = [VIE, NY, "Australia/Sydney", "Asia/Kolkata"]
CALENDARS = [(None, None), ("US", None), ("AT", None), ("DE", "BY")]
CLOCK = {("standard", 1): "hours", ("standard", 2): "hours", ("standard", 3): "days",
         ("standard", 4): "days", ("enterprise", 3): "days", ("enterprise", 4): "days"}


def business_time(start, end, country, subdiv):
    """Business time between two local wall times, day by day (test oracle)."""
    off = set(holidays.country_holidays(country, subdiv=subdiv,
                                        years=[start.year, end.year])) if country else set()
    total = pd.Timedelta(0)
    for day in pd.date_range(start.normalize(), end.normalize(), freq="D"):
        if day.weekday() < 5 and day.date() not in off:
            lo = max(start, day + pd.Timedelta(hours=8))
            hi = min(end, day + pd.Timedelta(hours=17))
            total += max(hi - lo, pd.Timedelta(0))
    return total


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much])
@given(opened=st.datetimes(min_value=dt.datetime(2024, 1, 1),
                           max_value=dt.datetime(2026, 12, 31)),
       tz=st.sampled_from(ZONES), severity=st.integers(1, 4),
       plan=st.sampled_from(["standard", "enterprise"]),
       calendar=st.sampled_from(CALENDARS),
       government=st.booleans())
def test_deadline_property(opened, tz, severity, plan, calendar, government):
    government = government and plan == "enterprise"
    local = pd.Timestamp(opened).tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    assume(local is not pd.NaT)
    country, subdiv = calendar
    got = response_deadline(opened, severity, plan, tz=tz, country=country,
                            subdiv=subdiv, government=government)
    assert str(got.tz) == tz
    assert got >= local
    kind = CLOCK.get((plan, severity))
    if kind is None:
        if government:  # the clock ends inside the 08:00-20:00 ET window
            et = got.tz_convert(NY)
            assert dt.time(8) < et.time() <= dt.time(20)
        return
    wall = got.tz_localize(None)
    if kind == "hours":  # time is consumed: strictly after the opening
        assert dt.time(8) < wall.time() <= dt.time(17)
    else:  # same local time as the clock start, inside [08:00, 17:00)
        assert dt.time(8) <= wall.time() < dt.time(17)
    if (plan, severity) == ("standard", 1):
        # counted independently: exactly 4 h of business time in between
        assert business_time(local.tz_localize(None), wall, country, subdiv) \
            == pd.Timedelta(hours=4)
    assert wall.weekday() < 5
    if country is not None:
        assert wall.date() not in holidays.country_holidays(
            country, subdiv=subdiv, years=[wall.year])


# --- rule values come from the table set ------------------------------------------------

def test_weekend_days_and_the_government_plan_are_read_from_the_tables(tmp_path):
    from planner import support
    from planner.tableset import RULES_FILE, TableError, export_tables, load_tables
    assert support.GOVERNMENT_PLAN == "enterprise"          # the default set's rule
    folder = export_tables(tmp_path / "contract")
    text = (folder / RULES_FILE).read_text()
    (folder / RULES_FILE).write_text(
        text.replace("value: [saturday, sunday]", "value: [friday, saturday]")
            .replace("  support_government_plan:\n    value: enterprise",
                     "  support_government_plan:\n    value: standard"))
    contract = load_tables(folder)
    opened = "2025-03-06 15:00"       # a Thursday
    # default: 2 h Thursday (15:00-17:00) + 2 h Friday from 08:00 -> Fri 10:00
    assert response_deadline(opened, 1, "standard", tz="UTC") == at("2025-03-07 10:00", "UTC")
    # Friday and Saturday off: 2 h Thursday + 2 h Sunday from 08:00 -> Sun 10:00
    assert response_deadline(opened, 1, "standard", tz="UTC", tables=contract) == at("2025-03-09 10:00", "UTC")
    # the government window belongs to the plan the rule names
    with pytest.raises(ValueError, match=r"government applies to plan 'standard' only"):
        response_deadline(opened, 1, "enterprise", tz="UTC", government=True, tables=contract)
    (folder / RULES_FILE).write_text(text.replace("value: [saturday, sunday]", "value: [caturday]"))
    with pytest.raises(TableError, match=r"support_weekend_days must name days of the week.*\['caturday'\]"):
        response_deadline(opened, 1, "standard", tz="UTC", tables=load_tables(folder))
