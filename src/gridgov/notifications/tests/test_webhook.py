"""The outbound webhook: signed, retried with backoff, idempotent per event, and never in the action's way."""

import hashlib
import hmac
import json
import threading
import time
from collections import deque
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command

from gridgov.notifications import webhook
from gridgov.notifications.models import Delivery, DeliveryStatus, Message
from gridgov.notifications.tests.conftest import T0

SECRET = "a-shared-secret-of-the-gateway"
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class Gateway:
    """A local HTTP server standing in for the SMS gateway: records what it gets, answers ``statuses`` in turn."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self.statuses: deque[int] = deque()
        self.delay = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append(({key.lower(): value for key, value in self.headers.items()}, body))
                time.sleep(gateway.delay)
                self.send_response(gateway.statuses.popleft() if gateway.statuses else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self) -> list[dict]:
        return [json.loads(body) for _headers, body in self.received]


@pytest.fixture
def gateway(settings):
    server = Gateway()
    settings.WEBHOOK_URL, settings.WEBHOOK_SECRET, settings.SITE_URL = server.url, SECRET, "https://gridgov.example"
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_without_a_webhook_url_nothing_is_recorded_or_sent(street, publish, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        publish()
    assert Message.objects.count() == 2 and not Delivery.objects.exists() and callbacks == []


def test_each_new_message_is_posted_signed_once_the_action_commits(street, publish, gateway,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish(node=street.grid_a, title="楼道杂物清理")
        assert gateway.received == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    [(headers, body)] = gateway.received
    message = Message.objects.get(recipient=street.worker_a)
    timestamp = headers["x-gridgov-timestamp"]
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers["x-gridgov-signature"] == f"sha256={expected}"
    assert abs(int(timestamp) - time.time()) < 60
    assert headers["x-gridgov-delivery"] == f"{message.pk}-1"
    sent = json.loads(body)
    assert sent["recipient"] == {"id": street.worker_a.pk, "name": "刘网格", "phone": street.worker_a.phone}
    assert sent["title"] == "新任务：楼道杂物清理" and sent["kind"] == "task_published" and sent["count"] == 1
    assert sent["url"] == f"https://gridgov.example{message.url}" and sent["message"] == message.pk
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_a_grouped_message_goes_out_again_with_its_new_count(street, publish, gateway,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish(node=street.grid_a, title="一")
    with django_capture_on_commit_callbacks(execute=True):
        publish(node=street.grid_a, title="二", now=T0 + timedelta(minutes=1))
    assert [(body["count"], body["title"]) for body in gateway.bodies()] == [(1, "新任务：一"), (2, "网格内有 2 个新任务")]
    assert len({headers["x-gridgov-delivery"] for headers, _body in gateway.received}) == 2


def test_a_step_overtaken_before_it_is_sent_is_not_sent(street, publish, gateway, settings,
                                                         django_capture_on_commit_callbacks):
    settings.TASKS = DUMMY  # the jobs wait
    with django_capture_on_commit_callbacks(execute=True):
        publish(node=street.grid_a, title="一")
        publish(node=street.grid_a, title="二", now=T0 + timedelta(minutes=1))
    result = webhook.deliver(list(Delivery.objects.values_list("pk", flat=True)))
    assert result[DeliveryStatus.SENT] == 1 and result[DeliveryStatus.SUPERSEDED] == 1
    assert [body["count"] for body in gateway.bodies()] == [2]


def test_a_delivery_runs_once_however_often_its_job_does(street, publish, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish(node=street.grid_a)
    webhook.deliver(list(Delivery.objects.values_list("pk", flat=True)))  # the job run a second time
    assert len(gateway.received) == 1


def test_a_delivery_whose_job_was_lost_is_sent_by_the_sweep_once(street, publish, gateway, settings,
                                                                 django_capture_on_commit_callbacks):
    from gridgov import jobs

    settings.TASKS = DUMMY  # the job is enqueued and never run: a worker stopped in the middle of it
    with django_capture_on_commit_callbacks(execute=True):
        publish(node=street.grid_a, title="楼道杂物清理")
    delivery = Delivery.objects.get()
    assert webhook.resume_lost(now=delivery.created_at + jobs.LOST_AFTER) == 0  # still its own job's
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    later = delivery.created_at + jobs.LOST_AFTER + timedelta(seconds=1)
    assert webhook.resume_lost(now=later) == 1
    assert [body["title"] for body in gateway.bodies()] == ["新任务：楼道杂物清理"]
    assert webhook.resume_lost(now=later) == 0  # sent: never again
    Delivery.objects.update(status=DeliveryStatus.PENDING, next_try_at=later)  # a retry due later …
    assert webhook.resume_lost(now=later + jobs.LOST_AFTER) == 0  # … is its deferred job's until long overdue
    call_command("jobs", "resume")  # the five-minute sweep: long overdue now
    assert len(gateway.received) == 2 and Delivery.objects.get().status == DeliveryStatus.SENT


def test_a_failing_gateway_is_retried_with_backoff_then_given_up(street, publish, gateway, settings,
                                                                 django_capture_on_commit_callbacks):
    from django_tasks import default_task_backend

    settings.TASKS = DUMMY
    gateway.statuses.extend([503] * 6)
    with django_capture_on_commit_callbacks(execute=True):
        publish(node=street.grid_a)
    [delivery] = Delivery.objects.all()
    waits = []
    for attempt in range(1, 7):
        queued = default_task_backend.results[-1]
        now = T0 + timedelta(hours=attempt)
        webhook.deliver(queued.kwargs["delivery_ids"], now=now)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt and delivery.last_error == "HTTP 503 Service Unavailable"
        if attempt < 6:
            retry = default_task_backend.results[-1]
            assert retry.task.run_after == delivery.next_try_at
            waits.append(int((delivery.next_try_at - now).total_seconds() // 60))
    assert waits == [1, 2, 4, 8, 16]
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_try_at is None
    assert len(default_task_backend.results) == 6  # the first job and five retries, none after giving up
    assert len(gateway.received) == 6


def test_an_unreachable_gateway_fails_no_action_and_holds_the_rest_back(street, publish, settings,
                                                                         django_capture_on_commit_callbacks):
    settings.WEBHOOK_URL, settings.WEBHOOK_SECRET = "http://127.0.0.1:9/nobody-listens", SECRET
    with django_capture_on_commit_callbacks(execute=True):  # the job runs at once (the tests' backend)
        task = publish()  # two workers: two messages, two deliveries
    assert task.pk and Message.objects.count() == 2
    deliveries = list(Delivery.objects.order_by("pk"))
    assert [d.status for d in deliveries] == [DeliveryStatus.PENDING] * 2
    assert [d.attempts for d in deliveries] == [1, 0]  # the second waits for the first one's retry, untried
    assert deliveries[0].last_error.startswith("unreachable") and deliveries[1].last_error == deliveries[0].last_error
    assert deliveries[0].next_try_at == deliveries[1].next_try_at


@pytest.mark.django_db(transaction=True)  # real commits: the job is enqueued after the action's transaction
def test_the_action_never_waits_for_the_gateway(street, client, gateway, settings):
    from gridgov.orgs.services import api_token_create

    settings.TASKS = DATABASE
    gateway.delay = 3
    _token, secret = api_token_create(actor=street.resident, label="test")
    started = time.perf_counter()
    response = client.post("/api/v1/reports", {"category": "environment", "node": "M01", "text": "路灯坏了"},
                           HTTP_AUTHORIZATION=f"Bearer {secret}")
    elapsed = time.perf_counter() - started
    assert response.status_code == 201 and elapsed < 1.5, elapsed
    assert gateway.received == [] and Delivery.objects.get().status == DeliveryStatus.PENDING
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert [body["title"] for body in gateway.bodies()] == ["新工单：环境卫生"]
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_a_webhook_without_a_secret_stops_the_start():
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gridgov.settings", "GRIDGOV_WEBHOOK_URL": "https://sms.local/in"}
    env.pop("GRIDGOV_WEBHOOK_SECRET", None)
    started = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True,
                             text=True)
    assert started.returncode != 0 and "GRIDGOV_WEBHOOK_SECRET" in started.stderr
