"""Which customers a large scenario's search sees, and the slices the rest is checked in.

The search (OR-Tools, ruin and recreate) holds dense matrices of its nodes, whose memory
and time grow with their square, while a plan of a few days visits a few dozen
customers. So a scenario of more than POOL_NODES customer nodes is searched on a pool:
its most promising customers by value per time (`_scores`), up to POOL_NODES nodes, the
must-visits and the visits of a warm start always among them. Customers that cannot be
visited on any day even alone, with no commitments and no lunch (checked here on their
own legs to each day's start and end, `_reachable`: no matrix of all pairs), never enter
it: no plan could serve them.

What the plan promises about every customer (each one that fits was added, each one left
out has a true reason) is then checked on `slices`: sub-scenarios of the plan's
customers, the must-visits and a slice of the others, which hold every leg those
questions read, so memory grows with the slice, not with the scenario. No OR-Tools here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np

from .compile import MAX_MINUTES, DayClock, TourDay, customer_nodes, day_clock, day_windows, largest_layout, layouts
from .model import Scenario
from .travel import legs_between

POOL_NODES = 1200  # customer nodes a search sees at most (benchmarks/README.md, scale)
SLICE_NODES = 1000  # customer nodes per slice of the checks over every customer
CHECK_SECONDS_PER_NODE = 0.0015  # completion and reasons outside the pool (benchmarks/README.md, scale)
DAY_SHARE = 8  # visits that share a day's drive out and back, for the ranking
NEIGHBOURS = 4  # nearest customers whose legs estimate a visit's travel, for the ranking
_BLOCK = 512  # rows of the blockwise nearest-neighbour search (memory linear in customers)
_NEVER = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class Census:
    """What the pool is chosen from, per customer in scenario order: its node copies in
    the largest layout, whether it can be visited alone on some day (`reachable`), and
    its rank score (higher first)."""

    nodes: tuple[int, ...]
    reachable: tuple[bool, ...]
    score: tuple[float, ...]

    @property
    def total(self) -> int:
        return sum(self.nodes)


def census(scenario: Scenario) -> Census:
    """Node copies, reachability and score of every customer."""
    nodes = customer_nodes(scenario, largest_layout(scenario))
    reachable, round_trip = _reachable(scenario)
    return Census(tuple(nodes), tuple(bool(r) for r in reachable), tuple(_scores(scenario, reachable, round_trip)))


def pooled(scenario: Scenario, counted: Census) -> bool:
    """Is the scenario searched on a pool (more customer nodes than POOL_NODES)?"""
    return counted.total > POOL_NODES


def reserve(scenario: Scenario, counted: Census) -> float:
    """Seconds of the time limit kept back from the search for the checks over every
    customer (completion and reasons, slice by slice): CHECK_SECONDS_PER_NODE per customer
    node and layout, at most half the limit. A function of the scenario alone, so that a
    work-bound search stays repeatable."""
    seconds = CHECK_SECONDS_PER_NODE * counted.total * len(layouts(scenario))
    return min(seconds, scenario.solver.time_limit_seconds / 2)


def pool(scenario: Scenario, counted: Census, keep: Collection[str] = ()) -> Scenario:
    """The scenario with the customers its search sees: the must-visits and `keep`, then
    the reachable ones by score (ties by scenario order) while their nodes fit within
    POOL_NODES; customers in scenario order."""
    customers = scenario.customers
    chosen = {i for i, c in enumerate(customers) if c.must_visit or c.name in keep}
    used = sum(counted.nodes[i] for i in chosen)
    for i in sorted(range(len(customers)), key=lambda i: (-counted.score[i], i)):
        if used >= POOL_NODES:
            break
        if i not in chosen and counted.reachable[i] and used + counted.nodes[i] <= POOL_NODES:
            chosen.add(i)
            used += counted.nodes[i]
    return subset(scenario, chosen)


def subset(scenario: Scenario, indices: Collection[int]) -> Scenario:
    """The scenario with only the customers `indices` (kept in scenario order)."""
    return replace(scenario, customers=tuple(c for i, c in enumerate(scenario.customers) if i in indices))


def slices(scenario: Scenario, counted: Census, base: Collection[int], others: Sequence[int]) -> Iterator[Scenario]:
    """Sub-scenarios of the customers `base` and a slice of `others` each, the slices
    taken in order with at most SLICE_NODES customer nodes (at least one customer)."""
    group: list[int] = []
    used = 0
    for i in others:
        if group and used + counted.nodes[i] > SLICE_NODES:
            yield subset(scenario, {*base, *group})
            group, used = [], 0
        group.append(i)
        used += counted.nodes[i]
    if group:
        yield subset(scenario, {*base, *group})


# -- reachable alone: each customer's own legs to each day's start and end --------------------


def _tour_days(scenario: Scenario) -> list[TourDay]:
    """Every distinct day a tour may have, over every choice of extension days."""
    return list(dict.fromkeys(d for layout in layouts(scenario) for d in layout.days))


def _reachable(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Per customer: can it be visited alone on some day (no commitments, no lunch: a
    relaxation of every plan, so a customer that fails it can never be served), and the
    least travel of such a visit (out and back, minutes; _NEVER where none)."""
    customers, zone = scenario.customers, ZoneInfo(scenario.timezone)
    keys = sorted(scenario.places)
    where = {key: k for k, key in enumerate(keys)}
    lat, lon = [c.lat for c in customers], [c.lon for c in customers]
    place_lat, place_lon = [scenario.places[k].lat for k in keys], [scenario.places[k].lon for k in keys]
    out = legs_between(place_lat, place_lon, lat, lon, scenario.travel)  # place -> customer
    back = legs_between(lat, lon, place_lat, place_lon, scenario.travel)  # customer -> place
    meeting = np.asarray([c.meeting_minutes for c in customers], dtype=np.int64)
    travellers = {t.name: t for t in scenario.team}
    fits = np.zeros(len(customers), dtype=bool)
    best = np.full(len(customers), _NEVER, dtype=np.int64)
    windows: dict[date, tuple[np.ndarray, np.ndarray]] = {}
    allowed = {name: np.asarray([scenario.may_visit(c, t) for c in customers], dtype=bool)
               for name, t in travellers.items()}
    for day in _tour_days(scenario):
        if day.day not in windows:
            windows[day.day] = _window_arrays(scenario, day_clock(day.day, zone))
        opens, closes = windows[day.day]
        traveller = travellers[day.traveller]
        a, b = where[day.start_place], where[day.end_place]
        arrive = day.start_minute + out.travel_minutes[a]
        start = np.maximum(arrive[:, None], opens)
        finish = start + (meeting + back.travel_minutes[:, b])[:, None]
        ok = ((start <= closes) & (finish <= day.end_minute)).any(axis=1)
        if traveller.max_drive_minutes is not None:
            ok &= out.drive_minutes[a] + back.drive_minutes[:, b] <= traveller.max_drive_minutes
        ok &= allowed[day.traveller]
        fits |= ok
        best = np.where(ok, np.minimum(best, out.travel_minutes[a] + back.travel_minutes[:, b]), best)
    return fits, best


