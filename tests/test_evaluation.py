"""tripopt.evaluation: ruin and recreate's vectorised insertion test never offers an
insertion that breaks a rule, and prices each one right (against tests/routing_cases.py's
independent check and the exact insertion test)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripopt.evaluation import RouteEvaluator
from tripopt.exact import insertion_options, tour_cost
from tripopt.objective import soft_arcs, soft_penalties
from tripopt.problem import NEVER, route_cost

from .routing_cases import broken_rule, feasible_routes, insertion_rules_only, problems


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(), seed=st.integers(0, 100))
def test_every_offered_insertion_keeps_the_rules_and_costs_what_it_says(problem, seed):
    free = insertion_rules_only(problem)
    routes = feasible_routes(problem, seed)
    arcs = soft_arcs(free)
    evaluator = RouteEvaluator(free, arcs, soft_penalties(free, arcs, 2.0))
    exact = {node: {(o.tour, o.position) for o in found}
             for node, found in zip(evaluator.candidates.tolist(),
                                    insertion_options(free, routes, evaluator.candidates.tolist()))}
    for t, visits in enumerate(routes):
        route, options = evaluator.evaluated(t, visits)
        assert route.spend == route_cost(free, t, visits)
        for row, node in enumerate(evaluator.candidates.tolist()):
            if node in visits:
                continue
            for gap in range(len(visits) + 1):
                if options.taken[gap, row] >= NEVER:
                    continue
                if free.group[node] in {free.group[n] for r in routes for n in r}:
                    continue  # another copy of the visit is served: the loop never offers that one
                after = [r if s != t else [*r[:gap], node, *r[gap:]] for s, r in enumerate(routes)]
                assert broken_rule(free, after) is None, (node, t, gap)
                assert (t, gap) in exact[node]
                assert evaluator.spend(route, row, gap) == tour_cost(free, after) - tour_cost(free, routes)
