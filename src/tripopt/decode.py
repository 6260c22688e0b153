"""Routes <-> plans, both directions, in one place (no OR-Tools).

`decode` turns a routing solution into a Plan. It recomputes the schedule from the
routes: each service starts as early as its windows allow, and each day leaves its
start just in time for the first stop, so the traveller never waits at a customer's door
before the first meeting. A solver minute is real time elapsed since the tour day's
first instant (`compile.DayClock`), so it becomes an aware local time by UTC arithmetic
and the zone's offset at that instant: on the days the clocks change, times carry the
offset they have (01:50-05:00 then 01:30-06:00 for a 40-minute meeting as the clocks go
back). `encode` turns a plan's `Outline` back into routes of a
compiled problem, so that a plan made elsewhere (under a smaller budget, by an earlier
run) can be re-checked here. Tours are matched by their record (traveller and date),
never by position. `with_events` turns the commitments that stand for attended events
(events.py plans a choice of events as commitments) back into event stops with the
customers met there.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .compile import CENTS, CompiledProblem, day_clock
from .model import Commitment, Customer, Event, Scenario
from .plan import DayPlan, Outline, Plan, Stop, Unvisited
from .problem import Break, Routes, RoutingProblem, RoutingSolution, Schedule, Tour, earliest_schedule


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
        travellers=tuple(t.name for t in scenario.travellers),
    )


def encode(compiled: CompiledProblem, outline: Outline) -> Routes | None:
    """A plan's stops as node routes of this layout (None if the plan was made for
    another layout or names something this scenario lacks). Each visit takes the copy
    whose windows and days admit it, tried in order on the route's own schedule."""
    if (outline.extension_before, outline.extension_after) != (compiled.layout.before, compiled.layout.after):
        return None
    by_day = dict(outline.days)
    scenario, p = compiled.scenario, compiled.problem
    customer_index = {c.name: i for i, c in enumerate(scenario.customers)}
    commitment_nodes: dict[tuple[str, int], tuple[int, ...]] = {}  # by name and tour: one name may recur
    for n, kind in enumerate(compiled.node_kind):
        if kind == "commitment":
            for t in p.allowed_tours[n] or ():
                key = (scenario.commitments[compiled.node_ref[n]].name, t)
                commitment_nodes[key] = (*commitment_nodes.get(key, ()), n)
    routes = []
    for t, tour in enumerate(p.tours):
        route: list[int] = []
        for kind, name in by_day.get((tour.traveller, tour.day), ()):
            candidates: tuple[int, ...]
            if kind == "commitment":
                candidates = commitment_nodes.get((name, t), ())
            else:
                candidates = (compiled.customer_nodes(customer_index[name])
                              if kind == "visit" and name in customer_index else ())
            node = next((n for n in candidates if _fits(compiled, t, route, n)), None)
            if node is None:
                return None
            route.append(node)
        routes.append(tuple(route))
    return tuple(routes)


def _fits(compiled: CompiledProblem, tour: int, route: list[int], node: int) -> bool:
    """Can `node` follow `route` on this tour (its windows; the end and the cap are checked
    on the whole route later)?"""
    allowed = compiled.problem.allowed_tours[node]
    if allowed is not None and tour not in allowed:
        return False
    failed_at = earliest_schedule(compiled.problem, tour, [*route, node]).failed_at
    return failed_at is None or not 0 <= failed_at <= len(route)


def _schedule(compiled: CompiledProblem, tour: int, route: tuple[int, ...]) -> Schedule:
    """The earliest schedule, re-checked here rather than trusted from the solver."""
    timed = earliest_schedule(compiled.problem, tour, route)
    if timed.failed_at is not None:
        raise AssertionError(f"solver returned an infeasible tour {tour}: {timed}")
    return timed


@dataclasses.dataclass(frozen=True)
class _Lunch:
    """The day's lunch placed in its gap: when it starts, and the arrival at the gap's
    next stop (after the drive, and after lunch if it is eaten before or on the way)."""

    start: int
    arrive: int
    on_arrival: bool  # eaten after the drive, at the gap's next place


def _place_lunch(lunch: Break, depart: int, leg: int, ready_by: int) -> _Lunch | None:
    """The lunch in a gap that leaves at `depart`, drives `leg` minutes and must be ready
    for the next stop by `ready_by`: eaten on arrival if that fits, else before leaving,
    else on the way (the drive split around it); None if it does not fit. The earliest
    schedule guarantees one of them for its own departures."""
    arrived = max(depart + leg, lunch.earliest)
    if arrived <= lunch.latest and arrived + lunch.length <= ready_by:
        return _Lunch(arrived, depart + leg, True)
    first = max(depart, lunch.earliest)
    if first > lunch.latest:
        return None
    if first + lunch.length + leg <= ready_by:
        return _Lunch(first, first + lunch.length + leg, False)
    if arrived + lunch.length <= ready_by:
        return _Lunch(first, depart + leg + lunch.length, False)
    return None


