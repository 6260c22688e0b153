"""Ruin and recreate (tripopt.lns) on random routing problems with every kind of rule
(tests/routing_cases.py), checked by the independent `broken_rule`."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripopt import lns as lns_module
from tripopt.limits import SearchSettings
from tripopt.lns import Column, RuinRecreate
from tripopt.objective import soft_arcs, soft_penalties
from tripopt.problem import RoutingProblem, Tour
from tripopt.recombine import recombiner
from tripopt.routing import scout

from .routing_cases import broken_rule, problems


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(problem=problems(), seed=st.integers(1, 5), recombine=st.booleans())
def test_construction_and_search_keep_every_rule(monkeypatch, problem, seed, recombine):
    monkeypatch.setattr(lns_module, "RECOMBINE_EVERY", 10)  # several rounds in 40 iterations
    soft = soft_arcs(problem)
    lns = RuinRecreate(problem, soft, soft_penalties(problem, soft, SearchSettings.value_weight), seed,
                       recombiner(problem) if recombine else None)
    first = lns.construct()
    if first is None:  # only allowed when a mandatory visit found no place or nothing is affordable
        assert any(problem.mandatory) or broken_rule(problem, [[] for _ in problem.tours]) == "over budget"
        return
    assert broken_rule(problem, first) is None, broken_rule(problem, first)
    best, stop = lns.search(first, 30.0, 40, None, lambda: False, 0.0)
    assert stop == "work"
    assert broken_rule(problem, best) is None, broken_rule(problem, best)
    prize = lambda routes: sum(problem.prize[n] for r in routes for n in r)
    assert prize(best) >= prize(first)  # the best is kept by value


def _line_problem(windows, budget=None) -> RoutingProblem:
    """Visits 0..k-1 at 10-minute steps along a line from a depot (nodes k, k+1)."""
    k = len(windows)
    places = list(range(1, k + 1)) + [0, 0]
    travel = np.abs(np.subtract.outer(places, places)).astype(np.int64) * 10
    return RoutingProblem(
        travel=travel, drive=travel, arc_cost=travel, service=(5,) * k + (0, 0),
        windows=tuple(windows) + ((), ()), prize=(1,) * k + (0, 0), node_cost=(0,) * (k + 2),
        mandatory=(False,) * (k + 2), allowed_tours=(None,) * (k + 2), group=tuple(range(k)) + (-1, -1),
        tours=(Tour(k, k + 1, 0, 200),), budget=budget,
    )


def test_a_visit_waits_for_its_second_window():
    problem = _line_problem([((0, 5), (50, 60))])  # missed the first window: wait for the second
    routes = scout(problem, 10, 5.0).routes
    assert routes == ((0,),)


def test_the_budget_leaves_out_what_it_cannot_pay_for():
    problem = _line_problem([((0, 200),)] * 3, budget=40)  # out and back to the 2nd place costs 40
    solution = scout(problem, 20, 5.0)
    assert solution.prize == 2 and solution.cost <= 40


def _packing_problem(budget=None, mandatory_group=None) -> RoutingProblem:
    """Four visit groups, two tours: only the groups, tours and budget matter to packing."""
    problem = _line_problem([((0, 200),)] * 4, budget=budget)
    mandatory = tuple(n == mandatory_group for n in range(6))
    return replace(problem, mandatory=mandatory, tours=(Tour(4, 5, 0, 200), Tour(4, 5, 0, 200)))


PACKING_POOL = [
    Column(0, (), 0, 0, ()), Column(0, (0, 1), 10, 10, (0, 1)), Column(0, (2,), 4, 5, (2,)),
    Column(1, (), 0, 0, ()), Column(1, (1, 2), 9, 10, (1, 2)), Column(1, (0,), 3, 5, (0,)),
    Column(1, (2, 3), 7, 50, (2, 3)),
]


def test_recombination_picks_the_best_disjoint_routes_within_the_budget():
    hint = [0, 3]  # the empty solution
    assert recombiner(_packing_problem())(PACKING_POOL, hint) == [1, 6]  # 10 + 7
    assert recombiner(_packing_problem(budget=40))(PACKING_POOL, hint) == [1, 3]  # 7 costs 50
    # column 6 alone serves mandatory group 3: taken when affordable, else there is no packing
    assert recombiner(_packing_problem(budget=60, mandatory_group=3))(PACKING_POOL, [1, 6]) == [1, 6]
    assert recombiner(_packing_problem(budget=40, mandatory_group=3))(PACKING_POOL, hint) is None
