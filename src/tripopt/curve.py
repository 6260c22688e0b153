"""The budget curve from one search: every row of `compare` served by the routes one search met.

A budget changes nothing in a compiled layout but its budget (compile.py): the nodes,
tours and costs are the same under every budget, so a feasible route met by a search
under one budget is a feasible route under any other (a budget binds the routes' sum,
not a route). So `compare` searches once (`search`: `planner.solve` at one budget,
exactly the search `tripopt plan` makes there, keeping every route its phases met,
`lns.harvesting`), and serves every other budget from those routes (`row`): per
extension layout, a CP-SAT set packing of the routes under that budget (`recombine`;
the layout's fixed cost is in its compiled budget), then a short search from the best
packing (POLISH_SHARE of the time limit and of the work: guided local search, ruin and
recreate, the value-first and polish descents). Both run inside the planner's own frame
(`planner._planned`): what is proven infeasible, the exact search of small scenarios,
the warm start, `_complete`, the weighing against the best plan with no extension day,
and every customer's reason, so a row is a plan as `tripopt plan` states one.

Scenarios with events, or too large to search whole, are planned per budget as before
(`applies`): their searches do not share one node space.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from . import planner, pool
from .comparison import BudgetRow
from .compile import CompiledProblem
from .errors import InfeasibleError
from .limits import Interrupted, SearchSettings, phase_settings, work_budget
from .lns import Column, column, harvesting
from .model import Scenario
from .plan import Outline, Plan
from .problem import RoutingProblem, RoutingSolution, evaluate
from .recombine import recombiner
from .routing import solve as solve_routing

POLISH_SHARE = 0.08  # of the time limit and the work, for a row's search from its packing
PACK_SHARE = 0.03  # of the time limit, as CP-SAT deterministic time, for a row's packings (all layouts)

_Key = tuple[int, tuple[int, ...]]  # a column's tour and visits


@dataclass(frozen=True)
class RoutePool:
    """The feasible routes one search met, per node space (`node_space`: a compiled
    layout whatever its budget), the cheapest of those serving the same visits on a tour."""

    spaces: tuple[tuple[str, tuple[Column, ...]], ...] = ()

    def columns(self, problem: RoutingProblem) -> tuple[Column, ...]:
        """The routes met on this problem's layout (none if the search never met it)."""
        return dict(self.spaces).get(node_space(problem), ())

    @property
    def size(self) -> int:
        return sum(len(columns) for _, columns in self.spaces)


@dataclass(frozen=True)
class Searched:
    """The one search of a sweep: its row (the plan `tripopt plan` gives at that budget,
    or the reason there is none) and the routes it met."""

    row: BudgetRow
    routes: RoutePool


def applies(scenario: Scenario) -> bool:
    """Can one search serve every budget? Not with events (each choice of events is a
    scenario of its own, `events`), nor when the scenario is searched on a pool of its
    customers (`pool`: which ones depends on the warm start, so each row's would differ)."""
    return not scenario.events and not pool.pooled(scenario, pool.census(scenario))


def node_space(problem: RoutingProblem) -> str:
    """What makes routes of two problems the same routes: everything but the budget."""
    digest = hashlib.sha256(repr((problem.tours, problem.group, problem.prize, problem.service, problem.windows,
                                  problem.node_cost, problem.mandatory, problem.allowed_tours)).encode())
    for matrix in (problem.travel, problem.drive, problem.arc_cost):
        digest.update(matrix.tobytes())
    return digest.hexdigest()


def solved_row(budget: float | None, plan: Callable[[], Plan]) -> BudgetRow:
    """A budget's row: the plan, or the reason there is none (no budget limit: key inf)."""
    key = budget if budget is not None else math.inf
    try:
        return BudgetRow(key, plan())
    except InfeasibleError as exc:
        return BudgetRow(key, None, exc.reason, exc.status)


def search(scenario: Scenario, budget: float | None, warm: Outline | None,
           interrupted: Interrupted | None = None) -> Searched:
    """`planner.solve` under `budget` from `warm` (the plan is the one `tripopt plan` gives
    there: the same search), with every route it met."""
    collected = _Collector()
    with harvesting(collected):
        row = solved_row(budget, lambda: planner.solve(scenario.with_budget(budget), interrupted=interrupted,
                                                       warm_start=warm))
    return Searched(row, collected.pool())


def row(scenario: Scenario, budget: float, warm: Outline | None, routes: RoutePool,
        interrupted: Interrupted | None = None) -> BudgetRow:
    """A budget's row from the routes of the sweep's search (see the module's docstring)."""
    under = scenario.with_budget(budget)
    return solved_row(budget, lambda: planner._explained(
        planner._planned(under, None, interrupted, warm, None, None, search=_from_pool(routes))))


def _from_pool(routes: RoutePool) -> planner.Search:
    """The planner's search step for a row: the packings of every layout, then a short
    search from the best plan (a packing, the warm start or a layout's core)."""

    def search(scenario: Scenario, viable: list[CompiledProblem], cores: dict[CompiledProblem, RoutingSolution | None],
               warm: planner._Candidate | None, progress: planner.ProgressCallback | None, interrupted: Interrupted,
               started: float) -> tuple[planner._Candidate | None, list[planner._Candidate]]:
        found = [warm] if warm is not None else []
        found += [planner._Candidate(c, solution) for c, solution in cores.items() if solution is not None]
        found += _packings(scenario, viable, routes, found, interrupted)
        if not found:  # nothing met fits this budget: a short search of its own
            return planner._search(_shortened(scenario), viable, cores, warm, progress, interrupted, started)
        best = min(found, key=planner._Candidate.rank)
        if interrupted.set:
            return best, found
        return _polished(scenario, viable, best, found, interrupted)

    return search


