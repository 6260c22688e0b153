"""Random routing problems with every kind of rule, and an independent check of the rules.

`broken_rule` is written from RoutingProblem's documented semantics, not with the core's
own helpers: windows bound the start of service (several per node, waiting allowed), a
tour leaves its start node at its earliest start and must reach its end node by its
latest end, driving caps per tour, one budget over arc and node costs, tours a node may
use, at most one copy per visit group and every mandatory group served.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import strategies as st

from tripopt.problem import RoutingProblem, Tour


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
def problems(draw: st.DrawFn, max_visits: int = 16) -> RoutingProblem:
    """Small problems: 2-8 visit groups (some with two copies on different tours), 1-3
    tours, at most `max_visits` visit nodes."""
    tours_n = draw(st.integers(1, 3))
    groups_n = draw(st.integers(2, min(8, max_visits)))
    copies = [draw(st.integers(1, 2)) for _ in range(groups_n)]
    while sum(copies) > max_visits:
        copies[copies.index(2)] = 1
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


def insertion_rules_only(problem: RoutingProblem) -> RoutingProblem:
    """The rules an insertion test answers for (the budget and mandatory visits are the caller's)."""
    return replace(problem, budget=None, mandatory=(False,) * problem.size)


def feasible_routes(problem: RoutingProblem, seed: int) -> list[list[int]]:
    """Some routes that keep every rule: visits added greedily in a seeded order."""
    free = insertion_rules_only(problem)
    routes: list[list[int]] = [[] for _ in problem.tours]
    order = sorted(free.visit_nodes, key=lambda n: (n * 7919 + seed) % 101)
    for node in order:
        for t in range(len(routes)):
            trial = [r if s != t else [*r, node] for s, r in enumerate(routes)]
            if broken_rule(free, trial) is None:
                routes = trial
                break
    return routes
