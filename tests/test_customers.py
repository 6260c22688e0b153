"""Rows become customers: an empty cell takes its default, every bad cell is an error
naming the row (and the column), and a customer the trip can never meet is a warning."""

from __future__ import annotations

from datetime import date

import pytest

from tripopt.customers import (
    MAX_CUSTOMERS,
    RawRow,
    RawTable,
    build_customers,
    customer_from_row,
    read_file,
    read_inline,
)
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


# -- bounds (issue 14): cells, ranges, how many problems a table lists ----------------------

@pytest.mark.parametrize("cells, message", [
    ({"value": "1e17"}, "value '1e17' is not a number"),
    ({"value": "100000000000000000"},
     "value '100000000000000000' is more than 1,000,000,000,000, the most a value may be (docs/limits.md)"),
    ({"cost": "20,000,000,000"}, "cost '20,000,000,000' is more than 10,000,000,000, the most a cost may be "
                                 "(docs/limits.md)"),
    ({"cost": "-1_000"}, "cost '-1_000' is not a number"),
    ({"meeting": "25h"}, "meeting '25h' is longer than a day (at most 24h)"),
    ({"meeting": "0"}, "meeting '0' must be longer than 0 minutes"),
    ({"notes": "x" * 10_001}, "notes: 10,001 characters, more than the 10,000 a cell may have (docs/limits.md)"),
])
def test_cells_out_of_range_are_errors(addresses, cells, message):
    customer, problems = _row(addresses, **AT, **cells)
    assert customer is None and [p.message for p in problems] == [message]


def test_a_long_cell_is_quoted_shortened(addresses):
    _, problems = _row(addresses, **AT, hours="Mon " * 500)
    assert problems[0].message == ("hours: clause 'Mon Mon Mon Mon Mon Mon Mon Mon Mon Mon Mon Mon Mon Mon Mon '... "
                                   "(1,999 characters) has no HH:MM-HH:MM window")


def test_a_table_lists_at_most_fifty_errors_and_fifty_warnings(addresses):
    rows = [{"name": f"c{i}", "value": "x", **AT} for i in range(70)]
    rows += [{"name": f"w{i}", "hours": "Sun 10:00-11:00", **AT} for i in range(60)]
    table = RawTable(tuple(RawRow(f"a.csv line {i + 2}", cells) for i, cells in enumerate(rows)), (), (), "a.csv")
    customers, problems = build_customers(table, DEFAULTS, PLACES, TRIP, addresses, "s.yaml")
    assert len(customers) == 60
    errors = [str(p) for p in problems if p.severity == "error"]
    warnings = [str(p) for p in problems if p.severity == "warning"]
    assert len(errors) == 51 and errors[-1] == "a.csv: and 20 more errors in this table (the first 50 are shown)"
    assert len(warnings) == 51 and warnings[-1] == "a.csv: and 10 more warnings in this table (the first 50 are shown)"


def test_inline_rows_holding_lists_are_errors():
    table = read_inline([{"name": "A", "lat": 1, "lon": 1, "notes": [1, 2]}], "s.yaml: customers")
    assert table.rows == ()
    assert [str(p) for p in table.problems] == ["s.yaml: customers[0]: notes: a list of 2 item(s) where one value "
                                                "belongs"]


def test_inline_rows_beyond_the_limit_are_refused():
    table = read_inline([{"name": f"c{i}", "lat": 1, "lon": 1} for i in range(MAX_CUSTOMERS + 1)], "s.yaml: customers")
    assert table.rows == () and f"more than {MAX_CUSTOMERS:,} customer rows" in table.problems[0].message


def _sheet(tmp_path, rows, name="a.xlsx"):
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / name)
    return tmp_path / name


def test_a_sheet_is_streamed_with_its_own_row_numbers(tmp_path):
    path = _sheet(tmp_path, [[None], ["Name", "LAT", "lon", None, "Owner", "value"],
                             ["Acme", 41.9, -87.6, "x", "Ann", 1e-05], [None, None],
                             ["Globex", 41.8, -87.7, None, None, 1200.0], [], [None, None, None, "stray"]])
    table = read_file(path, "a.xlsx")
    assert table.problems == () and table.ignored_columns == ("Owner",)
    assert [(r.origin, r.cells) for r in table.rows] == [
        ("a.xlsx line 3 (Acme)", {"name": "Acme", "lat": "41.9", "lon": "-87.6", "value": "0.00001"}),
        ("a.xlsx line 5 (Globex)", {"name": "Globex", "lat": "41.8", "lon": "-87.7", "value": "1200"})]


@pytest.mark.parametrize("sheet, message", [
    ("Nope", "no sheet named 'Nope' (sheets: Sheet)"),
    (3, "no sheet number 3 (the workbook has 1, counted from 0)"),
])
def test_a_missing_sheet_is_named(tmp_path, sheet, message):
    assert [p.message for p in read_file(_sheet(tmp_path, [["name"]]), "a.xlsx", sheet).problems] == [message]


