"""Exact answers on the routing problem: what the heuristic search cannot promise.

A claim the tool makes ("infeasible", "it cannot be added to the plan", "this is the
best plan") is only made when it was decided here, exhaustively, or it is labelled as
not decided. Two tools:

- `insertion_options`: every feasible insertion of candidate visits into given routes
  (every tour, every position, every copy; the other visits keep their order and are
  re-scheduled). Vectorised and exact: with the earliest departure of the node before a
  gap and the latest arrival the rest of the route allows after it (computed backwards,
  several windows per node), an insertion fits exactly when the candidate can start in a
  window after the first and still reach the second in time.
- `BranchAndBound`: places a set of visits (mandatory ones must be placed, optional ones
  may be) by inserting them one by one at every position of every tour, the most valuable
  first; the best plan by (prize, -cost, -drive). It is exhaustive because inserting the
  visits in a fixed order at every position generates every order of every tour exactly
  once, and it prunes soundly because removing a visit from a feasible tour leaves it
  feasible, no dearer and no longer when travel, driving and cost obey the triangle
  inequality (`obeys_triangle`, checked before any pruning is trusted).

Work is counted in schedule checks, so results repeat; a search that runs out of work
says "undecided", never "infeasible".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .problem import NEVER, Routes, RoutingProblem, earliest_schedule, route_cost


@dataclass(frozen=True)
class Insertion:
    """Node `node` (a copy of its visit) at `position` of tour `tour`'s visits."""

    node: int
    tour: int
    position: int
    added_cost: int
    added_drive: int


@dataclass(frozen=True)
class Decision:
    """What an exhaustive search established. `status`: "optimal" (the best plan, or for a
    feasibility question the first found: `routes`), "infeasible" (proven: none exists),
    "undecided" (work ran out; `routes` is the best found, if any)."""

    status: str
    routes: Routes | None
    work: int

    @property
    def found(self) -> bool:
        return self.routes is not None


def obeys_triangle(problem: RoutingProblem, nodes: Sequence[int] | None = None) -> bool:
    """Does going through a stop never arrive earlier, drive less or cost less than going
    direct? (The contract's travel model does: great-circle distance, ceilings and a buffer
    per leg between distinct places or two customers; a matrix from elsewhere may not.) The
    stop gone through is a visit or commitment, never a tour's start or end: those are not
    removed from a tour, and going through them breaks it where two customers share their
    place (the buffer between the customers, 0 to and from the place)."""
    index = np.asarray(range(problem.size) if nodes is None else sorted(set(nodes)), dtype=np.int64)
    if index.size > 400:  # the check is cubic; problems this large are not decided exhaustively
        return False
    service = np.asarray(problem.service, dtype=np.int64)[index]
    node_cost = np.asarray(problem.node_cost, dtype=np.int64)[index]
    stop = np.asarray(problem.group, dtype=np.int64)[index] >= 0
    for matrix, through in ((problem.travel, service), (problem.drive, None), (problem.arc_cost, node_cost)):
        m = np.asarray(matrix, dtype=np.int64)[np.ix_(index, index)]
        via = m[:, stop, None] + m[None, stop, :]  # via[i, j, k] = i -> j -> k, j a visit or commitment
        if through is not None:
            via = via + through[None, stop, None]
        if (m[:, None, :] > via).any():
            return False
    return True


def tour_cost(problem: RoutingProblem, routes: Sequence[Sequence[int]]) -> int:
    return sum(route_cost(problem, t, r) for t, r in enumerate(routes))


def _latest_arrivals(problem: RoutingProblem, tour: int, route: Sequence[int]) -> list[int]:
    """Per route position and the tour's end: the latest arrival from which the rest of
    the route is still feasible (a visit's latest start in one of its windows)."""
    spec = problem.tours[tour]
    latest = [spec.latest_end]
    following = spec.end_node
    for node in reversed(route):
        bound = latest[0] - problem.service[node] - int(problem.travel[node, following])
        fits = [min(close, bound) for open_, close in problem.windows[node] if open_ <= min(close, bound)]
        latest.insert(0, max(fits) if fits else -NEVER)
        following = node
    return latest


