"""One tiny scenario per failure mode: exit code 2, the key or row named, no traceback.

Each file's first line is `# expect: a | b | c`: every part must appear in the output.
"""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from tripopt.cli import app

from .conftest import DATA

BAD = sorted((DATA / "bad").glob("*.yaml"))


def _expected(path):
    first = path.read_text(encoding="utf-8", errors="replace").splitlines()[0]
    assert first.startswith("# expect:"), f"{path.name} lacks its '# expect:' line"
    return [part.strip() for part in first.removeprefix("# expect:").split("|")]


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_scenario_is_reported_precisely(path):
    result = CliRunner().invoke(app, ["check", str(path)])
    output = result.output
    assert result.exit_code == 2, output
    assert ("Traceback" not in output and result.exception is None) or isinstance(result.exception, SystemExit)
    for part in _expected(path):
        assert part.lower() in output.lower(), f"{part!r} not in:\n{output}"


def test_every_failure_mode_has_a_file():
    assert len(BAD) >= 35


def test_all_problems_reported_in_one_pass(tmp_path):
    """Several independent mistakes come back together, not one per run."""
    scenario = tmp_path / "many.yaml"
    scenario.write_text(
        "name: x\ntimezone: Mars/Olympus\n"
        "trip: {start: 2026-10-07, end: 2026-10-08, day: {start: 08:00, end: 18:00}}\n"
        "places: {hotel: {lat: 41.8, lon: -87.6}}\nbase: motel\n"
        "travel: {speed_kmh: -3}\n"
        "customers:\n  - {name: A, lat: 99, lon: 0}\n  - {name: B, lat: 41, lon: -87, hours: 'Mon 9-5'}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["check", str(scenario)])
    assert result.exit_code == 2
    for part in ("timezone", "base", "travel.speed_kmh", "(A)", "(B)"):
        assert part in result.output
    assert "5 error(s)" in result.output


# -- numbers on the command line (issue 14, deliverables 3 and 4; docs/output-safety.md) -------

SCENARIO = DATA / "hostile" / "outputs" / "plain.yaml"
CORES = os.cpu_count() or 1


@pytest.mark.parametrize("args, culprit, rule", [
    (["plan", "--budget", "nan"], "--budget nan", "--budget must be >= 0 and <= 1,000,000,000"),
    (["plan", "--budget", "inf"], "--budget inf", "<= 1,000,000,000"),
    (["plan", "--budget", "-1"], "--budget -1", ">= 0"),
    (["plan", "--budget", "1e300"], "--budget 1e+300", "<= 1,000,000,000"),
    (["plan", "--time-limit", "nan"], "--time-limit nan", "--time-limit must be > 0 and <= 86,400"),
    (["plan", "--time-limit", "inf"], "--time-limit inf", "<= 86,400"),
    (["plan", "--time-limit", "0"], "--time-limit 0", "> 0"),
    (["plan", "--time-limit", "1e308"], "--time-limit 1e+308", "at most a day"),
    (["compare", "--budget", "nan"], "--budget nan", "<= 1,000,000,000"),
    (["compare", "--budget", "5", "--budget", "-inf"], "--budget -inf", ">= 0"),
    (["compare", "--auto", "--floor", "nan"], "--floor nan", "--floor must be >= 0"),
    (["compare", "--auto", "--ceiling", "inf"], "--ceiling inf", "<= 1,000,000,000"),
    (["compare", "--auto", "--resolution", "0"], "--resolution 0", ">= 0.01"),
    (["compare", "--auto", "--resolution", "nan"], "--resolution nan", ">= 0.01"),
    (["compare", "--auto", "--points", "1000000"], "--points 1,000,000", "--points must be >= 2 and <= 50"),
    (["compare", "--auto", "--points", "1"], "--points 1", ">= 2"),
    (["compare", "--budget", "5", "-j", "0"], "-j 0", f"-j must be >= 1 and <= {CORES}"),
    (["compare", "--budget", "5", "-j", str(CORES + 1)], f"-j {CORES + 1}", "per core"),
    (["compare", "--budget", "5", "--time-limit", "-1"], "--time-limit -1", "> 0"),
    (["compare", "--budgets", "0:1000000:1"], "--budgets", "at most 201"),
    (["compare", "--budgets", "0:100:1", "--budgets", "200:300:1"], "--budget/--budgets", "at most 201"),
    (["compare", "--budgets", "1.2.3:4:5"], "--budgets", "FROM:TO:STEP"),
    (["compare", "--budgets", "0:1e10:1e9"], "--budgets", "FROM:TO:STEP"),
    (["compare", "--budgets", "0:2000000000:100000000"], "--budgets", "at most 1,000,000,000"),
    (["compare", "--budgets", "0:1:0.001"], "--budgets", "at least 0.01"),
])
def test_command_line_numbers_are_checked_before_anything_runs(args, culprit, rule):
    command, *options = args
    result = CliRunner().invoke(app, [command, str(SCENARIO), *options])
    output = " ".join(result.output.split())
    assert result.exit_code == 2, output
    assert culprit in output and rule in output, output
    assert "Traceback" not in output and "solving" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_every_bad_number_is_reported_in_one_pass():
    result = CliRunner().invoke(app, ["compare", str(SCENARIO), "--auto", "--floor", "nan", "--points", "99",
                                      "--time-limit", "inf"])
    assert result.exit_code == 2
    assert all(o in result.output for o in ("--floor nan", "--points 99", "--time-limit inf"))


@pytest.mark.parametrize("args", [
    ["plan", "--budget", "x" * 100_000],
    ["compare", "--budgets", "y" * 100_000],
    ["compare", "--budgets", "\x1b[2J:fire:" * 10],
])
def test_a_message_never_quotes_an_unbounded_input(args):
    command, *options = args
    result = CliRunner().invoke(app, [command, str(SCENARIO), *options])
    assert result.exit_code == 2
    assert len(result.output) < 2_000 and "\x1b[2J" not in result.output
    assert "Traceback" not in result.output
