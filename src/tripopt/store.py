"""Remembered plans: the best plans earlier runs found for a scenario, so that every
command answers a question with at least what any earlier run showed.

`plan --budget 500` after a `compare` that listed 772,500 at a cost of 475.23 must not
answer 765,000: the search is a heuristic, and a search under a smaller budget can find
what one under a larger budget misses. So `plan` and `compare` record their plans here,
and start from the best remembered plan that a budget can pay for; the planner never
returns worse than its warm start, and re-checks it against the scenario first.

A store file belongs to one problem: its key hashes the scenario without its budget and
search settings (a plan found with a longer time limit is as valid with a shorter one).
Only the cost-value frontier is kept (a plan that costs more and is worth no more than
another keeps no budget the other does not), so a file stays small. A store that cannot
be read or written is reported as a warning and the run goes on without it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from .errors import Problem
from .model import Scenario, SolverSettings
from .plan import Outline, Plan

FORMAT = "tripopt.plans/2"  # /2: days by traveller and date
MAX_PLANS = 200  # frontier points kept per scenario; a sweep rarely has more breakpoints
MAX_FILE_BYTES = 20_000_000  # a larger store file is not read (it was not written by tripopt)


@dataclass(frozen=True)
class Remembered:
    """A plan an earlier run found: enough to re-check it and to rank it without doing so."""

    value: float
    cost: float
    outline: Outline
    found_by: str  # "plan" or "compare"
    budget: float | None  # the budget it was found under

    def rank(self) -> tuple[float, float]:
        return (-self.value, self.cost)


def store_dir() -> Path:
    """`TRIPOPT_CACHE_DIR`, else the XDG cache directory (`~/.cache/tripopt`)."""
    if os.environ.get("TRIPOPT_CACHE_DIR"):
        return Path(os.environ["TRIPOPT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tripopt"


def problem_key(scenario: Scenario) -> str:
    """What identifies the problem a plan solves: the scenario without budget, search
    settings, file path and warnings (the version too: a new release re-plans)."""
    problem = replace(scenario, budget=None, solver=SolverSettings(), source=None, warnings=())
    version = importlib.metadata.version("tripopt")
    return hashlib.sha256(f"{FORMAT}|{version}|{problem!r}".encode()).hexdigest()


class PlanStore:
    """The remembered plans of one scenario, in `store_dir()/plans/<key>.json`."""

    def __init__(self, scenario: Scenario, directory: Path | None = None) -> None:
        self.key = problem_key(scenario)
        self.name = scenario.name
        self.path = (directory or store_dir()) / "plans" / f"{self.key[:32]}.json"
        self.warnings: list[Problem] = []
        self.plans: list[Remembered] = self._read()

    def best_keeping(self, budget: float | None) -> Remembered | None:
        """The most valuable remembered plan (the cheapest at that value) within the budget."""
        keeping = [r for r in self.plans if budget is None or r.cost <= budget + 1e-9]
        return min(keeping, key=Remembered.rank, default=None)

    def record(self, plans: Iterable[tuple[Plan, str]]) -> None:
        """Add (plan, command) pairs, keep the frontier, and write the file atomically."""
        added = [Remembered(p.value, p.cost, p.outline, found_by, p.budget) for p, found_by in plans]
        merged = _frontier([*self._read(), *self.plans, *added])  # another run may have written meanwhile
        if merged == self.plans and self.path.exists():
            return
        self.plans = merged
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.path.parent, suffix=".tmp", delete=False,
                                             encoding="utf-8") as out:
                json.dump(self._document(), out, indent=1)
            os.replace(out.name, self.path)
        except OSError as exc:
            self._warn(f"could not remember this run's plans: {exc}")

    def _document(self) -> dict:
        return {"format": FORMAT, "key": self.key, "scenario": self.name,
                "plans": [_entry_json(r) for r in self.plans]}

    def _read(self) -> list[Remembered]:
        """The file's plans; none (with a warning) if it is unreadable or not ours."""
        try:
            if not self.path.exists():
                return []
            if self.path.stat().st_size > MAX_FILE_BYTES:
                raise ValueError(f"larger than {MAX_FILE_BYTES:,} bytes")
            document = json.loads(self.path.read_text(encoding="utf-8"))
            if document.get("format") != FORMAT or document.get("key") != self.key:
                raise ValueError("not a tripopt plan store for this scenario")
            return _frontier(_entry(e) for e in document["plans"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            self._warn(f"ignored (it will be rewritten): {exc}")
            return []

    def _warn(self, text: str) -> None:
        problem = Problem(str(self.path), text)
        if problem not in self.warnings:  # the file is read again before each write
            self.warnings.append(problem)


def mark_recalled(plan: Plan, remembered: Iterable[Remembered]) -> Plan:
    """The plan flagged `recalled` when it is a remembered one, not a new find."""
    return replace(plan, recalled=True) if any(r.outline == plan.outline for r in remembered) else plan


def _frontier(plans: Iterable[Remembered]) -> list[Remembered]:
    """The plans no other beats in both cost and value (the first found of equals), cheapest first."""
    kept: list[Remembered] = []
    for r in sorted(plans, key=lambda r: (r.cost, -r.value)):
        if not kept or r.value > kept[-1].value + 1e-9:
            kept.append(r)
    return kept[-MAX_PLANS:]


def _entry_json(r: Remembered) -> dict:
    return {"value": r.value, "cost": r.cost, "found_by": r.found_by, "budget": r.budget,
            "extension_before": r.outline.extension_before, "extension_after": r.outline.extension_after,
            "days": [{"traveller": who, "day": d.isoformat(), "stops": [list(stop) for stop in stops]}
                     for (who, d), stops in r.outline.days]}


def _entry(e: dict) -> Remembered:
    outline = Outline(int(e["extension_before"]), int(e["extension_after"]),
                      tuple(((str(d["traveller"]), date.fromisoformat(d["day"])),
                             tuple((str(k), str(n)) for k, n in d["stops"])) for d in e["days"]))
    budget = e["budget"]
    return Remembered(float(e["value"]), float(e["cost"]), outline, str(e["found_by"]),
                      None if budget is None else float(budget))
