"""Calendar, map and spreadsheet exports, read back with independent parsers."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from icalendar import Calendar
from typer.testing import CliRunner

import tripopt
from tripopt.cli import app
from tripopt.ics import plan_calendar
from tripopt.report import to_csv, to_xlsx
from tripopt.webmap import plan_map_html

from .conftest import EVIL_IMG, EVIL_SCRIPT, EVIL_TEMPLATE, FORMULA, TUESDAY, customer_row
from .scenario_factory import write_scenario


def test_evil_fixture_is_meaningful(evil):
    _, _, plan = evil
    assert {EVIL_SCRIPT, EVIL_TEMPLATE, FORMULA} <= plan.visited_names
    assert [u.name for u in plan.unvisited] == [EVIL_IMG]


# -- calendar ------------------------------------------------------------------------------


def _events(data: bytes, category: str | None = None):
    calendar = Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    if category:
        events = [e for e in events if category in [str(c) for c in e.get("categories").cats]]
    return calendar, events


def test_calendar_has_an_event_per_visit_and_commitment(evil):
    _, _, plan = evil
    calendar, events = _events(plan_calendar(plan))
    stops = [s for d in plan.days for s in d.stops if s.kind in ("visit", "commitment")]
    assert len(events) == len(stops)
    zones = [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")]
    assert zones == ["America/Chicago"]
    for stop, event in zip(stops, events):
        assert event["DTSTART"].params["TZID"] == "America/Chicago"
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert start.astimezone(UTC) == stop.start.astimezone(UTC)
        assert end.astimezone(UTC) == stop.end.astimezone(UTC)
        assert str(event["SUMMARY"]).endswith(stop.name)
        lat, lon = event["GEO"].latitude, event["GEO"].longitude
        assert (lat, lon) == pytest.approx((stop.lat, stop.lon))
        description = str(event["DESCRIPTION"])
        assert f"Drive before: {stop.travel_minutes} min" in description
        if stop.kind == "visit":
            assert f"Value: {stop.value:,.0f}" in description
            assert stop.notes in description  # newlines, commas and semicolons survive the escaping
    formula = next(e for e in events if str(e["SUMMARY"]) == f"Visit: {FORMULA}")
    assert str(formula["LOCATION"]) == f"{FORMULA}, 233 S Wacker Dr, Chicago"
    booth = next(e for e in events if "Booth" in str(e["SUMMARY"]))
    assert str(booth["LOCATION"]) == "venue"


def test_calendar_travel_blocks_end_at_each_arrival(evil):
    _, _, plan = evil
    _, drives = _events(plan_calendar(plan, travel_blocks=True), "travel")
    legs = [s for d in plan.days for s in d.stops if s.kind in ("visit", "commitment") and s.travel_minutes]
    assert len(drives) == len(legs)
    for stop, event in zip(legs, drives):
        assert event.decoded("DTEND") == stop.arrive
        assert (event.decoded("DTEND") - event.decoded("DTSTART")).total_seconds() == stop.travel_minutes * 60


def test_calendar_travel_blocks_include_the_drive_to_the_departure_place(tmp_path):
    """Arriving and leaving by the airport: the last day's drive from the last visit to the
    airport is a travel block ending when the plan arrives there; the first day's and any
    day's drive back to the hotel is not one (the trip does not end there)."""
    rows = [customer_row(f"{day} account", 41.90, -87.65 - 0.01 * i, 10, hours=f"{day} 09:00-16:00")
            for i, day in enumerate(("Mon", "Tue"))]
    path = write_scenario(tmp_path, rows, trip={"end": TUESDAY, "arrive": {"place": "airport", "time": "08:00"},
                                                "depart": {"place": "airport", "time": "18:00"}})
    plan = tripopt.solve(tripopt.load_scenario(path))
    assert [len(d.visits) for d in plan.days] == [1, 1]
    first, last = plan.days
    end = last.stops[-1]
    assert end.kind == "end" and end.place.key == "airport" and end.travel_minutes > 0
    assert first.stops[-1].place.key == "hotel"
    _, drives = _events(plan_calendar(plan, travel_blocks=True), "travel")
    assert [str(e["SUMMARY"]) for e in drives] == [f"Drive to {s.name}" for s in (first.stops[1], last.stops[1])] + [
        f"Drive to {end.name}"]
    airport = drives[-1]
    assert airport.decoded("DTSTART") == last.stops[-2].depart and airport.decoded("DTEND") == end.arrive
    assert (airport.decoded("DTEND") - airport.decoded("DTSTART")).total_seconds() == end.travel_minutes * 60
    assert str(airport["LOCATION"]) == end.name
    assert (airport["GEO"].latitude, airport["GEO"].longitude) == pytest.approx((end.lat, end.lon))
    _, plain = _events(plan_calendar(plan))  # without --ics-travel: visits only, as before
    assert len(plain) == 2


