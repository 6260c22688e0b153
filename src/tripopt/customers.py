"""Reading customer rows from CSV, XLSX or an inline YAML list, as CRM exports really are.

Output is a list of `RawRow`: normalised column names mapped to stripped strings, with
an `origin` ("data/accounts.csv line 14") for messages. Turning text into typed values
is the loader's job, so one grammar serves files and inline rows alike.
"""

from __future__ import annotations

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


def _row_origin(label: str, first_line: int):
    def origin(index: int, name: str) -> str:
        where = f"{label} line {index + first_line}"
        return f"{where} ({name})" if name else where

    return origin


def read_file(path: Path, label: str, sheet: str | int | None = None) -> RawTable:
    """Read a CSV or XLSX file; every failure becomes a problem naming the file."""
    import pandas as pd

    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object)
        elif suffix in (".csv", ".txt", ".tsv"):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                                sep="\t" if suffix == ".tsv" else ",", skipinitialspace=True)
        else:
            return _failed(label, f"unsupported customer file type {suffix!r} (use .csv or .xlsx)")
    except FileNotFoundError:
        return _failed(label, "customer file not found")
    except UnicodeDecodeError as exc:
        return _failed(label, f"not UTF-8 text (byte {exc.start}); save the CSV as UTF-8")
    except ValueError as exc:  # bad sheet name, corrupt workbook
        return _failed(label, f"cannot read: {exc}")
    except Exception as exc:  # pandas/openpyxl parser errors have no common base
        return _failed(label, f"cannot read: {type(exc).__name__}: {exc}")
    records = frame.to_dict(orient="records")
    return _table(records, list(frame.columns), _row_origin(label, 2), label)


def read_inline(rows: list[dict[str, Any]], label: str) -> RawTable:
    """Rows written directly in the scenario (`customers: [{name: ..., lat: ...}]`)."""
    header: list[Any] = []
    for row in rows:
        header.extend(k for k in row if k not in header)
    return _table(rows, header, lambda i, name: f"{label}[{i}]" + (f" ({name})" if name else ""), label)


def _failed(label: str, message: str) -> RawTable:
    return RawTable((), (), (Problem(label, message),))
