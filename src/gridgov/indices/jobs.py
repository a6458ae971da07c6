"""Background jobs (django-tasks): computing a period is minutes of work for a county, never a web request's."""

from django_tasks import task


@task()
def compute_job(*, computation_id: int) -> str:
    from gridgov.indices.services import computation_run

    return computation_run(computation_id=computation_id).state
