"""Scenario in, plan out: compile every extension layout, solve, keep the best, explain.

This is the library's main entry point (`tripopt.solve`). It raises InfeasibleError with
a diagnosed reason when no plan exists, and never returns a plan it has not re-checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from .compile import CENTS, VALUE_SCALE, CompiledProblem, compile_layout, layouts
from .diagnose import infeasibility_reason, unvisited_reasons
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


def search_settings(scenario: Scenario, seconds: float) -> SearchSettings:
    """The search of one layout; the work limit makes runs repeatable (README: determinism)."""
    return SearchSettings(time_limit_seconds=seconds, work_limit=scenario.solver.work_limit)


def solve(scenario: Scenario, progress: ProgressCallback | None = None,
          interrupted: Interrupted | None = None) -> Plan:
    """The best plan found for the scenario, or InfeasibleError with the reason."""
    started = time.monotonic()
    interrupted = interrupted or Interrupted()
    compiled_all = [compile_layout(scenario, layout) for layout in layouts(scenario)]
    viable = [c for c in compiled_all if c.problem.budget is None or c.problem.budget >= 0]
    if not viable:
        raise InfeasibleError(infeasibility_reason(compiled_all))
    share = scenario.solver.time_limit_seconds / len(viable)
    best: _Candidate | None = None
    for compiled in viable:
        if interrupted.set:
            break
        floor = 0.0 if best is None else best.solution.prize / VALUE_SCALE

        def report(elapsed: float, prize: int, floor=floor) -> None:
            if progress is not None:
                progress(time.monotonic() - started, max(floor, prize / VALUE_SCALE))

        solution = solve_routing(compiled.problem, search_settings(scenario, share), None, report, interrupted)
        if solution.status != "feasible":
            continue
        candidate = _Candidate(compiled, solution)
        if best is None or candidate.rank() < best.rank():
            best = candidate
    if best is None:
        raise InfeasibleError(infeasibility_reason(compiled_all))
    visited = frozenset(scenario.customers[best.compiled.node_ref[n]].name
                        for route in best.solution.routes for n in route
                        if best.compiled.node_kind[n] == "customer")
    return decode(best.compiled, best.solution, unvisited_reasons(compiled_all, visited))
