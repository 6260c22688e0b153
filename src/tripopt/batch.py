"""Many scenarios planned at once (`tripopt batch`, docs/cluster.md):
one per traveller of a sales organisation, say.

Each scenario is read here (its customer file, cached geocoding and all), so a worker
needs neither the files nor the network: what goes to a worker is the loaded `Scenario`
(frozen dataclasses of plain data, which pickle) and the outline of the remembered plan
it starts from; what comes back is the `Plan` (plain data too) or the reason there is
none. The OR-Tools model is built where the task runs (executors.py). A scenario that is
bad input never leaves this machine: its row says why, and the batch goes on.

Outputs: `DIR/<scenario file stem>.<format>` for each scenario planned, written
atomically as its plan arrives (a long batch keeps what it finished), and
`DIR/summary.csv`, a row per scenario in the order given, written last. Nothing is ever
deleted: a scenario not planned this time leaves any earlier file of its name as it was,
and its summary row names no output. Two scenarios with the same stem are refused before
any work, rather than one plan overwriting the other.
"""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .errors import InfeasibleError, InputError, Problem, TripoptError
from .executors import open_executor
from .files import check_distinct, check_output, write_atomic
from .limits import Interrupted
from .loader import load_scenario
from .model import Scenario
from .plan import Outline, Plan
from .report import safe_cell, to_csv, to_json, to_markdown
from .store import PlanStore, mark_recalled

RENDER: dict[str, Callable[[Plan], str]] = {"json": to_json, "md": to_markdown, "csv": to_csv}
FORMATS = tuple(RENDER)
SUMMARY = "summary.csv"
SUMMARY_COLUMNS = ("scenario", "status", "value", "visited", "cost", "seconds", "reason", "output")
OPTION = "--out-dir"  # what messages about the outputs name
MAX_PROBLEMS = 5  # listed in a bad-input row's reason; `tripopt check FILE` lists them all

FEASIBLE, INFEASIBLE, UNDECIDED = "feasible", "infeasible", "undecided"
BAD_INPUT, INTERRUPTED = "bad_input", "interrupted"


@dataclass(frozen=True)
class BatchRow:
    """One scenario's outcome: its plan and the file written, or the reason there is none."""

    scenario: str  # the file as given
    status: str  # FEASIBLE, INFEASIBLE, UNDECIDED, BAD_INPUT or INTERRUPTED
    reason: str = ""
    plan: Plan | None = None
    seconds: float | None = None  # the solve's, where it ran (loading excluded)
    output: Path | None = None  # the file written
    warnings: tuple[Problem, ...] = ()  # the scenario's own (and its plan store's)

    @property
    def value(self) -> float | None:
        return self.plan.value if self.plan is not None else None

    @property
    def visited(self) -> int | None:
        return self.plan.visited if self.plan is not None else None

    @property
    def cost(self) -> float | None:
        return self.plan.cost if self.plan is not None else None


def exit_code(rows: Sequence[BatchRow]) -> int:
    """docs/cluster.md: 2 if any scenario was bad input, else 1 if any was not planned
    (infeasible, undecided, or left out by an interrupt), else 0."""
    if any(r.status == BAD_INPUT for r in rows):
        return 2
    return 1 if any(r.status != FEASIBLE for r in rows) else 0


@dataclass(frozen=True)
class Batch:
    rows: tuple[BatchRow, ...]  # in the order the scenarios were given
    summary: Path

    @property
    def exit_code(self) -> int:
        return exit_code(self.rows)


BatchProgress = Callable[[BatchRow, int, int], None]  # (row just finished, done, scenarios in all)


def check_names(paths: Sequence[Path | str], fmt: str) -> None:
    """Before any work (InputError, exit 2): the format is known, and no two scenarios
    would write the same file (stems compared ignoring case, as some file systems do),
    nor one of them the summary."""
    if fmt not in RENDER:
        raise InputError(Problem(f"--format {fmt}", f"batch writes {', '.join(FORMATS)}"))
    if not paths:
        raise InputError(Problem("batch", "no scenario file given"))
    problems: list[Problem] = []
    seen: dict[str, Path | str] = {}
    summary_stem = Path(SUMMARY).stem
    for path in paths:
        stem = Path(path).stem
        key = stem.casefold()
        if key in seen:
            same = "is given twice" if os.path.realpath(path) == os.path.realpath(seen[key]) else \
                f"has the same file name stem as {seen[key]}"
            problems.append(Problem(str(path), f"{same}: both plans would be written to {stem}.{fmt}; "
                                    "rename one, or plan them in separate batches"))
            continue
        seen[key] = path
        if fmt == "csv" and key == summary_stem:
            problems.append(Problem(str(path), f"its plan would be written to {SUMMARY}, the batch's summary; "
                                    "rename the scenario file, or choose another --format"))
    if problems:
        raise InputError(problems)


