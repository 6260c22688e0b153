"""Customer rows, from CSV, XLSX or an inline YAML list as CRM exports really are, to `Customer`s.

Reading gives a `RawTable` of `RawRow`s: normalised column names mapped to stripped strings,
with an `origin` ("data/accounts.csv line 14") for messages. `build_customers` then turns the
text into typed values, one grammar for files and inline rows alike: an empty cell takes the
scenario's `defaults`, a bad one is an error naming the row's origin and its column, and
where a row is comes from `geo.locate`.

Reading is bounded (docs/limits.md): a regular file of at most `MAX_FILE_BYTES`; at most
`MAX_CUSTOMERS` rows with content, `MAX_LINES` lines or sheet rows in all, `MAX_COLUMNS`
columns and `MAX_CELL_CHARS` characters per cell. A workbook is read in openpyxl's streaming
mode after its zip members' declared sizes (which zipfile never exceeds) and its sheet's
declared dimensions are checked, so neither a zip bomb nor a 4 KB sheet that claims a cell at
XFD1048576 is expanded. A file lists at most `MAX_REPORTED` problems of each severity,
then how many more there are. Messages quote a cell only shortened (`grammar.quoted`).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .errors import InputError, Problem
from .geo import AddressCache, locate, parse_number
from .grammar import Hours, parse_duration_minutes, parse_email, parse_hours, quoted
from .model import Customer, Place, Trip
from .schema import MAX_DAY_MINUTES, MAX_MONEY, MAX_VALUE, ColumnsIn, DefaultsIn
from .yamlio import check_regular_file, read_regular_file

COLUMNS = tuple(ColumnsIn.model_fields)  # name, lat, lon, place, city, address, value, meeting, hours, ...
_ALIASES = {"latitude": "lat", "longitude": "lon", "lng": "lon", "long": "lon",
            "mustvisit": "must_visit", "must": "must_visit", "note": "notes", "traveller": "travellers",
            "travelers": "travellers", "traveler": "travellers", "email": "email", "emailaddress": "email"}
_TRUE = {"true", "yes", "y", "1", "x", "t"}
_FALSE = {"false", "no", "n", "0", "f", ""}
Origin = Callable[[int, str], str]  # (record index, name cell) -> the row's origin text

_MIB = 1024 * 1024
MAX_FILE_BYTES = 32 * _MIB  # a CSV, or an XLSX as stored (zip-compressed)
MAX_LINE_BYTES = 1_000_000  # one physical line of a CSV (the csv module builds a whole record at once)
# An XLSX's zip members, by the sizes they declare (openpyxl parses some 2.5 MB of sheet XML
# a second: these keep a workbook at the limits to a few seconds and a few hundred MB).
MAX_XLSX_UNPACKED_BYTES = 64 * _MIB  # all members together
MAX_XLSX_SHEETS_BYTES = 16 * _MIB  # all worksheets together (openpyxl sizes every sheet on opening)
MAX_XLSX_SHEET_BYTES = 10 * _MIB  # one worksheet
MAX_XLSX_STRINGS_BYTES = 32 * _MIB  # the shared strings
MAX_XLSX_PART_BYTES = 8 * _MIB  # any other member (styles, theme, ...)
MAX_UNSIZED_SHEET_BYTES = 2 * _MIB  # a worksheet without a <dimension>: openpyxl reads it whole to size it
MAX_XLSX_MEMBERS = 10_000
MAX_CUSTOMERS = 10_000  # rows with content (planned through a pool, pool.py; docs/limits.md)
MAX_LINES = 100_000  # lines of a CSV, rows of a sheet, blank ones included
MAX_COLUMNS = 256
MAX_SHEET_CELLS = 2_000_000  # rows x columns a sheet may declare
MAX_CELL_CHARS = 10_000
MAX_REPORTED = 50  # errors (and, apart, warnings) listed per customer table
MAX_SHEETS_LISTED = 20  # sheets a workbook's overview shows (a header-less sheet's message)
_OVERVIEW_ROWS = 20  # rows of each sheet looked at for its first row with content
NO_NAME = "no 'name' column"
_EMPTY_SHEET = "the sheet is empty"
_NAME_IN_ORIGIN = 60  # characters of a row's name shown in its origin


@dataclass(frozen=True)
class RawRow:
    origin: str
    cells: dict[str, str]


@dataclass(frozen=True)
class RawTable:
    rows: tuple[RawRow, ...]
    ignored_columns: tuple[str, ...]
    problems: tuple[Problem, ...]
    label: str = ""  # the file (or `scenario: customers`), for problems of the whole table
    unusable: int | None = None  # the problem saying the header has no name column (a workbook lists its sheets)


@dataclass(frozen=True)
class ColumnMap:
    """The scenario's `columns:`: a customer column -> the file's header for it, and where the
    mapping is written (`s.yaml: columns`) for its problems."""

    headers: Mapping[str, str]
    where: str


NO_COLUMNS = ColumnMap({}, "")


def normalise_column(name: object) -> str:
    """`" Must Visit "` -> `must_visit`; known aliases map to the contract's names."""
    key = re.sub(r"[\s\-]+", "_", str(name).strip().lower().lstrip("\ufeff"))
    return _ALIASES.get(key.replace("_", ""), _ALIASES.get(key, key))


