"""Route evaluation for ruin and recreate: schedules, insertion options, costs (no OR-Tools).

The recreate step is a vectorised cheapest insertion (Solomon's push-forward test with
the "maximum shift" of each scheduled visit, as in the TOPTW iterated local search of
Vansteenwegen et al. 2009): every candidate at every gap of a route in a handful of
numpy operations. It keeps every hard rule of the routing problem: several windows per
node (a visit is never pushed out of the window it starts in, which is conservative),
tours a node may use, driving caps, and, through `spend`, the budget. Evaluated routes
are cached, because a ruin leaves most routes as they were. The loop (`lns`) and route
recombination read routes only through this API.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from .objective import SOFT_TIME_SCALE, mean_step, soft_money
from .problem import NEVER, RoutingProblem, lunch_fits

CACHE_SIZE = 4096  # evaluated routes kept
CACHE_CELLS = 2 ** 25  # and at most this many insertion options (8 bytes each) among them


@dataclass
class Route:
    """One tour's path (start node, visits, end node) with its earliest schedule.

    `start[i]` is the start of service at path position i (the arrival at the end node
    for the last one); `slack[i]` is how far that start may move later without breaking
    a window further on, or the tour's end (the "maximum shift"). The leg arrays hold,
    per gap between consecutive path nodes, what an insertion there replaces."""

    path: list[int]
    start: np.ndarray
    depart: np.ndarray
    slack: np.ndarray
    drive: int
    spend: int
    soft: int
    legs: Legs
    reach: np.ndarray  # per gap: the latest arrival at its next node (start + slack)
    base: np.ndarray  # per gap: soft units of leaving its first node and arriving at its next
    drive_room: np.ndarray | None  # per gap: driving an insertion there may use, if capped


@dataclass
class Legs:
    """Per gap of a path: its two ends and the travel, driving, money and spend of the arc."""

    prev: np.ndarray
    nxt: np.ndarray
    travel: np.ndarray
    drive: np.ndarray
    money: np.ndarray | None
    spend: np.ndarray


@dataclass
class Options:
    """Where each candidate fits best in one route, by the time it takes from the tour.
    Arrays are (positions, candidates): a gap of the route per row, a candidate per column.
    The budget is not in them: the caller checks it for the insertion it is about to make
    (`RouteEvaluator.spend`)."""

    route: Route
    taken: np.ndarray  # minutes x SOFT_TIME_SCALE + money; NEVER where infeasible
    best_position: np.ndarray
    best_taken: np.ndarray


class RouteEvaluator:
    """Everything about routes of one problem that ruin and recreate asks, under the soft
    objective given by its arc costs and drop penalties."""

    def __init__(self, problem: RoutingProblem, soft_arcs: np.ndarray, penalties: np.ndarray):
        self.problem = problem
        self.travel = problem.travel.astype(np.int64)
        self.soft = soft_arcs.astype(np.int64)
        self.drive = problem.drive.astype(np.int64)
        self.cost = problem.arc_cost.astype(np.int64) + np.asarray(problem.node_cost, dtype=np.int64)[:, None]
        self.service = np.asarray(problem.service, dtype=np.int64)
        self.penalty = np.asarray(penalties, dtype=np.int64)
        self.total_penalty = int(sum(self.penalty[g[0]] for g in problem.alternatives))  # nothing served
        self.money = soft_money(problem, self.soft)  # the soft arcs' money part
        self.prize = np.asarray(problem.prize, dtype=np.int64)
        self.windows = tuple(sorted(w) for w in problem.windows)
        self.opens, self.closes = problem.window_arrays
        tours = len(problem.tours)
        self.allowed = np.ones((problem.size, tours), dtype=bool)
        for node, allowed in enumerate(problem.allowed_tours):
            if allowed is not None:
                self.allowed[node] = False
                self.allowed[node, list(allowed)] = True
        self.candidates = np.asarray([n for n in problem.visit_nodes if problem.servable(n)], dtype=np.int64)
        self._candidate_columns()
        self.mean_step = mean_step(self.soft, self.candidates, 1.0)
        self._cache: dict[tuple[int, tuple[int, ...]], tuple[Route, Options]] = {}
        self._cached_cells = 0

    def _candidate_columns(self) -> None:
        """What `_options` reads, cut to the candidates' columns once. Entering candidate c
        from node i is `into[i, c]`, leaving it for node j is `out_of[j, c]`, so an insertion
        test of all candidates at all gaps of a route is a handful of row takes (a 2-D
        gather per quantity costs several times as much)."""
        cand = self.candidates

        def split(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return np.ascontiguousarray(matrix[:, cand]), np.ascontiguousarray(matrix[cand, :].T)

        capped = any(t.max_drive is not None for t in self.problem.tours)
        self.travel_io, self.drive_io = split(self.travel), (split(self.drive) if capped else None)
        self.money_io = split(self.money) if self.money is not None else None
        self.service_c = self.service[cand]
        # Serving the candidate, then travelling on to node j: in minutes, and in soft
        # units (x SOFT_TIME_SCALE, plus the arc's money), folded into one matrix each.
        self.onward = self.travel_io[1] + self.service_c
        self.onward_soft = self.onward * SOFT_TIME_SCALE + (self.money_io[1] if self.money_io is not None else 0)
        self.opens_c = np.ascontiguousarray(self.opens[cand].T)
        self.closes_c = np.ascontiguousarray(self.closes[cand].T)
        self.allowed_c = np.ascontiguousarray(self.allowed[cand].T)
        self.columns = np.arange(cand.size)

    def route(self, tour: int, visits: Sequence[int]) -> Route:
        """Earliest schedule and maximum shifts; the visits must be feasible in this order."""
        spec, service = self.problem.tours[tour], self.problem.service
        path = [spec.start_node, *visits, spec.end_node]
        prev, nxt = np.asarray(path[:-1]), np.asarray(path[1:])
        arcs = prev * self.problem.size + nxt  # flat takes: several times cheaper than [prev, nxt]
        legs = Legs(prev, nxt, self.travel.take(arcs), self.drive.take(arcs),
                     None if self.money is None else self.money.take(arcs), self.cost.take(arcs))
        now = spec.earliest_start + service[path[0]]
        starts, departs, closes, arrivals = [spec.earliest_start], [now], [0], [0]
        for node, leg in zip(path[1:-1], legs.travel.tolist()):
            arrive = now + leg
            for open_, close in self.windows[node]:  # the first window that still fits
                start = max(arrive, open_)
                if start <= close:
                    break
            else:
                raise ValueError(f"node {node} misses its windows on tour {tour}")
            now = start + service[node]
            starts.append(start)
            departs.append(now)
            closes.append(close)
            arrivals.append(arrive)
        arrive = now + int(legs.travel[-1])
        starts.append(arrive)
        departs.append(arrive + service[path[-1]])
        arrivals.append(arrive)
        slack = [0] * len(path)
        slack[-1] = spec.latest_end - arrive
        for i in range(len(path) - 2, 0, -1):
            slack[i] = min(closes[i] - starts[i], starts[i + 1] - arrivals[i + 1] + slack[i + 1])
        start_at, depart_at = np.asarray(starts, dtype=np.int64), np.asarray(departs, dtype=np.int64)
        slack_at, drive = np.asarray(slack, dtype=np.int64), int(legs.drive.sum())
        base = (depart_at[:-1] + legs.travel) * SOFT_TIME_SCALE
        if legs.money is not None:
            base += legs.money
        room = None if spec.max_drive is None else spec.max_drive - drive + legs.drive
        return Route(path, start_at, depart_at, slack_at, drive, int(legs.spend.sum()),
                      int(self.soft.take(arcs).sum()), legs, start_at[1:] + slack_at[1:], base, room)

    def options(self, tour: int, route: Route) -> Options:
        """Every feasible insertion of every candidate into the route (push-forward test),
        as (gaps, candidates) arrays."""
        legs = route.legs
        arrive = self.travel_io[0].take(legs.prev, axis=0)
        arrive += route.depart[:-1, None]
        if self.opens_c.shape[0] == 1:
            start = np.maximum(arrive, self.opens_c[0])
            ok = start <= self.closes_c[0]
        else:  # the first window that still fits, so the latest is tried first and overwritten
            start = np.full(arrive.shape, NEVER)
            for opens, closes in zip(self.opens_c[::-1], self.closes_c[::-1]):
                at = np.maximum(arrive, opens)
                np.copyto(start, at, where=at <= closes)
            ok = start < NEVER
        back = start + self.onward.take(legs.nxt, axis=0)  # the new arrival at the next node
        ok &= back <= route.reach[:, None]
        ok &= self.allowed_c[tour]
        if route.drive_room is not None:
            if self.drive_io is None:
                raise AssertionError("a route with a driving cap on a problem without one")
            into, out_of = self.drive_io
            extra = into.take(legs.prev, axis=0)
            extra += out_of.take(legs.nxt, axis=0)
            ok &= extra <= route.drive_room[:, None]
        # Time the insertion takes from the rest of the tour, waiting included (the soft
        # objective leaves waiting out; here it decides which gap the visit goes into),
        # then money as on the soft arcs.
        taken = start * SOFT_TIME_SCALE
        taken += self.onward_soft.take(legs.nxt, axis=0)
        taken -= route.base[:, None]
        if self.money_io is not None:
            taken += self.money_io[0].take(legs.prev, axis=0)
        taken[~ok] = NEVER
        best_position = taken.argmin(axis=0)
        return Options(route, taken, best_position, taken[best_position, self.columns])

    def evaluated(self, tour: int, visits: list[int]) -> tuple[Route, Options]:
        """A route's schedule and the options of every candidate in it, cached: a ruin
        leaves most routes as they were, and the accepted solution is met again."""
        key = (tour, tuple(visits))
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= CACHE_SIZE or self._cached_cells >= CACHE_CELLS:
                self._cache.clear()  # bounded in cells too: large problems' options are big
                self._cached_cells = 0
            route = self.route(tour, visits)
            found = self._cache[key] = (route, self.options(tour, route))
            self._cached_cells += found[1].taken.size
        return found

    def takes_break(self, tour: int, visits: Sequence[int], node: int, position: int) -> bool:
        """Does the tour still have room for its break with `node` inserted at `position`?
        The push-forward test does not see breaks, so an insertion it allows is confirmed
        here, on the whole route (tours are short), before it is made."""
        if self.problem.tours[tour].lunch is None:
            return True
        return lunch_fits(self.problem, tour, [*visits[:position], node, *visits[position:]])

    @staticmethod
    def refuse(options: Options, row: int, position: int) -> None:
        """Rule out one insertion the route's break does not allow, in the cached options
        too: it stays impossible in that route."""
        options.taken[position, row] = NEVER
        column = options.taken[:, row]
        best = int(column.argmin())
        options.best_position[row] = best
        options.best_taken[row] = column[best]

    @overload
    def spend(self, route: Route, row: int) -> np.ndarray: ...

    @overload
    def spend(self, route: Route, row: int, position: int) -> int: ...

    def spend(self, route: Route, row: int, position: int | None = None) -> np.ndarray | int:
        """What inserting candidate `row` costs at one gap of the route, or at every gap."""
        node, legs = int(self.candidates[row]), route.legs
        if position is None:
            return self.cost[legs.prev, node] + self.cost[node, legs.nxt] - legs.spend
        prev, nxt = int(legs.prev[position]), int(legs.nxt[position])
        return int(self.cost[prev, node] + self.cost[node, nxt] - legs.spend[position])

    def soft_cost(self, visits: Sequence[Sequence[int]]) -> tuple[int, int]:
        """(soft objective, prize) of a solution: travel plus the penalties of what is left
        out. The routes' soft travel comes from the cache the recreate step just filled."""
        travel = sum(self.evaluated(t, list(route))[0].soft for t, route in enumerate(visits))
        served = [n for route in visits for n in route]
        prize = int(self.prize[served].sum()) if served else 0
        missed = self.total_penalty - (int(self.penalty[served].sum()) if served else 0)
        return travel + missed, prize
