"""Ruin and recreate: the many-iterations phase of the search (no OR-Tools).

OR-Tools' descents are thorough but slow per step, so a ruin-and-recreate loop built on
them manages a few dozen iterations in ten seconds; on `evaluation`'s vectorised
insertion test this loop runs thousands. It keeps every hard rule of the routing
problem: mandatory visits are never ruined, one copy per visit, and the budget is
checked for each insertion. Its objective is the soft one of the explore phase
(`objective`): the caller passes the arc costs and penalties guided local search uses.
Route recombination (`Column`, `Recombine`) runs beside it on a worker thread. Within
`harvesting(sink)`, every search hands the routes it met to `sink` (compare's budget
curve, `curve`: one search's routes serve every budget); the search itself is unchanged.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np

from .evaluation import Options, RouteEvaluator
from .limits import PROGRESS_INTERVAL_SECONDS
from .problem import NEVER, Routes, RoutingProblem, route_cost

ANNEALING = (5.0, 0.05)  # start and end temperature, in mean soft steps (see benchmarks/README.md)
RUIN_AVG_REMOVED = 10  # visits removed per ruin on average (SISR's c-bar)
NEIGHBOURS = 40  # nearest visits considered around a ruin's seed
ORDER_RULES = (0.3, 0.65)  # cumulative odds of the random and the by-value insertion order
RECOMBINE_EVERY = 250  # iterations between route recombinations (see `Column`)
POOL_LIMIT = 1000  # routes offered to one recombination


@dataclass(frozen=True)
class Column:
    """A feasible route met during the search, offered to route recombination (see
    `recombine`): a set packing picks one route per tour, each visit at most once."""

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
Harvest = Callable[[RoutingProblem, Sequence[Column]], None]  # (the problem searched, feasible routes of it)
_HARVEST: ContextVar[Harvest | None] = ContextVar("tripopt_harvest", default=None)


@contextmanager
def harvesting(sink: Harvest) -> Iterator[None]:
    """Every search in this context (this thread) hands `sink` the routes it met: its
    recombination pool and its best routes (`RuinRecreate.search`), and the routing
    phases' results (`harvest`). It changes nothing the search does."""
    token = _HARVEST.set(sink)
    try:
        yield
    finally:
        _HARVEST.reset(token)


def harvest(problem: RoutingProblem, routes: Sequence[Sequence[int]]) -> None:
    """Hand a feasible solution's routes to the sink of `harvesting`, if any."""
    sink = _HARVEST.get()
    if sink is not None:
        sink(problem, [column(problem, tour, route) for tour, route in enumerate(routes)])


def column(problem: RoutingProblem, tour: int, route: Sequence[int]) -> Column:
    """A feasible route of `tour` as a column: its visits, prize and spend (arc and node costs)."""
    return Column(tour, tuple(sorted(problem.group[n] for n in route)), sum(problem.prize[n] for n in route),
                  route_cost(problem, tour, route), tuple(route))


