"""Exact optimum of small scenarios by enumeration, from the user documentation (docs/scenario.md) alone.

Nothing of tripopt's compiler, solver or decoder is used: only the typed scenario the loader
made (its fields, and `Hours.windows_on` for a customer's open windows on a day, as in
checker.py) and the contract's travel model (`leg_km`, `leg_minutes` of checker.py: a leg from
one customer to another takes the buffer even when both are at one point).

Supported: several days, extension days before/after (each layout is enumerated: the arrival
moves to the first day of the layout, the departure to the last, every extra day is charged),
optional arrival/departure, commitments, customer windows, meeting lengths, per-visit costs,
must-visit customers, the daily driving cap, the budget, and several travellers (a tour per
traveller and day, each with the traveller's own places, hours and cap, commitments for the
travellers they bind, customers for those who may visit them, every customer at most once by
the team, extension days per traveller), and events (section 7: every choice of events and, in a team,
of the traveller attending each is enumerated; attended events are commitments of their
traveller, their costs come off the budget and their attendees are met, so they leave the
candidates; the best choice's value adds the met customers and the events' own values), and lunch
(section 2: on a day with any stop, one break of its length wholly inside `between` and the
day's own hours, overlapping no meeting and no driving; a leg may be split around it; a day
whose commitments alone leave no room for it has none).

How: for each day, a depth-first search over visit orders (commitments in their order, each
meeting as early as its windows allow, which is never worse: waiting is free, and nothing
later depends on the clock except the windows) gives {frozenset(customers): least cost} of
every feasible tour; states (customers done, where, next commitment) keep only labels not
dominated in (clock, driving minutes, km). Days are then combined by a DP over disjoint unions
(union -> least cost), so a plan is the best union that holds every must-visit within budget.

One reading of the contract to know: section 2 makes every day of the trip a tour, from its
start place to its end place. Section 5 lets a plan leave a day with no visit and no
commitment out of its JSON, but the day's tour still exists, so an empty day still drives its
direct start -> end leg (the transfer from the arrival place to the base, or from the base to
the departure place), which must fit the day's times and the driving cap, and costs its km.
A day that starts and ends at the base costs nothing when empty.

Costs are as docs/scenario.md (cost and budget) has them: each leg's cost, per_km x its exact km,
rounded up to the cent; per-visit and extension costs as given; budgets are compared with 1e-9.

Time is real time (docs/time-zones.md), as in checker.py: every clock time of the scenario
becomes real minutes since the first instant of its local day (checker's `day_minute` and
`open_windows`, the first instant the clock shows that time or later, found by scanning the
clock), so a clock-change day has its real length and a meeting its real minutes; the
witness writes its times with the offset of each instant (checker's `local_text`).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable
from datetime import date, timedelta
from types import SimpleNamespace
from typing import NamedTuple

from .checker import binds, day_minute, leg_km, leg_minutes, local_text, open_windows, team_of

EPS = 1e-9


class Optimum(NamedTuple):
    value: float
    cost: float


class Solution(NamedTuple):
    """An optimal plan's value and least cost, with one plan that attains them."""

    value: float
    cost: float
    visited: frozenset
    layout: tuple[int, int]  # (extension days before, after)
    days: tuple = ()  # the customers of each day of the layout, first to last
    events: tuple = ()  # (event name, traveller name) of each event attended


class _Legs:
    """Memoised (km, driving minutes, travel minutes) between two points; `customers`: the
    leg goes from one customer to another (the buffer even at one place)."""

    def __init__(self, travel) -> None:
        self.travel = travel
        self.memo: dict = {}

    def __call__(self, a, b, customers: bool = False):
        key = (a, b, customers)
        leg = self.memo.get(key)
        if leg is None:
            drive, minutes = leg_minutes(a, b, self.travel, customers)
            leg = self.memo[key] = (leg_km(a, b, self.travel.detour_factor), drive, minutes)
        return leg


