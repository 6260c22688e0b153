"""From a scenario file to a validated `Scenario`, reporting every problem in one pass.

Order: YAML -> shape of each section (schema) -> trip -> places (located by geo.py) ->
references to places and commitments -> customers (rows read and built by customers.py) ->
events (their attendees are customers).
Each step runs on whatever the earlier steps could make sense of, so a typo in
`travel` does not hide a bad row in the customer file.
"""

from __future__ import annotations

import difflib
import os
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from . import customers as customer_io
from .compile import model_nodes
from .errors import InputError, Problem
from .geo import CACHE_FILE_NAME, AddressCache, locate_places, unknown_place
from .grammar import quoted
from .model import (
    Commitment,
    Customer,
    Endpoint,
    Event,
    Extension,
    Lunch,
    Organizer,
    Place,
    Scenario,
    SolverSettings,
    Travel,
    Traveller,
    Trip,
)
from .schema import (
    SECTIONS,
    ColumnsIn,
    CostsIn,
    CustomerFileIn,
    DefaultsIn,
    EventIn,
    OrganizerIn,
    PlaceIn,
    SolverIn,
    TravelIn,
    TravellerIn,
    TripIn,
    keys_at,
    sections_with,
)
from .yamlio import read_yaml

MAX_TRIP_DAYS = 31
# The model's size: a large scenario's search sees a pool of its customers (pool.py), and
# what it holds of the rest grows linearly with their node copies (customer copies,
# commitments, two per day); measured peak resident memory of `tripopt plan` in
# docs/limits.md, BYTES_PER_NODE is its slope, rounded up.
MAX_NODES = 25_000
BASE_BYTES = 600 * 10**6
BYTES_PER_NODE = 40_000
_ADAPTERS = {key: TypeAdapter(kind) for key, (kind, _) in SECTIONS.items() if key != "customers"}
_OPTIONAL_DEFAULTS = {"currency": "USD", "commitments": [], "defaults": DefaultsIn(), "travel": TravelIn(),
                      "costs": CostsIn(), "budget": None, "solver": SolverIn()}


@dataclass(frozen=True)
class Inspection:
    """What `check` reports: the scenario (if it could be built) and every finding."""

    scenario: Scenario | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")


def load_scenario(path: str | Path, address_lookup: Callable | None = None) -> Scenario:
    """Load and validate a scenario; raise InputError listing every problem if any."""
    found = inspect_scenario(path, address_lookup)
    if found.errors or found.scenario is None:
        raise InputError(list(found.errors) + list(found.warnings))
    return found.scenario


def inspect_scenario(path: str | Path, address_lookup: Callable | None = None) -> Inspection:
    """Validate a scenario file and return every error and warning (never raises for input)."""
    source = Path(path)
    try:
        data = read_yaml(source)
    except InputError as exc:
        return Inspection(None, tuple(exc.problems))
    builder = _Builder(source, address_lookup)
    scenario = builder.build(data)
    return Inspection(scenario, tuple(builder.problems))


def _key_hint(bad: str, valid: tuple[str, ...], nested: bool = False) -> str:
    """" (did you mean 'x'?)" when a key valid at this position is close: the one key it
    begins (`speed`: speed_kmh), else one spelt alike; at the top level, the section a key of
    one belongs in (`buffer`: travel.buffer); inside a section, a top-level key is said to be
    one. "" when nothing is close and right."""
    if len(bad) > 100:
        return ""
    starting = [key for key in valid if len(bad) >= 3 and key.startswith(bad.lower())]
    close = starting if len(starting) == 1 else difflib.get_close_matches(bad.lower(), valid, n=1, cutoff=0.75)
    if close:
        return f" (did you mean {close[0]!r}?)"
    if nested and bad in SECTIONS:
        return f" ({bad!r} is a top-level key: it does not belong here)"
    if nested:
        return ""
    owners = [(section, bad) for section in sections_with(bad)] or [
        (section, key) for section in SECTIONS for key in keys_at(section) if len(bad) >= 3 and key.startswith(bad)]
    if len(owners) == 1:
        section, key = owners[0]
        return f" (did you mean {section}.{key}? it belongs in {section!r})"
    return ""


