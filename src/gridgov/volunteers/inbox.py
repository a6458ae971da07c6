"""What volunteers put in people's inboxes: a need nearby (in waves), a need's news for its requester and
helpers, a call-out. Lateness itself is the deadline engine's message. Registered from ``engines.register``;
the services call these inside their transaction."""

from datetime import timedelta

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.notifications.registry import Kind
from gridgov.notifications.registry import register as register_kind
from gridgov.notifications.services import notify, phrase

NEARBY = "volunteer_need"
NEWS = "volunteer"
CALLOUT = "callout"

TITLES = {
    "nearby": _("A neighbour needs help: %(title)s (%(helpers)s wanted)"),
    "review": _("A need to review before it is published: %(title)s"),
    "published": _("Your need is published: %(title)s"),
    "rejected": _("Your need was not published: %(title)s"),
    "claimed": _("A volunteer claimed your need: %(title)s"),
    "full": _("Enough helpers for your need: %(title)s"),
    "served": _("Your need was served; please confirm: %(title)s"),
    "confirmed": _("Service confirmed, hours credited: %(title)s"),
    "cancelled": _("A need you claimed was cancelled: %(title)s"),
    "released": _("A volunteer gave back their place; the need waits for helpers again: %(title)s"),
}


def register() -> None:
    register_kind(Kind(NEARBY, _("Volunteer need nearby"), summary=_("%(count)s volunteer needs near you"),
                       group_window=timedelta(minutes=30), grouped_url="volunteers:square"))
    register_kind(Kind(NEWS, _("Volunteer service")))
    register_kind(Kind(CALLOUT, _("Emergency call-out")))


def tell(need, what: str, recipients, *, actor=None, now=None) -> int:
    """Tell ``recipients`` (people or ids) about ``need``; never the actor about their own act."""
    actor_id = getattr(actor, "pk", None)
    ids = [getattr(each, "pk", each) for each in recipients if each is not None]
    ids = [pk for pk in ids if pk is not None and pk != actor_id]
    if not ids:
        return 0
    kind = NEARBY if what == "nearby" else NEWS
    title = phrase(TITLES[what], title=need.title, helpers=need.helpers)
    return notify(kind=kind, recipients=ids, title=title, url=reverse("volunteers:need", args=[need.pk]),
                  node=need.node, group_key=f"near:{need.node_id}" if kind == NEARBY else None, now=now)


def call_out(callout, recipient_ids, *, now=None) -> int:
    """Every recipient at once: one message each, never folded into another (an emergency stands alone)."""
    title = phrase(_("Emergency call-out: %(title)s. Assemble at %(place)s"), title=callout.title,
                   place=callout.assembly_point)
    return notify(kind=CALLOUT, recipients=recipient_ids, title=title,
                  url=reverse("volunteers:callout", args=[callout.pk]), node=callout.node, now=now)
