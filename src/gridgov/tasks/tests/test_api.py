"""The JSON API: the flow over HTTP, refusals as 4xx with a stable code."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from gridgov.orgs.services import api_token_create
from gridgov.tasks.models import Claim, ClaimState
from gridgov.tasks.tests.conftest import jpeg


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def as_(client):
    def as_(person):
        _token, secret = api_token_create(actor=person)
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return as_


def post(client, url, headers, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def publish_json(client, headers, **overrides):
    body = {"node_code": "C01", "title": "防汛巡查", "work_type_code": "fangxun-fangtai", "points": 10, "places": 2,
            "deadline": (timezone.now() + timedelta(days=2)).isoformat(), "requires_photo": False}
    body.update(overrides)
    return post(client, "/api/v1/tasks", headers, body)


def test_flow_over_the_api_until_evaluation(client, street, as_):
    cadre, worker = as_(street.community_cadre), as_(street.worker_a)
    assert client.get("/api/v1/task-catalogue", **worker).json()["count"] == 5
    created = publish_json(client, cadre)
    assert created.status_code == 201, created.content
    task_id = created.json()["id"]
    assert [t["id"] for t in client.get("/api/v1/tasks", **worker).json()["items"]] == [task_id]
    claim = post(client, f"/api/v1/tasks/{task_id}/claim", worker)
    assert claim.status_code == 201
    claim_id = claim.json()["id"]
    submitted = client.post(f"/api/v1/claims/{claim_id}/submit", {"text": "沿河巡查一遍", "photos": [jpeg()]}, **worker)
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["state"] == "submitted" and len(submitted.json()["photos"]) == 1
    queue = client.get("/api/v1/claims/evaluation-queue", **cadre).json()["items"]
    assert [c["id"] for c in queue] == [claim_id]
    evaluated = post(client, f"/api/v1/claims/{claim_id}/evaluate", cadre, {"approve": True, "adjustment": 2, "reason": "及时"})
    assert evaluated.json()["points_awarded"] == 12


def test_api_refusals_have_stable_codes(client, street, as_):
    cadre, worker = as_(street.community_cadre), as_(street.worker_a)
    assert publish_json(client, worker).json()["code"] == "forbidden"
    task_id = publish_json(client, cadre, places=1).json()["id"]
    claim_id = post(client, f"/api/v1/tasks/{task_id}/claim", worker).json()["id"]
    again = post(client, f"/api/v1/tasks/{task_id}/claim", worker)
    assert (again.status_code, again.json()["code"]) == (409, "already_claimed")
    full = post(client, f"/api/v1/tasks/{task_id}/claim", as_(street.worker_b))
    assert (full.status_code, full.json()["code"]) == (409, "task_full")
    early = post(client, f"/api/v1/claims/{claim_id}/evaluate", cadre, {"approve": True})
    assert (early.status_code, early.json()["code"]) == (409, "invalid_state")
    wrong = post(client, f"/api/v1/claims/{claim_id}/evaluate", as_(street.auditor), {"approve": True})
    assert wrong.status_code == 403
    assert client.get(f"/api/v1/claims/{claim_id}", **as_(street.village_cadre)).status_code == 404
    assert Claim.objects.get(pk=claim_id).state == ClaimState.CLAIMED


def test_api_rejects_malformed_input_without_a_500(client, street, as_):
    cadre = as_(street.community_cadre)
    assert publish_json(client, cadre, places="many").status_code == 422
    assert publish_json(client, cadre, places=0).status_code == 422  # out of the documented range
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    assert publish_json(client, cadre, deadline=past).status_code == 400  # a business rule: the service's
    assert publish_json(client, cadre, node_code="NOPE").status_code == 404
    assert client.get("/api/v1/tasks").status_code == 401


def test_task_list_takes_the_same_number_of_queries_for_two_tasks_or_twelve(client, street, as_, publish):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    worker = as_(street.worker_a)
    client.get("/api/v1/tasks", **worker)  # the token's first use is recorded once

    def queries_for_list(expected):
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/tasks", **worker)
        assert response.status_code == 200 and len(response.json()["items"]) == expected
        return len(captured)

    for _ in range(2):
        publish()
    few = queries_for_list(2)
    for _ in range(10):
        publish()
    assert queries_for_list(12) == few


def test_task_list_and_detail_show_the_same_derived_state_and_places(client, street, as_, publish):
    task = publish(places=1)
    post(client, f"/api/v1/tasks/{task.pk}/claim", as_(street.worker_a))
    cadre = as_(street.community_cadre)
    [listed] = client.get("/api/v1/tasks?square=false", **cadre).json()["items"]
    detail = client.get(f"/api/v1/tasks/{task.pk}", **cadre).json()
    assert listed == detail
    assert (listed["state"], listed["places"], listed["places_left"]) == ("full", 1, 0)
    assert (listed["node_code"], listed["work_type"], listed["module"]) == ("C01", "消防安全", task.work_type.module.name)
    assert client.get("/api/v1/tasks", **as_(street.worker_b)).json()["items"] == []  # full: not on the square


def test_list_claim_and_submit_stay_within_their_query_budget(client, street, as_, publish,
                                                              django_assert_max_num_queries):
    """The three calls every worker's phone makes; each query is a round trip and ORM work on the server."""
    worker = as_(street.worker_a)
    client.get("/api/v1/tasks", **worker)  # the token's first use is recorded once
    task = publish()
    with django_assert_max_num_queries(2):  # token with person and roles, the tasks
        listed = client.get("/api/v1/tasks", **worker)
    assert [row["id"] for row in listed.json()["items"]] == [task.pk]
    # token with person and roles, task, claim node, the guarded count, insert, audit, the transaction's two
    # statements; no photo query for a claim never submitted
    with django_assert_max_num_queries(8):
        claimed = post(client, f"/api/v1/tasks/{task.pk}/claim", worker)
    assert claimed.status_code == 201 and claimed.json()["photos"] == []
    # token with person and roles, claim, lock, update, audit, the transaction's two statements, photos; the
    # evaluator's message: who evaluates here, the message it may join, writing it
    with django_assert_max_num_queries(11):
        submitted = client.post(f"/api/v1/claims/{claimed.json()['id']}/submit", {"text": "巡查完毕"}, **worker)
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"


