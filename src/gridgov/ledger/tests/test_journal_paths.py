"""The journal's fast paths: the key check folded into the insert, balances moved in bulk, chunked
statements. Run on SQLite and on PostgreSQL (the suite runs on both)."""

import pytest

from gridgov import sql
from gridgov.audit.models import AuditRecord
from gridgov.ledger import journal, selectors, services
from gridgov.ledger.errors import BudgetExceeded, IdempotencyConflict, LedgerRefusal
from gridgov.ledger.models import Account, ChainHead, EarnedHistogram, EarnedTotal, Posting
from gridgov.ledger.verify import verify_ledger
from gridgov.orgs.models import Role
from gridgov.testing.factories import person


def grant(street, amount=10, key="k1", who=None):
    return services.grant_points(actor=street.auditor, person=who or street.worker_a, amount=amount, reason="巡查",
                                 idempotency_key=key, budget_node=street.community)


def head():
    return ChainHead.objects.values_list("sequence", "hash").get(pk=1)


def balances(*accounts):
    return [selectors.balance_of(account) for account in accounts]


def test_a_replayed_key_writes_nothing_and_returns_the_stored_posting(street, budget):
    first = grant(street, 30)
    before = (head(), Posting.objects.count(), AuditRecord.objects.filter(action="points.grant").count())
    again = grant(street, 30)
    assert (head(), Posting.objects.count(), AuditRecord.objects.filter(action="points.grant").count()) == before
    assert (again.pk, again.sequence, again.hash, again.created_at) == (first.pk, first.sequence, first.hash,
                                                                         first.created_at)
    assert again.created_at == Posting.objects.get(pk=first.pk).created_at


def test_a_conflicting_key_writes_nothing(street, budget):
    grant(street, 30)
    before = (head(), Posting.objects.count(), balances(budget.account))
    with pytest.raises(IdempotencyConflict):
        grant(street, 30, who=street.worker_b)
    assert (head(), Posting.objects.count(), balances(budget.account)) == before
    assert not Account.objects.filter(person=street.worker_b).exists()  # the account it opened rolled back


def test_a_transfer_replay_and_conflict_go_through_the_folded_insert(street, budget):
    grant(street, 30)
    worker = services.account_for_person(street.worker_a)
    other = services.account_for_person(street.resident)
    lines = [(worker, -10), (other, 10)]
    first = services.post(actor=street.auditor, lines=lines, reason="转赠", idempotency_key="t")
    again = services.post(actor=street.auditor, lines=lines, reason="转赠", idempotency_key="t")
    assert again.pk == first.pk and balances(worker, other) == [20, 10]
    with pytest.raises(IdempotencyConflict):
        services.post(actor=street.auditor, lines=[(worker, -11), (other, 11)], reason="转赠", idempotency_key="t")
    assert balances(worker, other) == [20, 10]


def test_batch_moves_every_balance_by_the_sum_of_its_lines(street, budget, period):
    people = [street.worker_a, street.worker_b, street.resident, street.worker_a]  # one person twice
    grants = [{"person": who, "amount": amount, "reason": "月度"} for who, amount in zip(people, (10, 20, 30, 40))]
    postings = services.grant_batch(actor=street.auditor, grants=grants, budget_node=street.community,
                                    idempotency_key="month")
    assert [p.sequence for p in postings] == sorted(p.sequence for p in postings)
    assert balances(*(services.account_for_person(p) for p in people[:3]), budget.account) == [50, 20, 30, 900]
    assert selectors.earned_in(person=street.worker_a, period=period) == 50
    assert selectors.rank_of(person=street.worker_a, node=street.community, period=period) == (1, 3)
    assert EarnedHistogram.objects.filter(node_id=street.community.pk, period=period).values_list(
        "points", "count").order_by("points").filter(count__gt=0).count() == 3
    assert verify_ledger()[1] == []


def test_batch_past_the_budget_moves_nothing_although_payees_were_credited_first(street, budget):
    grants = [{"person": who, "amount": 400, "reason": "月度"}
              for who in (street.worker_a, street.worker_b, street.resident)]
    before = (head(), Posting.objects.count())
    with pytest.raises(BudgetExceeded) as refusal:
        services.grant_batch(actor=street.auditor, grants=grants, budget_node=street.community,
                             idempotency_key="too-much")
    assert refusal.value.code == "budget_exceeded"
    assert (head(), Posting.objects.count()) == before
    assert selectors.balance_of(budget.account) == 1000
    assert not EarnedTotal.objects.exists()


def test_batch_replays_the_granted_part_and_posts_the_rest(street, budget):
    grants = [{"person": street.worker_a, "amount": 10, "reason": "月度"}]
    first = services.grant_batch(actor=street.auditor, grants=grants, budget_node=street.community,
                                 idempotency_key="m")
    grants.append({"person": street.worker_b, "amount": 5, "reason": "月度"})
    both = services.grant_batch(actor=street.auditor, grants=grants, budget_node=street.community,
                                idempotency_key="m")
    assert both[0].pk == first[0].pk and both[1].pk != first[0].pk
    assert selectors.balance_of(budget.account) == 985
    grants[0]["amount"] = 11
    with pytest.raises(IdempotencyConflict):
        services.grant_batch(actor=street.auditor, grants=grants, budget_node=street.community, idempotency_key="m")