def test_calendar_across_a_clock_change(tmp_path):
    """Chicago leaves daylight time on 2026-11-01: the zone must describe both offsets."""
    path = write_scenario(tmp_path, [customer_row("Sat", 41.9, -87.65, 5, hours="Sat 09:00-17:00"),
                                     customer_row("Mon", 41.9, -87.66, 5, hours="Mon 09:00-17:00")],
                          trip={"start": "2026-10-31", "end": "2026-11-02"})
    plan = tripopt.solve(tripopt.load_scenario(path))
    calendar, events = _events(plan_calendar(plan))
    zone = calendar.walk("VTIMEZONE")[0]
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    offsets = {e.decoded("DTSTART").utcoffset().total_seconds() / 3600 for e in events}
    assert offsets == {-5.0, -6.0}
    chicago = ZoneInfo("America/Chicago")
    for stop, event in zip([s for d in plan.days for s in d.visits], events):
        assert event.decoded("DTSTART").astimezone(chicago).strftime("%H:%M") == f"{stop.start:%H:%M}"


def test_calendar_fall_back_night_keeps_every_instant(tmp_path):
    """Chicago's clocks go back at 02:00 CDT on 2026-11-01: a drive leaving at 01:40 CDT
    arrives in the repeated hour (01:0x CST). Such a time is written in UTC (a calendar
    would read the local time as its first occurrence), the others stay local with the zone."""
    path = write_scenario(tmp_path, [customer_row("Far", 41.95, -87.70, 5, meeting="30min", hours="Sun 01:00-04:00")],
                          trip={"start": "2026-11-01", "end": "2026-11-01", "day": {"start": "01:40", "end": "06:00"}})
    plan = tripopt.solve(tripopt.load_scenario(path))
    [stop] = plan.days[0].visits
    assert stop.arrive.fold == 1 and stop.arrive.utcoffset() != stop.arrive.replace(fold=0).utcoffset()
    data = plan_calendar(plan, travel_blocks=True)
    _, [drive] = _events(data, "travel")
    _, [visit] = _events(data, "visit")
    assert drive.decoded("DTSTART") == plan.days[0].stops[0].depart
    assert drive["DTSTART"].params["TZID"] == "America/Chicago"  # 01:40 CDT: the first 01:40
    assert drive.decoded("DTEND").astimezone(UTC) == stop.arrive.astimezone(UTC)
    assert drive.decoded("DTEND").utcoffset().total_seconds() == 0 and "TZID" not in drive["DTEND"].params
    assert visit.decoded("DTSTART").astimezone(UTC) == stop.start.astimezone(UTC)
    assert visit.decoded("DTEND").astimezone(UTC) == stop.end.astimezone(UTC)
    assert (drive.decoded("DTEND") - drive.decoded("DTSTART")).total_seconds() == stop.travel_minutes * 60


# -- spreadsheets --------------------------------------------------------------------------


def test_csv_neutralises_formulas(evil):
    _, _, plan = evil
    rows = list(csv.DictReader(io.StringIO(to_csv(plan))))
    names = {r["name"] for r in rows}
    assert "'" + FORMULA in names and FORMULA not in names
    assert any(r["notes"] == "'@SUM(A1:A9)" for r in rows)
    assert all(not r[k].startswith(("=", "+", "@")) for r in rows for k in r if r[k])


def test_xlsx_keeps_formulas_as_text(evil):
    _, _, plan = evil
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(plan)))
    assert book.sheetnames == ["Itinerary", "Not visited", "Summary"]
    cells = [c for row in book["Itinerary"].iter_rows() for c in row]
    formula = [c for c in cells if c.value == FORMULA]
    assert formula and all(c.data_type == "s" for c in formula)
    assert not [c for c in cells if c.data_type == "f"]
    visits = [r for r in book["Itinerary"].iter_rows(min_row=2, values_only=True) if r[3] == "visit"]
    assert len(visits) == plan.visited
    assert [r[0] for r in book["Not visited"].iter_rows(min_row=2, values_only=True)] == [EVIL_IMG]


