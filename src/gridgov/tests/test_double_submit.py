"""One double-submit guard for every POST: a repeat does nothing twice and gets the first answer."""

import json
import re

import pytest
from django.test import Client

from gridgov.models import Submission
from gridgov.orgs import services as org_services
from gridgov.reports.models import Category, Report
from gridgov.testing.concurrency import race, skip_unless_postgres


def _form_token(page) -> str:
    return re.search(r'name="form_token" value="([0-9a-f]{32})"', page.content.decode()).group(1)


def _report_form(street, client):
    client.force_login(street.resident.user)
    token = _form_token(client.get("/reports/new/"))
    category = Category.objects.get(code="environment")
    return {"category": category.pk, "node": street.micro_a1.pk, "text": "路灯坏了", "address": "东门路",
            "form_token": token}


def test_every_post_form_carries_a_fresh_token(street, client):
    client.force_login(street.resident.user)
    first, second = _form_token(client.get("/reports/new/")), _form_token(client.get("/reports/new/"))
    assert first != second


def test_a_double_tap_on_a_form_files_one_report_and_lands_where_the_first_did(street, client):
    data = _report_form(street, client)
    first = client.post("/reports/new/", data)
    again = client.post("/reports/new/", data)
    assert Report.objects.count() == 1
    assert first.status_code == again.status_code == 302 and again["Location"] == first["Location"]
    assert "没有重复" in client.get(again["Location"]).content.decode() or Submission.objects.count() == 1


def test_a_refused_post_gives_its_key_back(street, client):
    data = _report_form(street, client)
    data["node"] = 999999  # not a node of the form: the form is refused and nothing is done
    client.post("/reports/new/", data)
    assert not Submission.objects.filter(key=data["form_token"]).exists()
    data["node"] = street.micro_a1.pk
    assert client.post("/reports/new/", data).status_code == 302 and Report.objects.count() == 1


def _api(person) -> Client:
    _token, secret = org_services.api_token_create(actor=person, label="test")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _notice(client, title, key):
    return client.post("/api/v1/notices", data=json.dumps({"node_code": "C01", "title": title, "body": "停水通知"}),
                       content_type="application/json", headers={"Idempotency-Key": key})


def test_an_api_retry_with_the_same_key_gets_the_first_answer(street):
    client = _api(street.community_cadre)
    first = _notice(client, "停水", "retry-1")
    again = _notice(client, "停水", "retry-1")
    assert first.status_code == 201 and again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    from gridgov.tasks.models import Notice

    assert Notice.objects.count() == 1


def test_an_api_key_reused_for_another_body_is_refused(street):
    client = _api(street.community_cadre)
    _notice(client, "停水", "reuse-1")
    other = _notice(client, "停电", "reuse-1")
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"


def test_a_malformed_api_key_is_a_clear_422(street):
    response = _notice(_api(street.community_cadre), "停水", "x" * 65)
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"


def test_keys_are_per_sender(street):
    assert _notice(_api(street.community_cadre), "停水", "shared").status_code == 201
    assert _notice(_api(street.admin), "停水", "shared").status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_repeats_of_one_api_request_run_it_once(street):
    skip_unless_postgres()
    _token, secret = org_services.api_token_create(actor=street.community_cadre, label="race")

    def post(index):
        client = Client(headers={"Authorization": f"Bearer {secret}"})
        return _notice(client, "停水", "race-1").status_code

    statuses = race(6, post)
    from gridgov.tasks.models import Notice

    assert Notice.objects.count() == 1
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
