"""tripopt.compile: a scenario and its extension choice into the integer routing problem."""

from __future__ import annotations

from datetime import date

import tripopt
from tripopt.compile import CENTS, compile_layout, layouts

from .conftest import MONDAY, TALK, customer_row

MON = date.fromisoformat(MONDAY)
EXTEND = {"extend": {"before": {"days": 1, "cost": 120}, "after": {"days": 1, "cost": 80}}}


def test_layouts_are_every_extension_choice_cheapest_first(one_day):
    scenario = tripopt.load_scenario(one_day([customer_row("A", 41.9, -87.65, 5)], trip=EXTEND))
    found = [(layout.before, layout.after, layout.fixed_cost) for layout in layouts(scenario)]
    assert found == [(0, 0, 0), (0, 1, 80), (1, 0, 120), (1, 1, 200)]


def test_each_tour_is_a_record_of_its_day(one_day):
    scenario = tripopt.load_scenario(one_day([customer_row("A", 41.9, -87.65, 5)], trip={
        **EXTEND, "arrive": {"place": "airport", "time": "11:00"}}))
    widest = max(layouts(scenario), key=lambda layout: len(layout.days))
    tours = compile_layout(scenario, widest).problem.tours
    assert [t.day.isoformat() for t in tours] == ["2026-10-04", "2026-10-05", "2026-10-06"]
    assert [(t.extension, t.fixed_cost) for t in tours] == [(True, 120 * CENTS), (False, 0), (True, 80 * CENTS)]
    assert (tours[0].start_place, tours[0].earliest_start) == ("airport", 11 * 60)  # the trip starts a day early
    assert (tours[1].start_place, tours[1].earliest_start) == ("hotel", 8 * 60)
    assert all(t.end_place == "hotel" and t.latest_end == 18 * 60 for t in tours)


def test_a_customer_whose_days_differ_becomes_copies(two_days):
    rows = [customer_row("A", 41.9, -87.65, 5, hours="Mon 09:00-12:00; Tue 14:00-17:00"),
            customer_row("B", 41.9, -87.66, 5)]
    scenario = tripopt.load_scenario(two_days(rows))
    compiled = compile_layout(scenario, layouts(scenario)[0])
    p = compiled.problem
    a = compiled.customer_nodes(0)
    assert len(a) == 2 and {p.allowed_tours[n] for n in a} == {(0,), (1,)}
    assert [p.windows[n] for n in a] == [((9 * 60, 12 * 60 - 45),), ((14 * 60, 17 * 60 - 45),)]
    assert len(compiled.customer_nodes(1)) == 1  # the same hours every day: one node for both days


def test_a_commitment_is_a_mandatory_node_on_its_own_day(two_days):
    scenario = tripopt.load_scenario(two_days([customer_row("A", 41.9, -87.65, 5)], commitments=[TALK]))
    compiled = compile_layout(scenario, layouts(scenario)[0])
    p = compiled.problem
    node = compiled.node_kind.index("commitment")
    assert p.mandatory[node] and p.windows[node] == ((10 * 60, 10 * 60),) and p.service[node] == 120
    assert [p.tours[t].day for t in p.allowed_tours[node]] == [MON]


def test_the_budget_pays_for_the_extension_first(one_day):
    scenario = tripopt.load_scenario(one_day([customer_row("A", 41.9, -87.65, 5, hours="Sun 09:00-12:00")],
                                             trip=EXTEND, budget=500))
    by_cost = {layout.fixed_cost: compile_layout(scenario, layout).problem.budget for layout in layouts(scenario)}
    assert by_cost == {0: 500 * CENTS, 80: 420 * CENTS, 120: 380 * CENTS, 200: 300 * CENTS}


def test_money_and_time_round_up(one_day):
    scenario = tripopt.load_scenario(one_day([customer_row("A", 41.9, -87.65, 5, cost=12.341)],
                                             costs={"per_km": 0.333}))
    compiled = compile_layout(scenario, layouts(scenario)[0])
    p, node = compiled.problem, compiled.customer_nodes(0)[0]
    assert p.node_cost[node] == 1235  # cents, up
    km = compiled.matrix.km[p.tours[0].start_node, node]
    assert p.arc_cost[p.tours[0].start_node, node] >= km * 0.333 * CENTS
