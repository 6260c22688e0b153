"""Ctrl-C ends a long search and still prints the best plan found so far."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from .conftest import SCENARIOS


def test_sigint_keeps_best_plan():
    scenario = next(p for p in SCENARIOS if "reinvent" in p.name)
    child = subprocess.Popen([sys.executable, "-m", "tripopt", "plan", str(scenario), "--time-limit", "120",
                              "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4)  # imports and the first solutions
    began = time.monotonic()
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert time.monotonic() - began < 60
    document = json.loads(out)
    assert document["summary"]["stopped_by"] == "interrupt"
    assert document["summary"]["visited"] > 0
    assert "keeping the best plan" in err


def test_sigint_ends_a_sweep_with_the_budgets_solved_so_far():
    """Ctrl-C on a terminal reaches the whole process group: the one search keeps its best plan
    so far, and the budgets it would have served are listed as not solved."""
    scenario = next(p for p in SCENARIOS if "reinvent" in p.name)
    child = subprocess.Popen([sys.executable, "-m", "tripopt", "compare", str(scenario), "--budgets", "300:1500:300",
                              "--time-limit", "120", "-j", "2", "--format", "json"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(5)  # imports, the first solutions of the one search (at the scenario's budget, 1,200)
    began = time.monotonic()
    os.killpg(child.pid, signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert time.monotonic() - began < 60
    rows = json.loads(out)
    assert [r["budget"] for r in rows] == [1200]
    assert all(r["stopped_by"] == "interrupt" and r["visited"] > 0 for r in rows)
    assert "not solved (interrupted): 300.00, 600.00, 900.00, 1,500.00" in err
