"""Meeting requests (`--invites DIR`, docs/cli.md): every file written is read back with
icalendar; its UID is the --ics calendar's for the same stop, its times the plan's, its
ORGANIZER and ATTENDEE the scenario's; a re-plan writes only what changed, with SEQUENCE
counting on through a chain of re-plans; bad input writes nothing."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from tripopt.cli import app

from .conftest import MONDAY, customer_row
from .test_schema import _check_ok, _mutated, _schema_errors

ORGANIZER = {"name": "Dana Reyes", "email": "dana@example.com"}
ROWS = [customer_row(f"C{i}", round(41.87 + 0.012 * (i % 5), 4), round(-87.62 - 0.012 * (i // 5), 4), 10 + i,
                     meeting="40min", notes=f"renewal at risk {i}", email=f"c{i}@customer{i}.example")
        for i in range(14)]
TALK = {"name": "Talk", "place": "venue", "date": "2026-10-06", "start": "13:00", "end": "14:00"}
NOW = "2026-10-05T11:00"


def _run(*args: object) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def _requests(folder: Path) -> dict[str, tuple[str, object]]:
    """Each file in DIR: (its METHOD, its one VEVENT), by file name."""
    found = {}
    for path in sorted(folder.iterdir()):
        calendar = Calendar.from_ical(path.read_bytes())
        events = calendar.walk("VEVENT")
        assert len(events) == 1, path.name
        found[path.name] = (str(calendar["method"]), events[0])
    return found


def _attendees(event) -> dict[str, object]:
    """ATTENDEE addresses (without mailto:) with their parameters."""
    given = event.get("attendee", [])
    return {str(a).removeprefix("mailto:"): a.params for a in (given if isinstance(given, list) else [given])}


def _calendar_uids(path: Path) -> dict[str, str]:
    return {str(e["summary"]): str(e["uid"]) for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT")}


def _visits(document: dict) -> dict[str, dict]:
    return {s["name"]: {**s, "traveller": d.get("traveller", "")} for d in document["days"] for s in d["stops"]
            if s["type"] == "visit"}


@pytest.fixture
def planned(two_days, tmp_path):
    """The 14-account trip planned with --ics, --invites and its JSON."""
    scenario = two_days(ROWS, commitments=[TALK], organizer=ORGANIZER)
    _run("plan", scenario, "--format", "json", "--out", tmp_path / "plan.json", "--ics", tmp_path / "cal.ics",
         "--invites", tmp_path / "invites")
    return scenario, json.loads((tmp_path / "plan.json").read_text())


def test_a_request_per_visit_with_the_calendars_uid_times_organizer_and_attendee(planned, tmp_path):
    _, document = planned
    visits = _visits(document)
    requests = _requests(tmp_path / "invites")
    uids = _calendar_uids(tmp_path / "cal.ics")
    assert len(requests) == len(visits) > 3
    for name, (method, event) in requests.items():
        customer = str(event["summary"]).removeprefix("Visit: ")
        stop = visits[customer]
        assert method == "REQUEST" and name == f"{stop['start'][:10]}_{stop['start'][11:13]}{stop['start'][14:16]}_" \
                                                f"{customer}.ics"
        assert str(event["uid"]) == uids[f"Visit: {customer}"]
        assert event["dtstart"].dt == datetime.fromisoformat(stop["start"])
        assert event["dtend"].dt == datetime.fromisoformat(stop["end"])
        assert event["dtstart"].params["TZID"] == "America/Chicago"
        assert event["sequence"] == 0 and str(event["status"]) == "CONFIRMED"
        assert str(event["organizer"]) == "mailto:dana@example.com" and event["organizer"].params["CN"] == "Dana Reyes"
        people = _attendees(event)
        index = customer[1:]
        guest = people[f"c{index}@customer{index}.example"]
        assert (guest["ROLE"], guest["RSVP"], guest["PARTSTAT"]) == ("REQ-PARTICIPANT", "TRUE", "NEEDS-ACTION")
        assert people["dana@example.com"]["ROLE"] == "CHAIR" and len(people) == 2
        text = str(event["description"])  # what the customer reads: not the traveller's notes or numbers
        assert "renewal at risk" not in text and "Value" not in text and "Dana Reyes" in text


def test_a_replan_sends_updates_for_moved_visits_and_a_cancel_for_the_cancelled(planned, tmp_path):
    scenario, document = planned
    first = _requests(tmp_path / "invites")
    future = sorted((s["start"], n) for n, s in _visits(document).items() if s["start"] >= "2026-10-05T11:00")
    cancelled = future[0][1]
    _run("replan", scenario, "--plan", tmp_path / "plan.json", "--now", NOW, "--cancel", cancelled, "--free",
         "--format", "json", "--out", tmp_path / "new.json", "--invites", tmp_path / "update")
    new = json.loads((tmp_path / "new.json").read_text())
    by_change: dict[str, set[str]] = {}
    for change in new["changes"]:
        by_change.setdefault(change["change"], set()).add(change["name"])
    assert by_change.get("moved"), "the free re-plan should move a visit for this test to mean anything"
    updates = _requests(tmp_path / "update")
    sent = {str(e["summary"]).removeprefix("Visit: "): (m, e) for m, e in updates.values()}
    assert {n for n, (m, _) in sent.items() if m == "CANCEL"} == by_change.get("cancelled", set()) | \
        by_change.get("dropped", set())
    assert {n for n, (m, _) in sent.items() if m == "REQUEST"} == by_change["moved"] | by_change.get("added", set())
    old_uid = {str(e["summary"]).removeprefix("Visit: "): str(e["uid"]) for _, e in first.values()}
    method, cancel = sent[cancelled]
    assert (method, str(cancel["status"]), cancel["sequence"]) == ("CANCEL", "CANCELLED", 1)
    assert str(cancel["uid"]) == old_uid[cancelled] and "c{0}@customer{0}.example".format(cancelled[1:]) in \
        _attendees(cancel)
    assert any(name.endswith("-cancelled.ics") and cancelled in name for name in updates)
    visits = _visits(new)
    for name in by_change["moved"]:
        method, event = sent[name]
        assert (method, event["sequence"], str(event["uid"])) == ("REQUEST", 1, old_uid[name])
        assert event["dtstart"].dt == datetime.fromisoformat(visits[name]["start"])
        assert visits[name]["sequence"] == 1  # the plan's JSON keeps the revision for the next re-plan
    assert [w["name"] for w in new["withdrawn"]] == sorted(by_change.get("cancelled", set()) |
                                                           by_change.get("dropped", set()))


def test_sequence_counts_on_through_a_chain_of_replans(one_day, tmp_path):
    """Cancelled by one re-plan, booked again by the next: its request goes on at 2, and
    every request of the chain is its meeting's previous revision + 1."""
    rows = [customer_row(name, 41.88 + 0.01 * i, -87.64, 10, meeting="30min", email=f"{name.lower()}@x.example")
            for i, name in enumerate(("Acme", "Globex", "Initech"))]
    scenario = one_day(rows, organizer=ORGANIZER)
    plans = [tmp_path / f"plan{i}.json" for i in range(3)]
    _run("plan", scenario, "--format", "json", "--out", plans[0], "--invites", tmp_path / "0")
    now = f"{MONDAY}T08:05"  # before every visit: each can be cancelled, and booked again
    cancelled = min((s["start"], n) for n, s in _visits(json.loads(plans[0].read_text())).items())[1]
    _run("replan", scenario, "--plan", plans[0], "--now", now, "--cancel", cancelled, "--format", "json",
         "--out", plans[1], "--invites", tmp_path / "1")
    _run("replan", scenario, "--plan", plans[1], "--now", now, "--format", "json", "--out", plans[2],
         "--invites", tmp_path / "2")
    ledger: dict[str, int] = {}
    for step in range(3):
        for method, event in _requests(tmp_path / str(step)).values():
            uid, sequence = str(event["uid"]), event["sequence"]
            assert sequence == ledger.get(uid, -1) + 1, (step, method, str(event["summary"]))
            ledger[uid] = sequence
    last = json.loads(plans[2].read_text())
    assert _visits(last)[cancelled]["sequence"] == 2
    assert [m for m, e in _requests(tmp_path / "2").values() if str(e["summary"]) == f"Visit: {cancelled}"] == \
        ["REQUEST"]
    assert "withdrawn" not in last  # booked again: no longer withdrawn