def _format_loc(loc: tuple[Any, ...]) -> str:
    """("commitments", 1, "start") -> "commitments #2.start" (items are counted from 1)."""
    text = ""
    for part in loc:
        text += f" #{part + 1}" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _pydantic_problems(where: str, key: str, error: ValidationError) -> list[Problem]:
    """Turn pydantic's errors into sentences a scenario author can act on."""
    problems = []
    for item in error.errors():
        loc = _format_loc((key, *(_short_key(part) for part in item["loc"])))
        kind, message = item["type"], item["msg"]
        if kind == "extra_forbidden" and key == "columns" and len(item["loc"]) == 1:
            bad = str(item["loc"][-1])
            meant = customer_io.meant_column(bad, item["input"])
            message = (f"{quoted(bad)} is not a customer column, so the header {quoted(item['input'])} maps to "
                       "nothing" + (f" (did you mean {meant!r}?)" if meant else "")
                       + f"; the columns: {', '.join(customer_io.COLUMNS)}")
        elif kind == "extra_forbidden":
            bad = str(item["loc"][-1])
            message = f"unknown key {quoted(bad)}" + _key_hint(bad, keys_at(key, item["loc"][:-1]), nested=True)
        elif kind == "missing":
            message = "missing required key"
        elif kind == "value_error":
            message = message.removeprefix("Value error, ")
        else:
            message = f"{message[0].lower()}{message[1:]} (got {quoted(item['input'])})"
        problems.append(Problem(f"{where}: {loc}", message))
    return problems


