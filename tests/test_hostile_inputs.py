"""Hostile inputs (issue 14): one small case per class, each refused with exit 2, the culprit
(file, row or key) named, no traceback, in bounded time and memory.

Small inputs live in tests/data/hostile/inputs/; the large ones (a sheet claiming a cell at
XFD1048576, a zip bomb, 50,000 customers, 31 days x 1,000 customers, three million rows)
are generated here at test time. Every case runs the real command in a subprocess, so a hang
fails on the timeout instead of hanging the suite, and the child's peak resident memory is
measured (`MAX_RSS`: the issue's bound for any rejected input).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tripopt import inspect_scenario
from tripopt.cli import app
from tripopt.geo import CACHE_FILE_NAME

from .conftest import DATA

INPUTS = DATA / "hostile" / "inputs"
MAX_SECONDS = 10.0  # per rejected input, interpreter start included (measured: 0.6 to 2.5 s)
MAX_RSS = 1_500_000_000  # bytes of peak resident memory (measured: under 150 MB)
# Runs the command and reports its peak resident memory (ru_maxrss, KB on Linux).
_MEASURE = ("import resource, subprocess, sys\n"
            "code = subprocess.run(sys.argv[1:]).returncode\n"
            "print(f'\\nMAX_RSS_KB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stderr)\n"
            "sys.exit(code)\n")

HEAD = """timezone: America/Chicago
trip: {start: 2026-10-07, end: 2026-10-DD, day: {start: "08:00", end: "18:00"}}
places: {hotel: {lat: 41.8868, lon: -87.6217}}
base: hotel
"""


@dataclass(frozen=True)
class Run:
    code: int
    output: str
    seconds: float
    rss: int


def tripopt(*args: str | Path, cwd: Path | None = None) -> Run:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", _MEASURE, sys.executable, "-m", "tripopt", *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=cwd)
    seconds = time.monotonic() - started
    measured = re.search(r"\nMAX_RSS_KB=(\d+)\n?$", done.stderr)
    assert measured, done.stderr
    output = done.stdout + done.stderr[:measured.start()]
    return Run(done.returncode, output, seconds, int(measured.group(1)) * 1024)


def invoke(*args: str | Path) -> Run:
    """The command in this process (typer's runner): for the small inputs, where a
    subprocess would only add its start-up time (memory is not measured: rss 0)."""
    started = time.monotonic()
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.output, time.monotonic() - started, 0)


def refused(run: Run, *culprits: str) -> None:
    """Exit 2, every culprit named, no traceback, bounded time and memory."""
    assert run.code == 2, run.output
    assert "Traceback" not in run.output and not re.search(r"\b[A-Z]\w*Error\b", run.output), run.output
    for culprit in culprits:
        assert culprit in run.output, f"{culprit!r} not in:\n{run.output}"
    assert run.seconds < MAX_SECONDS, f"{run.seconds:.1f} s"
    assert run.rss < MAX_RSS, f"{run.rss / 1e6:.0f} MB"  # 0 when run in this process


def scenario(folder: Path, customers: str, days: int = 2, name: str = "s.yaml", extra: str = "") -> Path:
    path = folder / name
    path.write_text(f"name: hostile\n{HEAD.replace('DD', f'{6 + days:02d}')}customers: {customers}\n{extra}",
                    encoding="utf-8")
    return path


# -- small files: one per class ------------------------------------------------------------

@pytest.mark.parametrize("file, culprits", [
    ("numbers.yaml", ["budget: input should be a finite number (got inf)", "costs.per_km", "trip.extend.after.cost",
                      "travel.speed_kmh: must be at least 1 km/h, got 1e-300", "travel.buffer", "travel.detour_factor",
                      "trip.max_drive", "solver.time_limit", "solver.work_limit", "defaults.value",
                      "defaults.meeting: a meeting must be longer than 0 minutes"]),
    ("number_cells.yaml", ["number_cells.csv line 2 (Minus Inf): value '-inf' is not a finite number",
                           "line 3 (Plus NaN): value '+nan'", "line 4 (Underscore): value '-1_000' is not a number",
                           "line 5 (Huge): value '1e300' is not a number", "line 6 (Too Much): value",
                           "line 7 (Costly): cost 'inf'", "line 8 (No Lat): lat 'nan'", "7 error(s)"]),
    ("duplicate_key.yaml", ["duplicate_key.yaml line 10, column 1: duplicate key 'name': already given on line 2"]),
    ("deep_nesting.yaml", ["deep_nesting.yaml line 9", "nested deeper than 32 levels"]),
    ("alias_bomb_budget.yaml", ["alias_bomb_budget.yaml line", "more than 100,000 values"]),
    ("alias_bomb_inline.yaml", ["alias_bomb_inline.yaml line 13", "more than 100,000 values"]),
    ("recursive_alias.yaml", ["recursive_alias.yaml line 7", "refers to the list or mapping that contains it"]),
    ("meeting_zero_default.yaml", ["defaults.meeting: a meeting must be longer than 0 minutes, got 0",
                                   "customers[1] (Globex): meeting '0' must be longer than 0 minutes"]),
    ("city_punctuation.yaml", ["places.office.city: city is empty", "customers[0] (Commas): city ',,,,' names no town",
                               "customers[1] (Dots)"]),
    ("far_dates.yaml", ["trip.start: 9999-12-31 is outside the dates tripopt plans"]),
])
def test_small_hostile_file(file, culprits):
    refused(invoke("check", INPUTS / file), *culprits)


def test_plan_refuses_like_check():
    refused(tripopt("plan", INPUTS / "numbers.yaml", "--fresh"), "budget", "travel.speed_kmh")


def test_an_alias_bomb_is_never_expanded_into_a_message():
    run = tripopt("check", INPUTS / "alias_bomb_budget.yaml")  # memory measured too
    refused(run)
    assert len(run.output) < 1000 and "lol" not in run.output


# -- not regular files, paths out of the tree ------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_as_scenario_or_customer_file_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "scenario.yaml")
    os.mkfifo(tmp_path / "accounts.csv")
    refused(tripopt("check", tmp_path / "scenario.yaml"), "scenario.yaml: is a FIFO (named pipe), not a regular file")
    refused(tripopt("plan", tmp_path / "scenario.yaml", "--fresh"), "scenario.yaml: is a FIFO")
    refused(tripopt("check", scenario(tmp_path, "accounts.csv", name="s.yaml")), "accounts.csv: is a FIFO")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_as_scenario_or_customer_file_is_refused(tmp_path):
    refused(tripopt("check", "/dev/zero"), "/dev/zero: is a character device, not a regular file")
    refused(tripopt("check", scenario(tmp_path, "/dev/zero")), "/dev/zero: is a character device")
    refused(tripopt("check", tmp_path), f"{tmp_path}: is a folder, not a regular file")


def test_a_relative_customer_path_may_not_leave_the_scenario_folder(tmp_path):
    secret = "password=hunter2, the rest of this line must never be shown"
    (tmp_path / "secret.txt").write_text(secret + "\n", encoding="utf-8")
    (tmp_path / "inner").mkdir()
    run = tripopt("check", scenario(tmp_path / "inner", "../secret.txt"))
    refused(run, "customers: '../secret.txt' lies outside the scenario's folder tree")
    assert "hunter2" not in run.output
    (tmp_path / "inner" / "link.csv").symlink_to(tmp_path / "secret.txt")
    refused(invoke("check", scenario(tmp_path / "inner", "link.csv")), "'link.csv' lies outside")


def test_an_absolute_path_is_read_but_quoted_only_shortened(tmp_path):
    secret = "password=hunter2, the rest of this line must never be shown"
    (tmp_path / "secret.txt").write_text(secret + "\n", encoding="utf-8")
    (tmp_path / "inner").mkdir()
    run = invoke("check", scenario(tmp_path / "inner", str(tmp_path / "secret.txt")))
    refused(run, "secret.txt: no 'name' column")
    assert "must never be shown" not in run.output


# -- sizes, generated here -----------------------------------------------------------------

def _workbook(rows: list[list[object]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _replace_member(workbook: bytes, name: str, target: Path, chunks) -> None:
    """`workbook` with its member `name` replaced by the streamed `chunks` (never held whole)."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename != name:
                out.writestr(info.filename, source.read(info.filename))
        with out.open(name, "w", force_zip64=True) as member:
            for chunk in chunks:
                member.write(chunk)


def test_a_small_sheet_claiming_a_cell_at_xfd1048576_is_refused_before_reading(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["name", "lat", "lon"])
    book.active.append(["Acme", 41.9, -87.6])
    book.active["XFD1048576"] = 1
    book.save(tmp_path / "far.xlsx")
    assert (tmp_path / "far.xlsx").stat().st_size < 10_000
    refused(tripopt("check", scenario(tmp_path, "far.xlsx")), "far.xlsx: sheet 'Sheet' declares cells up to XFD1048576")


def test_a_zip_bomb_is_refused_from_its_declared_sizes(tmp_path):
    chunk = b"a" * (1 << 20)
    strings = [b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>',
               *([chunk] * 48), b"</t></si></sst>"]
    _replace_member(_workbook([["name", "lat", "lon"], ["Acme", 41.9, -87.6]]), "xl/sharedStrings.xml",
                    tmp_path / "bomb.xlsx", strings)
    assert (tmp_path / "bomb.xlsx").stat().st_size < 200_000  # 48 MiB inside (1 GB measured by hand: same)
    refused(tripopt("check", scenario(tmp_path, "bomb.xlsx")),
            "bomb.xlsx: the workbook's part 'xl/sharedStrings.xml' unpacks to 50,331,")


def test_a_sheet_without_dimensions_is_refused_when_large(tmp_path):
    rows = [b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>']
    rows += [b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (r, r) for r in range(2, 60_000)]
    rows.append(b"</sheetData></worksheet>")
    _replace_member(_workbook([]), "xl/worksheets/sheet1.xml", tmp_path / "unsized.xlsx", rows)
    refused(tripopt("check", scenario(tmp_path, "unsized.xlsx")), "unsized.xlsx: the worksheet",
            "declares no dimensions")


def test_fifty_thousand_customers_are_refused_at_reading(tmp_path):
    lines = ["name,lat,lon"] + [f"c{i},{41 + i % 100 / 100:.2f},-87.6" for i in range(50_000)]
    (tmp_path / "many.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused(tripopt("check", scenario(tmp_path, "many.csv")),
            "many.csv: more than 10,000 customer rows (found at line 10002)")


def test_a_month_of_different_hours_for_a_thousand_customers_is_refused_with_the_limit(tmp_path):
    hours = "; ".join(f"2026-10-{d:02d} 09:{d:02d}-17:00" for d in range(1, 32))
    lines = ["name,lat,lon,hours"] + [f'c{i},{41 + i % 100 / 100:.2f},-87.6,"{hours}"' for i in range(1000)]
    (tmp_path / "month.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "month.yaml"
    path.write_text(scenario(tmp_path, "month.csv").read_text().replace("end: 2026-10-08", "end: 2026-10-31")
                    .replace("start: 2026-10-07", "start: 2026-10-01"), encoding="utf-8")
    refused(tripopt("check", path), "month.yaml: too large to plan: 1,000 customers over 31 day(s) make 31,062 nodes",
            "tripopt plans at most 25,000 nodes")


def test_three_million_rows_are_refused_by_size(tmp_path):
    with (tmp_path / "huge.csv").open("w", encoding="utf-8") as handle:
        handle.write("name,lat,lon,value\n")
        handle.writelines(f"c{i},41.9,-87.6,lots\n" for i in range(3_000_000))
    refused(tripopt("check", scenario(tmp_path, "huge.csv")), "huge.csv: is ", "more than the 33,554,432")


def test_errors_per_file_are_capped(tmp_path):
    lines = ["name,lat,lon,value"] + [f"c{i},41.9,-87.6,lots" for i in range(2000)]
    (tmp_path / "bad.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = tripopt("check", scenario(tmp_path, "bad.csv"))
    refused(run, "bad.csv line 2 (c0): value 'lots' is not a number", "bad.csv: and 1,950 more errors in this table")
    assert run.output.count("is not a number") == 50


def test_a_line_of_thirty_megabytes_is_refused_before_parsing(tmp_path):
    (tmp_path / "commas.csv").write_bytes(b"name" + b"," * (30 << 20) + b"\n")
    refused(tripopt("check", scenario(tmp_path, "commas.csv")), "commas.csv: line 1 is longer than 1,000,000 bytes")


def test_a_huge_cell_is_quoted_shortened(tmp_path):
    (tmp_path / "cell.csv").write_text("name,lat,lon,hours\nAcme,41.9,-87.6," + "Mon " * 2000 + "\n", encoding="utf-8")
    run = tripopt("check", scenario(tmp_path, "cell.csv"))
    refused(run, "cell.csv line 2 (Acme): hours: clause 'Mon Mon", "(7,999 characters)")
    assert len(run.output) < 2000


def test_scenario_files_beyond_the_limits(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text(f"name: big\n{HEAD.replace('DD', '08')}notes: '{'x' * (3 << 20)}'\n", encoding="utf-8")
    refused(tripopt("check", big), "big.yaml: is 3,145,", "more than the 2,097,152 a scenario file may have")
    many = tmp_path / "many.yaml"
    many.write_text(f"name: many\n{HEAD.replace('DD', '08')}customers: [{', '.join(['0'] * 150_000)}]\n")
    refused(tripopt("check", many), "many.yaml line 6", "more than 100,000 values")
    long_budget = tmp_path / "long.yaml"
    long_budget.write_text(scenario(tmp_path, "[{name: A, lat: 1, lon: 1}]").read_text()
                           + f"budget: '{'9' * 100_000}'\n")
    run = tripopt("check", long_budget)
    refused(run, "long.yaml: budget", "(100,000 characters)")
    assert len(run.output) < 1000


# -- the geocoding cache ---------------------------------------------------------------------

ADDRESS_PLACES = "places: {hotel: {lat: 41.8868, lon: -87.6217}, office: {address: '1 Main St, Chicago'}}\n"


def _with_address(folder: Path) -> Path:
    path = scenario(folder, "[{name: Acme, lat: 41.9, lon: -87.6}]")
    path.write_text(path.read_text().replace("places: {hotel: {lat: 41.8868, lon: -87.6217}}\n", ADDRESS_PLACES))
    return path


@pytest.mark.parametrize("kind, content, warning", [
    ("corrupt", b"\x00\xffgarbage", "geocoding cache is not valid JSON"),
    ("truncated", b'{"1 main st, chicago": [41.8', "geocoding cache is not valid JSON"),
    ("empty", b"", "geocoding cache is not valid JSON"),
    ("null", b"null", "geocoding cache is not a JSON object"),
    ("null entry", b'{"1 main st, chicago": null}', "1 geocoding cache entry ignored"),
    ("nan", b'{"1 main st, chicago": [NaN, -87.6]}', "1 geocoding cache entry ignored"),
    ("out of range", b'{"1 main st, chicago": [91, 200]}', "1 geocoding cache entry ignored"),
    ("folder", None, "geocoding cache is a folder, not a regular file"),
])
def test_a_bad_geocache_is_a_warning_naming_it(tmp_path, kind, content, warning):
    cache = tmp_path / CACHE_FILE_NAME
    if content is None:
        cache.mkdir()
    else:
        cache.write_bytes(content)
    run = invoke("check", _with_address(tmp_path))  # offline (conftest): the address cannot be looked up
    refused(run, f"warning: {cache}: {warning}", "places.office: address '1 Main St, Chicago' is not in the geocoding")
    no_address = inspect_scenario(scenario(tmp_path, "[{name: Acme, lat: 41.9, lon: -87.6}]", name="plain.yaml"))
    assert no_address.scenario is not None and not no_address.problems  # the cache is not even read


def test_a_bad_geocache_is_rebuilt_with_its_valid_entries(tmp_path, monkeypatch):
    monkeypatch.delenv("TRIPOPT_OFFLINE")  # the look-up is the test's own
    cache = tmp_path / CACHE_FILE_NAME
    cache.write_text('{"2 elm st, chicago": [41.9, -87.7], "x": [1e999, 0], "y": "z"}')
    path = _with_address(tmp_path)
    found = inspect_scenario(path, address_lookup=lambda address: (41.88, -87.63))
    assert found.scenario is not None and not found.errors
    assert [p.message for p in found.warnings] == [
        "2 geocoding cache entries ignored (not [lat, lon] within -90..90, -180..180), the first 'x'"]
    assert json.loads(cache.read_text()) == {"1 main st, chicago": [41.88, -87.63], "2 elm st, chicago": [41.9, -87.7]}


def test_a_geocache_that_cannot_be_written_is_a_warning(tmp_path, monkeypatch):
    monkeypatch.delenv("TRIPOPT_OFFLINE")
    (tmp_path / CACHE_FILE_NAME).mkdir()
    found = inspect_scenario(_with_address(tmp_path), address_lookup=lambda address: (41.88, -87.63))
    assert found.scenario is not None and not found.errors
    assert [p.message.split(":")[0] for p in found.warnings] == ["geocoding cache is a folder, not a regular file",
                                                                 "geocoding cache not saved (is not a regular file)"]
    assert (tmp_path / CACHE_FILE_NAME).is_dir()
