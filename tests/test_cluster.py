"""batch and compare on a real Dask cluster (a LocalCluster of two worker processes, one
thread each): the same results as a local run with the same settings, Ctrl-C reaching the
tasks, and a scheduler that cannot be used refused as bad input. Skipped only when Dask is
not installed (`pip install -e ".[cluster]"`; the test extra includes it)."""

from __future__ import annotations

import csv
import faulthandler
import importlib
import io
import json
import socket
import threading
import time

import pytest

distributed = pytest.importorskip("distributed")

import tripopt  # noqa: E402
from tripopt import executors, report  # noqa: E402
from tripopt.batch import FEASIBLE, INFEASIBLE, run_batch  # noqa: E402
from tripopt.compare import _solve_budget_task, auto_compare, compare  # noqa: E402
from tripopt.executors import DaskCluster  # noqa: E402
from tripopt.limits import Interrupted  # noqa: E402

from .conftest import customer_row, spread_customers  # noqa: E402

# The search stops by work, in about 0.2 s, so the plans repeat exactly. The time limit is
# only a cap, set well above that: on a busy two-core machine a tight one would sometimes
# end a phase first, and then the clock, not the work, would decide the plan (a sweep's rows
# get 8% of it: compare.py, curve.py).
WORK = {"work_limit": 10, "time_limit": "20s"}
WATCHDOG_SECONDS = 300  # each test takes seconds


@pytest.fixture(autouse=True)
def _watchdog():
    """A test on a real cluster that hangs (seen once under heavy load) dumps every thread's
    stack and ends the run within minutes, instead of holding CI until its own timeout."""
    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0",
                                  silence_logs=40) as local:
        with distributed.Client(local.scheduler_address) as client:  # each worker loads the solver once, now
            client.run(importlib.import_module, "tripopt.compare")
        yield local


def _named(path, stem):
    return path.rename(path.with_name(f"{stem}.yaml"))


def _without_seconds(text: str) -> list[list[str]]:
    """The summary's rows without the seconds column (where the time went differs)."""
    rows = list(csv.reader(io.StringIO(text)))
    column = rows[0].index("seconds")
    return [row[:column] + row[column + 1:] for row in rows]


def test_a_batch_on_the_cluster_is_the_local_batch(tmp_path, cluster, two_days, one_commitment):
    paths = [_named(two_days(spread_customers(16, 1), solver=WORK), "ann"),
             _named(two_days(spread_customers(18, 4), solver=WORK), "ben"),
             _named(one_commitment([customer_row("Acme", 41.89, -87.63, 50)], budget=0.5), "cat"),
             _named(two_days(spread_customers(5, 3)), "dan")]  # small: solved exactly
    local = run_batch(paths, tmp_path / "local", processes=2, fresh=True)
    remote = run_batch(paths, tmp_path / "remote", scheduler=cluster.scheduler_address, fresh=True)
    assert [r.status for r in remote.rows] == [FEASIBLE, FEASIBLE, INFEASIBLE, FEASIBLE]
    assert [r.status for r in local.rows] == [r.status for r in remote.rows] and remote.exit_code == 1
    for stem in ("ann", "ben", "dan"):
        mine, theirs = ((tmp_path / where / f"{stem}.json").read_text(encoding="utf-8")
                        for where in ("local", "remote"))
        assert [json.loads(doc)["summary"]["stopped_by"] for doc in (mine, theirs)] == ["work", "work"], stem
        assert mine == theirs, stem
    summaries = [_without_seconds(b.summary.read_text(encoding="utf-8").replace("/local/", "/remote/"))
                 for b in (local, remote)]
    assert summaries[0] == summaries[1]


def test_a_sweep_on_the_cluster_is_the_local_sweep(cluster, two_days):
    scenario = tripopt.load_scenario(two_days(spread_customers(30, 7), solver=WORK, trip={"end": "2026-10-07"}))
    budgets = [160, 200, 240, 320]
    local = compare(scenario, budgets, processes=2)
    remote = compare(scenario, budgets, scheduler=cluster.scheduler_address)  # two worker threads: waves of 2
    assert [r.plan.stopped_by for r in (*local.rows, *remote.rows)] == ["work"] * 2 * len(budgets)
    assert report.comparison_to_json(remote) == report.comparison_to_json(local)

    small = tripopt.load_scenario(two_days([  # solved exactly, so --auto's probes stay quick
        customer_row(name, lat, -87.63, value, meeting="30min", hours="Mon 09:00-17:00")
        for name, lat, value in (("near", 41.90, 10), ("mid", 41.98, 20), ("far", 42.10, 40))]))
    auto_local = auto_compare(small, processes=2)
    auto_remote = auto_compare(small, scheduler=cluster.scheduler_address)
    assert len(auto_remote.rows) > 3 and auto_remote.breakpoints == auto_local.breakpoints
    assert report.comparison_to_json(auto_remote) == report.comparison_to_json(auto_local)


def test_ctrl_c_reaches_the_tasks_on_the_cluster(cluster, two_days):
    """The caller's flag stops the running tasks (they keep their best plan) and the queued
    ones never start: well before the time limit."""
    slow = tripopt.load_scenario(two_days(spread_customers(40, 5), solver={"time_limit": "30s"}))
    flag = Interrupted()
    with DaskCluster(cluster.scheduler_address) as executor:
        assert executor.width == 2
        started = time.monotonic()
        jobs = [(slow, budget, None) for budget in (100, 200, 300)]  # the third waits for a free worker
        threading.Timer(2.0, lambda: setattr(flag, "set", True)).start()
        rows = executor.map(_solve_budget_task, jobs, flag)
        elapsed = time.monotonic() - started
    assert elapsed < 12, f"took {elapsed:.1f} s after Ctrl-C at 2 s"
    assert [r is not None for r in rows] == [True, True, False]
    assert all(r.plan is not None and r.plan.stopped_by == "interrupt" for r in rows[:2])


def test_a_scheduler_that_cannot_be_used_is_bad_input():
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(tripopt.InputError, match=rf"--scheduler tcp://127.0.0.1:{port}: cannot reach a Dask sch"):
        DaskCluster(f"tcp://127.0.0.1:{port}")
    for address in ("127.0.0.1", "http://127.0.0.1:8786"):
        with pytest.raises(tripopt.InputError, match="is not a scheduler address"):
            DaskCluster(address)
    assert time.monotonic() - started < 5  # refused at once, not after the client's retries


def test_a_scheduler_without_workers_is_bad_input(monkeypatch):
    monkeypatch.setattr(executors, "CONNECT_SECONDS", 1)
    with (distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0", silence_logs=40) as empty,
          pytest.raises(tripopt.InputError, match="no Dask worker joined")):
        DaskCluster(empty.scheduler_address)
