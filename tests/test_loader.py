"""The loader turns real-world files into typed scenarios (and only valid ones)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from tripopt import InputError, inspect_scenario, load_scenario
from tripopt.cli import app
from tripopt.geo import CACHE_FILE_NAME
from tripopt.loader import model_nodes
from tripopt.yamlio import read_yaml

from .conftest import DATA, SCENARIOS


def test_minimal_inline_scenario():
    s = load_scenario(DATA / "ok" / "minimal.yaml")
    assert s.trip.start == date(2026, 10, 7) and s.trip.day_start_minute == 480
    acme, globex = s.customers
    assert (acme.meeting_minutes, acme.value, acme.must_visit) == (45, 10.0, False)
    assert globex.value == 1200.0  # thousands separator in an inline string
    assert globex.lat == pytest.approx(42.04, abs=0.02)  # Evanston from the offline gazetteer
    assert s.commitments[0].start_minute == 11 * 60


def test_yaml_clock_and_date_traps(tmp_path):
    """Unquoted 18:00 is not 1080, and unquoted dates are parsed as written."""
    text = (DATA / "ok" / "minimal.yaml").read_text().replace("end: 18:00", "end: 18:30")
    path = tmp_path / "s.yaml"
    path.write_text(text)
    s = load_scenario(path)
    assert s.trip.day_end_minute == 18 * 60 + 30
    assert s.commitments[0].day == date(2026, 10, 7)


def test_crm_export_quirks():
    """BOM, padded headers and cells, header case and aliases, blank rows, separators."""
    s = load_scenario(DATA / "ok" / "crm.yaml")
    by_name = {c.name: c for c in s.customers}
    assert set(by_name) == {"Acme Corp", "Globex", "Initech"}
    acme, globex, initech = by_name["Acme Corp"], by_name["Globex"], by_name["Initech"]
    assert (acme.value, acme.meeting_minutes, acme.must_visit, acme.notes) == (12500, 45, True, "key account")
    assert (acme.lat, acme.lon) == (41.90, -87.65)
    assert (globex.value, globex.meeting_minutes, globex.cost) == (7, 60, 1000)  # defaults + separator
    assert globex.hours.text == "Mon-Fri 08:00-17:00"
    assert (initech.meeting_minutes, initech.must_visit, initech.cost) == (90, False, 12.5)
    assert s.ignored_columns == ("Industry", "Owner")


def test_xlsx_first_sheet_by_default(tmp_path):
    (tmp_path / "a.xlsx").write_bytes((SCENARIOS[0].parent.parent / "data" / "chicago-accounts.xlsx").read_bytes())
    text = (DATA / "ok" / "minimal.yaml").read_text().split("customers:")[0] + "customers: a.xlsx\n"
    (tmp_path / "s.yaml").write_text(text)
    s = load_scenario(tmp_path / "s.yaml")
    assert len(s.customers) == 26
    oak = next(c for c in s.customers if c.name == "Oak Brook Retail Holdings")
    assert oak.must_visit and oak.meeting_minutes == 90 and oak.value == 120


def test_address_from_cache_then_clear_error_without(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text((DATA / "ok" / "minimal.yaml").read_text().replace(
        "venue: {lat: 41.8789, lon: -87.6359}", 'venue: {address: "233 S Wacker Dr, Chicago"}'))
    result = inspect_scenario(scenario)
    assert any("233 S Wacker Dr" in str(p) and "geocoding cache" in str(p) for p in result.errors)
    (tmp_path / CACHE_FILE_NAME).write_text(json.dumps({"233 s wacker dr, chicago": [41.8789, -87.6359]}))
    s = load_scenario(scenario)
    assert (s.places["venue"].lat, s.places["venue"].source) == (41.8789, "address")


def test_address_lookup_is_cached_on_disk(tmp_path, monkeypatch):
    monkeypatch.delenv("TRIPOPT_OFFLINE")
    scenario = tmp_path / "s.yaml"
    scenario.write_text((DATA / "ok" / "minimal.yaml").read_text().replace(
        "venue: {lat: 41.8789, lon: -87.6359}", 'venue: {address: "233 S Wacker Dr, Chicago"}'))
    calls = []

    def lookup(address):
        calls.append(address)
        return 41.5, -87.5

    load_scenario(scenario, address_lookup=lookup)
    load_scenario(scenario, address_lookup=lookup)
    assert calls == ["233 S Wacker Dr, Chicago"]
    assert json.loads((tmp_path / CACHE_FILE_NAME).read_text()) == {"233 s wacker dr, chicago": [41.5, -87.5]}


def test_unreachable_geocoder_names_the_address(tmp_path, monkeypatch):
    monkeypatch.delenv("TRIPOPT_OFFLINE")
    scenario = tmp_path / "s.yaml"
    scenario.write_text((DATA / "ok" / "minimal.yaml").read_text().replace(
        "venue: {lat: 41.8789, lon: -87.6359}", 'venue: {address: "1 Nowhere Rd"}'))

    def lookup(address):
        raise OSError("network is unreachable")

    with pytest.raises(InputError) as info:
        load_scenario(scenario, address_lookup=lookup)
    assert "places.venue" in str(info.value) and "'1 Nowhere Rd'" in str(info.value)
    assert "unreachable" in str(info.value)


def test_warnings_for_suspicious_but_legal_rows(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text((DATA / "ok" / "minimal.yaml").read_text() +
                        "  - {name: Sunday, lat: 41.9, lon: -87.6, hours: 'Sun 10:00-12:00'}\n"
                        "  - {name: Long, lat: 41.9, lon: -87.6, meeting: 3h, hours: 'Wed 10:00-12:00'}\n")
    found = inspect_scenario(scenario)
    assert not found.errors
    messages = [str(w) for w in found.warnings]
    assert any("(Sunday)" in m and "no availability" in m for m in messages)
    assert any("(Long)" in m and "longer than every window" in m for m in messages)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_examples_pass_check(path):
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output and "can be met during the trip" in result.output


def test_examples_are_substantial():
    sizes = {p.stem: len(load_scenario(p).customers) for p in SCENARIOS}
    assert len(sizes) >= 2 and max(sizes.values()) >= 50 and min(sizes.values()) >= 20


# -- bounds (issue 14) -------------------------------------------------------------------------

def _yaml(tmp_path, text: str):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, where, message", [
    ("a: 1\nb: {c: 1, c: 2}\n", "line 2, column 11", "duplicate key 'c': already given on line 2"),
    ("x: " + "[" * 40 + "]" * 40 + "\n", "line 1, column 35", "nested deeper than 32 levels"),
    ("a: &a [1, *a]\n", "line 1, column 4", "an alias refers to the list or mapping that contains it"),
    ("a: " + "1" * 41 + "\n", "line 1, column 4", "a number of more than 40 characters"),
    ("a: [1, 2\n", "line 2, column 1", "YAML syntax error: expected ',' or ']', but got '<stream end>'"),
])
def test_read_yaml_bounds_name_the_line(tmp_path, text, where, message):
    with pytest.raises(InputError) as info:
        read_yaml(_yaml(tmp_path, text))
    assert str(info.value.problems[0]).startswith(f"{tmp_path / 's.yaml'} {where}: {message}")


def test_duplicate_keys_are_all_reported_with_both_lines(tmp_path):
    with pytest.raises(InputError) as info:
        read_yaml(_yaml(tmp_path, "a: 1\nb: 2\na: 3\nb: 4\n"))
    assert [p.message for p in info.value.problems] == [
        "duplicate key 'a': already given on line 1 (YAML would keep only the later one)",
        "duplicate key 'b': already given on line 2 (YAML would keep only the later one)"]


def test_merge_keys_are_not_duplicates(tmp_path):
    assert read_yaml(_yaml(tmp_path, "base: &b {x: 1, y: 2}\nother: {<<: *b, x: 3}\n"))["other"] == {"x": 3, "y": 2}


def test_aliases_within_the_bound_are_fine(tmp_path):
    data = read_yaml(_yaml(tmp_path, "h: &h 'Mon-Fri 09:00-17:00'\nrows: [{hours: *h}, {hours: *h}]\n"))
    assert data["rows"] == [{"hours": "Mon-Fri 09:00-17:00"}] * 2


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_model_nodes_count_as_compile_does(path):
    from tripopt.compile import compile_layout, layouts

    scenario = load_scenario(path)
    assert model_nodes(scenario) == max(compile_layout(scenario, layout).problem.size for layout in layouts(scenario))


def test_the_examples_read_their_customers_from_the_project_tree():
    """`scenarios/x.yaml` reads `../data/x.csv`: the tree is the project (pyproject.toml)."""
    assert all(load_scenario(path).customer_file.parent.name == "data" for path in SCENARIOS)


def test_a_relative_path_out_of_a_folder_without_a_project_is_refused(tmp_path):
    (tmp_path / "a.csv").write_text("name,lat,lon\nAcme,41.9,-87.6\n")
    (tmp_path / "inner").mkdir()
    text = (DATA / "ok" / "minimal.yaml").read_text().split("customers:")[0]
    (tmp_path / "inner" / "s.yaml").write_text(text + "customers: ../a.csv\n")
    found = inspect_scenario(tmp_path / "inner" / "s.yaml")
    assert [p.message.split(":")[0] for p in found.errors] == ["'../a.csv' lies outside the scenario's folder tree "
                                                               f"{tmp_path / 'inner'}"]
    (tmp_path / "inner" / "s.yaml").write_text(text + f"customers: {tmp_path / 'a.csv'}\n")
    assert not inspect_scenario(tmp_path / "inner" / "s.yaml").errors  # an absolute path is the author's choice


# -- columns: (a CRM export's headers) --------------------------------------------------------

EXPORT_CSV = ("Account ID,Account Name,Billing City,ARR,Name,Next Step\n"
              "1,Acme,\"Chicago, IL\",1200,Dana,call\n2,Globex,\"Evanston, IL\",800,Lee,\n")


def _export(tmp_path, columns: str = "") -> str:
    (tmp_path / "accounts.csv").write_text(EXPORT_CSV)
    text = (DATA / "ok" / "minimal.yaml").read_text().split("customers:")[0] + "customers: accounts.csv\n" + columns
    (tmp_path / "s.yaml").write_text(text)
    return str(tmp_path / "s.yaml")


def test_columns_read_a_crm_export_as_it_is(tmp_path):
    s = load_scenario(_export(tmp_path, "columns: {name: Account Name, city: Billing City, value: ARR, "
                                        "notes: Next Step}\n"))
    assert [(c.name, c.value, c.notes) for c in s.customers] == [("Acme", 1200, "call"), ("Globex", 800, "")]
    assert s.ignored_columns == ("Account ID", "Name")


@pytest.mark.parametrize("columns, where, message", [
    ("columns: {acount: Account Name}\n", "columns.acount",
     "'acount' is not a customer column, so the header 'Account Name' maps to nothing (did you mean 'name'?)"),
    ("columns: {name: Account Name, lattitude: Lat}\n", "columns.lattitude", "(did you mean 'lat'?)"),
    ("columns: {name: Account Name, vaule: ARR}\n", "columns.vaule", "(did you mean 'value'?)"),
    ("columns: {name: Account Name, value: Revenue}\n", "columns.value",
     "'value' is mapped to the header 'Revenue', which"),
    ("columns: {name: Account Name, notes: Next Stp}\n", "columns.notes", "'notes' is mapped to the header "
     "'Next Stp', which"),
    ("columns: {name: 5}\n", "columns.name", "input should be a valid string (got 5)"),
    ("columns: [name]\n", "columns", "input should be a valid dictionary"),
])
def test_bad_columns_are_bad_input_naming_both(tmp_path, columns, where, message):
    result = CliRunner().invoke(app, ["check", _export(tmp_path, columns)])
    assert result.exit_code == 2
    line = next((x for x in result.output.splitlines() if f"s.yaml: {where}: " in x), "")
    assert message in line, result.output


def test_a_bad_mapping_entry_does_not_hide_the_good_ones(tmp_path):
    """`owner` is no column: that one error; name is still mapped, so no 'no name column'."""
    result = CliRunner().invoke(app, ["check", _export(tmp_path, "columns: {name: Account Name, owner: Name, "
                                                                 "city: Billing City}\n")])
    assert result.exit_code == 2 and "columns.owner" in result.output and "no 'name' column" not in result.output
    assert "1 error(s)" in result.output


def test_a_missing_name_column_suggests_the_mapping_once(tmp_path):
    """No `name` header: one error that says which mapping is meant, not one per row."""
    rows = "".join(f"{i},A{i},1\n" for i in range(60))
    (tmp_path / "accounts.csv").write_text("Account ID,Account Name,ARR\n" + rows)
    text = (DATA / "ok" / "minimal.yaml").read_text().split("customers:")[0] + "customers: accounts.csv\n"
    (tmp_path / "s.yaml").write_text(text)
    result = CliRunner().invoke(app, ["check", str(tmp_path / "s.yaml")])
    assert result.exit_code == 2 and "1 error(s)" in result.output
    assert "no 'name' column; did you mean `columns: {name: Account Name}`?" in result.output


# -- "did you mean": only when close and right -----------------------------------------------

def _check(tmp_path, text: str) -> list[str]:
    (tmp_path / "s.yaml").write_text(text)
    result = CliRunner().invoke(app, ["check", str(tmp_path / "s.yaml")])
    return [line.split("s.yaml: ", 1)[-1] for line in result.output.splitlines()]


def _minimal(**replace: str) -> str:
    text = (DATA / "ok" / "minimal.yaml").read_text()
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("zone, meant", [
    ("PST", "'America/Los_Angeles'?"), ("PDT", "'America/Los_Angeles'?"), ("pt", "'America/Los_Angeles'?"),
    ("Pacific Time", "'America/Los_Angeles'?"), ("MDT", "'America/Denver'? (for Arizona, which keeps standard time "
                                                 "all year, 'America/Phoenix')"),
    ("MT", "'America/Denver'?"), ("CST", "'America/Chicago'? (for China Standard Time, 'Asia/Shanghai')"),
    ("CDT", "'America/Chicago'?"), ("EDT", "'America/New_York'?"), ("ET", "'America/New_York'?"),
    ("BST", "'Europe/London'?"), ("CEST", "'Europe/Berlin'?"), ("IST", "'Asia/Kolkata'?"), ("JST", "'Asia/Tokyo'?"),
    ("AEST", "'Australia/Sydney'?"), ("AEDT", "'Australia/Sydney'?"), ("america/chicago", "'America/Chicago'?"),
    ("America/Chicgo", "'America/Chicago'?"), ("Chicago", "'America/Chicago'?"),
    ("Los Angeles", "'America/Los_Angeles'?"), ("UTC+0", "'UTC'?"),
])
def test_a_time_zone_abbreviation_suggests_its_zone(tmp_path, zone, meant):
    lines = _check(tmp_path, _minimal(**{"timezone: America/Chicago": f"timezone: {zone}"}))
    [line] = [x for x in lines if x.startswith("timezone:")]
    assert line.startswith(f"timezone: unknown time zone {zone!r} (did you mean {meant}"), line


@pytest.mark.parametrize("zone, advice", [
    ("UTC-8", "for UTC-08:00 all year, 'Etc/GMT+8' (its sign is the other way round)"),
    ("Mars/Olympus", "use an IANA name such as America/Chicago"),
    ("XST", "use an IANA name such as America/Chicago"),  # never a zone merely spelt alike (EST, MST)
])
def test_no_zone_is_suggested_unless_it_is_meant(tmp_path, zone, advice):
    lines = _check(tmp_path, _minimal(**{"timezone: America/Chicago": f"timezone: {zone}"}))
    [line] = [x for x in lines if x.startswith("timezone:")]
    assert "did you mean" not in line and line.endswith(f"{advice})"), line


def test_pst_never_suggests_mst(tmp_path):
    lines = _check(tmp_path, _minimal(**{"timezone: America/Chicago": "timezone: PST"}))
    assert not any("MST" in line or "'EST'" in line for line in lines)


@pytest.mark.parametrize("zone, advice", [
    ("EST", "'EST' is UTC-05:00 all year, without daylight saving time; for New York and the US East write "
            "America/New_York"),
    ("MST", "for Denver and the US Mountain zone write America/Denver"),
])
def test_a_fixed_offset_abbreviation_is_a_warning(tmp_path, zone, advice):
    (tmp_path / "s.yaml").write_text(_minimal(**{"timezone: America/Chicago": f"timezone: {zone}"}))
    found = inspect_scenario(tmp_path / "s.yaml")
    assert found.errors == () and [p.where.endswith("timezone") for p in found.warnings] == [True]
    assert advice in found.warnings[0].message


@pytest.mark.parametrize("text, line", [
    ("buffer: 10\n", "buffer: unknown key (did you mean travel.buffer? it belongs in 'travel')"),
    ("speed: 40\n", "speed: unknown key (did you mean travel.speed_kmh? it belongs in 'travel')"),
    ("custmers: x\n", "custmers: unknown key (did you mean 'customers'?)"),
    ("travel: {speed: 40}\n", "travel.speed: unknown key 'speed' (did you mean 'speed_kmh'?)"),
    ("travel: {bufer: 5}\n", "travel.bufer: unknown key 'bufer' (did you mean 'buffer'?)"),
    ("travellers: [{name: A, day: {strat: '08:00'}}]\n",
     "travellers #1.day.strat: unknown key 'strat' (did you mean 'start'?)"),
    ("customers: {file: a.csv, shet: 1}\n", "customers.shet: unknown key 'shet' (did you mean 'sheet'?)"),
    ("customers: {file: a.csv, tab: 1}\n", "customers.tab: unknown key 'tab'"),
    ("travel: {budget: 5}\n", "travel.budget: unknown key 'budget' ('budget' is a top-level key: it does not belong "
                              "here)"),
])
def test_an_unknown_key_suggests_only_keys_valid_there(tmp_path, text, line):
    base = _minimal().split("customers:")[0]
    body = text if text.startswith("customers:") else text + "customers: [{name: A, lat: 41.9, lon: -87.6}]\n"
    assert line in _check(tmp_path, base + body)


def test_customers_inside_a_commitment_does_not_suggest_customers(tmp_path):
    text = _minimal(**{"end: 12:00}": "end: 12:00, customers: [Acme]}"})
    lines = _check(tmp_path, text)
    [line] = [x for x in lines if ".customers" in x]
    assert line == ("commitments #1.customers: unknown key 'customers' ('customers' is a top-level key: it does not "
                    "belong here)")
