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
from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .compile import CENTS, CompiledProblem, day_clock
from .model import Commitment, Customer, Event, Scenario
from .plan import DayPlan, Outline, Plan, Stop, Unvisited
from .problem import Routes, RoutingSolution, earliest_schedule


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


def _schedule(compiled: CompiledProblem, tour: int, route: tuple[int, ...]) -> list[tuple[int, int, int]]:
    """(arrive, start, end) per node, re-checked here rather than trusted from the solver."""
    timed = earliest_schedule(compiled.problem, tour, route)
    if timed.failed_at is not None:
        raise AssertionError(f"solver returned an infeasible tour {tour}: {timed}")
    return list(timed.times)


def _clock(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """A solver minute (real minutes since the tour day's first instant) as an aware local time."""
    return day_clock(day, zone).moment(minute)


def _day(compiled: CompiledProblem, t: int, route: tuple[int, ...], zone: ZoneInfo) -> DayPlan:
    """One tour as the day's stops, its cost (the tour's fixed cost included), km and driving."""
    scenario, p, matrix = compiled.scenario, compiled.problem, compiled.matrix
    tour = p.tours[t]
    times = _schedule(compiled, t, route)
    leave = tour.earliest_start
    if route:  # leave just in time for the first stop instead of waiting at its door
        first_leg = int(p.travel[tour.start_node, route[0]])
        leave = max(tour.earliest_start, times[0][1] - first_leg)
        times[0] = (leave + first_leg, *times[0][1:])
    start_place = scenario.places[tour.start_place]
    stops = [Stop("start", start_place.name, start_place.lat, start_place.lon,
                  depart=_clock(tour.day, leave, zone), place=start_place)]
    prev, cost, km, drive = tour.start_node, 0.0, 0.0, 0
    for node, (arrive, start, end) in zip(route, times):
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
    stops.append(Stop("end", end_place.name, end_place.lat, end_place.lon, arrive=_clock(tour.day, back, zone),
                      travel_km=round(float(matrix.km[prev, tour.end_node]), 1),
                      travel_minutes=int(p.travel[prev, tour.end_node]),
                      drive_minutes=int(matrix.drive_minutes[prev, tour.end_node]), place=end_place))
    cost += p.arc_cost[prev, tour.end_node] / CENTS
    km += float(matrix.km[prev, tour.end_node])
    drive += int(matrix.drive_minutes[prev, tour.end_node])
    if tour.fixed_cost:
        cost += tour.fixed_cost / CENTS
    return DayPlan(tour.day, tour.extension, tuple(stops), round(cost, 2), round(km, 1), drive, tour.traveller)


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
