"""The API: posting with an Idempotency-Key, claiming to the limit, the check-in/out and confirmation path,
call-outs, and refusals as 4xx ``{"code", "message"}``."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from gridgov.orgs.services import api_token_create
from gridgov.volunteers.models import Need

pytestmark = pytest.mark.django_db


def bearer(person):
    _token, secret = api_token_create(actor=person, label="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def send(client, url, body, person, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **bearer(person), **headers)


def need_body(**overrides):
    body = {"category": "wish", "node": "M01", "title": "帮忙修门", "place": "东门路2号",
            "starts_at": (timezone.now() + timedelta(hours=1)).isoformat(), "helpers": 1}
    body.update(overrides)
    return body


def test_a_need_posted_twice_with_one_key_is_one_need(client, street, crew):
    first = send(client, "/api/v1/volunteers/needs", need_body(), street.resident, HTTP_IDEMPOTENCY_KEY="n1")
    assert first.status_code == 201, first.content
    assert first.json()["state"] == "published"
    again = send(client, "/api/v1/volunteers/needs", need_body(), street.resident, HTTP_IDEMPOTENCY_KEY="n1")
    assert again.json()["id"] == first.json()["id"] and Need.objects.count() == 1


@pytest.mark.parametrize("overrides, status, code", [
    ({"starts_at": "2020-01-01T08:00:00+08:00"}, 400, "need_in_past"),
    ({"node": "G03"}, 404, "not_found"),  # outside the resident's area
    ({"helpers": 0}, 422, "invalid_request"),
    ({"helpers": 10**12}, 422, "invalid_request"),
    ({"title": "x" * 101}, 422, "invalid_request"),
    ({"category": "nope"}, 404, "not_found"),
    ({"latitude": 91, "longitude": 0}, 422, "invalid_request"),
])
def test_bad_needs_are_refused_with_a_code(client, street, crew, overrides, status, code):
    response = send(client, "/api/v1/volunteers/needs", need_body(**overrides), street.resident)
    assert response.status_code == status and response.json()["code"] == code


def test_the_whole_path_by_api_credits_the_helpers_hours(client, street, crew):
    need_id = send(client, "/api/v1/volunteers/needs", need_body(), street.resident).json()["id"]
    claimed = send(client, f"/api/v1/volunteers/needs/{need_id}/claim", {}, crew.a1)
    assert claimed.status_code == 201, claimed.content
    full = send(client, f"/api/v1/volunteers/needs/{need_id}/claim", {}, crew.a2)
    assert full.status_code == 409 and full.json()["code"] in ("need_full", "need_closed")
    where = {"latitude": 28.1, "longitude": 119.5}
    early = send(client, f"/api/v1/volunteers/needs/{need_id}/check-out", where, crew.a1)
    assert early.status_code == 409
    assert send(client, f"/api/v1/volunteers/needs/{need_id}/check-in", where, crew.a1).status_code == 200
    before = send(client, f"/api/v1/volunteers/needs/{need_id}/check-out",
                  {**where, "at": (timezone.now() - timedelta(hours=1)).isoformat()}, crew.a1)
    assert before.status_code == 400 and before.json()["code"] == "checkout_before_checkin"
    claim = need_claim_checked_in_earlier(need_id, crew.a1)
    out = send(client, f"/api/v1/volunteers/needs/{need_id}/check-out", {**where, "minutes": 30}, crew.a1)
    assert out.status_code == 200 and out.json()["minutes"] == 30, out.content
    other = send(client, f"/api/v1/volunteers/needs/{need_id}/confirm", {"rating": 5}, crew.a1)
    assert other.status_code == 403 and other.json()["code"] == "not_requester"
    done = send(client, f"/api/v1/volunteers/needs/{need_id}/confirm", {"rating": 5}, street.resident)
    assert done.status_code == 200 and done.json()["state"] == "confirmed"
    hours = client.get("/api/v1/volunteers/me/hours", **bearer(crew.a1)).json()
    assert hours == {"year": timezone.localdate().year, "hours": 0.5, "required_hours": 12, "reached": False}
    assert claim.pk


def need_claim_checked_in_earlier(need_id, person):
    """Move the check-in an hour back (the test cannot wait an hour)."""
    from gridgov.volunteers.models import Claim

    claim = Claim.objects.get(need_id=need_id, volunteer=person)
    Claim.objects.filter(pk=claim.pk).update(checked_in_at=timezone.now() - timedelta(hours=1))
    return claim


def test_a_call_out_by_api_counts_answers_live_and_refuses_a_second_answer(client, street, crew):
    body = {"node": "C01", "kind": "search", "title": "寻找走失老人", "target": 30, "assembly_point": "社区门口"}
    raised = send(client, "/api/v1/volunteers/callouts", body, street.community_cadre)
    assert raised.status_code == 201 and raised.json()["told"] == 4, raised.content
    callout_id = raised.json()["id"]
    assert send(client, f"/api/v1/volunteers/callouts/{callout_id}/answer", {"answer": "coming"},
                crew.a1).status_code == 201
    twice = send(client, f"/api/v1/volunteers/callouts/{callout_id}/answer", {"answer": "cannot"}, crew.a1)
    assert twice.status_code == 409 and twice.json()["code"] == "already_answered"
    live = client.get(f"/api/v1/volunteers/callouts/{callout_id}/live", **bearer(street.community_cadre)).json()
    assert live == {"told": 4, "coming": 1, "cannot": 0, "target": 30}
    hidden = client.get(f"/api/v1/volunteers/callouts/{callout_id}", **bearer(crew.village))
    assert hidden.status_code == 404


def test_the_call_out_map_by_api_names_people_for_the_cadres_only(client, street, crew, drawn):
    body = {"node": "C01", "kind": "flood", "title": "河水上涨", "target": 3, "assembly_point": "社区广场",
            "latitude": 28.05, "longitude": 119.52}
    callout_id = send(client, "/api/v1/volunteers/callouts", body, street.community_cadre).json()["id"]
    answer = {"answer": "coming", "latitude": 28.06, "longitude": 119.53}
    assert send(client, f"/api/v1/volunteers/callouts/{callout_id}/answer", answer, crew.a1).status_code == 201
    out_of_range = {"answer": "coming", "latitude": 95, "longitude": 119.53}
    assert send(client, f"/api/v1/volunteers/callouts/{callout_id}/answer", out_of_range,
                crew.a2).status_code == 422
    address = f"/api/v1/volunteers/callouts/{callout_id}/map"
    cadre = client.get(address + "?boundaries=true", **bearer(street.community_cadre)).json()
    assert cadre["people"] == [{"name": "志愿者甲", "lat": 28.06, "lon": 119.53, "source": "shared"}]
    assert cadre["assembly"]["lat"] == 28.05 and cadre["boundaries"]["type"] == "FeatureCollection"
    volunteer = client.get(address, **bearer(crew.a2)).json()
    assert volunteer["people"] == [] and volunteer["coming"] == 1 and volunteer["boundaries"] is None
    assert client.get(address, **bearer(crew.village)).status_code == 404


def test_a_worker_may_not_raise_a_call_out(client, street, crew):
    body = {"node": "G01", "kind": "fire", "title": "起火", "target": 5, "assembly_point": "路口"}
    response = send(client, "/api/v1/volunteers/callouts", body, street.worker_a)
    assert response.status_code == 404  # the grid is not in the area where they may raise one


def test_standings_list_the_party_members_short_of_the_rule(client, street, crew):
    response = client.get(f"/api/v1/volunteers/standings?node=C01&year={timezone.localdate().year}",
                          **bearer(street.community_cadre))
    assert response.status_code == 200
    assert {(row["name"], row["short"]) for row in response.json()["items"]} == {("志愿者甲", True),
                                                                                 ("志愿者丙", True)}
