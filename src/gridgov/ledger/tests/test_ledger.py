import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gridgov.audit.append_only import AppendOnlyError
from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError, PermissionDenied
from gridgov.ledger import journal, selectors, services
from gridgov.ledger.errors import AlreadyReversed, BudgetExceeded, IdempotencyConflict, InsufficientFunds
from gridgov.ledger.models import Line, Posting
from gridgov.ledger.verify import verify_ledger
from gridgov.orgs.models import Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.testing.factories import person


def grant(street, amount=10, key="k1", actor=None, who=None, **extra):
    return services.grant_points(
        actor=actor or street.auditor, person=who or street.worker_a, amount=amount, reason="消防巡查",
        idempotency_key=key, budget_node=street.community, **extra,
    )


def test_grant_moves_points_from_budget_to_person(street, budget):
    posting = grant(street, 30)
    assert selectors.balance_of(services.account_for_person(street.worker_a)) == 30
    assert selectors.balance_of(budget.account) == 970
    assert sorted(posting.lines.values_list("amount", flat=True)) == [-30, 30]
    assert AuditRecord.objects.filter(action="points.grant", actor_id=street.auditor.pk).exists()


def test_retry_with_same_key_returns_first_posting_and_moves_nothing(street, budget):
    first = grant(street, 30)
    again = grant(street, 30)
    assert again.pk == first.pk
    assert Posting.objects.filter(kind="grant").count() == 1
    assert selectors.balance_of(services.account_for_person(street.worker_a)) == 30


def test_same_key_for_a_different_grant_is_a_conflict(street, budget):
    grant(street, 30)
    with pytest.raises(IdempotencyConflict):
        grant(street, 31)
    assert selectors.balance_of(services.account_for_person(street.worker_a)) == 30


def test_a_new_payees_account_opens_with_its_batch_total_and_still_equals_its_lines(street, budget):
    from gridgov.ledger.models import Account

    assert not Account.objects.filter(person=street.worker_b).exists()
    grants = [{"person": street.worker_b, "amount": amount, "reason": "巡查"} for amount in (3, 4)]
    grants.append({"person": street.worker_a, "amount": 5, "reason": "巡查"})
    services.grant_batch(actor=street.auditor, grants=grants, budget_node=street.community, idempotency_key="o:1")
    assert selectors.balance_of(services.account_for_person(street.worker_b)) == 7
    assert selectors.balance_of(budget.account) == 988
    assert verify_ledger()[1] == []


def test_a_taken_key_for_someone_without_an_account_is_a_conflict_and_opens_no_balance(street, budget):
    from gridgov.ledger.models import Account

    grant(street, 30, key="k9")
    with pytest.raises(IdempotencyConflict):
        grant(street, 30, key="k9", who=street.worker_b)  # worker_b has no account yet
    assert not Account.objects.filter(person=street.worker_b).exclude(balance=0).exists()
    assert verify_ledger()[1] == []


def test_grant_past_budget_is_refused_with_a_clear_message(street, budget, english):
    grant(street, 900, key="a")
    with pytest.raises(BudgetExceeded, match="100 points left"):
        grant(street, 101, key="b")
    assert selectors.balance_of(budget.account) == 100


def test_grant_without_budget_is_refused(street):
    with pytest.raises(BudgetExceeded) as error:
        grant(street, 5)
    assert error.value.code == "no_budget"


@pytest.mark.parametrize("amount", [0, -5, 2.5, True, "10", 10**12, None])
def test_bad_amounts_are_refused_and_nothing_moves(street, budget, amount):
    with pytest.raises(DomainError):
        grant(street, amount)
    assert not Posting.objects.filter(kind="grant").exists()


def test_worker_cannot_grant_points(street, budget):
    with pytest.raises(PermissionDenied):
        grant(street, 5, actor=street.worker_b)


def test_village_cadre_cannot_grant_from_community_budget(street, budget):
    with pytest.raises(PermissionDenied):
        grant(street, 5, actor=street.village_cadre)


def test_budget_cannot_pay_a_person_outside_its_area(street, budget):
    villager = person("钱村民", node=street.grid_c, role=Role.RESIDENT)
    with pytest.raises(PermissionDenied):
        grant(street, 5, actor=street.street_cadre, who=villager)
    assert not Posting.objects.filter(kind="grant").exists()


def test_none_actor_is_refused(street, budget):
    with pytest.raises(PermissionDenied):
        services.post(actor=None, lines=[(budget.account, -1), (services.account_for_person(street.resident), 1)],
                      reason="x", idempotency_key="n")


