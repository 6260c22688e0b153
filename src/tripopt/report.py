"""Presenting a plan or a budget comparison: terminal table (Rich), JSON
(docs/plan-json.md), CSV and Markdown.

Pure functions from a `Plan` or `Comparison` to text; nothing here solves or reads files.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from .comparison import Comparison, Step, TravellerStep, visits_by_traveller
from .plan import FORMAT, Booking, Change, DayPlan, ExtensionDay, Plan, Slot, Stop, Totals, Unvisited

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")  # a spreadsheet reads such a cell as a formula
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")  # what is left alone: 12, -3.50, +.5
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")  # C0, DEL, C1, lone surrogates
_JSON_UNSAFE = re.compile("[\x7f-\x9f\ud800-\udfff]")  # what json.dumps(ensure_ascii=False) leaves raw


def printable(value: object, keep: str = "") -> str:
    """Text from the data made safe to show or store (docs/output-safety.md, "Text").

    Control characters never pass raw: C0 (NUL, ESC, ...), DEL and C1 become a visible
    escape (`\\x1b`, `\\x9b`), a lone surrogate `\\udc80`. Tab, LF and CR pass only when in
    `keep`; otherwise CR LF and a bare CR are a line break (kept as LF when LF is kept), and
    a tab or line break not kept is a space.
    """
    text = str(value)
    if not _UNPRINTABLE.search(text):
        return text
    if "\r" not in keep:
        text = text.replace("\r\n", "\n").replace("\r", "\n")

    def swap(match: re.Match[str]) -> str:
        char = match.group()
        if char in keep:
            return char
        if char in "\t\n":
            return " "
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNPRINTABLE.sub(swap, text)


def _json_text(document: Any) -> str:
    """JSON that keeps every string exactly and is safe on a terminal: control characters
    are JSON escapes (json.dumps escapes C0; DEL, C1 and lone surrogates here)."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _hhmm(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment:%H:%M}"


def _stop_json(stop: Stop) -> dict[str, Any]:
    if stop.kind == "lunch":  # at no place in particular: its times only (CONTRACT section 5)
        return {"type": "lunch", "start": _iso(stop.start), "end": _iso(stop.end)}
    row: dict[str, Any] = {"type": stop.kind, "name": stop.name, "lat": stop.lat, "lon": stop.lon}
    if stop.kind == "start":
        row["depart"] = _iso(stop.depart)
        return row
    row.update(travel_km=stop.travel_km, travel_minutes=stop.travel_minutes, arrive=_iso(stop.arrive))
    if stop.kind in ("visit", "commitment", "event"):
        row.update(start=_iso(stop.start), end=_iso(stop.end), value=stop.value, cost=stop.cost)
        own = stop.customer.notes if stop.customer is not None else stop.notes  # the row's own, as given
        if own:
            row["notes"] = own
        if stop.customer is not None and stop.customer.town_level:
            row["located"] = "city"  # an addition: the position is the town's centre, not the address
    if stop.kind == "event":
        row["met"] = [c.name for c in stop.met]
    if stop.sequence:
        row["sequence"] = stop.sequence  # an addition: the meeting request's revision (absent: 0)
    return row


def plan_dict(plan: Plan) -> dict[str, Any]:
    """The contract's JSON object (field names are a public interface: never rename). A
    team's days name their traveller and the summary lists the team."""
    team = {"travellers": list(plan.travellers)} if plan.travellers else {}
    return {
        "format": FORMAT,
        "scenario": plan.scenario,
        "status": "feasible",
        "summary": {
            "visited": plan.visited, "candidates": plan.candidates, "value": plan.value,
            "value_available": plan.value_available, "cost": plan.cost, "budget": plan.budget,
            "drive_km": plan.drive_km, "drive_minutes": plan.drive_minutes,
            "extension_days": {"before": plan.extension_before, "after": plan.extension_after},
            **({"without_extensions": _totals_json(plan.without_extensions)} if plan.weighed_extensions else {}),
            "currency": plan.currency, "stopped_by": plan.stopped_by, "optimal": plan.optimal,
            "recalled": plan.recalled, **team, **({"met": plan.met} if plan.has_events else {}),
        },
        "days": [
            {**({"traveller": d.traveller} if plan.travellers else {}), "date": d.day.isoformat(),
             "extension": d.extension, "cost": d.cost, "drive_km": d.drive_km,
             "drive_minutes": d.drive_minutes, "stops": [_stop_json(s) for s in d.stops]}
            for d in plan.days
        ],
        "unvisited": [_unvisited_json(u, bool(plan.travellers)) for u in plan.unvisited],
        **({"skipped_events": [{"name": e.name, "reason": e.reason} for e in plan.skipped_events]}
           if plan.has_events else {}),
        **({"changes": [_change_json(c, bool(plan.travellers)) for c in plan.changes], "notes": list(plan.notes)}
           if plan.changes is not None else {}),
        **({"withdrawn": [_withdrawn_json(b, bool(plan.travellers)) for b in plan.withdrawn]}
           if plan.withdrawn else {}),
    }


