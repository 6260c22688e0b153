"""Scenario -> integer routing problem, for one choice of extension days.

The trip may be lengthened by k days before and j days after; each (k, j) is a
`Layout` with its own tours (the arrival moves to the first day used, the departure
to the last). The planner solves each layout and keeps the best, which is exact for
the contract's rule that all k extra days are charged whether used or not.

Node order in every compiled problem: customers, then commitments, then each tour's
start and end node. `CompiledProblem.node_*` is the one place that maps nodes back to
customers, commitments and places.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from .model import Scenario
from .routing import RoutingProblem, Tour
from .travel import TravelMatrix, build_matrix

CENTS = 100  # money is integer cents inside the solver
VALUE_SCALE = 100  # value is integer hundredths inside the solver
_EPS = 1e-9


@dataclass(frozen=True)
class TourDay:
    """One day of a layout: where and when it may start and must end."""

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


@dataclass(frozen=True)
class CompiledProblem:
    scenario: Scenario
    layout: Layout
    problem: RoutingProblem
    matrix: TravelMatrix
    node_kind: tuple[str, ...]  # "customer", "commitment", "start", "end"
    node_ref: tuple[int, ...]  # index into customers / commitments, or the tour index

    def customer_node(self, index: int) -> int:
        return index

    def commitment_node(self, index: int) -> int:
        return len(self.scenario.customers) + index


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
    """Build the integer problem: windows become absolute start-of-service windows."""
    customers, commitments = scenario.customers, scenario.commitments
    places = scenario.places
    kinds = ["customer"] * len(customers) + ["commitment"] * len(commitments)
    refs = list(range(len(customers))) + list(range(len(commitments)))
    lat = [c.lat for c in customers] + [places[c.place].lat for c in commitments]
    lon = [c.lon for c in customers] + [places[c.place].lon for c in commitments]
    for t, tour_day in enumerate(layout.days):
        for kind, place in (("start", tour_day.start_place), ("end", tour_day.end_place)):
            kinds.append(kind)
            refs.append(t)
            lat.append(places[place].lat)
            lon.append(places[place].lon)
    matrix = build_matrix(lat, lon, scenario.travel)
    day_index = {d.day: t for t, d in enumerate(layout.days)}

    service, windows, allowed = [], [], []
    for customer in customers:
        found = _customer_windows(scenario, customer, layout, day_index)
        service.append(customer.meeting_minutes)
        windows.append(tuple(w for w, _ in found))
        allowed.append(tuple(sorted({t for _, t in found})))
    for commitment in commitments:
        start = scenario.day_offset_minutes(commitment.day) + commitment.start_minute
        service.append(commitment.end_minute - commitment.start_minute)
        windows.append(((start, start),) if commitment.day in day_index else ())
        allowed.append((day_index[commitment.day],) if commitment.day in day_index else ())
    tours = []
    for t, tour_day in enumerate(layout.days):
        offset = scenario.day_offset_minutes(tour_day.day)
        start_node = len(customers) + len(commitments) + 2 * t
        tours.append(Tour(start_node, start_node + 1, offset + tour_day.start_minute,
                          offset + tour_day.end_minute, scenario.trip.max_drive_minutes))
        service += [0, 0]
        windows += [(), ()]
        allowed += [None, None]

    n = matrix.size
    per_km_cents = scenario.per_km_cost * CENTS
    arc_cost = np.ceil(matrix.km * per_km_cents - _EPS).astype(np.int64)
    node_cost = [_cents_up(c.cost) for c in customers] + [0] * (n - len(customers))
    prize = [round(c.value * VALUE_SCALE) for c in customers] + [0] * (n - len(customers))
    mandatory = [c.must_visit for c in customers] + [True] * len(commitments) + [False] * (2 * len(tours))
    budget = None
    if scenario.budget is not None:
        budget = math.floor((scenario.budget - layout.fixed_cost) * CENTS + _EPS)
    problem = RoutingProblem(
        travel=matrix.travel_minutes, drive=matrix.drive_minutes, arc_cost=arc_cost,
        service=tuple(service), windows=tuple(windows), prize=tuple(prize), node_cost=tuple(node_cost),
        mandatory=tuple(mandatory), allowed_tours=tuple(allowed), tours=tuple(tours), budget=budget,
    )
    return CompiledProblem(scenario, layout, problem, matrix, tuple(kinds), tuple(refs))


def _customer_windows(scenario: Scenario, customer, layout: Layout, day_index: dict[date, int]):
    """Start-of-service windows [open, close - meeting] on each day of the layout."""
    found = []
    for tour_day in layout.days:
        offset = scenario.day_offset_minutes(tour_day.day)
        for open_minute, close_minute in customer.hours.windows_on(tour_day.day):
            if close_minute - open_minute >= customer.meeting_minutes:
                window = (offset + open_minute, offset + close_minute - customer.meeting_minutes)
                found.append((window, day_index[tour_day.day]))
    return found


def _cents_up(amount: float) -> int:
    return math.ceil(amount * CENTS - _EPS)
