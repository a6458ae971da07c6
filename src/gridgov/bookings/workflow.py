"""The booking workflow: one table of allowed transitions and one function to apply it.

    pending_base ─approve (no second review)──────────────────▶ approved ─attend─▶ attended
         │  └─approve (second review)─▶ pending_second ─approve─▶    │   └─no_show─▶ no_show
         │  └─hand_over (the base is late: 限时转接)─▲   └─reject─▶ rejected
         └─reject─▶ rejected                                          │
    pending_base / pending_second / approved ─cancel─▶ cancelled; ─reschedule─▶ pending_base
"""

from django.utils.translation import gettext_lazy as _

from gridgov.bookings.models import BookingState
from gridgov.workflow import Transitions


class Event:
    BOOK = "book"
    APPROVE = "approve"
    FORWARD = "forward"  # the base approved; a second reviewer decides
    HAND_OVER = "hand_over"
    REJECT = "reject"
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"
    ATTEND = "attend"
    NO_SHOW = "no_show"
    ASSIGN = "assign"


EVENT_LABELS = {
    Event.BOOK: _("Booked"),
    Event.APPROVE: _("Approved"),
    Event.FORWARD: _("Approved by the base, sent to the second review"),
    Event.HAND_OVER: _("Not answered in time, handed to the next reviewer"),
    Event.REJECT: _("Declined"),
    Event.CANCEL: _("Cancelled"),
    Event.RESCHEDULE: _("Moved to another date"),
    Event.ATTEND: _("Attendance recorded"),
    Event.NO_SHOW: _("Recorded as not come"),
    Event.ASSIGN: _("Liaison assigned"),
}

S = BookingState
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.PENDING_BASE, Event.APPROVE): S.APPROVED,
    (S.PENDING_BASE, Event.FORWARD): S.PENDING_SECOND,
    (S.PENDING_BASE, Event.HAND_OVER): S.PENDING_SECOND,
    (S.PENDING_BASE, Event.REJECT): S.REJECTED,
    (S.PENDING_SECOND, Event.APPROVE): S.APPROVED,
    (S.PENDING_SECOND, Event.REJECT): S.REJECTED,
    (S.PENDING_BASE, Event.CANCEL): S.CANCELLED,
    (S.PENDING_SECOND, Event.CANCEL): S.CANCELLED,
    (S.APPROVED, Event.CANCEL): S.CANCELLED,
    (S.PENDING_BASE, Event.RESCHEDULE): S.PENDING_BASE,
    (S.PENDING_SECOND, Event.RESCHEDULE): S.PENDING_BASE,
    (S.APPROVED, Event.RESCHEDULE): S.PENDING_BASE,
    (S.APPROVED, Event.ATTEND): S.ATTENDED,
    (S.APPROVED, Event.NO_SHOW): S.NO_SHOW,
    (S.APPROVED, Event.ASSIGN): S.APPROVED,
}

MACHINE = Transitions(BookingState, TRANSITIONS)
next_state = MACHINE.next_state
