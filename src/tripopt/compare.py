"""What does another $500 buy? One scenario solved under several budgets, side by side.

The budget curve from one search (`curve`): the sweep searches once, at the scenario's
own budget when it is one of the sweep's (so that row is the plan `tripopt plan` gives
there), else at the largest (`--auto` without a ceiling: with no budget limit), and
every other budget is served from the routes that search met: a set packing per
extension layout under that budget, then a short search from the best packing (see
`curve`). Scenarios with events are solved per budget, each a full search
(`_solve_budget`).

Monotone by construction: the other budgets are solved in ascending waves (as many at a
time as the executor runs), each warm-started from the best plan found so far that it
can pay for (a plan that keeps a smaller budget keeps a larger one), and a last pass
gives every budget the best plan that keeps it, whichever budget it was found under.
Plans remembered from earlier runs (`store`) take part as if found in this one. So a
larger budget never shows a lower value. Waves, not a race between processes, decide
which plan warm-starts which budget, so a sweep is as repeatable as the plans in it (see
README, "Determinism"), and the same wherever its tasks run: local processes, or a Dask
cluster (`scheduler`, docs/cluster.md: the one search is one task, then a task per
budget with the routes it met) with as many budgets per wave as the local run has
processes (`processes`; default there: the cluster's worker threads).

`auto_compare` finds the budgets where the value changes: a plan found under budget B
costs C <= B, so its value is already available from C; C is a breakpoint candidate,
and the gap below it is probed until it is narrower than the resolution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from . import curve
from .comparison import BudgetRow, Comparison, Progress
from .curve import RoutePool, Searched
from .errors import InfeasibleError, UndecidedError
from .executors import Executor, open_executor
from .limits import Interrupted
from .model import Scenario
from .plan import Outline, Plan
from .planner import adopt, solve
from .store import Remembered, mark_recalled


def compare(scenario: Scenario, budgets: Sequence[float], processes: int | None = None,
            progress: Progress | None = None, interrupted: Interrupted | None = None,
            remembered: Sequence[Remembered] = (), scheduler: str | None = None) -> Comparison:
    """Solve under every budget (each with the scenario's time limit) and make it monotone;
    `processes` at a time here, or on the Dask cluster at `scheduler` (tcp://host:8786)."""
    with _Sweep(scenario, processes, progress, interrupted, remembered, scheduler) as sweep:
        sweep.run(budgets)
        return sweep.result()


def auto_compare(scenario: Scenario, floor: float = 0.0, ceiling: float | None = None, points: int = 6,
                 resolution: float | None = None, processes: int | None = None,
                 progress: Progress | None = None, interrupted: Interrupted | None = None,
                 remembered: Sequence[Remembered] = (), scheduler: str | None = None) -> Comparison:
    """The budgets at which the value changes, between `floor` and `ceiling`.

    Without a ceiling, the plan with no budget limit sets it (its cost: more money buys
    nothing). A grid of `points` budgets is solved first; then, wherever the value rises
    between two budgets, the cost of the richer plan is added as a row (adopted, not
    searched) and the gap below it is probed at its middle while wider than `resolution`
    (default 2% of the range, at least 1 currency unit). `processes` and `scheduler` as
    for `compare`.
    """
    with _Sweep(scenario, processes, progress, interrupted, remembered, scheduler) as sweep:
        if ceiling is None:
            unlimited = sweep.solve_unlimited()
            ceiling = max(floor, math.ceil(unlimited.cost))
            sweep.add(ceiling, unlimited)
        resolution = resolution or max((ceiling - floor) * 0.02, 1.0)
        count = max(points, 2)
        sweep.run(sorted({round(floor + (ceiling - floor) * k / (count - 1), 2) for k in range(count)}))
        for _ in range(8):  # each round at least halves every gap it probes
            probes = sweep.refine(resolution)
            if not probes or sweep.stopped:
                break
            sweep.run(probes)
        sweep.refine(resolution)  # breakpoints of the last round's plans
        return sweep.result()


class _Sweep:
    """The rows solved so far, and the executor that solves more of them in waves (as many
    budgets a wave as it runs at once)."""

    def __init__(self, scenario: Scenario, processes: int | None, progress: Progress | None,
                 interrupted: Interrupted | None, remembered: Sequence[Remembered],
                 scheduler: str | None = None) -> None:
        self.scenario = scenario
        self.remembered = list(remembered)
        self.progress = progress
        self.interrupted = interrupted or Interrupted()
        self.rows: dict[float, BudgetRow] = {}
        self.unsolved: list[float] = []
        self.known = 0
        self.one_search = curve.applies(scenario)
        self.routes: RoutePool | None = None  # of the sweep's one search, once it has run
        self.executor: Executor[Any, Any] = open_executor(processes, scheduler)

    def __enter__(self) -> _Sweep:
        return self

    def __exit__(self, *exc: object) -> None:
        self.executor.close()

    @property
    def stopped(self) -> bool:
        return self.interrupted.set

    def solve_unlimited(self) -> Plan:
        """The plan with no budget limit (InfeasibleError if there is none at all); with
        one search for the sweep, it is that search."""
        row = self._search(None) if self.one_search else self._solve_wave([None])[0]
        if row is None:
            raise UndecidedError("interrupted before the plan with no budget limit was searched")
        if row.plan is None:
            raise InfeasibleError(f"even without a budget limit: {row.reason}")
        return row.plan

    def add(self, budget: float, source: Plan | Remembered) -> bool:
        """A row from a plan found elsewhere (re-checked under this budget, not searched);
        False if it was a remembered plan that no longer re-checks (it is forgotten)."""
        try:
            plan = adopt(self.scenario.with_budget(budget), source.outline)
        except InfeasibleError:
            if isinstance(source, Plan):
                raise
            self.remembered.remove(source)
            return False
        if isinstance(source, Plan):
            plan = replace(plan, stopped_by=source.stopped_by, seconds=source.seconds, recalled=source.recalled)
        else:
            plan = replace(plan, recalled=True)
        self.rows[budget] = BudgetRow(budget, plan)
        return True

    def run(self, budgets: Sequence[float]) -> None:
        """Solve the new budgets in ascending waves as wide as the executor, warm-started from below."""
        todo = sorted(b for b in set(budgets) if b not in self.rows)
        self.known += len(todo)
        if todo and self.one_search and self.routes is None and not self.stopped:
            first = self.scenario.budget if self.scenario.budget in todo else todo[-1]
            todo.remove(first)
            self._record(first, self._search(first))
        width = self.executor.width
        for first in range(0, len(todo), width):
            wave = todo[first:first + width]
            if self.stopped:
                self.unsolved += wave
                continue
            for budget, row in zip(wave, self._solve_wave(wave)):
                self._record(budget, row)

    def _record(self, budget: float, row: BudgetRow | None) -> None:
        """A solved row (None: the interrupt came before it started)."""
        if row is None:
            self.unsolved.append(budget)
            return
        self.rows[row.budget] = row
        if self.progress is not None:
            self.progress(row, len(self.rows), self.known)

    def _search(self, budget: float | None) -> BudgetRow | None:
        """The sweep's one search, one task (plain data: the scenario, the budget, the warm
        start's outline); its routes serve every later row."""
        job = (self.scenario, budget, _outline_of(self._best_keeping(budget)))
        searched = self.executor.map(_search_task, [job], self.interrupted)[0]
        if searched is None:
            return None
        self.routes = searched.routes
        return self._recalled(searched.row)

    def _solve_wave(self, wave: Sequence[float | None]) -> list[BudgetRow | None]:
        """One task per budget (plain data: the scenario, the budget, the warm start's
        outline, and the routes of the one search when there is one)."""
        warm = [(self.scenario, budget, _outline_of(self._best_keeping(budget))) for budget in wave]
        if self.routes is not None:
            rows = self.executor.map(_row_task, [(*job, self.routes) for job in warm], self.interrupted)
        else:
            rows = self.executor.map(_solve_budget_task, warm, self.interrupted)
        return [self._recalled(r) for r in rows]

    def _recalled(self, row: BudgetRow | None) -> BudgetRow | None:
        """The row, its plan marked if it is one remembered from an earlier run."""
        if row is None or row.plan is None:
            return row
        return replace(row, plan=mark_recalled(row.plan, self.remembered))

    def _best_keeping(self, budget: float | None) -> Plan | Remembered | None:
        """The best plan found so far (under any budget, or remembered) that this budget
        can pay for; of equals, one found in this sweep."""
        found: list[Plan | Remembered] = [r.plan for r in self.rows.values() if r.plan is not None]
        keeping = [p for p in [*found, *self.remembered] if budget is None or p.cost <= budget + 1e-9]
        return min(keeping, key=lambda p: (-p.value, p.cost), default=None)

    def refine(self, resolution: float) -> list[float]:
        """Add each richer plan's own cost as a row; return the gaps' midpoints to probe."""
        self._make_monotone()
        probes = []
        ordered = sorted(self.rows.values(), key=lambda r: r.budget)
        for low, high in zip(ordered, ordered[1:]):
            if high.plan is None or high.value <= low.value:
                continue
            needed = math.ceil(high.plan.cost * 100 - 1e-6) / 100  # the cheapest budget this plan keeps
            if needed > low.budget and needed not in self.rows:
                self.add(needed, high.plan)
            if needed - low.budget > resolution:
                probes.append(round((low.budget + needed) / 2, 2))
        return probes

    def _make_monotone(self) -> None:
        """Every budget gets the best plan that keeps it, whichever budget it was found
        under (a plan found under a larger budget may cost less than a smaller one)."""
        for budget, row in list(self.rows.items()):
            while (best := self._best_keeping(budget)) is not None and (-best.value, best.cost) < row.rank():
                if self.add(budget, best):
                    break

    def result(self) -> Comparison:
        self._make_monotone()
        rows = tuple(self.rows[b] for b in sorted(self.rows))
        return Comparison(self.scenario.name, self.scenario.currency, rows, tuple(sorted(self.unsolved)))


def _solve_budget(scenario: Scenario, budget: float | None, warm: Outline | None,
                  interrupted: Interrupted | None = None) -> BudgetRow:
    """One budget's plan (warm-started, a full search), or the reason there is none."""
    return curve.solved_row(budget, lambda: solve(scenario.with_budget(budget), interrupted=interrupted,
                                                  warm_start=warm))


def _outline_of(source: Plan | Remembered | None) -> Outline | None:
    return source.outline if source is not None else None


def _solve_budget_task(job: tuple[Scenario, float | None, Outline | None], interrupted: Interrupted) -> BudgetRow:
    """The executor's task: one budget, wherever it runs (the OR-Tools model is built there)."""
    return _solve_budget(*job, interrupted=interrupted)


def _search_task(job: tuple[Scenario, float | None, Outline | None], interrupted: Interrupted) -> Searched:
    """The executor's task for the sweep's one search (`curve.search`)."""
    return curve.search(*job, interrupted=interrupted)


def _row_task(job: tuple[Scenario, float, Outline | None, RoutePool], interrupted: Interrupted) -> BudgetRow:
    """The executor's task for a budget served by the one search's routes (`curve.row`)."""
    return curve.row(*job, interrupted=interrupted)