def test_posting_lines_must_sum_to_zero(street, budget, english):
    account = services.account_for_person(street.resident)
    with pytest.raises(DomainError, match="sum to zero"):
        services.post(actor=SYSTEM, lines=[(budget.account, -2), (account, 1)], reason="x", idempotency_key="u")
    with pytest.raises(DomainError, match="two lines"):
        services.post(actor=SYSTEM, lines=[(account, 0)], reason="x", idempotency_key="u")


def test_person_cannot_spend_more_than_they_hold(street, budget):
    grant(street, 10)
    worker = services.account_for_person(street.worker_a)
    other = services.account_for_person(street.resident)
    with pytest.raises(InsufficientFunds):
        services.post(actor=SYSTEM, lines=[(worker, -11), (other, 11)], reason="转赠", idempotency_key="t")
    assert selectors.balance_of(worker) == 10


def test_reversal_returns_points_to_budget_once(street, budget):
    posting = grant(street, 40)
    reversal = services.reverse_posting(actor=street.community_cadre, posting=posting, reason="重复发放",
                                        idempotency_key="r1")
    assert reversal.reverses_id == posting.pk
    assert selectors.balance_of(services.account_for_person(street.worker_a)) == 0
    assert selectors.balance_of(budget.account) == 1000
    assert services.reverse_posting(actor=street.community_cadre, posting=posting, reason="重复发放",
                                    idempotency_key="r1").pk == reversal.pk
    with pytest.raises(AlreadyReversed):
        services.reverse_posting(actor=street.community_cadre, posting=posting, reason="再次", idempotency_key="r2")


def test_reversal_needs_a_reason(street, budget, english):
    posting = grant(street, 40)
    with pytest.raises(DomainError, match="reason"):
        services.reverse_posting(actor=street.community_cadre, posting=posting, reason=" ", idempotency_key="r1")


def test_reversal_of_spent_points_is_refused(street, budget):
    posting = grant(street, 40)
    worker = services.account_for_person(street.worker_a)
    sink = services.open_account(kind="sink", owner_key="sink:redemption", name="兑换")
    services.post(actor=SYSTEM, lines=[(worker, -30), (sink, 30)], reason="兑换", idempotency_key="spend")
    with pytest.raises(InsufficientFunds):
        services.reverse_posting(actor=street.community_cadre, posting=posting, reason="错发", idempotency_key="r")


def test_budget_cannot_be_lowered_below_what_was_granted(street, budget, period):
    grant(street, 600)
    with pytest.raises(BudgetExceeded):
        services.budget_set(actor=street.street_cadre, node=street.community, period=period, amount=500)
    lowered = services.budget_set(actor=street.street_cadre, node=street.community, period=period, amount=700)
    assert lowered.amount == 700
    assert selectors.balance_of(lowered.account) == 100


def test_community_cadre_cannot_set_budgets(street, period):
    with pytest.raises(PermissionDenied):
        services.budget_set(actor=street.community_cadre, node=street.community, period=period, amount=5)


def test_batch_is_all_or_nothing(street, budget, english):
    grants = [{"person": street.worker_a, "amount": 10, "reason": "a"},
              {"person": street.worker_b, "amount": -1, "reason": "b"}]
    with pytest.raises(DomainError, match="Grant 2"):
        services.grant_batch(actor=street.auditor, grants=grants, budget_node=street.community, idempotency_key="b")
    assert not Posting.objects.filter(kind="grant").exists()
    grants[1]["amount"] = 5
    postings = services.grant_batch(actor=street.auditor, grants=grants, budget_node=street.community,
                                    idempotency_key="b")
    assert len(postings) == 2
    again = services.grant_batch(actor=street.auditor, grants=grants, budget_node=street.community,
                                 idempotency_key="b")
    assert [p.pk for p in again] == [p.pk for p in postings]
    assert selectors.balance_of(budget.account) == 985


def test_rankings_and_own_rank(street, budget, period):
    grant(street, 30, key="a")
    grant(street, 50, key="b", who=street.worker_b)
    grant(street, 30, key="c", who=street.resident)
    top = selectors.ranking(node=street.community, period=period)
    assert [(row.rank, row.points) for row in top] == [(1, 50), (2, 30), (2, 30)]
    assert selectors.rank_of(person=street.worker_a, node=street.community, period=period) == (2, 3)
    assert selectors.rank_of(person=street.worker_a, node=street.grid_a, period=period) == (1, 2)
    assert selectors.rank_of(person=street.worker_b, node=street.street, period=period) == (1, 3)
    assert selectors.rank_of(person=street.village_cadre, node=street.street, period=period) is None


