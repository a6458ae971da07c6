"""Background jobs (django-tasks): the webhook's deliveries, so that no action waits for the gateway."""

from django_tasks import task


@task()
def deliver_job(*, delivery_ids: list[int]) -> dict:
    from gridgov.notifications.webhook import deliver

    return deliver(delivery_ids)
