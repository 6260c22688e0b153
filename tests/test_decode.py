"""tripopt.decode: routes -> plan and a plan's outline -> routes, both ways."""

from __future__ import annotations

import tripopt
from tripopt.compile import compile_layout, layouts
from tripopt.decode import decode, encode
from tripopt.problem import evaluate

from .conftest import TALK, customer_row


def _compiled(factory, rows, **keys):
    scenario = tripopt.load_scenario(factory(rows, **keys))
    return scenario, [compile_layout(scenario, layout) for layout in layouts(scenario)]


def test_a_plans_outline_encodes_back_to_its_routes(two_days):
    rows = [customer_row("A", 41.90, -87.65, 5, hours="Mon 09:00-12:00; Tue 14:00-17:00"),
            customer_row("B", 41.91, -87.66, 7)]
    scenario, compiled_all = _compiled(two_days, rows, commitments=[TALK])
    plan = tripopt.solve(scenario)
    compiled = next(c for c in compiled_all if (c.layout.before, c.layout.after) ==
                    (plan.extension_before, plan.extension_after))
    routes = encode(compiled, plan.outline)
    assert routes is not None
    solution = evaluate(compiled.problem, routes)
    assert solution is not None
    again = decode(compiled, solution, plan.unvisited)
    assert again.days == plan.days  # the same stops, times and costs


def test_an_outline_of_another_layout_or_customer_does_not_encode(one_day):
    scenario, compiled_all = _compiled(one_day, [customer_row("A", 41.90, -87.65, 5)],
                                       trip={"extend": {"after": {"days": 1, "cost": 50}}})
    plan = tripopt.solve(scenario)
    others = [c for c in compiled_all if (c.layout.before, c.layout.after) !=
              (plan.extension_before, plan.extension_after)]
    assert others and all(encode(c, plan.outline) is None for c in others)
    mine = next(c for c in compiled_all if c not in others)
    renamed = type(plan.outline)(plan.outline.extension_before, plan.outline.extension_after,
                                 tuple((key, (("visit", "Nobody"),)) for key, _ in plan.outline.days))
    assert encode(mine, renamed) is None


def test_stops_refer_to_what_is_behind_them(one_day):
    scenario, _ = _compiled(one_day, [customer_row("A", 41.90, -87.65, 5, notes="ask for Jo")],
                            commitments=[TALK])
    plan = tripopt.solve(scenario)
    stops = plan.days[0].stops
    visit = next(s for s in stops if s.kind == "visit")
    talk = next(s for s in stops if s.kind == "commitment")
    assert visit.customer is scenario.customers[0] and (visit.value, visit.notes) == (5, "ask for Jo")
    assert talk.commitment is scenario.commitments[0] and talk.place is scenario.places["venue"]
    assert stops[0].place is scenario.places["hotel"] and stops[-1].place is scenario.places["hotel"]
