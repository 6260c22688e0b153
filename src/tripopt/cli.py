"""The `tripopt` command line: parse arguments, call the library, print. Nothing else.

Every number on the command line is checked (finite, in its range) and every output file
(files.check_output) before anything runs; outputs are rendered in memory
and written together at the end (files.write_outputs). Text from the data is printed
without Rich markup or emoji codes and with control characters escaped
(report.printable). Ctrl-C at any moment ends with exit 130 and one line
(docs/output-safety.md).
"""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType


def _interrupted_while_starting(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C while the modules below load: one line and exit 130, no traceback."""
    sys.stderr.write("interrupted (Ctrl-C) while starting\n")
    raise SystemExit(130)


_BEFORE_IMPORTS = (signal.signal(signal.SIGINT, _interrupted_while_starting)
                   if threading.current_thread() is threading.main_thread() else None)

import io  # noqa: E402  (the imports take a few tenths of a second: Ctrl-C is handled above)
import math  # noqa: E402
import os  # noqa: E402
from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, replace  # noqa: E402
from datetime import datetime  # noqa: E402
from enum import Enum  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import NoReturn  # noqa: E402

import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.text import Text  # noqa: E402

from . import report  # noqa: E402
from .batch import BAD_INPUT, FEASIBLE, BatchRow, check_names, run_batch  # noqa: E402
from .check import far_customers, summarize  # noqa: E402
from .comparison import MAX_BUDGET, BudgetRow, Comparison, Progress, parse_budgets  # noqa: E402
from .errors import InputError, Problem, TripoptError  # noqa: E402
from .files import (  # noqa: E402
    Target,
    Terminated,
    check_distinct,
    check_folder_output,
    check_output,
    make_folder,
    short,
    write_outputs,
)
from .limits import Interrupted  # noqa: E402
from .loader import inspect_scenario, load_scenario  # noqa: E402
from .model import Scenario  # noqa: E402
from .plan import Booking, Outline, Plan  # noqa: E402
from .plot import comparison_png, require_matplotlib  # noqa: E402
from .report import printable  # noqa: E402
from .store import PlanStore, mark_recalled  # noqa: E402

if _BEFORE_IMPORTS is not None:  # importing this module leaves SIGINT as it found it; main() sets its own
    signal.signal(signal.SIGINT, _BEFORE_IMPORTS)

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Plan the customer visits around a trade show, conference or user group meeting.")
# Output never parses Rich markup or emoji codes: customer names and notes are data ("[EU] Acme"
# and ":fire:" stay as they are), and so are messages, which quote the data.
out = Console(highlight=False, markup=False, emoji=False, soft_wrap=True,
              width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True)

MAX_TIME_LIMIT = 86_400  # seconds: --time-limit, one day
MAX_POINTS = 50  # --points
MIN_RESOLUTION = 0.01  # --resolution: a cent


class _Interrupt(BaseException):
    """Ctrl-C outside a search (or the second one during it): the run ends, exit 130."""


def _say(text: str, prefix: str = "", style: str = "") -> None:
    """A message on stderr: our prefix in its style, the rest (which may quote data) with
    control characters escaped, on one line, never read as markup."""
    line = Text(f"{prefix} " if prefix else "")
    if prefix:
        line.stylize(style, 0, len(prefix))
    line.append(printable(text))
    err.print(line)


def _float(text: str | float) -> float:
    """typer's parser for a number option: any float text (the range is checked by
    `_check_ranges`); the message for a non-number quotes it shortened."""
    try:
        return float(text)
    except (TypeError, ValueError):
        raise typer.BadParameter(f"{_shown(text)} is not a number") from None


def _int(text: str | float) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise typer.BadParameter(f"{_shown(text)} is not a whole number") from None


def _shown(text: object) -> str:
    """The user's value in a message: shortened, control characters escaped, quoted."""
    return f"'{printable(short(text))}'"


def _figure(value: float) -> str:
    """A number for a message, short whatever it is (1e+300, not 301 digits)."""
    return f"{value:,.0f}" if abs(value) < 1e15 and value == int(value) else f"{value:g}"


@dataclass(frozen=True)
class _Range:
    """A command-line number's documented range (docs/output-safety.md)."""

    option: str
    value: float | None  # None: not given
    low: float
    high: float
    above_low: bool = False  # low itself excluded
    what: str = "a finite number"