def test_batch_writes_one_audit_record_listing_every_posting(street, budget):
    grants = [{"person": who, "amount": 5, "reason": "月度"} for who in (street.worker_a, street.worker_b)]
    postings = services.grant_batch(actor=street.auditor, grants=grants, budget_node=street.community,
                                    idempotency_key="audit")
    record = AuditRecord.objects.get(action="points.grant")
    assert record.after["posting_ids"] == [p.pk for p in postings]
    assert record.node_id == street.community.pk and record.actor_id == street.auditor.pk


def test_statements_are_chunked_when_parameters_run_short(street, budget, monkeypatch, period):
    monkeypatch.setattr(sql, "max_params", lambda: 40)  # two postings, thirteen lines, ... per statement
    people = [person(f"村民{i}", node=street.grid_a, role=Role.RESIDENT) for i in range(7)]
    grants = [{"person": who, "amount": 3 + i, "reason": "月度"} for i, who in enumerate(people)]
    postings = services.grant_batch(actor=street.auditor, grants=grants, budget_node=street.community,
                                    idempotency_key="chunked")
    assert len({p.pk for p in postings}) == 7
    assert [selectors.balance_of(services.account_for_person(p)) for p in people] == [3 + i for i in range(7)]
    assert selectors.balance_of(budget.account) == 1000 - sum(3 + i for i in range(7))
    assert selectors.rank_of(person=people[6], node=street.community, period=period) == (1, 7)
    assert verify_ledger()[1] == []


def test_an_unknown_account_is_refused_and_nothing_moves(street, budget):
    grant(street, 30)
    worker = services.account_for_person(street.worker_a)
    ghost = Account(pk=10**9, kind="person", owner_key="ghost", name="ghost")
    before = (head(), Posting.objects.count())
    with pytest.raises(LedgerRefusal) as refusal:
        services.post(actor=street.auditor, lines=[(worker, -5), (ghost, 5)], reason="x", idempotency_key="g")
    assert refusal.value.code == "unknown_account"
    assert (head(), Posting.objects.count(), selectors.balance_of(worker)) == (*before, 30)


@pytest.mark.django_db(transaction=True)
def test_the_journal_refuses_to_write_outside_a_transaction():
    draft = journal.Draft(kind="transfer", reason="x", idempotency_key="outside", lines=[(1, -1), (2, 1)])
    with pytest.raises(RuntimeError):
        journal.write(actor=None, drafts=[draft], head=journal.Head(0, ""))
    with pytest.raises(RuntimeError):
        journal.lock_head()
    assert not Posting.objects.exists()


def test_the_fast_audit_insert_stores_the_same_record_as_the_orm(street, budget):
    from gridgov.audit.services import audit_entry, audit_record

    def orm_save(**fields):
        record = audit_entry(**fields)
        record.save()
        return record

    posting = grant(street, 30)
    fields = {"actor": street.auditor, "action": "points.grant", "target": posting, "node": street.community,
              "role": Role.PARTY_AUDITOR, "reason": "巡查", "after": {"lines": [[1, -30], [2, 30]], "名": "张三"}}
    rows = [AuditRecord.objects.filter(pk=write(**fields).pk).values().get() for write in (orm_save, audit_record)]
    for row in rows:
        del row["id"], row["created_at"]
    assert rows[0] == rows[1]
    assert rows[1]["object_id"] == str(posting.pk) and rows[1]["after"]["名"] == "张三"


def test_each_grant_writes_one_audit_record_and_a_batch_one_listing_its_postings(street, budget):
    single = grant(street, 30)
    batch = services.grant_batch(actor=street.auditor, budget_node=street.community, idempotency_key="b",
                                 grants=[{"person": street.worker_a, "amount": 5, "reason": "巡查"},
                                         {"person": street.worker_b, "amount": 6, "reason": "巡查"}])
    records = list(AuditRecord.objects.filter(action="points.grant").order_by("id"))
    assert [record.object_id for record in records] == [str(single.pk), ""]
    assert records[1].after["posting_ids"] == [posting.pk for posting in batch]


def test_the_journal_statements_can_be_logged_as_debug_mode_does(street, budget):
    """Django logs every statement with its parameters filled in when DEBUG is on (and in query-counting
    tests): the journal's hand-written statements must survive that on both databases."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    grants = [{"person": street.worker_a, "amount": 5, "reason": "a"}, {"person": street.worker_b, "amount": 5,
                                                                      "reason": "b"}]
    with CaptureQueriesContext(connection) as captured:
        services.grant_batch(actor=street.auditor, grants=grants, budget_node=street.community, idempotency_key="b")
        services.grant_batch(actor=street.auditor, grants=grants, budget_node=street.community, idempotency_key="b")
    statements = " ".join(query["sql"] for query in captured.captured_queries)
    assert "INSERT INTO \"ledger_posting\"" in statements and "INSERT INTO \"ledger_account\"" in statements