def test_unchanged_visits_get_no_new_request(planned, tmp_path):
    scenario, _ = planned
    result = CliRunner().invoke(app, ["replan", str(scenario), "--plan", str(tmp_path / "plan.json"), "--now", NOW,
                                      "--invites", str(tmp_path / "none")])
    assert result.exit_code == 0, result.output
    assert "no meeting request to send (nothing booked changed)" in result.output
    assert not (tmp_path / "none").exists()


def test_a_team_traveller_has_their_own_organizer_uid_and_file_names(one_day, tmp_path):
    lee = {"name": "Lee Park", "email": "lee@example.com"}
    owned = [{**row, "travellers": ("Dana", "Lee")[i % 2]} for i, row in enumerate(ROWS[:6])]
    scenario = one_day(owned, organizer=ORGANIZER, travellers=[{"name": "Dana"}, {"name": "Lee", "organizer": lee}])
    _run("plan", scenario, "--format", "json", "--out", tmp_path / "plan.json", "--ics", tmp_path / "cal.ics",
         "--invites", tmp_path / "invites")
    visits = _visits(json.loads((tmp_path / "plan.json").read_text()))
    assert {v["traveller"] for v in visits.values()} == {"Dana", "Lee"}
    for name, (_, event) in _requests(tmp_path / "invites").items():
        customer = str(event["summary"]).removeprefix("Visit: ")
        who = visits[customer]["traveller"]
        assert f"_{who}_{customer}.ics" in name
        assert str(event["organizer"]) == f"mailto:{'lee' if who == 'Lee' else 'dana'}@example.com"
        assert str(event["uid"]) == _calendar_uids(tmp_path / f"cal-{who}.ics")[f"Visit: {customer}"]


