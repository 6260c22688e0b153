"""How long the search runs: settings, the work budget, and the stop flag (no OR-Tools).

Runs repeat because work, not the clock, ends a phase (README, "Determinism"): the time
limit becomes a budget of solutions examined (`work_budget`), shared out here among the
phases (scouting the extension layouts, guided local search, ruin and recreate), and the
clock is only a cap. The calibration figures behind the rates are in
benchmarks/README.md.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

# Solutions of guided local search per second per node: the time limit becomes
# time_limit x WORK_RATE / nodes solutions.
WORK_RATE = 6000
SCOUT_SHARE = 0.3  # time and work for scouting all layouts; the rest goes to the best
SCOUT_MIN_ITERATIONS = 20  # of ruin and recreate per layout, however short the limit
# A ruin-and-recreate iteration costs a tenth of a guided-local-search solution or less at
# LNS_CALIBRATION_NODES nodes; above that size the ratio grows as n^(2/3).
LNS_ITERATIONS_PER_SOLUTION = 10
LNS_CALIBRATION_NODES = 92
DESCENT_FLOOR_SECONDS = 0.25  # a descent is never cut shorter: it ends at a local optimum by itself
PROGRESS_INTERVAL_SECONDS = 0.25  # progress reports are throttled to this


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


class Interrupted:
    """A flag the caller sets (from a SIGINT handler, say) to end the search early; the
    search reads it from its own threads too, hence the event."""

    def __init__(self) -> None:
        self._event = threading.Event()

    @property
    def set(self) -> bool:
        return self._event.is_set()

    @set.setter
    def set(self, value: bool) -> None:
        if value:
            self._event.set()
        else:
            self._event.clear()


def work_budget(time_limit_seconds: float, work_limit: int | None, nodes: int) -> float:
    """Solutions a search of this size may examine: the scenario's own limit, else the
    time limit at WORK_RATE."""
    return work_limit or time_limit_seconds * WORK_RATE / nodes


def phase_settings(seconds: float, work: float | None, metaheuristic: str = "GUIDED_LOCAL_SEARCH") -> SearchSettings:
    """One search phase's settings. A descent (the scouting fallback when the construction
    misses a mandatory visit) is pure: no ruin and recreate."""
    descent = metaheuristic == "GREEDY_DESCENT"
    return SearchSettings(time_limit_seconds=max(seconds, 0.05), metaheuristic=metaheuristic,
                          work_limit=None if work is None else max(int(work), 10),
                          ruin_and_recreate=0.0 if descent else SearchSettings.ruin_and_recreate)


def descent(settings: SearchSettings) -> SearchSettings:
    """Descent to a local optimum: deterministic, so it needs no work limit."""
    return replace(settings, metaheuristic="GREEDY_DESCENT", work_limit=None, ruin_and_recreate=0.0)


def lns_iterations_per_solution(nodes: int) -> float:
    """Ruin-and-recreate iterations worth one guided-local-search solution at this size: a
    GLS solution's cost grows about linearly with the nodes, an iteration's much more
    slowly, so with a fixed ratio large problems spent almost nothing in ruin and recreate."""
    return LNS_ITERATIONS_PER_SOLUTION * max(1.0, nodes / LNS_CALIBRATION_NODES) ** (2 / 3)


def scout_iterations(work: float, layouts: int, nodes: int) -> int:
    """Ruin-and-recreate iterations for scouting one of `layouts` extension layouts."""
    return max(int(work * SCOUT_SHARE / layouts * lns_iterations_per_solution(nodes)), SCOUT_MIN_ITERATIONS)


def gls_work(settings: SearchSettings) -> int | None:
    """Guided local search's share of the work limit (the rest is ruin and recreate's)."""
    if settings.work_limit is None:
        return None
    return max(int(settings.work_limit * (1 - settings.ruin_and_recreate)), 1)


def lns_work(settings: SearchSettings, nodes: int) -> int | None:
    """Ruin and recreate's share of the work limit, in iterations."""
    if settings.work_limit is None:
        return None
    return max(int(settings.work_limit * settings.ruin_and_recreate * lns_iterations_per_solution(nodes)), 1)


RESEQUENCE_SHARE = 0.1  # of the time limit, for re-ordering small plans to make room (planner._complete)
RESEQUENCE_RATE = 20_000  # exhaustive schedule checks per second, about (benchmarks/README.md)


def resequence_work(time_limit_seconds: float) -> int:
    """Schedule checks for re-ordering a small plan's visits to fit one more, all customers
    together: a share of the time limit, counted in work so that runs repeat."""
    return int(time_limit_seconds * RESEQUENCE_SHARE * RESEQUENCE_RATE)


def stopped_by(phases: list[str], interrupted: Interrupted) -> str:
    """What ended a search of several phases: an interrupt, else the clock if it ended
    any phase, else work."""
    if interrupted.set:
        return "interrupt"
    return "time" if any(p.endswith(":time") for p in phases) else "work"
