from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.ledger.services import budget_set, grant_points, reverse_posting
from gridgov.orgs.models import Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.oversight import anomalies
from gridgov.testing.factories import person

SHANGHAI = ZoneInfo("Asia/Shanghai")


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
