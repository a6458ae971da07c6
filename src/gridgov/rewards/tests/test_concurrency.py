"""Real threads against PostgreSQL: one code, five tills at once, exactly one payment."""

import pytest

from gridgov.rewards import services
from gridgov.rewards.errors import RewardsRefusal
from gridgov.rewards.models import Redemption
from gridgov.rewards.tests.conftest import balance
from gridgov.testing.concurrency import race, skip_unless_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_code_redeemed_by_five_threads_pays_once(shop):
    skip_unless_postgres()
    token = services.token_issue(person=shop.member).token
    results = race(5, lambda index: services.redeem(
        actor=shop.clerk, token_string=token, item=shop.soap, idempotency_key=f"thread-{index}"))
    paid = [result for result in results if isinstance(result, Redemption)]
    refused = [result for result in results if isinstance(result, RewardsRefusal)]
    assert len(paid) == 1, results
    assert len(refused) == 4 and {refusal.code for refusal in refused} == {"token_used"}
    assert balance(shop.member) == 70 and Redemption.objects.count() == 1


def test_two_codes_of_one_member_cannot_overspend(shop):
    skip_unless_postgres()
    tokens = [services.token_issue(person=shop.member).token for _ in range(3)]
    # 100 points, three tills each selling a 50-point discount at once: two may pay, never three.
    results = race(3, lambda index: services.redeem(
        actor=shop.clerk, token_string=tokens[index], item=shop.discount, idempotency_key=f"spend-{index}"))
    paid = [result for result in results if isinstance(result, Redemption)]
    assert len(paid) == 2, results
    assert all(isinstance(result, (Redemption, RewardsRefusal)) for result in results), results
    assert balance(shop.member) == 0 and Redemption.objects.count() == 2


def test_a_replay_racing_the_first_request_gets_the_first_redemption(shop):
    """A double tap, or a retry through a flaky network: one key from four threads at once, three rounds
    (the replays are caught at different points of the first one's transaction)."""
    skip_unless_postgres()
    for round_ in range(3):
        token = services.token_issue(person=shop.member).token
        results = race(4, lambda index, token=token, key=f"tap-{round_}": services.redeem(
            actor=shop.clerk, token_string=token, item=shop.soap, idempotency_key=key), expected=RewardsRefusal)
        assert all(isinstance(result, Redemption) for result in results), results
        assert len({result.pk for result in results}) == 1, results
    assert Redemption.objects.count() == 3 and balance(shop.member) == 10
