"""The inbox in the API: my messages in the shared page shape, the unread count, reading; others' are 404."""

import json
from datetime import timedelta

from gridgov.notifications.models import Message
from gridgov.notifications.tests.conftest import T0
from gridgov.orgs.services import api_token_create


def bearer(person):
    _token, secret = api_token_create(actor=person, label="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post(client, url, person):
    return client.post(url, json.dumps({}), content_type="application/json", **bearer(person))


def test_my_messages_come_in_the_shared_page_shape(client, street, publish):
    publish(title="较早")
    publish(node=street.grid_a, title="较新", now=T0 + timedelta(minutes=1))
    body = client.get("/api/v1/messages?limit=1", **bearer(street.worker_a)).json()
    assert body["count"] == 2 and body["limit"] == 1 and body["offset"] == 0
    [item] = body["items"]
    assert item["title"] == "新任务：较新" and item["kind"] == "task_published" and item["kind_label"] == "新任务"
    assert item["node_name"] == "东门第一网格" and item["count"] == 1 and item["read_at"] is None
    assert item["url"].startswith("/tasks/")


def test_unread_filter_count_and_reading(client, street, publish):
    publish(title="一")
    publish(node=street.grid_a, title="二", now=T0 + timedelta(minutes=1))
    headers = bearer(street.worker_a)
    first = Message.objects.filter(recipient=street.worker_a).order_by("pk").first()
    read = client.post(f"/api/v1/messages/{first.pk}/read", content_type="application/json", **headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert client.get("/api/v1/messages/unread-count", **headers).json() == {"count": 1}
    assert [m["title"] for m in client.get("/api/v1/messages?unread=true", **headers).json()["items"]] == ["新任务：二"]
    marked = client.post("/api/v1/messages/read-all", content_type="application/json", **headers)
    assert marked.json() == {"marked": 1}
    assert client.get("/api/v1/messages/unread-count", **headers).json() == {"count": 0}


def test_someone_elses_message_is_not_found(client, street, publish):
    publish(node=street.grid_a)
    message = Message.objects.get(recipient=street.worker_a)
    response = post(client, f"/api/v1/messages/{message.pk}/read", street.worker_b)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert post(client, "/api/v1/messages/read-all", street.worker_b).json() == {"marked": 0}
    assert Message.objects.get(pk=message.pk).read_at is None


def test_the_inbox_needs_a_token(client):
    assert client.get("/api/v1/messages").status_code == 401