def _withdrawn_json(booking: Booking, team: bool) -> dict[str, Any]:
    """A meeting request a re-plan took back: enough to name its event (its UID) and to
    go on from its revision if the meeting is booked again (replan.read_plan reads it)."""
    return {"type": booking.kind, "name": booking.name, **({"traveller": booking.traveller} if team else {}),
            "date": booking.day.isoformat(), "start": _iso(booking.start), "end": _iso(booking.end),
            "sequence": booking.sequence}


def _totals_json(totals: Totals | None) -> dict[str, Any] | None:
    """`summary.without_extensions`: the plan's extension days are weighed against it."""
    return None if totals is None else {"value": totals.value, "cost": totals.cost, "visited": totals.visited}


def _change_json(change: Change, team: bool) -> dict[str, Any]:
    """A re-plan's change: `was`/`now` are {"traveller" (teams only), "date", "start"} or null."""
    def slot(at: Slot | None) -> dict[str, Any] | None:
        if at is None:
            return None
        return {**({"traveller": at.traveller} if team else {}), "date": at.day.isoformat(), "start": _iso(at.start)}

    return {"name": change.name, "type": change.type, "change": change.change, "was": slot(change.was),
            "now": slot(change.now)}


def change_lines(plan: Plan) -> list[str]:
    """A re-plan's changes as a traveller reads them on a phone: "Cancelled: X. Added: Y on
    Wed 14:00. Moved: Z 15:00 -> 16:30. Dropped: event 'E' (was Tue 17:30)." (nothing for a
    plan that is not a re-plan)."""
    if plan.changes is None:
        return []
    if not plan.changes:
        return ["No changes: every booked visit and event stays as it was."]
    def when(at: Slot | None) -> str:
        if at is None:
            return ""
        who = f"{at.traveller}'s " if plan.travellers else ""
        return f"{who}{at.start:%a %H:%M}"

    groups: dict[str, list[str]] = {}
    for c in plan.changes:
        name = c.name if c.type == "visit" else f"event '{c.name}'"  # a customer and an event may share a name
        if c.change == "moved":
            text = f"{name} {when(c.was)} -> {when(c.now)}"
        elif c.change == "added":
            text = f"{name} on {when(c.now)}"
        else:
            text = f"{name} (was {when(c.was)})"
        groups.setdefault(c.change.capitalize(), []).append(text)
    return [printable(f"{label}: {'; '.join(items)}.") for label, items in groups.items()] + \
        [printable(f"Note: {note}") for note in plan.notes]

def _unvisited_json(u: Unvisited, team: bool = False) -> dict[str, Any]:
    """The contract's four fields, and the hint (an extension) when there is one; in a
    team the hint names whose day it is."""
    row: dict[str, Any] = {"name": u.name, "value": u.value, "code": u.code, "reason": u.reason}
    if u.hint is not None:
        h = u.hint
        row["hint"] = {**({"traveller": h.traveller} if team else {}), "kind": h.kind, "date": h.day.isoformat()}
        row["hint"].update({"extra_budget": h.extra_budget} if h.kind == "budget"
                           else {"replaces": h.replaces, "replaces_value": h.replaces_value})
    return row


