"""Scenario -> integer routing problem, for one choice of extension days.

The trip may be lengthened by k days before and j days after; each (k, j) is a
`Layout` with its own tours (the arrival moves to the first day used, the departure
to the last). The planner solves each layout and keeps the best, which is exact for
the contract's rule that all k extra days are charged whether used or not.

Time axis: every tour lies within one calendar day, so the solver's clock is the real
minutes elapsed since the first instant of the tour's own local day (its midnight): a
`DayClock`. Every local clock time of the scenario (the day's start and end, the arrival
and departure, opening hours, commitments) is turned into elapsed minutes of its day
here, and `DayClock.moment` turns them back into aware local times (UTC arithmetic,
then the zone's offset), so on the days the clocks change a 40-minute meeting still
lasts 40 minutes and is shown with the offset of each instant. On every other day the
elapsed minute is the clock's minute. A clock time the clocks skip or show twice is read
by the rule of docs/time-zones.md (`local_instant`); a commitment at such a time is an
input error (`check_times`). On an absolute axis a customer open Mon-Fri 09:00-17:00
would have night-long gaps between its windows, which OR-Tools handles very slowly (see
`problem.RoutingProblem`); on the per-day axis it has one window. A customer whose daily
windows differ between days (a clock-change day differs too), or have a wide gap (a
lunch break is fine, a dinner slot is not), becomes alternative node copies of one visit.

Bounds: the integer model is int64 throughout (OR-Tools, numpy), and the search adds
and multiplies its numbers (`objective`, `routing._polish`, `recombine`), so
`compile_layout` checks before the search that nothing can wrap around (the `_check_*`
functions at the end): every number finite, a leg, a meeting and the driving cap at most
MAX_MINUTES, the most any plan could spend at most MAX_MONEY_CENTS, the value of all
customers at most MAX_PRIZE, and cost ranked above driving (cost x a driving bound)
within int64. A budget beyond MAX_MONEY_CENTS can never bind and is compiled as
MAX_MONEY_CENTS. A broken bound is an `InputError` naming the quantity. (The loader's
range checks, docs/limits.md, hold single numbers; these hold the totals.)

Node order in every compiled problem: customer copies (customer order), then
commitments, then each tour's start and end node. `node_kind` and `node_ref` are the
one place that maps nodes back to customers, commitments and places; a customer's
group number is its index.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from .errors import InputError, Problem
from .model import Customer, Lunch, Scenario
from .problem import NO_LUNCH, Break, RoutingProblem, Tour, earliest_schedule
from .travel import TravelMatrix, build_matrix

CENTS = 100  # money is integer cents inside the solver
VALUE_SCALE = 100  # value is integer hundredths inside the solver
MAX_GAP_MINUTES = 60  # wider gaps between one node's windows split it into copies
MAX_MINUTES = 1_000_000  # a leg, a meeting, a driving cap (about 23 months): more is a mistake of units
MAX_MONEY_CENTS = 10**13  # the most any plan could spend: 100 billion in the scenario's currency
MAX_PRIZE = 10**15  # all customers' value, in VALUE_SCALE units (10^13): x lns.POOL_LIMIT routes < 2**63
_INT64_SAFE = 2**62  # a sum or product the search forms stays below this (int64 holds 2**63 - 1)
_EPS = 1e-9


# -- the solver's clock: real minutes since the local day's first instant -----------------


@dataclass(frozen=True)
class DayClock:
    """One local day's solver clock: real minutes elapsed since the day's first instant
    (`origin`, in UTC: its local midnight). On a day without a clock change the elapsed
    minute is the wall clock's minute of day."""

    day: date
    zone: ZoneInfo
    origin: datetime

    def minute(self, wall_minute: int) -> int:
        """A local clock time of this day (minutes after 00:00 on the clock; 1440 is the
        next midnight) as elapsed minutes, read by `local_instant`'s rule."""
        return _elapsed(self.day, wall_minute, self.zone)

    def moment(self, minute: int) -> datetime:
        """Elapsed minutes as the aware local time they are, with that instant's offset.
        (Two such times share their tzinfo, so Python subtracts them on the wall clock:
        take durations in UTC, `b.astimezone(UTC) - a.astimezone(UTC)`.)"""
        return (self.origin + timedelta(minutes=minute)).astimezone(self.zone)

    def minute_at(self, moment: datetime) -> int:
        """An aware instant as elapsed minutes of this day (whole minutes, rounded down;
        before the day or after it, negative or past its end)."""
        return math.floor((moment.astimezone(UTC) - self.origin) / timedelta(minutes=1))


