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


def test_two_threads_granting_at_once_add_both_grants_to_the_week(street):
    """Both payees' weeks, one shared node path (the same grid) and one not: the totals are the lines' sums."""
    from django.utils import timezone

    from gridgov.ledger import aggregates
    from gridgov.ledger.models import GrantedWeek
    from gridgov.orgs import services as orgs_services

    period = timezone.localtime().strftime("%Y-%m")
    services.budget_set(actor=SYSTEM, node=street.community, period=period, amount=1000)
    neighbour = orgs_services.person_create(actor=SYSTEM, name="邻网格", node=street.grid_a, role="grid_worker")
    payees = [street.worker_a, neighbour, street.worker_a, neighbour, street.worker_b, street.worker_b]
    results = race(6, lambda i: services.grant_points(
        actor=street.auditor, person=payees[i], amount=10 + i, reason="巡查", idempotency_key=f"pair-{i}",
        budget_node=street.community))
    assert all(isinstance(result, Posting) for result in results)
    weeks: dict[str, int] = {}
    for row in GrantedWeek.objects.all():  # summed over weeks, should the run straddle a Monday
        weeks[row.path] = weeks.get(row.path, 0) + row.points
    assert weeks == {street.grid_a.path: 10 + 11 + 12 + 13, street.grid_b.path: 14 + 15}
    kept = {(row.week, row.path): row.points for row in GrantedWeek.objects.all()}
    GrantedWeek.objects.all().delete()
    aggregates.fill_granted_weeks()
    assert {(row.week, row.path): row.points for row in GrantedWeek.objects.all()} == kept