def _window_arrays(scenario: Scenario, clock: DayClock) -> tuple[np.ndarray, np.ndarray]:
    """Every customer's start-of-service windows on one day, padded: (N, K) opens and
    closes; a padding window never fits."""
    rows = [day_windows(c, clock) for c in scenario.customers]
    width = max((len(r) for r in rows), default=0) or 1
    opens = np.full((len(rows), width), MAX_MINUTES * 4, dtype=np.int64)
    closes = np.full((len(rows), width), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        for k, (open_, close) in enumerate(row):
            opens[i, k], closes[i, k] = open_, close
    return opens, closes


# -- the ranking: value per minute of a visit, its share of the day's drive included ------------


def _scores(scenario: Scenario, reachable: np.ndarray, round_trip: np.ndarray) -> list[float]:
    """Value per minute a visit takes: the meeting, the travel to its nearest reachable
    customers (a tour goes from one to the next) and a DAY_SHARE-th of its least drive
    out and back. Unreachable customers score -1. A rank only: nothing is claimed by it."""
    customers = scenario.customers
    local = _local_minutes(scenario, reachable)
    scores = []
    for i, c in enumerate(customers):
        if not reachable[i]:
            scores.append(-1.0)
            continue
        minutes = c.meeting_minutes + local[i] + round_trip[i] / DAY_SHARE
        scores.append(c.value / max(minutes, 1.0))
    return scores


def _local_minutes(scenario: Scenario, reachable: np.ndarray) -> np.ndarray:
    """Per customer, the mean travel minutes to its NEIGHBOURS nearest reachable customers,
    on an equirectangular projection (a rank needs no more), in blocks of rows."""
    travel = scenario.travel
    lat = np.radians([c.lat for c in scenario.customers])
    lon = np.radians([c.lon for c in scenario.customers])
    x, y = lon * np.cos(lat.mean() if lat.size else 0.0), lat
    others = np.flatnonzero(reachable)
    local = np.zeros(lat.size)
    count = min(NEIGHBOURS, others.size - 1)
    if count <= 0:
        return local
    for first in range(0, lat.size, _BLOCK):
        rows = slice(first, first + _BLOCK)
        d2 = (x[rows, None] - x[None, others]) ** 2 + (y[rows, None] - y[None, others]) ** 2
        nearest = np.sqrt(np.partition(d2, count, axis=1)[:, 1:count + 1])  # the closest is the point itself
        km = nearest.mean(axis=1) * 6371.0 * travel.detour_factor
        local[rows] = km / travel.speed_kmh * 60.0 + travel.buffer_minutes
    return local
