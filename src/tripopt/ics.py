"""The plan as an RFC 5545 calendar (icalendar): one event per visit and commitment.

Times are written in the scenario's time zone with its VTIMEZONE (generated from the
IANA database for the trip's dates), so a calendar in any zone shows them right; a time
in the hour the clocks repeat when they go back, the second time round, is written in
UTC (a calendar reads a repeated local time as its first occurrence, RFC 5545 3.3.5).

A team gets one calendar per traveller (`plan_calendar(..., traveller=NAME)`, each file
named by `calendar_paths`), each event's UID made from the traveller too, so re-importing
a traveller's calendar updates their events and never touches a colleague's.

Every text from the data goes through `report.printable`: RFC 5545 allows no control
character but tab in a text value, so a line break is one only in the description (where
icalendar writes it as `\\n`), a space elsewhere, and NUL, ESC and the like are escaped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime
from hashlib import sha1
from pathlib import Path

from icalendar import Calendar, Event

from .errors import InputError, Problem
from .files import short
from .plan import DayPlan, Plan, Stop
from .report import printable

PRODID = "-//tripopt//trip plan//EN"
_NOT_IN_FILE_NAME = re.compile(r"[^\w.-]+")  # \w: letters and digits of any script, and _
MAX_NAME_IN_FILE = 64  # characters of a traveller's name in their calendar's file name


def plan_calendar(plan: Plan, travel_blocks: bool = False, stamp: datetime | None = None,
                  traveller: str | None = None) -> bytes:
    """The calendar file's bytes. `travel_blocks` adds a busy "Drive to ..." event before
    each stop, and before the end of a day that ends at the departure place (the airport:
    `_departure_days`); `stamp` (DTSTAMP) defaults to now. In a team, `traveller` makes that
    traveller's own calendar; without it the calendar holds everyone's events, each
    summary led by whose it is."""
    stamp = stamp or datetime.now(UTC)
    days = [d for d in plan.days if traveller is None or d.traveller == traveller]
    together = bool(plan.travellers) and traveller is None
    calendar = new_calendar()
    title = plan.scenario if not plan.travellers or traveller is None else f"{plan.scenario}: {traveller}"
    calendar.add("x-wr-calname", printable(f"{title} (tripopt)"))
    calendar.add("x-wr-timezone", printable(plan.timezone))
    departures = {id(d) for d in _departure_days(days)}
    for day in days:
        for previous, stop, lunch in day.legs:
            if travel_blocks and stop.travel_minutes > 0 and (
                    stop.kind in ("visit", "commitment", "event") or (stop.kind == "end" and id(day) in departures)):
                calendar.add_component(_travel_event(plan, day, previous, stop, lunch, stamp, together))
            if lunch is not None:
                calendar.add_component(_lunch_event(plan, day, lunch, stamp, together))
            if stop.kind in ("visit", "commitment", "event"):
                calendar.add_component(_stop_event(plan, day, previous, stop, stamp, together))
    add_zones(calendar, [d.day for d in days])
    return calendar.to_ical()


def new_calendar() -> Calendar:
    """An empty calendar with the properties every file of ours starts with."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def add_zones(calendar: Calendar, days: Sequence[date]) -> None:
    """The VTIMEZONE of every zone the calendar's times use, with its rules for the whole
    year(s) of `days`: an event moved by hand to another date stays right."""
    if days:
        calendar.add_missing_timezones(first_date=date(min(days).year, 1, 1), last_date=date(max(days).year, 12, 31))


def _departure_days(days: Sequence[DayPlan]) -> list[DayPlan]:
    """The days that end at a departure place (the airport): each traveller's last day in
    the plan when it ends somewhere else than it began (the base). The drive there is a
    travel block too; a day back at the base (a trip without `depart`, or a last day with
    nothing planned, left out) ends with none."""
    last: dict[str, DayPlan] = {}
    for day in days:
        if day.traveller not in last or day.day > last[day.traveller].day:
            last[day.traveller] = day
    return [d for d in last.values() if _place_key(d.located[-1]) != _place_key(d.located[0])]


def _place_key(stop: Stop) -> str | tuple[float, float]:
    return stop.place.key if stop.place is not None else (stop.lat, stop.lon)


