"""A generic prize-collecting, multi-tour routing core on OR-Tools (knows no YAML).

Every OR-Tools import of the project lives here. The problem is integer throughout:
nodes with service times, one or several start-of-service windows, prizes, per-node
costs, optional or mandatory, possibly tied to given tours, and grouped into
alternatives (copies of one visit, at most one served: a visit whose windows differ
from day to day); tours with their own start and end node, time window and driving
cap; per-arc costs and one global budget.

The search runs in three phases, because the objective the search sees and the order
the product promises are different things (see README, "The objective"):

1. explore: guided local search on a *soft* objective (prize x weight against travel
   time), where value and travel are on comparable scales so GLS can move, then ruin and
   recreate on the same objective (`lns`: thousands of cheap iterations, with route
   recombination by CP-SAT set packing beside them);
2. value first: greedy descent from that solution on the exact objective "maximise
   prize", which inserts or swaps in anything the soft objective left out (OR-Tools'
   compound "move one, insert another" operators were used here until ruin and recreate
   made them redundant: 1,200 random brute-force cases stayed optimal without them, and
   they cost 0.2-0.5 s on 92 nodes);
3. polish: with the visited set fixed, minimise cost, then driving time.

Three index spaces exist: problem nodes (0..N-1), OR-Tools indices, and whatever the
caller maps nodes to. Conversion between the first two happens only in `_Model`.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.sat.python import cp_model_helper as sat  # not sat.python.cp_model: it imports pandas (0.2 s)

from .lns import NEIGHBOURS, Column, Recombine, RuinRecreate, mean_step

DESCENT_FLOOR_SECONDS = 0.25
# Route recombination is a CP-SAT set packing on one worker under a deterministic time
# limit (CP-SAT's own work units, about seconds), so that runs repeat.
RECOMBINE_WORK = 0.5
# A ruin-and-recreate iteration costs a tenth of a solution of guided local search or less
# (measured: 700 iterations/s against 65 solutions/s on 92 nodes, 400/s against 21/s on 288;
# about 2,000/s on 92 nodes since the insertion test reads candidate columns). Twenty per
# solution was no better on the trade-show example at 1 s, and let the clock end the run.
LNS_ITERATIONS_PER_SOLUTION = 10
LNS_CALIBRATION_NODES = 92  # the size the ratio above was measured at


def lns_iterations_per_solution(nodes: int) -> float:
    """Ruin-and-recreate iterations worth one solution of guided local search on a problem
    of this size. A GLS solution's cost grows about linearly with the nodes (the planner's
    WORK_RATE), an iteration's much more slowly (measured: 2,000 iterations/s on 92 nodes,
    657/s on 2,341, about n^(-1/3)), so above the calibration size the ratio grows as
    n^(2/3). With a fixed ratio the 2,000-customer plan spent 1 s of its 30 in ruin and
    recreate and 12 s in the value-first descent."""
    return LNS_ITERATIONS_PER_SOLUTION * max(1.0, nodes / LNS_CALIBRATION_NODES) ** (2 / 3)


_STATUS = {value: name for name, value in routing_enums_pb2.RoutingSearchStatus.Value.items()}


@dataclass(frozen=True)
class Tour:
    """One vehicle route: a day. Times are absolute integer minutes."""

    start_node: int
    end_node: int
    earliest_start: int
    latest_end: int
    max_drive: int | None = None


@dataclass(frozen=True)
class RoutingProblem:
    """The integer problem the core solves. Node-indexed arrays all have length N.

    `windows[i]` bounds the *start* of service at node i (several disjoint windows
    allowed; an empty tuple means the node can never be served). Tour start and end
    nodes take their times from their `Tour`, not from `windows`. `group[i]` names the
    visit a node serves: nodes sharing a group are alternatives, of which at most one
    (exactly one if mandatory) is served; prize and mandatory are the group's. Tour
    start and end nodes have group -1.

    Wide gaps inside one node's windows make OR-Tools' insertion filters very slow
    (measured: a 300-minute gap, 2,000 nodes, 24 s to a first solution against 0.3 s
    with a 60-minute gap), so callers should split such windows into alternatives.
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

    def servable(self, node: int) -> bool:
        return bool(self.windows[node]) and self.allowed_tours[node] != ()

    def restricted(self, keep: Sequence[int], mandatory: bool) -> "RoutingProblem":
        """The problem on the nodes `keep` (in that order, tour ends included), with every
        visit made mandatory if asked. Node i of the result is node keep[i] here."""
        where = {node: i for i, node in enumerate(keep)}
        index = np.asarray(keep)
        pick = lambda values: tuple(values[n] for n in keep)  # noqa: E731
        return RoutingProblem(
            travel=self.travel[np.ix_(index, index)], drive=self.drive[np.ix_(index, index)],
            arc_cost=self.arc_cost[np.ix_(index, index)], service=pick(self.service),
            windows=pick(self.windows), prize=pick(self.prize), node_cost=pick(self.node_cost),
            mandatory=tuple(mandatory and self.group[n] >= 0 or self.mandatory[n] for n in keep),
            allowed_tours=pick(self.allowed_tours), group=pick(self.group),
            tours=tuple(replace(t, start_node=where[t.start_node], end_node=where[t.end_node]) for t in self.tours),
            budget=self.budget,
        )


