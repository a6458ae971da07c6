"""The map's GeoJSON and the boundary endpoints, scoped per role like the rest of the API."""

import gzip
import json

import numpy as np
import pytest
import shapely

from gridgov.geo import selectors, services
from gridgov.geo.models import Boundary
from gridgov.geo.tests.conftest import BOXES, collection, drawn_collection, feature, square
from gridgov.orgs import services as orgs_services
from gridgov.orgs.permissions import SYSTEM

API = "/api/v1"


def bearer(person) -> dict:
    _token, secret = orgs_services.api_token_create(actor=person, label="test")
    return {"Authorization": f"Bearer {secret}"}


def codes(response) -> list[str]:
    return [item["properties"]["code"] for item in response.json()["features"]]


# ---------------------------------------------------------------- the map


def test_the_map_of_a_community_lists_its_grids_and_micro_grids_with_their_levels(drawn):
    data = json.loads(selectors.features(node=drawn.community, depth=2))
    assert [(f["properties"]["code"], f["properties"]["level"], f["properties"]["parent"]) for f in data["features"]] \
        == [("C01", 0, "S01"), ("G01", 1, "C01"), ("M01", 2, "G01"), ("M02", 2, "G01"), ("G02", 1, "C01"),
            ("M03", 2, "G02")]
    assert data["bbox"] == [119.5, 28.0, 119.6, 28.2]
    assert data["features"][0]["properties"]["name"] == "东门社区"


def test_depth_limits_the_levels_and_nodes_without_a_boundary_are_left_out(drawn):
    assert [f["properties"]["code"] for f in json.loads(selectors.features(node=drawn.street, depth=1))["features"]] \
        == ["S01", "C01", "V01"]
    Boundary.objects.filter(node=drawn.grid_b).delete()
    data = json.loads(selectors.features(node=drawn.community, depth=2))
    assert "G02" not in [f["properties"]["code"] for f in data["features"]]
    assert json.loads(selectors.features(node=drawn.district, depth=0)) == {"type": "FeatureCollection",
                                                                             "features": []}


def zigzag(x, south, north, teeth=40, amplitude=0.002):
    """A north-going line near longitude ``x`` with many small teeth."""
    ys = np.linspace(south, north, 2 * teeth + 1)
    return [[x + (amplitude if index % 2 else 0.0), float(y)] for index, y in enumerate(ys)]


def test_simplification_keeps_the_edges_neighbours_share(drawn):
    edge = zigzag(119.55, 28.00, 28.10)  # from south to north
    west = [[119.50, 28.00], *edge, [119.50, 28.10], [119.50, 28.00]]
    east = [edge[0], [119.60, 28.00], [119.60, 28.10], *edge[::-1]]
    result = services.boundaries_import(actor=SYSTEM, collection=collection(
        feature("M01", {"type": "Polygon", "coordinates": [west]}),
        feature("M02", {"type": "Polygon", "coordinates": [east]})))
    assert result.ok, result.errors
    full = json.loads(selectors.features(node=drawn.grid_a, depth=1, tolerance=1e-7))
    coarse = json.loads(selectors.features(node=drawn.grid_a, depth=1, tolerance=0.005))
    shapes = [shapely.geometry.shape(f["geometry"]) for f in coarse["features"] if f["properties"]["level"] == 1]
    assert len(json.dumps(coarse)) < len(json.dumps(full)) / 2  # the teeth are gone
    assert shapely.coverage_is_valid(np.array(shapes))  # … and the two still meet without gap or overlap
    assert shapely.union_all(shapes).area == pytest.approx(0.1 * 0.1, rel=1e-3)


def test_without_a_zoom_the_tolerance_follows_the_nodes_extent():
    assert selectors.tolerance_for(extent=0.1) == pytest.approx(0.00005)
    assert selectors.tolerance_for(extent=0.1, zoom=14) == pytest.approx(360 / 256 / 2 ** 14 / 2)


# ---------------------------------------------------------------- the API, scoped


def test_a_street_cadre_gets_the_whole_street(client, drawn):
    response = client.get(f"{API}/geo/S01", {"depth": 3}, headers=bearer(drawn.street_cadre))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert codes(response) == ["S01", "C01", "G01", "M01", "M02", "G02", "M03", "V01", "G03"]


def test_a_community_cadre_sees_only_their_area_and_elsewhere_is_not_found(client, drawn):
    headers = bearer(drawn.community_cadre)
    assert codes(client.get(f"{API}/geo/C01", {"depth": 5}, headers=headers)) == [
        "C01", "G01", "M01", "M02", "G02", "M03"]
    for code in ("V01", "S01", "NOPE"):
        response = client.get(f"{API}/geo/{code}", headers=headers)
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_resident_sees_their_micro_grid_and_nothing_next_door(client, drawn):
    headers = bearer(drawn.resident)
    assert codes(client.get(f"{API}/geo/M01", headers=headers)) == ["M01"]
    assert client.get(f"{API}/geo/M02", headers=headers).status_code == 404