def insertion_options(problem: RoutingProblem, routes: Sequence[Sequence[int]],
                      candidates: Sequence[int]) -> list[list[Insertion]]:
    """For each candidate node, every feasible insertion into `routes` (time windows, the
    tour's end, the driving cap, the tours it may use and the tour's lunch; the budget is
    the caller's). A tour that is infeasible as it is takes none. On a tour with a lunch
    the vectorised test runs on the schedule without it (a relaxation: the lunch may move
    to another gap) and each insertion it passes is then checked in full."""
    cand = np.asarray(candidates, dtype=np.int64)
    found: list[list[Insertion]] = [[] for _ in candidates]
    if cand.size == 0:
        return found
    opens, closes = (a[cand] for a in problem.window_arrays)
    service = np.asarray(problem.service, dtype=np.int64)[cand]
    node_cost = np.asarray(problem.node_cost, dtype=np.int64)[cand]
    for t, route in enumerate(routes):
        allowed = np.asarray([problem.allowed_tours[n] is None or t in problem.allowed_tours[n] for n in cand])
        if not allowed.any():
            continue
        spec = problem.tours[t]
        if earliest_schedule(problem, t, route).failed_at is not None:  # nothing fits into an infeasible tour
            continue
        timed = earliest_schedule(problem, t, route, lunch=False)
        departs = [spec.earliest_start] + [end for _, _, end in timed.times]
        latest = _latest_arrivals(problem, t, route)
        path = [spec.start_node, *route, spec.end_node]
        for gap in range(len(path) - 1):
            a, b = path[gap], path[gap + 1]
            arrive = departs[gap] + problem.travel[a, cand].astype(np.int64)
            start = np.where(closes >= arrive[:, None], np.maximum(opens, arrive[:, None]), NEVER).min(axis=1)
            ok = allowed & (start < NEVER)
            ok &= start + service + problem.travel[cand, b] <= latest[gap]
            added_drive = problem.drive[a, cand].astype(np.int64) + problem.drive[cand, b] - int(problem.drive[a, b])
            if spec.max_drive is not None:
                ok &= timed.drive + added_drive <= spec.max_drive
            added_cost = (problem.arc_cost[a, cand].astype(np.int64) + problem.arc_cost[cand, b] + node_cost
                          - int(problem.arc_cost[a, b]))
            for i in np.flatnonzero(ok):
                node = int(cand[i])
                if spec.lunch is not None and earliest_schedule(
                        problem, t, [*route[:gap], node, *route[gap:]]).failed_at is not None:
                    continue
                found[i].append(Insertion(node, t, gap, int(added_cost[i]), int(added_drive[i])))
    return found


def insert(routes: Sequence[Sequence[int]], option: Insertion) -> Routes:
    """The routes with the insertion made."""
    changed = list(routes[option.tour])
    changed.insert(option.position, option.node)
    return tuple(tuple(changed) if t == option.tour else tuple(r) for t, r in enumerate(routes))


class _OutOfWork(Exception):
    pass