def to_json(plan: Plan) -> str:
    return _json_text(plan_dict(plan))


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text, never runs: text whose first character, or
    first after leading spaces, is = + - @ tab CR or LF gets a leading quote, unless it is
    a plain decimal number (`-12.50`: `-inf`, `+nan`, `-1_000` and `-1e5` are quoted).
    Control characters are escaped (`printable`); tab, CR and LF stay (quoted by the
    writer). Numbers stay numbers; a float that is not finite is text like any other."""
    if isinstance(value, float) and not math.isfinite(value):
        value = str(value)
    if not isinstance(value, str):
        return value
    value = printable(value, keep="\t\n\r")
    formula = value.lstrip(" ").startswith(_FORMULA_START) or value.lstrip().startswith(_FORMULA_START)
    return "'" + value if formula and not _PLAIN_NUMBER.fullmatch(value) else value


CSV_COLUMNS = ("date", "extension", "seq", "type", "name", "arrive", "start", "end", "depart",
               "travel_km", "travel_minutes", "value", "cost", "lat", "lon", "notes")


def stop_columns(plan: Plan) -> tuple[str, ...]:
    """The header of `stop_rows`: CSV_COLUMNS, after a `traveller` column in a team."""
    return ("traveller", *CSV_COLUMNS) if plan.travellers else CSV_COLUMNS


def stop_rows(plan: Plan, local: bool = False) -> list[list[Any]]:
    """One row a stop, for CSV and spreadsheets (columns: `stop_columns`); a team's rows
    start with the traveller, grouped by traveller as the days are. Dates and times are ISO
    text, or with `local` a `date` and naive datetimes on the scenario's clocks (a
    spreadsheet's cells have no zone)."""
    zone = ZoneInfo(plan.timezone)

    def when(moment: datetime | None) -> datetime | str | None:
        return _iso(moment) if not local or moment is None else moment.astimezone(zone).replace(tzinfo=None)

    rows = []
    for day in plan.days:
        for seq, s in enumerate(day.stops):
            placed = s.kind != "lunch"  # a lunch has no place and no leg of its own: those cells stay empty
            row = [day.day if local else day.day.isoformat(), day.extension, seq, s.kind, s.name, when(s.arrive),
                   when(s.start), when(s.end), when(s.depart), s.travel_km if placed else None,
                   s.travel_minutes if placed else None, s.value, s.cost, s.lat if placed else None,
                   s.lon if placed else None, s.notes]
            rows.append([day.traveller, *row] if plan.travellers else row)
    return rows


def _csv(header: tuple[str, ...], rows: list[list[Any]]) -> str:
    """CSV with LF line ends in which every field holding a CR or LF is quoted, so the csv
    module (or a spreadsheet) reads back the same rows: a writer quotes a field only for
    the characters of its line terminator, so each row is written with CR LF and its end
    turned into LF."""
    lines = []
    for row in [list(header), *rows]:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow([safe_cell(v) for v in row])
        lines.append(buffer.getvalue()[:-2] + "\n")
    return "".join(lines)


def to_csv(plan: Plan) -> str:
    return _csv(stop_columns(plan), stop_rows(plan))


XLSX_TIME, XLSX_DATE = "hh:mm", "yyyy-mm-dd"  # number formats of the itinerary's time and date cells
XLSX_MAX_WIDTH = 50  # characters: a longer text (a note, a reason) is cut off on screen, not the sheet widened