@lru_cache(maxsize=4096)
def day_clock(day: date, zone: ZoneInfo) -> DayClock:
    """The solver clock of `day` in `zone`."""
    return DayClock(day, zone, local_instant(day, 0, zone))


@lru_cache(maxsize=1 << 16)
def local_instant(day: date, wall_minute: int, zone: ZoneInfo) -> datetime:
    """The instant (UTC) a local clock time of `day` stands for: the first instant at which
    the local clock reads that time or later (docs/time-zones.md). A time the clocks show
    twice is its first occurrence; a time they skip is the instant they skip it (02:30 on
    a night the clocks go from 02:00 to 03:00 is 03:00, new time)."""
    naive = datetime.combine(day, time()) + timedelta(minutes=wall_minute)
    if wall_time_kind(naive, zone) == "missing":
        return _clock_change(naive, zone)[0]
    return naive.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the first occurrence


@lru_cache(maxsize=1 << 16)
def _elapsed(day: date, wall_minute: int, zone: ZoneInfo) -> int:
    seconds = (local_instant(day, wall_minute, zone) - local_instant(day, 0, zone)).total_seconds()
    return math.ceil(seconds / 60 - _EPS)  # whole minutes wherever offsets are (every zone since 1972)


def wall_time_kind(naive: datetime, zone: ZoneInfo) -> str:
    """"exists" (once), "twice" (the clocks go back over it) or "missing" (they skip it)."""
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return "exists"
    back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return "twice" if back == naive else "missing"


def _clock_change(naive: datetime, zone: ZoneInfo) -> tuple[datetime, timedelta, timedelta]:
    """(instant in UTC, offset before, offset after) of the clock change that skips or
    repeats the local time `naive`. It lies between the two readings of `naive` (fold 0
    and 1); found by bisection on whole seconds."""
    readings = sorted(naive.replace(tzinfo=zone, fold=f).astimezone(UTC) for f in (0, 1))
    low, high = readings
    after = high.astimezone(zone).utcoffset()
    lo, hi = 0, int((high - low).total_seconds())  # the offset at low + lo is the old one, at low + hi the new
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if (low + timedelta(seconds=mid)).astimezone(zone).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    at = low + timedelta(seconds=hi)
    before = (at - timedelta(seconds=1)).astimezone(zone).utcoffset()
    if before is None or after is None:
        raise AssertionError(f"{zone} has no offset at {at}")
    return at, before, after


def check_times(scenario: Scenario) -> None:
    """A commitment is a fixed appointment: a start or end the clocks skip (spring forward)
    or show twice (fall back) names no one instant, so it is an input error (exit 2) naming
    the commitment, the time and the clock change; so is an event's (named as an event).
    Day and window bounds are read by `local_instant`'s rule instead (docs/time-zones.md)."""
    zone = ZoneInfo(scenario.timezone)
    problems = []
    fixed = [(f"commitments #{index + 1} ({k.name})", k.day, k.start_minute, k.end_minute)
             for index, k in enumerate(scenario.commitments)]
    fixed += [(f"events #{index + 1} ({e.name})", e.day, e.start_minute, e.end_minute)
              for index, e in enumerate(scenario.events)]
    for name, day, start, end in fixed:
        for label, wall in (("start", start), ("end", end)):
            naive = datetime.combine(day, time()) + timedelta(minutes=wall)
            kind = wall_time_kind(naive, zone)
            if kind != "exists":
                where = f"{name}.{label}"
                problems.append(Problem(_where(scenario, where), _time_message(naive, zone, kind)))
    if problems:
        raise InputError(problems)


