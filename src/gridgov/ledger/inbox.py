"""What the ledger puts in people's inboxes: the points granted to them (a batch of grants to one person is one
message). The kind is registered from ``engines.register``; ``services.grant_batch`` calls ``points_granted``
inside its transaction."""

from datetime import timedelta

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.notifications.registry import Kind
from gridgov.notifications.registry import register as register_kind
from gridgov.notifications.services import Event, notify_events, phrase

POINTS_GRANTED = "points_granted"


def register() -> None:
    register_kind(Kind(POINTS_GRANTED, _("Points"), summary=_("%(count)s grants of points to you"),
                       group_window=timedelta(hours=6), grouped_url="ledger:mine"))


def points_granted(grants, *, budget_node, now=None) -> None:
    """``grants``: ``(person id, points, reason)`` of the postings just written."""
    url = reverse("ledger:mine")
    notify_events(kind=POINTS_GRANTED, now=now, events=[
        Event(recipient_id=person_id, url=url, node_id=budget_node.pk, group_key="points",
              title=phrase(_("%(points)s points for you: %(reason)s"), points=points, reason=reason))
        for person_id, points, reason in grants])
