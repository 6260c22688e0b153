"""A team against one traveller (issue 15): the same 300 Bay Area accounts over 4 days,
planned by 4 travellers and by the first of them alone (same scenario, one traveller), at
the scenario's limit, as child processes (`tripopt plan --fresh`), printing wall time, peak
memory and value.

    python benchmarks/team_bench.py [--customers 300] [--days 4] [--travellers 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from large_scenario import write as write_large
from plan_bench import run_plan

TEAM = ["Dana", "Lee", "Sam", "Kim", "Ravi", "Ana"]


def with_team(scenario: Path, travellers: int) -> Path:
    """The generated scenario with a team: later arrivals and shorter days for some, a booth
    shift each on the second day, everyone's keynote dropped into the first."""
    names = TEAM[:travellers]
    lines = ["travellers:"]
    for i, name in enumerate(names):
        lines.append(f"  - name: {name}")
        if i % 2 == 1:
            lines.append('    day: {start: "09:30", end: "18:00"}')
    text = scenario.read_text(encoding="utf-8").replace(
        "  - {name: Booth duty, place: venue, date: 2026-12-08, start: \"10:00\", end: \"14:00\"}",
        "\n".join(f"  - {{name: Booth {name}, who: {name}, place: venue, date: 2026-12-08, "
                  f"start: \"{10 + 2 * (i % 3):02d}:00\", end: \"{12 + 2 * (i % 3):02d}:00\"}}"
                  for i, name in enumerate(names)))
    team = scenario.with_name(f"team-{travellers}.yaml")
    team.write_text(text.replace("base: hotel\n", "base: hotel\n" + "\n".join(lines) + "\n"), encoding="utf-8")
    return team


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--travellers", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        generated = write_large(Path(tmp), args.customers, args.days)
        team, alone = with_team(generated, args.travellers), with_team(generated, 1)
        print(f"{'who':>14} {'wall s':>7} {'peak MB':>8} {'value':>12} {'visited':>8} {'cost':>9} stopped by")
        for label, path in ((f"{args.travellers} travellers", team), ("1 traveller", alone)):
            found = run_plan(path, args.time_limit)
            print(f"{label:>14} {found['wall_s']:7.2f} {found['peak_mb']:8.0f} {found['value']:12,.0f} "
                  f"{found['visited']:8d} {found['cost']:9,.2f} {found['stopped_by']}")


if __name__ == "__main__":
    main()