class _Builder:
    """Accumulates problems while building the scenario section by section."""

    def __init__(self, source: Path, address_lookup: Callable | None):
        self.source = source
        self.where = str(source)
        self.problems: list[Problem] = []
        self.geocache = AddressCache(source.parent / CACHE_FILE_NAME, address_lookup)

    def error(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def warn(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message, "warning"))

    def key(self, path: str) -> str:
        return f"{self.where}: {path}"

    # -- sections -------------------------------------------------------------------

    def build(self, data: Any) -> Scenario | None:
        if not isinstance(data, dict):
            self.error(self.where, "a scenario must be a mapping of keys (name, trip, places, ...)")
            return None
        sections = self._sections(data)
        timezone = self._timezone(sections.get("timezone"))
        trip = self._trip(sections.get("trip"))
        places = self._places(sections.get("places"))
        base = self._place_ref("base", sections.get("base"), places)
        for label, end in (("arrive", trip and trip.arrive), ("depart", trip and trip.depart)):
            if end:
                self._place_ref(f"trip.{label}.place", end.place, places)
        travellers = self._travellers(sections.get("travellers"), trip, places, base)
        names = tuple(t.name for t in travellers)
        commitments = self._commitments(data.get("commitments"), sections.get("commitments"), places, trip, names)
        defaults = sections.get("defaults", DefaultsIn())
        columns = self._columns(data.get("columns"), sections.get("columns"))
        customers, ignored = self._customers(data.get("customers"), columns, defaults, places, trip, names)
        events = self._events(sections.get("events"), places, trip, travellers, customers)
        self.geocache.save()
        self.problems.extend(self.geocache.problems)
        if (sections.get("name") is None or timezone is None or trip is None or places is None or base is None
                or customers is None or any(p.severity == "error" for p in self.problems)):
            return None
        travel_in, solver_in = sections.get("travel", TravelIn()), sections.get("solver", SolverIn())
        scenario = Scenario(
            name=sections["name"], timezone=timezone, currency=sections.get("currency", "USD"),
            trip=trip, places=places, base=base, commitments=commitments, customers=customers,
            travel=Travel(travel_in.speed_kmh, travel_in.detour_factor, travel_in.buffer),
            per_km_cost=sections.get("costs", CostsIn()).per_km, budget=sections.get("budget"),
            solver=SolverSettings(solver_in.time_limit, solver_in.work_limit),
            source=self.source, ignored_columns=ignored, customer_file=getattr(self, "customer_file", None),
            travellers=travellers,
            warnings=tuple(p for p in self.problems if p.severity == "warning"),
            events=events, organizer=_organizer(sections.get("organizer")),
        )
        too_large = _too_large(scenario)
        if too_large is not None:
            self.error(self.where, too_large)
            return None
        return scenario

    def _sections(self, data: dict) -> dict[str, Any]:
        """Validate each top-level key on its own; unknown and missing keys are errors."""
        sections: dict[str, Any] = {}
        for key in data:
            if key not in SECTIONS:
                text = _short_key(str(key))
                self.error(self.key(text), f"unknown key{_key_hint(str(key), tuple(SECTIONS))}")
        for key, (_, required) in SECTIONS.items():
            if data.get(key) is None:
                if required:
                    self.error(self.key(key), "missing required key")
                elif key in _OPTIONAL_DEFAULTS:
                    sections[key] = _OPTIONAL_DEFAULTS[key]
            elif key != "customers":  # read by _customers, which accepts several forms
                try:
                    sections[key] = _ADAPTERS[key].validate_python(data[key])
                except ValidationError as exc:
                    self.problems.extend(_pydantic_problems(self.where, key, exc))
        return sections

    def _timezone(self, name: str | None) -> str | None:
        if name is None:
            return None
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            self.error(self.key("timezone"), f"unknown time zone {quoted(name)} ({zone_hint(name)})")
            return None
        fixed = _FIXED_ZONES.get(name)
        if fixed is not None:
            self.warn(self.key("timezone"), f"{name!r} is {fixed}")
        return name

    def _trip(self, trip: TripIn | None) -> Trip | None:
        if trip is None:
            return None
        ok = True
        if trip.end < trip.start:
            self.error(self.key("trip.end"), f"{trip.end} is before trip.start {trip.start}")
            ok = False
        if trip.day.end <= trip.day.start:
            self.error(self.key("trip.day"), "the day ends before it starts")
            ok = False
        extra = trip.extend.before.days + trip.extend.after.days
        if ok and (trip.end - trip.start).days + 1 + extra > MAX_TRIP_DAYS:
            self.error(self.key("trip"), f"the trip may not span more than {MAX_TRIP_DAYS} days, extensions included")
            ok = False
        if trip.max_drive is not None and trip.max_drive <= 0:
            self.error(self.key("trip.max_drive"), "must be positive")
            ok = False
        for label, end, bad in (("arrive", trip.arrive, lambda t: t >= trip.day.end),
                                ("depart", trip.depart, lambda t: t <= trip.day.start)):
            if end is not None and bad(end.time):
                limit = "after the day ends" if label == "arrive" else "before the day starts"
                self.error(self.key(f"trip.{label}.time"), f"{_clock(end.time)} is {limit}")
                ok = False
        lunch = self._lunch("trip.lunch", trip.lunch.between if trip.lunch else None,
                            trip.lunch.length if trip.lunch else None) if trip.lunch else None
        if not ok or (trip.lunch is not None and lunch is None):
            return None
        return Trip(
            start=trip.start, end=trip.end, day_start_minute=trip.day.start, day_end_minute=trip.day.end,
            arrive=Endpoint(trip.arrive.place, trip.arrive.time) if trip.arrive else None,
            depart=Endpoint(trip.depart.place, trip.depart.time) if trip.depart else None,
            max_drive_minutes=trip.max_drive,
            extend_before=Extension(trip.extend.before.days, trip.extend.before.cost),
            extend_after=Extension(trip.extend.after.days, trip.extend.after.cost),
            lunch=lunch,
        )

    def _lunch(self, key: str, between: tuple[int, int] | None, length: int | None) -> Lunch | None:
        """A lunch whose length fits its window, or None with an error at `key`."""
        if between is None or length is None:
            self.error(self.key(key), "needs both `between` and `length`")
            return None
        if length > between[1] - between[0]:
            self.error(self.key(f"{key}.length"), f"{length} minutes do not fit between {_clock(between[0])} "
                       f"and {_clock(between[1])}")
            return None
        return Lunch(between[0], between[1], length)

    # -- the team ---------------------------------------------------------------------

    def _travellers(self, parsed: list[TravellerIn] | None, trip: Trip | None, places: dict[str, Place] | None,
                    base: str | None) -> tuple[Traveller, ...]:
        """The team, each member's days taken from the trip where the entry is silent
        (`arrive: null` and `depart: null` say: at the base)."""
        if not parsed or trip is None:
            return ()
        team: list[Traveller] = []
        for index, item in enumerate(parsed):
            where = f"travellers #{index + 1} ({item.name})"
            if any(t.name == item.name for t in team):
                self.error(self.key(where), f"the name {item.name!r} is taken by an earlier traveller")
                continue
            given = item.model_fields_set
            home = self._place_ref(f"{where}.base", item.base, places) if item.base else base
            ends = {}
            for label, spec, default in (("arrive", item.arrive, trip.arrive), ("depart", item.depart, trip.depart)):
                if label not in given:
                    ends[label] = default
                elif spec is None:
                    ends[label] = None
                else:
                    self._place_ref(f"{where}.{label}.place", spec.place, places)
                    ends[label] = Endpoint(spec.place, spec.time)
            start = item.day.start if item.day.start is not None else trip.day_start_minute
            end = item.day.end if item.day.end is not None else trip.day_end_minute
            if end <= start:
                self.error(self.key(f"{where}.day"), "the day ends before it starts")
                continue
            cap = item.max_drive if "max_drive" in given else trip.max_drive_minutes
            lunch = self._own_lunch(where, item, trip)
            if home is not None:
                team.append(Traveller(item.name, home, ends["arrive"], ends["depart"], start, end, cap, lunch,
                                      organizer=_organizer(item.organizer)))
        return tuple(team)

    def _own_lunch(self, where: str, item: TravellerIn, trip: Trip) -> Lunch | None:
        """A traveller's lunch: the trip's, none (`lunch: null`), or the trip's with the
        entry's keys overriding (an error is recorded, and the scenario refused, if they
        do not make one)."""
        if "lunch" not in item.model_fields_set:
            return trip.lunch
        if item.lunch is None:
            return None
        between, length = item.lunch.between, item.lunch.length
        if trip.lunch is not None:
            between = between or (trip.lunch.open_minute, trip.lunch.close_minute)
            length = length or trip.lunch.length_minutes
        return self._lunch(f"{where}.lunch", between, length)

    # -- places and locations ----------------------------------------------------------

    def _places(self, places: dict[str, PlaceIn] | None) -> dict[str, Place] | None:
        if places is None:
            return None
        resolved, problems = locate_places(places, self.where, self.geocache)
        self.problems.extend(problems)
        return resolved

    def _place_ref(self, key: str, name: str | None, places: dict[str, Place] | None) -> str | None:
        if name is None or places is None:
            return name
        if name not in places:
            self.error(self.key(key), unknown_place(name, places))
            return None
        return name

    # -- commitments --------------------------------------------------------------------

    def _commitments(self, raw: Any, parsed: list | None, places: dict[str, Place] | None,
                     trip: Trip | None, team: tuple[str, ...]) -> tuple[Commitment, ...]:
        if not parsed:
            return ()
        result = []
        for index, item in enumerate(parsed):
            label = f"commitments #{index + 1} ({item.name})"
            where = self.key(label)
            if places is not None and item.place not in places:
                self.error(f"{where}.place", unknown_place(item.place, places))
            if item.end <= item.start:
                self.error(where, f"ends at {_clock(item.end)}, before it starts at {_clock(item.start)}")
                continue
            if trip is not None and not trip.start <= item.date <= trip.end:
                self.error(f"{where}.date", f"{item.date} is outside the trip ({trip.start} to {trip.end})")
                continue
            if trip is not None and (item.start < trip.day_start_minute or item.end > trip.day_end_minute):
                self.warn(where, f"{_clock(item.start)}-{_clock(item.end)} is outside the day hours "
                          f"{_clock(trip.day_start_minute)}-{_clock(trip.day_end_minute)}: no plan can keep it")
            who = self._who(f"{where}.who", item.who, team)
            result.append(Commitment(item.name, item.place, item.date, item.start, item.end, who))
        self._overlaps(result)
        return tuple(result)

    def _who(self, where: str, given: list[str] | str | None, team: tuple[str, ...]) -> tuple[str, ...]:
        """The travellers a commitment binds: a name, a list, or names separated by , or ;"""
        if given is None:
            return ()
        names = customer_io.names_list(given if isinstance(given, str) else ",".join(given))
        for name in names:
            if name not in team:
                known = ", ".join(team) if team else "none: the scenario has no travellers"
                self.error(where, f"{quoted(name)} is not a traveller (travellers: {known})")
        return names

    def _overlaps(self, commitments: list[Commitment]) -> None:
        """Two commitments of one traveller at one time (in a team, only those that bind a
        traveller in common: no `who` binds everyone)."""
        ordered = sorted(commitments, key=lambda c: (c.day, c.start_minute))
        shared = lambda a, b: not a.who or not b.who or bool(set(a.who) & set(b.who))
        for i, first in enumerate(ordered):
            for second in ordered[i + 1:]:
                if second.day != first.day or second.start_minute >= first.end_minute:
                    break
                if not shared(first, second):
                    continue
                self.error(self.key("commitments"),
                           f"{first.name!r} ({_clock(first.start_minute)}-{_clock(first.end_minute)}) and "
                           f"{second.name!r} ({_clock(second.start_minute)}-{_clock(second.end_minute)}) "
                           f"overlap on {first.day}")
        for name in sorted({c.name for c in commitments}):
            same = [c for c in commitments if c.name == name]
            if any(a.day == b.day and shared(a, b) for i, a in enumerate(same) for b in same[i + 1:]):
                self.error(self.key("commitments"), f"{name!r} is listed twice on the same day")

    # -- events -------------------------------------------------------------------------

    def _events(self, parsed: list[EventIn] | None, places: dict[str, Place] | None, trip: Trip | None,
                team: tuple[Traveller, ...], customers: tuple[Customer, ...] | None) -> tuple[Event, ...]:
        """The events the plan may attend (docs/scenario.md, events): each names a known place, a
        day of the trip (not an extension day: like a commitment), customers of the
        scenario (each once) and travellers of the team; names are unique. Every problem
        names the event."""
        if not parsed:
            return ()
        names = tuple(t.name for t in team)
        known = {c.name for c in customers} if customers is not None else None
        result: list[Event] = []
        for index, item in enumerate(parsed):
            label = f"events #{index + 1} ({_short_key(item.name)})"
            where = self.key(label)
            ok = True
            if any(earlier.name == item.name for earlier in parsed[:index]):
                self.error(where, f"the name {quoted(item.name)} is taken by an earlier event")
                ok = False
            if places is not None and item.place not in places:
                self.error(f"{where}.place", unknown_place(item.place, places))
                ok = False
            if item.end <= item.start:
                self.error(where, f"ends at {_clock(item.end)}, before it starts at {_clock(item.start)}")
                ok = False
            if trip is not None and not trip.start <= item.date <= trip.end:  # as a commitment's
                self.error(f"{where}.date", f"{item.date} is outside the trip ({trip.start} to {trip.end})")
                ok = False
            ok &= self._attendees(f"{where}.attendees", item.attendees, known)
            who = self._who(f"{where}.who", item.who, names)
            if not ok:
                continue
            event = Event(item.name, item.place, item.date, item.start, item.end, tuple(item.attendees),
                          item.value, item.cost, who, label)
            self._event_hours(where, event, trip, team)
            result.append(event)
        return tuple(result)

    def _attendees(self, where: str, attendees: list[str], known: set[str] | None) -> bool:
        """Every attendee a customer of the scenario, listed once (None: the customers could
        not be read, so only repeats are checked)."""
        ok = True
        seen: set[str] = set()
        for name in attendees:
            if name in seen:
                self.error(where, f"{quoted(name)} is listed twice")
                ok = False
            seen.add(name)
            if known is not None and name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1) if len(name) <= 100 else []
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.error(where, f"{quoted(name)} is not a customer of the scenario{hint}")
                ok = False
        return ok

    def _event_hours(self, where: str, event: Event, trip: Trip | None, team: tuple[Traveller, ...]) -> None:
        """A warning when no traveller who may attend the event has day hours around it
        (like a commitment outside the day hours, no plan can attend it)."""
        if trip is None:
            return
        hours = [(t.day_start_minute, t.day_end_minute) for t in team if event.may_attend(t)] or \
            [(trip.day_start_minute, trip.day_end_minute)]
        if not any(start <= event.start_minute and event.end_minute <= end for start, end in hours):
            shown = ", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in dict.fromkeys(hours))
            self.warn(where, f"{_clock(event.start_minute)}-{_clock(event.end_minute)} is outside the day hours "
                      f"{shown}: no plan can attend it")

    # -- customers ----------------------------------------------------------------------

    def _customers(self, spec: Any, columns: customer_io.ColumnMap, defaults: DefaultsIn,
                   places: dict[str, Place] | None, trip: Trip | None,
                   team: tuple[str, ...]) -> tuple[tuple[Customer, ...] | None, tuple[str, ...]]:
        table = self._customer_table(spec, columns)
        if table is None:
            return None, ()
        customers, problems = customer_io.build_customers(table, defaults, places or {}, trip,
                                                          self.geocache, self.where, team)
        self.problems.extend(problems)
        return customers, table.ignored_columns

    def _columns(self, raw: Any, parsed: ColumnsIn | None) -> customer_io.ColumnMap:
        """`columns:` as read; when it has errors (reported by _sections), its valid entries, so
        the customer file is still read with them."""
        if parsed is not None:
            return customer_io.ColumnMap(parsed.model_dump(exclude_none=True), self.key("columns"))
        if not isinstance(raw, dict):
            return customer_io.NO_COLUMNS
        valid = {key: value for key, value in raw.items() if key in customer_io.COLUMNS and isinstance(value, str)}
        return customer_io.ColumnMap(valid, self.key("columns"))

    def _customer_table(self, spec: Any, columns: customer_io.ColumnMap) -> customer_io.RawTable | None:
        where = self.key("customers")
        if spec is None:
            return None  # already reported as missing
        if isinstance(spec, list):
            if not all(isinstance(row, dict) for row in spec):
                self.error(where, "an inline customer list must hold mappings (name: ..., lat: ...)")
                return None
            return customer_io.read_inline(spec, where, columns)
        try:
            file_spec = CustomerFileIn(file=spec) if isinstance(spec, str) else CustomerFileIn.model_validate(spec)
        except ValidationError as exc:
            self.problems.extend(_pydantic_problems(self.where, "customers", exc))
            return None
        path = Path(os.path.normpath(self.source.parent / file_spec.file))
        if not Path(file_spec.file).is_absolute():
            root = _tree_root(self.source)
            if not _inside(Path(os.path.realpath(path)), root):
                self.error(where, f"{quoted(file_spec.file)} lies outside the scenario's folder tree {root}: a "
                           "relative path may not leave it (docs/limits.md); give an absolute path to read a "
                           "file elsewhere")
                return None
        self.customer_file = path  # outputs may not overwrite it (files.check_output)
        return customer_io.read_file(path, str(path), file_spec.sheet, columns)