def _layout_days(scenario, before: int, after: int):
    """[(traveller, day, start point, start minute, end point, end minute)] of one extension
    layout, a tour per traveller and day (real minutes since the day's first instant)."""
    trip, places = scenario.trip, scenario.places
    first = trip.start - timedelta(days=before)
    count = (trip.end - trip.start).days + 1 + before + after
    point = lambda key: (places[key].lat, places[key].lon)
    days = []
    for member in team_of(scenario):
        for i in range(count):
            start_key, start_min = member.base, member.day_start
            end_key, end_min = member.base, member.day_end
            if i == 0 and member.arrive is not None:
                start_key, start_min = member.arrive.place, member.arrive.minute_of_day
            if i == count - 1 and member.depart is not None:
                end_key, end_min = member.depart.place, member.depart.minute_of_day
            day = first + timedelta(days=i)
            days.append((member, day, point(start_key), day_minute(scenario.timezone, day, start_min),
                         point(end_key), day_minute(scenario.timezone, day, end_min)))
    return days


def _layouts(scenario) -> list[tuple[int, int]]:
    trip = scenario.trip
    return [(b, a) for b in range(trip.extend_before.days + 1) for a in range(trip.extend_after.days + 1)]


def _fixed_cost(scenario, layout: tuple[int, int]) -> float:
    trip = scenario.trip
    return (layout[0] * trip.extend_before.cost + layout[1] * trip.extend_after.cost) * len(team_of(scenario))


def leg_cost(km: float, per_km: float) -> float:
    """A leg's cost as docs/scenario.md has it: per_km x its km, rounded up to the cent."""
    return math.ceil(km * per_km * 100 - 1e-9) / 100


def _lunch_span(member, zone: str, day: date, start_min: int, end_min: int):
    """(earliest start, latest start, length) of the traveller's lunch on `day` in real minutes,
    inside the day's own hours; None if there is no lunch or no room for it in those hours."""
    if member.lunch is None:
        return None
    open_, close, length = member.lunch
    earliest = max(day_minute(zone, day, open_), start_min)
    latest = min(day_minute(zone, day, close), end_min) - length
    return (earliest, latest, length) if earliest <= latest else None


