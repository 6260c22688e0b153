"""The contract's travel model (docs/scenario.md, travel) in `tripopt.travel`: great-circle km x
detour factor; driving minutes rounded up; the buffer on every leg between distinct places,
nothing within one place."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tripopt.model import Travel
from tripopt.travel import EARTH_RADIUS_KM, build_matrix, great_circle_km

KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180  # along a meridian
# Chicago's hotel, the venue 1.5 km away, O'Hare, and a second point at the venue's coordinates
LAT = [41.8868, 41.8789, 41.9786, 41.8789]
LON = [-87.6217, -87.6359, -87.9048, -87.6359]


def _pair_km(a, b):
    return float(great_circle_km(np.array([a[0], b[0]]), np.array([a[1], b[1]]))[0, 1])


def _meridian_leg(km, travel):
    """The matrix of two points `km` apart (straight line) on the Greenwich meridian."""
    return build_matrix([0.0, km / KM_PER_DEGREE], [0.0, 0.0], travel)


@pytest.mark.parametrize("a, b, km", [
    ((51.5074, -0.1278), (48.8566, 2.3522), 344),  # London - Paris
    ((40.7128, -74.0060), (34.0522, -118.2437), 3936),  # New York - Los Angeles
    ((-33.8688, 151.2093), (-37.8136, 144.9631), 714),  # Sydney - Melbourne
])
def test_known_city_distances_within_one_percent(a, b, km):
    assert _pair_km(a, b) == pytest.approx(km, rel=0.01)


def test_great_circle_is_symmetric_and_zero_on_the_diagonal():
    km = great_circle_km(np.array(LAT), np.array(LON))
    assert np.allclose(km, km.T) and np.all(np.diag(km) == 0)
    assert km[0, 1] == pytest.approx(1.47, abs=0.01)


def test_detour_factor_scales_the_straight_line():
    straight = great_circle_km(np.array(LAT), np.array(LON))
    matrix = build_matrix(LAT, LON, Travel(speed_kmh=40, detour_factor=1.35, buffer_minutes=0))
    assert np.allclose(matrix.km, straight * 1.35)


@pytest.mark.parametrize("km, minutes", [
    (10.0, 10),  # exactly 10 minutes at 60 km/h: float noise must not make it 11
    (10.02, 11),  # a hair over is a whole minute more
    (0.5, 1),  # a short hop is never 0 minutes
    (59.99, 60),
])
def test_driving_minutes_are_rounded_up(km, minutes):
    matrix = _meridian_leg(km, Travel(speed_kmh=60, detour_factor=1.0, buffer_minutes=0))
    assert matrix.km[0, 1] == pytest.approx(km)
    assert matrix.drive_minutes[0, 1] == minutes == matrix.travel_minutes[0, 1]


def test_rounding_up_never_understates_and_adds_less_than_a_minute():
    travel = Travel(speed_kmh=37, detour_factor=1.3, buffer_minutes=0)
    rng = np.random.default_rng(0)
    lat, lon = 41.88 + rng.uniform(-0.3, 0.3, 40), -87.63 + rng.uniform(-0.3, 0.3, 40)
    matrix = build_matrix(lat, lon, travel)
    exact = matrix.km / travel.speed_kmh * 60
    assert np.all(matrix.drive_minutes >= exact - 1e-9) and np.all(matrix.drive_minutes < exact + 1)


def test_buffer_on_legs_between_distinct_places_only():
    matrix = build_matrix(LAT, LON, Travel(speed_kmh=40, detour_factor=1.3, buffer_minutes=15))
    distinct = ~np.eye(4, dtype=bool)
    distinct[1, 3] = distinct[3, 1] = False  # the same coordinates are one place
    assert np.all(matrix.travel_minutes[distinct] == matrix.drive_minutes[distinct] + 15)
    assert np.all(matrix.drive_minutes[distinct] >= 1)
    for array in (matrix.km, matrix.drive_minutes, matrix.travel_minutes):
        assert np.all(array[~distinct] == 0)
    assert matrix.drive_minutes[0, 1] == math.ceil(1.47 * 1.3 / 40 * 60) == 3  # hotel to venue
    assert matrix.travel_minutes[0, 1] == 18


def test_matrix_is_symmetric_and_read_only():
    matrix = build_matrix(LAT, LON, Travel(speed_kmh=50, detour_factor=1.3, buffer_minutes=10))
    assert matrix.size == 4
    for array in (matrix.km, matrix.drive_minutes, matrix.travel_minutes):
        assert np.array_equal(array, array.T)
        with pytest.raises(ValueError):
            array[0, 1] = 0
