"""Ctrl-C ends a long search and still prints the best plan found so far."""

from __future__ import annotations

import json
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
