"""Scenario -> integer routing problem, for one choice of extension days.

The trip may be lengthened by k days before and j days after; each (k, j) is a
`Layout` with its own tours (the arrival moves to the first day used, the departure
to the last). The planner solves each layout and keeps the best, which is exact for
the contract's rule that all k extra days are charged whether used or not.

Time axis: every tour lies within one calendar day, so the solver's clock is minutes
after the midnight of the tour's own day (the decoder adds the date back). On an
absolute axis a customer open Mon-Fri 09:00-17:00 would have night-long gaps between
its windows, which OR-Tools handles very slowly (see `routing.RoutingProblem`); on the
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

from .model import Scenario
from .routing import RoutingProblem, Tour, earliest_schedule
from .travel import TravelMatrix, build_matrix

CENTS = 100  # money is integer cents inside the solver
VALUE_SCALE = 100  # value is integer hundredths inside the solver
MAX_GAP_MINUTES = 60  # wider gaps between one node's windows split it into copies
_EPS = 1e-9


@dataclass(frozen=True)
class Outline:
    """A plan reduced to what identifies it: its extension days and each day's stops in
    order, by (kind, name). It is what a plan made elsewhere (under a smaller budget, by
    an earlier run) is re-checked from: the times and costs are recomputed here."""

    extension_before: int
    extension_after: int
    days: tuple[tuple[date, tuple[tuple[str, str], ...]], ...]


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

    def routes_of(self, outline: Outline) -> tuple[tuple[int, ...], ...] | None:
        """A plan's stops as node routes of this layout (None if the plan was made for
        another layout or names something this scenario lacks). Each visit takes the copy
        whose windows and days admit it, tried in order on the route's own schedule."""
        if (outline.extension_before, outline.extension_after) != (self.layout.before, self.layout.after):
            return None
        by_day = dict(outline.days)
        customer_index = {c.name: i for i, c in enumerate(self.scenario.customers)}
        commitment_node = {self.scenario.commitments[self.node_ref[n]].name: n
                           for n, kind in enumerate(self.node_kind) if kind == "commitment"}
        routes = []
        for t, tour_day in enumerate(self.layout.days):
            route: list[int] = []
            for kind, name in by_day.get(tour_day.day, ()):
                if kind == "commitment":
                    candidates = (commitment_node[name],) if name in commitment_node else ()
                else:
                    candidates = (self.customer_nodes(customer_index[name])
                                  if kind == "visit" and name in customer_index else ())
                node = next((n for n in candidates if self._fits(t, route, n)), None)
                if node is None:
                    return None
                route.append(node)
            routes.append(tuple(route))
        return tuple(routes)

    def _fits(self, tour: int, route: list[int], node: int) -> bool:
        allowed = self.problem.allowed_tours[node]
        if allowed is not None and tour not in allowed:
            return False
        failed_at = earliest_schedule(self.problem, tour, [*route, node]).failed_at
        return failed_at is None or not 0 <= failed_at <= len(route)  # the end and the cap: checked later


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
    day_index = {d.day: t for t, d in enumerate(layout.days)}
    nodes = _Nodes()
    for index, customer in enumerate(customers):
        for windows, tours in _copies(customer, layout):
            nodes.add("customer", index, customer.lat, customer.lon, customer.meeting_minutes, windows, tours,
                      index, round(customer.value * VALUE_SCALE), _cents_up(customer.cost), customer.must_visit)
    for index, k in enumerate(commitments):
        tour = day_index.get(k.day)
        nodes.add("commitment", index, places[k.place].lat, places[k.place].lon, k.end_minute - k.start_minute,
                  ((k.start_minute, k.start_minute),) if tour is not None else (),
                  (tour,) if tour is not None else (), len(customers) + index, 0, 0, True)
    tours = []
    for t, tour_day in enumerate(layout.days):
        start_node = len(nodes.kind)
        for kind, key in (("start", tour_day.start_place), ("end", tour_day.end_place)):
            nodes.add(kind, t, places[key].lat, places[key].lon, 0, (), None, -1, 0, 0, False)
        tours.append(Tour(start_node, start_node + 1, tour_day.start_minute, tour_day.end_minute,
                          scenario.trip.max_drive_minutes))
    matrix = build_matrix(nodes.lat, nodes.lon, scenario.travel)
    arc_cost = np.ceil(matrix.km * (scenario.per_km_cost * CENTS) - _EPS).astype(np.int64)
    budget = None
    if scenario.budget is not None:
        budget = math.floor((scenario.budget - layout.fixed_cost) * CENTS + _EPS)
    problem = RoutingProblem(
        travel=matrix.travel_minutes, drive=matrix.drive_minutes, arc_cost=arc_cost,
        service=tuple(nodes.service), windows=tuple(nodes.windows), prize=tuple(nodes.prize),
        node_cost=tuple(nodes.cost), mandatory=tuple(nodes.mandatory), allowed_tours=tuple(nodes.allowed),
        group=tuple(nodes.group), tours=tuple(tours), budget=budget,
    )
    return CompiledProblem(scenario, layout, problem, matrix, tuple(nodes.kind), tuple(nodes.ref))


class _Nodes:
    """Column lists of the node table, filled in node order."""

    def __init__(self) -> None:
        self.kind, self.ref, self.lat, self.lon, self.service = [], [], [], [], []
        self.windows, self.allowed, self.group, self.prize, self.cost, self.mandatory = [], [], [], [], [], []

    def add(self, kind, ref, lat, lon, service, windows, allowed, group, prize, cost, mandatory) -> None:
        for column, value in ((self.kind, kind), (self.ref, ref), (self.lat, lat), (self.lon, lon),
                              (self.service, service), (self.windows, windows), (self.allowed, allowed),
                              (self.group, group), (self.prize, prize), (self.cost, cost),
                              (self.mandatory, mandatory)):
            column.append(value)


def _copies(customer, layout: Layout) -> list[tuple[tuple[tuple[int, int], ...], tuple[int, ...]]]:
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
