"""Real threads against PostgreSQL: places are never over-claimed, a claim is never paid twice."""

import pytest
from django.db import connection

from gridgov.errors import DomainError, PermissionDenied
from gridgov.orgs.models import Role
from gridgov.tasks import services
from gridgov.tasks.models import Claim, ClaimState, Task
from gridgov.testing.concurrency import race as shared_race
from gridgov.testing.factories import person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real row-lock concurrency needs PostgreSQL (SQLite serialises writers)")


def race(count, work):
    """The shared race, letting through only the services' refusals: anything else fails the test."""
    return shared_race(count, work, expected=(DomainError, PermissionDenied))


def test_ten_workers_racing_for_three_places_get_exactly_three_claims(publish, street):
    task = publish(places=3)
    workers = [person(f"网格员{i}", node=street.grid_a, role=Role.GRID_WORKER) for i in range(10)]
    results = race(10, lambda i: services.task_claim(actor=workers[i], task=task))
    assert sum(isinstance(result, Claim) for result in results) == 3
    assert {result.code for result in results if isinstance(result, DomainError)} == {"task_full"}
    assert Claim.objects.filter(task=task).count() == 3
    assert Task.objects.get(pk=task.pk).claimed_count == 3


def test_one_worker_claiming_the_same_task_from_five_threads_gets_one_claim(publish, street):
    task = publish(places=3)
    results = race(5, lambda i: services.task_claim(actor=street.worker_a, task=task))
    assert sum(isinstance(result, Claim) for result in results) == 1
    assert {result.code for result in results if isinstance(result, DomainError)} == {"already_claimed"}
    assert Task.objects.get(pk=task.pk).claimed_count == 1


def test_two_auditors_confirming_at_once_grant_points_once(publish, street, budget):
    from gridgov.ledger.models import Posting

    second = person("黄党委", node=street.community, role=Role.PARTY_AUDITOR)
    task = publish(points=20)
    claim = services.task_claim(actor=street.worker_a, task=task)
    claim = services.claim_submit(actor=street.worker_a, claim=claim, text="完成")
    claim = services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True)
    auditors = [street.auditor, second] * 3
    results = race(6, lambda i: services.claim_audit(actor=auditors[i], claim=claim, confirm=True))
    assert sum(isinstance(result, Claim) for result in results) == 1
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.AUDITED
    assert Posting.objects.filter(idempotency_key=f"task-claim:{claim.pk}:points").count() == 1
