"""Ruin and recreate in numpy: the many-iterations phase of the search.

OR-Tools' descents are thorough but each costs 100-250 ms on a 300-node problem, so a
ruin-and-recreate loop built on them manages a few dozen iterations in ten seconds. Here
the recreate step is a vectorised cheapest insertion (Solomon's push-forward test with
the "maximum shift" of each scheduled visit, as in the TOPTW iterated local search of
Vansteenwegen et al. 2009), so a loop runs thousands of iterations in the same time.
It keeps every hard rule of the routing problem: several windows per node (a visit is
never pushed out of the window it starts in, which is conservative), tours a node may
use, one copy per visit, mandatory visits (never ruined), driving caps and the budget.

The objective is the soft one of the explore phase (travel against drop penalties);
the caller passes the arc costs and penalties it uses for guided local search.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .routing import RoutingProblem

_NEVER = np.iinfo(np.int64).max // 4  # a start time or cost that rules an option out
ANNEALING = (5.0, 0.05)  # start and end temperature, in mean soft steps (see benchmarks/README.md)
RUIN_AVG_REMOVED = 10  # visits removed per ruin on average (SISR's c-bar)
NEIGHBOURS = 40  # nearest visits considered around a ruin's seed
ORDER_RULES = (0.3, 0.65)  # cumulative odds of the random and the by-value insertion order
CACHE_SIZE = 4096  # evaluated routes kept
CACHE_CELLS = 2 ** 25  # and at most this many insertion options (8 bytes each) among them
RECOMBINE_EVERY = 250  # iterations between route recombinations (see `Column`)
POOL_LIMIT = 1000  # routes offered to one recombination


@dataclass
class _Route:
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
    legs: "_Legs"
    reach: np.ndarray  # per gap: the latest arrival at its next node (start + slack)
    base: np.ndarray  # per gap: soft units of leaving its first node and arriving at its next
    drive_room: np.ndarray | None  # per gap: driving an insertion there may use, if capped


@dataclass
class _Legs:
    """Per gap of a path: its two ends and the travel, driving, money and spend of the arc."""

    prev: np.ndarray
    nxt: np.ndarray
    travel: np.ndarray
    drive: np.ndarray
    money: np.ndarray | None
    spend: np.ndarray


@dataclass
class _Options:
    """Where each candidate fits best in one route, by the time it takes from the tour.
    Arrays are (positions, candidates): a gap of the route per row, a candidate per column.
    The budget is not in them: `_choose` checks it for the insertion it is about to make."""

    route: _Route
    taken: np.ndarray  # minutes x 1000 + money; _NEVER where infeasible
    best_position: np.ndarray
    best_taken: np.ndarray


@dataclass(frozen=True)
class Column:
    """A feasible route met during the search, offered to route recombination: a set
    packing that picks one route per tour, each visit at most once, under the budget, for
    the most prize (Hu & Lim 2014's recombination for the TOPTW). It joins good days of
    different solutions, a move no ruin of a few visits makes. Measured on the trade-show
    example's best layout, mean value over 8 seeds: 1,000 iterations 2,570,250 without,
    2,578,500 with; 2,000 iterations 2,570,875 without, 2,583,125 with."""

    tour: int
    groups: tuple[int, ...]  # the visits it serves
    prize: int
    spend: int
    visits: tuple[int, ...]


Progress = Callable[[float, int], None]
# Given columns and the indices of a feasible choice (one per tour), the indices of the
# best choice found (one per tour, in tour order), or None.
Recombine = Callable[[Sequence[Column], Sequence[int]], "Sequence[int] | None"]
_OrderRule = Callable[[np.ndarray, np.ndarray], list[int]]  # (candidates, least time each takes) -> order


class RuinRecreate:
    """Ruin and recreate on one problem; build once, run `search` from any feasible routes."""

    def __init__(self, problem: RoutingProblem, soft_arcs: np.ndarray, penalties: np.ndarray, seed: int = 1,
                 recombine: Recombine | None = None):
        self.problem = problem
        self.recombine = recombine
        self.rng = random.Random(seed)
        self.noise = np.random.default_rng(seed)  # bulk draws (one per candidate per recreate)
        self.travel = problem.travel.astype(np.int64)
        self.soft = soft_arcs.astype(np.int64)
        self.drive = problem.drive.astype(np.int64)
        self.cost = problem.arc_cost.astype(np.int64) + np.asarray(problem.node_cost, dtype=np.int64)[:, None]
        self.service = np.asarray(problem.service, dtype=np.int64)
        self.penalty = np.asarray(penalties, dtype=np.int64)
        self.total_penalty = int(sum(self.penalty[g[0]] for g in problem.alternatives))  # nothing served
        money = self.soft - (self.travel + self.service[:, None]) * 1000  # the soft arcs' money part
        self.money = money if money.any() else None
        self.prize = np.asarray(problem.prize, dtype=np.int64)
        self._windows_as_arrays()
        tours = len(problem.tours)
        self.allowed = np.ones((problem.size, tours), dtype=bool)
        for node, allowed in enumerate(problem.allowed_tours):
            if allowed is not None:
                self.allowed[node] = False
                self.allowed[node, list(allowed)] = True
        self.candidates = np.asarray([n for n in problem.visit_nodes if problem.servable(n)], dtype=np.int64)
        self._candidate_columns()
        self.near = _neighbours(problem, self.candidates)
        self.mean_step = mean_step(self.soft, self.candidates, 1.0)
        self._cache: dict[tuple[int, tuple[int, ...]], tuple[_Route, _Options]] = {}
        self._cached_cells = 0

    def _windows_as_arrays(self) -> None:
        """Windows padded to one width: (N, W) opens and closes; padding never fits."""
        self.windows = tuple(sorted(w) for w in self.problem.windows)
        width = max((len(w) for w in self.windows), default=1) or 1
        self.opens = np.full((self.problem.size, width), _NEVER, dtype=np.int64)
        self.closes = np.full((self.problem.size, width), -1, dtype=np.int64)
        for node, windows in enumerate(self.windows):
            for k, (open_, close) in enumerate(windows):
                self.opens[node, k], self.closes[node, k] = open_, close

    def _candidate_columns(self) -> None:
        """What `_options` reads, cut to the candidates' columns once. Entering candidate c
        from node i is `into[i, c]`, leaving it for node j is `out_of[j, c]`, so an insertion
        test of all candidates at all gaps of a route is a handful of row takes (a 2-D
        gather per quantity was measured at several times the cost)."""
        cand = self.candidates

        def split(matrix: np.ndarray | None) -> tuple[np.ndarray, np.ndarray] | None:
            if matrix is None:
                return None
            return np.ascontiguousarray(matrix[:, cand]), np.ascontiguousarray(matrix[cand, :].T)

        capped = any(t.max_drive is not None for t in self.problem.tours)
        self.travel_io, self.drive_io = split(self.travel), split(self.drive if capped else None)
        self.money_io = split(self.money)
        self.service_c = self.service[cand]
        # Serving the candidate, then travelling on to node j: in minutes, and in soft
        # units (x 1000, plus the arc's money), folded into one matrix each.
        self.onward = self.travel_io[1] + self.service_c
        self.onward_soft = self.onward * 1000 + (self.money_io[1] if self.money_io is not None else 0)
        self.opens_c = np.ascontiguousarray(self.opens[cand].T)
        self.closes_c = np.ascontiguousarray(self.closes[cand].T)
        self.allowed_c = np.ascontiguousarray(self.allowed[cand].T)
        self.columns = np.arange(cand.size)

    # -- routes ----------------------------------------------------------------------

    def _route(self, tour: int, visits: Sequence[int]) -> _Route:
        """Earliest schedule and maximum shifts; the visits must be feasible in this order."""
        spec, service = self.problem.tours[tour], self.problem.service
        path = [spec.start_node, *visits, spec.end_node]
        prev, nxt = np.asarray(path[:-1]), np.asarray(path[1:])
        arcs = prev * self.problem.size + nxt  # flat takes: several times cheaper than [prev, nxt]
        legs = _Legs(prev, nxt, self.travel.take(arcs), self.drive.take(arcs),
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
        base = (depart_at[:-1] + legs.travel) * 1000
        if legs.money is not None:
            base += legs.money
        room = None if spec.max_drive is None else spec.max_drive - drive + legs.drive
        return _Route(path, start_at, depart_at, slack_at, drive, int(legs.spend.sum()),
                      int(self.soft.take(arcs).sum()), legs, start_at[1:] + slack_at[1:], base, room)

    def _options(self, tour: int, route: _Route) -> _Options:
        """Every feasible insertion of every candidate into the route (push-forward test),
        as (gaps, candidates) arrays."""
        legs = route.legs
        arrive = self.travel_io[0].take(legs.prev, axis=0)
        arrive += route.depart[:-1, None]
        if self.opens_c.shape[0] == 1:
            start = np.maximum(arrive, self.opens_c[0])
            ok = start <= self.closes_c[0]
        else:  # the first window that still fits, so the latest is tried first and overwritten
            start = np.full(arrive.shape, _NEVER)
            for opens, closes in zip(self.opens_c[::-1], self.closes_c[::-1]):
                at = np.maximum(arrive, opens)
                np.copyto(start, at, where=at <= closes)
            ok = start < _NEVER
        back = start + self.onward.take(legs.nxt, axis=0)  # the new arrival at the next node
        ok &= back <= route.reach[:, None]
        ok &= self.allowed_c[tour]
        if route.drive_room is not None:
            into, out_of = self.drive_io
            extra = into.take(legs.prev, axis=0)
            extra += out_of.take(legs.nxt, axis=0)
            ok &= extra <= route.drive_room[:, None]
        # Time the insertion takes from the rest of the tour, waiting included (the soft
        # objective leaves waiting out; here it decides which gap the visit goes into),
        # then money as on the soft arcs.
        taken = start * 1000
        taken += self.onward_soft.take(legs.nxt, axis=0)
        taken -= route.base[:, None]
        if self.money_io is not None:
            taken += self.money_io[0].take(legs.prev, axis=0)
        taken[~ok] = _NEVER
        best_position = taken.argmin(axis=0)
        return _Options(route, taken, best_position, taken[best_position, self.columns])

    # -- one iteration ---------------------------------------------------------------

    def construct(self) -> list[list[int]] | None:
        """A first solution from empty tours: mandatory visits first (earliest windows
        first), then the rest by value; None if a mandatory visit finds no place or the
        empty tours alone break the budget."""
        empty = [[] for _ in self.problem.tours]
        budget = self.problem.budget
        if budget is not None and sum(self._evaluated(t, v)[0].spend for t, v in enumerate(empty)) > budget:
            return None
        visits = self._recreate(empty, self._by_window)
        served = {self.problem.group[n] for route in visits for n in route}
        if any(self.problem.mandatory[g[0]] and self.problem.group[g[0]] not in served
               for g in self.problem.alternatives):
            return None
        return visits

    def _by_window(self, cand: np.ndarray, cheapest: np.ndarray) -> list[int]:
        """Mandatory candidates by earliest opening, then the others by value."""
        mandatory = np.asarray([self.problem.mandatory[n] for n in cand])
        within = np.where(mandatory, self.opens[cand, 0], -self.prize[cand])
        return list(np.lexsort((within, ~mandatory)))

    def _recreate(self, visits: list[list[int]], order_rule: _OrderRule | None = None) -> list[list[int]]:
        """Insert unserved candidates one by one, each where it takes least time,
        in an order drawn at random among a few rules (SISR varies its order the same way)."""
        p, cand = self.problem, self.candidates
        if cand.size == 0:
            return visits
        routes, options = zip(*(self._evaluated(t, v) for t, v in enumerate(visits)))
        routes, options = list(routes), list(options)
        cheapest = np.min([o.best_taken for o in options], axis=0)
        order = (order_rule or self._order)(cand, cheapest)
        # An insertion only delays what follows it (where travel times keep the triangle
        # inequality, as the product's do), so a candidate with no place now finds none
        # later in this recreate: skip it without asking every tour. Where they do not
        # (truncated benchmark distances), a candidate merely waits for the next recreate.
        placeable = cheapest < _NEVER
        served = {p.group[n] for v in visits for n in v}
        spent = sum(r.spend for r in routes)
        for row in order:
            node = int(cand[row])
            if not placeable[row] or p.group[node] in served:
                continue
            choice = self._choose(row, options, spent)
            if choice is None:
                continue
            tour, position = choice
            visits[tour].insert(position, node)
            served.add(p.group[node])
            spent -= routes[tour].spend
            routes[tour], options[tour] = self._evaluated(tour, visits[tour])
            spent += routes[tour].spend
        return visits

    def _evaluated(self, tour: int, visits: list[int]) -> tuple[_Route, _Options]:
        """A route's schedule and the options of every candidate in it, cached: a ruin
        leaves most routes as they were, and the accepted solution is met again."""
        key = (tour, tuple(visits))
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= CACHE_SIZE or self._cached_cells >= CACHE_CELLS:
                self._cache.clear()  # 2,000 candidates: peak 1,987 MB -> 1,738 MB, same speed
                self._cached_cells = 0
            route = self._route(tour, visits)
            found = self._cache[key] = (route, self._options(tour, route))
            self._cached_cells += found[1].taken.size
        return found

    def _order(self, cand: np.ndarray, cheapest: np.ndarray) -> list[int]:
        """Candidate rows in the order they are offered a place."""
        rule = self.rng.random()
        if rule < ORDER_RULES[0]:
            order = list(range(len(cand)))
            self.rng.shuffle(order)
            return order
        value = self.prize[cand] * self.noise.uniform(0.8, 1.2, len(cand))
        if rule < ORDER_RULES[1]:
            return list(np.argsort(-value, kind="stable"))
        ratio = value / np.maximum(np.where(cheapest >= _NEVER, np.inf, cheapest), self.mean_step * 0.05)
        return list(np.argsort(-ratio, kind="stable"))

    def _choose(self, row: int, options: list[_Options], spent: int) -> tuple[int, int] | None:
        """(tour, position in its visits) of the cheapest feasible insertion, or None."""
        budget = self.problem.budget
        best = None
        for tour, option in enumerate(options):
            taken = int(option.best_taken[row])
            if taken >= _NEVER:
                continue
            if best is not None and taken >= best[0]:
                continue
            position = int(option.best_position[row])
            if budget is not None and self._spend(option.route, row, position) > budget - spent:
                costs = np.where(self._spend(option.route, row) <= budget - spent, option.taken[:, row], _NEVER)
                position = int(costs.argmin())
                taken = int(costs[position])
                if taken >= _NEVER:
                    continue
            if best is None or taken < best[0]:
                best = (taken, tour, position)
        return None if best is None else (best[1], best[2])

    def _spend(self, route: _Route, row: int, position: int | None = None):
        """What inserting candidate `row` costs at one gap of the route, or at every gap."""
        node, legs = int(self.candidates[row]), route.legs
        if position is None:
            return self.cost[legs.prev, node] + self.cost[node, legs.nxt] - legs.spend
        prev, nxt = int(legs.prev[position]), int(legs.nxt[position])
        return int(self.cost[prev, node] + self.cost[node, nxt] - legs.spend[position])

    def _soft_cost(self, visits: Sequence[Sequence[int]]) -> tuple[int, int]:
        """(soft objective, prize) of a solution: travel plus the penalties of what is left
        out. The routes' soft travel comes from the cache the recreate step just filled."""
        travel = sum(self._evaluated(t, list(route))[0].soft for t, route in enumerate(visits))
        served = [n for route in visits for n in route]
        prize = int(self.prize[served].sum()) if served else 0
        missed = self.total_penalty - (int(self.penalty[served].sum()) if served else 0)
        return travel + missed, prize

    # -- the loop --------------------------------------------------------------------

    def search(self, routes: Sequence[Sequence[int]], seconds: float, iterations: int | None,
               progress: Progress | None, interrupted: Callable[[], bool], started: float):
        """Best routes (by prize, then soft cost) and why the loop stopped: simulated
        annealing on the soft objective, ended by `iterations` if given (repeatable),
        else by the clock; route recombination beside it (see `_Recombination`)."""
        current = [list(r) for r in routes]
        current_cost, current_prize = self._soft_cost(current)
        best, best_key = current, (-current_prize, current_cost)
        recombination = _Recombination(self, current) if self.recombine is not None else None
        deadline = time.monotonic() + seconds
        t_start, t_end = ANNEALING[0] * self.mean_step, ANNEALING[1] * self.mean_step
        iteration, last_report = 0, 0.0
        while not interrupted():
            now = time.monotonic()
            if now >= deadline or (iterations is not None and iteration >= iterations):
                break
            ratio = iteration / iterations if iterations else 1 - (deadline - now) / seconds
            temperature = t_start * (t_end / t_start) ** min(ratio, 1.0)
            candidate = self._recreate(ruin(current, self.near, self.rng, self.problem, RUIN_AVG_REMOVED))
            iteration += 1
            cost, prize = self._soft_cost(candidate)
            if (-prize, cost) < best_key:  # the soft objective guides; the best is kept by value
                best, best_key = [list(r) for r in candidate], (-prize, cost)
            if cost < current_cost - temperature * math.log(1.0 - self.rng.random()):
                current, current_cost = candidate, cost
            if recombination is not None:
                recombination.collect(candidate)
                if iteration % RECOMBINE_EVERY == 0:  # go on from the best, recombined or not
                    best, best_key = recombination.next_round(best, best_key)
                    current, current_cost = best, best_key[1]
            if progress is not None and now - last_report > 0.25:
                last_report = now
                progress(now - started, -best_key[0])
        if recombination is not None:
            best, best_key = recombination.finish(best, best_key, final=not interrupted())
        stop = "interrupt" if interrupted() else ("time" if time.monotonic() >= deadline else "work")
        return tuple(tuple(r) for r in best), stop


class _Recombination:
    """Route recombination beside the search. At every round the routes met so far go to
    a worker thread (CP-SAT releases the GIL, so it uses the machine's second core); its
    answer is taken at the next round, a fixed iteration, however fast it came, so runs
    repeat. The pool keeps the POOL_LIMIT most recent routes: the set packing's time grows
    quickly with its size (measured: 0.05 s at 500 columns, 0.3 s at 1,400)."""

    def __init__(self, search: RuinRecreate, routes: Sequence[Sequence[int]]):
        self.search = search
        self.pool: dict[tuple[int, frozenset[int]], Column] = {}
        self.pending: tuple[list[Column], Future] | None = None
        self.fresh = False  # routes met since the last submission
        self.worker = ThreadPoolExecutor(max_workers=1)
        self.collect(routes)

    def collect(self, visits: Sequence[Sequence[int]]) -> None:
        """Add a solution's routes; of two routes serving the same visits on one tour,
        the cheaper is kept (it leaves more of the budget to the other tours)."""
        group, prize = self.search.problem.group, self.search.prize
        for tour, route in enumerate(visits):
            key = (tour, frozenset(group[n] for n in route))
            spend = self.search._evaluated(tour, list(route))[0].spend
            kept = self.pool.get(key)
            if kept is None or spend < kept.spend:
                self.pool[key] = Column(tour, tuple(sorted(key[1])), int(prize[list(route)].sum()) if route else 0,
                                        spend, tuple(route))
                self.fresh = True

    def next_round(self, best: list[list[int]], best_key: tuple[int, int]):
        """Take the previous round's answer, then hand the pool over for the next one."""
        best, best_key = self._take(best, best_key)
        for key in list(self.pool)[:max(len(self.pool) - POOL_LIMIT, 0)]:
            del self.pool[key]
        self.collect(best)
        columns = list(self.pool.values())
        self.pending = columns, self.worker.submit(self.search.recombine, columns, self._hint(columns, best))
        self.fresh = False
        return best, best_key

    def finish(self, best: list[list[int]], best_key: tuple[int, int], final: bool):
        """The last answer, and one more round on what came since, unless interrupted."""
        best, best_key = self._take(best, best_key)
        if final and self.fresh:
            columns = list(self.pool.values())
            chosen = self.search.recombine(columns, self._hint(columns, best))
            best, best_key = self._better(columns, chosen, best, best_key)
        self.worker.shutdown(wait=False)
        return best, best_key

    def _take(self, best: list[list[int]], best_key: tuple[int, int]):
        """Wait for the pending answer, if any, and keep it if it is better."""
        if self.pending is None:
            return best, best_key
        columns, answer = self.pending
        self.pending = None
        return self._better(columns, answer.result(), best, best_key)

    def _better(self, columns: list[Column], chosen: Sequence[int] | None, best: list[list[int]],
                best_key: tuple[int, int]):
        """The recombined solution if it beats the best (by prize, then soft cost)."""
        if chosen is None:
            return best, best_key
        packed = [list(columns[i].visits) for i in chosen]
        cost, prize = self.search._soft_cost(packed)
        return (packed, (-prize, cost)) if (-prize, cost) < best_key else (best, best_key)

    def _hint(self, columns: list[Column], best: list[list[int]]) -> list[int]:
        """Indices of the best solution's routes among the columns."""
        where = {(c.tour, c.groups): i for i, c in enumerate(columns)}
        group = self.search.problem.group
        return [where[(t, tuple(sorted(group[n] for n in route)))] for t, route in enumerate(best)]


def ruin(routes: Sequence[Sequence[int]], near: dict[int, list[int]], rng: random.Random, problem: RoutingProblem,
         avg_removed: int = RUIN_AVG_REMOVED, max_string: int = 10) -> list[list[int]]:
    """Remove a string of visits from each of a few routes close to a random seed node
    (SISR, Christiaens & Vanden Berghe 2020); mandatory visits stay where they are."""
    routes = [list(r) for r in routes]
    where = {node: index for index, route in enumerate(routes) for node in route}
    lengths = [len(r) for r in routes if r]
    if not near or not lengths:
        return routes
    seed = rng.choice(sorted(near))
    string_max = max(1, min(max_string, round(sum(lengths) / len(lengths))))
    route_max = max(1, int(4 * avg_removed / (1 + string_max) - 1))
    wanted = rng.randint(1, route_max)
    ruined: set[int] = set()
    for node in [seed, *near[seed]]:
        if len(ruined) >= wanted:
            break
        index = where.get(node)
        if index is None or index in ruined:
            continue
        route = routes[index]
        length = rng.randint(1, min(len(route), string_max))
        position = route.index(node)
        first = rng.randint(max(0, position - length + 1), min(position, len(route) - length))
        route[first:first + length] = [n for n in route[first:first + length] if problem.mandatory[n]]
        ruined.add(index)
    return routes


def _neighbours(problem: RoutingProblem, nodes: np.ndarray, count: int = NEIGHBOURS) -> dict[int, list[int]]:
    """The nearest servable visit nodes of each servable visit node, by travel time."""
    if nodes.size == 0:
        return {}
    sub = problem.travel[np.ix_(nodes, nodes)]
    order = np.argsort(sub, axis=1, kind="stable")[:, :min(count, nodes.size)]
    return {int(nodes[i]): [int(nodes[j]) for j in row if j != i] for i, row in enumerate(order)}


def mean_step(arcs: np.ndarray, nodes: np.ndarray, default: float) -> float:
    """Mean positive arc cost between the nodes: the scale of one step of a tour."""
    sub = arcs[np.ix_(nodes, nodes)] if nodes.size else arcs[:0, :0]
    return float(sub[sub > 0].mean()) if (sub > 0).any() else default
