"""The plan as typed objects, decoded from a routing solution (no presentation here).

Decoding recomputes the schedule from the routes: each service starts as early as its
windows allow, and each day leaves its start just in time for the first stop, so the
traveller never waits at a customer's door before the first meeting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .compile import CENTS, CompiledProblem, Outline
from .routing import RoutingSolution, earliest_schedule

FORMAT = "tripopt.plan/1"


@dataclass(frozen=True)
class Stop:
    kind: str  # "start", "visit", "commitment", "end"
    name: str
    lat: float
    lon: float
    arrive: datetime | None = None
    start: datetime | None = None
    end: datetime | None = None
    depart: datetime | None = None
    travel_km: float = 0.0
    travel_minutes: int = 0
    drive_minutes: int = 0
    value: float = 0.0
    cost: float = 0.0
    notes: str = ""
    place: str = ""
    address: str = ""


@dataclass(frozen=True)
class DayPlan:
    day: date
    extension: bool
    stops: tuple[Stop, ...]
    cost: float
    drive_km: float
    drive_minutes: int

    @property
    def visits(self) -> tuple[Stop, ...]:
        return tuple(s for s in self.stops if s.kind == "visit")


@dataclass(frozen=True)
class Hint:
    """What would bring an unvisited customer into this very plan, checked on it: `kind`
    "budget" (every visit kept, the budget `extra_budget` higher) or "swap" (in place of
    the visit to `replaces`, worth `replaces_value`, within the budget); `day` is where it
    would go."""

    kind: str
    day: date
    extra_budget: float
    replaces: str
    replaces_value: float
    text: str


@dataclass(frozen=True)
class Unvisited:
    name: str
    value: float
    code: str
    reason: str
    lat: float = 0.0
    lon: float = 0.0
    hint: Hint | None = None


@dataclass(frozen=True)
class Plan:
    scenario: str
    currency: str
    timezone: str
    days: tuple[DayPlan, ...]
    unvisited: tuple[Unvisited, ...]
    candidates: int
    value_available: float
    budget: float | None
    extension_before: int
    extension_after: int
    extension_cost: float
    stopped_by: str
    seconds: float
    optimal: bool = False  # proven by exhaustive search (small problems), not just the best found
    recalled: bool = False  # an earlier run's plan (README, "Remembered plans"), not bettered by this one

    @property
    def visited(self) -> int:
        return sum(len(d.visits) for d in self.days)

    @property
    def value(self) -> float:
        return round(sum(s.value for d in self.days for s in d.visits), 6)

    @property
    def cost(self) -> float:
        return round(sum(d.cost for d in self.days), 2)

    @property
    def drive_km(self) -> float:
        return round(sum(d.drive_km for d in self.days), 1)

    @property
    def drive_minutes(self) -> int:
        return sum(d.drive_minutes for d in self.days)

    @property
    def extension_days(self) -> int:
        return self.extension_before + self.extension_after

    @property
    def visited_names(self) -> frozenset[str]:
        return frozenset(s.name for d in self.days for s in d.visits)

    @property
    def outline(self) -> Outline:
        return Outline(self.extension_before, self.extension_after,
                       tuple((d.day, tuple((s.kind, s.name) for s in d.stops if s.kind in ("visit", "commitment")))
                             for d in self.days))


def schedule(compiled: CompiledProblem, tour: int, route: tuple[int, ...]) -> list[tuple[int, int, int]]:
    """(arrive, start, end) per node, re-checked here rather than trusted from the solver."""
    timed = earliest_schedule(compiled.problem, tour, route)
    if timed.failed_at is not None:
        raise AssertionError(f"solver returned an infeasible tour {tour}: {timed}")
    return list(timed.times)


def decode(compiled: CompiledProblem, solution: RoutingSolution, unvisited: tuple[Unvisited, ...]) -> Plan:
    """Routing solution -> Plan with clock times in the scenario's time zone."""
    scenario, layout = compiled.scenario, compiled.layout
    zone = ZoneInfo(scenario.timezone)
    days = tuple(_day(compiled, t, route, zone) for t, route in enumerate(solution.routes))
    return Plan(
        scenario=scenario.name, currency=scenario.currency, timezone=scenario.timezone, days=days,
        unvisited=unvisited, candidates=len(scenario.customers),
        value_available=sum(c.value for c in scenario.customers), budget=scenario.budget,
        extension_before=layout.before, extension_after=layout.after, extension_cost=layout.fixed_cost,
        stopped_by=solution.stopped_by, seconds=solution.seconds,
    )


