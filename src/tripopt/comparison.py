"""A budget sweep's results and its budgets (no solver): what `compare` returns and the
reports read, apart from the search that fills it in."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .errors import InputError, Problem
from .plan import ExtensionDay, Plan


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
class TravellerStep:
    """One traveller's part of a step up, in a team: the change in their own visits.
    `gained`: new to the team, on their days; `taken`: a colleague's before, theirs now, as
    (customer, from whom); `handed`: theirs before, a colleague's now, as (customer, to
    whom); `lost`: theirs before, visited by nobody now. `extra_visits` and `extra_value`
    count all four."""

    traveller: str
    extra_visits: int
    extra_value: float
    gained: tuple[str, ...]
    taken: tuple[tuple[str, str], ...]
    handed: tuple[tuple[str, str], ...]
    lost: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.gained or self.taken or self.handed or self.lost)


@dataclass(frozen=True)
class Step:
    """From one budget to the next one up: what the extra money buys (and, in a team,
    `by_traveller`: each traveller's part, in the team's order); `extension_gained` and
    `extension_lost`: the extension days the plan starts and stops using, so a step that
    is really "buy Tuesday" says so."""

    extra_budget: float
    extra_value: float
    extra_visits: int
    gained: tuple[str, ...]
    lost: tuple[str, ...]
    by_traveller: tuple[TravellerStep, ...] = ()
    extension_gained: tuple[ExtensionDay, ...] = ()
    extension_lost: tuple[ExtensionDay, ...] = ()


def visits_by_traveller(plan: Plan | None) -> dict[str, dict[str, float]]:
    """Each traveller's visits in a plan, customer name to value (team order; one
    traveller is named "")."""
    result: dict[str, dict[str, float]] = {name: {} for name in (plan.travellers if plan else ())}
    for day in plan.days if plan else ():
        result.setdefault(day.traveller, {}).update((s.name, s.value) for s in day.visits)
    return result


def _traveller_steps(low: Plan | None, high: Plan | None) -> tuple[TravellerStep, ...]:
    """Each traveller's part of the step from `low` to `high` (() without a team)."""
    team = (high.travellers if high else ()) or (low.travellers if low else ())
    if not team:
        return ()
    before, after = visits_by_traveller(low), visits_by_traveller(high)
    was = {name: traveller for traveller, visits in before.items() for name in visits}
    now = {name: traveller for traveller, visits in after.items() for name in visits}
    steps = []
    for traveller in team:
        old, new = before.get(traveller, {}), after.get(traveller, {})
        came, gone = sorted(set(new) - set(old)), sorted(set(old) - set(new))
        steps.append(TravellerStep(
            traveller, len(new) - len(old), round(sum(new.values()) - sum(old.values()), 6),
            tuple(n for n in came if n not in was), tuple((n, was[n]) for n in came if n in was),
            tuple((n, now[n]) for n in gone if n in now), tuple(n for n in gone if n not in now)))
    return tuple(steps)


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

    def marginal_values(self) -> list[float | None]:
        """Each row's marginal value per unit of money (docs/plan-json.md,
        `marginal_value_per_dollar`): (value - value of the next lower budget with a plan)
        / (budget - that budget), rounded to 6 places; None for a row without a plan and
        for the lowest row with one."""
        result: list[float | None] = []
        below: BudgetRow | None = None
        for row in self.rows:
            if row.plan is None:
                result.append(None)
                continue
            result.append(None if below is None or row.budget <= below.budget
                          else round((row.value - below.value) / (row.budget - below.budget), 6))
            below = row
        return result

    def steps(self) -> list[Step | None]:
        """The step up to each row from the row before it (None for the first)."""
        result: list[Step | None] = [None]
        for low, high in zip(self.rows, self.rows[1:]):
            before = low.plan.visited_names if low.plan else frozenset()
            after = high.plan.visited_names if high.plan else frozenset()
            was = set(low.plan.extension_dates if low.plan else ())
            now = set(high.plan.extension_dates if high.plan else ())
            result.append(Step(high.budget - low.budget, high.value - low.value,
                               len(after) - len(before), tuple(sorted(after - before)),
                               tuple(sorted(before - after)), _traveller_steps(low.plan, high.plan),
                               tuple(sorted(now - was)), tuple(sorted(was - now))))
        return result


Progress = Callable[[BudgetRow, int, int], None]  # (row just finished, done, known so far)

MAX_BUDGET = 1_000_000_000  # the largest budget a command line may ask for (docs/output-safety.md)
MAX_BUDGETS = 201  # budgets in one sweep, all --budget and --budgets together
_NUMBER = r"([0-9]{1,10}(?:\.[0-9]{0,12})?|\.[0-9]{1,12})"  # a plain decimal number (budgets round to cents)
_RANGE = re.compile(rf"\s*{_NUMBER}\s*:\s*{_NUMBER}\s*:\s*{_NUMBER}\s*")


def _quoted(text: str, limit: int = 60) -> str:
    """The user's text for a message: shortened, control characters escaped (never a
    repr of the whole input)."""
    shown = text if len(text) <= limit else f"{text[:limit // 2 - 2]}...{text[-(limit // 2 - 2):]}"
    return "'" + "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
                         for c in shown) + "'"


def parse_budgets(single: Sequence[float], ranges: Sequence[str]) -> list[float]:
    """Budgets from repeated `--budget N` and `--budgets FROM:TO:STEP` (TO included):
    each finite, from 0 to MAX_BUDGET, STEP at least 0.01, at most MAX_BUDGETS in all."""
    budgets = []
    for value in single:
        if not (math.isfinite(value) and 0 <= value <= MAX_BUDGET):
            raise InputError(Problem("--budget", f"{value:g} is out of range: a budget is a finite number "
                                     f"from 0 to {MAX_BUDGET:,}"))
        budgets.append(value)
    for text in ranges:
        match = _RANGE.fullmatch(text)
        if not match:
            raise InputError(Problem("--budgets", f"{_quoted(text)} is not FROM:TO:STEP, each a plain decimal "
                                     "number (e.g. 250:2000:250)"))
        low, high, step = (float(g) for g in match.groups())
        if step < 0.01 or high < low or high > MAX_BUDGET:
            raise InputError(Problem("--budgets", f"{_quoted(text)}: STEP must be at least 0.01, TO >= FROM, "
                                     f"and TO at most {MAX_BUDGET:,}"))
        count = math.floor((high - low) / step + 1e-9)
        if count >= MAX_BUDGETS:
            raise InputError(Problem("--budgets", f"{_quoted(text)} makes {count + 1:,} budgets; "
                                     f"at most {MAX_BUDGETS}"))
        budgets += [round(low + k * step, 2) for k in range(count + 1)]
    if not budgets:
        raise InputError(Problem("--budget", "give at least one budget (--budget N, --budgets FROM:TO:STEP or --auto)"))
    distinct = sorted(set(budgets))
    if len(distinct) > MAX_BUDGETS:
        raise InputError(Problem("--budget/--budgets", f"{len(distinct):,} budgets in all; at most {MAX_BUDGETS} "
                                 "in one comparison"))
    return distinct
