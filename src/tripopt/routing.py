"""The search phases on OR-Tools: guided local search, descents, and their order.

The search runs in three phases, because the objective the search sees and the order
the product promises are different things (see README, "The objective"):

1. explore: guided local search on the *soft* objective (`objective`), where value and
   travel are on comparable scales so GLS can move, then ruin and recreate on the same
   objective (`lns`: thousands of cheap iterations, with route recombination by CP-SAT
   set packing beside them, `recombine`);
2. value first: greedy descent from that solution on the exact objective "maximise
   prize", which inserts or swaps in anything the soft objective left out;
3. polish: with the visited set fixed, minimise cost, then driving time.

This module and `recombine` are the only ones that import OR-Tools. Three index spaces
exist: problem nodes (0..N-1), OR-Tools indices, and whatever the caller maps nodes to;
conversion between the first two happens only in `_Model`.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_parameters_pb2

from .limits import (
    DESCENT_FLOOR_SECONDS,
    PROGRESS_INTERVAL_SECONDS,
    Interrupted,
    SearchSettings,
    descent,
    gls_work,
    lns_work,
    stopped_by,
)
from .lns import NEIGHBOURS, RuinRecreate, harvest
from .objective import soft_arcs, soft_penalties
from .problem import Routes, RoutingProblem, RoutingSolution, evaluate, infeasible, summarise
from .recombine import recombiner

_STATUS = {value: name for name, value in routing_enums_pb2.RoutingSearchStatus.Value.items()}
REST_MIN_SECONDS = 0.2  # less left after the descents is not worth another ruin-and-recreate run
REST_MARGIN_SECONDS = 0.1  # kept back from the deadline for building the plan


Progress = Callable[[float, int], None]  # (elapsed seconds, best prize so far)
Objective = Callable[[RoutingProblem], tuple[np.ndarray, np.ndarray | None]]  # sub-problem -> (arcs, penalties)


def solve(problem: RoutingProblem, settings: SearchSettings | None = None,
          initial_routes: Sequence[Sequence[int]] | None = None,
          progress: Progress | None = None, interrupted: Interrupted | None = None) -> RoutingSolution:
    """Best plan found within the limits; status "infeasible" if none satisfies the hard rules.

    `work_limit` bounds the exploring phase: solutions examined by guided local search,
    and ten ruin-and-recreate iterations per solution; the exact phases are greedy descents
    that end at a local optimum. All phases share the time limit as a cap.
    """
    started = time.monotonic()
    settings = settings or SearchSettings()
    if any(problem.mandatory[g[0]] and not any(problem.servable(i) for i in g) for g in problem.alternatives):
        return infeasible(0.0, "infeasible")  # a mandatory visit that can never be served
    interrupted = interrupted or Interrupted()
    deadline = started + settings.time_limit_seconds
    phases: list[str] = []

    arcs = soft_arcs(problem)
    penalties = soft_penalties(problem, arcs, settings.value_weight)
    explore = _Model(problem, arcs, penalties)
    build = time.monotonic() - started  # the value-first model costs about as much again
    reserve = settings.time_limit_seconds * (1 - settings.explore_share) + 1.2 * build
    seconds = max(deadline - time.monotonic() - reserve, 0.05)
    if settings.metaheuristic == "GREEDY_DESCENT":
        seconds = max(seconds, DESCENT_FLOOR_SECONDS)
    lns_share = settings.ruin_and_recreate
    gls = replace(settings, work_limit=gls_work(settings))
    lns = RuinRecreate(problem, arcs, penalties, settings.seed, recombiner(problem))
    # Ruin and recreate's construction takes milliseconds and sees the budget; OR-Tools'
    # own construction heuristics are the fallback when it misses a mandatory visit.
    first = initial_routes if initial_routes is not None else lns.construct()
    routes, stop = explore.search(gls, seconds * (1 - lns_share), first, progress, interrupted, started)
    routes = _checked(problem, routes, first)
    if routes is None and first is not None and not interrupted.set:
        routes = tuple(tuple(r) for r in first)  # the clock ended GLS before its first step
    phases.append(f"explore:{stop}")
    if routes is None:
        return infeasible(time.monotonic() - started, stop)
    if lns_share > 0 and not interrupted.set:
        routes, stop = lns.search(routes, max(deadline - time.monotonic() - reserve, 0.05),
                                  lns_work(settings, problem.size), progress,
                                  lambda: interrupted.set, started)
        phases.append(f"recreate:{stop}")
    began = time.monotonic()
    routes = _descents(problem, settings, routes, lns, deadline, progress, interrupted, started, phases)
    if lns_share > 0 and stop == "time":
        routes = _rest(problem, settings, routes, lns, deadline, time.monotonic() - began, progress, interrupted,
                       started, phases)
    harvest(problem, routes)  # for the budget curve (lns.harvesting); ruin and recreate handed its own
    return summarise(problem, routes, time.monotonic() - started, stopped_by(phases, interrupted), tuple(phases))


def scout(problem: RoutingProblem, iterations: int | None, seconds: float, progress: Progress | None = None,
          interrupted: Interrupted | None = None, seed: int = 1,
          fallback: Sequence[Sequence[int]] | None = None) -> RoutingSolution:
    """A quick look without OR-Tools: the ruin-and-recreate construction (or `fallback`
    routes, feasible ones, when it misses a mandatory visit) and `iterations` of its loop
    (repeatable), `seconds` at most. The planner compares extension layouts with it.
    "infeasible" only means that neither gave a first solution."""
    started = time.monotonic()
    arcs = soft_arcs(problem)
    lns = RuinRecreate(problem, arcs, soft_penalties(problem, arcs, SearchSettings.value_weight), seed,
                       recombiner(problem))
    first = lns.construct()
    if first is None and fallback is not None:
        first = [list(r) for r in fallback]
    if first is None:
        return infeasible(time.monotonic() - started, "infeasible")
    stop_flag = interrupted or Interrupted()
    routes, stop = lns.search(first, seconds, iterations, progress, lambda: stop_flag.set, started)
    return summarise(problem, routes, time.monotonic() - started, stop, ("scout:" + stop,))


def _descents(problem: RoutingProblem, settings: SearchSettings, routes: Routes, lns: RuinRecreate, deadline: float,
              progress: Progress | None, interrupted: Interrupted, started: float, phases: list[str]) -> Routes:
    """Phases 2 and 3: value first, then polish."""
    if not interrupted.set:
        routes = _value_first(problem, settings, routes, lns.near, deadline, progress, interrupted, started, phases)
    if not interrupted.set:
        routes = _polish(problem, settings, routes, _left(deadline), interrupted, started, phases)
    return routes


def _rest(problem: RoutingProblem, settings: SearchSettings, routes: Routes, lns: RuinRecreate, deadline: float,
          descents: float, progress: Progress | None, interrupted: Interrupted, started: float,
          phases: list[str]) -> Routes:
    """The time the descents left of a clock-bound search (they end at a local optimum,
    usually well inside the share reserved for them): more ruin and recreate from the
    polished plan, and the descents again if it found more value. A work-bound search never
    comes here, so its plans repeat."""
    seconds = deadline - time.monotonic() - 1.5 * descents - REST_MARGIN_SECONDS
    if seconds < REST_MIN_SECONDS or interrupted.set:
        return routes
    found, stop = lns.search(routes, seconds, None, progress, lambda: interrupted.set, started)
    phases.append(f"rest:{stop}")
    if sum(problem.prize[n] for r in found for n in r) <= sum(problem.prize[n] for r in routes for n in r):
        return routes
    return _descents(problem, settings, found, lns, deadline, progress, interrupted, started, phases)


def _left(deadline: float) -> float:
    """Seconds to the deadline for a descent phase, with a floor: descents end at a local
    optimum by themselves (usually within milliseconds), and cutting them short on the
    clock would make the result depend on the machine's speed."""
    return max(deadline - time.monotonic(), DESCENT_FLOOR_SECONDS)