def _clock(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """A solver minute (after the tour day's local midnight) as an aware local time."""
    return (datetime.combine(day, time()) + timedelta(minutes=minute)).replace(tzinfo=zone)


def _day(compiled: CompiledProblem, tour: int, route: tuple[int, ...], zone: ZoneInfo) -> DayPlan:
    scenario, p, matrix = compiled.scenario, compiled.problem, compiled.matrix
    tour_day, spec = compiled.layout.days[tour], p.tours[tour]
    times = schedule(compiled, tour, route)
    leave = spec.earliest_start
    if route:  # leave just in time for the first stop instead of waiting at its door
        first_leg = int(p.travel[spec.start_node, route[0]])
        leave = max(spec.earliest_start, times[0][1] - first_leg)
        times[0] = (leave + first_leg, *times[0][1:])
    start_place = scenario.places[tour_day.start_place]
    stops = [Stop("start", start_place.name, start_place.lat, start_place.lon,
                  depart=_clock(tour_day.day, leave, zone), place=tour_day.start_place)]
    prev, cost, km, drive = spec.start_node, 0.0, 0.0, 0
    for node, (arrive, start, end) in zip(route, times):
        leg_km, leg_drive = float(matrix.km[prev, node]), int(matrix.drive_minutes[prev, node])
        stop = _node_stop(compiled, node)
        leg_cost = p.arc_cost[prev, node] / CENTS
        visit_cost = p.node_cost[node] / CENTS
        stops.append(Stop(stop.kind, stop.name, stop.lat, stop.lon,
                          arrive=_clock(tour_day.day, arrive, zone), start=_clock(tour_day.day, start, zone),
                          end=_clock(tour_day.day, end, zone), depart=_clock(tour_day.day, end, zone),
                          travel_km=round(leg_km, 1), travel_minutes=int(p.travel[prev, node]),
                          drive_minutes=leg_drive, value=stop.value, cost=round(visit_cost, 2),
                          notes=stop.notes, place=stop.place, address=stop.address))
        cost += leg_cost + visit_cost
        km += leg_km
        drive += leg_drive
        prev = node
    end_place = scenario.places[tour_day.end_place]
    last_end = times[-1][2] if route else leave
    back = last_end + int(p.travel[prev, spec.end_node])
    stops.append(Stop("end", end_place.name, end_place.lat, end_place.lon, arrive=_clock(tour_day.day, back, zone),
                      travel_km=round(float(matrix.km[prev, spec.end_node]), 1),
                      travel_minutes=int(p.travel[prev, spec.end_node]),
                      drive_minutes=int(matrix.drive_minutes[prev, spec.end_node]), place=tour_day.end_place))
    cost += p.arc_cost[prev, spec.end_node] / CENTS
    km += float(matrix.km[prev, spec.end_node])
    drive += int(matrix.drive_minutes[prev, spec.end_node])
    if tour_day.extension:
        trip = scenario.trip
        cost += trip.extend_before.cost if tour_day.day < trip.start else trip.extend_after.cost
    return DayPlan(tour_day.day, tour_day.extension, tuple(stops), round(cost, 2), round(km, 1), drive)


def _node_stop(compiled: CompiledProblem, node: int) -> Stop:
    """The customer or commitment behind a node (the one node-to-domain mapping)."""
    scenario = compiled.scenario
    if compiled.node_kind[node] == "customer":
        c = scenario.customers[compiled.node_ref[node]]
        return Stop("visit", c.name, c.lat, c.lon, value=c.value, notes=c.notes, place=c.place or "",
                    address=c.address)
    k = scenario.commitments[compiled.node_ref[node]]
    place = scenario.places[k.place]
    return Stop("commitment", k.name, place.lat, place.lon, place=k.place, address=place.name)
