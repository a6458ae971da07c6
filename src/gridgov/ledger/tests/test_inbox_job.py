"""A batch's inbox messages are a background job: written after the batch commits, never lost once the points
are, never sent for a batch that rolled back, never twice for a retried batch or a job run again."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from gridgov import jobs
from gridgov.ledger import inbox
from gridgov.ledger.errors import BudgetExceeded
from gridgov.ledger.models import GrantNotice
from gridgov.ledger.services import grant_batch
from gridgov.notifications.models import Message

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def inbox_of(person):
    return list(Message.objects.filter(recipient=person).order_by("-updated_at", "-id").values_list("title", "count"))


def run_worker():
    """The worker itself (it closes the connection when done: transactional tests only)."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def run_ready_jobs() -> list:
    """What the worker does with each ready job, on the test's own connection."""
    results = []
    for row in DBTaskResult.objects.ready():
        results.append(row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"]))
        row.set_successful(results[-1])
    return results


def grants(street, worker_a_times=3):
    rows = [{"person": street.worker_a, "amount": 2, "reason": f"第{n}次巡查"} for n in range(worker_a_times)]
    return [*rows, {"person": street.worker_b, "amount": 3, "reason": "巡查"}]


@pytest.mark.django_db(transaction=True)  # real commits: the job's row must commit with the points
def test_a_committed_batch_has_its_job_and_the_worker_writes_the_messages(street, budget, settings):
    settings.TASKS = DATABASE
    postings = grant_batch(actor=street.community_cadre, grants=grants(street), budget_node=street.community,
                           idempotency_key="b:1")
    assert not Message.objects.exists()  # not in the batch's transaction
    notice = GrantNotice.objects.get()
    assert (notice.first_sequence, notice.last_sequence, notice.sent_at) == (postings[0].sequence,
                                                                             postings[-1].sequence, None)
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    run_worker()
    assert inbox_of(street.worker_a) == [("你收到 3 笔积分", 3)]
    assert inbox_of(street.worker_b) == [("获得 3 积分：巡查", 1)]
    notice.refresh_from_db()
    assert notice.sent_at is not None
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db
def test_a_batch_that_rolls_back_leaves_no_job_and_sends_nothing(street, budget, settings):
    settings.TASKS = DATABASE

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        grant_batch(actor=street.community_cadre, grants=grants(street), budget_node=street.community,
                    idempotency_key="b:2")
        assert DBTaskResult.objects.count() == 1 and GrantNotice.objects.count() == 1  # written inside
        raise Undo  # the caller's transaction fails after the batch: the points, the notice and the job go
    with pytest.raises(BudgetExceeded):  # refused on its own: nothing written either
        grant_batch(actor=street.community_cadre, grants=[{"person": street.worker_a, "amount": 999,
                                                            "reason": "太多"}] * 2,
                    budget_node=street.community, idempotency_key="b:3")
    assert not DBTaskResult.objects.exists() and not GrantNotice.objects.exists()
    assert run_ready_jobs() == []
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_a_retried_batch_or_a_job_run_again_sends_nothing_twice(street, budget, settings):
    settings.TASKS = DATABASE
    for _attempt in range(2):  # the cadre's retry after a lost answer: the first postings, no new notice
        grant_batch(actor=street.community_cadre, grants=grants(street), budget_node=street.community,
                    idempotency_key="b:4")
    assert GrantNotice.objects.count() == 1 and DBTaskResult.objects.count() == 1
    assert run_ready_jobs() == [2]  # two messages: one per payee
    notice = GrantNotice.objects.get()
    assert inbox.send_notice(notice.pk) == 0  # the job again (a worker that died before recording its result)
    assert inbox_of(street.worker_a) == [("你收到 3 笔积分", 3)]
    assert inbox_of(street.worker_b) == [("获得 3 积分：巡查", 1)]


@pytest.mark.django_db
def test_with_the_immediate_backend_the_messages_come_with_the_batch(street, budget):
    grant_batch(actor=street.community_cadre, grants=grants(street, 1), budget_node=street.community,
                idempotency_key="b:5")
    assert inbox_of(street.worker_a) == [("获得 2 积分：第0次巡查", 1)]
    assert GrantNotice.objects.get().sent_at is not None


@pytest.mark.django_db
def test_a_notice_whose_job_never_finished_is_sent_by_the_sweep_once(street, budget, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.TASKS = DATABASE
    grant_batch(actor=street.community_cadre, grants=grants(street), budget_node=street.community,
                idempotency_key="b:5")
    # Its worker stopped in the middle: the job stays "running" and is never run again; nothing was sent.
    DBTaskResult.objects.update(status="RUNNING")
    assert inbox.send_stuck() == (0, 0)  # a fresh notice is left to its job
    later = timezone.now() + jobs.LOST_AFTER + timedelta(seconds=1)
    assert inbox.send_stuck(now=later) == (1, 2)
    assert inbox_of(street.worker_a) == [("你收到 3 笔积分", 3)]
    assert inbox.send_stuck(now=later) == (0, 0)  # once
    call_command("jobs", "resume")
    assert inbox_of(street.worker_b) == [("获得 3 积分：巡查", 1)]