@dataclass(frozen=True)
class SearchSettings:
    """How long and how to search. `work_limit` (solutions examined) makes runs
    repeatable: while it, not the clock, ends a phase, the same input gives the same plan."""

    time_limit_seconds: float = 10.0
    work_limit: int | None = None
    value_weight: float = 2.0  # soft objective: mean prize = this many mean arcs of travel
    first_solution: str = "SEQUENTIAL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    explore_share: float = 0.85  # of the time limit; the rest goes to the exact phases
    ruin_and_recreate: float = 0.85  # share of the explore phase spent in ruin-and-recreate after GLS
    seed: int = 1  # for the ruin-and-recreate random choices (runs stay repeatable)


@dataclass(frozen=True)
class RoutingSolution:
    routes: tuple[tuple[int, ...], ...]  # visit nodes of each tour, in order
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
    -1 if it breaks the driving cap), or None if the route is feasible. `arrive_end` is
    the arrival at the tour's end, or at the failing node when a window is missed."""

    times: tuple[tuple[int, int, int], ...]
    failed_at: int | None
    arrive_end: int
    drive: int


def earliest_schedule(problem: RoutingProblem, tour: int, route: Sequence[int],
                      zero_travel: bool = False) -> Schedule:
    """Serve each node as early as its windows allow (optimal for feasibility when waiting
    is allowed). `zero_travel` pretends every leg is instant (for diagnosis)."""
    legs = problem.travel
    spec = problem.tours[tour]
    now, prev, times, drive = spec.earliest_start, spec.start_node, [], 0
    for position, node in enumerate(route):
        arrive = now + (0 if zero_travel else int(legs[prev, node]))
        drive += 0 if zero_travel else int(problem.drive[prev, node])
        start = next((max(arrive, a) for a, b in sorted(problem.windows[node]) if max(arrive, a) <= b), None)
        if start is None:
            return Schedule(tuple(times), position, arrive, drive)
        times.append((arrive, start, start + problem.service[node]))
        now, prev = start + problem.service[node], node
    arrive_end = now + (0 if zero_travel else int(legs[prev, spec.end_node]))
    drive += 0 if zero_travel else int(problem.drive[prev, spec.end_node])
    if arrive_end > spec.latest_end:
        return Schedule(tuple(times), len(route), arrive_end, drive)
    if spec.max_drive is not None and drive > spec.max_drive:
        return Schedule(tuple(times), -1, arrive_end, drive)
    return Schedule(tuple(times), None, arrive_end, drive)


def route_cost(problem: RoutingProblem, tour: int, route: Sequence[int]) -> int:
    """Arc costs plus per-node costs of one tour, in the problem's cost units."""
    spec = problem.tours[tour]
    path = [spec.start_node, *route, spec.end_node]
    return sum(int(problem.arc_cost[a, b]) + problem.node_cost[a] for a, b in zip(path, path[1:]))


Progress = Callable[[float, int], None]  # (elapsed seconds, best prize so far)


class Interrupted:
    """A flag the caller sets (e.g. from a SIGINT handler) to end the search early."""

    def __init__(self) -> None:
        self.set = False


