"""Host units, host unit hours, included custom metrics, custom-metric DDU, ASU, CAU.

Reference values are quoted from the Platform Usage Supplement (effective
2022-11-15), "Application and Infrastructure Monitoring - Unit Weighting Table",
"Custom metrics" and "Application Security", or worked out by hand from
docs/rules.md#host-units-and-host-unit-hours and
docs/rules.md#application-security-asu-and-cloud-automation-cau.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planner
from planner import (
    asu_per_hour,
    cau,
    custom_metric_ddu,
    host_unit_hours,
    host_units,
    included_custom_metrics,
    run_hours,
)

# Supplement, Unit Weighting Table, every row: (max RAM [GB], full-stack HU, infrastructure HU)
SUPPLEMENT_HOST_UNIT_ROWS = [
    (1.6, 0.1, 0.03), (4, 0.25, 0.075), (8, 0.5, 0.15), (16, 1, 0.3), (32, 2, 0.6),
    (48, 3, 0.9), (64, 4, 1), (80, 5, 1), (96, 6, 1), (112, 7, 1),
]


@pytest.mark.parametrize("ram, fullstack, infrastructure", SUPPLEMENT_HOST_UNIT_ROWS)
def test_host_units_reproduce_every_row_of_the_supplement_table(ram, fullstack, infrastructure):
    assert host_units(ram) == fullstack
    assert host_units(ram, "infrastructure") == infrastructure


@pytest.mark.parametrize("ram, fullstack, infrastructure", [
    (0.5, 0.1, 0.03),        # well inside Micro
    (1.61, 0.25, 0.075),     # just above Micro's 1.6 limit -> Extra Small
    (4.0001, 0.5, 0.15),     # just above 4 -> Small
    (8.01, 1, 0.3),          # just above 8 -> Regular
    (16.01, 2, 0.6),         # docs/rules.md#host-units-above-16-gib: ceil(16.01 / 16) = 2
    (17, 2, 0.6),            # 17 GiB is 2 HU full-stack and 0.6 HU infrastructure
    (32.5, 3, 0.9),          # ceil(32.5 / 16) = 3
    (65, 5, 1.0),            # ceil(65 / 16) = 5, infrastructure capped at 1.0
    (100, 7, 1.0),           # 100 GiB is 7 HU and 1.0
    (1024, 64, 1.0),         # 1 TiB host
])
def test_host_units_at_and_above_class_boundaries(ram, fullstack, infrastructure):
    assert host_units(ram) == fullstack
    assert host_units(ram, "infrastructure") == infrastructure


def test_infrastructure_cap_is_configurable():
    # docs/rules.md#infrastructure-cap: without the cap infrastructure is 0.3 x N: 64 GiB -> 0.3 x 4 = 1.2,
    # 100 GiB -> 0.3 x 7 = 2.1; a cap of 2 gives min(2, 2.1) = 2.
    assert host_units(64, "infrastructure", infra_cap=False) == 1.2
    assert host_units(100, "infrastructure", infra_cap=False) == 2.1
    assert host_units(100, "infrastructure", infra_cap=2) == 2.0
    # The cap only applies above the classes and never to full-stack.
    assert host_units(16, "infrastructure", infra_cap=False) == 0.3
    assert host_units(100, infra_cap=False) == 7


def test_host_units_keep_the_input_shape():
    ram = pd.Series([2, 16, 17], index=["web-1", "db-1", "db-2"])
    result = host_units(ram, "fullstack")
    assert isinstance(result, pd.Series)
    assert result.to_dict() == {"web-1": 0.25, "db-1": 1.0, "db-2": 2.0}
    array = host_units(np.array([[1, 4], [8, 64]]))
    assert isinstance(array, np.ndarray) and array.tolist() == [[0.1, 0.25], [0.5, 4.0]]
    assert host_units([2, 4]).tolist() == [0.25, 0.25]
    assert isinstance(host_units(8), float)


def test_host_unit_hours():
    # 64 GiB full-stack for 10 h a day over 30 days: 4 HU x 300 h = 1200 HU h
    assert host_unit_hours(64, 300) == 1200.0
    # infrastructure 32 GiB around the clock for a day: 0.6 x 24 = 14.4
    assert host_unit_hours(32, 24, "infrastructure") == 14.4
    hours = pd.Series([24, 12], index=["a", "b"])
    assert host_unit_hours(pd.Series([8, 17], index=["a", "b"]), hours).to_dict() == \
        {"a": 12.0, "b": 24.0}


def _runs(*rows):
    return pd.DataFrame(rows, columns=["host", "start", "end"]).assign(
        start=lambda f: pd.to_datetime(f["start"]), end=lambda f: pd.to_datetime(f["end"]))


def test_run_hours_counts_calendar_hours_with_five_minutes_or_more():
    runs = _runs(
        ("a", "2025-01-01 10:00", "2025-01-01 12:30"),   # 10h, 11h full, 12h 30 min -> 3
        ("b", "2025-01-01 10:56", "2025-01-01 11:04"),   # 4 min + 4 min -> 0
        ("c", "2025-01-01 10:55", "2025-01-01 11:00"),   # exactly 5 min -> 1
        ("d", "2025-01-01 10:00", "2025-01-01 10:03"),   # 3 min ...
        ("d", "2025-01-01 10:30", "2025-01-01 10:33"),   # ... + 3 min in the same hour -> 1
        ("e", "2025-01-01 10:00", "2025-01-01 10:40"),   # overlapping runs merge:
        ("e", "2025-01-01 10:20", "2025-01-01 11:02"),   # 10h full, 11h 2 min -> 1
    )
    assert run_hours(runs).to_dict() == {"a": 3, "b": 0, "c": 1, "d": 1, "e": 1}


def test_run_hours_use_utc_for_aware_timestamps():
    # 09:50-10:10 in India (+05:30) is 04:20-04:40 UTC: one UTC hour, 20 min -> 1
    runs = _runs(("a", "2025-01-01 09:50+05:30", "2025-01-01 10:10+05:30"))
    assert run_hours(runs).to_dict() == {"a": 1}


def test_host_unit_hours_from_intervals():
    runs = _runs(("a", "2025-01-01 00:00", "2025-01-01 10:02"))   # 10 full hours, 2 min -> 10
    assert host_unit_hours(64, run_hours(runs)).to_dict() == {"a": 40.0}


@pytest.mark.parametrize("ram, fullstack", [
    (1.6, 200), (4, 250), (8, 500), (16, 1000), (32, 2000), (48, 3000), (64, 4000),
    (80, 5000), (96, 6000), (112, 7000),   # Supplement, included custom metrics table
    (0.5, 200), (16.01, 2000), (65, 5000),  # docs/rules.md#included-custom-metrics: max(200, 1000 x HU)
])
def test_included_custom_metrics(ram, fullstack):
    assert included_custom_metrics(ram) == fullstack
    assert included_custom_metrics(ram, "infrastructure") == 200   # "always include 200"


def test_custom_metric_ddu_supplement_examples():
    # Supplement: 1 data point x 60 min x 24 h x 365 days x 0.001 = 525.6 DDU per metric/year
    assert custom_metric_ddu(1, minutes=60 * 24 * 365) == 525.6
    # Supplement: 200 metric data points x 0.001 = 0.2 DDU
    assert custom_metric_ddu(200) == 0.2


def test_custom_metric_excess_is_per_host_and_per_minute():
    # A 16 GiB full-stack host includes 1000 a minute. Minutes of 900, 1300, 1000:
    # excess 0, 300, 0 -> 0.3 DDU; the 100 unused in minute 1 offsets nothing.
    minutes = np.array([900, 1300, 1000])
    assert custom_metric_ddu(minutes, ram_gib=16).tolist() == [0.0, 0.3, 0.0]
    # Two hosts: one 500 under its allowance, one 500 over: the under never offsets
    per_host = custom_metric_ddu(pd.Series([500, 1500], index=["a", "b"]), ram_gib=16)
    assert per_host.sum() == 0.5
    # infrastructure 64 GiB includes only 200: 1200 -> 1000 over -> 1.0 DDU a minute
    assert custom_metric_ddu(1200, ram_gib=64, mode="infrastructure") == 1.0
    # metrics through the API have no allowance: 1200 -> 1.2 DDU a minute
    assert custom_metric_ddu(1200) == 1.2
    # a steady 1300 for a day on the 16 GiB host: 300 x 1440 x 0.001 = 432 DDU
    assert custom_metric_ddu(1300, ram_gib=16, minutes=1440) == 432.0


@pytest.mark.parametrize("ram, va, both", [
    (1.6, 0.1, 0.2), (4, 0.25, 0.5), (8, 0.5, 1), (16, 1, 2), (32, 2, 4), (48, 3, 6),
    (64, 4, 8), (80, 5, 10),                # Supplement, ASU Weighting Table rows
    (100, 7, 14), (16.01, 2, 4),            # docs/rules.md#asu-ram-classes: N = ceil(RAM / 16), no cap
])
def test_asu_per_hour(ram, va, both):
    assert asu_per_hour(ram) == va
    assert asu_per_hour(ram, protection=True) == both


def test_asu_supplement_examples():
    # Supplement: 64 GB consumes 4 ASU/h or 96 a day; with protection 8 ASU/h or 192 a day
    assert asu_per_hour(64) * 24 == 96
    assert asu_per_hour(64, protection=True) * 24 == 192


def test_protection_alone_is_an_error():
    with pytest.raises(ValueError, match="protection=True requires vulnerability_analytics"):
        asu_per_hour(16, protection=True, vulnerability_analytics=False)
    assert asu_per_hour(16, vulnerability_analytics=False) == 0.0


def test_cau_one_per_service_execution():
    assert cau(1500) == 1500.0
    assert cau(pd.Series([0, 3])).tolist() == [0.0, 3.0]


# --- a column of modes (categorical arguments aligned with the numbers) -------------

# One inventory: RAM [GiB] and mode per host, with hand-worked values.
INVENTORY = pd.DataFrame({"ram_gib": [4, 17, 100, 17, 8],
                          "mode": ["fullstack", "infrastructure", "infrastructure", "fullstack",
                                   " Infrastructure "]},    # any case, padded: still infrastructure
                         index=["h1", "h2", "h3", "h4", "h5"])
# host units:  4 GiB full-stack = 0.25 (Extra Small); 17 infra = 0.3 x ceil(17/16) = 0.6;
#              100 infra = min(1.0, 0.3 x 7) = 1.0; 17 full = ceil(17/16) = 2; 8 infra = 0.15
HOST_UNITS = [0.25, 0.6, 1.0, 2.0, 0.15]


def test_host_units_take_a_column_of_modes():
    result = host_units(INVENTORY["ram_gib"], INVENTORY["mode"])
    assert isinstance(result, pd.Series) and result.index.equals(INVENTORY.index)
    assert result.tolist() == HOST_UNITS


@pytest.mark.parametrize("convert", [list, np.array, lambda s: s.to_numpy(dtype=object),
                                     lambda s: s.astype("category")])
def test_host_units_take_modes_as_a_list_an_array_or_categories(convert):
    ram, mode = INVENTORY["ram_gib"].to_numpy(), convert(INVENTORY["mode"])
    result = host_units(ram, mode)
    expected_type = pd.Series if isinstance(mode, pd.Series) else np.ndarray
    assert isinstance(result, expected_type)
    assert list(result) == HOST_UNITS


def test_one_ram_with_many_modes_and_many_rams_with_one_mode():
    # the result takes the shape of whichever argument is an array
    assert host_units(17, ["fullstack", "infrastructure"]).tolist() == [2.0, 0.6]
    assert host_units([17, 100], "infrastructure").tolist() == [0.6, 1.0]
    assert host_units(17, "infrastructure") == 0.6 and isinstance(host_units(17), float)


def test_host_unit_hours_included_metrics_and_excess_take_a_column_of_modes():
    ram, mode = INVENTORY["ram_gib"], INVENTORY["mode"]
    hours = pd.Series([10, 10, 24, 5, 0], index=INVENTORY.index)
    # HU x h: 0.25 x 10, 0.6 x 10, 1.0 x 24, 2 x 5, 0.15 x 0
    assert host_unit_hours(ram, hours, mode).tolist() == [2.5, 6.0, 24.0, 10.0, 0.0]
    # full-stack max(200, 1000 x HU): 250 and 2000; infrastructure always 200
    assert included_custom_metrics(ram, mode).tolist() == [250.0, 200.0, 200.0, 2000.0, 200.0]
    # 1200 a minute for one minute, excess x 0.001: (1200 - 250), (1200 - 200) x 3, 0 (2000 included)
    assert custom_metric_ddu(1200, ram, mode).tolist() == [0.95, 1.0, 1.0, 0.0, 1.0]
    # a mixed column gives what the modes give one by one
    one_by_one = [host_units(r, m.strip().lower()) for r, m in zip(ram, mode)]
    assert host_units(ram, mode).tolist() == one_by_one


def test_asu_take_columns_of_switches_or_levels():
    ram = pd.Series([64, 64, 64, 8], index=list("abcd"))
    # 64 GiB: N = 4 ASU/h analytics, 8 with protection; 8 GiB: 0.5 and 1
    by_level = asu_per_hour(ram, level=["none", "vulnerability_analytics", "protection", "Protection"])
    assert by_level.index.equals(ram.index) and by_level.tolist() == [0.0, 4.0, 8.0, 1.0]
    by_switch = asu_per_hour(ram, protection=np.array([False, False, True, True]),
                             vulnerability_analytics=[False, True, True, True])
    assert by_switch.tolist() == [0.0, 4.0, 8.0, 1.0]


def test_a_bad_mode_names_the_argument_the_first_bad_position_and_the_allowed_values():
    with pytest.raises(ValueError, match=r"mode must be one of 'fullstack', 'infrastructure'; "
                                         r"got 'apm' at position 2$"):
        host_units([4, 8, 16, 32], ["fullstack", "infrastructure", "apm", "other"])
    mode = INVENTORY["mode"].copy()
    mode.iloc[2] = "full-stack"
    with pytest.raises(ValueError, match=r"got 'full-stack' at position 2 \(index 'h3'\)"):
        host_unit_hours(INVENTORY["ram_gib"], 1, mode)
    with pytest.raises(ValueError, match=r"mode must be one of .*; got None at position 1"):
        included_custom_metrics([4, 4], np.array(["fullstack", None], dtype=object))
    with pytest.raises(ValueError, match=r"level must be one of 'none', 'vulnerability_analytics', "
                                         r"'protection'; got 'rap' at position 1"):
        asu_per_hour([8, 8], level=["none", "rap"])
    with pytest.raises(ValueError, match=r"protection=True requires vulnerability_analytics=True.* "
                                         r"at position 1"):
        asu_per_hour([8, 8], protection=[False, True], vulnerability_analytics=[True, False])
    with pytest.raises(ValueError, match=r"shapes that do not fit together"):
        host_units([4, 8], ["fullstack"] * 3)
    with pytest.raises(ValueError, match=r"Series ram_gib and mode must share the same index"):
        host_units(INVENTORY["ram_gib"], INVENTORY["mode"].reset_index(drop=True))


def test_many_hosts_are_computed_per_mode_not_per_row():
    # a million hosts of two modes: the answer is exact and the modes are looked up twice
    ram = np.full(1_000_000, 17.0)
    mode = np.where(np.arange(ram.size) % 2 == 0, "fullstack", "infrastructure")
    # half at 2 HU, half at 0.6 HU: 500,000 x 2.6
    assert host_units(ram, mode).sum() == pytest.approx(1_300_000.0, rel=1e-12)


# --- properties -------------------------------------------------------------

ram_values = st.floats(min_value=0.01, max_value=4096, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(a=ram_values, b=ram_values, mode=st.sampled_from(["fullstack", "infrastructure"]))
def test_host_units_never_fall_as_ram_grows(a, b, mode):
    low, high = sorted((a, b))
    assert host_units(low, mode) <= host_units(high, mode)
    assert included_custom_metrics(low, mode) <= included_custom_metrics(high, mode)
    assert asu_per_hour(low) <= asu_per_hour(high)


@settings(max_examples=100, deadline=None)
@given(st.lists(ram_values, min_size=1, max_size=40))
def test_host_units_add_up_over_hosts(rams):
    # the estate total equals the sum of the hosts taken one by one
    total = host_units(np.array(rams)).sum()
    assert total == pytest.approx(sum(host_units(r) for r in rams), rel=1e-12)
    assert host_units(np.array(rams), "infrastructure").sum() <= total


# --- bad input ----------------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: host_units(-1), r"ram_gib must be > 0; got -1\.0"),
    (lambda: host_units(0), r"ram_gib must be > 0"),
    (lambda: host_units(float("nan")), r"ram_gib must be finite"),
    (lambda: host_units(pd.Series([4, -2], index=["a", "b"])), r"-2\.0 at index 'b'"),
    (lambda: host_units([4, np.inf]), r"ram_gib must be finite; got inf at position 1"),
    (lambda: host_units(16, "full"), r"mode must be one of 'fullstack', 'infrastructure'; got 'full'"),
    (lambda: host_units(16, "infrastructure", infra_cap=-1), r"infra_cap must be"),
    (lambda: host_unit_hours(16, -5), r"hours must be >= 0; got -5\.0"),
    (lambda: host_unit_hours([1, 2], [1, 2, 3]), r"shapes that do not fit"),
    (lambda: included_custom_metrics(16, "hybrid"), r"mode must be one of"),
    (lambda: custom_metric_ddu(-1), r"metrics_per_minute must be >= 0"),
    (lambda: custom_metric_ddu(10, ram_gib=-4), r"ram_gib must be > 0"),
    (lambda: asu_per_hour(0), r"ram_gib must be > 0"),
    (lambda: cau(1.5), r"executions must be a whole number; got 1\.5"),
    (lambda: cau(-1), r"executions must be >= 0"),
    (lambda: run_hours(pd.DataFrame({"host": ["a"], "start": ["2025-01-01"]})),
     r"intervals is missing column\(s\) \['end'\]"),
    (lambda: run_hours(_runs(("a", "2025-01-01 10:00", "2025-01-01 09:00"))),
     r"row 0 ends before it starts"),
    (lambda: run_hours(pd.DataFrame({"host": ["a"], "start": ["soon"], "end": ["later"]})),
     r"column 'start' must hold timestamps"),
])
def test_bad_input_names_the_argument_and_value(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("call", [
    lambda: host_units("16"), lambda: host_units(None), lambda: host_units(True),
    lambda: host_units(pd.DataFrame({"ram": [1]})), lambda: asu_per_hour(16, protection="yes"),
    lambda: run_hours([("a", 1, 2)]),
])
def test_wrong_types_raise_type_error(call):
    with pytest.raises(TypeError):
        call()


def test_public_names_are_importable():
    for name in ["host_units", "host_unit_hours", "included_custom_metrics", "custom_metric_ddu",
                 "asu_per_hour", "cau", "run_hours"]:
        assert callable(getattr(planner, name))
