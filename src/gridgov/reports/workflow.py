"""The report workflow: one table of allowed transitions, who may fire each event, one function to apply it.

    submitted ─accept─▶ accepted ─start─▶ in_progress ─resolve─▶ resolved ─confirm─▶ confirmed
                            └──────────resolve──────────────────▲    │ └─auto_close─▶ closed
                                         ▲                            │
                                         └────────reopen (rating ≤ 2)─┘

``reassign`` and ``escalate`` keep the state (the deadlines keep running: the reporter's clock does not
restart because the work changed hands) and are allowed while the report is open.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.reports.models import ReportState
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
    (ReportState.SUBMITTED, Event.ACCEPT): ReportState.ACCEPTED,
    (ReportState.ACCEPTED, Event.START): ReportState.IN_PROGRESS,
    (ReportState.ACCEPTED, Event.RESOLVE): ReportState.RESOLVED,
    (ReportState.IN_PROGRESS, Event.RESOLVE): ReportState.RESOLVED,
    (ReportState.RESOLVED, Event.CONFIRM): ReportState.CONFIRMED,
    (ReportState.RESOLVED, Event.REOPEN): ReportState.IN_PROGRESS,
    (ReportState.RESOLVED, Event.AUTO_CLOSE): ReportState.CLOSED,
    (ReportState.SUBMITTED, Event.REASSIGN): ReportState.SUBMITTED,
    (ReportState.ACCEPTED, Event.REASSIGN): ReportState.ACCEPTED,
    (ReportState.IN_PROGRESS, Event.REASSIGN): ReportState.IN_PROGRESS,
    (ReportState.SUBMITTED, Event.ESCALATE): ReportState.SUBMITTED,
    (ReportState.ACCEPTED, Event.ESCALATE): ReportState.ACCEPTED,
    (ReportState.IN_PROGRESS, Event.ESCALATE): ReportState.IN_PROGRESS,
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


MACHINE = Transitions(ReportState, TRANSITIONS)
next_state = MACHINE.next_state
allowed_events = MACHINE.allowed_events
