from datetime import date, timedelta

import pytest

from tripopt.grammar import parse_clock_minutes, parse_duration_minutes, parse_hours, parse_seconds


@pytest.mark.parametrize("text, minutes", [
    ("90", 90), (90, 90), ("90min", 90), ("1h", 60), ("1h30m", 90), ("2h", 120), ("45min", 45),
    ("1h 30min", 90), ("0", 0), ("1.5h", 90), (" 10min ", 10), ("3h30m", 210),
])
def test_durations(text, minutes):
    assert parse_duration_minutes(text) == minutes


@pytest.mark.parametrize("text", ["", "h", "1h75x", "ten", "-5", "1.01h", True, 1.5, "1:30"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration_minutes(text)


@pytest.mark.parametrize("text, seconds", [("10s", 10), (10, 10), ("2min", 120), ("1.5", 1.5), ("1h", 3600)])
def test_seconds(text, seconds):
    assert parse_seconds(text) == seconds


@pytest.mark.parametrize("text", ["0", "-1s", "soon", False])
def test_bad_seconds(text):
    with pytest.raises(ValueError):
        parse_seconds(text)


def test_clock():
    assert parse_clock_minutes("08:00") == 480
    assert parse_clock_minutes("9:05") == 545
    assert parse_clock_minutes("24:00", allow_24=True) == 1440
    for bad in ("24:00", "25:00", "09:60", "0900", "9h"):
        with pytest.raises(ValueError):
            parse_clock_minutes(bad)


WED, SAT = date(2026, 12, 2), date(2026, 12, 5)


def test_hours_contract_example():
    hours = parse_hours("Mon-Fri 09:00-12:00 13:00-17:00; 2026-12-02 18:00-21:00")
    assert hours.windows_on(WED) == ((540, 720), (780, 1020), (1080, 1260))
    assert hours.windows_on(date(2026, 12, 3)) == ((540, 720), (780, 1020))
    assert hours.windows_on(SAT) == ()


@pytest.mark.parametrize("text, weekdays", [
    ("Tue,Thu 10:00-11:00", {1, 3}), ("Tue, Thu 10:00-11:00", {1, 3}), ("Sat 10:00-11:00", {5}),
    ("Fri-Mon 10:00-11:00", {4, 5, 6, 0}), ("monday-wednesday 10:00-11:00", {0, 1, 2}),
    ("Mon - Wed 10:00-11:00", {0, 1, 2}), ("10:00-11:00", set(range(7))),
])
def test_hours_day_selectors(text, weekdays):
    hours = parse_hours(text)
    monday = date(2026, 11, 30)
    open_days = {d for d in range(7) if hours.windows_on(monday + timedelta(days=d))}
    assert open_days == weekdays


def test_date_clause_adds_to_weekday_clause_and_windows_merge():
    hours = parse_hours("Wed 09:00-12:00; 2026-12-02 11:00-14:00")
    assert hours.windows_on(WED) == ((540, 840),)


@pytest.mark.parametrize("text, fragment", [
    ("Mon-Fry 09:00-17:00", "unknown day 'Fry'"),
    ("Mon 17:00-09:00", "ends before it starts"),
    ("Mon 25:00-26:00", "'25:00'"),
    ("Mon", "no HH:MM-HH:MM window"),
    ("2026-13-01 09:00-10:00", "not a valid date"),
    ("Mon 09:00-10:00 11:00", "expected a window"),
    ("", "empty"),
])
def test_bad_hours(text, fragment):
    with pytest.raises(ValueError) as info:
        parse_hours(text)
    assert fragment in str(info.value)
