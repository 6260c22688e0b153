"""The soft objective the exploring search optimises (no OR-Tools).

The product's order is value first, then cost, then driving (README, "The objective"),
but a search on "value first" alone cannot move: every step that drops a visit is
forbidden and every step that keeps the value is a tie. So the explore phase weighs
prize against time: an arc costs the time a step uses (service at its origin plus
travel) in SOFT_TIME_SCALE units per minute, with money (capped below one minute)
breaking ties between equal times, and leaving a visit out costs a drop penalty on the
same scale. Guided local search and ruin and recreate both read these numbers.
"""

from __future__ import annotations

import numpy as np

from .problem import RoutingProblem

SOFT_TIME_SCALE = 1000  # soft units per minute; money on an arc counts up to SOFT_TIME_SCALE - 1


def soft_arcs(problem: RoutingProblem) -> np.ndarray:
    """Search arc cost: time is the scarce resource, money breaks ties. (Weighing money
    like time under a budget was tried: see benchmarks/README.md.)"""
    used = problem.travel.astype(np.int64) + np.asarray(problem.service, dtype=np.int64)[:, None]
    return used * SOFT_TIME_SCALE + np.minimum(problem.arc_cost, SOFT_TIME_SCALE - 1)


def soft_money(problem: RoutingProblem, arcs: np.ndarray) -> np.ndarray | None:
    """The money part of soft arcs, or None when no arc costs anything."""
    used = problem.travel.astype(np.int64) + np.asarray(problem.service, dtype=np.int64)[:, None]
    money = arcs.astype(np.int64) - used * SOFT_TIME_SCALE
    return money if money.any() else None


def soft_penalties(problem: RoutingProblem, arcs: np.ndarray, value_weight: float) -> np.ndarray:
    """Drop penalty per node: the mean positive prize is worth `value_weight` mean steps."""
    visits = [g[0] for g in problem.alternatives if not problem.mandatory[g[0]]]
    prizes = np.asarray(problem.prize, dtype=np.float64)
    positive = prizes[visits][prizes[visits] > 0] if visits else np.array([])
    if positive.size == 0:
        return np.zeros(problem.size, dtype=np.int64)
    step = mean_step(arcs, np.asarray(problem.visit_nodes, dtype=np.int64), float(SOFT_TIME_SCALE))
    scale = value_weight * step / float(positive.mean())
    return np.ceil(prizes * scale).astype(np.int64)


def mean_step(arcs: np.ndarray, nodes: np.ndarray, default: float) -> float:
    """Mean positive arc cost between the nodes: the scale of one step of a tour."""
    sub = arcs[np.ix_(nodes, nodes)] if nodes.size else arcs[:0, :0]
    return float(sub[sub > 0].mean()) if (sub > 0).any() else default
