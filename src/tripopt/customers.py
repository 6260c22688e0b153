"""Reading customer rows from CSV, XLSX or an inline YAML list, as CRM exports really are.

Output is a list of `RawRow`: normalised column names mapped to stripped strings, with
an `origin` ("data/accounts.csv line 14") for messages. Turning text into typed values
is the loader's job, so one grammar serves files and inline rows alike.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Problem

COLUMNS = ("name", "lat", "lon", "place", "city", "address", "value", "meeting", "hours",
           "must_visit", "cost", "notes")
_ALIASES = {"latitude": "lat", "longitude": "lon", "lng": "lon", "long": "lon",
            "mustvisit": "must_visit", "must": "must_visit", "note": "notes"}


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


def _table(records: list[dict[str, Any]], header: list[Any], origin_of, label: str) -> RawTable:
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


def _row_origin(label: str, lines: list[int] | None = None):
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
            import pandas as pd  # only here: its import alone costs 0.2 s of every run

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
