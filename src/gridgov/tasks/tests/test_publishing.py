"""A cadre's side of a task: publishing to several areas at once, changing a published task within what its
claimants were promised, and withdrawing it (places released, handed-in work kept, everyone told)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError, PermissionDenied
from gridgov.notifications.models import Message
from gridgov.tasks import selectors, services
from gridgov.tasks.models import ClaimState, Task, TaskStatus, WorkType
from gridgov.tasks.tests.conftest import ensure_catalogue


def fire_safety() -> WorkType:
    ensure_catalogue()
    return WorkType.objects.get(name="消防安全")


def publish_to(actor, nodes, **overrides):
    fields = dict(title="冬季消防安全巡查", work_type=fire_safety(), points=20, places=3, requires_photo=False,
                  deadline=timezone.now() + timedelta(days=5))
    fields.update(overrides)
    return services.tasks_publish(actor=actor, nodes=nodes, **fields)


def test_publishing_to_two_grids_makes_one_task_each_with_its_own_audit_record(street):
    tasks = publish_to(street.community_cadre, [street.grid_a, street.grid_b])
    assert sorted(task.node_id for task in tasks) == sorted([street.grid_a.pk, street.grid_b.pk])
    assert AuditRecord.objects.filter(action="task.publish").count() == 2
    assert Message.objects.filter(recipient=street.worker_a, kind="task_published").count() == 1
    assert Message.objects.filter(recipient=street.worker_b, kind="task_published").count() == 1


def test_an_area_outside_the_publishers_reach_refuses_the_whole_publication(street):
    with pytest.raises(PermissionDenied):
        publish_to(street.community_cadre, [street.grid_a, street.grid_c])
    assert not Task.objects.exists()


def test_an_area_inside_another_chosen_one_is_refused(street):
    with pytest.raises(DomainError) as refused:
        publish_to(street.community_cadre, [street.community, street.grid_a])
    assert refused.value.code == "areas_overlap" and "东门第一网格" in refused.value.message
    assert not Task.objects.exists()


@pytest.fixture
def claimed(street, publish):
    """A task with two claims: worker A still working, worker B's work handed in."""
    task = publish(places=3)
    working = services.task_claim(actor=street.worker_a, task=task)
    handed_in = services.claim_submit(actor=street.worker_b, claim=services.task_claim(actor=street.worker_b, task=task),
                                      text="巡查完毕")
    task.refresh_from_db()
    return task, working, handed_in


def test_a_later_deadline_moves_the_claims_due_time_and_tells_the_claimants(street, claimed):
    task, working, _handed_in = claimed
    later = task.deadline + timedelta(days=2)
    services.task_edit(actor=street.community_cadre, task=task, deadline=later, title="冬季消防安全巡查（延期）")
    working.refresh_from_db()
    assert working.due_at == later
    record = AuditRecord.objects.get(action="task.edit")
    assert record.before["title"] == "消防安全巡查" and record.after["title"] == "冬季消防安全巡查（延期）"
    told = Message.objects.filter(kind="task_changed").values_list("recipient_id", flat=True)
    assert sorted(told) == sorted([street.worker_a.pk, street.worker_b.pk])


def test_an_earlier_deadline_is_refused_once_workers_claimed(street, claimed):
    task, _working, _handed_in = claimed
    with pytest.raises(DomainError) as refused:
        services.task_edit(actor=street.community_cadre, task=task, deadline=task.deadline - timedelta(days=1))
    assert refused.value.code == "deadline_earlier"
    assert AuditRecord.objects.filter(action="task.edit", outcome="denied").exists()


def test_an_earlier_deadline_is_fine_while_nobody_claimed(street, publish):
    task = publish()
    earlier = task.deadline - timedelta(days=1)
    assert services.task_edit(actor=street.community_cadre, task=task, deadline=earlier).deadline == earlier


def test_places_never_drop_below_those_taken(street, claimed):
    task, _working, _handed_in = claimed
    with pytest.raises(DomainError) as refused:
        services.task_edit(actor=street.community_cadre, task=task, places=1)
    assert refused.value.code == "places_below_taken"
    assert services.task_edit(actor=street.community_cadre, task=task, places=2).places == 2


