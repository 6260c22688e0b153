"""Scale benchmark (issue 20): wall time, peak memory and value by number of accounts.

Writes `large_scenario.py`'s Bay Area scenario (fixed seed, 5 days, booth duty, a 5 h
driving cap, a $1,500 budget) at each size, the smaller files being prefixes of the
larger ones, and plans each with `tripopt plan --fresh --format json` as a child process
(wall time includes process start; peak memory is the child's maximum RSS). Prints a
Markdown table. Usage:

    python benchmarks/scale_bench.py                              # 1,000 / 2,000 / 5,000 / 10,000 at 30 s
    python benchmarks/scale_bench.py --sizes 5000 --time-limit 30
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from large_scenario import write as write_large
from plan_bench import run_plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,2000,5000,10000", help="accounts, comma-separated")
    parser.add_argument("--time-limit", type=float, default=30.0)
    args = parser.parse_args()
    print("| accounts | limit s | wall s | peak MB | value | visited | stopped by |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            row = run_plan(write_large(Path(tmp) / str(size), size), args.time_limit)
            print(f"| {size:,} | {args.time_limit:g} | {row['wall_s']:.2f} | {row['peak_mb']:,.0f} | "
                  f"{row['value']:,.0f} | {row['visited']} | {row['stopped_by']} |", flush=True)


if __name__ == "__main__":
    main()
