"""Re-planning during the trip: what is done stays done, what is booked stays booked.

A plan the traveller is following (its JSON, `tripopt.plan/1`) and the time now give the
rules of the new plan (docs/replan.md):

- every stop that started before now is kept as it was (same day, order and start), and
  so is the one the traveller has already left for (under way), unless cancelled;
- by default every later visit and attended event keeps its day and start (the customer
  has it in their calendar); `free` lets them move or drop, never for less value than
  keeping them;
- nothing new goes on a day that is over, and today's new visits and events start from
  where the traveller is, once the last kept stop and now are both past.

These become pins on the compiled problem of the old plan's own extension layout (a
visit's node held at its start, days closed, today's copies of each customer clipped to
what the traveller can still reach), so the planner's search, proofs and reasons work on
them unchanged, and the old plan's kept part is the start the search never falls below.
The events kept are in every choice of events compared and those begun or out of reach
are no candidates (`events.Hold`): an event attended is at its place for its whole time,
like a commitment, so holding it is holding that choice, and a customer met at a kept
event is met there in every plan compared, never counted again.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from . import events
from .compile import CENTS, CompiledProblem, compile_layout, day_clock, layouts, local_instant
from .errors import InputError, Problem
from .exact import tour_cost
from .files import short
from .grammar import parse_hours
from .invites import revise
from .limits import Interrupted
from .model import Customer, Event, Scenario
from .plan import Booking, Change, Outline, Plan, Slot, Unvisited
from .planner import PLANNING, ProgressCallback, solve
from .problem import NO_LUNCH, RoutingProblem, Tour, earliest_schedule
from .travel import TravelMatrix, legs_between
from .yamlio import read_regular_file

FORMAT = "tripopt.plan/1"


@dataclass(frozen=True)
class OldStop:
    """A visit, commitment or attended event of the plan being followed, as its JSON gave it."""

    kind: str  # "visit", "commitment" or "event"
    name: str
    day: date
    traveller: str
    start: datetime
    end: datetime
    departed: datetime  # when the traveller left the previous stop for it
    lat: float
    lon: float
    value: float


@dataclass(frozen=True)
class OldPlan:
    scenario: str
    extension: tuple[int, int]  # days before, after
    stops: tuple[OldStop, ...]  # in day, then route order
    days: tuple[date, ...]  # first to last
    travellers: tuple[str, ...]  # in the plan's order ("" alone without a team)
    booked: tuple[Booking, ...] = ()  # its visits and events as their meeting requests book them (invites.py)
    withdrawn: tuple[Booking, ...] = ()  # the meeting requests it (or a plan before it) took back


MAX_PLAN_BYTES = 50_000_000  # a plan's JSON: a few hundred kB for thousands of stops


def read_plan_file(path: Path) -> OldPlan:
    """The plan being followed, from its JSON file (bad input names the file)."""
    data = read_regular_file(path, MAX_PLAN_BYTES, "plan")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(Problem(str(path), f"is not JSON ({short(str(exc))})")) from None
    return read_plan(document, str(path))


def read_plan(document: object, source: str) -> OldPlan:
    """The plan being followed, from its JSON; InputError naming `source` and the key."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError(Problem(source, f"not a tripopt plan (expected \"format\": \"{FORMAT}\")"))
    try:
        extension = document["summary"]["extension_days"]
        before, after = int(extension["before"]), int(extension["after"])
        stops, days, travellers, booked = [], set(), [], []
        for day in document["days"]:
            on = date.fromisoformat(day["date"])
            days.add(on)
            who = str(day.get("traveller", ""))
            if who not in travellers:
                travellers.append(who)
            previous_end = None
            for stop in day["stops"]:
                if stop["type"] == "start":
                    previous_end = datetime.fromisoformat(stop["depart"])
                    continue
                if stop["type"] in ("visit", "event"):
                    booked.append(_booking(stop, on, who))
                if stop["type"] not in ("visit", "commitment", "event"):
                    continue
                start, end = datetime.fromisoformat(stop["start"]), datetime.fromisoformat(stop["end"])
                arrive = datetime.fromisoformat(stop["arrive"])
                departed = arrive - timedelta(minutes=int(stop["travel_minutes"]))
                if previous_end is not None:
                    departed = max(departed, previous_end)
                stops.append(OldStop(stop["type"], str(stop["name"]), on, who, start, end,
                                     departed, float(stop["lat"]), float(stop["lon"]), float(stop.get("value", 0))))
                previous_end = end
        withdrawn = _withdrawn(document, source)
        return OldPlan(str(document["scenario"]), (before, after), tuple(stops), tuple(sorted(days)),
                       tuple(travellers), tuple(booked), withdrawn)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(Problem(f"{source}: days", f"is not a plan's days and stops ({exc})")) from None