@pytest.mark.parametrize("name, content, message", [
    ("a.xls", b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls) cannot be read: save it as .xlsx or .csv"),
    ("a.xlsx", b"name,lat\n", "not an .xlsx workbook (not a zip archive); save it from Excel as .xlsx, or as .csv"),
    ("a.csv", b"", "the file is empty (no header row)"),
    ("a.csv", b"," * 300 + b"\n", "the file is empty (no header row)"),
    ("a.csv", b"name" + b",x" * 300 + b"\n",
     "301 columns, more than the 256 a customer table may have (docs/limits.md)"),
])
def test_unreadable_files_say_why(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    assert [p.message for p in read_file(tmp_path / name, name).problems] == [message]


def test_a_header_is_quoted_shortened(tmp_path):
    (tmp_path / "a.csv").write_text("Company of the account with a very long header,lat,lon\n")
    assert [p.message for p in read_file(tmp_path / "a.csv", "a.csv").problems] == [
        "no 'name' column (columns found: Company of the account with a ..., lat, lon)"]


def _workbook(tmp_path, sheets: dict[str, list[list]], name="book.xlsx"):
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(tmp_path / name)
    return tmp_path / name


EXPORT = {"Cover": [["Exported from Salesforce, 2026-09-01"], [], ["Owner: Dana"]],
          "Summary": [["Region", "Accounts"], ["EMEA", 2]],
          "Accounts": [[None], ["Name", "City", "ARR"], ["Acme", "Chicago, IL", 100]],
          "Blank": []}


def test_a_cover_sheet_lists_the_sheets_and_their_first_rows(tmp_path):
    """The first sheet is a cover page: the message names it, lists every sheet's first row
    with content (shortened) and shows the `sheet:` that picks the one with a name column."""
    problems = read_file(_workbook(tmp_path, EXPORT), "book.xlsx").problems
    assert [p.message for p in problems] == [
        "no 'name' column in sheet 'Cover' (columns found: Exported from Salesforce, 2026...); the workbook's "
        "sheets and their first rows: 'Cover': 'Exported from Salesforce, 2026...'; 'Summary': 'Region', "
        "'Accounts'; 'Accounts': 'Name', 'City', 'ARR' (a 'name' column); 'Blank': empty; `sheet:` picks "
        "another: customers: {file: ..., sheet: 'Accounts'} (its first row has a 'name' column)"]
    table = read_file(tmp_path / "book.xlsx", "book.xlsx", "Accounts")
    assert table.problems == () and [r.cells["name"] for r in table.rows] == ["Acme"]


@pytest.mark.parametrize("sheet, start", [
    ("Summary", "no 'name' column in sheet 'Summary' (columns found: Region, Accounts); the workbook's sheets"),
    (3, "sheet 'Blank' is empty (no header row); the workbook's sheets and their first rows: 'Cover'"),
])
def test_a_chosen_sheet_without_a_header_lists_the_others(tmp_path, sheet, start):
    [problem] = read_file(_workbook(tmp_path, EXPORT), "book.xlsx", sheet).problems
    assert problem.message.startswith(start) and problem.message.endswith("sheet: 'Accounts'} (its first row has "
                                                                          "a 'name' column)")


def test_without_a_usable_sheet_any_other_is_offered(tmp_path):
    path = _workbook(tmp_path, {"Cover": [["Export"]], "Data": [["Account", "ARR"]]})
    [problem] = read_file(path, "book.xlsx").problems
    assert problem.message.endswith("'Cover': 'Export'; 'Data': 'Account', 'ARR'; `sheet:` picks another, by name "
                                    "or number from 0: customers: {file: ..., sheet: 'Data'}")


def test_a_single_sheet_says_there_is_no_other(tmp_path):
    [problem] = read_file(_workbook(tmp_path, {"Only": [["Industry", "lat"]]}), "book.xlsx").problems
    assert problem.message == ("no 'name' column in sheet 'Only' (columns found: Industry, lat); the workbook has no "
                               "other sheet")


def test_the_sheet_overview_is_bounded(tmp_path):
    """At most 20 sheets listed, each first row at most 8 cells of at most 30 characters."""
    sheets = {f"S{i}": [[f"h{j}" for j in range(12)]] for i in range(25)}
    sheets["S0"] = [["x" * 100]]
    [problem] = read_file(_workbook(tmp_path, sheets), "book.xlsx").problems
    assert f"'S0': '{'x' * 30}...'; 'S1': 'h0', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7' and 4 more;" in problem.message
    assert "'S19'" in problem.message and "'S20'" not in problem.message and "; and 5 more; " in problem.message


# -- columns: a CRM export's own headers ------------------------------------------------------

SALESFORCE = "Account ID,Account Name,Billing City,ARR,Name,Next Step\n1,Acme,\"Chicago, IL\",1200,Dana,call\n"


def _columns(**headers):
    from tripopt.customers import ColumnMap

    return ColumnMap(headers, "s.yaml: columns")


def test_columns_map_contract_names_to_the_files_headers(tmp_path):
    """A mapped header is its column; another header that would mean a mapped column (the
    contact's `Name` here) is ignored; headers match ignoring case and spaces."""
    (tmp_path / "a.csv").write_text(SALESFORCE)
    table = read_file(tmp_path / "a.csv", "a.csv", columns=_columns(name="Account Name", city=" billing  CITY",
                                                                     value="ARR", notes="Next Step"))
    assert table.problems == () and table.ignored_columns == ("Account ID", "Name")
    assert [r.cells for r in table.rows] == [{"name": "Acme", "city": "Chicago, IL", "value": "1200", "notes": "call"}]
    assert table.rows[0].origin == "a.csv line 2 (Acme)"


def test_one_header_may_serve_two_columns(tmp_path):
    (tmp_path / "a.csv").write_text(SALESFORCE)
    table = read_file(tmp_path / "a.csv", "a.csv", columns=_columns(name="Account Name", notes="Account Name"))
    assert table.problems == () and table.rows[0].cells["notes"] == "Acme"


def test_a_mapped_header_not_in_the_file_names_both(tmp_path):
    (tmp_path / "a.csv").write_text(SALESFORCE)
    problems = read_file(tmp_path / "a.csv", "a.csv", columns=_columns(name="Account Name", notes="Next Stp")).problems
    assert [str(p) for p in problems] == [
        "s.yaml: columns.notes: 'notes' is mapped to the header 'Next Stp', which a.csv does not have (did you mean "
        "'Next Step'?); its headers: Account ID, Account Name, Billing City, ARR, Name, Next Step"]


def test_a_missing_name_header_reads_no_row(tmp_path):
    """The mapped name header is not there: that one error, not one per row."""
    (tmp_path / "a.csv").write_text("Company,lat,lon\nAcme,1,1\nGlobex,2,2\n")
    table = read_file(tmp_path / "a.csv", "a.csv", columns=_columns(name="Account"))
    assert table.rows == () and [p.where for p in table.problems] == ["s.yaml: columns.name"]


@pytest.mark.parametrize("header, meant", [
    ("Account ID,Contact Name,Account Name,ARR", "Account Name"),  # the account's name, not the contact's
    ("Id,Company,Contact Name", "Company"),
    ("Owner Name,Parent Account Name,Customer Name", "Customer Name"),
    ("AccountName,Phone", "AccountName"),
    ("Nmae,lat", "Nmae"),
    ("Names,lat", "Names"),
    ("Organisation: legal name,lat", '"Organisation: legal name"'),  # quoted as YAML needs
    ("Display Name,lat", "Display Name"),
])
def test_a_missing_name_column_suggests_the_mapping(tmp_path, header, meant):
    (tmp_path / "a.csv").write_text(header + "\n")
    [problem] = read_file(tmp_path / "a.csv", "a.csv").problems
    assert problem.message.startswith(f"no 'name' column; did you mean `columns: {{name: {meant}}}`? (columns found: ")


@pytest.mark.parametrize("header", ["First Name,Last Name,Email", "Owner,Region,ARR", "Game,Score", "Account ID,lat"])
def test_no_mapping_is_suggested_when_none_is_close_and_right(tmp_path, header):
    (tmp_path / "a.csv").write_text(header + "\n")
    [problem] = read_file(tmp_path / "a.csv", "a.csv").problems
    assert problem.message.startswith("no 'name' column (columns found: ")


def test_inline_rows_use_the_mapping_too():
    table = read_inline([{"Account": "Acme", "lat": 1, "lon": 1}], "s.yaml: customers", _columns(name="Account"))
    assert table.problems == () and table.rows[0].cells == {"name": "Acme", "lat": "1", "lon": "1"}


def test_a_workbook_names_the_sheet_with_the_mapped_header(tmp_path):
    path = _workbook(tmp_path, {"Cover": [["Exported"]], "Accounts": [["Account Name", "ARR"], ["Acme", 5]]})
    [problem] = read_file(path, "book.xlsx", columns=_columns(name="Account Name")).problems
    assert problem.where == "s.yaml: columns.name"
    assert problem.message.startswith("'name' is mapped to the header 'Account Name', which book.xlsx does not have "
                                      "in sheet 'Cover'; its headers: Exported; the workbook's sheets")
    assert problem.message.endswith("customers: {file: ..., sheet: 'Accounts'} (its first row has a 'name' column)")
    table = read_file(path, "book.xlsx", "Accounts", _columns(name="Account Name", value="ARR"))
    assert table.problems == () and table.rows[0].cells == {"name": "Acme", "value": "5"}