def run_batch(paths: Sequence[Path | str], out_dir: Path | str, fmt: str = "json",
              time_limit: float | None = None, processes: int | None = None, scheduler: str | None = None,
              fresh: bool = False, progress: BatchProgress | None = None,
              interrupted: Interrupted | None = None) -> Batch:
    """Plan every scenario and write its plan and the summary into `out_dir` (created if
    missing); `time_limit` (seconds) overrides every scenario's. The plans are solved
    `processes` at a time in local processes (default: one per core), or as one task
    each on the Dask cluster whose scheduler is at `scheduler` (`tcp://host:8786`). Each
    scenario starts from its best remembered plan and its plan is remembered, as `plan`
    does (README, "Remembered plans"), unless `fresh`.

    Raises InputError (nothing planned) for a bad format, colliding names, an output
    folder or file that cannot be written, an output that would overwrite an input, or a
    scheduler that cannot be used; a scenario that is bad input only gets its row.
    """
    check_names(paths, fmt)
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise InputError(Problem(f"{OPTION} {out_dir}", "is not a folder"))
    interrupted = interrupted or Interrupted()
    with open_executor(processes, scheduler) as executor:
        _make_folder(folder, out_dir)
        rows: list[BatchRow | None] = [None] * len(paths)
        loaded: dict[int, Scenario] = {}
        done = 0
        for index, path in enumerate(paths):
            try:
                scenario = load_scenario(path)
            except TripoptError as exc:
                bad = rows[index] = BatchRow(str(path), BAD_INPUT, _problems_text(exc))
                done += 1
                if progress is not None:
                    progress(bad, done, len(paths))
                continue
            loaded[index] = scenario.with_time_limit(time_limit) if time_limit is not None else scenario
        targets = {index: folder / f"{Path(paths[index]).stem}.{fmt}" for index in loaded}
        _check_targets(paths, loaded.values(), [*targets.values(), folder / SUMMARY])
        stores = {index: None if fresh else PlanStore(scenario) for index, scenario in loaded.items()}
        warm = {index: store.best_keeping(loaded[index].budget) if store is not None else None
                for index, store in stores.items()}
        order = sorted(loaded)

        def finished(position: int, outcome: _Outcome) -> None:
            nonlocal done
            index = order[position]
            scenario, store = loaded[index], stores[index]
            row = outcome.row(str(paths[index]), scenario.warnings)
            if row.plan is not None:
                remembered = warm[index]
                plan = mark_recalled(row.plan, [remembered]) if remembered is not None else row.plan
                write_atomic(targets[index], RENDER[fmt](plan), OPTION)
                row = replace(row, plan=plan, output=targets[index])
                if store is not None:
                    store.record([(plan, "batch")])
            if store is not None:  # one that cannot be read or written: the run goes on without it
                row = replace(row, warnings=(*row.warnings, *store.warnings))
            rows[index] = row
            done += 1
            if progress is not None:
                progress(row, done, len(paths))

        jobs = [(loaded[index], _outline(warm[index])) for index in order]
        executor.map(_plan_task, jobs, interrupted, finished)
    final = tuple(row if row is not None else BatchRow(str(paths[index]), INTERRUPTED,
                                                      "not planned: the batch was interrupted before it started")
                  for index, row in enumerate(rows))
    summary = folder / SUMMARY
    write_atomic(summary, summary_csv(final), OPTION)
    return Batch(final, summary)


def summary_csv(rows: Sequence[BatchRow]) -> str:
    """The summary: a row per scenario (SUMMARY_COLUMNS), spreadsheet-safe cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for r in rows:
        cells: list[Any] = [r.scenario, r.status, _rounded(r.value), r.visited, _rounded(r.cost),
                            _rounded(r.seconds), r.reason, "" if r.output is None else str(r.output)]
        writer.writerow(["" if c is None else safe_cell(c) for c in cells])
    return buffer.getvalue()


# -- the task, wherever it runs -------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    """What a task sends back: the plan, or the status and reason there is none."""

    plan: Plan | None
    status: str
    reason: str
    seconds: float

    def row(self, scenario: str, warnings: tuple[Problem, ...]) -> BatchRow:
        return BatchRow(scenario, self.status, self.reason, self.plan, self.seconds, None, warnings)


def _plan_task(job: tuple[Scenario, Outline | None], interrupted: Interrupted) -> _Outcome:
    """One scenario's plan, built and solved where the task runs."""
    from .planner import solve  # the solver's modules: only where a plan is searched

    scenario, warm = job
    started = time.monotonic()
    try:
        plan = solve(scenario, interrupted=interrupted, warm_start=warm)
    except InfeasibleError as exc:
        return _Outcome(None, exc.status, exc.reason, time.monotonic() - started)
    except InputError as exc:
        return _Outcome(None, BAD_INPUT, _problems_text(exc), time.monotonic() - started)
    return _Outcome(plan, FEASIBLE, "", time.monotonic() - started)


# -- helpers --------------------------------------------------------------------------


def _outline(remembered: Any) -> Outline | None:
    return remembered.outline if remembered is not None else None


def _problems_text(exc: TripoptError) -> str:
    problems = [p for p in getattr(exc, "problems", []) if p.severity == "error"]
    if not problems:
        return str(exc)
    text = "; ".join(str(p) for p in problems[:MAX_PROBLEMS])
    more = len(problems) - MAX_PROBLEMS
    return text + (f"; and {more} more (tripopt check lists them all)" if more > 0 else "")


def _rounded(number: float | None) -> float | int | None:
    """Cents (or hundredths of a second); a whole number without its ".0"."""
    if number is None:
        return None
    rounded = round(number, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def _make_folder(folder: Path, given: Path | str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(Problem(f"{OPTION} {given}", f"cannot be created ({exc.strerror or exc})")) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(Problem(f"{OPTION} {given}", "is not writable"))


def _check_targets(paths: Sequence[Path | str], scenarios: Iterable[Scenario], targets: Sequence[Path]) -> None:
    """Every output decided (files.check_output: not a folder, not read-only, not one of
    the batch's inputs, a scenario or customer file, by whatever name or link) before any
    work, and no two of them the same file."""
    protected = [("scenario file", Path(p)) for p in paths]
    protected += [(f"customer file of {s.source or s.name}", s.customer_file) for s in scenarios
                  if s.customer_file is not None]
    check_distinct([check_output(target, OPTION, protected) for target in targets])