def day_routes(scenario, member, day: date, start, start_min: int, end, end_min: int, customers=None,
               legs: _Legs | None = None, paths: dict | None = None, lunch_excused: bool | None = None
               ) -> dict[frozenset, float]:
    """{frozenset(customer names): least cost} of every feasible tour of one traveller's day.

    `start`/`end` are (lat, lon); `customers` limits the candidates (default: all). If `paths`
    is a dict, it receives {set: the stops of a least-cost tour}: (kind, name, point, arrive,
    begin, end) per visit or commitment, ("lunch", "", None, start, start, end) for the lunch,
    then ("end", "", point, arrive, None, None). The lunch is required on a day with a stop
    unless the commitments alone leave no room for it (decided here by the same search).
    """
    lunch = _lunch_span(member, scenario.timezone, day, start_min, end_min)
    if lunch is not None and lunch_excused is None:  # can the commitments alone have lunch?
        alone = day_routes(scenario, member, day, start, start_min, end, end_min, (), legs, None, False)
        lunch_excused = frozenset() not in alone
    legs = legs or _Legs(scenario.travel)
    places = scenario.places
    per_km = scenario.per_km_cost
    cap = member.max_drive
    zone = scenario.timezone
    pending = [((places[k.place].lat, places[k.place].lon), day_minute(zone, day, k.start_minute),
                day_minute(zone, day, k.end_minute), k.name)
               for k in sorted((k for k in scenario.commitments if k.day == day and binds(k, member)),
                               key=lambda k: k.start_minute)]
    candidates = []
    for c in (scenario.customers if customers is None else customers):
        if getattr(c, "travellers", ()) and member.name not in c.travellers:
            continue
        windows = tuple((o, e) for o, e in open_windows(c, zone, day) if e - o >= c.meeting_minutes)
        if windows:
            candidates.append((c.name, (c.lat, c.lon), c.meeting_minutes, windows, c.cost))
    best: dict[frozenset, float] = {}
    labels: dict[tuple, list[tuple[int, int, float]]] = {}

    def dominated(key, now, drive, spent) -> bool:
        kept = labels.setdefault(key, [])
        for n, d, k in kept:
            if n <= now and d <= drive and k <= spent + EPS:
                return True
        kept[:] = [(n, d, k) for n, d, k in kept if not (now <= n and drive <= d and spent <= k + EPS)]
        kept.append((now, drive, spent))
        return False

    def ways(now, leg_m, fed):
        """(arrival as written, ready for the next stop, fed, lunch entry) of a leg, without
        lunch and, if not yet fed, with lunch taken on it: from max(now, earliest) (before
        the drive, or on the road), or on arrival if the window opens later."""
        yield now + leg_m, now + leg_m, fed, ()
        if lunch is not None and not fed and max(now, lunch[0]) <= lunch[1]:
            eat = max(now, lunch[0])
            ready = max(now + leg_m, lunch[0]) + lunch[2]
            written = now + leg_m + lunch[2] if eat < now + leg_m else now + leg_m
            begins = eat if eat < now + leg_m else max(now + leg_m, lunch[0])
            yield written, ready, True, (("lunch", "", None, begins, begins, begins + lunch[2]),)

    def search(now, here, where, drive, spent, done, visit_cost, p, path, fed):
        if dominated((done, where, p, fed), now, drive, spent):
            return
        if p == len(pending):  # every commitment kept: the day may close here
            leg_k, leg_d, leg_m = legs(here, end)
            busy = bool(done) or bool(pending)
            for written, ready, full, eaten in ways(now, leg_m, fed):
                if lunch is not None and busy and not full and not lunch_excused:
                    continue
                if ready <= end_min and (cap is None or drive + leg_d <= cap):
                    cost = spent + leg_cost(leg_k, per_km) + visit_cost
                    if cost < best.get(done, float("inf")):
                        best[done] = cost
                        if paths is not None:  # a lunch eaten after arriving back is the day's last stop
                            back = (("end", "", end, written, None, None),)
                            after = bool(eaten) and eaten[0][3] >= written
                            paths[done] = path + (back + eaten if after else eaten + back)
            limit = end_min
        else:  # or go to the next commitment
            at, k_start, k_end, k_name = pending[p]
            leg_k, leg_d, leg_m = legs(here, at)
            for written, ready, full, eaten in ways(now, leg_m, fed):
                if ready <= k_start and (cap is None or drive + leg_d <= cap):
                    stop = ("commitment", k_name, at, written, k_start, k_end)
                    search(k_end, at, ("k", p), drive + leg_d, spent + leg_cost(leg_k, per_km), done, visit_cost, p + 1,
                           path + eaten + (stop,) if paths is not None else path, full)
            limit = k_start
        for name, at, meeting, windows, cost in candidates:
            if name in done:
                continue
            leg_k, leg_d, leg_m = legs(here, at, isinstance(where, str))  # `where` is a name at a customer
            if cap is not None and drive + leg_d > cap:
                continue
            for written, ready, full, eaten in ways(now, leg_m, fed):
                begin = next((max(ready, o) for o, e in windows if max(ready, o) + meeting <= e), None)
                if begin is None or begin + meeting > limit:
                    continue
                stop = ("visit", name, at, written, begin, begin + meeting)
                search(begin + meeting, at, name, drive + leg_d, spent + leg_cost(leg_k, per_km), done | {name},
                       visit_cost + cost, p, path + eaten + (stop,) if paths is not None else path, full)

    search(start_min, start, ("start",), 0, 0.0, frozenset(), 0.0, 0, (), False)
    return best


def _combine(per_day: Iterable[dict[frozenset, float]], limit: float) -> dict[frozenset, tuple[float, tuple]]:
    """{union of the days' disjoint customer sets: (least total cost <= limit, the day sets)}."""
    states: dict[frozenset, tuple[float, tuple]] = {frozenset(): (0.0, ())}
    for routes in per_day:
        nxt: dict[frozenset, tuple[float, tuple]] = {}
        for done, (cost, parts) in states.items():
            for names, route_cost in routes.items():
                if done & names:
                    continue
                total = cost + route_cost
                if total > limit + EPS:
                    continue
                union = done | names
                if total < nxt.get(union, (float("inf"),))[0]:
                    nxt[union] = (total, parts + (names,))
        states = nxt
        if not states:
            break
    return states


