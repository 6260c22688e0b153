"""Customer rows, from CSV, XLSX or an inline YAML list as CRM exports really are, to `Customer`s.

Reading gives a `RawTable` of `RawRow`s: normalised column names mapped to stripped strings,
with an `origin` ("data/accounts.csv line 14") for messages. `build_customers` then turns the
text into typed values, one grammar for files and inline rows alike: an empty cell takes the
scenario's `defaults`, a bad one is an error naming the row's origin and its column, and
where a row is comes from `geo.locate`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .errors import Problem
from .geo import AddressCache, locate, parse_number
from .grammar import Hours, parse_duration_minutes, parse_hours
from .model import Customer, Place, Trip
from .schema import DefaultsIn

COLUMNS = ("name", "lat", "lon", "place", "city", "address", "value", "meeting", "hours",
           "must_visit", "cost", "notes")
_ALIASES = {"latitude": "lat", "longitude": "lon", "lng": "lon", "long": "lon",
            "mustvisit": "must_visit", "must": "must_visit", "note": "notes"}
_TRUE = {"true", "yes", "y", "1", "x", "t"}
_FALSE = {"false", "no", "n", "0", "f", ""}
Origin = Callable[[int, str], str]  # (record index, name cell) -> the row's origin text


@dataclass(frozen=True)
class RawRow:
    origin: str
    cells: dict[str, str]


@dataclass(frozen=True)
class RawTable:
    rows: tuple[RawRow, ...]
    ignored_columns: tuple[str, ...]
    problems: tuple[Problem, ...]


def normalise_column(name: object) -> str:
    """`" Must Visit "` -> `must_visit`; known aliases map to the contract's names."""
    key = re.sub(r"[\s\-]+", "_", str(name).strip().lower().lstrip("\ufeff"))
    return _ALIASES.get(key.replace("_", ""), _ALIASES.get(key, key))


def _cell(value: Any) -> str:
    """A cell as stripped text; empty, NaN and None all mean "use the default"."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(records: Sequence[Mapping[Any, Any]], header: list[Any], origin_of: Origin, label: str) -> RawTable:
    """Map raw records to contract columns, listing ignored columns and header problems."""
    problems: list[Problem] = []
    columns = [normalise_column(h) for h in header]
    seen: dict[str, str] = {}
    for raw, norm in zip(header, columns):
        if norm in seen and norm in COLUMNS:
            problems.append(Problem(label, f"columns {seen[norm]!r} and {raw!r} both mean {norm!r}"))
        seen.setdefault(norm, str(raw))
    if "name" not in columns:
        problems.append(Problem(label, f"no 'name' column (columns found: {', '.join(map(str, header))})"))
    ignored = tuple(str(h).strip() for h, n in zip(header, columns) if n not in COLUMNS and str(h).strip())
    rows = []
    for index, record in enumerate(records):
        cells = {n: _cell(record.get(h)) for h, n in zip(header, columns) if n in COLUMNS}
        if any(cells.values()):  # spreadsheets end with blank rows
            rows.append(RawRow(origin_of(index, cells.get("name", "")), cells))
    return RawTable(tuple(rows), ignored, tuple(problems))


def _row_origin(label: str, lines: list[int] | None = None) -> Origin:
    """Origin text of record `index`: its file line, from `lines` if given, else the
    line of a sheet whose header is line 1."""
    def origin(index: int, name: str) -> str:
        where = f"{label} line {lines[index] if lines is not None else index + 2}"
        return f"{where} ({name})" if name else where

    return origin


def read_file(path: Path, label: str, sheet: str | int | None = None) -> RawTable:
    """Read a CSV or XLSX file; every failure becomes a problem naming the file."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            import pandas as pd  # only here: its import is slow (benchmarks/README.md)

            frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object)
            return _table(frame.to_dict(orient="records"), list(frame.columns), _row_origin(label), label)
        if suffix in (".csv", ".txt", ".tsv"):
            return _read_text(path, label, "\t" if suffix == ".tsv" else ",")
        return _failed(label, f"unsupported customer file type {suffix!r} (use .csv or .xlsx)")
    except FileNotFoundError:
        return _failed(label, "customer file not found")
    except UnicodeDecodeError as exc:
        return _failed(label, f"not UTF-8 text (byte {exc.start}); save the CSV as UTF-8")
    except ValueError as exc:  # bad sheet name, corrupt workbook
        return _failed(label, f"cannot read: {exc}")
    except Exception as exc:  # pandas/openpyxl/csv parser errors have no common base
        return _failed(label, f"cannot read: {type(exc).__name__}: {exc}")


