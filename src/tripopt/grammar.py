"""The small text grammars of the contract: durations, clock times and `hours`.

Each parser raises ValueError with a message meant for the user (it is shown after
the file and row or key that held the bad value), so callers only add the location.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

_DURATION = re.compile(
    r"^\s*(?:(?P<h>\d+(?:\.\d+)?)\s*h(?:ours?|rs?)?)?\s*"
    r"(?:(?P<m>\d+)\s*(?:m|min|mins|minutes?)?)?\s*$",
    re.IGNORECASE,
)
_SECONDS = re.compile(
    r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<u>s|sec|secs|seconds?|m|min|mins|minutes?|h)?\s*$",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_WINDOW = re.compile(r"^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX_TOKEN = 40  # a duration or time longer than this is not one (and is not parsed)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_ALIASES = {
    **{d: i for i, d in enumerate(WEEKDAYS)},
    **{
        name: i
        for i, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    "tues": 1,
    "wednes": 2,
    "thur": 3,
    "thurs": 3,
}

DURATION_HELP = "a duration such as 90, 90min, 1h, 1h30m"
QUOTE_LIMIT = 60  # characters of an input quoted in a message; the rest is counted, not shown


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """`repr` of a value for a message, never longer than about `limit` characters: a
    text is cut (`'abc...' (1,000,000 characters)`), a list or mapping is described by its
    size, never expanded (a YAML alias bomb must not be printed)."""
    if isinstance(value, (list, tuple, dict, set)):
        kind = "a mapping" if isinstance(value, dict) else "a list"
        return f"{kind} of {len(value):,} item(s)"
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return f"{value[:limit]!r}... ({len(value):,} characters)"
    if isinstance(value, (bool, int, float)) or value is None:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** limit:
            return f"an integer of more than {limit} digits"
        return repr(value)
    return quoted(str(value), limit)


# An email address as a mail client takes one: one `@`, something before it, a domain of
# dotted labels after it; no space, control character (C0, DEL, C1) or the punctuation that separates
# addresses (`<>()[],;:"\`). Letters of any script pass (internationalised addresses).
# schema.py gives JSON Schema this very pattern, so an editor and `check` agree.
_EMAIL_ATOM = r'[^\x00-\x20\x7f-\x9f@<>()\[\],;:"\\.]'
EMAIL_PATTERN = rf"^{_EMAIL_ATOM}+(?:\.{_EMAIL_ATOM}+)*@{_EMAIL_ATOM}+(?:\.{_EMAIL_ATOM}+)+$"
MAX_EMAIL_CHARS = 254  # RFC 5321's longest path
_EMAIL = re.compile(EMAIL_PATTERN)


def parse_email(text: object) -> str:
    """An email address (`dana@example.com`), as written, for meeting requests: the
    address alone, no name or brackets around it."""
    if not isinstance(text, str) or len(text) > MAX_EMAIL_CHARS or not _EMAIL.fullmatch(text):
        raise ValueError(f"{quoted(text)} is not an email address (write the address alone: name@example.com)")
    return text


def parse_duration_minutes(text: object) -> int:
    """Minutes in a duration: `90`, `90min`, `1h`, `1h30m`, `2h` (a bare number is minutes)."""
    if isinstance(text, bool):
        raise ValueError(f"expected {DURATION_HELP}, got {text!r}")
    if isinstance(text, (int, float)):
        if not math.isfinite(text) or text < 0 or text != int(text):
            raise ValueError(f"expected a whole, non-negative number of minutes, got {quoted(text)}")
        return int(text)
    if not isinstance(text, str):
        raise ValueError(f"expected {DURATION_HELP}, got {quoted(text)}")
    raw = text.strip()
    match = _DURATION.match(raw) if len(raw) <= _MAX_TOKEN else None
    if not raw or not match or (match.group("h") is None and match.group("m") is None):
        raise ValueError(f"expected {DURATION_HELP}, got {quoted(raw)}")
    hours = float(match.group("h") or 0)
    minutes = hours * 60 + int(match.group("m") or 0)
    if minutes != int(minutes):
        raise ValueError(f"{quoted(raw)} is not a whole number of minutes")
    return int(minutes)


def parse_seconds(text: object) -> float:
    """Seconds in a solver time limit: `10`, `10s`, `2min`, `1h`; must be positive."""
    if isinstance(text, bool):
        raise ValueError(f"expected a time such as 10s or 2min, got {text!r}")
    if isinstance(text, (int, float)):
        try:
            seconds = float(text)
        except OverflowError:  # an integer beyond any float
            seconds = math.inf
    else:
        match = _SECONDS.match(text) if isinstance(text, str) and len(text) <= _MAX_TOKEN else None
        if not match:
            raise ValueError(f"expected a time such as 10s or 2min, got {quoted(text)}")
        unit = (match.group("u") or "s").lower()
        factor = 3600 if unit == "h" else 60 if unit.startswith("m") else 1
        seconds = float(match.group("n")) * factor
    if not math.isfinite(seconds):
        raise ValueError(f"must be a finite number of seconds, got {quoted(text)}")
    if seconds <= 0:
        raise ValueError(f"must be positive, got {quoted(text)}")
    return seconds


def parse_clock_minutes(text: object, *, allow_24: bool = False) -> int:
    """Minutes after midnight of a `HH:MM` clock time (24:00 only where a day may end)."""
    if not isinstance(text, (str, int)):
        raise ValueError(f"expected a clock time HH:MM, got {quoted(text)}")
    raw = str(text).strip()
    match = _CLOCK.match(raw)
    if not match:
        raise ValueError(f"expected a clock time HH:MM, got {quoted(raw)}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not allow_24)):
        raise ValueError(f"{quoted(raw)} is not a valid clock time (00:00 to 23:59)")
    return hours * 60 + minutes


@dataclass(frozen=True)
class HoursClause:
    """Windows (minutes of day) on a set of weekdays (0 = Monday) and/or given dates."""

    weekdays: frozenset[int]
    dates: frozenset[date]
    windows: tuple[tuple[int, int], ...]

    def applies_to(self, day: date) -> bool:
        """A clause with no selector applies to every day."""
        if not self.weekdays and not self.dates:
            return True
        return day.weekday() in self.weekdays or day in self.dates


@dataclass(frozen=True)
class Hours:
    """A customer's availability; clauses add up (a date clause adds to the weekday ones)."""

    clauses: tuple[HoursClause, ...]
    text: str = ""
    # The clauses' windows by weekday and by date, so a day's windows cost its own windows,
    # not a pass over every clause (a long `hours` cell, a month of days, 2,500 rows).
    _weekdays: tuple[tuple[tuple[int, int], ...], ...] = field(init=False, repr=False, compare=False)
    _dates: dict[date, tuple[tuple[int, int], ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        weekdays: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        dates: dict[date, list[tuple[int, int]]] = {}
        for clause in self.clauses:
            for weekday in (clause.weekdays if clause.weekdays or clause.dates else range(7)):
                weekdays[weekday].extend(clause.windows)
            for day in clause.dates:  # a day both selectors name gets the windows twice: merged below
                dates.setdefault(day, []).extend(clause.windows)
        object.__setattr__(self, "_weekdays", tuple(tuple(w) for w in weekdays))
        object.__setattr__(self, "_dates", {day: tuple(w) for day, w in dates.items()})

    def windows_on(self, day: date) -> tuple[tuple[int, int], ...]:
        """The sorted, merged open windows on one calendar day, in minutes of that day."""
        spans = sorted(self._weekdays[day.weekday()] + self._dates.get(day, ()))
        merged: list[tuple[int, int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return tuple(merged)


def _weekday(token: str) -> int:
    key = token.strip().lower().rstrip(".")
    if key not in _WEEKDAY_ALIASES:
        raise ValueError(f"unknown day {quoted(token.strip())} (use Mon..Sun or an ISO date YYYY-MM-DD)")
    return _WEEKDAY_ALIASES[key]


def _iso_date(token: str) -> date:
    try:
        return date.fromisoformat(token)
    except ValueError:
        raise ValueError(f"{quoted(token)} is not a valid date (YYYY-MM-DD)") from None


def _selector(text: str) -> tuple[frozenset[int], frozenset[date]]:
    """Parse `Mon-Fri`, `Tue,Thu`, `Sat`, `2026-12-02` (comma lists mixing them)."""
    weekdays: set[int] = set()
    dates: set[date] = set()
    for item in filter(None, (part.strip() for part in text.split(","))):
        if _ISO_DATE.match(item):
            dates.add(_iso_date(item))
        elif "-" in item:
            first, _, last = item.partition("-")
            lo, hi = _weekday(first), _weekday(last)
            span = (hi - lo) % 7
            weekdays.update((lo + k) % 7 for k in range(span + 1))
        else:
            weekdays.add(_weekday(item))
    return frozenset(weekdays), frozenset(dates)


def parse_window(token: str) -> tuple[int, int]:
    match = _WINDOW.match(token)
    if not match:
        raise ValueError(f"expected a window HH:MM-HH:MM, got {quoted(token)}")
    start = parse_clock_minutes(match.group(1))
    end = parse_clock_minutes(match.group(2), allow_24=True)
    if end <= start:
        raise ValueError(f"window {quoted(token)} ends before it starts")
    return start, end


def parse_hours(text: object) -> Hours:
    """Parse the `hours` grammar: `Mon-Fri 09:00-12:00 13:00-17:00; 2026-12-02 18:00-21:00`."""
    raw = str(text).strip()
    if not raw:
        raise ValueError("empty hours")
    clauses = []
    for clause_text in filter(None, (c.strip() for c in raw.split(";"))):
        tokens = clause_text.replace(", ", ",").split()
        split = next((i for i, t in enumerate(tokens) if _WINDOW.match(t) or ":" in t), len(tokens))
        if split == len(tokens):
            raise ValueError(f"clause {quoted(clause_text)} has no HH:MM-HH:MM window")
        selector = re.sub(r"\s*-\s*", "-", " ".join(tokens[:split]))
        weekdays, dates = _selector(re.sub(r"[\s,]+", ",", selector))
        windows = tuple(parse_window(t) for t in tokens[split:])
        clauses.append(HoursClause(weekdays, dates, windows))
    if not clauses:
        raise ValueError("empty hours")
    return Hours(tuple(clauses), raw)
