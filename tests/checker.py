"""An independent plan checker, written from the user documentation (docs/scenario.md, docs/plan-json.md).

It reads a plan in the contract's JSON form and the typed scenario (the loader is tested
on its own), and recomputes everything else itself: distances, travel and driving
minutes, windows, commitments, driving caps, costs, budget and totals. It imports
nothing from tripopt's solver, compiler or decoder. A leg between two different customers
takes at least the buffer even when both are at one point (0 km, no driving); a leg within
one place to or from anything else (a commitment, an event, the day's start or end) takes 0.

Time is real time (docs/time-zones.md): every plan time must carry the offset its
instant has in the scenario's zone, durations are differences of instants, and a clock
time of the scenario (day hours, windows, commitments) is the first instant at which the
local clock shows it or a later time, found here by scanning the clock minute by minute
(`instant`), not by the compiler's arithmetic. A day's times are minutes since the first
instant of that local day (`day_minute`), which is the clock's minute of day on days
without a clock change.

Events (section 7): an event stop is at its place for exactly its time, by a traveller who
may attend it, at most once in the plan, with its cost; its `met` lists exactly its
attendees who are not visited and not met at an earlier attended event (events ordered by
their start, one time by the scenario's order), and its value is its own plus theirs.
Every customer is visited, met or unvisited, exactly once; a must-visit is visited or met;
the plan's value counts visits, meetings and the events' own values, its cost the events'
costs; `summary.met` counts the customers met, and every event not attended is in
`skipped_events` with a reason.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

EARTH_KM = 6371.0088
MINUTE = timedelta(minutes=1)


def leg_km(a: tuple[float, float], b: tuple[float, float], detour: float) -> float:
    if a == b:
        return 0.0
    (lat1, lon1), (lat2, lon2) = (map(math.radians, a)), (map(math.radians, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(min(1.0, h))) * detour


def leg_minutes(a, b, travel, customers: bool = False) -> tuple[int, int]:
    """(driving minutes, travel minutes incl. buffer) per the contract's default model:
    the buffer on a leg between distinct places, and on a leg between two different
    customers (`customers`) even at one place (docs/scenario.md, travel model)."""
    if a == b:
        return 0, travel.buffer_minutes if customers else 0
    drive = math.ceil(leg_km(a, b, travel.detour_factor) / travel.speed_kmh * 60 - 1e-7)
    return drive, drive + travel.buffer_minutes


@cache
def _offsets(zone: str, day: date) -> tuple[timedelta, ...]:
    """The UTC offsets the zone uses from the day before `day` to the day after (sampled
    every 10 minutes: no offset lasts less)."""
    tz, first = ZoneInfo(zone), datetime.combine(day - timedelta(days=1), time(), tzinfo=UTC)
    return tuple(sorted({(first + k * 10 * MINUTE).astimezone(tz).utcoffset() for k in range(4 * 144)}))


@cache
def instant(zone: str, day: date, wall_minute: int) -> datetime:
    """The instant (UTC) a clock time of `day` (minutes after 00:00 on the clock, 1440 the
    next midnight) stands for: the first whole minute at which the local clock shows that
    time or a later one. Scanned from the earliest instant that could show it."""
    tz = ZoneInfo(zone)
    wall = datetime.combine(day, time()) + wall_minute * MINUTE
    moment = (wall - max(_offsets(zone, day))).replace(tzinfo=UTC)
    while moment.astimezone(tz).replace(tzinfo=None) < wall:
        moment += MINUTE
    return moment


def day_minute(zone: str, day: date, wall_minute: int) -> int:
    """A clock time of `day` as real minutes since the day's first instant."""
    return round((instant(zone, day, wall_minute) - instant(zone, day, 0)) / MINUTE)