def _packings(scenario: Scenario, viable: list[CompiledProblem], routes: RoutePool,
              found: list[planner._Candidate], interrupted: Interrupted) -> list[planner._Candidate]:
    """Each layout's packing (PACK_SHARE of the time limit shared out among them)."""
    work = PACK_SHARE * scenario.solver.time_limit_seconds / max(len(viable), 1)
    packed = []
    for compiled in viable:
        if interrupted.set:
            break
        if (candidate := _packed(compiled, routes.columns(compiled.problem), found, work)) is not None:
            packed.append(candidate)
    return packed


def _polished(scenario: Scenario, viable: list[CompiledProblem], best: planner._Candidate,
              found: list[planner._Candidate], interrupted: Interrupted) -> tuple[planner._Candidate,
                                                                                  list[planner._Candidate]]:
    """The short search from the best plan, and the best of all: it says what ended the
    short search whichever won (the clock may have decided that it did not win)."""
    polished = solve_routing(best.compiled.problem, _polish_settings(scenario, viable), best.solution.routes,
                             None, interrupted)
    if polished.status != "feasible":
        return best, found
    found = [*found, planner._Candidate(best.compiled, polished)]
    chosen = min(found, key=planner._Candidate.rank)
    return planner._Candidate(chosen.compiled, replace(chosen.solution, stopped_by=polished.stopped_by)), found


def _packed(compiled: CompiledProblem, pooled: Sequence[Column], found: Sequence[planner._Candidate],
            work: float) -> planner._Candidate | None:
    """The most prize from one route per tour among those met and those of the plans
    found on this layout, each visit at most once, under this budget (the layout's best
    plan found is the hint, so the packing is never worse than it); None if CP-SAT finds
    none within `work`."""
    p = compiled.problem
    mine = sorted((f for f in found if f.compiled is compiled), key=planner._Candidate.rank)
    columns = _cheapest([*(c for c in pooled if p.budget is None or c.spend <= p.budget),  # the rest never fit
                         *(column(p, t, r) for f in mine for t, r in enumerate(f.solution.routes))])
    if not columns:
        return None
    where = {(c.tour, c.groups): i for i, c in enumerate(columns)}
    hint = [where[(t, tuple(sorted(p.group[n] for n in r)))] for t, r in enumerate(mine[0].solution.routes)] \
        if mine else []
    chosen = recombiner(p, work)(columns, hint)
    solution = None if chosen is None else evaluate(p, tuple(columns[i].visits for i in chosen))
    return None if solution is None else planner._Candidate(compiled, solution)


def _cheapest(columns: Sequence[Column]) -> list[Column]:
    """One column per (tour, visits): the cheapest."""
    kept: dict[_Key, Column] = {}
    _keep(kept, columns)
    return list(kept.values())


def _keep(kept: dict[_Key, Column], columns: Sequence[Column]) -> None:
    """Add columns, of two serving the same visits on a tour the cheaper (it leaves the
    other tours more of the budget)."""
    for c in columns:
        if (old := kept.get((c.tour, c.groups))) is None or c.spend < old.spend:
            kept[(c.tour, c.groups)] = c


def _polish_settings(scenario: Scenario, viable: list[CompiledProblem]) -> SearchSettings:
    """POLISH_SHARE of the search's time and work, the work not rounded up to a phase's
    usual floor: then the work ends it as surely as it ends the plan's own search (the
    time limit is a cap with the same slack)."""
    limit = scenario.solver.time_limit_seconds
    work = work_budget(limit, scenario.solver.work_limit, max(c.problem.size for c in viable))
    return replace(phase_settings(limit * POLISH_SHARE, None), work_limit=max(int(work * POLISH_SHARE), 1))


def _shortened(scenario: Scenario) -> Scenario:
    """The scenario with POLISH_SHARE of its time limit and work (a row's own search)."""
    solver = scenario.solver
    work = None if solver.work_limit is None else max(int(solver.work_limit * POLISH_SHARE), 1)
    return replace(scenario, solver=replace(solver, time_limit_seconds=solver.time_limit_seconds * POLISH_SHARE,
                                            work_limit=work))


class _Collector:
    """The sink of `lns.harvesting`: the routes met, per node space."""

    def __init__(self) -> None:
        self.found: dict[str, dict[_Key, Column]] = {}
        self._spaces: dict[int, tuple[RoutingProblem, str]] = {}  # by id, the problem kept alive

    def __call__(self, problem: RoutingProblem, columns: Sequence[Column]) -> None:
        if id(problem) not in self._spaces:
            self._spaces[id(problem)] = (problem, node_space(problem))
        _keep(self.found.setdefault(self._spaces[id(problem)][1], {}), columns)

    def pool(self) -> RoutePool:
        return RoutePool(tuple((key, tuple(space.values())) for key, space in self.found.items()))