def file_safe(name: str, empty: str = "traveller") -> str:
    """A name (a traveller's, a customer's) as part of a file name: letters and digits of
    any script, `_`, `.` and `-` kept, any run of other characters (spaces, slashes, control
    characters) one `_`, no `.`, `_` or `-` at either end, at most MAX_NAME_IN_FILE
    characters; `empty` if nothing is left."""
    safe = _NOT_IN_FILE_NAME.sub("_", unicodedata.normalize("NFC", name)).strip("._-")
    return safe[:MAX_NAME_IN_FILE].rstrip("._-") or empty


def calendar_paths(path: Path, travellers: Sequence[str], option: str = "--ics") -> list[tuple[str, Path]]:
    """Each traveller's calendar file: `path` with -NAME before its suffix (trip.ics ->
    trip-Dana.ics, NAME by `file_safe`). Two travellers whose files would be one (also
    when the names differ only in case, as they would on macOS or Windows) are an
    InputError, raised before anything is written."""
    result: list[tuple[str, Path]] = []
    taken: dict[str, str] = {}
    for name in travellers:
        file = path.with_name(f"{path.stem}-{file_safe(name)}{path.suffix}")
        other = taken.setdefault(file.name.casefold(), name)
        if other != name:
            raise InputError(Problem(f"{option} {short(path)}", (
                f"travellers {printable(other)!r} and {printable(name)!r} would both get the calendar "
                f"{printable(file.name)} (a name in a file name keeps only letters, digits, '_', '.' and '-'); "
                "rename one of them")))
        result.append((name, file))
    return result


def calendar_time(when: datetime | None) -> datetime | None:
    """A time as the calendar gets it: local time with the zone, or in UTC when it is the
    second occurrence of a local time the clocks repeat (fall-back night), which a
    calendar would read as the first one, an hour early."""
    if when is not None and when.fold and when.replace(fold=0).utcoffset() != when.utcoffset():
        return when.astimezone(UTC)
    return when


def event_uid(plan: Plan, traveller: str, kind: str, day: date, name: str) -> str:
    """The UID of a stop's calendar event, which its meeting request shares (invites.py):
    stable, so a re-import or an updated request changes the event instead of adding one.
    A visit's leaves out its day: a customer is visited once per plan, so a re-plan that
    moves the visit updates the event in place; commitments, events and drives recur by
    day and keep theirs. In a team each traveller's events are their own."""
    who = f"{traveller}|" if plan.travellers else ""
    when = "" if kind in ("visit", "travel-visit") else f"{day.isoformat()}|"
    key = f"{plan.scenario}|{who}{when}{kind}|{name}".encode("utf-8", "surrogatepass")
    return f"{sha1(key).hexdigest()[:20]}@tripopt"


def title(kind: str, name: str) -> str:
    """A stop's summary line: "Visit: Acme" for a visit, the name of a commitment or event."""
    return f"Visit: {name}" if kind == "visit" else name


