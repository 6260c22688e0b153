"""Scenario in, plan out: compile every extension layout, solve, keep the best, explain.

This is the library's main entry point (`tripopt.solve`). It raises InfeasibleError with
a diagnosed reason when no plan exists, and never returns a plan it has not re-checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from .compile import CENTS, VALUE_SCALE, CompiledProblem, compile_layout, layouts
from .diagnose import infeasibility_reason, quick_infeasibility, unvisited_reasons
from .errors import InfeasibleError
from .model import Scenario
from .plan import Plan, decode
from .routing import Interrupted, RoutingSolution, SearchSettings, evaluate, lns_iterations_per_solution, scout
from .routing import solve as solve_routing

ProgressCallback = Callable[[float, float], None]  # (elapsed seconds, best value so far)


@dataclass(frozen=True)
class _Candidate:
    compiled: CompiledProblem
    solution: RoutingSolution

    def rank(self) -> tuple[int, int, int]:
        """Contract order: value first, then cost (fixed costs included), then driving."""
        fixed = round(self.compiled.layout.fixed_cost * CENTS)
        return (-self.solution.prize, self.solution.cost + fixed, self.solution.drive)


# Work budget: the time limit becomes time_limit x WORK_RATE / nodes solutions. Guided
# local search examined 11,000-30,000 node-solutions per second on this project's
# machines (38 to 2,341 nodes), so this budget normally runs out before the clock and
# the same input gives the same plan (README, "Determinism").
WORK_RATE = 6000
SCOUT_SHARE = 0.3  # time cap for scouting all layouts; the rest goes to the best
SCOUT_MIN_ITERATIONS = 20  # of ruin and recreate per layout, however short the limit


def _settings(seconds: float, work: float | None, metaheuristic: str = "GUIDED_LOCAL_SEARCH") -> SearchSettings:
    """A descent (the scouting fallback when the construction misses a mandatory visit) is
    pure: no ruin and recreate."""
    descent = metaheuristic == "GREEDY_DESCENT"
    return SearchSettings(time_limit_seconds=max(seconds, 0.05), metaheuristic=metaheuristic,
                          work_limit=None if work is None else max(int(work), 10),
                          ruin_and_recreate=0.0 if descent else SearchSettings.ruin_and_recreate)


def solve(scenario: Scenario, progress: ProgressCallback | None = None,
          interrupted: Interrupted | None = None, warm_start: Plan | None = None) -> Plan:
    """The best plan found for the scenario, or InfeasibleError with the reason.

    Every extension layout is scouted by a fixed number of ruin-and-recreate iterations
    (deterministic, a few milliseconds each); the best one then gets the work budget and the rest of the time,
    warm-started from its scouting solution. A `warm_start` plan that is feasible here
    (one found under a smaller budget, say) competes too, so the result is never worse.
    """
    started = time.monotonic()
    interrupted = interrupted or Interrupted()
    compiled_all = _compile_all(scenario)
    viable = [c for c in compiled_all if c.problem.budget is None or c.problem.budget >= 0]
    warm = _warm_candidate(viable, warm_start) if warm_start is not None else None
    obvious = None if warm is not None else quick_infeasibility(compiled_all)
    if obvious:
        raise InfeasibleError(obvious)
    limit = scenario.solver.time_limit_seconds
    nodes = max(c.problem.size for c in viable)
    work = scenario.solver.work_limit or limit * WORK_RATE / nodes
    best_value = [0.0]

    def report(elapsed: float, prize: int) -> None:
        best_value[0] = max(best_value[0], prize / VALUE_SCALE)
        if progress is not None:
            progress(time.monotonic() - started, best_value[0])

    scout_share = SCOUT_SHARE if len(viable) > 1 else 0.0
    found = [warm] if warm is not None else []
    for compiled in viable:
        if interrupted.set or scout_share == 0.0:
            break
        seconds = limit * scout_share / len(viable)
        per_solution = lns_iterations_per_solution(compiled.problem.size)
        solution = scout(compiled.problem, max(int(work * scout_share / len(viable) * per_solution),
                                               SCOUT_MIN_ITERATIONS), seconds, report, interrupted)
        if solution.status != "feasible":  # the greedy construction missed a mandatory visit
            solution = solve_routing(compiled.problem, _settings(seconds, None, "GREEDY_DESCENT"), None, report,
                                     interrupted)
        if solution.status == "feasible":
            found.append(_Candidate(compiled, solution))
    best = min(found, key=_Candidate.rank, default=None)
    focus = [best.compiled] if best is not None else viable
    for compiled in focus:
        if interrupted.set:
            break
        remaining = max(limit - (time.monotonic() - started), 0.05) / len(focus)
        initial = best.solution.routes if best is not None else None
        solution = solve_routing(compiled.problem, _settings(remaining, work / len(focus)), initial, report,
                                 interrupted)
        if solution.status == "feasible":
            candidate = _Candidate(compiled, solution)
            if best is None or candidate.rank() <= best.rank():
                best = candidate
    if best is None:
        raise InfeasibleError(infeasibility_reason(compiled_all))
    if interrupted.set:  # whichever phase found the best plan, the search as a whole was cut short
        best = _Candidate(best.compiled, replace(best.solution, stopped_by="interrupt"))
    return _decode(compiled_all, best)


def adopt(scenario: Scenario, plan: Plan) -> Plan:
    """A plan made for another version of the scenario (a smaller budget, say), re-checked
    and re-explained under this one without searching; InfeasibleError if it breaks a rule."""
    compiled_all = _compile_all(scenario)
    candidate = _warm_candidate(compiled_all, plan)
    if candidate is None:
        raise InfeasibleError("the plan does not keep this scenario's rules")
    adopted = _decode(compiled_all, candidate)
    return replace(adopted, stopped_by=plan.stopped_by, seconds=plan.seconds)


def _compile_all(scenario: Scenario) -> list[CompiledProblem]:
    """One compiled problem per extension layout, cheapest layout first."""
    return [compile_layout(scenario, layout) for layout in layouts(scenario)]


def _warm_candidate(compiled_all: list[CompiledProblem], plan: Plan) -> _Candidate | None:
    """The plan as a candidate of the layout it was made for, if it is feasible there."""
    for compiled in compiled_all:
        routes = compiled.routes_of(plan)
        solution = evaluate(compiled.problem, routes) if routes is not None else None
        if solution is not None:
            return _Candidate(compiled, solution)
    return None


def _decode(compiled_all: list[CompiledProblem], best: _Candidate) -> Plan:
    """The chosen solution as a Plan, every unvisited customer with its reason."""
    scenario = best.compiled.scenario
    visited = frozenset(scenario.customers[best.compiled.node_ref[n]].name
                        for route in best.solution.routes for n in route
                        if best.compiled.node_kind[n] == "customer")
    return decode(best.compiled, best.solution, unvisited_reasons(compiled_all, visited))
