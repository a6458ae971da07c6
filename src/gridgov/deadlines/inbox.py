"""What the deadline engine puts in people's inboxes: each alert a scan raises, for the alert's recipient (due
soon and overdue to the one whose move it is, escalated to the cadre above), one message per recipient per scan.
The kind is registered from ``apps.ready``; the scan calls ``alerts_raised`` after writing its alerts."""

from datetime import timedelta

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.deadlines.models import AlertLevel
from gridgov.notifications.registry import Kind
from gridgov.notifications.registry import register as register_kind
from gridgov.notifications.services import Event, notify_events, phrase, when_said

DEADLINE = "deadline"
TITLES = {
    AlertLevel.DUE_SOON: _("Due soon: %(item)s"),
    AlertLevel.OVERDUE: _("Overdue: %(item)s"),
    AlertLevel.ESCALATED: _("Still overdue, escalated to you: %(item)s"),
}


def register() -> None:
    register_kind(Kind(DEADLINE, _("Deadline"), summary=_("%(count)s items are due or overdue"),
                       group_window=timedelta(minutes=30), grouped_url="reports:alerts"))


def alerts_raised(source, alerts, words: dict, *, now) -> None:
    """``alerts``: ``(recipient id, item id, level, node id, due time)`` of the alerts just raised for ``source``'s
    items; ``words``: each item in people's words."""
    notify_events(kind=DEADLINE, now=now, events=[
        Event(recipient_id=recipient_id, url=reverse(source.url_name, args=[item_id]), node_id=node_id,
              group_key=f"scan:{now.isoformat()}",
              title=phrase(TITLES[level], item=phrase("%(label)s · %(words)s", label=source.label,
                                                      words=words.get(item_id, ""))),
              body=phrase(_("Deadline: %(due)s"), due=when_said(due_at)))
        for recipient_id, item_id, level, node_id, due_at in alerts if recipient_id is not None])