def _time_message(naive: datetime, zone: ZoneInfo, kind: str) -> str:
    at, before, after = _clock_change(naive, zone)
    old, new = at.replace(tzinfo=None) + before, at.replace(tzinfo=None) + after
    names = [(at + delta).astimezone(zone).tzname() for delta in (timedelta(seconds=-1), timedelta())]
    change = (f"at {old:%H:%M} the clocks go {'forward' if after > before else 'back'} to {new:%H:%M} "
              f"({names[0]} to {names[1]})")
    span = f"{min(old, new):%H:%M}-{max(old, new):%H:%M}"
    if kind == "missing":
        return (f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key}: {change}; give a time outside {span} "
                f"(see docs/time-zones.md)")
    readings = [naive.replace(tzinfo=zone, fold=f) for f in (0, 1)]
    both = " or ".join(f"{r:%H:%M} {r.tzname()} (UTC{_offset(r.utcoffset())})" for r in readings)
    return (f"{naive:%Y-%m-%d %H:%M} happens twice in {zone.key}: {change}, so it could be {both}; "
            f"give a time outside {span} (see docs/time-zones.md)")


def _offset(delta: timedelta | None) -> str:
    minutes = round((delta or timedelta()).total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _where(scenario: Scenario, key: str) -> str:
    return f"{scenario.source}: {key}" if scenario.source is not None else key


@dataclass(frozen=True)
class TourDay:
    """One day of a layout: where and when it may start and must end (compiled into a
    `problem.Tour` record, which is what every later stage reads)."""

    day: date
    extension: bool
    start_place: str
    start_minute: int  # elapsed minutes of the day's DayClock
    end_place: str
    end_minute: int
    traveller: str = ""  # whose day, in a team


@dataclass(frozen=True)
class Layout:
    before: int
    after: int
    days: tuple[TourDay, ...]
    fixed_cost: float

    @property
    def label(self) -> str:
        return f"{self.before} day(s) before, {self.after} after"


@dataclass(frozen=True, eq=False)  # identity equality: it holds arrays, and caches key on it
class CompiledProblem:
    scenario: Scenario
    layout: Layout
    problem: RoutingProblem
    matrix: TravelMatrix
    node_kind: tuple[str, ...]  # "customer", "commitment", "start", "end"
    node_ref: tuple[int, ...]  # index into customers / commitments, or the tour index

    @property
    def customer_groups(self) -> range:
        """The visit groups that are customers (a customer's group number is its index)."""
        return range(len(self.scenario.customers))

    def customer_nodes(self, index: int) -> tuple[int, ...]:
        """The node copies of customer `index` (at least one, maybe unservable)."""
        return self.problem.alternatives[index]

    def local_time(self, tour: int, minute: int) -> datetime:
        """A solver minute of tour `tour` as the aware local time it is (for messages and
        plans: on a clock-change day the minute is not the clock's minute of day)."""
        return day_clock(self.problem.tours[tour].day, ZoneInfo(self.scenario.timezone)).moment(minute)


def layouts(scenario: Scenario) -> list[Layout]:
    """Every way to extend the trip, cheapest first."""
    trip = scenario.trip
    options = [
        _layout(scenario, before, after)
        for before in range(trip.extend_before.days + 1)
        for after in range(trip.extend_after.days + 1)
    ]
    return sorted(options, key=lambda layout: (layout.fixed_cost, layout.before + layout.after))


def _layout(scenario: Scenario, before: int, after: int) -> Layout:
    """One tour per traveller and day (travellers in the scenario's order, then dates):
    each traveller's own base, arrival, departure and hours; every extension day is
    charged once per traveller."""
    trip = scenario.trip
    zone = ZoneInfo(scenario.timezone)
    first = trip.start - timedelta(days=before)
    count = (trip.end - trip.start).days + 1 + before + after
    days = []
    for traveller in scenario.team:
        for i in range(count):
            day = first + timedelta(days=i)
            start_place, start_minute = traveller.base, traveller.day_start_minute
            end_place, end_minute = traveller.base, traveller.day_end_minute
            if i == 0 and traveller.arrive is not None:
                start_place, start_minute = traveller.arrive.place, traveller.arrive.minute_of_day
            if i == count - 1 and traveller.depart is not None:
                end_place, end_minute = traveller.depart.place, traveller.depart.minute_of_day
            clock = day_clock(day, zone)
            days.append(TourDay(day, not trip.start <= day <= trip.end, start_place, clock.minute(start_minute),
                                end_place, clock.minute(end_minute), traveller.name))
    fixed = (before * trip.extend_before.cost + after * trip.extend_after.cost) * len(scenario.team)
    return Layout(before, after, tuple(days), fixed)


def compile_layout(scenario: Scenario, layout: Layout) -> CompiledProblem:
    """Build the integer problem: windows become per-day start-of-service windows on each
    day's clock; InputError for a commitment at a time that does not exist or exists twice,
    and for numbers the integer model cannot hold (see the module's docstring)."""
    check_times(scenario)
    _check_numbers(scenario)
    customers, commitments, places = scenario.customers, scenario.commitments, scenario.places
    zone = ZoneInfo(scenario.timezone)
    clocks = [day_clock(d.day, zone) for d in layout.days]
    nodes: list[_Node] = []
    for index, customer in enumerate(customers):
        visitors = {t.name for t in scenario.team if scenario.may_visit(customer, t)}
        for windows, tours in _copies(customer, layout, clocks, visitors):
            nodes.append(_Node("customer", index, customer.lat, customer.lon, group=index,
                               service=customer.meeting_minutes, windows=windows, allowed=tours,
                               prize=round(customer.value * VALUE_SCALE), cost=_cents_up(customer.cost),
                               mandatory=customer.must_visit))
    groups = itertools.count(len(customers))  # one visit group per commitment and traveller it binds
    for index, k in enumerate(commitments):
        place = places[k.place]
        clock = day_clock(k.day, zone)
        start, end = clock.minute(k.start_minute), clock.minute(k.end_minute)
        for traveller in scenario.bound_by(k):
            tours = tuple(t for t, d in enumerate(layout.days) if d.day == k.day and d.traveller == traveller.name)
            nodes.append(_Node("commitment", index, place.lat, place.lon, group=next(groups),
                               service=end - start, windows=((start, start),) if tours else (), allowed=tours,
                               mandatory=True))
    records: list[Tour] = []
    for t, tour_day in enumerate(layout.days):
        start_node = len(nodes)
        for kind, key in (("start", tour_day.start_place), ("end", tour_day.end_place)):
            nodes.append(_Node(kind, t, places[key].lat, places[key].lon))
        records.append(_tour(scenario, tour_day, start_node))
    column = lambda name: tuple(getattr(n, name) for n in nodes)
    with np.errstate(all="ignore"):  # an overflow shows as a value out of range, checked next
        who = [n.ref if n.kind == "customer" else -1 for n in nodes]  # the buffer between customers at one place
        matrix = build_matrix(list(column("lat")), list(column("lon")), scenario.travel, who)
        leg_cost = matrix.km * (scenario.per_km_cost * CENTS)
    _check_travel(scenario, matrix)
    _check_money(scenario, layout, leg_cost, column("cost"))
    arc_cost = np.ceil(leg_cost - _EPS).astype(np.int64)
    _check_ranking(scenario, matrix, arc_cost)
    budget = None
    if scenario.budget is not None:
        cents = (scenario.budget - layout.fixed_cost) * CENTS + _EPS
        budget = math.floor(max(-MAX_MONEY_CENTS, min(cents, MAX_MONEY_CENTS)))  # no plan spends more: never binds
    problem = RoutingProblem(
        travel=matrix.travel_minutes, drive=matrix.drive_minutes, arc_cost=arc_cost,
        service=column("service"), windows=column("windows"), prize=column("prize"), node_cost=column("cost"),
        mandatory=column("mandatory"), allowed_tours=column("allowed"), group=column("group"), tours=tuple(records),
        budget=budget,
    )
    compiled = CompiledProblem(scenario, layout, problem, matrix, column("kind"), column("ref"))
    return _lunch_where_possible(compiled)


def base_routes(compiled: CompiledProblem) -> tuple[tuple[int, ...], ...]:
    """The commitments of each tour, in time order (their order is forced by their times)."""
    p = compiled.problem
    commitments = [i for i, kind in enumerate(compiled.node_kind) if kind == "commitment" and p.windows[i]]
    return tuple(tuple(sorted((i for i in commitments if p.allowed_tours[i] == (t,)),
                              key=lambda i: p.windows[i][0][0])) for t in range(len(p.tours)))


def _lunch_where_possible(compiled: CompiledProblem) -> CompiledProblem:
    """Drop the break of a day whose commitments leave no room for it (a booth shift
    over the whole lunch window, or two that leave too short a gap): that day has no
    lunch, as a day with nothing in it has none, rather than no plan at all."""
    p, base = compiled.problem, base_routes(compiled)
    return without_lunch(compiled, {t for t, tour in enumerate(p.tours) if tour.lunch is not None
                                    and earliest_schedule(p, t, base[t]).failed_at == NO_LUNCH})


def without_lunch(compiled: CompiledProblem, tours: Collection[int] | None = None) -> CompiledProblem:
    """The problem with no lunch on `tours` (default: every tour); itself if that changes nothing."""
    p = compiled.problem
    records = tuple(dataclasses.replace(tour, lunch=None) if tour.lunch is not None and (tours is None or t in tours)
                    else tour for t, tour in enumerate(p.tours))
    if records == p.tours:
        return compiled
    return dataclasses.replace(compiled, problem=dataclasses.replace(p, tours=records))


def _tour(scenario: Scenario, tour_day: TourDay, start_node: int) -> Tour:
    """The record of one layout day; its start and end nodes are `start_node` and the next."""
    trip = scenario.trip
    traveller = next(t for t in scenario.team if t.name == tour_day.traveller)
    fixed = 0.0
    if tour_day.extension:
        fixed = trip.extend_before.cost if tour_day.day < trip.start else trip.extend_after.cost
    return Tour(start_node, start_node + 1, tour_day.start_minute, tour_day.end_minute, traveller.max_drive_minutes,
                traveller=traveller.name, day=tour_day.day, start_place=tour_day.start_place,
                end_place=tour_day.end_place, fixed_cost=round(fixed * CENTS), extension=tour_day.extension,
                lunch=_break(traveller.lunch, tour_day, ZoneInfo(scenario.timezone)))


def _break(lunch: Lunch | None, tour_day: TourDay, zone: ZoneInfo) -> Break | None:
    """The day's lunch on its clock, inside its own hours (a day that begins with an
    afternoon arrival is not asked to have eaten before it began); None where the hours
    leave no room for it."""
    if lunch is None:
        return None
    clock = day_clock(tour_day.day, zone)
    earliest = max(clock.minute(lunch.open_minute), tour_day.start_minute)
    latest = min(clock.minute(lunch.close_minute), tour_day.end_minute) - lunch.length_minutes
    return Break(earliest, latest, lunch.length_minutes) if earliest <= latest else None


@dataclass(frozen=True)
class _Node:
    """One row of the node table, in node order; tour ends take the defaults (no visit,
    group -1)."""

    kind: str  # "customer", "commitment", "start", "end"
    ref: int  # index into customers / commitments, or the tour index
    lat: float
    lon: float
    group: int = -1
    service: int = 0
    windows: tuple[tuple[int, int], ...] = ()
    allowed: tuple[int, ...] | None = None
    prize: int = 0
    cost: int = 0
    mandatory: bool = False


def _copies(customer: Customer, layout: Layout, clocks: list[DayClock],
            visitors: set[str]) -> list[tuple[tuple[tuple[int, int], ...], tuple[int, ...]]]:
    """(start-of-service windows, tours) per node copy: the tours of the travellers who may
    visit it, days with the same windows sharing a copy, and windows further apart than
    MAX_GAP_MINUTES going to separate copies. Windows are on each day's clock (elapsed
    minutes), so the meeting's real length must fit."""
    patterns: dict[tuple[tuple[int, int], ...], list[int]] = {}
    for t, tour_day in enumerate(layout.days):
        if tour_day.traveller not in visitors:
            continue
        windows = day_windows(customer, clocks[t])
        if windows:
            patterns.setdefault(windows, []).append(t)
    copies = []
    for windows, tours in patterns.items():
        cluster = [windows[0]]
        for window in windows[1:]:
            if window[0] - cluster[-1][1] > MAX_GAP_MINUTES:
                copies.append((tuple(cluster), tuple(tours)))
                cluster = []
            cluster.append(window)
        copies.append((tuple(cluster), tuple(tours)))
    return copies or [((), ())]


def day_windows(customer: Customer, clock: DayClock) -> tuple[tuple[int, int], ...]:
    """The customer's start-of-service windows on one day's clock (elapsed minutes): its
    hours that day, the meeting's real length taken off each window it fits."""
    opened: list[tuple[int, int]] = []
    for open_wall, close_wall in customer.hours.windows_on(clock.day):
        window = (clock.minute(open_wall), clock.minute(close_wall))
        if opened and window[0] <= opened[-1][1]:  # windows a skipped hour made touch
            opened[-1] = (opened[-1][0], max(opened[-1][1], window[1]))
        else:
            opened.append(window)
    return tuple((open_minute, close_minute - customer.meeting_minutes) for open_minute, close_minute in opened
                 if close_minute - open_minute >= customer.meeting_minutes)


def largest_layout(scenario: Scenario) -> Layout:
    """The layout with every extension day used: every day the trip may have."""
    return _layout(scenario, scenario.trip.extend_before.days, scenario.trip.extend_after.days)


def customer_nodes(scenario: Scenario, layout: Layout) -> list[int]:
    """How many node copies each customer gets in `layout` (at least one), counted by the
    code that makes them (`_copies`)."""
    zone = ZoneInfo(scenario.timezone)
    clocks = [day_clock(d.day, zone) for d in layout.days]
    return [len(_copies(customer, layout, clocks, {t.name for t in scenario.team if scenario.may_visit(customer, t)}))
            for customer in scenario.customers]


def model_nodes(scenario: Scenario) -> int:
    """The nodes of the scenario's largest layout (every extension day used), as
    `compile_layout` makes them: the customers' copies, a node per commitment and
    traveller it binds, a start and an end per tour. (A plan attending events has a
    node more per event attended.)"""
    layout = largest_layout(scenario)
    commitments = sum(len(scenario.bound_by(k)) for k in scenario.commitments)
    return sum(customer_nodes(scenario, layout)) + commitments + 2 * len(layout.days)


def _cents_up(amount: float) -> int:
    return math.ceil(amount * CENTS - _EPS)


# -- bounds: nothing the integer model holds or the search computes can wrap around ------


def _check_numbers(scenario: Scenario) -> None:
    """The scenario's own numbers, before any is turned into an integer."""
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(_where(scenario, key), message))

    trip, travel = scenario.trip, scenario.travel
    if trip.max_drive_minutes is not None and not 0 <= trip.max_drive_minutes <= MAX_MINUTES:
        bad("trip.max_drive", f"{trip.max_drive_minutes} minutes is out of range (0 to {MAX_MINUTES:,})")
    if not 0 <= travel.buffer_minutes <= MAX_MINUTES:
        bad("travel.buffer", f"{travel.buffer_minutes} minutes is out of range (0 to {MAX_MINUTES:,})")
    for key, number in (("travel.speed_kmh", travel.speed_kmh), ("travel.detour_factor", travel.detour_factor),
                        ("costs.per_km", scenario.per_km_cost), ("trip.extend.before.cost", trip.extend_before.cost),
                        ("trip.extend.after.cost", trip.extend_after.cost), ("budget", scenario.budget)):
        if number is not None and not math.isfinite(number):
            bad(key, f"{number} is not a finite number")
    for key, number in (("trip.extend.before.cost", trip.extend_before.cost),
                        ("trip.extend.after.cost", trip.extend_after.cost)):
        if math.isfinite(number) and abs(number) * CENTS > MAX_MONEY_CENTS:
            bad(key, f"{number:,.2f} is over the limit of {MAX_MONEY_CENTS // CENTS:,} {scenario.currency}")
    prize = 0.0
    for customer in scenario.customers:
        where = customer.origin or f"customer {customer.name!r}"
        if not 0 <= customer.meeting_minutes <= MAX_MINUTES:
            problems.append(Problem(where, f"meeting of {customer.meeting_minutes} minutes is out of range "
                                           f"(0 to {MAX_MINUTES:,})"))
        if not math.isfinite(customer.value) or abs(customer.value) * VALUE_SCALE > MAX_PRIZE:
            problems.append(Problem(where, f"value {customer.value} is out of range "
                                           f"(at most {MAX_PRIZE // VALUE_SCALE:,})"))
        else:
            prize += abs(customer.value) * VALUE_SCALE
        if not math.isfinite(customer.cost) or abs(customer.cost) * CENTS > MAX_MONEY_CENTS:
            problems.append(Problem(where, f"cost {customer.cost} is out of range "
                                           f"(at most {MAX_MONEY_CENTS // CENTS:,} {scenario.currency})"))
    if prize > MAX_PRIZE:
        bad("customers", f"the customers' values add up to {prize / VALUE_SCALE:,.0f}, over the limit of "
                         f"{MAX_PRIZE // VALUE_SCALE:,} for all of them together")
    if problems:
        raise InputError(problems)


