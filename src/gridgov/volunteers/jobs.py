"""Background jobs (django-tasks): the same generator as ``gridgov volunteers calendar``, for a scheduler."""

from django_tasks import task

from gridgov.volunteers import calendar


@task()
def post_service_days() -> int:
    return calendar.generate()