def test_an_attended_event_is_booked_for_the_traveller_alone(one_day, tmp_path):
    """The customers met at a user group are not invited to it: each would see the others."""
    far = [customer_row(f"Far{i}", 43.07 + 0.01 * i, -89.40, 50, hours="Mon 09:00-17:00", email=f"f{i}@far.example")
           for i in range(2)]
    event = {"name": "UG", "place": "hall", "date": MONDAY, "start": "16:30", "end": "17:30",
             "attendees": ["Far0", "Far1"], "value": 5}
    scenario = one_day(far, organizer=ORGANIZER, events=[event],
                       places={"hall": {"lat": 41.8900, "lon": -87.6300}})
    _run("plan", scenario, "--format", "json", "--out", tmp_path / "plan.json", "--ics", tmp_path / "cal.ics",
         "--invites", tmp_path / "invites")
    requests = _requests(tmp_path / "invites")
    assert list(requests) == [f"{MONDAY}_1630_UG.ics"]
    method, booked = requests[f"{MONDAY}_1630_UG.ics"]
    assert method == "REQUEST" and list(_attendees(booked)) == ["dana@example.com"]
    assert str(booked["uid"]) == _calendar_uids(tmp_path / "cal.ics")["UG"]


def test_a_customer_without_an_address_books_the_travellers_calendar_only(one_day, tmp_path):
    scenario = one_day([customer_row("Acme", 41.90, -87.65, 10)], organizer={"email": "dana@example.com"})
    _run("plan", scenario, "--invites", tmp_path / "invites")
    [(method, event)] = _requests(tmp_path / "invites").values()
    assert method == "REQUEST" and list(_attendees(event)) == ["dana@example.com"]
    assert "CN" not in event["organizer"].params


def test_hostile_names_and_notes_reach_no_request_raw(evil):
    """Control characters, markup and quotes from the data: every request still parses,
    holds no control character but its line ends, and says nothing of the notes."""
    import dataclasses

    from tripopt.invites import meeting_requests
    from tripopt.model import Organizer

    _, scenario, plan = evil
    sender = dataclasses.replace(scenario, organizer=Organizer("dana@example.com", 'Dana "\x1b[31m" <b>'))
    letters = meeting_requests(plan, sender)
    assert len(letters) == plan.visited > 0
    for letter in letters:
        assert all(c.isprintable() or c in "\r\n" for c in letter.data.decode("utf-8")), letter.file_name
        assert letter.file_name.endswith(".ics") and "/" not in letter.file_name
        [event] = Calendar.from_ical(letter.data).walk("VEVENT")
        assert "line one" not in str(event["description"]) and "SUM(" not in str(event["description"])


