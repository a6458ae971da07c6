"""Any sequence of grants, transfers, spends and reversals keeps the ledger consistent."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridgov.errors import DomainError
from gridgov.ledger import services
from gridgov.ledger.models import Account, Posting
from gridgov.ledger.verify import verify_ledger
from gridgov.orgs.permissions import SYSTEM

_keys = itertools.count()

operation = st.one_of(
    st.tuples(st.just("grant"), st.integers(0, 3), st.integers(-5, 400)),
    st.tuples(st.just("transfer"), st.integers(0, 3), st.integers(0, 3), st.integers(1, 300)),
    st.tuples(st.just("spend"), st.integers(0, 3), st.integers(1, 300)),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
    st.tuples(st.just("replay"), st.integers(0, 50)),
)


@pytest.mark.django_db(transaction=True)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, max_size=12))
def test_any_sequence_of_operations_keeps_balances_equal_to_lines_and_the_chain_verifiable(street_once, operations):
    """The database is not reset between examples, so every invariant asserted here holds cumulatively."""
    street, budget_node, period = street_once
    people = [street.worker_a, street.worker_b, street.resident, street.auditor]
    accounts = [services.account_for_person(p) for p in people]
    sink = services.open_account(kind="sink", owner_key="sink:redemption", name="兑换")
    services.budget_set(actor=SYSTEM, node=budget_node, period=period,
                        amount=services.Budget.objects.filter(node=budget_node, period=period).first().amount + 500)
    postings: list[Posting] = list(Posting.objects.exclude(kind="budget").order_by("-sequence")[:20])
    for op in operations:
        key = f"prop-{next(_keys)}"
        try:
            if op[0] == "grant":
                postings.append(services.grant_points(actor=street.auditor, person=people[op[1]], amount=op[2],
                                                      reason="巡查", idempotency_key=key, budget_node=budget_node))
            elif op[0] == "transfer":
                postings.append(services.post(actor=SYSTEM, lines=[(accounts[op[1]], -op[3]), (accounts[op[2]], op[3])],
                                              reason="转赠", idempotency_key=key))
            elif op[0] == "spend":
                postings.append(services.post(actor=SYSTEM, lines=[(accounts[op[1]], -op[2]), (sink, op[2])],
                                              reason="兑换", idempotency_key=key))
            elif op[0] == "reverse" and postings:
                posting = postings[op[1] % len(postings)]
                services.reverse_posting(actor=street.community_cadre, posting=posting, reason="更正",
                                         idempotency_key=key)
            elif op[0] == "replay" and postings:
                posting = postings[op[1] % len(postings)]
                before = Posting.objects.count()
                lines = [(Account.objects.get(pk=a), n) for a, n in posting.lines.values_list("account_id", "amount")]
                if posting.kind == "transfer":
                    again = services.post(actor=SYSTEM, lines=lines, reason=posting.reason,
                                          idempotency_key=posting.idempotency_key)
                    assert again.pk == posting.pk
                assert Posting.objects.count() == before
        except DomainError:
            pass  # refusals (overdraft, zero amount, already reversed, budget spent) move nothing
    _checked, problems = verify_ledger()
    assert problems == []
    assert not Account.objects.filter(may_go_negative=False, balance__lt=0).exists()


@pytest.fixture
def street_once(transactional_db):
    """One street for all examples of the property (hypothesis reuses a function-scoped fixture)."""
    from django.utils import timezone

    from gridgov.testing.factories import Street

    street = Street()
    period = timezone.localtime().strftime("%Y-%m")
    services.budget_set(actor=SYSTEM, node=street.community, period=period, amount=1000)
    return street, street.community, period
