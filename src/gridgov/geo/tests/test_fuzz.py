"""Whatever JSON arrives as a geometry, the answer is a refusal with a message, never a crash."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridgov.geo import geometry
from gridgov.geo.geometry import GeometryError

numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**20, 10**20), st.booleans(),
                    st.none(), st.text(max_size=3))
positions = st.one_of(st.lists(numbers, max_size=4), numbers)
rings = st.one_of(st.lists(positions, max_size=8), positions)
shapes = st.fixed_dictionaries({"type": st.sampled_from(["Polygon", "MultiPolygon", "Point", None, 3]),
                                "coordinates": st.one_of(st.lists(rings, max_size=3),
                                                         st.lists(st.lists(rings, max_size=2), max_size=2), numbers)})
near_yunhe = st.lists(st.tuples(st.floats(119.5, 119.7), st.floats(28.0, 28.2)), min_size=3, max_size=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shapes)
def test_any_json_shape_is_parsed_or_refused_with_a_message(value):
    try:
        shape = geometry.parse(value)
    except GeometryError as error:
        assert str(error.message)
    else:
        assert shape.is_valid and shape.geom_type in ("Polygon", "MultiPolygon")


@settings(max_examples=300, deadline=None)
@given(near_yunhe)
def test_any_ring_of_points_near_yunhe_is_accepted_only_if_valid(points):
    ring = [list(point) for point in points] + [list(points[0])]
    try:
        shape = geometry.parse({"type": "Polygon", "coordinates": [ring]})
    except GeometryError as error:
        assert str(error.message)
    else:
        assert shape.is_valid and geometry.area_m2(shape) > 0
        assert geometry.parse(geometry.as_stored(shape)).equals_exact(shape, 0)  # stored form parses to itself


@pytest.mark.parametrize("crs", [geometry.WGS84, geometry.GCJ02])
def test_a_valid_rectangle_survives_both_coordinate_systems(crs):
    rectangle = {"type": "Polygon", "coordinates": [[[119.5, 28.0], [119.6, 28.0], [119.6, 28.1], [119.5, 28.1],
                                                     [119.5, 28.0]]]}
    assert geometry.parse(rectangle, crs=crs).is_valid
