"""`city` cells resolve to the town a reader means, say so when that is a guess, and
`check` points at customers placed implausibly far from the trip. `locate` takes a place's
or a row's first location key given and says why none can be used."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from tripopt import inspect_scenario
from tripopt.cli import app
from tripopt.errors import Problem
from tripopt.geo import (
    CACHE_FILE_NAME,
    AddressCache,
    Located,
    locate,
    locate_places,
    parse_number,
    resolve_city,
    unknown_place,
)
from tripopt.model import Place
from tripopt.schema import PlaceIn
from tripopt.travel import great_circle_km

from .conftest import SCENARIOS
from .scenario_factory import write_scenario

RICHMOND_CA, WOODSIDE_CA = (37.94, -122.35), (37.43, -122.25)
MOUNTAIN_VIEW, BERKELEY = (37.39, -122.08), (37.87, -122.27)
PORTLAND_OR, PORTLAND_ME = (45.52, -122.68), (43.66, -70.26)
RICHMOND_BC = (49.17, -123.14)
# A trip in Portland, Maine (the factory's Chicago places replaced), and rows for each test to add to.
MAINE = {"hotel": {"lat": 43.6591, "lon": -70.2568}, "venue": {"lat": 43.6535, "lon": -70.2630},
         "airport": {"lat": 43.6462, "lon": -70.3093}}
MAINE_ROWS = [{"name": "Old Port Software", "lat": 43.656, "lon": -70.250},
              {"name": "Lewiston Labs", "city": "Lewiston, Me."},
              {"name": "Bangor Mills", "city": "Bangor, Maine 04401"}]


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(great_circle_km(np.array([a[0], b[0]]), np.array([a[1], b[1]]))[0, 1])


def _check(path) -> str:
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def _maine_trip(tmp_path, *rows: dict, **overrides):
    return write_scenario(tmp_path, [*MAINE_ROWS, *rows], **{"places": MAINE, "base": "hotel",
                          "timezone": "America/New_York", **overrides})


@pytest.mark.parametrize("text, where", [
    ("Richmond, CA", RICHMOND_CA),  # California, not Canada (British Columbia)
    ("Woodside, CA", WOODSIDE_CA),  # California, not Nova Scotia
    ("Mountain View, CA 94043", MOUNTAIN_VIEW),
    ("Mountain View, CA 94043-1351", MOUNTAIN_VIEW),
    ("Berkeley, Calif.", BERKELEY),
    ("berkeley, california", BERKELEY),
    ("Springfield, Ill.", (39.80, -89.64)),
    ("Austin, Tex.", (30.27, -97.74)),
    ("Boston, Mass.", (42.36, -71.06)),
    ("Seattle, Wash.", (47.61, -122.33)),
    ("Seattle, WA, USA", (47.61, -122.33)),
    ("Seattle, WA 98101, U.S.A.", (47.61, -122.33)),
    ("Denver, Colo.", (39.74, -104.98)),
    ("Charleston, W. Va.", (38.35, -81.63)),
    ("Portland, OR", PORTLAND_OR),
    ("Portland, Oregon", PORTLAND_OR),
    ("Portland, Maine", PORTLAND_ME),
    ("Portland, ME", PORTLAND_ME),
    ("Washington, D.C.", (38.90, -77.04)),
    ("Paris, FR", (48.85, 2.35)),
    ("Paris, France", (48.85, 2.35)),
    ("Richmond, Canada", RICHMOND_BC),
    ("Richmond, BC", RICHMOND_BC),
    ("Richmond, CA, Canada", RICHMOND_BC),  # CA read as California would leave nothing for Canada
    ("Montreal, QC", (45.51, -73.59)),
    ("Lima, PE", (-12.04, -77.03)),  # a country before a Canadian province (Prince Edward Island)
])
def test_city_resolves_to_the_town_meant(text, where):
    found = resolve_city(text)
    assert _km((found.lat, found.lon), where) < 5, found
    assert found.warning is None


def test_state_code_labels_the_pick():
    assert resolve_city("Woodside, CA").label == "Woodside, CA"
    assert resolve_city("Richmond, Canada").label == "Richmond, BC"
    assert resolve_city("Paris, FR").label == "Paris, France"


@pytest.mark.parametrize("text, picked, other", [
    ("Portland", "Portland, OR", '"Portland, ME"'),
    ("Springfield", "Springfield, MO", '"Springfield, MA"'),
    ("Richmond", "Richmond, VA", '"Richmond, BC"'),
    ("Richmond, USA", "Richmond, VA", '"Richmond, CA"'),  # the country leaves the state open
])
def test_ambiguous_name_warns_with_the_pin(text, picked, other):
    found = resolve_city(text)
    assert found.label == picked
    assert f"picked {picked} (pop. " in found.warning and f"write {other}" in found.warning


def test_each_suggested_pin_picks_that_town():
    pins = re.findall(r'"([^"]+)" \(pop\.', resolve_city("Springfield").warning)
    assert len(pins) == 3
    for pin in pins:
        assert resolve_city(pin).label == pin


@pytest.mark.parametrize("text", ["Las Vegas", "Chicago", "Berkeley", "Paris", "Richmond, CA", "Portland, ME"])
def test_clear_names_pass_in_silence(text):
    """Las Vegas, NM has 2% of Nevada's people; a qualifier settles the rest."""
    assert resolve_city(text).warning is None


