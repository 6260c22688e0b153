"""A budget sweep's results and its budgets (no solver): what `compare` returns and the
reports read, apart from the search that fills it in."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .errors import InputError, Problem
from .plan import Plan


@dataclass(frozen=True)
class BudgetRow:
    """One budget's outcome: a plan, or the reason there is none."""

    budget: float
    plan: Plan | None
    reason: str = ""
    status: str = "feasible"  # or "infeasible" (proven), "undecided" (no plan found, none proven)

    @property
    def value(self) -> float:
        return self.plan.value if self.plan is not None else 0.0

    def rank(self) -> tuple[float, float]:
        """The contract's order (value first, then cost); no plan ranks last."""
        if self.plan is None:
            return (math.inf, math.inf)
        return (-self.plan.value, self.plan.cost)


@dataclass(frozen=True)
class Step:
    """From one budget to the next one up: what the extra money buys."""

    extra_budget: float
    extra_value: float
    extra_visits: int
    gained: tuple[str, ...]
    lost: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    scenario: str
    currency: str
    rows: tuple[BudgetRow, ...]  # ascending budgets
    unsolved: tuple[float, ...] = ()  # budgets an interrupt left out

    @property
    def breakpoints(self) -> tuple[float, ...]:
        """Budgets at which the value rises above that of every smaller budget."""
        found, best = [], None
        for row in self.rows:
            if row.plan is not None and (best is None or row.value > best):
                found.append(row.budget)
                best = row.value
        return tuple(found)

    def steps(self) -> list[Step | None]:
        """The step up to each row from the row before it (None for the first)."""
        result: list[Step | None] = [None]
        for low, high in zip(self.rows, self.rows[1:]):
            before = low.plan.visited_names if low.plan else frozenset()
            after = high.plan.visited_names if high.plan else frozenset()
            result.append(Step(high.budget - low.budget, high.value - low.value,
                               len(after) - len(before), tuple(sorted(after - before)),
                               tuple(sorted(before - after))))
        return result


Progress = Callable[[BudgetRow, int, int], None]  # (row just finished, done, known so far)

_RANGE = re.compile(r"^\s*([0-9.]+)\s*:\s*([0-9.]+)\s*:\s*([0-9.]+)\s*$")


def parse_budgets(single: Sequence[float], ranges: Sequence[str]) -> list[float]:
    """Budgets from repeated `--budget N` and `--budgets FROM:TO:STEP` (TO included)."""
    budgets = list(single)
    for text in ranges:
        match = _RANGE.match(text)
        if not match:
            raise InputError(Problem("--budgets", f"{text!r} is not FROM:TO:STEP (e.g. 250:2000:250)"))
        low, high, step = (float(g) for g in match.groups())
        if step <= 0 or high < low:
            raise InputError(Problem("--budgets", f"{text!r}: STEP must be > 0 and TO >= FROM"))
        count = math.floor((high - low) / step + 1e-9)
        if count > 200:
            raise InputError(Problem("--budgets", f"{text!r} makes {count + 1} budgets; at most 201"))
        budgets += [round(low + k * step, 2) for k in range(count + 1)]
    if any(b < 0 or not math.isfinite(b) for b in budgets):
        raise InputError(Problem("--budget", "budgets must be finite and >= 0"))
    if not budgets:
        raise InputError(Problem("--budget", "give at least one budget (--budget N, --budgets FROM:TO:STEP or --auto)"))
    return sorted(set(budgets))
