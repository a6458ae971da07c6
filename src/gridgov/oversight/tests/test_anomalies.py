import itertools
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.ledger.models import Budget
from gridgov.ledger.services import budget_set, grant_points, reverse_posting
from gridgov.orgs.models import Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.oversight import anomalies
from gridgov.testing.factories import person

SHANGHAI = ZoneInfo("Asia/Shanghai")
KEYS = itertools.count()


@pytest.fixture
def budget(street):
    def make(amount):
        return budget_set(actor=SYSTEM, node=street.community, period=timezone.localtime().strftime("%Y-%m"),
                          amount=amount)
    return make


def grant(street, who, amount, key, actor=None):
    return grant_points(actor=actor or street.community_cadre, person=who, amount=amount, reason="测试",
                        idempotency_key=key, budget_node=street.community)


def claims(street, evaluator, workers_and_counts):
    from gridgov.tasks.models import Claim, ClaimState, Task, WorkType

    made = []
    for worker, count in workers_and_counts:
        for _ in range(count):
            task = Task.objects.create(node=street.community, title="巡查", work_type=WorkType.objects.first(),
                                       points=5, places=100, deadline=timezone.now() + timedelta(days=5))
            made.append(Claim.objects.create(task=task, worker=worker, node=street.grid_a, state=ClaimState.AUDITED,
                                             evaluator=evaluator, evaluated_at=timezone.now()))
    return made


# ---------------------------------------------------------------- one evaluator, one worker


def test_evaluator_giving_most_approvals_to_one_worker_is_found(street):
    made = claims(street, street.community_cadre, [(street.worker_a, 7), (street.worker_b, 2)])
    findings = anomalies.evaluator_favours_one_worker(node=street.street)
    assert len(findings) == 1
    assert findings[0].person_id == street.community_cadre.pk
    assert len(findings[0].claims) == 7 and set(findings[0].claims) <= {c.pk for c in made}


def test_evaluator_spreading_approvals_is_not_found(street):
    third = person("郑网格", node=street.grid_a, role=Role.GRID_WORKER)
    claims(street, street.community_cadre, [(street.worker_a, 4), (street.worker_b, 4), (third, 4)])
    assert anomalies.evaluator_favours_one_worker(node=street.street) == []


def test_few_approvals_are_below_the_threshold(street):
    claims(street, street.community_cadre, [(street.worker_a, 3)])
    assert anomalies.evaluator_favours_one_worker(node=street.street) == []


# ---------------------------------------------------------------- bursts near the budget limit


def test_burst_of_grants_draining_the_budget_is_found(street, budget):
    budget(100)
    postings = [grant(street, street.resident, 19, f"burst:{i}") for i in range(5)]
    findings = anomalies.grant_bursts_near_budget_limit(node=street.street)
    assert len(findings) == 1
    assert findings[0].postings == [p.pk for p in postings]
    assert findings[0].audit_records  # the points.grant records behind them


def test_burst_leaving_most_of_the_budget_is_not_found(street, budget):
    budget(1000)
    for i in range(5):
        grant(street, street.resident, 19, f"burst:{i}")
    assert anomalies.grant_bursts_near_budget_limit(node=street.street) == []


def grants_at(street, moments, amounts, actors=None):
    """One grant per moment (an aware datetime), from the community's budget of the moment's month."""
    from gridgov.ledger.journal import current_period

    made = []
    for number, (moment, amount) in enumerate(zip(moments, amounts)):
        actor = (actors or [street.community_cadre] * len(moments))[number]
        assert Budget.objects.filter(node=street.community, period=current_period(moment)).exists()
        with mock.patch("django.utils.timezone.now", return_value=moment):
            made.append(grant(street, street.resident, amount, f"at:{next(KEYS)}", actor=actor))
    return made


