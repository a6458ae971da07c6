"""The API: lists in the caller's area, a resident's own household, refusals with their codes, visits with an
Idempotency-Key."""

import json

import pytest

from gridgov.households.models import Visit
from gridgov.orgs.services import api_token_create

pytestmark = pytest.mark.django_db


def bearer(person):
    _token, secret = api_token_create(actor=person, label="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_list_shows_only_the_callers_area(client, village):
    answer = client.get("/api/v1/households", **bearer(village.street.village_cadre)).json()
    assert answer["count"] == 0
    answer = client.get("/api/v1/households", **bearer(village.street.community_cadre)).json()
    assert answer["count"] == 3


def test_resident_reads_their_own_household_only(client, village):
    headers = bearer(village.head)
    assert client.get("/api/v1/households/mine", **headers).json()["code"] == "H-A1-01"
    other = client.get(f"/api/v1/households/{village.next_door.pk}", **headers)
    assert other.status_code == 404 and other.json()["code"] == "not_found"


def test_moving_a_person_into_a_second_household_answers_409(client, village):
    answer = client.post(f"/api/v1/households/{village.next_door.pk}/members",
                         json.dumps({"person_id": village.spouse.pk, "relation": "spouse", "moved_in": "2021-01-01"}),
                         content_type="application/json", **bearer(village.street.community_cadre))
    assert answer.status_code == 409 and answer.json()["code"] == "already_in_household"


def test_reading_a_sensitive_field_without_the_right_answers_403(client, village):
    answer = client.get(f"/api/v1/households/{village.home.pk}/file/income", **bearer(village.street.worker_a))
    assert answer.status_code == 403 and answer.json()["code"] == "forbidden"


def test_a_visit_sent_twice_with_one_key_is_recorded_once(client, village):
    body = json.dumps({"checked": ["power"], "note": "正常"})
    headers = {**bearer(village.street.worker_a), "HTTP_IDEMPOTENCY_KEY": "visit-1"}
    first = client.post(f"/api/v1/households/{village.home.pk}/visits", body, content_type="application/json",
                        **headers)
    again = client.post(f"/api/v1/households/{village.home.pk}/visits", body, content_type="application/json",
                        **headers)
    assert first.status_code == 201 and again.status_code == 201 and Visit.objects.count() == 1


def test_out_of_range_location_answers_422(client, village):
    answer = client.post(f"/api/v1/households/{village.home.pk}/visits", json.dumps({"latitude": 95}),
                         content_type="application/json", **bearer(village.street.worker_a))
    assert answer.status_code == 422


def test_coverage_in_the_api(client, village):
    answer = client.get("/api/v1/households/coverage", **bearer(village.street.community_cadre)).json()
    assert (answer["households"], answer["unlinked"]) == (3, 3)


NODE_FILTERED = {  # path: operation id, both unchanged since the node filter became one type (NodeQuery)
    "/api/v1/households/bulletin": "gridgov_households_api_bulletin",
    "/api/v1/households/coverage": "gridgov_households_api_coverage",
    "/api/v1/households/credit-export": "gridgov_households_api_credit_export",
    "/api/v1/households/patrols/missed": "gridgov_households_patrol_api_patrol_missed",
    "/api/v1/households/patrols/windows": "gridgov_households_patrol_api_patrol_windows",
    "/api/v1/households/ranking": "gridgov_households_api_household_ranking",
    "/api/v1/households/rules": "gridgov_households_rule_api_rule_list",
}


def test_every_node_filter_is_the_same_optional_bounded_described_query_parameter():
    from gridgov.api import api

    found = {}
    for path, operations in api.get_openapi_schema()["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "node" and "households" in operation.get("tags", []):
                    found[path] = operation["operationId"]
                    assert parameter["in"] == "query" and not parameter.get("required")
                    assert parameter["schema"]["maxLength"] == 32 and parameter["schema"]["default"] == ""
                    assert parameter["description"].startswith("The code of a node inside the caller's area")
    assert found == NODE_FILTERED


def test_a_node_code_longer_than_a_code_is_refused_with_a_code(client, village):
    answer = client.get("/api/v1/households/rules", {"node": "x" * 33}, **bearer(village.street.community_cadre))
    assert answer.status_code == 422 and answer.json()["code"]
