"""Issue 14, outputs (docs/output-safety.md): what is at an output path is written by the
rules or left intact; CSV cells never run as formulas; control characters never reach an
output raw; Ctrl-C, SIGTERM and SIGHUP leave no temporary file and no traceback.

Every case asserts the exit code, the culprit in the message, no traceback and, for writes,
what is at the path afterwards. The scenarios are in tests/data/hostile/outputs/.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from icalendar import Calendar
from typer.testing import CliRunner

import tripopt
from tripopt import files, report
from tripopt.cli import app
from tripopt.ics import plan_calendar
from tripopt.webmap import plan_map_html

from .conftest import DATA

HOSTILE = DATA / "hostile" / "outputs"
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")  # tab and LF may pass where allowed


def _run(*args: str):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def folder(tmp_path):
    """A copy of the hostile outputs folder: the scenarios, the customer file."""
    target = tmp_path / "run"
    shutil.copytree(HOSTILE, target)
    return target


def _temporary_files(where: Path) -> list[str]:
    return sorted(p.name for p in where.iterdir() if p.name.endswith(".tmp"))


# -- 1. writes: what is at the path ------------------------------------------------------


def test_a_symlink_is_written_through_and_stays_a_link(folder):
    real = folder / "real.json"
    real.write_text("old\n")
    link = folder / "link.json"
    link.symlink_to(real.name)
    result = _run("plan", folder / "plain.yaml", "--format", "json", "--out", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert json.loads(real.read_text())["format"] == "tripopt.plan/1"
    assert _temporary_files(folder) == []


def test_a_private_file_keeps_its_mode(folder):
    secret = folder / "plan.json"
    secret.write_text("old\n")
    secret.chmod(0o600)
    result = _run("plan", folder / "plain.yaml", "--format", "json", "--out", secret)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert json.loads(secret.read_text())["format"] == "tripopt.plan/1"


def test_a_new_file_gets_the_umask_mode(folder):
    mask = os.umask(0o027)
    try:
        result = _run("plan", folder / "plain.yaml", "--format", "json", "--out", folder / "new.json")
    finally:
        os.umask(mask)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((folder / "new.json").stat().st_mode) == 0o640


def test_a_read_only_file_is_refused(folder):
    locked = folder / "locked.json"
    locked.write_text("old\n")
    locked.chmod(0o444)
    result = _run("plan", folder / "plain.yaml", "--format", "json", "--out", locked)
    assert result.exit_code == 2
    assert "--out" in result.output and "locked.json" in result.output and "read-only" in result.output
    assert locked.read_text() == "old\n" and stat.S_IMODE(locked.stat().st_mode) == 0o444


@pytest.mark.parametrize("how", ["same name", "another spelling", "symlink", "hard link"])
def test_the_scenario_file_is_never_an_output(folder, how):
    scenario = folder / "plain.yaml"
    before = scenario.read_bytes()
    given = {"same name": scenario, "another spelling": folder / ".." / folder.name / "plain.yaml",
             "symlink": folder / "alias.yaml", "hard link": folder / "hard.yaml"}[how]
    if how == "symlink":
        given.symlink_to(scenario)
    elif how == "hard link":
        os.link(scenario, given)
    result = _run("plan", scenario, "--format", "json", "--out", given)
    assert result.exit_code == 2
    assert "scenario file" in result.output and "plain.yaml" in result.output and "--out" in result.output
    assert scenario.read_bytes() == before
    assert _temporary_files(folder) == []


@pytest.mark.parametrize("option", ["--out", "--ics", "--map"])
def test_the_customer_file_is_never_an_output(folder, option):
    customers = folder / "accounts.csv"
    before = customers.read_bytes()
    result = _run("plan", folder / "with-customer-file.yaml", option, customers)
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "customer file of" in output and "with-customer-file.yaml" in output and "accounts.csv" in output
    assert option in output
    assert customers.read_bytes() == before


def test_compare_outputs_may_not_overwrite_inputs_either(folder):
    customers = folder / "accounts.csv"
    before = customers.read_bytes()
    for option in ("--out", "--plot"):
        result = _run("compare", folder / "with-customer-file.yaml", "--budget", "10", option, customers)
        assert result.exit_code == 2 and "customer file" in result.output and option in result.output
    assert customers.read_bytes() == before


def test_a_fifo_is_streamed_to(folder):
    fifo = folder / "plan.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = _run("plan", folder / "plain.yaml", "--format", "json", "--out", fifo)
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert json.loads(received[0])["format"] == "tripopt.plan/1"
    assert _temporary_files(folder) == []


def test_dev_null_stays_a_device(folder):
    result = _run("plan", folder / "plain.yaml", "--format", "json", "--out", "/dev/null")
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")
def test_a_device_node_is_written_not_replaced_even_as_root(folder):
    """The issue's case: as root, a rename would replace the device with a regular file."""
    node = folder / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a copy of /dev/null
    for option in ("--out", "--ics", "--map"):
        result = _run("plan", folder / "plain.yaml", "--format", "json", option, node,
                      *(["--out", folder / "plan.json"] if option != "--out" else []))
        assert result.exit_code == 0, result.output
        info = node.lstat()
        assert stat.S_ISCHR(info.st_mode) and info.st_rdev == os.makedev(1, 3)


