"""A team's outputs (issue 15, deliverable 4): the terminal itinerary and Markdown under a
heading per traveller, a traveller column in CSV and XLSX, one calendar per traveller
(files named FILE-NAME.ics, UIDs distinct across them and stable between runs), the map's
layer per traveller and day, compare's per-traveller steps, the hint's traveller; and a
one-traveller plan's outputs exactly as the code before teams wrote them."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from icalendar import Calendar
from rich.console import Console
from typer.testing import CliRunner

import tripopt
from tripopt import report
from tripopt.cli import app
from tripopt.compare import compare
from tripopt.errors import InputError
from tripopt.ics import calendar_paths, file_safe, plan_calendar
from tripopt.webmap import DAY_COLOURS, DAY_DASHES, plan_map_html

from .conftest import MONDAY, TALK, TUESDAY, customer_row
from .scenario_factory import write_scenario

NEAR = [(41.8880, -87.6217), (41.8830, -87.6290), (41.8950, -87.6350), (41.9000, -87.6200), (41.8750, -87.6300),
        (41.8700, -87.6400)]
OFFICE = "Mon-Tue 09:00-17:00"
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


def _team_rows() -> list[dict]:
    """Two days, two travellers: Dana at the booth on Monday afternoon, Lee landing at 11:00
    and owning three accounts, two of which want the same Tuesday hour (one is left out,
    with a hint naming Lee's Tuesday); Stark's visit cost needs more budget."""
    return [customer_row("Acme", *NEAR[0], 40, meeting="2h", hours=OFFICE),
            customer_row("Globex", *NEAR[1], 30, meeting="2h", hours=OFFICE),
            customer_row("Initech", *NEAR[2], 25, meeting="2h", hours="Mon 09:00-17:00", travellers="Lee"),
            customer_row("Umbrella", *NEAR[3], 20, meeting="1h", hours="Tue 09:00-10:00", travellers="Lee"),
            customer_row("Hooli", *NEAR[4], 10, meeting="1h", hours="Tue 09:00-10:00", travellers="Lee"),
            customer_row("Stark", *NEAR[5], 15, meeting="90min", hours=OFFICE, cost=20),
            customer_row("Wayne", *NEAR[1], 5, meeting="2h", hours="Tue 09:00-11:00")]


TEAM = [{"name": "Dana"}, {"name": "Lee", "arrive": {"place": "airport", "time": "11:00"}}]
BOOTH = {"name": "Booth", "who": "Dana", "place": "venue", "date": MONDAY, "start": "13:00", "end": "17:00"}


def _write_team(folder: Path, travellers: list[dict] = TEAM) -> Path:
    return write_scenario(folder, _team_rows(), trip={"end": TUESDAY}, travellers=travellers, commitments=[BOOTH])


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    path = _write_team(tmp_path_factory.mktemp("team"))
    scenario = tripopt.load_scenario(path)
    plan = tripopt.solve(scenario)
    assert plan.travellers == ("Dana", "Lee") and plan.optimal
    return path, scenario, plan


def _names(plan, traveller: str) -> list[str]:
    return [s.name for d in plan.days if d.traveller == traveller for s in d.stops if s.kind != "start"
            and s.kind != "end"]


def test_the_team_fixture_is_meaningful(team):
    _, _, plan = team
    by = {name: [d for d in plan.days if d.traveller == name] for name in plan.travellers}
    assert [d.traveller for d in plan.days] == ["Dana", "Dana", "Lee", "Lee"]
    assert all(any(d.visits for d in days) for days in by.values())
    assert "Booth" in _names(plan, "Dana") and "Initech" in _names(plan, "Lee")
    [hooli] = plan.unvisited
    assert hooli.name == "Hooli" and hooli.hint is not None and hooli.hint.traveller == "Lee"


# -- terminal, Markdown, CSV, XLSX, JSON -------------------------------------------------------------


def _table(plan) -> str:
    buffer = io.StringIO()
    report.render_table(plan, Console(file=buffer, width=120, highlight=False, markup=False, emoji=False))
    return buffer.getvalue()


def _grouped(text: str, plan, heading: re.Pattern[str]) -> dict[str, str]:
    """The text under each traveller's heading, by traveller, checking the headings come in
    the team's order, before the customers left out."""
    starts = [(m.start(), m.group(1)) for m in heading.finditer(text)]
    assert [name for _, name in starts] == list(plan.travellers)
    ends = [s for s, _ in starts[1:]] + [text.index("Not visited")]
    return {name: text[start:end] for (start, name), end in zip(starts, ends)}


@pytest.mark.parametrize("render, heading", [
    (_table, re.compile(r"^(Dana|Lee): \d+ visit\(s\), value [\d,]+, cost [\d.,]+ USD, driving", re.M)),
    (report.to_markdown, re.compile(r"^## (Dana|Lee): \d+ visit\(s\)", re.M)),
], ids=["table", "md"])
def test_itinerary_is_grouped_by_traveller(team, render, heading):
    _, _, plan = team
    text = render(plan)
    assert "2 travellers: Dana, Lee" in text.split("\n\n")[0 if render is _table else 1]
    groups = _grouped(text, plan, heading)
    day_title = re.compile(r"^(?:### )?(?:Mon|Tue) 0[56] Oct 2026: \d+ visit", re.M)
    for name, part in groups.items():
        days = [d for d in plan.days if d.traveller == name]
        assert len(day_title.findall(part)) == len(days)
        visits, value = sum(len(d.visits) for d in days), sum(s.value for d in days for s in d.visits)
        assert f"{name}: {visits} visit(s), value {value:,.0f}" in part
        for other in plan.travellers:
            for stop in _names(plan, other):
                assert (stop in part) == (other == name or stop in _names(plan, name)), (name, stop)


def test_csv_has_a_traveller_column(team):
    _, _, plan = team
    text = report.to_csv(plan)
    assert text.splitlines()[0] == "traveller," + ",".join(report.CSV_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["traveller"] for r in rows] == [d.traveller for d in plan.days for _ in d.stops]
    for name in plan.travellers:
        assert [r["name"] for r in rows if r["traveller"] == name and r["type"] in ("visit", "commitment")] \
            == _names(plan, name)


def test_xlsx_has_a_traveller_column_and_totals(team):
    _, _, plan = team
    book = openpyxl.load_workbook(io.BytesIO(report.to_xlsx(plan)))
    assert book.sheetnames == ["Itinerary", "Not visited", "Summary", "Travellers"]
    header, *rows = list(book["Itinerary"].iter_rows(values_only=True))
    assert header == ("traveller", *report.CSV_COLUMNS)
    assert [r[0] for r in rows] == [d.traveller for d in plan.days for _ in d.stops]
    summary = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["travellers"] == "Dana, Lee"
    totals = {r[0]: r[1:] for r in book["Travellers"].iter_rows(min_row=2, values_only=True)}
    assert list(totals) == ["Dana", "Lee"]
    for name, (days, visited, value, cost, km, minutes) in totals.items():
        own = [d for d in plan.days if d.traveller == name]
        assert (days, visited, value) == (len(own), sum(len(d.visits) for d in own),
                                          sum(s.value for d in own for s in d.visits))
        assert cost == pytest.approx(sum(d.cost for d in own)) and minutes == sum(d.drive_minutes for d in own)
        assert km == pytest.approx(sum(d.drive_km for d in own))
    assert sum(r[3] for r in totals.values()) == pytest.approx(plan.cost)


def test_json_hint_names_the_traveller(team):
    _, _, plan = team
    document = json.loads(report.to_json(plan))
    [hooli] = document["unvisited"]
    assert hooli["hint"] == {"traveller": "Lee", "kind": "swap", "date": TUESDAY, "replaces": "Umbrella",
                             "replaces_value": 20}
    assert "Lee's Tue 06 Oct" in hooli["reason"]


# -- calendars ---------------------------------------------------------------------------------------


def _events(data: bytes) -> list:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def _stops(plan, traveller: str | None = None) -> list:
    return [s for d in plan.days if traveller is None or d.traveller == traveller for s in d.stops
            if s.kind in ("visit", "commitment")]


def test_a_calendar_per_traveller_holds_only_their_events(team):
    _, _, plan = team
    uids: dict[str, set[str]] = {}
    for name in plan.travellers:
        data = plan_calendar(plan, travel_blocks=True, stamp=STAMP, traveller=name)
        calendar = Calendar.from_ical(data)
        assert str(calendar["X-WR-CALNAME"]) == f"test: {name} (tripopt)"
        events = _events(data)
        visits = [e for e in events if "travel" not in [str(c) for c in e["CATEGORIES"].cats]]
        own = _stops(plan, name)
        assert [str(e["SUMMARY"]).removeprefix("Visit: ") for e in visits] == [s.name for s in own]
        assert [e.decoded("DTSTART") for e in visits] == [s.start for s in own]
        assert all(str(e["DESCRIPTION"]).startswith(f"Traveller: {name}\n") for e in visits)
        assert len(events) == len(own) + sum(1 for s in own if s.travel_minutes)
        uids[name] = {str(e["UID"]) for e in events}
        assert len(uids[name]) == len(events)
        # stable: another stamp (another run) gives the same UIDs
        assert {str(e["UID"]) for e in _events(plan_calendar(plan, True, datetime.now(UTC), name))} == uids[name]
    assert not uids["Dana"] & uids["Lee"]


def test_everyone_in_one_calendar_says_whose_each_event_is(team):
    _, _, plan = team
    events = _events(plan_calendar(plan, stamp=STAMP))
    expected = [f"{d.traveller}: " + (f"Visit: {s.name}" if s.kind == "visit" else s.name)
                for d in plan.days for s in d.stops if s.kind in ("visit", "commitment")]
    assert [str(e["SUMMARY"]) for e in events] == expected
    both = {str(e["UID"]) for name in plan.travellers for e in _events(plan_calendar(plan, stamp=STAMP,
                                                                                      traveller=name))}
    assert {str(e["UID"]) for e in events} == both


def test_the_booth_is_one_event_in_each_bound_travellers_calendar(tmp_path):
    """A commitment for everyone lands in every calendar, with a UID of its own in each."""
    path = write_scenario(tmp_path, [customer_row("Acme", *NEAR[0], 10)], commitments=[TALK],
                          travellers=[{"name": "Dana"}, {"name": "Lee"}])
    plan = tripopt.solve(tripopt.load_scenario(path))
    talks = {name: [e for e in _events(plan_calendar(plan, stamp=STAMP, traveller=name))
                    if str(e["SUMMARY"]) == "Talk"] for name in plan.travellers}
    assert [len(t) for t in talks.values()] == [1, 1]
    assert talks["Dana"][0]["UID"] != talks["Lee"][0]["UID"]


@pytest.mark.parametrize("name, safe", [
    ("Dana", "Dana"), ("José Núñez", "José_Núñez"), ("Lee ", "Lee"), ("a/b\\c", "a_b_c"), ("..", "traveller"),
    ("", "traveller"), ("\x1b[31mred", "31mred"), ("x\udc80y", "x_y"), ("Ann-Marie.O'Neil", "Ann-Marie.O_Neil"),
    ("José", "José"),  # decomposed (e + combining accent): NFC first
    ("z" * 100, "z" * 64),
])
def test_names_made_safe_for_a_file_name(name, safe):
    assert file_safe(name) == safe


def test_calendar_files_put_the_name_before_the_suffix():
    assert calendar_paths(Path("out/trip.ics"), ["Dana", "Lee Wu"]) == [
        ("Dana", Path("out/trip-Dana.ics")), ("Lee Wu", Path("out/trip-Lee_Wu.ics"))]
    assert calendar_paths(Path("trip"), ["Dana"]) == [("Dana", Path("trip-Dana"))]
    assert calendar_paths(Path("trip.v2.ics"), ["Dana"]) == [("Dana", Path("trip.v2-Dana.ics"))]


@pytest.mark.parametrize("names", [["Ann Lee", "Ann/Lee"], ["Dana", "dana"], ["Lee", "Lee."]])
def test_two_travellers_with_one_calendar_file_are_an_error(names):
    with pytest.raises(InputError, match="would both get the calendar"):
        calendar_paths(Path("trip.ics"), names)


def _uids(path: Path) -> list[str]:
    return [str(e["UID"]) for e in _events(path.read_bytes())]


def test_cli_writes_a_calendar_per_traveller_with_stable_uids(team, tmp_path):
    path, _, _ = team
    runs = []
    for run in ("first", "second"):
        folder = tmp_path / run
        folder.mkdir()
        result = CliRunner().invoke(app, ["plan", str(path), "--fresh", "--format", "json", "--out",
                                          str(folder / "plan.json"), "--ics", str(folder / "trip.ics"),
                                          "--ics-travel"])
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in folder.iterdir()) == ["plan.json", "trip-Dana.ics", "trip-Lee.ics"]
        assert "wrote " + str(folder / "trip-Dana.ics") in result.output
        document = json.loads((folder / "plan.json").read_text())
        for name in ("Dana", "Lee"):
            events = _events((folder / f"trip-{name}.ics").read_bytes())
            own = [s["name"] for d in document["days"] if d["traveller"] == name for s in d["stops"]
                   if s["type"] in ("visit", "commitment")]
            assert [str(e["SUMMARY"]).removeprefix("Visit: ") for e in events
                    if not str(e["SUMMARY"]).startswith(("Drive to ", "Walk to "))] == own
        runs.append({name: _uids(folder / f"trip-{name}.ics") for name in ("Dana", "Lee")})
    assert runs[0] == runs[1]
    assert not set(runs[0]["Dana"]) & set(runs[0]["Lee"])


