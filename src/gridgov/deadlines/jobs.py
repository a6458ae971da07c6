"""Background jobs (django-tasks). The immediate backend runs them in-process; see docs/operations.md."""

from django.utils import timezone
from django_tasks import task

from gridgov.deadlines.scan import scan_deadlines


@task()
def scan_deadlines_job() -> dict:
    """Run one deadline scan now; returns the counts (JSON-safe for any job backend)."""
    result = scan_deadlines(now=timezone.now())
    return {"raised": result.raised, "closed": result.closed, "followed_up": result.followed_up}