def test_a_socket_and_a_folder_are_refused(folder, tmp_path):
    sock_path = tmp_path / "s.sock"  # short: a socket path is limited to about 100 bytes
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    try:
        result = _run("plan", folder / "plain.yaml", "--format", "json", "--out", sock_path)
        assert result.exit_code == 2 and "socket" in result.output and "--out" in result.output
        assert stat.S_ISSOCK(sock_path.lstat().st_mode)
    finally:
        server.close()
    result = _run("plan", folder / "plain.yaml", "--map", folder)
    assert result.exit_code == 2 and "is a folder" in result.output


def test_dash_is_standard_output_and_only_one_output_goes_there(folder):
    result = _run("plan", folder / "plain.yaml", "--format", "json", "--out", "-")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["format"] == "tripopt.plan/1"
    assert not (folder / "-").exists() and not Path("-").exists()
    result = _run("plan", folder / "plain.yaml", "--format", "json", "--ics", "-")
    assert result.exit_code == 2 and "--ics" in result.output and "standard output" in result.output


def test_two_outputs_may_not_share_a_file(folder):
    result = _run("plan", folder / "plain.yaml", "--out", folder / "x.txt", "--map", folder / "x.txt")
    assert result.exit_code == 2
    assert "--map" in result.output and "same file as --out" in result.output
    assert list(folder.glob("x.txt")) == []


def test_a_failing_third_output_replaces_none_of_the_others(folder, monkeypatch):
    """Each output is staged before any is renamed: the third's write fails (disk full),
    so the first two keep their old contents and no temporary file is left."""
    paths = {name: folder / name for name in ("plan.json", "plan.ics", "plan.html")}
    for path in paths.values():
        path.write_text("old\n")
    calls = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", fsync)
    result = _run("plan", folder / "plain.yaml", "--format", "json", "--out", paths["plan.json"],
                  "--ics", paths["plan.ics"], "--map", paths["plan.html"])
    assert result.exit_code == 2
    assert "--map" in result.output and "plan.html" in result.output and "No space left" in result.output
    assert all(p.read_text() == "old\n" for p in paths.values())
    assert _temporary_files(folder) == []


def _blocked_run(folder: Path, big: bool = False) -> tuple[subprocess.Popen, Path]:
    """A CLI run stuck in its write phase: the map is staged as a temporary file and the
    plan waits for a reader on a FIFO (outputs are staged, then streamed, then renamed)."""
    fifo = folder / "plan.fifo"
    os.mkfifo(fifo)
    scenario = folder / "plain.yaml"
    if big:  # a bigger map: long notes (under the 10,000 a cell may have) in every popup
        rows = "".join(f"  - {{name: Customer {i}, lat: {41.86 + i * 0.01:.2f}, lon: -87.64, value: {i + 1}, "
                       f"meeting: 30min, hours: Mon 09:00-17:00, notes: {'x' * 9_000}}}\n" for i in range(8))
        scenario = folder / "big.yaml"
        scenario.write_text((folder / "plain.yaml").read_text().split("customers:")[0]
                            + "customers:\n" + rows + "solver: {time_limit: 0.5s}\n")
    child = subprocess.Popen([sys.executable, "-m", "tripopt", "plan", str(scenario), "--fresh", "--format", "json",
                              "--out", str(fifo), "--map", str(folder / "map.html")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(folder.glob(".map.html.*.tmp")):
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the run never reached its write phase"
        time.sleep(0.05)
    return child, fifo


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)])
def test_a_signal_while_writing_leaves_no_temporary_file(folder, signum, code):
    (folder / "map.html").write_text("old map\n")
    child, _ = _blocked_run(folder, big=signum == signal.SIGTERM)
    child.send_signal(signum)
    _, err = child.communicate(timeout=60)
    assert child.returncode == code, err
    assert "Traceback" not in err
    assert ("interrupted (Ctrl-C)" if signum == signal.SIGINT else f"terminated ({signal.Signals(signum).name})") in err
    assert len(err.strip().splitlines()[-1]) < 120
    assert _temporary_files(folder) == []
    assert (folder / "map.html").read_text() == "old map\n"  # not replaced: the run did not finish