def _leave(p: RoutingProblem, t: int, route: tuple[int, ...], timed: Schedule) -> tuple[int, _Lunch | None]:
    """When the day leaves its start: just in time for the first stop (lunch included if
    it is taken on the way there) instead of waiting at its door, and that lunch."""
    tour = p.tours[t]
    if not route:
        return tour.earliest_start, None
    leg, ready_by = int(p.travel[tour.start_node, route[0]]), timed.times[0][1]
    if timed.lunch_gap != 0 or tour.lunch is None:
        return max(tour.earliest_start, ready_by - leg), None
    for leave in (max(tour.earliest_start, ready_by - leg - tour.lunch.length), tour.earliest_start):
        lunch = _place_lunch(tour.lunch, leave, leg, ready_by)
        if lunch is not None:
            return leave, lunch
    raise AssertionError(f"the earliest schedule of tour {t} took lunch where it does not fit")


def _gap_lunch(p: RoutingProblem, t: int, route: tuple[int, ...], timed: Schedule) -> _Lunch | None:
    """The lunch of a gap after the first: before the next stop, or on the way to the end
    or after arriving there (the day's last stop then)."""
    tour, gap = p.tours[t], timed.lunch_gap
    if tour.lunch is None or gap is None or gap == 0:
        return None
    path = [tour.start_node, *route, tour.end_node]
    depart = timed.times[gap - 1][2]
    last = gap == len(route)
    ready_by = tour.latest_end if last else timed.times[gap][1]
    lunch = _place_lunch(tour.lunch, depart, int(p.travel[path[gap], path[gap + 1]]), ready_by)
    if lunch is None:
        raise AssertionError(f"the earliest schedule of tour {t} took lunch where it does not fit")
    return lunch


