"""`tripopt batch` as a library (batch.run_batch) in local processes: a row per scenario in
the order given, its status and reason, the exit code, the files written, and the refusals
made before any work. The cluster runs are in test_cluster.py."""

from __future__ import annotations

import csv
import io
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import tripopt
from tripopt import report
from tripopt.batch import (
    BAD_INPUT,
    FEASIBLE,
    INFEASIBLE,
    INTERRUPTED,
    SUMMARY_COLUMNS,
    UNDECIDED,
    BatchRow,
    check_names,
    exit_code,
    run_batch,
    summary_csv,
)
from tripopt.compare import _solve_budget_task
from tripopt.executors import INSTALL_HINT, LocalProcesses, open_executor
from tripopt.limits import Interrupted

from .conftest import customer_row


def _named(path: Path, stem: str) -> Path:
    """The factory's scenario.yaml renamed (batch names each output after its file's stem)."""
    return path.rename(path.with_name(f"{stem}.yaml"))


@pytest.fixture
def three(one_day, one_commitment):
    """A scenario with a plan, one that is bad input, one proven infeasible."""
    fine = _named(one_day([customer_row("Acme", 41.89, -87.63, 50), customer_row("Globex", 41.90, -87.65, 30),
                           customer_row("Initech", 41.86, -87.62, 20, hours="Mon 13:00-17:00")]), "alice")
    bad = _named(one_day([customer_row("Acme", 41.89, -87.63, 50)], timezone="Mars/Olympus_Mons"), "bob")
    infeasible = _named(one_commitment([customer_row("Acme", 41.89, -87.63, 50)], budget=0.5), "carol")
    return fine, bad, infeasible