def to_xlsx(plan: Plan) -> bytes:
    """A workbook: the itinerary (a row per stop), the customers not visited, a summary;
    a team's itinerary has a traveller column, and a Travellers sheet totals each one.
    The itinerary's dates are date cells and its times time cells (`hh:mm`, the date kept
    in the value) on the scenario's clocks, named in the summary (`timezone`); each column
    is as wide as its widest cell, up to XLSX_MAX_WIDTH. Text that a spreadsheet would read
    as a formula is stored as plain text."""
    from openpyxl import Workbook  # a dependency already (pandas reads .xlsx with it)
    from openpyxl.utils import get_column_letter

    book = Workbook()
    summary = [[k, _summary_cell(v)] for k, v in plan_dict(plan)["summary"].items()]
    sheets = [
        ("Itinerary", stop_columns(plan), stop_rows(plan, local=True)),
        ("Not visited", ("name", "value", "code", "reason"),
         [[u.name, u.value, u.code, u.reason] for u in sorted(plan.unvisited, key=lambda u: -u.value)]),
        ("Summary", ("item", "value"), [*summary, ["timezone", plan.timezone]]),
    ]
    if plan.travellers:
        sheets.append(("Travellers", ("traveller", "days", "visited", "value", "cost", "drive_km", "drive_minutes"),
                       [[name, len(days), *_totals(days)] for name, days in traveller_days(plan)]))
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        widths = [0] * len(header)
        for row in [list(header), *rows]:
            sheet.append([_xlsx_value(v) for v in row])
            for i, cell in enumerate(sheet[sheet.max_row]):
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never "f": '=HYPERLINK(...)' in a name stays text
                elif isinstance(cell.value, datetime):
                    cell.number_format = XLSX_TIME
                elif isinstance(cell.value, date):
                    cell.number_format = XLSX_DATE
                widths[i] = max(widths[i], _shown_width(cell.value))
        for i, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(i)].width = min(width + 2, XLSX_MAX_WIDTH)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _shown_width(value: Any) -> int:
    """About how many characters wide a cell shows its value: a time 5 (hh:mm), a date 10,
    a number as Python writes it, text by its longest line (a wide character counts 2)."""
    if isinstance(value, datetime):
        return len(XLSX_TIME)
    if isinstance(value, date):
        return len(XLSX_DATE)
    text = ("TRUE" if value else "FALSE") if isinstance(value, bool) else str(value)
    return max((sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
                for line in text.splitlines()), default=0)


def _summary_cell(value: Any) -> Any:
    """A summary item as one cell: the team's names listed, extension days as JSON."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return json.dumps(value) if isinstance(value, dict) else value


def traveller_days(plan: Plan) -> list[tuple[str, list[DayPlan]]]:
    """The days grouped by traveller, in the team's order ([("", days)] without a team)."""
    groups: dict[str, list[DayPlan]] = {name: [] for name in plan.travellers}
    for day in plan.days:
        groups.setdefault(day.traveller, []).append(day)
    return list(groups.items())


def _totals(days: list[DayPlan]) -> tuple[int, float, float, float, int]:
    """Visits, value, cost, km and driving minutes of some days (one traveller's)."""
    return (sum(len(d.visits) for d in days), round(sum(s.value for d in days for s in d.visits), 6),
            round(sum(d.cost for d in days), 2), round(sum(d.drive_km for d in days), 1),
            sum(d.drive_minutes for d in days))


def _xlsx_value(value: Any) -> Any:
    """A cell's value; text without the control characters a workbook may not hold."""
    if value is None:
        return ""
    return printable(value, keep="\t\n\r") if isinstance(value, str) else value


def _money(plan: Plan, amount: float | None) -> str:
    return "no limit" if amount is None else f"{amount:,.2f} {printable(plan.currency)}"


def _headline(plan: Plan) -> list[str]:
    ext = ""
    if plan.extension_days:
        ext = (f"; extension: {plan.extension_before} day(s) before, {plan.extension_after} after"
               f" ({plan.extension_cost:,.2f})")
    team = [f"{len(plan.travellers)} traveller{'s' if len(plan.travellers) != 1 else ''}: "
            + printable(", ".join(plan.travellers))] if plan.travellers else []
    lines = [
        printable(plan.scenario),
        *team,
        f"Value {plan.value:,.0f} of {plan.value_available:,.0f} available; visiting {plan.visited} of "
        f"{plan.candidates} customers",
        f"Cost {_money(plan, plan.cost)} (budget {_money(plan, plan.budget)}); driving {plan.drive_km:,.1f} km, "
        f"{plan.drive_minutes // 60}h{plan.drive_minutes % 60:02d}{ext}",
    ]
    lines += _extension_line(plan)
    if plan.optimal:
        lines.append("Proven optimal: every plan was checked.")
    elif plan.recalled:
        lines.append("An earlier run (plan or compare) found this plan; this search found none better"
                     " (--fresh ignores earlier runs).")
    return lines