@pytest.fixture
def hour(street):
    """A budget of 100 points for the month of the moment the grants start, and that moment."""
    from gridgov.ledger.journal import current_period

    start = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    budget_set(actor=SYSTEM, node=street.community, period=current_period(start), amount=100)
    if current_period(start + timedelta(hours=2)) != current_period(start):
        budget_set(actor=SYSTEM, node=street.community, period=current_period(start + timedelta(hours=2)), amount=100)
    return start


def bursts(street):
    return [(f.person_id, f.postings) for f in anomalies.grant_bursts_near_budget_limit(node=street.street)]


def test_five_grants_the_first_and_last_exactly_an_hour_apart_are_a_burst(street, hour):
    made = grants_at(street, [hour + timedelta(minutes=m) for m in (0, 15, 30, 45, 60)], [18] * 5)
    assert bursts(street) == [(street.community_cadre.pk, [p.pk for p in made])]


def test_five_grants_over_an_hour_and_a_second_are_not_a_burst(street, hour):
    grants_at(street, [hour + timedelta(minutes=m) for m in (0, 15, 30, 45)] + [hour + timedelta(minutes=60, seconds=1)],
              [18] * 5)
    assert bursts(street) == []


def test_four_grants_draining_the_budget_are_not_a_burst(street, hour):
    grants_at(street, [hour + timedelta(minutes=m) for m in range(4)], [25] * 4)
    assert bursts(street) == []


def test_a_burst_leaving_a_tenth_of_the_budget_is_found_and_one_point_more_is_not(street, hour):
    made = grants_at(street, [hour + timedelta(minutes=m) for m in range(5)], [18, 18, 18, 18, 17])
    assert bursts(street) == []  # 11 of 100 left
    made += grants_at(street, [hour + timedelta(minutes=10)], [1])  # 10 left
    assert bursts(street) == [(street.community_cadre.pk, [p.pk for p in made])]


def test_grants_made_before_the_budget_ran_low_count_in_the_burst(street, hour):
    made = grants_at(street, [hour + timedelta(minutes=m) for m in range(5)], [5, 5, 5, 5, 70])
    assert bursts(street) == [(street.community_cadre.pk, [p.pk for p in made])]


def test_grants_at_one_moment_are_a_burst_in_the_order_they_were_made(street, hour):
    made = grants_at(street, [hour] * 5, [18] * 5)
    assert bursts(street) == [(street.community_cadre.pk, [p.pk for p in made])]


def test_two_people_granting_in_turns_are_counted_apart(street, hour):
    both = [street.community_cadre, street.auditor] * 4
    grants_at(street, [hour + timedelta(minutes=m) for m in range(8)], [11] * 8, actors=both)
    assert bursts(street) == []


def test_a_person_is_found_once_per_budget_with_the_grants_of_the_first_burst(street, hour):
    made = grants_at(street, [hour + timedelta(minutes=m) for m in range(10)], [9] * 10)  # 10 left after the tenth
    grants_at(street, [hour + timedelta(minutes=11), hour + timedelta(minutes=12)], [3, 2])
    assert bursts(street) == [(street.community_cadre.pk, [p.pk for p in made])]


def reference_bursts(node):
    """The rule as first written: for each grant, every earlier grant of the same person is looked at again
    (quadratic), with the budget's running total kept in Python. Small data only."""
    from gridgov.ledger.models import Budget, Line, PostingKind

    found = []
    for budget in Budget.objects.filter(node__path__startswith=node.path, amount__gt=0).order_by("pk"):
        rows = Line.objects.filter(account_id=budget.account_id, amount__lt=0, posting__actor_id__isnull=False,
                                   posting__kind=PostingKind.GRANT).order_by("posting__created_at", "posting_id")
        spent, by_actor, flagged = 0, {}, set()
        for posting_id, actor_id, created_at, amount in rows.values_list("posting_id", "posting__actor_id",
                                                                         "posting__created_at", "amount"):
            spent -= amount
            window = [row for row in by_actor.get(actor_id, []) if created_at - row[1] <= anomalies.BURST_WINDOW]
            by_actor[actor_id] = window = window + [(posting_id, created_at)]
            left = budget.amount - spent
            if (len(window) >= anomalies.BURST_MIN_GRANTS and left <= budget.amount * anomalies.BURST_BUDGET_LEFT_SHARE
                    and actor_id not in flagged):
                flagged.add(actor_id)
                found.append((actor_id, [row[0] for row in window]))
    return found


