"""Meeting requests (RFC 5546 iTIP) for `--invites DIR`: one file per visit and attended
event, ready to send from a mail client, and after a re-plan what changed (docs/cli.md).

- Each file is a calendar of its own with one VEVENT: `METHOD:REQUEST` books it,
  `METHOD:CANCEL` (STATUS:CANCELLED) takes it back. Its UID is the one the stop's event
  has in the `--ics` calendar (ics.event_uid), so the traveller's calendar, the customer's
  and every later update speak of one event.
- ORGANIZER is the traveller's `organizer:` (else the scenario's). ATTENDEE is the
  customer's `email` (RSVP, a required participant) and the organizer, who chairs and has
  accepted: RFC 5546 wants a request to have an attendee even when the customer has no
  address (the request then books the traveller's own calendar).
- What a customer reads is the meeting: its title, time and place. The value, cost and
  notes, and the drive from the stop before (another customer's name), stay in the
  traveller's calendar. An event's request invites only the traveller: the customers met at
  one user group may be competitors, and a request shows every attendee to every other.
- SEQUENCE is the request's revision (`revise`): 0 when first sent; a re-plan gives a visit
  that moved its old number + 1 and one it drops or cancels a CANCEL at old + 1. The plan's
  JSON keeps the numbers (a stop's `sequence`, the plan's `withdrawn`), so a chain of
  re-plans goes on counting, and a visit booked again after a cancellation goes on from it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Event, vCalAddress

from .errors import InputError, Problem
from .ics import add_zones, calendar_time, event_uid, file_safe, new_calendar, stop_description, stop_event, title
from .model import Organizer, Scenario
from .plan import Booking, DayPlan, Plan, Stop
from .report import printable

REQUEST, CANCEL = "REQUEST", "CANCEL"


@dataclass(frozen=True)
class Invite:
    """One meeting request to send: its file name in DIR, its method, the meeting it books
    or cancels, and the file's bytes."""

    file_name: str
    method: str  # REQUEST or CANCEL
    booking: Booking
    data: bytes


def revise(plan: Plan, booked: Sequence[Booking], withdrawn: Sequence[Booking]) -> Plan:
    """A re-plan with its requests' revisions, from the plan it replaces (`booked`: its
    visits and events, `withdrawn`: its withdrawn requests). A meeting keeps its number when
    its times stay, and gets the old number + 1 when they change or it is booked again
    after a cancellation; one the plan no longer has is withdrawn at its number + 1. Each
    meeting is its UID, so a visit that passes to another traveller is a cancellation of
    the one and a request of the other."""
    before = {_uid(plan, b): b for b in booked}
    gone = {_uid(plan, b): b for b in withdrawn}

    def sequence(booking: Booking) -> int:
        old = before.get(_uid(plan, booking))
        if old is not None:
            return old.sequence if (old.start, old.end) == (booking.start, booking.end) else old.sequence + 1
        back = gone.get(_uid(plan, booking))
        return back.sequence + 1 if back is not None else 0

    days = tuple(dataclasses.replace(day, stops=tuple(
        dataclasses.replace(s, sequence=sequence(_booking(day, s))) if _books(s) else s for s in day.stops))
        for day in plan.days)
    revised = dataclasses.replace(plan, days=days)
    now = {_uid(plan, b) for b in revised.bookings}
    gone.update((uid, dataclasses.replace(b, sequence=b.sequence + 1)) for uid, b in before.items())
    kept = sorted((b for uid, b in gone.items() if uid not in now), key=lambda b: (b.start, b.traveller, b.name))
    return dataclasses.replace(revised, withdrawn=tuple(kept))


def check_organizers(scenario: Scenario, option: str = "--invites") -> None:
    """Every traveller has an organizer for their requests (RFC 5546 wants one), checked
    before the search: else bad input saying where `organizer:` goes."""
    missing = [t.name for t in scenario.team if scenario.organizer_of(t.name) is None]
    if not missing:
        return
    whose = "" if not scenario.travellers else f" (or to each of the travellers {', '.join(missing)})"
    raise InputError(Problem(option, "a meeting request needs an organizer: add `organizer: {name: ..., email: ...}` "
                                     f"to the scenario{whose}"))


def meeting_requests(plan: Plan, scenario: Scenario, sent: Sequence[Booking] = (),
                     withdrawn: Sequence[Booking] = (), stamp: datetime | None = None) -> tuple[Invite, ...]:
    """The requests to send for `plan`. A new plan: a REQUEST for every visit and attended
    event. A re-plan (`sent` and `withdrawn` from the plan it replaces): only what changed,
    a REQUEST for each meeting whose revision is new (added, moved, booked again) and a
    CANCEL for each request it withdraws; an unchanged meeting's request stands as sent.
    `stamp` (DTSTAMP) defaults to now."""
    check_organizers(scenario)
    stamp = stamp or datetime.now(UTC)
    had = {(_uid(plan, b), b.sequence) for b in sent}
    taken_back = {(_uid(plan, b), b.sequence) for b in withdrawn}
    found = [_request(plan, scenario, day, previous, stop, stamp)
             for day in plan.days for previous, stop, _ in day.legs
             if _books(stop) and (_uid(plan, _booking(day, stop)), stop.sequence) not in had]
    found += [_cancel(plan, scenario, b, stamp) for b in plan.withdrawn
              if (_uid(plan, b), b.sequence) not in taken_back]
    return _named(plan, found)