def _value_first(problem: RoutingProblem, settings: SearchSettings, routes: Routes, near: Mapping[int, Sequence[int]],
                 deadline: float, progress: Progress | None, interrupted: Interrupted, started: float,
                 phases: list[str]) -> Routes:
    """Phase 2, on the sub-problem of the served visits, their nearest visits (`near`, the
    ruin's neighbour lists) and those nearest each tour's start: a visit an insertion or a
    swap could add is close to the routes, and the descent's time grows fast with the model
    (benchmarks/README.md). Small problems are kept whole: the neighbour lists cover them."""
    served = {n for route in routes for n in route}
    visits = np.asarray(problem.visit_nodes, dtype=np.int64)
    wanted = served | {m for n in served for m in near.get(n, ())}
    for tour in problem.tours:
        nearest = np.argsort(problem.travel[tour.start_node, visits], kind="stable")[:NEIGHBOURS]
        wanted.update(int(n) for n in visits[nearest])
    value = lambda sub: (np.zeros_like(sub.arc_cost), np.asarray(sub.prize, dtype=np.int64))
    return _descend_on(problem, wanted.__contains__, False, value, settings, _left(deadline) / 2, routes,
                       progress, interrupted, started, phases, "value")


def _polish(problem: RoutingProblem, settings: SearchSettings, routes: Routes, seconds: float,
            interrupted: Interrupted, started: float, phases: list[str]) -> Routes:
    """Phase 3: the set of visits is fixed (any copy may serve one); minimise cost first,
    then driving time. Solved on the sub-problem of those visits: small and fast."""
    chosen = {problem.group[n] for route in routes for n in route}

    def cost_then_drive(sub: RoutingProblem) -> tuple[np.ndarray, None]:
        horizon_drive = int(sub.drive.max(initial=0)) * sub.size + 1
        return sub.arc_cost.astype(np.int64) * horizon_drive + sub.drive, None

    return _descend_on(problem, lambda n: problem.group[n] in chosen, True, cost_then_drive, settings, seconds,
                       routes, None, interrupted, started, phases, "polish")