def solve(problem: RoutingProblem, settings: SearchSettings = SearchSettings(),
          initial_routes: Sequence[Sequence[int]] | None = None,
          progress: Progress | None = None, interrupted: Interrupted | None = None) -> RoutingSolution:
    """Best plan found within the limits; status "infeasible" if none satisfies the hard rules.

    `work_limit` bounds the exploring phase: solutions examined by guided local search,
    and ten ruin-and-recreate iterations per solution; the exact phases are greedy descents
    that end at a local optimum. All phases share the time limit as a cap.
    """
    started = time.monotonic()
    if any(problem.mandatory[g[0]] and not any(problem.servable(i) for i in g) for g in problem.alternatives):
        return _infeasible(0.0, "infeasible")  # a mandatory visit that can never be served
    interrupted = interrupted or Interrupted()
    deadline = started + settings.time_limit_seconds
    phases: list[str] = []

    soft_arcs = _soft_arcs(problem)
    penalties = _soft_penalties(problem, soft_arcs, settings)
    explore = _Model(problem, soft_arcs, penalties)
    build = time.monotonic() - started  # the value-first model costs about as much again
    reserve = settings.time_limit_seconds * (1 - settings.explore_share) + 1.2 * build
    seconds = max(deadline - time.monotonic() - reserve, 0.05)
    if settings.metaheuristic == "GREEDY_DESCENT":
        seconds = max(seconds, DESCENT_FLOOR_SECONDS)
    lns_share = settings.ruin_and_recreate
    gls_work = None if settings.work_limit is None else max(int(settings.work_limit * (1 - lns_share)), 1)
    gls = replace(settings, work_limit=gls_work)
    lns = RuinRecreate(problem, soft_arcs, penalties, settings.seed, _recombiner(problem))
    # Ruin and recreate's construction takes milliseconds and sees the budget; OR-Tools'
    # own construction heuristics are the fallback when it misses a mandatory visit.
    first = initial_routes if initial_routes is not None else lns.construct()
    routes, stop = explore.search(gls, seconds * (1 - lns_share), first, progress, interrupted, started)
    if routes is None and first is not None and not interrupted.set:
        routes = tuple(tuple(r) for r in first)  # the clock ended GLS before its first step
    phases.append(f"explore:{stop}")
    if routes is None:
        return _infeasible(time.monotonic() - started, stop)
    if lns_share > 0 and not interrupted.set:
        lns_work = None if settings.work_limit is None else \
            max(int(settings.work_limit * lns_share * lns_iterations_per_solution(problem.size)), 1)
        routes, stop = lns.search(routes, max(deadline - time.monotonic() - reserve, 0.05), lns_work, progress,
                                  lambda: interrupted.set, started)
        phases.append(f"recreate:{stop}")
    if not interrupted.set:
        routes = _value_first(problem, settings, routes, lns.near, deadline, progress, interrupted, started, phases)
    if not interrupted.set:
        routes = _polish(problem, settings, routes, _left(deadline), interrupted, started, phases)
    return _summarise(problem, routes, time.monotonic() - started, _stopped_by(phases, interrupted), tuple(phases))


def scout(problem: RoutingProblem, iterations: int | None, seconds: float, progress: Progress | None = None,
          interrupted: Interrupted | None = None, seed: int = 1,
          fallback: Sequence[Sequence[int]] | None = None) -> RoutingSolution:
    """A quick look without OR-Tools: the ruin-and-recreate construction (or `fallback`
    routes, feasible ones, when it misses a mandatory visit) and `iterations` of its loop
    (repeatable), `seconds` at most. The planner compares extension layouts with it.
    "infeasible" only means that neither gave a first solution."""
    started = time.monotonic()
    soft_arcs = _soft_arcs(problem)
    lns = RuinRecreate(problem, soft_arcs, _soft_penalties(problem, soft_arcs, SearchSettings()), seed,
                       _recombiner(problem))
    first = lns.construct()
    if first is None and fallback is not None:
        first = [list(r) for r in fallback]
    if first is None:
        return _infeasible(time.monotonic() - started, "infeasible")
    stop_flag = interrupted or Interrupted()
    routes, stop = lns.search(first, seconds, iterations, progress, lambda: stop_flag.set, started)
    return _summarise(problem, routes, time.monotonic() - started, stop, ("scout:" + stop,))


