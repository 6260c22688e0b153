"""Exact optimum of tiny scenarios by enumeration, from the contract's rules alone.

Supports what the generated tiny scenarios use: days without extensions, optional
arrival/departure, commitments, windows, driving cap and budget.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import product

from .checker import leg_km, leg_minutes


def _day_routes(scenario, day, start_key, start_min, end_key, end_min):
    """{frozenset(customer names): cheapest cost} of every feasible route of one day."""
    places, travel = scenario.places, scenario.travel
    commitments = sorted((k for k in scenario.commitments if k.day == day), key=lambda k: k.start_minute)
    start = (places[start_key].lat, places[start_key].lon)
    end = (places[end_key].lat, places[end_key].lon)
    best: dict[frozenset, float] = {}

    def extend(now, here, drive, km, done, pending, visit_cost):
        # close the day if all commitments are done
        if not pending:
            d, m = leg_minutes(here, end, travel)
            cap = scenario.trip.max_drive_minutes
            if now + m <= end_min and (cap is None or drive + d <= cap):
                cost = scenario.per_km_cost * (km + leg_km(here, end, travel.detour_factor)) + visit_cost
                key = frozenset(done)
                best[key] = min(best.get(key, float("inf")), cost)
        if pending:  # go to the next commitment
            k = pending[0]
            at = (places[k.place].lat, places[k.place].lon)
            d, m = leg_minutes(here, at, travel)
            if now + m <= k.start_minute:
                extend(k.end_minute, at, drive + d, km + leg_km(here, at, travel.detour_factor), done,
                       pending[1:], visit_cost)
        for c in scenario.customers:
            if c.name in done:
                continue
            at = (c.lat, c.lon)
            d, m = leg_minutes(here, at, travel)
            arrive = now + m
            begin = next((max(arrive, o) for o, e in c.hours.windows_on(day)
                          if max(arrive, o) + c.meeting_minutes <= e), None)
            if begin is None:
                continue
            extend(begin + c.meeting_minutes, at, drive + d, km + leg_km(here, at, travel.detour_factor),
                   done | {c.name}, pending, visit_cost + c.cost)

    extend(start_min, start, 0, 0.0, frozenset(), commitments, 0.0)
    return best


def optimum_value(scenario) -> float | None:
    """Best total value over all feasible plans (None if no plan is feasible)."""
    trip = scenario.trip
    days = [trip.start + timedelta(days=i) for i in range((trip.end - trip.start).days + 1)]
    per_day = []
    for i, day in enumerate(days):
        start_key, start_min = scenario.base, trip.day_start_minute
        end_key, end_min = scenario.base, trip.day_end_minute
        if i == 0 and trip.arrive:
            start_key, start_min = trip.arrive.place, trip.arrive.minute_of_day
        if i == len(days) - 1 and trip.depart:
            end_key, end_min = trip.depart.place, trip.depart.minute_of_day
        per_day.append(list(_day_routes(scenario, day, start_key, start_min, end_key, end_min).items()))
    value = {c.name: c.value for c in scenario.customers}
    must = {c.name for c in scenario.customers if c.must_visit}
    best = None
    for combo in product(*per_day):
        sets = [s for s, _ in combo]
        union = frozenset().union(*sets)
        if sum(len(s) for s in sets) != len(union) or not must <= union:
            continue
        if scenario.budget is not None and sum(c for _, c in combo) > scenario.budget + 1e-9:
            continue
        total = sum(value[n] for n in union)
        best = total if best is None else max(best, total)
    return best