def _descend_on(problem: RoutingProblem, keeps: Callable[[int], bool], mandatory: bool, objective: Objective,
                settings: SearchSettings, seconds: float, routes: Routes, progress: Progress | None,
                interrupted: Interrupted, started: float, phases: list[str], phase: str) -> Routes:
    """A descent on the sub-problem of the visit nodes `keeps` accepts (tour ends always kept;
    every visit mandatory if asked), under `objective(sub)` = (arc objective, drop penalties),
    from `routes`; the routes found come back in the problem's nodes."""
    ends = [n for t in problem.tours for n in (t.start_node, t.end_node)]
    keep = [n for n in problem.visit_nodes if keeps(n)] + ends
    sub = problem.restricted(keep, mandatory=mandatory)
    where = {node: i for i, node in enumerate(keep)}
    model = _Model(sub, *objective(sub))
    better, stop = model.search(descent(settings), seconds, [[where[n] for n in r] for r in routes], progress,
                                interrupted, started)
    phases.append(f"{phase}:{stop}")
    found = None if better is None else tuple(tuple(keep[n] for n in r) for r in better)
    return _checked(problem, found, routes) or routes


def _checked(problem: RoutingProblem, routes: Routes | None, fallback: Sequence[Sequence[int]] | None) -> Routes | None:
    """OR-Tools' routes if they keep every rule of the problem (its break intervals model
    the lunch the way `problem.Break` has it, and are checked here rather than trusted),
    else the routes the phase started from."""
    if routes is None or evaluate(problem, routes) is not None:
        return routes
    return None if fallback is None else tuple(tuple(r) for r in fallback)


def _weak_callback(model: _Model) -> Callable[[], None]:
    """The solution callback without a strong reference to its model: OR-Tools holds the
    callback in C++, where Python's collector cannot see the cycle model -> routing ->
    callback -> model, so a bound method would keep every model alive (and its memory) in
    a long-running process."""
    ref = weakref.ref(model)

    def callback() -> None:
        alive = ref()
        if alive is not None:
            alive._at_solution()

    return callback