# Time zone abbreviations and names people write, to the IANA zone they most likely mean and,
# where the abbreviation is shared, the others it may mean. Keys are upper case, without spaces,
# dots, hyphens or underscores.
_ZONE_NAMES: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("PST", "PDT", "PT", "PACIFIC", "PACIFICTIME", "PACIFICSTANDARDTIME", "USPACIFICTIME"),
                    ("America/Los_Angeles", "")),
    **dict.fromkeys(("MDT", "MT", "MOUNTAIN", "MOUNTAINTIME", "MOUNTAINSTANDARDTIME"),
                    ("America/Denver", "Arizona, which keeps standard time all year, 'America/Phoenix'")),
    **dict.fromkeys(("CST", "CDT", "CT", "CENTRAL", "CENTRALTIME", "CENTRALSTANDARDTIME"),
                    ("America/Chicago", "China Standard Time, 'Asia/Shanghai'")),
    **dict.fromkeys(("EDT", "ET", "EASTERN", "EASTERNTIME", "EASTERNSTANDARDTIME"), ("America/New_York", "")),
    **dict.fromkeys(("AKST", "AKDT", "ALASKA"), ("America/Anchorage", "")),
    **dict.fromkeys(("HAST", "HDT", "HAWAII"), ("Pacific/Honolulu", "")),
    **dict.fromkeys(("AST", "ADT", "ATLANTIC"), ("America/Halifax", "Arabia Standard Time, 'Asia/Riyadh'")),
    **dict.fromkeys(("NST", "NDT"), ("America/St_Johns", "")),
    **dict.fromkeys(("BST", "UK"), ("Europe/London", "")),
    **dict.fromkeys(("Z",), ("UTC", "")),
    **dict.fromkeys(("IST",), ("Asia/Kolkata", "Irish Standard Time, 'Europe/Dublin'; for Israel, 'Asia/Jerusalem'")),
    **dict.fromkeys(("CEST", "CENTRALEUROPEANTIME"),
                    ("Europe/Berlin", "another city, its own: 'Europe/Paris', 'Europe/Madrid', ...")),
    **dict.fromkeys(("EEST",), ("Europe/Athens", "another city, its own: 'Europe/Helsinki', 'Europe/Bucharest', ...")),
    **dict.fromkeys(("WEST",), ("Europe/Lisbon", "")),
    **dict.fromkeys(("MSK",), ("Europe/Moscow", "")),
    **dict.fromkeys(("GST",), ("Asia/Dubai", "")),
    **dict.fromkeys(("PKT",), ("Asia/Karachi", "")),
    **dict.fromkeys(("ICT",), ("Asia/Bangkok", "")),
    **dict.fromkeys(("WIB",), ("Asia/Jakarta", "")),
    **dict.fromkeys(("SGT",), ("Asia/Singapore", "")),
    **dict.fromkeys(("HKT",), ("Asia/Hong_Kong", "")),
    **dict.fromkeys(("PHT", "PHST"), ("Asia/Manila", "")),
    **dict.fromkeys(("JST",), ("Asia/Tokyo", "")),
    **dict.fromkeys(("KST",), ("Asia/Seoul", "")),
    **dict.fromkeys(("AEST", "AEDT"), ("Australia/Sydney", "Queensland, which keeps standard time all year, "
                                      "'Australia/Brisbane'")),
    **dict.fromkeys(("ACST", "ACDT"), ("Australia/Adelaide", "the Northern Territory, 'Australia/Darwin'")),
    **dict.fromkeys(("AWST",), ("Australia/Perth", "")),
    **dict.fromkeys(("NZST", "NZDT"), ("Pacific/Auckland", "")),
    **dict.fromkeys(("BRT",), ("America/Sao_Paulo", "")),
    **dict.fromkeys(("ART",), ("America/Argentina/Buenos_Aires", "")),
    **dict.fromkeys(("SAST",), ("Africa/Johannesburg", "")),
    **dict.fromkeys(("WAT",), ("Africa/Lagos", "")),
    **dict.fromkeys(("EAT",), ("Africa/Nairobi", "")),
    **dict.fromkeys(("CAT",), ("Africa/Maputo", "")),
}
# Names tzdata knows that keep one offset all year, though the places people mean by them do not.
_FIXED_ZONES = {
    "EST": "UTC-05:00 all year, without daylight saving time; for New York and the US East write America/New_York",
    "MST": "UTC-07:00 all year, without daylight saving time, as Arizona (America/Phoenix); for Denver and the US "
           "Mountain zone write America/Denver",
    "GMT": "UTC all year, without British Summer Time; for London write Europe/London (UTC is the same as GMT)",
}
_OFFSET = re.compile(r"^(?:UTC|GMT|Z)?\s*([+-])\s*([0-9]{1,2})(?::?([0-9]{2}))?$", re.IGNORECASE)
_NOT_PLACES = ("Etc/", "SystemV/", "posix/", "right/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")


