"""Why a customer is not in the plan, and why a scenario has no plan at all.

Every statement here is a claim the traveller may repeat to a manager (docs/reasons.md),
so each is decided exactly on the compiled problems (`exact`): a customer alone on
each day of every extension layout, with and without the commitments; the commitments
and must-visits together, exhaustively; every position of the plan's own days. What the
work limit leaves undecided is said to be undecided.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .compile import CENTS, CompiledProblem, base_routes, without_lunch
from .exact import BranchAndBound, Decision, Insertion, insertion_options, tour_cost
from .model import Customer
from .plan import Hint, Unvisited
from .problem import NO_LUNCH, Schedule, Tour, earliest_schedule, route_cost

_DAY = "%a %d %b"
CORE_WORK = 200_000  # schedule checks for the commitments + must-visits question, per layout
BESIDE_MUSTS_WORK = 20_000  # schedule checks per layout for "this customer and the must-visits"


@lru_cache(maxsize=16)
def _fixed(compiled: CompiledProblem) -> int:
    return round(compiled.layout.fixed_cost * CENTS)


@lru_cache(maxsize=16)  # asked once per customer: thousands of times on a large scenario
def _base_cost(compiled: CompiledProblem) -> int:
    """Cost of a trip with commitments only, fixed costs included (a lower bound for any plan)."""
    return _fixed(compiled) + tour_cost(compiled.problem, base_routes(compiled))


@lru_cache(maxsize=16)  # asked once per customer too
def _must_groups(compiled: CompiledProblem) -> tuple[int, ...]:
    p = compiled.problem
    return tuple(g for g in compiled.customer_groups if p.mandatory[p.alternatives[g][0]])


# -- the commitments and must-visits together ----------------------------------------------


@lru_cache(maxsize=16)
def core(compiled: CompiledProblem) -> Decision:
    """A plan of the commitments and must-visit customers alone, within the budget, found
    or proven impossible by exhaustive search (or undecided when the work runs out)."""
    return _core(compiled, CORE_WORK)


def _core(compiled: CompiledProblem, work: int) -> Decision:
    return BranchAndBound(compiled.problem, base_routes(compiled), _must_groups(compiled), work, first=True).run()


def core_reason(compiled_all: list[CompiledProblem], work: int | None = None) -> str:
    """Why no layout has a plan of its commitments and must-visits, as far as `work`
    schedule checks per layout (default CORE_WORK) decide it."""
    work = CORE_WORK if work is None else work
    scenario = compiled_all[0].scenario
    must = [c.name for c in scenario.customers if c.must_visit]
    names = ", ".join(must)
    layouts = " on any choice of extension days" if len(compiled_all) > 1 else ""
    decisions = [core(c) if work <= CORE_WORK or core(c).status != "undecided" else _core(c, work)
                 for c in compiled_all]
    if any(d.found for d in decisions):
        raise ValueError("core_reason is for scenarios whose must-visits do not fit")
    if any(d.status == "undecided" for d in decisions):
        return (f"not decided whether the must-visit customers {names} fit together with the commitments: the "
                f"exhaustive check ran out of its work ({work:,} schedule checks per layout) first")
    cheapest = [BranchAndBound(c.problem, base_routes(c), _must_groups(c), work, use_budget=False).run()
                for c in compiled_all]
    if not any(d.found for d in cheapest):
        return (f"the must-visit customers {names} cannot all be visited together with the commitments{layouts}: "
                "every day, order and start time was checked")
    costs = [_fixed(c) + tour_cost(c.problem, d.routes) for c, d in zip(compiled_all, cheapest) if d.routes]
    least = min(costs) / CENTS
    proven = all(d.status != "undecided" for d in cheapest)
    what = ("the cheapest such trip costs" if proven else
            "the cheapest trip found (the search for a cheaper one ran out of work) costs")
    return (f"the must-visit customers {names} fit together with the commitments, but {what} "
            f"{least:,.2f} {scenario.currency}, over the budget of {scenario.budget:,.2f}")


# -- one customer, alone ---------------------------------------------------------------------


@lru_cache(maxsize=16)
def _single(compiled: CompiledProblem) -> tuple[dict[int, list[Insertion]], dict[int, list[Insertion]]]:
    """Per customer, every way to visit it as the only customer: with no commitments, and
    into the days holding only their commitments (one vectorised pass for all customers)."""
    p = compiled.problem
    nodes = [n for n in p.visit_nodes if p.servable(n) and compiled.node_kind[n] == "customer"]
    alone: dict[int, list[Insertion]] = {}
    beside: dict[int, list[Insertion]] = {}
    for routes, found in ((tuple(() for _ in p.tours), alone), (base_routes(compiled), beside)):
        for node, options in zip(nodes, insertion_options(p, routes, nodes)):
            found.setdefault(p.group[node], []).extend(options)
    return alone, beside


def customer_reason(compiled_all: list[CompiledProblem], index: int) -> tuple[str, str] | None:
    """(code, reason) when the customer could not be visited even as the only customer
    (with the commitments, and for the budget the must-visits' lower bound), else None."""
    scenario = compiled_all[0].scenario
    customer = scenario.customers[index]
    if not any(c.problem.servable(n) for c in compiled_all for n in c.customer_nodes(index)):
        return "no_availability", _no_availability(compiled_all[0], customer)
    alone = [(c, sorted({o.tour for o in _single(c)[0].get(index, ())})) for c in compiled_all]
    if not any(tours for _, tours in alone) and any(_single(without_lunch(c))[0].get(index) for c in compiled_all):
        return "lunch", ("it fits alone on a day only if that day had no lunch: the meeting, the travel to and "
                         "from it and the lunch do not all fit, even with no commitments")
    if not any(tours for _, tours in alone):
        caps = {t.max_drive_minutes for t in scenario.team if scenario.may_visit(customer, t)} - {None}
        cap = next(iter(caps)) if len(caps) == 1 else None
        limit = (f" or within the {cap // 60}h{cap % 60:02d} driving cap" if cap else
                 " or within their driving caps" if caps else "")
        who = ", by any traveller allowed to visit it," if scenario.travellers else ""
        return "too_far", (f"cannot be reached and left in time on any day{who}{limit}, even as the only visit "
                           "and with no commitments")
    options = [(c, _single(c)[1].get(index, [])) for c in compiled_all]
    if not any(found for _, found in options):
        lunch = any(_single(without_lunch(c))[1].get(index) for c in compiled_all)
        return "conflicts", _conflict_reason(alone, index, customer) + (" and the day's lunch" if lunch else "")
    if scenario.budget is not None:
        least = min(_base_cost(c) + o.added_cost
                    for c, found in options for o in found)
        if least > round(scenario.budget * CENTS):
            short = (least - round(scenario.budget * CENTS)) / CENTS
            return "over_budget", (f"visiting it, even as the only customer, costs more than the budget: it would "
                                   f"need {short:,.2f} {scenario.currency} more")
        if not customer.must_visit and any(_must_groups(c) for c in compiled_all):
            return _over_budget_beside_musts(compiled_all, index)
    return None


def _over_budget_beside_musts(compiled_all: list[CompiledProblem], index: int) -> tuple[str, str] | None:
    """`over_budget` as docs/reasons.md has it: with the commitments and the must-visit
    customers (who are in every plan), visiting it costs more than the budget. Decided
    exactly per layout: it fits beside the must-visits' own plan, or an exhaustive search
    places them all within the budget (then None), or proves that impossible while a plan
    ignoring the budget exists (that plan's least cost says how much is missing). Time,
    not money, keeping it from the must-visits is not `over_budget`; undecided claims nothing."""
    scenario = compiled_all[0].scenario
    assert scenario.budget is not None
    cheapest: int | None = None
    exact = True
    for c in compiled_all:
        p, decision = c.problem, core(c)
        if decision.routes is None:
            if decision.status == "undecided":
                return None
            continue  # no plan at all on this layout
        spent = tour_cost(p, decision.routes)
        nodes = [n for n in c.customer_nodes(index) if p.servable(n)]
        if any(p.budget is None or spent + o.added_cost <= p.budget
               for found in insertion_options(p, decision.routes, nodes) for o in found):
            return None
        groups = [*_must_groups(c), index]
        within = BranchAndBound(p, base_routes(c), groups, BESIDE_MUSTS_WORK, first=True, required=groups).run()
        if within.status != "infeasible":
            return None
        unlimited = BranchAndBound(p, base_routes(c), groups, BESIDE_MUSTS_WORK, use_budget=False,
                                   required=groups).run()
        if unlimited.routes is not None:
            exact &= unlimited.status == "optimal"
            cost = _fixed(c) + tour_cost(p, unlimited.routes)
            cheapest = cost if cheapest is None else min(cheapest, cost)
        elif unlimited.status == "undecided":
            return None
    if cheapest is None:
        return None
    if not exact:
        return "over_budget", ("visiting it besides the must-visit customers costs more than the budget (every "
                               "day, order and start time was checked)")
    short = (cheapest - round(scenario.budget * CENTS)) / CENTS
    return "over_budget", (f"visiting it besides the must-visit customers (and the commitments) costs more than the "
                           f"budget: it would need {short:,.2f} {scenario.currency} more")


def _conflict_reason(alone: list[tuple[CompiledProblem, list[int]]], index: int, customer: Customer) -> str:
    """Name the commitments that block the days on which the customer fits alone: those
    that block it on their own, else all of those days'."""
    blockers: list[str] = []
    for compiled, tours in alone:
        p, base = compiled.problem, base_routes(compiled)
        for t in tours:
            nodes = list(compiled.customer_nodes(index))
            single = [k for k in base[t]
                      if not any(o.tour == t for found in insertion_options(
                          p, tuple((k,) if s == t else () for s in range(len(p.tours))), nodes) for o in found)]
            for k in single or base[t]:
                name = compiled.scenario.commitments[compiled.node_ref[k]].name
                day = f"'{name}' ({_day_of(compiled.problem.tours[t])})"
                if day not in blockers:
                    blockers.append(day)
    named = ", ".join(blockers) if blockers else "the commitments"
    return (f"it fits alone, but its windows ({customer.hours.text}) are blocked on every such day by the "
            f"commitments with their travel: {named}")


def _no_availability(compiled: CompiledProblem, customer: Customer) -> str:
    days = compiled.scenario.trip.possible_days
    windows = [w for d in days for w in customer.hours.windows_on(d)]
    if windows:
        return (f"no window on the trip's days is long enough for the {customer.meeting_minutes}-minute "
                f"meeting (hours {customer.hours.text})")
    return (f"not available on any day the trip may use ({days[0]:{_DAY}} to {days[-1]:{_DAY}}; "
            f"hours {customer.hours.text})")


# -- the plan's own unvisited customers --------------------------------------------------------


@dataclass(frozen=True)
class _Removal:
    node: int
    tour: int
    routes: tuple[tuple[int, ...], ...]


def unvisited_reasons(compiled_all: list[CompiledProblem], compiled: CompiledProblem,
                      routes: tuple[tuple[int, ...], ...], reordered: frozenset[int] = frozenset()
                      ) -> tuple[Unvisited, ...]:
    """Every customer the plan (`routes` of layout `compiled`) leaves out, with a true
    reason and, for those that could be visited, a hint that holds for this plan.
    `reordered`: customers proven not to fit even with the plan's visits re-ordered."""
    scenario, p = compiled.scenario, compiled.problem
    served = {p.group[n] for route in routes for n in route}
    result, open_ = [], []
    for index, customer in enumerate(scenario.customers):
        if index in served:
            continue
        alone = customer_reason(compiled_all, index)
        if alone is not None:
            result.append(Unvisited(customer.name, customer.value, *alone, lat=customer.lat, lon=customer.lon))
        else:
            open_.append(index)
    hints = _hints(compiled, routes, [i for i in open_ if p.prize[compiled.customer_nodes(i)[0]] > 0])
    for index in open_:
        customer = scenario.customers[index]
        hint = hints.get(index)
        if p.prize[compiled.customer_nodes(index)[0]] == 0:
            code, reason = "no_value", "its value is 0, so a visit would add nothing to the plan's value"
        else:
            code = "lower_value"
            checked = ("every day, order and start time was checked" if index in reordered else
                       "every position on every day of the plan was tried, the visits in their order")
            reason = f"no room beside the plan's visits, for the time or the budget they use ({checked})"
        if hint is not None:
            reason += f"; {hint.text}"
        result.append(Unvisited(customer.name, customer.value, code, reason, customer.lat, customer.lon, hint))
    order = {c.name: i for i, c in enumerate(scenario.customers)}
    return tuple(sorted(result, key=lambda u: order[u.name]))


def _hints(compiled: CompiledProblem, routes: tuple[tuple[int, ...], ...], indices: list[int]) -> dict[int, Hint]:
    """For each customer (of positive value: one of value 0 has nothing to gain a place
    for): with every visit kept, the extra budget at which it fits;
    failing that, the visit it could take the place of, on a named day, within the
    budget (the least valuable such visit). Both are checked insertions into this plan."""
    p, scenario = compiled.problem, compiled.scenario
    nodes = [n for i in indices for n in compiled.customer_nodes(i) if p.servable(n)]
    owner = {n: p.group[n] for n in nodes}
    spent = tour_cost(p, routes)
    hints: dict[int, Hint] = {}
    extra_cents: dict[int, int] = {}
    if p.budget is not None:
        for node, options in zip(nodes, insertion_options(p, routes, nodes)):
            if not options:
                continue
            cheapest = min(options, key=lambda o: o.added_cost)
            extra = spent + cheapest.added_cost - p.budget
            if extra > 0 and extra < extra_cents.get(owner[node], extra + 1):
                extra_cents[owner[node]] = extra
                tour = p.tours[cheapest.tour]
                hints[owner[node]] = Hint("budget", tour.day, extra / CENTS, "", 0.0, (
                    f"it would join the plan on {_day_of(tour)}, every visit kept, with a budget "
                    f"{extra / CENTS:,.2f} {scenario.currency} higher"), tour.traveller)
    for removal in _removals(compiled, routes):
        gone = compiled.scenario.customers[compiled.node_ref[removal.node]]
        left = spent - route_cost(p, removal.tour, routes[removal.tour]) + \
            route_cost(p, removal.tour, removal.routes[removal.tour])
        for node, options in zip(nodes, insertion_options(p, removal.routes, nodes)):
            group = owner[node]
            if group in hints and hints[group].kind == "budget":
                continue
            fitting = [o for o in options if p.budget is None or left + o.added_cost <= p.budget]
            if not fitting:
                continue
            current = hints.get(group)
            if current is not None and current.replaces_value <= gone.value:
                continue
            tour, from_tour = p.tours[fitting[0].tour], p.tours[removal.tour]
            where = "" if from_tour == tour else f"{_day_of(from_tour)}, "
            hints[group] = Hint("swap", tour.day, 0.0, gone.name, gone.value, (
                f"it fits on {_day_of(tour)} in place of {gone.name} ({where}value {gone.value:,g})"),
                tour.traveller)
    return hints


def _day_of(tour: Tour) -> str:
    """A tour as the traveller reads it: "Tue 01 Dec", or "Lee's Tue 01 Dec" in a team."""
    day = f"{tour.day:{_DAY}}"
    return f"{tour.traveller}'s {day}" if tour.traveller else day


def _removals(compiled: CompiledProblem, routes: tuple[tuple[int, ...], ...]) -> list[_Removal]:
    """The plan with one optional customer visit taken out, for each such visit."""
    p = compiled.problem
    found = []
    for t, route in enumerate(routes):
        for position, node in enumerate(route):
            shorter = route[:position] + route[position + 1:]
            if compiled.node_kind[node] == "customer" and not p.mandatory[node] and \
                    earliest_schedule(p, t, shorter).failed_at is None:
                found.append(_Removal(node, t, tuple(shorter if s == t else r for s, r in enumerate(routes))))
    return found


# -- infeasible scenarios ---------------------------------------------------------------


def quick_infeasibility(compiled_all: list[CompiledProblem]) -> str | None:
    """A proven reason found without searching (commitments, budget, a must-visit alone), or None."""
    for check in (_commitment_reason, _budget_reason, _must_visit_reason):
        reason = check(compiled_all)
        if reason:
            return reason
    return None


def _commitment_reason(compiled_all: list[CompiledProblem]) -> str | None:
    """Commitments that cannot be kept even with no customer at all (checked on every layout)."""
    reasons = []
    for compiled in compiled_all:
        p = compiled.problem
        for tour in range(len(p.tours)):
            base = list(base_routes(compiled)[tour])
            timed = earliest_schedule(p, tour, base)
            if timed.failed_at is not None:
                reasons.append(_explain(compiled, tour, base, timed))
                break
        else:
            return None  # this layout keeps every commitment
    return reasons[0]


def _explain(compiled: CompiledProblem, t: int, base: list[int], timed: Schedule) -> str:
    if timed.failed_at is None:
        raise AssertionError("only a failing schedule is explained")
    scenario, tour = compiled.scenario, compiled.problem.tours[t]
    day = _day_of(tour)
    clock = lambda minute: f"{compiled.local_time(t, minute):%H:%M}"  # a solver minute as the clock shows it
    if timed.failed_at == -1:
        return (f"on {day} the commitments alone need {timed.drive} minutes of driving, over the "
                f"{scenario.trip.max_drive_minutes}-minute cap")
    if timed.failed_at == NO_LUNCH:
        return f"on {day} the commitments leave no room for lunch"
    if timed.failed_at == len(base):
        return (f"on {day} the traveller cannot be back at {tour.end_place} by {clock(tour.latest_end)}"
                f" after the last commitment (arrives {clock(timed.arrive_end)})")
    node = base[timed.failed_at]
    k = scenario.commitments[compiled.node_ref[node]]
    before = (f"leaving '{scenario.commitments[compiled.node_ref[base[timed.failed_at - 1]]].name}'"
              if timed.failed_at else f"starting from {tour.start_place} at {clock(tour.earliest_start)}")
    return (f"commitment '{k.name}' on {day} at {_hhmm(k.start_minute)} ({k.place}) cannot be reached in time: "
            f"{before}, the earliest arrival is {clock(timed.arrive_end)}")


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
            found = customer_reason(compiled_all, index)
            if found is not None:
                return f"must-visit customer '{customer.name}' cannot be visited: {found[1]}"
    return None


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