# -- 2. CSV ------------------------------------------------------------------------------


def test_csv_a_bare_cr_makes_no_new_row_and_no_formula(folder):
    out = folder / "plan.csv"
    result = _run("plan", folder / "control-chars.yaml", "--format", "csv", "--out", out)
    assert result.exit_code == 0, result.output
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    plan_rows = rows[1:]
    assert all(len(r) == len(report.CSV_COLUMNS) for r in rows)
    assert [r[3] for r in plan_rows] == ["start", "visit", "visit", "visit", "end"]
    assert all(not cell.lstrip().startswith(("=", "+", "-", "@")) for r in rows for cell in r
               if cell and not re.fullmatch(r"-?[0-9.]+", cell))
    notes = {r[4]: r[15] for r in plan_rows}
    assert any(note == "fine\r=cmd|' /C calc'!A0" for note in notes.values())  # the CR kept, inside its cell
    assert "'-inf" in notes.values() and "'=1+1" in notes.values()  # the loader trims the padding


@pytest.mark.parametrize("cell, safe", [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("  =1", "'  =1"), (" \t@x", "' \t@x"), ("\u00a0=1", "'\u00a0=1"),
    ("-inf", "'-inf"), ("+nan", "'+nan"), ("-1_000", "'-1_000"), ("-1e5", "'-1e5"), ("+0x10", "'+0x10"),
    ("-12.50", "-12.50"), ("+3", "+3"), ("-.5", "-.5"), ("12", "12"), ("1e5", "1e5"), ("Acme", "Acme"),
    ("a=b", "a=b"), ("", ""), ("nul\x00here", "nul\\x00here"),
    (-12.5, -12.5), (3, 3), (None, None), (float("-inf"), "'-inf"),
])
def test_safe_cell(cell, safe):
    assert report.safe_cell(cell) == safe


def test_compare_csv_quotes_cr_too():
    text = report._csv(("a", "b"), [["x\ry", "=1"]])
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["a", "b"], ["x\ry", "'=1"]]
    assert text.endswith("\n") and "\r\n" not in text.replace('"x\ry"', "")


# -- 9. text -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_plan():
    """A plan whose names, notes and scenario name hold what YAML cannot: a lone surrogate,
    besides NUL, escapes, C1, markup, emoji codes and HTML."""
    scenario = tripopt.load_scenario(HOSTILE / "plain.yaml")
    names = ["Sur\udc80rogate \x00 \x1b[2J \x9b31m :fire: [red]x[/red] <b>&</b>",
             "Line\nbreak\rcr\x0bvt\x7fdel \u2028 ok"]
    customers = tuple(replace(c, name=n, notes=f"note {n}") for c, n in zip(scenario.customers, names))
    scenario = replace(scenario, name="Trip\nname \x00\x1b]52;c;eA==\x07 \udcff :fire:", customers=customers)
    return scenario, tripopt.solve(scenario)


def _assert_clean(text: str, allowed: str = "\n") -> None:
    raw = {c for c in RAW_CONTROL.findall(text) if c not in allowed}
    assert not raw, f"raw control characters: {sorted(hex(ord(c)) for c in raw)}"
    text.encode("utf-8")  # no lone surrogate