def _check_ranges(ranges: Sequence[_Range]) -> None:
    """Every number from the command line finite and in its range, all checked before
    anything runs: exit 2 naming each option, its value and the range."""
    problems = []
    for r in ranges:
        value = r.value
        if value is None or (math.isfinite(value) and (r.low < value if r.above_low else r.low <= value)
                             and value <= r.high):
            continue
        rule = f"> {_figure(r.low)}" if r.above_low else f">= {_figure(r.low)}"
        problems.append(Problem(f"{r.option} {_figure(value)}",
                                f"{r.option} must be {rule} and <= {_figure(r.high)} ({r.what})"))
    if problems:
        raise InputError(problems)


def _time_limit(seconds: float | None) -> _Range:
    return _Range("--time-limit", seconds, 0, MAX_TIME_LIMIT, above_low=True, what="seconds, at most a day")


def _report(problems: list[Problem] | tuple[Problem, ...]) -> None:
    for problem in problems:
        style = "bold red" if problem.severity == "error" else "yellow"
        _say(str(problem), f"{problem.severity}:", style)


def _explain(exc: TripoptError) -> None:
    """The single place where a domain error becomes a message."""
    problems = getattr(exc, "problems", None)
    if problems:
        _report(problems)
    else:
        _say(str(exc), "error:", "bold red")


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
        _say(f"{len(found.errors)} error(s), {len(found.warnings)} warning(s) in {scenario}")
        raise typer.Exit(2)
    s = found.scenario
    _report(far_customers(s))
    from .planner import proven_infeasibility  # the solver's modules: only once the input is valid

    infeasible = proven_infeasibility(s)
    if infeasible:
        _say(infeasible, "infeasible:", "bold red")
        raise typer.Exit(1)
    summary = summarize(s)
    extra = summary.possible_days - summary.trip_days
    out.print(Text(f"{printable(s.name)}: ok", style="bold"))
    out.print(f"  trip days    {summary.trip_days} ({s.trip.start:%a %d %b} to {s.trip.end:%a %d %b})"
              + (f", up to {extra} extension day(s)" if extra else ""))
    out.print(f"  customers    {summary.customers}, of whom {summary.meetable} can be met during the trip"
              f" ({summary.must_visit} must-visit)")
    out.print(f"  commitments  {summary.commitments}")
    out.print(f"  value        {summary.value_total:,.0f} in all, {summary.value_meetable:,.0f} meetable")
    budget = "none" if s.budget is None else f"{s.budget:,.2f} {printable(s.currency)}"
    out.print(f"  budget       {budget}")
    if summary.ignored_columns:
        out.print(Text(printable(f"  ignored columns: {', '.join(summary.ignored_columns)}")))


class PlanFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"
    xlsx = "xlsx"


def _load(path: Path, budget: float | None, time_limit: float | None) -> Scenario:
    """Load the scenario and apply command-line overrides (their ranges checked already)."""
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
            raise _Interrupt
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


def _render(plan: Plan, fmt: PlanFormat, target: Target) -> str | bytes:
    """The plan in the chosen format."""
    if fmt is PlanFormat.xlsx:
        return report.to_xlsx(plan)
    if fmt is PlanFormat.json:
        return report.to_json(plan)
    if fmt is PlanFormat.csv:
        return report.to_csv(plan)
    if fmt is PlanFormat.md:
        return report.to_markdown(plan)
    return _table(lambda console: report.render_table(plan, console), target, width=120)


def _table(draw: Callable[[Console], None], target: Target, width: int) -> str:
    """The table as standard output shows it (the terminal's width and colours), or as
    plain text `width` wide for a file."""
    if target.kind == "stdout":
        with out.capture() as captured:
            draw(out)
        return captured.get()
    buffer = io.StringIO()
    draw(Console(file=buffer, width=width, highlight=False, markup=False, emoji=False))
    return buffer.getvalue()


