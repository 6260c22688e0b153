"""Remembered plans: one answer per question across `plan` and `compare` runs, and a
store that is only ever a source of candidates, never of claims."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from typer.testing import CliRunner

import tripopt
from tripopt.cli import app
from tripopt.store import FORMAT as store_format
from tripopt.store import PlanStore, problem_key

from .checker import check_plan
from .conftest import ROOT

REINVENT = ROOT / "scenarios" / "reinvent-2026.yaml"


def _plan(*args: str) -> dict:
    result = CliRunner().invoke(app, ["plan", str(REINVENT), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _compare(*args: str) -> list[dict]:
    result = CliRunner().invoke(app, ["compare", str(REINVENT), "--format", "json", "-j", "1", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _store_file() -> Path:
    files = list(Path(os.environ["TRIPOPT_CACHE_DIR"]).glob("plans/*.json"))
    assert len(files) == 1, files
    return files[0]


def _outline(document: dict) -> tuple:
    """What makes two plans the same plan: extension days and each day's stops in order."""
    return (document["summary"]["extension_days"],
            [(d["date"], [(s["type"], s["name"]) for s in d["stops"] if s["type"] in ("visit", "commitment")])
             for d in document["days"]])


def test_plan_is_never_below_an_earlier_compare():
    """The issue's case: plan --budget B after compare answers at least every row <= B."""
    rows = _compare("--budget", "300", "--budget", "450", "--time-limit", "0.4")
    best_row = max(r["value"] for r in rows if r["status"] == "feasible")
    document = _plan("--budget", "500", "--time-limit", "0.2")
    assert document["summary"]["value"] >= best_row
    check_plan(document, tripopt.load_scenario(REINVENT).with_budget(500))


def test_compare_is_never_below_an_earlier_plan():
    """And the other way: a compare row at the plan's budget is at least the plan."""
    document = _plan("--budget", "400", "--time-limit", "1")
    rows = _compare("--budget", "400", "--budget", "600", "--time-limit", "0.2")
    assert all(r["value"] >= document["summary"]["value"] for r in rows)


def test_a_repeated_plan_says_it_was_recalled():
    first = _plan("--budget", "500", "--time-limit", "0.5")
    again = _plan("--budget", "500", "--time-limit", "0.5")
    assert first["summary"]["recalled"] is False
    assert again["summary"]["value"] >= first["summary"]["value"]
    assert again["summary"]["recalled"] is (_outline(again) == _outline(first))


def test_fresh_neither_reads_nor_writes():
    _plan("--budget", "500", "--time-limit", "0.3", "--fresh")
    assert not Path(os.environ["TRIPOPT_CACHE_DIR"]).exists()


def test_a_forged_remembered_plan_is_rechecked_not_believed():
    """A store entry claiming a huge value for a plan that breaks the rules (a customer
    the scenario lacks; a real plan whose cost is over the budget) is never the answer."""
    _plan("--budget", "500", "--time-limit", "0.3")
    path = _store_file()
    store = json.loads(path.read_text())
    real = store["plans"][-1]
    nobody = {**real, "value": 9e9, "cost": 1.0,
              "days": [{"day": real["days"][0]["day"], "stops": [["visit", "Nobody Inc"]]}]}
    too_dear = {**real, "value": 9e9, "cost": 1.0}  # it really costs more than 100
    for forged in (nobody, too_dear):
        path.write_text(json.dumps({**store, "plans": [forged]}))
        document = _plan("--budget", "100", "--time-limit", "0.3")
        assert document["summary"]["value"] < 9e9 and document["summary"]["recalled"] is False
        check_plan(document, tripopt.load_scenario(REINVENT).with_budget(100))


def test_an_unreadable_store_warns_and_is_rewritten():
    _plan("--budget", "500", "--time-limit", "0.3")
    path = _store_file()
    path.write_text("{not json")
    result = CliRunner().invoke(app, ["plan", str(REINVENT), "--format", "json", "--budget", "500",
                                      "--time-limit", "0.3"])
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert str(path) in result.stderr and "ignored" in result.stderr
    assert json.loads(path.read_text())["format"] == store_format


def test_an_unwritable_store_warns_and_plans(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("TRIPOPT_CACHE_DIR", str(blocker))
    result = CliRunner().invoke(app, ["plan", str(REINVENT), "--format", "json", "--time-limit", "0.3"])
    assert result.exit_code == 0, result.output
    assert "could not remember" in result.stderr
    assert json.loads(result.stdout)["summary"]["visited"] > 0


def test_the_key_is_the_problem_not_the_budget_or_limits():
    scenario = tripopt.load_scenario(REINVENT)
    assert problem_key(scenario) == problem_key(scenario.with_budget(123).with_time_limit(0.5))
    fewer = dataclasses.replace(scenario, customers=scenario.customers[1:])
    assert problem_key(fewer) != problem_key(scenario)


def test_the_store_keeps_the_cost_value_frontier():
    _compare("--budgets", "0:600:150", "--time-limit", "0.2")
    plans = PlanStore(tripopt.load_scenario(REINVENT)).plans
    assert len(plans) >= 2
    assert all(a.cost < b.cost and a.value < b.value for a, b in zip(plans, plans[1:]))