def _recombiner(problem: RoutingProblem) -> Recombine:
    """Route recombination for ruin and recreate (see `lns.Column`): one column per tour,
    each visit at most once (mandatory ones exactly once if the pool serves them), spend
    within the budget, the most prize; the hint is the search's best solution, so the
    answer is never worse. None when CP-SAT proves nothing feasible in its work limit."""
    mandatory = {problem.group[g[0]] for g in problem.alternatives if problem.mandatory[g[0]]}
    tours = len(problem.tours)

    def recombine(columns: Sequence[Column], hint: Sequence[int]) -> list[int] | None:
        model = sat.CpModelProto()
        for _ in columns:
            model.variables.add().domain.extend([0, 1])
        by_tour: list[list[int]] = [[] for _ in range(tours)]
        by_group: dict[int, list[int]] = {}
        for i, column in enumerate(columns):
            by_tour[column.tour].append(i)
            for g in column.groups:
                by_group.setdefault(g, []).append(i)
        for members in by_tour:
            model.constraints.add().exactly_one.literals.extend(members)
        for g, members in by_group.items():
            constraint = model.constraints.add()
            (constraint.exactly_one if g in mandatory else constraint.at_most_one).literals.extend(members)
        if problem.budget is not None:
            linear = model.constraints.add().linear
            linear.vars.extend(range(len(columns)))
            linear.coeffs.extend(c.spend for c in columns)
            linear.domain.extend([0, problem.budget])
        model.objective.vars.extend(range(len(columns)))
        model.objective.coeffs.extend(-c.prize for c in columns)  # CP-SAT minimises
        model.solution_hint.vars.extend(hint)
        model.solution_hint.values.extend([1] * len(hint))
        params = sat.SatParameters()
        params.num_workers = 1
        params.max_deterministic_time = RECOMBINE_WORK
        params.cp_model_presolve = False  # measured: presolve and probing took longer than
        params.cp_model_probing_level = 0  # the search (0.22 s -> 0.09 s on 1,360 columns)
        params.catch_sigint_signal = False  # its handler would replace the CLI's (Ctrl-C killed the run)
        solver = sat.SolveWrapper()
        solver.set_parameters(params)
        response = solver.solve(model)
        if response.status not in (sat.CpSolverStatus.OPTIMAL, sat.CpSolverStatus.FEASIBLE):
            return None
        chosen = [i for i, value in enumerate(response.solution) if value]
        return sorted(chosen, key=lambda i: columns[i].tour)

    return recombine


def _left(deadline: float) -> float:
    """Seconds to the deadline for a descent phase, with a floor: descents end at a local
    optimum by themselves (usually within milliseconds), and cutting them short on the
    clock would make the result depend on the machine's speed."""
    return max(deadline - time.monotonic(), DESCENT_FLOOR_SECONDS)


def _value_first(problem, settings, routes, near, deadline, progress, interrupted, started, phases):
    """Phase 2, on the sub-problem of the served visits, their nearest visits (`near`, the
    ruin's neighbour lists) and those nearest each tour's start: a visit an insertion or a
    swap could add is close to the routes, and the descent's time grows fast with the model
    (measured on 2,341 nodes: 4.9 s on the whole problem, for nothing). Small problems are
    kept whole: the neighbour lists cover them."""
    served = {n for route in routes for n in route}
    visits = np.asarray(problem.visit_nodes, dtype=np.int64)
    wanted = served | {m for n in served for m in near.get(n, ())}
    for tour in problem.tours:
        nearest = np.argsort(problem.travel[tour.start_node, visits], kind="stable")[:NEIGHBOURS]
        wanted.update(int(n) for n in visits[nearest])
    value = lambda sub: (np.zeros_like(sub.arc_cost), np.asarray(sub.prize, dtype=np.int64))  # noqa: E731
    return _descend_on(problem, wanted.__contains__, False, value, settings, _left(deadline) / 2, routes,
                       progress, interrupted, started, phases, "value")


def _polish(problem, settings, routes, seconds, interrupted, started, phases):
    """Phase 3: the set of visits is fixed (any copy may serve one); minimise cost first,
    then driving time. Solved on the sub-problem of those visits: small and fast."""
    chosen = {problem.group[n] for route in routes for n in route}

    def cost_then_drive(sub: RoutingProblem) -> tuple[np.ndarray, None]:
        horizon_drive = int(sub.drive.max(initial=0)) * sub.size + 1
        return sub.arc_cost.astype(np.int64) * horizon_drive + sub.drive, None

    return _descend_on(problem, lambda n: problem.group[n] in chosen, True, cost_then_drive, settings, seconds,
                       routes, None, interrupted, started, phases, "polish")


def _descend_on(problem, keeps, mandatory, objective, settings, seconds, routes, progress, interrupted, started,
                phases, phase):
    """A descent on the sub-problem of the visit nodes `keeps` accepts (tour ends always kept;
    every visit mandatory if asked), under `objective(sub)` = (arc objective, drop penalties),
    from `routes`; the routes found come back in the problem's nodes."""
    ends = [n for t in problem.tours for n in (t.start_node, t.end_node)]
    keep = [n for n in problem.visit_nodes if keeps(n)] + ends
    sub = problem.restricted(keep, mandatory=mandatory)
    where = {node: i for i, node in enumerate(keep)}
    model = _Model(sub, *objective(sub))
    better, stop = model.search(_descent(settings), seconds, [[where[n] for n in r] for r in routes], progress,
                                interrupted, started)
    phases.append(f"{phase}:{stop}")
    return routes if better is None else tuple(tuple(keep[n] for n in r) for r in better)


