"""Rows become customers: an empty cell takes its default, every bad cell is an error
naming the row (and the column), and a customer the trip can never meet is a warning."""

from __future__ import annotations

from datetime import date

import pytest

from tripopt.customers import RawRow, RawTable, build_customers, customer_from_row
from tripopt.errors import Problem
from tripopt.geo import CACHE_FILE_NAME, AddressCache
from tripopt.grammar import parse_hours
from tripopt.model import Place, Trip
from tripopt.schema import DefaultsIn

PLACES = {"hotel": Place("hotel", 41.8868, -87.6217, "Hotel"), "venue": Place("venue", 41.8789, -87.6359, "Venue")}
DEFAULTS = DefaultsIn()
HOURS = parse_hours(DEFAULTS.hours)
TRIP = Trip(start=date(2026, 10, 5), end=date(2026, 10, 6), day_start_minute=8 * 60, day_end_minute=18 * 60)
ORIGIN = "accounts.csv line 2 (Acme)"
AT = {"lat": "41.9", "lon": "-87.6"}


@pytest.fixture
def addresses(tmp_path) -> AddressCache:
    return AddressCache(tmp_path / CACHE_FILE_NAME)


def _row(addresses, **cells):
    return customer_from_row(RawRow(ORIGIN, {"name": "Acme", **cells}), DEFAULTS, HOURS, PLACES, addresses)


def _build(addresses, *rows: dict, trip=TRIP, defaults=DEFAULTS, table_problems=()):
    table = RawTable(tuple(RawRow(f"accounts.csv line {i + 2}", cells) for i, cells in enumerate(rows)), (),
                     tuple(table_problems))
    customers, problems = build_customers(table, defaults, PLACES, trip, addresses, "s.yaml")
    return customers, [str(p) for p in problems]


def test_empty_cells_take_the_defaults(addresses):
    customer, problems = _row(addresses, **AT)
    assert problems == []
    assert (customer.name, customer.lat, customer.lon) == ("Acme", 41.9, -87.6)
    assert (customer.value, customer.cost, customer.meeting_minutes, customer.must_visit) == (1.0, 0.0, 60, False)
    assert (customer.hours.text, customer.notes, customer.place, customer.address) == (DEFAULTS.hours, "", None, "")
    assert customer.origin == ORIGIN


def test_cells_are_read_as_crm_exports_write_them(addresses):
    customer, problems = _row(addresses, **AT, value="$1,200.50", cost="12", meeting="1h30m",
                              hours="Mon 10:00-12:00", must_visit="Yes", notes="key account")
    assert problems == []
    assert (customer.value, customer.cost, customer.meeting_minutes, customer.must_visit) == (1200.5, 12.0, 90, True)
    assert (customer.hours.text, customer.notes) == ("Mon 10:00-12:00", "key account")


@pytest.mark.parametrize("text, expected", [("x", True), ("T", True), ("1", True), ("no", False), ("0", False)])
def test_must_visit_words(addresses, text, expected):
    assert _row(addresses, **AT, must_visit=text)[0].must_visit is expected


def test_a_place_gives_its_coordinates_and_is_kept(addresses):
    customer, _ = _row(addresses, place="venue")
    assert (customer.lat, customer.lon, customer.place) == (41.8789, -87.6359, "venue")


def test_a_city_is_kept_as_the_address(addresses):
    customer, problems = _row(addresses, city="Evanston, IL")
    assert problems == [] and customer.address == "Evanston, IL"
    assert customer.lat == pytest.approx(42.04, abs=0.02)


def test_an_ambiguous_city_warns_and_keeps_the_row(addresses):
    customer, problems = _row(addresses, city="Portland")
    assert customer is not None
    assert [p.severity for p in problems] == ["warning"]
    assert problems[0].where == ORIGIN and problems[0].message.startswith("city 'Portland' is ambiguous")