def _extension_line(plan: Plan) -> list[str]:
    """What the plan's extension days buy over the best plan found without them, in words
    (nothing when it uses none, or extension days were not weighed: a re-plan keeps them)."""
    if not plan.weighed_extensions or not plan.extension_days:
        return []
    bought = f"Extension: {extension_words(plan.extension_dates)} ({plan.extension_cost:,.2f})"
    plain = plan.without_extensions
    if plain is None:
        return [f"{bought}: no plan without it was found"]
    best = "the best plan" if plan.optimal else "the best plan found"  # proven only by the exhaustive search
    return [f"{bought} buys {_customers(plan.visited - plain.visited, '+')}, {plan.value - plain.value:+,.0f} value "
            f"over {best} without it ({_customers(plain.visited)}, {plain.value:,.0f} value, "
            f"cost {plain.cost:,.2f})"]


def _customers(count: int, sign: str = "") -> str:
    """'1 customer', '+3 customers' (`sign` "+": a difference, signed)."""
    return f"{count:{sign}d} customer{'' if abs(count) == 1 else 's'}"


def extension_words(days: tuple[ExtensionDay, ...]) -> str:
    """Extension days by name, at their end of the trip: 'Tuesday 1 Dec before the show',
    'Sunday 29 Nov to Tuesday 1 Dec before the show, Saturday 5 Dec after it'."""
    def named(day: ExtensionDay) -> str:
        return f"{day.day:%A} {day.day.day} {day.day:%b}"

    parts: list[str] = []
    for side in ("before", "after"):
        run = [d for d in days if d.side == side]
        if run:
            joined = " and ".join(map(named, run)) if len(run) <= 2 else f"{named(run[0])} to {named(run[-1])}"
            parts.append(f"{joined} {side} {'it' if parts else 'the show'}")
    return ", ".join(parts)


def _traveller_title(plan: Plan, name: str, days: list[DayPlan]) -> str:
    """A team member's heading: their visits, value, cost and driving over their days."""
    visits, value, cost, km, minutes = _totals(days)
    return printable(f"{name}: {visits} visit(s), value {value:,.0f}, cost {_money(plan, cost)}, driving {km:,.1f} km, "
                     f"{minutes // 60}h{minutes % 60:02d}")


def _day_title(day: DayPlan) -> str:
    tag = " (extension day)" if day.extension else ""
    return (f"{day.day:%a %d %b %Y}{tag}: {len(day.visits)} visit(s), {day.drive_km:,.1f} km, "
            f"cost {day.cost:,.2f}")


def _stop_cells(stop: Stop) -> list[str]:
    when = _hhmm(stop.depart) if stop.kind == "start" else (
        _hhmm(stop.arrive) if stop.kind == "end" else f"{_hhmm(stop.start)}-{_hhmm(stop.end)}")
    travel = "" if stop.kind in ("start", "lunch") else f"{stop.travel_minutes} min, {stop.travel_km:.1f} km"
    value = f"{stop.value:,.0f}" if stop.kind in ("visit", "event") else ""
    label = {"start": "leave", "end": "back at"}.get(stop.kind, stop.kind)  # visit, commitment, event
    notes = "meets " + ", ".join(c.name for c in stop.met) if stop.met else stop.notes
    return [when, label, "" if stop.kind == "lunch" else stop.name, travel, value, notes]


def _cell(value: object) -> Text:
    """A table cell from the data: control characters escaped (a line break stays), and a
    Text, so that no console reads Rich markup or emoji codes in it."""
    return Text(printable(value, keep="\n"))


def _line(console: Console, text: str, style: str | None = None) -> None:
    """A line of ours with data in it (printable already): never markup, never emoji."""
    console.print(Text(text, style=style or ""))