class RuinRecreate:
    """Ruin and recreate on one problem; build once, run `search` from any feasible routes."""

    def __init__(self, problem: RoutingProblem, soft_arcs: np.ndarray, penalties: np.ndarray, seed: int = 1,
                 recombine: Recombine | None = None):
        self.problem = problem
        self.recombine = recombine
        self.rng = random.Random(seed)
        self.noise = np.random.default_rng(seed)  # bulk draws (one per candidate per recreate)
        self.evaluator = RouteEvaluator(problem, soft_arcs, penalties)
        self.candidates = self.evaluator.candidates
        self.near = _neighbours(problem, self.candidates)

    # -- one iteration ---------------------------------------------------------------

    def construct(self) -> list[list[int]] | None:
        """A first solution from empty tours: mandatory visits first (earliest windows
        first), then the rest by value; None if a mandatory visit finds no place or the
        empty tours alone break the budget."""
        empty: list[list[int]] = [[] for _ in self.problem.tours]
        budget = self.problem.budget
        if budget is not None and sum(self.evaluator.evaluated(t, v)[0].spend for t, v in enumerate(empty)) > budget:
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
        within = np.where(mandatory, self.evaluator.opens[cand, 0], -self.evaluator.prize[cand])
        return list(np.lexsort((within, ~mandatory)))

    def _recreate(self, visits: list[list[int]], order_rule: _OrderRule | None = None) -> list[list[int]]:
        """Insert unserved candidates one by one, each where it takes least time,
        in an order drawn at random among a few rules (SISR varies its order the same way)."""
        p, cand = self.problem, self.candidates
        if cand.size == 0:
            return visits
        evaluated = [self.evaluator.evaluated(t, v) for t, v in enumerate(visits)]
        routes = [route for route, _ in evaluated]
        options = [option for _, option in evaluated]
        cheapest = np.min([o.best_taken for o in options], axis=0)
        order = (order_rule or self._order)(cand, cheapest)
        # An insertion only delays what follows it (where travel times keep the triangle
        # inequality, as the product's do), so a candidate with no place now finds none
        # later in this recreate: skip it without asking every tour. Where they do not
        # (truncated benchmark distances), a candidate merely waits for the next recreate.
        placeable = cheapest < NEVER
        served = {p.group[n] for v in visits for n in v}
        spent = sum(r.spend for r in routes)
        for row in order:
            node = int(cand[row])
            if not placeable[row] or p.group[node] in served:
                continue
            choice = self._choose(row, options, spent)
            while choice is not None and not self.evaluator.takes_break(choice[0], visits[choice[0]], node, choice[1]):
                self.evaluator.refuse(options[choice[0]], row, choice[1])
                choice = self._choose(row, options, spent)
            if choice is None:
                continue
            tour, position = choice
            visits[tour].insert(position, node)
            served.add(p.group[node])
            spent -= routes[tour].spend
            routes[tour], options[tour] = self.evaluator.evaluated(tour, visits[tour])
            spent += routes[tour].spend
        return visits

    def _order(self, cand: np.ndarray, cheapest: np.ndarray) -> list[int]:
        """Candidate rows in the order they are offered a place."""
        rule = self.rng.random()
        if rule < ORDER_RULES[0]:
            order = list(range(len(cand)))
            self.rng.shuffle(order)
            return order
        value = self.evaluator.prize[cand] * self.noise.uniform(0.8, 1.2, len(cand))
        if rule < ORDER_RULES[1]:
            return list(np.argsort(-value, kind="stable"))
        ratio = value / np.maximum(np.where(cheapest >= NEVER, np.inf, cheapest), self.evaluator.mean_step * 0.05)
        return list(np.argsort(-ratio, kind="stable"))

    def _choose(self, row: int, options: list[Options], spent: int) -> tuple[int, int] | None:
        """(tour, position in its visits) of the cheapest feasible insertion, or None."""
        budget = self.problem.budget
        best = None
        for tour, option in enumerate(options):
            taken = int(option.best_taken[row])
            if taken >= NEVER:
                continue
            if best is not None and taken >= best[0]:
                continue
            position = int(option.best_position[row])
            if budget is not None and self.evaluator.spend(option.route, row, position) > budget - spent:
                costs = np.where(self.evaluator.spend(option.route, row) <= budget - spent, option.taken[:, row], NEVER)
                position = int(costs.argmin())
                taken = int(costs[position])
                if taken >= NEVER:
                    continue
            if best is None or taken < best[0]:
                best = (taken, tour, position)
        return None if best is None else (best[1], best[2])

    # -- the loop --------------------------------------------------------------------

    def search(self, routes: Sequence[Sequence[int]], seconds: float, iterations: int | None,
               progress: Progress | None, interrupted: Callable[[], bool], started: float) -> tuple[Routes, str]:
        """Best routes (by prize, then soft cost) and why the loop stopped: simulated
        annealing on the soft objective, ended by `iterations` if given (repeatable),
        else by the clock; route recombination beside it (see `_Recombination`)."""
        current = [list(r) for r in routes]
        current_cost, current_prize = self.evaluator.soft_cost(current)
        best, best_key = current, (-current_prize, current_cost)
        recombination = _Recombination(self, self.recombine, current) if self.recombine is not None else None
        deadline = time.monotonic() + seconds
        t_start, t_end = ANNEALING[0] * self.evaluator.mean_step, ANNEALING[1] * self.evaluator.mean_step
        iteration, last_report = 0, 0.0
        while not interrupted():
            now = time.monotonic()
            if now >= deadline or (iterations is not None and iteration >= iterations):
                break
            ratio = iteration / iterations if iterations else 1 - (deadline - now) / seconds
            temperature = t_start * (t_end / t_start) ** min(ratio, 1.0)
            candidate = self._recreate(ruin(current, self.near, self.rng, self.problem, RUIN_AVG_REMOVED))
            iteration += 1
            cost, prize = self.evaluator.soft_cost(candidate)
            if (-prize, cost) < best_key:  # the soft objective guides; the best is kept by value
                best, best_key = [list(r) for r in candidate], (-prize, cost)
            if cost < current_cost - temperature * math.log(1.0 - self.rng.random()):
                current, current_cost = candidate, cost
            if recombination is not None:
                recombination.collect(candidate)
                if iteration % RECOMBINE_EVERY == 0:  # go on from the best, recombined or not
                    best, best_key = recombination.next_round(best, best_key)
                    current, current_cost = best, best_key[1]
            if progress is not None and now - last_report > PROGRESS_INTERVAL_SECONDS:
                last_report = now
                progress(now - started, -best_key[0])
        if recombination is not None:
            best, best_key = recombination.finish(best, best_key, final=not interrupted())
            if (sink := _HARVEST.get()) is not None:
                sink(self.problem, list(recombination.pool.values()))
        harvest(self.problem, best)
        stop = "interrupt" if interrupted() else ("time" if time.monotonic() >= deadline else "work")
        return tuple(tuple(r) for r in best), stop


