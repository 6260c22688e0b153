"""The `tripopt` command line: parse arguments, call the library, print. Nothing else."""

from __future__ import annotations

import io
import signal
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Iterator, NoReturn

import typer
from rich.console import Console

from . import report
from .check import summarize
from .errors import Problem, TripoptError
from .files import write_atomic
from .loader import inspect_scenario, load_scenario
from .model import Scenario
from .plan import Plan
from .planner import solve
from .routing import Interrupted

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Plan the customer visits around a trade show, conference or user group meeting.")
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@app.callback()
def _root() -> None:
    """Plan the customer visits around a trade show, conference or user group meeting."""


def _report(problems: list[Problem] | tuple[Problem, ...]) -> None:
    for problem in problems:
        style = "bold red" if problem.severity == "error" else "yellow"
        err.print(f"[{style}]{problem.severity}:[/{style}] {problem}", markup=True)


def _explain(exc: TripoptError) -> None:
    """The single place where a domain error becomes a message."""
    problems = getattr(exc, "problems", None)
    if problems:
        _report(problems)
    else:
        err.print(f"[bold red]error:[/bold red] {exc}")


def _fail(exc: TripoptError) -> NoReturn:
    """Inside a command: the message, then the error's exit code."""
    _explain(exc)
    raise typer.Exit(exc.exit_code)


@app.command()
def check(scenario: Path = typer.Argument(..., help="The scenario YAML file.")) -> None:
    """Validate the inputs only: print every problem found, or a short summary."""
    found = inspect_scenario(scenario)
    _report(found.problems)
    if found.errors or found.scenario is None:
        err.print(f"{len(found.errors)} error(s), {len(found.warnings)} warning(s) in {scenario}")
        raise typer.Exit(2)
    s = found.scenario
    summary = summarize(s)
    extra = summary.possible_days - summary.trip_days
    out.print(f"[bold]{s.name}[/bold]: ok")
    out.print(f"  trip days    {summary.trip_days} ({s.trip.start:%a %d %b} to {s.trip.end:%a %d %b})"
              + (f", up to {extra} extension day(s)" if extra else ""))
    out.print(f"  customers    {summary.customers}, of whom {summary.meetable} can be met during the trip"
              f" ({summary.must_visit} must-visit)")
    out.print(f"  commitments  {summary.commitments}")
    out.print(f"  value        {summary.value_total:,.0f} in all, {summary.value_meetable:,.0f} meetable")
    budget = "none" if s.budget is None else f"{s.budget:,.2f} {s.currency}"
    out.print(f"  budget       {budget}")
    if summary.ignored_columns:
        out.print(f"  ignored columns: {', '.join(summary.ignored_columns)}")


class PlanFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


def _load(path: Path, budget: float | None, time_limit: float | None) -> Scenario:
    """Load the scenario and apply command-line overrides (validated like the file)."""
    if budget is not None and budget < 0:
        raise TripoptError("--budget must be >= 0")
    if time_limit is not None and time_limit <= 0:
        raise TripoptError("--time-limit must be positive")
    scenario = load_scenario(path)
    _report(scenario.warnings)
    if budget is not None:
        scenario = scenario.with_budget(budget)
    if time_limit is not None:
        scenario = scenario.with_time_limit(time_limit)
    return scenario


@contextmanager
def _interruptible() -> Iterator[Interrupted]:
    """First Ctrl-C ends the search and keeps the best plan; a second one aborts."""
    flag = Interrupted()
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        if flag.set:
            raise KeyboardInterrupt
        flag.set = True
        err.print("\nstopping: keeping the best plan found so far (Ctrl-C again to abort)")

    signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def _solve_with_progress(scenario: Scenario) -> Plan:
    """Solve, showing elapsed time and the best value so far when stderr is a terminal."""
    with _interruptible() as flag:
        if not err.is_terminal:
            return solve(scenario, interrupted=flag)
        limit = scenario.solver.time_limit_seconds
        with err.status(f"solving (limit {limit:g}s)...") as status:
            def progress(elapsed: float, value: float) -> None:
                status.update(f"solving: {elapsed:4.1f}s of {limit:g}s, best value so far {value:,.0f}")

            return solve(scenario, progress=progress, interrupted=flag)


def _render(plan: Plan, fmt: PlanFormat, to_file: bool) -> str | None:
    """Text of the plan in the chosen format; None means: printed to the terminal already."""
    if fmt is PlanFormat.json:
        return report.to_json(plan)
    if fmt is PlanFormat.csv:
        return report.to_csv(plan)
    if fmt is PlanFormat.md:
        return report.to_markdown(plan)
    if not to_file:
        report.render_table(plan, out)
        return None
    buffer = io.StringIO()
    report.render_table(plan, Console(file=buffer, width=120, highlight=False))
    return buffer.getvalue()


def _emit(text: str | None, out_file: Path | None) -> None:
    if text is None:
        return
    if out_file is None:
        sys.stdout.write(text)
    else:
        write_atomic(out_file, text)
        err.print(f"wrote {out_file}")


@app.command()
def plan(
    scenario: Path = typer.Argument(..., help="The scenario YAML file."),
    budget: float | None = typer.Option(None, help="Override the scenario's budget."),
    time_limit: float | None = typer.Option(None, "--time-limit", help="Search time limit in seconds."),
    fmt: PlanFormat = typer.Option(PlanFormat.table, "--format", help="Output format."),
    out_file: Path | None = typer.Option(None, "--out", help="Write to FILE (atomically) instead of stdout."),
) -> None:
    """Solve the scenario and print the day-by-day itinerary."""
    try:
        loaded = _load(scenario, budget, time_limit)
        result = _solve_with_progress(loaded)
        _emit(_render(result, fmt, out_file is not None), out_file)
    except TripoptError as exc:
        _fail(exc)


def main() -> None:
    """Console-script entry point; a last guard so no traceback escapes for input errors."""
    try:
        app()
    except TripoptError as exc:  # raised outside a command's own handling
        _explain(exc)
        sys.exit(exc.exit_code)