def _booking(entry: dict, on: date, who: str) -> Booking:
    """A visit, an event or a withdrawn request of the plan's JSON, with its revision
    (`sequence`: absent in a plan whose requests were never revised, 0)."""
    if entry["type"] not in ("visit", "event"):
        raise ValueError(f"{entry.get('name')!r}: a meeting is a visit or an event, not {entry['type']!r}")
    sequence = entry.get("sequence", 0)
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise ValueError(f"{entry.get('name')!r}: sequence {sequence!r} is not a whole number >= 0")
    return Booking(str(entry["type"]), str(entry["name"]), who, on, datetime.fromisoformat(entry["start"]),
                   datetime.fromisoformat(entry["end"]), sequence)


def _withdrawn(document: dict, source: str) -> tuple[Booking, ...]:
    """The plan's `withdrawn` requests (docs/plan-json.md); bad input names the key."""
    try:
        return tuple(_booking(entry, date.fromisoformat(entry["date"]), str(entry.get("traveller", "")))
                     for entry in document.get("withdrawn", []))
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(Problem(f"{source}: withdrawn", f"is not a list of withdrawn requests ({exc})")) from None


def replan(scenario: Scenario, old: OldPlan, now: datetime, cancel: Sequence[str] = (), free: bool = False,
           progress: ProgressCallback | None = None, interrupted: Interrupted | None = None) -> Plan:
    """The new plan of the whole trip under the rules above, with its `changes`."""
    zone = ZoneInfo(scenario.timezone)
    now = now.astimezone(zone) if now.tzinfo else now.replace(tzinfo=zone)
    _check(scenario, old, now, cancel)
    scenario, notes = _with_removed(scenario, old, now)
    known = {c.name for c in scenario.customers}
    tours = _keeps_the_rules(scenario, old, known)
    fixed = _Fixed(old, now, set(cancel), known, keep_booked=True)
    kept = _search(scenario, fixed, tours, progress, interrupted, _outline(old, fixed))
    plan = kept
    if free:
        loose = _Fixed(old, now, set(cancel), known, keep_booked=False)
        plan = _search(scenario, loose, tours, progress, interrupted, kept.outline)
    plan = _with_passed(_with_cancelled(plan, scenario, old, cancel, now), scenario, now)
    plan = dataclasses.replace(plan, changes=_changes(old, plan, now, set(cancel)), notes=tuple(notes))
    return revise(plan, old.booked, old.withdrawn)


def _search(scenario: Scenario, fixed: _Fixed, tours: Sequence[Tour], progress: ProgressCallback | None,
            interrupted: Interrupted | None, warm_start: Outline) -> Plan:
    """The planner on the re-plan's pins, from `warm_start`. With events, `events.solve`
    itself, told what the re-plan holds of them (`_hold`): planner.solve has no such rule,
    which only a re-plan needs."""
    layout = fixed.old.extension
    if scenario.events:
        return events.solve(scenario, PLANNING, progress, interrupted, warm_start, fixed.apply, layout,
                            _hold(scenario, fixed, tours))
    return solve(scenario, progress, interrupted, warm_start=warm_start, refine=fixed.apply, layout=layout)


def _hold(scenario: Scenario, fixed: _Fixed, tours: Sequence[Tour]) -> events.Hold:
    """The events the re-plan keeps attended (by the same traveller), and who can no
    longer attend the others (`_cannot_attend`). The plan being followed shows that its
    own events can be reached by their travellers, so those are not checked again."""
    index = {e.name: i for i, e in enumerate(scenario.events)}
    attend = tuple(sorted((index[s.name], s.traveller) for s in fixed.events))
    booked = {(s.name, s.traveller) for s in fixed.old.stops if s.kind == "event"}
    barred = tuple((i, t.name, why) for i, event in enumerate(scenario.events) for t in scenario.team
                   if event.may_attend(t) and (event.name, t.name) not in booked
                   and (why := _cannot_attend(scenario, fixed, event, t.name, tours)) is not None)
    return events.Hold(attend, barred)


