"""Why a customer is not in the plan, and why a scenario has no plan at all.

Every reason code is a claim that must be true (CONTRACT section 5), so each is backed
by a small exact test on the compiled problems: a customer alone with the day's
commitments, every insertion position, every day of every extension layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from functools import lru_cache

from .compile import CENTS, CompiledProblem
from .plan import Unvisited
from .routing import earliest_schedule, route_cost

_DAY = "%a %d %b"


@dataclass(frozen=True)
class _Insertion:
    """The cheapest way to add one node to a day that holds only its commitments."""

    layout_index: int
    tour: int
    total_cost: int  # cost units of the whole trip: commitments, this visit and fixed costs


def _base_route(compiled: CompiledProblem, tour: int) -> list[int]:
    """The commitments of a tour, in time order (their order is forced by their times)."""
    return list(_base_routes(compiled)[tour])


@lru_cache(maxsize=16)
def _base_routes(compiled: CompiledProblem) -> tuple[tuple[int, ...], ...]:
    p = compiled.problem
    commitments = [i for i, kind in enumerate(compiled.node_kind) if kind == "commitment" and p.windows[i]]
    return tuple(tuple(sorted((i for i in commitments if p.allowed_tours[i] == (t,)),
                              key=lambda i: p.windows[i][0][0])) for t in range(len(p.tours)))


def _base_cost(compiled: CompiledProblem) -> int:
    """Cost of a trip with commitments only, fixed costs included (a lower bound for any plan)."""
    p = compiled.problem
    fixed = round(compiled.layout.fixed_cost * CENTS)
    return fixed + sum(route_cost(p, t, _base_route(compiled, t)) for t in range(len(p.tours)))


def _fits(compiled: CompiledProblem, index: int, zero_travel: bool) -> list[tuple[int, list[int]]]:
    """(tour, route) for every feasible insertion of customer `index` (any of its node
    copies) into a day that holds only its commitments."""
    p = compiled.problem
    found = []
    for node in compiled.customer_nodes(index):
        for tour in p.allowed_tours[node] or ():
            base = _base_route(compiled, tour)
            for position in range(len(base) + 1):
                route = base[:position] + [node] + base[position:]
                if earliest_schedule(p, tour, route, zero_travel).failed_at is None:
                    found.append((tour, route))
    return found


def customer_reason(compiled_all: list[CompiledProblem], index: int) -> tuple[str, str]:
    """(code, reason) for customer `index`, true whatever the solver did."""
    customer = compiled_all[0].scenario.customers[index]
    if not any(c.problem.servable(n) for c in compiled_all for n in c.customer_nodes(index)):
        return "no_availability", _no_availability(compiled_all[0], customer)
    if not any(_fits(c, index, zero_travel=True) for c in compiled_all):
        return "conflicts", (f"its windows ({customer.hours.text}) are all blocked by the commitments, "
                             "the arrival or the departure")
    options = [(li, c) for li, c in enumerate(compiled_all) if _fits(c, index, zero_travel=False)]
    if not options:
        cap = compiled_all[0].scenario.trip.max_drive_minutes
        limit = f" or within the {cap // 60}h{cap % 60:02d} driving cap" if cap else ""
        return "too_far", f"cannot be reached and left in time on any day{limit}, even as the only visit"
    best = _cheapest(compiled_all, index)
    budget = compiled_all[0].scenario.budget
    if budget is not None and best is not None and best.total_cost > round(budget * CENTS):
        compiled = compiled_all[best.layout_index]
        day = compiled.layout.days[best.tour].day
        short = (best.total_cost - round(budget * CENTS)) / CENTS
        return "over_budget", (f"visiting it alone costs more than the budget; it would fit on "
                               f"{day:{_DAY}} if the budget were {short:,.2f} higher")
    where = ""
    if best is not None:
        where = f" (it fits on {compiled_all[best.layout_index].layout.days[best.tour].day:{_DAY}})"
    return "lower_value", f"left out for visits worth more, or for the time and budget they use{where}"


def _cheapest(compiled_all: list[CompiledProblem], index: int) -> _Insertion | None:
    best = None
    for li, compiled in enumerate(compiled_all):
        base = _base_cost(compiled)
        p = compiled.problem
        for tour, route in _fits(compiled, index, zero_travel=False):
            total = base - route_cost(p, tour, _base_route(compiled, tour)) + route_cost(p, tour, route)
            if best is None or total < best.total_cost:
                best = _Insertion(li, tour, total)
    return best


def _no_availability(compiled: CompiledProblem, customer) -> str:
    days = compiled.scenario.trip.possible_days
    windows = [w for d in days for w in customer.hours.windows_on(d)]
    if windows:
        return (f"no window on the trip's days is long enough for the {customer.meeting_minutes}-minute "
                f"meeting (hours {customer.hours.text})")
    return f"not available on any day the trip may use ({days[0]:{_DAY}} to {days[-1]:{_DAY}}; hours {customer.hours.text})"


def unvisited_reasons(compiled_all: list[CompiledProblem], visited: frozenset[str]) -> tuple[Unvisited, ...]:
    scenario = compiled_all[0].scenario
    result = []
    for index, customer in enumerate(scenario.customers):
        if customer.name not in visited:
            code, reason = customer_reason(compiled_all, index)
            result.append(Unvisited(customer.name, customer.value, code, reason, customer.lat, customer.lon))
    return tuple(result)


# -- infeasible scenarios ---------------------------------------------------------------


def quick_infeasibility(compiled_all: list[CompiledProblem]) -> str | None:
    """A reason found without searching (commitments, budget, a must-visit alone), or None."""
    for check in (_commitment_reason, _budget_reason, _must_visit_reason):
        reason = check(compiled_all)
        if reason:
            return reason
    return None


def infeasibility_reason(compiled_all: list[CompiledProblem]) -> str:
    """The first reason found, checking the cheapest explanations first."""
    plain = compiled_all[0]
    reason = quick_infeasibility(compiled_all)
    if reason:
        return reason
    must = [c.name for c in plain.scenario.customers if c.must_visit]
    if must:
        return (f"each must-visit customer fits on its own, but {', '.join(must)} could not all be fitted "
                "together with the commitments (no plan found within the time limit)")
    return "no feasible plan was found within the time limit"


def _commitment_reason(compiled_all: list[CompiledProblem]) -> str | None:
    """Commitments that cannot be kept even with no customer at all (checked on every layout)."""
    reasons = []
    for compiled in compiled_all:
        p = compiled.problem
        for tour in range(len(p.tours)):
            base = _base_route(compiled, tour)
            timed = earliest_schedule(p, tour, base)
            if timed.failed_at is not None:
                reasons.append(_explain(compiled, tour, base, timed))
                break
        else:
            return None  # this layout keeps every commitment
    return reasons[0]


def _explain(compiled: CompiledProblem, tour: int, base: list[int], timed) -> str:
    scenario, p = compiled.scenario, compiled.problem
    tour_day = compiled.layout.days[tour]
    day = f"{tour_day.day:{_DAY}}"
    if timed.failed_at == -1:
        return (f"on {day} the commitments alone need {timed.drive} minutes of driving, over the "
                f"{scenario.trip.max_drive_minutes}-minute cap")
    if timed.failed_at == len(base):
        return (f"on {day} the traveller cannot be back at {tour_day.end_place} by {_hhmm(p.tours[tour].latest_end)}"
                f" after the last commitment (arrives {_hhmm(timed.arrive_end)})")
    node = base[timed.failed_at]
    k = scenario.commitments[compiled.node_ref[node]]
    before = (f"leaving '{scenario.commitments[compiled.node_ref[base[timed.failed_at - 1]]].name}'"
              if timed.failed_at else f"starting from {tour_day.start_place} at {_hhmm(tour_day.start_minute)}")
    return (f"commitment '{k.name}' on {day} at {_hhmm(k.start_minute)} ({k.place}) cannot be reached in time: "
            f"{before}, the earliest arrival is {_hhmm(timed.arrive_end)}")


def _budget_reason(compiled_all: list[CompiledProblem]) -> str | None:
    scenario = compiled_all[0].scenario
    if scenario.budget is None:
        return None
    cheapest = min(_base_cost(c) for c in compiled_all)
    if cheapest > round(scenario.budget * CENTS):
        return (f"the commitments alone cost {cheapest / CENTS:,.2f} {scenario.currency}, over the budget of "
                f"{scenario.budget:,.2f}")
    return None


def _must_visit_reason(compiled_all: list[CompiledProblem]) -> str | None:
    scenario = compiled_all[0].scenario
    for index, customer in enumerate(scenario.customers):
        if customer.must_visit:
            code, reason = customer_reason(compiled_all, index)
            if code != "lower_value":
                return f"must-visit customer '{customer.name}' cannot be visited: {reason}"
    return None


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
