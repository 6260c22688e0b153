"""The routing problem and its solutions: pure data and rules, no search, no OR-Tools.

The problem is integer throughout: nodes with service times, one or several
start-of-service windows, prizes, per-node costs, optional or mandatory, possibly tied
to given tours, and grouped into alternatives (copies of one visit, at most one served:
a visit whose windows differ from day to day); tours with their own start and end node,
time window and driving cap; per-arc costs and one global budget.

A tour is a record (`Tour`): whose it is, which day, from where and when to where and
by when, and what having it costs. Its position in `RoutingProblem.tours` only pairs it
with `routes[t]` of a solution; nothing reads a meaning into that number.

Every rule a plan must keep is checked here (`earliest_schedule`, `evaluate`), so the
exhaustive search, the heuristics and the decoder agree on what "feasible" means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

import numpy as np

NEVER = np.iinfo(np.int64).max // 4  # a start time or cost that rules an option out
NO_LUNCH = -2  # Schedule.failed_at of a route that keeps every window but leaves no room for its tour's break

Routes = tuple[tuple[int, ...], ...]  # a solution's visit nodes: a route per tour, in tour order


@dataclass(frozen=True)
class Break:
    """A break a tour with any stop must take: `length` minutes starting between `earliest`
    and `latest` (tour minutes), at no place in particular: between two stops (or before
    the first, after the last) it lengthens that gap by its length, and may fall before,
    after or in the middle of the drive; it never overlaps a service."""

    earliest: int
    latest: int
    length: int


@dataclass(frozen=True)
class Tour:
    """One traveller's day: from which node and when it may start, at which node and by
    when it must end (minutes after that day's midnight), its driving cap, and what it
    stands for: the traveller, the date, the places, and `fixed_cost` (cents) charged
    whether the tour is used or not (an extension day's hotel night). A generic problem
    (a benchmark's vehicles) may leave the record fields at their defaults."""

    start_node: int
    end_node: int
    earliest_start: int
    latest_end: int
    max_drive: int | None = None
    traveller: str = ""
    day: date = date.min
    start_place: str = ""
    end_place: str = ""
    fixed_cost: int = 0
    extension: bool = False
    lunch: Break | None = None


@dataclass(frozen=True)
class RoutingProblem:
    """The integer problem the core solves. Node-indexed arrays all have length N.

    `windows[i]` bounds the *start* of service at node i (several disjoint windows
    allowed; an empty tuple means the node can never be served). Tour start and end
    nodes take their times from their `Tour`, not from `windows`. `group[i]` names the
    visit a node serves: nodes sharing a group are alternatives, of which at most one
    (exactly one if mandatory) is served; prize and mandatory are the group's. Tour
    start and end nodes have group -1.

    Wide gaps inside one node's windows make OR-Tools' insertion filters very slow (see
    benchmarks/README.md), so callers should split such windows into alternatives.
    """

    travel: np.ndarray  # (N, N) minutes, service not included
    drive: np.ndarray  # (N, N) driving minutes (for the per-tour cap)
    arc_cost: np.ndarray  # (N, N) cost units (e.g. cents)
    service: tuple[int, ...]
    windows: tuple[tuple[tuple[int, int], ...], ...]
    prize: tuple[int, ...]
    node_cost: tuple[int, ...]
    mandatory: tuple[bool, ...]
    allowed_tours: tuple[tuple[int, ...] | None, ...]
    group: tuple[int, ...]
    tours: tuple[Tour, ...]
    budget: int | None = None

    def __post_init__(self) -> None:
        n = self.travel.shape[0]
        for name in ("drive", "arc_cost"):
            if getattr(self, name).shape != (n, n):
                raise ValueError(f"{name} must be {n}x{n}")
        for name in ("service", "windows", "prize", "node_cost", "mandatory", "allowed_tours", "group"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} must have {n} entries")
        if not self.tours:
            raise ValueError("at least one tour is needed")

    @property
    def size(self) -> int:
        return self.travel.shape[0]

    @cached_property
    def visit_nodes(self) -> tuple[int, ...]:
        """Nodes that are not a tour's start or end."""
        return tuple(i for i in range(self.size) if self.group[i] >= 0)

    @cached_property
    def alternatives(self) -> tuple[tuple[int, ...], ...]:
        """The node copies of each visit, in group order."""
        groups: dict[int, list[int]] = {}
        for node in self.visit_nodes:
            groups.setdefault(self.group[node], []).append(node)
        return tuple(tuple(nodes) for _, nodes in sorted(groups.items()))

    @cached_property
    def sorted_windows(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        """Every node's windows in time order (schedules try them first to last)."""
        return tuple(tuple(sorted(w)) for w in self.windows)

    @cached_property
    def window_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Every node's windows, sorted and padded to one width: (N, W) opens and closes,
        for vectorised insertion tests; a padding window (NEVER, -1) never fits."""
        width = max((len(w) for w in self.windows), default=1) or 1
        opens = np.full((self.size, width), NEVER, dtype=np.int64)
        closes = np.full((self.size, width), -1, dtype=np.int64)
        for node, windows in enumerate(self.windows):
            for k, (open_, close) in enumerate(sorted(windows)):
                opens[node, k], closes[node, k] = open_, close
        return opens, closes

    def servable(self, node: int) -> bool:
        return bool(self.windows[node]) and self.allowed_tours[node] != ()

    def restricted(self, keep: Sequence[int], mandatory: bool) -> RoutingProblem:
        """The problem on the nodes `keep` (in that order, tour ends included), with every
        visit made mandatory if asked. Node i of the result is node keep[i] here."""
        where = {node: i for i, node in enumerate(keep)}
        index = np.asarray(keep)
        pick = lambda values: tuple(values[n] for n in keep)
        return RoutingProblem(
            travel=self.travel[np.ix_(index, index)], drive=self.drive[np.ix_(index, index)],
            arc_cost=self.arc_cost[np.ix_(index, index)], service=pick(self.service),
            windows=pick(self.windows), prize=pick(self.prize), node_cost=pick(self.node_cost),
            mandatory=tuple((mandatory and self.group[n] >= 0) or self.mandatory[n] for n in keep),
            allowed_tours=pick(self.allowed_tours), group=pick(self.group),
            tours=tuple(replace(t, start_node=where[t.start_node], end_node=where[t.end_node]) for t in self.tours),
            budget=self.budget,
        )


@dataclass(frozen=True)
class RoutingSolution:
    """Routes with their totals, and how the search that found them ended."""

    routes: Routes  # visit nodes of each tour, in order
    status: str  # "feasible" or "infeasible"
    prize: int
    cost: int
    drive: int
    travel: int
    stopped_by: str = "work"  # "work", "time", "interrupt" or "infeasible"
    seconds: float = 0.0
    phases: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Schedule:
    """Earliest (arrive, start, end) per node of a route; `failed_at` is the position of
    the first node whose windows are all missed (len(route) if the tour ends too late,
    -1 if it breaks the driving cap, NO_LUNCH if every window is kept but no gap leaves
    room for the tour's break), or None if the route is feasible. `arrive_end` is the
    arrival at the tour's end, or at the failing node when a window is missed. With a
    break, `lunch_gap` is the gap it is taken in (0 before the first node, len(route)
    before the end); the arrival after that gap is when the break is over."""

    times: tuple[tuple[int, int, int], ...]
    failed_at: int | None
    arrive_end: int
    drive: int
    lunch_gap: int | None = None


def earliest_schedule(problem: RoutingProblem, tour: int, route: Sequence[int],
                      zero_travel: bool = False, lunch: bool = True) -> Schedule:
    """Serve each node as early as its windows allow (optimal for feasibility when waiting
    is allowed), taking the tour's break, if it has one and any stop, in the gap after
    which the route goes on earliest. `zero_travel` pretends every leg is instant (for
    diagnosis); `lunch=False` leaves the break out (a relaxation, for quick filters whose
    survivors are then checked in full)."""
    spec = problem.tours[tour]
    plain = _forward(problem, spec, route, zero_travel, None)
    if not lunch or spec.lunch is None or not route or plain.failed_at is not None:
        return plain
    gap = _lunch_gap(problem, spec, spec.lunch, route, zero_travel)
    if gap is None:
        return replace(plain, failed_at=NO_LUNCH)
    return _forward(problem, spec, route, zero_travel, gap)


def _leg(problem: RoutingProblem, a: int, b: int, zero_travel: bool) -> tuple[int, int]:
    """(travel, driving) minutes from node a to node b."""
    return (0, 0) if zero_travel else (problem.travel.item(a, b), problem.drive.item(a, b))


def _served(problem: RoutingProblem, node: int, arrive: int) -> int | None:
    """The earliest start of service at `node` for an arrival, or None if every window is missed."""
    for open_, close in problem.sorted_windows[node]:
        start = open_ if open_ > arrive else arrive
        if start <= close:
            return start
    return None


def lunch_fits(problem: RoutingProblem, tour: int, route: Sequence[int]) -> bool:
    """Does a route whose schedule without the break keeps every rule (the caller knows:
    ruin and recreate's insertion test) leave room for the tour's break? One pass."""
    spec = problem.tours[tour]
    return spec.lunch is None or not route or _lunch_gap(problem, spec, spec.lunch, route, False) is not None


def _forward(problem: RoutingProblem, spec: Tour, route: Sequence[int], zero_travel: bool,
             lunch_gap: int | None) -> Schedule:
    """The earliest schedule with the break taken in gap `lunch_gap` (as early as the gap
    and the break's window allow), or with none."""
    now, prev, drive = spec.earliest_start, spec.start_node, 0
    times: list[tuple[int, int, int]] = []
    for position, node in enumerate([*route, spec.end_node]):
        travel, driving = _leg(problem, prev, node, zero_travel)
        arrive = now + travel
        if position == lunch_gap and spec.lunch is not None:
            arrive = max(arrive, spec.lunch.earliest) + spec.lunch.length
        drive += driving
        if position == len(route):
            break
        start = _served(problem, node, arrive)
        if start is None:
            return Schedule(tuple(times), position, arrive, drive, lunch_gap)
        times.append((arrive, start, start + problem.service[node]))
        now, prev = start + problem.service[node], node
    if arrive > spec.latest_end:
        return Schedule(tuple(times), len(route), arrive, drive, lunch_gap)
    if spec.max_drive is not None and drive > spec.max_drive:
        return Schedule(tuple(times), -1, arrive, drive, lunch_gap)
    return Schedule(tuple(times), None, arrive, drive, lunch_gap)


def _lunch_gap(problem: RoutingProblem, spec: Tour, lunch: Break, route: Sequence[int],
               zero_travel: bool) -> int | None:
    """The gap whose break lets the rest of the route go on earliest, or None if none fits.

    Two states per position: no break yet (the plain earliest times) and break taken
    (earliest over every gap so far). Taking the break in a gap needs its window to open
    before it closes at the gap's start (the departure), and delays the arrival to
    max(departure + travel, earliest) + length; earlier is never worse with waiting allowed."""
    plain, taken, gap = spec.earliest_start, None, None  # departure times in each state
    prev, legs, service = spec.start_node, problem.travel, problem.service
    earliest, latest, length = lunch.earliest, lunch.latest, lunch.length
    for position, node in enumerate([*route, spec.end_node]):
        travel = 0 if zero_travel else legs.item(prev, node)
        ready = None if taken is None else taken + travel
        if (plain if plain > earliest else earliest) <= latest:
            arrive = plain + travel
            via = (arrive if arrive > earliest else earliest) + length
            if ready is None or via < ready:
                ready, gap = via, position
        elif ready is None:
            return None  # the window has closed with no break taken
        if position == len(route):
            return gap if ready <= spec.latest_end else None
        served = _served(problem, node, plain + travel)
        assert served is not None  # the plain route keeps its windows
        plain, prev = served + service[node], node
        start = _served(problem, node, ready)
        taken = None if start is None else start + service[node]
        if taken == plain:
            return gap  # the break fitted in waiting time: from here on the plain schedule holds
    raise AssertionError("unreachable: the loop returns at the tour's end")


def route_cost(problem: RoutingProblem, tour: int, route: Sequence[int]) -> int:
    """Arc costs plus per-node costs of one tour, in the problem's cost units."""
    spec = problem.tours[tour]
    path = [spec.start_node, *route, spec.end_node]
    return sum(int(problem.arc_cost[a, b]) + problem.node_cost[a] for a, b in zip(path, path[1:]))


def evaluate(problem: RoutingProblem, routes: Sequence[Sequence[int]]) -> RoutingSolution | None:
    """The routes as a solution if they keep every hard rule (windows, tours a node may use,
    one copy per visit, mandatory visits, driving caps, budget), else None. Used to accept a
    warm start from outside the search: a plan found under a smaller budget, say."""
    if len(routes) != len(problem.tours):
        return None
    served = [n for route in routes for n in route]
    groups = [problem.group[n] for n in served]
    if len(set(groups)) != len(groups) or any(g < 0 for g in groups):
        return None
    if any(problem.mandatory[g[0]] and problem.group[g[0]] not in groups for g in problem.alternatives):
        return None
    for t, route in enumerate(routes):
        if any((allowed := problem.allowed_tours[n]) is not None and t not in allowed for n in route):
            return None
        if earliest_schedule(problem, t, route).failed_at is not None:
            return None
    solution = summarise(problem, routes, 0.0, "work", ())
    if problem.budget is not None and solution.cost > problem.budget:
        return None
    return solution


def infeasible(seconds: float, stop: str) -> RoutingSolution:
    """A search's answer when it found no solution that keeps the hard rules."""
    return RoutingSolution((), "infeasible", 0, 0, 0, 0, stopped_by=stop, seconds=seconds)


def summarise(problem: RoutingProblem, routes: Sequence[Sequence[int]], seconds: float, stopped_by: str,
              phases: tuple[str, ...]) -> RoutingSolution:
    """Feasible routes as a solution: their prize, cost, driving and travel, recomputed."""
    prize = cost = drive = travel = 0
    for t, route in enumerate(routes):
        timed = earliest_schedule(problem, t, route)
        cost += route_cost(problem, t, route)
        drive += timed.drive
        path = [problem.tours[t].start_node, *route, problem.tours[t].end_node]
        travel += sum(int(problem.travel[a, b]) for a, b in zip(path, path[1:]))
        prize += sum(problem.prize[i] for i in route)
    return RoutingSolution(tuple(tuple(r) for r in routes), "feasible", prize, cost, drive, travel,
                           stopped_by=stopped_by, seconds=seconds, phases=phases)
