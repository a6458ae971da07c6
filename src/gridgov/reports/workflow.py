"""The report workflow: one table of allowed transitions, who may fire each event, one function to apply it.

    submitted ─accept─▶ accepted ─start─▶ in_progress ─resolve─▶ resolved ─confirm─▶ confirmed
                            └──────────resolve──────────────────▲    │ └─auto_close─▶ closed
                                         ▲                            │
                                         └────────reopen (rating ≤ 2)─┘

``reassign`` and ``escalate`` keep the state (the deadlines keep running: the reporter's clock does not
restart because the work changed hands) and are allowed while the report is open.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.reports.models import ReportState as S
from gridgov.workflow import InvalidTransition, Transitions  # noqa: F401 (InvalidTransition is re-exported)


class Event:
    ACCEPT = "accept"
    START = "start"
    RESOLVE = "resolve"
    CONFIRM = "confirm"
    REOPEN = "reopen"
    AUTO_CLOSE = "auto_close"
    REASSIGN = "reassign"
    ESCALATE = "escalate"


EVENT_LABELS = {
    "submit": _("Reported"),
    Event.ACCEPT: _("Accepted"),
    Event.START: _("Work started"),
    Event.RESOLVE: _("Resolved"),
    Event.CONFIRM: _("Confirmed by the reporter"),
    Event.REOPEN: _("Reopened after a bad rating"),
    Event.AUTO_CLOSE: _("Closed automatically"),
    Event.REASSIGN: _("Reassigned"),
    Event.ESCALATE: _("Escalated"),
    "points": _("Points granted"),
    "points_refused": _("Points not granted"),
}

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.SUBMITTED, Event.ACCEPT): S.ACCEPTED,
    (S.ACCEPTED, Event.START): S.IN_PROGRESS,
    (S.ACCEPTED, Event.RESOLVE): S.RESOLVED,
    (S.IN_PROGRESS, Event.RESOLVE): S.RESOLVED,
    (S.RESOLVED, Event.CONFIRM): S.CONFIRMED,
    (S.RESOLVED, Event.REOPEN): S.IN_PROGRESS,
    (S.RESOLVED, Event.AUTO_CLOSE): S.CLOSED,
    (S.SUBMITTED, Event.REASSIGN): S.SUBMITTED,
    (S.ACCEPTED, Event.REASSIGN): S.ACCEPTED,
    (S.IN_PROGRESS, Event.REASSIGN): S.IN_PROGRESS,
    (S.SUBMITTED, Event.ESCALATE): S.SUBMITTED,
    (S.ACCEPTED, Event.ESCALATE): S.ACCEPTED,
    (S.IN_PROGRESS, Event.ESCALATE): S.IN_PROGRESS,
}


class Who:
    """Who may fire an event, on top of the role-and-area check of ``EVENT_ACTION``."""

    HANDLER = "handler"  # the assigned handler, or a dispatcher (cadre) over the report's node
    REPORTER = "reporter"  # only the person who filed the report
    DISPATCHER = "dispatcher"  # a cadre over the report's node
    SYSTEM = "system"  # the deadline engine


EVENT_RULES: dict[str, tuple[str, str | None]] = {
    Event.ACCEPT: (Who.HANDLER, "report.handle"),
    Event.START: (Who.HANDLER, "report.handle"),
    Event.RESOLVE: (Who.HANDLER, "report.handle"),
    Event.CONFIRM: (Who.REPORTER, None),
    Event.REOPEN: (Who.REPORTER, None),
    Event.AUTO_CLOSE: (Who.SYSTEM, None),
    Event.REASSIGN: (Who.DISPATCHER, "report.dispatch"),
    Event.ESCALATE: (Who.HANDLER, "report.handle"),
}


MACHINE = Transitions(S, TRANSITIONS)
next_state = MACHINE.next_state
allowed_events = MACHINE.allowed_events