_Best = tuple[list[list[int]], tuple[int, int]]  # the best routes and their key: (-prize, soft cost)


class _Recombination:
    """Route recombination beside the search. At every round the routes met so far go to
    a worker thread (CP-SAT releases the GIL, so it uses the machine's second core); its
    answer is taken at the next round, a fixed iteration, however fast it came, so runs
    repeat. The pool keeps the POOL_LIMIT most recent routes: the set packing's time grows
    quickly with its size (benchmarks/README.md)."""

    def __init__(self, search: RuinRecreate, recombine: Recombine, routes: Sequence[Sequence[int]]):
        self.search = search
        self.recombine = recombine
        self.pool: dict[tuple[int, frozenset[int]], Column] = {}
        self.pending: tuple[list[Column], Future[Sequence[int] | None]] | None = None
        self.fresh = False  # routes met since the last submission
        self.worker = ThreadPoolExecutor(max_workers=1)
        self.collect(routes)

    def collect(self, visits: Sequence[Sequence[int]]) -> None:
        """Add a solution's routes; of two routes serving the same visits on one tour,
        the cheaper is kept (it leaves more of the budget to the other tours)."""
        group, prize = self.search.problem.group, self.search.evaluator.prize
        for tour, route in enumerate(visits):
            key = (tour, frozenset(group[n] for n in route))
            spend = self.search.evaluator.evaluated(tour, list(route))[0].spend
            kept = self.pool.get(key)
            if kept is None or spend < kept.spend:
                self.pool[key] = Column(tour, tuple(sorted(key[1])), int(prize[list(route)].sum()) if route else 0,
                                        spend, tuple(route))
                self.fresh = True

    def next_round(self, best: list[list[int]], best_key: tuple[int, int]) -> _Best:
        """Take the previous round's answer, then hand the pool over for the next one."""
        best, best_key = self._take(best, best_key)
        oldest = list(self.pool)[:max(len(self.pool) - POOL_LIMIT, 0)]
        if oldest and (sink := _HARVEST.get()) is not None:  # met, if no longer offered here
            sink(self.search.problem, [self.pool[key] for key in oldest])
        for key in oldest:
            del self.pool[key]
        self.collect(best)
        columns = list(self.pool.values())
        self.pending = columns, self.worker.submit(self.recombine, columns, self._hint(columns, best))
        self.fresh = False
        return best, best_key

    def finish(self, best: list[list[int]], best_key: tuple[int, int], final: bool) -> _Best:
        """The last answer, and one more round on what came since, unless interrupted."""
        best, best_key = self._take(best, best_key)
        if final and self.fresh:
            columns = list(self.pool.values())
            chosen = self.recombine(columns, self._hint(columns, best))
            best, best_key = self._better(columns, chosen, best, best_key)
        self.worker.shutdown(wait=False)
        return best, best_key

    def _take(self, best: list[list[int]], best_key: tuple[int, int]) -> _Best:
        """Wait for the pending answer, if any, and keep it if it is better."""
        if self.pending is None:
            return best, best_key
        columns, answer = self.pending
        self.pending = None
        return self._better(columns, answer.result(), best, best_key)

    def _better(self, columns: list[Column], chosen: Sequence[int] | None, best: list[list[int]],
                best_key: tuple[int, int]) -> _Best:
        """The recombined solution if it beats the best (by prize, then soft cost)."""
        if chosen is None:
            return best, best_key
        packed = [list(columns[i].visits) for i in chosen]
        cost, prize = self.search.evaluator.soft_cost(packed)
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
    result = [list(r) for r in routes]
    where = {node: index for index, route in enumerate(result) for node in route}
    lengths = [len(r) for r in result if r]
    if not near or not lengths:
        return result
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
        route = result[index]
        length = rng.randint(1, min(len(route), string_max))
        position = route.index(node)
        first = rng.randint(max(0, position - length + 1), min(position, len(route) - length))
        route[first:first + length] = [n for n in route[first:first + length] if problem.mandatory[n]]
        ruined.add(index)
    return result


def _neighbours(problem: RoutingProblem, nodes: np.ndarray, count: int = NEIGHBOURS) -> dict[int, list[int]]:
    """The nearest servable visit nodes of each servable visit node, by travel time."""
    if nodes.size == 0:
        return {}
    sub = problem.travel[np.ix_(nodes, nodes)]
    order = np.argsort(sub, axis=1, kind="stable")[:, :min(count, nodes.size)]
    return {int(nodes[i]): [int(nodes[j]) for j in row if j != i] for i, row in enumerate(order)}
