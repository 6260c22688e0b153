"""The short summary `tripopt check` prints for a valid scenario."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Customer, Scenario


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
