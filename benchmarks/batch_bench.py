"""Batch benchmark: 20 generated scenarios planned by `batch.run_batch` in local processes
and on a 2-worker Dask LocalCluster (worker processes, one thread each), wall and CPU
seconds for each, and whether the plans are the same (they must be: the searches stop by
work). Needs the cluster extra (`pip install -e ".[cluster]"`). Usage:

    python benchmarks/batch_bench.py                         # 20 scenarios of 40 customers
    python benchmarks/batch_bench.py --scenarios 8 --customers 30 --work 300

CPU seconds are this process's (the client, and the cluster's scheduler, which runs in
it) plus the workers': the local pool's from the children's resource usage, the cluster's
from each worker's own. The cluster's start-up is shown apart: a sales-ops cluster keeps
running between batches.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import yaml

from tripopt.batch import run_batch


def write_scenarios(folder: Path, count: int, customers: int, work: int) -> list[Path]:
    """`count` three-day trips around Chicago, a traveller each, with their own accounts."""
    paths = []
    for n in range(count):
        rng = random.Random(n)
        rows = [{"name": f"acct-{n}-{i}", "lat": round(41.88 + rng.uniform(-0.18, 0.18), 4),
                 "lon": round(-87.72 + rng.uniform(-0.2, 0.12), 4), "value": rng.randrange(10, 100, 5),
                 "meeting": rng.choice(["30min", "45min", "60min"]),
                 "hours": rng.choice(["Mon-Fri 09:00-17:00", "Mon-Wed 08:00-12:00", "Tue-Fri 13:00-18:00"])}
                for i in range(customers)]
        data = {"name": f"traveller {n}", "timezone": "America/Chicago",
                "trip": {"start": "2026-10-05", "end": "2026-10-07", "day": {"start": "08:00", "end": "18:00"}},
                "places": {"hotel": {"lat": 41.8868, "lon": -87.6217}}, "base": "hotel", "customers": rows,
                "travel": {"speed_kmh": 40, "detour_factor": 1.3, "buffer": "5min"}, "costs": {"per_km": 0.5},
                "solver": {"time_limit": "20s", "work_limit": work}}
        path = folder / f"traveller-{n:02d}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _worker_cpu() -> float:
    return cpu(resource.RUSAGE_SELF)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", type=int, default=20)
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--work", type=int, default=100, help="solver.work_limit of each scenario")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    import distributed

    os.environ.setdefault("TRIPOPT_CACHE_DIR", tempfile.mkdtemp(prefix="tripopt-bench-cache-"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = write_scenarios(folder, args.scenarios, args.customers, args.work)
        print(f"{args.scenarios} scenarios of {args.customers} customers over 3 days, work limit {args.work}, "
              f"{os.cpu_count()} cores", flush=True)

        started, mine, children = time.monotonic(), cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
        local = run_batch(paths, folder / "local", processes=args.workers, fresh=True)
        wall = time.monotonic() - started
        client_cpu = cpu(resource.RUSAGE_SELF) - mine
        worker_cpu = cpu(resource.RUSAGE_CHILDREN) - children
        print(f"{'where':<32} {'wall s':>7} {'client CPU s':>12} {'worker CPU s':>12} {'total CPU s':>11}")
        print(f"{f'local, {args.workers} processes':<32} {wall:7.2f} {client_cpu:12.2f} {worker_cpu:12.2f} "
              f"{client_cpu + worker_cpu:11.2f}", flush=True)

        started = time.monotonic()
        with distributed.LocalCluster(n_workers=args.workers, processes=True, threads_per_worker=1,
                                      dashboard_address=":0", silence_logs=40) as cluster, \
                distributed.Client(cluster.scheduler_address) as client:
            client.run(__import__, "tripopt.planner")  # as a running cluster would be: the solver loaded
            startup = time.monotonic() - started
            before = sum(client.run(_worker_cpu).values())
            started, mine = time.monotonic(), cpu(resource.RUSAGE_SELF)
            remote = run_batch(paths, folder / "cluster", scheduler=cluster.scheduler_address, fresh=True)
            wall = time.monotonic() - started
            client_cpu = cpu(resource.RUSAGE_SELF) - mine
            worker_cpu = sum(client.run(_worker_cpu).values()) - before
        label = f"Dask LocalCluster, {args.workers} workers"
        print(f"{label:<32} {wall:7.2f} {client_cpu:12.2f} {worker_cpu:12.2f} {client_cpu + worker_cpu:11.2f}"
              f"   (cluster start-up {startup:.2f} s, not included)")

        same = sum((folder / "local" / p.with_suffix(".json").name).read_bytes()
                   == (folder / "cluster" / p.with_suffix(".json").name).read_bytes() for p in paths)
        planned = sum(r.status == "feasible" for r in remote.rows)
        by_work = sum(r.plan is not None and r.plan.stopped_by == "work" for r in remote.rows)
        print(f"planned {planned}/{len(paths)}, stopped by work {by_work}/{len(paths)}, identical plans "
              f"{same}/{len(paths)}")
        for where, batch in (("local", local), ("cluster", remote)):
            seconds = sorted(r.seconds or 0.0 for r in batch.rows)
            print(f"  a solve ({where}): {seconds[0]:.2f} to {seconds[-1]:.2f} s, median "
                  f"{seconds[len(seconds) // 2]:.2f}, sum {sum(seconds):.2f}")


if __name__ == "__main__":
    main()