@pytest.mark.parametrize("text, fragments", [
    ("Atlantis, XX", ["'Atlantis, XX'", "gazetteer"]),
    ("Woodside, TX", ["'Woodside, TX'", "only as", "Woodside, CA", "Woodside, NS"]),
    ("Paris, Narnia", ["'Narnia' is not a US state"]),
])
def test_unresolvable_city_says_why(text, fragments):
    with pytest.raises(ValueError) as info:
        resolve_city(text)
    assert all(fragment in str(info.value) for fragment in fragments), info.value


def test_ambiguity_warning_reaches_check_and_plan(tmp_path):
    path = _maine_trip(tmp_path, {"name": "Casco Bay Roasters", "city": "Portland"},
                       places={**MAINE, "office": {"city": "Springfield"}})
    expected = ["(Casco Bay Roasters): city 'Portland' is ambiguous: picked Portland, OR",
                'write "Portland, ME"', "places.office: city 'Springfield' is ambiguous"]
    checked = _check(path)
    assert "customers    4," in checked  # a warning does not drop the row
    planned = CliRunner().invoke(app, ["plan", str(path), "--time-limit", "0.3"])
    assert planned.exit_code == 0, planned.output
    for output in (checked, planned.output):
        assert all(part in output for part in expected), output


def test_check_warns_for_a_customer_far_from_the_trip(tmp_path):
    path = _maine_trip(tmp_path, {"name": "Casco Bay Roasters", "city": "Portland"},
                       {"name": "Sign Typo", "lat": 43.66, "lon": 70.25})
    far = [line for line in _check(path).splitlines() if "likely a wrong location" in line]
    assert len(far) == 2, far
    roasters, typo = far
    assert "customers[3] (Casco Bay Roasters): at 45.52" in roasters
    assert "(city 'Portland' read as Portland, OR): farther than 800 km" in roasters
    assert "(nearest: the median, 4,0" in roasters
    assert "customers[4] (Sign Typo): at 43.6600, 70.2500: farther" in typo


def test_far_means_beyond_800_km_and_a_day_of_driving(tmp_path):
    real = {"name": "Halifax Ships", "city": "Halifax, NS"}  # 545 km away: far, but not implausible
    far = {"name": "Lake Huron Fisheries", "lat": 43.66, "lon": -83.0}  # 1,020 km
    output = _check(_maine_trip(tmp_path, real, far))
    assert "(Lake Huron Fisheries): at 43.6600, -83.0000: farther than 800 km" in output
    assert "(nearest: place airport, 1,0" in output
    assert "(Halifax Ships): at" not in output
    fast = _maine_trip(tmp_path, real, far, travel={"speed_kmh": 130, "detour_factor": 1.1})
    assert "wrong location" not in _check(fast)  # 10 h at 130 km/h / 1.1 reach 1,182 km


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_examples_have_no_far_customers(path):
    """The re:Invent example's accounts in Reno (557 km from Las Vegas) are real."""
    assert "wrong location" not in _check(path)


def test_bad_city_is_an_input_error_naming_the_row(tmp_path):
    path = _maine_trip(tmp_path, {"name": "Nowhere Inc", "city": "Woodside, TX"})
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "(Nowhere Inc): city 'Woodside, TX' is not in the offline gazetteer" in result.output
    assert not inspect_scenario(path).scenario


# -- locate: a place's keys or a row's cells -> coordinates ---------------------------------

PLACES = {"hotel": Place("hotel", 41.8868, -87.6217, "Hotel"), "venue": Place("venue", 41.8789, -87.6359, "Venue")}