def _plans(scenario, layout, customers=None, budget=None, cache=None) -> dict[frozenset, tuple[float, tuple]]:
    """{visited set: (least cost (extension days included), the day sets)} of feasible plans of
    one layout, within `budget` (None: no cap), must-visits not yet enforced. `cache` shares the
    days' tours between layouts (same customers only)."""
    legs = _Legs(scenario.travel)
    cache = {} if cache is None else cache
    fixed = _fixed_cost(scenario, layout)
    limit = float("inf") if budget is None else budget - fixed
    if limit < -EPS:
        return {}
    per_day = []
    for member, *key in _layout_days(scenario, *layout):
        cached = (member.name, *key)
        if cached not in cache:
            cache[cached] = day_routes(scenario, member, *key, customers, legs)
        per_day.append(cache[cached])
    return {names: (cost + fixed, parts) for names, (cost, parts) in _combine(per_day, limit).items()}


_DEFAULT = object()


def solution(scenario, budget=_DEFAULT) -> Solution | None:
    """The optimal value, the least cost at that value, and a plan (set, layout) attaining them,
    best over every extension layout; None if no plan is feasible. `budget` overrides the
    scenario's (None: no cap)."""
    budget = scenario.budget if budget is _DEFAULT else budget
    if getattr(scenario, "events", ()):
        return _with_events(scenario, budget)
    value = {c.name: c.value for c in scenario.customers}
    must = frozenset(c.name for c in scenario.customers if c.must_visit)
    best: Solution | None = None
    cache: dict = {}
    for layout in _layouts(scenario):
        for names, (cost, parts) in _plans(scenario, layout, budget=budget, cache=cache).items():
            if not must <= names:
                continue
            total = sum(value[n] for n in names)
            if best is None or total > best.value + EPS or (abs(total - best.value) <= EPS and cost < best.cost):
                best = Solution(total, cost, names, layout, parts)
    return best


def _event_choices(scenario):
    """Every choice of events to attend, as [(event, traveller name)]: each event by one
    traveller who may attend it, or not at all; no traveller at two events at once."""
    options = [[None, *[m.name for m in team_of(scenario) if not getattr(e, "who", ()) or m.name in e.who]]
               for e in scenario.events]
    for pick in itertools.product(*options):
        chosen = [(e, who) for e, who in zip(scenario.events, pick) if who is not None]
        if all(not (a[1] == b[1] and a[0].day == b[0].day and a[0].start_minute < b[0].end_minute
                    and b[0].start_minute < a[0].end_minute) for a, b in itertools.combinations(chosen, 2)):
            yield chosen


def _attending(scenario, chosen, budget):
    """The scenario with the `chosen` events as commitments of their travellers, their
    attendees met (left out), their costs off the budget: (that scenario, its budget)."""
    team = len(team_of(scenario)) > 1
    stand_ins = tuple(SimpleNamespace(name=e.name, place=e.place, day=e.day, start_minute=e.start_minute,
                                      end_minute=e.end_minute, who=(who,) if team else (), event=e)
                      for e, who in chosen)
    met = {a for e, _ in chosen for a in e.attendees}
    rest = tuple(c for c in scenario.customers if c.name not in met)
    left = None if budget is None else budget - sum(e.cost for e, _ in chosen)
    return dataclasses.replace(scenario, commitments=tuple(scenario.commitments) + stand_ins, customers=rest,
                               events=(), budget=left), left


def _with_events(scenario, budget) -> Solution | None:
    """The best plan over every choice of events (value, then cost)."""
    value = {c.name: c.value for c in scenario.customers}
    best: Solution | None = None
    for chosen in _event_choices(scenario):
        attending, left = _attending(scenario, chosen, budget)
        if left is not None and left < -EPS:
            continue
        found = solution(attending, left)
        if found is None:
            continue
        met = {a for e, _ in chosen for a in e.attendees}
        total = found.value + sum(value[n] for n in met) + sum(e.value for e, _ in chosen)
        cost = found.cost + sum(e.cost for e, _ in chosen)
        if best is None or total > best.value + EPS or (abs(total - best.value) <= EPS and cost < best.cost - EPS):
            best = found._replace(value=total, cost=cost, events=tuple((e.name, who) for e, who in chosen))
    return best


