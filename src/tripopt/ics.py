"""The plan as an RFC 5545 calendar (icalendar): one event per visit and commitment.

Times are written in the scenario's time zone with its VTIMEZONE (generated from the
IANA database for the trip's dates), so a calendar in any zone shows them right.

Every text from the data goes through `report.printable`: RFC 5545 allows no control
character but tab in a text value, so a line break is one only in the description (where
icalendar writes it as `\\n`), a space elsewhere, and NUL, ESC and the like are escaped.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from hashlib import sha1

from icalendar import Calendar, Event

from .plan import DayPlan, Plan, Stop
from .report import printable

PRODID = "-//tripopt//trip plan//EN"


def plan_calendar(plan: Plan, travel_blocks: bool = False, stamp: datetime | None = None) -> bytes:
    """The calendar file's bytes. `travel_blocks` adds a busy "Drive to ..." event before
    each stop; `stamp` (DTSTAMP) defaults to now."""
    stamp = stamp or datetime.now(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", printable(f"{plan.scenario} (tripopt)"))
    calendar.add("x-wr-timezone", printable(plan.timezone))
    for day in plan.days:
        for previous, stop in zip(day.stops, day.stops[1:]):
            if stop.kind not in ("visit", "commitment"):
                continue
            if travel_blocks and stop.travel_minutes > 0:
                calendar.add_component(_travel_event(plan, day, previous, stop, stamp))
            calendar.add_component(_stop_event(plan, day, previous, stop, stamp))
    if plan.days:  # the zone's rules for the whole year(s): events moved by hand stay right
        calendar.add_missing_timezones(first_date=date(plan.days[0].day.year, 1, 1),
                                       last_date=date(plan.days[-1].day.year, 12, 31))
    return calendar.to_ical()


def _event(plan: Plan, day: DayPlan, stop: Stop, kind: str, stamp: datetime) -> Event:
    event = Event()
    key = f"{plan.scenario}|{day.day.isoformat()}|{kind}|{stop.name}".encode("utf-8", "surrogatepass")
    event.add("uid", f"{sha1(key).hexdigest()[:20]}@tripopt")  # stable: re-imports update, not duplicate
    event.add("dtstamp", stamp)
    return event


def _stop_event(plan: Plan, day: DayPlan, previous: Stop, stop: Stop, stamp: datetime) -> Event:
    event = _event(plan, day, stop, stop.kind, stamp)
    event.add("summary", printable(f"Visit: {stop.name}" if stop.kind == "visit" else stop.name))
    event.add("dtstart", stop.start)
    event.add("dtend", stop.end)
    event.add("location", printable(_location(stop)))
    event.add("geo", (stop.lat, stop.lon))
    event.add("categories", ["tripopt", stop.kind])
    lines = []
    if stop.kind == "visit":
        cost = f"; visit cost {stop.cost:,.2f} {printable(plan.currency)}" if stop.cost else ""
        lines.append(f"Value: {stop.value:,.0f}{cost}")
    if stop.notes:
        notes = printable(stop.notes, keep="\n")
        lines.append(f"Notes: {notes}")
    if stop.travel_minutes:
        lines.append(f"Drive before: {stop.travel_minutes} min ({stop.travel_km:,.1f} km) from "
                     f"{printable(previous.name)}, leave at {_departure(previous, stop):%H:%M}")
    lines.append(f"Coordinates: {stop.lat:.5f}, {stop.lon:.5f}")
    event.add("description", "\n".join(lines))
    return event


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


def _travel_event(plan: Plan, day: DayPlan, previous: Stop, stop: Stop, stamp: datetime) -> Event:
    event = _event(plan, day, stop, f"travel-{stop.kind}", stamp)
    event.add("summary", printable(f"Drive to {stop.name}"))
    event.add("dtstart", _departure(previous, stop))
    event.add("dtend", stop.arrive)
    event.add("description", f"{stop.travel_minutes} min, {stop.travel_km:,.1f} km from {printable(previous.name)}")
    event.add("categories", ["tripopt", "travel"])
    return event
