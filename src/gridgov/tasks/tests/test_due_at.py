"""A claim's stored ``due_at`` (when the next move is due) follows every transition, and the overdue list
reads it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gridgov.tasks import selectors, services
from gridgov.tasks.models import Claim, ClaimState
from gridgov.tasks.workflow import AUDIT_WITHIN_DAYS, EVALUATE_WITHIN_DAYS

EVALUATE = timedelta(days=EVALUATE_WITHIN_DAYS)
AUDIT = timedelta(days=AUDIT_WITHIN_DAYS)


def stored_due(claim):
    return Claim.objects.get(pk=claim.pk).due_at


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def task(publish, now):
    return publish(deadline=now + timedelta(days=7))


def test_a_new_claim_is_due_by_the_task_deadline(street, task, now):
    claim = services.task_claim(actor=street.worker_a, task=task, now=now)
    assert stored_due(claim) == task.deadline


def test_due_time_follows_submit_reject_resubmit_approve_send_back_and_confirm(street, task, now, budget):
    claim = services.task_claim(actor=street.worker_a, task=task, now=now)
    submitted = now + timedelta(hours=1)
    claim = services.claim_submit(actor=street.worker_a, claim=claim, text="巡查完毕", now=submitted)
    assert stored_due(claim) == submitted + EVALUATE

    claim = services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=False, reason="照片不清",
                                    now=now + timedelta(hours=2))
    assert claim.state == ClaimState.REJECTED and stored_due(claim) == task.deadline

    resubmitted = now + timedelta(hours=3)
    claim = services.claim_submit(actor=street.worker_a, claim=claim, text="已补充", now=resubmitted)
    assert stored_due(claim) == resubmitted + EVALUATE

    evaluated = now + timedelta(hours=4)
    claim = services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True, now=evaluated)
    assert stored_due(claim) == evaluated + AUDIT

    claim = services.claim_audit(actor=street.auditor, claim=claim, confirm=False, reason="证据不足",
                                 now=now + timedelta(hours=5))
    assert claim.state == ClaimState.SENT_BACK and stored_due(claim) == resubmitted + EVALUATE

    evaluated_again = now + timedelta(hours=6)
    claim = services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True, now=evaluated_again)
    assert stored_due(claim) == evaluated_again + AUDIT

    claim = services.claim_audit(actor=street.auditor, claim=claim, confirm=True, now=now + timedelta(hours=7))
    assert claim.state == ClaimState.AUDITED and stored_due(claim) is None


def test_a_released_claim_is_due_for_nothing(street, task, now):
    claim = services.task_claim(actor=street.worker_a, task=task, now=now)
    services.claim_release(actor=street.worker_a, claim=claim, now=now)
    assert stored_due(claim) is None


def test_an_expired_claim_is_due_for_nothing(street, task, now):
    claim = services.task_claim(actor=street.worker_a, task=task, now=now)
    assert services.claims_expire(now=task.deadline + timedelta(minutes=1)) == 1
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.EXPIRED and stored_due(claim) is None


def test_overdue_list_holds_late_claims_only_longest_overdue_first(publish, street, now):
    early = publish(deadline=now + timedelta(days=1))
    later = publish(deadline=now + timedelta(days=2))
    fresh = publish(deadline=now + timedelta(days=30))
    late_second = services.task_claim(actor=street.worker_a, task=later, now=now)
    late_first = services.task_claim(actor=street.worker_b, task=early, now=now)
    services.task_claim(actor=street.worker_a, task=fresh, now=now)
    overdue = list(selectors.overdue_for(person=street.community_cadre, now=now + timedelta(days=3)))
    assert overdue == [late_first, late_second]
