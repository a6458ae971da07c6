"""Real threads against PostgreSQL: no double spend, no double grant."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from gridgov.ledger import selectors, services
from gridgov.ledger.models import Posting
from gridgov.orgs.permissions import SYSTEM

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency tests need PostgreSQL (set GRIDGOV_DATABASE_URL)")


def race(count, work):
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


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
    assert all(isinstance(result, (Posting, ValidationError)) for result in results)
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
