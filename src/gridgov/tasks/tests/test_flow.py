"""The task flow per role: publish → claim → submit → evaluate → audit, and the refusals on the way."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError, PermissionDenied
from gridgov.orgs.models import Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.orgs.services import role_grant
from gridgov.tasks import selectors, services
from gridgov.tasks.models import Claim, ClaimState, Task, TaskState


def denied(action):
    return AuditRecord.objects.filter(action=action, outcome="denied")


def submitted_claim(publish, street, **task_fields):
    task = publish(**task_fields)
    claim = services.task_claim(actor=street.worker_a, task=task)
    return services.claim_submit(actor=street.worker_a, claim=claim, text="巡查了三栋楼，灭火器完好")


def test_community_cadre_publishes_task_visible_to_workers_below(publish, street):
    task = publish()
    assert task.state == TaskState.PUBLISHED
    assert task in selectors.task_square(person=street.worker_a)
    assert task in selectors.task_square(person=street.worker_b)
    assert AuditRecord.objects.filter(action="task.publish", object_id=str(task.pk)).exists()


def test_worker_cannot_publish_and_the_attempt_is_recorded(publish, street):
    with pytest.raises(PermissionDenied):
        publish(actor=street.worker_a)
    assert denied("task.publish").filter(actor_id=street.worker_a.pk).exists()


def test_village_cadre_cannot_publish_to_dongmen(publish, street):
    with pytest.raises(PermissionDenied):
        publish(actor=street.village_cadre)


def test_publish_refuses_past_deadline_and_zero_places(publish):
    with pytest.raises(DomainError):
        publish(deadline=timezone.now() - timedelta(hours=1))
    with pytest.raises(DomainError):
        publish(places=0)


def test_worker_claims_a_place_in_own_area(publish, street):
    task = publish()
    claim = services.task_claim(actor=street.worker_a, task=task)
    assert claim.state == ClaimState.CLAIMED
    assert claim.node == street.grid_a
    assert Task.objects.get(pk=task.pk).places_left == 2


def test_worker_cannot_claim_task_outside_own_grid(publish, street):
    task = publish(node=street.grid_b)
    assert task not in selectors.task_square(person=street.worker_a)
    with pytest.raises(PermissionDenied):
        services.task_claim(actor=street.worker_a, task=task)
    assert denied("task.claim").filter(actor_id=street.worker_a.pk).exists()
    assert not Claim.objects.exists()


def test_resident_and_cadre_cannot_claim(publish, street):
    task = publish()
    for person in (street.resident, street.community_cadre):
        with pytest.raises(PermissionDenied):
            services.task_claim(actor=person, task=task)


def test_claim_on_full_task_is_refused(publish, street):
    task = publish(places=1)
    services.task_claim(actor=street.worker_a, task=task)
    with pytest.raises(DomainError) as refused:
        services.task_claim(actor=street.worker_b, task=task)
    assert refused.value.code == "task_full"
    assert Task.objects.get(pk=task.pk).state == TaskState.FULL
    assert denied("task.claim").filter(actor_id=street.worker_b.pk).exists()


def test_claim_after_deadline_is_refused(publish, street):
    task = publish(deadline=timezone.now() + timedelta(hours=1))
    with pytest.raises(DomainError) as refused:
        services.task_claim(actor=street.worker_a, task=task, now=timezone.now() + timedelta(hours=2))
    assert refused.value.code == "task_expired"


def test_claim_on_closed_task_is_refused(publish, street):
    task = publish()
    services.task_close(actor=street.community_cadre, task=task)
    with pytest.raises(DomainError) as refused:
        services.task_claim(actor=street.worker_a, task=task)
    assert refused.value.code == "task_closed"


@pytest.mark.parametrize("places", [3, 1])  # 1: holding the last place, the worker hears "already", not "full"
def test_worker_cannot_claim_the_same_task_twice(publish, street, places):
    task = publish(places=places)
    services.task_claim(actor=street.worker_a, task=task)
    with pytest.raises(DomainError) as refused:
        services.task_claim(actor=street.worker_a, task=task)
    assert refused.value.code == "already_claimed"
    assert Task.objects.get(pk=task.pk).claimed_count == 1
    assert denied("task.claim").filter(actor_id=street.worker_a.pk, reason__startswith="already_claimed").exists()


def test_closed_task_is_refused_as_closed_even_when_full_and_expired(publish, street):
    task = publish(places=1)
    services.task_claim(actor=street.worker_a, task=task)
    services.task_close(actor=street.community_cadre, task=task)
    with pytest.raises(DomainError) as refused:
        services.task_claim(actor=street.worker_a, task=task, now=task.deadline + timedelta(days=1))
    assert refused.value.code == "task_closed"


def test_released_place_can_be_claimed_again(publish, street):
    task = publish(places=1)
    claim = services.task_claim(actor=street.worker_a, task=task)
    services.claim_release(actor=street.worker_a, claim=claim)
    assert Task.objects.get(pk=task.pk).claimed_count == 0
    again = services.task_claim(actor=street.worker_a, task=task)
    assert again.state == ClaimState.CLAIMED


def test_another_worker_cannot_release_or_submit_my_claim(publish, street):
    task = publish(node=street.community)
    claim = services.task_claim(actor=street.worker_a, task=task)
    role_grant(actor=SYSTEM, person=street.worker_b, node=street.grid_a, role=Role.GRID_WORKER)
    with pytest.raises(PermissionDenied):
        services.claim_release(actor=street.worker_b, claim=claim)
    with pytest.raises(PermissionDenied):
        services.claim_submit(actor=street.worker_b, claim=claim, text="不是我的")
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.CLAIMED


def test_submit_requires_the_evidence_the_task_asks_for(publish, street):
    task = publish(requires_photo=True, requires_location=True)
    claim = services.task_claim(actor=street.worker_a, task=task)
    with pytest.raises(DomainError) as refused:
        services.claim_submit(actor=street.worker_a, claim=claim, text="")
    assert refused.value.code == "evidence_missing"
    with pytest.raises(DomainError):
        services.claim_submit(actor=street.worker_a, claim=claim, text="做了", latitude="95", longitude="120")
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.CLAIMED


def test_community_cadre_rejects_with_reason_and_worker_resubmits(publish, street):
    claim = submitted_claim(publish, street)
    with pytest.raises(DomainError):
        services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=False, reason="")
    claim = services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=False, reason="照片不清楚")
    assert claim.state == ClaimState.REJECTED
    assert claim in selectors.claims_of(worker=street.worker_a)
    claim = services.claim_submit(actor=street.worker_a, claim=claim, text="补充了说明")
    assert claim.state == ClaimState.SUBMITTED
    assert claim in selectors.evaluation_queue(person=street.community_cadre)


def test_approval_adjustment_stays_within_limits(publish, street):
    claim = submitted_claim(publish, street, points=20)
    with pytest.raises(DomainError) as refused:
        services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True, adjustment=11, reason="很好")
    assert refused.value.code == "adjustment_out_of_range"
    claim = services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True, adjustment=10, reason="很好")
    assert claim.points_awarded == 30
    assert claim in selectors.audit_queue(person=street.auditor)


def test_wrong_roles_cannot_evaluate_or_audit(publish, street):
    claim = submitted_claim(publish, street)
    for person in (street.auditor, street.worker_b, street.village_cadre, street.resident):
        with pytest.raises(PermissionDenied):
            services.claim_evaluate(actor=person, claim=claim, approve=True)
    with pytest.raises(PermissionDenied):
        services.claim_audit(actor=street.community_cadre, claim=claim, confirm=True)
    assert denied("task.evaluate").count() == 4
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.SUBMITTED


def test_nobody_evaluates_their_own_work(publish, street):
    role_grant(actor=SYSTEM, person=street.community_cadre, node=street.grid_a, role=Role.GRID_WORKER)
    task = publish(actor=street.street_cadre)
    claim = services.task_claim(actor=street.community_cadre, task=task)
    claim = services.claim_submit(actor=street.community_cadre, claim=claim, text="自己做的")
    with pytest.raises(PermissionDenied) as refused:
        services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True)
    assert refused.value.code == "self_approval"
    assert denied("claim.approve").filter(actor_id=street.community_cadre.pk).exists()
    assert claim not in selectors.evaluation_queue(person=street.community_cadre)


def test_evaluator_may_not_audit_their_own_evaluation(publish, street):
    role_grant(actor=SYSTEM, person=street.community_cadre, node=street.community, role=Role.PARTY_AUDITOR)
    claim = submitted_claim(publish, street)
    claim = services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True)
    with pytest.raises(PermissionDenied) as refused:
        services.claim_audit(actor=street.community_cadre, claim=claim, confirm=True)
    assert refused.value.code == "self_approval"
    assert "由您考评" in denied("claim.confirm").get().reason
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.EVALUATED
    assert claim not in selectors.audit_queue(person=street.community_cadre)


def test_repeated_evaluation_is_refused_and_recorded(publish, street):
    claim = submitted_claim(publish, street)
    services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True)
    with pytest.raises(DomainError) as refused:
        services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=False, reason="改主意")
    assert refused.value.code == "invalid_state"
    assert denied("claim.reject").exists()
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.EVALUATED


def test_auditor_sends_back_and_evaluator_decides_again(publish, street):
    claim = submitted_claim(publish, street)
    claim = services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True)
    with pytest.raises(DomainError):
        services.claim_audit(actor=street.auditor, claim=claim, confirm=False, reason="")
    claim = services.claim_audit(actor=street.auditor, claim=claim, confirm=False, reason="证据不足")
    assert claim.state == ClaimState.SENT_BACK
    assert claim in selectors.evaluation_queue(person=street.community_cadre)
    claim = services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=False, reason="请补拍照片")
    assert claim.state == ClaimState.REJECTED


def test_roll_spawns_next_weekly_instance_once(publish, street):
    task = publish(recurrence="weekly", deadline=timezone.now() + timedelta(days=1))
    later = timezone.now() + timedelta(days=2)
    spawned = services.tasks_roll(now=later)
    assert [t.previous_id for t in spawned] == [task.pk]
    assert spawned[0].deadline == task.deadline + timedelta(days=7)
    assert services.tasks_roll(now=later) == []


def test_roll_expires_unsubmitted_claims_but_not_submitted_work(publish, street):
    task = publish(deadline=timezone.now() + timedelta(days=1))
    idle = services.task_claim(actor=street.worker_b, task=task)
    done = submitted_claim(publish, street)
    services.tasks_roll(now=timezone.now() + timedelta(days=8))
    assert Claim.objects.get(pk=idle.pk).state == ClaimState.EXPIRED
    assert Claim.objects.get(pk=done.pk).state == ClaimState.SUBMITTED
    assert Task.objects.get(pk=task.pk).claimed_count == 0


def test_overdue_list_shows_late_work_to_the_responsible_cadre(publish, street):
    task = publish(deadline=timezone.now() + timedelta(days=1))
    late = services.task_claim(actor=street.worker_a, task=task)
    waiting = submitted_claim(publish, street)
    future = timezone.now() + timedelta(days=5)
    overdue = list(selectors.overdue_for(person=street.community_cadre, now=future))
    assert late in overdue and waiting in overdue
    assert list(selectors.overdue_for(person=street.village_cadre, now=future)) == []


def test_notices_reach_people_in_scope_only(street):
    notice = services.notice_publish(actor=street.community_cadre, node=street.community, title="停水通知", body="周三停水")
    assert notice in selectors.notices_for(person=street.worker_a)
    assert notice in selectors.notices_for(person=street.resident)
    assert notice not in selectors.notices_for(person=street.village_cadre)
    with pytest.raises(PermissionDenied):
        services.notice_publish(actor=street.worker_a, node=street.community, title="x", body="y")


def test_roll_command_runs_the_roll(publish, street):
    from io import StringIO

    from django.core.management import call_command

    publish(recurrence="monthly", deadline=timezone.now() + timedelta(seconds=1))
    output = StringIO()
    with __import__("unittest.mock", fromlist=["patch"]).patch(
            "gridgov.tasks.services.timezone.now", return_value=timezone.now() + timedelta(days=1)):
        call_command("tasks", "roll", stdout=output)
    assert "已生成 1 个周期任务的下一期" in output.getvalue()


def test_catalogue_has_five_modules_and_twenty_six_work_types(db):
    from gridgov.tasks.models import Module, WorkType

    assert [m.name for m in Module.objects.all()] == ["乡风文明", "基层治理", "生活富裕", "生态宜居", "产业兴旺"]
    assert WorkType.objects.count() == 26
    assert {"疫情防控", "五水共治", "消防安全", "秸秆焚烧", "违建排摸"} <= set(WorkType.objects.values_list("name", flat=True))


def test_street_cadre_sets_grades_and_publishing_by_grade_uses_its_points(publish, street):
    grade = services.grade_set(actor=street.street_cadre, street=street.street, name="三星", points=40)
    task = publish(grade=grade, points=None)
    assert task.points == 40
    with pytest.raises(PermissionDenied):
        services.grade_set(actor=street.community_cadre, street=street.street, name="一星", points=5)