def test_bursts_are_those_of_the_rule_as_first_written_on_random_grants(street, hour):
    import random

    from django.db import transaction

    from gridgov.ledger.errors import BudgetExceeded

    checked = 0
    for seed in range(30):
        rng = random.Random(seed)
        with transaction.atomic():
            Budget.objects.filter(node=street.community).update(amount=rng.randint(40, 160))
            minutes = sorted(rng.choice([0, 0, 5, 20, 30, 59, 60, 61, 90]) + rng.randint(0, 40) for _ in range(14))
            actors = [rng.choice([street.community_cadre, street.auditor]) for _ in minutes]
            for number, (minute, actor) in enumerate(zip(minutes, actors)):
                try:
                    grants_at(street, [hour + timedelta(minutes=minute)], [rng.randint(1, 15)], actors=[actor])
                except BudgetExceeded:
                    pass
            expected = reference_bursts(street.street)
            assert sorted(bursts(street)) == sorted(expected), seed
            checked += bool(expected)
            transaction.set_rollback(True)
    assert checked >= 5  # the seeds do find bursts


# ---------------------------------------------------------------- one household


def test_grants_to_two_people_at_one_address_are_found(street, budget):
    budget(1000)
    for who in (street.resident, street.worker_a):
        who.address = "东门路 8 号"
        who.save()
    grant(street, street.resident, 10, "h:1")
    grant(street, street.worker_a, 10, "h:2")
    findings = anomalies.grants_within_one_household(node=street.street)
    assert len(findings) == 1 and len(findings[0].postings) == 2


def test_grant_to_the_granters_own_household_is_found(street, budget):
    budget(1000)
    for who in (street.resident, street.community_cadre):
        who.address = "东门路8号"
        who.save()
    grant(street, street.resident, 10, "h:1")
    findings = anomalies.grants_within_one_household(node=street.street)
    assert [f.person_id for f in findings] == [street.community_cadre.pk]


def test_grants_to_different_addresses_are_not_found(street, budget):
    budget(1000)
    street.resident.address = "东门路8号"
    street.resident.save()
    street.worker_a.address = "东门路9号"
    street.worker_a.save()
    grant(street, street.resident, 10, "h:1")
    grant(street, street.worker_a, 10, "h:2")
    assert anomalies.grants_within_one_household(node=street.street) == []


# ---------------------------------------------------------------- outside working hours


def approvals_at(street, *moments):
    return [AuditRecord.objects.create(created_at=moment, actor_id=street.community_cadre.pk, actor_name="李社区",
                                       action="claim.approve", node_path=street.grid_a.path).pk
            for moment in moments]


def test_approvals_at_night_and_at_the_weekend_are_found(street):
    ids = approvals_at(street, datetime(2025, 3, 3, 22, 30, tzinfo=SHANGHAI),  # Monday night
                       datetime(2025, 3, 8, 10, 0, tzinfo=SHANGHAI),  # Saturday
                       datetime(2025, 3, 4, 7, 59, tzinfo=SHANGHAI))  # Tuesday, before eight
    findings = anomalies.approvals_outside_working_hours(node=street.street)
    assert len(findings) == 1 and sorted(findings[0].audit_records) == sorted(ids)