def _cell(value: Any) -> str:
    """A cell as stripped text; empty and None mean "use the default". A spreadsheet's
    number is written out in digits (1e-05 as 0.00001), so the cell grammar reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        text = repr(value)
        if "e" in text and abs(value) < 1:
            text = f"{value:.20f}".rstrip("0")
        return text
    if isinstance(value, (list, dict)):
        return f"<{quoted(value)}>"  # a list or mapping where a cell belongs: never expanded
    return str(value).strip()


def _header_text(header: Sequence[Any]) -> str:
    """The header for a message: at most 12 names, each shortened (it is file content)."""
    shown = ", ".join(_short_name(str(h).strip(), 30) for h in header[:12])
    return shown + (f" and {len(header) - 12} more" if len(header) > 12 else "")


def _table(records: Sequence[Mapping[Any, Any]], header: Sequence[Any], origin_of: Origin, label: str,
           columns: ColumnMap = NO_COLUMNS) -> RawTable:
    """Map raw records to contract columns, listing ignored columns and header problems.

    A header is the column `columns:` maps to it, else the contract column it names (case,
    spaces and aliases aside) unless `columns:` maps another header to that column. Without a
    name column no row is read: the one problem says so (and which header may be meant)."""
    problems: list[Problem] = []
    if len(header) > MAX_COLUMNS:
        return _failed(label, f"{len(header):,} columns, more than the {MAX_COLUMNS} a customer table may have "
                       "(docs/limits.md)")
    names, unmapped = _contract_names(header, columns, label)
    problems.extend(unmapped)
    seen: dict[str, str] = {}
    for raw, meant in zip(header, names):
        for norm in meant:
            if norm in seen and norm not in columns.headers:
                problems.append(Problem(label, f"columns {quoted(seen[norm], 30)} and {quoted(str(raw), 30)} "
                                        f"both mean {norm!r}"))
            seen.setdefault(norm, str(raw))
    ignored = tuple(str(h).strip() for h, n in zip(header, names) if not n and str(h).strip())
    if "name" not in seen:
        if "name" in columns.headers:  # its header is not in the file: said above
            unusable = next(i for i, p in enumerate(problems) if p.where == f"{columns.where}.name")
        else:
            unusable = len(problems)
            problems.append(Problem(label, _no_name(header)))
        return RawTable((), ignored, tuple(problems), label, unusable)
    rows = []
    for index, record in enumerate(records):
        cells = {n: _cell(record.get(h)) for h, meant in zip(header, names) for n in meant}
        if any(cells.values()):  # spreadsheets end with blank rows
            rows.append(RawRow(origin_of(index, cells.get("name", "")), cells))
    return RawTable(tuple(rows), ignored, tuple(problems), label)


def _contract_names(header: Sequence[Any], columns: ColumnMap, label: str) -> tuple[list[tuple[str, ...]],
                                                                                      list[Problem]]:
    """The contract columns each header stands for (none, one, or several that `columns:` maps
    to one header), and a problem naming both for each mapped header not in the table."""
    texts = [str(h).strip() for h in header]
    mapped: dict[int, list[str]] = {}
    problems = []
    for column, wanted in columns.headers.items():
        index = _find_header(texts, wanted)
        if index is None:
            problems.append(Problem(f"{columns.where}.{column}", _missing_header(column, wanted, texts, label)))
        else:
            mapped.setdefault(index, []).append(column)
    names: list[tuple[str, ...]] = []
    for index, raw in enumerate(header):
        norm = normalise_column(raw)
        names.append(tuple(mapped[index]) if index in mapped else
                     (norm,) if norm in COLUMNS and norm not in columns.headers else ())
    return names, problems


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _find_header(texts: Sequence[str], wanted: str) -> int | None:
    """The header `columns:` names: written as in the file, else with other case or spaces."""
    for folded in (False, True):
        key = _fold(wanted) if folded else wanted.strip()
        for index, text in enumerate(texts):
            if (_fold(text) if folded else text) == key:
                return index
    return None


def _missing_header(column: str, wanted: str, texts: Sequence[str], label: str) -> str:
    folded = {_fold(t): t for t in texts if t}
    close = difflib.get_close_matches(_fold(wanted), list(folded), n=1, cutoff=0.75) if len(wanted) <= 100 else []
    hint = f" (did you mean {quoted(folded[close[0]], 40)}?)" if close else ""
    return (f"{column!r} is mapped to the header {quoted(wanted, 40)}, which {label} does not have{hint}; its "
            f"headers: {_header_text([t for t in texts if t])}")


# What a CRM calls the account's name: "Account Name", "Company", "Customer Name", but not a
# person's name ("Contact Name", "Account Owner Name") nor another record's ("Parent Account Name").
_ENTITY_WORDS = {"account", "company", "customer", "client", "organization", "organisation", "org", "business",
                 "firm", "prospect", "lead", "opportunity"}
_OTHER_WORDS = {"first", "last", "middle", "full", "given", "family", "contact", "owner", "user", "rep", "manager",
                "parent", "created", "modified", "assigned", "file", "sheet", "region", "industry", "id"}


def _name_header(header: Sequence[Any]) -> str | None:
    """The header most likely meant as the `name` column, or None when none is close: an
    account's or company's name, then a header that is only such a word, then another name
    that is not a person's, then a misspelling of `name`."""
    texts = [t for t in (str(h).strip() for h in header) if t and len(t) <= 60]
    words = {t: set(re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", t).lower())) for t in texts}
    for test in (lambda w: "name" in w and bool(w & _ENTITY_WORDS) and not w & _OTHER_WORDS,
                 lambda w: bool(w) and w <= _ENTITY_WORDS,
                 lambda w: "name" in w and not w & _OTHER_WORDS):
        found = [t for t in texts if test(words[t])]
        if found:
            return found[0]
    for text in texts:
        folded = normalise_column(text)
        if sorted(folded) == sorted("name") or difflib.SequenceMatcher(None, folded, "name").ratio() >= 0.8:
            return text
    return None


def meant_column(key: str, header: object) -> str | None:
    """The customer column a `columns:` key that names none is probably meant as: one spelt
    closely (`vaule`), else the one its header names (`Latitude`: lat; `Account Name`: name)."""
    close = difflib.get_close_matches(normalise_column(key), COLUMNS, n=1, cutoff=0.8) if len(key) <= 100 else []
    if close:
        return close[0]
    if not isinstance(header, str):
        return None
    norm = normalise_column(header)
    if norm in COLUMNS:
        return norm
    return "name" if _name_header([header]) is not None else None


def _yaml_text(text: str) -> str:
    """A header as it can be written in `columns: {name: ...}` (quoted when YAML needs it)."""
    return text if re.fullmatch(r"[A-Za-z][A-Za-z0-9 _.()/&+-]*[A-Za-z0-9)]|[A-Za-z]", text) else json.dumps(text)


def _no_name(header: Sequence[Any]) -> str:
    """The table has no name column: which header is probably meant, as the `columns:` line."""
    meant = _name_header(header)
    hint = f"; did you mean `columns: {{name: {_yaml_text(meant)}}}`?" if meant is not None else ""
    return f"{NO_NAME}{hint} (columns found: {_header_text(header)})"


def _row_origin(label: str, lines: list[int] | None = None) -> Origin:
    """Origin text of record `index`: its file line, from `lines` if given, else the
    line of a sheet whose header is line 1."""
    def origin(index: int, name: str) -> str:
        where = f"{label} line {lines[index] if lines is not None else index + 2}"
        return f"{where} ({_short_name(name)})" if name else where

    return origin


def _short_name(name: str, limit: int = _NAME_IN_ORIGIN) -> str:
    return name if len(name) <= limit else f"{name[:limit]}..."


def read_file(path: Path, label: str, sheet: str | int | None = None, columns: ColumnMap = NO_COLUMNS) -> RawTable:
    """Read a CSV or XLSX file; every failure becomes a problem naming the file. `columns`
    maps contract columns to the file's headers (the scenario's `columns:`)."""
    suffix = path.suffix.lower()
    try:
        check_regular_file(path, "customer file not found")  # a device or FIFO: refused whatever its name
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(path, label, sheet, columns)
        if suffix == ".xls":
            return _failed(label, "an Excel 97-2003 workbook (.xls) cannot be read: save it as .xlsx or .csv")
        if suffix in (".csv", ".txt", ".tsv"):
            return _read_text(path, label, "\t" if suffix == ".tsv" else ",", columns)
        return _failed(label, f"unsupported customer file type {quoted(suffix, 20)} (use .csv or .xlsx)")
    except InputError as exc:  # not a regular file, too big, unreadable
        return RawTable((), (), tuple(Problem(label, p.message) for p in exc.problems), label)
    except UnicodeDecodeError as exc:
        return _failed(label, f"not UTF-8 text (byte {exc.start}); save the CSV as UTF-8")
    except MemoryError:
        return _failed(label, "too large to read in the memory available (docs/limits.md)")
    except Exception as exc:  # openpyxl/zipfile/csv parser errors have no common base
        return _failed(label, f"cannot read: {type(exc).__name__}: {quoted(str(exc), 120)}")


def _read_bytes(path: Path) -> bytes:
    return read_regular_file(path, MAX_FILE_BYTES, "customer file", "customer file not found")


def _read_text(path: Path, label: str, delimiter: str, columns: ColumnMap) -> RawTable:
    """A delimited text file with a header row (the standard library's csv module: it
    handles quoting, a BOM via utf-8-sig, and knows the true line of every record).
    Blank lines are skipped, short rows padded; cells beyond the header must be empty."""
    data = _read_bytes(path)
    long_line = _long_line(data)
    if long_line is not None:
        return _failed(label, f"line {long_line:,} is longer than {MAX_LINE_BYTES:,} bytes (docs/limits.md)")
    text = data.decode("utf-8-sig")
    header: list[str] | None = None
    records: list[dict[str, str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    for count, row in enumerate(reader, start=1):
        if count > MAX_LINES:
            return _failed(label, _too_many_lines(reader.line_num))
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = row
            if len(header) > MAX_COLUMNS:
                break  # _table says so
            continue
        if len(records) == MAX_CUSTOMERS:
            return _failed(label, _too_many_rows(f"line {reader.line_num}"))
        if any(cell.strip() for cell in row[len(header):]):
            problems.append(Problem(f"{label} line {reader.line_num}",
                                    f"{len(row)} cells but the header has {len(header)}"))
        records.append(dict(zip(header, row)))
        lines.append(reader.line_num)
    if header is None:
        return _failed(label, "the file is empty (no header row)")
    table = _table(records, header, _row_origin(label, lines), label, columns)
    return RawTable(table.rows, table.ignored_columns, (*table.problems, *problems), label, table.unusable)


def _long_line(data: bytes) -> int | None:
    """The number of the first line longer than MAX_LINE_BYTES, or None (vectorised: the
    file may be 32 MB of one line, or of three million short ones)."""
    if len(data) <= MAX_LINE_BYTES:
        return None
    import numpy as np

    raw = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero((raw == 10) | (raw == 13))
    bounds = np.concatenate(([-1], ends, [len(data)]))
    long = np.flatnonzero(np.diff(bounds) - 1 > MAX_LINE_BYTES)
    if long.size == 0:
        return None
    return int(np.count_nonzero(raw[:bounds[long[0]] + 1] == 10)) + 1


def _too_many_rows(where: str) -> str:
    return (f"more than {MAX_CUSTOMERS:,} customer rows (found at {where}): tripopt plans at most "
            f"{MAX_CUSTOMERS:,} customers (docs/limits.md); filter the export first")


def _too_many_lines(line: int) -> str:
    return f"more than {MAX_LINES:,} lines, blank ones included (at line {line:,}; docs/limits.md)"


def _zip_problem(archive: io.BytesIO) -> str | None:
    """Why a workbook's zip may not be opened, from the sizes its members declare (zipfile
    never inflates a member past its declared size); None if it may."""
    try:
        bundle = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        return "not an .xlsx workbook (not a zip archive); save it from Excel as .xlsx, or as .csv"
    with bundle:
        members = bundle.infolist()
        if len(members) > MAX_XLSX_MEMBERS:
            return f"the workbook holds {len(members):,} files, more than {MAX_XLSX_MEMBERS:,} (docs/limits.md)"
        sheets = [m for m in members if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml")]
        for member in members:
            limit = (MAX_XLSX_SHEET_BYTES if member in sheets else MAX_XLSX_STRINGS_BYTES
                     if member.filename == "xl/sharedStrings.xml" else MAX_XLSX_PART_BYTES)
            if member.file_size > limit:
                return _unpacks(f"the workbook's part {quoted(member.filename, 60)}", member.file_size, limit)
        for what, size, limit in (("its worksheets", sum(m.file_size for m in sheets), MAX_XLSX_SHEETS_BYTES),
                                  ("the workbook", sum(m.file_size for m in members), MAX_XLSX_UNPACKED_BYTES)):
            if size > limit:
                return _unpacks(what, size, limit)
        for member in sheets:
            if member.file_size > MAX_UNSIZED_SHEET_BYTES and not _declares_dimension(bundle, member):
                return (f"the worksheet {quoted(member.filename, 60)} ({member.file_size:,} bytes) declares no "
                        f"dimensions, and one over {MAX_UNSIZED_SHEET_BYTES:,} bytes must (docs/limits.md): "
                        "save it again from Excel, or as .csv")
    return None


def _unpacks(what: str, size: int, limit: int) -> str:
    return (f"{what} unpacks to {size:,} bytes, more than {limit:,} (docs/limits.md): a zip bomb, or save "
            "the sheet as .csv")


def _declares_dimension(bundle: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Whether a worksheet's XML has its <dimension> before its cells (only its start is inflated)."""
    with bundle.open(member) as stream:
        head = stream.read(64 * 1024)
    return b"dimension" in head.split(b"sheetData", 1)[0]


def _read_xlsx(path: Path, label: str, sheet: str | int | None, columns: ColumnMap) -> RawTable:
    """The first sheet (or `sheet`, by name or index) of a workbook, streamed: the header is
    its first row, a row's origin its own sheet row; cells right of the header are ignored."""
    archive = io.BytesIO(_read_bytes(path))
    refused = _zip_problem(archive)
    if refused is not None:
        return _failed(label, refused)
    import openpyxl  # only here: reading needs it, planning does not

    archive.seek(0)
    workbook = openpyxl.load_workbook(archive, read_only=True, data_only=True, keep_links=False)
    try:
        names = workbook.sheetnames
        if isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                return _failed(label, f"no sheet number {sheet} (the workbook has {len(names)}, counted from 0)")
            chosen = names[sheet]
        elif sheet is not None:
            if str(sheet) not in names:
                return _failed(label, f"no sheet named {quoted(str(sheet))} (sheets: {_header_text(names)})")
            chosen = str(sheet)
        elif names:
            chosen = names[0]
        else:
            return _failed(label, "the workbook has no sheet")
        worksheet = workbook[chosen]
        if not hasattr(worksheet, "iter_rows"):
            return _failed(label, f"sheet {quoted(chosen)} is a chart, not a table")
        rows, width = worksheet.max_row, worksheet.max_column  # declared (None when not declared)
        if rows is not None and width is not None:
            refused = _sheet_problem(chosen, worksheet.min_row or 1, rows, worksheet.min_column or 1, width)
            if refused is not None:
                return _failed(label, refused)
        table = _sheet_table(worksheet.iter_rows(min_row=1, max_row=min(rows or MAX_LINES, MAX_LINES + 1),
                                                 max_col=min(width or MAX_COLUMNS, MAX_COLUMNS + 1),
                                                 values_only=True), label, columns)
        if table.unusable is None:
            return table
        overview = _sheets_overview(workbook, chosen, columns)
        problems = tuple(Problem(p.where, f"{_in_sheet(p.message, chosen)}; {overview}", p.severity)
                         if i == table.unusable else p for i, p in enumerate(table.problems))
        return RawTable(table.rows, table.ignored_columns, problems, label, table.unusable)
    finally:
        workbook.close()


def _in_sheet(message: str, sheet: str) -> str:
    """A header problem naming the sheet it is about."""
    if message.startswith(_EMPTY_SHEET):
        return f"sheet {quoted(sheet, 30)} is empty (no header row)"
    if message.startswith(NO_NAME):
        return message.replace(NO_NAME, f"{NO_NAME} in sheet {quoted(sheet, 30)}", 1)
    return message.replace(" does not have", f" does not have in sheet {quoted(sheet, 30)}", 1)


def _sheets_overview(workbook: Any, chosen: str, columns: ColumnMap) -> str:
    """The workbook's sheets and the first row with content of each (shortened, as a header
    is), for the message of a sheet without a usable header, and how `sheet:` picks another:
    the first sheet whose first row has a `name` column, if one has."""
    names = list(workbook.sheetnames)
    if len(names) == 1:
        return "the workbook has no other sheet"
    shown, usable = [], []
    for name in names[:MAX_SHEETS_LISTED]:
        first = _first_row(workbook[name])
        if first is None:
            shown.append(f"{quoted(name, 30)}: empty" if hasattr(workbook[name], "iter_rows")
                         else f"{quoted(name, 30)}: a chart")
            continue
        texts = [str(h).strip() for h in first if h is not None]
        wanted = columns.headers.get("name")
        has_name = (_find_header(texts, wanted) is not None if wanted is not None
                    else any(normalise_column(t) == "name" for t in texts))
        if has_name and name != chosen:
            usable.append(name)
        shown.append(f"{quoted(name, 30)}: {_row_text([h for h in first if h is not None])}"
                     + (" (a 'name' column)" if has_name else ""))
    if len(names) > MAX_SHEETS_LISTED:
        shown.append(f"and {len(names) - MAX_SHEETS_LISTED} more")
    if usable:
        pick = (f"`sheet:` picks another: customers: {{file: ..., sheet: {quoted(usable[0], 30)}}} (its first row "
                "has a 'name' column)")
    else:
        other = next(n for n in names if n != chosen)
        pick = f"`sheet:` picks another, by name or number from 0: customers: {{file: ..., sheet: {quoted(other, 30)}}}"
    return f"the workbook's sheets and their first rows: {'; '.join(shown)}; {pick}"


def _row_text(cells: Sequence[Any], most: int = 8) -> str:
    """A sheet's first row for a message: at most `most` cells, each quoted and shortened."""
    shown = ", ".join(repr(_short_name(str(c).strip(), 30)) for c in cells[:most])
    return shown + (f" and {len(cells) - most} more" if len(cells) > most else "")


def _first_row(worksheet: Any) -> list[Any] | None:
    """A sheet's first row with content among its first rows (a header after a few blank rows
    counts, as `_sheet_table` reads it), or None; a chart sheet has none."""
    if not hasattr(worksheet, "iter_rows"):
        return None
    for row in worksheet.iter_rows(min_row=1, max_row=_OVERVIEW_ROWS, max_col=MAX_COLUMNS, values_only=True):
        if any(v is not None and str(v).strip() for v in row):
            cells = list(row)
            while cells and cells[-1] is None:
                cells.pop()
            return cells
    return None


def _sheet_problem(name: str, first_row: int, rows: int, first_column: int, columns: int) -> str | None:
    """Why a sheet's declared dimensions are refused before any cell is read; None if not."""
    cells = (rows - first_row + 1) * (columns - first_column + 1)
    if rows <= MAX_LINES and columns <= MAX_COLUMNS and cells <= MAX_SHEET_CELLS:
        return None
    from openpyxl.utils import get_column_letter

    return (f"sheet {quoted(name)} declares cells up to {get_column_letter(columns)}{rows} ({rows:,} rows x "
            f"{columns:,} columns); a customer sheet may have at most {MAX_LINES:,} rows, {MAX_COLUMNS} columns "
            f"and {MAX_SHEET_CELLS:,} cells (docs/limits.md): delete the rows and columns beyond the table, or "
            "save it as .csv")


def _sheet_table(rows: Iterable[tuple[Any, ...]], label: str, columns: ColumnMap) -> RawTable:
    """Rows of a sheet (row 1 first) into a table; the header is the first row, and only as
    many columns as it names are kept."""
    header: list[Any] | None = None
    records: list[dict[Any, Any]] = []
    lines: list[int] = []
    for line, row in enumerate(rows, start=1):
        if line > MAX_LINES:
            return _failed(label, _too_many_lines(line))
        width = len(header) if header is not None else MAX_COLUMNS
        if not any(v is not None and str(v).strip() for v in row[:width]):
            continue  # blank rows, before the header too
        if header is None:
            if len(row) > MAX_COLUMNS and any(v is not None for v in row[MAX_COLUMNS:]):
                return _failed(label, f"more than {MAX_COLUMNS} columns (docs/limits.md)")
            header = list(row[:MAX_COLUMNS])
            while header and header[-1] is None:
                header.pop()
            continue
        if len(records) == MAX_CUSTOMERS:
            return _failed(label, _too_many_rows(f"row {line}"))
        records.append({h: v for h, v in zip(header, row) if h is not None})
        lines.append(line)
    if header is None:
        return RawTable((), (), (Problem(label, f"{_EMPTY_SHEET} (no header row)"),), label, 0)
    return _table(records, [h for h in header if h is not None], _row_origin(label, lines), label, columns)


def read_inline(rows: list[dict[str, Any]], label: str, columns: ColumnMap = NO_COLUMNS) -> RawTable:
    """Rows written directly in the scenario (`customers: [{name: ..., lat: ...}]`); their keys
    are the headers `columns` maps."""
    if len(rows) > MAX_CUSTOMERS:
        return _failed(label, _too_many_rows(f"item {MAX_CUSTOMERS + 1}"))
    nested = [Problem(f"{label}[{i}]", f"{_short_name(str(key), 40)}: {quoted(value)} where one value belongs")
              for i, row in enumerate(rows) for key, value in row.items() if isinstance(value, (list, dict))]
    if nested:
        return RawTable((), (), tuple(capped(nested, label)), label)
    header: list[Any] = []
    known: set[Any] = set()
    for row in rows:
        for key in row:
            if key not in known:
                known.add(key)
                header.append(key)
    return _table(rows, header, lambda i, name: f"{label}[{i}]" + (f" ({_short_name(name)})" if name else ""),
                  label, columns)


def _failed(label: str, message: str) -> RawTable:
    return RawTable((), (), (Problem(label, message),), label)


def build_customers(table: RawTable, defaults: DefaultsIn, places: Mapping[str, Place], trip: Trip | None,
                    addresses: AddressCache, scenario: str, team: Sequence[str] = ()
                    ) -> tuple[tuple[Customer, ...], list[Problem]]:
    """The table's rows as customers, with every problem in the order a reader meets it:
    the table's own, a bad `defaults.hours`, then row by row.

    A row with an error is left out but the next rows are still read, so one run lists every
    bad cell. A name seen before is an error on the later row (names key plans and exports).
    With a `trip`, a customer it can never meet is a warning only: legal, the plan leaves them
    out, but most likely a typo in `hours` or `meeting`. `scenario` (the scenario file) names
    the problems that belong to no row; `team` the travellers a `travellers` cell may name."""
    problems = list(table.problems)
    hours = _default_hours(defaults, f"{scenario}: defaults.hours", problems)
    found = _build_rows(table, defaults, hours, places, trip, addresses, problems, team)
    if not table.rows and not table.problems:
        problems.append(Problem(f"{scenario}: customers", "no customers", "warning"))
    return found, capped(problems, table.label or f"{scenario}: customers")


def capped(problems: list[Problem], label: str, limit: int = MAX_REPORTED) -> list[Problem]:
    """At most `limit` errors and `limit` warnings, in their order, then one line per
    severity saying how many more there are (a file of 2,500 bad rows is not 2,500 lines)."""
    kept: list[Problem] = []
    more = {"error": 0, "warning": 0}
    shown = {"error": 0, "warning": 0}
    for problem in problems:
        severity = problem.severity if problem.severity in shown else "error"
        if shown[severity] < limit:
            shown[severity] += 1
            kept.append(problem)
        else:
            more[severity] += 1
    for severity, count in more.items():
        if count:
            kept.append(Problem(label, f"and {count:,} more {severity}s in this table (the first {limit} are "
                                f"shown)", severity))
    return kept


def _build_rows(table: RawTable, defaults: DefaultsIn, hours: Hours | None, places: Mapping[str, Place],
                trip: Trip | None, addresses: AddressCache, problems: list[Problem],
                team: Sequence[str]) -> tuple[Customer, ...]:
    built: dict[str, Customer] = {}
    for row in table.rows:
        customer, row_problems = customer_from_row(row, defaults, hours, places, addresses, team)
        problems.extend(row_problems)
        if customer is None:
            continue
        if customer.name in built:
            problems.append(Problem(row.origin, f"duplicate customer name {quoted(customer.name)} "
                                    f"(first at {built[customer.name].origin})"))
            continue
        built[customer.name] = customer
        if trip is not None:
            problems.extend(_availability_warnings(customer, trip))
    return tuple(built.values())


def customer_from_row(row: RawRow, defaults: DefaultsIn, default_hours: Hours | None, places: Mapping[str, Place],
                      addresses: AddressCache, team: Sequence[str] = ()) -> tuple[Customer | None, list[Problem]]:
    """One row -> Customer, or None and the reasons, each naming the row's origin.

    Every cell is checked even after a bad one, so a row's mistakes come back together. An
    empty cell takes its default; `default_hours` is None when `defaults.hours` is bad, and
    then a row without hours is left out silently (that error is reported once, not per row).
    A warning (an ambiguous city) keeps the row."""
    cells, where = row.cells, row.origin
    problems = [Problem(where, f"{column}: {len(text):,} characters, more than the {MAX_CELL_CHARS:,} a cell may "
                        "have (docs/limits.md)") for column, text in cells.items() if len(text) > MAX_CELL_CHARS]
    if problems:
        return None, problems
    name = cells.get("name", "")
    if not name:
        problems.append(Problem(where, "name is empty"))
    location, location_problems = locate(where, cells, places, addresses)
    problems.extend(location_problems)
    value = _column(cells, "value", lambda t: _amount(t, "value", MAX_VALUE), defaults.value, where, problems)
    cost = _column(cells, "cost", lambda t: _amount(t, "cost", MAX_MONEY), defaults.cost, where, problems)
    meeting = _column(cells, "meeting", _meeting, defaults.meeting, where, problems)
    hours = _column(cells, "hours", parse_hours, default_hours, where, problems)
    must_visit = _column(cells, "must_visit", _flag, False, where, problems)
    visitors = _column(cells, "travellers", lambda t: _travellers(t, team), (), where, problems)
    emails = _column(cells, "email", _emails, (), where, problems)
    if any(p.severity == "error" for p in problems) or location is None or hours is None:
        return None, problems
    return Customer(name=name, lat=location.lat, lon=location.lon, value=value, meeting_minutes=meeting,
                    hours=hours, must_visit=must_visit, cost=cost, notes=cells.get("notes", ""),
                    place=cells.get("place") or None, origin=where,
                    address=cells.get("address") or cells.get("city") or "", travellers=visitors,
                    located=location.source, emails=emails), problems


def names_list(text: str) -> tuple[str, ...]:
    """Names separated by `,` or `;` (a `who` or a `travellers` cell), blanks dropped."""
    return tuple(dict.fromkeys(n.strip() for n in re.split(r"[,;]", text) if n.strip()))


def _travellers(text: str, team: Sequence[str]) -> tuple[str, ...]:
    """Who may visit the customer: names of the team (empty: anyone)."""
    names = names_list(text)
    unknown = [n for n in names if n not in team]
    if unknown:
        known = ", ".join(team) if team else "none: the scenario has no travellers"
        raise ValueError(f"{quoted(unknown[0])} is not a traveller (travellers: {known})")
    return names


def _emails(text: str) -> tuple[str, ...]:
    """The contact's addresses (several separated by `,` or `;`), each one an address."""
    try:
        return tuple(parse_email(address) for address in names_list(text))
    except ValueError as exc:
        raise ValueError(f"email {exc}") from None


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


def _amount(text: str, what: str, most: float) -> float:
    """A value or cost cell: a plain decimal number from 0 to `most` (schema's ranges)."""
    amount = parse_number(text, what)
    if amount < 0:
        raise ValueError(f"{what} {amount:g} is negative")
    if amount > most:
        raise ValueError(f"{what} {quoted(text)} is more than {most:,.0f}, the most a {what} may be (docs/limits.md)")
    return amount


def _meeting(text: str) -> int:
    minutes = parse_duration_minutes(text)
    if minutes <= 0:
        raise ValueError(f"meeting {quoted(text)} must be longer than 0 minutes")
    if minutes > MAX_DAY_MINUTES:
        raise ValueError(f"meeting {quoted(text)} is longer than a day (at most 24h)")
    return minutes


def _flag(text: str) -> bool:
    key = text.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"must_visit {quoted(text)} is not true/false")


def _availability_warnings(customer: Customer, trip: Trip) -> list[Problem]:
    windows = [w for day in trip.possible_days for w in customer.hours.windows_on(day)]
    if not windows:
        return [Problem(customer.origin, f"no availability on any day the trip may use "
                        f"({_span(trip.possible_days)}; hours {quoted(customer.hours.text, 120)})", "warning")]
    if all(end - start < customer.meeting_minutes for start, end in windows):
        return [Problem(customer.origin, f"the {customer.meeting_minutes}-minute meeting is longer than "
                        f"every window during the trip (hours {quoted(customer.hours.text, 120)})", "warning")]
    return []


def _span(days: tuple[date, ...]) -> str:
    return f"{days[0]:%a %Y-%m-%d} to {days[-1]:%a %Y-%m-%d}" if days else "no days"