def patch(client, url, headers, body):
    return client.patch(url, json.dumps(body), content_type="application/json", **headers)


def test_a_publisher_changes_a_task_over_the_api_within_the_rules(client, street, as_):
    cadre, worker = as_(street.community_cadre), as_(street.worker_a)
    task = publish_json(client, cadre).json()
    post(client, f"/api/v1/tasks/{task['id']}/claim", worker)
    later = (timezone.now() + timedelta(days=5)).isoformat()
    changed = patch(client, f"/api/v1/tasks/{task['id']}", cadre, {"title": "防汛巡查（延期）", "deadline": later})
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "防汛巡查（延期）"
    assert patch(client, f"/api/v1/tasks/{task['id']}", cadre, {"places": 0}).status_code == 422
    assert patch(client, f"/api/v1/tasks/{task['id']}", cadre,
                 {"requires_photo": True}).json()["code"] == "requirements_tightened"
    earlier = (timezone.now() + timedelta(days=1)).isoformat()
    refused = patch(client, f"/api/v1/tasks/{task['id']}", cadre, {"deadline": earlier})
    assert refused.status_code == 409 and refused.json()["code"] == "deadline_earlier"
    assert patch(client, f"/api/v1/tasks/{task['id']}", worker, {"title": "改"}).status_code == 403


def test_withdrawing_a_task_over_the_api_releases_its_places(client, street, as_):
    cadre, worker = as_(street.community_cadre), as_(street.worker_a)
    task = publish_json(client, cadre).json()
    claim = post(client, f"/api/v1/tasks/{task['id']}/claim", worker).json()
    assert post(client, f"/api/v1/tasks/{task['id']}/withdraw", cadre, {"reason": ""}).status_code == 422
    withdrawn = post(client, f"/api/v1/tasks/{task['id']}/withdraw", cadre, {"reason": "上级通知取消"})
    assert withdrawn.status_code == 200, withdrawn.content
    assert Claim.objects.get(pk=claim["id"]).state == ClaimState.RELEASED
    again = post(client, f"/api/v1/tasks/{task['id']}/withdraw", cadre, {"reason": "再撤一次"})
    assert again.status_code == 409 and again.json()["code"] == "task_closed"
    assert post(client, "/api/v1/tasks/999999/withdraw", cadre, {"reason": "无此任务"}).status_code == 404