class _Model:
    """One OR-Tools routing model of the problem under a given objective."""

    def __init__(self, problem: RoutingProblem, arc_objective: np.ndarray, penalties: np.ndarray | None):
        self.problem = problem
        tours = problem.tours
        self.manager = pywrapcp.RoutingIndexManager(
            problem.size, len(tours), [t.start_node for t in tours], [t.end_node for t in tours])
        self.routing = pywrapcp.RoutingModel(self.manager)
        self.solver = self.routing.solver()
        # A window opening after every tour has ended can never be used, and setting it on a
        # cumul variable makes OR-Tools fail ("CP Solver fail") instead of leaving the node out.
        horizon = max(t.latest_end for t in problem.tours)
        self._usable = tuple([(a, min(b, horizon)) for a, b in sorted(w) if a <= horizon] for w in problem.windows)
        self._objective(arc_objective)
        self._time_dimension()
        self._lunch_breaks()
        self._drive_dimension()
        self._budget_dimension()
        self._visits(penalties)
        self._closed = False
        self._progress: Progress | None = None
        self._interrupted = Interrupted()
        self._started = time.monotonic()
        self._last_report = 0.0
        self.routing.AddAtSolutionCallback(_weak_callback(self))

    # -- one method per constraint family --------------------------------------------

    def _objective(self, arcs: np.ndarray) -> None:
        callback = self.routing.RegisterTransitMatrix(arcs.tolist())
        self.routing.SetArcCostEvaluatorOfAllVehicles(callback)

    def _time_dimension(self) -> None:
        """Cumul = start of service; transit = service at origin + travel; waiting allowed."""
        p = self.problem
        transit = p.travel.astype(np.int64) + np.asarray(p.service, dtype=np.int64)[:, None]
        horizon = max(t.latest_end for t in p.tours) + 1
        callback = self.routing.RegisterTransitMatrix(transit.tolist())
        self.routing.AddDimension(callback, horizon, horizon, False, "time")
        self.time = self.routing.GetDimensionOrDie("time")
        for v, tour in enumerate(p.tours):
            self.time.CumulVar(self.routing.Start(v)).SetRange(tour.earliest_start, tour.latest_end)
            self.time.CumulVar(self.routing.End(v)).SetRange(tour.earliest_start, tour.latest_end)
            self.routing.AddVariableMaximizedByFinalizer(self.time.CumulVar(self.routing.Start(v)))
            self.routing.AddVariableMinimizedByFinalizer(self.time.CumulVar(self.routing.End(v)))
        for node in p.visit_nodes:
            windows = self._usable[node]
            cumul = self.time.CumulVar(self.manager.NodeToIndex(node))
            if not windows:
                continue  # can never be served: _visits deactivates it
            cumul.SetRange(windows[0][0], windows[-1][1])
            for (_, close), (reopen, _) in zip(windows, windows[1:]):
                if reopen > close + 1:
                    cumul.RemoveInterval(close + 1, reopen - 1)

    def _lunch_breaks(self) -> None:
        """A tour's break as an OR-Tools break interval on the time dimension: it may not
        overlap a service, and taken between two stops it lengthens that arc by its length
        (the problem's rule, `problem.Break`). Every tour with a break takes it, used or
        not: an empty tour can always place it before it starts."""
        p = self.problem
        if all(t.lunch is None for t in p.tours):
            return
        visit_transits = [p.service[self.manager.IndexToNode(i)] for i in range(self.routing.Size())]
        for v, tour in enumerate(p.tours):
            if tour.lunch is not None:
                lunch = self.solver.FixedDurationIntervalVar(tour.lunch.earliest, tour.lunch.latest,
                                                             tour.lunch.length, False, f"lunch {v}")
                self.time.SetBreakIntervalsOfVehicle([lunch], v, visit_transits)

    def _drive_dimension(self) -> None:
        p = self.problem
        if all(t.max_drive is None for t in p.tours):
            return
        big = int(p.drive.max(initial=0)) * p.size + 1
        caps = [t.max_drive if t.max_drive is not None else big for t in p.tours]
        callback = self.routing.RegisterTransitMatrix(p.drive.astype(np.int64).tolist())
        self.routing.AddDimensionWithVehicleCapacity(callback, 0, caps, True, "drive")

    def _budget_dimension(self) -> None:
        """Per-tour spend as a dimension; the sum over tours is capped by one constraint."""
        p = self.problem
        if p.budget is None:
            return
        spend = p.arc_cost.astype(np.int64) + np.asarray(p.node_cost, dtype=np.int64)[:, None]
        callback = self.routing.RegisterTransitMatrix(spend.tolist())
        self.routing.AddDimension(callback, 0, max(p.budget, 0), True, "spend")
        dim = self.routing.GetDimensionOrDie("spend")
        ends = [dim.CumulVar(self.routing.End(v)) for v in range(len(p.tours))]
        self.solver.Add(self.solver.Sum(ends) <= p.budget)

    def _visits(self, penalties: np.ndarray | None) -> None:
        """One disjunction per visit over its copies: optional ones carry a drop penalty,
        mandatory ones none (exactly one copy served); tours restrict vehicles."""
        p = self.problem
        for node in p.visit_nodes:
            index = self.manager.NodeToIndex(node)
            allowed = p.allowed_tours[node]
            if allowed:  # SetAllowedVehiclesForIndex's 9.15 binding rejects lists
                self.routing.VehicleVar(index).SetValues([-1, *allowed])
            if not p.servable(node) or not self._usable[node]:
                self.routing.ActiveVar(index).SetValue(0)
        for copies in p.alternatives:
            live = [self.manager.NodeToIndex(n) for n in copies if p.servable(n) and self._usable[n]]
            if not live:
                continue
            if p.mandatory[copies[0]]:  # exactly one copy is served
                self.routing.AddDisjunction(live)
            elif penalties is None:
                raise AssertionError("an optional visit without a drop penalty (only polish omits them)")
            else:
                self.routing.AddDisjunction(live, int(penalties[copies[0]]), 1)

    # -- search -------------------------------------------------------------------------

    def search(self, settings: SearchSettings, seconds: float, initial: Sequence[Sequence[int]] | None,
               progress: Progress | None, interrupted: Interrupted, started: float) -> tuple[Routes | None, str]:
        """Routes (problem nodes) of the best solution and why the search stopped."""
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, settings.first_solution)
        params.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic,
                                                    settings.metaheuristic)
        params.time_limit.FromMilliseconds(max(int(seconds * 1000), 10))
        if settings.work_limit:
            params.solution_limit = settings.work_limit
        self._progress, self._interrupted, self._started = progress, interrupted, started
        began = time.monotonic()
        solution, status = self._solve(params, initial)
        used = time.monotonic() - began
        if solution is None:
            return None, "time" if status == "ROUTING_FAIL_TIMEOUT" else "infeasible"
        stop = "interrupt" if interrupted.set else ("time" if used >= seconds * 0.98 else "work")
        return self._routes(solution), stop

    def _solve(self, params: routing_parameters_pb2.RoutingSearchParameters,
               initial: Sequence[Sequence[int]] | None) -> tuple[pywrapcp.Assignment | None, str]:
        """One OR-Tools solve, from routes if given; (assignment or None, status name)."""
        if initial is not None:
            # RoutesToAssignment, not ReadAssignmentFromRoutes: the latter propagates under
            # the previous search's (expired) limits and fails on a model solved before.
            if not self._closed:
                self.routing.CloseModelWithParameters(params)
                self._closed = True
            assignment = self.routing.solver().Assignment()
            if not self.routing.RoutesToAssignment(self._to_indices(initial), True, True, assignment):
                raise ValueError("the initial routes do not fit the model")
            solution = self.routing.SolveFromAssignmentWithParameters(assignment, params)
        else:
            solution = self.routing.SolveWithParameters(params)
            self._closed = True
        status = _STATUS.get(self.routing.status(), "UNKNOWN")
        if status == "ROUTING_INVALID":
            raise ValueError("OR-Tools rejected the model or its search parameters (ROUTING_INVALID)")
        return solution, status

    def _at_solution(self) -> None:
        """At each solution: honour an interrupt, report progress (throttled)."""
        if self._interrupted.set:
            self.solver.FinishCurrentSearch()
            return
        now = time.monotonic()
        if self._progress is not None and now - self._last_report > PROGRESS_INTERVAL_SECONDS:
            self._last_report = now
            p = self.problem
            prize = sum(p.prize[n] for n in p.visit_nodes
                        if self.routing.NextVar(self.manager.NodeToIndex(n)).Value() != self.manager.NodeToIndex(n))
            self._progress(now - self._started, prize)

    def _to_indices(self, routes: Sequence[Sequence[int]]) -> list[list[int]]:
        return [[self.manager.NodeToIndex(n) for n in route] for route in routes]

    def _routes(self, solution: pywrapcp.Assignment) -> Routes:
        routes = []
        for v in range(len(self.problem.tours)):
            index, route = solution.Value(self.routing.NextVar(self.routing.Start(v))), []
            while not self.routing.IsEnd(index):
                route.append(self.manager.IndexToNode(index))
                index = solution.Value(self.routing.NextVar(index))
            routes.append(tuple(route))
        return tuple(routes)


