"""Background jobs (django-tasks): the inbox messages of a batch of grants, written after the batch commits."""

from django_tasks import task


@task()
def points_granted_job(*, notice_id: int) -> int:
    from gridgov.ledger.inbox import send_notice

    return send_notice(notice_id)