def _descent(settings: SearchSettings) -> SearchSettings:
    """Descent to a local optimum: deterministic, so it needs no work limit."""
    return replace(settings, metaheuristic="GREEDY_DESCENT", work_limit=None, ruin_and_recreate=0.0)


def _stopped_by(phases: list[str], interrupted: Interrupted) -> str:
    if interrupted.set:
        return "interrupt"
    return "time" if any(p.endswith(":time") for p in phases) else "work"


def _soft_arcs(problem: RoutingProblem) -> np.ndarray:
    """Search arc cost: the time a step uses (service at the origin + travel; time is the
    scarce resource), with money breaking ties between equal times. (Weighing money like
    time under a budget, each by its capacity, was tried on the trade-show example: no
    better; its budget does not bind.)"""
    used = problem.travel.astype(np.int64) + np.asarray(problem.service, dtype=np.int64)[:, None]
    return used * 1000 + np.minimum(problem.arc_cost, 999)


def _soft_penalties(problem: RoutingProblem, soft_arcs: np.ndarray, settings: SearchSettings) -> np.ndarray:
    """Drop penalty per node on the same scale as a step (see SearchSettings.value_weight)."""
    visits = [g[0] for g in problem.alternatives if not problem.mandatory[g[0]]]
    prizes = np.asarray(problem.prize, dtype=np.float64)
    positive = prizes[visits][prizes[visits] > 0] if visits else np.array([])
    if positive.size == 0:
        return np.zeros(problem.size, dtype=np.int64)
    step = mean_step(soft_arcs, np.asarray(problem.visit_nodes, dtype=np.int64), 1000.0)
    scale = settings.value_weight * step / float(positive.mean())
    return np.ceil(prizes * scale).astype(np.int64)


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
        if any(problem.allowed_tours[n] is not None and t not in problem.allowed_tours[n] for n in route):
            return None
        if earliest_schedule(problem, t, route).failed_at is not None:
            return None
    solution = _summarise(problem, routes, 0.0, "work", ())
    if problem.budget is not None and solution.cost > problem.budget:
        return None
    return solution


def _infeasible(seconds: float, stop: str) -> RoutingSolution:
    return RoutingSolution((), "infeasible", 0, 0, 0, 0, stopped_by=stop, seconds=seconds)


def _summarise(problem, routes, seconds, stopped_by, phases) -> RoutingSolution:
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


def _weak_callback(model: "_Model") -> Callable[[], None]:
    """The solution callback without a strong reference to its model: OR-Tools holds the
    callback in C++, where Python's collector cannot see the cycle model -> routing ->
    callback -> model, so a bound method would keep every model alive (measured: +45 MB
    per solve in a long-running process)."""
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
            if p.allowed_tours[node]:  # SetAllowedVehiclesForIndex's 9.15 binding rejects lists
                self.routing.VehicleVar(index).SetValues([-1, *p.allowed_tours[node]])
            if not p.servable(node) or not self._usable[node]:
                self.routing.ActiveVar(index).SetValue(0)
        for copies in p.alternatives:
            live = [self.manager.NodeToIndex(n) for n in copies if p.servable(n) and self._usable[n]]
            if not live:
                continue
            if p.mandatory[copies[0]]:  # exactly one copy is served
                self.routing.AddDisjunction(live)
            else:
                self.routing.AddDisjunction(live, int(penalties[copies[0]]), 1)

    # -- search -------------------------------------------------------------------------

    def search(self, settings: SearchSettings, seconds: float, initial: Sequence[Sequence[int]] | None,
               progress: Progress | None, interrupted: Interrupted, started: float):
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

    def _solve(self, params, initial: Sequence[Sequence[int]] | None):
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
        if self._progress is not None and now - self._last_report > 0.25:
            self._last_report = now
            p = self.problem
            prize = sum(p.prize[n] for n in p.visit_nodes
                        if self.routing.NextVar(self.manager.NodeToIndex(n)).Value() != self.manager.NodeToIndex(n))
            self._progress(now - self._started, prize)

    def _to_indices(self, routes: Sequence[Sequence[int]]) -> list[list[int]]:
        return [[self.manager.NodeToIndex(n) for n in route] for route in routes]

    def _routes(self, solution) -> tuple[tuple[int, ...], ...]:
        routes = []
        for v in range(len(self.problem.tours)):
            index, route = solution.Value(self.routing.NextVar(self.routing.Start(v))), []
            while not self.routing.IsEnd(index):
                route.append(self.manager.IndexToNode(index))
                index = solution.Value(self.routing.NextVar(index))
            routes.append(tuple(route))
        return tuple(routes)