def render_table(plan: Plan, console: Console) -> None:
    """The terminal itinerary: headline, a table per day (a team's under a heading per
    traveller), the customers left out."""
    first, *rest = _headline(plan)
    for line in change_lines(plan):  # a re-plan says first what changed
        _line(console, line, "bold")
    _line(console, first, "bold")
    for line in rest:
        _line(console, line)
    for name, days in traveller_days(plan) if plan.travellers else [("", list(plan.days))]:
        if plan.travellers:
            console.print()
            console.print(Rule(Text(_traveller_title(plan, name, days), style="bold"), align="left"))
        for day in days:
            table = Table(title=_day_title(day), title_justify="left", show_edge=False, expand=False)
            for column in ("time", "", "where", "travel", "value", "notes"):
                table.add_column(column, overflow="fold")
            for stop in day.stops:
                table.add_row(*map(_cell, _stop_cells(stop)))
            console.print()
            console.print(table)
    if plan.unvisited:
        table = Table(title=f"Not visited ({len(plan.unvisited)})", title_justify="left", show_edge=False)
        for column in ("customer", "value", "why"):
            table.add_column(column, overflow="fold")
        for u in sorted(plan.unvisited, key=lambda u: -u.value):
            table.add_row(_cell(u.name), f"{u.value:,.0f}", _cell(f"{u.code}: {u.reason}"))
        console.print()
        console.print(table)


def to_markdown(plan: Plan) -> str:
    lines = [f"# {_md(_headline(plan)[0])}", "", *[f"- {_md(line)}" for line in _headline(plan)[1:]], ""]
    if plan.changes is not None:
        lines += ["## Changes", "", *[f"- {_md(line)}" for line in change_lines(plan)], ""]
    level = "###" if plan.travellers else "##"  # a team's days under a heading per traveller
    for name, days in traveller_days(plan) if plan.travellers else [("", list(plan.days))]:
        if plan.travellers:
            lines += [f"## {_md(_traveller_title(plan, name, days))}", ""]
        for day in days:
            lines += [f"{level} {_day_title(day)}", "", "| time | | where | travel | value | notes |",
                      "| --- | --- | --- | --- | --- | --- |"]
            lines += ["| " + " | ".join(_md(c) for c in _stop_cells(s)) + " |" for s in day.stops]
            lines.append("")
    if plan.unvisited:
        lines += ["## Not visited", "", "| customer | value | code | why |", "| --- | --- | --- | --- |"]
        lines += [f"| {_md(u.name)} | {u.value:,.0f} | {_md(u.code)} | {_md(u.reason)} |"
                  for u in sorted(plan.unvisited, key=lambda u: -u.value)]
    return "\n".join(lines) + "\n"


_MD_ESCAPES = {"\\": "\\\\", "|": "\\|", "[": "\\[", "]": "\\]", "<": "&lt;", ">": "&gt;", "&": "&amp;"}
_MD_SPECIAL = re.compile("[\\\\|\\[\\]<>&]")


def _md(text: object) -> str:
    """Data as Markdown text on one line: control characters escaped, raw HTML shown and
    not run (< > & as entities), no link or image syntax ([ ]), and | kept in its cell."""
    return _MD_SPECIAL.sub(lambda m: _MD_ESCAPES[m.group()], printable(text))


# -- comparisons (tripopt compare) ----------------------------------------------------


def comparison_dicts(comparison: Comparison) -> list[dict[str, Any]]:
    """docs/plan-json.md's compare rows (budget, status, value, visited, cost,
    extension_days as {"before", "after"}, drive_km, reason, marginal_value_per_dollar),
    with what a reader of the sweep needs besides; a team's rows add `by_traveller`
    (`_by_traveller`). Every row has the same keys: a budget without a plan has null
    wherever a plan would speak (and `breakpoint` false), one with a plan a null `reason`."""
    breakpoints = set(comparison.breakpoints)
    team = any(r.plan is not None and r.plan.travellers for r in comparison.rows)
    rows = []
    for row, step, marginal in zip(comparison.rows, comparison.steps(), comparison.marginal_values()):
        p = row.plan
        if p is None:
            rows.append({
                "budget": row.budget, "status": row.status, **dict.fromkeys(
                    ("value", "visited", "cost", "extension_days", "drive_km", "drive_minutes",
                     "value_per_dollar", "marginal_value_per_dollar")),
                "breakpoint": False, **dict.fromkeys(("customers", "gained", "lost", "stopped_by", "recalled")),
                "reason": row.reason, **dict.fromkeys(("extension_gained", "extension_lost")),
                **({"by_traveller": None} if team else {}),
            })
            continue
        rows.append({
            "budget": row.budget, "status": "feasible", "value": p.value, "visited": p.visited, "cost": p.cost,
            "extension_days": {"before": p.extension_before, "after": p.extension_after},
            "drive_km": p.drive_km, "drive_minutes": p.drive_minutes,
            "value_per_dollar": _per(p.value, p.cost), "marginal_value_per_dollar": marginal,
            "breakpoint": row.budget in breakpoints, "customers": sorted(p.visited_names),
            "gained": list(step.gained) if step else [], "lost": list(step.lost) if step else [],
            "stopped_by": p.stopped_by, "recalled": p.recalled, "reason": None,
            "extension_gained": [_day_json(d) for d in step.extension_gained] if step else [],
            "extension_lost": [_day_json(d) for d in step.extension_lost] if step else [],
            **({"by_traveller": _by_traveller(p, step)} if team else {}),
            **({"events": [e.name for d in p.days for e in d.events]} if p.has_events else {}),
        })
    return rows


