"""Bad input to the API always gets a JSON error with a stable code, never a 500 or an HTML page."""

import json
import re

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from gridgov.orgs import services
from gridgov.orgs.models import NodeKind

API = "/api/v1"


@pytest.fixture
def cadre_headers(street):
    _token, secret = services.api_token_create(actor=street.community_cadre)
    return {"Authorization": f"Bearer {secret}"}


def assert_json_error(response, status: int, code: str):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert body["message"]


def create_child(client, headers, data, content_type="application/json"):
    return client.post(f"{API}/nodes/G01/children", data, content_type=content_type, headers=headers)


def test_broken_json_is_a_422(client, cadre_headers):
    assert_json_error(create_child(client, cadre_headers, '{"kind": "micro_grid", '), 422, "invalid_request")


def test_body_that_is_not_utf8_is_a_422(client, cadre_headers):
    assert_json_error(create_child(client, cadre_headers, b'\xff\xfe{"kind"'), 422, "invalid_request")


@pytest.mark.parametrize("data", ["[1, 2]", "null", '"micro_grid"', "12", "{}"])
def test_json_that_is_not_the_expected_object_is_a_422(client, cadre_headers, data):
    assert_json_error(create_child(client, cadre_headers, data), 422, "invalid_request")


def test_wrong_types_are_a_422_with_details(client, cadre_headers):
    response = create_child(client, cadre_headers, {"kind": ["grid"], "code": {"a": 1}, "name": 3.5})
    assert_json_error(response, 422, "invalid_request")
    assert {tuple(error["loc"][-1:]) for error in response.json()["errors"]} >= {("kind",), ("code",), ("name",)}


def test_wrong_query_types_are_a_422(client, cadre_headers):
    response = client.get(f"{API}/nodes/C01/subtree", {"max_depth": "deep"}, headers=cadre_headers)
    assert_json_error(response, 422, "invalid_request")
    response = client.get(f"{API}/nodes/C01/subtree", {"offset": "-1"}, headers=cadre_headers)
    assert_json_error(response, 422, "invalid_request")


def test_form_and_multipart_bodies_are_refused_with_415(client, cadre_headers):
    form = create_child(client, cadre_headers, "kind=micro_grid&code=M10&name=x",
                        content_type="application/x-www-form-urlencoded")
    assert_json_error(form, 415, "unsupported_media_type")
    multipart = client.post(f"{API}/nodes/G01/children", {"kind": "micro_grid"}, headers=cadre_headers)
    assert_json_error(multipart, 415, "unsupported_media_type")


def test_oversized_body_is_a_413_json(client, cadre_headers, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    big = json.dumps({"kind": "micro_grid", "code": "M10", "name": "x" * 2000})
    assert_json_error(create_child(client, cadre_headers, big), 413, "too_large")
    token = client.post(f"{API}/auth/token", json.dumps({"username": "x", "password": "y" * 2000}),
                        content_type="application/json")
    assert_json_error(token, 413, "too_large")


def test_missing_token_is_a_401_json_even_for_writes(client, street):
    response = create_child(client, {}, {"kind": "micro_grid", "code": "M10", "name": "x"})
    assert_json_error(response, 401, "unauthenticated")


def test_wrong_method_is_a_405_json(client, cadre_headers):
    response = client.put(f"{API}/me", {}, content_type="application/json", headers=cadre_headers)
    assert_json_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_path_is_a_404_json(client, method):
    response = getattr(client, method)(f"{API}/no/such/thing")
    assert_json_error(response, 404, "not_found")


def test_api_root_is_a_404_json(client):
    assert_json_error(client.get(f"{API}/"), 404, "not_found")


@pytest.mark.parametrize("code", ["%00", "x" * 40, "%E2%80%8B%0A", "..", "FY%2FC01"])
def test_strange_node_codes_are_a_404(client, cadre_headers, code):
    assert_json_error(client.get(f"{API}/nodes/{code}", headers=cadre_headers), 404, "not_found")


def test_control_characters_in_search_and_login_are_a_422(client, cadre_headers):
    assert_json_error(client.get(f"{API}/nodes/search", {"q": "dm\x00"}, headers=cadre_headers), 422,
                      "invalid_request")
    login = client.post(f"{API}/auth/token", {"username": "a\x00b", "password": "x"}, content_type="application/json")
    assert_json_error(login, 422, "invalid_request")


def test_unexpected_error_becomes_a_logged_json_500(client, cadre_headers, monkeypatch, caplog):
    def broken(person):
        raise RuntimeError("boom")

    monkeypatch.setattr("gridgov.orgs.selectors.roles_of", broken)
    response = client.get(f"{API}/me", headers=cadre_headers)
    assert_json_error(response, 500, "server_error")
    assert "boom" not in response.json()["message"]
    assert response.json()["request_id"] == response["X-Request-ID"]
    assert any(record.exc_info and "boom" in str(record.exc_info[1]) for record in caplog.records)


# --- OpenAPI and docs ------------------------------------------------------------------------------------


def test_openapi_lists_the_paths_and_the_bearer_scheme(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    for path in ["/auth/token", "/me", "/nodes", "/nodes/search", "/nodes/{code}", "/nodes/{code}/children",
                 "/nodes/{code}/subtree", "/nodes/{code}/people"]:
        assert f"{API}{path}" in schema["paths"], path
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    assert schema["paths"][f"{API}/nodes/{{code}}"]["patch"]["security"]
    assert "security" not in schema["paths"][f"{API}/auth/token"]["post"]


def test_docs_page_loads_only_local_assets(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, html
    assert all(url.startswith("/static/") for url in urls), urls
    assert "http://" not in html and "https://" not in html
    assert '"validatorUrl": null' in html
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


# --- fuzz ------------------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=8,
)
node_bodies = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.sampled_from(NodeKind.values) | json_values,
        "code": st.text(max_size=40) | json_values,
        "name": st.text(max_size=120) | json_values,
    },
)


@hypothesis_settings(
    max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=node_bodies | json_values)
def test_json_bodies_to_create_a_node_never_give_a_server_error(client, cadre_headers, body):
    response = create_child(client, cadre_headers, json.dumps(body))
    assert response.status_code in (201, 400, 422), response.content[:300]
    if response.status_code != 201:
        assert response.json()["code"] in ("invalid", "invalid_request")


def test_losing_a_race_for_a_unique_code_is_a_409(client, cadre_headers, monkeypatch):
    from django.db import IntegrityError

    def race(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr("gridgov.orgs.services.node_create", race)
    response = create_child(client, cadre_headers, {"kind": "micro_grid", "code": "M10", "name": "x"})
    assert_json_error(response, 409, "conflict")