def _books(stop: Stop) -> bool:
    return stop.kind in ("visit", "event") and stop.start is not None and stop.end is not None


def _booking(day: DayPlan, stop: Stop) -> Booking:
    if stop.start is None or stop.end is None:
        raise AssertionError(f"{stop.kind} {printable(stop.name)[:60]!r} has no times")
    return Booking(stop.kind, stop.name, day.traveller, day.day, stop.start, stop.end, stop.sequence)


def _uid(plan: Plan, booking: Booking) -> str:
    return event_uid(plan, booking.traveller, booking.kind, booking.day, booking.name)


def _organizer(scenario: Scenario, traveller: str) -> Organizer:
    """Who sends a traveller's requests; a traveller the scenario no longer has (a re-plan's
    cancellation) takes the scenario's."""
    organizer = scenario.organizer_of(traveller)
    if organizer is None:
        raise InputError(Problem("--invites", f"{printable(traveller)!r} is no traveller of the scenario and it "
                                              "has no `organizer:` of its own for the cancellation"))
    return organizer


def _request(plan: Plan, scenario: Scenario, day: DayPlan, previous: Stop, stop: Stop,
             stamp: datetime) -> tuple[str, Booking, Event]:
    """A visit's or event's REQUEST: the calendar's event with who is invited."""
    organizer = _organizer(scenario, day.traveller)
    event = stop_event(plan, day, stop, stamp)
    event.add("sequence", stop.sequence)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    if stop.kind == "event":  # the traveller's own: what the calendar says
        event.add("description", stop_description(plan, day, previous, stop))
        guests: tuple[str, ...] = ()
    else:
        event.add("description", _visit_text(organizer, stop))
        guests = stop.customer.emails if stop.customer is not None else ()
    _invite(event, organizer, guests, stop.name)
    return REQUEST, _booking(day, stop), event


def _visit_text(organizer: Organizer, stop: Stop) -> str:
    """What the customer reads: who comes, and where (the calendar's own notes stay out)."""
    who = f"{organizer.name} ({organizer.email})" if organizer.name else organizer.email
    where = f"\nWhere: {stop.address}" if stop.address else ""
    return printable(f"Visit by {who} to {stop.name}.{where}", keep="\n")


def _cancel(plan: Plan, scenario: Scenario, booking: Booking, stamp: datetime) -> tuple[str, Booking, Event]:
    """A withdrawn request's CANCEL: the same UID, the next revision, every attendee told."""
    zone = ZoneInfo(plan.timezone)
    event = Event()
    event.add("uid", _uid(plan, booking))
    event.add("dtstamp", stamp)
    event.add("sequence", booking.sequence)
    event.add("status", "CANCELLED")
    event.add("summary", printable(title(booking.kind, booking.name)))
    event.add("dtstart", calendar_time(booking.start.astimezone(zone)))
    event.add("dtend", calendar_time(booking.end.astimezone(zone)))
    customer = next((c for c in scenario.customers if c.name == booking.name), None)
    guests = customer.emails if customer is not None and booking.kind == "visit" else ()
    _invite(event, _organizer(scenario, booking.traveller), guests, booking.name)
    return CANCEL, booking, event


def _invite(event: Event, organizer: Organizer, guests: Sequence[str], customer: str) -> None:
    """ORGANIZER, the organizer as the accepted chair, and each of `guests` (the customer's
    addresses) as a required participant asked to reply."""
    event.add("organizer", _address(organizer.email, organizer.name))
    event.add("attendee", _address(organizer.email, organizer.name, ROLE="CHAIR", PARTSTAT="ACCEPTED",
                                   RSVP="FALSE"))
    for email in guests:
        event.add("attendee", _address(email, customer, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION",
                                       RSVP="TRUE", CUTYPE="INDIVIDUAL"))


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = printable(name).replace('"', "'")  # a parameter value may hold no quote
    for key, value in params.items():
        address.params[key] = value
    return address


def _named(plan: Plan, found: Sequence[tuple[str, Booking, Event]]) -> tuple[Invite, ...]:
    """Each request as its file: `2026-12-02_1030_Acme_Corp.ics` (date and local start, in a
    team the traveller, the name made file-safe), `-cancelled` before the suffix for a
    CANCEL, `-2`, `-3` for names a case-blind file system would take for one; in time order."""
    zone = ZoneInfo(plan.timezone)
    taken: set[str] = set()
    invites = []
    for method, booking, event in sorted(found, key=lambda item: (item[1].start, item[1].traveller, item[1].name)):
        who = f"{file_safe(booking.traveller)}_" if plan.travellers else ""
        stem = (f"{booking.start.astimezone(zone):%Y-%m-%d_%H%M}_{who}{file_safe(booking.name, 'visit')}"
                + ("-cancelled" if method == CANCEL else ""))
        name, count = f"{stem}.ics", 1
        while name.casefold() in taken:
            count += 1
            name = f"{stem}-{count}.ics"
        taken.add(name.casefold())
        invites.append(Invite(name, method, booking, _calendar(method, event, booking)))
    return tuple(invites)


def _calendar(method: str, event: Event, booking: Booking) -> bytes:
    calendar = new_calendar()
    calendar.add("method", method)
    calendar.add_component(event)
    add_zones(calendar, [booking.day])
    return calendar.to_ical()