def _day_json(day: ExtensionDay) -> dict[str, str]:
    """An extension day in a compare row: {"date", "side": "before" or "after"}."""
    return {"date": day.day.isoformat(), "side": day.side}


def _by_traveller(plan: Plan, step: Step | None) -> dict[str, dict[str, Any]]:
    """Per traveller (team order): their visits, value, cost and driving in this row's
    plan, and the step up to it (comparison.TravellerStep): `gained` (new to the team,
    theirs), `taken` (from the named colleague), `handed` (to the named colleague) and
    `lost` (theirs before, now nobody's)."""
    parts = {t.traveller: t for t in step.by_traveller} if step else {}
    visits = visits_by_traveller(plan)
    result = {}
    for name, days in traveller_days(plan):
        _, value, cost, km, minutes = _totals(days)
        part = parts.get(name)
        result[name] = {
            "visited": len(visits.get(name, {})), "value": value, "cost": cost, "drive_km": km,
            "drive_minutes": minutes, "customers": sorted(visits.get(name, {})),
            "gained": list(part.gained) if part else [],
            "taken": [{"name": n, "from": who} for n, who in part.taken] if part else [],
            "handed": [{"name": n, "to": who} for n, who in part.handed] if part else [],
            "lost": list(part.lost) if part else [],
        }
    return result


def comparison_to_json(comparison: Comparison) -> str:
    return _json_text(comparison_dicts(comparison))


COMPARE_CSV_COLUMNS = ("budget", "status", "value", "visited", "cost", "extension_before", "extension_after",
                       "drive_km", "drive_minutes", "value_per_dollar", "marginal_value_per_dollar", "breakpoint",
                       "gained", "lost", "reason", "extension_gained", "extension_lost")


def comparison_to_csv(comparison: Comparison) -> str:
    """A row per budget (COMPARE_CSV_COLUMNS): the JSON row's fields, its extension days as
    two columns, names and extension days ('2026-12-01 before') joined by '; ', empty cells
    where the JSON has null."""
    rows = []
    for row in comparison_dicts(comparison):
        ext = row["extension_days"] or {}
        days = {key: "; ".join(f"{d['date']} {d['side']}" for d in row[key] or [])
                for key in ("extension_gained", "extension_lost")}
        cells = {**row, "extension_before": ext.get("before"), "extension_after": ext.get("after"),
                 "gained": "; ".join(row["gained"] or []), "lost": "; ".join(row["lost"] or []), **days}
        rows.append(["" if cells.get(column) is None else cells[column] for column in COMPARE_CSV_COLUMNS])
    return _csv(COMPARE_CSV_COLUMNS, rows)


def _rate(rate: float | None) -> str:
    """A marginal value per unit of money for the table: 2 decimals, 2 significant digits
    when those would show a gain as 0.00."""
    if rate is None:
        return "-"
    return f"{rate:,.2f}" if rate == 0 or abs(rate) >= 0.01 else f"{rate:.2g}"


def _per(value: float, cost: float) -> float | None:
    return round(value / cost, 2) if cost > 0 else None