def test_every_format_escapes_control_characters(hostile_plan):
    scenario, plan = hostile_plan
    assert plan.visited == 2
    _assert_clean(report.to_markdown(plan))
    _assert_clean(report.to_csv(plan), "\n\r")
    document = report.to_json(plan)
    _assert_clean(document)
    assert json.loads(document)["scenario"] == scenario.name  # JSON keeps the data exactly
    calendar = plan_calendar(plan, travel_blocks=True).decode("utf-8")
    _assert_clean(calendar.replace("\r\n", "\n"))
    assert str(Calendar.from_ical(calendar)["X-WR-CALNAME"]).startswith("Trip name \\x00\\x1b]52")
    _assert_clean(plan_map_html(plan, scenario.places.values()))
    book = openpyxl.load_workbook(io.BytesIO(report.to_xlsx(plan)))
    for sheet in book:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    _assert_clean(value, "\n\r\t")
    buffer = io.StringIO()
    from rich.console import Console
    report.render_table(plan, Console(file=buffer, width=200, force_terminal=True, color_system="standard"))
    table = re.sub("\x1b\\[[0-9;]*m", "", buffer.getvalue())  # Rich's own styles, nothing else
    _assert_clean(table)
    assert ":fire:" in table and "[red]x[/red]" in table and "\\x1b[2J" in table


def test_markdown_shows_html_and_links_as_text(hostile_plan):
    _, plan = hostile_plan
    page = report.to_markdown(plan)
    assert "<b>" not in page and "&lt;b&gt;&amp;&lt;/b&gt;" in page
    assert "\\[red\\]x\\[/red\\]" in page


def test_the_cli_prints_no_escape_markup_or_emoji(folder):
    result = _run("plan", folder / "control-chars.yaml")
    assert result.exit_code == 0, result.output
    _assert_clean(result.output)
    assert ":fire:" in result.output and "[bold red]loud[/]" in result.output and "\U0001f525" not in result.output
    assert "\\x1b]52;c;ZXZpbA==\\x07" in result.output and "\\x9b[31m" in result.output
    warning = next(line for line in result.output.splitlines() if line.startswith("warning:"))
    assert ":fire:" in warning and "\U0001f525" not in warning  # messages quote data as it is


def test_the_cli_writes_xlsx_ics_and_map_from_hostile_names(folder):
    out, ics, page = folder / "plan.xlsx", folder / "plan.ics", folder / "plan.html"
    result = _run("plan", folder / "control-chars.yaml", "--format", "xlsx", "--out", out, "--ics", ics,
                  "--ics-travel", "--map", page)
    assert result.exit_code == 0, result.output
    names = [c.value for c in openpyxl.load_workbook(out)["Itinerary"]["E"]]
    assert "Nul\\x00 Vt\\x0b Del\\x7f C1\\x9b[31m <b>bold</b> & [click](http://evil.example)" in names
    assert b"\x00" not in ics.read_bytes() and Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    _assert_clean(page.read_text(encoding="utf-8"))


def test_an_error_message_quotes_data_inert(tmp_path):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text((HOSTILE / "plain.yaml").read_text().replace("lat: 41.90", "lat: 99")
                        .replace("name: Acme", 'name: ":fire: [red]Acme[/red] \\e[2J"'), encoding="utf-8")
    result = _run("check", scenario)
    assert result.exit_code == 2
    assert "\x1b" not in result.output and ":fire:" in result.output and "[red]Acme[/red]" in result.output


def test_printable():
    assert report.printable("a\x1bb\x00c\x9bd\x7f\udc80") == "a\\x1bb\\x00c\\x9bd\\x7f\\udc80"
    assert report.printable("one\r\ntwo\rthree\nfour\tfive") == "one two three four five"
    assert report.printable("one\r\ntwo\rthree", keep="\n") == "one\ntwo\nthree"
    assert report.printable("keep\r\n", keep="\r\n") == "keep\r\n"
    assert report.printable("plain text, é, 日本") == "plain text, é, 日本"


def test_ctrl_c_while_starting_is_one_line_and_exit_130(tmp_path):
    """Ctrl-C as soon as the command line's own start-up has begun (its modules loading):
    a thread sends it the moment the CLI's handler is in place."""
    code = ("import os, signal, sys, threading, time\n"
            "import tripopt\n"
            "def fire():\n"
            "    while signal.getsignal(signal.SIGINT) is signal.default_int_handler:\n"
            "        time.sleep(0.0005)\n"
            "    os.kill(os.getpid(), signal.SIGINT)\n"
            "threading.Thread(target=fire, daemon=True).start()\n"
            "from tripopt.cli import main\n"
            "sys.argv = ['tripopt', 'check', sys.argv[1]]\n"
            "main()\n")
    child = subprocess.run([sys.executable, "-c", code, str(HOSTILE / "plain.yaml")], capture_output=True,
                           text=True, timeout=120)
    assert child.returncode == 130, child.stderr
    assert "Traceback" not in child.stderr
    assert child.stderr.strip().startswith("interrupted") and len(child.stderr.strip().splitlines()) == 1