def optimum(scenario, budget=_DEFAULT) -> Optimum | None:
    """(optimal value, least cost at that value), or None if no plan is feasible."""
    best = solution(scenario, budget)
    return None if best is None else Optimum(best.value, best.cost)


def optimum_value(scenario) -> float | None:
    """Best total value over all feasible plans (None if no plan is feasible)."""
    best = solution(scenario)
    return None if best is None else best.value


def least_cost_with(scenario, names, layout: tuple[int, int] = (0, 0)) -> float | None:
    """The least cost of a plan of this layout visiting exactly `names` (plus the commitments),
    extension days included, budget ignored; None if there is none. A set that leaves out a
    must-visit customer has no plan."""
    names = frozenset(names)
    known = {c.name for c in scenario.customers}
    if not names <= known:
        raise ValueError(f"unknown customers {sorted(names - known)}")
    trip = scenario.trip
    if not (0 <= layout[0] <= trip.extend_before.days and 0 <= layout[1] <= trip.extend_after.days):
        raise ValueError(f"layout {layout} is not allowed by trip.extend")
    if not {c.name for c in scenario.customers if c.must_visit} <= names:
        return None
    chosen = [c for c in scenario.customers if c.name in names]
    found = _plans(scenario, tuple(layout), chosen).get(names)
    return None if found is None else found[0]


def feasible_with(scenario, names, budget, layout: tuple[int, int] = (0, 0)) -> bool:
    """Is there a feasible plan of this layout visiting exactly `names` (plus the commitments)
    whose cost is <= budget (None: no cap)? Must-visit customers must be among `names`."""
    cost = least_cost_with(scenario, names, layout)
    return cost is not None and (budget is None or cost <= budget + EPS)


def plan_cost(document: dict, scenario) -> float:
    """The contract cost of a plan in JSON (section 5; docs/scenario.md, cost and budget): per_km x
    driven km of each leg between consecutive stops, rounded up to the cent, + per-visit costs +
    the extension days of `summary.extension_days`."""
    customers = {c.name: c for c in scenario.customers}
    legs = visit_costs = 0.0
    for day in document["days"]:
        points = [(s["lat"], s["lon"]) for s in day["stops"] if s["type"] != "lunch"]  # a lunch has no place
        legs += sum(leg_cost(leg_km(a, b, scenario.travel.detour_factor), scenario.per_km_cost)
                    for a, b in zip(points, points[1:]))
        visit_costs += sum(customers[s["name"]].cost for s in day["stops"] if s["type"] == "visit")
    ext = document["summary"].get("extension_days") or {"before": 0, "after": 0}
    return legs + visit_costs + _fixed_cost(scenario, (ext["before"], ext["after"]))


def free_visits(document: dict, scenario, tolerance: float = 0.005) -> list[tuple[str, float]]:
    """[(name, saving)] of optional value-0 visits whose removal would save more than
    `tolerance`: their visit cost plus the km saved by driving past them (removing a stop
    never breaks a tour: the legs obey the triangle inequality, so everything after is earlier)."""
    customers = {c.name: c for c in scenario.customers}
    found = []
    for day in document["days"]:
        stops = [s for s in day["stops"] if s["type"] != "lunch"]  # a lunch has no place
        for i, stop in enumerate(stops):
            c = customers.get(stop["name"]) if stop["type"] == "visit" else None
            if c is None or c.must_visit or c.value != 0:
                continue
            prev, here, nxt = ((s["lat"], s["lon"]) for s in (stops[i - 1], stop, stops[i + 1]))
            detour = leg_km(prev, here, scenario.travel.detour_factor) + \
                leg_km(here, nxt, scenario.travel.detour_factor) - leg_km(prev, nxt, scenario.travel.detour_factor)
            saving = c.cost + scenario.per_km_cost * detour
            if saving > tolerance:
                found.append((c.name, saving))
    return found


