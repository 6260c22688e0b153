"""The `tripopt` command line: parse arguments, call the library, print. Nothing else."""

from __future__ import annotations

import io
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from types import FrameType
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from . import report
from .check import far_customers, summarize
from .comparison import BudgetRow, Comparison, Progress, parse_budgets
from .errors import InputError, Problem, TripoptError
from .files import check_writable, write_atomic
from .limits import Interrupted
from .loader import inspect_scenario, load_scenario
from .model import Scenario
from .plan import Outline, Plan
from .plot import comparison_png, require_matplotlib
from .store import PlanStore, mark_recalled

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Plan the customer visits around a trade show, conference or user group meeting.")
# Output never parses Rich markup: customer names and notes are data ("[EU] Acme" stays as is).
out = Console(highlight=False, markup=False, soft_wrap=True, width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@app.callback()
def _root() -> None:
    """Plan the customer visits around a trade show, conference or user group meeting."""


def _report(problems: list[Problem] | tuple[Problem, ...]) -> None:
    for problem in problems:
        style = "bold red" if problem.severity == "error" else "yellow"
        err.print(f"[{style}]{problem.severity}:[/{style}] {escape(str(problem))}", markup=True)


def _explain(exc: TripoptError) -> None:
    """The single place where a domain error becomes a message."""
    problems = getattr(exc, "problems", None)
    if problems:
        _report(problems)
    else:
        err.print(f"[bold red]error:[/bold red] {escape(str(exc))}")


def _fail(exc: TripoptError) -> NoReturn:
    """Inside a command: the message, then the error's exit code."""
    _explain(exc)
    raise typer.Exit(exc.exit_code)


@app.command()
def check(scenario: Path = typer.Argument(..., help="The scenario YAML file.")) -> None:
    """Validate the inputs: print every problem found, or a short summary. A scenario that
    is proven infeasible (commitments, must-visits, budget) exits 1 with the reason."""
    found = inspect_scenario(scenario)
    _report(found.problems)
    if found.errors or found.scenario is None:
        err.print(f"{len(found.errors)} error(s), {len(found.warnings)} warning(s) in {escape(str(scenario))}")
        raise typer.Exit(2)
    s = found.scenario
    _report(far_customers(s))
    from .planner import proven_infeasibility  # the solver's modules: only once the input is valid

    infeasible = proven_infeasibility(s)
    if infeasible:
        err.print(f"[bold red]infeasible:[/bold red] {escape(infeasible)}")
        raise typer.Exit(1)
    summary = summarize(s)
    extra = summary.possible_days - summary.trip_days
    out.print(f"{s.name}: ok", style="bold")
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
    xlsx = "xlsx"


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

    def handler(signum: int, frame: FrameType | None) -> None:
        if flag.set:
            raise KeyboardInterrupt
        flag.set = True
        err.print("\nstopping: keeping the best plan found so far (Ctrl-C again to abort)")

    signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def _store(scenario: Scenario, fresh: bool) -> PlanStore | None:
    """The plans earlier runs found for this scenario, unless --fresh."""
    return None if fresh else PlanStore(scenario)


def _remember(store: PlanStore | None, plans: list[Plan], command: str) -> None:
    if store is not None:
        store.record((p, command) for p in plans)
        _report(store.warnings)


def _solve_with_progress(scenario: Scenario, warm: Outline | None) -> Plan:
    """Solve, showing elapsed time and the best value so far when stderr is a terminal."""
    from .planner import solve  # the solver's modules: only once the input is valid

    with _interruptible() as flag:
        if not err.is_terminal:
            return solve(scenario, interrupted=flag, warm_start=warm)
        limit = scenario.solver.time_limit_seconds
        with err.status(f"solving (limit {limit:g}s)...") as status:
            def progress(elapsed: float, value: float) -> None:
                status.update(f"solving: {elapsed:4.1f}s of {limit:g}s, best value so far {value:,.0f}")

            return solve(scenario, progress=progress, interrupted=flag, warm_start=warm)


def _render(plan: Plan, fmt: PlanFormat, to_file: bool) -> str | bytes | None:
    """The plan in the chosen format; None means: printed to the terminal already."""
    if fmt is PlanFormat.xlsx:
        return report.to_xlsx(plan)
    if fmt is PlanFormat.json:
        return report.to_json(plan)
    if fmt is PlanFormat.csv:
        return report.to_csv(plan)
    if fmt is PlanFormat.md:
        return report.to_markdown(plan)
    return _table(lambda console: report.render_table(plan, console), to_file, width=120)


def _table(draw: Callable[[Console], None], to_file: bool, width: int) -> str | None:
    """Draw to the terminal (None: printed already), or capture the same text for --out."""
    if not to_file:
        draw(out)
        return None
    buffer = io.StringIO()
    draw(Console(file=buffer, width=width, highlight=False, markup=False))
    return buffer.getvalue()


def _emit(text: str | bytes | None, out_file: Path | None) -> None:
    if text is None:
        return
    if out_file is None:
        if isinstance(text, bytes):
            raise AssertionError("binary output (a workbook, a calendar) goes to a file, never to stdout")
        sys.stdout.write(text)
    else:
        write_atomic(out_file, text)
        err.print(f"wrote {escape(str(out_file))}")


@app.command()
def plan(
    scenario: Path = typer.Argument(..., help="The scenario YAML file."),
    budget: float | None = typer.Option(None, help="Override the scenario's budget."),
    time_limit: float | None = typer.Option(None, "--time-limit", help="Search time limit in seconds."),
    fmt: PlanFormat = typer.Option(PlanFormat.table, "--format", help="Output format."),
    out_file: Path | None = typer.Option(None, "--out", help="Write to FILE (atomically) instead of stdout."),
    ics_file: Path | None = typer.Option(None, "--ics", help="Also write the plan as a calendar (.ics)."),
    travel_blocks: bool = typer.Option(False, "--ics-travel",
                                       help="--ics: add a 'Drive to ...' event before each stop."),
    map_file: Path | None = typer.Option(None, "--map", help="Also write an interactive map (.html, works offline)."),
    fresh: bool = typer.Option(False, "--fresh", help="Neither start from nor remember plans of earlier runs."),
) -> None:
    """Solve the scenario and print the day-by-day itinerary."""
    try:
        if fmt is PlanFormat.xlsx and out_file is None:
            raise InputError(Problem("--format xlsx", "a workbook needs --out FILE.xlsx"))
        for target in (out_file, ics_file, map_file):
            if target is not None:
                check_writable(target)
        loaded = _load(scenario, budget, time_limit)
        store = _store(loaded, fresh)
        warm = store.best_keeping(loaded.budget) if store is not None else None
        result = _solve_with_progress(loaded, warm.outline if warm is not None else None)
        if warm is not None:
            result = mark_recalled(result, [warm])
        _remember(store, [result], "plan")
        _emit(_render(result, fmt, out_file is not None), out_file)
        if ics_file is not None:
            from .ics import plan_calendar  # imported on demand: it costs start-up time otherwise

            _emit(plan_calendar(result, travel_blocks), ics_file)
        if map_file is not None:
            from .webmap import plan_map_html  # folium is slow to import (benchmarks/README.md)

            _emit(plan_map_html(result, loaded.places.values()), map_file)
    except TripoptError as exc:
        _fail(exc)


class CompareFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def _sweep_with_progress(run: Callable[[Progress | None, Interrupted], Comparison]) -> Comparison:
    """Run a budget sweep, showing budgets done and the latest result on a terminal."""
    with _interruptible() as flag:
        if not err.is_terminal:
            return run(None, flag)
        with err.status("comparing budgets...") as status:
            def progress(row: BudgetRow, done: int, known: int) -> None:
                what = f"value {row.value:,.0f}" if row.plan is not None else row.status
                status.update(f"comparing budgets: {done} of {known} done; {row.budget:,.2f}: {what}")

            return run(progress, flag)


@app.command()
def compare(
    scenario: Path = typer.Argument(..., help="The scenario YAML file."),
    budget: list[float] = typer.Option([], "--budget", help="A budget to solve under (repeatable)."),
    budgets: list[str] = typer.Option([], "--budgets", help="A range FROM:TO:STEP, TO included (repeatable)."),
    auto: bool = typer.Option(False, "--auto", help="Find the budgets where the value changes."),
    floor: float = typer.Option(0.0, "--floor", help="--auto: the smallest budget to look at."),
    ceiling: float | None = typer.Option(None, "--ceiling",
                                         help="--auto: the largest (default: the cost of the unlimited plan)."),
    points: int = typer.Option(6, "--points", min=2, help="--auto: budgets in the first grid."),
    resolution: float | None = typer.Option(None, "--resolution",
                                            help="--auto: probe gaps wider than this (default 2% of the range)."),
    time_limit: float | None = typer.Option(None, "--time-limit", help="Search time limit per budget, seconds."),
    processes: int | None = typer.Option(None, "--processes", "-j", min=1,
                                         help="Parallel processes (default: one per core)."),
    fmt: CompareFormat = typer.Option(CompareFormat.table, "--format", help="Output format."),
    out_file: Path | None = typer.Option(None, "--out", help="Write to FILE (atomically) instead of stdout."),
    plot_file: Path | None = typer.Option(None, "--plot", help="Also draw value against budget to FILE.png."),
    fresh: bool = typer.Option(False, "--fresh", help="Neither start from nor remember plans of earlier runs."),
) -> None:
    """Solve the scenario under each budget and print them side by side."""
    try:
        if plot_file is not None:
            require_matplotlib()
            check_writable(plot_file)
        if out_file is not None:
            check_writable(out_file)
        if auto and (budget or budgets):
            raise InputError(Problem("--auto", "give either --auto or budgets, not both"))
        if floor < 0 or (resolution is not None and resolution <= 0):
            raise InputError(Problem("--floor/--resolution", "--floor must be >= 0 and --resolution > 0"))
        if ceiling is not None and ceiling < floor:
            raise InputError(Problem("--ceiling", f"{ceiling:g} is below --floor {floor:g}"))
        chosen = None if auto else parse_budgets(budget, budgets)
        loaded = _load(scenario, None, time_limit)
        from . import compare as sweep  # the solver's modules: only once the input is valid

        store = _store(loaded, fresh)
        remembered = store.plans if store is not None else []
        if chosen is None:  # --auto
            result = _sweep_with_progress(lambda progress, flag: sweep.auto_compare(
                loaded, floor, ceiling, points, resolution, processes, progress, flag, remembered))
        else:
            result = _sweep_with_progress(lambda progress, flag: sweep.compare(
                loaded, chosen, processes, progress, flag, remembered))
        _remember(store, [row.plan for row in result.rows if row.plan is not None], "compare")
        text: str | None
        if fmt is CompareFormat.json:
            text = report.comparison_to_json(result)
        elif fmt is CompareFormat.csv:
            text = report.comparison_to_csv(result)
        else:
            text = _table(lambda console: report.render_comparison(result, console, only_breakpoints=auto),
                          out_file is not None, width=140)
        _emit(text, out_file)
        if result.unsolved and text is not None:
            err.print(f"not solved (interrupted): {', '.join(f'{b:,.2f}' for b in result.unsolved)}")
        if plot_file is not None:
            write_atomic(plot_file, comparison_png(result))
            err.print(f"wrote {escape(str(plot_file))}")
    except TripoptError as exc:
        _fail(exc)


def main() -> None:
    """Console-script entry point; a last guard so no traceback escapes for input errors."""
    try:
        app()
    except TripoptError as exc:  # raised outside a command's own handling
        _explain(exc)
        sys.exit(exc.exit_code)
