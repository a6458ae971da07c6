"""Background work a stopped worker lost, given to a worker again (foundation: it imports no app).

The job backend (django-tasks' database backend) marks a job running when a worker takes it. A worker that
stops in the middle of a job (a restart, a crash) leaves it marked so, and no worker runs it again; a process
that stops between its commit and its ``enqueue`` leaves no job at all. What such a job owed is written down by
its app (a points notice unsent, a webhook delivery pending, an index computation open), so each app registers
how to find what is still owed after ``LOST_AFTER`` and send it again; ``gridgov jobs resume``, from the
five-minute timer (docs/operations.md), runs them all. Sending twice is harmless: every job takes its work
first and finds it done or taken.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

LOST_AFTER = timedelta(minutes=10)  # a job starts within seconds of its enqueue; one not done after this was lost


@dataclass(frozen=True)
class Resumable:
    name: str
    label: str  # what is sent again, as the command prints it
    resume: Callable[..., int]  # (now=...) -> how many were given to a worker again


_registered: dict[str, Resumable] = {}


def register(name: str, label, resume: Callable[..., int]) -> None:
    _registered[name] = Resumable(name, label, resume)


def resume_all(*, now: datetime | None = None) -> list[tuple[Resumable, int]]:
    """Each registered kind of work, with how many of it were sent again."""
    now = now or timezone.now()
    return [(item, item.resume(now=now)) for item in _registered.values()]