def _read_text(path: Path, label: str, delimiter: str) -> RawTable:
    """A delimited text file with a header row (the standard library's csv module: it
    handles quoting, a BOM via utf-8-sig, and knows the true line of every record).
    Blank lines are skipped, short rows padded; cells beyond the header must be empty."""
    header: list[str] | None = None
    records: list[dict[str, str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, skipinitialspace=True)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = row
                continue
            if any(cell.strip() for cell in row[len(header):]):
                problems.append(Problem(f"{label} line {reader.line_num}",
                                        f"{len(row)} cells but the header has {len(header)}"))
            records.append(dict(zip(header, row)))
            lines.append(reader.line_num)
    if header is None:
        return _failed(label, "the file is empty (no header row)")
    table = _table(records, header, _row_origin(label, lines), label)
    return RawTable(table.rows, table.ignored_columns, (*table.problems, *problems))


def read_inline(rows: list[dict[str, Any]], label: str) -> RawTable:
    """Rows written directly in the scenario (`customers: [{name: ..., lat: ...}]`)."""
    header: list[Any] = []
    for row in rows:
        header.extend(k for k in row if k not in header)
    return _table(rows, header, lambda i, name: f"{label}[{i}]" + (f" ({name})" if name else ""), label)


def _failed(label: str, message: str) -> RawTable:
    return RawTable((), (), (Problem(label, message),))


def build_customers(table: RawTable, defaults: DefaultsIn, places: Mapping[str, Place], trip: Trip | None,
                    addresses: AddressCache, scenario: str) -> tuple[tuple[Customer, ...], list[Problem]]:
    """The table's rows as customers, with every problem in the order a reader meets it:
    the table's own, a bad `defaults.hours`, then row by row.

    A row with an error is left out but the next rows are still read, so one run lists every
    bad cell. A name seen before is an error on the later row (names key plans and exports).
    With a `trip`, a customer it can never meet is a warning only: legal, the plan leaves them
    out, but most likely a typo in `hours` or `meeting`. `scenario` (the scenario file) names
    the problems that belong to no row."""
    problems = list(table.problems)
    hours = _default_hours(defaults, f"{scenario}: defaults.hours", problems)
    built: dict[str, Customer] = {}
    for row in table.rows:
        customer, row_problems = customer_from_row(row, defaults, hours, places, addresses)
        problems.extend(row_problems)
        if customer is None:
            continue
        if customer.name in built:
            problems.append(Problem(row.origin, f"duplicate customer name {customer.name!r} "
                                    f"(first at {built[customer.name].origin})"))
            continue
        built[customer.name] = customer
        if trip is not None:
            problems.extend(_availability_warnings(customer, trip))
    if not table.rows and not table.problems:
        problems.append(Problem(f"{scenario}: customers", "no customers", "warning"))
    return tuple(built.values()), problems


def customer_from_row(row: RawRow, defaults: DefaultsIn, default_hours: Hours | None, places: Mapping[str, Place],
                      addresses: AddressCache) -> tuple[Customer | None, list[Problem]]:
    """One row -> Customer, or None and the reasons, each naming the row's origin.

    Every cell is checked even after a bad one, so a row's mistakes come back together. An
    empty cell takes its default; `default_hours` is None when `defaults.hours` is bad, and
    then a row without hours is left out silently (that error is reported once, not per row).
    A warning (an ambiguous city) keeps the row."""
    cells, where = row.cells, row.origin
    problems: list[Problem] = []
    name = cells.get("name", "")
    if not name:
        problems.append(Problem(where, "name is empty"))
    location, location_problems = locate(where, cells, places, addresses)
    problems.extend(location_problems)
    value = _column(cells, "value", lambda t: parse_number(t, "value"), defaults.value, where, problems)
    cost = _column(cells, "cost", lambda t: parse_number(t, "cost"), defaults.cost, where, problems)
    for label, amount in (("value", value), ("cost", cost)):
        if amount is not None and amount < 0:
            problems.append(Problem(where, f"{label} {amount:g} is negative"))
    meeting = _column(cells, "meeting", _meeting, defaults.meeting, where, problems)
    hours = _column(cells, "hours", parse_hours, default_hours, where, problems)
    must_visit = _column(cells, "must_visit", _flag, False, where, problems)
    if any(p.severity == "error" for p in problems) or location is None or hours is None:
        return None, problems
    return Customer(name=name, lat=location.lat, lon=location.lon, value=value, meeting_minutes=meeting,
                    hours=hours, must_visit=must_visit, cost=cost, notes=cells.get("notes", ""),
                    place=cells.get("place") or None, origin=where,
                    address=cells.get("address") or cells.get("city") or ""), problems


def _default_hours(defaults: DefaultsIn, where: str, problems: list[Problem]) -> Hours | None:
    try:
        return parse_hours(defaults.hours)
    except ValueError as exc:
        problems.append(Problem(where, str(exc)))
        return None


def _column(cells: dict[str, str], column: str, parse: Callable[[str], Any], default: Any, where: str,
            problems: list[Problem]) -> Any:
    """A cell parsed, its default when empty, or None and an error that names the column."""
    text = cells.get(column, "")
    if not text:
        return default
    try:
        return parse(text)
    except ValueError as exc:
        message = str(exc)
        problems.append(Problem(where, message if message.startswith(column) else f"{column}: {message}"))
        return None


def _meeting(text: str) -> int:
    minutes = parse_duration_minutes(text)
    if minutes <= 0:
        raise ValueError(f"meeting {text!r} must be longer than 0 minutes")
    return minutes


def _flag(text: str) -> bool:
    key = text.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"must_visit {text!r} is not true/false")


def _availability_warnings(customer: Customer, trip: Trip) -> list[Problem]:
    windows = [w for day in trip.possible_days for w in customer.hours.windows_on(day)]
    if not windows:
        return [Problem(customer.origin, f"no availability on any day the trip may use "
                        f"({_span(trip.possible_days)}; hours {customer.hours.text!r})", "warning")]
    if all(end - start < customer.meeting_minutes for start, end in windows):
        return [Problem(customer.origin, f"the {customer.meeting_minutes}-minute meeting is longer than "
                        f"every window during the trip (hours {customer.hours.text!r})", "warning")]
    return []


def _span(days: tuple[date, ...]) -> str:
    return f"{days[0]:%a %Y-%m-%d} to {days[-1]:%a %Y-%m-%d}" if days else "no days"
