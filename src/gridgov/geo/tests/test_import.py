"""Importing boundaries from GeoJSON and redrawing one: all-or-nothing, every problem listed per feature."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from gridgov.audit.models import AuditRecord, Outcome
from gridgov.errors import DomainError, PermissionDenied
from gridgov.geo import gcj02, selectors, services
from gridgov.geo.models import Boundary
from gridgov.geo.tests.conftest import BOXES, collection, drawn_collection, feature, square
from gridgov.orgs.permissions import SYSTEM


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def upload(data, name="boundaries.geojson") -> SimpleUploadedFile:
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, content, content_type="application/geo+json")


def messages(result) -> list[str]:
    return [error.message for error in result.errors]


def test_a_street_cadre_imports_a_file_and_each_boundary_is_audited(street):
    result = services.boundaries_import(actor=street.street_cadre, file=upload(drawn_collection()))
    assert result.ok, result.errors
    assert (result.features, result.created, result.updated, result.unchanged) == (9, 9, 0, 0)
    boundary = Boundary.objects.get(node=street.micro_a1)
    assert (boundary.min_lon, boundary.min_lat, boundary.max_lon, boundary.max_lat) == BOXES["M01"]
    assert boundary.set_by == street.street_cadre
    assert AuditRecord.objects.filter(action="geo.boundary_set").count() == 9
    assert AuditRecord.objects.filter(action="geo.import", actor_id=street.street_cadre.pk).count() == 1


def test_importing_an_export_again_changes_nothing(drawn):
    exported = selectors.boundaries_export_text(node=drawn.street)
    records = AuditRecord.objects.count()
    result = services.boundaries_import(actor=drawn.street_cadre, file=upload(exported.encode()))
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 9)
    assert AuditRecord.objects.count() == records


def test_a_changed_feature_is_updated_and_the_others_stay(drawn):
    smaller = square(119.50, 28.10, 119.59, 28.20)
    data = drawn_collection()
    data["features"][[f["properties"]["code"] for f in data["features"]].index("M03")]["geometry"] = smaller
    result = services.boundaries_import(actor=drawn.street_cadre, collection=data)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 8)
    record = AuditRecord.objects.filter(action="geo.boundary_set", object_id=str(drawn.micro_b1.pk)).first()
    assert record.before["bbox"] == list(BOXES["M03"]) and record.after["bbox"] == [119.50, 28.10, 119.59, 28.20]


def test_a_file_with_one_open_ring_imports_nothing_and_names_the_feature(street):
    data = drawn_collection()
    data["features"][4]["geometry"]["coordinates"][0].pop()  # G02: the ring no longer closes
    result = services.boundaries_import(actor=street.street_cadre, collection=data)
    assert [(error.feature, error.code) for error in result.errors] == [(5, "G02")]
    assert "is not closed" in result.errors[0].message
    assert not Boundary.objects.exists()


def test_a_micro_grid_outside_its_grid_is_refused(drawn):
    far = square(119.65, 28.00, 119.70, 28.05)  # in the village, not in grid G01
    result = services.boundaries_import(actor=drawn.street_cadre, collection=collection(feature("M01", far)))
    assert "100% outside 东门第一网格（G01）" in messages(result)[0]
    assert "M01" in messages(result)[0]


def test_a_little_digitising_noise_over_a_neighbours_edge_is_accepted(drawn):
    noisy = square(119.50, 28.00, 119.5502, 28.10)  # overlaps M02 by 0.4 % of its area
    result = services.boundaries_import(actor=drawn.street_cadre, collection=collection(feature("M01", noisy)))
    assert result.ok, result.errors


def test_overlapping_siblings_are_refused_with_both_names(drawn):
    overlapping = square(119.50, 28.00, 119.57, 28.10)  # takes 40 % of M02
    result = services.boundaries_import(actor=drawn.street_cadre,
                                        collection=collection(feature("M01", overlapping)))
    assert len(result.errors) == 1
    assert "overlaps 东门一网格微网格2（M02） by 40%" in result.errors[0].message


def test_two_overlapping_features_of_one_file_are_reported_once(drawn):
    data = collection(feature("M01", square(119.50, 28.00, 119.57, 28.10)),
                      feature("M02", square(119.53, 28.00, 119.60, 28.10)))
    result = services.boundaries_import(actor=drawn.street_cadre, collection=data)
    assert [error.code for error in result.errors] == ["M01"]


def test_a_parent_redrawn_smaller_would_leave_its_children_outside(drawn):
    result = services.boundaries_import(actor=drawn.street_cadre,
                                        collection=collection(feature("G01", square(119.50, 28.00, 119.55, 28.10))))
    assert [error.code for error in result.errors] == ["G01"]
    assert "东门一网格微网格2（M02） would lie 100% outside" in result.errors[0].message


def test_a_file_may_bring_a_grid_with_its_micro_grids(drawn):
    moved = collection(feature("G01", square(119.50, 28.00, 119.60, 28.09)),
                       feature("M01", square(119.50, 28.00, 119.55, 28.09)),
                       feature("M02", square(119.55, 28.00, 119.60, 28.09)))
    result = services.boundaries_import(actor=drawn.street_cadre, collection=moved)
    assert result.ok, result.errors
    assert result.updated == 3


def test_a_file_in_gcj02_is_converted_to_wgs84(street):
    west, south = (float(value) for value in gcj02.from_wgs84(119.50, 28.00))
    east, north = (float(value) for value in gcj02.from_wgs84(119.70, 28.20))
    data = collection(feature("S01", square(west, south, east, north)))
    result = services.boundaries_import(actor=street.street_cadre, collection=data, crs="gcj02")
    assert result.ok, result.errors
    corners = Boundary.objects.get(node=street.street).geometry["coordinates"][0]
    assert corners[0] == pytest.approx([119.50, 28.00], abs=1e-7)  # the two corners converted from known points
    assert corners[2] == pytest.approx([119.70, 28.20], abs=1e-7)


def test_a_file_declaring_a_projected_crs_is_refused_as_a_whole(street):
    data = drawn_collection() | {"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}}
    result = services.boundaries_import(actor=street.street_cadre, collection=data)
    assert [error.feature for error in result.errors] == [None]
    assert "WGS-84" in result.errors[0].message


def test_every_problem_of_a_file_is_listed_and_nothing_is_written(street):
    data = collection(
        feature("M01", square(119.50, 28.00, 119.55, 28.10)),
        {"type": "Feature", "properties": {}, "geometry": square(119.5, 28.0, 119.6, 28.1)},
        feature("NOPE", square(119.5, 28.0, 119.6, 28.1)),
        feature("M01", square(119.50, 28.00, 119.55, 28.10)),
        feature("M02", {"type": "Point", "coordinates": [119.5, 28.0]}),
        feature("M03", square(13314000, 3262000, 13315000, 3263000)),
        "not a feature",
    )
    result = services.boundaries_import(actor=street.street_cadre, collection=data)
    assert [error.feature for error in result.errors] == [2, 3, 4, 5, 6, 7]
    assert "no properties.code" in result.errors[0].message
    assert "No node with the code “NOPE”" in result.errors[1].message
    assert "appears again (first in feature 1)" in result.errors[2].message
    assert not Boundary.objects.exists()


def test_an_out_of_area_code_reads_like_an_unknown_one_and_is_audited(street):
    data = collection(feature("G03", square(*BOXES["G03"])))  # the village's grid; the community cadre is in C01
    result = services.boundaries_import(actor=street.community_cadre, collection=data)
    assert messages(result) == ["No node with the code “G03” in your area."]
    denied = AuditRecord.objects.get(action="geo.import", outcome=Outcome.DENIED)
    assert denied.actor_id == street.community_cadre.pk


def test_a_grid_worker_may_not_import(street):
    with pytest.raises(PermissionDenied):
        services.boundaries_import(actor=street.worker_a, collection=drawn_collection())
    assert AuditRecord.objects.filter(action="geo.import", outcome=Outcome.DENIED).exists()


class HugeUpload(io.BytesIO):
    """Says it holds 50 MB and a byte; reading it fails the test."""

    size = 50 * 1024 * 1024 + 1

    def read(self, *args):
        raise AssertionError("a file over the limit was read")


def test_a_file_over_fifty_megabytes_is_refused_before_it_is_read(street):
    result = services.boundaries_import(actor=street.street_cadre, file=HugeUpload())
    assert "files above 50.0\xa0MB are refused" in messages(result)[0]


@pytest.mark.parametrize("content, expected", [
    (b"", "empty"),
    (b"\xff\xfe{", "not UTF-8"),
    (b'{"type": "FeatureCollection", "features": [', "not valid JSON (line 1"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
    (b'{"type": "FeatureCollection", "features": []}', "has no features"),
])
def test_files_that_are_not_geojson_say_what_they_are(street, content, expected):
    result = services.boundaries_import(actor=street.street_cadre, file=upload(content))
    assert expected in messages(result)[0]


def test_an_unknown_crs_choice_is_refused(street):
    with pytest.raises(DomainError) as refused:
        services.boundaries_import(actor=street.street_cadre, collection=drawn_collection(), crs="bd09")
    assert refused.value.code == "invalid_geometry"


# ---------------------------------------------------------------- one boundary


def test_a_cadre_redraws_one_boundary_and_the_same_shape_again_changes_nothing(drawn):
    shape = square(119.50, 28.10, 119.58, 28.20)
    boundary, changed = services.boundary_set(actor=drawn.community_cadre, node=drawn.micro_b1, geometry_in=shape)
    assert changed and boundary.max_lon == 119.58
    _again, changed = services.boundary_set(actor=drawn.community_cadre, node=drawn.micro_b1, geometry_in=shape)
    assert not changed
    assert AuditRecord.objects.filter(action="geo.boundary_set", actor_id=drawn.community_cadre.pk).count() == 1


def test_redrawing_refuses_a_bad_shape_with_its_code(drawn):
    with pytest.raises(DomainError) as refused:
        services.boundary_set(actor=drawn.street_cadre, node=drawn.micro_b1, geometry_in={"type": "Point"})
    assert refused.value.code == "invalid_geometry"
    with pytest.raises(DomainError) as refused:
        services.boundary_set(actor=drawn.street_cadre, node=drawn.micro_b1,
                              geometry_in=square(119.50, 28.05, 119.60, 28.20))
    assert refused.value.code == "boundary_misplaced" and refused.value.status == 400


def test_a_community_cadre_may_not_redraw_the_village(drawn):
    with pytest.raises(PermissionDenied):
        services.boundary_set(actor=drawn.community_cadre, node=drawn.grid_c, geometry_in=square(*BOXES["G03"]))


def test_a_boundary_may_be_set_where_the_parent_has_none(street):
    boundary, changed = services.boundary_set(actor=SYSTEM, node=street.micro_a1, geometry_in=square(*BOXES["M01"]))
    assert changed and boundary.vertices == 5


def test_a_little_digitising_noise_over_the_parents_edge_is_accepted(drawn):
    noisy = square(119.4999, 28.00, 119.55, 28.10)  # 0.2 % of it lies west of the street and its grid
    result = services.boundaries_import(actor=drawn.street_cadre, collection=collection(feature("M01", noisy)))
    assert result.ok, result.errors