class BranchAndBound:
    """Exhaustive placement of `groups` (visit groups of the problem) into `routes`.

    Mandatory groups, and those in `required`, must be placed; the others may be. With
    `first=True` it answers a feasibility question (the first placement found); otherwise
    it returns the best placement by (prize, -cost, -drive). `use_budget=False` ignores
    the budget (to find what the cheapest placement costs).
    """

    def __init__(self, problem: RoutingProblem, routes: Sequence[Sequence[int]], groups: Sequence[int],
                 work_limit: int, first: bool = False, use_budget: bool = True,
                 required: Sequence[int] = ()):
        self.problem = problem
        self.start = tuple(tuple(r) for r in routes)
        self.first = first
        self.budget = problem.budget if use_budget else None
        self.work_limit = work_limit
        copies = problem.alternatives
        forced = set(required)
        self.mandatory = [g for g in groups if g in forced or problem.mandatory[copies[g][0]]]
        self.optional = sorted((g for g in groups if g not in set(self.mandatory)),
                               key=lambda g: -problem.prize[copies[g][0]])
        self._optional = set(self.optional)
        self._prize = {g: problem.prize[copies[g][0]] for g in groups}
        self.work = 0
        self.best: tuple[tuple[int, int, int], Routes] | None = None

    def run(self) -> Decision:
        nodes = [n for r in self.start for n in r] + [n for g in self.mandatory + self.optional
                                                      for n in self.problem.alternatives[g]]
        nodes += [n for t in self.problem.tours for n in (t.start_node, t.end_node)]
        if not obeys_triangle(self.problem, nodes):
            return Decision("undecided", None, 0)
        costs = [route_cost(self.problem, t, r) for t, r in enumerate(self.start)]
        drives = []
        for t, r in enumerate(self.start):
            timed = earliest_schedule(self.problem, t, r)
            if timed.failed_at is not None:
                return Decision("infeasible", None, 0)
            drives.append(timed.drive)
        if self.budget is not None and sum(costs) > self.budget:
            return Decision("infeasible", None, 0)
        prize = sum(self.problem.prize[n] for r in self.start for n in r)
        try:
            order = self._mandatory_order(costs) + self.optional
            # the most value the groups from position i on can still add (mandatory ones too)
            self._remaining = [sum(self._prize[g] for g in order[i:]) for i in range(len(order) + 1)]
            self._place(order, 0, list(self.start), costs, drives, prize)
        except _OutOfWork:
            return Decision("undecided", None if self.best is None else self.best[1], self.work)
        if self.best is None:
            return Decision("infeasible", None, self.work)
        return Decision("optimal", self.best[1], self.work)

    def _mandatory_order(self, costs: list[int]) -> list[int]:
        """Fewest places first: a visit with no room shows early, and fixes the rest."""
        counts = {g: len(self._options(g, list(self.start), costs)) for g in self.mandatory}
        return sorted(self.mandatory, key=lambda g: counts[g])

    def _options(self, group: int, routes: list[tuple[int, ...]],
                 costs: list[int]) -> list[tuple[int, int, tuple[int, ...], int]]:
        """(added cost, tour, new route, its drive) of every feasible placement of one copy
        of `group`, cheapest first."""
        p = self.problem
        spent = sum(costs)
        found = []
        for node in p.alternatives[group]:
            if not p.servable(node):
                continue
            allowed = p.allowed_tours[node]
            for t in (range(len(p.tours)) if allowed is None else allowed):
                for position in range(len(routes[t]) + 1):
                    self.work += 1
                    if self.work > self.work_limit:
                        raise _OutOfWork
                    route = routes[t][:position] + (node,) + routes[t][position:]
                    timed = earliest_schedule(p, t, route)
                    if timed.failed_at is not None:
                        continue
                    cost = route_cost(p, t, route)
                    if self.budget is not None and spent - costs[t] + cost > self.budget:
                        continue
                    found.append((cost - costs[t], t, route, timed.drive))
        found.sort(key=lambda option: (option[0], option[1]))
        return found

    def _place(self, order: list[int], i: int, routes: list[tuple[int, ...]], costs: list[int],
               drives: list[int], prize: int) -> bool:
        """Depth-first over the placements of order[i:]; True when a feasibility question
        is answered (stop)."""
        bound = (prize + self._remaining[i], -sum(costs), -sum(drives))
        if self.best is not None and bound <= self.best[0]:
            return False
        if i == len(order):
            self.best = ((prize, -sum(costs), -sum(drives)), tuple(routes))
            return self.first
        group = order[i]
        for extra, t, route, drive in self._options(group, routes, costs):
            saved = routes[t], costs[t], drives[t]
            routes[t], costs[t], drives[t] = route, costs[t] + extra, drive
            done = self._place(order, i + 1, routes, costs, drives, prize + self._prize[group])
            routes[t], costs[t], drives[t] = saved
            if done:
                return True
        if group in self._optional:
            return self._place(order, i + 1, routes, costs, drives, prize)
        return False
