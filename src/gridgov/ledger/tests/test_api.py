"""The points API: every bad input is a 4xx JSON answer with a stable code, and nothing moves."""

import pytest
from django.test import Client

from gridgov.ledger.models import Posting
from gridgov.orgs import services as org_services

API = "/api/v1/points"


def client_for(person) -> Client:
    _token, secret = org_services.api_token_create(actor=person, label="test")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def grant_body(street, **overrides):
    body = {"person_id": street.worker_a.pk, "amount": 20, "reason": "巡查", "budget_node": street.community.code,
            "idempotency_key": "api-1"}
    body.update(overrides)
    return body


def test_auditor_grants_and_worker_sees_balance_and_statement(street, budget):
    answer = client_for(street.auditor).post(f"{API}/grants", grant_body(street), content_type="application/json")
    assert answer.status_code == 201, answer.content
    worker = client_for(street.worker_a)
    assert worker.get(f"{API}/balance").json() == {"person_id": street.worker_a.pk, "balance": 20}
    statement = worker.get(f"{API}/statement").json()
    assert statement["count"] == 1 and statement["items"][0]["amount"] == 20


def test_replayed_key_with_another_body_is_409(street, budget):
    auditor = client_for(street.auditor)
    first = auditor.post(f"{API}/grants", grant_body(street), content_type="application/json")
    same = auditor.post(f"{API}/grants", grant_body(street), content_type="application/json")
    assert same.json()["id"] == first.json()["id"]
    other = auditor.post(f"{API}/grants", grant_body(street, amount=21), content_type="application/json")
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    assert Posting.objects.filter(kind="grant").count() == 1


@pytest.mark.parametrize("amount", [0, -3, 2.5, True, "20", 10**15])
def test_bad_amounts_are_4xx(street, budget, amount):
    answer = client_for(street.auditor).post(f"{API}/grants", grant_body(street, amount=amount),
                                             content_type="application/json")
    assert 400 <= answer.status_code < 500 and "code" in answer.json()
    assert not Posting.objects.filter(kind="grant").exists()


def test_unknown_person_is_404(street, budget):
    answer = client_for(street.auditor).post(f"{API}/grants", grant_body(street, person_id=999999),
                                             content_type="application/json")
    assert answer.status_code == 404


def test_out_of_scope_grant_is_403(street, budget):
    answer = client_for(street.village_cadre).post(f"{API}/grants", grant_body(street),
                                                   content_type="application/json")
    assert answer.status_code == 403


def test_grant_past_budget_is_409(street, budget):
    answer = client_for(street.auditor).post(f"{API}/grants", grant_body(street, amount=5000),
                                             content_type="application/json")
    assert answer.status_code == 409 and answer.json()["code"] == "budget_exceeded"


def test_batch_grant_and_reverse(street, budget, period):
    auditor = client_for(street.auditor)
    body = {"budget_node": street.community.code, "idempotency_key": "batch-1",
            "grants": [{"person_id": street.worker_a.pk, "amount": 10, "reason": "a"},
                       {"person_id": street.worker_b.pk, "amount": 15, "reason": "b"}]}
    answer = auditor.post(f"{API}/grants/batch", body, content_type="application/json")
    assert answer.status_code == 201 and len(answer.json()) == 2
    sequence = answer.json()[0]["sequence"]
    cadre = client_for(street.community_cadre)
    missing_reason = cadre.post(f"{API}/postings/{sequence}/reverse", {"reason": "", "idempotency_key": "r"},
                                content_type="application/json")
    assert missing_reason.status_code == 400
    reversed_ = cadre.post(f"{API}/postings/{sequence}/reverse", {"reason": "错发", "idempotency_key": "r"},
                           content_type="application/json")
    assert reversed_.status_code == 201
    twice = cadre.post(f"{API}/postings/{sequence}/reverse", {"reason": "错发", "idempotency_key": "r2"},
                       content_type="application/json")
    assert twice.status_code == 409 and twice.json()["code"] == "already_reversed"
    ranking = client_for(street.worker_b).get(f"{API}/ranking/{street.community.code}", {"period": period}).json()
    assert ranking["my_rank"] == 1 and ranking["rows"][0]["is_me"]


def test_budgets_are_set_by_street_cadre_only(street, period):
    body = {"node": street.community.code, "period": period, "amount": 500}
    assert client_for(street.community_cadre).put(f"{API}/budgets", body,
                                                  content_type="application/json").status_code == 403
    answer = client_for(street.street_cadre).put(f"{API}/budgets", body, content_type="application/json")
    assert answer.json()["left"] == 500
    bad = client_for(street.street_cadre).put(f"{API}/budgets", {**body, "period": "2026-13"},
                                              content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_period"


def test_worker_cannot_read_another_persons_statement(street, budget):
    answer = client_for(street.worker_b).get(f"{API}/statement", {"person_id": street.worker_a.pk})
    assert answer.status_code == 403
    assert client_for(street.community_cadre).get(f"{API}/balance",
                                                   {"person_id": street.worker_a.pk}).status_code == 200


def test_reading_a_balance_and_a_statement_opens_no_account(street):
    from gridgov.ledger.models import Account

    client = client_for(street.worker_b)
    assert client.get(f"{API}/balance").json()["balance"] == 0
    assert client.get(f"{API}/statement").status_code == 200
    assert client_for(street.community_cadre).get(f"{API}/balance?person_id={street.worker_b.pk}").status_code == 200
    assert not Account.objects.filter(person=street.worker_b).exists()