def _summary(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == SUMMARY_COLUMNS
        return list(reader)


def test_a_row_per_scenario_and_the_batch_goes_on(tmp_path, three):
    fine, bad, infeasible = three
    out = tmp_path / "out" / "nested"  # created
    batch = run_batch([fine, bad, infeasible], out, processes=2, fresh=True)

    planned, wrong, none = batch.rows
    assert [r.scenario for r in batch.rows] == [str(fine), str(bad), str(infeasible)]
    assert [r.status for r in batch.rows] == [FEASIBLE, BAD_INPUT, INFEASIBLE]
    assert batch.exit_code == 2
    assert planned.plan is not None and planned.plan.visited == 3 and planned.value == 100
    assert planned.output == out / "alice.json" and planned.seconds is not None
    assert "timezone" in wrong.reason and "Mars/Olympus_Mons" in wrong.reason and wrong.seconds is None
    assert "commitments alone cost" in none.reason and none.plan is None
    assert sorted(p.name for p in out.iterdir()) == ["alice.json", "summary.csv"]

    # the file is the plan `tripopt plan --format json` gives for that scenario
    direct = tripopt.solve(tripopt.load_scenario(fine))
    assert (out / "alice.json").read_text(encoding="utf-8") == report.to_json(direct)

    rows = _summary(batch.summary)
    assert [(r["scenario"], r["status"]) for r in rows] == [(str(fine), "feasible"), (str(bad), "bad_input"),
                                                             (str(infeasible), "infeasible")]
    assert (rows[0]["value"], rows[0]["visited"], rows[0]["cost"]) == ("100", "3", f"{round(direct.cost, 2):g}")
    assert rows[0]["output"] == str(out / "alice.json") and float(rows[0]["seconds"]) >= 0
    assert rows[1]["value"] == rows[1]["output"] == "" and rows[1]["reason"] == wrong.reason
    assert rows[2]["reason"] == none.reason and rows[2]["seconds"] != ""


def test_the_exit_code(three):
    def rows(*statuses: str) -> list[BatchRow]:
        return [BatchRow(f"s{i}.yaml", status) for i, status in enumerate(statuses)]

    assert exit_code(rows(FEASIBLE, FEASIBLE)) == 0
    assert exit_code(rows(FEASIBLE, INFEASIBLE)) == 1
    assert exit_code(rows(UNDECIDED, FEASIBLE)) == 1
    assert exit_code(rows(INTERRUPTED)) == 1
    assert exit_code(rows(INFEASIBLE, BAD_INPUT, FEASIBLE)) == 2


def test_without_bad_input_an_infeasible_scenario_exits_1(tmp_path, three):
    fine, _, infeasible = three
    batch = run_batch([infeasible, fine], tmp_path / "out", fmt="md", processes=1, fresh=True)
    assert [r.status for r in batch.rows] == [INFEASIBLE, FEASIBLE] and batch.exit_code == 1
    plan = batch.rows[1].plan
    assert (tmp_path / "out" / "alice.md").read_text(encoding="utf-8") == report.to_markdown(plan)


def test_csv_plans(tmp_path, three):
    fine = three[0]
    batch = run_batch([fine], tmp_path, fmt="csv", fresh=True)
    assert batch.exit_code == 0
    assert (tmp_path / "alice.csv").read_text(encoding="utf-8") == report.to_csv(batch.rows[0].plan)


def test_two_scenarios_with_one_stem_are_refused_before_any_work(tmp_path, one_day):
    first = one_day([customer_row("Acme", 41.89, -87.63, 50)])
    second = one_day([customer_row("Globex", 41.90, -87.65, 30)])  # another folder, also scenario.yaml
    out = tmp_path / "out"
    with pytest.raises(tripopt.InputError) as refused:
        run_batch([first, second], out)
    assert "same file name stem" in str(refused.value) and "scenario.json" in str(refused.value)
    assert not out.exists()
    with pytest.raises(tripopt.InputError, match="given twice"):
        run_batch([first, first], out)
    upper = first.rename(first.with_name("Scenario.yaml"))  # one file on a case-insensitive file system
    with pytest.raises(tripopt.InputError, match="same file name stem"):
        check_names([upper, second], "md")
    assert not out.exists()


def test_a_plan_may_not_overwrite_the_summary_or_an_input(tmp_path, one_day):
    summary = _named(one_day([customer_row("Acme", 41.89, -87.63, 50)]), "summary")
    with pytest.raises(tripopt.InputError, match=r"summary\.csv, the batch's summary"):
        run_batch([summary], tmp_path / "out", fmt="csv")
    check_names([summary], "json")  # another format is fine
    folder = tmp_path / "crm"
    folder.mkdir()
    (folder / "summary.csv").write_text("name,lat,lon,value,meeting,hours\nAcme,41.89,-87.63,50,45min,"
                                        "Mon-Fri 09:00-17:00\n", encoding="utf-8")
    scenario = _named(one_day("summary.csv"), "dana")
    scenario = scenario.rename(folder / scenario.name)
    with pytest.raises(tripopt.InputError, match=r"customer file of .*never overwrites its input"):
        run_batch([scenario], folder)
    assert (folder / "summary.csv").read_text(encoding="utf-8").startswith("name,")
    with pytest.raises(tripopt.InputError, match="--format"):
        check_names([scenario], "xlsx")


def test_an_interrupted_batch_writes_the_summary_of_what_it_did(tmp_path, three):
    flag = Interrupted()
    flag.set = True
    batch = run_batch(list(three), tmp_path / "out", processes=1, fresh=True, interrupted=flag)
    assert [r.status for r in batch.rows] == [INTERRUPTED, BAD_INPUT, INTERRUPTED]
    assert [r["status"] for r in _summary(batch.summary)] == ["interrupted", "bad_input", "interrupted"]


def test_the_callers_flag_stops_local_worker_processes(two_days):
    """Set by the caller (not by a Ctrl-C the workers also get): the running searches end
    with their best plan, the queued one never starts."""
    rows = [customer_row(f"c{i}", round(41.80 + (i % 7) * 0.03, 4), round(-87.75 + (i % 5) * 0.04, 4), 10 + i)
            for i in range(40)]
    slow = tripopt.load_scenario(two_days(rows, solver={"time_limit": "30s"}))
    flag = Interrupted()
    threading.Timer(2.5, lambda: setattr(flag, "set", True)).start()  # the workers have started their searches
    started = time.monotonic()
    with LocalProcesses(2) as executor:
        results = executor.map(_solve_budget_task, [(slow, budget, None) for budget in (100, 200, 300)], flag)
    assert time.monotonic() - started < 12
    assert [r is not None for r in results] == [True, True, False]
    assert all(r.plan is not None and r.plan.stopped_by == "interrupt" for r in results[:2])


def test_progress_and_remembered_plans(tmp_path, three):
    fine = three[0]
    seen: list[tuple[str, int, int]] = []
    first = run_batch([fine, three[1]], tmp_path / "one", progress=lambda r, d, n: seen.append((r.status, d, n)))
    assert sorted(seen) == [(BAD_INPUT, 1, 2), (FEASIBLE, 2, 2)]
    assert not first.rows[0].plan.recalled
    again = run_batch([fine], tmp_path / "two")  # the plan store remembers the first run's plan
    assert again.rows[0].plan.recalled and again.rows[0].value == first.rows[0].value
    assert not run_batch([fine], tmp_path / "three", fresh=True).rows[0].plan.recalled


def test_summary_cells_are_spreadsheet_safe():
    text = summary_csv([BatchRow("=HYPERLINK(1).yaml", BAD_INPUT, "@SUM(A1)")])
    assert next(csv.reader(io.StringIO(text.splitlines()[1]))) == ["'=HYPERLINK(1).yaml", "bad_input", "", "", "",
                                                                  "", "'@SUM(A1)", ""]


def test_what_is_shipped_to_a_worker_pickles(three):
    """A task gets the loaded Scenario (and a warm start's Outline) and returns a Plan:
    plain frozen dataclasses, equal after the trip."""
    scenario = tripopt.load_scenario(three[0])
    assert pickle.loads(pickle.dumps(scenario)) == scenario
    plan = tripopt.solve(scenario)
    assert pickle.loads(pickle.dumps(plan)) == plan
    assert pickle.loads(pickle.dumps(plan.outline)) == plan.outline


def test_scheduler_without_dask_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if Dask were not installed: import fails
    with pytest.raises(tripopt.InputError) as refused:
        open_executor(scheduler="tcp://127.0.0.1:8786")
    assert INSTALL_HINT in str(refused.value) and "--scheduler tcp://127.0.0.1:8786" in str(refused.value)


def test_the_cli_side_never_imports_dask():
    code = ("import sys, tripopt.cli, tripopt.batch, tripopt.executors, tripopt.compare\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
