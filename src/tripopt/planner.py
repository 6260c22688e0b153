"""Scenario in, plan out: compile every extension layout, solve, keep the best, explain.

This is the library's main entry point (`tripopt.solve`). It raises InfeasibleError with
a diagnosed reason when no plan exists, and never returns a plan it has not re-checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from .compile import CENTS, VALUE_SCALE, CompiledProblem, compile_layout, layouts
from .diagnose import infeasibility_reason, quick_infeasibility, unvisited_reasons
from .errors import InfeasibleError
from .model import Scenario
from .plan import Plan, decode
from .routing import Interrupted, RoutingSolution, SearchSettings
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


# Work budget: solutions examined per second of time limit. Calibrated low on this
# project's 2-core machines, so the work limit, not the clock, normally ends the search
# and the same input gives the same plan (README, "Determinism").
NOMINAL_RATE = 40
SCOUT_SHARE = 0.15  # of time and work, spread over all layouts; the rest goes to the best


def _settings(seconds: float, work: int) -> SearchSettings:
    return SearchSettings(time_limit_seconds=max(seconds, 0.05), work_limit=max(int(work), 10))


def solve(scenario: Scenario, progress: ProgressCallback | None = None,
          interrupted: Interrupted | None = None) -> Plan:
    """The best plan found for the scenario, or InfeasibleError with the reason.

    Every extension layout is scouted briefly; the best one then gets the rest of the
    time and work, warm-started from its scouting solution.
    """
    started = time.monotonic()
    interrupted = interrupted or Interrupted()
    compiled_all = [compile_layout(scenario, layout) for layout in layouts(scenario)]
    obvious = quick_infeasibility(compiled_all)
    if obvious:
        raise InfeasibleError(obvious)
    viable = [c for c in compiled_all if c.problem.budget is None or c.problem.budget >= 0]
    limit = scenario.solver.time_limit_seconds
    work = scenario.solver.work_limit or limit * NOMINAL_RATE
    best_value = [0.0]

    def report(elapsed: float, prize: int) -> None:
        best_value[0] = max(best_value[0], prize / VALUE_SCALE)
        if progress is not None:
            progress(time.monotonic() - started, best_value[0])

    scout_share = SCOUT_SHARE if len(viable) > 1 else 0.0
    found = []
    for compiled in viable:
        if interrupted.set or scout_share == 0.0:
            break
        settings = _settings(limit * scout_share / len(viable), work * scout_share / len(viable))
        solution = solve_routing(compiled.problem, settings, None, report, interrupted)
        if solution.status == "feasible":
            found.append(_Candidate(compiled, solution))
    best = min(found, key=_Candidate.rank, default=None)
    focus = [best.compiled] if best is not None else viable
    for compiled in focus:
        if interrupted.set:
            break
        remaining = max(limit - (time.monotonic() - started), 0.05) / len(focus)
        initial = best.solution.routes if best is not None else None
        solution = solve_routing(compiled.problem, _settings(remaining, work * (1 - scout_share) / len(focus)),
                                 initial, report, interrupted)
        if solution.status == "feasible":
            candidate = _Candidate(compiled, solution)
            if best is None or candidate.rank() < best.rank():
                best = candidate
    if best is None:
        raise InfeasibleError(infeasibility_reason(compiled_all))
    visited = frozenset(scenario.customers[best.compiled.node_ref[n]].name
                        for route in best.solution.routes for n in route
                        if best.compiled.node_kind[n] == "customer")
    return decode(best.compiled, best.solution, unvisited_reasons(compiled_all, visited))
