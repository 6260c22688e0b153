"""The contract's travel model (docs/scenario.md, travel) in `tripopt.travel`: great-circle km x
detour factor; driving minutes rounded up; the buffer on every leg between distinct places and
between two different customers at one place, nothing on any other leg within one place."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

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


def test_buffer_between_two_customers_at_one_place():
    """Points 1 and 3 share the venue's coordinates: as two customers they are the buffer
    apart (0 km, no driving); a customer and a commitment there (-1), or two copies of one
    customer's visit, are not apart at all."""
    travel = Travel(speed_kmh=40, detour_factor=1.3, buffer_minutes=15)
    for who, minutes in (([-1, 0, -1, 1], 15), ([-1, 0, -1, -1], 0), ([-1, 2, -1, 2], 0), (None, 0)):
        matrix = build_matrix(LAT, LON, travel, who)
        assert matrix.travel_minutes[1, 3] == matrix.travel_minutes[3, 1] == minutes, who
        assert matrix.km[1, 3] == 0 and matrix.drive_minutes[1, 3] == 0
        assert np.all(np.diag(matrix.travel_minutes) == 0)
        assert matrix.travel_minutes[0, 1] == 18  # distinct places: as before, whoever is there


_POINTS = [(41.8789, -87.6359), (41.8868, -87.6217), (42.0451, -87.6877)]  # venue, hotel, Evanston


@settings(max_examples=200, deadline=None, derandomize=True)
@example(points=[0, 0, 0], who=[0, -1, 1], service=[0, 5, 0], buffer=10)
@given(points=st.lists(st.integers(0, 2), min_size=3, max_size=7),
       who=st.lists(st.integers(-1, 3), min_size=7, max_size=7),
       service=st.lists(st.integers(0, 30), min_size=7, max_size=7), buffer=st.integers(0, 20))
def test_triangle_through_a_customer_or_a_stop_no_shorter_than_the_buffer(points, who, service, buffer):
    """The search relies on travel(i, k) <= travel(i, j) + service(j) + travel(j, k) for every
    stop j it could take out of a tour. With customers sharing points that holds whenever j is
    a customer, whatever its meeting; through anything else (a commitment) it holds when j
    lasts at least the buffer, and may fail otherwise (the `@example`: two customers at the
    venue around a 5-minute commitment there are 5 minutes apart, not 10)."""
    size = len(points)
    who_a, service_a = np.asarray(who[:size]), np.asarray(service[:size])
    matrix = build_matrix([_POINTS[p][0] for p in points], [_POINTS[p][1] for p in points],
                          Travel(speed_kmh=30, detour_factor=1.3, buffer_minutes=buffer), list(who_a))
    m = matrix.travel_minutes.astype(np.int64)
    via = m[:, :, None] + service_a[None, :, None] + m[None, :, :]  # via[i, j, k]
    through = (who_a >= 0) | (service_a >= buffer)
    assert not (m[:, None, :] > via)[:, through, :].any()
    for drive in (matrix.drive_minutes, matrix.km):
        assert not (drive[:, None, :] > drive[:, :, None] + drive[None, :, :] + 1e-9).any()


def test_a_commitment_shorter_than_the_buffer_is_a_shortcut_between_customers():
    """The one break of the triangle inequality the rule allows (docs/scenario.md, travel):
    two customers at the venue are the buffer apart direct, but a 5-minute commitment there
    between them leaves them 5 minutes apart (its legs are 0). `exact.obeys_triangle` sees
    it and the exhaustive search then says undecided rather than prune on it."""
    venue = _POINTS[0]
    matrix = build_matrix([venue[0]] * 3, [venue[1]] * 3, Travel(buffer_minutes=10), [0, -1, 1])
    assert matrix.travel_minutes[0, 2] == 10 > matrix.travel_minutes[0, 1] + 5 + matrix.travel_minutes[1, 2] == 5
