"""The short summary `tripopt check` prints for a valid scenario, and its extra warnings."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

import numpy as np

from .errors import Problem
from .geo import resolve_city
from .grammar import quoted
from .model import Customer, Scenario
from .travel import great_circle_km

FAR_KM = 800.0


@dataclass(frozen=True)
class CheckSummary:
    trip_days: int
    possible_days: int
    customers: int
    meetable: int
    must_visit: int
    commitments: int
    value_total: float
    value_meetable: float
    ignored_columns: tuple[str, ...]


def can_meet_during_trip(customer: Customer, scenario: Scenario) -> bool:
    """Has the customer one window, on a day the trip may use, long enough for the meeting?"""
    return any(
        end - start >= customer.meeting_minutes
        for day in scenario.trip.possible_days
        for start, end in customer.hours.windows_on(day)
    )


def summarize(scenario: Scenario) -> CheckSummary:
    meetable = [c for c in scenario.customers if can_meet_during_trip(c, scenario)]
    return CheckSummary(
        trip_days=len(scenario.trip.core_days),
        possible_days=len(scenario.trip.possible_days),
        customers=len(scenario.customers),
        meetable=len(meetable),
        must_visit=sum(c.must_visit for c in scenario.customers),
        commitments=len(scenario.commitments),
        value_total=sum(c.value for c in scenario.customers),
        value_meetable=sum(c.value for c in meetable),
        ignored_columns=scenario.ignored_columns,
    )


SHARED_NAMES = 8  # customers named in a shared-point warning; the rest are counted


def far_customers(scenario: Scenario) -> list[Problem]:
    """The location warnings `tripopt check` prints: customers implausibly far from the
    trip (`far_from_trip`), then customers sharing one point (`shared_points`)."""
    return far_from_trip(scenario) + shared_points(scenario)


def shared_points(scenario: Scenario) -> list[Problem]:
    """A warning per point that several customers share (identical coordinates), naming
    them: most often town-level locations (several `city:` rows of one town get the town's
    one point), so the plan cannot know how far apart they really are. Customers placed
    at one of the scenario's places (`place:`) are there on purpose and are not warned
    about; the warning is given at the first row of the point."""
    groups: dict[tuple[float, float], list[Customer]] = {}
    for customer in scenario.customers:
        groups.setdefault((customer.lat, customer.lon), []).append(customer)
    problems = []
    for (lat, lon), group in groups.items():
        if len(group) < 2 or all(c.place is not None for c in group):
            continue
        names = ", ".join(quoted(c.name) for c in group[:SHARED_NAMES])
        if len(group) > SHARED_NAMES:
            names += f" and {len(group) - SHARED_NAMES} more"
        problems.append(Problem(group[0].origin, (
            f"{len(group)} customers on one point ({lat:.4f}, {lon:.4f}){_located_from(group[0])}: {names}; "
            "a plan counts them as one place, with no distance between them (only the travel.buffer); if they are "
            "not in one building, give each its address or lat/lon"), "warning"))
    return problems


def far_from_trip(scenario: Scenario) -> list[Problem]:
    """Warnings for customers implausibly far from the trip: most likely a wrong location
    (a town of the same name in another state or country, a dropped minus sign).

    Far means farther from every place of the trip, and from the customers' median point
    (their median latitude and longitude, when there are two or more), than both `FAR_KM`
    and a whole trip day of straight-line driving (day length x speed / detour factor). No
    plan can reach such a customer, and at 800 km real far-flung accounts stay quiet (the
    example's farthest, Reno from Las Vegas, is 557 km) while a mix-up across states or
    countries (Richmond, British Columbia for Richmond, California: 1,270 km from San Francisco) is caught.
    """
    anchors = {f"place {key}": (place.lat, place.lon) for key, place in scenario.places.items()}
    customers = scenario.customers
    if len(customers) > 1:
        anchors["the median"] = (median(c.lat for c in customers), median(c.lon for c in customers))
    day_hours = (scenario.trip.day_end_minute - scenario.trip.day_start_minute) / 60
    limit = max(FAR_KM, day_hours * scenario.travel.speed_kmh / scenario.travel.detour_factor)
    distances = _distances_km(list(anchors.values()), [(c.lat, c.lon) for c in customers])
    names = list(anchors)
    problems = []
    for customer, row in zip(customers, distances):
        nearest = int(np.argmin(row))
        if row[nearest] > limit:
            problems.append(Problem(customer.origin, (
                f"at {customer.lat:.4f}, {customer.lon:.4f}{_located_from(customer)}: farther than {limit:,.0f} km "
                f"from every place of the trip and from the customers' median (nearest: {names[nearest]}, "
                f"{row[nearest]:,.0f} km), likely a wrong location; check it or give lat/lon"), "warning"))
    return problems


def _distances_km(anchors: list[tuple[float, float]], points: list[tuple[float, float]]) -> np.ndarray:
    """Great-circle km from each point (rows) to each anchor (columns)."""
    both = np.array(anchors + points, dtype=float).reshape(-1, 2)
    return great_circle_km(both[:, 0], both[:, 1])[len(anchors):, :len(anchors)]


def _located_from(customer: Customer) -> str:
    """How the row placed the customer, as far as the scenario still tells: the city's
    gazetteer reading when its coordinates are the city's, else the text the row gave."""
    if not customer.address:
        return ""
    try:
        city = resolve_city(customer.address)
    except ValueError:
        city = None
    if city is not None and (city.lat, city.lon) == (customer.lat, customer.lon):
        return f" (city {quoted(customer.address)} read as {city.label})"
    return f" (row: {quoted(customer.address)})"