def open_windows(customer, zone: str, day: date) -> list[tuple[int, int]]:
    """A customer's open windows on `day` in real minutes since the day's first instant
    (windows a skipped hour makes touch are one: the customer is open throughout)."""
    merged: list[tuple[int, int]] = []
    for o, e in customer.hours.windows_on(day):
        o, e = day_minute(zone, day, o), day_minute(zone, day, e)
        if merged and o <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((o, e))
    return merged


def local_text(zone: str, day: date, minute: int) -> str:
    """Real minutes since the first instant of `day` as the plan writes a time: ISO 8601
    with the offset that instant has."""
    return (instant(zone, day, 0) + minute * MINUTE).astimezone(ZoneInfo(zone)).isoformat()


class PlanError(AssertionError):
    pass


class _Member:
    """A traveller as the contract defines one (docs/scenario.md, travellers): without a
    team, the one traveller of `trip` and `base`."""

    def __init__(self, name, base, arrive, depart, day_start, day_end, max_drive, lunch=None):
        self.name, self.base, self.arrive, self.depart = name, base, arrive, depart
        self.day_start, self.day_end, self.max_drive = day_start, day_end, max_drive
        self.lunch = lunch  # (open, close, length) in clock minutes, or None


def team_of(scenario) -> list[_Member]:
    trip = scenario.trip
    given = getattr(scenario, "travellers", ())
    lunch = lambda spec: None if spec is None else (spec.open_minute, spec.close_minute, spec.length_minutes)
    if not given:
        return [_Member("", scenario.base, trip.arrive, trip.depart, trip.day_start_minute, trip.day_end_minute,
                        trip.max_drive_minutes, lunch(getattr(trip, "lunch", None)))]
    return [_Member(t.name, t.base, t.arrive, t.depart, t.day_start_minute, t.day_end_minute, t.max_drive_minutes,
                    lunch(getattr(t, "lunch", None))) for t in given]


def _lunch_room(free: int, begin: int, travel: int, window: tuple[int, int], length: int) -> bool:
    """Is there room for a lunch of `length` inside `window` (real minutes) in a gap that is
    free from `free` to `begin` and must also hold `travel` minutes of driving, the lunch
    overlapping neither (docs/scenario.md, lunch)?"""
    return begin - free >= travel + length and max(free, window[0]) + length <= min(window[1], begin)


def _check_lunch(day, stops, lunch, gaps, fixed, span, fail) -> None:
    """One lunch, wholly inside `between`, on a day with any stop; none only where it is
    impossible: the day's own hours (`span`) or its fixed-time stops (`fixed`: (free from,
    busy from, travel) gaps between commitments and events, start and end included) leave
    no room for it. `gaps` are (free from, busy from, travel, lunch or None) of the plan."""
    taken = [g[3] for g in gaps if g[3] is not None]
    if lunch is None:
        if taken:
            fail(f"{day}: a lunch, but the traveller has none")
        return
    window, length = lunch
    if len(taken) > 1:
        fail(f"{day}: {len(taken)} lunches")
    busy = any(s["type"] not in ("start", "end", "lunch") for s in stops)
    if not busy:
        if taken:
            fail(f"{day}: a lunch on a day with nothing in it")
        return
    if not taken:
        inside = (max(span[0], window[0]), min(span[1], window[1]))
        if inside[1] - inside[0] >= length and any(_lunch_room(f, b, t, inside, length) for f, b, t in fixed):
            fail(f"{day}: no lunch, although the commitments leave room for one")
        return
    for free, begin, travel, eaten in gaps:
        if eaten is None:
            continue
        start, end = eaten
        if end - start != length:
            fail(f"{day}: lunch lasts {end - start} min, not {length}")
        if start < window[0] or end > window[1]:
            fail(f"{day}: lunch {start}-{end} is outside {window}")
        if start < free or end > begin or begin - free < travel + length:
            fail(f"{day}: lunch {start}-{end} overlaps a meeting or the drive ({free}-{begin}, {travel} min)")