def test_xlsx_times_are_time_cells_on_the_scenarios_clocks_and_columns_fit(evil):
    _, scenario, plan = evil
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(plan)))
    sheet = book["Itinerary"]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2))
    stops = [(d, s) for d in plan.days for s in d.stops]
    assert len(rows) == len(stops)
    zone = ZoneInfo(scenario.timezone)
    for (day, stop), row in zip(stops, rows):
        cells = dict(zip(header, row))
        assert cells["date"].is_date and cells["date"].number_format == "yyyy-mm-dd"
        assert cells["date"].value.date() == day.day
        for column in ("arrive", "start", "end", "depart"):
            moment, cell = getattr(stop, column), cells[column]
            if moment is None:
                assert cell.value is None
                continue
            assert cell.is_date and cell.number_format == "hh:mm", (column, cell.value, cell.number_format)
            assert cell.value.tzinfo is None and cell.value == moment.astimezone(zone).replace(tzinfo=None)
    summary = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["timezone"] == scenario.timezone
    for sheet in book:
        for index, column in enumerate(sheet.iter_cols(), 1):
            width = sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width
            texts = [c.value.strftime("%H:%M") if c.is_date and c.number_format == "hh:mm"
                     else f"{c.value:%Y-%m-%d}" if c.is_date else "" if c.value is None else str(c.value)
                     for c in column]
            widest = max(len(line) for t in texts for line in t.splitlines() or [""])
            assert width == min(widest + 2, 50), (sheet.title, column[0].value, width, widest)
    itinerary = book["Itinerary"]
    widths = {c.value: itinerary.column_dimensions[c.column_letter].width for c in itinerary[1]}
    assert widths["start"] == 7 and widths["seq"] == 5 and widths["notes"] <= 50
    assert widths["name"] == min(max(len(s.name) for _, s in stops) + 2, 50)


# -- map: static checks (the browser test is in test_map_browser.py) -------------------------


def test_map_html_is_self_contained_and_escaped(evil):
    _, scenario, plan = evil
    page = plan_map_html(plan, scenario.places.values())
    assert "<script src=" not in page and "<link" not in page.replace("<link rel=\"icon\"", "")
    for raw in (EVIL_SCRIPT, EVIL_IMG, "<b>duty</b>"):
        assert raw not in page, f"unescaped data in the page: {raw}"
    # `${...}` is only dangerous in a JavaScript template literal: it may appear in JSON strings only
    lines = [line.strip() for line in page.splitlines() if "${document" in line]
    assert lines and all(re.match(r'^\w+\.bind(Popup|Tooltip)\("', line) for line in lines), lines
    assert "L.map(" in page and page.count("bindPopup(") >= plan.visited + len(plan.unvisited)


# -- CLI -----------------------------------------------------------------------------------


def test_cli_writes_every_export(evil, tmp_path):
    path, _, _ = evil
    files = {name: tmp_path / name for name in ("plan.xlsx", "plan.ics", "plan.html")}
    result = CliRunner().invoke(app, ["plan", str(path), "--format", "xlsx", "--out", str(files["plan.xlsx"]),
                                      "--ics", str(files["plan.ics"]), "--ics-travel", "--map",
                                      str(files["plan.html"])])
    assert result.exit_code == 0, result.output
    assert files["plan.xlsx"].read_bytes()[:2] == b"PK"
    assert Calendar.from_ical(files["plan.ics"].read_bytes()).walk("VEVENT")
    assert "L.map(" in files["plan.html"].read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(files)  # no temporary files left


@pytest.mark.parametrize("args, fragment", [
    (["--map", "{missing}/map.html"], "does not exist"),
    (["--ics", "{missing}/plan.ics"], "does not exist"),
    (["--ics", "{folder}"], "is a folder"),
    (["--format", "xlsx"], "needs --out"),
])
def test_cli_bad_output_paths_are_input_errors(evil, tmp_path, args, fragment):
    path, _, _ = evil
    args = [a.format(missing=tmp_path / "nope", folder=tmp_path) for a in args]
    result = CliRunner().invoke(app, ["plan", str(path), *args])
    assert result.exit_code == 2, result.output
    assert fragment in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_customer_placed_by_its_town_says_so_everywhere(one_day):
    """A `city:` cell puts the customer at the town's centre: the JSON stop says
    `located: city` (its own notes untouched), the itinerary, calendar and map say
    "town-level location"."""
    rows = [{"name": "Evanston Co", "city": "Evanston, IL", "value": 10, "meeting": "45min",
             "hours": "Mon-Fri 09:00-17:00", "notes": "ask for Jo"},
            customer_row("Exact Co", 41.8830, -87.6290, 5)]
    scenario = tripopt.load_scenario(one_day(rows))
    plan = tripopt.solve(scenario)
    stops = {s["name"]: s for d in tripopt.plan_dict(plan)["days"] for s in d["stops"]}
    assert stops["Evanston Co"]["located"] == "city" and stops["Evanston Co"]["notes"] == "ask for Jo"
    assert "located" not in stops["Exact Co"]
    assert "ask for Jo; town-level location (from the city name)" in to_csv(plan)
    assert "town-level location" in plan_calendar(plan, False).decode()
    assert "town-level location" in plan_map_html(plan, scenario.places.values())
