"""What bookings put in people's inboxes: a booking to review, handed over, decided, a visit to accompany.
Lateness itself is the deadline engine's message. Registered from ``engines.register``; the services call
these inside their transaction."""

from datetime import timedelta

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.notifications.registry import Kind
from gridgov.notifications.registry import register as register_kind
from gridgov.notifications.services import notify, phrase

BOOKING = "booking"

TITLES = {
    "review": _("Booking to review: %(base)s, %(date)s"),
    "handed_to_you": _("Booking handed to you (the base did not answer in time): %(base)s, %(date)s"),
    "handed_away": _("A booking you did not answer in time went to the next reviewer: %(base)s, %(date)s"),
    "approved": _("Booking approved: %(base)s, %(date)s"),
    "rejected": _("Booking declined: %(base)s, %(date)s"),
    "liaison": _("You accompany a visit: %(base)s, %(date)s"),
}


def register() -> None:
    register_kind(Kind(BOOKING, _("Booking"), summary=_("%(count)s bookings ask for you"),
                       group_window=timedelta(hours=1), grouped_url="bookings:queue"))


def tell(booking, what: str, recipients, *, actor=None, now=None) -> None:
    """Tell ``recipients`` (people or ids) about ``booking``; never the actor about their own act."""
    actor_id = getattr(actor, "pk", None)
    ids = [getattr(each, "pk", each) for each in recipients if each is not None]
    ids = [pk for pk in ids if pk is not None and pk != actor_id]
    if not ids:
        return
    title = phrase(TITLES[what], base=booking.base.name, date=booking.date.strftime("%m-%d"))
    notify(kind=BOOKING, recipients=ids, title=title, url=reverse("bookings:detail", args=[booking.pk]),
           node=booking.organisation, group_key=f"booking:{what}", now=now)
