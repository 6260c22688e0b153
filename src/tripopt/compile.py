"""Scenario -> integer routing problem, for one choice of extension days.

The trip may be lengthened by k days before and j days after; each (k, j) is a
`Layout` with its own tours (the arrival moves to the first day used, the departure
to the last). The planner solves each layout and keeps the best, which is exact for
the contract's rule that all k extra days are charged whether used or not.

Time axis: every tour lies within one calendar day, so the solver's clock is minutes
after the midnight of the tour's own day (the decoder adds the date back). On an
absolute axis a customer open Mon-Fri 09:00-17:00 would have night-long gaps between
its windows, which OR-Tools handles very slowly (see `problem.RoutingProblem`); on the
per-day axis it has one window. A customer whose daily windows differ between days,
or have a wide gap (a lunch break is fine, a dinner slot is not), becomes alternative
node copies of one visit.

Node order in every compiled problem: customer copies (customer order), then
commitments, then each tour's start and end node. `node_kind` and `node_ref` are the
one place that maps nodes back to customers, commitments and places; a customer's
group number is its index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from .model import Customer, Scenario
from .problem import RoutingProblem, Tour
from .travel import TravelMatrix, build_matrix

CENTS = 100  # money is integer cents inside the solver
VALUE_SCALE = 100  # value is integer hundredths inside the solver
MAX_GAP_MINUTES = 60  # wider gaps between one node's windows split it into copies
_EPS = 1e-9


@dataclass(frozen=True)
class TourDay:
    """One day of a layout: where and when it may start and must end (compiled into a
    `problem.Tour` record, which is what every later stage reads)."""

    day: date
    extension: bool
    start_place: str
    start_minute: int  # minute of day
    end_place: str
    end_minute: int


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
    trip = scenario.trip
    first = trip.start - timedelta(days=before)
    count = (trip.end - trip.start).days + 1 + before + after
    days = []
    for i in range(count):
        day = first + timedelta(days=i)
        start_place, start_minute = scenario.base, trip.day_start_minute
        end_place, end_minute = scenario.base, trip.day_end_minute
        if i == 0 and trip.arrive is not None:
            start_place, start_minute = trip.arrive.place, trip.arrive.minute_of_day
        if i == count - 1 and trip.depart is not None:
            end_place, end_minute = trip.depart.place, trip.depart.minute_of_day
        days.append(TourDay(day, not trip.start <= day <= trip.end, start_place, start_minute,
                            end_place, end_minute))
    fixed = before * trip.extend_before.cost + after * trip.extend_after.cost
    return Layout(before, after, tuple(days), fixed)


def compile_layout(scenario: Scenario, layout: Layout) -> CompiledProblem:
    """Build the integer problem: windows become per-day start-of-service windows."""
    customers, commitments, places = scenario.customers, scenario.commitments, scenario.places
    nodes: list[_Node] = []
    for index, customer in enumerate(customers):
        for windows, tours in _copies(customer, layout):
            nodes.append(_Node("customer", index, customer.lat, customer.lon, group=index,
                               service=customer.meeting_minutes, windows=windows, allowed=tours,
                               prize=round(customer.value * VALUE_SCALE), cost=_cents_up(customer.cost),
                               mandatory=customer.must_visit))
    for index, k in enumerate(commitments):
        tours = tuple(t for t, d in enumerate(layout.days) if d.day == k.day)
        place = places[k.place]
        nodes.append(_Node("commitment", index, place.lat, place.lon, group=len(customers) + index,
                        service=k.end_minute - k.start_minute,
                        windows=((k.start_minute, k.start_minute),) if tours else (), allowed=tours, mandatory=True))
    records: list[Tour] = []
    for t, tour_day in enumerate(layout.days):
        start_node = len(nodes)
        for kind, key in (("start", tour_day.start_place), ("end", tour_day.end_place)):
            nodes.append(_Node(kind, t, places[key].lat, places[key].lon))
        records.append(_tour(scenario, tour_day, start_node))
    column = lambda name: tuple(getattr(n, name) for n in nodes)
    matrix = build_matrix(list(column("lat")), list(column("lon")), scenario.travel)
    arc_cost = np.ceil(matrix.km * (scenario.per_km_cost * CENTS) - _EPS).astype(np.int64)
    budget = None
    if scenario.budget is not None:
        budget = math.floor((scenario.budget - layout.fixed_cost) * CENTS + _EPS)
    problem = RoutingProblem(
        travel=matrix.travel_minutes, drive=matrix.drive_minutes, arc_cost=arc_cost,
        service=column("service"), windows=column("windows"), prize=column("prize"), node_cost=column("cost"),
        mandatory=column("mandatory"), allowed_tours=column("allowed"), group=column("group"), tours=tuple(records),
        budget=budget,
    )
    return CompiledProblem(scenario, layout, problem, matrix, column("kind"), column("ref"))


def _tour(scenario: Scenario, tour_day: TourDay, start_node: int) -> Tour:
    """The record of one layout day; its start and end nodes are `start_node` and the next."""
    trip = scenario.trip
    fixed = 0.0
    if tour_day.extension:
        fixed = trip.extend_before.cost if tour_day.day < trip.start else trip.extend_after.cost
    return Tour(start_node, start_node + 1, tour_day.start_minute, tour_day.end_minute, trip.max_drive_minutes,
                day=tour_day.day, start_place=tour_day.start_place, end_place=tour_day.end_place,
                fixed_cost=round(fixed * CENTS), extension=tour_day.extension)


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


def _copies(customer: Customer, layout: Layout) -> list[tuple[tuple[tuple[int, int], ...], tuple[int, ...]]]:
    """(start-of-service windows, tours) per node copy: days with the same windows share a
    copy, and windows further apart than MAX_GAP_MINUTES go to separate copies."""
    patterns: dict[tuple[tuple[int, int], ...], list[int]] = {}
    for t, tour_day in enumerate(layout.days):
        windows = tuple((open_minute, close_minute - customer.meeting_minutes)
                        for open_minute, close_minute in customer.hours.windows_on(tour_day.day)
                        if close_minute - open_minute >= customer.meeting_minutes)
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


def _cents_up(amount: float) -> int:
    return math.ceil(amount * CENTS - _EPS)