def _cannot_attend(scenario: Scenario, fixed: _Fixed, event: Event, traveller: str,
                   tours: Sequence[Tour]) -> str | None:
    """Why `traveller` can no longer attend `event` at --now, or None: it has begun, it
    overlaps a stop the re-plan keeps, or today it cannot be reached by its start from
    where they are (the place of their last stop begun, left once that and now are past)."""
    start, end = _times(event, ZoneInfo(scenario.timezone))
    if start < fixed.now:
        return f"it began at {start:%H:%M} on {event.day:%a %d %b}, before the re-plan's --now " \
               f"({fixed.now:%a %d %b %H:%M})"
    clash = next((s for s in fixed.staying(traveller, event.day) if s.start < end and start < s.end), None)
    if clash is not None:
        what = f"the visit to {clash.name}" if clash.kind == "visit" else f"{clash.name!r}"
        return f"it overlaps {what} ({clash.start:%H:%M}-{clash.end:%H:%M}), which the re-plan keeps"
    tour = next((t for t in tours if (t.traveller, t.day) == (traveller, event.day)), None)
    if event.day != fixed.now.date() or tour is None:
        return None
    started, free_at = fixed.free_at(traveller, event.day)
    last, home = (started[-1] if started else None), scenario.places[tour.start_place]
    name, lat, lon = (last.name, last.lat, last.lon) if last is not None else (home.name, home.lat, home.lon)
    place = scenario.places[event.place]
    arrive = free_at + timedelta(minutes=legs_between([lat], [lon], [place.lat], [place.lon],
                                                      scenario.travel).travel_minutes.item(0, 0))
    if arrive <= start:
        return None
    return (f"it cannot be reached by its start from where the traveller is: leaving {name} at "
            f"{free_at:%H:%M}, the earliest arrival is {arrive:%H:%M}")


def _check(scenario: Scenario, old: OldPlan, now: datetime, cancel: Sequence[str]) -> None:
    """Bad input: a plan of another scenario, a time outside its days, a cancellation of
    something that is not a future visit."""
    if old.scenario != scenario.name:
        raise InputError(Problem("--plan", f"is a plan of {old.scenario!r}, not of {scenario.name!r}"))
    zone = ZoneInfo(scenario.timezone)
    first = datetime.combine(old.days[0], time(), zone)
    last = datetime.combine(old.days[-1] + timedelta(days=1), time(), zone)
    if not first <= now < last:
        raise InputError(Problem("--now", f"{now:%Y-%m-%d %H:%M} is outside the plan's days "
                                          f"({old.days[0]} to {old.days[-1]})"))
    future = {s.name for s in old.stops if s.kind == "visit" and s.start >= now}
    under_way = {s.name for s in _under_way(old, now)}
    for name in cancel:
        if name not in future | under_way:
            raise InputError(Problem("--cancel", f"{name!r} is not a visit of the plan after "
                                                 f"{now:%a %d %b %H:%M}"))


