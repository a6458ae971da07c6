"""Background jobs (django-tasks): the same roll as ``gridgov tasks roll``, for a scheduler to enqueue."""

from django_tasks import task

from gridgov.tasks import services


@task()
def roll_tasks() -> int:
    return len(services.tasks_roll())