@pytest.fixture
def addresses(tmp_path) -> AddressCache:
    return AddressCache(tmp_path / CACHE_FILE_NAME)


@pytest.mark.parametrize("spec, found", [
    ({"lat": "41.9", "lon": "-87.6", "city": "Portland"}, Located(41.9, -87.6, "lat/lon")),  # lat/lon first
    ({"lat": 41.9, "lon": -87.6}, Located(41.9, -87.6, "lat/lon")),
    ({"lat": " 41.9 ", "lon": "-87.6"}, Located(41.9, -87.6, "lat/lon")),
    ({"place": "venue", "city": "Portland"}, Located(41.8789, -87.6359, "place")),
    ({"lat": "", "lon": " ", "place": "hotel"}, Located(41.8868, -87.6217, "place")),  # blank is not given
])
def test_locate_takes_the_first_key_given(addresses, spec, found):
    assert locate("w", spec, PLACES, addresses) == (found, [])


def test_locate_a_city(addresses):
    found, problems = locate("w", {"city": "Evanston, IL"}, PLACES, addresses)
    assert found.source == "city" and _km((found.lat, found.lon), (42.04, -87.69)) < 5 and problems == []


def test_locate_an_ambiguous_city_warns_with_the_coordinates(addresses):
    found, problems = locate("w", {"city": "Portland"}, PLACES, addresses)
    assert _km((found.lat, found.lon), PORTLAND_OR) < 5
    assert problems == [Problem("w", resolve_city("Portland").warning, "warning")]


def test_locate_a_cached_address(tmp_path):
    (tmp_path / CACHE_FILE_NAME).write_text(json.dumps({"1 main st": [41.5, -87.5]}))
    addresses = AddressCache(tmp_path / CACHE_FILE_NAME)
    assert locate("w", {"address": "1  Main St"}, PLACES, addresses) == (Located(41.5, -87.5, "address"), [])


@pytest.mark.parametrize("spec, places, message", [
    ({"lat": "41.9"}, PLACES, "give both lat and lon"),
    ({"lon": "-87.6", "city": "Portland"}, PLACES, "give both lat and lon"),
    ({"lat": "north", "lon": "x"}, PLACES, "lat 'north' is not a number"),
    ({"lat": "41.9", "lon": "inf"}, PLACES, "lon 'inf' is not a finite number"),
    ({"lat": "99", "lon": "0"}, PLACES, "lat 99.0 / lon 0.0 out of range (-90..90, -180..180)"),
    ({"lat": "0", "lon": "-181"}, PLACES, "lat 0.0 / lon -181.0 out of range (-90..90, -180..180)"),
    ({"place": "hotle"}, PLACES, "unknown place 'hotle' (did you mean 'hotel'?)"),
    ({"place": "office"}, PLACES, "unknown place 'office' (known places: hotel, venue)"),
    ({"place": "office"}, {}, "unknown place 'office' (known places: none)"),
    ({"city": "Paris, Narnia"}, PLACES, "city 'Paris, Narnia': 'Narnia' is not a US state (CA, Calif., California), "
                                        "country (FR, France) or Canadian province (BC) the offline gazetteer knows"),
    ({"address": "1 Main St"}, PLACES, "address '1 Main St' is not in the geocoding cache .tripopt-geocache.json "
                                       "and TRIPOPT_OFFLINE is set; give lat/lon or run once with network"),
    ({"name": "Acme", "notes": "lat 41"}, PLACES, "no location: give lat and lon, a place, a city or an address"),
])
def test_locate_says_why_not(addresses, spec, places, message):
    assert locate("w", spec, places, addresses) == (None, [Problem("w", message)])


def test_locate_places_names_each_place(addresses):
    specs = {"hotel": PlaceIn(lat=41.8868, lon=-87.6217, name="The Hotel"), "venue": PlaceIn(),
             "office": PlaceIn(city="Springfield")}
    places, problems = locate_places(specs, "s.yaml", addresses)
    assert places["hotel"] == Place("hotel", 41.8868, -87.6217, "The Hotel", "lat/lon")
    assert (places["office"].name, places["office"].source) == ("office", "city")
    assert "venue" not in places  # left out, so references to it are not also "unknown"
    assert [(p.where, p.severity) for p in problems] == [("s.yaml: places.venue", "error"),
                                                         ("s.yaml: places.office", "warning")]
    assert problems[0].message == "no location: give lat and lon, a place, a city or an address"


