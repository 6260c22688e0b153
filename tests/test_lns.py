"""Ruin and recreate (tripopt.lns) on random routing problems with every kind of rule.

The feasibility check here is written from RoutingProblem's documented semantics, not with
the core's own helpers: windows bound the start of service (several per node, waiting
allowed), a tour leaves its start node at its earliest start and must reach its end node by
its latest end, driving caps per tour, one budget over arc and node costs, tours a node may
use, at most one copy per visit group and every mandatory group served.
"""

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


def broken_rule(problem: RoutingProblem, routes) -> str | None:
    """The first rule the routes break, or None."""
    served = [n for route in routes for n in route]
    groups = [problem.group[n] for n in served]
    if len(groups) != len(set(groups)):
        return "a visit served twice"
    must = {problem.group[n] for n in range(problem.size) if problem.group[n] >= 0 and problem.mandatory[n]}
    if must - set(groups):
        return f"mandatory group {min(must - set(groups))} not served"
    spent = 0
    for t, route in enumerate(routes):
        tour = problem.tours[t]
        path = [tour.start_node, *route, tour.end_node]
        clock, drive = tour.earliest_start, 0
        for a, b in zip(path, path[1:]):
            spent += int(problem.arc_cost[a, b]) + problem.node_cost[a]
            drive += int(problem.drive[a, b])
            clock += problem.service[a] + int(problem.travel[a, b])
            if b == tour.end_node:
                break
            if problem.allowed_tours[b] is not None and t not in problem.allowed_tours[b]:
                return f"node {b} on tour {t}"
            starts = [max(clock, lo) for lo, hi in sorted(problem.windows[b]) if max(clock, lo) <= hi]
            if not starts:
                return f"node {b} missed its windows"
            clock = starts[0]
        if clock > tour.latest_end:
            return f"tour {t} ends late"
        if tour.max_drive is not None and drive > tour.max_drive:
            return f"tour {t} drives too long"
    if problem.budget is not None and spent > problem.budget:
        return "over budget"
    return None


@st.composite
def problems(draw) -> RoutingProblem:
    """Small problems: 2-8 visit groups (some with two copies on different tours), 1-3 tours."""
    tours_n = draw(st.integers(1, 3))
    groups_n = draw(st.integers(2, 8))
    copies = [draw(st.integers(1, 2)) for _ in range(groups_n)]
    visits = sum(copies)
    size = visits + 2 * tours_n
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    points = rng.uniform(0, 60, size=(size, 2))
    travel = np.ceil(np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    windows, group, allowed, mandatory, prize = [], [], [], [], []
    for g, count in enumerate(copies):
        is_mandatory = draw(st.booleans()) and draw(st.booleans())
        value = draw(st.integers(1, 9))
        for copy in range(count):
            spans = []
            for _ in range(draw(st.integers(1, 3))):
                start = draw(st.integers(0, 400))
                spans.append((start, start + draw(st.integers(0, 120))))
            spans.sort()
            merged = [spans[0]]
            for lo, hi in spans[1:]:
                if lo <= merged[-1][1] + 1:
                    merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
                else:
                    merged.append((lo, hi))
            windows.append(tuple(merged))
            group.append(g)
            allowed.append((copy % tours_n,) if count > 1 else None)
            mandatory.append(is_mandatory)
            prize.append(value)
    tours = tuple(Tour(visits + 2 * t, visits + 2 * t + 1, 0, draw(st.integers(200, 500)),
                       draw(st.sampled_from([None, 80, 150]))) for t in range(tours_n))
    pad = 2 * tours_n
    return RoutingProblem(
        travel=travel, drive=travel, arc_cost=travel * draw(st.sampled_from([0, 1, 3])),
        service=tuple(int(x) for x in rng.integers(0, 30, visits)) + (0,) * pad,
        windows=tuple(windows) + ((),) * pad, prize=tuple(prize) + (0,) * pad,
        node_cost=tuple(int(x) for x in rng.integers(0, 10, visits)) + (0,) * pad,
        mandatory=tuple(mandatory) + (False,) * pad, allowed_tours=tuple(allowed) + (None,) * pad,
        group=tuple(group) + (-1,) * pad, tours=tours, budget=draw(st.sampled_from([None, 60, 200, 600])),
    )


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
