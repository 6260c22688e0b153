"""tripopt.problem: the one definition of a feasible plan, against an independent check."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripopt.problem import NEVER, RoutingProblem, Tour, earliest_schedule, evaluate, route_cost

from .routing_cases import broken_rule, problems


def _line(windows, service=5, latest_end=500, max_drive=None, budget=None) -> RoutingProblem:
    """Visits 0..k-1 at 10-minute steps along a line from a depot (start k, end k+1)."""
    k = len(windows)
    places = list(range(1, k + 1)) + [0, 0]
    travel = np.abs(np.subtract.outer(places, places)).astype(np.int64) * 10
    return RoutingProblem(
        travel=travel, drive=travel, arc_cost=travel, service=(service,) * k + (0, 0),
        windows=tuple(windows) + ((), ()), prize=(1,) * k + (0, 0), node_cost=(0,) * (k + 2),
        mandatory=(False,) * (k + 2), allowed_tours=(None,) * (k + 2), group=tuple(range(k)) + (-1, -1),
        tours=(Tour(k, k + 1, 0, latest_end, max_drive),), budget=budget)


def test_service_starts_as_early_as_its_windows_allow():
    p = _line([((0, 100),), ((50, 60), (200, 300))])
    timed = earliest_schedule(p, 0, [0, 1])
    assert timed.failed_at is None
    assert timed.times == ((10, 10, 15), (25, 50, 55))  # waits at node 1 for its first window
    assert timed.arrive_end == 55 + 20


def test_the_next_window_is_taken_when_the_first_is_missed():
    p = _line([((0, 100),), ((0, 20), (200, 300))], service=30)
    assert earliest_schedule(p, 0, [0, 1]).times[1] == (50, 200, 230)


def test_a_schedule_says_where_it_fails():
    p = _line([((0, 100),), ((0, 15),)])
    assert earliest_schedule(p, 0, [0, 1]).failed_at == 1  # node 1's window is missed
    assert earliest_schedule(_line([((0, 100),)], latest_end=15), 0, [0]).failed_at == 1  # back too late
    assert earliest_schedule(_line([((0, 100),)], max_drive=15), 0, [0]).failed_at == -1  # the driving cap


def test_route_cost_counts_arcs_and_visit_costs():
    p = _line([((0, 100),), ((0, 100),)])
    assert route_cost(p, 0, [0, 1]) == 10 + 10 + 20
    assert route_cost(p, 0, []) == 0


def test_window_arrays_pad_with_windows_that_never_fit():
    p = _line([((5, 6), (1, 2)), ((0, 9),)])
    opens, closes = p.window_arrays
    assert opens[0].tolist() == [1, 5] and closes[0].tolist() == [2, 6]  # sorted
    assert opens[1].tolist() == [0, NEVER] and closes[1].tolist() == [9, -1]


def test_restricted_keeps_the_chosen_nodes_in_order():
    p = _line([((0, 100),), ((0, 100),), ((0, 100),)])
    sub = p.restricted([2, 0, 3, 4], mandatory=True)
    assert sub.size == 4 and sub.travel[0, 1] == p.travel[2, 0]
    assert sub.tours[0].start_node == 2 and sub.tours[0].end_node == 3
    assert sub.mandatory == (True, True, False, False)


def test_a_tour_is_a_record():
    tour = Tour(0, 1, 480, 1080, traveller="Ana", start_place="hotel", end_place="airport", fixed_cost=35000)
    assert (tour.traveller, tour.start_place, tour.end_place, tour.fixed_cost) == ("Ana", "hotel", "airport", 35000)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(), seed=st.integers(0, 10 ** 6))
def test_evaluate_accepts_exactly_the_routes_that_keep_every_rule(problem, seed):
    """Random routes (visits dealt to tours, some copies twice, some mandatory left out):
    `evaluate` and the independent check agree on every one."""
    rng = random.Random(seed)
    nodes = [n for n in problem.visit_nodes if rng.random() < 0.6]
    rng.shuffle(nodes)
    routes: list[list[int]] = [[] for _ in problem.tours]
    for node in nodes:
        routes[rng.randrange(len(routes))].append(node)
    accepted = evaluate(problem, routes) is not None
    assert accepted == (broken_rule(problem, routes) is None), broken_rule(problem, routes)