def _targets(wanted: Sequence[tuple[str, Path | str | None, bool]], scenario: Path,
             loaded: Scenario | None = None) -> dict[str, Target]:
    """Every output of the run (option, path, binary), checked, by option: before the
    scenario is read (it may not be overwritten), and again once it is (nor its customer
    file)."""
    protected = _protected(scenario, loaded)
    targets = {option: check_output(path, option, protected, binary)
               for option, path, binary in wanted if path is not None}
    check_distinct(list(targets.values()))
    return targets


def _protected(scenario: Path, loaded: Scenario | None) -> list[tuple[str, Path]]:
    """The run's input files, which no output may be."""
    protected = [("scenario file", scenario)]
    if loaded is not None and loaded.customer_file is not None:
        protected.append((f"customer file of {short(scenario)}", loaded.customer_file))
    return protected


def _calendar_targets(targets: dict[str, Target], scenario: Path, loaded: Scenario) -> list[tuple[str | None, Target]]:
    """Where --ics goes, as (traveller, target): its one file; or for a team, one file per
    traveller (FILE with -NAME before the suffix, ics.calendar_paths), each checked like
    any output and distinct from the others, all before the search. Standard output, a
    device or a FIFO takes one calendar of everyone's events (traveller None)."""
    target = targets.get("--ics")
    if target is None:
        return []
    if not loaded.travellers or target.kind != "file":
        return [(None, target)]
    from .ics import calendar_paths  # imported on demand, as for writing the calendar

    protected = _protected(scenario, loaded)
    own = [(name, check_output(path, "--ics", protected))
           for name, path in calendar_paths(Path(target.given), [t.name for t in loaded.travellers])]
    check_distinct([t for option, t in targets.items() if option != "--ics"] + [t for _, t in own])
    return [(name, t) for name, t in own]


def _write(outputs: Sequence[tuple[Target, str | bytes]]) -> None:
    """Write the run's outputs together (files.write_outputs), then say which (the
    meeting requests of --invites in one line: `_write_with_invites`)."""
    write_outputs(outputs)
    for target, _ in outputs:
        if target.kind != "stdout" and target.option != "--invites":
            _say(f"wrote {target.given}")


def _invites_folder(path: Path | None) -> Path | None:
    """--invites DIR checked before the scenario is read: a folder, or nothing yet."""
    return check_folder_output(path, "--invites") if path is not None else None


def _check_organizers(folder: Path | None, loaded: Scenario) -> None:
    """With --invites, every traveller has an organizer for their requests, before the search."""
    if folder is not None:
        from .invites import check_organizers  # icalendar: imported on demand

        check_organizers(loaded)


def _write_with_invites(outputs: list[tuple[Target, str | bytes]], folder: Path | None, result: Plan,
                        loaded: Scenario, scenario: Path, sent: Sequence[Booking] = (),
                        withdrawn: Sequence[Booking] = ()) -> None:
    """The run's outputs and the meeting requests to send (invites.meeting_requests: after
    a re-plan only what changed), each request's file in DIR checked like any output and
    written with the others; the folder is made when there is something to put in it."""
    if folder is None:
        _write(outputs)
        return
    from .invites import REQUEST, meeting_requests

    letters = meeting_requests(result, loaded, sent, withdrawn)
    if letters:
        make_folder(folder, "--invites")
    protected = _protected(scenario, loaded)
    mail: list[tuple[Target, str | bytes]] = [(check_output(folder / letter.file_name, "--invites", protected),
                                                letter.data) for letter in letters]
    check_distinct([target for target, _ in outputs + mail])
    _write(outputs + mail)
    requests = sum(letter.method == REQUEST for letter in letters)
    counts = [f"{n} {what}{'s' if n > 1 else ''}" for n, what in
              ((requests, "meeting request"), (len(letters) - requests, "cancellation")) if n]
    if letters:
        _say(f"wrote {' and '.join(counts)} to {folder}")
    else:
        why = "nothing booked changed" if result.changes is not None else "the plan has no visit or event"
        _say(f"--invites {folder}: no meeting request to send ({why})")


