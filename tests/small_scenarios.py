"""Small random scenarios, for comparing the solver with the brute force (tests/bruteforce.py).

One drawing procedure, `draw_spec(pick)`, writes down a scenario as a plain dict (the keyword
arguments of scenario_factory.write_scenario, so it reads as the scenario itself). It draws
through a tiny `pick` interface, so the same procedure serves
- pytest with hypothesis: `small_scenarios()` is a strategy (shrinks like any composite), and
- the benchmark: `random_spec(seed)` draws with `random.Random(seed)` (no hypothesis involved,
  so a seed names the same scenario whatever hypothesis version is installed).
`write_spec(folder, spec)` turns a drawn dict into a real YAML scenario file for
`tripopt.load_scenario(path)`.

What is drawn (trip days: Mon 2026-10-05 on; extension days reach Sun 10-04 / Sat 10-03 and
Thu, Fri after a three-day trip):
- 3-7 customers around Chicago (some at the venue or the hotel, some sharing a location);
  values from {0, 1, 2, 3, 5, 8, 13, 20, 50} (0 often), per-visit costs from {0, 5, 20, 40};
  meetings of 15 min to 2 h (written as "45min", "1h30m" or a bare number, or left to the
  defaults); 0-2 of them must-visit.
- windows: Mon-Fri office hours (written or by default), a narrow window barely longer than the
  meeting, two windows a day ("09:00-11:00 14:00-17:00"), some weekdays only, Sunday only, and
  a clause for one date (alone or added to a weekday clause).
- 1-3 days, day hours 07:00-09:00 to 16:00-20:00, 0-2 commitments (never overlapping, the
  loader rejects that) on random days at the venue, hotel, airport or an `office` place.
- a lunch (one time in four: 11:30-14:00 for 45 min, 12:00-13:00 for 1 h, 11:00-15:00 for 30 min),
- optional arrival and departure (airport or venue), driving cap (None or 30 min to 2.5 h),
  budget (None or 5-90), extension days (1-2 before and/or after, costing 0-100 each), and
  varied speeds, detours, buffers and per-km costs (0 included).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import yaml

from .checker import leg_km
from .scenario_factory import BASE, write_scenario

START = date(2026, 10, 5)  # a Monday
CENTER = (41.88, -87.63)
VALUES = [0, 0, 0, 1, 2, 3, 5, 8, 13, 20, 50]
COSTS = [0, 0, 0, 5, 20, 40]
MEETINGS = [15, 30, 45, 60, 90, 120]


class RandomPick:
    """The pick interface over random.Random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def int(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def choice(self, options):
        return options[self.rng.randrange(len(options))]

    def float(self, lo: float, hi: float) -> float:
        return self.rng.uniform(lo, hi)


class HypothesisPick:
    """The pick interface over hypothesis' `draw` (of st.composite or st.data())."""

    def __init__(self, draw) -> None:
        from hypothesis import strategies as st

        self.draw, self.st = draw, st

    def int(self, lo: int, hi: int) -> int:
        return self.draw(self.st.integers(lo, hi))

    def choice(self, options):
        return self.draw(self.st.sampled_from(list(options)))

    def float(self, lo: float, hi: float) -> float:
        return self.draw(self.st.floats(lo, hi, allow_nan=False, allow_infinity=False))


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _meeting_text(pick, minutes: int):
    style = pick.choice(["min", "min", "hm", "bare"])
    if style == "bare":
        return minutes
    if style == "hm" and minutes >= 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    return f"{minutes}min"


def _hours(pick, meeting: int, possible_days: list[date]):
    """A `hours` text, or None to leave it to the defaults (Mon-Fri 09:00-17:00)."""
    kind = pick.choice(["office", "office", "default", "narrow", "narrow", "two", "two", "weekdays", "date",
                        "date_plus", "sunday"])
    if kind == "office":
        return "Mon-Fri 09:00-17:00"
    if kind == "default":
        return None
    if kind == "narrow":
        start = pick.int(16, 32) * 30  # 08:00 .. 16:00
        slack = pick.choice([0, 0, 10, 15, 30, 60])
        days = pick.choice(["Mon-Fri", "Mon", "Tue", "Wed", "Mon,Wed"])
        return f"{days} {_clock(start)}-{_clock(min(start + meeting + slack, 23 * 60 + 59))}"
    if kind == "two":
        first = pick.int(16, 20) * 30  # 08:00 .. 10:00
        second = pick.int(26, 30) * 30  # 13:00 .. 15:00
        return (f"Mon-Fri {_clock(first)}-{_clock(first + pick.choice([60, 90, 120, 180]))} "
                f"{_clock(second)}-{_clock(second + pick.choice([60, 120, 180]))}")
    if kind == "weekdays":
        return f"{pick.choice(['Tue,Thu', 'Wed', 'Mon-Tue', 'Fri'])} " \
               f"{pick.choice(['08:00-12:00', '13:00-18:00', '10:00-16:00'])}"
    if kind == "sunday":
        return "Sun 10:00-16:00"
    day = pick.choice(possible_days).isoformat()
    start = pick.int(16, 34) * 30  # 08:00 .. 17:00
    clause = f"{day} {_clock(start)}-{_clock(min(start + pick.choice([60, 120, 240]), 23 * 60))}"
    if kind == "date":
        return clause
    return f"{pick.choice(['Tue,Thu 10:00-12:00', 'Mon 14:00-17:00', 'Wed-Fri 09:00-11:00'])}; {clause}"


def draw_spec(pick) -> dict:
    """A small scenario as write_scenario's keyword arguments (customers included)."""
    days = pick.int(1, 3)
    trip: dict = {"start": START.isoformat(), "end": (START + timedelta(days=days - 1)).isoformat(),
                  "day": {"start": pick.choice(["07:00", "08:00", "08:00", "09:00"]),
                          "end": pick.choice(["16:00", "18:00", "18:00", "20:00"])}}
    spec: dict = {"trip": trip}
    office = {"lat": round(CENTER[0] + pick.float(-0.2, 0.2), 4), "lon": round(CENTER[1] + pick.float(-0.2, 0.2), 4)}
    spec["places"] = {"office": office}

    extend = pick.choice([None, None, None, "before", "after", "both"])
    before = after = 0
    if extend is not None:
        trip["extend"] = {}
        for side in ("before", "after"):
            if extend in (side, "both"):
                count = pick.choice([1, 1, 2])
                trip["extend"][side] = {"days": count, "cost": pick.choice([0, 25, 100])}
                before, after = (count, after) if side == "before" else (before, count)
    possible_days = [START + timedelta(days=i) for i in range(-before, days + after)]

    customers = []
    for i in range(pick.int(3, 7)):
        c: dict = {"name": f"c{i}"}
        where = pick.choice(["coords"] * 8 + ["venue", "hotel", "same"])
        if where == "same" and customers and "lat" in customers[-1]:
            c["lat"], c["lon"] = customers[-1]["lat"], customers[-1]["lon"]
        elif where in ("venue", "hotel"):
            c["place"] = where
        else:
            c["lat"] = round(CENTER[0] + pick.float(-0.22, 0.22), 4)
            c["lon"] = round(CENTER[1] + pick.float(-0.28, 0.28), 4)
        c["value"] = pick.choice(VALUES)
        meeting = pick.choice(MEETINGS + [None])
        if meeting is not None:
            c["meeting"] = _meeting_text(pick, meeting)
        hours = _hours(pick, meeting or 60, possible_days)
        if hours is not None:
            c["hours"] = hours
        cost = pick.choice(COSTS)
        if cost:
            c["cost"] = cost
        customers.append(c)
    for _ in range(pick.choice([0, 0, 0, 1, 1, 2])):
        must = customers[pick.int(0, len(customers) - 1)]
        must["must_visit"] = True
        hours = pick.choice(["keep", "Mon-Fri 09:00-17:00", "Mon-Fri 08:00-12:00 13:00-18:00", "default"])
        if hours == "default":  # else most must-visits make the scenario infeasible
            must.pop("hours", None)
        elif hours != "keep":
            must["hours"] = hours
    spec["customers"] = customers

    arrive = pick.choice([None, None, "airport", "venue"])
    if arrive:
        trip["arrive"] = {"place": arrive, "time": pick.choice(["07:30", "09:00", "11:00", "13:00"])}
    depart = pick.choice([None, None, "airport", "venue"])
    if depart:
        trip["depart"] = {"place": depart, "time": pick.choice(["15:00", "17:00", "19:00"])}

    commitments = []
    for k in range(pick.choice([0, 0, 1, 1, 2])):
        index = pick.int(0, days - 1)
        day = (START + timedelta(days=index)).isoformat()
        lo, hi = _minute(trip["day"]["start"]) + 30, _minute(trip["day"]["end"]) - 30
        if index == 0 and arrive:
            lo = max(lo, _minute(trip["arrive"]["time"]) + 60)
        if index == days - 1 and depart:
            hi = min(hi, _minute(trip["depart"]["time"]) - 60)
        length = pick.choice([30, 60, 90, 120, 180])
        if hi - lo < length:
            continue
        start = lo + pick.int(0, (hi - lo - length) // 30) * 30
        end = start + length
        if any(o["date"] == day and start < _minute(o["end"]) and _minute(o["start"]) < end for o in commitments):
            continue  # the loader rejects overlapping commitments
        commitments.append({"name": f"k{k}", "place": pick.choice(["venue", "venue", "venue", "hotel", "office"]),
                            "date": day, "start": _clock(start), "end": _clock(end)})
    if commitments:
        spec["commitments"] = commitments

    cap = pick.choice([None, None, None, None, 60, 90, 150, 240])
    if cap:
        trip["max_drive"] = f"{cap}min"
    spec["travel"] = {"speed_kmh": pick.choice([30, 40, 50, 60]), "detour_factor": pick.choice([1.2, 1.3, 1.4]),
                      "buffer": pick.choice(["0min", "5min", "10min", "15min"])}
    spec["costs"] = {"per_km": pick.choice([0.5, 0.5, 0.35, 1.0, 0.0])}
    slack = pick.choice([None, None, None, 0, 5, 10, 20, 40, 80])
    if slack is not None:  # a budget that binds: what the fixed part needs, roughly, plus a little
        spec["budget"] = round(_overhead(spec) + slack)
    lunch = pick.choice([None, None, None, ("11:30-14:00", "45min"), ("12:00-13:00", "1h"), ("11:00-15:00", "30min")])
    if lunch is not None:  # drawn last: the scenarios a seed named before lunch existed keep their other draws
        trip["lunch"] = {"between": lunch[0], "length": lunch[1]}
    return spec


def _overhead(spec: dict) -> float:
    """A rough cost of what every plan pays: arrival and departure transfers, a round trip from
    the base to each commitment and each must-visit, their visit costs (extension days aside)."""
    places = {**BASE, **spec["places"]}
    point = lambda key: (places[key]["lat"], places[key]["lon"])
    base = point("hotel")
    detour = spec["travel"]["detour_factor"]
    km = 0.0
    trip = spec["trip"]
    for end in (trip.get("arrive"), trip.get("depart")):
        if end:
            km += leg_km(point(end["place"]), base, detour)
    for k in spec.get("commitments", []):
        km += 2 * leg_km(point(k["place"]), base, detour)
    visits = 0.0
    for c in spec["customers"]:
        if c.get("must_visit"):
            at = point(c["place"]) if "place" in c else (c["lat"], c["lon"])
            km += 2 * leg_km(at, base, detour)
            visits += c.get("cost", 0)
    return spec["costs"]["per_km"] * km + visits


def _minute(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def random_spec(seed: int) -> dict:
    """The scenario of one seed, drawn with random.Random (stable across hypothesis versions)."""
    return draw_spec(RandomPick(random.Random(seed)))


def small_scenarios():
    """A hypothesis strategy of scenario specs (dicts for write_spec)."""
    from hypothesis import strategies as st

    return st.composite(lambda draw: draw_spec(HypothesisPick(draw)))()


def write_spec(folder: Path, spec: dict) -> Path:
    """Write a drawn spec as folder/scenario.yaml (real YAML, for tripopt.load_scenario)."""
    rest = {key: value for key, value in spec.items() if key != "customers"}
    return write_scenario(Path(folder), spec["customers"], **rest)


def spec_text(spec: dict) -> str:
    """A spec as YAML, for failure messages (paste into write_spec to reproduce)."""
    return yaml.safe_dump(spec, sort_keys=False)
