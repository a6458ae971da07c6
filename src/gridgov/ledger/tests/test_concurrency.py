"""Real threads against PostgreSQL: no double spend, no double grant."""

import pytest

from gridgov.errors import DomainError
from gridgov.ledger import selectors, services
from gridgov.ledger.models import Posting
from gridgov.orgs.permissions import SYSTEM
from gridgov.testing.concurrency import race, skip_unless_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    skip_unless_postgres()


def test_ten_threads_spending_one_balance_never_overdraw(street):
    from django.utils import timezone

    period = timezone.localtime().strftime("%Y-%m")
    services.budget_set(actor=SYSTEM, node=street.community, period=period, amount=1000)
    services.grant_points(actor=street.auditor, person=street.worker_a, amount=100, reason="巡查",
                          idempotency_key="seed", budget_node=street.community)
    worker = services.account_for_person(street.worker_a)
    sink = services.open_account(kind="sink", owner_key="sink:redemption", name="兑换")
    results = race(10, lambda i: services.post(actor=SYSTEM, lines=[(worker, -30), (sink, 30)], reason="兑换",
                                               idempotency_key=f"spend-{i}"))
    assert sum(isinstance(result, Posting) for result in results) == 3
    assert all(isinstance(result, (Posting, DomainError)) for result in results)
    assert selectors.balance_of(worker) == 10


def test_ten_threads_with_one_idempotency_key_post_once(street):
    from django.utils import timezone

    period = timezone.localtime().strftime("%Y-%m")
    services.budget_set(actor=SYSTEM, node=street.community, period=period, amount=1000)
    results = race(10, lambda i: services.grant_points(
        actor=street.auditor, person=street.worker_a, amount=25, reason="巡查", idempotency_key="same",
        budget_node=street.community))
    assert all(isinstance(result, Posting) for result in results)
    assert len({result.pk for result in results}) == 1
    assert Posting.objects.filter(kind="grant").count() == 1
    assert selectors.balance_of(services.account_for_person(street.worker_a)) == 25