def _minutes_of_day(moment: str, day: date, zone: str) -> int:
    """A plan time as real minutes since the first instant of `day`; it must carry its
    instant's offset in the zone and lie on that day."""
    t = datetime.fromisoformat(moment)
    if t.utcoffset() is None:
        raise PlanError(f"{moment} has no UTC offset")
    local = t.astimezone(ZoneInfo(zone))
    if local.utcoffset() != t.utcoffset():
        raise PlanError(f"{moment}: the offset in {zone} at that instant is {local.isoformat()[-6:]}")
    if local.date() != day and t != instant(zone, day + timedelta(days=1), 0):
        raise PlanError(f"{moment} is not on {day}")
    minutes = (t - instant(zone, day, 0)) / MINUTE
    if minutes != int(minutes):
        raise PlanError(f"{moment} is not on a whole minute of the day")
    return int(minutes)


def check_plan(plan: dict, scenario) -> None:
    """Raise PlanError (an AssertionError) naming the first broken rule."""
    def fail(message: str) -> None:
        raise PlanError(message)

    if plan.get("format") != "tripopt.plan/1" or plan.get("status") != "feasible":
        fail("wrong format or status")
    trip, travel, zone = scenario.trip, scenario.travel, scenario.timezone
    places = scenario.places
    customers = {c.name: c for c in scenario.customers}
    team = {m.name: m for m in team_of(scenario)}
    order = list(team)
    days = plan["days"]
    keys = [(d.get("traveller", ""), date.fromisoformat(d["date"])) for d in days]
    if any(who not in team for who, _ in keys):
        fail(f"a day of an unknown traveller: {sorted({w for w, _ in keys} - set(team))}")
    if keys != sorted(keys, key=lambda k: (order.index(k[0]), k[1])) or len(set(keys)) != len(keys):
        fail("days out of order (by traveller, then date) or repeated")
    if len(team) > 1 and "traveller" not in (days[0] if days else {"traveller": ""}):
        fail("a team's days must name their traveller")
    dates = sorted({day for _, day in keys})
    first_possible = trip.start - timedelta(days=trip.extend_before.days)
    last_possible = trip.end + timedelta(days=trip.extend_after.days)
    if not dates or dates[0] < first_possible or dates[-1] > last_possible:
        fail("days outside the trip")
    first_day = min(dates[0], trip.start)
    last_day = max(dates[-1], trip.end)
    before, after = (trip.start - first_day).days, (last_day - trip.end).days
    for d in days:
        is_ext = not trip.start <= date.fromisoformat(d["date"]) <= trip.end
        if d["extension"] != is_ext:
            fail(f"{d['date']}: extension flag is wrong")
    seen_customers: list[str] = []
    seen_commitments: list[tuple[str, str]] = []
    events = list(getattr(scenario, "events", ()))
    attended: list[tuple[date, int, int, dict]] = []  # (day, start minute, event index, stop)
    total_km = 0.0
    visit_costs = 0.0
    for d in days:
        day = date.fromisoformat(d["date"])
        member = team[d.get("traveller", "")]
        stops = d["stops"]
        trailing = stops[-1] if stops[-1]["type"] == "lunch" else None  # eaten after arriving back
        if stops[0]["type"] != "start" or stops[-2 if trailing else -1]["type"] != "end":
            fail(f"{day}: a day must begin with a start and end with an end stop (and maybe lunch after it)")
        start_key, start_min = member.base, member.day_start
        end_key, end_min = member.base, member.day_end
        if day == first_day and member.arrive is not None:
            start_key, start_min = member.arrive.place, member.arrive.minute_of_day
        if day == last_day and member.depart is not None:
            end_key, end_min = member.depart.place, member.depart.minute_of_day
        start_min, end_min = day_minute(zone, day, start_min), day_minute(zone, day, end_min)
        start_pt = (places[start_key].lat, places[start_key].lon)
        end_pt = (places[end_key].lat, places[end_key].lon)
        last = stops[-2 if trailing else -1]
        if (stops[0]["lat"], stops[0]["lon"]) != start_pt or (last["lat"], last["lon"]) != end_pt:
            fail(f"{day}: starts or ends at the wrong place")
        now = _minutes_of_day(stops[0]["depart"], day, zone)
        if now < start_min:
            fail(f"{day}: leaves before {start_min}")
        prev, prev_visit = start_pt, None
        drive_day = 0
        gaps, eaten = [], None  # (free from, busy from, travel, lunch) of each leg; the lunch since the last stop
        fixed, fixed_from, fixed_at = [], start_min, start_pt  # the same between fixed-time stops only
        for stop in stops[1:]:
            if stop["type"] == "lunch":
                if eaten is not None or set(stop) - {"type", "start", "end"} - {"name"}:
                    fail(f"{day}: a second lunch in one gap, or a lunch with more than its times")
                eaten = (_minutes_of_day(stop["start"], day, zone), _minutes_of_day(stop["end"], day, zone))
                continue
            here = (stop["lat"], stop["lon"])
            between = stop["type"] == "visit" and prev_visit not in (None, stop["name"])
            drive, minutes = leg_minutes(prev, here, travel, between)
            drive_day += drive
            total_km += leg_km(prev, here, travel.detour_factor)
            arrive = _minutes_of_day(stop["arrive"], day, zone)
            lunch_first = eaten is not None and eaten[0] < arrive  # eaten before arriving (or on the way)
            if arrive < now + minutes + (eaten[1] - eaten[0] if lunch_first and eaten else 0):
                fail(f"{day} {stop['name']}: arrives at {arrive}, but the leg takes {minutes} from {now}"
                     f"{' and lunch before it' if lunch_first else ''}")
            if stop["travel_minutes"] < minutes:
                fail(f"{day} {stop['name']}: travel_minutes understated")
            if stop["type"] == "end":
                if arrive > end_min:
                    fail(f"{day}: back at {arrive}, after {end_min}")
                if eaten is not None and eaten[0] >= arrive:
                    fail(f"{day}: a lunch after arriving back is listed after the end stop")
                if trailing is not None:
                    if eaten is not None:
                        fail(f"{day}: two lunches")
                    eaten = (_minutes_of_day(trailing["start"], day, zone), _minutes_of_day(trailing["end"], day, zone))
                    if eaten[0] < arrive or set(trailing) - {"type", "start", "end", "name"}:
                        fail(f"{day}: the lunch after the end stop begins before arriving back, or has more "
                             "than its times")
                gaps.append((now, arrive if trailing is None else end_min, minutes, eaten))
                fixed.append((fixed_from, end_min, leg_minutes(fixed_at, end_pt, travel)[1]))
                break
            begin, finish = _minutes_of_day(stop["start"], day, zone), _minutes_of_day(stop["end"], day, zone)
            if begin < arrive:
                fail(f"{day} {stop['name']}: starts before arriving")
            gaps.append((now, begin, minutes, eaten))
            eaten = None
            if stop["type"] in ("commitment", "event"):
                fixed.append((fixed_from, begin, leg_minutes(fixed_at, here, travel)[1]))
                fixed_from, fixed_at = finish, here
            if stop["type"] == "visit":
                c = customers.get(stop["name"])
                if c is None:
                    fail(f"unknown customer {stop['name']}")
                if (c.lat, c.lon) != here:
                    fail(f"{c.name}: visited at the wrong place")
                if getattr(c, "travellers", ()) and member.name not in c.travellers:
                    fail(f"{c.name}: visited by {member.name}, who may not visit it")
                if finish - begin != c.meeting_minutes:
                    fail(f"{c.name}: meeting is {finish - begin} min, not {c.meeting_minutes}")
                if not any(o <= begin and finish <= e for o, e in open_windows(c, zone, day)):
                    fail(f"{c.name}: {begin}-{finish} on {day} is outside every window")
                if abs(stop["value"] - c.value) > 1e-9:
                    fail(f"{c.name}: wrong value")
                visit_costs += c.cost
                seen_customers.append(c.name)
            elif stop["type"] == "commitment":
                k = next((k for k in scenario.commitments if k.name == stop["name"] and k.day == day
                          and binds(k, member)), None)
                if k is None:
                    fail(f"unknown commitment {stop['name']} on {day} (for {member.name or 'the traveller'})")
                if (begin, finish) != (day_minute(zone, day, k.start_minute), day_minute(zone, day, k.end_minute)):
                    fail(f"{k.name}: not at its exact time")
                if (places[k.place].lat, places[k.place].lon) != here:
                    fail(f"{k.name}: not at its place")
                seen_commitments.append((k.name, day.isoformat(), member.name))
            elif stop["type"] == "event":
                index = next((i for i, e in enumerate(events) if e.name == stop["name"]), None)
                if index is None:
                    fail(f"unknown event {stop['name']}")
                e = events[index]
                if e.day != day:
                    fail(f"event {e.name} attended on {day}, not on its date {e.day}")
                if getattr(e, "who", ()) and member.name not in e.who:
                    fail(f"event {e.name} attended by {member.name}, who may not attend it")
                if (begin, finish) != (day_minute(zone, day, e.start_minute), day_minute(zone, day, e.end_minute)):
                    fail(f"event {e.name}: not at its exact time")
                if (places[e.place].lat, places[e.place].lon) != here:
                    fail(f"event {e.name}: not at its place")
                if abs(stop["cost"] - e.cost) > 1e-9:
                    fail(f"event {e.name}: cost {stop['cost']}, not {e.cost}")
                attended.append((day, begin, index, stop))
            else:
                fail(f"unknown stop type {stop['type']}")
            now, prev = finish, here
            prev_visit = stop["name"] if stop["type"] == "visit" else None
        if member.max_drive is not None and drive_day > member.max_drive:
            fail(f"{day}: drives {drive_day} min, over the cap {member.max_drive}")
        lunch = None if member.lunch is None else \
            ((day_minute(zone, day, member.lunch[0]), day_minute(zone, day, member.lunch[1])), member.lunch[2])
        _check_lunch(day, stops, lunch, gaps, fixed, (start_min, end_min), fail)
    # every commitment kept exactly once by each traveller it binds, every customer accounted for once
    expected = sorted((k.name, k.day.isoformat(), m.name) for k in scenario.commitments for m in team.values()
                      if binds(k, m))
    if sorted(seen_commitments) != expected:
        fail(f"commitments kept {sorted(seen_commitments)} != {expected}")
    met = _check_events(plan, events, attended, customers, set(seen_customers))
    unvisited = [u["name"] for u in plan["unvisited"]]
    if sorted(seen_customers + met + unvisited) != sorted(customers):
        fail("customers are not each accounted for exactly once (visited, met or unvisited)")
    for name in customers:
        if customers[name].must_visit and name not in seen_customers and name not in met:
            fail(f"must-visit {name} is neither visited nor met")
    for u in plan["unvisited"]:
        _check_reason(u, customers[u["name"]], scenario, "changes" in plan)
    # money and totals
    real_cost = scenario.per_km_cost * total_km + visit_costs + \
        (before * trip.extend_before.cost + after * trip.extend_after.cost) * len(team)  # per traveller
    real_cost += sum(events[index].cost for _, _, index, _ in attended)
    summary = plan["summary"]
    if summary["cost"] < real_cost - 0.01:
        fail(f"reported cost {summary['cost']} understates the real cost {real_cost:.4f}")
    legs = sum(len(d["stops"]) for d in days)
    if summary["cost"] > real_cost + 0.01 * legs + 0.01:
        fail(f"reported cost {summary['cost']} overstates the real cost {real_cost:.4f}")
    if scenario.budget is not None and real_cost > scenario.budget + 1e-6:
        fail(f"cost {real_cost:.2f} is over the budget {scenario.budget}")
    value = sum(customers[n].value for n in seen_customers) + sum(customers[n].value for n in met) + \
        sum(events[index].value for _, _, index, _ in attended)
    if abs(summary["value"] - value) > 1e-6 or summary["visited"] != len(seen_customers):
        fail("summary value or count is wrong")
    if events and summary.get("met") != len(met):
        fail(f"summary met is {summary.get('met')}, not {len(met)}")
    if summary["candidates"] != len(customers):
        fail("summary candidates is wrong")


