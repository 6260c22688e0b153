"""The `tripopt` command line: parse arguments, call the library, print. Nothing else."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from .check import summarize
from .errors import Problem, TripoptError
from .loader import inspect_scenario

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Plan the customer visits around a trade show, conference or user group meeting.")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@app.callback()
def _root() -> None:
    """Plan the customer visits around a trade show, conference or user group meeting."""


def _report(problems: list[Problem] | tuple[Problem, ...]) -> None:
    for problem in problems:
        style = "bold red" if problem.severity == "error" else "yellow"
        err.print(f"[{style}]{problem.severity}:[/{style}] {problem}", markup=True)


def _fail(exc: TripoptError) -> NoReturn:
    """The single place where domain errors become messages and exit codes."""
    problems = getattr(exc, "problems", None)
    if problems:
        _report(problems)
    else:
        err.print(f"[bold red]error:[/bold red] {exc}")
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


def main() -> None:
    """Console-script entry point; a last guard so no traceback escapes for input errors."""
    try:
        app()
    except TripoptError as exc:  # raised outside a command's own handling
        _report(getattr(exc, "problems", [])) if getattr(exc, "problems", None) else err.print(str(exc))
        sys.exit(exc.exit_code)