def witness(scenario, best: Solution) -> dict:
    """A plan in the contract's JSON form (section 5) that attains `best`, for checker.py:
    the brute force's claims are then checked by the independent checker, not taken on trust."""
    if getattr(scenario, "events", ()):
        return _event_witness(scenario, best)
    customers = {c.name: c for c in scenario.customers}
    trip = scenario.trip

    def at(day: date, minute: int | None) -> str | None:
        return None if minute is None else local_text(scenario.timezone, day, minute)

    legs = _Legs(scenario.travel)
    days = []
    team = len(team_of(scenario)) > 1
    for (member, day, start, start_min, end, end_min), names in zip(_layout_days(scenario, *best.layout),
                                                                    best.days):
        paths: dict = {}
        chosen = [customers[n] for n in names]
        day_routes(scenario, member, day, start, start_min, end, end_min, chosen, legs, paths)
        stops = [{"type": "start", "name": "start", "lat": start[0], "lon": start[1], "depart": at(day, start_min)}]
        here, after_visit = start, False
        for kind, name, point, arrive, begin, finish in paths[frozenset(names)]:
            if kind == "lunch":
                stops.append({"type": "lunch", "start": at(day, begin), "end": at(day, finish)})
                continue
            km, _, minutes = legs(here, point, after_visit and kind == "visit")
            after_visit = kind == "visit"
            stop = {"type": kind, "name": name or "end", "lat": point[0], "lon": point[1],
                    "travel_km": km, "travel_minutes": minutes, "arrive": at(day, arrive)}
            if kind != "end":
                c = customers.get(name) if kind == "visit" else None
                stop.update(start=at(day, begin), end=at(day, finish), value=c.value if c else 0.0,
                            cost=c.cost if c else 0.0)
            stops.append(stop)
            here = point
        days.append({"date": day.isoformat(), "extension": not trip.start <= day <= trip.end, "stops": stops,
                     **({"traveller": member.name} if team else {})})
    possible = trip.possible_days
    unvisited = []
    for c in scenario.customers:
        if c.name not in best.visited:
            has_window = any(e - o >= c.meeting_minutes for d in possible
                             for o, e in open_windows(c, scenario.timezone, d))
            unvisited.append({"name": c.name, "value": c.value, "reason": "not in the brute force's optimum",
                              "code": "lower_value" if has_window else "no_availability"})
    return {"format": "tripopt.plan/1", "scenario": scenario.name, "status": "feasible",
            "summary": {"visited": len(best.visited), "candidates": len(scenario.customers), "value": best.value,
                        "cost": best.cost, "budget": scenario.budget,
                        "extension_days": {"before": best.layout[0], "after": best.layout[1]}},
            "days": days, "unvisited": unvisited}


def _event_witness(scenario, best: Solution) -> dict:
    """`witness` of a plan attending events: the plan of the scenario with them as
    commitments, each such stop then an event stop with its cost, the customers met there
    (in the order the events start) and its value."""
    by_name = {e.name: e for e in scenario.events}
    chosen = [(by_name[name], who) for name, who in best.events]
    attending, _ = _attending(scenario, chosen, scenario.budget)
    document = witness(attending, best)
    customers = {c.name: c for c in scenario.customers}
    attended = {name for name, _ in best.events}
    order = [e.name for e in scenario.events]
    stops = sorted(((d["date"], s["start"], order.index(s["name"]), s) for d in document["days"] for s in d["stops"]
                    if s["type"] == "commitment" and s["name"] in attended), key=lambda x: x[:3])
    visited = {s["name"] for d in document["days"] for s in d["stops"] if s["type"] == "visit"}
    met: list[str] = []
    for _, _, _, stop in stops:
        event = by_name[stop["name"]]
        here = [a for a in event.attendees if a not in visited and a not in met]
        met.extend(here)
        stop.update(type="event", met=here, cost=event.cost,
                    value=event.value + sum(customers[a].value for a in here))
    document["summary"].update(met=len(met), candidates=len(scenario.customers))
    document["skipped_events"] = [{"name": e.name, "reason": "not in the brute force's optimum"}
                                  for e in scenario.events if e.name not in attended]
    return document
