"""Only confirmed work posts points, once, through the ledger, from the worker's community budget."""

import pytest
from django.utils import timezone

from gridgov.errors import DomainError
from gridgov.orgs.permissions import SYSTEM
from gridgov.tasks import selectors, services
from gridgov.tasks.models import Claim, ClaimState


def evaluated_claim(publish, street, worker=None, **task_fields):
    worker = worker or street.worker_a
    claim = services.task_claim(actor=worker, task=publish(**task_fields))
    claim = services.claim_submit(actor=worker, claim=claim, text="完成")
    return services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True)


def postings_for(claim):
    from gridgov.ledger.models import Posting

    return Posting.objects.filter(idempotency_key=f"task-claim:{claim.pk}:points")


def test_confirmed_audit_grants_points_from_the_community_budget(publish, street, budget):
    claim = evaluated_claim(publish, street, points=20)
    assert not postings_for(claim).exists()
    claim = services.claim_audit(actor=street.auditor, claim=claim, confirm=True)
    assert claim.state == ClaimState.AUDITED
    posting = postings_for(claim).get()
    assert claim.posting_id == posting.pk
    assert posting.node_id == street.community.pk
    assert selectors.tasks_stats()["task_points_audited"] == 20


def test_sent_back_claim_grants_nothing(publish, street, budget):
    claim = evaluated_claim(publish, street)
    services.claim_audit(actor=street.auditor, claim=claim, confirm=False, reason="照片与任务无关")
    assert not postings_for(claim).exists()


def test_second_confirmation_is_refused_and_grants_nothing_more(publish, street, budget):
    claim = evaluated_claim(publish, street)
    services.claim_audit(actor=street.auditor, claim=claim, confirm=True)
    with pytest.raises(DomainError) as refused:
        services.claim_audit(actor=street.auditor, claim=claim, confirm=True)
    assert refused.value.code == "invalid_state"
    assert postings_for(claim).count() == 1


def test_confirmation_past_the_budget_is_refused_and_the_claim_stays_evaluated(publish, street):
    from gridgov.ledger.services import budget_set

    budget_set(actor=SYSTEM, node=street.community, period=timezone.localtime().strftime("%Y-%m"), amount=5)
    claim = evaluated_claim(publish, street, points=20)
    with pytest.raises(DomainError):
        services.claim_audit(actor=street.auditor, claim=claim, confirm=True)
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.EVALUATED
    assert not postings_for(claim).exists()


def test_batch_confirm_grants_each_claim_once(publish, street, budget):
    first = evaluated_claim(publish, street)
    second = evaluated_claim(publish, street, worker=street.worker_b, title="垃圾分类督导")
    services.claim_audit(actor=street.auditor, claim=first, confirm=True)
    results = services.claims_confirm_batch(actor=street.auditor, claims=[first, second])
    assert [error is None for _claim, error in results] == [False, True]
    assert postings_for(first).count() == 1 and postings_for(second).count() == 1


def test_the_whole_flow_per_role(publish, street, budget):
    """Street cadre publishes, worker claims and submits, community cadre evaluates, auditor confirms."""
    task = publish(actor=street.street_cadre, node=street.street, points=40)
    claim = services.task_claim(actor=street.worker_b, task=task)
    services.claim_submit(actor=street.worker_b, claim=claim, text="排摸违建两处")
    services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True, adjustment=-5, reason="材料不全")
    claim = services.claim_audit(actor=street.auditor, claim=Claim.objects.get(pk=claim.pk), confirm=True)
    assert (claim.state, claim.points_awarded, claim.evaluator, claim.auditor) == (
        ClaimState.AUDITED, 35, street.community_cadre, street.auditor)
    assert postings_for(claim).get().node_id == street.community.pk