@app.command()
def plan(
    scenario: Path = typer.Argument(..., help="The scenario YAML file."),
    budget: float | None = typer.Option(None, help="Override the scenario's budget (0 to 1e9).",
                                        parser=_float, metavar="FLOAT"),
    time_limit: float | None = typer.Option(None, "--time-limit", help="Search time limit in seconds (at most 86400).",
                                            parser=_float, metavar="FLOAT"),
    fmt: PlanFormat = typer.Option(PlanFormat.table, "--format", help="Output format."),
    out_file: Path | None = typer.Option(None, "--out", help="Write to FILE (atomically) instead of stdout ('-')."),
    ics_file: Path | None = typer.Option(None, "--ics", help="Also write the plan as a calendar (.ics); a team's "
                                         "as one per traveller, FILE with -NAME before the suffix."),
    travel_blocks: bool = typer.Option(False, "--ics-travel",
                                       help="--ics: add a 'Drive to ...' event before each stop."),
    map_file: Path | None = typer.Option(None, "--map", help="Also write an interactive map (.html, works offline)."),
    invites_dir: Path | None = typer.Option(None, "--invites", metavar="DIR", help="Also write a meeting request "
                                            "(.ics) per visit and attended event into DIR, to send from a mail "
                                            "client (needs `organizer:`)."),
    fresh: bool = typer.Option(False, "--fresh", help="Neither start from nor remember plans of earlier runs."),
) -> None:
    """Solve the scenario and print the day-by-day itinerary."""
    try:
        _check_ranges([_Range("--budget", budget, 0, MAX_BUDGET), _time_limit(time_limit)])
        wanted = _plan_outputs(fmt, out_file, ics_file, map_file, scenario)
        folder = _invites_folder(invites_dir)
        loaded = _load(scenario, budget, time_limit)
        targets = _targets(wanted, scenario, loaded)
        calendars = _calendar_targets(targets, scenario, loaded)
        _check_organizers(folder, loaded)
        store = _store(loaded, fresh)
        warm = store.best_keeping(loaded.budget) if store is not None else None
        result = _solve_with_progress(loaded, warm.outline if warm is not None else None)
        if warm is not None:
            result = mark_recalled(result, [warm])
        _remember(store, [result], "plan")
        outputs = _outputs(result, loaded, fmt, targets, calendars, travel_blocks)
        _write_with_invites(outputs, folder, result, loaded, scenario)
    except TripoptError as exc:
        _fail(exc)


def _plan_outputs(fmt: PlanFormat, out_file: Path | None, ics_file: Path | None, map_file: Path | None,
                  scenario: Path) -> list[tuple[str, Path | str | None, bool]]:
    """A plan's outputs as asked for, checked before the scenario is read (plan, replan)."""
    if fmt is PlanFormat.xlsx and out_file is None:
        raise InputError(Problem("--format xlsx", "a workbook needs --out FILE.xlsx"))
    wanted = [("--out", out_file if out_file is not None else "-", fmt is PlanFormat.xlsx),
              ("--ics", ics_file, False), ("--map", map_file, False)]
    _targets(wanted, scenario)
    return wanted


def _outputs(result: Plan, loaded: Scenario, fmt: PlanFormat, targets: dict[str, Target],
             calendars: list[tuple[str | None, Target]], travel_blocks: bool) -> list[tuple[Target, str | bytes]]:
    """Every output of a plan, rendered (written together by `_write`)."""
    outputs: list[tuple[Target, str | bytes]] = [(targets["--out"], _render(result, fmt, targets["--out"]))]
    if calendars:
        from .ics import plan_calendar  # imported on demand: it costs start-up time otherwise

        outputs += [(target, plan_calendar(result, travel_blocks, traveller=traveller))
                    for traveller, target in calendars]
    if "--map" in targets:
        from .webmap import plan_map_html  # folium is slow to import (benchmarks/README.md)

        outputs.append((targets["--map"], plan_map_html(result, loaded.places.values())))
    return outputs