def _check_events(plan: dict, events: list, attended: list, customers: dict, visited: set[str]) -> list[str]:
    """The attended events' `met` lists and values, at most one traveller per event, and
    `skipped_events` naming every other event once; returns the customers met."""
    names = [events[index].name for _, _, index, _ in attended]
    if len(set(names)) != len(names):
        raise PlanError(f"an event is attended more than once: {sorted(names)}")
    met: list[str] = []
    for _, _, index, stop in sorted(attended, key=lambda a: a[:3]):
        e = events[index]
        expected = [a for a in e.attendees if a not in visited and a not in met]
        if sorted(stop.get("met", [])) != sorted(expected) or len(set(stop.get("met", []))) != len(expected):
            raise PlanError(f"event {e.name}: met {stop.get('met')}, expected {expected}")
        met.extend(expected)
        value = e.value + sum(customers[a].value for a in expected)
        if abs(stop["value"] - value) > 1e-6:
            raise PlanError(f"event {e.name}: value {stop['value']}, expected {value}")
    skipped = plan.get("skipped_events", [])
    if events or skipped:
        expected_skipped = sorted(e.name for e in events if e.name not in names)
        if sorted(s["name"] for s in skipped) != expected_skipped:
            raise PlanError(f"skipped_events {sorted(s['name'] for s in skipped)} != {expected_skipped}")
        if any(not s.get("reason") for s in skipped):
            raise PlanError("a skipped event has no reason")
    return met