@pytest.mark.parametrize("text, number", [("12", 12.0), (" 1,200 ", 1200.0), ("$1,200.50", 1200.5), ("€-3", -3.0),
                                          ("1,00,000", 100000.0), ("12.", 12.0), (".5", 0.5), ("+7", 7.0),
                                          ("1\u00a0200", 1200.0)])
def test_parse_number_reads_crm_numbers(text, number):
    assert parse_number(text, "value") == number


@pytest.mark.parametrize("text, message", [("abc", "cost 'abc' is not a number"),
                                           ("-inf", "cost '-inf' is not a finite number"),
                                           ("+nan", "cost '+nan' is not a finite number"),
                                           ("Infinity", "cost 'Infinity' is not a finite number"),
                                           ("-1_000", "cost '-1_000' is not a number"),
                                           ("1e300", "cost '1e300' is not a number"),
                                           ("0x1f", "cost '0x1f' is not a number"),
                                           ("1,2,", "cost '1,2,' is not a number"),
                                           ("\u0663", "cost '\u0663' is not a number"),
                                           ("9" * 41, "cost '" + "9" * 41 + "' is not a number")])
def test_parse_number_names_the_cell(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_number(text, "cost")


def test_unknown_place_suggests_or_lists():
    assert unknown_place("Hotel", PLACES) == "unknown place 'Hotel' (did you mean 'hotel'?)"
    assert unknown_place("zz", PLACES) == "unknown place 'zz' (known places: hotel, venue)"


@pytest.mark.parametrize("text", [",,,,", "", " . , ", ", CA", "-"])
def test_a_city_that_names_no_town_is_an_error(text):
    with pytest.raises(ValueError, match="names no town"):
        resolve_city(text)


def test_a_blank_city_or_address_of_a_place_is_an_error(addresses):
    specs = {"a": PlaceIn(city=""), "b": PlaceIn(address="  "), "c": PlaceIn(lat=1, lon=2, city="")}
    places, problems = locate_places(specs, "s.yaml", addresses)
    assert list(places) == ["c"]
    assert [str(p) for p in problems] == [
        's.yaml: places.a.city: city is empty: write a town, e.g. "Evanston, IL", or give lat/lon',
        "s.yaml: places.b.address: address is empty: write a street address, or give lat/lon"]


def test_the_cache_is_read_only_when_an_address_needs_it(tmp_path):
    (tmp_path / CACHE_FILE_NAME).write_text("{not json")
    cache = AddressCache(tmp_path / CACHE_FILE_NAME)
    assert locate("w", {"lat": "41", "lon": "-87"}, PLACES, cache)[1] == [] and cache.problems == []
    cache.save()
    assert (tmp_path / CACHE_FILE_NAME).read_text() == "{not json"  # nothing new: not rewritten
    found, problems = locate("w", {"address": "1 Main St"}, PLACES, cache)
    assert found is None and "not in the geocoding cache" in problems[0].message
    assert [p.message.split(" (")[0] for p in cache.problems] == ["geocoding cache is not valid JSON"]


@pytest.mark.parametrize("value", [None, [1], [1, 2, 3], ["41", "-87"], [True, 1], [float("nan"), 1], [1, 1e999],
                                   [-91, 0], [0, 180.5], {"lat": 1, "lon": 2}])
def test_cache_entries_must_be_a_point(tmp_path, value):
    (tmp_path / CACHE_FILE_NAME).write_text(json.dumps({"1 main st": value, "2 elm st": [41.5, -87.5]}))
    cache = AddressCache(tmp_path / CACHE_FILE_NAME)
    point = cache.resolve("2 Elm St")
    assert (point.lat, point.lon) == (41.5, -87.5)
    assert [p.message for p in cache.problems] == [
        "1 geocoding cache entry ignored (not [lat, lon] within -90..90, -180..180), the first '1 main st'"]
    with pytest.raises(ValueError, match="not in the geocoding cache"):
        cache.resolve("1 Main St")


def test_a_geocoder_answer_out_of_range_is_not_cached(tmp_path, monkeypatch):
    monkeypatch.delenv("TRIPOPT_OFFLINE")
    cache = AddressCache(tmp_path / CACHE_FILE_NAME, lambda address: (95.0, 10.0))
    with pytest.raises(ValueError, match="out of range"):
        cache.resolve("1 Main St")
    cache.save()
    assert not (tmp_path / CACHE_FILE_NAME).exists()
