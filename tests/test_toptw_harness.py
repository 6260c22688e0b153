"""The TOPTW harness's verifier and model, checked against published optimal tours."""

from __future__ import annotations

import csv
import os
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import toptw  # noqa: E402  (benchmarks/ is not a package)

# The instances ship with the project (benchmarks/data/README.md): no skip, in a clone and in CI.
REFERENCE = toptw.DATA / "reference_solutions" / "righini_salani_opt_m1.csv"


def test_the_instances_ship_in_the_checkout():
    assert toptw.DATA == ROOT / "benchmarks" / "data" / "toptw"
    assert REFERENCE.is_file()
    assert len(toptw.all_instances()) == 76


def _reference_rows():
    with open(REFERENCE, newline="") as handle:
        return list(csv.DictReader(handle))


def test_verifier_accepts_the_published_optima():
    for row in _reference_rows():
        inst = toptw.read_instance(toptw.instance_path(row["instance"]))
        ok, why, score = toptw.verify(inst, [[int(c) for c in row["route"].split()]], 1)
        assert ok, f"{row['instance']}: {why}"
        assert score == int(row["score"])


def test_verifier_rejects_a_late_tour():
    row = _reference_rows()[0]
    inst = toptw.read_instance(toptw.instance_path(row["instance"]))
    route = [int(c) for c in row["route"].split()]
    ok, _, _ = toptw.verify(inst, [list(reversed(route))], 1)
    assert not ok


def test_integer_distances_match_the_truncation_convention():
    inst = toptw.read_instance(toptw.instance_path("c101"))
    d = toptw.distance_matrix(inst)
    assert d[0, 1] == 186  # sqrt(5^2 + 18^2) = 18.68 -> 18.6, in tenths


def test_core_solves_c101_to_optimality():
    result = toptw.run_case(toptw.instance_path("c101"), 1, 2.0)
    assert result["score"] == 320  # proven optimum (Righini & Salani)


# The side-by-side harness (issue 21): held-out split, pinned workers, CPU seconds, peers.

C101 = str(toptw.instance_path("c101"))


def test_heldout_list_is_the_documented_rule_and_outside_the_tuning_subset():
    heldout = toptw.heldout_instances()
    assert heldout == tuple(toptw.draw_heldout())
    assert not set(heldout) & set(toptw.SUBSET)
    assert len(heldout) == len(set(heldout)) == 16
    cases = toptw.batch_cases("heldout")
    assert len(cases) == 64 and not set(cases) & set(toptw.batch_cases("subset"))
    assert len(toptw.batch_cases("subset")) == 60 and len(toptw.batch_cases("all")) == 304
    assert {toptw.split_of(n, m) for n, m in cases} == {"heldout"}
    assert toptw.split_of("c101", 4) == "subset" and toptw.split_of("c101", 3) == "other"


def test_cpu_seconds_count_every_thread_of_the_process():
    def work() -> None:
        while time.thread_time() < 0.3:
            pass

    before = toptw.cpu_seconds()
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert toptw.cpu_seconds() - before >= 0.29


def test_a_worker_runs_pinned_with_the_recombination_thread_and_records_cpu_seconds():
    cpu = max(os.sched_getaffinity(0))
    result = toptw.in_worker({"solver": "tripopt", "path": C101, "tours": 1, "seconds": 1.0, "watch_threads": True},
                             cpu)
    assert result["score"] == 320  # verified by the worker
    assert result["core"] == cpu
    assert result["affinity"] == [cpu]  # os.sched_getaffinity in the worker, after the solve
    assert "ThreadPoolExecutor-0_0" in result["thread_names_seen"]  # the CP-SAT recombination thread ran
    assert result["threads_seen"] >= 3  # main, the watch and that thread at least
    assert result["threads_cpus_seen"] == [cpu]  # every thread seen during the solve was on that CPU
    assert 0 < result["cpu_seconds"] <= result["seconds"] + 0.2  # one core: no more CPU than wall time


def test_jobs_get_one_cpu_each_and_no_more_jobs_than_cpus():
    cpus = sorted(os.sched_getaffinity(0))
    assert toptw.worker_cpus(len(cpus), pin=True) == cpus
    assert toptw.worker_cpus(3, pin=False) == [None, None, None]
    with pytest.raises(ValueError):
        toptw.worker_cpus(len(cpus) + 1, pin=True)


def _rows() -> list[dict]:
    base = {"family": "c1", "tours": 1, "bks": 1000, "seconds": 1.0, "cpu_seconds": 0.9, "core": 0,
            "pyvrp_seconds": 1.0, "pyvrp_cpu_seconds": 1.0}
    rows = []
    for i, (ours, theirs, split) in enumerate([(1000, 990, "heldout"), (995, 995, "heldout"), (990, 999, "heldout"),
                                                (980, 981, "subset")]):
        rows.append({**base, "instance": f"c10{i}", "split": split, "score": ours, "pyvrp": theirs,
                     "gap_pct": round(100 * (1000 - ours) / 1000, 2),
                     "pyvrp_gap_pct": round(100 * (1000 - theirs) / 1000, 2)})
    return rows


def test_wins_ties_losses_with_a_tolerance():
    rows = _rows()
    assert toptw.head_to_head(rows, "pyvrp") == (1, 1, 2)
    assert toptw.head_to_head(rows, "pyvrp", tie_pct=0.1) == (1, 2, 1)  # 980 vs 981: 1 point of 1000 is 0.1%


def test_summary_per_split_survives_the_csv(tmp_path):
    rows = _rows()
    text = toptw.summarise(rows, ["pyvrp"])
    assert "heldout: 3 cases" in text and "subset: 1 cases" in text and "all: 4 cases" in text
    assert "| CPU s per case, mean | 0.90 | 1.00 |" in text
    assert "| tripopt's W / T / L against the peer | – | 1 / 1 / 1 |" in text  # the held-out three
    path = tmp_path / "rows.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, toptw.csv_columns(["pyvrp"]), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    back, peers = toptw.read_rows(path)
    assert peers == ["pyvrp"]
    assert toptw.summarise(back, peers) == text


def test_vroom_priorities_are_the_scores_when_they_fit():
    assert toptw.vroom_priorities([0, 10, 50]) == [0, 10, 50]
    assert toptw.vroom_priorities([1, 100, 200]) == [0, 50, 100]  # scaled to 0..100 and rounded
    top = max(max(toptw.read_instance(toptw.instance_path(n)).score) for n in toptw.all_instances())
    assert top <= toptw.VROOM_MAX_PRIORITY  # every literature instance passes its scores unchanged


def test_vroom_adapter_on_c101():
    pytest.importorskip("vroom", reason="pyvroom is not installed: pip install -e '.[bench]'")
    result = toptw.run_vroom(toptw.instance_path("c101"), 2, 1.0)  # verified inside, else AssertionError
    inst = toptw.read_instance(toptw.instance_path("c101"))
    ok, _, score = toptw.verify(inst, result["routes"], 2)
    assert ok and score == result["score"]
    assert 0.9 * 590 <= result["score"] <= 590  # BKS 590
    assert result["cpu_seconds"] >= 0 and len(result["routes"]) <= 2


def test_pyvrp_adapter_on_c101():
    pytest.importorskip("pyvrp", reason="pyvrp is not installed: pip install -e '.[bench]'")
    result = toptw.run_pyvrp(toptw.instance_path("c101"), 1, 0.5)
    assert 0.9 * 320 <= result["score"] <= 320 and result["cpu_seconds"] > 0
