"""What the ledger puts in people's inboxes: the points granted to them (a batch of grants to one person is one
message). The kind is registered from ``engines.register``.

``services.grant_batch`` does not write the messages in its own transaction (10,000 grants are 10,000
messages): ``points_granted`` writes a ``GrantNotice`` for the postings just written and enqueues
``jobs.points_granted_job`` for it, both inside that transaction. With the database job backend the job's row
commits or rolls back with the points, so a committed batch always has its job and a rolled-back one none;
the worker then writes the messages and marks the notice sent in one transaction (``send_notice``), so a job
run twice sends nothing twice, and a replayed batch writes no posting, hence no notice. (With the immediate
backend of the tests, the job runs at once, inside the batch's transaction.)
"""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov import jobs
from gridgov.ledger.models import GrantNotice
from gridgov.notifications.registry import Kind
from gridgov.notifications.registry import register as register_kind
from gridgov.notifications.services import Event, notify_events, phrase

POINTS_GRANTED = "points_granted"


def register() -> None:
    register_kind(Kind(POINTS_GRANTED, _("Points"), summary=_("%(count)s grants of points to you"),
                       group_window=timedelta(hours=6), grouped_url="ledger:mine"))
    jobs.register("ledger.notices", _("Points messages"), lambda *, now: send_stuck(now=now)[0])


def points_granted(*, first_sequence: int, last_sequence: int, budget_node) -> GrantNotice:
    """Owe the payees of postings ``first_sequence``–``last_sequence`` their messages (inside the postings'
    transaction): one notice row and one job."""
    from gridgov.ledger.jobs import points_granted_job

    notice = GrantNotice.objects.create(first_sequence=first_sequence, last_sequence=last_sequence,
                                        node_id=budget_node.pk)
    points_granted_job.enqueue(notice_id=notice.pk)
    return notice


def send_notice(notice_id: int, *, now=None) -> int:
    """Write the messages a notice owes, once: how many messages were written or updated (0 when it was sent
    already, or is unknown: its batch rolled back)."""
    from gridgov.ledger.selectors import granted_between

    with transaction.atomic():
        notice = GrantNotice.objects.select_for_update().filter(pk=notice_id, sent_at=None).first()
        if notice is None:
            return 0
        url = reverse("ledger:mine")
        written = notify_events(kind=POINTS_GRANTED, now=now, events=[
            Event(recipient_id=person_id, url=url, node_id=notice.node_id, group_key="points",
                  title=phrase(_("%(points)s points for you: %(reason)s"), points=points, reason=reason))
            for person_id, points, reason in granted_between(notice.first_sequence, notice.last_sequence)])
        GrantNotice.objects.filter(pk=notice.pk).update(sent_at=now or timezone.now())
    return written


def send_stuck(*, now=None) -> tuple[int, int]:
    """Send the notices whose job never finished (a worker stopped in the middle of it: the job backend leaves
    such a job marked running and does not run it again): (notices sent, messages written). Each notice as
    ``send_notice`` does, so one sent meanwhile by its own job is skipped. From ``gridgov jobs resume``
    (``gridgov.jobs``)."""
    now = now or timezone.now()
    stuck = list(GrantNotice.objects.filter(sent_at=None, created_at__lt=now - jobs.LOST_AFTER)
                 .order_by("pk").values_list("pk", flat=True))
    written = [send_notice(pk, now=now) for pk in stuck]
    return sum(1 for count in written if count), sum(written)

