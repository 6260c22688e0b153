"""One tiny scenario per failure mode: exit code 2, the key or row named, no traceback.

Each file's first line is `# expect: a | b | c`: every part must appear in the output.
"""

from __future__ import annotations

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
