"""tripopt.objective: the soft objective's scale and what each part means."""

from __future__ import annotations

import numpy as np

from tripopt.objective import SOFT_TIME_SCALE, mean_step, soft_arcs, soft_money, soft_penalties
from tripopt.problem import RoutingProblem, Tour


def _two_visits(arc_cost: int, prizes=(4, 8)) -> RoutingProblem:
    travel = np.array([[0, 10, 5, 5], [10, 0, 5, 5], [5, 5, 0, 0], [5, 5, 0, 0]], dtype=np.int64)
    return RoutingProblem(
        travel=travel, drive=travel, arc_cost=np.full((4, 4), arc_cost, dtype=np.int64), service=(30, 15, 0, 0),
        windows=(((0, 500),), ((0, 500),), (), ()), prize=(*prizes, 0, 0), node_cost=(0,) * 4,
        mandatory=(False,) * 4, allowed_tours=(None,) * 4, group=(0, 1, -1, -1), tours=(Tour(2, 3, 0, 600),))


def test_an_arc_costs_the_time_it_uses_and_money_breaks_ties():
    arcs = soft_arcs(_two_visits(arc_cost=7))
    assert arcs[0, 1] == (30 + 10) * SOFT_TIME_SCALE + 7  # service at the origin plus travel, then money


def test_money_never_outweighs_a_minute():
    arcs = soft_arcs(_two_visits(arc_cost=10 ** 6))
    assert arcs[0, 1] == (30 + 10) * SOFT_TIME_SCALE + SOFT_TIME_SCALE - 1


def test_the_money_part_is_recovered_or_none():
    with_money = _two_visits(arc_cost=7)
    assert (soft_money(with_money, soft_arcs(with_money)) == 7).all()
    free = _two_visits(arc_cost=0)
    assert soft_money(free, soft_arcs(free)) is None


def test_penalties_follow_the_prizes_at_the_value_weight():
    p = _two_visits(arc_cost=0)
    arcs = soft_arcs(p)
    one, two = soft_penalties(p, arcs, 1.0), soft_penalties(p, arcs, 2.0)
    assert one[1] > one[0] > 0 and one[2] == one[3] == 0
    step = mean_step(arcs, np.asarray([0, 1]), 0.0)
    assert abs(one[:2].mean() - step) <= 1  # the mean prize is worth one mean step
    assert abs(two[0] - 2 * one[0]) <= 1


def test_nothing_to_gain_means_no_penalty():
    p = _two_visits(arc_cost=0, prizes=(0, 0))
    assert not soft_penalties(p, soft_arcs(p), 2.0).any()