def zone_hint(name: str) -> str:
    """What an unknown time zone most likely means, for its message: the IANA name written in
    another case; the zone an abbreviation stands for (`PST`: America/Los_Angeles, never a zone
    merely spelt alike such as MST) and the others it may stand for; a UTC offset's zone; the
    zone of a city (`Chicago`); else a zone spelt closely; else how to write one."""
    zones = sorted(zoneinfo.available_timezones())
    places = [z for z in zones if "/" in z and not z.startswith(_NOT_PLACES)]
    text = name.strip()
    by_case = {z.casefold(): z for z in zones}
    if text.casefold() in by_case:
        return f"did you mean {by_case[text.casefold()]!r}? zone names are case-sensitive"
    key = re.sub(r"[\s._-]", "", text).upper()
    if key in _ZONE_NAMES:
        zone, others = _ZONE_NAMES[key]
        return (f"did you mean {zone!r}?{f' (for {others})' if others else ''} An abbreviation is not a zone: "
                "write the IANA name of the place, which knows when daylight saving time starts and ends")
    offset = _OFFSET.match(text)
    if offset:
        sign, hours, minutes = offset.group(1), int(offset.group(2)), offset.group(3) or "00"
        fixed = f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
        if hours == 0 and minutes == "00":
            return "did you mean 'UTC'?"
        pick = "write the IANA name of the place (America/Chicago): it knows when daylight saving time starts and ends"
        if minutes == "00" and fixed in zones:
            return f"{pick}; for UTC{sign}{hours:02d}:00 all year, {fixed!r} (its sign is the other way round)"
        return pick
    city = re.sub(r"\s+", "_", text).casefold()
    by_city = [z for z in places if z.rsplit("/", 1)[-1].casefold() == city]
    if len(by_city) == 1:
        return f"did you mean {by_city[0]!r}?"
    close = difflib.get_close_matches(text, places, n=1, cutoff=0.8) if 4 < len(text) <= 100 else []
    if close:
        return f"did you mean {close[0]!r}?"
    return "use an IANA name such as America/Chicago"