def test_cli_refuses_travellers_sharing_a_calendar_file_before_solving(tmp_path):
    path = write_scenario(tmp_path, [customer_row("Acme", *NEAR[0], 10)],
                          travellers=[{"name": "Ann Lee"}, {"name": "Ann/Lee"}])
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(app, ["plan", str(path), "--fresh", "--format", "json", "--out", str(out),
                                      "--ics", str(tmp_path / "trip.ics")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "'Ann Lee' and 'Ann/Lee' would both get the calendar trip-Ann_Lee.ics" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.yaml"]  # nothing written


def test_cli_checks_each_travellers_calendar_file(team, tmp_path):
    path, _, _ = team
    folder, other = tmp_path / "folder", tmp_path / "other"
    folder.mkdir(), other.mkdir()
    (folder / "trip-Lee.ics").mkdir()
    result = CliRunner().invoke(app, ["plan", str(path), "--fresh", "--format", "json", "--out",
                                      str(folder / "plan.json"), "--ics", str(folder / "trip.ics")])
    assert result.exit_code == 2 and "trip-Lee.ics" in result.output and "is a folder" in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["trip-Lee.ics"]
    clash = CliRunner().invoke(app, ["plan", str(path), "--fresh", "--format", "json", "--out",
                                     str(other / "trip-Dana.ics"), "--ics", str(other / "trip.ics")])
    assert clash.exit_code == 2 and "is the same file as --out" in clash.output
    assert list(other.iterdir()) == []


def test_cli_calendar_to_standard_output_holds_everyone(team, tmp_path):
    path, _, plan = team
    result = CliRunner().invoke(app, ["plan", str(path), "--fresh", "--format", "json", "--out",
                                      str(tmp_path / "plan.json"), "--ics", "-"])
    assert result.exit_code == 0, result.output
    events = _events(result.stdout_bytes)
    assert {str(e["SUMMARY"]).split(":")[0] for e in events} == {"Dana", "Lee"}
    assert len(events) == len(_stops(plan))


# -- the map -------------------------------------------------------------------------------------------


def _polylines(page: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r"L\.polyline\(\s*\[.*?\],\s*(\{.*?\})\s*\)", page, re.S)]


def test_map_has_a_layer_per_traveller_and_day(team):
    _, scenario, plan = team
    page = plan_map_html(plan, scenario.places.values())
    busy = [d for d in plan.days if len(d.stops) > 2]
    lines = _polylines(page)
    assert len(lines) == len(busy)
    for t, name in enumerate(plan.travellers):
        own = [(d, line) for d, line in zip(busy, lines) if d.traveller == name]
        assert {line["color"] for _, line in own} == {DAY_COLOURS[t]}
        assert [line["dashArray"] for _, line in own] == list(DAY_DASHES[:len(own)])
        for day, _ in own:
            label = f"{name}: {day.day:%a %d %b}: {len(day.visits)} visit(s)"
            assert f'"{label}"' in page  # the layer control's entry
        legend = re.search(r'<div class="tripopt-legend">.*', page).group()
        assert f"<b>{name}</b>: {sum(len(d.visits) for d, _ in own)} visit(s)" in legend


# -- compare -------------------------------------------------------------------------------------------


def test_compare_says_what_each_step_adds_per_traveller(team):
    _, scenario, _ = team
    comparison = compare(scenario, [40, 200], processes=1)
    low, high = (row.plan for row in comparison.rows)
    assert low is not None and high is not None and "Stark" in high.visited_names - low.visited_names
    step = comparison.steps()[1]
    assert step is not None and [t.traveller for t in step.by_traveller] == ["Dana", "Lee"]
    for part in step.by_traveller:
        before, after = set(_visits(low, part.traveller)), set(_visits(high, part.traveller))
        assert set(part.gained) | {n for n, _ in part.taken} == after - before
        assert not set(part.gained) & low.visited_names and set(part.lost).isdisjoint(high.visited_names)
        assert set(part.lost) | {n for n, _ in part.handed} == before - after
        assert part.extra_visits == len(after) - len(before)
    line = report.step_line(step, "USD")
    assert line.startswith(f"+160.00 USD: {step.extra_visits:+d} customers")
    for part in step.by_traveller:
        if part.changed:
            assert f"{part.traveller} {part.extra_visits:+d} (" in line
    rows = json.loads(report.comparison_to_json(comparison))
    for row, plan in zip(rows, (low, high)):
        assert {"budget", "status", "value", "visited", "cost", "gained", "lost"} <= set(row)
        by = row["by_traveller"]
        assert list(by) == ["Dana", "Lee"]
        for name, part in by.items():
            assert part["customers"] == sorted(_visits(plan, name)) and part["visited"] == len(part["customers"])
        assert sum(p["visited"] for p in by.values()) == row["visited"]
        assert sum(p["cost"] for p in by.values()) == pytest.approx(row["cost"])
    assert rows[1]["by_traveller"]["Dana"]["gained"] == list(step.by_traveller[0].gained)


def _visits(plan, traveller: str) -> list[str]:
    return [s.name for d in plan.days if d.traveller == traveller for s in d.visits]


def test_a_customer_handed_to_a_colleague_is_said_so():
    from tripopt.comparison import BudgetRow, Comparison
    from tripopt.plan import DayPlan, Plan, Stop

    def plan(dana: list[str], lee: list[str]) -> Plan:
        def day(who: str, names: list[str]) -> DayPlan:
            stops = tuple(Stop("visit", n, 0, 0) for n in names)
            return DayPlan(datetime(2026, 10, 5).date(), False, stops, 0, 0, 0, who)
        return Plan("t", "USD", "UTC", (day("Dana", dana), day("Lee", lee)), (), 3, 0, None, 0, 0, 0, "work", 0,
                    travellers=("Dana", "Lee"))

    comparison = Comparison("t", "USD", (BudgetRow(10, plan(["A", "B"], ["D"])),
                                         BudgetRow(20, plan(["C", "D"], ["A", "E"]))))
    step = comparison.steps()[1]
    assert report.step_line(step, "USD") == ("+10.00 USD: +1 customers, +0 value: Dana +0 (C; gives up B; "
                                             "1 from colleagues, 1 to colleagues), Lee +1 (E; 1 from colleagues, "
                                             "1 to colleagues)")
    by = report.comparison_dicts(comparison)[1]["by_traveller"]
    assert (by["Dana"]["gained"], by["Dana"]["taken"], by["Dana"]["handed"], by["Dana"]["lost"]) == (
        ["C"], [{"name": "D", "from": "Lee"}], [{"name": "A", "to": "Lee"}], ["B"])
    assert (by["Lee"]["gained"], by["Lee"]["taken"], by["Lee"]["handed"], by["Lee"]["lost"]) == (
        ["E"], [{"name": "A", "from": "Dana"}], [{"name": "D", "to": "Dana"}], [])


# -- one traveller: the outputs of the code before teams, byte for byte ----------------------------------


GOLDEN_CSV = """\
date,extension,seq,type,name,arrive,start,end,depart,travel_km,travel_minutes,value,cost,lat,lon,notes
2026-10-05,False,0,start,hotel,,,,2026-10-05T08:54:00-05:00,0.0,0,0.0,0.0,41.8868,-87.6217,
2026-10-05,False,1,visit,Acme & Co,2026-10-05T09:00:00-05:00,2026-10-05T09:00:00-05:00,2026-10-05T09:45:00-05:00,\
2026-10-05T09:45:00-05:00,0.2,6,40.0,0.0,41.888,-87.6217,ask for Jo
2026-10-05,False,2,commitment,Talk,2026-10-05T09:54:00-05:00,2026-10-05T10:00:00-05:00,2026-10-05T12:00:00-05:00,\
2026-10-05T12:00:00-05:00,2.0,9,0.0,0.0,41.8789,-87.6359,
2026-10-05,False,3,visit,Globex,2026-10-05T12:09:00-05:00,2026-10-05T13:00:00-05:00,2026-10-05T14:00:00-05:00,\
2026-10-05T14:00:00-05:00,2.3,9,30.0,0.0,41.895,-87.635,
2026-10-05,False,4,end,hotel,2026-10-05T14:08:00-05:00,,,,1.9,8,0.0,0.0,41.8868,-87.6217,
"""

GOLDEN_MD = """\
# test

- Value 70 of 70 available; visiting 2 of 2 customers
- Cost 3.20 USD (budget no limit); driving 6.4 km, 0h12
- Proven optimal: every plan was checked.

## Mon 05 Oct 2026: 2 visit(s), 6.4 km, cost 3.20

| time | | where | travel | value | notes |
| --- | --- | --- | --- | --- | --- |
| 08:54 | leave | hotel |  |  |  |
| 09:00-09:45 | visit | Acme &amp; Co | 6 min, 0.2 km | 40 | ask for Jo |
| 10:00-12:00 | commitment | Talk | 9 min, 2.0 km |  |  |
| 13:00-14:00 | visit | Globex | 9 min, 2.3 km | 30 |  |
| 14:08 | back at | hotel | 8 min, 1.9 km |  |  |

"""

GOLDEN_TABLE = "\n".join([  # Rich pads the table's lines
    'test',
    'Value 70 of 70 available; visiting 2 of 2 customers',
    'Cost 3.20 USD (budget no limit); driving 6.4 km, 0h12',
    'Proven optimal: every plan was checked.',
    '',
    'Mon 05 Oct 2026: 2 visit(s), 6.4 km, cost 3.20                             ',
    ' time        ┃            ┃ where     ┃ travel        ┃ value ┃ notes      ',
    '━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━━━',
    ' 08:54       │ leave      │ hotel     │               │       │            ',
    ' 09:00-09:45 │ visit      │ Acme & Co │ 6 min, 0.2 km │ 40    │ ask for Jo ',
    ' 10:00-12:00 │ commitment │ Talk      │ 9 min, 2.0 km │       │            ',
    ' 13:00-14:00 │ visit      │ Globex    │ 9 min, 2.3 km │ 30    │            ',
    ' 14:08       │ back at    │ hotel     │ 8 min, 1.9 km │       │            ',
    '',
])

GOLDEN_EVENTS = """\
BEGIN:VEVENT
SUMMARY:Drive to Acme & Co
DTSTART;TZID=America/Chicago:20261005T085400
DTEND;TZID=America/Chicago:20261005T090000
DTSTAMP:20260101T000000Z
UID:978780129043c8f4c066@tripopt
CATEGORIES:tripopt,travel
DESCRIPTION:6 min\\, 0.2 km from hotel
END:VEVENT
BEGIN:VEVENT
SUMMARY:Visit: Acme & Co
DTSTART;TZID=America/Chicago:20261005T090000
DTEND;TZID=America/Chicago:20261005T094500
DTSTAMP:20260101T000000Z
UID:9c57a1f33ecd224287d3@tripopt
CATEGORIES:tripopt,visit
DESCRIPTION:Value: 40\\nNotes: ask for Jo\\nDrive before: 6 min (0.2 km) fro
 m hotel\\, leave at 08:54\\nCoordinates: 41.88800\\, -87.62170
GEO:41.888;-87.6217
LOCATION:Acme & Co
END:VEVENT
BEGIN:VEVENT
SUMMARY:Drive to Talk
DTSTART;TZID=America/Chicago:20261005T094500
DTEND;TZID=America/Chicago:20261005T095400
DTSTAMP:20260101T000000Z
UID:12ac094eca95673d3481@tripopt
CATEGORIES:tripopt,travel
DESCRIPTION:9 min\\, 2.0 km from Acme & Co
END:VEVENT
BEGIN:VEVENT
SUMMARY:Talk
DTSTART;TZID=America/Chicago:20261005T100000
DTEND;TZID=America/Chicago:20261005T120000
DTSTAMP:20260101T000000Z
UID:6694b0cc61e1c1f39544@tripopt
CATEGORIES:tripopt,commitment
DESCRIPTION:Drive before: 9 min (2.0 km) from Acme & Co\\, leave at 09:45\\n
 Coordinates: 41.87890\\, -87.63590
GEO:41.8789;-87.6359
LOCATION:venue
END:VEVENT
BEGIN:VEVENT
SUMMARY:Drive to Globex
DTSTART;TZID=America/Chicago:20261005T120000
DTEND;TZID=America/Chicago:20261005T120900
DTSTAMP:20260101T000000Z
UID:b006ec44ebd2058ec633@tripopt
CATEGORIES:tripopt,travel
DESCRIPTION:9 min\\, 2.3 km from Talk
END:VEVENT
BEGIN:VEVENT
SUMMARY:Visit: Globex
DTSTART;TZID=America/Chicago:20261005T130000
DTEND;TZID=America/Chicago:20261005T140000
DTSTAMP:20260101T000000Z
UID:6a827722e20892738083@tripopt
CATEGORIES:tripopt,visit
DESCRIPTION:Value: 30\\nDrive before: 9 min (2.3 km) from Talk\\, leave at 1
 2:00\\nCoordinates: 41.89500\\, -87.63500
GEO:41.895;-87.635
LOCATION:Globex
END:VEVENT
""".replace("\n", "\r\n")

GOLDEN_LEGEND = ('<div class="tripopt-legend"><b>test</b><div>value 70 of 70; 2 of 2 customers; cost 3.20 USD</div>'
                 '<div><span class="tripopt-swatch" style="background:#1f77b4"></span>Mon 05 Oct: 2 visit(s), 6 km'
                 '</div><div><span class="tripopt-swatch" style="background:#9e9e9e"></span>not visited</div></div>')

GOLDEN_ROUTE = {"bubblingMouseEvents": True, "className": "tripopt-route", "color": "#1f77b4", "dashArray": None,
                "dashOffset": None, "fill": False, "fillColor": "#1f77b4", "fillOpacity": 0.2, "fillRule": "evenodd",
                "lineCap": "round", "lineJoin": "round", "noClip": False, "opacity": 0.85, "smoothFactor": 1.0,
                "stroke": True, "weight": 4}


@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    """One traveller, one unique best plan (Acme before the talk, Globex after it)."""
    rows = [customer_row("Acme & Co", 41.8880, -87.6217, 40, meeting="45min", hours="Mon 09:00-10:00",
                         notes="ask for Jo"),
            customer_row("Globex", 41.8950, -87.6350, 30, meeting="1h", hours="Mon 13:00-17:00")]
    path = write_scenario(tmp_path_factory.mktemp("alone"), rows, commitments=[TALK])
    scenario = tripopt.load_scenario(path)
    plan = tripopt.solve(scenario)
    assert plan.travellers == () and plan.optimal
    return scenario, plan


def test_one_traveller_outputs_are_as_before(alone):
    scenario, plan = alone
    assert report.to_csv(plan) == GOLDEN_CSV
    assert report.to_markdown(plan) == GOLDEN_MD
    assert _table(plan) == GOLDEN_TABLE
    events = "".join(re.findall(r"BEGIN:VEVENT.*?END:VEVENT\r\n",
                                plan_calendar(plan, True, stamp=STAMP).decode(), re.S))
    assert events == GOLDEN_EVENTS
    page = plan_map_html(plan, scenario.places.values())
    assert re.search(r'<div class="tripopt-legend">.*?</div></div>', page).group() == GOLDEN_LEGEND
    assert _polylines(page) == [GOLDEN_ROUTE]
    assert "tripopt-traveller" not in page
    document = report.plan_dict(plan)
    assert "travellers" not in document["summary"] and all("traveller" not in d for d in document["days"])
    book = openpyxl.load_workbook(io.BytesIO(report.to_xlsx(plan)))
    assert book.sheetnames == ["Itinerary", "Not visited", "Summary"]
    assert next(book["Itinerary"].iter_rows(values_only=True)) == report.CSV_COLUMNS
