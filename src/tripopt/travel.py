"""The contract's default travel model, vectorised over all pairs of points.

distance = great-circle km x detour_factor; drive minutes = ceil(distance / speed x 60);
travel minutes = drive minutes + buffer between distinct places, 0 within one place, except
that a leg between two different customers at one place takes the buffer (0 km, no driving):
the traveller still leaves one meeting and walks to the next (docs/scenario.md, travel model).
Rounding up is deliberate: integer minutes never understate real travel, so a plan that
is feasible in integers is feasible in real arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .model import Travel

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
_EPS = 1e-9  # guards ceil() against float noise on exact integers


@dataclass(frozen=True)
class TravelMatrix:
    """All-pairs legs between matrix nodes; arrays are read-only."""

    km: np.ndarray  # float, road km
    drive_minutes: np.ndarray  # int, driving only
    travel_minutes: np.ndarray  # int, driving + buffer (0 within one place, but between two customers)

    @property
    def size(self) -> int:
        return self.km.shape[0]


def great_circle_km(lat: np.ndarray, lon: np.ndarray, lat_to: np.ndarray | None = None,
                    lon_to: np.ndarray | None = None) -> np.ndarray:
    """Haversine distances between all pairs of (lat, lon) points, in km; with `lat_to`
    and `lon_to`, from each point to each of those (rows: the first points)."""
    phi, lam = np.radians(lat), np.radians(lon)
    phi_to, lam_to = (phi, lam) if lat_to is None or lon_to is None else (np.radians(lat_to), np.radians(lon_to))
    dphi = phi[:, None] - phi_to[None, :]
    dlam = lam[:, None] - lam_to[None, :]
    h = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi_to)[None, :] * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def build_matrix(lat: np.ndarray | list[float], lon: np.ndarray | list[float], travel: Travel,
                 customer: Sequence[int] | None = None) -> TravelMatrix:
    """Legs between points; points with identical coordinates are one place. `customer`
    names the customer each point is (-1: a commitment, event or tour end); several points
    may be one customer (copies of its visit), so the buffer between customers at one place
    is keyed on the customer, not on the point."""
    lat_a, lon_a = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    return _legs(lat_a, lon_a, lat_a, lon_a, travel, _between_customers(customer, lat_a.size))


def legs_between(lat: Sequence[float], lon: Sequence[float], lat_to: Sequence[float], lon_to: Sequence[float],
                 travel: Travel) -> TravelMatrix:
    """The legs from each of some points to each of others (rows: the first), as
    `build_matrix` would have them between distinct places and not two customers at one
    place: what a check of a few legs per customer needs (a large scenario's customers
    against its tour ends, say) without the matrix of all pairs."""
    none = np.zeros((len(lat), len(lat_to)), dtype=bool)
    return _legs(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float), np.asarray(lat_to, dtype=float),
                 np.asarray(lon_to, dtype=float), travel, none)


def _legs(lat: np.ndarray, lon: np.ndarray, lat_to: np.ndarray, lon_to: np.ndarray, travel: Travel,
          between_customers: np.ndarray) -> TravelMatrix:
    """The legs from points to points (identical coordinates are one place)."""
    km = great_circle_km(lat, lon, lat_to, lon_to) * travel.detour_factor
    same_place = (lat[:, None] == lat_to[None, :]) & (lon[:, None] == lon_to[None, :])
    km[same_place] = 0.0
    drive = np.ceil(km / travel.speed_kmh * 60.0 - _EPS).astype(np.int64)
    drive[same_place] = 0
    buffered = ~same_place | between_customers
    total = np.where(buffered, drive + travel.buffer_minutes, 0).astype(np.int64)
    for array in (km, drive, total):
        array.setflags(write=False)
    return TravelMatrix(km, drive, total)


def _between_customers(customer: Sequence[int] | None, size: int) -> np.ndarray:
    """Pairs of points that are two different customers (a customer has a buffer to the
    next one even at one place, not to a commitment there, nor to a copy of itself)."""
    if customer is None:
        return np.zeros((size, size), dtype=bool)
    who = np.asarray(customer, dtype=np.int64)
    return (who[:, None] >= 0) & (who[None, :] >= 0) & (who[:, None] != who[None, :])
