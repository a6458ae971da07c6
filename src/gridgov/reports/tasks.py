"""Background jobs (django-tasks). The immediate backend runs them in-process; see docs/operations.md."""

from django.utils import timezone
from django_tasks import task

from gridgov.reports.deadlines import scan_deadlines


@task()
def scan_deadlines_task() -> dict:
    """Run one deadline scan now; returns the counts (JSON-safe for any task backend)."""
    result = scan_deadlines(now=timezone.now())
    return {"raised": result.raised, "closed": result.closed, "auto_closed": result.auto_closed,
            "skipped": result.skipped}