def binds(commitment, member: _Member) -> bool:
    """A commitment binds the travellers in its `who`, or everyone."""
    who = getattr(commitment, "who", ())
    return not who or member.name in who


def _check_reason(entry: dict, customer, scenario, replanned: bool = False) -> None:
    """The codes are claims; check the ones that need no search."""
    trip = scenario.trip
    days = [trip.start - timedelta(days=trip.extend_before.days) + timedelta(days=i)
            for i in range((trip.end - trip.start).days + 1 + trip.extend_before.days + trip.extend_after.days)]
    has_window = any(e - o >= customer.meeting_minutes for d in days
                     for o, e in open_windows(customer, scenario.timezone, d))
    if entry["code"] == "no_availability" and has_window:
        raise PlanError(f"{customer.name}: claimed no_availability, but it has a long enough window")
    if entry["code"] != "no_availability" and not has_window:
        raise PlanError(f"{customer.name}: has no window, but the code is {entry['code']}")
    if entry["code"] == "no_value" and (customer.value != 0 or customer.must_visit):
        raise PlanError(f"{customer.name}: claimed no_value, but its value is {customer.value}")
    if entry["code"] == "passed" and not replanned:
        raise PlanError(f"{customer.name}: claimed passed in a plan that is no re-plan")
    if entry["code"] == "lunch" and all(m.lunch is None for m in team_of(scenario)):
        raise PlanError(f"{customer.name}: claimed lunch, but nobody has a lunch")
    if entry["code"] not in ("no_availability", "conflicts", "too_far", "lunch", "over_budget", "lower_value",
                             "no_value", "cancelled", "passed"):  # cancelled, passed: a re-plan's
        raise PlanError(f"{customer.name}: unknown code {entry['code']}")
    if not entry["reason"]:
        raise PlanError(f"{customer.name}: empty reason")
