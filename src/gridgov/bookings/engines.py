"""What bookings feed the shared engines: their review deadlines (限时转接: the scan alerts the base, and its
follow-up hands the request to the next reviewer), the badge of the review queue, and their message kind."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.bookings import inbox, selectors
from gridgov.bookings.models import PENDING_STATES, Booking, BookingState
from gridgov.bookings.services import BOOKING_ITEM, bookings_hand_over_due
from gridgov.deadlines.registry import DeadlineSource
from gridgov.deadlines.registry import register as register_deadlines
from gridgov.navigation import register_badge


def _alert_title(row: dict) -> str:
    return f"{row['base__name']} · {row['date']:%m-%d} · {BookingState(row['stage']).label}"


def register() -> None:
    inbox.register()
    register_badge("booking_reviews", lambda person: selectors.review_queue(person=person))
    register_deadlines(DeadlineSource(
        code=BOOKING_ITEM, label=_("Base booking"), model=Booking, url_name="bookings:detail", title=_alert_title,
        handler_field="reviewer_id", node_field="organisation", fields=("base__name", "date"),
        open=Q(state__in=PENDING_STATES),
        after_scan=lambda now: bookings_hand_over_due(now=now), after_scan_label=_("bookings handed over"),
    ))
