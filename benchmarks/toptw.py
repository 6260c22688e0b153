"""TOPTW benchmark harness: the literature's instances on tripopt's own routing core.

    python benchmarks/toptw.py INSTANCE --tours M --time-limit S [--json] [--vs pyvrp] [--vs vroom]
    python benchmarks/toptw.py --batch subset|heldout|all [--instances A,B] [--time-limit S] [--jobs J]
                               [--csv FILE] [--vs pyvrp] [--vs vroom] [--no-pin] [--tie-pct P]
    python benchmarks/toptw.py --report FILE.csv        # the summary of a stored batch CSV
    python benchmarks/toptw.py --peers FILE.csv         # a batch CSV against peers_10s.csv

Every solve runs in its own worker process, pinned to one CPU before it imports anything
(`os.sched_setaffinity`), so every thread it starts, tripopt's CP-SAT recombination thread
included, shares that one core; `--jobs J` runs J workers at a time, job k on the k-th CPU
this process may use. `--no-pin` lets the workers use every core (free cores). Each solver
records its wall and CPU seconds (process rusage: all its threads) over building its model
and solving.

`--vs pyvrp` also solves each case with PyVRP (prize-collecting VRPTW), `--vs vroom` with
VROOM (pyvroom, priorities = scores), both from the `bench` extra (pip install -e ".[bench]"),
at the same time limit; the summary gives tripopt's wins, ties and losses against each.

Cases: `subset` is the 60 cases the solver is tuned on; `heldout` is the 64 cases of
benchmarks/data/toptw/heldout.txt (16 instances outside the subset, m = 1..4), kept out of
tuning, for development checks and reporting; `all` is the 304 (the summary reports each
split on its own).

Distances follow the literature's convention (benchmarks/data/toptw/README.md):
Euclidean, truncated to 1 decimal (Solomon c/r/rc) or 2 decimals (Cordeau pr), computed
exactly in integers. All times are scaled to integers at that precision, so the integer
model is exact; the peers get the same integers. Every solution is re-checked in exact
rational arithmetic by `verify`, written from the README's rules, before it is reported;
an infeasible one is an error.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import functools
import json
import math
import os
import queue
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
DATA = BENCH / "data" / "toptw"
sys.path.insert(0, str(ROOT / "src"))

from tripopt.limits import SearchSettings
from tripopt.problem import RoutingProblem, Tour
from tripopt.routing import solve

# The 20 instances x m = 1, 2, 4 of benchmarks/data/toptw/PEERS.md (peer figures exist).
SUBSET = [
    "c101", "c105", "r101", "r105", "r109", "rc101", "rc105", "c201", "c205", "r201",
    "r205", "r209", "rc201", "rc205", "pr01", "pr05", "pr10", "pr11", "pr15", "pr20",
]
SUBSET_TOURS = (1, 2, 4)
ALL_TOURS = (1, 2, 3, 4)

# The held-out split (issue 21): instances outside the subset, each with m = 1..4, never to
# be tuned on. HELDOUT_FILE lists them; draw_heldout() is the rule that drew them (a test
# keeps the two equal): per family, a seeded sample of the instances outside the subset,
# about in proportion to the family's share of the 304 cases.
HELDOUT_FILE = DATA / "heldout.txt"
HELDOUT_SEED = 21
HELDOUT_PER_FAMILY = {"c1": 2, "r1": 2, "rc1": 2, "c2": 2, "r2": 2, "rc2": 2, "pr": 4}
FAMILIES = tuple(HELDOUT_PER_FAMILY)
PEERS = ("pyvrp", "vroom")


@dataclass(frozen=True)
class Instance:
    name: str
    decimals: int  # distance precision: 1 (Solomon) or 2 (Cordeau)
    coords: list[tuple[str, str]]  # as written, vertex 0 = depot
    service: list[str]
    score: list[int]
    open: list[str]
    close: list[str]

    @property
    def customers(self) -> int:
        return len(self.coords) - 1

    @property
    def family(self) -> str:
        return family_of(self.name)


def family_of(name: str) -> str:
    if name.startswith("pr"):
        return "pr"
    prefix = name.rstrip("0123456789")
    return prefix + name[len(prefix)]  # c1, r2, rc1, ...


def read_instance(path: Path) -> Instance:
    """Parse token-wise (some copies split the header differently; blank lines occur)."""
    lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
    header = [tok for line in lines for tok in line][:6]
    n = int(header[2])
    body = lines[len(lines) - (n + 1):]
    coords, service, score, opens, closes = [], [], [], [], []
    for i, fields in enumerate(body):
        if int(fields[0]) != i:
            raise ValueError(f"{path.name}: vertex line {i} is numbered {fields[0]}")
        a = int(fields[6])
        coords.append((fields[1], fields[2]))
        service.append(fields[3])
        score.append(int(float(fields[4])))
        opens.append(fields[7 + a])
        closes.append(fields[8 + a])
    return Instance(path.stem, 2 if path.stem.startswith("pr") else 1, coords, service, score, opens, closes)


def _scaled(text: str, decimals: int) -> int:
    """A decimal string as an exact integer count of 10^-decimals."""
    value = Fraction(text) * 10 ** decimals
    if value.denominator != 1:
        raise ValueError(f"{text} has more than {decimals} decimals")
    return int(value)


def distance_matrix(inst: Instance) -> np.ndarray:
    """Truncated Euclidean distances in units of 10^-decimals, computed exactly."""
    coord_decimals = max(len(t.split(".")[1]) if "." in t else 0 for xy in inst.coords for t in xy)
    xs = [_scaled(x, coord_decimals) for x, _ in inst.coords]
    ys = [_scaled(y, coord_decimals) for _, y in inst.coords]
    n = len(xs)
    out = np.zeros((n, n), dtype=np.int64)
    shift = 10 ** (2 * inst.decimals)
    unit = 10 ** coord_decimals
    for i in range(n):
        for j in range(i + 1, n):
            squared = (xs[i] - xs[j]) ** 2 + (ys[i] - ys[j]) ** 2
            out[i, j] = out[j, i] = math.isqrt(squared * shift) // unit
    return out


def to_problem(inst: Instance, tours: int) -> RoutingProblem:
    """Customers are nodes 0..N-1; each tour gets its own start and end copy of the depot."""
    d = distance_matrix(inst)
    n = inst.customers
    order = list(range(1, n + 1)) + [0] * (2 * tours)
    travel = d[np.ix_(order, order)]
    q = inst.decimals
    horizon = _scaled(inst.close[0], q)
    windows = [((_scaled(inst.open[i], q), _scaled(inst.close[i], q)),) for i in range(1, n + 1)]
    tour_list = tuple(Tour(n + 2 * t, n + 2 * t + 1, 0, horizon) for t in range(tours))
    size = n + 2 * tours
    return RoutingProblem(
        travel=travel, drive=travel, arc_cost=np.zeros_like(travel),
        service=tuple(_scaled(inst.service[i], q) for i in range(1, n + 1)) + (0,) * (2 * tours),
        windows=tuple(windows) + ((),) * (2 * tours), prize=tuple(inst.score[1:]) + (0,) * (2 * tours),
        node_cost=(0,) * size, mandatory=(False,) * size, allowed_tours=(None,) * size,
        group=tuple(range(n)) + (-1,) * (2 * tours), tours=tour_list, budget=None,
    )


def verify(inst: Instance, routes: list[list[int]], tours: int) -> tuple[bool, str, int]:
    """The README's rules in exact rational arithmetic: (feasible, why not, score)."""
    def dist(a: int, b: int) -> Fraction:
        (xa, ya), (xb, yb) = inst.coords[a], inst.coords[b]
        exact = Fraction(xa) - Fraction(xb), Fraction(ya) - Fraction(yb)
        scale = 10 ** inst.decimals
        squared = (exact[0] ** 2 + exact[1] ** 2) * scale * scale
        root = math.isqrt(squared.numerator // squared.denominator)  # floor(sqrt(x)) for x >= 0
        while (root + 1) ** 2 * squared.denominator <= squared.numerator:
            root += 1
        while root * root * squared.denominator > squared.numerator:
            root -= 1
        return Fraction(root, scale)

    if len(routes) > tours:
        return False, f"{len(routes)} tours > {tours}", 0
    seen = [c for r in routes for c in r]
    if len(seen) != len(set(seen)) or any(not 1 <= c <= inst.customers for c in seen):
        return False, "a customer repeats or does not exist", 0
    tmax = Fraction(inst.close[0])
    for route in routes:
        now, prev = Fraction(0), 0
        for c in route:
            start = max(now + dist(prev, c), Fraction(inst.open[c]))
            if start > Fraction(inst.close[c]):
                return False, f"customer {c} starts at {float(start)} after {inst.close[c]}", 0
            now, prev = start + Fraction(inst.service[c]), c
        if now + dist(prev, 0) > tmax:
            return False, f"a tour returns at {float(now + dist(prev, 0))} after {tmax}", 0
    return True, "", sum(inst.score[c] for c in seen)


def cpu_seconds() -> float:
    """CPU seconds of this process so far, user + system, every thread counted (CP-SAT's
    threads run without the GIL: the process rusage still counts them)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_case(path: Path, tours: int, seconds: float, settings: dict | None = None) -> dict:
    inst = read_instance(path)
    began, cpu = time.perf_counter(), cpu_seconds()
    solution = solve(to_problem(inst, tours), SearchSettings(time_limit_seconds=seconds, **(settings or {})))
    routes = [[node + 1 for node in route] for route in solution.routes if route]
    elapsed, used = time.perf_counter() - began, cpu_seconds() - cpu
    ok, why, score = verify(inst, routes, tours)
    if not ok:
        raise AssertionError(f"{inst.name} m={tours}: infeasible solution: {why}")
    return {"instance": inst.name, "tours": tours, "score": score, "routes": routes, "seconds": round(elapsed, 2),
            "cpu_seconds": round(used, 2), "family": inst.family}


def run_pyvrp(path: Path, tours: int, seconds: float) -> dict:
    """The peer: PyVRP on the same integer data (prize = score x 10^6, optional clients)."""
    from pyvrp import Model, PenaltyParams, SolveParams
    from pyvrp.stop import MaxRuntime

    inst = read_instance(path)
    began, cpu = time.perf_counter(), cpu_seconds()
    d = distance_matrix(inst)
    q = inst.decimals
    horizon = _scaled(inst.close[0], q)
    model = Model()
    locations = [model.add_location(float(x), float(y)) for x, y in inst.coords]
    depot = model.add_depot(locations[0], tw_early=0, tw_late=horizon)
    model.add_vehicle_type(num_available=tours, start_depot=depot, end_depot=depot, tw_early=0, tw_late=horizon,
                           unit_distance_cost=1)
    for i in range(1, inst.customers + 1):
        model.add_client(locations[i], service_duration=_scaled(inst.service[i], q),
                         tw_early=_scaled(inst.open[i], q), tw_late=_scaled(inst.close[i], q),
                         prize=inst.score[i] * 10 ** 6, required=False)
    for a, frm in enumerate(locations):
        for b, to in enumerate(locations):
            if a != b:
                model.add_edge(frm, to, distance=int(d[a, b]), duration=int(d[a, b]))
    result = model.solve(stop=MaxRuntime(seconds), seed=1, display=False,
                         params=SolveParams(penalty=PenaltyParams(max_penalty=1e9)))
    elapsed, used = time.perf_counter() - began, cpu_seconds() - cpu
    routes = ([[activity.idx + 1 for activity in route if activity.is_client()] for route in result.best.routes()]
              if result.best.is_feasible() else [])  # a client activity counts clients from 0
    ok, why, score = verify(inst, routes, tours)
    if not ok:
        raise AssertionError(f"{inst.name} m={tours}: PyVRP's solution fails the check: {why}")
    return {"score": score, "routes": routes, "seconds": round(elapsed, 2), "cpu_seconds": round(used, 2)}


VROOM_MAX_PRIORITY = 100  # VROOM's priorities are integers 0..100


def vroom_priorities(scores: list[int]) -> list[int]:
    """Scores as VROOM priorities. VROOM maximises the sum of the priorities of the jobs it
    serves before anything else (then the number served, then cost), so priorities equal
    to the scores make it maximise the score. Every literature instance has scores of at
    most 50, so they are passed unchanged; larger ones would be scaled to 0..100 and rounded
    (then VROOM's objective is only near the score: the gap is always computed from the
    real scores of its routes)."""
    top = max(scores, default=0)
    if top <= VROOM_MAX_PRIORITY:
        return list(scores)
    return [round(s * VROOM_MAX_PRIORITY / top) for s in scores]


def run_vroom(path: Path, tours: int, seconds: float) -> dict:
    """The peer: VROOM (pyvroom) on the same integer data: a vehicle per tour with the time
    window [0, depot close] from and to the depot, a job per customer with its service time,
    window on the start of service and priority = score; travel time = cost = the harness's
    integer distances; one thread, exploration level 5, the time limit as timeout."""
    from datetime import timedelta

    import vroom

    inst = read_instance(path)
    began, cpu = time.perf_counter(), cpu_seconds()
    q = inst.decimals
    horizon = _scaled(inst.close[0], q)
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=distance_matrix(inst).astype(np.uint32))
    for t in range(tours):
        problem.add_vehicle(vroom.Vehicle(t, start=0, end=0, time_window=vroom.TimeWindow(0, horizon)))
    priorities = vroom_priorities(inst.score[1:])
    for i in range(1, inst.customers + 1):
        problem.add_job(vroom.Job(i, location=i, default_service=_scaled(inst.service[i], q),
                                  time_windows=[vroom.TimeWindow(_scaled(inst.open[i], q), _scaled(inst.close[i], q))],
                                  priority=priorities[i - 1]))
    solution = problem.solve(exploration_level=5, nb_threads=1, timeout=timedelta(seconds=seconds))
    elapsed, used = time.perf_counter() - began, cpu_seconds() - cpu
    frame = solution.routes
    jobs = frame[frame["type"] == "job"]
    routes = [[int(j) for j in jobs[jobs["vehicle_id"] == v]["id"]] for v in sorted(set(jobs["vehicle_id"]))]
    ok, why, score = verify(inst, routes, tours)
    if not ok:
        raise AssertionError(f"{inst.name} m={tours}: VROOM's solution fails the check: {why}")
    return {"score": score, "routes": routes, "seconds": round(elapsed, 2), "cpu_seconds": round(used, 2)}


def _thread_cpus() -> list[int]:
    """The CPUs any thread of this process may run on (Linux: /proc/self/task)."""
    cpus: set[int] = set()
    for tid in os.listdir("/proc/self/task"):
        with contextlib.suppress(OSError):  # the thread ended meanwhile
            cpus |= os.sched_getaffinity(int(tid))
    return sorted(cpus)


def run_solver(task: dict) -> dict:
    """One solve as a worker does it: the solver's result, with the CPUs it ran on."""
    path, tours, seconds = Path(task["path"]), int(task["tours"]), float(task["seconds"])
    watch = _ThreadWatch() if task.get("watch_threads") else None
    if task["solver"] == "tripopt":
        result = run_case(path, tours, seconds, task.get("settings"))
    elif task["solver"] == "pyvrp":
        result = run_pyvrp(path, tours, seconds)
    elif task["solver"] == "vroom":
        result = run_vroom(path, tours, seconds)
    else:
        raise ValueError(f"unknown solver {task['solver']}")
    result["affinity"] = sorted(os.sched_getaffinity(0))
    result["thread_cpus"] = _thread_cpus()
    if watch is not None:
        result["threads_seen"], result["thread_names_seen"], result["threads_cpus_seen"] = watch.stop()
    return result


class _ThreadWatch:
    """For the tests: every 20 ms during a solve, the process's threads (native ones too),
    their CPUs and the Python threads' names (it would cost the solver a little, so
    batches do not use it)."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.names: set[str] = set()
        self.cpus: set[int] = set()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(0.02):
            self.names |= {thread.name for thread in threading.enumerate()}
            for tid in os.listdir("/proc/self/task"):
                with contextlib.suppress(OSError):
                    self.cpus |= os.sched_getaffinity(int(tid))
                    self.seen.add(int(tid))

    def stop(self) -> tuple[int, list[str], list[int]]:
        """How many threads were seen (this one included), the Python threads' names and
        the CPUs any of them had."""
        self.done.set()
        self.thread.join()
        return len(self.seen), sorted(self.names), sorted(self.cpus)


# A worker: pin (argv[1], "-" for none) before anything else is imported, so every thread
# the solver starts inherits the one CPU; then solve and print the result as the last line.
_WORKER = """import os, sys
if sys.argv[1] != "-":
    os.sched_setaffinity(0, {int(sys.argv[1])})
sys.path.insert(0, sys.argv[2])
import json, toptw
print(json.dumps(toptw.run_solver(json.loads(sys.argv[3]))), flush=True)
"""


def in_worker(task: dict, cpu: int | None) -> dict:
    """Run one solve in a fresh Python process pinned to `cpu` (None: free cores)."""
    done = subprocess.run([sys.executable, "-c", _WORKER, "-" if cpu is None else str(cpu), str(BENCH),
                           json.dumps(task)], stdout=subprocess.PIPE, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{task['solver']} on {Path(task['path']).stem} m={task['tours']} failed "
                           f"(exit {done.returncode}); its error is above")
    result = json.loads(lines[-1])
    result["core"] = "" if cpu is None else cpu
    return result


def worker_cpus(jobs: int, pin: bool) -> list[int | None]:
    """The CPU of each job slot: the k-th CPU this process may use, or None unpinned."""
    if not pin:
        return [None] * jobs
    cpus = sorted(os.sched_getaffinity(0))
    if jobs > len(cpus):
        raise ValueError(f"--jobs {jobs} pinned needs {jobs} CPUs; this process may use {len(cpus)}")
    return list(cpus[:jobs])


def bks_table() -> dict[tuple[str, int], int]:
    with open(DATA / "bks.csv", newline="") as handle:
        return {(row["instance"], int(row["m"])): int(row["bks"]) for row in csv.DictReader(handle)}


FOLDERS = ("solomon_100", "solomon_200", "cordeau_01_10", "cordeau_11_20")


def instance_path(name: str) -> Path:
    return next(p for folder in FOLDERS for p in (DATA / folder).glob(f"{name}.txt"))


def all_instances() -> list[str]:
    """The 76 TOPTW instances (the OPHS files beside them are another problem)."""
    return sorted(p.stem for folder in FOLDERS for p in (DATA / folder).glob("*.txt"))


@functools.cache
def heldout_instances() -> tuple[str, ...]:
    """The held-out instances, as benchmarks/data/toptw/heldout.txt lists them."""
    lines = HELDOUT_FILE.read_text().splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def draw_heldout() -> list[str]:
    """The rule heldout.txt was drawn by: per family (FAMILIES order), HELDOUT_PER_FAMILY
    instances outside the subset, random.Random(HELDOUT_SEED).sample of the sorted names."""
    rng = random.Random(HELDOUT_SEED)
    chosen: list[str] = []
    for family, count in HELDOUT_PER_FAMILY.items():
        pool = sorted(n for n in all_instances() if family_of(n) == family and n not in SUBSET)
        chosen += sorted(rng.sample(pool, count))
    return chosen


def batch_cases(which: str) -> list[tuple[str, int]]:
    if which == "subset":
        return [(n, m) for n in SUBSET for m in SUBSET_TOURS]
    if which == "heldout":
        return [(n, m) for n in heldout_instances() for m in ALL_TOURS]
    if which == "all":
        return [(n, m) for n in all_instances() for m in ALL_TOURS]
    raise ValueError(f"unknown batch {which}")


def split_of(name: str, tours: int) -> str:
    """subset (tuned on), heldout (never tuned on) or other."""
    if name in SUBSET and tours in SUBSET_TOURS:
        return "subset"
    if name in heldout_instances():
        return "heldout"
    return "other"


def _case_row(name: str, tours: int, results: dict[str, dict], bks: dict[tuple[str, int], int],
              peers: list[str]) -> dict:
    best = bks[(name, tours)]
    ours = results["tripopt"]
    row = {"instance": name, "tours": tours, "family": family_of(name), "split": split_of(name, tours), "bks": best,
           "score": ours["score"], "gap_pct": round(100 * (best - ours["score"]) / best, 2),
           "seconds": ours["seconds"], "cpu_seconds": ours["cpu_seconds"], "core": ours["core"],
           "routes": ours["routes"]}
    for peer in peers:
        theirs = results[peer]
        row[peer] = theirs["score"]
        row[f"{peer}_gap_pct"] = round(100 * (best - theirs["score"]) / best, 2)
        row[f"{peer}_seconds"] = theirs["seconds"]
        row[f"{peer}_cpu_seconds"] = theirs["cpu_seconds"]
        row[f"{peer}_core"] = theirs["core"]
    return row


def batch(cases: list[tuple[str, int]], seconds: float, jobs: int, settings: dict | None = None,
          peers: list[str] | tuple[str, ...] = (), pin: bool = True) -> list[dict]:
    """Solve every case with tripopt and each peer, one worker process per solve, `jobs`
    at a time, job k pinned to the k-th CPU (pin=False: free cores). Rows carry the gaps
    to the BKS and each solver's wall and CPU seconds."""
    bks = bks_table()
    peers = list(peers)
    solvers = ["tripopt", *peers]
    todo: queue.Queue = queue.Queue()
    for name, tours in cases:
        for solver in solvers:
            todo.put({"solver": solver, "path": str(instance_path(name)), "tours": tours, "seconds": seconds,
                      "settings": settings if solver == "tripopt" else None, "name": name})
    results: dict[tuple[str, int], dict[str, dict]] = {case: {} for case in cases}
    rows: dict[tuple[str, int], dict] = {}
    failures: list[BaseException] = []
    lock = threading.Lock()

    def slot(cpu: int | None) -> None:
        while not failures:
            try:
                task = todo.get_nowait()
            except queue.Empty:
                return
            try:
                result = in_worker(task, cpu)
            except BaseException as error:
                failures.append(error)
                return
            case = (task["name"], task["tours"])
            with lock:
                results[case][task["solver"]] = result
                if len(results[case]) == len(solvers):
                    row = rows[case] = _case_row(*case, results[case], bks, peers)
                    print(_progress(row, peers), file=sys.stderr, flush=True)

    threads = [threading.Thread(target=slot, args=(cpu,)) for cpu in worker_cpus(jobs, pin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return [rows[case] for case in cases]


def _progress(row: dict, peers: list[str]) -> str:
    text = (f"{row['instance']:6} m={row['tours']} score {row['score']:5d} bks {row['bks']:5d} "
            f"gap {row['gap_pct']:6.2f}% {row['seconds']:5.1f}s {row['cpu_seconds']:5.1f} cpu-s")
    for peer in peers:
        text += (f" | {peer} {row[peer]:5d} ({row[f'{peer}_gap_pct']:.2f}%) {row[f'{peer}_seconds']:.1f}s "
                 f"{row[f'{peer}_cpu_seconds']:.1f} cpu-s")
    return text


def csv_columns(peers: list[str]) -> list[str]:
    columns = ["instance", "tours", "family", "split", "bks", "score", "gap_pct", "seconds", "cpu_seconds", "core"]
    for peer in peers:
        columns += [peer, f"{peer}_gap_pct", f"{peer}_seconds", f"{peer}_cpu_seconds", f"{peer}_core"]
    return columns


def read_rows(path: Path) -> tuple[list[dict], list[str]]:
    """A batch CSV back as rows (numbers as numbers) and the peers it holds; older CSVs
    without a split or CPU column get the split from the case and no CPU figures."""
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        raw = list(reader)
    peers = [p for p in PEERS if p in fields]
    rows = []
    for r in raw:
        row: dict = {"instance": r["instance"], "tours": int(r["tours"])}
        row["family"] = r.get("family") or family_of(row["instance"])
        row["split"] = r.get("split") or split_of(row["instance"], row["tours"])
        for key, value in r.items():
            if key in row or key is None or value in ("", None):
                continue
            number = float(value)
            row[key] = int(number) if key in ("score", "bks", *PEERS) else number
        rows.append(row)
    return rows, peers


def against_peers(rows_csv: Path) -> str:
    """Wins/ties/losses of a batch CSV against PyVRP's rows in benchmarks/data/toptw/peers_10s.csv."""
    with open(DATA / "peers_10s.csv", newline="") as handle:
        peer = {(r["instance"], int(r["m"])): int(r["score"]) for r in csv.DictReader(handle) if r["solver"] == "pyvrp"}
    with open(rows_csv, newline="") as handle:
        ours = {(r["instance"], int(r["tours"])): int(r["score"]) for r in csv.DictReader(handle)}
    shared = sorted(set(peer) & set(ours))
    wins = sum(ours[k] > peer[k] for k in shared)
    ties = sum(ours[k] == peer[k] for k in shared)
    return f"{len(shared)} cases vs PyVRP (peers_10s.csv): {wins} wins, {ties} ties, {len(shared) - wins - ties} losses"


def is_tie(ours: int, theirs: int, bks: int, tie_pct: float) -> bool:
    """Equal scores (tie_pct 0), or scores at most tie_pct % of the BKS apart."""
    return abs(ours - theirs) <= tie_pct * bks / 100


def head_to_head(rows: list[dict], peer: str, tie_pct: float = 0.0) -> tuple[int, int, int]:
    """tripopt's wins, ties and losses against the peer."""
    ties = [is_tie(r["score"], r[peer], r["bks"], tie_pct) for r in rows]
    wins = sum(not tie and r["score"] > r[peer] for r, tie in zip(rows, ties))
    losses = sum(not tie and r["score"] < r[peer] for r, tie in zip(rows, ties))
    return wins, sum(ties), losses


def _gaps(values: list[float]) -> str:
    return f"{statistics.mean(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def _mean(rows: list[dict], key: str) -> str:
    values = [r[key] for r in rows if key in r]
    return f"{statistics.mean(values):.2f}" if values else "–"


def summarise(rows: list[dict], peers: list[str] | tuple[str, ...] = (), tie_pct: float = 0.0) -> str:
    """Per split (subset, heldout, other; all of them too when several), a Markdown table:
    gap to the BKS (mean / median / max) of each solver overall, per family and per m,
    the mean wall and CPU seconds per case, and tripopt's wins / ties / losses per peer."""
    peers = list(peers)
    solvers = [("tripopt", ""), *((p, f"{p}_") for p in peers)]
    present = [s for s in ("subset", "heldout", "other") if any(r["split"] == s for r in rows)]
    groups = [(s, [r for r in rows if r["split"] == s]) for s in present]
    if len(groups) > 1:
        groups.append(("all", rows))
    out = []
    for label, group in groups:
        out += [f"{label}: {len(group)} cases", "",
                "| gap % mean / median / max | " + " | ".join(name for name, _ in solvers) + " |",
                "| --- |" + " --- |" * len(solvers)]

        def line(title: str, part: list[dict]) -> str:
            return f"| {title} | " + " | ".join(_gaps([r[f"{pre}gap_pct"] for r in part]) for _, pre in solvers) + " |"

        out.append(line(f"all {len(group)}", group))
        for family in FAMILIES:
            part = [r for r in group if r["family"] == family]
            if part:
                out.append(line(f"{family} ({len(part)})", part))
        for m in sorted({r["tours"] for r in group}):
            out.append(line(f"m={m}", [r for r in group if r["tours"] == m]))
        out.append("| wall s per case, mean | " + " | ".join(_mean(group, f"{pre}seconds") for _, pre in solvers)
                   + " |")
        out.append("| CPU s per case, mean | " + " | ".join(_mean(group, f"{pre}cpu_seconds") for _, pre in solvers)
                   + " |")
        if peers:
            cells = ["tripopt's W / T / L against the peer", "–"]
            for peer in peers:
                wins, ties, losses = head_to_head(group, peer, tie_pct)
                cells.append(f"{wins} / {ties} / {losses}")
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    if peers:
        out.append("A tie is " + ("an equal score." if tie_pct == 0 else
                                  f"a score within {tie_pct}% of the BKS of the other's."))
    return "\n".join(out).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("instance", nargs="?", type=Path, help="an instance file")
    parser.add_argument("--tours", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--batch", choices=("subset", "heldout", "all"), help="run many cases")
    parser.add_argument("--instances", help="only these instances of the batch, comma-separated (e.g. c103,pr02)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes at a time (job k pinned to CPU k)")
    parser.add_argument("--no-pin", action="store_true", help="let the workers use every core (free cores)")
    parser.add_argument("--csv", type=Path, help="write the batch rows here")
    parser.add_argument("--vs", choices=PEERS, action="append", default=[], help="also solve with this peer")
    parser.add_argument("--tie-pct", type=float, default=0.0,
                        help="a tie is a score difference of at most this %% of the BKS (default 0: equal scores)")
    parser.add_argument("--peers", type=Path, help="compare a batch CSV with peers_10s.csv and exit")
    parser.add_argument("--report", type=Path, help="print the summary of a batch CSV and exit")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=NUMBER",
                        help="override a SearchSettings field, e.g. --set value_weight=4 (for experiments)")
    args = parser.parse_args()
    settings = {name: float(value) for name, value in (item.split("=", 1) for item in args.set)}
    peers = list(dict.fromkeys(args.vs))
    if args.peers:
        print(against_peers(args.peers))
        return
    if args.report:
        rows, stored_peers = read_rows(args.report)
        print(summarise(rows, stored_peers, args.tie_pct), end="")
        return
    try:
        cpus = worker_cpus(1 if args.batch is None else args.jobs, not args.no_pin)
    except ValueError as error:
        parser.error(str(error))
    if args.batch:
        cases = batch_cases(args.batch)
        if args.instances:
            wanted = set(args.instances.split(","))
            if wanted - {n for n, _ in cases}:
                parser.error(f"not in the {args.batch} batch: {', '.join(sorted(wanted - {n for n, _ in cases}))}")
            cases = [(n, m) for n, m in cases if n in wanted]
        rows = batch(cases, args.time_limit, args.jobs, settings or None, peers,
                     pin=not args.no_pin)
        if args.csv:
            with open(args.csv, "w", newline="") as handle:
                writer = csv.DictWriter(handle, csv_columns(peers), extrasaction="ignore")
                writer.writeheader()
                writer.writerows(rows)
        print(summarise(rows, peers, args.tie_pct), end="")
        return
    if args.instance is None:
        parser.error("give an instance file or --batch")
    task = {"path": str(args.instance.resolve()), "tours": args.tours, "seconds": args.time_limit}
    result = in_worker({**task, "solver": "tripopt", "settings": settings or None}, cpus[0])
    result.pop("family")
    for peer in peers:
        result[peer] = in_worker({**task, "solver": peer}, cpus[0])
    if args.json:
        print(json.dumps(result))
        return
    text = f"{result['instance']} m={result['tours']}: score {result['score']} ({result['cpu_seconds']} cpu-s)"
    print(text + "".join(f", {p} {result[p]['score']} ({result[p]['cpu_seconds']} cpu-s)" for p in peers))


if __name__ == "__main__":
    main()