def _event(plan: Plan, day: DayPlan, stop: Stop, kind: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", event_uid(plan, day.traveller, kind, day.day, stop.name))
    event.add("dtstamp", stamp)
    return event


def stop_event(plan: Plan, day: DayPlan, stop: Stop, stamp: datetime, together: bool = False) -> Event:
    """A visit's, commitment's or event's calendar event without its description: what a
    meeting request (invites.py) says alike, with the same UID. `together`: a calendar of
    the whole team, each summary led by whose it is."""
    event = _event(plan, day, stop, stop.kind, stamp)
    whose = f"{day.traveller}: " if together else ""
    event.add("summary", printable(whose + title(stop.kind, stop.name)))
    event.add("dtstart", calendar_time(stop.start))
    event.add("dtend", calendar_time(stop.end))
    event.add("location", printable(_location(stop)))
    event.add("geo", (stop.lat, stop.lon))
    event.add("categories", ["tripopt", stop.kind])
    return event


def _stop_event(plan: Plan, day: DayPlan, previous: Stop, stop: Stop, stamp: datetime, together: bool) -> Event:
    event = stop_event(plan, day, stop, stamp, together)
    event.add("description", stop_description(plan, day, previous, stop))
    return event


def stop_description(plan: Plan, day: DayPlan, previous: Stop, stop: Stop) -> str:
    """What the traveller's own calendar says of a stop: whose, its value and cost, whom an
    event meets, the notes, the drive before it and where it is (for the traveller's eyes
    only: a customer's meeting request says none of it)."""
    lines = [f"Traveller: {printable(day.traveller)}"] if plan.travellers else []
    if stop.kind == "visit":
        cost = f"; visit cost {stop.cost:,.2f} {printable(plan.currency)}" if stop.cost else ""
        lines.append(f"Value: {stop.value:,.0f}{cost}")
    if stop.kind == "event":
        lines.append(f"Meets: {printable(', '.join(c.name for c in stop.met)) or 'nobody not visited otherwise'}")
        cost = f"; cost {stop.cost:,.2f} {printable(plan.currency)}" if stop.cost else ""
        lines.append(f"Value: {stop.value:,.0f}{cost}")
    if stop.notes:
        notes = printable(stop.notes, keep="\n")
        lines.append(f"Notes: {notes}")
    if stop.travel_minutes:
        lines.append(f"{_moving(stop)} before: {stop.travel_minutes} min ({stop.travel_km:,.1f} km) from "
                     f"{printable(previous.name)}, leave at {_departure(previous, stop):%H:%M}")
    lines.append(f"Coordinates: {stop.lat:.5f}, {stop.lon:.5f}")
    return "\n".join(lines)


def _location(stop: Stop) -> str:
    """A commitment's place by its name; a customer by name and, when known, address."""
    if stop.kind == "commitment":
        return stop.address or stop.name
    return f"{stop.name}, {stop.address}" if stop.address else stop.name


def _departure(previous: Stop, stop: Stop) -> datetime:
    """When the traveller leaves the stop before (its end, or the day's departure)."""
    if previous.depart is not None:
        return previous.depart
    if stop.arrive is None:
        raise AssertionError(f"{stop.kind} {printable(stop.name)[:60]!r} has no arrival time")
    return stop.arrive


def _lunch_event(plan: Plan, day: DayPlan, lunch: Stop, stamp: datetime, together: bool) -> Event:
    """The day's lunch, a busy block of its own (at no place)."""
    event = _event(plan, day, lunch, "lunch", stamp)
    whose = f"{day.traveller}: " if together else ""
    event.add("summary", printable(f"{whose}Lunch"))
    event.add("dtstart", calendar_time(lunch.start))
    event.add("dtend", calendar_time(lunch.end))
    event.add("categories", ["tripopt", "lunch"])
    return event


def _moving(stop: Stop) -> str:
    """"Drive", or "Walk" for a leg with no driving (the buffer between two customers at one
    point, docs/scenario.md, travel): the calendar says what the minutes are for."""
    return "Drive" if stop.drive_minutes > 0 else "Walk"


def _travel_event(plan: Plan, day: DayPlan, previous: Stop, stop: Stop, lunch: Stop | None, stamp: datetime,
                  together: bool) -> Event:
    """A "Drive to" block from the stop before; a lunch taken before arriving is left out of
    it (the drive resumes when lunch ends)."""
    event = _event(plan, day, stop, f"travel-{stop.kind}", stamp)
    whose = f"{day.traveller}: " if together else ""
    event.add("summary", printable(f"{whose}{_moving(stop)} to {stop.name}"))
    leave = _departure(previous, stop)
    if lunch is not None and lunch.end is not None and stop.arrive is not None and lunch.end <= stop.arrive:
        leave = max(leave, lunch.end)
    event.add("dtstart", calendar_time(leave))
    event.add("dtend", calendar_time(stop.arrive))
    then = f"; the trip ends at {printable(stop.name)}" if stop.kind == "end" else ""
    event.add("description", f"{stop.travel_minutes} min, {stop.travel_km:,.1f} km from {printable(previous.name)}"
              + then)
    if stop.kind == "end":
        event.add("location", printable(stop.name))
        event.add("geo", (stop.lat, stop.lon))
    event.add("categories", ["tripopt", "travel"])
    return event