def _nothing_written(tmp_path: Path, *args: object) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args] + ["--format", "json", "--out", str(tmp_path / "p.json"),
                                                               "--invites", str(tmp_path / "invites")])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert not (tmp_path / "p.json").exists() and not (tmp_path / "invites").exists()
    return result.output


def test_a_bad_email_cell_is_bad_input_naming_file_row_and_column(one_day, tmp_path):
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("Account,lat,lon,Contact Email\nAcme,41.90,-87.65,jane@acme.example\n"
                        "Globex,41.91,-87.66,n/a\n", encoding="utf-8")
    scenario = one_day(str(accounts), columns={"name": "Account", "email": "Contact Email"},
                       organizer=ORGANIZER)
    output = _nothing_written(tmp_path, "plan", scenario)
    assert f"{accounts} line 3 (Globex): email 'n/a' is not an email address" in " ".join(output.split())


@pytest.mark.parametrize("keys, culprit", [
    ({}, "--invites: a meeting request needs an organizer: add `organizer:"),
    ({"organizer": {"email": "dana"}}, "organizer.email: 'dana' is not an email address"),
    ({"organizer": {"name": "Dana"}}, "organizer.email: missing required key"),
    ({"travellers": [{"name": "Dana", "organizer": {"email": "dana@x"}}]},
     "travellers #1.organizer.email: 'dana@x' is not an email address"),
    ({"travellers": [{"name": "Dana", "organizer": ORGANIZER}, {"name": "Lee"}]},
     "(or to each of the travellers Lee)"),
], ids=["none", "bad", "no_email", "traveller_bad", "traveller_none"])
def test_a_missing_or_bad_organizer_is_bad_input_naming_the_key(one_day, tmp_path, keys, culprit):
    scenario = one_day([customer_row("Acme", 41.90, -87.65, 10)], **keys)
    assert culprit in " ".join(_nothing_written(tmp_path, "plan", scenario).split())


def test_invites_into_a_file_is_refused_before_any_work(one_day, tmp_path):
    scenario = one_day([customer_row("Acme", 41.90, -87.65, 10)], organizer=ORGANIZER)
    (tmp_path / "invites").write_text("mine")
    for where, culprit in ((tmp_path / "invites", "is not a folder"), (tmp_path / "no" / "dir", "does not exist"),
                           ("-", "standard output cannot take")):
        result = CliRunner().invoke(app, ["plan", str(scenario), "--invites", str(where)])
        assert result.exit_code == 2 and "--invites" in result.output and culprit in result.output, result.output
    assert (tmp_path / "invites").read_text() == "mine"


def test_a_bad_sequence_in_the_plan_followed_is_bad_input(planned, tmp_path):
    scenario, document = planned
    visit = next(s for d in document["days"] for s in d["stops"] if s["type"] == "visit")
    visit["sequence"] = "two"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document))
    result = CliRunner().invoke(app, ["replan", str(scenario), "--plan", str(edited), "--now", NOW])
    assert result.exit_code == 2 and "sequence 'two' is not a whole number >= 0" in result.output


@pytest.mark.parametrize("path, value, valid", [
    (("organizer",), ORGANIZER, True), (("organizer",), {"email": "jo.se@exämple.co.uk"}, True),
    (("travellers", 0, "organizer"), {"email": "dana@example.com"}, True), (("organizer",), None, True),
    (("organizer",), {"name": "Dana"}, False), (("organizer", ), {"email": "Dana <d@x.com>"}, False),
    (("organizer",), {"email": "d@x"}, False), (("organizer",), {"email": "d@x.com", "phone": "1"}, False),
    (("travellers", 0, "organizer"), {"email": 5}, False), (("organizer",), "dana@example.com", False),
], ids=lambda x: str(x)[:30])
def test_the_schema_agrees_with_the_models_on_organizer(path, value, valid):
    data = _mutated(path, value)
    assert _check_ok(data) is valid
    assert (_schema_errors(data) == []) is valid, _schema_errors(data)
