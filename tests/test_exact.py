"""tripopt.exact: the insertion test is exact and the exhaustive search finds the optimum,
both against brute force on random problems (tests/routing_cases.py)."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripopt.exact import BranchAndBound, insertion_options, obeys_triangle, tour_cost
from tripopt.problem import RoutingProblem, evaluate

from .routing_cases import broken_rule, feasible_routes, insertion_rules_only, problems


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(), seed=st.integers(0, 100))
def test_insertion_options_are_exactly_the_feasible_insertions(problem, seed):
    free = insertion_rules_only(problem)
    routes = feasible_routes(problem, seed)
    served = {free.group[n] for r in routes for n in r}
    candidates = [n for n in free.visit_nodes if free.group[n] not in served]
    found = insertion_options(free, routes, candidates)
    for node, options in zip(candidates, found):
        claimed = {(o.tour, o.position) for o in options}
        truth = {(t, k) for t, route in enumerate(routes) for k in range(len(route) + 1)
                 if broken_rule(free, [r if s != t else [*r[:k], node, *r[k:]] for s, r in enumerate(routes)])
                 is None}
        assert claimed == truth, (node, routes)
        for o in options:  # and the added cost is the real difference
            after = [r if s != o.tour else [*r[:o.position], node, *r[o.position:]] for s, r in enumerate(routes)]
            assert tour_cost(free, after) - tour_cost(free, routes) == o.added_cost


def _brute_force_best(problem: RoutingProblem) -> tuple[int, int] | None:
    """(prize, -cost) of the best plan by trying every assignment and order of visits."""
    nodes = list(problem.visit_nodes)
    best = None
    tours = len(problem.tours)
    for labels in itertools.product(range(-1, tours), repeat=len(nodes)):
        chosen = [[n for n, label in zip(nodes, labels) if label == t] for t in range(tours)]
        if len({problem.group[n] for r in chosen for n in r}) != sum(len(r) for r in chosen):
            continue
        for orders in itertools.product(*(itertools.permutations(r) for r in chosen)):
            solution = evaluate(problem, [list(o) for o in orders])
            if solution is not None:
                key = (solution.prize, -solution.cost)
                best = key if best is None or key > best else best
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(max_visits=5))
def test_branch_and_bound_finds_the_optimum(problem):
    if not obeys_triangle(problem):
        return
    decision = BranchAndBound(problem, tuple(() for _ in problem.tours), sorted(set(problem.group) - {-1}),
                              2_000_000).run()
    truth = _brute_force_best(problem)
    if truth is None:
        assert decision.status == "infeasible"
        return
    assert decision.status == "optimal" and decision.routes is not None
    solution = evaluate(problem, decision.routes)
    assert solution is not None and (solution.prize, -solution.cost) == truth