@app.command()
def replan(
    scenario: Path = typer.Argument(..., help="The scenario YAML file (read again: new customers are candidates)."),
    plan_file: Path = typer.Option(..., "--plan", help="The plan being followed (its JSON)."),
    now: str = typer.Option(..., "--now", help="The local date and time now, e.g. 2026-12-02T13:10 (an offset "
                            "is accepted)."),
    cancel: list[str] = typer.Option([], "--cancel", help="A future visit the customer cancelled (repeatable)."),
    free: bool = typer.Option(False, "--free", help="Booked visits may move or be dropped (never for less value)."),
    time_limit: float | None = typer.Option(None, "--time-limit", help="Search time limit in seconds (at most "
                                            "86400).", parser=_float, metavar="FLOAT"),
    fmt: PlanFormat = typer.Option(PlanFormat.table, "--format", help="Output format."),
    out_file: Path | None = typer.Option(None, "--out", help="Write to FILE (atomically) instead of stdout ('-')."),
    ics_file: Path | None = typer.Option(None, "--ics", help="Also write the new plan as a calendar (.ics), with "
                                         "the first plan's event ids: an import updates the events in place."),
    travel_blocks: bool = typer.Option(False, "--ics-travel",
                                       help="--ics: add a 'Drive to ...' event before each stop."),
    map_file: Path | None = typer.Option(None, "--map", help="Also write an interactive map (.html, works offline)."),
    invites_dir: Path | None = typer.Option(None, "--invites", metavar="DIR", help="Also write into DIR the meeting "
                                            "requests that changed: an update for each added or moved visit, a "
                                            "cancellation for each dropped or cancelled one."),
) -> None:
    """Re-plan the rest of the trip: what started before --now stays, booked visits keep
    their times (unless --free), cancelled ones go; the changes come first."""
    try:
        _check_ranges([_time_limit(time_limit)])
        wanted = _plan_outputs(fmt, out_file, ics_file, map_file, scenario)
        folder = _invites_folder(invites_dir)
        from .replan import read_plan_file  # the solver's modules: once input is valid
        from .replan import replan as replan_trip

        loaded = _load(scenario, None, time_limit)
        old = read_plan_file(plan_file)
        moment = _moment("--now", now)
        targets = _targets(wanted, scenario, loaded)
        calendars = _calendar_targets(targets, scenario, loaded)
        _check_organizers(folder, loaded)
        with _interruptible() as flag:
            result = replan_trip(loaded, old, moment, cancel, free, interrupted=flag)
        shown = result
        if fmt is PlanFormat.table:  # on the road: the changes, then the itinerary from today on
            shown = replace(result, days=tuple(d for d in result.days if d.day >= moment.date()))
        outputs = _outputs(result, loaded, fmt, targets, calendars, travel_blocks)
        outputs[0] = (targets["--out"], _render(shown, fmt, targets["--out"]))
        _write_with_invites(outputs, folder, result, loaded, scenario, old.booked, old.withdrawn)
    except TripoptError as exc:
        _fail(exc)


