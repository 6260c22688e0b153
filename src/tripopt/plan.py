"""The plan as typed objects: what every report, export and later command reads.

Plans are made from routing solutions in `decode` (and reduced to an `Outline` to be
re-checked elsewhere); nothing here knows about nodes or tours. A stop refers to the
customer, commitment or place behind it, so a new customer column reaches the exports
without passing through this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from .model import Commitment, Customer, Event, Place

FORMAT = "tripopt.plan/1"


@dataclass(frozen=True)
class Outline:
    """A plan reduced to what identifies it: its extension days and each day's stops in
    order, by (kind, name), per (traveller, date). It is what a plan made elsewhere (under
    a smaller budget, by an earlier run) is re-checked from: times and costs are recomputed."""

    extension_before: int
    extension_after: int
    days: tuple[tuple[tuple[str, date], tuple[tuple[str, str], ...]], ...]


@dataclass(frozen=True)
class Stop:
    """One stop of a day, with the customer (a visit), the commitment, the event (with
    the customers met there), or the place (a day's start or end, a commitment's or an
    event's venue) behind it."""

    kind: str  # "start", "visit", "commitment", "event", "lunch" (no place: lat, lon NaN), "end"
    name: str
    lat: float
    lon: float
    arrive: datetime | None = None
    start: datetime | None = None
    end: datetime | None = None
    depart: datetime | None = None
    travel_km: float = 0.0
    travel_minutes: int = 0
    drive_minutes: int = 0
    cost: float = 0.0
    customer: Customer | None = None
    commitment: Commitment | None = None
    place: Place | None = None
    event: Event | None = None
    met: tuple[Customer, ...] = ()  # an event's: the customers met there (not visited, not met earlier)
    sequence: int = 0  # a visit's or event's meeting request: its revision (iTIP SEQUENCE, invites.py)

    @property
    def value(self) -> float:
        """A visit's customer's value; an event's own value plus the values of those met there."""
        if self.event is not None:
            return self.event.value + sum(c.value for c in self.met)
        return self.customer.value if self.customer is not None else 0.0

    @property
    def notes(self) -> str:
        """The customer's notes, and a word when it is placed only at its town's centre."""
        if self.customer is None:
            return ""
        town = "town-level location (from the city name)" if self.customer.town_level else ""
        return "; ".join(part for part in (self.customer.notes, town) if part)

    @property
    def address(self) -> str:
        """The customer's address or city as given; a commitment's venue by name."""
        if self.customer is not None:
            return self.customer.address
        venue = self.commitment is not None or self.event is not None
        return self.place.name if venue and self.place is not None else ""


@dataclass(frozen=True)
class DayPlan:
    day: date
    extension: bool
    stops: tuple[Stop, ...]
    cost: float
    drive_km: float
    drive_minutes: int
    traveller: str = ""  # "" for the scenario's one traveller

    @property
    def visits(self) -> tuple[Stop, ...]:
        return tuple(s for s in self.stops if s.kind == "visit")

    @property
    def events(self) -> tuple[Stop, ...]:
        return tuple(s for s in self.stops if s.kind == "event")

    @property
    def located(self) -> tuple[Stop, ...]:
        """The stops at a place: all but the lunch."""
        return tuple(s for s in self.stops if s.kind != "lunch")

    @property
    def lunch(self) -> Stop | None:
        return next((s for s in self.stops if s.kind == "lunch"), None)

    @property
    def legs(self) -> tuple[tuple[Stop, Stop, Stop | None], ...]:
        """(from, to, the lunch taken between them or None) for each leg between two stops at
        a place; a lunch eaten after arriving back goes with the last leg."""
        legs: list[tuple[Stop, Stop, Stop | None]] = []
        previous, between = self.stops[0], None
        for stop in self.stops[1:]:
            if stop.kind == "lunch":
                between = stop
                if legs and stop is self.stops[-1]:
                    legs[-1] = (*legs[-1][:2], stop)
                continue
            legs.append((previous, stop, between))
            previous, between = stop, None
        return tuple(legs)


@dataclass(frozen=True)
class Hint:
    """What would bring an unvisited customer into this very plan, checked on it: `kind`
    "budget" (every visit kept, the budget `extra_budget` higher) or "swap" (in place of
    the visit to `replaces`, worth `replaces_value`, within the budget); `day` is where it
    would go."""

    kind: str
    day: date
    extra_budget: float
    replaces: str
    replaces_value: float
    text: str
    traveller: str = ""  # whose day, in a team


@dataclass(frozen=True)
class Unvisited:
    name: str
    value: float
    code: str
    reason: str
    lat: float = 0.0
    lon: float = 0.0
    hint: Hint | None = None


@dataclass(frozen=True)
class SkippedEvent:
    """An event the plan does not attend, and why (a claim checked like an unvisited
    customer's reason; what is not proven says so)."""

    name: str
    reason: str


@dataclass(frozen=True)
class Slot:
    """When a visit is (or was) booked: whose day, which day, the start."""

    traveller: str
    day: date
    start: datetime

    def sort_key(self) -> tuple[str, date, datetime]:
        return (self.traveller, self.day, self.start)


@dataclass(frozen=True)
class Booking:
    """A visit or attended event as its meeting request books it (invites.py): whose, when,
    and the request's revision (`sequence`); a withdrawn one's is that of its cancellation."""

    kind: str  # "visit" or "event"
    name: str
    traveller: str
    day: date
    start: datetime
    end: datetime
    sequence: int = 0


@dataclass(frozen=True)
class Change:
    """One visit or attended event that a re-plan changed (`change`: added, moved, dropped;
    cancelled, a visit only)."""

    name: str
    type: str  # "visit" or "event"
    change: str
    was: Slot | None
    now: Slot | None


@dataclass(frozen=True)
class Totals:
    """What a plan brings and spends: enough to say what another plan buys over it
    (`Plan.without_extensions`, docs/plan-json.md)."""

    value: float
    cost: float
    visited: int

    def rank(self) -> tuple[float, float]:
        """The contract's order: value first, then cost."""
        return (-self.value, self.cost)


@dataclass(frozen=True, order=True)
class ExtensionDay:
    """A day the trip is extended by: its date, and which end it lengthens ("before" the
    trip's own days or "after" them)."""

    day: date
    side: str


@dataclass(frozen=True)
class Plan:
    scenario: str
    currency: str
    timezone: str
    days: tuple[DayPlan, ...]
    unvisited: tuple[Unvisited, ...]
    candidates: int
    value_available: float
    budget: float | None
    extension_before: int
    extension_after: int
    extension_cost: float
    stopped_by: str
    seconds: float
    optimal: bool = False  # proven by exhaustive search (small problems), not just the best found
    recalled: bool = False  # an earlier run's plan (README, "Remembered plans"), not bettered by this one
    travellers: tuple[str, ...] = ()  # a team, in the scenario's order (() for one traveller)
    changes: tuple[Change, ...] | None = None  # a re-plan's changes against the plan it replaces
    notes: tuple[str, ...] = ()  # what a re-plan wants the traveller to know besides
    skipped_events: tuple[SkippedEvent, ...] = ()  # the scenario's events not attended, each with its reason
    weighed_extensions: bool = False  # extension days were weighed against none: `without_extensions` is stated
    without_extensions: Totals | None = None  # then: the best plan found with no extension day (None: none found)
    # meeting requests taken back (cancelled) by this re-plan or an earlier one, and not booked again
    withdrawn: tuple[Booking, ...] = ()

    @property
    def visited(self) -> int:
        return sum(len(d.visits) for d in self.days)

    @property
    def met(self) -> int:
        """Customers met at the events attended (each counted once, not visited)."""
        return sum(len(s.met) for d in self.days for s in d.events)

    @property
    def has_events(self) -> bool:
        """Whether the scenario has events (each is attended or skipped): then the plan's
        JSON carries `summary.met` and `skipped_events`."""
        return bool(self.skipped_events) or any(d.events for d in self.days)

    @property
    def value(self) -> float:
        """The customers visited or met, and the attended events' own values."""
        return round(sum(s.value for d in self.days for s in d.stops if s.kind in ("visit", "event")), 6)

    @property
    def cost(self) -> float:
        return round(sum(d.cost for d in self.days), 2)

    @property
    def drive_km(self) -> float:
        return round(sum(d.drive_km for d in self.days), 1)

    @property
    def drive_minutes(self) -> int:
        return sum(d.drive_minutes for d in self.days)

    @property
    def extension_days(self) -> int:
        return self.extension_before + self.extension_after

    @property
    def totals(self) -> Totals:
        return Totals(self.value, self.cost, self.visited)

    @property
    def no_extension_totals(self) -> Totals | None:
        """The best plan with no extension day that this plan knows of: itself when it uses none."""
        return self.totals if self.extension_days == 0 else self.without_extensions

    @property
    def extension_dates(self) -> tuple[ExtensionDay, ...]:
        """The extension days the plan uses and pays for, in date order: counted from the
        trip's own days, so they are named even where a plan leaves an empty day out."""
        own = [d.day for d in self.days if not d.extension]
        if not own:
            return ()
        before = (ExtensionDay(min(own) - timedelta(days=k), "before") for k in range(self.extension_before, 0, -1))
        after = (ExtensionDay(max(own) + timedelta(days=k), "after") for k in range(1, self.extension_after + 1))
        return (*before, *after)

    @property
    def bookings(self) -> tuple[Booking, ...]:
        """Every visit and attended event, as its meeting request books it."""
        return tuple(Booking(s.kind, s.name, d.traveller, d.day, s.start, s.end, s.sequence)
                     for d in self.days for s in d.stops
                     if s.kind in ("visit", "event") and s.start is not None and s.end is not None)

    @property
    def visited_names(self) -> frozenset[str]:
        return frozenset(s.name for d in self.days for s in d.visits)

    @property
    def met_names(self) -> frozenset[str]:
        return frozenset(c.name for d in self.days for s in d.events for c in s.met)

    @property
    def outline(self) -> Outline:
        return Outline(self.extension_before, self.extension_after,
                       tuple(((d.traveller, d.day), tuple((s.kind, s.name) for s in d.stops
                                                         if s.kind in ("visit", "commitment", "event")))
                             for d in self.days))


def weighed(plan: Plan, found: Iterable[Totals | None]) -> Plan:
    """The plan stating the best plan found with no extension day, so that it says what its
    extension days buy: itself when it uses none (the numbers then agree), else the best of
    `found` (the plans with none that the search found; None in it is no plan)."""
    best = min((t for t in found if t is not None), key=Totals.rank, default=None)
    return replace(plan, weighed_extensions=True,
                   without_extensions=plan.totals if plan.extension_days == 0 else best)
