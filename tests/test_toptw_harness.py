"""The TOPTW harness's verifier and model, checked against published optimal tours."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
toptw = pytest.importorskip("toptw")

REFERENCE = toptw.DATA / "reference_solutions" / "righini_salani_opt_m1.csv"
pytestmark = pytest.mark.skipif(not REFERENCE.exists(), reason="shared/benchmarks is not beside the checkout")


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