def test_reversal_takes_back_earned_points_in_the_ranking(street, budget, period):
    posting = grant(street, 30)
    grant(street, 20, key="b", who=street.worker_b)
    services.reverse_posting(actor=street.community_cadre, posting=posting, reason="错发", idempotency_key="r")
    assert selectors.rank_of(person=street.worker_b, node=street.community, period=period) == (1, 2)
    assert selectors.ledger_stats()["points_issued"] == 20


def test_statement_filters_by_period_and_kind(street, budget, period):
    posting = grant(street, 30)
    services.reverse_posting(actor=street.community_cadre, posting=posting, reason="错发", idempotency_key="r")
    account = services.account_for_person(street.worker_a)
    assert [line.amount for line in selectors.statement(account=account)] == [-30, 30]
    assert [line.amount for line in selectors.statement(account=account, reason="grant")] == [30]
    assert not selectors.statement(account=account, period="1999-01").exists()


def test_postings_and_lines_cannot_be_changed_through_the_orm(street, budget):
    posting = grant(street, 30)
    with pytest.raises(AppendOnlyError):
        posting.save()
    with pytest.raises(AppendOnlyError):
        Line.objects.filter(posting=posting).update(amount=1)
    with pytest.raises(AppendOnlyError):
        posting.delete()


def test_database_refuses_updating_a_line(street, budget):
    from django.db import DatabaseError, transaction

    grant(street, 30)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_line SET amount = 999")


def _drop_line_triggers(cursor):
    if connection.vendor == "postgresql":
        cursor.execute("DROP TRIGGER ledger_line_append_only ON ledger_line")
    else:
        cursor.execute("DROP TRIGGER ledger_line_no_update")


def test_verify_names_the_posting_whose_line_was_tampered(street, budget):
    grant(street, 30, key="first")
    second = grant(street, 20, key="second")
    grant(street, 10, key="third")
    call_command("ledger", "verify")
    with connection.cursor() as cursor:
        _drop_line_triggers(cursor)
        cursor.execute("UPDATE ledger_line SET amount = amount * 2 WHERE posting_id = %s", [second.pk])
    checked, problems = verify_ledger()
    assert problems[0].what == "posting" and f"#{second.sequence}" in problems[0].ident
    with pytest.raises(CommandError, match=f"#{second.sequence}"):
        call_command("ledger", "verify")


def test_verify_names_an_account_whose_cached_balance_drifted(street, budget):
    grant(street, 30)
    account = services.account_for_person(street.worker_a)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_account SET balance = 31 WHERE id = %s", [account.pk])
    _checked, problems = verify_ledger()
    assert [problem.what for problem in problems] == ["account"]
    assert str(account.pk) in problems[0].ident


def test_database_refuses_an_overdraft_even_past_the_services(street, budget):
    from django.db import IntegrityError, transaction

    account = services.account_for_person(street.worker_a)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_account SET balance = -1 WHERE id = %s", [account.pk])


def test_an_account_follows_its_holder_to_a_new_grid_and_the_next_month_ranks_there(street, budget, period,
                                                                                     monkeypatch):
    from gridgov.orgs import services as orgs
    from gridgov.orgs.models import RoleAssignment

    grant(street, 30)
    account = services.account_for_person(street.worker_a)
    assert account.node == street.grid_a
    old = RoleAssignment.objects.get(person=street.worker_a, node=street.grid_a)
    orgs.role_grant(actor=street.community_cadre, person=street.worker_a, node=street.grid_b, role=Role.GRID_WORKER)
    orgs.role_revoke(actor=street.community_cadre, assignment=old)
    account.refresh_from_db()
    assert account.node == street.grid_b

    next_month = "2099-01"
    monkeypatch.setattr(journal, "current_period", lambda now=None: next_month)
    services.budget_set(actor=SYSTEM, node=street.community, period=next_month, amount=100)
    grant(street, 20, key="next")
    assert selectors.rank_of(person=street.worker_a, node=street.grid_b, period=next_month) == (1, 1)
    assert selectors.rank_of(person=street.worker_a, node=street.grid_a, period=next_month) is None
    # The month under way when they moved still ranks where it was earned.
    assert selectors.rank_of(person=street.worker_a, node=street.grid_a, period=period) == (1, 1)


def test_a_person_left_without_roles_keeps_the_account_where_it_was(street, budget):
    from gridgov.orgs import services as orgs
    from gridgov.orgs.models import RoleAssignment

    grant(street, 30)
    for assignment in RoleAssignment.objects.filter(person=street.worker_a):
        orgs.role_revoke(actor=SYSTEM, assignment=assignment)
    assert services.account_for_person(street.worker_a).node == street.grid_a
    assert services.rehome_accounts([street.worker_a.pk]) == 0