@pytest.mark.parametrize("params", [{"depth": 9}, {"depth": -1}, {"zoom": 30}, {"depth": "x"}])
def test_out_of_range_parameters_are_422(client, drawn, params):
    response = client.get(f"{API}/geo/S01", params, headers=bearer(drawn.street_cadre))
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"


def test_a_large_map_is_gzipped_for_clients_that_accept_it(client, drawn):
    services_import_many_vertices(drawn)
    headers = bearer(drawn.street_cadre) | {"Accept-Encoding": "gzip, deflate"}
    response = client.get(f"{API}/geo/S01", {"depth": 3, "zoom": 22}, headers=headers)
    assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
    assert json.loads(gzip.decompress(response.content))["type"] == "FeatureCollection"


def services_import_many_vertices(street):
    west, south, east, north = BOXES["S01"]
    teeth = [[float(x), south - (1e-5 if index % 2 else 0.0)]
             for index, x in enumerate(np.linspace(west, east, 1001))]  # a saw-toothed south edge
    ring = [*teeth, [east, north], [west, north], teeth[0]]
    services.boundary_set(actor=SYSTEM, node=street.street, geometry_in={"type": "Polygon", "coordinates": [ring]})


def test_a_cadre_redraws_a_boundary_through_the_api(client, drawn):
    headers = bearer(drawn.community_cadre)
    body = {"geometry": square(119.50, 28.10, 119.58, 28.20)}
    first = client.put(f"{API}/geo/M03", body, content_type="application/json", headers=headers)
    assert first.status_code == 200 and first.json()["changed"] is True
    assert first.json()["bbox"] == [119.50, 28.10, 119.58, 28.20]
    again = client.put(f"{API}/geo/M03", body, content_type="application/json", headers=headers)
    assert again.json()["changed"] is False


def test_redrawing_refusals_have_their_codes(client, drawn):
    cadre = bearer(drawn.community_cadre)
    worker = client.put(f"{API}/geo/M01", {"geometry": square(*BOXES["M01"])}, content_type="application/json",
                        headers=bearer(drawn.worker_a))
    assert worker.status_code == 403 and worker.json()["code"] == "forbidden"
    bad = client.put(f"{API}/geo/M01", {"geometry": {"type": "Polygon", "coordinates": [[[0, 0]]]}},
                     content_type="application/json", headers=cadre)
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_geometry"
    misplaced = client.put(f"{API}/geo/M01", {"geometry": square(119.50, 28.00, 119.58, 28.10)},
                           content_type="application/json", headers=cadre)
    assert misplaced.status_code == 400 and misplaced.json()["code"] == "boundary_misplaced"
    outside = client.put(f"{API}/geo/G03", {"geometry": square(*BOXES["G03"])}, content_type="application/json",
                         headers=cadre)
    assert outside.status_code == 404


def test_import_through_the_api_answers_the_counts_or_every_problem(client, street):
    headers = bearer(street.street_cadre)
    response = client.post(f"{API}/geo/import", drawn_collection(), content_type="application/json", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"features": 9, "created": 9, "updated": 0, "unchanged": 0}
    bad = drawn_collection()
    bad["features"][0]["geometry"]["coordinates"][0].pop()
    response = client.post(f"{API}/geo/import", bad, content_type="application/json", headers=headers)
    assert response.status_code == 400 and response.json()["code"] == "invalid_boundaries"
    assert [(e["feature"], e["code"]) for e in response.json()["errors"]] == [(1, "S01")]


def test_import_through_the_api_needs_a_role_that_may_manage_boundaries(client, street):
    response = client.post(f"{API}/geo/import", drawn_collection(), content_type="application/json",
                           headers=bearer(street.worker_a))
    assert response.status_code == 403


def test_the_export_imports_again_unchanged(client, drawn):
    headers = bearer(drawn.community_cadre)
    exported = client.get(f"{API}/geo/C01/export", headers=headers)
    assert exported.status_code == 200
    assert [f["properties"]["code"] for f in exported.json()["features"]] == ["C01", "G01", "M01", "M02", "G02",
                                                                             "M03"]
    again = client.post(f"{API}/geo/import", exported.json(), content_type="application/json", headers=headers)
    assert again.json() == {"features": 6, "created": 0, "updated": 0, "unchanged": 6}


def test_the_endpoints_are_in_the_openapi_schema(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert {"/api/v1/geo/{code}", "/api/v1/geo/import", "/api/v1/geo/{code}/export"} <= set(paths)
    assert set(paths["/api/v1/geo/{code}"]) == {"get", "put"}