def test_requirements_may_only_be_loosened_once_claimed(street, claimed):
    task, _working, _handed_in = claimed
    with pytest.raises(DomainError) as refused:
        services.task_edit(actor=street.community_cadre, task=task, requires_photo=True)
    assert refused.value.code == "requirements_tightened"
    assert services.task_edit(actor=street.community_cadre, task=task, requires_text=False).requires_text is False


def test_a_change_that_changes_nothing_writes_nothing(street, claimed):
    task, _working, _handed_in = claimed
    services.task_edit(actor=street.community_cadre, task=task, title=task.title, places=task.places)
    assert not AuditRecord.objects.filter(action="task.edit").exists()
    assert not Message.objects.filter(kind="task_changed").exists()


def test_only_a_publisher_of_the_area_may_change_a_task(street, claimed):
    task, _working, _handed_in = claimed
    for outsider in (street.village_cadre, street.worker_a, street.auditor):
        with pytest.raises(PermissionDenied):
            services.task_edit(actor=outsider, task=task, title="改")
        with pytest.raises(PermissionDenied):
            services.task_withdraw(actor=outsider, task=task, reason="不需要了")


def test_withdrawing_releases_places_without_work_and_keeps_handed_in_work(street, claimed):
    task, working, handed_in = claimed
    task = services.task_withdraw(actor=street.community_cadre, task=task, reason="上级通知取消")
    working.refresh_from_db()
    handed_in.refresh_from_db()
    assert (task.status, task.claimed_count, task.withdraw_reason) == (TaskStatus.CLOSED, 1, "上级通知取消")
    assert working.state == ClaimState.RELEASED and working.due_at is None
    assert handed_in.state == ClaimState.SUBMITTED
    record = AuditRecord.objects.get(action="task.withdraw")
    assert record.before["status"] == "open" and record.after["released_claims"] == [working.pk]
    assert AuditRecord.objects.filter(action="claim.withdraw", object_id=str(working.pk)).exists()
    released, kept = (Message.objects.get(kind="task_withdrawn", recipient=person)
                      for person in (street.worker_a, street.worker_b))
    assert "名额已释放" in released.body and "照常考评" in kept.body
    evaluated = services.claim_evaluate(actor=street.community_cadre, claim=handed_in, approve=True)
    assert evaluated.state == ClaimState.EVALUATED


def test_a_withdrawn_task_can_be_neither_claimed_nor_changed_nor_withdrawn_again(street, claimed):
    task, _working, _handed_in = claimed
    services.task_withdraw(actor=street.community_cadre, task=task, reason="取消")
    for attempt in (lambda: services.task_claim(actor=street.worker_a, task=task),
                    lambda: services.task_edit(actor=street.community_cadre, task=task, places=9),
                    lambda: services.task_withdraw(actor=street.community_cadre, task=task, reason="再次")):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.code == "task_closed"


def test_withdrawing_needs_a_reason(street, claimed):
    task, _working, _handed_in = claimed
    with pytest.raises(DomainError) as refused:
        services.task_withdraw(actor=street.community_cadre, task=task, reason="  ")
    assert refused.value.code == "reason_required"
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_progress_of_many_tasks_is_two_queries_and_lists_only_the_latest_claimants(street, publish, monkeypatch,
                                                                                   django_assert_num_queries):
    tasks = [publish(title=f"巡查{number}") for number in range(5)]
    for task in tasks[:3]:
        services.task_claim(actor=street.worker_a, task=task)
    claim = services.task_claim(actor=street.worker_b, task=tasks[0])
    services.claim_submit(actor=street.worker_b, claim=claim, text="完成")
    tasks = [Task.objects.get(pk=task.pk) for task in tasks]
    with django_assert_num_queries(2):  # the counts, then the latest claimants of each task
        progress = selectors.task_progress(tasks)
    first = progress[tasks[0].pk]
    assert (first.taken, first.places, first.claims, first.submitted, first.evaluated) == (2, 3, 2, 1, 0)
    assert [claimant.worker for claimant in first.claimants] == ["孙网格", "刘网格"]
    assert progress[tasks[4].pk].claimants == [] and progress[tasks[4].pk].more_claimants == 0
    first = selectors.task_progress(tasks, claimants=1)[tasks[0].pk]
    assert [claimant.worker for claimant in first.claimants] == ["孙网格"] and first.more_claimants == 1