def test_a_period_finds_the_same_approvals_outside_working_hours(street):
    """With a period, SQLite reads the hour with its own strftime at the zone's fixed offset, not Django's
    per-row Python function: both must find the same records."""
    approvals_at(street, datetime(2025, 3, 3, 22, 30, tzinfo=SHANGHAI), datetime(2025, 3, 8, 10, 0, tzinfo=SHANGHAI),
                 datetime(2025, 3, 4, 7, 59, tzinfo=SHANGHAI), datetime(2025, 3, 4, 8, 0, tzinfo=SHANGHAI),
                 datetime(2025, 3, 7, 17, 59, tzinfo=SHANGHAI), datetime(2025, 3, 7, 18, 0, tzinfo=SHANGHAI))
    whole = anomalies.approvals_outside_working_hours(node=street.street)
    march = anomalies.approvals_outside_working_hours(node=street.street, since=datetime(2025, 3, 1, tzinfo=SHANGHAI),
                                                      until=datetime(2025, 4, 1, tzinfo=SHANGHAI))
    assert [f.audit_records for f in march] == [f.audit_records for f in whole] and len(whole[0].audit_records) == 4


def test_approvals_in_working_hours_are_not_found(street):
    approvals_at(street, datetime(2025, 3, 3, 8, 0, tzinfo=SHANGHAI), datetime(2025, 3, 5, 17, 59, tzinfo=SHANGHAI),
                 datetime(2025, 3, 7, 12, 0, tzinfo=SHANGHAI), datetime(2025, 3, 8, 10, 0, tzinfo=SHANGHAI))
    assert anomalies.approvals_outside_working_hours(node=street.street) == []


# ---------------------------------------------------------------- reversals after audit


def test_reversal_of_a_grant_is_found_with_both_postings(street, budget):
    budget(1000)
    original = grant(street, street.resident, 10, "r:1")
    reversal = reverse_posting(actor=street.community_cadre, posting=original, reason="撤销", idempotency_key="r:1:rev")
    findings = anomalies.reversals_after_audit(node=street.street)
    assert len(findings) == 1 and findings[0].postings == sorted([original.pk, reversal.pk])


def test_grants_without_reversal_are_not_found(street, budget):
    budget(1000)
    grant(street, street.resident, 10, "r:1")
    assert anomalies.reversals_after_audit(node=street.street) == []


# ---------------------------------------------------------------- degrading cleanly


def test_every_rule_finds_nothing_on_an_empty_database(street):
    assert all(findings == [] for _rule, findings in anomalies.run_all(node=street.street))


def test_rules_outside_the_area_find_nothing(street, budget):
    budget(100)
    for i in range(5):
        grant(street, street.resident, 19, f"burst:{i}")
    assert anomalies.grant_bursts_near_budget_limit(node=street.village) == []


def test_claims_evaluated_at_night_are_found_from_the_task_flow_times(street):
    from gridgov.tasks.models import Claim

    made = claims(street, street.community_cadre, [(street.worker_a, 3)])
    Claim.objects.filter(pk__in=[c.pk for c in made]).update(evaluated_at=datetime(2025, 3, 3, 23, 0, tzinfo=SHANGHAI))
    findings = anomalies.approvals_outside_working_hours(node=street.street)
    assert len(findings) == 1 and sorted(findings[0].claims) == sorted(c.pk for c in made)


def test_batch_granted_postings_link_to_the_batch_audit_record(street, budget):
    from gridgov.ledger.services import grant_batch

    budget(1000)
    single = grant(street, street.worker_b, 5, "single")
    postings = grant_batch(actor=street.community_cadre, budget_node=street.community, idempotency_key="month",
                           grants=[{"person": who, "amount": 10, "reason": "月度"}
                                   for who in (street.worker_a, street.resident)])
    batch_record = AuditRecord.objects.get(action="points.grant", object_id="")
    assert anomalies._audit_ids("ledger.posting", [p.pk for p in postings], ["points.grant"]) == [batch_record.pk]
    single_record = AuditRecord.objects.get(action="points.grant", object_id=str(single.pk))
    assert anomalies._audit_ids("ledger.posting", [single.pk], ["points.grant"]) == [single_record.pk]