def _moment(option: str, text: str) -> datetime:
    """A local date-time given on the command line (an offset is accepted)."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(Problem(option, f"{short(text)} is not a date and time (YYYY-MM-DDTHH:MM, "
                                         "e.g. 2026-12-02T13:10)")) from None


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
    budget: list[float] = typer.Option([], "--budget", help="A budget to solve under, 0 to 1e9 (repeatable).",
                                       parser=_float, metavar="FLOAT"),
    budgets: list[str] = typer.Option([], "--budgets", help="A range FROM:TO:STEP, TO included (repeatable)."),
    auto: bool = typer.Option(False, "--auto", help="Find the budgets where the value changes."),
    floor: float = typer.Option(0.0, "--floor", help="--auto: the smallest budget to look at.",
                                parser=_float, metavar="FLOAT"),
    ceiling: float | None = typer.Option(None, "--ceiling",
                                         help="--auto: the largest (default: the cost of the unlimited plan).",
                                         parser=_float, metavar="FLOAT"),
    points: int = typer.Option(6, "--points", help=f"--auto: budgets in the first grid (2 to {MAX_POINTS}).",
                               parser=_int, metavar="INTEGER"),
    resolution: float | None = typer.Option(None, "--resolution",
                                            help="--auto: probe gaps wider than this (default 2% of the range).",
                                            parser=_float, metavar="FLOAT"),
    time_limit: float | None = typer.Option(None, "--time-limit",
                                            help="Search time limit per budget, seconds (at most 86400).",
                                            parser=_float, metavar="FLOAT"),
    processes: int | None = typer.Option(None, "--processes", "-j", parser=_int, metavar="INTEGER",
                                         help="Parallel processes, at most one per core (default: one per "
                                         "core); with --scheduler, budgets at once on the cluster (default: "
                                         "its worker threads)."),
    scheduler: str | None = typer.Option(None, "--scheduler", metavar="ADDRESS",
                                         help="Solve each budget as a task on the Dask cluster whose scheduler "
                                         "is at ADDRESS (tcp://host:8786); needs the cluster extra "
                                         "(docs/cluster.md)."),
    fmt: CompareFormat = typer.Option(CompareFormat.table, "--format", help="Output format."),
    out_file: Path | None = typer.Option(None, "--out", help="Write to FILE (atomically) instead of stdout ('-')."),
    plot_file: Path | None = typer.Option(None, "--plot", help="Also draw value against budget to FILE.png."),
    fresh: bool = typer.Option(False, "--fresh", help="Neither start from nor remember plans of earlier runs."),
) -> None:
    """Solve the scenario under each budget and print them side by side."""
    try:
        _check_ranges([*[_Range("--budget", b, 0, MAX_BUDGET) for b in budget],
                       _Range("--floor", floor, 0, MAX_BUDGET), _Range("--ceiling", ceiling, 0, MAX_BUDGET),
                       _Range("--resolution", resolution, MIN_RESOLUTION, MAX_BUDGET),
                       _Range("--points", points, 2, MAX_POINTS, what="a whole number"),
                       _processes(processes, scheduler),
                       _time_limit(time_limit)])
        if plot_file is not None:
            require_matplotlib()
        wanted = [("--out", out_file if out_file is not None else "-", False), ("--plot", plot_file, True)]
        _targets(wanted, scenario)
        if auto and (budget or budgets):
            raise InputError(Problem("--auto", "give either --auto or budgets, not both"))
        if ceiling is not None and ceiling < floor:
            raise InputError(Problem("--ceiling", f"{ceiling:,g} is below --floor {floor:,g}"))
        chosen = None if auto else parse_budgets(budget, budgets)
        loaded = _load(scenario, None, time_limit)
        targets = _targets(wanted, scenario, loaded)
        from . import compare as sweep  # the solver's modules: only once the input is valid

        store = _store(loaded, fresh)
        remembered = store.plans if store is not None else []
        if chosen is None:  # --auto
            result = _sweep_with_progress(lambda progress, flag: sweep.auto_compare(
                loaded, floor, ceiling, points, resolution, processes, progress, flag, remembered,
                scheduler=scheduler))
        else:
            result = _sweep_with_progress(lambda progress, flag: sweep.compare(
                loaded, chosen, processes, progress, flag, remembered, scheduler=scheduler))
        _remember(store, [row.plan for row in result.rows if row.plan is not None], "compare")
        main_target = targets["--out"]
        if fmt is CompareFormat.json:
            text = report.comparison_to_json(result)
        elif fmt is CompareFormat.csv:
            text = report.comparison_to_csv(result)
        else:
            text = _table(lambda console: report.render_comparison(result, console, only_breakpoints=auto),
                          main_target, width=140)
        outputs: list[tuple[Target, str | bytes]] = [(main_target, text)]
        if "--plot" in targets:
            outputs.append((targets["--plot"], comparison_png(result)))
        _write(outputs)
        if result.unsolved and not (fmt is CompareFormat.table and main_target.kind == "stdout"):
            _say(f"not solved (interrupted): {', '.join(f'{b:,.2f}' for b in result.unsolved)}")
    except TripoptError as exc:
        _fail(exc)



MAX_CLUSTER_TASKS = 1024  # -j with --scheduler (compare): budgets at once on the cluster


def _processes(processes: int | None, scheduler: str | None) -> _Range:
    """-j: local processes, at most one per core; with --scheduler, budgets at once on the cluster."""
    if scheduler is None:
        return _Range("-j", processes, 1, os.cpu_count() or 1,
                      what="a whole number: at most one process per core of this machine")
    return _Range("-j", processes, 1, MAX_CLUSTER_TASKS, what="a whole number: budgets at once on the cluster")


class BatchFormat(str, Enum):
    json = "json"
    md = "md"
    csv = "csv"


def _batch_line(row: BatchRow, done: int, total: int) -> None:
    """One line on stderr as each scenario is done: what became of it, and its warnings."""
    _report(row.warnings)
    count = f"[{done}/{total}]"
    if row.status == FEASIBLE and row.plan is not None:
        p = row.plan
        _say(f"{row.scenario}: value {p.value:,.0f}, {p.visited} visited, cost {p.cost:,.2f} {p.currency} "
             f"({row.seconds or 0:.1f} s) -> {row.output}", f"{count} planned", "bold green")
    elif row.status == BAD_INPUT:
        _say(f"{row.scenario}: {row.reason}", f"{count} bad input", "bold red")
    else:
        _say(f"{row.scenario}: {row.reason}", f"{count} {row.status}", "bold red")


@app.command()
def batch(
    scenarios: list[Path] = typer.Argument(..., metavar="SCENARIO...",
                                           help="The scenario YAML files; each file's stem names its plan."),
    out_dir: Path = typer.Option(..., "--out-dir", help="Write DIR/<stem>.<format> for each scenario planned and "
                                 "DIR/summary.csv (the folder is created if missing)."),
    fmt: BatchFormat = typer.Option(BatchFormat.json, "--format", help="Format of each plan."),
    time_limit: float | None = typer.Option(None, "--time-limit",
                                            help="Search time limit per scenario, seconds (at most 86400).",
                                            parser=_float, metavar="FLOAT"),
    processes: int | None = typer.Option(None, "--processes", "-j", parser=_int, metavar="INTEGER",
                                         help="Local processes, at most one per core (default: one per core)."),
    scheduler: str | None = typer.Option(None, "--scheduler", metavar="ADDRESS",
                                         help="Plan each scenario as a task on the Dask cluster whose scheduler "
                                         "is at ADDRESS (tcp://host:8786); needs the cluster extra "
                                         "(docs/cluster.md)."),
    fresh: bool = typer.Option(False, "--fresh", help="Neither start from nor remember plans of earlier runs."),
) -> None:
    """Plan every scenario: a plan file each and a summary. Exit 0 if every scenario was
    planned, 1 if any was not (infeasible, undecided, interrupted), 2 if any was bad input."""
    try:
        _check_ranges([_time_limit(time_limit), _processes(processes, None)])
        if scheduler is not None and processes is not None:
            raise InputError(Problem("-j", "counts local processes; with --scheduler the cluster's workers "
                                     "plan the scenarios (start more workers for more at once)"))
        check_names(scenarios, fmt.value)  # before anything is read: the same stem twice, the summary's name
        with _interruptible() as flag:
            result = run_batch(scenarios, out_dir, fmt.value, time_limit, processes, scheduler, fresh,
                               _batch_line, flag)
    except TripoptError as exc:
        _fail(exc)
    for row in result.rows:
        if row.status == "interrupted":
            _say(str(row.scenario), "not planned (interrupted):", "bold red")
    counts: dict[str, int] = {}
    for row in result.rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    summary = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in counts.items())
    _say(f"wrote {result.summary} ({summary})")
    raise typer.Exit(result.exit_code)


@app.command()
def schema() -> None:
    """Print the scenario file's JSON Schema (draft 2020-12), for editors and CI: a scenario
    passes it exactly when `check` finds no error of keys, types or ranges in it."""
    from .json_schema import schema_text

    sys.stdout.write(schema_text())


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C outside a search: end the run (files.write_outputs removes its temporary files)."""
    raise _Interrupt


def main() -> None:
    """Console-script entry point: no traceback escapes for input errors, Ctrl-C (exit
    130) or SIGTERM/SIGHUP while the outputs are written (exit 128 + the signal)."""
    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread:
        signal.signal(signal.SIGINT, _on_interrupt)
    try:
        app()
    except TripoptError as exc:  # raised outside a command's own handling
        _explain(exc)
        sys.exit(exc.exit_code)
    except (_Interrupt, KeyboardInterrupt):
        _say("stopped; every output file is either written whole or as it was", "interrupted (Ctrl-C):", "bold red")
        sys.exit(130)
    except Terminated as exc:
        _say("stopped while writing; every output file is either written whole or as it was",
             f"terminated ({exc}):", "bold red")
        sys.exit(128 + exc.signum)
    finally:
        if main_thread:  # the run is over: a late Ctrl-C must not kill the interpreter as it shuts down
            signal.signal(signal.SIGINT, signal.SIG_IGN)
