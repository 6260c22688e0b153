"""TOPTW benchmark harness: the literature's instances on tripopt's own routing core.

    python benchmarks/toptw.py INSTANCE --tours M --time-limit S [--json] [--vs pyvrp]
    python benchmarks/toptw.py --batch subset|all [--time-limit S] [--jobs J] [--csv FILE] [--vs pyvrp]

`--vs pyvrp` also solves each case with PyVRP (prize-collecting VRPTW, the `bench` extra:
pip install -e ".[bench]") at the same time limit in the same process, as PEERS.md
describes its model, and reports both with wins, ties and losses.

Distances follow the literature's convention (benchmarks/data/toptw/README.md):
Euclidean, truncated to 1 decimal (Solomon c/r/rc) or 2 decimals (Cordeau pr), computed
exactly in integers. All times are scaled to integers at that precision, so the integer
model is exact. Every solution is re-checked in exact rational arithmetic by `verify`,
written from the README's rules, before it is reported; an infeasible one is an error.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "toptw"
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
        if self.name.startswith("pr"):
            return "pr"
        prefix = self.name.rstrip("0123456789")
        return prefix + self.name[len(prefix)]  # c1, r2, rc1, ...


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


def run_case(path: Path, tours: int, seconds: float, settings: dict | None = None) -> dict:
    inst = read_instance(path)
    began = time.perf_counter()
    solution = solve(to_problem(inst, tours), SearchSettings(time_limit_seconds=seconds, **(settings or {})))
    routes = [[node + 1 for node in route] for route in solution.routes if route]
    elapsed = time.perf_counter() - began
    ok, why, score = verify(inst, routes, tours)
    if not ok:
        raise AssertionError(f"{inst.name} m={tours}: infeasible solution: {why}")
    return {"instance": inst.name, "tours": tours, "score": score, "routes": routes, "seconds": round(elapsed, 2),
            "family": inst.family}


def run_pyvrp(path: Path, tours: int, seconds: float) -> dict:
    """The peer: PyVRP on the same integer data (prize = score x 10^6, optional clients)."""
    from pyvrp import Model, PenaltyParams, SolveParams
    from pyvrp.stop import MaxRuntime

    inst = read_instance(path)
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
    began = time.perf_counter()
    result = model.solve(stop=MaxRuntime(seconds), seed=1, display=False,
                         params=SolveParams(penalty=PenaltyParams(max_penalty=1e9)))
    elapsed = time.perf_counter() - began
    routes = ([[activity.idx + 1 for activity in route if activity.is_client()] for route in result.best.routes()]
              if result.best.is_feasible() else [])  # a client activity counts clients from 0
    ok, why, score = verify(inst, routes, tours)
    if not ok:
        raise AssertionError(f"{inst.name} m={tours}: PyVRP's solution fails the check: {why}")
    return {"score": score, "routes": routes, "seconds": round(elapsed, 2)}


def bks_table() -> dict[tuple[str, int], int]:
    with open(DATA / "bks.csv", newline="") as handle:
        return {(row["instance"], int(row["m"])): int(row["bks"]) for row in csv.DictReader(handle)}


FOLDERS = ("solomon_100", "solomon_200", "cordeau_01_10", "cordeau_11_20")


def instance_path(name: str) -> Path:
    return next(p for folder in FOLDERS for p in (DATA / folder).glob(f"{name}.txt"))


def all_instances() -> list[str]:
    """The 76 TOPTW instances (the OPHS files beside them are another problem)."""
    return sorted(p.stem for folder in FOLDERS for p in (DATA / folder).glob("*.txt"))


def _batch_case(args: tuple[str, int, float, dict | None, bool]) -> dict:
    name, tours, seconds, settings, vs_pyvrp = args
    result = run_case(instance_path(name), tours, seconds, settings)
    if vs_pyvrp:
        result["pyvrp"] = run_pyvrp(instance_path(name), tours, seconds)["score"]
    return result


def batch(cases: list[tuple[str, int]], seconds: float, jobs: int, settings: dict | None = None,
          vs_pyvrp: bool = False) -> list[dict]:
    """Run cases in `jobs` single-threaded processes; rows carry the gap to the BKS."""
    bks = bks_table()
    rows = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for result in pool.map(_batch_case, [(n, m, seconds, settings, vs_pyvrp) for n, m in cases]):
            best = bks[(result["instance"], result["tours"])]
            result["bks"] = best
            result["gap_pct"] = round(100 * (best - result["score"]) / best, 2)
            peer = ""
            if vs_pyvrp:
                result["pyvrp_gap_pct"] = round(100 * (best - result["pyvrp"]) / best, 2)
                peer = f" pyvrp {result['pyvrp']:5d} ({result['pyvrp_gap_pct']:.2f}%)"
            rows.append(result)
            print(f"{result['instance']:6} m={result['tours']} score {result['score']:5d} bks {best:5d} "
                  f"gap {result['gap_pct']:6.2f}% {result['seconds']:5.1f}s{peer}", file=sys.stderr, flush=True)
    return rows


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


def head_to_head(rows: list[dict]) -> str:
    wins = sum(r["score"] > r["pyvrp"] for r in rows)
    ties = sum(r["score"] == r["pyvrp"] for r in rows)
    losses = sum(r["score"] < r["pyvrp"] for r in rows)
    mean = statistics.mean(r["pyvrp_gap_pct"] for r in rows)
    return f"tripopt vs PyVRP: {wins} wins, {ties} ties, {losses} losses; PyVRP mean gap {mean:.2f}%"


def summarise(rows: list[dict]) -> str:
    """Mean / median / max gap per family and per m, as a Markdown table."""
    def line(label: str, gaps: list[float]) -> str:
        mean, median = statistics.mean(gaps), statistics.median(gaps)
        return f"| {label} | {len(gaps)} | {mean:.2f} | {median:.2f} | {max(gaps):.2f} |"

    out = ["| cases | n | mean gap % | median gap % | max gap % |", "| --- | --- | --- | --- | --- |",
           line("all", [r["gap_pct"] for r in rows])]
    for family in ("c1", "r1", "rc1", "c2", "r2", "rc2", "pr"):
        gaps = [r["gap_pct"] for r in rows if r["family"] == family]
        if gaps:
            out.append(line(family, gaps))
    for m in sorted({r["tours"] for r in rows}):
        out.append(line(f"m={m}", [r["gap_pct"] for r in rows if r["tours"] == m]))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("instance", nargs="?", type=Path, help="an instance file")
    parser.add_argument("--tours", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--batch", choices=("subset", "all"), help="run many cases")
    parser.add_argument("--jobs", type=int, default=2, help="parallel single-threaded processes")
    parser.add_argument("--csv", type=Path, help="write the batch rows here")
    parser.add_argument("--vs", choices=("pyvrp",), help="also solve with this peer")
    parser.add_argument("--peers", type=Path, help="compare a batch CSV with peers_10s.csv and exit")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=NUMBER",
                        help="override a SearchSettings field, e.g. --set value_weight=4 (for experiments)")
    args = parser.parse_args()
    settings = {name: float(value) for name, value in (item.split("=", 1) for item in args.set)}
    if args.peers:
        print(against_peers(args.peers))
        return
    vs_pyvrp = args.vs == "pyvrp"
    if args.batch:
        names = SUBSET if args.batch == "subset" else all_instances()
        tours = SUBSET_TOURS if args.batch == "subset" else (1, 2, 3, 4)
        rows = batch([(n, m) for n in names for m in tours], args.time_limit, args.jobs, settings or None,
                     vs_pyvrp=vs_pyvrp)
        if args.csv:
            columns = ["instance", "tours", "family", "score", "bks", "gap_pct", "seconds"]
            columns += ["pyvrp", "pyvrp_gap_pct"] if vs_pyvrp else []
            with open(args.csv, "w", newline="") as handle:
                writer = csv.DictWriter(handle, columns, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(rows)
        print(summarise(rows))
        if vs_pyvrp:
            print(head_to_head(rows))
        return
    if args.instance is None:
        parser.error("give an instance file or --batch")
    result = run_case(args.instance, args.tours, args.time_limit, settings or None)
    result.pop("family")
    if vs_pyvrp:
        result["pyvrp"] = run_pyvrp(args.instance, args.tours, args.time_limit)
    print(json.dumps(result) if args.json else f"{result['instance']} m={result['tours']}: score {result['score']}"
          + (f", PyVRP {result['pyvrp']['score']}" if vs_pyvrp else ""))


if __name__ == "__main__":
    main()