def step_line(step: Step, currency: str, names: int = 5) -> str:
    """'+500 USD: +3 customers, +14 value: Acme, Globex, Initech; gives up Foo'; in a team,
    per traveller who changes: '...: Dana +2 (Acme, Globex; 1 from colleagues), Lee -1
    (gives up Bar; 1 to colleagues)' (who takes what over is in comparison_dicts). A step
    that changes the extension days names them: '+251.89 USD (+ Tuesday 1 Dec before the
    show): +4 customers, ...'."""
    def listed(items: tuple[str, ...] | list[str]) -> str:
        more = f" and {len(items) - names} more" if len(items) > names else ""
        return ", ".join(items[:names]) + more

    days = [f"{sign} {extension_words(changed)}" for sign, changed in (("+", step.extension_gained),
                                                                        ("-", step.extension_lost)) if changed]
    bought = f" ({', '.join(days)})" if days else ""
    text = (f"+{step.extra_budget:,.2f} {currency}{bought}: {step.extra_visits:+d} customers, "
            f"{step.extra_value:+,.0f} value")
    if step.by_traveller:
        parts = [_traveller_part(t, listed) for t in step.by_traveller if t.changed]
        return printable(text + (": " + ", ".join(parts) if parts else ""))
    if step.gained:
        text += f": {listed(step.gained)}"
    if step.lost:
        text += f"; gives up {listed(step.lost)}"
    return printable(text)


def _traveller_part(part: TravellerStep, listed: Callable[[list[str]], str]) -> str:
    """'Lee -1 (Acme; gives up Bar; 2 from colleagues, 3 to colleagues)': one traveller's
    change in a step, the customers new to the team and given up by name, the ones that
    change hands within the team counted."""
    pieces = [listed(list(part.gained))] if part.gained else []
    if part.lost:
        pieces.append(f"gives up {listed(list(part.lost))}")
    moves = [f"{len(moved)} {way} colleagues" for moved, way in ((part.taken, "from"), (part.handed, "to")) if moved]
    if moves:
        pieces.append(", ".join(moves))
    return f"{part.traveller} {part.extra_visits:+d} ({'; '.join(pieces)})"


def render_comparison(comparison: Comparison, console: Console, only_breakpoints: bool = False) -> None:
    """The side-by-side table, then what each step up buys."""
    breakpoints = set(comparison.breakpoints)
    pairs = list(zip(comparison.rows, comparison.steps()))
    if only_breakpoints:
        shown = [r for r in comparison.rows if r.budget in breakpoints or r.plan is None]
        pairs = list(zip(shown, Comparison(comparison.scenario, comparison.currency, tuple(shown)).steps()))
    _line(console, f"{printable(comparison.scenario)}: {len(comparison.rows)} budget(s) solved"
          + (f", {len(pairs)} shown (where the value changes)" if only_breakpoints else ""), "bold")
    marginal = dict(zip((r.budget for r in comparison.rows), comparison.marginal_values()))
    table = Table(show_edge=False)
    for column in ("budget", "value", "visited", "cost", "ext. days\nbefore+after", "drive km", "drive h",
                   "value/$", "marginal\nvalue/$", ""):
        table.add_column(column, justify="right" if column else "left")
    for row, _ in pairs:
        mark = "breakpoint" if row.budget in breakpoints else ""
        if row.plan is None:
            table.add_row(f"{row.budget:,.2f}", *["-"] * 8, _cell(f"{row.status}: {row.reason}"))
            continue
        p = row.plan
        per, more = _per(p.value, p.cost), marginal[row.budget]
        table.add_row(f"{row.budget:,.2f}", f"{p.value:,.0f}", str(p.visited), f"{p.cost:,.2f}",
                      f"{p.extension_before}+{p.extension_after}", f"{p.drive_km:,.1f}",
                      f"{p.drive_minutes / 60:.1f}", "-" if per is None else f"{per:,.1f}",
                      _rate(more), mark)
    console.print(table)
    lines = [step_line(step, comparison.currency) for row, step in pairs
             if step is not None and row.plan is not None
             and (step.gained or step.lost or step.extension_gained or step.extension_lost
                  or any(t.changed for t in step.by_traveller))]
    if lines:
        console.print()
        for line in lines:
            _line(console, f"  {line}")
    if comparison.unsolved:
        _line(console, f"not solved (interrupted): {', '.join(f'{b:,.2f}' for b in comparison.unsolved)}", "yellow")