def _keeps_the_rules(scenario: Scenario, old: OldPlan, known: set[str]) -> tuple[Tour, ...]:
    """Bad input naming the first rule the plan being followed breaks (edited by hand, or
    made for another version of the scenario): every stop of it held at its own start, its
    events as the commitments they are (`events.combined`). Returns the layout's tours."""
    chosen = [layout for layout in layouts(scenario) if (layout.before, layout.after) == old.extension]
    if not chosen:
        raise InputError(Problem("--plan", f"uses {old.extension[0]} extension day(s) before and "
                                           f"{old.extension[1]} after, which the scenario does not allow"))
    names = {k.name for k in scenario.commitments}
    for stop in old.stops:
        if stop.kind == "commitment" and stop.name not in names:
            raise InputError(Problem("--plan", f"commitment {stop.name!r} on {stop.day:%a %d %b} is not in the "
                                               "scenario"))
    choice = _attended(scenario, old)
    visited = frozenset(s.name for s in old.stops if s.kind == "visit")
    after_the_trip = datetime.combine(old.days[-1] + timedelta(days=1), time(), ZoneInfo(scenario.timezone))
    everything = _Fixed(old, after_the_trip, set(), known, keep_booked=True)
    compiled = everything.apply(compile_layout(events.combined(scenario, choice, visited), chosen[0]))
    p = compiled.problem
    for stop in everything.kept:
        held = [n for n in compiled.customer_nodes(_index(scenario, stop.name)) if p.windows[n]]
        if not held or not _open(compiled, stop):
            raise InputError(Problem("--plan", f"{stop.name} on {stop.day:%a %d %b} at {stop.start:%H:%M}: not "
                                               "open then for the whole meeting"))
    routes = _held_routes(p)
    for t, route in enumerate(routes):
        timed = earliest_schedule(p, t, route)
        if timed.failed_at is None:
            continue
        day = f"{p.tours[t].day:%a %d %b}"
        if timed.failed_at == -1:
            broken = f"on {day} the driving ({timed.drive} minutes) is over the cap"
        elif timed.failed_at == len(route):
            broken = f"on {day} the traveller is not back at {p.tours[t].end_place} in time"
        elif timed.failed_at == NO_LUNCH:
            broken = f"on {day} the kept stops leave no room for lunch"
        else:
            broken = f"on {day} {_node_name(compiled, route[timed.failed_at], len(scenario.commitments))} cannot be " \
                     "reached by its start"
        raise InputError(Problem("--plan", broken))
    cost = tour_cost(p, routes) / CENTS + compiled.layout.fixed_cost + sum(scenario.events[i].cost for i, _ in choice)
    if scenario.budget is not None and cost > scenario.budget + 1e-9:
        raise InputError(Problem("--plan", f"costs {cost:,.2f} {scenario.currency}, over the budget of "
                                           f"{scenario.budget:,.2f}"))
    return p.tours


def _attended(scenario: Scenario, old: OldPlan) -> events.Choice:
    """The plan's events as a choice of events; bad input naming the first event stop that
    breaks a rule: not in the scenario, not at its date and time, by a traveller who may
    not attend it, attended twice."""
    index = {e.name: i for i, e in enumerate(scenario.events)}
    team = {t.name: t for t in scenario.team}
    zone = ZoneInfo(scenario.timezone)
    choice: dict[int, str] = {}
    for stop in (s for s in old.stops if s.kind == "event"):
        where = f"event {stop.name!r} on {stop.day:%a %d %b}"
        if stop.name not in index:
            raise InputError(Problem("--plan", f"{where} is not in the scenario"))
        i = index[stop.name]
        e = scenario.events[i]
        start, end = _times(e, zone)
        if (stop.day, stop.start, stop.end) != (e.day, start, end):
            raise InputError(Problem("--plan", f"{where} at {stop.start:%H:%M}: not at its time ({e.day:%a %d %b} "
                                               f"{start:%H:%M}-{end:%H:%M})"))
        if stop.traveller not in team or not e.may_attend(team[stop.traveller]):
            raise InputError(Problem("--plan", f"{where}: {stop.traveller or 'the traveller'} may not attend it"))
        if i in choice:
            raise InputError(Problem("--plan", f"{where}: attended twice (at most one traveller attends an event)"))
        choice[i] = stop.traveller
    return tuple(sorted(choice.items()))


def _held_routes(p: RoutingProblem) -> tuple[tuple[int, ...], ...]:
    """Each tour's held nodes (kept visits and commitments), in time order."""
    return tuple(tuple(sorted((n for n in p.visit_nodes if p.allowed_tours[n] == (t,) and p.mandatory[n]
                               and p.windows[n]), key=lambda n: p.windows[n][0][0])) for t in range(len(p.tours)))


def _open(compiled: CompiledProblem, stop: OldStop) -> bool:
    """Do the customer's own windows (before holding) admit the meeting at that start?"""
    scenario = compiled.scenario
    customer = scenario.customers[_index(scenario, stop.name)]
    clock = day_clock(stop.day, ZoneInfo(scenario.timezone))
    start = clock.minute_at(stop.start)
    return any(clock.minute(a) <= start and start + customer.meeting_minutes <= clock.minute(b)
               for a, b in customer.hours.windows_on(stop.day))