def _clock(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """A solver minute (real minutes since the tour day's first instant) as an aware local time."""
    return day_clock(day, zone).moment(minute)


def _day(compiled: CompiledProblem, t: int, route: tuple[int, ...], zone: ZoneInfo) -> DayPlan:
    """One tour as the day's stops, its cost (the tour's fixed cost included), km and driving."""
    scenario, p, matrix = compiled.scenario, compiled.problem, compiled.matrix
    tour = p.tours[t]
    timed = _schedule(compiled, t, route)
    times = list(timed.times)
    leave, lunch = _leave(p, t, route, timed)
    lunch = lunch or _gap_lunch(p, t, route, timed)
    if route:
        times[0] = (leave + int(p.travel[tour.start_node, route[0]]), *times[0][1:])
    if lunch is not None and timed.lunch_gap is not None and timed.lunch_gap < len(route):
        times[timed.lunch_gap] = (lunch.arrive, *times[timed.lunch_gap][1:])
    start_place = scenario.places[tour.start_place]
    stops = [Stop("start", start_place.name, start_place.lat, start_place.lon,
                  depart=_clock(tour.day, leave, zone), place=start_place)]
    prev, cost, km, drive = tour.start_node, 0.0, 0.0, 0
    for position, (node, (arrive, start, end)) in enumerate(zip(route, times)):
        if lunch is not None and position == timed.lunch_gap:
            stops.append(_lunch_stop(tour, lunch, zone))
        leg_km, leg_drive = float(matrix.km[prev, node]), int(matrix.drive_minutes[prev, node])
        stop = _node_stop(compiled, node)
        leg_cost = p.arc_cost[prev, node] / CENTS
        visit_cost = p.node_cost[node] / CENTS
        stops.append(Stop(stop.kind, stop.name, stop.lat, stop.lon,
                          arrive=_clock(tour.day, arrive, zone), start=_clock(tour.day, start, zone),
                          end=_clock(tour.day, end, zone), depart=_clock(tour.day, end, zone),
                          travel_km=round(leg_km, 1), travel_minutes=int(p.travel[prev, node]),
                          drive_minutes=leg_drive, cost=round(visit_cost, 2),
                          customer=stop.customer, commitment=stop.commitment, place=stop.place))
        cost += leg_cost + visit_cost
        km += leg_km
        drive += leg_drive
        prev = node
    end_place = scenario.places[tour.end_place]
    last_end = times[-1][2] if route else leave
    back = last_end + int(p.travel[prev, tour.end_node])
    eaten_back = lunch is not None and timed.lunch_gap == len(route)
    if eaten_back and lunch is not None:
        back = lunch.arrive
        if not lunch.on_arrival:
            stops.append(_lunch_stop(tour, lunch, zone))
    stops.append(Stop("end", end_place.name, end_place.lat, end_place.lon, arrive=_clock(tour.day, back, zone),
                      travel_km=round(float(matrix.km[prev, tour.end_node]), 1),
                      travel_minutes=int(p.travel[prev, tour.end_node]),
                      drive_minutes=int(matrix.drive_minutes[prev, tour.end_node]), place=end_place))
    if eaten_back and lunch is not None and lunch.on_arrival:
        stops.append(_lunch_stop(tour, lunch, zone))  # eaten after arriving back: the day's last stop
    cost += p.arc_cost[prev, tour.end_node] / CENTS
    km += float(matrix.km[prev, tour.end_node])
    drive += int(matrix.drive_minutes[prev, tour.end_node])
    if tour.fixed_cost:
        cost += tour.fixed_cost / CENTS
    return DayPlan(tour.day, tour.extension, tuple(stops), round(cost, 2), round(km, 1), drive, tour.traveller)


def _lunch_stop(tour: Tour, lunch: _Lunch, zone: ZoneInfo) -> Stop:
    """The day's lunch as a stop of its own, at no place (no location)."""
    assert tour.lunch is not None
    return Stop("lunch", "Lunch", math.nan, math.nan, start=_clock(tour.day, lunch.start, zone),
                end=_clock(tour.day, lunch.start + tour.lunch.length, zone))


def _node_stop(compiled: CompiledProblem, node: int) -> Stop:
    """The customer or commitment behind a node (the one node-to-domain mapping)."""
    scenario = compiled.scenario
    if compiled.node_kind[node] == "customer":
        c = scenario.customers[compiled.node_ref[node]]
        return Stop("visit", c.name, c.lat, c.lon, customer=c)
    k = scenario.commitments[compiled.node_ref[node]]
    place = scenario.places[k.place]
    return Stop("commitment", k.name, place.lat, place.lon, commitment=k, place=place)


def with_events(plan: Plan, scenario: Scenario, attended: Mapping[Commitment, Event]) -> Plan:
    """A plan of a scenario in which the attended events were commitments (`attended`: the
    commitment that stood for each) as a plan of `scenario` itself: each such commitment
    becomes an event stop with its cost (added to its day's) and the customers met there,
    every visit refers to the scenario's own customer, and no customer met is unvisited.

    A customer is met at an attended event it attends if it is not visited and not met at
    an earlier one: events in the order they start (at one time, in the scenario's order)."""
    customers = {c.name: c for c in scenario.customers}
    order = {e.name: i for i, e in enumerate(scenario.events)}
    visited = plan.visited_names
    where = [(s.start, order[attended[s.commitment].name], d, i) for d, day in enumerate(plan.days)
             for i, s in enumerate(day.stops)
             if s.commitment is not None and s.commitment in attended and s.start is not None]
    met: dict[tuple[int, int], tuple[Customer, ...]] = {}
    seen: set[str] = set()
    for _, _, d, i in sorted(where):
        commitment = plan.days[d].stops[i].commitment
        assert commitment is not None
        here = tuple(customers[a] for a in attended[commitment].attendees if a not in visited and a not in seen)
        seen.update(c.name for c in here)
        met[d, i] = here
    days = []
    for d, day in enumerate(plan.days):
        stops, extra = [], 0.0
        for i, stop in enumerate(day.stops):
            if (d, i) in met and stop.commitment is not None:
                event = attended[stop.commitment]
                stop = dataclasses.replace(stop, kind="event", cost=event.cost, commitment=None, event=event,
                                           met=met[d, i])
                extra += event.cost
            elif stop.kind == "visit" and stop.name in customers:
                stop = dataclasses.replace(stop, customer=customers[stop.name])
            stops.append(stop)
        days.append(dataclasses.replace(day, stops=tuple(stops), cost=round(day.cost + extra, 2)))
    return dataclasses.replace(
        plan, days=tuple(days), unvisited=tuple(u for u in plan.unvisited if u.name not in seen),
        value_available=sum(c.value for c in scenario.customers) + sum(e.value for e in scenario.events),
        budget=scenario.budget, candidates=len(scenario.customers))
