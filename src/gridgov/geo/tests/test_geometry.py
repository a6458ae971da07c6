"""What a boundary must be before it is stored, and the GCJ-02 conversion, without the database."""

import numpy as np
import pytest
import shapely
from django.utils import translation

from gridgov.geo import gcj02, geometry
from gridgov.geo.geometry import GeometryError
from gridgov.geo.tests.conftest import square


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refusal_of(value, **options) -> str:
    with pytest.raises(GeometryError) as refused:
        geometry.parse(value, **options)
    return str(refused.value.message)


def test_a_closed_rectangle_is_stored_counter_clockwise_and_rounded_to_seven_decimals():
    clockwise = {"type": "Polygon", "coordinates": [[[119.5, 28.0], [119.5, 28.100000004], [119.6, 28.1],
                                                     [119.6, 28.0], [119.5, 28.0]]]}
    shape = geometry.parse(clockwise)
    stored = geometry.as_stored(shape)
    assert shapely.Polygon(stored["coordinates"][0]).exterior.is_ccw
    assert [119.5, 28.1] in stored["coordinates"][0]


def test_a_ring_that_is_not_closed_is_refused_with_its_number():
    ring = square(119.5, 28.0, 119.6, 28.1)["coordinates"][0][:-1]
    assert "Ring 1 is not closed" in refusal_of({"type": "Polygon", "coordinates": [ring]})


def test_a_ring_of_three_positions_is_refused():
    ring = [[119.5, 28.0], [119.6, 28.0], [119.5, 28.0]]
    assert "needs at least 4" in refusal_of({"type": "Polygon", "coordinates": [ring]})


@pytest.mark.parametrize("kind", ["Point", "LineString", "GeometryCollection"])
def test_geometries_that_are_not_areas_are_refused(kind):
    assert f"A {kind} is not an area" in refusal_of({"type": kind, "coordinates": [119.5, 28.0]})


def test_coordinates_in_metres_of_a_projected_system_are_refused_asking_for_wgs84():
    metres = square(13314000, 3262000, 13315000, 3263000)  # Web Mercator near 云和
    assert "look like metres" in refusal_of(metres) and "WGS-84" in refusal_of(metres)


def test_latitude_given_first_is_recognised():
    assert "[latitude, longitude]" in refusal_of(square(28.0, 119.5, 28.1, 119.6))


def test_a_crs_member_naming_a_projected_system_is_refused():
    projected = square(119.5, 28.0, 119.6, 28.1) | {"crs": {"type": "name", "properties": {"name": "EPSG:3857"}}}
    assert "EPSG:3857" in refusal_of(projected)
    wgs84 = square(119.5, 28.0, 119.6, 28.1) | {"crs": {"type": "name", "properties": {
        "name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}}
    assert geometry.parse(wgs84).is_valid


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "119.5", None, True])
def test_a_coordinate_that_is_not_a_finite_number_is_refused(value):
    polygon = square(119.5, 28.0, 119.6, 28.1)
    polygon["coordinates"][0][1] = [value, 28.0]
    assert "In ring 1" in refusal_of(polygon)


def test_a_self_intersecting_polygon_says_where():
    bowtie = {"type": "Polygon", "coordinates": [[[119.5, 28.0], [119.6, 28.1], [119.6, 28.0], [119.5, 28.1],
                                                  [119.5, 28.0]]]}
    message = refusal_of(bowtie)
    assert message.startswith("The boundary crosses itself near 119.55") and "28.05" in message


def test_a_multipolygon_is_accepted_and_its_rings_are_checked_by_polygon():
    multi = {"type": "MultiPolygon", "coordinates": [square(119.5, 28.0, 119.55, 28.05)["coordinates"],
                                                     square(119.56, 28.0, 119.6, 28.05)["coordinates"]]}
    assert geometry.parse(multi).geom_type == "MultiPolygon"
    multi["coordinates"][1][0].pop()
    assert "Ring 1 of polygon 2 is not closed" in refusal_of(multi)


def test_the_area_is_in_square_metres():
    kilometre = 1 / 111.195  # degrees of latitude in a kilometre
    box = square(119.6, 28.1, 119.6 + kilometre / np.cos(np.radians(28.1 + kilometre / 2)), 28.1 + kilometre)
    assert geometry.area_m2(geometry.parse(box)) == pytest.approx(1_000_000, rel=1e-3)


# ---------------------------------------------------------------- GCJ-02

# (WGS-84 lon, lat) → (GCJ-02 lon, lat): test vectors widely used for this formula (Shanghai, Shenzhen, Beijing).
KNOWN = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
]


@pytest.mark.parametrize("wgs, gcj", KNOWN)
def test_wgs84_to_gcj02_matches_the_known_points(wgs, gcj):
    assert np.allclose(gcj02.from_wgs84(*wgs), gcj, atol=1e-9)


@pytest.mark.parametrize("wgs, gcj", KNOWN)
def test_gcj02_to_wgs84_inverts_the_offset_to_a_millimetre(wgs, gcj):
    assert np.allclose(gcj02.to_wgs84(*gcj), wgs, atol=1e-8)  # 1e-8 degrees ≈ 1 mm


def test_the_offset_near_yunhe_is_a_few_hundred_metres_and_nothing_outside_china():
    lon, lat = gcj02.from_wgs84(119.6, 28.1)
    shift_m = np.hypot((lon - 119.6) * 111195 * np.cos(np.radians(28.1)), (lat - 28.1) * 111195)
    assert 200 < shift_m < 800
    assert gcj02.to_wgs84(2.35, 48.85) == (2.35, 48.85)  # Paris


def test_a_gcj02_boundary_is_stored_in_wgs84():
    west, south = gcj02.from_wgs84(119.5, 28.0)
    east, north = gcj02.from_wgs84(119.6, 28.1)
    shape = geometry.parse(square(float(west), float(south), float(east), float(north)), crs=geometry.GCJ02)
    assert np.allclose(shape.bounds, (119.5, 28.0, 119.6, 28.1), atol=2e-5)  # the corners; edges bend a little