def _times(event: Event, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """When an event starts and ends, as local times (the plan's stops give theirs so)."""
    start, end = (local_instant(event.day, m, zone).astimezone(zone) for m in (event.start_minute, event.end_minute))
    return start, end


def _node_name(compiled: CompiledProblem, node: int, own: int) -> str:
    """A node as the old plan's stop it holds (the commitments after the scenario's `own`
    stand for its events)."""
    ref = compiled.node_ref[node]
    if compiled.node_kind[node] == "customer":
        return compiled.scenario.customers[ref].name
    kind = "commitment" if ref < own else "event"
    return f"{kind} {compiled.scenario.commitments[ref].name!r}"


def _index(scenario: Scenario, name: str) -> int:
    return next(i for i, c in enumerate(scenario.customers) if c.name == name)


def _under_way(old: OldPlan, now: datetime) -> list[OldStop]:
    """Per traveller and day, the first stop not started by now if the traveller had left for it."""
    found = []
    for key in {(s.traveller, s.day) for s in old.stops}:
        later = [s for s in old.stops if (s.traveller, s.day) == key and s.start >= now]
        if later and later[0].departed < now:
            found.append(later[0])
    return found


class _Fixed:
    """The pins of one re-plan, applied to each compiled problem by `apply`."""

    def __init__(self, old: OldPlan, now: datetime, cancel: set[str], known: set[str], keep_booked: bool):
        self.old, self.now = old, now
        self.cancel = cancel
        under_way = set(_under_way(old, now))
        stays = lambda s: s.start < now or s in under_way or keep_booked
        self.kept = [s for s in old.stops if s.kind == "visit" and s.name in known and s.name not in cancel
                     and stays(s)]
        self.events = [s for s in old.stops if s.kind == "event" and stays(s)]  # held by events.Hold, not here
        # begun or under way, and held: a cancelled visit under way (or one of a customer no longer in the
        # file) is not where the traveller goes on from
        self.started = [s for s in old.stops if (s.start < now or s in under_way)
                        and (s.kind != "visit" or (s.name in known and s.name not in cancel))]

    def staying(self, traveller: str, day: date) -> list[OldStop]:
        """The traveller's visits and events of `day` that the new plan keeps as they are."""
        return sorted((s for s in {*self.kept, *self.events, *self.started}
                       if (s.traveller, s.day) == (traveller, day) and s.kind != "commitment"), key=lambda s: s.start)

    def free_at(self, traveller: str, day: date) -> tuple[list[OldStop], datetime]:
        """The traveller's stops of `day` started (or under way) by now, and when they are
        free for a new stop: the end of the last of them or now, whichever is later."""
        started = [s for s in self.started if (s.traveller, s.day) == (traveller, day)]
        return started, max([self.now] + [s.end for s in started])

    def apply(self, compiled: CompiledProblem) -> CompiledProblem:
        """The compiled problem with the kept visits held at their starts, cancelled ones
        never served, past days closed and today's copies clipped to what can still be reached."""
        scenario, p = compiled.scenario, compiled.problem
        index = {c.name: i for i, c in enumerate(scenario.customers)}
        tour_of = {(t.traveller, t.day): i for i, t in enumerate(p.tours)}
        windows = list(p.windows)
        allowed = list(p.allowed_tours)
        mandatory = list(p.mandatory)
        zone = ZoneInfo(scenario.timezone)
        for stop in self.kept:
            t = tour_of[(stop.traveller, stop.day)]
            minute = _minute(stop.start, stop.day, zone)
            copies = compiled.customer_nodes(index[stop.name])
            held = next((n for n in copies if _admits(p, n, t, minute)), copies[0])
            for n in copies:
                windows[n] = ((minute, minute),) if n == held else ()
                allowed[n] = (t,)
                mandatory[n] = True
        cancelled = [index[name] for name in self.cancel if name in index]  # a large scenario's search pool
        for customer in cancelled:  # may leave a cancelled customer out: never served there either
            for n in compiled.customer_nodes(customer):  # never served, and no longer a must
                windows[n] = ()
                mandatory[n] = False
        held_groups = {index[s.name] for s in self.kept} | set(cancelled)
        closed, today = self._days(p, zone)
        free_nodes = [n for n in p.visit_nodes if compiled.node_kind[n] == "customer" and p.group[n] not in held_groups]
        for n in free_nodes:
            current = allowed[n]
            tours = current if current is not None else tuple(range(len(p.tours)))
            allowed[n] = tuple(t for t in tours if t not in closed)
        problem = dataclasses.replace(p, windows=tuple(windows), allowed_tours=tuple(allowed),
                                      mandatory=tuple(mandatory))
        pinned = dataclasses.replace(compiled, problem=problem)
        return _clip_today(pinned, free_nodes, today)

    def _days(self, p: RoutingProblem, zone: ZoneInfo) -> tuple[set[int], dict[int, tuple[int, int]]]:
        """Tours that are over, and today's tours with (how many of their stops have
        started, the minute from which the traveller may leave for a new visit)."""
        closed: set[int] = set()
        today: dict[int, tuple[int, int]] = {}
        for t, tour in enumerate(p.tours):
            if tour.day < self.now.date():
                closed.add(t)
            elif tour.day == self.now.date():
                started, free_at = self.free_at(tour.traveller, tour.day)
                today[t] = (len(started), _minute(free_at, tour.day, zone))
        return closed, today


def _clip_today(compiled: CompiledProblem, free_nodes: list[int], today: dict[int, tuple[int, int]]
                ) -> CompiledProblem:
    """Today's tours take new visits only from the minute the traveller is free, plus the
    travel from where they are: a customer copy that serves today and other days too is
    split, so the other days keep their windows."""
    if not today:
        return compiled
    p = compiled.problem
    extra: list[int] = []
    windows, allowed = list(p.windows), list(p.allowed_tours)
    held = _held_routes(p)  # the kept stops are held at their starts: their time order is the tour's
    for t, (position, free_at) in today.items():
        origin = held[t][position - 1] if position else p.tours[t].start_node  # where the traveller is
        for n in free_nodes:
            tours = allowed[n] or ()  # `apply` spelt every free node's tours out
            if t not in tours:
                continue
            earliest = free_at + int(p.travel[origin, n])
            clipped = tuple((max(a, earliest), b) for a, b in windows[n] if max(a, earliest) <= b)
            if tours == (t,):
                windows[n] = clipped
                continue
            allowed[n] = tuple(s for s in tours if s != t)
            extra.append(n)
            windows.append(clipped)
            allowed.append((t,))
    keep = list(range(p.size)) + extra
    grown = p.restricted(keep, mandatory=False)
    problem = dataclasses.replace(grown, windows=tuple(windows), allowed_tours=tuple(allowed),
                                  tours=p.tours)
    matrix = compiled.matrix
    index = np.asarray(keep)
    grown_matrix = TravelMatrix(*(np.asarray(getattr(matrix, f))[np.ix_(index, index)]
                                  for f in ("km", "drive_minutes", "travel_minutes")))
    return dataclasses.replace(compiled, problem=problem, matrix=grown_matrix,
                               node_kind=tuple(compiled.node_kind[n] for n in keep),
                               node_ref=tuple(compiled.node_ref[n] for n in keep))


def _admits(p: RoutingProblem, node: int, t: int, minute: int) -> bool:
    allowed = p.allowed_tours[node]
    return (allowed is None or t in allowed) and any(a <= minute <= b for a, b in p.windows[node])


def _minute(moment: datetime, day: date, zone: ZoneInfo) -> int:
    """An instant as the solver's minute of its tour's day (real minutes since its start)."""
    return day_clock(day, zone).minute_at(moment)


def _outline(old: OldPlan, fixed: _Fixed) -> Outline:
    """The old plan's kept visits and events and its commitments, as the start of the search."""
    keep = set(fixed.kept) | set(fixed.events)
    tours = sorted({(s.traveller, s.day) for s in old.stops}, key=lambda key: (old.travellers.index(key[0]), key[1]))
    days = tuple((key, tuple((s.kind, s.name) for s in old.stops if (s.traveller, s.day) == key and
                             (s.kind == "commitment" or s in keep)))
                 for key in tours)
    return Outline(old.extension[0], old.extension[1], days)


def _with_removed(scenario: Scenario, old: OldPlan, now: datetime) -> tuple[Scenario, list[str]]:
    """Customers the file no longer has but the traveller already met stay in the plan
    (as they happened); later visits of removed customers are dropped. Both are noted."""
    known = {c.name for c in scenario.customers}
    added, notes = [], []
    for stop in old.stops:
        if stop.kind != "visit" or stop.name in known:
            continue
        if stop.start < now:
            meeting = round((stop.end - stop.start).total_seconds() / 60)
            window = f"{stop.day.isoformat()} 00:00-24:00"  # it is held where it happened anyway
            added.append(Customer(stop.name, stop.lat, stop.lon, stop.value, meeting, parse_hours(window),
                                  origin="the plan being followed"))
            notes.append(f"{stop.name}: no longer in the customer file; kept as visited on {stop.day:%a %d %b}")
        else:
            notes.append(f"{stop.name}: no longer in the customer file; its visit on {stop.day:%a %d %b} is dropped")
    return dataclasses.replace(scenario, customers=scenario.customers + tuple(added)), notes


def _with_cancelled(plan: Plan, scenario: Scenario, old: OldPlan, cancel: Sequence[str], now: datetime) -> Plan:
    """Cancelled customers under their own code, whatever the search found about them."""
    cancelled = set(cancel)
    rest = tuple(u for u in plan.unvisited if u.name not in cancelled)
    by_name = {c.name: c for c in scenario.customers}
    entries = tuple(Unvisited(name, by_name[name].value, "cancelled",
                              f"cancelled at {now:%a %d %b %H:%M}", by_name[name].lat, by_name[name].lon)
                    for name in cancel if name in by_name)
    order = {c.name: i for i, c in enumerate(scenario.customers)}
    return dataclasses.replace(plan, unvisited=tuple(sorted(rest + entries, key=lambda u: order[u.name])))


def _with_passed(plan: Plan, scenario: Scenario, now: datetime) -> Plan:
    """A customer the search found with no window it can use, although its hours have one on
    the trip's days, is `passed`: those windows are before --now, or today's can no longer
    be reached from where the traveller is (`no_availability` would claim it never had one)."""
    by_name = {c.name: c for c in scenario.customers}
    days = scenario.trip.possible_days

    def passed(entry: Unvisited) -> Unvisited:
        customer = by_name.get(entry.name)
        if entry.code != "no_availability" or customer is None:
            return entry
        meeting = customer.meeting_minutes
        if not any(close - open_ >= meeting for day in days for open_, close in customer.hours.windows_on(day)):
            return entry
        ahead = any(close - max(open_, _clock_minute(now) if day == now.date() else open_) >= meeting
                    for day in days if day >= now.date() for open_, close in customer.hours.windows_on(day))
        why = ("today's window can no longer be reached in time from where the traveller is, and no later day has one"
               if ahead else "every window long enough for the meeting is before then")
        return dataclasses.replace(entry, code="passed", reason=f"from {now:%a %d %b %H:%M}, {why} "
                                   f"({meeting}-minute meeting, hours {customer.hours.text})")

    return dataclasses.replace(plan, unvisited=tuple(passed(u) for u in plan.unvisited))


def _clock_minute(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def _changes(old: OldPlan, plan: Plan, now: datetime, cancel: set[str]) -> tuple[Change, ...]:
    """What became different after now, visit by visit and event by event: added, moved
    (another traveller, day or start), dropped, cancelled (visits only)."""
    before = {(s.kind, s.name): Slot(s.traveller, s.day, s.start) for s in old.stops
              if s.kind in ("visit", "event") and s.start >= now}
    after = {(s.kind, s.name): Slot(d.traveller, d.day, s.start) for d in plan.days for s in (*d.visits, *d.events)
             if s.start is not None and s.start >= now}
    found = []
    for kind, name in sorted(set(before) | set(after), key=lambda k: ((after.get(k) or before[k]).sort_key(), k)):
        was, new = before.get((kind, name)), after.get((kind, name))
        if kind == "visit" and name in cancel:
            found.append(Change(name, kind, "cancelled", was, None))
        elif was is None:
            found.append(Change(name, kind, "added", None, new))
        elif new is None:
            found.append(Change(name, kind, "dropped", was, None))
        elif was != new:
            found.append(Change(name, kind, "moved", was, new))
    return tuple(found)