@pytest.mark.parametrize("cells, message", [
    pytest.param({"name": "", **AT}, "name is empty", id="empty-name"),
    pytest.param({"value": "lots", **AT}, "value 'lots' is not a number", id="value-not-a-number"),
    pytest.param({"value": "nan", **AT}, "value 'nan' is not a finite number", id="value-nan"),
    pytest.param({"value": "-5", **AT}, "value -5 is negative", id="value-negative"),
    pytest.param({"cost": "$-0.5", **AT}, "cost -0.5 is negative", id="cost-negative"),
    pytest.param({"cost": "free", **AT}, "cost 'free' is not a number", id="cost-not-a-number"),
    pytest.param({"meeting": "0", **AT}, "meeting '0' must be longer than 0 minutes", id="meeting-zero"),
    pytest.param({"meeting": "soon", **AT}, "meeting: expected a duration such as 90, 90min, 1h, 1h30m, got 'soon'",
                 id="meeting-not-a-duration"),
    pytest.param({"hours": "Mon 9-5", **AT}, "hours: clause 'Mon 9-5' has no HH:MM-HH:MM window", id="hours-no-window"),
    pytest.param({"must_visit": "maybe", **AT}, "must_visit 'maybe' is not true/false", id="must-visit-not-a-flag"),
    pytest.param({"lat": "41.9"}, "give both lat and lon", id="lat-without-lon"),
    pytest.param({}, "no location: give lat and lon, a place, a city or an address", id="no-location"),
    pytest.param({"place": "hotle"}, "unknown place 'hotle' (did you mean 'hotel'?)", id="unknown-place"),
])
def test_a_bad_cell_is_an_error_naming_the_row(addresses, cells, message):
    customer, problems = _row(addresses, **cells)
    assert customer is None
    assert problems == [Problem(ORIGIN, message)]


def test_every_bad_cell_of_a_row_is_reported_in_column_order(addresses):
    customer, problems = _row(addresses, name="", lat="north", lon="0", value="-1", must_visit="?")
    assert customer is None
    assert [p.message for p in problems] == ["name is empty", "lat 'north' is not a number", "value -1 is negative",
                                             "must_visit '?' is not true/false"]


def test_no_default_hours_drops_a_row_without_hours_silently(addresses):
    row = RawRow(ORIGIN, {"name": "Acme", **AT})
    assert customer_from_row(row, DEFAULTS, None, PLACES, addresses) == (None, [])


def test_rows_become_customers_in_order(addresses):
    customers, problems = _build(addresses, {"name": "A", **AT}, {"name": "B", "place": "hotel"})
    assert [c.name for c in customers] == ["A", "B"] and problems == []


def test_a_repeated_name_is_an_error_on_the_later_row(addresses):
    customers, problems = _build(addresses, {"name": "A", **AT}, {"name": "A", "place": "hotel"})
    assert [c.place for c in customers] == [None]
    assert problems == ["accounts.csv line 3: duplicate customer name 'A' (first at accounts.csv line 2)"]


def test_a_bad_row_does_not_stop_the_next(addresses):
    customers, problems = _build(addresses, {"name": "A", "value": "x", **AT}, {"name": "B", **AT})
    assert [c.name for c in customers] == ["B"]
    assert problems == ["accounts.csv line 2: value 'x' is not a number"]


def test_a_customer_never_open_during_the_trip_is_a_warning(addresses):
    customers, problems = _build(addresses, {"name": "Sunday", "hours": "Sun 10:00-12:00", **AT})
    assert len(customers) == 1
    assert problems == ["accounts.csv line 2: no availability on any day the trip may use "
                        "(Mon 2026-10-05 to Tue 2026-10-06; hours 'Sun 10:00-12:00')"]


def test_a_meeting_longer_than_every_window_is_a_warning(addresses):
    customers, problems = _build(addresses, {"name": "Long", "meeting": "3h", "hours": "Mon 10:00-12:00", **AT})
    assert len(customers) == 1
    assert problems == ["accounts.csv line 2: the 180-minute meeting is longer than every window during the trip "
                        "(hours 'Mon 10:00-12:00')"]


def test_without_a_trip_availability_is_not_checked(addresses):
    assert _build(addresses, {"name": "Sunday", "hours": "Sun 10:00-12:00", **AT}, trip=None)[1] == []


def test_an_empty_table_warns_no_customers(addresses):
    customers, problems = _build(addresses)
    assert customers == () and problems == ["s.yaml: customers: no customers"]
    assert _build(addresses, table_problems=[Problem("a.csv", "the file is empty (no header row)")])[1] == [
        "a.csv: the file is empty (no header row)"]  # the table's problem says enough


def test_bad_default_hours_are_reported_once(addresses):
    defaults = DefaultsIn(hours="weekdays")
    customers, problems = _build(addresses, {"name": "A", **AT}, {"name": "B", **AT},
                                 {"name": "C", "hours": "Mon 10:00-12:00", **AT}, defaults=defaults)
    assert [c.name for c in customers] == ["C"]
    assert problems == ["s.yaml: defaults.hours: clause 'weekdays' has no HH:MM-HH:MM window"]


def test_the_tables_problems_come_first(addresses):
    header = Problem("accounts.csv", "columns 'Lat' and 'latitude' both mean 'lat'")
    _, problems = _build(addresses, {"name": "A", "value": "x", **AT}, table_problems=[header],
                         defaults=DefaultsIn(hours="weekdays"))
    assert problems == [str(header), "s.yaml: defaults.hours: clause 'weekdays' has no HH:MM-HH:MM window",
                        "accounts.csv line 2: value 'x' is not a number"]
