"""The evaluation and audit queues decide in place: the answer is the claim's item, decided, or with the refusal
next to the fields and what was typed kept; approve and send back look different; the claim page has the actions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.tasks import services
from gridgov.tasks.models import ClaimState, WorkType

HTMX = {"HX-Request": "true"}


@pytest.fixture
def submitted(street):
    task = services.task_publish(actor=street.community_cadre, node=street.community, title="消防巡查", points=10,
                                 work_type=WorkType.objects.first(), places=3, requires_photo=False,
                                 deadline=timezone.now() + timedelta(days=2))
    claim = services.task_claim(actor=street.worker_a, task=task)
    return services.claim_submit(actor=street.worker_a, claim=claim, text="巡查完毕")


def test_a_refused_decision_comes_back_in_place_with_the_typed_input(client, street, submitted):
    client.force_login(street.community_cadre.user)
    answer = client.post(reverse("tasks:evaluate", args=[submitted.pk]),
                         {"decision": "approve", "adjustment": "4", "reason": ""}, headers=HTMX)
    page = answer.content.decode()
    assert answer.status_code == 200 and f'id="claim-{submitted.pk}"' in page
    assert 'value="4"' in page and "form-errors" in page  # an adjustment needs a reason: said next to the form
    submitted.refresh_from_db()
    assert submitted.state == ClaimState.SUBMITTED


def test_a_decision_in_place_answers_the_decided_item(client, street, submitted):
    client.force_login(street.community_cadre.user)
    answer = client.post(reverse("tasks:evaluate", args=[submitted.pk]),
                         {"decision": "approve", "adjustment": "0", "reason": ""}, headers=HTMX)
    assert "decided" in answer.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == ClaimState.EVALUATED


def test_approve_and_send_back_differ_and_sending_back_asks_first(client, street, submitted):
    client.force_login(street.community_cadre.user)
    page = client.get(reverse("tasks:evaluation_queue")).content.decode()
    assert 'class="button approve"' in page and 'class="button danger" data-confirm=' in page


def test_the_audit_queue_shows_the_evidence_and_ticks_all(client, street, submitted):
    services.claim_evaluate(actor=street.community_cadre, claim=submitted, approve=True)
    client.force_login(street.auditor.user)
    page = client.get(reverse("tasks:audit_queue")).content.decode()
    assert "巡查完毕" in page and 'data-select-all="claim"' in page and 'form="batch"' in page


def test_the_claim_page_offers_the_decision_to_whoever_may_take_it(client, street, submitted):
    client.force_login(street.community_cadre.user)
    page = client.get(reverse("tasks:claim_detail", args=[submitted.pk])).content.decode()
    assert reverse("tasks:evaluate", args=[submitted.pk]) in page
    client.force_login(street.auditor.user)
    page = client.get(reverse("tasks:claim_detail", args=[submitted.pk])).content.decode()
    assert reverse("tasks:evaluate", args=[submitted.pk]) not in page  # the auditor waits for the evaluation


def test_the_evidence_form_repeats_what_to_do_and_asks_before_giving_the_place_back(client, street, submitted):
    task = services.task_publish(actor=street.community_cadre, node=street.community, title="河道巡查", points=8,
                                 work_type=WorkType.objects.first(), places=3, requires_location=True,
                                 deadline=timezone.now() + timedelta(days=2), description="沿河道步行检查")
    claim = services.task_claim(actor=street.worker_a, task=task)
    client.force_login(street.worker_a.user)
    page = client.get(reverse("tasks:claim_detail", args=[claim.pk])).content.decode()
    assert "沿河道步行检查" in page and "data-locate" in page and "data-photo-preview" in page
    assert "data-busy-form" in page and 'class="button block danger" data-confirm=' in page