def _organizer(given: OrganizerIn | None) -> Organizer | None:
    """`organizer:` (the scenario's, or a traveller's own) as the model has it."""
    return None if given is None else Organizer(given.email, given.name or "")


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _short_key(key: Any) -> Any:
    """A key as it may appear in a message: a long one cut (it is the user's text)."""
    return f"{key[:40]}..." if isinstance(key, str) and len(key) > 40 else key


_ROOT_MARKERS = (".git", "pyproject.toml")


def _tree_root(scenario: Path) -> Path:
    """The folder tree a scenario's relative customer path must stay in: the project the
    scenario belongs to (the nearest folder above it holding `.git` or `pyproject.toml`, so
    `scenarios/x.yaml` may read `../data/x.csv` in this repository), else its own folder."""
    folder = Path(os.path.realpath(scenario.parent))
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in _ROOT_MARKERS):
            return candidate
    return folder


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _too_large(scenario: Scenario) -> str | None:
    """Why the scenario is too large to plan (docs/limits.md), or None. Every event
    counts as a node: attended, it is a commitment of its traveller."""
    nodes = model_nodes(scenario) + len(scenario.events)
    if nodes <= MAX_NODES:
        return None
    need = (BASE_BYTES + BYTES_PER_NODE * nodes) / 1e9
    days = len(scenario.trip.possible_days)
    return (f"too large to plan: {len(scenario.customers):,} customers over {days} day(s) make "
            f"{nodes:,} nodes (a customer counts once per different set of daily hours, plus commitments, events "
            f"and 2 per day), which would need about {need:,.1f} GB of memory; "
            f"tripopt plans at most {MAX_NODES:,} nodes (docs/limits.md): plan fewer customers or days, "
            "or give customers the same hours every day")