def _check_travel(scenario: Scenario, matrix: TravelMatrix) -> None:
    """Every leg's minutes within 0..MAX_MINUTES (a float too large for int64, or an
    infinite one, arrives here as a negative or huge integer)."""
    if np.isfinite(matrix.km).all() and all(int(a.min(initial=0)) >= 0 and int(a.max(initial=0)) <= MAX_MINUTES
                                            for a in (matrix.drive_minutes, matrix.travel_minutes)):
        return
    finite = np.isfinite(matrix.km)
    longest = f"{float(matrix.km.max()):,.1f} km" if finite.all() else "of unbounded length"
    travel = scenario.travel
    raise InputError(Problem(_where(scenario, "travel"), (
        f"a leg's travel time is out of range (0 to {MAX_MINUTES:,} minutes): the longest leg is {longest} "
        f"at {travel.speed_kmh} km/h with detour factor {travel.detour_factor} and a {travel.buffer_minutes}-minute "
        f"buffer; check travel.speed_kmh, travel.detour_factor and travel.buffer")))


def _check_money(scenario: Scenario, layout: Layout, leg_cost: np.ndarray, visit_cents: tuple[int, ...]) -> None:
    """Every leg's cost finite, and the most any plan could spend (each node left once by
    its costliest leg, every per-visit cost, the extension days) within MAX_MONEY_CENTS."""
    if not np.isfinite(leg_cost).all():
        raise InputError(Problem(_where(scenario, "costs.per_km"), (
            f"{scenario.per_km_cost} per km makes the cost of a leg infinite or undefined")))
    most = float(leg_cost.max(axis=1, initial=0.0).sum()) + float(sum(abs(c) for c in visit_cents)) + \
        abs(layout.fixed_cost) * CENTS
    if most > MAX_MONEY_CENTS:
        raise InputError(Problem(_where(scenario, "costs"), (
            f"a plan could cost up to {most / CENTS:,.0f} {scenario.currency} (costs.per_km {scenario.per_km_cost} "
            f"per km, the customers' visit costs and the extension days), over the limit of "
            f"{MAX_MONEY_CENTS // CENTS:,} {scenario.currency} the solver's integer cents can hold")))


def _check_ranking(scenario: Scenario, matrix: TravelMatrix, arc_cost: np.ndarray) -> None:
    """The last phase ranks cost before driving time by cost x (a bound on a tour's
    driving) + driving (`routing._polish`): with the largest numbers of this model that sum
    must stay within int64."""
    nodes = matrix.size
    spend = int(arc_cost.max(axis=1, initial=0).sum())
    drive = int(matrix.drive_minutes.max(initial=0))
    if spend * (drive * nodes + 1) + drive * nodes < _INT64_SAFE:
        return
    raise InputError(Problem(_where(scenario, "costs.per_km"), (
        f"the driving costs (up to {spend / CENTS:,.0f} {scenario.currency} for a plan) and driving times (legs of "
        f"up to {drive:,} minutes, {nodes} places) are too large together: the search ranks cost before driving "
        f"by their product, which must stay below 2**62; check costs.per_km and travel.speed_kmh")))
