"""The TOPTW harness's verifier and model, checked against published optimal tours."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

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
